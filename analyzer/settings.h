/*
 * settings.h - the analyzer's [analyzer] configuration: the gap that
 * splits incidents, the netblock prefixes, the services a lone probe of
 * is not worth a memo, the zone and year of log stamps, the allowlist.
 * Command-line options override these.
 */
#ifndef SW_ANALYZER_SETTINGS_H
#define SW_ANALYZER_SETTINGS_H

#include <stddef.h>

#include "db.h"      /* struct sw_db_conf: [database] */
#include "netset.h"  /* struct sw_port_set, struct sw_host_list */
#include "prune.h"   /* struct sw_retention */

/* The [analyzer] section of the configuration file (the file the sensor
 * reads too; each program reads its own sections). */
struct sw_analyzer_conf {
	unsigned gap_hours;      /* detections further apart: a new incident */
	unsigned prefix4, prefix6; /* netblock when whois has none */
	struct sw_port_set innocent_ports;
	char tz[64];             /* zone of log stamps written without one */
	unsigned year;           /* year of RFC 3164 stamps, 0: file mtime */
	struct sw_host_list allow; /* sources never reported */
	struct sw_retention retention; /* [retention]: what --prune keeps */
	struct sw_db_conf db;    /* [database], shared with the other programs */
};

void sw_analyzer_conf_defaults(struct sw_analyzer_conf *c);
/* 0, or -1 with "FILE:LINE: [analyzer] key: why" in err. */
int sw_analyzer_conf_load(struct sw_analyzer_conf *c, const char *path, char *err, size_t errlen);

#endif
