/*
 * duk_host.c -- a small Duktape host that proves the runtime polyfills and the
 * library bundles work the way the executor will use them: every file is
 * compiled once to bytecode, every test runs in a fresh heap, each polyfill
 * group loads on the first get or set of one of its trigger properties (an
 * accessor the host installs; see worker/runtime/README.md), libraries load
 * on require(), and the host drains the microtask queue after the job's
 * synchronous code.
 *
 * It also measures what those steps cost (--bench).
 *
 * Usage:
 *   duk_host -r RUNTIME_DIR [-l LIBS_DIR] [-v] TEST.js...   run test files
 *   duk_host -r RUNTIME_DIR [-l LIBS_DIR] --bench [N]       print measurements
 *   duk_host -r RUNTIME_DIR --check                         every group replaces
 *                                                           all of its triggers
 *
 * RUNTIME_DIR holds <group>.js files and groups.txt (made by
 * worker/runtime/build.sh); LIBS_DIR holds <name>.js module bundles (made by
 * worker/libs/build.mjs).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <unistd.h>

#include "duktape.h"

#define MAX_GROUPS   32
#define MAX_TRIGGERS 256
#define MAX_LIBS     16

/* One precompiled unit: a polyfill group or a library bundle. */
typedef struct {
    char name[64];
    char *src;            /* source text, kept for error messages */
    size_t src_len;
    unsigned char *bc;    /* bytecode from duk_dump_function */
    size_t bc_len;
    int internal;         /* a library only rt.lib() loads (not require()) */
} unit_t;

/* A lazy trigger: a property path such as "Map", "Array.prototype.flat" or
 * "Array.prototype.@@iterator" (@@name is the well-known Symbol.name). The
 * last component is the key; the rest names the object that holds it. */
typedef struct {
    char path[96];
    int group;
    int replace;          /* '!' prefix: install even where Duktape has it */
    int active;           /* missing in a bare heap, or replace: install it */
} trigger_t;

static unit_t groups[MAX_GROUPS];
static int n_groups;
static int eager[MAX_GROUPS];       /* groups marked '-': loaded in every heap */
static trigger_t triggers[MAX_TRIGGERS];
static int n_triggers;
static unit_t libs[MAX_LIBS];
static int n_libs;
static int verbose;

/* Per-heap state, reachable from any context through the allocator udata. */
typedef struct {
    size_t cur, peak, total_allocs;
    int group_loaded[MAX_GROUPS];
    double clock_ms; /* what rt.now() reads: moves only when the loop skips to a timer */
} heap_state_t;

/* ---- counting allocator ------------------------------------------------ */

#define HDR 16

static void *mem_alloc(void *ud, duk_size_t size) {
    heap_state_t *st = ud;
    unsigned char *p;
    if (size == 0) return NULL;
    p = malloc(size + HDR);
    if (!p) return NULL;
    *(size_t *) p = size;
    st->cur += size;
    st->total_allocs++;
    if (st->cur > st->peak) st->peak = st->cur;
    return p + HDR;
}

static void *mem_realloc(void *ud, void *ptr, duk_size_t size) {
    heap_state_t *st = ud;
    unsigned char *p, *np;
    size_t old;
    if (!ptr) return mem_alloc(ud, size);
    p = (unsigned char *) ptr - HDR;
    old = *(size_t *) p;
    if (size == 0) {
        st->cur -= old;
        free(p);
        return NULL;
    }
    np = realloc(p, size + HDR);
    if (!np) return NULL;
    *(size_t *) np = size;
    st->cur = st->cur - old + size;
    if (st->cur > st->peak) st->peak = st->cur;
    return np + HDR;
}

static void mem_free(void *ud, void *ptr) {
    heap_state_t *st = ud;
    unsigned char *p;
    if (!ptr) return;
    p = (unsigned char *) ptr - HDR;
    st->cur -= *(size_t *) p;
    free(p);
}

static void fatal_handler(void *ud, const char *msg) {
    (void) ud;
    fprintf(stderr, "%% fatal: %s\n", msg ? msg : "(null)");
    abort();
}

static heap_state_t *state_of(duk_context *ctx) {
    duk_memory_functions f;
    duk_get_memory_functions(ctx, &f);
    return f.udata;
}

/* Timings use this thread's CPU clock: the figures are then the work done,
 * not how busy the machine's other processes kept the core. */
static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- files and bytecode ------------------------------------------------ */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t) n + 1);
    if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    *len = (size_t) n;
    return buf;
}

static duk_ret_t compile_raw(duk_context *ctx, void *udata) {
    unit_t *u = udata;
    duk_push_string(ctx, u->name);
    duk_compile_lstring_filename(ctx, 0, u->src, u->src_len);
    duk_dump_function(ctx);
    return 1;
}

/* Compile a unit's source as global code in a scratch heap and keep the
 * bytecode. Returns 0 on success. */
