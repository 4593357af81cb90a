/*
 * cw_runtime.c -- the embedded runtime groups and libraries: the table's
 * index, the per-heap lazy triggers, the job's event loop (microtasks and
 * timers, on a clock that skips ahead instead of sleeping) and require().
 *
 * Everything loaded here as bytecode comes from cw_rt_units, which the build
 * generated from this engine's own compiler output; Duktape does not
 * validate bytecode, so no other source is ever accepted.
 */
#include "cw_runtime.h"
#include "cw_interrupt.h"
#include "duktape/cw_duk_engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_time.h"

#define CW_RT_MAX_GROUPS 32
#define CW_RT_MAX_LIBS 32
#define CW_RT_MAX_TRIGGERS 256
#define CW_RT_MAX_PATH 112

/* Heap-stash keys: the stash is reachable from C only. */
#define CW_RT_STASH_RT "cwRt"
#define CW_RT_STASH_HEAP "cwRtHeap"
#define CW_RT_STASH_MODULES "cwModules"
#define CW_RT_STASH_INTERNAL "cwInternalModules"

/* A trigger: "Array.prototype.flat" is held by Array.prototype under "flat";
 * "@@iterator" names Symbol.iterator; "__proto__" steps to a prototype. */
typedef struct cw_rt_trigger {
    char path[CW_RT_MAX_PATH];
    unsigned char key;     /* offset of the key in path (0: the global object holds it) */
    unsigned char group;   /* index into cw_rt.group */
    unsigned char replace; /* '!': replaces a Duktape built-in */
    unsigned char active;  /* install it in job heaps */
    unsigned short order;  /* position in the table, for a stable sort */
} cw_rt_trigger_t;

static struct {
    int indexed, ready;
    int ngroups, nlibs, ninternal;
    const cw_rt_unit_t *group[CW_RT_MAX_GROUPS];
    const cw_rt_unit_t *lib[CW_RT_MAX_LIBS];
    const cw_rt_unit_t *internal[CW_RT_MAX_LIBS];
    size_t ntrig; /* after init: only the active ones, grouped by holder */
    cw_rt_trigger_t trig[CW_RT_MAX_TRIGGERS];
    char error[256];
} cw_rt;

/* ---- the table ----------------------------------------------------------- */

__attribute__((format(printf, 1, 2))) static int cw_rt_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cw_rt.error, sizeof(cw_rt.error), fmt, ap);
    va_end(ap);
    return -1;
}

/* Split the table into groups, libraries and parsed triggers. */
static int cw_rt_index(void) {
    if (cw_rt.indexed)
        return cw_rt.error[0] ? -1 : 0;
    cw_rt.indexed = 1;
    for (size_t i = 0; i < cw_rt_nunits; i++) {
        const cw_rt_unit_t *u = &cw_rt_units[i];
        if (u->kind == CW_RT_LIBRARY) {
            if (cw_rt.nlibs == CW_RT_MAX_LIBS)
                return cw_rt_fail("too many libraries (%s)", u->name);
            cw_rt.lib[cw_rt.nlibs++] = u;
            continue;
        }
        if (u->kind == CW_RT_INTERNAL) {
            if (cw_rt.ninternal == CW_RT_MAX_LIBS)
                return cw_rt_fail("too many internal libraries (%s)", u->name);
            cw_rt.internal[cw_rt.ninternal++] = u;
            continue;
        }
        if (cw_rt.ngroups == CW_RT_MAX_GROUPS)
            return cw_rt_fail("too many runtime groups (%s)", u->name);
        int g = cw_rt.ngroups++;
        cw_rt.group[g] = u;
        for (const char *p = u->triggers ? u->triggers : ""; *p;) {
            size_t n = strcspn(p, ",");
            if (n > 0) {
                if (cw_rt.ntrig == CW_RT_MAX_TRIGGERS)
                    return cw_rt_fail("too many triggers (group %s)", u->name);
                cw_rt_trigger_t *t = &cw_rt.trig[cw_rt.ntrig];
                t->replace = *p == '!';
                if (n - t->replace >= CW_RT_MAX_PATH)
                    return cw_rt_fail("trigger path too long in group %s: %s", u->name, p);
                memcpy(t->path, p + t->replace, n - t->replace);
                t->path[n - t->replace] = '\0';
                const char *dot = strrchr(t->path, '.');
                t->key = dot ? (unsigned char)(dot - t->path + 1) : 0;
                t->group = (unsigned char)g;
                t->order = (unsigned short)cw_rt.ntrig++;
            }
            p += n + (p[n] == ',');
        }
    }
    return 0;
}

uint32_t cw_runtime_modules_all(void) {
    if (cw_rt_index())
        return 0;
    return cw_rt.nlibs >= 32 ? UINT32_MAX : (UINT32_C(1) << cw_rt.nlibs) - 1;
}

static int cw_rt_lib_find(const char *name, size_t len) {
    for (int i = 0; i < cw_rt.nlibs; i++)
        if (strlen(cw_rt.lib[i]->name) == len && memcmp(cw_rt.lib[i]->name, name, len) == 0)
            return i;
    return -1;
}

