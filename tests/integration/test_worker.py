#!/usr/bin/env python3
"""Integration tests of `codeworker run` against a real Kafka broker.

Usage: test_worker.py BUILD_BIN_DIR [--brokers HOST:PORT] [--jobs N]
Needs a broker (deploy/local/kafka.sh start) and kcat.  Every test uses
topics and a group of its own, so runs never see each other's messages.
Prints PASS/FAIL lines and a closing "N passed, N failed" line.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, children, counts, rss_kb, summary  # noqa: E402,F401

BIN_DIR = sys.argv[1]
BIN = os.path.join(BIN_DIR, "codeworker")
BROKERS = sys.argv[sys.argv.index("--brokers") + 1] if "--brokers" in sys.argv else "127.0.0.1:9092"
NJOBS = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 5000
procs = []




class Topics:
    def __init__(self, tag):
        p = f"it{random.randrange(1 << 30):x}-{tag}"
        self.jobs, self.results, self.dlq, self.group = p + ".jobs", p + ".results", p + ".dlq", p + ".group"

    def args(self):
        return ["--brokers", BROKERS, "--jobs-topic", self.jobs, "--results-topic", self.results,
                "--dlq-topic", self.dlq, "--cancel-topic", self.jobs.replace(".jobs", ".cancel"),
                "--group", self.group, "--partitions", "4", "--metrics-port", "0"]

    @property
    def cancel(self):
        return self.jobs.replace(".jobs", ".cancel")


def start_worker(t, executors=1, extra=()):
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    p = subprocess.Popen([BIN, "run", *t.args(), "--executors", str(executors), *extra],
                         stdout=subprocess.DEVNULL, stderr=log)
    p.logpath = log.name
    procs.append(p)
    return p


def wait_log(p, text, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if text in open(p.logpath).read():
            return True
        time.sleep(0.2)
    return False


def kcat_read(topic, expect_keys=None, timeout=120, headers=False):
    """Read the whole topic with kcat (read_committed); poll until `expect_keys`
    distinct keys are present or the timeout passes."""
    end = time.time() + timeout
    recs = []
    while True:
        fmt = "%k\t%h\t%s\n" if headers else "%k\t%s\n"
        p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                            "-X", "isolation.level=read_committed", "-f", fmt],
                           capture_output=True, timeout=120)
        recs = [l for l in p.stdout.decode("utf-8", "replace").split("\n") if l]
        keys = {r.split("\t", 1)[0] for r in recs}
        if expect_keys is None or len(keys) >= expect_keys or time.time() > end:
            return recs
        time.sleep(1)


def submit(t, lines):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    p = subprocess.run([BIN, "submit", path, "--brokers", BROKERS, "--jobs-topic", t.jobs],
                       capture_output=True, text=True, timeout=120)
    os.unlink(path)
    return p


def job(i, tag):
    return json.dumps({"jobId": f"{tag}-{i}", "code": "output = { n: input.n, sq: input.n * input.n }",
                       "inputData": {"n": i}})


def results_by_key(recs):
    out = {}
    for r in recs:
        k, v = r.split("\t", 1)
        out.setdefault(k, []).append(v)
    return out


def stop(p, sig=signal.SIGTERM, timeout=60):
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        return -9


def schema_validator(name):
    """A 2020-12 validator for schemas/<name>.schema.json, with formats; None
    when jsonschema is not installed (tests/e2e/test_schemas.py installs it,
    into BUILD/pydeps where pip refuses the system)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(BIN_DIR)), "pydeps"))
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return None
    from referencing import Registry, Resource
    docs = {}
    for k in ("job", "result", "dlq", "cancel", "logs"):
        with open(os.path.join(root, "schemas", k + ".schema.json")) as f:
            docs[k] = json.load(f)
    registry = Registry().with_resources([(d["$id"], Resource.from_contents(d)) for d in docs.values()])
    return Draft202012Validator(docs[name], format_checker=Draft202012Validator.FORMAT_CHECKER, registry=registry)


def validate_all(name, docs, what):
    v = schema_validator(name)
    if v is None:
        check(f"{what}: validated against schemas/{name}.schema.json", False, "jsonschema is not installed")
        return
    bad = [(i, e.message) for i, d in enumerate(docs) for e in list(v.iter_errors(d))[:1]]
    check(f"{what}: {len(docs)} messages valid against schemas/{name}.schema.json", docs and not bad, bad[:3])


def test_two_workers():
    t = Topics("scale")
    w1, w2 = start_worker(t), start_worker(t)
    check("two workers join the group", wait_log(w1, "partitions assigned") and wait_log(w2, "partitions assigned"),
          open(w1.logpath).read()[-500:])
    p = submit(t, [job(i, "s") for i in range(NJOBS)])
    check("submit publishes the jobs", p.returncode == 0, p.stderr)
    t0 = time.time()
    recs = kcat_read(t.results, expect_keys=NJOBS, timeout=240)
    wall = time.time() - t0
    by = results_by_key(recs)
    missing = [i for i in range(NJOBS) if f"s-{i}" not in by]
    dups = [k for k, v in by.items() if len(v) > 1]
    bad = []
    pids = set()
    for i in range(NJOBS):
        vs = by.get(f"s-{i}")
        if not vs:
            continue
        r = json.loads(vs[0])
        pids.add(r["worker"]["pid"])
        if r["output"] != {"n": i, "sq": i * i} or r["source"]["topic"] != t.jobs:
            bad.append(i)
    print(f"# {NJOBS} jobs through 2 workers: {len(by)} results in {wall:.1f} s; missing {len(missing)}, "
          f"duplicated {len(dups)}, wrong {len(bad)}")
    check(f"{NJOBS} jobs: every job has exactly one result", not missing and not dups,
          f"missing={missing[:10]} dups={dups[:10]}")
    check(f"{NJOBS} jobs: outputs correct", not bad, bad[:10])
    check("both workers took partitions and produced results", len(pids) == 2, pids)
    validate_all("result", [json.loads(v[0]) for v in by.values()], "Kafka results (with actionExecutionLog)")
    check("workers exit 0 on SIGTERM", stop(w1) == 0 and stop(w2) == 0)


