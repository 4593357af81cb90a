/*
 * cw_lt_report.c -- the load test's outputs: a plain summary on stdout, a
 * JSON report for machines, a Markdown summary for humans and PNG plots of
 * latency percentiles and throughput over time (through gnuplot, when it is
 * installed).  Kept apart from the driver so the measuring loop stays small.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cw_lt.h"

static double ms(double us) { return us / 1000.0; }

static double round3(double v) { return round(v * 1000.0) / 1000.0; }

static const char *load_text(const lt_conf_t *c, char *buf, size_t n) {
    int k;
    if (c->open_loop && c->rate > 0)
        k = snprintf(buf, n, "open loop, %g jobs/s %s", c->rate, c->poisson ? "Poisson" : "fixed rate");
    else if (c->open_loop)
        k = snprintf(buf, n, "open loop, as fast as the client can send");
    else
        k = snprintf(buf, n, "closed loop, %d in flight", c->concurrency);
    if (c->count)
        snprintf(buf + k, n - (size_t)k, ", %llu jobs", (unsigned long long)c->count);
    else
        snprintf(buf + k, n - (size_t)k, ", %g s", c->duration_s);
    return buf;
}

static const char *run_title(const lt_conf_t *c, const lt_run_t *r, char *buf, size_t n) {
    if (!strcmp(r->mode, "exec"))
        snprintf(buf, n, "exec (%d executors, no Kafka)", c->executors);
    else
        snprintf(buf, n, "kafka%s%s%s", c->label ? " (" : "", c->label ? c->label : "", c->label ? ")" : "");
    return buf;
}

/* ---- stdout ------------------------------------------------------------------ */

static void print_hist(const char *name, const cw_hist_t *h) {
    if (!h->count) {
        printf("  %-12s %8s\n", name, "n/a");
        return;
    }
    printf("  %-12s %8.3f %8.3f %8.3f %8.3f %9.3f %8.3f\n", name, ms(cw_hist_percentile(h, 50)),
           ms(cw_hist_percentile(h, 90)), ms(cw_hist_percentile(h, 99)), ms(cw_hist_percentile(h, 99.9)),
           ms((double)h->max), ms(cw_hist_mean(h)));
}

void lt_report_print(const lt_conf_t *c, lt_run_t *const *runs, int n) {
    char lb[128], tb[128];
    for (int i = 0; i < n; i++) {
        const lt_run_t *r = runs[i];
        printf("%s: %s%s\n", run_title(c, r, tb, sizeof(tb)), load_text(c, lb, sizeof(lb)),
               r->interrupted ? " (interrupted)" : "");
        printf("  sent %llu  results %llu  succeeded %llu  lost %llu  duplicated %llu", (unsigned long long)r->sent,
               (unsigned long long)r->completed, (unsigned long long)r->succeeded, (unsigned long long)r->lost,
               (unsigned long long)r->duplicates);
        if (r->send_errors)
            printf("  send errors %llu", (unsigned long long)r->send_errors);
        if (r->unanswered)
            printf("  unanswered when interrupted %llu", (unsigned long long)r->unanswered);
        printf("\n  checked %llu: %llu matched, %llu mismatched\n", (unsigned long long)r->checked,
               (unsigned long long)r->matched, (unsigned long long)r->mismatched);
        printf("  throughput %.0f jobs/s (offered %.0f jobs/s over %.1f s)\n", lt_run_throughput(r),
               r->send_s > 0 ? (double)r->sent / r->send_s : 0, r->send_s);
        printf("  %-12s %8s %8s %8s %8s %9s %8s\n", "ms", "p50", "p90", "p99", "p99.9", "max", "mean");
        print_hist("end-to-end", r->lat);
        print_hist("queue", r->queue);
        print_hist("execution", r->exec);
        printf("  client: %.1f s user + %.1f s system CPU, worst send lag %.2f ms\n", r->cpu_user_s, r->cpu_sys_s,
               r->lag_max_ms);
        for (size_t k = 0; k < r->nsamples; k++)
            printf("  MISMATCH %s: expected %.200s got %.200s\n", r->samples[k].job_id, r->samples[k].expected,
                   r->samples[k].got);
        if (r->lost)
            printf("  first lost jobId: %s\n", r->lost_ids[0]);
    }
    if (n == 2 && runs[1]->lat->count && runs[0]->lat->count) {
        double tk = lt_run_throughput(runs[0]), te = lt_run_throughput(runs[1]);
        printf("exec / kafka throughput: %.2fx;  kafka / exec end-to-end latency: p50 %.1fx, p99 %.1fx\n",
               tk > 0 ? te / tk : 0, cw_hist_percentile(runs[0]->lat, 50) / cw_hist_percentile(runs[1]->lat, 50),
               cw_hist_percentile(runs[0]->lat, 99) / cw_hist_percentile(runs[1]->lat, 99));
    }
    fflush(stdout);
}

