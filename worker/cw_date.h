/*
 * cw_date.h -- Date parsing and formatting as Node (V8) does them; see
 * cw_date.c for the grammar and the formats.
 */
#ifndef CW_DATE_H
#define CW_DATE_H

#include <stddef.h>

#include "duktape.h"

enum { CW_DATE_FMT_FULL, CW_DATE_FMT_DATE, CW_DATE_FMT_TIME, CW_DATE_FMT_UTC, CW_DATE_FMT_ISO };

/* The time value (ms since the epoch, NaN when V8 rejects it) of a date
 * string in Duktape's internal encoding; local times are in the job's zone. */
double cw_date_parse(const char *str, size_t len);

/* Format time value `t` as toString/toDateString/toTimeString/toUTCString/
 * toISOString do; returns the length snprintf would have written. */
size_t cw_date_format(double t, int kind, char *buf, size_t size);

/* DUK_USE_DATE_GET_LOCAL_TZOFFSET: the local offset in seconds at UTC time
 * `t`, or, when `resolving`, the offset that turns the local time `local`
 * into UTC (worker/duktape/duk_config.h explains the two). */
int cw_date_tzoffset(double t, double local, int resolving);

/* Replace the Date constructor, Date.parse, Date.UTC and the string methods
 * of Date.prototype in the heap's global object (once per heap image). */
void cw_date_install(duk_context *ctx);

#endif /* CW_DATE_H */
