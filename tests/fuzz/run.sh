#!/usr/bin/env bash
# tests/fuzz/run.sh [--quick] -- build the fuzz targets and run each one for
# a bounded number of inputs; ends with "N passed, N failed".
#
# For every target that built: first replay tests/fuzz/regressions/<target>/
# (inputs that once failed; each must pass now), then fuzz from a fresh copy
# of the committed seeds in tests/fuzz/corpus/<target>/ and print
#   PASS fuzz_<target> (<N> runs, <cov> coverage)
#   FAIL fuzz_<target> (<N> runs): <reason>; input: <crash file>
# Targets that cannot be built yet print SKIP and are not counted.
#
# --quick   fixed seeds and few runs (job/result 20,000, exec 2,000, input
#           20,000 within 30 s, lower 5,000): the tests/run.sh stage, about a minute on 2 cores
# (none)    ten times the runs and a random seed (printed)
# Everything is written under build-fuzz/ at the repository root.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CWF_ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

quick=0
case ${1:-} in
--quick) quick=1 ;;
"") ;;
*) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

out=$CWF_ROOT/build-fuzz
mkdir -p "$out"
passed=0
failed=0
count() { # a PASS/FAIL line
  echo "$1"
  case $1 in PASS*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; esac
}

bash "$here/build.sh" "$out" >"$out/build.out" 2>&1
build_rc=$?
grep -E '^(built|SKIP|FAIL)' "$out/build.out" | while read -r line; do
  case $line in FAIL*) ;; *) echo "$line" ;; esac
done
while read -r line; do count "$line"; done < <(grep '^FAIL' "$out/build.out")
if [ "$build_rc" -ne 0 ] && ! grep -q '^FAIL' "$out/build.out"; then
  count "FAIL fuzz build (see build-fuzz/build.out)"
fi

cwf_env
if [ "$quick" -eq 1 ]; then mult=1; else mult=10; fi
for spec in fuzz_job:20000:60 fuzz_result:20000:60 fuzz_cancel:20000:30 fuzz_exec:2000:90 fuzz_input:20000:30 fuzz_lower:5000:60; do
  IFS=: read -r target runs secs <<<"$spec"
  bin=$out/bin/$target
  [ -x "$bin" ] || continue
  runs=$((runs * mult))
  secs=$((secs * mult))
  if [ "$quick" -eq 1 ]; then seed=1; else seed=$(( $(od -An -N4 -tu4 /dev/urandom) % 2000000000 + 1 )); fi

  while read -r line; do count "$line"; done < <(cwf_replay "$bin" "$target" "$here/regressions/$target" \
    "$out/regressions/$target")

  work=$out/runs/$target
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$here/corpus/$target/"* "$work/corpus/" 2>/dev/null
  cwf_fuzz "$bin" "$target" "$work/corpus" "$out/artifacts/$target" "$work/fuzz.log" "$runs" "$secs" "$seed"
  note=""
  [ -n "$R_KNOWN" ] && note="; stopped in a C built-in past the deadline, as expected:$R_KNOWN"
  [ "$quick" -eq 1 ] || note="$note; seed $seed"
  if [ "$R_OK" -eq 1 ]; then
    count "PASS $target ($R_RUNS runs, $R_COV coverage$note)"
  else
    count "FAIL $target ($R_RUNS runs): $R_DETAIL (log: build-fuzz/runs/$target/fuzz.log)"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
