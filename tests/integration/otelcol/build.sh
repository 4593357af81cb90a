#!/usr/bin/env bash
# build.sh OUT -- build the test collector (main.go) into OUT with the Go on PATH
# (or /usr/local/go/bin), from the module versions go.sum pins.
set -euo pipefail
out=$(realpath -m "$1")
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build.sh: no Go toolchain (go) on PATH" >&2; exit 1; }
export GOFLAGS=-mod=readonly GOTOOLCHAIN=local
[ -x "$out" ] && [ "$out" -nt main.go ] && [ "$out" -nt go.sum ] && exit 0
go build -trimpath -o "$out" .
