/*
 * cw_main.c -- the codeworker binary: one entry point, one command per mode,
 * in the manner of kcat (data on stdout, diagnostics on stderr, `Error: ...`
 * and a non-zero exit on a bad command line).
 *
 *   codeworker run ...        the Kafka worker
 *   codeworker submit ...     publish jobs, optionally wait for their results
 *   codeworker cancel ...     ask the workers to cancel jobs by jobId
 *   codeworker replay ...     run a past job again from its result and compare
 *   codeworker exec ...       run jobs locally through the executor pool
 *   codeworker executor ...   (internal) an executor process, started by the pool
 *   codeworker version
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw_cli.h"
#include "cw_interrupt.h"
#include "cw_lower.h"
#include "cw_logring.h"
#include "cw_lowering.h"
#include "cw_runtime.h"
#include "cw_tz.h"
#include "cw_unicode.h"
#include "intl/cw_intl.h"

cw_err_t cw_cli_init(cw_cli_t *cli) {
    memset(cli, 0, sizeof(*cli));
    cw_executor_conf_default(&cli->exec_conf);
    cw_confine_conf_default(&cli->confine);
    ssize_t n = readlink("/proc/self/exe", cli->self_exe, sizeof(cli->self_exe) - 1);
    if (n <= 0)
        return CW_ERR_SYSTEM;
    cli->self_exe[n] = '\0';
    cw_cli_refresh_executor_argv(cli);
    return CW_OK;
}

void cw_cli_refresh_executor_argv(cw_cli_t *cli) {
    const cw_executor_conf_t *c = &cli->exec_conf;
    int i = 0, k = 0;
    cli->executor_argv[i++] = cli->self_exe;
    cli->executor_argv[i++] = "executor";
#define CW_ARG(flag, val)                                                      \
    do {                                                                       \
        cli->executor_argv[i++] = flag;                                        \
        snprintf(cli->argbuf[k], sizeof(cli->argbuf[k]), "%zu", (size_t)(val)); \
        cli->executor_argv[i++] = cli->argbuf[k++];                            \
    } while (0)
    CW_ARG("--result-max-bytes", c->sbx.result_max_bytes);
    CW_ARG("--log-max-entries", c->sbx.log_max_entries);
    CW_ARG("--log-max-bytes", c->sbx.log_max_bytes);
    CW_ARG("--log-max-message", c->sbx.log_max_message);
    CW_ARG("--max-job-bytes", c->job.max_message_bytes);
    CW_ARG("--cache-bytes", c->cache_bytes);
    CW_ARG("--recycle-bytes", c->recycle_bytes);
#undef CW_ARG
    cw_runtime_modules_format(c->sbx.modules, ",", cli->modules_arg, sizeof(cli->modules_arg));
    cli->executor_argv[i++] = "--modules";
    cli->executor_argv[i++] = cli->modules_arg;
    cli->executor_argv[i++] = "--run-as-user";
    cli->executor_argv[i++] = cli->confine.user;
    cli->executor_argv[i++] = "--run-as-group";
    cli->executor_argv[i++] = cli->confine.group;
    if (cli->confine.insecure)
        cli->executor_argv[i++] = CW_CONFINE_INSECURE_FLAG;
    cli->executor_argv[i] = NULL;
}

int cw_cli_parse_int(const char *s, long lo, long hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int cw_cli_parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > ((unsigned long long)1 << 40))
        return -1;
    *out = (size_t)v;
    return 0;
}

int cw_cli_ncpu(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

int cw_cli_executor(cw_cli_t *cli, int argc, char **argv) {
    static const struct option opts[] = {
        {"fd", required_argument, NULL, 'f'},
        {"result-max-bytes", required_argument, NULL, 'R'},
        {"log-max-entries", required_argument, NULL, 'E'},
        {"log-max-bytes", required_argument, NULL, 'B'},
        {"log-max-message", required_argument, NULL, 'M'},
        {"max-job-bytes", required_argument, NULL, 'J'},
        {"cache-bytes", required_argument, NULL, 'C'},
        {"recycle-bytes", required_argument, NULL, 'Y'},
        {"modules", required_argument, NULL, 'L'},
        {"run-as-user", required_argument, NULL, 'U'},
        {"run-as-group", required_argument, NULL, 'G'},
        {"insecure-no-sandbox", no_argument, NULL, 'I'},
        {"log-fd", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0}};
    cw_executor_conf_t *c = &cli->exec_conf;
    int fd = 3, log_fd = -1, c_, v = 0;
    optind = 1;
    while ((c_ = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const long big = 1L << 30;
        int bad = 0;
        switch (c_) {
        case 'f': bad = cw_cli_parse_int(optarg, 0, 1 << 20, &fd); break;
        case 'R': bad = cw_cli_parse_int(optarg, 1024, big, &v), c->sbx.result_max_bytes = (size_t)v; break;
        case 'E': bad = cw_cli_parse_int(optarg, 0, big, &v), c->sbx.log_max_entries = (size_t)v; break;
        case 'B': bad = cw_cli_parse_int(optarg, 0, big, &v), c->sbx.log_max_bytes = (size_t)v; break;
        case 'M': bad = cw_cli_parse_int(optarg, 16, big, &v), c->sbx.log_max_message = (size_t)v; break;
        case 'J': bad = cw_cli_parse_int(optarg, 1024, big, &v), c->job.max_message_bytes = (size_t)v; break;
        case 'C': bad = cw_cli_parse_size(optarg, &c->cache_bytes); break;
        case 'Y': bad = cw_cli_parse_size(optarg, &c->recycle_bytes); break;
        case 'L': {
            char why[400];
            if (cw_runtime_modules_parse(optarg, &c->sbx.modules, why, sizeof(why))) {
                fprintf(stderr, "Error: executor: --modules: %s\n", why);
                return 2;
            }
            break;
        }
        case 'U': bad = strlen(optarg) >= sizeof(cli->confine.user); if (!bad) strcpy(cli->confine.user, optarg); break;
        case 'G': bad = strlen(optarg) >= sizeof(cli->confine.group); if (!bad) strcpy(cli->confine.group, optarg); break;
        case 'I': cli->confine.insecure = 1; break;
        case 'D': bad = cw_cli_parse_int(optarg, 3, 1 << 20, &log_fd); break;
        default: bad = 1;
        }
        if (bad) {
            fprintf(stderr, "Error: executor: bad option value\n");
            return 2;
        }
    }
    /* Index the embedded runtime and probe its triggers once, before the
     * first job, so a broken build fails here and not in a job. */
    char why[400];
    if (cw_runtime_init(why, sizeof(why))) {
        fprintf(stderr, "Error: executor: JavaScript runtime: %s\n", why);
        return 2;
    }
    /* The lowering library and libc read a few files on first use (the CPU
     * count from cgroups, the time zone); do that now, while files may
     * still be opened. */
    if (cw_lowering_warmup(why, sizeof(why))) {
        fprintf(stderr, "Error: executor: lowering: %s\n", why);
        return 2;
    }
    /* ICU's default zone is UTC, never the host's; its zone data is
     * touched once here, before files are off limits (cw_tz.h). */
    if (cw_tz_init(why, sizeof(why))) {
        fprintf(stderr, "Error: executor: %s\n", why);
        return 2;
    }
    if (cw_unicode_warmup()) {
        fprintf(stderr, "Error: executor: ICU normalization or case data is missing\n");
        return 2;
    }
    /* ICU: in-memory data only, UTC and en-US as defaults, and its
     * process-wide tables loaded (worker/intl/cw_intl.c). */
    if (cw_intl_warmup(why, sizeof(why))) {
        fprintf(stderr, "Error: executor: Intl: %s\n", why);
        return 2;
    }
    /* The shared log region (cw_logring.h), mapped while descriptors may
     * still be used; its descriptor is closed at once.  Without it killed
     * jobs lose their logs, nothing else. */
    if (log_fd >= 0 && log_fd != fd && cw_logring_attach(log_fd, &c->sbx.logring) != CW_OK)
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"executor: no log region\"}\n");
    /* The deadline signal that stops a runaway native computation (a
     * backtracking regular expression) on time, from inside the executor
     * (cw_interrupt.h); without it the supervisor's kill ends those. */
    if (cw_intr_install(cw_lower_alloc_busy) != CW_OK)
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"executor: no deadline signal\"}\n");
    /* Last step before the first job: confine this process (cw_confine.h). */
    cli->confine.max_job_bytes = c->job.max_message_bytes;
    cli->confine.max_result_bytes = c->sbx.result_max_bytes;
    if (cw_confine_apply(&cli->confine, fd, why, sizeof(why))) {
        fprintf(stderr, "Error: executor: confinement failed: %s (" CW_CONFINE_INSECURE_FLAG
                        " skips it, for development only)\n", why);
        return 2;
    }
    int status = cw_executor_main(fd, c);
    cw_logring_free(c->sbx.logring);
    c->sbx.logring = NULL;
    return status;
}

