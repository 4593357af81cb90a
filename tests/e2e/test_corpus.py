#!/usr/bin/env python3
"""Run the external job corpora (../shared/corpus: HumanEval-X and MBJSP,
JavaScript as written for Node) through `codeworker exec --jobs` and count
the jobs whose output equals `expect`.  The bar is 99% of each corpus; every
failure is listed with its reason.

Usage: test_corpus.py BUILD_BIN_DIR [CORPUS_DIR]
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(ROOT), "shared", "corpus")


def run(path):
    jobs = [json.loads(l) for l in open(path) if l.strip()]
    t0 = time.monotonic()
    p = subprocess.run([BIN, "exec", "--jobs", path], capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - t0
    results = [json.loads(l) for l in p.stdout.splitlines()]
    failures = []
    for j, r in zip(jobs, results):
        if not (r.get("success") and r.get("output") == j.get("expect")):
            err = r.get("error") or {}
            failures.append((j["jobId"], r.get("resultCode"), (err.get("message") or "")[:160], err.get("line")))
    return len(jobs), len(results), failures, wall


def main():
    if not os.path.isdir(CORPUS):
        check("corpus directory present", False, CORPUS)
        return summary()
    for name in sorted(os.listdir(CORPUS)):
        if not name.endswith(".jsonl"):
            continue
        n, got, failures, wall = run(os.path.join(CORPUS, name))
        ok = n - len(failures)
        print(f"# {name}: {ok}/{n} passed ({100.0 * ok / n:.1f}%) in {wall:.1f} s")
        for f in failures:
            print(f"#   {f[0]}: {f[1]} line {f[3]}: {f[2]}")
        check(f"{name}: one result per job", got == n, f"{got} results for {n} jobs")
        check(f"{name}: at least 99% pass", ok * 100 >= 99 * n, f"{ok}/{n}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
