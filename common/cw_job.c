/*
 * cw_job.c -- job message parsing and validation (executor side only).
 */
#include "cw_job.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cw_utf8.h"

void cw_job_limits_default(cw_job_limits_t *l) {
    l->max_message_bytes = 8u << 20;
    l->max_code_bytes = 1u << 20;
    l->max_id_bytes = 256;
    l->max_context_bytes = 64u << 10;
    l->timeout_default_s = 30, l->timeout_min_s = 1, l->timeout_max_s = 120;
    l->memory_default_mb = 128, l->memory_min_mb = 8, l->memory_max_mb = 512;
}

void cw_job_free(cw_job_t *job) {
    free(job->job_id);
    free(job->code);
    free(job->action_id);
    free(job->user_id);
    free(job->reply_topic);
    cJSON_Delete(job->input);
    cw_buf_free(&job->adjustments);
    cw_buf_free(&job->audit);
    memset(job, 0, sizeof(*job));
}

static char *cw_job_strdup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Every string and key in the tree must be well-formed UTF-8. */
static int cw_job_tree_utf8(const cJSON *v) {
    for (; v; v = v->next) {
        if (v->string && !cw_utf8_valid(v->string, strlen(v->string)))
            return 0;
        if (cJSON_IsString(v) && !cw_utf8_valid(v->valuestring, strlen(v->valuestring)))
            return 0;
        if (v->child && !cw_job_tree_utf8(v->child))
            return 0;
    }
    return 1;
}

/* Read a numeric limit: number or numeric string.  Returns 1 if numeric. */
static int cw_job_number(const cJSON *v, double *out) {
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return isfinite(*out);
    }
    if (cJSON_IsString(v) && v->valuestring[0]) {
        char *end;
        double d = strtod(v->valuestring, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (*end == '\0' && isfinite(d)) {
            *out = d;
            return 1;
        }
    }
    return 0;
}

static cw_err_t cw_job_note(cw_job_t *job, const char *line) {
    cw_err_t err = job->adjustments.len ? cw_buf_putc(&job->adjustments, ',') : CW_OK;
    if (!err)
        err = cw_utf8_json_string(&job->adjustments, line, strlen(line));
    return err;
}

static cw_err_t cw_job_limit(cw_job_t *job, const cJSON *obj, const char *name, double def,
                             double lo, double hi, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    double d;
    if (!v || cJSON_IsNull(v)) {
        *out = def;
        return CW_OK;
    }
    char line[160];
    if (!cw_job_number(v, &d)) {
        *out = def;
        snprintf(line, sizeof(line), "%s is not a number; the default %g is used", name, def);
        return cw_job_note(job, line);
    }
    if (d < lo || d > hi) {
        *out = d < lo ? lo : hi;
        snprintf(line, sizeof(line), "%s %g is out of range; clamped to %g", name, d, *out);
        return cw_job_note(job, line);
    }
    *out = d;
    return CW_OK;
}

/* Parse "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" into epoch ms. */
static int cw_job_parse_iso8601(const char *s, int64_t *ms) {
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return 0;
    const char *p = s + n;
    int off_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2)
            return 0;
        off_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 1 + k;
    } else {
        return 0;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        !isfinite(sec) || sec < 0 || sec >= 61 || y < 1 || y > 9999)
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = 0;
    time_t t = timegm(&tm);
    *ms = (int64_t)t * 1000 + (int64_t)(sec * 1000.0) - (int64_t)off_min * 60000;
    return 1;
}

#define CW_JOB_FAIL(...)                                                       \
    do {                                                                       \
        snprintf(errbuf, errbuf_size, __VA_ARGS__);                            \
        err = CW_ERR_INVALID;                                                  \
        goto done;                                                             \
    } while (0)

