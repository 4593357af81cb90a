#!/usr/bin/env python3
"""End-to-end tests of `codeworker exec` through the real executor pool.

Usage: test_exec.py BUILD_BIN_DIR [--quick] [--sanitized]

--quick runs fewer consecutive jobs; --sanitized (ASan/UBSan builds) also
lets non-deadline cases take 5x longer and skips the RSS check, which ASan's
quarantine makes meaningless (LeakSanitizer checks leaks there instead).
Deadline cases keep their bound: timeout + 1 s is a product guarantee.
Prints one PASS/FAIL line per check and a closing "N passed, N failed" line;
exits 1 if anything failed.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES, RAW_BAD_LINES, job_line  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
QUICK = "--quick" in sys.argv or "--sanitized" in sys.argv
SANITIZED = "--sanitized" in sys.argv




def run_exec(lines, executors=2, timeout=300, extra=()):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        p = subprocess.run([BIN, "exec", "--jobs", path, "--executors", str(executors), *extra],
                           capture_output=True, text=True, timeout=timeout)
    finally:
        os.unlink(path)
    return p


def test_cases():
    lines = [job_line(cid, fields) for cid, fields, *_ in CASES] + RAW_BAD_LINES + [""]
    t0 = time.monotonic()
    p = run_exec(lines)
    wall = time.monotonic() - t0
    check("exec --jobs exits 0", p.returncode == 0, f"rc={p.returncode} stderr={p.stderr[-500:]}")
    out = p.stdout.splitlines()
    check("one result line per job line", len(out) == len(CASES) + len(RAW_BAD_LINES),
          f"{len(out)} lines for {len(CASES) + len(RAW_BAD_LINES)} jobs")
    results = []
    for line in out:
        try:
            results.append(json.loads(line))
        except ValueError as e:
            check("result is JSON", False, f"{e}: {line[:200]}")
            results.append({})
    for (cid, fields, code, extra, max_s), r in zip(CASES, results):
        name = f"case {cid}"
        if r.get("jobId") != cid:
            check(name, False, f"out of order: got jobId {r.get('jobId')!r}")
            continue
        if r.get("resultCode") != code:
            check(name, False, f"resultCode {r.get('resultCode')} != {code}; error={r.get('error')}")
            continue
        if (code == "SUCCESS") != r.get("success") or (r.get("errorType") is None) != (code == "SUCCESS"):
            check(name, False, "success/errorType disagree with resultCode")
            continue
        if max_s > 2.0 and SANITIZED:
            max_s *= 5
        if r.get("executionTimeMs", 0) > max_s * 1000:
            check(name, False, f"took {r['executionTimeMs']} ms, bound {max_s * 1000} ms")
            continue
        try:
            ok = extra is None or extra(r)
        except Exception as e:  # noqa: BLE001
            ok = False
            r = {"exception": repr(e), **r}
        check(name, ok, json.dumps(r)[:400])
    for raw, r in zip(RAW_BAD_LINES, results[len(CASES):]):
        check(f"raw line {raw[:20]!r} -> INVALID_REQUEST with jobId null",
              r.get("resultCode") == "INVALID_REQUEST" and r.get("jobId") is None, json.dumps(r)[:300])
    for r in results:
        for k in ("jobId", "success", "resultCode", "errorType", "output", "logs", "logsTruncated", "error",
                  "executionTimeMs", "memoryPeakBytes", "startedAt", "endedAt"):
            if k not in r:
                check("every result has every contract field", False, f"{k} missing in {json.dumps(r)[:200]}")
                return
    check("every result has every contract field", True)
    print(f"# {len(lines)} lines in {wall:.2f} s")


def test_single_file_mode():
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write("output = { doubled: input.n * 2 }")
        path = f.name
    p = subprocess.run([BIN, "exec", path, "--input", '{"n": 21}', "--timeout", "5"], capture_output=True,
                       text=True, timeout=60)
    os.unlink(path)
    r = json.loads(p.stdout) if p.stdout.strip() else {}
    check("exec FILE.js prints the result and exits 0", p.returncode == 0 and r.get("output") == {"doubled": 42}
          and r.get("timeout") == 5, p.stdout[:300] + p.stderr[:300])
    p = subprocess.run([BIN, "exec", "/nonexistent.js"], capture_output=True, text=True, timeout=30)
    check("missing file is a one-line error, exit 2", p.returncode == 2 and p.stderr.startswith("Error:"), p.stderr)
    p = subprocess.run([BIN, "exec", "--bogus"], capture_output=True, text=True, timeout=30)
    check("bad flag exits 2", p.returncode == 2, p.stderr)
    p = subprocess.run([BIN, "exec", "--help"], capture_output=True, text=True, timeout=30)
    check("exec --help", p.returncode == 0 and "--jobs" in p.stdout, p.stdout)
    p = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=30)
    check("codeworker --help", p.returncode == 0 and "exec" in p.stdout, p.stdout)
    p = subprocess.run([BIN, "exec", "--jobs", "-"], input='{"jobId":"stdin","code":"output=7"}\n',
                       capture_output=True, text=True, timeout=30)
    check("exec --jobs - reads stdin", p.returncode == 0 and json.loads(p.stdout)["output"] == 7, p.stdout)






def test_crash_recovery():
    """Kill the executor running a job: that job is WORKER_CRASHED, the next runs."""
    p = subprocess.Popen([BIN, "exec", "--jobs", "-", "--executors", "1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdin.write(json.dumps({"jobId": "victim", "code": "while(true){}", "timeout": 60}) + "\n")
    p.stdin.flush()
    time.sleep(1.0)
    kids = children(p.pid)
    for k in kids:
        os.kill(k, signal.SIGKILL)
    time.sleep(0.3)
    p.stdin.write(json.dumps({"jobId": "after", "code": "output = 'fine'"}) + "\n")
    out, err = p.communicate(timeout=60)
    rs = [json.loads(l) for l in out.splitlines()]
    check("killed executor -> WORKER_CRASHED with the signal",
          len(kids) == 1 and len(rs) == 2 and rs[0]["resultCode"] == "WORKER_CRASHED"
          and rs[0]["jobId"] == "victim" and "signal 9" in rs[0]["error"]["message"], out[:500] + err[:300])
    check("pool recovers after a crash", len(rs) == 2 and rs[1]["output"] == "fine", out[-300:])


def test_hard_kill_respawn():
    """A runaway C built-in is killed at the deadline and the pool keeps its size."""
    # A backreference keeps the pattern on the backtracker, which nothing
    # interrupts (the linear-time path answers `/(a+)+$/` at once).
    lines = [job_line(f"regex-{i}", {"code": "output = /^(a+)+\\1$/.test('" + "a" * 40 + "!')", "timeout": 1})
             for i in range(3)] + [job_line(f"ok-{i}", {"code": f"output = {i}"}) for i in range(20)]
    t0 = time.monotonic()
    p = run_exec(lines, executors=2)
    wall = time.monotonic() - t0
    rs = [json.loads(l) for l in p.stdout.splitlines()]
    check("three runaway regexes on 2 executors: all TIMEOUT, others fine",
          [r["resultCode"] for r in rs[:3]] == ["TIMEOUT"] * 3 and all(r["success"] for r in rs[3:])
          and len(rs) == 23, p.stdout[:300])
    check("hard kills keep within timeout + 1 s each (wall %.2f s)" % wall, wall < 3 * 2.0 + 2, f"{wall:.2f}")


def test_many_jobs_rss_flat():
    n = 2000 if QUICK else 10000
    code = ("var s = 0; for (var i = 0; i < input.values.length; i++) s += input.values[i];"
            " var o = {}; o['k' + s] = [s, s * 2, 'x' + s]; console.log('sum', s); output = o;")
    p = subprocess.Popen([BIN, "exec", "--jobs", "-", "--executors", "1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1 << 20)
    samples = []
    import threading
    got = []

    def reader():
        for line in p.stdout:
            got.append(line)
    t = threading.Thread(target=reader)
    t.start()
    for i in range(n):
        p.stdin.write(json.dumps({"jobId": f"j{i}", "code": code, "inputData": {"values": list(range(i % 50))}}) + "\n")
        if i in (n // 10, n - 1):
            p.stdin.flush()
            while len(got) < i - 5:
                time.sleep(0.01)
            kids = children(p.pid)
            if kids:
                samples.append(rss_kb(kids[0]))
    p.stdin.close()
    t.join(timeout=300)
    p.wait(timeout=60)
    ok = sum(1 for l in got if '"success":true' in l)
    check(f"{n} consecutive jobs in one executor all succeed", ok == n, f"{ok}/{n}")
    if SANITIZED:
        return
    flat = len(samples) == 2 and samples[0] and samples[1] and samples[1] - samples[0] < 2048
    print(f"# executor RSS after {n // 10} jobs: {samples[0] if samples else '?'} kB;"
          f" after {n}: {samples[-1] if samples else '?'} kB")
    check("executor RSS stays flat (growth < 2 MB)", flat, f"samples={samples}")


if __name__ == "__main__":
    test_cases()
    test_single_file_mode()
    test_crash_recovery()
    test_hard_kill_respawn()
    test_many_jobs_rss_flat()
    sys.exit(summary())