def test_sigterm_handover():
    t = Topics("handover")
    n = 2000
    w1 = start_worker(t)
    check("handover: first worker joins", wait_log(w1, "partitions assigned"))
    p = submit(t, [json.dumps({"jobId": f"h-{i}", "code": "var s = 0; for (var k = 0; k < 20000; k++) s += k; output = s + input.i",
                               "inputData": {"i": i}}) for i in range(n)])
    check("handover: jobs submitted", p.returncode == 0, p.stderr)
    # let it work part of the way, then ask it to stop
    end = time.time() + 60
    while time.time() < end and len(kcat_read(t.results, timeout=0)) < n // 4:
        time.sleep(0.5)
    rc = stop(w1)
    check("handover: first worker drains and exits 0 on SIGTERM", rc == 0, open(w1.logpath).read()[-800:])
    w2 = start_worker(t)
    recs = kcat_read(t.results, expect_keys=n, timeout=180)
    by = results_by_key(recs)
    missing = [i for i in range(n) if f"h-{i}" not in by]
    dups = sum(1 for v in by.values() if len(v) > 1)
    print(f"# handover: {len(by)} of {n} jobs have results; duplicates {dups}")
    check("handover: no job lost after SIGTERM and a new worker", not missing, missing[:10])
    stop(w2)


def test_kill9(mode):
    """SIGKILL a worker mid-stream and start another: read_committed sees
    exactly one result per job in exactly-once mode, none lost in either."""
    t = Topics("kill-" + mode)
    n = 3000
    w1 = start_worker(t, executors=2, extra=["--delivery", mode])
    check(f"kill -9 ({mode}): worker joins", wait_log(w1, "partitions assigned"))
    submit(t, [json.dumps({"jobId": f"k-{i}", "code": "var s = 0; for (var k = 0; k < 30000; k++) s += k; output = s + input.i",
                           "inputData": {"i": i}}) for i in range(n)])
    end = time.time() + 60
    while time.time() < end and len(kcat_read(t.results, timeout=0)) < n // 3:
        time.sleep(0.3)
    w1.kill()
    w1.wait()
    w2 = start_worker(t, executors=2, extra=["--delivery", mode])
    recs = kcat_read(t.results, expect_keys=n, timeout=180)
    by = results_by_key(recs)
    missing = [i for i in range(n) if f"k-{i}" not in by]
    dups = sum(len(v) - 1 for v in by.values())
    print(f"# kill -9 ({mode}): {n} jobs, {len(by)} with results, lost {len(missing)}, duplicated {dups}, "
          f"total {len(recs)} (read_committed)")
    check(f"kill -9 ({mode}): no job lost", not missing, missing[:10])
    if mode == "exactly-once":
        check("kill -9 (exactly-once): no duplicate visible to read_committed consumers", dups == 0, dups)
    stop(w2)




def test_poison_pill():
    """An executor killed under a job: the job runs again; killed on every
    attempt, it gets a final WORKER_CRASHED result and a dead letter with the
    attempt history."""
    t = Topics("poison")
    w = start_worker(t, executors=1, extra=["-X", "max.attempts=3"])
    check("poison: worker joins", wait_log(w, "partitions assigned"))
    slow = "var t = Date.now(); while (Date.now() - t < 1500) {} output = 'survived'"
    submit(t, [json.dumps({"jobId": "once", "code": slow, "timeout": 10})])
    time.sleep(1.2)
    for k in children(w.pid):
        os.kill(k, signal.SIGKILL)
    by = results_by_key(kcat_read(t.results, expect_keys=1, timeout=60))
    r = json.loads(by["once"][0]) if "once" in by else {}
    check("poison: a job whose executor was killed once runs again and succeeds",
          r.get("resultCode") == "SUCCESS" and r.get("attempt") == 2, r)
    submit(t, [json.dumps({"jobId": "pill", "code": slow, "timeout": 10})])
    for _ in range(3):
        time.sleep(1.0)
        for k in children(w.pid):
            os.kill(k, signal.SIGKILL)
        time.sleep(0.3)
    by = results_by_key(kcat_read(t.results, expect_keys=2, timeout=60))
    r = json.loads(by["pill"][0]) if "pill" in by else {}
    check("poison: after max.attempts the job gets its final WORKER_CRASHED result",
          r.get("resultCode") == "WORKER_CRASHED" and r.get("attempt") == 3 and len(by.get("pill", [])) == 1, r)
    dlq = kcat_read(t.dlq, timeout=30, headers=True)
    check("poison: the job is dead-lettered with its attempt history",
          len(dlq) == 1 and "cw-attempts=[" in dlq[0] and dlq[0].count('"attempt"') == 3, dlq)
    envs = kcat_json(t.dlq)
    hist = json.loads(envs[0]["headers"].get("cw-attempts", "[]")) if envs else []
    check("poison: cw-attempts items are what schemas/dlq.schema.json names (attempt, resultCode, worker, at)",
          len(hist) == 3 and all(set(h) == {"attempt", "resultCode", "worker", "at"} and h["worker"].count(":") == 1
                                 and h["at"].endswith("Z") for h in hist) and [h["attempt"] for h in hist] == [1, 2, 3],
          hist)
    stop(w)


