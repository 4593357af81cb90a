/*
 * test_span.c -- OTLP/JSON spans (worker/cw_span.h) and the exporter
 * (worker/cw_otlp.h).
 *
 * The encoder is checked byte for byte and through cJSON, with invalid
 * UTF-8 and quotes in names and attributes, against every size cap of its
 * buffer (CW_ERR_TOOBIG, never a partial success) and every allocation
 * failing in turn (linked with --wrap=malloc/realloc/calloc).  The
 * exporter is checked against an HTTP server in this file that answers
 * each request with a status the test picks: 2xx counts the spans as sent,
 * 400 drops them at once, 503 and a closed port are retried once, then
 * dropped; a full batch drops the span and counts it; bad URLs and headers
 * are refused; free() sends what is left.
 */
#include "cw_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cw_otlp.h"
#include "cw_span.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);

static struct {
    unsigned long count, fail_at;
} cw_fault;

static int cw_fault_now(void) {
    if (!cw_fault.fail_at)
        return 0;
    return ++cw_fault.count == cw_fault.fail_at;
}

void *__wrap_malloc(size_t n) { return cw_fault_now() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return cw_fault_now() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t a, size_t b) { return cw_fault_now() ? NULL : __real_calloc(a, b); }

static void cw_sample(cw_span_t *s) {
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 16; i++)
        s->trace_id[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 8; i++) {
        s->span_id[i] = (uint8_t)(i + 1);
        s->parent_id[i] = (uint8_t)(0xf0 + i);
    }
    s->name = "run \"x\"\xff";
    s->kind = CW_SPAN_CONSUMER;
    s->start_ns = 1700000000123456789LL;
    s->end_ns = 1700000000223456789LL;
    s->status = CW_SPAN_ERROR;
    s->status_message = "RUNTIME_ERROR";
    s->attrs[0] = (cw_span_attr_t){"codeworker.job_id", CW_ATTR_STR, "j-1", 0};
    s->attrs[1] = (cw_span_attr_t){"messaging.kafka.offset", CW_ATTR_INT, NULL, -42};
    s->attrs[2] = (cw_span_attr_t){"codeworker.lowered", CW_ATTR_BOOL, NULL, 1};
    s->attrs[3] = (cw_span_attr_t){"left.out", CW_ATTR_STR, NULL, 0};
    s->nattrs = 4;
}

static const char *cw_want =
    "{\"traceId\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\",\"spanId\":\"0102030405060708\","
    "\"parentSpanId\":\"f0f1f2f3f4f5f6f7\",\"name\":\"run \\\"x\\\"\xef\xbf\xbd\",\"kind\":5,"
    "\"startTimeUnixNano\":\"1700000000123456789\",\"endTimeUnixNano\":\"1700000000223456789\","
    "\"attributes\":[{\"key\":\"codeworker.job_id\",\"value\":{\"stringValue\":\"j-1\"}},"
    "{\"key\":\"messaging.kafka.offset\",\"value\":{\"intValue\":\"-42\"}},"
    "{\"key\":\"codeworker.lowered\",\"value\":{\"boolValue\":true}}],"
    "\"status\":{\"code\":2,\"message\":\"RUNTIME_ERROR\"}}";

