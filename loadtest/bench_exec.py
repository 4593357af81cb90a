#!/usr/bin/env python3
"""Benchmark `codeworker exec --jobs` (no Kafka): throughput and latency.

  bench_exec.py BUILD_BIN_DIR JOBS.jsonl [--executors 1,2] [--repeat N] [--unique-code] [--peers]

For each executor count it measures
  * throughput: the whole job file (repeated N times) through one process,
    wall clock from start to the last result -> jobs/s;
  * latency: a closed loop with as many jobs in flight as executors, each
    measured from writing its line to reading its result line (p50/p90/p99/max);
  * executionTimeMs percentiles as reported by the results;
and checks every result against the job's `expect`.  With --peers it runs the
same file through loadtest/peers/run.js (Node vm, vm2, isolated-vm) in the same
run.  Prints a Markdown table; this is a benchmark, not a test.
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def load(path, repeat, unique):
    jobs = [json.loads(l) for l in open(path) if l.strip()]
    out = []
    for r in range(repeat):
        for j in jobs:
            j = dict(j)
            if unique:  # defeat every cache keyed by the source
                j["code"] = j["code"] + f"\n// run {r} {j['jobId']}"
            out.append(j)
    return out


def strip(job):
    return {k: v for k, v in job.items() if k not in ("expect", "features", "id")}


def throughput(binary, jobs, executors):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for j in jobs:
            f.write(json.dumps(strip(j)) + "\n")
        path = f.name
    t0 = time.monotonic()
    p = subprocess.run([binary, "exec", "--jobs", path, "--executors", str(executors)],
                       capture_output=True, text=True)
    wall = time.monotonic() - t0
    os.unlink(path)
    results = [json.loads(l) for l in p.stdout.splitlines()]
    ok = sum(1 for j, r in zip(jobs, results)
             if r.get("success") and ("expect" not in j or r.get("output") == j["expect"]))
    exec_ms = [r["executionTimeMs"] for r in results]
    return len(jobs) / wall, ok, len(results), exec_ms


def latency(binary, jobs, executors, count):
    p = subprocess.Popen([binary, "exec", "--jobs", "-", "--executors", str(executors)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, bufsize=1)
    lat = []
    sent = {}
    i = 0
    inflight = 0
    n = min(count, len(jobs))
    while i < executors and i < n:
        sent[i] = time.monotonic()
        p.stdin.write(json.dumps(strip(jobs[i])) + "\n")
        i += 1
        inflight += 1
    p.stdin.flush()
    done = 0
    while done < n:
        p.stdout.readline()
        lat.append((time.monotonic() - sent.pop(done)) * 1000.0)
        done += 1
        if i < n:
            sent[i] = time.monotonic()
            p.stdin.write(json.dumps(strip(jobs[i])) + "\n")
            p.stdin.flush()
            i += 1
    p.stdin.close()
    p.wait()
    return lat


def main():
    binary = os.path.join(sys.argv[1], "codeworker")
    path = sys.argv[2]
    args = sys.argv[3:]
    execs = [1, 2]
    repeat = 1
    if "--executors" in args:
        execs = [int(x) for x in args[args.index("--executors") + 1].split(",")]
    if "--repeat" in args:
        repeat = int(args[args.index("--repeat") + 1])
    unique = "--unique-code" in args
    jobs = load(path, repeat, unique)
    print(f"job file: {os.path.basename(path)}, {len(jobs)} jobs{' (unique code)' if unique else ''}")
    print()
    print("| engine | executors | jobs/s | passed | latency p50 ms | p90 | p99 | max | exec p50 ms | exec p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for e in execs:
        tput, ok, n, exec_ms = throughput(binary, jobs, e)
        lat = latency(binary, jobs, e, min(len(jobs), 5000))
        print(f"| codeworker exec | {e} | {tput:,.0f} | {ok}/{n} | {pct(lat, 50):.2f} | {pct(lat, 90):.2f} | "
              f"{pct(lat, 99):.2f} | {max(lat):.2f} | {pct(exec_ms, 50):.3f} | {pct(exec_ms, 99):.3f} |")
        sys.stdout.flush()
    if "--peers" in args:
        here = os.path.dirname(os.path.abspath(__file__))
        peers = os.path.join(here, "peers")
        if not os.path.isdir(os.path.join(peers, "node_modules")):
            subprocess.run(["npm", "ci", "--silent"], cwd=peers, check=False,
                           env={**os.environ, "npm_config_nodedir": os.environ.get("npm_config_nodedir", "/usr")})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            report = f.name
        subprocess.run(["node", os.path.join(peers, "run.js"), "--peer", "all", "--jobs", path, "--repeat",
                        str(repeat), "--json", report] + (["--unique-code"] if unique else []),
                       capture_output=True, text=True)
        try:
            rep = json.load(open(report))
        except ValueError:
            rep = {}
        os.unlink(report)
        for name, r in rep.items():
            if "jobsPerSec" not in r:
                print(f"| {name} | - | crashed | | | | | | | |")
                continue
            print(f"| Node {name} | 1 (in-process) | {r['jobsPerSec']:,.0f} | {r['passed']}/{r['count']} | "
                  f"{r['p50Ms']:.2f} | {r['p90Ms']:.2f} | {r['p99Ms']:.2f} | {r['maxMs']:.2f} | | |")


if __name__ == "__main__":
    main()
