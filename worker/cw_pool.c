/*
 * cw_pool.c -- executor slots, dispatch, hard deadlines and respawn.
 *
 * Slot life: DOWN -> STARTING (spawned, waiting for READY) -> IDLE ->
 * BUSY (JOB written, waiting for START or an INVALID_REQUEST RESULT) ->
 * RUNNING (START received: deadline timer armed) -> IDLE.  The authority on
 * an executor's death is its ev_child watcher; EOF or a protocol error on the
 * channel only stops reading and, for a protocol error, sends SIGKILL.  The
 * death handler writes the in-flight job's result and schedules a respawn
 * (at once for an executor that had been ready, with back-off for one that
 * died during start-up so a broken install cannot fork-loop).
 */
#include "cw_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cw_buf.h"
#include "cw_chan.h"
#include "cw_confine.h"
#include "cw_logring.h"
#include "cw_result.h"
#include "cw_time.h"

/* RETIRING: the executor announced (CW_CHAN_RETIRE) that it exits after its
 * result; it gets no job and is replaced when its exit is seen. */
typedef enum {
    CW_SLOT_DOWN,
    CW_SLOT_STARTING,
    CW_SLOT_IDLE,
    CW_SLOT_BUSY,
    CW_SLOT_RUNNING,
    CW_SLOT_RETIRING
} cw_slot_state_t;

typedef struct cw_pool_item {
    struct cw_pool_item *next;
    uint64_t ticket;
    size_t len;
    char data[];
} cw_pool_item_t;

typedef struct cw_slot {
    cw_pool_t *pool;
    pid_t pid;
    int fd;
    cw_slot_state_t state;
    ev_io rio, wio;
    ev_timer timer;
    ev_child child;
    cw_chan_reader_t rd;
    cw_buf_t wbuf;
    size_t woff;
    cw_pool_item_t *item; /* in flight */
    int killed_deadline;  /* we sent SIGKILL because the deadline passed */
    int cancel_sent;      /* the running job was asked to stop (cw_pool_cancel) */
    int retiring;         /* RETIRE received: exits after this result */
    int started_ok;       /* reached READY at least once */
    int status_fd;        /* /proc/<pid>/status, opened at fork (cw_confine_verify) */
    unsigned start_failures;
    char *job_id;         /* from START; NULL if none */
    char *action_id, *user_id; /* from START */
    char *traceparent, *tracestate; /* from START: the job's trace context fields */
    int64_t dispatched_ms;
    int64_t dispatched_wall_ns, start_wall_ns; /* epoch ns of the JOB write and of START (spans) */
    cw_buf_t tail;        /* from START */
    uint32_t timeout_ms;
    int64_t started_ms, started_ns;
    cw_logring_t *ring;   /* this executor's log region; NULL if none */
    uint64_t log_seq;     /* the in-flight job's number in it */
    size_t streamed;      /* bytes of the job's entries already handed to conf.logs */
} cw_slot_t;

struct cw_pool {
    struct ev_loop *loop;
    cw_pool_conf_t conf;
    cw_pool_done_fn done;
    void *ud;
    cw_slot_t *slots;
    cw_pool_item_t *head, *tail;
    size_t pending;
    uint64_t spawned, crashed, killed, retired;
    int root; /* executors are expected to drop root (cw_confine.h) */
    char **argv; /* exec_argv + "--log-fd" CW_LOGRING_FD */
    char log_flag[16], log_fd[16];
};

void cw_pool_conf_default(cw_pool_conf_t *c) {
    memset(c, 0, sizeof(*c));
    c->executors = 1;
    c->grace_s = 0.5;
    c->parse_timeout_s = 10.0;
    c->max_job_bytes = 8u << 20;
    c->max_result_bytes = 2u << 20;
    c->log_max_entries = 1000;
    c->log_max_bytes = 256u << 10;
    c->cancelled = NULL;
    c->cancel_grace_s = 0.05;
}

static void cw_pool_dispatch(cw_pool_t *p);
static void cw_slot_spawn(cw_slot_t *s);
static void cw_slot_cancel(cw_slot_t *s);

