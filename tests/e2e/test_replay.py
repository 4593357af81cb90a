#!/usr/bin/env python3
"""Replay.

* A seeded job draws the same Math.random sequence on every run (1,000 runs
  through one `codeworker exec --jobs` batch), a different seed draws a
  different one, the seed is recorded in the result's replay object, and a
  bad seed is refused as INVALID_REQUEST.
* Deterministic jobs: 1,000+ jobs -- the HumanEval-X and MBJSP corpora and
  jobs that read Math.random, Date.now, new Date, performance.now, timers,
  uuid.v4 and crypto.randomUUID, and busy-wait on the clock -- run once
  with a seed, then again as `codeworker replay` runs them (the recorded
  seed as `seed`, the recorded start as `clockStart`, the time zone): every
  result is the same, while other seeds give other answers.
* `codeworker replay` itself: identical (exit 0), different with the real
  clock's note (exit 1), the job from a Kafka result's Params, and the bad
  inputs (exit 2).
"""
import glob, json, os, re, subprocess, sys, tempfile

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

npass = 5 - fails
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = bindir + "/codeworker"


def check2(ok, what):
    global fails, npass
    print(("PASS " if ok else "FAIL ") + what)
    fails += 0 if ok else 1
    npass += 1 if ok else 0


def exec_batch(jobs):
    p = subprocess.run([BIN, "exec", "--jobs", "-", "--executors", "2"], input="\n".join(json.dumps(j) for j in jobs) + "\n",
                       capture_output=True, text=True, timeout=600)
    out = {}
    for line in p.stdout.split("\n"):
        if line.strip():
            r = json.loads(line)
            out[r["jobId"]] = r
    return out


def essence(r):
    logs = [{k: e[k] for k in ("level", "message", "truncated") if k in e} for e in r.get("logs") or []]
    err = r.get("error")
    err = {k: err.get(k) for k in ("name", "message", "line", "column")} if isinstance(err, dict) else None
    return [r.get("resultCode"), r.get("errorType"), r.get("output"), r.get("logsTruncated"), logs, err]


CLOCKY = [
    "const a = []; for (let i = 0; i < 5; i++) a.push(Math.random()); output = a;",
    "const t0 = Date.now(); let x = 0; for (let i = 0; i < 100000; i++) x += i; output = [t0, Date.now() - t0, new Date().toISOString()];",
    "output = [performance.now(), new Date().getTime(), String(new Date()), Date()];",
    "const u = require('uuid'); output = [u.v4(), u.v4(), crypto.randomUUID()];",
    "const b = new Uint32Array(4); crypto.getRandomValues(b); output = Array.from(b);",
    "const t = Date.now(); let n = 0; while (Date.now() - t < 20) n++; output = n;",
    "const log = []; const t0 = Date.now(); setTimeout(() => log.push(['a', Date.now() - t0]), 30); setTimeout(() => { log.push(['b', Date.now() - t0, performance.now() > 0]); output = log; }, 60);",
    "output = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'long', timeZone: 'America/New_York' }).format(new Date());",
    "console.log('start', Date.now()); console.log(Math.random().toString(36).slice(2)); output = [new Date().getHours(), new Date().getTimezoneOffset()];",
    "async function f() { await new Promise(r => setTimeout(r, 5)); return Math.floor(Math.random() * 1000) + Date.now() % 1000; } output = f();",
]
jobs = []
for path in sorted(glob.glob(os.path.join(os.path.dirname(ROOT), "shared", "corpus", "*.jsonl"))):
    with open(path) as f:
        for line in f:
            if line.strip():
                j = json.loads(line)
                jobs.append({"jobId": "c-" + j["jobId"], "code": j["code"], "inputData": j.get("inputData")})
i = 0
while len(jobs) < 1000:
    tz = ["UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York"][i % 4]
    jobs.append({"jobId": "k-%d" % i, "code": CLOCKY[i % len(CLOCKY)], "timeZone": tz})
    i += 1
for n, j in enumerate(jobs):
    j["seed"] = 1000003 * n + 7
first = exec_batch(jobs)
check2(len(first) == len(jobs), "deterministic: %d seeded jobs ran (%d corpus, %d reading the clock and randomness)"
       % (len(jobs), sum(j["jobId"].startswith("c-") for j in jobs), sum(j["jobId"].startswith("k-") for j in jobs)))
check2(all(r.get("replay", {}).get("clock") == "logical" for r in first.values()),
       "deterministic: every seeded job ran on the logical clock (replay.clock)")
again = []
for j in jobs:
    r = first.get(j["jobId"], {})
    rj = dict(j, seed=r.get("replay", {}).get("seed"), clockStart=r.get("replay", {}).get("startedAt"))
    if r.get("timeZone"):
        rj["timeZone"] = r["timeZone"]
    again.append(rj)
