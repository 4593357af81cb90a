/* cw_otlp.c -- the span exporter thread (the why is in cw_otlp.h). */
#include "cw_otlp.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cw_buf.h"

#define CW_OTLP_EARLY (256u << 10) /* a batch this big is sent without waiting */
#define CW_OTLP_MAX_HEADERS 16

struct cw_otlp {
    cw_otlp_conf_t conf;
    char *url, *service, *version, *instance;
    struct curl_slist *headers;
    CURL *curl;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    /* under mu */
    cw_buf_t batch;   /* encoded spans, comma-separated */
    size_t nbatch;
    cw_otlp_stats_t st;
    /* the thread's own */
    cw_buf_t retry;   /* a batch that failed once */
    size_t nretry;
    cw_buf_t body;
};

/* strdup through our own malloc (allocation-failure tests see it). */
static char *cw_otlp_dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static cw_err_t cw_otlp_headers(cw_otlp_t *o, const char *spec) {
    struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");
    if (!l)
        return CW_ERR_NOMEM;
    o->headers = l;
    if (!spec || !*spec)
        return CW_OK;
    int n = 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || ++n > CW_OTLP_MAX_HEADERS)
            return CW_ERR_INVALID;
        size_t klen = (size_t)(eq - p), vlen = len - klen - 1;
        for (size_t i = 0; i < klen; i++) { /* an HTTP token */
            unsigned char c = (unsigned char)p[i];
            if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?={}", c))
                return CW_ERR_INVALID;
        }
        for (size_t i = 0; i < vlen; i++) {
            unsigned char c = (unsigned char)eq[1 + i];
            if (c < 32 || c == 127)
                return CW_ERR_INVALID;
        }
        char *h = malloc(klen + vlen + 3);
        if (!h)
            return CW_ERR_NOMEM;
        memcpy(h, p, klen);
        memcpy(h + klen, ": ", 2);
        memcpy(h + klen + 2, eq + 1, vlen);
        h[klen + 2 + vlen] = '\0';
        l = curl_slist_append(o->headers, h);
        free(h);
        if (!l)
            return CW_ERR_NOMEM;
        o->headers = l;
        p = end ? end + 1 : p + len;
    }
    return CW_OK;
}

static size_t cw_otlp_discard(char *p, size_t size, size_t n, void *ud) {
    (void)p, (void)ud;
    return size * n; /* the response body is not needed */
}