cw_err_t cw_job_parse(const char *msg, size_t len, const cw_job_limits_t *lim, cw_job_t *job,
                      char *errbuf, size_t errbuf_size) {
    cw_err_t err = CW_OK;
    cJSON *root = NULL;
    memset(job, 0, sizeof(*job));
    cw_buf_init(&job->adjustments, 16u << 10);
    cw_buf_init(&job->audit, lim->max_context_bytes + 4 * lim->max_id_bytes + 256);
    if (errbuf_size)
        errbuf[0] = '\0';

    if (len > lim->max_message_bytes)
        CW_JOB_FAIL("job message is %zu bytes; the limit is %zu", len, lim->max_message_bytes);
    root = cJSON_ParseWithLength(msg, len);
    if (!root)
        CW_JOB_FAIL("job message is not valid JSON");
    if (!cJSON_IsObject(root))
        CW_JOB_FAIL("job message must be a JSON object");

    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "jobId");
    if (!id || cJSON_IsNull(id))
        CW_JOB_FAIL("jobId is required");
    if (!cJSON_IsString(id))
        CW_JOB_FAIL("jobId must be a string");
    size_t idlen = strlen(id->valuestring);
    if (idlen == 0 || idlen > lim->max_id_bytes)
        CW_JOB_FAIL("jobId must be 1 to %zu bytes", lim->max_id_bytes);
    if (!cw_utf8_valid(id->valuestring, idlen))
        CW_JOB_FAIL("jobId is not valid UTF-8");
    if (!(job->job_id = cw_job_strdup(id->valuestring, idlen))) {
        err = CW_ERR_NOMEM;
        goto done;
    }

    if (!cw_job_tree_utf8(root->child))
        CW_JOB_FAIL("job message contains invalid UTF-8");

    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(root, "language");
    if (lang && !cJSON_IsNull(lang)) {
        if (!cJSON_IsString(lang))
            CW_JOB_FAIL("language must be a string");
        if (strcasecmp(lang->valuestring, "javascript") && strcasecmp(lang->valuestring, "js"))
            CW_JOB_FAIL("unsupported language \"%.40s\"; only \"javascript\" is supported",
                        lang->valuestring);
    }

    const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
    if (!code || cJSON_IsNull(code))
        CW_JOB_FAIL("code is required");
    if (!cJSON_IsString(code))
        CW_JOB_FAIL("code must be a string");
    job->code_len = strlen(code->valuestring);
    if (job->code_len > lim->max_code_bytes)
        CW_JOB_FAIL("code is %zu bytes; the limit is %zu", job->code_len, lim->max_code_bytes);

    cJSON *input = cJSON_GetObjectItemCaseSensitive(root, "inputData");
    if (!input) {
        job->input = cJSON_CreateObject();
    } else if (cJSON_IsString(input)) {
        /* MemberJunction sends inputData as a string holding JSON. */
        job->input = cJSON_Parse(input->valuestring);
        if (!job->input)
            CW_JOB_FAIL("inputData is a string but not valid JSON");
    } else {
        job->input = cJSON_DetachItemViaPointer(root, input);
    }
    if (!job->input) {
        err = CW_ERR_NOMEM;
        goto done;
    }

    if ((err = cw_job_limit(job, root, "timeout", lim->timeout_default_s, lim->timeout_min_s,
                            lim->timeout_max_s, &job->timeout_s)))
        goto done;
    if ((err = cw_job_limit(job, root, "memoryLimit", lim->memory_default_mb, lim->memory_min_mb,
                            lim->memory_max_mb, &job->memory_mb)))
        goto done;

    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expiresAt");
    if (exp && !cJSON_IsNull(exp)) {
        if (cJSON_IsNumber(exp) && isfinite(exp->valuedouble) && exp->valuedouble > 0 &&
            exp->valuedouble < 1e15)
            job->expires_at_ms = (int64_t)exp->valuedouble;
        else if (!cJSON_IsString(exp) || !cw_job_parse_iso8601(exp->valuestring, &job->expires_at_ms))
            CW_JOB_FAIL("expiresAt must be epoch milliseconds or an ISO-8601 timestamp with zone");
    }

    const cJSON *reply = cJSON_GetObjectItemCaseSensitive(root, "replyTopic");
    if (reply && !cJSON_IsNull(reply)) {
        if (!cJSON_IsString(reply) || !reply->valuestring[0] || strlen(reply->valuestring) > 249)
            CW_JOB_FAIL("replyTopic must be a topic name of 1 to 249 bytes");
        if (!(job->reply_topic = cw_job_strdup(reply->valuestring, strlen(reply->valuestring)))) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }

    /* timeZone: the job's local zone; only its shape is checked here, the
     * executor asks ICU whether the zone exists (worker/cw_tz.h). */
    const cJSON *tz = cJSON_GetObjectItemCaseSensitive(root, "timeZone");
    if (tz && !cJSON_IsNull(tz)) {
        if (!cJSON_IsString(tz) || !tz->valuestring[0] || strlen(tz->valuestring) >= sizeof(job->time_zone) ||
            strspn(tz->valuestring, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
                strlen(tz->valuestring))
            CW_JOB_FAIL("timeZone must be an IANA time zone name such as \"Europe/Berlin\"");
        memcpy(job->time_zone, tz->valuestring, strlen(tz->valuestring) + 1);
    }

    static const char *const ids[] = {"actionId", "userId", "agentRunId"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, ids[i]);
        if (!v || cJSON_IsNull(v))
            continue;
        if (!cJSON_IsString(v))
            CW_JOB_FAIL("%s must be a string", ids[i]);
        size_t n = strlen(v->valuestring);
        if (n > lim->max_id_bytes)
            CW_JOB_FAIL("%s is longer than %zu bytes", ids[i], lim->max_id_bytes);
        if ((err = cw_buf_printf(&job->audit, "%s\"%s\":", job->audit.len ? "," : "", ids[i])) ||
            (err = cw_utf8_json_string(&job->audit, v->valuestring, n)))
            goto done;
        char **keep = i == 0 ? &job->action_id : i == 1 ? &job->user_id : NULL;
        if (keep && !(*keep = cw_job_strdup(v->valuestring, n))) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
    if (ctx && !cJSON_IsNull(ctx)) {
        char *text = cJSON_PrintUnformatted(ctx);
        if (!text) {
            err = CW_ERR_NOMEM;
            goto done;
        }
        size_t n = strlen(text);
        if (n > lim->max_context_bytes) {
            free(text);
            CW_JOB_FAIL("context is %zu bytes serialized; the limit is %zu", n,
                        lim->max_context_bytes);
        }
        err = cw_buf_printf(&job->audit, "%s\"context\":", job->audit.len ? "," : "");
        if (!err)
            err = cw_buf_append(&job->audit, text, n);
        free(text);
        if (err)
            goto done;
    }

    if (!(job->code = cw_job_strdup(code->valuestring, job->code_len)))
        err = CW_ERR_NOMEM;
done:
    if (err == CW_ERR_TOOBIG) {
        snprintf(errbuf, errbuf_size, "job fields exceed their size limits");
        err = CW_ERR_INVALID;
    }
    cJSON_Delete(root);
    return err;
}
