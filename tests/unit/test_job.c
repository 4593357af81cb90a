/* test_job.c -- job parsing, validation and limit clamping. */
#include "cw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_job.h"
#include "cw_trace.h"

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
    assert_string_equal(j.input, "{}");
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
    assert_string_equal(j.input, "{\"x\":[1,2]}");
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"inputData\":\"not json\"}", &j), CW_ERR_INVALID);
    assert_string_equal(j.job_id, "a"); /* still addressed */
    assert_non_null(strstr(reason, "inputData"));
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"inputData\":[1,{\"b\":null}]}", &j), CW_OK);
    assert_string_equal(j.input, "[1,{\"b\":null}]");
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


/* A message whose inputData nests `depth` arrays (or objects); the jobId
 * comes after it when `id_last`. */
static char *deep_job(size_t depth, int objects, int as_string, int id_last) {
    size_t n = depth * 8 + 128;
    char *m = malloc(n), *p = m;
    assert_non_null(m);
    p += sprintf(p, "{%s\"code\":\"output = 1\",\"inputData\":%s", id_last ? "" : "\"jobId\":\"deep\",",
                 as_string ? "\"" : "");
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "%s", objects ? (as_string ? "{\\\"a\\\":" : "{\"a\":") : "[");
    *p++ = '1';
    for (size_t i = 0; i < depth; i++)
        *p++ = objects ? '}' : ']';
    p += sprintf(p, "%s%s}", as_string ? "\"" : "", id_last ? ",\"jobId\":\"deep\"" : "");
    return m;
}

static void test_nesting_limit(void **state) {
    (void)state;
    for (int objects = 0; objects <= 1; objects++) {
        for (int as_string = 0; as_string <= 1; as_string++) {
            for (int id_last = 0; id_last <= 1; id_last++) {
                cw_job_t j;
                char *m = deep_job(1000, objects, as_string, id_last);
                if (parse(m, &j) != CW_OK)
                    fail_msg("1000 levels (objects %d, string %d) rejected: %s", objects, as_string, reason);
                cw_job_free(&j);
                free(m);
                m = deep_job(1001, objects, as_string, id_last);
                assert_int_equal(parse(m, &j), CW_ERR_INVALID);
                if (!strstr(reason, "nesting limit is 1000") || !strstr(reason, "inputData"))
                    fail_msg("reason \"%s\"", reason);
                assert_non_null(j.job_id); /* the answer is still addressed */
                assert_string_equal(j.job_id, "deep");
                cw_job_free(&j);
                free(m);
            }
        }
    }
    /* Far past the limit: the reader has no recursion to run out of. */
    char *m = deep_job(1000000, 0, 0, 1);
    cw_job_t j;
    assert_int_equal(parse(m, &j), CW_ERR_INVALID);
    assert_string_equal(j.job_id, "deep");
    cw_job_free(&j);
    free(m);
}

static void test_duplicate_keys(void **state) {
    (void)state;
    static const struct {
        const char *msg;
        const char *id; /* NULL: no jobId can be trusted */
    } cases[] = {
        {"{\"jobId\":\"a\",\"code\":\"1\",\"code\":\"2\"}", "a"},
        {"{\"jobId\":\"victim\",\"code\":\"1\",\"jobId\":\"attacker\"}", NULL},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"job\\u0049d\":\"b\"}", NULL},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"memoryLimit\":8,\"memoryLimit\":512}", "a"},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"x\":1,\"y\":2,\"x\":3}", "a"},
        {"{\"jobId\":\"a\",\"code\":\"1\",\"\":1,\"\":2}", "a"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_job_t j;
        assert_int_equal(parse(cases[i].msg, &j), CW_ERR_INVALID);
        if (!strstr(reason, "more than once"))
            fail_msg("case %zu: reason \"%s\"", i, reason);
        if (cases[i].id)
            assert_string_equal(j.job_id, cases[i].id);
        else
            assert_null(j.job_id);
        cw_job_free(&j);
    }
    /* Inside inputData, JSON.parse's rule: the last one wins, in the engine. */
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":{\"k\":1,\"k\":2}}", &j), CW_OK);
    cw_job_free(&j);
}

