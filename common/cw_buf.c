/* cw_buf.c -- growable byte buffer with a ceiling. */
#include "cw_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cw_buf_init(cw_buf_t *b, size_t max) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void cw_buf_free(cw_buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void cw_buf_reset(cw_buf_t *b) {
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

cw_err_t cw_buf_reserve(cw_buf_t *b, size_t n) {
    if (n > ((size_t)-1) / 2 - b->len)
        return CW_ERR_TOOBIG;
    if (b->max && b->len + n > b->max)
        return CW_ERR_TOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return CW_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        return CW_ERR_NOMEM;
    b->data = d;
    b->cap = cap;
    return CW_OK;
}

cw_err_t cw_buf_append(cw_buf_t *b, const void *p, size_t n) {
    cw_err_t err = cw_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CW_OK;
}

cw_err_t cw_buf_puts(cw_buf_t *b, const char *s) { return cw_buf_append(b, s, strlen(s)); }

cw_err_t cw_buf_putc(cw_buf_t *b, char c) { return cw_buf_append(b, &c, 1); }

cw_err_t cw_buf_printf(cw_buf_t *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return CW_ERR_INVALID;
    if ((size_t)n < sizeof(small))
        return cw_buf_append(b, small, (size_t)n);
    cw_err_t err = cw_buf_reserve(b, (size_t)n);
    if (err)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CW_OK;
}

char *cw_buf_steal(cw_buf_t *b, size_t *len) {
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