/* ---- JSON -------------------------------------------------------------------- */

static cJSON *hist_json(const cw_hist_t *h) {
    if (!h->count)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)h->count);
    cJSON_AddNumberToObject(o, "min", round3(ms((double)h->min)));
    cJSON_AddNumberToObject(o, "mean", round3(ms(cw_hist_mean(h))));
    cJSON_AddNumberToObject(o, "p50", round3(ms(cw_hist_percentile(h, 50))));
    cJSON_AddNumberToObject(o, "p90", round3(ms(cw_hist_percentile(h, 90))));
    cJSON_AddNumberToObject(o, "p99", round3(ms(cw_hist_percentile(h, 99))));
    cJSON_AddNumberToObject(o, "p99_9", round3(ms(cw_hist_percentile(h, 99.9))));
    cJSON_AddNumberToObject(o, "max", round3(ms((double)h->max)));
    if (h->saturated)
        cJSON_AddNumberToObject(o, "saturated", (double)h->saturated);
    return o;
}

static void add_num_or_null(cJSON *o, const char *k, double v) {
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, round3(v));
}

static cJSON *ids_json(char *const *ids, size_t n) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(ids[i]));
    return a;
}

static cJSON *run_json(const lt_conf_t *c, const lt_run_t *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mode", r->mode);
    if (c->label && strcmp(r->mode, "exec"))
        cJSON_AddStringToObject(o, "label", c->label);
    if (!strcmp(r->mode, "exec"))
        cJSON_AddNumberToObject(o, "executors", c->executors);
    cJSON_AddStringToObject(o, "jobIdPrefix", r->prefix);
    cJSON_AddBoolToObject(o, "interrupted", r->interrupted);
    cJSON_AddNumberToObject(o, "sent", (double)r->sent);
    cJSON_AddNumberToObject(o, "completed", (double)r->completed);
    cJSON_AddNumberToObject(o, "succeeded", (double)r->succeeded);
    cJSON_AddNumberToObject(o, "lost", (double)r->lost);
    cJSON_AddNumberToObject(o, "unanswered", (double)r->unanswered);
    cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
    cJSON_AddNumberToObject(o, "sendErrors", (double)r->send_errors);
    cJSON_AddNumberToObject(o, "foreignResults", (double)r->foreign);
    cJSON_AddNumberToObject(o, "unparsableResults", (double)r->unparsable);
    cJSON *codes = cJSON_AddObjectToObject(o, "resultCodes");
    for (int i = 0; i < r->ncodes; i++)
        cJSON_AddNumberToObject(codes, r->codes[i].name, (double)r->codes[i].n);
    cJSON *cor = cJSON_AddObjectToObject(o, "correctness");
    cJSON_AddNumberToObject(cor, "checked", (double)r->checked);
    cJSON_AddNumberToObject(cor, "matched", (double)r->matched);
    cJSON_AddNumberToObject(cor, "mismatched", (double)r->mismatched);
    cJSON *smp = cJSON_AddArrayToObject(cor, "samples");
    for (size_t i = 0; i < r->nsamples; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "jobId", r->samples[i].job_id);
        cJSON_AddStringToObject(s, "expected", r->samples[i].expected);
        cJSON_AddStringToObject(s, "got", r->samples[i].got);
        cJSON_AddItemToArray(smp, s);
    }
    cJSON_AddNumberToObject(o, "sendSeconds", round3(r->send_s));
    cJSON_AddNumberToObject(o, "elapsedSeconds", round3(r->elapsed_s));
    cJSON_AddNumberToObject(o, "lastResultSeconds", round3(r->last_result_s));
    if (r->all_acked_s > 0)
        cJSON_AddNumberToObject(o, "allAckedSeconds", round3(r->all_acked_s));
    cJSON_AddNumberToObject(o, "throughputJobsPerSec", round3(lt_run_throughput(r)));
    cJSON_AddNumberToObject(o, "offeredJobsPerSec", round3(r->send_s > 0 ? (double)r->sent / r->send_s : 0));
    cJSON_AddNumberToObject(o, "clientMaxSendLagMs", round3(r->lag_max_ms));
    cJSON_AddItemToObject(o, "latencyMs", hist_json(r->lat));
    cJSON_AddItemToObject(o, "queueTimeMs", hist_json(r->queue));
    cJSON_AddItemToObject(o, "executionTimeMs", hist_json(r->exec));
    cJSON *ser = cJSON_AddArrayToObject(o, "series");
    for (size_t i = 0; i < r->nsec; i++) {
        const lt_sec_t *s = &r->series[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "t", (double)(i + 1));
        cJSON_AddNumberToObject(e, "sent", (double)s->sent);
        cJSON_AddNumberToObject(e, "done", (double)s->done);
        cJSON_AddNumberToObject(e, "failed", (double)s->failed);
        cJSON_AddNumberToObject(e, "inflight", (double)s->inflight);
        add_num_or_null(e, "p50Ms", s->p50);
        add_num_or_null(e, "p90Ms", s->p90);
        add_num_or_null(e, "p99Ms", s->p99);
        add_num_or_null(e, "maxMs", s->max);
        cJSON_AddItemToArray(ser, e);
    }
    cJSON_AddItemToObject(o, "lostJobIds", ids_json(r->lost_ids, r->nlost_ids));
    cJSON_AddItemToObject(o, "duplicateJobIds", ids_json(r->dup_ids, r->ndup_ids));
    cJSON *cl = cJSON_AddObjectToObject(o, "client");
    cJSON_AddNumberToObject(cl, "cpuUserSeconds", round3(r->cpu_user_s));
    cJSON_AddNumberToObject(cl, "cpuSystemSeconds", round3(r->cpu_sys_s));
    cJSON_AddNumberToObject(cl, "maxRssKb", (double)r->max_rss_kb);
    return o;
}

