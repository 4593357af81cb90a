/* cw_utf8.c -- UTF-8/CESU-8 repair and JSON string escaping. */
#include "cw_utf8.h"

#include <stdint.h>
#include <stdio.h>

/* Decode one sequence at s[0..n).  Returns its length and stores the code
 * point (surrogates included, as CESU-8 allows); 0 means "invalid byte". */
static size_t cw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

static cw_err_t cw_utf8_put_cp(cw_buf_t *out, uint32_t cp) {
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return cw_buf_append(out, b, n);
}

/* Shared walker: `escape_ascii` selects string-literal escaping of ASCII. */
static cw_err_t cw_utf8_walk(cw_buf_t *out, const char *str, size_t n, int escape_ascii) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    cw_err_t err = CW_OK;
    while (i < n && !err) {
        size_t run = i;
        /* Fast path: copy a run of bytes that need no attention. */
        while (run < n && s[run] >= 0x20 && s[run] < 0x80 &&
               (!escape_ascii || (s[run] != '"' && s[run] != '\\')))
            run++;
        if (run > i) {
            err = cw_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            if (!escape_ascii) {
                err = cw_buf_append(out, s + i, 1);
            } else {
                char esc[8];
                switch (c) {
                case '"': err = cw_buf_puts(out, "\\\""); break;
                case '\\': err = cw_buf_puts(out, "\\\\"); break;
                case '\n': err = cw_buf_puts(out, "\\n"); break;
                case '\r': err = cw_buf_puts(out, "\\r"); break;
                case '\t': err = cw_buf_puts(out, "\\t"); break;
                case '\b': err = cw_buf_puts(out, "\\b"); break;
                case '\f': err = cw_buf_puts(out, "\\f"); break;
                default:
                    snprintf(esc, sizeof(esc), "\\u%04x", c);
                    err = cw_buf_puts(out, esc);
                }
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = cw_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            err = cw_utf8_put_cp(out, 0xFFFD);
            i++;
            continue;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            size_t len2 = i + len < n ? cw_utf8_decode(s + i + len, n - i - len, &lo) : 0;
            if (len2 == 3 && lo >= 0xDC00 && lo <= 0xDFFF) {
                err = cw_utf8_put_cp(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
                i += len + len2;
                continue;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            char esc[16]; /* "\\uXXXX": cp is a 16-bit unit here */
            snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)(cp & 0xFFFFu));
            err = cw_buf_puts(out, esc);
        } else if (escape_ascii && (cp == 0x2028 || cp == 0x2029)) {
            /* Legal in JSON, but not in older JavaScript string literals. */
            char esc[16]; /* "\\uXXXX": cp is a 16-bit unit here */
            snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)(cp & 0xFFFFu));
            err = cw_buf_puts(out, esc);
        } else {
            err = cw_buf_append(out, s + i, len);
        }
        i += len;
    }
    return err;
}

cw_err_t cw_utf8_json_string(cw_buf_t *out, const char *s, size_t n) {
    cw_err_t err = cw_buf_putc(out, '"');
    if (!err)
        err = cw_utf8_walk(out, s, n, 1);
    if (!err)
        err = cw_buf_putc(out, '"');
    return err;
}

cw_err_t cw_utf8_json_text(cw_buf_t *out, const char *s, size_t n) {
    return cw_utf8_walk(out, s, n, 0);
}

int cw_utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = cw_utf8_decode(s + i, n - i, &cp);
        if (len == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

size_t cw_utf8_clip(const char *str, size_t n, size_t max) {
    const unsigned char *s = (const unsigned char *)str;
    if (n <= max)
        return n;
    size_t i = max;
    /* Step back over continuation bytes to the start of the sequence. */
    while (i > 0 && (s[i] & 0xC0) == 0x80 && max - i < 4)
        i--;
    /* Keep a surrogate pair together: a high half right before the cut. */
    if (i >= 3 && s[i - 3] == 0xED && (s[i - 2] & 0xF0) == 0xA0)
        i -= 3;
    return i;
}

size_t cw_utf8_to_utf16(const char *s, size_t n, uint16_t *out) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t k = 0;
    while (p < end) {
        unsigned c = *p++;
        uint32_t v;
        int extra;
        if (c < 0x80) {
            out[k++] = (uint16_t)c;
            continue;
        } else if (c >= 0xc0 && c < 0xe0) {
            v = c & 0x1f, extra = 1;
        } else if (c >= 0xe0 && c < 0xf0) {
            v = c & 0x0f, extra = 2;
        } else if (c >= 0xf0 && c < 0xf8) {
            v = c & 0x07, extra = 3;
        } else {
            out[k++] = 0xfffd;
            continue;
        }
        int got = 0;
        while (got < extra && p < end && (*p & 0xc0) == 0x80)
            v = (v << 6) | (*p++ & 0x3f), got++;
        if (got < extra || v > 0x10ffff) {
            out[k++] = 0xfffd;
        } else if (v >= 0x10000) { /* 4 bytes in, 2 units out */
            v -= 0x10000;
            out[k++] = (uint16_t)(0xd800 + (v >> 10));
            out[k++] = (uint16_t)(0xdc00 + (v & 0x3ff));
        } else {
            out[k++] = (uint16_t)v;
        }
    }
    return k;
}

size_t cw_utf8_from_utf16(const uint16_t *u, size_t n, char *out) {
    unsigned char *b = (unsigned char *)out;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = u[i];
        if (c < 0x80) {
            b[k++] = (unsigned char)c;
        } else if (c < 0x800) {
            b[k++] = (unsigned char)(0xc0 | (c >> 6));
            b[k++] = (unsigned char)(0x80 | (c & 0x3f));
        } else {
            b[k++] = (unsigned char)(0xe0 | (c >> 12));
            b[k++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            b[k++] = (unsigned char)(0x80 | (c & 0x3f));
        }
    }
    return k;
}
