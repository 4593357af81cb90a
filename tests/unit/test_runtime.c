/*
 * test_runtime.c -- the embedded JavaScript runtime as jobs see it: the lazy
 * built-ins (Map, Set, Promise, Intl, ...), the microtask drain and
 * unhandled rejections, crypto.getRandomValues, require() of every allowed
 * library, the allowlist, and isolation between jobs.
 */
#include "cw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cw_runtime.h"
#include "cw_sandbox.h"

static cw_sandbox_conf_t conf;
static cw_job_limits_t lim;

/* Run `code` with the given memory limit (0 = default); return the parsed
 * result, checking that the heap gave back every byte. */
static cJSON *run_mem(const char *code, double mem) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jobId", "rt");
    cJSON_AddStringToObject(m, "code", code);
    cJSON_AddNumberToObject(m, "timeout", 10);
    if (mem > 0)
        cJSON_AddNumberToObject(m, "memoryLimit", mem);
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    cw_job_t job;
    char why[256];
    assert_int_equal(cw_job_parse(text, strlen(text), &lim, &job, why, sizeof(why)), CW_OK);
    free(text);
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_sandbox_stats_t st;
    assert_int_equal(cw_sandbox_run(&conf, &job, &out, &st), CW_OK);
    assert_int_equal(st.leaked, 0);
    cw_job_free(&job);
    cJSON *r = cJSON_Parse(out.data);
    if (!r)
        fail_msg("result is not JSON: %s", out.data);
    cw_buf_free(&out);
    return r;
}

static cJSON *run(const char *code) { return run_mem(code, 0); }

static const char *code_of(cJSON *r) { return cJSON_GetObjectItem(r, "resultCode")->valuestring; }
static cJSON *err_of(cJSON *r, const char *k) { return cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), k); }

/* The job must succeed with output equal to the JSON text `want`. */
static void expect_output(const char *code, const char *want, double mem) {
    cJSON *r = run_mem(code, mem);
    if (strcmp(code_of(r), "SUCCESS") != 0) {
        char *t = cJSON_PrintUnformatted(r);
        fail_msg("%s\n  -> %s", code, t);
    }
    cJSON *w = cJSON_Parse(want);
    assert_non_null(w);
    cJSON *o = cJSON_GetObjectItem(r, "output");
    if (!cJSON_Compare(o, w, 1)) {
        char *got = cJSON_PrintUnformatted(o);
        fail_msg("%s\n  output %s\n  wanted %s", code, got, want);
    }
    cJSON_Delete(w);
    cJSON_Delete(r);
}

static void test_map_set(void **state) {
    (void)state;
    expect_output("var k = {}, m = new Map([[1, 'a'], ['1', 'b']]);"
                  "m.set(k, 'obj').set(NaN, 'nan').set(-0, 'zero');"
                  "var order = []; m.forEach(function (v, key) { order.push(typeof key) });"
                  "output = [m.size, m.get(1), m.get('1'), m.get(k), m.get({}), m.get(NaN), m.get(0),"
                  "  m.has(k), m.delete(k), m.has(k), m.size, order, Object.keys(k).length, JSON.stringify(k)]",
                  "[5,\"a\",\"b\",\"obj\",null,\"nan\",\"zero\",true,true,false,4,"
                  "[\"number\",\"string\",\"object\",\"number\",\"number\"],0,\"{}\"]",
                  0);
    /* Insertion order, live iteration (deleted entries skipped, added ones seen). */
    expect_output("var s = new Set([3, 1, 3, 2]); var seen = [];"
                  "s.forEach(function (v) { seen.push(v); if (v === 3) { s.delete(1); s.add(9) } });"
                  "output = [s.size, seen, Array.from(s), Array.from(new Map([[1, 2]]).entries())]",
                  "[3,[3,2,9],[3,2,9],[[1,2]]]", 0);
}

static void test_promise_ordering(void **state) {
    (void)state;
    /* Node prints: sync, micro, then1, then2 -- and output is set in a then(). */
    expect_output("var order = [];"
                  "queueMicrotask(function () { order.push('micro') });"
                  "Promise.resolve().then(function () { order.push('then1') })"
                  "  .then(function () { order.push('then2'); output = order });"
                  "order.push('sync'); output = 'not yet'",
                  "[\"sync\",\"micro\",\"then1\",\"then2\"]", 0);
    expect_output("Promise.all([1, Promise.resolve(2), new Promise(function (r) { r(3) })])"
                  "  .then(function (v) { output = v });",
                  "[1,2,3]", 0);
    /* A rejection handled in a later microtask is not unhandled. */
    expect_output("var p = Promise.reject(new Error('x'));"
                  "Promise.resolve().then(function () { p.catch(function () { output = 'caught' }) });",
                  "\"caught\"", 0);
}

