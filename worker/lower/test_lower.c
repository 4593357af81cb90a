/*
 * test_lower.c: standalone tests for the cw_lower library. Lowers snippets
 * covering every modern syntax feature we promise to support, runs the ES5
 * output in a small Duktape host and checks results; checks syntax-error
 * positions and the lowered-to-original line map; with --corpus it also
 * times lowering over job corpora (JSONL) and runs each job.
 *
 *   test_lower [--polyfill FILE] [--corpus FILE.jsonl ...]
 *
 * Exit status is non-zero if any check fails. The last line of output is
 * "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw_lower.h"
#include "duktape.h"

static int g_pass, g_fail;

static void check(int ok, const char *fmt, ...)
{
    if (ok) {
        g_pass++;
        return;
    }
    g_fail++;
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            b = realloc(b, cap);
        }
    }
    fclose(f);
    b[n] = 0;
    if (len)
        *len = n;
    return b;
}

/* ------------------------------------------------------------------ host */

enum helper_mode { MODE_RUNTIME, MODE_CHUNKS, MODE_INLINE };
static const char *mode_name[] = {"runtime", "chunks", "inline"};

static char *g_polyfill;
static void *g_runtime_bc; /* bytecode of the whole runtime */
static size_t g_runtime_bc_len;
static void **g_chunk_bc; /* per-helper bytecode, compiled on first use */
static size_t *g_chunk_bc_len;

static duk_ret_t host_print(duk_context *ctx)
{
    printf("%s\n", duk_safe_to_string(ctx, 0));
    return 0;
}

static void push_bytecode(duk_context *ctx, const void *bc, size_t len)
{
    void *buf = duk_push_fixed_buffer(ctx, len);
    memcpy(buf, bc, len);
    duk_load_function(ctx);
}

static void *dump_top(duk_context *ctx, size_t *len)
{
    duk_dump_function(ctx);
    duk_size_t n;
    void *p = duk_get_buffer(ctx, -1, &n);
    void *copy = malloc(n);
    memcpy(copy, p, n);
    *len = n;
    duk_pop(ctx);
    return copy;
}

static duk_context *host_new(void)
{
    duk_context *ctx = duk_create_heap_default();
    duk_push_c_function(ctx, host_print, 1);
    duk_put_global_string(ctx, "print");
    if (g_polyfill) {
        if (duk_peval_string(ctx, g_polyfill) != 0) {
            fprintf(stderr, "polyfill failed: %s\n", duk_safe_to_string(ctx, -1));
            exit(2);
        }
        duk_pop(ctx);
    }
    return ctx;
}

/* Mode (a) of cw_lower.h: the whole runtime, from cached bytecode. */
static int install_runtime(duk_context *ctx)
{
    if (!g_runtime_bc) {
        size_t n;
        const char *rt = cw_lower_runtime(&n);
        duk_push_lstring(ctx, rt, n);
        duk_push_string(ctx, "cw_helpers.js");
        if (duk_pcompile(ctx, 0) != 0) {
            fprintf(stderr, "runtime does not compile: %s\n", duk_safe_to_string(ctx, -1));
            duk_pop(ctx);
            return -1;
        }
        g_runtime_bc = dump_top(ctx, &g_runtime_bc_len);
    }
    push_bytecode(ctx, g_runtime_bc, g_runtime_bc_len);
    if (duk_pcall(ctx, 0) != 0) {
        fprintf(stderr, "runtime failed: %s\n", duk_safe_to_string(ctx, -1));
        duk_pop(ctx);
        return -1;
    }
    duk_pop(ctx);
    return 0;
}

/* Mode (b) of cw_lower.h: only the helpers this job needs. */
static int install_chunks(duk_context *ctx, const cw_lower_out_t *lo)
{
    size_t total = cw_lower_runtime_helper_count();
    if (!g_chunk_bc) {
        g_chunk_bc = calloc(total, sizeof *g_chunk_bc);
        g_chunk_bc_len = calloc(total, sizeof *g_chunk_bc_len);
    }
    duk_push_object(ctx); /* h */
    for (size_t i = 0; i < cw_lower_helper_count(lo); i++) {
        unsigned id = cw_lower_helper_id(lo, i);
        if (id >= total)
            return -1;
        if (!g_chunk_bc[id]) {
            const char *name;
            size_t n;
            const char *src = cw_lower_runtime_helper(id, &name, &n);
            duk_push_lstring(ctx, src, n);
            duk_push_string(ctx, name);
            if (duk_pcompile(ctx, DUK_COMPILE_FUNCTION) != 0) {
                fprintf(stderr, "helper %s does not compile: %s\n", name, duk_safe_to_string(ctx, -1));
                duk_pop(ctx);
                return -1;
            }
            g_chunk_bc[id] = dump_top(ctx, &g_chunk_bc_len[id]);
        }
        push_bytecode(ctx, g_chunk_bc[id], g_chunk_bc_len[id]);
        duk_dup(ctx, -2);
        if (duk_pcall(ctx, 1) != 0) {
            fprintf(stderr, "helper install failed: %s\n", duk_safe_to_string(ctx, -1));
            duk_pop_2(ctx);
            return -1;
        }
        duk_pop(ctx);
    }
    /* global.__cw_h = Object.freeze(h), read-only and hidden */
    duk_freeze(ctx, -1);
    duk_push_global_object(ctx);
    duk_push_string(ctx, "__cw_h");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_HAVE_WRITABLE | DUK_DEFPROP_HAVE_ENUMERABLE |
                              DUK_DEFPROP_HAVE_CONFIGURABLE);
    duk_pop_2(ctx);
    return 0;
}

