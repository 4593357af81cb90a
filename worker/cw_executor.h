/*
 * cw_executor.h -- the executor process: parse and run jobs, one at a time.
 *
 * An executor is this same binary re-executed by the supervisor with a clean
 * environment and one socketpair on a known fd.  It is the only place where
 * a job message is parsed and where untrusted code runs; if anything in it
 * goes wrong the supervisor kills it and starts another, and the job still
 * gets its result.
 */
#ifndef CW_EXECUTOR_H
#define CW_EXECUTOR_H

#include "cw_job.h"
#include "cw_sandbox.h"

/* Recycling: after a job, an executor whose C heap has grown by more than
 * `recycle_bytes` since start-up, code cache included (after giving back
 * what it can), tells the
 * supervisor and exits once the result is out; the pool starts a fresh one,
 * so no tenant runs in what earlier ones left behind (fragmentation, the
 * lowering library's working set).  The code cache is bounded in bytes by
 * `cache_bytes` (cw_lowering.h). */
#define CW_EXECUTOR_RECYCLE_BYTES_DEFAULT ((size_t)768 << 20)

typedef struct cw_executor_conf {
    cw_sandbox_conf_t sbx;
    cw_job_limits_t job;
    size_t cache_bytes;   /* 0 = CW_LOWERING_CACHE_BYTES_DEFAULT */
    size_t recycle_bytes; /* 0 = never recycle */
} cw_executor_conf_t;

void cw_executor_conf_default(cw_executor_conf_t *c);

/* Serve jobs on `fd` until the supervisor closes it.  Returns the process
 * exit status: 0 on a clean EOF, 1 on a channel error, 2 on a setup error
 * (the supervisor does not respawn on 2, as nginx does). */
int cw_executor_main(int fd, const cw_executor_conf_t *conf);

#endif /* CW_EXECUTOR_H */
