/*
 * cw_cancel.c -- the cancelled-jobId set of cw_cancel.h: a chained hash
 * table whose nodes also form a FIFO list, the oldest evicted when the set
 * is full.  One allocation per id (node, id and reason together), so a
 * failed add changes nothing.
 */
#include "cw_cancel.h"

#include <stdlib.h>
#include <string.h>

#include "cw_buf.h"
#include "cw_utf8.h"
/* the strict JSON reader of job messages (worker/cw_json.h is the heap's JSON) */
#include "../common/cw_json.h"

typedef struct cw_cnode {
    struct cw_cnode *chain; /* next in its bucket */
    struct cw_cnode *newer; /* FIFO: the node added after this one */
    uint64_t hash;
    size_t len;
    char *reason; /* inside the node's own allocation, or the shared "" */
    char id[];    /* len bytes + NUL, then the reason */
} cw_cnode_t;

struct cw_cancels {
    cw_cnode_t **buckets;
    size_t nbuckets; /* a power of two >= 2 x max */
    size_t count, max;
    uint64_t evicted;
    cw_cnode_t *oldest, *newest;
};

static char cw_cancel_none[] = "";

/* FNV-1a, 64 bits: ids are caller-chosen, but a bucket chain only costs
 * time, and the set's size is bounded. */
static uint64_t cw_cancel_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

cw_err_t cw_cancels_new(size_t max, cw_cancels_t **out) {
    *out = NULL;
    if (max < 1 || max > 10000000)
        return CW_ERR_INVALID;
    cw_cancels_t *c = calloc(1, sizeof(*c));
    if (!c)
        return CW_ERR_NOMEM;
    size_t nb = 16;
    while (nb < 2 * max)
        nb <<= 1;
    c->buckets = calloc(nb, sizeof(*c->buckets));
    if (!c->buckets) {
        free(c);
        return CW_ERR_NOMEM;
    }
    c->nbuckets = nb;
    c->max = max;
    *out = c;
    return CW_OK;
}

void cw_cancels_free(cw_cancels_t *c) {
    if (!c)
        return;
    cw_cnode_t *n = c->oldest;
    while (n) {
        cw_cnode_t *next = n->newer;
        free(n);
        n = next;
    }
    free(c->buckets);
    free(c);
}

static cw_cnode_t **cw_cancel_slot(const cw_cancels_t *c, const char *id, size_t len, uint64_t h) {
    cw_cnode_t **p = &c->buckets[h & (c->nbuckets - 1)];
    while (*p && !((*p)->hash == h && (*p)->len == len && !memcmp((*p)->id, id, len)))
        p = &(*p)->chain;
    return p;
}

static void cw_cancel_evict_oldest(cw_cancels_t *c) {
    cw_cnode_t *n = c->oldest;
    cw_cnode_t **p = cw_cancel_slot(c, n->id, n->len, n->hash);
    *p = n->chain;
    c->oldest = n->newer;
    if (!c->oldest)
        c->newest = NULL;
    c->count--;
    c->evicted++;
    free(n);
}

static cw_cnode_t *cw_cancel_node(const char *id, size_t len, uint64_t h, const char *reason, size_t rlen) {
    cw_cnode_t *n = malloc(sizeof(*n) + len + 1 + (rlen ? rlen + 1 : 0));
    if (!n)
        return NULL;
    n->chain = n->newer = NULL;
    n->hash = h;
    n->len = len;
    memcpy(n->id, id, len);
    n->id[len] = '\0';
    if (rlen) {
        n->reason = n->id + len + 1;
        memcpy(n->reason, reason, rlen);
        n->reason[rlen] = '\0';
    } else {
        n->reason = cw_cancel_none;
    }
    return n;
}

