/*
 * fuzz_result.c -- libFuzzer target: the result serializer and UTF-8 repair.
 *
 * Everything codeworker publishes passes through cw_utf8_json_string(),
 * cw_utf8_json_text(), cw_utf8_clip() and cw_result_write(), fed with bytes
 * that user code controls (error names and messages, stacks, console text,
 * the output's JSON text in Duktape's CESU-8).  The promise is: the result
 * is always one valid JSON document in valid UTF-8, and a string means the
 * same JavaScript string it meant inside the heap (lone surrogates become
 * \uD8xx escapes, pairs become 4-byte UTF-8, other invalid bytes U+FFFD).
 *
 * Each input is used twice:
 *   1. whole, as a byte string for the UTF-8 functions, compared against the
 *      independent reference decoder in fuzz_check.h;
 *   2. cut into fields (flags, then backslash-delimited strings) to build a
 *      cw_result_t; the written document is checked for syntax, encoding,
 *      the members' meaning, the size cap, and that writing the tail
 *      separately (as the supervisor does) gives the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cw_result.h"
#include "cw_utf8.h"
#include "fuzz_check.h"

/* ---- 1. the UTF-8 functions on raw bytes --------------------------------- */

/* The JSON text Duktape's encoder would produce for a string holding `s`:
 * ASCII specials escaped, every other byte left as it is. */
static void duk_like_string(cw_buf_t *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    cw_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            cw_buf_append(b, e, 2);
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            cw_buf_append(b, e, 6);
        } else {
            cw_buf_putc(b, (char)c);
        }
    }
    cw_buf_putc(b, '"');
}

static void check_literal_means(const char *lit, size_t litn, const char *src, size_t n,
                                const char *what) {
    cwf_u16_t got = {0}, want = {0};
    if (!cwf_json_string_u16(lit, litn, &got)) {
        cwf_dump("source", src, n);
        cwf_dump("literal", lit, litn);
        cwf_fail("%s: not one valid JSON string literal", what);
    }
    CWF_CHECK(cwf_utf8_ok(lit, litn), "%s: literal is not valid UTF-8", what);
    cwf_bytes_to_u16(src, n, &want);
    if (!cwf_u16_eq(&got, &want)) {
        cwf_dump("source", src, n);
        cwf_dump("literal", lit, litn);
        cwf_fail("%s: literal decodes to %zu UTF-16 units, the source means %zu", what, got.n,
                 want.n);
    }
    cwf_u16_free(&got);
    cwf_u16_free(&want);
}

static int is_high_surrogate(const unsigned char *p) {
    return p[0] == 0xed && p[1] >= 0xa0 && p[1] <= 0xaf && p[2] >= 0x80 && p[2] <= 0xbf;
}
static int is_low_surrogate(const unsigned char *p) {
    return p[0] == 0xed && p[1] >= 0xb0 && p[1] <= 0xbf && p[2] >= 0x80 && p[2] <= 0xbf;
}

static void check_clip(const char *s, size_t n, size_t max, int clean) {
    size_t l = cw_utf8_clip(s, n, max);
    if (n <= max) {
        CWF_CHECK(l == n, "clip(%zu, max %zu) = %zu, expected the whole string", n, max, l);
        return;
    }
    CWF_CHECK(l <= max, "clip(%zu, max %zu) = %zu is over max", n, max, l);
    if (!clean)
        return;
    const unsigned char *u = (const unsigned char *)s;
    cwf_u16_t tmp = {0};
    int prefix_clean = cwf_bytes_to_u16(s, l, &tmp);
    cwf_u16_free(&tmp);
    if (!prefix_clean) {
        cwf_dump("source", s, n);
        cwf_fail("clip(%zu, max %zu) = %zu cuts a UTF-8 sequence", n, max, l);
    }
    if (l >= 3 && l + 3 <= n && is_high_surrogate(u + l - 3) && is_low_surrogate(u + l)) {
        cwf_dump("source", s, n);
        cwf_fail("clip(%zu, max %zu) = %zu separates a CESU-8 surrogate pair", n, max, l);
    }
    /* The largest cut <= max between two sequences, and not inside a pair. */
    size_t best = 0;
    for (size_t i = 0; i <= max;) {
        if (!(i >= 3 && i + 3 <= n && is_high_surrogate(u + i - 3) && is_low_surrogate(u + i)))
            best = i;
        uint32_t cp;
        size_t k = i < n ? cwf_decode(u + i, n - i, &cp) : 1;
        i += k ? k : 1;
    }
    /* cw_utf8_clip() also drops a lone high surrogate right before the cut
     * (it does not look past the cut to see whether a low half follows):
     * three bytes shorter than it could be, harmless, and tolerated. */
    if (!(l == best || (l + 3 == best && is_high_surrogate(u + l)))) {
        cwf_dump("source", s, n);
        cwf_fail("clip(%zu, max %zu) = %zu; the largest clean cut is %zu", n, max, l, best);
    }
}

