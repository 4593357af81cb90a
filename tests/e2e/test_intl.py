#!/usr/bin/env python3
"""ECMA-402 against Node 24: every case of tests/e2e/intl_cases.json (recorded
from Node 24 by tests/e2e/intl_record.js) runs as a job through
`codeworker exec --jobs`, and its output must equal Node's exactly.

Node 24 ships a newer ICU/CLDR than Debian's ICU 72 (CLDR 42).  Cases whose
answer differs only because the CLDR data differs are listed, each with the
reason, in tests/e2e/intl_cldr_diffs.json; they are reported, not failed.
Everything else must match.  The match rate over all cases is printed.
The jobs run in confined executors (seccomp), so a case that made ICU open
a file would come back WORKER_CRASHED.  Hostile and heavy jobs (deadline,
cache bound, memory cap, broken UTF-16) end the file.

    python3 tests/e2e/test_intl.py build/bin
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from cwtest import check, summary  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
CW = os.path.join(BIN, "codeworker")


# Hostile and heavy uses: each must end with the given result code and never
# crash or stall the executor (ICU work happens outside the job's heap, so
# the cache bound and the deadline checks in worker/intl are what hold).
HOSTILE = [
    ("segmenter on 8M characters stops at the deadline, logs kept",
     {"code": "console.log('before'); var s = 'ab '.repeat(2700000); var n = 0;"
              " for (var x of new Intl.Segmenter('en', {granularity: 'word'}).segment(s)) n++; output = n;", "timeout": 1},
     "TIMEOUT", lambda r: any(l["message"] == "before" for l in r["logs"])),
    ("5,000 distinct formatters in one job",
     {"code": "var a = []; for (var i = 0; i < 5000; i++) a.push(new Intl.NumberFormat('de-DE', {minimumFractionDigits: i % 21,"
              " maximumFractionDigits: 100, minimumIntegerDigits: 1 + (i % 21)}).format(i / 7)); output = a.length;"},
     "SUCCESS", lambda r: r["output"] == 5000),
    ("formatters of every locale and zone in one job",
     {"code": "var z = Intl.supportedValuesOf('timeZone'), n = 0; for (var i = 0; i < z.length; i++)"
              " n += new Intl.DateTimeFormat(['de-DE', 'ja-JP', 'ar-EG'][i % 3], {timeZone: z[i], dateStyle: 'full', timeStyle: 'full'})"
              ".format(0).length > 0; output = n === z.length;"},
     "SUCCESS", lambda r: r["output"] is True),
    ("a list of 200,000 items against a small heap",
     {"code": "var a = []; for (var i = 0; i < 200000; i++) a.push('item' + i); output = new Intl.ListFormat('en').format(a).length;",
      "memoryLimit": 8},
     None, lambda r: r["resultCode"] in ("SUCCESS", "MEMORY_LIMIT")),
    ("lone surrogates and non-BMP text through every formatter (Node: [1, 15, 4, 0])",
     {"code": "var s = '\\ud800x\\udfff\\ud83d\\ude00'; output = [new Intl.Collator('en').compare(s, 'x'),"
              " new Intl.ListFormat('en').format([s, s]).length, Array.from(new Intl.Segmenter().segment(s)).length,"
              " s.localeCompare(s)];"},
     "SUCCESS", lambda r: r["output"] == [1, 15, 4, 0]),
    ("a 20M-character list is refused before ICU copies it",
     {"code": "var s = 'x'.repeat(5000000); try { new Intl.ListFormat('en').format([s, s, s, s, s]); output = 'formatted'; }"
              " catch (e) { output = e.name; }", "memoryLimit": 256},
     "SUCCESS", lambda r: r["output"] == "RangeError"),
    ("a 2,000-digit decimal string is formatted as its Number",
     {"code": "output = [new Intl.NumberFormat('en').format('9'.repeat(2000)), new Intl.NumberFormat('en').format('1e99999999')];"},
     "SUCCESS", lambda r: r["output"] == ["∞", "∞"]),
    ("toLocale* and localeCompare still work after the job replaced Intl (as in Node)",
     {"code": "Intl = {}; output = [new Date(0).toLocaleDateString('de-DE', {timeZone: 'UTC'}), 'b'.localeCompare('a'),"
              " (5).toLocaleString('fr-FR', {style: 'percent'})];"},
     "SUCCESS", lambda r: r["output"] == ["1.1.1970", 1, "500\u00a0%"]),
    ("formatters reused by toLocale* follow the options of each call (mutation, getters)",
     {"code": "var o = {style: 'currency', currency: 'USD'}, r = []; r.push((1.5).toLocaleString('en-US', o)); o.currency = 'EUR'; r.push((1.5).toLocaleString('en-US', o)); r.push((1.5).toLocaleString('de-DE', o)); r.push((1.5).toLocaleString('en-US', {style: 'percent'})); var n = 0; var g = {get maximumFractionDigits() { n++; return n > 1 ? 3 : 0; }}; r.push((1.2345).toLocaleString('en-US', g)); r.push((1.2345).toLocaleString('en-US', g)); r.push(new Date(0).toLocaleDateString('en-US', {timeZone: 'UTC', month: 'long'}), new Date(0).toLocaleDateString('en-US', {timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric'})); r.push(['b', 'A', 'a'].sort(function (x, y) { return x.localeCompare(y, 'en', {caseFirst: 'upper'}); }).join(''), ['b', 'A', 'a'].sort(function (x, y) { return x.localeCompare(y, 'en', {caseFirst: 'lower'}); }).join('')); output = r; "},
     "SUCCESS", lambda r: r["output"] == ["$1.50", "\u20ac1.50", "1,50\u00a0\u20ac", "150%", "1", "1.235", "January", "January 1",
                                          "Aab", "aAb"]),
    ("over-long locale and option strings are RangeErrors",
     {"code": "var e = []; try { new Intl.NumberFormat('en-' + 'a'.repeat(5000)); } catch (x) { e.push(x.name); }"
              " try { new Intl.DateTimeFormat('en', {timeZone: 'x'.repeat(100000)}); } catch (x) { e.push(x.name); } output = e;"},
     "SUCCESS", lambda r: r["output"] == ["RangeError", "RangeError"]),
]


def hostile():
    jobs = "".join(json.dumps(dict({"jobId": f"h{i}"}, **job)) + "\n" for i, (_, job, _, _) in enumerate(HOSTILE))
    p = subprocess.run([CW, "exec", "--jobs", "-", "--executors", "2"], input=jobs.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    got = {}
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        got[r["jobId"]] = r
    for i, (name, _, code, ok) in enumerate(HOSTILE):
        r = got.get(f"h{i}")
        good = r is not None and (code is None or r["resultCode"] == code) and ok(r)
        check(f"hostile: {name}", good, r and {k: r.get(k) for k in ("resultCode", "output", "error")})


def main():
    with open(os.path.join(HERE, "intl_cases.json")) as f:
        data = json.load(f)
    with open(os.path.join(HERE, "intl_cldr_diffs.json")) as f:
        diffs = json.load(f)["cases"]
    cases = data["cases"]
    jobs = "".join(json.dumps({"jobId": str(i), "code": c["code"], "timeout": 20}) + "\n" for i, c in enumerate(cases))
    p = subprocess.run([CW, "exec", "--jobs", "-", "--executors", "2"], input=jobs.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    results = {}
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        results[r["jobId"]] = r
    check("one result per case", len(results) == len(cases), f"{len(results)} of {len(cases)}")
    exact = 0
    by_family = {}
    known = 0
    for i, c in enumerate(cases):
        r = results.get(str(i))
        got = r.get("output") if r and r.get("success") else (r or {}).get("error")
        ok = got == c["expect"]
        fam = c["family"].split("/")[0]
        tot = by_family.setdefault(fam, [0, 0])
        tot[1] += 1
        name = f"{c['family']}: {c['name']}"
        if ok:
            exact += 1
            tot[0] += 1
            check(name, True)
        elif name in diffs:
            known += 1
            print(f"CLDR {name}: {diffs[name]}")
        else:
            check(name, False, f"got {json.dumps(got, ensure_ascii=False)[:300]} want {json.dumps(c['expect'], ensure_ascii=False)[:300]}")
    stale = [n for n in diffs if not any(f"{c['family']}: {c['name']}" == n for c in cases)]
    check("every listed CLDR difference names a case", not stale, stale[:5])
    print(f"# recorded with Node {data['recordedWith']['node']} (ICU {data['recordedWith']['icu']}, CLDR {data['recordedWith']['cldr']})")
    for fam, (a, b) in sorted(by_family.items()):
        print(f"# {fam}: {a}/{b} identical to Node 24")
    print(f"# match rate: {exact}/{len(cases)} = {100.0 * exact / len(cases):.1f}% identical to Node 24; "
          f"{known} listed as CLDR-version differences")
    hostile()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
