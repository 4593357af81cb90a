/* cw_err.c -- names and descriptions for cw_err_t, from the one table. */
#include "cw_err.h"

const char *cw_err2str(cw_err_t err) {
    switch (err) {
#define CW_ERR_STR_(name, code, desc)                                          \
    case name:                                                                 \
        return desc;
        CW_ERR_TABLE(CW_ERR_STR_)
#undef CW_ERR_STR_
    }
    return "unknown error";
}

const char *cw_err2name(cw_err_t err) {
    switch (err) {
#define CW_ERR_NAME_(name, code, desc)                                         \
    case name:                                                                 \
        return #name;
        CW_ERR_TABLE(CW_ERR_NAME_)
#undef CW_ERR_NAME_
    }
    return "CW_ERR_UNKNOWN";
}
