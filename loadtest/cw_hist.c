/*
 * cw_hist.c -- the log-linear latency histogram (see cw_hist.h for the
 * bucket layout and its precision).
 */
#include "cw_hist.h"

#include <stdlib.h>
#include <string.h>

cw_hist_t *cw_hist_new(void) {
    cw_hist_t *h = calloc(1, sizeof(*h));
    return h;
}

void cw_hist_free(cw_hist_t *h) { free(h); }

void cw_hist_reset(cw_hist_t *h) { memset(h, 0, sizeof(*h)); }

size_t cw_hist_index(uint64_t us) {
    if (us < 2u * CW_HIST_SUB)
        return (size_t)us;
    if (us >= CW_HIST_MAX_US)
        return CW_HIST_BUCKETS - 1;
    unsigned msb = 63u - (unsigned)__builtin_clzll(us);
    unsigned shift = msb - CW_HIST_SUB_BITS; /* >= 1 */
    uint64_t m = us >> shift;                /* [SUB, 2 x SUB) */
    return 2u * CW_HIST_SUB + (size_t)(shift - 1) * CW_HIST_SUB + (size_t)(m - CW_HIST_SUB);
}

uint64_t cw_hist_bucket_low(size_t idx) {
    if (idx < 2u * CW_HIST_SUB)
        return idx;
    size_t k = idx - 2u * CW_HIST_SUB;
    unsigned shift = (unsigned)(k / CW_HIST_SUB) + 1u;
    return (uint64_t)(CW_HIST_SUB + k % CW_HIST_SUB) << shift;
}

uint64_t cw_hist_bucket_width(size_t idx) {
    if (idx < 2u * CW_HIST_SUB)
        return 1;
    return (uint64_t)1 << ((idx - 2u * CW_HIST_SUB) / CW_HIST_SUB + 1u);
}

void cw_hist_record(cw_hist_t *h, uint64_t us) {
    if (h->count == 0 || us < h->min)
        h->min = us;
    if (us > h->max)
        h->max = us;
    if (us >= CW_HIST_MAX_US)
        h->saturated++;
    h->count++;
    h->sum += (double)us;
    h->b[cw_hist_index(us)]++;
}

void cw_hist_merge(cw_hist_t *dst, const cw_hist_t *src) {
    if (!src->count)
        return;
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->saturated += src->saturated;
    dst->sum += src->sum;
    for (size_t i = 0; i < CW_HIST_BUCKETS; i++)
        dst->b[i] += src->b[i];
}

double cw_hist_percentile(const cw_hist_t *h, double p) {
    if (!h->count)
        return 0;
    if (p >= 100.0)
        return (double)h->max;
    if (p < 0)
        p = 0;
    /* rank of the wanted value, 1-based: ceil(p% x count), at least 1 */
    double r = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < CW_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            double v = (double)cw_hist_bucket_low(i) + (double)(cw_hist_bucket_width(i) - 1) / 2.0;
            if (v < (double)h->min)
                v = (double)h->min;
            if (v > (double)h->max)
                v = (double)h->max;
            return v;
        }
    }
    return (double)h->max;
}

double cw_hist_mean(const cw_hist_t *h) { return h->count ? h->sum / (double)h->count : 0; }
