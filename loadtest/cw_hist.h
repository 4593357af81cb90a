/*
 * cw_hist.h -- a log-linear latency histogram for the load-test instrument.
 *
 * Latencies span six orders of magnitude (a 200 µs job, a 10 s queue), and a
 * load test records millions of them, so keeping samples is not an option.
 * The histogram keeps 128 linear sub-buckets per power of two: values below
 * 256 µs are exact, every other bucket is at most 1/128 (0.78 %) of its value
 * wide, and a percentile is reported as the bucket's midpoint, so it is
 * within 0.4 % of a value that was recorded.  The range is 1 µs to 2^32 µs
 * (71 minutes); larger values land in the top bucket and are counted as
 * saturated.  3,328 64-bit counters, 26 KiB; recording is a shift and an add.
 */
#ifndef CW_HIST_H
#define CW_HIST_H

#include <stddef.h>
#include <stdint.h>

#define CW_HIST_SUB_BITS 7
#define CW_HIST_SUB (1u << CW_HIST_SUB_BITS)  /* sub-buckets per power of two */
#define CW_HIST_MAX_US ((uint64_t)1 << 32)    /* exclusive upper bound */
/* exact below 2 x SUB, then SUB buckets for each power of two up to 2^32 */
#define CW_HIST_BUCKETS (2u * CW_HIST_SUB + (32u - CW_HIST_SUB_BITS - 1u) * CW_HIST_SUB)

typedef struct cw_hist {
    uint64_t count;
    uint64_t saturated; /* values >= CW_HIST_MAX_US */
    uint64_t min, max;  /* exact, µs */
    double sum;         /* µs, for the mean */
    uint64_t b[CW_HIST_BUCKETS];
} cw_hist_t;

/* A zeroed histogram on the heap, NULL when out of memory. */
cw_hist_t *cw_hist_new(void);
void cw_hist_free(cw_hist_t *h);
void cw_hist_reset(cw_hist_t *h);
/* Record one value in microseconds. */
void cw_hist_record(cw_hist_t *h, uint64_t us);
/* Add every count of `src` to `dst`. */
void cw_hist_merge(cw_hist_t *dst, const cw_hist_t *src);
/* The value at percentile p (0..100] in µs: the midpoint of the bucket that
 * holds the ceil(p% x count)-th smallest value, clamped to [min, max];
 * p >= 100 gives the exact max.  0 for an empty histogram. */
double cw_hist_percentile(const cw_hist_t *h, double p);
double cw_hist_mean(const cw_hist_t *h);

/* Bucket arithmetic, exposed for the self-test. */
size_t cw_hist_index(uint64_t us);
uint64_t cw_hist_bucket_low(size_t idx);
uint64_t cw_hist_bucket_width(size_t idx);

#endif /* CW_HIST_H */