def test_malformed():
    t = Topics("bad")
    w = start_worker(t, extra=["-X", "job.max.bytes=4096"])
    check("malformed: worker started", wait_log(w, "partitions assigned"))
    lines = {
        "not-json": b"this is not json",
        "array": b"[1,2,3]",
        "no-id": b'{"code":"output=1"}',
        "numeric-id": b'{"jobId":7,"code":"1"}',
        "oversized": json.dumps({"jobId": "big", "code": "x" * 5000}).encode(),
        "invalid-utf8": b'{"jobId":"u1","code":"\xff"}',
        "code-not-string": b'{"jobId":"bad-code","code":5}',
        "python": b'{"jobId":"py","code":"print(1)","language":"python"}',
        "expired": b'{"jobId":"old","code":"output=1","expiresAt":"2001-01-01T00:00:00Z"}',
        # nesting that once crashed every executor it reached (then the DLQ),
        # and nesting past the input limit, with the jobId after it
        "deep-ok": b'{"jobId":"deep-ok","code":"output=1","inputData":' + b"[" * 300 + b"]" * 300 + b"}",
        "deep-over": b'{"code":"output=1","inputData":' + b"[" * 1500 + b"]" * 1500 + b',"jobId":"deep-over"}',
        "after": b'{"jobId":"after-bad","code":"output=\'still consuming\'"}',
    }
    data = b"\n".join(lines.values()) + b"\n"
    p = subprocess.run(["kcat", "-b", BROKERS, "-P", "-t", t.jobs, "-p", "0"], input=data, capture_output=True,
                       timeout=60)
    check("malformed: produced with kcat", p.returncode == 0, p.stderr)
    recs = kcat_read(t.results, expect_keys=7, timeout=60)
    by = {k: json.loads(v[0]) for k, v in results_by_key(recs).items()}
    check("malformed: one result per job with a readable jobId", all(len(v) == 1 for v in results_by_key(recs).values()),
          recs)
    for key, code in (("u1", "INVALID_REQUEST"), ("bad-code", "INVALID_REQUEST"), ("py", "INVALID_REQUEST"),
                      ("old", "EXPIRED"), ("deep-ok", "SUCCESS"), ("deep-over", "INVALID_REQUEST"),
                      ("after-bad", "SUCCESS")):
        r = by.get(key)
        check(f"malformed: {key} -> {code}", r is not None and r["resultCode"] == code, r)
    dlq = kcat_read(t.dlq, expect_keys=None, timeout=5, headers=True)
    deadline = time.time() + 30
    while len(dlq) < 5 and time.time() < deadline:
        time.sleep(1)
        dlq = kcat_read(t.dlq, timeout=0, headers=True)
    bodies = [r.split("\t", 2)[2] if r.count("\t") >= 2 else "" for r in dlq]
    check("malformed: 5 messages without a readable jobId are dead-lettered", len(dlq) == 5, dlq)
    check("malformed: dead letters keep the raw bytes", "this is not json" in bodies and "[1,2,3]" in bodies, bodies)
    check("malformed: dead letters carry source and reason headers",
          all("cw-source-offset=" in r and "cw-reason=" in r for r in dlq), dlq[:2])
    big = [r for r in dlq if '"jobId": "big"' in r]
    check("malformed: an oversized message's dead letter says it is over job.max.bytes",
          len(big) == 1 and "over job.max.bytes (4096)" in big[0] and "no readable jobId" not in big[0], big)
    validate_all("result", list(by.values()), "malformed: INVALID_REQUEST/EXPIRED results")
    p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", t.dlq, "-o", "beginning", "-e", "-q", "-J"],
                       capture_output=True, timeout=60)
    heads = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        env = json.loads(line)
        h = env.get("headers") or []
        heads.append({h[i]: h[i + 1] for i in range(0, len(h) - 1, 2)})
    validate_all("dlq", heads, "malformed: dead-letter headers")
    stop(w)


