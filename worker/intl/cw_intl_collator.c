/*
 * cw_intl_collator.c -- Intl.Collator and String.prototype.localeCompare:
 * the locale's CLDR collation (UCA with the locale's tailoring), with
 * ECMA-402's sensitivity, numeric, caseFirst and ignorePunctuation mapped to
 * ICU attributes as V8 maps them.
 *
 * Options arrive as one short string, "<sensitivity><numeric><caseFirst>
 * <ignorePunctuation>" (e.g. "v0f0"), which is also the cache key's tail;
 * `usage: "search"` is the -u-co-search keyword of the locale.
 */
#include "cw_intl_internal.h"
#include "cw_runtime.h"
#include "duktape/cw_duk_engine.h"

#include <string.h>

#include <unicode/ucol.h>
#include <unicode/uloc.h>

typedef struct {
    const char *locale;
    const char *opts;
} cw_coll_open_t;

static void *cw_coll_open(void *udata, UErrorCode *st) {
    cw_coll_open_t *o = udata;
    UCollator *c = ucol_open(o->locale, st);
    if (U_FAILURE(*st))
        return c;
    const char *p = o->opts;
    switch (p[0]) {
    case 'b': ucol_setStrength(c, UCOL_PRIMARY); break;
    case 'a': ucol_setStrength(c, UCOL_SECONDARY); break;
    case 'c':
        ucol_setStrength(c, UCOL_PRIMARY);
        ucol_setAttribute(c, UCOL_CASE_LEVEL, UCOL_ON, st);
        break;
    default: ucol_setStrength(c, UCOL_TERTIARY); break;
    }
    if (p[1] == '1')
        ucol_setAttribute(c, UCOL_NUMERIC_COLLATION, UCOL_ON, st);
    if (p[2] == 'u')
        ucol_setAttribute(c, UCOL_CASE_FIRST, UCOL_UPPER_FIRST, st);
    else if (p[2] == 'l')
        ucol_setAttribute(c, UCOL_CASE_FIRST, UCOL_LOWER_FIRST, st);
    else if (p[2] == 'f')
        ucol_setAttribute(c, UCOL_CASE_FIRST, UCOL_OFF, st);
    if (p[3] == '1')
        ucol_setAttribute(c, UCOL_ALTERNATE_HANDLING, UCOL_SHIFTED, st);
    return c;
}

static duk_ret_t cw_coll_compare(duk_context *ctx, UCollator *c, duk_idx_t ia, duk_idx_t ib);

duk_ret_t cw_intl_collator_op(duk_context *ctx, int op) {
    if (op != CW_ICU_COLL_COMPARE)
        return duk_range_error(ctx, "unknown collator operation %d", op);
    char key[300], loc[ULOC_FULLNAME_CAPACITY];
    if (cw_intl_key(ctx, key, sizeof(key), "co", 1, 2) != 0)
        return duk_range_error(ctx, "Incorrect locale information provided");
    UCollator *c = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_COLL, key);
    if (!c) {
        cw_coll_open_t o;
        o.locale = cw_intl_locale_id(ctx, 1, loc, sizeof(loc));
        o.opts = cw_intl_require_ascii(ctx, 2, 8);
        if (strlen(o.opts) < 4)
            return duk_range_error(ctx, "bad collator options");
        c = cw_intl_cached(ctx, CW_INTL_K_COLL, key, cw_coll_open, &o, "Intl.Collator");
    }
    return cw_coll_compare(ctx, c, 3, 4);
}

/* Compare the strings at ia and ib (ToString'd in that order) with c; push
 * -1, 0 or 1. */
static duk_ret_t cw_coll_compare(duk_context *ctx, UCollator *c, duk_idx_t ia, duk_idx_t ib) {
    duk_size_t la, lb;
    const char *sa = duk_to_lstring(ctx, ia, &la), *sb = duk_to_lstring(ctx, ib, &lb);
    UCollationResult r;
    /* Without surrogates (CESU-8 writes each as ED A0..BF xx) a Duktape
     * string is UTF-8 as it is: compare in place, no copy.  Sorting calls
     * this n log n times. */
    if (!memchr(sa, 0xed, la) && !memchr(sb, 0xed, lb) && la < INT32_MAX && lb < INT32_MAX) {
        UErrorCode st = U_ZERO_ERROR;
        r = ucol_strcollUTF8(c, sa, (int32_t)la, sb, (int32_t)lb, &st);
        if (U_FAILURE(st))
            return cw_intl_throw(ctx, st, "Intl.Collator");
    } else {
        int32_t na, nb;
        const UChar *a = cw_intl_get_u16(ctx, ia, &na);
        const UChar *b = cw_intl_get_u16(ctx, ib, &nb);
        r = ucol_strcoll(c, a, na, b, nb);
    }
    duk_push_int(ctx, r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0);
    return 1;
}

