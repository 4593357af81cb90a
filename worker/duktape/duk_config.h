/*
 * duk_config.h -- codeworker's configuration of the packaged Duktape engine.
 *
 * Debian ships Duktape's amalgamated source with a duk_config.h that turns
 * off the interrupt counter and the execution-timeout check, and `-D` flags
 * cannot turn them back on because the packaged header #undef's them.  The
 * build therefore compiles a folder holding symlinks named duktape.c and
 * duktape.h (to the packaged files) next to this file: the quoted include of
 * "duk_config.h" in duktape.h resolves here, we pull in the packaged
 * configuration by absolute path (CW_DUK_PACKAGED_CONFIG, set by CMake) and
 * then override what the sandbox depends on:
 *
 *   - the interrupt counter and the execution-timeout hook, which calls
 *     cw_sandbox_timeout_check() with the heap's user data (the job's
 *     deadline lives there);
 *   - Math.random from a per-job PRNG seeded from the OS, so forked or
 *     long-lived executors never hand two jobs the same sequence;
 *   - the current time from the job's clock, which its timers move ahead;
 *   - local time: the offset of the job's time zone (worker/cw_date.c,
 *     worker/cw_tz.h) instead of the host's localtime_r();
 *   - smaller recursion limits for the parser/JSON so hostile nesting fails
 *     with a RangeError long before the C stack is at risk, and a deeper
 *     limit for the collector's marking (see below).
 */
#ifndef CW_DUK_CONFIG_H
#define CW_DUK_CONFIG_H

#include CW_DUK_PACKAGED_CONFIG

#undef DUK_USE_INTERRUPT_COUNTER
#define DUK_USE_INTERRUPT_COUNTER

#undef DUK_USE_EXEC_TIMEOUT_CHECK
int cw_sandbox_timeout_check(void *udata);
#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) cw_sandbox_timeout_check((udata))

#undef DUK_USE_GET_RANDOM_DOUBLE
double cw_sandbox_random_double(void *udata);
#define DUK_USE_GET_RANDOM_DOUBLE(udata) cw_sandbox_random_double((udata))

/* Date.now() and new Date() read the job's clock: the wall clock plus the
 * time the job's timers skipped instead of sleeping (cw_sandbox_date_now in
 * worker/cw_sandbox.c).  Duktape passes its thread; the job's state is the
 * heap's user data, as for the two hooks above. */
#undef DUK_USE_DATE_GET_NOW
double cw_sandbox_date_now(void *udata);
#define DUK_USE_DATE_GET_NOW(thr) cw_sandbox_date_now((thr)->heap->heap_udata)

/* Local time is the job's zone (cw_tz.h), never the host's TZ.  Duktape
 * calls this hook at two kinds of sites, each with a local variable `d` in
 * scope: with `d` itself, a UTC time value, to read local time; and with
 * `d - tzoff * 1000L`, `d` being a local time value, while it resolves local
 * time to UTC by fixed-point iteration (setters, local dparts).  The macro
 * passes both and which kind of call it is (the argument's text is longer
 * than "d"), so that a skipped or repeated local time resolves as V8 does
 * (cw_date_tzoffset) instead of by the iteration's tie rule. */
#undef DUK_USE_DATE_GET_LOCAL_TZOFFSET
int cw_date_tzoffset(double t, double local, int resolving);
#define DUK_USE_DATE_GET_LOCAL_TZOFFSET(x) \
    cw_date_tzoffset((double)(x), (double)(d), sizeof(#x) > sizeof("d"))

/* Nested source and data are capped well below what the executor's stack
 * allows.
 * Native call levels (a callback called from forEach, map, sort, replace, a
 * JSON reviver, a getter...): 7,000, enough that a recursive walk over nested
 * data through forEach/map stops at Duktape's call-stack limit (10,000
 * activations, ~3,300 levels of such a walk) rather than here; the executor's
 * stack is sized for it (CW_CONFINE_STACK in worker/cw_confine.c). */
#undef DUK_USE_COMPILER_RECLIMIT
#define DUK_USE_COMPILER_RECLIMIT 1000
#undef DUK_USE_NATIVE_CALL_RECLIMIT
#define DUK_USE_NATIVE_CALL_RECLIMIT 7000

/* No tail calls: with them, `const f = () => f(); f()` (or `return
 * this.next()` without end) looped in one activation until the job's
 * timeout, where Node throws RangeError ("Maximum call stack size
 * exceeded") at once; and stacks lost the frames of functions that ended in
 * a call.  Without them the call-stack limit ends such a job as V8 does. */
#undef DUK_USE_TAILCALL

/* String.fromCharCode as specified (ToUint16 of each argument): Debian's
 * configuration keeps Duktape's 32-bit extension, which makes
 * String.fromCharCode(-1) a non-BMP character instead of U+FFFF. */
#undef DUK_USE_NONSTD_STRING_FROMCHARCODE_32BIT

/* The collector marks recursively and, past this depth, falls back to
 * rescanning the whole heap once per level of the limit: with the packaged
 * 256, a chain of 50,000 promises (`p = p.then(...)` in a loop) or a long
 * linked list made every collection quadratic and one collection could run
 * for seconds, past the deadline.  16,384 levels take ~1.3 MB of C stack
 * (measured: ~80 bytes a level), well inside the executor's stack even at
 * the native-call limit above. */
#undef DUK_USE_MARK_AND_SWEEP_RECLIMIT
#define DUK_USE_MARK_AND_SWEEP_RECLIMIT 16384

/* JSON nesting: a job's inputData may nest 1,000 levels (the job parser's
 * limit, cw_job_limits_t.max_input_depth; the sandbox builds `input`
 * without recursion), and JSON.parse/JSON.stringify in jobs take the same
 * 1,000 levels, so `output = input` and JSON.parse(JSON.stringify(input))
 * round-trip.  Both reserve value-stack space per level; 1,000 levels
 * under deep nested native calls fit the C stack
 * (tests/security/test_input.py, "stack-native-*"). */
#undef DUK_USE_JSON_DEC_RECLIMIT
#define DUK_USE_JSON_DEC_RECLIMIT 1000
#undef DUK_USE_JSON_ENC_RECLIMIT
#define DUK_USE_JSON_ENC_RECLIMIT 1000

/* JSON.stringify writes U+2028 and U+2029 as they are, as ES2019 and Node
 * do; Duktape's non-standard default escapes them. */
#undef DUK_USE_NONSTD_JSON_ESC_U2028_U2029

/* Speed (doc/performance-sensitive.rst): integers as integers, and the
 * JSON.stringify fast path (it falls back to the standard algorithm for
 * anything unusual: replacers, getters, Proxies, toJSON). */
#undef DUK_USE_FASTINT
#define DUK_USE_FASTINT
#undef DUK_USE_JSON_STRINGIFY_FASTPATH
#define DUK_USE_JSON_STRINGIFY_FASTPATH

#endif /* CW_DUK_CONFIG_H */
