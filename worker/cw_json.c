/*
 * cw_json.c -- JSON.stringify as ES2019 has it: well-formed output.
 *
 * Why: since ES2019 JSON.stringify writes a lone surrogate (a UTF-16 code
 * unit U+D800..U+DFFF that is not half of a pair) as the escape `\udXXX`, so
 * its result is valid Unicode that any JSON parser takes.  Duktape 2.7
 * writes the code unit itself: the text it returns is not well-formed, a
 * strict decoder rejects it, and a job that stringifies text cut in the
 * middle of an emoji (`s.slice(0, n)`) got a different string than in Node,
 * silently.
 *
 * How: the engine's own JSON.stringify still does the work (replacer,
 * toJSON, indentation, cycles, its speed); this native calls it and looks
 * at the result.  Duktape keeps strings as CESU-8, where a code unit in
 * U+D800..U+DFFF is the three bytes ED A0..BF xx: a high surrogate
 * (ED A0..AF) followed by a low one (ED B0..BF) is a pair and stays; any
 * other is replaced by its six-character escape, lower-case as in V8.  A
 * lone surrogate can only stand inside a string literal of the JSON text,
 * where the escape means the same code unit, so nothing else changes.  A
 * result without the byte ED is returned as it is after one memchr, so the
 * cost on ordinary output is a scan at memory speed.
 *
 * JSON.parse's errors as V8 words them.  Duktape says "invalid json (at
 * offset 6)" for every malformed text; V8 says what was wrong and where
 * ("Expected ',' or '}' after property value in JSON at position 6 (line 1
 * column 7)", "Unexpected token 'a', "abc" is not valid JSON", "Unexpected
 * end of JSON input"), and job code shows that message to the agent that
 * wrote it ("could not parse the reply: " + e.message).  The engine's parser
 * still does the work; only when it throws a SyntaxError is the text read
 * once more by cw_json_diagnose(), a scan that follows V8's JSON parser
 * (json-parser.cc: the same tokens, the same override messages at the same
 * states, positions in UTF-16 code units, lines split at \n, \r or \r\n,
 * ten characters of context around an unexpected token when the text is
 * longer than twenty) and gives the message V8 would.  The scan keeps its
 * containers on an explicit stack, so it runs no deeper in C than a flat
 * text.  Should it find the text valid (the SyntaxError came from elsewhere)
 * the engine's error is rethrown untouched.  Duktape and V8 accept the same
 * texts (tests/e2e: test_language.py json-parse-* cases against Node 24).
 *
 * Installed at heap preparation (part of the heap image, nothing per job);
 * the engine's functions are kept in the heap stash, where jobs cannot
 * reach them.  The replacements have the built-ins' names and lengths.
 */
#include "cw_json.h"

#include <string.h>

#include "cw_runtime.h"

#define CW_JSON_STASH_STRINGIFY "cw_json_stringify"
#define CW_JSON_STASH_PARSE "cw_json_parse"

/* Offset of the first lone surrogate in p[0..n), or n when there is none. */
static size_t cw_json_first_lone(const unsigned char *p, size_t n, size_t from) {
    size_t i = from;
    while (i < n) {
        const unsigned char *q = memchr(p + i, 0xED, n - i);
        if (!q)
            return n;
        i = (size_t)(q - p);
        if (i + 2 >= n || q[1] < 0xA0) { /* U+D000..U+D7FF, or a cut byte: not a surrogate */
            i++;
            continue;
        }
        if (q[1] <= 0xAF && i + 5 < n && q[3] == 0xED && q[4] >= 0xB0 && q[4] <= 0xBF) {
            i += 6; /* a high surrogate and its low half */
            continue;
        }
        return i;
    }
    return n;
}

