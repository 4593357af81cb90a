/*
 * cw_cli_replay.c -- `codeworker replay [RESULT|-]`: run a past job again
 * with what its result recorded and say whether the new result is the same.
 *
 * Every result of a job that ran carries `replay {seed, startedAt, clock,
 * codeworker, duktape}` (README "Replay").  The job itself comes from
 * `--job FILE`, from the result's actionExecutionLog.Params (a Kafka
 * result; JSON text clipped at 16 KiB, so only small jobs), or with
 * `--from-kafka` from the jobs topic at the result's source partition and
 * offset (while the topic still holds it).  With `--from-pg URL --job-id
 * ID` (or `--id UUID`) the result and the job both come from the audit row
 * `codeworker audit` stored: its ResultParams and Params (JSON text, each
 * clipped at 16 KiB by the worker; a row whose members were redacted by
 * the sink is said to be so, since a redacted input cannot be replayed as
 * it was).  The job is run through
 * `codeworker exec` (this binary, the same executor pool and sandbox) with
 * the recorded seed as its `seed` -- which makes the run deterministic: the
 * logical clock and seeded crypto -- the recorded start as its `clockStart`
 * and its time zone; `expiresAt` and `replyTopic` are dropped.
 *
 * Printed: the new result on stdout, and on stderr "identical" or each
 * difference (resultCode, errorType, output, logs by level and message,
 * logsTruncated, error name/message/line/column; timings and memory are
 * measurements, not compared), plus a note when the engine differs from
 * the one recorded, or when the job ran on the real clock (an unseeded
 * job: readings of its clock after its start are not reproduced).
 * Exit 0 identical, 1 different, 2 bad input or no job, 3 could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>

#include "cw_buf.h"
#include "cw_cli.h"
#include "cw_runtime.h"
#include "duktape.h"

#include <libpq-fe.h>

#include <unicode/uversion.h>

static void cw_replay_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker replay [RESULT.json|-] [options]\n"
            "\n"
            "  -j, --job FILE          the job (else: the result's actionExecutionLog.Params, or --from-kafka)\n"
            "      --from-kafka        read the job from the jobs topic at the result's source partition/offset\n"
            "      --from-pg URL       read the result and the job from the audit row codeworker audit stored\n"
            "      --job-id ID         with --from-pg: the row of this jobId\n"
            "      --id UUID           with --from-pg: the row of this ActionExecutionLog ID\n"
            "  -b, --brokers LIST      for --from-kafka (default 127.0.0.1:9092; CODEWORKER_BROKERS)\n"
            "  -h, --help              this text\n"
            "\n"
            "Runs the job again with the recorded seed, clock start and time zone; prints the new\n"
            "result, and on stderr whether it is identical.  Exit 0 identical, 1 different.\n");
}

static char *cw_replay_slurp(FILE *f, size_t *len) {
    cw_buf_t b;
    cw_buf_init(&b, 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (cw_buf_append(&b, chunk, n)) {
            cw_buf_free(&b);
            return NULL;
        }
    if (cw_buf_putc(&b, '\0')) {
        cw_buf_free(&b);
        return NULL;
    }
    *len = b.len - 1;
    return cw_buf_steal(&b, len);
}

static char *cw_replay_read_file(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    char *s = cw_replay_slurp(f, len);
    if (f != stdin)
        fclose(f);
    return s;
}

/* The job message at topic/partition/offset, or NULL (why in err). */
static char *cw_replay_from_kafka(const char *brokers, const char *topic, int partition, long long offset,
                                  size_t *len, char *err, size_t n) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char gid[64];
    snprintf(gid, sizeof(gid), "codeworker-replay-%d", (int)getpid());
    if (rd_kafka_conf_set(c, "bootstrap.servers", brokers, err, n) ||
        rd_kafka_conf_set(c, "group.id", gid, err, n) ||
        rd_kafka_conf_set(c, "enable.auto.commit", "false", err, n) ||
        rd_kafka_conf_set(c, "enable.partition.eof", "true", err, n)) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, n);
    if (!rk) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    char *out = NULL;
    snprintf(err, n, "no message at %s[%d]@%lld within 30 s (the topic may no longer hold it)", topic, partition,
             offset);
    for (int i = 0; i < 300 && !out; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err && m->offset == offset && (out = malloc(m->len + 1)) != NULL) {
            memcpy(out, m->payload, m->len);
            out[m->len] = '\0';
            *len = m->len;
        } else if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            snprintf(err, n, "%s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            break;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            rd_kafka_message_destroy(m);
            break;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out;
}

