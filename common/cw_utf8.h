/*
 * cw_utf8.h -- make any byte string safe to put in a JSON document.
 *
 * Bytes reach us from three untrusted places: job messages (any encoding a
 * producer sent), Duktape strings (CESU-8 inside: characters outside the
 * BMP are stored as two 3-byte surrogate halves, and a lone surrogate is
 * legal in JavaScript), and console output.  Everything we publish must be
 * valid UTF-8 JSON, so:
 *   - a well-formed UTF-8 sequence is copied unchanged;
 *   - a CESU-8 surrogate pair becomes the 4-byte UTF-8 sequence;
 *   - a lone surrogate becomes the JSON escape \uD8xx, which round-trips to
 *     the same JavaScript string in any conforming JSON parser;
 *   - any other invalid byte becomes U+FFFD.
 */
#ifndef CW_UTF8_H
#define CW_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"

/* Append `s` as a quoted JSON string literal. */
cw_err_t cw_utf8_json_string(cw_buf_t *out, const char *s, size_t n);

/* Append JSON text produced by Duktape's encoder, repairing the non-ASCII
 * bytes as above (they can only occur inside string literals). */
cw_err_t cw_utf8_json_text(cw_buf_t *out, const char *s, size_t n);

/* 1 if s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
int cw_utf8_valid(const char *s, size_t n);

/* Largest length <= max that does not cut a UTF-8/CESU-8 sequence. */
size_t cw_utf8_clip(const char *s, size_t n, size_t max);

/*
 * UTF-16 for the libraries that speak it (ICU): a Duktape string (CESU-8,
 * or 4-byte UTF-8 from C pushes) becomes UTF-16 code units, a surrogate
 * pair for a character outside the BMP and a lone surrogate as itself, so
 * lengths and indices are JavaScript's; a byte that starts no well-formed
 * sequence, or a sequence cut short, becomes U+FFFD.  `out` must hold n
 * units (never more units than bytes).  Returns the number written.
 */
size_t cw_utf8_to_utf16(const char *s, size_t n, uint16_t *out);

/* The way back: each code unit, surrogates included, as its own 1- to
 * 3-byte sequence (CESU-8, what Duktape's lexer makes of literals).  `out`
 * must hold 3 * n bytes.  Returns the number written. */
size_t cw_utf8_from_utf16(const uint16_t *u, size_t n, char *out);

#endif /* CW_UTF8_H */
