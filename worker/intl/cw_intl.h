/*
 * cw_intl.h -- ECMA-402 (Intl) for job heaps, backed by ICU4C.
 *
 * Node's Intl is V8's option processing on top of ICU; ours is the same
 * split.  The option processing (defaults, validation, resolvedOptions, the
 * exact RangeError/TypeError a bad option throws) is JavaScript in
 * worker/runtime/polyfills/intl*.js, loaded only when a job touches `Intl`
 * or a toLocale* method.  What only CLDR data can answer -- the digits, the
 * patterns, the names, the collation -- comes from ICU through one native
 * function, `rt.icu(op, ...)`, which the polyfills reach through the
 * runtime object in the heap stash (job code never sees it).
 *
 * ICU objects live outside the job's capped heap, so each heap owns a small
 * cache of them (cw_intl_t) with a fixed number of entries: a job that
 * builds a thousand different formatters makes ICU hold at most
 * CW_INTL_CACHE_MAX of them.  The cache is emptied when the heap is renewed
 * or destroyed, so nothing a job made survives into the next job.
 */
#ifndef CW_INTL_H
#define CW_INTL_H

#include <stddef.h>

#include "duktape.h"

#define CW_INTL_CACHE_MAX 48

typedef struct cw_intl_entry {
    int kind;        /* which ICU type obj is; 0 = free slot */
    char *key;       /* malloc'd: locale + options, what obj was opened for */
    void *obj;       /* the ICU object */
    unsigned long used; /* LRU clock value of the last use */
} cw_intl_entry_t;

/* Per-heap state; zero-initialised is empty. */
typedef struct cw_intl {
    cw_intl_entry_t e[CW_INTL_CACHE_MAX];
    unsigned long clock;
} cw_intl_t;

/*
 * Once per process, before confinement: pin ICU to in-memory data (no file
 * access ever), set the default time zone to UTC and the default locale to
 * en-US (ICU would otherwise read TZ, /etc/localtime and LANG lazily, after
 * the seccomp filter is in), and open one formatter of each kind so that
 * everything ICU loads once per process is loaded now.  Runs once per
 * process (later calls return 0).  0, or -1 with a reason in err.
 */
int cw_intl_warmup(char *err, size_t err_size);

/* Per heap, inside a protected call after cw_runtime_install(): define
 * rt.icu and remember `c` (which must outlive the heap).  Throws on OOM. */
void cw_intl_install(duk_context *ctx, cw_intl_t *c);

/* Close every ICU object the heap made; `c` is empty afterwards. */
void cw_intl_release(cw_intl_t *c);

#endif /* CW_INTL_H */
