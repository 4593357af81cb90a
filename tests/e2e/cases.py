"""End-to-end cases for `codeworker exec --jobs`: each is a job plus what its
result must show.  Shared by test_exec.py and the security suite."""

import json
import os
import re

# A catastrophic pattern only the backtracker can run (a backreference):
# it never reaches the engine's deadline check, so the supervisor kills it.
REGEX_EVIL = "output = /^(a+)+\\1$/.test('" + "a" * 40 + "!')"

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "console_node24.json"), encoding="utf-8") as _f:
    CONSOLE_NODE24 = json.load(_f)



def console_matches(logs):
    """The entries Node wrote, the two timings (the last two lines: the
    job's clock plus the real time the job itself took) to the pattern."""
    got = [[l["level"], l["message"]] for l in logs]
    want = CONSOLE_NODE24["logs"]
    if len(got) != len(want) or got[:-2] != want[:-2]:
        return False
    w = re.fullmatch(r"w: (\d+\.\d{3})s", got[-2][1])
    m = re.fullmatch(r'm: 1:(\d\d\.\d{3}) \(m:ss\.mmm\) extra \{"k":1\}', got[-1][1])
    # The time the timers skipped (less up to 1 ms: timers count from the
    # loop's whole-millisecond time), plus real time, which a busy machine
    # stretches.
    return w is not None and 1.499 <= float(w.group(1)) < 30 and m is not None and float(m.group(1)) >= 4.999


