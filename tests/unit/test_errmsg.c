/*
 * test_errmsg.c -- cw_errmsg_v8(): each Duktape pattern maps onto V8's
 * template, unknown messages and other classes are left alone, and a
 * buffer too small is reported rather than truncated silently.
 * (cw_errmsg_v8 does not allocate, so there is no allocation walk.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cw_errmsg.h"

static void expect_map(const char *name, const char *in, const char *want) {
    char out[256];
    assert_int_equal(cw_errmsg_v8(name, in, out, sizeof out), 1);
    assert_string_equal(out, want);
}

static void test_maps(void **state) {
    (void)state;
    expect_map("TypeError", "cannot read property 'x' of null", "Cannot read properties of null (reading 'x')");
    expect_map("TypeError", "cannot read property 'a' of b' of undefined",
               "Cannot read properties of undefined (reading 'a' of b')");
    expect_map("TypeError", "cannot write property 'x' of undefined", "Cannot set properties of undefined (setting 'x')");
    expect_map("ReferenceError", "identifier 'xyz' undefined", "xyz is not defined");
    expect_map("TypeError", "5 not callable", "5 is not a function");
    expect_map("TypeError", "undefined not callable (property 'method' of [object Object])", "method is not a function");
    expect_map("TypeError", "undefined not callable (property [Symbol wellknown '?Symbol.iterator?'] of 5)",
               "5 is not iterable");
    expect_map("RangeError", "callstack limit", "Maximum call stack size exceeded");
    expect_map("TypeError", "not object coercible", "Cannot convert undefined or null to object");
    expect_map("RangeError", "invalid length", "Invalid array length");
    expect_map("URIError", "invalid input", "URI malformed");
    expect_map("TypeError", "\"c\" is read-only", "Assignment to constant variable.");
    /* Keys that are not strings come unquoted from the engine. */
    expect_map("TypeError", "cannot read property 0 of undefined", "Cannot read properties of undefined (reading '0')");
    expect_map("TypeError", "cannot write property 1 of null", "Cannot set properties of null (setting '1')");
    expect_map("TypeError", "cannot read property true of undefined",
               "Cannot read properties of undefined (reading 'true')");
    expect_map("TypeError", "cannot read property [Symbol wellknown '?Symbol.iterator?'] of undefined",
               "undefined is not iterable");
    expect_map("TypeError", "cannot string coerce Symbol", "Cannot convert a Symbol value to a string");
    expect_map("TypeError", "coercion to primitive failed", "Cannot convert object to primitive value");
    expect_map("TypeError", "invalid instanceof rval", "Right-hand side of 'instanceof' is not callable");
    expect_map("RangeError", "invalid array length", "Invalid array length");
}

static void test_leaves(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(cw_errmsg_v8("TypeError", "boom", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8("TypeError", "invalid input", out, sizeof out), 0); /* URIError only */
    assert_int_equal(cw_errmsg_v8("TypeError", "cannot read property 'x' of 5", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8("TypeError", "cannot read property 0 of 5", out, sizeof out), 0);
    /* A Symbol key in the engine's internal form is not rewritten. */
    assert_int_equal(cw_errmsg_v8("TypeError", "cannot read property [Symbol local '?s?0-1'] of undefined", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8("ReferenceError", "identifier 'x", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8("TypeError", "cannot read property 'x' of null", out, 8), -1);
    assert_int_equal(cw_errmsg_v8(NULL, "x", out, sizeof out), -1);
    assert_int_equal(cw_errmsg_v8("TypeError", "x", out, 0), -1);
}

/* Generic Duktape messages map only in the built-in that means one thing
 * by them; anywhere else (or with no built-in known) they stay. */
static void test_in_builtin(void **state) {
    (void)state;
    char out[128];
    assert_int_equal(cw_errmsg_v8_in("TypeError", "invalid args", "reduce", out, sizeof out), 1);
    assert_string_equal(out, "Reduce of empty array with no initial value");
    assert_int_equal(cw_errmsg_v8_in("TypeError", "invalid args", "reduceRight", out, sizeof out), 1);
    assert_string_equal(out, "Reduce of empty array with no initial value");
    assert_int_equal(cw_errmsg_v8_in("RangeError", "number outside range", "toString", out, sizeof out), 1);
    assert_string_equal(out, "toString() radix argument must be between 2 and 36");
    assert_int_equal(cw_errmsg_v8_in("TypeError", "invalid args", "splice", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8_in("TypeError", "invalid args", NULL, out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8_in("RangeError", "number outside range", "toFixed", out, sizeof out), 0);
    assert_int_equal(cw_errmsg_v8_in("RangeError", "invalid args", "reduce", out, sizeof out), 0); /* class too */
    /* The fallback is cw_errmsg_v8's table. */
    assert_int_equal(cw_errmsg_v8_in("URIError", "invalid input", "decodeURI", out, sizeof out), 1);
    assert_string_equal(out, "URI malformed");
    assert_int_equal(cw_errmsg_v8_in("TypeError", "invalid args", "reduce", out, 8), -1);
    assert_int_equal(cw_errmsg_v8_in(NULL, "x", "reduce", out, sizeof out), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_maps), cmocka_unit_test(test_leaves),
                                       cmocka_unit_test(test_in_builtin)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
