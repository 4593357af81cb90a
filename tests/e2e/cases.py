"""End-to-end cases for `codeworker exec --jobs`: each is a job plus what its
result must show.  Shared by test_exec.py and the security suite."""

import json

REGEX_EVIL = "output = /(a+)+$/.test('" + "a" * 40 + "!')"

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
    ("huge-join", {"code": "output = new Array(1e8).join('ab').length", "timeout": 1}, "TIMEOUT", None, 2.0),
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