int cw_runtime_modules_parse(const char *list, uint32_t *mask, char *err, size_t err_size) {
    if (cw_rt_index()) {
        snprintf(err, err_size, "%s", cw_rt.error);
        return -1;
    }
    uint32_t m = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            int i = cw_rt_lib_find(s, (size_t)(e - s));
            if (i < 0) {
                char have[256];
                cw_runtime_modules_format(cw_runtime_modules_all(), ", ", have, sizeof(have));
                snprintf(err, err_size, "module \"%.*s\" is not built in (built in: %s)", (int)(e - s), s,
                         have);
                return -1;
            }
            m |= UINT32_C(1) << i;
        }
        p += n + (p[n] == ',');
    }
    *mask = m;
    return 0;
}

size_t cw_runtime_modules_format(uint32_t mask, const char *sep, char *buf, size_t size) {
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    if (cw_rt_index())
        return 0;
    for (int i = 0; i < cw_rt.nlibs; i++) {
        if (!(mask & (UINT32_C(1) << i)))
            continue;
        int n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%s%s",
                         len ? sep : "", cw_rt.lib[i]->name);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

/* ---- triggers ------------------------------------------------------------ */

/* [ ] -> [ holder ] for a trigger, or -1 with nothing pushed when an object
 * on the path is missing. */
static int cw_rt_push_holder(duk_context *ctx, const cw_rt_trigger_t *t) {
    char part[CW_RT_MAX_PATH];
    duk_push_global_object(ctx);
    for (size_t i = 0; i + 1 < t->key;) {
        size_t n = strcspn(t->path + i, ".");
        memcpy(part, t->path + i, n);
        part[n] = '\0';
        if (strcmp(part, "__proto__") == 0)
            duk_get_prototype(ctx, -1);
        else
            duk_get_prop_string(ctx, -1, part);
        if (!duk_is_object(ctx, -1)) {
            duk_pop_2(ctx);
            return -1;
        }
        duk_remove(ctx, -2);
        i += n + 1;
    }
    return 0;
}

/* [ ] -> [ key ]; `symbol` is the index of the Symbol constructor. */
static void cw_rt_push_key(duk_context *ctx, const cw_rt_trigger_t *t, duk_idx_t symbol) {
    const char *key = t->path + t->key;
    if (key[0] == '@' && key[1] == '@')
        duk_get_prop_string(ctx, symbol, key + 2);
    else
        duk_push_string(ctx, key);
}

static int cw_rt_same_holder(const cw_rt_trigger_t *a, const cw_rt_trigger_t *b) {
    return a->key == b->key && strncmp(a->path, b->path, a->key) == 0;
}

static int cw_rt_trigger_cmp(const void *pa, const void *pb) {
    const cw_rt_trigger_t *a = pa, *b = pb;
    size_t la = a->key ? a->key - 1u : 0, lb = b->key ? b->key - 1u : 0;
    int c = strncmp(a->path, b->path, la < lb ? la : lb);
    if (c == 0 && la != lb)
        c = la < lb ? -1 : 1;
    return c ? c : (int)a->order - (int)b->order;
}

/* In a bare heap: mark each trigger active when its holder lacks it as an
 * own property, or when it replaces a built-in.  A missing holder means the
 * manifest does not fit this engine: that is an error. */
static duk_ret_t cw_rt_probe(duk_context *ctx, void *udata) {
    (void)udata;
    /* The host's own global that holds triggers (console.time, ...): every
     * host defines it, without those methods, before installing the
     * runtime (cw_sandbox.c). */
    duk_push_global_object(ctx);
    if (!duk_has_prop_string(ctx, -1, "console")) {
        duk_push_object(ctx);
        duk_put_prop_string(ctx, -2, "console");
    }
    duk_pop(ctx);
    duk_get_global_string(ctx, "Symbol");
    duk_idx_t symbol = duk_get_top_index(ctx);
    for (size_t i = 0; i < cw_rt.ntrig; i++) {
        cw_rt_trigger_t *t = &cw_rt.trig[i];
        if (cw_rt_push_holder(ctx, t) != 0)
            return duk_error(ctx, DUK_ERR_ERROR, "trigger %s: the object holding it does not exist", t->path);
        cw_rt_push_key(ctx, t, symbol);
        duk_get_prop_desc(ctx, -2, 0);
        t->active = t->replace || duk_is_undefined(ctx, -1);
        duk_pop_2(ctx);
    }
    return 0;
}

static void cw_rt_probe_fatal(void *udata, const char *msg) {
    (void)udata;
    fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"duktape fatal error while probing the runtime\","
                    "\"detail\":\"%.100s\"}\n", msg ? msg : "");
    abort();
}

