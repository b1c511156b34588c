/*
 * alert.h - one line per detection as it fires, for the operator who
 * watches (what psad writes to syslog, Snort to its alert file): to
 * standard error or to syslog; and one JSON object per line, when a
 * detection opens and when it closes, to a file that the pipelines
 * operators run can follow (-A json:PATH, as Suricata's EVE JSON),
 * reopened on SIGHUP for log rotation.
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

#include "jsonw.h"
#include "record.h"

enum sw_alert_mode { SW_ALERT_NONE = 0, SW_ALERT_STDERR, SW_ALERT_SYSLOG, SW_ALERT_JSON };

/* "none", "stderr" or "syslog"; false for anything else. */
bool sw_alert_mode_parse(const char *s, enum sw_alert_mode *out);

/* The -A options given, each at most once: "none" clears them all. */
struct sw_alert_opts {
	bool to_stderr, to_syslog;
	const char *json_path;     /* -A json:PATH, or NULL */
};
/* Add one -A argument ("none", "stderr", "syslog", "json:PATH") to o;
 * false with the reason in err for anything else. */
bool sw_alert_arg(const char *arg, struct sw_alert_opts *o, char *err, size_t errlen);

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

/* An alert thread (opening the syslog connection for SW_ALERT_SYSLOG);
 * NULL for SW_ALERT_NONE, or with a warning when it cannot start. */
struct sw_alerts *sw_alerts_start(enum sw_alert_mode mode);

/* What a JSON sink needs besides the detections. */
struct sw_alert_json {
	int fd;                    /* PATH opened for appending; the sink owns it */
	const char *path;          /* reopened on SIGHUP (sw_alerts_hup) */
	const char *sensor;        /* observer.name */
	int64_t run_id;
	bool lossless;             /* a full queue makes the poster wait (files) */
};
/* The thread of a JSON sink; NULL (fd closed) with a warning when it
 * cannot start. The events are formatted on that thread into a buffer of
 * its own: nothing is allocated per event. */
struct sw_alerts *sw_alerts_start_json(const struct sw_alert_json *cfg);
/* One list of a and b (either may be NULL): posts go to each, stop stops
 * each. */
struct sw_alerts *sw_alerts_chain(struct sw_alerts *a, struct sw_alerts *b);
/* Does a sink of the list want closed detections too (JSON)? */
bool sw_alerts_want_closes(const struct sw_alerts *a);
/* Hand a detection over without waiting (a lossless sink waits for room);
 * dropped (counted) when full. type is SW_REC_DET_OPEN or
 * SW_REC_DET_CLOSE, id its row (0 unknown). From one thread only. a may
 * be NULL. */
void sw_alerts_post(struct sw_alerts *a, uint32_t type, int64_t id, const struct sw_rec_det *r);
/* Called from a SIGHUP handler (async-signal-safe): each JSON sink
 * reopens its PATH before its next event, so a file renamed away by
 * logrotate is followed by a new one at PATH. */
void sw_alerts_hup(void);
/* The JSON object of a detection event into j (a fixed buffer: no
 * allocation; sw_json_line then ends the line); false when it does not
 * fit. */
bool sw_alert_json_format(struct sw_json *j, uint32_t type, int64_t id,
                          const struct sw_rec_det *r, const char *sensor, int64_t run_id);
/* Let the thread write what is queued, for at most about a second, and
 * free what can be freed. Returns the number of alerts dropped. When the
 * thread is stuck (a paused terminal, a pipe nobody reads) it is left
 * behind and *stuck is set: standard error would block whoever writes it
 * next. a may be NULL; stuck may be NULL. */
uint64_t sw_alerts_stop(struct sw_alerts *a, bool *stuck);

#endif
