#!/usr/bin/env bash
# bench_observability.sh -- what spans (otlp.endpoint) and live logs
# (logs.topic) cost a worker, through the local broker.
#
# Usage: loadtest/bench_observability.sh [BUILD_BIN_DIR]   (default: build/bin)
#
# One `codeworker run` worker, 2 executors, at-least-once, on topics of its
# own per configuration; codeworker-loadtest drives the 10-record ES5 jobs
# (closed loop for throughput, then open loop Poisson at 1,000/s for
# latency) with:
#   base        nothing on;
#   spans       otlp.endpoint -> a real OpenTelemetry Collector (built from
#               tests/integration/otelcol, debug exporter at basic
#               verbosity), every job recorded (5 spans each);
#   base-log10  the same jobs each logging 10 lines first, nothing on;
#   logs-log10  those jobs with logs.topic on (an end record per job).
# Prints a table.  Environment: BENCH_SECONDS (default 15), BENCH_OUT,
# CODEWORKER_BROKERS (default 127.0.0.1:9092).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
BIN="$(cd "${1:-$ROOT/build/bin}" && pwd -P)"
SECS="${BENCH_SECONDS:-15}"
BROKERS="${CODEWORKER_BROKERS:-127.0.0.1:9092}"
OUT="${BENCH_OUT:-$(mktemp -d -t cw-bench-obs.XXXXXX)}"
LT="$BIN/codeworker-loadtest"
mkdir -p "$OUT"
if [ "$BROKERS" = 127.0.0.1:9092 ] && ! (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
  "$ROOT/deploy/local/kafka.sh" start
fi
"$ROOT/tests/integration/otelcol/build.sh" "$BIN/cw-otelcol"
python3 "$HERE/make_jobs.py" small-es5 1000 >"$OUT/small.jsonl"
python3 - "$OUT/small.jsonl" >"$OUT/log10.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    j["code"] = "for (var q = 0; q < 10; q++) console.log('row ' + q + ' of ' + input.records.length);\n" + j["code"]
    print(json.dumps(j, separators=(",", ":")))
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$OUT/otelcol.yaml" <<EOF
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$port
exporters:
  debug:
    verbosity: basic
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
EOF
"$BIN/cw-otelcol" --config "file:$OUT/otelcol.yaml" >"$OUT/otelcol.log" 2>&1 &
COL=$!
WORKER_PID=""
TOPICS=()
cleanup() {
  [ -n "$WORKER_PID" ] && kill -TERM "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null || true
  kill "$COL" 2>/dev/null || true
  if [ ${#TOPICS[@]} -gt 0 ]; then
    local IFS=,
    "$LT" --brokers "$BROKERS" --delete-topics "${TOPICS[*]}" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
sleep 3

# CPU seconds (user + system, all threads) a process has used so far.
cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$1/stat"; }

run() { # NAME JOBS WORKER-ARGS...
  local name=$1 jobs=$2 tag="obs-$1-$$"
  shift 2
  TOPICS+=("$tag.jobs" "$tag.results" "$tag.dlq" "$tag.logs")
  "$BIN/codeworker" run --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" \
    --dlq-topic "$tag.dlq" --group "$tag.group" --executors 2 --metrics-port -1 --delivery at-least-once \
    "$@" 2>"$OUT/worker-$name.log" &
  WORKER_PID=$!
  "$LT" --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" --jobs "$jobs" \
    --concurrency 20 --count 500 --drain-timeout 60 >/dev/null
  cpu "$WORKER_PID" >"$OUT/$name-cpu0"
  cpu "$COL" >"$OUT/$name-col0"
  "$LT" --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" --jobs "$jobs" \
    --label "$name" --executors 2 --concurrency 2000 --duration "$SECS" --json "$OUT/$name-max.json" >/dev/null || true
  cpu "$WORKER_PID" >"$OUT/$name-cpu1"
  cpu "$COL" >"$OUT/$name-col1"
  "$LT" --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" --jobs "$jobs" \
    --label "$name" --executors 2 --rate 1000 --poisson --duration "$SECS" --json "$OUT/$name-lat.json" >/dev/null || true
  kill -TERM "$WORKER_PID"
  wait "$WORKER_PID" || true
  WORKER_PID=""
}

run base "$OUT/small.jsonl"
run spans "$OUT/small.jsonl" -X "otlp.endpoint=http://127.0.0.1:$port/v1/traces"
run base-log10 "$OUT/log10.jsonl"
run logs-log10 "$OUT/log10.jsonl" -X "logs.topic=obs-logs-log10-$$.logs"

python3 - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
print()
print("| configuration | closed loop jobs/s | supervisor CPU µs/job | collector CPU µs/job | p50 ms at 1,000/s | p99 ms at 1,000/s | lost | outputs ok |")
print("|---|---|---|---|---|---|---|---|")
def per_job(name, kind, jobs):
    try:
        a = float(open(os.path.join(out, f"{name}-{kind}0")).read())
        b = float(open(os.path.join(out, f"{name}-{kind}1")).read())
        return f"{(b - a) / jobs * 1e6:.1f}"
    except (OSError, ValueError, ZeroDivisionError):
        return "-"
for name, title in (("base", "10-record jobs, nothing on"), ("spans", "the same, spans to a collector"),
                    ("base-log10", "jobs logging 10 lines, nothing on"), ("logs-log10", "the same, logs.topic on")):
    try:
        mx = json.load(open(os.path.join(out, name + "-max.json")))["runs"][0]
        lt = json.load(open(os.path.join(out, name + "-lat.json")))["runs"][0]
    except (OSError, KeyError, IndexError, ValueError):
        print(f"| {title} | (no report) | | | | | | |")
        continue
    lat = lt["latencyMs"] or {}
    c = mx["correctness"]
    print(f"| {title} | {mx['throughputJobsPerSec']:,.0f} | {per_job(name, 'cpu', mx['completed'])} "
          f"| {per_job(name, 'col', mx['completed']) if name == 'spans' else '-'} | {lat.get('p50', 0):.2f} | {lat.get('p99', 0):.2f} "
          f"| {mx['lost'] + lt['lost']} | {c['matched']}/{c['checked']} |")
EOF