static void test_encode(void **state) {
    (void)state;
    cw_span_t s;
    cw_sample(&s);
    cw_buf_t b;
    cw_buf_init(&b, 0);
    assert_int_equal(cw_span_encode(&b, &s), CW_OK);
    assert_string_equal(b.data, cw_want);
    /* a root span, no attributes, no status, end before start */
    memset(s.parent_id, 0, 8);
    s.nattrs = 0;
    s.status = CW_SPAN_UNSET;
    s.end_ns = 5;
    s.name = "q";
    cw_buf_reset(&b);
    assert_int_equal(cw_span_encode(&b, &s), CW_OK);
    assert_null(strstr(b.data, "parentSpanId"));
    assert_null(strstr(b.data, "attributes"));
    assert_null(strstr(b.data, "status"));
    assert_non_null(strstr(b.data, "\"endTimeUnixNano\":\"1700000000123456789\""));
    /* the request envelope parses and holds both spans */
    cw_buf_t spans, req;
    cw_buf_init(&spans, 0);
    cw_buf_init(&req, 0);
    assert_int_equal(cw_buf_puts(&spans, cw_want), CW_OK);
    assert_int_equal(cw_buf_putc(&spans, ','), CW_OK);
    assert_int_equal(cw_buf_append(&spans, b.data, b.len), CW_OK);
    assert_int_equal(cw_span_request(&req, "codeworker", "1.2.3", "h:1", spans.data, spans.len), CW_OK);
    cJSON *j = cJSON_Parse(req.data);
    assert_non_null(j);
    cJSON *rs = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "resourceSpans"), 0);
    cJSON *ra = cJSON_GetObjectItem(cJSON_GetObjectItem(rs, "resource"), "attributes");
    assert_int_equal(cJSON_GetArraySize(ra), 3);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ra, 2), "key")->valuestring, "service.instance.id");
    cJSON *sp = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(rs, "scopeSpans"), 0), "spans");
    assert_int_equal(cJSON_GetArraySize(sp), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(sp, 1), "name")->valuestring, "q");
    cJSON_Delete(j);
    cw_buf_free(&spans);
    cw_buf_free(&req);
    cw_buf_free(&b);
}

static void test_encode_caps_and_faults(void **state) {
    (void)state;
    cw_span_t s;
    cw_sample(&s);
    size_t full = strlen(cw_want);
    for (size_t max = 1; max < full; max++) { /* every cap below the size fails */
        cw_buf_t b;
        cw_buf_init(&b, max);
        assert_int_equal(cw_span_encode(&b, &s), CW_ERR_TOOBIG);
        assert_true(b.len <= max);
        cw_buf_free(&b);
    }
    int failures = 0;
    for (unsigned long n = 1; n < 64; n++) {
        cw_buf_t b;
        cw_buf_init(&b, 0);
        cw_fault.count = 0;
        cw_fault.fail_at = n;
        cw_err_t err = cw_span_encode(&b, &s);
        cw_fault.fail_at = 0;
        assert_true(err == CW_OK || err == CW_ERR_NOMEM);
        if (err == CW_OK)
            assert_string_equal(b.data, cw_want);
        else
            failures++;
        cw_buf_free(&b);
    }
    assert_true(failures > 0); /* the injection reached the encoder */
}

static void test_traceparent(void **state) {
    (void)state;
    uint8_t t[16], p[8];
    int sampled = -1;
    const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    assert_int_equal(cw_span_from_traceparent(tp, strlen(tp), t, p, &sampled), CW_OK);
    assert_int_equal(sampled, 1);
    assert_int_equal(t[0], 0x4b);
    assert_int_equal(t[15], 0x36);
    assert_int_equal(p[0], 0x00);
    assert_int_equal(p[7], 0xb7);
    const char *off = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    assert_int_equal(cw_span_from_traceparent(off, strlen(off), t, p, &sampled), CW_OK);
    assert_int_equal(sampled, 0);
    const char *bad[] = {"", "00-xyz", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                         "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                         "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cw_span_from_traceparent(bad[i], strlen(bad[i]), t, p, &sampled), CW_ERR_INVALID);
    assert_int_equal(cw_span_from_traceparent(NULL, 0, t, p, &sampled), CW_ERR_INVALID);
    uint8_t a[8], b[8];
    assert_int_equal(cw_span_random_id(a, 8), CW_OK);
    assert_int_equal(cw_span_random_id(b, 8), CW_OK);
    assert_memory_not_equal(a, b, 8);
}

/* ---- an HTTP server that answers with the status the test sets ---------- */

typedef struct {
    int fd, port;
    int status; /* what to answer */
    int requests;
    size_t last_spans; /* "spanId" occurrences in the last request */
    pthread_mutex_t mu;
    pthread_t th;
    int stop;
} cw_srv_t;