/* The audit row's ResultParams and Params (PostgreSQL, the table
 * `codeworker audit` writes), by JobID or by ID.  0, or -1 with why in err. */
static int cw_replay_from_pg(const char *url, const char *job_id, const char *id, char **result, char **job,
                             char *err, size_t n) {
    *result = *job = NULL;
    PGconn *pg = PQconnectdb(url);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, n, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    const char *sql = job_id ? "SELECT \"ResultParams\", \"Params\" FROM \"ActionExecutionLog\" WHERE \"JobID\" = $1"
                             : "SELECT \"ResultParams\", \"Params\" FROM \"ActionExecutionLog\" WHERE \"ID\" = $1::uuid";
    const char *vals[1] = {job_id ? job_id : id};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, vals, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, n, "the audit query failed: %s", PQresultErrorMessage(res));
    } else if (PQntuples(res) != 1) {
        snprintf(err, n, "no audit row with %s %s", job_id ? "JobID" : "ID", vals[0]);
    } else if (PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 1)) {
        snprintf(err, n, "the audit row has no ResultParams or no Params");
    } else {
        *result = strdup(PQgetvalue(res, 0, 0));
        *job = strdup(PQgetvalue(res, 0, 1));
        if (*result && *job) {
            rc = 0;
        } else {
            free(*result);
            free(*job);
            *result = *job = NULL;
            snprintf(err, n, "out of memory");
        }
    }
    PQclear(res);
    PQfinish(pg);
    return rc;
}

/* Run one job line through `codeworker exec` (this binary); the result line
 * or NULL. */
