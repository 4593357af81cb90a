#!/usr/bin/env python3
"""Write the seed corpora under tests/fuzz/corpus/<target>/.

The seeds are committed; this script is how they were made and how to remake
them after the job format or the end-to-end cases change:

    python3 tests/fuzz/make_corpus.py

Sources: the end-to-end cases (tests/e2e/cases.py) as job messages, plus
hand-made inputs aimed at the edges each target checks (limits given as
strings, timestamps, UTF-8/CESU-8 byte strings, ES2015+ syntax).  Jobs that
can only end by the supervisor's hard kill (a catastrophic regular
expression, a huge join) and jobs that spin until the deadline are kept out
of the fuzz_exec seeds: each would cost the fuzzer a whole timeout per
mutation.
"""

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from cases import CASES, RAW_BAD_LINES, job_line  # noqa: E402

OUT = os.path.join(HERE, "corpus")
MAX_SEED = 8192

# Cases whose code runs until the deadline or the hard kill.
SLOW = {"infinite-loop", "loop-catching-timeout", "catastrophic-regex", "huge-join",
        "tojson-loop-output", "console-flood", "output-too-big"}


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > MAX_SEED:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_job -----------------------------------------------------------------

JOB_EXTRA = {
    "limits-strings": '{"jobId":"l1","code":"output=1","timeout":" 5 ","memoryLimit":"64"}',
    "limits-nonnumeric": '{"jobId":"l2","code":"1","timeout":"soon","memoryLimit":[1]}',
    "limits-extreme": '{"jobId":"l3","code":"1","timeout":1e308,"memoryLimit":-0.0}',
    "limits-hex": '{"jobId":"l4","code":"1","timeout":"0x10","memoryLimit":"1e-300"}',
    "limits-null": '{"jobId":"l5","code":"1","timeout":null,"memoryLimit":null}',
    "expires-ms": '{"jobId":"e1","code":"1","expiresAt":1700000000000}',
    "expires-iso-z": '{"jobId":"e2","code":"1","expiresAt":"2030-01-02T03:04:05.678Z"}',
    "expires-iso-offset": '{"jobId":"e3","code":"1","expiresAt":"2030-01-02T03:04:05+05:30"}',
    "expires-iso-bad": '{"jobId":"e4","code":"1","expiresAt":"2030-13-02T03:04:05"}',
    "expires-negative": '{"jobId":"e5","code":"1","expiresAt":-5}',
    "reply-topic": '{"jobId":"r1","code":"1","replyTopic":"agent.results.7"}',
    "reply-topic-empty": '{"jobId":"r2","code":"1","replyTopic":""}',
    "audit-all": ('{"jobId":"a1","code":"1","actionId":"act","userId":"u","agentRunId":"run",'
                  '"context":{"tenant":"t","tags":["x",1,null,true],"n":{"d":[[]]}}}'),
    "audit-wrong-type": '{"jobId":"a2","code":"1","userId":7}',
    "language-js": '{"jobId":"g1","code":"1","language":"JS"}',
    "language-null": '{"jobId":"g2","code":"1","language":null}',
    "input-string-json": '{"jobId":"i1","code":"1","inputData":"{\\"a\\":[1,2,{\\"b\\":\\"\\\\u00e9\\"}]}"}',
    "input-string-scalar": '{"jobId":"i2","code":"1","inputData":"42"}',
    "input-array": '{"jobId":"i3","code":"1","inputData":[1,"two",{"three":3}]}',
    "input-proto-key": '{"jobId":"i4","code":"1","inputData":{"__proto__":{"polluted":1}}}',
    "unicode-escapes": '{"jobId":"\\u00e9\\ud83d\\ude00","code":"output=\'\\u2028\'"}',
    "lone-surrogate-escape": '{"jobId":"s1","code":"output=\'\\ud800\'"}',
    "nul-in-id": '{"jobId":"a\\u0000b","code":"1"}',
    "duplicate-keys": '{"jobId":"d1","jobId":"d2","code":"1","code":2}',
    "empty-id": '{"jobId":"","code":"1"}',
    "id-too-long": '{"jobId":"' + "x" * 257 + '","code":"1"}',
    "no-code": '{"jobId":"c0"}',
    "code-null": '{"jobId":"c1","code":null}',
    "nested-array": '{"jobId":"n1","code":"1","inputData":' + "[" * 40 + "]" * 40 + "}",
    "whitespace": ' \t\r\n{ "jobId" : "w" , "code" : "1" } \n',
    "numbers": '{"jobId":"num","code":"1","inputData":[0,-0,1e400,-1e-400,123456789012345678901234567890,0.1]}',
}