/*
 * String.prototype.localeCompare(that, locales, options), native: the form a
 * sort calls n log n times, `a.localeCompare(b)` with neither locales nor
 * options, compares at once with the default locale's collator (en-US,
 * ECMA-402's defaults: what `new Intl.Collator()` resolves to, "v0d0"),
 * kept in the heap's cache.  Through the script layers (locale.js, then
 * intl.js, then rt.icu with its cache key) each call cost ~2 us, and a sort
 * of 50,000 names 1.7 s against Node's 65 ms.  Any other call takes the
 * script path, rt.compareStrings, which resolves locales and options as
 * Intl.Collator does (loading intl.js first, as referencing Intl does).
 */
static duk_ret_t cw_intl_locale_compare(duk_context *ctx) {
    duk_push_this(ctx); /* [ that locales options this ] */
    if (duk_is_null_or_undefined(ctx, 3))
        return duk_type_error(ctx, "String.prototype.localeCompare called on null or undefined");
    duk_to_string(ctx, 3);
    if (duk_is_undefined(ctx, 1) && duk_is_undefined(ctx, 2)) {
        UCollator *c = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_COLL, "plain");
        if (!c) {
            cw_coll_open_t o = {"en-US", "v0d0"};
            c = cw_intl_cached(ctx, CW_INTL_K_COLL, "plain", cw_coll_open, &o, "Intl.Collator");
        }
        return cw_coll_compare(ctx, c, 3, 0);
    }
    duk_to_string(ctx, 0);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_INTL_STASH_RT);
    duk_idx_t rt = duk_get_top_index(ctx);
    duk_get_prop_string(ctx, rt, "compareStrings");
    if (!duk_is_function(ctx, -1)) { /* intl.js not loaded yet: referencing Intl loads it */
        duk_pop(ctx);
        duk_get_global_string(ctx, "Intl");
        duk_pop(ctx);
        duk_get_prop_string(ctx, rt, "initCollator");
        if (duk_is_function(ctx, -1)) {
            duk_dup(ctx, rt);
            duk_call_method(ctx, 0);
        }
        duk_pop(ctx);
        duk_get_prop_string(ctx, rt, "compareStrings");
        if (!duk_is_function(ctx, -1))
            return duk_error(ctx, DUK_ERR_ERROR, "Intl is not available");
    }
    duk_dup(ctx, rt);
    duk_dup(ctx, 3);
    duk_dup(ctx, 0);
    duk_dup(ctx, 1);
    duk_dup(ctx, 2);
    duk_call_method(ctx, 4);
    return 1;
}

#define CW_COLL_LOCALE DUK_HIDDEN_SYMBOL("cwCollLocale")
#define CW_COLL_OPTS DUK_HIDDEN_SYMBOL("cwCollOpts")

/* An Intl.Collator's bound compare(a, b): the collator's ICU locale and
 * options ride on the function; the comparison is the one rt.icu's
 * COLL_COMPARE makes, without the two script calls in front of it. */
static duk_ret_t cw_intl_bound_compare(duk_context *ctx) {
    duk_push_current_function(ctx); /* [ a b f ] */
    duk_get_prop_string(ctx, -1, CW_COLL_LOCALE);
    duk_get_prop_string(ctx, -2, CW_COLL_OPTS);
    duk_remove(ctx, -3); /* [ a b locale opts ] */
    duk_push_undefined(ctx);
    duk_insert(ctx, 0);  /* [ op a b locale opts ] */
    duk_insert(ctx, 1);  /* [ op opts a b locale ] */
    duk_insert(ctx, 1);  /* [ op locale opts a b ] */
    return cw_intl_collator_op(ctx, CW_ICU_COLL_COMPARE);
}

/* rt.collatorCompare(icuLocale, opts): a new bound compare function. */
static duk_ret_t cw_intl_make_compare(duk_context *ctx) {
    duk_require_string(ctx, 0);
    duk_require_string(ctx, 1);
    duk_push_c_function(ctx, cw_intl_bound_compare, 2);
    cw_duk_not_constructor(ctx, -1);
    duk_dup(ctx, 0);
    duk_put_prop_string(ctx, -2, CW_COLL_LOCALE);
    duk_dup(ctx, 1);
    duk_put_prop_string(ctx, -2, CW_COLL_OPTS);
    duk_get_global_string(ctx, "Function");
    duk_get_prop_string(ctx, -1, "prototype");
    duk_set_prototype(ctx, -3);
    duk_pop(ctx);
    duk_push_string(ctx, "length");
    duk_push_int(ctx, 2);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
    return 1;
}

void cw_intl_collator_install(duk_context *ctx, duk_idx_t rt) {
    cw_runtime_def_method(ctx, rt, "localeCompare", cw_intl_locale_compare, 3, 1, 0);
    cw_runtime_def_method(ctx, rt, "collatorCompare", cw_intl_make_compare, 2, 2, 0);
}
