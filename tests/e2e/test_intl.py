#!/usr/bin/env python3
"""ECMA-402 against Node 24: every case of tests/e2e/intl_cases.json (recorded
from Node 24 by tests/e2e/intl_record.js) runs as a job through
`codeworker exec --jobs`, and its output must equal Node's exactly.

Node 24 ships a newer ICU/CLDR than Debian's ICU 72 (CLDR 42).  Cases whose
answer differs only because the CLDR data differs are listed, each with the
reason, in tests/e2e/intl_cldr_diffs.json; they are reported, not failed.
Everything else must match.  The match rate over all cases is printed.

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
    return summary()


if __name__ == "__main__":
    sys.exit(main())