struct run_result {
    int ok;           /* script ran without an uncaught error */
    char err[512];    /* error text if !ok */
    int err_line;     /* lineNumber of the error in the lowered code, or 0 */
    double compile_us;
    double install_us;
};

/* Compile and run lowered code, then drain the promise job queue. */
static void host_run(duk_context *ctx, const cw_lower_out_t *lo, enum helper_mode mode, struct run_result *rr)
{
    memset(rr, 0, sizeof *rr);
    double t0 = now_us();
    if ((cw_lower_needs(lo) & CW_LOWER_NEEDS_HELPERS) && mode != MODE_INLINE) {
        int rc = mode == MODE_RUNTIME ? install_runtime(ctx) : install_chunks(ctx, lo);
        if (rc != 0) {
            snprintf(rr->err, sizeof rr->err, "helper install failed");
            return;
        }
    }
    double t1 = now_us();
    rr->install_us = t1 - t0;
    size_t n;
    const char *code = cw_lower_code(lo, &n);
    duk_push_lstring(ctx, code, n);
    duk_push_string(ctx, "job");
    int rc = duk_pcompile(ctx, 0);
    rr->compile_us = now_us() - t1;
    if (rc == 0) {
        rc = duk_pcall(ctx, 0);
        if (rc == 0 && g_polyfill) {
            duk_pop(ctx);
            duk_get_global_string(ctx, "__cw_drain");
            rc = duk_pcall(ctx, 0);
        }
    }
    if (rc != 0) {
        if (duk_is_error(ctx, -1)) {
            duk_get_prop_string(ctx, -1, "lineNumber");
            rr->err_line = duk_get_int_default(ctx, -1, 0);
            duk_pop(ctx);
        }
        snprintf(rr->err, sizeof rr->err, "%s", duk_safe_to_string(ctx, -1));
    } else {
        rr->ok = 1;
    }
    duk_pop(ctx);
}

/* ------------------------------------------------------------ features */

struct feature_case {
    const char *name;
    const char *src;
    const char *expect; /* value of the global `result` after running */
};

