/*
 * cw_json.c -- the strict job-message reader (see cw_json.h for the why).
 *
 * One pass, no recursion: the nesting stack is a bit array (1 = object,
 * 0 = array) grown on demand, so a message of 8 MiB of '[' costs 1 MiB of
 * bits and no C stack.  Top-level keys are decoded once, handed to the
 * callback, and kept (in one arena) so duplicates can be found by sorting
 * at the end: O(n log n) whatever keys an attacker picks, where a hash
 * table could be flooded with colliding keys.
 */
#include "cw_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_utf8.h"

typedef struct cw_jkey {
    size_t off, len; /* in the key arena */
} cw_jkey_t;

typedef struct cw_jr {
    const unsigned char *s;
    size_t n, p;
    const cw_json_opts_t *o;
    cw_json_error_t *e;
    unsigned char *bits; /* nesting stack, one bit per level */
    size_t bits_cap;     /* bytes */
    size_t depth;
    int root_obj;        /* member mode and the top level is an object */
    cw_buf_t key;        /* the current top-level key, decoded */
    cw_buf_t arena;      /* every top-level key, decoded, for the duplicate check */
    cw_jkey_t *keys;
    size_t nkeys, keys_cap;
    const char *member;  /* name of the top-level member being read (NULL: none) */
    size_t member_len;
} cw_jr_t;

/* ---- faults ------------------------------------------------------------- */

static void cw_jr_name(cw_jr_t *r) {
    r->e->member[0] = '\0';
    if (!r->member || memchr(r->member, '\0', r->member_len) || !cw_utf8_valid(r->member, r->member_len))
        return;
    size_t k = cw_utf8_clip(r->member, r->member_len, sizeof(r->e->member) - 1);
    memcpy(r->e->member, r->member, k);
    r->e->member[k] = '\0';
}

/* Depth, UTF-8, duplicates: remembered (first wins), the walk goes on. */
static void cw_jr_soft(cw_jr_t *r, cw_json_fault_t f, size_t at) {
    if (r->e->fault != CW_JSON_FAULT_NONE)
        return;
    r->e->fault = f;
    r->e->at = at;
    cw_jr_name(r);
}

/* Not JSON: overrides a soft fault and stops the walk (returns 0). */
static int cw_jr_hard(cw_jr_t *r, cw_json_fault_t f, const char *what) {
    r->e->fault = f;
    r->e->at = r->p;
    r->e->what = what;
    cw_jr_name(r);
    return 0;
}

/* ---- lexing ------------------------------------------------------------- */

static void cw_jr_ws(cw_jr_t *r) {
    while (r->p < r->n) {
        unsigned char c = r->s[r->p];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->p++;
    }
}

static int cw_jr_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (lead byte >= 0x80),
 * or 0.  wtf8 admits the 3-byte forms of surrogates. */
static size_t cw_jr_utf8_seq(const unsigned char *s, size_t n, int wtf8) {
    unsigned char c = s[0];
#define CW_CONT(i) ((i) < n && (s[i] & 0xC0) == 0x80)
    if (c >= 0xC2 && c <= 0xDF)
        return CW_CONT(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 2)
            return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED && !wtf8)
            hi = 0x9F;
        return s[1] >= lo && s[1] <= hi && CW_CONT(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 2)
            return 0;
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && CW_CONT(2) && CW_CONT(3) ? 4 : 0;
    }
#undef CW_CONT
    return 0;
}

/* r->p is just past the opening quote; on success it is just past the
 * closing one and *esc says whether the body holds escapes. */
static int cw_jr_string(cw_jr_t *r, int *esc) {
    const unsigned char *s = r->s;
    size_t n = r->n, p = r->p;
    *esc = 0;
    for (;;) {
        /* The common case: plain ASCII. */
        while (p < n && s[p] >= 0x20 && s[p] < 0x80 && s[p] != '"' && s[p] != '\\')
            p++;
        if (p >= n) {
            r->p = p;
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unterminated string");
        }
        unsigned char c = s[p];
        if (c == '"') {
            r->p = p + 1;
            return 1;
        }
        if (c == '\\') {
            *esc = 1;
            if (p + 1 >= n) {
                r->p = p;
                return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unterminated string");
            }
            c = s[p + 1];
            if (c == 'u') {
                if (p + 6 > n || !cw_jr_hex(s[p + 2]) || !cw_jr_hex(s[p + 3]) || !cw_jr_hex(s[p + 4]) ||
                    !cw_jr_hex(s[p + 5])) {
                    r->p = p;
                    return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "bad \\u escape");
                }
                p += 6;
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                       c == 't') {
                p += 2;
            } else {
                r->p = p;
                return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "bad escape");
            }
            continue;
        }
        if (c < 0x20) {
            r->p = p;
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "control character in a string");
        }
        size_t k = cw_jr_utf8_seq(s + p, n - p, r->o->wtf8);
        if (k == 0) {
            cw_jr_soft(r, CW_JSON_FAULT_UTF8, p);
            k = 1;
        }
        p += k;
    }
}

