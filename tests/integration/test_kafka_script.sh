#!/usr/bin/env bash
# End-to-end check of deploy/local/kafka.sh: starts a throwaway broker on its
# own port and state dir (sharing only the jar cache), then exercises status,
# idempotent start, topic creation, plain and transactional produce/consume
# through librdkafka (kcat), logs, stop and reset. Prints one ok/FAIL line per
# check and exits non-zero if any check failed.
#
# Environment: KAFKA_TEST_PORT (default 19092; the controller uses the next
# port), KAFKA_LIB_DIR (jar cache, default the one kafka.sh uses by default).

# The checks are functions that only check() calls, which shellcheck cannot see.
# shellcheck disable=SC2317
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$HERE/../.." && pwd -P)"
KAFKA_SH="$REPO_ROOT/deploy/local/kafka.sh"

PORT="${KAFKA_TEST_PORT:-19092}"
STATE="$(mktemp -d "${TMPDIR:-/tmp}/kafka-script-test.XXXXXX")"
export KAFKA_PORT="$PORT"
export KAFKA_CONTROLLER_PORT=$((PORT + 1))
export CODEWORKER_STATE_DIR="$STATE"
export KAFKA_LIB_DIR="${KAFKA_LIB_DIR:-$REPO_ROOT/.state/kafka/lib}"
BROKER="127.0.0.1:$PORT"

passed=0
failed=0
ok() {
	printf 'PASS %s\n' "$1"
	passed=$((passed + 1))
}
fail() {
	printf 'FAIL %s\n' "$1"
	failed=$((failed + 1))
}
# check NAME CMD...: ok when CMD succeeds, FAIL (with its output) otherwise.
check() {
	local name="$1" out
	shift
	if out="$("$@" 2>&1)"; then
		ok "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

cleanup() {
	"$KAFKA_SH" stop >/dev/null 2>&1 || true
	rm -rf "$STATE"
}
trap cleanup EXIT

finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	if ((failed > 0)); then exit 1; fi
	exit 0
}

for tool in java mvn kcat; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "prerequisite $tool is installed"
		finish
	fi
done

# --- start -------------------------------------------------------------------
t0=$SECONDS
if out="$("$KAFKA_SH" start 2>&1)"; then
	ok "start returns once the broker is ready ($((SECONDS - t0))s)"
else
	fail "start"
	printf '%s\n' "$out" | sed 's/^/    /'
	finish
fi

check "status exits 0 while running" "$KAFKA_SH" status

second_start() {
	local out
	out="$("$KAFKA_SH" start 2>&1)" || return 1
	grep -q 'already running' <<<"$out"
}
check "a second start reports the running broker" second_start

check "no second broker process was launched" \
	test "$(pgrep -f -c -- "$STATE/data/server.properties")" -eq 1

listens_on_loopback_only() {
	# The broker must listen on 127.0.0.1 only, never on a wildcard address.
	local addrs
	addrs="$(ss -Hltn "sport = :$PORT" | awk '{print $4}')"
	[[ -n "$addrs" ]] && ! grep -qvE "^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):$PORT\$" <<<"$addrs"
}
if command -v ss >/dev/null 2>&1; then
	check "listener bound to 127.0.0.1 only" listens_on_loopback_only
fi

# --- topics and messages -----------------------------------------------------
TOPIC="script-test-$$"
check "create-topic (TopicCommand) creates a 2-partition topic" \
	"$KAFKA_SH" create-topic "$TOPIC" 2
check "create-topic is idempotent" "$KAFKA_SH" create-topic "$TOPIC" 2

has_two_partitions() {
	kcat -b "$BROKER" -L -t "$TOPIC" -m 10 | grep -q "topic \"$TOPIC\" with 2 partitions"
}
check "metadata shows the topic with 2 partitions" has_two_partitions

PAYLOAD="hello-$$-$RANDOM"
produce_plain() {
	printf '%s\n' "$PAYLOAD" | kcat -P -b "$BROKER" -t "$TOPIC" -p 0 -k plain
}
consume_plain() {
	local got
	got="$(timeout 30 kcat -C -b "$BROKER" -t "$TOPIC" -p 0 -o beginning -e -q -f '%k=%s\n')"
	grep -qx "plain=$PAYLOAD" <<<"$got"
}
check "kcat produces a message" produce_plain
check "kcat consumes the same message" consume_plain

# A transactional producer (init_transactions, begin, produce, commit) and a
# read_committed consumer: what the worker's exactly-once path depends on.
TX_PAYLOAD="tx-$$-$RANDOM"
produce_transactional() {
	printf '%s\n' "$TX_PAYLOAD" | timeout 60 kcat -P -b "$BROKER" -t "$TOPIC" -p 1 -k tx \
		-X transactional.id="script-test-$$" -X transaction.timeout.ms=30000
}
consume_committed() {
	local got
	got="$(timeout 30 kcat -C -b "$BROKER" -t "$TOPIC" -p 1 -o beginning -e -q \
		-X isolation.level=read_committed -f '%k=%s\n')"
	grep -qx "tx=$TX_PAYLOAD" <<<"$got"
}
check "transactional producer initialises and commits" produce_transactional
check "read_committed consumer sees the committed message" consume_committed

consumer_group_commits() {
	# A group consumer joins, reads, commits, and a restart resumes after it.
	local first second
	first="$(timeout 60 kcat -G "script-test-group-$$" -b "$BROKER" -o beginning -e -q \
		-X enable.auto.commit=true -X auto.commit.interval.ms=100 -f '%s\n' "$TOPIC")"
	grep -qx "$PAYLOAD" <<<"$first" || return 1
	second="$(timeout 60 kcat -G "script-test-group-$$" -b "$BROKER" -e -q -f '%s\n' "$TOPIC")"
	[[ -z "$second" ]]
}
check "consumer group reads and commits offsets" consumer_group_commits

logs_show_broker_log() {
	local out
	out="$("$KAFKA_SH" logs)"
	grep -qE '^\[[^]]+\] INFO .*\(kafka\.|org\.apache\.kafka\.' <<<"$out"
}
check "logs shows the broker log" logs_show_broker_log

# --- stop and reset ------------------------------------------------------------
check "stop succeeds" "$KAFKA_SH" stop

status_fails() { ! "$KAFKA_SH" status >/dev/null 2>&1; }
check "status fails after stop" status_fails
check "stop is idempotent" "$KAFKA_SH" stop
check "port is free after stop" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"

t0=$SECONDS
check "restart on existing data" "$KAFKA_SH" start
warm=$((SECONDS - t0))
consume_after_restart() {
	local got
	got="$(timeout 30 kcat -C -b "$BROKER" -t "$TOPIC" -p 0 -o beginning -e -q -f '%k=%s\n')"
	grep -qx "plain=$PAYLOAD" <<<"$got"
}
check "messages survive a restart (warm start ${warm}s)" consume_after_restart

reset_clears_data() {
	"$KAFKA_SH" reset >/dev/null &&
		[[ ! -e "$STATE/data" ]] &&
		[[ -s "$KAFKA_LIB_DIR/.pom.sha256" ]] &&
		! "$KAFKA_SH" status >/dev/null 2>&1
}
check "reset stops the broker, deletes data and keeps the jar cache" reset_clears_data

finish