/* Hand what the job wrote since the last time to conf.logs. */
static void cw_slot_stream(cw_slot_t *s, uint64_t ticket, int end, int code) {
    cw_pool_t *p = s->pool;
    if (!p->conf.logs || !s->ring || !s->job_id)
        return;
    cw_buf_t b;
    cw_buf_init(&b, 0);
    int truncated = 0;
    cw_err_t err = cw_logring_recover(s->ring, s->log_seq, p->conf.log_max_entries, &b, &truncated);
    if (err == CW_OK && b.len > s->streamed) {
        const char *from = b.data + s->streamed;
        size_t len = b.len - s->streamed;
        if (s->streamed && *from == ',')
            from++, len--;
        p->conf.logs(p->ud, ticket, s->job_id, from, len, end, code, truncated);
        s->streamed = b.len;
    } else if (end) {
        p->conf.logs(p->ud, ticket, s->job_id, "", 0, end, code, truncated || err != CW_OK);
    }
    cw_buf_free(&b);
}

void cw_pool_stream_logs(cw_pool_t *p) {
    if (!p->conf.logs)
        return;
    for (int i = 0; i < p->conf.executors; i++) {
        cw_slot_t *s = &p->slots[i];
        if (s->state == CW_SLOT_RUNNING && s->item)
            cw_slot_stream(s, s->item->ticket, 0, 0);
    }
}

static void cw_pool_deliver(cw_pool_t *p, cw_slot_t *s, cw_pool_item_t *it, cw_pool_result_t *res) {
    cw_slot_stream(s, it->ticket, 1, res->code);
    p->pending--;
    res->ticket = it->ticket;
    res->action_id = s->action_id;
    res->user_id = s->user_id;
    res->traceparent = s->traceparent;
    res->tracestate = s->tracestate;
    res->dispatched_ms = s->dispatched_ms;
    res->done_ms = cw_now_ms();
    res->dispatched_ns = s->dispatched_wall_ns;
    res->started_ns = s->start_wall_ns;
    res->done_ns = cw_now_ns();
    if (res->started_ns && res->done_ns > res->started_ns) {
        /* The executor's split of its own time, never beyond what we saw. */
        uint64_t seen = (uint64_t)(res->done_ns - res->started_ns);
        if (res->prepare_ns > seen)
            res->prepare_ns = seen;
        if (res->run_ns > seen - res->prepare_ns)
            res->run_ns = seen - res->prepare_ns;
    } else {
        res->prepare_ns = res->run_ns = 0;
    }
    p->done(p->ud, res);
    free(it);
}

/* ---- a dead executor's job ---------------------------------------------- */