static int write_text(const char *path, const char *text) {
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "Error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int bad = fputs(text, f) < 0;
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        fflush(f);
    if (bad)
        fprintf(stderr, "Error: cannot write %s\n", path);
    return bad ? -1 : 0;
}

int lt_report_json(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *path) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool", "codeworker-loadtest");
    cJSON_AddStringToObject(o, "jobsFile", c->jobs_file);
    cJSON_AddNumberToObject(o, "mixSize", (double)c->mix_size);
    cJSON_AddNumberToObject(o, "mixWithExpect", (double)c->mix_checked);
    cJSON *load = cJSON_AddObjectToObject(o, "load");
    cJSON_AddStringToObject(load, "loop", c->open_loop ? "open" : "closed");
    if (c->open_loop) {
        cJSON_AddNumberToObject(load, "rate", c->rate);
        cJSON_AddStringToObject(load, "arrivals", c->rate <= 0 ? "unthrottled" : c->poisson ? "poisson" : "fixed");
    } else {
        cJSON_AddNumberToObject(load, "concurrency", c->concurrency);
    }
    if (c->count)
        cJSON_AddNumberToObject(load, "count", (double)c->count);
    else
        cJSON_AddNumberToObject(load, "durationSeconds", c->duration_s);
    cJSON_AddNumberToObject(load, "drainTimeoutSeconds", c->drain_timeout_s);
    cJSON *k = cJSON_AddObjectToObject(o, "kafka");
    cJSON_AddStringToObject(k, "brokers", c->brokers);
    cJSON_AddStringToObject(k, "jobsTopic", c->jobs_topic);
    cJSON_AddStringToObject(k, "resultsTopic", c->results_topic);
    cJSON *arr = cJSON_AddArrayToObject(o, "runs");
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, run_json(c, runs[i]));
    if (n == 2 && runs[0]->lat->count && runs[1]->lat->count) {
        cJSON *cmp = cJSON_AddObjectToObject(o, "comparison");
        double tk = lt_run_throughput(runs[0]), te = lt_run_throughput(runs[1]);
        cJSON_AddNumberToObject(cmp, "throughputExecOverKafka", round3(tk > 0 ? te / tk : 0));
        cJSON_AddNumberToObject(cmp, "latencyP50KafkaOverExec",
                                round3(cw_hist_percentile(runs[0]->lat, 50) / cw_hist_percentile(runs[1]->lat, 50)));
        cJSON_AddNumberToObject(cmp, "latencyP99KafkaOverExec",
                                round3(cw_hist_percentile(runs[0]->lat, 99) / cw_hist_percentile(runs[1]->lat, 99)));
    } else {
        cJSON_AddNullToObject(o, "comparison");
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return -1;
    size_t len = strlen(text);
    char *t2 = realloc(text, len + 2);
    if (t2) {
        text = t2;
        text[len] = '\n';
        text[len + 1] = '\0';
    }
    int rc = write_text(path, text);
    free(text);
    return rc;
}

