/*
 * cw_errors.c -- `new Error(message, { cause })` for Duktape's error
 * constructors.
 *
 * ES2022 gave every native error constructor an options argument whose
 * `cause` becomes an own, non-enumerable property of the error; agents chain
 * errors with it (`throw new Error("fetch failed", { cause: e })`).  Duktape
 * 2.7 ignores the argument.  Each global error constructor (Error,
 * EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError) is
 * replaced by a native wrapper that calls Duktape's own constructor -- so the
 * object is a real error, with its traceback, `[object Error]` class and
 * prototype -- and then installs `cause` as specified (InstallErrorCause:
 * only when options is an object that has a `cause` property, read once).
 * The wrappers share the originals' prototypes (`instanceof`, errors the
 * engine throws itself, and `prototype.constructor` all agree) and print as
 * native functions, so lowered subclasses take the same path as before.
 * The `stack` of such an error gets its "Name: message" line when it is
 * first read, as in V8, so a subclass's own name shows in it.
 * Error.captureStackTrace(target, fn) gives target such a lazy stack too
 * (V8's API, which custom error classes copied from Node code call), and
 * Error.stackTraceLimit is V8's 10.
 * Installed once per heap, as part of the sealed heap image.
 */
#include "cw_errors.h"

#include "cw_runtime.h"

#include <string.h>

#define CW_ERRORS_ORIGINAL DUK_HIDDEN_SYMBOL("cwOriginalError")
#define CW_ERRORS_FRAMES DUK_HIDDEN_SYMBOL("cwStackFrames")
#define CW_ERRORS_GET DUK_HIDDEN_SYMBOL("cwStackGet")
#define CW_ERRORS_SET DUK_HIDDEN_SYMBOL("cwStackSet")

#define CW_ERRORS_TEXT DUK_HIDDEN_SYMBOL("cwStackText")

/* [ ... text ] -> [ ... ]: keep text as obj's stack (also on a frozen or
 * non-extensible error, as V8 can). */
