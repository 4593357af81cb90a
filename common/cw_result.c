/* cw_result.c -- result codes and the result serializer. */
#include "cw_result.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cw_utf8.h"

const char *cw_rescode2str(cw_rescode_t code) {
    switch (code) {
#define CW_RES_STR_(name, str)                                                 \
    case name:                                                                 \
        return str;
        CW_RESCODE_TABLE(CW_RES_STR_)
#undef CW_RES_STR_
    case CW_RES__COUNT:
        break;
    }
    return "UNKNOWN";
}

void cw_result_init(cw_result_t *r) {
    memset(r, 0, sizeof(*r));
    r->timeout_s = -1;
    r->memory_mb = -1;
}

void cw_result_iso8601(int64_t ms, char *buf, size_t size) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* Formatted where every int fits, then copied (clipped) into the caller's
     * buffer: 25 bytes for any year of four digits. */
    char tmp[128];
    int n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    if (!size)
        return;
    size_t len = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    memcpy(buf, tmp, len);
    buf[len] = '\0';
}

static cw_err_t cw_result_str(cw_buf_t *out, const char *key, const char *s, size_t max) {
    cw_err_t err = cw_buf_printf(out, ",\"%s\":", key);
    if (err)
        return err;
    if (!s)
        return cw_buf_puts(out, "null");
    size_t n = strlen(s);
    return cw_utf8_json_string(out, s, cw_utf8_clip(s, n, max));
}

static cw_err_t cw_result_time(cw_buf_t *out, const char *key, int64_t ms) {
    char iso[40];
    if (!ms)
        return cw_buf_printf(out, ",\"%s\":null", key);
    cw_result_iso8601(ms, iso, sizeof(iso));
    return cw_buf_printf(out, ",\"%s\":\"%s\"", key, iso);
}

cw_err_t cw_result_write_tail(const cw_result_t *r, cw_buf_t *out) {
    cw_err_t err = r->timeout_s >= 0 ? cw_buf_printf(out, "\"timeout\":%g", r->timeout_s)
                                     : cw_buf_puts(out, "\"timeout\":null");
    if (!err)
        err = r->memory_mb >= 0 ? cw_buf_printf(out, ",\"memoryLimit\":%g", r->memory_mb)
                                : cw_buf_puts(out, ",\"memoryLimit\":null");
    if (!err)
        err = cw_buf_puts(out, ",\"limitAdjustments\":[");
    if (!err && r->adjust_json)
        err = cw_buf_append(out, r->adjust_json, r->adjust_len);
    if (!err)
        err = cw_buf_putc(out, ']');
    if (!err && r->time_zone)
        err = cw_result_str(out, "timeZone", r->time_zone, 64);
    if (!err && r->has_replay) {
        err = cw_buf_printf(out,
                            ",\"replay\":{\"seed\":%llu,\"startedAt\":%lld,\"clock\":\"%s\",\"codeworker\":\"%s\","
                            "\"duktape\":%ld",
                            (unsigned long long)r->replay_seed,
                            (long long)r->replay_clock_ms,
                            r->replay_logical ? "logical" : "real", r->replay_version ? r->replay_version : "",
                            r->replay_duktape);
        if (!err && r->replay_runtime)
            err = cw_result_str(out, "runtime", r->replay_runtime, 80);
        if (!err && r->replay_icu)
            err = cw_result_str(out, "icu", r->replay_icu, 32);
        if (!err)
            err = cw_buf_putc(out, '}');
    }
    if (!err && r->audit_json && r->audit_len) {
        err = cw_buf_putc(out, ',');
        if (!err)
            err = cw_buf_append(out, r->audit_json, r->audit_len);
    }
    return err;
}

cw_err_t cw_result_write(const cw_result_t *r, cw_buf_t *out) {
    int ok = r->code == CW_RES_SUCCESS;
    cw_err_t err = cw_buf_puts(out, "{\"jobId\":");
#define CW_TRY(expr)                                                           \
    do {                                                                       \
        if ((err = (expr)))                                                    \
            return err;                                                        \
    } while (0)
    if (err)
        return err;
    CW_TRY(r->job_id ? cw_utf8_json_string(out, r->job_id, strlen(r->job_id))
                     : cw_buf_puts(out, "null"));
    CW_TRY(cw_buf_printf(out, ",\"success\":%s,\"resultCode\":\"%s\",\"errorType\":",
                         ok ? "true" : "false", cw_rescode2str(r->code)));
    if (ok)
        CW_TRY(cw_buf_puts(out, "null"));
    else
        CW_TRY(cw_buf_printf(out, "\"%s\"", cw_rescode2str(r->code)));
    CW_TRY(cw_buf_puts(out, ",\"output\":"));
    if (r->output_json && r->output_len)
        CW_TRY(cw_buf_append(out, r->output_json, r->output_len));
    else
        CW_TRY(cw_buf_puts(out, "null"));
    CW_TRY(cw_buf_puts(out, ",\"logs\":["));
    if (r->logs_json)
        CW_TRY(cw_buf_append(out, r->logs_json, r->logs_len));
    CW_TRY(cw_buf_printf(out, "],\"logsTruncated\":%s", r->logs_truncated ? "true" : "false"));
    if (r->logs_recovered)
        CW_TRY(cw_buf_printf(out, ",\"logsRecovered\":%s", r->logs_recovered > 0 ? "true" : "false"));
    CW_TRY(cw_buf_puts(out, ",\"error\":"));
    if (ok) {
        CW_TRY(cw_buf_puts(out, "null"));
    } else {
        CW_TRY(cw_buf_puts(out, "{\"name\":"));
        CW_TRY(r->err_name ? cw_utf8_json_string(out, r->err_name,
                                                 cw_utf8_clip(r->err_name, strlen(r->err_name), 256))
                           : cw_buf_puts(out, "null"));
        CW_TRY(cw_result_str(out, "message", r->err_message ? r->err_message : "",
                             CW_RESULT_MAX_ERR_MESSAGE));
        CW_TRY(r->err_line > 0 ? cw_buf_printf(out, ",\"line\":%ld", r->err_line)
                               : cw_buf_puts(out, ",\"line\":null"));
        CW_TRY(r->err_column > 0 ? cw_buf_printf(out, ",\"column\":%ld", r->err_column)
                                 : cw_buf_puts(out, ",\"column\":null"));
        CW_TRY(cw_result_str(out, "stack", r->err_stack, CW_RESULT_MAX_ERR_STACK));
        CW_TRY(cw_buf_putc(out, '}'));
    }
    CW_TRY(cw_buf_printf(out, ",\"executionTimeMs\":%.3f,\"memoryPeakBytes\":%zu",
                         r->exec_ms < 0 ? 0.0 : r->exec_ms, r->mem_peak));
    CW_TRY(cw_result_time(out, "startedAt", r->started_ms));
    CW_TRY(cw_result_time(out, "endedAt", r->ended_ms));
    if (r->tail_json) {
        CW_TRY(cw_buf_putc(out, ','));
        CW_TRY(cw_buf_append(out, r->tail_json, r->tail_len));
    } else {
        CW_TRY(cw_buf_putc(out, ','));
        CW_TRY(cw_result_write_tail(r, out));
    }
    CW_TRY(cw_buf_putc(out, '}'));
#undef CW_TRY
    return CW_OK;
}
