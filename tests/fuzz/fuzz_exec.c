/*
 * fuzz_exec.c -- libFuzzer target: a whole job through cw_sandbox_run().
 *
 * The sandbox promises one result document per job whatever the code does.
 * This target runs fuzz inputs in a fresh Duktape heap with small limits
 * (timeout 1 s, memoryLimit 8 MB, results capped at 64 KiB) and checks:
 * the call returns CW_OK, exactly one JSON document was appended to the
 * buffer (what was in front of it untouched), the document is valid UTF-8,
 * within the cap, carries the resultCode the sandbox reported, the jobId,
 * and a memory peak within the cap; the heap freed every byte.
 *
 * Two kinds of input, told apart by the first byte so seeds stay readable:
 *   - starting with '{': a whole job message, handled like the executor
 *     does (parse; INVALID_REQUEST, EXPIRED or run), with the limits then
 *     forced down to the small ones above;
 *   - anything else: the job's `code`, with a fixed input object.  Bytes
 *     the job parser would never let through (NUL, invalid UTF-8) are
 *     replaced by '?' first, so the sandbox sees only what it can be given.
 *
 * When the sandbox lowers modern JavaScript through a cache of lowered code
 * (cw_lowering.h), the target gives it a small cache, as the executor does,
 * and runs each job twice: the first run lowers (a miss), the second is
 * served from the cache (a hit), so both paths are fuzzed by every input
 * without depending on what ran before it.  Entries left by earlier inputs
 * are evicted after a few inputs.
 *
 * Known limit: code that spends seconds inside one C built-in (a
 * catastrophic regular expression, a huge join) never reaches the engine's
 * deadline check; in service the supervisor kills it.  Here libFuzzer's
 * -timeout reports it; run.sh tells those apart (see README.md).
 * CW_FUZZ_TIMEOUT_S overrides the 1 s job timeout for experiments.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cw_job.h"
#include "cw_result.h"
#include "cw_sandbox.h"
#include "cw_utf8.h"
#include "fuzz_check.h"

#if __has_include("cw_lowering.h")
#include "cw_lowering.h"
#define HAVE_LOWERING_CACHE 1
#else
#define HAVE_LOWERING_CACHE 0
#endif

#define RESULT_CAP (64u << 10)
#define PREFIX "previous-result\n"

static cw_sandbox_conf_t g_conf;
static int g_verbose; /* CW_FUZZ_VERBOSE: print every result */
static double g_timeout_s = 1.0;
static const double g_memory_mb = 8.0;
static const char g_input[] =
    "{\"values\":[1,2,3,4,10],\"name\":\"caf\\u00e9 \\ud83d\\ude00\",\"nested\":{\"a\":[{\"b\":null}]},"
    "\"csv\":\"name,age\\nada,36\",\"flag\":true}";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    cw_sandbox_conf_default(&g_conf);
    g_conf.result_max_bytes = RESULT_CAP;
    g_verbose = getenv("CW_FUZZ_VERBOSE") != NULL;
    const char *t = getenv("CW_FUZZ_TIMEOUT_S");
    if (t && atof(t) > 0)
        g_timeout_s = atof(t);
#if HAVE_LOWERING_CACHE
    CWF_CHECK(cw_lowering_new(4, &g_conf.lowering) == CW_OK, "cannot create the lowering cache");
#endif
    return 0;
}

/* How many times each job runs: twice with a cache (miss, then hit). */
static int runs_per_job(void) { return HAVE_LOWERING_CACHE ? 2 : 1; }

typedef struct seen {
    const char *result_code, *job_id, *success, *peak;
    size_t result_code_n, job_id_n, success_n, peak_n;
    int members;
} seen_t;

static void on_member(void *ud, const char *k, size_t kn, const char *v, size_t vn) {
    seen_t *s = ud;
    s->members++;
    if (kn == 10 && memcmp(k, "resultCode", 10) == 0)
        s->result_code = v, s->result_code_n = vn;
    else if (kn == 5 && memcmp(k, "jobId", 5) == 0)
        s->job_id = v, s->job_id_n = vn;
    else if (kn == 7 && memcmp(k, "success", 7) == 0)
        s->success = v, s->success_n = vn;
    else if (kn == 15 && memcmp(k, "memoryPeakBytes", 15) == 0)
        s->peak = v, s->peak_n = vn;
}