static void cw_slot_fail_job(cw_slot_t *s, int status) {
    cw_pool_t *p = s->pool;
    cw_pool_item_t *it = s->item;
    s->item = NULL;
    if (!it)
        return;
    cw_result_t r;
    cw_result_init(&r);
    char msg[200];
    r.job_id = s->job_id;
    if (s->state == CW_SLOT_RUNNING || s->killed_deadline || s->cancel_sent) {
        r.started_ms = s->started_ms;
        r.exec_ms = (double)(cw_mono_ns() - s->started_ns) / 1e6;
        if (s->tail.len) {
            r.tail_json = s->tail.data;
            r.tail_len = s->tail.len;
        }
    }
    /* The lines the job wrote before it died, from its log region: only a
     * job that started can have any, and only whole, valid entries count. */
    cw_buf_t logs;
    cw_buf_init(&logs, 0);
    if ((s->state == CW_SLOT_RUNNING || s->killed_deadline || s->cancel_sent) && s->ring) {
        int truncated = 0;
        cw_err_t le = cw_logring_recover(s->ring, s->log_seq, p->conf.log_max_entries, &logs, &truncated);
        r.logs_recovered = le == CW_OK ? 1 : -1;
        r.logs_truncated = le != CW_OK || truncated;
        if (le == CW_OK && logs.len) {
            r.logs_json = logs.data;
            r.logs_len = logs.len;
        }
    }
    r.ended_ms = cw_now_ms();
    if (!r.started_ms)
        r.started_ms = r.ended_ms;
    /* The kernel's CPU-time backstop (cw_confine_cpu_backstop) ends a job
     * that ran past timeout + slack while this loop was held up. */
    int cpu_limit = !s->killed_deadline && s->state == CW_SLOT_RUNNING && WIFSIGNALED(status) &&
                    WTERMSIG(status) == SIGXCPU;
    if (s->cancel_sent) {
        r.code = CW_RES_CANCELLED;
        r.err_name = "CancelledError";
        snprintf(msg, sizeof(msg), "the job was cancelled while it ran; its executor was stopped by the supervisor");
        p->killed++;
    } else if (s->killed_deadline || cpu_limit) {
        r.code = CW_RES_TIMEOUT;
        r.err_name = "TimeoutError";
        snprintf(msg, sizeof(msg), "execution exceeded the %g s timeout and was stopped by %s",
                 s->timeout_ms / 1000.0, cpu_limit ? "its CPU-time limit" : "the supervisor");
        p->killed++;
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
        /* The seccomp filter kills an executor that makes a system call
         * outside its allowlist: the job got past the JavaScript sandbox. */
        r.code = CW_RES_SECURITY_ERROR;
        r.err_name = "SecurityError";
        snprintf(msg, sizeof(msg), "the job attempted a forbidden system call; the executor was stopped");
        p->crashed++;
    } else {
        r.code = CW_RES_WORKER_CRASHED;
        r.err_name = "WorkerCrashed";
        if (WIFSIGNALED(status))
            snprintf(msg, sizeof(msg), "the executor running this job was terminated by signal %d (%s)",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            snprintf(msg, sizeof(msg), "the executor running this job exited with status %d",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        p->crashed++;
    }
    r.err_message = msg;
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_pool_result_t res = {.code = r.code, .job_id = s->job_id, .by_supervisor = 1};
    if (cw_result_write(&r, &out) == CW_OK) {
        res.json = out.data;
        res.len = out.len;
    } else { /* out of memory: the smallest honest answer */
        res.json = "{\"jobId\":null,\"success\":false,\"resultCode\":\"WORKER_CRASHED\"}";
        res.len = strlen(res.json);
    }
    cw_pool_deliver(p, s, it, &res);
    cw_buf_free(&out);
    cw_buf_free(&logs);
}

static void cw_slot_clear_job(cw_slot_t *s) {
    free(s->job_id);
    free(s->action_id);
    free(s->traceparent);
    free(s->tracestate);
    free(s->user_id);
    s->job_id = s->action_id = s->user_id = s->traceparent = s->tracestate = NULL;
    cw_buf_reset(&s->tail);
    s->killed_deadline = 0;
    s->cancel_sent = 0;
}

static void cw_slot_close(cw_slot_t *s) {
    ev_io_stop(s->pool->loop, &s->rio);
    ev_io_stop(s->pool->loop, &s->wio);
    ev_timer_stop(s->pool->loop, &s->timer);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->status_fd >= 0)
        close(s->status_fd);
    s->status_fd = -1;
    cw_chan_reader_free(&s->rd);
    cw_buf_free(&s->wbuf);
    s->woff = 0;
    cw_logring_free(s->ring);
    s->ring = NULL;
}

static void cw_slot_kill(cw_slot_t *s) {
    if (s->pid > 0)
        kill(s->pid, SIGKILL);
    /* Stop listening; the child watcher finishes the job. */
    ev_io_stop(s->pool->loop, &s->rio);
    ev_io_stop(s->pool->loop, &s->wio);
}

static void cw_slot_respawn_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop, (void)revents;
    cw_slot_t *s = w->data;
    ev_timer_stop(s->pool->loop, &s->timer);
    cw_slot_spawn(s);
}

static int cw_slot_read_frames(cw_slot_t *s);

