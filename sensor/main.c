/*
 * main.c - spanwatch-sensor: command line, start-up order and shutdown.
 *
 * Order matters: open the capture (needs root), shut the process in -t DIR
 * if asked, open the database, record the run, drop root, start the writer
 * thread, then read packets until the files end or a signal arrives, and
 * flush everything before exiting.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "capture.h"
#include "confine.h"
#include "db.h"
#include "detect.h"
#include "evpcap.h"
#include "fanout.h"
#include "log.h"
#include "runstate.h"
#include "settings.h"
#include "timefmt.h"
#include "util.h"
#include "writer.h"

/* every -j worker has its own ring into the writer */
static_assert(SW_FANOUT_MAX_WORKERS <= SW_WRITER_MAX_PORTS, "a writer port per worker");

#define EXIT_USAGE 2
#define MAX_FILES 4096
#define RING_RECORDS 4096

struct options {
	const char *files[MAX_FILES];
	int nfiles;
	const char *iface;
	const char *db_path;
	const char *sensor_name;
	const char *user;           /* -Z; NULL: the default, _spanwatch */
	const char *chroot_dir;     /* -t; NULL: no chroot */
	bool no_seccomp;
	const char *config;
	char *filter;
	int snaplen;
	int buffer_mib;
	int promisc;
	int stats_interval;
	int workers;                /* -j N */
	bool reader_thread;         /* -j 1 -r: in two stages (capture.h) */
	struct sw_alert_opts alerts;
	const char *evidence_pcap;  /* --evidence-pcap; NULL: none */
	struct sw_evpcap_limits evlim;
};

/* -n with -A json: the name goes into every event, escaped */
#define JSON_NAME_MAX 1024

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spanwatch-sensor -r FILE [-r FILE...] -w DB [options] [BPF expression]\n"
"       spanwatch-sensor -i IFACE -w DB [options] [BPF expression]\n"
"\n"
"Watch traffic (capture files or a live interface) for port scans, sweeps,\n"
"floods and login attempts, and store runs and detections in DB (SQLite).\n"
"\n"
"  -r, --read FILE         read a pcap or pcapng file (repeat: read in order)\n"
"  -i, --interface IFACE   capture live on IFACE\n"
"  -w, --db DB             the SQLite database (created if missing)\n"
"  -s, --snaplen BYTES     bytes kept per packet (default %d: headers only)\n"
"  -B, --buffer MIB        kernel capture ring in MiB (default %d)\n"
"  -p, --no-promiscuous    do not put the interface in promiscuous mode\n"
"  -j, --workers N         N workers, one core each (default 1, at most %d),\n"
"                          each with its own tables; with -r, one more\n"
"                          thread reads the files and passes the packets\n"
"      --reader-thread     -j 1 with -r: read and decode in one thread,\n"
"                          detect in another (two CPUs: faster on heavy\n"
"                          traffic, slower on light; see the README)\n"
"      --no-reader-thread  -j 1 with -r: read, decode and detect in one\n"
"                          thread (the default)\n"
"  -c, --config FILE       detection settings (INI; see etc/spanwatch.conf)\n"
"  -n, --name NAME         sensor name stored with each run (default: host name)\n"
"  -Z, --user USER         drop root to USER after opening (default: _spanwatch)\n"
"  -t, --chroot DIR        chroot into DIR after opening the capture (the\n"
"                          database must be inside DIR)\n"
"      --no-seccomp        no system-call filter (to debug; the user still drops)\n"
"      --stats-interval S  store run statistics every S seconds (default %d)\n"
"      --evidence-pcap FILE  keep the first packets of each detection in FILE\n"
"                          (a new pcap, recorded with the run for\n"
"                          spanwatch-analyzer --evidence), bounded by:\n"
"      --evidence-max-packets N  packets in the run (default %d)\n"
"      --evidence-max-mib N      MiB of file in the run (default %d)\n"
"      --evidence-per-detection N  packets per detection (default %d)\n"
"      --evidence-recent N       recent packets held to find those that led\n"
"                                to a detection (default %d; 0: none)\n"
"  -A, --alert MODE        a line per detection as it fires: none (default),\n"
"                          stderr or syslog (daemon facility, warning); or\n"
"                          json:PATH, a JSON event per line when a detection\n"
"                          opens and closes, appended to PATH (reopened on\n"
"                          SIGHUP); repeatable\n"
"  -q, --quiet             no summary on exit\n"
"  -v, --verbose           more messages\n"
"  -h, --help              this help\n"
"  -V, --version           version\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error.\n",
	        SW_DEFAULT_SNAPLEN, SW_DEFAULT_BUFFER_MIB, SW_FANOUT_MAX_WORKERS,
	        SW_DEFAULT_STATS_INTERVAL,
	        SW_EVPCAP_MAX_PACKETS, SW_EVPCAP_MAX_MIB, SW_EVPCAP_PER_DETECTION, SW_EVPCAP_RECENT);
}

