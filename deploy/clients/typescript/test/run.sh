#!/usr/bin/env bash
# End-to-end test of the TypeScript client (@codeworker/client): makes sure
# the local Kafka broker runs (deploy/local/kafka.sh start), starts a
# codeworker worker on topics unique to this run, then runs
# `npm ci && npm run build && npm test` with the topics in the environment
# (CW_BROKERS, CW_JOBS_TOPIC, CW_RESULTS_TOPIC), and stops the worker.
# Prints one PASS/FAIL line per test and a closing "N passed, N failed" line;
# exits non-zero when anything failed.
#
# Usage: deploy/clients/typescript/test/run.sh PATH/TO/codeworker
#
# Environment: KAFKA_PORT (broker port, default 9092, as for kafka.sh),
# CW_TEST_EXECUTORS (worker executors, default 4), CW_TEST_TIMEOUT (seconds
# npm test may take, default 300), KEEP_WORKER_LOG=1 (keep the worker's and
# npm's logs and print where).

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PKG="$(cd "$HERE/.." && pwd -P)"
REPO_ROOT="$(cd "$PKG/../../.." && pwd -P)"
KAFKA_SH="$REPO_ROOT/deploy/local/kafka.sh"

passed=0
failed=0
pass() {
	printf 'PASS %s\n' "$1"
	passed=$((passed + 1))
}
fail() {
	printf 'FAIL %s\n' "$1"
	failed=$((failed + 1))
}
finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	if ((failed > 0)); then exit 1; fi
	exit 0
}
indent() { sed 's/^/    /'; }

if (($# != 1)); then
	printf 'usage: %s PATH/TO/codeworker\n' "$0" >&2
	exit 2
fi
BIN="$1"
[[ "$BIN" == /* ]] || BIN="$PWD/$BIN"
if [[ ! -x "$BIN" ]]; then
	fail "codeworker binary is executable: $1"
	finish
fi
for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "prerequisite $tool is installed (Debian: nodejs npm)"
		finish
	fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cw-ts-client.XXXXXX")"
WORKER_PID=""
stop_worker() {
	[[ -n "$WORKER_PID" ]] || return 0
	if kill -0 "$WORKER_PID" 2>/dev/null; then
		kill -TERM "$WORKER_PID" 2>/dev/null || true
		# SIGTERM drains running jobs (every job here ends within 2 s).
		for _ in $(seq 1 200); do
			kill -0 "$WORKER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$WORKER_PID" 2>/dev/null || true
	fi
	wait "$WORKER_PID" 2>/dev/null || true
	WORKER_PID=""
}
# Called only by the EXIT trap, which shellcheck cannot see.
# shellcheck disable=SC2317
cleanup() {
	stop_worker
	if [[ "${KEEP_WORKER_LOG:-0}" == 1 ]]; then
		printf 'worker and npm logs kept in %s\n' "$WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# --- broker -------------------------------------------------------------------
if ! out="$("$KAFKA_SH" start 2>&1)"; then
	fail "local Kafka broker starts"
	printf '%s\n' "$out" | indent
	finish
fi
BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"

# --- worker -------------------------------------------------------------------
RUN_ID="cw-ts-client-$(date +%s)-$$"
JOBS_TOPIC="$RUN_ID.jobs"
RESULTS_TOPIC="$RUN_ID.results"
"$BIN" run --brokers "$BROKERS" \
	--jobs-topic "$JOBS_TOPIC" --results-topic "$RESULTS_TOPIC" \
	--dlq-topic "$RUN_ID.dlq" --cancel-topic "$RUN_ID.cancel" --group "$RUN_ID.g" \
	--executors "${CW_TEST_EXECUTORS:-4}" --metrics-port -1 \
	>"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
# The client's connect() waits for the worker to create its topics; here we
# only make sure the worker did not exit straight away (bad flags, no broker).
sleep 1
if ! kill -0 "$WORKER_PID" 2>/dev/null; then
	fail "codeworker worker starts"
	tail -n 20 "$WORK/worker.log" | indent
	finish
fi

# --- package ------------------------------------------------------------------
cd "$PKG"
if ! out="$(npm ci --no-audit --no-fund 2>&1)"; then
	fail "npm ci"
	printf '%s\n' "$out" | tail -n 20 | indent
	finish
fi
if ! out="$(npm run build 2>&1)"; then
	fail "npm run build (tsc, strict)"
	printf '%s\n' "$out" | tail -n 40 | indent
	finish
fi

# npm test writes the spec report to stdout and a TAP copy to dist/test.tap.
status=0
# A client left open keeps node alive, so the run is bounded.
CW_BROKERS="$BROKERS" CW_JOBS_TOPIC="$JOBS_TOPIC" CW_RESULTS_TOPIC="$RESULTS_TOPIC" CW_CANCEL_TOPIC="$RUN_ID.cancel" \
	timeout --kill-after=10 "${CW_TEST_TIMEOUT:-300}" npm test >"$WORK/npm-test.log" 2>&1 || status=$?
worker_alive=1
kill -0 "$WORKER_PID" 2>/dev/null || worker_alive=0
stop_worker

TAP="$PKG/dist/test.tap"
n_before=$((passed + failed))
if [[ -r "$TAP" ]]; then
	# Top-level tests only: their "ok"/"not ok" lines are not indented.
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			fail "${line#not ok * - }"
			;;
		"ok "*)
			name="${line#ok * - }"
			if [[ "$name" == *"# SKIP"* ]]; then
				printf 'SKIP %s\n' "${name%% # SKIP*}"
			else
				pass "$name"
			fi
			;;
		"# timing: "*)
			printf '%s\n' "${line#\# }"
			;;
		esac
	done <"$TAP"
fi
if ((status != 0)); then
	# Show the report for the failures (and anything that crashed the run).
	grep -v '^ *#\|^$' "$WORK/npm-test.log" | tail -n 80 | indent
	if ((passed + failed == n_before)) || ((failed == 0)); then
		fail "npm test exited with status $status"
	fi
fi
if ((passed + failed == n_before)); then
	fail "npm test reported no tests"
fi
if ((worker_alive == 0)); then
	fail "codeworker worker stayed up for the whole run"
	tail -n 20 "$WORK/worker.log" | indent
fi
finish