static void cw_slot_child_cb(struct ev_loop *loop, ev_child *w, int revents) {
    (void)revents;
    cw_slot_t *s = w->data;
    ev_child_stop(loop, w);
    int status = w->rstatus;
    /* The process is reaped: its pid may be reused, so nothing may signal
     * it any more.  Then read what it wrote before it died and this loop has
     * not read yet -- a START (so a job killed right after starting is
     * reported under its jobId and with its logs), even a RESULT (then the
     * job has its real answer and nothing fails). */
    s->pid = -1;
    if (s->fd >= 0 && ev_is_active(&s->rio))
        (void)cw_slot_read_frames(s); /* the job is failed below if no result came */
    if (s->item)
        cw_slot_fail_job(s, status);
    else if (!s->started_ok || s->state == CW_SLOT_STARTING)
        s->start_failures++;
    cw_slot_clear_job(s);
    cw_slot_close(s);
    s->retiring = 0;
    s->pid = -1;
    s->state = CW_SLOT_DOWN;
    /* Immediate respawn unless it keeps dying before READY. */
    double delay = 0;
    if (s->start_failures) {
        delay = 0.05 * (double)(1u << (s->start_failures < 7 ? s->start_failures : 7));
        fprintf(stderr,
                "{\"level\":\"error\",\"msg\":\"executor failed during start-up\","
                "\"failures\":%u,\"retryInS\":%.2f}\n",
                s->start_failures, delay);
    }
    ev_timer_init(&s->timer, cw_slot_respawn_cb, delay, 0);
    s->timer.data = s;
    ev_timer_start(loop, &s->timer);
    cw_pool_dispatch(s->pool);
}

/* ---- channel ------------------------------------------------------------ */

static void cw_slot_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop, (void)revents;
    cw_slot_t *s = w->data;
    if (s->state == CW_SLOT_RUNNING || s->state == CW_SLOT_BUSY) {
        s->killed_deadline = s->state == CW_SLOT_RUNNING && !s->cancel_sent;
        cw_slot_kill(s);
    }
}

static void cw_slot_arm(cw_slot_t *s, double after) {
    ev_timer_stop(s->pool->loop, &s->timer);
    ev_now_update(s->pool->loop);
    ev_timer_init(&s->timer, cw_slot_deadline_cb, after, 0);
    s->timer.data = s;
    ev_timer_start(s->pool->loop, &s->timer);
}

static char *cw_slot_take(const char *pl, size_t len, size_t *off, uint32_t n, int *bad) {
    if (n == UINT32_MAX)
        return NULL;
    if (n > len - *off) {
        *bad = 1;
        return NULL;
    }
    char *v = strndup(pl + *off, n);
    if (!v)
        *bad = 1;
    *off += n;
    return v;
}

static int cw_slot_on_start(cw_slot_t *s, const char *pl, size_t len) {
    uint32_t head[3], ids[4];
    int bad = 0;
    if (s->state != CW_SLOT_BUSY || len < sizeof(head))
        return -1;
    memcpy(head, pl, sizeof(head));
    size_t off = sizeof(head);
    s->job_id = cw_slot_take(pl, len, &off, head[1], &bad);
    if (bad || head[2] > len - off)
        return -1;
    cw_buf_reset(&s->tail);
    if (cw_buf_append(&s->tail, pl + off, head[2]))
        return -1;
    off += head[2];
    if (len - off < sizeof(ids))
        return -1;
    memcpy(ids, pl + off, sizeof(ids));
    off += sizeof(ids);
    s->action_id = cw_slot_take(pl, len, &off, ids[0], &bad);
    s->user_id = cw_slot_take(pl, len, &off, ids[1], &bad);
    s->traceparent = cw_slot_take(pl, len, &off, ids[2], &bad);
    s->tracestate = cw_slot_take(pl, len, &off, ids[3], &bad);
    if (bad)
        return -1;
    s->timeout_ms = head[0];
    s->started_ms = cw_now_ms();
    s->started_ns = cw_mono_ns();
    s->start_wall_ns = cw_now_ns();
    s->state = CW_SLOT_RUNNING;
    cw_slot_arm(s, head[0] / 1000.0 + s->pool->conf.grace_s);
    /* Cancelled while it was being parsed, or under an id other than its
     * Kafka key: stop it now. */
    cw_pool_t *p = s->pool;
    if (p->conf.cancelled && s->job_id && s->item && p->conf.cancelled(p->ud, s->item->ticket, s->job_id))
        cw_slot_cancel(s);
    return 0;
}

/* Ask the executor to stop its running job (cw_interrupt.h); the slot's
 * timer becomes the grace after which the pool kills it. */
