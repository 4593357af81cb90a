/* test_chan.c -- executor channel frames: blocking and incremental readers. */
#include "cw_test.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cw_chan.h"

static void test_roundtrip_blocking(void **state) {
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(cw_chan_write(sv[0], CW_CHAN_JOB, "ab", 2, "cd", 2), CW_OK);
    assert_int_equal(cw_chan_write(sv[0], CW_CHAN_READY, NULL, 0, NULL, 0), CW_OK);
    cw_buf_t b;
    cw_buf_init(&b, 0);
    uint32_t cmd;
    assert_int_equal(cw_chan_read(sv[1], 100, &cmd, &b), CW_OK);
    assert_int_equal(cmd, CW_CHAN_JOB);
    assert_string_equal(b.data, "abcd");
    assert_int_equal(cw_chan_read(sv[1], 100, &cmd, &b), CW_OK);
    assert_int_equal(cmd, CW_CHAN_READY);
    assert_int_equal(b.len, 0);
    close(sv[0]);
    assert_int_equal(cw_chan_read(sv[1], 100, &cmd, &b), CW_ERR_EOF);
    close(sv[1]);
    cw_buf_free(&b);
}

static void test_bad_frames(void **state) {
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cw_buf_t b;
    cw_buf_init(&b, 0);
    uint32_t cmd;
    assert_int_equal(cw_chan_write(sv[0], CW_CHAN_JOB, "0123456789", 10, NULL, 0), CW_OK);
    assert_int_equal(cw_chan_read(sv[1], 5, &cmd, &b), CW_ERR_TOOBIG);
    close(sv[0]);
    close(sv[1]);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint32_t junk[2] = {0xdeadbeef, 0};
    assert_int_equal(write(sv[0], junk, sizeof(junk)), (ssize_t)sizeof(junk));
    assert_int_equal(cw_chan_read(sv[1], 100, &cmd, &b), CW_ERR_PROTO);
    /* header cut short by EOF */
    assert_int_equal(write(sv[0], junk, 3), 3);
    close(sv[0]);
    assert_int_equal(cw_chan_read(sv[1], 100, &cmd, &b), CW_ERR_PROTO);
    close(sv[1]);
    cw_buf_free(&b);
}

static void test_incremental_reader(void **state) {
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    cw_buf_t f;
    cw_buf_init(&f, 0);
    assert_int_equal(cw_chan_frame(&f, CW_CHAN_RESULT, "{\"a\":1}", 7), CW_OK);
    assert_int_equal(cw_chan_frame(&f, CW_CHAN_START, "xy", 2), CW_OK);
    cw_chan_reader_t r;
    cw_chan_reader_init(&r, 1024);
    uint32_t cmd;
    const char *p;
    size_t len;
    /* dribble the bytes in one at a time */
    for (size_t i = 0; i < f.len; i++) {
        assert_int_equal(write(sv[0], f.data + i, 1), 1);
        assert_int_equal(cw_chan_reader_fill(&r, sv[1]), CW_OK);
        if (i < 14)
            assert_int_equal(cw_chan_reader_next(&r, &cmd, &p, &len), CW_ERR_AGAIN);
    }
    assert_int_equal(cw_chan_reader_next(&r, &cmd, &p, &len), CW_OK);
    assert_int_equal(cmd, CW_CHAN_RESULT);
    assert_int_equal(len, 7);
    assert_memory_equal(p, "{\"a\":1}", 7);
    cw_chan_reader_pop(&r);
    assert_int_equal(cw_chan_reader_next(&r, &cmd, &p, &len), CW_OK);
    assert_int_equal(cmd, CW_CHAN_START);
    cw_chan_reader_pop(&r);
    assert_int_equal(cw_chan_reader_next(&r, &cmd, &p, &len), CW_ERR_AGAIN);
    close(sv[0]);
    assert_int_equal(cw_chan_reader_fill(&r, sv[1]), CW_ERR_EOF);
    close(sv[1]);
    cw_chan_reader_free(&r);
    cw_buf_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_blocking),
        cmocka_unit_test(test_bad_frames),
        cmocka_unit_test(test_incremental_reader),
    };
    return cmocka_run_group_tests_name("chan", tests, NULL, NULL);
}
