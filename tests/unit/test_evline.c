/*
 * test_evline.c - unit tests for lib/evline.c: the destination, port and
 * service read back from the evidence lines the sensor writes (IPv4 with
 * a port, bracketed IPv6, bare ICMP addresses), and lines that name none.
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

#include "evline.h"

static void test_destinations(void **state)
{
	static const struct {
		const char *line, *addr, *service;
		uint16_t port;
	} cases[] = {
		{ "2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> 203.0.113.5:21 (ftp) SYN, "
		  "answered RST", "203.0.113.5", "ftp", 21 },
		{ "2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> 203.0.113.5:8888 SYN, "
		  "answered RST", "203.0.113.5", "", 8888 },
		{ "2026-11-27T17:09:41.508835Z TCP [2001:db8:51::66]:40000 -> [2001:db8:113::10]:22 "
		  "(ssh) SYN, answered RST", "2001:db8:113::10", "ssh", 22 },
		{ "2026-11-27T17:09:41.508835Z ICMP 192.0.2.50 -> 203.0.113.9 echo request, "
		  "answered echo reply", "203.0.113.9", "", 0 },
		{ "2026-11-27T17:09:41.508835Z ICMPv6 2001:db8:51::66 -> 2001:db8:113::10 echo",
		  "2001:db8:113::10", "", 0 },
		{ "2026-11-27T17:09:41.508835Z TCP 198.51.100.7:1 -> 203.0.113.5:99999 SYN",
		  "203.0.113.5", "", 0 },                        /* no such port */
		{ "no arrow here", "", "", 0 },
		{ "x -> [2001:db8::1 unterminated", "", "", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char addr[48], svc[32];
		uint16_t port = 7;

		sw_evline_destination(cases[i].line, addr, sizeof addr, &port, svc, sizeof svc);
		assert_string_equal(addr, cases[i].addr);
		assert_string_equal(svc, cases[i].service);
		assert_int_equal(port, cases[i].port);
	}
}

/* An address that does not fit comes back empty, never cut short; the
 * service is optional. */
static void test_limits(void **state)
{
	char addr[8];
	uint16_t port;
	(void)state;

	sw_evline_destination("t TCP a:1 -> 203.0.113.5:21 (ftp) SYN", addr, sizeof addr, &port,
			      NULL, 0);
	assert_string_equal(addr, "");
	assert_int_equal(port, 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
