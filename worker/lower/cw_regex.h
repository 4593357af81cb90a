/*
 * cw_regex: ECMAScript regular expressions for the job heap's RegExp,
 * implemented in Rust on the `regress` crate (worker/lower/src/regex.rs) and
 * linked as part of the cw_lower static library.  This header is its whole
 * C interface.
 *
 * Patterns and subjects are UTF-16 code units; every index is a UTF-16
 * index.  Without the `u`/`v` flag matching is on code units, with it on
 * code points (surrogate pairs), as in V8.  Flags: only `i m s u v` change
 * the compiled pattern; `g y d` are the RegExp object's business.
 *
 *     cw_re_t *re;
 *     int rc = cw_re_compile(pat, npat, "iu", &re);
 *     if (rc == 1) { ... SyntaxError: cw_re_error(re) ... }
 *     if (rc == 0 && cw_re_exec(re, text, ntext, last_index) == 1)
 *         for (size_t i = 0; i < cw_re_group_count(re); i++)
 *             if (cw_re_group(re, i, &s, &e)) ... group i is text[s..e) ...
 *     cw_re_free(re);
 *
 * The matcher keeps its backtracking state on the heap: no subject length
 * can overflow a stack.  Handles are not thread-safe (the last match lives
 * in the handle).
 */
#ifndef CW_REGEX_H
#define CW_REGEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cw_re cw_re_t; /* opaque */

/* 0: *out is a compiled pattern; 1: a syntax error, *out holds only its
 * message (cw_re_error); -1: bad arguments or an internal error, *out NULL. */
int cw_re_compile(const uint16_t *pat, size_t n, const char *flags, cw_re_t **out);

/* The syntax error's message (UTF-8), NULL for a compiled pattern. */
const char *cw_re_error(const cw_re_t *re);

/* Leftmost match starting at or after `start`: 1 found, 0 none, -1 error. */
int cw_re_exec(cw_re_t *re, const uint16_t *text, size_t n, size_t start);

/* The same over an ASCII subject given as its bytes (which are its UTF-16
 * units), with the pattern's linear-time matcher; -2 when the pattern has
 * none (then use cw_re_exec). */
int cw_re_exec_ascii(cw_re_t *re, const uint8_t *text, size_t n, size_t start);

/* 1 when the pattern has a linear-time matcher for ASCII subjects. */
int cw_re_is_linear(const cw_re_t *re);

/* Groups of the last match, group 0 (the whole match) included; 0 if none. */
size_t cw_re_group_count(const cw_re_t *re);

/* 1 and the range [*start, *end) when group i took part in the last match. */
int cw_re_group(const cw_re_t *re, size_t i, size_t *start, size_t *end);

/* Number of capturing groups of the pattern (group 0 not counted). */
size_t cw_re_capture_count(const cw_re_t *re);

/* Name of capturing group i (1-based), UTF-8; NULL when unnamed. */
const char *cw_re_group_name(const cw_re_t *re, size_t i);

void cw_re_free(cw_re_t *re);

#ifdef __cplusplus
}
#endif

#endif /* CW_REGEX_H */