static void test_unhandled_rejection(void **state) {
    (void)state;
    cJSON *r = run("console.log('a');\nPromise.reject(new TypeError('bad thing'));");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "TypeError");
    assert_string_equal(err_of(r, "message")->valuestring, "bad thing");
    assert_int_equal(err_of(r, "line")->valueint, 2);
    assert_non_null(strstr(err_of(r, "stack")->valuestring, "job.js:2"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1);
    cJSON_Delete(r);
    /* Non-errors are wrapped as Node wraps them. */
    static const char *const reasons[][2] = {
        {"Promise.reject('foo')", "\"foo\""},
        {"Promise.reject(42)", "\"42\""},
        {"Promise.reject({a: 1})", "\"#<Object>\""},
        {"Promise.reject([1, 2])", "\"[object Array]\""},
        {"new Promise(function (res, rej) { rej(undefined) })", "\"undefined\""},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        r = run(reasons[i][0]);
        assert_string_equal(code_of(r), "RUNTIME_ERROR");
        assert_string_equal(err_of(r, "name")->valuestring, "UnhandledPromiseRejection");
        const char *msg = err_of(r, "message")->valuestring;
        if (!strstr(msg, reasons[i][1]) || !strstr(msg, "not handled with .catch()"))
            fail_msg("%s: %s", reasons[i][0], msg);
        cJSON_Delete(r);
    }
    /* A throw in a then() callback rejects its promise, which nobody handles. */
    r = run("Promise.resolve(1).then(function () { null.x })");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "TypeError");
    cJSON_Delete(r);
    /* A throwing queueMicrotask callback is an uncaught exception. */
    r = run("queueMicrotask(function () { throw new RangeError('in micro') }); output = 1");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "message")->valuestring, "in micro");
    cJSON_Delete(r);
}

/* Microtasks run under the job's deadline. */
static void test_microtask_deadline(void **state) {
    (void)state;
    char text[] = "{\"jobId\":\"d\",\"timeout\":1,\"code\":\"function spin() { return Promise.resolve().then(spin) }"
                  " spin(); output = 'sync done'\"}";
    cw_job_t job;
    char why[128];
    assert_int_equal(cw_job_parse(text, strlen(text), &lim, &job, why, sizeof(why)), CW_OK);
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_sandbox_stats_t st;
    assert_int_equal(cw_sandbox_run(&conf, &job, &out, &st), CW_OK);
    assert_int_equal(st.leaked, 0);
    cJSON *r = cJSON_Parse(out.data);
    assert_string_equal(code_of(r), "TIMEOUT");
    cJSON_Delete(r);
    cw_buf_free(&out);
    cw_job_free(&job);
}

static void test_builtins(void **state) {
    (void)state;
    expect_output("output = [[1, [2, [3, [4]]]].flat(Infinity), [1, 2].flatMap(function (x) { return [x, x * 10] }),"
                  " [1, 2, 3].includes(2), [5, 12, 8].find(function (x) { return x > 6 }),"
                  " [5, 12, 8].findIndex(function (x) { return x > 6 }), [1, 2, 3].at(-1),"
                  " Array.from('abc'), Array.of(7, 8), [3, 1, 2].toSorted(), [1, 2, 3].findLast(function (x) { return x < 3 })]",
                  "[[1,2,3,4],[1,10,2,20],true,12,1,3,[\"a\",\"b\",\"c\"],[7,8],[1,2,3],2]", 0);
    expect_output("output = ['5'.padStart(3, '0'), 'ab'.padEnd(4, '.'), 'a-b-c'.replaceAll('-', '+'),"
                  " '  x '.trimStart(), '  x '.trimEnd(), 'abc'.at(-1),"
                  " Array.from('a1b2'.matchAll(/\\d/g)).map(function (m) { return m[0] })]",
                  "[\"005\",\"ab..\",\"a+b+c\",\"x \",\"  x\",\"c\",[\"1\",\"2\"]]", 0);
    expect_output("output = [Object.entries({a: 1, b: 2}), Object.values({a: 1}), Object.fromEntries([['x', 1]]),"
                  " Object.hasOwn({q: 1}, 'q'), Object.keys(Object.getOwnPropertyDescriptors({z: 1}))]",
                  "[[[\"a\",1],[\"b\",2]],[1],{\"x\":1},true,[\"z\"]]", 0);
    /* Stable sort, as in Node. */
    expect_output("var a = []; for (var i = 0; i < 60; i++) a.push({k: i % 3, i: i});"
                  "a.sort(function (x, y) { return x.k - y.k });"
                  "output = a.slice(0, 4).map(function (o) { return o.i })",
                  "[0,3,6,9]", 0);
    expect_output("var w = new WeakMap(), k = {}; w.set(k, 1);"
                  "output = [w.get(k), w.has({}), typeof Symbol.asyncIterator, Math.cbrt(27), Math.sinh(0)]",
                  "[1,false,\"symbol\",3,0]", 0);
}