static void check_out(const cw_buf_t *out, const char *job_id, int code, const char *what) {
    size_t pn = strlen(PREFIX);
    CWF_CHECK(out->len >= pn && memcmp(out->data, PREFIX, pn) == 0,
              "%s: the bytes before the result were changed", what);
    const char *doc = out->data + pn;
    size_t n = out->len - pn;
    if (g_verbose)
        fprintf(stderr, "%s: %.*s\n", what, (int)(n > 2000 ? 2000 : n), doc);
    CWF_CHECK(n > 0, "%s: no result written", what);
    CWF_CHECK(n <= RESULT_CAP, "%s: result of %zu bytes is over the %u cap", what, n, RESULT_CAP);
    CWF_CHECK(out->data[out->len] == '\0', "%s: buffer not NUL-terminated", what);
    seen_t s = {0};
    const char *why = NULL;
    size_t where = 0;
    if (!cwf_json_doc(doc, n, on_member, &s, &why, &where)) {
        cwf_dump("result", doc, n);
        cwf_fail("%s: not exactly one JSON document: %s at byte %zu", what, why, where);
    }
    if (!cwf_utf8_ok(doc, n)) {
        cwf_dump("result", doc, n);
        cwf_fail("%s: result is not valid UTF-8", what);
    }
    CWF_CHECK(doc[0] == '{', "%s: result is not an object", what);
    CWF_CHECK(s.result_code, "%s: result has no resultCode", what);
    char want[48];
    snprintf(want, sizeof(want), "\"%s\"", cw_rescode2str((cw_rescode_t)code));
    if (s.result_code_n != strlen(want) || memcmp(s.result_code, want, s.result_code_n) != 0) {
        cwf_dump("result", doc, n);
        cwf_fail("%s: resultCode differs from the reported %s", what, want);
    }
    int ok = code == CW_RES_SUCCESS;
    CWF_CHECK(s.success && s.success_n == (ok ? 4u : 5u) &&
                  memcmp(s.success, ok ? "true" : "false", s.success_n) == 0,
              "%s: success does not match resultCode", what);
    CWF_CHECK(s.job_id, "%s: no jobId member", what);
    if (job_id) {
        cw_buf_t lit;
        cw_buf_init(&lit, 0);
        cw_utf8_json_string(&lit, job_id, strlen(job_id));
        CWF_CHECK(lit.len == s.job_id_n && memcmp(lit.data, s.job_id, lit.len) == 0,
                  "%s: jobId not echoed", what);
        cw_buf_free(&lit);
    } else {
        CWF_CHECK(s.job_id_n == 4 && memcmp(s.job_id, "null", 4) == 0, "%s: jobId should be null",
                  what);
    }
    if (s.peak) {
        unsigned long long peak = strtoull(s.peak, NULL, 10);
        /* The cap, plus the 1 MiB the sandbox lends for describing an error. */
        CWF_CHECK(peak <= (unsigned long long)(g_memory_mb * 1048576.0) + (1u << 20),
                  "%s: memory peak %llu over the cap", what, peak);
    }
}

/* One heap image for the whole run, renewed after every job, as an executor
 * keeps it: every input also runs in a heap all earlier inputs used. */
static cw_sandbox_heap_t *g_image;

