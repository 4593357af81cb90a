#!/usr/bin/env python3
"""Run a subset of the end-to-end cases under valgrind (memcheck), supervisor
and executors alike (--trace-children), and fail on any memory error or
definite leak.  Runaway cases are left out: under valgrind they would only
measure the deadline.

Usage: test_valgrind.py BUILD_BIN_DIR
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES, RAW_BAD_LINES, job_line  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
SLOW = {"infinite-loop", "loop-catching-timeout", "catastrophic-regex", "huge-join", "tojson-loop-output",
        "console-flood", "output-too-big", "memory-bomb", "memory-bomb-objects", "deep-source-nesting"}


def main():
    if not shutil.which("valgrind"):
        print("FAIL valgrind: not installed")
        print("0 passed, 1 failed")
        return 1
    lines = [job_line(cid, f) for cid, f, *_ in CASES if cid not in SLOW] + RAW_BAD_LINES
    tmp = tempfile.mkdtemp()
    jobs = os.path.join(tmp, "jobs.jsonl")
    with open(jobs, "w") as f:
        f.write("\n".join(lines) + "\n")
    logpat = os.path.join(tmp, "vg.%p.log")
    cmd = ["valgrind", "--trace-children=yes", "--error-exitcode=99", "--leak-check=full",
           "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", f"--log-file={logpat}",
           BIN, "exec", "--jobs", jobs, "--executors", "1",
           # valgrind cannot run under the executors' seccomp filter (its JIT
           # maps executable memory); tests/e2e/test_confine.py covers that.
           "--insecure-no-sandbox"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    reports = []
    checked_executors = 0
    for name in os.listdir(tmp):
        if name.startswith("vg."):
            text = open(os.path.join(tmp, name)).read()
            if " executor " in text and "ERROR SUMMARY" in text:
                checked_executors += 1
            if re.search(r"ERROR SUMMARY: [1-9]", text) or re.search(r"definitely lost: [1-9]", text) or "Invalid " in text:
                reports.append(text[:3000])
    shutil.rmtree(tmp)
    n_out = len(p.stdout.splitlines())
    ok_run = p.returncode == 0 and n_out == len(lines)
    print(("PASS" if ok_run else "FAIL") + f" valgrind: {n_out}/{len(lines)} jobs answered (rc={p.returncode})")
    print(("PASS" if not reports else "FAIL") + " valgrind: no memory errors or definite leaks in supervisor and executors")
    for r in reports:
        print(r)
    print(("PASS" if checked_executors else "FAIL") + f" valgrind: {checked_executors} executor(s) ran to a full leak check")
    bad = (not ok_run) + bool(reports) + (not checked_executors)
    print(f"{3 - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
