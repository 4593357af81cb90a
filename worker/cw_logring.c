/*
 * cw_logring.c -- the shared log region (see cw_logring.h for the layout).
 *
 * Why shared memory and not frames: the executor's console already builds
 * each entry's JSON text in its own buffer; copying those bytes into a
 * mapped region and publishing the length with one release store costs a
 * memcpy, where a frame per line would cost a write(2) per console call and
 * the supervisor a wake-up and a read per line.  The lines are only needed
 * in the rare case the executor dies with the job, so the supervisor does
 * nothing with the region until then.
 *
 * Trust: the executor runs untrusted code, so whatever the region holds may
 * have been written by an attacker who got past the JavaScript sandbox.  The
 * supervisor therefore (1) seals the memfd's size (F_SEAL_SHRINK/GROW) so a
 * truncate cannot turn its reads into SIGBUS, (2) uses its own capacity and
 * never the header's, (3) reads only after the executor has been reaped, (4)
 * copies the published bytes out first and validates the copy: every entry
 * must have exactly the shape the console writes, the whole must be valid
 * UTF-8, the count within the configured cap.  Anything else yields no lines
 * and an error, which the pool reports as `logsRecovered: false`.
 */
#include "cw_logring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw_utf8.h"

typedef struct cw_logring_hdr {
    uint32_t magic;
    uint32_t cap;
    _Atomic uint64_t want_seq; /* supervisor -> executor */
    _Atomic uint64_t seq;      /* executor: the job the entries belong to */
    _Atomic uint32_t len;      /* executor: published bytes of entries */
    _Atomic uint32_t flags;    /* executor: CW_LOGRING_* */
} cw_logring_hdr_t;

_Static_assert(sizeof(cw_logring_hdr_t) <= CW_LOGRING_HDR, "log region header too big");

#define CW_LOGRING_MAX_CAP (64u << 20)

struct cw_logring {
    unsigned char *map; /* header + cap bytes */
    size_t size, cap;
    uint64_t seq;       /* supervisor: last armed; executor: the running job's */
    size_t off;         /* executor: bytes appended for the running job */
    int full;           /* executor: an entry did not fit, mirroring stopped */
};

static cw_logring_hdr_t *cw_logring_hdr(const cw_logring_t *r) { return (cw_logring_hdr_t *)r->map; }

/* ---- supervisor side ---------------------------------------------------- */

cw_err_t cw_logring_create(size_t cap, cw_logring_t **out, int *fd) {
    *out = NULL;
    *fd = -1;
    if (!cap || cap > CW_LOGRING_MAX_CAP)
        return CW_ERR_INVALID;
    cw_logring_t *r = calloc(1, sizeof(*r));
    if (!r)
        return CW_ERR_NOMEM;
    r->cap = cap;
    r->size = CW_LOGRING_HDR + cap;
    int mfd = memfd_create("codeworker-logs", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        goto fail;
    if (ftruncate(mfd, (off_t)r->size) < 0 ||
        fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        goto fail;
    void *m = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    if (m == MAP_FAILED)
        goto fail;
    r->map = m;
    cw_logring_hdr_t *h = cw_logring_hdr(r);
    h->magic = CW_LOGRING_MAGIC;
    h->cap = (uint32_t)cap;
    *out = r;
    *fd = mfd;
    return CW_OK;
fail:
    if (mfd >= 0)
        close(mfd);
    free(r);
    return CW_ERR_SYSTEM;
}

uint64_t cw_logring_arm(cw_logring_t *r) {
    r->seq++;
    atomic_store_explicit(&cw_logring_hdr(r)->want_seq, r->seq, memory_order_release);
    return r->seq;
}

cw_err_t cw_logring_recover(const cw_logring_t *r, uint64_t seq, size_t max_entries, cw_buf_t *out,
                            int *truncated) {
    return cw_logring_parse(r->map, r->size, r->cap, seq, max_entries, out, truncated);
}

void cw_logring_free(cw_logring_t *r) {
    if (!r)
        return;
    if (r->map)
        munmap(r->map, r->size);
    free(r);
}

/* ---- the reader: one entry at a time, exactly as the console writes it -- */

typedef struct cw_logring_cur {
    const char *p, *end;
} cw_logring_cur_t;

static int cw_logring_lit(cw_logring_cur_t *c, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
        return -1;
    c->p += n;
    return 0;
}

static int cw_logring_level(cw_logring_cur_t *c) {
    static const char *const levels[] = {"log\"", "info\"", "warn\"", "error\"", "debug\""};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (cw_logring_lit(c, levels[i]) == 0)
            return 0;
    return -1;
}

static int cw_logring_hex(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A JSON string literal: no raw control characters, only JSON's escapes.
 * (UTF-8 validity is checked over the whole copy afterwards.) */
static int cw_logring_string(cw_logring_cur_t *c) {
    if (c->p >= c->end || *c->p != '"')
        return -1;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return 0;
        if (ch < 0x20)
            return -1;
        if (ch != '\\')
            continue;
        if (c->p >= c->end)
            return -1;
        ch = (unsigned char)*c->p++;
        if (ch == 'u') {
            if (c->end - c->p < 4)
                return -1;
            for (int i = 0; i < 4; i++)
                if (!cw_logring_hex(c->p[i]))
                    return -1;
            c->p += 4;
        } else if (!strchr("\"\\/bfnrt", ch) || ch == '\0') {
            return -1;
        }
    }
    return -1;
}

/* elapsedMs as "%.3f" writes it: digits, optionally '.' and digits. */
static int cw_logring_number(cw_logring_cur_t *c) {
    int n = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && n < 24)
        c->p++, n++;
    if (!n || (c->p < c->end && *c->p >= '0' && *c->p <= '9'))
        return -1;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        n = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && n < 9)
            c->p++, n++;
        if (!n || (c->p < c->end && *c->p >= '0' && *c->p <= '9'))
            return -1;
    }
    return 0;
}

