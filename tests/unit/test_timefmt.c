/*
 * test_timefmt.c - unit tests for lib/timefmt.c: microsecond conversion,
 * ISO 8601 UTC formatting of known instants (checked against date -u),
 * clamping, and strict parsing with round trips and rejections.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "timefmt.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define US INT64_C(1000000)

/* Instants and their text; the seconds were checked with
 * date -u -d @SECONDS +%FT%T */
static const struct {
	int64_t us;
	const char *iso;
} known[] = {
	{ 0, "1970-01-01T00:00:00.000000Z" },
	{ 1, "1970-01-01T00:00:00.000001Z" },
	{ 999999, "1970-01-01T00:00:00.999999Z" },
	{ 1000000, "1970-01-01T00:00:01.000000Z" },
	{ -1, "1969-12-31T23:59:59.999999Z" },
	{ -999999, "1969-12-31T23:59:59.000001Z" },
	{ -1000000, "1969-12-31T23:59:59.000000Z" },
	{ -1000001, "1969-12-31T23:59:58.999999Z" },
	{ INT64_C(1795798181508835), "2026-11-27T16:49:41.508835Z" },
	{ INT64_C(951782400) * US, "2000-02-29T00:00:00.000000Z" },
	{ INT64_C(1709251199) * US + 500000, "2024-02-29T23:59:59.500000Z" },
	{ INT64_C(2147483648) * US, "2038-01-19T03:14:08.000000Z" },
	{ INT64_C(-2203891200) * US, "1900-03-01T00:00:00.000000Z" },
	{ INT64_C(-11670955200) * US + 123456, "1600-02-29T12:00:00.123456Z" },
	{ INT64_C(-62167219200) * US, "0000-01-01T00:00:00.000000Z" },
	{ INT64_C(253402300799) * US + 999999, "9999-12-31T23:59:59.999999Z" },
};

static void test_tv_to_us(void **state)
{
	(void)state;
	struct timeval tv = { .tv_sec = 1795798181, .tv_usec = 508835 };
	assert_true(sw_tv_to_us(&tv) == INT64_C(1795798181508835));
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	assert_true(sw_tv_to_us(&tv) == 0);
	tv.tv_sec = -1;
	tv.tv_usec = 500000;
	assert_true(sw_tv_to_us(&tv) == -500000);
	/* past 2038: no 32-bit overflow */
	tv.tv_sec = (time_t)INT64_C(4102444800);
	tv.tv_usec = 1;
	assert_true(sw_tv_to_us(&tv) == INT64_C(4102444800000001));
}

static void test_now_us(void **state)
{
	(void)state;
	int64_t a = sw_now_us();
	/* after 2024-01-01 and before 2100-01-01 */
	assert_true(a > INT64_C(1704067200) * US);
	assert_true(a < INT64_C(4102444800) * US);
	int64_t b = sw_now_us();
	assert_true(b - a < 60 * US);
}

static void test_iso_known(void **state)
{
	char buf[SW_ISO_LEN];
	(void)state;

	for (size_t i = 0; i < N_ELEM(known); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(sw_iso_utc(known[i].us, buf, sizeof(buf)), buf);
		assert_string_equal(buf, known[i].iso);
		assert_int_equal(strlen(buf), 27);
	}
}

static void test_iso_clamp(void **state)
{
	char buf[SW_ISO_LEN];
	(void)state;

	assert_string_equal(sw_iso_utc(INT64_MIN, buf, sizeof(buf)),
			    "0000-01-01T00:00:00.000000Z");
	assert_string_equal(sw_iso_utc(INT64_C(-62167219200) * US - 1, buf,
				       sizeof(buf)),
			    "0000-01-01T00:00:00.000000Z");
	assert_string_equal(sw_iso_utc(INT64_MAX, buf, sizeof(buf)),
			    "9999-12-31T23:59:59.999999Z");
	assert_string_equal(sw_iso_utc(INT64_C(253402300800) * US, buf,
				       sizeof(buf)),
			    "9999-12-31T23:59:59.999999Z");
}

static void test_iso_buffer(void **state)
{
	char buf[SW_ISO_LEN];
	(void)state;

	/* 27 characters need 28 bytes; one less gives an empty string */
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(sw_iso_utc(0, buf, 27), "");
	assert_string_equal(sw_iso_utc(0, buf, 28), "1970-01-01T00:00:00.000000Z");
	buf[0] = 'q';
	assert_ptr_equal(sw_iso_utc(0, buf, 0), buf);
	assert_int_equal(buf[0], 'q');
}

