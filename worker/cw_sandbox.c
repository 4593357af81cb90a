/*
 * cw_sandbox.c -- one job, one fresh Duktape heap, one result.
 *
 * The order of a run: create the heap on a capped allocator; strip the
 * globals a job must not see and install console, input and require; compile
 * (as a script, or as a function body when the code uses a top-level
 * `return`); call; take `output` (or the return value) through JSON.stringify
 * under the same deadline and memory cap; repair the text to UTF-8; write the
 * result; destroy the heap.  Every step that can run user code or allocate in
 * the heap runs inside a protected call, so a throw, an out-of-memory or the
 * deadline lands in one place where the job's flags decide its result code.
 *
 * The built-ins Duktape lacks (Map, Promise, Intl, ...) and the libraries a
 * job may require() come from the embedded runtime (cw_runtime.h): setup
 * only defines lazy triggers, and after the job's synchronous code the
 * microtask queue is drained under the same deadline; a rejection nobody
 * handled then fails the job, as it ends a Node process.
 *
 * Globals besides ECMAScript's own: console, require, input, crypto (only
 * getRandomValues, randomUUID), performance (only now(), milliseconds since the job
 * started), and the runtime's timers (setTimeout and the rest run in the event
 * loop after the synchronous code, on a job clock that skips ahead to the
 * next timer instead of sleeping; Date.now() sees the skipped time).
 * Duktape's extras are removed -- `Duktape`, `CBOR`, its partial
 * Node-style `Buffer` (libraries test for `Buffer` and would take Node code
 * paths with it; the runtime's web-buffer group puts Node's whole API in its
 * place) and its `performance`, whose clock is the host's -- except the
 * standard TextEncoder/TextDecoder, which are harmless and what Node has.
 */
#include "cw_sandbox.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cw_alloc.h"
#include "cw_cli.h"
#include "cw_date.h"
#include "duktape/cw_duk_engine.h"
#include "cw_errors.h"
#include "cw_json.h"
#include "cw_sort.h"
#include "cw_errmsg.h"
#include "cw_eval.h"
#include "cw_tdz.h"
#include "cw_interrupt.h"
#include "cw_lowering.h"
#include "cw_node_builtins.h"
#include "cw_regexp.h"
#include "cw_result.h"
#include "cw_runtime.h"
#include <unicode/uversion.h>
#include "cw_strings.h"
#include "intl/cw_intl.h"
#include "cw_time.h"
#include "cw_tz.h"
#include "cw_unicode.h"
#include "cw_utf8.h"
#include "cw_logring.h"
#include "duktape.h"

/* Heap-stash array (reachable from C only) of the errors raised for blocked
 * modules: a job fails with SECURITY_ERROR only when the value it died with
 * is one of these very objects, so no script can forge one. */
#define CW_SBX_SECURITY_KEY "cwSecurityErrors"

/* Heap-stash array of the last CW_SBX_OOM_KEEP out-of-memory errors the
 * engine raised because the allocator refused a request at the job's cap
 * (cw_sbx_err_create): a job is MEMORY_LIMIT when the value it died of is
 * one of these, not because some allocation was refused earlier and
 * recovered from or caught. */
#define CW_SBX_OOM_KEY "cwMemoryErrors"
#define CW_SBX_OOM_KEEP 16

/* Modules a job may never load: every host module of Node (cw_node_builtins.h),
 * every "node:" name, and the npm clients agents reach for to do network I/O.
 * Asking for one is a SECURITY_ERROR. */
static const char *const cw_sbx_blocked_packages[] = {"axios", "node-fetch", NULL};

