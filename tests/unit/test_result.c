/* test_result.c -- the result document: shape, error fields, tail, caps. */
#include "cw_test.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "cw_result.h"

static cJSON *write_parse(const cw_result_t *r) {
    cw_buf_t b;
    cw_buf_init(&b, 0);
    assert_int_equal(cw_result_write(r, &b), CW_OK);
    cJSON *j = cJSON_Parse(b.data);
    assert_non_null(j);
    cw_buf_free(&b);
    return j;
}

static void test_success_shape(void **state) {
    (void)state;
    cw_result_t r;
    cw_result_init(&r);
    r.job_id = "j1";
    r.output_json = "{\"a\":1}";
    r.output_len = 7;
    r.logs_json = "{\"level\":\"log\",\"message\":\"hi\"}";
    r.logs_len = strlen(r.logs_json);
    r.timeout_s = 30;
    r.memory_mb = 128;
    r.started_ms = 1000;
    r.ended_ms = 2000;
    cJSON *j = write_parse(&r);
    assert_string_equal(cJSON_GetObjectItem(j, "jobId")->valuestring, "j1");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "success")));
    assert_string_equal(cJSON_GetObjectItem(j, "resultCode")->valuestring, "SUCCESS");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "errorType")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "error")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "output"), "a")->valueint, 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "logs")), 1);
    assert_string_equal(cJSON_GetObjectItem(j, "startedAt")->valuestring, "1970-01-01T00:00:01.000Z");
    assert_int_equal(cJSON_GetObjectItem(j, "timeout")->valueint, 30);
    cJSON_Delete(j);
}

static void test_error_shape(void **state) {
    (void)state;
    cw_result_t r;
    cw_result_init(&r);
    r.code = CW_RES_RUNTIME_ERROR;
    r.err_name = "TypeError";
    r.err_message = "bad \"thing\"\n\xed\xa0\xbd\xed\xb8\x80";
    r.err_line = 3;
    r.audit_json = "\"userId\":\"u\"";
    r.audit_len = strlen(r.audit_json);
    cJSON *j = write_parse(&r);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "jobId")));
    assert_string_equal(cJSON_GetObjectItem(j, "errorType")->valuestring, "RUNTIME_ERROR");
    cJSON *e = cJSON_GetObjectItem(j, "error");
    assert_string_equal(cJSON_GetObjectItem(e, "name")->valuestring, "TypeError");
    assert_int_equal(cJSON_GetObjectItem(e, "line")->valueint, 3);
    assert_string_equal(cJSON_GetObjectItem(e, "message")->valuestring, "bad \"thing\"\n\xf0\x9f\x98\x80");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "column")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "timeout")));
    assert_string_equal(cJSON_GetObjectItem(j, "userId")->valuestring, "u");
    cJSON_Delete(j);
}

static void test_every_code_has_a_name(void **state) {
    (void)state;
    for (int c = 0; c < CW_RES__COUNT; c++)
        assert_string_not_equal(cw_rescode2str((cw_rescode_t)c), "UNKNOWN");
    assert_string_equal(cw_rescode2str(CW_RES__COUNT), "UNKNOWN");
    assert_string_equal(cw_err2name(CW_ERR_NOMEM), "CW_ERR_NOMEM");
    assert_string_equal(cw_err2str((cw_err_t)-999), "unknown error");
}

static void test_tail_and_cap(void **state) {
    (void)state;
    cw_result_t r;
    cw_result_init(&r);
    r.code = CW_RES_TIMEOUT;
    r.tail_json = "\"timeout\":1,\"memoryLimit\":8,\"limitAdjustments\":[]";
    r.tail_len = strlen(r.tail_json);
    cJSON *j = write_parse(&r);
    assert_int_equal(cJSON_GetObjectItem(j, "memoryLimit")->valueint, 8);
    cJSON_Delete(j);
    cw_buf_t b;
    cw_buf_init(&b, 100);
    assert_int_equal(cw_result_write(&r, &b), CW_ERR_TOOBIG);
    cw_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_shape),
        cmocka_unit_test(test_error_shape),
        cmocka_unit_test(test_every_code_has_a_name),
        cmocka_unit_test(test_tail_and_cap),
    };
    return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
