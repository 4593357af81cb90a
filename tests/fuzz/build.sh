#!/usr/bin/env bash
# tests/fuzz/build.sh [OUTDIR] -- build the libFuzzer targets with clang.
#
# Standalone on purpose (no CMake): the targets need -fsanitize=fuzzer on
# everything they link, which the product build must never carry.  Sources
# are compiled straight from the tree; Duktape is set up the way
# CMakeLists.txt does it (a folder of symlinks named duktape.c/duktape.h to
# the packaged amalgamation and duk_config.h to worker/duktape/duk_config.h)
# and its object is cached in OUTDIR, since it dominates build time.
#
#   fuzz_job, fuzz_result  always built; failure to build them fails the script
#   fuzz_exec              needs worker/cw_sandbox.c and Duktape, plus what
#                          the sandbox has grown to use: worker/cw_runtime.c
#                          with the generated table cw_runtime_data.c of a
#                          product build (build/runtime/, or
#                          CW_FUZZ_RUNTIME_DATA), worker/cw_lowering.c with
#                          libcw_lower.a (below).  If it gained dependencies
#                          this script does not know, it prints SKIP (add
#                          sources with CW_FUZZ_EXEC_EXTRA="file.c lib.a ...")
#   fuzz_input             the input path (job bytes to heap values); built
#                          from the same sources as fuzz_exec, skipped with it
#   fuzz_lower             needs worker/lower/cw_lower.h and a built
#                          libcw_lower.a (CW_LOWER_LIB, else build-lower/
#                          as CMake makes it, else the newest under build*/
#                          or worker/lower/target/); else SKIP.
#                          CW_FUZZ_LOWER_SANCOV=1 builds the library with
#                          sanitizer coverage into OUTDIR first (cargo) and
#                          links both targets with it.
#
# Environment: CC (default clang, else clang-14), CW_DUKTAPE_DIR
# (default /usr/share/duktape), CW_FUZZ_CFLAGS (extra flags).
# OUTDIR defaults to build-fuzz/ at the repository root (git-ignored).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-fuzz}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
# One build at a time per OUTDIR (run.sh and long.sh may start together).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$out/.build.lock"
  flock 9
fi
duk_dir=${CW_DUKTAPE_DIR:-/usr/share/duktape}

cc=${CC:-}
if [ -z "$cc" ]; then
  for c in clang clang-14; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
if [ -z "$cc" ] || ! "$cc" --version 2>/dev/null | grep -q clang; then
  echo "FAIL fuzz build: clang not found (apt-get install clang-14 libclang-rt-14-dev)"
  exit 1
fi
for f in duktape.c duktape.h duk_config.h; do
  if [ ! -f "$duk_dir/$f" ]; then
    echo "FAIL fuzz build: $duk_dir/$f not found (install duktape-dev)"
    exit 1
  fi
done

# shellcheck disable=SC2054 # commas inside one clang flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
base=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer)
read -ra extra <<<"${CW_FUZZ_CFLAGS:-}"
warn=(-Wall -Wextra -Wno-unused-parameter)
read -ra cjson_cflags <<<"$(pkg-config --cflags libcjson 2>/dev/null || echo "-I/usr/include/cjson")"
read -ra cjson_libs <<<"$(pkg-config --libs libcjson 2>/dev/null || echo "-lcjson")"

# ---- Duktape, configured like CMakeLists.txt -------------------------------
dukb=$out/duktape
mkdir -p "$dukb" "$out/bin" "$out/log"
ln -sfn "$duk_dir/duktape.c" "$dukb/duktape.c"
ln -sfn "$duk_dir/duktape.h" "$dukb/duktape.h"
ln -sfn "$root/worker/duktape/duk_config.h" "$dukb/duk_config.h"
duk_def=-DCW_DUK_PACKAGED_CONFIG=\"$duk_dir/duk_config.h\"
# Duktape computes `NULL + 0` in ordinary operation (empty property tables,
# duk_hobject_props.c), which clang's pointer-overflow check reports on the
# first heap; that one check is left out for the engine, every other one stays.
duk_cmd=("$cc" "${base[@]}" "${extra[@]}" "${san[@]}" -fno-sanitize=pointer-overflow
  -fsanitize=fuzzer-no-link -w "$duk_def")
duk_flags="${duk_cmd[*]}"
duk_obj=$dukb/duktape.o
build_duktape() {
  if [ -f "$duk_obj" ] && [ "$(cat "$dukb/flags" 2>/dev/null)" = "$duk_flags" ] &&
    [ "$duk_obj" -nt "$duk_dir/duktape.c" ] && [ "$duk_obj" -nt "$root/worker/duktape/duk_config.h" ] &&
    [ "$duk_obj" -nt "$root/worker/duktape/cw_duk_engine.c" ]; then
    return 0
  fi
  echo "compiling Duktape with sanitizers (once; about a minute)"
  rm -f "$duk_obj" "$dukb/flags"
  if "${duk_cmd[@]}" -I"$dukb" -I"$root/worker/duktape" -c "$root/worker/duktape/cw_duk_engine.c" \
    -o "$duk_obj.tmp" >"$out/log/duktape.log" 2>&1; then
    mv "$duk_obj.tmp" "$duk_obj"
    echo "$duk_flags" >"$dukb/flags"
    return 0
  fi
  tail -20 "$out/log/duktape.log"
  return 1
}

