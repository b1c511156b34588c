/*
 * main.c - spanwatch-analyzer: correlates the sensor's detections into
 * incidents per source and per netblock, with severity, reasons, and the
 * article's judgement of what is worth reporting (v_incidents).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "central.h"
#include "db.h"
#include "export.h"
#include "evexport.h"
#include "incidents_db.h"
#include "log.h"
#include "logs.h"
#include "prune.h"
#include "runstate.h"
#include "settings.h"
#include "timefmt.h"
#include "util.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spanwatch-analyzer -w DB [--syslog FILE...] [options]\n"
"       spanwatch-analyzer -w DB --mark-compromised ADDR | --clear-compromised ADDR\n"
"       spanwatch-analyzer -w DB --prune [-c FILE]\n"
"       spanwatch-analyzer -w DB --export json [--since TIME] [-o FILE]\n"
"       spanwatch-analyzer -w DB --evidence INCIDENT -o DIR\n"
"       spanwatch-analyzer -w CENTRAL.db --source SENSOR.db [--source SENSOR.db...] [options]\n"
"\n"
"Correlate detections stored by spanwatch-sensor into incidents per source\n"
"and per netblock (v_incidents). Running it twice changes nothing.\n"
"\n"
"  -w, --db DB                 the SQLite database\n"
"  -c, --config FILE           settings ([analyzer] section; see etc/spanwatch.conf)\n"
"      --gap HOURS             detections further apart start a new incident (default 24)\n"
"      --prefix4 LEN           IPv4 netblock when whois has none (default 24)\n"
"      --prefix6 LEN           IPv6 netblock when whois has none (default 48)\n"
"      --mark-compromised ADDR the operator confirms a compromise of ADDR\n"
"      --clear-compromised ADDR the operator clears it\n"
"      --syslog FILE           also read log lines (TCP wrappers, sshd, PAM, vsftpd,\n"
"                              proftpd, iptables/nftables); repeatable; each line is\n"
"                              stored once however often it is read\n"
"      --tz ZONE               zone of log stamps written without one (default: local)\n"
"      --year YYYY             year of RFC 3164 stamps (default: from the file's mtime)\n"
"      --offline               do not resolve host names (log lines, allow list)\n"
"      --source FILE           first bring the new runs, detections, evidence and log\n"
"                              lines of another spanwatch database (a sensor's, or a\n"
"                              copy of it), read-only, into DB; repeatable\n"
"      --prune                 remove what [retention] no longer keeps, in small\n"
"                              transactions, instead of correlating\n"
"      --export json           write the detections, incidents and memos as JSON\n"
"                              lines (the sensor's -A json events), instead of\n"
"                              correlating\n"
"      --since TIME            with --export: what was active at or after TIME\n"
"                              (2026-11-27T17:09:41Z, an offset such as +01:00,\n"
"                              or a date, 2026-11-27: midnight UTC)\n"
"      --evidence INCIDENT     export incident INCIDENT (the id column of the\n"
"                              incidents table) into -o DIR: its packets read back\n"
"                              from the run's capture files, its evidence lines and a\n"
"                              manifest of SHA-256 sums (sha256sum -c), instead of\n"
"                              correlating\n"
"  -o, --output PATH           --export: the file to write (default: standard output);\n"
"                              --evidence: the directory (must not exist, or be empty)\n"
"  -q, --quiet                 no summary\n"
"  -h, --help                  this help\n"
"  -V, --version               version\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error.\n");
}

/* --export json: the lines to out (FILE, or standard output), and a line
 * saying how many of each. */
