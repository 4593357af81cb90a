#!/usr/bin/env python3
"""The worker's spans, received by a real OpenTelemetry Collector.

Usage: test_spans.py BUILD_BIN_DIR [--brokers HOST:PORT]

Builds the collector of tests/integration/otelcol (its Go modules, pinned by
go.sum) into BUILD_BIN_DIR/cw-otelcol, starts it with an OTLP/HTTP receiver
and an OTLP/HTTP exporter (JSON) that forwards to a small HTTP sink in this
script, runs `codeworker run` with otlp.endpoint pointing at the collector,
and checks what came through: one span per job and per step (queue, compile
or lower, run, send) in the job's own trace under the caller's span, the
attributes and status an operator reads, nothing for an unsampled trace, a
trace of its own for a job without one; then that a collector that is away
costs the jobs nothing (results still come, the spans are counted as
dropped).  Needs a broker (deploy/local/kafka.sh start), kcat and Go.
Prints PASS/FAIL lines and a closing "N passed, N failed" line.
"""

import http.server
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BIN_DIR = sys.argv[1]
BIN = os.path.join(BIN_DIR, "codeworker")
BROKERS = sys.argv[sys.argv.index("--brokers") + 1] if "--brokers" in sys.argv else "127.0.0.1:9092"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
TP = f"00-{TRACE}-{PARENT}-01"
TRACE2 = "0af7651916cd43dd8448eb211c80319c"
TP2 = f"00-{TRACE2}-b7ad6b7169203331-01"
TP_UNSAMPLED = "00-11111111111111111111111111111111-2222222222222222-00"
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sink:
    """What the collector forwards: every ExportTraceServiceRequest, parsed."""

    def __init__(self):
        self.docs, self.lock = [], threading.Lock()
        sink = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = {"unparsable": body[:200].decode("utf-8", "replace")}
                with sink.lock:
                    sink.docs.append(doc)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self):
        """(resource attributes, span) for every span received so far."""
        out = []
        with self.lock:
            docs = list(self.docs)
        for d in docs:
            for rs in d.get("resourceSpans", []):
                res = attrs(rs.get("resource", {}))
                for ss in rs.get("scopeSpans", []):
                    for sp in ss.get("spans", []):
                        out.append((res, sp))
        return out


def attrs(obj):
    out = {}
    for a in obj.get("attributes", []):
        v = a.get("value", {})
        out[a["key"]] = next(iter(v.values()), None) if v else None
    return out


def start_collector(path, sink):
    port = free_port()
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write(f"""receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{port}
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:{sink.port}
    encoding: json
    compression: none
    retry_on_failure:
      enabled: false
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp_http]
""")
    cfg.close()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    p = subprocess.Popen([path, "--config", "file:" + cfg.name], stdout=log, stderr=log)
    p.logpath = log.name
    procs.append(p)
    end = time.time() + 60
    while time.time() < end and p.poll() is None:
        if "Everything is ready" in open(log.name).read():
            break
        time.sleep(0.2)
    return p, port


def start_worker(tag, mode, endpoint, extra=()):
    pre = f"sp{random.randrange(1 << 30):x}-{tag}"
    topics = {"jobs": pre + ".jobs", "results": pre + ".results"}
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    p = subprocess.Popen([BIN, "run", "--brokers", BROKERS, "--jobs-topic", topics["jobs"], "--results-topic",
                          topics["results"], "--dlq-topic", pre + ".dlq", "--cancel-topic", pre + ".cancel",
                          "--group", pre + ".group", "--partitions", "2", "--metrics-port", "0", "--executors", "1",
                          "--delivery", mode, "-X", "otlp.endpoint=" + endpoint, "-X", "otlp.flush.ms=200",
                          "-X", "otlp.timeout.ms=1000", *extra], stdout=subprocess.DEVNULL, stderr=log)
    p.logpath = log.name
    p.topics = topics
    procs.append(p)
    end = time.time() + 90
    while time.time() < end and p.poll() is None:
        if "partitions assigned" in open(log.name).read():
            break
        time.sleep(0.2)
    return p


def produce(topic, key, body, headers=()):
    args = ["kcat", "-b", BROKERS, "-P", "-t", topic, "-k", key]
    for h in headers:
        args += ["-H", h]
    return subprocess.run(args, input=json.dumps(body).encode(), capture_output=True, timeout=60).returncode == 0


def results(topic, n, timeout=90):
    end = time.time() + timeout
    out = {}
    while time.time() < end:
        p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-X",
                            "isolation.level=read_committed", "-f", "%k\t%s\n"], capture_output=True, timeout=60)
        out = {}
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                out.setdefault(k, []).append(json.loads(v))
        if len(out) >= n:
            break
        time.sleep(0.5)
    return out


