#!/usr/bin/env python3
"""Fault injection a live broker cannot do on cue, against librdkafka's mock
cluster (`codeworker run --brokers mock -X mock.inject=...`).

Usage: test_mock_faults.py BUILD_BIN_DIR
The mock cluster listens on loopback; the test reads its address from the
worker's start-up log line and talks to it with kcat.  The mock does not
implement transactional visibility, so these tests check recovery (every job
answered, the worker keeps going or exits as designed), not read_committed
exactness -- that is proven against the real broker (test_worker.py, chaos.py).
Prints PASS/FAIL lines and a closing "N passed, N failed" line.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, children, counts, rss_kb, summary  # noqa: E402,F401

BIN = os.path.join(sys.argv[1], "codeworker")




def start(inject, delivery="exactly-once"):
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    p = subprocess.Popen([BIN, "run", "--brokers", "mock", "--executors", "1", "--metrics-port", "-1",
                          "--partitions", "2", "--delivery", delivery, "-X", "mock.inject=" + inject],
                         stdout=subprocess.DEVNULL, stderr=log)
    p.logpath = log.name
    end = time.time() + 30
    boot = None
    while time.time() < end and boot is None:
        for line in open(log.name):
            if '"worker started"' in line:
                boot = json.loads(line)["brokers"]
        time.sleep(0.1)
    while time.time() < end and "partitions assigned" not in open(log.name).read():
        time.sleep(0.1)
    return p, boot


def produce(boot, n, tag):
    data = "".join(json.dumps({"jobId": f"{tag}-{i}", "code": f"output = {i} * 2"}) + "\n" for i in range(n))
    return subprocess.run(["kcat", "-b", boot, "-P", "-t", "execute-code.jobs"], input=data.encode(),
                          capture_output=True, timeout=60)


def results(boot, want, timeout=60):
    end = time.time() + timeout
    keys = []
    while time.time() < end:
        p = subprocess.run(["kcat", "-b", boot, "-C", "-t", "execute-code.results", "-o", "beginning", "-e", "-q",
                            "-f", "%k\n"], capture_output=True, timeout=60)
        keys = p.stdout.decode().split()
        if len(set(keys)) >= want:
            break
        time.sleep(0.5)
    return keys


def log_of(p):
    return open(p.logpath).read()


def scenario(name, inject, n=200, delivery="exactly-once", expect_exit=None, log_text=None):
    p, boot = start(inject, delivery)
    check(f"{name}: worker up on the mock cluster", boot is not None and p.poll() is None, log_of(p)[-400:])
    if boot is None:
        p.kill()
        return
    # a first batch reaches the injection point, a second one meets the faults
    r = produce(boot, n, name)
    end = time.time() + 30
    while time.time() < end and "injecting request errors" not in log_of(p):
        time.sleep(0.1)
    r2 = produce(boot, n, name + "-b")
    n *= 2
    check(f"{name}: jobs produced", r.returncode == 0 and r2.returncode == 0, r.stderr + r2.stderr)
    if expect_exit is not None:
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        check(f"{name}: worker exits with status {expect_exit}", rc == expect_exit, log_of(p)[-600:])
    else:
        keys = results(boot, n)
        missing = n - len({k for k in keys if k.startswith(name + "-")})
        print(f"# {name}: {n} jobs, {len(set(keys))} answered, {len(keys) - len(set(keys))} extra records "
              f"(aborted transactions stay visible on the mock)")
        check(f"{name}: every job answered after the faults", missing == 0, missing)
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        check(f"{name}: worker still drains and exits 0", rc == 0, log_of(p)[-600:])
    if log_text:
        check(f"{name}: log shows '{log_text}'", log_text in log_of(p), log_of(p)[-800:])
    check(f"{name}: the injection fired", "injecting request errors" in log_of(p), log_of(p)[-400:])
    if p.poll() is None:
        p.kill()


def main():
    scenario("produce-retriable", "Produce@50:NOT_ENOUGH_REPLICAS,NOT_ENOUGH_REPLICAS,NOT_ENOUGH_REPLICAS,"
             "REQUEST_TIMED_OUT", delivery="at-least-once")
    scenario("coordinator-moved", "FindCoordinator@50:COORDINATOR_NOT_AVAILABLE,COORDINATOR_NOT_AVAILABLE;"
             "EndTxn@50:NOT_COORDINATOR,COORDINATOR_LOAD_IN_PROGRESS")
    scenario("offsets-abortable", "TxnOffsetCommit@50:GROUP_AUTHORIZATION_FAILED", log_text="transaction aborted")
    scenario("partitions-abortable", "AddPartitionsToTxn@50:TOPIC_AUTHORIZATION_FAILED", log_text="transaction aborted")
    scenario("fenced", "EndTxn@50:PRODUCER_FENCED", expect_exit=1, log_text="fatal transactional error")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
