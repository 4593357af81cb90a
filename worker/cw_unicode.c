/*
 * cw_unicode.c -- the Unicode String methods Duktape 2.7 lacks, through ICU.
 *
 *   String.prototype.normalize([form])       NFC (default), NFD, NFKC, NFKD
 *   String.prototype.isWellFormed()          no lone surrogate
 *   String.prototype.toWellFormed()          lone surrogates become U+FFFD
 *   String.prototype.toLocaleUpperCase([locales])
 *   String.prototype.toLocaleLowerCase([locales])
 *   String.prototype.toUpperCase(), toLowerCase()
 *
 * V8 runs the same ICU operations (unorm2 normalizers, u_strToUpper/Lower
 * with the locale's language: Turkish and Azeri dotted/dotless i, Lithuanian
 * dot retention, Greek accent removal when upper-casing), so the answers are
 * Node's up to the Unicode version of the ICU each ships.  toUpperCase and
 * toLowerCase are replaced too: Duktape's tables apply the special casing
 * (ß -> SS, final sigma) but stop at the BMP and at an older Unicode (no
 * Deseret, no U+A7C0), so anything beyond ASCII goes through ICU's root
 * mapping; ASCII is mapped in place.
 *
 * Strings inside Duktape are CESU-8-like: a character outside the BMP that
 * JavaScript built is two 3-byte surrogate encodings, while text pushed from
 * C may hold 4-byte UTF-8.  Both are read into UTF-16 here (a 4-byte
 * sequence becomes its surrogate pair, a stray byte U+FFFD), ICU works on
 * UTF-16, and the result goes back as CESU-8, the form Duktape itself makes.
 *
 * The UTF-16 copies live outside the job's capped heap, in malloc'd memory
 * bounded by the input: at most one UTF-16 unit per input byte, and an
 * output of at most CW_UNI_MAX_UNITS units (a longer result is a RangeError,
 * "Invalid string length", as V8 says for strings past its maximum).  The
 * result is then copied into the heap, where the job's memory cap applies.
 * The job's deadline is checked before and after each ICU call; ICU's work
 * is linear in the input, so a call cannot outlast the supervisor's kill.
 */
#include "cw_unicode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "cw_runtime.h"
#include "cw_utf8.h"

#define CW_UNI_MAX_UNITS ((int32_t)1 << 27) /* 128 Mi UTF-16 units = 256 MiB outside the heap */

int cw_sandbox_timeout_check(void *udata); /* worker/cw_sandbox.c */

/* The job's deadline: past it, throw (the sandbox reports TIMEOUT). */
static void cw_uni_deadline(duk_context *ctx) {
    duk_memory_functions funcs;
    duk_get_memory_functions(ctx, &funcs);
    if (cw_sandbox_timeout_check(funcs.udata))
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "execution timeout");
}

/* `this` as a string (TypeError for null/undefined, as V8). */
static const char *cw_uni_this(duk_context *ctx, const char *method, duk_size_t *len) {
    duk_push_this(ctx);
    if (duk_is_null_or_undefined(ctx, -1))
        (void)duk_error(ctx, DUK_ERR_TYPE_ERROR, "String.prototype.%s called on null or undefined", method);
    return duk_to_lstring(ctx, -1, len);
}

