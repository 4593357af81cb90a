/*
 * fuzz_check.h -- independent oracles shared by the fuzz targets.
 *
 * The fuzz targets must judge what the code under test produced without
 * trusting that same code, so this header carries small, separately written
 * reference implementations:
 *
 *   - a strict RFC 8259 syntax checker.  cJSON cannot be the judge: it
 *     rejects the lone-surrogate escapes (\ud800) that our serializer writes
 *     on purpose and that JSON allows.  The checker also rejects raw bytes
 *     that are not well-formed UTF-8 inside strings, and reports the members
 *     of the top-level object so a target can look at them;
 *   - decoders from bytes and from JSON string literals to UTF-16 code
 *     units, so "the JSON string means the same JavaScript string as the
 *     bytes Duktape held" can be checked exactly, lone surrogates included;
 *   - a tiny cursor over the fuzz input (length-delimited strings that
 *     survive mutation, small integers).
 *
 * Everything is static so each target is one translation unit plus the code
 * under test.  A failed check prints what went wrong and aborts, which
 * libFuzzer reports as a crash and saves the input.
 */
#ifndef CW_FUZZ_CHECK_H
#define CW_FUZZ_CHECK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define CWF_UNUSED __attribute__((unused))
#else
#define CWF_UNUSED
#endif

/* ---- failing ------------------------------------------------------------ */

static CWF_UNUSED void cwf_dump(const char *what, const char *s, size_t n) {
    fprintf(stderr, "  %s (%zu bytes): ", what, n);
    for (size_t i = 0; i < n && i < 600; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, n > 600 ? "...\n" : "\n");
}

__attribute__((noreturn, format(printf, 1, 2))) static void cwf_fail(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "\nFUZZ CHECK FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CWF_CHECK(cond, ...)                                                   \
    do {                                                                       \
        if (!(cond))                                                           \
            cwf_fail(__VA_ARGS__);                                             \
    } while (0)

/* ---- UTF-8 reference decoding ------------------------------------------- */

/* Decode one scalar or surrogate at s[0..n): "generalized" UTF-8 as Duktape
 * stores strings (a surrogate may appear as its own 3-byte form, as in
 * CESU-8).  Returns the sequence length, 0 if the bytes there are not a
 * shortest-form sequence of a code point <= U+10FFFF. */
static CWF_UNUSED size_t cwf_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    static const uint32_t mins[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len;
    uint32_t v;
    if (n == 0)
        return 0;
    if (s[0] <= 0x7f) {
        *cp = s[0];
        return 1;
    } else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, v = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, v = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, v = s[0] & 0x07u;
    } else {
        return 0; /* continuation byte, C0/C1 (always overlong), F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if (s[k] < 0x80 || s[k] > 0xbf)
            return 0;
        v = v << 6 | (s[k] & 0x3fu);
    }
    if (v < mins[len] || v > 0x10ffff)
        return 0;
    *cp = v;
    return len;
}

/* Well-formed UTF-8: every sequence decodes and none is a surrogate. */
static CWF_UNUSED int cwf_utf8_ok(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = cwf_decode(s + i, n - i, &cp);
        if (k == 0 || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k;
    }
    return 1;
}

/* UTF-16 code units, growable. */
typedef struct cwf_u16 {
    uint16_t *u;
    size_t n, cap;
} cwf_u16_t;

static CWF_UNUSED void cwf_u16_put(cwf_u16_t *a, uint32_t cp) {
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->u = realloc(a->u, a->cap * sizeof(uint16_t));
        if (!a->u)
            cwf_fail("out of memory in the harness");
    }
    if (cp >= 0x10000) {
        cp -= 0x10000;
        a->u[a->n++] = (uint16_t)(0xd800 + (cp >> 10));
        a->u[a->n++] = (uint16_t)(0xdc00 + (cp & 0x3ff));
    } else {
        a->u[a->n++] = (uint16_t)cp;
    }
}

static CWF_UNUSED void cwf_u16_free(cwf_u16_t *a) {
    free(a->u);
    a->u = NULL;
    a->n = a->cap = 0;
}

static CWF_UNUSED int cwf_u16_eq(const cwf_u16_t *a, const cwf_u16_t *b) {
    return a->n == b->n && (a->n == 0 || memcmp(a->u, b->u, a->n * sizeof(uint16_t)) == 0);
}

/*
 * What JavaScript string the bytes denote once repaired: each decodable
 * sequence gives its code point (surrogates as single units), every other
 * byte gives U+FFFD.  Returns 1 if no byte needed replacing.
 */
static CWF_UNUSED int cwf_bytes_to_u16(const char *str, size_t n, cwf_u16_t *out) {
    const unsigned char *s = (const unsigned char *)str;
    int clean = 1;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = cwf_decode(s + i, n - i, &cp);
        if (k == 0) {
            cwf_u16_put(out, 0xfffd);
            clean = 0;
            i++;
        } else {
            cwf_u16_put(out, cp);
            i += k;
        }
    }
    return clean;
}

