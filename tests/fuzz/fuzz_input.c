/*
 * fuzz_input.c -- libFuzzer target: the input path, from job bytes to
 * values in the heap.
 *
 * The fuzz input is the text of a job's inputData.  It is sent twice, the
 * way jobs send it: as a JSON value inside the message, and as a string
 * holding JSON (MemberJunction's form).  Each message goes through
 * cw_job_parse() and, when accepted, through the sandbox on a renewed heap
 * image, with code that reports what the heap received.  Checked:
 *
 *   - the verdict on the string form equals an independent oracle: the
 *     harness's own strict JSON reader (fuzz_check.h), UTF-8, and nesting
 *     of at most 1,000 levels (the documented input limit); an input the
 *     oracle takes as a value is accepted in the value form too; a
 *     rejection past the limit names the limit;
 *   - an accepted job never crashes, reaches SUCCESS (inputs are small),
 *     and both forms give the very same output (JSON.stringify of input);
 *   - for a top-level string, input.length is its UTF-16 length as the
 *     oracle decodes it (astral characters are two code units; U+0000 is
 *     one and ends nothing).
 *
 * Seeds in corpus/fuzz_input/ cover deep nesting at and past the limit,
 * U+0000 in strings and keys, astral and lone surrogates, duplicates inside
 * objects, numbers at the edges.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

#define CODE "output = [typeof input === 'string' ? input.length : -1, JSON.stringify(input)]"
#define DEPTH_LIMIT 1000

static cw_sandbox_conf_t g_conf;
static cw_sandbox_heap_t *g_image;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    cw_sandbox_conf_default(&g_conf);
    g_conf.result_max_bytes = 1u << 20;
#if HAVE_LOWERING_CACHE
    CWF_CHECK(cw_lowering_new(4, &g_conf.lowering) == CW_OK, "cannot create the lowering cache");
#endif
    CWF_CHECK(cw_sandbox_heap_new(&g_conf, CW_SANDBOX_HEAP_IMAGE, &g_image) == CW_OK, "no heap image");
    return 0;
}

/* Deepest nesting of a text the oracle accepted (brackets outside strings). */
static size_t max_depth(const uint8_t *s, size_t n) {
    size_t d = 0, m = 0;
    int str = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = 0;
        } else if (c == '"') {
            str = 1;
        } else if (c == '[' || c == '{') {
            if (++d > m)
                m = d;
        } else if (c == ']' || c == '}') {
            d--;
        }
    }
    return m;
}

typedef struct res {
    const char *code, *output;
    size_t code_n, output_n;
} res_t;

static void on_member(void *ud, const char *k, size_t kn, const char *v, size_t vn) {
    res_t *r = ud;
    if (kn == 10 && memcmp(k, "resultCode", 10) == 0)
        r->code = v, r->code_n = vn;
    else if (kn == 6 && memcmp(k, "output", 6) == 0)
        r->output = v, r->output_n = vn;
}

