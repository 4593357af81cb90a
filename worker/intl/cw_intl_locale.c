/*
 * cw_intl_locale.c -- locale tags: canonical form (Intl.getCanonicalLocales
 * and every constructor's locale argument), which locale ICU has data for
 * (resolvedOptions().locale), likely subtags (Intl.Locale maximize /
 * minimize) and a locale's defaults (numbering system, calendar, hour
 * cycle).
 *
 * Resolution is ECMA-402's lookup: the requested tag without extensions,
 * then shorter and shorter prefixes, until ICU has the locale (directly or
 * through its likely subtags: zh-CN is available as zh_Hans_CN).  V8 uses
 * ICU's best-fit matcher, which gives the same answer for the tags agents
 * write; a locale nothing matches falls back to the default, en-US.
 */
#include "cw_intl_internal.h"

#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ucol.h>
#include <unicode/uloc.h>
#include <unicode/unumsys.h>

static int cw_loc_available(const char *id, int collator) {
    int32_t n = collator ? ucol_countAvailable() : uloc_countAvailable();
    for (int32_t i = 0; i < n; i++) {
        const char *a = collator ? ucol_getAvailable(i) : uloc_getAvailable(i);
        if (a && strcmp(a, id) == 0)
            return 1;
    }
    return 0;
}

static void cw_loc_push_tag(duk_context *ctx, const char *id) {
    char tag[ULOC_FULLNAME_CAPACITY];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = uloc_toLanguageTag(id, tag, sizeof(tag), 1, &st);
    if (U_FAILURE(st) || n <= 0 || n >= (int32_t)sizeof(tag))
        duk_push_undefined(ctx);
    else
        duk_push_lstring(ctx, tag, (duk_size_t)n);
}

duk_ret_t cw_intl_locale_op(duk_context *ctx, int op) {
    char id[ULOC_FULLNAME_CAPACITY], other[ULOC_FULLNAME_CAPACITY];
    UErrorCode st = U_ZERO_ERROR;
    switch (op) {
    case CW_ICU_LOC_CANON: {
        duk_size_t n;
        const char *tag = duk_require_lstring(ctx, 1, &n);
        int32_t parsed = 0;
        int ok = n > 0 && n < 200 && strlen(tag) == n;
        for (duk_size_t i = 0; ok && i < n; i++)
            ok = (tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= 'A' && tag[i] <= 'Z') ||
                 (tag[i] >= '0' && tag[i] <= '9') || tag[i] == '-';
        if (ok) {
            int32_t len = uloc_forLanguageTag(tag, id, sizeof(id), &parsed, &st);
            ok = U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING && len >= 0 && (duk_size_t)parsed == n;
        }
        if (!ok) {
            duk_push_undefined(ctx);
            return 1;
        }
        cw_loc_push_tag(ctx, id);
        return 1;
    }
    case CW_ICU_LOC_RESOLVE: {
        int collator = duk_get_int_default(ctx, 2, 0) == 1; /* Intl.Collator: ICU's collator list */
        cw_intl_locale_id(ctx, 1, id, sizeof(id));
        for (;;) {
            st = U_ZERO_ERROR;
            int32_t n = uloc_addLikelySubtags(id, other, sizeof(other), &st);
            if (cw_loc_available(id, collator) ||
                (U_SUCCESS(st) && n < (int32_t)sizeof(other) && cw_loc_available(other, collator))) {
                cw_loc_push_tag(ctx, id);
                return 1;
            }
            char *cut = strrchr(id, '_');
            if (!cut)
                break;
            *cut = '\0';
            while (cut > id && cut[-1] == '_') /* "en__POSIX" */
                *--cut = '\0';
        }
        duk_push_undefined(ctx);
        return 1;
    }
    case CW_ICU_LOC_LIKELY: {
        cw_intl_locale_id(ctx, 1, id, sizeof(id));
        int32_t n = duk_to_boolean(ctx, 2) ? uloc_addLikelySubtags(id, other, sizeof(other), &st)
                                           : uloc_minimizeSubtags(id, other, sizeof(other), &st);
        if (U_FAILURE(st) || n >= (int32_t)sizeof(other))
            return cw_intl_throw(ctx, st, "Intl.Locale");
        cw_loc_push_tag(ctx, other);
        return 1;
    }
    case CW_ICU_LOC_DEFAULTS: { /* (tag, withCalendar) -> [numberingSystem, calendar] */
        cw_intl_locale_id(ctx, 1, id, sizeof(id));
        char nu[32] = "latn", ca[32] = "gregorian";
        UNumberingSystem *ns = unumsys_open(id, &st);
        if (U_SUCCESS(st) && ns) {
            const char *name = unumsys_getName(ns);
            if (name && strlen(name) < sizeof(nu))
                strcpy(nu, name);
        }
        if (ns)
            unumsys_close(ns);
        if (duk_to_boolean(ctx, 2)) { /* only DateTimeFormat needs it: ucal_open is not free */
            st = U_ZERO_ERROR;
            UCalendar *cal = ucal_open(NULL, 0, id, UCAL_DEFAULT, &st);
            if (U_SUCCESS(st) && cal) {
                const char *t = ucal_getType(cal, &st);
                if (U_SUCCESS(st) && t && strlen(t) < sizeof(ca))
                    strcpy(ca, t);
            }
            if (cal)
                ucal_close(cal);
        }
        duk_push_array(ctx);
        duk_push_string(ctx, nu);
        duk_put_prop_index(ctx, -2, 0);
        duk_push_string(ctx, ca);
        duk_put_prop_index(ctx, -2, 1);
        return 1;
    }
    default:
        return duk_range_error(ctx, "unknown locale operation %d", op);
    }
}