/* ---- strict JSON syntax ------------------------------------------------- */

typedef struct cwf_json {
    const unsigned char *s;
    size_t n, i;
    int depth;
    const char *why; /* first error */
    size_t where;
    /* top-level object members, when the document is an object */
    void (*member)(void *ud, const char *key, size_t klen, const char *val, size_t vlen);
    void *ud;
} cwf_json_t;

static int cwf_json_err(cwf_json_t *j, const char *why) {
    if (!j->why) {
        j->why = why;
        j->where = j->i;
    }
    return 0;
}

static void cwf_json_ws(cwf_json_t *j) {
    while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
                           j->s[j->i] == '\r'))
        j->i++;
}

static int cwf_json_hex4(cwf_json_t *j, uint32_t *v) {
    *v = 0;
    if (j->n - j->i < 4)
        return cwf_json_err(j, "short \\u escape");
    for (int k = 0; k < 4; k++) {
        unsigned char c = j->s[j->i++];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return cwf_json_err(j, "bad hex digit in \\u escape");
    }
    return 1;
}

/* A string literal; appends its UTF-16 units to `out` when given. */
static int cwf_json_string(cwf_json_t *j, cwf_u16_t *out) {
    if (j->i >= j->n || j->s[j->i] != '"')
        return cwf_json_err(j, "expected a string");
    j->i++;
    for (;;) {
        if (j->i >= j->n)
            return cwf_json_err(j, "unterminated string");
        unsigned char c = j->s[j->i];
        if (c == '"') {
            j->i++;
            return 1;
        }
        if (c < 0x20)
            return cwf_json_err(j, "raw control character in a string");
        if (c == '\\') {
            j->i++;
            if (j->i >= j->n)
                return cwf_json_err(j, "unterminated escape");
            uint32_t v;
            switch (j->s[j->i++]) {
            case '"': v = '"'; break;
            case '\\': v = '\\'; break;
            case '/': v = '/'; break;
            case 'b': v = 8; break;
            case 'f': v = 12; break;
            case 'n': v = 10; break;
            case 'r': v = 13; break;
            case 't': v = 9; break;
            case 'u':
                if (!cwf_json_hex4(j, &v))
                    return 0;
                break;
            default:
                return cwf_json_err(j, "unknown escape");
            }
            if (out)
                cwf_u16_put(out, v); /* a surrogate escape is one unit */
            continue;
        }
        uint32_t cp;
        size_t k = cwf_decode(j->s + j->i, j->n - j->i, &cp);
        if (k == 0 || (cp >= 0xd800 && cp <= 0xdfff))
            return cwf_json_err(j, "invalid UTF-8 in a string");
        if (out)
            cwf_u16_put(out, cp);
        j->i += k;
    }
}

static int cwf_json_number(cwf_json_t *j) {
    size_t st = j->i;
    if (j->i < j->n && j->s[j->i] == '-')
        j->i++;
    if (j->i >= j->n)
        return cwf_json_err(j, "truncated number");
    if (j->s[j->i] == '0') {
        j->i++;
    } else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') {
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
    } else {
        return cwf_json_err(j, "bad number");
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return cwf_json_err(j, "no digits after the decimal point");
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return cwf_json_err(j, "no digits in the exponent");
    }
    return j->i > st;
}

static int cwf_json_value(cwf_json_t *j, int top);

static int cwf_json_word(cwf_json_t *j, const char *w) {
    size_t n = strlen(w);
    if (j->n - j->i < n || memcmp(j->s + j->i, w, n) != 0)
        return cwf_json_err(j, "unexpected character");
    j->i += n;
    return 1;
}

