/*
 * cw_otlp.h -- send the worker's spans to an OpenTelemetry collector.
 *
 * The supervisor's loop must never wait on a collector: a slow or dead one
 * would hold back the hard kills that run on the same loop.  So the loop
 * only appends encoded spans to a bounded in-memory batch (a mutex held for
 * a memcpy), and one exporter thread of this module's own takes the batch
 * every `flush_ms` (or sooner, once it holds 256 KiB) and POSTs it as one
 * OTLP/HTTP ExportTraceServiceRequest in JSON (cw_span.h) to the configured
 * URL with libcurl (HTTP and HTTPS, keep-alive, its own timeout).  Nothing
 * in this thread touches a job or Kafka.
 *
 * Losing telemetry is allowed, blocking is not: a span that does not fit
 * the batch (`max_bytes`) is dropped and counted; a batch the collector
 * refuses is dropped and counted; a batch that failed on the way (no
 * connection, timeout, HTTP 429/502/503/504, which the OTLP specification
 * calls retryable) is sent once more with the next flush, then dropped.
 * The counters are the worker's /metrics lines.  At shutdown the thread
 * sends what is left (within one timeout) and is joined.
 *
 * Contract: cw_otlp_new() returns CW_ERR_INVALID for a URL that is not
 * http:// or https:// or for bad headers, CW_ERR_NOMEM, CW_ERR_SYSTEM when
 * the thread or libcurl cannot start; cw_otlp_add() never blocks on I/O.
 */
#ifndef CW_OTLP_H
#define CW_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "cw_err.h"
#include "cw_span.h"

typedef struct cw_otlp_conf {
    const char *url;      /* the traces endpoint, e.g. http://127.0.0.1:4318/v1/traces */
    const char *headers;  /* "name=value,name=value" sent with every request (auth); may be NULL */
    const char *service;  /* service.name */
    const char *version;  /* service.version */
    const char *instance; /* service.instance.id; may be NULL */
    int flush_ms;         /* the longest a span waits before it is sent */
    int timeout_ms;       /* per request */
    size_t max_bytes;     /* encoded spans held at most; beyond: dropped */
} cw_otlp_conf_t;

typedef struct cw_otlp_stats {
    uint64_t spans_sent;     /* accepted by the collector (2xx) */
    uint64_t spans_dropped;  /* batch full, refused, or failed twice */
    uint64_t requests;       /* POSTs made */
    uint64_t request_errors; /* POSTs that failed (transport or non-2xx) */
} cw_otlp_stats_t;

typedef struct cw_otlp cw_otlp_t;

cw_err_t cw_otlp_new(const cw_otlp_conf_t *conf, cw_otlp_t **out);

/* Queue one span (encoded here).  CW_OK; CW_ERR_TOOBIG when the batch is
 * full (the span is dropped and counted); CW_ERR_NOMEM. */
cw_err_t cw_otlp_add(cw_otlp_t *o, const cw_span_t *s);

void cw_otlp_stats(cw_otlp_t *o, cw_otlp_stats_t *out);

/* Send what is queued (one attempt, within the timeout), stop the thread,
 * free.  NULL is fine. */
void cw_otlp_free(cw_otlp_t *o);

#endif /* CW_OTLP_H */