/* Parse and run one message; returns 1 if accepted (result in *out). */
static int run(const cw_buf_t *msg, cw_buf_t *out, char *reason, size_t rn, res_t *r) {
    cw_job_limits_t lim;
    cw_job_limits_default(&lim);
    cw_job_t job;
    cw_err_t err = cw_job_parse(msg->data, msg->len, &lim, &job, reason, rn);
    if (err != CW_OK) {
        CWF_CHECK(err == CW_ERR_INVALID || err == CW_ERR_NOMEM, "cw_job_parse returned %s", cw_err2name(err));
        CWF_CHECK(err == CW_ERR_NOMEM || (job.job_id && strcmp(job.job_id, "fi") == 0),
                  "a rejected input lost its jobId (%s)", reason);
        cw_job_free(&job);
        return 0;
    }
    job.timeout_s = 2;
    job.memory_mb = 16;
    cw_sandbox_stats_t st;
    err = cw_sandbox_run_prepared(g_image, &job, out, &st);
    CWF_CHECK(err == CW_OK, "cw_sandbox_run_prepared returned %s", cw_err2name(err));
    CWF_CHECK(cw_sandbox_heap_renew(g_image) == CW_OK, "the heap image could not be renewed");
    cw_job_free(&job);
    const char *why = NULL;
    memset(r, 0, sizeof(*r));
    if (!cwf_json_doc(out->data, out->len, on_member, r, &why, NULL)) {
        cwf_dump("result", out->data, out->len);
        cwf_fail("result is not one JSON document: %s", why ? why : "?");
    }
    if (!r->code || r->code_n != 9 || memcmp(r->code, "\"SUCCESS\"", 9) != 0) {
        cwf_dump("result", out->data, out->len);
        cwf_fail("an accepted input did not run to SUCCESS");
    }
    CWF_CHECK(r->output != NULL, "no output member");
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cw_buf_t as_value, as_string, out_v, out_s;
    cw_buf_init(&as_value, 0);
    cw_buf_init(&as_string, 0);
    cw_buf_init(&out_v, 0);
    cw_buf_init(&out_s, 0);
    const char *head = "{\"jobId\":\"fi\",\"code\":\"" CODE "\",\"inputData\":";
    cw_buf_puts(&as_value, head);
    cw_buf_append(&as_value, data, size);
    cw_buf_putc(&as_value, '}');
    int utf8 = cwf_utf8_ok((const char *)data, size);
    const char *why = NULL;
    int oracle = cwf_json_doc((const char *)data, size, NULL, NULL, &why, NULL) && utf8;
    size_t depth = oracle ? max_depth(data, size) : 0;
    int within = oracle && depth <= DEPTH_LIMIT;

    /* A top-level string as inputData is itself a string holding JSON (the
     * MemberJunction form), so the value form is left out for it. */
    size_t a = 0, b = size;
    while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\n' || data[a] == '\r'))
        a++;
    while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\n' || data[b - 1] == '\r'))
        b--;
    int top_string = a < b && data[a] == '"';

    char reason[256];
    res_t rv, rs;
    int value_ok = top_string ? 0 : run(&as_value, &out_v, reason, sizeof(reason), &rv);
    if (top_string)
        ;
    else if (within)
        CWF_CHECK(value_ok, "a valid input within the limit was rejected as a value: %s", reason);
    if (oracle && !within)
        CWF_CHECK(!value_ok && strstr(reason, "1000"), "an input %zu deep was not refused naming the limit: %s",
                  depth, value_ok ? "accepted" : reason);

    if (utf8) {
        /* The same text as a string holding JSON: escape only what must be. */
        cw_buf_puts(&as_string, head);
        cw_buf_putc(&as_string, '"');
        for (size_t i = 0; i < size; i++) {
            uint8_t c = data[i];
            if (c == '"' || c == '\\') {
                cw_buf_putc(&as_string, '\\');
                cw_buf_putc(&as_string, (char)c);
            } else if (c < 0x20) {
                cw_buf_printf(&as_string, "\\u%04x", c);
            } else {
                cw_buf_putc(&as_string, (char)c);
            }
        }
        cw_buf_puts(&as_string, "\"}");
        memset(&rs, 0, sizeof(rs));
        int string_ok = run(&as_string, &out_s, reason, sizeof(reason), &rs);
        if (string_ok != within) {
            cwf_dump("input", (const char *)data, size);
            cwf_fail("string form: %s, oracle says %s (%s, depth %zu)", string_ok ? "accepted" : reason,
                     within ? "valid" : "invalid", why ? why : "-", depth);
        }
        if (string_ok && value_ok &&
            (rv.output_n != rs.output_n || memcmp(rv.output, rs.output, rv.output_n) != 0)) {
            cwf_dump("value form", rv.output, rv.output_n);
            cwf_dump("string form", rs.output, rs.output_n);
            cwf_fail("the two forms of one input gave different values");
        }
    }

    /* A top-level string: its UTF-16 length in the heap (string form). */
    if (within && utf8 && top_string) {
        cwf_u16_t u = {0};
        CWF_CHECK(cwf_json_string_u16((const char *)data + a, b - a, &u), "oracle cannot decode its own string");
        long got = strtol(rs.output + 1, NULL, 10);
        if ((size_t)got != u.n) {
            cwf_dump("output", rs.output, rs.output_n);
            cwf_fail("input.length is %ld, the string has %zu UTF-16 code units", got, u.n);
        }
        cwf_u16_free(&u);
    }
    cw_buf_free(&as_value);
    cw_buf_free(&as_string);
    cw_buf_free(&out_v);
    cw_buf_free(&out_s);
    return 0;
}