static int unit_compile(unit_t *u, const char *path) {
    heap_state_t st = {0};
    duk_context *ctx;
    void *p;
    duk_size_t sz;
    int rc = -1;

    u->src = read_file(path, &u->src_len);
    if (!u->src) {
        fprintf(stderr, "%% cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    ctx = duk_create_heap(mem_alloc, mem_realloc, mem_free, &st, fatal_handler);
    if (duk_safe_call(ctx, compile_raw, u, 0, 1) != DUK_EXEC_SUCCESS) {
        fprintf(stderr, "%% compile %s: %s\n", path, duk_safe_to_string(ctx, -1));
    } else {
        p = duk_get_buffer(ctx, -1, &sz);
        u->bc = malloc(sz);
        memcpy(u->bc, p, sz);
        u->bc_len = sz;
        rc = 0;
    }
    duk_destroy_heap(ctx);
    return rc;
}

/* [ ] -> [ result ]: load a unit's bytecode and run it. Throws on error. */
static void unit_run(duk_context *ctx, const unit_t *u) {
    void *p = duk_push_fixed_buffer(ctx, u->bc_len);
    memcpy(p, u->bc, u->bc_len);
    duk_load_function(ctx);
    duk_call(ctx, 0);
}

/* ---- host functions visible to JavaScript ------------------------------ */

static duk_ret_t js_print(duk_context *ctx) {
    duk_idx_t i, n = duk_get_top(ctx);
    for (i = 0; i < n; i++) {
        if (i) fputc(' ', stdout);
        fputs(duk_safe_to_string(ctx, i), stdout);
    }
    fputc('\n', stdout);
    return 0;
}

/* crypto.getRandomValues(typedArray): fills the view from the OS RNG. */
static duk_ret_t js_get_random_values(duk_context *ctx) {
    duk_size_t len;
    void *p = duk_get_buffer_data(ctx, 0, &len);
    size_t off = 0;
    if (!p && !duk_is_buffer_data(ctx, 0))
        return duk_error(ctx, DUK_ERR_TYPE_ERROR, "getRandomValues: typed array expected");
    if (len > 65536)
        return duk_error(ctx, DUK_ERR_RANGE_ERROR, "getRandomValues: quota exceeded");
    while (off < len) {
        ssize_t r = getrandom((char *) p + off, len - off, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return duk_error(ctx, DUK_ERR_ERROR, "getRandomValues: %s", strerror(errno));
        }
        off += (size_t) r;
    }
    duk_dup(ctx, 0);
    return 1;
}

/* [ ] -> [ rt ]: the per-heap runtime object shared by the polyfill groups,
 * kept in the heap stash so job code cannot reach it. */
static void push_rt(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, "rt")) {
        duk_pop(ctx);
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, "rt");
    }
    duk_remove(ctx, -2);
}

/* Runs a group file: its bytecode evaluates to function (rt) {...}. */
static void group_run(duk_context *ctx, int g) {
    unit_run(ctx, &groups[g]);
    push_rt(ctx);
    duk_call(ctx, 1);
    duk_pop(ctx);
}

static int group_load(duk_context *ctx, int g) {
    heap_state_t *st = state_of(ctx);
    if (st->group_loaded[g]) return 0;
    st->group_loaded[g] = 1;
    if (verbose) fprintf(stderr, "%% loading group %s\n", groups[g].name);
    group_run(ctx, g);
    return 1;
}

/* Getter of every lazy trigger of a group (magic = group index). Duktape
 * passes the property key as the getter's argument. Loads the group, which
 * redefines its triggers as data properties, then reads the key again from
 * the receiver. A second call for the same group means the group did not
 * replace this accessor: answer undefined rather than recurse. */
static duk_ret_t js_lazy_get(duk_context *ctx) {
    if (!group_load(ctx, duk_get_current_magic(ctx))) return 0;
    duk_push_this(ctx);
    duk_dup(ctx, 0);
    duk_get_prop(ctx, -2);
    return 1;
}

/* Setter (value, key): load the group, then assign again, so the write sees
 * the group's data property: on the holder it replaces the method, on an
 * object that inherits it it creates an own property, as plain assignment
 * would. */
static duk_ret_t js_lazy_set(duk_context *ctx) {
    group_load(ctx, duk_get_current_magic(ctx));
    duk_push_this(ctx);
    duk_dup(ctx, 1);
    duk_dup(ctx, 0);
    duk_put_prop(ctx, -3);
    return 0;
}

/* [ ] -> [ holder key ] for a trigger path, or returns -1 (nothing pushed)
 * when some object on the path is missing. */
