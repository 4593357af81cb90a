#!/usr/bin/env python3
"""Checks the message contracts in schemas/ against themselves, their examples
and the documents the real binary writes.

Usage: test_schemas.py BUILD_BIN_DIR

* each schema is a valid JSON Schema (draft 2020-12);
* every example in schemas/examples/ validates, and every *.invalid.json
  counterexample is rejected (format checking on);
* the enums agree with each other and with CW_RESCODE_TABLE in
  common/cw_result.h;
* every job in tests/e2e/cases.py, every raw bad line, the valid job examples
  and a few extra jobs go through `codeworker exec --jobs`, and each result
  line must validate against result.schema.json; then an executor is killed
  mid-job and the supervisor's WORKER_CRASHED result must validate too.

Needs the `jsonschema` package (plus `rfc3339-validator`, without which
jsonschema silently skips "date-time").  When missing they are installed
with pip, into the interpreter or, where the system forbids that, into
BUILD_DIR/pydeps.  Prints one PASS/FAIL line per check and a closing
"N passed, N failed" line; exits 1 if anything failed.
"""

import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHEMAS = os.path.join(ROOT, "schemas")
EXAMPLES = os.path.join(SCHEMAS, "examples")
sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, HERE)
from cases import CASES, RAW_BAD_LINES, job_line  # noqa: E402

if len(sys.argv) < 2:
    print("usage: test_schemas.py BUILD_BIN_DIR", file=sys.stderr)
    sys.exit(2)
BIN_DIR = os.path.abspath(sys.argv[1])
BIN = os.path.join(BIN_DIR, "codeworker")
PYDEPS = os.path.join(os.path.dirname(BIN_DIR), "pydeps")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402




def finish():
    sys.exit(summary())


# ---- the validator ----------------------------------------------------------

