/*
 * cw_regexp.c -- the natives under the heap's RegExp.
 *
 * Why: Duktape's own regular expressions are ES5 (no named groups,
 * lookbehind, \p{..}, u/s/y/d/v flags) and its matcher recurses on the C
 * stack, so `(x|y)+z` on a few thousand characters dies with "regexp
 * executor recursion limit".  The heap's RegExp is instead JavaScript
 * (worker/runtime/polyfills/regexp.js) over the regress engine
 * (worker/lower/src/regex.rs, C interface cw_regex.h), whose backtracking
 * state lives on the heap.
 *
 * What the heap holds: a RegExp object is its source and flags.  The
 * compiled pattern lives in a cache here, keyed by flags and source bytes,
 * and owned by the executor (or, when the caller gives none, by the heap
 * through a finalizer), so a heap image never points into memory that a
 * restore could leave dangling, and a regex literal evaluated in a loop
 * compiles once.
 *
 * Strings: Duktape stores strings as CESU-8 (a surrogate pair is two 3-byte
 * sequences, so one Duktape character is one UTF-16 code unit); strings made
 * from UTF-8 may also hold 4-byte sequences.  The subject is decoded to
 * UTF-16 once and kept in the heap stash for as long as the same string is
 * matched again (a `while (re.exec(s))` loop decodes once).  Indices are
 * UTF-16 indices, as in V8.  Substrings are cut from the original string
 * when every character is a single code unit, else encoded from UTF-16.
 *
 * Time: the job's deadline is checked after every match attempt.  Over an
 * ASCII subject, patterns without backreferences or lookaround (and whose
 * quantified groups cannot tell the difference, see regex_linear.rs) run on
 * linear-time automata, so `/(a+)+$/` is fast.  A backtracking attempt
 * has no hook of its own (regress has none), so it runs as an
 * interruptible computation (cw_interrupt.h): the deadline's signal stops
 * it, and `/^(a+)+\1$/` on 40 characters ends as TIMEOUT on time, with
 * the job's logs.
 *
 * Natives, on rt.re (rt reaches polyfill groups only):
 *   compile(source, flags)            -> names of the capturing groups
 *                                        (undefined for unnamed); throws
 *                                        SyntaxError
 *   exec(source, flags, s, i, mode)   -> mode 0: index of the leftmost match
 *                                        at or after i, or -1 (rt.re.end gets
 *                                        its end); mode 1: the exec() result
 *                                        array or null; mode 3: also
 *                                        `indices` (the d flag)
 *   replace(source, flags, s, template, global, unicode)
 *                                     -> s with the matches replaced by the
 *                                        template ($&, $1, $<name>, ...)
 *   all(source, flags, s, unicode)    -> every match (the g flag), or null
 *   split(source, flags, s, lim, unicode) -> the pieces and captures
 *   (these three are what the String methods amount to when the RegExp's
 *   exec is the built-in one: the polyfill calls them only then)
 *   slot                              -> a hidden key for the polyfill's
 *                                        internal slots
 */
#include "cw_regexp.h"
#include "cw_utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cw_interrupt.h"
#include "cw_sandbox.h"
#include "cw_regex.h"

/* Patterns longer than this (code units) are a SyntaxError. */
#define CW_RE_MAX_PATTERN (1u << 20)
/* Compiled patterns live outside the job's capped heap: the cache holds at
 * most this many pattern code units in all (a new pattern that would pass
 * it empties the cache first), so no job can grow the executor without
 * bound by compiling many large patterns. */
#define CW_RE_CACHE_UNITS (1u << 20)

#define CW_RE_STASH_SUBJECT "cwReSubject"
#define CW_RE_STASH_UTF16 "cwReUtf16"
#define CW_RE_STASH_BMP "cwReBmp"

typedef struct cw_regexp_entry {
    uint64_t hash;
    char *key; /* flags, NUL, source bytes */
    size_t klen;
    size_t units; /* the pattern's length in code units */
    cw_re_t *re;
} cw_regexp_entry_t;

