#!/usr/bin/env python3
"""The runtime's own JavaScript test suites, on the real executor.

Usage: test_runtime_js.py BUILD_BIN_DIR

worker/runtime/test/*.test.js test the polyfill groups and the bundled
libraries (iterators, collections, promises, timers, structuredClone, the
libraries' require()).  Each file runs as one job of `codeworker exec` --
the executor, sandbox and runtime that run agents' jobs, nothing copied:
worker/runtime/test/harness.js, the file, then an `output` whose toJSON
runs the afterDrain checks when the result is taken, after the job's event
loop.  Every test case is a PASS/FAIL line of its own; a file whose job
does not end in SUCCESS fails as a whole.

Then the manifest the runtime's lazy loading is built from
(BUILD/runtime/js/groups.txt, generated from polyfills/groups.txt): one job
per group checks in a fresh heap that every trigger's holder exists, that
reading the trigger gives a value, and that the group then replaced its
lazy accessor -- so a trigger whose holder is missing, or a group that does
not define what its trigger names, is a failure.

Last, the host behaviour the suites once tested through a copy of the
runtime's host API, as jobs (the answers are Node 24's): a microtask that
throws ends the job with that error; an unhandled rejection, or one handled
only after the microtasks drained, is the job's error.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN_DIR = os.path.abspath(sys.argv[1])
BIN = os.path.join(BIN_DIR, "codeworker")
TESTS = os.path.join(ROOT, "worker", "runtime", "test")
MANIFEST = os.path.join(os.path.dirname(BIN_DIR), "runtime", "js", "groups.txt")

FINISH = "\noutput = { toJSON: function () { return __t_finish(); } };\n"


def run_jobs(jobs):
    lines = "\n".join(json.dumps(j) for j in jobs) + "\n"
    p = subprocess.run([BIN, "exec", "--jobs", "-", "--executors", "2"], input=lines, capture_output=True, text=True,
                       timeout=600)
    out = {}
    for line in p.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            out[r.get("jobId")] = r
    return out


def suites():
    harness = open(os.path.join(TESTS, "harness.js")).read()
    files = sorted(f for f in os.listdir(TESTS) if f.endswith(".test.js"))
    jobs = [{"jobId": f, "code": harness + "\n" + open(os.path.join(TESTS, f)).read() + FINISH, "timeout": 120,
             "memoryLimit": 256} for f in files]
    res = run_jobs(jobs)
    for f in files:
        r = res.get(f, {})
        ok = r.get("resultCode") == "SUCCESS" and isinstance(r.get("output"), list) and r["output"]
        check(f"runtime suite {f}: the job ran to the end", ok,
              (r.get("resultCode"), (r.get("error") or {}).get("message"), [e["message"] for e in r.get("logs", [])][:5]))
        for name, passed, why in (r.get("output") or []) if ok else []:
            check(f"runtime {f}: {name}", passed, why[:600])


def js_path(path):
    """A trigger's holder expression and its key: 'Array.prototype.@@iterator'
    -> ('Array.prototype', 'Symbol.iterator')."""
    parts = path.split(".")
    key = parts[-1]
    holder = ".".join(parts[:-1]) or "globalThis"
    if holder.startswith("Uint8Array.prototype.__proto__"):
        holder = "Object.getPrototypeOf(Uint8Array.prototype)" + holder[len("Uint8Array.prototype.__proto__"):]
    k = "Symbol." + key[2:] if key.startswith("@@") else json.dumps(key)
    if holder != "globalThis" and not holder.startswith("Object.getPrototypeOf"):
        holder = "globalThis." + holder
    return holder, k


def manifest():
    try:
        groups = [l.split() for l in open(MANIFEST) if l.strip() and not l.startswith("#")]
    except OSError as e:
        check("runtime manifest: groups.txt is in the build tree", False, str(e))
        return
    jobs = []
    for g in groups:
        name, triggers = g[0], [t for t in g[1].split(",") if t and not t.startswith("__cw_")]
        plain = [t for t in triggers if not t.startswith("!")]
        repl = [t[1:] for t in triggers if t.startswith("!")]
        checks = []
        for t in plain:
            h, k = js_path(t)
            checks.append(f"chk({json.dumps(t)}, function () {{ return {h}; }}, {k}, false);")
        for t in repl:
            h, k = js_path(t)
            checks.append(f"chk({json.dumps('!' + t)}, function () {{ return {h}; }}, {k}, true);")
        code = """var bad = [], before = {};