JOB_BYTES = {
    "raw-latin1-in-id": b'{"jobId":"caf\xe9","code":"1"}',
    "raw-cesu8-in-code": b'{"jobId":"c8","code":"output=\'\xed\xa0\xbd\xed\xb8\x80\'"}',
    "raw-overlong": b'{"jobId":"o1","code":"\xc0\xaf"}',
    "raw-utf8-ok": b'{"jobId":"\xe2\x82\xac\xf0\x9f\x98\x80","code":"1"}',
    "raw-bom": b'\xef\xbb\xbf{"jobId":"bom","code":"1"}',
    "raw-truncated": b'{"jobId":"t","code":"output = \\"',
}


def job_corpus():
    for job_id, fields, *_ in CASES:
        write("fuzz_job", "case-" + job_id, job_line(job_id, fields))
    for i, line in enumerate(RAW_BAD_LINES):
        write("fuzz_job", "bad-line-%d" % i, line)
    for name, text in JOB_EXTRA.items():
        write("fuzz_job", name, text)
    for name, data in JOB_BYTES.items():
        write("fuzz_job", name, data)


# ---- fuzz_result --------------------------------------------------------------

# Byte strings at the edges of UTF-8 repair.
TRICKY = {
    "ascii": b"plain text with \"quotes\" and \\ backslash\n\t\x01\x1f\x7f",
    "utf8": "caf\u00e9 \u20ac \U0001F600 \uffff".encode(),
    "cesu8-pair": b"\xed\xa0\xbd\xed\xb8\x80",
    "lone-high": b"a\xed\xa0\x80b",
    "lone-low": b"a\xed\xb0\x80b",
    "low-then-high": b"\xed\xb0\x80\xed\xa0\x80",
    "high-high-low": b"\xed\xa0\x80\xed\xa0\xbd\xed\xb8\x80",
    "high-at-end": b"xyz\xed\xaf\xbf",
    "high-then-4byte": b"\xed\xa0\x80\xf0\x9f\x98\x80",
    "overlong-2": b"\xc0\xaf\xc1\xbf",
    "overlong-3": b"\xe0\x80\xaf",
    "overlong-4": b"\xf0\x80\x80\xaf",
    "above-10ffff": b"\xf4\x90\x80\x80\xf5\x80\x80\x80",
    "lead-ff-fe": b"\xff\xfe\xfd",
    "truncated-3": b"\xe2\x82",
    "truncated-4": b"\xf0\x9f\x98",
    "stray-continuation": b"\x80\xbf\x80",
    "line-separators": "\u2028\u2029".encode(),
    "nul": b"a\x00b",
    "mixed": b"\xe2\x82\xac\xed\xa0\x80\xff\"\\\xf0\x9f\x98\x80\xed\xb8\x80",
}


def esc(b):
    """Field encoding read by cwf_str(): a backslash ends a field, a doubled
    backslash stands for one."""
    return b.replace(b"\\", b"\\\\") + b"\\x"


def result_seed(flags, fields, nums=b"", logs=(), note=b"", act=b""):
    f0, f1, f2 = flags
    out = bytes([f0, f1, f2])
    for f in fields:  # job_id, name, message, stack, output source
        out += esc(f)
    out += nums
    out += bytes([len(logs)])
    for m in logs:
        out += esc(m)
    out += esc(note) + esc(act)
    return out