static int cw_sbx_in_list(const char *const *list, const char *name) {
    for (size_t i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

static int cw_sbx_is_blocked(const char *name) {
    return strncmp(name, "node:", 5) == 0 || cw_sbx_in_list(cw_node_builtins, name) ||
           cw_sbx_in_list(cw_sbx_blocked_packages, name);
}

typedef struct cw_sbx {
    cw_alloc_t alloc; /* first: the allocator callbacks get the heap udata */
    const cw_sandbox_conf_t *conf;
    int64_t start_ns, deadline_ns;
    /* The job's own clock (performance.now(), log times, executionTimeMs)
     * starts when its code starts, after lowering and compiling: whether
     * that code was in the executor's cache -- put there by any tenant --
     * must not show in what the job or its caller can measure.  The
     * deadline counts from start_ns, so compiling stays bounded. */
    int64_t clock_ns;
    /* Wall-clock time (ms since the epoch) at start_ns: during the job,
     * Date.now() is this plus the job's clock since start_ns, so it sees
     * the time the timers skip (cw_sandbox_date_now); 0 outside a job. */
    double epoch_ms;
    int timed_out;
    int cancelled; /* timed_out because the supervisor cancelled the job */
    int gc_paused; /* collection is off while a timed-out job unwinds */
    unsigned alloc_ticks; /* allocations since the deadline was last read */
    unsigned refusals;    /* requests refused, for reading the clock */
    uint64_t thrash_mark; /* alloc.count at the last refusal after a success */
    unsigned thrash_runs; /* such refusals in a row with little in between */
    int mem_exhausted;    /* thrashing at the cap: refuse the job's growth */
    size_t mem_cap;       /* the job's own cap (alloc.limit when it started) */
    int security; /* a blocked module was requested */
    unsigned oom_marked; /* out-of-memory errors recorded under CW_SBX_OOM_KEY */
    uint64_t rng[4];
    uint64_t crng[4]; /* crypto's stream for a deterministic job (cw_sbx_crypto_fill) */
    uint64_t seed; /* what rng was expanded from; recorded in the result */
    cw_buf_t logs;
    size_t log_count;
    int logs_truncated;
    unsigned log_indent; /* console.group depth, in spaces (2 per level) */
    const cw_job_t *job;
    cw_rt_heap_t rt; /* which runtime groups this heap has loaded */
    cw_intl_t intl;  /* the ICU objects this heap's job made (worker/intl) */
    struct cw_regexp_cache *re; /* compiled patterns for this heap's RegExp (cw_regexp.h) */
    cw_prepared_t prep; /* the code as compiled: original, or lowered to ES5 */
    duk_context *ctx;   /* NULL when even an empty heap did not fit */
    int setup_failed;   /* the job-independent setup threw; its error is at -1 */
    int used;           /* a job has run in this heap: it never runs another */
} cw_sbx_t;

void cw_sandbox_conf_default(cw_sandbox_conf_t *c) {
    c->log_max_entries = 1000;
    c->log_max_bytes = 256u << 10;
    c->log_max_message = 8u << 10;
    c->result_max_bytes = 1u << 20;
    c->fault_at = c->fault_repeat = 0;
    c->modules = cw_runtime_modules_all();
    c->lowering = NULL;
    c->regexps = NULL;
    c->logring = NULL;
}

/* ---- engine hooks (named in worker/duktape/duk_config.h) ---------------- */

static void cw_sbx_check_deadline(cw_sbx_t *s);

int cw_sandbox_timeout_check(void *udata) {
    cw_sbx_t *s = udata;
    if (!s || !s->deadline_ns)
        return 0;
    if (s->timed_out)
        return 1; /* must keep saying so until the error has bubbled out */
    cw_sbx_check_deadline(s);
    return s->timed_out;
}

static double cw_sbx_realtime_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (double)cw_now_ms();
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Date.now() and new Date(): the wall clock, moved on by the time the job's
 * timers skipped.  Outside a job, the wall clock. */
double cw_sandbox_date_now(void *udata) {
    cw_sbx_t *s = udata;
    if (!s || !s->job || !s->epoch_ms)
        return cw_sbx_realtime_ms();
    return s->epoch_ms + (double)(cw_runtime_job_clock_ns((cw_rt_heap_t *)&s->rt) - s->start_ns) / 1e6;
}

/* Milliseconds on the job's clock since its code started (performance.now(),
 * log times).  On a logical clock, since the job started: no real time, not
 * even compiling, shows. */
static double cw_sbx_code_ms(cw_sbx_t *s) {
    int64_t now = cw_runtime_job_clock_ns(&s->rt);
    return (double)(now - (s->rt.logical ? s->start_ns : s->clock_ns)) / 1e6;
}

static uint64_t cw_sbx_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** seeded per job from getrandom(); Math.random only, not crypto. */
double cw_sandbox_random_double(void *udata) {
    cw_sbx_t *s = udata;
    uint64_t *r = s->rng;
    uint64_t out = cw_sbx_rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
    r[2] ^= r[0], r[3] ^= r[1], r[1] ^= r[2], r[0] ^= r[3], r[2] ^= t;
    r[3] = cw_sbx_rotl(r[3], 45);
    return (double)(out >> 11) * 0x1.0p-53;
}

/* Read the clock; past the deadline, the job is timed out and the engine
 * is told to run its timeout check before its next instruction instead of
 * up to 256K instructions later (cw_duk_engine.h): every catch and finally
 * the job then reaches rethrows at once. */
static void cw_sbx_check_deadline(cw_sbx_t *s) {
    if (s->timed_out || !s->deadline_ns)
        return;
    /* A cancelled job (cw_interrupt.h) stops as at its deadline. */
    int cancelled = cw_intr_cancelled();
    if (!cancelled && cw_runtime_clock_ns(&s->rt) < s->deadline_ns)
        return;
    s->timed_out = 1;
    s->cancelled = cancelled;
    if (s->ctx) {
        cw_duk_interrupt_now(s->ctx);
        if (!s->gc_paused) {
            cw_duk_gc_pause(s->ctx, 1);
            s->gc_paused = 1;
        }
    }
}

void cw_sandbox_stop_now(void *udata) {
    cw_sbx_t *s = udata;
    if (!s || s->timed_out)
        return;
    if (s->deadline_ns > cw_mono_ns())
        s->deadline_ns = cw_mono_ns();
    cw_sbx_check_deadline(s);
}

/* Duktape reads the deadline only every 256K bytecode instructions, so a
 * loop whose every instruction is expensive (`t = big + n` on a large
 * string) can run far past it.  Such loops allocate: the allocator reads the
 * clock every 64th request and, past the deadline, refuses, so the job ends
 * as TIMEOUT inside the heap, with its logs, instead of at the supervisor's
 * hard kill. */
static int cw_sbx_expired(cw_sbx_t *s) {
    if (!s->timed_out && s->deadline_ns && (++s->alloc_ticks & 63) == 0)
        cw_sbx_check_deadline(s);
    return s->timed_out;
}

/* Thrashing at the cap: a refused request makes the engine collect and
 * retry, and when the collection frees a little garbage the job goes on --
 * a heap full of live data (an array of 10^6 promises at 64 MB) then runs a
 * full collection every few allocations, at 100% of its cap, until the
 * timeout, reported as TIMEOUT though what it ran out of was memory.  When
 * CW_SBX_THRASH_RUNS refusals in a row each came fewer than
 * CW_SBX_THRASH_ALLOCS successful allocations after the one before, the
 * heap is out of memory: the job's growth is refused from then on, and it
 * ends as MEMORY_LIMIT the way any job at its cap does.  A job that works
 * near its cap and frees as it goes allocates thousands of objects between
 * collections and never gets here. */
#define CW_SBX_THRASH_ALLOCS 1024
#define CW_SBX_THRASH_RUNS 16

/* A refused request costs the engine up to ten garbage collections before
 * it gives up, so refusals read the clock more often (every 4th). */
static void cw_sbx_refused(cw_sbx_t *s) {
    if ((++s->refusals & 3) == 0)
        cw_sbx_check_deadline(s);
    uint64_t since = s->alloc.count - s->thrash_mark;
    if (since > 0) { /* the first refusal after a success */
        s->thrash_runs = since < CW_SBX_THRASH_ALLOCS ? s->thrash_runs + 1 : 0;
        s->thrash_mark = s->alloc.count;
        if (s->thrash_runs >= CW_SBX_THRASH_RUNS && s->mem_cap)
            s->mem_exhausted = 1;
    }
}
/* Past thrashing, the job's own allocations are refused; the sandbox's
 * (describing the error, writing the result), which raise alloc.limit
 * above the job's cap for their duration, are not. */
static int cw_sbx_exhausted(cw_sbx_t *s) {
    if (!s->mem_exhausted || s->alloc.limit > s->mem_cap)
        return 0;
    s->alloc.limit_hit = 1;
    return 1;
}
static void *cw_sbx_malloc(void *udata, duk_size_t size) {
    cw_sbx_t *s = udata;
    void *p = cw_sbx_expired(s) || cw_sbx_exhausted(s) ? NULL : cw_alloc_malloc(&s->alloc, size);
    if (!p)
        cw_sbx_refused(s);
    return p;
}
static void *cw_sbx_realloc(void *udata, void *ptr, duk_size_t size) {
    cw_sbx_t *s = udata;
    if (!size)
        return cw_alloc_realloc(&s->alloc, ptr, size);
    void *p = cw_sbx_expired(s) || cw_sbx_exhausted(s) ? NULL : cw_alloc_realloc(&s->alloc, ptr, size);
    if (!p)
        cw_sbx_refused(s);
    return p;
}
static void cw_sbx_free(void *udata, void *ptr) {
    cw_sbx_t *s = udata;
    cw_alloc_free(&s->alloc, ptr);
}

static void cw_sbx_fatal(void *udata, const char *msg) {
    (void)udata;
    /* The engine cannot continue; the supervisor sees the signal and
     * reports WORKER_CRASHED for the job. */
    fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"duktape fatal error\",\"detail\":\"%.100s\"}\n",
            msg ? msg : "");
    abort();
}

static cw_sbx_t *cw_sbx_get(duk_context *ctx) {
    duk_memory_functions funcs;
    duk_get_memory_functions(ctx, &funcs);
    return funcs.udata;
}

/* ---- console ------------------------------------------------------------ */

static const char *const cw_sbx_levels[] = {"log", "info", "warn", "error", "debug"};

/* Describe the value at the top of the stack; replaces it with a string.
 * Runs inside a safe call: user getters/toJSON may throw or loop. */
static duk_ret_t cw_sbx_describe_unsafe(duk_context *ctx, void *udata) {
    (void)udata;
    if (duk_is_error(ctx, -1)) {
        duk_get_prop_string(ctx, -1, "stack");
        if (duk_is_string(ctx, -1))
            return 1;
        duk_pop(ctx);
        duk_to_string(ctx, -1);
        return 1;
    }
    if (duk_is_function(ctx, -1)) {
        duk_get_prop_string(ctx, -1, "name");
        const char *name = duk_is_string(ctx, -1) ? duk_get_string(ctx, -1) : "";
        duk_push_sprintf(ctx, "[Function: %s]", *name ? name : "(anonymous)");
        return 1;
    }
    if (duk_is_object(ctx, -1) && !duk_is_buffer_data(ctx, -1)) {
        duk_dup(ctx, -1);
        duk_json_encode(ctx, -1);
        return 1;
    }
    if (duk_is_symbol(ctx, -1)) {
        duk_push_string(ctx, "Symbol()");
        return 1;
    }
    duk_to_string(ctx, -1);
    return 1;
}

/* Append what fits of s[0..n) to b, cut on a character boundary; *clip
 * is set when anything was left out (the entry then says "truncated"). */
static void cw_sbx_fit(cw_buf_t *b, const char *s, size_t n, int *clip) {
    size_t room = b->max > b->len ? b->max - b->len : 0;
    size_t k = n <= room ? n : cw_utf8_clip(s, n, room);
    if (k < n)
        *clip = 1;
    (void)cw_buf_append(b, s, k);
}

/* Append the string form of argument `idx` to b (clipped at b->max). */
static void cw_sbx_describe(duk_context *ctx, duk_idx_t idx, cw_buf_t *b, int *clip) {
    size_t n;
    const char *s;
    if (duk_is_number(ctx, idx) && duk_get_number(ctx, idx) == 0 && signbit(duk_get_number(ctx, idx))) {
        cw_sbx_fit(b, "-0", 2, clip); /* as Node prints it; ToString says "0" */
        return;
    }
    if (duk_is_string(ctx, idx)) {
        s = duk_get_lstring(ctx, idx, &n);
    } else {
        duk_dup(ctx, idx);
        if (duk_safe_call(ctx, cw_sbx_describe_unsafe, NULL, 1, 1) != DUK_EXEC_SUCCESS ||
            !duk_is_string(ctx, -1)) {
            duk_pop(ctx);
            duk_push_string(ctx, duk_is_array(ctx, idx) ? "[Array]" : "[object]");
        }
        s = duk_get_lstring(ctx, -1, &n);
    }
    cw_sbx_fit(b, s, n, clip);
    if (!duk_is_string(ctx, idx))
        duk_pop(ctx);
}

/* The console call proper.  It runs inside a safe call so that nothing it
 * does -- a hostile toString, an allocation refused at the cap, the
 * deadline -- can unwind past cw_sbx_console() and leak `msg`. */
typedef struct cw_sbx_console_call {
    cw_sbx_t *s;
    int magic;
    cw_buf_t msg;
    int clipped; /* something did not fit in msg */
} cw_sbx_console_call_t;

/* A number as util.format writes it: its string, with -0 as "-0". */
static void cw_sbx_put_number(duk_context *ctx, double d, cw_buf_t *b, int *clip) {
    if (d == 0 && signbit(d)) {
        cw_sbx_fit(b, "-0", 2, clip);
        return;
    }
    duk_push_number(ctx, d);
    const char *t = duk_to_string(ctx, -1);
    cw_sbx_fit(b, t, strlen(t), clip);
    duk_pop(ctx);
}

/* [ ... global-function-name ] applied to the value at idx, as a number. */
static double cw_sbx_call_number(duk_context *ctx, const char *fn, duk_idx_t idx) {
    duk_get_global_string(ctx, fn);
    duk_dup(ctx, idx);
    if (duk_is_symbol(ctx, -1)) {
        duk_pop_2(ctx);
        return NAN;
    }
    duk_call(ctx, 1);
    double d = duk_to_number(ctx, -1);
    duk_pop(ctx);
    return d;
}

/* console.log's first argument is a format string when more arguments
 * follow, as in Node's util.format: %s (the value as a log writes it), %d
 * (Number), %i (parseInt), %f (parseFloat), %j (JSON.stringify), %o/%O (the
 * value), %c (consumed, no output), %% (a percent sign); a specifier with no
 * argument left, or an unknown one, stays as written.  Writes the result
 * and returns the index of the first argument not consumed. */
static duk_idx_t cw_sbx_format(duk_context *ctx, duk_idx_t fmt, duk_idx_t nargs, cw_buf_t *b, int *clip) {
    duk_size_t n;
    const char *f = duk_get_lstring(ctx, fmt, &n);
    duk_idx_t next = fmt + 1;
    size_t i = 0, lit = 0;
    while (i + 1 < n) {
        if (f[i] != '%') {
            i++;
            continue;
        }
        char spec = f[i + 1];
        if (spec == '%') {
            cw_sbx_fit(b, f + lit, i + 1 - lit, clip);
            i += 2;
            lit = i;
            continue;
        }
        if (!strchr("sdifjoOc", spec) || spec == 0 || next >= nargs) {
            i++;
            continue;
        }
        cw_sbx_fit(b, f + lit, i - lit, clip);
        switch (spec) {
        case 'd':
            cw_sbx_put_number(ctx, duk_is_object(ctx, next) && !duk_is_function(ctx, next) ? NAN
                                   : cw_sbx_call_number(ctx, "Number", next), b, clip);
            break;
        case 'i':
            cw_sbx_put_number(ctx, cw_sbx_call_number(ctx, "parseInt", next), b, clip);
            break;
        case 'f':
            cw_sbx_put_number(ctx, cw_sbx_call_number(ctx, "parseFloat", next), b, clip);
            break;
        case 'j':
            duk_push_undefined(ctx);
            cw_runtime_push_original(ctx, CW_RT_ORIG_STRINGIFY);
            duk_dup(ctx, next);
            if (duk_pcall(ctx, 1) == DUK_EXEC_SUCCESS && duk_is_string(ctx, -1))
                cw_sbx_fit(b, duk_get_string(ctx, -1), strlen(duk_get_string(ctx, -1)), clip);
            else if (!duk_is_undefined(ctx, -1))
                cw_sbx_fit(b, "[Circular]", 10, clip);
            else
                cw_sbx_fit(b, "undefined", 9, clip);
            duk_pop_2(ctx);
            break;
        case 'c':
            break;
        default: /* s o O: the value as a log writes it (JSON for objects) */
            cw_sbx_describe(ctx, next, b, clip);
            break;
        }
        next++;
        i += 2;
        lit = i;
    }
    cw_sbx_fit(b, f + lit, n - lit, clip);
    return next;
}

static duk_ret_t cw_sbx_console_body(duk_context *ctx, void *udata) {
    cw_sbx_console_call_t *c = udata;
    cw_sbx_t *s = c->s;
    duk_idx_t nargs = duk_get_top(ctx), first = 0;
    const char *level = cw_sbx_levels[c->magic & 7];
    if (c->magic & 8) { /* console.assert(cond, ...msg) */
        if (nargs > 0 && duk_to_boolean(ctx, 0))
            return 0;
        first = 1;
        const char *af = nargs > 1 ? "Assertion failed: " : "Assertion failed";
        cw_sbx_fit(&c->msg, af, strlen(af), &c->clipped);
    }
    duk_idx_t next = first;
    if (nargs - first > 1 && duk_is_string(ctx, first))
        next = cw_sbx_format(ctx, first, nargs, &c->msg, &c->clipped);
    for (duk_idx_t i = next; i < nargs; i++) {
        if (i > first)
            cw_sbx_fit(&c->msg, " ", 1, &c->clipped);
        cw_sbx_describe(ctx, i, &c->msg, &c->clipped);
    }
    if (s->log_indent && c->msg.len) {
        /* Inside console.group: every line of the message indented, as
         * Node writes it, within the same cap. */
        static const char spaces[] = "                                                                ";
        cw_buf_t ind;
        cw_buf_init(&ind, s->conf->log_max_message);
        for (const char *p = c->msg.data, *end = p + c->msg.len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t line = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
            for (unsigned k = s->log_indent; k > 0;) {
                unsigned w = k < sizeof spaces - 1 ? k : (unsigned)(sizeof spaces - 1);
                cw_sbx_fit(&ind, spaces, w, &c->clipped);
                k -= w;
            }
            cw_sbx_fit(&ind, p, line, &c->clipped);
            p += line;
        }
        cw_buf_free(&c->msg);
        c->msg = ind;
    }
    int clipped = c->clipped || c->msg.len >= s->conf->log_max_message;
    size_t before = s->logs.len;
    double elapsed = cw_sbx_code_ms(s);
    cw_err_t err = cw_buf_printf(&s->logs, "%s{\"level\":\"%s\",\"message\":",
                                 s->log_count ? "," : "", level);
    if (!err)
        err = cw_utf8_json_string(&s->logs, c->msg.data ? c->msg.data : "", c->msg.len);
    if (!err)
        err = cw_buf_printf(&s->logs, ",\"elapsedMs\":%.3f%s}", elapsed,
                            clipped ? ",\"truncated\":true" : "");
    if (err) { /* over the byte cap: drop this entry whole */
        s->logs.len = before;
        if (s->logs.data)
            s->logs.data[before] = '\0';
        s->logs_truncated = 1;
        cw_logring_mark_truncated(s->conf->logring);
    } else {
        s->log_count++;
        /* Mirrored at once so that the line survives a kill: a memcpy and
         * a release store, no system call (cw_logring.h). */
        cw_logring_append(s->conf->logring, s->logs.data + before, s->logs.len - before);
        if (clipped) {
            s->logs_truncated = 1;
            cw_logring_mark_truncated(s->conf->logring);
        }
    }
    return 0;
}

#define CW_SBX_GROUP 16     /* console.group / groupCollapsed: log, then indent */
#define CW_SBX_GROUP_END 32 /* console.groupEnd */
#define CW_SBX_MAX_INDENT 2000

static duk_ret_t cw_sbx_console_entry(duk_context *ctx);

static duk_ret_t cw_sbx_console(duk_context *ctx) {
    cw_sbx_t *s = cw_sbx_get(ctx);
    if (!s->job) /* between jobs (a finalizer while the heap is destroyed) */
        return 0;
    int magic = duk_get_current_magic(ctx);
    if (magic & CW_SBX_GROUP_END) {
        s->log_indent = s->log_indent >= 2 ? s->log_indent - 2 : 0;
        return 0;
    }
    if (!(magic & CW_SBX_GROUP) || duk_get_top(ctx) > 0)
        (void)cw_sbx_console_entry(ctx);
    if ((magic & CW_SBX_GROUP) && s->log_indent < CW_SBX_MAX_INDENT)
        s->log_indent += 2;
    return 0;
}

/* One console entry, within the caps. */
static duk_ret_t cw_sbx_console_entry(duk_context *ctx) {
    cw_sbx_t *s = cw_sbx_get(ctx);
    if (s->log_count >= s->conf->log_max_entries || s->logs.len >= s->conf->log_max_bytes) {
        if (!s->logs_truncated)
            cw_logring_mark_truncated(s->conf->logring);
        s->logs_truncated = 1;
        return 0;
    }
    cw_sbx_console_call_t c = {.s = s, .magic = duk_get_current_magic(ctx)};
    cw_buf_init(&c.msg, s->conf->log_max_message);
    /* A console method never throws into the job: a failure drops the entry. */
    if (duk_safe_call(ctx, cw_sbx_console_body, &c, duk_get_top(ctx), 0) != DUK_EXEC_SUCCESS) {
        s->logs_truncated = 1;
        cw_logring_mark_truncated(s->conf->logring);
    }
    cw_buf_free(&c.msg);
    return 0;
}

/* ---- require ------------------------------------------------------------ */

static duk_ret_t cw_sbx_require(duk_context *ctx) {
    cw_sbx_t *s = cw_sbx_get(ctx);
    const char *name = duk_require_string(ctx, 0);
    /* url, buffer, querystring, timers and timers/promises (also as
     * node:...): computation only, from the embedded runtime; every other
     * host module stays blocked. */
    if (cw_runtime_require_node(ctx, name))
        return 1;
    if (cw_sbx_is_blocked(name)) {
        s->security = 1;
        /* No C file/line: the error is blamed on the job's own call site. */
        duk_push_error_object_raw(ctx, DUK_ERR_ERROR, NULL, 0,
                                  "module \"%s\" is blocked in the sandbox (no file, network, "
                                  "process or OS access)",
                                  name);
        duk_push_string(ctx, "SecurityError");
        duk_put_prop_string(ctx, -2, "name");
        duk_push_heap_stash(ctx);
        duk_get_prop_string(ctx, -1, CW_SBX_SECURITY_KEY);
        duk_dup(ctx, -3);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t)duk_get_length(ctx, -2));
        duk_pop_2(ctx);
        return duk_throw(ctx);
    }
    if (cw_runtime_require(ctx, name, s->conf->modules, cw_sbx_require))
        return 1;
    char allowed[512];
    cw_runtime_modules_format(s->conf->modules, ", ", allowed, sizeof(allowed));
    duk_push_error_object_raw(ctx, DUK_ERR_ERROR, NULL, 0, "module \"%s\" is not available; allowed modules: %s",
                              name, allowed[0] ? allowed : "(none)");
    return duk_throw(ctx);
}

