/*
 * cw_trace.h -- W3C Trace Context: is this a traceparent, a tracestate?
 *
 * A job may belong to a distributed trace (an agent run that calls the
 * pipeline that publishes the job).  The caller says so the W3C way, with
 * `traceparent`/`tracestate` Kafka headers or job fields; codeworker carries
 * them unchanged to the result's and dead-letter records' headers and the
 * ActionExecutionLog row, so the trace of an agent run shows its code jobs.
 *
 * Both values are untrusted bytes that end up in Kafka headers and audit
 * rows, so they are checked here against the Recommendation (Trace Context,
 * level 1, section 3) and dropped, never repaired, when they fail:
 *
 *   traceparent  version "-" trace-id "-" parent-id "-" trace-flags, all
 *                lowercase hex: 2, 32, 16 and 2 digits.  Version ff is
 *                invalid; version 00 is exactly 55 characters; a later
 *                version may append "-..." fields, which are kept.  An
 *                all-zero trace-id or parent-id is invalid.  At most 256
 *                characters (our bound for the future versions).
 *   tracestate   at most 512 characters of printable ASCII (0x20-0x7E)
 *                in at most 32 comma-separated list members; the members'
 *                inner syntax is the vendors' business and is not checked.
 *
 * No allocation, no state: nothing here can fail other than by saying no.
 */
#ifndef CW_TRACE_H
#define CW_TRACE_H

#include <stddef.h>

#define CW_TRACE_PARENT_MAX 256
#define CW_TRACE_STATE_MAX 512

/* 1 when s[0, len) is a valid traceparent, else 0.  s may hold any bytes. */
int cw_trace_parent_ok(const char *s, size_t len);

/* 1 when s[0, len) is a valid tracestate (an empty one is not), else 0. */
int cw_trace_state_ok(const char *s, size_t len);

#endif /* CW_TRACE_H */