struct cw_regexp_cache {
    cw_regexp_entry_t *e;
    size_t n, next;
    size_t hot; /* the entry found last: a pattern in a loop is found first */
    size_t units; /* code units of all cached patterns */
};

cw_err_t cw_regexp_cache_new(size_t max_entries, cw_regexp_cache_t **out) {
    *out = NULL;
    cw_regexp_cache_t *c = calloc(1, sizeof(*c));
    if (!c)
        return CW_ERR_NOMEM;
    c->n = max_entries ? max_entries : 1;
    c->e = calloc(c->n, sizeof(*c->e));
    if (!c->e) {
        free(c);
        return CW_ERR_NOMEM;
    }
    *out = c;
    return CW_OK;
}

void cw_regexp_cache_free(cw_regexp_cache_t *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key);
        cw_re_free(c->e[i].re);
    }
    free(c->e);
    free(c);
}

static uint64_t cw_re_fnv(const char *a, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)a[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- strings ------------------------------------------------------------- */

/* Decode Duktape's internal string bytes to UTF-16.  `out` holds at least
 * `n` units (a string never has more code units than bytes... except for
 * 4-byte sequences, which take 2 units for 4 bytes).  Returns the unit
 * count; *bmp is cleared when a character was not a single code unit. */
static size_t cw_re_decode(const unsigned char *s, size_t n, uint16_t *out, int *bmp) {
    size_t i = 0, k = 0;
    *bmp = 1 | 2;
    while (i < n) {
        unsigned b = s[i];
        if (b >= 0x80)
            *bmp &= ~2;
        if (b < 0x80) {
            out[k++] = (uint16_t)b;
            i++;
        } else if (b >= 0xC0 && b < 0xE0 && i + 1 < n) {
            out[k++] = (uint16_t)(((b & 0x1F) << 6) | (s[i + 1] & 0x3F));
            i += 2;
        } else if (b >= 0xE0 && b < 0xF0 && i + 2 < n) {
            out[k++] = (uint16_t)(((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F));
            i += 3;
        } else if (b >= 0xF0 && b < 0xF8 && i + 3 < n) {
            uint32_t cp = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                          (s[i + 3] & 0x3Fu);
            if (cp >= 0x10000 && cp <= 0x10FFFF) {
                cp -= 0x10000;
                out[k++] = (uint16_t)(0xD800 + (cp >> 10));
                out[k++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
            } else {
                out[k++] = 0xFFFD;
            }
            *bmp = 0;
            i += 4;
        } else { /* Duktape's 5..7-byte forms or a cut sequence */
            out[k++] = 0xFFFD;
            *bmp = 0;
            i++;
            while (i < n && (s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    return k;
}

/* Push a buffer with the string at `idx` decoded to UTF-16; returns it. */
static uint16_t *cw_re_decode_push(duk_context *ctx, duk_idx_t idx, size_t *n, int *bmp) {
    duk_size_t blen;
    const unsigned char *s = (const unsigned char *)duk_get_lstring(ctx, idx, &blen);
    /* At most one unit per byte: a 4-byte sequence gives two units. */
    duk_push_dynamic_buffer(ctx, blen * sizeof(uint16_t));
    duk_size_t bl;
    uint16_t *tmp = duk_get_buffer_data(ctx, -1, &bl);
    size_t k = blen ? cw_re_decode(s, blen, tmp, bmp) : 0;
    if (!blen)
        *bmp = 1 | 2;
    duk_resize_buffer(ctx, -1, k * sizeof(uint16_t));
    *n = k;
    return duk_get_buffer_data(ctx, -1, &bl);
}

/* The string at `idx` as UTF-16, cached in the stash while the same string
 * is matched again (the stash keeps the buffer alive). */
static const uint16_t *cw_re_subject(duk_context *ctx, duk_idx_t idx, size_t *n, int *bmp) {
    idx = duk_require_normalize_index(ctx, idx);
    void *hs = duk_get_heapptr(ctx, idx);
    duk_push_heap_stash(ctx);
    if (duk_get_prop_string(ctx, -1, CW_RE_STASH_SUBJECT) && duk_get_heapptr(ctx, -1) == hs) {
        duk_pop(ctx);
        duk_get_prop_string(ctx, -1, CW_RE_STASH_UTF16);
        duk_size_t bl;
        const uint16_t *u = duk_get_buffer_data(ctx, -1, &bl);
        duk_pop(ctx);
        duk_get_prop_string(ctx, -1, CW_RE_STASH_BMP);
        *bmp = duk_get_int(ctx, -1);
        duk_pop_2(ctx);
        *n = bl / sizeof(uint16_t);
        return u;
    }
    duk_pop(ctx);
    const uint16_t *u = cw_re_decode_push(ctx, idx, n, bmp);
    duk_put_prop_string(ctx, -2, CW_RE_STASH_UTF16);
    duk_dup(ctx, idx);
    duk_put_prop_string(ctx, -2, CW_RE_STASH_SUBJECT);
    duk_push_int(ctx, *bmp);
    duk_put_prop_string(ctx, -2, CW_RE_STASH_BMP);
    duk_pop(ctx);
    return u;
}

/* fn(arg) as an interruptible computation (cw_interrupt.h); stopped by the
 * deadline, the job is timed out from now on and this throws (whatever fn
 * was building is abandoned with the executor, which retires). */
static int cw_re_interruptible(duk_context *ctx, int (*fn)(void *), void *arg) {
    int rc;
    if (cw_intr_call(fn, arg, &rc) == CW_INTR_STOPPED) {
        duk_memory_functions f;
        duk_get_memory_functions(ctx, &f);
        cw_sandbox_stop_now(f.udata);
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "execution timeout");
    }
    return rc;
}

/* One match attempt, as the engine's interruptible computation
 * (cw_interrupt.h): nothing but the compiled pattern and the subject's
 * units is touched, and no Duktape call is made. */
typedef struct {
    cw_re_t *re;
    const uint8_t *ascii; /* the subject's bytes when it is ASCII, else NULL */
    const uint16_t *u;
    size_t n, ascii_len, pos;
} cw_re_attempt_t;

static int cw_re_attempt(void *arg) {
    const cw_re_attempt_t *a = arg;
    if (a->ascii) {
        int rc = cw_re_exec_ascii(a->re, a->ascii, a->ascii_len, a->pos);
        if (rc != -2)
            return rc;
    }
    return cw_re_exec(a->re, a->u, a->n, a->pos);
}

/* One match attempt from `pos`: over an ASCII subject (its bytes are its
 * UTF-16 units) with the pattern's linear-time matcher when it has one,
 * else with the backtracker.  The job's deadline can stop it midway: the
 * job then ends as TIMEOUT (and the executor retires, cw_interrupt.h). */
static int cw_re_run(duk_context *ctx, cw_re_t *re, duk_idx_t subj, const uint16_t *u, int bmp, size_t n, size_t pos) {
    cw_re_attempt_t a = {re, NULL, u, n, 0, pos};
    if (bmp & 2) {
        duk_size_t bl;
        a.ascii = (const uint8_t *)duk_get_lstring(ctx, subj, &bl);
        a.ascii_len = bl;
    }
    return cw_re_interruptible(ctx, cw_re_attempt, &a);
}

/* Push UTF-16 units as a Duktape string (CESU-8). */
static void cw_re_push_utf16(duk_context *ctx, const uint16_t *u, size_t n) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += u[i] < 0x80 ? 1 : u[i] < 0x800 ? 2 : 3;
    unsigned char *p = duk_push_fixed_buffer(ctx, bytes ? bytes : 1);
    size_t k = cw_utf8_from_utf16(u, n, (char *)p);
    duk_push_lstring(ctx, (const char *)p, k);
    duk_remove(ctx, -2);
}

/* ---- compiled patterns ------------------------------------------------- */

static cw_regexp_cache_t *cw_re_cache(duk_context *ctx) {
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, "\xff" "cache");
    cw_regexp_cache_t *c = duk_get_pointer(ctx, -1);
    duk_pop_2(ctx);
    return c;
}

/* Compiling, as an interruptible computation (cw_interrupt.h). */
typedef struct {
    const uint16_t *pat;
    size_t n;
    const char *flags;
    cw_re_t **out;
} cw_re_compiling_t;

static int cw_re_compile_step(void *arg) {
    const cw_re_compiling_t *c = arg;
    return cw_re_compile(c->pat, c->n, c->flags, c->out);
}

/* The compiled pattern for (source at src_idx, flags at flags_idx), from the
 * cache or compiled now (and cached); throws SyntaxError. */
static cw_re_t *cw_re_get(duk_context *ctx, duk_idx_t src_idx, duk_idx_t flags_idx) {
    cw_regexp_cache_t *c = cw_re_cache(ctx);
    duk_size_t sl, fl;
    const char *src = duk_require_lstring(ctx, src_idx, &sl);
    const char *flags = duk_require_lstring(ctx, flags_idx, &fl);
    if (fl > 16 || strlen(flags) != fl)
        (void)duk_error(ctx, DUK_ERR_SYNTAX_ERROR, "Invalid regular expression flags");
    uint64_t h = cw_re_fnv(src, sl, cw_re_fnv(flags, fl + 1, 1469598103934665603ULL));
    size_t klen = fl + 1 + sl;
    for (size_t k = 0; k < c->n; k++) {
        size_t i = (c->hot + k) % c->n;
        cw_regexp_entry_t *e = &c->e[i];
        if (e->re && e->hash == h && e->klen == klen && memcmp(e->key, flags, fl + 1) == 0 &&
            memcmp(e->key + fl + 1, src, sl) == 0) {
            c->hot = i;
            return e->re;
        }
    }
    size_t n;
    int bmp;
    src_idx = duk_require_normalize_index(ctx, src_idx);
    const uint16_t *pat = cw_re_decode_push(ctx, src_idx, &n, &bmp); /* popped below */
    if (n > CW_RE_MAX_PATTERN)
        (void)duk_error(ctx, DUK_ERR_SYNTAX_ERROR, "Invalid regular expression: pattern too large");
    char *key = malloc(klen);
    if (!key)
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "out of memory compiling a regular expression");
    memcpy(key, flags, fl + 1);
    memcpy(key + fl + 1, src, sl);
    cw_re_t *re = NULL;
    cw_re_compiling_t cc = {pat, n, flags, &re};
    /* Compiling is as much the engine's work as matching: a pattern of tens
     * of thousands of groups takes seconds. */
    int rc = cw_re_interruptible(ctx, cw_re_compile_step, &cc);
    if (rc != 0) {
        free(key);
        char msg[256];
        const char *why = rc == 1 ? cw_re_error(re) : NULL;
        snprintf(msg, sizeof(msg), "%s", why ? why : "cannot compile");
        cw_re_free(re);
        duk_push_error_object(ctx, DUK_ERR_SYNTAX_ERROR, "Invalid regular expression: /%s/%s: %s",
                              sl > 200 ? "..." : src, flags, msg);
        (void)duk_throw(ctx);
    }
    if (c->units + n > CW_RE_CACHE_UNITS) { /* only `re` is in use in this call */
        for (size_t i = 0; i < c->n; i++) {
            free(c->e[i].key);
            cw_re_free(c->e[i].re);
            memset(&c->e[i], 0, sizeof(c->e[i]));
        }
        c->units = 0;
    }
    cw_regexp_entry_t *e = &c->e[c->next];
    c->next = (c->next + 1) % c->n;
    free(e->key);
    cw_re_free(e->re);
    c->units -= e->units;
    e->units = n;
    c->units += n;
    e->hash = h;
    e->key = key;
    e->klen = klen;
    e->re = re;
    duk_pop(ctx); /* the decoded pattern */
    return re;
}

static void cw_re_check_deadline(duk_context *ctx) {
    duk_memory_functions f;
    duk_get_memory_functions(ctx, &f);
    if (cw_sandbox_timeout_check(f.udata))
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "execution timeout");
}

/* compile(source, flags) -> [name | undefined, ...] per capturing group */
static duk_ret_t cw_re_compile_native(duk_context *ctx) {
    cw_re_t *re = cw_re_get(ctx, 0, 1);
    duk_push_array(ctx);
    size_t ncap = cw_re_capture_count(re);
    for (size_t i = 1; i <= ncap; i++) {
        const char *name = cw_re_group_name(re, i);
        if (name)
            duk_push_string(ctx, name);
        else
            duk_push_undefined(ctx);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t)(i - 1));
    }
    return 1;
}