def pip_install(packages):
    """pip into this interpreter; where that is refused (PEP 668), into PYDEPS."""
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    errors = []
    for extra in ([], ["--target", PYDEPS]):
        try:
            p = subprocess.run(base + extra + packages, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as e:
            errors.append(str(e))
            continue
        if p.returncode == 0:
            if extra and PYDEPS not in sys.path:
                sys.path.insert(0, PYDEPS)
            return None
        errors.append(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"rc={p.returncode}")
    return "; ".join(errors)


def load_jsonschema():
    if os.path.isdir(PYDEPS):
        sys.path.insert(0, PYDEPS)
    missing = []
    for module, package in (("jsonschema", "jsonschema"), ("rfc3339_validator", "rfc3339-validator")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        err = pip_install(missing)
        if err:
            check("jsonschema is available", False, f"cannot install {' '.join(missing)} with pip: {err}")
            finish()
        import importlib
        importlib.invalidate_caches()
    try:
        import jsonschema  # noqa: F401
        from jsonschema import Draft202012Validator
    except ImportError as e:
        check("jsonschema is available", False, str(e))
        finish()
    check("jsonschema is available", True)
    return Draft202012Validator


Draft202012Validator = load_jsonschema()
FORMATS = Draft202012Validator.FORMAT_CHECKER
check("format checker enforces date-time and uuid",
      FORMATS.conforms("2026-11-27T12:00:00.123Z", "date-time") and not FORMATS.conforms("yesterday", "date-time")
      and FORMATS.conforms("6a1f0d3e-2c4b-4f7a-9e8d-1b2c3d4e5f60", "uuid") and not FORMATS.conforms("nope", "uuid"),
      "a format is not checked (is rfc3339-validator installed?)")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def why(validator, doc):
    """The first few validation errors, one line."""
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    parts = []
    for e in errs[:3]:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        parts.append(f"{where}: {e.message[:160]}")
    return "; ".join(parts) + (f" (+{len(errs) - 3} more)" if len(errs) > 3 else "")


# ---- the schemas themselves -------------------------------------------------

validators = {}
KINDS = ("job", "result", "dlq", "cancel", "logs")
# The live log record refers to the result's log entries by the result schema's $id.
from referencing import Registry, Resource  # noqa: E402 -- jsonschema's own dependency
REGISTRY = Registry().with_resources(
    [(load(os.path.join(SCHEMAS, f"{k}.schema.json"))["$id"],
      Resource.from_contents(load(os.path.join(SCHEMAS, f"{k}.schema.json")))) for k in KINDS])
for kind in KINDS:
    path = os.path.join(SCHEMAS, f"{kind}.schema.json")
    try:
        schema = load(path)
        Draft202012Validator.check_schema(schema)
        validators[kind] = Draft202012Validator(schema, format_checker=FORMATS, registry=REGISTRY)
        check(f"{kind}.schema.json is a valid draft 2020-12 schema",
              schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "wrong $schema")
    except Exception as e:  # noqa: BLE001 -- any failure here is a FAIL line
        check(f"{kind}.schema.json is a valid draft 2020-12 schema", False, f"{type(e).__name__}: {e}")
if len(validators) != len(KINDS):
    finish()
RESULT = validators["result"]

# ---- enums agree with each other and with the C table ----------------------

rdefs = RESULT.schema["$defs"]
codes = rdefs["resultCode"]["enum"]
try:
    with open(os.path.join(ROOT, "common", "cw_result.h"), encoding="utf-8") as f:
        c_codes = re.findall(r'X\(CW_RES_\w+,\s*"([A-Z_]+)"\)', f.read())
    check("resultCode enum matches CW_RESCODE_TABLE", c_codes == codes, f"C {c_codes} vs schema {codes}")
except OSError as e:
    check("resultCode enum matches CW_RESCODE_TABLE", False, str(e))
failures = [c for c in codes if c != "SUCCESS"]
check("failureCode enum is resultCode minus SUCCESS", rdefs["failureCode"]["enum"] == failures,
      str(rdefs["failureCode"]["enum"]))
check("dlq cw-error-type enum is the failure codes",
      validators["dlq"].schema["properties"]["cw-error-type"]["enum"] == failures, "enums differ")
ifs = {c["if"]["properties"]["resultCode"]["const"] for c in RESULT.schema["allOf"]
       if "const" in c.get("if", {}).get("properties", {}).get("resultCode", {})
       and "const" in c.get("then", {}).get("properties", {}).get("errorType", {})}
check("an errorType == resultCode rule for every failure code", ifs == set(failures), f"missing {set(failures) - ifs}")

# ---- examples ---------------------------------------------------------------

REQUIRED_EXAMPLES = ["job-minimal.json", "job-full.json", "result-success.json", "result-runtime-error.json",
                     "result-timeout-supervisor.json", "result-invalid-request.json", "result-kafka.json",
                     "dlq-headers.json"]
present = {os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES, "*.json"))}
check("required examples exist", all(n in present for n in REQUIRED_EXAMPLES),
      f"missing {[n for n in REQUIRED_EXAMPLES if n not in present]}")
check("counterexamples exist for every schema",
      all(any(n.startswith(k + "-") and n.endswith(".invalid.json") for n in present) for k in validators), "")

