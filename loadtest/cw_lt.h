/*
 * cw_lt.h -- what the load-test driver (cw_loadtest.c) hands to its report
 * writers (cw_lt_report.c): the run's configuration and everything one run
 * measured.
 */
#ifndef CW_LT_H
#define CW_LT_H

#include <stddef.h>
#include <stdint.h>

#include "cw_hist.h"

#define LT_MAX_X 32
#define LT_MAX_CODES 24
#define LT_MAX_IDS 100    /* lost / duplicated jobIds kept for the report */
#define LT_MAX_SAMPLES 5  /* mismatched outputs kept for the report */

typedef struct lt_conf {
    const char *brokers, *jobs_topic, *results_topic, *jobs_file;
    const char *label, *json_path, *md_path, *plots_dir, *exec_dir, *prefix;
    double rate;         /* jobs/s, open loop; 0 = as fast as the client can send */
    int open_loop;       /* 1: --rate, 0: --concurrency */
    int poisson;         /* exponential inter-arrival times */
    int concurrency;     /* closed loop: jobs in flight */
    double duration_s;   /* send for this long (0: use count) */
    uint64_t count;      /* send this many (0: use duration) */
    double drain_timeout_s;
    int executors, partitions, create_topics, compare, progress_lines, allow_duplicates;
    uint64_t seed;
    char *xk[LT_MAX_X], *xv[LT_MAX_X];
    int xn;
    size_t mix_size;     /* distinct jobs in the file */
    size_t mix_checked;  /* of which carry `expect` */
} lt_conf_t;

/* One second of the run, counted when things happened. */
typedef struct lt_sec {
    uint64_t sent, done, failed; /* failed: results with success != true */
    uint64_t inflight;           /* at the end of the second */
    double p50, p90, p99, max;   /* end-to-end latency of the results of this second, ms; NaN if none */
} lt_sec_t;

typedef struct lt_code {
    char name[40];
    uint64_t n;
} lt_code_t;

typedef struct lt_sample {
    char *job_id, *expected, *got;
} lt_sample_t;

typedef struct lt_run {
    const char *mode; /* "kafka" or "exec" */
    char prefix[64];  /* jobId prefix of this run */
    uint64_t sent, completed, lost, duplicates, foreign, send_errors, unparsable;
    uint64_t unanswered; /* in flight when the run was interrupted (not counted as lost) */
    uint64_t checked, matched, mismatched, succeeded;
    lt_code_t codes[LT_MAX_CODES];
    int ncodes;
    cw_hist_t *lat, *queue, *exec; /* µs */
    lt_sec_t *series;
    size_t nsec, capsec;
    double send_s;        /* first intended send to last send */
    double elapsed_s;     /* first intended send to the end of the run */
    double last_result_s; /* first intended send to the last first-result */
    double lag_max_ms;    /* worst delay of an actual send behind its intended time */
    double all_acked_s;   /* when every job was acknowledged by the broker (Kafka) */
    char *lost_ids[LT_MAX_IDS];
    size_t nlost_ids;
    char *dup_ids[LT_MAX_IDS];
    size_t ndup_ids;
    lt_sample_t samples[LT_MAX_SAMPLES];
    size_t nsamples;
    int interrupted;
    double cpu_user_s, cpu_sys_s;
    long max_rss_kb;
} lt_run_t;

/* Throughput in results/s over the window from the first intended send to
 * the last result. */
double lt_run_throughput(const lt_run_t *r);

/* Writers (cw_lt_report.c).  0 on success, -1 with a message on stderr. */
void lt_report_print(const lt_conf_t *c, lt_run_t *const *runs, int n);
int lt_report_json(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *path);
int lt_report_md(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *path);
/* PNG plots through gnuplot; a warning and 0 when gnuplot is not installed. */
int lt_report_plots(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *dir);

#endif /* CW_LT_H */
