/*
 * main.c - spanwatch-reporter: for each reportable netblock not yet
 * reported, find who is responsible (whois, reverse DNS) and write one
 * memo, the way the article does it by hand; record it so the same
 * incidents never produce two memos. This file is the start-up (options,
 * settings, the database, the whois client and resolver) and the wiring.
 *
 * Order of work: the incidents due a memo (ledger.c), whois per source and
 * the cooldown per netblock (groups.c: sources whose answers name the same
 * range share one memo), the memo's facts (assemble.c: the incidents,
 * reverse DNS of the sources and of our hosts by names.c, domain whois),
 * the memo's text (memo.c), then outbox.c: the message in the chosen
 * format, the file or stdout, --send, and the record (ledger.c) last, once
 * the memo is safely written. --lookup is lookup.c's: main.c only reads
 * its options and settings and hands them over.
 */
#include "config.h"

#include <assert.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "assemble.h"
#include "cert.h"
#include "certtab.h"
#include "db.h"
#include "groups.h"
#include "ledger.h"
#include "ledger_cmd.h"
#include "log.h"
#include "lookup.h"
#include "memo.h"
#include "mime.h"
#include "outbox.h"
#include "rdap.h"
#include "rdns.h"
#include "settings.h"
#include "timefmt.h"
#include "util.h"
#include "whois.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct options {
	const char *db_path;
	const char *out_dir;
	const char *config;
	enum sw_mail_format format;
	const char *format_name;
	bool offline, force, send, quiet;
	const char *from;
	const char *whois_server;
	const char *whois_hosts;
	const char *dns_server;
	bool no_dns;
	const char *sign_key;
	bool rdap_refresh;     /* --rdap-refresh [DIR] */
	const char *rdap_dir;
	bool lookup, json;     /* --lookup ADDR|DOMAIN... [--json] */
	bool memo_only;        /* an option that only makes sense for memos was given */
	struct sw_ledger_cmd ledger;   /* --ack, --bounced, --export-nft (ledger_cmd.c) */
	const char *min_reports, *days;
};

