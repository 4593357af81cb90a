/*
 * cw_intl.c -- the one native entry point of Intl, `rt.icu(op, ...)`, the
 * per-heap cache of ICU objects, and ICU's process-wide set-up.
 *
 * Why one function and not one per operation: every C function is an
 * object in every job heap, and most jobs never format anything; one
 * function costs one object in the sealed heap image.  The polyfills call
 * it with a small integer (cw_intl_internal.h) and plain strings/numbers.
 *
 * Why a cache: opening an ICU formatter costs 10-100 us (pattern
 * generation, data lookup) while using one costs ~1 us, and jobs format in
 * loops.  Objects are keyed by what they were opened for (locale and
 * options as one string), so a JavaScript object never holds a pointer: a
 * formatter that was evicted is simply opened again.  The cache has a fixed
 * number of slots and lives as long as the heap, which bounds what a job can
 * make ICU allocate outside its capped heap, and cw_intl_release() closes
 * everything when the heap is renewed.
 *
 * Confinement: executors run under a seccomp filter that kills `open`.
 * Debian's ICU data is a linked shared library, but ICU still probes for
 * data files first and reads the host's zone and locale lazily.
 * cw_intl_warmup() turns file access off (UDATA_NO_FILES), fixes the default
 * zone (UTC) and locale (en-US), and opens each kind of object once, before
 * the filter goes in.
 */
#include "cw_intl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/ucal.h>
#include <unicode/ucol.h>
#include <unicode/udat.h>
#include <unicode/udata.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/uldnames.h>
#include <unicode/ulistformatter.h>
#include <unicode/uloc.h>
#include <unicode/unumberformatter.h>
#include <unicode/unumberrangeformatter.h>
#include <unicode/upluralrules.h>
#include <unicode/ureldatefmt.h>

#define CW_INTL_STASH "cwIntl"
/* The runtime object's key in the heap stash (worker/cw_runtime.c). */

/* ---- cache --------------------------------------------------------------- */

void cw_intl_close(int kind, void *obj) {
    if (!obj)
        return;
    switch (kind) {
    case CW_INTL_K_NUMBER: unumf_close(obj); break;
    case CW_INTL_K_NRANGE: unumrf_close(obj); break;
    case CW_INTL_K_PLURAL: uplrules_close(obj); break;
    case CW_INTL_K_DATE: udat_close(obj); break;
    case CW_INTL_K_DTPG: udatpg_close(obj); break;
    case CW_INTL_K_DTITV: udtitvfmt_close(obj); break;
    case CW_INTL_K_COLL: ucol_close(obj); break;
    case CW_INTL_K_RELTIME: ureldatefmt_close(obj); break;
    case CW_INTL_K_LIST: ulistfmt_close(obj); break;
    case CW_INTL_K_LDN: uldn_close(obj); break;
    case CW_INTL_K_BRK: ubrk_close(obj); break;
    case CW_INTL_K_NRESULT: unumf_closeResult(obj); break;
    case CW_INTL_K_RRESULT: unumrf_closeResult(obj); break;
    case CW_INTL_K_IRESULT: udtitvfmt_closeResult(obj); break;
    case CW_INTL_K_LRESULT: ulistfmt_closeResult(obj); break;
    case CW_INTL_K_TRESULT: ureldatefmt_closeResult(obj); break;
    default: break;
    }
}

void *cw_intl_cache_get(cw_intl_t *c, int kind, const char *key) {
    for (int i = 0; i < CW_INTL_CACHE_MAX; i++) {
        cw_intl_entry_t *e = &c->e[i];
        if (e->kind == kind && strcmp(e->key, key) == 0) {
            e->used = ++c->clock;
            return e->obj;
        }
    }
    return NULL;
}

int cw_intl_cache_put(cw_intl_t *c, int kind, const char *key, void *obj) {
    char *k = strdup(key);
    if (!k) {
        cw_intl_close(kind, obj);
        return -1;
    }
    int slot = 0;
    for (int i = 0; i < CW_INTL_CACHE_MAX; i++) {
        if (!c->e[i].kind) {
            slot = i;
            break;
        }
        if (c->e[i].used < c->e[slot].used)
            slot = i;
    }
    cw_intl_entry_t *e = &c->e[slot];
    if (e->kind) {
        cw_intl_close(e->kind, e->obj);
        free(e->key);
    }
    e->kind = kind;
    e->key = k;
    e->obj = obj;
    e->used = ++c->clock;
    return 0;
}

void *cw_intl_cached(duk_context *ctx, int kind, const char *key, cw_intl_openfn open, void *udata,
                     const char *what) {
    cw_intl_t *c = cw_intl_of(ctx);
    void *obj = cw_intl_cache_get(c, kind, key);
    if (obj)
        return obj;
    UErrorCode st = U_ZERO_ERROR;
    obj = open(udata, &st);
    if (U_FAILURE(st) || !obj) {
        cw_intl_close(kind, obj);
        (void)cw_intl_throw(ctx, U_FAILURE(st) ? st : U_MEMORY_ALLOCATION_ERROR, what);
        return NULL;
    }
    if (cw_intl_cache_put(c, kind, key, obj) != 0)
        (void)duk_error(ctx, DUK_ERR_ERROR, "%s: out of memory", what);
    return obj;
}

void cw_intl_release(cw_intl_t *c) {
    if (!c)
        return;
    for (int i = 0; i < CW_INTL_CACHE_MAX; i++) {
        cw_intl_entry_t *e = &c->e[i];
        if (e->kind) {
            cw_intl_close(e->kind, e->obj);
            free(e->key);
        }
    }
    memset(c, 0, sizeof(*c));
}

