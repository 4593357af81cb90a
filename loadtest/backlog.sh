#!/usr/bin/env bash
# backlog.sh -- how much memory a worker takes when it starts in front of a
# large backlog: the local queue, librdkafka's prefetch and the executors must
# stay bounded however many jobs wait in the topic.
#
# Usage: loadtest/backlog.sh [BUILD_BIN_DIR] [--jobs N] [--max-seconds S]
#                            [--executors N] [--delivery MODE]
#
#   1. starts the local broker if needed (deploy/local/kafka.sh);
#   2. publishes N small jobs (default 1,000,000; 10-record ES5 jobs, a mix of
#      1,000 cycled with fresh jobIds) to fresh topics, before any worker runs;
#   3. starts `codeworker run` (default 2 executors, exactly-once) and samples
#      every 200 ms the RSS and PSS of the supervisor and of its executors from
#      /proc while it works through the backlog;
#   4. prints the maxima, the time to drain and the backlog throughput.
# Everything is bounded by --max-seconds (default 600) from the start of
# publishing: past it the worker is stopped and what was reached is reported.
# PSS divides pages shared between the supervisor and its executors (the
# binary, the libraries) among them, so the PSS sum is the honest total; the
# RSS sum counts shared pages once per process.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
BIN="$ROOT/build/bin"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  BIN="$1"
  shift
fi
BIN="$(cd "$BIN" && pwd -P)"
NJOBS=1000000
MAX_S=600
EXECUTORS=2
MODE=exactly-once
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) NJOBS=$2; shift 2 ;;
    --max-seconds) MAX_S=$2; shift 2 ;;
    --executors) EXECUTORS=$2; shift 2 ;;
    --delivery) MODE=$2; shift 2 ;;
    *) echo "usage: $0 [BUILD_BIN_DIR] [--jobs N] [--max-seconds S] [--executors N] [--delivery MODE]" >&2; exit 2 ;;
  esac
