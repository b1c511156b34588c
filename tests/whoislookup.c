/*
 * whoislookup.c - a check program for the whois client (reporter/whois.c):
 * resolves each address (or, with --domain, each domain) given on the
 * command line through sw_whois_lookup()/sw_whois_domain() against the
 * database -w DB, and prints the result as stable key=value lines for the
 * integration tests:
 *
 *   query=62.239.237.1
 *   status=ok|unresolved|error
 *   cidr=62.239.237.0/24          (one line per CIDR)
 *   netname=… org=… country=… server=…
 *   contact=<addr> <source-name> <via>   (ranked, best first)
 *   partial=1                    (the chain broke; the best answer kept)
 *   from_cache=1                 (replayed from the cache)
 *   trace=<proto> <server> ok|fail <outcome> (query: <query>)   (each server asked)
 *
 * Errors go to stderr. Everything printed passes through sw_sanitize().
 * Exit status: 0 done (unresolved included), 1 a database error, 2 usage.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "db.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"
#include "whois.h"

static const char usage[] =
	"usage: whoislookup -w DB [--whois-server H:P] [--whois-hosts FILE] [--offline]\n"
	"       [--now-us N] [--domain] [--timeout-ms N] [--pace-ms N] [--max-hops N]\n"
	"       [--max-bytes N] [--ttl-s N] [--partial-ttl-s N] [--rate-limit-wait-ms N]\n"
	"       [--rate-limit-retries N]\n"
	"       [-v] ADDR|DOMAIN...\n";

static void print_field(const char *key, const char *val)
{
	char safe[1024];

	printf("%s=%s\n", key, sw_sanitize(safe, sizeof(safe), val, (size_t)-1));
}

static void print_result(const struct sw_whois_result *r)
{
	char t[SW_ADDR_STRLEN], a[512], v[512];

	for (unsigned i = 0; i < r->ncidrs && i < SW_WHOIS_MAX_CIDRS; i++)
		printf("cidr=%s\n", sw_prefix_format(&r->cidrs[i], t, sizeof(t)));
	print_field("netname", r->netname);
	print_field("org", r->org);
	print_field("country", r->country);
	print_field("server", r->server);
	for (unsigned i = 0; i < r->ncontacts && i < SW_WHOIS_MAX_CONTACTS; i++)
		printf("contact=%s %s %s\n",
		       sw_sanitize(a, sizeof(a), r->contacts[i].addr, (size_t)-1),
		       sw_contact_source_name(r->contacts[i].source),
		       sw_sanitize(v, sizeof(v), r->contacts[i].via, (size_t)-1));
	if (r->rate_limited)
		printf("rate_limited=1\n");
	if (r->partial)
		printf("partial=1\n");
	if (r->from_cache)
		printf("from_cache=1\n");
}

static void print_trace(const struct sw_whois_result *r)
{
	char s[4][512];

	for (unsigned i = 0; i < r->ntrace && i < SW_WHOIS_TRACE_MAX; i++) {
		const struct sw_whois_step *t = &r->trace[i];
		printf("trace=%s %s %s %s (query: %s)\n",
		       sw_sanitize(s[0], sizeof(s[0]), t->proto, (size_t)-1),
		       sw_sanitize(s[1], sizeof(s[1]), t->server, (size_t)-1),
		       t->ok ? "ok" : "fail",
		       sw_sanitize(s[2], sizeof(s[2]), t->outcome, (size_t)-1),
		       sw_sanitize(s[3], sizeof(s[3]), t->query, (size_t)-1));
	}
}

enum {
	OPT_SERVER = 256, OPT_HOSTS, OPT_OFFLINE, OPT_NOW, OPT_DOMAIN, OPT_TIMEOUT,
	OPT_PACE, OPT_HOPS, OPT_BYTES, OPT_TTL, OPT_RLWAIT, OPT_RLRETRIES, OPT_PTTL,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "whois-server", required_argument, NULL, OPT_SERVER },
		{ "whois-hosts", required_argument, NULL, OPT_HOSTS },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "now-us", required_argument, NULL, OPT_NOW },
		{ "domain", no_argument, NULL, OPT_DOMAIN },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "pace-ms", required_argument, NULL, OPT_PACE },
		{ "max-hops", required_argument, NULL, OPT_HOPS },
		{ "max-bytes", required_argument, NULL, OPT_BYTES },
		{ "ttl-s", required_argument, NULL, OPT_TTL },
		{ "partial-ttl-s", required_argument, NULL, OPT_PTTL },
		{ "rate-limit-wait-ms", required_argument, NULL, OPT_RLWAIT },
		{ "rate-limit-retries", required_argument, NULL, OPT_RLRETRIES },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_whois_conf conf;
	struct sw_whois *w;
	const char *dbpath = NULL;
	bool domain = false;
	int64_t now_us = sw_now_us();
	char err[1024];
	sqlite3 *db;
	int c, status = 0;

	sw_log_init("whoislookup");
	sw_whois_conf_defaults(&conf);
	while ((c = getopt_long(argc, argv, "w:v", opts, NULL)) != -1) {
		switch (c) {
		case 'w': dbpath = optarg; break;
		case 'v': sw_log_set_level(SW_LOG_DEBUG); break;
		case OPT_SERVER:
			if (!sw_fmt(conf.first_server, sizeof(conf.first_server), "%s", optarg))
				sw_usage_error("--whois-server: too long");
			break;
		case OPT_HOSTS:
			if (!sw_fmt(conf.hosts_file, sizeof(conf.hosts_file), "%s", optarg))
				sw_usage_error("--whois-hosts: too long");
			break;
		case OPT_OFFLINE: conf.offline = true; break;
		case OPT_NOW:
			now_us = (int64_t)sw_option_number("--now-us", optarg, 0, INT64_MAX);
			break;
		case OPT_DOMAIN: domain = true; break;
		case OPT_TIMEOUT:
			conf.timeout_ms = (unsigned)sw_option_number("--timeout-ms", optarg, 1, 600000);
			break;
		case OPT_PACE:
			conf.pace_ms = (unsigned)sw_option_number("--pace-ms", optarg, 0, 600000);
			break;
		case OPT_HOPS:
			conf.max_hops = (unsigned)sw_option_number("--max-hops", optarg, 0,
								   SW_WHOIS_HOPS_MAX);
			break;
		case OPT_BYTES:
			conf.max_response = (size_t)sw_option_number("--max-bytes", optarg, 1,
								     64u << 20);
			break;
		case OPT_TTL:
			conf.ttl_s = (int64_t)sw_option_number("--ttl-s", optarg, 0, INT32_MAX);
			break;
		case OPT_PTTL:
			conf.partial_ttl_s = (int64_t)sw_option_number("--partial-ttl-s", optarg, 0,
								       INT32_MAX);
			break;
		case OPT_RLWAIT:
			conf.rate_limit_wait_ms = (unsigned)sw_option_number("--rate-limit-wait-ms",
									     optarg, 0, 600000);
			break;
		case OPT_RLRETRIES:
			conf.rate_limit_retries = (unsigned)sw_option_number("--rate-limit-retries",
									     optarg, 0, 100);
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!dbpath || optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	db = sw_db_open(dbpath, SW_DB_CREATE, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "whoislookup: %s\n", err);
		return 1;
	}
	w = sw_whois_new(&conf, db, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "whoislookup: %s\n", err);
		sw_db_close(db);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		struct sw_whois_result r;
		enum sw_whois_status st;
		struct sw_addr a;

		memset(&r, 0, sizeof(r));
		print_field("query", argv[i]);
		if (domain) {
			st = sw_whois_domain(w, argv[i], now_us, &r, err, sizeof(err));
		} else if (sw_addr_parse(argv[i], &a)) {
			st = sw_whois_lookup(w, &a, now_us, &r, err, sizeof(err));
		} else {
			sw_fmt(err, sizeof(err), "not an address");
			st = SW_WHOIS_UNRESOLVED;
		}
		printf("status=%s\n", st == SW_WHOIS_OK ? "ok"
				      : st == SW_WHOIS_UNRESOLVED ? "unresolved" : "error");
		if (st != SW_WHOIS_OK || r.partial) {
			char safe[1100];
			fprintf(stderr, "whoislookup: %s\n",
				sw_sanitize(safe, sizeof(safe), err, (size_t)-1));
		}
		if (st == SW_WHOIS_ERROR)
			status = 1;
		else if (st == SW_WHOIS_OK)
			print_result(&r);
		else if (r.rate_limited)
			printf("rate_limited=1\n");
		print_trace(&r);
		fflush(stdout);
	}
	sw_whois_free(w);
	sw_db_close(db);
	return status;
}
