/*
 * cw_lowering.c -- lowering decisions, the lowered-code cache and helpers.
 *
 * ES5 fast path: most of what Duktape would misread as ES5 contains a tell
 * (`let`, `const`, `=>`, a template literal, `class`, `...`, `?.`, `??`,
 * `of`, `async`, `yield`, `#`, `static`, `super`); code without any of them
 * is compiled as written and pays nothing for lowering.  `const` matters:
 * Duktape accepts it but gives it `var` semantics, so it must be lowered.
 *
 * Cache: a small table keyed by a 64-bit FNV-1a hash of the source and the
 * lowering library's version, verified by comparing the source itself, with
 * round-robin eviction.  Sources above 256 KiB are never cached.  An entry
 * holds what swc made of the source (nothing for ES5 code) and, once the
 * code has compiled, Duktape's bytecode for it: a pipeline that sends the
 * same code again loads the function (whichever form it compiled in: script
 * or function body) instead of parsing it again.  The bytecode is this
 * executor's own output, never bytes from a message.
 */
#include "cw_lowering.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw_lower.h"

#define CW_LOWERING_MAX_CACHED_SRC (256u << 10)

typedef struct cw_lowering_entry {
    uint64_t hash;
    char *src; /* NULL = free slot */
    size_t len;
    cw_lower_out_t *out; /* NULL for ES5 code, compiled as written */
    void *bc;            /* the compiled code, once it compiled */
    size_t bc_len;
} cw_lowering_entry_t;

struct cw_lowering {
    cw_lowering_entry_t *e;
    size_t n, next;
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

cw_err_t cw_lowering_new(size_t max_entries, cw_lowering_t **out) {
    cw_lowering_t *c = calloc(1, sizeof(*c));
    if (!c)
        return CW_ERR_NOMEM;
    c->n = max_entries;
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

static int cw_ident_char(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '$' || ch >= 0x80;
}

/* 1 when the source may use syntax that must be lowered.  False positives
 * (a word inside a string or comment) only cost a lowering. */
static int cw_needs_lowering(const char *s, size_t n) {
    static const char *const words[] = {"let", "const", "class", "of", "async", "await", "yield",
                                        "static", "super", "get", "set", NULL};
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
        case '*': /* function* */
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
    if (rc == CW_LOWER_OK) {
        p->code = cw_lower_code(out, &p->len);
        p->lowered = 1;
        return;
    }
    unsigned line = 0, col = 0;
    const char *msg = cw_lower_error(out, &line, &col);
    snprintf(p->message, sizeof(p->message), "%s", msg ? msg : "lowering failed");
    p->line = line;
    p->col = col;
    if (rc == CW_LOWER_SYNTAX)
        p->syntax_error = 1;
    else
        p->internal = 1;
}

cw_err_t cw_lowering_prepare(cw_lowering_t *c, const char *src, size_t len, cw_prepared_t *p) {
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
                }
                p->cached = 1;
                p->entry_ = e;
                return CW_OK;
            }
        }
        c->misses++;
    }
    cw_lower_out_t *out = NULL;
    if (!cw_needs_lowering(src, len) && !cw_has_regex_literal(src, len)) { /* ES5: compiled as written */
        p->code = src;
        p->len = len;
    } else {
        int rc = cw_lower(src, len, 0, &out);
        if (!out)
            return CW_ERR_NOMEM;
        cw_fill(p, out, rc);
        if (rc != CW_LOWER_OK)
            cache = 0;
    }
    char *copy = cache ? malloc(len ? len : 1) : NULL;
    if (!copy) {
        p->owned_ = out != NULL;
        return CW_OK;
    }
    memcpy(copy, src, len);
    cw_lowering_entry_t *e = &c->e[c->next];
    c->next = (c->next + 1) % c->n;
    free(e->src);
    cw_lower_free(e->out);
    free(e->bc);
    memset(e, 0, sizeof(*e));
    e->hash = h;
    e->src = copy;
    e->len = len;
    e->out = out;
    p->entry_ = e;
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
    if (!e || e->bc)
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
        }
    }
    duk_pop(ctx);
}

void cw_lowering_release(cw_prepared_t *p) {
    if (p->owned_)
        cw_lower_free(p->out_);
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
