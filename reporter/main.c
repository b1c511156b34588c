/*
 * main.c - spanwatch-reporter: for each reportable netblock not yet
 * reported, find who is responsible (whois, reverse DNS) and write a memo.
 *
 * At this stage it parses its contract options and opens the database;
 * whois and memos are issue 5.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spanwatch-reporter -w DB -o DIR [--format eml|mbox|text|xarf] [--offline]\n"
"         [--from 'Name <address>'] [--whois-server HOST[:PORT]] [--whois-hosts FILE]\n"
"\n"
"Write one memo per reportable netblock to the people responsible for it.\n"
"\n"
"  -w, --db DB               the SQLite database\n"
"  -o, --output DIR          where memos are written\n"
"      --format FORMAT       eml (default), mbox, text or xarf\n"
"      --offline             use only cached whois data\n"
"      --from ADDRESS        the sender, 'Name <address>'\n"
"      --whois-server HOST   ask HOST[:PORT] first for every address\n"
"      --whois-hosts FILE    registry host name -> HOST:PORT map\n"
"  -h, --help                this help\n"
"  -V, --version             version\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_OFFLINE, OPT_FROM, OPT_WHOIS_SERVER, OPT_WHOIS_HOSTS };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "whois-server", required_argument, NULL, OPT_WHOIS_SERVER },
		{ "whois-hosts", required_argument, NULL, OPT_WHOIS_HOSTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = NULL;
	const char *format = "eml";
	char err[512];
	sqlite3 *db;
	int ch;

	sw_log_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "w:o:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': db_path = optarg; break;
		case 'o': break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_OFFLINE: case OPT_FROM: case OPT_WHOIS_SERVER: case OPT_WHOIS_HOSTS:
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("spanwatch-reporter %s\n", PACKAGE_VERSION); return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			return 2;
		}
	}
	if (strcmp(format, "eml") && strcmp(format, "mbox") && strcmp(format, "text") &&
	    strcmp(format, "xarf"))
		sw_usage_error("--format: use eml, mbox, text or xarf");
	if (!db_path)
		sw_usage_error("-w DB is required");
	if (optind != argc)
		sw_usage_error("unexpected argument");
	db = sw_db_open(db_path, 0, err, sizeof err);
	if (!db) {
		sw_err("%s", err);
		return 1;
	}
	sw_db_close(db);
	return 0;
}
