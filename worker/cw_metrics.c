/* cw_metrics.c -- Prometheus text exposition of the worker's metrics. */
#include "cw_metrics.h"

static const double cw_hist_bounds[CW_HIST_BUCKETS] = {0.5, 1, 2, 5, 10, 20, 50, 100,
                                                       250, 500, 1000, 2500, 5000, 10000, 30000, 120000};

void cw_hist_observe(cw_hist_t *h, double ms) {
    int i = 0;
    while (i < CW_HIST_BUCKETS && ms > cw_hist_bounds[i])
        i++;
    h->counts[i]++;
    h->sum += ms;
    h->n++;
}

static cw_err_t cw_hist_render(cw_buf_t *out, const char *name, const char *help, const cw_hist_t *h) {
    cw_err_t err = cw_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (int i = 0; !err && i < CW_HIST_BUCKETS; i++) {
        cum += h->counts[i];
        err = cw_buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, cw_hist_bounds[i], (unsigned long long)cum);
    }
    cum += h->counts[CW_HIST_BUCKETS];
    if (!err)
        err = cw_buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.3f\n%s_count %llu\n", name,
                            (unsigned long long)cum, name, h->sum, name, (unsigned long long)h->n);
    return err;
}

cw_err_t cw_metrics_render(const cw_metrics_t *m, const cw_metrics_gauges_t *g, const char *topic,
                           cw_buf_t *out) {
    cw_err_t err = cw_buf_puts(out, "# HELP codeworker_jobs_total Results published, by resultCode.\n"
                                    "# TYPE codeworker_jobs_total counter\n");
    for (int c = 0; !err && c < CW_RES__COUNT; c++)
        err = cw_buf_printf(out, "codeworker_jobs_total{result=\"%s\"} %llu\n", cw_rescode2str((cw_rescode_t)c),
                            (unsigned long long)m->jobs[c]);
#define CW_COUNTER(name, help, v)                                                                  \
    if (!err)                                                                                      \
    err = cw_buf_printf(out, "# HELP " name " " help "\n# TYPE " name " counter\n" name " %llu\n", \
                        (unsigned long long)(v))
#define CW_GAUGE(name, help, v)                                                                  \
    if (!err)                                                                                    \
    err = cw_buf_printf(out, "# HELP " name " " help "\n# TYPE " name " gauge\n" name " %lld\n", \
                        (long long)(v))
    CW_COUNTER("codeworker_messages_consumed_total", "Job messages consumed.", m->consumed);
    CW_COUNTER("codeworker_dead_letters_total", "Messages sent to the dead-letter topic.", m->dead_lettered);
    CW_COUNTER("codeworker_produce_errors_total", "Result or dead-letter deliveries that failed.", m->produce_errors);
    CW_COUNTER("codeworker_offset_commits_total", "Offset commits sent.", m->commits);
    CW_COUNTER("codeworker_offset_commit_errors_total", "Offset commits that failed.", m->commit_errors);
    CW_COUNTER("codeworker_rebalances_total", "Partition assignments and revocations.", m->rebalances);
    CW_COUNTER("codeworker_executor_spawns_total", "Executor processes started, respawns included.", g->executor_spawns);
    CW_COUNTER("codeworker_executor_crashes_total", "Executors that died with a job.", g->executor_crashes);
    CW_COUNTER("codeworker_executor_kills_total", "Executors killed at a job's hard deadline.", g->executor_kills);
    CW_COUNTER("codeworker_cancel_records_total", "Cancel records read from the cancel topic.", g->cancel_records);
    CW_COUNTER("codeworker_cancel_stops_total", "Running jobs asked to stop by a cancel.", g->cancel_stops);
    CW_COUNTER("codeworker_log_records_total", "Live log records delivered to logs.topic.", g->log_records);
    CW_COUNTER("codeworker_log_records_dropped_total", "Live log records dropped (producer queue full) or not delivered.", g->log_records_dropped);
    CW_COUNTER("codeworker_spans_sent_total", "Spans the OpenTelemetry collector accepted.", g->spans_sent);
    CW_COUNTER("codeworker_spans_dropped_total", "Spans dropped: the batch was full, or the collector refused or could not take them.", g->spans_dropped);
    CW_COUNTER("codeworker_otlp_requests_total", "OTLP/HTTP export requests made.", g->otlp_requests);
    CW_COUNTER("codeworker_otlp_request_errors_total", "OTLP/HTTP export requests that failed.", g->otlp_errors);
    CW_GAUGE("codeworker_cancelled_ids", "Cancelled jobIds remembered.", g->cancel_ids);
    CW_GAUGE("codeworker_jobs_in_flight", "Jobs consumed whose result is not yet acknowledged.", g->in_flight);
    CW_GAUGE("codeworker_jobs_queued", "Jobs waiting for an executor.", g->queued);
    CW_GAUGE("codeworker_executors", "Configured executors.", g->executors);
    CW_GAUGE("codeworker_executors_busy", "Executors running a job.", g->executors_busy);
    CW_GAUGE("codeworker_healthy", "1 when the worker is consuming normally.", g->healthy);
    CW_GAUGE("codeworker_fetch_paused", "1 while fetching is paused for backpressure.", g->paused);
#undef CW_COUNTER
#undef CW_GAUGE
    if (!err)
        err = cw_buf_puts(out, "# HELP codeworker_partition_lag Messages behind the high watermark, per assigned partition.\n"
                               "# TYPE codeworker_partition_lag gauge\n");
    for (int i = 0; !err && i < g->npart; i++)
        if (g->part_lag[i] >= 0)
            err = cw_buf_printf(out, "codeworker_partition_lag{topic=\"%s\",partition=\"%d\"} %lld\n", topic,
                                (int)g->part_ids[i], (long long)g->part_lag[i]);
    if (!err)
        err = cw_hist_render(out, "codeworker_execution_ms", "Time from dispatch to result, in ms.", &m->exec_ms);
    if (!err)
        err = cw_hist_render(out, "codeworker_queue_ms", "Time from message timestamp to dispatch, in ms.", &m->queue_ms);
    return err;
}