/* ---- Markdown ---------------------------------------------------------------- */

static void md_hist(FILE *f, const char *name, const cw_hist_t *h) {
    if (!h->count) {
        fprintf(f, "| %s | n/a | | | | | |\n", name);
        return;
    }
    fprintf(f, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", name, ms(cw_hist_percentile(h, 50)),
            ms(cw_hist_percentile(h, 90)), ms(cw_hist_percentile(h, 99)), ms(cw_hist_percentile(h, 99.9)),
            ms((double)h->max), ms(cw_hist_mean(h)));
}

int lt_report_md(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *path) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    char lb[128], tb[128];
    fprintf(f, "# Load test: %s\n\n", load_text(c, lb, sizeof(lb)));
    fprintf(f, "Job mix `%s`: %zu distinct jobs (%zu with an expected output), cycled; every job gets a "
               "fresh jobId.\n\n",
            c->jobs_file, c->mix_size, c->mix_checked);
    fprintf(f, "| run | sent | results | lost | duplicated | outputs checked / matched | jobs/s |\n");
    fprintf(f, "|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const lt_run_t *r = runs[i];
        fprintf(f, "| %s%s | %llu | %llu | %llu | %llu | %llu / %llu | %.0f |\n", run_title(c, r, tb, sizeof(tb)),
                r->interrupted ? " (interrupted)" : "", (unsigned long long)r->sent,
                (unsigned long long)r->completed, (unsigned long long)r->lost, (unsigned long long)r->duplicates,
                (unsigned long long)r->checked, (unsigned long long)r->matched, lt_run_throughput(r));
    }
    for (int i = 0; i < n; i++) {
        const lt_run_t *r = runs[i];
        fprintf(f, "\n## %s\n\n", run_title(c, r, tb, sizeof(tb)));
        fprintf(f, "| ms | p50 | p90 | p99 | p99.9 | max | mean |\n|---|---|---|---|---|---|---|\n");
        md_hist(f, "end-to-end (from intended send)", r->lat);
        md_hist(f, "queue (queueTimeMs)", r->queue);
        md_hist(f, "execution (executionTimeMs)", r->exec);
        fprintf(f, "\nResult codes:");
        for (int k = 0; k < r->ncodes; k++)
            fprintf(f, "%s `%s` %llu", k ? "," : "", r->codes[k].name, (unsigned long long)r->codes[k].n);
        fprintf(f, ".  Client: %.1f s user + %.1f s system CPU, worst send lag behind schedule %.2f ms.\n",
                r->cpu_user_s, r->cpu_sys_s, r->lag_max_ms);
        for (size_t k = 0; k < r->nsamples; k++)
            fprintf(f, "\n* mismatch `%s`: expected `%.200s`, got `%.200s`", r->samples[k].job_id,
                    r->samples[k].expected, r->samples[k].got);
        if (r->nsamples)
            fputc('\n', f);
    }
    if (n == 2 && runs[0]->lat->count && runs[1]->lat->count) {
        double tk = lt_run_throughput(runs[0]), te = lt_run_throughput(runs[1]);
        fprintf(f, "\n## Kafka overhead\n\nexec / Kafka throughput **%.2f×**; Kafka / exec end-to-end latency "
                   "p50 **%.1f×**, p99 **%.1f×**.\n",
                tk > 0 ? te / tk : 0, cw_hist_percentile(runs[0]->lat, 50) / cw_hist_percentile(runs[1]->lat, 50),
                cw_hist_percentile(runs[0]->lat, 99) / cw_hist_percentile(runs[1]->lat, 99));
    }
    fclose(f);
    int rc = write_text(path, buf);
    free(buf);
    return rc;
}

