/* test_utf8.c -- UTF-8/CESU-8 repair and JSON escaping. */
#include "cw_test.h"

#include <string.h>

#include "cw_utf8.h"

static char *esc(const char *s, size_t n) {
    static cw_buf_t b;
    cw_buf_free(&b);
    cw_buf_init(&b, 0);
    assert_int_equal(cw_utf8_json_string(&b, s, n), CW_OK);
    return b.data;
}

static void test_ascii_escapes(void **state) {
    (void)state;
    assert_string_equal(esc("a\"b\\c\n\t\x01", 8), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    assert_string_equal(esc("", 0), "\"\"");
}

static void test_valid_utf8_kept(void **state) {
    (void)state;
    const char *s = "caf\xc3\xa9 \xf0\x9f\x98\x80"; /* café 😀 */
    assert_string_equal(esc(s, strlen(s)), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    assert_true(cw_utf8_valid(s, strlen(s)));
}

static void test_cesu8_pair_joined(void **state) {
    (void)state;
    /* U+1F600 as CESU-8: ED A0 BD ED B8 80 */
    const char *s = "\xed\xa0\xbd\xed\xb8\x80";
    assert_string_equal(esc(s, 6), "\"\xf0\x9f\x98\x80\"");
    assert_false(cw_utf8_valid(s, 6));
}

static void test_lone_surrogate_escaped(void **state) {
    (void)state;
    assert_string_equal(esc("\xed\xa0\x80x", 4), "\"\\ud800x\"");
    assert_string_equal(esc("\xed\xb0\x80", 3), "\"\\udc00\"");
}

static void test_invalid_bytes_replaced(void **state) {
    (void)state;
    assert_string_equal(esc("a\xff" "b", 3), "\"a\xef\xbf\xbd" "b\"");
    assert_string_equal(esc("\xc0\x80", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\""); /* overlong */
    assert_string_equal(esc("\xe2\x82", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\""); /* truncated */
}

static void test_json_text_mode(void **state) {
    (void)state;
    cw_buf_t b;
    cw_buf_init(&b, 0);
    const char *t = "{\"a\":\"\xed\xa0\xbd\xed\xb8\x80\",\"b\":\"\xed\xa0\x80\"}";
    assert_int_equal(cw_utf8_json_text(&b, t, strlen(t)), CW_OK);
    assert_string_equal(b.data, "{\"a\":\"\xf0\x9f\x98\x80\",\"b\":\"\\ud800\"}");
    cw_buf_free(&b);
}

static void test_clip(void **state) {
    (void)state;
    const char *s = "ab\xc3\xa9"; /* 4 bytes */
    assert_int_equal(cw_utf8_clip(s, 4, 3), 2); /* does not cut é */
    assert_int_equal(cw_utf8_clip(s, 4, 4), 4);
    assert_int_equal(cw_utf8_clip(s, 4, 10), 4);
}

static void test_cap(void **state) {
    (void)state;
    cw_buf_t b;
    cw_buf_init(&b, 5);
    assert_int_equal(cw_utf8_json_string(&b, "abcdef", 6), CW_ERR_TOOBIG);
    cw_buf_free(&b);
}

/* UTF-16 for ICU: astral characters as surrogate pairs whether they came as
 * 4-byte UTF-8 or as a CESU-8 pair; malformed bytes as U+FFFD; and back. */
static void test_utf16_round_trip(void **state) {
    (void)state;
    const char in[] = "a\xc3\xa9\xf0\x9f\x98\x80\xed\xa0\xbd\xed\xb8\x80\xff\xe2\x82";
    uint16_t u[sizeof(in)];
    size_t n = cw_utf8_to_utf16(in, sizeof(in) - 1, u);
    const uint16_t want[] = {'a', 0xe9, 0xd83d, 0xde00, 0xd83d, 0xde00, 0xfffd, 0xfffd};
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    assert_memory_equal(u, want, sizeof(want));
    char back[3 * sizeof(want) / sizeof(want[0])];
    size_t k = cw_utf8_from_utf16(want, 6, back);
    assert_int_equal(k, 1 + 2 + 4 * 3);
    assert_memory_equal(back, "a\xc3\xa9\xed\xa0\xbd\xed\xb8\x80\xed\xa0\xbd\xed\xb8\x80", k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_escapes),        cmocka_unit_test(test_valid_utf8_kept),
        cmocka_unit_test(test_cesu8_pair_joined),    cmocka_unit_test(test_lone_surrogate_escaped),
        cmocka_unit_test(test_invalid_bytes_replaced), cmocka_unit_test(test_json_text_mode),
        cmocka_unit_test(test_clip),                 cmocka_unit_test(test_cap),
        cmocka_unit_test(test_utf16_round_trip),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