static const struct feature_case features[] = {
    {"let per-iteration closures",
     "var fs = [];\nfor (let i = 0; i < 3; i++) fs.push(() => i);\nresult = fs.map(f => f()).join(',');", "0,1,2"},
    {"const/let block scoping",
     "let x = 1; const y = 2;\n{ let x = 3; const y = 4; }\nif (true) { let x = 5; }\nresult = x + ',' + y;", "1,2"},
    {"closures in for-in and while",
     "const fs = [];\nfor (const k in { a: 1, b: 2 }) fs.push(() => k);\nlet n = 0;\n"
     "while (n < 2) { let m = n; fs.push(() => m); n++; }\nresult = fs.map(f => f()).join('');",
     "ab01"},
    {"arrow this and arguments",
     "var o = { v: 42, f() { const g = () => this.v + arguments.length; return g(); } };\nresult = String(o.f(1, 2));",
     "44"},
    {"template literals",
     "const a = 1, b = 'x';\nresult = `a=${a} b=${b}\nline2 ${`nested ${a + 1}`}`;", "a=1 b=x\nline2 nested 2"},
    {"tagged templates",
     "function tag(s, ...v) { return s.raw.join('|') + ':' + v.join(',') + ':' + s[1]; }\n"
     "result = tag`a${1}\\n${2}c`;",
     "a|\\n|c:1,2:\n"},
    {"classes: extends, super, static, accessors, private",
     "class Animal {\n"
     "  #name; static count = 0; static #secretCount = 7;\n"
     "  constructor(n) { this.#name = n; Animal.count++; }\n"
     "  get name() { return this.#name; }\n"
     "  set name(v) { this.#name = v.toUpperCase(); }\n"
     "  speak() { return `${this.#name} makes a sound`; }\n"
     "  static create(n) { return new this(n); }\n"
     "  #hidden() { return 'h'; }\n"
     "  reveal() { return this.#hidden(); }\n"
     "  static secret() { return Animal.#secretCount; }\n"
     "  static isAnimal(o) { return #name in o; }\n"
     "}\n"
     "class Dog extends Animal {\n"
     "  constructor(n) { super(n); this.kind = 'dog'; }\n"
     "  speak() { return super.speak() + ' (woof)'; }\n"
     "  get name() { return 'dog:' + super.name; }\n"
     "  set name(v) { super.name = v; }\n"
     "}\n"
     "const d = Dog.create('rex'); d.name = 'max';\n"
     "let threw = false; try { Animal('x'); } catch (e) { threw = e instanceof TypeError; }\n"
     "result = [d.speak(), d.name, Animal.count, d instanceof Animal, d.reveal(), Animal.secret(),\n"
     "  Animal.isAnimal(d), Animal.isAnimal({}), d.kind, threw].join(';');",
     "MAX makes a sound (woof);dog:MAX;1;true;h;7;true;false;dog;true"},
    {"class fields with arrows and static blocks",
     "class C { x = 1; f = () => this.x; static y; static { C.y = 7; } }\n"
     "const c = new C(); const f = c.f;\nresult = f() + ',' + C.y;",
     "1,7"},
    {"class expression, computed and generator methods",
     "const k = 'dyn';\nconst K = class Named { [k + 1]() { return Named.name; } *gen() { yield 1; yield 2; } };\n"
     "result = new K().dyn1() + [...new K().gen()].join('');",
     "Named12"},
    {"extending Error",
     "class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; } }\n"
     "const e = new MyErr('boom');\nresult = [e instanceof MyErr, e instanceof Error, e.message, e.name].join();",
     "true,true,boom,MyErr"},
    {"destructuring with defaults",
     "const { a = 1, b: { c = 2 } = {}, ...rest } = { d: 4, e: 5 };\n"
     "const [x, , y = 3, ...zs] = [1, 2, undefined, 4, 5];\n"
     "let p, q; [p, q] = [q, p] = [1, 2];\n"
     "function f({ u = 'u', v } = {}, [w] = ['w']) { return u + v + w; }\n"
     "result = [a, c, JSON.stringify(rest), x, y, zs.join(''), p, q, f({ v: 'v' })].join(',');",
     "1,2,{\"d\":4,\"e\":5},1,3,45,1,2,uvw"},
    {"destructuring iterables",
     "const [a, b] = new Set([1, 2]);\nconst [[k, v]] = new Map([['k', 'v']]);\n"
     "const [c1, ...cs] = 'h\\u00e9llo';\nresult = [a, b, k, v, c1, cs.length].join();",
     "1,2,k,v,h,4"},
    {"default and rest parameters",
     "function f(a, b = a + 1, ...r) { return a + b + r.length; }\n"
     "const g = (x = 10, ...ys) => x + ys.length;\nresult = [f(1), f(1, 5, 7, 8), g(), g(1, 2, 3), f.length].join();",
     "3,8,10,3,1"},
    {"spread in calls, arrays and objects",
     "const a = [1, 2]; const o = { x: 1 };\nfunction s(...n) { return n.length; }\n"
     "result = [s(...a, 3, ...a), [...a, ...'hi'].join(''), JSON.stringify({ ...o, y: 2, ...{ x: 3 } }),\n"
     "  Math.max(...a), new Array(...[3]).length, [...new Set([1, 1, 2])].length].join(';');",
     "5;12hi;{\"x\":3,\"y\":2};2;3;2"},
    {"for-of over arrays, strings, Map, Set, iterables, generators",
     "let out = [];\nfor (const x of [1, 2]) out.push(x);\nfor (const ch of 'ab') out.push(ch);\n"
     "for (const [k, v] of new Map([['k', 1]])) out.push(k + v);\nfor (const s of new Set([3, 3, 4])) out.push(s);\n"
     "let closed = false;\n"
     "const it = { [Symbol.iterator]() { let i = 0; return { next: () => ({ value: i++, done: i > 5 }),\n"
     "  return() { closed = true; return {}; } }; } };\n"
     "for (const n of it) { if (n == 2) break; out.push(n); }\n"
     "function* g() { yield 'g1'; yield 'g2'; }\nfor (const v of g()) out.push(v);\n"
     "const arr = [1, 2]; for (const x of arr) { if (arr.length < 4) arr.push(9); }\n"
     "result = out.join(',') + ';' + closed + ';' + arr.length;",
     "1,2,a,b,k1,3,4,0,1,g1,g2;true;4"},
    {"computed and shorthand members, method shorthand, getters/setters",
     "const k = 'dyn'; const v = 1;\n"
     "const o = { v, [k + 1]: 2, ['x']() { return 3; }, get g() { return this.v + 10; }, set g(n) { this.v = n; } };\n"
     "o.g = 5;\nresult = [o.v, o.dyn1, o.x(), o.g].join();",
     "5,2,3,15"},
    {"exponent operator", "let p = 2 ** 10; p **= 2; result = String(p + (-2) ** 3);", "1048568"},
    {"optional chaining and nullish coalescing",
     "const o = { a: { b: null, f() { return this.b ?? 5; } } };\n"
     "result = [o?.a?.b ?? 'd', o.x?.y, o.a.f?.(), o.g?.(), 0 ?? 1, null ?? 1, o.a?.['f']()].join();",
     "d,,5,,0,1,5"},
    {"logical assignment", "let a = null; a ?\?= 5; let b = 1; b &&= 2; let c = 0; c ||= 3;\nresult = [a, b, c].join();",
     "5,2,3"},
    {"optional catch binding", "let r;\ntry { throw 1; } catch { r = 'caught'; }\nresult = r;", "caught"},
    {"labelled loops with block-scoped closures",
     "const fs = [];\nouter: for (let i = 0; i < 3; i++) {\n  for (let j = 0; j < 3; j++) {\n"
     "    if (j === 2) continue outer;\n    if (i === 2) break outer;\n    fs.push(() => i * 10 + j);\n  }\n}\n"
     "lbl: for (const x of [1, 2, 3]) { for (const y of [1]) { if (x === 2) continue lbl; fs.push(() => x); } }\n"
     "result = fs.map(f => f()).join(',');",
     "0,1,10,11,1,3"},
    {"return inside a loop body with closures",
     "function find(xs) { for (let i = 0; i < xs.length; i++) { const f = () => i; if (xs[i] > 1) return f() * 100; } return -1; }\n"
     "result = String(find([0, 1, 5]));",
     "200"},
    {"generators",
     "const log = [];\n"
     "function* g() { const x = yield 1; try { yield x * 2; } finally { log.push('fin'); } return 9; }\n"
     "const it = g(); log.push(it.next().value); log.push(it.next(5).value);\n"
     "log.push(JSON.stringify(it.return(7)));\n"
     "function* inner() { const r = yield 'i'; return r; }\n"
     "function* outer() { const got = yield* inner(); yield got; }\n"
     "const o = outer(); o.next(); log.push(o.next('R').value);\n"
     "function* thrower() { try { yield 1; } catch (e) { yield 'caught ' + e; } }\n"
     "const t = thrower(); t.next(); log.push(t.throw('E').value);\n"
     "function* fib() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }\n"
     "const fs = []; for (const f of fib()) { if (f > 20) break; fs.push(f); } log.push(fs.join(' '));\n"
     "result = log.join(',');",
     "1,10,fin,{\"value\":7,\"done\":true},R,caught E,0 1 1 2 3 5 8 13"},
    {"async/await",
     "const delay = (v) => new Promise(r => r(v));\n"
     "async function f() {\n  const a = await delay(1);\n  const b = await Promise.all([delay(2), 3]);\n"
     "  try { await Promise.reject(new Error('x')); } catch (e) { return a + b[0] + b[1] + e.message; }\n}\n"
     "class S { async m() { return (await f()) + '!'; } }\nconst arrow = async () => new S().m();\n"
     "result = 'pending';\narrow().then(v => { result = v; });",
     "6x!"},
    {"async generators and for await",
     "async function* ag() { yield 1; yield await Promise.resolve(2); }\n"
     "result = 'pending';\n(async () => { let s = 0; for await (const v of ag()) s += v; result = String(s); })();",
     "3"},
    {"top-level return",
     "result = hoisted();\nif (result === 'h') return;\nresult = 'not reached';\nfunction hoisted() { return 'h'; }",
     "h"},
    {"top-level return with value and loops",
     "var n = 0;\nfor (const x of [1, 2, 3]) { n += x; if (x === 2) return n; }\nresult = 'no';", NULL},
    {"unicode and numeric literals",
     "const s = '\xf0\x9f\x98\x80';\nresult = [s.length, [...s].length, 1_000 + 0b11 + 0o7, '\\u{1F600}' === s, 'caf\xc3\xa9'.length].join();",
     "2,1,1010,true,4"},
    {"new.target and super in object literals",
     "var seen = [];\nfunction F() { seen.push(new.target === F); }\n"
     "const base = { hi() { return 'hi'; } };\nconst o = { hi() { return super.hi() + '!'; } };\nObject.setPrototypeOf(o, base);\n"
     "new F(); F();\nresult = [seen[0], seen[1], o.hi()].join();",
     "true,false,hi!"},
    {"assignment to const throws",
     "const k = 1; let msgs = [];\n"
     "try { k = 2; } catch (e) { msgs.push(e instanceof TypeError); }\n"
     "try { k++; } catch (e) { msgs.push(e instanceof TypeError); }\n"
     "{ let k = 5; k = 6; msgs.push(k); }\n"
     "function f() { const c = []; c.push(1); return c.length; }\n"
     "result = msgs.concat(k, f()).join();",
     "true,true,6,1,1"},
    {"regex literals become __cw_regexp calls, evaluated only when run",
     "let r = 'skipped';\nif (false) { r = /(?<y>\\d{4})/u.exec('2024').groups.y; }\nresult = r + /a.c/.test('abc');",
     "skippedtrue"},
};