/* [ ... text ] -> [ ... text' ]: the lone surrogates of text escaped. */
static void cw_json_escape_lone(duk_context *ctx, size_t first) {
    size_t n;
    const unsigned char *p = (const unsigned char *)duk_get_lstring(ctx, -1, &n);
    /* Each three-byte lone surrogate becomes six bytes. */
    size_t lone = 0;
    for (size_t at = first; at < n; at = cw_json_first_lone(p, n, at + 3))
        lone++;
    unsigned char *out = duk_push_fixed_buffer(ctx, n + 3 * lone);
    /* p stays valid: a string's bytes do not move while it is on the stack. */
    size_t o = 0, i = 0, at = first;
    static const char hex[] = "0123456789abcdef";
    while (at < n) {
        memcpy(out + o, p + i, at - i);
        o += at - i;
        unsigned cu = ((p[at] & 0x0Fu) << 12) | ((p[at + 1] & 0x3Fu) << 6) | (p[at + 2] & 0x3Fu);
        out[o++] = '\\';
        out[o++] = 'u';
        out[o++] = (unsigned char)hex[(cu >> 12) & 0xF];
        out[o++] = (unsigned char)hex[(cu >> 8) & 0xF];
        out[o++] = (unsigned char)hex[(cu >> 4) & 0xF];
        out[o++] = (unsigned char)hex[cu & 0xF];
        i = at + 3;
        at = cw_json_first_lone(p, n, i);
    }
    memcpy(out + o, p + i, n - i);
    o += n - i;
    duk_push_lstring(ctx, (const char *)out, o);
    duk_swap_top(ctx, -3);
    duk_pop_2(ctx);
}

static duk_ret_t cw_json_stringify(duk_context *ctx) {
    duk_idx_t nargs = duk_get_top(ctx);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_JSON_STASH_STRINGIFY);
    duk_remove(ctx, -2);
    duk_insert(ctx, 0);
    duk_call(ctx, nargs);
    if (duk_is_string(ctx, -1)) {
        size_t n;
        const unsigned char *p = (const unsigned char *)duk_get_lstring(ctx, -1, &n);
        size_t first = cw_json_first_lone(p, n, 0);
        if (first < n)
            cw_json_escape_lone(ctx, first);
    }
    return 1;
}

/* ---- JSON.parse: V8's diagnosis of a malformed text ------------------------ */

typedef enum {
    CW_JV_OK = 0,
    CW_JV_EOS,    /* "Unexpected end of JSON input" */
    CW_JV_TOKEN,  /* "Unexpected token 'c', <context> is not valid JSON" */
    CW_JV_NUMBER, /* "Unexpected number in JSON at position N" */
    CW_JV_AT      /* msg + " at position N (line L column C)" */
} cw_jv_kind_t;

typedef struct {
    const unsigned char *p;
    size_t n, i;  /* bytes, and the offset read up to */
    long pos;     /* UTF-16 code units before p[i] */
    cw_jv_kind_t kind;
    const char *msg; /* CW_JV_AT's text, before " at position N" */
    size_t err_i;    /* where the error is */
    long err_pos;
} cw_jv_t;

/* Step over the character at v->i (a whole UTF-8 or CESU-8 sequence). */
static void cw_jv_step(cw_jv_t *v) {
    unsigned c = v->p[v->i];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    v->pos += len == 4 ? 2 : 1;
    v->i = v->i + len > v->n ? v->n : v->i + len;
}

static int cw_jv_peek(const cw_jv_t *v) { return v->i < v->n ? v->p[v->i] : -1; }

static void cw_jv_ws(cw_jv_t *v) {
    while (v->i < v->n && (v->p[v->i] == ' ' || v->p[v->i] == '\t' || v->p[v->i] == '\n' || v->p[v->i] == '\r'))
        cw_jv_step(v);
}

static int cw_jv_fail(cw_jv_t *v, cw_jv_kind_t kind, const char *msg) {
    v->kind = kind;
    v->msg = msg;
    v->err_i = v->i;
    v->err_pos = v->pos;
    return -1;
}

