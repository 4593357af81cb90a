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
 *
 * Heap images: making a Duktape heap (its built-in objects) costs far more
 * than running a small job in it.  An executor therefore makes one heap in an
 * arena (cw_alloc_arena_open), seals it (its bytes are copied aside), and
 * after each job releases every block the job allocated and copies the image
 * back (cw_alloc_arena_restore): the next job gets a heap identical, byte for
 * byte, to one never used.  The engine is never told; nothing outside the
 * arena and the released blocks can refer to the heap, because it allocates
 * only through these functions.
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
    struct cw_alloc_hdr *live; /* malloc'd blocks not yet freed */
    /* heap image (see above) */
    char *arena;          /* NULL = none */
    size_t arena_cap, arena_top;
    int arena_open;       /* requests are cut from the arena (before sealing) */
    char *image;          /* the sealed arena's bytes [0, arena_top) */
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

/* Free every block still live (not the arena's): what a heap leaves behind
 * when it is discarded without being destroyed.  Never fails. */
void cw_alloc_release(cw_alloc_t *a);

/* Open an arena of `cap` bytes on an allocator with no live blocks; until it
 * is sealed every request is cut from it (and fails when it is full, so an
 * image never points outside it).  0, or -1 when it cannot be mapped. */
int cw_alloc_arena_open(cw_alloc_t *a, size_t cap);
/* Stop cutting from the arena and copy its bytes aside.  -1 on failure (no
 * memory for the copy, or blocks that are not in the arena). */
int cw_alloc_arena_seal(cw_alloc_t *a);
/* Release every live block and copy the sealed image back.  The caller
 * restores the counters (a copy of the cw_alloc_t taken at sealing). */
void cw_alloc_arena_restore(cw_alloc_t *a);
/* Release everything, the arena included. */
void cw_alloc_arena_close(cw_alloc_t *a);

#endif /* CW_ALLOC_H */