static void test_intl(void **state) {
    (void)state;
    expect_output("output = [new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD'}).format(1234.5),"
                  " (1234.5).toLocaleString('en-US', {style: 'currency', currency: 'USD'}),"
                  " (1234567.891).toLocaleString(), (0.256).toLocaleString('en-US', {style: 'percent'}),"
                  " new Intl.DateTimeFormat('en-US', {year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC'})"
                  "   .format(new Date(Date.UTC(2024, 1, 2)))]",
                  "[\"$1,234.50\",\"$1,234.50\",\"1,234,567.891\",\"26%\",\"February 2, 2024\"]", 0);
}

static void test_structured_clone(void **state) {
    (void)state;
    expect_output("var o = {d: new Date(0), m: new Map([[1, {x: 2}]]), s: new Set([1]), a: [1, {b: 2}], r: /x/g};"
                  "o.self = o; var c = structuredClone(o);"
                  "var threw = ''; try { structuredClone({f: function () {}}) } catch (e) { threw = e.name }"
                  "output = [c !== o, c.self === c, c.a[1] !== o.a[1], c.a[1].b, c.m.get(1).x, c.s.has(1),"
                  " c.d instanceof Date, c.d.getTime(), c.r.source, c.r.global, threw]",
                  "[true,true,true,2,2,true,true,0,\"x\",true,\"DataCloneError\"]", 0);
}

static void test_crypto(void **state) {
    (void)state;
    expect_output("var a = new Uint8Array(64), b = new Uint32Array(4), r = crypto.getRandomValues(a);"
                  "crypto.getRandomValues(b);"
                  "var nonzero = 0; for (var i = 0; i < a.length; i++) if (a[i]) nonzero++;"
                  "var big = new Uint8Array(65536); crypto.getRandomValues(big);"
                  "function err(v) { try { crypto.getRandomValues(v); return 'none' } catch (e) { return e.name } }"
                  "output = [r === a, nonzero > 40, b[0] !== b[1] || b[1] !== b[2], err(new Uint8Array(65537)),"
                  " err(new Float64Array(2)), err([1, 2]), err(new DataView(new ArrayBuffer(4))), err(),"
                  " Object.keys(crypto), typeof crypto.subtle]",
                  "[true,true,true,\"QuotaExceededError\",\"TypeError\",\"TypeError\",\"TypeError\",\"TypeError\","
                  "[\"getRandomValues\",\"randomUUID\"],\"undefined\"]",
                  0);
    cJSON *r = run("require('crypto')"); /* the Node module stays blocked */
    assert_string_equal(code_of(r), "SECURITY_ERROR");
    cJSON_Delete(r);
}

static void test_globals(void **state) {
    (void)state;
    /* Buffer is Node's (the web-buffer group), not Duktape's partial one,
     * whose toString knows no base64. */
    expect_output("var t = performance.now();"
                  "output = [typeof Duktape, typeof CBOR, Buffer.from('hi').toString('base64'), typeof TextEncoder,"
                  " t >= 0 && t < 5000, Object.keys(performance), typeof setTimeout, new URL('../b', 'http://h/a/c').href]",
                  "[\"undefined\",\"undefined\",\"aGk=\",\"function\",true,[\"now\"],\"function\",\"http://h/b\"]", 0);
}

/* The event loop: timers in Node's order after the microtasks, the job's
 * clock skipping to each one (Date.now() moves, no wall time passes), and a
 * timer due past the timeout (10 s here) ending the job as TIMEOUT. */