int cw_runtime_init(char *err, size_t err_size) {
    if (cw_rt.ready)
        return 0;
    if (cw_rt_index())
        goto fail;
    if (cw_rt.ngroups == 0) {
        cw_rt_fail("the runtime table holds no groups");
        goto fail;
    }
    duk_context *ctx = duk_create_heap(NULL, NULL, NULL, NULL, cw_rt_probe_fatal);
    if (!ctx) {
        cw_rt_fail("cannot create a heap to probe the runtime triggers");
        goto fail;
    }
    if (duk_safe_call(ctx, cw_rt_probe, NULL, 0, 1) != DUK_EXEC_SUCCESS) {
        cw_rt_fail("runtime manifest: %s", duk_safe_to_string(ctx, -1));
        duk_destroy_heap(ctx);
        goto fail;
    }
    duk_destroy_heap(ctx);
    size_t n = 0;
    for (size_t i = 0; i < cw_rt.ntrig; i++)
        if (cw_rt.trig[i].active)
            cw_rt.trig[n++] = cw_rt.trig[i];
    cw_rt.ntrig = n;
    /* Triggers on the same object next to each other: one path walk each. */
    qsort(cw_rt.trig, cw_rt.ntrig, sizeof(cw_rt.trig[0]), cw_rt_trigger_cmp);
    cw_rt.ready = 1;
    return 0;
fail:
    if (err_size)
        snprintf(err, err_size, "%s", cw_rt.error);
    return -1;
}

/* ---- per heap ------------------------------------------------------------ */

/* rt.proxyParts(o): [target, handler] when o is a Proxy, else undefined. */
static duk_ret_t cw_rt_proxy_parts(duk_context *ctx) {
    if (!cw_duk_proxy_parts(ctx, 0))
        return 0;
    duk_push_array(ctx);
    duk_swap_top(ctx, -2);
    duk_put_prop_index(ctx, -2, 1);
    duk_swap_top(ctx, -2);
    duk_put_prop_index(ctx, -2, 0);
    return 1;
}

static void cw_rt_push_rt(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_RT_STASH_RT);
    duk_remove(ctx, -2);
}

static cw_rt_heap_t *cw_rt_heap_of(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_RT_STASH_HEAP);
    cw_rt_heap_t *h = duk_get_pointer(ctx, -1);
    duk_pop_2(ctx);
    return h;
}

/* [ ] -> [ value ]: run an embedded unit's bytecode (its global code), which
 * evaluates to the unit's function.  The bytecode stays in the binary's
 * read-only data: an external buffer points at it for the load. */
static void cw_rt_push_unit(duk_context *ctx, const cw_rt_unit_t *u) {
    duk_push_external_buffer(ctx);
    duk_config_buffer(ctx, -1, (void *)u->data, u->len);
    duk_load_function(ctx);
    duk_call(ctx, 0);
}

/* Load group g into this heap unless it is loaded already.  Returns 1 when
 * it ran now.  A group that throws while loading stays marked: its triggers
 * then read as undefined instead of recursing. */
static int cw_rt_load_group(duk_context *ctx, int g) {
    cw_rt_heap_t *h = cw_rt_heap_of(ctx);
    if (!h || g < 0 || g >= cw_rt.ngroups || (h->loaded & (UINT32_C(1) << g)))
        return 0;
    h->loaded |= UINT32_C(1) << g;
    cw_rt_push_unit(ctx, cw_rt.group[g]);
    cw_rt_push_rt(ctx);
    duk_call(ctx, 1);
    duk_pop(ctx);
    return 1;
}

/* Getter of a group's triggers (magic = group; Duktape passes the key):
 * load the group, which redefines the trigger as a data property, and read
 * the key again from the receiver. */
static duk_ret_t cw_rt_get(duk_context *ctx) {
    if (!cw_rt_load_group(ctx, duk_get_current_magic(ctx)))
        return 0;
    duk_push_this(ctx);
    duk_dup(ctx, 0);
    duk_get_prop(ctx, -2);
    return 1;
}

/* Setter (value, key): load the group, then assign again, which now behaves
 * as plain assignment.  If the group was loaded before (so it failed to
 * replace this accessor), make the own data property the assignment would
 * have made, rather than recurse into this setter. */
static duk_ret_t cw_rt_set(duk_context *ctx) {
    int ran = cw_rt_load_group(ctx, duk_get_current_magic(ctx));
    duk_push_this(ctx);
    if (ran) {
        duk_dup(ctx, 1);
        duk_dup(ctx, 0);
        duk_put_prop(ctx, -3);
    } else if (duk_is_object(ctx, -1)) {
        duk_dup(ctx, 1);
        duk_dup(ctx, 0);
        duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WEC);
    }
    return 0;
}

int64_t cw_runtime_clock_ns(const cw_rt_heap_t *h) { return cw_mono_ns() + (h ? h->skipped_ns : 0); }

#define CW_RT_TICK_NS 1000 /* a logical clock moves 1 us per reading */

int64_t cw_runtime_job_clock_ns(cw_rt_heap_t *h) {
    if (!h || !h->logical)
        return cw_runtime_clock_ns(h);
    h->ticks_ns += CW_RT_TICK_NS;
    return h->origin_ns + h->skipped_ns + h->ticks_ns;
}

/* The job's clock without a reading's tick (the timer loop's own look). */
static int64_t cw_rt_job_peek_ns(const cw_rt_heap_t *h) {
    return h->logical ? h->origin_ns + h->skipped_ns + h->ticks_ns : cw_runtime_clock_ns(h);
}

