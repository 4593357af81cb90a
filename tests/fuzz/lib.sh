# tests/fuzz/lib.sh -- shared by run.sh and long.sh (sourced, not run).
#
# One place for what both need: the sanitizer environment, per-target
# libFuzzer options, replaying regression inputs, and a fuzz run that reads
# libFuzzer's log into a verdict.  A run of fuzz_exec that libFuzzer stops
# with a timeout is looked at more closely: if the stack shows the time was
# spent inside one of Duktape's C built-ins (regular expression matching, a
# join, ...), that is the known limit the supervisor's hard kill covers in
# service, so the run continues with the runs that were left (after the
# fourth such stop it ends, still passing, and names them); if it shows
# the bytecode executor, the engine's deadline check failed to fire, which
# is a finding.
# shellcheck shell=bash disable=SC2034

# cwf_env: sanitizer options for every target process.  A smaller quarantine
# that is given back to the system: jobs that churn through large strings
# (each `s + x` on a 100 KB string frees one) otherwise grow the process by
# gigabytes of allocator caches and trip libFuzzer's RSS limit.
cwf_env() {
  # Ours first; whatever the caller set comes after and wins.
  local asan=detect_leaks=1:abort_on_error=0:symbolize=1:handle_abort=1:quarantine_size_mb=64:allocator_release_to_os_interval_ms=500
  export ASAN_OPTIONS=$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
  if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
    local s
    for s in llvm-symbolizer llvm-symbolizer-14; do
      if command -v "$s" >/dev/null 2>&1; then
        export ASAN_SYMBOLIZER_PATH
        ASAN_SYMBOLIZER_PATH=$(command -v "$s")
        break
      fi
    done
  fi
}

# cwf_target_opts TARGET: libFuzzer options that depend on the target.
cwf_target_opts() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  case $1 in
  fuzz_job) echo "-max_len=8192 -dict=$here/dict/job.dict" ;;
  fuzz_result) echo "-max_len=8192" ;;
  fuzz_exec) echo "-max_len=4096 -dict=$here/dict/js.dict" ;;
  fuzz_input) echo "-max_len=4096 -dict=$here/dict/job.dict" ;;
  fuzz_lower) echo "-max_len=4096 -dict=$here/dict/js.dict" ;;
  esac
}

# cwf_failure_reason LOG: the first line that says what went wrong.
cwf_failure_reason() {
  grep -m1 -E 'FUZZ CHECK FAILED|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY:' "$1" |
    sed 's/^==[0-9]*== *//' | cut -c1-200
}

# cwf_timeout_kind LOG: "builtin FUNC" when the innermost engine frame of the
# timeout's stack is a C built-in, "bytecode FUNC" when it is the bytecode
# executor, "other" when neither shows.
cwf_timeout_kind() {
  awk '
    /ERROR: libFuzzer: timeout/ { on = 1; next }
    on && /^ *#[0-9]+ / {
      fn = ""
      for (i = 1; i <= NF; i++) if ($i == "in") { fn = $(i + 1); break }
      if (fn ~ /execute_bytecode|executor_interrupt/) { print "bytecode " fn; found = 1; exit }
      if (fn ~ /^duk_bi_|regexp|^duk__match/) { print "builtin " fn; found = 1; exit }
    }
    on && /^$/ { exit }
    END { if (!found) print "other" }
  ' "$1"
}

# cwf_replay BIN TARGET DIR LOGDIR: run every regression input once; one FAIL
# line per failing input, one PASS line when all pass.
cwf_replay() {
  local bin=$1 target=$2 dir=$3 logdir=$4 f n=0 bad=0 log
  [ -d "$dir" ] || return 0
  mkdir -p "$logdir"
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    log=$logdir/$(basename "$f").log
    if ! "$bin" -timeout=30 "$f" >"$log" 2>&1; then
      bad=$((bad + 1))
      echo "FAIL $target regression ${f#"$CWF_ROOT"/}: $(cwf_failure_reason "$log") (log: ${log#"$CWF_ROOT"/})"
    fi
  done
  if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then
    echo "PASS $target regressions ($n input$([ "$n" -eq 1 ] || echo s))"
  fi
}

# cwf_fuzz BIN TARGET CORPUS ARTIFACTS LOG RUNS SECONDS SEED
# Sets R_OK (1/0), R_RUNS, R_COV, R_DETAIL.  RUNS=0 means no run limit.
cwf_fuzz() {
  local bin=$1 target=$2 corpus=$3 art=$4 log=$5 runs=$6 secs=$7 seed=$8
  local left=$runs restarts=0 done_runs=0 cov='?' rc n kind unit start elapsed
  R_OK=1 R_DETAIL="" R_KNOWN=""
  mkdir -p "$art"
  : >"$log"
  start=$(date +%s)
  while :; do
    local limit=()
    [ "$runs" -gt 0 ] && limit=(-runs="$left")
    elapsed=$(( $(date +%s) - start ))
    # shellcheck disable=SC2046
    "$bin" "${limit[@]}" -max_total_time=$((secs - elapsed > 1 ? secs - elapsed : 1)) \
      -seed="$seed" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$art/" $(cwf_target_opts "$target") "$corpus" >>"$log.part" 2>&1
    rc=$?
    cat "$log.part" >>"$log"
    n=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log.part" | tail -1 | awk '{print $2}')
    [ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$log.part" | tail -1 | tr -d '#')
    done_runs=$((done_runs + ${n:-0}))
    cov=$(grep -oE 'cov: [0-9]+' "$log.part" | tail -1 | awk '{print $2}')
    [ -n "$cov" ] || cov='?'
    if [ "$rc" -eq 0 ]; then
      rm -f "$log.part"
      break
    fi
    unit=$(grep -oE 'Test unit written to .*' "$log.part" | tail -1 | sed 's/Test unit written to //')
    if [ "$target" = fuzz_exec ] && grep -q 'ERROR: libFuzzer: timeout' "$log.part"; then
      kind=$(cwf_timeout_kind "$log.part")
      if [ "${kind%% *}" = builtin ]; then
        restarts=$((restarts + 1))
        case $R_KNOWN in
        *"${unit#"$CWF_ROOT"/}"*) ;;
        *) R_KNOWN="$R_KNOWN ${kind#* } (${unit#"$CWF_ROOT"/})" ;;
        esac
        rm -f "$log.part"
        [ "$runs" -gt 0 ] && left=$((runs - done_runs))
        if [ "$restarts" -gt 3 ]; then break; fi # enough of them: stop, not a failure
        if [ "$runs" -gt 0 ] && [ "$left" -le 0 ]; then break; fi
        if [ $(( $(date +%s) - start )) -ge "$secs" ]; then break; fi
        seed=$((seed + 1))
        continue
      fi
      R_OK=0
      R_DETAIL="timeout ($kind): ${unit#"$CWF_ROOT"/}"
    else
      R_OK=0
      unit=${unit:-no input saved}
      R_DETAIL="$(cwf_failure_reason "$log.part"); input: ${unit#"$CWF_ROOT"/}"
    fi
    rm -f "$log.part"
    break
  done
  R_RUNS=$done_runs
  R_COV=$cov
}
