/*
 * test_logring.c -- the shared log region (worker/cw_logring.c).
 *
 * The supervisor's reader gets whatever an executor that ran untrusted code
 * left in the region, so most of this file hands cw_logring_parse() corrupt
 * images: bad magic, lengths past the end, torn or malformed entries,
 * invalid UTF-8, too many entries, random byte flips.  Each must give
 * CW_ERR_PROTO (or CW_ERR_STATE for another job's region) with nothing in
 * `out`, never a read outside the image.  The binary is linked with
 * --wrap=malloc/realloc/calloc so that allocation N of the reader can be
 * made to fail, as in test_common_fault.c.
 */
#include "cw_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cw_logring.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);

static struct {
    unsigned long count, fail_at;
} cw_fault;

static int cw_fault_now(void) {
    return cw_fault.fail_at && ++cw_fault.count >= cw_fault.fail_at;
}
void *__wrap_malloc(size_t n) { return cw_fault_now() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return cw_fault_now() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t a, size_t b) { return cw_fault_now() ? NULL : __real_calloc(a, b); }

/* The header as cw_logring.c lays it out (checked against the real writer
 * in test_round_trip). */
#define OFF_MAGIC 0
#define OFF_SEQ 16
#define OFF_LEN 24
#define OFF_FLAGS 28
#define CAP 4096
#define SIZE (CW_LOGRING_HDR + CAP)

static unsigned char img[SIZE];

static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

/* An image of job `seq` holding `text` (published length = strlen). */
static void image(uint64_t seq, const char *text) {
    memset(img, 0, sizeof(img));
    put32(OFF_MAGIC, CW_LOGRING_MAGIC);
    put32(4, CAP);
    put64(OFF_SEQ, seq);
    size_t n = strlen(text);
    memcpy(img + CW_LOGRING_HDR, text, n);
    put32(OFF_LEN, (uint32_t)n);
}

static cw_err_t parse(uint64_t seq, size_t max_entries, cw_buf_t *out, int *trunc) {
    return cw_logring_parse(img, SIZE, CAP, seq, max_entries, out, trunc);
}

#define E1 "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":0.125}"
#define E2 "{\"level\":\"warn\",\"message\":\"b \\\"q\\\" \\u0001 \xc3\xa9\",\"elapsedMs\":12.000,\"truncated\":true}"

static void test_valid(void **state) {
    (void)state;
    cw_buf_t out;
    cw_buf_init(&out, 0);
    int trunc = 7;
    image(5, E1 "," E2);
    put32(OFF_FLAGS, CW_LOGRING_TRUNCATED);
    assert_int_equal(parse(5, 1000, &out, &trunc), CW_OK);
    assert_int_equal(out.len, strlen(E1 "," E2));
    assert_memory_equal(out.data, E1 "," E2, out.len);
    assert_int_equal(trunc, 1);
    /* Nothing logged yet: no entries, not an error. */
    image(6, "");
    assert_int_equal(parse(6, 1000, &out, &trunc), CW_OK);
    assert_int_equal(out.len, 0);
    assert_int_equal(trunc, 0);
    /* Every level the console writes. */
    image(1, "{\"level\":\"info\",\"message\":\"\",\"elapsedMs\":1},{\"level\":\"error\",\"message\":\"x\","
             "\"elapsedMs\":2.5},{\"level\":\"debug\",\"message\":\"\\/\\b\\f\\n\\r\\t\\\\\",\"elapsedMs\":3}");
    assert_int_equal(parse(1, 3, &out, &trunc), CW_OK);
    cw_buf_free(&out);
}

static void test_stale(void **state) {
    (void)state;
    cw_buf_t out;
    cw_buf_init(&out, 0);
    int trunc;
    image(4, E1);
    assert_int_equal(parse(5, 1000, &out, &trunc), CW_ERR_STATE);
    assert_int_equal(out.len, 0);
    image(0, E1);
    assert_int_equal(parse(1, 1000, &out, &trunc), CW_ERR_STATE);
    cw_buf_free(&out);
}

