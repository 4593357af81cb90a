#!/usr/bin/env python3
"""Cancellation latency through a real broker: how long a running job takes
to stop once its worker has read the cancel record, and how long from
`codeworker cancel` to the CANCELLED result being readable.

For each round a job that never ends on its own (a bytecode loop, or a
backtracking regular expression inside the native matcher) is submitted;
when the worker's /metrics shows it running, `codeworker cancel` is run.
Printed per kind: the median and maximum of
  * stop: the worker's "cancel received" log time -> the result's endedAt
    (both on the worker's clock: the time the job took to stop), and
  * end to end: the cancel command started -> the result read by kcat.

Usage: bench_cancel.py BIN_DIR [--rounds N] [--brokers HOST:PORT]
Needs a broker (deploy/local/kafka.sh start) and kcat.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
import urllib.request


def iso_ms(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bindir")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--brokers", default="127.0.0.1:9092")
    a = ap.parse_args()
    binp = os.path.join(a.bindir, "codeworker")
    tag = f"bc{random.randrange(1 << 30):x}"
    topics = {k: f"{tag}.{k}" for k in ("jobs", "results", "dlq", "cancel")}
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    w = subprocess.Popen([binp, "run", "--brokers", a.brokers, "--jobs-topic", topics["jobs"],
                          "--results-topic", topics["results"], "--dlq-topic", topics["dlq"],
                          "--cancel-topic", topics["cancel"], "--group", tag + ".g", "--partitions", "1",
                          "--executors", "1", "--metrics-port", "0", "--delivery", "at-least-once"],
                         stdout=subprocess.DEVNULL, stderr=log)
    try:
        end = time.time() + 60
        while time.time() < end and '"worker started"' not in open(log.name).read():
            time.sleep(0.2)
        port = json.loads([l for l in open(log.name).read().splitlines() if '"worker started"' in l][0])["metricsPort"]
        kinds = {"bytecode loop": "console.log('x'); while (true) {}",
                 "native regex": "console.log('x'); /^(a+)+\\1$/.test('a'.repeat(40) + 'b')"}
        out = {}
        for kind, code in kinds.items():
            stops, e2e = [], []
            for i in range(a.rounds):
                jid = f"{tag}-{kind[:3]}-{i}"
                subprocess.run([binp, "submit", "-", "--brokers", a.brokers, "--jobs-topic", topics["jobs"]],
                               input=json.dumps({"jobId": jid, "code": code, "timeout": 60}), text=True,
                               capture_output=True, timeout=60)
                busy, end = 0, time.time() + 30
                while busy < 1 and time.time() < end:
                    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
                    busy = int([l.split()[1] for l in body.splitlines() if l.startswith("codeworker_executors_busy ")][0])
                    time.sleep(0.05)
                time.sleep(0.2)
                t0 = time.time()
                subprocess.run([binp, "cancel", jid, "--brokers", a.brokers, "--cancel-topic", topics["cancel"]],
                               capture_output=True, timeout=60)
                doc = None
                while doc is None and time.time() < t0 + 30:
                    p = subprocess.run(["kcat", "-b", a.brokers, "-C", "-t", topics["results"], "-o", "beginning",
                                        "-e", "-q", "-f", "%k\t%s\n"], capture_output=True, text=True, timeout=60)
                    for line in p.stdout.splitlines():
                        k, _, v = line.partition("\t")
                        if k == jid:
                            doc = json.loads(v)
                t1 = time.time()
                if not doc or doc.get("resultCode") != "CANCELLED":
                    print(f"{jid}: not CANCELLED: {doc and doc.get('resultCode')}")
                    continue
                got = [json.loads(l) for l in open(log.name).read().splitlines()
                       if '"cancel received"' in l and f'"{jid}"' in l]
                stops.append(iso_ms(doc["endedAt"]) - iso_ms(got[0]["ts"]))
                e2e.append((t1 - t0) * 1000)
            out[kind] = (stops, e2e)
        print(f"{'job':16} {'rounds':>6} {'stop median':>12} {'stop max':>9} {'end-to-end median':>18} {'e2e max':>8}")
        for kind, (stops, e2e) in out.items():
            if stops:
                print(f"{kind:16} {len(stops):>6} {statistics.median(stops):>10.1f}ms {max(stops):>7.1f}ms"
                      f" {statistics.median(e2e):>16.0f}ms {max(e2e):>6.0f}ms")
    finally:
        w.terminate()
        w.wait(timeout=60)
        os.unlink(log.name)


if __name__ == "__main__":
    main()
