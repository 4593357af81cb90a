/*
 * cw_lower: lowers a job's modern JavaScript (ES2022-era syntax) to ES5 so
 * Duktape can run it. Implemented in Rust on top of swc (worker/lower/src),
 * built as a static library; this header is its whole C interface.
 *
 * Typical use:
 *
 *     cw_lower_out_t *lo;
 *     int rc = cw_lower(src, len, 0, &lo);
 *     if (rc == CW_LOWER_OK) {
 *         size_t n; const char *es5 = cw_lower_code(lo, &n);
 *         if (cw_lower_needs(lo) & CW_LOWER_NEEDS_HELPERS)
 *             ... make sure the global __cw_h exists (see below) ...
 *         ... compile and run es5 ...
 *         ... on a runtime error at lowered line L:
 *             cw_lower_map(lo, L, 0, &line, &col) gives the original line ...
 *     } else if (rc == CW_LOWER_SYNTAX) {
 *         unsigned line, col;
 *         const char *msg = cw_lower_error(lo, &line, &col);  // SYNTAX_ERROR
 *     } else { ... internal error: report, do not retry the same source ... }
 *     cw_lower_free(lo);
 *
 * Transform helpers (class, spread, destructuring, generator, async ...) are
 * by default NOT inlined: lowered code calls them as __cw_h.<name>(...).
 * Provide __cw_h in the heap in one of two ways:
 *   a) evaluate cw_lower_runtime() once (e.g. in a warm parent heap that is
 *      forked per job, or from its dumped bytecode): defines every helper;
 *   b) per job, only what it needs: create an empty object h, and for each
 *      i < cw_lower_helper_count(lo) compile with DUK_COMPILE_FUNCTION (or
 *      load cached bytecode of) cw_lower_runtime_helper(cw_lower_helper_id(
 *      lo, i), ...) and call it with h; then define the global __cw_h as h
 *      (non-writable, non-enumerable; freezing h is recommended).
 * The flag CW_LOWER_INLINE_HELPERS instead puts the needed helper functions
 * into the lowered code itself.
 *
 * Host globals the output may use (never polyfilled here): Symbol.iterator
 * on built-in iterables, Promise (async functions), Map/Set/WeakMap/WeakSet
 * (private class members use WeakMap/WeakSet), Array.from, Reflect.construct.
 * cw_lower_needs() reports which ones the job (or its helpers) references.
 *
 * Thread safety: cw_lower may run concurrently on different threads; each
 * call is independent. Handles are not shared between threads.
 */
#ifndef CW_LOWER_H
#define CW_LOWER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cw_lower_out cw_lower_out_t; /* opaque */

/* cw_lower() return codes */
#define CW_LOWER_OK 0
#define CW_LOWER_SYNTAX 1   /* the job's fault: message + original line/col */
#define CW_LOWER_INTERNAL 2 /* lowering failed (a caught panic); message set */
#define CW_LOWER_LIMIT 3    /* stopped at its deadline or memory budget */
#define CW_LOWER_BADARG (-1) /* out == NULL, or src == NULL with len > 0 */

/* cw_lower_limit_kind() values after CW_LOWER_LIMIT */
#define CW_LOWER_LIMIT_TIME 1
#define CW_LOWER_LIMIT_MEMORY 2

/* cw_lower() flags */
#define CW_LOWER_INLINE_HELPERS 0x1u /* inline helpers instead of __cw_h.x */
#define CW_LOWER_NO_MAP 0x2u         /* skip the position map (a bit faster) */

/* cw_lower_needs() bits */
#define CW_LOWER_NEEDS_HELPERS 0x001u   /* references __cw_h (default mode) */
#define CW_LOWER_NEEDS_GENERATOR 0x002u /* generator state machine helper */
#define CW_LOWER_NEEDS_PROMISE 0x004u   /* global Promise (async, or user) */
#define CW_LOWER_NEEDS_ITERATOR 0x008u  /* Symbol.iterator protocol */
#define CW_LOWER_NEEDS_MAP 0x010u
#define CW_LOWER_NEEDS_SET 0x020u
#define CW_LOWER_NEEDS_WEAKMAP 0x040u /* also: private class fields */
#define CW_LOWER_NEEDS_WEAKSET 0x080u /* also: private class methods */
#define CW_LOWER_HAD_TOP_LEVEL_RETURN 0x100u /* top-level return rewritten */
#define CW_LOWER_HAD_TOP_LEVEL_AWAIT 0x200u  /* runs as an async function body */

