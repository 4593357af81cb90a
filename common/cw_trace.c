/*
 * cw_trace.c -- the W3C Trace Context checks of cw_trace.h.
 */
#include "cw_trace.h"

static int cw_trace_hex(const char *s, size_t n, int *nonzero) {
    *nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
        if (c != '0')
            *nonzero = 1;
    }
    return 1;
}

int cw_trace_parent_ok(const char *s, size_t len) {
    int nz;
    if (!s || len < 55 || len > CW_TRACE_PARENT_MAX)
        return 0;
    if (!cw_trace_hex(s, 2, &nz) || (s[0] == 'f' && s[1] == 'f'))
        return 0;
    int v00 = s[0] == '0' && s[1] == '0';
    if ((v00 && len != 55) || (!v00 && len > 55 && s[55] != '-'))
        return 0;
    if (s[2] != '-' || s[35] != '-' || s[52] != '-')
        return 0;
    if (!cw_trace_hex(s + 3, 32, &nz) || !nz) /* trace-id */
        return 0;
    if (!cw_trace_hex(s + 36, 16, &nz) || !nz) /* parent-id */
        return 0;
    if (!cw_trace_hex(s + 53, 2, &nz)) /* trace-flags */
        return 0;
    for (size_t i = 55; i < len; i++) /* a later version's fields: visible ASCII */
        if (s[i] < 0x21 || s[i] > 0x7e)
            return 0;
    return 1;
}

int cw_trace_state_ok(const char *s, size_t len) {
    if (!s || len == 0 || len > CW_TRACE_STATE_MAX)
        return 0;
    int members = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e)
            return 0;
        if (s[i] == ',' && ++members > 32)
            return 0;
    }
    return 1;
}
