/*
 * fuzz_job.c -- libFuzzer target: the job message parser and validator.
 *
 * Job messages are the first untrusted bytes an executor touches, so
 * cw_job_parse() must survive any byte string: no crash, no leak, no
 * undefined behaviour, and when it accepts a job the job must satisfy what
 * the sandbox relies on (a readable jobId, clamped limits, code present,
 * every string valid UTF-8).  The target also writes the result an executor
 * would send for the job (INVALID_REQUEST with the parser's reason, or the
 * limits/audit tail of an accepted job) and checks it is one valid JSON
 * document, since that is where the parser's output ends up.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cw_job.h"
#include "cw_result.h"
#include "cw_utf8.h"
#include "fuzz_check.h"

static void check_result_doc(const cw_result_t *r, const char *what) {
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_err_t err = cw_result_write(r, &out);
    CWF_CHECK(err == CW_OK, "%s: cw_result_write returned %s", what, cw_err2name(err));
    const char *why = NULL;
    size_t where = 0;
    if (!cwf_json_doc(out.data, out.len, NULL, NULL, &why, &where)) {
        cwf_dump("result", out.data, out.len);
        cwf_fail("%s: result is not one JSON document: %s at byte %zu", what, why, where);
    }
    CWF_CHECK(cwf_utf8_ok(out.data, out.len), "%s: result is not valid UTF-8", what);
    cw_buf_free(&out);
}

/* `members` must be valid as the inside of `open`...`close`. */
static void check_fragment(const cw_buf_t *b, char open, char close, const char *what) {
    size_t n = b->len;
    char *doc = malloc(n + 3);
    CWF_CHECK(doc != NULL, "out of memory in the harness");
    doc[0] = open;
    if (n)
        memcpy(doc + 1, b->data, n);
    doc[n + 1] = close;
    doc[n + 2] = '\0';
    const char *why = NULL;
    if (!cwf_json_doc(doc, n + 2, NULL, NULL, &why, NULL)) {
        cwf_dump(what, doc, n + 2);
        cwf_fail("%s is not a valid JSON fragment: %s", what, why);
    }
    free(doc);
}

static void check_id(const char *s, size_t max, const char *what) {
    if (!s)
        return;
    size_t n = strlen(s);
    CWF_CHECK(n <= max, "%s is %zu bytes, over the limit %zu", what, n, max);
    CWF_CHECK(cwf_utf8_ok(s, n), "%s is not valid UTF-8", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    cw_job_t job;
    char reason[256];
    memset(reason, 0x5a, sizeof(reason));
    cw_err_t err = cw_job_parse((const char *)data, size, &lim, &job, reason, sizeof(reason));

    if (err == CW_OK) {
        CWF_CHECK(job.job_id != NULL, "accepted job without a jobId");
        size_t idlen = strlen(job.job_id);
        CWF_CHECK(idlen >= 1 && idlen <= lim.max_id_bytes, "jobId length %zu out of range", idlen);
        CWF_CHECK(cwf_utf8_ok(job.job_id, idlen), "jobId is not valid UTF-8");
        CWF_CHECK(isfinite(job.timeout_s) && job.timeout_s >= 1 && job.timeout_s <= 120,
                  "timeout %g outside [1, 120]", job.timeout_s);
        CWF_CHECK(isfinite(job.memory_mb) && job.memory_mb >= 8 && job.memory_mb <= 512,
                  "memoryLimit %g outside [8, 512]", job.memory_mb);
        CWF_CHECK(job.code != NULL, "accepted job without code");
        CWF_CHECK(job.code[job.code_len] == '\0', "code is not NUL-terminated at code_len %zu", job.code_len);
        CWF_CHECK(job.code_len <= lim.max_code_bytes, "code over the limit");
        CWF_CHECK(cwf_utf8_ok(job.code, job.code_len), "code is not valid UTF-8");
        CWF_CHECK(job.input != NULL && job.input_len > 0 && job.input[job.input_len] == '\0',
                  "accepted job without an input text");
        /* U+0000 is carried inside strings, never where a C string is read. */
        CWF_CHECK(strlen(job.job_id) == idlen && !memchr(job.input, '\0', job.input_len),
                  "a NUL where none may be");
        check_id(job.action_id, lim.max_id_bytes, "actionId");
        check_id(job.user_id, lim.max_id_bytes, "userId");
        if (job.reply_topic) {
            size_t n = strlen(job.reply_topic);
            CWF_CHECK(n >= 1 && n <= 249, "replyTopic length %zu", n);
        }
        check_fragment(&job.adjustments, '[', ']', "limitAdjustments");
        check_fragment(&job.audit, '{', '}', "audit members");

        /* What the executor publishes around this job. */
        cw_result_t r;
        cw_result_init(&r);
        r.job_id = job.job_id;
        r.code = CW_RES_SUCCESS;
        r.output_json = "null";
        r.output_len = 4;
        r.timeout_s = job.timeout_s;
        r.memory_mb = job.memory_mb;
        r.adjust_json = job.adjustments.data;
        r.adjust_len = job.adjustments.len;
        r.audit_json = job.audit.data;
        r.audit_len = job.audit.len;
        r.started_ms = r.ended_ms = 1700000000000;
        check_result_doc(&r, "accepted job");
    } else if (err == CW_ERR_INVALID) {
        CWF_CHECK(memchr(reason, '\0', sizeof(reason)) != NULL, "reason is not NUL-terminated");
        CWF_CHECK(reason[0] != '\0', "INVALID without a reason");
        if (job.job_id)
            check_id(job.job_id, lim.max_id_bytes, "jobId of a rejected job");
        cw_result_t r;
        cw_result_init(&r);
        r.job_id = job.job_id;
        r.code = CW_RES_INVALID_REQUEST;
        r.err_name = "InvalidRequest";
        r.err_message = reason;
        r.started_ms = r.ended_ms = 1700000000000;
        check_result_doc(&r, "rejected job");
    } else {
        CWF_CHECK(err == CW_ERR_NOMEM, "cw_job_parse returned %s", cw_err2name(err));
    }
    cw_job_free(&job);
    return 0;
}
