/*
 * test_sandbox.c -- one job in one heap: results, error types, caps, isolation.
 *
 * The suite runs twice: once with a heap made and destroyed for each job, and
 * once with one heap image renewed after each job, as executors run them, so
 * every test there also runs in a heap that all the tests before it used.
 */
#include "cw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cw_lowering.h"
#include "cw_sandbox.h"

static cw_sandbox_conf_t conf;
static cw_job_limits_t lim;

static char last_text[1 << 16];
static cw_sandbox_heap_t *image; /* the second run's heap image */

/* Run `code` with optional input (JSON text) and limits; return the parsed result. */
static cJSON *run(const char *code, const char *input, double timeout, double mem) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jobId", "t");
    cJSON_AddStringToObject(m, "code", code);
    if (input)
        cJSON_AddStringToObject(m, "inputData", input);
    if (timeout > 0)
        cJSON_AddNumberToObject(m, "timeout", timeout);
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
    if (image) {
        assert_int_equal(cw_sandbox_run_prepared(image, &job, &out, &st), CW_OK);
        assert_int_equal(cw_sandbox_heap_renew(image), CW_OK);
    } else {
        assert_int_equal(cw_sandbox_run(&conf, &job, &out, &st), CW_OK);
        assert_int_equal(st.leaked, 0);
    }
    cw_job_free(&job);
    snprintf(last_text, sizeof(last_text), "%s", out.data);
    /* cJSON refuses the (valid) escape of a lone surrogate; tests that
     * produce one check last_text instead. */
    cJSON *r = cJSON_Parse(strstr(out.data, "\\ud800") ? "{}" : out.data);
    if (!r)
        fail_msg("result is not JSON: %s", out.data);
    cw_buf_free(&out);
    return r;
}

static const char *code_of(cJSON *r) { return cJSON_GetObjectItem(r, "resultCode")->valuestring; }
static cJSON *err_of(cJSON *r, const char *k) { return cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), k); }

static void test_sum_avg(void **state) {
    (void)state;
    cJSON *r = run("var s = input.values.reduce(function(a,b){return a+b}, 0);"
                   "output = {sum: s, avg: s / input.values.length};",
                   "{\"values\":[1,2,3,4]}", 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    cJSON *o = cJSON_GetObjectItem(r, "output");
    assert_int_equal(cJSON_GetObjectItem(o, "sum")->valueint, 10);
    assert_true(cJSON_GetObjectItem(o, "avg")->valuedouble == 2.5);
    cJSON_Delete(r);
}

static void test_return_value_and_output_precedence(void **state) {
    (void)state;
    cJSON *r = run("return {a: 1}", NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "output"), "a")->valueint, 1);
    cJSON_Delete(r);
    r = run("output = 'o'; return 'r'", NULL, 0, 0);
    assert_string_equal(cJSON_GetObjectItem(r, "output")->valuestring, "o");
    cJSON_Delete(r);
    r = run("var output = 5;", NULL, 0, 0); /* script semantics: a global var */
    assert_int_equal(cJSON_GetObjectItem(r, "output")->valueint, 5);
    cJSON_Delete(r);
    r = run("var x = function(){};", NULL, 0, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "output")));
    cJSON_Delete(r);
}