#define NFEATURES (sizeof features / sizeof features[0])

/* Does lowered code still contain ES2015+ syntax Duktape would accept but
 * mis-handle (`const` parses as `var`) or obviously reject? */
static int looks_es5(const char *code)
{
    static const char *bad[] = {"const ", "let ", "=>", "class ", "`", "...", "async ", "await ", "function*", "yield"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(code, bad[i]))
            return 0;
    return 1;
}

static void test_features(void)
{
    for (int mode = 0; mode < 3; mode++) {
        for (size_t i = 0; i < NFEATURES; i++) {
            const struct feature_case *fc = &features[i];
            cw_lower_out_t *lo;
            unsigned flags = mode == MODE_INLINE ? CW_LOWER_INLINE_HELPERS : 0;
            int rc = cw_lower(fc->src, strlen(fc->src), flags, &lo);
            check(rc == CW_LOWER_OK, "[%s] %s: lower rc=%d: %s", mode_name[mode], fc->name, rc,
                  rc ? cw_lower_error(lo, NULL, NULL) : "");
            if (rc != CW_LOWER_OK) {
                cw_lower_free(lo);
                continue;
            }
            const char *code = cw_lower_code(lo, NULL);
            check(mode == MODE_INLINE || looks_es5(code), "[%s] %s: output is not ES5:\n%s", mode_name[mode], fc->name, code);
            duk_context *ctx = host_new();
            struct run_result rr;
            host_run(ctx, lo, (enum helper_mode)mode, &rr);
            check(rr.ok, "[%s] %s: run failed: %s (lowered line %d)\n%s", mode_name[mode], fc->name, rr.err,
                  rr.err_line, code);
            if (rr.ok && fc->expect) {
                duk_get_global_string(ctx, "result");
                const char *got = duk_safe_to_string(ctx, -1);
                check(strcmp(got, fc->expect) == 0, "[%s] %s: result '%s', expected '%s'", mode_name[mode],
                      fc->name, got, fc->expect);
                duk_pop(ctx);
            } else if (rr.ok) { /* top-level return with a loop: result must stay unset */
                duk_get_global_string(ctx, "n");
                check(duk_get_int(ctx, -1) == 3, "[%s] %s: n=%d", mode_name[mode], fc->name, duk_get_int(ctx, -1));
                duk_pop(ctx);
                duk_get_global_string(ctx, "result");
                check(duk_is_undefined(ctx, -1), "[%s] %s: code after top-level return ran", mode_name[mode], fc->name);
                duk_pop(ctx);
            }
            duk_destroy_heap(ctx);
            cw_lower_free(lo);
        }
    }
}

