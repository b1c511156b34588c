/*
 * alert.c - the alert line of a detection, and where it goes (see alert.h).
 * Everything in the line is a number, an address or a fixed word: no text
 * from the packets reaches a terminal or the syslog.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "addr.h"
#include "alert.h"
#include "detect.h"
#include "fingerprint.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

bool sw_alert_mode_parse(const char *s, enum sw_alert_mode *out)
{
	static const struct { const char *name; enum sw_alert_mode mode; } modes[] = {
		{ "none", SW_ALERT_NONE }, { "stderr", SW_ALERT_STDERR }, { "syslog", SW_ALERT_SYSLOG },
	};

	for (size_t i = 0; i < SW_ARRAY_LEN(modes); i++)
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].mode;
			return true;
		}
	return false;
}

void sw_alert_open(enum sw_alert_mode mode)
{
	if (mode == SW_ALERT_SYSLOG)
		openlog(sw_progname(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void sw_alert_format(const struct sw_rec_det *r, char *buf, size_t len)
{
	const char *variant = sw_variant_name(r->variant);
	char src[SW_ADDR_STRLEN], since[40], fails[48] = "", tool[24] = "", ports[32] = "";

	sw_addr_format(&r->src, src, sizeof src);
	sw_iso_utc(r->first_seen, since, sizeof since);
	if (r->tool)
		sw_fmt(tool, sizeof tool, " (%s)", sw_tool_name((enum sw_tool)r->tool));
	if (r->failed_contacts)
		sw_fmt(fails, sizeof fails, ", %u failed first %s", r->failed_contacts,
		       plural(r->failed_contacts, "contact", "contacts"));
	if (r->ports) /* none for ICMP */
		sw_fmt(ports, sizeof ports, "%u%s %s on ", r->ports, r->ports_capped ? "+" : "",
		       plural(r->ports, "port", "ports"));
	sw_fmt(buf, len, "%s%s%s%s from %s%s, %s%u%s %s%s, %llu %s since %s",
	       r->outbound ? "outbound " : "", sw_kind_name(r->kind), variant ? "/" : "",
	       variant ? variant : "", src, tool, ports,
	       r->targets, r->targets_capped ? "+" : "", plural(r->targets, "host", "hosts"),
	       fails, (unsigned long long)r->packets, r->packets == 1 ? "packet" : "packets",
	       since);
}

void sw_alert_emit(enum sw_alert_mode mode, const struct sw_rec_det *r)
{
	char line[256];

	/* a port_probe is stored for the analyzer, below every threshold:
	 * not worth a line the operator reads */
	if (mode == SW_ALERT_NONE || r->kind == SW_K_PORT_PROBE)
		return;
	sw_alert_format(r, line, sizeof line);
	if (mode == SW_ALERT_SYSLOG) {
		syslog(LOG_WARNING, "%s", line);
	} else {
		fprintf(stderr, "%s: alert: %s\n", sw_progname(), line);
		fflush(stderr);
	}
}
