/*
 * cw_worker.c -- consume jobs, run them in the pool, publish results, commit.
 *
 * Offsets: every consumed message becomes a cw_entry_t appended to its
 * partition's list in offset order.  An entry is done when the broker has
 * acknowledged its result (or dead-letter record); the committable offset of
 * a partition is one past the last done entry of the done prefix, so a slow
 * job holds back the commit of the faster ones behind it, never the reverse.
 *
 * Backpressure: when the pool holds queue.max jobs, every assigned partition
 * is paused (the consumer keeps being polled so rebalances are served) and
 * resumed at half that.  librdkafka's prefetch is capped as well, so memory
 * is bounded whatever the lag.
 *
 * Rebalances: on revocation, in-flight jobs of the revoked partitions get up
 * to drain.timeout.ms to finish (the loop runs nested inside the rebalance
 * callback), their offsets are committed synchronously, then the partitions
 * are released.  SIGTERM drains the same way.
 *
 * Blocking librdkafka calls on the loop.  The pool's hard deadlines (the
 * SIGKILL of an executor that outlives its job timeout) are ev_timers on
 * this same loop, so while one of the calls below blocks, no deadline fires
 * and a runaway executor keeps its core for that long.  Inventory, with the
 * bound each has today (an open item: move the transaction calls off the
 * loop or cut them into bounded steps):
 *   - rd_kafka_send_offsets_to_transaction  cw_txn_commit      30 s
 *   - rd_kafka_commit_transaction           cw_txn_commit      60 s in all
 *       (CW_TXN_COMMIT_BUDGET_MS; retriable failures are retried within
 *       it, then the worker exits as on a fatal error)
 *   - rd_kafka_abort_transaction            cw_txn_failed      30 s
 *   - rd_kafka_begin_transaction            cw_txn_feed        local, no I/O
 *   - rd_kafka_poll(producer, 10)           cw_txn_feed        10 ms per
 *       spin while the produce queue is full: bounded by delivery progress
 *   - rd_kafka_seek_partitions              cw_txn_rewind      10 s
 *   - rd_kafka_commit(sync)                 cw_commit(sync=1)  librdkafka's
 *       request timeout; only on revocation and shutdown
 *   - rd_kafka_get_watermark_offsets        metrics handler    cached, none
 * Before the loop starts (no executor has a job yet): the admin topic
 * creation (15 s) and rd_kafka_init_transactions (30 s).  After it ends:
 * rd_kafka_flush (10 s) and rd_kafka_consumer_close.
 */
#include "cw_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <ev.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cw_buf.h"
#include "cw_cancel.h"
#include "cw_cancel_feed.h"
#include "cw_cli.h"
#include "cw_http.h"
#include "cw_metrics.h"
#include "cw_otlp.h"
#include "cw_pool.h"
#include "cw_result.h"
#include "cw_time.h"
#include "cw_trace.h"
#include "cw_utf8.h"

#define CW_MAX_PARTITIONS 10000
#define CW_AUDIT_CLIP (16u << 10)

typedef struct cw_part cw_part_t;

typedef struct cw_entry {
    struct cw_entry *next;
    cw_part_t *part;
    int64_t offset;
    int64_t ts_ms;   /* message timestamp */
    int done;
    char *raw;       /* the job message, kept for the dead-letter path */
    size_t raw_len;
    /* a produce that could not be enqueued yet */
    struct cw_entry *retry_next;
    char *topic, *key, *value, *hdr_result;
    size_t key_len, value_len;
    int dlq;
    int ready;  /* exactly-once: result built, waiting for its transaction */
    int in_txn; /* exactly-once: produced in the open transaction */
    int attempts;       /* earlier runs that ended with the executor dying */
    cw_buf_t history;   /* JSON array members: one object per failed attempt */
    int dlq_copy;       /* also dead-letter the job (it kept crashing executors) */
    int stale;  /* exactly-once: its transaction was aborted; drop the result */
    int oversize; /* over job.max.bytes: dead-lettered whole, unread */
    /* The W3C trace context of the message's own traceparent/tracestate
     * headers, when valid (cw_trace.h); NULL otherwise. */
    char *traceparent, *tracestate;
    char *msg_key; /* the message's key when cancellation is on (cw_cancel.h): a
                    * job cancelled before it runs is found by it */
    size_t msg_key_len;
    /* Its spans (cw_otlp.h), when they are recorded: the trace, the span
     * of the whole job, its parent (the job's traceparent; zero: a trace of
     * its own) and the moments of its steps, sent once the result is
     * acknowledged. */
    int traced;
    uint8_t trace_id[16], parent_id[8], span_id[8];
    int64_t dispatched_ns, started_ns, done_ns;
    uint64_t prepare_ns, run_ns;
    int lowered, rescode;
    uint32_t log_records; /* records of its lines published to logs.topic so far */
} cw_entry_t;

struct cw_part {
    struct cw_worker *owner;
    int32_t id;
    int assigned;
    cw_entry_t *head, *tail;
    int64_t done_upto;  /* committable: next offset to read */
    int64_t committed;
    int64_t next_expected; /* one past the last offset taken; -1 unknown */
    int64_t txn_upto;      /* exactly-once: one past the last result in the open transaction; -1 none */
    cw_entry_t *txn_tail;  /* exactly-once: the last entry produced in the open transaction */
    int nentries;
};

struct cw_worker {
    cw_conf_t conf;
    struct ev_loop *loop;
    volatile sig_atomic_t *stop_flag;
    cw_pool_t *pool;
    rd_kafka_t *consumer, *producer, *mock_host;
    rd_kafka_mock_cluster_t *mock;
    rd_kafka_queue_t *cq, *pq;
    int cpipe[2], ppipe[2];
    ev_io cio, pio;
    ev_timer tick, commit_timer;
    ev_signal sigterm, sigint;
    cw_http_t *http;
    cw_cancels_t *cancels; /* cancelled jobIds (NULL: cancellation off) */
    cw_cfeed_t *cfeed;     /* the cancel topic's reader */
    uint64_t cancel_stops;
    cw_otlp_t *otlp;       /* the span exporter (NULL: otlp.endpoint is empty) */
    rd_kafka_t *lproducer; /* live logs (logs.topic): a plain producer, outside the transactions */
    ev_timer logs_timer;
    uint64_t log_records, log_records_dropped, log_record_errors;
    cw_part_t **parts;
    int nparts_cap;
    int in_flight;     /* entries not yet done */
    size_t held_bytes; /* job bytes held by entries not yet done */
    int paused;
    int in_rebalance;
    int stopping, sigints;
    ev_tstamp drain_deadline;
    int exit_code;
    int fatal;
    cw_entry_t *retry_head;
    int eos;           /* delivery = exactly-once */
    int crash_looping; /* every executor keeps dying at start: stop consuming */
    char mock_bootstraps[256];
    struct {
        int16_t api;
        uint64_t after; /* results published before injecting */
        int n;
        rd_kafka_resp_err_t errs[16];
        int done;
    } inject[8];
    int ninject;
    int ready_count;   /* results waiting for a transaction */
    int txn_open;      /* a transaction has begun and holds produced results */
    rd_kafka_consumer_group_metadata_t *cgmd;
    uint64_t txn_commits, txn_aborts;
    regex_t reply_re;
    int have_reply_re;
    char host[128];
    char worker_id[160]; /* host:pid, for dead-letter headers */
    char produce_max[24]; /* the producer's message.max.bytes, also the results topic's */
    cw_metrics_t m;
};

static int cw_produce_entry(cw_worker_t *w, cw_entry_t *e);
static void cw_span_emit(cw_worker_t *w, cw_entry_t *e);
static void cw_mock_tick(cw_worker_t *w);

static void cw_wlog(const char *level, const char *msg, const char *extra) {
    char ts[40];
    cw_result_iso8601(cw_now_ms(), ts, sizeof(ts));
    fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"%s%s}\n", ts, level, msg,
            extra && *extra ? "," : "", extra ? extra : "");
}

/* ---- partitions and offsets --------------------------------------------- */

static cw_part_t *cw_part_get(cw_worker_t *w, int32_t id) {
    if (id < 0 || id >= CW_MAX_PARTITIONS)
        return NULL;
    if (id >= w->nparts_cap) {
        int cap = w->nparts_cap ? w->nparts_cap : 16;
        while (cap <= id)
            cap *= 2;
        cw_part_t **n = realloc(w->parts, (size_t)cap * sizeof(*n));
        if (!n)
            return NULL;
        memset(n + w->nparts_cap, 0, (size_t)(cap - w->nparts_cap) * sizeof(*n));
        w->parts = n;
        w->nparts_cap = cap;
    }
    if (!w->parts[id]) {
        w->parts[id] = calloc(1, sizeof(cw_part_t));
        if (!w->parts[id])
            return NULL;
        w->parts[id]->id = id;
        w->parts[id]->owner = w;
        w->parts[id]->done_upto = w->parts[id]->committed = w->parts[id]->next_expected = -1;
        w->parts[id]->txn_upto = -1;
    }
    return w->parts[id];
}

/* Free an entry and all it owns; the caller has settled its counters. */
static void cw_entry_release(cw_entry_t *e) {
    cw_buf_free(&e->history);
    free(e->raw);
    free(e->topic);
    free(e->key);
    free(e->value);
    free(e->hdr_result);
    free(e->traceparent);
    free(e->tracestate);
    free(e->msg_key);
    free(e);
}

static void cw_entry_free(cw_entry_t *e) {
    if (e->part && e->part->owner)
        e->part->owner->held_bytes -= e->raw_len;
    cw_entry_release(e);
}

/* Pop the done prefix of a partition and move its committable offset. */
static void cw_part_advance(cw_worker_t *w, cw_part_t *p) {
    while (p->head && p->head->done) {
        cw_entry_t *e = p->head;
        p->head = e->next;
        if (!p->head)
            p->tail = NULL;
        p->done_upto = e->offset + 1;
        p->nentries--;
        cw_entry_free(e);
    }
    (void)w;
}

