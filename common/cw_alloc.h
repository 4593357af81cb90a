/*
 * cw_alloc.h -- a byte-capped allocator with peak tracking and fault injection.
 *
 * Each job's Duktape heap allocates through one cw_alloc_t.  The cap is the
 * job's memoryLimit and is enforced exactly: a request that would take the
 * live total past the cap fails (Duktape then runs a GC and retries, and
 * finally throws a RangeError that the sandbox reports as MEMORY_LIMIT,
 * because `limit_hit` says so, never because of the message text).
 *
 * Fault injection follows SQLite's countdown model: allocation number
 * `fail_at` and the `fail_repeat` - 1 after it fail (0 = forever), so a
 * test can walk N = 1, 2, ... and prove every failure path.  An injected
 * failure is counted in `faults` and does not set `limit_hit`.
 */
#ifndef CW_ALLOC_H
#define CW_ALLOC_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_alloc {
    size_t limit;     /* bytes; 0 means "no cap" (only used by tests) */
    size_t used;      /* live bytes requested by callers */
    size_t peak;      /* highest `used` seen */
    uint64_t count;   /* successful allocations so far */
    int limit_hit;    /* a request was refused because of `limit` */
    /* fault injection */
    uint64_t fail_at;     /* 0 = off; else the 1-based allocation to fail */
    uint64_t fail_repeat; /* how many to fail once started; 0 = all */
    uint64_t faults;      /* injected failures so far */
} cw_alloc_t;

/* Reset counters and set the byte cap.  Never fails. */
void cw_alloc_init(cw_alloc_t *a, size_t limit);
/* Arm fault injection (see above); cw_alloc_init() disarms it. */
void cw_alloc_set_fault(cw_alloc_t *a, uint64_t fail_at, uint64_t fail_repeat);

/* malloc/realloc/free with the cap applied; NULL on refusal.  size 0
 * returns NULL from malloc and frees from realloc, as Duktape expects. */
void *cw_alloc_malloc(cw_alloc_t *a, size_t size);
void *cw_alloc_realloc(cw_alloc_t *a, void *ptr, size_t size);
void cw_alloc_free(cw_alloc_t *a, void *ptr);

#endif /* CW_ALLOC_H */