/* At the opening quote: a string, or its error. */
static int cw_jv_string(cw_jv_t *v) {
    cw_jv_step(v);
    for (;;) {
        int c = cw_jv_peek(v);
        if (c < 0)
            return cw_jv_fail(v, CW_JV_AT, "Unterminated string in JSON");
        if (c == '"') {
            cw_jv_step(v);
            return 0;
        }
        if (c < 0x20)
            return cw_jv_fail(v, CW_JV_AT, "Bad control character in string literal in JSON");
        if (c != '\\') {
            cw_jv_step(v);
            continue;
        }
        cw_jv_step(v);
        c = cw_jv_peek(v);
        if (c < 0)
            return cw_jv_fail(v, CW_JV_EOS, NULL);
        if (c == 'u') {
            cw_jv_step(v);
            for (int k = 0; k < 4; k++) {
                c = cw_jv_peek(v);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                    return cw_jv_fail(v, CW_JV_AT, "Bad Unicode escape in JSON");
                cw_jv_step(v);
            }
            continue;
        }
        if (!strchr("\"\\/bfnrt", c) || c == 0)
            return cw_jv_fail(v, CW_JV_AT, "Bad escaped character in JSON");
        cw_jv_step(v);
    }
}

static int cw_jv_digit(const cw_jv_t *v) {
    int c = cw_jv_peek(v);
    return c >= '0' && c <= '9';
}

static int cw_jv_number(cw_jv_t *v) {
    if (cw_jv_peek(v) == '-') {
        cw_jv_step(v);
        if (!cw_jv_digit(v))
            return cw_jv_fail(v, CW_JV_AT, "No number after minus sign in JSON");
    }
    if (cw_jv_peek(v) == '0') {
        cw_jv_step(v);
        if (cw_jv_digit(v))
            return cw_jv_fail(v, CW_JV_NUMBER, NULL);
    } else {
        while (cw_jv_digit(v))
            cw_jv_step(v);
    }
    if (cw_jv_peek(v) == '.') {
        cw_jv_step(v);
        if (!cw_jv_digit(v))
            return cw_jv_fail(v, CW_JV_AT, "Unterminated fractional number in JSON");
        while (cw_jv_digit(v))
            cw_jv_step(v);
    }
    if (cw_jv_peek(v) == 'e' || cw_jv_peek(v) == 'E') {
        cw_jv_step(v);
        if (cw_jv_peek(v) == '+' || cw_jv_peek(v) == '-')
            cw_jv_step(v);
        if (!cw_jv_digit(v))
            return cw_jv_fail(v, CW_JV_AT, "Exponent part is missing a number in JSON");
        while (cw_jv_digit(v))
            cw_jv_step(v);
    }
    return 0;
}

static int cw_jv_literal(cw_jv_t *v, const char *word) {
    for (const char *w = word; *w; w++) {
        int c = cw_jv_peek(v);
        if (c < 0)
            return cw_jv_fail(v, CW_JV_EOS, NULL);
        if (c != *w)
            return cw_jv_fail(v, CW_JV_TOKEN, NULL);
        cw_jv_step(v);
    }
    return 0;
}

/* Scan the whole text as V8's parser does; v->kind says how it ended.
 * `stack` has room for one byte per nesting level (n + 1 is enough). */
