#!/usr/bin/env python3
"""Cost of Intl formatting in codeworker beside Node, in the same run.

For Intl.NumberFormat and Intl.DateTimeFormat (de-DE, currency / a long date
with time in Europe/Berlin): the first construct+format in a fresh heap
(which in codeworker also loads the intl polyfill group and opens the ICU
formatter), and a repeated format (the mean of 2,000 calls on one
formatter), and a toLocaleString loop that builds a formatter per call.
Times are measured inside the job with performance.now(); each figure is
the median over RUNS jobs.  Node runs the same code in one fresh process per
run.

    python3 loadtest/bench_intl.py build/bin [node]
"""
import json
import statistics
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
NODE = sys.argv[2] if len(sys.argv) > 2 else "node"
RUNS = 15

CODE = r"""
var t0 = performance.now();
var nf = new Intl.NumberFormat('de-DE', {style: 'currency', currency: 'EUR'});
var s1 = nf.format(1234.5);
var t1 = performance.now();
for (var i = 0; i < 2000; i++) nf.format(i + 0.25);
var t2 = performance.now();
var df = new Intl.DateTimeFormat('de-DE', {dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin'});
var s2 = df.format(1705314645123);
var t3 = performance.now();
for (var j = 0; j < 2000; j++) df.format(1705314645123 + j * 60000);
var t4 = performance.now();
for (var k = 0; k < 2000; k++) (k + 0.5).toLocaleString('de-DE', {maximumFractionDigits: 1});
var t5 = performance.now();
output = {nfFirst: (t1 - t0) * 1000, nfRepeat: (t2 - t1) / 2000 * 1000, dtfFirst: (t3 - t2) * 1000,
          dtfRepeat: (t4 - t3) / 2000 * 1000, toLocaleRepeat: (t5 - t4) / 2000 * 1000, s: [s1, s2]};
"""


def med(rows, k):
    return statistics.median(r[k] for r in rows)


def main():
    jobs = "".join(json.dumps({"jobId": str(i), "code": CODE}) + "\n" for i in range(RUNS))
    p = subprocess.run([BIN + "/codeworker", "exec", "--jobs", "-", "--executors", "1"], input=jobs.encode(),
                       stdout=subprocess.PIPE, check=True)
    cw = [json.loads(l)["output"] for l in p.stdout.decode().splitlines()]
    node = []
    for _ in range(RUNS):
        q = subprocess.run([NODE, "-e", "var output;" + CODE + ";console.log(JSON.stringify(output))"],
                           stdout=subprocess.PIPE, check=True)
        node.append(json.loads(q.stdout))
    print(f"{'us':24} {'codeworker':>12} {'node':>10}")
    for k, label in [("nfFirst", "NumberFormat first"), ("nfRepeat", "NumberFormat repeated"),
                     ("dtfFirst", "DateTimeFormat first"), ("dtfRepeat", "DateTimeFormat repeated"),
                     ("toLocaleRepeat", "toLocaleString w/ options")]:
        print(f"{label:24} {med(cw, k):12.1f} {med(node, k):10.1f}")
    print("outputs:", cw[0]["s"], node[0]["s"])


if __name__ == "__main__":
    main()
