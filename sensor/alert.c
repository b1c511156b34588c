/*
 * alert.c - the alert line of a detection, where it goes, and the thread
 * that writes it (see alert.h). Everything in the line is a number, an
 * address or a fixed word: no text from the packets reaches a terminal or
 * the syslog. Standard error is written with write(2), not stdio, so a
 * thread stuck on it holds no lock that exit() would wait for.
 *
 * The JSON sink (-A json:PATH) writes one event per line when a detection
 * opens and when it closes (lib/events.c lays it out; the sensor name, the
 * one text that is not the sensor's own, is escaped there), with write(2)
 * on a descriptor opened for appending before root was dropped, and
 * reopens PATH after SIGHUP (openat is on the seccomp allowlist already,
 * for SQLite). Each sink has a thread and a queue of its own, so a stuck
 * terminal never holds the JSON file back.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
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
#include "events.h"
#include "log.h"
#include "netset.h"
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

bool sw_alert_arg(const char *arg, struct sw_alert_opts *o, char *err, size_t errlen)
{
	enum sw_alert_mode m;

	if (!strncmp(arg, "json:", 5)) {
		if (!arg[5]) {
			sw_fmt(err, errlen, "-A json:PATH: the path is missing");
			return false;
		}
		if (o->json_path && strcmp(o->json_path, arg + 5)) {
			sw_fmt(err, errlen, "-A json: one file only (given %s and %s)", o->json_path,
			       arg + 5);
			return false;
		}
		o->json_path = arg + 5;
		return true;
	}
	if (!sw_alert_mode_parse(arg, &m)) {
		sw_fmt(err, errlen, "-A: the mode is none, stderr, syslog or json:PATH");
		return false;
	}
	if (m == SW_ALERT_NONE)
		memset(o, 0, sizeof *o);
	else if (m == SW_ALERT_STDERR)
		o->to_stderr = true;
	else
		o->to_syslog = true;
	return true;
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

/* ---- JSON events ---------------------------------------------------------- */

bool sw_alert_json_format(struct sw_json *j, uint32_t type, int64_t id,
                          const struct sw_rec_det *r, const char *sensor, int64_t run_id)
{
	char src[SW_ADDR_STRLEN], dst[SW_ADDR_STRLEN];
	struct sw_ev_det d;

	memset(&d, 0, sizeof d);
	d.sensor = sensor;
	d.run_id = run_id;
	d.id = id;
	d.seq = r->seq;
	d.kind = sw_kind_name(r->kind);
	d.variant = sw_variant_name(r->variant);
	d.proto = sw_proto_name(r->proto);
	d.src = sw_addr_format(&r->src, src, sizeof src);
	d.dst = r->has_dst ? sw_addr_format(&r->dst, dst, sizeof dst) : NULL;
	d.dport = r->has_dport ? r->dport : -1;
	d.outbound = r->outbound;
	d.first_seen = r->first_seen;
	d.last_seen = r->last_seen;
	d.detected_at = r->detected_at;
	d.closed = type == SW_REC_DET_CLOSE;
	d.closed_at = r->closed_at;
	d.targets = r->targets;
	d.ports = r->ports;
	d.packets = r->packets;
	d.targets_capped = r->targets_capped;
	d.ports_capped = r->ports_capped;
	d.failed_contacts = r->failed_contacts;
	d.successes = r->successes;
	d.sessions_after = r->sessions_after;
	d.src_resets = r->src_resets;
	d.src_silent = r->src_silent;
	d.tool = r->tool ? sw_tool_name(r->tool) : NULL;
	d.evasion = sw_evasion_name(r->evasion);
	d.probe_sig = r->probe_sig;
	sw_ev_detection(j, type == SW_REC_DET_CLOSE ? SW_EV_CLOSED : SW_EV_OPENED, &d);
	return !j->overflow;
}

/* ---- the alert threads ------------------------------------------------------ */

#define ALERT_RING 1024        /* detections waiting for their line */
#define STOP_WAIT_MS 1000
#define JSON_LINE_MAX 8192     /* one event; the sensor name is the only long text */

/* What a sink's queue holds. */
struct sw_alert_item {
	uint32_t type;             /* SW_REC_DET_OPEN or SW_REC_DET_CLOSE */
	int64_t id;
	struct sw_rec_det det;
};

/* SIGHUPs seen: bumped by the handler, read by the JSON threads (a
 * lock-free atomic, safe in a signal handler) */
static atomic_uint hup_count;
static_assert(ATOMIC_INT_LOCK_FREE == 2, "an atomic the SIGHUP handler can bump");

void sw_alerts_hup(void)
{
	atomic_fetch_add(&hup_count, 1);
}

struct sw_alerts {
	enum sw_alert_mode mode;
	struct sw_ring ring;
	pthread_t thread;
	atomic_bool stopping, done;
	uint64_t dropped;          /* the poster's count */
	atomic_ullong failed;      /* the thread's count: lines it could not write */
	struct sw_alerts *next;    /* the next sink of the list */
	/* JSON */
	struct sw_alert_json json;
	unsigned hup_seen;
	char line[JSON_LINE_MAX];
};

/* All of buf to fd, across signals and short writes; false on an error. */
static bool write_fd(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		buf += k;
		n -= (size_t)k;
	}
	return true;
}