struct run {
	struct options opt;
	struct sw_reporter_conf conf;
	sqlite3 *db;
	struct sw_whois *whois;
	struct sw_resolver *resolver;
	int64_t now_us;
	char zone[64];
	unsigned written, cooling, unresolved, unaddressed;
	struct sw_cert_table *certs;   /* [cert]: NULL when escalation is off */
	struct sw_cert_contact our_csirt;
	bool have_our_csirt;
	char certs_desc[2200];         /* the table's file(s), as the log names them */
	struct sw_escalation_outcome escalated;
	size_t deferred;       /* incidents left for the next run (max_netblocks) */
	bool failed;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spanwatch-reporter -w DB -o DIR [--format eml|mbox|text|xarf] [--offline]\n"
"         [--from 'Name <address>'] [--whois-server HOST[:PORT]] [--whois-hosts FILE]\n"
"         [-c FILE] [--dns-server HOST[:PORT]] [--no-dns] [--force] [--send]\n"
"         [--sign KEYID] [-q]\n"
"       spanwatch-reporter --rdap-refresh [DIR] [-c FILE]\n"
"       spanwatch-reporter --lookup [--json] [-w DB] [--offline] [-c FILE]\n"
"         [--whois-server HOST[:PORT]] [--whois-hosts FILE] ADDR|DOMAIN...\n"
"       spanwatch-reporter -w DB --ack NETBLOCK | --bounced NETBLOCK [--note TEXT]\n"
"       spanwatch-reporter -w DB --export-nft FILE [--min-reports N] [--days M]\n"
"\n"
"Write one memo per reportable netblock to the people responsible for it;\n"
"with --lookup, show who is responsible for addresses or domains and why.\n"
"\n"
"  -w, --db DB               the SQLite database\n"
"  -o, --output DIR          where memos are written (not needed for text)\n"
"      --format FORMAT       eml (default, one file per memo), mbox (appended to\n"
"                            DIR/spanwatch.mbox), text (stdout) or xarf (eml with\n"
"                            an X-ARF v4 part)\n"
"  -c, --config FILE         settings ([reporter] section; see etc/spanwatch.conf)\n"
"      --from ADDRESS        the sender, 'Name <address>' (else [reporter] name, email)\n"
"      --offline             use only cached whois answers; no DNS\n"
"      --whois-server HOST   ask HOST[:PORT] first for every address\n"
"      --whois-hosts FILE    registry host name -> HOST:PORT map\n"
"      --dns-server HOST     name server HOST[:PORT] for reverse DNS\n"
"      --no-dns              no reverse DNS\n"
"      --force               ignore the cooldown between two memos to a netblock\n"
"      --send                give each memo to the sendmail command as well\n"
"      --sign KEYID          sign memos with this GPG key (PGP/MIME)\n"
"      --rdap-refresh [DIR]  fetch IANA's RDAP bootstrap files into DIR (else\n"
"                            [reporter] rdap_bootstrap, else the installed copy)\n"
"  -q, --quiet               no summary on stderr\n"
"      --lookup              look up each ADDR|DOMAIN: range, name, servers asked,\n"
"                            contacts best first (-w DB: its whois cache; without\n"
"                            it nothing is cached or written)\n"
"      --json                with --lookup: one JSON object per query per line\n"
"      --ack NETBLOCK        record that the netblock's owner answered our last memo\n"
"      --bounced NETBLOCK    record that our last memo to the netblock bounced\n"
"      --note TEXT           with --ack or --bounced: what came back, in a line\n"
"      --export-nft FILE     write the netblocks that keep offending as nftables\n"
"                            sets (no rule: blocking is the operator's act)\n"
"      --min-reports N       with --export-nft: at least N memos (default 3)\n"
"      --days M              with --export-nft: within the last M days (default 90)\n"
"  -h, --help                this help\n"
"  -V, --version             version\n"
"\n"
"SOURCE_DATE_EPOCH, when set, is the clock (memo dates, cooldown, cache age).\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error. With --lookup: 0 every\n"
"query named a contact, 1 one did not, 2 usage error, 3 database error.\n");
}

/* ---- options ------------------------------------------------------------ */

static enum sw_mail_format parse_format(const char *s)
{
	if (!strcmp(s, "eml"))
		return SW_FMT_EML;
	if (!strcmp(s, "mbox"))
		return SW_FMT_MBOX;
	if (!strcmp(s, "text"))
		return SW_FMT_TEXT;
	if (!strcmp(s, "xarf"))
		return SW_FMT_XARF;
	sw_usage_error("--format: use eml, mbox, text or xarf");
}

/* "Name <address>" or a bare address, into the identity. */
static void apply_from(struct sw_reporter_conf *c, const char *from)
{
	const char *lt = strrchr(from, '<'), *gt = strrchr(from, '>');
	char addr[sizeof c->email];

	if (lt && gt && gt > lt && gt[1] == '\0') {
		size_t n = (size_t)(lt - from);
		while (n && from[n - 1] == ' ')
			n--;
		if (n && !sw_fmt(c->name, sizeof c->name, "%.*s", (int)n, from))
			sw_usage_error("--from: the name is too long");
		if (!sw_fmt(addr, sizeof addr, "%.*s", (int)(gt - lt - 1), lt + 1))
			sw_usage_error("--from: the address is too long");
	} else if (!sw_fmt(addr, sizeof addr, "%s", from)) {
		sw_usage_error("--from: the address is too long");
	}
	if (!sw_mail_addr_ok(addr))
		sw_usage_error("--from: not a usable e-mail address (use 'Name <address>')");
	memcpy(c->email, addr, sizeof addr);
	for (const char *p = c->name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			sw_usage_error("--from: control characters in the name");
}

static int64_t clock_now(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!sde || !*sde)
		return sw_now_us();
	if (!sw_parse_u64(sde, 0, 253402300799ull, &v))
		sw_usage_error("SOURCE_DATE_EPOCH: not a number of seconds");
	return (int64_t)v * 1000000;
}