static void cw_errors_keep_text(duk_context *ctx, duk_idx_t obj) {
    duk_push_string(ctx, CW_ERRORS_TEXT);
    duk_swap_top(ctx, -2);
    duk_def_prop(ctx, obj, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                               DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
}

/* The `stack` of an error made by a constructor here, read for the first
 * time: V8 writes the header ("Name: message") when the stack is first
 * read, not when the error is made, so a subclass that sets this.name in
 * its constructor (`class ValidationError extends Error`) prints its own
 * name.  The header follows Error.prototype.toString's rules on the
 * error's current name and message; the text is then kept, and `stack`
 * stays an own accessor, as in V8. */
static duk_ret_t cw_errors_stack_get(duk_context *ctx) {
    duk_push_this(ctx);
    if (!duk_is_object(ctx, 0))
        return 0;
    if (duk_get_prop_string(ctx, 0, CW_ERRORS_TEXT))
        return 1;
    duk_pop(ctx);
    duk_get_prop_string(ctx, 0, CW_ERRORS_FRAMES); /* [ this frames ] */
    if (!duk_is_string(ctx, 1))
        return 0;
    duk_get_prop_string(ctx, 0, "name");
    if (duk_is_undefined(ctx, 2)) {
        duk_pop(ctx);
        duk_push_string(ctx, "Error");
    } else {
        duk_to_string(ctx, 2);
    }
    duk_get_prop_string(ctx, 0, "message");
    if (duk_is_undefined(ctx, 3)) {
        duk_pop(ctx);
        duk_push_string(ctx, "");
    } else {
        duk_to_string(ctx, 3);
    }
    if (duk_get_length(ctx, 2) == 0) {
        duk_remove(ctx, 2); /* [ this frames message ] */
    } else if (duk_get_length(ctx, 3) == 0) {
        duk_pop(ctx); /* [ this frames name ] */
    } else {
        duk_push_string(ctx, ": ");
        duk_insert(ctx, 3);
        duk_concat(ctx, 3);
    }
    duk_swap(ctx, 1, 2);
    duk_concat(ctx, 2); /* [ this header+frames ] */
    duk_dup_top(ctx);
    cw_errors_keep_text(ctx, 0);
    return 1;
}

/* `e.stack = v`: v is the stack from now on. */
static duk_ret_t cw_errors_stack_set(duk_context *ctx) {
    duk_push_this(ctx);
    if (!duk_is_object(ctx, 1))
        return 0;
    duk_dup(ctx, 0);
    cw_errors_keep_text(ctx, 1);
    return 0;
}

#define CW_ERRORS_PLAIN_TO_STRING DUK_HIDDEN_SYMBOL("cwPlainToString")

static duk_ret_t cw_errors_plain_to_string(duk_context *ctx) {
    duk_push_string(ctx, "Error");
    return 1;
}

/* [ ... frames ] -> [ ... rest ]: the frames text ("\n    at ..." lines)
 * without its first line when that is a native function's frame -- the
 * wrapper or built-in that made the error, not the job's code. */
static void cw_errors_drop_native_frame(duk_context *ctx) {
    duk_size_t n = 0;
    const char *st = duk_get_lstring(ctx, -1, &n);
    const char *l2 = n > 1 ? memchr(st + 1, '\n', n - 1) : NULL;
    if (l2 && n > 8 && memcmp(st, "\n    at ", 8) == 0 && memmem(st, (size_t)(l2 - st), ") native", 8) != NULL) {
        duk_push_lstring(ctx, l2, n - (duk_size_t)(l2 - st));
        duk_remove(ctx, -2);
    }
}

static duk_ret_t cw_errors_construct(duk_context *ctx) {
    duk_idx_t nargs = duk_get_top(ctx);
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, CW_ERRORS_ORIGINAL);
    duk_remove(ctx, -2);
    if (nargs > 0)
        duk_dup(ctx, 0);
    duk_new(ctx, nargs > 0 ? 1 : 0); /* [ args... err ] */
    /* The traceback has this wrapper's own frame at its top ("at Error ()
     * native ..."): the stack the job sees starts at its own code.  Its
     * frames are kept; the header is written when the stack is first read
     * (cw_errors_stack_get).  The engine's stack text starts with
     * ToString(err), which would call the job's Error.prototype.toString
     * (one that throws a new Error recursed until the call stack ran out):
     * an own toString of ours answers while the frames are read. */
    duk_push_string(ctx, "toString");
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, CW_ERRORS_PLAIN_TO_STRING);
    duk_remove(ctx, -2);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_get_prop_string(ctx, -1, "stack");
    duk_push_string(ctx, "toString");
    duk_del_prop(ctx, -3);
    if (duk_is_string(ctx, -1)) {
        duk_size_t n = 0;
        const char *st = duk_get_lstring(ctx, -1, &n);
        const char *l1 = memchr(st, '\n', n); /* past the header */
        duk_push_lstring(ctx, l1 ? l1 : st + n, l1 ? n - (duk_size_t)(l1 - st) : 0);
        cw_errors_drop_native_frame(ctx); /* the wrapper's frame */
        duk_put_prop_string(ctx, -3, CW_ERRORS_FRAMES);
        duk_push_string(ctx, "stack");
        duk_push_current_function(ctx);
        duk_get_prop_string(ctx, -1, CW_ERRORS_GET);
        duk_get_prop_string(ctx, -2, CW_ERRORS_SET);
        duk_remove(ctx, -3);
        duk_def_prop(ctx, -5, DUK_DEFPROP_HAVE_GETTER | DUK_DEFPROP_HAVE_SETTER | DUK_DEFPROP_HAVE_ENUMERABLE |
                                  DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    }
    duk_pop(ctx);
    if (nargs > 1 && duk_is_object(ctx, 1) && duk_has_prop_string(ctx, 1, "cause")) {
        duk_push_string(ctx, "cause");
        duk_get_prop_string(ctx, 1, "cause");
        duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                                  DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    }
    return 1;
}

/* Error.captureStackTrace(target[, fn]), as in V8: target gets an own,
 * non-enumerable `stack` accessor with the frames of the call (those above
 * and including the last call of fn left out, all of them when fn is not
 * being called), its "Name: message" header written from target when the
 * stack is first read.  Custom error classes copied from Node code call it
 * in their constructors; without it they threw a TypeError. */