static void check_bytes(const char *s, size_t n) {
    cw_buf_t b;
    cwf_u16_t tmp = {0};
    int clean = cwf_bytes_to_u16(s, n, &tmp);
    cwf_u16_free(&tmp);

    int valid = cw_utf8_valid(s, n);
    CWF_CHECK(valid == cwf_utf8_ok(s, n), "cw_utf8_valid says %d, the reference %d", valid,
              !valid);

    cw_buf_init(&b, 0);
    CWF_CHECK(cw_utf8_json_string(&b, s, n) == CW_OK, "cw_utf8_json_string failed");
    check_literal_means(b.data, b.len, s, n, "cw_utf8_json_string");
    cw_buf_free(&b);

    /* The same string as Duktape's encoder writes it, repaired as output. */
    cw_buf_t duk, rep;
    cw_buf_init(&duk, 0);
    cw_buf_init(&rep, 0);
    duk_like_string(&duk, s, n);
    CWF_CHECK(cw_utf8_json_text(&rep, duk.data, duk.len) == CW_OK, "cw_utf8_json_text failed");
    check_literal_means(rep.data, rep.len, s, n, "cw_utf8_json_text");
    cw_buf_free(&duk);
    cw_buf_free(&rep);

    /* Whatever the text, the repaired bytes are valid UTF-8. */
    cw_buf_init(&rep, 0);
    CWF_CHECK(cw_utf8_json_text(&rep, s, n) == CW_OK, "cw_utf8_json_text failed");
    CWF_CHECK(cwf_utf8_ok(rep.data ? rep.data : "", rep.len),
              "cw_utf8_json_text output is not valid UTF-8");
    cw_buf_free(&rep);

    /* A cap: the append either fits or fails and leaves the buffer alone. */
    if (n) {
        cw_buf_init(&b, (unsigned char)s[0] + 1u);
        cw_buf_puts(&b, "x");
        cw_err_t err = cw_utf8_json_string(&b, s, n);
        CWF_CHECK(err == CW_OK || err == CW_ERR_TOOBIG, "capped json_string returned %s",
                  cw_err2name(err));
        CWF_CHECK(b.len <= b.max, "buffer grew past its max");
        cw_buf_free(&b);
    }

    check_clip(s, n, n ? (unsigned char)s[0] : 0, clean);
    check_clip(s, n, n / 2, clean);
    if (n)
        check_clip(s, n, n - 1, clean);
}

/* ---- 2. a whole result ----------------------------------------------------- */

typedef struct seen {
    const char *key[32];
    size_t klen[32];
    const char *val[32];
    size_t vlen[32];
    int n;
} seen_t;

static void on_member(void *ud, const char *k, size_t kn, const char *v, size_t vn) {
    seen_t *s = ud;
    if (s->n < 32) {
        s->key[s->n] = k, s->klen[s->n] = kn;
        s->val[s->n] = v, s->vlen[s->n] = vn;
    }
    s->n++;
}

static int member(const seen_t *s, const char *k, const char **v, size_t *vn) {
    for (int i = 0; i < s->n && i < 32; i++) {
        if (s->klen[i] == strlen(k) && memcmp(s->key[i], k, s->klen[i]) == 0) {
            *v = s->val[i];
            *vn = s->vlen[i];
            return 1;
        }
    }
    return 0;
}

static int value_is(const char *v, size_t vn, const char *lit) {
    return vn == strlen(lit) && memcmp(v, lit, vn) == 0;
}

/* A member written from `src` (NULL = null), clipped at `max` bytes. */
static void check_string_member(const seen_t *s, const char *key, const char *src, size_t max) {
    const char *v;
    size_t vn;
    CWF_CHECK(member(s, key, &v, &vn), "member %s missing", key);
    if (!src) {
        CWF_CHECK(value_is(v, vn, "null"), "member %s should be null", key);
        return;
    }
    size_t n = strlen(src);
    check_literal_means(v, vn, src, cw_utf8_clip(src, n, max), key);
}

