/*
 * cw_bytecode.c -- build-time compiler from JavaScript to this engine's bytecode.
 *
 * The runtime polyfill groups (worker/runtime) and the job libraries
 * (worker/libs) are embedded in the codeworker binary as Duktape bytecode, so
 * a job heap loads them with duk_load_function instead of parsing megabytes
 * of source.  Duktape does not validate bytecode and its format depends on
 * the engine's configuration, so the bytecode is produced here, by a program
 * linked against the very same cw_duktape library target as the product.
 *
 *   cw_bytecode IN.js OUT.bc NAME
 *
 * IN.js must be a single function expression, `(function (...) {...})`.  It
 * is compiled as global code (its completion value is the function), dumped
 * with duk_dump_function and written to OUT.bc; NAME becomes the file name
 * in stack traces.  The dump is then loaded into a second heap and run, and
 * must evaluate to a function, so a file that is not one expression fails
 * the build instead of a job.  Exit status: 0 on success, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duktape.h"

/* The engine's configuration (worker/duktape/duk_config.h) names four hooks
 * that the sandbox defines; compiling needs neither. */
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

double cw_sandbox_date_now(void *udata) {
    (void)udata;
    return 0;
}

typedef struct cw_bc_src {
    const char *name;
    const char *text;
    size_t len;
} cw_bc_src_t;

static void cw_bc_fatal(void *udata, const char *msg) {
    (void)udata;
    fprintf(stderr, "cw_bytecode: duktape fatal error: %s\n", msg ? msg : "");
    abort();
}

static char *cw_bc_read(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

/* [ ] -> [ bytecode buffer ] */
static duk_ret_t cw_bc_compile(duk_context *ctx, void *udata) {
    const cw_bc_src_t *src = udata;
    duk_push_string(ctx, src->name);
    duk_compile_lstring_filename(ctx, 0, src->text, src->len);
    duk_dump_function(ctx);
    return 1;
}

/* [ bytecode buffer ] -> [ typeof result ] */
static duk_ret_t cw_bc_verify(duk_context *ctx, void *udata) {
    (void)udata;
    duk_load_function(ctx);
    duk_call(ctx, 0);
    duk_push_string(ctx, duk_is_function(ctx, -1) ? "function" : "not a function");
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: cw_bytecode IN.js OUT.bc NAME\n");
        return 1;
    }
    cw_bc_src_t src = {.name = argv[3]};
    char *text = cw_bc_read(argv[1], &src.len);
    if (!text) {
        fprintf(stderr, "cw_bytecode: cannot read %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    src.text = text;
    int rc = 1;
    void *bc = NULL;
    duk_size_t bc_len = 0;
    duk_context *ctx = duk_create_heap(NULL, NULL, NULL, NULL, cw_bc_fatal);
    if (!ctx) {
        fprintf(stderr, "cw_bytecode: cannot create a heap\n");
        goto out;
    }
    if (duk_safe_call(ctx, cw_bc_compile, &src, 0, 1) != DUK_EXEC_SUCCESS) {
        fprintf(stderr, "cw_bytecode: %s: %s\n", argv[1], duk_safe_to_string(ctx, -1));
        goto out;
    }
    const void *p = duk_get_buffer(ctx, -1, &bc_len);
    bc = malloc(bc_len ? bc_len : 1);
    if (!bc)
        goto out;
    memcpy(bc, p, bc_len);
    duk_destroy_heap(ctx);

    /* Load the dump in a fresh heap, as a job heap will. */
    ctx = duk_create_heap(NULL, NULL, NULL, NULL, cw_bc_fatal);
    if (!ctx)
        goto out;
    memcpy(duk_push_fixed_buffer(ctx, bc_len), bc, bc_len);
    if (duk_safe_call(ctx, cw_bc_verify, NULL, 1, 1) != DUK_EXEC_SUCCESS) {
        fprintf(stderr, "cw_bytecode: %s: loading the bytecode back failed: %s\n", argv[1],
                duk_safe_to_string(ctx, -1));
        goto out;
    }
    if (strcmp(duk_get_string(ctx, -1), "function") != 0) {
        fprintf(stderr, "cw_bytecode: %s: must be a single function expression\n", argv[1]);
        goto out;
    }

    FILE *f = fopen(argv[2], "wb");
    if (!f) {
        fprintf(stderr, "cw_bytecode: cannot write %s: %s\n", argv[2], strerror(errno));
        goto out;
    }
    int ok = fwrite(bc, 1, bc_len, f) == bc_len;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "cw_bytecode: writing %s failed\n", argv[2]);
        remove(argv[2]);
        goto out;
    }
    rc = 0;
out:
    if (ctx)
        duk_destroy_heap(ctx);
    free(bc);
    free(text);
    return rc;
}
