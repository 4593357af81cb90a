/* test_alloc.c -- the byte-capped allocator: exact cap, peak, fault countdown,
 * live-block release and heap images. */
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

static void test_release_frees_live_blocks(void **state) {
    (void)state;
    cw_alloc_t a;
    cw_alloc_init(&a, 0);
    void *p[5];
    for (int i = 0; i < 5; i++)
        assert_non_null(p[i] = cw_alloc_malloc(&a, 100 + (size_t)i));
    cw_alloc_free(&a, p[2]);
    assert_non_null(p[4] = cw_alloc_realloc(&a, p[4], 5000)); /* moved blocks stay linked */
    cw_alloc_release(&a); /* LeakSanitizer/valgrind see the rest freed */
    assert_int_equal(a.used, 0);
    assert_null(a.live);
}

static void test_image_restores_bytes(void **state) {
    (void)state;
    cw_alloc_t a;
    cw_alloc_init(&a, 1 << 20);
    assert_int_equal(cw_alloc_arena_open(&a, 64 << 10), 0);
    char *x = cw_alloc_malloc(&a, 100), *y = cw_alloc_malloc(&a, 50);
    assert_non_null(x);
    assert_non_null(y);
    memset(x, 'x', 100);
    memset(y, 'y', 50);
    assert_null(cw_alloc_malloc(&a, 1 << 20)); /* a full arena refuses, never spills */
    assert_null(a.live);
    assert_int_equal(cw_alloc_arena_seal(&a), 0);
    cw_alloc_t sealed = a;
    for (int round = 0; round < 3; round++) {
        /* A "job": writes into arena blocks, frees one, grows the other (it
         * moves to malloc), allocates more. */
        memset(x, 'j', 100);
        cw_alloc_free(&a, y);
        char *x2 = cw_alloc_realloc(&a, x, 4000);
        assert_non_null(x2);
        assert_true(x2 != x);
        assert_memory_equal(x2, x, 100);
        assert_non_null(cw_alloc_malloc(&a, 777));
        assert_non_null(a.live);
        assert_int_equal(a.used, 4000 + 777);
        cw_alloc_arena_restore(&a);
        assert_null(a.live);
        a = sealed;
        for (int i = 0; i < 100; i++)
            assert_int_equal(x[i], 'x');
        for (int i = 0; i < 50; i++)
            assert_int_equal(y[i], 'y');
        assert_int_equal(a.used, 150);
    }
    cw_alloc_arena_close(&a);
    assert_null(a.arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_is_exact),
        cmocka_unit_test(test_realloc_accounting),
        cmocka_unit_test(test_fault_countdown),
        cmocka_unit_test(test_release_frees_live_blocks),
        cmocka_unit_test(test_image_restores_bytes),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
