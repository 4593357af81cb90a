/*
 * cw_escape_hook.c -- TEST BUILDS ONLY: a deliberate hole in the sandbox, to
 * prove from the outside that the executor's OS confinement (cw_confine.c)
 * stops what a job could do after escaping the JavaScript engine.
 *
 * Built only with -DCW_ESCAPE_HOOK=ON (tests/e2e/test_confine.py configures
 * its own build directory for it).  The hook lives outside the sandbox's
 * source on purpose: a normal build neither compiles nor links this file.
 * The test build links with --wrap=duk_create_heap, so every heap the
 * sandbox creates gets one extra global:
 *
 *   __escape(kind)   kind: "open" | "socket" | "execve" | "fork" |
 *                          "mprotect-exec" | "setuid"
 *
 * Each kind makes the corresponding system call straight from C, as
 * injected machine code would.  Under confinement the process dies of
 * SIGSYS and the supervisor reports SECURITY_ERROR; with
 * --insecure-no-sandbox the call goes through and its outcome is returned.
 */
#ifndef CW_ESCAPE_HOOK
#error "cw_escape_hook.c belongs only in the CW_ESCAPE_HOOK test build"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duktape.h"

duk_context *__real_duk_create_heap(duk_alloc_function alloc_func, duk_realloc_function realloc_func,
                                    duk_free_function free_func, void *heap_udata,
                                    duk_fatal_function fatal_handler);
duk_context *__wrap_duk_create_heap(duk_alloc_function alloc_func, duk_realloc_function realloc_func,
                                    duk_free_function free_func, void *heap_udata,
                                    duk_fatal_function fatal_handler);

static duk_ret_t cw_escape(duk_context *ctx) {
    const char *kind = duk_require_string(ctx, 0);
    char out[160];
    long rv = -1;
    if (!strcmp(kind, "open")) {
        rv = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
        if (rv >= 0)
            close((int)rv);
    } else if (!strcmp(kind, "socket")) {
        rv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (rv >= 0)
            close((int)rv);
    } else if (!strcmp(kind, "execve")) {
        char *argv[] = {"sh", "-c", "exit 0", NULL};
        char *envp[] = {NULL};
        rv = execve("/bin/sh", argv, envp);
    } else if (!strcmp(kind, "fork")) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        rv = pid;
    } else if (!strcmp(kind, "mprotect-exec")) {
        static char page[1 << 16] __attribute__((aligned(4096)));
        rv = mprotect(page, 4096, PROT_READ | PROT_EXEC);
        if (rv == 0)
            (void)mprotect(page, 4096, PROT_READ | PROT_WRITE);
    } else if (!strcmp(kind, "setuid")) {
        rv = setresuid(0, 0, 0);
    } else {
        return duk_error(ctx, DUK_ERR_TYPE_ERROR, "unknown escape kind");
    }
    snprintf(out, sizeof(out), "%s returned %ld (%s)", kind, rv, rv < 0 ? strerror(errno) : "ok");
    duk_push_string(ctx, out);
    return 1;
}

static duk_ret_t cw_escape_install(duk_context *ctx, void *udata) {
    (void)udata;
    duk_push_c_function(ctx, cw_escape, 1);
    duk_put_global_string(ctx, "__escape");
    return 0;
}

duk_context *__wrap_duk_create_heap(duk_alloc_function alloc_func, duk_realloc_function realloc_func,
                                    duk_free_function free_func, void *heap_udata,
                                    duk_fatal_function fatal_handler) {
    duk_context *ctx = __real_duk_create_heap(alloc_func, realloc_func, free_func, heap_udata, fatal_handler);
    if (ctx) {
        (void)duk_safe_call(ctx, cw_escape_install, NULL, 0, 1);
        duk_pop(ctx);
    }
    return ctx;
}
