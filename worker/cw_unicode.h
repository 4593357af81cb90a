/*
 * cw_unicode.h -- String.prototype.normalize, isWellFormed, toWellFormed and
 * the locale-aware case mappings, through ICU (see cw_unicode.c).
 */
#ifndef CW_UNICODE_H
#define CW_UNICODE_H

#include "duktape.h"

/* Define the methods on String.prototype (once per heap image). */
void cw_unicode_install(duk_context *ctx);

/* Once per process, before confinement: load the normalization and case
 * data ICU uses, so that nothing is first touched inside a job.  0 or -1. */
int cw_unicode_warmup(void);

#endif /* CW_UNICODE_H */
