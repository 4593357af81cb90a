/*
 * cw_lowering.c -- lowering decisions, the lowered-code cache and helpers.
 *
 * Deciding what to lower: Duktape's own compiler decides.  A job is first
 * compiled as written (a "candidate"); only when Duktape rejects it is it
 * lowered with swc (cw_lowering_lower_rejected), which either produces ES5
 * or reports the job's real syntax error.  ES5 jobs therefore pay nothing
 * for lowering, and any syntax Duktape lacks -- destructuring in `var`,
 * default parameters, `catch {`, `||=`, `1_000`, trailing commas,
 * `function*`, regex flags -- is lowered, whatever words the code uses.
 * Code that shows a modern token (`let`, `=>`, `class`, ...) is lowered
 * without the compile attempt, which would only fail (a shortcut: a word in
 * a string costs a lowering, which is correct for any code); so is code with
 * `const`, which Duktape accepts but with `var` semantics.  No word ever
 * decides that code is *not* lowered.
 *
 * Bounds: each lowering runs under the job's deadline and a memory budget
 * of its own (cw_lowering_budget_for: 4 x memoryLimit, 64..256 MiB),
 * counted by the lowering library's allocator; running out is a TIMEOUT or
 * MEMORY_LIMIT, code too complex to lower in bounded time a SYNTAX_ERROR
 * "too complex to compile" (worker/lower/cw_lower.h).  A call that needed a
 * lot of memory gives it back to the kernel (malloc_trim) before the next
 * job, so what one tenant lowered does not stay in the executor.
 *
 * Cache: a table keyed by a 64-bit FNV-1a hash of the source and the
 * lowering library's version, verified by comparing the source itself, with
 * round-robin eviction, bounded both in entries and in bytes (the source,
 * swc's output with its position map, and Duktape's bytecode, all counted).
 * Sources above 256 KiB are never cached.  An entry holds what swc made of
 * the source (nothing for ES5 code) and, once the code has compiled,
 * Duktape's bytecode for it: a pipeline that sends the same code again
 * loads the function (whichever form it compiled in: script or function
 * body) instead of parsing it again.  The bytecode is this executor's own
 * output, never bytes from a message.  Entries in use by a prepared job are
 * pinned and never evicted under it.
 */
#include "cw_lowering.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw_lower.h"

#define CW_LOWERING_MAX_CACHED_SRC (256u << 10)
/* A lowering that held more than this gives freed memory back at once. */
#define CW_LOWERING_TRIM_PEAK ((size_t)8 << 20)
/* Bookkeeping counted per entry besides its buffers. */
#define CW_LOWERING_ENTRY_OVERHEAD 64u

typedef struct cw_lowering_entry {
    uint64_t hash;
    char *src; /* NULL = free slot */
    size_t len;
    cw_lower_out_t *out; /* NULL for code compiled as written */
    void *bc;            /* the compiled code, once it compiled */
    size_t bc_len;
    size_t bytes; /* counted in the cache's total */
    unsigned pins; /* prepared jobs using it now */
} cw_lowering_entry_t;

struct cw_lowering {
    cw_lowering_entry_t *e;
    size_t n, next;
    size_t max_bytes, bytes;
    uint64_t hits, misses, loads;
    uint64_t salt; /* the lowering library's version, hashed once */
    /* helper bytecode, compiled once per executor */
    size_t nhelpers;
    void **bc;
    size_t *bc_len;
};

static uint64_t cw_fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

size_t cw_lowering_budget_for(size_t heap_limit_bytes) {
    size_t b = heap_limit_bytes > CW_LOWERING_BUDGET_MAX / CW_LOWERING_BUDGET_FACTOR
                   ? CW_LOWERING_BUDGET_MAX
                   : heap_limit_bytes * CW_LOWERING_BUDGET_FACTOR;
    return b < CW_LOWERING_BUDGET_MIN ? CW_LOWERING_BUDGET_MIN : b;
}

