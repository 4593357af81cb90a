/*
 * cw_buf.h -- a growable byte buffer with a hard size ceiling.
 *
 * Everything that leaves the sandbox is assembled in a cw_buf_t whose `max`
 * is the configured cap, so no hostile job can make the process build an
 * unbounded string: an append past `max` fails with CW_ERR_TOOBIG and leaves
 * the buffer as it was.
 */
#ifndef CW_BUF_H
#define CW_BUF_H

#include <stddef.h>

#include "cw_err.h"

typedef struct cw_buf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* 0 = no ceiling */
} cw_buf_t;

void cw_buf_init(cw_buf_t *b, size_t max);
void cw_buf_free(cw_buf_t *b);
void cw_buf_reset(cw_buf_t *b);
/* Make room for n more bytes (plus the NUL) without changing len. */
cw_err_t cw_buf_reserve(cw_buf_t *b, size_t n);
/* Append n bytes; CW_ERR_TOOBIG past max, CW_ERR_NOMEM on allocation failure. */
cw_err_t cw_buf_append(cw_buf_t *b, const void *p, size_t n);
cw_err_t cw_buf_puts(cw_buf_t *b, const char *s);
cw_err_t cw_buf_putc(cw_buf_t *b, char c);
cw_err_t cw_buf_printf(cw_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (who frees them) and reset the buffer. */
char *cw_buf_steal(cw_buf_t *b, size_t *len);

#endif /* CW_BUF_H */