/* ---- crypto and performance ---------------------------------------------- */

/* crypto.getRandomValues(integerTypedArray): fills it from getrandom() and
 * returns it, as Web Crypto does.  At most 65,536 bytes per call
 * (QuotaExceededError, Node's message); anything but an integer typed array
 * is a TypeError. */
/* The job's randomness for crypto: `len` bytes from getrandom().  0, or -1
 * when the kernel gives none. */
static int cw_sbx_random_fill(unsigned char *p, size_t len) {
    for (size_t got = 0; got < len;) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static uint64_t cw_sbx_rotl(uint64_t x, int k);

/* The bytes crypto hands a job: the OS's, or, for a deterministic job
 * (one that named its seed), a second xoshiro256** stream expanded from
 * the seed -- reproducible, and therefore no secret: the seed is in the
 * result. */
static int cw_sbx_crypto_fill(cw_sbx_t *s, unsigned char *p, size_t len) {
    if (!s || !s->job || !s->job->has_seed)
        return cw_sbx_random_fill(p, len);
    uint64_t *r = s->crng;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t out = cw_sbx_rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
        r[2] ^= r[0], r[3] ^= r[1], r[1] ^= r[2], r[0] ^= r[3], r[2] ^= t;
        r[3] = cw_sbx_rotl(r[3], 45);
        size_t n = len - i < 8 ? len - i : 8;
        memcpy(p + i, &out, n);
    }
    return 0;
}

static duk_ret_t cw_sbx_get_random_values(duk_context *ctx) {
    static const char *const kinds[] = {"[object Int8Array]",   "[object Uint8Array]",  "[object Uint8ClampedArray]",
                                        "[object Int16Array]",  "[object Uint16Array]", "[object Int32Array]",
                                        "[object Uint32Array]", NULL};
    int ok = 0;
    if (duk_is_buffer_data(ctx, 0) && duk_is_object(ctx, 0)) {
        cw_runtime_push_original(ctx, CW_RT_ORIG_OBJECT_TO_STRING);
        duk_dup(ctx, 0);
        duk_call_method(ctx, 0);
        const char *kind = duk_get_string(ctx, -1);
        for (size_t i = 0; kind && kinds[i] && !ok; i++)
            ok = strcmp(kind, kinds[i]) == 0;
        duk_pop(ctx);
    }
    if (!ok) {
        duk_push_error_object_raw(ctx, DUK_ERR_TYPE_ERROR, NULL, 0,
                                  "The data argument must be an integer-type TypedArray");
        return duk_throw(ctx);
    }
    duk_size_t len = 0;
    unsigned char *p = duk_get_buffer_data(ctx, 0, &len);
    if (len > 65536) {
        duk_push_error_object_raw(ctx, DUK_ERR_ERROR, NULL, 0, "The requested length exceeds 65,536 bytes");
        duk_push_string(ctx, "QuotaExceededError");
        duk_put_prop_string(ctx, -2, "name");
        return duk_throw(ctx);
    }
    if (cw_sbx_crypto_fill(cw_sbx_get(ctx), p, len))
        return duk_generic_error(ctx, "getRandomValues: no entropy source available");
    duk_dup(ctx, 0);
    return 1;
}

/* crypto.randomUUID(): an RFC 9562 version 4 UUID in lower-case hex, from the
 * same source as getRandomValues. */
static duk_ret_t cw_sbx_random_uuid(duk_context *ctx) {
    unsigned char b[16];
    if (cw_sbx_crypto_fill(cw_sbx_get(ctx), b, sizeof(b)))
        return duk_generic_error(ctx, "randomUUID: no entropy source available");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
    static const char hex[] = "0123456789abcdef";
    char out[37];
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = 0;
    duk_push_string(ctx, out);
    return 1;
}

/* rt.memoryUsage() -> [bytes the job's heap holds, its cap]: the figures
 * behind process.memoryUsage() and constrainedMemory() (process.js). */
static duk_ret_t cw_sbx_memory_usage(duk_context *ctx) {
    const cw_sbx_t *s = cw_sbx_get(ctx);
    duk_push_array(ctx);
    duk_push_number(ctx, (double)s->alloc.used);
    duk_put_prop_index(ctx, -2, 0);
    duk_push_number(ctx, (double)(s->mem_cap ? s->mem_cap : s->alloc.limit));
    duk_put_prop_index(ctx, -2, 1);
    return 1;
}

/* performance.now(): milliseconds since the job started, as Node's counts
 * from its time origin, on the job's clock (which skips ahead to the next
 * timer, cw_runtime.h); the host's clock stays hidden. */
static duk_ret_t cw_sbx_performance_now(duk_context *ctx) {
    cw_sbx_t *s = cw_sbx_get(ctx);
    duk_push_number(ctx, cw_sbx_code_ms(s));
    return 1;
}

/* ---- out-of-memory errors ------------------------------------------------
 *
 * Duktape calls Duktape.errCreate for every error object it creates, the
 * engine's own and those of `new Error(...)`, before anyone else can see it.
 * One the engine raises because an allocation failed is made by its C code
 * (its traceback starts with a C file name, which no script can give an
 * error) with the engine's fixed message; if the allocator refused a request
 * at the cap during this job, that error is recorded, by identity, as the
 * job's out-of-memory error.  At the end a job is MEMORY_LIMIT only when it
 * died of one of these (or of the engine's "double error", thrown when even
 * the error object did not fit). */

/* Internal key of an error's traceback (Duktape 2.x). */
#define CW_SBX_TRACEDATA "\x82Tracedata"

static int cw_sbx_engine_alloc_error(duk_context *ctx, duk_idx_t e) {
    int engine = 0;
    if (!duk_is_object(ctx, e))
        return 0;
    if (duk_get_prop_string(ctx, e, CW_SBX_TRACEDATA) && duk_is_array(ctx, -1)) {
        duk_get_prop_index(ctx, -1, 0);
        engine = duk_is_string(ctx, -1);
        duk_pop(ctx);
    }
    duk_pop(ctx);
    if (!engine)
        return 0;
    duk_get_prop_string(ctx, e, "message");
    engine = duk_is_string(ctx, -1) && strcmp(duk_get_string(ctx, -1), "alloc failed") == 0;
    duk_pop(ctx);
    return engine;
}

static duk_ret_t cw_sbx_oom_record(duk_context *ctx, void *udata) {
    cw_sbx_t *s = udata;
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_SBX_OOM_KEY);
    duk_dup(ctx, -3);
    duk_put_prop_index(ctx, -2, s->oom_marked % CW_SBX_OOM_KEEP);
    duk_pop_2(ctx);
    return 0;
}

