/* Unit tests for the Date parser/formatter (worker/cw_date.c), the job's
 * time zone (worker/cw_tz.c) and the job field that names it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cw_date.h"
#include "cw_job.h"
#include "cw_sandbox.h"
#include "cw_tz.h"

static double parse(const char *s) { return cw_date_parse(s, strlen(s)); }

static void test_parse_utc(void **state) {
    (void)state;
    assert_int_equal(cw_tz_select(NULL), 0);
    assert_true(parse("2024-01-15") == 1705276800000.0);
    assert_true(parse("2024-01-15T10:30:00+0200") == 1705307400000.0); /* not 200 hours */
    assert_true(parse("2024-01-15T10:30:00+02:00") == 1705307400000.0);
    assert_true(isnan(parse("2024-01-15T10:30:00+02")));
    assert_true(parse("Mon, 15 Jan 2024 10:30:00 GMT") == 1705314600000.0);
    assert_true(parse("January 15, 2024") == 1705276800000.0);
    assert_true(parse("1/15/2024 10:30 PM") == 1705357800000.0);
    assert_true(parse("2024/01/15") == 1705276800000.0);
    assert_true(parse("Jan 15") == 979516800000.0); /* V8: the year defaults to 2001 */
    assert_true(parse("Sun Mar 23 2014 00:00:00 GMT+0000 (Coordinated Universal Time)") == 1395532800000.0);
    assert_true(isnan(parse("")));
    assert_true(isnan(parse("January 15, 2024 at 10:30 AM")));
    assert_true(isnan(parse("+275760-09-13T00:00:00.001Z")));
    const char nul[] = "2024-01-15\0garbage";
    assert_true(cw_date_parse(nul, sizeof(nul) - 1) == 1705276800000.0); /* a NUL ends it, as in V8 */
}

static void test_format_utc(void **state) {
    (void)state;
    char b[128];
    assert_int_equal(cw_tz_select("UTC"), 0);
    cw_date_format(1395532800000.0, CW_DATE_FMT_FULL, b, sizeof(b));
    assert_string_equal(b, "Sun Mar 23 2014 00:00:00 GMT+0000 (Coordinated Universal Time)");
    cw_date_format(1395532800000.0, CW_DATE_FMT_UTC, b, sizeof(b));
    assert_string_equal(b, "Sun, 23 Mar 2014 00:00:00 GMT");
    cw_date_format(1395532800000.0, CW_DATE_FMT_DATE, b, sizeof(b));
    assert_string_equal(b, "Sun Mar 23 2014");
    cw_date_format(-62198755200000.0, CW_DATE_FMT_ISO, b, sizeof(b));
    assert_string_equal(b, "-000001-01-01T00:00:00.000Z");
    cw_date_format(NAN, CW_DATE_FMT_TIME, b, sizeof(b));
    assert_string_equal(b, "Invalid Date");
}

static void test_zone(void **state) {
    (void)state;
    char b[128];
    assert_int_equal(cw_tz_check("America/New_York"), 0);
    assert_int_equal(cw_tz_check("Mars/Olympus_Mons"), -1);
    assert_int_equal(cw_tz_check(""), -1);
    assert_int_equal(cw_tz_check("America/New_York\x01"), -1);
    assert_int_equal(cw_tz_select("America/New_York"), 0);
    assert_string_equal(cw_tz_current(), "America/New_York");
    assert_true(parse("2024-01-15T10:30:00") == 1705332600000.0);          /* local, EST */
    assert_true(parse("2024-03-10T02:30:00") == 1710055800000.0);          /* skipped: 03:30 EDT */
    assert_true(parse("2024-11-03T01:30:00") == 1730611800000.0);          /* repeated: the EDT one */
    assert_true(cw_tz_offset_at_utc(1718452800000.0) == -4 * 3600000.0); /* June: EDT */
    assert_true(cw_tz_offset_at_utc(1705314600000.0) == -5 * 3600000.0); /* January: EST */
    cw_date_format(1718452800000.0, CW_DATE_FMT_TIME, b, sizeof(b));
    assert_string_equal(b, "08:00:00 GMT-0400 (Eastern Daylight Time)");
    assert_int_equal(cw_date_tzoffset(1705314600000.0, 0, 0), -5 * 3600);
    assert_int_equal(cw_date_tzoffset(0, 1710037800000.0, 1), -5 * 3600); /* 02:30 local, skipped: EST */
    /* An unknown zone never leaves the previous one selected. */
    assert_int_equal(cw_tz_select("Nowhere/Special"), -1);
    assert_string_equal(cw_tz_current(), "UTC");
    assert_true(cw_tz_offset_at_utc(1718452800000.0) == 0);
}

static void test_job_field(void **state) {
    (void)state;
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    cw_job_t job;
    char why[256];
    const char *ok = "{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":\"Europe/Berlin\"}";
    assert_int_equal(cw_job_parse(ok, strlen(ok), &lim, &job, why, sizeof(why)), CW_OK);
    assert_string_equal(job.time_zone, "Europe/Berlin");
    cw_job_free(&job);
    const char *none = "{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":null}";
    assert_int_equal(cw_job_parse(none, strlen(none), &lim, &job, why, sizeof(why)), CW_OK);
    assert_string_equal(job.time_zone, "");
    cw_job_free(&job);
    static const char *const bad[] = {"{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":5}",
                                      "{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":\"\"}",
                                      "{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":\"Europe/Ber lin\"}",
                                      "{\"jobId\":\"a\",\"code\":\"1\",\"timeZone\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cw_job_parse(bad[i], strlen(bad[i]), &lim, &job, why, sizeof(why)), CW_ERR_INVALID);
        assert_string_equal(job.job_id, "a");
        cw_job_free(&job);
    }
}

int main(void) {
    char why[256];
    cw_sandbox_conf_t conf; /* links the sandbox, which defines the engine's hooks */
    cw_sandbox_conf_default(&conf);
    if (cw_tz_init(why, sizeof(why)))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_utc),
        cmocka_unit_test(test_format_utc),
        cmocka_unit_test(test_zone),
        cmocka_unit_test(test_job_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