def result_corpus():
    names = list(TRICKY)
    for i, name in enumerate(names):
        b = TRICKY[name]
        other = TRICKY[names[(i + 1) % len(names)]]
        code = i % 11  # every result code and one past the table
        f1 = (i % 4) << 5
        f2 = (i * 37) & 0xFF
        seed = result_seed((code, f1, f2), [b, other, b * 3, other + b, b],
                           nums=bytes(range(i, i + 16)), logs=[b, other][: i % 3], note=b, act=other)
        write("fuzz_result", "fields-" + name, seed)
        write("fuzz_result", "raw-" + name, b)
    # A long message and stack around the clip limits (4096 and 8192 bytes).
    pair = TRICKY["cesu8-pair"]
    write("fuzz_result", "clip-message",
          result_seed((2, 0, 0), [b"id", b"RangeError", b"m" * 4094 + pair, b"s" * 300, b""]))
    write("fuzz_result", "clip-name",
          result_seed((2, 0, 0), [b"id", b"n" * 254 + "\u20ac".encode(), b"m", b"", b""]))
    write("fuzz_result", "success-all-null", result_seed((0, 0x0F, 0x0F), [b"", b"", b"", b"", b""]))
    write("fuzz_result", "capped", result_seed((1, 0, 0x80), [b"x" * 200, b"E", b"msg", b"st", b"out"],
                                               nums=b"\x10\x00" * 8))


# ---- fuzz_exec ----------------------------------------------------------------