static int cw_uni_ascii(const char *s, duk_size_t n) {
    for (duk_size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* Duktape's internal encoding -> malloc'd UTF-16 (NULL when out of memory). */
static UChar *cw_uni_to_utf16(const char *str, duk_size_t n, int32_t *out_len) {
    if (n >= (duk_size_t)CW_UNI_MAX_UNITS)
        return NULL;
    UChar *u = malloc((n + 1) * sizeof(UChar));
    if (!u)
        return NULL;
    *out_len = (int32_t)cw_utf8_to_utf16(str, n, u);
    return u;
}

typedef struct {
    const unsigned char *p;
    size_t n;
} cw_uni_bytes_t;

static duk_ret_t cw_uni_push_safe(duk_context *ctx, void *udata) {
    const cw_uni_bytes_t *b = udata;
    duk_push_lstring(ctx, (const char *)b->p, b->n);
    return 1;
}

/* Push UTF-16 as Duktape's CESU-8 (the copy into the heap may fail on the
 * job's memory cap: nothing malloc'd is left behind, the error is thrown).
 * Frees `u`. */
static void cw_uni_push_utf16(duk_context *ctx, UChar *u, int32_t len) {
    unsigned char *b = malloc((size_t)len * 3 + 1);
    if (!b) {
        free(u);
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "out of memory");
    }
    size_t k = cw_utf8_from_utf16(u, (size_t)len, (char *)b);
    free(u);
    cw_uni_bytes_t bytes = {b, k};
    duk_int_t rc = duk_safe_call(ctx, cw_uni_push_safe, &bytes, 0, 1);
    free(b);
    if (rc != DUK_EXEC_SUCCESS)
        (void)duk_throw(ctx);
}

/* The transformation of one UTF-16 string into another, ICU style. */
typedef int32_t (*cw_uni_op_t)(const void *arg, UChar *dst, int32_t cap, const UChar *src, int32_t len,
                               UErrorCode *st);

static void cw_uni_fail(duk_context *ctx, UChar *a, UChar *b, const char *what) {
    free(a);
    free(b);
    (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "%s", what);
}

/* Run `op` on the string at -1 and replace it with the result; with a
 * normalizer `quick`, a string already in that form is left as it is. */
static void cw_uni_apply(duk_context *ctx, cw_uni_op_t op, const void *arg, const UNormalizer2 *quick) {
    duk_size_t n;
    const char *s = duk_get_lstring(ctx, -1, &n);
    int32_t len = 0;
    cw_uni_deadline(ctx);
    UChar *src = cw_uni_to_utf16(s, n, &len);
    if (!src)
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, n >= (duk_size_t)CW_UNI_MAX_UNITS ? "Invalid string length"
                                                                                      : "out of memory");
    if (quick) {
        UErrorCode qs = U_ZERO_ERROR;
        if (unorm2_spanQuickCheckYes(quick, src, len, &qs) == len && U_SUCCESS(qs)) {
            free(src);
            return; /* already normalized: the same string */
        }
    }
    /* Room for the usual growth (NFD triples at most for most scripts,
     * case mapping of ß or Greek doubles or triples) so that one pass
     * suffices; a larger result is measured and redone once. */
    int32_t cap = len <= CW_UNI_MAX_UNITS / 3 ? len * 3 + 16 : CW_UNI_MAX_UNITS;
    UChar *dst = malloc((size_t)cap * sizeof(UChar));
    if (!dst)
        cw_uni_fail(ctx, src, NULL, "out of memory");
    UErrorCode st = U_ZERO_ERROR;
    int32_t need = op(arg, dst, cap, src, len, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        if (need > CW_UNI_MAX_UNITS)
            cw_uni_fail(ctx, src, dst, "Invalid string length");
        free(dst);
        cap = need + 1;
        dst = malloc((size_t)cap * sizeof(UChar));
        if (!dst)
            cw_uni_fail(ctx, src, NULL, "out of memory");
        st = U_ZERO_ERROR;
        need = op(arg, dst, cap, src, len, &st);
    }
    free(src);
    if (U_FAILURE(st))
        cw_uni_fail(ctx, NULL, dst, u_errorName(st));
    duk_pop(ctx);
    cw_uni_push_utf16(ctx, dst, need);
    cw_uni_deadline(ctx);
}

/* ---- normalize ------------------------------------------------------------ */

static int32_t cw_uni_normalize_op(const void *arg, UChar *dst, int32_t cap, const UChar *src, int32_t len,
                                   UErrorCode *st) {
    return unorm2_normalize((const UNormalizer2 *)arg, src, len, dst, cap, st);
}

static duk_ret_t cw_uni_normalize(duk_context *ctx) {
    const char *form = "NFC";
    duk_size_t n;
    (void)cw_uni_this(ctx, "normalize", &n); /* [ form this ] */
    if (!duk_is_undefined(ctx, 0))
        form = duk_to_string(ctx, 0);
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *norm = !strcmp(form, "NFC")    ? unorm2_getNFCInstance(&st)
                               : !strcmp(form, "NFD")  ? unorm2_getNFDInstance(&st)
                               : !strcmp(form, "NFKC") ? unorm2_getNFKCInstance(&st)
                               : !strcmp(form, "NFKD") ? unorm2_getNFKDInstance(&st)
                                                       : NULL;
    if (!norm && U_SUCCESS(st))
        return duk_error(ctx, DUK_ERR_RANGE_ERROR, "The normalization form should be one of NFC, NFD, NFKC, NFKD.");
    if (U_FAILURE(st))
        return duk_error(ctx, DUK_ERR_ERROR, "normalize: %s", u_errorName(st));
    const char *s = duk_get_lstring(ctx, -1, &n);
    if (cw_uni_ascii(s, n))
        return 1; /* ASCII is in every normal form */
    cw_uni_apply(ctx, cw_uni_normalize_op, norm, norm);
    return 1;
}

