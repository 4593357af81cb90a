/*
 * cw_executor.c -- the executor loop: JOB in, START and RESULT out.
 */
#include "cw_executor.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cw_chan.h"
#include "cw_confine.h"
#include "cw_interrupt.h"
#include "cw_logring.h"
#include "cw_lowering.h"
#include "cw_regexp.h"
#include "cw_result.h"
#include "cw_time.h"
#include "cw_tz.h"

void cw_executor_conf_default(cw_executor_conf_t *c) {
    cw_sandbox_conf_default(&c->sbx);
    cw_job_limits_default(&c->job);
    c->cache_bytes = CW_LOWERING_CACHE_BYTES_DEFAULT;
    c->recycle_bytes = CW_EXECUTOR_RECYCLE_BYTES_DEFAULT;
}

/* What this executor holds that grows with what jobs did: the C heap's
 * growth since start-up (sbrk(0) is glibc's cached break, no system call;
 * fragmentation and anything freed but not given back stay in it) plus the
 * code cache, whose large entries may be mmapped chunks outside the heap.
 * Cheap enough to read after every job, unlike mallinfo2(), which walks the
 * allocator's free lists. */
static size_t cw_executor_footprint(const char *brk0, const cw_lowering_t *cache) {
    const char *brk = sbrk(0);
    size_t heap = brk0 && brk != (void *)-1 && brk > brk0 ? (size_t)(brk - brk0) : 0;
    return heap + cw_lowering_cache_bytes(cache);
}

/* 1 when this executor should be replaced after the current result. */
static int cw_executor_should_retire(const cw_executor_conf_t *conf, const char *brk0) {
    if (!conf->recycle_bytes || cw_executor_footprint(brk0, conf->sbx.lowering) <= conf->recycle_bytes)
        return 0;
    malloc_trim(0); /* freed memory may just not have gone back yet */
    return cw_executor_footprint(brk0, conf->sbx.lowering) > conf->recycle_bytes;
}

/* The START frame: {u32 timeout_ms, u32 id_len} + jobId + the result's tail
 * members (cw_chan.h), followed by {u32 action_len, u32 user_len} + actionId
 * + userId so the supervisor can address an audit record for a job whose
 * executor it has to kill.  Lengths of UINT32_MAX mean "absent". */
static cw_err_t cw_executor_send_start(int fd, const cw_job_t *job) {
    cw_result_t r;
    cw_result_init(&r);
    r.timeout_s = job->timeout_s;
    r.memory_mb = job->memory_mb;
    r.adjust_json = job->adjustments.data;
    r.adjust_len = job->adjustments.len;
    r.time_zone = job->time_zone[0] ? job->time_zone : "UTC";
    r.audit_json = job->audit.data;
    r.audit_len = job->audit.len;
    cw_buf_t tail;
    cw_buf_init(&tail, 0);
    cw_err_t err = cw_result_write_tail(&r, &tail);
    if (err) {
        cw_buf_free(&tail);
        return err;
    }
    uint32_t head[3] = {(uint32_t)(job->timeout_s * 1000.0), UINT32_MAX, (uint32_t)tail.len};
    size_t idlen = job->job_id ? strlen(job->job_id) : 0;
    if (job->job_id)
        head[1] = (uint32_t)idlen;
    /* The optional strings the supervisor keeps for the result's envelope:
     * the audit ids and the job's own trace context fields. */
    const char *opt[4] = {job->action_id, job->user_id, job->traceparent, job->tracestate};
    uint32_t ids[4];
    size_t olen[4];
    for (int i = 0; i < 4; i++) {
        olen[i] = opt[i] ? strlen(opt[i]) : 0;
        ids[i] = opt[i] ? (uint32_t)olen[i] : UINT32_MAX;
    }
    struct iovec parts[8] = {{head, sizeof(head)},     {job->job_id, idlen},     {tail.data, tail.len},
                             {ids, sizeof(ids)},       {(void *)opt[0], olen[0]}, {(void *)opt[1], olen[1]},
                             {(void *)opt[2], olen[2]}, {(void *)opt[3], olen[3]}};
    err = cw_chan_writev(fd, CW_CHAN_START, parts, 8);
    cw_buf_free(&tail);
    return err;
}