def test_metrics_and_config():
    t = Topics("cfg")
    p = subprocess.run([BIN, "run", "--brokers", BROKERS, "--executors", "0"], capture_output=True, text=True)
    check("bad flag value is a one-line error, exit 2", p.returncode == 2 and p.stderr.count("\n") == 1
          and p.stderr.startswith("Error:"), p.stderr)
    p = subprocess.run([BIN, "run", "-X", "no.such.key=1"], capture_output=True, text=True)
    check("unknown -X key is rejected", p.returncode == 2 and "unknown configuration key" in p.stderr, p.stderr)
    p = subprocess.run([BIN, "run", "-X", "kafka.no.such.property=1", "--brokers", BROKERS], capture_output=True,
                       text=True, timeout=30)
    check("unknown librdkafka property is a start-up error", p.returncode == 2 and "kafka.no.such.property" in p.stderr,
          p.stderr)
    env = dict(os.environ, CODEWORKER_JOBS_TOPIC="from-env", CODEWORKER_GROUP="g-env")
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("# comment\ngroup = g-file\nqueue.max = 17\n")
        conf = f.name
    p = subprocess.run([BIN, "run", "-c", conf, "--queue-max", "5", "-X", "list"], capture_output=True, text=True,
                       env=env)
    os.unlink(conf)
    vals = {l.split("=")[0].strip(): l.split("=")[1].split("#")[0].strip() for l in p.stdout.splitlines() if "=" in l}
    check("precedence: flag > file > environment > default",
          vals.get("queue.max") == "5" and vals.get("group") == "g-file" and vals.get("jobs.topic") == "from-env"
          and vals.get("results.topic") == "execute-code.results", vals)
    p = subprocess.run([BIN, "run", "--brokers", BROKERS, "-X", "kafka.enable.idempotence=false"], capture_output=True,
                       text=True, timeout=30)
    check("a kafka.* key the delivery guarantees depend on is refused at start-up (exit 2, one line)",
          p.returncode == 2 and p.stderr.count("\n") == 1 and "kafka.enable.idempotence" in p.stderr, p.stderr)
    w = start_worker(t, executors=1)
    wait_log(w, "partitions assigned")
    submit(t, [job(i, "m") for i in range(20)])
    kcat_read(t.results, expect_keys=20, timeout=60)
    log = open(w.logpath).read()
    port = json.loads([l for l in log.splitlines() if '"worker started"' in l][0])["metricsPort"]
    import urllib.request
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read().decode()
    check("/metrics counts results by code", 'codeworker_jobs_total{result="SUCCESS"} 20' in body, body[:400])
    check("/metrics has histograms and lag", "codeworker_execution_ms_bucket" in body and "codeworker_partition_lag" in body)
    check("/healthz says ok", json.loads(health)["status"] == "ok", health)
    stop(w)


def test_reply_topic_and_own_client():
    t = Topics("reply")
    allowed = t.jobs.replace(".jobs", ".replies-ok")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([os.path.join(root, "deploy/local/kafka.sh"), "create-topic", allowed, "1"],
                   capture_output=True, timeout=120)
    pattern = "^it[0-9a-f]+-reply\\.replies-ok$"
    w = start_worker(t, extra=["-X", "reply.topic.pattern=" + pattern])
    check("reply: worker started", wait_log(w, "partitions assigned"), open(w.logpath).read()[-400:])
    # our own client: submit --wait reads the result back
    p = subprocess.run([BIN, "submit", "--code", "output = input.x + 1", "--input", '{"x": 41}', "--wait",
                        "--brokers", BROKERS, "--jobs-topic", t.jobs, "--results-topic", t.results,
                        "--wait-timeout", "60"], capture_output=True, text=True, timeout=90)
    r = json.loads(p.stdout) if p.stdout.strip() else {}
    check("submit --wait prints the result (our own consumer)", p.returncode == 0 and r.get("output") == 42,
          p.stdout[:300] + p.stderr[-300:])
    longid = "long-" + "x" * 250  # "success" lies past the first 256 bytes of its result
    p = subprocess.run([BIN, "submit", "-", "--wait", "--brokers", BROKERS, "--jobs-topic", t.jobs,
                        "--results-topic", t.results, "--wait-timeout", "60"],
                       input=json.dumps({"jobId": longid, "code": "output = 1"}) + "\n", capture_output=True, text=True,
                       timeout=90)
    check("submit --wait: a success with a long jobId counts as a success (exit 0)", p.returncode == 0,
          (p.returncode, p.stdout[:120], p.stderr[-200:]))
    submit(t, [json.dumps({"jobId": "to-reply", "code": "output = 1", "replyTopic": allowed}),
               json.dumps({"jobId": "not-allowed", "code": "output = 2", "replyTopic": "somewhere.else"})])
    rep = results_by_key(kcat_read(allowed, expect_keys=1, timeout=60))
    res = results_by_key(kcat_read(t.results, expect_keys=2, timeout=60))
    check("reply: a replyTopic matching the pattern is honoured", "to-reply" in rep and "to-reply" not in res,
          (list(rep), list(res)))
    check("reply: a replyTopic not matching the pattern is ignored", "not-allowed" in res, list(res))
    stop(w)


TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TP2 = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"


def kcat_json(topic, timeout=60):
    """Every record of `topic` as kcat's JSON envelope, headers as a dict."""
    p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J",
                        "-X", "isolation.level=read_committed"], capture_output=True, timeout=timeout)
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        env = json.loads(line)
        h = env.get("headers") or []
        env["headers"] = {h[i]: h[i + 1] for i in range(0, len(h) - 1, 2)}
        out.append(env)
    return out


