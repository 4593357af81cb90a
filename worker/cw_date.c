/*
 * cw_date.c -- Date parsing and formatting as Node (V8) does them.
 *
 * Duktape 2.7 parses only its own loose ISO 8601 subset (it reads the "+0200"
 * of "2024-01-15T10:30:00+0200" as 200 hours) and formats toString() and
 * toUTCString() as ISO text.  Agents write dates the way V8 accepts them and
 * compare against what Node prints, so this file reproduces V8's date parser
 * (src/date/dateparser*.{h,cc} in V8) and its output formats, and installs
 * them at heap preparation (cw_date_install, called once per sealed heap
 * image, so a job pays nothing for it):
 *
 *   Date (constructor and function), Date.parse, Date.UTC,
 *   Date.prototype.{toString,toDateString,toTimeString,toUTCString,
 *   toGMTString,toISOString}.
 *
 * Local time is the job's zone (cw_tz.h): Duktape's getters and setters get
 * it through the DUK_USE_DATE_GET_LOCAL_TZOFFSET hook (cw_date_tzoffset,
 * named in worker/duktape/duk_config.h), this file's parser and formatters
 * directly.
 *
 * The grammar, as V8 implements it.  The string is read as a sequence of
 * tokens: a number (a run of ASCII digits; its value keeps 9 significant
 * digits, its length counts every digit), a symbol (one of : - + . ) ), a word
 * (a run of characters >= 'A' that are not white space; only its first three
 * letters, lower-cased, matter), white space, a parenthesised comment (nested,
 * skipped) or any other single character (ignored).  Words are looked up in
 * a table: month names (jan..dec, any length from three letters on), am/pm,
 * the zone names ut utc z gmt (UTC) and est edt cst cdt mst mdt pst pdt
 * (fixed offsets), and "t"; any other word is "garbage".
 *
 * 1. The ES5 form is tried first:
 *        [+-]YYYYYY | YYYY   [-MM [-DD]]   [T HH:mm [:ss [.s+]] [Z | +-hh:mm | +-hhmm]]
 *    When it matches to the end: a date without a time is UTC, a date-time
 *    without an offset is local time.  When the date part matches but is
 *    followed by something else than T or the end, the numbers read so far
 *    are kept and parsing goes on with the legacy rules (this is how
 *    "2024-01-15 10:30" becomes local time); a malformed time after T is an
 *    error.
 * 2. The legacy rules, token by token:
 *    - number followed by ':' is an hour/minute/second (number '::' too);
 *      number '.' number is seconds and milliseconds;
 *    - a number right after a signed offset's hour and ':' is its minutes;
 *    - the number that can complete a started time (minutes, seconds,
 *      milliseconds) does so, and must be followed by the end, white space,
 *      'z' or a sign;
 *    - any other number is a day component (up to three), skipping one '-';
 *    - a month name sets the month; am/pm applies to a time already read; a
 *      zone name after a number sets the offset; a garbage word after a
 *      number is an error, before the first number it is ignored (but it may
 *      not be glued to a number);
 *    - a sign after a zone name meaning UTC or after a time starts an offset:
 *      +h, +hh (hours), +hhh, +hhmm, or +hh: followed by minutes;
 *    - another sign or ')' after a number is an error; everything else is
 *      ignored.
 *    Day components without a month name are M/D/Y, or Y/M/D when the first
 *    cannot be a day; with a month name, D Y or Y D.  Missing components are
 *    1 (so "Jan 15" is in 2001), two-digit years are 19xx (50-99) or 20xx
 *    (0-49), days past the month's end roll over (V8's MakeDay).  With no
 *    offset the time is local.
 *
 * Output formats (V8's DateCache::ToDateString):
 *    toString      "Sun Mar 23 2014 00:00:00 GMT+0000 (Coordinated Universal Time)"
 *    toDateString  "Sun Mar 23 2014"
 *    toTimeString  "00:00:00 GMT+0000 (Coordinated Universal Time)"
 *    toUTCString   "Sun, 23 Mar 2014 00:00:00 GMT"
 *    toISOString   "2014-03-23T00:00:00.000Z" (years outside 0..9999 as +-YYYYYY)
 * with "Invalid Date" for an invalid date (toISOString throws RangeError
 * "Invalid time value").
 */
#include "cw_date.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cw_runtime.h"
#include "cw_tz.h"

#define CW_DATE_MS_DAY 86400000.0
#define CW_DATE_MAX_TIME 8.64e15                      /* ECMAScript's time value range */
#define CW_DATE_MAX_LOCAL (8.64e15 + 864000000.0)     /* V8: before conversion to UTC */
#define CW_DP_NONE INT32_MIN

