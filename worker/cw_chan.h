/*
 * cw_chan.h -- framed messages between the supervisor and an executor.
 *
 * One socketpair per executor carries fixed frames: an 8-byte header
 * {u32 cmd, u32 len} in host byte order (both ends are the same binary on the
 * same machine) followed by `len` payload bytes, `len` capped by config.
 *
 *   READY   executor -> supervisor   once, after start-up (payload empty)
 *   JOB     supervisor -> executor   the raw job message bytes
 *   START   executor -> supervisor   the job parsed; deadline starts (see below)
 *   RESULT  executor -> supervisor   {u32 result code, u32 id_len (UINT32_MAX = no
 *                                    id), u32 prepare_us, u32 run_us, u32 flags
 *                                    (1 = lowered)} + jobId + {u32 reply_len} +
 *                                    replyTopic + the result document (JSON); the
 *                                    times are the job's spans' (untrusted: the
 *                                    supervisor clamps them to what it saw)
 *
 * START's payload lets the supervisor write a complete result if it later
 * has to kill the executor: {u32 timeout_ms, u32 id_len (UINT32_MAX = no
 * id), u32 tail_len} + jobId bytes + the result's tail members
 * (cw_result_write_tail()) + {u32 action_len, u32 user_len, u32 tp_len,
 * u32 ts_len} + actionId + userId + traceparent + tracestate (the audit ids
 * and the job's own trace context fields; UINT32_MAX = absent).
 *
 * Console lines do not travel on the channel while a job runs: the executor
 * mirrors them into its shared log region (cw_logring.h), which the
 * supervisor reads only for a job whose executor it lost; they reach it in
 * the RESULT document otherwise.
 *
 * The executor side uses blocking I/O; the supervisor side is non-blocking
 * and feeds bytes into a cw_chan_reader_t.  A short read at EOF, an unknown
 * command or an oversized length is CW_ERR_PROTO: the peer is treated as dead.
 */
#ifndef CW_CHAN_H
#define CW_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"

typedef enum {
    CW_CHAN_READY = 0x43570001,
    CW_CHAN_JOB = 0x43570002,
    CW_CHAN_START = 0x43570003,
    CW_CHAN_RESULT = 0x43570004,
    /* executor -> supervisor, just before a RESULT: this executor exits
     * after the result (it grew past its recycling threshold); give it no
     * further job and start a fresh one when it is gone. */
    CW_CHAN_RETIRE = 0x43570005,
    /* supervisor -> executor: a job whose Kafka key was cancelled before it
     * ran: {u32 id_len} + that jobId + the job bytes.  If the job parses
     * with that jobId it is answered CANCELLED without running; otherwise
     * it runs as a JOB. */
    CW_CHAN_JOB_CANCELLED = 0x43570006,
} cw_chan_cmd_t;

typedef struct cw_chan_hdr {
    uint32_t cmd;
    uint32_t len;
} cw_chan_hdr_t;

struct iovec;
#define CW_CHAN_MAX_PARTS 8
/* Blocking: write one frame whose payload is the n (<= CW_CHAN_MAX_PARTS)
 * parts in order. */
cw_err_t cw_chan_writev(int fd, uint32_t cmd, const struct iovec *parts, int n);
/* Blocking: write one frame from up to two payload parts.  EINTR is retried. */
cw_err_t cw_chan_write(int fd, uint32_t cmd, const void *a, size_t alen, const void *b, size_t blen);

/* Blocking: read one frame into `payload` (reset first).  CW_ERR_EOF on a
 * clean EOF before a header, CW_ERR_PROTO on a bad frame, CW_ERR_TOOBIG when
 * len > max (the connection is then unusable). */
cw_err_t cw_chan_read(int fd, size_t max, uint32_t *cmd, cw_buf_t *payload);

/* Append a frame to a buffer (for the supervisor's non-blocking writer). */
cw_err_t cw_chan_frame(cw_buf_t *out, uint32_t cmd, const void *p, size_t len);

/* Incremental reader for the non-blocking side. */
typedef struct cw_chan_reader {
    cw_buf_t in;
    size_t max;
} cw_chan_reader_t;

void cw_chan_reader_init(cw_chan_reader_t *r, size_t max);
void cw_chan_reader_free(cw_chan_reader_t *r);
/* Read what the fd has: CW_OK (maybe no full frame yet), CW_ERR_EOF, CW_ERR_IO. */
cw_err_t cw_chan_reader_fill(cw_chan_reader_t *r, int fd);
/* Peek at the next complete frame: CW_OK with *payload pointing into the
 * reader (valid until cw_chan_reader_pop()), CW_ERR_AGAIN if none yet,
 * CW_ERR_PROTO for an unknown command or an oversized length. */
cw_err_t cw_chan_reader_next(cw_chan_reader_t *r, uint32_t *cmd, const char **payload, size_t *len);
/* Discard the frame cw_chan_reader_next() returned. */
void cw_chan_reader_pop(cw_chan_reader_t *r);

#endif /* CW_CHAN_H */