/* Helper delivery cost on helper-heavy code (the feature snippets): compile
 * of the lowered code plus chunk install, versus compile of inline output.
 * Informational; printed, not checked. */
static void measure_helper_modes(void)
{
    double ext = 0, inl = 0, inst = 0;
    size_t bytes_ext = 0, bytes_inl = 0;
    int runs = 20;
    for (size_t i = 0; i < NFEATURES; i++) {
        cw_lower_out_t *lo, *li;
        cw_lower(features[i].src, strlen(features[i].src), 0, &lo);
        cw_lower(features[i].src, strlen(features[i].src), CW_LOWER_INLINE_HELPERS, &li);
        size_t n1, n2;
        const char *c1 = cw_lower_code(lo, &n1), *c2 = cw_lower_code(li, &n2);
        bytes_ext += n1;
        bytes_inl += n2;
        duk_context *ctx = duk_create_heap_default();
        for (int r = 0; r < runs; r++) {
            if (cw_lower_needs(lo) & CW_LOWER_NEEDS_HELPERS) {
                duk_context *fresh = duk_create_heap_default();
                double a = now_us();
                install_chunks(fresh, lo);
                inst += now_us() - a;
                duk_destroy_heap(fresh);
            }
            double t1 = now_us();
            duk_push_lstring(ctx, c1, n1);
            duk_push_string(ctx, "job");
            duk_pcompile(ctx, 0);
            duk_pop(ctx);
            double t2 = now_us();
            duk_push_lstring(ctx, c2, n2);
            duk_push_string(ctx, "job");
            duk_pcompile(ctx, 0);
            duk_pop(ctx);
            double t3 = now_us();
            ext += t2 - t1;
            inl += t3 - t2;
        }
        duk_destroy_heap(ctx);
        cw_lower_free(lo);
        cw_lower_free(li);
    }
    double n = (double)(NFEATURES * (size_t)runs);
    printf("feature snippets (%zu): mean lowered bytes %zu (default) vs %zu (inline); mean Duktape us: "
           "compile %.0f + chunks %.0f = %.0f (default) vs compile %.0f (inline)\n",
           NFEATURES, bytes_ext / NFEATURES, bytes_inl / NFEATURES, ext / n, inst / n, (ext + inst) / n, inl / n);
}

/* -------------------------------------------------------- syntax errors */

struct syntax_case {
    const char *src;
    unsigned line, col;
    const char *msg_part; /* substring expected in the message, or NULL */
};

static const struct syntax_case syntax_cases[] = {
    {"let x = 1;\nlet y = ;\n", 2, 9, NULL},
    {"const a = 1;\n\nfunction f() {\n  return a +;\n}\n", 4, 13, NULL},
    {"var s = 'unterminated\nvar t = 1;\n", 1, 9, NULL},
    {"// caf\xc3\xa9 \xf0\x9f\x98\x80\nconst \xc3\xa9t\xc3\xa9 = 'x\xf0\x9f\x98\x80'; let let = 1;\n", 2, 23, NULL},
    {"const o = {\n  a = 1\n};\n", 2, 3, NULL},
    {"function f() {\n  yield 1;\n  await x;\n}\n", 2, 9, NULL},
    {"ok();\n\xff\xfe\n", 2, 1, "UTF-8"},
    {"import x from 'y';\n", 1, 1, NULL},
    {"for (const x of [1]) {\n", 2, 1, NULL},
};