/* ---- calendar arithmetic ------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, m 1..12). */
static double cw_date_days_from_civil(double y, int m, int d) {
    y -= m <= 2;
    double era = floor(y / 400);
    double yoe = y - era * 400;
    int mp = (m + 9) % 12;
    double doy = floor((153 * mp + 2) / 5) + d - 1;
    double doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

static void cw_date_civil_from_days(double z, int *y, int *m, int *d) {
    z += 719468;
    double era = floor(z / 146097);
    double doe = z - era * 146097;
    double yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365);
    double yy = yoe + era * 400;
    double doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
    double mp = floor((5 * doy + 2) / 153);
    *d = (int)(doy - floor((153 * mp + 2) / 5) + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* ECMAScript MakeDay / MakeTime / MakeDate / TimeClip. */
static double cw_date_make_day(double year, double month, double date) {
    if (!isfinite(year) || !isfinite(month) || !isfinite(date))
        return NAN;
    year = trunc(year), month = trunc(month), date = trunc(date);
    double ym = year + floor(month / 12);
    if (fabs(ym) > 400000)
        return NAN;
    int mn = (int)(month - floor(month / 12) * 12);
    return cw_date_days_from_civil(ym, mn + 1, 1) + date - 1;
}

static double cw_date_make_time(double h, double m, double s, double ms) {
    if (!isfinite(h) || !isfinite(m) || !isfinite(s) || !isfinite(ms))
        return NAN;
    return trunc(h) * 3600000.0 + trunc(m) * 60000.0 + trunc(s) * 1000.0 + trunc(ms);
}

static double cw_date_time_clip(double t) {
    if (!isfinite(t) || fabs(t) > CW_DATE_MAX_TIME)
        return NAN;
    return trunc(t) + 0.0;
}

/* ---- the tokenizer (V8's DateStringTokenizer) --------------------------- */

enum { CW_DP_KW_INVALID, CW_DP_KW_MONTH, CW_DP_KW_ZONE, CW_DP_KW_TSEP, CW_DP_KW_AMPM };
enum {
    CW_DP_T_INVALID = -6,
    CW_DP_T_UNKNOWN = -5,
    CW_DP_T_SPACE = -4,
    CW_DP_T_NUMBER = -3,
    CW_DP_T_SYMBOL = -2,
    CW_DP_T_END = -1 /* keywords are >= 0: their type */
};

typedef struct {
    int tag, length, value;
} cw_dp_tok_t;

typedef struct {
    const unsigned char *p, *end;
    uint32_t ch; /* current character, 0 at the end (a NUL ends it too, as in V8) */
    int pos;
    cw_dp_tok_t next;
} cw_dp_t;

/* Next character of Duktape's extended UTF-8 (CESU-8 surrogates are read as
 * their 16-bit values, like V8's UTF-16 units). */
static void cw_dp_advance(cw_dp_t *s) {
    s->pos++;
    if (s->p >= s->end) {
        s->ch = 0;
        return;
    }
    unsigned c = *s->p++;
    int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    uint32_t v = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
    while (extra-- > 0 && s->p < s->end && (*s->p & 0xc0) == 0x80)
        v = (v << 6) | (*s->p++ & 0x3f);
    s->ch = v;
}

/* V8's white space here: ECMAScript WhiteSpace plus CR and LF, but not
 * U+2028/U+2029, which count as word characters (so "2020\u2028" is NaN). */
static int cw_dp_is_space(uint32_t c) {
    return c == 0x09 || c == 0x0a || c == 0x0b || c == 0x0c || c == 0x0d || c == 0x20 || c == 0xa0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f || c == 0x3000 ||
           c == 0xfeff;
}

static int cw_dp_is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

static const struct {
    char w[3];
    int type, value;
} cw_dp_words[] = {
    {"jan", CW_DP_KW_MONTH, 1},  {"feb", CW_DP_KW_MONTH, 2},  {"mar", CW_DP_KW_MONTH, 3},
    {"apr", CW_DP_KW_MONTH, 4},  {"may", CW_DP_KW_MONTH, 5},  {"jun", CW_DP_KW_MONTH, 6},
    {"jul", CW_DP_KW_MONTH, 7},  {"aug", CW_DP_KW_MONTH, 8},  {"sep", CW_DP_KW_MONTH, 9},
    {"oct", CW_DP_KW_MONTH, 10}, {"nov", CW_DP_KW_MONTH, 11}, {"dec", CW_DP_KW_MONTH, 12},
    {"am", CW_DP_KW_AMPM, 0},    {"pm", CW_DP_KW_AMPM, 12},   {"ut", CW_DP_KW_ZONE, 0},
    {"utc", CW_DP_KW_ZONE, 0},   {"z", CW_DP_KW_ZONE, 0},     {"gmt", CW_DP_KW_ZONE, 0},
    {"cdt", CW_DP_KW_ZONE, -5},  {"cst", CW_DP_KW_ZONE, -6},  {"edt", CW_DP_KW_ZONE, -4},
    {"est", CW_DP_KW_ZONE, -5},  {"mdt", CW_DP_KW_ZONE, -6},  {"mst", CW_DP_KW_ZONE, -7},
    {"pdt", CW_DP_KW_ZONE, -7},  {"pst", CW_DP_KW_ZONE, -8},  {"t", CW_DP_KW_TSEP, 0},
};

static cw_dp_tok_t cw_dp_scan(cw_dp_t *s) {
    int start = s->pos;
    cw_dp_tok_t t = {CW_DP_T_UNKNOWN, 0, 0};
    if (s->ch == 0) {
        t.tag = CW_DP_T_END;
        return t;
    }
    if (cw_dp_is_digit(s->ch)) {
        int n = 0, i = 0;
        while (s->ch == '0')
            cw_dp_advance(s);
        while (cw_dp_is_digit(s->ch)) {
            if (i < 9)
                n = n * 10 + (int)(s->ch - '0');
            i++;
            cw_dp_advance(s);
        }
        t.tag = CW_DP_T_NUMBER, t.value = n, t.length = s->pos - start;
        return t;
    }
    if (s->ch == ':' || s->ch == '-' || s->ch == '+' || s->ch == '.' || s->ch == ')') {
        t.tag = CW_DP_T_SYMBOL, t.value = (int)s->ch, t.length = 1;
        cw_dp_advance(s);
        return t;
    }
    if (s->ch >= 'A' && !cw_dp_is_space(s->ch)) {
        uint32_t pre[3] = {0, 0, 0};
        int len = 0;
        for (; s->ch >= 'A' && !cw_dp_is_space(s->ch); cw_dp_advance(s), len++)
            if (len < 3)
                pre[len] = s->ch >= 'A' && s->ch <= 'Z' ? s->ch + 32 : s->ch;
        t.tag = CW_DP_KW_INVALID, t.length = len;
        for (size_t i = 0; i < sizeof(cw_dp_words) / sizeof(cw_dp_words[0]); i++) {
            const char *w = cw_dp_words[i].w;
            int j = 0;
            while (j < 3 && pre[j] == (uint32_t)(unsigned char)(j < (int)strnlen(w, 3) ? w[j] : 0))
                j++;
            if (j == 3 && (len <= 3 || cw_dp_words[i].type == CW_DP_KW_MONTH)) {
                t.tag = cw_dp_words[i].type, t.value = cw_dp_words[i].value;
                break;
            }
        }
        return t;
    }
    if (cw_dp_is_space(s->ch)) {
        while (cw_dp_is_space(s->ch))
            cw_dp_advance(s);
        t.tag = CW_DP_T_SPACE, t.length = s->pos - start;
        return t;
    }
    if (s->ch == '(') {
        int balance = 0;
        do {
            if (s->ch == ')')
                --balance;
            else if (s->ch == '(')
                ++balance;
            cw_dp_advance(s);
        } while (balance > 0 && s->ch);
        return t;
    }
    cw_dp_advance(s);
    return t;
}

static cw_dp_tok_t cw_dp_next(cw_dp_t *s) {
    cw_dp_tok_t t = s->next;
    s->next = cw_dp_scan(s);
    return t;
}

static int cw_dp_is_sym(cw_dp_tok_t t, int c) { return t.tag == CW_DP_T_SYMBOL && t.value == c; }
static int cw_dp_is_sign(cw_dp_tok_t t) { return cw_dp_is_sym(t, '+') || cw_dp_is_sym(t, '-'); }
static int cw_dp_is_num(cw_dp_tok_t t, int len) { return t.tag == CW_DP_T_NUMBER && t.length == len; }
static int cw_dp_is_z(cw_dp_tok_t t) { return t.tag == CW_DP_KW_ZONE && t.length == 1 && t.value == 0; }

static int cw_dp_skip(cw_dp_t *s, int c) {
    if (!cw_dp_is_sym(s->next, c))
        return 0;
    cw_dp_next(s);
    return 1;
}

/* ---- composers (V8's DayComposer, TimeComposer, TimeZoneComposer) ------- */

typedef struct {
    int comp[3], n, named_month, iso;
} cw_dp_day_t;
typedef struct {
    int comp[4], n, hour_offset;
} cw_dp_time_t;
typedef struct {
    int sign, hour, minute;
} cw_dp_tz_t;

static int cw_dp_between(int x, int lo, int hi) { return x >= lo && x <= hi; }

static int cw_dp_day_add(cw_dp_day_t *d, int v) {
    if (d->n >= 3)
        return 0;
    d->comp[d->n++] = v;
    return 1;
}

static int cw_dp_time_add(cw_dp_time_t *t, int v) {
    if (t->n >= 4)
        return 0;
    t->comp[t->n++] = v;
    return 1;
}

static int cw_dp_time_add_final(cw_dp_time_t *t, int v) {
    if (!cw_dp_time_add(t, v))
        return 0;
    while (t->n < 4)
        t->comp[t->n++] = 0;
    return 1;
}

static int cw_dp_time_expecting(const cw_dp_time_t *t, int v) {
    return (t->n == 1 && cw_dp_between(v, 0, 59)) || (t->n == 2 && cw_dp_between(v, 0, 59)) ||
           (t->n == 3 && cw_dp_between(v, 0, 999));
}

static void cw_dp_tz_set(cw_dp_tz_t *z, int hours) {
    z->sign = hours < 0 ? -1 : 1;
    z->hour = hours * z->sign;
    z->minute = 0;
}

static int cw_dp_tz_expecting(const cw_dp_tz_t *z, int v) {
    return z->hour != CW_DP_NONE && z->minute == CW_DP_NONE && cw_dp_between(v, 0, 59);
}

static int cw_dp_tz_is_utc(const cw_dp_tz_t *z) { return z->hour == 0 && z->minute == 0; }

static int cw_dp_read_ms(cw_dp_tok_t t) {
    int number = t.value, length = t.length;
    if (length == 1)
        number *= 100;
    else if (length == 2)
        number *= 10;
    else if (length > 3) {
        if (length > 9)
            length = 9;
        int factor = 1;
        do {
            factor *= 10;
            length--;
        } while (length > 3);
        number /= factor;
    }
    return number;
}

/* The ES5 form; returns the first token it did not handle (END when it read
 * everything, INVALID when the string is malformed). */
static cw_dp_tok_t cw_dp_es5(cw_dp_t *s, cw_dp_day_t *day, cw_dp_time_t *time, cw_dp_tz_t *tz) {
    cw_dp_tok_t bad = {CW_DP_T_INVALID, 0, 0}, end = {CW_DP_T_END, 0, 0};
    if (cw_dp_is_sign(s->next)) {
        cw_dp_tok_t sign = cw_dp_next(s);
        if (!cw_dp_is_num(s->next, 6))
            return sign;
        int year = cw_dp_next(s).value;
        if (sign.value == '-' && year == 0)
            return sign;
        cw_dp_day_add(day, sign.value == '-' ? -year : year);
    } else if (cw_dp_is_num(s->next, 4)) {
        cw_dp_day_add(day, cw_dp_next(s).value);
    } else {
        return cw_dp_next(s);
    }
    if (cw_dp_skip(s, '-')) {
        if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 1, 12))
            return cw_dp_next(s);
        cw_dp_day_add(day, cw_dp_next(s).value);
        if (cw_dp_skip(s, '-')) {
            if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 1, 31))
                return cw_dp_next(s);
            cw_dp_day_add(day, cw_dp_next(s).value);
        }
    }
    if (s->next.tag != CW_DP_KW_TSEP) {
        if (s->next.tag != CW_DP_T_END)
            return cw_dp_next(s);
    } else {
        cw_dp_next(s);
        if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 0, 24))
            return bad;
        int h24 = s->next.value == 24;
        cw_dp_time_add(time, cw_dp_next(s).value);
        if (!cw_dp_skip(s, ':'))
            return bad;
        if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 0, 59) || (h24 && s->next.value > 0))
            return bad;
        cw_dp_time_add(time, cw_dp_next(s).value);
        if (cw_dp_skip(s, ':')) {
            if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 0, 59) ||
                (h24 && s->next.value > 0))
                return bad;
            cw_dp_time_add(time, cw_dp_next(s).value);
            if (cw_dp_skip(s, '.')) {
                if (s->next.tag != CW_DP_T_NUMBER || (h24 && s->next.value > 0))
                    return bad;
                cw_dp_time_add(time, cw_dp_read_ms(cw_dp_next(s)));
            }
        }
        if (cw_dp_is_z(s->next)) {
            cw_dp_next(s);
            cw_dp_tz_set(tz, 0);
        } else if (cw_dp_is_sign(s->next)) {
            tz->sign = cw_dp_next(s).value == '+' ? 1 : -1;
            if (cw_dp_is_num(s->next, 4)) {
                int hm = cw_dp_next(s).value;
                if (!cw_dp_between(hm / 100, 0, 23) || !cw_dp_between(hm % 100, 0, 59))
                    return bad;
                tz->hour = hm / 100, tz->minute = hm % 100;
            } else {
                if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 0, 23))
                    return bad;
                tz->hour = cw_dp_next(s).value;
                if (!cw_dp_skip(s, ':'))
                    return bad;
                if (!cw_dp_is_num(s->next, 2) || !cw_dp_between(s->next.value, 0, 59))
                    return bad;
                tz->minute = cw_dp_next(s).value;
            }
        }
        if (s->next.tag != CW_DP_T_END)
            return bad;
    }
    /* Date-only forms are UTC, date-time forms local time. */
    if (tz->sign == CW_DP_NONE && time->n == 0)
        cw_dp_tz_set(tz, 0);
    day->iso = 1;
    return end;
}

