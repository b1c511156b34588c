/*
 * alert.c - the alert line of a detection, where it goes, and the thread
 * that writes it (see alert.h). Everything in the line is a number, an
 * address or a fixed word: no text from the packets reaches a terminal or
 * the syslog. Standard error is written with write(2), not stdio, so a
 * thread stuck on it holds no lock that exit() would wait for.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "alert.h"
#include "log.h"
#include "ring.h"
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
		sw_fmt(tool, sizeof tool, " (%s)", sw_tool_name(r->tool));
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

/* All of buf to standard error, across signals and short writes. */
static void write_all(const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(2, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		buf += k;
		n -= (size_t)k;
	}
}

/* A port_probe is stored for the analyzer, below every threshold, and a
 * traceroute is recorded for what it is: neither is worth a line the
 * operator reads. */
static bool sw_alert_worthy(const struct sw_rec_det *r)
{
	return r->kind != SW_K_PORT_PROBE && r->kind != SW_K_TRACEROUTE;
}

void sw_alert_emit(enum sw_alert_mode mode, const struct sw_rec_det *r)
{
	char line[256], out[320];

	if (mode == SW_ALERT_NONE || !sw_alert_worthy(r))
		return;
	sw_alert_format(r, line, sizeof line);
	if (mode == SW_ALERT_SYSLOG) {
		syslog(LOG_WARNING, "%s", line);
	} else {
		int n = snprintf(out, sizeof out, "%s: alert: %s\n", sw_progname(), line);
		if (n > 0)
			write_all(out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
	}
}

/* ---- the alert thread --------------------------------------------------- */

#define ALERT_RING 1024        /* detections waiting for their line */
#define STOP_WAIT_MS 1000

struct sw_alerts {
	enum sw_alert_mode mode;
	struct sw_ring ring;
	pthread_t thread;
	atomic_bool stopping, done;
	uint64_t dropped;          /* the poster's count */
};

static void *alerts_main(void *arg)
{
	struct sw_alerts *a = arg;
	struct sw_rec_det r;

	for (;;) {
		bool stop = atomic_load(&a->stopping);

		if (sw_ring_pop(&a->ring, &r)) {
			sw_alert_emit(a->mode, &r);
			continue;
		}
		if (stop)
			break;
		sw_sleep_ms(10);
	}
	atomic_store(&a->done, true);
	return NULL;
}

void sw_alerts_prepare(enum sw_alert_mode mode)
{
	/* openlog on a connected socket changes nothing else */
	if (mode == SW_ALERT_SYSLOG)
		openlog(sw_progname(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

struct sw_alerts *sw_alerts_start(enum sw_alert_mode mode)
{
	struct sw_alerts *a;
	sigset_t all, old;
	int err;

	if (mode == SW_ALERT_NONE)
		return NULL;
	a = calloc(1, sizeof *a);
	if (!a || sw_ring_init(&a->ring, ALERT_RING, sizeof(struct sw_rec_det)) < 0) {
		free(a);
		sw_warn("cannot allocate the alert queue: no alerts");
		return NULL;
	}
	a->mode = mode;
	atomic_init(&a->stopping, false);
	atomic_init(&a->done, false);
	sw_alerts_prepare(mode);
	/* signals are for the capture loop, not for a line half written */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&a->thread, NULL, alerts_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		sw_warn("cannot start the alert thread: %s: no alerts", strerror(err));
		sw_ring_free(&a->ring);
		free(a);
		return NULL;
	}
	return a;
}

void sw_alerts_post(struct sw_alerts *a, const struct sw_rec_det *r)
{
	if (!a || !sw_alert_worthy(r))
		return;
	if (!sw_ring_push(&a->ring, r))
		a->dropped++;
}

uint64_t sw_alerts_stop(struct sw_alerts *a, bool *stuck)
{
	uint64_t dropped;

	if (stuck)
		*stuck = false;
	if (!a)
		return 0;
	atomic_store(&a->stopping, true);
	for (int waited = 0; !atomic_load(&a->done) && waited < STOP_WAIT_MS; waited += 10)
		sw_sleep_ms(10);
	dropped = a->dropped;
	if (atomic_load(&a->done)) {
		pthread_join(a->thread, NULL);
		sw_ring_free(&a->ring);
		free(a);
	} else {
		/* stuck on a paused terminal or a full pipe: leave it (and its
		 * memory) to the end of the process, and count what it holds */
		dropped += sw_ring_count(&a->ring);
		pthread_detach(a->thread);
		if (stuck)
			*stuck = a->mode == SW_ALERT_STDERR;
	}
	return dropped;
}
