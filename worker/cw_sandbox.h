/*
 * cw_sandbox.h -- run one job in a fresh, bounded Duktape heap.
 *
 * The sandbox is the first wall.  Each job gets a new heap whose allocator
 * is capped at the job's memoryLimit, an execution deadline checked by the
 * engine between bytecode instructions, a per-job PRNG seeded from the OS,
 * a capped console, the modern built-ins and allowed libraries of the
 * embedded runtime (cw_runtime.h, loaded on first use), and no host objects
 * beyond crypto.getRandomValues and performance.now: no `Duktape` global, no
 * module loader except the allowlist.  Timers run after the synchronous code
 * on a job clock that skips ahead instead of sleeping (cw_runtime.h).  Whatever the code does, the call
 * returns one result JSON document.  Work that C built-ins do without ever
 * reaching the deadline check (a catastrophic regex) is stopped from outside
 * by the supervisor's hard kill, not here.
 */
#ifndef CW_SANDBOX_H
#define CW_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"
#include "cw_job.h"

typedef struct cw_sandbox_conf {
    size_t log_max_entries; /* console entries kept per job */
    size_t log_max_bytes;   /* serialized bytes of all kept entries */
    size_t log_max_message; /* bytes of one message */
    size_t result_max_bytes; /* whole result document */
    /* Allocation-failure injection into the job's heap (tests only; see
     * cw_alloc.h): 0 = off. */
    uint64_t fault_at, fault_repeat;
    /* Libraries a job may require(): bit i = library i of the embedded
     * runtime (cw_runtime_modules_parse); the default is all of them. */
    uint32_t modules;
    /* The executor's cache of lowered code (cw_lowering.h); NULL = no cache. */
    struct cw_lowering *lowering;
    /* The executor's compiled regular expressions (cw_regexp.h); NULL = each
     * heap keeps a small one of its own, freed with the heap. */
    struct cw_regexp_cache *regexps;
    /* The executor's shared log region (cw_logring.h): the console mirrors
     * every entry it keeps there; NULL = none. */
    struct cw_logring *logring;
} cw_sandbox_conf_t;

void cw_sandbox_conf_default(cw_sandbox_conf_t *c);

/* For natives that the deadline stopped midway (cw_interrupt.h): the job is
 * timed out from now on, whatever the clock says; `udata` is the heap's
 * allocator user data. */
void cw_sandbox_stop_now(void *udata);

/* What a run cost, for tests and metrics. */
typedef struct cw_sandbox_stats {
    uint64_t allocations; /* successful allocations in the job's heap */
    uint64_t faults;      /* injected allocation failures */
    size_t leaked;        /* heap bytes still allocated after destroy (must be 0) */
    int result_code;      /* the cw_rescode_t written */
    int abandoned;        /* the deadline stopped a native computation, whose
                           * memory is lost: the process should retire */
    uint64_t prepare_ns;  /* input, lowering and compiling (0 if not run) */
    uint64_t run_ns;      /* the code and its event loop */
    int lowered;          /* the code was lowered to ES5 */
} cw_sandbox_stats_t;

/* A fresh heap, made before its job arrives (cw_sandbox.c, "prepared
 * heaps").  Opaque; one job at most runs in it. */
typedef struct cw_sandbox_heap cw_sandbox_heap_t;

/* Create a heap with the sandbox's globals installed.  CW_ERR_NOMEM only when
 * the process is out of memory; a heap that did not fit or whose setup failed
 * is still returned and fails its job with the reason.  With
 * CW_SANDBOX_HEAP_IMAGE the heap is sealed as an image that renewing copies
 * back (falling back to a plain heap when no image can be made). */
#define CW_SANDBOX_HEAP_IMAGE 1
cw_err_t cw_sandbox_heap_new(const cw_sandbox_conf_t *conf, int flags, cw_sandbox_heap_t **heap);

/* Make a spent heap fresh again (a no-op for one no job has used): restore
 * its image, or destroy and create it. */
cw_err_t cw_sandbox_heap_renew(cw_sandbox_heap_t *heap);

/* 1 when `heap` is renewed from an image. */
int cw_sandbox_heap_is_image(const cw_sandbox_heap_t *heap);

/* Destroy a heap (NULL is fine); `stats`, when given, gets the bytes still
 * allocated after destruction in `leaked` (the run filled in the rest). */
void cw_sandbox_heap_free(cw_sandbox_heap_t *heap, cw_sandbox_stats_t *stats);

/* Run `job` in `heap` (made by cw_sandbox_heap_new with the conf to use) and
 * write its result, as cw_sandbox_run does; the heap is spent afterwards
 * (CW_ERR_STATE if it was already used) and only good for
 * cw_sandbox_heap_free. */
cw_err_t cw_sandbox_run_prepared(cw_sandbox_heap_t *heap, const cw_job_t *job, cw_buf_t *out,
                                 cw_sandbox_stats_t *stats /* may be NULL */);

/*
 * Run `job` and append exactly one result document to `out` (whose max is
 * set by the call to conf->result_max_bytes).  Returns CW_OK whenever a
 * result was written, whatever the job did; CW_ERR_NOMEM only when the
 * process itself (not the job's heap) ran out of memory.  `stats`, when
 * given, is filled in either way.
 */
cw_err_t cw_sandbox_run(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out,
                        cw_sandbox_stats_t *stats /* may be NULL */);

/*
 * Write the INVALID_REQUEST result for a job that failed cw_job_parse():
 * `job_id` may be NULL, `reason` is the parser's message.
 */
cw_err_t cw_sandbox_invalid(const cw_sandbox_conf_t *conf, const char *job_id, const char *reason,
                            cw_buf_t *out);

/* Write the CANCELLED result for a job cancelled before it ran. */
cw_err_t cw_sandbox_cancelled(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out);

/* Write the EXPIRED result for a job consumed after its expiresAt. */
cw_err_t cw_sandbox_expired(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out);

#endif /* CW_SANDBOX_H */