static void test_syntax_error(void **state) {
    (void)state;
    cJSON *r = run("var a = 1;\nvar b = ;\n", NULL, 0, 0);
    assert_string_equal(code_of(r), "SYNTAX_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "SyntaxError");
    assert_int_equal(err_of(r, "line")->valueint, 2);
    cJSON_Delete(r);
}

static void test_runtime_error(void **state) {
    (void)state;
    cJSON *r = run("console.log('before');\nvar o = null;\no.x = 1;", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "TypeError");
    assert_int_equal(err_of(r, "line")->valueint, 3);
    assert_non_null(strstr(err_of(r, "stack")->valuestring, "job.js:3"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1); /* kept on failure */
    cJSON_Delete(r);
}

static void test_thrown_non_errors(void **state) {
    (void)state;
    const char *cases[][2] = {{"throw 'boom'", "boom"}, {"throw null", "null"}, {"throw 42", "42"},
                              {"throw {toString: function(){ throw 1 }}", NULL}};
    for (size_t i = 0; i < 4; i++) {
        cJSON *r = run(cases[i][0], NULL, 0, 0);
        assert_string_equal(code_of(r), "RUNTIME_ERROR");
        if (cases[i][1])
            assert_string_equal(err_of(r, "message")->valuestring, cases[i][1]);
        cJSON_Delete(r);
    }
}

static void test_spoofed_timeout_is_runtime_error(void **state) {
    (void)state;
    cJSON *r = run("throw new Error('Script execution timed out')", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    cJSON_Delete(r);
    r = run("var e = new Error('module \"fs\" is blocked'); e.name = 'SecurityError'; throw e", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    cJSON_Delete(r);
}

static void test_timeout_in_heap(void **state) {
    (void)state;
    cJSON *r = run("console.log('x'); for(;;) { try { while(true){} } catch (e) {} }", NULL, 1, 0);
    assert_string_equal(code_of(r), "TIMEOUT");
    /* The job's clock starts after compiling, the deadline before it. */
    assert_true(cJSON_GetObjectItem(r, "executionTimeMs")->valuedouble >= 990);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1);
    cJSON_Delete(r);
}

/* A job whose last steps ran past the deadline in C built-ins, which never
 * reach the engine's check, timed out even though nothing threw. */
static void test_deadline_at_end(void **state) {
    (void)state;
    cJSON *r = run("var t = Date.now(), s = 'ab'.repeat(1 << 21), n = 0;"
                   "while (Date.now() - t < 1200) n += s.lastIndexOf('c'); output = n",
                   NULL, 1, 0);
    assert_string_equal(code_of(r), "TIMEOUT");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "output")));
    cJSON_Delete(r);
}

/* MEMORY_LIMIT says what the job died of, not that an allocation was
 * refused at some point. */
static void test_memory_limit_is_how_it_ended(void **state) {
    (void)state;
    static const char *const ordinary[] = {
        "try { 'x'.repeat(100 * 1024 * 1024) } catch (e) {} throw new Error('ordinary')",
        "var b = []; try { for (;;) b.push(new Array(1e5)); } catch (e) { b = null } throw new Error('ordinary')",
        "try { 'x'.repeat(100 * 1024 * 1024) } catch (e) {} throw new RangeError('alloc failed')",
        NULL};
    for (size_t i = 0; ordinary[i]; i++) {
        cJSON *r = run(ordinary[i], NULL, 0, 16);
        assert_string_equal(code_of(r), "RUNTIME_ERROR");
        cJSON_Delete(r);
    }
    cJSON *r = run("var e0; try { 'x'.repeat(100 * 1024 * 1024) } catch (e) { e0 = e } throw e0", NULL, 0, 16);
    assert_string_equal(code_of(r), "MEMORY_LIMIT");
    cJSON_Delete(r);
    r = run("try { 'x'.repeat(100 * 1024 * 1024) } catch (e) {} output = 'ok'", NULL, 0, 16);
    assert_string_equal(code_of(r), "SUCCESS");
    cJSON_Delete(r);
}

static void test_native_strings(void **state) {
    (void)state;
    cJSON *r = run("output = [[1,,null,undefined,'a',-0,1.5].join(), new Array(3).join('ab'),"
                   " Array.prototype.join.call({length: 2, 0: 'x'}, '+'), 'ab'.repeat(3),"
                   " 'abc'.padStart(8, '12'), 'abc'.padEnd(5), (function () { var a = []; a[70] = 'z';"
                   " return a.join('').length + a.join('-').length })()]",
                   NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "output"));
    assert_string_equal(text, "[\"1,,,,a,0,1.5\",\"abab\",\"x+\",\"ababab\",\"12121abc\",\"abc  \",72]");
    free(text);
    cJSON_Delete(r);
    r = run("output = new Array(2 ** 27).join('xxx')", NULL, 0, 16); /* 400 MB: over the cap at once */
    assert_string_equal(code_of(r), "MEMORY_LIMIT");
    cJSON_Delete(r);
    r = run("'x'.repeat(-1)", NULL, 0, 0);
    assert_string_equal(err_of(r, "name")->valuestring, "RangeError");
    cJSON_Delete(r);
}

static void test_memory_limit(void **state) {
    (void)state;
    cJSON *r = run("var s = 'x'; while (true) s = s + s;", NULL, 0, 8);
    assert_string_equal(code_of(r), "MEMORY_LIMIT");
    assert_true(cJSON_GetObjectItem(r, "memoryPeakBytes")->valuedouble <= 8.0 * 1024 * 1024);
    cJSON_Delete(r);
    r = run("var a = []; for (;;) a.push({i: a.length});", NULL, 0, 8);
    assert_string_equal(code_of(r), "MEMORY_LIMIT");
    cJSON_Delete(r);
}