static void test_nul_in_strings(void **state) {
    (void)state;
    cw_job_t j;
    /* Code and input carry U+0000 whole. */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"x\\u0000y\",\"inputData\":{\"k\\u0000\":\"v\\u0000w\"}}", &j),
                     CW_OK);
    assert_int_equal(j.code_len, 3);
    assert_memory_equal(j.code, "x\0y", 4);
    assert_string_equal(j.input, "{\"k\\u0000\":\"v\\u0000w\"}");
    cw_job_free(&j);
    static const char *const ids[] = {"userId", "actionId", "agentRunId", "replyTopic", "language"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char m[160];
        snprintf(m, sizeof(m), "{\"jobId\":\"a\",\"code\":\"1\",\"%s\":\"victim\\u0000attacker\"}", ids[i]);
        assert_int_equal(parse(m, &j), CW_ERR_INVALID);
        assert_string_equal(j.job_id, "a");
        cw_job_free(&j);
    }
    assert_int_equal(parse("{\"jobId\":\"victim-2\\u0000attacker\",\"code\":\"1\"}", &j), CW_ERR_INVALID);
    assert_non_null(strstr(reason, "U+0000"));
    assert_null(j.job_id);
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"expiresAt\":\"2030-01-01T00:00:00Z\\u0000x\"}", &j),
                     CW_ERR_INVALID);
    cw_job_free(&j);
    /* An escaped U+0000 in a key of the envelope is a different key. */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"userId\\u0000\":5}", &j), CW_OK);
    assert_null(j.user_id);
    cw_job_free(&j);
}

static void test_trailing_bytes(void **state) {
    (void)state;
    static const char *const bad[] = {
        "{\"jobId\":\"a\",\"code\":\"1\"} x",
        "{\"jobId\":\"a\",\"code\":\"1\"}{\"jobId\":\"b\",\"code\":\"2\"}",
        "{\"jobId\":\"a\",\"code\":\"1\"}\xEF\xBB\xBF",
        "{\"jobId\":\"a\",\"code\":\"1\"}\n\n,",
        "{\"jobId\":\"a\",\"code\":\"1\"}\0",
    };
    static const size_t lens[] = {0, 0, 0, 0, 25};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cw_job_t j;
        size_t n = lens[i] ? lens[i] : strlen(bad[i]);
        assert_int_equal(cw_job_parse(bad[i], n, &lim, &j, reason, sizeof(reason)), CW_ERR_INVALID);
        if (!strstr(reason, "not valid JSON"))
            fail_msg("case %zu: reason \"%s\"", i, reason);
        assert_string_equal(j.job_id, "a");
        cw_job_free(&j);
    }
    cw_job_t j;
    assert_int_equal(parse("\xEF\xBB\xBF{\"jobId\":\"a\",\"code\":\"1\"}", &j), CW_ERR_INVALID);
    cw_job_free(&j);
    assert_int_equal(parse(" \r\n\t{\"jobId\":\"a\",\"code\":\"1\"} \r\n\t", &j), CW_OK);
    cw_job_free(&j);
    /* Not JSON by RFC 8259, which cJSON took. */
    static const char *const strict[] = {
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[01]}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[1.]}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[-]}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":\"\\x\"}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":\"tab\there\"}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[1,]}",
        "{\"jobId\":\"a\",\"code\":\"1\",}",
    };
    for (size_t i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
        if (parse(strict[i], &j) != CW_ERR_INVALID)
            fail_msg("accepted %s", strict[i]);
        assert_string_equal(j.job_id, "a");
        cw_job_free(&j);
    }
}

static void test_numeric_strings(void **state) {
    (void)state;
    static const struct {
        const char *v;
        double timeout;
        int noted;
    } cases[] = {
        {"\"0x10\"", 30, 1}, {"\"inf\"", 30, 1},   {"\"nan\"", 30, 1},  {"\" 5\"", 30, 1},
        {"\"5 \"", 30, 1},   {"\"+5\"", 30, 1},    {"\"05\"", 30, 1},   {"\"1e1\"", 10, 0},
        {"\"16\"", 16, 0},   {"\"2.5\"", 2.5, 0},  {"16", 16, 0},       {"1e999", 30, 1},
        {"\"\"", 30, 1},     {"\"16\\u0000\"", 30, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char m[128];
        snprintf(m, sizeof(m), "{\"jobId\":\"a\",\"code\":\"1\",\"timeout\":%s}", cases[i].v);
        cw_job_t j;
        assert_int_equal(parse(m, &j), CW_OK);
        if (j.timeout_s != cases[i].timeout || (j.adjustments.len != 0) != cases[i].noted)
            fail_msg("timeout %s: got %g, adjustments \"%.*s\"", cases[i].v, j.timeout_s, (int)j.adjustments.len,
                     j.adjustments.data ? j.adjustments.data : "");
        cw_job_free(&j);
    }
    static const char *const bad_dates[] = {"\"2030-01-01T00:00:0x10Z\"", "\"2030-02-30T00:00:00Z\"",
                                            "\"+2030-01-01T00:00:00Z\"", "\"2030-01-01T00:00:00\"",
                                            "\"2030-01-01T00:00: 1Z\""};
    for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
        char m[128];
        snprintf(m, sizeof(m), "{\"jobId\":\"a\",\"code\":\"1\",\"expiresAt\":%s}", bad_dates[i]);
        cw_job_t j;
        if (parse(m, &j) != CW_ERR_INVALID)
            fail_msg("expiresAt %s accepted", bad_dates[i]);
        cw_job_free(&j);
    }
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"expiresAt\":\"2030-01-01T00:00:00.250z\"}", &j), CW_OK);
    assert_true(j.expires_at_ms == 1893456000250LL);
    cw_job_free(&j);
}

