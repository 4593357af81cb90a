/*
 * cw_job.h -- the execute-code job: parse, validate and clamp.
 *
 * A job arrives as untrusted bytes.  cw_job_parse() turns them into a
 * cw_job_t or says exactly why it cannot (an INVALID_REQUEST message), and
 * reads the jobId whenever one is present so the error can still be
 * addressed to its sender.  Limits follow MemberJunction's contract: timeout
 * in seconds (default 30, clamped to 1..120) and memoryLimit in MB (default
 * 128, clamped to 8..512); a non-numeric value falls back to the default, an
 * out-of-range one is clamped, and every adjustment is recorded so the
 * result can say what was actually enforced.  Nothing is ever unlimited.
 *
 * The message is read by a strict RFC 8259 reader (cw_json.h): nesting is
 * limited (max_input_depth levels inside any field), two equal top-level
 * keys, trailing bytes and invalid UTF-8 are INVALID_REQUEST, strings carry
 * U+0000 (code and input may hold it; ids, language, replyTopic and
 * expiresAt may not), and numeric strings for the limits must be JSON
 * numbers ("0x10" is not 16).  The jobId is read even when another part of
 * the message is invalid, so the INVALID_REQUEST still reaches its sender.
 * inputData is not decoded here: it is kept as checked JSON text in CESU-8
 * and decoded by the engine's own JSON parser inside the job's heap, under
 * the job's memory cap and deadline (cw_sandbox.c).
 *
 * This runs only in executor processes: a job message is parsed where the
 * code it carries will run, never in the supervisor.
 */
#ifndef CW_JOB_H
#define CW_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"

/* Bounds applied while parsing; see cw_job_limits_default(). */
typedef struct cw_job_limits {
    size_t max_message_bytes; /* whole job message */
    size_t max_code_bytes;
    size_t max_id_bytes;      /* jobId and the audit id fields */
    size_t max_context_bytes; /* serialized audit context */
    size_t max_input_depth;   /* arrays/objects nested inside one field (inputData, context, ...) */
    double timeout_default_s, timeout_min_s, timeout_max_s;
    double memory_default_mb, memory_min_mb, memory_max_mb;
} cw_job_limits_t;

void cw_job_limits_default(cw_job_limits_t *l);

typedef struct cw_job {
    char *job_id;     /* NULL when absent or unreadable */
    char *code;       /* NUL-terminated; code_len excludes the NUL (code may hold U+0000 too) */
    size_t code_len;
    char *input;      /* the global `input`: one checked JSON text, CESU-8, NUL-terminated */
    size_t input_len;
    double timeout_s; /* effective, after clamping */
    double memory_mb; /* effective, after clamping */
    cw_buf_t adjustments; /* JSON array members: "timeout 500 clamped to 120",... */
    cw_buf_t audit;       /* JSON members text: "actionId":"..","context":{..} (may be empty) */
    int64_t expires_at_ms; /* 0 = none; Unix epoch milliseconds */
    char *action_id, *user_id; /* audit ids, NULL when absent */
    char *reply_topic;         /* NULL when absent */
    char *traceparent, *tracestate; /* W3C trace context fields (cw_trace.h), NULL when
                                     * absent; tracestate only with a traceparent */
    char time_zone[64];        /* IANA zone name; "" when absent (UTC). The
                                * executor checks it against ICU (cw_tz.h). */
    uint64_t seed;             /* Math.random seed, valid when has_seed */
    int has_seed;              /* a deterministic job: logical clock, seeded crypto */
    int64_t clock_start_ms;    /* where Date.now() starts (Unix ms), valid when
                                * has_clock_start: a replay's recorded start */
    int has_clock_start;
} cw_job_t;

/*
 * Parse and validate one job message.
 * Returns CW_OK and fills `job`, or CW_ERR_INVALID with a one-line reason in
 * `errbuf` (job->job_id is still set when it could be read), or CW_ERR_NOMEM.
 * On any return the caller must call cw_job_free(job).
 */
cw_err_t cw_job_parse(const char *msg, size_t len, const cw_job_limits_t *lim, cw_job_t *job,
                      char *errbuf, size_t errbuf_size);

void cw_job_free(cw_job_t *job);

#endif /* CW_JOB_H */
