/*
 * cw_cli_cancel.c -- `codeworker cancel JOBID... [--reason TEXT]`: publish
 * one cancel record per jobId on the cancel topic (key = jobId, value
 * {"jobId", "reason", "requestedAt"}: schemas/cancel.schema.json).
 *
 * Every worker follows that topic (worker/cw_cancel_feed.h): a job not yet
 * run is answered CANCELLED without running, a running one is stopped
 * within milliseconds and answered CANCELLED with its logs, a finished or
 * unknown one is left alone.  The command returns once the broker has the
 * records (exit 0), or exits 1 if it could not deliver them within 30 s;
 * it does not wait for the results (`codeworker submit --wait` or the
 * results topic show them).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "cw_buf.h"
#include "cw_cancel.h"
#include "cw_cli.h"
#include "cw_result.h"
#include "cw_time.h"
#include "cw_utf8.h"

static void cw_cancel_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker cancel JOBID... [options]\n"
            "\n"
            "  -b, --brokers LIST      bootstrap servers (default 127.0.0.1:9092; CODEWORKER_BROKERS)\n"
            "      --cancel-topic T    (default execute-code.cancel; CODEWORKER_CANCEL_TOPIC)\n"
            "  -r, --reason TEXT       why (at most 256 bytes), kept in the audit row's Message\n"
            "  -X kafka.key=value      librdkafka property\n"
            "  -h, --help              this text\n"
            "\n"
            "A job not yet run is answered CANCELLED without running; a running one is stopped\n"
            "and answered CANCELLED with its logs; a finished or unknown jobId is harmless.\n");
}

int cw_cli_cancel(cw_cli_t *cli, int argc, char **argv) {
    (void)cli;
    static const struct option opts[] = {{"brokers", required_argument, NULL, 'b'},
                                         {"cancel-topic", required_argument, NULL, 1},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *brokers = getenv("CODEWORKER_BROKERS") ? getenv("CODEWORKER_BROKERS") : "127.0.0.1:9092";
    const char *topic = getenv("CODEWORKER_CANCEL_TOPIC") ? getenv("CODEWORKER_CANCEL_TOPIC") : "execute-code.cancel";
    const char *reason = NULL;
    char *xk[32], *xv[32];
    int xn = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:r:X:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': brokers = optarg; break;
        case 1: topic = optarg; break;
        case 'r': reason = optarg; break;
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
        case 'h': cw_cancel_usage(stdout); return 0;
        default: cw_cancel_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "Error: name at least one jobId to cancel\n");
        cw_cancel_usage(stderr);
        return 2;
    }
    if (reason && (strlen(reason) > CW_CANCEL_REASON_MAX || !cw_utf8_valid(reason, strlen(reason)))) {
        fprintf(stderr, "Error: --reason must be UTF-8 of at most %d bytes\n", CW_CANCEL_REASON_MAX);
        return 2;
    }
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (n == 0 || n > CW_CANCEL_ID_MAX || !cw_utf8_valid(argv[i], n)) {
            fprintf(stderr, "Error: jobId \"%s\" must be UTF-8 of 1 to %d bytes\n", argv[i], CW_CANCEL_ID_MAX);
            return 2;
        }
    }
    char err[512];
    rd_kafka_conf_t *pc = rd_kafka_conf_new();
    if (rd_kafka_conf_set(pc, "bootstrap.servers", brokers, err, sizeof(err)) ||
        rd_kafka_conf_set(pc, "enable.idempotence", "true", err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        rd_kafka_conf_destroy(pc);
        return 2;
    }
    for (int i = 0; i < xn; i++)
        if (rd_kafka_conf_set(pc, xk[i], xv[i], err, sizeof(err))) {
            fprintf(stderr, "Error: kafka.%s: %s\n", xk[i], err);
            rd_kafka_conf_destroy(pc);
            return 2;
        }
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof(err));
    if (!p) {
        fprintf(stderr, "Error: %s\n", err);
        rd_kafka_conf_destroy(pc);
        return 2;
    }
    char at[40];
    cw_result_iso8601(cw_now_ms(), at, sizeof(at));
    int rc = 0;
    for (int i = optind; i < argc && !rc; i++) {
        cw_buf_t v;
        cw_buf_init(&v, 0);
        cw_err_t e = cw_buf_puts(&v, "{\"jobId\":");
        if (!e)
            e = cw_utf8_json_string(&v, argv[i], strlen(argv[i]));
        if (!e && reason) {
            e = cw_buf_puts(&v, ",\"reason\":");
            if (!e)
                e = cw_utf8_json_string(&v, reason, strlen(reason));
        }
        if (!e)
            e = cw_buf_printf(&v, ",\"requestedAt\":\"%s\"}", at);
        rd_kafka_resp_err_t ke = RD_KAFKA_RESP_ERR__FAIL;
        while (!e) {
            ke = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(argv[i], strlen(argv[i])),
                                   RD_KAFKA_V_VALUE(v.data, v.len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_HEADER("content-type", "application/json", -1), RD_KAFKA_V_END);
            if (ke != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            rd_kafka_poll(p, 100);
        }
        if (e || ke) {
            fprintf(stderr, "Error: cancel %s: %s\n", argv[i], e ? cw_err2str(e) : rd_kafka_err2str(ke));
            rc = 1;
        }
        cw_buf_free(&v);
    }
    if (!rc && rd_kafka_flush(p, 30000)) {
        fprintf(stderr, "Error: could not deliver the cancel records within 30 s\n");
        rc = 1;
    }
    if (!rc)
        fprintf(stderr, "%% cancel requested for %d job(s) on %s\n", argc - optind, topic);
    rd_kafka_destroy(p);
    return rc;
}
