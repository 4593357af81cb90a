/*
 * cw_job.c -- job message parsing and validation (executor side only).
 *
 * The message is checked once, whole, by cw_json_check() (strict RFC 8259,
 * no recursion, nesting limit, duplicate top-level keys); its callback only
 * remembers where each known top-level field's value lies.  Fields are then
 * decoded from those spans one by one, with their lengths, so a U+0000 is
 * carried (or rejected where a C string is needed) instead of cutting the
 * value short.  inputData stays text: it is converted to CESU-8 and decoded
 * by Duktape inside the job's heap, so a large input costs the executor
 * its text (about 1x, at most 1.5x the message) outside the heap cap
 * instead of a tree of C nodes many times its size.
 */
#include "cw_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cw_json.h"
#include "cw_trace.h"
#include "cw_utf8.h"

void cw_job_limits_default(cw_job_limits_t *l) {
    l->max_message_bytes = 8u << 20;
    l->max_code_bytes = 1u << 20;
    l->max_id_bytes = 256;
    l->max_context_bytes = 64u << 10;
    l->max_input_depth = 1000;
    l->timeout_default_s = 30, l->timeout_min_s = 1, l->timeout_max_s = 120;
    l->memory_default_mb = 128, l->memory_min_mb = 8, l->memory_max_mb = 512;
}

void cw_job_free(cw_job_t *job) {
    free(job->job_id);
    free(job->code);
    free(job->action_id);
    free(job->user_id);
    free(job->reply_topic);
    free(job->traceparent);
    free(job->tracestate);
    free(job->input);
    cw_buf_free(&job->adjustments);
    cw_buf_free(&job->audit);
    memset(job, 0, sizeof(*job));
}

/* The top-level fields the parser reads; any other member is ignored. */
enum {
    CW_F_JOBID,
    CW_F_CODE,
    CW_F_LANGUAGE,
    CW_F_INPUT,
    CW_F_TIMEOUT,
    CW_F_MEMORY,
    CW_F_EXPIRES,
    CW_F_REPLY,
    CW_F_ACTION,
    CW_F_USER,
    CW_F_AGENTRUN,
    CW_F_CONTEXT,
    CW_F_TZ,
    CW_F_SEED,
    CW_F_TRACEPARENT,
    CW_F_TRACESTATE,
    CW_F_CLOCKSTART,
    CW_F_COUNT
};
static const char *const cw_job_names[CW_F_COUNT] = {
    "jobId",      "code",       "language", "inputData", "timeout", "memoryLimit", "expiresAt",
    "replyTopic", "actionId",   "userId",   "agentRunId", "context",     "timeZone", "seed",
    "traceparent", "tracestate", "clockStart"};

typedef struct cw_job_field {
    unsigned seen;
    cw_json_type_t type;
    size_t off, len; /* the value's text in the message */
} cw_job_field_t;

typedef struct cw_job_env {
    const char *msg;
    cw_job_field_t f[CW_F_COUNT];
} cw_job_env_t;

static cw_err_t cw_job_member(void *ud, const cw_json_member_t *m) {
    cw_job_env_t *env = ud;
    for (int i = 0; i < CW_F_COUNT; i++) {
        if (m->key_len == strlen(cw_job_names[i]) && memcmp(m->key, cw_job_names[i], m->key_len) == 0) {
            cw_job_field_t *f = &env->f[i];
            f->seen++;
            f->type = m->type;
            f->off = m->off;
            f->len = m->len;
            break;
        }
    }
    return CW_OK;
}

/* Present and not null. */
static const cw_job_field_t *cw_job_get(const cw_job_env_t *env, int i) {
    const cw_job_field_t *f = &env->f[i];
    return f->seen && f->type != CW_JSON_NULL ? f : NULL;
}

/* Decode a string field into `out` (reset first); *lone counts unpaired
 * surrogate escapes. */
