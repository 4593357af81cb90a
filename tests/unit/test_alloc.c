/* test_alloc.c -- the byte-capped allocator: exact cap, peak, fault countdown. */
#include "cw_test.h"

#include <string.h>

#include "cw_alloc.h"

static void test_cap_is_exact(void **state) {
    (void)state;
    cw_alloc_t a;
    cw_alloc_init(&a, 1000);
    void *p = cw_alloc_malloc(&a, 600);
    assert_non_null(p);
    assert_null(cw_alloc_malloc(&a, 401));
    assert_true(a.limit_hit);
    void *q = cw_alloc_malloc(&a, 400);
    assert_non_null(q);
    assert_int_equal(a.used, 1000);
    assert_int_equal(a.peak, 1000);
    cw_alloc_free(&a, p);
    cw_alloc_free(&a, q);
    assert_int_equal(a.used, 0);
    assert_int_equal(a.peak, 1000);
}

static void test_realloc_accounting(void **state) {
    (void)state;
    cw_alloc_t a;
    cw_alloc_init(&a, 100);
    char *p = cw_alloc_realloc(&a, NULL, 10);
    assert_non_null(p);
    memset(p, 'x', 10);
    p = cw_alloc_realloc(&a, p, 90);
    assert_non_null(p);
    assert_int_equal(p[9], 'x');
    assert_int_equal(a.used, 90);
    assert_null(cw_alloc_realloc(&a, p, 101)); /* refused: old block intact */
    assert_int_equal(a.used, 90);
    p = cw_alloc_realloc(&a, p, 5);
    assert_int_equal(a.used, 5);
    assert_null(cw_alloc_realloc(&a, p, 0)); /* frees */
    assert_int_equal(a.used, 0);
    assert_null(cw_alloc_malloc(&a, 0));
    assert_null(cw_alloc_malloc(&a, SIZE_MAX));
}

static void test_fault_countdown(void **state) {
    (void)state;
    cw_alloc_t a;
    cw_alloc_init(&a, 0);
    cw_alloc_set_fault(&a, 3, 1); /* the 3rd allocation fails once */
    void *p1 = cw_alloc_malloc(&a, 8), *p2 = cw_alloc_malloc(&a, 8);
    assert_non_null(p1);
    assert_non_null(p2);
    assert_null(cw_alloc_malloc(&a, 8));
    assert_int_equal(a.faults, 1);
    assert_false(a.limit_hit);
    void *p3 = cw_alloc_malloc(&a, 8); /* transient: recovers */
    assert_non_null(p3);
    cw_alloc_free(&a, p1);
    cw_alloc_free(&a, p2);
    cw_alloc_free(&a, p3);

    cw_alloc_init(&a, 0);
    cw_alloc_set_fault(&a, 1, 0); /* persistent from the first */
    assert_null(cw_alloc_malloc(&a, 8));
    assert_null(cw_alloc_malloc(&a, 8));
    assert_int_equal(a.faults, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_is_exact),
        cmocka_unit_test(test_realloc_accounting),
        cmocka_unit_test(test_fault_countdown),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