static void cw_re_push_sub(duk_context *ctx, duk_idx_t subj, const uint16_t *u, int bmp, size_t s, size_t e) {
    if (bmp & 1) {
        duk_dup(ctx, subj);
        duk_substring(ctx, -1, s, e);
    }
    else
        cw_re_push_utf16(ctx, u + s, e - s);
}

/* exec(source, flags, subject, index, mode) */
static duk_ret_t cw_re_exec_native(duk_context *ctx) {
    duk_require_string(ctx, 2);
    double di = duk_require_number(ctx, 3);
    int mode = duk_get_int(ctx, 4);
    size_t n;
    int bmp;
    const uint16_t *u = cw_re_subject(ctx, 2, &n, &bmp);
    cw_re_t *re = cw_re_get(ctx, 0, 1);
    if (!(di >= 0) || di > (double)n) {
        if (mode)
            duk_push_null(ctx);
        else
            duk_push_int(ctx, -1);
        return 1;
    }
    int rc = cw_re_run(ctx, re, 2, u, bmp, n, (size_t)di);
    cw_re_check_deadline(ctx);
    if (rc < 0)
        (void)duk_error(ctx, DUK_ERR_ERROR, "regular expression engine failure");
    size_t s0 = 0, e0 = 0;
    if (rc == 1)
        (void)cw_re_group(re, 0, &s0, &e0);
    duk_push_this(ctx);
    duk_push_number(ctx, rc == 1 ? (double)e0 : -1);
    duk_put_prop_string(ctx, -2, "end");
    duk_pop(ctx);
    if (!mode) {
        duk_push_number(ctx, rc == 1 ? (double)s0 : -1);
        return 1;
    }
    if (rc != 1) {
        duk_push_null(ctx);
        return 1;
    }
    size_t ng = cw_re_group_count(re);
    int named = 0;
    for (size_t i = 1; i < ng && !named; i++)
        named = cw_re_group_name(re, i) != NULL;
    duk_idx_t arr = duk_push_array(ctx);
    for (size_t i = 0; i < ng; i++) {
        size_t s, e;
        if (cw_re_group(re, i, &s, &e))
            cw_re_push_sub(ctx, 2, u, bmp, s, e);
        else
            duk_push_undefined(ctx);
        duk_put_prop_index(ctx, arr, (duk_uarridx_t)i);
    }
    duk_push_number(ctx, (double)s0);
    duk_put_prop_string(ctx, arr, "index");
    duk_dup(ctx, 2);
    duk_put_prop_string(ctx, arr, "input");
    if (named) {
        duk_push_bare_object(ctx);
        for (size_t i = 1; i < ng; i++) {
            const char *name = cw_re_group_name(re, i);
            size_t s, e;
            if (!name)
                continue;
            if (cw_re_group(re, i, &s, &e)) {
                cw_re_push_sub(ctx, 2, u, bmp, s, e);
                duk_put_prop_string(ctx, -2, name);
            } else if (!duk_has_prop_string(ctx, -1, name)) {
                duk_push_undefined(ctx);
                duk_put_prop_string(ctx, -2, name);
            }
        }
    } else {
        duk_push_undefined(ctx);
    }
    duk_put_prop_string(ctx, arr, "groups");
    if (mode & 2) {
        duk_idx_t ind = duk_push_array(ctx);
        for (size_t i = 0; i < ng; i++) {
            size_t s, e;
            if (cw_re_group(re, i, &s, &e)) {
                duk_push_array(ctx);
                duk_push_number(ctx, (double)s);
                duk_put_prop_index(ctx, -2, 0);
                duk_push_number(ctx, (double)e);
                duk_put_prop_index(ctx, -2, 1);
            } else {
                duk_push_undefined(ctx);
            }
            duk_put_prop_index(ctx, ind, (duk_uarridx_t)i);
        }
        if (named) {
            duk_push_bare_object(ctx);
            for (size_t i = 1; i < ng; i++) {
                const char *name = cw_re_group_name(re, i);
                if (!name)
                    continue;
                duk_get_prop_index(ctx, ind, (duk_uarridx_t)i);
                if (duk_is_undefined(ctx, -1) && duk_has_prop_string(ctx, -2, name))
                    duk_pop(ctx);
                else
                    duk_put_prop_string(ctx, -2, name);
            }
        } else {
            duk_push_undefined(ctx);
        }
        duk_put_prop_string(ctx, ind, "groups");
        duk_put_prop_string(ctx, arr, "indices");
    }
    return 1;
}

