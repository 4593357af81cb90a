/*
 * cw_cli_audit.c -- `codeworker audit`: the results topic into PostgreSQL.
 *
 *   codeworker audit --pg URL [--redact k1,k2] [--retention-days N] ...
 *
 * Each result the worker publishes carries `actionExecutionLog`, a row shaped
 * like MemberJunction's ActionExecutionLog table.  This command reads the
 * results topic (read_committed: only results of committed worker
 * transactions) and inserts those rows into PostgreSQL, exactly once:
 *
 *   - The consumer's position lives in PostgreSQL, not in Kafka.  On every
 *     assignment the partitions' next offsets are read from the offsets
 *     table and the consumer is assigned there explicitly (the beginning
 *     when a partition has no row yet).  Kafka's committed offsets are never
 *     written or read.
 *   - Rows and the offsets that cover them are written in one database
 *     transaction, batched (audit.batch.max records or audit.batch.ms,
 *     whichever comes first).  A crash loses either both or neither.
 *   - "JobID" is UNIQUE and rows go in with ON CONFLICT ("JobID") DO NOTHING:
 *     a second guard, which also makes a retried COMMIT whose outcome was
 *     unknown (connection lost mid-commit) harmless, and lets two sinks that
 *     briefly own the same partition during a rebalance both write.  Offsets
 *     only move forward (GREATEST) for the same reason.
 *
 * A record without a usable actionExecutionLog (not JSON, missing or
 * mistyped fields, an ID that is not a UUID, a bad timestamp) is logged and
 * skipped; its offset still advances.  A batch the database rejects for its
 * data is written again row by row under savepoints, so one bad row cannot
 * stall the sink.  Connection failures are retried with backoff, forever,
 * with a log line for each attempt; nothing is acknowledged meanwhile.
 *
 * --redact replaces the value of every JSON object member with one of the
 * given names (compared without case) by "[REDACTED]", at any depth of
 * Params and of ResultParams (MemberJunction repeats the inputs there), inside
 * string values that hold JSON text (inputData may be sent that way).
 * Text that is not valid JSON (a job clipped at 16 KiB by the worker) cannot
 * be redacted member by member, so it is cut where the first of the names
 * appears (ignoring case, anywhere): a member's value always follows its
 * name, so no value of a redacted member survives, and what comes before is
 * kept.
 *
 * --retention-days N fills RetentionPeriod where the result left it null,
 * and deletes rows whose "EndedAt" is more than N days old (and older than
 * their own RetentionPeriod, when that is longer) at start-up and hourly.
 *
 * Logs are JSON lines on stderr, as the worker writes them.  SIGTERM/SIGINT
 * write the open batch and exit 0; a second SIGINT exits at once.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include "cw_audit_sql.h"
#include "cw_cli.h"
#include "cw_result.h"
#include "cw_time.h"
#include "cw_trace.h"
#include "cw_utf8.h"

#define AUD_MAX_KAFKA 64
#define AUD_MAX_REDACT 64
#define AUD_BATCH_BYTES (32u << 20)  /* a batch is written once it holds this much */
#define AUD_RETENTION_EVERY_MS 3600000
#define AUD_RETENTION_RETRY_MS 60000
#define AUD_RETENTION_CHUNK 10000
#define AUD_JOBID_MAX 256
#define AUD_REDACTED "[REDACTED]"
#define AUD_REDACT_DEPTH 8 /* JSON text nested inside JSON strings */
#define AUD_SCHEMA_LOCK "7165249113468012627" /* advisory lock around CREATE ... IF NOT EXISTS */
#define AUD_SHUTDOWN_MS 10000 /* how long SIGTERM waits for the database to take the last batch */
#define AUD_PROGRESS_MS 30000
#define AUD_XSTR(x) AUD_STR(x)
#define AUD_STR(x) #x

static volatile sig_atomic_t aud_stop, aud_sigints;
static int64_t aud_give_up_ns; /* while shutting down: stop retrying after this */

/* Whether retry loops should give up. */
static int aud_quit(void) {
    return aud_stop || (aud_give_up_ns && cw_mono_ns() > aud_give_up_ns);
}

static void aud_on_signal(int sig) {
    if (sig == SIGINT && ++aud_sigints > 1)
        _exit(130);
    aud_stop = 1;
}

/* ---- logging -------------------------------------------------------------- */

static cJSON *aud_ev(const char *level, const char *msg) {
    char ts[40];
    cw_result_iso8601(cw_now_ms(), ts, sizeof(ts));
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "ts", ts);
        cJSON_AddStringToObject(o, "level", level);
        cJSON_AddStringToObject(o, "msg", msg);
    }
    return o;
}

static void aud_emit(cJSON *o) {
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    if (s) {
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    cJSON_Delete(o);
}

/* A string field, clipped and made valid UTF-8 (libpq and librdkafka
 * messages may carry anything). */
static void aud_add_str(cJSON *o, const char *k, const char *v) {
    if (!o)
        return;
    if (!v) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    /* One line: libpq's messages span several, indented with tabs. */
    char flat[2048];
    size_t n = 0;
    for (const char *p = v; *p && n < sizeof(flat) - 1; p++) {
        char ch = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
        if (ch != ' ' || (n && flat[n - 1] != ' '))
            flat[n++] = ch;
    }
    while (n && flat[n - 1] == ' ')
        n--;
    n = cw_utf8_clip(flat, n, sizeof(flat) - 1);
    cw_buf_t b;
    cw_buf_init(&b, 0);
    cJSON *s = NULL;
    if (cw_utf8_json_string(&b, flat, n) == CW_OK)
        s = cJSON_Parse(b.data);
    cw_buf_free(&b);
    if (s)
        cJSON_AddItemToObject(o, k, s);
}

static void aud_log(const char *level, const char *msg, const char *k, const char *v) {
    cJSON *o = aud_ev(level, msg);
    if (k)
        aud_add_str(o, k, v);
    aud_emit(o);
}

/* librdkafka's log lines, in the same shape. */
static void aud_rdk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    cJSON *o = aud_ev(level <= 3 ? "error" : level <= 4 ? "warn" : "info", "kafka client");
    cJSON_AddStringToObject(o, "component", "librdkafka");
    aud_add_str(o, "facility", fac);
    aud_add_str(o, "detail", buf);
    aud_emit(o);
}

/* ---- configuration -------------------------------------------------------- */

typedef struct aud_conf {
    char brokers[512];
    char topic[250];
    char group[250];
    char pg[2048];
    char redact_csv[1024];
    int retention_days;
    int batch_max;
    int batch_ms;
    int kafka_n;
    char *kafka_key[AUD_MAX_KAFKA];
    char *kafka_val[AUD_MAX_KAFKA];
    int nredact;
    char redact[AUD_MAX_REDACT][128];
} aud_conf_t;

typedef struct aud_prop {
    const char *name;
    int is_int;
    size_t off, size;
    int min, max;
    const char *def;
    const char *desc;
} aud_prop_t;

