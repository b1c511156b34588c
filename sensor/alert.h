/*
 * alert.h - one line per detection as it fires, for the operator who
 * watches (what psad writes to syslog, Snort to its alert file): to
 * standard error or to syslog.
 *
 * A terminal can be paused and a pipe left unread, so the lines are
 * written by a thread of their own: the writer thread posts each detection
 * once its transaction has committed, into a bounded ring, and never
 * waits; a line that finds the ring full is dropped and counted.
 */
#ifndef SW_ALERT_H
#define SW_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum sw_alert_mode { SW_ALERT_NONE = 0, SW_ALERT_STDERR, SW_ALERT_SYSLOG };

/* "none", "stderr" or "syslog"; false for anything else. */
bool sw_alert_mode_parse(const char *s, enum sw_alert_mode *out);

/* The alert text of a detection that has just fired (a DET_OPEN record):
 * "port_scan/syn from 198.51.100.66 (nmap), 4 ports on 1 host, 4 failed
 * first contacts, 4 packets since 2026-11-27T17:09:41.508835Z" (no colon
 * after the address: an IPv6 one has its own). */
void sw_alert_format(const struct sw_rec_det *r, char *buf, size_t len);

/* Format and write it where mode says, now: nothing for SW_ALERT_NONE, nor
 * for a port_probe (it is below every threshold). May block. */
void sw_alert_emit(enum sw_alert_mode mode, const struct sw_rec_det *r);

struct sw_alerts;

/* Connect to the syslog now, for SW_ALERT_SYSLOG (nothing otherwise):
 * before a chroot (-t) hides /dev/log. sw_alerts_start keeps the socket. */
void sw_alerts_prepare(enum sw_alert_mode mode);

/* The alert thread (opening the syslog connection for SW_ALERT_SYSLOG);
 * NULL for SW_ALERT_NONE, or with a warning when it cannot start. */
struct sw_alerts *sw_alerts_start(enum sw_alert_mode mode);
/* Hand a detection over without waiting; dropped (counted) when full.
 * From one thread only. a may be NULL. */
void sw_alerts_post(struct sw_alerts *a, const struct sw_rec_det *r);
/* Let the thread write what is queued, for at most about a second, and
 * free what can be freed. Returns the number of alerts dropped. When the
 * thread is stuck (a paused terminal, a pipe nobody reads) it is left
 * behind and *stuck is set: standard error would block whoever writes it
 * next. a may be NULL; stuck may be NULL. */
uint64_t sw_alerts_stop(struct sw_alerts *a, bool *stuck);

#endif