static void test_timers(void **state) {
    (void)state;
    /* 1000 ms, not 0: a zero timer against an immediate from the main
     * script is a race in Node too (a slow first pass, as under ASan, finds
     * the timer due). */
    expect_output("var log = [], t0 = Date.now(); setTimeout(function () { log.push('t'); }, 1000);"
                  "setImmediate(function () { log.push('i'); });"
                  "Promise.resolve().then(function () { log.push('p'); });"
                  "setTimeout(function () { log.push(Date.now() - t0 >= 5000); output = log; }, 5000);",
                  "[\"p\",\"i\",\"t\",true]", 0);
    cJSON *r = run("console.log('kept'); setInterval(function () {}, 1000);");
    assert_string_equal(code_of(r), "TIMEOUT");
    assert_non_null(strstr(err_of(r, "message")->valuestring, "timer is due after"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1);
    assert_true(cJSON_GetObjectItem(r, "executionTimeMs")->valuedouble < 5000);
    cJSON_Delete(r);
    r = run("setTimeout(function () { throw new RangeError('late'); }, 100);");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "RangeError");
    cJSON_Delete(r);
}

static void test_libraries(void **state) {
    (void)state;
    expect_output("var _ = require('lodash');"
                  "var rows = [{r: 'eu', n: 3}, {r: 'us', n: 1}, {r: 'eu', n: 2}];"
                  "output = [_.groupBy(rows, 'r').eu.length, _.sortBy(rows, 'n').map(function (x) { return x.n }),"
                  " _.chunk([1, 2, 3], 2), require('lodash/groupBy') === _.groupBy]",
                  "[2,[1,2,3],[[1,2],[3]],true]", 0);
    expect_output("var dateFns = require('date-fns');"
                  "output = [dateFns.format(dateFns.addDays(new Date(2024, 0, 30), 3), 'yyyy-MM-dd'),"
                  " Object.keys(require('date-fns/addDays')), require('date-fns/addDays').addDays === dateFns.addDays]",
                  "[\"2024-02-02\",[\"addDays\"],true]", 0);
    expect_output("var math = require('mathjs'); output = [math.evaluate('sqrt(3^2+4^2)'), math.mean([1, 2, 3])]",
                  "[5,2]", 64);
    expect_output("var Papa = require('papaparse');"
                  "var res = Papa.parse('name,quote\\nada,\"hello, world\"\\nalan,\"say \"\"hi\"\"\"\\n',"
                  "  {header: true, skipEmptyLines: true});"
                  "output = [res.data, res.meta.fields, res.errors.length]",
                  "[[{\"name\":\"ada\",\"quote\":\"hello, world\"},{\"name\":\"alan\",\"quote\":\"say \\\"hi\\\"\"}],"
                  "[\"name\",\"quote\"],0]",
                  0);
    expect_output("var validator = require('validator');"
                  "output = [validator.isEmail('ada@example.com'), validator.isEmail('nope@'), validator.isUUID("
                  "  require('uuid').v4(), 4)]",
                  "[true,false,true]", 0);
    expect_output("var jStat = require('jstat'); output = [jStat.mean([1, 2, 3, 4]), typeof jStat.jStat]",
                  "[2.5,\"function\"]", 0);
    /* uuid.v4 draws from crypto.getRandomValues: two jobs never agree. */
    char ids[2][64];
    for (int i = 0; i < 2; i++) {
        cJSON *r = run("var uuid = require('uuid'); output = [uuid.v4(), uuid.v4()]");
        assert_string_equal(code_of(r), "SUCCESS");
        cJSON *o = cJSON_GetObjectItem(r, "output");
        const char *a = cJSON_GetArrayItem(o, 0)->valuestring, *b = cJSON_GetArrayItem(o, 1)->valuestring;
        assert_int_equal(strlen(a), 36);
        assert_int_equal(a[14], '4');
        assert_string_not_equal(a, b);
        snprintf(ids[i], sizeof(ids[i]), "%s", a);
        cJSON_Delete(r);
    }
    assert_string_not_equal(ids[0], ids[1]);
}

