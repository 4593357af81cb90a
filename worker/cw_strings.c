/*
 * cw_strings.c -- the big-string built-ins, in C: Array.prototype.join,
 * String.prototype.repeat, padStart and padEnd.
 *
 * Why: a job's limits are its memory cap and its result size, and a job that
 * builds a string too big for them must be stopped by them, at once, as in
 * Node.  Duktape's own join concatenates in batches, interning every
 * intermediate string, so `new Array(2e7).join('x')` took longer than any
 * deadline and ended TIMEOUT (or at the supervisor's hard kill) where Node
 * answers OUTPUT_LIMIT in 100 ms; `new Array(1000).join('m')` cost 150 µs.
 * padStart/padEnd were polyfills built on repeat and slice.  Here each
 * built-in costs in proportion to the elements that exist and the bytes it
 * writes:
 *
 *  - join computes nothing per hole: a large Array whose own indices are few
 *    (cw_duk_own_index_count, no code runs) and whose prototypes have none
 *    is joined from its enumerated elements, with the separator runs between
 *    them copied by doubling; the size of the result is known before it is
 *    allocated, so a result over the cap fails at once (the engine's
 *    out-of-memory error: MEMORY_LIMIT) and one over Node's string length
 *    limit is Node's RangeError.  Everything else -- dense arrays, array-
 *    likes, Proxies, getters, elements whose toString runs code -- takes the
 *    specification's loop (Get, ToString, append) into a growing buffer,
 *    reading the deadline every 4,096 elements;
 *  - repeat and pad compute their size up front and fill one buffer by
 *    doubling copies.
 *
 * Semantics are ECMAScript 2024's: ToObject(this), LengthOfArrayLike
 * (ToLength), separator "," when undefined and converted before any
 * element, undefined/null elements as "", ToString of each element (Symbols
 * throw); repeat's RangeError for negative or infinite counts; pad's
 * ToLength and truncated filler, counted in UTF-16 code units as strings
 * are (Duktape keeps strings as CESU-8, so byte concatenation is code-unit
 * concatenation).  tests/security/results_node24.json holds Node 24's
 * answers to the corner cases.  Installed at heap preparation, they are
 * part of the heap image and cost a job nothing until called.
 */
#include "cw_strings.h"

#include <math.h>
#include <string.h>

#include "cw_runtime.h"
#include "duktape/cw_duk_engine.h"

#define CW_STR_DEADLINE_EVERY 4096
/* Arrays shorter than this are always joined by the specification's loop:
 * below it, finding out that an array is sparse costs more than reading it. */
#define CW_STR_SPARSE_MIN 64
/* Results up to this many bytes are built on the C stack: one allocation. */
#define CW_STR_SMALL 512
/* Joins of at most this many elements gather them on the value stack. */
#define CW_STR_STACK_MAX 64

/* ---- helpers ------------------------------------------------------------- */

static double cw_str_to_length(duk_context *ctx, duk_idx_t idx) {
    double d = duk_to_number(ctx, idx);
    if (!(d > 0))
        return 0;
    d = floor(d);
    return d > 9007199254740991.0 ? 9007199254740991.0 : d;
}

static double cw_str_to_integer(duk_context *ctx, duk_idx_t idx) {
    double d = duk_to_number(ctx, idx);
    if (d != d)
        return 0;
    return isinf(d) ? d : trunc(d);
}

/* Throw a RangeError blamed on the job's call site, not on this file. */
static duk_ret_t cw_str_range_error(duk_context *ctx, const char *msg) {
    duk_push_error_object_raw(ctx, DUK_ERR_RANGE_ERROR, NULL, 0, "%s", msg);
    return duk_throw(ctx);
}

/* The deadline, as the engine's own check reads it. */
static void cw_str_check_deadline(duk_context *ctx) {
    duk_memory_functions f;
    duk_get_memory_functions(ctx, &f);
    if (cw_sandbox_timeout_check(f.udata))
        (void)cw_str_range_error(ctx, "execution timeout");
}

