/*
 * cw_logring.h -- the shared log region: console lines that survive a kill.
 *
 * Each executor gets one small shared memory region (a sealed memfd made by
 * the supervisor, passed as a known descriptor before exec, mapped on both
 * sides).  The executor's console appends every log entry it keeps -- the
 * same JSON text that goes into its own result -- and then publishes the new
 * length with a release store: no system call per line.  The supervisor
 * reads the region only when it has to write a job's result itself (the
 * executor was killed at the hard deadline or died), and treats it as
 * hostile input (cw_logring_parse).
 *
 * Layout: a 64-byte header {magic, cap, want_seq, seq, len, flags} and `cap`
 * bytes of entries ("{...},{...}", the members of the result's logs array).
 * The supervisor stores the job's sequence number in want_seq before it
 * sends the JOB frame; the executor, when the job starts, empties the region
 * and then stores that number in seq, so a region still holding an older
 * job's lines is never attributed to the new one.
 */
#ifndef CW_LOGRING_H
#define CW_LOGRING_H

#include <stddef.h>
#include <stdint.h>

#include "cw_buf.h"
#include "cw_err.h"

#define CW_LOGRING_MAGIC 0x43574c47u /* "CWLG" */
#define CW_LOGRING_HDR 64u
/* The descriptor the region has in an executor (after the channel, 3). */
#define CW_LOGRING_FD 4

/* Header flags (executor -> supervisor). */
#define CW_LOGRING_TRUNCATED 1u /* some console output was dropped or clipped */

typedef struct cw_logring cw_logring_t;

/* ---- supervisor side ---- */

/* Make a region with room for `cap` bytes of entries.  *fd is the memfd
 * (close-on-exec; the caller dup2()s it to CW_LOGRING_FD in the child and
 * closes it afterwards).  CW_ERR_INVALID for cap 0 or > 64 MiB,
 * CW_ERR_SYSTEM, CW_ERR_NOMEM. */
cw_err_t cw_logring_create(size_t cap, cw_logring_t **out, int *fd);

/* Mark the region for the next job: returns its sequence number. */
uint64_t cw_logring_arm(cw_logring_t *r);

/* The lines of job `seq` (cw_logring_parse on this region). */
cw_err_t cw_logring_recover(const cw_logring_t *r, uint64_t seq, size_t max_entries, cw_buf_t *out,
                            int *truncated);

/*
 * Validate and copy the entries of a region image (`region`, `size` bytes,
 * as the supervisor mapped it; `cap` is the supervisor's own idea of its
 * capacity, never the header's) written for job `seq`.  On CW_OK `out`
 * holds whole entries -- each exactly the shape the console writes, valid
 * UTF-8 -- at most `max_entries` of them, and *truncated the executor's
 * flag.  CW_ERR_STATE: the region holds no lines of this job (stale or never
 * started; `out` empty).  CW_ERR_PROTO: anything else is wrong with it (bad
 * magic, length out of bounds, an entry of the wrong shape, too many
 * entries); `out` is left empty.  CW_ERR_NOMEM.  Never reads outside
 * [region, region + size).
 */
cw_err_t cw_logring_parse(const void *region, size_t size, size_t cap, uint64_t seq, size_t max_entries,
                          cw_buf_t *out, int *truncated);

/* Unmap and free (NULL is fine). */
void cw_logring_free(cw_logring_t *r);

/* ---- executor side ---- */

/* Map the region on `fd` and close `fd`.  CW_ERR_INVALID when fd is not a
 * region (wrong size or magic), CW_ERR_SYSTEM, CW_ERR_NOMEM. */
cw_err_t cw_logring_attach(int fd, cw_logring_t **out);

/* A job starts: empty the region and claim it for the armed sequence
 * number.  All of these accept NULL (no region) and do nothing. */
void cw_logring_begin(cw_logring_t *r);

/* Append one console entry as the console built it: `entry` starts with
 * "," unless it is the job's first.  Entries that no longer fit stop the
 * mirroring (the region stays a prefix of the job's logs) and set the
 * truncated flag. */
void cw_logring_append(cw_logring_t *r, const char *entry, size_t n);

/* Some console output was dropped or clipped. */
void cw_logring_mark_truncated(cw_logring_t *r);

#endif /* CW_LOGRING_H */
