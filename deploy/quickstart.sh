#!/usr/bin/env bash
# quickstart.sh -- the first five minutes: install, build, run the example jobs.
#
# Safe to re-run: dependencies and the build are only redone when missing or
# changed.  Until the Kafka worker lands this runs the examples through
# `codeworker exec`, the same sandbox and executor pool the worker uses.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build codeworker >/dev/null
echo "% built build/bin/codeworker"

jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
cat >"$jobs" <<'JOBS'
{"jobId":"sum-average","code":"var sum = input.values.reduce(function (a, b) { return a + b }, 0);\noutput = { sum: sum, avg: sum / input.values.length };","inputData":{"values":[3,5,8,13]}}
{"jobId":"group-by","code":"var g = {};\ninput.orders.forEach(function (o) { (g[o.region] = g[o.region] || []).push(o.id) });\noutput = g;","inputData":{"orders":[{"id":1,"region":"eu"},{"id":2,"region":"us"},{"id":3,"region":"eu"}]}}
{"jobId":"date-math","code":"var d = new Date(Date.UTC(2024, 0, 30));\nd.setUTCDate(d.getUTCDate() + input.days);\noutput = d.toISOString().slice(0, 10);","inputData":{"days":3}}
{"jobId":"csv-parse","code":"var rows = input.csv.split('\\n').map(function (l) { return l.split(',') });\nvar head = rows.shift();\noutput = rows.map(function (r) { var o = {}; head.forEach(function (h, i) { o[h] = r[i] }); return o });","inputData":{"csv":"name,qty\napples,3\npears,5"}}
{"jobId":"syntax-error","code":"var x = ;"}
{"jobId":"infinite-loop","code":"while (true) {}","timeout":1}
{"jobId":"blocked-module","code":"require('fs').readFileSync('/etc/passwd')"}
JOBS
echo "% running $(wc -l <"$jobs") example jobs"
./build/bin/codeworker exec --jobs "$jobs" --executors 2 | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    what = json.dumps(r["output"]) if r["success"] else r["error"]["message"]
    print("%15s  %-15s %8.2f ms  %s" % (r["jobId"], r["resultCode"], r["executionTimeMs"], what))
'
echo "% done; try: ./build/bin/codeworker exec --help"
