/*
 * test_lowering.c -- the executor's lowering front end (cw_lowering.c):
 * the cache bound in bytes with pinned entries, the decision by Duktape's
 * compiler (candidates), and lowering under a deadline and a memory budget.
 *
 * The cache was bounded by entry count only, so large distinct jobs could
 * fill an executor with gigabytes; these tests pin the byte bound down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cw_lower.h"
#include "cw_lowering.h"
#include "cw_sandbox.h"
#include "cw_time.h"

/* A distinct modern source of about `kb` KiB. */
static char *modern_source(int id, int kb) {
    size_t cap = (size_t)kb * 1024 + 256;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = 0;
    for (int k = 0; n + 80 < (size_t)kb * 1024; k++)
        n += (size_t)snprintf(s + n, cap - n, "const v%d_%d = [%d].map(x => x + %d);\n", id, k, k, id);
    snprintf(s + n, cap - n, "output = v%d_0[0];\n", id);
    return s;
}

static void test_cache_bounded_in_bytes(void **state) {
    (void)state;
    cw_lowering_t *c;
    const size_t max = (size_t)4 << 20;
    assert_int_equal(cw_lowering_new_bounded(1024, max, &c), CW_OK);
    size_t most = 0;
    for (int i = 0; i < 60; i++) {
        char *src = modern_source(i, 20);
        cw_prepared_t p;
        assert_int_equal(cw_lowering_prepare(c, src, strlen(src), &p), CW_OK);
        assert_true(p.lowered);
        assert_false(p.syntax_error);
        /* The entry in use may not be evicted under the job. */
        assert_non_null(p.code);
        assert_true(memcmp(p.code, "var", 3) == 0 || p.len > 0);
        assert_true(cw_lowering_cache_bytes(c) <= max);
        if (cw_lowering_cache_bytes(c) > most)
            most = cw_lowering_cache_bytes(c);
        cw_lowering_release(&p);
        free(src);
    }
    assert_true(most > max / 2); /* it did fill up: the bound was exercised */
    /* What is still cached is served from the cache. */
    char *src = modern_source(59, 20);
    cw_prepared_t p;
    assert_int_equal(cw_lowering_prepare(c, src, strlen(src), &p), CW_OK);
    assert_true(p.cached && p.lowered);
    cw_lowering_release(&p);
    free(src);
    cw_lowering_free(c);
}

static void test_pinned_entries_survive_eviction(void **state) {
    (void)state;
    cw_lowering_t *c;
    assert_int_equal(cw_lowering_new_bounded(8, (size_t)300 << 10, &c), CW_OK);
    char *first = modern_source(1000, 40);
    cw_prepared_t keep;
    assert_int_equal(cw_lowering_prepare(c, first, strlen(first), &keep), CW_OK);
    char *copy = malloc(keep.len + 1);
    assert_non_null(copy);
    memcpy(copy, keep.code, keep.len);
    for (int i = 0; i < 20; i++) { /* churn while `keep` is in use */
        char *src = modern_source(i, 40);
        cw_prepared_t p;
        assert_int_equal(cw_lowering_prepare(c, src, strlen(src), &p), CW_OK);
        cw_lowering_release(&p);
        free(src);
    }
    assert_memory_equal(keep.code, copy, keep.len);
    cw_lowering_release(&keep);
    free(copy);
    free(first);
    cw_lowering_free(c);
}

