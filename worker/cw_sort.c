/*
 * cw_sort.c -- Array.prototype.sort in C: a stable merge sort, as ES2019
 * requires and V8 does.
 *
 * Why: Duktape's own sort is not stable, so the runtime replaced it with a
 * merge sort written in script (array.js), and there every comparison cost
 * two script calls (the job's comparator behind a wrapper that made its
 * result a number) plus the interpreted merge itself.  A sort of 50,000
 * strings by a trivial comparator took 433 ms where Node takes 23;
 * `names.sort((a, b) => a.localeCompare(b))`, the form agents write to order
 * anything by name, spent most of its time here.  In C the merge, the moves
 * and the conversion of the comparator's result cost next to nothing, and
 * the comparator is the one call a comparison makes.
 *
 * The algorithm is the one array.js had, step for step: runs of up to 22
 * elements are sorted by binary insertion calling cmp(element, pivot),
 * longer runs are split in halves, merged only when the halves overlap
 * (cmp(last of left, first of right) > 0).  V8 runs TimSort (it first
 * looks for ascending or descending runs, then merges with galloping), so a
 * consistent comparator orders everything as in Node, but one that is not
 * (`() => Math.random() - 0.5`), or one that logs its calls, sees other
 * pairs in another order.
 * The sort works on a permutation of indices into a copy of the elements,
 * so a comparator that changes the array changes nothing being sorted.
 *
 * Semantics are ECMAScript 2024's SortIndexedProperties: comparefn must be
 * undefined or callable (checked first, V8's message naming the value), ToObject(this), the
 * length as array.js read it (ToUint32), holes skipped and written back at
 * the end as deletions, undefined elements after every other, a
 * comparator's result by ToNumber with NaN as 0; without a comparator the
 * elements compare as their strings by UTF-16 code units (Duktape keeps
 * strings as CESU-8, whose byte order is code-unit order), each converted
 * once.  Element writes and deletions are strict, as in V8: a frozen array
 * throws TypeError.
 *
 * The job's deadline: a comparator runs script, which the engine's own
 * check interrupts; a sort without one runs no script at all, so the merge
 * reads the deadline every 64K comparisons.  Memory is the heap's: the
 * copy, the index arrays and the keys are engine buffers and arrays under
 * the job's cap, and nothing is kept after the call.
 */
#include "cw_sort.h"

#include <string.h>

#include "cw_runtime.h" /* cw_runtime_def_method; duk_config.h declares cw_sandbox_timeout_check */

#define CW_SORT_RUN 22 /* runs up to this long: binary insertion */
#define CW_SORT_DEADLINE_EVERY 65536

typedef struct {
    duk_context *ctx;
    duk_idx_t vals; /* the elements: a dense array */
    duk_idx_t fn;   /* the comparator, or -1: compare keys */
    const char **key;
    size_t *key_len;
    unsigned long count; /* comparisons, for the deadline */
} cw_sort_t;

static void cw_sort_check_deadline(cw_sort_t *s) {
    if (++s->count % CW_SORT_DEADLINE_EVERY)
        return;
    duk_memory_functions f;
    duk_get_memory_functions(s->ctx, &f);
    if (cw_sandbox_timeout_check(f.udata)) {
        duk_push_error_object_raw(s->ctx, DUK_ERR_RANGE_ERROR, NULL, 0, "execution timeout");
        (void)duk_throw(s->ctx);
    }
}

/* <0, 0, >0 as element x sorts before, with, or after element y. */
static int cw_sort_cmp(cw_sort_t *s, uint32_t x, uint32_t y) {
    if (s->fn < 0) {
        cw_sort_check_deadline(s);
        size_t lx = s->key_len[x], ly = s->key_len[y];
        int c = memcmp(s->key[x], s->key[y], lx < ly ? lx : ly);
        return c ? c : lx < ly ? -1 : lx > ly ? 1 : 0;
    }
    duk_context *ctx = s->ctx;
    duk_dup(ctx, s->fn);
    duk_push_undefined(ctx);
    duk_get_prop_index(ctx, s->vals, x);
    duk_get_prop_index(ctx, s->vals, y);
    duk_call_method(ctx, 2);
    double r = duk_to_number(ctx, -1);
    duk_pop(ctx);
    return r < 0 ? -1 : r > 0 ? 1 : 0; /* NaN compares as 0 */
}

