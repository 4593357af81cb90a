/*
 * cw_runtime.h -- the built-ins and libraries a job heap gets on demand.
 *
 * Duktape 2.7 is ES5.1 plus part of ES2015.  The missing built-ins (Map, Set,
 * Promise, Array.prototype.flat, Intl, structuredClone, ...) come from the
 * polyfill groups of worker/runtime, and the modules a job may require()
 * (lodash, date-fns, ...) from worker/libs.  The build compiles both to
 * bytecode of this very engine (worker/tools/cw_bytecode.c) and embeds them
 * in the binary as the table below (worker/tools/cw_embed.py); nothing is
 * ever loaded as bytecode from anywhere else, and never from a job.
 *
 * Per job heap, cw_runtime_install() defines each group's trigger properties
 * as accessors; the first get or set of one loads the group (the host
 * contract is in worker/runtime/README.md).  A job that never touches a
 * trigger pays only for defining the accessors.
 */
#ifndef CW_RUNTIME_H
#define CW_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "duktape.h"

/* CW_RT_INTERNAL: a library bundle that backs a runtime group or a Node
 * module (whatwg-url behind URL, buffer behind Buffer); never require()-able
 * by its own name and not part of the allowlist. */
typedef enum { CW_RT_GROUP = 0, CW_RT_LIBRARY = 1, CW_RT_INTERNAL = 2 } cw_rt_kind_t;

/* One embedded unit.  A group's bytecode evaluates to `function (rt)`, a
 * library's (internal or not) to `function (module, exports, require)`. */
typedef struct cw_rt_unit {
    const char *name;
    cw_rt_kind_t kind;
    const char *triggers; /* groups: "path,path,..." ('!' = replace a built-in); libraries: NULL */
    const unsigned char *data;
    size_t len;
} cw_rt_unit_t;

/* Generated at build time (cw_runtime_data.c in the build tree). */
extern const cw_rt_unit_t cw_rt_units[];
extern const size_t cw_rt_nunits;
/* "sha256:<hex>" of the embedded runtime and libraries (names, kinds,
 * bytecode) and the lowering library's sources and lock: what this build
 * runs a job with beyond the C code (cw_embed.py; the replay object's
 * "runtime"). */
extern const char cw_rt_digest[];

/* Per-heap state, owned by the caller and alive as long as the heap. */
typedef struct cw_rt_heap {
    uint32_t loaded; /* bit g: group g has been loaded (or is loading) */
    /* The job's clock is cw_mono_ns() + skipped_ns: when only timers are
     * left, cw_runtime_settle() moves it forward to the next one instead of
     * sleeping.  Date.now(), performance.now() and the timers read it. */
    int64_t skipped_ns;
    /* Where rt.now() counts from (cw_mono_ns() time); the caller sets it
     * when the job starts. */
    int64_t origin_ns;
    /* The job's deadline on that clock (0: none), set by the caller before
     * cw_runtime_settle(); a timer due at or after it cannot run in time. */
    int64_t deadline_ns;
    int timer_late; /* settle stopped: the next timer was due past deadline_ns */
    /* The logical clock of a deterministic job (README "Replay"): what the
     * job sees -- Date.now(), performance.now(), log times, the timers --
     * is origin_ns + skipped_ns + 1 us per reading (ticks_ns), never real
     * time, so the same job reads the same times on every run.  Its
     * deadline stays on the real clock (cw_runtime_clock_ns()). */
    int logical;
    int64_t ticks_ns;
} cw_rt_heap_t;

/*
 * Once per process: index the table and decide, in a bare heap of this
 * engine, which triggers to install (those whose property Duktape lacks, and
 * every '!' one).  Idempotent.  Returns 0, or -1 with a reason in `err`.
 */
int cw_runtime_init(char *err, size_t err_size);

/* The libraries the build embeds, as an allowlist mask (bit i = library i). */
uint32_t cw_runtime_modules_all(void);
/* Parse a comma-separated list of library names into a mask.  Blanks around
 * names are ignored; an empty list allows nothing.  -1 with a reason in `err`
 * when a name is not a library of this build. */
int cw_runtime_modules_parse(const char *list, uint32_t *mask, char *err, size_t err_size);
/* Write the names in `mask` as "a,b,c" (sep ",") or "a, b, c" (sep ", ").
 * Returns the length the full text needs, as snprintf does. */
size_t cw_runtime_modules_format(uint32_t mask, const char *sep, char *buf, size_t size);

/*
 * Per job heap, inside a protected call, before any job code runs: put the
 * runtime object `rt` in the heap stash and define every trigger.  `h` must
 * outlive the heap.  Throws (out of memory) or returns.
 */
/* holder[name] = a native method defined as ECMAScript defines built-ins:
 * writable, not enumerable, configurable, with its own `length` and `name`
 * (configurable only).  `holder` is any index; `nargs` as for
 * duk_push_c_function.  Used by every native that replaces or adds a
 * built-in (strings, dates, Unicode). */
void cw_runtime_def_method(duk_context *ctx, duk_idx_t holder, const char *name, duk_c_function fn,
                           duk_idx_t nargs, int length, int magic);

/* [ global orig ] -> [ global orig F ]: replace the built-in constructor
 * global[name] (orig) with the native `fn`, which finds orig under the
 * hidden property `original_key`; F takes over orig's prototype (whose
 * `constructor` becomes F), `name` and `length`, and global[name] = F is
 * writable, configurable and not enumerable, as built-ins are. */