/* The BPF expression: the remaining arguments joined by spaces, as tcpdump. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	if (argc <= 0)
		return NULL;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_STATS = 256, OPT_NO_SECCOMP, OPT_EVPCAP, OPT_EV_PACKETS, OPT_EV_MIB,
	       OPT_EV_PER_DET, OPT_EV_RECENT, OPT_READER, OPT_NO_READER };
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'w' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "no-promiscuous", no_argument, NULL, 'p' },
		{ "workers", required_argument, NULL, 'j' },
		{ "reader-thread", no_argument, NULL, OPT_READER },
		{ "no-reader-thread", no_argument, NULL, OPT_NO_READER },
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'Z' },
		{ "chroot", required_argument, NULL, 't' },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "stats-interval", required_argument, NULL, OPT_STATS },
		{ "evidence-pcap", required_argument, NULL, OPT_EVPCAP },
		{ "evidence-max-packets", required_argument, NULL, OPT_EV_PACKETS },
		{ "evidence-max-mib", required_argument, NULL, OPT_EV_MIB },
		{ "evidence-per-detection", required_argument, NULL, OPT_EV_PER_DET },
		{ "evidence-recent", required_argument, NULL, OPT_EV_RECENT },
		{ "alert", required_argument, NULL, 'A' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->snaplen = SW_DEFAULT_SNAPLEN;
	o->buffer_mib = SW_DEFAULT_BUFFER_MIB;
	o->promisc = 1;
	o->workers = 1;
	o->stats_interval = SW_DEFAULT_STATS_INTERVAL;
	o->evlim.max_packets = SW_EVPCAP_MAX_PACKETS;
	o->evlim.max_bytes = (uint64_t)SW_EVPCAP_MAX_MIB << 20;
	o->evlim.per_detection = SW_EVPCAP_PER_DETECTION;
	o->evlim.recent = SW_EVPCAP_RECENT;
	sw_log_set_level(SW_LOG_INFO);

	while ((ch = getopt_long(argc, argv, "+r:i:w:s:B:pj:c:n:Z:t:A:qvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (o->nfiles == MAX_FILES)
				sw_usage_error("too many -r files (at most 4096)");
			o->files[o->nfiles++] = optarg;
			break;
		case 'i':
			if (o->iface)
				sw_usage_error("-i given twice");
			o->iface = optarg;
			break;
		case 'w': o->db_path = optarg; break;
		case 's': o->snaplen = (int)sw_option_number("-s", optarg, 64, 262144); break;
		case 'B': o->buffer_mib = (int)sw_option_number("-B", optarg, 1, 4096); break;
		case 'p': o->promisc = 0; break;
		case 'j':
			o->workers = (int)sw_option_number("-j", optarg, 1, SW_FANOUT_MAX_WORKERS);
			break;
		case 'c': o->config = optarg; break;
		case 'n': o->sensor_name = optarg; break;
		case 'Z': o->user = optarg; break;
		case 't': o->chroot_dir = optarg; break;
		case 'A': {
			char why[256];
			if (!sw_alert_arg(optarg, &o->alerts, why, sizeof why))
				sw_usage_error(why);
			break;
		}
		case OPT_NO_SECCOMP: o->no_seccomp = true; break;
		case OPT_READER: o->reader_thread = true; break;
		case OPT_NO_READER: o->reader_thread = false; break;
		case OPT_EVPCAP: o->evidence_pcap = optarg; break;
		case OPT_EV_PACKETS:
			o->evlim.max_packets = sw_option_number("--evidence-max-packets", optarg, 1,
			                                        100000000);
			break;
		case OPT_EV_MIB:
			o->evlim.max_bytes = sw_option_number("--evidence-max-mib", optarg, 1,
			                                      1048576) << 20;
			break;
		case OPT_EV_PER_DET:
			o->evlim.per_detection = sw_option_number("--evidence-per-detection", optarg,
			                                          1, 100000000);
			break;
		case OPT_EV_RECENT:
			o->evlim.recent = (uint32_t)sw_option_number("--evidence-recent", optarg, 0,
			                                             100000);
			break;
		case OPT_STATS:
			o->stats_interval = (int)sw_option_number("--stats-interval", optarg, 1, 86400);
			break;
		case 'q': sw_log_set_level(SW_LOG_WARN); break;
		case 'v': sw_log_set_level(SW_LOG_DEBUG); break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("spanwatch-sensor %s\n", PACKAGE_VERSION); exit(0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			exit(EXIT_USAGE);
		}
	}
	if (!o->db_path)
		sw_usage_error("-w DB is required");
	if (!o->iface && o->nfiles == 0)
		sw_usage_error("give -r FILE or -i IFACE");
	if (o->iface && o->nfiles)
		sw_usage_error("-r and -i cannot be used together");
	if (o->workers > 1 && o->workers > sysconf(_SC_NPROCESSORS_ONLN))
		sw_warn("-j %d: more workers than the %ld online CPUs (they share them)", o->workers,
		        sysconf(_SC_NPROCESSORS_ONLN));
	if (o->workers > 1 && o->evidence_pcap)
		sw_usage_error("--evidence-pcap: not with -j N (one worker writes it); use -j 1");
	if (o->alerts.json_path && o->sensor_name && strlen(o->sensor_name) > JSON_NAME_MAX)
		sw_usage_error("-n: at most 1024 bytes with -A json");
	o->filter = join_args(argc - optind, argv + optind);
}

static void on_signal(int sig)
{
	(void)sig;
	sw_capture_stop();
	sw_writer_signal_stop(); /* from now on the exit is bounded */
}

