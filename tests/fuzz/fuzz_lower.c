/*
 * fuzz_lower.c -- libFuzzer target: lowering modern JavaScript to ES5.
 *
 * cw_lower() (worker/lower/, Rust on swc, C interface in cw_lower.h) runs
 * inside executors on every job's source, so it must never crash, hang or
 * leak, and what it returns must be usable.  For each input this target
 * checks:
 *   - the return code is OK, SYNTAX or (never expected) INTERNAL, which is a
 *     caught panic and counts as a finding;
 *   - invalid UTF-8 is a SYNTAX error; a SYNTAX error has a message and a
 *     line inside the source;
 *   - on OK: the output is NUL-terminated, valid UTF-8, lowering the same
 *     source again gives the same bytes (lowered code is cached by source
 *     hash), the needs bits and helper ids are in range, mapped positions
 *     fall inside the source, and Duktape compiles the output as a program.
 *     When it does not, Node (`node --check`, run only for those rare
 *     inputs) judges the source: if Node rejects it too, the lowering let an
 *     invalid program through (swc skips some early errors; Duktape then
 *     reports the SYNTAX_ERROR), which is counted, not failed; if Node
 *     accepts it, the lowering broke a valid program: a finding.  Errors
 *     from what Duktape itself lacks (regular expression syntax, BigInt
 *     literals, compiler limits) are tolerated and counted.  Without Node
 *     on PATH such inputs are only counted.
 * Flags (helpers inline or not, position map or not) come from a hash of the
 * input so one corpus covers all modes.
 *
 * Only the harness and Duktape are coverage-instrumented unless the library
 * was built with sanitizer coverage (see build.sh, CW_FUZZ_LOWER_SANCOV).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cw_lower.h"
#include "duktape.h"
#include "fuzz_check.h"

/* Engine hooks named in worker/duktape/duk_config.h, normally provided by
 * the sandbox; compiling never needs a deadline or random numbers. */
int cw_sandbox_timeout_check(void *udata) {
    (void)udata;
    return 0;
}
double cw_sandbox_random_double(void *udata) {
    (void)udata;
    return 0.5;
}

int cw_date_tzoffset(double t, double local, int resolving) {
    (void)t, (void)local, (void)resolving;
    return 0;
}

#define KNOWN_NEEDS 0x1ffu

static duk_context *g_duk;
static size_t g_helpers;
static unsigned long g_tolerated, g_invalid_accepted, g_unjudged;
static int g_verbose;
static int g_report_only; /* CW_FUZZ_LOWER_REPORT_ONLY: survey, never fail on a compile error */

static void on_duk_fatal(void *udata, const char *msg) {
    (void)udata;
    cwf_fail("duktape fatal error: %s", msg ? msg : "");
}

static duk_ret_t compile_unsafe(duk_context *ctx, void *udata) {
    (void)udata;
    size_t n;
    const char *src = duk_require_lstring(ctx, -1, &n);
    duk_push_string(ctx, "lowered.js");
    duk_compile_lstring_filename(ctx, 0, src, n);
    return 1;
}

/* 0 if Duktape compiles `code` as a program; else the error text in *msg. */
static int duk_compiles(const char *code, size_t n, char *msg, size_t msgsz) {
    duk_push_lstring(g_duk, code, n);
    int rc = duk_safe_call(g_duk, compile_unsafe, NULL, 1, 1);
    if (rc != DUK_EXEC_SUCCESS)
        snprintf(msg, msgsz, "%s", duk_safe_to_string(g_duk, -1));
    duk_pop(g_duk);
    return rc == DUK_EXEC_SUCCESS ? 0 : -1;
}