static int push_path(duk_context *ctx, const char *path) {
    char buf[96], *part, *next;
    snprintf(buf, sizeof buf, "%s", path);
    duk_push_global_object(ctx);
    for (part = buf; (next = strchr(part, '.')) != NULL; part = next + 1) {
        *next = '\0';
        if (!duk_get_prop_string(ctx, -1, part) || !duk_is_object(ctx, -1)) {
            duk_pop_2(ctx);
            return -1;
        }
        duk_remove(ctx, -2);
    }
    if (strncmp(part, "@@", 2) == 0) {
        duk_get_global_string(ctx, "Symbol");
        duk_get_prop_string(ctx, -1, part + 2);
        duk_remove(ctx, -2);
    } else {
        duk_push_string(ctx, part);
    }
    return 0;
}

/* Decides once per process which triggers to install: those whose property
 * a bare heap lacks, plus the '!' ones that replace Duktape's version. */
static duk_ret_t probe_triggers(duk_context *ctx, void *udata) {
    int i;
    (void) udata;
    for (i = 0; i < n_triggers; i++) {
        trigger_t *t = &triggers[i];
        if (push_path(ctx, t->path) != 0) {
            fprintf(stderr, "%% trigger %s: holder missing\n", t->path);
            continue;
        }
        duk_get_global_string(ctx, "Object");
        duk_get_prop_string(ctx, -1, "prototype");
        duk_get_prop_string(ctx, -1, "hasOwnProperty");
        duk_dup(ctx, -5);
        duk_dup(ctx, -5);
        duk_call_method(ctx, 1);
        t->active = t->replace || !duk_get_boolean(ctx, -1);
        if (verbose && !t->active) fprintf(stderr, "%% trigger %s: native, not installed\n", t->path);
        duk_pop_n(ctx, 5);
    }
    return 0;
}

static const char *blocked_modules[] = {
    "fs", "path", "http", "https", "net", "child_process", "cluster", "os",
    "process", "axios", "vm", "worker_threads", "dgram", "dns", "tls", NULL
};

static duk_ret_t js_require(duk_context *ctx);

/* [ name ] -> [ name stash modules exports ]: library i, loaded once per
 * heap and cached in the stash under `key`. */
static void module_load(duk_context *ctx, int i, const char *key) {
    duk_push_global_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, "modules")) {
        duk_pop(ctx);
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, "modules");
    }
    /* [ 0 name, 1 stash, 2 modules ] */
    if (duk_get_prop_string(ctx, 2, key)) {
        duk_get_prop_string(ctx, -1, "exports");
        duk_remove(ctx, -2);
        return;
    }
    duk_pop(ctx);
    unit_run(ctx, &libs[i]);                 /* 3: fn (module, exports, require) */
    duk_push_object(ctx);                    /* 4: module */
    duk_push_object(ctx);
    duk_put_prop_string(ctx, 4, "exports");
    duk_dup(ctx, 4);
    duk_put_prop_string(ctx, 2, key);        /* cache before running: cycles */
    duk_dup(ctx, 3);
    duk_get_prop_string(ctx, 4, "exports");  /* this = exports, as in Node */
    duk_dup(ctx, 4);
    duk_get_prop_string(ctx, 4, "exports");
    duk_push_c_function(ctx, js_require, 1);
    duk_call_method(ctx, 3);
    duk_pop(ctx);
    duk_get_prop_string(ctx, 4, "exports");
    duk_replace(ctx, 3);
    duk_set_top(ctx, 4);
}

/* rt.lib(name): an internal library's exports, for the groups it backs
 * (web-url.js, web-buffer.js), as cw_runtime.c gives them. */
static duk_ret_t js_rt_lib(duk_context *ctx) {
    const char *name = duk_require_string(ctx, 0);
    char key[80];
    int i;
    duk_set_top(ctx, 1);
    for (i = 0; i < n_libs; i++)
        if (libs[i].internal && strcmp(libs[i].name, name) == 0) break;
    if (i == n_libs)
        return duk_error(ctx, DUK_ERR_ERROR, "internal library %s is not built (run with -l)", name);
    snprintf(key, sizeof key, "internal:%s", name);
    module_load(ctx, i, key);
    return 1;
}

/* require(name): the allowed libraries, loaded once per heap on first use. */
static duk_ret_t js_require(duk_context *ctx) {
    const char *name = duk_require_string(ctx, 0);
    int i;

    duk_set_top(ctx, 1);
    duk_push_global_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, "modules")) {
        duk_pop(ctx);
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, "modules");
    }
    /* [ name stash modules ] */
    if (duk_get_prop_string(ctx, -1, name)) {
        duk_get_prop_string(ctx, -1, "exports");
        return 1;
    }
    duk_pop(ctx);
    for (i = 0; blocked_modules[i]; i++)
        if (strcmp(blocked_modules[i], name) == 0)
            return duk_error(ctx, DUK_ERR_ERROR, "module '%s' is blocked", name);
    for (i = 0; i < n_libs; i++)
        if (!libs[i].internal && strcmp(libs[i].name, name) == 0) break;
    if (i == n_libs)
        return duk_error(ctx, DUK_ERR_ERROR, "module '%s' is not available", name);
    duk_set_top(ctx, 1);
    module_load(ctx, i, name);
    return 1;
}

