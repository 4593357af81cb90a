/*
 * cw_sandbox.h -- run one job in a fresh, bounded Duktape heap.
 *
 * The sandbox is the first wall.  Each job gets a new heap whose allocator
 * is capped at the job's memoryLimit, an execution deadline checked by the
 * engine between bytecode instructions, a per-job PRNG seeded from the OS,
 * a capped console, the modern built-ins and allowed libraries of the
 * embedded runtime (cw_runtime.h, loaded on first use), and no host objects
 * beyond crypto.getRandomValues and performance.now: no `Duktape` global, no
 * timers, no module loader except the allowlist.  Whatever the code does, the call
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
} cw_sandbox_conf_t;

void cw_sandbox_conf_default(cw_sandbox_conf_t *c);

/* What a run cost, for tests and metrics. */
typedef struct cw_sandbox_stats {
    uint64_t allocations; /* successful allocations in the job's heap */
    uint64_t faults;      /* injected allocation failures */
    size_t leaked;        /* heap bytes still allocated after destroy (must be 0) */
    int result_code;      /* the cw_rescode_t written */
} cw_sandbox_stats_t;

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

/* Write the EXPIRED result for a job consumed after its expiresAt. */
cw_err_t cw_sandbox_expired(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out);

#endif /* CW_SANDBOX_H */
