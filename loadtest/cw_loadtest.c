/*
 * cw_loadtest.c -- codeworker-loadtest: drives a running deployment through
 * Kafka (or `codeworker exec` through a pipe) and measures what a client sees.
 *
 *   codeworker-loadtest --jobs MIX.jsonl (--rate R [--poisson] | --concurrency C)
 *                       (--duration S | --count N) [--exec BIN_DIR | --compare] ...
 *
 * Why a separate instrument: the worker's own metrics see a job from the
 * moment it is fetched; a client sees it from the moment it wanted to send
 * it.  In open loop (--rate) every job has an intended send time on a fixed
 * or Poisson schedule and its latency is measured from that time, not from
 * when the client got round to sending it, so a stalled system shows up as
 * queueing in the latency instead of silently lowering the offered load
 * (no coordinated omission).  In closed loop (--concurrency) a fixed number
 * of jobs is in flight and throughput is the result.
 *
 * Each job line of the mix is sent with a fresh jobId (prefix + counter) and
 * without its `expect` member; the result whose jobId matches is checked
 * against `expect` (JSON deep equality: both canonicalised through cJSON
 * with object members sorted).  Results are read with read_committed from
 * the end offsets the results topic had before the first job was produced,
 * so none can be missed.  A job with no result within --drain-timeout after
 * the last send is lost; a second result for a jobId is a duplicate.
 *
 * One thread: the Kafka consumer's and producer's queues signal a pipe
 * (rd_kafka_queue_io_event_enable) and the loop sleeps in ppoll until the
 * next intended send time or the next result, with nanosecond timeouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>

#include "cw_hist.h"
#include "cw_lt.h"
#include "cw_time.h"

#define NS_PER_S 1000000000LL

static volatile sig_atomic_t lt_interrupts;

static void lt_on_signal(int sig) {
    (void)sig;
    lt_interrupts++;
}

static int64_t lt_now(void) { return cw_mono_ns(); }

/* ---- the job mix ---------------------------------------------------------- */

typedef struct lt_mix {
    char *tail;     /* the job serialised without jobId and expect, minus its '{' */
    size_t tail_len;
    int empty;      /* no member besides jobId/expect */
    char *expect;   /* canonical JSON text of `expect`, or NULL */
} lt_mix_t;