EXEC_CODE = {
    "map": "output = input.values.map(function (x) { return x * 2 })",
    "reduce": "var s = 0; for (var i = 0; i < input.values.length; i++) s += input.values[i]; output = s",
    "object": "output = { name: input.name, n: input.nested.a[0].b, flag: !input.flag }",
    "return": "return { answer: 42, list: [1, 'two', null] }",
    "return-nested": "if (input.flag) { return 1 } output = 2",
    "console": "console.log('a', 1, {b: [2]}); console.warn(null); console.error(undefined, function f() {});"
               " console.assert(false, 'x'); console.dir([1]); console.info(Symbol('s')); output = 1",
    "console-many": "for (var i = 0; i < 300; i++) console.log(i, new Array(20).join('y')); output = i",
    "console-unicode": "console.log('\\ud800', '\\udfff\\ud800', '\\ud83d\\ude00'); output = 'ok'",
    "throw-error": "throw new TypeError('bad ' + input.name)",
    "throw-values": "throw {name: 'Custom', message: 42, lineNumber: 'x', stack: {}}",
    "throw-null": "throw null",
    "throw-undefined": "throw undefined",
    "throw-symbol": "throw Symbol('s')",
    "throw-getter": "throw { get message() { throw new Error('inner') } }",
    "syntax": "var x = ;",
    "syntax-line": "var ok = 1;\n\n  function (",
    "require-blocked": "require('fs')",
    "require-node-prefix": "require('node:child_process')",
    "require-unknown": "require('left-pad')",
    "require-nonstring": "require({toString: function () { return 'fs' }})",
    "require-lodash": "var _ = require('lodash'); output = _.chunk([1, 2, 3, 4, 5], 2)",
    "require-uuid": "var u = require('uuid'); output = typeof u.v4()",
    "forge-security": "var e = new Error('module \"fs\" is blocked'); e.name = 'SecurityError'; throw e",
    "spoof-timeout": "throw new Error('Script execution timed out')",
    "output-unicode": "output = { s: 'caf\\u00e9 \\ud83d\\ude00', lone: '\\ud800', rev: '\\udc00\\ud800', ls: '\\u2028' }",
    "output-fromcharcode": "var s = ''; for (var i = 0xd7f0; i < 0xe010; i += 7) s += String.fromCharCode(i); output = s",
    "output-cyclic": "var o = {}; o.me = o; output = o",
    "output-getter": "output = { get boom() { throw new Error('trap') } }",
    "output-tojson": "output = { toJSON: function () { return [1, {toJSON: function () { return 'x' }}] } }",
    "output-undefined": "output = undefined; return undefined",
    "output-function": "output = function () {}",
    "output-big": "output = new Array(70000).join('x')",
    "output-nan": "output = [NaN, Infinity, -0, 1e21, 5e-324]",
    "output-proxy": "output = new Proxy({}, { ownKeys: function () { return ['a'] }, "
                    "getOwnPropertyDescriptor: function () { return {value: 1, enumerable: true, configurable: true} } })",
    "output-typed": "output = [new Uint8Array([1, 2]), new ArrayBuffer(4), new Date(0)]",
    "memory-string": "var s = 'x'; while (true) s = s + s",
    "memory-objects": "var a = []; for (;;) a.push({i: a.length})",
    "memory-describe": "var a = []; try { for (;;) a.push(new Array(1000)) } catch (e) { throw e }",
    "recursion": "function f(n) { return 1 + f(n + 1) } f(0)",
    "deep-json": "output = JSON.parse(new Array(2000).join('[') + new Array(2000).join(']'))",
    "json-parse-bad": "JSON.parse('{bad')",
    "regex-simple": "output = 'a1b22c333'.replace(/\\d+/g, function (m) { return m.length })",
    "date": "var d = new Date(Date.UTC(2024, 0, 30)); output = d.toISOString()",
    "math-random": "output = Math.random() < 1",
    "globals": "output = [typeof Duktape, typeof CBOR, typeof Buffer, typeof require, typeof console, "
               "typeof crypto, typeof performance]",
    "crypto": "var a = new Uint8Array(16); crypto.getRandomValues(a); output = a.length",
    "crypto-bad": "crypto.getRandomValues(new Float32Array(2))",
    "crypto-quota": "crypto.getRandomValues(new Uint8Array(70000))",
    "performance": "output = performance.now() >= 0",
    "promise": "Promise.resolve(5).then(function (v) { output = v })",
    "promise-reject": "Promise.reject(new Error('nobody catches'))",
    "promise-reject-value": "Promise.reject({a: 1})",
    "map-set": "var m = new Map([[1, 'a']]); var s = new Set([1, 1, 2]); output = [m.get(1), s.size]",
    "array-modern": "output = [[1, [2, [3]]].flat(2), [1, 2, 3].includes(2), Array.from('ab'), Object.entries({a: 1})]",
    "string-modern": "output = ['5'.padStart(3, '0'), 'a-b-c'.replaceAll('-', '+')]",
    "pollute": "Object.prototype.x = 1; Array.prototype.push = null; JSON.stringify = null; output = 1",
    "eval": "output = eval('1 + 1') + new Function('return 2')()",
    "getter-on-global": "Object.defineProperty(this, 'output', { get: function () { throw new Error('g') } })",
    "output-accessor": "Object.defineProperty(this, 'output', { get: function () { return {a: 1} } })",
    "delete-output": "output = 1; delete output",
    "labels": "outer: for (var i = 0; i < 3; i++) { for (;;) { continue outer } } output = i",
    "with": "with ({a: 1}) { output = a }",
    "error-props": "var e = new Error('m'); e.lineNumber = -5; e.stack = 42; throw e",
    "error-name-long": "var e = new Error(new Array(6000).join('m')); e.name = new Array(400).join('n'); throw e",
    "error-name-cesu": "var e = new Error('\\ud800'); e.name = '\\udc00'; throw e",
    "bytes-invalid-utf8": b"output = '\xff\xfe' + '\xed\xa0\x80'",
    # modern JavaScript, lowered before it runs
    "es-arrow-let": "const xs = input.values.map(x => x * 2); let [a, ...rest] = xs; output = {a, rest};",
    "es-class": "class A { #n = 1; static k = 2; get n() { return this.#n } }\n"
                "class B extends A { constructor() { super(); this.m = super.n } }\noutput = new B().m + A.k;",
    "es-template": "const n = input.values.length; output = `n=${n} ${`in ${n + 1}`}`;",
    "es-destructuring": "const { name, nested: { a: [{ b = 'dflt' }] } } = input; output = [name, b];",
    "es-spread": "output = Math.max(...input.values, ...[7]) + [...'ab'].length;",
    "es-for-of-map": "const m = new Map(); for (const [i, v] of input.values.entries()) m.set(v, i);\n"
                     "output = [...m.keys()];",
    "es-generator": "function* g(n) { for (let i = 0; i < n; i++) yield i * i }\noutput = [...g(4)];",
    "es-async": "async function f(x) { const v = await Promise.resolve(x); return v + 1 }\n"
                "f(41).then(v => { output = v });",
    "es-async-throw": "(async () => { await null; throw new RangeError('late') })();",
    "es-optional": "output = [input?.nested?.a?.[0]?.b ?? 'none', input.missing?.x, input.flag ?? 0];",
    "es-syntax-error": "const f = (a, a) => { 'use strict'; return a }\nlet = ;",
    "es-top-level-return": "const v = input.values.filter(x => x > 2);\nif (v.length) return v;\noutput = [];",
    "es-runtime-line": "const a = 1;\nconst b = () => {\n  null.x;\n};\nb();",
    "es-bigint": "output = String(10n ** 3n);",
    "es-private-undeclared": "class P { m() { return this.#s } }",
    "es-regex-named": "output = '2024-01'.match(/(?<y>\\d{4})-(?<m>\\d\\d)/).groups.y;",
}