#define AUD_S(f) 0, offsetof(aud_conf_t, f), sizeof(((aud_conf_t *)0)->f), 0, 0
#define AUD_I(f, lo, hi) 1, offsetof(aud_conf_t, f), sizeof(int), lo, hi
static const aud_prop_t aud_props[] = {
    {"brokers", AUD_S(brokers), "127.0.0.1:9092", "bootstrap servers"},
    {"results.topic", AUD_S(topic), "execute-code.results", "the topic the worker publishes results to"},
    {"audit.group", AUD_S(group), "codeworker-audit",
     "consumer group; also the key of this sink's rows in the offsets table"},
    {"audit.pg", AUD_S(pg), "", "PostgreSQL connection URL or conninfo string (required)"},
    {"audit.redact", AUD_S(redact_csv), "",
     "comma-separated JSON member names whose values are replaced by \"[REDACTED]\" in Params and ResultParams"},
    {"audit.retention.days", AUD_I(retention_days, 0, 36500), "0",
     "fill RetentionPeriod and delete rows whose EndedAt is older than this many days; 0 keeps rows forever"},
    {"audit.batch.max", AUD_I(batch_max, 1, 4000), "500", "records per database transaction, at most"},
    {"audit.batch.ms", AUD_I(batch_ms, 1, 60000), "100", "milliseconds a record may wait for its transaction"},
};
#define AUD_NPROPS (sizeof(aud_props) / sizeof(aud_props[0]))

static int aud_parse_redact(aud_conf_t *c, char *err, size_t n) {
    c->nredact = 0;
    const char *p = c->redact_csv;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (e == s)
            continue;
        if (c->nredact >= AUD_MAX_REDACT || (size_t)(e - s) >= sizeof(c->redact[0])) {
            snprintf(err, n, "audit.redact: at most %d names of at most %zu bytes", AUD_MAX_REDACT,
                     sizeof(c->redact[0]) - 1);
            return -1;
        }
        memcpy(c->redact[c->nredact], s, (size_t)(e - s));
        c->redact[c->nredact++][e - s] = '\0';
    }
    return 0;
}

static int aud_conf_set(aud_conf_t *c, const char *key, const char *val, char *err, size_t n) {
    if (!strncmp(key, "kafka.", 6) && key[6]) {
        for (int i = 0; i < c->kafka_n; i++)
            if (!strcmp(c->kafka_key[i], key + 6)) {
                char *v = strdup(val);
                if (!v)
                    return snprintf(err, n, "out of memory"), -1;
                free(c->kafka_val[i]);
                c->kafka_val[i] = v;
                return 0;
            }
        if (c->kafka_n >= AUD_MAX_KAFKA)
            return snprintf(err, n, "too many kafka.* properties (%s)", key), -1;
        c->kafka_key[c->kafka_n] = strdup(key + 6);
        c->kafka_val[c->kafka_n] = strdup(val);
        if (!c->kafka_key[c->kafka_n] || !c->kafka_val[c->kafka_n])
            return snprintf(err, n, "out of memory"), -1;
        c->kafka_n++;
        return 0;
    }
    for (size_t i = 0; i < AUD_NPROPS; i++) {
        const aud_prop_t *p = &aud_props[i];
        if (strcmp(p->name, key))
            continue;
        char *field = (char *)c + p->off;
        if (p->is_int) {
            int v;
            if (cw_cli_parse_int(val, p->min, p->max, &v))
                return snprintf(err, n, "%s must be an integer in %d..%d", key, p->min, p->max), -1;
            *(int *)field = v;
            return 0;
        }
        if (strlen(val) >= p->size)
            return snprintf(err, n, "%s is longer than %zu bytes", key, p->size - 1), -1;
        memcpy(field, val, strlen(val) + 1);
        return !strcmp(key, "audit.redact") ? aud_parse_redact(c, err, n) : 0;
    }
    return snprintf(err, n, "unknown property \"%s\" (-X list shows them)", key), -1;
}

static void aud_conf_init(aud_conf_t *c) {
    memset(c, 0, sizeof(*c));
    char err[256];
    for (size_t i = 0; i < AUD_NPROPS; i++)
        (void)aud_conf_set(c, aud_props[i].name, aud_props[i].def, err, sizeof(err));
}

static void aud_conf_free(aud_conf_t *c) {
    for (int i = 0; i < c->kafka_n; i++) {
        free(c->kafka_key[i]);
        free(c->kafka_val[i]);
    }
    c->kafka_n = 0;
}

/* CODEWORKER_AUDIT_REDACT for audit.redact, CODEWORKER_BROKERS for brokers. */
static int aud_conf_env(aud_conf_t *c, char *err, size_t n) {
    for (size_t i = 0; i < AUD_NPROPS; i++) {
        char var[96] = "CODEWORKER_";
        size_t k = strlen(var);
        for (const char *s = aud_props[i].name; *s && k < sizeof(var) - 1; s++)
            var[k++] = *s == '.' ? '_' : (char)toupper((unsigned char)*s);
        var[k] = '\0';
        const char *v = getenv(var);
        char why[256];
        if (v && aud_conf_set(c, aud_props[i].name, v, why, sizeof(why)))
            return snprintf(err, n, "%s: %s", var, why), -1;
    }
    return 0;
}

static char *aud_trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int aud_conf_file(aud_conf_t *c, const char *path, char *err, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f)
        return snprintf(err, n, "%s: %s", path, strerror(errno)), -1;
    char line[4096], why[256];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = aud_trim(line), *eq;
        if (!*s || *s == '#')
            continue;
        if (!(eq = strchr(s, '='))) {
            snprintf(err, n, "%s:%d: expected key = value", path, lineno);
            rc = -1;
        } else {
            *eq = '\0';
            if ((rc = aud_conf_set(c, aud_trim(s), aud_trim(eq + 1), why, sizeof(why))))
                snprintf(err, n, "%s:%d: %s", path, lineno, why);
        }
    }
    fclose(f);
    return rc;
}

static void aud_conf_dump(const aud_conf_t *c, FILE *f) {
    for (size_t i = 0; i < AUD_NPROPS; i++) {
        const aud_prop_t *p = &aud_props[i];
        const char *field = (const char *)c + p->off;
        if (p->is_int)
            fprintf(f, "%s = %d\n", p->name, *(const int *)field);
        else if (!strcmp(p->name, "audit.pg"))
            fprintf(f, "%s = %s\n", p->name, *field ? "(hidden)" : "");
        else
            fprintf(f, "%s = %s\n", p->name, field);
        fprintf(f, "    %s\n", p->desc);
    }
    for (int i = 0; i < c->kafka_n; i++) {
        int secret = strstr(c->kafka_key[i], "password") || strstr(c->kafka_key[i], "secret") ||
                     strstr(c->kafka_key[i], "key");
        fprintf(f, "kafka.%s = %s\n", c->kafka_key[i], secret ? "(hidden)" : c->kafka_val[i]);
    }
}

/* ---- the row ---------------------------------------------------------------- */

/* The columns written, in parameter order; casts tell PostgreSQL the types. */
static const char *const aud_cols[] = {
    "\"ID\"",           "\"ActionID\"",        "\"UserID\"",       "\"StartedAt\"",
    "\"EndedAt\"",      "\"Params\"",          "\"Message\"",      "\"ResultParams\"",
    "\"ResultCode\"",   "\"RetentionPeriod\"", "\"EntityActionID\"", "\"EntityActionInvocationTypeID\"",
    "\"TargetEntityID\"", "\"TargetRecordID\"", "\"JobID\"",     "\"TraceParent\"",
    "\"TraceState\""};
static const char *const aud_casts[] = {"::uuid", "", "", "::timestamptz", "::timestamptz", "", "", "",
                                        "", "::integer", "", "", "", "", "", "", ""};
enum {
    C_ID, C_ACTION, C_USER, C_STARTED, C_ENDED, C_PARAMS, C_MESSAGE, C_RESULTPARAMS,
    C_RESULTCODE, C_RETENTION, C_ENTITYACTION, C_INVOCATION, C_TARGETENTITY, C_TARGETRECORD, C_JOBID,
    C_TRACEPARENT, C_TRACESTATE, AUD_NCOLS
};