/* A BigInt literal (digits then 'n'), which no lowering to ES5 can keep. */
static int has_bigint_literal(const char *code, size_t n) {
    for (size_t i = 1; i < n; i++) {
        if (code[i] != 'n' || !((code[i - 1] >= '0' && code[i - 1] <= '9') ||
                                (code[i - 1] >= 'a' && code[i - 1] <= 'f') ||
                                (code[i - 1] >= 'A' && code[i - 1] <= 'F')))
            continue;
        char next = i + 1 < n ? code[i + 1] : ' ';
        if (!((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
              (next >= '0' && next <= '9') || next == '_' || next == '$'))
            return 1;
    }
    return 0;
}

/* Errors that come from Duktape's own gaps, not from the lowering. */
static int duk_gap(const char *msg, const char *code, size_t n) {
    static const char *const gaps[] = {
        "regexp", "quantifier", "invalid range", "backreference", "closing paren",
        "end of pattern", "invalid escape", "character class", "limit", "too many",
        "out of regs", "out of consts", "recursion", "alloc failed", "too deep", NULL};
    for (size_t i = 0; gaps[i]; i++)
        if (strstr(msg, gaps[i]))
            return 1;
    return strstr(msg, "invalid number literal") && has_bigint_literal(code, n);
}

/* Does Node accept `src` as a CommonJS script?  1 yes, 0 no, -1 cannot tell. */
static int node_accepts(const char *src, size_t n) {
    static int no_node;
    if (no_node)
        return -1;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/cw-fuzz-lower-XXXXXX.cjs", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return -1;
    int ok = write(fd, src, n) == (ssize_t)n;
    close(fd);
    int verdict = -1;
    if (ok) {
        const char *node = getenv("CW_FUZZ_NODE") ? getenv("CW_FUZZ_NODE") : "node";
        char *argv[] = {(char *)node, "--check", path, NULL};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        extern char **environ;
        pid_t pid;
        int status = 0;
        if (posix_spawnp(&pid, node, &fa, NULL, argv, environ) == 0) {
            pid_t w;
            while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
                ; /* libFuzzer's timeout timer interrupts waits */
            if (w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 127)
                no_node = 1;
            else if (w == pid && WIFEXITED(status))
                verdict = WEXITSTATUS(status) == 0;
        } else {
            no_node = 1;
        }
        posix_spawn_file_actions_destroy(&fa);
    }
    unlink(path);
    return verdict;
}

static void print_counts(void) {
    if (g_tolerated || g_invalid_accepted || g_unjudged)
        fprintf(stderr,
                "fuzz_lower: lowered code Duktape rejected: %lu for Duktape's own gaps, %lu from "
                "sources Node rejects too, %lu not judged (no node)\n",
                g_tolerated, g_invalid_accepted, g_unjudged);
}

/* An upper bound of the line count: every JavaScript line terminator
 * (LF, CR, U+2028, U+2029) is counted, CR LF twice. */
static unsigned count_lines(const char *s, size_t n) {
    unsigned lines = 1;
    for (size_t i = 0; i < n; i++) {
        lines += s[i] == '\n' || s[i] == '\r';
        lines += i + 2 < n && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9);
    }
    return lines;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    g_verbose = getenv("CW_FUZZ_VERBOSE") != NULL;
    g_report_only = getenv("CW_FUZZ_LOWER_REPORT_ONLY") != NULL;
    atexit(print_counts);
    g_duk = duk_create_heap(NULL, NULL, NULL, NULL, on_duk_fatal);
    CWF_CHECK(g_duk != NULL, "cannot create a Duktape heap");
    /* The helper runtime itself must be ES5 that Duktape compiles. */
    char msg[512];
    size_t n;
    const char *rt = cw_lower_runtime(&n);
    CWF_CHECK(rt != NULL, "cw_lower_runtime() is NULL");
    CWF_CHECK(duk_compiles(rt, n, msg, sizeof(msg)) == 0, "helper runtime does not compile: %s",
              msg);
    g_helpers = cw_lower_runtime_helper_count();
    for (unsigned id = 0; id < g_helpers; id++) {
        const char *name = NULL;
        const char *h = cw_lower_runtime_helper((unsigned)id, &name, &n);
        CWF_CHECK(h != NULL && name != NULL, "helper %u missing", id);
        char *expr = malloc(n + 3);
        CWF_CHECK(expr != NULL, "out of memory in the harness");
        expr[0] = '(';
        memcpy(expr + 1, h, n);
        expr[n + 1] = ')';
        expr[n + 2] = '\0';
        CWF_CHECK(duk_compiles(expr, n + 2, msg, sizeof(msg)) == 0,
                  "helper %s does not compile: %s", name, msg);
        free(expr);
    }
    CWF_CHECK(cw_lower_runtime_helper((unsigned)g_helpers, NULL, &n) == NULL,
              "helper id past the end is not NULL");
    return 0;
}