EXEC_JOBS = {
    "job-basic": '{"jobId":"j1","code":"output = input.a * 2","inputData":{"a":21}}',
    "job-string-input": '{"jobId":"j2","code":"output = input.length","inputData":"[1,2,3]"}',
    "job-audit": ('{"jobId":"j3","code":"output = 1","actionId":"act","userId":"u","agentRunId":"r",'
                  '"context":{"k":[1,2,3]}}'),
    "job-invalid": '{"jobId":"j4","code":12}',
    "job-no-id": '{"code":"output = 1"}',
    "job-expired": '{"jobId":"j5","code":"output = 1","expiresAt":1000}',
    "job-limits": '{"jobId":"j6","code":"output = 1","timeout":"9999","memoryLimit":1}',
    "job-unicode": '{"jobId":"\\u00e9\\ud83d\\ude00","code":"throw new Error(\'\\u00e9\')"}',
    "job-language": '{"jobId":"j7","code":"print(1)","language":"python"}',
    "job-proto-input": '{"jobId":"j8","code":"output = [input.polluted, ({}).polluted]",'
                       '"inputData":{"__proto__":{"polluted":1}}}',
}


def exec_corpus():
    for name, code in EXEC_CODE.items():
        write("fuzz_exec", "code-" + name, code)
    for name, text in EXEC_JOBS.items():
        write("fuzz_exec", name, text)
    for job_id, fields, *_ in CASES:
        if job_id in SLOW or not isinstance(fields.get("code"), str):
            continue
        line = job_line(job_id, fields)
        if len(line) <= 2048:
            write("fuzz_exec", "case-" + job_id, line)


# ---- fuzz_lower ---------------------------------------------------------------

