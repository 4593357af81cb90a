#!/usr/bin/env python3
"""Integration tests of `codeworker audit`: results from a real worker on a
real broker into a throwaway PostgreSQL server.

Usage: test_audit.py BUILD_BIN_DIR [--brokers HOST:PORT] [--jobs N]

Needs kcat, the PostgreSQL server binaries (Debian: postgresql; found with
pg_config --bindir, /usr/lib/postgresql/*/bin, or PG_BINDIR) and a broker
(started with deploy/local/kafka.sh start when none answers; left running).
The server is initdb'd into a temporary folder and listens only on a unix
socket there; as root it runs as the "postgres" user.  Every test uses its
own topics, consumer groups and database.  Prints PASS/FAIL lines and a
closing "N passed, N failed" line; exits 1 if anything failed.
"""

import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(sys.argv[1], "codeworker")
BROKERS = sys.argv[sys.argv.index("--brokers") + 1] if "--brokers" in sys.argv else "127.0.0.1:9092"
NJOBS = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 3000
PREFIX = f"au{random.randrange(1 << 30):x}"
passed = failed = 0
procs = []


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {str(detail)[:800]}")
    sys.stdout.flush()


# ---- PostgreSQL ----------------------------------------------------------------

def pg_bindir():
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    try:
        d = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if d and os.path.exists(os.path.join(d, "initdb")):
            return d
    except FileNotFoundError:
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("test_audit: no PostgreSQL server binaries (install postgresql, or set PG_BINDIR)")
    return os.path.dirname(found[-1])