void cw_runtime_wrap_ctor(duk_context *ctx, const char *name, duk_c_function fn, const char *original_key,
                          int length);

void cw_runtime_install(duk_context *ctx, cw_rt_heap_t *h);

/* rt[name] = fn: a native helper for the polyfills (never reachable from
 * job code: `rt` is the argument of each group's function), for what only
 * the host that installs the runtime knows -- the sandbox's allocator
 * figures behind process.memoryUsage().  After cw_runtime_install(). */
void cw_runtime_def_rt(duk_context *ctx, const char *name, duk_c_function fn, duk_idx_t nargs);

/* The built-ins the host itself calls while or after a job runs, as they
 * were when the heap was made: a job that replaces the global Error,
 * String or JSON.stringify, or Object.prototype.toString, must not change
 * how the host describes it, throws for it or checks its arguments. */
typedef enum cw_rt_orig {
    CW_RT_ORIG_ERROR,            /* Error (the cause-aware wrapper, cw_errors.c) */
    CW_RT_ORIG_REFERENCE_ERROR,  /* ReferenceError */
    CW_RT_ORIG_STRING,           /* String */
    CW_RT_ORIG_STRINGIFY,        /* JSON.stringify (the well-formed one, cw_json.c) */
    CW_RT_ORIG_OBJECT_TO_STRING, /* Object.prototype.toString */
    CW_RT_ORIG_IS_EXTENSIBLE,    /* Object.isExtensible */
    CW_RT_ORIG_COUNT
} cw_rt_orig_t;

/* Inside a Duktape safe call, once per heap, after every built-in is
 * installed (it is part of the sealed heap image): keep the originals.
 * Throws on failure. */
void cw_runtime_keep_originals(duk_context *ctx);

/* [ ... ] -> [ ... value ]: a kept original; in a heap that kept none (a
 * test host), the built-in as the global object has it now. */
void cw_runtime_push_original(duk_context *ctx, cw_rt_orig_t which);

/* [ ... ] -> [ ... text ]: the value at idx named as V8 names a value in a
 * message without its own conversions: a Symbol as Symbol(desc), any other
 * primitive or a function as its string, an object by its class tag
 * ("[object Array]"), or #<Constructor> for a plain one ("#<Object>").
 * Reading the tag or the constructor can run the value's own code (a
 * getter, a Proxy trap): call it inside a safe call. */
void cw_runtime_push_value_text(duk_context *ctx, duk_idx_t idx);

/*
 * Protected-call body to run after the job's synchronous code: the job's
 * event loop.  Drains the microtask queue (rt.drainMicrotasks) until a pass
 * runs nothing and takes the rejections nobody handled; then, if the timers
 * group is loaded, runs the timers and immediates (rt.runTimers, which
 * drains the microtasks after each), until nothing keeps the loop alive.  When only timers that are not
 * yet due remain, the job's clock skips to the next one (skipped_ns); if
 * that one is due at or past deadline_ns, settle stops with timer_late set.
 * Leaves [ found, reason ]: found is true and reason the first unhandled
 * rejection's reason, or false/undefined.  A microtask or timer callback
 * that throws propagates as the call's error.  `udata` is the heap's
 * cw_rt_heap_t.
 */
duk_ret_t cw_runtime_settle(duk_context *ctx, void *udata);

/*
 * The state of the value at `idx` when it is a Promise of the runtime's:
 * CW_RT_PROMISE_PENDING, _FULFILLED or _REJECTED with its value or reason
 * pushed, or CW_RT_PROMISE_NONE with nothing pushed (not a promise, or no
 * promise was ever made).  May throw only what the heap throws (out of
 * memory, the deadline): call it inside a safe call.
 */
#define CW_RT_PROMISE_NONE (-1)
#define CW_RT_PROMISE_PENDING 0
#define CW_RT_PROMISE_FULFILLED 1
#define CW_RT_PROMISE_REJECTED 2
int cw_runtime_promise_state(duk_context *ctx, const cw_rt_heap_t *h, duk_idx_t idx);

/* The job's clock, cw_mono_ns() + h->skipped_ns, in nanoseconds: what its
 * deadline is measured on. */
int64_t cw_runtime_clock_ns(const cw_rt_heap_t *h);

/* The clock the job's code reads: cw_runtime_clock_ns(), or on a logical
 * clock origin_ns + skipped_ns + ticks_ns, one tick more per reading. */
int64_t cw_runtime_job_clock_ns(cw_rt_heap_t *h);

/*
 * require() of a library: "name", or "lodash/<function>" and
 * "date-fns/<function>" (the per-function entry points those packages
 * publish).  When the library is in `mask`, pushes its module.exports --
 * loaded on first use, then cached per heap -- and returns 1; returns 0 with
 * nothing pushed otherwise.  `require_fn` is the require handed to the
 * library's own code.  Throws whatever loading the library throws.
 */
int cw_runtime_require(duk_context *ctx, const char *name, uint32_t mask, duk_c_function require_fn);

/*
 * require() of the Node modules the runtime provides, with or without the
 * "node:" prefix: url and buffer (what the web-url and web-buffer groups
 * leave in rt.nodeModules, so the same URL and Buffer as the globals even
 * after a job reassigns those) and querystring (an internal library).  Pushes
 * the module and returns 1, or returns 0 with nothing pushed for any other
 * name (the caller then answers as for a blocked module).  Throws whatever
 * loading throws.
 */
int cw_runtime_require_node(duk_context *ctx, const char *name);

#endif /* CW_RUNTIME_H */
