/*
 * settings.c - the [analyzer] keys of the configuration file and their
 * defaults (see settings.h); lib/conf.c reads the file.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "conf.h"
#include "policy.h"
#include "settings.h"
#include "util.h"

#define K(name, type, field, lo, hi, help) \
	{ "analyzer", name, type, offsetof(struct sw_analyzer_conf, field), \
	  sizeof(((struct sw_analyzer_conf *)0)->field), lo, hi, 0, help }

#define R(name, field, lo, hi, help) \
	{ "retention", name, SW_CFG_UINT, offsetof(struct sw_analyzer_conf, field), \
	  sizeof(((struct sw_analyzer_conf *)0)->field), lo, hi, 0, help }

static const struct sw_cfg_key analyzer_keys[] = {
	K("gap_hours", SW_CFG_UINT, gap_hours, 1, 8760,
	  "detections of a source further apart than this start a new incident"),
	K("prefix4", SW_CFG_UINT, prefix4, 8, 32, "IPv4 netblock length when whois has none"),
	K("prefix6", SW_CFG_UINT, prefix6, 16, 128, "IPv6 netblock length when whois has none"),
	K("innocent_ports", SW_CFG_PORTS, innocent_ports, 0, 0,
	  "a lone probe of these services is not worth a memo (the article: SMTP, HTTP)"),
	K("tz", SW_CFG_STRING, tz, 0, 0, "zone of log stamps written without one, e.g. Europe/Berlin"),
	K("year", SW_CFG_UINT, year, 0, 9999, "year of RFC 3164 log stamps; 0: the file's mtime"),
	K("allow", SW_CFG_HOSTS, allow, 0, 0,
	  "sources never reported (addresses, prefixes, host names resolved once a run)"),

	R("evidence_days", retention.evidence_days, 0, 36500,
	  "evidence lines of detections no memo told are kept this long (0: for ever)"),
	R("detections_days", retention.detections_days, 0, 36500,
	  "detections no memo told are kept this long (0: for ever)"),
	R("unreportable_days", retention.unreportable_days, 0, 36500,
	  "incidents never reportable, with their detections, are kept this long (0: for ever)"),
	R("log_lines_days", retention.log_lines_days, 0, 36500,
	  "log lines read by --syslog are kept this long (0: for ever)"),
	R("whois_days", retention.whois_days, 0, 36500,
	  "cached whois and RDAP answers are kept this long (0: for ever)"),
	R("batch_rows", retention.batch_rows, 10, 1000000,
	  "rows deleted per transaction (smaller: shorter waits for the sensor)"),

	SW_DB_CONF_KEYS(struct sw_analyzer_conf, db),
};

void sw_analyzer_conf_defaults(struct sw_analyzer_conf *c)
{
	struct sw_policy p;

	memset(c, 0, sizeof *c);
	c->gap_hours = 24;
	c->prefix4 = 24;
	c->prefix6 = 48;
	sw_policy_defaults(&p);
	c->innocent_ports = p.innocent_ports;
	sw_retention_defaults(&c->retention);
	sw_db_conf_defaults(&c->db);
}

int sw_analyzer_conf_load(struct sw_analyzer_conf *c, const char *path, char *err, size_t errlen)
{
	return sw_config_load(path, analyzer_keys, SW_ARRAY_LEN(analyzer_keys), c, NULL, err,
	                      errlen);
}