/* ---- whole-string operations (the built-in exec, unobserved) ----------- */

/* A growable UTF-16 output in a Duktape dynamic buffer at stack index `idx`. */
typedef struct cw_re_out {
    duk_context *ctx;
    duk_idx_t idx;
    uint16_t *p;
    size_t len, cap;
} cw_re_out_t;

static void cw_re_out_init(cw_re_out_t *o, duk_context *ctx, size_t hint) {
    o->ctx = ctx;
    o->cap = hint < 64 ? 64 : hint;
    o->len = 0;
    o->p = duk_push_dynamic_buffer(ctx, o->cap * sizeof(uint16_t));
    o->idx = duk_get_top_index(ctx);
}

static void cw_re_out_add(cw_re_out_t *o, const uint16_t *u, size_t n) {
    if (o->len + n > o->cap) {
        size_t cap = o->cap;
        while (cap < o->len + n)
            cap *= 2;
        o->p = duk_resize_buffer(o->ctx, o->idx, cap * sizeof(uint16_t));
        o->cap = cap;
    }
    memcpy(o->p + o->len, u, n * sizeof(uint16_t));
    o->len += n;
}

static size_t cw_re_advance(const uint16_t *u, size_t n, size_t i, int unicode) {
    if (unicode && i + 1 < n && u[i] >= 0xD800 && u[i] <= 0xDBFF && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF)
        return i + 2;
    return i + 1;
}