/* Commit what is committable; sync=1 waits for the broker. */
static void cw_commit(cw_worker_t *w, int only_id, int sync) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < w->nparts_cap; i++) {
        cw_part_t *p = w->parts[i];
        /* A periodic commit skips what it already sent; the synchronous one
         * (revocation, shutdown) always sends, since an asynchronous commit
         * can fail silently while a rebalance is in progress. */
        if (!p || !p->assigned || p->done_upto < 0 || (!sync && p->done_upto == p->committed))
            continue;
        if (only_id >= 0 && p->id != only_id)
            continue;
        rd_kafka_topic_partition_list_add(l, w->conf.jobs_topic, p->id)->offset = p->done_upto;
        p->committed = p->done_upto;
    }
    if (l->cnt) {
        rd_kafka_resp_err_t err = rd_kafka_commit(w->consumer, l, sync ? 0 : 1);
        w->m.commits++;
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
            err = RD_KAFKA_RESP_ERR_NO_ERROR;
        if (err) {
            w->m.commit_errors++;
            char x[200];
            snprintf(x, sizeof(x), "\"error\":\"%s\"", rd_kafka_err2str(err));
            cw_wlog("warn", "offset commit failed", x);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* ---- exactly-once ----------------------------------------------------------
 *
 * A transaction holds, for each assigned partition, the results of the
 * contiguous prefix of jobs that have finished, plus the consumed offsets up
 * to that prefix, so results and offsets become visible together.  A result
 * is produced into the open transaction (beginning one if needed) as soon as
 * the prefix reaches it, so by the time the commit interval ends most of the
 * transaction is already on the broker and committing costs the offsets and
 * the end-of-transaction round trips only.  Results that finish ahead of an
 * earlier job wait (in memory, bounded by queue.max) until the prefix
 * reaches them.  On an abortable error the transaction is aborted
 * and every partition is rewound to its last committed offset: the jobs run
 * again and their earlier results were never visible to read_committed
 * consumers.  A fatal error (fenced) ends the process with status 1 so the
 * service manager starts a fresh client.
 */

static void cw_txn_rewind(cw_worker_t *w) {
    w->txn_open = 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < w->nparts_cap; i++) {
        cw_part_t *p = w->parts[i];
        if (!p)
            continue;
        /* Entries still in an executor are marked stale and freed when their
         * result arrives; finished ones are dropped now. */
        cw_entry_t *e = p->head;
        int64_t first = e ? e->offset : -1;
        while (e) {
            cw_entry_t *nx = e->next;
            w->held_bytes -= e->raw_len;
            w->in_flight--;
            if (e->ready) {
                w->ready_count--;
                cw_entry_release(e);
            } else {
                e->stale = 1;
                e->next = NULL;
            }
            e = nx;
        }
        p->head = p->tail = NULL;
        p->nentries = 0;
        p->txn_upto = -1;
        p->txn_tail = NULL;
        if (p->assigned && first >= 0) {
            int64_t to = p->committed >= 0 ? p->committed : first;
            rd_kafka_topic_partition_list_add(l, w->conf.jobs_topic, p->id)->offset = to;
        }
        p->next_expected = -1;
    }
    if (l->cnt) {
        rd_kafka_error_t *err = rd_kafka_seek_partitions(w->consumer, l, 10000);
        if (err) {
            char x[300];
            snprintf(x, sizeof(x), "\"error\":\"%s\"", rd_kafka_error_string(err));
            cw_wlog("error", "rewind after abort failed", x);
            rd_kafka_error_destroy(err);
            w->fatal = 1;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void cw_txn_failed(cw_worker_t *w, rd_kafka_error_t *err, const char *what) {
    char x[400];
    snprintf(x, sizeof(x), "\"step\":\"%s\",\"error\":\"%s\"", what, rd_kafka_error_string(err));
    if (rd_kafka_error_is_fatal(err)) {
        cw_wlog("error", "fatal transactional error: exiting so a fresh client takes over", x);
        w->fatal = 1;
        ev_break(w->loop, EVBREAK_ALL);
    } else {
        cw_wlog("warn", "transaction aborted; rewinding to the last committed offsets", x);
        rd_kafka_error_t *e2 = rd_kafka_abort_transaction(w->producer, 30000);
        if (e2) {
            cw_wlog("error", "abort_transaction failed", rd_kafka_error_is_fatal(e2) ? "\"fatal\":true" : NULL);
            if (rd_kafka_error_is_fatal(e2))
                w->fatal = 1;
            rd_kafka_error_destroy(e2);
        }
        w->txn_aborts++;
        cw_txn_rewind(w);
    }
    rd_kafka_error_destroy(err);
}

/* Produce the results of `p`'s finished prefix that are not in the open
 * transaction yet, beginning one if none is open.  0, or -1 after a failure
 * (already handled: aborted and rewound, or fatal). */
static int cw_txn_feed(cw_worker_t *w, cw_part_t *p) {
    if (w->fatal || !p->assigned)
        return 0;
    for (cw_entry_t *e = p->txn_tail ? p->txn_tail->next : p->head; e && e->ready; e = e->next) {
        if (!w->txn_open) {
            rd_kafka_error_t *err = rd_kafka_begin_transaction(w->producer);
            if (err) {
                cw_txn_failed(w, err, "begin");
                return -1;
            }
            w->txn_open = 1;
        }
        int rc;
        while ((rc = cw_produce_entry(w, e)) == 1)
            rd_kafka_poll(w->producer, 10);
        if (rc < 0) {
            cw_txn_failed(w, rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "produce failed"), "produce");
            return -1;
        }
        e->in_txn = 1;
        p->txn_upto = e->offset + 1;
        p->txn_tail = e;
    }
    return 0;
}

/* Overall time for rd_kafka_commit_transaction and its retries. */
#define CW_TXN_COMMIT_BUDGET_MS 60000

static void cw_txn_commit(cw_worker_t *w) {
    if (w->fatal)
        return;
    for (int i = 0; i < w->nparts_cap; i++) /* anything not produced yet */
        if (w->parts[i] && cw_txn_feed(w, w->parts[i]) < 0)
            return;
    if (!w->txn_open)
        return; /* nothing finished, or only results ahead of an earlier job */
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < w->nparts_cap; i++) {
        cw_part_t *p = w->parts[i];
        if (!p || p->txn_upto < 0)
            continue;
        if (!p->assigned) {
            /* Lost (not revoked) while its results were in the transaction:
             * another worker owns the jobs now, so none of this may commit. */
            rd_kafka_topic_partition_list_destroy(offs);
            cw_txn_failed(w, rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "partition lost during the transaction"),
                          "commit");
            return;
        }
        rd_kafka_topic_partition_list_add(offs, w->conf.jobs_topic, p->id)->offset = p->txn_upto;
    }
    rd_kafka_error_t *err = rd_kafka_send_offsets_to_transaction(w->producer, offs, w->cgmd, 30000);
    if (!err) {
        /* A retriable failure leaves the outcome unknown: the only correct
         * next steps are another commit_transaction or a fresh client.  The
         * retries are bounded overall (CW_TXN_COMMIT_BUDGET_MS) because the
         * hard kills wait on this loop; past the budget the worker exits as
         * on a fatal error, and the next instance's init_transactions fences
         * this producer and settles the open transaction on the
         * coordinator (an abort here could contradict a commit that did
         * reach it). */
        int64_t until = cw_mono_ns() / 1000000 + CW_TXN_COMMIT_BUDGET_MS;
        for (;;) {
            int64_t left = until - cw_mono_ns() / 1000000;
            err = rd_kafka_commit_transaction(w->producer, (int)(left < 1000 ? 1000 : left));
            if (err && rd_kafka_error_is_retriable(err)) {
                if (cw_mono_ns() / 1000000 < until) {
                    rd_kafka_error_destroy(err);
                    continue;
                }
                char x[400];
                snprintf(x, sizeof(x), "\"error\":\"%s\",\"budgetMs\":%d", rd_kafka_error_string(err),
                         CW_TXN_COMMIT_BUDGET_MS);
                cw_wlog("error", "commit_transaction did not complete within its budget: exiting so a fresh client "
                        "settles the transaction", x);
                rd_kafka_error_destroy(err);
                rd_kafka_topic_partition_list_destroy(offs);
                w->fatal = 1;
                ev_break(w->loop, EVBREAK_ALL);
                return;
            }
            break;
        }
    }
    if (err) {
        rd_kafka_topic_partition_list_destroy(offs);
        cw_txn_failed(w, err, "commit");
        return;
    }
    w->txn_open = 0;
    /* Committed: the prefix is done. */
    for (int i = 0; i < offs->cnt; i++) {
        cw_part_t *p = cw_part_get(w, offs->elems[i].partition);
        while (p->head && p->head->in_txn && p->head->offset < offs->elems[i].offset) {
            cw_entry_t *e = p->head;
            e->done = 1;
            cw_span_emit(w, e);
            e->ready = 0;
            w->ready_count--;
            w->in_flight--;
            p->head = e->next;
            if (!p->head)
                p->tail = NULL;
            p->nentries--;
            cw_entry_free(e);
        }
        p->done_upto = p->committed = offs->elems[i].offset;
        p->txn_upto = -1;
        p->txn_tail = NULL;
    }
    w->txn_commits++;
    w->m.commits++;
    rd_kafka_topic_partition_list_destroy(offs);
}

static void cw_commit_cb(struct ev_loop *loop, ev_timer *t, int revents) {
    (void)loop, (void)revents;
    cw_worker_t *w = t->data;
    if (w->eos)
        cw_txn_commit(w);
    else
        cw_commit(w, -1, 0);
}

/* ---- producing ------------------------------------------------------------ */

/* The headers every dead-letter record carries, then the job's trace
 * context (when it had one) so a trace shows where its job went. */
static rd_kafka_headers_t *cw_dlq_headers(cw_worker_t *w, const cw_entry_t *e, const char *part, const char *off,
                                          const char *reason, const char *type) {
    rd_kafka_headers_t *h = rd_kafka_headers_new(11);
    rd_kafka_header_add(h, "cw-source-topic", -1, w->conf.jobs_topic, -1);
    rd_kafka_header_add(h, "cw-source-partition", -1, part, -1);
    rd_kafka_header_add(h, "cw-source-offset", -1, off, -1);
    rd_kafka_header_add(h, "cw-reason", -1, reason, -1);
    rd_kafka_header_add(h, "cw-error-type", -1, type, -1);
    rd_kafka_header_add(h, "cw-worker", -1, w->worker_id, -1);
    rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
    if (e->traceparent)
        rd_kafka_header_add(h, "traceparent", -1, e->traceparent, -1);
    if (e->tracestate)
        rd_kafka_header_add(h, "tracestate", -1, e->tracestate, -1);
    return h;
}

static int cw_produce_entry(cw_worker_t *w, cw_entry_t *e) {
    rd_kafka_resp_err_t err;
    char part[16], off[24];
    snprintf(part, sizeof(part), "%d", (int)e->part->id);
    snprintf(off, sizeof(off), "%lld", (long long)e->offset);
    rd_kafka_headers_t *h;
    if (e->dlq) {
        h = cw_dlq_headers(w, e, part, off, e->key ? e->key : "", "INVALID_REQUEST");
        rd_kafka_header_add(h, "cw-result", -1, e->hdr_result ? e->hdr_result : "", -1);
        err = rd_kafka_producev(w->producer, RD_KAFKA_V_TOPIC(e->topic), RD_KAFKA_V_VALUE(e->value, e->value_len),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h),
                                RD_KAFKA_V_OPAQUE(e), RD_KAFKA_V_END);
    } else {
        h = rd_kafka_headers_new(4);
        rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
        rd_kafka_header_add(h, "cw-schema-version", -1, "1", -1);
        if (e->traceparent)
            rd_kafka_header_add(h, "traceparent", -1, e->traceparent, -1);
        if (e->tracestate)
            rd_kafka_header_add(h, "tracestate", -1, e->tracestate, -1);
        err = rd_kafka_producev(w->producer, RD_KAFKA_V_TOPIC(e->topic), RD_KAFKA_V_KEY(e->key, e->key_len),
                                RD_KAFKA_V_VALUE(e->value, e->value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(e), RD_KAFKA_V_END);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_headers_destroy(h); /* librdkafka owns them only after a success */
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && e->dlq_copy) {
        /* A poison pill: its final result went out; the job itself goes to
         * the dead-letter topic with the attempt history. */
        cw_buf_t hist;
        cw_buf_init(&hist, 0);
        (void)cw_buf_printf(&hist, "[%s]", e->history.data ? e->history.data : "");
        rd_kafka_headers_t *dh =
            cw_dlq_headers(w, e, part, off, "the job crashed its executor on every attempt", "WORKER_CRASHED");
        rd_kafka_header_add(dh, "cw-attempts", -1, hist.data ? hist.data : "[]", -1);
        if (rd_kafka_producev(w->producer, RD_KAFKA_V_TOPIC(w->conf.dlq_topic), RD_KAFKA_V_KEY(e->key, e->key_len),
                              RD_KAFKA_V_VALUE(e->raw, e->raw_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_HEADERS(dh), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            w->m.dead_lettered++;
        } else {
            rd_kafka_headers_destroy(dh);
            w->m.produce_errors++;
            cw_wlog("warn", "could not enqueue the dead-letter copy of a job that crashed every executor", NULL);
        }
        cw_buf_free(&hist);
        e->dlq_copy = 0;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        free(e->value);
        e->value = NULL;
        return 0;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        w->m.produce_errors++;
    return err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? 1 : -1;
}

static void cw_retry_later(cw_worker_t *w, cw_entry_t *e) {
    e->retry_next = w->retry_head;
    w->retry_head = e;
}

static void cw_retry_produce(cw_worker_t *w) {
    cw_entry_t *list = w->retry_head;
    w->retry_head = NULL;
    while (list) {
        cw_entry_t *e = list;
        list = e->retry_next;
        if (cw_produce_entry(w, e))
            cw_retry_later(w, e);
    }
}

/* ---- live logs ------------------------------------------------------------ */

/* conf.logs of the pool: publish a running job's new console lines to
 * logs.topic as one record, {"jobId", "seq", "attempt", "logs": [...]}, and
 * a last one with "end": true and the attempt's resultCode.  Best effort:
 * the result carries the authoritative logs, so a record the producer
 * cannot queue is dropped and counted, never waited for. */
static void cw_on_logs(void *ud, uint64_t ticket, const char *job_id, const char *entries, size_t len, int end,
                       int code, int truncated) {
    cw_worker_t *w = ud;
    cw_entry_t *e = (cw_entry_t *)(uintptr_t)ticket;
    if (!w->lproducer || !e || e->stale)
        return;
    cw_buf_t b;
    cw_buf_init(&b, 0);
    cw_err_t err = cw_buf_puts(&b, "{\"jobId\":");
    if (!err)
        err = cw_utf8_json_string(&b, job_id, strlen(job_id));
    if (!err)
        err = cw_buf_printf(&b, ",\"seq\":%u,\"attempt\":%d,\"logs\":[", e->log_records, e->attempts + 1);
    if (!err)
        err = cw_buf_append(&b, entries, len);
    if (!err)
        err = cw_buf_putc(&b, ']');
    if (!err && end)
        err = cw_buf_printf(&b, ",\"end\":true,\"resultCode\":\"%s\",\"truncated\":%s",
                            cw_rescode2str((cw_rescode_t)code), truncated ? "true" : "false");
    if (!err)
        err = cw_buf_putc(&b, '}');
    if (err) {
        w->log_records_dropped++;
        cw_buf_free(&b);
        return;
    }
    rd_kafka_headers_t *h = rd_kafka_headers_new(3);
    rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
    if (e->traceparent)
        rd_kafka_header_add(h, "traceparent", -1, e->traceparent, -1);
    if (e->tracestate)
        rd_kafka_header_add(h, "tracestate", -1, e->tracestate, -1);
    rd_kafka_resp_err_t kerr = rd_kafka_producev(
        w->lproducer, RD_KAFKA_V_TOPIC(w->conf.logs_topic), RD_KAFKA_V_KEY(job_id, strlen(job_id)),
        RD_KAFKA_V_VALUE(b.data, b.len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
    if (kerr) {
        rd_kafka_headers_destroy(h);
        w->log_records_dropped++;
    } else {
        e->log_records++;
    }
    cw_buf_free(&b);
}

static void cw_logs_dr(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    cw_worker_t *w = opaque;
    if (msg->err)
        w->log_record_errors++;
    else
        w->log_records++;
}

static void cw_logs_tick(struct ev_loop *loop, ev_timer *t, int revents) {
    (void)loop, (void)revents;
    cw_worker_t *w = t->data;
    cw_pool_stream_logs(w->pool);
    rd_kafka_poll(w->lproducer, 0); /* delivery reports */
}

/* ---- spans ---------------------------------------------------------------- */

/* Decide whether the job's spans are recorded, and keep its moments. */
static void cw_span_take(cw_worker_t *w, cw_entry_t *e, const cw_pool_result_t *r) {
    if (!w->otlp)
        return;
    int sampled = 0;
    if (e->traceparent) {
        if (cw_span_from_traceparent(e->traceparent, strlen(e->traceparent), e->trace_id, e->parent_id,
                                     &sampled) != CW_OK || !sampled)
            return; /* the caller chose not to record this trace */
    } else if (!w->conf.otlp_untraced || cw_span_random_id(e->trace_id, sizeof(e->trace_id)) != CW_OK) {
        return;
    }
    if (cw_span_random_id(e->span_id, sizeof(e->span_id)) != CW_OK)
        return;
    e->traced = 1;
    e->dispatched_ns = r->dispatched_ns;
    e->started_ns = r->started_ns;
    e->done_ns = r->done_ns ? r->done_ns : cw_now_ns();
    e->prepare_ns = r->prepare_ns;
    e->run_ns = r->run_ns;
    e->lowered = r->lowered;
    e->rescode = r->code;
}

static void cw_span_child(cw_worker_t *w, const cw_entry_t *e, cw_span_t *sp, const char *name, cw_span_kind_t kind,
                          int64_t start, int64_t end) {
    memset(sp, 0, sizeof(*sp));
    memcpy(sp->trace_id, e->trace_id, 16);
    memcpy(sp->parent_id, e->span_id, 8);
    sp->name = name;
    sp->kind = kind;
    sp->start_ns = start;
    sp->end_ns = end;
    (void)w;
}

/* The result is acknowledged (or committed): send the job's spans. */
static void cw_span_emit(cw_worker_t *w, cw_entry_t *e) {
    if (!w->otlp || !e->traced)
        return;
    e->traced = 0;
    int64_t acked = cw_now_ns();
    int64_t queued = e->ts_ms * 1000000;
    const char *code = e->dlq ? "DEAD_LETTER" : cw_rescode2str((cw_rescode_t)e->rescode);
    int ok = !e->dlq && e->rescode == CW_RES_SUCCESS;
    char partid[16];
    snprintf(partid, sizeof(partid), "%d", (int)e->part->id);
    cw_span_t sp;
    /* The job as a whole: from the message's timestamp to the result's
     * acknowledgement, the caller's span (when it sent one) its parent. */
    memset(&sp, 0, sizeof(sp));
    memcpy(sp.trace_id, e->trace_id, 16);
    memcpy(sp.span_id, e->span_id, 8);
    memcpy(sp.parent_id, e->parent_id, 8);
    char name[300];
    snprintf(name, sizeof(name), "process %s", w->conf.jobs_topic);
    sp.name = name;
    sp.kind = CW_SPAN_CONSUMER;
    sp.start_ns = queued < e->dispatched_ns || !e->dispatched_ns ? queued : e->dispatched_ns;
    sp.end_ns = acked;
    sp.status = ok ? CW_SPAN_UNSET : CW_SPAN_ERROR;
    sp.status_message = ok ? NULL : code;
    cw_span_attr_t a[] = {
        {"messaging.system", CW_ATTR_STR, "kafka", 0},
        {"messaging.operation.type", CW_ATTR_STR, "process", 0},
        {"messaging.destination.name", CW_ATTR_STR, w->conf.jobs_topic, 0},
        {"messaging.destination.partition.id", CW_ATTR_STR, partid, 0},
        {"messaging.kafka.offset", CW_ATTR_INT, NULL, e->offset},
        {"messaging.consumer.group.name", CW_ATTR_STR, w->conf.group, 0},
        {"codeworker.job_id", CW_ATTR_STR, e->dlq ? NULL : e->key, 0},
        {"codeworker.result_code", CW_ATTR_STR, code, 0},
        {"codeworker.attempt", CW_ATTR_INT, NULL, e->attempts + 1},
        {"codeworker.worker", CW_ATTR_STR, w->worker_id, 0},
    };
    sp.nattrs = (int)(sizeof(a) / sizeof(a[0]));
    memcpy(sp.attrs, a, sizeof(a));
    (void)cw_otlp_add(w->otlp, &sp); /* a span that does not fit is counted as dropped */
    if (e->dispatched_ns) {
        cw_span_child(w, e, &sp, "queue", CW_SPAN_INTERNAL, queued, e->dispatched_ns);
        (void)cw_otlp_add(w->otlp, &sp);
    }
    if (e->started_ns) {
        int64_t ran = e->started_ns + (int64_t)e->prepare_ns;
        if (e->prepare_ns) {
            cw_span_child(w, e, &sp, e->lowered ? "lower" : "compile", CW_SPAN_INTERNAL, e->started_ns, ran);
            sp.attrs[0] = (cw_span_attr_t){"codeworker.lowered", CW_ATTR_BOOL, NULL, e->lowered};
            sp.nattrs = 1;
            (void)cw_otlp_add(w->otlp, &sp);
        }
        cw_span_child(w, e, &sp, "run", CW_SPAN_INTERNAL, ran, e->run_ns ? ran + (int64_t)e->run_ns : e->done_ns);
        sp.status = ok ? CW_SPAN_UNSET : CW_SPAN_ERROR;
        sp.status_message = ok ? NULL : code;
        sp.attrs[0] = (cw_span_attr_t){"codeworker.result_code", CW_ATTR_STR, code, 0};
        sp.nattrs = 1;
        (void)cw_otlp_add(w->otlp, &sp);
    }
    char pname[300];
    snprintf(pname, sizeof(pname), "send %s", e->topic ? e->topic : "");
    cw_span_child(w, e, &sp, pname, CW_SPAN_PRODUCER, e->done_ns, acked);
    sp.attrs[0] = (cw_span_attr_t){"messaging.system", CW_ATTR_STR, "kafka", 0};
    sp.attrs[1] = (cw_span_attr_t){"messaging.operation.type", CW_ATTR_STR, "send", 0};
    sp.attrs[2] = (cw_span_attr_t){"messaging.destination.name", CW_ATTR_STR, e->topic, 0};
    sp.attrs[3] = (cw_span_attr_t){"codeworker.transactional", CW_ATTR_BOOL, NULL, w->eos};
    sp.nattrs = 4;
    (void)cw_otlp_add(w->otlp, &sp);
}

static void cw_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    cw_worker_t *w = opaque;
    cw_entry_t *e = msg->_private;
    if (!e || w->eos) {
        if (msg->err && w->eos)
            w->m.produce_errors++; /* surfaces as a failed commit_transaction */
        return;
    }
    if (msg->err && e->topic && strcmp(e->topic, w->conf.results_topic) && !e->dlq &&
        (msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         msg->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)) {
        /* The job's replyTopic cannot take it: fall back to the results topic. */
        char x[400];
        snprintf(x, sizeof(x), "\"replyTopic\":\"%.200s\",\"error\":\"%s\"", e->topic, rd_kafka_err2str(msg->err));
        cw_wlog("warn", "replyTopic unusable; result sent to the results topic", x);
        free(e->topic);
        e->topic = strdup(w->conf.results_topic);
    }
    if (msg->err) {
        w->m.produce_errors++;
        char x[300];
        snprintf(x, sizeof(x), "\"error\":\"%s\",\"partition\":%d,\"offset\":%lld", rd_kafka_err2str(msg->err),
                 (int)e->part->id, (long long)e->offset);
        cw_wlog("error", "result delivery failed; retrying", x);
        /* Keep the bytes and produce again: the job stays uncommitted. */
        e->value = malloc(msg->len ? msg->len : 1);
        if (e->value) {
            memcpy(e->value, msg->payload, msg->len);
            e->value_len = msg->len;
        }
        cw_retry_later(w, e);
        return;
    }
    e->done = 1;
    w->in_flight--;
    cw_span_emit(w, e);
    cw_part_advance(w, e->part);
}

/* ---- results -------------------------------------------------------------- */

static void cw_uuid4(char out[37]) {
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
        uint64_t t = (uint64_t)cw_mono_ns();
        memcpy(b, &t, 8);
        memcpy(b + 8, &t, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static cw_err_t cw_json_opt(cw_buf_t *b, const char *key, const char *s) {
    cw_err_t err = cw_buf_printf(b, ",\"%s\":", key);
    if (!err)
        err = s ? cw_utf8_json_string(b, s, strlen(s)) : cw_buf_puts(b, "null");
    return err;
}

/* The result document plus what only the worker knows, and the audit row. */
static cw_err_t cw_build_value(cw_worker_t *w, cw_entry_t *e, const cw_pool_result_t *r, cw_buf_t *b) {
    char started[40], ended[40], uuid[37];
    int64_t queue_ms = r->dispatched_ms - e->ts_ms;
    cw_result_iso8601(r->dispatched_ms, started, sizeof(started));
    cw_result_iso8601(r->done_ms, ended, sizeof(ended));
    cw_uuid4(uuid);
    cw_err_t err = cw_buf_append(b, r->json, r->len - 1); /* without the closing brace */
    if (!err)
        err = cw_buf_printf(b, ",\"queueTimeMs\":%lld,\"attempt\":%d,\"worker\":{\"host\":",
                            (long long)(queue_ms < 0 ? 0 : queue_ms), e->attempts + 1);
    if (!err)
        err = cw_utf8_json_string(b, w->host, strlen(w->host));
    if (!err)
        err = cw_buf_printf(b, ",\"pid\":%d,\"version\":\"%s\"},\"source\":{\"topic\":", (int)getpid(), CW_VERSION);
    if (!err)
        err = cw_utf8_json_string(b, w->conf.jobs_topic, strlen(w->conf.jobs_topic));
    if (!err)
        err = cw_buf_printf(b, ",\"partition\":%d,\"offset\":%lld},\"actionExecutionLog\":{\"ID\":\"%s\"",
                            (int)e->part->id, (long long)e->offset, uuid);
    if (!err)
        err = cw_json_opt(b, "ActionID", r->action_id);
    if (!err)
        err = cw_json_opt(b, "UserID", r->user_id);
    if (!err)
        err = cw_buf_printf(b, ",\"StartedAt\":\"%s\",\"EndedAt\":\"%s\",\"Params\":", started, ended);
    /* Params and ResultParams are JSON *text*, as MemberJunction stores
     * them; the job bytes are escaped, never parsed here. */
    if (!err)
        err = cw_utf8_json_string(b, e->raw, cw_utf8_clip(e->raw, e->raw_len, CW_AUDIT_CLIP));
    {
        char msgbuf[64 + CW_CANCEL_REASON_MAX];
        const char *reason = NULL;
        if (r->code == CW_RES_CANCELLED && r->job_id && w->cancels)
            (void)cw_cancels_find(w->cancels, r->job_id, strlen(r->job_id), &reason);
        snprintf(msgbuf, sizeof(msgbuf), "Execution cancelled%s%s", reason && *reason ? ": " : "",
                 reason ? reason : "");
        if (!err)
            err = cw_json_opt(b, "Message", r->code == CW_RES_SUCCESS     ? "Execution succeeded"
                                            : r->code == CW_RES_CANCELLED ? msgbuf
                                                                          : "Execution failed");
    }
    if (!err)
        err = cw_json_opt(b, "TraceParent", e->traceparent);
    if (!err)
        err = cw_json_opt(b, "TraceState", e->tracestate);
    if (!err)
        err = cw_buf_puts(b, ",\"ResultParams\":");
    if (!err)
        err = cw_utf8_json_string(b, r->json, cw_utf8_clip(r->json, r->len, CW_AUDIT_CLIP));
    if (!err)
        err = cw_buf_printf(b,
                            ",\"ResultCode\":\"%s\",\"RetentionPeriod\":null,\"EntityActionID\":null,"
                            "\"EntityActionInvocationTypeID\":null,\"TargetEntityID\":null,\"TargetRecordID\":null}}",
                            cw_rescode2str((cw_rescode_t)r->code));
    return err;
}

static void cw_pool_done(void *ud, const cw_pool_result_t *r) {
    cw_worker_t *w = ud;
    cw_entry_t *e = (cw_entry_t *)(uintptr_t)r->ticket;
    if (e->stale) { /* its transaction was aborted: the job will run again */
        cw_entry_release(e);
        return;
    }
    if (r->dispatched_ms) {
        cw_hist_observe(&w->m.exec_ms, (double)(r->done_ms - r->dispatched_ms));
        cw_hist_observe(&w->m.queue_ms, (double)(r->dispatched_ms - e->ts_ms > 0 ? r->dispatched_ms - e->ts_ms : 0));
    }
    if (r->code == CW_RES_WORKER_CRASHED && r->by_supervisor) {
        /* The executor died under this job.  Run it again, up to
         * max.attempts in all; after that it is a poison pill. */
        char ts[40];
        cw_result_iso8601(r->done_ms, ts, sizeof(ts));
        (void)cw_buf_printf(&e->history, "%s{\"attempt\":%d,\"resultCode\":\"WORKER_CRASHED\",\"worker\":",
                            e->history.len ? "," : "", e->attempts + 1);
        (void)cw_utf8_json_string(&e->history, w->worker_id, strlen(w->worker_id));
        (void)cw_buf_printf(&e->history, ",\"at\":\"%s\"}", ts);
        if (e->attempts + 1 < w->conf.max_attempts &&
            cw_pool_submit(w->pool, (uint64_t)(uintptr_t)e, e->raw, e->raw_len) == CW_OK) {
            e->attempts++;
            char x[200];
            snprintf(x, sizeof(x), "\"partition\":%d,\"offset\":%lld,\"attempt\":%d", (int)e->part->id,
                     (long long)e->offset, e->attempts + 1);
            cw_wlog("warn", "executor died under a job; running it again", x);
            return;
        }
        if (e->attempts > 0 || w->conf.max_attempts == 1)
            e->dlq_copy = 1;
    }
    if (!e->traceparent && r->traceparent && cw_trace_parent_ok(r->traceparent, strlen(r->traceparent))) {
        /* No trace context in the headers: the job's own fields, as the
         * executor read them (checked again: they crossed from a process
         * that ran the job's code). */
        e->traceparent = strdup(r->traceparent);
        if (e->traceparent && r->tracestate && cw_trace_state_ok(r->tracestate, strlen(r->tracestate)))
            e->tracestate = strdup(r->tracestate);
    }
    if (r->code >= 0 && r->code < CW_RES__COUNT)
        w->m.jobs[r->code]++;
    cw_span_take(w, e, r);
    cw_buf_t b;
    cw_buf_init(&b, 0);
    if (r->job_id && r->len > 1 && r->json[r->len - 1] == '}') {
        if (cw_build_value(w, e, r, &b) == CW_OK) {
            /* A replyTopic is honoured only when it matches the configured
             * pattern in full; otherwise the result goes to the results topic. */
            const char *topic = w->conf.results_topic;
            regmatch_t m;
            if (r->reply_topic && w->have_reply_re &&
                regexec(&w->reply_re, r->reply_topic, 1, &m, 0) == 0 && m.rm_so == 0 &&
                r->reply_topic[m.rm_eo] == '\0')
                topic = r->reply_topic;
            e->topic = strdup(topic);
            e->key = strdup(r->job_id);
            e->key_len = strlen(r->job_id);
        }
    } else {
        /* No jobId: the raw bytes go to the dead-letter topic unchanged. */
        w->m.dead_lettered++;
        e->dlq = 1;
        e->topic = strdup(w->conf.dlq_topic);
        char why[160];
        if (e->oversize)
            snprintf(why, sizeof(why), "the message is %zu bytes, over job.max.bytes (%d)", e->raw_len,
                     w->conf.job_max_bytes);
        else
            snprintf(why, sizeof(why), "%s", r->code == CW_RES_WORKER_CRASHED ? "the executor died before the job could be read"
                                                                              : "no readable jobId");
        e->key = strdup(why);
        e->hdr_result = strndup(r->json, r->len);
        (void)cw_buf_append(&b, e->raw, e->raw_len);
    }
    e->value = cw_buf_steal(&b, &e->value_len);
    if (!e->topic || !e->key || !e->value) {
        cw_wlog("error", "out of memory building a result; the job will be re-run after restart", NULL);
        w->fatal = 1;
        return;
    }
    if (w->eos) {
        e->ready = 1;
        w->ready_count++;
        if (cw_txn_feed(w, e->part) == 0 && w->ready_count >= w->conf.txn_max_results)
            ev_feed_event(w->loop, &w->commit_timer, EV_TIMER);
        return;
    }
    if (cw_produce_entry(w, e))
        cw_retry_later(w, e);
}

/* ---- consuming ------------------------------------------------------------ */

static void cw_set_paused(cw_worker_t *w, int pause) {
    if (w->paused == pause)
        return;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(w->consumer, &l) == RD_KAFKA_RESP_ERR_NO_ERROR && l) {
        if (pause)
            rd_kafka_pause_partitions(w->consumer, l);
        else
            rd_kafka_resume_partitions(w->consumer, l);
        rd_kafka_topic_partition_list_destroy(l);
    }
    w->paused = pause;
}

static int cw_queue_max(const cw_worker_t *w) {
    if (w->conf.queue_max)
        return w->conf.queue_max;
    /* Pausing is not free: librdkafka needs a fetch round trip to resume,
     * so the local queue is sized to make pauses rare; queue.max.bytes
     * bounds its memory whatever the job size. */
    return 64 * w->conf.executors < 10000 ? 10000 : 64 * w->conf.executors;
}

/* The message's traceparent/tracestate headers, kept when valid (W3C: an
 * invalid traceparent is ignored, and a tracestate means nothing without
 * one).  Out of memory only loses the trace context. */
static void cw_take_trace(rd_kafka_message_t *msg, cw_entry_t *e) {
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t n;
    if (rd_kafka_message_headers(msg, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || !h)
        return;
    if (rd_kafka_header_get_last(h, "traceparent", &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || !v ||
        !cw_trace_parent_ok(v, n))
        return;
    e->traceparent = strndup(v, n);
    if (e->traceparent && rd_kafka_header_get_last(h, "tracestate", &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR && v &&
        cw_trace_state_ok(v, n))
        e->tracestate = strndup(v, n);
}

static void cw_take(cw_worker_t *w, rd_kafka_message_t *msg) {
    if (msg->err) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            char x[300];
            snprintf(x, sizeof(x), "\"error\":\"%s\"", rd_kafka_message_errstr(msg));
            cw_wlog("warn", "consumer error", x);
        }
        return;
    }
    cw_part_t *p = cw_part_get(w, msg->partition);
    if (p && p->next_expected >= 0 && msg->offset < p->next_expected)
        return; /* fetched again after a pause/resume: already taken */
    cw_entry_t *e = p ? calloc(1, sizeof(*e)) : NULL;
    if (e)
        e->raw = malloc(msg->len ? msg->len : 1);
    if (!e || !e->raw) {
        free(e);
        cw_wlog("error", "out of memory taking a message", NULL);
        w->fatal = 1;
        return;
    }
    memcpy(e->raw, msg->payload, msg->len);
    e->raw_len = msg->len;
    cw_take_trace(msg, e);
    if (w->cancels && msg->key && msg->key_len && msg->key_len <= CW_CANCEL_ID_MAX &&
        (e->msg_key = malloc(msg->key_len)) != NULL) { /* out of memory: found at START instead */
        memcpy(e->msg_key, msg->key, msg->key_len);
        e->msg_key_len = msg->key_len;
    }
    e->part = p;
    e->offset = msg->offset;
    p->next_expected = msg->offset + 1;
    w->held_bytes += msg->len;
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(msg, &tt);
    e->ts_ms = ts > 0 ? ts : cw_now_ms();
    if (p->tail)
        p->tail->next = e;
    else
        p->head = e;
    p->tail = e;
    p->nentries++;
    w->in_flight++;
    w->m.consumed++;
    cw_err_t err = cw_pool_submit(w->pool, (uint64_t)(uintptr_t)e, e->raw, e->raw_len);
    if (err) {
        /* Too large to hand to an executor: dead-letter it whole. */
        e->oversize = 1;
        cw_pool_result_t r = {.ticket = (uint64_t)(uintptr_t)e,
                              .code = CW_RES_INVALID_REQUEST,
                              .json = "{\"resultCode\":\"INVALID_REQUEST\",\"reason\":\"message exceeds job.max.bytes\"}"};
        r.len = strlen(r.json);
        cw_pool_done(w, &r);
    }
}

static void cw_consume(cw_worker_t *w) {
    if (w->in_rebalance)
        return;
    int max = cw_queue_max(w);
    size_t max_bytes = (size_t)w->conf.queue_max_bytes;
    for (int n = 0; n < 1000; n++) {
        int pending = (int)cw_pool_pending(w->pool);
        int full = pending >= max || w->held_bytes >= max_bytes || w->stopping || w->crash_looping;
        if (full)
            cw_set_paused(w, 1);
        else if (w->paused && pending <= max / 2 && w->held_bytes <= max_bytes / 2)
            cw_set_paused(w, 0);
        /* Poll even when paused: it serves rebalances and keeps us in the
         * group; a message fetched before the pause is still taken. */
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(w->consumer, 0);
        if (!msg)
            break;
        cw_take(w, msg);
        rd_kafka_message_destroy(msg);
        if (w->in_rebalance)
            break;
    }
}

/* ---- rebalances ----------------------------------------------------------- */

static int cw_revoked_busy(cw_worker_t *w, const rd_kafka_topic_partition_list_t *l) {
    for (int i = 0; i < l->cnt; i++) {
        cw_part_t *p = cw_part_get(w, l->elems[i].partition);
        if (p && p->head)
            return 1;
    }
    return 0;
}

static void cw_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *l,
                            void *opaque) {
    cw_worker_t *w = opaque;
    w->m.rebalances++;
    char x[64];
    snprintf(x, sizeof(x), "\"partitions\":%d", l->cnt);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < l->cnt; i++) {
            cw_part_t *p = cw_part_get(w, l->elems[i].partition);
            if (p) {
                p->assigned = 1;
                p->committed = p->done_upto = p->next_expected = -1;
                if (l->elems[i].offset >= 0)
                    p->committed = l->elems[i].offset;
            }
        }
        rd_kafka_error_t *ae = rd_kafka_incremental_assign(rk, l);
        if (ae) {
            char y[300];
            snprintf(y, sizeof(y), "\"error\":\"%.250s\"", rd_kafka_error_string(ae));
            cw_wlog("error", "incremental assign failed", y);
            rd_kafka_error_destroy(ae);
        }
        if (w->paused)
            rd_kafka_pause_partitions(rk, l);
        cw_wlog("info", "partitions assigned", x);
        return;
    }
    int lost = rd_kafka_assignment_lost(rk);
    if (!lost) {
        /* Let running jobs of these partitions finish, then commit them. */
        w->in_rebalance = 1;
        ev_tstamp deadline = ev_time() + w->conf.drain_timeout_ms / 1000.0;
        while (cw_revoked_busy(w, l) && ev_time() < deadline)
            ev_run(w->loop, EVRUN_ONCE);
        w->in_rebalance = 0;
        if (w->eos)
            cw_txn_commit(w);
        else
            for (int i = 0; i < l->cnt; i++)
                cw_commit(w, l->elems[i].partition, 1);
    }
    for (int i = 0; i < l->cnt; i++) {
        cw_part_t *p = cw_part_get(w, l->elems[i].partition);
        if (p)
            p->assigned = 0;
    }
    rd_kafka_error_t *ue = rd_kafka_incremental_unassign(rk, l);
    if (ue) {
        char y[300];
        snprintf(y, sizeof(y), "\"error\":\"%.250s\"", rd_kafka_error_string(ue));
        cw_wlog("error", "incremental unassign failed", y);
        rd_kafka_error_destroy(ue);
    }
    cw_wlog("info", lost ? "partitions lost" : "partitions revoked", x);
}

/* ---- loop plumbing -------------------------------------------------------- */

static void cw_drain_pipe(int fd) {
    char buf[256];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static void cw_check_stop(cw_worker_t *w);

static void cw_consumer_io(struct ev_loop *loop, ev_io *io, int revents) {
    (void)loop, (void)revents;
    cw_worker_t *w = io->data;
    cw_drain_pipe(w->cpipe[0]);
    cw_consume(w);
}

static void cw_producer_io(struct ev_loop *loop, ev_io *io, int revents) {
    (void)loop, (void)revents;
    cw_worker_t *w = io->data;
    cw_drain_pipe(w->ppipe[0]);
    rd_kafka_poll(w->producer, 0);
    cw_check_stop(w);
}

static void cw_tick(struct ev_loop *loop, ev_timer *t, int revents) {
    (void)loop, (void)revents;
    cw_worker_t *w = t->data;
    if (w->stop_flag && *w->stop_flag && !w->stopping) {
        w->stopping = 1;
        cw_set_paused(w, 1);
        cw_wlog("info", "stopping: draining in-flight jobs", NULL);
    }
    rd_kafka_poll(w->producer, 0);
    if (w->retry_head)
        cw_retry_produce(w);
    if (w->ninject)
        cw_mock_tick(w);
    cw_pool_stats_t ps;
    cw_pool_get_stats(w->pool, &ps);
    if (ps.crash_looping != w->crash_looping) {
        w->crash_looping = ps.crash_looping;
        cw_wlog(w->crash_looping ? "error" : "info",
                w->crash_looping ? "every executor fails at start-up: consumption stopped, /healthz reports unhealthy"
                                 : "executors recovered: consuming again",
                NULL);
    }
    cw_consume(w);
    cw_check_stop(w);
}

static void cw_check_stop(cw_worker_t *w) {
    if (!w->stopping || w->in_rebalance)
        return;
    if (!w->drain_deadline)
        w->drain_deadline = ev_time() + w->conf.drain_timeout_ms / 1000.0;
    if (w->eos && w->ready_count && w->ready_count == w->in_flight)
        cw_txn_commit(w); /* everything left has finished: commit it now */
    if (w->in_flight == 0 || w->fatal || ev_time() > w->drain_deadline)
        ev_break(w->loop, EVBREAK_ALL);
}

static void cw_sig_cb(struct ev_loop *loop, ev_signal *s, int revents) {
    (void)revents;
    cw_worker_t *w = s->data;
    if (s->signum == SIGINT && ++w->sigints >= 2) {
        cw_wlog("warn", "second SIGINT: exiting at once", NULL);
        _exit(130);
    }
    if (!w->stopping)
        cw_wlog("info", "stopping: draining in-flight jobs", NULL);
    w->stopping = 1;
    cw_set_paused(w, 1);
    cw_check_stop(w);
    (void)loop;
}

/* /healthz and /metrics */
static int cw_http_handler(void *ud, const char *path, cw_buf_t *body, const char **ctype) {
    cw_worker_t *w = ud;
    cw_pool_stats_t ps;
    cw_pool_get_stats(w->pool, &ps);
    int healthy = !w->fatal && !ps.crash_looping && (ps.idle + ps.busy) > 0;
    if (!strcmp(path, "/healthz")) {
        *ctype = "application/json";
        cw_buf_printf(body, "{\"status\":\"%s\",\"executors\":%d,\"idle\":%d,\"busy\":%d,\"inFlight\":%d,\"paused\":%s}\n",
                      healthy ? "ok" : "unhealthy", w->conf.executors, ps.idle, ps.busy, w->in_flight,
                      w->paused ? "true" : "false");
        return healthy ? 200 : 503;
    }
    if (!strcmp(path, "/metrics")) {
        *ctype = "text/plain; version=0.0.4";
        int32_t ids[256];
        int64_t lag[256];
        int n = 0;
        for (int i = 0; i < w->nparts_cap && n < 256; i++) {
            cw_part_t *p = w->parts[i];
            if (!p || !p->assigned)
                continue;
            int64_t lo = 0, hi = -1;
            ids[n] = p->id;
            lag[n] = -1;
            if (rd_kafka_get_watermark_offsets(w->consumer, w->conf.jobs_topic, p->id, &lo, &hi) == 0 && hi >= 0) {
                int64_t pos = p->committed >= 0 ? p->committed : lo;
                lag[n] = hi - pos > 0 ? hi - pos : 0;
            }
            n++;
        }
        cw_cfeed_stats_t cst;
        cw_cfeed_get_stats(w->cfeed, &cst);
        cw_otlp_stats_t ost = {0};
        if (w->otlp)
            cw_otlp_stats(w->otlp, &ost);
        cw_metrics_gauges_t g = {.cancel_records = cst.records,
                                 .spans_sent = ost.spans_sent,
                                 .spans_dropped = ost.spans_dropped,
                                 .otlp_requests = ost.requests,
                                 .otlp_errors = ost.request_errors,
                                 .log_records = w->log_records,
                                 .log_records_dropped = w->log_records_dropped + w->log_record_errors,
                                 .cancel_stops = w->cancel_stops,
                                 .cancel_ids = w->cancels ? (int)cw_cancels_count(w->cancels) : 0,
                                 .in_flight = w->in_flight,
                                 .queued = (int)cw_pool_pending(w->pool) - ps.busy,
                                 .executors_idle = ps.idle,
                                 .executors_busy = ps.busy,
                                 .executors = w->conf.executors,
                                 .executor_spawns = ps.spawned,
                                 .executor_crashes = ps.crashed,
                                 .executor_kills = ps.killed,
                                 .healthy = healthy,
                                 .paused = w->paused,
                                 .npart = n,
                                 .part_ids = ids,
                                 .part_lag = lag};
        cw_metrics_render(&w->m, &g, w->conf.jobs_topic, body);
        return 200;
    }
    *ctype = "text/plain";
    cw_buf_puts(body, "not found\n");
    return 404;
}

/* ---- set-up --------------------------------------------------------------- */

/* librdkafka's own log lines, as structured lines like ours. */
static void cw_rdk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    cw_buf_t b;
    cw_buf_init(&b, 4096);
    if (cw_buf_puts(&b, "\"component\":\"librdkafka\",\"facility\":") == CW_OK &&
        cw_utf8_json_string(&b, fac, strlen(fac)) == CW_OK && cw_buf_puts(&b, ",\"detail\":") == CW_OK &&
        cw_utf8_json_string(&b, buf, cw_utf8_clip(buf, strlen(buf), 2000)) == CW_OK)
        cw_wlog(level <= 3 ? "error" : level <= 4 ? "warn" : "info", "kafka client", b.data);
    cw_buf_free(&b);
}

static rd_kafka_conf_t *cw_kconf(cw_worker_t *w, const char *brokers, char *errstr, size_t n) {
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(kc, cw_rdk_log);
    char cid[400];
    snprintf(cid, sizeof(cid), "%s-%s-%d", w->conf.client_id, w->host, (int)getpid());
    if (rd_kafka_conf_set(kc, "bootstrap.servers", brokers, errstr, n) ||
        rd_kafka_conf_set(kc, "client.id", cid, errstr, n))
        goto bad;
    for (int i = 0; i < w->conf.kafka_n; i++) {
        char why[256];
        if (rd_kafka_conf_set(kc, w->conf.kafka_key[i], w->conf.kafka_val[i], why, sizeof(why)) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, n, "kafka.%s: %s", w->conf.kafka_key[i], why);
            goto bad;
        }
    }
    return kc;
bad:
    rd_kafka_conf_destroy(kc);
    return NULL;
}

static int cw_set(rd_kafka_conf_t *kc, const char *k, const char *v, char *errstr, size_t n) {
    return rd_kafka_conf_set(kc, k, v, errstr, n) != RD_KAFKA_CONF_OK;
}

/* One precedence rule for librdkafka settings: codeworker's defaults, then
 * the user's kafka.* keys, which win -- except the keys the delivery
 * guarantees are built on, which the user may not set (refused at
 * start-up, cw_kafka_owned_check()). */
static int cw_user_set(const cw_worker_t *w, const char *k) {
    for (int i = 0; i < w->conf.kafka_n; i++)
        if (!strcmp(w->conf.kafka_key[i], k))
            return 1;
    return 0;
}

static int cw_set_default(const cw_worker_t *w, rd_kafka_conf_t *kc, const char *k, const char *v, char *errstr,
                          size_t n) {
    return cw_user_set(w, k) ? 0 : cw_set(kc, k, v, errstr, n);
}

static const char *const cw_kafka_owned[] = {
    "bootstrap.servers",        "group.id",           "enable.auto.commit", "enable.auto.offset.store",
    "isolation.level",          "enable.idempotence", "acks",               "transactional.id",
    "partition.assignment.strategy", "enable.partition.eof", NULL};

static int cw_kafka_owned_check(const cw_conf_t *conf, char *errstr, size_t n) {
    for (int i = 0; i < conf->kafka_n; i++)
        for (int k = 0; cw_kafka_owned[k]; k++)
            if (!strcmp(conf->kafka_key[i], cw_kafka_owned[k])) {
                snprintf(errstr, n, "kafka.%s is codeworker's own setting (its delivery guarantees depend on it): %s",
                         conf->kafka_key[i],
                         !strcmp(cw_kafka_owned[k], "bootstrap.servers") ? "set brokers instead"
                         : !strcmp(cw_kafka_owned[k], "group.id")        ? "set group instead"
                                                                         : "remove it");
                return -1;
            }
    return 0;
}

static cw_err_t cw_create_topics(cw_worker_t *w, char *errstr, size_t n) {
    /* jobs, results, dead letters, then the optional cancel and logs topics */
    const char *topics[5] = {w->conf.jobs_topic, w->conf.results_topic, w->conf.dlq_topic};
    int nt_count = 3, cancel_i = -1, logs_i = -1;
    if (w->conf.cancel_topic[0])
        topics[cancel_i = nt_count++] = w->conf.cancel_topic;
    if (w->conf.logs_topic[0])
        topics[logs_i = nt_count++] = w->conf.logs_topic;
    if (w->mock) {
        for (int i = 0; i < nt_count; i++)
            rd_kafka_mock_topic_create(w->mock, topics[i], w->conf.partitions, 1);
        return CW_OK;
    }
    for (int attempt = 1;; attempt++) {
        if (w->stop_flag && *w->stop_flag)
            return CW_ERR_STATE;
        rd_kafka_NewTopic_t *nt[5];
        for (int i = 0; i < nt_count; i++) {
            nt[i] = rd_kafka_NewTopic_new(topics[i], w->conf.partitions, -1, errstr, n);
            if (!nt[i]) {
                while (i-- > 0)
                    rd_kafka_NewTopic_destroy(nt[i]);
                return CW_ERR_INVALID;
            }
            if (i == 1) /* the results topic takes the largest result the producer may send */
                rd_kafka_NewTopic_set_config(nt[i], "max.message.bytes", w->produce_max);
            if (i == cancel_i) /* one record per jobId is all a cancel needs */
                rd_kafka_NewTopic_set_config(nt[i], "cleanup.policy", "compact");
            if (i == logs_i) { /* for tailing, not keeping: the result holds the logs */
                rd_kafka_NewTopic_set_config(nt[i], "retention.ms", "86400000");
                rd_kafka_NewTopic_set_config(nt[i], "max.message.bytes", "2097152");
            }
        }
        rd_kafka_queue_t *q = rd_kafka_queue_new(w->producer);
        rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(w->producer, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_request_timeout(o, 10000, errstr, n);
        rd_kafka_CreateTopics(w->producer, nt, (size_t)nt_count, o, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
        int ok = 0;
        char why[300] = "no answer from the broker";
        if (ev) {
            const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
            if (rd_kafka_event_error(ev)) {
                snprintf(why, sizeof(why), "%s", rd_kafka_event_error_string(ev));
            } else if (res) {
                size_t cnt;
                const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &cnt);
                ok = 1;
                for (size_t i = 0; i < cnt; i++) {
                    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
                    if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                        ok = 0;
                        snprintf(why, sizeof(why), "%s: %s", rd_kafka_topic_result_name(tr[i]),
                                 rd_kafka_topic_result_error_string(tr[i]));
                    }
                }
            }
            rd_kafka_event_destroy(ev);
        }
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_queue_destroy(q);
        for (int i = 0; i < nt_count; i++)
            rd_kafka_NewTopic_destroy(nt[i]);
        if (ok)
            return CW_OK;
        char x[400];
        snprintf(x, sizeof(x), "\"brokers\":\"%.100s\",\"attempt\":%d,\"error\":\"%.200s\"", w->conf.brokers, attempt, why);
        cw_wlog("warn", "cannot create topics yet; retrying in 5 s", x);
        for (int i = 0; i < 50 && !(w->stop_flag && *w->stop_flag); i++)
            usleep(100000);
    }
}

/* mock.inject: "Api[@N]:ERR[,ERR...];..." -- fault injection that a real
 * broker cannot do on cue, for the mock cluster only. */
static const struct {
    const char *name;
    int16_t key;
} cw_mock_apis[] = {{"Produce", 0},      {"Fetch", 1},          {"OffsetCommit", 8},
                    {"FindCoordinator", 10}, {"JoinGroup", 11},   {"Heartbeat", 12},
                    {"SyncGroup", 14},   {"InitProducerId", 22}, {"AddPartitionsToTxn", 24},
                    {"AddOffsetsToTxn", 25}, {"EndTxn", 26},     {"TxnOffsetCommit", 28}};

static int cw_mock_err(const char *name, rd_kafka_resp_err_t *out) {
    const struct rd_kafka_err_desc *d;
    size_t cnt;
    rd_kafka_get_err_descs(&d, &cnt);
    for (size_t i = 0; i < cnt; i++)
        if (d[i].name && !strcmp(d[i].name, name)) {
            *out = d[i].code;
            return 0;
        }
    return -1;
}

static int cw_mock_parse(cw_worker_t *w, const char *spec, char *errstr, size_t n) {
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save1 = NULL;
    for (char *item = strtok_r(buf, ";", &save1); item; item = strtok_r(NULL, ";", &save1)) {
        char *colon = strchr(item, ':');
        if (!colon || w->ninject >= 8)
            goto bad;
        *colon = '\0';
        char *at = strchr(item, '@');
        uint64_t after = 0;
        if (at) {
            *at = '\0';
            after = strtoull(at + 1, NULL, 10);
        }
        int16_t key = -1;
        for (size_t i = 0; i < sizeof(cw_mock_apis) / sizeof(cw_mock_apis[0]); i++)
            if (!strcmp(cw_mock_apis[i].name, item))
                key = cw_mock_apis[i].key;
        if (key < 0)
            goto bad;
        w->inject[w->ninject].api = key;
        w->inject[w->ninject].after = after;
        char *save2 = NULL;
        for (char *e = strtok_r(colon + 1, ",", &save2); e; e = strtok_r(NULL, ",", &save2)) {
            if (w->inject[w->ninject].n >= 16 || cw_mock_err(e, &w->inject[w->ninject].errs[w->inject[w->ninject].n]))
                goto bad;
            w->inject[w->ninject].n++;
        }
        w->ninject++;
    }
    return 0;
bad:
    snprintf(errstr, n, "mock.inject: expected \"Api[@N]:ERROR_NAME[,...];...\" with known API and error names");
    return -1;
}

static void cw_mock_tick(cw_worker_t *w) {
    uint64_t published = 0;
    for (int c = 0; c < CW_RES__COUNT; c++)
        published += w->m.jobs[c];
    for (int i = 0; i < w->ninject; i++) {
        if (w->inject[i].done || published < w->inject[i].after)
            continue;
        rd_kafka_mock_push_request_errors_array(w->mock, w->inject[i].api, (size_t)w->inject[i].n, w->inject[i].errs);
        w->inject[i].done = 1;
        char x[100];
        snprintf(x, sizeof(x), "\"api\":%d,\"errors\":%d,\"afterResults\":%llu", w->inject[i].api, w->inject[i].n,
                 (unsigned long long)published);
        cw_wlog("warn", "mock cluster: injecting request errors", x);
    }
}

/* ---- cancellation (cw_cancel.h) ------------------------------------------ */

/* The pool asks, at dispatch (job_id NULL: by the message's key) and at a
 * job's START (by the jobId its executor parsed). */
static const char *cw_pool_cancelled_cb(void *ud, uint64_t ticket, const char *job_id) {
    cw_worker_t *w = ud;
    if (!w->cancels)
        return NULL;
    if (job_id)
        return cw_cancels_find(w->cancels, job_id, strlen(job_id), NULL);
    const cw_entry_t *e = (const cw_entry_t *)(uintptr_t)ticket;
    return e->msg_key ? cw_cancels_find(w->cancels, e->msg_key, e->msg_key_len, NULL) : NULL;
}

/* A cancel record arrived: a job running here stops now; one queued here is
 * answered when its turn comes (cw_pool_cancelled_cb). */
static void cw_on_cancel(void *ud, const char *job_id, const char *reason) {
    cw_worker_t *w = ud;
    int stopped = w->pool ? cw_pool_cancel(w->pool, job_id) : 0;
    w->cancel_stops += (uint64_t)stopped;
    cw_buf_t x;
    cw_buf_init(&x, 0);
    if (!cw_buf_puts(&x, "\"jobId\":") && !cw_utf8_json_string(&x, job_id, strlen(job_id)) &&
        !cw_buf_puts(&x, ",\"reason\":") && !cw_utf8_json_string(&x, reason, strlen(reason)) &&
        !cw_buf_printf(&x, ",\"running\":%s", stopped ? "true" : "false"))
        cw_wlog("info", "cancel received", x.data);
    cw_buf_free(&x);
}

cw_err_t cw_worker_new(const cw_conf_t *conf, char *const *exec_argv, volatile sig_atomic_t *stop,
                       cw_worker_t **out, char *errstr, size_t n) {
    *out = NULL;
    cw_worker_t *w = calloc(1, sizeof(*w));
    if (!w)
        return CW_ERR_NOMEM;
    w->conf = *conf;
    w->conf.kafka_n = 0; /* borrowed pointers stay with the caller's conf */
    for (int i = 0; i < conf->kafka_n; i++) {
        w->conf.kafka_key[i] = conf->kafka_key[i];
        w->conf.kafka_val[i] = conf->kafka_val[i];
    }
    w->conf.kafka_n = conf->kafka_n;
    w->stop_flag = stop;
    w->loop = EV_DEFAULT;
    w->cpipe[0] = w->cpipe[1] = w->ppipe[0] = w->ppipe[1] = -1;
    gethostname(w->host, sizeof(w->host) - 1);
    snprintf(w->worker_id, sizeof(w->worker_id), "%s:%d", w->host, (int)getpid());
    cw_err_t err = CW_ERR_INVALID;

    if (cw_kafka_owned_check(conf, errstr, n))
        goto fail;
    w->eos = conf->delivery == CW_DELIVERY_EXACTLY_ONCE;
    if (conf->otlp_url[0]) {
        cw_otlp_conf_t oc = {.url = conf->otlp_url,
                             .headers = conf->otlp_headers,
                             .service = conf->otlp_service[0] ? conf->otlp_service : "codeworker",
                             .version = CW_VERSION,
                             .instance = w->worker_id,
                             .flush_ms = conf->otlp_flush_ms,
                             .timeout_ms = conf->otlp_timeout_ms,
                             .max_bytes = (size_t)conf->otlp_max_bytes};
        err = cw_otlp_new(&oc, &w->otlp);
        if (err) {
            snprintf(errstr, n, "otlp: %s", err == CW_ERR_INVALID
                                                ? "otlp.endpoint must be an http:// or https:// URL and otlp.headers "
                                                  "\"name=value,...\" (at most 16, token names)"
                                                : cw_err2str(err));
            goto fail;
        }
        err = CW_ERR_INVALID;
    }
    if (conf->reply_pattern[0]) {
        if (regcomp(&w->reply_re, conf->reply_pattern, REG_EXTENDED)) {
            snprintf(errstr, n, "reply.topic.pattern is not a valid regular expression");
            goto fail;
        }
        w->have_reply_re = 1;
    }
    const char *brokers = conf->brokers;
    char mock_bootstraps[256];
    if (!strcmp(brokers, "mock")) {
        rd_kafka_conf_t *mc = rd_kafka_conf_new();
        w->mock_host = rd_kafka_new(RD_KAFKA_PRODUCER, mc, errstr, n);
        if (!w->mock_host)
            goto fail;
        w->mock = rd_kafka_mock_cluster_new(w->mock_host, 1);
        if (!w->mock) {
            snprintf(errstr, n, "cannot start the in-process mock cluster");
            goto fail;
        }
        snprintf(mock_bootstraps, sizeof(mock_bootstraps), "%s", rd_kafka_mock_cluster_bootstraps(w->mock));
        snprintf(w->mock_bootstraps, sizeof(w->mock_bootstraps), "%s", mock_bootstraps);
        brokers = mock_bootstraps;
        if (conf->mock_inject[0] && cw_mock_parse(w, conf->mock_inject, errstr, n))
            goto fail;
        cw_wlog("warn", "using librdkafka's in-process mock cluster: for demos and fault tests only, nothing is durable", NULL);
    }

    /* producer: idempotent, acks=all */
    /* Message size limits follow job.max.bytes: an oversized or unusable job
     * is dead-lettered whole, and the consumer must be able to receive the
     * largest job (librdkafka: receive.message.max.bytes >= fetch.max.bytes
     * + 512).  The brokers' and topics' own limits must allow it too. */
    char produce_max[24], receive_max[24];
    long long jb = (long long)conf->job_max_bytes + (64 << 10);
    /* A result message is the result document (result.max.bytes) plus the
     * envelope: the audit row's two 16 KiB clips of JSON text, escaped (up to 6x), and
     * the rest (64 KiB). */
    long long rb = (long long)conf->result_max_bytes + 12 * (long long)CW_AUDIT_CLIP + (64 << 10);
    if (rb > jb)
        jb = rb;
    snprintf(produce_max, sizeof(produce_max), "%lld", jb > 8388608 ? jb : 8388608);
    snprintf(w->produce_max, sizeof(w->produce_max), "%s", produce_max);
    snprintf(receive_max, sizeof(receive_max), "%lld", jb + 16777216 > 100000000 ? jb + 16777216 : 100000000);
    rd_kafka_conf_t *pc = cw_kconf(w, brokers, errstr, n);
    if (!pc)
        goto fail;
    if (cw_set(pc, "enable.idempotence", "true", errstr, n) || cw_set(pc, "acks", "all", errstr, n) ||
        cw_set_default(w, pc, "linger.ms", "2", errstr, n) ||
        cw_set_default(w, pc, "message.max.bytes", produce_max, errstr, n)) {
        rd_kafka_conf_destroy(pc);
        goto fail;
    }
    if (w->eos) {
        char tid[1200];
        snprintf(tid, sizeof(tid), "%s-%s-%s-%d", conf->group, conf->jobs_topic, w->host, (int)getpid());
        if (cw_set(pc, "transactional.id", tid, errstr, n) ||
            cw_set_default(w, pc, "transaction.timeout.ms", "10000", errstr, n)) {
            rd_kafka_conf_destroy(pc);
            goto fail;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(pc, cw_dr_cb);
    rd_kafka_conf_set_opaque(pc, w);
    w->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, errstr, n);
    if (!w->producer) {
        rd_kafka_conf_destroy(pc);
        goto fail;
    }
    if (conf->create_topics && (err = cw_create_topics(w, errstr, n)) != CW_OK) {
        if (err == CW_ERR_STATE)
            snprintf(errstr, n, "stopped before the broker was reachable");
        goto fail;
    }
    err = CW_ERR_INVALID;

    /* cancellation: every cancel record of the topic, read by this worker */
    if (conf->cancel_topic[0]) {
        if ((err = cw_cancels_new((size_t)conf->cancel_max_entries, &w->cancels)) != CW_OK) {
            snprintf(errstr, n, "cancel set: %s", cw_err2str(err));
            goto fail;
        }
        rd_kafka_conf_t *fc = cw_kconf(w, brokers, errstr, n);
        if (!fc) {
            err = CW_ERR_INVALID;
            goto fail;
        }
        if ((err = cw_cfeed_new(w->loop, fc, conf->cancel_topic, conf->cancel_lookback_ms, w->cancels, cw_on_cancel,
                                w, &w->cfeed, errstr, n)) != CW_OK)
            goto fail;
        err = CW_ERR_INVALID;
    }

    /* consumer: group member, cooperative-sticky, manual offsets */
    rd_kafka_conf_t *cc = cw_kconf(w, brokers, errstr, n);
    if (!cc)
        goto fail;
    if (cw_set(cc, "group.id", conf->group, errstr, n) || cw_set(cc, "enable.auto.commit", "false", errstr, n) ||
        cw_set(cc, "enable.auto.offset.store", "false", errstr, n) ||
        cw_set_default(w, cc, "auto.offset.reset", "earliest", errstr, n) ||
        cw_set(cc, "partition.assignment.strategy", "cooperative-sticky", errstr, n) ||
        cw_set(cc, "isolation.level", "read_committed", errstr, n) ||
        cw_set(cc, "enable.partition.eof", "false", errstr, n) ||
        cw_set_default(w, cc, "queued.max.messages.kbytes", "16384", errstr, n) ||
        cw_set_default(w, cc, "fetch.max.bytes", "16777216", errstr, n) ||
        cw_set_default(w, cc, "receive.message.max.bytes", receive_max, errstr, n) ||
        cw_set_default(w, cc, "fetch.wait.max.ms", "100", errstr, n)) {
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    rd_kafka_conf_set_rebalance_cb(cc, cw_rebalance_cb);
    rd_kafka_conf_set_opaque(cc, w);
    w->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, errstr, n);
    if (!w->consumer) {
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    rd_kafka_poll_set_consumer(w->consumer);
    if (w->eos) {
        w->cgmd = rd_kafka_consumer_group_metadata(w->consumer);
        for (int attempt = 1;; attempt++) {
            rd_kafka_error_t *te = rd_kafka_init_transactions(w->producer, 30000);
            if (!te)
                break;
            int retry = rd_kafka_error_is_retriable(te) && attempt < 20 && !(stop && *stop);
            snprintf(errstr, n, "init_transactions: %s", rd_kafka_error_string(te));
            rd_kafka_error_destroy(te);
            if (!retry)
                goto fail;
            cw_wlog("warn", "transaction coordinator not ready; retrying", NULL);
            sleep(1);
        }
    }
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, conf->jobs_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t kerr = rd_kafka_subscribe(w->consumer, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (kerr) {
        snprintf(errstr, n, "subscribe: %s", rd_kafka_err2str(kerr));
        goto fail;
    }

    /* wake the loop when either client has something for us */
    if (pipe2(w->cpipe, O_NONBLOCK | O_CLOEXEC) || pipe2(w->ppipe, O_NONBLOCK | O_CLOEXEC)) {
        snprintf(errstr, n, "pipe: %s", strerror(errno));
        err = CW_ERR_SYSTEM;
        goto fail;
    }
    w->cq = rd_kafka_queue_get_consumer(w->consumer);
    rd_kafka_queue_io_event_enable(w->cq, w->cpipe[1], "1", 1);
    w->pq = rd_kafka_queue_get_main(w->producer);
    rd_kafka_queue_io_event_enable(w->pq, w->ppipe[1], "1", 1);

    if (conf->logs_topic[0]) {
        /* Live logs: not part of the results' delivery guarantee, so a
         * producer of their own, outside the transactions, that never
         * blocks the loop (a full queue drops the record). */
        rd_kafka_conf_t *lc = cw_kconf(w, brokers, errstr, n);
        if (!lc)
            goto fail;
        char cid[200];
        snprintf(cid, sizeof(cid), "%s-logs", conf->client_id);
        if (cw_set(lc, "client.id", cid, errstr, n) || cw_set(lc, "enable.idempotence", "false", errstr, n) ||
            cw_set_default(w, lc, "acks", "1", errstr, n) || cw_set_default(w, lc, "linger.ms", "5", errstr, n) ||
            cw_set_default(w, lc, "message.max.bytes", "2097152", errstr, n) ||
            cw_set_default(w, lc, "queue.buffering.max.kbytes", "65536", errstr, n)) {
            rd_kafka_conf_destroy(lc);
            goto fail;
        }
        rd_kafka_conf_set_dr_msg_cb(lc, cw_logs_dr);
        rd_kafka_conf_set_opaque(lc, w);
        w->lproducer = rd_kafka_new(RD_KAFKA_PRODUCER, lc, errstr, n);
        if (!w->lproducer) {
            rd_kafka_conf_destroy(lc);
            goto fail;
        }
    }

    cw_pool_conf_t pcf;
    cw_pool_conf_default(&pcf);
    pcf.executors = conf->executors;
    pcf.cancelled = w->cancels ? cw_pool_cancelled_cb : NULL;
    pcf.logs = w->lproducer ? cw_on_logs : NULL;
    pcf.exec_argv = exec_argv;
    pcf.max_job_bytes = (size_t)conf->job_max_bytes;
    pcf.max_result_bytes = (size_t)conf->result_max_bytes + 65536;
    if ((err = cw_pool_new(w->loop, &pcf, cw_pool_done, w, &w->pool))) {
        snprintf(errstr, n, "cannot start executors: %s", cw_err2str(err));
        goto fail;
    }
    if (conf->metrics_port >= 0 &&
        cw_http_start(w->loop, conf->metrics_bind, conf->metrics_port, cw_http_handler, w, &w->http)) {
        snprintf(errstr, n, "cannot listen on %s:%d for /metrics: %s", conf->metrics_bind, conf->metrics_port,
                 strerror(errno));
        err = CW_ERR_SYSTEM;
        goto fail;
    }
    *out = w;
    return CW_OK;
fail:
    cw_worker_free(w);
    return err;
}

int cw_worker_run(cw_worker_t *w) {
    ev_io_init(&w->cio, cw_consumer_io, w->cpipe[0], EV_READ);
    w->cio.data = w;
    ev_io_start(w->loop, &w->cio);
    ev_io_init(&w->pio, cw_producer_io, w->ppipe[0], EV_READ);
    w->pio.data = w;
    ev_io_start(w->loop, &w->pio);
    ev_timer_init(&w->tick, cw_tick, 0.05, 0.05);
    w->tick.data = w;
    ev_timer_start(w->loop, &w->tick);
    if (w->lproducer) {
        double li = w->conf.logs_interval_ms / 1000.0;
        ev_timer_init(&w->logs_timer, cw_logs_tick, li, li);
        w->logs_timer.data = w;
        ev_timer_start(w->loop, &w->logs_timer);
    }
    double ci = w->conf.commit_interval_ms / 1000.0;
    ev_timer_init(&w->commit_timer, cw_commit_cb, ci, ci);
    w->commit_timer.data = w;
    ev_timer_start(w->loop, &w->commit_timer);
    ev_signal_init(&w->sigterm, cw_sig_cb, SIGTERM);
    w->sigterm.data = w;
    ev_signal_start(w->loop, &w->sigterm);
    ev_signal_init(&w->sigint, cw_sig_cb, SIGINT);
    w->sigint.data = w;
    ev_signal_start(w->loop, &w->sigint);
    char x[1200];
    snprintf(x, sizeof(x), "\"brokers\":\"%.200s\",\"delivery\":\"%s\",\"jobsTopic\":\"%s\",\"group\":\"%s\",\"executors\":%d,\"metricsPort\":%d",
             w->mock ? w->mock_bootstraps : w->conf.brokers, w->eos ? "exactly-once" : "at-least-once",
             w->conf.jobs_topic, w->conf.group, w->conf.executors,
             w->http ? cw_http_port(w->http) : -1);
    cw_wlog("info", "worker started", x);

    ev_run(w->loop, 0);
    if (w->eos) {
        cw_txn_commit(w);
    } else {
        rd_kafka_flush(w->producer, 10000);
        rd_kafka_poll(w->producer, 0);
        cw_commit(w, -1, 1);
    }
    rd_kafka_consumer_close(w->consumer);
    cw_otlp_free(w->otlp); /* the last spans go out (one request, within otlp.timeout.ms) */
    w->otlp = NULL;
    if (w->lproducer)
        rd_kafka_flush(w->lproducer, 5000);
    snprintf(x, sizeof(x), "\"unfinished\":%d,\"consumed\":%llu", w->in_flight, (unsigned long long)w->m.consumed);
    cw_wlog("info", "worker stopped", x);
    return w->fatal ? 1 : 0;
}

void cw_worker_free(cw_worker_t *w) {
    if (!w)
        return;
    cw_otlp_free(w->otlp);
    if (w->lproducer)
        rd_kafka_destroy(w->lproducer);
    if (w->http)
        cw_http_stop(w->http);
    if (w->pool)
        cw_pool_free(w->pool);
    cw_cfeed_free(w->cfeed);
    cw_cancels_free(w->cancels);
    if (w->cq)
        rd_kafka_queue_destroy(w->cq);
    if (w->pq)
        rd_kafka_queue_destroy(w->pq);
    if (w->cgmd)
        rd_kafka_consumer_group_metadata_destroy(w->cgmd);
    if (w->consumer)
        rd_kafka_destroy(w->consumer);
    if (w->producer)
        rd_kafka_destroy(w->producer);
    if (w->mock)
        rd_kafka_mock_cluster_destroy(w->mock);
    if (w->mock_host)
        rd_kafka_destroy(w->mock_host);
    for (int i = 0; i < 2; i++) {
        if (w->cpipe[i] >= 0)
            close(w->cpipe[i]);
        if (w->ppipe[i] >= 0)
            close(w->ppipe[i]);
    }
    for (int i = 0; i < w->nparts_cap; i++) {
        if (!w->parts[i])
            continue;
        cw_entry_t *e = w->parts[i]->head;
        while (e) {
            cw_entry_t *nx = e->next;
            cw_entry_free(e);
            e = nx;
        }
        free(w->parts[i]);
    }
    free(w->parts);
    if (w->have_reply_re)
        regfree(&w->reply_re);
    if (w->loop) {
        ev_io_stop(w->loop, &w->cio);
        ev_io_stop(w->loop, &w->pio);
        ev_timer_stop(w->loop, &w->tick);
        ev_timer_stop(w->loop, &w->commit_timer);
        ev_signal_stop(w->loop, &w->sigterm);
        ev_signal_stop(w->loop, &w->sigint);
    }
    free(w);
}
