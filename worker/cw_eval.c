/*
 * cw_eval.c -- code built at run time, lowered like the job's own code.
 *
 * A job's code is lowered to ES5 before Duktape sees it (cw_lowering.c), but
 * strings handed to `new Function(...)` or `eval(...)` reach Duktape's own
 * compiler at run time, which rejects `let`, arrows, classes and the rest
 * with a SyntaxError.  Both are routed through the same lowering library
 * here, inside the executor, while the job runs (the engine's deadline check
 * runs before and after each call; the supervisor's hard kill bounds the
 * native lowering itself, which is linear in the source and capped at the
 * library's source limit).
 *
 * Duktape compiles first; only code it rejects with a SyntaxError is
 * lowered, so ES5 strings keep exactly Duktape's behaviour and cost one
 * extra compile at most.  The lowered text inlines its transform helpers
 * (the job's frozen __cw_h holds only the helpers the job's own code needs),
 * and is not cached: the job-level cache entries are owned by the job being
 * run (cw_lowering.h), and strings built at run time rarely repeat across
 * jobs the way job code does.
 *
 * Function: the global `Function` becomes a native constructor that calls
 * Duktape's and, on a SyntaxError, lowers the source the specification
 * builds, `(function anonymous(<params>\n) {\n<body>\n})`, and returns
 * its value from a function body compiled in the global scope (so the
 * inlined helpers stay local to it).  It shares Function.prototype, so instanceof
 * and prototype methods are unchanged.
 *
 * eval: direct eval must stay Duktape's built-in `eval` called by that name,
 * or it loses the caller's scope.  So the lowering rewrites a direct call
 * `eval(x)` in lowered code into `eval(__cw_eval_src(x))`: the call is still
 * a direct eval, and __cw_eval_src (a hidden, read-only global) returns x
 * unchanged when Duktape compiles it and its lowered form otherwise.  Its
 * `let`/`const` then behave like `var` of the eval code (visible to the
 * calling function in sloppy mode, as Duktape's `var` would be).  Not
 * covered: indirect eval (`(0, eval)(s)`, `globalThis.eval(s)`) and eval in
 * code that needed no lowering, which keep Duktape's ES5 compiler.
 */
#include "cw_eval.h"

#include "cw_runtime.h"

#include <stdio.h>
#include <string.h>

#include "cw_lower.h"

#define CW_EVAL_ORIGINAL DUK_HIDDEN_SYMBOL("cwOriginalFunction")

/* [ ... ] -> [ ... lowered-code ]; throws SyntaxError when swc rejects it. */
static void cw_eval_push_lowered(duk_context *ctx, const char *src, size_t len) {
    cw_lower_out_t *out = NULL;
    int rc = cw_lower(src, len, CW_LOWER_INLINE_HELPERS | CW_LOWER_NO_MAP, &out);
    if (!out)
        (void)duk_error(ctx, DUK_ERR_RANGE_ERROR, "out of memory lowering code built at run time");
    if (rc != CW_LOWER_OK) {
        unsigned line = 0, col = 0;
        const char *msg = cw_lower_error(out, &line, &col);
        char text[512];
        snprintf(text, sizeof(text), "%s (line %u)", msg ? msg : "invalid code", line);
        cw_lower_free(out);
        (void)duk_error(ctx, rc == CW_LOWER_SYNTAX ? DUK_ERR_SYNTAX_ERROR : DUK_ERR_ERROR, "%s", text);
    }
    size_t n = 0;
    const char *code = cw_lower_code(out, &n);
    /* duk_push_lstring can throw (heap at its cap): free first. */
    duk_push_fixed_buffer(ctx, n);
    memcpy(duk_get_buffer_data(ctx, -1, NULL), code, n);
    cw_lower_free(out);
    duk_buffer_to_string(ctx, -1);
}

/* __cw_eval_src(x): x itself unless it is a string Duktape cannot compile;
 * then the lowered code. */