/* Whether group name `name` (UTF-8) equals the UTF-16 units t[0..tn). */
static int cw_re_name_eq(const char *name, const uint16_t *t, size_t tn) {
    size_t nl = strlen(name);
    uint16_t tmp[128];
    int bmp;
    if (nl > sizeof(tmp) / sizeof(tmp[0]))
        return 0;
    size_t k = cw_re_decode((const unsigned char *)name, nl, tmp, &bmp);
    return k == tn && memcmp(tmp, t, tn * sizeof(uint16_t)) == 0;
}

/* GetSubstitution for the last match of `re` over u[0..n). */
static void cw_re_substitute(cw_re_out_t *o, cw_re_t *re, const uint16_t *u, size_t n, const uint16_t *t,
                             size_t tn, int named) {
    size_t s0 = 0, e0 = 0, m = cw_re_group_count(re) - 1, i = 0;
    (void)cw_re_group(re, 0, &s0, &e0);
    while (i < tn) {
        size_t j = i;
        while (j < tn && t[j] != '$')
            j++;
        cw_re_out_add(o, t + i, j - i);
        if (j >= tn)
            return;
        if (j + 1 >= tn) {
            cw_re_out_add(o, t + j, 1);
            return;
        }
        uint16_t d = t[j + 1];
        size_t gs, ge;
        if (d == '$') {
            cw_re_out_add(o, t + j, 1);
            i = j + 2;
        } else if (d == '&') {
            cw_re_out_add(o, u + s0, e0 - s0);
            i = j + 2;
        } else if (d == '`') {
            cw_re_out_add(o, u, s0);
            i = j + 2;
        } else if (d == '\'') {
            if (e0 < n)
                cw_re_out_add(o, u + e0, n - e0);
            i = j + 2;
        } else if (d >= '0' && d <= '9') {
            size_t one = d - '0', two = 0;
            int have_two = j + 2 < tn && t[j + 2] >= '0' && t[j + 2] <= '9';
            if (have_two)
                two = one * 10 + (t[j + 2] - '0');
            if (have_two && two >= 1 && two <= m) {
                if (cw_re_group(re, two, &gs, &ge))
                    cw_re_out_add(o, u + gs, ge - gs);
                i = j + 3;
            } else if (one >= 1 && one <= m) {
                if (cw_re_group(re, one, &gs, &ge))
                    cw_re_out_add(o, u + gs, ge - gs);
                i = j + 2;
            } else {
                cw_re_out_add(o, t + j, 1);
                i = j + 1;
            }
        } else if (d == '<' && named) {
            size_t gt = j + 2;
            while (gt < tn && t[gt] != '>')
                gt++;
            if (gt >= tn) {
                cw_re_out_add(o, t + j, 2);
                i = j + 2;
                continue;
            }
            for (size_t g = 1; g <= m; g++) {
                const char *name = cw_re_group_name(re, g);
                if (name && cw_re_name_eq(name, t + j + 2, gt - j - 2) && cw_re_group(re, g, &gs, &ge)) {
                    cw_re_out_add(o, u + gs, ge - gs);
                    break;
                }
            }
            i = gt + 1;
        } else {
            cw_re_out_add(o, t + j, 1);
            i = j + 1;
        }
    }
}