/* rt.now(): the job's clock in milliseconds since origin_ns, what the
 * timers schedule on. */
static duk_ret_t cw_rt_now(duk_context *ctx) {
    cw_rt_heap_t *h = cw_rt_heap_of(ctx);
    duk_push_number(ctx, (double)(cw_runtime_job_clock_ns(h) - (h ? h->origin_ns : 0)) / 1e6);
    return 1;
}

/* [ ] -> [ cache ]: the heap-stash object `key`, made on first use. */
static void cw_rt_push_cache(duk_context *ctx, const char *key) {
    duk_push_heap_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, key)) {
        duk_pop(ctx);
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, key);
    }
    duk_remove(ctx, -2);
}

/* [ ] -> [ module.exports ]: run library unit u as Node runs a CommonJS
 * module: module = { exports: {} } is cached in `cache` under `name` before
 * the body runs (cycles) and dropped again if it throws; this = exports. */
static void cw_rt_run_module(duk_context *ctx, const cw_rt_unit_t *u, duk_idx_t cache, const char *name,
                             duk_c_function require_fn) {
    cache = duk_normalize_index(ctx, cache);
    duk_idx_t module = duk_push_object(ctx);
    duk_push_object(ctx);
    duk_put_prop_string(ctx, module, "exports");
    duk_dup(ctx, module);
    duk_put_prop_string(ctx, cache, name);
    cw_rt_push_unit(ctx, u); /* function (module, exports, require) */
    duk_get_prop_string(ctx, module, "exports"); /* this = exports */
    duk_dup(ctx, module);
    duk_get_prop_string(ctx, module, "exports");
    duk_push_c_function(ctx, require_fn, 1);
    if (duk_pcall_method(ctx, 3) != DUK_EXEC_SUCCESS) {
        duk_del_prop_string(ctx, cache, name);
        (void)duk_throw(ctx);
    }
    duk_pop(ctx);
    duk_get_prop_string(ctx, module, "exports");
    duk_remove(ctx, module);
}

/* The require() an internal library's own code gets: the bundles are whole
 * (build.mjs), so a call means a Node built-in the browser build still
 * names, which no code path the runtime uses reaches. */
static duk_ret_t cw_rt_internal_require(duk_context *ctx) {
    return duk_error(ctx, DUK_ERR_ERROR, "Cannot find module '%s'", duk_safe_to_string(ctx, 0));
}

/* [ ] -> [ exports ] of internal library `name`, loaded once per heap. */
static int cw_rt_push_internal(duk_context *ctx, const char *name) {
    int i = 0;
    while (i < cw_rt.ninternal && strcmp(cw_rt.internal[i]->name, name) != 0)
        i++;
    if (i == cw_rt.ninternal)
        return -1;
    duk_idx_t base = duk_get_top(ctx);
    cw_rt_push_cache(ctx, CW_RT_STASH_INTERNAL);
    if (duk_get_prop_string(ctx, base, name)) { /* cached: module */
        duk_get_prop_string(ctx, -1, "exports");
    } else {
        duk_pop(ctx);
        cw_rt_run_module(ctx, cw_rt.internal[i], base, name, cw_rt_internal_require);
    }
    duk_replace(ctx, base);
    duk_set_top(ctx, base + 1);
    return 0;
}

/* rt.lib(name): the exports of an internal library, for the groups that a
 * library backs (web-url.js: `var lib = rt.lib('whatwg-url')`).  This is the
 * whole mechanism that lets a lazily loaded global be a bundled npm package:
 * the global is an ordinary group trigger, and the group's small body loads
 * the bundle through rt.lib and defines the globals from its exports. */
static duk_ret_t cw_rt_lib_fn(duk_context *ctx) {
    const char *name = duk_require_string(ctx, 0);
    if (cw_rt_push_internal(ctx, name) != 0)
        return duk_error(ctx, DUK_ERR_ERROR, "internal library %s is not built in", name);
    return 1;
}

/* rt.received(v): the " Received ..." tail that Node's ERR_INVALID_ARG_TYPE
 * messages end with (its lib/internal/errors.js): " Received undefined",
 * " Received function f", " Received an instance of Array",
 * " Received [Object: null prototype]", " Received type string ('abc')"
 * (25 characters at most, then "..."), " Received type number (5)".  One
 * copy for every polyfill that checks arguments as Node does. */
