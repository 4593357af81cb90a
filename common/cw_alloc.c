/*
 * cw_alloc.c -- byte-capped allocator: every block carries a small header
 * with its size so frees and reallocs keep `used` exact.
 */
#include "cw_alloc.h"

#include <stdlib.h>
#include <string.h>

/* 16 bytes keeps the user pointer aligned for any type malloc would give. */
typedef union cw_alloc_hdr {
    size_t size;
    max_align_t align_;
} cw_alloc_hdr_t;

#define CW_HDR sizeof(cw_alloc_hdr_t)

void cw_alloc_init(cw_alloc_t *a, size_t limit) {
    memset(a, 0, sizeof(*a));
    a->limit = limit;
}

void cw_alloc_set_fault(cw_alloc_t *a, uint64_t fail_at, uint64_t fail_repeat) {
    a->fail_at = fail_at;
    a->fail_repeat = fail_repeat;
    a->faults = 0;
    a->count = 0;
}

/* Decide whether a request for `grow` more bytes may proceed. */
static int cw_alloc_admit(cw_alloc_t *a, size_t grow) {
    if (a->fail_at && a->count >= a->fail_at - 1 &&
        (a->fail_repeat == 0 || a->faults < a->fail_repeat)) {
        a->faults++;
        return 0;
    }
    if (a->limit && (grow > a->limit || a->used > a->limit - grow)) {
        a->limit_hit = 1;
        return 0;
    }
    return 1;
}

static void cw_alloc_account(cw_alloc_t *a, size_t grow) {
    a->used += grow;
    if (a->used > a->peak)
        a->peak = a->used;
    a->count++;
}

void *cw_alloc_malloc(cw_alloc_t *a, size_t size) {
    if (size == 0 || size > SIZE_MAX - CW_HDR)
        return NULL;
    if (!cw_alloc_admit(a, size))
        return NULL;
    cw_alloc_hdr_t *h = malloc(CW_HDR + size);
    if (!h)
        return NULL;
    h->size = size;
    cw_alloc_account(a, size);
    return (char *)h + CW_HDR;
}

void *cw_alloc_realloc(cw_alloc_t *a, void *ptr, size_t size) {
    if (!ptr)
        return cw_alloc_malloc(a, size);
    if (size == 0) {
        cw_alloc_free(a, ptr);
        return NULL;
    }
    if (size > SIZE_MAX - CW_HDR)
        return NULL;
    cw_alloc_hdr_t *h = (cw_alloc_hdr_t *)((char *)ptr - CW_HDR);
    size_t old = h->size;
    if (size > old && !cw_alloc_admit(a, size - old))
        return NULL;
    cw_alloc_hdr_t *n = realloc(h, CW_HDR + size);
    if (!n)
        return NULL;
    n->size = size;
    if (size > old) {
        cw_alloc_account(a, size - old);
    } else {
        a->used -= old - size;
        a->count++;
    }
    return (char *)n + CW_HDR;
}

void cw_alloc_free(cw_alloc_t *a, void *ptr) {
    if (!ptr)
        return;
    cw_alloc_hdr_t *h = (cw_alloc_hdr_t *)((char *)ptr - CW_HDR);
    a->used -= h->size;
    free(h);
}