static int cw_logring_entry(cw_logring_cur_t *c) {
    if (cw_logring_lit(c, "{\"level\":\"") || cw_logring_level(c) || cw_logring_lit(c, ",\"message\":") ||
        cw_logring_string(c) || cw_logring_lit(c, ",\"elapsedMs\":") || cw_logring_number(c))
        return -1;
    (void)cw_logring_lit(c, ",\"truncated\":true");
    return cw_logring_lit(c, "}");
}

cw_err_t cw_logring_parse(const void *region, size_t size, size_t cap, uint64_t seq, size_t max_entries,
                          cw_buf_t *out, int *truncated) {
    cw_buf_reset(out);
    *truncated = 0;
    if (!region || size < CW_LOGRING_HDR || cap > size - CW_LOGRING_HDR)
        return CW_ERR_PROTO;
    /* The header is read field by field, each once: a value is checked and
     * then used, never read again. */
    cw_logring_hdr_t *h = (cw_logring_hdr_t *)region;
    if (h->magic != CW_LOGRING_MAGIC)
        return CW_ERR_PROTO;
    if (atomic_load_explicit(&h->seq, memory_order_acquire) != seq)
        return CW_ERR_STATE;
    size_t len = atomic_load_explicit(&h->len, memory_order_acquire);
    uint32_t flags = atomic_load_explicit(&h->flags, memory_order_relaxed);
    if (len > cap)
        return CW_ERR_PROTO;
    if (len == 0) {
        *truncated = (flags & CW_LOGRING_TRUNCATED) != 0;
        return CW_OK;
    }
    cw_err_t err = cw_buf_append(out, (const char *)region + CW_LOGRING_HDR, len);
    if (err) {
        cw_buf_reset(out);
        return err == CW_ERR_TOOBIG ? CW_ERR_PROTO : err;
    }
    /* From here on only the private copy is read. */
    cw_logring_cur_t c = {out->data, out->data + out->len};
    size_t count = 0;
    while (c.p < c.end) {
        if ((count && cw_logring_lit(&c, ",")) || cw_logring_entry(&c) || ++count > max_entries) {
            cw_buf_reset(out);
            return CW_ERR_PROTO;
        }
    }
    if (!cw_utf8_valid(out->data, out->len)) {
        cw_buf_reset(out);
        return CW_ERR_PROTO;
    }
    *truncated = (flags & CW_LOGRING_TRUNCATED) != 0;
    return CW_OK;
}

/* ---- executor side ------------------------------------------------------ */

cw_err_t cw_logring_attach(int fd, cw_logring_t **out) {
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return CW_ERR_SYSTEM;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)CW_LOGRING_HDR + 1 ||
        st.st_size > (off_t)(CW_LOGRING_HDR + CW_LOGRING_MAX_CAP)) {
        close(fd);
        return CW_ERR_INVALID;
    }
    cw_logring_t *r = calloc(1, sizeof(*r));
    if (!r) {
        close(fd);
        return CW_ERR_NOMEM;
    }
    r->size = (size_t)st.st_size;
    r->cap = r->size - CW_LOGRING_HDR;
    void *m = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        free(r);
        return CW_ERR_SYSTEM;
    }
    r->map = m;
    if (cw_logring_hdr(r)->magic != CW_LOGRING_MAGIC) {
        cw_logring_free(r);
        return CW_ERR_INVALID;
    }
    *out = r;
    return CW_OK;
}

void cw_logring_begin(cw_logring_t *r) {
    if (!r)
        return;
    cw_logring_hdr_t *h = cw_logring_hdr(r);
    r->seq = atomic_load_explicit(&h->want_seq, memory_order_acquire);
    r->off = 0;
    r->full = 0;
    atomic_store_explicit(&h->len, 0, memory_order_relaxed);
    atomic_store_explicit(&h->flags, 0, memory_order_relaxed);
    atomic_store_explicit(&h->seq, r->seq, memory_order_release);
}

void cw_logring_append(cw_logring_t *r, const char *entry, size_t n) {
    if (!r || r->full || !n)
        return;
    if (n > r->cap - r->off) {
        r->full = 1;
        cw_logring_mark_truncated(r);
        return;
    }
    memcpy(r->map + CW_LOGRING_HDR + r->off, entry, n);
    r->off += n;
    atomic_store_explicit(&cw_logring_hdr(r)->len, (uint32_t)r->off, memory_order_release);
}

void cw_logring_mark_truncated(cw_logring_t *r) {
    if (r)
        atomic_fetch_or_explicit(&cw_logring_hdr(r)->flags, CW_LOGRING_TRUNCATED, memory_order_relaxed);
}