def test_trace_context(mode):
    """W3C trace context from the job message's headers (or its fields) to
    the result's headers, the ActionExecutionLog row and dead letters."""
    t = Topics("trace-" + mode[:4])
    w = start_worker(t, extra=["--delivery", mode])
    check(f"trace ({mode}): worker started", wait_log(w, "partitions assigned"), open(w.logpath).read()[-400:])
    msgs = [  # (jobId or label, headers, body)
        ("hdr", ["traceparent=" + TP, "tracestate=rojo=00f067aa0ba902b7"], {"jobId": "hdr", "code": "output = 1"}),
        ("field", [], {"jobId": "field", "code": "output = 2", "traceparent": TP2, "tracestate": "congo=t61rcWkgMzE"}),
        ("both", ["traceparent=" + TP], {"jobId": "both", "code": "output = 3", "traceparent": TP2}),
        ("bad-hdr", ["traceparent=00-" + "0" * 32 + "-00f067aa0ba902b7-01", "tracestate=x=1"],
         {"jobId": "bad-hdr", "code": "output = 4"}),
        ("state-only", ["tracestate=x=1"], {"jobId": "state-only", "code": "output = 5"}),
        ("bad-field", [], {"jobId": "bad-field", "code": "output = 6", "traceparent": "00-nope"}),
        ("crash", ["traceparent=" + TP], {"jobId": "crash", "code": "while (true) {}", "timeout": 1}),
        ("none", [], {"jobId": "none", "code": "output = 7"}),
    ]
    for label, hdrs, body in msgs:
        args = ["kcat", "-b", BROKERS, "-P", "-t", t.jobs, "-k", body["jobId"]]
        for h in hdrs:
            args += ["-H", h]
        p = subprocess.run(args, input=json.dumps(body).encode(), capture_output=True, timeout=60)
        check(f"trace ({mode}): produced {label}", p.returncode == 0, p.stderr)
    # a dead letter: no readable jobId, but a trace context header
    p = subprocess.run(["kcat", "-b", BROKERS, "-P", "-t", t.jobs, "-H", "traceparent=" + TP2], input=b"not json",
                       capture_output=True, timeout=60)
    kcat_read(t.results, expect_keys=len(msgs), timeout=90)
    by = {}
    for env in kcat_json(t.results):
        by.setdefault(env["key"], []).append(env)
    check(f"trace ({mode}): one result per job", sorted(by) == sorted(m[0] for m in msgs)
          and all(len(v) == 1 for v in by.values()), {k: len(v) for k, v in by.items()})

    def trace_of(key):
        env = by.get(key, [{}])[0]
        doc = json.loads(env.get("payload") or "{}")
        log = doc.get("actionExecutionLog") or {}
        h = env.get("headers") or {}
        return h.get("traceparent"), h.get("tracestate"), log.get("TraceParent"), log.get("TraceState"), doc

    want = {"hdr": (TP, "rojo=00f067aa0ba902b7"), "field": (TP2, "congo=t61rcWkgMzE"), "both": (TP, None),
            "bad-hdr": (None, None), "state-only": (None, None), "bad-field": (None, None), "crash": (TP, None),
            "none": (None, None)}
    for key, (tp, ts) in want.items():
        htp, hts, ltp, lts, doc = trace_of(key)
        check(f"trace ({mode}): {key} -> result headers and audit row carry {tp}/{ts}",
              (htp, hts, ltp, lts) == (tp, ts, tp, ts), (htp, hts, ltp, lts))
    check(f"trace ({mode}): a malformed traceparent field is INVALID_REQUEST naming it",
          trace_of("bad-field")[4].get("resultCode") == "INVALID_REQUEST"
          and "traceparent" in (trace_of("bad-field")[4].get("error") or {}).get("message", ""), trace_of("bad-field")[4])
    check(f"trace ({mode}): a job that timed out keeps its header's trace context",
          trace_of("crash")[4].get("resultCode") == "TIMEOUT", trace_of("crash")[4].get("resultCode"))
    deadline = time.time() + 30
    dlq = kcat_json(t.dlq)
    while not dlq and time.time() < deadline:
        time.sleep(1)
        dlq = kcat_json(t.dlq)
    check(f"trace ({mode}): the dead letter carries the message's traceparent",
          len(dlq) == 1 and dlq[0]["headers"].get("traceparent") == TP2, [d.get("headers") for d in dlq])
    validate_all("result", [json.loads(v[0]["payload"]) for v in by.values()], f"trace ({mode}): results")
    validate_all("dlq", [d["headers"] for d in dlq], f"trace ({mode}): dead-letter headers")
    if mode == "exactly-once":  # replay a Kafka result: the job from the jobs topic, and from the audit row's Params
        payload = by.get("hdr", [{}])[0].get("payload") or "{}"
        for how, extra in (("--from-kafka", ["--from-kafka", "--brokers", BROKERS]), ("Params", [])):
            p = subprocess.run([BIN, "replay", "-", *extra], input=payload, capture_output=True, text=True, timeout=90)
            check(f"trace: codeworker replay of a Kafka result, job from {how}: identical",
                  p.returncode == 0 and "identical" in p.stderr and json.loads(p.stdout or "{}").get("output") == 1,
                  p.stderr[-300:])
    if mode == "exactly-once":  # our own client sets the header
        p = subprocess.run([BIN, "submit", "--code", "output = 8", "--wait", "--traceparent", TP2, "--tracestate", "a=b",
                            "--brokers", BROKERS, "--jobs-topic", t.jobs, "--results-topic", t.results,
                            "--wait-timeout", "60"], capture_output=True, text=True, timeout=90)
        r = json.loads(p.stdout) if p.stdout.strip() else {}
        log = r.get("actionExecutionLog") or {}
        check("trace: submit --traceparent/--tracestate reach the result", p.returncode == 0
              and (log.get("TraceParent"), log.get("TraceState")) == (TP2, "a=b"), p.stdout[:300] + p.stderr[-300:])
        p = subprocess.run([BIN, "submit", "--code", "1", "--traceparent", "00-xyz", "--brokers", BROKERS],
                           capture_output=True, text=True, timeout=30)
        check("trace: submit refuses a malformed --traceparent (exit 2)", p.returncode == 2 and "traceparent" in p.stderr,
              p.stderr)
    stop(w)


