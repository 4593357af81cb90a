/*
 * cw_regexp.h -- the natives under the heap's RegExp (worker/cw_regexp.c).
 *
 * The RegExp a job sees is JavaScript (worker/runtime/polyfills/regexp.js,
 * loaded on first use); matching is done by the regress engine through
 * cw_regex.h.  cw_regexp_install() puts the natives on the runtime object
 * (`rt.re`) that polyfill groups receive.  Compiled patterns are kept in a
 * per-executor cache (cw_regexp_cache_t) keyed by source and flags, so the
 * heap never holds a pointer to memory outside it: a RegExp object is just
 * its source and flags, and heap images can be copied freely.
 */
#ifndef CW_REGEXP_H
#define CW_REGEXP_H

#include <stddef.h>

#include "cw_err.h"
#include "duktape.h"

typedef struct cw_regexp_cache cw_regexp_cache_t;

/* A cache of up to `max_entries` compiled patterns (0: compile per call). */
cw_err_t cw_regexp_cache_new(size_t max_entries, cw_regexp_cache_t **out);
void cw_regexp_cache_free(cw_regexp_cache_t *c);

/* Define rt.re (rt is the runtime object in the heap stash, made by
 * cw_runtime_install) with the natives over `cache`, which the caller owns
 * and must keep until the heap is gone (NULL throws: its owner could not
 * allocate one).  Throws into the heap on failure (call it inside a
 * protected call). */
void cw_regexp_install(duk_context *ctx, cw_regexp_cache_t *cache);

#endif /* CW_REGEXP_H */
