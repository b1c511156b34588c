/*
 * test_alert.c - unit tests for sensor/alert.c: the alert line of a
 * detection (kind, variant, source, tool, counts, singular and plural, the
 * "+" of a capped count, no ports for ICMP, outbound), which detections get
 * none (port_probe), and the mode names; the -A arguments (several, json:PATH,
 * none clearing them) and the JSON event of a record (its one target and
 * port, a hostile sensor name escaped, refused whole when it does not fit).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alert.h"
#include "detect.h"
#include "fingerprint.h"
#include "log.h"

#define T0 1795799381508835LL /* 2026-11-27T17:09:41.508835Z */

static struct sw_rec_det det(unsigned kind, unsigned variant, const char *src)
{
	struct sw_rec_det r;

	memset(&r, 0, sizeof r);
	r.kind = (uint8_t)kind;
	r.variant = (uint8_t)variant;
	assert_true(sw_addr_parse(src, &r.src));
	r.first_seen = T0;
	return r;
}

static void expect_line(const struct sw_rec_det *r, const char *want)
{
	char buf[256];

	sw_alert_format(r, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void test_scan(void **state)
{
	struct sw_rec_det r = det(SW_K_PORT_SCAN, SW_V_SYN, "198.51.100.66");

	(void)state;
	r.tool = SW_TOOL_NMAP;
	r.ports = 4;
	r.targets = 1;
	r.failed_contacts = 4;
	r.packets = 4;
	expect_line(&r, "port_scan/syn from 198.51.100.66 (nmap), 4 ports on 1 host, "
	                "4 failed first contacts, 4 packets since 2026-11-27T17:09:41.508835Z");
}

static void test_singular_capped_ipv6_outbound(void **state)
{
	struct sw_rec_det r = det(SW_K_HOST_SWEEP, SW_V_CONNECT, "2001:db8:51::66");

	(void)state;
	r.outbound = 1;
	r.ports = 1;
	r.targets = 1024;
	r.targets_capped = 1;
	r.failed_contacts = 1;
	r.packets = 1;
	expect_line(&r, "outbound host_sweep/connect from 2001:db8:51::66, 1 port on 1024+ hosts, "
	                "1 failed first contact, 1 packet since 2026-11-27T17:09:41.508835Z");
}

static void test_icmp_and_login(void **state)
{
	struct sw_rec_det r = det(SW_K_PING_SWEEP, SW_V_NONE, "192.0.2.50");

	(void)state;
	r.targets = 8;
	r.packets = 8;
	expect_line(&r, "ping_sweep from 192.0.2.50, 8 hosts, 8 packets since "
	                "2026-11-27T17:09:41.508835Z");
	r = det(SW_K_LOGIN_ATTEMPTS, SW_V_NONE, "192.0.2.124");
	r.ports = 1;
	r.targets = 1;
	r.packets = 60;
	expect_line(&r, "login_attempts from 192.0.2.124, 1 port on 1 host, 60 packets since "
	                "2026-11-27T17:09:41.508835Z");
}

/* What reaches stderr: a port_probe gives nothing, a scan one line. */
static void test_emit(void **state)
{
	struct sw_rec_det probe = det(SW_K_PORT_PROBE, SW_V_NONE, "192.0.2.9");
	struct sw_rec_det scan = det(SW_K_STEALTH_SCAN, SW_V_FIN, "192.0.2.10");
	char path[] = "/tmp/spanwatch-alert.XXXXXX", buf[512] = "";
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	scan.ports = 5;
	scan.targets = 1;
	scan.packets = 5;
	fflush(stderr);
	assert_true(dup2(fd, 2) == 2);
	sw_alert_emit(SW_ALERT_STDERR, &probe);
	sw_alert_emit(SW_ALERT_NONE, &scan);
	sw_alert_emit(SW_ALERT_STDERR, &scan);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "test_alert: alert: stealth_scan/fin from 192.0.2.10, 5 ports on "
	                         "1 host, 5 packets since 2026-11-27T17:09:41.508835Z\n");
}

static void test_modes(void **state)
{
	enum sw_alert_mode m = SW_ALERT_SYSLOG;

	(void)state;
	assert_true(sw_alert_mode_parse("none", &m) && m == SW_ALERT_NONE);
	assert_true(sw_alert_mode_parse("stderr", &m) && m == SW_ALERT_STDERR);
	assert_true(sw_alert_mode_parse("syslog", &m) && m == SW_ALERT_SYSLOG);
	assert_false(sw_alert_mode_parse("Syslog", &m));
	assert_false(sw_alert_mode_parse("", &m));
}

static void test_args(void **state)
{
	struct sw_alert_opts o;
	char err[128];

	(void)state;
	memset(&o, 0, sizeof o);
	assert_true(sw_alert_arg("stderr", &o, err, sizeof err));
	assert_true(sw_alert_arg("json:/tmp/ev.json", &o, err, sizeof err));
	assert_true(sw_alert_arg("syslog", &o, err, sizeof err));
	assert_true(o.to_stderr && o.to_syslog);
	assert_string_equal(o.json_path, "/tmp/ev.json");
	assert_true(sw_alert_arg("json:/tmp/ev.json", &o, err, sizeof err)); /* the same again */
	assert_false(sw_alert_arg("json:/tmp/other.json", &o, err, sizeof err));
	assert_non_null(strstr(err, "one file only"));
	assert_false(sw_alert_arg("json:", &o, err, sizeof err));
	assert_false(sw_alert_arg("JSON:/x", &o, err, sizeof err));
	assert_false(sw_alert_arg("file", &o, err, sizeof err));
	assert_true(sw_alert_arg("none", &o, err, sizeof err));
	assert_false(o.to_stderr || o.to_syslog || o.json_path);
}

static void test_json_event(void **state)
{
	struct sw_rec_det r = det(SW_K_SYN_FLOOD, SW_V_NONE, "192.0.2.77");
	char buf[8192], small[256];
	struct sw_json j;
	const char *line;

	(void)state;
	r.proto = 6;
	r.targets = r.ports = 1;
	r.packets = 1000;
	r.detected_at = r.last_seen = T0 + 1000000;
	r.closed_at = T0 + 2000000;
	r.has_dst = r.has_dport = 1;
	assert_true(sw_addr_parse("203.0.113.80", &r.dst));
	r.dport = 80;
	sw_json_fixed(&j, buf, sizeof buf);
	assert_true(sw_alert_json_format(&j, SW_REC_DET_CLOSE, 42, &r, "a \"b\"\n\x1b", 7));
	line = sw_json_line(&j, NULL);
	assert_non_null(line);
	assert_non_null(strstr(line, "{\"@timestamp\":\"2026-11-27T17:09:43.508835Z\""));
	assert_non_null(strstr(line, "\"action\":\"detection-closed\""));
	assert_non_null(strstr(line, "\"source\":{\"ip\":\"192.0.2.77\"},"
	                             "\"destination\":{\"ip\":\"203.0.113.80\",\"port\":80}"));
	assert_non_null(strstr(line, "\"name\":\"a \\\"b\\\"\\n\\u001b\""));
	assert_non_null(strstr(line, "\"run_id\":7,\"detection\":{\"id\":42,"));
	assert_non_null(strstr(line, "\"kind\":\"syn_flood\",\"variant\":null,\"proto\":\"tcp\""));
	assert_non_null(strstr(line, "\"closed_at\":\"2026-11-27T17:09:43.508835Z\""));
	assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
	/* opened: no closed_at yet, whatever the record holds */
	assert_true(sw_alert_json_format(&j, SW_REC_DET_OPEN, 42, &r, "s", 7));
	line = sw_json_line(&j, NULL);
	assert_non_null(strstr(line, "\"closed_at\":null"));
	assert_non_null(strstr(line, "{\"@timestamp\":\"2026-11-27T17:09:42.508835Z\""));
	/* too long for the buffer: refused, not cut */
	sw_json_fixed(&j, small, sizeof small);
	assert_false(sw_alert_json_format(&j, SW_REC_DET_OPEN, 42, &r, "s", 7));
	assert_null(sw_json_line(&j, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_singular_capped_ipv6_outbound),
		cmocka_unit_test(test_icmp_and_login),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_json_event),
	};

	sw_log_init("test_alert");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