/* An error made by the engine's C code (its traceback starts with a C file
 * name, which no script can give an error) gets V8's wording for its
 * message (cw_errmsg.c); errors a job constructs are never touched. */
static int cw_sbx_engine_error(duk_context *ctx, duk_idx_t e) {
    int engine = 0;
    if (duk_get_prop_string(ctx, e, CW_SBX_TRACEDATA) && duk_is_array(ctx, -1)) {
        duk_get_prop_index(ctx, -1, 0);
        engine = duk_is_string(ctx, -1);
        duk_pop(ctx);
    }
    duk_pop(ctx);
    return engine;
}

static duk_ret_t cw_sbx_v8_message(duk_context *ctx, void *udata) {
    (void)udata;
    if (!duk_is_object(ctx, -1) || !cw_sbx_engine_error(ctx, -1))
        return 0;
    /* The traceback's first activation is the built-in whose C code raised
     * the error: [C file, line, function, pc, ...]. */
    duk_idx_t e = duk_normalize_index(ctx, -1), top = duk_get_top(ctx);
    const char *fn = NULL;
    if (duk_get_prop_string(ctx, e, CW_SBX_TRACEDATA) && duk_is_array(ctx, -1) && duk_get_prop_index(ctx, -1, 2) &&
        duk_is_c_function(ctx, -1) && duk_get_prop_string(ctx, -1, "name"))
        fn = duk_get_string(ctx, -1); /* held on the value stack until the set_top below */
    duk_get_prop_string(ctx, e, "name");
    duk_get_prop_string(ctx, e, "message");
    if (duk_is_string(ctx, -2) && duk_is_string(ctx, -1)) {
        char out[512];
        if (cw_errmsg_v8_in(duk_get_string(ctx, -2), duk_get_string(ctx, -1), fn, out, sizeof out) == 1) {
            duk_push_string(ctx, out);
            duk_put_prop_string(ctx, e, "message");
        }
    }
    duk_set_top(ctx, top);
    return 0;
}

/* Duktape.errCreate(error) -> error. */
static duk_ret_t cw_sbx_err_create(duk_context *ctx) {
    cw_sbx_t *s = cw_sbx_get(ctx);
    duk_set_top(ctx, 1);
    if (s->job && !s->timed_out && !s->alloc.limit_hit) {
        duk_dup(ctx, 0);
        (void)duk_safe_call(ctx, cw_sbx_v8_message, NULL, 1, 1); /* a failure leaves Duktape's wording */
        duk_pop(ctx);
    }
    if (!s->job || s->timed_out || !s->alloc.limit_hit || !cw_sbx_engine_alloc_error(ctx, 0))
        return 1;
    /* The heap is at its cap: recording gets a little room of its own. */
    size_t limit = s->alloc.limit;
    s->alloc.limit = limit + (64u << 10);
    duk_dup(ctx, 0);
    if (duk_safe_call(ctx, cw_sbx_oom_record, s, 1, 1) == DUK_EXEC_SUCCESS)
        s->oom_marked++;
    duk_pop(ctx);
    s->alloc.limit = limit;
    return 1;
}

/* ---- setup -------------------------------------------------------------- */

static duk_ret_t cw_sbx_setup(duk_context *ctx, void *udata) {
    cw_sbx_t *s = udata;
    duk_push_global_object(ctx);
    /* Engine internals and non-standard globals a job must not reach. */
    duk_get_prop_string(ctx, -1, "Duktape"); /* the engine keeps it after the global goes */
    duk_push_c_function(ctx, cw_sbx_err_create, 1);
    duk_put_prop_string(ctx, -2, "errCreate");
    duk_pop(ctx);
    static const char *const strip[] = {"Duktape", "CBOR", "Buffer", NULL};
    for (size_t i = 0; strip[i]; i++)
        duk_del_prop_string(ctx, -1, strip[i]);
    /* Node's `global`: the global object itself (writable, enumerable and
     * configurable, as in Node), which Node-style code uses for caches. */
    duk_push_string(ctx, "global");
    duk_push_global_object(ctx);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_SET_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE);
    /* The console first: the runtime's lazy triggers include console.time,
     * console.table and the rest of console.js. */
    duk_push_object(ctx);
    static const struct {
        const char *name;
        int magic;
    } methods[] = {{"log", 0}, {"info", 1}, {"warn", 2},  {"error", 3},
                   {"debug", 4}, {"trace", 4}, {"dir", 0}, {"assert", 3 | 8},
                   {"dirxml", 0}, {"group", CW_SBX_GROUP}, {"groupCollapsed", CW_SBX_GROUP},
                   {"groupEnd", CW_SBX_GROUP_END}};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        duk_push_c_function(ctx, cw_sbx_console, DUK_VARARGS);
        duk_set_magic(ctx, -1, methods[i].magic);
        duk_put_prop_string(ctx, -2, methods[i].name);
    }
    duk_put_prop_string(ctx, -2, "console");
    /* Before the runtime's lazy triggers, some of which (Error.isError)
     * live on these constructors. */
    cw_eval_install(ctx);
    cw_errors_install(ctx);
    cw_tdz_install(ctx); /* the lowering's temporal dead zone (cw_tdz.c), after the error constructors */
    cw_runtime_install(ctx, &s->rt);
    cw_runtime_def_rt(ctx, "memoryUsage", cw_sbx_memory_usage, 0); /* process.js */
    cw_strings_install(ctx); /* replaces the lazy padStart/padEnd */
    cw_date_install(ctx); /* V8's Date parser and formats (cw_date.c) */
    cw_unicode_install(ctx); /* normalize, toWellFormed, locale case (cw_unicode.c) */
    cw_json_install(ctx);    /* JSON.stringify's well-formed output, V8's JSON.parse errors (cw_json.c) */
    cw_sort_install(ctx);    /* stable Array.prototype.sort in C (cw_sort.c) */
    cw_intl_install(ctx, &s->intl);
    cw_regexp_install(ctx, s->re);

    duk_push_object(ctx);
    duk_push_c_function(ctx, cw_sbx_get_random_values, 1);
    duk_put_prop_string(ctx, -2, "getRandomValues");
    duk_push_c_function(ctx, cw_sbx_random_uuid, 0);
    duk_put_prop_string(ctx, -2, "randomUUID");
    duk_put_prop_string(ctx, -2, "crypto");
    duk_push_object(ctx);
    duk_push_c_function(ctx, cw_sbx_performance_now, 0);
    duk_put_prop_string(ctx, -2, "now");
    duk_put_prop_string(ctx, -2, "performance");


    duk_push_c_function(ctx, cw_sbx_require, 1);
    duk_put_prop_string(ctx, -2, "require");
    duk_push_heap_stash(ctx);
    duk_push_array(ctx);
    duk_put_prop_string(ctx, -2, CW_SBX_SECURITY_KEY);
    duk_push_array(ctx);
    duk_put_prop_string(ctx, -2, CW_SBX_OOM_KEY);
    duk_pop(ctx);
    duk_pop(ctx);
    /* Last: what the sandbox calls after the job ran, as it is now. */
    cw_runtime_keep_originals(ctx);
    return 0;
}

/* ---- input: checked JSON text to heap values ---------------------------- */

/* Per open array/object: the next array index, and whether it is an object. */
typedef struct cw_sbx_level {
    duk_uarridx_t index;
    int object;
} cw_sbx_level_t;

static size_t cw_sbx_ws(const char *s, size_t n, size_t p) {
    while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
        p++;
    return p;
}

static unsigned cw_sbx_hex4(const char *s) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Push the string whose body starts at s[p] (just past the quote); returns
 * the offset past the closing quote.  Escapes become the engine's form:
 * each \uXXXX one code unit (a pair stays two units, as in a literal),
 * \u0000 a NUL byte inside the string.  `scratch` is a dynamic buffer at
 * that stack index, reused for every string that holds escapes. */
