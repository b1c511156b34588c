/*
 * timefmt.h - time as spanwatch stores and prints it.
 *
 * Internally every time is an int64 count of microseconds since the Unix
 * epoch (packet time, never the wall clock, drives detection). On the way
 * out it becomes ISO 8601 UTC text with microseconds, the form the contract
 * views use: 2026-11-27T17:09:41.508835Z.
 */
#ifndef SW_TIMEFMT_H
#define SW_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#define SW_ISO_LEN 32 /* "2026-11-27T17:09:41.508835Z" plus room */

/* Inline: the capture loop converts every packet's time. */
static inline int64_t sw_tv_to_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * INT64_C(1000000) + (int64_t)tv->tv_usec;
}
/* Wall clock, for run bookkeeping only. */
int64_t sw_now_us(void);
/* Milliseconds of a clock that never goes back (CLOCK_MONOTONIC), for
 * timeouts, deadlines and pacing. */
int64_t sw_mono_ms(void);
/* Sleep ms milliseconds, the whole of it even across signals; nothing for
 * ms <= 0. */
void sw_sleep_ms(int64_t ms);
/* ISO 8601 UTC with microseconds; returns buf. */
char *sw_iso_utc(int64_t us, char *buf, size_t len);
/* Parse the form sw_iso_utc() writes (fraction optional, 'Z' required);
 * returns 0 and sets *us, or -1. */
int sw_iso_parse(const char *s, int64_t *us);
/* The same layout with the zone written as 'Z', "+HH:MM", "-HH:MM", "+HHMM"
 * or "-HHMM" (offsets up to 23:59) and a fraction of 1-9 digits (digits
 * past the microsecond are dropped), as RFC 5424 and rsyslog's
 * high-precision format write it. The result is UTC. Returns 0 and sets
 * *us, or -1 and leaves *us alone. */
int sw_iso_parse_offset(const char *s, int64_t *us);

/* The local time (TZ) of us, in the second that holds it (negative times
 * round down); false if the C library cannot represent it. */
bool sw_local_tm(int64_t us, struct tm *tm);
/* A UTC offset in seconds as "+0530" (colon false) or "+05:30". */
void sw_utc_offset(long seconds, bool colon, char *out, size_t len);

/* Calendar helpers for parsers of other time formats (the analyzer's log
 * stamps): exactly n decimal digits at s; leap years; days in month m
 * (1-12) of year y. */
bool sw_digits(const char *s, int n, int *out);
bool sw_is_leap(int y);
int sw_days_in_month(int y, int m);

/* A date and a time of day as a stamp writes them (month 1-12). */
struct sw_civil {
	int y, mo, d, h, mi, sec;
};
/* Month, day, hour and minute in range, and the second up to max_sec
 * (59, or 60 where a leap second may be written); the year is the
 * caller's to bound. */
bool sw_civil_valid(const struct sw_civil *c, int max_sec);
/* c as a struct tm for timegm() or mktime() (tm_isdst -1: mktime finds
 * whether summer time applies). */
void sw_civil_tm(const struct sw_civil *c, struct tm *tm);

#endif
