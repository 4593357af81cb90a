#!/bin/sh
# build.sh -- compiles the polyfill/library test host (duk_host) against the
# Duktape amalgamation shipped by the system package (duktape-dev).
#
#   worker/runtime/test/build.sh [OUT_DIR]     (default: worker/runtime/test/build)
#
# DUKTAPE_SRC overrides the folder holding duktape.c/duktape.h/duk_config.h.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/build"}
duk=${DUKTAPE_SRC:-/usr/share/duktape}
CC=${CC:-cc}
mkdir -p "$out"
# The engine is the slow part: rebuild it only when missing.
if [ ! -f "$out/duktape.o" ]; then
    $CC -std=c11 -O2 -c -o "$out/duktape.o" -I"$duk" "$duk/duktape.c"
fi
$CC -std=c11 -O2 -Wall -Wextra -o "$out/duk_host" -I"$duk" "$here/duk_host.c" "$out/duktape.o" -lm
echo "$out/duk_host"