typedef struct aud_row {
    char *v[AUD_NCOLS]; /* text values; NULL is SQL NULL */
    int32_t partition;
    int64_t offset;
} aud_row_t;

static void aud_row_free(aud_row_t *r) {
    for (int i = 0; i < AUD_NCOLS; i++)
        free(r->v[i]);
    memset(r, 0, sizeof(*r));
}

static int aud_is_uuid(const char *s) {
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int aud_digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* RFC 3339 date-time, the only form the worker writes and one PostgreSQL
 * always accepts: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
static int aud_is_timestamp(const char *s) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, se, oh, om;
    if (strlen(s) < 20 || aud_digits(s, 4, &y) || s[4] != '-' || aud_digits(s + 5, 2, &mo) || s[7] != '-' ||
        aud_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || aud_digits(s + 11, 2, &h) || s[13] != ':' ||
        aud_digits(s + 14, 2, &mi) || s[16] != ':' || aud_digits(s + 17, 2, &se))
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
        mi > 59 || se > 60)
        return 0;
    const char *p = s + 19;
    if (*p == '.') {
        int nd = 0;
        while (isdigit((unsigned char)*++p))
            nd++;
        if (nd < 1 || nd > 9)
            return 0;
    }
    if ((*p == 'Z' || *p == 'z') && !p[1])
        return 1;
    return (*p == '+' || *p == '-') && !aud_digits(p + 1, 2, &oh) && p[3] == ':' && !aud_digits(p + 4, 2, &om) &&
           !p[6] && oh <= 23 && om <= 59;
}

static size_t aud_utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- redaction -------------------------------------------------------------- */

static int aud_redact_name(const aud_conf_t *c, const char *name) {
    if (!name)
        return 0;
    for (int i = 0; i < c->nredact; i++)
        if (!strcasecmp(name, c->redact[i]))
            return 1;
    return 0;
}

static char *aud_redact_text(const aud_conf_t *c, const char *text, int depth, int *changed);

/* Redact the members of `node` (an object or array) in place; 1 if any was. */
static int aud_redact_node(const aud_conf_t *c, cJSON *node, int depth) {
    int changed = 0;
    cJSON *it = node->child;
    while (it) {
        cJSON *next = it->next;
        if (cJSON_IsObject(node) && aud_redact_name(c, it->string)) {
            if (!(cJSON_IsString(it) && it->valuestring && !strcmp(it->valuestring, AUD_REDACTED))) {
                cJSON *r = cJSON_CreateString(AUD_REDACTED);
                if (r) { /* the replacement takes over the member's name */
                    r->string = it->string;
                    r->type |= it->type & cJSON_StringIsConst;
                    it->string = NULL;
                    cJSON_ReplaceItemViaPointer(node, it, r);
                    changed = 1;
                }
            }
        } else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            changed |= aud_redact_node(c, it, depth);
        } else if (cJSON_IsString(it) && it->valuestring && depth < AUD_REDACT_DEPTH) {
            /* inputData may arrive as a string holding JSON */
            const char *s = it->valuestring;
            while (isspace((unsigned char)*s))
                s++;
            if (*s == '{' || *s == '[') {
                int sub = 0;
                char *t = aud_redact_text(c, it->valuestring, depth + 1, &sub);
                if (t && sub) {
                    cJSON *r = cJSON_CreateString(t);
                    if (r) {
                        r->string = it->string;
                        r->type |= it->type & cJSON_StringIsConst;
                        it->string = NULL;
                        cJSON_ReplaceItemViaPointer(node, it, r);
                        changed = 1;
                    }
                }
                free(t);
            }
        }
        it = next;
    }
    return changed;
}

#define AUD_CUT_MARK "[REDACTED: cut at a redacted name; the text was not valid JSON]"

/* Text that is not JSON: a copy cut before the first redacted name in it,
 * or NULL when none occurs (or on no memory). */
static char *aud_redact_cut(const aud_conf_t *c, const char *text) {
    const char *first = NULL;
    for (int i = 0; i < c->nredact; i++) {
        const char *at = c->redact[i][0] ? strcasestr(text, c->redact[i]) : NULL;
        if (at && (!first || at < first))
            first = at;
    }
    if (!first)
        return NULL;
    size_t keep = (size_t)(first - text);
    char *out = malloc(keep + sizeof(AUD_CUT_MARK));
    if (out) {
        memcpy(out, text, keep);
        memcpy(out + keep, AUD_CUT_MARK, sizeof(AUD_CUT_MARK));
    }
    return out;
}

/* A newly allocated redacted copy of `text`, with *changed telling whether
 * anything was replaced; NULL when nothing was (or on no memory).  Text that
 * is not JSON is cut (aud_redact_cut). */
static char *aud_redact_text(const aud_conf_t *c, const char *text, int depth, int *changed) {
    *changed = 0;
    cJSON *j = cJSON_ParseWithOpts(text, NULL, 1);
    if (!j) {
        char *cut = aud_redact_cut(c, text);
        *changed = cut != NULL;
        return cut;
    }
    char *out = NULL;
    if ((cJSON_IsObject(j) || cJSON_IsArray(j)) && aud_redact_node(c, j, depth)) {
        out = cJSON_PrintUnformatted(j);
        *changed = out != NULL;
    }
    cJSON_Delete(j);
    return out ? out : strdup(text);
}

/* ---- parsing a result ---------------------------------------------------------- */

/* The string at `k` of `o` into *out (NULL for null or absent); -1 if it is
 * neither a string nor null, or not valid UTF-8. */
static int aud_opt_str(const cJSON *o, const char *k, char **out, char *why, size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring)
        return snprintf(why, n, "actionExecutionLog.%s is not a string or null", k), -1;
    if (!cw_utf8_valid(v->valuestring, strlen(v->valuestring)))
        return snprintf(why, n, "actionExecutionLog.%s is not valid UTF-8", k), -1;
    if (!(*out = strdup(v->valuestring)))
        return snprintf(why, n, "out of memory"), -1;
    return 0;
}

static int aud_req_str(const cJSON *o, const char *k, char **out, char *why, size_t n) {
    if (aud_opt_str(o, k, out, why, n))
        return -1;
    if (!*out)
        return snprintf(why, n, "actionExecutionLog.%s is missing", k), -1;
    return 0;
}