static void test_recursion_and_nesting(void **state) {
    (void)state;
    cJSON *r = run("function f(n){ return 1 + f(n+1) } f(0)", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_string_equal(err_of(r, "name")->valuestring, "RangeError");
    cJSON_Delete(r);
    r = run("JSON.parse(new Array(50000).join('[') + new Array(50000).join(']'))", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    cJSON_Delete(r);
    char *deep = malloc(200020);
    memset(deep, '(', 100000);
    deep[100000] = '1';
    memset(deep + 100001, ')', 100000);
    deep[200001] = '\0';
    r = run(deep, NULL, 0, 0);
    assert_string_equal(code_of(r), "SYNTAX_ERROR");
    cJSON_Delete(r);
    free(deep);
}

static void test_output_serialization(void **state) {
    (void)state;
    cJSON *r = run("var o = {}; o.self = o; output = o;", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_non_null(strstr(err_of(r, "message")->valuestring, "not JSON-serializable"));
    cJSON_Delete(r);
    r = run("output = { get x() { throw new Error('trap') } }", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    cJSON_Delete(r);
    r = run("output = { toJSON: function(){ for(;;){} } }", NULL, 1, 0);
    assert_string_equal(code_of(r), "TIMEOUT");
    cJSON_Delete(r);
    r = run("output = ['\\ud800', '\\ud83d\\ude00']", NULL, 0, 0);
    cJSON_Delete(r);
    assert_non_null(strstr(last_text, "\"output\":[\"\\ud800\",\"\xf0\x9f\x98\x80\"]"));
}

static void test_output_limit(void **state) {
    (void)state;
    size_t saved = conf.result_max_bytes;
    conf.result_max_bytes = 4096;
    cJSON *r = run("output = new Array(5000).join('x')", NULL, 0, 0);
    assert_string_equal(code_of(r), "OUTPUT_LIMIT");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "output")));
    cJSON_Delete(r);
    /* Logs give way first: the output is what the caller needs. */
    r = run("for (var i = 0; i < 100; i++) console.log('entry ' + i + ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');"
            "output = new Array(2000).join('o')", NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    assert_int_equal(strlen(cJSON_GetObjectItem(r, "output")->valuestring), 1999);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "logsTruncated")));
    int kept = cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs"));
    assert_true(kept > 0 && kept < 100);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "logs"), 0), "message")->valuestring,
                        "entry 0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    cJSON_Delete(r);
    /* Output alone too big: OUTPUT_LIMIT, and the logs get the room back. */
    r = run("console.log('kept'); output = new Array(5000).join('x')", NULL, 0, 0);
    assert_string_equal(code_of(r), "OUTPUT_LIMIT");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1);
    cJSON_Delete(r);
    conf.result_max_bytes = saved;
}

static void test_console_caps(void **state) {
    (void)state;
    cJSON *r = run("for (var i = 0; i < 5000; i++) console.log('line', i);", NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), conf.log_max_entries);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "logsTruncated")));
    cJSON_Delete(r);
    r = run("console.warn(new Array(100000).join('y'));", NULL, 0, 0);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "logs"), 0);
    assert_string_equal(cJSON_GetObjectItem(e, "level")->valuestring, "warn");
    assert_true(strlen(cJSON_GetObjectItem(e, "message")->valuestring) <= conf.log_max_message);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "logsTruncated")));
    cJSON_Delete(r);
}

static void test_console_never_throws(void **state) {
    (void)state;
    cJSON *r = run("var o = {}; o.o = o; console.log(o);"
                   "console.error({ toJSON: function(){ throw new Error('x') } });"
                   "console.info(function named(){}, undefined, null, 1.5, true);"
                   "console.debug(new Error('e'));"
                   "console.assert(false, 'bad'); console.assert(true, 'fine');"
                   "output = 'done'",
                   NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    cJSON *logs = cJSON_GetObjectItem(r, "logs");
    assert_int_equal(cJSON_GetArraySize(logs), 5);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(logs, 2), "message")->valuestring,
                        "[Function: named] undefined null 1.5 true");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(logs, 4), "message")->valuestring,
                        "Assertion failed: bad");
    cJSON_Delete(r);
}