/*
 * Lower `src` (UTF-8, `len` bytes, a classic script: not a module) to ES5.
 * Top-level `return` is accepted; it becomes `break __cw_top;` out of a
 * labelled block (function declarations stay at top level), so the output
 * still runs as a program and top-level `var`s stay global.
 * Code that awaits at its top level (it does not parse as a script, and does
 * as an async function's body) runs as an async function called at once,
 * with its top-level names hoisted to global `var`s; the program's
 * completion value is that call's promise (CW_LOWER_HAD_TOP_LEVEL_AWAIT).
 * Always sets *out (except for CW_LOWER_BADARG); free it with cw_lower_free.
 * Syntax errors include invalid UTF-8, sources over 256 KiB and nesting
 * deeper than 1000 levels.
 * Each call runs on a private stack of 16 MiB + 5 KiB per source byte of
 * address space (touched only as deep as the input nests), so no input can
 * overflow a stack. Each thread keeps one 128 MiB mapping for reuse (only
 * its top 2 MiB stay resident between calls); larger sources get a one-off
 * mapping. If mapping fails (e.g. a tight RLIMIT_AS) the result is
 * CW_LOWER_INTERNAL, not a crash.
 */
int cw_lower(const char *src, size_t len, unsigned flags, cw_lower_out_t **out);

/*
 * cw_lower() under a bound: `deadline_ns` is an absolute CLOCK_MONOTONIC
 * time in nanoseconds (0: none) and `max_bytes` the most the call may hold
 * allocated at once, counted by the library's own allocator (0: none).
 * Returns CW_LOWER_LIMIT (cw_lower_limit_kind says which) when either ran
 * out.  The bound is checked between the parser, the complexity pre-pass,
 * every transform pass, hygiene and the printer, and on every write of the
 * printer; inside one transform pass work cannot be stopped (a Rust
 * allocation cannot fail softly), so the pre-pass rejects the constructs
 * whose lowering grows super-linearly past fixed limits -- class
 * expressions nested in `extends` clauses, loops nested over 32 deep,
 * functions/classes nested over 64 deep -- as CW_LOWER_SYNTAX with a
 * message starting "too complex to compile".
 */
int cw_lower_limited(const char *src, size_t len, unsigned flags, unsigned long long deadline_ns,
                     size_t max_bytes, cw_lower_out_t **out);

/* CW_LOWER_LIMIT_TIME or CW_LOWER_LIMIT_MEMORY after CW_LOWER_LIMIT, else 0. */
unsigned cw_lower_limit_kind(const cw_lower_out_t *o);

/* Bytes the handle holds (lowered code, position map, helper list). */
size_t cw_lower_bytes(const cw_lower_out_t *o);

/* Most bytes the call that made `o` held at once (its working memory). */
size_t cw_lower_peak_bytes(const cw_lower_out_t *o);

/* Lowered ES5 source (NUL-terminated; "" unless CW_LOWER_OK). */
const char *cw_lower_code(const cw_lower_out_t *o, size_t *len);

/* Error message (NULL on success). For CW_LOWER_SYNTAX, *line and *col are
 * the 1-based position in the ORIGINAL source (column in code points);
 * 0 otherwise. line/col may be NULL. */
const char *cw_lower_error(const cw_lower_out_t *o, unsigned *line, unsigned *col);

/* CW_LOWER_NEEDS_* bits; 0 unless CW_LOWER_OK. */
unsigned cw_lower_needs(const cw_lower_out_t *o);

/* Map a 1-based position in the lowered code to the original source.
 * gen_col == 0 means "column unknown" (Duktape reports only lines): the
 * first mapped position on that line is used. Lines without a mapping fall
 * back to the nearest mapped line above. Returns 0, or -1 if nothing maps
 * (or the map was disabled with CW_LOWER_NO_MAP). */
int cw_lower_map(const cw_lower_out_t *o, unsigned gen_line, unsigned gen_col,
                 unsigned *orig_line, unsigned *orig_col);

/* Runtime helpers the lowered code needs, dependencies included (always 0
 * with CW_LOWER_INLINE_HELPERS). Ids are indexes into the runtime table. */
size_t cw_lower_helper_count(const cw_lower_out_t *o);
unsigned cw_lower_helper_id(const cw_lower_out_t *o, size_t i);

void cw_lower_free(cw_lower_out_t *o);

/* --- the helper runtime (static data, valid for the process lifetime) --- */

/* Whole runtime: an ES5 program that defines the global __cw_h. */
const char *cw_lower_runtime(size_t *len);

/* Number of helpers; ids are 0 .. count-1. */
size_t cw_lower_runtime_helper_count(void);

/* One helper as the source of an anonymous ES5 function `function (h) {...}`
 * (compile it with DUK_COMPILE_FUNCTION, or wrap it in parentheses) that
 * stores the helper as h.<name>; the helper looks its own dependencies up on
 * h when called. *name gets the helper's name. NULL if id is out of range. */
const char *cw_lower_runtime_helper(unsigned id, const char **name, size_t *len);

/* Library and pinned swc versions; part of any cache key for lowered code. */
const char *cw_lower_version(void);

/* 1 while the calling thread is inside the system allocator on behalf of
 * Rust code (this library's lowering or regular expressions), else 0.  Safe
 * in a signal handler: worker/cw_interrupt.c asks it before jumping out of
 * a running matcher. */
int cw_lower_alloc_busy(void);

#ifdef __cplusplus
}
#endif

#endif /* CW_LOWER_H */