static void cw_jv_scan(cw_jv_t *v, unsigned char *stack) {
    size_t depth = 0;
value:
    cw_jv_ws(v);
    switch (cw_jv_peek(v)) {
    case -1:
        (void)cw_jv_fail(v, CW_JV_EOS, NULL);
        return;
    case '"':
        if (cw_jv_string(v))
            return;
        break;
    case '{':
        cw_jv_step(v);
        stack[depth++] = '{';
        cw_jv_ws(v);
        if (cw_jv_peek(v) == '}') {
            cw_jv_step(v);
            depth--;
            break;
        }
        if (cw_jv_peek(v) != '"') {
            (void)cw_jv_fail(v, CW_JV_AT, "Expected property name or '}' in JSON");
            return;
        }
        goto property;
    case '[':
        cw_jv_step(v);
        stack[depth++] = '[';
        cw_jv_ws(v);
        if (cw_jv_peek(v) == ']') {
            cw_jv_step(v);
            depth--;
            break;
        }
        goto value;
    case 't':
        if (cw_jv_literal(v, "true"))
            return;
        break;
    case 'f':
        if (cw_jv_literal(v, "false"))
            return;
        break;
    case 'n':
        if (cw_jv_literal(v, "null"))
            return;
        break;
    default:
        if (cw_jv_peek(v) == '-' || cw_jv_digit(v)) {
            if (cw_jv_number(v))
                return;
            break;
        }
        (void)cw_jv_fail(v, CW_JV_TOKEN, NULL);
        return;
    }
    /* after a value */
    for (;;) {
        cw_jv_ws(v);
        if (depth == 0) {
            if (v->i < v->n)
                (void)cw_jv_fail(v, CW_JV_AT, "Unexpected non-whitespace character after JSON");
            return;
        }
        int c = cw_jv_peek(v);
        if (stack[depth - 1] == '[') {
            if (c == ',') {
                cw_jv_step(v);
                goto value;
            }
            if (c != ']') {
                (void)cw_jv_fail(v, CW_JV_AT, "Expected ',' or ']' after array element in JSON");
                return;
            }
        } else {
            if (c == ',') {
                cw_jv_step(v);
                cw_jv_ws(v);
                if (cw_jv_peek(v) != '"') {
                    (void)cw_jv_fail(v, CW_JV_AT, "Expected double-quoted property name in JSON");
                    return;
                }
                goto property;
            }
            if (c != '}') {
                (void)cw_jv_fail(v, CW_JV_AT, "Expected ',' or '}' after property value in JSON");
                return;
            }
        }
        cw_jv_step(v);
        depth--;
    }
property:
    if (cw_jv_string(v))
        return;
    cw_jv_ws(v);
    if (cw_jv_peek(v) != ':') {
        (void)cw_jv_fail(v, CW_JV_AT, "Expected ':' after property name in JSON");
        return;
    }
    cw_jv_step(v);
    goto value;
}

/* Line and column (1-based) of the error, as V8 counts them. */
static void cw_jv_location(const cw_jv_t *v, long *line, long *col) {
    long ln = 1, line_start = 0;
    cw_jv_t w = {v->p, v->err_i, 0, 0, CW_JV_OK, NULL, 0, 0};
    while (w.i < w.n) {
        unsigned c = w.p[w.i];
        if (c == '\r' && w.i + 1 < w.n && w.p[w.i + 1] == '\n') { /* \r\n is one line break */
            cw_jv_step(&w);
            c = '\n';
        }
        cw_jv_step(&w);
        if (c == '\r' || c == '\n') {
            ln++;
            line_start = w.pos;
        }
    }
    *line = ln;
    *col = 1 + v->err_pos - line_start;
}

/* [ ... text ] -> [ ... text message ]: V8's message for the malformed text,
 * or nothing pushed (returns 0) when the scan finds it well-formed. */