static void test_syntax_errors(void)
{
    for (size_t i = 0; i < sizeof syntax_cases / sizeof syntax_cases[0]; i++) {
        const struct syntax_case *sc = &syntax_cases[i];
        cw_lower_out_t *lo;
        int rc = cw_lower(sc->src, strlen(sc->src), 0, &lo);
        unsigned line = 0, col = 0;
        const char *msg = cw_lower_error(lo, &line, &col);
        check(rc == CW_LOWER_SYNTAX, "syntax case %zu: rc=%d", i, rc);
        check(msg && *msg, "syntax case %zu: no message", i);
        check(line == sc->line && col == sc->col, "syntax case %zu: at %u:%u, expected %u:%u (%s)", i, line, col,
              sc->line, sc->col, msg ? msg : "");
        if (sc->msg_part)
            check(msg && strstr(msg, sc->msg_part), "syntax case %zu: message '%s' lacks '%s'", i, msg ? msg : "",
                  sc->msg_part);
        cw_lower_free(lo);
    }

    /* Pathological nesting is a clean syntax error, not a crash. */
    const char *shapes[][2] = {{"[", "]"}, {"(", ")"}, {"{a:", "}"}, {"if(1){", "}"}, {"x=>", ""}, {"!", ""}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t depth = 100000, o = strlen(shapes[s][0]), c = strlen(shapes[s][1]);
        char *src = malloc(depth * (o + c) + 16);
        size_t n = 0;
        n += (size_t)sprintf(src, "x=");
        for (size_t i = 0; i < depth; i++, n += o)
            memcpy(src + n, shapes[s][0], o);
        src[n++] = '1';
        for (size_t i = 0; i < depth; i++, n += c)
            memcpy(src + n, shapes[s][1], c);
        src[n] = 0;
        cw_lower_out_t *lo;
        int rc = cw_lower(src, n, 0, &lo);
        check(rc == CW_LOWER_SYNTAX, "deep nesting '%s': rc=%d (%s)", shapes[s][0], rc, cw_lower_error(lo, NULL, NULL));
        cw_lower_free(lo);
        free(src);
    }
    /* A long but flat expression is fine. */
    {
        size_t terms = 20000;
        char *src = malloc(terms * 4 + 32);
        size_t n = (size_t)sprintf(src, "result = 0");
        for (size_t i = 0; i < terms; i++)
            n += (size_t)sprintf(src + n, "+1");
        cw_lower_out_t *lo;
        int rc = cw_lower(src, n, 0, &lo);
        /* 20000 left-nested binary nodes exceed the nesting limit; either a
         * clean syntax error or success is acceptable, never a crash. */
        check(rc == CW_LOWER_OK || rc == CW_LOWER_SYNTAX, "long expression: rc=%d", rc);
        cw_lower_free(lo);
        free(src);
    }

    cw_lower_out_t *lo = (cw_lower_out_t *)1;
    check(cw_lower(NULL, 5, 0, &lo) == CW_LOWER_BADARG && lo == NULL, "NULL src with len must be BADARG");
    check(cw_lower("x", 1, 0, NULL) == CW_LOWER_BADARG, "NULL out must be BADARG");
    check(cw_lower(NULL, 0, 0, &lo) == CW_LOWER_OK, "empty source lowers");
    cw_lower_free(lo);
}

/* ---------------------------------------------------- runtime line map */

struct map_case {
    const char *src;
    unsigned line; /* original line of the throw */
};

static const struct map_case map_cases[] = {
    {"const a = [1, 2, 3];\nclass K {\n  m() { return this.x.y; }\n}\nconst z = [...a].map((v) => v * 2);\n"
     "for (const q of a) { }\nnew K().m();\n",
     3},
    {"const fs = [];\nfor (let i = 0; i < 3; i++) {\n  fs.push(() => {\n    if (i === 2) {\n"
     "      throw new Error(`boom ${i}`);\n    }\n  });\n}\nfs.forEach((f) => f());\n",
     5},
    {"function* g() {\n  yield 1;\n  const { a: { b } } = { a: null };\n}\nfor (const x of g()) {}\n", 3},
    {"const o = { a: 1 };\nconst { a, ...rest } = o;\nlet s = `${a}`;\n\n\n\nnull.boom;\n", 7},
    {"async function f() {\n  await null;\n  undefinedFunction();\n}\nf();\n", 3},
};

static void test_line_map(void)
{
    for (size_t i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++) {
        cw_lower_out_t *lo;
        int rc = cw_lower(map_cases[i].src, strlen(map_cases[i].src), 0, &lo);
        check(rc == CW_LOWER_OK, "map case %zu: lower rc=%d", i, rc);
        if (rc != CW_LOWER_OK) {
            cw_lower_free(lo);
            continue;
        }
        duk_context *ctx = host_new();
        struct run_result rr;
        host_run(ctx, lo, MODE_RUNTIME, &rr);
        unsigned ol = 0, oc = 0;
        if (rr.ok) {
            /* async case: the error ends up in a rejected promise; rerun to
             * capture the rejection reason's line via a then() handler. */
            duk_destroy_heap(ctx);
            ctx = host_new();
            size_t n;
            const char *code = cw_lower_code(lo, &n);
            install_runtime(ctx);
            duk_push_lstring(ctx, code, n);
            duk_push_string(ctx, "job");
            duk_pcompile(ctx, 0);
            duk_pcall(ctx, 0);
            duk_pop(ctx);
            duk_peval_string(ctx, "f().then(null, function (e) { __err_line = e.lineNumber; }); __cw_drain();");
            duk_pop(ctx);
            duk_get_global_string(ctx, "__err_line");
            rr.err_line = duk_get_int_default(ctx, -1, 0);
            duk_pop(ctx);
        }
        int mrc = cw_lower_map(lo, (unsigned)rr.err_line, 0, &ol, &oc);
        check(rr.err_line > 0 && mrc == 0 && ol == map_cases[i].line,
              "map case %zu: lowered line %d -> original %u (rc %d), expected %u (%s)\n%s", i, rr.err_line, ol, mrc,
              map_cases[i].line, rr.err, cw_lower_code(lo, NULL));
        duk_destroy_heap(ctx);
        cw_lower_free(lo);
    }

    /* Identity-ish: every line of an ES5 script maps to itself. */
    const char *es5 = "var a = 1;\nvar b = a + 1;\nfunction f(x) {\n  return x * 2;\n}\nvar c = f(b);\n";
    cw_lower_out_t *lo;
    cw_lower(es5, strlen(es5), 0, &lo);
    unsigned ol, oc;
    check(cw_lower_map(lo, 2, 0, &ol, &oc) == 0 && ol == 2 && oc == 1, "identity map line 2 -> %u:%u", ol, oc);
    check(cw_lower_map(lo, 4, 0, &ol, &oc) == 0 && ol == 4, "identity map line 4 -> %u", ol);
    check(cw_lower_map(lo, 0, 0, &ol, &oc) == -1, "line 0 has no mapping");
    cw_lower_free(lo);
    cw_lower(es5, strlen(es5), CW_LOWER_NO_MAP, &lo);
    check(cw_lower_map(lo, 2, 0, &ol, &oc) == -1, "NO_MAP disables the map");
    cw_lower_free(lo);
}

