/* cw_span.c -- OTLP/JSON spans (the why is in cw_span.h). */
#include "cw_span.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "cw_trace.h"
#include "cw_utf8.h"

cw_err_t cw_span_random_id(uint8_t *id, size_t n) {
    for (int tries = 0; tries < 4; tries++) {
        size_t got = 0;
        while (got < n) {
            ssize_t r = getrandom(id + got, n - got, 0);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return CW_ERR_SYSTEM;
            }
            got += (size_t)r;
        }
        for (size_t i = 0; i < n; i++)
            if (id[i])
                return CW_OK;
    }
    return CW_ERR_SYSTEM;
}

static int cw_span_hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int cw_span_unhex(const char *s, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int hi = cw_span_hexval(s[2 * i]), lo = cw_span_hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

cw_err_t cw_span_from_traceparent(const char *tp, size_t len, uint8_t trace_id[16], uint8_t parent_id[8],
                                  int *sampled) {
    /* version(2) - trace-id(32) - parent-id(16) - flags(2) */
    if (!tp || !cw_trace_parent_ok(tp, len) || len < 55)
        return CW_ERR_INVALID;
    uint8_t flags;
    if (cw_span_unhex(tp + 3, trace_id, 16) || cw_span_unhex(tp + 36, parent_id, 8) ||
        cw_span_unhex(tp + 53, &flags, 1))
        return CW_ERR_INVALID;
    *sampled = flags & 1;
    return CW_OK;
}

static cw_err_t cw_span_hex(cw_buf_t *b, const uint8_t *id, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char tmp[64];
    for (size_t i = 0; i < n && i < 32; i++) {
        tmp[2 * i] = digits[id[i] >> 4];
        tmp[2 * i + 1] = digits[id[i] & 15];
    }
    cw_err_t err = cw_buf_putc(b, '"');
    if (!err)
        err = cw_buf_append(b, tmp, 2 * n);
    if (!err)
        err = cw_buf_putc(b, '"');
    return err;
}

static int cw_span_zero(const uint8_t *id, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (id[i])
            return 0;
    return 1;
}

static cw_err_t cw_span_str(cw_buf_t *b, const char *s) {
    return cw_utf8_json_string(b, s, strlen(s));
}

static cw_err_t cw_span_attr(cw_buf_t *b, const cw_span_attr_t *a, int first) {
    cw_err_t err = cw_buf_puts(b, first ? "{\"key\":" : ",{\"key\":");
    if (!err)
        err = cw_span_str(b, a->key);
    if (err)
        return err;
    switch (a->type) {
    case CW_ATTR_STR:
        err = cw_buf_puts(b, ",\"value\":{\"stringValue\":");
        if (!err)
            err = cw_span_str(b, a->s);
        if (!err)
            err = cw_buf_puts(b, "}}");
        break;
    case CW_ATTR_INT:
        err = cw_buf_printf(b, ",\"value\":{\"intValue\":\"%lld\"}}", (long long)a->i);
        break;
    default:
        err = cw_buf_printf(b, ",\"value\":{\"boolValue\":%s}}", a->i ? "true" : "false");
        break;
    }
    return err;
}

cw_err_t cw_span_encode(cw_buf_t *b, const cw_span_t *s) {
    int64_t end = s->end_ns < s->start_ns ? s->start_ns : s->end_ns;
    cw_err_t err = cw_buf_puts(b, "{\"traceId\":");
    if (!err)
        err = cw_span_hex(b, s->trace_id, 16);
    if (!err)
        err = cw_buf_puts(b, ",\"spanId\":");
    if (!err)
        err = cw_span_hex(b, s->span_id, 8);
    if (!err && !cw_span_zero(s->parent_id, 8)) {
        err = cw_buf_puts(b, ",\"parentSpanId\":");
        if (!err)
            err = cw_span_hex(b, s->parent_id, 8);
    }
    if (!err)
        err = cw_buf_puts(b, ",\"name\":");
    if (!err)
        err = cw_span_str(b, s->name ? s->name : "");
    if (!err)
        err = cw_buf_printf(b, ",\"kind\":%d,\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"",
                            (int)s->kind, (long long)s->start_ns, (long long)end);
    int first = 1;
    for (int i = 0; !err && i < s->nattrs && i < CW_SPAN_MAX_ATTRS; i++) {
        const cw_span_attr_t *a = &s->attrs[i];
        if (!a->key || (a->type == CW_ATTR_STR && !a->s))
            continue;
        if (first)
            err = cw_buf_puts(b, ",\"attributes\":[");
        if (!err)
            err = cw_span_attr(b, a, first);
        first = 0;
    }
    if (!err && !first)
        err = cw_buf_putc(b, ']');
    if (!err && s->status != CW_SPAN_UNSET) {
        err = cw_buf_printf(b, ",\"status\":{\"code\":%d", (int)s->status);
        if (!err && s->status_message) {
            err = cw_buf_puts(b, ",\"message\":");
            if (!err)
                err = cw_span_str(b, s->status_message);
        }
        if (!err)
            err = cw_buf_putc(b, '}');
    }
    if (!err)
        err = cw_buf_putc(b, '}');
    return err;
}

cw_err_t cw_span_request(cw_buf_t *b, const char *service, const char *version, const char *instance,
                         const char *spans, size_t spans_len) {
    cw_err_t err = cw_buf_puts(b, "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
                                  "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
    if (!err)
        err = cw_span_str(b, service);
    if (!err)
        err = cw_buf_puts(b, "}},{\"key\":\"service.version\",\"value\":{\"stringValue\":");
    if (!err)
        err = cw_span_str(b, version);
    if (!err && instance) {
        err = cw_buf_puts(b, "}},{\"key\":\"service.instance.id\",\"value\":{\"stringValue\":");
        if (!err)
            err = cw_span_str(b, instance);
    }
    if (!err)
        err = cw_buf_puts(b, "}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"codeworker\",\"version\":");
    if (!err)
        err = cw_span_str(b, version);
    if (!err)
        err = cw_buf_puts(b, "},\"spans\":[");
    if (!err)
        err = cw_buf_append(b, spans, spans_len);
    if (!err)
        err = cw_buf_puts(b, "]}]}]}");
    return err;
}