static void test_compiler_decides(void **state) {
    (void)state;
    cw_lowering_t *c;
    assert_int_equal(cw_lowering_new(16, &c), CW_OK);
    /* No modern word at all, yet not ES5: a candidate Duktape will reject. */
    static const char src[] = "var {a, b} = input; output = a + b";
    cw_prepared_t p;
    assert_int_equal(cw_lowering_prepare(c, src, sizeof(src) - 1, &p), CW_OK);
    assert_true(p.candidate);
    assert_false(p.lowered);
    assert_int_equal(cw_lowering_lower_rejected(c, src, sizeof(src) - 1, NULL, &p), CW_OK);
    assert_true(p.lowered);
    assert_false(p.candidate);
    cw_lowering_release(&p);
    /* The cache remembers that it needed lowering. */
    assert_int_equal(cw_lowering_prepare(c, src, sizeof(src) - 1, &p), CW_OK);
    assert_true(p.cached && p.lowered && !p.candidate);
    cw_lowering_release(&p);
    /* `const` is accepted by Duktape with `var` semantics: lowered at once;
     * so is code showing a modern token (the compile would only fail). */
    static const char k[] = "const q = 1; output = q";
    assert_int_equal(cw_lowering_prepare(c, k, sizeof(k) - 1, &p), CW_OK);
    assert_true(p.lowered);
    cw_lowering_release(&p);
    cw_lowering_free(c);
}

static void test_bounds(void **state) {
    (void)state;
    /* A deadline already past: the first check point stops the call. */
    char *src = modern_source(7, 60);
    cw_lowering_limits_t past = {cw_mono_ns() - 1, 0};
    cw_prepared_t p;
    assert_int_equal(cw_lowering_prepare_limited(NULL, src, strlen(src), &past, &p), CW_OK);
    assert_int_equal(p.limit, CW_LOWERING_LIMIT_TIME);
    cw_lowering_release(&p);
    /* A budget far below what the parse needs. */
    cw_lowering_limits_t tiny = {0, 4096};
    assert_int_equal(cw_lowering_prepare_limited(NULL, src, strlen(src), &tiny, &p), CW_OK);
    assert_int_equal(p.limit, CW_LOWERING_LIMIT_MEMORY);
    cw_lowering_release(&p);
    /* The same source within a normal budget lowers. */
    cw_lowering_limits_t ok = {cw_mono_ns() + 10 * 1000000000LL, cw_lowering_budget_for((size_t)8 << 20)};
    assert_int_equal(cw_lowering_prepare_limited(NULL, src, strlen(src), &ok, &p), CW_OK);
    assert_true(p.lowered);
    cw_lowering_release(&p);
    free(src);
    assert_int_equal(cw_lowering_budget_for((size_t)8 << 20), CW_LOWERING_BUDGET_MIN);
    assert_int_equal(cw_lowering_budget_for((size_t)64 << 20), (size_t)256 << 20);
    assert_int_equal(cw_lowering_budget_for((size_t)512 << 20), CW_LOWERING_BUDGET_MAX);
}

static void test_too_complex(void **state) {
    (void)state;
    /* 30 class expressions nested in `extends`: 504 bytes, exponential work. */
    char src[1024];
    size_t n = (size_t)snprintf(src, sizeof(src), "let C = ");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(src + n, sizeof(src) - n, "class extends ");
    n += (size_t)snprintf(src + n, sizeof(src) - n, "Object");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(src + n, sizeof(src) - n, "{}");
    int64_t t0 = cw_mono_ns();
    cw_lowering_limits_t lim = {t0 + 30 * 1000000000LL, CW_LOWERING_BUDGET_MIN};
    cw_prepared_t p;
    assert_int_equal(cw_lowering_prepare_limited(NULL, src, n, &lim, &p), CW_OK);
    assert_false(p.candidate); /* `class`: lowered without a compile attempt */
    assert_true(p.syntax_error);
    assert_non_null(strstr(p.message, "too complex to compile"));
    cw_lowering_release(&p);
}

/* The sandbox starts with no cache: the executor attaches one. */
static void test_sandbox_conf_has_no_cache(void **state) {
    (void)state;
    cw_sandbox_conf_t conf;
    cw_sandbox_conf_default(&conf);
    assert_null(conf.lowering);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_conf_has_no_cache),
        cmocka_unit_test(test_cache_bounded_in_bytes),
        cmocka_unit_test(test_pinned_entries_survive_eviction),
        cmocka_unit_test(test_compiler_decides),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_too_complex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
