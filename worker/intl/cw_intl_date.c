/*
 * cw_intl_date.c -- Intl.DateTimeFormat: patterns from CLDR skeletons,
 * formatting in an IANA time zone, date ranges, time zone names.
 *
 * The polyfill builds an ICU skeleton from the component options ("yMMMd",
 * "jjmm") as V8 does; the pattern generator turns it into the locale's
 * pattern, and a formatter is opened per (locale, pattern, zone) and cached
 * per heap.  ICU's zone data is part of its linked data (zoneinfo64), so
 * daylight-saving transitions come from there, not from the host.  The
 * calendar is made proleptic Gregorian, as ECMA-262 time values are (ICU's
 * default switches to Julian before October 1582).
 */
#include "cw_intl_internal.h"

#include <string.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/ufieldpositer.h>
#include <unicode/uloc.h>

#define CW_DT_PATTERN_MAX 256
#define CW_DT_FIELDS_MAX 64

typedef struct {
    const char *locale;
    UChar a[CW_DT_PATTERN_MAX]; /* pattern or skeleton */
    UChar tz[128];
} cw_dt_open_t;

static void *cw_dtpg_open(void *udata, UErrorCode *st) {
    cw_dt_open_t *o = udata;
    return udatpg_open(o->locale, st);
}

static void *cw_dt_open(void *udata, UErrorCode *st) {
    cw_dt_open_t *o = udata;
    UDateFormat *df = udat_open(UDAT_PATTERN, UDAT_PATTERN, o->locale, o->tz, -1, o->a, -1, st);
    if (U_FAILURE(*st))
        return df;
    UErrorCode st2 = U_ZERO_ERROR;
    UCalendar *cal = ucal_clone(udat_getCalendar(df), &st2);
    if (U_SUCCESS(st2)) {
        ucal_setGregorianChange(cal, -8.64e15, &st2);
        if (U_SUCCESS(st2))
            udat_setCalendar(df, cal);
    }
    if (cal)
        ucal_close(cal);
    return df;
}

static void *cw_dti_open(void *udata, UErrorCode *st) {
    cw_dt_open_t *o = udata;
    return udtitvfmt_open(o->locale, o->a, -1, o->tz, -1, st);
}

static void *cw_dti_result(void *udata, UErrorCode *st) {
    (void)udata;
    return udtitvfmt_openResult(st);
}

/* The zone at idx as UTF-16 (validated by the polyfill with TZ_CANON). */
static void cw_dt_zone(duk_context *ctx, duk_idx_t idx, UChar *tz) {
    cw_intl_ascii_u16(ctx, idx, tz, 128);
}

typedef struct {
    UDateTimePatternGenerator *pg;
    const UChar *skel;
} cw_dt_best_t;

static int32_t cw_dt_best(UChar *buf, int32_t cap, UErrorCode *st, void *udata) {
    cw_dt_best_t *b = udata;
    return udatpg_getBestPatternWithOptions(b->pg, b->skel, -1, UDATPG_MATCH_HOUR_FIELD_LENGTH, buf, cap, st);
}

static int32_t cw_dt_to_pattern(UChar *buf, int32_t cap, UErrorCode *st, void *udata) {
    return udat_toPattern(udata, 0, buf, cap, st);
}

static int32_t cw_dt_canon(UChar *buf, int32_t cap, UErrorCode *st, void *udata) {
    const UChar *id = udata;
    UBool system = 0;
    int32_t n = ucal_getCanonicalTimeZoneID(id, -1, buf, cap, &system, st);
    if (U_SUCCESS(*st) && !system)
        *st = U_ILLEGAL_ARGUMENT_ERROR;
    return n;
}

static int32_t cw_dt_default_zone(UChar *buf, int32_t cap, UErrorCode *st, void *udata) {
    (void)udata;
    return ucal_getDefaultTimeZone(buf, cap, st);
}