static void test_astral_input(void **state) {
    (void)state;
    cw_job_t j;
    /* U+1F600 as UTF-8 (F0 9F 98 80) reaches the engine as the CESU-8 of its
     * surrogate pair D83D DE00, the form Duktape's own lexer makes. */
    static const char *const msgs[] = {
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":{\"s\":\"\xF0\x9F\x98\x80" "ab\"}}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":\"{\\\"s\\\":\\\"\xF0\x9F\x98\x80" "ab\\\"}\"}",
        "{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":\"{\\\"s\\\":\\\"\\ud83d\\ude00ab\\\"}\"}",
    };
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        assert_int_equal(parse(msgs[i], &j), CW_OK);
        assert_string_equal(j.input, "{\"s\":\"\xED\xA0\xBD\xED\xB8\x80" "ab\"}");
        cw_job_free(&j);
    }
    /* Escapes inside a JSON value are left to the engine's decoder. */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[\"\\ud83d\\ude00\",\"\\ud800\"]}", &j), CW_OK);
    assert_string_equal(j.input, "[\"\\ud83d\\ude00\",\"\\ud800\"]");
    cw_job_free(&j);
    /* Invalid UTF-8 in the input: rejected, still addressed. */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"inputData\":[\"\xED\xA0\xBD\"]}", &j), CW_ERR_INVALID);
    assert_non_null(strstr(reason, "UTF-8"));
    assert_string_equal(j.job_id, "a");
    cw_job_free(&j);
}

static void test_audit_at_limits(void **state) {
    (void)state;
    /* A 64 KiB context and three 256-byte ids, each at its own limit. */
    size_t n = (64u << 10) + 8192;
    char *m = malloc(n), *p = m;
    assert_non_null(m);
    p += sprintf(p, "{\"jobId\":\"a\",\"code\":\"1\"");
    static const char *const ids[] = {"actionId", "userId", "agentRunId"};
    for (int i = 0; i < 3; i++) {
        p += sprintf(p, ",\"%s\":\"", ids[i]);
        memset(p, 'i', 256);
        p += 256;
        *p++ = '"';
    }
    p += sprintf(p, ",\"context\":\"");
    memset(p, 'c', (64u << 10) - 2);
    p += (64u << 10) - 2;
    p += sprintf(p, "\"}");
    cw_job_t j;
    if (parse(m, &j) != CW_OK)
        fail_msg("rejected: %s", reason);
    assert_true(j.audit.len > (64u << 10) + 3 * 256);
    cw_job_free(&j);
    /* Ids that need escaping, at their limit, too. */
    p = m;
    p += sprintf(p, "{\"jobId\":\"a\",\"code\":\"1\"");
    for (int i = 0; i < 3; i++) {
        p += sprintf(p, ",\"%s\":\"", ids[i]);
        for (int k = 0; k < 256; k++)
            p += sprintf(p, "\\u0001");
        *p++ = '"';
    }
    p += sprintf(p, ",\"context\":{\"k\":\"");
    memset(p, 'c', (64u << 10) - 8);
    p += (64u << 10) - 8;
    p += sprintf(p, "\"}}");
    if (parse(m, &j) != CW_OK)
        fail_msg("rejected: %s", reason);
    cw_job_free(&j);
    free(m);
    /* The context is kept as written, minus whitespace, U+0000 included. */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"1\",\"context\": { \"k\" : [ 1 , \"a b\\u0000\" ] } }", &j), CW_OK);
    assert_string_equal(j.audit.data, "\"context\":{\"k\":[1,\"a b\\u0000\"]}");
    cw_job_free(&j);
}