# (jobId, job fields, expected resultCode, extra check or None, max seconds)
CASES = [
    # --- everyday agent jobs --------------------------------------------------
    ("sum-avg", {"code": "var s = input.values.reduce(function(a,b){return a+b}, 0);\n"
                         "output = { sum: s, avg: s / input.values.length };",
                 "inputData": {"values": [1, 2, 3, 4, 10]}},
     "SUCCESS", lambda r: r["output"] == {"sum": 20, "avg": 4}, 5),
    ("sum-avg-string-input", {"code": "output = input.values.length",
                              "inputData": json.dumps({"values": [1, 2, 3]})},
     "SUCCESS", lambda r: r["output"] == 3, 5),
    ("group-filter", {"code": "var g = {};\ninput.orders.filter(function(o){ return o.total > 10 })"
                              ".forEach(function(o){ (g[o.region] = g[o.region] || []).push(o.id) });\noutput = g;",
                      "inputData": {"orders": [{"id": 1, "region": "eu", "total": 5},
                                               {"id": 2, "region": "eu", "total": 50},
                                               {"id": 3, "region": "us", "total": 12},
                                               {"id": 4, "region": "eu", "total": 11}]}},
     "SUCCESS", lambda r: r["output"] == {"eu": [2, 4], "us": [3]}, 5),
    ("date-arith", {"code": "var d = new Date(Date.UTC(2024, 0, 30));\n"
                            "d.setUTCDate(d.getUTCDate() + input.days);\n"
                            "output = { iso: d.toISOString().slice(0, 10), weekday: d.getUTCDay() };",
                    "inputData": {"days": 3}},
     "SUCCESS", lambda r: r["output"] == {"iso": "2024-02-02", "weekday": 5}, 5),
    ("csv-parse", {"code": "var lines = input.csv.split('\\n');\nvar head = lines[0].split(',');\n"
                           "output = lines.slice(1).map(function(l){ var c = l.split(','), o = {};\n"
                           "  head.forEach(function(h, i){ o[h] = isNaN(+c[i]) ? c[i] : +c[i] }); return o; });",
                   "inputData": {"csv": "name,age\nada,36\nalan,41"}},
     "SUCCESS", lambda r: r["output"] == [{"name": "ada", "age": 36}, {"name": "alan", "age": 41}], 5),
    ("top-level-return", {"code": "return { answer: 42 }"}, "SUCCESS",
     lambda r: r["output"] == {"answer": 42}, 5),
    ("logs-kept", {"code": "console.log('a', 1); console.warn({x: [1]}); console.error('e'); output = 1"},
     "SUCCESS", lambda r: [l["level"] for l in r["logs"]] == ["log", "warn", "error"]
     and r["logs"][1]["message"] == '{"x":[1]}', 5),
    # util.format's specifiers, as Node 24 prints these lines
    # console.table/group/count/time/timeLog (worker/runtime/polyfills/console.js)
    # with the entries Node 24 wrote for the same code (tests/e2e/data/).
    ("console-table-group-time", {"code": CONSOLE_NODE24["code"], "timeout": 100},
     "SUCCESS", lambda r: console_matches(r["logs"]), 10),
    # A long chain of awaits: the microtask queue frees what it ran as it goes
    # (it grew for the whole drain, ~128 B per await, past a 16 MB cap).
    ("await-loop-long", {"code": "let n = 0; for (let i = 0; i < 200000; i++) { await null; n++; } output = n;",
                         "timeout": 60, "memoryLimit": 16},
     "SUCCESS", lambda r: r["output"] == 200000, 60),
    # Recursion without end through calls in tail position ends at the call
    # stack's limit, as in V8, not at the timeout.
    ("tail-recursion-unbounded", {"code": "const f = () => f(); f();", "timeout": 10},
     "RUNTIME_ERROR", lambda r: r["error"]["name"] == "RangeError" and r["error"]["message"] == "Maximum call stack size exceeded", 5),
    ("tail-recursion-method", {"code": "const o = { m() { return this.m(); } }; o.m();", "timeout": 10},
     "RUNTIME_ERROR", lambda r: r["error"]["name"] == "RangeError", 5),
    # A message cut at its cap is flagged even when the cut falls before a
    # character that would not fit whole.
    ("log-clipped-flagged", {"code": "console.log('x'.repeat(8190) + '\\u{1F600}TAIL'); console.log('ok'); output = 1"},
     "SUCCESS", lambda r: r["logs"][0].get("truncated") is True and r["logsTruncated"] is True
     and "truncated" not in r["logs"][1], 10),
    ("logs-format-specifiers", {"code": "console.log('%s is %d years', 'Al', 42.5); console.log('%i items, %f%%', '12.7px', '3.5e1');"
                                        " console.log('100%%'); console.log('%j', { a: [1] }); console.log('%c styled', 'color: red');"
                                        " console.log('%s %s', 'only'); console.log(5, '%s', 6); output = 1"},
     "SUCCESS", lambda r: [l["message"] for l in r["logs"]] == ["Al is 42.5 years", "12 items, 35%", "100%%", '{"a":[1]}',
                                                             " styled", "only %s", "5 %s 6"], 5),
    ("audit-context", {"code": "output = 1", "actionId": "act-1", "userId": "u-1", "agentRunId": "run-9",
                       "context": {"tenant": "t1"}},
     "SUCCESS", lambda r: r["actionId"] == "act-1" and r["userId"] == "u-1" and r["agentRunId"] == "run-9"
     and r["context"] == {"tenant": "t1"}, 5),
    ("limits-clamped", {"code": "output = 1", "timeout": 999, "memoryLimit": "lots"},
     "SUCCESS", lambda r: r["timeout"] == 120 and r["memoryLimit"] == 128 and len(r["limitAdjustments"]) == 2, 5),
    # --- errors ---------------------------------------------------------------
    ("syntax-error", {"code": "var ok = 1;\nvar broken = ;"}, "SYNTAX_ERROR",
     lambda r: r["error"]["line"] == 2 and r["error"]["name"] == "SyntaxError", 5),
    ("runtime-error", {"code": "console.log('still logged');\nnull.x;"}, "RUNTIME_ERROR",
     lambda r: r["error"]["line"] == 2 and r["error"]["name"] == "TypeError" and len(r["logs"]) == 1, 5),
    ("throw-string", {"code": "throw 'plain string'"}, "RUNTIME_ERROR",
     lambda r: r["error"]["message"] == "plain string", 5),
    ("throw-null", {"code": "throw null"}, "RUNTIME_ERROR", None, 5),
    ("stack-lines-mapped", {"code": "const base = 1;\nclass Box { open() {\n  throw new RangeError(`no ${base}`);\n} }\n"
                                    "const run = async () => { await null; [1].map(() => new Box().open()); };\nreturn run();"},
     "RUNTIME_ERROR", lambda r: "(job.js:3)" in r["error"]["stack"] and "(job.js:5)" in r["error"]["stack"]
     and all(int(x) <= 6 for x in __import__("re").findall(r"\(job\.js:(\d+)\)", r["error"]["stack"])), 5),
    ("throw-symbol", {"code": "throw Symbol('why')"}, "RUNTIME_ERROR",
     lambda r: r["error"]["message"] == "Symbol(why)" and r["error"]["name"] is None, 5),
    ("throw-function", {"code": "throw function foo() {}"}, "RUNTIME_ERROR",
     lambda r: r["error"]["name"] is None and r["error"]["message"].startswith("function foo()"), 5),
    ("reject-trapping-proxy", {"code": "Promise.reject(new Proxy({}, { get() { throw 2 }, getPrototypeOf() { throw 3 } }))"},
     "RUNTIME_ERROR", lambda r: r["error"]["name"] == "UnhandledPromiseRejection"
     and "could not be described" in r["error"]["message"], 5),
    ("tla-await-result", {"code": "const n = await Promise.resolve(input.n);\nreturn n * 2;", "inputData": {"n": 21}},
     "SUCCESS", lambda r: r["output"] == 42, 5),
    ("tla-syntax-error-line", {"code": "const rows = await Promise.resolve([1]);\nconst n = rows.length;\nlet broken = ;\n"}, "SYNTAX_ERROR",
     lambda r: r["error"]["line"] == 3 and r["error"]["column"] == 14, 5),
    ("tla-never-settles", {"code": "await new Promise(() => {});\noutput = 1;"}, "RUNTIME_ERROR",
     lambda r: "never settled" in r["error"]["message"], 5),
    ("spoofed-timeout", {"code": "throw new Error('Script execution timed out')"}, "RUNTIME_ERROR", None, 5),
    ("blocked-module", {"code": "var cp = require('child_process');"}, "SECURITY_ERROR",
     lambda r: "blocked" in r["error"]["message"], 5),
    ("unknown-module", {"code": "require('left-pad')"}, "RUNTIME_ERROR",
     lambda r: "allowed modules" in r["error"]["message"], 5),
    # --- runaway jobs: stopped within timeout + 1 s ---------------------------
    ("infinite-loop", {"code": "while (true) {}", "timeout": 1}, "TIMEOUT", None, 2.0),
    ("loop-catching-timeout", {"code": "for (;;) { try { while (true) {} } catch (e) {} }", "timeout": 1},
     "TIMEOUT", None, 2.0),
    ("catastrophic-regex", {"code": REGEX_EVIL, "timeout": 1}, "TIMEOUT", None, 2.0),
    # 200 MB asked of a 128 MB heap: the size limit answers at once, not the clock
    ("huge-join", {"code": "output = new Array(1e8).join('ab').length", "timeout": 1}, "MEMORY_LIMIT", None, 1.0),
    ("memory-bomb", {"code": "var s = 'x'; while (true) s = s + s;", "memoryLimit": 16}, "MEMORY_LIMIT",
     lambda r: r["memoryPeakBytes"] <= 16 * 1024 * 1024, 10),
    ("memory-bomb-objects", {"code": "var a = []; for (;;) a.push({i: a.length, s: 'v' + a.length});",
                             "memoryLimit": 8}, "MEMORY_LIMIT", None, 10),
    ("deep-recursion", {"code": "function f(n) { return 1 + f(n + 1) } f(0)"}, "RUNTIME_ERROR",
     lambda r: r["error"]["name"] == "RangeError", 5),
    ("deep-source-nesting", {"code": "(" * 50000 + "1" + ")" * 50000}, "SYNTAX_ERROR", None, 5),
    ("deep-input-nesting", {"code": "output = 1", "inputData": "[" * 5000 + "]" * 5000}, "INVALID_REQUEST", None, 5),
    ("console-flood", {"code": "for (var i = 0; i < 200000; i++) console.log('line ' + i + ' ' + new Array(50).join('x'));"
                               " output = 'survived'"},
     "SUCCESS", lambda r: r["logsTruncated"] is True and len(r["logs"]) <= 1000 and r["output"] == "survived", 10),
    ("output-too-big", {"code": "output = new Array(3 * 1024 * 1024).join('x')"}, "OUTPUT_LIMIT",
     lambda r: r["output"] is None, 10),
    ("cyclic-output", {"code": "var o = {}; o.me = o; output = o;"}, "RUNTIME_ERROR",
     lambda r: "JSON-serializable" in r["error"]["message"], 5),
    ("getter-trap-output", {"code": "output = { get boom() { throw new Error('trap') } }"}, "RUNTIME_ERROR", None, 5),
    ("tojson-loop-output", {"code": "output = { toJSON: function () { for (;;) {} } }", "timeout": 1},
     "TIMEOUT", None, 2.0),
    ("unicode-output", {"code": "output = { s: 'caf\\u00e9 \\ud83d\\ude00', lone: '\\ud800' }"}, "SUCCESS",
     lambda r: r["output"]["s"] == "caf\u00e9 \U0001F600" and r["output"]["lone"] == "\ud800", 5),
    # --- cross-job pollution: run "pollute" before "check" in the same pool --
    ("pollute", {"code": "Object.prototype.injected = 'yes'; Array.prototype.push = function(){ return 0 };"
                         " JSON.stringify = function(){ return '\"hacked\"' }; leaked = 1; output = 'polluted'"},
     "SUCCESS", None, 5),
    ("pollution-check", {"code": "var a = []; a.push(1);\n"
                                 "output = [({}).injected === undefined, a.length, typeof leaked, JSON.stringify([1])]"},
     "SUCCESS", lambda r: r["output"] == [True, 1, "undefined", "[1]"], 5),
    # --- bad requests ---------------------------------------------------------
    ("code-not-string", {"code": 12}, "INVALID_REQUEST", lambda r: r["jobId"] == "code-not-string", 5),
    ("language-python", {"code": "print(1)", "language": "python"}, "INVALID_REQUEST", None, 5),
    ("bad-input-string", {"code": "output = 1", "inputData": "{not json"}, "INVALID_REQUEST", None, 5),
    # --- the embedded runtime: allowed libraries and modern built-ins --------
    ("lodash-group-by", {"code": "var _ = require('lodash');\n"
                                 "var g = _.groupBy(input.orders, 'region');\n"
                                 "output = _.mapValues(g, function (os) { return _.sumBy(os, 'total') });",
                         "inputData": {"orders": [{"region": "eu", "total": 5}, {"region": "us", "total": 12},
                                                  {"region": "eu", "total": 11}]}},
     "SUCCESS", lambda r: r["output"] == {"eu": 16, "us": 12}, 10),
    ("date-fns-calc", {"code": "var d = require('date-fns');\n"
                               "var due = d.addDays(d.parseISO(input.start), input.days);\n"
                               "output = { due: d.format(due, 'yyyy-MM-dd'), weekday: d.format(due, 'EEEE'),\n"
                               "  businessDays: d.differenceInBusinessDays(due, d.parseISO(input.start)) };",
                       "inputData": {"start": "2024-01-30", "days": 3}},
     "SUCCESS", lambda r: r["output"] == {"due": "2024-02-02", "weekday": "Friday", "businessDays": 3}, 10),
    ("papaparse-csv", {"code": "var Papa = require('papaparse');\n"
                               "var res = Papa.parse(input.csv, { header: true, dynamicTyping: true, skipEmptyLines: true });\n"
                               "output = { rows: res.data, errors: res.errors.length };",
                       "inputData": {"csv": "name,city,age\nada,\"London, UK\",36\nalan,\"Wilmslow \"\"Cheshire\"\"\",41\n"}},
     "SUCCESS", lambda r: r["output"] == {"rows": [{"name": "ada", "city": "London, UK", "age": 36},
                                                   {"name": "alan", "city": 'Wilmslow "Cheshire"', "age": 41}],
                                          "errors": 0}, 10),
    ("promise-then-output", {"code": "var m = new Map(input.pairs);\n"
                                     "Promise.resolve(m).then(function (x) { output = Array.from(x.keys()).flat() });"
                                     "\noutput = 'sync';",
                             "inputData": {"pairs": [[["a"], 1], [["b"], 2]]}},
     "SUCCESS", lambda r: r["output"] == ["a", "b"], 5),
    ("unhandled-rejection", {"code": "console.log('before');\nPromise.reject(new RangeError('no handler'));"},
     "RUNTIME_ERROR", lambda r: r["error"]["name"] == "RangeError" and r["error"]["line"] == 2
     and len(r["logs"]) == 1, 5),
    # --- syntax Duktape lacks in code with no other modern word: the compiler,
    # not a word scan, decides that it is lowered (expected values from Node 24)
    ("es5ish-var-destructure", {"code": "var {a, b} = input; output = a + b", "inputData": {"a": 1, "b": 2}},
     "SUCCESS", lambda r: r["output"] == 3, 5),
    ("es5ish-var-array-destructure", {"code": "var [x, y] = input.v; output = x * 10 + y", "inputData": {"v": [4, 2]}},
     "SUCCESS", lambda r: r["output"] == 42, 5),
    ("es5ish-default-param", {"code": "function f(a = 5) { return a } output = f()"},
     "SUCCESS", lambda r: r["output"] == 5, 5),
    ("es5ish-param-destructure", {"code": "function f({x}) { return x } output = f(input)", "inputData": {"x": 9}},
     "SUCCESS", lambda r: r["output"] == 9, 5),
    ("es5ish-optional-catch", {"code": "try { throw 1 } catch { output = 'caught' }"},
     "SUCCESS", lambda r: r["output"] == "caught", 5),
    ("es5ish-logical-assign", {"code": "var a = null; a ||= 7; var b = 1; b &&= 2; output = [a, b]"},
     "SUCCESS", lambda r: r["output"] == [7, 2], 5),
    ("es5ish-numeric-separator", {"code": "output = 1_000 + 1"}, "SUCCESS", lambda r: r["output"] == 1001, 5),
    ("es5ish-trailing-comma-params", {"code": "function f(a, b,) { return a + b } output = f(1, 2,)"},
     "SUCCESS", lambda r: r["output"] == 3, 5),
    ("es5ish-generator-no-yield", {"code": "function* g() { } var it = g(); output = it.next().done"},
     "SUCCESS", lambda r: r["output"] is True, 5),
    # a regex flag Duktape lacks fails only the line that builds it, as in
    # code that is lowered for another reason, not the whole job at compile time
    ("es5ish-regex-dotall", {"code": "if (input.never) { output = /a.b/s.test('a\\nb') } else { output = 'skipped' }",
                             "inputData": {"never": False}}, "SUCCESS", lambda r: r["output"] == "skipped", 5),
    ("es5ish-syntax-error-still-reported", {"code": "var x = ;"}, "SYNTAX_ERROR",
     lambda r: r["error"]["line"] == 1, 5),
]