def cancel(t, *ids, reason=None):
    args = [BIN, "cancel", *ids, "--brokers", BROKERS, "--cancel-topic", t.cancel]
    if reason:
        args += ["--reason", reason]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_cancel(mode):
    """Cancellation: a job cancelled before it runs never runs; a running
    one (bytecode, or a native computation) stops at once with its logs;
    a job whose Kafka key is not its jobId is caught at START; a cancel for
    an unknown or finished job changes nothing; exactly one result each."""
    t = Topics("cancel-" + mode[:4])
    w = start_worker(t, executors=3, extra=["--delivery", mode])  # run-1, native-1 and nokey-1 at once
    check(f"cancel ({mode}): worker started", wait_log(w, "partitions assigned"), open(w.logpath).read()[-400:])
    p = cancel(t, "pre-1", reason="the agent gave up")
    check(f"cancel ({mode}): codeworker cancel exits 0", p.returncode == 0, p.stderr)
    cancel(t, "nokey-1")
    # the worker has read both cancel records before the jobs arrive
    check(f"cancel ({mode}): the worker read the cancel records",
          wait_log(w, '"jobId":"pre-1"') and wait_log(w, '"jobId":"nokey-1"'), open(w.logpath).read()[-400:])
    submit(t, [json.dumps({"jobId": "pre-1", "code": "console.log('ran'); output = 1"}),
               json.dumps({"jobId": "done-1", "code": "output = 'finished'"}),
               json.dumps({"jobId": "run-1", "code": "console.log('started'); while (true) {}", "timeout": 60}),
               json.dumps({"jobId": "native-1", "code": "console.log('matching'); output = /^(a+)+\\1$/.test('a'.repeat(40) + 'b')",
                           "timeout": 60})])
    p = subprocess.run(["kcat", "-b", BROKERS, "-P", "-t", t.jobs],  # no key: found by its parsed jobId at START
                       input=json.dumps({"jobId": "nokey-1", "code": "console.log('nokey'); while (true) {}",
                                         "timeout": 60}).encode(), capture_output=True, timeout=60)
    # Wait until two executors are busy (run-1 and native-1; nokey-1 ends at
    # its START), read from /metrics: in exactly-once mode no result is
    # visible yet, since the running jobs hold back their partitions'
    # transactions.
    import urllib.request
    log = open(w.logpath).read()
    port = json.loads([l for l in log.splitlines() if '"worker started"' in l][0])["metricsPort"]
    end, busy = time.time() + 60, 0
    while time.time() < end and busy < 2:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        busy = int(([l.split()[1] for l in body.splitlines() if l.startswith("codeworker_executors_busy ")] or ["0"])[0])
        time.sleep(0.2)
    time.sleep(0.5)
    check(f"cancel ({mode}): run-1 and native-1 are running", busy >= 2, busy)
    t0 = time.time()
    cancel(t, "run-1", "native-1", reason="user left")
    cancel(t, "done-1", "no-such-job")
    recs = kcat_read(t.results, expect_keys=5, timeout=60)
    took = time.time() - t0
    by = {}
    for k, v in results_by_key(recs).items():
        by[k] = [json.loads(x) for x in v]
    check(f"cancel ({mode}): exactly one result per job", sorted(by) == ["done-1", "native-1", "nokey-1", "pre-1", "run-1"]
          and all(len(v) == 1 for v in by.values()), {k: len(v) for k, v in by.items()})
    r = {k: v[0] for k, v in by.items()}

    def code(k):
        return r.get(k, {}).get("resultCode")

    def msg(k):
        return (r.get(k, {}).get("error") or {}).get("message", "")

    def logs(k):
        return [e["message"] for e in r.get(k, {}).get("logs") or []]

    check(f"cancel ({mode}): cancelled before it ran -> CANCELLED, never ran (no logs)",
          code("pre-1") == "CANCELLED" and "before it ran" in msg("pre-1") and logs("pre-1") == [], r.get("pre-1"))
    check(f"cancel ({mode}): the audit row says why",
          (r.get("pre-1", {}).get("actionExecutionLog") or {}).get("Message") == "Execution cancelled: the agent gave up"
          and (r.get("run-1", {}).get("actionExecutionLog") or {}).get("Message") == "Execution cancelled: user left",
          [(r.get(k, {}).get("actionExecutionLog") or {}).get("Message") for k in ("pre-1", "run-1")])
    check(f"cancel ({mode}): a running job stops as CANCELLED with its logs, long before its 60 s timeout",
          code("run-1") == "CANCELLED" and "while it ran" in msg("run-1") and logs("run-1") == ["started"]
          and r["run-1"]["executionTimeMs"] < 30000, (r.get("run-1"), took))
    check(f"cancel ({mode}): a job inside a native computation (backtracking regex) stops too",
          code("native-1") == "CANCELLED" and logs("native-1") == ["matching"], r.get("native-1"))
    check(f"cancel ({mode}): a job published without its jobId as key is caught when it starts",
          code("nokey-1") == "CANCELLED" and logs("nokey-1") in ([], ["nokey"]), r.get("nokey-1"))
    check(f"cancel ({mode}): a cancel after the result, or for an unknown job, changes nothing",
          code("done-1") == "SUCCESS" and r["done-1"].get("output") == "finished", r.get("done-1"))
    validate_all("result", list(r.values()), f"cancel ({mode}): results")
    # the worker goes on: a job after all that runs normally, and the log says what happened
    submit(t, [json.dumps({"jobId": "after-1", "code": "output = 2"})])
    after = results_by_key(kcat_read(t.results, expect_keys=6, timeout=60)).get("after-1", [])
    check(f"cancel ({mode}): the worker keeps working", len(after) == 1 and json.loads(after[0])["output"] == 2, after)
    text = open(w.logpath).read()
    check(f"cancel ({mode}): each cancel is logged with its jobId", all(f'"jobId":"{j}"' in text for j in
                                                                      ("pre-1", "run-1", "native-1", "no-such-job")),
          text[-600:])
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    check(f"cancel ({mode}): /metrics counts cancels, stops and CANCELLED results",
          "codeworker_cancel_records_total 6" in body and "codeworker_cancel_stops_total 2" in body
          and 'codeworker_jobs_total{result="CANCELLED"} 4' in body,
          [l for l in body.splitlines() if "cancel" in l.lower()])
    stop(w)