# link NAME SOURCES... -- one clang call per target; log in OUTDIR/log/NAME.log
link() {
  local name=$1
  shift
  "$cc" "${base[@]}" "${extra[@]}" "${san[@]}" -fsanitize=fuzzer "${warn[@]}" \
    -I"$root/common" -I"$root/worker" -I"$here" "${cjson_cflags[@]}" "$@" \
    -o "$out/bin/$name.tmp" >"$out/log/$name.log" 2>&1 &&
    mv "$out/bin/$name.tmp" "$out/bin/$name"
}

status=0
common_min=("$root/common/cw_err.c" "$root/common/cw_buf.c" "$root/common/cw_utf8.c")

# fuzz_job and fuzz_result first: they must always build.
if link fuzz_job "$here/fuzz_job.c" "${common_min[@]}" "$root/common/cw_job.c" "$root/common/cw_json.c" "$root/common/cw_trace.c" \
  "$root/common/cw_result.c" "${cjson_libs[@]}" -lm; then
  echo "built fuzz_job"
else
  echo "FAIL fuzz build: fuzz_job"; sed 's/^/    /' "$out/log/fuzz_job.log" | head -30; status=1
fi
if link fuzz_cancel "$here/fuzz_cancel.c" "${common_min[@]}" "$root/common/cw_json.c" "$root/worker/cw_cancel.c" -lm; then
  echo "built fuzz_cancel"
else
  echo "FAIL fuzz build: fuzz_cancel"; sed 's/^/    /' "$out/log/fuzz_cancel.log" | head -30; status=1
fi
if link fuzz_result "$here/fuzz_result.c" "${common_min[@]}" "$root/common/cw_result.c" -lm; then
  echo "built fuzz_result"
else
  echo "FAIL fuzz build: fuzz_result"; sed 's/^/    /' "$out/log/fuzz_result.log" | head -30; status=1
fi

# ---- the lowering library (worker/lower, Rust), used by both targets below --
lower_h=$root/worker/lower/cw_lower.h
lower_lib=${CW_LOWER_LIB:-}
if [ -z "$lower_lib" ] && [ "${CW_FUZZ_LOWER_SANCOV:-0}" = 1 ] && [ -f "$root/worker/lower/Cargo.toml" ]; then
  echo "building libcw_lower with sanitizer coverage (cargo; about 4 minutes the first time)"
  # inline 8-bit counters, PC table and comparison tracing: what libFuzzer
  # reads; no sanitizer in the Rust code itself.  An explicit --target keeps
  # RUSTFLAGS off build scripts and proc macros, which could not link them.
  host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
  if [ -n "$host" ] && RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=3 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cforce-frame-pointers=yes" \
    cargo build --release --locked --manifest-path "$root/worker/lower/Cargo.toml" --target "$host" \
    --target-dir "$out/lower-sancov" >"$out/log/lower-sancov.log" 2>&1; then
    lower_lib=$out/lower-sancov/$host/release/libcw_lower.a
  else
    echo "    (sancov build failed, see $out/log/lower-sancov.log; using an uninstrumented library)"
  fi
fi
# Else the product build's (CMake's CW_LOWER_TARGET_DIR default), else the
# newest one anywhere in the tree.
if [ -z "$lower_lib" ] && [ -f "$root/build-lower/release/libcw_lower.a" ]; then
  lower_lib=$root/build-lower/release/libcw_lower.a
fi
if [ -z "$lower_lib" ]; then
  lower_lib=$(find "$root"/build* "$root/worker/lower/target" -name libcw_lower.a -path '*release*' \
    -not -path "$out/*" -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-)
  [ -n "$lower_lib" ] || lower_lib=$(find "$out/lower-sancov" -path '*/release/libcw_lower.a' 2>/dev/null | head -1)
fi
[ -n "$lower_lib" ] && [ ! -f "$lower_lib" ] && lower_lib=
lower_libs=("$lower_lib" -lm -lpthread -ldl)

# fuzz_exec: the sandbox and the engine.
if ! build_duktape; then
  echo "SKIP fuzz_exec: Duktape did not compile (see $out/log/duktape.log)"
  echo "SKIP fuzz_lower: Duktape did not compile"
  exit $status
