/*
 * settings.c - the sensor's defaults and its configuration file (see
 * settings.h): one table says, for every key, where it lives in struct
 * sw_settings, what range makes sense and what it means; lib/conf.c does
 * the reading. etc/spanwatch.conf documents the same keys and must load to
 * exactly these defaults (tests/unit/test_sensor_settings.c checks both).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

#define TABLE_MIN 16
#define TABLE_MAX (1u << 24)
#define COUNT_MAX 65535
#define DAY 86400

#define U(sec, key, field, lo, hi, help) \
	{ sec, key, SW_CFG_UINT, offsetof(struct sw_settings, field), 0, lo, hi, 0, help }
/* probabilities: 0 and 1 would make the TRW likelihood ratios infinite */
#define P(sec, key, field, help) \
	{ sec, key, SW_CFG_DOUBLE, offsetof(struct sw_settings, field), 0, 0, 1, \
	  SW_CFG_OPEN_MIN | SW_CFG_OPEN_MAX, help }
#define L(sec, key, type, field, help) \
	{ sec, key, type, offsetof(struct sw_settings, field), 0, 0, 0, 0, help }

static const struct sw_cfg_key keys[] = {
	P("trw", "theta0", trw_theta0,
	  "probability that a benign source's first contact succeeds (0..1, above theta1)"),
	P("trw", "theta1", trw_theta1,
	  "probability that a scanner's first contact succeeds (0..1, below theta0)"),
	P("trw", "pd", trw_pd, "wanted detection probability (0..1, above pf)"),
	P("trw", "pf", trw_pf, "tolerated false positive probability (0..1)"),

	U("timeouts", "contact_ms", contact_timeout_ms, 10, 600000,
	  "a first contact with no answer within this many ms of packet time failed"),
	U("timeouts", "idle_s", idle_timeout_s, 1, 7 * DAY,
	  "a source quiet this many seconds has its detections closed"),
	U("timeouts", "slow_memory_s", slow_memory_s, 60, 30 * DAY,
	  "failed contacts are remembered this many seconds, to find slow scans"),

	U("scan", "min_failures", scan_min_failures, 1, COUNT_MAX,
	  "failed first contacts that make a scan even when TRW has not decided"),
	U("scan", "block_min_targets", block_min_targets, 2, COUNT_MAX,
	  "hosts a block_scan must touch"),
	U("scan", "block_min_ports", block_min_ports, 2, COUNT_MAX,
	  "ports a block_scan must touch"),
	U("scan", "stealth_min_ports", stealth_min_ports, 1, COUNT_MAX,
	  "FIN, NULL, Xmas, Maimon or SYN+FIN probes that make a stealth_scan"),
	U("scan", "ack_min_ports", ack_min_ports, 1, COUNT_MAX,
	  "bare ACK probes answered by RST that make an ACK stealth_scan"),
	U("scan", "ping_min_targets", ping_min_targets, 2, COUNT_MAX,
	  "hosts pinged (echo, timestamp, address mask) that make a ping_sweep"),
	U("scan", "udp_min_failures", udp_min_failures, 1, COUNT_MAX,
	  "UDP probes met by port unreachable or silence that make a udp_scan"),

	U("flood", "syn_pps", syn_flood_pps, 1, 100000000,
	  "SYN packets per second to one target and port that make a syn_flood"),
	U("flood", "udp_pps", udp_flood_pps, 1, 100000000,
	  "UDP packets per second to one target that make a udp_flood"),
	U("flood", "icmp_pps", icmp_flood_pps, 1, 100000000,
	  "ICMP packets per second to one target that make an icmp_flood"),
	U("flood", "prefix4", flood_prefix4, 16, 32,
	  "IPv4 destination prefix length whose packets are also counted together"),
	U("flood", "prefix6", flood_prefix6, 32, 128,
	  "IPv6 destination prefix length whose packets are also counted together"),
	U("flood", "prefix_syn_pps", prefix_syn_pps, 1, 100000000,
	  "unanswered SYN packets per second to one prefix, any port, that make a syn_flood"),
	U("flood", "prefix_udp_pps", prefix_udp_pps, 1, 100000000,
	  "unanswered UDP packets per second to one prefix, any port, that make a udp_flood"),
	U("flood", "prefix_icmp_pps", prefix_icmp_pps, 1, 100000000,
	  "ICMP echo requests per second to one prefix that make an icmp_flood"),

	U("login", "min_sessions", login_min_sessions, 1, 1000000,
	  "completed connections to one login service that make login_attempts"),
	U("login", "window_s", login_window_s, 1, DAY,
	  "within this many seconds"),
	L("login", "ports", SW_CFG_PORTS, login_ports,
	  "login services: ports, ranges (1-1024) and names (ssh, rdp); replaces the default"),

	U("tables", "sources", sources, TABLE_MIN, TABLE_MAX,
	  "sources tracked at once (entries; the least useful are evicted)"),
	U("tables", "contacts", contacts, TABLE_MIN, TABLE_MAX,
	  "first contacts awaiting an answer"),
	U("tables", "details", details, TABLE_MIN, TABLE_MAX,
	  "open detections with their distinct targets, ports and evidence"),
	U("tables", "targets", targets, TABLE_MIN, TABLE_MAX,
	  "targets watched for floods"),
	U("tables", "prefixes", prefixes, TABLE_MIN, TABLE_MAX,
	  "destination prefixes watched for floods spread over many addresses"),
	U("tables", "distinct_cap", distinct_cap, TABLE_MIN, 65536,
	  "distinct targets and ports counted exactly per detection, then a lower bound"),
	U("tables", "evidence_lines", evidence_lines, 0, 64,
	  "first and last probes kept as evidence per detection"),

	L("networks", "home", SW_CFG_PREFIXES, home,
	  "our networks (CIDR, v4 and v6): a home source scanning out is marked"),
	L("networks", "ignore", SW_CFG_PREFIXES, ignore,
	  "sources never tracked: our own scanners, monitoring hosts"),
	L("networks", "noise_ports", SW_CFG_PORTS, noise_ports,
	  "ports whose failed contacts are not counted (chatty services)"),

	SW_DB_CONF_KEYS(struct sw_settings, db),
};

