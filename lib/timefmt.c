/*
 * timefmt.c - microsecond times and their ISO 8601 UTC text (see timefmt.h).
 *
 * sw_iso_utc() writes exactly "YYYY-MM-DDTHH:MM:SS.ffffffZ" (27 characters).
 * Times before the epoch are formatted correctly (proleptic Gregorian,
 * fraction rounded toward the earlier instant, so -1 us is
 * 1969-12-31T23:59:59.999999Z). The text form only covers years 0000-9999:
 * times outside that range are clamped to its first or last microsecond.
 *
 * sw_iso_parse() accepts only that layout, with the fraction optional or
 * 1-6 digits long, and the 'Z' required. Fields are range checked (month
 * 1-12, day within the month incl. leap years, hour 0-23, minute and second
 * 0-59: no leap seconds); lower-case 't'/'z', offsets, spaces, signs and
 * trailing text are rejected.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>

#include <errno.h>
#endif

#include "timefmt.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_SEC INT64_C(1000000)
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since the epoch */
#define ISO_MIN_SEC INT64_C(-62167219200)
#define ISO_MAX_SEC INT64_C(253402300799)
#define ISO_MIN_US (ISO_MIN_SEC * US_PER_SEC)
#define ISO_MAX_US (ISO_MAX_SEC * US_PER_SEC + US_PER_SEC - 1)

int64_t sw_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t sw_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sw_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

/* A buffer shorter than the full text gets an empty string. */
char *sw_iso_utc(int64_t us, char *buf, size_t len)
{
	struct tm tm;

	if (len == 0)
		return buf;
	if (us < ISO_MIN_US)
		us = ISO_MIN_US;
	if (us > ISO_MAX_US)
		us = ISO_MAX_US;

	int64_t sec = us / US_PER_SEC;
	int64_t frac = us % US_PER_SEC;
	if (frac < 0) {
		frac += US_PER_SEC;
		sec--;
	}
	time_t t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL) {
		buf[0] = '\0';
		return buf;
	}
	int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
	return buf;
}

/* Exactly n decimal digits at s; false on anything else. */
bool sw_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool sw_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sw_days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30,
				       31, 31, 30, 31, 30, 31 };
	return m == 2 && sw_is_leap(y) ? 29 : mdays[m - 1];
}

bool sw_civil_valid(const struct sw_civil *c, int max_sec)
{
	return c->mo >= 1 && c->mo <= 12 && c->d >= 1 && c->d <= sw_days_in_month(c->y, c->mo) &&
	       c->h >= 0 && c->h <= 23 && c->mi >= 0 && c->mi <= 59 && c->sec >= 0 &&
	       c->sec <= max_sec;
}

void sw_civil_tm(const struct sw_civil *c, struct tm *tm)
{
	memset(tm, 0, sizeof *tm);
	tm->tm_year = c->y - 1900;
	tm->tm_mon = c->mo - 1;
	tm->tm_mday = c->d;
	tm->tm_hour = c->h;
	tm->tm_min = c->mi;
	tm->tm_sec = c->sec;
	tm->tm_isdst = -1;
}

/* The optional ".f{1,6}" and the final "Z"; sets *frac in microseconds. */
static bool parse_tail(const char *s, int *frac)
{
	int v = 0, n = 0;

	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, n++) {
			if (n == 6)
				return false;
			v = v * 10 + (*s - '0');
		}
		if (n == 0)
			return false;
		for (; n < 6; n++)
			v *= 10;
	}
	*frac = v;
	return s[0] == 'Z' && s[1] == '\0';
}

/* "YYYY-MM-DDTHH:MM:SS", every field in range, as seconds since the epoch
 * (UTC); 0 or -1. */
static int parse_datetime(const char *s, int64_t *secs)
{
	struct sw_civil c;
	struct tm tm;

	if (!sw_digits(s, 4, &c.y) || s[4] != '-' || !sw_digits(s + 5, 2, &c.mo) ||
	    s[7] != '-' || !sw_digits(s + 8, 2, &c.d) || s[10] != 'T' ||
	    !sw_digits(s + 11, 2, &c.h) || s[13] != ':' ||
	    !sw_digits(s + 14, 2, &c.mi) || s[16] != ':' ||
	    !sw_digits(s + 17, 2, &c.sec))
		return -1;
	if (!sw_civil_valid(&c, 59))
		return -1;
	sw_civil_tm(&c, &tm);
	/* -1 is a valid result here (1969-12-31T23:59:59Z): fields are
	 * already checked, so timegm() cannot fail. */
	*secs = (int64_t)timegm(&tm);
	return 0;
}

int sw_iso_parse(const char *s, int64_t *us)
{
	int64_t t;
	int frac;

	if (s == NULL || parse_datetime(s, &t) < 0 || !parse_tail(s + 19, &frac))
		return -1;
	*us = t * US_PER_SEC + frac;
	return 0;
}

int sw_iso_parse_offset(const char *s, int64_t *us)
{
	int oh = 0, om = 0, sign = 0;
	int frac = 0;
	int64_t t;

	if (s == NULL || parse_datetime(s, &t) < 0)
		return -1;
	s += 19;
	if (*s == '.') {
		int n = 0;
		for (s++; *s >= '0' && *s <= '9'; s++, n++) {
			if (n == 9)
				return -1;
			if (n < 6)
				frac = frac * 10 + (*s - '0');
		}
		if (n == 0)
			return -1;
		for (; n < 6; n++)
			frac *= 10;
	}
	if (s[0] == 'Z' && s[1] == '\0') {
		sign = 0;
	} else if (s[0] == '+' || s[0] == '-') {
		sign = s[0] == '+' ? 1 : -1;
		if (!sw_digits(s + 1, 2, &oh))
			return -1;
		if (s[3] == ':' && sw_digits(s + 4, 2, &om) && s[6] == '\0')
			;
		else if (sw_digits(s + 3, 2, &om) && s[5] == '\0')
			;
		else
			return -1;
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	*us = (t - (int64_t)sign * (oh * 3600 + om * 60)) * US_PER_SEC + frac;
	return 0;
}

bool sw_local_tm(int64_t us, struct tm *tm)
{
	int64_t s = us / US_PER_SEC;
	time_t t;

	if (us % US_PER_SEC < 0)
		s--;
	t = (time_t)s;
	return localtime_r(&t, tm) != NULL && tm->tm_wday >= 0 && tm->tm_wday < 7 &&
	       tm->tm_mon >= 0 && tm->tm_mon < 12;
}

void sw_utc_offset(long seconds, bool colon, char *out, size_t len)
{
	long a = seconds < 0 ? -seconds : seconds;

	sw_fmt(out, len, "%c%02ld%s%02ld", seconds < 0 ? '-' : '+', a / 3600, colon ? ":" : "",
	       a % 3600 / 60);
}
