/*
 * cw_intl_internal.h -- what the files of worker/intl share: the string
 * bridge between Duktape and ICU, the per-heap object cache, formatted-value
 * parts, and one entry point per concern (number, date, collator, ...).
 *
 * Duktape strings are CESU-8: a JavaScript string's code units, each
 * surrogate encoded on its own as three bytes (strings made from C may also
 * hold four-byte UTF-8).  ICU wants UTF-16.  cw_intl_get_u16 decodes either
 * form into code units; cw_intl_push_u16 writes surrogates one by one, so
 * the JavaScript string has the same length and indices as in V8.
 */
#ifndef CW_INTL_INTERNAL_H
#define CW_INTL_INTERNAL_H

#include <stdint.h>

#include <unicode/uformattedvalue.h>
#include <unicode/utypes.h>

#include "cw_intl.h"

/* The operations of rt.icu(op, ...); worker/runtime/polyfills/intl.js has
 * the same numbers. */
enum {
    CW_ICU_LOC_CANON = 0,     /* (tag) -> canonical tag | undefined */
    CW_ICU_LOC_RESOLVE = 1,   /* (tag, service) -> available locale | undefined */
    CW_ICU_LOC_LIKELY = 2,    /* (tag, maximize) -> tag */
    CW_ICU_LOC_DEFAULTS = 3,  /* (tag, withCalendar) -> [numberingSystem, calendar] */
    CW_ICU_NF_FORMAT = 10,    /* (locale, skeleton, x, parts) */
    CW_ICU_NF_RANGE = 11,     /* (locale, skeleton, x, y, parts) */
    CW_ICU_CURRENCY_DIGITS = 12, /* (code) -> n */
    CW_ICU_PL_SELECT = 13,    /* (locale, ordinal, skeleton, x) -> keyword */
    CW_ICU_PL_CATEGORIES = 14, /* (locale, ordinal) -> [keyword...] */
    CW_ICU_PL_RANGE = 15,     /* (locale, ordinal, skeleton, x, y) -> keyword */
    CW_ICU_DT_PATTERN = 20,   /* (locale, skeleton, dateStyle, timeStyle) -> pattern */
    CW_ICU_DT_FORMAT = 21,    /* (locale, pattern, tz, ms, parts) */
    CW_ICU_DT_RANGE = 22,     /* (locale, skeleton, tz, a, b, parts) */
    CW_ICU_TZ_CANON = 23,     /* (id) -> canonical id | undefined */
    CW_ICU_TZ_DEFAULT = 24,   /* () -> the process's default zone */
    CW_ICU_DT_SKELETON = 25,  /* (pattern) -> skeleton */
    CW_ICU_COLL_COMPARE = 30, /* (locale, opts, a, b) -> -1/0/1 */
    CW_ICU_RT_FORMAT = 40,    /* (locale, style, numericAlways, value, unit, parts) */
    CW_ICU_LIST_FORMAT = 41,  /* (locale, type, width, items, parts) */
    CW_ICU_DN_OF = 42,        /* (locale, type, style, dialect, code) -> name | undefined */
    CW_ICU_SEGMENT = 43,      /* (locale, granularity, text, from, max) -> [end, status, ...] */
    CW_ICU_SEG_TEXT = 45,     /* (string) -> UTF-16 buffer for SEGMENT */
    CW_ICU_SUPPORTED = 44     /* (key) -> [value...] */
};

/* Cache kinds (what to close an object with). */
enum {
    CW_INTL_K_NUMBER = 1, CW_INTL_K_NRANGE, CW_INTL_K_PLURAL, CW_INTL_K_DATE, CW_INTL_K_DTPG,
    CW_INTL_K_DTITV, CW_INTL_K_COLL, CW_INTL_K_RELTIME, CW_INTL_K_LIST, CW_INTL_K_LDN, CW_INTL_K_BRK,
    /* reusable results, one each per heap (key "") */
    CW_INTL_K_NRESULT, CW_INTL_K_RRESULT, CW_INTL_K_IRESULT, CW_INTL_K_LRESULT, CW_INTL_K_TRESULT
};

/* The heap's cache of ICU objects: the object opened for (kind, key), or
 * NULL.  put() takes ownership of obj (closing the least recently used
 * entry when full; closing obj itself and returning -1 when out of memory). */