const struct sw_cfg_key *sw_settings_keys(size_t *n)
{
	*n = SW_ARRAY_LEN(keys);
	return keys;
}

void sw_settings_defaults(struct sw_settings *s)
{
	/* authentication services: the article's FTP, SSH, telnet, mail,
	 * databases and remote desktops */
	static const uint16_t login[] = {
		21, 22, 23, 110, 143, 220, 993, 995, 1433, 3306, 3389, 5432, 5900,
	};

	memset(s, 0, sizeof(*s));
	/* TRW as published (Jung et al. 2004): a scanner after 4 failures */
	s->trw_theta0 = 0.8;
	s->trw_theta1 = 0.2;
	s->trw_pd = 0.99;
	s->trw_pf = 0.01;

	s->contact_timeout_ms = 3000;
	s->idle_timeout_s = 300;
	s->slow_memory_s = 21600;

	s->scan_min_failures = 12;
	s->block_min_targets = 5;
	s->block_min_ports = 5;
	s->stealth_min_ports = 4;
	s->ack_min_ports = 5;
	s->ping_min_targets = 8;
	s->udp_min_failures = 6;

	s->syn_flood_pps = 1000;
	s->udp_flood_pps = 5000;
	s->icmp_flood_pps = 1000;
	/* carpet bombing. A /24 (/64) is what one customer or server farm
	 * gets; the prefix rates are 20 (SYN) and 10 (UDP, ICMP) times the
	 * single-target ones: answered SYNs and UDP do not count, so a busy
	 * /24 of web servers stays far below 20,000 unanswered SYNs a second,
	 * while a /24 flooded at 370 per address is 95,000 */
	s->flood_prefix4 = 24;
	s->flood_prefix6 = 64;
	s->prefix_syn_pps = 20000;
	s->prefix_udp_pps = 50000;
	s->prefix_icmp_pps = 10000;

	s->login_min_sessions = 10;
	s->login_window_s = 600;
	for (size_t i = 0; i < SW_ARRAY_LEN(login); i++)
		sw_port_add(&s->login_ports, login[i]);

	s->sources = 65536;
	s->contacts = 131072;
	s->details = 2048;
	s->targets = 4096;
	s->prefixes = 1024;
	s->distinct_cap = 1024;
	s->evidence_lines = 4;
	/* home, ignore and noise_ports start empty */
	sw_db_conf_defaults(&s->db);
}

/* Index of a key in the table (it is there: the names are ours). */
static size_t key_index(const char *section, const char *name)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return i;
	abort();
}

/*
 * "lo must be below hi": pairs that are each in range but not together.
 * The message names the key of the pair the file set last (the one the
 * person just edited), with its line.
 */
static bool check_below(const struct sw_settings *s, const unsigned *lines,
			const char *path, const char *lo_key, const char *hi_key,
			char *err, size_t errlen)
{
	size_t lo = key_index("trw", lo_key), hi = key_index("trw", hi_key);
	double vlo = *(const double *)((const char *)s + keys[lo].offset);
	double vhi = *(const double *)((const char *)s + keys[hi].offset);
	char where[32] = "";

	if (vlo < vhi)
		return true;
	if (lines[lo] || lines[hi])
		snprintf(where, sizeof(where), ":%u", lines[lo] > lines[hi] ? lines[lo] : lines[hi]);
	if (lines[lo] >= lines[hi])
		snprintf(err, errlen, "%s%s: [trw] %s: %g must be below %s (%g)",
			 path, where, lo_key, vlo, hi_key, vhi);
	else
		snprintf(err, errlen, "%s%s: [trw] %s: %g must be above %s (%g)",
			 path, where, hi_key, vhi, lo_key, vlo);
	return false;
}

int sw_settings_load(struct sw_settings *s, const char *path, char *err, size_t errlen)
{
	unsigned lines[SW_ARRAY_LEN(keys)];
	struct sw_settings *tmp;
	char dummy[1];
	int rc = -1;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	/* load into a copy so that a bad file leaves the settings as they were */
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, s, sizeof(*tmp));
	if (sw_config_load(path, keys, SW_ARRAY_LEN(keys), tmp, lines, err, errlen) == 0 &&
	    /* TRW needs a scanner to fail more often than a benign host, and
	     * its thresholds pd/pf and (1-pd)/(1-pf) to lie either side of 1 */
	    check_below(tmp, lines, path, "theta1", "theta0", err, errlen) &&
	    check_below(tmp, lines, path, "pf", "pd", err, errlen)) {
		memcpy(s, tmp, sizeof(*s));
		rc = 0;
	}
	free(tmp);
	return rc;
}