static void cw_main_usage(FILE *f) {
    fprintf(f,
            "codeworker %s -- run AI agents' JavaScript jobs safely\n"
            "\n"
            "Usage: codeworker COMMAND [options]\n"
            "\n"
            "Commands:\n"
            "  run       the Kafka worker: consume jobs, publish results\n"
            "  submit    publish jobs to Kafka and (with --wait) print their results\n"
            "  cancel    cancel jobs by jobId (queued: never run; running: stopped), result CANCELLED\n"
            "  replay    run a past job again with its recorded seed and clock; say if the result is the same\n"
            "  exec      run jobs locally through the executor pool (no Kafka)\n"
            "  audit     store results' actionExecutionLog rows in PostgreSQL, exactly once\n"
            "  version   print the version\n"
            "\n"
            "`codeworker COMMAND --help` describes each command.\n",
            CW_VERSION);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        cw_main_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        cw_main_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("codeworker %s\n", CW_VERSION);
        return 0;
    }
    static cw_cli_t cli;
    if (cw_cli_init(&cli)) {
        fprintf(stderr, "Error: cannot locate the codeworker binary (/proc/self/exe)\n");
        return 2;
    }
    if (!strcmp(cmd, "exec"))
        return cw_cli_exec(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cw_cli_run(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "submit"))
        return cw_cli_submit(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return cw_cli_replay(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "cancel"))
        return cw_cli_cancel(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "audit"))
        return cw_cli_audit(&cli, argc - 1, argv + 1);
    if (!strcmp(cmd, "executor"))
        return cw_cli_executor(&cli, argc - 1, argv + 1);
    fprintf(stderr, "Error: unknown command \"%s\"\n", cmd);
    cw_main_usage(stderr);
    return 2;
}
