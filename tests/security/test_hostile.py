#!/usr/bin/env python3
"""The security suite: hostile jobs, each with the result type it must get and
a time bound, run through `codeworker exec --jobs` with the executors
confined as in production.  Pollution cases run in pairs in one executor:
the second job of a pair must see a clean world.

Usage: test_hostile.py BUILD_BIN_DIR
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

BIN = os.path.join(sys.argv[1], "codeworker")
S, R, T, M, O, SEC, INV, SYN = ("SUCCESS", "RUNTIME_ERROR", "TIMEOUT", "MEMORY_LIMIT", "OUTPUT_LIMIT",
                                "SECURITY_ERROR", "INVALID_REQUEST", "SYNTAX_ERROR")
CLEAN = ("output = [typeof Duktape, Object.keys(process.env).length, typeof require('lodash').map, ({}).polluted, [].evil,"
         " typeof globalThis.leak, JSON.stringify([1]), Object.keys(Object.prototype).length, String(Math.max(1, 2))]")
CLEAN_OK = ["undefined", 0, "function", None, None, "undefined", "[1]", 0, "2"]

# (name, job fields, expected codes, max seconds, extra check on the result or None)
CASES = [
    # --- escape attempts ---------------------------------------------------------
    ("function-ctor-global", {"code": "output = Function('return typeof this.Duktape + typeof this.CBOR')()"}, [S], 5,
     lambda r: r["output"] == "undefinedundefined"),
    ("constructor-chain", {"code": "output = (function(){}).constructor('return Object.keys(this).filter(function (k) { return k[0] === \"_\" || k === \"Duktape\" })')()"}, [S], 5,
     lambda r: r["output"] == []),
    ("eval-global", {"code": "output = eval('typeof Duktape')"}, [S], 5, lambda r: r["output"] == "undefined"),
    ("hidden-symbol-probe", {"code": "output = Object.getOwnPropertyNames(globalThis).filter(n => /duk|cw_|__cw|^rt\\b/i.test(n) && n !== '__cw_h' && n !== '__cw_regexp' && n !== '__cw_eval_src' && n !== '__cw_tdz')"}, [S], 5,
     lambda r: r["output"] == []),
    # The sandbox describes a job's end with the built-ins as they were before
    # the job ran: replacing Error, String, JSON.stringify or
    # Error.prototype.toString does not change the description.
    ("replaced-error-ctor", {"code": "globalThis.Error = 5; await new Promise(() => {});"}, [R], 5,
     lambda r: r["error"]["name"] == "Error" and "never settled" in r["error"]["message"]),
    ("replaced-string", {"code": "globalThis.String = () => { throw 1; }; throw Symbol('s');"}, [R], 5,
     lambda r: r["error"]["message"] == "Symbol(s)"),
    ("replaced-stringify", {"code": "JSON.stringify = () => 'fake'; console.log('%j', { a: 1 }); output = 1"}, [S], 5,
     lambda r: r["logs"][0]["message"] == '{"a":1}'),
    ("throwing-error-tostring", {"code": "Error.prototype.toString = function () { throw new Error('ts'); }; throw new Error('boom');"},
     [R], 5, lambda r: r["error"]["name"] == "Error" and r["error"]["message"] == "boom"),
    ("throwing-name-getter", {"code": "Object.defineProperty(Error.prototype, 'name', { get() { throw new Error('n'); } });"
     " throw new Error('boom');"}, [R], 5, lambda r: r["error"]["message"] == "boom"),
    # The dead zone's sentinel and thrower cannot be replaced by the job.
    ("tdz-global-readonly", {"code": "const r = []; try { (function () { 'use strict'; __cw_tdz = () => 'mine'; })(); } catch (e) { r.push(e.name); }"
     " try { Object.defineProperty(globalThis, '__cw_tdz', { value: 1 }); } catch (e) { r.push(e.name); }"
     " try { (function () { 'use strict'; delete globalThis.__cw_tdz; })(); } catch (e) { r.push(e.name); }"
     " function f() { return K; } try { r.push(f()); } catch (e) { r.push(e.name + ': ' + e.message); } const K = 1; r.push(f());"
     " output = r;"}, [S], 5,
     lambda r: r["output"] == ["TypeError", "TypeError", "TypeError", "ReferenceError: Cannot access 'K' before initialization", 1]),
    # The stack of an error a native throws names its C file: a path relative
    # to the source tree, never one of the build machine (the host's layout).
    ("native-error-paths", {"code": "const stacks = []; for (const f of [() => 'x'.normalize('bad'), () => new RegExp('('),"
     " () => new Intl.NumberFormat('en', { style: 'bogus' }), () => 'a'.localeCompare('b', 'zz-invalid-@@'), () => require('nope')])"
     " { try { f(); } catch (e) { stacks.push(String(e.stack)); } }"
     " output = [stacks.length, stacks.filter(t => /\\(\\/[^\\s():]+:\\d+\\)/.test(t) || /\\/(work|home|root|tmp|usr|build)\\//.test(t))];"}, [S], 5,
     lambda r: r["output"][0] >= 4 and r["output"][1] == []),
    ("require-fs", {"code": "require('fs').readFileSync('/etc/passwd')"}, [SEC], 5, None),
    ("require-node-prefix", {"code": "require('node:child_process').execSync('id')"}, [SEC], 5, None),
    ("require-net", {"code": "require('net').connect(80, '127.0.0.1')"}, [SEC], 5, None),
    ("require-http", {"code": "require('http').get('http://127.0.0.1/')"}, [SEC], 5, None),
    ("require-os", {"code": "require('os').userInfo()"}, [SEC], 5, None),
    ("require-path-traversal", {"code": "require('../../../etc/passwd')"}, [R], 5,
     lambda r: "allowed modules" in r["error"]["message"]),
    ("require-absolute", {"code": "require('/usr/lib/node_modules/fs')"}, [R], 5, None),
    ("require-non-string", {"code": "require({ toString() { return 'fs' } })"}, [R, SEC], 5, None),
    # Node's process, answering from the job's world only: no host
    # environment (the executor's has PATH at least), no way to end, signal
    # or inspect the executor, no native bindings.
    ("process-no-host-facts", {"code": "const p = require('node:process'); output = [p === process, Object.keys(p.env).length,"
                               " typeof p.exit, typeof p.kill, typeof p.abort, typeof p.binding, typeof p._linkedBinding, typeof p.dlopen,"
                               " typeof p.pid, typeof p.ppid, typeof p.execPath, typeof p.getuid, typeof p.chdir, p.cwd(), p.argv.length,"
                               " Object.getOwnPropertyNames(p).filter(k => typeof p[k] === 'function').sort().join()]"}, [S], 5,
     lambda r: r["output"][:2] == [True, 0] and r["output"][2:13] == ["undefined"] * 11 and r["output"][13:15] == ["/", 0]
     and r["output"][15] == "availableMemory,constrainedMemory,cwd,emitWarning,hrtime,memoryUsage,nextTick,uptime"),
    # Timers exist (the job's clock skips ahead); one that never stops ends
    # at the deadline, at once, with the job's logs.
    ("interval-forever", {"code": "console.log('started'); setInterval(() => {}, 100)", "timeout": 2}, [T], 1.0,
     lambda r: len(r["logs"]) == 1),
    ("timer-past-deadline", {"code": "setTimeout(() => { output = 'late' }, 60000)", "timeout": 1}, [T], 0.5, None),
    ("crypto-limits", {"code": "crypto.getRandomValues(new Uint8Array(70000))"}, [R], 5, None),
    ("bytecode-absent", {"code": "output = [typeof Duktape, typeof CBOR, typeof Proxy]"}, [S], 5,
     lambda r: r["output"] == ["undefined", "undefined", "function"]),
    # --- error-type spoofing -------------------------------------------------------
    ("spoof-timeout-message", {"code": "throw new Error('Script execution timed out')"}, [R], 5, None),
    ("spoof-security-name", {"code": "const e = new Error('module \"fs\" is blocked'); e.name = 'SecurityError'; throw e"}, [R], 5, None),
    ("spoof-memory", {"code": "throw new RangeError('alloc failed')"}, [R], 5, None),
    ("spoof-caught-blocked-then-other", {"code": "try { require('fs') } catch (e) {} throw new Error('later')"}, [R], 5, None),
    ("spoof-rethrow-blocked", {"code": "let saved; try { require('fs') } catch (e) { saved = e } throw saved"}, [SEC], 5, None),
    # --- traps on output -----------------------------------------------------------------
    ("getter-throws", {"code": "output = { get x() { throw new Error('trap') } }"}, [R], 5, None),
    ("tojson-loops", {"code": "output = { toJSON() { for (;;) {} } }", "timeout": 1}, [T], 2.0, None),
    ("proxy-output", {"code": "output = new Proxy({}, { ownKeys() { throw new Error('keys') } })"}, [R, S], 5, None),
    ("proxy-thrown", {"code": "throw new Proxy({}, { get() { throw 1 }, has() { return true } })"}, [R], 5, None),
    ("cyclic-output", {"code": "const a = []; a.push(a); output = a"}, [R], 5, None),
    ("huge-output", {"code": "output = 'x'.repeat(5 * 1024 * 1024)"}, [O, M], 10, None),
    ("tostring-trap-log", {"code": "console.log({ toString() { throw 1 }, toJSON() { throw 2 } }); output = 'ok'"}, [S], 5,
     lambda r: r["output"] == "ok" and len(r["logs"]) == 1),
    # --- runaway work inside built-ins (hard kill) ------------------------------------
    # Catastrophic patterns the linear-time automata take: answered at once.
    ("redos", {"code": "output = /^(a+)+$/.test('a'.repeat(40) + '!')", "timeout": 1}, [S], 0.5,
     lambda r: r["output"] is False),
    ("redos-replace", {"code": "output = ('a'.repeat(30) + 'b').replace(/(a|aa)+c/, '')", "timeout": 1}, [S], 0.5,
     lambda r: r["output"] == "a" * 30 + "b"),
    ("redos-alternation", {"code": "output = /(x|y)+z/.test('xy'.repeat(50000))", "timeout": 1}, [S], 0.5,
     lambda r: r["output"] is False),
    # Only the backtracker can run a backreference: the deadline's signal
    # stops it inside the executor (worker/cw_interrupt.h), logs kept.
    ("redos-backref", {"code": "console.log('started'); output = /^(a+)+\\1$/.test('a'.repeat(40) + '!')", "timeout": 1}, [T], 1.4,
     lambda r: len(r["logs"]) == 1 and "supervisor" not in r["error"]["message"]),
    # A global replace over a huge string checks the deadline between matches.
    ("regex-replace-loop-deadline", {"code": "console.log('started'); const s = 'ab'.repeat(2e6); let n = 0; for (;;) n += s.replace(/b/g, 'c').length;",
                                     "timeout": 1}, [T], 1.4, lambda r: len(r["logs"]) == 1),
    ("quadratic-join", {"code": "output = new Array(1e8).join('ab').length", "timeout": 1}, [T, M], 2.0, None),
    ("quadratic-indexof", {"code": "const s = 'a'.repeat(4e6); let n = 0; for (let i = 0; i < 3000; i++) n += s.indexOf('b'); output = n", "timeout": 1}, [T], 2.0, None),
    ("expensive-instructions", {"code": "console.log('started'); var big = new Array(300000).join('x'); for (var n = 0; ; n++) { var t = big + n; }",
                                "timeout": 1, "memoryLimit": 8}, [T], 1.4, lambda r: len(r["logs"]) == 1),
    ("sort-huge", {"code": "const a = []; for (let i = 0; i < 3e6; i++) a.push(i % 977); a.sort((x, y) => x - y); output = a.length", "timeout": 1}, [T, M], 2.0, None),
    ("library-exhaustion", {"code": "const _ = require('lodash'); output = _.range(5e7).length", "timeout": 2, "memoryLimit": 32}, [M, T], 3.0, None),
    ("mathjs-exhaustion", {"code": "const math = require('mathjs'); output = math.evaluate('ones(3000, 3000)').size()", "timeout": 2, "memoryLimit": 64}, [M, T], 3.0, None),
    # --- resource exhaustion -----------------------------------------------------------
    ("memory-strings", {"code": "let s = 'x'; for (;;) s += s;", "memoryLimit": 16}, [M], 10, lambda r: r["memoryPeakBytes"] <= 16 << 20),
    ("memory-objects", {"code": "const a = []; for (;;) a.push({ k: a.length });", "memoryLimit": 8}, [M], 10, None),
    ("memory-typed-array", {"code": "output = new Float64Array(1e9).length", "memoryLimit": 8}, [M, R], 5, None),
    ("memory-caught-continue", {"code": "let big = []; try { for (;;) big.push(new Array(1e5)); } catch (e) { big = null; } output = 'recovered'", "memoryLimit": 16}, [S, M], 10, None),
    ("stack-recursion", {"code": "const f = n => 1 + f(n + 1); f(0)"}, [R], 5, lambda r: r["error"]["name"] == "RangeError"),
    ("deep-source", {"code": "output = " + "[" * 20000 + "]" * 20000}, [SYN], 5, None),
    ("deep-json-parse", {"code": "JSON.parse('['.repeat(100000) + ']'.repeat(100000))"}, [R], 5, None),
    ("console-flood", {"code": "for (let i = 0; i < 1e6; i++) console.log('x'.repeat(100)); output = 'done'"}, [S, T], 30,
     lambda r: r["logsTruncated"] is True and len(r["logs"]) <= 1000),
    ("huge-error-message", {"code": "throw new Error('e'.repeat(3e6))"}, [R], 10,
     lambda r: len(r["error"]["message"]) <= 4096),
    ("huge-log-message", {"code": "console.error('m'.repeat(2e6)); output = 1"}, [S], 10,
     lambda r: len(r["logs"][0]["message"]) <= 8192 and r["logsTruncated"] is True),
    # --- hostile input ---------------------------------------------------------------------
    ("input-proto-key", {"code": "output = [input.admin, ({}).admin, Object.keys(input)]", "inputData": json.loads('{"__proto__": {"admin": true}}')}, [S], 5,
     lambda r: r["output"] == [None, None, ["__proto__"]]),
    ("input-constructor-key", {"code": "output = typeof input.constructor.prototype", "inputData": {"constructor": {"prototype": 1}}}, [S], 5,
     lambda r: r["output"] == "number"),
    ("input-deep-nesting", {"code": "output = 1", "inputData": "[" * 3000 + "]" * 3000}, [INV], 5, None),
    ("input-huge", {"code": "output = input.length", "inputData": list(range(300000))}, [S], 10, lambda r: r["output"] == 300000),
    ("input-lone-surrogate-string", {"code": "output = input.s.length", "inputData": "{\"s\": \"\\ud800\"}"}, [S, INV], 5, None),
    ("output-lone-surrogate", {"code": "output = '\\udfff' + '\\ud83d\\ude00'"}, [S], 5, None),
    # U+0000 inside a string literal of the code is carried whole (Node: 3)
    ("code-with-nul", {"code": "output = 'a\u0000b'.length"}, [S], 5, lambda r: r["output"] == 3),
    ("code-bidi-and-bom", {"code": "\ufeffoutput = '\u202e' + 'x'"}, [S, SYN], 5, None),
    ("language-spoof", {"code": "1", "language": "javascript; rm -rf /"}, [INV], 5, None),
    ("limits-negative", {"code": "output = 1", "timeout": -5, "memoryLimit": -1}, [S], 5,
     lambda r: r["timeout"] == 1 and r["memoryLimit"] == 8),
    ("limits-huge", {"code": "output = 1", "timeout": 1e308, "memoryLimit": 1e308}, [S], 5,
     lambda r: r["timeout"] == 120 and r["memoryLimit"] == 512),
    ("limits-strings", {"code": "output = 1", "timeout": "Infinity", "memoryLimit": "NaN"}, [S], 5,
     lambda r: r["timeout"] == 30 and r["memoryLimit"] == 128),
]

POLLUTERS = [
    "Object.prototype.polluted = 'yes'; Array.prototype.evil = 1; globalThis.leak = 1;"
    " JSON.stringify = () => '\"hacked\"'; Math.max = () => -1; output = 'polluted'",
    "const _ = require('lodash'); _.map = null; Object.defineProperty(Object.prototype, 'x', { get() { throw 1 } }); output = 1",
    "Object.freeze(Object.prototype); Object.freeze(Array.prototype); Function.prototype.call = null; output = 1",
    "String.prototype.toString = () => 'evil'; Object.prototype.toJSON = () => 'evil'; output = 1",
]


def main():
    lines = []
    expected = []
    for name, fields, codes, bound, extra in CASES:
        job = {"jobId": name}
        job.update(fields)
        lines.append(json.dumps(job))
        expected.append((name, codes, bound, extra))
    for i, code in enumerate(POLLUTERS):
        lines.append(json.dumps({"jobId": f"polluter-{i}", "code": code}))
        expected.append((f"polluter-{i}", None, 10, None))
        lines.append(json.dumps({"jobId": f"after-polluter-{i}", "code": CLEAN}))
        expected.append((f"after-polluter-{i}", [S], 10, lambda r: r["output"] == CLEAN_OK))
    path = os.path.join(os.path.dirname(BIN), "hostile-jobs.jsonl")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    t0 = time.monotonic()
    # one executor, so every polluter's follower runs in the very same process
    p = subprocess.run([BIN, "exec", "--jobs", path, "--executors", "1"], capture_output=True, text=True, timeout=1200)
    wall = time.monotonic() - t0
    os.unlink(path)
    results = [json.loads(l) for l in p.stdout.splitlines()]
    check("every hostile job got exactly one result", len(results) == len(lines) and p.returncode == 0,
          f"{len(results)}/{len(lines)} rc={p.returncode} {p.stderr[-300:]}")
    for (name, codes, bound, extra), r in zip(expected, results):
        ok = r.get("jobId") == name and (codes is None or r.get("resultCode") in codes)
        ok = ok and r.get("executionTimeMs", 0) <= bound * 1000
        if ok and extra:
            try:
                ok = bool(extra(r))
            except Exception:  # noqa: BLE001
                ok = False
        check(f"hostile {name} -> {'/'.join(codes) if codes else 'any'} within {bound} s", ok,
              json.dumps({k: r.get(k) for k in ("resultCode", "output", "error", "executionTimeMs")})[:400])
    print(f"# {len(lines)} hostile jobs in {wall:.1f} s")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
