#!/usr/bin/env python3
"""Date, time zones and Unicode string methods as Node 24 runs them.

Usage: test_dates.py BUILD_BIN_DIR

tests/e2e/dates/probe.js parses every string of dates/parse_strings.json
(Date.parse and new Date(s)), formats a set of time values with every Date
output method, builds local times across DST changes and calls the setters;
dates/record.js ran the same file under Node 24 with TZ set to each zone of
dates/zones.json and committed the answers as dates/expected.json.  Here the
probe runs as one codeworker job per zone (the job's `timeZone` field) and
every answer must equal Node's: one PASS/FAIL line per parse string and zone,
per formatted value, and per group of the rest.  The string cases
(dates/strings.json: normalize, well-formedness, locale case mapping) are
recorded the same way, and so are 3,000 date-like strings built at random from
the parser's tokens (dates/gen_fuzz.py).  Ends with "N passed, N failed"; exits 1 on failure.
Needs no Node at run time.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "dates")
sys.path.insert(0, os.path.dirname(HERE))
from cwtest import check, summary  # noqa: E402

BIN = os.path.join(os.path.abspath(sys.argv[1]), "codeworker")
FORMAT_METHODS = ["toString", "toDateString", "toTimeString", "toUTCString", "toGMTString", "toISOString",
                  "toJSON", "JSON.stringify", "String", "+''", "getTimezoneOffset", "getHours", "getDate",
                  "getDay", "getMonth", "getFullYear", "valueOf", "parse(toString)", "parse(toUTCString)",
                  "parse(toISOString)"]


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def run_jobs(jobs):
    text = "".join(json.dumps(j) + "\n" for j in jobs)
    p = subprocess.run([BIN, "exec", "--jobs", "-", "--executors", "2"], input=text.encode(),
                       capture_output=True, timeout=300)
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]


def main():
    strings = load("parse_strings.json")
    expected = load("expected.json")
    with open(os.path.join(DATA, "probe.js"), encoding="utf-8") as f:
        probe = f.read()
    zones = list(expected["zones"])
    jobs = [{"jobId": z, "code": probe, "inputData": {"strings": strings}, "timeZone": z} for z in zones]
    results = {r["jobId"]: r for r in run_jobs(jobs)}
    for z in zones:
        r = results.get(z)
        if not check(f"probe runs in {z}", r is not None and r.get("success"),
                     r and (r.get("error") or r.get("resultCode"))):
            continue
        check(f"result records timeZone {z}", r.get("timeZone") == z, r.get("timeZone"))
        got, want = r["output"], expected["zones"][z]
        for i, s in enumerate(strings):
            check(f"parse {z} {json.dumps(s)}", got["parse"][i] == want["parse"][i],
                  f"got {got['parse'][i]}, Node {want['parse'][i]}")
        for i, row in enumerate(want["format"]):
            for j, m in enumerate(FORMAT_METHODS):
                check(f"format {z} #{i} {m}", got["format"][i][j] == row[j],
                      f"got {got['format'][i][j]!r}, Node {row[j]!r}")
        for key in ("local", "setters"):
            check(f"{key} {z}", got[key] == want[key], f"got {got[key]}, Node {want[key]}")
        for key, vals in want["misc"].items():
            check(f"misc.{key} {z}", got["misc"][key] == vals, f"got {got['misc'][key]}, Node {vals}")

    # Differential: strings built at random from the parser's tokens
    # (dates/gen_fuzz.py), one check per zone listing every disagreement.
    fuzz = load("fuzz_strings.json")
    fprobe = "output = input.strings.map(function (s) { var v = Date.parse(s); return v !== v ? null : v; });"
    fres = {r["jobId"]: r for r in run_jobs([{"jobId": z, "code": fprobe, "inputData": {"strings": fuzz},
                                              "timeZone": z} for z in zones])}
    for z in zones:
        got = (fres.get(z) or {}).get("output") or []
        bad = [(s, g, w) for s, g, w in zip(fuzz, got, expected["fuzz"][z]) if g != w]
        check(f"fuzzed date strings in {z}: {len(fuzz)} as Node parses them", len(got) == len(fuzz) and not bad,
              bad[:10])

    # The zone field: unknown zones are INVALID_REQUEST, absent means UTC.
    bad = run_jobs([{"jobId": "bad", "code": "output = 1", "timeZone": "Mars/Olympus_Mons"},
                    {"jobId": "num", "code": "output = 1", "timeZone": 5},
                    {"jobId": "none", "code": "output = new Date(0).getTimezoneOffset() + ' ' + String(new Date(0))"}])
    by = {r["jobId"]: r for r in bad}
    check("unknown timeZone is INVALID_REQUEST", by.get("bad", {}).get("resultCode") == "INVALID_REQUEST",
          by.get("bad"))
    check("non-string timeZone is INVALID_REQUEST", by.get("num", {}).get("resultCode") == "INVALID_REQUEST",
          by.get("num"))
    none = by.get("none", {})
    check("no timeZone means UTC", none.get("output") ==
          "0 Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)" and none.get("timeZone") == "UTC",
          none)
    # A zone never sticks to the executor: the next job is back in UTC.
    seq = run_jobs([{"jobId": "a%d" % i, "code": "output = new Date(0).getHours()",
                     **({"timeZone": "Asia/Tokyo"} if i % 2 == 0 else {})} for i in range(6)])
    check("zones do not leak between jobs", [r.get("output") for r in seq] == [9, 0, 9, 0, 9, 0],
          [r.get("output") for r in seq])

    # Hostile string work: ICU's copies live outside the heap but are bounded
    # by the input, the heap cap still applies to the result, the deadline
    # stops a loop of C calls, and errors from user callbacks propagate.
    hostile = run_jobs([
        {"jobId": "big", "code": "var s = '\u00e9'.repeat(2e6); output = s.normalize('NFD').length",
         "memoryLimit": 32},
        {"jobId": "cap", "code": "var s = '\ufdfa'.repeat(1e6); output = s.normalize('NFKD').length",
         "memoryLimit": 16},
        {"jobId": "loop", "code": "var s = '\u00e9'.repeat(1e5); for (;;) s.normalize('NFD').toUpperCase();",
         "timeout": 1},
        {"jobId": "throws", "code": "output = 'i'.toLocaleUpperCase({get 0() { throw new Error('boom'); }, length: 1})"},
        {"jobId": "parse", "code": "output = [Date.parse('('.repeat(1e6) + 'Jan 1 2020'), Date.parse('9'.repeat(1e6))]"},
    ])
    h = {r["jobId"]: r for r in hostile}
    check("normalize of 2 M characters under a 32 MB cap", h.get("big", {}).get("output") == 4000000, h.get("big"))
    check("an 18x NFKD expansion past the heap cap is MEMORY_LIMIT",
          h.get("cap", {}).get("resultCode") == "MEMORY_LIMIT", h.get("cap"))
    check("a loop of normalize calls stops at the deadline", h.get("loop", {}).get("resultCode") == "TIMEOUT"
          and h["loop"]["executionTimeMs"] < 2000, h.get("loop"))
    check("a throwing locale list propagates", (h.get("throws", {}).get("error") or {}).get("message") == "boom",
          h.get("throws"))
    check("megabyte date strings parse in linear time", h.get("parse", {}).get("output") == [None, None]
          and h["parse"]["executionTimeMs"] < 1000, h.get("parse"))

    if os.path.exists(os.path.join(DATA, "strings.json")):
        cases = load("strings.json")
        with open(os.path.join(DATA, "strings_probe.js"), encoding="utf-8") as f:
            sprobe = f.read()
        r = run_jobs([{"jobId": "strings", "code": sprobe, "inputData": {"cases": cases["cases"]}}])[0]
        if check("string probe runs", r.get("success"), r.get("error")):
            for i, (c, want) in enumerate(zip(cases["cases"], cases["expected"])):
                got = r["output"][i]
                check(f"string {i} {c[0]} {json.dumps(c[1:], ensure_ascii=True)[:60]}", got == want,
                      f"got {json.dumps(got, ensure_ascii=True)[:200]}, Node {json.dumps(want, ensure_ascii=True)[:200]}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
