/*
 * test_cancel.c -- the cancelled-jobId set and the cancel record reader
 * (worker/cw_cancel.h), with allocation-failure injection: linked with
 * --wrap=malloc/realloc/calloc, every allocation goes through the countdown
 * below; for N = 1, 2, ... allocation N fails (once, then from N on) and
 * each call must return its normal result or CW_ERR_NOMEM, leaving the set
 * as it was, never crash, and leak nothing (LeakSanitizer in the ASan run).
 */
#include "cw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_cancel.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);

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

static void cw_arm(unsigned long n, int persistent) {
    cw_fault.count = cw_fault.faults = 0;
    cw_fault.fail_at = n;
    cw_fault.persistent = persistent;
}

static int has(const cw_cancels_t *c, const char *id) { return cw_cancels_find(c, id, strlen(id), NULL) != NULL; }

static void test_add_find_evict(void **state) {
    (void)state;
    cw_cancels_t *c;
    assert_int_equal(cw_cancels_new(0, &c), CW_ERR_INVALID);
    assert_int_equal(cw_cancels_new(3, &c), CW_OK);
    const char *reason = "x";
    assert_null(cw_cancels_find(c, "a", 1, &reason));
    assert_null(reason);
    assert_int_equal(cw_cancels_add(c, "a", 1, "user left", 9), CW_OK);
    assert_int_equal(cw_cancels_add(c, "b", 1, NULL, 0), CW_OK);
    const char *id = cw_cancels_find(c, "a", 1, &reason);
    assert_string_equal(id, "a");
    assert_string_equal(reason, "user left");
    assert_non_null(cw_cancels_find(c, "b", 1, &reason));
    assert_string_equal(reason, "");
    /* again: the first reason and age stand */
    assert_int_equal(cw_cancels_add(c, "a", 1, "other", 5), CW_OK);
    assert_non_null(cw_cancels_find(c, "a", 1, &reason));
    assert_string_equal(reason, "user left");
    assert_int_equal(cw_cancels_count(c), 2);
    /* ids are bytes: a prefix, a longer id and NUL inside are other ids */
    assert_false(has(c, "ab"));
    assert_null(cw_cancels_find(c, "a\0", 2, NULL));
    assert_int_equal(cw_cancels_add(c, "c", 1, NULL, 0), CW_OK);
    assert_int_equal(cw_cancels_add(c, "d", 1, NULL, 0), CW_OK); /* full: "a" goes */
    assert_false(has(c, "a"));
    assert_true(has(c, "b") && has(c, "c") && has(c, "d"));
    assert_int_equal(cw_cancels_count(c), 3);
    assert_int_equal(cw_cancels_evicted(c), 1);
    /* bounds */
    char big[CW_CANCEL_ID_MAX + 1];
    memset(big, 'x', sizeof(big));
    assert_int_equal(cw_cancels_add(c, big, sizeof(big), NULL, 0), CW_ERR_INVALID);
    assert_int_equal(cw_cancels_add(c, big, CW_CANCEL_ID_MAX, NULL, 0), CW_OK);
    assert_int_equal(cw_cancels_add(c, "", 0, NULL, 0), CW_ERR_INVALID);
    char longr[CW_CANCEL_REASON_MAX + 40];
    memset(longr, 'r', sizeof(longr));
    memcpy(longr + CW_CANCEL_REASON_MAX - 1, "\xc3\xa9", 2); /* a character across the limit */
    assert_int_equal(cw_cancels_add(c, "e", 1, longr, sizeof(longr)), CW_OK);
    assert_non_null(cw_cancels_find(c, "e", 1, &reason));
    assert_int_equal(strlen(reason), CW_CANCEL_REASON_MAX - 1); /* clipped before it */
    cw_cancels_free(c);
    cw_cancels_free(NULL);
}

/* Many ids through a small set: every id added last `max` is found, every
 * older one is not, and the chains stay consistent under eviction. */