static void test_require_policy(void **state) {
    (void)state;
    cJSON *r = run("var cp = require('child_process');");
    assert_string_equal(code_of(r), "SECURITY_ERROR");
    cJSON_Delete(r);
    r = run("Promise.resolve().then(function () { require('fs') })"); /* the job dies of it */
    assert_string_equal(code_of(r), "SECURITY_ERROR");
    cJSON_Delete(r);
    r = run("require('left-pad')");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "message")->valuestring,
                        "module \"left-pad\" is not available; allowed modules: lodash, date-fns, mathjs, papaparse, "
                        "uuid, validator, jstat");
    cJSON_Delete(r);
    r = run("require('date-fns/locale')"); /* only per-function entry points */
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    cJSON_Delete(r);
    /* Cached per heap: one module object per name. */
    expect_output("output = [require('lodash') === require('lodash'), require('uuid') === require('uuid')]",
                  "[true,true]", 0);
    /* A library that cannot load within the memory limit: typed, no leak
     * (run_mem checks), and not cached half-built. */
    r = run_mem("var first = ''; try { require('mathjs') } catch (e) { first = e.name }\n"
                "output = [first, typeof require('mathjs').evaluate]", 8);
    assert_string_equal(code_of(r), "MEMORY_LIMIT");
    cJSON_Delete(r);
    /* An error raised inside a library is reported at the job's line. */
    r = run("var _ = require('lodash');\n\n_.template('<%= x.y %>')({x: null});");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "TypeError");
    assert_int_equal(err_of(r, "line")->valueint, 3);
    cJSON_Delete(r);
}

static void test_allowlist(void **state) {
    (void)state;
    uint32_t mask = 0;
    char why[256];
    assert_int_equal(cw_runtime_modules_parse(" lodash , uuid,", &mask, why, sizeof(why)), 0);
    char list[128];
    cw_runtime_modules_format(mask, ",", list, sizeof(list));
    assert_string_equal(list, "lodash,uuid");
    assert_int_equal(cw_runtime_modules_parse("lodash,left-pad", &mask, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "left-pad"));
    assert_int_equal(cw_runtime_modules_parse("", &mask, why, sizeof(why)), 0);
    assert_int_equal(mask, 0);
    cw_runtime_modules_format(cw_runtime_modules_all(), ",", list, sizeof(list));
    assert_string_equal(list, "lodash,date-fns,mathjs,papaparse,uuid,validator,jstat");

    uint32_t saved = conf.modules;
    assert_int_equal(cw_runtime_modules_parse("lodash,uuid", &conf.modules, why, sizeof(why)), 0);
    cJSON *r = run("require('mathjs')");
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "message")->valuestring,
                        "module \"mathjs\" is not available; allowed modules: lodash, uuid");
    cJSON_Delete(r);
    expect_output("output = typeof require('lodash').map", "\"function\"", 0);
    conf.modules = 0;
    r = run("require('lodash')");
    assert_non_null(strstr(err_of(r, "message")->valuestring, "allowed modules: (none)"));
    cJSON_Delete(r);
    conf.modules = saved;
}

static void test_isolation(void **state) {
    (void)state;
    expect_output("Map.prototype.get = function () { return 'evil' }; Array.prototype.flat = null;"
                  "Promise.prototype.then = null; Object.entries = 1; require('lodash').map = null; output = 1",
                  "1", 0);
    expect_output("output = [new Map([[1, 2]]).get(1), typeof [].flat, typeof Promise.resolve().then,"
                  " typeof Object.entries, typeof require('lodash').map]",
                  "[2,\"function\",\"function\",\"function\",\"function\"]", 0);
    /* Triggers are accessors until first use; assigning one works like plain assignment. */
    expect_output("Array.prototype.flat = function () { return 'mine' };"
                  "var d = Object.getOwnPropertyDescriptor(Array.prototype, 'flat');"
                  "output = [[].flat(), typeof d.value, d.enumerable]",
                  "[\"mine\",\"function\",false]", 0);
    expect_output("output = [Object.keys(Array.prototype).length, Object.keys(this).sort()]",
                  "[0,[\"console\",\"crypto\",\"global\",\"input\",\"performance\",\"require\"]]", 0);
}

static int setup(void **state) {
    (void)state;
    char why[256];
    if (cw_runtime_init(why, sizeof(why)) != 0) {
        fprintf(stderr, "runtime: %s\n", why);
        return -1;
    }
    cw_sandbox_conf_default(&conf);
    cw_job_limits_default(&lim);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_set),       cmocka_unit_test(test_promise_ordering),
        cmocka_unit_test(test_unhandled_rejection), cmocka_unit_test(test_microtask_deadline),
        cmocka_unit_test(test_builtins),      cmocka_unit_test(test_intl),
        cmocka_unit_test(test_structured_clone), cmocka_unit_test(test_crypto),
        cmocka_unit_test(test_globals),       cmocka_unit_test(test_libraries),
        cmocka_unit_test(test_require_policy), cmocka_unit_test(test_allowlist),
        cmocka_unit_test(test_isolation),     cmocka_unit_test(test_timers),
    };
    return cmocka_run_group_tests_name("runtime", tests, setup, NULL);
}
