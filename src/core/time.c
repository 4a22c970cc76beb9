/* aiatime.c — times as integer TAI microseconds, parsed from the stamps AIA
 * headers and tables use: ISO UTC ("2014-01-01T00:00:12.34Z", the Z
 * optional) and JSOC ("2014.01.01_00:00:00_TAI", or _UTC). Elapsed times
 * count leap seconds, as astropy's Time differences do (aiapy's degradation
 * uses them). */
#include "core/time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAI - UTC from each date on (IERS Bulletin C); no leap second since 2017. */
static const struct { int y, m, d, offset; } leap_table[] = {
    {1972, 1, 1, 10}, {1972, 7, 1, 11}, {1973, 1, 1, 12}, {1974, 1, 1, 13}, {1975, 1, 1, 14},
    {1976, 1, 1, 15}, {1977, 1, 1, 16}, {1978, 1, 1, 17}, {1979, 1, 1, 18}, {1980, 1, 1, 19},
    {1981, 7, 1, 20}, {1982, 7, 1, 21}, {1983, 7, 1, 22}, {1985, 7, 1, 23}, {1988, 1, 1, 24},
    {1990, 1, 1, 25}, {1991, 1, 1, 26}, {1992, 7, 1, 27}, {1993, 7, 1, 28}, {1994, 7, 1, 29},
    {1996, 1, 1, 30}, {1997, 7, 1, 31}, {1999, 1, 1, 32}, {2006, 1, 1, 33}, {2009, 1, 1, 34},
    {2012, 7, 1, 35}, {2015, 7, 1, 36}, {2017, 1, 1, 37},
};

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#define US_PER_DAY INT64_C(86400000000)

/* TAI - UTC in seconds at a UTC instant given as microseconds since 1970
 * (on the UTC scale, days of 86400 s). */
static int leap_offset_utc(int64_t utc_us)
{
    int offset = 10;
    for (size_t i = 0; i < sizeof leap_table / sizeof leap_table[0]; i++)
        if (utc_us >= days_from_civil(leap_table[i].y, leap_table[i].m, leap_table[i].d) * US_PER_DAY)
            offset = leap_table[i].offset;
    return offset;
}

/* Parse "SS" or "SS.ffffff" into microseconds. */
static int parse_seconds(const char *s, const char **end, int64_t *us)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return -1;
    int64_t v = ((s[0] - '0') * 10 + (s[1] - '0')) * INT64_C(1000000);
    s += 2;
    if (*s == '.') {
        s++;
        int64_t scale = 100000;
        while (isdigit((unsigned char)*s)) {
            v += (*s - '0') * scale;
            scale /= 10;
            s++;
        }
    }
    *us = v;
    *end = s;
    return 0;
}

