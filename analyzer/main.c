/*
 * main.c - spanwatch-analyzer: correlates the sensor's detections (and log
 * lines) into incidents per source and per netblock.
 *
 * At this stage it parses its contract options and opens (creating or
 * migrating) the database; correlation is issue 4.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spanwatch-analyzer -w DB [--syslog FILE...]\n"
"\n"
"Correlate detections stored by spanwatch-sensor (and log lines) into\n"
"incidents per source and per netblock (v_incidents).\n"
"\n"
"  -w, --db DB          the SQLite database\n"
"      --syslog FILE    also read log lines from FILE (repeatable)\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'w' },
		{ "syslog", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = NULL;
	char err[512];
	sqlite3 *db;
	int ch;

	sw_log_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "w:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': db_path = optarg; break;
		case 'S': break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("spanwatch-analyzer %s\n", PACKAGE_VERSION); return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			return 2;
		}
	}
	if (!db_path || optind != argc) {
		fprintf(stderr, "%s: %s\nTry '%s --help'.\n", sw_progname(),
		        db_path ? "unexpected argument" : "-w DB is required", sw_progname());
		return 2;
	}
	db = sw_db_open(db_path, 0, err, sizeof err);
	if (!db) {
		sw_err("%s", err);
		return 1;
	}
	sw_db_close(db);
	return 0;
}