static void test_corrupt(void **state) {
    (void)state;
    static const char *const bad[] = {
        E1 ",",                                                        /* trailing comma */
        "," E1,                                                        /* leading comma */
        E1 E1,                                                         /* no separator */
        E1 " ",                                                        /* stray byte */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":0.125",    /* torn: no '}' */
        "{\"level\":\"log\",\"message\":\"a",                          /* torn in the string */
        "{\"level\":\"trace\",\"message\":\"a\",\"elapsedMs\":1}",     /* unknown level */
        "{\"level\":\"log\",\"message\":\"a\x01\",\"elapsedMs\":1}",   /* raw control char */
        "{\"level\":\"log\",\"message\":\"a\\x\",\"elapsedMs\":1}",    /* bad escape */
        "{\"level\":\"log\",\"message\":\"a\\u12g4\",\"elapsedMs\":1}", /* bad \\u */
        "{\"level\":\"log\",\"message\":\"a\\u12",                     /* torn \\u */
        "{\"level\":\"log\",\"message\":\"a\\",                        /* torn escape */
        "{\"level\":\"log\",\"message\":\"\xff\",\"elapsedMs\":1}",    /* not UTF-8 */
        "{\"level\":\"log\",\"message\":\"\xed\xa0\x80\",\"elapsedMs\":1}", /* surrogate */
        "{\"level\":\"log\",\"message\":\"\xc3\",\"elapsedMs\":1}",    /* cut sequence */
        "{\"level\":\"log\",\"message\":1,\"elapsedMs\":1}",           /* not a string */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":-1}",      /* negative */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":1e5}",     /* exponent */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":.5}",      /* no integer part */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":1.}",      /* no fraction */
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":1234567890123456789012345}",
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":1,\"truncated\":false}",
        "{\"level\":\"log\",\"message\":\"a\",\"elapsedMs\":1,\"x\":1}", /* extra member */
        "{\"message\":\"a\",\"level\":\"log\",\"elapsedMs\":1}",       /* other order */
        "[" E1 "]",                                                    /* brackets */
        "{}",
        "\0\0\0\0",
    };
    cw_buf_t out;
    cw_buf_init(&out, 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int trunc = 0;
        image(9, bad[i]);
        if (!bad[i][0])
            put32(OFF_LEN, 4); /* NUL bytes published */
        cw_err_t e = parse(9, 1000, &out, &trunc);
        if (e != CW_ERR_PROTO)
            fail_msg("case %zu accepted: %s", i, bad[i]);
        assert_int_equal(out.len, 0);
    }
    /* Bad magic. */
    image(9, E1);
    put32(OFF_MAGIC, 0x1234);
    int trunc;
    assert_int_equal(parse(9, 1000, &out, &trunc), CW_ERR_PROTO);
    /* Published lengths past the capacity, up to UINT32_MAX. */
    image(9, E1);
    put32(OFF_LEN, CAP + 1);
    assert_int_equal(parse(9, 1000, &out, &trunc), CW_ERR_PROTO);
    put32(OFF_LEN, UINT32_MAX);
    assert_int_equal(parse(9, 1000, &out, &trunc), CW_ERR_PROTO);
    /* The header's own cap is never trusted: a smaller supervisor cap wins. */
    image(9, E1);
    put32(4, UINT32_MAX);
    assert_int_equal(cw_logring_parse(img, SIZE, 10, 9, 1000, &out, &trunc), CW_ERR_PROTO);
    /* A cap the image cannot hold, an image smaller than a header, none. */
    assert_int_equal(cw_logring_parse(img, SIZE, CAP + 1, 9, 1000, &out, &trunc), CW_ERR_PROTO);
    assert_int_equal(cw_logring_parse(img, CW_LOGRING_HDR - 1, 0, 9, 1000, &out, &trunc), CW_ERR_PROTO);
    assert_int_equal(cw_logring_parse(NULL, SIZE, CAP, 9, 1000, &out, &trunc), CW_ERR_PROTO);
    /* Too many entries for the cap. */
    image(9, E1 "," E1 "," E1);
    assert_int_equal(parse(9, 2, &out, &trunc), CW_ERR_PROTO);
    assert_int_equal(out.len, 0);
    assert_int_equal(parse(9, 3, &out, &trunc), CW_OK);
    cw_buf_free(&out);
}

/* Random byte flips of a valid image: every outcome is OK (and then the
 * copy re-parses as OK) or an error with nothing kept. */
static void test_flips(void **state) {
    (void)state;
    cw_buf_t out, again;
    cw_buf_init(&out, 0);
    cw_buf_init(&again, 0);
    srand(12345);
    unsigned ok = 0;
    for (int round = 0; round < 20000; round++) {
        image(3, E1 "," E2 "," E1);
        int flips = 1 + rand() % 4;
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)rand() % (CW_LOGRING_HDR + 200);
            img[at] = (unsigned char)rand();
        }
        int trunc;
        cw_err_t e = parse(3, 1000, &out, &trunc);
        if (e == CW_OK) {
            ok++;
            /* Whatever passed must pass again as an image of its own. */
            char *copy = strndup(out.data ? out.data : "", out.len);
            assert_non_null(copy);
            image(3, copy);
            free(copy);
            assert_int_equal(parse(3, 1000, &again, &trunc), CW_OK);
            assert_int_equal(again.len, out.len);
        } else {
            assert_true(e == CW_ERR_PROTO || e == CW_ERR_STATE);
            assert_int_equal(out.len, 0);
        }
    }
    assert_true(ok > 0); /* flips of the unused tail and the want_seq field */
    cw_buf_free(&out);
    cw_buf_free(&again);
}