double cw_date_parse(const char *str, size_t len) {
    cw_dp_t s = {(const unsigned char *)str, (const unsigned char *)str + len, 0, -1, {0, 0, 0}};
    cw_dp_day_t day = {{0, 0, 0}, 0, CW_DP_NONE, 0};
    cw_dp_time_t time = {{0, 0, 0, 0}, 0, CW_DP_NONE};
    cw_dp_tz_t tz = {CW_DP_NONE, CW_DP_NONE, CW_DP_NONE};
    cw_dp_advance(&s);
    s.next = cw_dp_scan(&s);

    cw_dp_tok_t tok = cw_dp_es5(&s, &day, &time, &tz);
    if (tok.tag == CW_DP_T_INVALID)
        return NAN;
    int has_number = day.n > 0;
    for (; tok.tag != CW_DP_T_END; tok = cw_dp_next(&s)) {
        if (tok.tag == CW_DP_T_NUMBER) {
            has_number = 1;
            int n = tok.value;
            if (cw_dp_skip(&s, ':')) {
                if (cw_dp_skip(&s, ':')) {
                    if (time.n != 0)
                        return NAN;
                    cw_dp_time_add(&time, n);
                    cw_dp_time_add(&time, 0);
                } else {
                    if (!cw_dp_time_add(&time, n))
                        return NAN;
                    if (cw_dp_is_sym(s.next, '.'))
                        cw_dp_next(&s);
                }
            } else if (cw_dp_skip(&s, '.') && cw_dp_time_expecting(&time, n)) {
                /* (V8 consumes the '.' even when no time is expected) */
                cw_dp_time_add(&time, n);
                if (s.next.tag != CW_DP_T_NUMBER)
                    return NAN;
                cw_dp_time_add_final(&time, cw_dp_read_ms(cw_dp_next(&s)));
            } else if (cw_dp_tz_expecting(&tz, n)) {
                tz.minute = n;
            } else if (cw_dp_time_expecting(&time, n)) {
                cw_dp_time_add_final(&time, n);
                cw_dp_tok_t p = s.next;
                if (p.tag != CW_DP_T_END && p.tag != CW_DP_T_SPACE && !cw_dp_is_z(p) && !cw_dp_is_sign(p))
                    return NAN;
            } else {
                if (!cw_dp_day_add(&day, n))
                    return NAN;
                cw_dp_skip(&s, '-');
            }
        } else if (tok.tag >= 0) { /* a word */
            if (tok.tag == CW_DP_KW_AMPM && time.n != 0) {
                time.hour_offset = tok.value;
            } else if (tok.tag == CW_DP_KW_MONTH) {
                day.named_month = tok.value;
                cw_dp_skip(&s, '-');
            } else if (tok.tag == CW_DP_KW_ZONE && has_number) {
                cw_dp_tz_set(&tz, tok.value);
            } else {
                if (has_number)
                    return NAN; /* garbage after a number */
                if (s.next.tag == CW_DP_T_NUMBER)
                    return NAN; /* garbage glued to the first number */
            }
        } else if (cw_dp_is_sign(tok) && (cw_dp_tz_is_utc(&tz) || time.n != 0)) {
            tz.sign = tok.value == '+' ? 1 : -1;
            int n = 0, length = 0;
            if (s.next.tag == CW_DP_T_NUMBER) {
                cw_dp_tok_t num = cw_dp_next(&s);
                n = num.value, length = num.length;
            }
            has_number = 1;
            if (cw_dp_is_sym(s.next, ':')) {
                tz.hour = n, tz.minute = CW_DP_NONE;
            } else if (length == 1 || length == 2) {
                tz.hour = n, tz.minute = 0;
            } else if (length == 3 || length == 4) {
                tz.hour = n / 100, tz.minute = n % 100;
            } else {
                return NAN;
            }
        } else if ((cw_dp_is_sign(tok) || cw_dp_is_sym(tok, ')')) && has_number) {
            return NAN;
        }
        /* anything else is ignored */
    }

    /* DayComposer::Write */
    if (day.n < 1)
        return NAN;
    while (day.n < 3)
        day.comp[day.n++] = 1;
    int year = 0, month, mday;
    if (day.named_month == CW_DP_NONE) {
        if (day.iso || !cw_dp_between(day.comp[0], 1, 31)) {
            year = day.comp[0], month = day.comp[1], mday = day.comp[2];
        } else {
            month = day.comp[0], mday = day.comp[1], year = day.comp[2];
        }
    } else {
        month = day.named_month;
        if (!cw_dp_between(day.comp[0], 1, 31)) {
            year = day.comp[0], mday = day.comp[1];
        } else {
            mday = day.comp[0], year = day.comp[1];
        }
    }
    if (!day.iso) {
        if (cw_dp_between(year, 0, 49))
            year += 2000;
        else if (cw_dp_between(year, 50, 99))
            year += 1900;
    }
    if (!cw_dp_between(month, 1, 12) || !cw_dp_between(mday, 1, 31))
        return NAN;

    /* TimeComposer::Write */
    while (time.n < 4)
        time.comp[time.n++] = 0;
    int hour = time.comp[0], minute = time.comp[1], second = time.comp[2], ms = time.comp[3];
    if (time.hour_offset != CW_DP_NONE) {
        if (!cw_dp_between(hour, 0, 12))
            return NAN;
        hour = hour % 12 + time.hour_offset;
    }
    if (!cw_dp_between(hour, 0, 23) || !cw_dp_between(minute, 0, 59) || !cw_dp_between(second, 0, 59) ||
        !cw_dp_between(ms, 0, 999)) {
        if (hour != 24 || minute != 0 || second != 0 || ms != 0)
            return NAN;
    }

    double date = cw_date_make_day(year, month - 1, mday) * CW_DATE_MS_DAY +
                  cw_date_make_time(hour, minute, second, ms);
    if (tz.sign != CW_DP_NONE) {
        double h = tz.hour == CW_DP_NONE ? 0 : tz.hour, m = tz.minute == CW_DP_NONE ? 0 : tz.minute;
        double off = (h * 3600 + m * 60) * tz.sign;
        if (h * 3600 + m * 60 > 1073741823.0)
            return NAN;
        date -= off * 1000.0;
        if (fabs(date) > CW_DATE_MAX_TIME)
            return NAN;
    } else {
        if (!isfinite(date) || fabs(date) > CW_DATE_MAX_LOCAL)
            return NAN;
        date -= cw_tz_offset_at_local(date);
    }
    return cw_date_time_clip(date);
}