static int lt_key_cmp(const void *a, const void *b) {
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Sort every object's members by name, recursively, so that printing gives
 * one text per JSON value regardless of member order. */
static void lt_canon(cJSON *j) {
    if (!j)
        return;
    for (cJSON *c = j->child; c; c = c->next)
        lt_canon(c);
    if (!cJSON_IsObject(j) || !j->child || !j->child->next)
        return;
    size_t n = 0;
    for (cJSON *c = j->child; c; c = c->next)
        n++;
    cJSON **v = malloc(n * sizeof(*v));
    if (!v)
        return;
    n = 0;
    for (cJSON *c = j->child; c; c = c->next)
        v[n++] = c;
    qsort(v, n, sizeof(*v), lt_key_cmp);
    for (size_t i = 0; i < n; i++) {
        v[i]->prev = i ? v[i - 1] : v[n - 1]; /* cJSON: the head's prev is the tail */
        v[i]->next = i + 1 < n ? v[i + 1] : NULL;
    }
    j->child = v[0];
    free(v);
}

static char *lt_canon_text(cJSON *j) {
    lt_canon(j);
    return cJSON_PrintUnformatted(j);
}

static lt_mix_t *lt_load_mix(const char *path, size_t *n_out, size_t *checked) {
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "Error: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t n = 0, cap = 64, lineno = 0;
    lt_mix_t *mix = calloc(cap, sizeof(*mix));
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    *checked = 0;
    while (mix && (len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (!len)
            continue;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        if (!cJSON_IsObject(j)) {
            fprintf(stderr, "Error: %s line %zu is not a JSON object\n", path, lineno);
            cJSON_Delete(j);
            goto fail;
        }
        if (n == cap) {
            cap *= 2;
            lt_mix_t *m2 = realloc(mix, cap * sizeof(*mix));
            if (!m2) {
                cJSON_Delete(j);
                goto fail;
            }
            mix = m2;
        }
        lt_mix_t *m = &mix[n];
        memset(m, 0, sizeof(*m));
        cJSON *exp = cJSON_DetachItemFromObjectCaseSensitive(j, "expect");
        if (exp) {
            m->expect = lt_canon_text(exp);
            cJSON_Delete(exp);
            (*checked)++;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(j, "jobId");
        char *text = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        if (!text)
            goto fail;
        size_t tl = strlen(text);
        m->empty = tl <= 2;
        m->tail = strdup(text + 1);
        m->tail_len = tl - 1;
        free(text);
        n++;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (!n) {
        fprintf(stderr, "Error: %s holds no job\n", path);
        free(mix);
        return NULL;
    }
    *n_out = n;
    return mix;
fail:
    free(line);
    if (f != stdin)
        fclose(f);
    for (size_t i = 0; mix && i < n; i++) {
        free(mix[i].tail);
        free(mix[i].expect);
    }
    free(mix);
    return NULL;
}

/* ---- per-run state ------------------------------------------------------- */

enum { SLOT_UNSENT = 0, SLOT_INFLIGHT, SLOT_DONE, SLOT_SEND_FAILED };

typedef struct lt_slot {
    int64_t intended; /* ns, monotonic */
    uint32_t mix;
    uint8_t state;
} lt_slot_t;

typedef struct lt_io lt_io_t;

typedef struct lt_state {
    const lt_conf_t *c;
    const lt_mix_t *mix;
    size_t nmix;
    lt_run_t *run;
    lt_io_t *io;
    lt_slot_t *slots;
    size_t nslots, capslots;
    size_t prefix_len;
    uint64_t inflight;
    int64_t t0;
    /* the current second */
    cw_hist_t *sec_hist;
    uint64_t sec_sent, sec_done, sec_failed;
    char *msg;
    size_t msg_cap;
    int tty;
    uint64_t rng;
} lt_state_t;

/* ---- transports ------------------------------------------------------------ */

struct lt_io {
    /* 0 sent (or queued), 1 busy: try again after waiting, -1 fatal */
    int (*send)(lt_io_t *io, uint64_t idx, const char *key, size_t klen, const char *msg, size_t len);
    /* Deliver results that arrive before `until` (monotonic ns); returns early
     * after delivering some.  -1 on a fatal error. */
    int (*wait)(lt_io_t *io, int64_t until);
    /* No more sends: the exec child gets EOF on its stdin. */
    void (*finish)(lt_io_t *io);
    /* 1 when every job handed to send() was accepted downstream (Kafka:
     * acknowledged by the broker). */
    int (*all_acked)(lt_io_t *io);
    /* 1 when no further result can arrive (exec: the child exited). */
    int (*closed)(lt_io_t *io);
    void (*destroy)(lt_io_t *io);
    lt_state_t *st;
};

static void lt_on_result(lt_state_t *st, const char *payload, size_t len, int64_t now);
static void lt_on_send_failed(lt_state_t *st, uint64_t idx, const char *why);

/* Wait on fds until `until`; returns poll's result. */
static int lt_ppoll(struct pollfd *p, nfds_t n, int64_t until) {
    int64_t d = until - lt_now();
    if (d < 0)
        d = 0;
    if (d > NS_PER_S)
        d = NS_PER_S;
    struct timespec ts = {(time_t)(d / NS_PER_S), (long)(d % NS_PER_S)};
    int r = ppoll(p, n, &ts, NULL);
    return r < 0 && errno == EINTR ? 0 : r;
}

/* -- Kafka -- */

typedef struct lt_kafka {
    lt_io_t io;
    rd_kafka_t *prod, *cons;
    rd_kafka_queue_t *cq, *pq;
    int evfd[2];
    int backlog; /* messages may be left in the consumer queue */
    const char *topic;
    uint64_t unacked;
} lt_kafka_t;

static void lt_kafka_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    lt_kafka_t *k = opaque;
    k->unacked--;
    if (m->err)
        lt_on_send_failed(k->io.st, (uint64_t)(uintptr_t)m->_private, rd_kafka_err2str(m->err));
}

static int lt_kafka_send(lt_io_t *io, uint64_t idx, const char *key, size_t klen, const char *msg, size_t len) {
    lt_kafka_t *k = (lt_kafka_t *)io;
    rd_kafka_resp_err_t e =
        rd_kafka_producev(k->prod, RD_KAFKA_V_TOPIC(k->topic), RD_KAFKA_V_KEY(key, klen),
                          RD_KAFKA_V_VALUE((void *)msg, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_OPAQUE((void *)(uintptr_t)idx), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(k->prod, 0);
        return 1;
    }
    if (e) {
        fprintf(stderr, "\nError: produce: %s\n", rd_kafka_err2str(e));
        return -1;
    }
    k->unacked++;
    return 0;
}

/* Consume what is there, at most `max` results; 1 if more may be waiting. */
static int lt_kafka_drain(lt_kafka_t *k, int max) {
    rd_kafka_poll(k->prod, 0);
    for (int i = 0; i < max; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->cons, 0);
        if (!m)
            return 0;
        int64_t now = lt_now();
        if (!m->err)
            lt_on_result(k->io.st, m->payload, m->len, now);
        else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            fprintf(stderr, "\n%% consumer: %s\n", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    return 1;
}

static int lt_kafka_wait(lt_io_t *io, int64_t until) {
    lt_kafka_t *k = (lt_kafka_t *)io;
    if (!k->backlog) {
        struct pollfd p = {.fd = k->evfd[0], .events = POLLIN};
        /* Wake at least every 10 ms to serve delivery reports and stats. */
        int64_t cap = lt_now() + 10000000LL;
        lt_ppoll(&p, 1, until < cap ? until : cap);
        char buf[256];
        while (read(k->evfd[0], buf, sizeof(buf)) > 0) {
        }
    }
    k->backlog = lt_kafka_drain(k, 2000);
    return 0;
}

static void lt_kafka_finish(lt_io_t *io) { (void)io; }

static int lt_kafka_all_acked(lt_io_t *io) {
    lt_kafka_t *k = (lt_kafka_t *)io;
    return k->unacked == 0;
}

static int lt_kafka_closed(lt_io_t *io) {
    (void)io;
    return 0;
}

static void lt_kafka_destroy(lt_io_t *io) {
    lt_kafka_t *k = (lt_kafka_t *)io;
    if (k->prod)
        rd_kafka_flush(k->prod, 5000);
    if (k->cq)
        rd_kafka_queue_destroy(k->cq);
    if (k->pq)
        rd_kafka_queue_destroy(k->pq);
    if (k->cons) {
        rd_kafka_consumer_close(k->cons);
        rd_kafka_destroy(k->cons);
    }
    if (k->prod)
        rd_kafka_destroy(k->prod);
    if (k->evfd[0] >= 0) {
        close(k->evfd[0]);
        close(k->evfd[1]);
    }
    free(k);
}

static rd_kafka_conf_t *lt_kconf(const lt_conf_t *c, char *err, size_t n) {
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    if (rd_kafka_conf_set(kc, "bootstrap.servers", c->brokers, err, n) ||
        rd_kafka_conf_set(kc, "client.id", "codeworker-loadtest", err, n))
        goto fail;
    return kc;
fail:
    rd_kafka_conf_destroy(kc);
    return NULL;
}

/* User -X settings come last so they win over ours. */
static int lt_kconf_user(const lt_conf_t *c, rd_kafka_conf_t *kc, char *err, size_t n) {
    for (int i = 0; i < c->xn; i++)
        if (rd_kafka_conf_set(kc, c->xk[i], c->xv[i], err, n))
            return -1;
    return 0;
}

/* Create the jobs and results topics when missing (an existing topic is fine). */
static int lt_create_topics(rd_kafka_t *rk, const lt_conf_t *c, const char *const *topics, int nt) {
    char err[256];
    rd_kafka_NewTopic_t *nts[4];
    for (int i = 0; i < nt; i++) {
        nts[i] = rd_kafka_NewTopic_new(topics[i], c->partitions, -1, err, sizeof(err));
        if (!nts[i]) {
            fprintf(stderr, "Error: topic %s: %s\n", topics[i], err);
            for (int k = 0; k < i; k++)
                rd_kafka_NewTopic_destroy(nts[k]);
            return -1;
        }
        rd_kafka_NewTopic_set_config(nts[i], "max.message.bytes", "8388608");
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(o, 15000, err, sizeof(err));
    rd_kafka_AdminOptions_set_request_timeout(o, 15000, err, sizeof(err));
    rd_kafka_CreateTopics(rk, nts, (size_t)nt, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    int rc = 0;
    if (!ev || rd_kafka_event_error(ev)) {
        fprintf(stderr, "Error: cannot create topics: %s\n", ev ? rd_kafka_event_error_string(ev) : "timed out");
        rc = -1;
    } else {
        size_t cnt;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                fprintf(stderr, "Error: cannot create topic %s: %s\n", rd_kafka_topic_result_name(tr[i]),
                        rd_kafka_topic_result_error_string(tr[i]));
                rc = -1;
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    for (int i = 0; i < nt; i++)
        rd_kafka_NewTopic_destroy(nts[i]);
    return rc;
}

/* Partition ids of a topic; the count, or -1. */
static int lt_partitions(rd_kafka_t *rk, const char *topic, int32_t **ids) {
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e;
    for (int tries = 0;; tries++) {
        e = rd_kafka_metadata(rk, 0, t, &md, 10000);
        if (e || tries >= 60)
            break;
        /* just created: wait until every partition has a leader */
        int ready = md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0;
        for (int i = 0; ready && i < md->topics[0].partition_cnt; i++)
            ready = md->topics[0].partitions[i].leader >= 0 && !md->topics[0].partitions[i].err;
        if (ready || (md->topic_cnt == 1 && md->topics[0].err && md->topics[0].err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                      md->topics[0].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART))
            break;
        rd_kafka_metadata_destroy(md);
        struct timespec ts = {0, 250000000L};
        nanosleep(&ts, NULL);
    }
    rd_kafka_topic_destroy(t);
    if (e) {
        fprintf(stderr, "Error: metadata of %s: %s\n", topic, rd_kafka_err2str(e));
        return -1;
    }
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1) {
        fprintf(stderr, "Error: topic %s: %s\n", topic,
                md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not found");
        rd_kafka_metadata_destroy(md);
        return -1;
    }
    int n = md->topics[0].partition_cnt;
    *ids = calloc((size_t)n, sizeof(**ids));
    for (int i = 0; i < n; i++)
        (*ids)[i] = md->topics[0].partitions[i].id;
    rd_kafka_metadata_destroy(md);
    return n;
}

static lt_io_t *lt_kafka_new(lt_state_t *st) {
    const lt_conf_t *c = st->c;
    char err[512];
    lt_kafka_t *k = calloc(1, sizeof(*k));
    k->evfd[0] = k->evfd[1] = -1;
    k->topic = c->jobs_topic;
    k->io = (lt_io_t){lt_kafka_send, lt_kafka_wait, lt_kafka_finish, lt_kafka_all_acked,
                      lt_kafka_closed, lt_kafka_destroy, st};
    if (pipe2(k->evfd, O_CLOEXEC | O_NONBLOCK)) {
        fprintf(stderr, "Error: pipe: %s\n", strerror(errno));
        goto fail;
    }
    /* producer: idempotent (acks=all), like a real client */
    rd_kafka_conf_t *pc = lt_kconf(c, err, sizeof(err));
    if (!pc || rd_kafka_conf_set(pc, "enable.idempotence", "true", err, sizeof(err)) ||
        rd_kafka_conf_set(pc, "message.max.bytes", "8388608", err, sizeof(err)) ||
        rd_kafka_conf_set(pc, "queue.buffering.max.messages", "1000000", err, sizeof(err)) ||
        lt_kconf_user(c, pc, err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        if (pc)
            rd_kafka_conf_destroy(pc);
        goto fail;
    }
    rd_kafka_conf_set_dr_msg_cb(pc, lt_kafka_dr);
    rd_kafka_conf_set_opaque(pc, k);
    if (!(k->prod = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        rd_kafka_conf_destroy(pc);
        goto fail;
    }
    if (c->create_topics) {
        const char *topics[2] = {c->jobs_topic, c->results_topic};
        if (lt_create_topics(k->prod, c, topics, 2))
            goto fail;
    }
    /* consumer: read_committed, assigned (no group membership) */
    rd_kafka_conf_t *cc = lt_kconf(c, err, sizeof(err));
    char gid[96];
    snprintf(gid, sizeof(gid), "%sreader", st->run->prefix);
    if (!cc || rd_kafka_conf_set(cc, "group.id", gid, err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "isolation.level", "read_committed", err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "enable.auto.commit", "false", err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "enable.partition.eof", "false", err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "fetch.wait.max.ms", "100", err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "fetch.max.bytes", "16777216", err, sizeof(err)) ||
        lt_kconf_user(c, cc, err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        if (cc)
            rd_kafka_conf_destroy(cc);
        goto fail;
    }
    if (!(k->cons = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    rd_kafka_poll_set_consumer(k->cons);
    int32_t *ids = NULL;
    int np = lt_partitions(k->cons, c->results_topic, &ids);
    if (np < 0)
        goto fail;
    /* The end offsets before the first job is produced: every result of
     * this run lies beyond them. */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t e;
        /* A topic created a moment ago may have no leader yet: retry a while. */
        for (int tries = 0;; tries++) {
            e = rd_kafka_query_watermark_offsets(k->cons, c->results_topic, ids[i], &lo, &hi, 10000);
            if (!e || tries >= 60 ||
                (e != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION && e != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                 e != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && e != RD_KAFKA_RESP_ERR__TIMED_OUT))
                break;
            struct timespec ts = {0, 250000000L};
            nanosleep(&ts, NULL);
        }
        if (e) {
            fprintf(stderr, "Error: end offsets of %s: %s\n", c->results_topic, rd_kafka_err2str(e));
            free(ids);
            rd_kafka_topic_partition_list_destroy(l);
            goto fail;
        }
        rd_kafka_topic_partition_list_add(l, c->results_topic, ids[i])->offset = hi;
    }
    free(ids);
    rd_kafka_resp_err_t ae = rd_kafka_assign(k->cons, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (ae) {
        fprintf(stderr, "Error: assign: %s\n", rd_kafka_err2str(ae));
        goto fail;
    }
    /* Warm the producer: metadata of the jobs topic and a connection. */
    int32_t *jids = NULL;
    if (lt_partitions(k->prod, c->jobs_topic, &jids) < 0)
        goto fail;
    free(jids);
    k->cq = rd_kafka_queue_get_consumer(k->cons);
    k->pq = rd_kafka_queue_get_main(k->prod);
    rd_kafka_queue_io_event_enable(k->cq, k->evfd[1], "1", 1);
    rd_kafka_queue_io_event_enable(k->pq, k->evfd[1], "1", 1);
    return &k->io;
fail:
    lt_kafka_destroy(&k->io);
    return NULL;
}

/* -- exec: `codeworker exec --jobs -` as a child -- */

typedef struct lt_exec {
    lt_io_t io;
    pid_t pid;
    int in_fd, out_fd; /* our ends: we write its stdin, read its stdout */
    char *obuf;        /* job lines not yet written */
    size_t olen, ooff, ocap;
    char *ibuf;        /* partial result line */
    size_t ilen, icap;
    int finishing, eof;
} lt_exec_t;

static void lt_exec_flush(lt_exec_t *x) {
    while (x->in_fd >= 0 && x->ooff < x->olen) {
        ssize_t w = write(x->in_fd, x->obuf + x->ooff, x->olen - x->ooff);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                fprintf(stderr, "\n%% exec: write: %s\n", strerror(errno));
                close(x->in_fd);
                x->in_fd = -1;
            }
            break;
        }
        x->ooff += (size_t)w;
    }
    if (x->ooff == x->olen)
        x->ooff = x->olen = 0;
    else if (x->ooff > (1u << 20)) {
        memmove(x->obuf, x->obuf + x->ooff, x->olen - x->ooff);
        x->olen -= x->ooff;
        x->ooff = 0;
    }
    if (x->finishing && x->olen == 0 && x->in_fd >= 0) {
        close(x->in_fd);
        x->in_fd = -1;
    }
}

static int lt_exec_send(lt_io_t *io, uint64_t idx, const char *key, size_t klen, const char *msg, size_t len) {
    (void)idx, (void)key, (void)klen;
    lt_exec_t *x = (lt_exec_t *)io;
    if (x->in_fd < 0)
        return -1;
    if (x->olen - x->ooff > (256u << 20))
        return 1;
    if (x->olen + len + 1 > x->ocap) {
        size_t nc = x->ocap ? x->ocap : 1 << 16;
        while (nc < x->olen + len + 1)
            nc *= 2;
        char *nb = realloc(x->obuf, nc);
        if (!nb)
            return 1;
        x->obuf = nb;
        x->ocap = nc;
    }
    memcpy(x->obuf + x->olen, msg, len);
    x->olen += len;
    x->obuf[x->olen++] = '\n';
    lt_exec_flush(x);
    return 0;
}

static void lt_exec_lines(lt_exec_t *x, int64_t now) {
    size_t start = 0;
    for (size_t i = 0; i < x->ilen; i++) {
        if (x->ibuf[i] == '\n') {
            if (i > start)
                lt_on_result(x->io.st, x->ibuf + start, i - start, now);
            start = i + 1;
        }
    }
    memmove(x->ibuf, x->ibuf + start, x->ilen - start);
    x->ilen -= start;
}

static int lt_exec_wait(lt_io_t *io, int64_t until) {
    lt_exec_t *x = (lt_exec_t *)io;
    struct pollfd p[2];
    nfds_t n = 0;
    if (!x->eof)
        p[n++] = (struct pollfd){.fd = x->out_fd, .events = POLLIN};
    if (x->in_fd >= 0 && x->olen > x->ooff)
        p[n++] = (struct pollfd){.fd = x->in_fd, .events = POLLOUT};
    if (!n) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        return 0;
    }
    if (lt_ppoll(p, n, until) <= 0)
        return 0;
    lt_exec_flush(x);
    for (int rounds = 0; !x->eof && rounds < 16; rounds++) {
        if (x->icap - x->ilen < 65536) {
            size_t nc = x->icap ? x->icap * 2 : 1 << 17;
            char *nb = realloc(x->ibuf, nc);
            if (!nb)
                return -1;
            x->ibuf = nb;
            x->icap = nc;
        }
        ssize_t r = read(x->out_fd, x->ibuf + x->ilen, x->icap - x->ilen);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break; /* EAGAIN */
        }
        if (r == 0) {
            x->eof = 1;
            break;
        }
        x->ilen += (size_t)r;
        lt_exec_lines(x, lt_now());
    }
    return 0;
}

static void lt_exec_finish(lt_io_t *io) {
    lt_exec_t *x = (lt_exec_t *)io;
    x->finishing = 1;
    lt_exec_flush(x);
}

static int lt_exec_all_acked(lt_io_t *io) {
    lt_exec_t *x = (lt_exec_t *)io;
    return x->olen == x->ooff;
}

static int lt_exec_closed(lt_io_t *io) { return ((lt_exec_t *)io)->eof; }

static void lt_exec_destroy(lt_io_t *io) {
    lt_exec_t *x = (lt_exec_t *)io;
    if (x->in_fd >= 0)
        close(x->in_fd);
    if (x->out_fd >= 0)
        close(x->out_fd);
    if (x->pid > 0) {
        int status;
        if (!x->eof)
            kill(x->pid, SIGTERM);
        waitpid(x->pid, &status, 0);
    }
    free(x->obuf);
    free(x->ibuf);
    free(x);
}

static lt_io_t *lt_exec_new(lt_state_t *st) {
    const lt_conf_t *c = st->c;
    lt_exec_t *x = calloc(1, sizeof(*x));
    x->in_fd = x->out_fd = -1;
    x->io = (lt_io_t){lt_exec_send, lt_exec_wait, lt_exec_finish, lt_exec_all_acked,
                      lt_exec_closed, lt_exec_destroy, st};
    char bin[4096], ex[16];
    snprintf(bin, sizeof(bin), "%s/codeworker", c->exec_dir);
    snprintf(ex, sizeof(ex), "%d", c->executors);
    if (access(bin, X_OK)) {
        fprintf(stderr, "Error: %s: %s\n", bin, strerror(errno));
        free(x);
        return NULL;
    }
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        fprintf(stderr, "Error: pipe: %s\n", strerror(errno));
        free(x);
        return NULL;
    }
    x->pid = fork();
    if (x->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        char *argv[] = {"codeworker", "exec", "--jobs", "-", "--executors", ex, NULL};
        execv(bin, argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (x->pid < 0) {
        fprintf(stderr, "Error: fork: %s\n", strerror(errno));
        close(in[1]);
        close(out[0]);
        free(x);
        return NULL;
    }
    x->in_fd = in[1];
    x->out_fd = out[0];
    fcntl(x->in_fd, F_SETFL, fcntl(x->in_fd, F_GETFL) | O_NONBLOCK);
    fcntl(x->out_fd, F_SETFL, fcntl(x->out_fd, F_GETFL) | O_NONBLOCK);
    fcntl(x->in_fd, F_SETPIPE_SZ, 1 << 20);
    return &x->io;
}

/* ---- bookkeeping ---------------------------------------------------------- */

static void lt_keep_id(char **ids, size_t *n, const char *id, size_t len) {
    if (*n < LT_MAX_IDS)
        ids[(*n)++] = strndup(id, len);
}

static void lt_count_code(lt_run_t *r, const char *code) {
    for (int i = 0; i < r->ncodes; i++)
        if (!strcmp(r->codes[i].name, code)) {
            r->codes[i].n++;
            return;
        }
    /* the last entry collects whatever does not fit */
    int i = r->ncodes < LT_MAX_CODES - 1 ? r->ncodes++ : LT_MAX_CODES - 1;
    if (i == LT_MAX_CODES - 1) {
        r->ncodes = LT_MAX_CODES;
        snprintf(r->codes[i].name, sizeof(r->codes[i].name), "(other)");
    } else {
        snprintf(r->codes[i].name, sizeof(r->codes[i].name), "%.39s", code);
    }
    r->codes[i].n++;
}

/* The slot index of a jobId of this run, or -1. */
static int64_t lt_slot_of(lt_state_t *st, const char *id, size_t len) {
    if (len <= st->prefix_len || memcmp(id, st->run->prefix, st->prefix_len))
        return -1;
    uint64_t v = 0;
    for (size_t i = st->prefix_len; i < len; i++) {
        if (id[i] < '0' || id[i] > '9' || v > UINT64_MAX / 10 - 10)
            return -1;
        v = v * 10 + (uint64_t)(id[i] - '0');
    }
    return v < st->nslots ? (int64_t)v : -1;
}

static uint64_t lt_ms_to_us(const cJSON *j) {
    double ms = j->valuedouble;
    return ms <= 0 ? 0 : (uint64_t)(ms * 1000.0 + 0.5);
}

static void lt_on_send_failed(lt_state_t *st, uint64_t idx, const char *why) {
    lt_run_t *r = st->run;
    if (idx >= st->nslots || st->slots[idx].state != SLOT_INFLIGHT)
        return;
    st->slots[idx].state = SLOT_SEND_FAILED;
    st->inflight--;
    if (r->send_errors++ == 0)
        fprintf(stderr, "\n%% a job could not be delivered to Kafka: %s\n", why);
}

static void lt_on_result(lt_state_t *st, const char *payload, size_t len, int64_t now) {
    lt_run_t *r = st->run;
    cJSON *j = cJSON_ParseWithLength(payload, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "jobId");
    if (!cJSON_IsString(id)) {
        r->unparsable++;
        cJSON_Delete(j);
        return;
    }
    size_t idlen = strlen(id->valuestring);
    int64_t si = lt_slot_of(st, id->valuestring, idlen);
    if (si < 0) {
        r->foreign++;
        cJSON_Delete(j);
        return;
    }
    lt_slot_t *s = &st->slots[si];
    if (s->state == SLOT_DONE) {
        r->duplicates++;
        lt_keep_id(r->dup_ids, &r->ndup_ids, id->valuestring, idlen);
        cJSON_Delete(j);
        return;
    }
    if (s->state == SLOT_SEND_FAILED) /* reported failed, arrived after all */
        r->send_errors--;
    else
        st->inflight--;
    s->state = SLOT_DONE;
    r->completed++;
    st->sec_done++;
    int64_t lat = now - s->intended;
    uint64_t us = lat > 0 ? (uint64_t)(lat / 1000) : 0;
    cw_hist_record(r->lat, us);
    cw_hist_record(st->sec_hist, us);
    r->last_result_s = (double)(now - st->t0) / 1e9;

    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "success");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "resultCode");
    if (cJSON_IsTrue(ok))
        r->succeeded++;
    else
        st->sec_failed++;
    lt_count_code(r, cJSON_IsString(code) ? code->valuestring : "(none)");
    const cJSON *et = cJSON_GetObjectItemCaseSensitive(j, "executionTimeMs");
    if (cJSON_IsNumber(et))
        cw_hist_record(r->exec, lt_ms_to_us(et));
    const cJSON *qt = cJSON_GetObjectItemCaseSensitive(j, "queueTimeMs");
    if (cJSON_IsNumber(qt))
        cw_hist_record(r->queue, lt_ms_to_us(qt));

    const char *expect = st->mix[s->mix].expect;
    if (expect) {
        r->checked++;
        cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "output");
        char *got = out ? lt_canon_text(out) : NULL;
        if (got && !strcmp(got, expect)) {
            r->matched++;
        } else {
            r->mismatched++;
            if (r->nsamples < LT_MAX_SAMPLES) {
                lt_sample_t *m = &r->samples[r->nsamples++];
                m->job_id = strndup(id->valuestring, idlen);
                m->expected = strdup(expect);
                m->got = got ? strdup(got) : strndup(payload, len < 2000 ? len : 2000);
            }
        }
        free(got);
    }
    cJSON_Delete(j);
}

/* Build the job line for slot `idx`: {"jobId":"<prefix><idx>",<rest of the job>. */
static int lt_build(lt_state_t *st, uint64_t idx, const lt_mix_t *m, size_t *len, size_t *klen) {
    size_t need = m->tail_len + st->prefix_len + 48;
    if (need > st->msg_cap) {
        char *nb = realloc(st->msg, need);
        if (!nb)
            return -1;
        st->msg = nb;
        st->msg_cap = need;
    }
    int h = snprintf(st->msg, st->msg_cap, "{\"jobId\":\"%s%llu\"%s", st->run->prefix, (unsigned long long)idx,
                     m->empty ? "}" : ",");
    *klen = (size_t)h - 12; /* minus {"jobId":" (10), the closing quote and the separator */
    if (!m->empty) {
        memcpy(st->msg + h, m->tail, m->tail_len);
        *len = (size_t)h + m->tail_len;
    } else {
        *len = (size_t)h;
    }
    return 0;
}

static int lt_grow_slots(lt_state_t *st) {
    if (st->nslots < st->capslots)
        return 0;
    size_t nc = st->capslots ? st->capslots * 2 : 65536;
    lt_slot_t *ns = realloc(st->slots, nc * sizeof(*ns));
    if (!ns)
        return -1;
    st->slots = ns;
    st->capslots = nc;
    return 0;
}

/* Send the next job with the given intended time: 0 sent, 1 busy, -1 fatal. */
static int lt_send_next(lt_state_t *st, int64_t intended) {
    if (lt_grow_slots(st))
        return -1;
    uint64_t idx = st->nslots;
    uint32_t mi = (uint32_t)(idx % st->nmix);
    size_t len, klen;
    if (lt_build(st, idx, &st->mix[mi], &len, &klen))
        return -1;
    /* Register before sending: a delivery failure may be reported at once. */
    st->slots[idx] = (lt_slot_t){intended, mi, SLOT_INFLIGHT};
    st->nslots++;
    st->inflight++;
    int rc = st->io->send(st->io, idx, st->msg + 10, klen, st->msg, len);
    if (rc) {
        st->nslots--;
        st->inflight--;
        return rc;
    }
    st->run->sent++;
    st->sec_sent++;
    int64_t now = lt_now();
    double lag = (double)(now - intended) / 1e6;
    if (lag > st->run->lag_max_ms)
        st->run->lag_max_ms = lag;
    return 0;
}

static double lt_rand01(lt_state_t *st) {
    /* splitmix64 */
    uint64_t z = (st->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 1.0) / 9007199254740993.0; /* (0, 1] */
}

static int64_t lt_next_gap(lt_state_t *st) {
    double mean = 1e9 / st->c->rate;
    if (!st->c->poisson)
        return (int64_t)mean;
    return (int64_t)(-log(lt_rand01(st)) * mean);
}

static int lt_close_second(lt_state_t *st) {
    lt_run_t *r = st->run;
    if (r->nsec == r->capsec) {
        size_t nc = r->capsec ? r->capsec * 2 : 256;
        lt_sec_t *ns = realloc(r->series, nc * sizeof(*ns));
        if (!ns)
            return -1;
        r->series = ns;
        r->capsec = nc;
    }
    lt_sec_t *s = &r->series[r->nsec++];
    s->sent = st->sec_sent;
    s->done = st->sec_done;
    s->failed = st->sec_failed;
    s->inflight = st->inflight;
    if (st->sec_hist->count) {
        s->p50 = cw_hist_percentile(st->sec_hist, 50) / 1000.0;
        s->p90 = cw_hist_percentile(st->sec_hist, 90) / 1000.0;
        s->p99 = cw_hist_percentile(st->sec_hist, 99) / 1000.0;
        s->max = (double)st->sec_hist->max / 1000.0;
    } else {
        s->p50 = s->p90 = s->p99 = s->max = NAN;
    }
    st->sec_sent = st->sec_done = st->sec_failed = 0;
    cw_hist_reset(st->sec_hist);
    return 0;
}

static void lt_progress(lt_state_t *st, int final) {
    lt_run_t *r = st->run;
    double rate = r->nsec ? (double)r->series[r->nsec - 1].done : 0;
    char line[256];
    snprintf(line, sizeof(line), "%s %4zus  sent %llu  done %llu  in flight %llu  %.0f/s  p99 %.2f ms%s%s",
             r->mode, r->nsec, (unsigned long long)r->sent, (unsigned long long)r->completed,
             (unsigned long long)st->inflight, rate, cw_hist_percentile(r->lat, 99) / 1000.0,
             r->mismatched ? "  MISMATCHED " : "", r->mismatched ? "(see report)" : "");
    if (st->tty)
        fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
    else if (st->c->progress_lines && (final || r->nsec % 5 == 0))
        fprintf(stderr, "%% %s\n", line);
}

/* ---- one run ---------------------------------------------------------------- */

static int lt_run_once(const lt_conf_t *c, const lt_mix_t *mix, size_t nmix, const char *mode, lt_run_t *r) {
    lt_state_t st;
    memset(&st, 0, sizeof(st));
    memset(r, 0, sizeof(*r));
    st.c = c;
    st.mix = mix;
    st.nmix = nmix;
    st.run = r;
    st.tty = isatty(2);
    r->mode = mode;
    r->lat = cw_hist_new();
    r->queue = cw_hist_new();
    r->exec = cw_hist_new();
    st.sec_hist = cw_hist_new();
    uint64_t rnd[2] = {0, 0};
    if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
        rnd[0] = (uint64_t)lt_now(), rnd[1] = (uint64_t)getpid();
    st.rng = c->seed ? c->seed : rnd[1];
    if (c->prefix)
        snprintf(r->prefix, sizeof(r->prefix), "%.40s-%s-", c->prefix, mode);
    else
        snprintf(r->prefix, sizeof(r->prefix), "lt-%08llx-%s-", (unsigned long long)(rnd[0] & 0xffffffffu), mode);
    st.prefix_len = strlen(r->prefix);
    if (!r->lat || !r->queue || !r->exec || !st.sec_hist)
        return -1;
    st.io = strcmp(mode, "exec") ? lt_kafka_new(&st) : lt_exec_new(&st);
    if (!st.io) {
        cw_hist_free(st.sec_hist);
        return -1;
    }

    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    int64_t t0 = lt_now();
    st.t0 = t0;
    int64_t next_tick = t0 + NS_PER_S;
    int64_t next_send = t0;
    int64_t end_send = c->duration_s > 0 ? t0 + (int64_t)(c->duration_s * 1e9) : INT64_MAX;
    int64_t last_send = t0, acked_at = 0;
    int sending = 1, rc = 0, busy = 0;
    while (1) {
        int64_t now = lt_now();
        if (lt_interrupts && sending) {
            sending = 0;
            r->send_s = (double)(last_send - t0) / 1e9;
            r->interrupted = 1;
            st.io->finish(st.io);
        }
        if (lt_interrupts > 1)
            break;
        /* send what is due */
        if (sending) {
            int burst = 0;
            busy = 0;
            while (burst < 5000) {
                if (c->count && r->sent >= c->count)
                    break;
                int64_t intended;
                if (c->open_loop) {
                    intended = c->rate > 0 ? next_send : now;
                    if (intended > now || intended >= end_send)
                        break;
                } else {
                    if (st.inflight >= (uint64_t)c->concurrency || now >= end_send)
                        break;
                    intended = now;
                }
                int s = lt_send_next(&st, intended);
                if (s < 0) {
                    rc = -1;
                    break;
                }
                if (s > 0) {
                    busy = 1;
                    break;
                }
                burst++;
                last_send = lt_now();
                if (c->open_loop && c->rate > 0)
                    next_send += lt_next_gap(&st);
                if (burst % 64 == 0)
                    now = lt_now();
            }
            if (rc < 0)
                break;
            int done_count = c->count && r->sent >= c->count;
            int done_time = (c->open_loop && c->rate > 0 ? next_send : now) >= end_send;
            if (done_count || done_time) {
                sending = 0;
                r->send_s = (double)(last_send - t0) / 1e9;
                st.io->finish(st.io);
                if (!st.tty && c->progress_lines)
                    fprintf(stderr, "%% %s: sending done: %llu jobs in %.1f s\n", mode,
                            (unsigned long long)r->sent, r->send_s);
            }
        }
        if (!sending && !acked_at && st.io->all_acked(st.io)) {
            acked_at = lt_now();
            r->all_acked_s = (double)(acked_at - t0) / 1e9;
            if (st.tty || c->progress_lines)
                fprintf(stderr, "%s%% %s: all %llu jobs %s after %.1f s\n", st.tty ? "\r\033[K" : "", mode,
                        (unsigned long long)r->sent,
                        strcmp(mode, "exec") ? "sent and acknowledged by the broker" : "written to exec", r->all_acked_s);
        }
        now = lt_now();
        while (now >= next_tick) {
            lt_close_second(&st);
            lt_progress(&st, 0);
            next_tick += NS_PER_S;
        }
        /* the end */
        if (!sending && st.inflight == 0 && (strcmp(mode, "exec") || st.io->closed(st.io)))
            break;
        if (!sending && now - last_send > (int64_t)(c->drain_timeout_s * 1e9))
            break;
        if (st.io->closed(st.io) && st.inflight)
            break; /* exec child gone: nothing more will come */
        /* sleep until the next send, tick, or result */
        int64_t until = next_tick;
        if (sending && c->open_loop && c->rate > 0 && next_send < until)
            until = next_send;
        if (sending && c->open_loop && c->rate <= 0)
            until = now; /* as fast as possible: just serve the queues */
        if (sending && busy)
            until = now + 1000000; /* the producer's queue is full: retry soon */
        if (st.io->wait(st.io, until) < 0) {
            rc = -1;
            break;
        }
    }
    int64_t t_end = lt_now();
    if (sending)
        r->send_s = (double)(last_send - t0) / 1e9;
    r->elapsed_s = (double)(t_end - t0) / 1e9;
    /* the last partial second */
    if (st.sec_sent || st.sec_done)
        lt_close_second(&st);
    lt_progress(&st, 1);
    /* what never came back */
    for (size_t i = 0; i < st.nslots; i++)
        if (st.slots[i].state == SLOT_INFLIGHT && r->interrupted) {
            r->unanswered++;
        } else if (st.slots[i].state == SLOT_INFLIGHT) {
            r->lost++;
            char id[128];
            int n = snprintf(id, sizeof(id), "%s%zu", r->prefix, i);
            lt_keep_id(r->lost_ids, &r->nlost_ids, id, (size_t)n);
        }
    st.io->destroy(st.io);
    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    r->cpu_user_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
    r->cpu_sys_s = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    r->max_rss_kb = ru1.ru_maxrss;
    free(st.slots);
    free(st.msg);
    cw_hist_free(st.sec_hist);
    return rc;
}

double lt_run_throughput(const lt_run_t *r) {
    return r->last_result_s > 0 ? (double)r->completed / r->last_result_s : 0;
}

/* ---- --delete-topics and --self-test ------------------------------------------ */

static int lt_delete_topics(const lt_conf_t *c, char *list) {
    char err[512];
    rd_kafka_conf_t *kc = lt_kconf(c, err, sizeof(err));
    rd_kafka_t *rk = NULL;
    if (!kc || lt_kconf_user(c, kc, err, sizeof(err)) ||
        !(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        return 2;
    }
    rd_kafka_DeleteTopic_t *dt[64];
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
        dt[n++] = rd_kafka_DeleteTopic_new(t);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(o, 15000, err, sizeof(err));
    rd_kafka_DeleteTopics(rk, dt, n, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    int rc = 0;
    if (!ev || rd_kafka_event_error(ev)) {
        fprintf(stderr, "Error: delete topics: %s\n", ev ? rd_kafka_event_error_string(ev) : "timed out");
        rc = 2;
    } else {
        size_t cnt;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            if (e && e != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
                fprintf(stderr, "Error: delete %s: %s\n", rd_kafka_topic_result_name(tr[i]), rd_kafka_err2str(e));
                rc = 2;
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_DeleteTopic_destroy_array(dt, n);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

/* Checks of the histogram's precision and of the JSON canonicalisation;
 * exit 0 when all pass. */
static int lt_self_test(void) {
    int bad = 0;
#define CHECK(cond, ...)                                                                                        \
    do {                                                                                                        \
        if (!(cond)) {                                                                                          \
            bad++;                                                                                              \
            fprintf(stderr, "FAIL " __VA_ARGS__);                                                               \
            fputc('\n', stderr);                                                                                \
        }                                                                                                       \
    } while (0)
    /* every value maps to a bucket that contains it, at most 1/128 wide */
    uint64_t v = 0;
    while (v < CW_HIST_MAX_US) {
        size_t i = cw_hist_index(v);
        uint64_t lo = cw_hist_bucket_low(i), w = cw_hist_bucket_width(i);
        CHECK(i < CW_HIST_BUCKETS && lo <= v && v < lo + w, "bucket of %llu", (unsigned long long)v);
        CHECK(v < 256 ? w == 1 : (double)w / (double)lo <= 1.0 / 128 + 1e-12, "width at %llu",
              (unsigned long long)v);
        v = v < 1000 ? v + 1 : v + v / 997 + 1;
    }
    CHECK(cw_hist_index(CW_HIST_MAX_US - 1) == CW_HIST_BUCKETS - 1, "top bucket");
    CHECK(cw_hist_index(UINT64_MAX) == CW_HIST_BUCKETS - 1, "saturation");
    /* percentiles of a uniform 1..1,000,000 µs are within 0.5 % */
    cw_hist_t *h = cw_hist_new();
    for (uint64_t x = 1; x <= 1000000; x++)
        cw_hist_record(h, x);
    double ps[] = {50, 90, 99, 99.9};
    for (int k = 0; k < 4; k++) {
        double want = ps[k] * 10000.0, got = cw_hist_percentile(h, ps[k]);
        CHECK(fabs(got - want) / want < 0.005, "p%.1f: %.0f vs %.0f", ps[k], got, want);
    }
    CHECK(cw_hist_percentile(h, 100) == 1000000.0 && h->min == 1 && h->count == 1000000, "max/min/count");
    cw_hist_t *h2 = cw_hist_new();
    cw_hist_record(h2, 3600ULL * 1000000ULL);
    cw_hist_merge(h2, h);
    CHECK(h2->count == 1000001 && h2->max == 3600000000ULL, "merge");
    CHECK(fabs(cw_hist_percentile(h2, 100) - 3.6e9) < 1, "one hour");
    cw_hist_free(h);
    cw_hist_free(h2);
    /* deep equality ignores member order, not values */
    cJSON *a = cJSON_Parse("{\"b\":[1,{\"y\":2,\"x\":1}],\"a\":1.0}");
    cJSON *b = cJSON_Parse("{\"a\":1,\"b\":[1,{\"x\":1,\"y\":2}]}");
    cJSON *d = cJSON_Parse("{\"a\":1,\"b\":[{\"x\":1,\"y\":2},1]}");
    char *ta = lt_canon_text(a), *tb = lt_canon_text(b), *td = lt_canon_text(d);
    CHECK(!strcmp(ta, tb), "canonical: %s vs %s", ta, tb);
    CHECK(strcmp(ta, td), "array order matters");
    free(ta), free(tb), free(td);
    cJSON_Delete(a), cJSON_Delete(b), cJSON_Delete(d);
#undef CHECK
    printf("self-test: %s\n", bad ? "FAILED" : "ok");
    return bad ? 1 : 0;
}

/* ---- main ----------------------------------------------------------------------- */

static void lt_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker-loadtest --jobs MIX.jsonl (--rate R [--poisson] | --concurrency C)\n"
            "                           [--duration S | --count N] [options]\n"
            "       codeworker-loadtest --delete-topics T1,T2,... [--brokers B]\n"
            "       codeworker-loadtest --self-test\n"
            "\n"
            "Drives a running deployment through Kafka (or `codeworker exec`) and reports\n"
            "latency, throughput, correctness and lost/duplicated results.\n"
            "\n"
            "Load:\n"
            "  --jobs FILE           job mix, one JSON job per line, cycled; a line's `expect`\n"
            "                        is checked against the result's output and not sent\n"
            "  --rate R              open loop: R jobs/s on a fixed schedule; latency counts from\n"
            "                        each job's intended send time (0: as fast as possible)\n"
            "  --poisson             open loop with exponential inter-arrival times (mean 1/R)\n"
            "  --concurrency C       closed loop: C jobs in flight (default 64 without --rate)\n"
            "  --duration S          send for S seconds (default 10 unless --count)\n"
            "  --count N             send N jobs\n"
            "  --drain-timeout S     after the last send, wait this long for results (default 60);\n"
            "                        jobs still without a result are reported lost\n"
            "  --id-prefix P         jobId prefix (default lt-<random>); ids are P-<mode>-<n>\n"
            "  --seed N              seed of the Poisson schedule\n"
            "Kafka:\n"
            "  -b, --brokers LIST    bootstrap servers (default 127.0.0.1:9092; CODEWORKER_BROKERS)\n"
            "  --jobs-topic T        (default execute-code.jobs)\n"
            "  --results-topic T     (default execute-code.results)\n"
            "  --partitions N        partitions of topics this tool creates when missing (default 6)\n"
            "  --no-create-topics    do not create missing topics\n"
            "  -X key=value          librdkafka property for both clients (repeatable)\n"
            "Without Kafka:\n"
            "  --exec BIN_DIR        run the mix through BIN_DIR/codeworker exec --jobs - instead\n"
            "  --executors N         its executor count (default: CPUs)\n"
            "  --compare             run through Kafka, then through exec (BIN_DIR defaults to this\n"
            "                        program's folder), and print the ratio\n"
            "Output:\n"
            "  --label TEXT          a name for this run in the reports (e.g. the delivery mode)\n"
            "  --json FILE           JSON report\n"
            "  --md FILE             Markdown summary\n"
            "  --plots DIR           PNG plots of latency percentiles and throughput (gnuplot)\n"
            "  --progress            progress lines on a non-terminal stderr too\n"
            "  --allow-duplicates    duplicated results do not fail the run\n"
            "\n"
            "Exit status: 0 when every job got exactly one result and every checked output\n"
            "matched, 1 otherwise, 2 on usage or setup errors.\n");
}

static int lt_parse_double(const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        {"brokers", required_argument, NULL, 'b'},  {"jobs-topic", required_argument, NULL, 1},
        {"results-topic", required_argument, NULL, 2}, {"jobs", required_argument, NULL, 3},
        {"rate", required_argument, NULL, 4},       {"poisson", no_argument, NULL, 5},
        {"concurrency", required_argument, NULL, 6}, {"duration", required_argument, NULL, 7},
        {"count", required_argument, NULL, 8},      {"drain-timeout", required_argument, NULL, 9},
        {"id-prefix", required_argument, NULL, 10}, {"seed", required_argument, NULL, 11},
        {"partitions", required_argument, NULL, 12}, {"no-create-topics", no_argument, NULL, 13},
        {"exec", required_argument, NULL, 14},      {"executors", required_argument, NULL, 15},
        {"compare", no_argument, NULL, 16},         {"label", required_argument, NULL, 17},
        {"json", required_argument, NULL, 18},      {"md", required_argument, NULL, 19},
        {"plots", required_argument, NULL, 20},     {"progress", no_argument, NULL, 21},
        {"delete-topics", required_argument, NULL, 22}, {"self-test", no_argument, NULL, 23},
        {"allow-duplicates", no_argument, NULL, 24}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    lt_conf_t c;
    memset(&c, 0, sizeof(c));
    c.brokers = getenv("CODEWORKER_BROKERS") ? getenv("CODEWORKER_BROKERS") : "127.0.0.1:9092";
    c.jobs_topic = "execute-code.jobs";
    c.results_topic = "execute-code.results";
    c.drain_timeout_s = 60;
    c.partitions = 6;
    c.create_topics = 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c.executors = ncpu > 0 ? (int)ncpu : 1;
    char *delete_list = NULL;
    int have_rate = 0, have_conc = 0, opt;
    double d;
    while ((opt = getopt_long(argc, argv, "b:X:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'b': c.brokers = optarg; break;
        case 1: c.jobs_topic = optarg; break;
        case 2: c.results_topic = optarg; break;
        case 3: c.jobs_file = optarg; break;
        case 4:
            if (lt_parse_double(optarg, 0, 1e7, &c.rate)) {
                fprintf(stderr, "Error: --rate must be 0..10000000 jobs/s\n");
                return 2;
            }
            have_rate = 1;
            break;
        case 5: c.poisson = 1; break;
        case 6:
            if (lt_parse_double(optarg, 1, 1e6, &d) || d != floor(d)) {
                fprintf(stderr, "Error: --concurrency must be an integer 1..1000000\n");
                return 2;
            }
            c.concurrency = (int)d;
            have_conc = 1;
            break;
        case 7:
            if (lt_parse_double(optarg, 0.001, 1e6, &c.duration_s)) {
                fprintf(stderr, "Error: --duration must be a positive number of seconds\n");
                return 2;
            }
            break;
        case 8:
            if (lt_parse_double(optarg, 1, 1e12, &d) || d != floor(d)) {
                fprintf(stderr, "Error: --count must be a positive integer\n");
                return 2;
            }
            c.count = (uint64_t)d;
            break;
        case 9:
            if (lt_parse_double(optarg, 0, 1e6, &c.drain_timeout_s)) {
                fprintf(stderr, "Error: --drain-timeout must be a number of seconds\n");
                return 2;
            }
            break;
        case 10: c.prefix = optarg; break;
        case 11:
            if (lt_parse_double(optarg, 0, 1e18, &d)) {
                fprintf(stderr, "Error: --seed must be a non-negative integer\n");
                return 2;
            }
            c.seed = (uint64_t)d;
            break;
        case 12:
            if (lt_parse_double(optarg, 1, 10000, &d) || d != floor(d)) {
                fprintf(stderr, "Error: --partitions must be 1..10000\n");
                return 2;
            }
            c.partitions = (int)d;
            break;
        case 13: c.create_topics = 0; break;
        case 14: c.exec_dir = optarg; break;
        case 15:
            if (lt_parse_double(optarg, 1, 256, &d) || d != floor(d)) {
                fprintf(stderr, "Error: --executors must be 1..256\n");
                return 2;
            }
            c.executors = (int)d;
            break;
        case 16: c.compare = 1; break;
        case 17: c.label = optarg; break;
        case 18: c.json_path = optarg; break;
        case 19: c.md_path = optarg; break;
        case 20: c.plots_dir = optarg; break;
        case 21: c.progress_lines = 1; break;
        case 22: delete_list = optarg; break;
        case 23: return lt_self_test();
        case 24: c.allow_duplicates = 1; break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq || c.xn >= LT_MAX_X) {
                fprintf(stderr, "Error: -X expects key=value\n");
                return 2;
            }
            *eq = '\0';
            c.xk[c.xn] = optarg;
            c.xv[c.xn++] = eq + 1;
            break;
        }
        case 'h': lt_usage(stdout); return 0;
        default: lt_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "Error: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    if (delete_list)
        return lt_delete_topics(&c, delete_list);
    if (!c.jobs_file) {
        fprintf(stderr, "Error: --jobs FILE is required\n");
        lt_usage(stderr);
        return 2;
    }
    if (have_rate && have_conc) {
        fprintf(stderr, "Error: give --rate (open loop) or --concurrency (closed loop), not both\n");
        return 2;
    }
    if (c.poisson && (!have_rate || c.rate <= 0)) {
        fprintf(stderr, "Error: --poisson needs --rate R > 0\n");
        return 2;
    }
    c.open_loop = have_rate;
    if (!have_rate && !have_conc)
        c.concurrency = 64;
    if (!c.count && c.duration_s <= 0)
        c.duration_s = 10;
    if (c.plots_dir && strchr(c.plots_dir, '\'')) {
        fprintf(stderr, "Error: --plots DIR must not contain a quote\n");
        return 2;
    }
    static char self_dir[4096];
    if (c.compare && !c.exec_dir) {
        ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
        if (n <= 0) {
            fprintf(stderr, "Error: --compare: give --exec BIN_DIR\n");
            return 2;
        }
        self_dir[n] = '\0';
        char *slash = strrchr(self_dir, '/');
        if (slash)
            *slash = '\0';
        c.exec_dir = self_dir;
    }
    size_t nmix;
    lt_mix_t *mix = lt_load_mix(c.jobs_file, &nmix, &c.mix_checked);
    if (!mix)
        return 2;
    c.mix_size = nmix;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = lt_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    const char *modes[2];
    int nmodes = 0;
    if (c.compare) {
        modes[nmodes++] = "kafka";
        modes[nmodes++] = "exec";
    } else {
        modes[nmodes++] = c.exec_dir ? "exec" : "kafka";
    }
    lt_run_t runs[2];
    lt_run_t *rp[2];
    int n = 0, rc = 0;
    for (int i = 0; i < nmodes && !lt_interrupts; i++) {
        if (lt_run_once(&c, mix, nmix, modes[i], &runs[n])) {
            rc = 2;
            break;
        }
        rp[n] = &runs[n];
        n++;
    }
    if (n) {
        lt_report_print(&c, rp, n);
        if (c.json_path && lt_report_json(&c, rp, n, c.json_path))
            rc = 2;
        if (c.md_path && lt_report_md(&c, rp, n, c.md_path))
            rc = 2;
        if (c.plots_dir && lt_report_plots(&c, rp, n, c.plots_dir))
            rc = 2;
    }
    for (int i = 0; i < n && !rc; i++)
        if (runs[i].lost || runs[i].mismatched || runs[i].send_errors ||
            (runs[i].duplicates && !c.allow_duplicates) || runs[i].interrupted)
            rc = 1;
    for (int i = 0; i < n; i++) {
        cw_hist_free(runs[i].lat);
        cw_hist_free(runs[i].queue);
        cw_hist_free(runs[i].exec);
        free(runs[i].series);
        for (size_t k = 0; k < runs[i].nlost_ids; k++)
            free(runs[i].lost_ids[k]);
        for (size_t k = 0; k < runs[i].ndup_ids; k++)
            free(runs[i].dup_ids[k]);
        for (size_t k = 0; k < runs[i].nsamples; k++) {
            free(runs[i].samples[k].job_id);
            free(runs[i].samples[k].expected);
            free(runs[i].samples[k].got);
        }
    }
    for (size_t i = 0; i < nmix; i++) {
        free(mix[i].tail);
        free(mix[i].expect);
    }
    free(mix);
    return rc;
}
