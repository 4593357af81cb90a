/*
 * cw_intl_number.c -- Intl.NumberFormat: format and formatRange through
 * ICU's number skeletons, and a currency's default digits.
 *
 * The polyfill turns ECMA-402's options into an ICU number skeleton
 * ("currency/EUR unit-width-iso-code precision-integer sign-always"), the
 * way V8 does, so the C side opens exactly one formatter per (locale,
 * skeleton) and the heap's cache keeps it.  Parts come back as ICU's field
 * spans; the polyfill flattens them into formatToParts' list.
 */
#include "cw_intl_internal.h"

#include <string.h>

#include <unicode/ucurr.h>
#include <unicode/uloc.h>
#include <unicode/unumberformatter.h>
#include <unicode/unumberrangeformatter.h>

#define CW_NF_SKELETON_MAX 512

typedef struct {
    const char *locale;
    UChar skel[CW_NF_SKELETON_MAX];
} cw_nf_open_t;

static void *cw_nf_open(void *udata, UErrorCode *st) {
    cw_nf_open_t *o = udata;
    UParseError pe;
    return unumf_openForSkeletonAndLocaleWithError(o->skel, -1, o->locale, &pe, st);
}

static void *cw_nrf_open(void *udata, UErrorCode *st) {
    cw_nf_open_t *o = udata;
    UParseError pe;
    return unumrf_openForSkeletonWithCollapseAndIdentityFallback(o->skel, -1, UNUM_RANGE_COLLAPSE_AUTO,
                                                                 UNUM_IDENTITY_FALLBACK_APPROXIMATELY, o->locale,
                                                                 &pe, st);
}

static void *cw_nf_result(void *udata, UErrorCode *st) {
    (void)udata;
    return unumf_openResult(st);
}
static void *cw_nrf_result(void *udata, UErrorCode *st) {
    (void)udata;
    return unumrf_openResult(st);
}

/* Numbers arrive as a JS number or as a decimal string (exact values). */
static void cw_nf_format_one(duk_context *ctx, UNumberFormatter *nf, duk_idx_t idx, UFormattedNumber *r,
                             UErrorCode *st) {
    if (duk_is_string(ctx, idx)) {
        duk_size_t n;
        const char *s = duk_get_lstring(ctx, idx, &n);
        unumf_formatDecimal(nf, s, (int32_t)n, r, st);
    } else {
        unumf_formatDouble(nf, duk_require_number(ctx, idx), r, st);
    }
}

/* The formatter for (locale at idx, skeleton at idx+1). */
static void *cw_nf_get(duk_context *ctx, int kind, duk_idx_t idx, cw_intl_openfn open) {
    char key[CW_NF_SKELETON_MAX + 200], loc[ULOC_FULLNAME_CAPACITY];
    cw_nf_open_t o;
    if (cw_intl_key(ctx, key, sizeof(key), kind == CW_INTL_K_NUMBER ? "nf" : "nr", idx, idx + 1) != 0)
        (void)duk_range_error(ctx, "number format options too long");
    void *obj = cw_intl_cache_get(cw_intl_of(ctx), kind, key);
    if (obj)
        return obj;
    o.locale = cw_intl_locale_id(ctx, idx, loc, sizeof(loc));
    cw_intl_ascii_u16(ctx, idx + 1, o.skel, CW_NF_SKELETON_MAX);
    return cw_intl_cached(ctx, kind, key, open, &o, "Intl.NumberFormat");
}

UFormattedNumber *cw_intl_number_format(duk_context *ctx, duk_idx_t loc, duk_idx_t x) {
    UErrorCode st = U_ZERO_ERROR;
    UNumberFormatter *nf = cw_nf_get(ctx, CW_INTL_K_NUMBER, loc, cw_nf_open);
    UFormattedNumber *r = cw_intl_cached(ctx, CW_INTL_K_NRESULT, "", cw_nf_result, NULL, "Intl.NumberFormat");
    cw_nf_format_one(ctx, nf, x, r, &st);
    if (U_FAILURE(st))
        (void)cw_intl_throw(ctx, st, "Intl.NumberFormat");
    return r;
}

UFormattedNumberRange *cw_intl_number_range(duk_context *ctx, duk_idx_t loc, duk_idx_t x) {
    UErrorCode st = U_ZERO_ERROR;
    UNumberRangeFormatter *nf = cw_nf_get(ctx, CW_INTL_K_NRANGE, loc, cw_nrf_open);
    UFormattedNumberRange *r = cw_intl_cached(ctx, CW_INTL_K_RRESULT, "", cw_nrf_result, NULL, "Intl.NumberFormat");
    if (duk_is_string(ctx, x) || duk_is_string(ctx, x + 1)) {
        duk_size_t n1, n2;
        const char *a = duk_to_lstring(ctx, x, &n1), *b = duk_to_lstring(ctx, x + 1, &n2);
        unumrf_formatDecimalRange(nf, a, (int32_t)n1, b, (int32_t)n2, r, &st);
    } else {
        unumrf_formatDoubleRange(nf, duk_require_number(ctx, x), duk_require_number(ctx, x + 1), r, &st);
    }
    if (U_FAILURE(st))
        (void)cw_intl_throw(ctx, st, "Intl.NumberFormat");
    return r;
}

duk_ret_t cw_intl_number_op(duk_context *ctx, int op) {
    UErrorCode st = U_ZERO_ERROR;
    if (op == CW_ICU_CURRENCY_DIGITS) {
        UChar code[8];
        cw_intl_ascii_u16(ctx, 1, code, 8);
        int32_t d = ucurr_getDefaultFractionDigits(code, &st);
        duk_push_int(ctx, U_SUCCESS(st) ? d : 2);
        return 1;
    }
    if (op == CW_ICU_NF_FORMAT) {
        UFormattedNumber *r = cw_intl_number_format(ctx, 1, 3);
        const UFormattedValue *v = unumf_resultAsValue(r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.NumberFormat");
        cw_intl_push_value(ctx, v, duk_to_boolean(ctx, 4));
        return 1;
    }
    if (op == CW_ICU_NF_RANGE) {
        UFormattedNumberRange *r = cw_intl_number_range(ctx, 1, 3);
        const UFormattedValue *v = unumrf_resultAsValue(r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.NumberFormat");
        cw_intl_push_value(ctx, v, duk_to_boolean(ctx, 5));
        return 1;
    }
    return duk_range_error(ctx, "unknown number operation %d", op);
}