static duk_ret_t cw_rt_received(duk_context *ctx) {
    duk_set_top(ctx, 1);
    if (duk_is_undefined(ctx, 0) || duk_is_null(ctx, 0)) {
        duk_push_string(ctx, duk_is_null(ctx, 0) ? " Received null" : " Received undefined");
        return 1;
    }
    if (duk_is_function(ctx, 0)) {
        duk_get_prop_string(ctx, 0, "name");
        duk_push_sprintf(ctx, " Received function %s", duk_is_string(ctx, -1) ? duk_get_string(ctx, -1) : "");
        return 1;
    }
    if (duk_is_object(ctx, 0)) {
        duk_get_prop_string(ctx, 0, "constructor");
        if (duk_is_object(ctx, -1)) {
            duk_get_prop_string(ctx, -1, "name");
            if (duk_is_string(ctx, -1) && duk_get_length(ctx, -1) > 0) {
                duk_push_sprintf(ctx, " Received an instance of %s", duk_get_string(ctx, -1));
                return 1;
            }
        }
        duk_push_string(ctx, " Received [Object: null prototype]");
        return 1;
    }
    if (duk_is_string(ctx, 0) && !duk_is_symbol(ctx, 0)) { /* Duktape's symbols are strings inside */
        int longer = duk_get_length(ctx, 0) > 25;
        if (longer)
            duk_substring(ctx, 0, 0, 25);
        duk_push_sprintf(ctx, " Received type string ('%s%s')", duk_get_string(ctx, longer ? -1 : 0),
                         longer ? "..." : "");
        return 1;
    }
    const char *type = duk_is_number(ctx, 0) ? "number" : duk_is_boolean(ctx, 0) ? "boolean" : "symbol";
    if (duk_is_number(ctx, 0) && duk_get_number(ctx, 0) == 0 && signbit(duk_get_number(ctx, 0))) {
        duk_push_string(ctx, " Received type number (-0)"); /* as util.inspect writes it */
        return 1;
    }
    cw_runtime_push_original(ctx, CW_RT_ORIG_STRING); /* String(v): also a Symbol's */
    duk_dup(ctx, 0);
    duk_call(ctx, 1);
    duk_push_sprintf(ctx, " Received type %s (%s)", type, duk_get_string(ctx, -1));
    return 1;
}

void cw_runtime_def_rt(duk_context *ctx, const char *name, duk_c_function fn, duk_idx_t nargs) {
    cw_rt_push_rt(ctx);
    duk_push_c_function(ctx, fn, nargs);
    duk_put_prop_string(ctx, -2, name);
    duk_pop(ctx);
}

