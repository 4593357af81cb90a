/*
 * test_http.c -- the health/metrics endpoint against real sockets.
 *
 * Every test starts a server on 127.0.0.1:0 on a private ev_loop and plays
 * the client from the same thread: blocking connect/send (the kernel
 * completes loopback handshakes from the listen backlog), then non-blocking
 * reads with ev_run(EVRUN_NOWAIT) in between so the server makes progress.
 */
#include "cw_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cw_http.h"

#define BIG_LEN (CW_HTTP_MAX_BODY)
#define METRICS_BODY "cw_up 1\ncw_jobs_total 42\n"

typedef struct fx {
    int fds_before;
    struct ev_loop *loop;
    cw_http_t *h;
    int port;
    int calls;
} fx_t;

static int handler(void *ud, const char *path, cw_buf_t *body, const char **ct) {
    fx_t *f = ud;
    f->calls++;
    if (strcmp(path, "/metrics") == 0) {
        *ct = "text/plain; version=0.0.4";
        cw_buf_puts(body, METRICS_BODY);
        return 200;
    }
    if (strcmp(path, "/healthz") == 0) {
        cw_buf_puts(body, "ok\n");
        return 200;
    }
    if (strcmp(path, "/echo") == 0) { /* the path the server handed us */
        cw_buf_puts(body, path);
        return 200;
    }
    if (strcmp(path, "/big") == 0) {
        char chunk[4096];
        for (size_t i = 0; i < BIG_LEN; i += sizeof(chunk)) {
            for (size_t j = 0; j < sizeof(chunk); j++)
                chunk[j] = (char)('a' + (i + j) % 26);
            if (cw_buf_append(body, chunk, sizeof(chunk)))
                return 500;
        }
        return 200;
    }
    if (strcmp(path, "/down") == 0) {
        cw_buf_puts(body, "draining\n");
        return 503;
    }
    if (strcmp(path, "/weird") == 0)
        return 42;
    if (strcmp(path, "/badtype") == 0) {
        *ct = "text/plain\r\nX-Injected: 1";
        cw_buf_puts(body, "x");
        return 200;
    }
    cw_buf_puts(body, "not found\n");
    return 404;
}

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static int fx_setup(void **state) {
    fx_t *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->fds_before = count_fds();
    f->loop = ev_loop_new(EVFLAG_AUTO);
    if (!f->loop || cw_http_start(f->loop, "127.0.0.1", 0, handler, f, &f->h) != CW_OK)
        return -1;
    f->port = cw_http_port(f->h);
    *state = f;
    return 0;
}

static int fx_teardown(void **state) {
    fx_t *f = *state;
    cw_http_stop(f->h);
    ev_loop_destroy(f->loop);
    int leaked = count_fds() - f->fds_before;
    free(f);
    if (leaked) {
        fprintf(stderr, "# %d file descriptors leaked\n", leaked);
        return -1;
    }
    return 0;
}

/* ---- client side -------------------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pump(fx_t *f, double secs) {
    double end = now_s() + secs;
    do {
        ev_run(f->loop, EVRUN_NOWAIT);
        usleep(1000);
    } while (now_s() < end);
}

static int cli_connect_rcvbuf(int port, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (rcvbuf)
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static int cli_connect(int port) { return cli_connect_rcvbuf(port, 0); }

/* Send it all (best effort: the server may already have answered and closed). */
static void cli_send(int fd, const void *p, size_t n) {
    const char *s = p;
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Read until EOF while pumping the server.  0 on EOF, -errno on a reset or
 * other error, -ETIMEDOUT if the connection stays open past `timeout`. */
static int cli_read_all(fx_t *f, int fd, cw_buf_t *out, double timeout) {
    double end = now_s() + timeout;
    char buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            assert_int_equal(cw_buf_append(out, buf, (size_t)n), CW_OK);
            continue;
        }
        if (n == 0)
            return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -errno;
        if (now_s() > end)
            return -ETIMEDOUT;
        ev_run(f->loop, EVRUN_NOWAIT);
        usleep(200);
    }
}

typedef struct resp {
    cw_buf_t raw;
    int status;
    int rc;
    const char *body;
    size_t body_len;
} resp_t;

