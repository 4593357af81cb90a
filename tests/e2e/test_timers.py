#!/usr/bin/env python3
"""Timers in `codeworker exec`: the job's clock skips ahead instead of sleeping.

A job's setTimeout/setInterval/setImmediate run in its event loop after the
synchronous code; when only timers are left, the job's clock (Date.now(),
new Date(), performance.now(), the logs' elapsedMs) moves to the next one at
once.  The time skipped counts toward the job's timeout: a timer due after
it ends the job as TIMEOUT straight away, with its logs.  Node's ordering is
checked by test_language.py against recorded answers; this driver checks
what Node cannot show: wall time, the timeout, the cap on pending timers,
and that the skipped time does not leak into the executor's next job.  Wall
times are bounded coarsely (a 10 s virtual wait in under 5 s).

Usage: test_timers.py BUILD_BIN_DIR
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")


def run_jobs(jobs, executors=1):
    """Run jobs [(id, code, timeout_s[, extra fields])] in order; returns
    ({id: result}, wall seconds)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for j in jobs:
            d = {"jobId": j[0], "code": j[1], "timeout": j[2]}
            if len(j) > 3:
                d.update(j[3])
            f.write(json.dumps(d) + "\n")
        path = f.name
    try:
        t0 = time.monotonic()
        p = subprocess.run([BIN, "exec", "--jobs", path, "--executors", str(executors)],
                           capture_output=True, text=True, timeout=300)
        wall = time.monotonic() - t0
    finally:
        os.unlink(path)
    out = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        out[r["jobId"]] = r
    return out, wall


def one(code, timeout=30, **extra):
    res, wall = run_jobs([("j", code, timeout, extra)])
    return res.get("j") or {}, wall


def messages(r):
    return [entry.get("message") for entry in r.get("logs") or []]


def test_long_sleep_is_instant():
    r, wall = one("const t = Date.now(), p = performance.now(), d = new Date();"
                  " console.log('start');"
                  " setTimeout(() => { console.log('woke'); output = [Date.now() - t, performance.now() - p,"
                  " new Date() - d, Math.round((Date.now() - t) / 1000)]; }, 10000);", timeout=30)
    out = r.get("output") or [0, 0, 0, 0]
    check("10 s setTimeout succeeds", r.get("resultCode") == "SUCCESS", r)
    check("10 s setTimeout takes under 5 s of wall time", r.get("resultCode") == "SUCCESS" and wall < 5, "%.2f s" % wall)
    check("Date.now() advanced by the 10 s wait", out[0] >= 10000 and out[0] < 11000, out)
    check("performance.now() advanced by the 10 s wait", out[1] >= 9999 and out[1] < 11000, out)
    check("new Date() advanced by the 10 s wait", out[2] >= 10000 and out[2] < 11000, out)
    logs = r.get("logs") or [{}, {}]
    check("the log's elapsedMs is on the job's clock", len(logs) == 2 and logs[1].get("elapsedMs", 0) >= 9999,
          logs)
    check("executionTimeMs stays the real cost", out[0] >= 10000 and (r.get("executionTimeMs") or 0) < 5000,
          r.get("executionTimeMs"))


def test_sleep_loop():
    r, wall = one("const sleep = ms => new Promise(res => setTimeout(res, ms));"
                  " (async () => { const t = Date.now(); for (let i = 0; i < 50; i++) await sleep(1000);"
                  " output = Date.now() - t; })();", timeout=60)
    check("fifty 1 s sleeps in a 60 s job succeed", r.get("resultCode") == "SUCCESS", r)
    check("fifty 1 s sleeps advance the clock by 50 s", (r.get("output") or 0) >= 50000, r.get("output"))
    check("fifty 1 s sleeps take under 5 s of wall time", r.get("resultCode") == "SUCCESS" and wall < 5,
          "%.2f s" % wall)


def test_endless_interval():
    r, wall = one("let n = 0; setInterval(() => { n++; console.log('tick ' + n); }, 100);", timeout=3)
    err = r.get("error") or {}
    logs = messages(r)
    check("an endless setInterval ends as TIMEOUT", r.get("resultCode") == "TIMEOUT", r.get("resultCode"))
    check("the TIMEOUT says a timer was due past the timeout", "timer" in (err.get("message") or ""), err)
    check("the endless setInterval keeps its logs", len(logs) >= 25 and logs[0] == "tick 1", logs[:3])
    check("the endless setInterval ends at once", len(logs) >= 25 and wall < 2.5, "%.2f s" % wall)


def test_fast_interval():
    r, wall = one("let n = 0; const iv = setInterval(() => { n++; }, 0);"
                  " setTimeout(() => { clearInterval(iv); output = n; }, 1500);", timeout=5)
    check("a 0 ms setInterval runs every virtual millisecond", r.get("resultCode") == "SUCCESS"
          and 1400 <= (r.get("output") or 0) <= 1500, [r.get("resultCode"), r.get("output")])
    check("1,500 interval ticks take under 5 s of wall time", r.get("resultCode") == "SUCCESS" and wall < 5,
          "%.2f s" % wall)