cw_err_t cw_cancels_add(cw_cancels_t *c, const char *id, size_t len, const char *reason, size_t reason_len) {
    if (!id || len == 0 || len > CW_CANCEL_ID_MAX)
        return CW_ERR_INVALID;
    if (!reason)
        reason_len = 0;
    if (reason_len > CW_CANCEL_REASON_MAX)
        reason_len = cw_utf8_clip(reason, reason_len, CW_CANCEL_REASON_MAX);
    uint64_t h = cw_cancel_hash(id, len);
    cw_cnode_t **p = cw_cancel_slot(c, id, len, h);
    if (*p)
        return CW_OK; /* cancelled again: the first cancel's reason and age stand */
    cw_cnode_t *n = cw_cancel_node(id, len, h, reason, reason_len);
    if (!n)
        return CW_ERR_NOMEM;
    if (c->count == c->max) {
        cw_cancel_evict_oldest(c);
        p = cw_cancel_slot(c, id, len, h); /* the chain may have changed */
    }
    *p = n;
    if (c->newest)
        c->newest->newer = n;
    else
        c->oldest = n;
    c->newest = n;
    c->count++;
    return CW_OK;
}

const char *cw_cancels_find(const cw_cancels_t *c, const char *id, size_t len, const char **reason) {
    if (!c || !id || len == 0 || len > CW_CANCEL_ID_MAX)
        return NULL;
    cw_cnode_t *n = *cw_cancel_slot(c, id, len, cw_cancel_hash(id, len));
    if (reason)
        *reason = n ? n->reason : NULL;
    return n ? n->id : NULL;
}

size_t cw_cancels_count(const cw_cancels_t *c) { return c->count; }

uint64_t cw_cancels_evicted(const cw_cancels_t *c) { return c->evicted; }

/* ---- the record ---------------------------------------------------------- */

typedef struct {
    const char *text;
    size_t off, len;
    int found;
} cw_cancel_scan_t;

static cw_err_t cw_cancel_member(void *ud, const cw_json_member_t *m) {
    cw_cancel_scan_t *sc = ud;
    if (m->key_len == 6 && !memcmp(m->key, "reason", 6) && m->type == CW_JSON_STRING) {
        sc->off = m->off + 1; /* inside the quotes */
        sc->len = m->len - 2;
        sc->found = 1;
    }
    return CW_OK;
}

cw_err_t cw_cancel_record(const char *key, size_t key_len, const char *value, size_t value_len,
                          char reason[CW_CANCEL_REASON_MAX + 1], size_t *reason_len) {
    *reason_len = 0;
    reason[0] = '\0';
    if (!key || key_len == 0 || key_len > CW_CANCEL_ID_MAX || !cw_utf8_valid(key, key_len) ||
        memchr(key, '\0', key_len))
        return CW_ERR_INVALID;
    if (!value || value_len == 0 || value_len > (64u << 10))
        return CW_OK; /* the key is what cancels; a huge value is not read */
    cw_cancel_scan_t sc = {.text = value};
    cw_json_opts_t o = {.max_depth = 16, .member = cw_cancel_member, .ud = &sc};
    cw_json_error_t je;
    cw_err_t err = cw_json_check(value, value_len, &o, &je);
    if (err == CW_ERR_NOMEM)
        return err;
    if (err || je.fault != CW_JSON_FAULT_NONE || !sc.found)
        return CW_OK;
    cw_buf_t b;
    cw_buf_init(&b, 0);
    size_t lone = 0;
    if ((err = cw_json_unescape(value + sc.off, sc.len, &b, &lone)) != CW_OK) {
        cw_buf_free(&b);
        return err;
    }
    if (!lone && cw_utf8_valid(b.data ? b.data : "", b.len) && !memchr(b.data ? b.data : "", '\0', b.len)) {
        size_t n = cw_utf8_clip(b.data ? b.data : "", b.len, CW_CANCEL_REASON_MAX);
        if (n)
            memcpy(reason, b.data, n);
        reason[n] = '\0';
        *reason_len = n;
    }
    cw_buf_free(&b);
    return CW_OK;
}
