#!/usr/bin/env bash
# tests/run.sh -- install, build and run every test; ends with "N passed, N failed".
#
# Stages (each counted test by test): dependencies and a -Werror build; cmocka
# unit tests (allocation-failure injection included); end-to-end tests of
# `codeworker exec`; the security suite; the external corpora; test262; executor
# confinement; mock-cluster fault injection; deployment files; JSON Schemas;
# ASan+UBSan; valgrind; then against a real Kafka broker (deploy/local/kafka.sh):
# the broker script, the worker, its spans received by an OpenTelemetry
# Collector, bounded chaos runs, the audit sink against
# PostgreSQL and the TypeScript client; finally bounded fuzzing.
# Set CW_TEST_SKIP="asan valgrind kafka" (any subset) to skip stages locally.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
passed=0
failed=0
skip=" ${CW_TEST_SKIP:-} "
start=$(date +%s)

stage=""
say() { stage="$*"; printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }
note_result() { # name rc
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
# Add the PASS/FAIL lines of a suite's output to the totals.  A driver that
# exits non-zero without reporting a failure (it crashed, or stopped early)
# counts as one failure: its silence is not a pass.
count_lines() { # file driver-exit-status
  local p f
  p=$(grep -c '^PASS ' "$1" || true)
  f=$(grep -c '^FAIL ' "$1" || true)
  if [ "${2:-0}" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $stage: the driver exited with status $2 and reported no failure"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
}
# cmocka binaries: count each test case.
run_cmocka() { # dir label
  local bin out rc p f
  for bin in "$1"/test_*; do
    [ -x "$bin" ] || continue
    out=$(mktemp)
    "$bin" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^\[       OK \]' "$out" || true)
    f=$(grep -c '^\[  FAILED  \] test' "$out" || true)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed
    passed=$((passed + p))
    failed=$((failed + f))
    echo "$2 $(basename "$bin"): $p passed, $f failed"
    [ "$rc" -eq 0 ] || sed 's/^/    /' "$out" | tail -40
    rm -f "$out"
  done
}

say "dependencies"
./deploy/install-deps.sh
note_result "install dependencies" $?

say "build (release, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCW_WERROR=ON -DCW_TESTS=ON >build.log 2>&1 &&
  ninja -C build >>build.log 2>&1
rc=$?
note_result "build" $rc
if [ $rc -ne 0 ]; then
  tail -50 build.log
  echo "$passed passed, $failed failed"
  exit 1
fi

say "unit tests"
run_cmocka build/bin unit

say "end-to-end: codeworker exec"
log=$(mktemp)
python3 tests/e2e/test_exec.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "security suite: hostile jobs with their required result types and time bounds"
python3 tests/security/test_hostile.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "security suite: hostile job messages on the input path (nesting, U+0000, duplicates, astral, memory)"
python3 tests/security/test_input.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "security suite: lowering bounds, the code cache in bytes, executor recycling"
python3 tests/security/test_lowering.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "result types: how each hostile job really ended, and Node 24's answers for the native string built-ins"
python3 tests/security/test_results.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "modern JavaScript: the HumanEval-X and MBJSP corpora"
python3 tests/e2e/test_corpus.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "Date, time zones and Unicode strings against answers recorded from Node 24"
python3 tests/e2e/test_dates.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "Intl (ECMA-402 on ICU): 1,350 cases recorded from Node 24"
python3 tests/e2e/test_intl.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "regular expressions: feature cases (answers from Node 24) and test262 RegExp + String methods"
python3 tests/e2e/test_regex.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "error messages in V8's wording (answers from Node 24)"
python3 tests/e2e/test_errors.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "language semantics against Node 24's recorded answers"
python3 tests/e2e/test_language.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "timers: the job's clock skips ahead, the skipped time counts toward the timeout"
python3 tests/e2e/test_timers.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "the runtime's own JavaScript suites and its lazy-loading manifest, on the real executor"
python3 tests/e2e/test_runtime_js.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "test262: the built-ins and syntax agents' code touches, scored among the tests Node 24 passes"
python3 tests/e2e/test_test262.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "executor confinement: /proc checks and the escape-hook test build (build-escape/)"
python3 tests/e2e/test_confine.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "fault injection on librdkafka's mock cluster (produce, coordinator, abortable and fencing errors)"
python3 tests/integration/test_mock_faults.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "deployment files checked against the program (flags, keys, env, ports)"
python3 tests/e2e/test_deploy.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "contracts: JSON Schemas against examples and real results"
python3 tests/e2e/test_schemas.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

say "replay: deterministic jobs (a named seed) replay identical; codeworker replay"
python3 tests/e2e/test_replay.py build/bin | tee "$log"
count_lines "$log" "${PIPESTATUS[0]}"

if [[ $skip != *" asan "* ]]; then
  say "ASan+UBSan build, unit tests and quick end-to-end"
  if cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCW_SANITIZE=ON -DCW_WERROR=ON -DCW_TESTS=ON >build-asan.log 2>&1 &&
    ninja -C build-asan >>build-asan.log 2>&1; then
    note_result "asan build" 0
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # The release build's allocation-failure walk visits every site; under
    # ASan every 4th (a run there is ~20x slower), see test_sandbox_fault.c.
    export CW_FAULT_STRIDE=4
    run_cmocka build-asan/bin asan
    unset CW_FAULT_STRIDE
    python3 tests/e2e/test_exec.py build-asan/bin --sanitized 2>&1 | sed 's/^\(PASS\|FAIL\) /\1 asan: /' | tee "$log"
    count_lines "$log" "${PIPESTATUS[0]}"
    unset ASAN_OPTIONS UBSAN_OPTIONS
  else
    tail -30 build-asan.log
    note_result "asan build" 1
  fi
fi

if [[ $skip != *" valgrind "* ]]; then
  say "valgrind over end-to-end jobs"
  python3 tests/e2e/test_valgrind.py build/bin | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"
fi

if [[ $skip != *" kafka "* ]]; then
  say "Kafka broker script (a throwaway broker on its own port)"
  bash tests/integration/test_kafka_script.sh 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  say "Kafka worker against a real broker"
  export KAFKA_PORT="${KAFKA_PORT:-9092}"
  brokers="127.0.0.1:$KAFKA_PORT"
  ./deploy/local/kafka.sh start
  note_result "local broker starts" $?
  python3 tests/integration/test_worker.py build/bin --jobs 5000 --brokers "$brokers" 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  say "spans: OTLP/HTTP to a real OpenTelemetry Collector (built from its Go modules)"
  python3 tests/integration/test_spans.py build/bin --brokers "$brokers" 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  say "fault injection: kills and a broker restart under load (bounded)"
  python3 loadtest/chaos.py build/bin --jobs 3000 --workers 3 --delivery exactly-once --max-seconds 240 \
    --brokers "$brokers" 2>&1 |
    sed 's/^\(PASS\|FAIL\) /\1 chaos exactly-once: /' | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"
  python3 loadtest/chaos.py build/bin --jobs 3000 --workers 3 --delivery at-least-once --no-broker-restart \
    --max-seconds 240 --brokers "$brokers" 2>&1 | sed 's/^\(PASS\|FAIL\) /\1 chaos at-least-once: /' | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  say "audit sink into a throwaway PostgreSQL (kill -9 and restart included)"
  python3 tests/integration/test_audit.py build/bin --brokers "$brokers" 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  say "TypeScript client against the broker and a worker"
  bash deploy/clients/typescript/test/run.sh "$root/build/bin/codeworker" 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"

  ./deploy/local/kafka.sh stop >/dev/null 2>&1 || true
fi

if [[ $skip != *" fuzz "* ]]; then
  say "fuzzing: libFuzzer targets, regression inputs then bounded runs (tests/fuzz)"
  bash tests/fuzz/run.sh --quick 2>&1 | tee "$log"
  count_lines "$log" "${PIPESTATUS[0]}"
fi

rm -f "$log"
echo
echo "total time: $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