duk_ret_t cw_intl_date_op(duk_context *ctx, int op) {
    UErrorCode st = U_ZERO_ERROR;
    char key[CW_DT_PATTERN_MAX * 2 + 400], loc[ULOC_FULLNAME_CAPACITY];
    cw_dt_open_t o;
    switch (op) {
    case CW_ICU_DT_PATTERN: {
        int ds = duk_get_int_default(ctx, 3, -1), ts = duk_get_int_default(ctx, 4, -1);
        o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
        if (ds >= 0 || ts >= 0) {
            if (ds > 3 || ts > 3)
                return duk_range_error(ctx, "bad style");
            UDateFormat *df = udat_open(ts >= 0 ? (UDateFormatStyle)ts : UDAT_NONE,
                                        ds >= 0 ? (UDateFormatStyle)ds : UDAT_NONE, o.locale, NULL, 0, NULL, 0, &st);
            if (U_FAILURE(st)) {
                if (df)
                    udat_close(df);
                return cw_intl_throw(ctx, st, "Intl.DateTimeFormat");
            }
            /* The formatter must be closed before anything can throw: take
             * the pattern into a stack buffer first. */
            UChar pat[CW_DT_PATTERN_MAX];
            int32_t n = udat_toPattern(df, 0, pat, CW_DT_PATTERN_MAX, &st);
            udat_close(df);
            (void)cw_dt_to_pattern;
            if (U_FAILURE(st) || n >= CW_DT_PATTERN_MAX)
                return cw_intl_throw(ctx, U_FAILURE(st) ? st : U_BUFFER_OVERFLOW_ERROR, "Intl.DateTimeFormat");
            cw_intl_push_u16(ctx, pat, n);
            return 1;
        }
        if (cw_intl_key(ctx, key, sizeof(key), "pg", 1, 1) != 0)
            return duk_range_error(ctx, "Incorrect locale information provided");
        cw_dt_best_t b;
        b.pg = cw_intl_cached(ctx, CW_INTL_K_DTPG, key, cw_dtpg_open, &o, "Intl.DateTimeFormat");
        b.skel = cw_intl_ascii_u16(ctx, 2, o.a, CW_DT_PATTERN_MAX);
        return cw_intl_push_produced(ctx, cw_dt_best, &b, "Intl.DateTimeFormat");
    }
    case CW_ICU_DT_FORMAT: {
        if (cw_intl_key(ctx, key, sizeof(key), "dt", 1, 3) != 0)
            return duk_range_error(ctx, "date format options too long");
        UDateFormat *df = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_DATE, key);
        if (!df) {
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            duk_size_t plen;
            const char *p = duk_require_lstring(ctx, 2, &plen);
            /* The pattern may hold literal text in any script: UTF-16 it. */
            int32_t n;
            (void)p;
            UChar *pu = cw_intl_get_u16(ctx, 2, &n);
            if (n >= CW_DT_PATTERN_MAX)
                return duk_range_error(ctx, "date pattern too long");
            memcpy(o.a, pu, ((size_t)n + 1) * sizeof(UChar));
            duk_pop(ctx);
            cw_dt_zone(ctx, 3, o.tz);
            df = cw_intl_cached(ctx, CW_INTL_K_DATE, key, cw_dt_open, &o, "Intl.DateTimeFormat");
        }
        double t = duk_require_number(ctx, 4);
        int parts = duk_to_boolean(ctx, 5);
        UChar small[512];
        int32_t fields[CW_DT_FIELDS_MAX * 3];
        int nf = 0;
        UFieldPositionIterator *it = NULL;
        if (parts) {
            it = ufieldpositer_open(&st);
            if (U_FAILURE(st))
                return cw_intl_throw(ctx, st, "Intl.DateTimeFormat");
        }
        int32_t n = udat_formatForFields(df, t, small, 512, it, &st);
        if (it) {
            int32_t b, e, f;
            while (nf < CW_DT_FIELDS_MAX && (f = ufieldpositer_next(it, &b, &e)) >= 0) {
                fields[3 * nf] = f, fields[3 * nf + 1] = b, fields[3 * nf + 2] = e;
                nf++;
            }
            ufieldpositer_close(it);
        }
        if (U_FAILURE(st) || n >= 512) /* a formatted date is never that long */
            return cw_intl_throw(ctx, U_FAILURE(st) ? st : U_BUFFER_OVERFLOW_ERROR, "Intl.DateTimeFormat");
        if (!parts) {
            cw_intl_push_u16(ctx, small, n);
            return 1;
        }
        duk_push_array(ctx);
        cw_intl_push_u16(ctx, small, n);
        duk_put_prop_index(ctx, -2, 0);
        duk_push_array(ctx);
        for (int i = 0; i < 3 * nf; i++) {
            duk_push_int(ctx, fields[i]);
            duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
        }
        duk_put_prop_index(ctx, -2, 1);
        return 1;
    }
    case CW_ICU_DT_RANGE: {
        if (cw_intl_key(ctx, key, sizeof(key), "di", 1, 3) != 0)
            return duk_range_error(ctx, "date format options too long");
        UDateIntervalFormat *fi = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_DTITV, key);
        if (!fi) {
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            cw_intl_ascii_u16(ctx, 2, o.a, CW_DT_PATTERN_MAX);
            cw_dt_zone(ctx, 3, o.tz);
            fi = cw_intl_cached(ctx, CW_INTL_K_DTITV, key, cw_dti_open, &o, "Intl.DateTimeFormat");
        }
        UFormattedDateInterval *r =
            cw_intl_cached(ctx, CW_INTL_K_IRESULT, "", cw_dti_result, NULL, "Intl.DateTimeFormat");
        udtitvfmt_formatToResult(fi, duk_require_number(ctx, 4), duk_require_number(ctx, 5), r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.DateTimeFormat");
        const UFormattedValue *v = udtitvfmt_resultAsValue(r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.DateTimeFormat");
        cw_intl_push_value(ctx, v, duk_to_boolean(ctx, 6));
        return 1;
    }
    case CW_ICU_TZ_CANON: {
        UChar id[128];
        duk_size_t n;
        (void)duk_require_lstring(ctx, 1, &n);
        if (n >= 128) {
            duk_push_undefined(ctx);
            return 1;
        }
        cw_intl_ascii_u16(ctx, 1, id, 128);
        UChar out[128];
        UBool system = 0;
        int32_t len = ucal_getCanonicalTimeZoneID(id, -1, out, 128, &system, &st);
        (void)cw_dt_canon;
        if (U_FAILURE(st) || !system || len >= 128)
            duk_push_undefined(ctx);
        else
            cw_intl_push_u16(ctx, out, len);
        return 1;
    }
    case CW_ICU_DT_SKELETON: {
        int32_t n;
        UChar *pu = cw_intl_get_u16(ctx, 1, &n);
        UChar sk[CW_DT_PATTERN_MAX];
        int32_t len = udatpg_getSkeleton(NULL, pu, n, sk, CW_DT_PATTERN_MAX, &st);
        if (U_FAILURE(st) || len >= CW_DT_PATTERN_MAX)
            return cw_intl_throw(ctx, U_FAILURE(st) ? st : U_BUFFER_OVERFLOW_ERROR, "Intl.DateTimeFormat");
        cw_intl_push_u16(ctx, sk, len);
        return 1;
    }
    case CW_ICU_TZ_DEFAULT:
        return cw_intl_push_produced(ctx, cw_dt_default_zone, NULL, "time zone");
    default:
        return duk_range_error(ctx, "unknown date operation %d", op);
    }
}
