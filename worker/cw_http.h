/*
 * cw_http.h -- a tiny HTTP/1.1 endpoint for /healthz and /metrics.
 *
 * Orchestrators and scrapers need to ask the worker whether it is alive and
 * how it is doing, and that port is reachable by more than we would like.
 * This server therefore does the minimum and assumes the client is hostile:
 * one request per connection, GET and HEAD only, a fixed 8 KiB request head,
 * at most CW_HTTP_MAX_CONNS connections at once, a hard per-connection
 * deadline, and every response ends with `Connection: close`.  It runs on
 * the caller's libev loop and never blocks it.
 *
 * Connection cap: when CW_HTTP_MAX_CONNS connections are open the listener
 * stops accepting; further clients wait in the kernel's listen backlog and
 * are accepted, in order, as slots free up.  Since every connection is gone
 * by its deadline (plus a short lingering close), a slot frees within
 * timeout + 1 s at worst.
 *
 * Deadline: a connection gets `timeout` seconds (5 s by default) in total to
 * send its request head and take the whole response; it is not extended by
 * activity, so dribbling bytes does not keep a slot.  After the response is
 * written the server half-closes and drains what the client still sends for
 * at most 1 s / 64 KiB (a lingering close), so a client that sent more than
 * we read still receives the response instead of a reset.
 *
 * Parsing is strict: a request line of exactly `METHOD SP target SP
 * HTTP/d.d`, token header names, no control characters, no obs-fold, CRLF
 * or bare LF line ends (bare CR is an error).  Garbage is answered with 400
 * as soon as the first invalid byte arrives.  Header values are not
 * interpreted (Host is not required; request bodies are never read).  The
 * path handed to the handler is the raw origin-form target with the query
 * and fragment cut off; it is not percent-decoded.
 */
#ifndef CW_HTTP_H
#define CW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "cw_buf.h"
#include "cw_err.h"

#define CW_HTTP_MAX_HEAD 8192           /* request head cap; beyond it: 431 */
#define CW_HTTP_MAX_CONNS 32            /* concurrent connections */
#define CW_HTTP_MAX_BODY (4u << 20)     /* ceiling of the handler's body buffer */
#define CW_HTTP_DEFAULT_TIMEOUT_S 5.0   /* per-connection deadline */

typedef struct cw_http cw_http_t;

/* Fill `body` for `path` (query string stripped); set *content_type to a
 * static string (NULL means text/plain); return the HTTP status (200, 404,
 * 503...).  Runs on the loop: it must not block, and must not call
 * cw_http_stop().  `body` has a ceiling of CW_HTTP_MAX_BODY bytes.  HEAD
 * requests call it too (the body is measured for Content-Length, then
 * dropped).  A status outside 200..599 is answered as 500. */
typedef int (*cw_http_handler_fn)(void *ud, const char *path, cw_buf_t *body,
                                  const char **content_type);

/* Listen on bind_addr:port (port 0 = ephemeral) on the given libev loop.
 * bind_addr is an IPv4 or IPv6 literal ("127.0.0.1", "::1", "0.0.0.0",
 * "::"; no host names, brackets or zone ids).  "::" follows the system's
 * IPV6_V6ONLY default.  Returns CW_ERR_SYSTEM with errno preserved if
 * socket/bind/listen fails, CW_ERR_INVALID for a bad address, port or
 * argument, CW_ERR_NOMEM. */
cw_err_t cw_http_start(struct ev_loop *loop, const char *bind_addr, int port,
                       cw_http_handler_fn fn, void *ud, cw_http_t **out);

/* The bound port (the real one when started with port 0). */
int cw_http_port(const cw_http_t *h);

/* Change the per-connection deadline for connections accepted from now on
 * (tests use a short one).  CW_ERR_INVALID unless 0 < seconds <= 3600. */
cw_err_t cw_http_set_timeout(cw_http_t *h, double seconds);

/* Counters, e.g. for the worker's own /metrics. */
typedef struct cw_http_stats {
    uint64_t accepted;      /* connections accepted */
    uint64_t responses;     /* responses started (any status) */
    uint64_t rejected;      /* of which errors the server produced itself:
                               400, 405, 431, 505, or 500 for a bad handler status */
    uint64_t timed_out;     /* connections closed at their deadline */
    uint64_t write_stalls;  /* sends that hit a full socket buffer */
    uint64_t cap_reached;   /* times accepting paused at CW_HTTP_MAX_CONNS */
    uint64_t accept_errors; /* EMFILE and the like: accepting backs off 100 ms */
    int active;             /* connections open right now */
} cw_http_stats_t;

void cw_http_stats(const cw_http_t *h, cw_http_stats_t *out);

/* Close the listener and all connections, free.  NULL is a no-op. */
void cw_http_stop(cw_http_t *h);

#endif /* CW_HTTP_H */