static cw_err_t cw_job_string(const cw_job_env_t *env, const cw_job_field_t *f, cw_buf_t *out, size_t *lone) {
    cw_buf_reset(out);
    *lone = 0;
    cw_err_t err = cw_json_unescape(env->msg + f->off + 1, f->len - 2, out, lone);
    if (!err)
        err = cw_buf_putc(out, '\0'); /* a terminator for C; len excludes it below */
    if (!err)
        out->len--;
    return err;
}

static char *cw_job_strdup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* An id-like string: no U+0000, no unpaired surrogate, UTF-8. */
static int cw_job_clean(const cw_buf_t *b, size_t lone) {
    return lone == 0 && !memchr(b->data, '\0', b->len) && cw_utf8_valid(b->data, b->len);
}

/* A numeric limit: a JSON number, or a string holding exactly a JSON number
 * (MemberJunction sends "30"); strtod alone would take "0x10", "inf" or
 * " 5".  Returns 1 if numeric and finite. */
static int cw_job_number(const cw_job_env_t *env, const cw_job_field_t *f, cw_buf_t *tmp, double *out) {
    size_t lone;
    if (f->type == CW_JSON_NUMBER) {
        cw_buf_reset(tmp);
        if (cw_buf_append(tmp, env->msg + f->off, f->len) || cw_buf_putc(tmp, '\0'))
            return -1;
    } else if (f->type == CW_JSON_STRING) {
        if (cw_job_string(env, f, tmp, &lone))
            return -1;
        if (!cw_json_is_number(tmp->data, tmp->len))
            return 0;
    } else {
        return 0;
    }
    *out = strtod(tmp->data, NULL);
    return isfinite(*out) ? 1 : 0;
}

static cw_err_t cw_job_note(cw_job_t *job, const char *line) {
    cw_err_t err = job->adjustments.len ? cw_buf_putc(&job->adjustments, ',') : CW_OK;
    if (!err)
        err = cw_utf8_json_string(&job->adjustments, line, strlen(line));
    return err;
}