static void test_many(void **state) {
    (void)state;
    cw_cancels_t *c;
    assert_int_equal(cw_cancels_new(100, &c), CW_OK);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "job-%d", i);
        assert_int_equal(cw_cancels_add(c, id, strlen(id), NULL, 0), CW_OK);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "job-%d", i);
        assert_int_equal(has(c, id), i >= 4900);
    }
    assert_int_equal(cw_cancels_count(c), 100);
    assert_int_equal(cw_cancels_evicted(c), 4900);
    cw_cancels_free(c);
}

static void test_record(void **state) {
    (void)state;
    char r[CW_CANCEL_REASON_MAX + 1];
    size_t n;
    const char *v = "{\"jobId\":\"j\",\"reason\":\"user \\u00e9 left\"}";
    assert_int_equal(cw_cancel_record("j", 1, v, strlen(v), r, &n), CW_OK);
    assert_string_equal(r, "user \xc3\xa9 left");
    assert_int_equal(n, strlen(r));
    /* the key is what cancels: any value, or none, still does */
    static const char *const values[] = {"", "not json", "[1,2]", "{\"reason\":5}", "{\"reason\":\"a\\u0000b\"}",
                                         "{\"reason\":\"\\ud800\"}", "{\"a\":1,\"a\":2}", "{\"reason\":\"x\"} trailing"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        assert_int_equal(cw_cancel_record("j", 1, values[i], strlen(values[i]), r, &n), CW_OK);
        assert_int_equal(n, 0);
        assert_string_equal(r, "");
    }
    assert_int_equal(cw_cancel_record("j", 1, NULL, 0, r, &n), CW_OK);
    /* keys: missing, empty, too long, not UTF-8, NUL inside */
    char big[CW_CANCEL_ID_MAX + 1];
    memset(big, 'k', sizeof(big));
    assert_int_equal(cw_cancel_record(NULL, 0, "{}", 2, r, &n), CW_ERR_INVALID);
    assert_int_equal(cw_cancel_record("", 0, "{}", 2, r, &n), CW_ERR_INVALID);
    assert_int_equal(cw_cancel_record(big, sizeof(big), "{}", 2, r, &n), CW_ERR_INVALID);
    assert_int_equal(cw_cancel_record("\xff", 1, "{}", 2, r, &n), CW_ERR_INVALID);
    assert_int_equal(cw_cancel_record("a\0b", 3, "{}", 2, r, &n), CW_ERR_INVALID);
}

/* Every allocation of new/add/record fails in turn. */
static void test_alloc_failures(void **state) {
    (void)state;
    for (int persistent = 0; persistent <= 1; persistent++) {
        for (unsigned long n = 1; n < 200; n++) {
            cw_arm(n, persistent);
            cw_cancels_t *c = NULL;
            cw_err_t err = cw_cancels_new(4, &c);
            if (err) {
                assert_int_equal(err, CW_ERR_NOMEM);
                assert_null(c);
                continue;
            }
            size_t before = 0;
            char id[16];
            for (int i = 0; i < 8; i++) {
                snprintf(id, sizeof(id), "id-%d", i);
                before = cw_cancels_count(c);
                err = cw_cancels_add(c, id, strlen(id), "why", 3);
                if (err) {
                    assert_int_equal(err, CW_ERR_NOMEM);
                    assert_int_equal(cw_cancels_count(c), before); /* unchanged */
                    assert_false(has(c, id));
                } else {
                    assert_true(has(c, id));
                }
            }
            char r[CW_CANCEL_REASON_MAX + 1];
            size_t rn;
            const char *v = "{\"reason\":\"a \\\"quoted\\\" reason\"}";
            err = cw_cancel_record("k", 1, v, strlen(v), r, &rn);
            assert_true(err == CW_OK || err == CW_ERR_NOMEM);
            if (err == CW_OK && rn)
                assert_string_equal(r, "a \"quoted\" reason");
            cw_cancels_free(c);
            if (!cw_fault.faults) { /* the walk went past every allocation */
                cw_arm(0, 0);
                break;
            }
        }
    }
    cw_arm(0, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_evict),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests_name("cancel", tests, NULL, NULL);
}
