/*
 * cw_cancel_feed.h -- every worker's reader of the cancel topic.
 *
 * Cancels must reach whichever worker holds a job, so the topic is not
 * shared out by a consumer group: each worker assigns itself every
 * partition of it, starting at the records of the last `lookback_ms`
 * (offsets for that time; a worker that starts later still learns of
 * cancels for jobs that may be waiting in its partitions), and then
 * follows it.  Each record goes through cw_cancel_record() into the set
 * (cw_cancel.h) and to the owner's callback, which stops a running job
 * (cw_pool_cancel()).  Tombstones (null values: compaction's deletes) and
 * records without a usable key are skipped and counted.
 *
 * The consumer runs on the owner's libev loop through a pipe that
 * librdkafka writes when records are waiting; nothing here blocks the loop
 * after start-up (the topic's metadata and the start offsets are read once,
 * in cw_cfeed_new(), before any job runs).
 */
#ifndef CW_CANCEL_FEED_H
#define CW_CANCEL_FEED_H

#include <stdint.h>

#include <ev.h>
#include <librdkafka/rdkafka.h>

#include "cw_cancel.h"
#include "cw_err.h"

typedef struct cw_cfeed cw_cfeed_t;

/* A cancel was read: job_id (NUL-terminated, as stored in the set) and its
 * reason ("" when none). */
typedef void (*cw_cfeed_fn)(void *ud, const char *job_id, const char *reason);

/* Start following `topic` with a consumer made from `kc` (brokers and the
 * user's settings applied; taken over, also on failure).  CW_ERR_INVALID
 * (errstr says why: no such topic, a bad setting), CW_ERR_SYSTEM,
 * CW_ERR_NOMEM. */
cw_err_t cw_cfeed_new(struct ev_loop *loop, rd_kafka_conf_t *kc, const char *topic, int64_t lookback_ms,
                      cw_cancels_t *set, cw_cfeed_fn fn, void *ud, cw_cfeed_t **out, char *errstr, size_t n);

void cw_cfeed_free(cw_cfeed_t *f);

typedef struct cw_cfeed_stats {
    uint64_t records;  /* cancel records read */
    uint64_t skipped;  /* tombstones and records without a usable key */
    int partitions;    /* of the cancel topic, followed */
} cw_cfeed_stats_t;

void cw_cfeed_get_stats(const cw_cfeed_t *f, cw_cfeed_stats_t *st);

#endif /* CW_CANCEL_FEED_H */
