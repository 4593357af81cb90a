#!/usr/bin/env python3
"""Generate agent-style job files for benchmarks (JSON Lines, with `expect`).

  make_jobs.py small-es5 N     > jobs.jsonl   10-record jobs, ES5 only
  make_jobs.py records K N     > jobs.jsonl   K-record jobs (K = 10, 1000, 100000)
  make_jobs.py mix N           > jobs.jsonl   N jobs of mixed size: in every 1,000, one
                                             with 100,000 records (about 4 MB), 19 with
                                             1,000 and 980 with 10

Each job sums, filters and groups its records and sets `output`; `expect` is
computed here so a harness can check every result.  The code is plain ES5, so
the jobs measure the executor path, not the lowering of modern syntax.
"""

import json
import random
import sys

CODE = """var total = 0, byRegion = {};
for (var i = 0; i < input.records.length; i++) {
  var r = input.records[i];
  total += r.amount;
  if (r.amount > 50) { byRegion[r.region] = (byRegion[r.region] || 0) + 1; }
}
output = { total: total, big: byRegion, n: input.records.length };"""


def job(i, k, rng):
    recs = [{"id": j, "region": rng.choice(["eu", "us", "apac"]), "amount": rng.randint(1, 100)}
            for j in range(k)]
    big = {}
    for r in recs:
        if r["amount"] > 50:
            big[r["region"]] = big.get(r["region"], 0) + 1
    expect = {"total": sum(r["amount"] for r in recs), "big": big, "n": k}
    return {"jobId": f"r{k}-{i}", "code": CODE, "inputData": {"records": recs}, "expect": expect}


def main():
    rng = random.Random(42)
    kind = sys.argv[1]
    if kind == "small-es5":
        k, n = 10, int(sys.argv[2])
    elif kind == "records":
        k, n = int(sys.argv[2]), int(sys.argv[3])
    elif kind == "mix":
        for i in range(int(sys.argv[2])):
            k = 100000 if i % 1000 == 999 else 1000 if i % 50 == 49 else 10
            print(json.dumps(job(i, k, rng), separators=(",", ":")))
        return
    else:
        sys.exit(__doc__)
    for i in range(n):
        print(json.dumps(job(i, k, rng), separators=(",", ":")))


if __name__ == "__main__":
    main()