/* --------------------------------------------------------- runtime file */

static void test_runtime(void)
{
    duk_context *ctx = host_new();
    check(install_runtime(ctx) == 0, "runtime installs");
    duk_peval_string(ctx, "typeof __cw_h._class_call_check === 'function' && Object.isFrozen(__cw_h) && "
                          "Object.keys(this).indexOf('__cw_h') < 0 && (function(){ __cw_h = 1; return typeof __cw_h; })() === 'object'");
    check(duk_get_boolean(ctx, -1), "runtime defines a frozen, hidden, read-only __cw_h");
    duk_pop(ctx);
    duk_destroy_heap(ctx);

    /* Every chunk compiles on its own. */
    ctx = host_new();
    for (unsigned id = 0; id < cw_lower_runtime_helper_count(); id++) {
        const char *name;
        size_t n;
        const char *src = cw_lower_runtime_helper(id, &name, &n);
        duk_push_lstring(ctx, src, n);
        duk_push_string(ctx, name);
        int rc = duk_pcompile(ctx, DUK_COMPILE_FUNCTION);
        check(rc == 0, "helper chunk %s compiles: %s", name, rc ? duk_safe_to_string(ctx, -1) : "");
        duk_pop(ctx);
    }
    check(cw_lower_runtime_helper(99999, NULL, NULL) == NULL, "out-of-range helper id");
    duk_destroy_heap(ctx);
    check(strstr(cw_lower_version(), "swc") != NULL, "version names swc");
}

/* --------------------------------------------------------------- corpus */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static double time_lower(const char *code, size_t len, unsigned flags)
{
    double best[5];
    cw_lower_out_t *warm;
    cw_lower(code, len, flags, &warm); /* same input just before: fair across modes */
    cw_lower_free(warm);
    for (int r = 0; r < 5; r++) {
        cw_lower_out_t *lo;
        double t0 = now_us();
        cw_lower(code, len, flags, &lo);
        best[r] = now_us() - t0;
        cw_lower_free(lo);
    }
    qsort(best, 5, sizeof best[0], cmp_double);
    return best[2];
}

struct miss {
    char what[96];
    int count;
};

static void record_miss(struct miss *m, int *nm, const char *err)
{
    char key[96];
    const char *p = strstr(err, "(property '");
    if (p) {
        const char *q = strchr(p + 11, '\'');
        snprintf(key, sizeof key, "property %.*s", (int)(q ? q - (p + 11) : 20), p + 11);
    } else if ((p = strstr(err, "identifier '"))) {
        const char *q = strchr(p + 12, '\'');
        snprintf(key, sizeof key, "identifier %.*s", (int)(q ? q - (p + 12) : 20), p + 12);
    } else {
        snprintf(key, sizeof key, "%.90s", err);
    }
    for (int i = 0; i < *nm; i++)
        if (strcmp(m[i].what, key) == 0) {
            m[i].count++;
            return;
        }
    if (*nm < 256) {
        snprintf(m[*nm].what, sizeof m[*nm].what, "%s", key);
        m[(*nm)++].count = 1;
    }
}

