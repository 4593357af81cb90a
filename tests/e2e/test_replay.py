#!/usr/bin/env python3
"""Replay, first step: a seeded job draws the same Math.random sequence on
every run (1,000 runs through one `codeworker exec --jobs` batch), a
different seed draws a different one, the seed is recorded in the result's
replay object, and a bad seed is refused as INVALID_REQUEST."""
import json, subprocess, sys

bindir = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
code = "const a=[];for(let i=0;i<8;i++)a.push(Math.random());return a"
jobs = [{"jobId": "r%d" % i, "code": code, "seed": 12345} for i in range(1000)]
jobs.append({"jobId": "other", "code": code, "seed": 12346})
jobs.append({"jobId": "fresh", "code": code})
for bad in (-1, 1.5, "7", 2**53, [1]):
    jobs.append({"jobId": "bad", "code": code, "seed": bad})
p = subprocess.run([bindir + "/codeworker", "exec", "--jobs", "-"], input="\n".join(json.dumps(j) for j in jobs) + "\n",
                   capture_output=True, text=True, timeout=120)
res = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
by = {}
for r in res:
    by.setdefault(r["jobId"], []).append(r)
fails = 0
def check(ok, what):
    global fails
    print(("PASS " if ok else "FAIL ") + what)
    fails += 0 if ok else 1
seeded = by.get("r0", []) and [by["r%d" % i][0] for i in range(1000) if ("r%d" % i) in by]
check(len(seeded) == 1000 and all(r["output"] == seeded[0]["output"] for r in seeded), "1000 runs with seed 12345 drew the same 8 numbers")
check(all(r.get("replay", {}).get("seed") == 12345 for r in seeded), "the replay object records seed 12345")
check(by["other"][0]["output"] != seeded[0]["output"], "seed 12346 draws a different sequence")
fr = by["fresh"][0].get("replay", {})
check(isinstance(fr.get("seed"), int) and 0 <= fr["seed"] < 2**53, "an unseeded job records the fresh seed it used")
check(len(by.get("bad", [])) == 5 and all(r["resultCode"] == "INVALID_REQUEST" for r in by["bad"]), "seeds -1, 1.5, \"7\", 2^53, [1] are refused (null means absent, as for other optional fields)")
print("%d passed, %d failed" % (5 - fails, fails))
sys.exit(1 if fails else 0)