LOWER = {
    "let-const": "let a = 1; const b = 2; { let a = 3; } for (let i = 0; i < 3; i++) { setTimeout; }",
    "arrow": "const f = (a, b = 2, ...rest) => a + b + rest.length; const g = () => ({x: this});",
    "template": "const n = 3; const s = `n=${n} ${`nested ${n * 2}`}`; const t = String.raw`\\u{1F600}`;",
    "tagged": "function tag(s, ...v) { return s.raw.join('|') + v } tag`a${1}b${2}`;",
    "class": "class A { constructor(x) { this.x = x } get y() { return 1 } static z() {} m() { return super.toString() } }\n"
             "class B extends A { constructor() { super(1) } }",
    "class-fields": "class C { #p = 1; static s = 2; q = this.#p; #m() { return 1 } has(o) { return #p in o } }",
    "class-static-block": "class D { static { this.x = 1 } }",
    "destructuring": "const {a, b: {c = 1} = {}, ...r} = input; const [x, , y = 2, ...z] = [1, 2];",
    "destructuring-params": "function f({a, b}, [c, d] = [], ...e) { return a + c } f({a: 1}, [2]);",
    "spread": "const a = [...'abc', ...[1, 2]]; const o = {...a, b: 1}; Math.max(...a);",
    "for-of": "for (const [k, v] of Object.entries({a: 1})) { console.log(k, v) } for (const c of 'ab') {}",
    "generator": "function* g() { yield 1; yield* [2, 3]; return 4 } output = [...g()];",
    "async": "async function f() { await null; return 1 } f().then(v => { output = v });",
    "async-arrow": "const f = async (x) => { try { await x } catch { return 2 } finally { } };",
    "async-generator": "async function* ag() { yield 1 } (async () => { for await (const v of ag()) {} })();",
    "optional-chaining": "const a = input?.b?.[0]?.(1) ?? 'd'; let x = null; x ??= 1; x ||= 2; x &&= 3;",
    "exponent": "let n = 2 ** 10; n **= 2;",
    "numeric": "const b = 0b1010, o = 0o17, big = 1_000_000;",
    "object-literal": "const k = 'x'; const o = { [k + 1]: 1, k, m() { return 1 }, get g() { return 2 }, async a() {}, *gen() {} };",
    "regex": "const r = /(?<year>\\d{4})-(?<m>\\d\\d)/u; const s = /a.b/s; const y = /x/y; 'a'.match(r);",
    "labels-return": "outer: for (const a of [1]) { break outer }\nreturn { ok: true };",
    "top-level-return": "if (input.x) return 1;\nfunction hoisted() {}\noutput = 2;",
    "symbols": "const s = Symbol('x'); const o = { [Symbol.iterator]: function* () { yield 1 } }; [...o];",
    "new-target": "function F() { if (!new.target) throw 1 } new F();",
    "default-scope": "function f(a = () => b, b = 2) { return a() } f();",
    "closures-in-loop": "const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); output = fs.map(f => f());",
    "unicode-ident": "const caf\u00e9 = 1; const \u03c0 = 3.14; const s = '\\u{1F600}';",
    "es5-plain": "var x = 1; function f(a) { return a + x } output = f(2);",
    "syntax-error": "const = 1; let let = 2;",
    "syntax-unclosed": "function f() { return [1, 2",
    "html-comment": "var a = 1; <!-- comment\n--> also comment\noutput = a;",
    "import-meta": "import x from 'y'; export default 1;",
    "getter-setter-class": "class P { static #c = 0; static inc() { return ++P.#c } set v(x) { this._v = x } }",
    "optional-catch": "try { throw 1 } catch { output = 'caught' }",
    "array-holes": "const [a, , b] = [1, , 3]; const arr = [, , ...[1]];",
    "mbjsp-style": "function removeDups(list) {\n  return [...new Set(list)].sort((a, b) => a - b);\n}\n"
                   "output = removeDups([3, 1, 3, 2]);",
    "humaneval-style": "const hasCloseElements = (numbers, threshold) => {\n"
                       "  for (let i = 0; i < numbers.length; i++)\n"
                       "    for (let j = 0; j < numbers.length; j++)\n"
                       "      if (i != j && Math.abs(numbers[i] - numbers[j]) < threshold) return true;\n"
                       "  return false;\n};\noutput = hasCloseElements([1.0, 2.8, 3.0], 0.3);",
}


def lower_corpus():
    for name, code in LOWER.items():
        write("fuzz_lower", name, code)
    write("fuzz_lower", "invalid-utf8", b"const s = '\xff\xed\xa0\x80';")
    write("fuzz_lower", "line-separators", "const a = 1;\u2028const b = `x\u2029y`;\r\nlet c = 3;")


def main():
    for target in ("fuzz_job", "fuzz_result", "fuzz_exec", "fuzz_lower"):
        shutil.rmtree(os.path.join(OUT, target), ignore_errors=True)
    job_corpus()
    result_corpus()
    exec_corpus()
    lower_corpus()
    for target in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, target))
        size = sum(os.path.getsize(os.path.join(OUT, target, f)) for f in files)
        print("%-12s %3d seeds, %6d bytes" % (target, len(files), size))


if __name__ == "__main__":
    main()