cw_intl_t *cw_intl_of(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_INTL_STASH);
    cw_intl_t *c = duk_get_pointer(ctx, -1);
    duk_pop_2(ctx);
    if (!c)
        (void)duk_error(ctx, DUK_ERR_ERROR, "Intl is not available in this heap");
    return c;
}

int cw_intl_expired(duk_context *ctx) {
    duk_memory_functions f;
    duk_get_memory_functions(ctx, &f);
    return f.udata && cw_sandbox_timeout_check(f.udata);
}

/* ---- the entry point ----------------------------------------------------- */

static duk_ret_t cw_intl_icu(duk_context *ctx) {
    int op = duk_require_int(ctx, 0);
    if (op < 10)
        return cw_intl_locale_op(ctx, op);
    if (op < 13)
        return cw_intl_number_op(ctx, op);
    if (op < 20)
        return cw_intl_plural_op(ctx, op);
    if (op < 30)
        return cw_intl_date_op(ctx, op);
    if (op < 40)
        return cw_intl_collator_op(ctx, op);
    if (op == CW_ICU_SEGMENT || op == CW_ICU_SEG_TEXT)
        return cw_intl_segment_op(ctx, op);
    return cw_intl_text_op(ctx, op);
}

void cw_intl_install(duk_context *ctx, cw_intl_t *c) {
    duk_push_heap_stash(ctx);
    duk_push_pointer(ctx, c);
    duk_put_prop_string(ctx, -2, CW_INTL_STASH);
    duk_get_prop_string(ctx, -1, CW_INTL_STASH_RT);
    if (duk_is_object(ctx, -1)) {
        duk_push_c_function(ctx, cw_intl_icu, DUK_VARARGS);
        duk_put_prop_string(ctx, -2, "icu");
        cw_intl_collator_install(ctx, duk_get_top_index(ctx)); /* rt.localeCompare */
    }
    duk_pop_2(ctx);
}

/* ---- process set-up ------------------------------------------------------ */

static int cw_intl_fail(char *err, size_t n, const char *what, UErrorCode st) {
    if (n)
        snprintf(err, n, "ICU %s: %s", what, u_errorName(st));
    return -1;
}

int cw_intl_warmup(char *err, size_t err_size) {
    /* ICU's settings are process-wide by nature; this is their one switch. */
    static int done;
    if (done)
        return 0;
    done = 1;
    UErrorCode st = U_ZERO_ERROR;
    udata_setFileAccess(UDATA_NO_FILES, &st);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "data access", st);
    uloc_setDefault("en_US", &st);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "default locale", st);
    static const UChar utc[] = {'U', 'T', 'C', 0};
    ucal_setDefaultTimeZone(utc, &st);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "default time zone", st);

    /* One of each, in a locale other than the default, so that the
     * process-wide data (root, likely subtags, zone and metazone tables,
     * plural and break rules, the currency table) is loaded now. */
    static const UChar sk[] = {'c', 'u', 'r', 'r', 'e', 'n', 'c', 'y', '/', 'E', 'U', 'R', 0};
    UNumberFormatter *nf = unumf_openForSkeletonAndLocale(sk, -1, "de_DE", &st);
    UFormattedNumber *fn = unumf_openResult(&st);
    unumf_formatDouble(nf, 1234.5, fn, &st);
    unumf_closeResult(fn);
    unumf_close(nf);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "number format", st);
    static const UChar zone[] = {'E', 'u', 'r', 'o', 'p', 'e', '/', 'B', 'e', 'r', 'l', 'i', 'n', 0};
    UDateFormat *df = udat_open(UDAT_FULL, UDAT_FULL, "fr_FR", zone, -1, NULL, 0, &st);
    UChar out[256];
    udat_format(df, 1.7e12, out, 256, NULL, &st);
    udat_close(df);
    UDateTimePatternGenerator *pg = udatpg_open("ja_JP", &st);
    udatpg_close(pg);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "date format", st);
    UCollator *co = ucol_open("sv_SE", &st);
    ucol_close(co);
    UPluralRules *pr = uplrules_open("ru_RU", &st);
    uplrules_close(pr);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "en_US", NULL, 0, &st);
    ubrk_close(bi);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "collator/plural/break", st);
    /* The other services' process-wide data (list patterns, relative-time
     * units, display names, interval patterns), so that a job's first
     * use of them does not pay for it. */
    UListFormatter *lf = ulistfmt_openForType("de_DE", ULISTFMT_TYPE_AND, ULISTFMT_WIDTH_WIDE, &st);
    ulistfmt_close(lf);
    URelativeDateTimeFormatter *rf = ureldatefmt_open("es_ES", NULL, UDAT_STYLE_LONG, UDISPCTX_CAPITALIZATION_NONE, &st);
    ureldatefmt_close(rf);
    ULocaleDisplayNames *dn = uldn_open("it_IT", ULDN_STANDARD_NAMES, &st);
    if (U_SUCCESS(st)) {
        UChar name[64];
        uldn_localeDisplayName(dn, "fr_CA", name, 64, &st);
    }
    uldn_close(dn);
    static const UChar yMMMd[] = {'y', 'M', 'M', 'M', 'd', 0};
    UDateIntervalFormat *di = udtitvfmt_open("en_GB", yMMMd, -1, zone, -1, &st);
    udtitvfmt_close(di);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "list/relative/names/interval", st);
    /* Zone enumeration and the host zone are read once and cached. */
    UEnumeration *en = ucal_openTimeZones(&st);
    uenum_close(en);
    if (U_FAILURE(st))
        return cw_intl_fail(err, err_size, "time zones", st);
    return 0;
}