static void resp_parse(resp_t *r) {
    r->status = -1;
    r->body = NULL;
    r->body_len = 0;
    if (!r->raw.data || sscanf(r->raw.data, "HTTP/1.1 %d ", &r->status) != 1)
        return;
    const char *end = memmem(r->raw.data, r->raw.len, "\r\n\r\n", 4);
    if (end) {
        r->body = end + 4;
        r->body_len = r->raw.len - (size_t)(r->body - r->raw.data);
    }
}

/* One full exchange: connect, send, read to EOF. */
static void exchange(fx_t *f, const char *req, size_t len, resp_t *r) {
    cw_buf_init(&r->raw, 0);
    int fd = cli_connect(f->port);
    cli_send(fd, req, len);
    r->rc = cli_read_all(f, fd, &r->raw, 3.0);
    close(fd);
    resp_parse(r);
}

static void get(fx_t *f, const char *req, resp_t *r) { exchange(f, req, strlen(req), r); }

/* Value of header `name` (case-sensitive, as we write them) or NULL. */
static char *header(const resp_t *r, const char *name, char *val, size_t vsz) {
    char pat[128];
    snprintf(pat, sizeof(pat), "\r\n%s: ", name);
    const char *end = r->body ? r->body : r->raw.data + r->raw.len;
    const char *p = memmem(r->raw.data, (size_t)(end - r->raw.data), pat, strlen(pat));
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *e = strstr(p, "\r\n");
    size_t n = (size_t)(e - p);
    if (n >= vsz)
        n = vsz - 1;
    memcpy(val, p, n);
    val[n] = '\0';
    return val;
}

static void check_framing(const resp_t *r) {
    char v[128];
    assert_int_equal(r->rc, 0);
    assert_non_null(r->body);
    assert_non_null(header(r, "Connection", v, sizeof(v)));
    assert_string_equal(v, "close");
    assert_non_null(header(r, "Content-Length", v, sizeof(v)));
    assert_int_equal(strtoull(v, NULL, 10), r->body_len);
    assert_non_null(header(r, "Content-Type", v, sizeof(v)));
    assert_non_null(header(r, "Date", v, sizeof(v)));
    assert_int_equal(strlen(v), 29); /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    assert_string_equal(v + 25, " GMT");
}

static void stats(fx_t *f, cw_http_stats_t *s) { cw_http_stats(f->h, s); }

/* ---- tests -------------------------------------------------------------- */

static void test_metrics_200(void **state) {
    fx_t *f = *state;
    resp_t r;
    get(f, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    check_framing(&r);
    assert_memory_equal(r.raw.data, "HTTP/1.1 200 OK\r\n", 17);
    char v[128];
    assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain; version=0.0.4");
    assert_int_equal(r.body_len, strlen(METRICS_BODY));
    assert_memory_equal(r.body, METRICS_BODY, r.body_len);
    cw_buf_free(&r.raw);

    /* HTTP/1.0, a default content type, and the whole thing twice in a row */
    for (int i = 0; i < 2; i++) {
        get(f, "GET /healthz HTTP/1.0\r\n\r\n", &r);
        assert_int_equal(r.status, 200);
        check_framing(&r);
        assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain; charset=utf-8");
        assert_string_equal(r.body, "ok\n");
        cw_buf_free(&r.raw);
    }
    pump(f, 0.01); /* our closes end the server's lingering close */
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.accepted, 3);
    assert_int_equal(s.responses, 3);
    assert_int_equal(s.active, 0);
}

