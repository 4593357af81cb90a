/*
 * test_common_fault.c -- allocation-failure injection into our own C code
 * (the job parser and its JSON reader, the result serializer, buffers, the config
 * table), the counterpart of test_sandbox_fault.c for the job's heap.
 *
 * This binary is linked with --wrap=malloc/realloc/calloc, so every
 * allocation made by our objects goes through the countdown below, and
 * cJSON's allocations are routed there with cJSON_InitHooks.  For N = 1, 2,
 * ... allocation N fails (once, then from N on); each call must return
 * either its normal result or CW_ERR_NOMEM, never crash, and leak nothing
 * (LeakSanitizer checks that in the ASan run).
 */
#include "cw_test.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cw_conf.h"
#include "cw_job.h"
#include "cw_result.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);

/* The countdown: the one piece of state the wrappers need. */
static struct {
    unsigned long count, fail_at, faults;
    int persistent;
} cw_fault;

static int cw_fault_now(void) {
    if (!cw_fault.fail_at)
        return 0;
    cw_fault.count++;
    if (cw_fault.count == cw_fault.fail_at || (cw_fault.persistent && cw_fault.count > cw_fault.fail_at)) {
        cw_fault.faults++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return cw_fault_now() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return cw_fault_now() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t a, size_t b) { return cw_fault_now() ? NULL : __real_calloc(a, b); }

static void *cw_hook_malloc(size_t n) { return __wrap_malloc(n); }

static void cw_arm(unsigned long n, int persistent) {
    cw_fault.count = cw_fault.faults = 0;
    cw_fault.fail_at = n;
    cw_fault.persistent = persistent;
}

static const char *const cw_jobs[] = {
    "{\"jobId\":\"j1\",\"code\":\"output = input.a\",\"inputData\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},"
    "\"timeout\":500,\"memoryLimit\":\"abc\",\"actionId\":\"a\",\"userId\":\"u\",\"context\":{\"k\":[1,2]},"
    "\"expiresAt\":\"2030-01-01T00:00:00Z\",\"replyTopic\":\"r\"}",
    "{\"jobId\":\"j2\",\"code\":\"1\",\"inputData\":\"{\\\"x\\\":[true,null,1.5]}\"}",
    "{\"jobId\":\"j3\",\"code\":5}",
    /* the strict reader's paths: duplicates, U+0000, astral input, numeric
     * strings, a minified context, a string holding JSON, a jobId after a
     * nested input, an invalid field with trailing bytes */
    "{\"jobId\":\"j4\",\"code\":\"a\\u0000b\",\"x\":1,\"y\":2,\"x\":3}",
    "{\"jobId\":\"j5\",\"code\":\"1\",\"inputData\":{\"s\":\"\xF0\x9F\x98\x80\\u0000\"},"
    "\"timeout\":\"0x10\",\"memoryLimit\":\"64\",\"expiresAt\":1900000000000,"
    "\"context\": { \"k\" : [ 1 , 2 ] },\"agentRunId\":\"r\\u00e9\"}",
    "{\"jobId\":\"j6\",\"code\":\"1\",\"inputData\":\"{\\\"s\\\":\\\"\\\\ud83d\\\\ude00\\\"}\"}",
    "{\"code\":\"1\",\"inputData\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]"
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"jobId\":\"j7\"}",
    "{\"jobId\":\"j8\",\"userId\":\"u\\u0000\",\"code\":\"1\"} trailing",
    "not json at all",
};

static void test_job_parse_faults(void **state) {
    (void)state;
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    for (int persistent = 0; persistent <= 1; persistent++) {
        for (size_t j = 0; j < sizeof(cw_jobs) / sizeof(cw_jobs[0]); j++) {
            cw_err_t clean;
            {
                cw_job_t job;
                char why[256];
                cw_arm(0, 0);
                clean = cw_job_parse(cw_jobs[j], strlen(cw_jobs[j]), &lim, &job, why, sizeof(why));
                cw_job_free(&job);
            }
            unsigned long n;
            for (n = 1; n < 100000; n++) {
                cw_job_t job;
                char why[256];
                cw_arm(n, persistent);
                cw_err_t err = cw_job_parse(cw_jobs[j], strlen(cw_jobs[j]), &lim, &job, why, sizeof(why));
                unsigned long faults = cw_fault.faults;
                cw_job_free(&job);
                cw_arm(0, 0);
                if (!faults) {
                    assert_int_equal(err, clean);
                    break;
                }
                /* A failed allocation is CW_ERR_NOMEM, never another
                 * verdict, a crash or a half-built job. */
                if (err != clean && err != CW_ERR_NOMEM)
                    fail_msg("job %zu N=%lu: %s", j, n, cw_err2name(err));
            }
            /* Text that is not JSON is refused before anything is allocated. */
            assert_true(n > 1 || strncmp(cw_jobs[j], "not json", 8) == 0);
        }
    }
}

static void test_result_write_faults(void **state) {
    (void)state;
    cw_result_t r;
    cw_result_init(&r);
    r.job_id = "j\xed\xa0\xbd\xed\xb8\x80";
    r.code = CW_RES_RUNTIME_ERROR;
    r.err_name = "TypeError";
    r.err_message = "bad \"thing\"\n";
    r.err_stack = "at job.js:1";
    r.logs_json = "{\"level\":\"log\",\"message\":\"x\"}";
    r.logs_len = strlen(r.logs_json);
    r.timeout_s = 30;
    r.memory_mb = 128;
    for (int persistent = 0; persistent <= 1; persistent++) {
        unsigned long n;
        for (n = 1; n < 10000; n++) {
            cw_buf_t b;
            cw_buf_init(&b, 0);
            cw_arm(n, persistent);
            cw_err_t err = cw_result_write(&r, &b);
            unsigned long faults = cw_fault.faults;
            cw_arm(0, 0);
            if (!faults) {
                assert_int_equal(err, CW_OK);
                cJSON *j = cJSON_Parse(b.data);
                assert_non_null(j);
                cJSON_Delete(j);
                cw_buf_free(&b);
                break;
            }
            assert_int_equal(err, CW_ERR_NOMEM);
            cw_buf_free(&b);
        }
        assert_true(n > 1);
    }
}

static void test_conf_faults(void **state) {
    (void)state;
    for (unsigned long n = 1; n < 1000; n++) {
        cw_conf_t c;
        char why[200];
        cw_conf_init(&c, 2);
        cw_arm(n, 1);
        cw_err_t e1 = cw_conf_set(&c, "kafka.security.protocol", "SASL_SSL", why, sizeof(why));
        cw_err_t e2 = cw_conf_set(&c, "kafka.sasl.username", "u", why, sizeof(why));
        unsigned long faults = cw_fault.faults;
        cw_arm(0, 0);
        assert_true(e1 == CW_OK || e1 == CW_ERR_NOMEM);
        assert_true(e2 == CW_OK || e2 == CW_ERR_NOMEM);
        cw_conf_free(&c);
        if (!faults)
            break;
    }
}

int main(void) {
    cJSON_Hooks hooks = {cw_hook_malloc, free};
    cJSON_InitHooks(&hooks);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_parse_faults),
        cmocka_unit_test(test_result_write_faults),
        cmocka_unit_test(test_conf_faults),
    };
    return cmocka_run_group_tests_name("common_fault", tests, NULL, NULL);
}
