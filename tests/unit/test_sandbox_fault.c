/*
 * test_sandbox_fault.c -- SQLite-style allocation-failure injection into the
 * job's heap: for N = 1, 2, ... fail allocation N (once, then from N on) and
 * require a well-formed result with a typed outcome and no leaked heap bytes,
 * until a run completes without reaching allocation N.  The walk runs once
 * on a heap made for each job and once on one heap image renewed after each
 * job with a code cache (what executors do), which must come back whole after
 * every failure; there every run after the first loads the job's bytecode
 * from the cache, so loading and keeping bytecode are walked too.
 *
 * CW_FAULT_STRIDE=k (default 1) walks every k-th site only.  The release
 * build walks every site; tests/run.sh sets a stride for the ASan+UBSan
 * build, where each run is ~20x slower and the point is memory errors on
 * the failure paths, which a sample of sites spread over the whole walk
 * still reaches.
 */
#include "cw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cw_lowering.h"
#include "cw_sandbox.h"

static const char *const cw_fault_jobs[] = {
    "{\"jobId\":\"f1\",\"code\":\"var s = input.values.reduce(function(a,b){return a+b}, 0);"
    " console.log('sum', s, {k: [1,2]}); output = {sum: s, avg: s / input.values.length};\","
    "\"inputData\":{\"values\":[1,2,3,4]}}",
    "{\"jobId\":\"f2\",\"code\":\"var g = {}; input.rows.forEach(function(r){ (g[r.k] = g[r.k] || []).push(r.v) });"
    " output = Object.keys(g).map(function(k){ return [k, g[k].length] });\","
    "\"inputData\":{\"rows\":[{\"k\":\"a\",\"v\":1},{\"k\":\"b\",\"v\":2},{\"k\":\"a\",\"v\":3}]}}",
    /* The input path: strings with escapes (U+0000, a surrogate pair, an
     * astral character), __proto__, floats, nesting past the first growth of
     * the level buffer. */
    "{\"jobId\":\"f6\",\"code\":\"output = [input.s.length, input.__proto__.a, input.d.length]\","
    "\"inputData\":{\"s\":\"a\\u0000\\ud83d\\ude00\xF0\x9F\x98\x80\\n\",\"__proto__\":{\"a\":1.5e3},"
    "\"d\":[[[[[[[[[[[[[[[[[[[[-0.25]]]]]]]]]]]]]]]]]]]],\"k\\u00e9\":null,\"t\":[true,false]}}",
    "{\"jobId\":\"f3\",\"code\":\"var o = null; o.x = 1;\"}",
    "{\"jobId\":\"f4\",\"code\":\"require('fs')\"}",
    /* The embedded runtime: a group loaded from bytecode on first use, the
     * microtask drain and an unhandled rejection.  (A library's require()
     * walks ~4,000 sites, too many to repeat here; test_runtime.c fails one
     * at the memory cap instead.) */
    "{\"jobId\":\"f5\",\"code\":\"Promise.resolve(1).then(function (v) { output = v });"
    " Promise.reject(new Error('late'))\"}",
    /* The event loop: the timers group, a skip of the job's clock and a
     * callback with arguments (cw_runtime_settle). */
    "{\"jobId\":\"f7\",\"code\":\"setTimeout(function (a) { output = [a, Date.now() > 0] }, 1000, 5);"
    " setImmediate(function () {})\"}",
    /* Dates and ICU strings (cw_date.c, cw_unicode.c) in a zone with DST. */
    "{\"jobId\":\"f6\",\"timeZone\":\"Europe/Berlin\",\"code\":\"var d = new Date('Mon, 15 Jan 2024 10:30:00 GMT');"
    " output = [String(d), d.toUTCString(), new Date(2024, 2, 31, 2, 30).getTime(), Date.parse('1/15/2024 10:30 PM'),"
    " 'cafe\\\\u0301'.normalize(), '\\\\u00df\\\\ud801\\\\udc28'.toUpperCase(), 'i'.toLocaleUpperCase('tr'),"
    " '\\\\ud800'.toWellFormed()]\"}",
};

