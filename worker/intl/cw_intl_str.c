/*
 * cw_intl_str.c -- the string bridge between Duktape and ICU, and the
 * helpers every Intl operation shares (cache keys, errors, parts).
 *
 * Duktape keeps a string's code units in CESU-8: a lone or paired
 * surrogate is three bytes of its own.  Strings pushed from C may also hold
 * four-byte UTF-8, and Duktape's extended UTF-8 goes up to 0x7FFFFFFF.
 * Decoding turns each of those into UTF-16 code units (a four-byte form
 * into a surrogate pair, anything above U+10FFFF into U+FFFD); encoding
 * writes every code unit, surrogates included, as its own one-to-three-byte
 * sequence, so a string from ICU has the same length and indices in the job
 * as the string V8 would have.
 */
#include "cw_intl_internal.h"

#include "cw_utf8.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>
#include <unicode/ustring.h>

UChar *cw_intl_get_u16(duk_context *ctx, duk_idx_t idx, int32_t *len) {
    duk_size_t n;
    const unsigned char *p = (const unsigned char *)duk_require_lstring(ctx, idx, &n);
    if (n > (duk_size_t)INT32_MAX / 2)
        (void)duk_range_error(ctx, "string too long");
    /* Never more units than bytes.  A Duktape buffer, not malloc: a throw
     * later in the call cannot leak it, and the job's cap counts it. */
    UChar *out = duk_push_fixed_buffer(ctx, (n + 1) * sizeof(UChar));
    size_t k = cw_utf8_to_utf16((const char *)p, n, out);
    out[k] = 0;
    *len = (int32_t)k;
    return out;
}

void cw_intl_push_u16(duk_context *ctx, const UChar *s, int32_t len) {
    char *b = duk_push_fixed_buffer(ctx, (duk_size_t)len * 3 + 1);
    size_t k = cw_utf8_from_utf16(s, (size_t)len, b);
    duk_push_lstring(ctx, b, k);
    duk_remove(ctx, -2);
}

const char *cw_intl_require_ascii(duk_context *ctx, duk_idx_t idx, size_t max) {
    duk_size_t n;
    const char *s = duk_require_lstring(ctx, idx, &n);
    if (n > max || strlen(s) != n)
        (void)duk_range_error(ctx, "Incorrect locale information provided");
    for (duk_size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            (void)duk_range_error(ctx, "Incorrect locale information provided");
    return s;
}

int cw_intl_key(duk_context *ctx, char *buf, size_t size, const char *prefix, duk_idx_t from, duk_idx_t to) {
    size_t k = strlen(prefix);
    if (k + 1 > size)
        return -1;
    memcpy(buf, prefix, k + 1);
    for (duk_idx_t i = from; i <= to; i++) {
        duk_size_t n;
        const char *s = duk_is_string(ctx, i) ? duk_get_lstring(ctx, i, &n) : (n = 0, "");
        if (k + 1 + n + 1 > size)
            return -1;
        buf[k++] = '\x1f';
        memcpy(buf + k, s, n);
        k += n;
        buf[k] = '\0';
    }
    return 0;
}

duk_ret_t cw_intl_throw(duk_context *ctx, UErrorCode st, const char *what) {
    if (st == U_MEMORY_ALLOCATION_ERROR)
        return duk_error(ctx, DUK_ERR_ERROR, "%s: out of memory", what);
    return duk_range_error(ctx, "%s (%s)", what, u_errorName(st));
}

void cw_intl_push_value(duk_context *ctx, const UFormattedValue *v, int parts) {
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = 0;
    const UChar *s = ufmtval_getString(v, &len, &st);
    if (U_FAILURE(st))
        (void)cw_intl_throw(ctx, st, "format");
    if (!parts) {
        cw_intl_push_u16(ctx, s, len);
        return;
    }
    /* Count the fields, make room on the Duktape side (which may throw),
     * then fill it with no Duktape call while the position is open. */
    int32_t count = 0;
    UConstrainedFieldPosition *fp = ucfpos_open(&st);
    while (U_SUCCESS(st) && ufmtval_nextPosition(v, fp, &st))
        count++;
    ucfpos_close(fp);
    if (U_FAILURE(st))
        (void)cw_intl_throw(ctx, st, "format");
    int32_t *f = duk_push_fixed_buffer(ctx, (duk_size_t)count * 4 * sizeof(int32_t) + sizeof(int32_t));
    int32_t k = 0;
    fp = ucfpos_open(&st);
    while (U_SUCCESS(st) && k < count && ufmtval_nextPosition(v, fp, &st)) {
        f[4 * k] = ucfpos_getCategory(fp, &st);
        f[4 * k + 1] = ucfpos_getField(fp, &st);
        ucfpos_getIndexes(fp, &f[4 * k + 2], &f[4 * k + 3], &st);
        k++;
    }
    ucfpos_close(fp);
    if (U_FAILURE(st))
        (void)cw_intl_throw(ctx, st, "format");
    duk_push_array(ctx);
    cw_intl_push_u16(ctx, s, len);
    duk_put_prop_index(ctx, -2, 0);
    duk_push_array(ctx);
    for (int32_t i = 0; i < 4 * k; i++) {
        duk_push_int(ctx, f[i]);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
    }
    duk_put_prop_index(ctx, -2, 1);
    duk_remove(ctx, -2); /* the scratch buffer */
}

duk_ret_t cw_intl_push_produced(duk_context *ctx, cw_intl_u16fn fn, void *udata, const char *what) {
    UChar small[256];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = fn(small, 256, &st, udata);
    if (st == U_BUFFER_OVERFLOW_ERROR && n > 0 && n < (1 << 24)) {
        UChar *big = duk_push_fixed_buffer(ctx, ((size_t)n + 1) * sizeof(UChar));
        st = U_ZERO_ERROR;
        n = fn(big, n + 1, &st, udata);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, what);
        cw_intl_push_u16(ctx, big, n);
        duk_remove(ctx, -2);
        return 1;
    }
    if (U_FAILURE(st))
        return cw_intl_throw(ctx, st, what);
    cw_intl_push_u16(ctx, small, n);
    return 1;
}

const char *cw_intl_locale_id(duk_context *ctx, duk_idx_t idx, char *buf, size_t size) {
    const char *tag = cw_intl_require_ascii(ctx, idx, 200);
    UErrorCode st = U_ZERO_ERROR;
    int32_t parsed = 0;
    int32_t n = uloc_forLanguageTag(tag, buf, (int32_t)size, &parsed, &st);
    /* n == 0 is the root locale ("und"). */
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || n < 0 || (size_t)parsed != strlen(tag))
        (void)duk_range_error(ctx, "Incorrect locale information provided");
    return buf;
}

UChar *cw_intl_ascii_u16(duk_context *ctx, duk_idx_t idx, UChar *buf, int32_t size) {
    duk_size_t n;
    const char *s = duk_require_lstring(ctx, idx, &n);
    if ((duk_size_t)size <= n)
        (void)duk_range_error(ctx, "option value too long");
    for (duk_size_t i = 0; i < n; i++)
        buf[i] = (UChar)(unsigned char)s[i];
    buf[n] = 0;
    return buf;
}
