#ifndef CW_ERRMSG_H
#define CW_ERRMSG_H
#include <stddef.h>
/* V8's message for an engine error of class `name` whose Duktape message is
 * `msg`, written to out[0..cap).  1: rewritten; 0: no pattern matched (out
 * unspecified); -1: bad arguments or out too small. */
int cw_errmsg_v8(const char *name, const char *msg, char *out, size_t cap);
#endif