def metrics(p):
    line = [l for l in open(p.logpath).read().splitlines() if '"worker started"' in l][0]
    port = json.loads(line)["metricsPort"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = {}
    for l in body.splitlines():
        if l and not l.startswith("#") and " " in l:
            k, v = l.rsplit(" ", 1)
            out[k] = float(v)
    return out


def stop(p):
    if p.poll() is None:
        p.terminate()
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()


JOBS = [  # (key, headers, body)
    ("sampled", ["traceparent=" + TP, "tracestate=rojo=1"], {"jobId": "sampled", "code": "output = 1"}),
    ("field", [], {"jobId": "field", "code": "output = 2", "traceparent": TP2}),
    ("unsampled", ["traceparent=" + TP_UNSAMPLED], {"jobId": "unsampled", "code": "output = 3"}),
    ("none", [], {"jobId": "none", "code": "output = 4"}),
    ("fails", ["traceparent=" + TP], {"jobId": "fails", "code": "throw new TypeError('no')"}),
    ("lowered", ["traceparent=" + TP], {"jobId": "lowered", "code": "const f = (x) => x * 2; output = f(21)"}),
    ("invalid", ["traceparent=" + TP], {"jobId": "invalid", "code": 42}),
]


def by_job(spans):
    """job id -> {name: span} of its trace (the root found by its job_id)."""
    roots = {}
    for res, sp in spans:
        a = attrs(sp)
        if "codeworker.job_id" in a:
            roots[a["codeworker.job_id"]] = (res, sp)
    out = {}
    for job, (res, root) in roots.items():
        kids = {sp["name"]: sp for _, sp in spans
                if sp.get("parentSpanId") == root["spanId"] and sp["traceId"] == root["traceId"]}
        out[job] = (res, root, kids)
    return out


def ns(sp, k):
    return int(sp[k])


def test_spans(collector, mode):
    sink = Sink()
    col, port = start_collector(collector, sink)
    check(f"spans ({mode}): the collector starts", col.poll() is None, open(col.logpath).read()[-600:])
    w = start_worker(mode[:4], mode, f"http://127.0.0.1:{port}/v1/traces")
    check(f"spans ({mode}): the worker starts with otlp.endpoint", w.poll() is None, open(w.logpath).read()[-600:])
    for key, hdrs, body in JOBS:
        check(f"spans ({mode}): produced {key}", produce(w.topics["jobs"], key, body, hdrs))
    res = results(w.topics["results"], len(JOBS))
    check(f"spans ({mode}): one result per job", sorted(res) == sorted(j[0] for j in JOBS)
          and all(len(v) == 1 for v in res.values()), {k: len(v) for k, v in res.items()})
    want = {"sampled", "field", "none", "fails", "lowered", "invalid"}
    end = time.time() + 30
    got = {}
    while time.time() < end:
        got = by_job(sink.spans())
        if want <= set(got) and all(len(got[j][2]) >= 2 for j in want):
            break
        time.sleep(0.3)
    check(f"spans ({mode}): the collector forwarded a trace for every recorded job", want <= set(got),
          sorted(got))
    if not want <= set(got):
        stop(w)
        col.kill()
        return
    res_attrs, root, kids = got["sampled"]
    ra = attrs(root)
    check(f"spans ({mode}): the job's span is in the caller's trace, under the caller's span",
          root["traceId"] == TRACE and root.get("parentSpanId") == PARENT, root)
    check(f"spans ({mode}): the job's span is a Kafka consumer's 'process' span",
          root["name"] == "process " + w.topics["jobs"] and root.get("kind") in (5, "SPAN_KIND_CONSUMER")
          and ra.get("messaging.system") == "kafka" and ra.get("messaging.destination.name") == w.topics["jobs"]
          and ra.get("messaging.operation.type") == "process" and ra.get("codeworker.result_code") == "SUCCESS"
          and "messaging.kafka.offset" in ra and ra.get("codeworker.attempt") in ("1", 1), (root["name"], ra))
    check(f"spans ({mode}): the resource names the service and the worker",
          res_attrs.get("service.name") == "codeworker" and ":" in (res_attrs.get("service.instance.id") or "")
          and res_attrs.get("service.version"), res_attrs)
    names = sorted(kids)
    check(f"spans ({mode}): queue, compile, run and send are the job span's children",
          names == sorted(["queue", "compile", "run", "send " + w.topics["results"]]), names)
    if len(kids) == 4:
        q, c, r, s = kids["queue"], kids["compile"], kids["run"], kids["send " + w.topics["results"]]
        order = [ns(root, "startTimeUnixNano") <= ns(q, "startTimeUnixNano"),
                 ns(q, "endTimeUnixNano") <= ns(c, "startTimeUnixNano"),
                 ns(c, "endTimeUnixNano") <= ns(r, "startTimeUnixNano"),
                 ns(r, "endTimeUnixNano") <= ns(s, "startTimeUnixNano"),
                 ns(s, "endTimeUnixNano") <= ns(root, "endTimeUnixNano")]
        check(f"spans ({mode}): the steps follow each other inside the job's span", all(order), order)
        check(f"spans ({mode}): the send span is a producer's and names the delivery mode",
              s.get("kind") in (4, "SPAN_KIND_PRODUCER") and attrs(s).get("codeworker.transactional")
              == (mode == "exactly-once"), (s.get("kind"), attrs(s)))
    check(f"spans ({mode}): a traceparent job field puts the job in that trace",
          got["field"][1]["traceId"] == TRACE2 and got["field"][1].get("parentSpanId") == "b7ad6b7169203331",
          got["field"][1])
    check(f"spans ({mode}): an unsampled trace is not recorded",
          "unsampled" not in got and not any(sp["traceId"] == TP_UNSAMPLED[3:35] for _, sp in sink.spans()))
    none = got["none"][1]
    check(f"spans ({mode}): a job without trace context gets a trace of its own",
          not none.get("parentSpanId") and none["traceId"] not in (TRACE, TRACE2, "0" * 32)
          and len(none["traceId"]) == 32, none)
    fr, fk = got["fails"][1], got["fails"][2]
    check(f"spans ({mode}): a failed job's span and its run span are errors naming the result type",
          (fr.get("status") or {}).get("code") in (2, "STATUS_CODE_ERROR")
          and (fr.get("status") or {}).get("message") == "RUNTIME_ERROR"
          and ((fk.get("run") or {}).get("status") or {}).get("code") in (2, "STATUS_CODE_ERROR"),
          (fr.get("status"), (fk.get("run") or {}).get("status")))
    lk = got["lowered"][2]
    check(f"spans ({mode}): lowered code has a 'lower' span saying so",
          "lower" in lk and attrs(lk["lower"]).get("codeworker.lowered") is True, sorted(lk))
    ik = got["invalid"][2]
    check(f"spans ({mode}): a job that never started has no run span, and its span says INVALID_REQUEST",
          "run" not in ik and attrs(got["invalid"][1]).get("codeworker.result_code") == "INVALID_REQUEST", sorted(ik))
    m = metrics(w)
    check(f"spans ({mode}): /metrics counts the spans sent, none dropped",
          m.get("codeworker_spans_sent_total", 0) >= 20 and m.get("codeworker_spans_dropped_total", 1) == 0,
          {k: v for k, v in m.items() if "span" in k or "otlp" in k})
    stop(w)
    col.terminate()
    col.wait(timeout=30)


def test_collector_away():
    """A collector that is not there: jobs run and answer as before; the
    spans are counted as dropped, the worker neither blocks nor fails."""
    dead = free_port()
    w = start_worker("away", "at-least-once", f"http://127.0.0.1:{dead}/v1/traces")
    check("spans: the worker starts with an unreachable collector", w.poll() is None, open(w.logpath).read()[-600:])
    for i in range(20):
        produce(w.topics["jobs"], f"a{i}", {"jobId": f"a{i}", "code": f"output = {i}"}, ["traceparent=" + TP])
    t0 = time.time()
    res = results(w.topics["results"], 20)
    check("spans: with the collector away every job still gets its result",
          len(res) == 20 and all(v[0].get("success") for v in res.values()), len(res))
    end = time.time() + 20
    m = {}
    while time.time() < end:
        m = metrics(w)
        if m.get("codeworker_spans_dropped_total", 0) >= 100:
            break
        time.sleep(0.5)
    check("spans: the spans that could not be sent are counted as dropped, the requests as failed",
          m.get("codeworker_spans_dropped_total", 0) >= 100 and m.get("codeworker_otlp_request_errors_total", 0) >= 1
          and m.get("codeworker_spans_sent_total", 1) == 0,
          {k: v for k, v in m.items() if "span" in k or "otlp" in k})
    check("spans: the results came without waiting on the collector", time.time() - t0 < 60, time.time() - t0)
    stop(w)
    check("spans: the worker stopped cleanly", w.returncode == 0, open(w.logpath).read()[-400:])


def test_config():
    for bad in ("ftp://127.0.0.1:1/v1/traces", "127.0.0.1:4318"):
        p = subprocess.run([BIN, "run", "--brokers", BROKERS, "-X", "otlp.endpoint=" + bad, "--metrics-port", "-1"],
                           capture_output=True, text=True, timeout=60)
        check(f"spans: otlp.endpoint={bad} is refused at start-up, naming the setting",
              p.returncode != 0 and "otlp" in p.stderr, (p.returncode, p.stderr[-300:]))
    p = subprocess.run([BIN, "run", "--brokers", BROKERS, "-X", "otlp.endpoint=http://127.0.0.1:1/v1/traces",
                        "-X", "otlp.headers=bad header=1", "--metrics-port", "-1"],
                       capture_output=True, text=True, timeout=60)
    check("spans: a malformed otlp.headers is refused at start-up", p.returncode != 0 and "otlp" in p.stderr,
          (p.returncode, p.stderr[-300:]))


def main():
    collector = os.path.join(BIN_DIR, "cw-otelcol")
    b = subprocess.run([os.path.join(HERE, "otelcol", "build.sh"), collector], capture_output=True, text=True,
                       timeout=1200)
    check("spans: the OpenTelemetry Collector builds from its Go modules", b.returncode == 0 and
          os.access(collector, os.X_OK), (b.stdout + b.stderr)[-800:])
    try:
        if b.returncode == 0:
            test_spans(collector, "exactly-once")
            test_spans(collector, "at-least-once")
        test_collector_away()
        test_config()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