function desc(h, k) { var o = h; while (o) { var d = Object.getOwnPropertyDescriptor(o, k); if (d) return d; o = Object.getPrototypeOf(o); } return undefined; }
function chk(label, holder, key, replaces) {
  var h;
  try { h = holder(); } catch (e) { bad.push(label + ': holder: ' + e); return; }
  if (h === undefined || h === null) { bad.push(label + ': holder missing'); return; }
  var d0 = Object.getOwnPropertyDescriptor(h, key);
  if (!d0 && !replaces) { bad.push(label + ': not defined on its holder'); return; }
  var v;
  try { v = h[key]; } catch (e) {
    /* a spec accessor that rejects its holder (Symbol.prototype.description) still loads */
    var dt = Object.getOwnPropertyDescriptor(h, key);
    if (!(e instanceof TypeError && dt && dt.get && !/rc -?[0-9]/.test(String(e)))) bad.push(label + ': reading it threw ' + e);
    return;
  }
  if (v === undefined) { bad.push(label + ': reads undefined'); return; }
  var d1 = desc(h, key);
  if (!replaces && d0 && d0.get && d1 && d1.get === d0.get && !(typeof v === 'function' || typeof v === 'object' || typeof v === 'string')) bad.push(label + ': the group did not replace its accessor');
}
""" + "\n".join(checks) + "\noutput = bad;"
        jobs.append({"jobId": "group-" + name, "code": code, "timeout": 30})
    res = run_jobs(jobs)
    for g in groups:
        r = res.get("group-" + g[0], {})
        ntrig = len([t for t in g[1].split(",") if t and not t.startswith("__cw_")])
        check(f"runtime manifest: group {g[0]}: its {ntrig} triggers resolve and load",
              r.get("resultCode") == "SUCCESS" and r.get("output") == [],
              r.get("output") if r.get("resultCode") == "SUCCESS" else (r.get("resultCode"), r.get("error")))
    check("runtime manifest: at least 20 groups", len(groups) >= 20, len(groups))


def host():
    cases = [
        ("microtask-throws", "queueMicrotask(function () { throw new Error('boom'); });"
         "queueMicrotask(function () { console.log('after'); }); output = 1", "RUNTIME_ERROR", "boom"),
        ("unhandled", "Promise.reject(new Error('nobody listens')); var h = Promise.reject('x'); h.catch(function () {});"
         "output = 2", "RUNTIME_ERROR", "nobody listens"),
        ("handled-late", "var late = Promise.reject('late'); setTimeout(function () { late.catch(function () {}); }, 0);"
         "output = 3", "RUNTIME_ERROR", 'The promise rejected with the reason "late".'),
        ("handled", "var p = Promise.reject(new Error('x')); p.catch(function () {}); output = 4", "SUCCESS", None),
    ]
    res = run_jobs([{"jobId": c[0], "code": c[1]} for c in cases])
    for jid, _, code, msg in cases:
        r = res.get(jid, {})
        m = (r.get("error") or {}).get("message") or ""
        check(f"runtime host: {jid} -> {code}" + (f" ({msg})" if msg else ""),
              r.get("resultCode") == code and (msg is None or m.endswith(msg)) and not r.get("logs"),
              (r.get("resultCode"), m, r.get("logs")))


def main():
    if not os.access(BIN, os.X_OK):
        check("codeworker is built", False, BIN)
        return summary()
    suites()
    manifest()
    host()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