valid_jobs = []
for name in sorted(present):
    kind = name.split("-", 1)[0]
    v = validators.get(kind)
    if v is None:
        check(f"example {name}", False, "name must start with job-, result-, dlq-, cancel- or logs-")
        continue
    try:
        doc = load(os.path.join(EXAMPLES, name))
    except ValueError as e:
        check(f"example {name}", False, f"not JSON: {e}")
        continue
    if name.endswith(".invalid.json"):
        check(f"example {name} is rejected", not v.is_valid(doc), "it validates but must not")
        continue
    check(f"example {name} validates", v.is_valid(doc), why(v, doc))
    # Members holding JSON text: contentMediaType/contentSchema are only annotations in 2020-12.
    if kind == "result" and "actionExecutionLog" in doc:
        row = doc["actionExecutionLog"]
        try:
            json.loads(row["Params"])
            json.loads(row["ResultParams"])
            check(f"example {name}: Params and ResultParams are JSON text", True)
        except (KeyError, TypeError, ValueError) as e:
            check(f"example {name}: Params and ResultParams are JSON text", False, str(e))
    if kind == "dlq" and "cw-attempts" in doc:
        sub = Draft202012Validator(v.schema["properties"]["cw-attempts"]["contentSchema"], format_checker=FORMATS)
        try:
            attempts = json.loads(doc["cw-attempts"])
            check(f"example {name}: cw-attempts matches its contentSchema", sub.is_valid(attempts), why(sub, attempts))
        except ValueError as e:
            check(f"example {name}: cw-attempts matches its contentSchema", False, f"not JSON: {e}")
    if kind == "job":
        valid_jobs.append((name, doc))

# ---- real results -----------------------------------------------------------

if not os.access(BIN, os.X_OK):
    check("codeworker binary exists", False, BIN)
    finish()

seen_codes = set()


def validate_result(name, line, expect_code=None):
    try:
        doc = json.loads(line)
    except ValueError as e:
        check(name, False, f"not JSON ({e}): {line[:200]}")
        return None
    ok = RESULT.is_valid(doc)
    if ok and expect_code and doc.get("resultCode") != expect_code:
        check(name, False, f"resultCode {doc.get('resultCode')} != {expect_code}")
        return doc
    check(name, ok, why(RESULT, doc) if not ok else "")
    if ok:
        seen_codes.add(doc["resultCode"])
    return doc


# Jobs beyond cases.py that reach other writers and members: EXPIRED, a
# replyTopic, a clipped log entry, every console level, an unserializable output.
EXTRA = [
    ("extra expired", {"code": "output = 1", "expiresAt": 1000, "actionId": "a-1", "context": [1]}, "EXPIRED"),
    ("extra expired-iso", {"code": "output = 1", "expiresAt": "2001-02-03T04:05:06.789+02:00"}, "EXPIRED"),
    ("extra reply-topic", {"code": "output = 1", "replyTopic": "agent.replies"}, "SUCCESS"),
    ("extra console-levels", {"code": "console.info('i'); console.debug('d'); console.trace('t'); console.dir({a: 1});"
                                      " console.assert(false, 'no'); console.log(new Array(9000).join('y'));"
                                      " console.error(new Error('as stack'))"}, "SUCCESS"),
    ("extra function-output", {"code": "output = function () {}"}, "SUCCESS"),
    ("extra limits-as-strings", {"code": "output = 1", "timeout": " 2.5 ", "memoryLimit": "1e9", "language": "JS"},
     "SUCCESS"),
    ("extra null-optional-fields", {"code": "output = 1", "language": None, "timeout": None, "memoryLimit": None,
                                    "actionId": None, "context": None, "expiresAt": None, "replyTopic": None},
     "SUCCESS"),
]