static void cw_sort_merge(cw_sort_t *s, uint32_t *a, uint32_t *tmp, size_t lo, size_t hi) {
    if (hi - lo <= CW_SORT_RUN) {
        for (size_t i = lo + 1; i < hi; i++) {
            uint32_t v = a[i];
            size_t l = lo, r = i;
            while (l < r) {
                size_t mid = (l + r) >> 1;
                if (cw_sort_cmp(s, v, a[mid]) < 0)
                    r = mid;
                else
                    l = mid + 1;
            }
            memmove(a + l + 1, a + l, (i - l) * sizeof(*a));
            a[l] = v;
        }
        return;
    }
    size_t mid = (lo + hi) >> 1;
    cw_sort_merge(s, a, tmp, lo, mid);
    cw_sort_merge(s, a, tmp, mid, hi);
    if (cw_sort_cmp(s, a[mid - 1], a[mid]) <= 0)
        return;
    memcpy(tmp + lo, a + lo, (mid - lo) * sizeof(*a));
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        a[k++] = cw_sort_cmp(s, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < mid)
        a[k++] = tmp[i++];
}

static duk_ret_t cw_sort(duk_context *ctx) {
    /* [ comparefn ] */
    if (!duk_is_undefined(ctx, 0) && !duk_is_callable(ctx, 0)) {
        cw_runtime_push_value_text(ctx, 0);
        return duk_type_error(ctx, "The comparison function must be either a function or undefined: %s",
                              duk_get_string(ctx, -1));
    }
    duk_push_this(ctx);
    duk_to_object(ctx, 1); /* [ comparefn o ] */
    duk_get_prop_string(ctx, 1, "length");
    duk_uint32_t len = duk_to_uint32(ctx, -1);
    duk_pop(ctx);

    duk_idx_t vals = duk_push_array(ctx); /* [ comparefn o vals ] */
    duk_uarridx_t n = 0, undefs = 0;
    cw_sort_t s = {ctx, vals, duk_is_undefined(ctx, 0) ? -1 : 0, NULL, NULL, 0};
    for (duk_uint32_t i = 0; i < len; i++) {
        cw_sort_check_deadline(&s);
        if (!duk_has_prop_index(ctx, 1, i))
            continue;
        duk_get_prop_index(ctx, 1, i);
        if (duk_is_undefined(ctx, -1)) {
            duk_pop(ctx);
            undefs++;
            continue;
        }
        duk_put_prop_index(ctx, vals, n++);
    }

    if (n > 1) {
        uint32_t *idx = duk_push_fixed_buffer(ctx, 2 * (size_t)n * sizeof(uint32_t));
        for (duk_uarridx_t i = 0; i < n; i++)
            idx[i] = i;
        if (s.fn < 0) { /* ToString of each element, once, kept alive in `keys` */
            s.key = duk_push_fixed_buffer(ctx, (size_t)n * sizeof(*s.key));
            s.key_len = duk_push_fixed_buffer(ctx, (size_t)n * sizeof(*s.key_len));
            duk_idx_t keys = duk_push_array(ctx);
            for (duk_uarridx_t i = 0; i < n; i++) {
                duk_get_prop_index(ctx, vals, i);
                duk_to_string(ctx, -1);
                duk_dup_top(ctx);
                duk_put_prop_index(ctx, keys, i);
                s.key[i] = duk_get_lstring(ctx, -1, &s.key_len[i]);
                duk_pop(ctx);
            }
        }
        cw_sort_merge(&s, idx, idx + n, 0, n);
        for (duk_uarridx_t i = 0; i < n; i++) {
            duk_get_prop_index(ctx, vals, idx[i]);
            duk_put_prop_index(ctx, 1, i);
        }
    } else if (n == 1) {
        duk_get_prop_index(ctx, vals, 0);
        duk_put_prop_index(ctx, 1, 0);
    }
    duk_uint32_t i = n;
    for (; undefs > 0; undefs--) {
        duk_push_undefined(ctx);
        duk_put_prop_index(ctx, 1, i++);
    }
    for (; i < len; i++) {
        cw_sort_check_deadline(&s);
        duk_del_prop_index(ctx, 1, i);
    }
    duk_dup(ctx, 1);
    return 1;
}

void cw_sort_install(duk_context *ctx) {
    duk_idx_t top = duk_get_top(ctx);
    duk_get_global_string(ctx, "Array");
    duk_get_prop_string(ctx, -1, "prototype");
    cw_runtime_def_method(ctx, duk_get_top_index(ctx), "sort", cw_sort, 1, 1, 0);
    duk_set_top(ctx, top);
}
