/*
 * cw_cancel.h -- the jobIds a worker has been asked to cancel.
 *
 * A caller that no longer needs a job (the agent gave up, the user left)
 * publishes a cancel record, key = jobId, on the cancel topic (compacted);
 * every worker reads the whole topic (cw_cancel_feed.h) and keeps the ids
 * here, so that whichever worker holds the job -- queued, being parsed or
 * running, now or after a rebalance -- can answer it CANCELLED (exactly one
 * result, as always).  A cancel for an unknown or finished job is harmless:
 * its id sits here until it is evicted.
 *
 * The set is bounded: at most `max` ids, the oldest evicted first (a job
 * cancelled that long ago has long had its result).  Ids are bytes (1 to
 * CW_CANCEL_ID_MAX of them, the job parser's own jobId limit); a reason,
 * when the record gave one, is kept with its id (clipped at
 * CW_CANCEL_REASON_MAX bytes) for the audit row.
 *
 * Contract: every function that allocates returns CW_ERR_NOMEM on failure
 * and leaves the set as it was (tests/unit/test_cancel.c injects a failure
 * at every allocation).  No global state; not thread-safe (the supervisor's
 * loop is single-threaded).
 */
#ifndef CW_CANCEL_H
#define CW_CANCEL_H

#include <stddef.h>
#include <stdint.h>

#include "cw_err.h"

#define CW_CANCEL_ID_MAX 256
#define CW_CANCEL_REASON_MAX 256

typedef struct cw_cancels cw_cancels_t;

/* A set holding at most `max` ids (1..10,000,000): CW_ERR_INVALID,
 * CW_ERR_NOMEM. */
cw_err_t cw_cancels_new(size_t max, cw_cancels_t **out);
void cw_cancels_free(cw_cancels_t *c);

/* Add `id`; an id already there keeps its first reason and its age.
 * reason may be NULL.  CW_ERR_INVALID for an empty or over-long id,
 * CW_ERR_NOMEM. */
cw_err_t cw_cancels_add(cw_cancels_t *c, const char *id, size_t len, const char *reason, size_t reason_len);

/* The id as stored (NUL-terminated) when `id` was cancelled, else NULL;
 * *reason (may be NULL) gets its reason, "" when none. */
const char *cw_cancels_find(const cw_cancels_t *c, const char *id, size_t len, const char **reason);

/* Ids held now, and evicted so far. */
size_t cw_cancels_count(const cw_cancels_t *c);
uint64_t cw_cancels_evicted(const cw_cancels_t *c);

/*
 * Read a cancel record: its key is the jobId; its value, when not empty, is
 * a JSON object whose optional "reason" string is kept (schemas/
 * cancel.schema.json).  A value that is not such an object still cancels
 * (the key is what counts); a record without a key, or with one over
 * CW_CANCEL_ID_MAX bytes or not valid UTF-8, is CW_ERR_INVALID.  On CW_OK,
 * reason[0, *reason_len) is the reason (JSON escapes undone, clipped on a
 * character boundary at CW_CANCEL_REASON_MAX bytes), possibly empty.
 */
cw_err_t cw_cancel_record(const char *key, size_t key_len, const char *value, size_t value_len,
                          char reason[CW_CANCEL_REASON_MAX + 1], size_t *reason_len);

#endif /* CW_CANCEL_H */