static int json_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

/* After SIGHUP: a new descriptor for PATH; the old one kept if that fails. */
static void json_reopen(struct sw_alerts *a)
{
	int fd = json_open(a->json.path);

	if (fd < 0) {
		sw_warn("%s: cannot reopen after SIGHUP: %s (writing on to the file already open)",
		        a->json.path, strerror(errno));
		return;
	}
	close(a->json.fd);
	a->json.fd = fd;
}

static void json_emit(struct sw_alerts *a, const struct sw_alert_item *it)
{
	struct sw_json j;
	size_t len;

	sw_json_fixed(&j, a->line, sizeof a->line);
	if (!sw_alert_json_format(&j, it->type, it->id, &it->det, a->json.sensor, a->json.run_id) ||
	    !sw_json_line(&j, &len) || !write_fd(a->json.fd, a->line, len))
		atomic_fetch_add(&a->failed, 1);
}

static void *alerts_main(void *arg)
{
	struct sw_alerts *a = arg;
	struct sw_alert_item it;

	for (;;) {
		bool stop = atomic_load(&a->stopping);

		if (a->mode == SW_ALERT_JSON && a->hup_seen != atomic_load(&hup_count)) {
			a->hup_seen = atomic_load(&hup_count);
			json_reopen(a);
		}
		if (sw_ring_pop(&a->ring, &it)) {
			if (a->mode == SW_ALERT_JSON)
				json_emit(a, &it);
			else
				sw_alert_emit(a->mode, &it.det);
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

static struct sw_alerts *start(enum sw_alert_mode mode, const struct sw_alert_json *json)
{
	struct sw_alerts *a;
	sigset_t all, old;
	int err;

	a = calloc(1, sizeof *a);
	if (!a || sw_ring_init(&a->ring, ALERT_RING, sizeof(struct sw_alert_item)) < 0) {
		free(a);
		sw_warn("cannot allocate the alert queue: no alerts");
		return NULL;
	}
	a->mode = mode;
	if (json)
		a->json = *json;
	a->hup_seen = atomic_load(&hup_count);
	atomic_init(&a->stopping, false);
	atomic_init(&a->done, false);
	atomic_init(&a->failed, 0);
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

struct sw_alerts *sw_alerts_start(enum sw_alert_mode mode)
{
	if (mode == SW_ALERT_NONE || mode == SW_ALERT_JSON)
		return NULL;
	return start(mode, NULL);
}

struct sw_alerts *sw_alerts_start_json(const struct sw_alert_json *cfg)
{
	struct sw_alerts *a = start(SW_ALERT_JSON, cfg);

	if (!a)
		close(cfg->fd);
	return a;
}

struct sw_alerts *sw_alerts_chain(struct sw_alerts *a, struct sw_alerts *b)
{
	struct sw_alerts *t = a;

	if (!a)
		return b;
	while (t->next)
		t = t->next;
	t->next = b;
	return a;
}

bool sw_alerts_want_closes(const struct sw_alerts *a)
{
	for (; a; a = a->next)
		if (a->mode == SW_ALERT_JSON)
			return true;
	return false;
}

void sw_alerts_post(struct sw_alerts *a, uint32_t type, int64_t id, const struct sw_rec_det *r)
{
	struct sw_alert_item it;

	for (; a; a = a->next) {
		if (a->mode != SW_ALERT_JSON && (type != SW_REC_DET_OPEN || !sw_alert_worthy(r)))
			continue;
		it.type = type;
		it.id = id;
		it.det = *r;
		if (a->mode == SW_ALERT_JSON && a->json.lossless) {
			/* a file only ever makes us wait while it is written */
			while (!sw_ring_push(&a->ring, &it))
				sw_sleep_ms(1);
		} else if (!sw_ring_push(&a->ring, &it)) {
			a->dropped++;
		}
	}
}

/* Stop one sink; its dropped and failed lines. */
static uint64_t stop_one(struct sw_alerts *a, bool *stuck)
{
	uint64_t dropped;

	atomic_store(&a->stopping, true);
	for (int waited = 0; !atomic_load(&a->done) && waited < STOP_WAIT_MS; waited += 10)
		sw_sleep_ms(10);
	dropped = a->dropped;
	if (atomic_load(&a->done)) {
		pthread_join(a->thread, NULL);
		dropped += atomic_load(&a->failed);
		if (a->mode == SW_ALERT_JSON)
			close(a->json.fd);
		sw_ring_free(&a->ring);
		free(a);
	} else {
		/* stuck on a paused terminal or a full pipe: leave it (and its
		 * memory) to the end of the process, and count what it holds */
		dropped += sw_ring_count(&a->ring) + atomic_load(&a->failed);
		pthread_detach(a->thread);
		if (a->mode == SW_ALERT_STDERR)
			*stuck = true;
	}
	return dropped;
}

uint64_t sw_alerts_stop(struct sw_alerts *a, bool *stuck)
{
	uint64_t dropped = 0;
	bool st = false;

	while (a) {
		struct sw_alerts *next = a->next;
		dropped += stop_one(a, &st);
		a = next;
	}
	if (stuck)
		*stuck = st;
	return dropped;
}