void *cw_intl_cache_get(cw_intl_t *c, int kind, const char *key);
int cw_intl_cache_put(cw_intl_t *c, int kind, const char *key, void *obj);
/* get, or open with `open` and put; throws (RangeError for bad arguments)
 * with nothing leaked when opening fails. */
typedef void *(*cw_intl_openfn)(void *udata, UErrorCode *st);
void *cw_intl_cached(duk_context *ctx, int kind, const char *key, cw_intl_openfn open, void *udata,
                     const char *what);
void cw_intl_close(int kind, void *obj);

/* A key "a\x1fb\x1fc" from the call's string arguments [from, to], in a
 * caller buffer; -1 when it does not fit (the caller throws RangeError). */
int cw_intl_key(duk_context *ctx, char *buf, size_t size, const char *prefix, duk_idx_t from, duk_idx_t to);

/* The string at idx as UTF-16 in a new buffer pushed on the value stack
 * (so a throw cannot leak it); *len gets its length in code units.  Throws
 * TypeError if idx is not a string.  NUL-terminated. */
UChar *cw_intl_get_u16(duk_context *ctx, duk_idx_t idx, int32_t *len);
/* Push UTF-16 as a Duktape string (surrogates as separate code units). */
void cw_intl_push_u16(duk_context *ctx, const UChar *s, int32_t len);
/* The string at idx as a NUL-terminated char buffer (ASCII expected). */
const char *cw_intl_require_ascii(duk_context *ctx, duk_idx_t idx, size_t max);

/* The BCP 47 tag at idx as an ICU locale id in buf (ULOC_FULLNAME_CAPACITY
 * bytes at least); throws RangeError for a tag ICU cannot read. */
const char *cw_intl_locale_id(duk_context *ctx, duk_idx_t idx, char *buf, size_t size);
/* An ASCII string at idx as UTF-16 in buf (size units); throws RangeError
 * when it does not fit.  Returns buf. */
UChar *cw_intl_ascii_u16(duk_context *ctx, duk_idx_t idx, UChar *buf, int32_t size);

/* Throw for a failed ICU call: RangeError for bad arguments, Error else. */
duk_ret_t cw_intl_throw(duk_context *ctx, UErrorCode st, const char *what);

/* Push [string, [category, field, begin, end, ...]] (parts != 0) or the
 * string of a formatted value. */
void cw_intl_push_value(duk_context *ctx, const UFormattedValue *v, int parts);

/* Call a UTF-16 producer (ICU's preflight convention) into a growing buffer
 * and push the result; the producer gets (buf, cap, &status, udata). */
typedef int32_t (*cw_intl_u16fn)(UChar *buf, int32_t cap, UErrorCode *st, void *udata);
duk_ret_t cw_intl_push_produced(duk_context *ctx, cw_intl_u16fn fn, void *udata, const char *what);

/* The heap's cache (from the stash). */
cw_intl_t *cw_intl_of(duk_context *ctx);
/* Nonzero when the job's deadline has passed (long loops call this). */
int cw_intl_expired(duk_context *ctx);

/* Format the number at x with the formatter for (locale at loc, skeleton at
 * loc + 1); the result object belongs to the cache (valid until the next
 * format).  The range form takes x and x + 1. */
#include <unicode/unumberformatter.h>
#include <unicode/unumberrangeformatter.h>
UFormattedNumber *cw_intl_number_format(duk_context *ctx, duk_idx_t loc, duk_idx_t x);
UFormattedNumberRange *cw_intl_number_range(duk_context *ctx, duk_idx_t loc, duk_idx_t x);

/* One per concern; each returns the op's duk_ret_t, args from index 1. */
duk_ret_t cw_intl_locale_op(duk_context *ctx, int op);
duk_ret_t cw_intl_number_op(duk_context *ctx, int op);
duk_ret_t cw_intl_plural_op(duk_context *ctx, int op);
duk_ret_t cw_intl_date_op(duk_context *ctx, int op);
duk_ret_t cw_intl_collator_op(duk_context *ctx, int op);
/* rt.localeCompare (the runtime object at rt): String.prototype.localeCompare,
 * native for the plain form; locale.js installs it. */
void cw_intl_collator_install(duk_context *ctx, duk_idx_t rt);
/* The heap stash key of the runtime object (cw_runtime.c keeps it there). */
#define CW_INTL_STASH_RT "cwRt"
duk_ret_t cw_intl_text_op(duk_context *ctx, int op);
duk_ret_t cw_intl_segment_op(duk_context *ctx, int op);

#endif /* CW_INTL_INTERNAL_H */
