#!/usr/bin/env bash
# tests/fuzz/long.sh TARGET SECONDS -- fuzz one target for a long time
# (nightly jobs, or by hand before a release).  For fuzz_lower it builds
# the Rust library with sanitizer coverage first (CW_FUZZ_LOWER_SANCOV=0 to
# skip that).
#
# Unlike run.sh, the working corpus persists in build-fuzz/long/<target>/
# and grows from run to run (seeded from tests/fuzz/corpus/<target>/), and
# the seed is random.  Regression inputs are replayed first.  On a finding
# the input is in build-fuzz/artifacts/<target>/; to keep it:
#   build-fuzz/bin/<target> -minimize_crash=1 -runs=20000 <input>   (optional)
#   cp <input> tests/fuzz/regressions/<target>/<what-it-is>
# To fold useful new inputs back into the committed seeds, keeping them few:
#   build-fuzz/bin/<target> -merge=1 tests/fuzz/corpus/<target> build-fuzz/long/<target>/corpus
# Exit status 0 when nothing was found.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CWF_ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 fuzz_job|fuzz_result|fuzz_exec|fuzz_lower SECONDS" >&2
  exit 2
fi
target=$1
secs=$2
out=$CWF_ROOT/build-fuzz
# Long runs of fuzz_lower are worth a coverage-instrumented Rust library
# (about 4 minutes of cargo the first time, a no-op after).
if [ "$target" = fuzz_lower ]; then export CW_FUZZ_LOWER_SANCOV=${CW_FUZZ_LOWER_SANCOV:-1}; fi
bash "$here/build.sh" "$out" || exit 1
bin=$out/bin/$target
if [ ! -x "$bin" ]; then
  echo "SKIP $target: not built (see the lines above)"
  exit 2
fi

cwf_env
status=0
replay=$(cwf_replay "$bin" "$target" "$here/regressions/$target" "$out/regressions/$target")
[ -n "$replay" ] && echo "$replay"
grep -q '^FAIL' <<<"$replay" && status=1

work=$out/long/$target
mkdir -p "$work/corpus"
cp -n "$here/corpus/$target/"* "$work/corpus/" 2>/dev/null
seed=$(( $(od -An -N4 -tu4 /dev/urandom) % 2000000000 + 1 ))
echo "fuzzing $target for ${secs}s (seed $seed, corpus $(find "$work/corpus" -type f | wc -l) inputs, log build-fuzz/long/$target/fuzz.log)"
cwf_fuzz "$bin" "$target" "$work/corpus" "$out/artifacts/$target" "$work/fuzz.log" 0 "$secs" "$seed"
[ -n "$R_KNOWN" ] && echo "note: stopped in C built-ins past the deadline (expected, see README):$R_KNOWN"
if [ "$R_OK" -eq 1 ]; then
  echo "PASS $target ($R_RUNS runs, $R_COV coverage; corpus now $(find "$work/corpus" -type f | wc -l) inputs)"
else
  echo "FAIL $target ($R_RUNS runs): $R_DETAIL"
  status=1
fi
exit $status