def test_exec_results():
    lines, names = [], []
    for cid, fields, code, *_ in CASES:
        lines.append(job_line(cid, fields))
        names.append((f"result of case {cid}", code))
    for i, raw in enumerate(RAW_BAD_LINES):
        lines.append(raw)
        names.append((f"result of raw bad line {i + 1}", "INVALID_REQUEST"))
    for name, doc in valid_jobs:
        lines.append(json.dumps(doc))
        names.append((f"result of example {name} (accepted by the service)", None))
    for i, (name, fields, code) in enumerate(EXTRA):
        lines.append(job_line(f"x-{i}", fields))
        names.append((f"result of {name}", code))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        p = subprocess.run([BIN, "exec", "--jobs", path, "--executors", "2"], capture_output=True,
                           text=True, timeout=120)
    finally:
        os.unlink(path)
    out = p.stdout.splitlines()
    check("exec --jobs: one result line per job line", p.returncode == 0 and len(out) == len(lines),
          f"rc={p.returncode}, {len(out)} lines for {len(lines)} jobs; stderr={p.stderr[-300:]}")
    for (name, code), line in zip(names, out):
        doc = validate_result(name, line, code)
        if doc is not None and code is None and doc.get("resultCode") in ("INVALID_REQUEST", "EXPIRED"):
            check(name + ": not refused", False, f"{doc['resultCode']}: {doc['error']['message']}")


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def test_supervisor_crash_result():
    """SIGKILL the executor running a job: the supervisor writes WORKER_CRASHED."""
    p = subprocess.Popen([BIN, "exec", "--jobs", "-", "--executors", "1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        p.stdin.write(job_line("crash-victim", {"code": "console.log('before'); while (true) {}", "timeout": 60,
                                                "userId": "u-9", "context": {"k": "v"}}) + "\n")
        p.stdin.flush()
        kids = []
        for _ in range(40):  # until the executor is up and has had time to start the job
            time.sleep(0.05)
            kids = children(p.pid)
            if kids:
                break
        time.sleep(0.5)
        for k in kids:
            os.kill(k, signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
    except Exception as e:  # noqa: BLE001
        p.kill()
        p.communicate()
        check("supervisor WORKER_CRASHED result validates", False, f"{type(e).__name__}: {e}")
        return
    lines = out.splitlines()
    if len(lines) != 1:
        check("supervisor WORKER_CRASHED result validates", False, f"{len(lines)} result lines: {out[:300]}")
        return
    doc = validate_result("supervisor WORKER_CRASHED result validates", lines[0], "WORKER_CRASHED")
    if doc and RESULT.is_valid(doc):
        check("supervisor result keeps the job's id, limits and audit members",
              doc["jobId"] == "crash-victim" and doc["timeout"] == 60 and doc.get("userId") == "u-9"
              and doc.get("context") == {"k": "v"}, lines[0][:300])
        check("supervisor result carries the recovered lines, flagged",
              [e["message"] for e in doc["logs"]] == ["before"] and doc.get("logsRecovered") is True,
              lines[0][:300])


def test_executor_cancel_result():
    """SIGUSR1 to the executor running a job -- what the supervisor sends for
    a cancel (worker/cw_interrupt.h): the executor ends the job CANCELLED."""
    p = subprocess.Popen([BIN, "exec", "--jobs", "-", "--executors", "1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        p.stdin.write(job_line("cancel-victim", {"code": "console.log('before'); while (true) {}", "timeout": 60}) + "\n")
        p.stdin.flush()
        kids = []
        for _ in range(40):
            time.sleep(0.05)
            kids = children(p.pid)
            if kids:
                break
        time.sleep(0.5)
        for k in kids:
            os.kill(k, signal.SIGUSR1)
        out, _ = p.communicate(timeout=30)
    except Exception as e:  # noqa: BLE001
        p.kill()
        p.communicate()
        check("executor CANCELLED result validates", False, f"{type(e).__name__}: {e}")
        return
    lines = out.splitlines()
    if len(lines) != 1:
        check("executor CANCELLED result validates", False, f"{len(lines)} result lines: {out[:300]}")
        return
    doc = validate_result("executor CANCELLED result validates", lines[0], "CANCELLED")
    if doc and RESULT.is_valid(doc):
        check("a cancelled job keeps its logs and is not a supervisor result",
              [e["message"] for e in doc["logs"]] == ["before"] and "logsRecovered" not in doc
              and doc["executionTimeMs"] < 30000, lines[0][:300])


t0 = time.monotonic()
test_exec_results()
test_supervisor_crash_result()
test_executor_cancel_result()
check("every resultCode was produced by the binary and validated",
      seen_codes == set(codes), f"never seen: {sorted(set(codes) - seen_codes)}")
check(f"end-to-end part took {time.monotonic() - t0:.1f} s (< 30 s)", time.monotonic() - t0 < 30, "too slow")
finish()
