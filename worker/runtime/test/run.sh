#!/bin/bash
# run.sh -- builds the test host, the polyfill groups and the library
# bundles, then runs every *.test.js in a fresh Duktape heap each and checks
# the polyfill manifest. Ends with "N passed, N failed"; exits non-zero on any
# failure.
#
#   worker/runtime/test/run.sh [--bench [N]] [--no-libs]
#
# OUT_DIR (default worker/runtime/test/build) receives everything built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runtime="$here/.."
libs="$here/../../libs"
out=${OUT_DIR:-"$here/build"}
bench=""
with_libs=1
while [ $# -gt 0 ]; do
    case "$1" in
        --bench) bench=200; if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then bench=$2; shift; fi ;;
        --no-libs) with_libs=0 ;;
        *) echo "Error: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

"$here/build.sh" "$out" >/dev/null
"$runtime/build.sh" "$out/runtime"
libargs=()
tests=("$here"/*.test.js)
if [ "$with_libs" = 1 ]; then
    if [ ! -d "$libs/node_modules" ]; then
        (cd "$libs" && npm ci --no-audit --no-fund >&2)
    fi
    node "$libs/build.mjs" --out "$out/libs" 2>/dev/null
    libargs=(-l "$out/libs")
else
    tests=()
    for t in "$here"/*.test.js; do
        [ "$(basename "$t")" = libs.test.js ] || tests+=("$t")
    done
fi

# The Intl and Date expectations are for the UTC zone.
export TZ=UTC
host="$out/duk_host"
if [ -n "$bench" ]; then
    exec "$host" -r "$out/runtime" "${libargs[@]}" --bench "$bench"
fi
# The web groups are made of library bundles: --check needs them too.
"$host" -r "$out/runtime" "${libargs[@]}" --check >&2
"$host" -r "$out/runtime" "${libargs[@]}" -H "$here/harness.js" "${tests[@]}"
