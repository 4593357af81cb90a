/*
 * cw_intl_segment.c -- Intl.Segmenter: grapheme, word and sentence
 * boundaries from ICU's break iterators (the locale's CLDR rules).
 *
 * The string is converted to UTF-16 once (CW_ICU_SEG_TEXT, a buffer in the
 * job's heap that the Segments object keeps), then boundaries are asked
 * for in chunks of at most 4,096 ([end, status, ...] after an index, the
 * status of the segment ending there giving isWordLike), or for the one
 * segment containing an index.  So iterating a string of millions of
 * characters costs memory per chunk, not per segment, and every chunk is
 * a point where the job's deadline is checked.
 */
#include "cw_intl_internal.h"

#include <string.h>

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
    if (op == CW_ICU_SEG_TEXT) { /* (string) -> its UTF-16 as a buffer */
        int32_t n;
        const UChar *u = cw_intl_get_u16(ctx, 1, &n); /* sized for the worst case */
        UChar *exact = duk_push_fixed_buffer(ctx, ((duk_size_t)n + 1) * sizeof(UChar));
        memcpy(exact, u, ((size_t)n + 1) * sizeof(UChar));
        return 1;
    }
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
    duk_size_t bytes;
    const UChar *text = duk_require_buffer_data(ctx, 3, &bytes); /* from CW_ICU_SEG_TEXT */
    int32_t n = (int32_t)(bytes / sizeof(UChar)) - 1; /* without the NUL */
    int32_t from = duk_require_int(ctx, 4), max = duk_require_int(ctx, 5);
    if (n < 0 || from < 0 || from > n || max < 0 || max > 65536)
        return duk_range_error(ctx, "bad segment arguments");
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(bi, text, n, &st);
    if (U_FAILURE(st))
        return cw_intl_throw(ctx, st, "Intl.Segmenter");
    /* Collect on the C stack first: no Duktape call while ICU points into
     * the buffer (which stays referenced by the caller anyway). */
    int32_t out[2 * 4096];
    int k = 0;
    if (max == 0) { /* containing(from): [start, end, status] */
        int32_t e = ubrk_following(bi, from);
        int32_t status = ubrk_getRuleStatus(bi);
        int32_t b = e == UBRK_DONE ? UBRK_DONE : ubrk_preceding(bi, e);
        out[k++] = b, out[k++] = e, out[k++] = status;
    } else { /* up to max boundaries after from: [end, status, ...] */
        if (max > 4096)
            max = 4096;
        for (int32_t e = ubrk_following(bi, from); e != UBRK_DONE && k < 2 * max; e = ubrk_next(bi)) {
            out[k++] = e;
            out[k++] = ubrk_getRuleStatus(bi);
        }
    }
    static const UChar empty[1] = {0};
    ubrk_setText(bi, empty, 0, &st); /* leave no pointer into the job's heap */
    if (cw_intl_expired(ctx))
        return duk_range_error(ctx, "Intl.Segmenter: the job's time is up");
    duk_push_array(ctx);
    for (int i = 0; i < k; i++) {
        duk_push_int(ctx, out[i]);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
    }
    return 1;
}
