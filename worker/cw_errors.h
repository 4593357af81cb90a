/*
 * cw_errors.h -- the error constructors' `cause` option (ES2022) for
 * Duktape.  See cw_errors.c.
 */
#ifndef CW_ERRORS_H
#define CW_ERRORS_H

#include "duktape.h"

/* Inside a Duktape safe call, once per heap: replace the global error
 * constructors with wrappers that install `cause`.  Throws on failure. */
void cw_errors_install(duk_context *ctx);

#endif /* CW_ERRORS_H */