def test_cancel_unhonoured():
    """The fallback behind an executor that does not answer a cancel: it
    is stopped (SIGSTOP, so it cannot see the request), the supervisor kills
    it after the 50 ms grace and writes the CANCELLED result itself, with
    the lines recovered from its log region; a fresh executor takes the
    next job."""
    import urllib.request
    t = Topics("cancel-kill")
    w = start_worker(t, executors=1, extra=["--delivery", "at-least-once"])
    check("cancel (unhonoured): worker started", wait_log(w, "partitions assigned"), open(w.logpath).read()[-400:])
    log = open(w.logpath).read()
    port = json.loads([l for l in log.splitlines() if '"worker started"' in l][0])["metricsPort"]

    def metric(name):
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        return int(float(([l.split()[1] for l in body.splitlines() if l.startswith(name + " ")] or ["0"])[0]))

    submit(t, [json.dumps({"jobId": "deaf-1", "code": "console.log('before'); console.warn('stopped'); while (true) {}",
                           "timeout": 60})])
    end = time.time() + 60
    while time.time() < end and metric("codeworker_executors_busy") < 1:
        time.sleep(0.2)
    time.sleep(0.5)  # the two lines are in the log region
    execs = children(w.pid)
    check("cancel (unhonoured): one executor runs the job", len(execs) == 1, execs)
    kills0 = metric("codeworker_executor_kills_total")
    for pid in execs:
        os.kill(pid, signal.SIGSTOP)
    t0 = time.time()
    cancel(t, "deaf-1", reason="gave up")
    recs = kcat_read(t.results, expect_keys=1, timeout=60)
    took = time.time() - t0
    by = {k: [json.loads(x) for x in v] for k, v in results_by_key(recs).items()}
    r = (by.get("deaf-1") or [{}])[0]
    check("cancel (unhonoured): exactly one result", list(by) == ["deaf-1"] and len(by["deaf-1"]) == 1,
          {k: len(v) for k, v in by.items()})
    check("cancel (unhonoured): the supervisor's CANCELLED result carries the recovered lines",
          r.get("resultCode") == "CANCELLED" and [e.get("message") for e in r.get("logs") or []] == ["before", "stopped"]
          and r.get("logsRecovered") is True, r)
    check("cancel (unhonoured): it came long before the job's 60 s timeout", took < 30, took)
    check("cancel (unhonoured): the executor was killed (counted), not waited for",
          metric("codeworker_executor_kills_total") == kills0 + 1, (kills0, metric("codeworker_executor_kills_total")))
    check("cancel (unhonoured): the audit row says why",
          (r.get("actionExecutionLog") or {}).get("Message") == "Execution cancelled: gave up", r.get("actionExecutionLog"))
    validate_all("result", [r], "cancel (unhonoured): result")
    submit(t, [json.dumps({"jobId": "after-2", "code": "output = 3"})])
    after = results_by_key(kcat_read(t.results, expect_keys=2, timeout=60)).get("after-2", [])
    check("cancel (unhonoured): a fresh executor takes the next job",
          len(after) == 1 and json.loads(after[0]).get("output") == 3 and children(w.pid) != execs, after)
    stop(w)


