/*
 * test_intl.c -- the C side of Intl (worker/intl): the per-heap cache of ICU
 * objects is bounded and emptied on release, the string bridge keeps
 * surrogate pairs as two code units both ways, ICU never needs files after
 * warm-up, and a heap's ICU objects do not outlive the job (a job's
 * formatters are gone when its heap is renewed).
 */
#include "cw_test.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/unumberformatter.h>
#include <unicode/udata.h>

#include "cw_sandbox.h"
#include "intl/cw_intl.h"
#include "intl/cw_intl_internal.h"

static int live(const cw_intl_t *c) {
    int n = 0;
    for (int i = 0; i < CW_INTL_CACHE_MAX; i++)
        n += c->e[i].kind != 0;
    return n;
}

static void *open_nf(void) {
    UErrorCode st = U_ZERO_ERROR;
    static const UChar sk[] = {'p', 'e', 'r', 'c', 'e', 'n', 't', 0};
    void *nf = unumf_openForSkeletonAndLocale(sk, -1, "fr_FR", &st);
    assert_true(U_SUCCESS(st));
    return nf;
}

static void cache_is_bounded_and_lru(void **state) {
    (void)state;
    cw_intl_t *c = calloc(1, sizeof(*c));
    char key[32];
    for (int i = 0; i < 3 * CW_INTL_CACHE_MAX; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(cw_intl_cache_put(c, CW_INTL_K_NUMBER, key, open_nf()), 0);
        /* keep k0 warm: it must survive every eviction */
        assert_non_null(cw_intl_cache_get(c, CW_INTL_K_NUMBER, "k0"));
        assert_true(live(c) <= CW_INTL_CACHE_MAX);
    }
    assert_int_equal(live(c), CW_INTL_CACHE_MAX);
    assert_null(cw_intl_cache_get(c, CW_INTL_K_NUMBER, "k1"));
    snprintf(key, sizeof(key), "k%d", 3 * CW_INTL_CACHE_MAX - 1);
    assert_non_null(cw_intl_cache_get(c, CW_INTL_K_NUMBER, key));
    /* same key, other kind: a different object */
    assert_null(cw_intl_cache_get(c, CW_INTL_K_PLURAL, "k0"));
    cw_intl_release(c);
    assert_int_equal(live(c), 0);
    assert_null(cw_intl_cache_get(c, CW_INTL_K_NUMBER, "k0"));
    free(c);
}

static duk_ret_t roundtrip(duk_context *ctx, void *udata) {
    (void)udata;
    int32_t n;
    const UChar *u = cw_intl_get_u16(ctx, 0, &n);
    assert_int_equal(n, 5); /* a, U+1F600 as two units, U+00E9, b */
    assert_int_equal(u[1], 0xd83d);
    assert_int_equal(u[2], 0xde00);
    assert_int_equal(u[3], 0xe9);
    cw_intl_push_u16(ctx, u, n);
    return 1;
}

static void strings_keep_surrogates(void **state) {
    (void)state;
    duk_context *ctx = duk_create_heap_default();
    /* Four-byte UTF-8 as C code would push it. */
    duk_push_string(ctx, "a\xf0\x9f\x98\x80\xc3\xa9" "b");
    assert_int_equal(duk_safe_call(ctx, roundtrip, NULL, 1, 1), DUK_EXEC_SUCCESS);
    /* Back in JavaScript: length 5 and the pair at 1..2, as in V8. */
    duk_push_global_object(ctx);
    duk_dup(ctx, -2);
    duk_put_prop_string(ctx, -2, "s");
    duk_eval_string(ctx, "s.length === 5 && s.charCodeAt(1) === 0xd83d && s.charCodeAt(2) === 0xde00 && s.slice(3) === '\\u00e9b'");
    assert_true(duk_get_boolean(ctx, -1));
    duk_destroy_heap(ctx);
}

static void warmup_forbids_files(void **state) {
    (void)state;
    char err[200];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(cw_intl_warmup(err, sizeof(err)), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("# ICU warm-up (once per executor, before confinement): %.1f ms\n",
           (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
    assert_int_equal(cw_intl_warmup(err, sizeof(err)), 0); /* once per process */
    /* A data item that is not in the linked data must fail, not be looked
     * for on disk (a confined executor would be killed for the open). */
    UErrorCode st = U_ZERO_ERROR;
    UDataMemory *m = udata_open("/nonexistent/icu", "res", "nothing", &st);
    assert_true(U_FAILURE(st));
    assert_null(m);
}

static void job_formatters_die_with_the_heap(void **state) {
    (void)state;
    cw_sandbox_conf_t conf;
    cw_sandbox_conf_default(&conf);
    cw_sandbox_heap_t *heap;
    assert_int_equal(cw_sandbox_heap_new(&conf, CW_SANDBOX_HEAP_IMAGE, &heap), CW_OK);
    static const char code[] =
        "var out = []; for (var i = 0; i < 200; i++) out.push(new Intl.NumberFormat('de-DE', "
        "{minimumFractionDigits: i % 20, maximumFractionDigits: 20}).format(1.5));"
        "output = [out[3], new Intl.DateTimeFormat('ja-JP', {timeZone: 'Asia/Tokyo'}).format(0),"
        " ['b', 'a'].sort(new Intl.Collator('sv').compare).join('')]";
    size_t base = 0;
    for (int round = 0; round < 12; round++) {
        if (round == 2)
            base = mallinfo2().uordblks;
        cw_job_t job;
        cw_job_limits_t lim;
        cw_job_limits_default(&lim);
        char err[200];
        char msg[600];
        snprintf(msg, sizeof(msg), "{\"jobId\":\"i\",\"code\":\"%s\"}", code);
        for (char *p = msg; *p; p++)
            if (*p == '\n')
                *p = ' ';
        assert_int_equal(cw_job_parse(msg, strlen(msg), &lim, &job, err, sizeof(err)), CW_OK);
        cw_buf_t out;
        cw_buf_init(&out, 0);
        cw_sandbox_stats_t st;
        assert_int_equal(cw_sandbox_run_prepared(heap, &job, &out, &st), CW_OK);
        assert_non_null(strstr(out.data, "\"1,500\""));
        assert_non_null(strstr(out.data, "1970/1/1"));
        assert_non_null(strstr(out.data, "\"ab\""));
        cw_buf_free(&out);
        cw_job_free(&job);
        assert_int_equal(cw_sandbox_heap_renew(heap), CW_OK);
    }
    /* 200 formatters per job, 48 kept: if renewing left them open, ten
     * more jobs would hold ~10 MB more of the process's own memory. */
    size_t grown = mallinfo2().uordblks - base;
    printf("# process heap growth over 10 Intl jobs: %zu bytes\n", grown);
    assert_true(grown < (size_t)1 << 20);
    cw_sandbox_stats_t st;
    cw_sandbox_heap_free(heap, &st);
    assert_int_equal(st.leaked, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warmup_forbids_files),
        cmocka_unit_test(cache_is_bounded_and_lru),
        cmocka_unit_test(strings_keep_surrogates),
        cmocka_unit_test(job_formatters_die_with_the_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
