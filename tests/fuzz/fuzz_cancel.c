/*
 * fuzz_cancel.c -- libFuzzer target: the cancel record reader and the
 * cancelled-jobId set (worker/cw_cancel.h).
 *
 * Cancel records come from the cancel topic, which any client with write
 * access can fill, and the supervisor reads them: cw_cancel_record() must
 * survive any key and value, and what it accepts must hold what the worker
 * relies on (a reason that is valid UTF-8, without U+0000, within its
 * bound).  The input is split at its first 0xFF byte into key and value,
 * the records go into a small set, and every id accepted must be found
 * until evicted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cw_cancel.h"
#include "cw_utf8.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *cut = memchr(s, 0xff, size);
    size_t klen = cut ? (size_t)(cut - s) : (size < 16 ? size : 16);
    const char *val = s + klen + (cut ? 1 : 0);
    size_t vlen = size - klen - (cut ? 1 : 0);
    char reason[CW_CANCEL_REASON_MAX + 1];
    size_t rlen = 99999;
    cw_err_t err = cw_cancel_record(s, klen, val, vlen, reason, &rlen);
    CWF_CHECK(err == CW_OK || err == CW_ERR_INVALID, "cw_cancel_record returned %s", cw_err2name(err));
    CWF_CHECK(rlen <= CW_CANCEL_REASON_MAX && strlen(reason) == rlen, "reason length %zu", rlen);
    CWF_CHECK(cw_utf8_valid(reason, rlen), "reason is not UTF-8");
    if (err == CW_OK) {
        CWF_CHECK(klen >= 1 && klen <= CW_CANCEL_ID_MAX && cw_utf8_valid(s, klen) && !memchr(s, 0, klen),
                  "a key it accepted is not a usable jobId");
        cw_cancels_t *c = NULL;
        CWF_CHECK(cw_cancels_new(2, &c) == CW_OK, "cw_cancels_new");
        CWF_CHECK(cw_cancels_add(c, s, klen, reason, rlen) == CW_OK, "cw_cancels_add");
        const char *why = NULL;
        const char *id = cw_cancels_find(c, s, klen, &why);
        CWF_CHECK(id && !memcmp(id, s, klen) && id[klen] == '\0' && why && !strcmp(why, reason), "not found as added");
        /* the value's bytes as ids: added, found, the first evicted last */
        for (size_t i = 0; i + 4 <= vlen && i < 64; i += 4)
            (void)cw_cancels_add(c, val + i, 4, NULL, 0);
        cw_cancels_free(c);
    }
    return 0;
}
