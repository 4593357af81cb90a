/*
 * test_interrupt.c -- cw_intr: an interruptible computation is stopped once
 * its deadline has passed, never while the `busy` probe says the thread is
 * somewhere it must not be left (the stop waits for the next tick), never
 * after it returned or once the timer is disarmed; calls made before the
 * handler is installed, or nested, run plainly.  (cw_intr does not
 * allocate, so there is no allocation walk; the spins below give up after
 * 5 s of wall time so a broken timer fails instead of hanging.)
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>

#include "cw_interrupt.h"
#include "cw_time.h"

typedef struct {
    int64_t until_ns;   /* spin until then (then return 7) */
    volatile int spins; /* iterations made */
} spin_t;

static int spin(void *arg) {
    spin_t *s = arg;
    while (cw_mono_ns() < s->until_ns)
        s->spins++;
    return 7;
}

static int quick(void *arg) { return *(int *)arg + 1; }

/* The probe: busy for the first `busy_left` handler calls. */
static volatile sig_atomic_t busy_left, busy_asked;
static int probe(void) {
    busy_asked++;
    if (busy_left > 0) {
        busy_left--;
        return 1;
    }
    return 0;
}

static void test_before_install_runs_plainly(void **state) {
    (void)state;
    /* Must be the first test: nothing is installed yet. */
    assert_int_equal(cw_intr_arm(cw_mono_ns() + 1000), CW_OK); /* a no-op */
    spin_t s = {cw_mono_ns() + 30 * 1000000LL, 0};
    int ret = 0;
    assert_int_equal(cw_intr_call(spin, &s, &ret), CW_INTR_DONE);
    assert_int_equal(ret, 7);
    assert_int_equal(cw_intr_stopped_since_arm(), 0);
    assert_int_equal(cw_intr_disarm(), CW_OK);
}

static void test_stops_past_deadline(void **state) {
    (void)state;
    assert_int_equal(cw_intr_install(probe), CW_OK);
    int64_t t0 = cw_mono_ns();
    assert_int_equal(cw_intr_arm(t0 + 20 * 1000000LL), CW_OK);
    spin_t s = {t0 + 5000 * 1000000LL, 0};
    int ret = -1;
    assert_int_equal(cw_intr_call(spin, &s, &ret), CW_INTR_STOPPED);
    int64_t t1 = cw_mono_ns();
    assert_int_equal(ret, -1);             /* untouched */
    assert_true(t1 - t0 >= 20 * 1000000LL); /* never early */
    assert_true(t1 < s.until_ns);           /* stopped, not finished */
    assert_int_equal(cw_intr_stopped_since_arm(), 1);
    assert_int_equal(cw_intr_disarm(), CW_OK);
    assert_int_equal(cw_intr_stopped_since_arm(), 1); /* until the next arm */
}

static void test_returns_before_deadline(void **state) {
    (void)state;
    assert_int_equal(cw_intr_arm(cw_mono_ns() + 2000 * 1000000LL), CW_OK);
    assert_int_equal(cw_intr_stopped_since_arm(), 0);
    int x = 41, ret = 0;
    assert_int_equal(cw_intr_call(quick, &x, &ret), CW_INTR_DONE);
    assert_int_equal(ret, 42);
    assert_int_equal(cw_intr_disarm(), CW_OK);
}

static void test_busy_defers_the_stop(void **state) {
    (void)state;
    busy_left = 3;
    busy_asked = 0;
    int64_t t0 = cw_mono_ns();
    assert_int_equal(cw_intr_arm(t0 + 10 * 1000000LL), CW_OK);
    spin_t s = {t0 + 5000 * 1000000LL, 0};
    int ret = -1;
    assert_int_equal(cw_intr_call(spin, &s, &ret), CW_INTR_STOPPED);
    /* Refused three times, stopped at the fourth tick (1 ms apart). */
    assert_int_equal(busy_left, 0);
    assert_true(busy_asked >= 4);
    assert_true(cw_mono_ns() - t0 >= 13 * 1000000LL);
    assert_int_equal(cw_intr_disarm(), CW_OK);
}

static void test_outside_a_call_nothing_happens(void **state) {
    (void)state;
    /* Ticks land outside any call: the signal is ignored, the plain spin
     * (not through cw_intr_call) runs to its end. */
    int64_t t0 = cw_mono_ns();
    assert_int_equal(cw_intr_arm(t0 + 1000000LL), CW_OK);
    spin_t s = {t0 + 30 * 1000000LL, 0};
    assert_int_equal(spin(&s), 7);
    assert_int_equal(cw_intr_stopped_since_arm(), 0);
    /* Disarmed: a call running past the old deadline is not stopped. */
    assert_int_equal(cw_intr_disarm(), CW_OK);
    s.until_ns = cw_mono_ns() + 30 * 1000000LL;
    int ret = 0;
    assert_int_equal(cw_intr_call(spin, &s, &ret), CW_INTR_DONE);
    assert_int_equal(ret, 7);
}

static int nested_inner_stopped;
static int nested(void *arg) {
    int ret = 0;
    /* An inner call runs plainly: only the outer one can be stopped. */
    nested_inner_stopped = cw_intr_call(quick, arg, &ret) != CW_INTR_DONE;
    spin_t s = {cw_mono_ns() + 5000 * 1000000LL, 0};
    return spin(&s) + ret;
}

static void test_nested_call(void **state) {
    (void)state;
    nested_inner_stopped = -1;
    assert_int_equal(cw_intr_arm(cw_mono_ns() + 10 * 1000000LL), CW_OK);
    int x = 1, ret = -1;
    assert_int_equal(cw_intr_call(nested, &x, &ret), CW_INTR_STOPPED);
    assert_int_equal(nested_inner_stopped, 0);
    assert_int_equal(ret, -1);
    assert_int_equal(cw_intr_disarm(), CW_OK);
    /* And the state is clean for the next call. */
    ret = 0;
    assert_int_equal(cw_intr_call(quick, &x, &ret), CW_INTR_DONE);
    assert_int_equal(ret, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_install_runs_plainly),
        cmocka_unit_test(test_stops_past_deadline),
        cmocka_unit_test(test_returns_before_deadline),
        cmocka_unit_test(test_busy_defers_the_stop),
        cmocka_unit_test(test_outside_a_call_nothing_happens),
        cmocka_unit_test(test_nested_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
