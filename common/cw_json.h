/*
 * cw_json.h -- a strict, non-recursive JSON (RFC 8259) reader for job messages.
 *
 * Why not cJSON here: a job message is the first hostile input an executor
 * reads, and what the job parser needs from it is exactly what cJSON cannot
 * give.  cJSON recurses once per nesting level (a deep message costs C
 * stack), cannot carry U+0000 inside a string (it NUL-terminates, so
 * "victim\u0000attacker" became "victim"), keeps the first of two equal keys
 * while every JSON.parse a consumer runs keeps the last, and building its
 * tree for an 8 MiB message costs ~40 bytes of node per JSON value, more
 * than the message itself many times over.  cJSON still writes and reads
 * small, trusted documents elsewhere.
 *
 * This reader walks the text once with an explicit stack (one bit per
 * level), so nesting costs no C stack at any depth, and checks everything
 * RFC 8259 requires: the grammar (numbers, literals, escapes), well-formed
 * UTF-8 inside strings (no overlongs, no surrogates, nothing past U+10FFFF),
 * no raw control characters, and nothing but whitespace after the value (so
 * a second object, trailing garbage or a BOM after the job is an error; a
 * leading BOM is one too).  It builds nothing: for a document whose top
 * level is an object it hands each top-level member (its decoded key and the
 * byte span of its value) to a callback, and it rejects two top-level
 * members whose keys are equal after decoding escapes ("jobId" and
 * "job\u0049d" are the same key).  Values are decoded later, on demand, by
 * cw_json_unescape(); inputData's text goes to Duktape's own JSON decoder
 * after cw_json_to_cesu8().
 *
 * Errors come in two kinds.  A structural error (the text is not JSON at
 * all) stops the walk.  A depth, UTF-8 or duplicate-key error is recorded
 * (the first one wins) and the walk goes on, because the grammar is still
 * known: that way the job parser still learns the jobId of a message that
 * is too deep or has one bad field, and can address its INVALID_REQUEST.
 */
#ifndef CW_JSON_H
#define CW_JSON_H

#include <stddef.h>

#include "cw_buf.h"
#include "cw_err.h"

typedef enum cw_json_type {
    CW_JSON_NULL,
    CW_JSON_FALSE,
    CW_JSON_TRUE,
    CW_JSON_NUMBER,
    CW_JSON_STRING,
    CW_JSON_ARRAY,
    CW_JSON_OBJECT
} cw_json_type_t;

typedef enum cw_json_fault {
    CW_JSON_FAULT_NONE,
    CW_JSON_FAULT_SYNTAX,    /* not JSON; the walk stopped at `at` */
    CW_JSON_FAULT_TRAILING,  /* a value, then more than whitespace */
    CW_JSON_FAULT_NOT_OBJECT, /* top-level members were asked for, but it is no object */
    CW_JSON_FAULT_DEPTH,     /* nested deeper than max_depth */
    CW_JSON_FAULT_UTF8,      /* a string holds bytes that are not UTF-8 */
    CW_JSON_FAULT_DUPLICATE, /* two top-level members with the same key */
    CW_JSON_FAULT_NOMEM
} cw_json_fault_t;

typedef struct cw_json_error {
    cw_json_fault_t fault;
    size_t at;            /* byte offset in the text */
    const char *what;     /* for SYNTAX: what was expected or found */
    char member[48];      /* the top-level member the fault is inside ("" if none), clipped */
} cw_json_error_t;

/* One top-level member: the decoded key and the span of its value's text. */
typedef struct cw_json_member {
    const char *key; /* decoded (UTF-8, may hold U+0000); valid during the callback only */
    size_t key_len;
    cw_json_type_t type;
    size_t off, len; /* the value's bytes: text[off .. off+len) */
} cw_json_member_t;

/* Return CW_OK to go on; any other value stops the walk and is returned. */
typedef cw_err_t (*cw_json_member_fn)(void *ud, const cw_json_member_t *m);

typedef struct cw_json_opts {
    size_t max_depth;  /* levels of arrays/objects allowed; the top-level value counts as 1 */
    int wtf8;          /* accept UTF-8-encoded surrogates (U+D800..DFFF) inside strings */
    cw_json_member_fn member; /* non-NULL: the top level must be an object; called per member */
    void *ud;
} cw_json_opts_t;

/*
 * Check text[0..len) as one JSON document.  Returns CW_OK and sets
 * err->fault (CW_JSON_FAULT_NONE when the document is valid and within the
 * limits), CW_ERR_NOMEM, or whatever the member callback returned.
 */
cw_err_t cw_json_check(const char *text, size_t len, const cw_json_opts_t *o, cw_json_error_t *err);

/* A one-line description of err ("nested more than 1000 levels deep", ...) into buf. */
void cw_json_describe(const cw_json_error_t *err, size_t max_depth, char *buf, size_t n);

/*
 * Decode the body of a string the checker accepted (the bytes between the
 * quotes) into `out`, as UTF-8 (U+0000 included).  An escaped surrogate pair
 * becomes one 4-byte sequence; a lone escaped surrogate is written as its
 * 3-byte form and counted in *lone (may be NULL), which makes the output
 * WTF-8 rather than UTF-8.
 */
cw_err_t cw_json_unescape(const char *s, size_t n, cw_buf_t *out, size_t *lone);

/*
 * Append s[0..n) with every 4-byte UTF-8 sequence (a character outside the
 * BMP) rewritten as its UTF-16 surrogate pair, each half in 3-byte form:
 * CESU-8, the representation Duktape uses for the strings its own lexer
 * makes, so "😀".length is 2 in the heap as in every JavaScript engine.
 */
cw_err_t cw_json_to_cesu8(const char *s, size_t n, cw_buf_t *out);

/* Append a checked JSON text without the whitespace between its tokens. */
cw_err_t cw_json_minify(const char *s, size_t n, cw_buf_t *out);

/* 1 if s[0..n) is exactly a JSON number (RFC 8259 grammar: no sign '+',
 * no leading zeros, no hex, no Infinity/NaN, no whitespace). */
int cw_json_is_number(const char *s, size_t n);

#endif /* CW_JSON_H */