static void cw_str_too_long(duk_context *ctx) { (void)cw_str_range_error(ctx, "Invalid string length"); }

/* A growing byte buffer on the value stack at `idx` (a dynamic buffer). */
typedef struct cw_str_buf {
    duk_idx_t idx;
    unsigned char *p;
    size_t len, cap;
} cw_str_buf_t;

static void cw_str_buf_init(duk_context *ctx, cw_str_buf_t *b, size_t cap) {
    b->len = 0;
    b->cap = cap ? cap : 64;
    b->p = duk_push_dynamic_buffer(ctx, b->cap);
    b->idx = duk_get_top_index(ctx);
}

static void cw_str_buf_add(duk_context *ctx, cw_str_buf_t *b, const void *src, size_t n) {
    if (n > b->cap - b->len) {
        size_t cap = b->cap;
        while (n > cap - b->len)
            cap = cap < ((size_t)1 << 30) ? cap * 2 : cap + n;
        b->p = duk_resize_buffer(ctx, b->idx, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

/* Fill p[0, total) with copies of the n bytes at p (already written). */
static void cw_str_fill(unsigned char *p, size_t n, size_t total) {
    size_t have = n;
    while (have < total) {
        size_t k = have < total - have ? have : total - have;
        memcpy(p + have, p, k);
        have += k;
    }
}

/* [ ... buffer ] -> [ ... string ] of its first `len` bytes. */
static void cw_str_finish(duk_context *ctx, duk_idx_t buf, const unsigned char *p, size_t len) {
    duk_push_lstring(ctx, (const char *)p, len);
    duk_replace(ctx, buf);
    duk_set_top(ctx, buf + 1);
}

/* Append ToString(d) when d is an integer of at most 15 digits (what
 * Number::toString gives for those is its plain decimal digits; -0 is "0"),
 * without interning a string for it; 0 when d is anything else. */
static int cw_str_add_integer(duk_context *ctx, cw_str_buf_t *b, double d, double *chars) {
    if (!(d > -1e15 && d < 1e15) || d != floor(d))
        return 0;
    char tmp[24], *e = tmp + sizeof(tmp), *p = e;
    long long v = (long long)d;
    unsigned long long u = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    cw_str_buf_add(ctx, b, p, (size_t)(e - p));
    *chars += (double)(e - p);
    return 1;
}

/* ---- Array.prototype.join -------------------------------------------------- */

/* 1 when nothing on obj's prototype chain has an index property or could
 * run code when an index is read. */
static int cw_str_protos_plain(duk_context *ctx, duk_idx_t obj) {
    int plain = 1;
    duk_idx_t top = duk_get_top(ctx);
    duk_get_prototype(ctx, obj);
    for (int depth = 0; plain && duk_is_object(ctx, -1); depth++) {
        if (depth > 64 || cw_duk_own_index_count(ctx, -1) != 0)
            plain = 0;
        duk_get_prototype(ctx, -1);
        duk_remove(ctx, -2);
    }
    duk_set_top(ctx, top);
    return plain;
}

/* The sparse path: obj is an Array of `len` elements whose `count` own
 * index properties are plain data and whose prototypes have none.  Returns
 * 0 (nothing pushed) when an element is not a primitive -- its ToString
 * could run code that changes the array, so the caller takes the
 * specification's loop; else leaves the result. */
static int cw_str_join_sparse(duk_context *ctx, duk_idx_t obj, double len, const char *sep, size_t sep_bytes,
                              double sep_chars) {
    duk_idx_t top = duk_get_top(ctx);
    /* Pieces: their bytes one after another, and (index, end offset) pairs. */
    cw_str_buf_t text, where;
    cw_str_buf_init(ctx, &text, 256);
    cw_str_buf_init(ctx, &where, 256);
    double chars = len > 1 ? (len - 1) * sep_chars : 0;
    duk_enum(ctx, obj, DUK_ENUM_OWN_PROPERTIES_ONLY | DUK_ENUM_ARRAY_INDICES_ONLY | DUK_ENUM_SORT_ARRAY_INDICES |
                           DUK_ENUM_INCLUDE_NONENUMERABLE);
    while (duk_next(ctx, -1, 1)) {
        /* Duktape lists an array's virtual "length" among non-enumerable
         * own keys even with ARRAY_INDICES_ONLY: skip anything not an index. */
        double index = duk_to_number(ctx, -2);
        if (!(index >= 0 && index < 4294967295.0 && index == floor(index))) {
            duk_pop_2(ctx);
            continue;
        }
        if (index >= len) {
            duk_pop_2(ctx);
            break;
        }
        if (duk_is_object(ctx, -1) || duk_is_symbol(ctx, -1) || duk_is_buffer(ctx, -1) ||
            duk_is_pointer(ctx, -1) || duk_is_lightfunc(ctx, -1)) {
            duk_set_top(ctx, top);
            return 0;
        }
        if (!duk_is_null_or_undefined(ctx, -1)) {
            duk_size_t n;
            const char *s = duk_to_lstring(ctx, -1, &n);
            chars += (double)duk_get_length(ctx, -1);
            if (chars > CW_STRINGS_MAX_LENGTH)
                cw_str_too_long(ctx);
            cw_str_buf_add(ctx, &text, s, n);
            double rec[2] = {index, (double)text.len};
            cw_str_buf_add(ctx, &where, rec, sizeof(rec));
        }
        duk_pop_2(ctx);
    }
    if (chars > CW_STRINGS_MAX_LENGTH)
        cw_str_too_long(ctx);
    size_t gaps = len > 1 ? (size_t)(len - 1) : 0;
    size_t total = text.len + gaps * sep_bytes;
    unsigned char *out = duk_push_fixed_buffer(ctx, total ? total : 1);
    /* Element i is preceded by i separators in all. */
    size_t pos = 0, from = 0, seps = 0;
    const double *rec = (const double *)where.p;
    size_t nrec = where.len / sizeof(double[2]);
    for (size_t r = 0; r <= nrec; r++) {
        size_t index = r < nrec ? (size_t)rec[2 * r] : gaps;
        if (index < seps || index > gaps) { /* not in order: never, but never write past `out` */
            duk_set_top(ctx, top);
            return 0;
        }
        size_t run = (index - seps) * sep_bytes;
        if (run) {
            size_t first = sep_bytes < run ? sep_bytes : run;
            memcpy(out + pos, sep, first);
            cw_str_fill(out + pos, first, run);
            pos += run;
        }
        seps = index;
        if (r < nrec) {
            size_t end = (size_t)rec[2 * r + 1];
            memcpy(out + pos, text.p + from, end - from);
            pos += end - from;
            from = end;
        }
    }
    duk_push_lstring(ctx, (const char *)out, pos);
    duk_replace(ctx, top);
    duk_set_top(ctx, top + 1);
    return 1;
}

static duk_ret_t cw_str_join(duk_context *ctx) {
    duk_set_top(ctx, 1);
    duk_push_this(ctx);
    duk_to_object(ctx, 1); /* TypeError for null and undefined */
    duk_get_prop_string(ctx, 1, "length");
    double len = cw_str_to_length(ctx, -1);
    duk_pop(ctx);
    if (duk_is_undefined(ctx, 0))
        duk_push_string(ctx, ",");
    else
        duk_dup(ctx, 0);
    duk_size_t sep_bytes;
    const char *sep = duk_to_lstring(ctx, 2, &sep_bytes);
    double sep_chars = (double)duk_get_length(ctx, 2);
    if (len == 0) {
        duk_push_string(ctx, "");
        return 1;
    }
    if (len > 1 && (len - 1) * sep_chars > CW_STRINGS_MAX_LENGTH)
        cw_str_too_long(ctx);

    if (len >= CW_STR_SPARSE_MIN && duk_is_array(ctx, 1)) { /* holes cost nothing */
        long count = cw_duk_own_index_count(ctx, 1);
        if (count >= 0 && (double)count * 4 < len && cw_str_protos_plain(ctx, 1) &&
            cw_str_join_sparse(ctx, 1, len, sep, sep_bytes, sep_chars))
            return 1;
        sep = duk_get_lstring(ctx, 2, &sep_bytes); /* the stack may have moved */
    }

    /* The specification's loop.  A short one gathers its strings on the
     * value stack and joins them with one allocation, as Duktape's own join
     * did: most joins in libraries are short, and near the memory cap every
     * extra allocation costs collections. */
    if (len <= CW_STR_STACK_MAX) {
        duk_idx_t n = (duk_idx_t)len;
        duk_require_stack(ctx, n + 1);
        duk_dup(ctx, 2);
        for (duk_idx_t k = 0; k < n; k++) {
            duk_get_prop_index(ctx, 1, (duk_uarridx_t)k);
            if (duk_is_null_or_undefined(ctx, -1)) {
                duk_pop(ctx);
                duk_push_string(ctx, "");
            } else {
                duk_to_string(ctx, -1);
            }
        }
        duk_join(ctx, n);
        return 1;
    }
    cw_str_buf_t b;
    cw_str_buf_init(ctx, &b, 256);
    double chars = 0;
    for (double k = 0; k < len; k++) {
        if (k > 0) {
            sep = duk_get_lstring(ctx, 2, &sep_bytes);
            cw_str_buf_add(ctx, &b, sep, sep_bytes);
        }
        if (k < 4294967295.0)
            duk_get_prop_index(ctx, 1, (duk_uarridx_t)k);
        else {
            duk_push_number(ctx, k);
            duk_get_prop(ctx, 1);
        }
        if (duk_is_number(ctx, -1) && cw_str_add_integer(ctx, &b, duk_get_number(ctx, -1), &chars)) {
            /* written without making a string */
        } else if (!duk_is_null_or_undefined(ctx, -1)) {
            duk_size_t n;
            const char *s = duk_to_lstring(ctx, -1, &n);
            chars += (double)duk_get_length(ctx, -1);
            cw_str_buf_add(ctx, &b, s, n);
        }
        if (chars + k * sep_chars > CW_STRINGS_MAX_LENGTH)
            cw_str_too_long(ctx);
        duk_pop(ctx);
        if (((unsigned long long)k & (CW_STR_DEADLINE_EVERY - 1)) == CW_STR_DEADLINE_EVERY - 1)
            cw_str_check_deadline(ctx);
    }
    cw_str_finish(ctx, b.idx, b.p, b.len);
    return 1;
}

/* ---- String.prototype.repeat, padStart, padEnd ---------------------------- */

/* [ ... ] -> [ ... this as a string ], as RequireObjectCoercible + ToString. */
static void cw_str_this_string(duk_context *ctx, const char *who) {
    duk_push_this(ctx);
    if (duk_is_null_or_undefined(ctx, -1))
    {
        duk_push_error_object_raw(ctx, DUK_ERR_TYPE_ERROR, NULL, 0, "String.prototype.%s called on null or undefined",
                                  who);
        (void)duk_throw(ctx);
    }
    duk_to_string(ctx, -1);
}

static duk_ret_t cw_str_repeat(duk_context *ctx) {
    duk_set_top(ctx, 1);
    cw_str_this_string(ctx, "repeat"); /* at 1 */
    double n = cw_str_to_integer(ctx, 0);
    if (n < 0 || isinf(n)) {
        duk_push_error_object_raw(ctx, DUK_ERR_RANGE_ERROR, NULL, 0, "Invalid count value: %s",
                                  isinf(n) ? (n < 0 ? "-Infinity" : "Infinity") : duk_to_string(ctx, 0));
        return duk_throw(ctx);
    }
    duk_size_t bytes;
    const char *s = duk_get_lstring(ctx, 1, &bytes);
    double chars = (double)duk_get_length(ctx, 1);
    if (n == 0 || bytes == 0) {
        duk_push_string(ctx, "");
        return 1;
    }
    if (chars * n > CW_STRINGS_MAX_LENGTH)
        cw_str_too_long(ctx);
    size_t total = bytes * (size_t)n;
    unsigned char small[CW_STR_SMALL];
    unsigned char *p = total <= sizeof(small) ? small : duk_push_fixed_buffer(ctx, total);
    s = duk_get_lstring(ctx, 1, &bytes);
    memcpy(p, s, bytes);
    cw_str_fill(p, bytes, total);
    if (p == small) {
        duk_push_lstring(ctx, (const char *)p, total); /* one allocation, the string's */
        return 1;
    }
    cw_str_finish(ctx, 2, p, total);
    return 1;
}

/* padStart (magic 1) and padEnd (magic 0). */
static duk_ret_t cw_str_pad(duk_context *ctx) {
    int at_start = duk_get_current_magic(ctx);
    duk_set_top(ctx, 2);
    cw_str_this_string(ctx, at_start ? "padStart" : "padEnd"); /* at 2 */
    double max = cw_str_to_length(ctx, 0);
    double len = (double)duk_get_length(ctx, 2);
    if (max <= len)
        return 1;
    if (duk_is_undefined(ctx, 1))
        duk_push_string(ctx, " ");
    else
        duk_dup(ctx, 1);
    duk_to_string(ctx, 3);
    double fill_chars = (double)duk_get_length(ctx, 3);
    if (fill_chars == 0) {
        duk_pop(ctx);
        return 1;
    }
    if (max > CW_STRINGS_MAX_LENGTH)
        cw_str_too_long(ctx);
    double need = max - len;
    double whole = floor(need / fill_chars);
    double rest = need - whole * fill_chars;
    /* The partial copy of the filler, cut at a code unit. */
    duk_dup(ctx, 3);
    duk_substring(ctx, 4, 0, (duk_size_t)rest);
    duk_size_t fill_bytes, rest_bytes, s_bytes;
    (void)duk_get_lstring(ctx, 3, &fill_bytes);
    (void)duk_get_lstring(ctx, 4, &rest_bytes);
    (void)duk_get_lstring(ctx, 2, &s_bytes);
    size_t pad_bytes = fill_bytes * (size_t)whole + rest_bytes;
    size_t total = pad_bytes + s_bytes;
    unsigned char small[CW_STR_SMALL];
    unsigned char *p = total <= sizeof(small) ? small : duk_push_fixed_buffer(ctx, total);
    const char *s = duk_get_lstring(ctx, 2, &s_bytes);
    const char *fill = duk_get_lstring(ctx, 3, &fill_bytes);
    const char *part = duk_get_lstring(ctx, 4, &rest_bytes);
    unsigned char *pad = at_start ? p : p + s_bytes;
    if (whole > 0) {
        memcpy(pad, fill, fill_bytes);
        cw_str_fill(pad, fill_bytes, fill_bytes * (size_t)whole);
    }
    memcpy(pad + fill_bytes * (size_t)whole, part, rest_bytes);
    memcpy(at_start ? p + pad_bytes : p, s, s_bytes);
    if (p == small) {
        duk_push_lstring(ctx, (const char *)p, total);
        return 1;
    }
    cw_str_finish(ctx, 5, p, total);
    return 1;
}

/* ---- installation ---------------------------------------------------------- */


void cw_strings_install(duk_context *ctx) {
    duk_idx_t top = duk_get_top(ctx);
    duk_get_global_string(ctx, "Array");
    duk_get_prop_string(ctx, -1, "prototype");
    cw_runtime_def_method(ctx, duk_get_top_index(ctx), "join", cw_str_join, DUK_VARARGS, 1, 0);
    duk_get_global_string(ctx, "String");
    duk_get_prop_string(ctx, -1, "prototype");
    duk_idx_t sp = duk_get_top_index(ctx);
    cw_runtime_def_method(ctx, sp, "repeat", cw_str_repeat, DUK_VARARGS, 1, 0);
    cw_runtime_def_method(ctx, sp, "padStart", cw_str_pad, DUK_VARARGS, 1, 1);
    cw_runtime_def_method(ctx, sp, "padEnd", cw_str_pad, DUK_VARARGS, 1, 0);
    duk_set_top(ctx, top);
}