/* __hostRuntime(): test-only access to the runtime object, so tests can
 * check the host-facing hooks (drainMicrotasks, unhandledRejections). */
static duk_ret_t js_host_runtime(duk_context *ctx) {
    push_rt(ctx);
    return 1;
}

/* ---- heap setup -------------------------------------------------------- */

/* rt.now(): the heap's clock for the timers group. A virtual one: the
 * harness's timers never wait for real time. */
static duk_ret_t js_rt_now(duk_context *ctx) {
    duk_push_number(ctx, state_of(ctx)->clock_ms);
    return 1;
}

static duk_ret_t setup_heap(duk_context *ctx, void *udata) {
    int i;
    (void) udata;

    duk_push_global_object(ctx);
    duk_del_prop_string(ctx, -1, "Duktape");

    duk_push_object(ctx);
    duk_push_c_function(ctx, js_print, DUK_VARARGS);
    duk_put_prop_string(ctx, -2, "log");
    duk_push_c_function(ctx, js_print, DUK_VARARGS);
    duk_put_prop_string(ctx, -2, "error");
    duk_put_prop_string(ctx, -2, "console");

    duk_push_object(ctx);
    duk_push_c_function(ctx, js_get_random_values, 1);
    duk_put_prop_string(ctx, -2, "getRandomValues");
    duk_put_prop_string(ctx, -2, "crypto");

    duk_push_c_function(ctx, js_require, 1);
    duk_put_prop_string(ctx, -2, "require");

    duk_push_c_function(ctx, js_host_runtime, 0);
    duk_put_prop_string(ctx, -2, "__hostRuntime");

    for (i = 0; i < n_groups; i++)
        if (eager[i]) group_load(ctx, i);

    duk_pop(ctx);

    /* One getter/setter pair per group, shared by its triggers; they sit at
     * stack indices 2 * g and 2 * g + 1 while the accessors are defined. */
    duk_require_stack(ctx, 2 * n_groups + 16);
    for (i = 0; i < n_groups; i++) {
        duk_push_c_function(ctx, js_lazy_get, 1);
        duk_set_magic(ctx, -1, i);
        duk_push_c_function(ctx, js_lazy_set, 2);
        duk_set_magic(ctx, -1, i);
    }
    /* Consecutive triggers on the same holder reuse it (kept at `holder`).
     * A '!' trigger replaces a built-in; the original goes to
     * rt.native[path] so the group can still delegate to it. */
    {
        duk_idx_t holder = 2 * n_groups, natives = 2 * n_groups + 1;
        size_t plen = 0;
        const char *prev = NULL;
        duk_push_undefined(ctx);
        push_rt(ctx);
        duk_push_c_function(ctx, js_rt_now, 0);
        duk_put_prop_string(ctx, -2, "now");
        duk_push_object(ctx);
        duk_dup_top(ctx);
        duk_put_prop_string(ctx, -3, "native");
        duk_push_c_function(ctx, js_rt_lib, 1);
        duk_put_prop_string(ctx, -3, "lib");
        duk_remove(ctx, -2);
        for (i = 0; i < n_triggers; i++) {
            const trigger_t *t = &triggers[i];
            const char *dot = strrchr(t->path, '.');
            size_t len = dot ? (size_t) (dot - t->path) : 0;
            if (!t->active) continue;
            if (prev && len == plen && strncmp(prev, t->path, len) == 0) {
                const char *key = dot ? dot + 1 : t->path;
                if (strncmp(key, "@@", 2) == 0) {
                    duk_get_global_string(ctx, "Symbol");
                    duk_get_prop_string(ctx, -1, key + 2);
                    duk_remove(ctx, -2);
                } else {
                    duk_push_string(ctx, key);
                }
            } else {
                if (push_path(ctx, t->path) != 0) continue;
                duk_swap_top(ctx, -2);
                duk_replace(ctx, holder);
                prev = t->path;
                plen = len;
            }
            if (t->replace) {
                duk_dup_top(ctx);
                duk_get_prop(ctx, holder);
                duk_put_prop_string(ctx, natives, t->path);
            }
            duk_dup(ctx, 2 * t->group);
            duk_dup(ctx, 2 * t->group + 1);
            duk_def_prop(ctx, holder, DUK_DEFPROP_HAVE_GETTER | DUK_DEFPROP_HAVE_SETTER |
                                          DUK_DEFPROP_CLEAR_ENUMERABLE | DUK_DEFPROP_SET_CONFIGURABLE |
                                          DUK_DEFPROP_FORCE);
        }
    }
    duk_set_top(ctx, 0);
    return 0;
}

