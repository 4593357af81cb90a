/*
 * cw_cli_submit.c -- `codeworker submit`: the reference client.
 *
 *   codeworker submit [FILE.jsonl|-] [--code JS [--input JSON]] [--wait] ...
 *
 * Publishes jobs (key = jobId) to the jobs topic and, with --wait, prints each
 * job's result line as it arrives, matched by jobId.  To never miss a result,
 * it reads the results topic's end offsets *before* producing and consumes
 * from there (read_committed).  Exit status: 0 when every awaited job
 * succeeded, 1 when any failed, 3 when the wait timed out, 2 on errors.
 *
 * --follow also reads the workers' live log topic (logs.topic; the same
 * end-offsets-first rule) and prints each console line of the awaited jobs
 * to stderr as "[jobId] level: message" while they run; after a job's
 * result it waits (at most 2 s) for that attempt's last log record, so the
 * lines come before the command ends.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>

#include "cw_cli.h"
#include "cw_time.h"
#include "cw_trace.h"

typedef struct cw_sub_job {
    char *id;
    int seen;
    int attempt;  /* the result's attempt (--follow) */
    int ended;    /* the attempt whose end log record was read (--follow) */
} cw_sub_job_t;

static void cw_submit_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker submit [FILE.jsonl|-] [options]\n"
            "       codeworker submit --code JS [--input JSON] [options]\n"
            "\n"
            "  -b, --brokers LIST      bootstrap servers (default 127.0.0.1:9092; CODEWORKER_BROKERS)\n"
            "      --jobs-topic T      (default execute-code.jobs)\n"
            "      --results-topic T   (default execute-code.results)\n"
            "      --code JS           submit one job with this code (jobId generated)\n"
            "      --input JSON        its inputData\n"
            "  -w, --wait              print each job's result line as it arrives\n"
            "  -t, --wait-timeout S    give up waiting after S seconds (default 120)\n"
            "  -f, --follow            with --wait: print the jobs' console lines to stderr as\n"
            "                          they are written (needs workers with logs.topic set)\n"
            "      --logs-topic T      the workers' logs.topic (default execute-code.logs,\n"
            "                          or CODEWORKER_LOGS_TOPIC)\n"
            "      --read TOPIC        print every committed record of TOPIC (read_committed) and exit\n"
            "      --traceparent TP    W3C trace context header of every job sent (the worker copies it\n"
            "                          to the result's headers and the audit row); --tracestate TS too\n"
            "  -X kafka.key=value      librdkafka property for both clients\n"
            "  -h, --help              this text\n"
            "\n"
            "Each job line must be a JSON object with a string jobId.  Results go to stdout,\n"
            "progress and errors to stderr.\n");
}

static void cw_gen_id(char out[40]) {
    uint64_t r[2] = {0, 0};
    if (getrandom(r, sizeof(r), 0) != sizeof(r))
        r[0] = (uint64_t)cw_mono_ns();
    snprintf(out, 40, "job-%016llx%08llx", (unsigned long long)r[0], (unsigned long long)(r[1] & 0xffffffffu));
}

static rd_kafka_conf_t *cw_sub_conf(const char *brokers, char **xk, char **xv, int xn, char *err, size_t n) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (rd_kafka_conf_set(c, "bootstrap.servers", brokers, err, n)) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    for (int i = 0; i < xn; i++)
        if (rd_kafka_conf_set(c, xk[i], xv[i], err, n)) {
            rd_kafka_conf_destroy(c);
            return NULL;
        }
    return c;
}

/* --read: every committed record of a topic, from the beginning to the end
 * offsets seen at start, values one per line. */
