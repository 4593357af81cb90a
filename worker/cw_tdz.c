/*
 * cw_tdz.c -- `__cw_tdz`: the temporal dead zone's error and sentinel.
 *
 * The lowering turns `let`/`const`/`class` into `var` (Duktape runs ES5), so
 * by itself a binding read before its declaration ran would be `undefined`
 * where Node throws.  The lowering's TDZ pass (worker/lower/src/tdz.rs)
 * finds those uses: one that always runs too early becomes a call
 * `__cw_tdz("x")`; one that may (a hoisted helper called before a constant
 * it reads is declared) compares the binding with `__cw_tdz` itself, which
 * the binding holds from the start of its scope until its declaration runs.
 *
 * So this one function is both: called, it throws V8's ReferenceError,
 * "Cannot access 'x' before initialization"; as a value it is the sentinel,
 * unique to the heap and out of reach of JSON input.  It is a hidden
 * (non-enumerable), read-only, non-configurable global, so a job cannot
 * replace it; a job that reads it and stores it in its own `let` only
 * makes its own check fire.  The error comes from the heap's own
 * ReferenceError (cw_runtime_push_original), whatever the job did to the
 * global one.
 */
#include "cw_tdz.h"

#include "cw_runtime.h"

static duk_ret_t cw_tdz_throw(duk_context *ctx) {
    cw_runtime_push_original(ctx, CW_RT_ORIG_REFERENCE_ERROR); /* the heap's own, not the job's */
    duk_push_string(ctx, "Cannot access '");
    if (duk_is_string(ctx, 0))
        duk_dup(ctx, 0);
    else
        duk_push_string(ctx, "binding");
    duk_push_string(ctx, "' before initialization");
    duk_concat(ctx, 3);
    /* Made by the constructor, not by a C call: no C file and line in its
     * stack, whose first frame is the job's line that used the binding. */
    duk_new(ctx, 1);
    return duk_throw(ctx);
}

void cw_tdz_install(duk_context *ctx) {
    duk_push_global_object(ctx);
    duk_push_string(ctx, "__cw_tdz");
    duk_push_c_function(ctx, cw_tdz_throw, 1);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_HAVE_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_HAVE_CONFIGURABLE);
    duk_pop(ctx);
}