static cw_err_t cw_job_limit(cw_job_t *job, const cw_job_env_t *env, int field, cw_buf_t *tmp, double def,
                             double lo, double hi, double *out) {
    const cw_job_field_t *v = cw_job_get(env, field);
    const char *name = cw_job_names[field];
    double d;
    if (!v) {
        *out = def;
        return CW_OK;
    }
    char line[160];
    int num = cw_job_number(env, v, tmp, &d);
    if (num < 0)
        return CW_ERR_NOMEM;
    if (!num) {
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

static int cw_job_digits(const char *s, int n, int *v) {
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)" (RFC 3339) into epoch ms;
 * digits only where digits belong (no signs, spaces or hex), real dates. */
static int cw_job_parse_iso8601(const char *s, size_t n, int64_t *ms) {
    int y, mo, d, h, mi, sec, frac = 0;
    if (n < 20 || !cw_job_digits(s, 4, &y) || s[4] != '-' || !cw_job_digits(s + 5, 2, &mo) || s[7] != '-' ||
        !cw_job_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !cw_job_digits(s + 11, 2, &h) ||
        s[13] != ':' || !cw_job_digits(s + 14, 2, &mi) || s[16] != ':' || !cw_job_digits(s + 17, 2, &sec))
        return 0;
    size_t p = 19;
    if (p < n && s[p] == '.') {
        size_t q = ++p;
        int scale = 100;
        while (p < n && s[p] >= '0' && s[p] <= '9') {
            frac += (s[p] - '0') * scale;
            scale /= 10;
            p++;
        }
        if (p == q)
            return 0;
    }
    int off_min = 0;
    if (p < n && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p < n && (s[p] == '+' || s[p] == '-')) {
        int oh, om;
        if (n - p < 6 || !cw_job_digits(s + p + 1, 2, &oh) || s[p + 3] != ':' ||
            !cw_job_digits(s + p + 4, 2, &om) || oh > 23 || om > 59)
            return 0;
        off_min = (oh * 60 + om) * (s[p] == '-' ? -1 : 1);
        p += 6;
    } else {
        return 0;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (p != n || y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || sec > 60)
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *ms = (int64_t)t * 1000 + frac - (int64_t)off_min * 60000;
    return 1;
}

#define CW_JOB_FAIL(...)                                                       \
    do {                                                                       \
        snprintf(errbuf, errbuf_size, __VA_ARGS__);                            \
        err = CW_ERR_INVALID;                                                  \
        goto done;                                                             \
    } while (0)

/* The reason for a fault the reader found, naming the field it is in. */
static void cw_job_fault(const cw_json_error_t *je, const cw_job_limits_t *lim, char *errbuf, size_t n) {
    char what[160];
    cw_json_describe(je, lim->max_input_depth, what, sizeof(what));
    switch (je->fault) {
    case CW_JSON_FAULT_DEPTH:
        snprintf(errbuf, n, "%s %s", je->member[0] ? je->member : "a field", what);
        break;
    case CW_JSON_FAULT_UTF8:
        if (je->member[0])
            snprintf(errbuf, n, "job message %s (in \"%s\")", what, je->member);
        else
            snprintf(errbuf, n, "job message %s", what);
        break;
    default:
        snprintf(errbuf, n, "job message %s", what);
        break;
    }
}

static cw_err_t cw_job_id(cw_job_t *job, const cw_job_env_t *env, const cw_job_limits_t *lim, cw_buf_t *tmp,
                          char *errbuf, size_t errbuf_size) {
    const cw_job_field_t *id = cw_job_get(env, CW_F_JOBID);
    cw_err_t err = CW_OK;
    size_t lone;
    if (env->f[CW_F_JOBID].seen > 1)
        CW_JOB_FAIL("job message has the key \"jobId\" more than once");
    if (!id)
        CW_JOB_FAIL("jobId is required");
    if (id->type != CW_JSON_STRING)
        CW_JOB_FAIL("jobId must be a string");
    if ((err = cw_job_string(env, id, tmp, &lone)))
        goto done;
    if (tmp->len == 0 || tmp->len > lim->max_id_bytes)
        CW_JOB_FAIL("jobId must be 1 to %zu bytes", lim->max_id_bytes);
    if (memchr(tmp->data, '\0', tmp->len))
        CW_JOB_FAIL("jobId must not contain U+0000");
    if (!cw_job_clean(tmp, lone))
        CW_JOB_FAIL("jobId is not valid UTF-8");
    if (!(job->job_id = cw_job_strdup(tmp->data, tmp->len)))
        err = CW_ERR_NOMEM;
done:
    return err;
}

cw_err_t cw_job_parse(const char *msg, size_t len, const cw_job_limits_t *lim, cw_job_t *job,
                      char *errbuf, size_t errbuf_size) {
    cw_err_t err = CW_OK;
    cw_buf_t tmp;
    size_t lone;
    char idwhy[128];
    memset(job, 0, sizeof(*job));
    cw_buf_init(&job->adjustments, 16u << 10);
    /* Each id may need six bytes per byte once escaped ("\u0001"). */
    cw_buf_init(&job->audit, lim->max_context_bytes + 3 * (6 * lim->max_id_bytes + 32) + 64);
    cw_buf_init(&tmp, 0);
    if (errbuf_size)
        errbuf[0] = '\0';
    cw_job_env_t env;
    memset(&env, 0, sizeof(env));
    env.msg = msg;

    if (len > lim->max_message_bytes)
        CW_JOB_FAIL("job message is %zu bytes; the limit is %zu", len, lim->max_message_bytes);
    /* The top-level object is one level; each field may nest max_input_depth. */
    cw_json_opts_t o = {lim->max_input_depth + 1, 0, cw_job_member, &env};
    cw_json_error_t je;
    if ((err = cw_json_check(msg, len, &o, &je)))
        goto done;

    /* The jobId first, whatever else is wrong, so the answer is addressed. */
    int id_ok = 0;
    if (env.f[CW_F_JOBID].seen) {
        if ((err = cw_job_id(job, &env, lim, &tmp, idwhy, sizeof(idwhy))) == CW_ERR_NOMEM)
            goto done;
        id_ok = err == CW_OK;
        err = CW_OK;
    }
    if (je.fault != CW_JSON_FAULT_NONE) {
        cw_job_fault(&je, lim, errbuf, errbuf_size);
        err = CW_ERR_INVALID;
        goto done;
    }
    if (!id_ok) {
        if (env.f[CW_F_JOBID].seen)
            CW_JOB_FAIL("%s", idwhy);
        CW_JOB_FAIL("jobId is required");
    }

    const cw_job_field_t *lang = cw_job_get(&env, CW_F_LANGUAGE);
    if (lang) {
        if (lang->type != CW_JSON_STRING)
            CW_JOB_FAIL("language must be a string");
        if ((err = cw_job_string(&env, lang, &tmp, &lone)))
            goto done;
        if (!cw_job_clean(&tmp, lone) ||
            (strcasecmp(tmp.data, "javascript") && strcasecmp(tmp.data, "js")))
            CW_JOB_FAIL("unsupported language \"%.*s\"; only \"javascript\" is supported",
                        cw_job_clean(&tmp, lone) ? (int)cw_utf8_clip(tmp.data, tmp.len, 40) : 0, tmp.data);
    }

    const cw_job_field_t *code = cw_job_get(&env, CW_F_CODE);
    if (!code)
        CW_JOB_FAIL("code is required");
    if (code->type != CW_JSON_STRING)
        CW_JOB_FAIL("code must be a string");
    if ((err = cw_job_string(&env, code, &tmp, &lone)))
        goto done;
    if (tmp.len > lim->max_code_bytes)
        CW_JOB_FAIL("code is %zu bytes; the limit is %zu", tmp.len, lim->max_code_bytes);
    if (lone)
        CW_JOB_FAIL("code contains an unpaired surrogate escape (\\uD800-\\uDFFF)");
    job->code_len = tmp.len;
    if (!(job->code = cw_job_strdup(tmp.data, tmp.len))) {
        err = CW_ERR_NOMEM;
        goto done;
    }

    /* inputData: text for the engine's decoder, astral characters as
     * surrogate pairs (CESU-8). */
    const cw_job_field_t *input = &env.f[CW_F_INPUT];
    cw_buf_t in;
    cw_buf_init(&in, 0);
    if (!input->seen) {
        err = cw_buf_puts(&in, "{}");
    } else if (input->type == CW_JSON_STRING) {
        /* MemberJunction sends inputData as a string holding JSON. */
        if ((err = cw_job_string(&env, input, &tmp, &lone)))
            goto input_done;
        cw_json_opts_t io = {lim->max_input_depth, 1, NULL, NULL};
        if ((err = cw_json_check(tmp.data, tmp.len, &io, &je)))
            goto input_done;
        if (je.fault != CW_JSON_FAULT_NONE) {
            char what[160];
            cw_json_describe(&je, lim->max_input_depth, what, sizeof(what));
            snprintf(errbuf, errbuf_size, "inputData is a string holding JSON, but it %s", what);
            err = CW_ERR_INVALID;
            goto input_done;
        }
        err = cw_json_to_cesu8(tmp.data, tmp.len, &in);
    } else {
        err = cw_json_to_cesu8(msg + input->off, input->len, &in);
    }
    if (!err)
        err = cw_buf_putc(&in, '\0');
input_done:
    if (err) {
        cw_buf_free(&in);
        goto done;
    }
    job->input = cw_buf_steal(&in, &job->input_len);
    job->input_len--;

    if ((err = cw_job_limit(job, &env, CW_F_TIMEOUT, &tmp, lim->timeout_default_s, lim->timeout_min_s,
                            lim->timeout_max_s, &job->timeout_s)))
        goto done;
    if ((err = cw_job_limit(job, &env, CW_F_MEMORY, &tmp, lim->memory_default_mb, lim->memory_min_mb,
                            lim->memory_max_mb, &job->memory_mb)))
        goto done;

    const cw_job_field_t *exp = cw_job_get(&env, CW_F_EXPIRES);
    if (exp) {
        int ok = 0;
        if (exp->type == CW_JSON_NUMBER) {
            double d;
            int num = cw_job_number(&env, exp, &tmp, &d);
            if (num < 0) {
                err = CW_ERR_NOMEM;
                goto done;
            }
            if (num && d > 0 && d < 1e15) {
                job->expires_at_ms = (int64_t)d;
                ok = 1;
            }
        } else if (exp->type == CW_JSON_STRING) {
            if ((err = cw_job_string(&env, exp, &tmp, &lone)))
                goto done;
            ok = cw_job_parse_iso8601(tmp.data, tmp.len, &job->expires_at_ms);
        }
        if (!ok)
            CW_JOB_FAIL("expiresAt must be epoch milliseconds or an ISO-8601 timestamp with zone");
    }

    const cw_job_field_t *reply = cw_job_get(&env, CW_F_REPLY);
    if (reply) {
        if (reply->type == CW_JSON_STRING && (err = cw_job_string(&env, reply, &tmp, &lone)))
            goto done;
        if (reply->type != CW_JSON_STRING || tmp.len == 0 || tmp.len > 249 || !cw_job_clean(&tmp, lone))
            CW_JOB_FAIL("replyTopic must be a topic name of 1 to 249 bytes (no U+0000)");
        if (!(job->reply_topic = cw_job_strdup(tmp.data, tmp.len))) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }

    /* timeZone: the job's local zone; only its shape is checked here, the
     * executor asks ICU whether the zone exists (worker/cw_tz.h). */
    const cw_job_field_t *tz = cw_job_get(&env, CW_F_TZ);
    if (tz) {
        if (tz->type == CW_JSON_STRING && (err = cw_job_string(&env, tz, &tmp, &lone)))
            goto done;
        if (tz->type != CW_JSON_STRING || tmp.len == 0 || tmp.len >= sizeof(job->time_zone) ||
            strspn(tmp.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != tmp.len)
            CW_JOB_FAIL("timeZone must be an IANA time zone name such as \"Europe/Berlin\"");
        memcpy(job->time_zone, tmp.data, tmp.len);
        job->time_zone[tmp.len] = '\0';
    }

    /* seed: the Math.random seed a caller asks for, so the same job with the
     * same seed draws the same sequence (README "Replay").  A JSON integer
     * 0..2^53-1 so it round-trips exactly through any JSON reader. */
    const cw_job_field_t *sd = cw_job_get(&env, CW_F_SEED);
    if (sd) {
        double v = -1;
        if (sd->type != CW_JSON_NUMBER || cw_job_number(&env, sd, &tmp, &v) != 1 || !(v >= 0) ||
            v > 9007199254740991.0 || v != (double)(uint64_t)v)
            CW_JOB_FAIL("seed must be an integer from 0 to 9007199254740991");
        job->seed = (uint64_t)v;
        job->has_seed = 1;
    }

    /* clockStart: where the job's Date.now() starts, in Unix milliseconds
     * (an integer within Date's range, 0 to 8.64e15): `codeworker replay`
     * passes a result's recorded start so the job sees the same dates. */
    const cw_job_field_t *cs = cw_job_get(&env, CW_F_CLOCKSTART);
    if (cs) {
        double v = -1;
        if (cs->type != CW_JSON_NUMBER || cw_job_number(&env, cs, &tmp, &v) != 1 || !(v >= 0) ||
            v > 8.64e15 || v != floor(v))
            CW_JOB_FAIL("clockStart must be an integer number of Unix milliseconds from 0 to 8640000000000000");
        job->clock_start_ms = (int64_t)v;
        job->has_clock_start = 1;
    }

    /* traceparent/tracestate: the W3C trace context of a caller that cannot
     * set Kafka headers (cw_trace.h).  A value given but malformed is the
     * caller's mistake, said as such; tracestate alone means nothing (W3C)
     * and is dropped. */
    static const int trace[] = {CW_F_TRACEPARENT, CW_F_TRACESTATE};
    for (size_t i = 0; i < sizeof(trace) / sizeof(trace[0]); i++) {
        const cw_job_field_t *v = cw_job_get(&env, trace[i]);
        if (!v)
            continue;
        if (v->type == CW_JSON_STRING && (err = cw_job_string(&env, v, &tmp, &lone)))
            goto done;
        int parent = trace[i] == CW_F_TRACEPARENT;
        if (v->type != CW_JSON_STRING || (parent ? !cw_trace_parent_ok(tmp.data, tmp.len)
                                                 : !cw_trace_state_ok(tmp.data, tmp.len)))
            CW_JOB_FAIL(parent ? "traceparent must be a W3C traceparent: 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex "
                                 "flags>, lowercase, ids not all zero"
                               : "tracestate must be a W3C tracestate: up to 512 printable ASCII characters in up to "
                                 "32 list members");
        char **keep = parent ? &job->traceparent : &job->tracestate;
        if (!(*keep = cw_job_strdup(tmp.data, tmp.len))) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }
    if (!job->traceparent) {
        free(job->tracestate);
        job->tracestate = NULL;
    }

    static const int ids[] = {CW_F_ACTION, CW_F_USER, CW_F_AGENTRUN};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const char *name = cw_job_names[ids[i]];
        const cw_job_field_t *v = cw_job_get(&env, ids[i]);
        if (!v)
            continue;
        if (v->type != CW_JSON_STRING)
            CW_JOB_FAIL("%s must be a string", name);
        if ((err = cw_job_string(&env, v, &tmp, &lone)))
            goto done;
        if (tmp.len > lim->max_id_bytes)
            CW_JOB_FAIL("%s is longer than %zu bytes", name, lim->max_id_bytes);
        if (memchr(tmp.data, '\0', tmp.len))
            CW_JOB_FAIL("%s must not contain U+0000", name);
        if (!cw_job_clean(&tmp, lone))
            CW_JOB_FAIL("%s is not valid UTF-8", name);
        if ((err = cw_buf_printf(&job->audit, "%s\"%s\":", job->audit.len ? "," : "", name)) ||
            (err = cw_utf8_json_string(&job->audit, tmp.data, tmp.len)))
            goto done;
        char **keep = ids[i] == CW_F_ACTION ? &job->action_id : ids[i] == CW_F_USER ? &job->user_id : NULL;
        if (keep && !(*keep = cw_job_strdup(tmp.data, tmp.len))) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }
    /* context: copied as the job wrote it, less the whitespace between tokens. */
    const cw_job_field_t *ctx = cw_job_get(&env, CW_F_CONTEXT);
    if (ctx) {
        cw_buf_reset(&tmp);
        if ((err = cw_json_minify(msg + ctx->off, ctx->len, &tmp)))
            goto done;
        if (tmp.len > lim->max_context_bytes)
            CW_JOB_FAIL("context is %zu bytes serialized; the limit is %zu", tmp.len, lim->max_context_bytes);
        if ((err = cw_buf_printf(&job->audit, "%s\"context\":", job->audit.len ? "," : "")) ||
            (err = cw_buf_append(&job->audit, tmp.data, tmp.len)))
            goto done;
    }
done:
    if (err == CW_ERR_TOOBIG) {
        snprintf(errbuf, errbuf_size, "job fields exceed their size limits");
        err = CW_ERR_INVALID;
    }
    cw_buf_free(&tmp);
    return err;
}
