/*
 * cw_http.c -- the health and metrics endpoint (see cw_http.h for the rules).
 *
 * Connection life: READ (collect and validate the request head byte by byte,
 * so hostile input costs O(n) however it is split into segments) -> WRITE
 * (one prepared buffer, EV_WRITE while the socket is full) -> LINGER
 * (SHUT_WR sent; discard input until the client's EOF) -> closed.  One timer
 * per connection enforces the deadline across READ and WRITE; LINGER gets
 * its own short one.  The listener is stopped while all slots are taken,
 * and after EMFILE-like accept failures it backs off for a moment instead
 * of spinning on a readable socket it cannot accept from.
 */
#include "cw_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CW_HTTP_LINGER_S 1.0
#define CW_HTTP_LINGER_BYTES (64u << 10)
#define CW_HTTP_ACCEPT_BACKOFF_S 0.1
#define CW_HTTP_BACKLOG 128
#define CW_HTTP_MAX_METHOD 16

/* cw_conn_scan() results other than a status code */
#define CW_SCAN_MORE 0
#define CW_SCAN_DONE 1

typedef enum { CW_CONN_READ, CW_CONN_WRITE, CW_CONN_LINGER } cw_conn_state_t;
typedef enum { CW_METHOD_GET, CW_METHOD_HEAD, CW_METHOD_OTHER } cw_method_t;

typedef struct cw_http_conn {
    cw_http_t *srv;
    struct cw_http_conn *prev, *next;
    int fd;
    cw_conn_state_t state;
    ev_io rio, wio;
    ev_timer timer;
    /* request head */
    size_t len;        /* bytes in head[] */
    size_t line_start; /* first byte of the line being scanned */
    int have_reqline;
    cw_method_t method;
    size_t target_off, target_len;
    /* response */
    cw_buf_t out;
    size_t out_off;
    size_t drained; /* bytes discarded while lingering */
    char head[CW_HTTP_MAX_HEAD];
} cw_http_conn_t;

struct cw_http {
    struct ev_loop *loop;
    int fd;
    int port;
    ev_io lio;
    ev_timer backoff;
    int backing_off;
    cw_http_handler_fn fn;
    void *ud;
    double timeout_s;
    cw_http_conn_t *conns;
    cw_http_stats_t st;
};

/* ---- small helpers ------------------------------------------------------ */

static int cw_http_is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *cw_http_reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* A handler's content type goes into a header line: only printable ASCII. */
static const char *cw_http_ctype(const char *ct) {
    static const char dflt[] = "text/plain; charset=utf-8";
    if (!ct || !*ct || strlen(ct) > 200)
        return dflt;
    for (const unsigned char *p = (const unsigned char *)ct; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return dflt;
    return ct;
}

/* IMF-fixdate for the Date header, without strftime's locale. */
static void cw_http_date(char *out, size_t n) {
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
        tm.tm_mon > 11) {
        out[0] = '\0';
        return;
    }
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- connections -------------------------------------------------------- */

static void cw_http_listen_update(cw_http_t *h);

static void cw_conn_close(cw_http_conn_t *c) {
    cw_http_t *h = c->srv;
    ev_io_stop(h->loop, &c->rio);
    ev_io_stop(h->loop, &c->wio);
    ev_timer_stop(h->loop, &c->timer);
    close(c->fd);
    cw_buf_free(&c->out);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->st.active--;
    free(c);
    cw_http_listen_update(h);
}

static void cw_conn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop, (void)revents;
    cw_http_conn_t *c = w->data;
    if (c->state != CW_CONN_LINGER)
        c->srv->st.timed_out++;
    cw_conn_close(c);
}

/* Response fully written: half-close and wait (briefly) for the client's
 * EOF, so bytes it sent that we never read do not turn into a reset that
 * could destroy the response on its side. */
static void cw_conn_linger(cw_http_conn_t *c) {
    cw_http_t *h = c->srv;
    ev_io_stop(h->loop, &c->wio);
    ev_timer_stop(h->loop, &c->timer);
    cw_buf_free(&c->out);
    if (shutdown(c->fd, SHUT_WR) < 0) {
        cw_conn_close(c);
        return;
    }
    c->state = CW_CONN_LINGER;
    c->drained = 0;
    double t = h->timeout_s < CW_HTTP_LINGER_S ? h->timeout_s : CW_HTTP_LINGER_S;
    ev_timer_set(&c->timer, t, 0);
    ev_timer_start(h->loop, &c->timer);
    ev_io_start(h->loop, &c->rio);
}

