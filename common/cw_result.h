/*
 * cw_result.h -- the result of one job and its JSON form.
 *
 * Executors build results for jobs that ran; the supervisor builds them for
 * jobs whose executor was killed or died (TIMEOUT, WORKER_CRASHED).  Both go
 * through cw_result_write() so every result has the same shape, documented in
 * schemas/result.schema.json.  The result code is decided by how a job ended
 * (which flag the sandbox raised, which phase failed), never by matching
 * message text, so user code cannot fake a TIMEOUT by throwing one.
 */
#ifndef CW_RESULT_H
#define CW_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"

#define CW_RESCODE_TABLE(X)                                                    \
    X(CW_RES_SUCCESS, "SUCCESS")                                               \
    X(CW_RES_SYNTAX_ERROR, "SYNTAX_ERROR")                                     \
    X(CW_RES_RUNTIME_ERROR, "RUNTIME_ERROR")                                   \
    X(CW_RES_TIMEOUT, "TIMEOUT")                                               \
    X(CW_RES_MEMORY_LIMIT, "MEMORY_LIMIT")                                     \
    X(CW_RES_OUTPUT_LIMIT, "OUTPUT_LIMIT")                                     \
    X(CW_RES_SECURITY_ERROR, "SECURITY_ERROR")                                 \
    X(CW_RES_INVALID_REQUEST, "INVALID_REQUEST")                               \
    X(CW_RES_WORKER_CRASHED, "WORKER_CRASHED")                                 \
    X(CW_RES_EXPIRED, "EXPIRED")                                               \
    X(CW_RES_CANCELLED, "CANCELLED")

typedef enum {
#define CW_RES_ENUM_(name, str) name,
    CW_RESCODE_TABLE(CW_RES_ENUM_)
#undef CW_RES_ENUM_
        CW_RES__COUNT
} cw_rescode_t;

/* "SUCCESS", "TIMEOUT", ...; "UNKNOWN" for a bad code. */
const char *cw_rescode2str(cw_rescode_t code);

/* Caps applied to error text when a result is written. */
#define CW_RESULT_MAX_ERR_MESSAGE 4096
#define CW_RESULT_MAX_ERR_STACK 8192

typedef struct cw_result {
    const char *job_id; /* NULL is written as null */
    cw_rescode_t code;
    const char *output_json; /* JSON text, already UTF-8 clean; NULL = null */
    size_t output_len;
    const char *logs_json; /* JSON array members (no brackets); may be NULL */
    size_t logs_len;
    int logs_truncated;
    /* Written by the supervisor for a job whose executor died: 1 = the logs
     * are the lines recovered from its log region, -1 = they could not be
     * recovered (logs empty); 0 = the member is absent. */
    int logs_recovered;
    /* error; ignored when code == CW_RES_SUCCESS */
    const char *err_name, *err_message, *err_stack; /* any bytes; NULL = null */
    long err_line, err_column;                      /* 0 = unknown (null) */
    double exec_ms;
    size_t mem_peak;
    int64_t started_ms, ended_ms; /* Unix epoch ms; 0 = unknown (null) */
    double timeout_s, memory_mb;  /* effective limits; < 0 = unknown (null) */
    const char *adjust_json;      /* JSON array members; may be NULL */
    size_t adjust_len;
    const char *time_zone;        /* the job's local zone; NULL = not written */
    int has_replay;               /* write "replay":{seed,...} (README "Replay") */
    uint64_t replay_seed;         /* the Math.random seed the run used */
    const char *replay_version;   /* codeworker version string */
    long replay_duktape;          /* DUK_VERSION of the engine */
    const char *replay_runtime;   /* cw_rt_digest; NULL = not written */
    const char *replay_icu;       /* ICU's version; NULL = not written */
    int64_t replay_clock_ms;      /* where the job's clock started (Unix ms) */
    int replay_logical;           /* 1: the job ran on the logical clock */
    const char *audit_json;       /* JSON object members; may be NULL */
    size_t audit_len;
    /* When set, written verbatim in place of the limits and audit members:
     * the supervisor uses the tail an executor sent in its START frame. */
    const char *tail_json;
    size_t tail_len;
} cw_result_t;

/* Zero the struct with "unknown" limits. */
void cw_result_init(cw_result_t *r);

/*
 * Append the result as one JSON object to `out`.  Returns CW_ERR_TOOBIG when
 * `out->max` is exceeded (the buffer is then left truncated: reset it and
 * write a smaller result), CW_ERR_NOMEM on allocation failure.
 */
cw_err_t cw_result_write(const cw_result_t *r, cw_buf_t *out);

/* Append only the tail members (limits, adjustments, audit context), without
 * a leading comma: what an executor sends ahead so that the supervisor can
 * finish a result for a job whose executor it had to kill. */
cw_err_t cw_result_write_tail(const cw_result_t *r, cw_buf_t *out);

/* Format epoch milliseconds as "2026-11-27T12:00:00.123Z" (buf >= 32). */
void cw_result_iso8601(int64_t ms, char *buf, size_t size);

#endif /* CW_RESULT_H */