static size_t cw_jr_digits(const unsigned char *s, size_t n, size_t p) {
    while (p < n && s[p] >= '0' && s[p] <= '9')
        p++;
    return p;
}

/* Length of the JSON number at s[0..n), or 0. */
static size_t cw_json_number_len(const unsigned char *s, size_t n) {
    size_t p = 0;
    if (p < n && s[p] == '-')
        p++;
    if (p >= n)
        return 0;
    if (s[p] == '0')
        p++;
    else if (s[p] >= '1' && s[p] <= '9')
        p = cw_jr_digits(s, n, p);
    else
        return 0;
    if (p < n && s[p] == '.') {
        size_t q = cw_jr_digits(s, n, p + 1);
        if (q == p + 1)
            return 0;
        p = q;
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < n && (s[p] == '+' || s[p] == '-'))
            p++;
        size_t q = cw_jr_digits(s, n, p);
        if (q == p)
            return 0;
        p = q;
    }
    return p;
}

int cw_json_is_number(const char *s, size_t n) {
    return n > 0 && cw_json_number_len((const unsigned char *)s, n) == n;
}

/* ---- the nesting stack and top-level keys -------------------------------- */

static cw_err_t cw_jr_push(cw_jr_t *r, int obj) {
    size_t d = r->depth; /* index of the new level */
    if ((d >> 3) >= r->bits_cap) {
        size_t cap = r->bits_cap ? r->bits_cap * 2 : 64;
        unsigned char *b = realloc(r->bits, cap);
        if (!b)
            return CW_ERR_NOMEM;
        memset(b + r->bits_cap, 0, cap - r->bits_cap);
        r->bits = b;
        r->bits_cap = cap;
    }
    if (obj)
        r->bits[d >> 3] |= (unsigned char)(1u << (d & 7));
    else
        r->bits[d >> 3] &= (unsigned char)~(1u << (d & 7));
    r->depth = d + 1;
    if (r->depth > r->o->max_depth)
        cw_jr_soft(r, CW_JSON_FAULT_DEPTH, r->p);
    return CW_OK;
}

static int cw_jr_top_is_obj(const cw_jr_t *r) {
    size_t d = r->depth - 1;
    return (r->bits[d >> 3] >> (d & 7)) & 1;
}

static cw_err_t cw_jr_keep_key(cw_jr_t *r) {
    if (r->nkeys == r->keys_cap) {
        size_t cap = r->keys_cap ? r->keys_cap * 2 : 16;
        cw_jkey_t *k = realloc(r->keys, cap * sizeof(*k));
        if (!k)
            return CW_ERR_NOMEM;
        r->keys = k;
        r->keys_cap = cap;
    }
    r->keys[r->nkeys].off = r->arena.len;
    r->keys[r->nkeys].len = r->key.len;
    cw_err_t err = r->key.len ? cw_buf_append(&r->arena, r->key.data, r->key.len) : CW_OK;
    if (!err)
        r->nkeys++;
    return err;
}

/* qsort has no context argument: the entries carry the arena's base. */
typedef struct cw_jkeyp {
    const char *p;
    size_t len, order;
} cw_jkeyp_t;

static int cw_jr_keycmp(const void *a, const void *b) {
    const cw_jkeyp_t *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->p, y->p, m) : 0;
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static cw_err_t cw_jr_duplicates(cw_jr_t *r) {
    if (r->nkeys < 2)
        return CW_OK;
    cw_jkeyp_t *v = malloc(r->nkeys * sizeof(*v));
    if (!v)
        return CW_ERR_NOMEM;
    for (size_t i = 0; i < r->nkeys; i++) {
        v[i].p = r->arena.data ? r->arena.data + r->keys[i].off : "";
        v[i].len = r->keys[i].len;
        v[i].order = i;
    }
    qsort(v, r->nkeys, sizeof(*v), cw_jr_keycmp);
    for (size_t i = 1; i < r->nkeys; i++) {
        if (v[i].len == v[i - 1].len && (v[i].len == 0 || memcmp(v[i].p, v[i - 1].p, v[i].len) == 0)) {
            r->member = v[i].p;
            r->member_len = v[i].len;
            cw_jr_soft(r, CW_JSON_FAULT_DUPLICATE, 0);
            break;
        }
    }
    free(v);
    return CW_OK;
}