static void cw_slot_cancel(cw_slot_t *s) {
    if (s->cancel_sent || s->state != CW_SLOT_RUNNING || s->pid <= 0)
        return;
    s->cancel_sent = 1;
    (void)kill(s->pid, SIGUSR1);
    cw_slot_arm(s, s->pool->conf.cancel_grace_s);
}

int cw_pool_cancel(cw_pool_t *p, const char *job_id) {
    int n = 0;
    for (int i = 0; i < p->conf.executors; i++) {
        cw_slot_t *s = &p->slots[i];
        if (s->state == CW_SLOT_RUNNING && s->job_id && !strcmp(s->job_id, job_id) && !s->cancel_sent) {
            cw_slot_cancel(s);
            n++;
        }
    }
    return n;
}

/* RESULT: {u32 code, u32 id_len, u32 prepare_us, u32 run_us, u32 flags} + id + document. */
static int cw_slot_on_result(cw_slot_t *s, const char *pl, size_t len) {
    cw_pool_t *p = s->pool;
    uint32_t head[5];
    if (len < sizeof(head))
        return -1;
    memcpy(head, pl, sizeof(head));
    size_t off = sizeof(head);
    char *id = NULL;
    if (head[1] != UINT32_MAX) {
        if (head[1] > len - off || head[1] == 0)
            return -1;
        id = strndup(pl + off, head[1]);
        if (!id)
            return -1;
        off += head[1];
    }
    uint32_t rlen;
    char *reply = NULL;
    if (len - off < sizeof(rlen)) {
        free(id);
        return -1;
    }
    memcpy(&rlen, pl + off, sizeof(rlen));
    off += sizeof(rlen);
    if (rlen != UINT32_MAX) {
        if (rlen > len - off || rlen == 0 || !(reply = strndup(pl + off, rlen))) {
            free(id);
            return -1;
        }
        off += rlen;
    }
    if (head[0] >= CW_RES__COUNT || off >= len || pl[off] != '{') {
        free(id);
        free(reply);
        return -1;
    }
    cw_pool_item_t *it = s->item;
    s->item = NULL;
    ev_timer_stop(p->loop, &s->timer);
    s->state = s->retiring ? CW_SLOT_RETIRING : CW_SLOT_IDLE;
    if (s->retiring)
        p->retired++;
    cw_pool_result_t res = {.code = (int)head[0], .job_id = id, .reply_topic = reply, .json = pl + off,
                            .len = len - off, .prepare_ns = (uint64_t)head[2] * 1000,
                            .run_ns = (uint64_t)head[3] * 1000, .lowered = (head[4] & 1) != 0};
    cw_pool_deliver(p, s, it, &res);
    cw_slot_clear_job(s);
    free(id);
    free(reply);
    return 0;
}

/* Read and act on the frames waiting on the channel.  0 when more may come;
 * -1 after EOF, an error or a protocol violation (the child watcher
 * finishes the job). */
static int cw_slot_read_frames(cw_slot_t *s) {
    cw_pool_t *p = s->pool;
    cw_err_t err = cw_chan_reader_fill(&s->rd, s->fd);
    for (;;) {
        uint32_t cmd;
        const char *pl;
        size_t len;
        cw_err_t e = cw_chan_reader_next(&s->rd, &cmd, &pl, &len);
        if (e == CW_ERR_AGAIN)
            break;
        if (e) {
            cw_slot_kill(s);
            return -1;
        }
        if (cmd == CW_CHAN_READY && s->state == CW_SLOT_STARTING) {
            char why[200];
            if (!p->conf.insecure &&
                cw_confine_verify(s->pid, s->status_fd, p->root, why, sizeof(why))) {
                /* Never give a job to an unconfined executor. */
                fprintf(stderr,
                        "{\"level\":\"error\",\"msg\":\"EXECUTOR NOT CONFINED: refusing to use it\","
                        "\"error\":\"%s\"}\n", why);
                cw_slot_kill(s);
                return -1;
            }
            if (s->status_fd >= 0)
                close(s->status_fd);
            s->status_fd = -1;
            s->state = CW_SLOT_IDLE;
            s->started_ok = 1;
            s->start_failures = 0;
        } else if (cmd == CW_CHAN_RETIRE && (s->state == CW_SLOT_BUSY || s->state == CW_SLOT_RUNNING)) {
            s->retiring = 1;
        } else if (cmd == CW_CHAN_START) {
            if (cw_slot_on_start(s, pl, len)) {
                cw_slot_kill(s);
                return -1;
            }
        } else if (cmd == CW_CHAN_RESULT &&
                   (s->state == CW_SLOT_BUSY || s->state == CW_SLOT_RUNNING) && s->item &&
                   cw_slot_on_result(s, pl, len) == 0) {
            /* delivered */
        } else {
            cw_slot_kill(s);
            return -1;
        }
        cw_chan_reader_pop(&s->rd);
    }
    if (err) { /* EOF or error: the child watcher will follow */
        ev_io_stop(p->loop, &s->rio);
        return -1;
    }
    return 0;
}