fi
rm -f "$out/bin/fuzz_exec"
read -ra exec_extra <<<"${CW_FUZZ_EXEC_EXTRA:-}"
exec_skip=
# The embedded runtime: its code is instrumented like the sandbox, its
# generated byte tables (bytecode of this engine configuration, which the
# sanitizers do not change) are compiled plain and cached.
if [ -f "$root/worker/cw_runtime.c" ]; then
  exec_extra+=("$root/worker/cw_runtime.c")
  rt_data=${CW_FUZZ_RUNTIME_DATA:-}
  # The release build's table first (tests/run.sh has just made it), else
  # the newest from any other build folder.
  if [ -z "$rt_data" ] && [ -f "$root/build/runtime/cw_runtime_data.c" ]; then
    rt_data=$root/build/runtime/cw_runtime_data.c
  fi
  if [ -z "$rt_data" ]; then
    rt_data=$(find "$root"/build* -maxdepth 3 -name cw_runtime_data.c -not -path "$out/*" \
      -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-)
  fi
  if [ -z "$rt_data" ] || [ ! -f "$rt_data" ]; then
    exec_skip="the generated runtime table (cw_runtime_data.c) is missing: build the product first (cmake --build build) or set CW_FUZZ_RUNTIME_DATA"
  else
    rt_obj=$out/runtime_data.o
    if [ ! -f "$rt_obj" ] || [ "$rt_data" -nt "$rt_obj" ] || [ "$(cat "$out/runtime_data.src" 2>/dev/null)" != "$rt_data" ]; then
      echo "compiling the runtime table (${rt_data#"$root"/})"
      if "$cc" -std=c11 -D_GNU_SOURCE -O0 -w -I"$root/worker" -I"$dukb" "$duk_def" -c "$rt_data" \
        -o "$rt_obj.tmp" >"$out/log/runtime_data.log" 2>&1; then
        mv "$rt_obj.tmp" "$rt_obj"
        echo "$rt_data" >"$out/runtime_data.src"
      else
        exec_skip="the runtime table did not compile (see $out/log/runtime_data.log)"
      fi
    fi
    exec_extra+=("$rt_obj")
  fi
fi
# The lowering glue, once the sandbox lowers jobs: it needs the Rust library.
if [ -z "$exec_skip" ] && [ -f "$root/worker/cw_lowering.c" ]; then
  if [ -n "$lower_lib" ]; then
    exec_extra+=(-I"$root/worker/lower" "$root/worker/cw_lowering.c" "${lower_libs[@]}")
  else
    exec_skip="the sandbox lowers jobs but libcw_lower.a is not built (cmake --build build, or set CW_LOWER_LIB)"
  fi
fi
if [ -n "$exec_skip" ]; then
  echo "SKIP fuzz_exec: $exec_skip"
elif link fuzz_exec -I"$dukb" "$duk_def" "$here/fuzz_exec.c" "$root"/common/*.c \
  "$root/worker/cw_sandbox.c" "$root/worker/cw_strings.c" "${exec_extra[@]}" "$duk_obj" "${cjson_libs[@]}" -lm -lpthread -ldl; then
  echo "built fuzz_exec${lower_lib:+ (lowering: ${lower_lib#"$root"/})}"
else
  echo "SKIP fuzz_exec: worker/cw_sandbox.c did not build or link with the sources known here" \
    "(new dependencies? set CW_FUZZ_EXEC_EXTRA); first errors:"
  grep -m5 -E 'error|undefined reference' "$out/log/fuzz_exec.log" | sed 's/^/    /'
fi

# fuzz_input: job bytes to heap values, on the same sources as fuzz_exec.
rm -f "$out/bin/fuzz_input"
if [ -n "$exec_skip" ]; then
  echo "SKIP fuzz_input: $exec_skip"
elif link fuzz_input -I"$dukb" "$duk_def" "$here/fuzz_input.c" "$root"/common/*.c \
  "$root/worker/cw_sandbox.c" "${exec_extra[@]}" "$duk_obj" "${cjson_libs[@]}" -lm -lpthread -ldl; then
  echo "built fuzz_input"
else
  echo "SKIP fuzz_input: did not build with the sources known here; first errors:"
  grep -m5 -E 'error|undefined reference' "$out/log/fuzz_input.log" | sed 's/^/    /'
fi

# fuzz_lower: only when the Rust library exists.
rm -f "$out/bin/fuzz_lower"
if [ ! -f "$lower_h" ]; then
  echo "SKIP fuzz_lower: worker/lower/cw_lower.h not present"
elif [ -z "$lower_lib" ] || [ ! -f "$lower_lib" ]; then
  echo "SKIP fuzz_lower: libcw_lower.a not built yet (worker/lower/build.sh, or set CW_LOWER_LIB)"
elif link fuzz_lower -I"$dukb" -I"$root/worker/lower" "$duk_def" "$here/fuzz_lower.c" "$duk_obj" \
  "${lower_libs[@]}"; then
  echo "built fuzz_lower (${lower_lib#"$root"/})"
else
  echo "SKIP fuzz_lower: did not build against cw_lower.h / ${lower_lib#"$root"/} (API changing?); first errors:"
  grep -m5 -E 'error|undefined reference' "$out/log/fuzz_lower.log" | sed 's/^/    /'
fi
exit $status