/* ---- the walk ----------------------------------------------------------- */

static cw_err_t cw_jr_walk(cw_jr_t *r) {
    const unsigned char *s = r->s;
    size_t n = r->n;
    size_t vstart = 0; /* where the current top-level member's value began */
    cw_err_t err;
    int esc;

    cw_jr_ws(r);
    if (r->p >= n)
        return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "empty text"), CW_OK;
    r->root_obj = r->o->member && s[r->p] == '{';

value:
    cw_jr_ws(r);
    if (r->p >= n)
        return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unexpected end of text"), CW_OK;
    if (r->root_obj && r->depth == 1)
        vstart = r->p;
    switch (s[r->p]) {
    case '{':
    case '[': {
        int obj = s[r->p] == '{';
        if ((err = cw_jr_push(r, obj)))
            return err;
        r->p++;
        cw_jr_ws(r);
        if (r->p < n && s[r->p] == (obj ? '}' : ']')) {
            r->p++;
            r->depth--;
            goto after;
        }
        if (obj)
            goto key;
        goto value;
    }
    case '"':
        r->p++;
        if (!cw_jr_string(r, &esc))
            return CW_OK;
        goto after;
    case 't':
    case 'f':
    case 'n': {
        static const char *const lit[] = {"true", "false", "null"};
        int i = s[r->p] == 't' ? 0 : s[r->p] == 'f' ? 1 : 2;
        size_t k = strlen(lit[i]);
        if (n - r->p < k || memcmp(s + r->p, lit[i], k) != 0)
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unexpected character"), CW_OK;
        r->p += k;
        goto after;
    }
    default: {
        size_t k = cw_json_number_len(s + r->p, n - r->p);
        if (k == 0)
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unexpected character"), CW_OK;
        r->p += k;
        goto after;
    }
    }

key:
    cw_jr_ws(r);
    if (r->p >= n || s[r->p] != '"')
        return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "expected a string key"), CW_OK;
    {
        size_t kstart = ++r->p;
        if (!cw_jr_string(r, &esc))
            return CW_OK;
        if (r->root_obj && r->depth == 1) {
            const char *kb = (const char *)s + kstart;
            size_t kn = r->p - 1 - kstart;
            cw_buf_reset(&r->key);
            if ((err = esc ? cw_json_unescape(kb, kn, &r->key, NULL) : cw_buf_append(&r->key, kb, kn)))
                return err;
            if ((err = cw_jr_keep_key(r)))
                return err;
            r->member = r->key.data ? r->key.data : "";
            r->member_len = r->key.len;
        }
    }
    cw_jr_ws(r);
    if (r->p >= n || s[r->p] != ':')
        return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "expected ':'"), CW_OK;
    r->p++;
    goto value;

after:
    if (r->depth == 0)
        goto end;
    if (r->root_obj && r->depth == 1) {
        unsigned char c = s[vstart];
        cw_json_type_t t = c == '{'   ? CW_JSON_OBJECT
                           : c == '[' ? CW_JSON_ARRAY
                           : c == '"' ? CW_JSON_STRING
                           : c == 't' ? CW_JSON_TRUE
                           : c == 'f' ? CW_JSON_FALSE
                           : c == 'n' ? CW_JSON_NULL
                                      : CW_JSON_NUMBER;
        cw_json_member_t m = {r->member, r->member_len, t, vstart, r->p - vstart};
        if ((err = r->o->member(r->o->ud, &m)))
            return err;
        r->member = NULL;
    }
    cw_jr_ws(r);
    if (r->p >= n)
        return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "unexpected end of text"), CW_OK;
    if (cw_jr_top_is_obj(r)) {
        if (s[r->p] == ',') {
            r->p++;
            goto key;
        }
        if (s[r->p] != '}')
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "expected ',' or '}'"), CW_OK;
    } else {
        if (s[r->p] == ',') {
            r->p++;
            goto value;
        }
        if (s[r->p] != ']')
            return cw_jr_hard(r, CW_JSON_FAULT_SYNTAX, "expected ',' or ']'"), CW_OK;
    }
    r->p++;
    r->depth--;
    goto after;

end:
    cw_jr_ws(r);
    if (r->p < n)
        return cw_jr_hard(r, CW_JSON_FAULT_TRAILING, "bytes after the value"), CW_OK;
    if (r->o->member && !r->root_obj)
        return cw_jr_hard(r, CW_JSON_FAULT_NOT_OBJECT, "not an object"), CW_OK;
    return r->root_obj ? cw_jr_duplicates(r) : CW_OK;
}