static duk_context *heap_new(heap_state_t *st) {
    duk_context *ctx;
    memset(st, 0, sizeof(*st));
    ctx = duk_create_heap(mem_alloc, mem_realloc, mem_free, st, fatal_handler);
    if (duk_safe_call(ctx, setup_heap, NULL, 0, 1) != DUK_EXEC_SUCCESS) {
        fprintf(stderr, "%% heap setup: %s\n", duk_safe_to_string(ctx, -1));
        exit(1);
    }
    duk_pop(ctx);
    return ctx;
}

/* Runs queued microtasks until the queue is empty (the job's "event loop"),
 * then reports rejections nobody handled. Returns -1 if a job threw. */
static int drain_microtasks(duk_context *ctx, const char *name) {
    int n = 0;
    push_rt(ctx);
    if (duk_get_prop_string(ctx, -1, "drainMicrotasks") && duk_is_function(ctx, -1)) {
        duk_dup(ctx, -2);
        if (duk_pcall_method(ctx, 0) != DUK_EXEC_SUCCESS) {
            fprintf(stderr, "%% %s: uncaught in microtask: %s\n", name, duk_safe_to_string(ctx, -1));
            n = -1;
        } else {
            n = duk_to_int(ctx, -1);
        }
    }
    duk_pop(ctx);
    if (duk_get_prop_string(ctx, -1, "unhandledRejections") && duk_is_function(ctx, -1)) {
        duk_dup(ctx, -2);
        if (duk_pcall_method(ctx, 0) == DUK_EXEC_SUCCESS && duk_get_length(ctx, -1) > 0 && verbose)
            fprintf(stderr, "%% %s: %lu unhandled rejection(s)\n", name,
                    (unsigned long) duk_get_length(ctx, -1));
    }
    duk_pop_2(ctx);
    return n;
}

/* [ rt ] -> [ rt ]: rt[name]() as a number, NaN if rt has no such function;
 * -1 with a message if it threw. */
static double rt_call(duk_context *ctx, const char *name, const char *file, int *threw) {
    double v = NAN;
    if (duk_get_prop_string(ctx, -1, name) && duk_is_function(ctx, -1)) {
        duk_dup(ctx, -2);
        if (duk_pcall_method(ctx, 0) != DUK_EXEC_SUCCESS) {
            fprintf(stderr, "%% %s: uncaught in %s: %s\n", file, name, duk_safe_to_string(ctx, -1));
            *threw = 1;
        } else {
            v = duk_to_number(ctx, -1);
        }
    }
    duk_pop(ctx);
    return v;
}

/* The event loop of the host contract (README, item 7), after the first
 * drain: rt.runTimers() until nothing keeps the loop alive; when only
 * timers that are not due remain, the clock skips to the next one instead
 * of sleeping. Returns -1 if a callback threw or a rejection had no
 * handler. */
static int run_event_loop(duk_context *ctx, const char *name) {
    heap_state_t *st = state_of(ctx);
    int threw = 0, rc = 0;
    push_rt(ctx);
    for (;;) {
        double r = rt_call(ctx, "runTimers", name, &threw), due;
        if (threw) { rc = -1; break; }
        if (r == 2) {
            duk_get_prop_string(ctx, -1, "loopRejection");
            fprintf(stderr, "%% %s: unhandled rejection in the event loop: %s\n", name, duk_safe_to_string(ctx, -1));
            duk_pop(ctx);
            rc = -1;
            break;
        }
        if (r != 0) break; /* -1: the loop is empty; NaN: no timers group */
        due = rt_call(ctx, "nextTimerDue", name, &threw);
        if (threw || !(due >= 0)) { rc = threw ? -1 : 0; break; }
        if (due > st->clock_ms) st->clock_ms = due;
    }
    duk_pop(ctx);
    return rc;
}

static int eval_source(duk_context *ctx, const char *name, const char *src, size_t len) {
    duk_push_string(ctx, name);
    if (duk_pcompile_lstring_filename(ctx, 0, src, len) != DUK_EXEC_SUCCESS ||
        duk_pcall(ctx, 0) != DUK_EXEC_SUCCESS) {
        duk_get_prop_string(ctx, -1, "stack");
        fprintf(stderr, "%% %s: %s\n", name,
                duk_is_string(ctx, -1) ? duk_get_string(ctx, -1) : duk_safe_to_string(ctx, -2));
        duk_pop_2(ctx);
        return -1;
    }
    duk_pop(ctx);
    return 0;
}

/* ---- configuration ----------------------------------------------------- */

static void join(char *out, size_t n, const char *dir, const char *file) {
    snprintf(out, n, "%s/%s", dir, file);
}

/* groups.txt: "<group> <trigger,trigger,...|-> <files...>" per line, '#'
 * comments. A group whose triggers are '-' is loaded in every heap. */
