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
 *   - smaller recursion limits for the parser/JSON so hostile nesting fails
 *     with a RangeError long before the C stack is at risk.
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

/* Nested source and data are capped well below what an 8 MiB stack allows.
 * Native call levels (a callback called from forEach, map, sort, replace, a
 * JSON reviver, a getter...): 7,000, enough that a recursive walk over nested
 * data through forEach/map stops at Duktape's call-stack limit (10,000
 * activations, ~3,300 levels of such a walk) rather than here; the executor's
 * stack is sized for it (CW_CONFINE_STACK in worker/cw_confine.c). */
#undef DUK_USE_COMPILER_RECLIMIT
#define DUK_USE_COMPILER_RECLIMIT 1000
#undef DUK_USE_NATIVE_CALL_RECLIMIT
#define DUK_USE_NATIVE_CALL_RECLIMIT 7000

/* String.fromCharCode as specified (ToUint16 of each argument): Debian's
 * configuration keeps Duktape's 32-bit extension, which makes
 * String.fromCharCode(-1) a non-BMP character instead of U+FFFF. */
#undef DUK_USE_NONSTD_STRING_FROMCHARCODE_32BIT

/* Speed (doc/performance-sensitive.rst): integers as integers, and the
 * JSON.stringify fast path (it falls back to the standard algorithm for
 * anything unusual: replacers, getters, Proxies, toJSON). */
#undef DUK_USE_FASTINT
#define DUK_USE_FASTINT
#undef DUK_USE_JSON_STRINGIFY_FASTPATH
#define DUK_USE_JSON_STRINGIFY_FASTPATH

#endif /* CW_DUK_CONFIG_H */