static int cw_submit_read(const char *brokers, const char *topic, char **xk, char **xv, int xn) {
    char err[512], gid[40];
    cw_gen_id(gid);
    rd_kafka_conf_t *cc = cw_sub_conf(brokers, xk, xv, xn, err, sizeof(err));
    rd_kafka_t *rk = NULL;
    if (!cc || rd_kafka_conf_set(cc, "group.id", gid, err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "isolation.level", "read_committed", err, sizeof(err)) ||
        rd_kafka_conf_set(cc, "enable.auto.commit", "false", err, sizeof(err)) ||
        !(rk = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        return 2;
    }
    rd_kafka_poll_set_consumer(rk);
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
    rd_kafka_topic_destroy(t);
    if (e || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "Error: cannot read metadata of %s\n", topic);
        if (!e)
            rd_kafka_metadata_destroy(md);
        rd_kafka_destroy(rk);
        return 2;
    }
    int np = md->topics[0].partition_cnt, left = 0;
    int64_t *end = calloc((size_t)np + 1, sizeof(*end));
    int32_t *ids = calloc((size_t)np + 1, sizeof(*ids));
    if (!end || !ids) {
        fprintf(stderr, "Error: out of memory\n");
        free(end);
        free(ids);
        rd_kafka_metadata_destroy(md);
        rd_kafka_destroy(rk);
        return 2;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++) {
        int64_t lo, hi;
        ids[i] = md->topics[0].partitions[i].id;
        /* read_committed: the end is the last stable offset */
        if (rd_kafka_query_watermark_offsets(rk, topic, ids[i], &lo, &hi, 10000))
            hi = 0;
        end[i] = hi;
        if (hi > lo) {
            left++;
            rd_kafka_topic_partition_list_add(l, topic, ids[i])->offset = RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t idle_since = cw_mono_ns();
    (void)left;
    for (;;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (m) {
            idle_since = cw_mono_ns();
            if (!m->err) {
                fwrite(m->payload, 1, m->len, stdout);
                fputc('\n', stdout);
            }
            rd_kafka_message_destroy(m);
            continue;
        }
        /* Quiet: done when every partition's position reached its end
         * (transaction markers are skipped, so compare positions). */
        rd_kafka_topic_partition_list_t *pos = NULL;
        int done = rd_kafka_assignment(rk, &pos) == RD_KAFKA_RESP_ERR_NO_ERROR && pos != NULL;
        if (done && rd_kafka_position(rk, pos) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < pos->cnt && done; i++)
                for (int k = 0; k < np; k++)
                    if (ids[k] == pos->elems[i].partition && pos->elems[i].offset < end[k])
                        done = 0;
        } else {
            done = 0;
        }
        if (pos)
            rd_kafka_topic_partition_list_destroy(pos);
        if (done || cw_mono_ns() - idle_since > 15000000000LL)
            break;
    }
    fflush(stdout);
    free(end);
    free(ids);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

/* Add every partition of `topic` at its current end offset to `l`, so no
 * record produced from now on is missed.  0, or -1 (said on stderr when
 * `loud`). */
static int cw_sub_add_ends(rd_kafka_t *rk, const char *topic, rd_kafka_topic_partition_list_t *l, int loud) {
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
    rd_kafka_topic_destroy(t);
    if (e || md->topic_cnt != 1 || md->topics[0].err) {
        if (loud)
            fprintf(stderr, "Error: cannot read metadata of %s: %s\n", topic,
                    e ? rd_kafka_err2str(e) : rd_kafka_err2str(md->topics[0].err));
        if (!e)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        int64_t lo, hi;
        int32_t pid = md->topics[0].partitions[i].id;
        if (rd_kafka_query_watermark_offsets(rk, topic, pid, &lo, &hi, 10000)) {
            if (loud)
                fprintf(stderr, "Error: cannot read the end offsets of %s\n", topic);
            rd_kafka_metadata_destroy(md);
            return -1;
        }
        rd_kafka_topic_partition_list_add(l, topic, pid)->offset = hi;
    }
    rd_kafka_metadata_destroy(md);
    return 0;
}

/* A live log record of one of ours: print its lines; note its end. */
static void cw_sub_log_record(cw_sub_job_t *jobs, size_t njobs, const rd_kafka_message_t *m) {
    cJSON *r = cJSON_ParseWithLength(m->payload, m->len);
    cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "jobId");
    for (size_t i = 0; cJSON_IsString(id) && i < njobs; i++) {
        if (strcmp(jobs[i].id, id->valuestring))
            continue;
        cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "logs")) {
            cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");
            cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
            fprintf(stderr, "[%s] %s: %s\n", jobs[i].id, cJSON_IsString(lv) ? lv->valuestring : "log",
                    cJSON_IsString(msg) ? msg->valuestring : "");
        }
        cJSON *att = cJSON_GetObjectItemCaseSensitive(r, "attempt");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "end")) && cJSON_IsNumber(att))
            jobs[i].ended = att->valueint;
        break;
    }
    fflush(stderr);
    cJSON_Delete(r);
}

