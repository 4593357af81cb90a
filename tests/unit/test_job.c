/* test_job.c -- job parsing, validation and limit clamping. */
#include "cw_test.h"

#include <stdlib.h>
#include <string.h>

#include "cw_job.h"

static cw_job_limits_t lim;
static char reason[256];

static cw_err_t parse(const char *msg, cw_job_t *job) {
    return cw_job_parse(msg, strlen(msg), &lim, job, reason, sizeof(reason));
}

static void test_defaults(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"output=1\"}", &j), CW_OK);
    assert_string_equal(j.job_id, "a");
    assert_string_equal(j.code, "output=1");
    assert_true(j.timeout_s == 30.0);
    assert_true(j.memory_mb == 128.0);
    assert_true(cJSON_IsObject(j.input));
    assert_int_equal(j.adjustments.len, 0);
    cw_job_free(&j);
}

static void test_clamp_and_fallback(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"timeout\":500,\"memoryLimit\":1}", &j),
                     CW_OK);
    assert_true(j.timeout_s == 120.0);
    assert_true(j.memory_mb == 8.0);
    assert_non_null(strstr(j.adjustments.data, "timeout 500 is out of range; clamped to 120"));
    assert_non_null(strstr(j.adjustments.data, "memoryLimit 1 is out of range; clamped to 8"));
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"timeout\":\"abc\",\"memoryLimit\":\"64\"}", &j),
                     CW_OK);
    assert_true(j.timeout_s == 30.0);
    assert_true(j.memory_mb == 64.0);
    assert_non_null(strstr(j.adjustments.data, "timeout is not a number"));
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"timeout\":true,\"memoryLimit\":-5}", &j), CW_OK);
    assert_true(j.timeout_s == 30.0);
    assert_true(j.memory_mb == 8.0);
    cw_job_free(&j);
}

static void test_input_string_is_json(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"inputData\":\"{\\\"x\\\":[1,2]}\"}", &j), CW_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j.input, "x")), 2);
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"inputData\":\"not json\"}", &j), CW_ERR_INVALID);
    assert_string_equal(j.job_id, "a"); /* still addressed */
    assert_non_null(strstr(reason, "inputData"));
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"inputData\":[1,{\"b\":null}]}", &j), CW_OK);
    assert_true(cJSON_IsArray(j.input));
    cw_job_free(&j);
}

static void test_rejections(void **state) {
    (void)state;
    static const struct {
        const char *msg, *why;
        int has_id;
    } cases[] = {
        {"not json", "not valid JSON", 0},
        {"[1,2]", "JSON object", 0},
        {"{\"code\":\"1\"}", "jobId is required", 0},
        {"{\"jobId\":7,\"code\":\"1\"}", "jobId must be a string", 0},
        {"{\"jobId\":\"\",\"code\":\"1\"}", "jobId must be", 0},
        {"{\"jobId\":\"a\"}", "code is required", 1},
        {"{\"jobId\":\"a\",\"code\":5}", "code must be a string", 1},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"language\":\"python\"}", "unsupported language", 1},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"userId\":5}", "userId must be a string", 1},
        {"{\"jobId\":\"a\",\"code\":\"\xff\"}", "invalid UTF-8", 1},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"expiresAt\":\"tomorrow\"}", "expiresAt", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_job_t j;
        assert_int_equal(parse(cases[i].msg, &j), CW_ERR_INVALID);
        if (!strstr(reason, cases[i].why))
            fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, reason, cases[i].why);
        assert_int_equal(j.job_id != NULL, cases[i].has_id);
        cw_job_free(&j);
    }
}

static void test_size_limits(void **state) {
    (void)state;
    cw_job_limits_t small = lim;
    small.max_code_bytes = 4;
    cw_job_t j;
    const char *m = "{\"jobId\":\"a\",\"code\":\"12345\"}";
    assert_int_equal(cw_job_parse(m, strlen(m), &small, &j, reason, sizeof(reason)), CW_ERR_INVALID);
    assert_non_null(strstr(reason, "code is 5 bytes"));
    cw_job_free(&j);
    small.max_message_bytes = 10;
    assert_int_equal(cw_job_parse(m, strlen(m), &small, &j, reason, sizeof(reason)), CW_ERR_INVALID);
    cw_job_free(&j);
}

static void test_audit_and_expiry(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"actionId\":\"act\",\"userId\":\"u\","
                           "\"context\":{\"k\":[1]},\"expiresAt\":\"2030-01-01T00:00:00Z\"}",
                           &j),
                     CW_OK);
    assert_string_equal(j.audit.data, "\"actionId\":\"act\",\"userId\":\"u\",\"context\":{\"k\":[1]}");
    assert_true(j.expires_at_ms == 1893456000000LL);
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"expiresAt\":\"2030-01-01T01:00:00+01:00\"}", &j), CW_OK);
    assert_true(j.expires_at_ms == 1893456000000LL);
    cw_job_free(&j);
}

static int setup(void **state) {
    (void)state;
    cw_job_limits_default(&lim);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_clamp_and_fallback),
        cmocka_unit_test(test_input_string_is_json), cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_size_limits),      cmocka_unit_test(test_audit_and_expiry),
    };
    return cmocka_run_group_tests_name("job", tests, setup, NULL);
}