/* The zone the memo's times are written in, and its name for the text. */
static void choose_zone(struct run *r)
{
	const char *tz;

	if (r->conf.timezone[0])
		setenv("TZ", r->conf.timezone, 1);
	tzset();
	tz = getenv("TZ");
	if (tz && *tz == ':')
		tz++;
	if (tz && *tz && tz[0] != '/')
		sw_fmt(r->zone, sizeof r->zone, "%s", tz);
	else
		sw_fmt(r->zone, sizeof r->zone, "%s", tzname[0]);
}

/* Group the candidates by netblock (groups.c) with this run's settings. */
static int make_groups(struct run *r, const struct sw_candidates *c, struct sw_groups *gs)
{
	const struct sw_grouping how = {
		.whois = r->whois,
		.db = r->db,
		.now_us = r->now_us,
		.max_netblocks = r->conf.max_netblocks,
		.cooldown_days = r->conf.cooldown_days,
		.force = r->opt.force,
	};
	struct sw_grouping_outcome out;
	int rc = sw_groups_make(&how, c, gs, &out);

	r->deferred += out.deferred;
	if (out.failed)
		r->failed = true;
	return rc;
}

/* ---- one memo ----------------------------------------------------------- */

/* Where and how this run's memos go: the owners' and the CERTs' alike. */
static struct sw_outbox run_outbox(const struct run *r)
{
	const struct sw_outbox ob = {
		.conf = &r->conf,
		.db = r->db,
		.now_us = r->now_us,
		.format = r->opt.format,
		.format_name = r->opt.format_name,
		.dir = r->opt.out_dir,
		.sign_key = r->opt.sign_key ? r->opt.sign_key :
			    r->conf.sign_key[0] ? r->conf.sign_key : NULL,
		.send = r->opt.send,
		.quiet = r->opt.quiet,
	};
	return ob;
}

/* Write, send and record one memo (outbox.c) with this run's settings. */
static int deliver(struct run *r, const struct sw_memo *m, const struct sw_memo_text *t)
{
	const struct sw_outbox ob = run_outbox(r);
	bool send_failed;
	int rc = sw_outbox_deliver(&ob, m, t, &send_failed);

	if (send_failed)
		r->failed = true;
	return rc;
}

/* Gather the group's memo (assemble.c) with this run's settings. */
static int assemble(struct run *r, const struct sw_group *g, const struct sw_candidates *c,
		    struct sw_memo *m, char *err, size_t errlen)
{
	const struct sw_assembly how = {
		.db = r->db,
		.whois = r->whois,
		.names = {
			.resolver = r->resolver,
			.special_ok = r->opt.dns_server || r->conf.dns_server[0],
		},
		.evidence_lines = r->conf.evidence_lines,
		.domain_whois = r->conf.domain_whois && !r->opt.offline,
		.now_us = r->now_us,
	};

	/* reverse DNS and domain whois ahead: nothing held on the database */
	assert(sw_db_idle(r->db));
	if (sw_memo_assemble(&how, g, c, m, err, errlen) < 0)
		return -1;
	/* a recurring problem is what makes an ISP care: the memo says so,
	 * and copies the upstreams when it keeps coming back */
	if (sw_ledger_past_reports(r->db, m->netblock, m, err, errlen) < 0)
		return -1;
	return sw_ledger_recurring(r->db, m, r->conf.recurring_reports, r->conf.recurring_days,
				   r->now_us, err, errlen);
}

/* One group: cooling down, unresolved, or a memo gathered, composed
 * (memo.c) and delivered; each outcome counted for the summary. */
