#!/usr/bin/env bash
# quickstart.sh -- the first five minutes: install, build, start a broker and a
# worker, submit the example jobs, print their results.
#
# Safe to re-run: dependencies and the build are only redone when missing or
# changed, the broker start is idempotent, and the worker started here is
# stopped at the end.  With Java present the real local broker is used
# (deploy/local/kafka.sh); without it, the worker's in-process mock cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build codeworker >/dev/null
echo "% built build/bin/codeworker"

state=.state/quickstart
mkdir -p "$state"
log="$state/worker.log"
if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
  ./deploy/local/kafka.sh start
  brokers="127.0.0.1:${KAFKA_PORT:-9092}"
  ./build/bin/codeworker run --brokers "$brokers" --executors 2 --group codeworker-quickstart \
    --metrics-port 0 2>"$log" &
else
  echo "% Java is not installed: using librdkafka's in-process mock cluster (a demo: nothing is durable)"
  ./build/bin/codeworker run --brokers mock --executors 2 --metrics-port 0 2>"$log" &
  brokers=""
fi
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  grep -q '"partitions assigned"' "$log" 2>/dev/null && break
  kill -0 "$worker" 2>/dev/null || { echo "% the worker exited:"; tail -5 "$log"; exit 1; }
  sleep 0.5
done
if [ -z "$brokers" ]; then # the mock cluster's address is in the start-up line
  brokers=$(sed -n 's/.*"worker started","brokers":"\([^"]*\)".*/\1/p' "$log" | head -1)
fi
echo "% worker running (log: $log); submitting the example jobs to $brokers"

jobs="$state/jobs.jsonl"
run=$(date +%s)
cat >"$jobs" <<JOBS
{"jobId":"sum-average-$run","code":"const sum = input.values.reduce((a, b) => a + b, 0);\noutput = { sum, avg: sum / input.values.length };","inputData":{"values":[3,5,8,13]}}
{"jobId":"lodash-group-by-$run","code":"const _ = require('lodash');\nconst byRegion = _.groupBy(input.orders, o => o.region);\noutput = _.mapValues(byRegion, os => _.sumBy(os, 'total'));","inputData":{"orders":[{"region":"eu","total":5},{"region":"us","total":12},{"region":"eu","total":11}]}}
{"jobId":"date-fns-$run","code":"const { addDays, format, parseISO } = require('date-fns');\noutput = format(addDays(parseISO(input.start), input.days), 'EEEE yyyy-MM-dd');","inputData":{"start":"2024-01-30","days":3}}
{"jobId":"papaparse-csv-$run","code":"const Papa = require('papaparse');\noutput = Papa.parse(input.csv, { header: true, dynamicTyping: true }).data;","inputData":{"csv":"name,city,qty\napples,\"Paris, FR\",3\npears,Rome,5"}}
{"jobId":"syntax-error-$run","code":"const x = ;"}
{"jobId":"infinite-loop-$run","code":"while (true) {}","timeout":1}
JOBS
set +e
./build/bin/codeworker submit "$jobs" --brokers "$brokers" --wait --wait-timeout 60 | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    what = json.dumps(r["output"]) if r["success"] else r["error"]["message"]
    print("%22s  %-13s %8.2f ms  %s" % (r["jobId"].rsplit("-", 1)[0], r["resultCode"], r["executionTimeMs"], what))
'
set -e
cat <<'DONE'
% done.  The worker started here is stopped now; to run one yourself:
%   ./build/bin/codeworker run --executors 4        (Ctrl-C or SIGTERM drains and stops it)
%   ./build/bin/codeworker submit --code 'output = 6 * 7' --wait
%   ./deploy/local/kafka.sh stop                    (stops the local broker)
DONE
