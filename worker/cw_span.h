/*
 * cw_span.h -- a job's spans, written as OTLP/JSON.
 *
 * The worker shows each job it handles in the distributed trace the job
 * came with (its `traceparent`): the time it waited in the queue, the time
 * its code took to lower and compile, the run, and the produce of its
 * result, as children of one span for the whole job.  They leave the
 * worker over OTLP/HTTP (cw_otlp.h); this file only turns a span into the
 * protobuf-JSON encoding OTLP defines for it (opentelemetry-proto,
 * trace/v1/trace.proto, with the JSON rules of the OTLP specification:
 * trace and span ids as lowercase hex, enums as integers, 64-bit integers
 * as decimal strings, attribute values as AnyValue objects).
 *
 * Span ids come from the kernel's random source, so two workers never
 * pick the same one; a job without trace context may get a trace id of
 * its own the same way.
 *
 * Contract: the encoders append to a cw_buf_t and return CW_ERR_NOMEM or
 * CW_ERR_TOOBIG from it, leaving what they had appended in place (the
 * caller resets or truncates); strings are escaped as JSON (invalid UTF-8
 * is replaced, never copied).  No state, no allocation of their own.
 */
#ifndef CW_SPAN_H
#define CW_SPAN_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"

/* SpanKind and Status.StatusCode, as trace.proto numbers them. */
typedef enum {
    CW_SPAN_INTERNAL = 1,
    CW_SPAN_SERVER = 2,
    CW_SPAN_CLIENT = 3,
    CW_SPAN_PRODUCER = 4,
    CW_SPAN_CONSUMER = 5
} cw_span_kind_t;
typedef enum { CW_SPAN_UNSET = 0, CW_SPAN_OK = 1, CW_SPAN_ERROR = 2 } cw_span_status_t;

typedef enum { CW_ATTR_STR, CW_ATTR_INT, CW_ATTR_BOOL } cw_attr_type_t;

typedef struct cw_span_attr {
    const char *key;
    cw_attr_type_t type;
    const char *s; /* CW_ATTR_STR (NULL: the attribute is left out) */
    int64_t i;     /* CW_ATTR_INT, CW_ATTR_BOOL (0/1) */
} cw_span_attr_t;

#define CW_SPAN_MAX_ATTRS 16

typedef struct cw_span {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t parent_id[8]; /* all zero: a root span */
    const char *name;
    cw_span_kind_t kind;
    int64_t start_ns, end_ns; /* Unix epoch nanoseconds; end < start is written as start */
    cw_span_status_t status;
    const char *status_message; /* NULL: none */
    int nattrs;                 /* at most CW_SPAN_MAX_ATTRS */
    cw_span_attr_t attrs[CW_SPAN_MAX_ATTRS];
} cw_span_t;

/* Fill `id` with n random bytes, never all zero (W3C and OTLP both call an
 * all-zero id invalid).  CW_ERR_SYSTEM when the kernel gives no randomness. */
cw_err_t cw_span_random_id(uint8_t *id, size_t n);

/* Read the trace id and parent id out of a traceparent that
 * cw_trace_parent_ok() accepted; *sampled gets its sampled flag.
 * CW_ERR_INVALID for anything else. */
cw_err_t cw_span_from_traceparent(const char *tp, size_t len, uint8_t trace_id[16], uint8_t parent_id[8],
                                  int *sampled);

/* Append one Span object ("{...}", no separator). */
cw_err_t cw_span_encode(cw_buf_t *b, const cw_span_t *s);

/* Append the ExportTraceServiceRequest that holds `spans`: `spans` is
 * `n` Span objects separated by commas, as cw_span_encode() wrote them;
 * the resource has service.name, service.version and service.instance.id
 * (instance may be NULL). */
cw_err_t cw_span_request(cw_buf_t *b, const char *service, const char *version, const char *instance,
                         const char *spans, size_t spans_len);

#endif /* CW_SPAN_H */