/* Write what the socket takes; arm EV_WRITE for the rest. */
static void cw_conn_flush(cw_http_conn_t *c) {
    cw_http_t *h = c->srv;
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                h->st.write_stalls++;
                if (!ev_is_active(&c->wio))
                    ev_io_start(h->loop, &c->wio);
                return;
            }
            cw_conn_close(c); /* EPIPE, ECONNRESET...: the client is gone */
            return;
        }
        c->out_off += (size_t)n;
    }
    cw_conn_linger(c);
}

static void cw_conn_write_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop, (void)revents;
    cw_conn_flush(w->data);
}

/* Build the whole response in c->out and start writing it. */
static void cw_conn_respond(cw_http_conn_t *c, int status, const char *ctype, const char *body,
                            size_t body_len, int send_body) {
    cw_http_t *h = c->srv;
    ev_io_stop(h->loop, &c->rio);
    c->state = CW_CONN_WRITE;
    h->st.responses++;
    int no_body = status == 204 || status == 304;
    char date[40];
    cw_http_date(date, sizeof(date));
    cw_err_t err = cw_buf_printf(&c->out, "HTTP/1.1 %d %s\r\n", status, cw_http_reason(status));
    if (!err && date[0])
        err = cw_buf_printf(&c->out, "Date: %s\r\n", date);
    if (!err && !no_body)
        err = cw_buf_printf(&c->out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                            cw_http_ctype(ctype), body_len);
    if (!err && status == 405)
        err = cw_buf_puts(&c->out, "Allow: GET, HEAD\r\n");
    if (!err)
        err = cw_buf_puts(&c->out, "Cache-Control: no-store\r\n"
                                   "X-Content-Type-Options: nosniff\r\n"
                                   "Connection: close\r\n\r\n");
    if (!err && send_body && !no_body && body_len)
        err = cw_buf_append(&c->out, body, body_len);
    if (err) { /* out of memory: nothing sensible to say */
        cw_conn_close(c);
        return;
    }
    cw_conn_flush(c);
}

static void cw_conn_error(cw_http_conn_t *c, int status) {
    const char *msg;
    switch (status) {
    case 400: msg = "bad request\n"; break;
    case 405: msg = "method not allowed\n"; break;
    case 431: msg = "request header fields too large\n"; break;
    case 505: msg = "HTTP version not supported\n"; break;
    default: msg = "internal server error\n"; break;
    }
    c->srv->st.rejected++;
    cw_conn_respond(c, status, NULL, msg, strlen(msg), c->method != CW_METHOD_HEAD);
}

/* The head is complete and valid: ask the handler. */
static void cw_conn_dispatch(cw_http_conn_t *c) {
    cw_http_t *h = c->srv;
    if (c->method == CW_METHOD_OTHER) {
        cw_conn_error(c, 405);
        return;
    }
    char *target = c->head + c->target_off;
    if (target[0] != '/') { /* only origin-form: no "*", no absolute URLs */
        cw_conn_error(c, 400);
        return;
    }
    /* The byte after the target is the SP before the version, so cutting
     * the string there or earlier stays inside head[]. */
    size_t plen = strcspn(target, "?# ");
    if (plen > c->target_len)
        plen = c->target_len;
    target[plen] = '\0';

    cw_buf_t body;
    cw_buf_init(&body, CW_HTTP_MAX_BODY);
    const char *ctype = NULL;
    int status = h->fn(h->ud, target, &body, &ctype);
    if (status < 200 || status > 599) {
        cw_buf_free(&body);
        cw_conn_error(c, 500);
        return;
    }
    cw_conn_respond(c, status, ctype, body.data, body.len, c->method == CW_METHOD_GET);
    cw_buf_free(&body);
}

/* request-line = method SP request-target SP HTTP-version */
static int cw_conn_reqline(cw_http_conn_t *c, size_t s, size_t e) {
    const char *p = c->head;
    const char *sp1 = memchr(p + s, ' ', e - s);
    if (!sp1)
        return 400;
    size_t mlen = (size_t)(sp1 - (p + s));
    if (mlen == 0 || mlen > CW_HTTP_MAX_METHOD)
        return 400;
    for (size_t i = s; i < s + mlen; i++)
        if (!cw_http_is_tchar((unsigned char)p[i]))
            return 400;
    if (mlen == 3 && memcmp(p + s, "GET", 3) == 0)
        c->method = CW_METHOD_GET;
    else if (mlen == 4 && memcmp(p + s, "HEAD", 4) == 0)
        c->method = CW_METHOD_HEAD;
    else
        c->method = CW_METHOD_OTHER;

    size_t t = s + mlen + 1;
    const char *sp2 = memchr(p + t, ' ', e - t);
    if (!sp2 || sp2 == p + t) /* HTTP/0.9 or an empty target */
        return 400;
    c->target_off = t;
    c->target_len = (size_t)(sp2 - (p + t));

    const char *v = sp2 + 1;
    if ((size_t)(p + e - v) != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
        v[6] != '.' || v[7] < '0' || v[7] > '9')
        return 400;
    if (v[5] != '1')
        return 505;
    return CW_SCAN_MORE;
}