static void test_no_host_objects(void **state) {
    (void)state;
    cJSON *r = run("output = [typeof Duktape, typeof setTimeout, typeof process, typeof CBOR,"
                   " typeof require, typeof input]",
                   NULL, 0, 0);
    cJSON *o = cJSON_GetObjectItem(r, "output");
    assert_string_equal(cJSON_GetArrayItem(o, 0)->valuestring, "undefined");
    assert_string_equal(cJSON_GetArrayItem(o, 1)->valuestring, "function"); /* the runtime's timers */
    assert_string_equal(cJSON_GetArrayItem(o, 2)->valuestring, "object"); /* the runtime's process.js */
    assert_string_equal(cJSON_GetArrayItem(o, 3)->valuestring, "undefined");
    assert_string_equal(cJSON_GetArrayItem(o, 4)->valuestring, "function");
    assert_string_equal(cJSON_GetArrayItem(o, 5)->valuestring, "object");
    cJSON_Delete(r);
}

static void test_require_policy(void **state) {
    (void)state;
    cJSON *r = run("require('child_process').exec('id')", NULL, 0, 0);
    assert_string_equal(code_of(r), "SECURITY_ERROR");
    cJSON_Delete(r);
    static const char *const host[] = {"require('node:fs')", "require('wasi')", "require('node:sqlite')",
                                       "require('node:test')", "require('node:anything')", "require('util')",
                                       "require('events')", NULL};
    for (size_t i = 0; host[i]; i++) {
        r = run(host[i], NULL, 0, 0);
        assert_string_equal(code_of(r), "SECURITY_ERROR");
        cJSON_Delete(r);
    }
    r = run("try { require('fs') } catch (e) {} output = 1", NULL, 0, 0);
    assert_string_equal(code_of(r), "SUCCESS"); /* caught: the job decides */
    cJSON_Delete(r);
    r = run("require('left-pad')", NULL, 0, 0);
    assert_string_equal(code_of(r), "RUNTIME_ERROR");
    assert_non_null(strstr(err_of(r, "message")->valuestring, "allowed modules"));
    cJSON_Delete(r);
}

static void test_isolation_and_random(void **state) {
    (void)state;
    /* Everything a job can reach is changed; the next job must see none of it. */
    cJSON *r = run("Object.prototype.evil = 1; Array.prototype.map = null; globalLeak = 2;"
                   " console.log = function () { throw 1 }; JSON.stringify = null; require = null;"
                   " input.x = 1; Promise.resolve().then(function () { stillHere = 1 });"
                   " var big = []; for (var i = 0; i < 20000; i++) big.push({i: i, s: 'x' + i});"
                   " Object.freeze(Object.prototype); Object.freeze(Array.prototype);"
                   " output = Math.random()",
                   "{}", 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    double a = cJSON_GetObjectItem(r, "output")->valuedouble;
    cJSON_Delete(r);
    r = run("console.log('ok'); var t = [1]; t.push(2); ({}).fresh = 1;"
            " output = [({}).evil, typeof [].map, typeof globalLeak, Math.random(), typeof stillHere,"
            " input.x, typeof require('lodash').sum, Object.isFrozen(Object.prototype), t.length]",
            "{}", 0, 0);
    assert_string_equal(code_of(r), "SUCCESS");
    cJSON *o = cJSON_GetObjectItem(r, "output");
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(o, 0)));
    assert_string_equal(cJSON_GetArrayItem(o, 1)->valuestring, "function");
    assert_string_equal(cJSON_GetArrayItem(o, 2)->valuestring, "undefined");
    assert_true(cJSON_GetArrayItem(o, 3)->valuedouble != a);
    assert_string_equal(cJSON_GetArrayItem(o, 4)->valuestring, "undefined");
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(o, 5)));
    assert_string_equal(cJSON_GetArrayItem(o, 6)->valuestring, "function");
    assert_true(cJSON_IsFalse(cJSON_GetArrayItem(o, 7)));
    assert_int_equal(cJSON_GetArrayItem(o, 8)->valueint, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "logs")), 1);
    cJSON_Delete(r);
}

static void test_proto_key_in_input(void **state) {
    (void)state;
    cJSON *r = run("output = [input.isAdmin === undefined, Object.keys(input).length]",
                   "{\"__proto__\":{\"isAdmin\":true}}", 0, 0);
    cJSON *o = cJSON_GetObjectItem(r, "output");
    assert_true(cJSON_IsTrue(cJSON_GetArrayItem(o, 0)));
    assert_int_equal(cJSON_GetArrayItem(o, 1)->valueint, 1);
    cJSON_Delete(r);
}

