/*
 * cw_tz.c -- the current job's local time zone, through ICU's ucal API.
 *
 * See cw_tz.h for why this is process state.  UTC, the default, is answered
 * without ICU at all (offset 0, a fixed name), so a job that never names a
 * zone pays nothing.  For any other zone one UCalendar is kept open and
 * reused while jobs keep naming the same zone; offsets come from the zone
 * rules ICU ships (tzdata compiled into libicudata), with DST.
 */
#include "cw_tz.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

static struct {
    char id[CW_TZ_MAX_ID];      /* as the job spelled it; "UTC" by default */
    int utc;                    /* the zone is UTC: no ICU calls */
    UCalendar *cal;             /* open for `id` when !utc */
    char name_std[96], name_dst[96]; /* long names, filled on first use */
    /* The offset is constant between two transitions of the zone: the last
     * answer holds for [lo, hi), so a job that reads many dates of the same
     * season asks ICU once (getHours() then costs a comparison). */
    double lo, hi, off;
} cw_tz = {"UTC", 1, NULL, "", "", 0, 0, 0};

static int cw_tz_to_uchars(const char *id, UChar *out, int32_t cap) {
    size_t n = strlen(id);
    if (n == 0 || n >= (size_t)cap || n >= CW_TZ_MAX_ID)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x21 || c > 0x7e)
            return -1; /* zone IDs are printable ASCII */
        out[i] = c;
    }
    out[n] = 0;
    return (int)n;
}

int cw_tz_check(const char *id) {
    UChar u[CW_TZ_MAX_ID], canon[CW_TZ_MAX_ID * 2];
    int n = cw_tz_to_uchars(id, u, CW_TZ_MAX_ID);
    if (n < 0)
        return -1;
    UErrorCode st = U_ZERO_ERROR;
    UBool system = 0;
    ucal_getCanonicalTimeZoneID(u, n, canon, (int32_t)(sizeof(canon) / sizeof(canon[0])), &system, &st);
    return U_SUCCESS(st) && system ? 0 : -1;
}

static int cw_tz_is_utc_name(const char *id) {
    return !strcmp(id, "UTC") || !strcmp(id, "Etc/UTC") || !strcmp(id, "Etc/UCT") || !strcmp(id, "UCT") ||
           !strcmp(id, "Etc/Universal") || !strcmp(id, "Universal") || !strcmp(id, "Etc/Zulu") ||
           !strcmp(id, "Zulu");
}

static int cw_tz_switch(const char *id) {
    if (cw_tz_check(id))
        return -1;
    UChar u[CW_TZ_MAX_ID];
    int n = cw_tz_to_uchars(id, u, CW_TZ_MAX_ID);
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *cal = NULL;
    int utc = cw_tz_is_utc_name(id);
    if (!utc) {
        cal = ucal_open(u, n, "en_US", UCAL_GREGORIAN, &st);
        if (U_FAILURE(st) || !cal) {
            if (cal)
                ucal_close(cal);
            return -1;
        }
    }
    st = U_ZERO_ERROR;
    ucal_setDefaultTimeZone(u, &st);
    if (U_FAILURE(st)) {
        if (cal)
            ucal_close(cal);
        return -1;
    }
    if (cw_tz.cal)
        ucal_close(cw_tz.cal);
    cw_tz.cal = cal;
    cw_tz.utc = utc;
    snprintf(cw_tz.id, sizeof(cw_tz.id), "%s", id);
    cw_tz.name_std[0] = cw_tz.name_dst[0] = '\0';
    cw_tz.lo = cw_tz.hi = 0; /* empty */
    return 0;
}

int cw_tz_select(const char *id) {
    if (!id || !*id)
        id = "UTC";
    if (!strcmp(id, cw_tz.id))
        return 0;
    if (cw_tz_switch(id) == 0)
        return 0;
    (void)cw_tz_switch("UTC"); /* never keep the previous job's zone */
    return -1;
}