static void test_alloc_faults(void **state) {
    (void)state;
    image(2, E1 "," E2);
    for (unsigned long n = 1; n < 10; n++) {
        cw_buf_t out;
        cw_buf_init(&out, 0);
        int trunc;
        cw_fault.count = 0;
        cw_fault.fail_at = n;
        cw_err_t e = parse(2, 1000, &out, &trunc);
        cw_fault.fail_at = 0;
        assert_true(e == CW_OK || e == CW_ERR_NOMEM);
        if (e == CW_ERR_NOMEM)
            assert_int_equal(out.len, 0);
        else
            assert_int_equal(out.len, strlen(E1 "," E2));
        cw_buf_free(&out);
    }
    /* Creating a region with every allocation failing. */
    cw_logring_t *r;
    int fd;
    cw_fault.count = 0;
    cw_fault.fail_at = 1;
    cw_err_t e = cw_logring_create(CAP, &r, &fd);
    cw_fault.fail_at = 0;
    assert_int_equal(e, CW_ERR_NOMEM);
    assert_null(r);
    assert_int_equal(fd, -1);
}

/* Both ends through the real API, on one memfd mapped twice. */
static void test_round_trip(void **state) {
    (void)state;
    cw_logring_t *sup, *exe;
    int fd;
    assert_int_equal(cw_logring_create(256, &sup, &fd), CW_OK);
    /* The size is sealed: an executor cannot shrink it under the reader. */
    assert_true(ftruncate(fd, 16) < 0);
    assert_true(ftruncate(fd, 1 << 20) < 0);
    int dfd = dup(fd);
    assert_true(dfd >= 0);
    assert_int_equal(cw_logring_attach(dfd, &exe), CW_OK);
    close(fd);

    cw_buf_t out;
    cw_buf_init(&out, 0);
    int trunc;
    uint64_t s1 = cw_logring_arm(sup);
    /* Armed but not begun: the region is not this job's yet. */
    assert_int_equal(cw_logring_recover(sup, s1, 1000, &out, &trunc), CW_ERR_STATE);
    cw_logring_begin(exe);
    assert_int_equal(cw_logring_recover(sup, s1, 1000, &out, &trunc), CW_OK);
    assert_int_equal(out.len, 0);
    cw_logring_append(exe, E1, strlen(E1));
    cw_logring_append(exe, "," E1, strlen("," E1));
    assert_int_equal(cw_logring_recover(sup, s1, 1000, &out, &trunc), CW_OK);
    assert_int_equal(out.len, strlen(E1 "," E1));
    assert_int_equal(trunc, 0);
    /* Full: mirroring stops at a whole entry and says so. */
    for (int i = 0; i < 10; i++)
        cw_logring_append(exe, "," E2, strlen("," E2));
    assert_int_equal(cw_logring_recover(sup, s1, 1000, &out, &trunc), CW_OK);
    assert_true(out.len <= 256);
    assert_int_equal(trunc, 1);

    /* The next job: the old lines are never its lines. */
    uint64_t s2 = cw_logring_arm(sup);
    assert_true(s2 != s1);
    assert_int_equal(cw_logring_recover(sup, s2, 1000, &out, &trunc), CW_ERR_STATE);
    cw_logring_begin(exe);
    assert_int_equal(cw_logring_recover(sup, s2, 1000, &out, &trunc), CW_OK);
    assert_int_equal(out.len, 0);
    assert_int_equal(trunc, 0);
    cw_logring_mark_truncated(exe);
    assert_int_equal(cw_logring_recover(sup, s2, 1000, &out, &trunc), CW_OK);
    assert_int_equal(trunc, 1);

    /* NULL (no region) is a no-op on the executor side. */
    cw_logring_begin(NULL);
    cw_logring_append(NULL, E1, strlen(E1));
    cw_logring_mark_truncated(NULL);
    cw_buf_free(&out);
    cw_logring_free(exe);
    cw_logring_free(sup);
}

static void test_attach_rejects(void **state) {
    (void)state;
    cw_logring_t *r;
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[1]);
    assert_int_equal(cw_logring_attach(p[0], &r), CW_ERR_INVALID); /* not a file */
    assert_null(r);
    int fd = memfd_create("t", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4096), 0);
    assert_int_equal(cw_logring_attach(fd, &r), CW_ERR_INVALID); /* no magic */
    assert_int_equal(cw_logring_attach(-1, &r), CW_ERR_SYSTEM);
    assert_int_equal(cw_logring_create(0, &r, &fd), CW_ERR_INVALID);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),        cmocka_unit_test(test_stale),
        cmocka_unit_test(test_corrupt),      cmocka_unit_test(test_flips),
        cmocka_unit_test(test_alloc_faults), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_attach_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