/* n digits exactly (no sign, no blank: sscanf's %d takes both) */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int aia_time_parse(const char *text, aia_time *out)
{
    int y, mo, d, h, mi;
    while (*text == ' ')
        text++;
    /* YYYY-MM-DDThh:mm: (or . separators and _ / blank before the hour) */
    const char sep = strlen(text) >= 17 ? text[4] : 0; /* the shortest stamp: YYYY-MM-DDThh:mm: */
    if (!sep || !digits(text, 4, &y) || (sep != '-' && sep != '.') || !digits(text + 5, 2, &mo) ||
        text[7] != sep || !digits(text + 8, 2, &d) || (text[10] != 'T' && text[10] != '_' && text[10] != ' ') ||
        !digits(text + 11, 2, &h) || text[13] != ':' || !digits(text + 14, 2, &mi) || text[16] != ':')
        return aia_fail(AIA_ERR_ARG, "time '%s' is not YYYY-MM-DDThh:mm:ss[.f][Z] nor JSOC's "
                                     "YYYY.MM.DD_hh:mm:ss[.f]_TAI", text);
    int64_t sec_us;
    const char *rest;
    if (parse_seconds(text + 17, &rest, &sec_us) != 0)
        return aia_fail(AIA_ERR_ARG, "time '%s': the seconds are not ss[.f]", text);
    if (mo < 1 || mo > 12)
        return aia_fail(AIA_ERR_ARG, "time '%s': there is no month %d", text, mo);
    if (d < 1 || d > days_in_month(y, mo))
        return aia_fail(AIA_ERR_ARG, "time '%s': %04d-%02d has no day %d", text, y, mo, d);
    /* a leap second (ss = 60) only ends a day */
    if (h > 23 || mi > 59 || sec_us >= INT64_C(61000000) ||
        (sec_us >= INT64_C(60000000) && (h != 23 || mi != 59)))
        return aia_fail(AIA_ERR_ARG, "time '%s': the time of day is impossible", text);
    int tai = 0;
    if (*rest == 'Z' || *rest == 'z')
        rest++;
    else if (strcmp(rest, "_TAI") == 0 || strcmp(rest, "_tai") == 0)
        rest += 4, tai = 1;
    else if (strcmp(rest, "_UTC") == 0 || strcmp(rest, "_utc") == 0)
        rest += 4;
    while (*rest == ' ')
        rest++;
    if (*rest)
        return aia_fail(AIA_ERR_ARG, "time '%s': unexpected '%s' at the end", text, rest);
    const int64_t us = days_from_civil(y, mo, d) * US_PER_DAY +
                       ((int64_t)h * 3600 + (int64_t)mi * 60) * INT64_C(1000000) + sec_us;
    /* on the TAI scale: add TAI - UTC for UTC stamps; a leap second,
     * 23:59:60.x, still has the day's offset (on the 86400-s scale it lies
     * in the next day, which has the new one) */
    const int64_t offset_at = sec_us >= INT64_C(60000000) ? us - INT64_C(1000000) : us;
    const int64_t tai_us = tai ? us : us + (int64_t)leap_offset_utc(offset_at) * INT64_C(1000000);
    /* before 1900 UTC is no time of SDO's or of its tables, and a TAI stamp
     * of year 0 would print as UTC year -1, which nothing reads back */
    const int64_t y1900 = days_from_civil(1900, 1, 1) * US_PER_DAY;
    if (tai_us < y1900 + (int64_t)leap_offset_utc(y1900) * INT64_C(1000000))
        return aia_fail(AIA_ERR_ARG, "time '%s' is before 1900-01-01 UTC: not a time of SDO's data or tables", text);
    out->tai_us = tai_us;
    return AIA_OK;
}

double aia_time_days_between(const aia_time *from, const aia_time *to)
{
    return (double)(to->tai_us - from->tai_us) / 86400e6;
}

int aia_time_compare(const aia_time *a, const aia_time *b)
{
    return (a->tai_us > b->tai_us) - (a->tai_us < b->tai_us);
}

/* Whether t lies inside an inserted (leap) second. */
static int in_leap_second(int64_t tai_us)
{
    for (size_t i = 1; i < sizeof leap_table / sizeof leap_table[0]; i++) {
        const int64_t day = days_from_civil(leap_table[i].y, leap_table[i].m, leap_table[i].d) * US_PER_DAY;
        if (tai_us >= day + (int64_t)leap_table[i - 1].offset * INT64_C(1000000) &&
            tai_us < day + (int64_t)leap_table[i].offset * INT64_C(1000000))
            return 1;
    }
    return 0;
}

void aia_time_format_utc(const aia_time *t, char *buf, size_t size)
{
    /* inside a leap second: the day before's 23:59:60.x (computed as the
     * second before, 23:59:59.x, and printed one second on) */
    const int leap = in_leap_second(t->tai_us);
    const int64_t tai = leap ? t->tai_us - INT64_C(1000000) : t->tai_us;
    /* undo the leap offset: the offset in force at (t - offset) */
    int64_t utc = tai - 37 * INT64_C(1000000);
    for (int i = 0; i < 2; i++)
        utc = tai - (int64_t)leap_offset_utc(utc) * INT64_C(1000000);
    int64_t days = utc >= 0 ? utc / US_PER_DAY : -((-utc + US_PER_DAY - 1) / US_PER_DAY);
    int64_t rem = utc - days * US_PER_DAY;
    /* civil from days (inverse of days_from_civil) */
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    const int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%09.6f", (long long)y, m, d, (int)(rem / INT64_C(3600000000)),
             (int)(rem / 60000000 % 60), (double)(rem % 60000000) / 1e6 + (leap ? 1.0 : 0.0));
}