static int cw_re_named(cw_re_t *re) {
    for (size_t i = 1; i <= cw_re_capture_count(re); i++)
        if (cw_re_group_name(re, i))
            return 1;
    return 0;
}

/* replace(source, flags, S, template, global, unicode) -> string */
static duk_ret_t cw_re_replace_native(duk_context *ctx) {
    duk_require_string(ctx, 2);
    duk_require_string(ctx, 3);
    int global = duk_to_boolean(ctx, 4), unicode = duk_to_boolean(ctx, 5);
    duk_set_top(ctx, 6);
    size_t n, tn;
    int bmp, tbmp;
    const uint16_t *u = cw_re_subject(ctx, 2, &n, &bmp);
    const uint16_t *t = cw_re_decode_push(ctx, 3, &tn, &tbmp); /* index 6 */
    cw_re_t *re = cw_re_get(ctx, 0, 1);
    int named = cw_re_named(re);
    cw_re_out_t o;
    cw_re_out_init(&o, ctx, n + 16);
    size_t pos = 0, last = 0, count = 0;
    while (pos <= n) {
        int rc = cw_re_run(ctx, re, 2, u, bmp, n, pos);
        if ((++count & 255) == 0 || rc != 1)
            cw_re_check_deadline(ctx);
        if (rc < 0)
            (void)duk_error(ctx, DUK_ERR_ERROR, "regular expression engine failure");
        if (rc != 1)
            break;
        size_t s0, e0;
        (void)cw_re_group(re, 0, &s0, &e0);
        t = duk_get_buffer_data(ctx, 6, NULL); /* stable, but re-read after allocations */
        cw_re_out_add(&o, u + last, s0 - last);
        cw_re_substitute(&o, re, u, n, t, tn, named);
        last = e0;
        if (!global)
            break;
        pos = e0 == s0 ? cw_re_advance(u, n, e0, unicode) : e0;
    }
    if (last < n)
        cw_re_out_add(&o, u + last, n - last);
    cw_re_push_utf16(ctx, o.p, o.len);
    return 1;
}