static void test_query_stripped(void **state) {
    fx_t *f = *state;
    resp_t r;
    get(f, "GET /echo?x=1&y=/z HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "/echo");
    cw_buf_free(&r.raw);
    get(f, "GET /echo#frag HTTP/1.1\r\n\r\n", &r);
    assert_string_equal(r.body, "/echo");
    cw_buf_free(&r.raw);
    get(f, "GET /healthz? HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    cw_buf_free(&r.raw);
}

static void test_not_found_404(void **state) {
    fx_t *f = *state;
    resp_t r;
    get(f, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    check_framing(&r);
    assert_memory_equal(r.raw.data, "HTTP/1.1 404 Not Found\r\n", 24);
    cw_buf_free(&r.raw);
    /* not percent-decoded: /%6Detrics is not /metrics */
    get(f, "GET /%6Detrics HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    cw_buf_free(&r.raw);
}

static void test_post_405(void **state) {
    fx_t *f = *state;
    static const char *const reqs[] = {
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "PUT /healthz HTTP/1.1\r\n\r\n",
        "DELETE / HTTP/1.1\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n\r\n",
        "get /metrics HTTP/1.1\r\n\r\n", /* methods are case-sensitive */
    };
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        resp_t r;
        get(f, reqs[i], &r);
        assert_int_equal(r.status, 405);
        check_framing(&r);
        char v[64];
        assert_string_equal(header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
        cw_buf_free(&r.raw);
    }
    assert_int_equal(f->calls, 0);
}

static void test_head_no_body(void **state) {
    fx_t *f = *state;
    resp_t r;
    get(f, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(r.body);
    assert_int_equal(r.body_len, 0);
    char v[64];
    assert_int_equal(strtoull(header(&r, "Content-Length", v, sizeof(v)), NULL, 10),
                     strlen(METRICS_BODY));
    assert_string_equal(header(&r, "Connection", v, sizeof(v)), "close");
    cw_buf_free(&r.raw);
    get(f, "HEAD /nope HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.body_len, 0);
    cw_buf_free(&r.raw);
}

static void test_oversized_431(void **state) {
    fx_t *f = *state;
    /* a head one byte too long, then a client that keeps sending: the
     * response must still arrive whole (lingering close, no reset) */
    size_t n = 64 * 1024;
    char *req = malloc(n);
    assert_non_null(req);
    memset(req, 'a', n);
    memcpy(req, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
    resp_t r;
    exchange(f, req, n, &r);
    assert_int_equal(r.status, 431);
    check_framing(&r);
    assert_string_equal(r.body, "request header fields too large\n");
    cw_buf_free(&r.raw);

    /* exactly at the cap is fine: the head's last byte is byte 8192 */
    size_t cap = CW_HTTP_MAX_HEAD;
    memset(req, 'a', cap);
    memcpy(req, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
    memcpy(req + cap - 4, "\r\n\r\n", 4);
    exchange(f, req, cap, &r);
    assert_int_equal(r.status, 200);
    cw_buf_free(&r.raw);
    memcpy(req + cap - 4, "a\r\n\r\n", 5);
    exchange(f, req, cap + 1, &r);
    assert_int_equal(r.status, 431);
    cw_buf_free(&r.raw);

    /* a huge request line, and endless blank lines */
    memset(req, 'a', n);
    memcpy(req, "GET /", 5);
    exchange(f, req, n, &r);
    assert_int_equal(r.status, 431);
    cw_buf_free(&r.raw);
    for (size_t i = 0; i + 1 < n; i += 2)
        memcpy(req + i, "\r\n", 2);
    exchange(f, req, n, &r);
    assert_int_equal(r.status, 431);
    cw_buf_free(&r.raw);
    free(req);
    assert_int_equal(f->calls, 1);
}

static void test_garbage_400(void **state) {
    fx_t *f = *state;
    static const struct {
        const char *req;
        size_t len; /* 0 = strlen */
        int status;
    } cases[] = {
        {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, 400}, /* a TLS ClientHello */
        {"\x00\x01\x02\x03", 4, 400},
        {"GET\x00/ HTTP/1.1\r\n\r\n", 18, 400},
        {"GET / HTTP/1.1\rX\r\n\r\n", 0, 400},            /* bare CR */
        {"GET /\x01 HTTP/1.1\r\n\r\n", 0, 400},           /* control char in target */
        {"GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 0, 400},       /* raw UTF-8 in target */
        {"GET  / HTTP/1.1\r\n\r\n", 0, 400},              /* double space */
        {"GET / HTTP/1.1 \r\n\r\n", 0, 400},              /* trailing space */
        {"GET /\r\n\r\n", 0, 400},                        /* HTTP/0.9 */
        {"GET / HTTP/1.1x\r\n\r\n", 0, 400},
        {"GET / FTP/1.1\r\n\r\n", 0, 400},
        {"GET / http/1.1\r\n\r\n", 0, 400},
        {"GET / HTTP/2.0\r\n\r\n", 0, 505},
        {"GET / HTTP/0.9\r\n\r\n", 0, 505},
        {"G(T / HTTP/1.1\r\n\r\n", 0, 400},               /* not a token */
        {"AVERYLONGMETHODNAMEXX / HTTP/1.1\r\n\r\n", 0, 400},
        {"GET http://x/metrics HTTP/1.1\r\n\r\n", 0, 400}, /* absolute-form */
        {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 0, 400},
        {"GET / HTTP/1.1\r\n: empty\r\n\r\n", 0, 400},
        {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 0, 400},   /* space before colon */
        {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 0, 400},
        {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 0, 400},
        {"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", 0, 400},
        {"GET / HTTP/1.1\r\nA\x80: b\r\n\r\n", 0, 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp_t r;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].req);
        exchange(f, cases[i].req, len, &r);
        if (r.status != cases[i].status)
            fail_msg("case %zu: status %d, want %d", i, r.status, cases[i].status);
        check_framing(&r);
        cw_buf_free(&r.raw);
    }
    assert_int_equal(f->calls, 0);

    /* rejected at the first bad byte: no need to wait for a line end */
    int fd = cli_connect(f->port);
    cli_send(fd, "\x16\x03\x01", 3);
    pump(f, 0.05);
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    assert_true(n > 12);
    buf[n] = '\0';
    assert_memory_equal(buf, "HTTP/1.1 400 Bad Request\r\n", 26);
    close(fd);

    /* header values may carry obs-text; line ends may be bare LF; blank
     * lines before the request line are skipped */
    static const char *const fine[] = {
        "GET /healthz HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\n\r\n",
        "GET /healthz HTTP/1.1\nHost: x\n\n",
        "\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nA:\r\nB:\t x \t\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        resp_t r;
        get(f, fine[i], &r);
        if (r.status != 200)
            fail_msg("fine case %zu: status %d", i, r.status);
        cw_buf_free(&r.raw);
    }
}

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random and mutated requests: every answer is a well-formed response or a
 * plain close, and the server is left with nothing open. */
static void test_fuzz(void **state) {
    fx_t *f = *state;
    assert_int_equal(cw_http_set_timeout(f->h, 0.2), CW_OK);
    static const char base[] = "GET /metrics?a=b HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char req[512];
    int answered = 0;
    for (int it = 0; it < 400; it++) {
        size_t len;
        if (it % 2) {
            len = 1 + rng_next(&seed) % sizeof(req);
            for (size_t i = 0; i < len; i++)
                req[i] = (char)rng_next(&seed);
        } else {
            len = sizeof(base) - 1;
            memcpy(req, base, len);
            int flips = 1 + (int)(rng_next(&seed) % 3);
            for (int k = 0; k < flips; k++)
                req[rng_next(&seed) % len] = (char)rng_next(&seed);
            len -= rng_next(&seed) % 4; /* sometimes cut short */
        }
        resp_t r;
        cw_buf_init(&r.raw, 0);
        int fd = cli_connect(f->port);
        cli_send(fd, req, len);
        shutdown(fd, SHUT_WR);
        r.rc = cli_read_all(f, fd, &r.raw, 2.0);
        close(fd);
        resp_parse(&r);
        assert_true(r.rc == 0 || r.rc == -ECONNRESET);
        if (r.raw.len) {
            answered++;
            assert_true(r.status == 200 || r.status == 400 || r.status == 404 ||
                        r.status == 405 || r.status == 505);
            check_framing(&r);
        }
        cw_buf_free(&r.raw);
    }
    fprintf(stderr, "# fuzz: %d of 400 inputs answered\n", answered);
    assert_true(answered > 200);
    pump(f, 0.01);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.active, 0);
}

static void test_slow_client_timeout(void **state) {
    fx_t *f = *state;
    assert_int_equal(cw_http_set_timeout(f->h, 0.3), CW_OK);
    int silent = cli_connect(f->port);
    int partial = cli_connect(f->port);
    cli_send(partial, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 32);
    pump(f, 0.1);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.active, 2);
    double t0 = now_s();
    cw_buf_t got;
    cw_buf_init(&got, 0);
    int rc = cli_read_all(f, partial, &got, 2.0);
    assert_true(rc == 0 || rc == -ECONNRESET);
    assert_int_equal(got.len, 0); /* no response: just dropped */
    rc = cli_read_all(f, silent, &got, 2.0);
    assert_true(rc == 0 || rc == -ECONNRESET);
    assert_true(now_s() - t0 < 0.5);
    close(silent);
    close(partial);
    cw_buf_free(&got);

    /* a dribbling client does not extend its deadline */
    int drip = cli_connect(f->port);
    t0 = now_s();
    const char *req = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    ssize_t sent = 0;
    for (size_t i = 0; req[i] && now_s() - t0 < 1.5; i++) {
        sent = send(drip, req + i, 1, MSG_NOSIGNAL);
        if (sent != 1)
            break;
        pump(f, 0.02);
        stats(f, &s);
        if (s.active == 0)
            break;
    }
    double dt = now_s() - t0;
    assert_int_equal(s.active, 0);
    assert_true(dt > 0.25 && dt < 0.6);
    close(drip);
    stats(f, &s);
    assert_int_equal(s.timed_out, 3);

    /* and a normal client is still served */
    resp_t r;
    get(f, "GET /metrics HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    cw_buf_free(&r.raw);
}

static void test_many_connections(void **state) {
    fx_t *f = *state;
    enum { N = 100 };
    int fds[N], done[N] = {0};
    cw_buf_t bufs[N];
    for (int i = 0; i < N; i++) {
        fds[i] = cli_connect(f->port);
        cw_buf_init(&bufs[i], 0);
        const char *req = i % 2 ? "GET /metrics HTTP/1.1\r\n\r\n" : "HEAD /healthz HTTP/1.1\r\n\r\n";
        cli_send(fds[i], req, strlen(req));
    }
    int left = N, max_active = 0;
    double end = now_s() + 5.0;
    while (left && now_s() < end) {
        ev_run(f->loop, EVRUN_NOWAIT);
        cw_http_stats_t s;
        stats(f, &s);
        if (s.active > max_active)
            max_active = s.active;
        for (int i = 0; i < N; i++) {
            if (done[i])
                continue;
            char buf[1024];
            ssize_t n = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);
            if (n > 0) {
                cw_buf_append(&bufs[i], buf, (size_t)n);
            } else if (n == 0) {
                done[i] = 1;
                left--;
                close(fds[i]);
            }
        }
        usleep(200);
    }
    assert_int_equal(left, 0);
    assert_true(max_active <= CW_HTTP_MAX_CONNS);
    for (int i = 0; i < N; i++) {
        resp_t r = {.raw = bufs[i], .rc = 0};
        resp_parse(&r);
        assert_int_equal(r.status, 200);
        if (i % 2)
            check_framing(&r);
        else
            assert_int_equal(r.body_len, 0); /* HEAD */
        cw_buf_free(&bufs[i]);
    }
    pump(f, 0.01);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.accepted, N);
    assert_int_equal(s.active, 0);
    assert_true(s.cap_reached >= 1);
}

/* All slots held by idle clients: the next client waits in the backlog and
 * is served as soon as a slot frees up. */
static void test_cap_waits_for_slot(void **state) {
    fx_t *f = *state;
    assert_int_equal(cw_http_set_timeout(f->h, 0.4), CW_OK);
    int idle[CW_HTTP_MAX_CONNS + 8];
    for (int i = 0; i < CW_HTTP_MAX_CONNS + 8; i++)
        idle[i] = cli_connect(f->port);
    pump(f, 0.05);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.active, CW_HTTP_MAX_CONNS);
    assert_int_equal(s.accepted, CW_HTTP_MAX_CONNS);

    int fd = cli_connect(f->port);
    cli_send(fd, "GET /healthz HTTP/1.1\r\n\r\n", 25);
    pump(f, 0.1);
    char buf[512];
    assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1); /* not yet */
    cw_buf_t got;
    cw_buf_init(&got, 0);
    double t0 = now_s();
    assert_int_equal(cli_read_all(f, fd, &got, 3.0), 0);
    double dt = now_s() - t0;
    assert_true(dt < 1.5); /* first wave timed out at 0.4 s, second at 0.8 s */
    assert_memory_equal(got.data, "HTTP/1.1 200 OK\r\n", 17);
    cw_buf_free(&got);
    close(fd);
    for (int i = 0; i < CW_HTTP_MAX_CONNS + 8; i++)
        close(idle[i]);
    pump(f, 0.05);
    stats(f, &s);
    assert_int_equal(s.active, 0);
}

static void test_never_reads(void **state) {
    fx_t *f = *state;
    assert_int_equal(cw_http_set_timeout(f->h, 0.4), CW_OK);
    int fd = cli_connect_rcvbuf(f->port, 4096);
    cli_send(fd, "GET /big HTTP/1.1\r\n\r\n", 21);
    pump(f, 0.1);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.active, 1);
    assert_true(s.write_stalls >= 1);
    pump(f, 0.4);
    stats(f, &s);
    assert_int_equal(s.active, 0);
    assert_int_equal(s.timed_out, 1);
    close(fd);
}

static void test_slow_reader_gets_everything(void **state) {
    fx_t *f = *state;
    int fd = cli_connect_rcvbuf(f->port, 4096);
    cli_send(fd, "GET /big?x HTTP/1.1\r\n\r\n", 23);
    resp_t r;
    cw_buf_init(&r.raw, 0);
    r.rc = cli_read_all(f, fd, &r.raw, 4.0);
    close(fd);
    resp_parse(&r);
    assert_int_equal(r.status, 200);
    check_framing(&r);
    assert_int_equal(r.body_len, BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        if (r.body[i] != (char)('a' + i % 26))
            fail_msg("body differs at %zu", i);
    cw_buf_free(&r.raw);
    cw_http_stats_t s;
    stats(f, &s);
    assert_true(s.write_stalls >= 1);
}

static void test_handler_statuses(void **state) {
    fx_t *f = *state;
    resp_t r;
    get(f, "GET /down HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 503);
    check_framing(&r);
    assert_memory_equal(r.raw.data, "HTTP/1.1 503 Service Unavailable\r\n", 34);
    assert_string_equal(r.body, "draining\n");
    cw_buf_free(&r.raw);
    get(f, "GET /weird HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 500);
    check_framing(&r);
    cw_buf_free(&r.raw);
    get(f, "GET /badtype HTTP/1.1\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_null(memmem(r.raw.data, r.raw.len, "X-Injected", 10));
    char v[64];
    assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/plain; charset=utf-8");
    cw_buf_free(&r.raw);
}

static void test_stop_with_open_connections(void **state) {
    fx_t *f = *state;
    int a = cli_connect(f->port);                  /* idle */
    int b = cli_connect_rcvbuf(f->port, 4096);     /* stalled mid-response */
    cli_send(b, "GET /big HTTP/1.1\r\n\r\n", 21);
    int c = cli_connect(f->port);                  /* half a head */
    cli_send(c, "GET /", 5);
    pump(f, 0.05);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.active, 3);
    cw_http_stop(f->h);
    f->h = NULL;
    char buf[4096];
    for (;;) { /* drain b */
        ssize_t n = recv(b, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
    }
    assert_true(recv(a, buf, sizeof(buf), 0) <= 0);
    assert_true(recv(c, buf, sizeof(buf), 0) <= 0);
    close(a);
    close(b);
    close(c);
    cw_http_stop(NULL);
}

/* Out of file descriptors: accepting backs off instead of spinning on a
 * listener it cannot drain, and resumes once descriptors are free. */
static void test_emfile_backoff(void **state) {
    fx_t *f = *state;
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int fd = cli_connect(f->port);
    cli_send(fd, "GET /healthz HTTP/1.1\r\n\r\n", 25);
    low = old;
    low.rlim_cur = (rlim_t)fd + 16;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int fill[64], nfill = 0;
    while (nfill < 64 && (fill[nfill] = dup(0)) >= 0)
        nfill++;
    assert_true(nfill < 64);
    pump(f, 0.35);
    cw_http_stats_t s;
    stats(f, &s);
    assert_int_equal(s.accepted, 0);
    assert_true(s.accept_errors >= 2 && s.accept_errors <= 6); /* ~ every 100 ms */
    for (int i = 0; i < nfill; i++)
        close(fill[i]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    cw_buf_t got;
    cw_buf_init(&got, 0);
    assert_int_equal(cli_read_all(f, fd, &got, 2.0), 0);
    assert_memory_equal(got.data, "HTTP/1.1 200 OK\r\n", 17);
    cw_buf_free(&got);
    close(fd);
    pump(f, 0.01);
}

static int dummy(void *ud, const char *path, cw_buf_t *body, const char **ct) {
    (void)ud, (void)path, (void)body, (void)ct;
    return 200;
}

static void test_start_errors(void **state) {
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    cw_http_t *h = (cw_http_t *)1;
    static const char *const bad[] = {"", "localhost", "127.1", "256.0.0.1", "1.2.3.4 ",
                                      "[::1]", "::1%lo", "::g", "0x7f.0.0.1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cw_http_start(loop, bad[i], 0, dummy, NULL, &h), CW_ERR_INVALID);
        assert_null(h);
    }
    assert_int_equal(cw_http_start(loop, "127.0.0.1", -1, dummy, NULL, &h), CW_ERR_INVALID);
    assert_int_equal(cw_http_start(loop, "127.0.0.1", 65536, dummy, NULL, &h), CW_ERR_INVALID);
    assert_int_equal(cw_http_start(loop, NULL, 0, dummy, NULL, &h), CW_ERR_INVALID);
    assert_int_equal(cw_http_start(loop, "127.0.0.1", 0, NULL, NULL, &h), CW_ERR_INVALID);
    assert_int_equal(cw_http_start(NULL, "127.0.0.1", 0, dummy, NULL, &h), CW_ERR_INVALID);

    assert_int_equal(cw_http_start(loop, "0.0.0.0", 0, dummy, NULL, &h), CW_OK);
    int port = cw_http_port(h);
    assert_true(port > 0 && port < 65536);
    cw_http_t *h2 = NULL;
    errno = 0;
    assert_int_equal(cw_http_start(loop, "127.0.0.1", port, dummy, NULL, &h2), CW_ERR_SYSTEM);
    assert_int_equal(errno, EADDRINUSE);
    assert_null(h2);
    assert_int_equal(cw_http_set_timeout(h, 0), CW_ERR_INVALID);
    assert_int_equal(cw_http_set_timeout(h, -1), CW_ERR_INVALID);
    assert_int_equal(cw_http_set_timeout(h, NAN), CW_ERR_INVALID);
    cw_http_stop(h);

    /* IPv6 loopback, if this host has it */
    cw_err_t err = cw_http_start(loop, "::1", 0, dummy, NULL, &h);
    if (err == CW_ERR_SYSTEM && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
        fprintf(stderr, "# no IPv6 loopback here, skipping that part\n");
    } else {
        assert_int_equal(err, CW_OK);
        assert_true(cw_http_port(h) > 0);
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)cw_http_port(h))};
        sa.sin6_addr = in6addr_loopback;
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        cli_send(fd, "GET / HTTP/1.1\r\n\r\n", 18);
        fx_t tmp = {.loop = loop};
        cw_buf_t got;
        cw_buf_init(&got, 0);
        assert_int_equal(cli_read_all(&tmp, fd, &got, 2.0), 0);
        assert_memory_equal(got.data, "HTTP/1.1 200 OK\r\n", 17);
        cw_buf_free(&got);
        close(fd);
        cw_http_stop(h);
    }
    ev_loop_destroy(loop);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_metrics_200, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_query_stripped, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_not_found_404, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_post_405, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_head_no_body, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_oversized_431, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_garbage_400, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_slow_client_timeout, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_many_connections, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cap_waits_for_slot, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_never_reads, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_slow_reader_gets_everything, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_handler_statuses, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stop_with_open_connections, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_emfile_backoff, fx_setup, fx_teardown),
        cmocka_unit_test(test_start_errors),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
