/*
 * cw_pool.h -- the supervisor's pool of pre-started executor processes.
 *
 * Like nginx's master, the pool only coordinates: it keeps one slot per
 * executor {pid, channel, state, in-flight job}, hands each idle executor the
 * next queued job, and arms a hard wall-clock kill at the job's deadline plus
 * a grace period, because Duktape's own deadline check never runs inside C
 * built-ins.  When an executor dies -- killed for its deadline, crashed, or
 * out of memory -- the pool writes that job's result itself (TIMEOUT or
 * WORKER_CRASHED, with the signal) and starts a replacement: the pool never
 * shrinks and every submitted job gets exactly one result callback.  Such a
 * result still carries the console lines the job wrote before it died: each
 * executor mirrors them into a shared log region (cw_logring.h) that the
 * pool reads, as untrusted input, only then (`logsRecovered` in the result).
 *
 * Everything runs on the caller's libev default loop; the pool never blocks.
 */
#ifndef CW_POOL_H
#define CW_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "cw_err.h"

typedef struct cw_pool cw_pool_t;

typedef struct cw_pool_conf {
    int executors;           /* pool size, >= 1 */
    char *const *exec_argv;  /* executor command line; exec_argv[0] is the binary */
    double grace_s;          /* hard kill this long after a job's deadline */
    double parse_timeout_s;  /* a job must be parsed (START) within this */
    size_t max_job_bytes;    /* largest JOB frame */
    size_t max_result_bytes; /* largest RESULT frame accepted from an executor */
    size_t log_max_entries;  /* console caps of the executors (cw_sandbox_conf_t): */
    size_t log_max_bytes;    /* the size of each executor's log region (cw_logring.h) */
    int insecure;            /* executors run unconfined (--insecure-no-sandbox, also
                                implied by that flag on exec_argv): skip the check
                                that each one is confined (cw_confine.h) */
    /* Cancellation (NULL: none).  Asked with job_id NULL when a job is about
     * to be dispatched -- the owner answers from what it knows of the ticket
     * (the Kafka key) and returns the jobId that was cancelled, which the
     * executor compares with the jobId it parses: equal, the job is answered
     * CANCELLED without running -- and with the parsed jobId when its START
     * arrives: non-NULL, the running job is stopped (cw_pool_cancel()).
     * Called with the pool's `ud`. */
    const char *(*cancelled)(void *ud, uint64_t ticket, const char *job_id);
    double cancel_grace_s;   /* a cancelled job's executor is killed this long
                                after being asked to stop, if it has not */
    /* Live logs (NULL: off).  Called with the console entries ("{...},{...}",
     * whole and valid, as cw_logring_parse() gives them) a started job has
     * written since the last call: from cw_pool_stream_logs() while it runs
     * (only when there is something new), and once more with end = 1 just
     * before its result is delivered (the rest, maybe none; `code` is the
     * result's cw_rescode_t and `truncated` says the region dropped lines).
     * A job whose executor never said START has none of these calls. */
    void (*logs)(void *ud, uint64_t ticket, const char *job_id, const char *entries, size_t len, int end, int code,
                 int truncated);
} cw_pool_conf_t;

void cw_pool_conf_default(cw_pool_conf_t *c);

/* One job's outcome, valid only during the callback (copy what you keep). */
typedef struct cw_pool_result {
    uint64_t ticket;     /* the submitter's own number */
    int code;            /* cw_rescode_t of the result */
    const char *job_id;  /* NUL-terminated; NULL when no jobId could be read */
    const char *reply_topic; /* the job's replyTopic, NULL when none */
    const char *json;    /* the result document */
    size_t len;
    int by_supervisor;   /* written by the pool (executor killed or died) */
    const char *action_id, *user_id; /* audit ids from START; NULL if unknown */
    const char *traceparent, *tracestate; /* the job's trace context fields from START
                                           * (checked by cw_job.c); NULL if none */
    int64_t dispatched_ms; /* when an executor took the job (epoch ms) */
    int64_t done_ms;       /* when the result arrived */
    /* The same moments in epoch nanoseconds, and START's (0: none came),
     * with the executor's own split of START..result into preparing
     * (lowering, compiling) and running (0 when the executor did not say):
     * the job's spans. */
    int64_t dispatched_ns, started_ns, done_ns;
    uint64_t prepare_ns, run_ns;
    int lowered;
} cw_pool_result_t;

/* Called exactly once per submitted job. */
typedef void (*cw_pool_done_fn)(void *ud, const cw_pool_result_t *res);

/* Start the executors.  Returns CW_OK, CW_ERR_INVALID for a bad conf,
 * CW_ERR_SYSTEM if no process could be started, CW_ERR_NOMEM. */
cw_err_t cw_pool_new(struct ev_loop *loop, const cw_pool_conf_t *conf, cw_pool_done_fn done,
                     void *ud, cw_pool_t **out);

/* Queue a job (the bytes are copied).  CW_ERR_TOOBIG for a job over
 * max_job_bytes (no callback follows: the caller writes that result),
 * CW_ERR_NOMEM. */
cw_err_t cw_pool_submit(cw_pool_t *p, uint64_t ticket, const char *job, size_t len);

/* Stop the running job whose jobId is `job_id`, if an executor has one:
 * the executor is asked (SIGUSR1, cw_interrupt.h) and ends the job from
 * inside as CANCELLED with its logs; if it has not answered after
 * cancel_grace_s it is killed and the pool writes the CANCELLED result,
 * with the lines recovered from its log region.  A job still being parsed
 * is stopped when its START arrives (conf.cancelled).  Returns how many
 * executors were asked. */
int cw_pool_cancel(cw_pool_t *p, const char *job_id);

/* Hand the new console lines of every running job to conf.logs (a no-op
 * when it is NULL).  Reads each running executor's log region, so call it
 * on a timer (every 100 ms or so), not per event. */
void cw_pool_stream_logs(cw_pool_t *p);

/* Jobs submitted whose result has not been delivered yet. */
size_t cw_pool_pending(const cw_pool_t *p);

/* Counters for metrics and tests. */
typedef struct cw_pool_stats {
    uint64_t spawned;   /* executor processes started, respawns included */
    uint64_t crashed;   /* executors that died with a job in flight */
    uint64_t retired;   /* executors replaced after growing past their
                           recycling threshold (CW_CHAN_RETIRE) */
    uint64_t killed;    /* executors killed at the hard deadline */
    int idle, busy;     /* right now */
    int crash_looping;  /* every slot failed its last 3+ start-ups */
    int pids_len;
    int pids[64];       /* live executor pids (first 64) */
} cw_pool_stats_t;

void cw_pool_get_stats(const cw_pool_t *p, cw_pool_stats_t *st);

/* Stop every executor (SIGKILL), reap it and free the pool.  Jobs still
 * queued get no callback. */
void cw_pool_free(cw_pool_t *p);

#endif /* CW_POOL_H */