/* ---- well-formedness -------------------------------------------------------- */

/* In Duktape's encoding a surrogate is ED A0..BF xx: high ED A0..AF, low
 * ED B0..BF.  Returns the offset of the first lone one, or n. */
static duk_size_t cw_uni_lone_surrogate(const unsigned char *p, duk_size_t n, duk_size_t from) {
    for (duk_size_t i = from; i + 2 < n; i++) {
        if (p[i] != 0xed || p[i + 1] < 0xa0 || p[i + 1] > 0xbf)
            continue;
        if (p[i + 1] <= 0xaf && i + 5 < n && p[i + 3] == 0xed && p[i + 4] >= 0xb0 && p[i + 4] <= 0xbf) {
            i += 5; /* a pair; the loop steps past its last byte */
            continue;
        }
        return i;
    }
    return n;
}

static duk_ret_t cw_uni_is_well_formed(duk_context *ctx) {
    duk_size_t n;
    const unsigned char *p = (const unsigned char *)cw_uni_this(ctx, "isWellFormed", &n);
    duk_push_boolean(ctx, cw_uni_lone_surrogate(p, n, 0) == n);
    return 1;
}

static duk_ret_t cw_uni_to_well_formed(duk_context *ctx) {
    duk_size_t n;
    const unsigned char *p = (const unsigned char *)cw_uni_this(ctx, "toWellFormed", &n);
    duk_size_t at = cw_uni_lone_surrogate(p, n, 0);
    if (at == n)
        return 1;
    /* Same length: a lone surrogate (3 bytes) becomes U+FFFD (3 bytes). */
    unsigned char *b = duk_push_fixed_buffer(ctx, n);
    p = (const unsigned char *)duk_get_string(ctx, -2);
    memcpy(b, p, n);
    while (at < n) {
        b[at] = 0xef, b[at + 1] = 0xbf, b[at + 2] = 0xbd;
        at = cw_uni_lone_surrogate(p, n, at + 3);
    }
    duk_buffer_to_string(ctx, -1);
    return 1;
}

/* ---- locale case mapping ---------------------------------------------------- */

typedef struct {
    char locale[ULOC_FULLNAME_CAPACITY];
    int upper;
} cw_uni_case_t;

static int32_t cw_uni_case_op(const void *arg, UChar *dst, int32_t cap, const UChar *src, int32_t len,
                              UErrorCode *st) {
    const cw_uni_case_t *c = arg;
    return c->upper ? u_strToUpper(dst, cap, src, len, c->locale, st) : u_strToLower(dst, cap, src, len, c->locale, st);
}

/* A structurally valid BCP 47 tag: 2-8 letters, then 1-8 alphanumerics per subtag. */
static int cw_uni_tag_ok(const char *t) {
    size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 8 || (t[n] && t[n] != '-'))
        return 0;
    for (const char *p = t + n; *p;) {
        p++; /* '-' */
        size_t k = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        if (k < 1 || k > 8 || (p[k] && p[k] != '-'))
            return 0;
        p += k;
    }
    return 1;
}

