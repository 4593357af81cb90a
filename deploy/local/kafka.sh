#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker on 127.0.0.1 for local development and
# integration tests: KRaft mode, one JVM that is both broker and controller,
# built from jars that Maven resolves from Maven Central (no Kafka tarball).
#
# Usage: deploy/local/kafka.sh COMMAND
#   start                      resolve jars (first time only), format, launch, and
#                              return once the broker answers metadata requests
#                              and its transaction coordinator works
#   stop                       SIGTERM, wait, then SIGKILL; fine when not running
#   status                     exit 0 if running and answering, 3 if not running,
#                              1 if running but not answering
#   logs [-f]                  last lines of the broker log (-f follows it)
#   reset                      stop and delete the data dir (the jar cache stays)
#   create-topic NAME [PARTS]  create a topic unless it exists (default 1 partition)
#   classpath                  print the classpath of the cached jars
#
# Environment:
#   KAFKA_PORT                 client listener port (default 9092)
#   KAFKA_CONTROLLER_PORT      KRaft controller port (default KAFKA_PORT + 1)
#   CODEWORKER_STATE_DIR       state folder (default <repo>/.state/kafka)
#   KAFKA_LIB_DIR              jar cache (default $CODEWORKER_STATE_DIR/lib)
#   KAFKA_START_TIMEOUT        seconds that start waits for readiness (default 120)
#   KAFKA_STOP_TIMEOUT         seconds between SIGTERM and SIGKILL (default 30)
#   KAFKA_HEAP_OPTS            JVM heap flags (default "-Xms256m -Xmx512m")
#   KAFKA_AUTO_CREATE_TOPICS   auto.create.topics.enable (default false)
#
# State folder layout: lib/ (jars and the hash of the pom they came from;
# lib.lock guards filling it), data/ (kraft/ log dirs, logs/server.log,
# logs/console.log, server.properties, cluster-id), kafka.pid, lock.
#
# Facts this script relies on (checked with Kafka 4.4.0 on Java 17):
# - org.apache.kafka:kafka_2.13 4.4.0 is the newest 4.x on Maven Central. Its
#   runtime dependencies hold everything the broker needs except a logging
#   backend: it logs through slf4j-api 1.7.36, so the backend is
#   org.apache.logging.log4j:log4j-slf4j-impl plus log4j-core (2.26.1, which
#   brings log4j-api). Without a binding slf4j falls back to its no-op logger
#   and the broker logs nothing. TopicCommand lives in kafka-tools, whose
#   dependency on connect-runtime (Jetty, Jersey) is excluded: 47 jars, 44 MB.
# - A static quorum (controller.quorum.voters) still works in 4.4, so storage
#   is formatted without --standalone and the ports may change between runs on
#   the same data. A fresh format writes metadata.version 4.4-IV2 with
#   transaction.version 2; librdkafka 2.0.2 (Debian's kcat 1.7.1) still
#   produces, consumes, joins groups and runs transactions against it.
# - The cluster id is kept in data/cluster-id; formatting is skipped once
#   kraft/meta.properties exists (saves a JVM start; "format -g" would only
#   report the dir as formatted).
# - The first transactional producer makes the broker create
#   __transaction_state, and init_transactions can see a retriable
#   COORDINATOR_NOT_AVAILABLE until its partitions load. start therefore runs
#   one transactional kcat producer against a probe topic
#   (__local_kafka_probe) before it returns, so clients never see that.
# - The JVM binds an IPv6 socket mapped to 127.0.0.1 unless
#   java.net.preferIPv4Stack is set; either way only loopback is reachable.
set -euo pipefail

readonly KAFKA_VERSION_EXPECTED=4.4.0
readonly PROBE_TOPIC=__local_kafka_probe

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$HERE/../.." && pwd -P)"
readonly HERE REPO_ROOT

KAFKA_PORT="${KAFKA_PORT:-9092}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
AUTO_CREATE_TOPICS="${KAFKA_AUTO_CREATE_TOPICS:-false}"

# Absolute paths: the broker's command line names its properties file, and
# that is how a later call recognises the process.
absolute() { if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "$PWD/$1"; fi; }
STATE_DIR="$(absolute "${CODEWORKER_STATE_DIR:-$REPO_ROOT/.state/kafka}")"
LIB_DIR="$(absolute "${KAFKA_LIB_DIR:-$STATE_DIR/lib}")"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$DATA_DIR/logs"
PROPS="$DATA_DIR/server.properties"
PID_FILE="$STATE_DIR/kafka.pid"

