#!/bin/sh
# Builds the cw_lower static library (Rust, via cargo) and its standalone C
# test program; optionally runs the test. The C build links
# $TARGET_DIR/release/libcw_lower.a with -Wl,--gc-sections and the system
# libraries Rust's std needs (rustc --print native-static-libs):
# -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc.
#
#   ./build.sh                      build library + test program
#   ./build.sh test [JOBS.jsonl..]  build, then run the tests (and time /
#                                   run the given job corpora)
#
# Environment: CW_LOWER_TARGET_DIR (default: ./target next to this script),
# DUKTAPE_SRC (directory with duktape.c/duktape.h; default: Debian's
# duktape-dev location), CC (default: cc).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
target=${CW_LOWER_TARGET_DIR:-$here/target}
duk=${DUKTAPE_SRC:-/usr/share/duktape}
cc=${CC:-cc}

cargo build --release --locked --manifest-path "$here/Cargo.toml" --target-dir "$target"
lib="$target/release/libcw_lower.a"

mkdir -p "$target/ctest"
# Duktape is compiled once and kept; it dominates the C build time.
if [ ! -f "$target/ctest/duktape.o" ] || [ "$duk/duktape.c" -nt "$target/ctest/duktape.o" ]; then
    "$cc" -std=c99 -O2 -w -c -I"$duk" -o "$target/ctest/duktape.o" "$duk/duktape.c"
fi
"$cc" -std=c11 -O2 -g -Wall -Wextra -I"$here" -I"$duk" -o "$target/ctest/test_lower" \
    "$here/test_lower.c" "$target/ctest/duktape.o" "$lib" -lcjson \
    -Wl,--gc-sections -lgcc_s -lutil -lrt -lpthread -lm -ldl

if [ "${1:-}" = test ]; then
    shift
    cd "$here"
    if [ $# -gt 0 ]; then
        exec "$target/ctest/test_lower" --polyfill test/polyfill_min.js --corpus "$@"
    fi
    exec "$target/ctest/test_lower" --polyfill test/polyfill_min.js
fi