/* Fill `r` from one result document; -1 with a reason if it is unusable. */
static int aud_parse(const aud_conf_t *c, const char *payload, size_t len, aud_row_t *r, char *why, size_t n) {
    if (!payload || !len)
        return snprintf(why, n, "empty message"), -1;
    cJSON *doc = cJSON_ParseWithLength(payload, len);
    int rc = -1;
    if (!doc) {
        snprintf(why, n, "not JSON");
        goto out;
    }
    if (!cJSON_IsObject(doc)) {
        snprintf(why, n, "not a JSON object");
        goto out;
    }
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(doc, "jobId");
    const cJSON *log = cJSON_GetObjectItemCaseSensitive(doc, "actionExecutionLog");
    if (!cJSON_IsString(jid) || !jid->valuestring || !*jid->valuestring ||
        strlen(jid->valuestring) > AUD_JOBID_MAX || !cw_utf8_valid(jid->valuestring, strlen(jid->valuestring))) {
        snprintf(why, n, "no usable jobId");
        goto out;
    }
    if (!cJSON_IsObject(log)) {
        snprintf(why, n, "no actionExecutionLog object");
        goto out;
    }
    if (!(r->v[C_JOBID] = strdup(jid->valuestring))) {
        snprintf(why, n, "out of memory");
        goto out;
    }
    if (aud_req_str(log, "ID", &r->v[C_ID], why, n) || aud_opt_str(log, "ActionID", &r->v[C_ACTION], why, n) ||
        aud_opt_str(log, "UserID", &r->v[C_USER], why, n) ||
        aud_req_str(log, "StartedAt", &r->v[C_STARTED], why, n) ||
        aud_req_str(log, "EndedAt", &r->v[C_ENDED], why, n) ||
        aud_opt_str(log, "Params", &r->v[C_PARAMS], why, n) ||
        aud_opt_str(log, "Message", &r->v[C_MESSAGE], why, n) ||
        aud_opt_str(log, "ResultParams", &r->v[C_RESULTPARAMS], why, n) ||
        aud_req_str(log, "ResultCode", &r->v[C_RESULTCODE], why, n) ||
        aud_opt_str(log, "EntityActionID", &r->v[C_ENTITYACTION], why, n) ||
        aud_opt_str(log, "EntityActionInvocationTypeID", &r->v[C_INVOCATION], why, n) ||
        aud_opt_str(log, "TargetEntityID", &r->v[C_TARGETENTITY], why, n) ||
        aud_opt_str(log, "TargetRecordID", &r->v[C_TARGETRECORD], why, n) ||
        aud_opt_str(log, "TraceParent", &r->v[C_TRACEPARENT], why, n) ||
        aud_opt_str(log, "TraceState", &r->v[C_TRACESTATE], why, n))
        goto out;
    /* The trace context is kept only as the worker checked it (cw_trace.h);
     * a record whose string is not one loses the value, not its row. */
    if (r->v[C_TRACEPARENT] && !cw_trace_parent_ok(r->v[C_TRACEPARENT], strlen(r->v[C_TRACEPARENT]))) {
        free(r->v[C_TRACEPARENT]);
        r->v[C_TRACEPARENT] = NULL;
    }
    if (r->v[C_TRACESTATE] &&
        (!r->v[C_TRACEPARENT] || !cw_trace_state_ok(r->v[C_TRACESTATE], strlen(r->v[C_TRACESTATE])))) {
        free(r->v[C_TRACESTATE]);
        r->v[C_TRACESTATE] = NULL;
    }
    if (!aud_is_uuid(r->v[C_ID])) {
        snprintf(why, n, "actionExecutionLog.ID is not a UUID");
        goto out;
    }
    if (!aud_is_timestamp(r->v[C_STARTED]) || !aud_is_timestamp(r->v[C_ENDED])) {
        snprintf(why, n, "actionExecutionLog.StartedAt/EndedAt is not an RFC 3339 date-time");
        goto out;
    }
    if (aud_utf8_chars(r->v[C_RESULTCODE]) > 255) {
        snprintf(why, n, "actionExecutionLog.ResultCode is longer than 255 characters");
        goto out;
    }
    const cJSON *ret = cJSON_GetObjectItemCaseSensitive(log, "RetentionPeriod");
    char num[16];
    if (ret && !cJSON_IsNull(ret)) {
        double d = cJSON_IsNumber(ret) ? ret->valuedouble : -1;
        if (d < 0 || d > 2147483647.0 || d != (double)(long long)d) {
            snprintf(why, n, "actionExecutionLog.RetentionPeriod is not a non-negative integer or null");
            goto out;
        }
        snprintf(num, sizeof(num), "%lld", (long long)d);
        r->v[C_RETENTION] = strdup(num);
    } else if (c->retention_days > 0) {
        snprintf(num, sizeof(num), "%d", c->retention_days);
        r->v[C_RETENTION] = strdup(num);
    }
    if (c->nredact) {
        static const int cols[] = {C_PARAMS, C_RESULTPARAMS};
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
            int col = cols[i], changed = 0;
            char *t = r->v[col] ? aud_redact_text(c, r->v[col], 0, &changed) : NULL;
            if (t && changed) {
                free(r->v[col]);
                r->v[col] = t;
            } else {
                free(t);
            }
        }
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    if (rc)
        aud_row_free(r);
    return rc;
}

/* ---- the sink ------------------------------------------------------------------- */

typedef struct aud_off {
    int32_t partition;
    int64_t next;
} aud_off_t;

typedef struct aud {
    aud_conf_t conf;
    PGconn *pg;
    int pg_was_up; /* a connection existed before: the next one is a reconnect */
    rd_kafka_t *rk;
    /* the open batch: rows, and the next offset of every partition it touched */
    aud_row_t *rows;
    int nrows, caprows;
    aud_off_t *offs;
    int noffs, capoffs;
    int records;
    size_t bytes;
    int64_t first_ns;
    int64_t next_retention_ms;
    /* counters */
    unsigned long long inserted, duplicates, skipped, rejected, txns;
} aud_t;