static size_t cw_sbx_push_string(duk_context *ctx, const char *s, size_t n, size_t p, duk_idx_t scratch) {
    size_t start = p;
    while (p < n && s[p] != '"' && s[p] != '\\')
        p++;
    if (p < n && s[p] == '"') { /* no escapes: straight from the text */
        duk_push_lstring(ctx, s + start, p - start);
        return p + 1;
    }
    size_t end = p;
    while (end < n && s[end] != '"')
        end += s[end] == '\\' ? 2 : 1;
    /* Decoded, a string is never longer than its text. */
    duk_size_t cap;
    char *o = duk_get_buffer(ctx, scratch, &cap);
    if (cap < end - start) {
        o = duk_resize_buffer(ctx, scratch, end - start);
    }
    size_t k = p - start;
    memcpy(o, s + start, k);
    while (p < end) {
        char c = s[p];
        if (c != '\\') {
            o[k++] = c;
            p++;
            continue;
        }
        c = s[p + 1];
        p += 2;
        switch (c) {
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned u = cw_sbx_hex4(s + p);
            p += 4;
            if (u < 0x80) {
                o[k++] = (char)u;
            } else if (u < 0x800) {
                o[k++] = (char)(0xC0 | (u >> 6));
                o[k++] = (char)(0x80 | (u & 0x3F));
            } else {
                o[k++] = (char)(0xE0 | (u >> 12));
                o[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
                o[k++] = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: o[k++] = c; break; /* " \ / */
        }
    }
    duk_push_lstring(ctx, o, k);
    return end + 1;
}

static size_t cw_sbx_push_number(duk_context *ctx, const char *s, size_t n, size_t p) {
    size_t start = p, q = p;
    int plain = 1;
    if (q < n && s[q] == '-')
        q++;
    while (q < n && ((s[q] >= '0' && s[q] <= '9') || s[q] == '.' || s[q] == 'e' || s[q] == 'E' || s[q] == '+' ||
                     s[q] == '-')) {
        if (!(s[q] >= '0' && s[q] <= '9'))
            plain = 0;
        q++;
    }
    size_t len = q - start;
    if (plain && len <= 16) { /* an integer below 2^53: exact */
        double v = 0;
        for (size_t i = s[start] == '-' ? start + 1 : start; i < q; i++)
            v = v * 10 + (s[i] - '0');
        duk_push_number(ctx, s[start] == '-' ? -v : v);
        return q;
    }
    /* glibc's strtod rounds correctly, as JSON.parse must; the grammar was
     * checked, so it reads the whole token. */
    char buf[64];
    if (len < sizeof(buf)) {
        memcpy(buf, s + start, len);
        buf[len] = '\0';
        duk_push_number(ctx, strtod(buf, NULL));
    } else {
        duk_push_lstring(ctx, s + start, len);
        duk_push_number(ctx, strtod(duk_get_string(ctx, -1), NULL));
        duk_remove(ctx, -2);
    }
    return q;
}

/* Push the JSON text s[0..n) -- checked by the job parser (RFC 8259,
 * nesting within the input limit) and in CESU-8 -- as the JavaScript value
 * JSON.parse would make.  No recursion: open arrays and objects wait on the
 * value stack, which is grown (duk_require_stack) for every level, and
 * their bookkeeping lives in a heap buffer, so neither the C stack nor the
 * value stack can be overrun at any depth; everything is allocated in the
 * job's heap, under its cap and deadline, and an allocation failure throws
 * into the protected call around this.  A `__proto__` key is an own data
 * property, never the setter; of two equal keys the last wins. */
static void cw_sbx_push_json(duk_context *ctx, const char *s, size_t n) {
    duk_require_stack(ctx, 8);
    duk_push_dynamic_buffer(ctx, 0); /* scratch for strings with escapes */
    duk_idx_t scratch = duk_get_top_index(ctx);
    duk_push_dynamic_buffer(ctx, 16 * sizeof(cw_sbx_level_t));
    duk_idx_t levels_at = duk_get_top_index(ctx);
    size_t depth = 0, cap = 16;
    cw_sbx_level_t *lv = duk_get_buffer(ctx, levels_at, NULL);
    size_t p = cw_sbx_ws(s, n, 0);
    for (;;) {
        /* a value starts at s[p] */
        char c = s[p];
        if (c == '{' || c == '[') {
            duk_require_stack(ctx, 4);
            if (depth == cap) {
                cap *= 2;
                lv = duk_resize_buffer(ctx, levels_at, cap * sizeof(cw_sbx_level_t));
            }
            lv[depth].index = 0;
            lv[depth].object = c == '{';
            depth++;
            if (c == '{')
                duk_push_object(ctx);
            else
                duk_push_array(ctx);
            p = cw_sbx_ws(s, n, p + 1);
            if (s[p] == (c == '{' ? '}' : ']')) {
                depth--;
                p++;
            } else {
                if (c == '{') { /* the first key */
                    p = cw_sbx_push_string(ctx, s, n, p + 1, scratch);
                    p = cw_sbx_ws(s, n, p) + 1; /* ':' */
                    p = cw_sbx_ws(s, n, p);
                }
                continue;
            }
        } else if (c == '"') {
            p = cw_sbx_push_string(ctx, s, n, p + 1, scratch);
        } else if (c == 't') {
            duk_push_true(ctx);
            p += 4;
        } else if (c == 'f') {
            duk_push_false(ctx);
            p += 5;
        } else if (c == 'n') {
            duk_push_null(ctx);
            p += 4;
        } else {
            p = cw_sbx_push_number(ctx, s, n, p);
        }
        /* a value is complete at -1: store it into its container, close
         * containers that end here, then go on with the next member */
        for (;;) {
            if (depth == 0)
                goto done;
            cw_sbx_level_t *top = &lv[depth - 1];
            if (top->object) {
                duk_size_t kn;
                const char *k = duk_get_lstring(ctx, -2, &kn);
                if (kn == 9 && memcmp(k, "__proto__", 9) == 0)
                    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WEC);
                else
                    duk_put_prop(ctx, -3);
            } else {
                duk_put_prop_index(ctx, -2, top->index++);
            }
            p = cw_sbx_ws(s, n, p);
            if (s[p] == ',') {
                p = cw_sbx_ws(s, n, p + 1);
                if (top->object) {
                    p = cw_sbx_push_string(ctx, s, n, p + 1, scratch);
                    p = cw_sbx_ws(s, n, p) + 1; /* ':' */
                    p = cw_sbx_ws(s, n, p);
                }
                break;
            }
            depth--; /* '}' or ']': the container is itself a complete value */
            p++;
        }
    }
done:
    duk_remove(ctx, -2); /* the level buffer */
    duk_remove(ctx, -2); /* the scratch buffer */
}

/* The job-dependent part of setup: the global `input`, from the text the
 * job parser checked and converted to CESU-8 (so characters outside the BMP
 * arrive as surrogate pairs, as string literals make them). */
static duk_ret_t cw_sbx_setup_input(duk_context *ctx, void *udata) {
    cw_sbx_t *s = udata;
    duk_push_global_object(ctx);
    cw_sbx_push_json(ctx, s->job->input, s->job->input_len);
    duk_put_prop_string(ctx, -2, "input");
    duk_pop(ctx);
    return 0;
}

/* Compile the job: as a global script, or, when that fails (a top-level
 * `return`), as the body of a function.  The first error is the one reported. */
static duk_ret_t cw_sbx_compile_script(duk_context *ctx, void *udata) {
    const cw_sbx_t *s = udata;
    const cw_prepared_t *prep = &s->prep;
    if (cw_lowering_load_compiled(ctx, s->conf->lowering, prep)) /* compiled before, in either form */
        return 1;
    duk_push_string(ctx, "job.js");
    duk_compile_lstring_filename(ctx, DUK_COMPILE_SHEBANG, prep->code, prep->len);
    cw_lowering_keep_compiled(ctx, prep);
    return 1;
}

/* Define __cw_h with the transform helpers lowered code calls. */
static duk_ret_t cw_sbx_helpers(duk_context *ctx, void *udata) {
    cw_sbx_t *s = udata;
    cw_lowering_install_helpers(ctx, s->conf->lowering, &s->prep);
    return 0;
}

static duk_ret_t cw_sbx_compile_function(duk_context *ctx, void *udata) {
    const cw_sbx_t *s = udata;
    duk_push_string(ctx, "function(){");
    duk_push_lstring(ctx, s->job->code, s->job->code_len);
    duk_push_string(ctx, "\n}");
    duk_concat(ctx, 3);
    duk_push_string(ctx, "job.js");
    duk_compile(ctx, DUK_COMPILE_FUNCTION);
    cw_lowering_keep_compiled(ctx, &s->prep);
    return 1;
}

/* Call the compiled function; leave its return value. */
static duk_ret_t cw_sbx_call(duk_context *ctx, void *udata) {
    (void)udata;
    duk_call(ctx, 0);
    return 1;
}

/* [ retval ] -> [ result ]: the job's result is `output`, or the return
 * value (of a top-level `return`, or the program's completion value) when
 * `output` was never assigned.  A promise there is what the job meant to
 * wait for (top-level `await` makes the program's value one, as does
 * `return main()` or `output = main()` with an async main), so it counts by
 * its outcome, read after the event loop has run: its value, or its
 * rejection thrown; one still pending can never settle, since nothing is
 * left to run, and is an error that says so. */
static duk_ret_t cw_sbx_result(duk_context *ctx, void *udata) {
    cw_sbx_t *s = udata;
    duk_push_global_object(ctx);
    duk_get_prop_string(ctx, -1, "output");
    duk_remove(ctx, -2);
    if (!duk_is_undefined(ctx, -1))
        duk_remove(ctx, -2); /* [ output ] */
    else
        duk_pop(ctx); /* [ retval ] */
    switch (cw_runtime_promise_state(ctx, &s->rt, -1)) {
    case CW_RT_PROMISE_NONE:      /* [ result ] */
    case CW_RT_PROMISE_FULFILLED: /* [ promise value ] */
        return 1;
    case CW_RT_PROMISE_REJECTED:
        return duk_throw(ctx);
    default: /* made by the Error constructor: no C file and line in its stack */
        cw_runtime_push_original(ctx, CW_RT_ORIG_ERROR);
        duk_push_string(ctx, "the job's result is a promise that never settled: nothing left in the event loop "
                             "could resolve it (an await on a promise no code resolves)");
        duk_new(ctx, 1);
        return duk_throw(ctx);
    }
}

/* Serialize the result at -1 to JSON text. */
static duk_ret_t cw_sbx_serialize(duk_context *ctx, void *udata) {
    (void)udata;
    if (duk_is_undefined(ctx, -1))
        duk_push_null(ctx);
    else
        duk_dup(ctx, -1);
    duk_json_encode(ctx, -1);
    return 1;
}

/* The thrown value at -1 becomes name/message/line/stack strings on the
 * stack in that order (4 values). */
typedef struct {
    const char *key;
} cw_sbx_prop_t;

static duk_ret_t cw_sbx_get_prop_unsafe(duk_context *ctx, void *udata) {
    const cw_sbx_prop_t *p = udata;
    duk_get_prop_string(ctx, -1, p->key);
    return 1;
}

/* [ ... ] -> [ ... obj[key] ]: undefined when reading it throws (a hostile
 * getter on the error or Error.prototype), so one part that cannot be read
 * does not cost the others. */
static void cw_sbx_safe_get(duk_context *ctx, duk_idx_t obj, const char *key) {
    cw_sbx_prop_t p = {key};
    duk_dup(ctx, obj);
    if (duk_safe_call(ctx, cw_sbx_get_prop_unsafe, &p, 1, 1) != DUK_EXEC_SUCCESS) {
        duk_pop(ctx);
        duk_push_undefined(ctx);
    }
}

static duk_ret_t cw_sbx_error_parts(duk_context *ctx, void *udata) {
    (void)udata;
    duk_idx_t e = duk_normalize_index(ctx, -1);
    if (duk_is_object(ctx, e)) {
        cw_sbx_safe_get(ctx, e, "name");
        cw_sbx_safe_get(ctx, e, "message");
        cw_sbx_safe_get(ctx, e, "lineNumber");
        cw_sbx_safe_get(ctx, e, "stack");
        if (!duk_is_undefined(ctx, -4))
            duk_safe_to_string(ctx, -4);
        if (duk_is_undefined(ctx, -3)) {
            /* Not error-like (a function, {a: 1}): the value's text is the
             * message, and its `name` (a function's own) names no error. */
            duk_pop_n(ctx, 4);
            duk_push_undefined(ctx);
            duk_dup(ctx, e);
            duk_safe_to_string(ctx, -1);
            duk_push_undefined(ctx);
            duk_push_undefined(ctx);
        } else {
            duk_safe_to_string(ctx, -3);
        }
        if (duk_is_string(ctx, -1) == 0 && !duk_is_undefined(ctx, -1))
            duk_safe_to_string(ctx, -1);
        /* Raised inside a library or a runtime group: the line reported is
         * the job's own, its innermost frame in the stack trace. */
        cw_sbx_safe_get(ctx, e, "fileName");
        int foreign = duk_is_string(ctx, -1) && strcmp(duk_get_string(ctx, -1), "job.js") != 0;
        duk_pop(ctx);
        if (foreign) {
            const char *at = duk_is_string(ctx, -1) ? strstr(duk_get_string(ctx, -1), "(job.js:") : NULL;
            long line = at ? strtol(at + 8, NULL, 10) : 0;
            if (line > 0)
                duk_push_number(ctx, (double)line);
            else
                duk_push_undefined(ctx);
            duk_replace(ctx, -3);
        }
    } else {
        /* throw "text", throw 42, throw null, throw Symbol("s") */
        duk_push_undefined(ctx);
        if (duk_is_symbol(ctx, e)) { /* String(symbol) is its text; ToString throws */
            cw_runtime_push_original(ctx, CW_RT_ORIG_STRING);
            duk_dup(ctx, e);
            duk_call(ctx, 1);
        } else {
            duk_dup(ctx, e);
        }
        duk_safe_to_string(ctx, -1);
        duk_push_undefined(ctx);
        duk_push_undefined(ctx);
    }
    return 4;
}

/* [ reason ] -> [ error ]: what a job dies of when a promise rejection was
 * never handled, as in Node 15+: an error-like reason (an Error, or an
 * object with its own `stack`) itself; any other reason wrapped in an
 * UnhandledPromiseRejection error that names it the way V8 does without
 * side effects ("foo", 42, #<Object>, [object Array]). */
static duk_ret_t cw_sbx_describe_reason(duk_context *ctx, void *udata);

static duk_ret_t cw_sbx_rejection_error(duk_context *ctx, void *udata) {
    (void)udata;
    duk_idx_t r = duk_normalize_index(ctx, -1); /* a safe call works on the caller's stack */
    if (duk_is_error(ctx, r))
        return 1;
    if (duk_is_object(ctx, r) && !duk_is_function(ctx, r)) {
        duk_push_string(ctx, "stack");
        duk_get_prop_desc(ctx, r, 0);
        if (!duk_is_undefined(ctx, -1)) {
            duk_pop(ctx);
            return 1;
        }
        duk_pop(ctx);
    }
    /* Describing runs the reason's own code (a Proxy's traps, a getter of
     * Symbol.toStringTag): what it throws is not the job's error. */
    duk_dup(ctx, r);
    if (duk_safe_call(ctx, cw_sbx_describe_reason, NULL, 1, 1) != DUK_EXEC_SUCCESS || !duk_is_string(ctx, -1)) {
        duk_pop(ctx);
        duk_push_string(ctx, "(a value that could not be described)");
    }
    duk_push_error_object_raw(ctx, DUK_ERR_ERROR, NULL, 0,
                              "This error originated either by throwing inside of an async function without a "
                              "catch block, or by rejecting a promise which was not handled with .catch(). The "
                              "promise rejected with the reason \"%s\".",
                              duk_get_string(ctx, -1));
    duk_push_string(ctx, "UnhandledPromiseRejection");
    duk_put_prop_string(ctx, -2, "name");
    return 1;
}

/* [ reason ] -> [ text ]: a rejection's reason named as V8 names it. */
static duk_ret_t cw_sbx_describe_reason(duk_context *ctx, void *udata) {
    (void)udata;
    cw_runtime_push_value_text(ctx, -1);
    return 1;
}

/* ---- the run ------------------------------------------------------------ */

typedef struct cw_sbx_outcome {
    cw_rescode_t code;
    char *name, *message, *stack;
    long line, column;
} cw_sbx_outcome_t;

/* A prepared job that cannot run: its syntax error, or lowering out of its
 * time or memory bound.  Returns 1 when *o was set. */
static int cw_sbx_prep_failed(const cw_sbx_t *s, cw_sbx_outcome_t *o) {
    const cw_prepared_t *p = &s->prep;
    if (p->limit == CW_LOWERING_LIMIT_TIME) {
        o->code = CW_RES_TIMEOUT;
        o->name = strdup("TimeoutError");
        char m[128];
        snprintf(m, sizeof(m), "execution exceeded the %g s timeout (while compiling)", s->job->timeout_s);
        o->message = strdup(m);
        return 1;
    }
    if (p->limit) {
        o->code = CW_RES_MEMORY_LIMIT;
        o->name = strdup("RangeError");
        o->message = strdup(p->message);
        return 1;
    }
    if (p->syntax_error || p->internal) {
        o->code = CW_RES_SYNTAX_ERROR;
        o->name = strdup("SyntaxError");
        o->message = strdup(p->message);
        o->line = p->line;
        o->column = p->col;
        return 1;
    }
    return 0;
}

static char *cw_sbx_dup_string(duk_context *ctx, duk_idx_t idx) {
    if (!duk_is_string(ctx, idx))
        return NULL;
    size_t n;
    const char *p = duk_get_lstring(ctx, idx, &n);
    n = cw_utf8_clip(p, n, CW_RESULT_MAX_ERR_STACK);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* [ value ] -> [ value in the stash array named udata ] */
static duk_ret_t cw_sbx_is_marked(duk_context *ctx, void *udata) {
    int marked = 0;
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, (const char *)udata);
    duk_size_t n = duk_get_length(ctx, -1);
    for (duk_size_t i = 0; i < n && !marked; i++) {
        duk_get_prop_index(ctx, -1, (duk_uarridx_t)i);
        marked = duk_strict_equals(ctx, -1, -4);
        duk_pop(ctx);
    }
    duk_push_boolean(ctx, marked);
    return 1;
}

/* The stack's frames in the job's code, "(job.js:N)", name the line of
 * the code that ran; when that was the lowered code, the line it came from
 * in the job's own source is the one an author can look up.  Takes and
 * returns ownership of `stack` (NULL stays NULL; frames with no known
 * origin keep their line). */
static char *cw_sbx_map_stack(const cw_prepared_t *p, char *stack) {
    static const char tag[] = "(job.js:";
    if (!stack || !p->lowered || !strstr(stack, tag))
        return stack;
    cw_buf_t b;
    cw_buf_init(&b, 2 * strlen(stack) + 256);
    cw_err_t err = CW_OK;
    const char *r = stack, *at;
    while (err == CW_OK && (at = strstr(r, tag)) != NULL) {
        const char *num = at + sizeof(tag) - 1;
        char *end;
        long line = strtol(num, &end, 10);
        long orig = end > num && *end == ')' ? cw_lowering_map_line(p, line) : 0;
        if (orig > 0) {
            err = cw_buf_append(&b, r, (size_t)(num - r));
            if (err == CW_OK)
                err = cw_buf_printf(&b, "%ld", orig);
        } else {
            err = cw_buf_append(&b, r, (size_t)(end - r));
        }
        r = end;
    }
    if (err == CW_OK)
        err = cw_buf_puts(&b, r);
    char *mapped = err == CW_OK ? cw_buf_steal(&b, NULL) : NULL;
    cw_buf_free(&b);
    if (!mapped)
        return stack; /* no memory: the stack as the engine wrote it */
    free(stack);
    return mapped;
}

/* The job ran past its deadline: that is how it ended, whatever else it did. */
static void cw_sbx_timeout_outcome(const cw_sbx_t *s, cw_sbx_outcome_t *o) {
    free(o->name);
    free(o->message);
    free(o->stack);
    o->stack = NULL;
    o->line = o->column = 0;
    if (s->cancelled) {
        o->code = CW_RES_CANCELLED;
        o->name = strdup("CancelledError");
        o->message = strdup("the job was cancelled while it ran");
        return;
    }
    o->code = CW_RES_TIMEOUT;
    o->name = strdup("TimeoutError");
    char m[96];
    snprintf(m, sizeof(m), "execution exceeded the %g s timeout", s->job->timeout_s);
    o->message = strdup(m);
}

/* 1 when the value at -1 is in the stash array `key`. */
static int cw_sbx_marked(duk_context *ctx, const char *key) {
    int marked = 0;
    if (duk_is_object(ctx, -1)) {
        /* The stash is plain C-owned data, but lookups allocate: protect them. */
        duk_dup(ctx, -1);
        if (duk_safe_call(ctx, cw_sbx_is_marked, (void *)key, 1, 1) == DUK_EXEC_SUCCESS)
            marked = duk_get_boolean(ctx, -1);
        duk_pop(ctx);
    }
    return marked;
}

/* 1 when the value at -1, what the job died of, is an out-of-memory error
 * the engine raised at the job's cap (see "out-of-memory errors"). */
static int cw_sbx_died_of_oom(duk_context *ctx, cw_sbx_t *s) {
    if (!s->alloc.limit_hit)
        return 0;
    if (cw_duk_is_double_error(ctx, -1))
        return 1;
    if (!s->oom_marked)
        return 0;
    /* Looking up needs a little room when the heap is at its cap. */
    size_t limit = s->alloc.limit;
    s->alloc.limit = limit + (64u << 10);
    int oom = cw_sbx_marked(ctx, CW_SBX_OOM_KEY);
    s->alloc.limit = limit;
    return oom;
}

/* The thrown value is at -1: classify by how the job ended -- the deadline
 * (which keeps throwing until the job has unwound), or the identity of the
 * value it died of -- then describe. */
static void cw_sbx_failed(duk_context *ctx, cw_sbx_t *s, cw_rescode_t phase_code,
                          cw_sbx_outcome_t *o) {
    if (s->timed_out)
        o->code = CW_RES_TIMEOUT;
    else if (cw_sbx_died_of_oom(ctx, s))
        o->code = CW_RES_MEMORY_LIMIT;
    else if (cw_sbx_marked(ctx, CW_SBX_SECURITY_KEY))
        o->code = CW_RES_SECURITY_ERROR;
    else
        o->code = phase_code;

    if (o->code == CW_RES_TIMEOUT) { /* or cancelled: the same unwinding */
        /* Describing the error would re-enter the engine, which keeps
         * throwing until the stack unwinds; say what happened instead. */
        cw_sbx_timeout_outcome(s, o);
        return;
    }
    /* Give the description its own small budget past the cap so an error
     * raised by hitting the cap can still be described. */
    size_t limit = s->alloc.limit;
    s->alloc.limit = limit + (1u << 20);
    if (duk_safe_call(ctx, cw_sbx_error_parts, NULL, 1, 4) == DUK_EXEC_SUCCESS) {
        o->name = cw_sbx_dup_string(ctx, -4);
        o->message = cw_sbx_dup_string(ctx, -3);
        o->line = duk_is_number(ctx, -2) ? (long)duk_get_number(ctx, -2) : 0;
        o->line = cw_lowering_map_line(&s->prep, o->line); /* the job's own line */
        o->stack = cw_sbx_map_stack(&s->prep, cw_sbx_dup_string(ctx, -1));
    } else {
        o->message = strdup("(the thrown value could not be described)");
    }
    duk_pop_n(ctx, 4);
    s->alloc.limit = limit;
    if (o->code == CW_RES_MEMORY_LIMIT) {
        char m[128];
        snprintf(m, sizeof(m), "memory limit of %g MB exceeded", s->job->memory_mb);
        free(o->message);
        o->message = strdup(m);
        free(o->name);
        o->name = strdup("RangeError");
    }
}

/* splitmix64: expands one 64-bit seed into the xoshiro256** state, as the
 * xoshiro authors recommend, so a single recorded integer replays the whole
 * Math.random sequence. */
static void cw_sbx_seed_from(cw_sbx_t *s, uint64_t seed) {
    uint64_t x = seed;
    s->seed = seed;
    /* splitmix64: four words for Math.random, four more for crypto's
     * stream (used only by a deterministic job) */
    for (int i = 0; i < 8; i++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        (i < 4 ? s->rng : s->crng)[i & 3] = z ^ (z >> 31);
    }
}

/* A fresh seed per job from getrandom(), kept below 2^53 so it is an exact
 * JSON number in the result's "replay" object. */
static void cw_sbx_seed(cw_sbx_t *s) {
    uint64_t v = 0;
    size_t got = 0;
    while (got < sizeof(v)) {
        ssize_t n = getrandom((char *)&v + got, sizeof(v) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < sizeof(v)) /* no entropy source: still never the same sequence twice */
        v ^= (uint64_t)cw_mono_ns() ^ ((uint64_t)cw_now_ms() << 20);
    cw_sbx_seed_from(s, v & ((1ULL << 53) - 1));
}

/* The length of the longest prefix of the log entries in logs[0, len) that
 * is whole entries and at most `room` bytes.  Entries are JSON objects
 * joined by commas, each starting with {"level":" -- a sequence that cannot
 * occur inside one, because a quote in a message is escaped. */
static size_t cw_sbx_logs_fit(const char *logs, size_t len, size_t room) {
    static const char sep[] = "},{\"level\":\"";
    const size_t seplen = sizeof(sep) - 1;
    if (len <= room)
        return len;
    size_t fit = 0;
    for (size_t i = 0; i + seplen <= len && i + 1 <= room; i++) {
        if (logs[i] == '}' && memcmp(logs + i, sep, seplen) == 0)
            fit = i + 1; /* the entry ending here, without the comma */
    }
    return fit;
}

/* Write `r` within conf->result_max_bytes.  What the caller needs most is the
 * output, so when the document is too big the logs give way first: entries
 * are dropped from the end (logsTruncated) until it fits.  Only when the
 * output alone cannot fit does the job become OUTPUT_LIMIT, and then the logs
 * get the room the output leaves.  After that the stack and the audit
 * context go, and as a last resort the cap is ignored: one result always
 * beats none. */
static cw_err_t cw_sbx_emit(const cw_sandbox_conf_t *conf, cw_result_t *r, cw_buf_t *out) {
    size_t start = out->len;
    size_t saved_max = out->max;
    out->max = start + conf->result_max_bytes;
    cw_err_t err = cw_result_write(r, out);
    for (int round = 0; err == CW_ERR_TOOBIG && round < 2; round++) {
        /* Measure the document without logs; the logs get what is left. */
        const char *logs = r->logs_json;
        size_t logs_len = r->logs_len;
        int truncated = r->logs_truncated;
        out->len = start;
        r->logs_json = NULL;
        r->logs_len = 0;
        r->logs_truncated = 1;
        err = cw_result_write(r, out);
        if (err == CW_OK && logs) {
            size_t room = out->max - out->len;
            size_t keep = cw_sbx_logs_fit(logs, logs_len, room);
            out->len = start;
            r->logs_json = keep ? logs : NULL;
            r->logs_len = keep;
            r->logs_truncated = truncated || keep < logs_len;
            err = cw_result_write(r, out);
            if (err == CW_ERR_TOOBIG) { /* cannot happen: the measure was exact */
                out->len = start;
                r->logs_json = NULL;
                r->logs_len = 0;
                r->logs_truncated = 1;
                err = cw_result_write(r, out);
            }
        }
        if (err == CW_ERR_TOOBIG && round == 0 && r->code == CW_RES_SUCCESS && r->output_json) {
            /* The output alone does not fit: give the logs back and try
             * again without it. */
            out->len = start;
            r->code = CW_RES_OUTPUT_LIMIT;
            r->output_json = NULL;
            r->output_len = 0;
            r->err_name = "OutputLimitError";
            r->err_message = "the result would exceed the maximum result size; return less data";
            r->logs_json = logs;
            r->logs_len = logs_len;
            r->logs_truncated = truncated;
            err = cw_result_write(r, out);
            continue;
        }
        break;
    }
    if (err == CW_ERR_TOOBIG) { /* then the stack and the audit context */
        out->len = start;
        r->logs_json = NULL;
        r->logs_len = 0;
        r->logs_truncated = 1;
        r->err_stack = NULL;
        r->audit_json = NULL;
        r->audit_len = 0;
        err = cw_result_write(r, out);
    }
    if (err == CW_ERR_TOOBIG) {
        /* A cap smaller than the smallest result: one result still beats
         * none, so the last resort ignores the cap. */
        out->len = start;
        out->max = 0;
        r->err_message = r->err_message ? "the result did not fit the configured result size" : NULL;
        r->adjust_json = NULL;
        r->adjust_len = 0;
        err = cw_result_write(r, out);
    }
    if (out->data)
        out->data[out->len < start ? start : out->len] = '\0';
    out->max = saved_max;
    return err;
}

/* The fields every result of `job` carries: its id, effective limits, the
 * adjustments made to them and the audit context. */
static void cw_sbx_result_for(const cw_job_t *job, cw_result_t *r) {
    r->job_id = job->job_id;
    r->timeout_s = job->timeout_s;
    r->memory_mb = job->memory_mb;
    r->adjust_json = job->adjustments.data;
    r->adjust_len = job->adjustments.len;
    r->time_zone = job->time_zone[0] ? job->time_zone : "UTC";
    r->audit_json = job->audit.data;
    r->audit_len = job->audit.len;
}

/* ---- prepared heaps ------------------------------------------------------
 *
 * Creating a Duktape heap (its ~700 built-in objects) and destroying it are
 * most of the work of a small job, and neither depends on the job.  So the
 * executor keeps one heap ready between jobs -- renewed after a result has
 * gone out and before the next job is read -- and a job finds a heap in
 * which no code has ever run and which already holds the sandbox's globals.
 *
 * With CW_SANDBOX_HEAP_IMAGE the heap is made once, in an arena, and sealed
 * (cw_alloc.h, "heap images"); renewing it releases what the last job
 * allocated and copies the sealed bytes back, which costs a ~270 KB memcpy
 * instead of a destroy and a create.  The engine's state lives entirely in
 * memory it got from the allocator, so the copy is the fresh heap, down to
 * the byte; the C-side state of the heap (cw_sbx_t) is restored from the
 * copy taken at sealing, and Math.random is reseeded.  Without the flag (or
 * if the image cannot be made) renewing destroys and creates.
 *
 * The heap is created under CW_SBX_PREPARE_BYTES, no more than the smallest
 * memoryLimit; the job's own cap replaces it when the job arrives. */
#define CW_SBX_PREPARE_BYTES ((size_t)8 << 20)
#define CW_SBX_ARENA_BYTES ((size_t)4 << 20)

/* The public name of a prepared heap. */
struct cw_sandbox_heap {
    cw_sbx_t s;
    cw_sbx_t fresh; /* image mode: `s` as it was when the image was sealed */
    int image;
    /* Without an executor-wide cache (conf->regexps NULL, as in tests):
     * this heap's own, kept across renewals and freed with the heap. */
    struct cw_regexp_cache *own_re;
};

#define CW_SBX_OWN_REGEXPS 32

/* Make the heap in h->s (whose conf is set): an image when asked and
 * possible, else a plain heap. */
static void cw_sbx_make(cw_sandbox_heap_t *h, int image) {
    cw_sbx_t *s = &h->s;
    const cw_sandbox_conf_t *conf = s->conf;
    h->image = 0;
    cw_alloc_init(&s->alloc, CW_SBX_PREPARE_BYTES);
    if (image && cw_alloc_arena_open(&s->alloc, CW_SBX_ARENA_BYTES) != 0)
        image = 0;
    cw_sbx_seed(s);
    if (!conf->regexps && !h->own_re)
        (void)cw_regexp_cache_new(CW_SBX_OWN_REGEXPS, &h->own_re); /* NULL: setup fails, says why */
    s->re = conf->regexps ? conf->regexps : h->own_re;
    s->ctx = duk_create_heap(cw_sbx_malloc, cw_sbx_realloc, cw_sbx_free, s, cw_sbx_fatal);
    if (s->ctx) {
        /* Faults are injected only once the heap exists: Duktape's built-in
         * initialisation is not safe against a persistent allocation
         * failure (it recurses until the C stack is gone), and in service
         * it cannot meet the cap, because a fresh heap is ~100 KB. */
        if (conf->fault_at && !image) /* an image's faults start with each job */
            cw_alloc_set_fault(&s->alloc, conf->fault_at, conf->fault_repeat);
        s->setup_failed = duk_safe_call(s->ctx, cw_sbx_setup, s, 0, 1) != DUK_EXEC_SUCCESS;
        if (!s->setup_failed)
            duk_pop(s->ctx);
    }
    if (!image)
        return;
    if (!s->ctx || s->setup_failed || cw_alloc_arena_seal(&s->alloc) != 0) {
        /* No image: drop the arena (the heap in it goes with it, never
         * having run anything) and make a plain heap instead. */
        cw_alloc_arena_close(&s->alloc);
        s->ctx = NULL;
        s->setup_failed = 0;
        cw_sbx_make(h, 0);
        return;
    }
    h->fresh = *s;
    h->image = 1;
}

cw_err_t cw_sandbox_heap_new(const cw_sandbox_conf_t *conf, int flags, cw_sandbox_heap_t **heap) {
    *heap = NULL;
    /* Once per process (the executor already did it at start-up); if it
     * failed, setup fails every job with the reason. */
    (void)cw_runtime_init(NULL, 0);
    (void)cw_intl_warmup(NULL, 0);
    cw_sandbox_heap_t *h = calloc(1, sizeof(*h));
    if (!h)
        return CW_ERR_NOMEM;
    h->s.conf = conf;
    cw_sbx_make(h, (flags & CW_SANDBOX_HEAP_IMAGE) != 0);
    *heap = h;
    return CW_OK;
}

int cw_sandbox_heap_is_image(const cw_sandbox_heap_t *heap) { return heap && heap->image; }

/* Give back everything the heap holds; returns the heap bytes still
 * allocated afterwards (0 unless something leaked). */
static size_t cw_sbx_discard(cw_sandbox_heap_t *heap) {
    cw_sbx_t *s = &heap->s;
    size_t leaked;
    cw_lowering_release(&s->prep);
    cw_intl_release(&s->intl);
    if (heap->image) {
        cw_alloc_release(&s->alloc); /* what the job left; the image is whole */
        leaked = s->alloc.used - heap->fresh.alloc.used;
        cw_alloc_arena_close(&s->alloc);
    } else {
        if (s->ctx)
            duk_destroy_heap(s->ctx);
        leaked = s->alloc.used;
    }
    return leaked;
}

cw_err_t cw_sandbox_heap_renew(cw_sandbox_heap_t *heap) {
    if (!heap)
        return CW_ERR_INVALID;
    cw_sbx_t *s = &heap->s;
    if (!s->used)
        return CW_OK; /* still fresh */
    if (heap->image) {
        cw_lowering_release(&s->prep);
        cw_intl_release(&s->intl);
        cw_alloc_arena_restore(&s->alloc);
        *s = heap->fresh;
        cw_sbx_seed(s);
        return CW_OK;
    }
    const cw_sandbox_conf_t *conf = s->conf;
    (void)cw_sbx_discard(heap);
    memset(s, 0, sizeof(*s));
    s->conf = conf;
    cw_sbx_make(heap, 0);
    return CW_OK;
}

void cw_sandbox_heap_free(cw_sandbox_heap_t *heap, cw_sandbox_stats_t *stats) {
    if (!heap)
        return;
    size_t leaked = cw_sbx_discard(heap);
    cw_regexp_cache_free(heap->own_re);
    if (stats)
        stats->leaked = leaked;
    free(heap);
}

cw_err_t cw_sandbox_run(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out,
                        cw_sandbox_stats_t *stats) {
    cw_sandbox_heap_t *heap;
    cw_err_t err = cw_sandbox_heap_new(conf, 0, &heap);
    if (err)
        return err;
    err = cw_sandbox_run_prepared(heap, job, out, stats);
    cw_sandbox_heap_free(heap, stats);
    return err;
}

cw_err_t cw_sandbox_run_prepared(cw_sandbox_heap_t *heap, const cw_job_t *job, cw_buf_t *out,
                                 cw_sandbox_stats_t *stats) {
    if (!heap || heap->s.used)
        return CW_ERR_STATE;
    cw_sbx_t *s = &heap->s;
    const cw_sandbox_conf_t *conf = s->conf;
    duk_context *ctx = s->ctx;
    s->used = 1;
    s->job = job;
    (void)cw_tz_select(job->time_zone); /* checked by the executor; unknown stays UTC */
    s->alloc.limit = (size_t)(job->memory_mb * 1024.0 * 1024.0);
    s->mem_cap = s->alloc.limit;
    if (heap->image && conf->fault_at)
        cw_alloc_set_fault(&s->alloc, conf->fault_at, conf->fault_repeat);
    cw_buf_init(&s->logs, conf->log_max_bytes);

    cw_result_t r;
    cw_result_init(&r);
    /* A job that names its seed is deterministic (README "Replay"): its
     * clock is logical and its crypto randomness comes from the seed too. */
    if (job->has_seed)
        cw_sbx_seed_from(s, job->seed);
    s->rt.logical = job->has_seed;
    s->rt.ticks_ns = 0;
    cw_sbx_result_for(job, &r);
    r.started_ms = cw_now_ms();
    s->start_ns = s->clock_ns = cw_mono_ns();
    /* Whole milliseconds: the timers count whole milliseconds of the same
     * clock, so a Date.now() taken before a timer is made is at least the
     * delay behind one taken when it runs.  clockStart (a replay) sets it. */
    s->epoch_ms = job->has_clock_start ? (double)job->clock_start_ms : floor(cw_sbx_realtime_ms());
    s->rt.origin_ns = s->start_ns;
    r.has_replay = 1;
    r.replay_seed = s->seed;
    r.replay_version = CW_VERSION;
    r.replay_duktape = (long)DUK_VERSION;
    r.replay_runtime = cw_rt_digest;
    r.replay_icu = U_ICU_VERSION;
    r.replay_clock_ms = (int64_t)s->epoch_ms;
    r.replay_logical = s->rt.logical;
    s->deadline_ns = s->start_ns + (int64_t)(job->timeout_s * 1e9);
    /* The signal that stops a native computation at the deadline
     * (cw_interrupt.h; a no-op where the process did not install it).  A
     * timer that cannot be set leaves the engine's own checks and the
     * supervisor's kill, as before. */
    if (cw_intr_arm(s->deadline_ns) != CW_OK)
        perror("codeworker executor: deadline timer");

    cw_sbx_outcome_t o = {.code = CW_RES_SUCCESS};
    cw_buf_t output;
    cw_buf_init(&output, conf->result_max_bytes);
    int output_too_big = 0;
    cw_err_t err = CW_OK;

    if (!ctx) {
        o.code = CW_RES_MEMORY_LIMIT;
        o.name = strdup("RangeError");
        o.message = strdup("memory limit too small to create a JavaScript heap");
        goto finish;
    }
    if (s->setup_failed || duk_safe_call(ctx, cw_sbx_setup_input, s, 0, 1) != DUK_EXEC_SUCCESS) {
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        goto finish;
    }
    duk_pop(ctx);
    /* Code is compiled as written; what Duktape's compiler rejects is
     * lowered to ES5 here, inside the executor, under the job's deadline and
     * a memory budget of its own, with a cache by source hash. */
    cw_lowering_limits_t lim = {s->deadline_ns, cw_lowering_budget_for(s->alloc.limit)};
    if (cw_lowering_prepare_limited(conf->lowering, job->code, job->code_len, &lim, &s->prep) != CW_OK) {
        err = CW_ERR_NOMEM;
        goto done;
    }
    duk_idx_t base = duk_get_top(ctx);
    for (;;) { /* at most twice: as written, then lowered */
        if (cw_sbx_prep_failed(s, &o))
            goto finish;
        if (s->prep.lowered && duk_safe_call(ctx, cw_sbx_helpers, s, 0, 1) != DUK_EXEC_SUCCESS) {
            cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
            goto finish;
        }
        if (s->prep.lowered)
            duk_pop(ctx);
        if (duk_safe_call(ctx, cw_sbx_compile_script, s, 0, 1) == DUK_EXEC_SUCCESS)
            break;
        int oom = cw_sbx_died_of_oom(ctx, s); /* compiling ran out of memory: no retry */
        if (!s->timed_out && !oom && !s->prep.lowered &&
            duk_safe_call(ctx, cw_sbx_compile_function, s, 0, 1) == DUK_EXEC_SUCCESS) {
            duk_remove(ctx, -2);
            break;
        }
        if (s->prep.candidate && !s->timed_out && !oom) {
            duk_set_top(ctx, base); /* Duktape rejected it: lower it */
            if (cw_lowering_lower_rejected(conf->lowering, job->code, job->code_len, &lim, &s->prep) != CW_OK) {
                err = CW_ERR_NOMEM;
                goto done;
            }
            continue;
        }
        if (duk_get_top(ctx) > base + 1)
            duk_pop(ctx); /* report the script error, not the retry's */
        cw_sbx_failed(ctx, s, CW_RES_SYNTAX_ERROR, &o);
        goto finish;
    }
    s->clock_ns = cw_mono_ns();
    if (duk_safe_call(ctx, cw_sbx_call, NULL, 1, 1) != DUK_EXEC_SUCCESS) {
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        goto finish;
    }
    /* The job's event loop: promise reactions, queued microtasks and
     * timers, under the same deadline, so an `output` assigned in a then()
     * or a setTimeout callback counts.  Waiting for a timer skips the job's
     * clock ahead (cw_runtime.h): a timer due past the deadline ends the
     * job at once as TIMEOUT, since it could never run in time. */
    s->rt.deadline_ns = s->deadline_ns;
    if (duk_safe_call(ctx, cw_runtime_settle, &s->rt, 0, 2) != DUK_EXEC_SUCCESS) {
        duk_pop(ctx); /* [ error undefined ] -> [ error ] */
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        goto finish;
    }
    if (s->rt.timer_late) {
        duk_pop_2(ctx);
        cw_sbx_timeout_outcome(s, &o);
        char m[160];
        snprintf(m, sizeof(m), "a timer is due after the job's %g s timeout (waiting for timers skips ahead, "
                 "and the time skipped counts toward the timeout)", job->timeout_s);
        free(o.message);
        o.message = strdup(m);
        goto finish;
    }
    if (duk_get_boolean(ctx, -2)) { /* [ true reason ]: an unhandled rejection */
        (void)duk_safe_call(ctx, cw_sbx_rejection_error, NULL, 1, 1);
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        goto finish;
    }
    duk_pop_2(ctx);
    if (duk_safe_call(ctx, cw_sbx_result, s, 1, 1) != DUK_EXEC_SUCCESS) {
        (void)duk_safe_call(ctx, cw_sbx_rejection_error, NULL, 1, 1);
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        goto finish;
    }
    if (duk_safe_call(ctx, cw_sbx_serialize, NULL, 1, 1) != DUK_EXEC_SUCCESS) {
        cw_sbx_failed(ctx, s, CW_RES_RUNTIME_ERROR, &o);
        if (o.code == CW_RES_RUNTIME_ERROR && o.message) {
            char *m = malloc(strlen(o.message) + 48);
            if (m) {
                sprintf(m, "output is not JSON-serializable: %s", o.message);
                free(o.message);
                o.message = m;
            }
        }
        goto finish;
    }
    if (duk_is_string(ctx, -1)) {
        size_t n;
        const char *text = duk_get_lstring(ctx, -1, &n);
        cw_err_t e = cw_utf8_json_text(&output, text, n);
        if (e == CW_ERR_TOOBIG)
            output_too_big = 1;
        else if (e) {
            err = CW_ERR_NOMEM;
            goto done;
        }
    }

finish:
    /* The deadline holds to the end: a job whose last steps (a C built-in
     * that never reached the engine's check, the microtask drain, the
     * serialization of its output) finished past it timed out, even if
     * nothing threw. */
    if (ctx && o.code != CW_RES_TIMEOUT && o.code != CW_RES_CANCELLED &&
        (s->timed_out || cw_runtime_clock_ns(&s->rt) >= s->deadline_ns)) {
        cw_sbx_timeout_outcome(s, &o);
        output_too_big = 0;
    }
    r.ended_ms = cw_now_ms();
    r.exec_ms = (double)(cw_mono_ns() - s->clock_ns) / 1e6;
    r.mem_peak = s->alloc.peak;
    r.code = o.code;
    if (output_too_big) {
        r.code = CW_RES_OUTPUT_LIMIT;
        o.name = strdup("OutputLimitError");
        o.message = strdup("output exceeds the maximum result size; return less data");
    } else if (o.code == CW_RES_SUCCESS) {
        r.output_json = output.data;
        r.output_len = output.len;
    }
    r.err_name = o.name;
    r.err_message = o.message;
    r.err_stack = o.stack;
    r.err_line = o.line;
    r.err_column = o.column;
    r.logs_json = s->logs.data;
    r.logs_len = s->logs.len;
    r.logs_truncated = s->logs_truncated;
    err = cw_sbx_emit(conf, &r, out);
    if (stats) {
        stats->result_code = (int)r.code;
        int64_t end_ns = cw_mono_ns();
        /* For the job's spans: preparing (input, lowering, compiling) and
         * running; a job that never compiled spent it all preparing. */
        stats->prepare_ns = (uint64_t)(s->clock_ns - s->start_ns);
        stats->run_ns = (uint64_t)(end_ns - s->clock_ns);
        if (r.code == CW_RES_SYNTAX_ERROR) {
            stats->prepare_ns += stats->run_ns;
            stats->run_ns = 0;
        }
        stats->lowered = s->prep.lowered;
    }
done:
    if (stats) {
        stats->allocations = s->alloc.count;
        stats->faults = s->alloc.faults;
    }
    free(o.name);
    free(o.message);
    free(o.stack);
    cw_buf_free(&output);
    cw_buf_free(&s->logs);
    /* The heap is spent: whatever might run while it is destroyed (a
     * finalizer) sees no job and a deadline already past. */
    s->job = NULL;
    s->deadline_ns = 1;
    if (cw_intr_disarm() != CW_OK)
        perror("codeworker executor: deadline timer");
    if (stats)
        stats->abandoned = cw_intr_stopped_since_arm();
    if (s->gc_paused && ctx) {
        cw_duk_gc_pause(ctx, 0);
        s->gc_paused = 0;
    }
    return err;
}

cw_err_t cw_sandbox_invalid(const cw_sandbox_conf_t *conf, const char *job_id, const char *reason,
                            cw_buf_t *out) {
    cw_result_t r;
    cw_result_init(&r);
    r.job_id = job_id;
    r.code = CW_RES_INVALID_REQUEST;
    r.err_name = "InvalidRequest";
    r.err_message = reason;
    r.started_ms = r.ended_ms = cw_now_ms();
    return cw_sbx_emit(conf, &r, out);
}

cw_err_t cw_sandbox_cancelled(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out) {
    cw_result_t r;
    cw_result_init(&r);
    cw_sbx_result_for(job, &r);
    r.code = CW_RES_CANCELLED;
    r.err_name = "CancelledError";
    r.err_message = "the job was cancelled before it ran and was not run";
    r.started_ms = r.ended_ms = cw_now_ms();
    return cw_sbx_emit(conf, &r, out);
}

cw_err_t cw_sandbox_expired(const cw_sandbox_conf_t *conf, const cw_job_t *job, cw_buf_t *out) {
    cw_result_t r;
    cw_result_init(&r);
    cw_sbx_result_for(job, &r);
    r.code = CW_RES_EXPIRED;
    r.err_name = "Expired";
    r.err_message = "the job was consumed after its expiresAt and was not run";
    r.started_ms = r.ended_ms = cw_now_ms();
    return cw_sbx_emit(conf, &r, out);
}
