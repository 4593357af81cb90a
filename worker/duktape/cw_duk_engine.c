/*
 * cw_duk_engine.c -- the Duktape engine as codeworker compiles it: Debian's
 * amalgamated duktape.c (through the build folder's symlink, with our
 * duk_config.h), plus a few small functions that need the engine's internal
 * structures, which exist only inside this translation unit.
 *
 * Why they are needed:
 *
 *  - Duktape runs its execution-timeout check only every 256K bytecode
 *    instructions (DUK_HTHREAD_INTCTR_DEFAULT, not configurable).  When each
 *    instruction is expensive -- an allocation refused at the memory cap
 *    costs ten garbage collections before the engine gives up, and a job
 *    can catch that error in a loop -- 256K instructions take minutes, so
 *    the job ran on to the supervisor's hard kill and lost its logs.  The
 *    sandbox sees the deadline pass in its allocator and, through
 *    cw_duk_interrupt_now(), makes the very next instruction run the check,
 *    which then keeps throwing through every catch and finally until the
 *    job has unwound (the engine's own timeout protocol).  While it unwinds,
 *    every allocation it asks for is refused, and a refusal costs the
 *    engine ten full collections before it gives up; on a heap at its cap
 *    that was seconds per throw, so cw_duk_gc_pause() switches collection
 *    off for a job that is past its deadline.
 *
 *  - When creating an error object fails for lack of memory, Duktape throws
 *    a preallocated "double error" instead.  The sandbox must recognise it
 *    to report MEMORY_LIMIT by what the job died of, and nothing but its
 *    address identifies it.
 *
 *  - Reflect.set with a receiver that is a Proxy (reflect.js) must write
 *    through it to its target, and nothing in script tells a proxy from
 *    its target: cw_duk_proxy_parts().
 *
 *  - Native built-in methods must not be constructors, and only the
 *    engine's internal flag says so: cw_duk_not_constructor().
 *
 *  - Native replacements of join/repeat/pad (cw_strings.c) must tell a
 *    sparse array -- `new Array(2e7)` holds no element at all -- from a
 *    dense one without enumerating it, and know that reading its elements
 *    cannot run code: cw_duk_own_index_count().
 *
 * Nothing else of the engine is changed: no copy of Duktape lives in this
 * repository, and these functions only read or reset fields the engine's
 * own debugger support resets in the same way (duk_debugger_pause()).
 */
#include "duktape.c"

#include "cw_duk_engine.h"

void cw_duk_interrupt_now(duk_context *ctx) {
    duk_heap *heap = ctx->heap;
    duk_hthread *thr = heap ? heap->curr_thread : NULL;
    if (!thr)
        return;
    /* As the debugger does: the instructions run so far stay counted. */
    thr->interrupt_init -= thr->interrupt_counter;
    thr->interrupt_counter = 0;
}

void cw_duk_not_constructor(duk_context *ctx, duk_idx_t idx) {
    duk_hobject *h = duk_get_hobject(ctx, idx);
    if (h && DUK_HOBJECT_IS_NATFUNC(h))
        DUK_HOBJECT_CLEAR_CONSTRUCTABLE(h);
}

int cw_duk_proxy_parts(duk_context *ctx, duk_idx_t idx) {
    duk_hobject *h = duk_get_hobject(ctx, idx);
    if (!h || !DUK_HOBJECT_HAS_EXOTIC_PROXYOBJ(h))
        return 0;
    duk_hproxy *p = (duk_hproxy *)h;
    if (!p->target || !p->handler)
        return 0;
    duk_push_hobject((duk_hthread *)ctx, p->target);
    duk_push_hobject((duk_hthread *)ctx, p->handler);
    return 1;
}

int cw_duk_is_double_error(duk_context *ctx, duk_idx_t idx) {
    duk_hobject *h = duk_get_hobject(ctx, idx);
    return h != NULL && h == ctx->builtins[DUK_BIDX_DOUBLE_ERROR];
}

void cw_duk_gc_pause(duk_context *ctx, int on) {
    duk_heap *heap = ctx->heap;
    if (on)
        heap->ms_prevent_count++;
    else if (heap->ms_prevent_count > 0)
        heap->ms_prevent_count--;
}

long cw_duk_own_index_count(duk_context *ctx, duk_idx_t idx) {
    duk_hobject *h = duk_get_hobject(ctx, idx);
    if (!h || DUK_HOBJECT_HAS_EXOTIC_PROXYOBJ(h) || DUK_HOBJECT_HAS_EXOTIC_STRINGOBJ(h) ||
        DUK_HOBJECT_HAS_EXOTIC_ARGUMENTS(h) || DUK_HOBJECT_IS_BUFOBJ(h))
        return -1;
    duk_heap *heap = ctx->heap;
    long n = 0;
    if (DUK_HOBJECT_HAS_ARRAY_PART(h)) {
        duk_uint32_t size = DUK_HOBJECT_GET_ASIZE(h);
        for (duk_uint32_t i = 0; i < size; i++)
            if (!DUK_TVAL_IS_UNUSED(DUK_HOBJECT_A_GET_VALUE_PTR(heap, h, i)))
                n++;
    }
    duk_uint32_t next = DUK_HOBJECT_GET_ENEXT(h);
    for (duk_uint32_t i = 0; i < next; i++) {
        duk_hstring *key = DUK_HOBJECT_E_GET_KEY(heap, h, i);
        if (!key || !DUK_HSTRING_HAS_ARRIDX(key))
            continue;
        if (DUK_HOBJECT_E_SLOT_IS_ACCESSOR(heap, h, i))
            return -1;
        n++;
    }
    return n;
}
