#!/usr/bin/env python3
"""Lowering under bounds, the code cache in bytes, executor recycling, and
the fast path decided by Duktape's compiler.

1. Hostile lowering blow-ups (tiny sources whose lowering used to grow
   super-linearly: nested class heritage, loops, generators, async
   functions) must end with their required result type within a time bound,
   in one executor that stays healthy: ordinary jobs after them get exactly
   the results a fresh executor gives.
2. Many distinct large jobs through one executor with a small code cache
   (--cache-mb) must leave the next tenant's jobs unaffected.
3. An executor past its recycling threshold (--recycle-mb) is replaced
   after its result, cleanly: every job still gets its own result.

Usage: test_lowering.py BUILD_BIN_DIR
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, children, summary  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
S, T, M, SYN = "SUCCESS", "TIMEOUT", "MEMORY_LIMIT", "SYNTAX_ERROR"
TOO_COMPLEX = "too complex to compile"


def nest(prefix, core, suffix, n):
    return prefix * n + core + suffix * n


def wide(chunk, size):
    """`chunk` repeated to about `size` bytes of source."""
    return "\n".join([chunk] * max(1, size // (len(chunk) + 1)))


# (name, job fields, expected codes, max seconds, message fragment or None)
BLOWUPS = [
    ("class-heritage-30", {"code": "let C = " + nest("class extends ", "Object", "{}", 30) + "; output = typeof C",
                           "memoryLimit": 8}, [SYN], 3, TOO_COMPLEX),
    ("class-heritage-in-calls-40", {"code": "function f(x) { return x }\nlet C = " +
                                    nest("f(class extends ", "Object", " {})", 40) + "; output = 1",
                                    "memoryLimit": 8}, [SYN], 3, TOO_COMPLEX),
    ("class-heritage-in-arrows-30", {"code": "let C = " + nest("class extends (() => ", "Object", ")() {}", 30) +
                                     "; output = 1"}, [SYN], 3, TOO_COMPLEX),
    ("for-of-700", {"code": "const b = [1];\n" + "for (const a of b) " * 700 + "{}\noutput = 1"}, [SYN], 3, TOO_COMPLEX),
    ("for-let-closures-300", {"code": "for (let i = 0; i < 1; i++) " * 300 + "(() => i)(); output = 1"}, [SYN], 3,
     TOO_COMPLEX),
    ("generators-300", {"code": "function* g() { " + nest("yield function* () { ", "yield 1", " }", 300) +
                        " }\noutput = 1"}, [SYN], 3, TOO_COMPLEX),
    ("async-arrows-300", {"code": "const f = async () => " + nest("await (async () => ", "1", ")()", 300) +
                          ";\noutput = 1"}, [SYN], 3, TOO_COMPLEX),
    ("classes-in-methods-200", {"code": "let C = " + nest("class { m() { return ", "1", " } }", 200) +
                                ";\noutput = 1"}, [SYN], 3, TOO_COMPLEX),
    # Within every nesting limit but large: the deadline or the lowering's
    # memory budget must stop it, quickly.
    ("wide-async-generators", {"code": wide(nest("async function* g() { for await (const x of (async function* () { ",
                                                 "yield 1", " })()) {} }", 30), 250_000),
                               "timeout": 1, "memoryLimit": 8}, [T, M], 4, None),
    ("wide-for-of", {"code": "const b = [[1]];\n" + wide("for (const [a] of b) " * 24 + "{}", 250_000),
                     "timeout": 1}, [T, M], 4, None),
]

# Ordinary jobs whose results must not depend on what ran before them.
PROBES = [
    {"code": "output = input.xs.map(x => x * 2).reduce((a, b) => a + b, 0)", "inputData": {"xs": [1, 2, 3]}},
    {"code": "var s = 0; for (var i = 0; i < input.n; i++) s += i; output = s", "inputData": {"n": 1000}},
    {"code": "class A { #v = 2; get v() { return this.#v } }\nconst {v} = new A();\n"
             "function* g() { yield* [v, v + 1] }\noutput = [...g()]"},
    {"code": "async function f() { await null; return 5 }\nf().then(v => { output = `v=${v}` })"},
    {"code": "var {a, b = 4} = input; output = a + b", "inputData": {"a": 1}},
    {"code": "let x = ;"},
    {"code": "var t = 0; for (var i = 0; i < 2e5; i++) t += i % 7; output = t", "timeout": 5},
]


def shape(r):
    err = r.get("error") or {}
    return (r.get("resultCode"), json.dumps(r.get("output"), sort_keys=True), err.get("name"), err.get("message"))


def run_jobs(jobs, extra_args=(), watch=False, timeout=600):
    """Runs jobs through one executor; returns (results, wall seconds,
    distinct executor pids seen when watch is set)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for j in jobs:
            f.write(json.dumps(j) + "\n")
        path = f.name
    pids = set()
    t0 = time.monotonic()
    p = subprocess.Popen([BIN, "exec", "--jobs", path, "--executors", "1", *extra_args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def watcher():
        while not stop.is_set():
            pids.update(children(p.pid))
            time.sleep(0.005)

    th = threading.Thread(target=watcher)
    if watch:
        th.start()
    out, err = p.communicate(timeout=timeout)
    stop.set()
    if watch:
        th.join()
    wall = time.monotonic() - t0
    os.unlink(path)
    results = [json.loads(l) for l in out.splitlines() if l.strip()]
    if p.returncode != 0 or len(results) != len(jobs):
        check(f"exec answered all {len(jobs)} jobs", False, f"rc={p.returncode} got {len(results)} {err[-300:]}")
    return results, wall, pids


def probe_jobs(tag):
    return [dict(p, jobId=f"{tag}-probe-{i}") for i, p in enumerate(PROBES)]


def test_blowups(fresh):
    jobs = [dict(fields, jobId=name) for name, fields, *_ in BLOWUPS] + probe_jobs("after-blowups")
    results, wall, _ = run_jobs(jobs)
    for (name, fields, codes, bound, fragment), r in zip(BLOWUPS, results):
        msg = (r.get("error") or {}).get("message") or ""
        ok = r.get("jobId") == name and r.get("resultCode") in codes
        ok = ok and r.get("executionTimeMs", 1e9) <= bound * 1000
        ok = ok and (fragment is None or fragment in msg)
        check(f"lowering blow-up {name} ({len(fields['code'])} bytes) -> {'/'.join(codes)} within {bound} s", ok,
              json.dumps({k: r.get(k) for k in ("resultCode", "error", "executionTimeMs")})[:400])
    after = results[len(BLOWUPS):]
    check("the executor that lowered every blow-up gives fresh-executor results to the next tenant",
          [shape(r) for r in after] == fresh, json.dumps([shape(r) for r in after])[:600])
    print(f"# {len(jobs)} jobs in {wall:.1f} s")


def big_job(i):
    """A distinct modern job of about 60 KB."""
    body = "\n".join(f"const v{i}_{k} = [{k}, {i}].map(x => x + {k});" for k in range(1500))
    return {"jobId": f"big-{i}", "code": f"{body}\noutput = v{i}_7[0] + v{i}_7[1]"}


def test_cache_bytes(fresh):
    n = 120
    jobs = [big_job(i) for i in range(n)] + [big_job(3), big_job(3)] + probe_jobs("after-big")
    results, wall, _ = run_jobs(jobs, ("--cache-mb", "2"))
    big = results[:n + 2]
    check(f"{n} distinct 60 KB jobs through a 2 MiB cache all succeed",
          all(r.get("resultCode") == S and r.get("output") == 21 + (3 if i >= n else i) for i, r in enumerate(big)),
          json.dumps([(r.get("jobId"), r.get("resultCode"), r.get("output")) for r in big if r.get("resultCode") != S])[:400])
    after = results[n + 2:]
    check("after them the next tenant gets fresh-executor results",
          [shape(r) for r in after] == fresh, json.dumps([shape(r) for r in after])[:600])
    print(f"# {len(jobs)} jobs in {wall:.1f} s")


def test_recycle(fresh):
    # A 1 MiB threshold: the code cache of a few 60 KB jobs passes it, so
    # executors retire every few jobs and fresh ones take the next.
    n = 12
    jobs = [big_job(1000 + i) for i in range(n)] + probe_jobs("recycled")
    results, wall, pids = run_jobs(jobs, ("--recycle-mb", "1"), watch=True)
    check("every job through recycled executors gets its own result",
          [(r.get("jobId"), r.get("resultCode"), r.get("output")) for r in results[:n]] ==
          [(f"big-{1000 + i}", S, 1021 + i) for i in range(n)],
          json.dumps([(r.get("jobId"), r.get("resultCode"), r.get("output")) for r in results[:n]])[:400])
    check("no job is answered by the supervisor for a recycled executor",
          not any(r.get("resultCode") == "WORKER_CRASHED" or "supervisor" in json.dumps(r.get("error"))
                  for r in results), "")
    check("executors past the threshold were replaced", len(pids) >= 3, f"{len(pids)} executors seen")
    check("jobs on recycled executors give fresh-executor results",
          [shape(r) for r in results[n:]] == fresh, json.dumps([shape(r) for r in results[n:]])[:600])
    # The default threshold does not recycle the same work.
    results, _, pids = run_jobs([big_job(2000 + i) for i in range(n)], watch=True)
    check("at the default threshold the same jobs keep their executor", len(pids) == 1, f"{len(pids)} executors seen")
    print(f"# recycling run {wall:.1f} s")


def main():
    fresh_results, _, _ = run_jobs(probe_jobs("fresh"))
    fresh = [shape(r) for r in fresh_results]
    check("probe jobs behave on a fresh executor", fresh[0][0] == S and fresh[5][0] == SYN and fresh[3][1] == '"v=5"',
          json.dumps(fresh)[:400])
    test_blowups(fresh)
    test_cache_bytes(fresh)
    test_recycle(fresh)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