# --- modern JavaScript, lowered to ES5 inside the executor (semantics) ------
MODERN = [
    ("m-seed-example", "const sum = input.values.reduce((a,b) => a+b, 0); output = { sum, avg: sum/input.values.length };",
     {"values": [2, 4, 9]}, lambda o: o == {"sum": 15, "avg": 5}),
    ("m-let-per-iteration", "const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); output = fs.map(f => f());",
     None, lambda o: o == [0, 1, 2]),
    ("m-block-scope", "let x = 1; { let x = 2; } const y = (() => { try { z; } catch { return 'no z'; } })(); output = [x, y];",
     None, lambda o: o == [1, "no z"]),
    ("m-const-assign", "const c = 1; let e = null; try { c = 2; } catch (err) { e = err.name; } output = e;",
     None, lambda o: o == "TypeError"),
    ("m-arrow-this", "function T() { this.v = 7; this.get = () => this.v; } const t = new T(); const g = t.get; "
     "output = [g(), (function () { return (() => arguments.length)(); })(1, 2)];", None, lambda o: o == [7, 2]),
    ("m-classes", "class A { #secret = 41; static count = 0; constructor(n) { this.n = n; A.count++; } "
     "get secret() { return this.#secret + 1; } #hidden() { return 'h'; } reveal() { return this.#hidden(); } "
     "toString() { return `A(${this.n})`; } }\n"
     "class B extends A { constructor(n) { super(n * 2); } toString() { return 'B:' + super.toString(); } }\n"
     "const b = new B(3); output = [String(b), b.secret, b.reveal(), A.count, b instanceof A];",
     None, lambda o: o == ["B:A(6)", 42, "h", 1, True]),
    ("m-destructuring", "const { a, b: { c = 5 } = {}, ...rest } = { a: 1, d: 4, e: 5 }; const [p, , q = 3, ...more] = [1, 2, undefined, 4, 5];"
     " function f({ x = 1, y } = {}, ...others) { return [x, y, others.length]; } output = [a, c, rest, p, q, more, f(undefined, 9, 8)];",
     None, lambda o: o == [1, 5, {"d": 4, "e": 5}, 1, 3, [4, 5], [1, None, 2]]),
    ("m-spread", "const a = [1, 2]; const o = { ...{ x: 1 }, y: 2 }; output = [Math.max(...a, 3), [...a, ...'hi'], o];",
     None, lambda o: o == [3, [1, 2, "h", "i"], {"x": 1, "y": 2}]),
    ("m-for-of-iterables", "const out = []; for (const [k, v] of new Map([['a', 1]])) out.push(k + v); for (const s of new Set([1, 1, 2])) out.push(s);"
     " for (const ch of 'ab') out.push(ch); const it = { *[Symbol.iterator]() { yield 10; yield 20; } }; for (const v of it) out.push(v); output = out;",
     None, lambda o: o == ["a1", 1, 2, "a", "b", 10, 20]),
    ("m-optional-nullish", "const o = { a: { b: 0 } }; output = [o?.a?.b ?? 9, o?.x?.y ?? 'd', o.f?.(), 2 ** 10];",
     None, lambda o: o == [0, "d", None, 1024]),
    ("m-template-tagged", "const tag = (s, ...v) => s.raw.join('|') + v.join(','); const n = 3; output = [tag`a${n}b${n + 1}`, `x${n}\\ny`];",
     None, lambda o: o == ["a|b|3,4", "x3\ny"]),
    ("m-labelled", "let hits = 0; outer: for (const i of [1, 2, 3]) { for (const j of [1, 2, 3]) { if (j === 2) continue outer; if (i === 3) break outer; hits++; } } output = hits;",
     None, lambda o: o == 2),
    ("m-generators", "function* fib() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } } const r = []; for (const v of fib()) { if (r.length === 8) break; r.push(v); } output = r;",
     None, lambda o: o == [0, 1, 1, 2, 3, 5, 8, 13]),
    ("m-async-await", "const order = []; const wait = (v) => new Promise(res => res(v)); "
     "async function main() { order.push('start'); const a = await wait(1); order.push('after ' + a); return a + 1; } "
     "main().then(v => { order.push('done ' + v); output = order; }); order.push('sync');",
     None, lambda o: o == ["start", "sync", "after 1", "done 2"]),
    ("m-promise-ordering", "const log = []; Promise.resolve().then(() => log.push('micro1')).then(() => log.push('micro3'));"
     " Promise.resolve().then(() => log.push('micro2')); queueMicrotask(() => log.push('qm')); log.push('sync');"
     " Promise.all([1, Promise.resolve(2)]).then(v => { log.push('all ' + v.join()); output = log; });",
     None, lambda o: o[:4] == ["sync", "micro1", "micro2", "qm"] and "micro3" in o and o[-1] == "all 1,2"),
    ("m-builtins", "output = [[1, [2, [3]]].flat(2), [1, 2, 3].at(-1), 'abc'.padStart(5, '-'), 'a-b-c'.replaceAll('-', '+'),"
     " Object.fromEntries([['k', 1]]), Object.entries({ z: 2 }), [3, 1, 2].findLast(x => x > 1), Number.isInteger(5),"
     " Math.trunc(-4.7), Array.from({ length: 3 }, (_, i) => i * 2), [1, 2, 3].includes(2)];",
     None, lambda o: o == [[1, 2, 3], 3, "--abc", "a+b+c", {"k": 1}, [["z", 2]], 2, True, -4, [0, 2, 4], True]),
    ("m-intl-clone", "const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });"
     " const src = { d: [1, { e: 2 }] }; const c = structuredClone(src); c.d[1].e = 3;"
     " output = [fmt.format(1234.5), (1234567.891).toLocaleString('en-US'), src.d[1].e];",
     None, lambda o: o == ["$1,234.50", "1,234,567.891", 2]),
    ("m-lodash-modern", "const _ = require('lodash'); const by = _.groupBy(input.people, p => p.team);"
     " output = _.sortBy(Object.keys(by)).map(k => `${k}:${by[k].length}`);",
     {"people": [{"team": "b"}, {"team": "a"}, {"team": "b"}]}, lambda o: o == ["a:1", "b:2"]),
]
for _cid, _code, _input, _check in MODERN:
    _fields = {"code": _code}
    if _input is not None:
        _fields["inputData"] = _input
    CASES.append((_cid, _fields, "SUCCESS", (lambda chk: lambda r: chk(r["output"]))(_check), 10))