static void build_and_check(cwf_in_t *in) {
    unsigned f0 = cwf_u8(in), f1 = cwf_u8(in), f2 = cwf_u8(in);
    size_t n;
    cw_result_t r;
    cw_result_init(&r);
    r.code = (cw_rescode_t)(f0 % (CW_RES__COUNT + 1)); /* one past: "UNKNOWN" */
    char *job_id = cwf_str(in, 300, &n);
    char *name = cwf_str(in, 400, &n);
    char *message = cwf_str(in, 5000, &n);
    char *stack = cwf_str(in, 9000, &n);
    size_t outn;
    char *outsrc = cwf_str(in, 4096, &outn);
    r.job_id = (f1 & 1) ? NULL : job_id;
    r.err_name = (f1 & 2) ? NULL : name;
    r.err_message = (f1 & 4) ? NULL : message;
    r.err_stack = (f1 & 8) ? NULL : stack;
    r.logs_truncated = (f1 >> 4) & 1;
    r.err_line = (long)cwf_u16le(in) - 2;
    r.err_column = (long)cwf_u16le(in) - 2;
    r.exec_ms = (double)cwf_u16le(in) / 7.0 - 1.0;
    r.mem_peak = (size_t)cwf_u16le(in) << 8;
    r.started_ms = (f2 & 1) ? 0 : 1700000000000 + (int64_t)cwf_u16le(in) * 997;
    r.ended_ms = (f2 & 2) ? 0 : r.started_ms + cwf_u16le(in);
    r.timeout_s = (f2 & 4) ? -1 : 1 + cwf_u8(in) % 120;
    r.memory_mb = (f2 & 8) ? -1 : 8 + cwf_u16le(in) % 505;

    /* Output: JSON text as Duktape writes it, then repaired. */
    cw_buf_t duk, output, logs, adjust, audit;
    cw_buf_init(&duk, 0);
    cw_buf_init(&output, 0);
    cw_buf_init(&logs, 0);
    cw_buf_init(&adjust, 0);
    cw_buf_init(&audit, 0);
    switch ((f1 >> 5) & 3) {
    case 0:
        duk_like_string(&duk, outsrc, outn);
        break;
    case 1:
        cw_buf_puts(&duk, "[");
        duk_like_string(&duk, outsrc, outn / 2);
        cw_buf_puts(&duk, ",-1.5e3,true,null,{}]");
        break;
    case 2:
        cw_buf_puts(&duk, "{");
        duk_like_string(&duk, outsrc, outn / 3);
        cw_buf_puts(&duk, ":");
        duk_like_string(&duk, outsrc + outn / 3, outn - outn / 3);
        cw_buf_puts(&duk, "}");
        break;
    default:
        break; /* no output: written as null */
    }
    CWF_CHECK(cw_utf8_json_text(&output, duk.data ? duk.data : "", duk.len) == CW_OK,
              "cw_utf8_json_text failed");
    r.output_json = output.data;
    r.output_len = output.len;

    /* Console entries as the sandbox writes them. */
    unsigned nlogs = cwf_u8(in) % 4;
    char *msgs[4] = {0};
    for (unsigned i = 0; i < nlogs; i++) {
        msgs[i] = cwf_str(in, 300, &n);
        cw_buf_printf(&logs, "%s{\"level\":\"log\",\"message\":", i ? "," : "");
        cw_utf8_json_string(&logs, msgs[i], n);
        cw_buf_puts(&logs, ",\"elapsedMs\":0.125}");
    }
    r.logs_json = (f2 & 16) ? NULL : logs.data;
    r.logs_len = (f2 & 16) ? 0 : logs.len;

    /* Limit notes and audit members as the job parser writes them. */
    char *note = cwf_str(in, 100, &n);
    if (f2 & 32) {
        cw_utf8_json_string(&adjust, note, n);
        cw_buf_putc(&adjust, ',');
        cw_utf8_json_string(&adjust, "timeout 500 is out of range; clamped to 120", 44);
    }
    r.adjust_json = adjust.data;
    r.adjust_len = adjust.len;
    char *act = cwf_str(in, 256, &n);
    if (f2 & 64) {
        cw_buf_puts(&audit, "\"actionId\":");
        cw_utf8_json_string(&audit, act, n);
        cw_buf_puts(&audit, ",\"context\":{\"k\":[1,2]}");
    }
    r.audit_json = audit.data;
    r.audit_len = audit.len;

    /* Written whole... */
    cw_buf_t doc;
    size_t cap = (f2 & 128) ? 64 + (size_t)cwf_u16le(in) : 0;
    cw_buf_init(&doc, cap);
    cw_err_t err = cw_result_write(&r, &doc);
    if (cap) {
        CWF_CHECK(err == CW_OK || err == CW_ERR_TOOBIG, "capped write returned %s",
                  cw_err2name(err));
        CWF_CHECK(doc.len <= cap, "document of %zu bytes is over the cap %zu", doc.len, cap);
    } else {
        CWF_CHECK(err == CW_OK, "cw_result_write returned %s", cw_err2name(err));
    }
    if (err == CW_OK) {
        seen_t seen = {0};
        const char *why = NULL;
        size_t where = 0;
        if (!cwf_json_doc(doc.data, doc.len, on_member, &seen, &why, &where)) {
            cwf_dump("document", doc.data, doc.len);
            cwf_fail("result is not one JSON document: %s at byte %zu", why, where);
        }
        CWF_CHECK(cwf_utf8_ok(doc.data, doc.len), "result is not valid UTF-8");

        const char *v;
        size_t vn;
        int ok = r.code == CW_RES_SUCCESS;
        char want[48];
        snprintf(want, sizeof(want), "\"%s\"", cw_rescode2str(r.code));
        CWF_CHECK(member(&seen, "resultCode", &v, &vn) && value_is(v, vn, want),
                  "resultCode is not %s", want);
        CWF_CHECK(member(&seen, "success", &v, &vn) && value_is(v, vn, ok ? "true" : "false"),
                  "success does not match the code");
        CWF_CHECK(member(&seen, "errorType", &v, &vn) && value_is(v, vn, ok ? "null" : want),
                  "errorType does not match the code");
        if (r.job_id) {
            CWF_CHECK(member(&seen, "jobId", &v, &vn), "jobId missing");
            check_literal_means(v, vn, r.job_id, strlen(r.job_id), "jobId");
        } else {
            CWF_CHECK(member(&seen, "jobId", &v, &vn) && value_is(v, vn, "null"),
                      "jobId should be null");
        }
        CWF_CHECK(member(&seen, "output", &v, &vn), "output missing");
        if (r.output_len)
            CWF_CHECK(vn == r.output_len && memcmp(v, r.output_json, vn) == 0,
                      "output is not the repaired text verbatim");
        else
            CWF_CHECK(value_is(v, vn, "null"), "absent output should be null");
        if (((f1 >> 5) & 3) == 0)
            check_literal_means(v, vn, outsrc, outn, "output string");
        CWF_CHECK(member(&seen, "logs", &v, &vn), "logs missing");
        CWF_CHECK(member(&seen, "error", &v, &vn), "error missing");
        if (ok) {
            CWF_CHECK(value_is(v, vn, "null"), "error should be null on success");
        } else {
            /* The error members, found with a second pass over the object. */
            seen_t es = {0};
            CWF_CHECK(cwf_json_doc(v, vn, on_member, &es, NULL, NULL), "error object unreadable");
            check_string_member(&es, "name", r.err_name, 256);
            check_string_member(&es, "message", r.err_message ? r.err_message : "",
                                CW_RESULT_MAX_ERR_MESSAGE);
            check_string_member(&es, "stack", r.err_stack, CW_RESULT_MAX_ERR_STACK);
        }

        /* ...and with the tail written ahead, as the supervisor does. */
        cw_buf_t tail, doc2;
        cw_buf_init(&tail, 0);
        cw_buf_init(&doc2, 0);
        CWF_CHECK(cw_result_write_tail(&r, &tail) == CW_OK, "cw_result_write_tail failed");
        cw_result_t r2 = r;
        r2.tail_json = tail.data;
        r2.tail_len = tail.len;
        r2.adjust_json = r2.audit_json = NULL;
        r2.adjust_len = r2.audit_len = 0;
        CWF_CHECK(cw_result_write(&r2, &doc2) == CW_OK, "write with a tail failed");
        if (doc2.len != doc.len || memcmp(doc2.data, doc.data, doc.len) != 0) {
            cwf_dump("direct", doc.data, doc.len);
            cwf_dump("with tail", doc2.data, doc2.len);
            cwf_fail("writing the tail ahead changes the document");
        }
        cw_buf_free(&tail);
        cw_buf_free(&doc2);
    } else if (doc.data) {
        CWF_CHECK(doc.data[doc.len] == '\0', "truncated document is not NUL-terminated");
    }

    cw_buf_free(&doc);
    cw_buf_free(&duk);
    cw_buf_free(&output);
    cw_buf_free(&logs);
    cw_buf_free(&adjust);
    cw_buf_free(&audit);
    for (unsigned i = 0; i < 4; i++)
        free(msgs[i]);
    free(note);
    free(act);
    free(job_id);
    free(name);
    free(message);
    free(stack);
    free(outsrc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_bytes((const char *)data, size);
    cwf_in_t in = {data, size};
    build_and_check(&in);
    return 0;
}
