/*
 * cw_eval.h -- code built at run time (eval, new Function) lowered like the
 * job's own code.  See cw_eval.c.
 */
#ifndef CW_EVAL_H
#define CW_EVAL_H

#include "duktape.h"

/* Inside a Duktape safe call, once per heap (it is part of the sealed heap
 * image): replace the global Function with the lowering constructor and
 * define the hidden global __cw_eval_src that lowered code passes direct
 * eval's argument through.  Throws on failure. */
void cw_eval_install(duk_context *ctx);

#endif /* CW_EVAL_H */