#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static void test_trace_checks(void **state) {
    (void)state;
    static const char *const good[] = {
        TP,
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09",        /* a later version */
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever", /* its extra fields */
    };
    static const char *const bad[] = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",         /* no flags */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",     /* version 00 is exactly 55 */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      /* version ff */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      /* zero trace-id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      /* zero parent-id */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      /* upper case */
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",      /* separators */
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",      /* not hex */
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",     /* later version, no dash */
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-a b",  /* a space in extra fields */
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(cw_trace_parent_ok(good[i], strlen(good[i])), 1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cw_trace_parent_ok(bad[i], strlen(bad[i])), 0);
    assert_int_equal(cw_trace_parent_ok(NULL, 55), 0);
    char nul[56];
    memcpy(nul, TP, 56);
    nul[20] = '\0'; /* a NUL inside the length given */
    assert_int_equal(cw_trace_parent_ok(nul, 55), 0);
    char longer[CW_TRACE_PARENT_MAX + 2];
    memset(longer, 'a', sizeof(longer));
    memcpy(longer, TP, 55);
    longer[1] = '1'; /* version 01: may be longer */
    longer[55] = '-';
    assert_int_equal(cw_trace_parent_ok(longer, CW_TRACE_PARENT_MAX), 1);
    assert_int_equal(cw_trace_parent_ok(longer, CW_TRACE_PARENT_MAX + 1), 0);

    assert_int_equal(cw_trace_state_ok("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", 39), 1);
    assert_int_equal(cw_trace_state_ok("", 0), 0);
    assert_int_equal(cw_trace_state_ok("a=1\n", 4), 0);
    assert_int_equal(cw_trace_state_ok("a=\x80", 3), 0);
    char st[CW_TRACE_STATE_MAX + 1];
    memset(st, 'x', sizeof(st));
    assert_int_equal(cw_trace_state_ok(st, CW_TRACE_STATE_MAX), 1);
    assert_int_equal(cw_trace_state_ok(st, CW_TRACE_STATE_MAX + 1), 0);
    for (int i = 1; i < 64; i += 2)
        st[i] = ',';
    assert_int_equal(cw_trace_state_ok(st, 63), 1);  /* 32 members */
    assert_int_equal(cw_trace_state_ok(st, 64), 0);  /* the 33rd begins */
}

static void test_trace_fields(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"" TP "\",\"tracestate\":\"k=v\"}", &j), CW_OK);
    assert_string_equal(j.traceparent, TP);
    assert_string_equal(j.tracestate, "k=v");
    cw_job_free(&j);
    /* tracestate alone means nothing: dropped; null is absent */
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"tracestate\":\"k=v\",\"traceparent\":null}", &j), CW_OK);
    assert_null(j.traceparent);
    assert_null(j.tracestate);
    cw_job_free(&j);
    static const char *const bad[] = {
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":5}",
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"00-abc\"}",
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"" TP "\\u0000\"}",
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"" TP "\",\"tracestate\":[]}",
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"" TP "\",\"tracestate\":\"a\\nb\"}",
        "{\"jobId\":\"a\",\"code\":\"\",\"traceparent\":\"" TP "\",\"tracestate\":\"\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], &j), CW_ERR_INVALID);
        assert_string_equal(j.job_id, "a"); /* still addressed to its sender */
        assert_non_null(strstr(reason, "trace"));
        cw_job_free(&j);
    }
}

static void test_clock_start(void **state) {
    (void)state;
    cw_job_t j;
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"clockStart\":1700000000000}", &j), CW_OK);
    assert_true(j.has_clock_start && j.clock_start_ms == 1700000000000LL);
    cw_job_free(&j);
    assert_int_equal(parse("{\"jobId\":\"a\",\"code\":\"\",\"clockStart\":null}", &j), CW_OK);
    assert_false(j.has_clock_start);
    cw_job_free(&j);
    static const char *const bad[] = {"-1", "1.5", "\"1700000000000\"", "8640000000000001", "1e300", "[1]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char msg[128];
        snprintf(msg, sizeof(msg), "{\"jobId\":\"a\",\"code\":\"\",\"clockStart\":%s}", bad[i]);
        assert_int_equal(parse(msg, &j), CW_ERR_INVALID);
        assert_non_null(strstr(reason, "clockStart"));
        cw_job_free(&j);
    }
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
        cmocka_unit_test(test_nesting_limit),    cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_nul_in_strings),   cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_numeric_strings),  cmocka_unit_test(test_astral_input),
        cmocka_unit_test(test_audit_at_limits), cmocka_unit_test(test_trace_checks),
        cmocka_unit_test(test_trace_fields),     cmocka_unit_test(test_clock_start),
    };
    return cmocka_run_group_tests_name("job", tests, setup, NULL);
}
