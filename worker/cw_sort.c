/*
 * cw_sort.c -- Array.prototype.sort in C: V8's TimSort, stable as ES2019
 * requires.
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
 * The algorithm is V8's TimSort (below), comparison for comparison: a
 * merge sort of its own (this file first ran the halving merge sort the
 * script polyfill had) agrees with Node only for a consistent comparator,
 * and agents write inconsistent ones all the time: `a.k > b.k ? 1 : -1`
 * never returns 0, so ties came out in another order than in Node, and
 * `a < b ? -1 : 0` left arrays longer than one insertion run unsorted.
 * With the same calls in the same order, the order left, and the calls a
 * comparator sees (or logs), are Node's (tests/e2e/test_language.py,
 * "sort-v8-call-order": six comparators, five input shapes, lengths around
 * every threshold, hashed call by call).
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

/* ---- TimSort, as V8 runs it ---------------------------------------------
 *
 * The steps and the comparisons are V8's (third_party/v8/builtins/
 * array-sort.tq, itself CPython's listsort): the same calls cmp(x, y) in the
 * same order, each result read only as "< 0" or not, so a comparator that
 * is inconsistent (`a.k > b.k ? 1 : -1` on ties, `a < b ? -1 : 0`,
 * `() => Math.random() - 0.5`) or one that logs its calls sees exactly what
 * it sees in Node, and the order it leaves is Node's.  The arrays hold
 * indices into the copy of the elements (`vals`). */

#define CW_SORT_MIN_GALLOP 7
#define CW_SORT_MAX_RUNS 85 /* enough pending runs for 2^64 elements */

typedef struct {
    cw_sort_t *s;
    uint32_t *a;   /* the work array */
    uint32_t *tmp; /* room for half of it, plus one */
    size_t min_gallop;
    size_t nruns;
    size_t run_base[CW_SORT_MAX_RUNS], run_len[CW_SORT_MAX_RUNS];
} cw_tim_t;

static int cw_tim_lt(cw_tim_t *t, uint32_t x, uint32_t y) {
    return cw_sort_cmp(t->s, x, y) < 0;
}

static void cw_tim_binary_insertion(cw_tim_t *t, size_t low, size_t start, size_t high) {
    uint32_t *a = t->a;
    if (start == low)
        start++;
    for (; start < high; start++) {
        size_t left = low, right = start;
        uint32_t pivot = a[start];
        while (left < right) {
            size_t mid = left + ((right - left) >> 1);
            if (cw_tim_lt(t, pivot, a[mid]))
                right = mid;
            else
                left = mid + 1;
        }
        memmove(a + left + 1, a + left, (start - left) * sizeof(*a));
        a[left] = pivot;
    }
}

/* The run starting at low (ascending, or strictly descending and then
 * reversed); its length. */
static size_t cw_tim_count_run(cw_tim_t *t, size_t low, size_t high) {
    uint32_t *a = t->a;
    if (low + 1 == high)
        return 1;
    size_t n = 2;
    int desc = cw_tim_lt(t, a[low + 1], a[low]);
    for (size_t i = low + 2; i < high; i++) {
        int lt = cw_tim_lt(t, a[i], a[i - 1]);
        if (desc ? !lt : lt)
            break;
        n++;
    }
    if (desc)
        for (size_t lo = low, hi = low + n - 1; lo < hi; lo++, hi--) {
            uint32_t v = a[lo];
            a[lo] = a[hi];
            a[hi] = v;
        }
    return n;
}

/* Where key goes in the sorted arr[0..len): before the leftmost element
 * equal to it (left) or after the rightmost (right), searched from hint. */
static size_t cw_tim_gallop(cw_tim_t *t, int right, uint32_t key, const uint32_t *arr, size_t len, size_t hint) {
    /* "x is before the key's place": arr[i] < key (left), !(key < arr[i]) (right) */
#define CW_TIM_BEFORE(e) (right ? !cw_tim_lt(t, key, (e)) : cw_tim_lt(t, (e), key))
    size_t last = 0, ofs = 1, lo, hi;
    if (CW_TIM_BEFORE(arr[hint])) {
        size_t max = len - hint;
        while (ofs < max && CW_TIM_BEFORE(arr[hint + ofs])) {
            last = ofs;
            ofs = (ofs << 1) + 1;
        }
        if (ofs > max)
            ofs = max;
        lo = hint + last + 1; /* the search is (hint + last, hint + ofs] */
        hi = hint + ofs;
    } else {
        size_t max = hint + 1;
        while (ofs < max && !CW_TIM_BEFORE(arr[hint - ofs])) {
            last = ofs;
            ofs = (ofs << 1) + 1;
        }
        if (ofs > max)
            ofs = max;
        lo = hint + 1 - ofs; /* (hint - ofs, hint - last] */
        hi = hint - last;
    }
    while (lo < hi) {
        size_t m = lo + ((hi - lo) >> 1);
        if (CW_TIM_BEFORE(arr[m]))
            lo = m + 1;
        else
            hi = m;
    }
    return hi;
#undef CW_TIM_BEFORE
}

