/*
 * cw_duk_engine.h -- what the sandbox needs from Duktape that its
 * public API does not offer (see cw_duk_engine.c for why).
 */
#ifndef CW_DUK_ENGINE_H
#define CW_DUK_ENGINE_H

#include "duktape.h"

/* Make the thread now executing bytecode in ctx's heap run its interrupt
 * (and so the execution-timeout check) before its next instruction.  Safe
 * to call from the heap's allocation functions; a no-op when no thread is
 * running. */
void cw_duk_interrupt_now(duk_context *ctx);

/* Stop (on = 1) or allow again (on = 0) the heap's mark-and-sweep.  The
 * sandbox stops it once a job is past its deadline: every allocation the
 * job still asks for is then refused, and each refusal would otherwise cost
 * the engine ten full collections before it gives up.  Reference counting
 * still frees.  Calls nest; allow again before destroying the heap. */
void cw_duk_gc_pause(duk_context *ctx, int on);

/* 1 when the value at idx is the engine's fixed "double error" instance:
 * what Duktape throws when creating an error object itself fails, which in
 * practice means the heap had no room left. */
int cw_duk_is_double_error(duk_context *ctx, duk_idx_t idx);

/* The number of the own array-index properties of the object at idx,
 * counted without running any code; -1 when the value is not an object,
 * when its indices are exotic (a Proxy, a String object, arguments, a typed
 * array) or when one of them is an accessor.  Native built-ins use it to
 * see that an array is sparse and that reading it has no side effects. */
long cw_duk_own_index_count(duk_context *ctx, duk_idx_t idx);

/* When the value at idx is a Proxy: push its target and its handler and
 * return 1; otherwise push nothing and return 0.  Duktape's Proxy has no
 * defineProperty or getOwnPropertyDescriptor trap and no way for script to
 * tell a proxy from its target; the runtime's Reflect.set (reflect.js)
 * needs both to write through a proxy receiver as the specification does. */
int cw_duk_proxy_parts(duk_context *ctx, duk_idx_t idx);

/* Make the native function at idx a built-in method as ECMAScript has
 * them: not a constructor (`new JSON.parse()` is a TypeError).  Duktape's
 * duk_push_c_function() makes every function constructable, and the API has
 * no way to say otherwise. */
void cw_duk_not_constructor(duk_context *ctx, duk_idx_t idx);

#endif /* CW_DUK_ENGINE_H */