/* ---- formatting ---------------------------------------------------------- */

static const char *const cw_date_wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const cw_date_mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

typedef struct {
    int year, month, day, wday, hour, minute, second, ms;
} cw_date_parts_t;

static void cw_date_split(double t, cw_date_parts_t *p) {
    double days = floor(t / CW_DATE_MS_DAY);
    double in_day = t - days * CW_DATE_MS_DAY;
    cw_date_civil_from_days(days, &p->year, &p->month, &p->day);
    double w = fmod(days + 4, 7);
    p->wday = (int)(w < 0 ? w + 7 : w);
    int ms = (int)in_day;
    p->hour = ms / 3600000;
    p->minute = ms / 60000 % 60;
    p->second = ms / 1000 % 60;
    p->ms = ms % 1000;
}

/* V8 names the zone (standard or daylight) of a time before 1970 or after
 * 2038 from an "equivalent" year in 2008..2035 with the same leap-ness and
 * weekday of January 1st (DateCache::EquivalentTime); the offset itself is
 * the real, historical one. */
static double cw_date_name_time(double t) {
    if (t >= 0 && t <= 2147483647000.0)
        return t;
    double days = floor(t / CW_DATE_MS_DAY);
    double in_day = t - days * CW_DATE_MS_DAY;
    int y, m, d;
    cw_date_civil_from_days(days, &y, &m, &d);
    double w = fmod(cw_date_days_from_civil(y, 1, 1) + 4, 7);
    int wday = (int)(w < 0 ? w + 7 : w);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int recent = (leap ? 1956 : 1967) + (wday * 12) % 28;
    int eq = 2008 + (recent + 3 * 28 - 2008) % 28;
    return (cw_date_days_from_civil(eq, m, 1) + d - 1) * CW_DATE_MS_DAY + in_day;
}

