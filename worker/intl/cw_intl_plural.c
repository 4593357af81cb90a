/*
 * cw_intl_plural.c -- Intl.PluralRules: the CLDR plural category of a
 * number as the job formats it.
 *
 * The category depends on the visible digits ("1" is "one" in English,
 * "1.0" is "other"), so the number is first formatted with the rules'
 * digit options (a skeleton, as NumberFormat builds it) and ICU selects on
 * that formatted number, as V8 does.
 */
#include "cw_intl_internal.h"

#include <string.h>

#include <unicode/uenum.h>
#include <unicode/uloc.h>
#include <unicode/upluralrules.h>

typedef struct {
    const char *locale;
    UPluralType type;
} cw_pl_open_t;

static void *cw_pl_open(void *udata, UErrorCode *st) {
    cw_pl_open_t *o = udata;
    return uplrules_openForType(o->locale, o->type, st);
}

/* Rules for (locale at 1, ordinal at 2). */
static UPluralRules *cw_pl_get(duk_context *ctx) {
    char key[256], loc[ULOC_FULLNAME_CAPACITY];
    int ordinal = duk_to_boolean(ctx, 2);
    if (cw_intl_key(ctx, key, sizeof(key), ordinal ? "plo" : "plc", 1, 1) != 0)
        (void)duk_range_error(ctx, "Incorrect locale information provided");
    void *obj = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_PLURAL, key);
    if (obj)
        return obj;
    cw_pl_open_t o = {cw_intl_locale_id(ctx, 1, loc, sizeof(loc)), ordinal ? UPLURAL_TYPE_ORDINAL : UPLURAL_TYPE_CARDINAL};
    return cw_intl_cached(ctx, CW_INTL_K_PLURAL, key, cw_pl_open, &o, "Intl.PluralRules");
}

duk_ret_t cw_intl_plural_op(duk_context *ctx, int op) {
    UErrorCode st = U_ZERO_ERROR;
    UChar kw[32];
    if (op == CW_ICU_PL_SELECT || op == CW_ICU_PL_RANGE) {
        UPluralRules *pr = cw_pl_get(ctx);
        /* [op locale ordinal skeleton x (y)] -> the number formatter wants
         * (locale, skeleton) adjacent: copy the locale after the skeleton. */
        duk_dup(ctx, 1);
        duk_insert(ctx, 3); /* [op locale ordinal locale skeleton x (y)] */
        int32_t n;
        if (op == CW_ICU_PL_SELECT) {
            UFormattedNumber *r = cw_intl_number_format(ctx, 3, 5);
            n = uplrules_selectFormatted(pr, r, kw, 32, &st);
        } else {
            UFormattedNumberRange *r = cw_intl_number_range(ctx, 3, 5);
            n = uplrules_selectForRange(pr, r, kw, 32, &st);
        }
        if (U_FAILURE(st) || n >= 32)
            return cw_intl_throw(ctx, st, "Intl.PluralRules");
        cw_intl_push_u16(ctx, kw, n);
        return 1;
    }
    if (op == CW_ICU_PL_CATEGORIES) {
        UPluralRules *pr = cw_pl_get(ctx);
        UEnumeration *e = uplrules_getKeywords(pr, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.PluralRules");
        /* Copy out (at most six categories) before touching Duktape. */
        char names[8][16];
        int count = 0;
        const char *k;
        int32_t len;
        while (count < 8 && (k = uenum_next(e, &len, &st)) != NULL && U_SUCCESS(st))
            if (len < 16)
                memcpy(names[count++], k, (size_t)len + 1);
        uenum_close(e);
        duk_push_array(ctx);
        for (int i = 0; i < count; i++) {
            duk_push_string(ctx, names[i]);
            duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
        }
        return 1;
    }
    return duk_range_error(ctx, "unknown plural operation %d", op);
}