static void aud_sleep_ms(int ms) {
    while (ms > 0 && !aud_quit()) {
        int step = ms > 100 ? 100 : ms;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static void aud_batch_clear(aud_t *a) {
    for (int i = 0; i < a->nrows; i++)
        aud_row_free(&a->rows[i]);
    a->nrows = a->noffs = a->records = 0;
    a->bytes = 0;
}

static int aud_batch_offset(aud_t *a, int32_t partition, int64_t next) {
    for (int i = 0; i < a->noffs; i++)
        if (a->offs[i].partition == partition) {
            if (next > a->offs[i].next)
                a->offs[i].next = next;
            return 0;
        }
    if (a->noffs == a->capoffs) {
        int cap = a->capoffs ? a->capoffs * 2 : 16;
        aud_off_t *o = realloc(a->offs, (size_t)cap * sizeof(*o));
        if (!o)
            return -1;
        a->offs = o;
        a->capoffs = cap;
    }
    a->offs[a->noffs].partition = partition;
    a->offs[a->noffs++].next = next;
    return 0;
}

typedef enum { AUD_OK, AUD_E_CONN, AUD_E_DATA, AUD_E_SCHEMA, AUD_E_OTHER } aud_status_t;

/* How a failed command failed; logs it unless `quiet`. */
static aud_status_t aud_classify(aud_t *a, PGresult *res, const char *what, int quiet) {
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    aud_status_t s;
    if (PQstatus(a->pg) == CONNECTION_BAD || !state || !strncmp(state, "08", 2) || !strncmp(state, "57P", 3))
        s = AUD_E_CONN;
    else if (!strncmp(state, "22", 2) || !strncmp(state, "23", 2))
        s = AUD_E_DATA;
    else if (!strcmp(state, "42P01") || !strcmp(state, "42703"))
        s = AUD_E_SCHEMA; /* undefined table or column: someone dropped it */
    else
        s = AUD_E_OTHER;
    if (!quiet) {
        cJSON *o = aud_ev(s == AUD_E_CONN ? "error" : "warn", "postgresql command failed");
        cJSON_AddStringToObject(o, "command", what);
        aud_add_str(o, "sqlstate", state);
        aud_add_str(o, "detail", res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(a->pg));
        aud_emit(o);
    }
    return s;
}

/* Run one command; AUD_OK when it returned `want`. */
static aud_status_t aud_exec(aud_t *a, const char *what, const char *sql, int n, const char *const *vals,
                             ExecStatusType want, PGresult **out, int quiet) {
    PGresult *res = n ? PQexecParams(a->pg, sql, n, NULL, vals, NULL, NULL, 0) : PQexec(a->pg, sql);
    aud_status_t s = res && PQresultStatus(res) == want ? AUD_OK : aud_classify(a, res, what, quiet);
    if (out && s == AUD_OK)
        *out = res;
    else
        PQclear(res);
    return s;
}

static void aud_pg_notice(void *arg, const char *message) {
    (void)arg;
    aud_log("warn", "postgresql notice", "detail", message);
}

static aud_status_t aud_schema(aud_t *a) {
    aud_status_t s = aud_exec(a, "BEGIN", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL, 0);
    if (!s)
        s = aud_exec(a, "schema lock", "SELECT pg_advisory_xact_lock(" AUD_SCHEMA_LOCK ")", 0, NULL,
                     PGRES_TUPLES_OK, NULL, 0);
    if (!s)
        s = aud_exec(a, "create tables", cw_audit_schema_sql, 0, NULL, PGRES_COMMAND_OK, NULL, 0);
    if (!s)
        s = aud_exec(a, "COMMIT", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL, 0);
    else if (PQstatus(a->pg) == CONNECTION_OK)
        PQclear(PQexec(a->pg, "ROLLBACK"));
    return s;
}

/* Connected, with the tables in place; -1 only when asked to stop. */
static int aud_pg_ensure(aud_t *a) {
    if (a->pg && PQstatus(a->pg) == CONNECTION_OK)
        return 0;
    int backoff = 500, attempt = 0;
    while (!aud_quit()) {
        if (a->pg) {
            PQfinish(a->pg);
            a->pg = NULL;
        }
        /* Defaults first: anything the URL sets overrides them. */
        const char *const keys[] = {"connect_timeout", "application_name", "client_encoding", "keepalives_idle",
                                    "keepalives_interval", "keepalives_count", "dbname", NULL};
        const char *const vals[] = {"10", "codeworker-audit", "UTF8", "30", "10", "3", a->conf.pg, NULL};
        a->pg = PQconnectdbParams(keys, vals, 1);
        attempt++;
        if (a->pg && PQstatus(a->pg) == CONNECTION_OK) {
            PQsetNoticeProcessor(a->pg, aud_pg_notice, NULL);
            PQclear(PQexec(a->pg, "SET client_min_messages TO warning"));
            aud_status_t s = aud_schema(a);
            if (s == AUD_OK) {
                cJSON *o = aud_ev("info", a->pg_was_up ? "postgresql reconnected" : "postgresql connected");
                aud_add_str(o, "host", PQhost(a->pg));
                aud_add_str(o, "port", PQport(a->pg));
                aud_add_str(o, "database", PQdb(a->pg));
                cJSON_AddNumberToObject(o, "serverVersion", PQserverVersion(a->pg));
                cJSON_AddNumberToObject(o, "attempts", attempt);
                aud_emit(o);
                a->pg_was_up = 1;
                return 0;
            }
            /* aud_schema logged why */
        } else {
            cJSON *o = aud_ev("error", a->pg_was_up ? "postgresql connection lost; reconnecting"
                                                    : "cannot connect to postgresql; retrying");
            aud_add_str(o, "detail", a->pg ? PQerrorMessage(a->pg) : "out of memory");
            cJSON_AddNumberToObject(o, "attempt", attempt);
            cJSON_AddNumberToObject(o, "retryInMs", backoff);
            aud_emit(o);
        }
        aud_sleep_ms(backoff);
        backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
    }
    return -1;
}

static void aud_pg_drop(aud_t *a) {
    if (a->pg) {
        PQfinish(a->pg);
        a->pg = NULL;
    }
}

/* INSERT of rows [from, from+n): SQL text in `sql`, parameters in `vals`. */
static int aud_build_insert(aud_t *a, int from, int n, cw_buf_t *sql, const char **vals) {
    cw_buf_reset(sql);
    if (cw_buf_puts(sql, "INSERT INTO \"ActionExecutionLog\" ("))
        return -1;
    for (int k = 0; k < AUD_NCOLS; k++)
        if (cw_buf_printf(sql, "%s%s", k ? ", " : "", aud_cols[k]))
            return -1;
    if (cw_buf_puts(sql, ") VALUES "))
        return -1;
    for (int i = 0; i < n; i++) {
        if (cw_buf_puts(sql, i ? ",(" : "("))
            return -1;
        for (int k = 0; k < AUD_NCOLS; k++) {
            if (cw_buf_printf(sql, "%s$%d%s", k ? "," : "", i * AUD_NCOLS + k + 1, aud_casts[k]))
                return -1;
            vals[i * AUD_NCOLS + k] = a->rows[from + i].v[k];
        }
        if (cw_buf_putc(sql, ')'))
            return -1;
    }
    return cw_buf_puts(sql, " ON CONFLICT (\"JobID\") DO NOTHING") ? -1 : 0;
}

/* One transaction: the batch's rows (all at once, or one by one under
 * savepoints when `per_row`) and its offsets. */
static aud_status_t aud_write(aud_t *a, int per_row, unsigned long long *ins, unsigned long long *rej) {
    cw_buf_t sql;
    cw_buf_init(&sql, 0);
    int nv = (per_row ? 1 : a->nrows) * AUD_NCOLS;
    int no = a->noffs * 4;
    const char **vals = calloc((size_t)(nv > no ? nv : no) + 1, sizeof(*vals));
    char (*num)[2][24] = calloc((size_t)a->noffs + 1, sizeof(*num));
    aud_status_t s = AUD_E_OTHER;
    PGresult *res = NULL;
    *ins = *rej = 0;
    if (!vals || !num) {
        aud_log("error", "out of memory writing a batch", NULL, NULL);
        goto out;
    }
    if ((s = aud_exec(a, "BEGIN", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL, 0)))
        goto out;
    if (a->nrows && !per_row) {
        if (aud_build_insert(a, 0, a->nrows, &sql, vals)) {
            s = AUD_E_OTHER;
            goto out;
        }
        if ((s = aud_exec(a, "insert rows", sql.data, nv, vals, PGRES_COMMAND_OK, &res, 0)))
            goto out;
        *ins = strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        res = NULL;
    }
    for (int i = 0; per_row && i < a->nrows; i++) {
        if ((s = aud_exec(a, "SAVEPOINT", "SAVEPOINT cw_row", 0, NULL, PGRES_COMMAND_OK, NULL, 0)))
            goto out;
        if (aud_build_insert(a, i, 1, &sql, vals)) {
            s = AUD_E_OTHER;
            goto out;
        }
        res = PQexecParams(a->pg, sql.data, AUD_NCOLS, NULL, vals, NULL, NULL, 0);
        s = res && PQresultStatus(res) == PGRES_COMMAND_OK ? AUD_OK : aud_classify(a, res, "insert row", 1);
        if (s == AUD_OK) {
            *ins += strtoull(PQcmdTuples(res), NULL, 10);
            s = aud_exec(a, "RELEASE", "RELEASE SAVEPOINT cw_row", 0, NULL, PGRES_COMMAND_OK, NULL, 0);
        } else if (s == AUD_E_DATA) {
            /* This row cannot be stored: say which and why, then go on. */
            cJSON *o = aud_ev("error", "row rejected by the database; skipped");
            aud_add_str(o, "jobId", a->rows[i].v[C_JOBID]);
            aud_add_str(o, "id", a->rows[i].v[C_ID]);
            cJSON_AddNumberToObject(o, "partition", a->rows[i].partition);
            cJSON_AddNumberToObject(o, "offset", (double)a->rows[i].offset);
            aud_add_str(o, "sqlstate", PQresultErrorField(res, PG_DIAG_SQLSTATE));
            aud_add_str(o, "detail", PQresultErrorMessage(res));
            aud_emit(o);
            (*rej)++;
            s = aud_exec(a, "ROLLBACK TO SAVEPOINT", "ROLLBACK TO SAVEPOINT cw_row", 0, NULL, PGRES_COMMAND_OK,
                         NULL, 0);
        } else {
            (void)aud_classify(a, res, "insert row", 0); /* log it */
        }
        PQclear(res);
        res = NULL;
        if (s)
            goto out;
    }
    if (a->noffs) {
        cw_buf_reset(&sql);
        int bad = cw_buf_puts(&sql, "INSERT INTO codeworker_audit_offsets AS o "
                                    "(group_id, topic, partition_id, next_offset, updated_at) VALUES ") != CW_OK;
        for (int i = 0; i < a->noffs && !bad; i++) {
            snprintf(num[i][0], sizeof(num[i][0]), "%d", (int)a->offs[i].partition);
            snprintf(num[i][1], sizeof(num[i][1]), "%lld", (long long)a->offs[i].next);
            vals[i * 4] = a->conf.group;
            vals[i * 4 + 1] = a->conf.topic;
            vals[i * 4 + 2] = num[i][0];
            vals[i * 4 + 3] = num[i][1];
            bad = cw_buf_printf(&sql, "%s($%d,$%d,$%d::integer,$%d::bigint,now())", i ? "," : "", i * 4 + 1,
                                i * 4 + 2, i * 4 + 3, i * 4 + 4) != CW_OK;
        }
        if (bad || cw_buf_puts(&sql, " ON CONFLICT (group_id, topic, partition_id) DO UPDATE SET "
                                     "next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset), "
                                     "updated_at = now()")) {
            s = AUD_E_OTHER;
            goto out;
        }
        if ((s = aud_exec(a, "store offsets", sql.data, no, vals, PGRES_COMMAND_OK, NULL, 0)))
            goto out;
    }
    s = aud_exec(a, "COMMIT", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL, 0);
out:
    if (s != AUD_OK && a->pg && PQstatus(a->pg) == CONNECTION_OK && PQtransactionStatus(a->pg) != PQTRANS_IDLE)
        PQclear(PQexec(a->pg, "ROLLBACK"));
    cw_buf_free(&sql);
    free(vals);
    free(num);
    return s;
}

/* Write the open batch, retrying until it is stored; -1 (batch dropped, to
 * be read again from Kafka) only when asked to stop meanwhile. */
static int aud_flush(aud_t *a) {
    if (!a->records)
        return 0;
    int per_row = 0, backoff = 500, schema_tries = 0;
    while (aud_pg_ensure(a) == 0) {
        unsigned long long ins, rej;
        int64_t t0 = cw_mono_ns();
        aud_status_t s = aud_write(a, per_row, &ins, &rej);
        if (s == AUD_OK) {
            a->inserted += ins;
            a->rejected += rej;
            a->duplicates += (unsigned long long)a->nrows - ins - rej;
            a->txns++;
            if (a->txns == 1 || rej || a->nrows - (int)ins - (int)rej > 0) {
                cJSON *o = aud_ev("info", a->txns == 1 ? "first batch stored" : "batch stored");
                cJSON_AddNumberToObject(o, "records", a->records);
                cJSON_AddNumberToObject(o, "inserted", (double)ins);
                cJSON_AddNumberToObject(o, "duplicates", (double)((unsigned long long)a->nrows - ins - rej));
                cJSON_AddNumberToObject(o, "rejected", (double)rej);
                cJSON_AddNumberToObject(o, "ms", (double)(cw_mono_ns() - t0) / 1e6);
                aud_emit(o);
            }
            aud_batch_clear(a);
            return 0;
        }
        if (s == AUD_E_CONN) {
            aud_pg_drop(a); /* aud_pg_ensure logs the reconnection */
            continue;
        }
        if (s == AUD_E_DATA && !per_row) {
            aud_log("warn", "batch rejected by the database; writing it row by row", NULL, NULL);
            per_row = 1;
            continue;
        }
        if (s == AUD_E_SCHEMA && !schema_tries++ && aud_schema(a) == AUD_OK)
            continue; /* a table was dropped under us: create it again, once */
        cJSON *o = aud_ev("warn", "batch not stored; retrying");
        cJSON_AddNumberToObject(o, "retryInMs", backoff);
        aud_emit(o);
        aud_sleep_ms(backoff);
        backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
        if (aud_quit())
            break;
    }
    cJSON *o = aud_ev("warn", "stopping with records not stored; they will be read again");
    cJSON_AddNumberToObject(o, "records", a->records);
    aud_emit(o);
    aud_batch_clear(a);
    return -1;
}

/* One consumed record into the batch. */
static void aud_add(aud_t *a, const rd_kafka_message_t *m) {
    aud_row_t row;
    char why[200];
    memset(&row, 0, sizeof(row));
    if (aud_parse(&a->conf, m->payload, m->len, &row, why, sizeof(why))) {
        cJSON *o = aud_ev("warn", "record skipped: no usable actionExecutionLog");
        aud_add_str(o, "reason", why);
        cJSON_AddNumberToObject(o, "partition", m->partition);
        cJSON_AddNumberToObject(o, "offset", (double)m->offset);
        char key[257] = "";
        if (m->key) {
            size_t kl = m->key_len < sizeof(key) - 1 ? m->key_len : sizeof(key) - 1;
            memcpy(key, m->key, kl);
            key[kl] = '\0';
            aud_add_str(o, "key", key);
        }
        aud_emit(o);
        a->skipped++;
    } else {
        if (a->nrows == a->caprows) {
            int cap = a->caprows ? a->caprows * 2 : 64;
            aud_row_t *r = realloc(a->rows, (size_t)cap * sizeof(*r));
            if (!r) {
                /* Nothing read since the last batch is acknowledged: a
                 * restart reads it again. */
                aud_log("error", "out of memory; exiting", NULL, NULL);
                exit(1);
            }
            a->rows = r;
            a->caprows = cap;
        }
        row.partition = m->partition;
        row.offset = m->offset;
        for (int k = 0; k < AUD_NCOLS; k++)
            a->bytes += row.v[k] ? strlen(row.v[k]) : 0;
        a->rows[a->nrows++] = row;
    }
    if (aud_batch_offset(a, m->partition, m->offset + 1)) {
        aud_log("error", "out of memory; exiting", NULL, NULL);
        exit(1);
    }
    if (!a->records++)
        a->first_ns = cw_mono_ns();
}

static void aud_retention(aud_t *a) {
    int64_t now = cw_now_ms();
    if (a->conf.retention_days <= 0 || now < a->next_retention_ms)
        return;
    char days[16];
    snprintf(days, sizeof(days), "%d", a->conf.retention_days);
    const char *vals[] = {days};
    /* In chunks, so no single statement holds locks on a huge range. */
    static const char sql[] =
        "DELETE FROM \"ActionExecutionLog\" WHERE ctid IN (SELECT ctid FROM \"ActionExecutionLog\" "
        "WHERE \"EndedAt\" < now() - make_interval(days => $1::integer) "
        "AND \"EndedAt\" < now() - make_interval(days => COALESCE(\"RetentionPeriod\", $1::integer)) "
        "LIMIT " AUD_XSTR(AUD_RETENTION_CHUNK) ")";
    unsigned long long total = 0;
    int64_t t0 = cw_mono_ns();
    for (;;) {
        if (aud_pg_ensure(a))
            return;
        PGresult *res = NULL;
        aud_status_t s = aud_exec(a, "retention delete", sql, 1, vals, PGRES_COMMAND_OK, &res, 0);
        if (s) {
            if (s == AUD_E_CONN)
                aud_pg_drop(a);
            a->next_retention_ms = now + AUD_RETENTION_RETRY_MS;
            return;
        }
        unsigned long long n = strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        total += n;
        if (n < AUD_RETENTION_CHUNK || aud_quit())
            break;
    }
    cJSON *o = aud_ev("info", "retention sweep");
    cJSON_AddNumberToObject(o, "days", a->conf.retention_days);
    cJSON_AddNumberToObject(o, "deleted", (double)total);
    cJSON_AddNumberToObject(o, "ms", (double)(cw_mono_ns() - t0) / 1e6);
    aud_emit(o);
    a->next_retention_ms = now + AUD_RETENTION_EVERY_MS;
}

/* Set each partition's offset to its stored next offset (the beginning
 * when there is none); -1 only when asked to stop. */
static int aud_load_offsets(aud_t *a, rd_kafka_topic_partition_list_t *parts) {
    static const char sql[] =
        "SELECT topic, partition_id, next_offset FROM codeworker_audit_offsets WHERE group_id = $1";
    for (;;) {
        if (aud_pg_ensure(a))
            return -1;
        const char *vals[] = {a->conf.group};
        PGresult *res = NULL;
        aud_status_t s = aud_exec(a, "read offsets", sql, 1, vals, PGRES_TUPLES_OK, &res, 0);
        if (s == AUD_OK) {
            for (int i = 0; i < parts->cnt; i++) {
                parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
                for (int r = 0; r < PQntuples(res); r++)
                    if (!strcmp(PQgetvalue(res, r, 0), parts->elems[i].topic) &&
                        atoi(PQgetvalue(res, r, 1)) == parts->elems[i].partition)
                        parts->elems[i].offset = strtoll(PQgetvalue(res, r, 2), NULL, 10);
            }
            PQclear(res);
            return 0;
        }
        if (s == AUD_E_CONN)
            aud_pg_drop(a);
        else if (s == AUD_E_SCHEMA)
            (void)aud_schema(a);
        else
            aud_sleep_ms(1000);
        if (aud_quit())
            return -1;
    }
}

static cJSON *aud_parts_json(const rd_kafka_topic_partition_list_t *parts, int with_offsets) {
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < parts->cnt; i++) {
        char s[300];
        int64_t off = parts->elems[i].offset;
        if (!with_offsets)
            snprintf(s, sizeof(s), "%s[%d]", parts->elems[i].topic, (int)parts->elems[i].partition);
        else if (off == RD_KAFKA_OFFSET_BEGINNING)
            snprintf(s, sizeof(s), "%s[%d]@beginning", parts->elems[i].topic, (int)parts->elems[i].partition);
        else
            snprintf(s, sizeof(s), "%s[%d]@%lld", parts->elems[i].topic, (int)parts->elems[i].partition,
                     (long long)off);
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
    }
    return arr;
}

static void aud_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                          void *opaque) {
    aud_t *a = opaque;
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *e = NULL;
    rd_kafka_resp_err_t re = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (aud_load_offsets(a, parts)) {
            if (!coop)
                re = rd_kafka_assign(rk, NULL);
            return;
        }
        if (coop)
            e = rd_kafka_incremental_assign(rk, parts);
        else
            re = rd_kafka_assign(rk, parts);
        cJSON *o = aud_ev("info", "partitions assigned");
        cJSON_AddItemToObject(o, "partitions", aud_parts_json(parts, 1));
        aud_emit(o);
    } else {
        /* Revoked or lost: store what was read from them first.  Writing
         * after losing a partition is harmless (duplicates are ignored and
         * offsets only move forward). */
        (void)aud_flush(a);
        if (coop)
            e = rd_kafka_incremental_unassign(rk, parts);
        else
            re = rd_kafka_assign(rk, NULL);
        cJSON *o = aud_ev("info", err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? "partitions revoked"
                                                                            : "rebalance error");
        if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            aud_add_str(o, "detail", rd_kafka_err2str(err));
        cJSON_AddItemToObject(o, "partitions", aud_parts_json(parts, 0));
        aud_emit(o);
    }
    if (e || re) {
        aud_log("error", "assignment failed", "detail", e ? rd_kafka_error_string(e) : rd_kafka_err2str(re));
        if (e)
            rd_kafka_error_destroy(e);
    }
}

