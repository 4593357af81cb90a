#!/usr/bin/env bash
# bench_kafka.sh -- the through-Kafka benchmarks in one command, so the
# numbers in BENCHMARKS.md can be re-measured the same way on any machine.
#
# Usage: loadtest/bench_kafka.sh [BUILD_BIN_DIR]      (default: build/bin)
#
# Starts the local broker (deploy/local/kafka.sh) if needed and, for each
# delivery mode, a fresh `codeworker run` worker with 2 executors on topics of
# its own; then, with codeworker-loadtest and a 10-record ES5 job mix:
#   1. max throughput: closed loop, BENCH_CONCURRENCY jobs in flight;
#   2. latency at half that rate: open loop, Poisson arrivals;
#   3. latency at the rate the targets name: open loop, Poisson, at half the
#      target throughput (at-least-once 1,000/s, exactly-once 750/s);
#   4. `--compare` twice -- closed loop (throughput ratio) and open loop at
#      half rate (latency ratio) -- which runs the same load through
#      `codeworker exec` with the same number of executors;
# for at-least-once and then exactly-once.
# Prints a table; JSON reports, Markdown summaries and plots stay in
# BENCH_OUT.  Topics are deleted at the end.
#
# Environment: BENCH_SECONDS (per run, default 15), BENCH_CONCURRENCY
# (default 2000), BENCH_OUT (default: a new temporary folder),
# BENCH_TARGET_RATES (default "at-least-once=1000 exactly-once=750"),
# CODEWORKER_BROKERS (default 127.0.0.1:9092).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
BIN="$(cd "${1:-$ROOT/build/bin}" && pwd -P)"
SECS="${BENCH_SECONDS:-15}"
CONC="${BENCH_CONCURRENCY:-2000}"
BROKERS="${CODEWORKER_BROKERS:-127.0.0.1:9092}"
EXECUTORS=2
OUT="${BENCH_OUT:-$(mktemp -d -t cw-bench-kafka.XXXXXX)}"
mkdir -p "$OUT"
LT="$BIN/codeworker-loadtest"
for b in "$BIN/codeworker" "$LT"; do
  [ -x "$b" ] || { echo "bench_kafka: $b not found; build first (cmake --build build)" >&2; exit 2; }
done

# The local broker, unless something already listens on its port.
if [ "$BROKERS" = 127.0.0.1:9092 ] && ! (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
  "$ROOT/deploy/local/kafka.sh" start
fi
python3 "$HERE/make_jobs.py" small-es5 1000 >"$OUT/small.jsonl"

WORKER_PID=""
TOPICS=()
cleanup() {
  if [ -n "$WORKER_PID" ] && kill -0 "$WORKER_PID" 2>/dev/null; then
    kill -TERM "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
  fi
  if [ ${#TOPICS[@]} -gt 0 ]; then
    local IFS=,
    "$LT" --brokers "$BROKERS" --delete-topics "${TOPICS[*]}" || true
  fi
}
trap cleanup EXIT

start_worker() { # MODE TAG
  local mode=$1 tag=$2
  TOPICS+=("$tag.jobs" "$tag.results" "$tag.dlq")
  "$BIN/codeworker" run --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" \
    --dlq-topic "$tag.dlq" --group "$tag.group" --executors "$EXECUTORS" --metrics-port -1 \
    --delivery "$mode" 2>"$OUT/worker-$mode.log" &
  WORKER_PID=$!
  # Warm-up: the group join and the first transaction happen here, not in a
  # measured run.
  "$LT" --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" \
    --jobs "$OUT/small.jsonl" --concurrency 20 --count 500 --drain-timeout 60 >/dev/null
}

stop_worker() {
  kill -TERM "$WORKER_PID"
  wait "$WORKER_PID" || true
  WORKER_PID=""
}

lt() { # NAME TAG LABEL ARGS...
  local name=$1 tag=$2 label=$3
  shift 3
  echo "== $name" >&2
  "$LT" --brokers "$BROKERS" --jobs-topic "$tag.jobs" --results-topic "$tag.results" \
    --jobs "$OUT/small.jsonl" --label "$label" --executors "$EXECUTORS" \
    --json "$OUT/$name.json" --md "$OUT/$name.md" --plots "$OUT/plots-$name" "$@" >"$OUT/$name.txt" || true
  cat "$OUT/$name.txt" >&2
}

throughput_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["throughputJobsPerSec"])' "$1"; }

TARGET_RATES="${BENCH_TARGET_RATES:-at-least-once=1000 exactly-once=750}"
target_rate() { # MODE
  local kv
  for kv in $TARGET_RATES; do
    if [ "${kv%%=*}" = "$1" ]; then echo "${kv#*=}"; fi
  done
}

for mode in at-least-once exactly-once; do
  tag="lt-bench-$mode-$$"
  start_worker "$mode" "$tag"
  lt "$mode-max" "$tag" "$mode" --concurrency "$CONC" --duration "$SECS"
  half=$(python3 -c 'import sys; print(max(1, round(float(sys.argv[1]) / 2)))' "$(throughput_of "$OUT/$mode-max.json")")
  lt "$mode-p99" "$tag" "$mode" --rate "$half" --poisson --duration "$SECS"
  rate=$(target_rate "$mode")
  if [ -n "$rate" ]; then lt "$mode-target" "$tag" "$mode" --rate "$rate" --poisson --duration "$SECS"; fi
  lt "$mode-compare-max" "$tag" "$mode" --compare --concurrency "$CONC" --duration "$SECS"
  lt "$mode-compare-p99" "$tag" "$mode" --compare --rate "$half" --poisson --duration "$SECS"
  stop_worker
done

python3 - "$OUT" "$EXECUTORS" <<'EOF'
import json, os, sys
out, execs = sys.argv[1], sys.argv[2]
rows = []
for m in ("at-least-once", "exactly-once"):
    rows += [(f"{m}-max", f"{m}, closed loop (max throughput)"),
             (f"{m}-p99", f"{m}, open loop Poisson at half the max"),
             (f"{m}-target", f"{m}, open loop Poisson at half the target throughput"),
             (f"{m}-compare-max", f"{m}, compare, closed loop"),
             (f"{m}-compare-p99", f"{m}, compare, open loop Poisson at half the max")]
print()
print(f"one worker, {execs} executors; load: {os.path.join(out, 'small.jsonl')} (10-record ES5 jobs)")
print()
print("| run | via | jobs/s | p50 ms | p90 ms | p99 ms | p99.9 ms | lost | dup | outputs ok |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, title in rows:
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        print(f"| {title} | - | (no report) | | | | | | | |")
        continue
    rep = json.load(open(path))
    for r in rep["runs"]:
        lat = r["latencyMs"] or {}
        via = "exec" if r["mode"] == "exec" else "kafka"
        c = r["correctness"]
        print(f"| {title} | {via} | {r['throughputJobsPerSec']:,.0f} | {lat.get('p50', 0):.2f} | {lat.get('p90', 0):.2f} "
              f"| {lat.get('p99', 0):.2f} | {lat.get('p99_9', 0):.2f} | {r['lost']} | {r['duplicates']} "
              f"| {c['matched']}/{c['checked']} |")
    cmp = rep.get("comparison")
    if cmp:
        print(f"| {title}: ratio | | exec/kafka {cmp['throughputExecOverKafka']:.2f}x | kafka/exec "
              f"{cmp['latencyP50KafkaOverExec']:.1f}x | | {cmp['latencyP99KafkaOverExec']:.1f}x | | | | |")
print()
print(f"reports, summaries and plots: {out}")
EOF