static void cw_slot_read_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop, (void)revents;
    cw_slot_t *s = w->data;
    if (cw_slot_read_frames(s) == 0)
        cw_pool_dispatch(s->pool);
}

static void cw_slot_write_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    cw_slot_t *s = w->data;
    while (s->woff < s->wbuf.len) {
        ssize_t n = write(s->fd, s->wbuf.data + s->woff, s->wbuf.len - s->woff);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            cw_slot_kill(s);
            return;
        }
        s->woff += (size_t)n;
    }
    ev_io_stop(loop, w);
    cw_buf_reset(&s->wbuf);
    s->woff = 0;
}

/* ---- spawning ----------------------------------------------------------- */

static void cw_slot_spawn(cw_slot_t *s) {
    cw_pool_t *p = s->pool;
    int sv[2], lfd = -1;
    /* A fresh log region per process: nothing a dead executor left in its
     * region can reach its successor's jobs.  Without one (no memfd) the
     * executor runs as before and killed jobs have no logs. */
    if (cw_logring_create(p->conf.log_max_bytes, &s->ring, &lfd) != CW_OK)
        s->ring = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        if (lfd >= 0)
            close(lfd);
        cw_logring_free(s->ring);
        s->ring = NULL;
        goto retry;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        if (lfd >= 0)
            close(lfd);
        cw_logring_free(s->ring);
        s->ring = NULL;
        goto retry;
    }
    if (pid == 0) {
        /* Child: fd 3 is the channel, stdout goes to stderr so nothing the
         * executor might print can corrupt the supervisor's data stream,
         * the environment is empty (no credentials cross over). */
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(2, 1);
        /* Either descriptor may already sit on 3 or 4: move both above
         * first, then into place (dup2 clears close-on-exec). */
        int cfd = fcntl(sv[1], F_DUPFD_CLOEXEC, CW_LOGRING_FD + 1);
        int rfd = lfd >= 0 ? fcntl(lfd, F_DUPFD_CLOEXEC, CW_LOGRING_FD + 1) : -1;
        if (cfd < 0 || dup2(cfd, 3) < 0)
            _exit(127);
        if (rfd >= 0)
            dup2(rfd, CW_LOGRING_FD);
        close_range(rfd >= 0 ? CW_LOGRING_FD + 1 : 4, ~0U, 0);
        char *envp[] = {NULL};
        execve(p->argv[0], rfd >= 0 ? p->argv : p->conf.exec_argv, envp);
        _exit(127);
    }
    close(sv[1]);
    if (lfd >= 0)
        close(lfd);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    s->pid = pid;
    if (!p->conf.insecure) {
        /* Opened now, while the child is still a dumpable copy of us: once
         * confined it is not, and where /proc hides other processes
         * (hidepid, systemd's ProtectProc=) it could no longer be opened. */
        char path[48];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        s->status_fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    s->fd = sv[0];
    s->state = CW_SLOT_STARTING;
    p->spawned++;
    cw_chan_reader_init(&s->rd, p->conf.max_result_bytes);
    cw_buf_init(&s->wbuf, 0);
    ev_io_init(&s->rio, cw_slot_read_cb, s->fd, EV_READ);
    s->rio.data = s;
    ev_io_start(p->loop, &s->rio);
    ev_io_init(&s->wio, cw_slot_write_cb, s->fd, EV_WRITE);
    s->wio.data = s;
    ev_child_init(&s->child, cw_slot_child_cb, pid, 0);
    s->child.data = s;
    ev_child_start(p->loop, &s->child);
    return;
retry:
    s->start_failures++;
    fprintf(stderr, "{\"level\":\"error\",\"msg\":\"cannot start executor\",\"error\":\"%s\"}\n",
            strerror(errno));
    ev_timer_init(&s->timer, cw_slot_respawn_cb, 1.0, 0);
    s->timer.data = s;
    ev_timer_start(p->loop, &s->timer);
}