cw_err_t cw_json_check(const char *text, size_t len, const cw_json_opts_t *o, cw_json_error_t *err) {
    cw_jr_t r;
    memset(&r, 0, sizeof(r));
    memset(err, 0, sizeof(*err));
    r.s = (const unsigned char *)text;
    r.n = len;
    r.o = o;
    r.e = err;
    cw_buf_init(&r.key, 0);
    cw_buf_init(&r.arena, 0);
    cw_err_t e = cw_jr_walk(&r);
    free(r.bits);
    free(r.keys);
    cw_buf_free(&r.key);
    cw_buf_free(&r.arena);
    if (e == CW_ERR_NOMEM)
        err->fault = CW_JSON_FAULT_NOMEM;
    return e;
}

void cw_json_describe(const cw_json_error_t *e, size_t max_depth, char *buf, size_t n) {
    switch (e->fault) {
    case CW_JSON_FAULT_NONE:
        snprintf(buf, n, "is valid");
        break;
    case CW_JSON_FAULT_SYNTAX:
        snprintf(buf, n, "is not valid JSON (%s at byte %zu)", e->what ? e->what : "syntax error", e->at);
        break;
    case CW_JSON_FAULT_TRAILING:
        snprintf(buf, n, "is not valid JSON (unexpected bytes after the value at byte %zu)", e->at);
        break;
    case CW_JSON_FAULT_NOT_OBJECT:
        snprintf(buf, n, "must be a JSON object");
        break;
    case CW_JSON_FAULT_DEPTH:
        snprintf(buf, n, "is nested more than %zu levels deep; the input nesting limit is %zu", max_depth,
                 max_depth);
        break;
    case CW_JSON_FAULT_UTF8:
        snprintf(buf, n, "contains invalid UTF-8 at byte %zu", e->at);
        break;
    case CW_JSON_FAULT_DUPLICATE:
        snprintf(buf, n, "has the key \"%s\" more than once", e->member);
        break;
    case CW_JSON_FAULT_NOMEM:
        snprintf(buf, n, "could not be read: out of memory");
        break;
    }
}

/* ---- decoding ----------------------------------------------------------- */

static int cw_jhex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t cw_jput(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

cw_err_t cw_json_unescape(const char *s, size_t n, cw_buf_t *out, size_t *lone) {
    /* Decoded, a string body is never longer than its text: reserve once. */
    cw_err_t err = cw_buf_reserve(out, n);
    if (err)
        return err;
    char *o = out->data + out->len;
    size_t i = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        memcpy(o, s + i, run);
        o += run;
        i += run;
        if (i >= n)
            break;
        /* s[i] == '\\', validated by cw_json_check */
        char c = s[i + 1];
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            uint32_t u = (uint32_t)cw_jhex4(s + i + 2);
            i += 6;
            if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
                uint32_t v = (uint32_t)cw_jhex4(s + i + 2);
                if (v >= 0xDC00 && v <= 0xDFFF) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
                    i += 6;
                }
            }
            if (u >= 0xD800 && u <= 0xDFFF && lone)
                (*lone)++;
            o += cw_jput(o, u);
            continue;
        }
        default: *o++ = c; break; /* " \ / */
        }
        i += 2;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return CW_OK;
}

cw_err_t cw_json_to_cesu8(const char *s, size_t n, cw_buf_t *out) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, start = 0;
    cw_err_t err;
    while (i < n) {
        if (u[i] < 0xF0) {
            i++;
            continue;
        }
        if (n - i < 4) /* not from the checker; copy as is */
            break;
        if (i > start && (err = cw_buf_append(out, s + start, i - start)))
            return err;
        uint32_t cp = ((uint32_t)(u[i] & 0x07) << 18) | ((uint32_t)(u[i + 1] & 0x3F) << 12) |
                      ((uint32_t)(u[i + 2] & 0x3F) << 6) | (uint32_t)(u[i + 3] & 0x3F);
        char tmp[6];
        cp -= 0x10000;
        cw_jput(tmp, 0xD800 + (cp >> 10));
        cw_jput(tmp + 3, 0xDC00 + (cp & 0x3FF));
        if ((err = cw_buf_append(out, tmp, 6)))
            return err;
        i += 4;
        start = i;
    }
    return n > start ? cw_buf_append(out, s + start, n - start) : CW_OK;
}

cw_err_t cw_json_minify(const char *s, size_t n, cw_buf_t *out) {
    size_t i = 0, start = 0;
    int in_str = 0;
    cw_err_t err;
    while (i < n) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            i++;
            continue;
        }
        if (c == '"') {
            in_str = 1;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (i > start && (err = cw_buf_append(out, s + start, i - start)))
                return err;
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                i++;
            start = i;
            continue;
        }
        i++;
    }
    return n > start ? cw_buf_append(out, s + start, n - start) : CW_OK;
}