static void cw_tim_merge_low(cw_tim_t *t, size_t base_a, size_t len_a, size_t base_b, size_t len_b) {
    uint32_t *a = t->a, *tmp = t->tmp;
    memcpy(tmp, a + base_a, len_a * sizeof(*a));
    size_t dest = base_a, ct = 0, cb = base_b;
    a[dest++] = a[cb++];
    if (--len_b == 0)
        goto succeed;
    if (len_a == 1)
        goto copy_b;
    size_t min_gallop = t->min_gallop;
    for (;;) {
        size_t wins_a = 0, wins_b = 0;
        for (;;) {
            if (cw_tim_lt(t, a[cb], tmp[ct])) {
                a[dest++] = a[cb++];
                wins_b++;
                wins_a = 0;
                if (--len_b == 0)
                    goto succeed;
                if (wins_b >= min_gallop)
                    break;
            } else {
                a[dest++] = tmp[ct++];
                wins_a++;
                wins_b = 0;
                if (--len_a == 1)
                    goto copy_b;
                if (wins_a >= min_gallop)
                    break;
            }
        }
        min_gallop++;
        int first = 1;
        while (wins_a >= CW_SORT_MIN_GALLOP || wins_b >= CW_SORT_MIN_GALLOP || first) {
            first = 0;
            min_gallop = min_gallop > 1 ? min_gallop - 1 : 1;
            t->min_gallop = min_gallop;
            wins_a = cw_tim_gallop(t, 1, a[cb], tmp + ct, len_a, 0);
            if (wins_a > 0) {
                memmove(a + dest, tmp + ct, wins_a * sizeof(*a));
                dest += wins_a;
                ct += wins_a;
                len_a -= wins_a;
                if (len_a == 1)
                    goto copy_b;
                if (len_a == 0) /* only with an inconsistent comparator */
                    goto succeed;
            }
            a[dest++] = a[cb++];
            if (--len_b == 0)
                goto succeed;
            wins_b = cw_tim_gallop(t, 0, tmp[ct], a + cb, len_b, 0);
            if (wins_b > 0) {
                memmove(a + dest, a + cb, wins_b * sizeof(*a));
                dest += wins_b;
                cb += wins_b;
                len_b -= wins_b;
                if (len_b == 0)
                    goto succeed;
            }
            a[dest++] = tmp[ct++];
            if (--len_a == 1)
                goto copy_b;
        }
        min_gallop++;
        t->min_gallop = min_gallop;
    }
succeed:
    if (len_a > 0)
        memcpy(a + dest, tmp + ct, len_a * sizeof(*a));
    return;
copy_b: /* the last element of A belongs after what is left of B */
    memmove(a + dest, a + cb, len_b * sizeof(*a));
    a[dest + len_b] = tmp[ct];
}

static void cw_tim_merge_high(cw_tim_t *t, size_t base_a, size_t len_a, size_t base_b, size_t len_b) {
    uint32_t *a = t->a, *tmp = t->tmp;
    memcpy(tmp, a + base_b, len_b * sizeof(*a));
    /* Backwards; cursors are one past the element they name, so that none
     * goes below zero. */
    size_t dest = base_b + len_b, ct = len_b, ca = base_a + len_a;
    a[--dest] = a[--ca];
    if (--len_a == 0)
        goto succeed;
    if (len_b == 1)
        goto copy_a;
    size_t min_gallop = t->min_gallop;
    for (;;) {
        size_t wins_a = 0, wins_b = 0;
        for (;;) {
            if (cw_tim_lt(t, tmp[ct - 1], a[ca - 1])) {
                a[--dest] = a[--ca];
                wins_a++;
                wins_b = 0;
                if (--len_a == 0)
                    goto succeed;
                if (wins_a >= min_gallop)
                    break;
            } else {
                a[--dest] = tmp[--ct];
                wins_b++;
                wins_a = 0;
                if (--len_b == 1)
                    goto copy_a;
                if (wins_b >= min_gallop)
                    break;
            }
        }
        min_gallop++;
        int first = 1;
        while (wins_a >= CW_SORT_MIN_GALLOP || wins_b >= CW_SORT_MIN_GALLOP || first) {
            first = 0;
            min_gallop = min_gallop > 1 ? min_gallop - 1 : 1;
            t->min_gallop = min_gallop;
            size_t k = cw_tim_gallop(t, 1, tmp[ct - 1], a + base_a, len_a, len_a - 1);
            wins_a = len_a - k;
            if (wins_a > 0) {
                dest -= wins_a;
                ca -= wins_a;
                memmove(a + dest, a + ca, wins_a * sizeof(*a));
                len_a -= wins_a;
                if (len_a == 0)
                    goto succeed;
            }
            a[--dest] = tmp[--ct];
            if (--len_b == 1)
                goto copy_a;
            k = cw_tim_gallop(t, 0, a[ca - 1], tmp, len_b, len_b - 1);
            wins_b = len_b - k;
            if (wins_b > 0) {
                dest -= wins_b;
                ct -= wins_b;
                memmove(a + dest, tmp + ct, wins_b * sizeof(*a));
                len_b -= wins_b;
                if (len_b == 1)
                    goto copy_a;
                if (len_b == 0) /* only with an inconsistent comparator */
                    goto succeed;
            }
            a[--dest] = a[--ca];
            if (--len_a == 0)
                goto succeed;
        }
        min_gallop++;
        t->min_gallop = min_gallop;
    }
succeed:
    if (len_b > 0)
        memcpy(a + dest - len_b, tmp, len_b * sizeof(*a));
    return;
copy_a: /* the first element of B belongs before what is left of A */
    dest -= len_a;
    ca -= len_a;
    memmove(a + dest, a + ca, len_a * sizeof(*a));
    a[dest - 1] = tmp[ct - 1];
}