static int run_export(sqlite3 *db, const struct sw_export_opts *eo, const char *path, int quiet)
{
	struct sw_export_counts c;
	const char *name = path ? path : "standard output";
	FILE *out = path ? fopen(path, "w") : stdout;
	int rc;

	if (!out) {
		sw_err("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = sw_export_json(db, eo, out, name, &c);
	if (path && fclose(out) != 0 && rc == 0) {
		sw_err("%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (!quiet && rc == 0)
		fprintf(stderr, "%s: exported %llu detections, %llu incidents, %llu memos to %s\n",
		        sw_progname(), (unsigned long long)c.detections,
		        (unsigned long long)c.incidents, (unsigned long long)c.memos, name);
	return rc;
}

/* --prune: retention instead of correlation, and a line saying what went. */
static int run_prune(sqlite3 *db, const struct sw_retention *r, int quiet)
{
	struct sw_prune_result pr;
	int rc = sw_prune(db, r, sw_now_us(), &pr);

	if (!quiet || rc < 0)
		fprintf(stderr, "%s: pruned %llu detections (%llu incidents never reportable), "
		        "%llu evidence lines, %llu log lines, %llu whois answers, %llu runs, "
		        "in %llu transactions%s\n", sw_progname(),
		        (unsigned long long)pr.detections,
		        (unsigned long long)pr.unreportable_incidents,
		        (unsigned long long)pr.evidence, (unsigned long long)pr.log_lines,
		        (unsigned long long)pr.whois_lookups, (unsigned long long)pr.runs,
		        (unsigned long long)pr.transactions, rc < 0 ? " before an error" : "");
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_SYSLOG = 256, OPT_GAP, OPT_P4, OPT_P6, OPT_MARK, OPT_CLEAR, OPT_TZ, OPT_YEAR,
	       OPT_OFFLINE, OPT_PRUNE, OPT_EXPORT, OPT_SINCE, OPT_EVIDENCE, OPT_SOURCE };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'c' },
		{ "syslog", required_argument, NULL, OPT_SYSLOG },
		{ "gap", required_argument, NULL, OPT_GAP },
		{ "prefix4", required_argument, NULL, OPT_P4 },
		{ "prefix6", required_argument, NULL, OPT_P6 },
		{ "mark-compromised", required_argument, NULL, OPT_MARK },
		{ "clear-compromised", required_argument, NULL, OPT_CLEAR },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "evidence", required_argument, NULL, OPT_EVIDENCE },
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_correlate_opts opts;
	struct sw_logs_opts lopts = { 0, "", false };
	const char *logs[64];
	int nlogs = 0;
	const char *sources[64];
	int nsources = 0;
	struct sw_incidents_result res;
	struct sw_runs_marked marked;
	const char *db_path = NULL, *mark = NULL, *config = NULL;
	/* command-line values, applied over the configuration file's */
	unsigned gap = 0, p4 = 0, p6 = 0, year = 0;
	const char *tz = NULL;
	static struct sw_analyzer_conf conf;
	static struct sw_allowlist allow;
	int mark_value = -1, quiet = 0, ch, rc = 1;
	bool prune = false, export = false;
	struct sw_export_opts eo = { false, 0 };
	const char *output = NULL;  /* -o: --export's file, --evidence's directory */
	int64_t evidence = -1;
	char err[512];
	sqlite3 *db;
	struct sw_logs *lg = NULL;

	sw_log_init(argv[0]);
	sw_correlate_defaults(&opts);
	while ((ch = getopt_long(argc, argv, "w:c:o:qhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': db_path = optarg; break;
		case 'c': config = optarg; break;
		case OPT_SYSLOG:
			if (nlogs == (int)SW_ARRAY_LEN(logs))
				sw_usage_error("too many --syslog files (at most 64)");
			logs[nlogs++] = optarg;
			break;
		case OPT_SOURCE:
			if (nsources == (int)SW_ARRAY_LEN(sources))
				sw_usage_error("too many --source databases (at most 64)");
			sources[nsources++] = optarg;
			break;
		case OPT_TZ: tz = optarg; break;
		case OPT_YEAR: year = (unsigned)sw_option_number("--year", optarg, 1970, 9999); break;
		case OPT_OFFLINE: lopts.offline = true; break;
		case OPT_PRUNE: prune = true; break;
		case OPT_EXPORT:
			if (strcmp(optarg, "json"))
				sw_usage_error("--export: the format is json");
			export = true;
			break;
		case OPT_SINCE:
			if (!sw_export_parse_since(optarg, &eo.since))
				sw_usage_error("--since: a time such as 2026-11-27T17:09:41Z,"
				               " 2026-11-27T18:09:41+01:00 or 2026-11-27");
			eo.have_since = true;
			break;
		case 'o': output = optarg; break;
		case OPT_EVIDENCE:
			evidence = (int64_t)sw_option_number("--evidence", optarg, 1, INT64_MAX);
			break;
		case OPT_GAP: gap = (unsigned)sw_option_number("--gap", optarg, 1, 24 * 365); break;
		case OPT_P4: p4 = (unsigned)sw_option_number("--prefix4", optarg, 8, 32); break;
		case OPT_P6: p6 = (unsigned)sw_option_number("--prefix6", optarg, 16, 128); break;
		case OPT_MARK: mark = optarg; mark_value = 1; break;
		case OPT_CLEAR: mark = optarg; mark_value = 0; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("spanwatch-analyzer %s\n", PACKAGE_VERSION); return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			return EXIT_USAGE;
		}
	}
	if (!db_path)
		sw_usage_error("-w DB is required");
	if (optind != argc)
		sw_usage_error("unexpected argument");
	if (eo.have_since && !export)
		sw_usage_error("--since goes with --export json");
	if (export && evidence > 0)
		sw_usage_error("--export and --evidence are two runs");
	if (output && !export && evidence <= 0)
		sw_usage_error("-o goes with --export json or --evidence");
	if (export && (prune || mark || nlogs))
		sw_usage_error("--export cannot be combined with --prune, --syslog or the compromise marks");
	if (evidence > 0 && !output)
		sw_usage_error("--evidence INCIDENT and -o DIR go together");
	if (evidence > 0 && (prune || mark || nlogs))
		sw_usage_error("--evidence cannot be combined with --prune, --syslog or the compromise marks");
	if (nsources && (export || evidence > 0 || prune))
		sw_usage_error("--source imports and correlates: not with --export, --evidence or --prune");
	if (evidence > 0) {
		/* the export reads and writes files only: the database is left
		 * as it is (no interrupted runs marked, no incidents updated) */
		db = sw_db_open(db_path, 0, err, sizeof err);
		if (!db) {
			sw_err("%s", err);
			return 1;
		}
		rc = sw_evidence_export(db, db_path, evidence, output, err, sizeof err);
		if (rc != SW_EXPORT_OK)
			sw_err("%s", err);
		else if (!quiet)
			fprintf(stderr, "%s: incident %lld exported to %s\n", sw_progname(),
			        (long long)evidence, output);
		sw_db_close(db);
		return rc;
	}
	sw_analyzer_conf_defaults(&conf);
	if (config && sw_analyzer_conf_load(&conf, config, err, sizeof err) < 0) {
		sw_err("%s", err);
		return EXIT_USAGE;
	}
	sw_db_configure(&conf.db, config); /* [database]: before the open */
	opts.gap_us = (int64_t)(gap ? gap : conf.gap_hours) * 3600 * 1000000;
	opts.prefix4 = p4 ? p4 : conf.prefix4;
	opts.prefix6 = p6 ? p6 : conf.prefix6;
	opts.policy.innocent_ports = conf.innocent_ports;
	/* names of the allow list: resolved once, now (a name that does not
	 * resolve is a warning: it allows nothing, and nothing else changes) */
	sw_allowlist_build(&allow, &conf.allow, !lopts.offline);
	opts.policy.allow = &allow;
	lopts.tz = tz ? tz : conf.tz;
	lopts.year = (int)(year ? year : conf.year);
	/* a central database (--source) is made by its first import */
	db = sw_db_open(db_path, nsources ? SW_DB_CREATE : 0, err, sizeof err);
	if (!db) {
		sw_err("%s", err);
		return 1;
	}
	/* a sensor killed before it ended its run left detections open:
	 * close them at their last evidence before they are correlated
	 * or pruned */
	if (sw_runs_mark_interrupted(db, sw_now_us(), &marked) < 0)
		goto out;
	if (!quiet && marked.runs)
		fprintf(stderr, "%s: %u interrupted runs marked, %u of their detections closed\n",
		        sw_progname(), marked.runs, marked.detections);
	if (prune) {
		rc = run_prune(db, &conf.retention, quiet) < 0 ? 1 : 0;
		goto out;
	}
	if (export) {
		rc = run_export(db, &eo, output, quiet) < 0 ? 1 : 0;
		goto out;
	}
	if (mark && sw_mark_compromised(db, mark, mark_value) < 0)
		goto out;
	if (nsources && sw_central_import(db, sources, nsources, quiet) < 0)
		goto out;
	if (nlogs && !(lg = sw_logs_new())) {
		sw_err("out of memory");
		goto out;
	}
	for (int i = 0; i < nlogs; i++) {
		struct sw_logs_result lr;
		if (sw_logs_ingest(lg, db, logs[i], &lopts, &lr) < 0)
			goto out;
		if (!quiet)
			fprintf(stderr, "%s: %s: %u lines, %u events (%u new, %u already stored), "
			        "%u ignored, %u refused\n", sw_progname(), logs[i], lr.lines, lr.events,
			        lr.stored, lr.duplicates, lr.ignored, lr.rejected);
	}
	if (sw_incidents_update(db, &opts, &res) < 0)
		goto out;
	if (!quiet)
		fprintf(stderr, "%s: %u detections, %u incidents (%u distributed, %u reportable), "
		        "%u rows changed\n", sw_progname(), res.detections, res.incidents,
		        res.distributed, res.reportable, res.changed);
	rc = 0;
out:
	sw_logs_free(lg);
	sw_db_close(db);
	return rc;
}