int cw_executor_main(int fd, const cw_executor_conf_t *conf_in) {
    cw_buf_t in, out;
    cw_buf_init(&in, 0);
    cw_buf_init(&out, 0);
    int status = 0;
    cw_sandbox_heap_t *heap = NULL;
    /* This executor's cache of lowered code: a pipeline that sends the same
     * code with many inputs lowers it once. */
    cw_executor_conf_t confbuf = *conf_in;
    const cw_executor_conf_t *conf = &confbuf;
    if (cw_lowering_new_bounded(1024, conf_in->cache_bytes, &confbuf.sbx.lowering) != CW_OK) {
        status = 2;
        goto done;
    }
    /* ... and of compiled regular expressions, by source and flags. */
    if (cw_regexp_cache_new(256, &confbuf.sbx.regexps) != CW_OK) {
        status = 2;
        goto done;
    }
    /* The heap for the next job is made ready while no job waits for it:
     * after a result has gone out and before the next job is read, by
     * copying back a sealed image of a fresh heap (cw_sandbox.c, "prepared
     * heaps"). */
    if (cw_sandbox_heap_new(&conf->sbx, CW_SANDBOX_HEAP_IMAGE, &heap) != CW_OK) {
        status = 2;
        goto done;
    }
    const char *brk0 = sbrk(0); /* the heap as start-up left it */
    if (brk0 == (void *)-1)
        brk0 = NULL;
    if (cw_chan_write(fd, CW_CHAN_READY, NULL, 0, NULL, 0)) {
        status = 1;
        goto done;
    }
    for (;;) {
        uint32_t cmd;
        /* A cancelled job's frame carries the jobId (at most the id limit)
         * before the job. */
        cw_err_t err = cw_chan_read(fd, conf->job.max_message_bytes + 4 + conf->job.max_id_bytes, &cmd, &in);
        if (err == CW_ERR_EOF)
            break;
        if (err || (cmd != CW_CHAN_JOB && cmd != CW_CHAN_JOB_CANCELLED)) {
            status = 1;
            break;
        }
        cw_intr_cancel_reset(); /* a request for the last job is not for this one */
        const char *msg = in.data, *gone = NULL;
        size_t msg_len = in.len, gone_len = 0;
        if (cmd == CW_CHAN_JOB_CANCELLED) {
            uint32_t n;
            if (in.len < sizeof(n) || (memcpy(&n, in.data, sizeof(n)), n > in.len - sizeof(n)) ||
                n > conf->job.max_id_bytes) {
                status = 1;
                break;
            }
            gone = in.data + sizeof(n);
            gone_len = n;
            msg = gone + n;
            msg_len = in.len - sizeof(n) - n;
        }
        if (msg_len > conf->job.max_message_bytes) {
            status = 1;
            break;
        }
        cw_job_t job;
        char reason[256];
        cw_sandbox_stats_t st = {0};
        uint32_t head[5] = {CW_RES_INVALID_REQUEST, UINT32_MAX, 0, 0, 0};
        cw_buf_reset(&out);
        err = cw_job_parse(msg, msg_len, &conf->job, &job, reason, sizeof(reason));
        if (!err && job.time_zone[0] && cw_tz_check(job.time_zone)) {
            snprintf(reason, sizeof(reason), "timeZone \"%s\" is not a known IANA time zone", job.time_zone);
            err = CW_ERR_INVALID;
        }
        if (!err && gone && job.job_id && strlen(job.job_id) == gone_len && !memcmp(job.job_id, gone, gone_len)) {
            st.result_code = CW_RES_CANCELLED; /* cancelled before it ran: it never does */
            err = cw_sandbox_cancelled(&conf->sbx, &job, &out);
        } else if (!err && job.expires_at_ms && cw_now_ms() > job.expires_at_ms) {
            st.result_code = CW_RES_EXPIRED;
            err = cw_sandbox_expired(&conf->sbx, &job, &out);
        } else if (!err) {
            /* The log region now belongs to this job (before START: once
             * the supervisor may kill us, it may read the region). */
            cw_logring_begin(conf->sbx.logring);
            err = cw_executor_send_start(fd, &job);
            /* The kernel's backstop behind the supervisor's kill
             * (cw_confine.h); failing to arm it is reported, not fatal. */
            if (!err && cw_confine_cpu_backstop(job.timeout_s))
                perror("codeworker executor: RLIMIT_CPU backstop");
            if (!err)
                err = cw_sandbox_run_prepared(heap, &job, &out, &st);
        } else if (err == CW_ERR_INVALID) {
            st.result_code = CW_RES_INVALID_REQUEST;
            err = cw_sandbox_invalid(&conf->sbx, job.job_id, reason, &out);
        }
        size_t idlen = job.job_id ? strlen(job.job_id) : 0;
        size_t rlen = job.reply_topic ? strlen(job.reply_topic) : 0;
        head[0] = (uint32_t)st.result_code;
        head[1] = job.job_id ? (uint32_t)idlen : UINT32_MAX;
        head[2] = (uint32_t)(st.prepare_ns / 1000 > UINT32_MAX ? UINT32_MAX : st.prepare_ns / 1000);
        head[3] = (uint32_t)(st.run_ns / 1000 > UINT32_MAX ? UINT32_MAX : st.run_ns / 1000);
        head[4] = st.lowered ? 1u : 0u;
        uint32_t rhead = job.reply_topic ? (uint32_t)rlen : UINT32_MAX;
        /* A native computation the deadline stopped left memory behind
         * (cw_interrupt.h): a fresh process takes the next job. */
        int retire = !err && (st.abandoned || cw_executor_should_retire(conf, brk0));
        if (retire)
            err = cw_chan_write(fd, CW_CHAN_RETIRE, NULL, 0, NULL, 0);
        if (!err) {
            struct iovec parts[5] = {{head, sizeof(head)}, {job.job_id, idlen}, {&rhead, sizeof(rhead)},
                                     {job.reply_topic, rlen}, {out.data, out.len}};
            err = cw_chan_writev(fd, CW_CHAN_RESULT, parts, 5);
        }
        cw_job_free(&job);
        if (err) {
            /* Out of process memory or the channel broke: exit and let the
             * supervisor report the job and start a fresh executor. */
            status = 1;
            break;
        }
        if (retire)
            break; /* a clean exit: the supervisor starts a fresh executor */
        if (cw_sandbox_heap_renew(heap) != CW_OK) { /* a no-op if no job ran */
            status = 1;
            break;
        }
    }
done:
    cw_sandbox_heap_free(heap, NULL);
    cw_lowering_free(confbuf.sbx.lowering);
    cw_regexp_cache_free(confbuf.sbx.regexps);
    cw_buf_free(&in);
    cw_buf_free(&out);
    return status;
}