/* Merge pending runs i and i + 1 (i is one of the top two pairs). */
static void cw_tim_merge_at(cw_tim_t *t, size_t i) {
    size_t base_a = t->run_base[i], len_a = t->run_len[i];
    size_t base_b = t->run_base[i + 1], len_b = t->run_len[i + 1];
    t->run_len[i] = len_a + len_b;
    if (i + 3 == t->nruns) {
        t->run_base[i + 1] = t->run_base[i + 2];
        t->run_len[i + 1] = t->run_len[i + 2];
    }
    t->nruns--;
    size_t k = cw_tim_gallop(t, 1, t->a[base_b], t->a + base_a, len_a, 0);
    base_a += k;
    len_a -= k;
    if (len_a == 0)
        return;
    len_b = cw_tim_gallop(t, 0, t->a[base_a + len_a - 1], t->a + base_b, len_b, len_b - 1);
    if (len_b == 0)
        return;
    if (len_a <= len_b)
        cw_tim_merge_low(t, base_a, len_a, base_b, len_b);
    else
        cw_tim_merge_high(t, base_a, len_a, base_b, len_b);
}

static int cw_tim_invariant(const cw_tim_t *t, size_t n) {
    return n < 2 || t->run_len[n - 2] > t->run_len[n - 1] + t->run_len[n];
}

static void cw_tim_merge_collapse(cw_tim_t *t) {
    while (t->nruns > 1) {
        size_t n = t->nruns - 2;
        if (!cw_tim_invariant(t, n + 1) || !cw_tim_invariant(t, n)) {
            if (t->run_len[n - 1] < t->run_len[n + 1]) /* n >= 1 here */
                n--;
            cw_tim_merge_at(t, n);
        } else if (t->run_len[n] <= t->run_len[n + 1]) {
            cw_tim_merge_at(t, n);
        } else {
            break;
        }
    }
}

/* Sort a[0..n) (n >= 2); tmp has room for n / 2 + 1 indices. */
static void cw_tim_sort(cw_sort_t *s, uint32_t *a, uint32_t *tmp, size_t n) {
    cw_tim_t t = {.s = s, .a = a, .tmp = tmp, .min_gallop = CW_SORT_MIN_GALLOP, .nruns = 0};
    size_t min_run = n, r = 0;
    while (min_run >= 64) {
        r |= min_run & 1;
        min_run >>= 1;
    }
    min_run += r;
    size_t low = 0, remaining = n;
    while (remaining != 0) {
        size_t run = cw_tim_count_run(&t, low, low + remaining);
        if (run < min_run) {
            size_t forced = min_run < remaining ? min_run : remaining;
            cw_tim_binary_insertion(&t, low, low + run, low + forced);
            run = forced;
        }
        t.run_base[t.nruns] = low;
        t.run_len[t.nruns] = run;
        t.nruns++;
        cw_tim_merge_collapse(&t);
        low += run;
        remaining -= run;
    }
    while (t.nruns > 1) {
        size_t i = t.nruns - 2;
        if (i > 0 && t.run_len[i - 1] < t.run_len[i + 1])
            i--;
        cw_tim_merge_at(&t, i);
    }
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
        cw_tim_sort(&s, idx, idx + n, n);
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
