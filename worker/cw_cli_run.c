/*
 * cw_cli_run.c -- `codeworker run`: flags, config file and environment into a
 * cw_conf_t, then the Kafka worker.
 *
 * Precedence, lowest to highest: built-in defaults, CODEWORKER_* environment
 * variables, the config file (-c FILE or CODEWORKER_CONFIG), flags.  Any bad
 * key or value is a one-line `Error:` and exit 2 before anything starts.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_cli.h"
#include "cw_conf.h"
#include "cw_runtime.h"
#include "cw_worker.h"

extern char **environ;

/* The one piece of process-wide state: set by SIGTERM/SIGINT while the
 * worker is still waiting for the broker, before its loop owns the signals. */
static volatile sig_atomic_t cw_run_stop;

static void cw_run_on_signal(int sig) {
    (void)sig;
    cw_run_stop = 1;
}

static void cw_run_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker run [options]\n"
            "\n"
            "Consume execute-code jobs from Kafka, run them in the executor pool, publish results.\n"
            "\n"
            "  -c, --config FILE        config file of \"key = value\" lines (also CODEWORKER_CONFIG)\n"
            "  -b, --brokers LIST       bootstrap servers, or \"mock\" for an in-process demo cluster\n"
            "      --jobs-topic T       (default execute-code.jobs)\n"
            "      --results-topic T    (default execute-code.results)\n"
            "      --dlq-topic T        (default execute-code.dlq)\n"
            "      --cancel-topic T     cancel records to follow (default execute-code.cancel; \"\" = off)\n"
            "  -g, --group ID           consumer group (default codeworker)\n"
            "  -e, --executors N        executor processes (default: CPUs)\n"
            "      --partitions N       partitions for topics created at start-up (default 6)\n"
            "      --no-create-topics   do not create missing topics\n"
            "      --queue-max N        local job queue before fetching pauses (default max(10000, 64 x executors))\n"
            "      --metrics-port N     /healthz and /metrics port (default 9464; -1 disables)\n"
            "      --metrics-bind ADDR  (default 127.0.0.1)\n"
            "      --delivery MODE      exactly-once (default: Kafka transactions) or at-least-once\n"
            "      --insecure-no-sandbox\n"
            "                           run executors without OS confinement (development only)\n"
            "  -X key=value             any setting by name; kafka.* keys go to librdkafka,\n"
            "                           e.g. -X kafka.security.protocol=SASL_SSL\n"
            "  -X list                  list every setting with its current value and exit\n"
            "  -h, --help               this text\n"
            "\n"
            "Environment: CODEWORKER_<KEY> with dots as underscores, e.g. CODEWORKER_JOBS_TOPIC.\n");
}

int cw_cli_run(cw_cli_t *cli, int argc, char **argv) {
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},     {"brokers", required_argument, NULL, 'b'},
        {"jobs-topic", required_argument, NULL, 1},   {"results-topic", required_argument, NULL, 2},
        {"dlq-topic", required_argument, NULL, 3},    {"group", required_argument, NULL, 'g'},
        {"executors", required_argument, NULL, 'e'},  {"partitions", required_argument, NULL, 4},
        {"no-create-topics", no_argument, NULL, 5},   {"queue-max", required_argument, NULL, 6},
        {"metrics-port", required_argument, NULL, 7}, {"metrics-bind", required_argument, NULL, 8},
        {"delivery", required_argument, NULL, 9},     {"help", no_argument, NULL, 'h'},
        {"insecure-no-sandbox", no_argument, NULL, 10}, {"cancel-topic", required_argument, NULL, 11},
        {NULL, 0, NULL, 0}};
    static const char *const keys[] = {NULL, "jobs.topic", "results.topic", "dlq.topic", "topics.partitions",
                                       "topics.create", "queue.max", "metrics.port", "metrics.bind", "delivery"};
    cw_conf_t conf;
    cw_conf_init(&conf, cw_cli_ncpu());
    char err[400];
    int rc = 2, c, list = 0;
    if (cw_conf_load_env(&conf, environ, err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        goto out;
    }
    /* The config file comes before flags, whatever their order. */
    const char *file = getenv("CODEWORKER_CONFIG");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:b:g:e:X:h", opts, NULL)) != -1)
        if (c == 'c')
            file = optarg;
    if (file && cw_conf_load_file(&conf, file, err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        goto out;
    }
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "c:b:g:e:X:h", opts, NULL)) != -1) {
        const char *key = NULL, *val = optarg;
        char kv[1024];
        switch (c) {
        case 'c': continue;
        case 'b': key = "brokers"; break;
        case 'g': key = "group"; break;
        case 'e': key = "executors"; break;
        case 5: key = "topics.create", val = "false"; break;
        case 10: key = "sandbox.insecure", val = "true"; break;
        case 11: key = "cancel.topic"; break;
        case 'X': {
            if (!strcmp(optarg, "list")) {
                list = 1;
                continue;
            }
            snprintf(kv, sizeof(kv), "%s", optarg);
            char *eq = strchr(kv, '=');
            if (!eq) {
                fprintf(stderr, "Error: -X expects key=value, got \"%s\"\n", optarg);
                goto out;
            }
            *eq = '\0';
            key = kv;
            val = eq + 1;
            break;
        }
        case 'h': cw_run_usage(stdout); rc = 0; goto out;
        default:
            if (c >= 1 && c <= 9 && keys[c]) {
                key = keys[c];
                break;
            }
            cw_run_usage(stderr);
            goto out;
        }
        if (cw_conf_set(&conf, key, val, err, sizeof(err))) {
            fprintf(stderr, "Error: %s\n", err);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "Error: unexpected argument \"%s\"\n", argv[optind]);
        goto out;
    }
    if (list) {
        cw_conf_dump(&conf, stdout);
        rc = 0;
        goto out;
    }
    cli->exec_conf.sbx.result_max_bytes = (size_t)conf.result_max_bytes;
    cli->exec_conf.job.max_message_bytes = (size_t)conf.job_max_bytes;
    cli->exec_conf.cache_bytes = (size_t)conf.executor_cache_mb << 20;
    cli->exec_conf.recycle_bytes = (size_t)conf.executor_recycle_mb << 20;
    if (cw_runtime_modules_parse(conf.modules_allowed, &cli->exec_conf.sbx.modules, err, sizeof(err))) {
        fprintf(stderr, "Error: modules.allowed: %s\n", err);
        goto out;
    }
    snprintf(cli->confine.user, sizeof(cli->confine.user), "%s", conf.sandbox_user);
    snprintf(cli->confine.group, sizeof(cli->confine.group), "%s", conf.sandbox_group);
    cli->confine.insecure = conf.sandbox_insecure;
    cw_cli_refresh_executor_argv(cli);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = cw_run_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cw_worker_t *w;
    if (cw_worker_new(&conf, cli->executor_argv, &cw_run_stop, &w, err, sizeof(err))) {
        fprintf(stderr, "Error: %s\n", err);
        rc = cw_run_stop ? 0 : 2;
        goto out;
    }
    rc = cw_worker_run(w);
    cw_worker_free(w);
out:
    cw_conf_free(&conf);
    return rc;
}