def test_live_logs(mode):
    """logs.topic: the console lines of a running job are published while
    it runs (keyed by jobId, in order, an end record per attempt), and
    `codeworker submit --wait --follow` prints them before the result."""
    import threading
    import urllib.request
    t = Topics("logs-" + mode[:4])
    logs_topic = t.jobs.replace(".jobs", ".logs")
    w = start_worker(t, executors=2, extra=["--delivery", mode, "-X", "logs.topic=" + logs_topic,
                                            "-X", "logs.interval.ms=50"])
    check(f"live logs ({mode}): worker started", wait_log(w, "partitions assigned"), open(w.logpath).read()[-400:])
    slow = ("console.log('one'); console.warn('two', {n: 2}); const t0 = Date.now(); while (Date.now() - t0 < 1500) {} "
            "console.error('three'); output = 1")
    submit(t, [json.dumps({"jobId": "slow-1", "code": slow, "timeout": 20}),
               json.dumps({"jobId": "quiet-1", "code": "output = 2"}),
               json.dumps({"jobId": "loops-1", "code": "console.log('looping'); while (true) {}", "timeout": 1})])
    recs = kcat_read(t.results, expect_keys=3, timeout=90)
    res = {k: json.loads(v[0]) for k, v in results_by_key(recs).items()}
    check(f"live logs ({mode}): the three results", sorted(res) == ["loops-1", "quiet-1", "slow-1"], sorted(res))
    time.sleep(1)
    p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", logs_topic, "-o", "beginning", "-e", "-q", "-J"],
                       capture_output=True, timeout=60)
    envs = [json.loads(l) for l in p.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
    by = {}
    for env in envs:
        by.setdefault(env["key"], []).append((env["ts"], json.loads(env["payload"])))
    slow_recs = sorted(by.get("slow-1", []), key=lambda r: r[1]["seq"])
    lines = [e["message"] for _, r in slow_recs for e in r["logs"]]
    check(f"live logs ({mode}): the slow job's lines, in order, equal its result's logs",
          lines == [e["message"] for e in res.get("slow-1", {}).get("logs", [])] == ["one", "two {\"n\":2}", "three"],
          (lines, res.get("slow-1", {}).get("logs")))
    check(f"live logs ({mode}): numbered from 0 without gaps, one end record last, saying SUCCESS",
          [r["seq"] for _, r in slow_recs] == list(range(len(slow_recs))) and len(slow_recs) >= 2
          and [r.get("end") for _, r in slow_recs].count(True) == 1 and slow_recs[-1][1].get("end") is True
          and slow_recs[-1][1].get("resultCode") == "SUCCESS", [r for _, r in slow_recs])
    first_ts = slow_recs[0][0] if slow_recs else 0
    end_ts = slow_recs[-1][0] if slow_recs else 0
    check(f"live logs ({mode}): the first lines were published while the job still ran (>= 1 s before its end)",
          slow_recs and slow_recs[0][1]["logs"] and [e["message"] for e in slow_recs[0][1]["logs"]][0] == "one"
          and end_ts - first_ts >= 1000, (first_ts, end_ts))
    loops = by.get("loops-1", [])
    check(f"live logs ({mode}): a job that times out streams its line and an end record saying TIMEOUT",
          [e["message"] for _, r in loops for e in r["logs"]] == ["looping"]
          and any(r.get("end") and r.get("resultCode") == "TIMEOUT" for _, r in loops), [r for _, r in loops])
    quiet = by.get("quiet-1", [])
    check(f"live logs ({mode}): a job that logs nothing has only its end record",
          len(quiet) == 1 and quiet[0][1]["logs"] == [] and quiet[0][1].get("end") is True, quiet)
    validate_all("logs", [r for v in by.values() for _, r in v], f"live logs ({mode}): records")
    if mode == "exactly-once":
        # submit --wait --follow: the lines on stderr while the job runs, the result on stdout
        proc = subprocess.Popen([BIN, "submit", "--code", slow, "--wait", "--follow", "--brokers", BROKERS,
                                 "--jobs-topic", t.jobs, "--results-topic", t.results, "--logs-topic", logs_topic,
                                 "--wait-timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []

        def reader():
            for line in proc.stderr:
                seen.append((time.time(), line.rstrip("\n")))
        th = threading.Thread(target=reader)
        th.start()
        out = proc.stdout.read()
        proc.wait(timeout=90)
        th.join(timeout=10)
        done = time.time()
        follow = [l for _, l in seen if l.startswith("[")]
        one = [ts for ts, l in seen if l.endswith("] log: one")]
        check("live logs: submit --wait --follow prints the lines as [jobId] level: message",
              len(follow) == 3 and follow[0].endswith("] log: one") and follow[1].endswith('] warn: two {"n":2}')
              and follow[2].endswith("] error: three"), seen)
        check("live logs: the first line arrived while the job ran (>= 1 s before the command ended)",
              one and done - one[0] >= 1.0, (one, done))
        r = json.loads(out) if out.strip() else {}
        check("live logs: the result is on stdout and the exit status 0", proc.returncode == 0 and r.get("output") == 1,
              (proc.returncode, out[:300]))
        p = subprocess.run([BIN, "submit", "--code", "1", "--follow", "--brokers", BROKERS], capture_output=True,
                           text=True, timeout=30)
        check("live logs: --follow without --wait is refused (exit 2)", p.returncode == 2 and "--wait" in p.stderr,
              p.stderr)
    log = open(w.logpath).read()
    port = json.loads([l for l in log.splitlines() if '"worker started"' in l][0])["metricsPort"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    sent = int(([l.split()[1] for l in body.splitlines() if l.startswith("codeworker_log_records_total ")] or ["0"])[0])
    dropped = ([l.split()[1] for l in body.splitlines() if l.startswith("codeworker_log_records_dropped_total ")]
               or ["?"])[0]
    check(f"live logs ({mode}): /metrics counts the records delivered, none dropped", sent >= len(envs) and dropped == "0",
          (sent, dropped, len(envs)))
    stop(w)


def main():
    try:
        test_reply_topic_and_own_client()
        test_trace_context("exactly-once")
        test_trace_context("at-least-once")
        test_cancel("exactly-once")
        test_cancel("at-least-once")
        test_cancel_unhonoured()
        test_live_logs("exactly-once")
        test_live_logs("at-least-once")
        test_metrics_and_config()
        test_malformed()
        test_two_workers()
        test_sigterm_handover()
        test_poison_pill()
        test_kill9("exactly-once")
        test_kill9("at-least-once")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
