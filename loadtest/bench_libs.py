#!/usr/bin/env python3
"""What each bundled library costs a job, measured on the real executor.

Usage: bench_libs.py BUILD_BIN_DIR [--repeat N]     (default 20)

For each library a job that only require()s it, and one that also makes
the first everyday call, each run N times through `codeworker exec` (one
executor, every job in a fresh heap); a job that does nothing is the
baseline.  Prints, per library, the median executionTimeMs of the two
minus the baseline's, and the median memoryPeakBytes of the job that made
the call.  A benchmark, not a test.
"""

import json
import statistics
import subprocess
import sys

BIN = sys.argv[1].rstrip("/") + "/codeworker"
N = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 20

LIBS = [
    ("lodash", "var _ = require('lodash');", "_.sortBy(_.groupBy([1.3, 2.1, 2.4], Math.floor)[2]);"),
    ("date-fns", "var d = require('date-fns');", "d.format(d.addDays(new Date(2024, 0, 30), 3), 'yyyy-MM-dd');"),
    ("mathjs", "var m = require('mathjs');", "m.evaluate('sqrt(3^2+4^2)');"),
    ("papaparse", "var P = require('papaparse');", "P.parse('a,b\\n1,\"x,y\"', {header: true});"),
    ("uuid", "var u = require('uuid');", "u.v4();"),
    ("validator", "var v = require('validator');", "v.isEmail('a@b.co');"),
    ("jstat", "var j = require('jstat');", "j.mean([1, 2, 3, 4]);"),
]


def main():
    jobs = []
    for i in range(N):
        jobs.append({"jobId": f"base-{i}", "code": "output = 1", "memoryLimit": 256})
        for name, req, call in LIBS:
            jobs.append({"jobId": f"req-{name}-{i}", "code": req + " output = 1", "memoryLimit": 256})
            jobs.append({"jobId": f"call-{name}-{i}", "code": req + " " + call + " output = 1", "memoryLimit": 256})
    p = subprocess.run([BIN, "exec", "--jobs", "-", "--executors", "1", "--cache-mb", "1"],
                       input="\n".join(json.dumps(j) for j in jobs) + "\n", capture_output=True, text=True, timeout=1800)
    res = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r.get("resultCode") != "SUCCESS":
            sys.exit(f"bench_libs: {r.get('jobId')}: {r.get('resultCode')} {r.get('error')}")
        res.setdefault(r["jobId"].rsplit("-", 1)[0], []).append(r)

    def med(key, field="executionTimeMs"):
        return statistics.median(x[field] for x in res[key])

    base = med("base")
    print(f"# {N} runs each, one executor, a fresh heap per job; medians; baseline job {base:.3f} ms")
    print("| module | require | require + first call | memory peak of the call job |")
    print("|---|---|---|---|")
    for name, _, call in LIBS:
        print(f"| {name} | {med('req-' + name) - base:.2f} ms | {med('call-' + name) - base:.2f} ms (`{call.strip(';')}`) "
              f"| {med('call-' + name, 'memoryPeakBytes') / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