/* ---- the command ------------------------------------------------------------------ */

static void aud_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker audit --pg URL [options]\n"
            "\n"
            "Stores every result's actionExecutionLog row in PostgreSQL, exactly once: rows and\n"
            "the consumer's offsets are written in the same database transaction.\n"
            "\n"
            "      --pg URL              PostgreSQL URL or conninfo (audit.pg; CODEWORKER_AUDIT_PG)\n"
            "  -b, --brokers LIST        bootstrap servers (default 127.0.0.1:9092)\n"
            "      --results-topic T     (default execute-code.results)\n"
            "  -g, --group G             consumer group (default codeworker-audit)\n"
            "      --redact K1,K2        replace these JSON members in Params/ResultParams by \"[REDACTED]\"\n"
            "      --retention-days N    fill RetentionPeriod; delete rows ended more than N days ago\n"
            "      --batch-max N         records per transaction, at most (default 500)\n"
            "      --batch-ms MS         how long a record may wait for its transaction (default 100)\n"
            "  -c, --config FILE         key = value lines (or CODEWORKER_AUDIT_CONFIG)\n"
            "  -X key=value              any property, kafka.* passed to librdkafka; -X list shows them\n"
            "      --print-schema        print the SQL that creates the tables, and exit\n"
            "  -h, --help                this text\n"
            "\n"
            "Precedence: flags, then the config file, then CODEWORKER_* variables, then defaults.\n"
            "Logs are JSON lines on stderr.  SIGTERM stores the open batch and exits 0.\n");
}