static void cw_fault_walk(const char *msg, uint64_t repeat, int image) {
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    cw_sandbox_conf_t conf;
    cw_sandbox_conf_default(&conf);
    conf.fault_repeat = repeat;
    cw_sandbox_heap_t *heap = NULL;
    if (image) {
        assert_int_equal(cw_lowering_new(16, &conf.lowering), CW_OK);
        assert_int_equal(cw_sandbox_heap_new(&conf, CW_SANDBOX_HEAP_IMAGE, &heap), CW_OK);
        assert_true(cw_sandbox_heap_is_image(heap));
    }
    uint64_t n, stride = 1;
    const char *env = getenv("CW_FAULT_STRIDE");
    if (env && atoi(env) > 0)
        stride = (uint64_t)atoi(env);
    int outcomes[16] = {0};
    for (n = 1; n < 100000; n += stride) {
        cw_job_t job;
        char why[128];
        assert_int_equal(cw_job_parse(msg, strlen(msg), &lim, &job, why, sizeof(why)), CW_OK);
        conf.fault_at = n;
        cw_buf_t out;
        cw_buf_init(&out, 0);
        cw_sandbox_stats_t st;
        if (image) {
            memset(&st, 0, sizeof(st));
            assert_int_equal(cw_sandbox_run_prepared(heap, &job, &out, &st), CW_OK);
            assert_int_equal(cw_sandbox_heap_renew(heap), CW_OK);
        } else {
            assert_int_equal(cw_sandbox_run(&conf, &job, &out, &st), CW_OK);
        }
        cw_job_free(&job);
        if (st.leaked)
            fail_msg("N=%llu: %zu heap bytes leaked", (unsigned long long)n, st.leaked);
        cJSON *r = cJSON_Parse(out.data);
        if (!r)
            fail_msg("N=%llu: result is not JSON: %.200s", (unsigned long long)n, out.data);
        const char *code = cJSON_GetObjectItem(r, "resultCode")->valuestring;
        /* Injected failures look like an engine out-of-memory: the job ends
         * with its own result or a RUNTIME_ERROR/MEMORY_LIMIT, never anything
         * unexpected. */
        static const char *const ok[] = {"SUCCESS", "RUNTIME_ERROR", "MEMORY_LIMIT", "SECURITY_ERROR",
                                         "SYNTAX_ERROR", NULL};
        int found = 0;
        for (int i = 0; ok[i]; i++)
            if (!strcmp(code, ok[i]))
                found = 1, outcomes[i]++;
        if (!found)
            fail_msg("N=%llu: unexpected result code %s", (unsigned long long)n, code);
        cJSON_Delete(r);
        cw_buf_free(&out);
        if (st.faults == 0)
            break;
    }
    if (image) { /* every renew released what its job left */
        cw_sandbox_stats_t st;
        cw_sandbox_heap_free(heap, &st);
        if (st.leaked)
            fail_msg("image: %zu heap bytes leaked", st.leaked);
        uint64_t hits, misses, loads;
        cw_lowering_stats(conf.lowering, &hits, &misses, &loads);
        assert_true(hits > 0);
        assert_true(loads > 0);
        cw_lowering_free(conf.lowering);
    }
    assert_true(n > 10); /* the walk did reach into the engine */
    print_message("  job %.2s repeat=%llu%s stride=%llu: %llu allocation sites, outcomes S/R/M/Sec/Syn=%d/%d/%d/%d/%d\n",
                  msg + 10, (unsigned long long)repeat, image ? " image" : "", (unsigned long long)stride,
                  (unsigned long long)n,
                  outcomes[0], outcomes[1],
                  outcomes[2], outcomes[3], outcomes[4]);
}

static void test_transient_faults(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(cw_fault_jobs) / sizeof(cw_fault_jobs[0]); i++)
        cw_fault_walk(cw_fault_jobs[i], 1, 0);
}

static void test_persistent_faults(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(cw_fault_jobs) / sizeof(cw_fault_jobs[0]); i++)
        cw_fault_walk(cw_fault_jobs[i], 0, 0);
}

static void test_image_faults(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(cw_fault_jobs) / sizeof(cw_fault_jobs[0]); i++) {
        cw_fault_walk(cw_fault_jobs[i], 1, 1);
        cw_fault_walk(cw_fault_jobs[i], 0, 1);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transient_faults),
        cmocka_unit_test(test_persistent_faults),
        cmocka_unit_test(test_image_faults),
    };
    return cmocka_run_group_tests_name("sandbox_fault", tests, NULL, NULL);
}
