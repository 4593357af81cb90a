/*
 * cw_metrics.h -- the worker's counters and histograms, in Prometheus text.
 *
 * Plain structs updated on the event loop (single-threaded, no atomics), and
 * one function that renders them for /metrics.  Histograms use fixed bucket
 * bounds in milliseconds chosen for job latencies (sub-millisecond to the
 * 120 s timeout ceiling).
 */
#ifndef CW_METRICS_H
#define CW_METRICS_H

#include <stdint.h>

#include "cw_buf.h"
#include "cw_result.h"

#define CW_HIST_BUCKETS 16

typedef struct cw_hist {
    uint64_t counts[CW_HIST_BUCKETS + 1]; /* last = +Inf */
    double sum;
    uint64_t n;
} cw_hist_t;

typedef struct cw_metrics {
    uint64_t jobs[CW_RES__COUNT];  /* results published, by resultCode */
    uint64_t consumed;             /* job messages taken from Kafka */
    uint64_t dead_lettered;
    uint64_t produce_errors;
    uint64_t commits, commit_errors;
    uint64_t rebalances;
    cw_hist_t exec_ms;             /* dispatch to result, as the supervisor saw it */
    cw_hist_t queue_ms;            /* message timestamp to dispatch */
} cw_metrics_t;

void cw_hist_observe(cw_hist_t *h, double ms);

/* Gauges sampled at scrape time. */
typedef struct cw_metrics_gauges {
    int in_flight, queued, executors_idle, executors_busy, executors;
    uint64_t executor_spawns, executor_crashes, executor_kills;
    uint64_t cancel_records, cancel_stops; /* cancel topic records read; running jobs asked to stop */
    uint64_t spans_sent, spans_dropped, otlp_requests, otlp_errors; /* cw_otlp.h (0 when off) */
    uint64_t log_records, log_records_dropped; /* logs.topic records delivered; dropped or failed */
    int cancel_ids;                        /* cancelled jobIds remembered */
    int healthy, paused;
    int npart;
    const int32_t *part_ids;   /* assigned partitions */
    const int64_t *part_lag;   /* high watermark - committed, -1 unknown */
} cw_metrics_gauges_t;

cw_err_t cw_metrics_render(const cw_metrics_t *m, const cw_metrics_gauges_t *g, const char *topic,
                           cw_buf_t *out);

#endif /* CW_METRICS_H */