static void run_job_once(const cw_job_t *job, const char *what, int on_image) {
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_buf_puts(&out, PREFIX);
    cw_sandbox_stats_t st;
    memset(&st, 0xa5, sizeof(st));
    cw_err_t err;
    if (on_image) {
        if (!g_image && cw_sandbox_heap_new(&g_conf, CW_SANDBOX_HEAP_IMAGE, &g_image) != CW_OK)
            cwf_fail("%s: no heap image", what);
        err = cw_sandbox_run_prepared(g_image, job, &out, &st);
        st.leaked = 0; /* renewing releases it all: tests/unit/test_sandbox*.c check that */
        if (err == CW_OK && cw_sandbox_heap_renew(g_image) != CW_OK)
            cwf_fail("%s: the heap image could not be renewed", what);
    } else {
        err = cw_sandbox_run(&g_conf, job, &out, &st);
    }
    if (err != CW_OK) {
        cwf_dump("code", job->code, job->code_len);
        cwf_fail("%s: cw_sandbox_run returned %s (%s); no result for the job", what,
                 cw_err2name(err), cw_err2str(err));
    }
    CWF_CHECK(st.leaked == 0, "%s: %zu heap bytes leaked", what, st.leaked);
    CWF_CHECK(st.result_code >= 0 && st.result_code < CW_RES__COUNT, "%s: bad result code %d",
              what, st.result_code);
    check_out(&out, job->job_id, st.result_code, what);
    cw_buf_free(&out);
}

static void run_job(const cw_job_t *job, const char *what) {
    for (int i = 0; i < runs_per_job(); i++)
        run_job_once(job, what, 0);
    run_job_once(job, what, 1);
}

/* A job whose code is the input. */
static void code_mode(const uint8_t *data, size_t size) {
    cw_job_t job;
    memset(&job, 0, sizeof(job));
    job.code = malloc(size + 1);
    CWF_CHECK(job.code != NULL, "out of memory in the harness");
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t k = cwf_decode(data + i, size - i, &cp);
        if (k == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0) {
            job.code[i++] = '?';
        } else {
            memcpy(job.code + i, data + i, k);
            i += k;
        }
    }
    job.code[size] = '\0';
    job.code_len = size;
    job.job_id = strdup("fuzz-exec");
    job.input = strdup(g_input); /* ASCII JSON: already the engine's form */
    job.input_len = sizeof(g_input) - 1;
    CWF_CHECK(job.job_id && job.input, "out of memory in the harness");
    job.timeout_s = g_timeout_s;
    job.memory_mb = g_memory_mb;
    cw_buf_init(&job.adjustments, 16u << 10);
    cw_buf_init(&job.audit, 1u << 16);
    run_job(&job, "code");
    cw_job_free(&job);
}

/* A whole job message, as the executor handles it. */
static void message_mode(const uint8_t *data, size_t size) {
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    cw_job_t job;
    char reason[256];
    cw_err_t err = cw_job_parse((const char *)data, size, &lim, &job, reason, sizeof(reason));
    cw_buf_t out;
    cw_buf_init(&out, 0);
    cw_buf_puts(&out, PREFIX);
    if (err == CW_ERR_INVALID) {
        err = cw_sandbox_invalid(&g_conf, job.job_id, reason, &out);
        CWF_CHECK(err == CW_OK, "invalid: cw_sandbox_invalid returned %s", cw_err2name(err));
        check_out(&out, job.job_id, CW_RES_INVALID_REQUEST, "invalid");
    } else if (err == CW_OK && job.expires_at_ms && job.expires_at_ms < 1700000000000) {
        /* Expired by any clock this runs under; later expiries are run so
         * that the outcome does not depend on the date. */
        err = cw_sandbox_expired(&g_conf, &job, &out);
        CWF_CHECK(err == CW_OK, "expired: cw_sandbox_expired returned %s (%s)", cw_err2name(err),
                  cw_err2str(err));
        check_out(&out, job.job_id, CW_RES_EXPIRED, "expired");
    } else if (err == CW_OK) {
        if (job.timeout_s > g_timeout_s)
            job.timeout_s = g_timeout_s;
        job.memory_mb = g_memory_mb;
        run_job(&job, "message");
    } else {
        CWF_CHECK(err == CW_ERR_NOMEM, "cw_job_parse returned %s", cw_err2name(err));
    }
    cw_buf_free(&out);
    cw_job_free(&job);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size && data[0] == '{')
        message_mode(data, size);
    else
        code_mode(data, size);
    return 0;
}
