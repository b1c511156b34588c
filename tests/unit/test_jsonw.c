/*
 * test_jsonw.c - unit tests for lib/jsonw.c and lib/events.c: strings
 * escaped so that any bytes come out as valid JSON (control characters,
 * quotes, U+2028, invalid and overlong UTF-8, surrogates), separators and
 * nesting, a fixed buffer that refuses a line whole rather than cut it,
 * a growing one that stops at its bound, and the detection event's
 * optional fields.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "events.h"
#include "jsonw.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{ "plain", 5, "\"plain\"" },
		{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
		{ "\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"" },
		{ "\x01\x1b\x7f", 3, "\"\\u0001\\u001b\\u007f\"" },
		{ "nul\0in", 6, "\"nul\\u0000in\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", 14,
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"" },          /* valid: as is */
		{ "\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"" },
		{ "\xff", 1, "\"\xef\xbf\xbd\"" },                               /* not UTF-8 */
		{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },               /* overlong '/' */
		{ "\xe0\x80\xaf", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* surrogate */
		{ "\xf4\x90\x80\x80", 4,
		  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },       /* > U+10FFFF */
		{ "\xc3", 1, "\"\xef\xbf\xbd\"" },                               /* cut short */
		{ "\xe2\x82", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "", 0, "\"\"" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		size_t n = sw_json_escape(out, sizeof out, cases[i].in, cases[i].n);

		assert_string_equal(out, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
}

static void test_escape_room(void **state)
{
	char out[8];
	(void)state;
	assert_int_equal(sw_json_escape(out, sizeof out, "abcde", 5), 7);
	assert_int_equal(sw_json_escape(out, sizeof out, "abcdef", 6), (size_t)-1);
	assert_int_equal(sw_json_escape(out, sizeof out, "\x01", 1), (size_t)-1); /* "\u0001" */
	assert_int_equal(sw_json_escape(NULL, 0, "\x01\xff", 2), 11);          /* counted only */
}

static void test_nesting(void **state)
{
	char buf[256];
	struct sw_json j;
	size_t len;
	const char *line;
	(void)state;

	sw_json_fixed(&j, buf, sizeof buf);
	sw_json_obj(&j, NULL);
	sw_json_str(&j, "a", "x");
	sw_json_arr(&j, "b");
	sw_json_int(&j, NULL, -1);
	sw_json_uint(&j, NULL, 18446744073709551615ULL);
	sw_json_obj(&j, NULL);
	sw_json_end(&j);
	sw_json_end(&j);
	sw_json_obj(&j, "c");
	sw_json_bool(&j, "t", true);
	sw_json_null(&j, "n");
	sw_json_str(&j, "s", NULL);
	sw_json_time(&j, "at", 1795800000123456LL);
	sw_json_end(&j);
	assert_null(sw_json_line(&j, NULL)); /* still open */
	sw_json_end(&j);
	line = sw_json_line(&j, &len);
	assert_non_null(line);
	assert_string_equal(line, "{\"a\":\"x\",\"b\":[-1,18446744073709551615,{}],"
	                    "\"c\":{\"t\":true,\"n\":null,\"s\":null,"
	                    "\"at\":\"2026-11-27T17:20:00.123456Z\"}}\n");
	assert_int_equal(len, strlen(line));
	/* reset: the next object from scratch */
	sw_json_reset(&j);
	sw_json_obj(&j, NULL);
	sw_json_str(&j, "k\n", "v");
	sw_json_end(&j);
	assert_string_equal(sw_json_line(&j, NULL), "{\"k\\n\":\"v\"}\n");
	/* more ends than opens: unusable */
	sw_json_reset(&j);
	sw_json_end(&j);
	assert_true(j.overflow);
}

/* A fixed buffer refuses a line that does not fit, whole: never a cut line. */
static void test_fixed_overflow(void **state)
{
	char buf[32], big[100];
	struct sw_json j;
	(void)state;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sw_json_fixed(&j, buf, sizeof buf);
	sw_json_obj(&j, NULL);
	sw_json_str(&j, "s", big);
	sw_json_end(&j);
	assert_true(j.overflow);
	assert_null(sw_json_line(&j, NULL));
	/* exactly full: {"s":"..."} plus the newline and the NUL */
	sw_json_fixed(&j, buf, sizeof buf);
	sw_json_obj(&j, NULL);
	sw_json_str(&j, "s", "0123456789012345678901");
	sw_json_end(&j);
	assert_non_null(sw_json_line(&j, NULL));
	assert_int_equal(strlen(buf), 31);
}

static void test_dyn(void **state)
{
	struct sw_json j;
	char big[5000];
	(void)state;

	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sw_json_dyn(&j, 1 << 16);
	sw_json_obj(&j, NULL);
	for (int i = 0; i < 10; i++)
		sw_json_str(&j, "s", big);
	sw_json_end(&j);
	assert_non_null(sw_json_line(&j, NULL));
	assert_true(j.len > 10 * 4999);
	/* past the bound: refused */
	sw_json_reset(&j);
	sw_json_obj(&j, NULL);
	for (int i = 0; i < 20; i++)
		sw_json_str(&j, "s", big);
	sw_json_end(&j);
	assert_null(sw_json_line(&j, NULL));
	sw_json_free(&j);
}

static void test_detection_event(void **state)
{
	char buf[4096];
	struct sw_json j;
	struct sw_ev_det d;
	const char *line;
	(void)state;

	memset(&d, 0, sizeof d);
	d.sensor = "s\"1";
	d.run_id = 3;
	d.seq = 2;
	d.kind = "syn_flood";
	d.proto = "icmp6";
	d.src = "2001:db8::1";
	d.dst = NULL;
	d.dport = -1;
	d.failed_contacts = -1;
	d.detected_at = d.first_seen = d.last_seen = 1795800000000000LL;
	sw_json_fixed(&j, buf, sizeof buf);
	sw_ev_detection(&j, SW_EV_STORED, &d);
	line = sw_json_line(&j, NULL);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"observer\":{\"name\":\"s\\\"1\",\"type\":\"ids\""));
	assert_non_null(strstr(line, "\"network\":{\"transport\":\"ipv6-icmp\"}"));
	assert_null(strstr(line, "\"destination\""));
	assert_null(strstr(line, "\"id\":"));       /* not known: left out */
	assert_non_null(strstr(line, "\"variant\":null"));
	assert_non_null(strstr(line, "\"failed_contacts\":null"));
	assert_non_null(strstr(line, "\"closed_at\":null"));
	assert_non_null(strstr(line, "\"probe_sig\":null"));
	assert_non_null(strstr(line, "\"action\":\"detection\""));
	d.id = 9;
	d.dport = 80;
	d.closed = true;
	d.closed_at = d.last_seen + 1;
	d.probe_sig = 0xab;
	sw_ev_detection(&j, SW_EV_CLOSED, &d);
	line = sw_json_line(&j, NULL);
	assert_non_null(line);
	assert_non_null(strstr(line, "{\"@timestamp\":\"2026-11-27T17:20:00.000001Z\""));
	assert_non_null(strstr(line, "\"destination\":{\"port\":80}"));
	assert_non_null(strstr(line, "\"detection\":{\"id\":9,"));
	assert_non_null(strstr(line, "\"probe_sig\":\"00000000000000ab\""));
	assert_non_null(strstr(line, "\"type\":[\"end\"],\"action\":\"detection-closed\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_room),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_fixed_overflow),
		cmocka_unit_test(test_dyn),
		cmocka_unit_test(test_detection_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
