/*
 * cw_err.h -- one error type for the whole program.
 *
 * Every function that can fail returns a cw_err_t; CW_OK is zero and every
 * local error is negative, so `if (err)` reads naturally.  Names and
 * descriptions come from a single X-macro table so cw_err2str() and
 * cw_err2name() can never drift from the enum.
 */
#ifndef CW_ERR_H
#define CW_ERR_H

#define CW_ERR_TABLE(X)                                                        \
    X(CW_OK, 0, "success")                                                     \
    X(CW_ERR_NOMEM, -1, "out of memory")                                       \
    X(CW_ERR_INVALID, -2, "invalid argument")                                  \
    X(CW_ERR_AGAIN, -3, "resource temporarily unavailable")                    \
    X(CW_ERR_IO, -4, "input/output error")                                     \
    X(CW_ERR_EOF, -5, "end of stream")                                         \
    X(CW_ERR_TOOBIG, -6, "message exceeds the configured size limit")          \
    X(CW_ERR_PROTO, -7, "malformed frame on an executor channel")              \
    X(CW_ERR_TIMEOUT, -8, "timed out")                                         \
    X(CW_ERR_UNKNOWN_KEY, -9, "unknown configuration key")                     \
    X(CW_ERR_SYSTEM, -10, "system call failed")                                \
    X(CW_ERR_STATE, -11, "operation not valid in the current state")

typedef enum {
#define CW_ERR_ENUM_(name, code, desc) name = (code),
    CW_ERR_TABLE(CW_ERR_ENUM_)
#undef CW_ERR_ENUM_
} cw_err_t;

/* Human-readable description; never NULL ("unknown error" for bad codes). */
const char *cw_err2str(cw_err_t err);
/* Symbolic name such as "CW_ERR_NOMEM"; never NULL. */
const char *cw_err2name(cw_err_t err);

#endif /* CW_ERR_H */