int cw_cli_audit(cw_cli_t *cli, int argc, char **argv) {
    (void)cli;
    static const struct option opts[] = {
        {"pg", required_argument, NULL, 1},           {"brokers", required_argument, NULL, 'b'},
        {"results-topic", required_argument, NULL, 2}, {"group", required_argument, NULL, 'g'},
        {"redact", required_argument, NULL, 3},       {"retention-days", required_argument, NULL, 4},
        {"batch-max", required_argument, NULL, 5},    {"batch-ms", required_argument, NULL, 6},
        {"config", required_argument, NULL, 'c'},     {"print-schema", no_argument, NULL, 7},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    static const char *const flag_key[] = {NULL, "audit.pg", "results.topic", "audit.redact",
                                           "audit.retention.days", "audit.batch.max", "audit.batch.ms"};
    /* Flags are collected first and applied last: they win over the file
     * and the environment. */
    const char **fk = calloc((size_t)argc + 1, sizeof(*fk));
    const char **fv = calloc((size_t)argc + 1, sizeof(*fv));
    int nf = 0, c, list = 0, rc = 2;
    const char *cfile = getenv("CODEWORKER_AUDIT_CONFIG");
    char err[512];
    static aud_t a;
    aud_conf_init(&a.conf);
    if (!fk || !fv) {
        fprintf(stderr, "Error: out of memory\n");
        goto out;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:g:c:X:h", opts, NULL)) != -1) {
        switch (c) {
        case 1: case 2: case 3: case 4: case 5: case 6:
            fk[nf] = flag_key[c];
            fv[nf++] = optarg;
            break;
        case 'b': fk[nf] = "brokers", fv[nf++] = optarg; break;
        case 'g': fk[nf] = "audit.group", fv[nf++] = optarg; break;
        case 'c': cfile = optarg; break;
        case 7:
            fputs(cw_audit_schema_sql, stdout);
            rc = 0;
            goto out;
        case 'X': {
            if (!strcmp(optarg, "list")) {
                list = 1;
                break;
            }
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                fprintf(stderr, "Error: -X expects key=value\n");
                goto out;
            }
            *eq = '\0';
            fk[nf] = optarg;
            fv[nf++] = eq + 1;
            break;
        }
        case 'h': aud_usage(stdout); rc = 0; goto out;
        default: aud_usage(stderr); goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "Error: unexpected argument \"%s\"\n", argv[optind]);
        goto out;
    }
    if (aud_conf_env(&a.conf, err, sizeof(err)) || (cfile && aud_conf_file(&a.conf, cfile, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        goto out;
    }
    for (int i = 0; i < nf; i++)
        if (aud_conf_set(&a.conf, fk[i], fv[i], err, sizeof(err))) {
            fprintf(stderr, "Error: %s\n", err);
            goto out;
        }
    if (list) {
        aud_conf_dump(&a.conf, stdout);
        rc = 0;
        goto out;
    }
    if (!a.conf.pg[0]) {
        fprintf(stderr, "Error: --pg URL is required (or audit.pg, CODEWORKER_AUDIT_PG)\n");
        goto out;
    }

    /* Kafka configuration, checked before anything starts. */
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    char host[128] = "", cid[400];
    gethostname(host, sizeof(host) - 1);
    snprintf(cid, sizeof(cid), "codeworker-audit-%s-%d", host, (int)getpid());
    rd_kafka_conf_set_log_cb(kc, aud_rdk_log);
    rd_kafka_conf_set_rebalance_cb(kc, aud_rebalance);
    rd_kafka_conf_set_opaque(kc, &a);
    /* Defaults that kafka.* may change, then the user's properties, then
     * what exactly-once depends on, which they may not. */
    const char *dflt[][2] = {{"bootstrap.servers", a.conf.brokers},
                             {"group.id", a.conf.group},
                             {"client.id", cid},
                             {"auto.offset.reset", "earliest"}};
    const char *fixed[][2] = {{"isolation.level", "read_committed"},
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"}};
    for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
        if (rd_kafka_conf_set(kc, dflt[i][0], dflt[i][1], err, sizeof(err))) {
            fprintf(stderr, "Error: %s\n", err);
            rd_kafka_conf_destroy(kc);
            goto out;
        }
    for (int i = 0; i < a.conf.kafka_n; i++) {
        char why[256];
        for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
            if (!strcmp(a.conf.kafka_key[i], fixed[k][0]) && strcmp(a.conf.kafka_val[i], fixed[k][1])) {
                fprintf(stderr, "Error: kafka.%s is always %s here: offsets live in PostgreSQL and only "
                                "committed results are read\n", fixed[k][0], fixed[k][1]);
                rd_kafka_conf_destroy(kc);
                goto out;
            }
        if (rd_kafka_conf_set(kc, a.conf.kafka_key[i], a.conf.kafka_val[i], why, sizeof(why))) {
            fprintf(stderr, "Error: kafka.%s: %s\n", a.conf.kafka_key[i], why);
            rd_kafka_conf_destroy(kc);
            goto out;
        }
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        (void)rd_kafka_conf_set(kc, fixed[i][0], fixed[i][1], err, sizeof(err));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = aud_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cJSON *o = aud_ev("info", "audit sink starting");
    cJSON_AddStringToObject(o, "version", CW_VERSION);
    aud_add_str(o, "brokers", a.conf.brokers);
    aud_add_str(o, "topic", a.conf.topic);
    aud_add_str(o, "group", a.conf.group);
    cJSON_AddNumberToObject(o, "redactKeys", a.conf.nredact);
    cJSON_AddNumberToObject(o, "retentionDays", a.conf.retention_days);
    cJSON_AddNumberToObject(o, "batchMax", a.conf.batch_max);
    cJSON_AddNumberToObject(o, "batchMs", a.conf.batch_ms);
    aud_emit(o);

    if (aud_pg_ensure(&a)) { /* stopped before the database answered */
        rd_kafka_conf_destroy(kc);
        rc = 0;
        goto out;
    }
    aud_retention(&a);

    if (!(a.rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, sizeof(err)))) {
        rd_kafka_conf_destroy(kc);
        aud_log("error", "cannot create the Kafka consumer", "detail", err);
        rc = 1;
        goto out;
    }
    rd_kafka_poll_set_consumer(a.rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, a.conf.topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t se = rd_kafka_subscribe(a.rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (se) {
        aud_log("error", "subscribe failed", "detail", rd_kafka_err2str(se));
        rc = 1;
        goto out_consumer;
    }

    rd_kafka_resp_err_t last_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int64_t next_progress = cw_mono_ns() + (int64_t)AUD_PROGRESS_MS * 1000000;
    unsigned long long seen_at_progress = 0;
    while (!aud_stop) {
        int timeout = 500;
        if (a.records) {
            int64_t left = (a.first_ns + (int64_t)a.conf.batch_ms * 1000000 - cw_mono_ns()) / 1000000;
            timeout = left < 0 ? 0 : left > 500 ? 500 : (int)left;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(a.rk, timeout);
        if (m) {
            if (!m->err) {
                aud_add(&a, m);
                last_err = RD_KAFKA_RESP_ERR_NO_ERROR;
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != last_err) {
                /* logged once per distinct error, not once per poll */
                aud_log("warn", "consumer error", "detail", rd_kafka_message_errstr(m));
                last_err = m->err;
            }
            rd_kafka_message_destroy(m);
        }
        if (a.records && (a.records >= a.conf.batch_max || a.bytes >= AUD_BATCH_BYTES ||
                          cw_mono_ns() - a.first_ns >= (int64_t)a.conf.batch_ms * 1000000))
            (void)aud_flush(&a);
        aud_retention(&a);
        if (cw_mono_ns() >= next_progress) {
            unsigned long long seen = a.inserted + a.duplicates + a.skipped + a.rejected;
            if (seen != seen_at_progress) {
                o = aud_ev("info", "progress");
                cJSON_AddNumberToObject(o, "inserted", (double)a.inserted);
                cJSON_AddNumberToObject(o, "duplicates", (double)a.duplicates);
                cJSON_AddNumberToObject(o, "skipped", (double)a.skipped);
                cJSON_AddNumberToObject(o, "rejected", (double)a.rejected);
                cJSON_AddNumberToObject(o, "transactions", (double)a.txns);
                aud_emit(o);
                seen_at_progress = seen;
            }
            next_progress = cw_mono_ns() + (int64_t)AUD_PROGRESS_MS * 1000000;
        }
    }
    aud_log("info", "stopping", NULL, NULL);
    /* The last batch and the revocation may still use the database, for a
     * bounded time; a second signal gives up at once. */
    aud_give_up_ns = cw_mono_ns() + (int64_t)AUD_SHUTDOWN_MS * 1000000;
    aud_stop = 0;
    (void)aud_flush(&a);
    rc = 0;
out_consumer:
    rd_kafka_consumer_close(a.rk);
    rd_kafka_destroy(a.rk);
    a.rk = NULL;
    o = aud_ev("info", "audit sink stopped");
    cJSON_AddNumberToObject(o, "inserted", (double)a.inserted);
    cJSON_AddNumberToObject(o, "duplicates", (double)a.duplicates);
    cJSON_AddNumberToObject(o, "skipped", (double)a.skipped);
    cJSON_AddNumberToObject(o, "rejected", (double)a.rejected);
    cJSON_AddNumberToObject(o, "transactions", (double)a.txns);
    aud_emit(o);
out:
    aud_batch_clear(&a);
    free(a.rows);
    free(a.offs);
    aud_pg_drop(&a);
    aud_conf_free(&a.conf);
    free(fk);
    free(fv);
    return rc;
}