/* all(source, flags, S, unicode) -> [match strings] or null (match with g) */
static duk_ret_t cw_re_all_native(duk_context *ctx) {
    duk_require_string(ctx, 2);
    int unicode = duk_to_boolean(ctx, 3);
    size_t n;
    int bmp;
    const uint16_t *u = cw_re_subject(ctx, 2, &n, &bmp);
    cw_re_t *re = cw_re_get(ctx, 0, 1);
    duk_idx_t arr = duk_push_array(ctx);
    duk_uarridx_t k = 0;
    size_t pos = 0;
    while (pos <= n) {
        int rc = cw_re_run(ctx, re, 2, u, bmp, n, pos);
        if ((k & 255) == 0 || rc != 1)
            cw_re_check_deadline(ctx);
        if (rc < 0)
            (void)duk_error(ctx, DUK_ERR_ERROR, "regular expression engine failure");
        if (rc != 1)
            break;
        size_t s0, e0;
        (void)cw_re_group(re, 0, &s0, &e0);
        cw_re_push_sub(ctx, 2, u, bmp, s0, e0);
        duk_put_prop_index(ctx, arr, k++);
        pos = e0 == s0 ? cw_re_advance(u, n, e0, unicode) : e0;
    }
    if (k == 0)
        duk_push_null(ctx);
    return 1;
}

