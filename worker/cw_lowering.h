/*
 * cw_lowering.h -- modern JavaScript in, code Duktape can run out.
 *
 * The executor side of worker/lower (swc, native): decides whether a job
 * needs lowering at all (Duktape's own compiler decides: see
 * cw_lowering_lower_rejected), caches lowered code by the source's hash so a
 * pipeline that runs the same code on many inputs pays once, installs the
 * transform helpers the lowered code calls (global __cw_h, from bytecode
 * compiled once per executor), and maps error lines back to the job's own
 * source.  Everything here runs inside the executor: the supervisor never
 * sees, let alone parses, a job's code.
 */
#ifndef CW_LOWERING_H
#define CW_LOWERING_H

#include <stddef.h>
#include <stdint.h>

#include "cw_err.h"
#include "duktape.h"

typedef struct cw_lowering cw_lowering_t;

/* One job's code, ready to compile.  Owned by the cache (valid until the
 * next cw_lowering_prepare on the same cache) or by the caller when the
 * cache is off; release with cw_lowering_release. */
typedef struct cw_prepared {
    const char *code; /* what to compile */
    size_t len;
    int lowered;      /* 1 if `code` is swc's output */
    int cached;       /* served from the cache */
    int syntax_error; /* the job does not parse: message/line/col set */
    int internal;     /* lowering failed for a reason of its own */
    int limit;        /* CW_LOWERING_LIMIT_*: lowering ran out of its bound */
    int candidate;    /* compiled as written for now; when Duktape rejects
                       * it, call cw_lowering_lower_rejected */
    char message[512];
    unsigned line, col;
    void *out_;       /* cw_lower_out_t */
    int owned_;
    struct cw_lowering_entry *entry_; /* its cache entry, if any (pinned) */
    struct cw_lowering *cache_;       /* the cache that entry is in */
} cw_prepared_t;

#define CW_LOWERING_LIMIT_TIME 1   /* the job's deadline passed while lowering */
#define CW_LOWERING_LIMIT_MEMORY 2 /* lowering held more than its budget */

/* The bound of one lowering call.  The memory budget is the lowering
 * library's own working memory (Rust allocations), separate from the job's
 * heap cap: cw_lowering_budget_for() gives the documented default. */
typedef struct cw_lowering_limits {
    int64_t deadline_ns; /* CLOCK_MONOTONIC (cw_mono_ns); 0 = none */
    size_t max_bytes;    /* 0 = none */
} cw_lowering_limits_t;

/* 4 x memoryLimit, at least 64 MiB and at most 256 MiB: the largest
 * accepted source (256 KiB) of the costliest constructs measured needs
 * ~190 MiB, ordinary 250 KB jobs ~50 MiB; the cap keeps the lowering, the
 * job's heap and the lowering stacks together inside the executor's
 * RLIMIT_AS (cw_confine.c) with glibc's overhead. */
#define CW_LOWERING_BUDGET_FACTOR 4
#define CW_LOWERING_BUDGET_MIN ((size_t)64 << 20)
#define CW_LOWERING_BUDGET_MAX ((size_t)256 << 20)
size_t cw_lowering_budget_for(size_t heap_limit_bytes);

/* Default byte bound of the cache (sources, lowered code, position maps
 * and bytecode together). */
#define CW_LOWERING_CACHE_BYTES_DEFAULT ((size_t)64 << 20)

/* A cache of `max_entries` lowered sources (0 disables caching), at most
 * CW_LOWERING_CACHE_BYTES_DEFAULT bytes. */
cw_err_t cw_lowering_new(size_t max_entries, cw_lowering_t **out);
/* The same with an explicit byte bound (0: the default). */
cw_err_t cw_lowering_new_bounded(size_t max_entries, size_t max_bytes, cw_lowering_t **out);
void cw_lowering_free(cw_lowering_t *c);

/* Prepare `src` (c may be NULL: no cache).  Returns CW_OK (check
 * syntax_error/internal/limit/candidate in *p) or CW_ERR_NOMEM.
 * cw_lowering_prepare has no time or memory bound; job code goes through
 * cw_lowering_prepare_limited with the job's deadline. */
cw_err_t cw_lowering_prepare(cw_lowering_t *c, const char *src, size_t len, cw_prepared_t *p);
cw_err_t cw_lowering_prepare_limited(cw_lowering_t *c, const char *src, size_t len,
                                     const cw_lowering_limits_t *lim, cw_prepared_t *p);
/* `p` was a candidate (compiled as written) and Duktape's compiler rejected
 * it: lower it now (same source, same cache entry).  On return *p is as
 * after a prepare that lowered: check syntax_error/internal/limit. */
cw_err_t cw_lowering_lower_rejected(cw_lowering_t *c, const char *src, size_t len,
                                    const cw_lowering_limits_t *lim, cw_prepared_t *p);
void cw_lowering_release(cw_prepared_t *p);

/* Inside a Duktape safe call: push the function this code compiled to the
 * last time (from this executor's own bytecode) and return 1, or return 0
 * when there is none yet. */
int cw_lowering_load_compiled(duk_context *ctx, cw_lowering_t *c, const cw_prepared_t *p);
/* After a successful compile of `p` (the function at -1, left there): keep
 * its bytecode in the cache for the next job with the same code.  Never
 * throws; a failure only means nothing is kept. */
void cw_lowering_keep_compiled(duk_context *ctx, const cw_prepared_t *p);

/* Inside a Duktape safe call: define the global __cw_h with the helpers
 * `p` needs (nothing if it needs none).  Throws on failure. */
void cw_lowering_install_helpers(duk_context *ctx, cw_lowering_t *c, const cw_prepared_t *p);

/* Map a line of the compiled code back to the job's source (identity when
 * the code was not lowered).  0 when unknown. */
long cw_lowering_map_line(const cw_prepared_t *p, long line);

/* Exercise the lowering library and the C library's lazy file reads once
 * (CPU count, time zone) before the executor confines itself. */
int cw_lowering_warmup(char *err, size_t n);

/* Cache counters: lookups that found the code, that did not, and compiles
 * replaced by loading bytecode. */
void cw_lowering_stats(const cw_lowering_t *c, uint64_t *hits, uint64_t *misses, uint64_t *loads);
/* Bytes the cache holds now, and entries evicted to stay within bytes. */
size_t cw_lowering_cache_bytes(const cw_lowering_t *c);

#endif /* CW_LOWERING_H */
