/* cw_conf.c -- the property table and its three loaders. */
#include "cw_conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum { CW_CT_STR, CW_CT_INT, CW_CT_BOOL, CW_CT_DELIVERY } cw_conf_type_t;

typedef struct cw_conf_prop {
    const char *name;
    cw_conf_type_t type;
    size_t offset, size;
    long min, max;
    const char *def; /* NULL: computed in cw_conf_init */
    const char *desc;
} cw_conf_prop_t;

#define CW_S(field) CW_CT_STR, offsetof(cw_conf_t, field), sizeof(((cw_conf_t *)0)->field)
#define CW_I(field) CW_CT_INT, offsetof(cw_conf_t, field), sizeof(int)
#define CW_B(field) CW_CT_BOOL, offsetof(cw_conf_t, field), sizeof(int)

static const cw_conf_prop_t cw_conf_props[] = {
    {"brokers", CW_S(brokers), 0, 0, "127.0.0.1:9092", "Kafka bootstrap servers (host:port,...), or \"mock\" for an in-process mock cluster"},
    {"jobs.topic", CW_S(jobs_topic), 0, 0, "execute-code.jobs", "topic the jobs are consumed from"},
    {"results.topic", CW_S(results_topic), 0, 0, "execute-code.results", "topic results are published to (key = jobId)"},
    {"dlq.topic", CW_S(dlq_topic), 0, 0, "execute-code.dlq", "dead-letter topic for messages without a readable jobId"},
    {"cancel.topic", CW_S(cancel_topic), 0, 0, "execute-code.cancel", "compacted topic of cancel records (key = jobId) that every worker follows; empty = cancellation off"},
    {"cancel.lookback.ms", CW_I(cancel_lookback_ms), 0, 604800000, "3600000", "at start-up, read the cancel records of this many past milliseconds (jobs may have waited that long)"},
    {"cancel.max.entries", CW_I(cancel_max_entries), 1, 10000000, "100000", "cancelled jobIds remembered; the oldest is forgotten first"},
    {"logs.topic", CW_S(logs_topic), 0, 0, "", "topic the console lines of running jobs are published to as they are written (key = jobId), for live tailing (codeworker submit --wait --follow); empty = off"},
    {"logs.interval.ms", CW_I(logs_interval_ms), 10, 10000, "100", "how often the lines of running jobs are gathered for logs.topic"},
    {"group", CW_S(group), 0, 0, "codeworker", "consumer group id; workers in one group share the partitions"},
    {"client.id", CW_S(client_id), 0, 0, "codeworker", "Kafka client.id prefix"},
    {"mock.inject", CW_S(mock_inject), 0, 0, "", "with brokers=mock only: request errors to inject, \"Api[@N]:ERR[,ERR...];...\" (after N results); for fault tests"},
    {"executors", CW_I(executors), 1, 256, NULL, "executor processes (default: number of CPUs)"},
    {"topics.create", CW_B(create_topics), 0, 1, "true", "create missing topics at start-up"},
    {"topics.partitions", CW_I(partitions), 1, 10000, "6", "partitions for topics created at start-up"},
    {"queue.max", CW_I(queue_max), 0, 100000, "0", "jobs held locally (queued + running) before fetching pauses; 0 = max(10000, 64 x executors)"},
    {"queue.max.bytes", CW_I(queue_max_bytes), 1 << 20, 1 << 30, "67108864", "job bytes held locally before fetching pauses"},
    {"metrics.bind", CW_S(metrics_bind), 0, 0, "127.0.0.1", "address for /healthz and /metrics"},
    {"metrics.port", CW_I(metrics_port), -1, 65535, "9464", "port for /healthz and /metrics; -1 disables, 0 picks a free port"},
    {"reply.topic.pattern", CW_S(reply_pattern), 0, 0, "", "POSIX extended regex a job's replyTopic must match in full to be honoured; empty = replyTopic ignored"},
    {"delivery", CW_CT_DELIVERY, offsetof(cw_conf_t, delivery), sizeof(int), 0, 1, "exactly-once", "exactly-once (Kafka transactions) | at-least-once"},
    {"drain.timeout.ms", CW_I(drain_timeout_ms), 0, 600000, "30000", "how long revoked partitions and SIGTERM wait for running jobs"},
    {"commit.interval.ms", CW_I(commit_interval_ms), 10, 60000, "100", "how often finished results and offsets are committed (a transaction in exactly-once mode)"},
    {"txn.max.results", CW_I(txn_max_results), 1, 100000, "1000", "exactly-once: commit a transaction early once this many results wait"},
    {"result.max.bytes", CW_I(result_max_bytes), 4096, 64 << 20, "1048576", "largest result document"},
    {"job.max.bytes", CW_I(job_max_bytes), 1024, 256 << 20, "8388608", "largest job message accepted; each executor may use 16x this outside its heap, and the topic and brokers must allow it (Kafka's max.message.bytes / message.max.bytes)"},
    {"executor.cache.mb", CW_I(executor_cache_mb), 1, 1 << 20, "64", "MiB of code cache per executor: job sources, lowered code, position maps and bytecode"},
    {"executor.recycle.mb", CW_I(executor_recycle_mb), 0, 1 << 20, "768", "replace an executor after a job once its C heap has grown by more than this many MiB since start-up, code cache included; 0 = never"},
    {"max.attempts", CW_I(max_attempts), 1, 100, "3", "attempts for a job whose executor crashes before it is dead-lettered"},
    {"modules.allowed", CW_S(modules_allowed), 0, 0, "lodash,date-fns,mathjs,papaparse,uuid,validator,jstat", "modules a job may require(), comma-separated; each must be built in"},
    {"otlp.endpoint", CW_S(otlp_url), 0, 0, "", "OTLP/HTTP traces URL of an OpenTelemetry collector (http://host:4318/v1/traces) that gets a span per job and per step (queue, lower, run, produce); empty = off"},
    {"otlp.headers", CW_S(otlp_headers), 0, 0, "", "headers sent with every OTLP request, \"name=value,name=value\" (an API key)"},
    {"otlp.service.name", CW_S(otlp_service), 0, 0, "codeworker", "service.name of the spans"},
    {"otlp.untraced", CW_B(otlp_untraced), 0, 1, "true", "also record jobs that came without a traceparent, each in a trace of its own (jobs whose traceparent is not sampled are never recorded)"},
    {"otlp.flush.ms", CW_I(otlp_flush_ms), 10, 60000, "1000", "the longest a span waits before it is sent"},
    {"otlp.timeout.ms", CW_I(otlp_timeout_ms), 100, 60000, "5000", "timeout of one OTLP request"},
    {"otlp.max.bytes", CW_I(otlp_max_bytes), 65536, 1 << 30, "8388608", "encoded spans held at most while the collector is slow or away; spans beyond are dropped and counted"},
    {"sandbox.user", CW_S(sandbox_user), 0, 0, "nobody", "user (name or number) executors drop to when the worker runs as root"},
    {"sandbox.group", CW_S(sandbox_group), 0, 0, "nogroup", "group (name or number) executors drop to when the worker runs as root"},
    {"sandbox.insecure", CW_B(sandbox_insecure), 0, 1, "false", "DEVELOPMENT ONLY: run executors without OS confinement (seccomp, privilege drop, rlimits)"},
};
#define CW_NPROPS (sizeof(cw_conf_props) / sizeof(cw_conf_props[0]))