size_t cw_date_format(double t, int kind, char *buf, size_t size) {
    if (!isfinite(t))
        return (size_t)snprintf(buf, size, "Invalid Date");
    cw_date_parts_t p;
    if (kind == CW_DATE_FMT_UTC || kind == CW_DATE_FMT_ISO) {
        cw_date_split(t, &p);
        if (kind == CW_DATE_FMT_UTC)
            return (size_t)snprintf(buf, size, p.year < 0 ? "%s, %02d %s %05d %02d:%02d:%02d GMT"
                                                          : "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                    cw_date_wday[p.wday], p.day, cw_date_mon[p.month - 1], p.year, p.hour,
                                    p.minute, p.second);
        char year[16];
        if (p.year >= 0 && p.year <= 9999)
            snprintf(year, sizeof(year), "%04d", p.year);
        else
            snprintf(year, sizeof(year), "%c%06d", p.year < 0 ? '-' : '+', p.year < 0 ? -p.year : p.year);
        return (size_t)snprintf(buf, size, "%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year, p.month, p.day, p.hour,
                                p.minute, p.second, p.ms);
    }
    double off = cw_tz_offset_at_utc(t);
    cw_date_split(t + off, &p);
    /* V8: the offset shown is (UTC - local) in whole minutes, negated. */
    int offmin = -(int)((t - (t + off)) / 60000.0);
    char sign = offmin < 0 ? '-' : '+';
    int aoff = offmin < 0 ? -offmin : offmin;
    char name[96];
    char date[48] = "", tm[160] = "";
    if (kind != CW_DATE_FMT_TIME)
        snprintf(date, sizeof(date), p.year < 0 ? "%s %s %02d %05d" : "%s %s %02d %04d", cw_date_wday[p.wday],
                 cw_date_mon[p.month - 1], p.day, p.year);
    if (kind != CW_DATE_FMT_DATE) {
        cw_tz_name(cw_date_name_time(t), name, sizeof(name));
        snprintf(tm, sizeof(tm), "%02d:%02d:%02d GMT%c%02d%02d (%s)", p.hour, p.minute, p.second, sign,
                 aoff / 60, aoff % 60, name);
    }
    return (size_t)snprintf(buf, size, "%s%s%s", date, kind == CW_DATE_FMT_FULL ? " " : "", tm);
}