cw_err_t cw_lowering_new_bounded(size_t max_entries, size_t max_bytes, cw_lowering_t **out) {
    cw_lowering_t *c = calloc(1, sizeof(*c));
    if (!c)
        return CW_ERR_NOMEM;
    c->n = max_entries;
    c->max_bytes = max_bytes ? max_bytes : CW_LOWERING_CACHE_BYTES_DEFAULT;
    c->salt = cw_fnv1a(cw_lower_version(), strlen(cw_lower_version()));
    c->nhelpers = cw_lower_runtime_helper_count();
    c->e = max_entries ? calloc(max_entries, sizeof(*c->e)) : NULL;
    c->bc = calloc(c->nhelpers + 1, sizeof(*c->bc));
    c->bc_len = calloc(c->nhelpers + 1, sizeof(*c->bc_len));
    if ((max_entries && !c->e) || !c->bc || !c->bc_len) {
        cw_lowering_free(c);
        return CW_ERR_NOMEM;
    }
    *out = c;
    return CW_OK;
}

cw_err_t cw_lowering_new(size_t max_entries, cw_lowering_t **out) {
    return cw_lowering_new_bounded(max_entries, 0, out);
}

void cw_lowering_free(cw_lowering_t *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n && c->e; i++) {
        free(c->e[i].src);
        cw_lower_free(c->e[i].out);
        free(c->e[i].bc);
    }
    for (size_t i = 0; i < c->nhelpers && c->bc; i++)
        free(c->bc[i]);
    free(c->e);
    free(c->bc);
    free(c->bc_len);
    free(c);
}

void cw_lowering_stats(const cw_lowering_t *c, uint64_t *hits, uint64_t *misses, uint64_t *loads) {
    *loads = c ? c->loads : 0;
    *hits = c ? c->hits : 0;
    *misses = c ? c->misses : 0;
}

size_t cw_lowering_cache_bytes(const cw_lowering_t *c) { return c ? c->bytes : 0; }

static size_t cw_entry_bytes(const cw_lowering_entry_t *e) {
    return CW_LOWERING_ENTRY_OVERHEAD + e->len + cw_lower_bytes(e->out) + e->bc_len;
}

static void cw_entry_clear(cw_lowering_t *c, cw_lowering_entry_t *e) {
    c->bytes -= e->bytes;
    free(e->src);
    cw_lower_free(e->out);
    free(e->bc);
    memset(e, 0, sizeof(*e));
}

/* Re-count `e` after it changed, evicting unpinned entries (round-robin)
 * until the cache is within its bytes again. */
static void cw_entry_recount(cw_lowering_t *c, cw_lowering_entry_t *e) {
    c->bytes -= e->bytes;
    e->bytes = cw_entry_bytes(e);
    c->bytes += e->bytes;
    for (size_t tried = 0; c->bytes > c->max_bytes && tried < c->n; tried++) {
        cw_lowering_entry_t *v = &c->e[c->next];
        c->next = (c->next + 1) % c->n;
        if (v->src && v != e && !v->pins)
            cw_entry_clear(c, v);
    }
}

static int cw_ident_char(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '$' || ch >= 0x80;
}

/* 1 when the source shows a sign that it must be lowered: a token of
 * syntax Duktape lacks (`let`, `=>`, a template literal, `class`, `...`,
 * `?.`, `??`, `of`, `async`, `yield`, `#`, `static`, `super`, ...), or
 * `const`, which Duktape accepts with `var` semantics, or `__proto__`, which
 * Duktape makes an own property in an object literal.  Only a shortcut
 * past a compile attempt that would fail: a false positive (a word inside a
 * string or comment) costs a lowering, which is correct for any code, and a
 * negative decides nothing -- Duktape's compiler does. */