/* split(source, flags, S, lim, unicode) -> array (S non-empty, lim > 0) */
static duk_ret_t cw_re_split_native(duk_context *ctx) {
    duk_require_string(ctx, 2);
    double lim = duk_require_number(ctx, 3);
    int unicode = duk_to_boolean(ctx, 4);
    size_t n;
    int bmp;
    const uint16_t *u = cw_re_subject(ctx, 2, &n, &bmp);
    cw_re_t *re = cw_re_get(ctx, 0, 1);
    duk_idx_t arr = duk_push_array(ctx);
    duk_uarridx_t k = 0;
    size_t p = 0, q = 0, count = 0;
    while (q < n) {
        int rc = cw_re_run(ctx, re, 2, u, bmp, n, q);
        if ((++count & 255) == 0 || rc != 1)
            cw_re_check_deadline(ctx);
        if (rc < 0)
            (void)duk_error(ctx, DUK_ERR_ERROR, "regular expression engine failure");
        if (rc != 1)
            break;
        size_t s0, e0;
        (void)cw_re_group(re, 0, &s0, &e0);
        if (s0 >= n)
            break;
        size_t e = e0 > n ? n : e0;
        if (e == p) {
            q = cw_re_advance(u, n, s0, unicode);
            continue;
        }
        cw_re_push_sub(ctx, 2, u, bmp, p, s0);
        duk_put_prop_index(ctx, arr, k++);
        if ((double)k >= lim)
            return 1;
        p = e;
        size_t ng = cw_re_group_count(re);
        for (size_t g = 1; g < ng; g++) {
            size_t gs, ge;
            if (cw_re_group(re, g, &gs, &ge))
                cw_re_push_sub(ctx, 2, u, bmp, gs, ge);
            else
                duk_push_undefined(ctx);
            duk_put_prop_index(ctx, arr, k++);
            if ((double)k >= lim)
                return 1;
        }
        q = p;
    }
    cw_re_push_sub(ctx, 2, u, bmp, p, n);
    duk_put_prop_index(ctx, arr, k++);
    return 1;
}

void cw_regexp_install(duk_context *ctx, cw_regexp_cache_t *cache) {
    if (!cache) /* its owner could not allocate one */
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "out of memory for the regular expression cache");
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, "cwRt");
    if (!duk_is_object(ctx, -1))
        (void)duk_error(ctx, DUK_ERR_ERROR, "cw_regexp_install: no runtime object");
    duk_push_object(ctx);
    static const struct {
        const char *name;
        duk_c_function fn;
        duk_idx_t nargs;
    } fns[] = {{"compile", cw_re_compile_native, 2},
                 {"exec", cw_re_exec_native, 5},
                 {"replace", cw_re_replace_native, 6},
                 {"all", cw_re_all_native, 4},
                 {"split", cw_re_split_native, 5}};
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        duk_push_c_function(ctx, fns[i].fn, fns[i].nargs);
        duk_push_pointer(ctx, cache);
        duk_put_prop_string(ctx, -2, "\xff" "cache");
        duk_put_prop_string(ctx, -2, fns[i].name);
    }
    duk_push_string(ctx, "\xff" "cwRegExp");
    duk_put_prop_string(ctx, -2, "slot");
    duk_put_prop_string(ctx, -2, "re");
    duk_pop_2(ctx);
}