const char *cw_conf_name(size_t i) { return i < CW_NPROPS ? cw_conf_props[i].name : NULL; }

void cw_conf_init(cw_conf_t *c, int ncpu) {
    memset(c, 0, sizeof(*c));
    char err[64];
    for (size_t i = 0; i < CW_NPROPS; i++)
        if (cw_conf_props[i].def)
            (void)cw_conf_set(c, cw_conf_props[i].name, cw_conf_props[i].def, err, sizeof(err));
    c->executors = ncpu < 1 ? 1 : ncpu;
}

void cw_conf_free(cw_conf_t *c) {
    for (int i = 0; i < c->kafka_n; i++) {
        free(c->kafka_key[i]);
        free(c->kafka_val[i]);
    }
    c->kafka_n = 0;
}

__attribute__((format(printf, 3, 4))) static cw_err_t cw_conf_bad(char *errstr, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, n, fmt, ap);
    va_end(ap);
    return CW_ERR_INVALID;
}

cw_err_t cw_conf_set(cw_conf_t *c, const char *key, const char *val, char *errstr, size_t errstr_size) {
    if (strncmp(key, "kafka.", 6) == 0 && key[6]) {
        for (int i = 0; i < c->kafka_n; i++) {
            if (!strcmp(c->kafka_key[i], key + 6)) {
                char *v = strdup(val);
                if (!v)
                    return CW_ERR_NOMEM;
                free(c->kafka_val[i]);
                c->kafka_val[i] = v;
                return CW_OK;
            }
        }
        if (c->kafka_n >= CW_CONF_MAX_KAFKA)
            return cw_conf_bad(errstr, errstr_size, "too many kafka.* properties (%s)", key);
        c->kafka_key[c->kafka_n] = strdup(key + 6);
        c->kafka_val[c->kafka_n] = strdup(val);
        if (!c->kafka_key[c->kafka_n] || !c->kafka_val[c->kafka_n])
            return CW_ERR_NOMEM;
        c->kafka_n++;
        return CW_OK;
    }
    for (size_t i = 0; i < CW_NPROPS; i++) {
        const cw_conf_prop_t *p = &cw_conf_props[i];
        if (strcmp(p->name, key))
            continue;
        char *field = (char *)c + p->offset;
        switch (p->type) {
        case CW_CT_STR:
            if (strlen(val) >= p->size)
                return cw_conf_bad(errstr, errstr_size, "%s: value too long (\"%.40s\")", key, val);
            strcpy(field, val);
            return CW_OK;
        case CW_CT_INT: {
            char *end;
            errno = 0;
            long v = strtol(val, &end, 10);
            if (errno || end == val || *end || v < p->min || v > p->max) {
                char range[64];
                snprintf(range, sizeof(range), "%ld..%ld", p->min, p->max);
                return cw_conf_bad(errstr, errstr_size, "%s: expected an integer in %s", key, range);
            }
            *(int *)field = (int)v;
            return CW_OK;
        }
        case CW_CT_BOOL:
            if (!strcmp(val, "true") || !strcmp(val, "1") || !strcmp(val, "yes"))
                *(int *)field = 1;
            else if (!strcmp(val, "false") || !strcmp(val, "0") || !strcmp(val, "no"))
                *(int *)field = 0;
            else
                return cw_conf_bad(errstr, errstr_size, "%s: expected true or false, not \"%.40s\"", key, val);
            return CW_OK;
        case CW_CT_DELIVERY:
            if (!strcmp(val, "at-least-once"))
                *(int *)field = CW_DELIVERY_AT_LEAST_ONCE;
            else if (!strcmp(val, "exactly-once"))
                *(int *)field = CW_DELIVERY_EXACTLY_ONCE;
            else
                return cw_conf_bad(errstr, errstr_size, "%s: expected at-least-once or exactly-once, not \"%.40s\"", key, val);
            return CW_OK;
        }
    }
    snprintf(errstr, errstr_size, "unknown configuration key \"%.80s\"", key);
    return CW_ERR_UNKNOWN_KEY;
}