/* SIGHUP: the JSON events' file is reopened (log rotation); nothing else.
 * SA_RESTART: a capture file being read (a pipe) is not cut short. */
static void on_hup(int sig)
{
	int saved = errno;

	(void)sig;
	sw_alerts_hup();
	errno = saved;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* "a.pcap b.pcap" or the interface name, for the runs table. */
static char *describe_source(const struct options *o)
{
	if (o->iface)
		return strdup(o->iface);
	return join_args(o->nfiles, (char **)o->files);
}

static void fill_capture_opts(const struct options *o, const struct sw_settings *settings,
                              struct sw_capture_opts *co)
{
	memset(co, 0, sizeof *co);
	co->files = o->files;
	co->nfiles = o->nfiles;
	co->iface = o->iface;
	co->filter = o->filter;
	co->snaplen = o->snaplen;
	co->buffer_mib = o->buffer_mib;
	co->promisc = o->promisc;
	co->stats_interval = o->stats_interval;
	co->frag_slots = 4096;
	co->workers = o->workers;
	/* not the default: on 2 CPUs it pays only where detection outweighs
	 * the read (README, benchmark); an evidence pcap needs the frames
	 * where detection runs */
	co->reader_thread = o->reader_thread && !o->evidence_pcap;
	co->home = &settings->home;
}

/* Detection records go to the writer's ring: on a live capture's packet
 * path a full ring loses the record (counted with the run), reading files
 * or at the end of the run it waits for room. */
struct detect_to_writer {
	struct sw_writer *writer;
	int port;                   /* the worker's ring */
	struct sw_counters *cnt;
	struct sw_evpcap *evpcap;   /* --evidence-pcap, or NULL */
	bool finishing;
};

static void emit_record(void *ctx, const struct sw_rec *rec)
{
	struct detect_to_writer *path = ctx;

	if (path->evpcap)
		sw_evpcap_record(path->evpcap, rec);
	if (path->finishing)
		sw_writer_submit_wait_on(path->writer, path->port, rec);
	else if (!sw_writer_submit_on(path->writer, path->port, rec))
		path->cnt->ring_full++;
}

/* The evidence pcap is complete: synced, and its size and time recorded
 * with the run (the analyzer's export compares them with the file). */
static void finish_evpcap(struct sw_evpcap *ev, int seq, struct sw_writer *w)
{
	struct sw_rec rec;
	char err[256];

	memset(&rec, 0, sizeof rec);
	rec.type = SW_REC_RUN_FILE;
	rec.u.file.seq = (uint32_t)seq;
	if (sw_evpcap_finish(ev, &rec.u.file.size, &rec.u.file.mtime_us, err, sizeof err) < 0) {
		sw_err("%s", err);
		return;
	}
	sw_writer_submit_wait(w, &rec);
}

/* Capture with the detection engines (one per worker), their records to
 * the writer, and end the run (its final counters, summed into *total)
 * whatever happened. */
static enum sw_capture_status capture_and_detect(struct sw_capture *cap,
                                                 const struct sw_settings *settings,
                                                 struct sw_counters *total, struct sw_writer *w,
                                                 struct sw_evpcap *ev, int ev_seq)
{
	static struct detect_to_writer path[SW_FANOUT_MAX_WORKERS];
	static struct sw_counters cnt[SW_FANOUT_MAX_WORKERS];
	static struct sw_detect *detect[SW_FANOUT_MAX_WORKERS];
	static atomic_uint shared_seq;
	int n = sw_capture_workers(cap);
	enum sw_capture_status status = SW_CAPTURE_RUNTIME;
	bool ok = true;

	memset(cnt, 0, sizeof cnt);
	atomic_init(&shared_seq, 0);
	for (int i = 0; i < n; i++) {
		struct sw_detect_sink sink = { emit_record, &path[i] };
		path[i] = (struct detect_to_writer){ .writer = w, .port = i, .cnt = &cnt[i],
		                                     .evpcap = ev, .finishing = false };
		detect[i] = sw_detect_new(settings, sink);
		if (!detect[i]) {
			ok = false;
			continue;
		}
		if (n > 1)
			sw_detect_share_seq(detect[i], &shared_seq);
	}
	/* one flood table for the workers: a flood from forged sources is
	 * spread over them by those sources */
	if (ok && sw_detect_share_floods(detect, (unsigned)n) < 0)
		ok = false;
	if (!ok) {
		sw_err("cannot allocate the detection tables");
	} else {
		sw_capture_set_evpcap(cap, ev);
		status = sw_capture_run(cap, detect, cnt, w);
		/* a live run's last records must not wait for ever on a lock */
		sw_writer_capture_ended(w);
		for (int i = 0; i < n; i++) {
			path[i].finishing = true;
			sw_detect_finish(detect[i]);
		}
	}
	if (ev)
		finish_evpcap(ev, ev_seq, w);
	sw_capture_end(cap, ok ? detect : NULL, cnt, total, w);
	for (int i = 0; i < n; i++) {
		sw_detect_free(detect[i]);
		detect[i] = NULL;
	}
	return status;
}

/* Record the run; its id, or -1. */
static int64_t record_run(sqlite3 *db, struct options *o, struct sw_capture *cap,
                          const char *evidence_path, int *evidence_seq)
{
	static char host[256] = "sensor";
	struct sw_run_info run;
	char *source = describe_source(o);
	struct sw_run_file *files = calloc((size_t)o->nfiles + 1, sizeof *files);
	int nfiles = 0;
	int64_t id;

	if (!files) {
		sw_err("out of memory");
		free(source);
		return -1;
	}
	for (int i = 0; i < o->nfiles; i++) {
		const struct sw_capture_file *f = sw_capture_file(cap, i);
		if (!f || !f->path)
			continue;
		files[nfiles++] = (struct sw_run_file){ "capture", f->path, f->size, f->mtime_us };
	}
	if (evidence_path) {
		files[nfiles++] = (struct sw_run_file){ "evidence", evidence_path, -1, -1 };
		*evidence_seq = nfiles;
	}

	if (!o->sensor_name) {
		gethostname(host, sizeof host - 1);
		o->sensor_name = host;
	}
	memset(&run, 0, sizeof run);
	run.sensor = o->sensor_name;
	run.source = source ? source : "?";
	run.filter = o->filter;
	run.linktype = sw_capture_linktypes(cap);
	run.snaplen = o->snaplen;
	run.recorded_at = sw_now_us();
	run.started = o->iface ? run.recorded_at : 0;
	run.stats_interval = o->stats_interval;
	run.files = files;
	run.nfiles = nfiles;
	id = sw_run_insert(db, &run);
	free(files);
	free(source);
	return id;
}

int main(int argc, char **argv)
{
	static struct sw_settings settings; /* large: port bitmaps, prefix lists */
	struct options o;
	struct sw_capture_opts co;
	struct sw_capture *cap = NULL;
	struct sw_confine_user user;
	static struct sw_confine_root root; /* two paths of PATH_MAX */
	const char *db_path;        /* the database as this process reaches it */
	struct sw_counters cnt;
	struct sw_writer *w;
	struct sw_runs_marked marked;
	uint64_t detected;
	struct sw_writer_result wr;
	struct sw_evpcap *ev = NULL;
	char *ev_path = NULL;       /* absolute, for run_files */
	int ev_seq = 0;
	struct sw_alerts *alerts = NULL;
	uint64_t alerts_dropped;
	bool alerts_stuck = false, store_failed;
	enum sw_capture_status status;
	char err[512];
	sqlite3 *db = NULL;
	int64_t run_id;
	int json_fd = -1;
	char json_reopen[PATH_MAX] = ""; /* PATH as seen after a chroot, for SIGHUP */
	int rc = 1;

	sw_log_init(argv[0]);
	parse_args(argc, argv, &o);
	install_signals();

	/* 1. settings, the user to become and the capture: root may be
	 * needed, bad input refused before anything is created */
	sw_settings_defaults(&settings);
	if (o.config && sw_settings_load(&settings, o.config, err, sizeof err) < 0) {
		sw_err("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	sw_db_configure(&settings.db, o.config); /* [database]: before any open */
	if (sw_confine_resolve(o.user, geteuid(), &user, err, sizeof err) < 0) {
		sw_err("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (sw_confine_root_check(o.chroot_dir, o.db_path, &root, err, sizeof err) < 0) {
		sw_err("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	/* a SIGHUP reopens the events' file by its path: under -t, from inside */
	if (o.alerts.json_path &&
	    sw_confine_root_path(&root, "-A json:", o.alerts.json_path, json_reopen,
	                         sizeof json_reopen, err, sizeof err) < 0) {
		sw_err("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (root.on && !user.drop)
		sw_warn("-t %s: the sensor keeps root (-Z root, or not started as root),"
		        " and root can leave a chroot", root.dir);
	fill_capture_opts(&o, &settings, &co);
	cap = sw_capture_open(&co, &status, err, sizeof err);
	if (!cap) {
		sw_err("%s", err);
		if (status == SW_CAPTURE_USAGE)
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
		rc = status == SW_CAPTURE_USAGE ? EXIT_USAGE : 1;
		goto out;
	}
	/* the JSON events' file, appended to: opened while root may still be
	 * needed to, given to the user below */
	if (o.alerts.json_path) {
		json_fd = open(o.alerts.json_path,
		               O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (json_fd < 0) {
			sw_err("%s: cannot open for the JSON events: %s", o.alerts.json_path,
			       strerror(errno));
			goto out;
		}
	}
	/* the evidence pcap: created now, by its absolute path, before -t */
	if (o.evidence_pcap) {
		int same;
		pcap_t *first = sw_capture_first_handle(cap, &same);
		if (!same) {
			sw_err("--evidence-pcap %s: the files' link types differ (%s), and a pcap"
			       " holds one", o.evidence_pcap, sw_capture_linktypes(cap));
			rc = EXIT_USAGE;
			goto out;
		}
		ev = sw_evpcap_open(o.evidence_pcap, first, &o.evlim, err, sizeof err);
		if (!ev || !(ev_path = realpath(o.evidence_pcap, NULL))) {
			sw_err("%s", ev ? "--evidence-pcap: cannot resolve its path" : err);
			goto out;
		}
		if (user.drop && fchown(sw_evpcap_fd(ev), user.uid, user.gid) < 0) {
			sw_err("--evidence-pcap %s: cannot give it to %s: %s", o.evidence_pcap,
			       user.name, strerror(errno));
			goto out;
		}
	}
	/* 2. -t: the capture files and interface are open; the syslog socket
	 * is connected and the interface's drop counters opened now; the
	 * database is reached from inside DIR, by the path SQLite will also
	 * use for its -wal and -shm */
	sw_alerts_prepare(o.alerts.to_syslog ? SW_ALERT_SYSLOG : SW_ALERT_NONE);
	if (root.on)
		sw_capture_hold_sysfs(cap);
	if (sw_confine_chroot(&root, err, sizeof err) < 0) {
		sw_err("%s", err);
		goto out;
	}
	db_path = root.on ? root.db_path : o.db_path;
	/* 3. the database and the run row */
	db = sw_db_open(db_path, SW_DB_CREATE, err, sizeof err);
	if (!db) {
		if (root.on)
			sw_err("%s (inside -t %s)", err, root.dir);
		else
			sw_err("%s", err);
		goto out;
	}
	/* SQLite's temporary files would be made after the seccomp filter is
	 * on (which allows no access()) and perhaps in a chroot without /tmp:
	 * the sensor's few temporary tables stay in memory */
	if (sw_db_exec(db, "PRAGMA temp_store = MEMORY") < 0)
		goto out;
	/* runs of sensors killed before they could end them: interrupted */
	if (sw_runs_mark_interrupted(db, sw_now_us(), &marked) < 0)
		goto out;
	if (marked.runs)
		sw_info("%u interrupted runs marked, %u of their detections closed",
		        marked.runs, marked.detections);
	run_id = record_run(db, &o, cap, ev_path, &ev_seq);
	if (run_id < 0)
		goto out;
	/* 4. root is no longer needed: the files go to the user, the process
	 * becomes it, and the threads started from here on are filtered */
	if (sw_confine_own_db(&user, db_path, err, sizeof err) < 0 ||
	    (json_fd >= 0 &&
	     sw_confine_own_file(&user, o.alerts.json_path, json_fd, err, sizeof err) < 0) ||
	    sw_confine_drop(&user, err, sizeof err) < 0 ||
	    (!o.no_seccomp && sw_confine_filter(err, sizeof err) < 0)) {
		sw_err("%s", err);
		goto out;
	}
	/* 5. the writer takes the database over; capture until done */
	if (o.alerts.to_stderr)
		alerts = sw_alerts_chain(alerts, sw_alerts_start(SW_ALERT_STDERR));
	if (o.alerts.to_syslog)
		alerts = sw_alerts_chain(alerts, sw_alerts_start(SW_ALERT_SYSLOG));
	if (json_fd >= 0) {
		struct sw_alert_json js = {
			.fd = json_fd, .path = json_reopen, .sensor = o.sensor_name,
			.run_id = run_id, .lossless = o.iface == NULL,
		};
		json_fd = -1; /* the sink's now */
		alerts = sw_alerts_chain(alerts, sw_alerts_start_json(&js));
	}
	w = sw_writer_start_ports(db, run_id, RING_RECORDS, sw_capture_workers(cap), alerts);
	if (!w)
		goto out;
	db = NULL;
	sw_writer_wait_when_full(w, o.iface == NULL); /* a file can wait */
	memset(&cnt, 0, sizeof cnt);
	rc = capture_and_detect(cap, &settings, &cnt, w, ev, ev_seq) == SW_CAPTURE_OK ? 0 : 1;
	store_failed = sw_writer_stop(w, &wr) < 0;
	if (store_failed)
		rc = 1;
	/* the writer has posted its last alert */
	alerts_dropped = sw_alerts_stop(alerts, &alerts_stuck);
	alerts = NULL;
	if (alerts_stuck)
		goto out; /* standard error blocks: nothing more can be said there */
	if (wr.failed)
		sw_err("%s: some records could not be stored", o.db_path);
	if (wr.lost)
		sw_err("%s: locked by another program past the busy timeout (%.1f s, %s) at exit:"
		       " %llu records lost, %llu of them detections; %s", o.db_path,
		       (double)sw_db_busy_timeout_ms() / 1000, sw_db_busy_timeout_source(),
		       (unsigned long long)wr.lost, (unsigned long long)wr.lost_detections,
		       wr.end_stored ? "the run is marked partial"
		                     : "the run could not be marked either (the next sensor start"
		                       " or analyzer run marks it interrupted)");
	else if (!wr.end_stored && !wr.failed)
		sw_err("%s: locked by another program at exit: the end of the run could not be"
		       " stored (the next sensor start or analyzer run marks it interrupted)",
		       o.db_path);
	if (cnt.ring_full)
		sw_warn("%llu records lost: the database writer did not keep up (run marked partial)",
		        (unsigned long long)cnt.ring_full);
	if (alerts_dropped)
		sw_warn("%llu alerts dropped: their output did not keep up (the detections are stored)",
		        (unsigned long long)alerts_dropped);
	if (sw_log_get_level() >= SW_LOG_INFO) {
		double secs = sw_capture_loop_seconds(cap);
		/* the summary counts what the database holds */
		detected = cnt.detections;
		cnt.detections = wr.stored_detections;
		sw_counters_print(&cnt, sw_progname(), stderr);
		if (detected > wr.stored_detections)
			fprintf(stderr, "%s:   detections not stored: %llu\n", sw_progname(),
			        (unsigned long long)(detected - wr.stored_detections));
		sw_debug("largest WAL file: %.1f MiB", (double)wr.wal_peak / (1 << 20));
		if (o.iface) /* idle wall time is no measure of a live link's rate */
			fprintf(stderr, "%s:   capture loop: %.3f s, %.0f packets/s while traffic"
			        " flowed (%llu s), peak %llu packets/s\n", sw_progname(), secs,
			        sw_counters_active_pps(&cnt), (unsigned long long)cnt.active_seconds,
			        (unsigned long long)sw_counters_peak_pps(&cnt));
		else
			fprintf(stderr, "%s:   capture loop: %.3f s, %.0f packets/s\n", sw_progname(),
			        secs, secs > 0 ? (double)cnt.packets / secs : 0.0);
	}
	if (ev && sw_log_get_level() >= SW_LOG_INFO) {
		const struct sw_evpcap_stats *es = sw_evpcap_stats(ev);
		fprintf(stderr, "%s:   evidence pcap: %llu packets (%llu bytes) kept, %llu over the"
		        " per-detection cap, %llu over the run's caps, %llu detections not followed"
		        " (table full)\n", sw_progname(), (unsigned long long)es->packets,
		        (unsigned long long)es->bytes, (unsigned long long)es->over_detection,
		        (unsigned long long)es->over_run, (unsigned long long)es->sources_full);
	}
out:
	sw_alerts_stop(alerts, NULL);
	if (json_fd >= 0)
		close(json_fd);
	sw_db_close(db);
	sw_capture_close(cap);
	sw_evpcap_free(ev);
	free(ev_path);
	free(o.filter);
	return rc;
}