static void report_group(struct run *r, const struct sw_group *g, const struct sw_candidates *c)
{
	struct sw_memo m;
	struct sw_memo_text t;
	char err[512];

	if (g->cooling) {
		if (g->cool_until && !r->opt.quiet) {
			char when[64];

			sw_memo_local_time(g->cool_until, false, when, sizeof when);
			fprintf(stderr, "%s: new incidents, but the last memo is recent: next one "
				"after %s (--force to write it now)\n", g->netblock, when);
		}
		r->cooling++;
		return;
	}
	if (!g->whois_ok) {
		r->unresolved++;
		return;
	}
	if (assemble(r, g, c, &m, err, sizeof err) < 0) {
		sw_err("%s", err);
		r->failed = true;
		goto out;
	}
	if (sw_memo_compose(&m, &r->conf, r->zone, &t, err, sizeof err) < 0) {
		sw_warn("%s", err);
		r->unaddressed++;
		goto out;
	}
	if (deliver(r, &m, &t) == 0)
		r->written++;
	else
		r->failed = true;
	sw_memo_text_free(&t);
out:
	sw_memo_free(&m);
}

/* ---- main --------------------------------------------------------------- */

/* --ack/--bounced NETBLOCK [--note] or --export-nft FILE [--min-reports]
 * [--days]: checked here, run by ledger_cmd.c. NETBLOCK must be a prefix
 * as the ledger writes them (lib/addr.c's parser: no host bits set). */