/* The executor's code cache keeps a job's bytecode after its first compile;
 * later runs load it.  Results must not tell the difference: output, error
 * type, message, line and stack, logs. */
static void test_code_cache_is_invisible(void **state) {
    (void)state;
    static const char *const codes[] = {
        "var t = 0; for (var i = 0; i < 10; i++) t += i; console.log('t', t); output = t",
        "console.log('x');\nvar o = null;\no.x = 1;",       /* runtime error, line 3 */
        "if (input.n > 1) return input.n * 2;\nreturn 'small'", /* top-level return */
        "const f = (a, ...r) => a + r.length;\nclass K { #p = 1; get p() { return this.#p } }\n"
        "output = [f(1, 2, 3), new K().p, `t${1 + 1}`]",
        "const g = () => { throw new TypeError('bad ' + [1, 2].map(x => x * 2)) };\n\ng()",
    };
    assert_int_equal(cw_lowering_new(8, &conf.lowering), CW_OK);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char *first = NULL;
        for (int k = 0; k < 3; k++) {
            cJSON *r = run(codes[i], "{\"n\":5}", 0, 0);
            /* Timing and ids differ by run; everything else must not. */
            static const char *const vary[] = {"executionTimeMs", "startedAt", "endedAt", "memoryPeakBytes", "replay"};
            for (size_t v = 0; v < 5; v++)
                cJSON_DeleteItemFromObject(r, vary[v]);
            cJSON *logs = cJSON_GetObjectItem(r, "logs");
            cJSON *e;
            cJSON_ArrayForEach(e, logs) cJSON_DeleteItemFromObject(e, "elapsedMs");
            char *text = cJSON_PrintUnformatted(r);
            cJSON_Delete(r);
            if (!first)
                first = text;
            else if (strcmp(first, text) != 0)
                fail_msg("code %zu run %d differs:\n%s\n%s", i, k + 1, first, text);
            if (text != first)
                free(text);
        }
        free(first);
    }
    uint64_t hits, misses, loads;
    cw_lowering_stats(conf.lowering, &hits, &misses, &loads);
    assert_int_equal(misses, 5);
    assert_int_equal(hits, 10);
    assert_int_equal(loads, 10); /* every repeat ran from bytecode */
    cw_lowering_free(conf.lowering);
    conf.lowering = NULL;
}

static int setup(void **state) {
    (void)state;
    cw_sandbox_conf_default(&conf);
    cw_job_limits_default(&lim);
    return 0;
}

static int setup_image(void **state) {
    setup(state);
    if (cw_sandbox_heap_new(&conf, CW_SANDBOX_HEAP_IMAGE, &image) != CW_OK || !cw_sandbox_heap_is_image(image))
        return -1;
    return 0;
}

static int teardown_image(void **state) {
    (void)state;
    cw_sandbox_stats_t st;
    cw_sandbox_heap_free(image, &st);
    image = NULL;
    if (st.leaked) { /* every renew released all its job had allocated */
        print_error("heap image: %zu bytes left after the last renew\n", st.leaked);
        return -1;
    }
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_avg),
        cmocka_unit_test(test_return_value_and_output_precedence),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_runtime_error),
        cmocka_unit_test(test_thrown_non_errors),
        cmocka_unit_test(test_spoofed_timeout_is_runtime_error),
        cmocka_unit_test(test_timeout_in_heap),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_memory_limit_is_how_it_ended),
        cmocka_unit_test(test_deadline_at_end),
        cmocka_unit_test(test_native_strings),
        cmocka_unit_test(test_recursion_and_nesting),
        cmocka_unit_test(test_output_serialization),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_console_caps),
        cmocka_unit_test(test_console_never_throws),
        cmocka_unit_test(test_no_host_objects),
        cmocka_unit_test(test_require_policy),
        cmocka_unit_test(test_isolation_and_random),
        cmocka_unit_test(test_proto_key_in_input),
        cmocka_unit_test(test_code_cache_is_invisible),
    };
    int failed = cmocka_run_group_tests_name("sandbox", tests, setup, NULL);
    failed += cmocka_run_group_tests_name("sandbox on a heap image", tests, setup_image, teardown_image);
    return failed;
}