/* POST one request body.  1 sent, 0 refused (drop), -1 failed on the way (retry). */
static int cw_otlp_post(cw_otlp_t *o, const char *body, size_t len) {
    curl_easy_setopt(o->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(o->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    CURLcode rc = curl_easy_perform(o->curl);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(o->curl, CURLINFO_RESPONSE_CODE, &status);
    int out = rc != CURLE_OK                                                                      ? -1
              : status >= 200 && status < 300                                                     ? 1
              : status == 429 || status == 502 || status == 503 || status == 504 || status == 408 ? -1
                                                                                                  : 0;
    pthread_mutex_lock(&o->mu);
    o->st.requests++;
    if (out != 1)
        o->st.request_errors++;
    pthread_mutex_unlock(&o->mu);
    return out;
}

static void cw_otlp_count(cw_otlp_t *o, uint64_t sent, uint64_t dropped) {
    pthread_mutex_lock(&o->mu);
    o->st.spans_sent += sent;
    o->st.spans_dropped += dropped;
    pthread_mutex_unlock(&o->mu);
}

/* Send `spans` (n of them); a first failure on the way keeps them in retry. */
static void cw_otlp_send(cw_otlp_t *o, const char *spans, size_t len, size_t n, int may_retry) {
    cw_buf_reset(&o->body);
    if (cw_span_request(&o->body, o->service, o->version, o->instance, spans, len) != CW_OK) {
        cw_otlp_count(o, 0, n);
        return;
    }
    int r = cw_otlp_post(o, o->body.data, o->body.len);
    if (r == 1) {
        cw_otlp_count(o, n, 0);
    } else if (r < 0 && may_retry && cw_buf_append(&o->retry, spans, len) == CW_OK) {
        o->nretry = n;
    } else {
        cw_otlp_count(o, 0, n);
    }
}

static void *cw_otlp_main(void *arg) {
    cw_otlp_t *o = arg;
    cw_buf_t mine;
    cw_buf_init(&mine, 0);
    pthread_mutex_lock(&o->mu);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += o->conf.flush_ms / 1000;
        until.tv_nsec += (long)(o->conf.flush_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!o->stop && o->batch.len < CW_OTLP_EARLY) {
            if (pthread_cond_timedwait(&o->cv, &o->mu, &until) == ETIMEDOUT)
                break;
        }
        int stop = o->stop;
        /* Take the batch; the loop goes on filling a fresh one. */
        cw_buf_t tmp = mine;
        mine = o->batch;
        o->batch = tmp;
        cw_buf_reset(&o->batch);
        size_t n = o->nbatch;
        o->nbatch = 0;
        pthread_mutex_unlock(&o->mu);
        if (o->retry.len) {
            size_t rn = o->nretry;
            cw_buf_t r = o->retry;
            cw_buf_init(&o->retry, 0);
            o->nretry = 0;
            cw_otlp_send(o, r.data, r.len, rn, 0);
            cw_buf_free(&r);
        }
        if (mine.len)
            cw_otlp_send(o, mine.data, mine.len, n, !stop);
        cw_buf_reset(&mine);
        pthread_mutex_lock(&o->mu);
        if (stop)
            break;
    }
    pthread_mutex_unlock(&o->mu);
    cw_buf_free(&mine);
    return NULL;
}

static void cw_otlp_destroy(cw_otlp_t *o) {
    if (o->curl)
        curl_easy_cleanup(o->curl);
    curl_slist_free_all(o->headers);
    cw_buf_free(&o->batch);
    cw_buf_free(&o->retry);
    cw_buf_free(&o->body);
    free(o->url);
    free(o->service);
    free(o->version);
    free(o->instance);
    free(o);
}

cw_err_t cw_otlp_new(const cw_otlp_conf_t *conf, cw_otlp_t **out) {
    *out = NULL;
    if (!conf->url || (strncmp(conf->url, "http://", 7) && strncmp(conf->url, "https://", 8)) ||
        conf->flush_ms < 1 || conf->timeout_ms < 1 || !conf->max_bytes)
        return CW_ERR_INVALID;
    cw_otlp_t *o = calloc(1, sizeof(*o));
    if (!o)
        return CW_ERR_NOMEM;
    o->conf = *conf;
    cw_buf_init(&o->batch, conf->max_bytes);
    cw_buf_init(&o->retry, 0);
    cw_buf_init(&o->body, 0);
    o->url = cw_otlp_dup(conf->url);
    o->service = cw_otlp_dup(conf->service ? conf->service : "codeworker");
    o->version = cw_otlp_dup(conf->version ? conf->version : "");
    o->instance = conf->instance ? cw_otlp_dup(conf->instance) : NULL;
    if (!o->url || !o->service || !o->version || (conf->instance && !o->instance)) {
        cw_otlp_destroy(o);
        return CW_ERR_NOMEM;
    }
    cw_err_t err = cw_otlp_headers(o, conf->headers);
    if (err) {
        cw_otlp_destroy(o);
        return err;
    }
    o->curl = curl_easy_init();
    if (!o->curl) {
        cw_otlp_destroy(o);
        return CW_ERR_SYSTEM;
    }
    CURL *c = o->curl;
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, o->headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)conf->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)conf->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* a thread: no SIGALRM for DNS timeouts */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, cw_otlp_discard);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "codeworker");
    if (pthread_mutex_init(&o->mu, NULL)) {
        cw_otlp_destroy(o);
        return CW_ERR_SYSTEM;
    }
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) || pthread_cond_init(&o->cv, &ca)) {
        pthread_mutex_destroy(&o->mu);
        cw_otlp_destroy(o);
        return CW_ERR_SYSTEM;
    }
    pthread_condattr_destroy(&ca);
    if (pthread_create(&o->thread, NULL, cw_otlp_main, o)) {
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        cw_otlp_destroy(o);
        return CW_ERR_SYSTEM;
    }
    *out = o;
    return CW_OK;
}

cw_err_t cw_otlp_add(cw_otlp_t *o, const cw_span_t *s) {
    cw_buf_t one;
    cw_buf_init(&one, o->conf.max_bytes);
    cw_err_t err = cw_span_encode(&one, s);
    if (err) {
        cw_buf_free(&one);
        pthread_mutex_lock(&o->mu);
        o->st.spans_dropped++;
        pthread_mutex_unlock(&o->mu);
        return err;
    }
    pthread_mutex_lock(&o->mu);
    size_t before = o->batch.len;
    if (o->nbatch)
        err = cw_buf_putc(&o->batch, ',');
    if (!err)
        err = cw_buf_append(&o->batch, one.data, one.len);
    if (err) {
        o->batch.len = before;
        if (o->batch.data)
            o->batch.data[before] = '\0';
        o->st.spans_dropped++;
    } else {
        o->nbatch++;
        if (o->batch.len >= CW_OTLP_EARLY)
            pthread_cond_signal(&o->cv);
    }
    pthread_mutex_unlock(&o->mu);
    cw_buf_free(&one);
    return err;
}

void cw_otlp_stats(cw_otlp_t *o, cw_otlp_stats_t *out) {
    pthread_mutex_lock(&o->mu);
    *out = o->st;
    pthread_mutex_unlock(&o->mu);
}

void cw_otlp_free(cw_otlp_t *o) {
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    o->stop = 1;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->thread, NULL);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    cw_otlp_destroy(o);
}
