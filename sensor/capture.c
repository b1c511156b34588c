/*
 * capture.c - the capture thread: libpcap handles, the packet loop, and the
 * per-packet path (decode -> count -> detect -> fragment tracker, whose
 * headers put back together from tiny fragments go to detection too); with
 * -j N, the workers' threads (live: a handle each in a fanout group; files:
 * fed by this thread through split.h); -j 1 with files, in two stages when
 * asked (pipe.h): a reader thread reads, decodes, counts and tracks
 * fragments, and this thread's engine takes what detection needs.
 *
 * Nothing on the packet path allocates or touches SQLite; statistics go to
 * the writer thread as records through its ring.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "detect.h"
#include "evpcap.h"
#include "fanout.h"
#include "frag.h"
#include "pipe.h"
#include "split.h"
#include "log.h"
#include "timefmt.h"
#include "writer.h"

#define FILE_BATCH 4096 /* packets per pcap_dispatch() when reading files */
#define LIVE_TIMEOUT_MS 500 /* TPACKET_V3 block timeout, and our poll() */
#define SPLIT_BATCH 256 /* -j N files: messages a worker takes between releases */
#define PIPE_BATCH 256  /* -j 1 files, two stages: messages taken between releases */

/* One packet loop: the only one (-j 1), or a -j N worker in its own
 * thread: live, on its own handle of the fanout group; files, on what the
 * reader passes it (split.h). */
struct sw_worker {
	/* per-packet state, used by the callback; the packet first, so that
	 * on_packet() keeps it and the worker in one register */
	struct sw_pkt pkt;
	int linktype;
	struct sw_counters *cnt;
	struct sw_frag *frag;
	struct sw_detect *detect; /* NULL: count only */
	struct sw_evpcap *evpcap; /* NULL: no --evidence-pcap */
	struct sw_writer *w;
	/* the frame being handled, for on_packet_after() */
	const struct pcap_pkthdr *hdr;
	const u_char *data;
	struct sw_pkt head;       /* a header put together from tiny fragments */
	struct sw_tally tally;    /* cnt's common case, folded in by refresh_counters() */

	struct sw_capture *c;
	int index;                /* its writer port too */
	pcap_t *handle;           /* -j N: its handle */
	enum sw_capture_status rc;
	pthread_t thread;
	int64_t next_stats;
	int64_t clock_us;         /* -j N files: the newest packet time it took */
};

/* -j 1 files in two stages (pipe.h): the reader thread's side. It reads,
 * decodes and counts every packet (counters of its own), keeps the worker's
 * fragment tracker while it runs, and passes what the engine needs. */
struct pipe_reader {
	struct sw_pipe *q;
	struct sw_pipe_clock clock;
	int linktype;
	struct sw_counters cnt;
	struct sw_tally tally;
	struct sw_frag *frag;
	struct sw_pkt head;       /* a header put together from tiny fragments */
	int64_t next_stats;
	uint64_t passed, times;   /* packets and time messages passed (for -v) */
	/* the counters for the worker's STATS record: written by the reader
	 * while snapshot_taken is 1, then it sends SW_PIPE_STATS and sets it to
	 * 0; the worker sets it back to 1 once it has copied them */
	struct sw_counters snapshot;
	atomic_int snapshot_taken;
	enum sw_capture_status rc;
};

struct sw_capture {
	struct sw_capture_opts opts;
	pcap_t **handles;
	struct sw_capture_file *files; /* -r: one per handle */
	int nhandles;
	int live;
	char linktypes[256];
	int nworkers;             /* 1, or -j N */
	struct sw_split *split;   /* -j N files: the reader's rings to the workers */
	struct pipe_reader *pipe; /* -j 1 files in two stages (pipe.h), else NULL */
	bool streamed;            /* a -r file is not a regular file (a pipe) */
	uint64_t split_errors;    /* -j N files: read errors (worker 0 counts them) */
	struct sw_counters split_rate; /* -j N files: the run's seconds and peak rate,
	                                  counted by the reader over every packet */
	struct sw_worker workers[SW_FANOUT_MAX_WORKERS];
	int64_t loop_us;          /* wall time spent in the packet loop */
	int64_t whole_us;         /* -j N: when every handle was in the group */

	/* the interface's drop counters, held open across a chroot (-t):
	 * rx_missed_errors and rx_fifo_errors in sysfs, -1 when not held */
	int sysfs_fd[2];
	bool sysfs_held;
	long long sysfs_last;     /* their sum at the last reading */
	uint64_t sysfs_drops;     /* what they grew by since the capture opened */
};

static struct pipe_reader *pipe_reader_new(void);
static void pipe_reader_free(struct pipe_reader *r);

static volatile sig_atomic_t stop_requested;
static _Atomic(pcap_t *) current_handle; /* -j 1: the handle being read, for a signal */
static pcap_t *volatile worker_handles[SW_FANOUT_MAX_WORKERS]; /* -j N */

void sw_capture_stop(void)
{
	pcap_t *h = current_handle;

	stop_requested = 1;
	if (h)
		pcap_breakloop(h);
	for (int i = 0; i < SW_FANOUT_MAX_WORKERS; i++)
		if ((h = worker_handles[i]))
			pcap_breakloop(h);
}

static void add_linktype(struct sw_capture *c, int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	char one[32];
	size_t used = strlen(c->linktypes);

	if (!name) {
		snprintf(one, sizeof one, "DLT%d", dlt);
		name = one;
	}
	if (strstr(c->linktypes, name))
		return;
	snprintf(c->linktypes + used, sizeof c->linktypes - used, "%s%s",
	         used ? "," : "", name);
}