static char *cw_replay_run(const cw_cli_t *cli, const char *line) {
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execl(cli->self_exe, cli->self_exe, "exec", "--jobs", "-", "--executors", "1", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    size_t n = strlen(line), off = 0;
    while (off < n) {
        ssize_t w = write(in[1], line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    (void)!write(in[1], "\n", 1);
    close(in[1]);
    FILE *f = fdopen(out[0], "rb");
    size_t len = 0;
    char *res = f ? cw_replay_slurp(f, &len) : NULL;
    if (f)
        fclose(f);
    else
        close(out[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (res) {
        char *nl = strchr(res, '\n');
        if (nl)
            *nl = '\0';
        if (!*res) {
            free(res);
            res = NULL;
        }
    }
    return res;
}

/* What is compared: how the job ended and what it produced. */
static cJSON *cw_replay_essence(const cJSON *r) {
    cJSON *e = cJSON_CreateObject();
    static const char *const keys[] = {"resultCode", "errorType", "output", "logsTruncated"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, keys[i]);
        cJSON_AddItemToObject(e, keys[i], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
    }
    cJSON *logs = cJSON_AddArrayToObject(e, "logs");
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "logs")) {
        cJSON *x = cJSON_CreateObject();
        static const char *const lk[] = {"level", "message", "truncated"};
        for (size_t i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(l, lk[i]);
            if (v)
                cJSON_AddItemToObject(x, lk[i], cJSON_Duplicate(v, 1));
        }
        cJSON_AddItemToArray(logs, x);
    }
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(r, "error");
    cJSON *ex = cJSON_IsObject(err) ? cJSON_CreateObject() : cJSON_CreateNull();
    static const char *const ek[] = {"name", "message", "line", "column"};
    for (size_t i = 0; cJSON_IsObject(err) && i < 4; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(err, ek[i]);
        cJSON_AddItemToObject(ex, ek[i], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(e, "error", ex);
    return e;
}

static void cw_replay_show(const char *what, const cJSON *v) {
    char *s = v ? cJSON_PrintUnformatted(v) : NULL;
    fprintf(stderr, "    %s %.300s%s\n", what, s ? s : "(absent)", s && strlen(s) > 300 ? "..." : "");
    free(s);
}

int cw_cli_replay(cw_cli_t *cli, int argc, char **argv) {
    static const struct option opts[] = {{"job", required_argument, NULL, 'j'},
                                         {"from-kafka", no_argument, NULL, 1},
                                         {"brokers", required_argument, NULL, 'b'},
                                         {"from-pg", required_argument, NULL, 2},
                                         {"job-id", required_argument, NULL, 3},
                                         {"id", required_argument, NULL, 4},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *job_path = NULL;
    const char *brokers = getenv("CODEWORKER_BROKERS") ? getenv("CODEWORKER_BROKERS") : "127.0.0.1:9092";
    const char *pg_url = NULL, *pg_job = NULL, *pg_id = NULL;
    int from_kafka = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:b:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': job_path = optarg; break;
        case 1: from_kafka = 1; break;
        case 2: pg_url = optarg; break;
        case 3: pg_job = optarg; break;
        case 4: pg_id = optarg; break;
        case 'b': brokers = optarg; break;
        case 'h': cw_replay_usage(stdout); return 0;
        default: cw_replay_usage(stderr); return 2;
        }
    }
    if (!pg_url != (!pg_job && !pg_id) || (pg_job && pg_id) || (pg_url && (optind < argc || job_path || from_kafka))) {
        fprintf(stderr, "Error: --from-pg URL takes exactly one of --job-id or --id, and no RESULT, --job or "
                        "--from-kafka\n");
        return 2;
    }
    const char *res_path = pg_url ? "the audit row" : optind < argc ? argv[optind] : "-";
    size_t len = 0;
    char *text = NULL, *pg_params = NULL;
    if (pg_url) {
        char perr[600];
        if (cw_replay_from_pg(pg_url, pg_job, pg_id, &text, &pg_params, perr, sizeof(perr))) {
            fprintf(stderr, "Error: %s\n", perr);
            return 2;
        }
        len = strlen(text);
    } else if (!(text = cw_replay_read_file(res_path, &len))) {
        fprintf(stderr, "Error: cannot read the result %s: %s\n", res_path, strerror(errno));
        return 2;
    }
    cJSON *rec = cJSON_ParseWithLength(text, len);
    free(text);
    if (pg_url && !cJSON_IsObject(rec)) {
        fprintf(stderr, "Error: the audit row's ResultParams is not a whole result (the worker clips it at 16 KiB): "
                        "replay the result from the results topic instead\n");
        cJSON_Delete(rec);
        free(pg_params);
        return 2;
    }
    if (pg_url) {
        if (strstr(pg_params, "[REDACTED]"))
            fprintf(stderr, "%% note: the audit row was redacted (members replaced by \"[REDACTED]\"): the job "
                            "runs with those values, not the ones it had\n");
        cJSON *log = cJSON_GetObjectItemCaseSensitive(rec, "actionExecutionLog");
        if (!cJSON_IsObject(log))
            log = cJSON_AddObjectToObject(rec, "actionExecutionLog");
        cJSON_DeleteItemFromObjectCaseSensitive(log, "Params");
        cJSON_AddStringToObject(log, "Params", pg_params);
        free(pg_params);
    }
    const cJSON *replay = cJSON_GetObjectItemCaseSensitive(rec, "replay");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(replay, "seed");
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(replay, "startedAt");
    if (!cJSON_IsObject(rec) || !cJSON_IsNumber(seed) || !cJSON_IsNumber(start)) {
        fprintf(stderr, "Error: %s is not a result of a job that ran (no replay {seed, startedAt})\n", res_path);
        cJSON_Delete(rec);
        return 2;
    }
    /* the job */
    char *jtext = NULL, why[300] = "";
    size_t jlen = 0;
    if (job_path) {
        jtext = cw_replay_read_file(job_path, &jlen);
        if (!jtext)
            snprintf(why, sizeof(why), "cannot read %s: %s", job_path, strerror(errno));
    } else if (from_kafka) {
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(rec, "source");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(src, "topic");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(src, "partition");
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(src, "offset");
        if (cJSON_IsString(t) && cJSON_IsNumber(p) && cJSON_IsNumber(o))
            jtext = cw_replay_from_kafka(brokers, t->valuestring, (int)p->valuedouble, (long long)o->valuedouble, &jlen,
                                         why, sizeof(why));
        else
            snprintf(why, sizeof(why), "the result has no source {topic, partition, offset} (not from Kafka)");
    } else {
        const cJSON *params =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "actionExecutionLog"), "Params");
        if (cJSON_IsString(params))
            jtext = strdup(params->valuestring);
        snprintf(why, sizeof(why), "the result carries no job (only a Kafka result does, clipped at 16 KiB): "
                                   "pass --job FILE or --from-kafka");
    }
    cJSON *job = jtext ? cJSON_Parse(jtext) : NULL;
    free(jtext);
    if (!cJSON_IsObject(job) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(job, "code"))) {
        fprintf(stderr, "Error: no job to replay: %s\n", why[0] ? why : "the job is not a JSON object with code");
        cJSON_Delete(job);
        cJSON_Delete(rec);
        return 2;
    }
    /* what makes it the same run */
    cJSON_DeleteItemFromObjectCaseSensitive(job, "expiresAt");
    cJSON_DeleteItemFromObjectCaseSensitive(job, "replyTopic");
    cJSON_DeleteItemFromObjectCaseSensitive(job, "seed");
    cJSON_DeleteItemFromObjectCaseSensitive(job, "clockStart");
    cJSON_AddNumberToObject(job, "seed", seed->valuedouble);
    cJSON_AddNumberToObject(job, "clockStart", start->valuedouble);
    const cJSON *tz = cJSON_GetObjectItemCaseSensitive(rec, "timeZone");
    if (cJSON_IsString(tz)) {
        cJSON_DeleteItemFromObjectCaseSensitive(job, "timeZone");
        cJSON_AddStringToObject(job, "timeZone", tz->valuestring);
    }
    char *line = cJSON_PrintUnformatted(job);
    cJSON_Delete(job);
    char *got = line ? cw_replay_run(cli, line) : NULL;
    free(line);
    cJSON *now = got ? cJSON_Parse(got) : NULL;
    if (!cJSON_IsObject(now)) {
        fprintf(stderr, "Error: the replay produced no result\n");
        free(got);
        cJSON_Delete(now);
        cJSON_Delete(rec);
        return 3;
    }
    printf("%s\n", got);
    fflush(stdout);
    free(got);

    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(rec, "jobId");
    const char *id = cJSON_IsString(jid) ? jid->valuestring : "(no jobId)";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(replay, "codeworker");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(replay, "duktape");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, CW_VERSION) || !cJSON_IsNumber(d) ||
        (long)d->valuedouble != (long)DUK_VERSION)
        fprintf(stderr, "%% note: recorded with codeworker %s / Duktape %ld, replayed with codeworker %s / Duktape %ld: "
                        "differences may come from the engine\n",
                cJSON_IsString(v) ? v->valuestring : "?", cJSON_IsNumber(d) ? (long)d->valuedouble : 0L, CW_VERSION,
                (long)DUK_VERSION);
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(replay, "runtime");
    if (cJSON_IsString(rt) && strcmp(rt->valuestring, cw_rt_digest))
        fprintf(stderr, "%% note: recorded with runtime %s, replayed with %s: the embedded runtime, libraries or "
                        "lowering differ, so differences may come from them\n",
                rt->valuestring, cw_rt_digest);
    else if (!cJSON_IsString(rt))
        fprintf(stderr, "%% note: the result records no runtime digest (an older worker): it cannot say whether "
                        "the embedded runtime and libraries are the ones it ran with\n");
    const cJSON *icu = cJSON_GetObjectItemCaseSensitive(replay, "icu");
    if (cJSON_IsString(icu) && strcmp(icu->valuestring, U_ICU_VERSION))
        fprintf(stderr, "%% note: recorded with ICU %s, replayed with ICU %s: Intl and time-zone output may differ\n",
                icu->valuestring, U_ICU_VERSION);
    const cJSON *clock = cJSON_GetObjectItemCaseSensitive(replay, "clock");
    if (!cJSON_IsString(clock) || strcmp(clock->valuestring, "logical"))
        fprintf(stderr, "%% note: the job ran on the real clock (it named no seed): the replay starts its clock "
                        "where it started, but later readings of it are not reproduced\n");
    cJSON *a = cw_replay_essence(rec), *b = cw_replay_essence(now);
    int same = cJSON_Compare(a, b, 1);
    if (same) {
        fprintf(stderr, "%% replay of %s: identical\n", id);
    } else {
        fprintf(stderr, "%% replay of %s: different\n", id);
        const cJSON *x;
        cJSON_ArrayForEach(x, a) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!cJSON_Compare(x, y, 1)) {
                fprintf(stderr, "  %s:\n", x->string);
                cw_replay_show("recorded", x);
                cw_replay_show("replayed", y);
            }
        }
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(now);
    cJSON_Delete(rec);
    return same ? 0 : 1;
}