static int cw_json_diagnose(duk_context *ctx, duk_idx_t text) {
    size_t n;
    const unsigned char *p = (const unsigned char *)duk_get_lstring(ctx, text, &n);
    unsigned char *stack = duk_push_fixed_buffer(ctx, n + 1);
    cw_jv_t v = {p, n, 0, 0, CW_JV_OK, NULL, 0, 0};
    cw_jv_scan(&v, stack);
    duk_pop(ctx);
    long line, col;
    switch (v.kind) {
    case CW_JV_OK:
        return 0;
    case CW_JV_EOS:
        duk_push_string(ctx, "Unexpected end of JSON input");
        return 1;
    case CW_JV_NUMBER:
        cw_jv_location(&v, &line, &col);
        duk_push_sprintf(ctx, "Unexpected number in JSON at position %ld (line %ld column %ld)", v.err_pos, line, col);
        return 1;
    case CW_JV_AT:
        cw_jv_location(&v, &line, &col);
        duk_push_sprintf(ctx, "%s at position %ld (line %ld column %ld)", v.msg, v.err_pos, line, col);
        return 1;
    case CW_JV_TOKEN:
        break;
    }
    static const char *const special[] = {"NaN", "Infinity", "undefined", "[object Object]", NULL};
    for (size_t k = 0; special[k]; k++)
        if (n == strlen(special[k]) && memcmp(p, special[k], n) == 0) {
            duk_push_sprintf(ctx, "\"%s\" is not valid JSON", special[k]);
            return 1;
        }
    /* The token is one UTF-16 code unit; the context is the whole text when
     * it is short, else ten code units either side of the token. */
    long len = (long)duk_get_length(ctx, text), pos = v.err_pos;
    duk_idx_t base = duk_get_top(ctx);
    duk_push_string(ctx, "Unexpected token '");
    duk_dup(ctx, text);
    duk_substring(ctx, -1, (duk_size_t)pos, (duk_size_t)pos + 1);
    const char *open = "\"", *close = "\"";
    long from = 0, to = len;
    if (len >= 21) {
        if (pos < 10) {
            to = pos + 10;
            close = "\"...";
        } else if (pos < len - 10) {
            from = pos - 10;
            to = pos + 10;
            open = "...\"";
            close = "\"...";
        } else {
            from = pos - 10;
            open = "...\"";
        }
    }
    duk_push_sprintf(ctx, "', %s", open);
    duk_dup(ctx, text);
    duk_substring(ctx, -1, (duk_size_t)from, (duk_size_t)to);
    duk_push_sprintf(ctx, "%s is not valid JSON", close);
    duk_concat(ctx, duk_get_top(ctx) - base);
    return 1;
}

static duk_ret_t cw_json_parse(duk_context *ctx) {
    duk_idx_t nargs = duk_get_top(ctx);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_JSON_STASH_PARSE);
    duk_remove(ctx, -2);
    duk_insert(ctx, 0);
    if (nargs == 0) {
        duk_push_undefined(ctx);
        nargs = 1;
    }
    /* The text as the engine will read it; its ToString runs once, here
     * (a Symbol throws the TypeError it throws in V8). */
    duk_to_string(ctx, 1);
    duk_dup(ctx, 1);
    duk_insert(ctx, 0); /* [ text parse text args... ] */
    const duk_idx_t text = 0;
    if (duk_pcall(ctx, nargs) == DUK_EXEC_SUCCESS)
        return 1;
    if (duk_get_error_code(ctx, -1) != DUK_ERR_SYNTAX_ERROR || !cw_json_diagnose(ctx, text))
        return duk_throw(ctx);
    duk_get_global_string(ctx, "SyntaxError");
    duk_swap_top(ctx, -2);
    duk_new(ctx, 1);
    return duk_throw(ctx);
}

void cw_json_install(duk_context *ctx) {
    duk_idx_t top = duk_get_top(ctx);
    duk_get_global_string(ctx, "JSON");
    duk_idx_t json = duk_get_top_index(ctx);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, json, "stringify");
    duk_put_prop_string(ctx, -2, CW_JSON_STASH_STRINGIFY);
    cw_runtime_def_method(ctx, json, "stringify", cw_json_stringify, DUK_VARARGS, 3, 0);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, json, "parse");
    duk_put_prop_string(ctx, -2, CW_JSON_STASH_PARSE);
    cw_runtime_def_method(ctx, json, "parse", cw_json_parse, DUK_VARARGS, 2, 0);
    duk_set_top(ctx, top);
}