say() { printf 'kafka: %s\n' "$*"; }
err() { printf 'kafka: error: %s\n' "$*" >&2; }
die() {
	err "$*"
	exit 1
}

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }
is_port "$KAFKA_PORT" || die "KAFKA_PORT must be a port number, got '$KAFKA_PORT'"
KAFKA_PORT=$((10#$KAFKA_PORT))
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
is_port "$KAFKA_CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a port number, got '$KAFKA_CONTROLLER_PORT'"
KAFKA_CONTROLLER_PORT=$((10#$KAFKA_CONTROLLER_PORT))
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "KAFKA_START_TIMEOUT must be a number of seconds"
[[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "KAFKA_STOP_TIMEOUT must be a number of seconds"

# Prints what is missing from the given commands, one line, and fails.
require() {
	local missing=() cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
	done
	((${#missing[@]} == 0)) ||
		die "missing prerequisite(s): ${missing[*]} (Debian packages: java -> openjdk-17-jre-headless, mvn -> maven, kcat -> kcat)"
}

# Serialises start/stop/reset so that concurrent callers cannot launch twice.
take_lock() {
	mkdir -p "$STATE_DIR"
	exec 9>"$STATE_DIR/lock"
	flock -w $((START_TIMEOUT + STOP_TIMEOUT + 30)) 9 || die "timed out waiting for another kafka.sh in $STATE_DIR"
}

# The pid of our broker if it runs, else nothing. The command line must name
# our server.properties so that a recycled pid is never mistaken for it.
broker_pid() {
	local pid
	[[ -r "$PID_FILE" ]] || return 1
	pid="$(<"$PID_FILE")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$PROPS" || return 1
	printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when the broker returns metadata that lists itself; the metadata is
# left in METADATA for callers that look at the probe topic.
METADATA=""
answers_metadata() {
	METADATA="$(kcat -b "$BOOTSTRAP" -L -m 5 -t "$PROBE_TOPIC" 2>/dev/null)" || return 1
	grep -q '^ *1 brokers:' <<<"$METADATA"
}

# True when a transactional producer can init, produce and commit within $1
# seconds.
transactions_work() {
	local out
	out="$(printf 'probe\n' | timeout "$1" kcat -P -b "$BOOTSTRAP" -t "$PROBE_TOPIC" \
		-X transactional.id=local-kafka-probe -X transaction.timeout.ms=30000 2>&1)" || {
		printf '%s\n' "$out" >"$LOG_DIR/probe.log"
		return 1
	}
}

# Byte offset of server.log when this start began, so that failures show only
# what this run logged.
LOG_MARK=0
show_recent_logs() {
	local server="$LOG_DIR/server.log" size=0 recent
	if [[ -s "$LOG_DIR/console.log" ]]; then
		printf -- '--- JVM output (%s) ---\n' "$LOG_DIR/console.log" >&2
		tail -n 20 "$LOG_DIR/console.log" >&2
	fi
	[[ -e "$server" ]] && size="$(stat -c %s "$server")"
	((size >= LOG_MARK)) || LOG_MARK=0 # the log rolled over meanwhile
	if ((size > LOG_MARK)); then
		recent="$(tail -c +$((LOG_MARK + 1)) "$server")"
		if grep -qE '^\[[^]]*\] (ERROR|FATAL)' <<<"$recent"; then
			printf -- '--- errors logged by this start (%s) ---\n' "$server" >&2
			grep -E -A3 '^\[[^]]*\] (ERROR|FATAL)' <<<"$recent" | head -n 40 >&2
		fi
		printf -- '--- last lines of %s ---\n' "$server" >&2
		tail -n 25 <<<"$recent" >&2
	fi
	if [[ -s "$LOG_DIR/probe.log" ]]; then
		printf -- '--- last transactional probe (kcat) ---\n' >&2
		tail -n 10 "$LOG_DIR/probe.log" >&2
	fi
	return 0
}

# Copies the broker's jars into LIB_DIR unless they already came from this pom.
ensure_jars() {
	local want have="" tmp
	want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
	[[ -r "$LIB_DIR/.pom.sha256" ]] && have="$(<"$LIB_DIR/.pom.sha256")"
	[[ "$want" == "$have" ]] && return 0
	require mvn
	# State dirs may share one jar cache (KAFKA_LIB_DIR): fill it only once.
	mkdir -p "$(dirname "$LIB_DIR")"
	exec 8>"$LIB_DIR.lock"
	flock -w 600 8 || die "timed out waiting for another Maven run filling $LIB_DIR"
	[[ -r "$LIB_DIR/.pom.sha256" ]] && have="$(<"$LIB_DIR/.pom.sha256")"
	if [[ "$want" == "$have" ]]; then
		exec 8>&-
		return 0
	fi
	say "resolving Kafka jars with Maven into $LIB_DIR (first start only)"
	tmp="$(mktemp -d "$LIB_DIR.new.XXXXXX")"
	if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
		-DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
		tail -n 30 "$tmp.mvn.log" >&2
		rm -rf "$tmp" "$tmp.mvn.log"
		die "Maven could not resolve the Kafka jars (see above)"
	fi
	rm -f "$tmp.mvn.log"
	printf '%s\n' "$want" >"$tmp/.pom.sha256"
	rm -rf "$LIB_DIR"
	mv "$tmp" "$LIB_DIR"
	exec 8>&-
}

classpath() { printf '%s\n' "$LIB_DIR/*"; }

# Kafka cluster ids are 16 random bytes in unpadded URL-safe base64; like
# Kafka itself, avoid a leading '-' so the id never looks like an option.
new_cluster_id() {
	local id
	while :; do
		id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
		[[ "$id" != -* ]] && break
	done
	printf '%s\n' "$id"
}

write_properties() {
	cat >"$PROPS" <<EOF
# Generated by deploy/local/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR/kraft

# One node: every internal topic has one replica and needs one in sync.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Tests want groups to form at once and topics to exist only when created.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=$AUTO_CREATE_TOPICS
delete.topic.enable=true

# Sized for a shared two-core machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
}

format_storage() {
	local id_file="$DATA_DIR/cluster-id"
	# Formatted before: skip the extra JVM (format -g would only say so).
	[[ -s "$DATA_DIR/kraft/meta.properties" ]] && return 0
	[[ -s "$id_file" ]] || new_cluster_id >"$id_file"
	if ! java -Xmx256m -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
		-cp "$(classpath)" kafka.tools.StorageTool format -g \
		-t "$(<"$id_file")" -c "$PROPS" >"$LOG_DIR/format.log" 2>&1; then
		cat "$LOG_DIR/format.log" >&2
		die "formatting $DATA_DIR/kraft failed"
	fi
}

launch() {
	local heap
	read -r -a heap <<<"$HEAP_OPTS"
	[[ -e "$LOG_DIR/server.log" ]] && LOG_MARK="$(stat -c %s "$LOG_DIR/server.log")"
	printf '%s starting Kafka on %s\n' "$(date -Is)" "$BOOTSTRAP" >"$LOG_DIR/console.log"
	# setsid: the broker outlives the shell (and process group) that started
	# it; 9>&- keeps it from holding the start/stop lock for its lifetime.
	setsid java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
		-Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
		-Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
		-cp "$(classpath)" kafka.Kafka "$PROPS" \
		</dev/null >>"$LOG_DIR/console.log" 2>&1 9>&- &
	local pid=$! tries=0
	printf '%s\n' "$pid" >"$PID_FILE"
	# Until setsid has exec'd java the pid shows another command line; wait for
	# that so broker_pid does not report a live broker as gone.
	while ! broker_pid >/dev/null && kill -0 "$pid" 2>/dev/null && ((tries++ < 100)); do
		sleep 0.05
	done
}

# Waits until the broker answers and transactions work. Returns 1 on timeout
# and 2 when the process died.
wait_ready() {
	local deadline=$((SECONDS + START_TIMEOUT))
	rm -f "$LOG_DIR/probe.log"
	while ((SECONDS < deadline)); do
		broker_pid >/dev/null || return 2
		if answers_metadata; then
			# The probe topic gives the transactional check something to write to.
			grep -qF "topic \"$PROBE_TOPIC\" with 1 partitions" <<<"$METADATA" ||
				create_topic "$PROBE_TOPIC" 1 >"$LOG_DIR/probe-topic.log" 2>&1 || true
			transactions_work $((deadline - SECONDS > 1 ? deadline - SECONDS : 1)) && return 0
		fi
		sleep 1
	done
	return 1
}

cmd_start() {
	local pid launched=0 rc=0 started=$SECONDS
	require java kcat
	take_lock
	if pid="$(broker_pid)"; then
		say "already running (pid $pid) on $BOOTSTRAP"
	else
		rm -f "$PID_FILE"
		port_in_use "$KAFKA_PORT" && die "port $KAFKA_PORT on 127.0.0.1 is in use by another process"
		port_in_use "$KAFKA_CONTROLLER_PORT" && die "port $KAFKA_CONTROLLER_PORT on 127.0.0.1 is in use by another process"
		ensure_jars
		mkdir -p "$DATA_DIR/kraft" "$LOG_DIR"
		write_properties
		format_storage
		launch
		launched=1
		say "launched pid $(<"$PID_FILE"), waiting up to ${START_TIMEOUT}s for $BOOTSTRAP"
	fi
	wait_ready || rc=$?
	case $rc in
	0)
		say "ready on $BOOTSTRAP ($((SECONDS - started))s)"
		return 0
		;;
	2) err "the broker exited during startup" ;;
	*) err "the broker did not become ready within ${START_TIMEOUT}s" ;;
	esac
	show_recent_logs
	if ((launched == 1)); then
		stop_broker >/dev/null || true
	fi
	exit 1
}

# Stops the broker if it runs; the caller holds the lock.
stop_broker() {
	local pid deadline
	if ! pid="$(broker_pid)"; then
		rm -f "$PID_FILE"
		say "not running"
		return 0
	fi
	say "stopping pid $pid"
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		err "pid $pid still running after ${STOP_TIMEOUT}s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	fi
	rm -f "$PID_FILE"
	say "stopped"
}

cmd_stop() {
	take_lock
	stop_broker
}

cmd_status() {
	local pid
	if ! pid="$(broker_pid)"; then
		say "not running"
		return 3
	fi
	if ! command -v kcat >/dev/null 2>&1; then
		say "running (pid $pid), kcat missing so not checked"
		return 1
	fi
	if answers_metadata; then
		say "running (pid $pid) on $BOOTSTRAP, Kafka $(kafka_version)"
		return 0
	fi
	say "running (pid $pid) but $BOOTSTRAP does not answer"
	return 1
}

kafka_version() {
	local jar
	for jar in "$LIB_DIR"/kafka_2.13-*.jar; do
		jar="${jar##*/kafka_2.13-}"
		printf '%s\n' "${jar%.jar}"
		return 0
	done
	printf '%s\n' "$KAFKA_VERSION_EXPECTED"
}

cmd_logs() {
	local f="$LOG_DIR/server.log"
	[[ -e "$f" ]] || die "no log yet at $f"
	if [[ "${1:-}" == "-f" ]]; then
		exec tail -n 100 -F "$f"
	fi
	tail -n "${LOG_LINES:-200}" "$f"
}

cmd_reset() {
	take_lock
	stop_broker
	rm -rf "${DATA_DIR:?}"
	say "deleted $DATA_DIR (jar cache kept in $LIB_DIR)"
}

create_topic() {
	local name="$1" parts="${2:-1}"
	java -Xmx256m -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
		-cp "$(classpath)" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
		--create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1
}

cmd_create_topic() {
	[[ $# -ge 1 && -n "$1" ]] || die "usage: kafka.sh create-topic NAME [PARTITIONS]"
	[[ "${2:-1}" =~ ^[0-9]+$ ]] || die "PARTITIONS must be a number"
	require java
	broker_pid >/dev/null || die "not running; run kafka.sh start first"
	mkdir -p "$LOG_DIR"
	create_topic "$1" "${2:-1}"
}

usage() {
	sed -n '/^# Usage:/,/^# Environment:/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

main() {
	local cmd="${1:-}"
	[[ $# -gt 0 ]] && shift
	case "$cmd" in
	start) cmd_start ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	logs) cmd_logs "$@" ;;
	reset) cmd_reset ;;
	create-topic) cmd_create_topic "$@" ;;
	classpath) classpath ;;
	*) usage ;;
	esac
}

main "$@"
