/*
 * cw_intl_segment.c -- Intl.Segmenter: grapheme, word and sentence
 * boundaries from ICU's break iterators (the locale's CLDR rules).
 *
 * One call returns every boundary of the string with the rule status of
 * the segment that ends there ([end, status, end, status, ...]); the
 * polyfill builds the segments and isWordLike from it.  The array lives in
 * the job's heap, so its cap bounds it, and the loop checks the job's
 * deadline, since a string of millions of characters is possible.
 */
#include "cw_intl_internal.h"

#include <unicode/ubrk.h>
#include <unicode/uloc.h>

typedef struct {
    const char *locale;
    UBreakIteratorType type;
} cw_seg_open_t;

static void *cw_seg_open(void *udata, UErrorCode *st) {
    cw_seg_open_t *o = udata;
    return ubrk_open(o->type, o->locale, NULL, 0, st);
}

duk_ret_t cw_intl_segment_op(duk_context *ctx, int op) {
    (void)op;
    char key[300], loc[ULOC_FULLNAME_CAPACITY];
    int g = duk_require_int(ctx, 2);
    if (g < 0 || g > 2)
        return duk_range_error(ctx, "bad granularity");
    if (cw_intl_key(ctx, key, sizeof(key), g == 0 ? "bg" : g == 1 ? "bw" : "bs", 1, 1) != 0)
        return duk_range_error(ctx, "Incorrect locale information provided");
    UBreakIterator *bi = cw_intl_cache_get(cw_intl_of(ctx), CW_INTL_K_BRK, key);
    if (!bi) {
        cw_seg_open_t o = {cw_intl_locale_id(ctx, 1, loc, sizeof(loc)),
                           g == 0 ? UBRK_CHARACTER : g == 1 ? UBRK_WORD : UBRK_SENTENCE};
        bi = cw_intl_cached(ctx, CW_INTL_K_BRK, key, cw_seg_open, &o, "Intl.Segmenter");
    }
    int32_t n;
    UChar *s = cw_intl_get_u16(ctx, 3, &n); /* stays on the stack while bi points at it */
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(bi, s, n, &st);
    if (U_FAILURE(st))
        return cw_intl_throw(ctx, st, "Intl.Segmenter");
    duk_push_array(ctx);
    duk_uarridx_t k = 0;
    ubrk_first(bi);
    for (int32_t e; (e = ubrk_next(bi)) != UBRK_DONE;) {
        duk_push_int(ctx, e);
        duk_put_prop_index(ctx, -2, k++);
        duk_push_int(ctx, ubrk_getRuleStatus(bi));
        duk_put_prop_index(ctx, -2, k++);
        if ((k & 2047) == 0 && cw_intl_expired(ctx))
            return duk_range_error(ctx, "Intl.Segmenter: the job's time is up");
    }
    /* Leave no pointer into the buffer, which the next GC may free. */
    static const UChar empty[1] = {0};
    ubrk_setText(bi, empty, 0, &st);
    return 1;
}