static size_t cw_count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void *cw_srv_main(void *arg) {
    cw_srv_t *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_mutex_lock(&s->mu);
        int stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop) {
            close(c);
            return NULL;
        }
        for (;;) { /* keep-alive: one request after another */
            char *buf = __real_malloc(1 << 20);
            size_t len = 0;
            size_t want = 0;
            int ok = 0;
            while (len < (1u << 20) - 1) {
                ssize_t n = read(c, buf + len, (1u << 20) - 1 - len);
                if (n <= 0)
                    break;
                len += (size_t)n;
                buf[len] = '\0';
                char *h = strstr(buf, "\r\n\r\n");
                if (h && !want) {
                    char *cl = strcasestr(buf, "Content-Length:");
                    want = (size_t)(h + 4 - buf) + (cl ? (size_t)atol(cl + 15) : 0);
                }
                if (want && len >= want) {
                    ok = 1;
                    break;
                }
            }
            if (!ok) {
                free(buf);
                break;
            }
            pthread_mutex_lock(&s->mu);
            s->requests++;
            s->last_spans = cw_count(buf, "\"spanId\"");
            int status = s->status;
            pthread_mutex_unlock(&s->mu);
            free(buf);
            char resp[200];
            int n = snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}",
                             status);
            if (write(c, resp, (size_t)n) != n)
                break;
        }
        close(c);
    }
}

static void cw_srv_start(cw_srv_t *s, int status) {
    memset(s, 0, sizeof(*s));
    s->status = status;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(pthread_create(&s->th, NULL, cw_srv_main, s), 0);
}

static void cw_srv_stop(cw_srv_t *s) {
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
    pthread_mutex_destroy(&s->mu);
}

static void cw_srv_set(cw_srv_t *s, int status) {
    pthread_mutex_lock(&s->mu);
    s->status = status;
    pthread_mutex_unlock(&s->mu);
}