/* ---- the engine hook ------------------------------------------------------ */

int cw_date_tzoffset(double t, double local, int resolving) {
    return (int)((resolving ? cw_tz_offset_at_local(local) : cw_tz_offset_at_utc(t)) / 1000.0);
}

/* ---- the built-ins -------------------------------------------------------- */

#define CW_DATE_STASH_CTOR "cwDateCtor"
#define CW_DATE_STASH_GETTIME "cwDateGetTime"

/* Push the original (Duktape) Date constructor. */
static void cw_date_push_original(duk_context *ctx) {
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_DATE_STASH_CTOR);
    duk_remove(ctx, -2);
}

static duk_ret_t cw_date_try_time(duk_context *ctx, void *udata);

/* The time value of `this`; V8's TypeError when it is not a Date. */
static double cw_date_this_time(duk_context *ctx, const char *method) {
    duk_push_this(ctx);
    if (duk_safe_call(ctx, cw_date_try_time, NULL, 1, 1) != DUK_EXEC_SUCCESS) {
        duk_push_this(ctx);
        const char *recv = duk_is_object(ctx, -1) ? "#<Object>" : duk_safe_to_string(ctx, -1);
        (void)duk_error(ctx, DUK_ERR_TYPE_ERROR, "Method Date.prototype.%s called on incompatible receiver %s",
                        method, recv);
    }
    double t = duk_get_number(ctx, -1);
    duk_pop(ctx);
    return t;
}