/* field-line = field-name ":" OWS field-value OWS; the bytes were checked. */
static int cw_conn_header(const char *p, size_t s, size_t e) {
    if (p[s] == ' ' || p[s] == '\t') /* obs-fold or whitespace before the name */
        return 400;
    size_t i = s;
    while (i < e && cw_http_is_tchar((unsigned char)p[i]))
        i++;
    if (i == s || i == e || p[i] != ':')
        return 400;
    return CW_SCAN_MORE;
}

/* One complete line [s, e) without its line end. */
static int cw_conn_line(cw_http_conn_t *c, size_t s, size_t e) {
    if (!c->have_reqline) {
        if (s == e) /* empty lines before the request line are ignored */
            return CW_SCAN_MORE;
        c->have_reqline = 1;
        return cw_conn_reqline(c, s, e);
    }
    if (s == e)
        return CW_SCAN_DONE;
    return cw_conn_header(c->head, s, e);
}

/* Check the bytes head[from, len): CW_SCAN_MORE, CW_SCAN_DONE or an error
 * status.  Every byte is looked at once. */
static int cw_conn_scan(cw_http_conn_t *c, size_t from) {
    for (size_t i = from; i < c->len; i++) {
        unsigned char b = (unsigned char)c->head[i];
        if (i > c->line_start && c->head[i - 1] == '\r' && b != '\n')
            return 400; /* bare CR */
        if (b == '\n') {
            size_t e = i;
            if (e > c->line_start && c->head[e - 1] == '\r')
                e--;
            int r = cw_conn_line(c, c->line_start, e);
            c->line_start = i + 1;
            if (r != CW_SCAN_MORE)
                return r;
            continue;
        }
        if (b == '\r')
            continue;
        int ok = c->have_reqline ? (b == '\t' || (b >= 0x20 && b != 0x7f)) /* VCHAR, obs-text */
                                 : (b >= 0x20 && b <= 0x7e);
        if (!ok)
            return 400;
    }
    return CW_SCAN_MORE;
}

static void cw_conn_read_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop, (void)revents;
    cw_http_conn_t *c = w->data;
    if (c->state == CW_CONN_LINGER) {
        char sink[4096];
        ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0 || (c->drained += (size_t)n) > CW_HTTP_LINGER_BYTES)
            cw_conn_close(c);
        return;
    }
    ssize_t n = recv(c->fd, c->head + c->len, sizeof(c->head) - c->len, 0);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        cw_conn_close(c);
        return;
    }
    if (n == 0) { /* gave up before a complete head: nobody to answer */
        cw_conn_close(c);
        return;
    }
    size_t from = c->len;
    c->len += (size_t)n;
    int r = cw_conn_scan(c, from);
    if (r == CW_SCAN_DONE)
        cw_conn_dispatch(c);
    else if (r != CW_SCAN_MORE)
        cw_conn_error(c, r);
    else if (c->len == sizeof(c->head))
        cw_conn_error(c, 431);
}

static cw_err_t cw_conn_new(cw_http_t *h, int fd) {
    /* Not calloc'd wholesale for speed's sake: only the bookkeeping is
     * zeroed, head[] is written before it is read. */
    cw_http_conn_t *c = malloc(sizeof(*c));
    if (!c)
        return CW_ERR_NOMEM;
    memset(c, 0, offsetof(cw_http_conn_t, head));
    c->srv = h;
    c->fd = fd;
    c->state = CW_CONN_READ;
    cw_buf_init(&c->out, 0);
    ev_io_init(&c->rio, cw_conn_read_cb, fd, EV_READ);
    c->rio.data = c;
    ev_io_init(&c->wio, cw_conn_write_cb, fd, EV_WRITE);
    c->wio.data = c;
    ev_timer_init(&c->timer, cw_conn_timeout_cb, h->timeout_s, 0);
    c->timer.data = c;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->st.active++;
    h->st.accepted++;
    ev_io_start(h->loop, &c->rio);
    ev_timer_start(h->loop, &c->timer);
    return CW_OK;
}

/* ---- listener ----------------------------------------------------------- */

/* Accept while there is a free slot and no back-off in progress. */
static void cw_http_listen_update(cw_http_t *h) {
    int want = !h->backing_off && h->st.active < CW_HTTP_MAX_CONNS;
    if (want && !ev_is_active(&h->lio))
        ev_io_start(h->loop, &h->lio);
    else if (!want && ev_is_active(&h->lio)) {
        ev_io_stop(h->loop, &h->lio);
        if (!h->backing_off)
            h->st.cap_reached++;
    }
}