done
BROKERS="${CODEWORKER_BROKERS:-127.0.0.1:9092}"
LT="$BIN/codeworker-loadtest"
OUT="${BENCH_OUT:-$(mktemp -d -t cw-backlog.XXXXXX)}"
mkdir -p "$OUT"
TAG="lt-backlog-$$"
# The local broker, unless something already listens on its port.
if [ "$BROKERS" = 127.0.0.1:9092 ] && ! (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
  "$ROOT/deploy/local/kafka.sh" start
fi
python3 "$HERE/make_jobs.py" small-es5 1000 >"$OUT/small.jsonl"

LT_PID=""
WORKER_PID=""
cleanup() {
  for p in $WORKER_PID $LT_PID; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  "$LT" --brokers "$BROKERS" --delete-topics "$TAG.jobs,$TAG.results,$TAG.dlq" || true
}
trap cleanup EXIT

start=${EPOCHREALTIME%.*}
elapsed() { echo $((${EPOCHREALTIME%.*} - start)); }
over() { [ $((${EPOCHREALTIME%.*} - start)) -gt "$MAX_S" ]; }

# The load tester publishes as fast as it can and then waits for every result.
echo "backlog: publishing $NJOBS jobs to $TAG.jobs" >&2
"$LT" --brokers "$BROKERS" --jobs-topic "$TAG.jobs" --results-topic "$TAG.results" --jobs "$OUT/small.jsonl" \
  --rate 0 --count "$NJOBS" --drain-timeout "$MAX_S" --progress --label "backlog, $MODE" \
  --json "$OUT/backlog.json" --md "$OUT/backlog.md" >"$OUT/loadtest.txt" 2>"$OUT/loadtest.log" &
LT_PID=$!
until grep -q "sent and acknowledged" "$OUT/loadtest.log" 2>/dev/null; do
  if ! kill -0 "$LT_PID" 2>/dev/null; then
    cat "$OUT/loadtest.log" >&2
    echo "backlog: the load tester exited before publishing everything" >&2
    exit 1
  fi
  if over; then
    echo "backlog: publishing took longer than $MAX_S s" >&2
    exit 1
  fi
  sleep 0.5
done
published_s=$(elapsed)
echo "backlog: $NJOBS jobs published in $published_s s; starting the worker ($EXECUTORS executors, $MODE)" >&2

"$BIN/codeworker" run --brokers "$BROKERS" --jobs-topic "$TAG.jobs" --results-topic "$TAG.results" \
  --dlq-topic "$TAG.dlq" --group "$TAG.group" --executors "$EXECUTORS" --metrics-port -1 --delivery "$MODE" \
  2>"$OUT/worker.log" &
WORKER_PID=$!
worker_start=$EPOCHREALTIME

# Sampling forks nothing, so it can keep its 200 ms pace on a busy machine.
kb() { # FIELD FILE -> KB (kB; 0 when the process is gone)
  local k v rest
  KB=0
  while read -r k v rest; do
    if [ "$k" = "$1:" ]; then
      KB=$v
      return
    fi
  done <"$2" 2>/dev/null || true
}
max_sup_rss=0 max_sup_pss=0 max_ex_rss=0 max_ex_pss=0 max_tot_rss=0 max_tot_pss=0 samples=0
while kill -0 "$LT_PID" 2>/dev/null && kill -0 "$WORKER_PID" 2>/dev/null; do
  if over; then
    echo "backlog: stopping at the $MAX_S s bound" >&2
    kill -INT "$LT_PID" 2>/dev/null || true
    sleep 0.2
    kill -INT "$LT_PID" 2>/dev/null || true
    break
  fi
  kb VmRSS "/proc/$WORKER_PID/status"; s_rss=$KB
  kb Pss "/proc/$WORKER_PID/smaps_rollup"; s_pss=$KB
  e_rss=0 e_pss=0
  for f in /proc/"$WORKER_PID"/task/*/children; do
    read -r -a kids <"$f" 2>/dev/null || true
    for c in "${kids[@]}"; do
      kb VmRSS "/proc/$c/status"; e_rss=$((e_rss + KB))
      kb Pss "/proc/$c/smaps_rollup"; e_pss=$((e_pss + KB))
    done
  done
  samples=$((samples + 1))
  ((s_rss > max_sup_rss)) && max_sup_rss=$s_rss
  ((s_pss > max_sup_pss)) && max_sup_pss=$s_pss
  ((e_rss > max_ex_rss)) && max_ex_rss=$e_rss
  ((e_pss > max_ex_pss)) && max_ex_pss=$e_pss
  ((s_rss + e_rss > max_tot_rss)) && max_tot_rss=$((s_rss + e_rss))
  ((s_pss + e_pss > max_tot_pss)) && max_tot_pss=$((s_pss + e_pss))
  sleep 0.2
done
wait "$LT_PID" || true
LT_PID=""
drain_s=$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$worker_start" "$EPOCHREALTIME")
kill -TERM "$WORKER_PID" 2>/dev/null || true
wait "$WORKER_PID" 2>/dev/null || true
WORKER_PID=""

python3 - "$OUT/backlog.json" "$NJOBS" "$published_s" "$drain_s" "$samples" \
  "$max_sup_rss" "$max_sup_pss" "$max_ex_rss" "$max_ex_pss" "$max_tot_rss" "$max_tot_pss" "$EXECUTORS" "$MODE" <<'EOF'
import json, sys
(path, n, pub, drain, samples, srss, spss, erss, epss, trss, tpss, execs, mode) = sys.argv[1:]
try:
    r = json.load(open(path))["runs"][0]
except (OSError, ValueError, IndexError, KeyError):
    r = None
mb = lambda kb: int(kb) / 1024
if r and r.get("allAckedSeconds"):
    pub = f'{r["allAckedSeconds"]:.1f}'
print(f"backlog of {int(n):,} jobs, worker with {execs} executors, {mode}")
print(f"  published in {pub} s; worker ran {drain} s; {samples} memory samples")
if r:
    done = r["completed"]
    print(f"  results: {done:,} of {r['sent']:,} (lost {r['lost']}, unanswered {r['unanswered']}, "
          f"duplicated {r['duplicates']}, outputs ok {r['correctness']['matched']}/{r['correctness']['checked']})")
    if float(drain) > 0:
        print(f"  backlog throughput: {done / float(drain):,.0f} jobs/s (results over the worker's run time)")
print(f"  max RSS: supervisor {mb(srss):.1f} MiB, executors {mb(erss):.1f} MiB, total {mb(trss):.1f} MiB")
print(f"  max PSS: supervisor {mb(spss):.1f} MiB, executors {mb(epss):.1f} MiB, total {mb(tpss):.1f} MiB")
EOF
echo "reports and logs: $OUT" >&2