static void run_corpus(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        g_fail++;
        return;
    }
    size_t cap = 4096, njobs = 0, lowered = 0, ran_ok[3] = {0};
    double *t_ext = malloc(cap * sizeof(double)), *t_inl = malloc(cap * sizeof(double)),
           *t_nomap = malloc(cap * sizeof(double));
    double c_ext = 0, c_inl = 0, i_chunks = 0, i_rt = 0, bytes_src = 0, bytes_ext = 0, bytes_inl = 0;
    double h_c_ext = 0, h_c_inl = 0, h_chunks = 0, h_rt = 0;
    size_t with_helpers = 0;
    struct miss misses[256];
    int nmiss = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *job = cJSON_Parse(line);
        if (!job)
            continue;
        const cJSON *jcode = cJSON_GetObjectItemCaseSensitive(job, "code");
        const cJSON *jid = cJSON_GetObjectItemCaseSensitive(job, "jobId");
        const cJSON *jin = cJSON_GetObjectItemCaseSensitive(job, "inputData");
        if (!cJSON_IsString(jcode)) {
            cJSON_Delete(job);
            continue;
        }
        const char *code = jcode->valuestring;
        size_t clen = strlen(code);
        if (njobs == cap) {
            cap *= 2;
            t_ext = realloc(t_ext, cap * sizeof(double));
            t_inl = realloc(t_inl, cap * sizeof(double));
            t_nomap = realloc(t_nomap, cap * sizeof(double));
        }
        t_ext[njobs] = time_lower(code, clen, 0);
        t_inl[njobs] = time_lower(code, clen, CW_LOWER_INLINE_HELPERS);
        t_nomap[njobs] = time_lower(code, clen, CW_LOWER_NO_MAP);
        njobs++;
        bytes_src += (double)clen;

        cw_lower_out_t *lo, *li;
        int rc = cw_lower(code, clen, 0, &lo);
        cw_lower(code, clen, CW_LOWER_INLINE_HELPERS, &li);
        if (rc != CW_LOWER_OK) {
            unsigned l, c;
            const char *m = cw_lower_error(lo, &l, &c);
            printf("  %s: lowering failed (%d): %s at %u:%u\n", jid ? jid->valuestring : "?", rc, m, l, c);
        } else {
            lowered++;
            size_t n1, n2;
            cw_lower_code(lo, &n1);
            cw_lower_code(li, &n2);
            bytes_ext += (double)n1;
            bytes_inl += (double)n2;
            /* input: inputData is a JSON string or a JSON value */
            char *input_json = NULL;
            if (cJSON_IsString(jin))
                input_json = strdup(jin->valuestring);
            else if (jin)
                input_json = cJSON_PrintUnformatted(jin);
            int needs_h = (cw_lower_needs(lo) & CW_LOWER_NEEDS_HELPERS) != 0;
            with_helpers += (size_t)needs_h;
            const cw_lower_out_t *which[3] = {lo, lo, li};
            for (int mode = 0; mode < 3; mode++) {
                duk_context *ctx = host_new();
                duk_push_string(ctx, input_json ? input_json : "null");
                duk_json_decode(ctx, -1);
                duk_put_global_string(ctx, "input");
                struct run_result rr;
                host_run(ctx, which[mode], (enum helper_mode)mode, &rr);
                if (mode == MODE_RUNTIME) {
                    i_rt += rr.install_us;
                    if (needs_h)
                        h_rt += rr.install_us;
                }
                if (mode == MODE_CHUNKS) {
                    i_chunks += rr.install_us;
                    c_ext += rr.compile_us;
                    if (needs_h) {
                        h_chunks += rr.install_us;
                        h_c_ext += rr.compile_us;
                    }
                }
                if (mode == MODE_INLINE) {
                    c_inl += rr.compile_us;
                    if (needs_h)
                        h_c_inl += rr.compile_us;
                }
                int ok = 0;
                if (rr.ok) {
                    duk_get_global_string(ctx, "output");
                    ok = duk_is_string(ctx, -1) && strcmp(duk_get_string(ctx, -1), "ok") == 0;
                    duk_pop(ctx);
                }
                if (ok)
                    ran_ok[mode]++;
                else if (mode == MODE_CHUNKS) {
                    record_miss(misses, &nmiss, rr.ok ? "output is not \"ok\"" : rr.err);
                    if (getenv("CW_LOWER_VERBOSE"))
                        printf("  %s: %s\n", jid ? jid->valuestring : "?", rr.ok ? "wrong output" : rr.err);
                }
                duk_destroy_heap(ctx);
            }
            free(input_json);
        }
        cw_lower_free(lo);
        cw_lower_free(li);
        cJSON_Delete(job);
    }
    qsort(t_ext, njobs, sizeof(double), cmp_double);
    qsort(t_inl, njobs, sizeof(double), cmp_double);
    qsort(t_nomap, njobs, sizeof(double), cmp_double);
    printf("corpus %s: %zu jobs, %zu lowered, ran to \"ok\": %zu (runtime) %zu (chunks) %zu (inline)\n", path, njobs,
           lowered, ran_ok[0], ran_ok[1], ran_ok[2]);
    printf("  lowering us/job: default median %.0f p99 %.0f | inline median %.0f p99 %.0f | no-map median %.0f p99 %.0f\n",
           pct(t_ext, njobs, 0.5), pct(t_ext, njobs, 0.99), pct(t_inl, njobs, 0.5), pct(t_inl, njobs, 0.99),
           pct(t_nomap, njobs, 0.5), pct(t_nomap, njobs, 0.99));
    if (lowered) {
        printf("  mean bytes/job: source %.0f, lowered %.0f, lowered+inline helpers %.0f\n", bytes_src / (double)njobs,
               bytes_ext / (double)lowered, bytes_inl / (double)lowered);
        printf("  mean Duktape us/job: compile lowered %.0f + install needed chunks %.0f (whole runtime: %.0f) | "
               "compile inline %.0f\n",
               c_ext / (double)lowered, i_chunks / (double)lowered, i_rt / (double)lowered, c_inl / (double)lowered);
    }
    if (with_helpers)
        printf("  %zu jobs need helpers; for those, mean Duktape us/job: compile %.0f + chunks %.0f "
               "(or whole runtime from bytecode %.0f) | compile inline %.0f\n",
               with_helpers, h_c_ext / (double)with_helpers, h_chunks / (double)with_helpers,
               h_rt / (double)with_helpers, h_c_inl / (double)with_helpers);
    for (int i = 0; i < nmiss; i++)
        printf("  not ok (chunks mode): %3d x %s\n", misses[i].count, misses[i].what);
    free(t_ext);
    free(t_inl);
    free(t_nomap);
    free(text);
}

int main(int argc, char **argv)
{
    const char *poly = NULL;
    int first_corpus = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--polyfill") == 0 && i + 1 < argc)
            poly = argv[++i];
        else if (strcmp(argv[i], "--corpus") == 0) {
            first_corpus = i + 1;
            break;
        }
    }
    if (!poly) {
        fprintf(stderr, "usage: test_lower --polyfill test/polyfill_min.js [--corpus FILE.jsonl ...]\n");
        return 2;
    }
    g_polyfill = read_file(poly, NULL);
    if (!g_polyfill) {
        fprintf(stderr, "cannot read %s\n", poly);
        return 2;
    }
    printf("%s\n", cw_lower_version());
    test_runtime();
    test_features();
    measure_helper_modes();
    test_syntax_errors();
    test_line_map();
    for (int i = first_corpus; i < argc; i++)
        run_corpus(argv[i]);
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
