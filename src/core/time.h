/* time.h — times as TAI microseconds since 1970-01-01: ISO and JSOC stamps,
 * leap seconds (time.c). Internal. */
#ifndef AIAPREP_CORE_TIME_H
#define AIAPREP_CORE_TIME_H

#include "core/core.h"

typedef struct aia_time {
    int64_t tai_us;
} aia_time;

/* ISO UTC ("2014-01-01T00:00:12.34Z", Z optional, 'T' or ' ') or JSOC
 * ("2014.01.01_00:00:00_TAI" or _UTC), from 1900-01-01 UTC on. */
int aia_time_parse(const char *text, aia_time *t);
/* Elapsed days, leap seconds counted (astropy's Time difference). */
double aia_time_days_between(const aia_time *from, const aia_time *to);
int aia_time_compare(const aia_time *a, const aia_time *b);
void aia_time_format_utc(const aia_time *t, char *buf, size_t size);

#endif