int cw_tz_init(char *err, size_t err_size) {
    UErrorCode st = U_ZERO_ERROR;
    static const UChar utc[] = {'U', 'T', 'C', 0};
    ucal_setDefaultTimeZone(utc, &st);
    if (U_FAILURE(st)) {
        snprintf(err, err_size, "ICU: cannot set the default time zone: %s", u_errorName(st));
        return -1;
    }
    /* Touch the zone rules and the English zone names once, so that
     * whatever ICU maps or caches on first use happens before confinement. */
    char name[96];
    if (cw_tz_select("America/New_York")) {
        snprintf(err, err_size, "ICU: time zone data is missing (America/New_York unknown)");
        return -1;
    }
    (void)cw_tz_offset_at_utc(0);
    (void)cw_tz_offset_at_local(0);
    cw_tz_name(0, name, sizeof(name));
    if (cw_tz_select("UTC")) {
        snprintf(err, err_size, "ICU: cannot select UTC");
        return -1;
    }
    return 0;
}

const char *cw_tz_current(void) { return cw_tz.id; }

double cw_tz_offset_at_utc(double t) {
    if (cw_tz.utc || !isfinite(t))
        return 0;
    if (t >= cw_tz.lo && t < cw_tz.hi)
        return cw_tz.off;
    UErrorCode st = U_ZERO_ERROR;
    ucal_setMillis(cw_tz.cal, t, &st);
    int32_t raw = ucal_get(cw_tz.cal, UCAL_ZONE_OFFSET, &st);
    int32_t dst = ucal_get(cw_tz.cal, UCAL_DST_OFFSET, &st);
    if (U_FAILURE(st))
        return 0;
    double off = (double)raw + (double)dst;
    UDate prev = 0, next = 0;
    UBool has_prev = ucal_getTimeZoneTransitionDate(cw_tz.cal, UCAL_TZ_TRANSITION_PREVIOUS_INCLUSIVE, &prev, &st);
    UBool has_next = ucal_getTimeZoneTransitionDate(cw_tz.cal, UCAL_TZ_TRANSITION_NEXT, &next, &st);
    if (U_SUCCESS(st)) {
        cw_tz.lo = has_prev ? prev : -INFINITY;
        cw_tz.hi = has_next ? next : INFINITY;
        cw_tz.off = off;
    }
    return off;
}

double cw_tz_offset_at_local(double t) {
    if (cw_tz.utc || !isfinite(t))
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t raw = 0, dst = 0;
    ucal_setMillis(cw_tz.cal, t, &st);
    ucal_getTimeZoneOffsetFromLocal(cw_tz.cal, UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, &raw, &dst, &st);
    return U_SUCCESS(st) ? (double)raw + (double)dst : 0;
}

void cw_tz_name(double t, char *buf, size_t size) {
    if (cw_tz.utc) {
        snprintf(buf, size, "Coordinated Universal Time");
        return;
    }
    UErrorCode st = U_ZERO_ERROR;
    ucal_setMillis(cw_tz.cal, isfinite(t) ? t : 0, &st);
    int dst = U_SUCCESS(st) && ucal_get(cw_tz.cal, UCAL_DST_OFFSET, &st) != 0;
    char *slot = dst ? cw_tz.name_dst : cw_tz.name_std;
    if (!slot[0]) {
        UChar u[96];
        st = U_ZERO_ERROR;
        int32_t n = ucal_getTimeZoneDisplayName(cw_tz.cal, dst ? UCAL_DST : UCAL_STANDARD, "en_US", u,
                                                (int32_t)(sizeof(u) / sizeof(u[0])), &st);
        int32_t len = 0;
        if (U_SUCCESS(st) && n > 0)
            u_strToUTF8(slot, (int32_t)sizeof(cw_tz.name_std) - 1, &len, u, n, &st);
        if (U_FAILURE(st) || len <= 0)
            len = 0;
        slot[len] = '\0';
        if (!slot[0])
            snprintf(slot, sizeof(cw_tz.name_std), "%s", cw_tz.id);
    }
    snprintf(buf, size, "%s", slot);
}