static duk_ret_t cw_date_try_time(duk_context *ctx, void *udata) {
    (void)udata;
    duk_push_heap_stash(ctx);
    duk_get_prop_string(ctx, -1, CW_DATE_STASH_GETTIME);
    duk_remove(ctx, -2);
    duk_dup(ctx, -2);
    duk_call_method(ctx, 0);
    return 1;
}

static double cw_date_string_value(duk_context *ctx, duk_idx_t idx) {
    duk_size_t n;
    const char *s = duk_get_lstring(ctx, idx, &n);
    return cw_date_parse(s, n);
}

static void cw_date_push_string(duk_context *ctx, double t, int kind) {
    char buf[256];
    size_t n = cw_date_format(t, kind, buf, sizeof(buf));
    duk_push_lstring(ctx, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}

/* Date(...): called, the current time as a string; constructed, a Date
 * whose string argument went through cw_date_parse. */
static duk_ret_t cw_date_ctor(duk_context *ctx) {
    duk_idx_t nargs = duk_get_top(ctx);
    if (!duk_is_constructor_call(ctx)) {
        cw_date_push_string(ctx, floor(duk_get_now(ctx)), CW_DATE_FMT_FULL);
        return 1;
    }
    if (nargs == 1) {
        double t = NAN;
        int is_date = 0;
        if (duk_is_object(ctx, 0)) {
            duk_dup(ctx, 0);
            is_date = duk_safe_call(ctx, cw_date_try_time, NULL, 1, 1) == DUK_EXEC_SUCCESS;
            t = duk_get_number(ctx, -1); /* a Date: its time value, exactly */
            duk_pop(ctx);
        }
        if (!is_date) {
            duk_to_primitive(ctx, 0, DUK_HINT_NONE);
            t = duk_is_string(ctx, 0) ? cw_date_string_value(ctx, 0) : duk_to_number(ctx, 0);
        }
        cw_date_push_original(ctx);
        duk_push_number(ctx, cw_date_time_clip(t));
        duk_new(ctx, 1);
        return 1;
    }
    cw_date_push_original(ctx);
    if (nargs == 0) {
        duk_new(ctx, 0);
        return 1;
    }
    /* Local date parts: composed here so that a skipped or repeated local
     * time resolves as in V8 (cw_tz_offset_at_local), not by Duktape's
     * fixed-point iteration. */
    double f[7] = {NAN, 0, 1, 0, 0, 0, 0};
    for (duk_idx_t i = 0; i < nargs; i++) {
        double v = duk_to_number(ctx, i);
        if (i < 7)
            f[i] = v;
    }
    if (isfinite(f[0]) && trunc(f[0]) >= 0 && trunc(f[0]) <= 99)
        f[0] = 1900 + trunc(f[0]);
    double local = cw_date_make_day(f[0], f[1], f[2]) * CW_DATE_MS_DAY + cw_date_make_time(f[3], f[4], f[5], f[6]);
    double t = isfinite(local) && fabs(local) <= CW_DATE_MAX_LOCAL ? local - cw_tz_offset_at_local(local) : NAN;
    duk_push_number(ctx, cw_date_time_clip(t));
    duk_new(ctx, 1);
    return 1;
}

static duk_ret_t cw_date_parse_fn(duk_context *ctx) {
    duk_to_string(ctx, 0);
    duk_push_number(ctx, cw_date_string_value(ctx, 0));
    return 1;
}

/* Date.UTC(year[, month[, date[, h[, m[, s[, ms]]]]]]): a lone year counts. */
static duk_ret_t cw_date_utc(duk_context *ctx) {
    duk_idx_t n = duk_get_top(ctx);
    double f[7] = {NAN, 0, 1, 0, 0, 0, 0};
    for (duk_idx_t i = 0; i < 7 && i < n; i++)
        f[i] = duk_to_number(ctx, i);
    if (n == 0) {
        duk_push_nan(ctx);
        return 1;
    }
    double y = f[0];
    if (isfinite(y)) {
        double yi = trunc(y);
        if (yi >= 0 && yi <= 99)
            y = 1900 + yi;
    }
    double t = cw_date_make_day(y, f[1], f[2]) * CW_DATE_MS_DAY + cw_date_make_time(f[3], f[4], f[5], f[6]);
    duk_push_number(ctx, cw_date_time_clip(t));
    return 1;
}

static duk_ret_t cw_date_to_string(duk_context *ctx) {
    static const char *const names[] = {"toString", "toDateString", "toTimeString", "toUTCString"};
    int kind = duk_get_current_magic(ctx);
    double t = cw_date_this_time(ctx, names[kind & 3]);
    cw_date_push_string(ctx, t, kind);
    return 1;
}

static duk_ret_t cw_date_to_iso(duk_context *ctx) {
    double t = cw_date_this_time(ctx, "toISOString");
    if (!isfinite(t))
        return duk_error(ctx, DUK_ERR_RANGE_ERROR, "Invalid time value");
    cw_date_push_string(ctx, t, CW_DATE_FMT_ISO);
    return 1;
}

static void cw_date_def_length(duk_context *ctx, int length) {
    duk_push_string(ctx, "length");
    duk_push_int(ctx, length);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
}


void cw_date_install(duk_context *ctx) {
    duk_push_global_object(ctx);
    duk_get_prop_string(ctx, -1, "Date"); /* [ global Date ] */
    duk_push_heap_stash(ctx);
    duk_dup(ctx, -2);
    duk_put_prop_string(ctx, -2, CW_DATE_STASH_CTOR);
    duk_get_prop_string(ctx, -2, "prototype");
    duk_get_prop_string(ctx, -1, "getTime");
    duk_put_prop_string(ctx, -3, CW_DATE_STASH_GETTIME);
    duk_pop_2(ctx); /* [ global Date ] */

    duk_push_c_function(ctx, cw_date_ctor, DUK_VARARGS); /* [ global Date ctor ] */
    cw_date_def_length(ctx, 7);
    duk_push_string(ctx, "name");
    duk_push_string(ctx, "Date");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE | DUK_DEFPROP_SET_CONFIGURABLE);
    duk_push_string(ctx, "prototype");
    duk_get_prop_string(ctx, -3, "prototype");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE);
    duk_push_string(ctx, "now");
    duk_get_prop_string(ctx, -3, "now");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_SET_CONFIGURABLE |
                              DUK_DEFPROP_FORCE);
    cw_runtime_def_method(ctx, -1, "parse", cw_date_parse_fn, 1, 1, 0);
    cw_runtime_def_method(ctx, -1, "UTC", cw_date_utc, DUK_VARARGS, 7, 0);

    duk_get_prop_string(ctx, -1, "prototype"); /* [ global Date ctor proto ] */
    duk_push_string(ctx, "constructor");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_CLEAR_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    cw_runtime_def_method(ctx, -1, "toString", cw_date_to_string, 0, 0, CW_DATE_FMT_FULL);
    cw_runtime_def_method(ctx, -1, "toDateString", cw_date_to_string, 0, 0, CW_DATE_FMT_DATE);
    cw_runtime_def_method(ctx, -1, "toTimeString", cw_date_to_string, 0, 0, CW_DATE_FMT_TIME);
    cw_runtime_def_method(ctx, -1, "toUTCString", cw_date_to_string, 0, 0, CW_DATE_FMT_UTC);
    duk_push_string(ctx, "toGMTString"); /* the same function object, as in V8 */
    duk_get_prop_string(ctx, -2, "toUTCString");
    duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_CLEAR_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    cw_runtime_def_method(ctx, -1, "toISOString", cw_date_to_iso, 0, 0, 0);
    duk_pop(ctx); /* [ global Date ctor ] */

    duk_push_string(ctx, "Date");
    duk_swap(ctx, -1, -2); /* [ global Date "Date" ctor ] */
    duk_def_prop(ctx, -4, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WRITABLE | DUK_DEFPROP_CLEAR_ENUMERABLE |
                              DUK_DEFPROP_SET_CONFIGURABLE | DUK_DEFPROP_FORCE);
    duk_pop_2(ctx);
}
