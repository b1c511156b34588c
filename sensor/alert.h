/*
 * alert.h - one line per detection as it fires, for the operator who
 * watches (what psad writes to syslog, Snort to its alert file): to
 * standard error or to syslog. The writer thread emits them, so the
 * capture thread never waits on a terminal or a syslog daemon.
 */
#ifndef SW_ALERT_H
#define SW_ALERT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

enum sw_alert_mode { SW_ALERT_NONE = 0, SW_ALERT_STDERR, SW_ALERT_SYSLOG };

/* "none", "stderr" or "syslog"; false for anything else. */
bool sw_alert_mode_parse(const char *s, enum sw_alert_mode *out);

/* Before the first alert: opens the syslog connection for SW_ALERT_SYSLOG. */
void sw_alert_open(enum sw_alert_mode mode);

/* The alert text of a detection that has just fired (a DET_OPEN record):
 * "port_scan/syn from 198.51.100.66 (nmap), 4 ports on 1 host, 4 failed
 * first contacts, 4 packets since 2026-11-27T17:09:41.508835Z" (no colon
 * after the address: an IPv6 one has its own). */
void sw_alert_format(const struct sw_rec_det *r, char *buf, size_t len);

/* Format and write it where mode says (nothing for SW_ALERT_NONE, nor for
 * a port_probe: it is below every threshold). */
void sw_alert_emit(enum sw_alert_mode mode, const struct sw_rec_det *r);

#endif
