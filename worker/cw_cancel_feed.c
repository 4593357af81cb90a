/*
 * cw_cancel_feed.c -- the cancel topic's reader (cw_cancel_feed.h).
 */
#include "cw_cancel_feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw_time.h"

struct cw_cfeed {
    struct ev_loop *loop;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    int pipe[2];
    ev_io io;
    cw_cancels_t *set;
    cw_cfeed_fn fn;
    void *ud;
    cw_cfeed_stats_t st;
};

static void cw_cfeed_take(cw_cfeed_t *f, const rd_kafka_message_t *m) {
    if (m->err)
        return; /* partition EOF or a transient error: the consumer carries on */
    char reason[CW_CANCEL_REASON_MAX + 1];
    size_t rlen;
    if (!m->payload) { /* a tombstone: compaction deleting an old cancel */
        f->st.skipped++;
        return;
    }
    cw_err_t err = cw_cancel_record(m->key, m->key_len, m->payload, m->len, reason, &rlen);
    if (err) {
        f->st.skipped++;
        return;
    }
    if (cw_cancels_add(f->set, m->key, m->key_len, reason, rlen) != CW_OK) {
        f->st.skipped++; /* out of memory: this cancel is not kept */
        return;
    }
    f->st.records++;
    const char *stored_reason = "";
    const char *id = cw_cancels_find(f->set, m->key, m->key_len, &stored_reason);
    if (id && f->fn)
        f->fn(f->ud, id, stored_reason);
}

static void cw_cfeed_io(struct ev_loop *loop, ev_io *io, int revents) {
    (void)loop, (void)revents;
    cw_cfeed_t *f = io->data;
    char buf[64];
    while (read(f->pipe[0], buf, sizeof(buf)) > 0)
        ;
    for (int i = 0; i < 10000; i++) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(f->q, 0);
        if (!m)
            break;
        cw_cfeed_take(f, m);
        rd_kafka_message_destroy(m);
    }
    /* More may be waiting beyond the budget: come back on the next turn. */
    if (rd_kafka_queue_length(f->q) > 0)
        ev_feed_event(f->loop, &f->io, EV_READ);
}

cw_err_t cw_cfeed_new(struct ev_loop *loop, rd_kafka_conf_t *kc, const char *topic, int64_t lookback_ms,
                      cw_cancels_t *set, cw_cfeed_fn fn, void *ud, cw_cfeed_t **out, char *errstr, size_t n) {
    *out = NULL;
    cw_cfeed_t *f = calloc(1, sizeof(*f));
    if (!f) {
        rd_kafka_conf_destroy(kc);
        return CW_ERR_NOMEM;
    }
    f->loop = loop;
    f->set = set;
    f->fn = fn;
    f->ud = ud;
    f->pipe[0] = f->pipe[1] = -1;
    cw_err_t err = CW_ERR_INVALID;
    /* Not a group member: this consumer assigns itself every partition and
     * never commits (each worker must see every cancel).  librdkafka still
     * wants a group id for assign(): one of its own, never joined. */
    char gid[128];
    snprintf(gid, sizeof(gid), "codeworker-cancel-feed-%d-%lld", (int)getpid(), (long long)cw_mono_ns());
    if (rd_kafka_conf_set(kc, "group.id", gid, errstr, n) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(kc, "enable.auto.commit", "false", errstr, n) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(kc, "enable.auto.offset.store", "false", errstr, n) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(kc, "enable.partition.eof", "false", errstr, n) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(kc, "fetch.wait.max.ms", "50", errstr, n) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(kc);
        goto fail;
    }
    f->rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, n);
    if (!f->rk) {
        rd_kafka_conf_destroy(kc);
        goto fail;
    }
    /* The topic's partitions and where to start in each.  A topic created a
     * moment ago may have no leaders yet: retried for up to 30 s. */
    rd_kafka_topic_partition_list_t *l = NULL;
    int parts = 0;
    int64_t since = cw_now_ms() - lookback_ms;
    rd_kafka_resp_err_t ke = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0;; attempt++) {
        rd_kafka_topic_t *t = rd_kafka_topic_new(f->rk, topic, NULL);
        const rd_kafka_metadata_t *md = NULL;
        ke = t ? rd_kafka_metadata(f->rk, 0, t, &md, 10000) : RD_KAFKA_RESP_ERR__FAIL;
        if (t)
            rd_kafka_topic_destroy(t);
        if (!ke && md && md->topic_cnt == 1 && md->topics[0].err)
            ke = md->topics[0].err;
        if (!ke && (!md || md->topic_cnt != 1 || md->topics[0].partition_cnt < 1))
            ke = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        parts = ke ? 0 : md->topics[0].partition_cnt;
        if (md)
            rd_kafka_metadata_destroy(md);
        if (!ke) {
            l = rd_kafka_topic_partition_list_new(parts);
            for (int i = 0; i < parts; i++)
                rd_kafka_topic_partition_list_add(l, topic, i)->offset = since;
            /* The first offset at or after `since` in each partition; -1
             * (nothing that recent) means the end. */
            ke = rd_kafka_offsets_for_times(f->rk, l, 10000);
            for (int i = 0; !ke && i < l->cnt; i++)
                if (l->elems[i].err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                    l->elems[i].err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
                    ke = l->elems[i].err;
            if (!ke)
                break;
            rd_kafka_topic_partition_list_destroy(l);
            l = NULL;
        }
        if (attempt >= 60) {
            snprintf(errstr, n, "cancel topic %s: %s", topic, rd_kafka_err2str(ke));
            goto fail;
        }
        usleep(500000);
    }
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].err || l->elems[i].offset < 0)
            l->elems[i].offset = RD_KAFKA_OFFSET_END;
    ke = rd_kafka_assign(f->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (ke) {
        snprintf(errstr, n, "cancel topic %s: assign: %s", topic, rd_kafka_err2str(ke));
        goto fail;
    }
    f->st.partitions = parts;
    if (pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC)) {
        snprintf(errstr, n, "pipe: %s", strerror(errno));
        err = CW_ERR_SYSTEM;
        goto fail;
    }
    f->q = rd_kafka_queue_get_consumer(f->rk);
    if (!f->q) {
        snprintf(errstr, n, "cancel topic %s: no consumer queue", topic);
        goto fail;
    }
    rd_kafka_queue_io_event_enable(f->q, f->pipe[1], "1", 1);
    ev_io_init(&f->io, cw_cfeed_io, f->pipe[0], EV_READ);
    f->io.data = f;
    ev_io_start(loop, &f->io);
    ev_feed_event(loop, &f->io, EV_READ); /* records that came before the pipe */
    *out = f;
    return CW_OK;
fail:
    cw_cfeed_free(f);
    return err;
}

void cw_cfeed_free(cw_cfeed_t *f) {
    if (!f)
        return;
    if (f->pipe[0] >= 0)
        ev_io_stop(f->loop, &f->io);
    if (f->q) {
        rd_kafka_queue_io_event_enable(f->q, -1, NULL, 0);
        rd_kafka_queue_destroy(f->q);
    }
    if (f->rk) {
        rd_kafka_consumer_close(f->rk);
        rd_kafka_destroy(f->rk);
    }
    if (f->pipe[0] >= 0)
        close(f->pipe[0]);
    if (f->pipe[1] >= 0)
        close(f->pipe[1]);
    free(f);
}

void cw_cfeed_get_stats(const cw_cfeed_t *f, cw_cfeed_stats_t *st) {
    if (f)
        *st = f->st;
    else
        memset(st, 0, sizeof(*st));
}
