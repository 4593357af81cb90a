/*
 * cw_alloc.c -- byte-capped allocator: every block carries a small header
 * with its size, so frees and reallocs keep `used` exact, and links, so the
 * blocks still live when a job ends can be released without the engine.
 *
 * The arena (cw_alloc.h, "heap images") is a private mapping holding the
 * blocks of a heap made once per executor.  While it is open, requests are
 * cut from it by bumping a pointer; once it is sealed its bytes are copied
 * aside, later requests go to malloc, and restoring the copy puts every
 * arena block back as it was.  Arena blocks are never passed to free():
 * freeing one only gives its bytes back to the cap's count, and growing one
 * moves it to malloc.
 */
#include "cw_alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* 32 bytes keeps the user pointer aligned for any type malloc would give. */
typedef struct cw_alloc_hdr {
    size_t size;
    struct cw_alloc_hdr *prev, *next; /* malloc'd blocks only */
    size_t pad_;
} cw_alloc_hdr_t;

#define CW_HDR sizeof(cw_alloc_hdr_t)
#define CW_ALIGN 16

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

static int cw_alloc_in_arena(const cw_alloc_t *a, const void *p) {
    return a->arena && (const char *)p >= a->arena && (const char *)p < a->arena + a->arena_cap;
}

static void cw_alloc_link(cw_alloc_t *a, cw_alloc_hdr_t *h) {
    h->prev = NULL;
    h->next = a->live;
    if (a->live)
        a->live->prev = h;
    a->live = h;
}

static void cw_alloc_unlink(cw_alloc_t *a, cw_alloc_hdr_t *h) {
    if (h->prev)
        h->prev->next = h->next;
    else
        a->live = h->next;
    if (h->next)
        h->next->prev = h->prev;
}

/* A new block of `size` bytes, from the open arena or from malloc. */
static cw_alloc_hdr_t *cw_alloc_block(cw_alloc_t *a, size_t size) {
    if (a->arena_open) {
        size_t need = CW_HDR + ((size + CW_ALIGN - 1) & ~(size_t)(CW_ALIGN - 1));
        if (need < size || a->arena_cap - a->arena_top < need)
            return NULL; /* the arena is full: the image fails, never spills */
        cw_alloc_hdr_t *h = (cw_alloc_hdr_t *)(a->arena + a->arena_top);
        a->arena_top += need;
        h->size = size;
        h->prev = h->next = NULL;
        return h;
    }
    cw_alloc_hdr_t *h = malloc(CW_HDR + size);
    if (!h)
        return NULL;
    h->size = size;
    cw_alloc_link(a, h);
    return h;
}

void *cw_alloc_malloc(cw_alloc_t *a, size_t size) {
    if (size == 0 || size > SIZE_MAX / 2)
        return NULL;
    if (!cw_alloc_admit(a, size))
        return NULL;
    cw_alloc_hdr_t *h = cw_alloc_block(a, size);
    if (!h)
        return NULL;
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
    if (size > SIZE_MAX / 2)
        return NULL;
    cw_alloc_hdr_t *h = (cw_alloc_hdr_t *)((char *)ptr - CW_HDR);
    size_t old = h->size;
    if (size > old && !cw_alloc_admit(a, size - old))
        return NULL;
    cw_alloc_hdr_t *n;
    if (cw_alloc_in_arena(a, h)) {
        if (size <= old) {
            n = h; /* shrink in place */
        } else {
            /* Grow by moving: the arena block stays where it is (its bytes
             * belong to the image) and is simply no longer used. */
            n = cw_alloc_block(a, size);
            if (!n)
                return NULL;
            memcpy((char *)n + CW_HDR, ptr, old);
        }
    } else {
        cw_alloc_unlink(a, h);
        n = realloc(h, CW_HDR + size);
        if (!n) {
            cw_alloc_link(a, h);
            return NULL;
        }
        cw_alloc_link(a, n);
    }
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
    if (cw_alloc_in_arena(a, h))
        return;
    cw_alloc_unlink(a, h);
    free(h);
}

void cw_alloc_release(cw_alloc_t *a) {
    cw_alloc_hdr_t *h = a->live;
    while (h) {
        cw_alloc_hdr_t *next = h->next;
        a->used -= h->size;
        free(h);
        h = next;
    }
    a->live = NULL;
}

/* ---- heap images ---------------------------------------------------------- */

int cw_alloc_arena_open(cw_alloc_t *a, size_t cap) {
    if (a->arena || a->live)
        return -1;
    cap = (cap + 4095) & ~(size_t)4095;
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    a->arena = p;
    a->arena_cap = cap;
    a->arena_top = 0;
    a->arena_open = 1;
    return 0;
}

int cw_alloc_arena_seal(cw_alloc_t *a) {
    if (!a->arena || !a->arena_open || a->live)
        return -1;
    a->image = malloc(a->arena_top ? a->arena_top : 1);
    if (!a->image)
        return -1;
    memcpy(a->image, a->arena, a->arena_top);
    a->arena_open = 0;
    return 0;
}

void cw_alloc_arena_restore(cw_alloc_t *a) {
    cw_alloc_release(a);
    if (a->image)
        memcpy(a->arena, a->image, a->arena_top);
}

void cw_alloc_arena_close(cw_alloc_t *a) {
    cw_alloc_release(a);
    if (a->arena)
        munmap(a->arena, a->arena_cap);
    free(a->image);
    a->arena = NULL;
    a->image = NULL;
    a->arena_cap = a->arena_top = 0;
    a->arena_open = 0;
}