/* ---- plots ---------------------------------------------------------------------- */

static int have_program(const char *name) {
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    char *copy = strdup(path), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", *d ? d : ".", name);
        found = access(p, X_OK) == 0;
    }
    free(copy);
    return found;
}

int lt_report_plots(const lt_conf_t *c, lt_run_t *const *runs, int n, const char *dir) {
    if (!have_program("gnuplot")) {
        fprintf(stderr, "%% warning: gnuplot is not installed (Debian: gnuplot-nox); no plots written\n");
        return 0;
    }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "Error: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char path[4096], tb[128];
    snprintf(path, sizeof(path), "%s/plots.gp", dir);
    FILE *gp = fopen(path, "w");
    if (!gp) {
        fprintf(stderr, "Error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(gp, "# written by codeworker-loadtest; paths are as given to --plots: run gnuplot from the same folder\n"
                "set terminal pngcairo size 1100,500 font ',10'\n"
                "set grid\nset key outside right top\nset xlabel 'seconds since the first send'\n"
                "set datafile missing 'nan'\n");
    for (int i = 0; i < n; i++) {
        const lt_run_t *r = runs[i];
        char dat[4096];
        snprintf(dat, sizeof(dat), "%s/%s-series.dat", dir, r->mode);
        FILE *d = fopen(dat, "w");
        if (!d) {
            fprintf(stderr, "Error: cannot write %s: %s\n", dat, strerror(errno));
            fclose(gp);
            return -1;
        }
        fprintf(d, "# t sent done failed inflight p50_ms p90_ms p99_ms max_ms\n");
        for (size_t k = 0; k < r->nsec; k++) {
            const lt_sec_t *s = &r->series[k];
            fprintf(d, "%zu %llu %llu %llu %llu %.3f %.3f %.3f %.3f\n", k + 1, (unsigned long long)s->sent,
                    (unsigned long long)s->done, (unsigned long long)s->failed, (unsigned long long)s->inflight,
                    s->p50, s->p90, s->p99, s->max);
        }
        fclose(d);
        const char *title = run_title(c, r, tb, sizeof(tb));
        fprintf(gp,
                "set output '%s/%s-latency.png'\n"
                "set title 'end-to-end latency per second: %s'\n"
                "set ylabel 'ms'\nset logscale y\n"
                "plot '%s' using 1:6 with lines lw 2 title 'p50', '' using 1:7 with lines lw 2 title 'p90', "
                "'' using 1:8 with lines lw 2 title 'p99', '' using 1:9 with lines title 'max'\n"
                "unset logscale y\n"
                "set output '%s/%s-throughput.png'\n"
                "set title 'throughput per second: %s'\n"
                "set ylabel 'jobs per second'\nset y2label 'in flight'\nset y2tics\nset yrange [0:*]\n"
                "set y2range [0:*]\n"
                "plot '%s' using 1:3 with steps lw 2 title 'results/s', '' using 1:2 with steps title 'sent/s', "
                "'' using 1:4 with steps title 'failed/s', '' using 1:5 axes x1y2 with lines dt 2 title 'in flight'\n"
                "unset y2label\nunset y2tics\nset autoscale y\n",
                dir, r->mode, title, dat, dir, r->mode, title, dat);
    }
    fclose(gp);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"gnuplot", path, NULL};
        execvp("gnuplot", argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "%% warning: gnuplot failed; data and script are in %s\n", dir);
        return 0;
    }
    fprintf(stderr, "%% plots written to %s\n", dir);
    return 0;
}
