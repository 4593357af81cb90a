/*
 * cw_strings.h -- native Array.prototype.join, String.prototype.repeat,
 * padStart and padEnd for job heaps (see cw_strings.c for why).
 */
#ifndef CW_STRINGS_H
#define CW_STRINGS_H

#include "duktape.h"

/* The longest string a job may build, in UTF-16 code units: Node's own
 * limit (V8's String::kMaxLength on 64-bit), so a job that asks for more
 * gets the RangeError it would get in Node. */
#define CW_STRINGS_MAX_LENGTH ((double)((1u << 29) - 24))

/* Install the four built-ins in the heap (inside a protected call, at heap
 * preparation; after cw_runtime_install, whose lazy padStart/padEnd they
 * replace).  Throws only when out of memory. */
void cw_strings_install(duk_context *ctx);

#endif /* CW_STRINGS_H */