static void load_runtime(const char *dir) {
    char path[4096], line[8192];
    FILE *f;
    join(path, sizeof path, dir, "groups.txt");
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%% cannot open %s\n", path);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        char name[48], trig[4096], file[4096], *tok;
        unit_t *u;
        if (line[0] == '#' || sscanf(line, "%47s %4095s", name, trig) != 2) continue;
        u = &groups[n_groups];
        snprintf(u->name, sizeof u->name, "%s.js", name);
        join(file, sizeof file, dir, u->name);
        if (unit_compile(u, file) != 0) exit(2);
        eager[n_groups] = strcmp(trig, "-") == 0;
        for (tok = strtok(trig, ","); tok && strcmp(tok, "-") != 0; tok = strtok(NULL, ",")) {
            trigger_t *t = &triggers[n_triggers++];
            t->replace = tok[0] == '!';
            snprintf(t->path, sizeof t->path, "%s", tok + t->replace);
            t->group = n_groups;
        }
        n_groups++;
    }
    fclose(f);
}

static const char *lib_names[] = {
    "lodash", "date-fns", "mathjs", "papaparse", "uuid", "validator", "jstat", NULL
};
/* Libraries only rt.lib() loads: what the web-url and web-buffer groups and
 * Node's querystring are made of. */
static const char *internal_names[] = { "whatwg-url", "buffer", "querystring-es3", NULL };

static void load_list(const char *dir, const char **names, int internal) {
    char file[4096];
    int i;
    for (i = 0; names[i]; i++) {
        unit_t *u = &libs[n_libs];
        u->internal = internal;
        snprintf(u->name, sizeof u->name, "%s", names[i]);
        snprintf(file, sizeof file, "%s/%s.js", dir, names[i]);
        if (access(file, R_OK) != 0) {
            if (verbose) fprintf(stderr, "%% %s: not built, require() will fail\n", file);
            continue;
        }
        if (unit_compile(u, file) != 0) exit(2);
        n_libs++;
    }
}

static void load_libs(const char *dir) {
    load_list(dir, lib_names, 0);
    load_list(dir, internal_names, 1);
}

/* ---- benchmark --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t) n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct {
    const char *lib;
    const char *call;   /* everyday call made after require() */
} lib_bench_t;

static const lib_bench_t lib_bench[] = {
    { "lodash", "var _ = require('lodash'); _.sortBy(_.groupBy([1.3,2.1,2.4], Math.floor)[2]);" },
    { "date-fns", "var d = require('date-fns'); d.format(d.addDays(new Date(2024,0,30),3),'yyyy-MM-dd');" },
    { "mathjs", "var m = require('mathjs'); m.evaluate('sqrt(3^2+4^2)');" },
    { "papaparse", "var P = require('papaparse'); P.parse('a,b\\n1,\"x,y\"', {header:true});" },
    { "uuid", "var u = require('uuid'); u.v4();" },
    { "validator", "var v = require('validator'); v.isEmail('a@b.co');" },
    { "jstat", "var j = require('jstat'); j.mean([1,2,3,4]);" },
    { NULL, NULL }
};

static duk_ret_t bench_load_group(duk_context *ctx, void *udata) {
    group_load(ctx, (int) (intptr_t) udata);
    return 0;
}

static duk_ret_t bench_eval(duk_context *ctx, void *udata) {
    duk_eval_string_noresult(ctx, udata);
    return 0;
}

static duk_ret_t bench_require(duk_context *ctx, void *udata) {
    duk_push_global_object(ctx);
    duk_get_prop_string(ctx, -1, "require");
    duk_push_string(ctx, udata);
    duk_call(ctx, 1);
    return 1;
}