def test_timer_past_timeout():
    r, wall = one("console.log('before'); setTimeout(() => { output = 'late'; }, 5000);", timeout=2)
    err = r.get("error") or {}
    check("a timer due past the timeout gives TIMEOUT", r.get("resultCode") == "TIMEOUT", r.get("resultCode"))
    check("that TIMEOUT names the timeout", "2 s timeout" in (err.get("message") or ""), err)
    check("that TIMEOUT keeps the logs", r.get("resultCode") == "TIMEOUT" and messages(r) == ["before"],
          messages(r))
    check("that TIMEOUT comes at once", r.get("resultCode") == "TIMEOUT" and wall < 1.5, "%.2f s" % wall)
    r, _ = one("setTimeout(() => {}, 100000).unref(); output = 'done';", timeout=2)
    check("an unref'd timer past the timeout does not keep the job", r.get("resultCode") == "SUCCESS"
          and r.get("output") == "done", r)


def test_cap():
    r, _ = one("let i = 0; try { for (; i < 200000; i++) setTimeout(() => {}, 1000); } catch (e) {"
               " output = [i, e.name, e.message]; }", timeout=30, memoryLimit=512)
    out = r.get("output") or [0, "", ""]
    check("pending timers are capped at 100,000", r.get("resultCode") == "SUCCESS" and out[0] == 100000
          and out[1] == "RangeError", [r.get("resultCode"), out, r.get("error")])


def test_many_timers_order():
    """50,000 timers over 1,000 due times, a third of them cleared: the rest
    fire by due time, then in the order they were made."""
    r, _ = one("var d = function (k) { return Math.max(1, (k * 7919) % 1000); }; var o = [];"
               " for (var i = 0; i < 50000; i++) { var t = setTimeout(function (k) { o.push(k); }, d(i), i);"
               " if (i % 3 === 0) clearTimeout(i % 2 ? t : +t); }"
               " setTimeout(function () { var ok = true; for (var j = 1; j < o.length; j++) { var a = d(o[j - 1]), b = d(o[j]);"
               " if (a > b || (a === b && o[j - 1] > o[j]) || o[j] % 3 === 0) ok = false; } output = [o.length, ok]; }, 2000);",
               timeout=30, memoryLimit=256)
    check("50,000 timers fire in Node's order, cleared ones never", r.get("output") == [33333, True],
          [r.get("resultCode"), r.get("output"), r.get("error")])


def test_lodash_timers():
    """lodash reads the timers when it loads: debounce, throttle, delay and
    defer work (the answer is Node 24's for the same code over the same
    lodash build)."""
    r, _ = one("const _ = require('lodash'); const log = []; const d = _.debounce(v => log.push(v), 50); d(1); d(2); d(3);"
               " _.delay(() => log.push('delayed'), 100); _.defer(() => log.push('deferred'));"
               " const th = _.throttle(v => log.push('th' + v), 30); th(1); th(2); setTimeout(() => { output = log; }, 200);")
    check("lodash debounce/throttle/delay/defer run as in Node 24",
          r.get("output") == ["th1", "deferred", "th2", 3, "delayed"], [r.get("resultCode"), r.get("output"), r.get("error")])


def test_next_job_clock():
    """The skipped time is the job's: the executor's next job starts on the
    wall clock again."""
    res, _ = run_jobs([("sleeper", "setTimeout(() => { output = Date.now(); }, 100000);", 120),
                       ("next", "output = Date.now();", 10)])
    now_ms = time.time() * 1000
    a = (res.get("sleeper") or {}).get("output") or 0
    b = (res.get("next") or {}).get("output") or 0
    check("a job that slept 100 s sees the time skipped", a - now_ms > 90000, a - now_ms)
    check("the next job in the same executor sees the wall clock", abs(b - now_ms) < 10000, b - now_ms)


def test_callback_error():
    r, _ = one("console.log('one'); setTimeout(() => { console.log('two'); null.x; }, 1000);")
    err = r.get("error") or {}
    check("a timer callback that throws ends the job as RUNTIME_ERROR",
          r.get("resultCode") == "RUNTIME_ERROR" and err.get("name") == "TypeError", [r.get("resultCode"), err])
    check("a timer callback that throws keeps the logs", messages(r) == ["one", "two"], messages(r))


def main():
    test_long_sleep_is_instant()
    test_sleep_loop()
    test_endless_interval()
    test_fast_interval()
    test_timer_past_timeout()
    test_cap()
    test_many_timers_order()
    test_lodash_timers()
    test_next_job_clock()
    test_callback_error()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