void cw_runtime_install(duk_context *ctx, cw_rt_heap_t *h) {
    h->loaded = 0;
    h->skipped_ns = 0;
    h->ticks_ns = 0;
    h->logical = 0;
    h->origin_ns = 0;
    h->deadline_ns = 0;
    h->timer_late = 0;
    if (!cw_rt.ready) {
        (void)duk_error(ctx, DUK_ERR_ERROR, "the JavaScript runtime is not initialised: %s",
                        cw_rt.error[0] ? cw_rt.error : "cw_runtime_init() was not called");
        return;
    }
    duk_idx_t fns = duk_get_top(ctx);
    duk_require_stack(ctx, 2 * cw_rt.ngroups + 8);
    /* One getter/setter pair per group, shared by its triggers. */
    for (int g = 0; g < cw_rt.ngroups; g++) {
        duk_push_c_function(ctx, cw_rt_get, 1);
        duk_set_magic(ctx, -1, g);
        duk_push_c_function(ctx, cw_rt_set, 2);
        duk_set_magic(ctx, -1, g);
    }
    duk_idx_t rt = duk_push_object(ctx);
    duk_idx_t natives = duk_push_object(ctx);
    duk_dup(ctx, natives);
    duk_put_prop_string(ctx, rt, "native");
    duk_push_c_function(ctx, cw_rt_now, 0);
    duk_put_prop_string(ctx, rt, "now");
    duk_push_c_function(ctx, cw_rt_lib_fn, 1);
    duk_put_prop_string(ctx, rt, "lib");
    duk_push_c_function(ctx, cw_rt_proxy_parts, 1);
    duk_put_prop_string(ctx, rt, "proxyParts");
    duk_push_c_function(ctx, cw_rt_received, 1);
    duk_put_prop_string(ctx, rt, "received");
    duk_push_heap_stash(ctx);
    duk_dup(ctx, rt);
    duk_put_prop_string(ctx, -2, CW_RT_STASH_RT);
    duk_push_pointer(ctx, h);
    duk_put_prop_string(ctx, -2, CW_RT_STASH_HEAP);
    duk_pop(ctx);
    duk_get_global_string(ctx, "Symbol");
    duk_idx_t symbol = duk_get_top_index(ctx);
    duk_idx_t holder = duk_get_top(ctx);
    duk_push_undefined(ctx);
    const cw_rt_trigger_t *prev = NULL;
    int have_holder = 0;
    for (size_t i = 0; i < cw_rt.ntrig; i++) {
        const cw_rt_trigger_t *t = &cw_rt.trig[i];
        if (!prev || !cw_rt_same_holder(prev, t)) {
            prev = t;
            have_holder = cw_rt_push_holder(ctx, t) == 0;
            if (have_holder)
                duk_replace(ctx, holder);
        }
        if (!have_holder)
            continue;
        cw_rt_push_key(ctx, t, symbol);
        if (t->replace) { /* keep the built-in for the group: rt.native[path] */
            duk_dup_top(ctx);
            duk_get_prop(ctx, holder);
            duk_put_prop_string(ctx, natives, t->path);
        }
        duk_dup(ctx, fns + 2 * t->group);
        duk_dup(ctx, fns + 2 * t->group + 1);
        duk_def_prop(ctx, holder,
                     DUK_DEFPROP_HAVE_GETTER | DUK_DEFPROP_HAVE_SETTER | DUK_DEFPROP_CLEAR_ENUMERABLE |
                         DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    }
    duk_set_top(ctx, fns);
}

/* [ ... rt ] -> [ ... rt ]: run the microtasks until a pass runs none.
 * Returns 1 with [ ... rt reason ] when a rejection has no handler then. */
static int cw_rt_drain(duk_context *ctx, duk_idx_t rt) {
    for (;;) {
        duk_get_prop_string(ctx, rt, "drainMicrotasks");
        if (!duk_is_function(ctx, -1))
            break;
        duk_dup(ctx, rt);
        duk_call_method(ctx, 0);
        if (!(duk_to_number(ctx, -1) > 0))
            break;
        duk_pop(ctx);
    }
    duk_set_top(ctx, rt + 1);
    duk_get_prop_string(ctx, rt, "unhandledRejections");
    if (duk_is_function(ctx, -1)) {
        duk_dup(ctx, rt);
        duk_call_method(ctx, 0);
        if (duk_is_object(ctx, -1) && duk_get_length(ctx, -1) > 0) {
            duk_get_prop_index(ctx, -1, 0);
            duk_replace(ctx, rt + 1);
            duk_set_top(ctx, rt + 2);
            return 1;
        }
    }
    duk_set_top(ctx, rt + 1);
    return 0;
}

/* [ ... rt ] -> [ ... rt ]: rt[name]() as a number; NAN when rt has no such
 * function (its group is not loaded). */
static double cw_rt_call_number(duk_context *ctx, duk_idx_t rt, const char *name) {
    double v = NAN;
    duk_get_prop_string(ctx, rt, name);
    if (duk_is_function(ctx, -1)) {
        duk_dup(ctx, rt);
        duk_call_method(ctx, 0);
        v = duk_to_number(ctx, -1);
    }
    duk_set_top(ctx, rt + 1);
    return v;
}

duk_ret_t cw_runtime_settle(duk_context *ctx, void *udata) {
    cw_rt_heap_t *h = udata;
    h->timer_late = 0;
    if (!h->loaded) { /* no group, so no promise, no timer and no queue */
        duk_push_false(ctx);
        duk_push_undefined(ctx);
        return 2;
    }
    cw_rt_push_rt(ctx);
    duk_idx_t rt = duk_get_top_index(ctx);
    for (;;) {
        if (cw_rt_drain(ctx, rt)) {
            duk_push_true(ctx);
            duk_swap_top(ctx, -2);
            return 2;
        }
        double step = cw_rt_call_number(ctx, rt, "runTimers");
        if (step == 2) { /* a callback's rejection that no handler took */
            duk_push_true(ctx);
            duk_get_prop_string(ctx, rt, "loopRejection");
            return 2;
        }
        if (!(step == 0))
            break; /* -1: nothing keeps the loop alive; NaN: no timers group */
        /* Only timers remain, none due yet: skip to the next one. */
        double due = cw_rt_call_number(ctx, rt, "nextTimerDue");
        if (!(due >= 0))
            break;
        int64_t now = cw_runtime_clock_ns(h);
        double gap = due * 1e6 - (double)(cw_rt_job_peek_ns(h) - h->origin_ns);
        int64_t skip = gap > 0 ? (int64_t)ceil(gap) + 1 : 0;
        if (h->deadline_ns && now + skip >= h->deadline_ns) {
            h->timer_late = 1;
            break;
        }
        h->skipped_ns += skip;
        /* The deadline is on the job's clock: in real time it is now that
         * much sooner, and so is the signal that stops natives. */
        if (h->deadline_ns && cw_intr_arm(h->deadline_ns - h->skipped_ns) != CW_OK)
            break; /* the engine's own checks still see the deadline */
    }
    duk_push_false(ctx);
    duk_push_undefined(ctx);
    return 2;
}

int cw_runtime_promise_state(duk_context *ctx, const cw_rt_heap_t *h, duk_idx_t idx) {
    idx = duk_normalize_index(ctx, idx);
    if (!h->loaded || !duk_is_object(ctx, idx) || duk_is_function(ctx, idx))
        return CW_RT_PROMISE_NONE;
    cw_rt_push_rt(ctx);
    duk_idx_t rt = duk_get_top_index(ctx);
    duk_get_prop_string(ctx, rt, "promiseState");
    if (!duk_is_function(ctx, -1)) { /* the promise group is not loaded */
        duk_set_top(ctx, rt);
        return CW_RT_PROMISE_NONE;
    }
    duk_dup(ctx, rt);
    duk_dup(ctx, idx);
    duk_call_method(ctx, 1);
    if (!duk_is_array(ctx, -1)) {
        duk_set_top(ctx, rt);
        return CW_RT_PROMISE_NONE;
    }
    duk_get_prop_index(ctx, -1, 0);
    int state = duk_get_int(ctx, -1);
    duk_pop(ctx);
    duk_get_prop_index(ctx, -1, 1);
    duk_replace(ctx, rt);
    duk_set_top(ctx, rt + 1);
    return state;
}

/* ---- the host's originals ---------------------------------------------- */

#define CW_RT_STASH_ORIGINALS "cwOriginals"

/* Where each original lives, from the global object (cw_rt_orig_t order). */
static const char *const cw_rt_orig_path[CW_RT_ORIG_COUNT][3] = {
    {"Error", NULL, NULL},       {"ReferenceError", NULL, NULL},     {"String", NULL, NULL},
    {"JSON", "stringify", NULL}, {"Object", "prototype", "toString"}, {"Object", "isExtensible", NULL},
};

static void cw_rt_push_by_path(duk_context *ctx, cw_rt_orig_t which) {
    duk_push_global_object(ctx);
    for (size_t i = 0; i < 3 && cw_rt_orig_path[which][i]; i++) {
        duk_get_prop_string(ctx, -1, cw_rt_orig_path[which][i]);
        duk_remove(ctx, -2);
    }
}

void cw_runtime_keep_originals(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    duk_push_array(ctx);
    for (int i = 0; i < CW_RT_ORIG_COUNT; i++) {
        cw_rt_push_by_path(ctx, (cw_rt_orig_t)i);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
    }
    duk_put_prop_string(ctx, -2, CW_RT_STASH_ORIGINALS);
    duk_pop(ctx);
}

void cw_runtime_push_original(duk_context *ctx, cw_rt_orig_t which) {
    duk_push_heap_stash(ctx);
    if (duk_get_prop_string(ctx, -1, CW_RT_STASH_ORIGINALS)) {
        duk_get_prop_index(ctx, -1, (duk_uarridx_t)which);
        duk_replace(ctx, -3);
        duk_pop(ctx);
        return;
    }
    duk_pop_2(ctx);
    cw_rt_push_by_path(ctx, which);
}

void cw_runtime_push_value_text(duk_context *ctx, duk_idx_t idx) {
    duk_idx_t v = duk_normalize_index(ctx, idx), top = duk_get_top(ctx);
    if (duk_is_symbol(ctx, v)) { /* ToString throws on a Symbol; String() does not */
        cw_runtime_push_original(ctx, CW_RT_ORIG_STRING);
        duk_dup(ctx, v);
        duk_call(ctx, 1);
        return;
    }
    if (!duk_is_object(ctx, v) || duk_is_function(ctx, v)) {
        duk_dup(ctx, v);
        duk_to_string(ctx, -1);
        return;
    }
    cw_runtime_push_original(ctx, CW_RT_ORIG_OBJECT_TO_STRING);
    duk_dup(ctx, v);
    duk_call_method(ctx, 0);
    duk_idx_t text = duk_get_top_index(ctx);
    if (duk_is_string(ctx, text) && strcmp(duk_get_string(ctx, text), "[object Object]") == 0) {
        duk_get_prototype(ctx, v);
        if (duk_is_object(ctx, -1)) {
            duk_get_prop_string(ctx, -1, "constructor");
            if (duk_is_function(ctx, -1)) {
                duk_get_prop_string(ctx, -1, "name");
                if (duk_is_string(ctx, -1) && duk_get_length(ctx, -1) > 0) {
                    duk_push_sprintf(ctx, "#<%s>", duk_get_string(ctx, -1));
                    duk_replace(ctx, text);
                }
            }
        }
    }
    duk_to_string(ctx, text);
    duk_dup(ctx, text);
    duk_replace(ctx, top); /* [ ... text ... ] -> [ ... text ] */
    duk_set_top(ctx, top + 1);
}

/* ---- require ------------------------------------------------------------- */

/* Libraries whose packages publish one entry point per function, and what
 * that entry point exports: lodash/groupBy is the function itself,
 * date-fns/addDays is { addDays }. */
static int cw_rt_subpath_style(const char *lib) {
    if (strcmp(lib, "lodash") == 0)
        return 1;
    if (strcmp(lib, "date-fns") == 0)
        return 2;
    return 0;
}

static int cw_rt_is_ident(const char *s) {
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
              (n > 0 && c >= '0' && c <= '9')))
            return 0;
    }
    return n > 0 && n <= 64;
}