CASES += [
    ("m-runtime-error-line", {"code": "const a = [1, 2];\nconst f = (x) => {\n  return x.missing.deep;\n};\nf(a);"},
     "RUNTIME_ERROR", lambda r: r["error"]["line"] == 3 and r["error"]["name"] == "TypeError", 5),
    ("m-syntax-error-line", {"code": "const ok = 1;\nconst bad = () => {\n  let x = ;\n};"},
     "SYNTAX_ERROR", lambda r: r["error"]["line"] == 3 and r["error"]["column"] is not None, 5),
    ("m-top-level-return", {"code": "const v = input.n * 2;\nif (v > 1) return { v };\noutput = 'unreached';",
                            "inputData": {"n": 4}},
     "SUCCESS", lambda r: r["output"] == {"v": 8}, 5),
    ("m-bigint-unsupported", {"code": "const a = 1;\nconst big = 2n ** 64n;"},
     "SYNTAX_ERROR", lambda r: "BigInt is not supported" in r["error"]["message"] and r["error"]["line"] == 2, 5),
    ("m-mathjs", {"code": "const math = require('mathjs'); output = math.evaluate('sqrt(3^2+4^2)');", "memoryLimit": 64},
     "SUCCESS", lambda r: r["output"] == 5, 20),
    ("m-uuid-validator", {"code": "const { v4 } = require('uuid'); const validator = require('validator');"
                                  " const a = v4(), b = v4(); output = [a !== b, validator.isUUID(a, 4), validator.isEmail('x@example.com')];"},
     "SUCCESS", lambda r: r["output"] == [True, True, True], 10),
]


# Raw lines that are not jobs at all: each must still get a result with jobId null.
RAW_BAD_LINES = [
    "this is not json",
    "[1, 2, 3]",
    '{"code": "output = 1"}',
    '{"jobId": 42, "code": "1"}',
    '"just a string"',
]


def job_line(job_id, fields):
    job = {"jobId": job_id}
    job.update(fields)
    return json.dumps(job)