static int cw_srv_requests(cw_srv_t *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static cw_otlp_t *cw_exporter(int port, size_t max_bytes) {
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/traces", port);
    cw_otlp_conf_t c = {.url = url, .headers = "x-api-key=abc", .service = "codeworker", .version = "t",
                        .flush_ms = 20, .timeout_ms = 2000, .max_bytes = max_bytes};
    cw_otlp_t *o = NULL;
    assert_int_equal(cw_otlp_new(&c, &o), CW_OK);
    return o;
}

/* Wait (bounded) until the exporter has made `n` requests. */
static void cw_wait_requests(cw_otlp_t *o, uint64_t n) {
    for (int i = 0; i < 500; i++) {
        cw_otlp_stats_t st;
        cw_otlp_stats(o, &st);
        if (st.requests >= n)
            return;
        usleep(10000);
    }
}

static void test_export(void **state) {
    (void)state;
    cw_srv_t srv;
    cw_srv_start(&srv, 200);
    cw_otlp_t *o = cw_exporter(srv.port, 1 << 20);
    cw_span_t s;
    cw_sample(&s);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_wait_requests(o, 1);
    cw_otlp_stats_t st;
    for (int i = 0; i < 500; i++) { /* the counters follow the response */
        cw_otlp_stats(o, &st);
        if (st.spans_sent == 3)
            break;
        usleep(10000);
    }
    assert_int_equal(st.spans_sent, 3);
    assert_int_equal(st.spans_dropped, 0);
    assert_int_equal(st.request_errors, 0);
    pthread_mutex_lock(&srv.mu);
    assert_int_equal(srv.last_spans, 3);
    pthread_mutex_unlock(&srv.mu);

    /* refused (400): dropped at once, not retried */
    cw_srv_set(&srv, 400);
    int before = cw_srv_requests(&srv);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_wait_requests(o, 2);
    usleep(200000); /* ten flush periods: a retry would have happened */
    cw_otlp_stats(o, &st);
    assert_int_equal(st.spans_dropped, 1);
    assert_int_equal(cw_srv_requests(&srv), before + 1);

    /* unavailable (503): sent once more with the next flush, then dropped */
    cw_srv_set(&srv, 503);
    before = cw_srv_requests(&srv);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_wait_requests(o, 4);
    usleep(200000);
    cw_otlp_stats(o, &st);
    assert_int_equal(cw_srv_requests(&srv), before + 2);
    assert_int_equal(st.spans_dropped, 3);
    /* unavailable once, then back: the retry delivers */
    cw_srv_set(&srv, 503);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_wait_requests(o, 5);
    cw_srv_set(&srv, 200);
    cw_wait_requests(o, 6);
    usleep(100000);
    cw_otlp_stats(o, &st);
    assert_int_equal(st.spans_sent, 4);
    assert_int_equal(st.spans_dropped, 3);

    /* free() sends what is queued */
    uint64_t sent = st.spans_sent;
    cw_otlp_free(o);
    o = cw_exporter(srv.port, 1 << 20);
    (void)sent;
    before = cw_srv_requests(&srv);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_otlp_free(o);
    assert_true(cw_srv_requests(&srv) >= before + 1);
    cw_srv_stop(&srv);
}

static void test_export_limits(void **state) {
    (void)state;
    cw_srv_t srv;
    cw_srv_start(&srv, 200);
    /* a batch of 64 KiB takes about 120 of these spans; the rest are dropped */
    cw_otlp_t *o = cw_exporter(srv.port, 65536);
    cw_span_t s;
    cw_sample(&s);
    cw_srv_set(&srv, 200);
    int dropped = 0;
    for (int i = 0; i < 2000; i++)
        if (cw_otlp_add(o, &s) == CW_ERR_TOOBIG)
            dropped++;
    cw_otlp_stats_t st;
    cw_otlp_stats(o, &st);
    assert_true(st.spans_dropped >= (uint64_t)dropped);
    cw_otlp_free(o);
    cw_srv_stop(&srv);

    /* nobody listening: the requests fail, the spans are dropped, nothing blocks */
    int port;
    {
        cw_srv_t tmp;
        cw_srv_start(&tmp, 200);
        port = tmp.port;
        cw_srv_stop(&tmp);
    }
    o = cw_exporter(port, 1 << 20);
    assert_int_equal(cw_otlp_add(o, &s), CW_OK);
    cw_wait_requests(o, 2);
    cw_otlp_stats(o, &st);
    assert_true(st.request_errors >= 2);
    assert_int_equal(st.spans_dropped, 1);
    assert_int_equal(st.spans_sent, 0);
    cw_otlp_free(o);

    /* configuration the exporter refuses */
    cw_otlp_conf_t c = {.url = "ftp://127.0.0.1/", .flush_ms = 10, .timeout_ms = 10, .max_bytes = 100};
    assert_int_equal(cw_otlp_new(&c, &o), CW_ERR_INVALID);
    c.url = "http://127.0.0.1:1/v1/traces";
    const char *bad[] = {"novalue", "=x", "a b=c", "a=\n", "a:b=c"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        c.headers = bad[i];
        assert_int_equal(cw_otlp_new(&c, &o), CW_ERR_INVALID);
    }
    c.headers = "authorization=Bearer x,x-a=1";
    assert_int_equal(cw_otlp_new(&c, &o), CW_OK);
    cw_otlp_free(o);
    c.max_bytes = 0;
    assert_int_equal(cw_otlp_new(&c, &o), CW_ERR_INVALID);
    cw_otlp_free(NULL);
}

static void test_new_faults(void **state) {
    (void)state;
    /* every allocation of cw_otlp_new failing in turn: NOMEM or SYSTEM, no leak */
    int failures = 0;
    for (unsigned long n = 1; n < 400; n++) {
        cw_otlp_conf_t c = {.url = "http://127.0.0.1:1/v1/traces", .headers = "a=b,c=d", .service = "s",
                            .version = "v", .instance = "i", .flush_ms = 10, .timeout_ms = 10, .max_bytes = 100};
        cw_otlp_t *o = NULL;
        cw_fault.count = 0;
        cw_fault.fail_at = n;
        cw_err_t err = cw_otlp_new(&c, &o);
        cw_fault.fail_at = 0;
        if (err == CW_OK) {
            cw_otlp_free(o);
            if (cw_fault.count < n)
                break; /* past the last allocation */
            continue;
        }
        assert_true(err == CW_ERR_NOMEM || err == CW_ERR_SYSTEM);
        assert_null(o);
        failures++;
    }
    assert_true(failures > 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),         cmocka_unit_test(test_encode_caps_and_faults),
        cmocka_unit_test(test_traceparent),    cmocka_unit_test(test_export),
        cmocka_unit_test(test_export_limits),  cmocka_unit_test(test_new_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
