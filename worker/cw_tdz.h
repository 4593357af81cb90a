/*
 * cw_tdz.h -- the temporal dead zone's run-time half: the hidden global
 * lowered code calls when a `let`/`const`/`class` binding is used before its
 * declaration ran.  See cw_tdz.c and worker/lower/src/tdz.rs.
 */
#ifndef CW_TDZ_H
#define CW_TDZ_H

#include "duktape.h"

/* Inside a Duktape safe call, once per heap (it is part of the sealed heap
 * image): define the hidden, read-only global __cw_tdz.  Throws on failure. */
void cw_tdz_install(duk_context *ctx);

#endif /* CW_TDZ_H */
