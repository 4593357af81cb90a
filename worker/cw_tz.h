/*
 * cw_tz.h -- the current job's local time zone (IANA), backed by ICU.
 *
 * A job's local time is UTC unless its `timeZone` field names another zone.
 * Everything in the executor that needs "local time" asks here: the Date
 * built-ins (worker/cw_date.c, through Duktape's DUK_USE_DATE_GET_LOCAL_TZOFFSET
 * hook, which gets no heap or context argument) and the Intl code, whose
 * default time zone is the job's.
 *
 * The zone is process state on purpose: an executor runs one job at a time,
 * ICU's own default zone is process-wide, and the engine hook that asks for
 * offsets has no context to carry it.  cw_tz_select() is called by the
 * sandbox at the start of every job, so nothing leaks from one job to the
 * next.  ICU is set to UTC at start-up (cw_tz_init) and never consults TZ or
 * /etc/localtime; its data is linked in (libicudata), so opening a zone after
 * the executor is confined reads no file.
 */
#ifndef CW_TZ_H
#define CW_TZ_H

#include <stddef.h>

/* Longest zone ID accepted (the longest IANA name is 32 bytes). */
#define CW_TZ_MAX_ID 64

/* Once per process, before confinement: ICU's default zone becomes UTC and
 * the zone data is touched once.  Returns 0, or -1 with a reason. */
int cw_tz_init(char *err, size_t err_size);

/* Whether `id` is a system time zone ICU knows (an IANA name, "UTC",
 * "Etc/GMT+5", a legacy link such as "US/Eastern").  0 = yes, -1 = no. */
int cw_tz_check(const char *id);

/* Make `id` (NULL or "" = UTC) the local zone of the job about to run, and
 * ICU's default.  Returns 0, or -1 (unknown zone: UTC stays selected). */
int cw_tz_select(const char *id);

/* The current job's zone ID as the job gave it ("UTC" by default). */
const char *cw_tz_current(void);

/* Offset of local time from UTC, in milliseconds, at the UTC instant `t`. */
double cw_tz_offset_at_utc(double t);

/* Offset, in milliseconds, to subtract from the local wall time `t` to get
 * UTC; a skipped local time uses the offset before the transition and a
 * repeated one the earlier of the two, as V8 does. */
double cw_tz_offset_at_local(double t);

/* The zone's long English name at the UTC instant `t` ("Coordinated
 * Universal Time", "Eastern Daylight Time"), as UTF-8 in `buf`. */
void cw_tz_name(double t, char *buf, size_t size);

#endif /* CW_TZ_H */
