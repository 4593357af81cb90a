/*
 * cw_worker.h -- `codeworker run`: the Kafka service around the executor pool.
 *
 * The supervisor owns one consumer (a member of the group, cooperative-sticky
 * assignment, manual offsets) and one idempotent producer (acks=all), both
 * driven from the same libev loop as the pool.  Jobs from one partition run
 * concurrently; a partition's offset is committed only up to the first job
 * whose result the broker has not yet acknowledged, so no job is ever
 * acknowledged before its result is durable (at-least-once).
 */
#ifndef CW_WORKER_H
#define CW_WORKER_H

#include <signal.h>

#include "cw_conf.h"
#include "cw_err.h"

typedef struct cw_worker cw_worker_t;

/* Create the Kafka clients and the executor pool.  `stop` is polled while
 * waiting for an unreachable broker at start-up (set by a signal handler).
 * Returns CW_ERR_INVALID with a one-line reason for a bad configuration. */
cw_err_t cw_worker_new(const cw_conf_t *conf, char *const *exec_argv, volatile sig_atomic_t *stop,
                       cw_worker_t **out, char *errstr, size_t errstr_size);

/* Serve until SIGTERM (drain, commit, exit 0) or a second SIGINT (exit at
 * once).  Returns the process exit status. */
int cw_worker_run(cw_worker_t *w);

void cw_worker_free(cw_worker_t *w);

#endif /* CW_WORKER_H */