static int cw_must_lower(const char *s, size_t n) {
    static const char *const words[] = {"let", "const", "class", "of", "async", "await", "yield",
                                        "static", "super", "get", "set", "__proto__", NULL};
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '`':
        case '#':
            return 1;
        case '=':
            if (i + 1 < n && s[i + 1] == '>')
                return 1;
            continue;
        case '.':
            if (i + 2 < n && s[i + 1] == '.' && s[i + 2] == '.')
                return 1;
            continue;
        case '?':
            if (i + 1 < n && (s[i + 1] == '.' || s[i + 1] == '?'))
                return 1;
            continue;
        default:
            break;
        }
        if (!cw_ident_char(ch) || (i > 0 && cw_ident_char((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (j < n && cw_ident_char((unsigned char)s[j]))
            j++;
        for (int w = 0; words[w]; w++) {
            size_t wl = strlen(words[w]);
            if (j - i == wl && memcmp(s + i, words[w], wl) == 0)
                return 1;
        }
        i = j - 1;
    }
    return 0;
}

/* 1 when the source may hold a regular expression literal: a `/` that does
 * not start a comment and follows a token after which an expression starts
 * (an operator, an opening bracket, `,` `;` `:` `?`, a keyword such as
 * `return`, or the start of the source).  The lowering rewrites literals
 * into the heap's RegExp (worker/lower/src/regex_literals.rs), so ES5 code
 * with one must go through it.  False positives (a `/` in a string) only
 * cost a lowering; `/` after `)` or `]` is taken as division. */
static int cw_has_regex_literal(const char *s, size_t n) {
    unsigned char prev = 0; /* last significant character; 0 = start */
    size_t word = 0, wordlen = 0; /* the identifier `prev` ended, if any */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        if (ch == '/' && i + 1 < n && s[i + 1] == '/') { /* line comment */
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            i++;
            continue;
        }
        if (ch == '"' || ch == '\'') { /* skip string literals */
            for (i++; i < n && (unsigned char)s[i] != ch; i++)
                if (s[i] == '\\')
                    i++;
            prev = ch;
            wordlen = 0;
            continue;
        }
        if (ch == '/') {
            if (prev == 0 || strchr("(,=:[!&|?{};+-*%<>~^", prev))
                return 1;
            if (wordlen) {
                static const char *const kw[] = {"return", "typeof", "case", "do", "else", "in",
                                                 "instanceof", "new", "delete", "void", "throw", NULL};
                for (int k = 0; kw[k]; k++)
                    if (strlen(kw[k]) == wordlen && memcmp(s + word, kw[k], wordlen) == 0)
                        return 1;
            }
            prev = ch;
            wordlen = 0;
            continue;
        }
        if (cw_ident_char(ch)) {
            size_t j = i;
            while (j < n && cw_ident_char((unsigned char)s[j]))
                j++;
            word = i;
            wordlen = j - i;
            prev = 'a';
            i = j - 1;
            continue;
        }
        prev = ch;
        wordlen = 0;
    }
    return 0;
}

static void cw_fill(cw_prepared_t *p, cw_lower_out_t *out, int rc) {
    p->out_ = out;
    p->candidate = 0;
    if (rc == CW_LOWER_OK) {
        p->code = cw_lower_code(out, &p->len);
        p->lowered = 1;
        return;
    }
    p->code = NULL;
    p->len = 0;
    unsigned line = 0, col = 0;
    const char *msg = cw_lower_error(out, &line, &col);
    snprintf(p->message, sizeof(p->message), "%s", msg ? msg : "lowering failed");
    p->line = line;
    p->col = col;
    if (rc == CW_LOWER_SYNTAX)
        p->syntax_error = 1;
    else if (rc == CW_LOWER_LIMIT)
        p->limit = cw_lower_limit_kind(out) == CW_LOWER_LIMIT_TIME ? CW_LOWERING_LIMIT_TIME : CW_LOWERING_LIMIT_MEMORY;
    else
        p->internal = 1;
}

/* Lower `src` under `lim`; sets *rc.  NULL only when out of memory. */
static cw_lower_out_t *cw_lower_bounded(const char *src, size_t len, const cw_lowering_limits_t *lim, int *rc) {
    cw_lower_out_t *out = NULL;
    *rc = cw_lower_limited(src, len, 0, lim ? (unsigned long long)(lim->deadline_ns > 0 ? lim->deadline_ns : 0) : 0,
                           lim ? lim->max_bytes : 0, &out);
    /* Give a large working set back now: glibc would keep it for the
     * process, and the next tenant's job would run in what is left. */
    if (out && cw_lower_peak_bytes(out) > CW_LOWERING_TRIM_PEAK)
        malloc_trim(0);
    return out;
}

/* cw_fill for a bounded call: a memory limit says which budget. */
static void cw_fill_bounded(cw_prepared_t *p, cw_lower_out_t *out, int rc, const cw_lowering_limits_t *lim) {
    cw_fill(p, out, rc);
    if (p->limit == CW_LOWERING_LIMIT_MEMORY && lim)
        snprintf(p->message, sizeof(p->message),
                 "compiling this code needed more than its lowering budget of %zu MiB "
                 "(%d x memoryLimit, %zu to %zu MiB)",
                 lim->max_bytes >> 20, CW_LOWERING_BUDGET_FACTOR, CW_LOWERING_BUDGET_MIN >> 20,
                 CW_LOWERING_BUDGET_MAX >> 20);
}

cw_err_t cw_lowering_prepare(cw_lowering_t *c, const char *src, size_t len, cw_prepared_t *p) {
    return cw_lowering_prepare_limited(c, src, len, NULL, p);
}

cw_err_t cw_lowering_prepare_limited(cw_lowering_t *c, const char *src, size_t len,
                                     const cw_lowering_limits_t *lim, cw_prepared_t *p) {
    memset(p, 0, sizeof(*p));
    int cache = c && c->n && len <= CW_LOWERING_MAX_CACHED_SRC;
    uint64_t h = 0;
    if (cache) {
        h = cw_fnv1a(src, len) ^ c->salt;
        for (size_t i = 0; i < c->n; i++) {
            cw_lowering_entry_t *e = &c->e[i];
            if (e->src && e->hash == h && e->len == len && memcmp(e->src, src, len) == 0) {
                c->hits++;
                if (e->out) {
                    cw_fill(p, e->out, CW_LOWER_OK);
                } else {
                    p->code = src;
                    p->len = len;
                    p->candidate = !e->bc; /* not known to compile yet */
                }
                p->cached = 1;
                p->entry_ = e;
                p->cache_ = c;
                e->pins++;
                return CW_OK;
            }
        }
        c->misses++;
    }
    cw_lower_out_t *out = NULL;
    if (!cw_must_lower(src, len) && !cw_has_regex_literal(src, len)) { /* Duktape's compiler decides */
        p->code = src;
        p->len = len;
        p->candidate = 1;
    } else {
        int rc;
        out = cw_lower_bounded(src, len, lim, &rc);
        if (!out)
            return CW_ERR_NOMEM;
        cw_fill_bounded(p, out, rc, lim);
        if (rc != CW_LOWER_OK)
            cache = 0;
    }
    if (cache && out && cw_lower_bytes(out) + len > c->max_bytes / 4)
        cache = 0; /* one entry may not take over the cache */
    char *copy = cache ? malloc(len ? len : 1) : NULL;
    if (!copy) {
        p->owned_ = out != NULL;
        return CW_OK;
    }
    memcpy(copy, src, len);
    cw_lowering_entry_t *e = NULL;
    for (size_t tried = 0; tried < c->n && !e; tried++) { /* the next unpinned slot */
        cw_lowering_entry_t *v = &c->e[c->next];
        c->next = (c->next + 1) % c->n;
        if (!v->pins)
            e = v;
    }
    if (!e) {
        free(copy);
        p->owned_ = out != NULL;
        return CW_OK;
    }
    cw_entry_clear(c, e);
    e->hash = h;
    e->src = copy;
    e->len = len;
    e->out = out;
    e->pins = 1;
    p->entry_ = e;
    p->cache_ = c;
    cw_entry_recount(c, e);
    return CW_OK;
}

cw_err_t cw_lowering_lower_rejected(cw_lowering_t *c, const char *src, size_t len,
                                    const cw_lowering_limits_t *lim, cw_prepared_t *p) {
    (void)c;
    cw_lowering_entry_t *e = p->entry_;
    int rc;
    cw_lower_out_t *out = cw_lower_bounded(src, len, lim, &rc);
    if (!out)
        return CW_ERR_NOMEM;
    if (p->owned_)
        cw_lower_free(p->out_);
    p->owned_ = 0;
    cw_fill_bounded(p, out, rc, lim);
    cw_lowering_t *cache = p->cache_;
    if (e && cache && rc == CW_LOWER_OK && !e->out && !e->bc && cw_lower_bytes(out) + len <= cache->max_bytes / 4) {
        e->out = out; /* the next job with this code starts lowered */
        cw_entry_recount(cache, e);
    } else {
        p->owned_ = 1;
        if (e && cache && rc != CW_LOWER_OK && e->pins == 1) { /* nothing worth keeping */
            cw_entry_clear(cache, e);
            p->entry_ = NULL;
        }
    }
    return CW_OK;
}

int cw_lowering_load_compiled(duk_context *ctx, cw_lowering_t *c, const cw_prepared_t *p) {
    const cw_lowering_entry_t *e = p->entry_;
    if (!e || !e->bc)
        return 0;
    if (c)
        c->loads++;
    void *buf = duk_push_fixed_buffer(ctx, e->bc_len);
    memcpy(buf, e->bc, e->bc_len);
    duk_load_function(ctx);
    return 1;
}

static duk_ret_t cw_lowering_dump(duk_context *ctx, void *udata) {
    (void)udata;
    duk_dump_function(ctx);
    return 1;
}

void cw_lowering_keep_compiled(duk_context *ctx, const cw_prepared_t *p) {
    cw_lowering_entry_t *e = p->entry_;
    /* Only bytecode of what the entry describes: lowered code the entry
     * does not hold would load later without its helpers. */
    if (!e || e->bc || (p->lowered && e->out != p->out_))
        return;
    /* Its own protected call: failing to keep the bytecode (the job's heap
     * at its cap) must not fail the job. */
    duk_dup(ctx, -1);
    if (duk_safe_call(ctx, cw_lowering_dump, NULL, 1, 1) == DUK_EXEC_SUCCESS) {
        duk_size_t n;
        void *b = duk_get_buffer_data(ctx, -1, &n);
        void *copy = b && n ? malloc(n) : NULL;
        if (copy) {
            memcpy(copy, b, n);
            e->bc = copy;
            e->bc_len = n;
            if (p->cache_)
                cw_entry_recount(p->cache_, e);
        }
    }
    duk_pop(ctx);
}

void cw_lowering_release(cw_prepared_t *p) {
    if (p->owned_)
        cw_lower_free(p->out_);
    cw_lowering_entry_t *e = p->entry_;
    if (e && e->pins)
        e->pins--;
    memset(p, 0, sizeof(*p));
}

void cw_lowering_install_helpers(duk_context *ctx, cw_lowering_t *c, const cw_prepared_t *p) {
    if (!p->lowered || !(cw_lower_needs(p->out_) & CW_LOWER_NEEDS_HELPERS))
        return;
    const cw_lower_out_t *lo = p->out_;
    size_t total = cw_lower_runtime_helper_count();
    duk_push_object(ctx); /* h */
    for (size_t i = 0; i < cw_lower_helper_count(lo); i++) {
        unsigned id = cw_lower_helper_id(lo, i);
        if (id >= total)
            (void)duk_error(ctx, DUK_ERR_ERROR, "unknown lowering helper %u", id);
        if (c && c->bc[id]) {
            void *buf = duk_push_fixed_buffer(ctx, c->bc_len[id]);
            memcpy(buf, c->bc[id], c->bc_len[id]);
            duk_load_function(ctx);
        } else {
            const char *name;
            size_t n;
            const char *src = cw_lower_runtime_helper(id, &name, &n);
            duk_push_lstring(ctx, src, n);
            duk_push_string(ctx, name);
            duk_compile(ctx, DUK_COMPILE_FUNCTION);
            if (c) { /* keep this build's own bytecode for later jobs */
                duk_dup(ctx, -1);
                duk_dump_function(ctx);
                size_t bl;
                void *b = duk_get_buffer_data(ctx, -1, &bl);
                void *copy = malloc(bl);
                if (copy) {
                    memcpy(copy, b, bl);
                    c->bc[id] = copy;
                    c->bc_len[id] = bl;
                }
                duk_pop(ctx);
            }
        }
        duk_dup(ctx, -2);
        duk_call(ctx, 1);
        duk_pop(ctx);
    }
    duk_freeze(ctx, -1);
    duk_push_global_object(ctx);
    duk_push_string(ctx, "__cw_h");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3,
                 DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_HAVE_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                     DUK_DEFPROP_HAVE_CONFIGURABLE);
    duk_pop_2(ctx);
}

long cw_lowering_map_line(const cw_prepared_t *p, long line) {
    if (!p->lowered || line <= 0)
        return line;
    unsigned ol = 0, oc = 0;
    if (cw_lower_map(p->out_, (unsigned)line, 0, &ol, &oc) != 0)
        return 0;
    return (long)ol;
}

int cw_lowering_warmup(char *err, size_t n) {
    static const char snippet[] =
        "class A extends Object { #p = 1; static s = 2; get p() { return this.#p } }\n"
        "const f = async (...a) => { for (const x of a) await x; return `${a.length}` };\n"
        "function* g() { yield* [1, 2]; }\n"
        "let { q = 1, ...r } = { s: 2 }; const o = r?.s ?? 0;\n";
    tzset();
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    cw_lower_out_t *out = NULL;
    int rc = cw_lower(snippet, sizeof(snippet) - 1, 0, &out);
    if (rc != CW_LOWER_OK) {
        snprintf(err, n, "warm-up lowering failed: %s", out ? cw_lower_error(out, NULL, NULL) : "no result");
        cw_lower_free(out);
        return -1;
    }
    cw_lower_free(out);
    return 0;
}