static int set_filter(struct sw_capture *c, pcap_t *h, const char *what,
                      enum sw_capture_status *status, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (!c->opts.filter)
		return 0;
	if (pcap_compile(h, &prog, c->opts.filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad BPF expression '%s' for %s: %s", c->opts.filter,
		         what, pcap_geterr(h));
		*status = SW_CAPTURE_USAGE;
		return -1;
	}
	if (pcap_setfilter(h, &prog) < 0) {
		snprintf(err, errlen, "%s: cannot set filter: %s", what, pcap_geterr(h));
		pcap_freecode(&prog);
		*status = SW_CAPTURE_RUNTIME;
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static pcap_t *open_file(struct sw_capture *c, const char *path,
                         enum sw_capture_status *status, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *h = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
	                                                    ebuf);

	if (!h) {
		/* libpcap usually names the file itself; say it once either way */
		if (strncmp(ebuf, path, strlen(path)) == 0)
			snprintf(err, errlen, "cannot read capture %s", ebuf);
		else
			snprintf(err, errlen, "cannot read capture %s: %s", path, ebuf);
		*status = SW_CAPTURE_RUNTIME;
		return NULL;
	}
	if (!sw_decode_linktype_ok(pcap_datalink(h))) {
		const char *name = pcap_datalink_val_to_name(pcap_datalink(h));
		snprintf(err, errlen, "%s: link type %s (%d) is not supported", path,
		         name ? name : "unknown", pcap_datalink(h));
		*status = SW_CAPTURE_RUNTIME;
		pcap_close(h);
		return NULL;
	}
	if (set_filter(c, h, path, status, err, errlen) < 0) {
		pcap_close(h);
		return NULL;
	}
	add_linktype(c, pcap_datalink(h));
	return h;
}

/* What the run records of a file: the descriptor libpcap reads is the file
 * stat'ed (no race with a rename), and the path is made absolute now,
 * before a chroot, so that the analyzer finds it again. *streamed is set
 * when it is not a regular file (a pipe, a FIFO: reads may wait). */
static int note_file(pcap_t *h, const char *path, struct sw_capture_file *f,
                     bool *streamed, char *err, size_t errlen)
{
	FILE *fp = pcap_file(h);
	struct stat st;

	if (!fp || fstat(fileno(fp), &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat the capture: %s", path, strerror(errno));
		return -1;
	}
	f->size = (int64_t)st.st_size;
	if (!S_ISREG(st.st_mode))
		*streamed = true;
	f->mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
	f->path = realpath(path, NULL);
	if (!f->path) {
		sw_warn("%s: cannot resolve the path (%s); recorded as given", path,
		        strerror(errno));
		f->path = strdup(path);
	}
	if (!f->path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static pcap_t *open_live(struct sw_capture *c, enum sw_capture_status *status,
                         char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *ifc = c->opts.iface;
	pcap_t *h = pcap_create(ifc, ebuf);
	int rc;

	*status = SW_CAPTURE_RUNTIME;
	if (!h) {
		snprintf(err, errlen, "-i %s: %s", ifc, ebuf);
		return NULL;
	}
	/* immediate mode stays off: libpcap then uses TPACKET_V3 blocks on
	 * Linux, and the timeout bounds how long a block waits */
	pcap_set_snaplen(h, c->opts.snaplen);
	pcap_set_promisc(h, c->opts.promisc);
	pcap_set_buffer_size(h, c->opts.buffer_mib * 1024 * 1024);
	pcap_set_immediate_mode(h, 0);
	pcap_set_timeout(h, LIVE_TIMEOUT_MS);
	rc = pcap_activate(h);
	if (rc < 0) {
		snprintf(err, errlen, "-i %s: %s", ifc,
		         rc == PCAP_ERROR ? pcap_geterr(h) : pcap_statustostr(rc));
		pcap_close(h);
		return NULL;
	}
	if (rc > 0)
		sw_warn("-i %s: %s", ifc, rc == PCAP_WARNING ? pcap_geterr(h)
		                                             : pcap_statustostr(rc));
	/* On Linux a blocking pcap_dispatch() does not return when the timeout
	 * passes without packets; poll() in read_handle() bounds the wait so
	 * statistics are stored and signals honoured on a quiet link too. */
	if (pcap_get_selectable_fd(h) < 0 || pcap_setnonblock(h, 1, ebuf) < 0) {
		snprintf(err, errlen, "-i %s: cannot poll the capture: %s", ifc, ebuf);
		pcap_close(h);
		return NULL;
	}
	if (!sw_decode_linktype_ok(pcap_datalink(h))) {
		snprintf(err, errlen, "-i %s: link type %d is not supported", ifc,
		         pcap_datalink(h));
		pcap_close(h);
		return NULL;
	}
	if (set_filter(c, h, ifc, status, err, errlen) < 0) {
		pcap_close(h);
		return NULL;
	}
	add_linktype(c, pcap_datalink(h));
	return h;
}

/* -j N: every handle into one PACKET_FANOUT group, then the group gets
 * the program that picks the worker (until then, worker 0 gets all). */
static int join_fanout(struct sw_capture *c, char *err, size_t errlen)
{
	static struct bpf_insn prog[SW_FANOUT_MAX_INSNS];
	int n = sw_fanout_build(c->opts.home, SW_FANOUT_BASE_KERNEL, prog, SW_FANOUT_MAX_INSNS,
	                        err, errlen);
	uint16_t id = (uint16_t)getpid();
	int tries = 0;

	if (n < 0)
		return -1;
	/* a group id another process holds: try the next ones */
	while (sw_fanout_join(pcap_fileno(c->handles[0]), id, err, errlen) < 0) {
		if (++tries == 64)
			return -1;
		id++;
	}
	for (int i = 1; i < c->nhandles; i++)
		if (sw_fanout_join(pcap_fileno(c->handles[i]), id, err, errlen) < 0)
			return -1;
	/* before this, a handle not yet in the group saw every packet: those
	 * are left out (on_packet_fanout); after it, each packet reaches one */
	c->whole_us = sw_now_us();
	if (sw_fanout_program(pcap_fileno(c->handles[0]), prog, n, err, errlen) < 0)
		return -1;
	sw_debug("-j %d: fanout group %u, a program of %d instructions", c->nworkers, id, n);
	return 0;
}

/* join_fanout, its error naming the interface and -j */
static int join_fanout_named(struct sw_capture *c, char *err, size_t errlen)
{
	char why[256];

	if (join_fanout(c, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "-i %s -j %d: %s", c->opts.iface, c->nworkers, why);
	return -1;
}

struct sw_capture *sw_capture_open(const struct sw_capture_opts *o,
                                   enum sw_capture_status *status,
                                   char *err, size_t errlen)
{
	struct sw_capture *c = calloc(1, sizeof *c);
	int nworkers = o->workers > 1 ? o->workers : 1;
	int want = o->iface ? nworkers : o->nfiles;

	*status = SW_CAPTURE_RUNTIME;
	if (!c || !(c->handles = calloc((size_t)want, sizeof *c->handles)) ||
	    !(c->files = calloc((size_t)want, sizeof *c->files))) {
		snprintf(err, errlen, "out of memory");
		if (c)
			free(c->handles);
		free(c);
		return NULL;
	}
	c->sysfs_fd[0] = c->sysfs_fd[1] = -1;
	c->opts = *o;
	c->live = o->iface != NULL;
	c->nworkers = nworkers;
	for (int i = 0; i < nworkers; i++) {
		c->workers[i].c = c;
		c->workers[i].index = i;
		c->workers[i].frag = sw_frag_new(o->frag_slots);
		if (!c->workers[i].frag) {
			snprintf(err, errlen, "cannot allocate the fragment table (%u slots)",
			         o->frag_slots);
			goto fail;
		}
	}
	for (int i = 0; i < want; i++) {
		pcap_t *h = c->live ? open_live(c, status, err, errlen)
		                    : open_file(c, o->files[i], status, err, errlen);
		if (!h)
			goto fail;
		c->handles[c->nhandles++] = h;
		if (!c->live && note_file(h, o->files[i], &c->files[i], &c->streamed, err, errlen) < 0)
			goto fail;
	}
	if (nworkers > 1 && c->live && join_fanout_named(c, err, errlen) < 0)
		goto fail;
	if (nworkers > 1 && !c->live && !(c->split = sw_split_new((unsigned)nworkers, o->home))) {
		snprintf(err, errlen, "-j %d: cannot allocate the workers' rings", nworkers);
		goto fail;
	}
	if (nworkers == 1 && !c->live && o->reader_thread && !(c->pipe = pipe_reader_new())) {
		snprintf(err, errlen, "cannot allocate the reader thread's ring");
		goto fail;
	}
	*status = SW_CAPTURE_OK;
	return c;
fail:
	sw_capture_close(c);
	return NULL;
}

void sw_capture_set_evpcap(struct sw_capture *c, struct sw_evpcap *e)
{
	c->workers[0].evpcap = e; /* -j 1 only (main.c refuses it with more) */
}

int sw_capture_workers(const struct sw_capture *c)
{
	return c->nworkers;
}

pcap_t *sw_capture_first_handle(const struct sw_capture *c, int *same)
{
	*same = 1;
	for (int i = 1; i < c->nhandles; i++)
		if (pcap_datalink(c->handles[i]) != pcap_datalink(c->handles[0]))
			*same = 0;
	return c->nhandles ? c->handles[0] : NULL;
}

const struct sw_capture_file *sw_capture_file(const struct sw_capture *c, int i)
{
	if (c->live || i < 0 || i >= c->nhandles)
		return NULL;
	return &c->files[i];
}

const char *sw_capture_linktypes(const struct sw_capture *c)
{
	return c->linktypes;
}

/* A fragment, after detection saw it as it is: overlaps are counted, and a
 * transport header that tiny fragments split goes to detection whole. Tiny
 * fragments carry an error but take part like any other. */
static void on_fragment(struct sw_worker *c, const struct sw_pkt *p,
                        const uint8_t *data)
{
	unsigned found = sw_frag_check(c->frag, p, data, &c->head);

	if (found & SW_FRAG_OVERLAP)
		c->cnt->anomaly[SW_AN_FRAG_OVERLAP]++;
	if ((found & SW_FRAG_HEADER) && c->detect)
		sw_detect_packet(c->detect, &c->head);
}

/* The rest of the packet path for a packet that needs the frame after
 * detection saw it: for the evidence pcap, or a fragment. */
__attribute__((noinline))
static void on_packet_after(struct sw_worker *c)
{
	const struct sw_pkt *p = &c->pkt;

	if (c->detect)
		sw_detect_packet(c->detect, p);
	if (c->evpcap)
		sw_evpcap_packet(c->evpcap, c->hdr, c->data, p);
	if (p->flags & SW_PF_FRAG)
		on_fragment(c, p, c->data);
}

/*
 * The packet path: decode, count, detect, then the evidence pcap and the
 * fragment tracker. The frame is kept in the worker for the last two
 * (on_packet_after()), rare, so that the common path keeps nothing but the
 * worker across its calls and ends in a jump to detection.
 */
static void on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct sw_worker *c = (struct sw_worker *)user;
	struct sw_pkt *p = &c->pkt;

	c->hdr = hdr;
	c->data = data;
	sw_decode(c->linktype, data, hdr->caplen, hdr->len, (uint64_t)sw_tv_to_us(&hdr->ts), p);
	sw_counters_add(c->cnt, &c->tally, p);
	if (c->evpcap || (p->flags & SW_PF_FRAG)) {
		on_packet_after(c);
		return;
	}
	if (c->detect)
		sw_detect_packet(c->detect, p);
}

/* -j N: the packet path, once the group was whole (see join_fanout). */
static void on_packet_fanout(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct sw_worker *wk = (struct sw_worker *)user;

	if (sw_tv_to_us(&hdr->ts) < wk->c->whole_us)
		return;
	on_packet(user, hdr, data);
}

static void copy_table_counters(struct sw_worker *c)
{
	const struct sw_detect_stats *st;

	if (!c->detect)
		return;
	st = sw_detect_stats(c->detect);
	c->cnt->table[SW_TB_SOURCES_EVICTED] = st->source_evictions;
	c->cnt->table[SW_TB_CONTACTS_EVICTED] = st->contact_evictions;
	c->cnt->table[SW_TB_DETAILS_EVICTED] = st->detail_evictions;
	c->cnt->table[SW_TB_FLOOD_EVICTED] = st->flood_evictions;
	c->cnt->table[SW_TB_FLOOD_PREFIX_EVICTED] = st->flood_prefix_evictions;
	c->cnt->table[SW_TB_PROBES_SUPPRESSED] = st->probes_suppressed;
	c->cnt->detections = st->detections;
}

/* ---- interface drops across a chroot ------------------------------------ */

/* The sum of the held counters, or -1 when one cannot be read. pread at
 * offset 0 makes sysfs produce the value afresh. */
static long long read_held(const struct sw_capture *c)
{
	long long sum = 0;

	for (int i = 0; i < 2; i++) {
		char buf[32];
		ssize_t n;

		if (c->sysfs_fd[i] < 0)
			continue;
		n = pread(c->sysfs_fd[i], buf, sizeof buf - 1, 0);
		if (n <= 0)
			return -1;
		buf[n] = '\0';
		sum += strtoll(buf, NULL, 10);
	}
	return sum;
}

void sw_capture_hold_sysfs(struct sw_capture *c)
{
	static const char *const name[2] = { "rx_missed_errors", "rx_fifo_errors" };
	char path[512];

	/* libpcap counts interface drops only in promiscuous mode */
	if (!c->live || !c->opts.promisc || c->sysfs_held)
		return;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", c->opts.iface,
		         name[i]);
		c->sysfs_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (c->sysfs_fd[0] < 0 && c->sysfs_fd[1] < 0)
		return; /* none, as for "any": libpcap has none either */
	c->sysfs_last = read_held(c);
	c->sysfs_held = c->sysfs_last >= 0;
}

/* What the interface dropped since the capture opened: counted like
 * libpcap's ps_ifdrop, but 64-bit, and a counter that went back (a reset
 * interface) adds nothing instead of wrapping. */
static uint64_t held_drops(struct sw_capture *c)
{
	long long now = read_held(c);

	if (now >= c->sysfs_last)
		c->sysfs_drops += (uint64_t)(now - c->sysfs_last);
	if (now >= 0)
		c->sysfs_last = now;
	return c->sysfs_drops;
}

/* A worker's counters brought up to date: the tally of their common case,
 * its socket's drops (the interface's drops once, with worker 0: every
 * handle reads the same interface counters), its fragment tracker and
 * tables. Before they are read. */
static void refresh_counters(struct sw_worker *wk, pcap_t *h)
{
	struct sw_capture *c = wk->c;
	struct pcap_stat ps;

	sw_counters_fold(wk->cnt, &wk->tally);
	if (c->live && h && pcap_stats(h, &ps) == 0) {
		wk->cnt->dropped = ps.ps_drop;
		/* libpcap reads sysfs by path, which a chroot hides: it would count
		 * the drops as having fallen to 0 (and wrap) */
		if (wk->index == 0)
			wk->cnt->ifdropped = c->sysfs_held ? held_drops(c) : ps.ps_ifdrop;
	}
	wk->cnt->anomaly[SW_AN_FRAG_EVICTED] = sw_frag_evictions(wk->frag);
	copy_table_counters(wk);
}

/* The worker's counters, as they are, to the writer. */
static void submit_stats(struct sw_worker *wk, struct sw_writer *w, int type)
{
	struct sw_rec rec;

	memset(&rec, 0, sizeof rec);
	rec.type = (uint32_t)type;
	rec.u.stats = *wk->cnt;
	if (type == SW_REC_END)
		sw_writer_submit_wait_on(w, wk->index, &rec);
	else if (!sw_writer_submit_on(w, wk->index, &rec))
		wk->cnt->ring_full++;
}

static void send_stats(struct sw_worker *wk, pcap_t *h, struct sw_writer *w, int type)
{
	refresh_counters(wk, h);
	submit_stats(wk, w, type);
}

/* Live: wait until the capture has packets, a signal arrives, or the
 * timeout passes. -1 only on a poll error. */
static int wait_for_packets(pcap_t *h)
{
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(h), .events = POLLIN };

	if (poll(&pfd, 1, LIVE_TIMEOUT_MS) < 0 && errno != EINTR) {
		sw_err("poll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void split_tick(struct sw_worker *wk, int64_t t);

static enum sw_capture_status read_handle(struct sw_worker *wk, pcap_t *h, const char *what,
                                          struct sw_writer *w, int64_t *next_stats)
{
	struct sw_capture *c = wk->c;

	wk->linktype = pcap_datalink(h);
	if (c->nworkers == 1)
		current_handle = h;
	while (!stop_requested) {
		int n;
		int64_t now, waited = c->live && c->nworkers > 1 ? sw_now_us() : 0;

		if (c->live && wait_for_packets(h) < 0)
			break;
		n = pcap_dispatch(h, c->live ? -1 : FILE_BATCH,
		                  c->nworkers > 1 ? on_packet_fanout : on_packet, (u_char *)wk);
		/* -j N live: a worker that read nothing has no packet left from
		 * before the wait began, less the block timeout (a packet waits in
		 * its block at most that long); its clock moves there, so that it
		 * settles what expired and lets the shared floods close, which
		 * wait for every worker's clock (detect.h) */
		if (n == 0 && waited > 0)
			split_tick(wk, waited - (int64_t)LIVE_TIMEOUT_MS * 1000);

		if (n == PCAP_ERROR_BREAK)
			break;
		if (n == PCAP_ERROR) {
			sw_err("%s: read error: %s", what, pcap_geterr(h));
			wk->cnt->anomaly[SW_AN_READ_ERROR]++;
			current_handle = NULL;
			return SW_CAPTURE_RUNTIME;
		}
		if (n == 0 && !c->live)
			break; /* end of file */
		now = sw_now_us();
		if (now >= *next_stats) {
			send_stats(wk, h, w, SW_REC_STATS);
			if (wk->evpcap)
				sw_evpcap_flush(wk->evpcap);
			*next_stats = now + (int64_t)c->opts.stats_interval * 1000000;
		}
	}
	current_handle = NULL;
	return SW_CAPTURE_OK;
}

/* -j N: one worker's thread, reading its handle of the fanout group. */
static void *worker_main(void *arg)
{
	struct sw_worker *wk = arg;

	wk->rc = read_handle(wk, wk->handle, wk->c->opts.iface, wk->w, &wk->next_stats);
	return NULL;
}

/* ---- -j N, files: the workers fed by the reader (split.h) ------------------ */

/* Move the worker's packet-time clock to t without a packet: through the
 * engine's packet entry, as an IP packet of a reserved protocol (255), which
 * the engine takes for its time and nothing else. Not counted. */
static void split_tick(struct sw_worker *wk, int64_t t)
{
	struct sw_pkt tick;

	if (t > wk->clock_us)
		wk->clock_us = t;
	if (!wk->detect)
		return;
	sw_detect_clock_packet(&tick, t);
	sw_detect_packet(wk->detect, &tick);
}

/* One message from the reader; false at the end. */
static bool split_message(struct sw_worker *wk, const struct sw_split_msg *m)
{
	const struct sw_pkt *p = &wk->pkt;

	switch (m->kind) {
	case SW_SPLIT_PACKET:
		on_packet((u_char *)wk, m->hdr, m->data);
		/* the time the engine took (sw_detect_packet: IP, decoded) */
		if (p->err == SW_DERR_NONE && (p->l3 == SW_L3_IPV4 || p->l3 == SW_L3_IPV6) &&
		    (int64_t)p->ts_us > wk->clock_us)
			wk->clock_us = (int64_t)p->ts_us;
		return true;
	case SW_SPLIT_TICK:
		split_tick(wk, m->tick_us);
		return true;
	case SW_SPLIT_LINKTYPE:
		wk->linktype = m->linktype;
		return true;
	case SW_SPLIT_END:
	default:
		return false;
	}
}

static void *split_worker_main(void *arg)
{
	struct sw_worker *wk = arg;
	struct sw_split *s = wk->c->split;
	struct sw_split_msg m;
	bool more = true;

	while (more) {
		int taken = 0;
		int64_t now;

		while (more && taken < SPLIT_BATCH &&
		       sw_split_take(s, (unsigned)wk->index, &m, taken == 0)) {
			more = split_message(wk, &m);
			taken++;
		}
		sw_split_release(s, (unsigned)wk->index);
		now = sw_now_us();
		if (now >= wk->next_stats) {
			send_stats(wk, NULL, wk->w, SW_REC_STATS);
			wk->next_stats = now + (int64_t)wk->c->opts.stats_interval * 1000000;
		}
	}
	return NULL;
}

static void on_read_split(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct sw_capture *c = (struct sw_capture *)user;

	/* the workers' seconds overlap: the reader counts them for the run
	 * (the rest of split_rate is unused; fanout_files.sh checks the result
	 * against -j 1) */
	sw_counters_rate(&c->split_rate, sw_tv_to_us(&hdr->ts));
	if (!sw_split_packet(c->split, hdr, data)) {
		/* libpcap reads no packet this large from a file: not expected */
		if (c->split_errors++ == 0)
			sw_err("a packet of %u bytes: more than -j N passes (%u); not read",
			       hdr->caplen, SW_SPLIT_MAX_CAPLEN);
	}
}

/* The reader: every file in order, each packet to its worker. */
static enum sw_capture_status read_split(struct sw_capture *c)
{
	enum sw_capture_status rc = SW_CAPTURE_OK;

	for (int i = 0; i < c->nhandles && !stop_requested; i++) {
		pcap_t *h = c->handles[i];

		sw_split_linktype(c->split, pcap_datalink(h));
		current_handle = h;
		while (!stop_requested) {
			int n = pcap_dispatch(h, FILE_BATCH, on_read_split, (u_char *)c);
			sw_split_flush(c->split);
			if (n == PCAP_ERROR_BREAK || n == 0)
				break;
			if (n == PCAP_ERROR) {
				sw_err("%s: read error: %s", c->opts.files[i], pcap_geterr(h));
				c->split_errors++;
				rc = SW_CAPTURE_RUNTIME; /* go on with the next file */
				break;
			}
		}
		current_handle = NULL;
	}
	sw_split_end(c->split);
	return rc;
}

/* After the workers: every engine's clock at the newest packet time any of
 * them took (the single engine's at the end), so that sw_detect_finish()
 * closes at the same time; the reader's errors counted by worker 0. */
static void split_done(struct sw_capture *c)
{
	int64_t end = 0;

	for (int i = 0; i < c->nworkers; i++) {
		if (c->workers[i].clock_us > end)
			end = c->workers[i].clock_us;
		sw_debug("-j %d worker %d: %llu packets", c->nworkers, i,
		         (unsigned long long)sw_split_passed(c->split, (unsigned)i));
	}
	sw_debug("-j %d: %llu time ticks", c->nworkers,
	         (unsigned long long)sw_split_ticks(c->split));
	for (int i = 0; i < c->nworkers; i++)
		if (end > 0 && c->workers[i].clock_us < end)
			split_tick(&c->workers[i], end);
	c->workers[0].cnt->anomaly[SW_AN_READ_ERROR] += c->split_errors;
}

/* ---- -j 1, files: two stages, the reader thread and this one (pipe.h) ---- */

static struct pipe_reader *pipe_reader_new(void)
{
	struct pipe_reader *r = calloc(1, sizeof *r);

	if (r && !(r->q = sw_pipe_new())) {
		free(r);
		r = NULL;
	}
	return r;
}

static void pipe_reader_free(struct pipe_reader *r)
{
	if (!r)
		return;
	sw_pipe_free(r->q);
	free(r);
}

/* The packet p after a time message of t (rare: the packet is older than
 * the newest one, whose time did not cross). */
__attribute__((noinline))
static void pipe_time_first(struct pipe_reader *r, const struct sw_pkt *p, int64_t t)
{
	struct sw_pkt tick;

	sw_detect_clock_packet(&tick, t);
	sw_pipe_put_packet(r->q, &tick);
	r->times++;
	sw_pipe_put_packet(r->q, p);
	r->passed++;
}

/* The decoded packet p to the engine, if it needs it. */
static inline void pipe_pass(struct pipe_reader *r, const struct sw_pkt *p)
{
	int64_t t;

	switch (sw_pipe_clock_pass(&r->clock, p, &t)) {
	case SW_PIPE_SKIP:
		return;
	case SW_PIPE_PASS:
		sw_pipe_put_packet(r->q, p);
		r->passed++;
		return;
	case SW_PIPE_TIME_FIRST:
		pipe_time_first(r, p, t);
		return;
	}
}

/* A fragment p: on_fragment()'s work, the fragment and then a header put
 * together from tiny fragments to the engine, in the single path's order. */
__attribute__((noinline))
static void pipe_fragment(struct pipe_reader *r, const struct sw_pkt *p, const uint8_t *data)
{
	unsigned found = sw_frag_check(r->frag, p, data, &r->head);

	if (found & SW_FRAG_OVERLAP)
		r->cnt.anomaly[SW_AN_FRAG_OVERLAP]++;
	pipe_pass(r, p);
	if (found & SW_FRAG_HEADER)
		pipe_pass(r, &r->head);
}

/* The reader's packet path: decode (into a packet of its own, which stays
 * in this core's cache), count, the fragment tracker, and pass what the
 * engine needs. */
static void on_read_pipe(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct pipe_reader *r = (struct pipe_reader *)user;
	struct sw_pkt p;

	sw_decode(r->linktype, data, hdr->caplen, hdr->len, (uint64_t)sw_tv_to_us(&hdr->ts), &p);
	sw_counters_add(&r->cnt, &r->tally, &p);
	if (p.flags & SW_PF_FRAG) {
		pipe_fragment(r, &p, data);
		return;
	}
	pipe_pass(r, &p);
}

/* The stats interval: the reader's counters for the worker's STATS
 * record, unless the worker has not taken the last ones yet (then at a
 * later batch). false then. */
static bool pipe_send_stats(struct pipe_reader *r)
{
	if (!atomic_load_explicit(&r->snapshot_taken, memory_order_acquire))
		return false;
	sw_counters_fold(&r->cnt, &r->tally);
	r->cnt.anomaly[SW_AN_FRAG_EVICTED] = sw_frag_evictions(r->frag);
	r->snapshot = r->cnt;
	atomic_store_explicit(&r->snapshot_taken, 0, memory_order_relaxed);
	sw_pipe_put_kind(r->q, SW_PIPE_STATS);
	sw_pipe_flush(r->q); /* (the snapshot with it: a release) */
	return true;
}

/* The last messages: the engine's clock where the single one's ends, and
 * the end. */
static void pipe_send_end(struct pipe_reader *r)
{
	if (sw_pipe_clock_behind(&r->clock)) {
		struct sw_pkt tick;

		sw_detect_clock_packet(&tick, r->clock.now);
		sw_pipe_put_packet(r->q, &tick);
		r->clock.sent = r->clock.now;
		r->times++;
	}
	sw_pipe_put_kind(r->q, SW_PIPE_END);
	sw_pipe_flush(r->q);
}

/* The reader thread: every file in order, as read_handle() reads them. */
static void *pipe_reader_main(void *arg)
{
	struct sw_capture *c = arg;
	struct pipe_reader *r = c->pipe;

	for (int i = 0; i < c->nhandles && !stop_requested; i++) {
		pcap_t *h = c->handles[i];

		r->linktype = pcap_datalink(h);
		current_handle = h;
		while (!stop_requested) {
			int n = pcap_dispatch(h, FILE_BATCH, on_read_pipe, (u_char *)r);
			int64_t now;

			sw_pipe_flush(r->q);
			if (n == PCAP_ERROR_BREAK || n == 0)
				break;
			if (n == PCAP_ERROR) {
				sw_err("%s: read error: %s", c->opts.files[i], pcap_geterr(h));
				r->cnt.anomaly[SW_AN_READ_ERROR]++;
				r->rc = SW_CAPTURE_RUNTIME; /* go on with the next file */
				break;
			}
			now = sw_now_us();
			if (now >= r->next_stats && pipe_send_stats(r))
				r->next_stats = now + (int64_t)c->opts.stats_interval * 1000000;
		}
		current_handle = NULL;
	}
	pipe_send_end(r);
	return NULL;
}

/* The reader's counters as the worker's, but for what only the worker
 * counts: the records the writer's ring refused. */
static void take_reader_counters(struct sw_worker *wk, const struct sw_counters *reader)
{
	uint64_t ring_full = wk->cnt->ring_full;

	*wk->cnt = *reader;
	wk->cnt->ring_full = ring_full;
}

/* The worker's STATS: the reader's counters with its own (the records
 * the writer's ring refused, the engine's tables). */
static void pipe_worker_stats(struct sw_worker *wk, struct pipe_reader *r)
{
	take_reader_counters(wk, &r->snapshot);
	atomic_store_explicit(&r->snapshot_taken, 1, memory_order_release);
	copy_table_counters(wk);
	submit_stats(wk, wk->w, SW_REC_STATS);
}

/* The worker: the engine takes what the reader passes, until the end.
 * A compact packet is unpacked one message ahead of the engine: by the
 * time the engine reads the fields, the narrow stores of the unpacking
 * have left the store buffer (a load that spans several of them would
 * wait for that). */
static void pipe_worker(struct sw_worker *wk, struct pipe_reader *r)
{
	struct sw_pipe *q = r->q;
	struct sw_pkt unpacked[2]; /* compact packets, unpacked (sw_pipe_unpack()) */
	const struct sw_pkt *pending = NULL; /* one of them, for the engine next */
	unsigned next = 0;
	bool more = true;

	memset(unpacked, 0, sizeof unpacked);
	while (more) {
		const struct sw_pipe_unit *m;
		unsigned taken = 0;

		while (taken < PIPE_BATCH && (m = sw_pipe_take(q, taken == 0))) {
			taken++;
			if (m->kind == SW_PIPE_TCP4 || m->kind == SW_PIPE_UDP4) {
				sw_pipe_unpack((const struct sw_pipe_compact *)m, &unpacked[next]);
				if (pending)
					sw_detect_packet(wk->detect, pending);
				pending = &unpacked[next];
				next ^= 1;
				continue;
			}
			if (pending) {
				sw_detect_packet(wk->detect, pending);
				pending = NULL;
			}
			if (m->kind == SW_PIPE_PACKET) {
				sw_detect_packet(wk->detect, &((const struct sw_pipe_msg *)m)->pkt);
			} else if (m->kind == SW_PIPE_STATS) {
				pipe_worker_stats(wk, r);
			} else {
				more = false;
				break;
			}
		}
		if (pending) {
			sw_detect_packet(wk->detect, pending);
			pending = NULL;
		}
		sw_pipe_release(q);
	}
}

/* -j 1 files in two stages: the reader in a thread of its own (the
 * signals stay with this one), the engine in this one; the counters are
 * the reader's after it. false if the thread cannot start (nothing was
 * read: the caller reads in one thread). */
static bool run_pipe(struct sw_capture *c, struct sw_worker *wk, int64_t next_stats,
                     enum sw_capture_status *rc)
{
	struct pipe_reader *r = c->pipe;
	sigset_t all, old;
	pthread_t reader;
	int err;

	r->frag = wk->frag;
	r->next_stats = next_stats;
	r->rc = SW_CAPTURE_OK;
	atomic_store(&r->snapshot_taken, 1);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&reader, NULL, pipe_reader_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		sw_warn("cannot start the reader thread (%s): reading in one", strerror(err));
		return false;
	}
	pipe_worker(wk, r);
	pthread_join(reader, NULL);
	sw_counters_fold(&r->cnt, &r->tally);
	take_reader_counters(wk, &r->cnt);
	sw_debug("reader thread: %llu packets and %llu time messages passed to detection",
	         (unsigned long long)r->passed, (unsigned long long)r->times);
	*rc = r->rc;
	return true;
}

/* -j N: a thread per worker; the signals stay with the main thread (the
 * handler stops them all). Live: each reads its handle; files: this
 * thread reads them and feeds the workers. */
static enum sw_capture_status run_workers(struct sw_capture *c, int64_t next_stats)
{
	enum sw_capture_status rc = SW_CAPTURE_OK;
	sigset_t all, old;
	int started = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < c->nworkers; i++) {
		struct sw_worker *wk = &c->workers[i];
		wk->handle = c->live ? c->handles[i] : NULL;
		wk->next_stats = next_stats;
		wk->clock_us = 0;
		worker_handles[i] = wk->handle;
		if (pthread_create(&wk->thread, NULL, c->split ? split_worker_main : worker_main,
		                   wk) != 0) {
			sw_err("-j %d: cannot start worker %d", c->nworkers, i);
			worker_handles[i] = NULL;
			stop_requested = 1;
			rc = SW_CAPTURE_RUNTIME;
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (c->split) {
		if (started == c->nworkers) {
			if (read_split(c) != SW_CAPTURE_OK)
				rc = SW_CAPTURE_RUNTIME;
		} else {
			sw_split_end(c->split); /* the started ones end at once */
		}
	}
	for (int i = 0; i < started; i++) {
		pthread_join(c->workers[i].thread, NULL);
		worker_handles[i] = NULL;
		if (c->workers[i].rc != SW_CAPTURE_OK)
			rc = SW_CAPTURE_RUNTIME;
	}
	if (c->split && started == c->nworkers)
		split_done(c);
	return rc;
}

enum sw_capture_status sw_capture_run(struct sw_capture *c, struct sw_detect *const *d,
                                      struct sw_counters *cnt, struct sw_writer *w)
{
	enum sw_capture_status rc = SW_CAPTURE_OK;
	int64_t next_stats = sw_now_us() + (int64_t)c->opts.stats_interval * 1000000;
	struct sw_worker *wk = &c->workers[0];

	for (int i = 0; i < c->nworkers; i++) {
		c->workers[i].cnt = &cnt[i];
		c->workers[i].detect = d ? d[i] : NULL;
		c->workers[i].w = w;
	}
	if (c->pipe && c->streamed)
		sw_debug("a -r file is not a regular file: reading in one thread");
	int64_t t0 = sw_now_us();
	if (c->nworkers > 1) {
		rc = run_workers(c, next_stats);
	} else if (c->pipe && wk->detect && !wk->evpcap && !c->streamed &&
	           run_pipe(c, wk, next_stats, &rc)) {
		/* read in two stages: not for the evidence pcap, which needs the
		 * frames, nor from a pipe, where the reader may wait for the next
		 * packet with the last ones not yet published to detection */
	} else {
		for (int i = 0; i < c->nhandles && !stop_requested; i++) {
			const char *what = c->live ? c->opts.iface : c->opts.files[i];
			if (read_handle(wk, c->handles[i], what, w, &next_stats) != SW_CAPTURE_OK)
				rc = SW_CAPTURE_RUNTIME; /* go on with the next file */
		}
	}
	c->loop_us = sw_now_us() - t0;
	return rc;
}

void sw_capture_end(struct sw_capture *c, struct sw_detect *const *d, struct sw_counters *cnt,
                    struct sw_counters *total, struct sw_writer *w)
{
	struct sw_rec rec;

	for (int i = 0; i < c->nworkers; i++) {
		c->workers[i].cnt = &cnt[i];
		c->workers[i].detect = d ? d[i] : NULL;
	}
	if (c->nworkers == 1) {
		send_stats(&c->workers[0], c->live ? c->handles[0] : NULL, w, SW_REC_END);
		*total = cnt[0];
	} else {
		/* the run's END is the sum, stored after every worker's records */
		memset(total, 0, sizeof *total);
		for (int i = 0; i < c->nworkers; i++) {
			refresh_counters(&c->workers[i], c->live ? c->handles[i] : NULL);
			sw_counters_merge(total, &cnt[i]);
			sw_debug("worker %d: %llu packets, %llu dropped by the kernel", i,
			         (unsigned long long)cnt[i].packets, (unsigned long long)cnt[i].dropped);
		}
		if (c->split) { /* files: the seconds and peak as -j 1 counts them */
			total->rate_end_us = c->split_rate.rate_end_us;
			total->rate_count = c->split_rate.rate_count;
			total->active_seconds = c->split_rate.active_seconds;
			total->peak_pps = c->split_rate.peak_pps;
		}
		sw_writer_drain_wait(w);
		memset(&rec, 0, sizeof rec);
		rec.type = SW_REC_END;
		rec.u.stats = *total;
		sw_writer_submit_wait(w, &rec);
	}
	for (int i = 0; i < c->nworkers; i++)
		c->workers[i].detect = NULL; /* the caller frees the engines next */
}

double sw_capture_loop_seconds(const struct sw_capture *c)
{
	return (double)c->loop_us / 1e6;
}

void sw_capture_close(struct sw_capture *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nhandles; i++)
		pcap_close(c->handles[i]);
	if (c->files)
		for (int i = 0; i < c->nhandles; i++)
			free(c->files[i].path);
	free(c->files);
	for (int i = 0; i < 2; i++)
		if (c->sysfs_fd[i] >= 0)
			close(c->sysfs_fd[i]);
	free(c->handles);
	sw_split_free(c->split);
	pipe_reader_free(c->pipe);
	for (int i = 0; i < c->nworkers; i++)
		sw_frag_free(c->workers[i].frag);
	free(c);
}
