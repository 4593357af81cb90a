#!/bin/sh
# Regenerates the shared transform-helper runtime from the pinned swc helper
# sources: runtime/cw_helpers.js (ES5; defines the global __cw_h) and
# runtime/cw_helpers_table.rs (compiled into the library: helper names,
# dependencies, host globals they need, per-helper chunks). Run it after
# changing any swc version in Cargo.toml and commit both files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${CW_LOWER_TARGET_DIR:-$here/target}
cargo run --release --locked --manifest-path "$here/Cargo.toml" --target-dir "$target" \
    --example gen_runtime -- "$here/runtime"