static int cwf_json_value(cwf_json_t *j, int top) {
    cwf_json_ws(j);
    if (j->i >= j->n)
        return cwf_json_err(j, "expected a value");
    unsigned char c = j->s[j->i];
    if (c == '"')
        return cwf_json_string(j, NULL);
    if (c == '-' || (c >= '0' && c <= '9'))
        return cwf_json_number(j);
    if (c == 't')
        return cwf_json_word(j, "true");
    if (c == 'f')
        return cwf_json_word(j, "false");
    if (c == 'n')
        return cwf_json_word(j, "null");
    if (c != '[' && c != '{')
        return cwf_json_err(j, "unexpected character");
    if (++j->depth > 20000)
        return cwf_json_err(j, "nested too deeply for the checker");
    j->i++;
    cwf_json_ws(j);
    char close = c == '[' ? ']' : '}';
    if (j->i < j->n && j->s[j->i] == close) {
        j->i++;
        j->depth--;
        return 1;
    }
    for (;;) {
        if (c == '{') {
            cwf_json_ws(j);
            size_t k0 = j->i;
            if (!cwf_json_string(j, NULL))
                return 0;
            size_t k1 = j->i;
            cwf_json_ws(j);
            if (j->i >= j->n || j->s[j->i] != ':')
                return cwf_json_err(j, "expected ':'");
            j->i++;
            cwf_json_ws(j);
            size_t v0 = j->i;
            if (!cwf_json_value(j, 0))
                return 0;
            if (top && j->member)
                j->member(j->ud, (const char *)j->s + k0 + 1, k1 - k0 - 2,
                          (const char *)j->s + v0, j->i - v0);
        } else if (!cwf_json_value(j, 0)) {
            return 0;
        }
        cwf_json_ws(j);
        if (j->i >= j->n)
            return cwf_json_err(j, "unterminated array or object");
        if (j->s[j->i] == ',') {
            j->i++;
            continue;
        }
        if (j->s[j->i] == close) {
            j->i++;
            j->depth--;
            return 1;
        }
        return cwf_json_err(j, "expected ',' or a closing bracket");
    }
}

/*
 * 1 if s[0..n) is exactly one JSON value (whitespace around it allowed).
 * `member`, when given, sees each member of a top-level object: the key's
 * raw bytes between the quotes and the value's text.  On failure *why says
 * what was wrong (may be NULL).
 */
static CWF_UNUSED int cwf_json_doc(const char *s, size_t n,
                                   void (*member)(void *, const char *, size_t, const char *, size_t),
                                   void *ud, const char **why, size_t *where) {
    cwf_json_t j = {.s = (const unsigned char *)s, .n = n, .member = member, .ud = ud};
    int ok = cwf_json_value(&j, 1);
    if (ok) {
        cwf_json_ws(&j);
        if (j.i != n)
            ok = cwf_json_err(&j, "text after the value");
    }
    if (why)
        *why = j.why;
    if (where)
        *where = j.where;
    return ok;
}

/* Decode one JSON string literal (the whole of s[0..n), quotes included). */
static CWF_UNUSED int cwf_json_string_u16(const char *s, size_t n, cwf_u16_t *out) {
    cwf_json_t j = {.s = (const unsigned char *)s, .n = n};
    return cwf_json_string(&j, out) && j.i == n;
}

/* ---- reading the fuzz input --------------------------------------------- */

typedef struct cwf_in {
    const uint8_t *p;
    size_t n;
} cwf_in_t;

static CWF_UNUSED unsigned cwf_u8(cwf_in_t *in) {
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static CWF_UNUSED unsigned cwf_u16le(cwf_in_t *in) {
    unsigned lo = cwf_u8(in);
    return lo | cwf_u8(in) << 8;
}

/*
 * A string of at most `max` bytes, written to a fresh NUL-terminated
 * allocation: bytes up to a single backslash that is not followed by
 * another one ("\\\\" stands for one backslash), so that mutations that
 * insert or delete bytes move field boundaries only locally.
 */
static CWF_UNUSED char *cwf_str(cwf_in_t *in, size_t max, size_t *len) {
    char *d = malloc(max + 1);
    size_t k = 0;
    if (!d)
        cwf_fail("out of memory in the harness");
    while (in->n && k < max) {
        uint8_t c = *in->p++;
        in->n--;
        if (c == '\\' && in->n) {
            if (*in->p != '\\')
                break;
            in->p++;
            in->n--;
        }
        d[k++] = (char)c;
    }
    d[k] = '\0';
    *len = k;
    return d;
}

#endif /* CW_FUZZ_CHECK_H */