second = exec_batch(again)
diff = [j["jobId"] for j in jobs if essence(first.get(j["jobId"], {})) != essence(second.get(j["jobId"], {"x": 1}))]
check2(not diff and len(second) == len(jobs), "deterministic: %d replays with the recorded seed and clock start are identical%s"
       % (len(second), "" if not diff else "; differ: %s %s / %s" % (diff[:3], json.dumps(essence(first.get(diff[0], {})))[:300],
                                                               json.dumps(essence(second.get(diff[0], {})))[:300])))
ok_corpus = sum(1 for k, r in first.items() if k.startswith("c-") and r.get("output") == "ok")
check2(ok_corpus >= 0.99 * sum(j["jobId"].startswith("c-") for j in jobs), "deterministic: the corpus jobs still pass (%d)" % ok_corpus)
other = exec_batch([dict(j, seed=j["seed"] + 1) for j in jobs if j["jobId"].startswith("k-")])
varied = sum(1 for k, r in other.items() if essence(r) != essence(first.get(k, {})))
check2(varied >= 0.6 * len(other), "deterministic: another seed changes the answer of %d of %d clock/random jobs (the rest read only the date or count clock readings)"
       % (varied, len(other)))
clocky = first.get("k-5", {}).get("output")
check2(isinstance(clocky, int) and clocky > 0, "deterministic: a busy-wait on Date.now() ends on the logical clock (%s readings)" % clocky)

# ---- the command -------------------------------------------------------------------
tmp = tempfile.mkdtemp()


def replay(result, *args, stdin=None):
    rp = os.path.join(tmp, "r.json")
    with open(rp, "w") as f:
        f.write(result if isinstance(result, str) else json.dumps(result))
    p = subprocess.run([BIN, "replay", rp, *args], capture_output=True, text=True, timeout=120)
    return p


def jobfile(job):
    jp = os.path.join(tmp, "j-%s.json" % job["jobId"])
    with open(jp, "w") as f:
        json.dump(job, f)
    return jp


j = next(x for x in jobs if x["jobId"] == "k-3")
p = replay(first["k-3"], "--job", jobfile(j))
check2(p.returncode == 0 and "identical" in p.stderr and json.loads(p.stdout)["output"] == first["k-3"]["output"],
       "replay: a seeded job's result replays identical (exit 0, the new result on stdout)")
uj = {"jobId": "real-1", "code": "let x = 0; for (let i = 0; i < 2e6; i++) x += i; output = Date.now();"}
ur = exec_batch([uj])["real-1"]
p = replay(ur, "--job", jobfile(uj))
check2(p.returncode == 1 and "different" in p.stderr and "real clock" in p.stderr and "output" in p.stderr,
       "replay: an unseeded job that reads the clock late differs, and says why (exit 1): " + p.stderr[-200:].replace("\n", " | "))
kr = dict(first["k-1"], actionExecutionLog={"Params": json.dumps(next(x for x in jobs if x["jobId"] == "k-1"))})
p = replay(kr)
check2(p.returncode == 0 and "identical" in p.stderr, "replay: the job from a Kafka result's actionExecutionLog.Params")
p = replay(first["k-1"])
check2(p.returncode == 2 and "--job" in p.stderr, "replay: a result without its job says how to give it (exit 2)")
p = replay("not json")
check2(p.returncode == 2 and "Error:" in p.stderr, "replay: a file that is not a result (exit 2)")
p = replay(exec_batch([{"jobId": "bad", "code": "x", "timeout": "zz", "seed": -1}])["bad"])
check2(p.returncode == 2, "replay: the result of a job that never ran has nothing to replay (exit 2)")
rp = first["k-3"].get("replay", {})
check2(re.fullmatch(r"sha256:[0-9a-f]{64}", rp.get("runtime") or "") and re.fullmatch(r"[0-9]+\.[0-9]+(\.[0-9]+)*", rp.get("icu") or ""),
       "replay: the replay object names the runtime digest and ICU's version: %s %s" % (rp.get("runtime"), rp.get("icu")))
check2(len({r.get("replay", {}).get("runtime") for r in first.values() if r.get("replay")}) == 1,
       "replay: one runtime digest for every job of this build")
other = json.loads(json.dumps(first["k-3"]))
other["replay"]["runtime"] = "sha256:" + "0" * 64
other["replay"]["icu"] = "70.1"
p = replay(other, "--job", jobfile(j))
check2(p.returncode == 0 and "identical" in p.stderr and "runtime sha256:000" in p.stderr and "ICU 70.1" in p.stderr,
       "replay: a result recorded with another runtime or ICU says so (and still compares)")
print("%d passed, %d failed" % (npass, fails))
sys.exit(1 if fails else 0)