int cw_runtime_require(duk_context *ctx, const char *name, uint32_t mask, duk_c_function require_fn) {
    if (cw_rt_index())
        return 0;
    const char *slash = strchr(name, '/');
    size_t blen = slash ? (size_t)(slash - name) : strlen(name);
    int lib = cw_rt_lib_find(name, blen);
    if (lib < 0 || !(mask & (UINT32_C(1) << lib)))
        return 0;
    int style = 0;
    if (slash && (!(style = cw_rt_subpath_style(cw_rt.lib[lib]->name)) || !cw_rt_is_ident(slash + 1)))
        return 0;

    duk_idx_t base = duk_get_top(ctx);
    duk_push_heap_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, CW_RT_STASH_MODULES)) {
        duk_pop(ctx);
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, CW_RT_STASH_MODULES);
    }
    duk_idx_t modules = base + 1;
    if (duk_get_prop_string(ctx, modules, name)) { /* cached: module.exports */
        duk_get_prop_string(ctx, -1, "exports");
        duk_replace(ctx, base);
        duk_set_top(ctx, base + 1);
        return 1;
    }
    duk_pop(ctx);

    if (slash) {
        /* [ stash modules ] -> [ stash modules library fn ] */
        (void)cw_runtime_require(ctx, cw_rt.lib[lib]->name, mask, require_fn);
        duk_get_prop_string(ctx, -1, slash + 1);
        if (!duk_is_function(ctx, -1)) {
            duk_set_top(ctx, base);
            return 0;
        }
        if (style == 2) { /* { name: fn } */
            duk_push_object(ctx);
            duk_dup(ctx, -2);
            duk_put_prop_string(ctx, -2, slash + 1);
            duk_remove(ctx, -2);
        }
        duk_push_object(ctx); /* module */
        duk_dup(ctx, -2);
        duk_put_prop_string(ctx, -2, "exports");
        duk_put_prop_string(ctx, modules, name);
        duk_replace(ctx, base);
        duk_set_top(ctx, base + 1);
        return 1;
    }

    cw_rt_run_module(ctx, cw_rt.lib[lib], modules, name, require_fn);
    duk_replace(ctx, base);
    duk_set_top(ctx, base + 1);
    return 1;
}

