#ifndef CW_ERRMSG_H
#define CW_ERRMSG_H
#include <stddef.h>
/* V8's message for an engine error of class `name` whose Duktape message is
 * `msg`, written to out[0..cap).  1: rewritten; 0: no pattern matched (out
 * unspecified); -1: bad arguments or out too small. */
int cw_errmsg_v8(const char *name, const char *msg, char *out, size_t cap);
/* The same, knowing the name of the built-in whose C code raised it (`fn`,
 * NULL or "" when unknown): Duktape's generic messages ("invalid args",
 * "number outside range") say nothing by themselves, but V8 has one message
 * per built-in for them.  Falls back to cw_errmsg_v8(). */
int cw_errmsg_v8_in(const char *name, const char *msg, const char *fn, char *out, size_t cap);
#endif
