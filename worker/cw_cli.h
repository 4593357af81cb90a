/*
 * cw_cli.h -- what the command-line entry points share: the executor
 * configuration, the executor's own command line, and small parsers.
 */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <limits.h>

#include "cw_confine.h"
#include "cw_executor.h"

#define CW_VERSION "0.1.0"

typedef struct cw_cli {
    cw_executor_conf_t exec_conf;
    cw_confine_conf_t confine; /* the executors' OS confinement (cw_confine.h) */
    char self_exe[PATH_MAX];
    /* argv for `codeworker executor ...`, rebuilt from exec_conf */
    char *executor_argv[26];
    char argbuf[8][32];
    char modules_arg[512]; /* --modules: the libraries jobs may require() */
} cw_cli_t;

/* Fill `cli` with defaults and find our own binary.  CW_ERR_SYSTEM if
 * /proc/self/exe cannot be read. */
cw_err_t cw_cli_init(cw_cli_t *cli);
/* Rebuild executor_argv after exec_conf changed. */
void cw_cli_refresh_executor_argv(cw_cli_t *cli);
/* Strict integer parse: 0 on success, -1 if not an integer in [lo, hi]. */
int cw_cli_parse_int(const char *s, long lo, long hi, int *out);
/* A byte count (decimal, at most 1 TiB). */
int cw_cli_parse_size(const char *s, size_t *out);
/* Online CPUs (>= 1). */
int cw_cli_ncpu(void);

int cw_cli_exec(cw_cli_t *cli, int argc, char **argv);
int cw_cli_executor(cw_cli_t *cli, int argc, char **argv);
int cw_cli_run(cw_cli_t *cli, int argc, char **argv);
int cw_cli_submit(cw_cli_t *cli, int argc, char **argv);
int cw_cli_cancel(cw_cli_t *cli, int argc, char **argv);
int cw_cli_replay(cw_cli_t *cli, int argc, char **argv);
int cw_cli_audit(cw_cli_t *cli, int argc, char **argv);

#endif /* CW_CLI_H */