cw_err_t cw_conf_load_env(cw_conf_t *c, char **envp, char *errstr, size_t errstr_size) {
    for (size_t i = 0; i < CW_NPROPS; i++) {
        char var[96] = "CODEWORKER_";
        size_t k = strlen(var);
        for (const char *n = cw_conf_props[i].name; *n && k < sizeof(var) - 1; n++)
            var[k++] = *n == '.' ? '_' : (char)toupper((unsigned char)*n);
        var[k] = '\0';
        for (char **e = envp; e && *e; e++) {
            if (strncmp(*e, var, k) == 0 && (*e)[k] == '=') {
                char why[200];
                cw_err_t err = cw_conf_set(c, cw_conf_props[i].name, *e + k + 1, why, sizeof(why));
                if (err) {
                    snprintf(errstr, errstr_size, "%s: %s", var, why);
                    return err;
                }
            }
        }
    }
    return CW_OK;
}

static char *cw_conf_trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

cw_err_t cw_conf_load_file(cw_conf_t *c, const char *path, char *errstr, size_t errstr_size) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return CW_ERR_IO;
    }
    char line[4096];
    int lineno = 0;
    cw_err_t err = CW_OK;
    while (!err && fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = cw_conf_trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(errstr, errstr_size, "%s:%d: expected key = value", path, lineno);
            err = CW_ERR_INVALID;
            break;
        }
        *eq = '\0';
        char why[200];
        err = cw_conf_set(c, cw_conf_trim(s), cw_conf_trim(eq + 1), why, sizeof(why));
        if (err)
            snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, why);
    }
    fclose(f);
    return err;
}

void cw_conf_dump(const cw_conf_t *c, FILE *f) {
    for (size_t i = 0; i < CW_NPROPS; i++) {
        const cw_conf_prop_t *p = &cw_conf_props[i];
        const char *field = (const char *)c + p->offset;
        char v[600];
        switch (p->type) {
        case CW_CT_STR: snprintf(v, sizeof(v), "%s", field); break;
        case CW_CT_INT: snprintf(v, sizeof(v), "%d", *(const int *)field); break;
        case CW_CT_BOOL: snprintf(v, sizeof(v), "%s", *(const int *)field ? "true" : "false"); break;
        case CW_CT_DELIVERY:
            snprintf(v, sizeof(v), "%s", *(const int *)field ? "exactly-once" : "at-least-once");
            break;
        }
        fprintf(f, "%-22s = %-28s # %s\n", p->name, v, p->desc);
    }
    for (int i = 0; i < c->kafka_n; i++) {
        int secret = strstr(c->kafka_key[i], "password") || strstr(c->kafka_key[i], "secret") ||
                     strstr(c->kafka_key[i], "key");
        fprintf(f, "kafka.%s = %s\n", c->kafka_key[i], secret ? "(hidden)" : c->kafka_val[i]);
    }
}