class Postgres:
    """A throwaway server on a unix socket in a temporary folder."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="cw-audit-pg.")
        self.data = os.path.join(self.dir, "data")
        self.port = str(random.randrange(20000, 60000))
        self.as_user = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync"])
        self.start()

    def run(self, argv):
        p = subprocess.run(self.as_user + argv, capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError(f"{argv[0]}: {p.stderr.strip()}")

    def start(self):
        self.run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                  "-w", "-t", "60", "-o", f"-k {self.dir} -p {self.port} -c listen_addresses='' -c fsync=off",
                  "start"])

    def stop(self, mode="fast"):
        self.run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"])

    def url(self, db="postgres"):
        return f"postgresql://postgres@/{db}?host={self.dir}&port={self.port}"

    def sql(self, q, db="postgres"):
        p = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-F", "\t", self.url(db), "-c", q],
                           capture_output=True, text=True, timeout=60)
        if p.returncode:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        return [line.split("\t") for line in p.stdout.split("\n") if line]

    def createdb(self, name):
        self.sql(f"CREATE DATABASE {name}")

    def cleanup(self):
        try:
            self.stop("immediate")
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def count(pg, db):
    try:
        r = pg.sql('SELECT count(*), count(DISTINCT "JobID") FROM "ActionExecutionLog"', db)
        return int(r[0][0]), int(r[0][1])
    except RuntimeError:
        return -1, -1  # table not created yet, or the server is down


# ---- Kafka, the worker, the sink -------------------------------------------------

def ensure_broker():
    up = subprocess.run(["kcat", "-b", BROKERS, "-L", "-m", "5", "-t", "__local_kafka_probe"],
                        capture_output=True).returncode == 0
    if not up:
        subprocess.run([os.path.join(ROOT, "deploy", "local", "kafka.sh"), "start"], check=True)


def create_topic(name, parts):
    subprocess.run([os.path.join(ROOT, "deploy", "local", "kafka.sh"), "create-topic", name, str(parts)],
                   check=True, capture_output=True)


def start(argv, tag):
    log = tempfile.NamedTemporaryFile("w+", prefix=f"cw-audit-{tag}.", suffix=".log", delete=False)
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    p.logpath = log.name
    procs.append(p)
    return p


def log_lines(p):
    out = []
    for line in open(p.logpath, errors="replace"):
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"msg": line.strip(), "notjson": True})
    return out


def wait_log(p, msg, timeout=60, n=1):
    end = time.time() + timeout
    while time.time() < end:
        if sum(1 for e in log_lines(p) if e.get("msg") == msg) >= n:
            return True
        if p.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def stop(p, sig=signal.SIGTERM, timeout=30):
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


class Topics:
    def __init__(self):
        self.jobs, self.results, self.dlq = PREFIX + ".jobs", PREFIX + ".results", PREFIX + ".dlq"


T = Topics()


def start_worker():
    return start([BIN, "run", "--brokers", BROKERS, "--jobs-topic", T.jobs, "--results-topic", T.results,
                  "--dlq-topic", T.dlq, "--group", PREFIX + ".workers", "--partitions", "4",
                  "--executors", "2", "--metrics-port", "-1"], "worker")


def start_sink(db, group, *extra, topic=None, pg=None):
    return start([BIN, "audit", "--pg", PG.url(db), "--brokers", BROKERS, "--results-topic", topic or T.results,
                  "--group", f"{PREFIX}.{group}", "-X", "kafka.session.timeout.ms=6000", *extra], "sink-" + group)


SUBMITTED = set()  # every jobId sent so far: the results topic holds one result for each


def submit(lines, wait=True):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(json.dumps(j) for j in lines) + "\n")
    argv = [BIN, "submit", f.name, "--brokers", BROKERS, "--jobs-topic", T.jobs, "--results-topic", T.results]
    if wait:
        argv += ["--wait", "--wait-timeout", "300"]
    for attempt in range(5):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=400)
        if p.returncode != 2:  # 2: nothing was produced (e.g. metadata not ready on a busy broker)
            SUBMITTED.update(j["jobId"] for j in lines)
            break
        time.sleep(2)
    os.unlink(f.name)
    return p


def submit_async(lines):
    SUBMITTED.update(j["jobId"] for j in lines)
    f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    f.write("\n".join(json.dumps(j) for j in lines) + "\n")
    f.close()
    p = subprocess.Popen([BIN, "submit", f.name, "--brokers", BROKERS, "--jobs-topic", T.jobs,
                          "--results-topic", T.results], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.jobfile = f.name
    return p


def topic_ready(topic, parts, timeout=60):
    """Every partition of `topic` has a leader."""
    end = time.time() + timeout
    while time.time() < end:
        p = subprocess.run(["kcat", "-b", BROKERS, "-L", "-J", "-t", topic], capture_output=True, text=True)
        try:
            t = json.loads(p.stdout)["topics"][0]
            if len(t["partitions"]) == parts and all(x["leader"] >= 0 for x in t["partitions"]):
                return True
        except (ValueError, KeyError, IndexError):
            pass
        time.sleep(0.5)
    return False


def topic_next_offsets(topic):
    """{partition: offset of the last committed record + 1}, read with kcat."""
    p = subprocess.run(["kcat", "-b", BROKERS, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                        "-X", "isolation.level=read_committed", "-f", "%p %o\n"],
                       capture_output=True, text=True, timeout=120)
    nxt = {}
    for line in p.stdout.split("\n"):
        if line.strip():
            part, off = map(int, line.split())
            nxt[part] = max(nxt.get(part, 0), off + 1)
    return nxt


def stored_offsets(db, group, topic=None):
    rows = PG.sql("SELECT partition_id, next_offset FROM codeworker_audit_offsets "
                  f"WHERE group_id = '{PREFIX}.{group}' AND topic = '{topic or T.results}'", db)
    return {int(p): int(o) for p, o in rows}


def wait_count(db, n, timeout=180, proc=None):
    end = time.time() + timeout
    c = (-1, -1)
    while time.time() < end:
        c = count(PG, db)
        if c[0] >= n or (proc is not None and proc.poll() is not None):
            break
        time.sleep(0.2)
    return c


# ---- the tests -------------------------------------------------------------------

def test_cli():
    p = subprocess.run([BIN, "audit", "--print-schema"], capture_output=True, text=True)
    with open(os.path.join(ROOT, "deploy", "sql", "audit_schema.sql")) as f:
        check("--print-schema equals deploy/sql/audit_schema.sql", p.returncode == 0 and p.stdout == f.read(),
              "worker/cw_audit_sql.h is out of sync with the .sql file")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWORKER_")}
    p = subprocess.run([BIN, "audit"], capture_output=True, text=True, env=env)
    check("no --pg: usage error, exit 2", p.returncode == 2 and p.stderr.startswith("Error:"), p.stderr)
    p = subprocess.run([BIN, "audit", "--pg", "x", "--batch-max", "0"], capture_output=True, text=True, env=env)
    check("bad value: exit 2", p.returncode == 2 and "audit.batch.max" in p.stderr, p.stderr)
    p = subprocess.run([BIN, "audit", "-X", "list", "--redact", "a,b"], capture_output=True, text=True,
                       env=dict(env, CODEWORKER_AUDIT_RETENTION_DAYS="7"))
    check("-X list shows flags and environment", p.returncode == 0 and "audit.redact = a,b" in p.stdout
          and "audit.retention.days = 7" in p.stdout, p.stdout + p.stderr)


def redaction_jobs(n):
    jobs = []
    for i in range(n):
        inp = {"a": i, "apiKey": f"sk-live-{i}-SECRET", "keep": "visible",
               "nested": {"list": [{"Password": "hunter2-SECRET"}, 3]}}
        if i % 5 == 0:
            inp = json.dumps(inp)  # inputData as a string holding JSON
        jobs.append({"jobId": f"{PREFIX}-basic-{i}", "code": "output = 1 + 1", "inputData": inp,
                     "actionId": "3f1c2a9e-5b7d-4e21-9a0c-6d8e2f4b1a77", "userId": "agent-user-7"})
    return jobs


def test_basic_and_redaction():
    n = 50
    db = "t_basic"
    PG.createdb(db)
    p = submit(redaction_jobs(n))
    results = [json.loads(line) for line in p.stdout.split("\n") if line.strip()]
    check("basic: worker answered every job", p.returncode == 0 and len(results) == n, p.stderr[-400:])
    s = start_sink(db, "basic", "--redact", "apiKey,password")
    c = wait_count(db, n, 60, s)
    check("basic: one row per job", c == (n, n), c)
    rc = stop(s)
    lines = log_lines(s)
    check("basic: SIGTERM exits 0 after 'audit sink stopped'", rc == 0 and lines and
          lines[-1].get("msg") == "audit sink stopped", (rc, lines[-3:]))
    check("basic: every log line is JSON with ts/level/msg",
          all(not e.get("notjson") and {"ts", "level", "msg"} <= set(e) for e in lines),
          [e for e in lines if e.get("notjson")][:3])
    rows = PG.sql('SELECT "JobID", "ID", "ActionID", "UserID", "Params", "ResultCode", "ResultParams", '
                  '"StartedAt" <= "EndedAt", "RetentionPeriod" IS NULL FROM "ActionExecutionLog"', db)
    params = " ".join(r[4] + r[6] for r in rows)
    check("redact: no secret value left in Params/ResultParams", len(rows) == n and "SECRET" not in params,
          [r[4] for r in rows if "SECRET" in r[4]][:2])
    ok = True
    for r in rows:
        pj = json.loads(r[4])
        inp = pj["inputData"]
        if isinstance(inp, str):
            inp = json.loads(inp)
        ok = ok and inp["apiKey"] == "[REDACTED]" and inp["nested"]["list"][0]["Password"] == "[REDACTED]" \
            and inp["keep"] == "visible" and inp["nested"]["list"][1] == 3 and pj["jobId"] == r[0]
    check("redact: matching members replaced at any depth, also in string-encoded inputData; the rest kept",
          ok and len(rows) == n, rows[:1])
    by_id = {r[0]: r for r in rows}
    ok = len(results) == n and all(by_id.get(x["jobId"]) and by_id[x["jobId"]][1] == x["actionExecutionLog"]["ID"]
                                   for x in results)
    check("basic: ID is the result's actionExecutionLog.ID", ok)
    check("basic: columns copied (ActionID, UserID, ResultCode, StartedAt <= EndedAt, RetentionPeriod NULL)",
          len(rows) == n and all(r[2] == "3f1c2a9e-5b7d-4e21-9a0c-6d8e2f4b1a77" and r[3] == "agent-user-7" and r[5] == "SUCCESS"
              and r[7] == "t" and r[8] == "t" for r in rows), rows[:1])
    # codeworker replay from a stored row: the result and the job both from it
    jid = f"{PREFIX}-basic-3"
    rp = subprocess.run([BIN, "replay", "--from-pg", PG.url(db), "--job-id", jid], capture_output=True, text=True,
                        timeout=120)
    check("replay --from-pg --job-id: the stored row replays identical, and says it was redacted",
          rp.returncode == 0 and "identical" in rp.stderr and "redacted" in rp.stderr
          and json.loads(rp.stdout or "{}").get("output") == 2, (rp.returncode, rp.stderr[-400:]))
    rp = subprocess.run([BIN, "replay", "--from-pg", PG.url(db), "--id", by_id[jid][1]], capture_output=True,
                        text=True, timeout=120) if jid in by_id else None
    check("replay --from-pg --id: by the row's ActionExecutionLog ID", rp is not None and rp.returncode == 0
          and "identical" in rp.stderr, rp and rp.stderr[-300:])
    rp = subprocess.run([BIN, "replay", "--from-pg", PG.url(db), "--job-id", "no-such-job"], capture_output=True,
                        text=True, timeout=60)
    check("replay --from-pg: an unknown jobId is exit 2 naming it", rp.returncode == 2 and "no-such-job" in rp.stderr,
          rp.stderr[-300:])
    rp = subprocess.run([BIN, "replay", "--from-pg", PG.url(db)], capture_output=True, text=True, timeout=60)
    check("replay --from-pg without --job-id or --id is a usage error", rp.returncode == 2, rp.stderr[-300:])
    want = topic_next_offsets(T.results)
    got = stored_offsets(db, "basic")
    check("basic: offsets table = last record + 1 per partition", got and got == want, (got, want))

    # A restart resumes from the stored offsets: nothing is read twice.
    s = start_sink(db, "basic", "--redact", "apiKey,password")
    ok = wait_log(s, "partitions assigned", 60)
    time.sleep(1.5)
    rc = stop(s)
    assigned = [e for e in log_lines(s) if e.get("msg") == "partitions assigned"]
    parts = assigned[0]["partitions"] if assigned else []
    check("restart: assigned at the stored offsets, not the beginning",
          ok and parts and all("@beginning" not in x for x in parts if int(x.split("[")[1].split("]")[0]) in want),
          parts)
    stopped = [e for e in log_lines(s) if e.get("msg") == "audit sink stopped"]
    check("restart: no record read again", rc == 0 and count(PG, db) == (n, n) and stopped
          and stopped[-1]["inserted"] == 0 and stopped[-1]["duplicates"] == 0, stopped)


def fake_result(job_id, **log):
    row = {"ID": str(uuid.uuid4()), "ActionID": None, "UserID": None, "StartedAt": "2026-01-02T03:04:05.678Z",
           "EndedAt": "2026-01-02T03:04:05.900Z", "Params": "{}", "Message": None, "ResultParams": "{}",
           "ResultCode": "SUCCESS", "RetentionPeriod": None, "EntityActionID": None,
           "EntityActionInvocationTypeID": None, "TargetEntityID": None, "TargetRecordID": None}
    row.update(log)
    return {"jobId": job_id, "success": True, "resultCode": "SUCCESS", "actionExecutionLog": row}


def test_bad_records():
    db, topic = "t_bad", PREFIX + ".bad"
    PG.createdb(db)
    create_topic(topic, 1)
    dup_id = str(uuid.uuid4())
    msgs = [
        "not json at all",
        json.dumps({"jobId": "no-log"}),
        json.dumps([1, 2]),
        json.dumps(fake_result("bad-id", ID="not-a-uuid")),
        json.dumps(fake_result("bad-ts", EndedAt="yesterday")),
        json.dumps(fake_result("bad-feb", StartedAt="2026-02-30T00:00:00Z")),
        json.dumps(fake_result("bad-type", UserID=42)),
        json.dumps(fake_result("bad-code", ResultCode="X" * 300)),
        json.dumps(fake_result("good-1", ID=dup_id, ActionID="not-a-uuid-is-fine", RetentionPeriod=12,
                               Params="{\"apiKey\": \"clipped-SECRET",
                               TraceParent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                               TraceState="rojo=00f067aa0ba902b7")),
        json.dumps(fake_result("dup-id", ID=dup_id)),  # same ID, other job: the database refuses it
        # a trace context that is not one is dropped, the row kept
        json.dumps(fake_result("good-2", StartedAt="2026-01-02T05:04:05+02:00", TraceParent="00-nope",
                               TraceState="k=v")),
        # clipped by the worker at 16 KiB, with string-encoded inputData: not JSON either
        json.dumps(fake_result("good-3", Params='{"jobId":"good-3","inputData":"{\\"user\\":\\"ann\\",'
                               '\\"PassWord\\":\\"p-SECRET\\",\\"apiKey\\":\\"k-SECRET')),
    ]
    msgs.append(msgs[-1])  # the same result twice (a producer retry): stored once
    p = subprocess.run(["kcat", "-b", BROKERS, "-P", "-t", topic, "-p", "0"], input="\n".join(msgs) + "\n",
                       text=True, capture_output=True)
    check("bad: produced plain (non-transactional) records", p.returncode == 0, p.stderr)
    s = start_sink(db, "bad", "--redact", "apiKey,password", topic=topic)
    ok = wait_log(s, "first batch stored", 60)
    time.sleep(0.5)
    stop(s)
    lines = log_lines(s)
    skipped = [e for e in lines if e.get("msg", "").startswith("record skipped")]
    rejected = [e for e in lines if e.get("msg", "").startswith("row rejected")]
    rows = PG.sql('SELECT "JobID", "ActionID", "RetentionPeriod", "Params" FROM "ActionExecutionLog" '
                  'ORDER BY "JobID"', db)
    check("bad: 8 unusable records logged and skipped", ok and len(skipped) == 8, [e.get("reason") for e in skipped])
    check("bad: a row the database refuses (duplicate ID) is skipped alone, the batch goes in",
          len(rejected) == 1 and rejected[0].get("jobId") == "dup-id"
          and [r[0] for r in rows] == ["good-1", "good-2", "good-3"],
          (rejected, rows))
    trace = PG.sql('SELECT "JobID", COALESCE("TraceParent", \'NULL\'), COALESCE("TraceState", \'NULL\') '
                   'FROM "ActionExecutionLog" ORDER BY "JobID"', db)
    check("bad: TraceParent/TraceState stored when valid, NULL when not (and for results without them)",
          [tuple(r) for r in trace] == [("good-1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                         "rojo=00f067aa0ba902b7"), ("good-2", "NULL", "NULL"), ("good-3", "NULL", "NULL")],
          trace)
    stopped = [e for e in lines if e.get("msg") == "audit sink stopped"]
    check("bad: an exact duplicate counts as a duplicate, not an error",
          stopped and stopped[-1].get("duplicates") == 1 and stopped[-1].get("inserted") == 3, stopped)
    good1 = rows[0] if rows else []
    cut = "[REDACTED: cut at a redacted name; the text was not valid JSON]"
    check("bad: non-UUID ActionID kept; RetentionPeriod from the record; invalid-JSON Params cut at the "
          "first redacted name", good1[1:] == ["not-a-uuid-is-fine", "12", "{\"" + cut], good1)
    good3 = rows[2] if len(rows) > 2 else []
    check("bad: clipped Params with string-encoded inputData: kept up to the first redacted name (any case), "
          "no secret left", good3[3:] == ['{"jobId":"good-3","inputData":"{\\"user\\":\\"ann\\",\\"' + cut],
          good3)
    got = stored_offsets(db, "bad", topic)
    check("bad: offset advanced past every record, skipped ones included", got == {0: len(msgs)}, got)


def test_kill9():
    db = "t_crash"
    PG.createdb(db)
    code = "var s = 0; for (var i = 0; i < 20000; i++) { s += i % 7; } output = s;"
    jobs = [{"jobId": f"{PREFIX}-crash-{i}", "code": code, "inputData": {"i": i}} for i in range(NJOBS)]
    s = start_sink(db, "crash", "--batch-max", "100")
    if not wait_log(s, "partitions assigned", 60):
        check("kill -9: sink joins", False, log_lines(s)[-3:])
        return
    # First catch up with the results the earlier tests left in the topic.
    base = wait_count(db, len(SUBMITTED), 60, s)[0]
    sub = submit_async(jobs)
    third = base + NJOBS // 3
    c = wait_count(db, third, 180, s)
    s.kill()
    s.wait()
    killed_at = count(PG, db)[0]
    check(f"kill -9: sink killed mid-stream ({killed_at - base} of {NJOBS} rows stored)",
          third <= c[0] and killed_at < base + NJOBS, (base, c, killed_at))
    sub_rc = sub.wait(300)
    os.unlink(sub.jobfile)
    check("kill -9: jobs submitted", sub_rc == 0, sub_rc)
    s = start_sink(db, "crash", "--batch-max", "100")
    c = wait_count(db, base + NJOBS, 300, s)
    time.sleep(1.0)  # anything extra would land now
    c = count(PG, db)
    check(f"kill -9: after restart COUNT(*) = COUNT(DISTINCT JobID) = {base + NJOBS}",
          c == (base + NJOBS, base + NJOBS), c)
    ids = {r[0] for r in PG.sql(f"SELECT \"JobID\" FROM \"ActionExecutionLog\" WHERE \"JobID\" LIKE '{PREFIX}-crash-%'",
                                db)}
    check("kill -9: exactly the submitted jobs", ids == {j["jobId"] for j in jobs}, len(ids))
    assigned = [e for e in log_lines(s) if e.get("msg") == "partitions assigned"]
    check("kill -9: the restarted sink resumed from stored offsets",
          assigned and any("@beginning" not in x for x in assigned[0]["partitions"]), assigned[:1])
    rc = stop(s)
    want = topic_next_offsets(T.results)
    got = stored_offsets(db, "crash")
    check("kill -9: offsets table consistent with the topic", rc == 0 and got == want, (rc, got, want))


def test_two_sinks():
    """Two sinks in one group (cooperative-sticky) share the partitions; one
    leaves on SIGTERM and the other takes its partitions over from the
    offsets it stored."""
    db = "t_pair"
    PG.createdb(db)
    coop = ("-X", "kafka.partition.assignment.strategy=cooperative-sticky")
    a = start_sink(db, "pair", *coop)
    n0 = len(SUBMITTED)
    wait_count(db, n0, 120, a)
    b = start_sink(db, "pair", *coop)
    ok = wait_log(b, "partitions assigned", 60) and wait_log(a, "partitions revoked", 60)
    check("two sinks: the second one gets partitions, the first gives some up", ok,
          (log_lines(a)[-3:], log_lines(b)[-3:]))
    p1 = submit([{"jobId": f"{PREFIX}-pair-a-{i}", "code": "output = 1"} for i in range(300)])
    c = wait_count(db, n0 + 300, 60)
    check("two sinks: every result stored once while sharing", p1.returncode == 0 and c == (n0 + 300, n0 + 300), c)
    rc = stop(a)
    p2 = submit([{"jobId": f"{PREFIX}-pair-b-{i}", "code": "output = 2"} for i in range(300)])
    c = wait_count(db, n0 + 600, 90)
    time.sleep(1.0)
    c = count(PG, db)
    check("two sinks: after one leaves, the other takes over with nothing lost or doubled",
          rc == 0 and p2.returncode == 0 and c == (n0 + 600, n0 + 600), (rc, c))
    rc = stop(b)
    want = topic_next_offsets(T.results)
    got = stored_offsets(db, "pair")
    check("two sinks: offsets table consistent with the topic", rc == 0 and got == want, (got, want))


def test_retention():
    db = "t_ret"
    PG.createdb(db)
    schema = subprocess.run([BIN, "audit", "--print-schema"], capture_output=True, text=True).stdout
    PG.sql(schema, db)
    ins = ('INSERT INTO "ActionExecutionLog" ("ID", "StartedAt", "EndedAt", "ResultCode", "RetentionPeriod", '
           '"JobID") VALUES ')
    PG.sql(ins + "(gen_random_uuid(), now() - interval '40 days', now() - interval '40 days', 'SUCCESS', NULL, "
           "'old-default'), (gen_random_uuid(), now() - interval '40 days', now() - interval '40 days', 'SUCCESS', "
           "90, 'old-keep-90'), (gen_random_uuid(), now() - interval '1 day', now() - interval '1 day', 'SUCCESS', "
           "NULL, 'recent')", db)
    s = start_sink(db, "ret", "--retention-days", "30")
    ok = wait_log(s, "retention sweep", 60)
    sweep = [e for e in log_lines(s) if e.get("msg") == "retention sweep"]
    left = {r[0] for r in PG.sql('SELECT "JobID" FROM "ActionExecutionLog"', db)}
    check("retention: start-up sweep deletes the row ended 40 days ago",
          ok and sweep[0].get("deleted") == 1 and "old-default" not in left, (sweep, left))
    check("retention: keeps recent rows and rows whose own RetentionPeriod is longer",
          {"recent", "old-keep-90"} <= left, left)
    wait_count(db, len(SUBMITTED) + 2, 120, s)
    stop(s)
    r = PG.sql('SELECT count(*), count(*) FILTER (WHERE "RetentionPeriod" = 30) FROM "ActionExecutionLog" '
               "WHERE \"JobID\" LIKE '" + PREFIX + "-%'", db)
    check("retention: new rows get RetentionPeriod = N", int(r[0][0]) > 0 and r[0][0] == r[0][1], r)


def test_reconnect():
    db = "t_rc"
    PG.createdb(db)
    s = start_sink(db, "rc")
    n0 = len(SUBMITTED)
    c = wait_count(db, n0, 120, s)  # everything so far, then the server goes away
    check("reconnect: caught up before the outage", c == (n0, n0), (c, n0))
    PG.stop("fast")
    jobs = [{"jobId": f"{PREFIX}-rc-{i}", "code": "output = 7"} for i in range(100)]
    p = submit(jobs)
    lost = wait_log(s, "postgresql connection lost; reconnecting", 30)
    time.sleep(1)
    PG.start()
    ok = wait_log(s, "postgresql reconnected", 60)
    c = wait_count(db, n0 + 100, 60, s)
    check("reconnect: logs the lost connection and the reconnection", lost and ok,
          [e for e in log_lines(s) if "postgres" in e.get("msg", "")][-4:])
    check("reconnect: rows produced while the database was down are stored once",
          p.returncode == 0 and c == (n0 + 100, n0 + 100), (c, n0))
    rc = stop(s)
    check("reconnect: SIGTERM exits 0", rc == 0, rc)


PG = None


def main():
    global PG
    ensure_broker()
    PG = Postgres()
    worker = None
    try:
        test_cli()
        worker = start_worker()
        if not wait_log(worker, "partitions assigned", 90) or not topic_ready(T.results, 4):
            check("worker joins", False, open(worker.logpath).read()[-800:])
            return
        test_basic_and_redaction()
        test_bad_records()
        test_kill9()
        test_two_sinks()
        test_retention()
        test_reconnect()
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p, signal.SIGTERM, 30)
        for p in procs:
            try:
                os.unlink(p.logpath)
            except OSError:
                pass
        PG.cleanup()
        print(f"{passed} passed, {failed} failed")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
