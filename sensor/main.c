/*
 * main.c - spanwatch-sensor: command line, start-up order and shutdown.
 *
 * Order matters: open the capture (needs root), shut the process in -t DIR
 * if asked, open the database, record the run, drop root, start the writer
 * thread, then read packets until the files end or a signal arrives, and
 * flush everything before exiting.
 */
#include "config.h"

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
#include "log.h"
#include "runstate.h"
#include "settings.h"
#include "timefmt.h"
#include "util.h"
#include "writer.h"

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
	struct sw_alert_opts alerts;
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
"  -c, --config FILE       detection settings (INI; see etc/spanwatch.conf)\n"
"  -n, --name NAME         sensor name stored with each run (default: host name)\n"
"  -Z, --user USER         drop root to USER after opening (default: _spanwatch)\n"
"  -t, --chroot DIR        chroot into DIR after opening the capture (the\n"
"                          database must be inside DIR)\n"
"      --no-seccomp        no system-call filter (to debug; the user still drops)\n"
"      --stats-interval S  store run statistics every S seconds (default %d)\n"
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
	        SW_DEFAULT_SNAPLEN, SW_DEFAULT_BUFFER_MIB, SW_DEFAULT_STATS_INTERVAL);
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
	enum { OPT_STATS = 256, OPT_NO_SECCOMP };
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'w' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "no-promiscuous", no_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'Z' },
		{ "chroot", required_argument, NULL, 't' },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "stats-interval", required_argument, NULL, OPT_STATS },
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
	o->stats_interval = SW_DEFAULT_STATS_INTERVAL;
	sw_log_set_level(SW_LOG_INFO);

	while ((ch = getopt_long(argc, argv, "+r:i:w:s:B:pc:n:Z:t:A:qvhV", longopts, NULL)) != -1) {
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

static void fill_capture_opts(const struct options *o, struct sw_capture_opts *co)
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
}

/* Detection records go to the writer's ring: on a live capture's packet
 * path a full ring loses the record (counted with the run), reading files
 * or at the end of the run it waits for room. */
struct detect_to_writer {
	struct sw_writer *writer;
	struct sw_counters *cnt;
	bool finishing;
};

static void emit_record(void *ctx, const struct sw_rec *rec)
{
	struct detect_to_writer *path = ctx;

	if (path->finishing)
		sw_writer_submit_wait(path->writer, rec);
	else if (!sw_writer_submit(path->writer, rec))
		path->cnt->ring_full++;
}

/* Capture with the detection engine, its records to the writer, and end
 * the run (its final counters) whatever happened. */
static enum sw_capture_status capture_and_detect(struct sw_capture *cap,
                                                 const struct sw_settings *settings,
                                                 struct sw_counters *cnt, struct sw_writer *w)
{
	struct detect_to_writer path = { .writer = w, .cnt = cnt, .finishing = false };
	struct sw_detect_sink sink = { emit_record, &path };
	struct sw_detect *detect = sw_detect_new(settings, sink);
	enum sw_capture_status status = SW_CAPTURE_RUNTIME;

	if (!detect) {
		sw_err("cannot allocate the detection tables");
	} else {
		status = sw_capture_run(cap, detect, cnt, w);
		/* a live run's last records must not wait for ever on a lock */
		sw_writer_capture_ended(w);
		path.finishing = true;
		sw_detect_finish(detect);
	}
	sw_capture_end(cap, detect, cnt, w);
	sw_detect_free(detect);
	return status;
}

/* Record the run; its id, or -1. */
static int64_t record_run(sqlite3 *db, struct options *o, struct sw_capture *cap)
{
	static char host[256] = "sensor";
	struct sw_run_info run;
	char *source = describe_source(o);
	int64_t id;

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
	id = sw_run_insert(db, &run);
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
	fill_capture_opts(&o, &co);
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
	run_id = record_run(db, &o, cap);
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
	w = sw_writer_start(db, run_id, RING_RECORDS, alerts);
	if (!w)
		goto out;
	db = NULL;
	sw_writer_wait_when_full(w, o.iface == NULL); /* a file can wait */
	memset(&cnt, 0, sizeof cnt);
	rc = capture_and_detect(cap, &settings, &cnt, w) == SW_CAPTURE_OK ? 0 : 1;
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
out:
	sw_alerts_stop(alerts, NULL);
	if (json_fd >= 0)
		close(json_fd);
	sw_db_close(db);
	sw_capture_close(cap);
	free(o.filter);
	return rc;
}