/* ---- dispatch ----------------------------------------------------------- */

static void cw_pool_dispatch(cw_pool_t *p) {
    for (int i = 0; i < p->conf.executors && p->head; i++) {
        cw_slot_t *s = &p->slots[i];
        if (s->state != CW_SLOT_IDLE || s->pid <= 0) /* pid -1: reaped, its last frames being read */
            continue;
        cw_pool_item_t *it = p->head;
        p->head = it->next;
        if (!p->head)
            p->tail = NULL;
        it->next = NULL;
        /* Cancelled before it ran (by its Kafka key): the executor answers
         * CANCELLED without running it if the jobId it parses is that one. */
        const char *gone = p->conf.cancelled ? p->conf.cancelled(p->ud, it->ticket, NULL) : NULL;
        cw_err_t fe;
        if (gone) {
            uint32_t n = (uint32_t)strlen(gone);
            cw_buf_t pl;
            cw_buf_init(&pl, 0);
            fe = cw_buf_append(&pl, &n, sizeof(n));
            if (!fe)
                fe = cw_buf_append(&pl, gone, n);
            if (!fe)
                fe = cw_buf_append(&pl, it->data, it->len);
            if (!fe)
                fe = cw_chan_frame(&s->wbuf, CW_CHAN_JOB_CANCELLED, pl.data, pl.len);
            cw_buf_free(&pl);
        } else {
            fe = cw_chan_frame(&s->wbuf, CW_CHAN_JOB, it->data, it->len);
        }
        if (fe) {
            /* Out of memory framing the job: put it back and try later. */
            it->next = p->head;
            p->head = it;
            if (!p->tail)
                p->tail = it;
            return;
        }
        s->item = it;
        s->state = CW_SLOT_BUSY;
        s->log_seq = s->ring ? cw_logring_arm(s->ring) : 0;
        s->streamed = 0;
        s->dispatched_ms = cw_now_ms();
        s->dispatched_wall_ns = cw_now_ns();
        s->start_wall_ns = 0;
        cw_slot_arm(s, p->conf.parse_timeout_s);
        ev_io_start(p->loop, &s->wio);
        ev_feed_event(p->loop, &s->wio, EV_WRITE);
    }
}

cw_err_t cw_pool_new(struct ev_loop *loop, const cw_pool_conf_t *conf, cw_pool_done_fn done,
                     void *ud, cw_pool_t **out) {
    *out = NULL;
    if (!conf || conf->executors < 1 || conf->executors > 1024 || !conf->exec_argv ||
        !conf->exec_argv[0] || !done)
        return CW_ERR_INVALID;
    cw_pool_t *p = calloc(1, sizeof(*p));
    if (!p)
        return CW_ERR_NOMEM;
    p->slots = calloc((size_t)conf->executors, sizeof(cw_slot_t));
    if (!p->slots) {
        free(p);
        return CW_ERR_NOMEM;
    }
    p->loop = loop;
    p->conf = *conf;
    int argc = 0;
    for (; conf->exec_argv[argc]; argc++)
        if (!strcmp(conf->exec_argv[argc], CW_CONFINE_INSECURE_FLAG))
            p->conf.insecure = 1;
    p->argv = calloc((size_t)argc + 3, sizeof(char *));
    if (!p->argv) {
        free(p->slots);
        free(p);
        return CW_ERR_NOMEM;
    }
    memcpy(p->argv, conf->exec_argv, (size_t)argc * sizeof(char *));
    snprintf(p->log_flag, sizeof(p->log_flag), "--log-fd");
    snprintf(p->log_fd, sizeof(p->log_fd), "%d", CW_LOGRING_FD);
    p->argv[argc] = p->log_flag;
    p->argv[argc + 1] = p->log_fd;
    p->root = geteuid() == 0;
    if (p->conf.insecure)
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"INSECURE: executors run without OS "
                        "confinement (no seccomp filter, no privilege drop, no rlimits); "
                        "development only\"}\n");
    p->done = done;
    p->ud = ud;
    for (int i = 0; i < conf->executors; i++) {
        cw_slot_t *s = &p->slots[i];
        s->pool = p;
        s->fd = -1;
        s->status_fd = -1;
        s->pid = -1;
        cw_buf_init(&s->tail, 0);
        ev_timer_init(&s->timer, cw_slot_respawn_cb, 0, 0);
        cw_slot_spawn(s);
    }
    if (p->spawned == 0) {
        cw_pool_free(p);
        return CW_ERR_SYSTEM;
    }
    *out = p;
    return CW_OK;
}