static duk_ret_t cw_uni_locale_case(duk_context *ctx) {
    cw_uni_case_t c = {"", duk_get_current_magic(ctx)};
    const char *method = c.upper ? "toLocaleUpperCase" : "toLocaleLowerCase";
    /* The requested locale: a string, or the first element of a list. */
    if (duk_is_string(ctx, 0) || duk_is_object(ctx, 0)) {
        if (duk_is_object(ctx, 0)) {
            duk_get_prop_index(ctx, 0, 0);
            duk_replace(ctx, 0);
        }
        if (!duk_is_undefined(ctx, 0)) {
            const char *tag = duk_to_string(ctx, 0);
            if (!cw_uni_tag_ok(tag))
                return duk_error(ctx, DUK_ERR_RANGE_ERROR, "Incorrect locale information provided");
            /* Case rules depend on the language alone (tr, az, lt, el). */
            char full[ULOC_FULLNAME_CAPACITY];
            UErrorCode st = U_ZERO_ERROR;
            uloc_forLanguageTag(tag, full, (int32_t)sizeof(full), NULL, &st);
            if (U_SUCCESS(st))
                uloc_getLanguage(full, c.locale, (int32_t)sizeof(c.locale), &st);
            if (U_FAILURE(st))
                c.locale[0] = '\0';
        }
    }
    duk_size_t n;
    const char *s = cw_uni_this(ctx, method, &n); /* [ locale this ] */
    (void)s;
    cw_uni_apply(ctx, cw_uni_case_op, &c, NULL);
    return 1;
}

/* toUpperCase/toLowerCase: ASCII in place, anything else through ICU's
 * root case mapping (the whole repertoire, supplementary planes included,
 * which Duktape's tables miss). */
static duk_ret_t cw_uni_case(duk_context *ctx) {
    int upper = duk_get_current_magic(ctx);
    duk_size_t n;
    const char *s = cw_uni_this(ctx, upper ? "toUpperCase" : "toLowerCase", &n);
    if (cw_uni_ascii(s, n)) {
        duk_size_t i = 0;
        if (upper)
            while (i < n && !(s[i] >= 'a' && s[i] <= 'z'))
                i++;
        else
            while (i < n && !(s[i] >= 'A' && s[i] <= 'Z'))
                i++;
        if (i == n)
            return 1; /* unchanged */
        unsigned char *b = duk_push_fixed_buffer(ctx, n);
        s = duk_get_string(ctx, -2);
        for (i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)s[i];
            b[i] = upper ? (ch >= 'a' && ch <= 'z' ? ch - 32 : ch) : (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        duk_buffer_to_string(ctx, -1);
        return 1;
    }
    cw_uni_case_t c = {"", upper};
    cw_uni_apply(ctx, cw_uni_case_op, &c, NULL);
    return 1;
}

/* ---- installation ------------------------------------------------------------ */


void cw_unicode_install(duk_context *ctx) {
    duk_get_global_string(ctx, "String");
    duk_get_prop_string(ctx, -1, "prototype");
    cw_runtime_def_method(ctx, -1, "normalize", cw_uni_normalize, 1, 0, 0);
    cw_runtime_def_method(ctx, -1, "isWellFormed", cw_uni_is_well_formed, 0, 0, 0);
    cw_runtime_def_method(ctx, -1, "toWellFormed", cw_uni_to_well_formed, 0, 0, 0);
    cw_runtime_def_method(ctx, -1, "toLocaleUpperCase", cw_uni_locale_case, 1, 0, 1);
    cw_runtime_def_method(ctx, -1, "toLocaleLowerCase", cw_uni_locale_case, 1, 0, 0);
    cw_runtime_def_method(ctx, -1, "toUpperCase", cw_uni_case, 0, 0, 1);
    cw_runtime_def_method(ctx, -1, "toLowerCase", cw_uni_case, 0, 0, 0);
    duk_pop_2(ctx);
}

int cw_unicode_warmup(void) {
    UErrorCode st = U_ZERO_ERROR;
    static const UChar a[] = {0x1e9b, 0x0323, 'I', 0x0130, 0};
    UChar out[32];
    const UNormalizer2 *n[4] = {unorm2_getNFCInstance(&st), unorm2_getNFDInstance(&st), unorm2_getNFKCInstance(&st),
                                unorm2_getNFKDInstance(&st)};
    for (int i = 0; i < 4 && U_SUCCESS(st); i++)
        unorm2_normalize(n[i], a, -1, out, 32, &st);
    static const char *const locs[] = {"", "tr", "lt", "el"};
    for (int i = 0; i < 4 && U_SUCCESS(st); i++) {
        u_strToUpper(out, 32, a, -1, locs[i], &st);
        u_strToLower(out, 32, a, -1, locs[i], &st);
    }
    return U_SUCCESS(st) ? 0 : -1;
}