static void check_ok(const char *src, size_t size, unsigned flags, cw_lower_out_t *lo) {
    size_t n = (size_t)-1;
    const char *code = cw_lower_code(lo, &n);
    CWF_CHECK(code != NULL && n != (size_t)-1, "OK without code");
    CWF_CHECK(code[n] == '\0', "lowered code not NUL-terminated");
    CWF_CHECK(cw_lower_error(lo, NULL, NULL) == NULL, "OK with an error message");
    if (!cwf_utf8_ok(code, n)) {
        cwf_dump("lowered", code, n);
        cwf_fail("lowered code is not valid UTF-8");
    }
    unsigned needs = cw_lower_needs(lo);
    CWF_CHECK((needs & ~KNOWN_NEEDS) == 0, "unknown needs bits 0x%x", needs);
    size_t hc = cw_lower_helper_count(lo);
    if (flags & CW_LOWER_INLINE_HELPERS)
        CWF_CHECK(hc == 0, "inline mode lists %zu helpers", hc);
    for (size_t i = 0; i < hc; i++)
        CWF_CHECK(cw_lower_helper_id(lo, i) < g_helpers, "helper id %u out of range",
                  cw_lower_helper_id(lo, i));
    if (hc)
        CWF_CHECK(needs & CW_LOWER_NEEDS_HELPERS, "helpers listed but NEEDS_HELPERS unset");

    unsigned src_lines = count_lines(src, size), out_lines = count_lines(code, n);
    for (unsigned line = 1; line <= out_lines + 1 && line <= 400; line++) {
        unsigned ol = 0, oc = 0;
        int rc = cw_lower_map(lo, line, 0, &ol, &oc);
        if (flags & CW_LOWER_NO_MAP) {
            CWF_CHECK(rc == -1, "map answered although it was disabled");
            break;
        }
        CWF_CHECK(rc == 0 || rc == -1, "cw_lower_map returned %d", rc);
        if (rc == 0)
            CWF_CHECK(ol >= 1 && ol <= src_lines, "line %u maps to %u; the source has %u lines",
                      line, ol, src_lines);
    }

    /* Deterministic: the output is cached under a hash of the source. */
    cw_lower_out_t *again = NULL;
    int rc2 = cw_lower(src, size, flags, &again);
    size_t n2 = 0;
    const char *code2 = again ? cw_lower_code(again, &n2) : NULL;
    if (rc2 != CW_LOWER_OK || n2 != n || memcmp(code, code2, n) != 0) {
        cwf_dump("first", code, n);
        if (code2)
            cwf_dump("second", code2, n2);
        cwf_fail("lowering the same source twice gave different results (rc %d)", rc2);
    }
    cw_lower_free(again);

    char msg[512];
    if (duk_compiles(code, n, msg, sizeof(msg)) != 0) {
        const char *kind;
        if (duk_gap(msg, code, n)) {
            g_tolerated++;
            kind = "Duktape gap";
        } else {
            int node = node_accepts(src, size);
            if (node == 1 && !g_report_only) {
                cwf_dump("source", src, size);
                cwf_dump("lowered", code, n);
                cwf_fail("Node accepts the source but Duktape cannot compile the lowered code: %s", msg);
            }
            kind = node == 0 ? "invalid source accepted" : node == 1 ? "miscompiled" : "not judged";
            if (node == 0)
                g_invalid_accepted++;
            else if (node < 0)
                g_unjudged++;
        }
        if (g_verbose || g_report_only) {
            fprintf(stderr, "DUKTAPE-REJECTS [%s]: %s\n", kind, msg);
            cwf_dump("source", src, size);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    unsigned flags = ((h >> 7) & 1 ? CW_LOWER_INLINE_HELPERS : 0) | ((h >> 9) % 5 == 0 ? CW_LOWER_NO_MAP : 0);

    cw_lower_out_t *lo = NULL;
    int rc = cw_lower(size ? src : NULL, size, flags, &lo);
    CWF_CHECK(lo != NULL, "cw_lower returned %d without a handle", rc);
    if (rc == CW_LOWER_OK) {
        CWF_CHECK(cwf_utf8_ok(src, size), "invalid UTF-8 was accepted");
        check_ok(src, size, flags, lo);
    } else if (rc == CW_LOWER_SYNTAX) {
        unsigned line = 0, col = 0;
        const char *msg = cw_lower_error(lo, &line, &col);
        CWF_CHECK(msg != NULL && msg[0], "SYNTAX without a message");
        CWF_CHECK(line <= count_lines(src, size), "error line %u past the end of the source", line);
        size_t n = 1;
        const char *code = cw_lower_code(lo, &n);
        CWF_CHECK(code && n == 0, "SYNTAX with code");
        CWF_CHECK(cw_lower_needs(lo) == 0, "SYNTAX with needs bits");
    } else if (rc == CW_LOWER_INTERNAL) {
        const char *msg = cw_lower_error(lo, NULL, NULL);
        cwf_dump("source", src, size);
        if (!g_report_only)
            cwf_fail("internal error (a caught panic in the lowering): %s", msg ? msg : "(no message)");
        fprintf(stderr, "INTERNAL: %s\n", msg ? msg : "(no message)");
    } else {
        cwf_fail("cw_lower returned %d", rc);
    }
    cw_lower_free(lo);

    /* The bounded entry point: under a budget too small for most inputs it
     * must stop cleanly (CW_LOWER_LIMIT, no code) or give what the
     * unbounded call gave; never anything else. */
    if ((h >> 11) % 4 == 0) {
        cw_lower_out_t *lb = NULL;
        int rb = cw_lower_limited(size ? src : NULL, size, flags, 0, (h >> 13) % 2 ? 64u << 10 : 1u << 20, &lb);
        CWF_CHECK(lb != NULL, "cw_lower_limited returned %d without a handle", rb);
        if (rb == CW_LOWER_LIMIT) {
            size_t n = 1;
            const char *code = cw_lower_code(lb, &n);
            CWF_CHECK(code && n == 0, "LIMIT with code");
            CWF_CHECK(cw_lower_limit_kind(lb) == CW_LOWER_LIMIT_MEMORY, "LIMIT of kind %u without a deadline",
                      cw_lower_limit_kind(lb));
        } else {
            CWF_CHECK(rb == rc, "bounded call gave %d, unbounded %d", rb, rc);
        }
        cw_lower_free(lb);
    }
    return 0;
}