static void bench(int iters) {
    double *t = calloc((size_t) iters, sizeof *t);
    double *t2 = calloc((size_t) iters, sizeof *t2);
    heap_state_t st;
    duk_context *ctx;
    size_t base_mem;
    int i, g;

    printf("# %d iterations; median thread CPU microseconds; memory = bytes held by the heap\n", iters);

    /* A bare heap: create + destroy. */
    for (i = 0; i < iters; i++) {
        double a = now_us();
        memset(&st, 0, sizeof st);
        ctx = duk_create_heap(mem_alloc, mem_realloc, mem_free, &st, fatal_handler);
        duk_destroy_heap(ctx);
        t[i] = now_us() - a;
    }
    printf("heap create+destroy: %.1f us\n", median(t, iters));

    /* Each polyfill group's first-touch cost in a job heap: bytecode load
     * and run, including any group it touches while loading. */
    for (g = 0; g < n_groups; g++) {
        size_t before = 0, after = 0;
        for (i = 0; i < iters; i++) {
            double a, b;
            void *p;
            ctx = heap_new(&st);
            before = st.cur;
            a = now_us();
            if (duk_safe_call(ctx, bench_load_group, (void *) (intptr_t) g, 0, 1) != DUK_EXEC_SUCCESS) {
                fprintf(stderr, "%% %s: %s\n", groups[g].name, duk_safe_to_string(ctx, -1));
                exit(1);
            }
            t[i] = now_us() - a;
            duk_pop(ctx);
            after = st.cur;
            /* duk_load_function alone, for the split. */
            p = duk_push_fixed_buffer(ctx, groups[g].bc_len);
            memcpy(p, groups[g].bc, groups[g].bc_len);
            a = now_us();
            duk_load_function(ctx);
            b = now_us();
            t2[i] = b - a;
            duk_destroy_heap(ctx);
        }
        printf("group %-16s bytecode %7zu B  source %7zu B  first touch %6.1f us (bytecode load %5.1f us)  memory +%zu B\n",
               groups[g].name, groups[g].bc_len, groups[g].src_len, median(t, iters),
               median(t2, iters), after - before);
    }

    /* Fresh heap as a job gets it (host globals + lazy accessors): setup cost. */
    for (i = 0; i < iters; i++) {
        double a = now_us();
        ctx = heap_new(&st);
        t[i] = now_us() - a;
        base_mem = st.cur;
        duk_destroy_heap(ctx);
    }
    printf("job heap (create + host globals + %d lazy accessors): %.1f us, %zu B\n",
           n_triggers, median(t, iters), base_mem);
    {
        int saved = n_triggers;
        n_triggers = 0;
        for (i = 0; i < iters; i++) {
            double a = now_us();
            ctx = heap_new(&st);
            t[i] = now_us() - a;
            base_mem = st.cur;
            duk_destroy_heap(ctx);
        }
        n_triggers = saved;
        printf("job heap without the accessors: %.1f us, %zu B\n", median(t, iters), base_mem);
    }

    /* Libraries: require() cost and first everyday call, each in a fresh heap. */
    for (i = 0; lib_bench[i].lib; i++) {
        int k, li = -1, n = iters > 20 ? 20 : iters;
        size_t m_req = 0, m_call = 0, peak = 0;
        for (k = 0; k < n_libs; k++)
            if (strcmp(libs[k].name, lib_bench[i].lib) == 0) li = k;
        if (li < 0) continue;
        for (k = 0; k < n; k++) {
            double a, b, c;
            ctx = heap_new(&st);
            base_mem = st.cur;
            st.peak = st.cur;
            a = now_us();
            if (duk_safe_call(ctx, bench_require, (void *) lib_bench[i].lib, 0, 1) != DUK_EXEC_SUCCESS) {
                fprintf(stderr, "%% require %s: %s\n", lib_bench[i].lib, duk_safe_to_string(ctx, -1));
                exit(1);
            }
            b = now_us();
            m_req = st.cur - base_mem;
            if (duk_safe_call(ctx, bench_eval, (void *) lib_bench[i].call, 0, 1) != DUK_EXEC_SUCCESS) {
                fprintf(stderr, "%% call %s: %s\n", lib_bench[i].lib, duk_safe_to_string(ctx, -1));
                exit(1);
            }
            c = now_us();
            duk_pop_2(ctx);
            duk_gc(ctx, 0);
            m_call = st.cur - base_mem;
            peak = st.peak - base_mem;
            t[k] = b - a;
            t2[k] = c - b;
            duk_destroy_heap(ctx);
        }
        printf("lib %-10s bytecode %8zu B  source %8zu B  require %8.1f us  first call %8.1f us"
               "  memory after require +%zu B, after call (gc) +%zu B, peak +%zu B\n",
               libs[li].name, libs[li].bc_len, libs[li].src_len, median(t, n), median(t2, n),
               m_req, m_call, peak);
    }
    free(t);
    free(t2);
}

/* ---- manifest check ----------------------------------------------------- */

/* For each group: load it in a fresh job heap and confirm that it replaced
 * every trigger it owns (no host accessor left behind, which would read as
 * undefined). Returns the number of triggers left unreplaced. */
static duk_ret_t check_group(duk_context *ctx, void *udata) {
    int g = (int) (intptr_t) udata, i, bad = 0;
    group_load(ctx, g);
    for (i = 0; i < n_triggers; i++) {
        const trigger_t *t = &triggers[i];
        if (t->group != g || !t->active || push_path(ctx, t->path) != 0) continue;
        duk_get_global_string(ctx, "Object");
        duk_get_prop_string(ctx, -1, "getOwnPropertyDescriptor");
        duk_dup(ctx, -4);
        duk_dup(ctx, -4);
        duk_call(ctx, 2);                /* [ holder key Object desc ] */
        if (!duk_is_object(ctx, -1)) {
            fprintf(stderr, "%% %s: group %s removed it\n", t->path, groups[g].name);
            bad++;
        } else {
            duk_get_prop_string(ctx, -1, "get");
            if (duk_get_c_function(ctx, -1) == js_lazy_get) {
                fprintf(stderr, "%% %s: group %s did not define it\n", t->path, groups[g].name);
                bad++;
            }
            duk_pop(ctx);
        }
        duk_pop_n(ctx, 4);
    }
    duk_push_int(ctx, bad);
    return 1;
}

