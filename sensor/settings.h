/*
 * settings.h - the sensor's configuration: detection thresholds and
 * windows, table sizes, home networks, ignore lists and service policy.
 * Defaults are set by sw_settings_defaults(); a configuration file (INI,
 * see etc/spanwatch.conf) overrides them.
 */
#ifndef SW_SETTINGS_H
#define SW_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "db.h"     /* struct sw_db_conf: [database] */
#include "netset.h"  /* struct sw_prefix_list, struct sw_port_set */

struct sw_settings {
	/* [trw] sequential hypothesis test on first-contact outcomes */
	double trw_theta0;        /* P(success | benign), 0.8 */
	double trw_theta1;        /* P(success | scanner), 0.2 */
	double trw_pd;            /* detection probability, 0.99 */
	double trw_pf;            /* false positive probability, 0.01 */

	/* [timeouts] packet time */
	unsigned contact_timeout_ms;  /* a first contact with no answer fails */
	unsigned idle_timeout_s;      /* a source quiet this long closes its detections */
	unsigned slow_memory_s;       /* failed contacts are remembered this long (slow scans) */

	/* [scan] shapes and thresholds */
	unsigned scan_min_failures;   /* threshold detector beside TRW */
	unsigned block_min_targets;
	unsigned block_min_ports;
	unsigned stealth_min_ports;   /* fin/null/xmas/maimon/synfin probes */
	unsigned ack_min_ports;       /* bare ACK probes answered by RST */
	unsigned ping_min_targets;    /* ping_sweep */
	unsigned udp_min_failures;

	/* [flood] per target and port, 1 s windows of packet time */
	unsigned syn_flood_pps;
	unsigned udp_flood_pps;
	unsigned icmp_flood_pps;
	/* [flood] per destination prefix, all ports of a class (carpet bombing) */
	unsigned flood_prefix4;       /* /24 */
	unsigned flood_prefix6;       /* /64 */
	unsigned prefix_syn_pps;
	unsigned prefix_udp_pps;
	unsigned prefix_icmp_pps;

	/* [login] */
	unsigned login_min_sessions;
	unsigned login_window_s;
	struct sw_port_set login_ports; /* 21,22,23,110,143,3389,5900,... */

	/* [tables] sizes (entries) */
	unsigned sources;
	unsigned contacts;
	unsigned details;
	unsigned targets;
	unsigned prefixes;            /* destination prefixes watched for floods */
	unsigned distinct_cap;        /* exact distinct targets/ports up to this */
	unsigned evidence_lines;      /* first and last N probes kept per detection */

	/* [networks] */
	struct sw_prefix_list home;   /* our networks: outward scans are marked */
	struct sw_prefix_list ignore; /* sources never tracked (own scanners, monitoring) */
	struct sw_port_set noise_ports; /* failures to these ports are not counted */

	/* [database], shared with the analyzer and the reporter */
	struct sw_db_conf db;
};

struct sw_cfg_key;

void sw_settings_defaults(struct sw_settings *s);
/* Load path over the current values; 0, or -1 with one line in err,
 * "FILE:LINE: [section] key: why". On error *s is left as it was. */
int sw_settings_load(struct sw_settings *s, const char *path, char *err, size_t errlen);
/* The key table (for sw_config_write(), --help texts and tests). */
const struct sw_cfg_key *sw_settings_keys(size_t *n);

#endif