static duk_ret_t cw_eval_src(duk_context *ctx) {
    if (!duk_is_string(ctx, 0))
        return 1;
    duk_size_t n = 0;
    const char *s = duk_get_lstring(ctx, 0, &n);
    duk_push_string(ctx, "eval");
    if (duk_pcompile_lstring_filename(ctx, DUK_COMPILE_EVAL, s, n) == 0) {
        duk_pop(ctx);
        duk_dup(ctx, 0);
        return 1;
    }
    duk_pop(ctx);
    cw_eval_push_lowered(ctx, s, n);
    return 1;
}

/* A safe call around the original constructor: [ ... f args ] -> [ ... result ]
 * (a safe call sees its caller's whole stack; udata is the argument count). */
static duk_ret_t cw_eval_new(duk_context *ctx, void *udata) {
    duk_new(ctx, *(const duk_idx_t *)udata);
    return 1;
}

static duk_ret_t cw_eval_function(duk_context *ctx) {
    duk_idx_t nargs = duk_get_top(ctx);
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, CW_EVAL_ORIGINAL);
    duk_remove(ctx, -2);
    for (duk_idx_t i = 0; i < nargs; i++)
        duk_dup(ctx, i);
    if (duk_safe_call(ctx, cw_eval_new, &nargs, nargs + 1, 1) == DUK_EXEC_SUCCESS)
        return 1;
    /* Anything but a SyntaxError is the answer (a throwing toString, say). */
    if (!duk_is_error(ctx, -1) || duk_get_error_code(ctx, -1) != DUK_ERR_SYNTAX_ERROR)
        return duk_throw(ctx);
    duk_pop(ctx);

    /* The source the specification builds (CreateDynamicFunction). */
    duk_push_string(ctx, "(function anonymous(");
    for (duk_idx_t i = 0; i + 1 < nargs; i++) {
        if (i > 0)
            duk_push_string(ctx, ",");
        duk_dup(ctx, i);
        duk_to_string(ctx, -1);
    }
    duk_push_string(ctx, "\n) {\n");
    if (nargs > 0) {
        duk_dup(ctx, nargs - 1);
        duk_to_string(ctx, -1);
    } else {
        duk_push_string(ctx, "");
    }
    duk_push_string(ctx, "\n})");
    duk_concat(ctx, duk_get_top(ctx) - nargs);
    duk_size_t n = 0;
    const char *src = duk_get_lstring(ctx, -1, &n);
    cw_eval_push_lowered(ctx, src, n);
    /* The lowered text is the inlined helpers' declarations, then that
     * expression statement, printed at the start of a line; it becomes the
     * value returned by a function body, so the helpers stay local to it. */
    const char *code = duk_get_lstring(ctx, -1, &n);
    static const char head[] = "(function anonymous(";
    size_t at = n;
    for (size_t i = 0; i + sizeof(head) - 1 <= n; i++) {
        if ((i == 0 || code[i - 1] == '\n') && memcmp(code + i, head, sizeof(head) - 1) == 0) {
            at = i;
            break;
        }
    }
    if (at == n)
        (void)duk_error(ctx, DUK_ERR_ERROR, "lowering lost the function built at run time");
    duk_push_string(ctx, "function(){");
    duk_push_lstring(ctx, code, at);
    duk_push_string(ctx, "return ");
    duk_push_lstring(ctx, code + at, n - at);
    duk_push_string(ctx, "\n}");
    duk_concat(ctx, 5);
    duk_push_string(ctx, "Function");
    duk_compile(ctx, DUK_COMPILE_FUNCTION);
    duk_call(ctx, 0);
    return 1;
}

void cw_eval_install(duk_context *ctx) {
    duk_push_global_object(ctx);

    /* __cw_eval_src: hidden (non-enumerable) and read-only. */
    duk_push_string(ctx, "__cw_eval_src");
    duk_push_c_function(ctx, cw_eval_src, 1);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_HAVE_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_HAVE_CONFIGURABLE);

    /* Function: [ global ] */
    duk_get_prop_string(ctx, -1, "Function");        /* original */
    cw_runtime_wrap_ctor(ctx, "Function", cw_eval_function, CW_EVAL_ORIGINAL, 1); /* [ global orig F ] */
    duk_pop_3(ctx);
}