void cw_runtime_def_method(duk_context *ctx, duk_idx_t holder, const char *name, duk_c_function fn,
                           duk_idx_t nargs, int length, int magic) {
    holder = duk_normalize_index(ctx, holder);
    duk_push_string(ctx, name);
    duk_push_c_function(ctx, fn, nargs);
    duk_set_magic(ctx, -1, magic);
    /* A built-in method: Function.prototype its prototype (Duktape gives
     * natives one of their own), and not a constructor. */
    duk_get_global_string(ctx, "Function");
    duk_get_prop_string(ctx, -1, "prototype");
    duk_set_prototype(ctx, -3);
    duk_pop(ctx);
    cw_duk_not_constructor(ctx, -1);
    duk_push_string(ctx, "length");
    duk_push_int(ctx, length);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_push_string(ctx, "name");
    duk_push_string(ctx, name);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_def_prop(ctx, holder,
                 DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_CLEAR_ENUMERABLE |
                     DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
}

void cw_runtime_wrap_ctor(duk_context *ctx, const char *name, duk_c_function fn, const char *original_key,
                          int length) {
    duk_push_c_function(ctx, fn, DUK_VARARGS); /* [ global orig F ] */
    duk_dup(ctx, -2);
    duk_put_prop_string(ctx, -2, original_key);
    duk_push_string(ctx, "prototype");
    duk_get_prop_string(ctx, -3, "prototype");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_HAVE_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_HAVE_CONFIGURABLE);
    duk_push_string(ctx, "name");
    duk_push_string(ctx, name);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_HAVE_WRITABLE |
                              DUK_DEFPROP_HAVE_ENUMERABLE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_push_string(ctx, "length");
    duk_push_int(ctx, length);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_HAVE_WRITABLE |
                              DUK_DEFPROP_HAVE_ENUMERABLE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_get_prop_string(ctx, -2, "prototype"); /* prototype.constructor = F */
    duk_push_string(ctx, "constructor");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE);
    duk_pop(ctx);
    duk_push_string(ctx, name); /* global[name] = F */
    duk_dup(ctx, -2);
    duk_def_prop(ctx, -5, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE);
}

/* Node modules the runtime answers itself: from what a group leaves in
 * rt.nodeModules[module] (loading the group first), or an internal library's
 * exports.  Everything else stays blocked (cw_sandbox.c). */
static const struct {
    const char *module, *group, *internal;
} cw_rt_node_modules[] = {
    {"url", "web-url", NULL},
    {"buffer", "web-buffer", NULL},
    {"querystring", NULL, "querystring-es3"},
    {"timers", "timers", NULL},
    {"timers/promises", "timers", NULL},
    {"process", "process", NULL},
};

int cw_runtime_require_node(duk_context *ctx, const char *name) {
    if (cw_rt_index())
        return 0;
    if (strncmp(name, "node:", 5) == 0)
        name += 5;
    for (size_t i = 0; i < sizeof(cw_rt_node_modules) / sizeof(cw_rt_node_modules[0]); i++) {
        if (strcmp(name, cw_rt_node_modules[i].module) != 0)
            continue;
        if (cw_rt_node_modules[i].internal)
            return cw_rt_push_internal(ctx, cw_rt_node_modules[i].internal) == 0;
        int g = 0;
        while (g < cw_rt.ngroups && strcmp(cw_rt.group[g]->name, cw_rt_node_modules[i].group) != 0)
            g++;
        if (g == cw_rt.ngroups)
            return 0;
        (void)cw_rt_load_group(ctx, g);
        cw_rt_push_rt(ctx);
        duk_get_prop_string(ctx, -1, "nodeModules");
        duk_remove(ctx, -2);
        if (duk_is_object(ctx, -1)) {
            duk_get_prop_string(ctx, -1, name);
            duk_remove(ctx, -2);
            if (duk_is_object(ctx, -1))
                return 1;
        }
        duk_pop(ctx);
        return 0;
    }
    return 0;
}
