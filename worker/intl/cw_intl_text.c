/*
 * cw_intl_text.c -- the formatters of words rather than numbers and dates:
 * Intl.RelativeTimeFormat ("in 3 days", "gestern"), Intl.ListFormat ("a, b
 * and c"), Intl.DisplayNames (language, region, script, currency, calendar
 * and date-field names) and Intl.supportedValuesOf's lists.
 */
#include "cw_intl_internal.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ucol.h>
#include <unicode/ucurr.h>
#include <unicode/udatpg.h>
#include <unicode/uenum.h>
#include <unicode/uldnames.h>
#include <unicode/ulistformatter.h>
#include <unicode/uloc.h>
#include <unicode/unumsys.h>
#include <unicode/ureldatefmt.h>

/* Code units a list may hold in all: its formatted copy lives in ICU. */
#define CW_LIST_MAX_UNITS ((int64_t)1 << 24)

typedef struct {
    const char *locale;
    int a, b, c;
} cw_txt_open_t;

static void *cw_rt_open(void *udata, UErrorCode *st) {
    cw_txt_open_t *o = udata;
    static const UDateRelativeDateTimeFormatterStyle styles[] = {UDAT_STYLE_LONG, UDAT_STYLE_SHORT,
                                                                 UDAT_STYLE_NARROW};
    return ureldatefmt_open(o->locale, NULL, styles[o->a], UDISPCTX_CAPITALIZATION_NONE, st);
}
static void *cw_rt_result(void *udata, UErrorCode *st) {
    (void)udata;
    return ureldatefmt_openResult(st);
}

static void *cw_list_open(void *udata, UErrorCode *st) {
    cw_txt_open_t *o = udata;
    return ulistfmt_openForType(o->locale, (UListFormatterType)o->a, (UListFormatterWidth)o->b, st);
}
static void *cw_list_result(void *udata, UErrorCode *st) {
    (void)udata;
    return ulistfmt_openResult(st);
}

static void *cw_ldn_open(void *udata, UErrorCode *st) {
    cw_txt_open_t *o = udata;
    UDisplayContext ctxs[3] = {o->b ? UDISPCTX_DIALECT_NAMES : UDISPCTX_STANDARD_NAMES,
                               o->a ? UDISPCTX_LENGTH_SHORT : UDISPCTX_LENGTH_FULL, UDISPCTX_NO_SUBSTITUTE};
    return uldn_openForContext(o->locale, ctxs, 3, st);
}

static void *cw_pg_open(void *udata, UErrorCode *st) {
    cw_txt_open_t *o = udata;
    return udatpg_open(o->locale, st);
}

typedef struct {
    ULocaleDisplayNames *ldn;
    int type;
    const char *code;
} cw_dn_t;

static int32_t cw_dn_name(UChar *buf, int32_t cap, UErrorCode *st, void *udata) {
    cw_dn_t *d = udata;
    switch (d->type) {
    case 0: return uldn_localeDisplayName(d->ldn, d->code, buf, cap, st);
    case 1: return uldn_regionDisplayName(d->ldn, d->code, buf, cap, st);
    case 2: return uldn_scriptDisplayName(d->ldn, d->code, buf, cap, st);
    default: return uldn_keyValueDisplayName(d->ldn, "calendar", d->code, buf, cap, st);
    }
}

/* (key) -> the sorted list of values ICU knows, for supportedValuesOf. */
static duk_ret_t cw_txt_supported(duk_context *ctx) {
    const char *k = cw_intl_require_ascii(ctx, 1, 32);
    UErrorCode st = U_ZERO_ERROR;
    UEnumeration *e = NULL;
    size_t need = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (strcmp(k, "currency") == 0)
            e = ucurr_openISOCurrencies(UCURR_COMMON | UCURR_NON_DEPRECATED, &st);
        else if (strcmp(k, "zoneIds") == 0) /* every id and alias, for case-blind lookup */
            e = ucal_openTimeZones(&st);
        else if (strcmp(k, "timeZone") == 0)
            e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION, NULL, NULL, &st);
        else if (strcmp(k, "calendar") == 0)
            e = ucal_getKeywordValuesForLocale("calendar", "und", 0, &st);
        else if (strcmp(k, "collation") == 0)
            e = ucol_getKeywordValues("collation", &st);
        else if (strcmp(k, "numberingSystem") == 0)
            e = unumsys_openAvailableNames(&st);
        else
            return duk_range_error(ctx, "Invalid key : %s", k);
        if (U_FAILURE(st)) {
            if (e)
                uenum_close(e);
            return cw_intl_throw(ctx, st, "supportedValuesOf");
        }
        /* Pass 0 sizes a buffer on the Duktape stack (which may throw, so
         * with the enumeration closed); pass 1 fills it. */
        size_t total = 0;
        char *buf = pass ? duk_get_buffer(ctx, -1, NULL) : NULL;
        const char *s;
        int32_t len;
        while ((s = uenum_next(e, &len, &st)) != NULL && U_SUCCESS(st)) {
            if (pass && total + (size_t)len + 1 <= need)
                memcpy(buf + total, s, (size_t)len + 1);
            total += (size_t)len + 1;
        }
        uenum_close(e);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "supportedValuesOf");
        if (!pass) {
            need = total;
            duk_push_fixed_buffer(ctx, total + 1);
        } else {
            duk_push_array(ctx);
            duk_uarridx_t i = 0;
            for (size_t p = 0; p < total && p < need; p += strlen(buf + p) + 1) {
                duk_push_string(ctx, buf + p);
                duk_put_prop_index(ctx, -2, i++);
            }
        }
    }
    return 1;
}