static void test_parse_known(void **state)
{
	(void)state;

	for (size_t i = 0; i < N_ELEM(known); i++) {
		int64_t us = 42;
		assert_int_equal(sw_iso_parse(known[i].iso, &us), 0);
		assert_true(us == known[i].us);
	}
}

static void test_parse_fraction(void **state)
{
	static const struct {
		const char *iso;
		int64_t us;
	} cases[] = {
		{ "2026-11-27T16:49:41Z", INT64_C(1795798181) * US },
		{ "2026-11-27T16:49:41.5Z", INT64_C(1795798181) * US + 500000 },
		{ "2026-11-27T16:49:41.05Z", INT64_C(1795798181) * US + 50000 },
		{ "2026-11-27T16:49:41.123Z", INT64_C(1795798181) * US + 123000 },
		{ "2026-11-27T16:49:41.000001Z", INT64_C(1795798181) * US + 1 },
		{ "2026-11-27T16:49:41.000000Z", INT64_C(1795798181) * US },
		{ "1969-12-31T23:59:59Z", -US },
		{ "1969-12-31T23:59:59.9Z", -100000 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T00:00:00Z", INT64_C(1709164800) * US },
		{ "2000-02-29T00:00:00Z", INT64_C(951782400) * US },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		int64_t us = 42;
		if (sw_iso_parse(cases[i].iso, &us) != 0)
			fail_msg("rejected '%s'", cases[i].iso);
		assert_true(us == cases[i].us);
	}
}

static void test_parse_roundtrip(void **state)
{
	static const int64_t samples[] = {
		0, 1, -1, 999999, -999999, INT64_C(86399999999),
		INT64_C(1795798181508835), INT64_C(-1795798181508835),
		INT64_C(1234567890123456), INT64_C(4102444799999999),
		INT64_C(-62167219200000000), INT64_C(253402300799999999),
	};
	char buf[SW_ISO_LEN];
	(void)state;

	for (size_t i = 0; i < N_ELEM(samples); i++) {
		int64_t us = 42;
		sw_iso_utc(samples[i], buf, sizeof(buf));
		assert_int_equal(sw_iso_parse(buf, &us), 0);
		assert_true(us == samples[i]);
	}
	/* every day of a leap year and of a common year, at odd times */
	for (int64_t day = 0; day < 2 * 366; day++) {
		int64_t t = INT64_C(1704067200) * US + day * 86400 * US +
			    day * 3721 * US + day * 1013;
		int64_t us = 42;
		sw_iso_utc(t, buf, sizeof(buf));
		assert_int_equal(sw_iso_parse(buf, &us), 0);
		assert_true(us == t);
	}
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "Z", "2026-11-27", "2026-11-27T16:49:41",
		"2026-11-27T16:49:41.508835", /* no Z */
		"2026-11-27T16:49:41.508835z", "2026-11-27t16:49:41Z",
		"2026-11-27 16:49:41Z", "2026-11-27T16:49:41+00:00",
		"2026-11-27T16:49:41.508835+00:00", "2026-11-27T16:49Z",
		"2026-11-27T16:49:41.Z", "2026-11-27T16:49:41.1234567Z",
		"2026-11-27T16:49:41.50a835Z", "2026-11-27T16:49:41Z ",
		"2026-11-27T16:49:41ZZ", " 2026-11-27T16:49:41Z",
		"+2026-11-27T16:49:41Z", "-001-11-27T16:49:41Z",
		"12026-11-27T16:49:41Z", "26-11-27T16:49:41Z",
		"2026-1-27T16:49:41Z", "2026-11-7T16:49:41Z",
		"2026-11-27T6:49:41Z", "2026/11/27T16:49:41Z",
		"2026-11-27T16-49-41Z", "2026-11-27T16:49:4Z",
		"2026-11-27T16:49:41,5Z", "2026-11-27T16:49:-1Z",
		/* field ranges */
		"2026-00-01T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-01-32T00:00:00Z",
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2024-02-30T00:00:00Z", "2026-11-27T24:00:00Z",
		"2026-11-27T23:60:00Z", "2026-11-27T23:59:60Z",
		"2026-11-27T99:99:99Z",
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(bad); i++) {
		int64_t us = 42;
		if (sw_iso_parse(bad[i], &us) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(us == 42); /* untouched on failure */
	}
	int64_t us = 42;
	assert_int_equal(sw_iso_parse(NULL, &us), -1);
	assert_true(us == 42);
}

static void test_parse_offset(void **state)
{
	static const struct {
		const char *iso;
		int64_t us;
	} good[] = {
		{ "2026-11-27T16:49:41Z", INT64_C(1795798181) * US },
		{ "2026-11-27T16:49:41.508835Z", INT64_C(1795798181508835) },
		{ "2026-11-27T16:49:41.508835+00:00", INT64_C(1795798181508835) },
		{ "2026-11-27T16:49:41.508835-00:00", INT64_C(1795798181508835) },
		{ "2026-11-27T17:49:41.508+01:00", INT64_C(1795798181508000) },
		{ "2026-11-27T17:49:41.508+0100", INT64_C(1795798181508000) },
		{ "2026-11-27T11:49:41-05:00", INT64_C(1795798181) * US },
		{ "2026-11-27T22:19:41+05:30", INT64_C(1795798181) * US },
		/* nanoseconds: digits past the microsecond are dropped */
		{ "2026-11-27T16:49:41.508835999Z", INT64_C(1795798181508835) },
		/* the offset crosses a day and a year */
		{ "2027-01-01T04:59:59+05:00", INT64_C(1798761599) * US },
		{ "2026-12-31T23:59:59Z", INT64_C(1798761599) * US },
	};
	static const char *const bad[] = {
		"", "2026-11-27T16:49:41", "2026-11-27T16:49:41+01",
		"2026-11-27T16:49:41+1:00", "2026-11-27T16:49:41+01:0",
		"2026-11-27T16:49:41+24:00", "2026-11-27T16:49:41+01:60",
		"2026-11-27T16:49:41+01:00 ", "2026-11-27T16:49:41Z+01:00",
		"2026-11-27T16:49:41.+01:00", "2026-11-27T16:49:41.1234567890Z",
		"2026-11-27 16:49:41+01:00", "2026-02-30T16:49:41+01:00",
		"2026-11-27T16:49:41 +01:00", "2026-11-27T16:49:41z",
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(good); i++) {
		int64_t us = 42;
		if (sw_iso_parse_offset(good[i].iso, &us) != 0)
			fail_msg("rejected '%s'", good[i].iso);
		if (us != good[i].us)
			fail_msg("'%s' gave %lld", good[i].iso, (long long)us);
	}
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		int64_t us = 42;
		if (sw_iso_parse_offset(bad[i], &us) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(us == 42);
	}
	int64_t us = 42;
	assert_int_equal(sw_iso_parse_offset(NULL, &us), -1);
}

/* UTC offsets in both spellings, half-hour zones included, and the local
 * second of an instant (negative times round down). */
static void test_offsets_and_local(void **state)
{
	static const struct { long s; const char *plain, *colon; } offs[] = {
		{ 0, "+0000", "+00:00" }, { -18000, "-0500", "-05:00" },
		{ 19800, "+0530", "+05:30" }, { -12600, "-0330", "-03:30" },
		{ 45900, "+1245", "+12:45" },
	};
	char buf[16];
	struct tm tm;
	(void)state;

	for (size_t i = 0; i < N_ELEM(offs); i++) {
		sw_utc_offset(offs[i].s, false, buf, sizeof buf);
		assert_string_equal(buf, offs[i].plain);
		sw_utc_offset(offs[i].s, true, buf, sizeof buf);
		assert_string_equal(buf, offs[i].colon);
	}
	setenv("TZ", "UTC", 1);
	tzset();
	assert_true(sw_local_tm(-1, &tm));
	assert_int_equal(tm.tm_year + 1900, 1969);
	assert_int_equal(tm.tm_sec, 59);
	assert_true(sw_local_tm(INT64_C(1795798181508835), &tm));
	assert_int_equal(tm.tm_hour, 16);
	assert_int_equal(tm.tm_min, 49);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tv_to_us),
		cmocka_unit_test(test_now_us),
		cmocka_unit_test(test_iso_known),
		cmocka_unit_test(test_iso_clamp),
		cmocka_unit_test(test_iso_buffer),
		cmocka_unit_test(test_parse_known),
		cmocka_unit_test(test_parse_fraction),
		cmocka_unit_test(test_parse_roundtrip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_offset),
		cmocka_unit_test(test_offsets_and_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
