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
 * Installed at heap preparation (part of the heap image, nothing per job);
 * the engine's function is kept in the heap stash, where jobs cannot reach
 * it.  The replacement has the built-in's name and length.
 */
#include "cw_json.h"

#include <string.h>

#include "cw_runtime.h"

#define CW_JSON_STASH_STRINGIFY "cw_json_stringify"

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

void cw_json_install(duk_context *ctx) {
    duk_idx_t top = duk_get_top(ctx);
    duk_get_global_string(ctx, "JSON");
    duk_idx_t json = duk_get_top_index(ctx);
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, json, "stringify");
    duk_put_prop_string(ctx, -2, CW_JSON_STASH_STRINGIFY);
    cw_runtime_def_method(ctx, json, "stringify", cw_json_stringify, DUK_VARARGS, 3, 0);
    duk_set_top(ctx, top);
}