int cw_cli_submit(cw_cli_t *cli, int argc, char **argv) {
    (void)cli;
    static const struct option opts[] = {
        {"brokers", required_argument, NULL, 'b'},  {"jobs-topic", required_argument, NULL, 1},
        {"results-topic", required_argument, NULL, 2}, {"code", required_argument, NULL, 3},
        {"input", required_argument, NULL, 4},      {"wait", no_argument, NULL, 'w'},
        {"wait-timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"read", required_argument, NULL, 5},       {"traceparent", required_argument, NULL, 6},
        {"tracestate", required_argument, NULL, 7}, {"follow", no_argument, NULL, 'f'},
        {"logs-topic", required_argument, NULL, 8},
        {NULL, 0, NULL, 0}};
    const char *logs_topic = getenv("CODEWORKER_LOGS_TOPIC") ? getenv("CODEWORKER_LOGS_TOPIC") : "execute-code.logs";
    int follow = 0;
    const char *brokers = getenv("CODEWORKER_BROKERS") ? getenv("CODEWORKER_BROKERS") : "127.0.0.1:9092";
    const char *jobs_topic = getenv("CODEWORKER_JOBS_TOPIC") ? getenv("CODEWORKER_JOBS_TOPIC") : "execute-code.jobs";
    const char *results_topic =
        getenv("CODEWORKER_RESULTS_TOPIC") ? getenv("CODEWORKER_RESULTS_TOPIC") : "execute-code.results";
    const char *code = NULL, *input = NULL, *read_topic = NULL, *traceparent = NULL, *tracestate = NULL;
    int wait = 0, timeout_s = 120, c;
    char *xk[32], *xv[32];
    int xn = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:wft:X:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': brokers = optarg; break;
        case 1: jobs_topic = optarg; break;
        case 2: results_topic = optarg; break;
        case 3: code = optarg; break;
        case 4: input = optarg; break;
        case 5: read_topic = optarg; break;
        case 6:
            if (!cw_trace_parent_ok(optarg, strlen(optarg))) {
                fprintf(stderr, "Error: --traceparent must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)\n");
                return 2;
            }
            traceparent = optarg;
            break;
        case 7:
            if (!cw_trace_state_ok(optarg, strlen(optarg))) {
                fprintf(stderr, "Error: --tracestate must be a W3C tracestate (printable ASCII, at most 512)\n");
                return 2;
            }
            tracestate = optarg;
            break;
        case 'w': wait = 1; break;
        case 'f': follow = 1; break;
        case 8: logs_topic = optarg; break;
        case 't':
            if (cw_cli_parse_int(optarg, 1, 86400, &timeout_s)) {
                fprintf(stderr, "Error: --wait-timeout must be 1..86400 seconds\n");
                return 2;
            }
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq || strncmp(optarg, "kafka.", 6) || xn >= 32) {
                fprintf(stderr, "Error: -X expects kafka.key=value\n");
                return 2;
            }
            *eq = '\0';
            xk[xn] = optarg + 6;
            xv[xn++] = eq + 1;
            break;
        }
        case 'h': cw_submit_usage(stdout); return 0;
        default: cw_submit_usage(stderr); return 2;
        }
    }
    if (read_topic)
        return cw_submit_read(brokers, read_topic, xk, xv, xn);
    if (follow && !wait) {
        fprintf(stderr, "Error: --follow needs --wait\n");
        return 2;
    }
    const char *file = optind < argc ? argv[optind] : NULL;
    if ((file && code) || (!file && !code)) {
        fprintf(stderr, "Error: give either FILE (or -) or --code\n");
        return 2;
    }

    /* Collect the job lines. */
    size_t njobs = 0, cap = 64;
    cw_sub_job_t *jobs = calloc(cap, sizeof(*jobs));
    char **lines = calloc(cap, sizeof(*lines));
    int rc = 2;
    if (!jobs || !lines) {
        fprintf(stderr, "Error: out of memory\n");
        goto out;
    }
    if (code) {
        cJSON *j = cJSON_CreateObject();
        char id[40];
        cw_gen_id(id);
        cJSON_AddStringToObject(j, "jobId", id);
        cJSON_AddStringToObject(j, "code", code);
        if (input)
            cJSON_AddStringToObject(j, "inputData", input);
        lines[0] = cJSON_PrintUnformatted(j);
        jobs[0].id = strdup(id);
        cJSON_Delete(j);
        njobs = 1;
        if (!lines[0] || !jobs[0].id) {
            fprintf(stderr, "Error: out of memory\n");
            goto out;
        }
    } else {
        FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
        if (!f) {
            fprintf(stderr, "Error: cannot open %s: %s\n", file, strerror(errno));
            goto out;
        }
        char *line = NULL;
        size_t lcap = 0;
        ssize_t n;
        while ((n = getline(&line, &lcap, f)) > 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            if (!n)
                continue;
            cJSON *j = cJSON_Parse(line);
            cJSON *id = j ? cJSON_GetObjectItemCaseSensitive(j, "jobId") : NULL;
            if (!cJSON_IsString(id)) {
                fprintf(stderr, "Error: line %zu is not a JSON object with a string jobId\n", njobs + 1);
                cJSON_Delete(j);
                free(line);
                if (f != stdin)
                    fclose(f);
                goto out;
            }
            if (njobs == cap) {
                cw_sub_job_t *nj = realloc(jobs, cap * 2 * sizeof(*jobs));
                if (nj)
                    jobs = nj;
                char **nl = nj ? realloc(lines, cap * 2 * sizeof(*lines)) : NULL;
                if (nl)
                    lines = nl;
                if (!nj || !nl) {
                    fprintf(stderr, "Error: out of memory at line %zu\n", njobs + 1);
                    cJSON_Delete(j);
                    free(line);
                    if (f != stdin)
                        fclose(f);
                    goto out;
                }
                cap *= 2;
            }
            jobs[njobs].id = strdup(id->valuestring);
            jobs[njobs].seen = 0;
            lines[njobs] = strdup(line);
            cJSON_Delete(j);
            if (!jobs[njobs].id || !lines[njobs]) {
                free(jobs[njobs].id);
                free(lines[njobs]);
                fprintf(stderr, "Error: out of memory at line %zu\n", njobs + 1);
                free(line);
                if (f != stdin)
                    fclose(f);
                goto out;
            }
            njobs++;
        }
        free(line);
        if (f != stdin)
            fclose(f);
    }

    char err[512];
    rd_kafka_t *consumer = NULL;
    if (wait) {
        rd_kafka_conf_t *cc = cw_sub_conf(brokers, xk, xv, xn, err, sizeof(err));
        char gid[64];
        cw_gen_id(gid);
        if (!cc || rd_kafka_conf_set(cc, "group.id", gid, err, sizeof(err)) ||
            rd_kafka_conf_set(cc, "isolation.level", "read_committed", err, sizeof(err)) ||
            rd_kafka_conf_set(cc, "enable.auto.commit", "false", err, sizeof(err)) ||
            !(consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof(err)))) {
            fprintf(stderr, "Error: %s\n", err);
            goto out;
        }
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
        if (cw_sub_add_ends(consumer, results_topic, l, 1)) {
            rd_kafka_topic_partition_list_destroy(l);
            goto out;
        }
        if (follow && cw_sub_add_ends(consumer, logs_topic, l, 0)) {
            fprintf(stderr, "%% --follow: no topic %s (is logs.topic set on the workers?); results only\n",
                    logs_topic);
            follow = 0;
        }
        rd_kafka_assign(consumer, l);
        rd_kafka_topic_partition_list_destroy(l);
    }

    rd_kafka_conf_t *pc = cw_sub_conf(brokers, xk, xv, xn, err, sizeof(err));
    rd_kafka_t *producer = NULL;
    if (!pc || rd_kafka_conf_set(pc, "enable.idempotence", "true", err, sizeof(err)) ||
        !(producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof(err)))) {
        fprintf(stderr, "Error: %s\n", err);
        goto out_consumer;
    }
    if (tracestate && !traceparent) {
        fprintf(stderr, "Error: --tracestate needs --traceparent\n");
        goto out_producer;
    }
    for (size_t i = 0; i < njobs; i++) {
        rd_kafka_resp_err_t e;
        for (;;) {
            rd_kafka_headers_t *h = rd_kafka_headers_new(2);
            if (traceparent)
                rd_kafka_header_add(h, "traceparent", -1, traceparent, -1);
            if (tracestate)
                rd_kafka_header_add(h, "tracestate", -1, tracestate, -1);
            e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(jobs_topic), RD_KAFKA_V_KEY(jobs[i].id, strlen(jobs[i].id)),
                                  RD_KAFKA_V_VALUE(lines[i], strlen(lines[i])), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
                break;
            rd_kafka_headers_destroy(h); /* still ours after a refusal */
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            rd_kafka_poll(producer, 100);
        }
        if (e) {
            fprintf(stderr, "Error: produce: %s\n", rd_kafka_err2str(e));
            goto out_producer;
        }
    }
    if (rd_kafka_flush(producer, 30000)) {
        fprintf(stderr, "Error: could not deliver every job within 30 s\n");
        goto out_producer;
    }
    fprintf(stderr, "%% submitted %zu job(s) to %s\n", njobs, jobs_topic);
    rc = 0;
    if (wait) {
        size_t left = njobs;
        int any_failed = 0;
        int64_t deadline = cw_mono_ns() + (int64_t)timeout_s * 1000000000LL;
        int64_t settle = 0; /* --follow: when the last result came */
        for (;;) {
            int64_t now = cw_mono_ns();
            if (now >= deadline)
                break;
            if (!left) {
                size_t open_logs = 0;
                for (size_t i = 0; follow && i < njobs; i++)
                    open_logs += jobs[i].ended < jobs[i].attempt;
                if (!open_logs || now - settle > 2000000000LL)
                    break;
            }
            rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, left ? 200 : 50);
            if (!m)
                continue;
            if (follow && !m->err && !strcmp(rd_kafka_topic_name(m->rkt), logs_topic)) {
                cw_sub_log_record(jobs, njobs, m);
                rd_kafka_message_destroy(m);
                continue;
            }
            if (!m->err && m->key) {
                for (size_t i = 0; i < njobs; i++) {
                    if (!jobs[i].seen && strlen(jobs[i].id) == m->key_len && !memcmp(jobs[i].id, m->key, m->key_len)) {
                        jobs[i].seen = 1;
                        left--;
                        fwrite(m->payload, 1, m->len, stdout);
                        fputc('\n', stdout);
                        fflush(stdout);
                        /* The result's own "success" member decides, wherever it is. */
                        cJSON *r = cJSON_ParseWithLength(m->payload, m->len);
                        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "success")))
                            any_failed = 1;
                        cJSON *att = cJSON_GetObjectItemCaseSensitive(r, "attempt");
                        jobs[i].attempt = cJSON_IsNumber(att) ? att->valueint : 1;
                        /* a job that never started has no log records to wait for */
                        if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "logs")))
                            jobs[i].ended = jobs[i].attempt;
                        settle = cw_mono_ns();
                        cJSON_Delete(r);
                        break;
                    }
                }
            }
            rd_kafka_message_destroy(m);
        }
        if (left) {
            fprintf(stderr, "%% timed out: %zu of %zu result(s) not seen\n", left, njobs);
            rc = 3;
        } else {
            rc = any_failed ? 1 : 0;
        }
    }
out_producer:
    rd_kafka_destroy(producer);
out_consumer:
    if (consumer) {
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
    }
out:
    for (size_t i = 0; i < njobs; i++) {
        free(jobs[i].id);
        free(lines[i]);
    }
    free(jobs);
    free(lines);
    return rc;
}