static duk_ret_t cw_errors_capture(duk_context *ctx) {
    if (!duk_is_object(ctx, 0))
        return duk_type_error(ctx, "invalid_argument");
    duk_set_top(ctx, 2);
    cw_runtime_push_original(ctx, CW_RT_ORIG_IS_EXTENSIBLE);
    duk_dup(ctx, 0);
    duk_call(ctx, 1);
    if (!duk_to_boolean(ctx, -1))
        return duk_type_error(ctx, "Cannot define property stack, object is not extensible");
    duk_pop(ctx);
    cw_runtime_push_original(ctx, CW_RT_ORIG_ERROR); /* [ target fn Error ] */
    duk_new(ctx, 0);                                 /* [ target fn err ] */
    duk_get_prop_string(ctx, -1, CW_ERRORS_FRAMES);
    if (!duk_is_string(ctx, -1)) {
        duk_pop(ctx);
        duk_push_string(ctx, "");
    }
    cw_errors_drop_native_frame(ctx); /* this function's own frame */
    if (duk_is_function(ctx, 1)) {
        /* Frames read "\n    at NAME (...)": cut through the first of fn's. */
        duk_get_prop_string(ctx, 1, "name");
        const char *name = duk_is_string(ctx, -1) ? duk_get_string(ctx, -1) : "";
        duk_push_sprintf(ctx, "\n    at %s ", *name ? name : "[anon]");
        duk_size_t n = 0, pn = 0;
        const char *st = duk_get_lstring(ctx, -3, &n);
        const char *pat = duk_get_lstring(ctx, -1, &pn);
        const char *at = memmem(st, n, pat, pn);
        const char *next = at ? memchr(at + 1, '\n', n - (duk_size_t)(at + 1 - st)) : NULL;
        if (!at)
            duk_push_string(ctx, "");
        else
            duk_push_lstring(ctx, next ? next : st + n, next ? n - (duk_size_t)(next - st) : 0);
        duk_replace(ctx, -4);
        duk_pop_2(ctx);
    }
    /* [ target fn err frames ] */
    duk_push_string(ctx, CW_ERRORS_TEXT);
    duk_del_prop(ctx, 0); /* a stack read before is written anew */
    duk_put_prop_string(ctx, 0, CW_ERRORS_FRAMES);
    duk_push_string(ctx, "stack");
    cw_runtime_push_original(ctx, CW_RT_ORIG_ERROR);
    duk_get_prop_string(ctx, -1, CW_ERRORS_GET);
    duk_get_prop_string(ctx, -2, CW_ERRORS_SET);
    duk_remove(ctx, -3);
    duk_def_prop(ctx, 0, DUK_DEFPROP_HAVE_GETTER | DUK_DEFPROP_HAVE_SETTER | DUK_DEFPROP_HAVE_ENUMERABLE |
                             DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    return 0;
}

/* [ global ] Error.captureStackTrace and Error.stackTraceLimit (10, V8's
 * default; a job may change it, the engine's traceback depth stays 10). */
static void cw_errors_install_capture(duk_context *ctx) {
    duk_get_prop_string(ctx, -1, "Error"); /* [ global Error ] */
    duk_push_string(ctx, "captureStackTrace");
    duk_push_c_function(ctx, cw_errors_capture, 2);
    duk_push_string(ctx, "name");
    duk_push_string(ctx, "captureStackTrace");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_CLEAR_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE);
    duk_push_string(ctx, "stackTraceLimit");
    duk_push_int(ctx, 10);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_SET_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE);
    duk_pop(ctx);
}

void cw_errors_install(duk_context *ctx) {
    static const char *const names[] = {"Error",       "EvalError", "RangeError", "ReferenceError",
                                        "SyntaxError", "TypeError", "URIError",   NULL};
    duk_push_global_object(ctx);
    for (size_t i = 0; names[i]; i++) {
        duk_get_prop_string(ctx, -1, names[i]); /* [ global orig ] */
        cw_runtime_wrap_ctor(ctx, names[i], cw_errors_construct, CW_ERRORS_ORIGINAL, 1); /* [ global orig F ] */
        duk_push_c_function(ctx, cw_errors_stack_get, 0);
        duk_put_prop_string(ctx, -2, CW_ERRORS_GET);
        duk_push_c_function(ctx, cw_errors_stack_set, 1);
        duk_put_prop_string(ctx, -2, CW_ERRORS_SET);
        duk_push_c_function(ctx, cw_errors_plain_to_string, 0); /* made once, not per error */
        duk_put_prop_string(ctx, -2, CW_ERRORS_PLAIN_TO_STRING);
        /* The native errors inherit from Error: keep [[Prototype]] of the
         * constructors too (TypeError.__proto__ === Error). */
        if (i > 0) {
            duk_get_prop_string(ctx, -3, "Error");
            duk_set_prototype(ctx, -2);
        }
        duk_pop_2(ctx); /* F, orig */
    }
    cw_errors_install_capture(ctx);
    duk_pop(ctx);
}