cw_err_t cw_pool_submit(cw_pool_t *p, uint64_t ticket, const char *job, size_t len) {
    if (len > p->conf.max_job_bytes)
        return CW_ERR_TOOBIG;
    cw_pool_item_t *it = malloc(sizeof(*it) + len);
    if (!it)
        return CW_ERR_NOMEM;
    it->next = NULL;
    it->ticket = ticket;
    it->len = len;
    memcpy(it->data, job, len);
    if (p->tail)
        p->tail->next = it;
    else
        p->head = it;
    p->tail = it;
    p->pending++;
    cw_pool_dispatch(p);
    return CW_OK;
}

size_t cw_pool_pending(const cw_pool_t *p) { return p->pending; }

void cw_pool_get_stats(const cw_pool_t *p, cw_pool_stats_t *st) {
    memset(st, 0, sizeof(*st));
    st->spawned = p->spawned;
    st->crashed = p->crashed;
    st->killed = p->killed;
    st->retired = p->retired;
    st->crash_looping = 1;
    for (int i = 0; i < p->conf.executors; i++) {
        const cw_slot_t *s = &p->slots[i];
        if (s->start_failures < 3)
            st->crash_looping = 0;
        if (s->state == CW_SLOT_IDLE)
            st->idle++;
        else if (s->state == CW_SLOT_BUSY || s->state == CW_SLOT_RUNNING)
            st->busy++;
        if (s->pid > 0 && st->pids_len < 64)
            st->pids[st->pids_len++] = s->pid;
    }
}

void cw_pool_free(cw_pool_t *p) {
    if (!p)
        return;
    /* Close every channel first: an idle executor exits on EOF, which lets
     * it run its own clean-up (and lets valgrind check it).  Busy or stuck
     * ones are killed after a short wait. */
    int live = 0;
    for (int i = 0; i < p->conf.executors; i++) {
        cw_slot_t *s = &p->slots[i];
        ev_timer_stop(p->loop, &s->timer);
        if (s->pid > 0) {
            ev_child_stop(p->loop, &s->child);
            if (s->item)
                kill(s->pid, SIGKILL);
            live++;
        }
        cw_slot_close(s);
    }
    for (int waited = 0; live && waited < 500; waited++) {
        live = 0;
        for (int i = 0; i < p->conf.executors; i++) {
            cw_slot_t *s = &p->slots[i];
            if (s->pid <= 0)
                continue;
            pid_t r = waitpid(s->pid, NULL, WNOHANG);
            if (r == s->pid || (r < 0 && errno == ECHILD))
                s->pid = -1;
            else
                live++;
        }
        if (live)
            usleep(10000);
    }
    for (int i = 0; i < p->conf.executors; i++) {
        cw_slot_t *s = &p->slots[i];
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        free(s->item);
        cw_slot_clear_job(s);
        cw_buf_free(&s->tail);
    }
    while (p->head) {
        cw_pool_item_t *n = p->head->next;
        free(p->head);
        p->head = n;
    }
    free(p->slots);
    free(p->argv);
    free(p);
}