static void ledger_args(struct options *o, int argc)
{
	struct sw_ledger_cmd *l = &o->ledger;
	const char *opt = l->kind == SW_ANSWER_ACK ? "--ack" : "--bounced";
	char msg[256], safe[80];

	if (l->answer && l->nft_path)
		sw_usage_error("--export-nft does not go with --ack or --bounced");
	if (o->lookup || o->rdap_refresh || o->json || o->memo_only)
		sw_usage_error("--ack, --bounced and --export-nft write no memo: --lookup, "
			       "--rdap-refresh, --json, -o, --format, --from, --force, --send and "
			       "--sign do not apply");
	if (!o->db_path)
		sw_usage_error("-w DB is required");
	if (optind != argc)
		sw_usage_error("unexpected argument");
	l->db_path = o->db_path;
	l->quiet = o->quiet;
	if (l->answer) {
		if (o->min_reports || o->days)
			sw_usage_error("--min-reports and --days go with --export-nft");
		if (!sw_prefix_parse(l->netblock_arg, &l->netblock)) {
			sw_sanitize(safe, sizeof safe, l->netblock_arg, (size_t)-1);
			sw_fmt(msg, sizeof msg, "%s: '%s' is not a netblock (ADDRESS/LENGTH, "
			       "no host bits set, as in v_reports)", opt, safe);
			sw_usage_error(msg);
		}
		if (l->note && sw_answer_note_problem(l->note)) {
			sw_fmt(msg, sizeof msg, "--note: %s", sw_answer_note_problem(l->note));
			sw_usage_error(msg);
		}
		return;
	}
	if (l->note)
		sw_usage_error("--note goes with --ack or --bounced");
	if (!*l->nft_path)
		sw_usage_error("--export-nft: the file name is empty");
	l->min_reports = o->min_reports ?
		(unsigned)sw_option_number("--min-reports", o->min_reports, 1, 1000000) : 3;
	l->days = o->days ? (unsigned)sw_option_number("--days", o->days, 1, 36500) : 90;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_FORMAT = 256, OPT_OFFLINE, OPT_FROM, OPT_WHOIS_SERVER, OPT_WHOIS_HOSTS,
	       OPT_DNS_SERVER, OPT_NO_DNS, OPT_FORCE, OPT_SEND, OPT_SIGN, OPT_RDAP_REFRESH,
	       OPT_LOOKUP, OPT_JSON, OPT_ACK, OPT_BOUNCED, OPT_NOTE, OPT_EXPORT_NFT,
	       OPT_MIN_REPORTS, OPT_DAYS };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "whois-server", required_argument, NULL, OPT_WHOIS_SERVER },
		{ "whois-hosts", required_argument, NULL, OPT_WHOIS_HOSTS },
		{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
		{ "no-dns", no_argument, NULL, OPT_NO_DNS },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "send", no_argument, NULL, OPT_SEND },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "rdap-refresh", no_argument, NULL, OPT_RDAP_REFRESH },
		{ "lookup", no_argument, NULL, OPT_LOOKUP },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "ack", required_argument, NULL, OPT_ACK },
		{ "bounced", required_argument, NULL, OPT_BOUNCED },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "export-nft", required_argument, NULL, OPT_EXPORT_NFT },
		{ "min-reports", required_argument, NULL, OPT_MIN_REPORTS },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->format_name = "eml";
	while ((ch = getopt_long(argc, argv, "w:o:c:qhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': o->db_path = optarg; break;
		case 'o': o->out_dir = optarg; o->memo_only = true; break;
		case 'c': o->config = optarg; break;
		case 'q': o->quiet = true; break;
		case OPT_FORMAT: o->format_name = optarg; o->memo_only = true; break;
		case OPT_OFFLINE: o->offline = true; break;
		case OPT_FROM: o->from = optarg; o->memo_only = true; break;
		case OPT_WHOIS_SERVER: o->whois_server = optarg; break;
		case OPT_WHOIS_HOSTS: o->whois_hosts = optarg; break;
		case OPT_DNS_SERVER: o->dns_server = optarg; break;
		case OPT_NO_DNS: o->no_dns = true; break;
		case OPT_FORCE: o->force = true; o->memo_only = true; break;
		case OPT_SEND: o->send = true; o->memo_only = true; break;
		case OPT_SIGN: o->sign_key = optarg; o->memo_only = true; break;
		case OPT_LOOKUP: o->lookup = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_RDAP_REFRESH: o->rdap_refresh = true; break;
		case OPT_ACK: case OPT_BOUNCED:
			if (o->ledger.netblock_arg)
				sw_usage_error("--ack and --bounced: one netblock, once");
			o->ledger.answer = true;
			o->ledger.kind = ch == OPT_ACK ? SW_ANSWER_ACK : SW_ANSWER_BOUNCE;
			o->ledger.netblock_arg = optarg;
			break;
		case OPT_NOTE: o->ledger.note = optarg; break;
		case OPT_EXPORT_NFT: o->ledger.nft_path = optarg; break;
		case OPT_MIN_REPORTS: o->min_reports = optarg; break;
		case OPT_DAYS: o->days = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("spanwatch-reporter %s\n", PACKAGE_VERSION); exit(0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			exit(EXIT_USAGE);
		}
	}
	if (o->ledger.answer || o->ledger.nft_path) {
		ledger_args(o, argc);
		return;
	}
	if (o->ledger.note || o->min_reports || o->days)
		sw_usage_error("--note goes with --ack or --bounced; --min-reports and --days "
			       "with --export-nft");
	if (o->lookup) {
		if (o->memo_only)
			sw_usage_error("--lookup writes no memo: -o, --format, --from, --force, "
				       "--send and --sign do not apply");
		return;
	}
	if (o->json)
		sw_usage_error("--json goes with --lookup");
	o->format = parse_format(o->format_name);
	if (o->rdap_refresh) {
		if (optind + 1 < argc)
			sw_usage_error("--rdap-refresh takes one directory at most");
		o->rdap_dir = optind < argc ? argv[optind] : NULL;
		return;
	}
	if (!o->db_path)
		sw_usage_error("-w DB is required");
	if (!o->out_dir && o->format != SW_FMT_TEXT)
		sw_usage_error("-o DIR is required (or --format text for stdout)");
	if (optind != argc)
		sw_usage_error("unexpected argument");
}

/* The whois client's settings: [reporter] and the command line. */
static void whois_conf(const struct run *r, struct sw_whois_conf *wc)
{
	sw_whois_conf_defaults(wc);
	if (r->opt.whois_server &&
	    !sw_fmt(wc->first_server, sizeof wc->first_server, "%s", r->opt.whois_server))
		sw_usage_error("--whois-server: too long");
	if (r->opt.whois_hosts &&
	    !sw_fmt(wc->hosts_file, sizeof wc->hosts_file, "%s", r->opt.whois_hosts))
		sw_usage_error("--whois-hosts: too long");
	wc->timeout_ms = r->conf.whois_timeout_ms;
	wc->pace_ms = r->conf.whois_pace_ms;
	wc->max_hops = r->conf.whois_max_hops;
	wc->max_response = (size_t)r->conf.whois_max_kib * 1024;
	wc->ttl_s = (int64_t)r->conf.whois_ttl_days * 86400;
	wc->partial_ttl_s = (int64_t)r->conf.whois_partial_ttl_hours * 3600;
	wc->offline = r->opt.offline;
	wc->rdap = r->conf.rdap;
	sw_fmt(wc->asn_server, sizeof wc->asn_server, "%s", r->conf.asn_server);
	wc->upstreams = r->conf.upstreams;
	sw_fmt(wc->rdap_bootstrap, sizeof wc->rdap_bootstrap, "%s", r->conf.rdap_bootstrap);
	sw_fmt(wc->rdap_ca_file, sizeof wc->rdap_ca_file, "%s", r->conf.rdap_ca_file);
}

/* The configuration file (-c), if any: the [reporter] section and the
 * shared [database] one, applied before the database is opened. */
static int read_config(struct run *r, char *err, size_t errlen)
{
	if (r->opt.config &&
	    sw_reporter_conf_load(&r->conf, r->opt.config, err, errlen) < 0)
		return -1;
	sw_db_configure(&r->conf.db, r->opt.config);
	return 0;
}

/* --lookup: the settings, then lookup.c does the rest. */
static int run_lookup(struct run *r, char *const queries[], size_t n)
{
	struct sw_whois_conf wc;
	char err[512];

	if (read_config(r, err, sizeof err) < 0) {
		sw_err("%s", err);
		return SW_LOOKUP_USAGE;
	}
	whois_conf(r, &wc);
	return sw_lookup_run(&(const struct sw_lookup){ .whois = &wc, .db_path = r->opt.db_path,
							.json = r->opt.json, .now_us = clock_now(),
							.out = stdout }, queries, n);
}

/* [cert]: our own CSIRT and the national CERT table (the installed one
 * unless [cert] table names another; missing, it is empty and the log
 * says so when it matters), then [cert] local_table over it. -1 (logged)
 * when one is unusable: a bad line is an error, never skipped. */
static int cert_setup(struct run *r)
{
	const char *cfg = r->opt.config ? r->opt.config : "?";
	const char *table = r->conf.cert_table[0] ? r->conf.cert_table : SW_CERT_TABLE;
	const char *why;
	char err[512];
	struct stat sb;

	if (!r->conf.cert_escalate)
		return 0;
	if (r->conf.cert_our_csirt[0]) {
		if ((why = sw_cert_contact_parse(r->conf.cert_our_csirt, &r->our_csirt))) {
			sw_err("%s:%u: [cert] our_csirt: %s", cfg, r->conf.cert_our_csirt_line, why);
			return -1;
		}
		r->have_our_csirt = true;
	}
	r->certs = calloc(1, sizeof *r->certs);
	if (!r->certs) {
		sw_err("out of memory");
		return -1;
	}
	if (!r->conf.cert_table[0] && stat(table, &sb) < 0) {
		sw_fmt(r->certs_desc, sizeof r->certs_desc, "%s (not installed)", table);
	} else {
		if (sw_cert_table_load(r->certs, table, err, sizeof err) < 0) {
			sw_err("[cert] table: %s", err);
			return -1;
		}
		sw_fmt(r->certs_desc, sizeof r->certs_desc, "%s", table);
	}
	if (r->conf.cert_local_table[0]) {
		if (sw_cert_table_load(r->certs, r->conf.cert_local_table, err, sizeof err) < 0) {
			sw_err("[cert] local_table: %s", err);
			return -1;
		}
		sw_fmt(r->certs_desc + strlen(r->certs_desc),
		       sizeof r->certs_desc - strlen(r->certs_desc), " or %s",
		       r->conf.cert_local_table);
	}
	return 0;
}

/* The CERT memos (cert.c), after the owners' memos: the same outbox. */
static void escalate(struct run *r)
{
	const struct sw_outbox ob = run_outbox(r);
	const struct sw_escalation how = {
		.db = r->db,
		.whois = r->whois,
		.conf = &r->conf,
		.table = r->certs,
		.table_desc = r->certs_desc,
		.ours = r->have_our_csirt ? &r->our_csirt : NULL,
		.ob = &ob,
		.zone = r->zone,
		.now_us = r->now_us,
	};

	if (!r->certs)
		return;
	assert(sw_db_idle(r->db));
	sw_cert_escalate(&how, &r->escalated);
	if (r->escalated.failed)
		r->failed = true;
}

static int setup(struct run *r)
{
	struct sw_whois_conf wc;
	struct stat sb;
	char err[512];

	if (read_config(r, err, sizeof err) < 0) {
		sw_err("%s", err);
		return EXIT_USAGE;
	}
	if (r->opt.from)
		apply_from(&r->conf, r->opt.from);
	if (!r->conf.email[0])
		sw_usage_error("no sender: give --from 'Name <address>' or [reporter] email");
	if (!sw_mail_addr_ok(r->conf.email)) { /* --from's was checked on reading it */
		sw_err("%s:%u: [reporter] email: not a usable e-mail address",
		       r->opt.config ? r->opt.config : "?", r->conf.email_line);
		return EXIT_USAGE;
	}
	if (r->conf.cc_self[0] && !sw_mail_addr_ok(r->conf.cc_self)) {
		sw_err("%s:%u: [reporter] cc_self: not a usable e-mail address (a bare address)",
		       r->opt.config ? r->opt.config : "?", r->conf.cc_self_line);
		return EXIT_USAGE;
	}
	if (cert_setup(r) < 0)
		return EXIT_USAGE;
	if (r->opt.out_dir && (stat(r->opt.out_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		sw_err("%s: not a directory", r->opt.out_dir);
		return EXIT_FAIL;
	}
	r->now_us = clock_now();
	choose_zone(r);
	r->db = sw_db_open(r->opt.db_path, 0, err, sizeof err);
	if (!r->db) {
		sw_err("%s", err);
		return EXIT_FAIL;
	}
	/* v_offenders: the ranges of netblocks written to before they were kept */
	if (sw_ledger_sync_ranges(r->db, err, sizeof err) < 0) {
		sw_err("%s", err);
		return EXIT_FAIL;
	}
	whois_conf(r, &wc);
	r->whois = sw_whois_new(&wc, r->db, err, sizeof err);
	if (!r->whois) {
		sw_err("%s", err);
		return EXIT_USAGE;
	}
	if (!r->opt.offline && !r->opt.no_dns && r->conf.reverse_dns) {
		const char *server = r->opt.dns_server ? r->opt.dns_server :
				     r->conf.dns_server[0] ? r->conf.dns_server : NULL;
		r->resolver = sw_resolver_new(server, r->conf.dns_timeout_ms, err, sizeof err);
		if (!r->resolver) {
			sw_err("%s", err);
			return server ? EXIT_USAGE : EXIT_FAIL;
		}
	}
	return 0;
}

/* --rdap-refresh: IANA's bootstrap files, fetched, checked, put in place. */
static int rdap_refresh(struct run *r)
{
	const char *dir;
	struct sw_rdap_net net = {
		.ca_file = r->conf.rdap_ca_file,
		.rate_limit_retries = 2,
		.rate_limit_wait_ms = 5000,
	};
	char err[512];

	if (read_config(r, err, sizeof err) < 0) {
		sw_err("%s", err);
		return EXIT_USAGE;
	}
	dir = r->opt.rdap_dir ? r->opt.rdap_dir :
	      r->conf.rdap_bootstrap[0] ? r->conf.rdap_bootstrap : SW_RDAP_DATADIR;
	net.timeout_ms = r->conf.whois_timeout_ms;
	if (sw_rdap_refresh(r->conf.rdap_bootstrap_url, dir, &net, err, sizeof err) < 0) {
		sw_err("--rdap-refresh: %s", err);
		return EXIT_FAIL;
	}
	if (!r->opt.quiet)
		fprintf(stderr, "spanwatch-reporter: RDAP bootstrap in %s refreshed\n", dir);
	return 0;
}

int main(int argc, char **argv)
{
	struct run r;
	struct sw_candidates c;
	struct sw_groups groups;
	char err[512];
	int rc;

	sw_log_init(argv[0]);
	memset(&r, 0, sizeof r);
	parse_args(argc, argv, &r.opt);
	sw_reporter_conf_defaults(&r.conf);
	if (r.opt.rdap_refresh)
		return rdap_refresh(&r);
	if (r.opt.lookup)
		return run_lookup(&r, argv + optind, (size_t)(argc - optind));
	if (r.opt.ledger.db_path) {
		r.opt.ledger.now_us = clock_now();
		return sw_ledger_cmd_run(&r.opt.ledger);
	}
	rc = setup(&r);
	if (rc)
		goto out;
	if (sw_ledger_candidates(r.db, &c, err, sizeof err) < 0) {
		sw_err("%s", err);
		rc = EXIT_FAIL;
		goto out;
	}
	if (make_groups(&r, &c, &groups) < 0) {
		sw_err("out of memory");
		sw_groups_free(&groups);
		rc = EXIT_FAIL;
		goto out_c;
	}
	for (size_t i = 0; i < groups.n; i++)
		report_group(&r, &groups.g[i], &c);
	escalate(&r);
	if (!r.opt.quiet) {
		fprintf(stderr, "spanwatch-reporter: %u %s written", r.written,
			r.written == 1 ? "memo" : "memos");
		if (r.cooling)
			fprintf(stderr, ", %u cooling down", r.cooling);
		if (r.unresolved)
			fprintf(stderr, ", %u not resolved (whois)", r.unresolved);
		if (r.unaddressed)
			fprintf(stderr, ", %u without a contact address", r.unaddressed);
		if (r.deferred)
			fprintf(stderr, ", %zu %s left for the next run (max_netblocks %u)",
				r.deferred, r.deferred == 1 ? "incident" : "incidents",
				r.conf.max_netblocks);
		if (r.escalated.written)
			fprintf(stderr, ", %u CERT %s", r.escalated.written,
				r.escalated.written == 1 ? "memo" : "memos");
		if (c.outbound)
			fprintf(stderr, ", %zu from our own hosts (look at them: not reported "
				"to an owner)", c.outbound);
		fputc('\n', stderr);
	}
	rc = r.failed ? EXIT_FAIL : 0;
	sw_groups_free(&groups);
out_c:
	sw_candidates_free(&c);
out:
	free(r.certs);
	if (r.resolver)
		sw_resolver_free(r.resolver);
	if (r.whois)
		sw_whois_free(r.whois);
	if (r.db)
		sw_db_close(r.db);
	return rc;
}