duk_ret_t cw_intl_text_op(duk_context *ctx, int op) {
    UErrorCode st = U_ZERO_ERROR;
    char key[400], loc[ULOC_FULLNAME_CAPACITY];
    cw_intl_t *c = cw_intl_of(ctx);
    cw_txt_open_t o;
    switch (op) {
    case CW_ICU_RT_FORMAT: { /* (locale, style, numericAlways, value, unit, parts) */
        int style = duk_require_int(ctx, 2), unit = duk_require_int(ctx, 5);
        if (style < 0 || style > 2 || unit < 0 || unit > UDAT_REL_UNIT_SATURDAY)
            return duk_range_error(ctx, "bad relative time options");
        duk_push_int(ctx, style);
        duk_to_string(ctx, -1);
        duk_replace(ctx, 2);
        if (cw_intl_key(ctx, key, sizeof(key), "rt", 1, 2) != 0)
            return duk_range_error(ctx, "Incorrect locale information provided");
        URelativeDateTimeFormatter *f = cw_intl_cache_get(c, CW_INTL_K_RELTIME, key);
        if (!f) {
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            o.a = style;
            f = cw_intl_cached(ctx, CW_INTL_K_RELTIME, key, cw_rt_open, &o, "Intl.RelativeTimeFormat");
        }
        UFormattedRelativeDateTime *r =
            cw_intl_cached(ctx, CW_INTL_K_TRESULT, "", cw_rt_result, NULL, "Intl.RelativeTimeFormat");
        double v = duk_require_number(ctx, 4);
        if (duk_to_boolean(ctx, 3))
            ureldatefmt_formatNumericToResult(f, v, (URelativeDateTimeUnit)unit, r, &st);
        else
            ureldatefmt_formatToResult(f, v, (URelativeDateTimeUnit)unit, r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.RelativeTimeFormat");
        const UFormattedValue *fv = ureldatefmt_resultAsValue(r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.RelativeTimeFormat");
        cw_intl_push_value(ctx, fv, duk_to_boolean(ctx, 6));
        return 1;
    }
    case CW_ICU_LIST_FORMAT: { /* (locale, type, width, items, parts) */
        int type = duk_require_int(ctx, 2), width = duk_require_int(ctx, 3);
        if (type < 0 || type > 2 || width < 0 || width > 2)
            return duk_range_error(ctx, "bad list options");
        char tail[3] = {(char)('0' + type), (char)('0' + width), 0};
        duk_push_string(ctx, tail);
        duk_replace(ctx, 2);
        if (cw_intl_key(ctx, key, sizeof(key), "lf", 1, 2) != 0)
            return duk_range_error(ctx, "Incorrect locale information provided");
        UListFormatter *f = cw_intl_cache_get(c, CW_INTL_K_LIST, key);
        if (!f) {
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            o.a = type, o.b = width;
            f = cw_intl_cached(ctx, CW_INTL_K_LIST, key, cw_list_open, &o, "Intl.ListFormat");
        }
        duk_uarridx_t n = (duk_uarridx_t)duk_get_length(ctx, 4);
        if (n > 1000000)
            return duk_range_error(ctx, "list too long");
        const UChar **items = duk_push_fixed_buffer(ctx, (n + 1) * sizeof(UChar *));
        int32_t *lens = duk_push_fixed_buffer(ctx, (n + 1) * sizeof(int32_t));
        duk_idx_t base = duk_get_top(ctx);
        duk_require_stack(ctx, (duk_idx_t)n + 8);
        int64_t total = 0;
        for (duk_uarridx_t i = 0; i < n; i++) {
            duk_get_prop_index(ctx, 4, i);
            duk_to_string(ctx, -1);
            items[i] = cw_intl_get_u16(ctx, -1, &lens[i]);
            duk_remove(ctx, -2); /* keep only the UTF-16 buffer */
            total += lens[i];
            /* ICU builds the result outside the job's heap: bound it. */
            if (total > CW_LIST_MAX_UNITS)
                return duk_range_error(ctx, "Intl.ListFormat: the list is too long");
        }
        UFormattedList *r = cw_intl_cached(ctx, CW_INTL_K_LRESULT, "", cw_list_result, NULL, "Intl.ListFormat");
        ulistfmt_formatStringsToResult(f, items, lens, (int32_t)n, r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.ListFormat");
        const UFormattedValue *fv = ulistfmt_resultAsValue(r, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.ListFormat");
        cw_intl_push_value(ctx, fv, duk_to_boolean(ctx, 5));
        duk_replace(ctx, base);
        duk_set_top(ctx, base + 1);
        return 1;
    }
    case CW_ICU_DN_OF: { /* (locale, type, style, dialect, code) */
        int type = duk_require_int(ctx, 2), style = duk_require_int(ctx, 3), dialect = duk_to_boolean(ctx, 4);
        const char *code = cw_intl_require_ascii(ctx, 5, 64);
        if (type == 3) { /* currency */
            UChar cur[4];
            if (strlen(code) != 3)
                return duk_range_error(ctx, "invalid currency code");
            cw_intl_ascii_u16(ctx, 5, cur, 4);
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            int32_t len = 0;
            UBool plural = 0;
            /* The long name whatever the style, as V8 gives it. */
            const UChar *name = ucurr_getName(cur, o.locale, UCURR_LONG_NAME, &plural, &len, &st);
            if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING || !name)
                duk_push_undefined(ctx);
            else
                cw_intl_push_u16(ctx, name, len);
            return 1;
        }
        if (type == 5) { /* dateTimeField */
            int field = atoi(code);
            if (field < 0 || field >= UDATPG_FIELD_COUNT)
                return duk_range_error(ctx, "invalid dateTimeField");
            if (cw_intl_key(ctx, key, sizeof(key), "pg", 1, 1) != 0)
                return duk_range_error(ctx, "Incorrect locale information provided");
            UDateTimePatternGenerator *pg = cw_intl_cache_get(c, CW_INTL_K_DTPG, key);
            if (!pg) {
                o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
                pg = cw_intl_cached(ctx, CW_INTL_K_DTPG, key, cw_pg_open, &o, "Intl.DisplayNames");
            }
            UChar out[128];
            int32_t len = udatpg_getFieldDisplayName(pg, (UDateTimePatternField)field,
                                                     style == 0 ? UDATPG_WIDE : style == 1 ? UDATPG_ABBREVIATED : UDATPG_NARROW,
                                                     out, 128, &st);
            if (U_FAILURE(st) || len >= 128 || len == 0)
                duk_push_undefined(ctx);
            else
                cw_intl_push_u16(ctx, out, len);
            return 1;
        }
        if (type < 0 || type > 4)
            return duk_range_error(ctx, "invalid display names type");
        char tail[3] = {(char)('0' + (style ? 1 : 0)), (char)('0' + dialect), 0};
        duk_push_string(ctx, tail);
        duk_replace(ctx, 2);
        if (cw_intl_key(ctx, key, sizeof(key), "dn", 1, 2) != 0)
            return duk_range_error(ctx, "Incorrect locale information provided");
        cw_dn_t d;
        d.ldn = cw_intl_cache_get(c, CW_INTL_K_LDN, key);
        if (!d.ldn) {
            o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
            o.a = style ? 1 : 0, o.b = dialect;
            d.ldn = cw_intl_cached(ctx, CW_INTL_K_LDN, key, cw_ldn_open, &o, "Intl.DisplayNames");
        }
        char id[ULOC_FULLNAME_CAPACITY];
        d.type = type;
        d.code = code;
        if (type == 0)
            d.code = cw_intl_locale_id(ctx, 5, id, sizeof(id));
        UChar small[256];
        int32_t len = cw_dn_name(small, 256, &st, &d);
        if (U_FAILURE(st) || len <= 0 || len >= 256 || st == U_USING_DEFAULT_WARNING)
            duk_push_undefined(ctx);
        else
            cw_intl_push_u16(ctx, small, len);
        return 1;
    }
    case CW_ICU_SUPPORTED:
        return cw_txt_supported(ctx);
    default:
        return duk_range_error(ctx, "unknown operation %d", op);
    }
}