static void cw_http_backoff_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop, (void)revents;
    cw_http_t *h = w->data;
    h->backing_off = 0;
    cw_http_listen_update(h);
}

static void cw_http_backoff(cw_http_t *h) {
    h->backing_off = 1;
    cw_http_listen_update(h);
    ev_timer_set(&h->backoff, CW_HTTP_ACCEPT_BACKOFF_S, 0);
    ev_timer_start(h->loop, &h->backoff);
}

static void cw_http_accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop, (void)revents;
    cw_http_t *h = w->data;
    while (h->st.active < CW_HTTP_MAX_CONNS) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            switch (errno) {
            case EINTR:
            case ECONNABORTED:
            /* Linux reports the new socket's pending network errors here */
            case EPROTO:
            case ENOPROTOOPT:
            case ENETDOWN:
            case ENETUNREACH:
            case EHOSTDOWN:
            case EHOSTUNREACH:
            case EOPNOTSUPP:
            case ENONET:
                continue;
            case EAGAIN:
#if EWOULDBLOCK != EAGAIN
            case EWOULDBLOCK:
#endif
                break;
            default: /* EMFILE, ENFILE, ENOBUFS, ENOMEM...: pause, don't spin */
                h->st.accept_errors++;
                cw_http_backoff(h);
                break;
            }
            break;
        }
        if (cw_conn_new(h, fd) != CW_OK) {
            close(fd);
            h->st.accept_errors++;
            cw_http_backoff(h);
            break;
        }
    }
    cw_http_listen_update(h);
}

static cw_err_t cw_http_parse_addr(const char *addr, int port, struct sockaddr_storage *ss,
                                   socklen_t *sslen) {
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *sslen = sizeof(*v4);
        return CW_OK;
    }
    if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *sslen = sizeof(*v6);
        return CW_OK;
    }
    return CW_ERR_INVALID;
}

cw_err_t cw_http_start(struct ev_loop *loop, const char *bind_addr, int port,
                       cw_http_handler_fn fn, void *ud, cw_http_t **out) {
    if (out)
        *out = NULL;
    if (!loop || !bind_addr || !fn || !out || port < 0 || port > 65535)
        return CW_ERR_INVALID;
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (cw_http_parse_addr(bind_addr, port, &ss, &sslen))
        return CW_ERR_INVALID;

    cw_http_t *h = calloc(1, sizeof(*h));
    if (!h)
        return CW_ERR_NOMEM;
    h->loop = loop;
    h->fn = fn;
    h->ud = ud;
    h->timeout_s = CW_HTTP_DEFAULT_TIMEOUT_S;
    h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (h->fd < 0)
        goto fail;
    int one = 1;
    if (setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto fail;
    if (bind(h->fd, (struct sockaddr *)&ss, sslen) < 0)
        goto fail;
    if (listen(h->fd, CW_HTTP_BACKLOG) < 0)
        goto fail;
    sslen = sizeof(ss);
    if (getsockname(h->fd, (struct sockaddr *)&ss, &sslen) < 0)
        goto fail;
    h->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                            : ((struct sockaddr_in6 *)&ss)->sin6_port);
    ev_io_init(&h->lio, cw_http_accept_cb, h->fd, EV_READ);
    h->lio.data = h;
    ev_timer_init(&h->backoff, cw_http_backoff_cb, CW_HTTP_ACCEPT_BACKOFF_S, 0);
    h->backoff.data = h;
    ev_io_start(loop, &h->lio);
    *out = h;
    return CW_OK;
fail: {
    int saved = errno;
    if (h->fd >= 0)
        close(h->fd);
    free(h);
    errno = saved;
    return CW_ERR_SYSTEM;
}
}

int cw_http_port(const cw_http_t *h) { return h ? h->port : -1; }

cw_err_t cw_http_set_timeout(cw_http_t *h, double seconds) {
    if (!h || !(seconds > 0 && seconds <= 3600))
        return CW_ERR_INVALID;
    h->timeout_s = seconds;
    return CW_OK;
}

void cw_http_stats(const cw_http_t *h, cw_http_stats_t *out) {
    if (h)
        *out = h->st;
    else
        memset(out, 0, sizeof(*out));
}

void cw_http_stop(cw_http_t *h) {
    if (!h)
        return;
    ev_io_stop(h->loop, &h->lio);
    ev_timer_stop(h->loop, &h->backoff);
    h->backing_off = 1; /* keep cw_conn_close() from restarting the listener */
    while (h->conns)
        cw_conn_close(h->conns);
    close(h->fd);
    free(h);
}
