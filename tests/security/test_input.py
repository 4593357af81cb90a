#!/usr/bin/env python3
"""Hostile job messages: the input path, from job bytes to values in the heap.

Each case is one raw line given to `codeworker exec --jobs` (many are not
valid JSON on purpose), with the result type it must get and a check on the
result.  Covers: inputData nested up to and past the documented limit (1,000
levels), as a value and as a string holding JSON, with the jobId before or
after it; duplicate top-level keys; U+0000 in strings, keys, code and ids;
trailing bytes, a second object and a BOM after the job; numeric strings
for the limits ("0x10" is not 16 s); characters outside the BMP in input
(UTF-16 semantics, as in Node); U+2028/U+2029 in JSON.stringify; a context
and ids each at its documented limit.  Then the C stack at the nesting limit
under deep native recursion, and the executor's memory outside the heap cap
for an 8 MiB job (SECURITY.md: 16 x job.max.bytes).

Expected values are Node 24's answers (JSON.parse of the same message, then
the same code in a fresh context), recorded by hand where they are a number.

Usage: test_input.py BUILD_BIN_DIR
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, children, summary  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
sys.setrecursionlimit(20000)  # results echo inputs nested 1,000 levels
S, R, M, INV = "SUCCESS", "RUNTIME_ERROR", "MEMORY_LIMIT", "INVALID_REQUEST"
LIMIT = 1000

DEPTH_CODE = ("let d = 0, x = input; while (typeof x === 'object' && x !== null) "
              "{ x = Array.isArray(x) ? x[0] : x.a; d++ } output = d")


def nest(depth, kind):
    """JSON text nested `depth` levels: arrays, objects, or both in turn."""
    opens, closes = [], []
    for i in range(depth):
        obj = kind == "obj" or (kind == "mixed" and i % 2)
        opens.append('{"a":' if obj else "[")
        closes.append("}" if obj else "]")
    return "".join(opens) + "1" + "".join(reversed(closes))


def job(job_id, code, input_text=None, as_string=False, id_last=False, extra=""):
    """One raw job line; input_text is JSON text placed as is (or as a string)."""
    parts = [] if id_last else [f'"jobId":{json.dumps(job_id)}']
    parts.append(f'"code":{json.dumps(code)}')
    if input_text is not None:
        parts.append('"inputData":' + (json.dumps(input_text) if as_string else input_text))
    if extra:
        parts.append(extra)
    if id_last:
        parts.append(f'"jobId":{json.dumps(job_id)}')
    return "{" + ",".join(parts) + "}"


def limit_named(r):
    return str(LIMIT) in ((r.get("error") or {}).get("message") or "")


CASES = []  # (name, raw line, expected jobId, [codes], check or None)


def case(name, line, codes, extra=None, job_id="same"):
    CASES.append((name, line, name if job_id == "same" else job_id, codes, extra))


# --- nesting: accepted up to the limit, INVALID_REQUEST naming it above ----------
for depth in (112, 169, 200, 500, 999, LIMIT):
    for kind in ("arr", "obj", "mixed"):
        name = f"nest-{kind}-{depth}"
        case(name, job(name, DEPTH_CODE, nest(depth, kind)), [S], lambda r, d=depth: r["output"] == d)
        name = f"nest-{kind}-{depth}-string"
        case(name, job(name, DEPTH_CODE, nest(depth, kind), as_string=True), [S], lambda r, d=depth: r["output"] == d)
case("nest-limit-roundtrip", job("nest-limit-roundtrip", "output = input", nest(LIMIT, "mixed")), [S],
     lambda r: json.dumps(r["output"], separators=(",", ":")) == nest(LIMIT, "mixed"))
for depth in (LIMIT + 1, 5000, 200000):
    for as_string in (False, True):
        for id_last in (False, True):
            name = f"nest-over-{depth}{'-string' if as_string else ''}{'-id-last' if id_last else ''}"
            case(name, job(name, "output = 1", nest(depth, "mixed"), as_string=as_string, id_last=id_last), [INV],
                 limit_named)
name = "nest-over-context"
case(name, job(name, "output = 1", extra='"context":' + nest(LIMIT + 1, "arr")), [INV], limit_named)
# any other invalid field: still answered with the jobId
name = "invalid-field-after-deep-input"
case(name, job(name, "output = 1", nest(800, "arr"), id_last=True, extra='"userId":5'), [INV])

# a syntax error after the jobId, invalid UTF-8 in the input: still addressed
name = "syntax-error-after-id"
case(name, f'{{"jobId":"{name}","code":"output = 1","inputData":[1,2,}}', [INV])
name = "invalid-utf8-in-input"
case(name, f'{{"jobId":"{name}","code":"output = 1","inputData":{{"s":"'.encode() + b"\xff\xed\xa0\x80" + b'"}}', [INV],
     lambda r: "UTF-8" in r["error"]["message"])

# --- duplicate top-level keys ----------------------------------------------------------
case("dup-code", '{"jobId":"dup-code","code":"output = 1","code":"output = 2"}', [INV],
     lambda r: "more than once" in r["error"]["message"])
case("dup-memory", '{"jobId":"dup-memory","code":"output = 1","memoryLimit":512,"memoryLimit":8}', [INV])
case("dup-expires", '{"jobId":"dup-expires","code":"output = 1","expiresAt":1,"expiresAt":null}', [INV])
case("dup-jobid", '{"jobId":"victim","code":"output = 1","jobId":"attacker"}', [INV], job_id=None)
case("dup-jobid-escaped", '{"jobId":"victim","code":"output = 1","job\\u0049d":"attacker"}', [INV], job_id=None)
case("dup-unknown", '{"jobId":"dup-unknown","code":"output = 1","x":1,"x":2}', [INV])
case("dup-inside-input-last-wins", '{"jobId":"dup-inside-input-last-wins","code":"output = input.k",'
     '"inputData":{"k":1,"k":2}}', [S], lambda r: r["output"] == 2)

# --- U+0000 ----------------------------------------------------------------------------------
case("nul-input-string", job("nul-input-string", "output = [input.s.length, input.s === 'a\\u0000b']",
                             '{"s":"a\\u0000b"}'), [S], lambda r: r["output"] == [3, True])
case("nul-input-key", job("nul-input-key", "output = Object.keys(input).map(k => k.length)",
                          '{"k\\u0000x":1,"k":2}'), [S], lambda r: r["output"] == [3, 1])
case("nul-input-string-json", job("nul-input-string-json", "output = input.s.length", '{"s":"a\\u0000b"}',
                                  as_string=True), [S], lambda r: r["output"] == 3)
case("nul-code", job("nul-code", "output = 'a\u0000b'.length + ':' + 'tail'"), [S], lambda r: r["output"] == "3:tail")
case("nul-output", job("nul-output", "output = input.s", '{"s":"x\\u0000y"}'), [S], lambda r: r["output"] == "x\u0000y")
case("nul-jobid", '{"jobId":"victim-2\\u0000attacker","code":"output = 1"}', [INV], job_id=None)
for field in ("userId", "actionId", "agentRunId", "replyTopic"):
    case(f"nul-{field}", job(f"nul-{field}", "output = 1", extra=f'"{field}":"victim\\u0000attacker"'), [INV],
         lambda r: "U+0000" in r["error"]["message"])

# --- trailing bytes ----------------------------------------------------------------------------
case("trailing-garbage", job("trailing-garbage", "output = 1") + " garbage", [INV])
case("trailing-second-object", job("trailing-second-object", "output = 1") + job("other", "output = 2"), [INV])
case("trailing-bom", job("trailing-bom", "output = 1") + "\ufeff", [INV])
case("trailing-comma", job("trailing-comma", "output = 1") + ",", [INV])
case("trailing-whitespace-ok", job("trailing-whitespace-ok", "output = 1") + " \t ", [S])

# --- numeric strings ---------------------------------------------------------------------------
for text, want in (('"0x10"', 30), ('"Infinity"', 30), ('" 16"', 30), ('"+16"', 30), ('"16"', 16), ('"1e1"', 10)):
    name = f"timeout-string-{text.strip(chr(34)).strip()}"
    case(name, job(name, "output = 1", extra=f'"timeout":{text}'), [S], lambda r, w=want: r["timeout"] == w)
case("expires-hex-seconds", job("expires-hex-seconds", "output = 1", extra='"expiresAt":"2099-01-01T00:00:0x10Z"'),
     [INV])

# --- characters outside the BMP: UTF-16 semantics (Node's answers) ---------------------------------
ASTRAL_CODE = "output = [input.s.length, input.s.codePointAt(0), input.s.charCodeAt(1), input.s === '\\ud83d\\ude00ab']"
ASTRAL_OK = [4, 128512, 0xDE00, True]
case("astral-input", job("astral-input", ASTRAL_CODE, '{"s":"😀ab"}'), [S], lambda r: r["output"] == ASTRAL_OK)
case("astral-input-string", job("astral-input-string", ASTRAL_CODE, '{"s":"😀ab"}', as_string=True), [S],
     lambda r: r["output"] == ASTRAL_OK)
case("astral-input-escaped", job("astral-input-escaped", ASTRAL_CODE, '{"s":"\\ud83d\\ude00ab"}', as_string=True), [S],
     lambda r: r["output"] == ASTRAL_OK)
case("astral-key", job("astral-key", "output = Object.keys(input)[0].length", '{"𝒳y":1}'), [S],
     lambda r: r["output"] == 3)
case("astral-roundtrip", job("astral-roundtrip", "output = input", '{"s":"😀𝒳"}'), [S],
     lambda r: r["output"] == {"s": "😀𝒳"})

# --- JSON.stringify and U+2028/U+2029: written raw, as Node does ---------------------------------
case("stringify-u2028", job("stringify-u2028", "output = [JSON.stringify('\\u2028\\u2029').length, "
                                              "JSON.stringify(input.s) === '\"' + input.s + '\"']",
                            '{"s":"a\\u2028b\\u2029"}'), [S], lambda r: r["output"] == [4, True])

# --- context and ids at their documented limits --------------------------------------------------
ctx = '{"k":"' + "c" * ((64 << 10) - 8) + '"}'
# ids of 256 bytes that are control characters: six bytes each once escaped
ids = ",".join(f'"{k}":"{(chr(92) + "u0001") * 256}"' for k in ("actionId", "userId", "agentRunId"))
case("context-and-ids-at-limits", job("context-and-ids-at-limits", "output = 1", extra=ids + ',"context":' + ctx), [S],
     lambda r: len(r["context"]["k"]) == (64 << 10) - 8 and r["userId"] == "\u0001" * 256)
case("context-with-nul", job("context-with-nul", "output = 1", extra='"context": { "k" : "a\\u0000b" }'), [S],
     lambda r: r["context"] == {"k": "a\u0000b"})
name = "context-over-limit"
case(name, job(name, "output = 1", extra='"context":"' + "c" * (64 << 10) + '"'), [INV])

# --- the C stack at the limit: deep native recursion, then the deepest input through JSON -----------
STACK_CODE = ("function f(n) { return n ? [0].map(function () { return f(n - 1) })[0] : "
              "JSON.stringify(JSON.parse(JSON.stringify(input))).length } output = f(%d)")
# Two native calls a level: ~3,300 levels reach Duktape's call-stack limit
# (10,000 activations) before the 7,000 native levels; the deepest input
# must still go through JSON at 3,000 levels.
for n, codes in ((100, [S]), (3000, [S]), (5000, [R])):
    name = f"stack-native-{n}"
    case(name, job(name, STACK_CODE % n, nest(LIMIT, "mixed")), codes,
         lambda r: r["resultCode"] == R or r["output"] == len(nest(LIMIT, "mixed")))


def run_lines(lines, executors=2):
    path = os.path.join(os.path.dirname(BIN), "input-jobs.jsonl")
    with open(path, "wb") as f:
        f.write(b"\n".join(l if isinstance(l, bytes) else l.encode("utf-8") for l in lines) + b"\n")
    t0 = time.monotonic()
    p = subprocess.run([BIN, "exec", "--jobs", path, "--executors", str(executors)], capture_output=True,
                       timeout=600)
    wall = time.monotonic() - t0
    os.unlink(path)
    return p, wall


def cases():
    lines = [c[1] for c in CASES]
    p, wall = run_lines(lines)
    out = p.stdout.decode("utf-8", "replace").splitlines()
    results = []
    for l in out:
        try:
            results.append(json.loads(l))
        except ValueError:
            results.append({"unparsable": l[:200]})
    check("every input job got exactly one result", len(results) == len(lines) and p.returncode == 0,
          f"{len(results)}/{len(lines)} rc={p.returncode} {p.stderr[-300:]!r}")
    for (name, _line, job_id, codes, extra), r in zip(CASES, results):
        ok = r.get("jobId") == job_id and r.get("resultCode") in codes
        if ok and extra:
            try:
                ok = bool(extra(r))
            except Exception:  # noqa: BLE001
                ok = False
        detail = {k: r.get(k) for k in ("jobId", "resultCode", "output", "error", "timeout", "unparsable")}
        check(f"input {name} -> {'/'.join(codes)}", ok, json.dumps(detail)[:500])
    print(f"# {len(lines)} input jobs in {wall:.1f} s")


def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory(mib):
    """The executor's peak RSS for a `mib` MiB job (8: run's default
    job.max.bytes, 64: exec's) whose heap is capped at 8 MB: what it grows by
    is memory outside the heap cap (parser, buffers)."""
    budget_kb = 16 * mib * 1024  # SECURITY.md: 16 x the job size
    size = (mib << 20) - 1024
    small = job("mem-warm", "output = 1") + "\n"
    shapes = {
        # about four million JSON values, each a node for a tree parser
        "array-of-zeros": job("mem-array", "output = input.length", "[" + "0," * ((size - 200) // 2 - 1) + "0]",
                              extra='"memoryLimit":8'),
        # a million top-level keys: the duplicate check's worst case
        "top-level-keys": "{" + ",".join(f'"k{i:07d}":0' for i in range((size - 200) // 13)) +
                          ',"jobId":"mem-keys","code":"output = 1","memoryLimit":8}',
        "inputData-string": job("mem-string", "output = input.length", json.dumps("[" + "0," * ((size - 300) // 2 - 1) + "0]"),
                                extra='"memoryLimit":8'),
    }
    for shape, line in shapes.items():
        assert len(line) <= mib << 20, (shape, len(line))
        p = subprocess.Popen([BIN, "exec", "--jobs", "-", "--executors", "1"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.stdin.write(small.encode())
            p.stdin.flush()
            first = p.stdout.readline()
            kids = children(p.pid)
            base = hwm_kb(kids[0]) if kids else None
            p.stdin.write((line + "\n").encode())
            p.stdin.flush()
            second = p.stdout.readline()
            peak = hwm_kb(kids[0]) if kids else None
            p.stdin.close()
            p.wait(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
        try:
            r = json.loads(second)
        except ValueError:
            r = {}
        grew = (peak - base) if base is not None and peak is not None else None
        print(f"# {mib} MiB job ({shape}): executor peak RSS {base} kB -> {peak} kB "
              f"(+{grew} kB, budget {budget_kb} kB); result {r.get('resultCode')}")
        check(f"memory {mib} MiB job ({shape}) stays within 16 x job size outside the heap cap",
              bool(first) and r.get("resultCode") in (S, M) and grew is not None and grew <= budget_kb,
              f"grew {grew} kB, result {r.get('resultCode')} {str(r.get('error'))[:200]}")


def main():
    cases()
    memory(8)
    memory(64)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