static int check_manifest(void) {
    heap_state_t st;
    int g, bad = 0;
    for (g = 0; g < n_groups; g++) {
        duk_context *ctx = heap_new(&st);
        if (duk_safe_call(ctx, check_group, (void *) (intptr_t) g, 0, 1) != DUK_EXEC_SUCCESS) {
            fprintf(stderr, "%% group %s: %s\n", groups[g].name, duk_safe_to_string(ctx, -1));
            bad++;
        } else {
            bad += duk_get_int(ctx, -1);
        }
        duk_destroy_heap(ctx);
    }
    return bad;
}

/* ---- test runner ------------------------------------------------------- */

static int run_test_file(const char *harness_path, const char *path, long *passed, long *failed) {
    heap_state_t st;
    duk_context *ctx = heap_new(&st);
    size_t hlen, len;
    char *hsrc = read_file(harness_path, &hlen);
    char *src = read_file(path, &len);
    int rc = 0;

    if (!hsrc || !src) {
        fprintf(stderr, "%% cannot read %s or %s\n", harness_path, path);
        exit(2);
    }
    if (eval_source(ctx, harness_path, hsrc, hlen) != 0) exit(2);
    if (eval_source(ctx, path, src, len) != 0) {
        (*failed)++;
        rc = -1;
    }
    if (drain_microtasks(ctx, path) < 0 || run_event_loop(ctx, path) < 0) {
        (*failed)++;
        rc = -1;
    }
    /* __t_finish() runs the checks registered with afterDrain() and returns
     * [passed, failed]. */
    duk_push_global_object(ctx);
    duk_get_prop_string(ctx, -1, "__t_finish");
    if (duk_pcall(ctx, 0) != DUK_EXEC_SUCCESS) {
        fprintf(stderr, "%% %s: finish: %s\n", path, duk_safe_to_string(ctx, -1));
        (*failed)++;
        rc = -1;
    } else {
        duk_get_prop_index(ctx, -1, 0);
        *passed += duk_to_int(ctx, -1);
        duk_pop(ctx);
        duk_get_prop_index(ctx, -1, 1);
        *failed += duk_to_int(ctx, -1);
        duk_pop(ctx);
    }
    duk_pop_2(ctx);
    duk_destroy_heap(ctx);
    if (st.cur != 0) {
        fprintf(stderr, "%% %s: heap leaked %zu bytes\n", path, st.cur);
        (*failed)++;
    }
    free(hsrc);
    free(src);
    return rc;
}

static void usage(FILE *f) {
    fprintf(f, "usage: duk_host -r RUNTIME_DIR [-l LIBS_DIR] [-H HARNESS.js] [-v] TEST.js...\n"
               "       duk_host -r RUNTIME_DIR [-l LIBS_DIR] --bench [N]\n"
               "       duk_host -r RUNTIME_DIR --check\n");
}

int main(int argc, char **argv) {
    const char *runtime = NULL, *libdir = NULL, *harness = NULL;
    int i, bench_iters = 0, check = 0;
    long passed = 0, failed = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) runtime = argv[++i];
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) libdir = argv[++i];
        else if (strcmp(argv[i], "-H") == 0 && i + 1 < argc) harness = argv[++i];
        else if (strcmp(argv[i], "-v") == 0) verbose = 1;
        else if (strcmp(argv[i], "--check") == 0) check = 1;
        else if (strcmp(argv[i], "-h") == 0) { usage(stdout); return 0; }
        else if (strcmp(argv[i], "--bench") == 0) {
            bench_iters = 200;
            if (i + 1 < argc && argv[i + 1][0] != '-') bench_iters = atoi(argv[++i]);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "Error: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else break;
    }
    if (!runtime) {
        usage(stderr);
        return 2;
    }
    load_runtime(runtime);
    {
        heap_state_t st = {0};
        duk_context *ctx = duk_create_heap(mem_alloc, mem_realloc, mem_free, &st, fatal_handler);
        if (duk_safe_call(ctx, probe_triggers, NULL, 0, 1) != DUK_EXEC_SUCCESS) {
            fprintf(stderr, "%% probing triggers: %s\n", duk_safe_to_string(ctx, -1));
            return 2;
        }
        duk_destroy_heap(ctx);
    }
    if (libdir) load_libs(libdir);

    if (bench_iters > 0) {
        bench(bench_iters);
        return 0;
    }
    if (check) {
        int bad = check_manifest();
        printf("manifest: %d groups, %d triggers, %d not replaced by their group\n", n_groups, n_triggers, bad);
        return bad ? 1 : 0;
    }
    if (!harness) {
        fprintf(stderr, "Error: -H HARNESS.js is required to run tests\n");
        return 2;
    }
    for (; i < argc; i++) {
        long p0 = passed, f0 = failed;
        run_test_file(harness, argv[i], &passed, &failed);
        fprintf(stderr, "%% %s: %ld passed, %ld failed\n", argv[i], passed - p0, failed - f0);
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
