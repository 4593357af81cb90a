#!/usr/bin/env python3
"""Chaos run: jobs through several workers while processes and the broker die.

  chaos.py BUILD_BIN_DIR [--jobs 20000] [--workers 3] [--delivery exactly-once|at-least-once]
           [--brokers 127.0.0.1:9092] [--max-seconds 900] [--no-broker-restart] [--seed N]

Publishes --jobs jobs, runs --workers `codeworker run` processes in one group
and, at random moments while results arrive: SIGKILLs executors, SIGKILLs a
whole worker and starts a new one, SIGTERMs a worker and starts a new one, and
restarts the broker once (deploy/local/kafka.sh).  Afterwards it reads the
results topic with read_committed twice -- with kcat and with codeworker's own
consumer (`codeworker submit --read`) -- and prints lost, duplicated and total.
Exit 0 when nothing was lost (and, in exactly-once mode, nothing duplicated).
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests"))
from cwtest import check, children, counts, rss_kb, summary  # noqa: E402,F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


BIN = os.path.join(sys.argv[1], "codeworker")
NJOBS = int(arg("--jobs", "20000"))
NWORKERS = int(arg("--workers", "3"))
MODE = arg("--delivery", "exactly-once")
BROKERS = arg("--brokers", "127.0.0.1:9092")
MAX_S = float(arg("--max-seconds", "900"))
RESTART_BROKER = "--no-broker-restart" not in sys.argv
rng = random.Random(int(arg("--seed", str(int(time.time())))))
tag = f"chaos{rng.randrange(1 << 30):x}"
JOBS, RESULTS, DLQ, GROUP = tag + ".jobs", tag + ".results", tag + ".dlq", tag + ".group"
workers = []
events = []




def start_worker():
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    p = subprocess.Popen([BIN, "run", "--brokers", BROKERS, "--jobs-topic", JOBS, "--results-topic", RESULTS,
                          "--dlq-topic", DLQ, "--group", GROUP, "--partitions", "6", "--executors", "1",
                          "--metrics-port", "-1", "--delivery", MODE],
                         stdout=subprocess.DEVNULL, stderr=log)
    p.logpath = log.name
    workers.append(p)
    return p


def live():
    return [w for w in workers if w.poll() is None]




def count_results():
    p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", RESULTS, "-o", "beginning", "-e", "-q",
                        "-X", "isolation.level=read_committed", "-f", "%k\n"], capture_output=True, timeout=300)
    return p.stdout.decode().split()


def own_reader_keys():
    p = subprocess.run([BIN, "submit", "--read", RESULTS, "--brokers", BROKERS], capture_output=True, timeout=300)
    keys = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            keys.append(json.loads(line)["jobId"])
        except (ValueError, KeyError):
            pass
    return keys, p.returncode


def main():
    subprocess.run([os.path.join(ROOT, "deploy/local/kafka.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    for _ in range(NWORKERS):
        start_worker()
    time.sleep(3)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for i in range(NJOBS):
            loop = 20000 if i % 50 == 0 else 2000
            f.write(json.dumps({"jobId": f"c-{i}", "code": f"var s = 0; for (var k = 0; k < {loop}; k++) s += k;"
                                f" output = s + input.i", "inputData": {"i": i}}) + "\n")
        path = f.name
    p = subprocess.run([BIN, "submit", path, "--brokers", BROKERS, "--jobs-topic", JOBS], capture_output=True,
                       text=True, timeout=300)
    os.unlink(path)
    check(f"{NJOBS} jobs submitted", p.returncode == 0, p.stderr)
    t0 = time.time()
    planned = ["kill-executor", "kill-executor", "kill-worker", "term-worker", "kill-executor", "kill-worker"]
    if RESTART_BROKER:
        planned.insert(3, "restart-broker")
    fractions = sorted(rng.uniform(0.05, 0.8) for _ in planned)
    done = 0
    while time.time() - t0 < MAX_S:
        done = len(set(count_results()))
        if planned and done >= fractions[0] * NJOBS:  # one fault per second at most
            what = planned.pop(0)
            fractions.pop(0)
            ws = live()
            if what == "kill-executor" and ws:
                w = rng.choice(ws)
                for k in children(w.pid):
                    os.kill(k, signal.SIGKILL)
            elif what == "kill-worker" and ws:
                w = rng.choice(ws)
                w.kill()
                w.wait()
                start_worker()
            elif what == "term-worker" and ws:
                w = rng.choice(ws)
                w.send_signal(signal.SIGTERM)
                start_worker()
            elif what == "restart-broker":
                subprocess.run([os.path.join(ROOT, "deploy/local/kafka.sh"), "stop"], stdout=subprocess.DEVNULL)
                time.sleep(2)
                subprocess.run([os.path.join(ROOT, "deploy/local/kafka.sh"), "start"], stdout=subprocess.DEVNULL)
            events.append((round(time.time() - t0, 1), what, done))
            print(f"# t={time.time() - t0:.1f}s {what} at {done}/{NJOBS} results")
        if done >= NJOBS and not planned:
            break
        time.sleep(1)
    wall = time.time() - t0
    time.sleep(2)
    keys = count_results()
    uniq = set(keys)
    lost = NJOBS - len({k for k in uniq if k.startswith("c-")})
    dup = len(keys) - len(uniq)
    print(f"# {MODE}: {NJOBS} jobs, {NWORKERS} workers, {len(events)} faults, {wall:.0f} s: "
          f"lost {lost}, duplicated {dup}, total {len(keys)} (kcat, read_committed)")
    check("kcat (read_committed): no job lost", lost == 0, lost)
    if MODE == "exactly-once":
        check("kcat (read_committed): no duplicate", dup == 0, dup)
    own, rc = own_reader_keys()
    own_lost = NJOBS - len(set(own))
    own_dup = len(own) - len(set(own))
    print(f"# codeworker's own reader: lost {own_lost}, duplicated {own_dup}, total {len(own)}")
    check("own reader (read_committed): no job lost", own_lost == 0 and rc == 0, (own_lost, rc))
    if MODE == "exactly-once":
        check("own reader (read_committed): no duplicate", own_dup == 0, own_dup)
    for w in live():
        w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=60)
        except subprocess.TimeoutExpired:
            w.kill()
    return summary()


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
