/* cw_chan.c -- supervisor/executor frames over a socketpair. */
#include "cw_chan.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int cw_chan_cmd_known(uint32_t cmd) {
    return cmd == CW_CHAN_READY || cmd == CW_CHAN_JOB || cmd == CW_CHAN_START ||
           cmd == CW_CHAN_RESULT || cmd == CW_CHAN_RETIRE || cmd == CW_CHAN_JOB_CANCELLED;
}

cw_err_t cw_chan_writev(int fd, uint32_t cmd, const struct iovec *parts, int n) {
    struct iovec iov[CW_CHAN_MAX_PARTS + 1];
    size_t total = 0;
    if (n < 0 || n > CW_CHAN_MAX_PARTS)
        return CW_ERR_INVALID;
    for (int k = 0; k < n; k++)
        total += parts[k].iov_len;
    if (total > UINT32_MAX)
        return CW_ERR_TOOBIG;
    cw_chan_hdr_t h = {cmd, (uint32_t)total};
    iov[0].iov_base = &h;
    iov[0].iov_len = sizeof(h);
    for (int k = 0; k < n; k++)
        iov[k + 1] = parts[k];
    int cnt = n + 1, i = 0;
    while (i < cnt) {
        if (iov[i].iov_len == 0) {
            i++;
            continue;
        }
        ssize_t w = writev(fd, iov + i, cnt - i);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return CW_ERR_IO;
        }
        size_t left = (size_t)w;
        while (i < cnt && left >= iov[i].iov_len) {
            left -= iov[i].iov_len;
            iov[i].iov_len = 0;
            i++;
        }
        if (i < cnt) {
            iov[i].iov_base = (char *)iov[i].iov_base + left;
            iov[i].iov_len -= left;
        }
    }
    return CW_OK;
}

cw_err_t cw_chan_write(int fd, uint32_t cmd, const void *a, size_t alen, const void *b, size_t blen) {
    struct iovec parts[2] = {{(void *)a, alen}, {(void *)b, blen}};
    return cw_chan_writev(fd, cmd, parts, 2);
}

static cw_err_t cw_chan_read_full(int fd, void *p, size_t n, int at_start) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return CW_ERR_IO;
        }
        if (r == 0)
            return got == 0 && at_start ? CW_ERR_EOF : CW_ERR_PROTO;
        got += (size_t)r;
    }
    return CW_OK;
}

cw_err_t cw_chan_read(int fd, size_t max, uint32_t *cmd, cw_buf_t *payload) {
    cw_chan_hdr_t h;
    cw_err_t err = cw_chan_read_full(fd, &h, sizeof(h), 1);
    if (err)
        return err;
    if (!cw_chan_cmd_known(h.cmd))
        return CW_ERR_PROTO;
    if (h.len > max)
        return CW_ERR_TOOBIG;
    cw_buf_reset(payload);
    err = cw_buf_reserve(payload, h.len);
    if (err)
        return err;
    err = cw_chan_read_full(fd, payload->data, h.len, 0);
    if (err)
        return err;
    payload->len = h.len;
    payload->data[h.len] = '\0';
    *cmd = h.cmd;
    return CW_OK;
}

cw_err_t cw_chan_frame(cw_buf_t *out, uint32_t cmd, const void *p, size_t len) {
    if (len > UINT32_MAX)
        return CW_ERR_TOOBIG;
    cw_chan_hdr_t h = {cmd, (uint32_t)len};
    cw_err_t err = cw_buf_append(out, &h, sizeof(h));
    if (!err)
        err = cw_buf_append(out, p, len);
    return err;
}

void cw_chan_reader_init(cw_chan_reader_t *r, size_t max) {
    cw_buf_init(&r->in, 0);
    r->max = max;
}

void cw_chan_reader_free(cw_chan_reader_t *r) { cw_buf_free(&r->in); }

cw_err_t cw_chan_reader_fill(cw_chan_reader_t *r, int fd) {
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n > 0) {
            cw_err_t err = cw_buf_append(&r->in, chunk, (size_t)n);
            if (err)
                return err;
            if ((size_t)n < sizeof(chunk))
                return CW_OK;
            continue;
        }
        if (n == 0)
            return CW_ERR_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return CW_OK;
        return CW_ERR_IO;
    }
}

cw_err_t cw_chan_reader_next(cw_chan_reader_t *r, uint32_t *cmd, const char **payload, size_t *len) {
    if (r->in.len < sizeof(cw_chan_hdr_t))
        return CW_ERR_AGAIN;
    cw_chan_hdr_t h;
    memcpy(&h, r->in.data, sizeof(h));
    if (!cw_chan_cmd_known(h.cmd) || h.len > r->max)
        return CW_ERR_PROTO;
    if (r->in.len - sizeof(h) < h.len)
        return CW_ERR_AGAIN;
    *cmd = h.cmd;
    *payload = r->in.data + sizeof(h);
    *len = h.len;
    return CW_OK;
}

void cw_chan_reader_pop(cw_chan_reader_t *r) {
    cw_chan_hdr_t h;
    if (r->in.len < sizeof(h))
        return;
    memcpy(&h, r->in.data, sizeof(h));
    size_t n = sizeof(h) + h.len;
    if (n > r->in.len)
        n = r->in.len;
    memmove(r->in.data, r->in.data + n, r->in.len - n);
    r->in.len -= n;
    r->in.data[r->in.len] = '\0';
}
