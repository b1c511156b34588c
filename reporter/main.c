/*
 * main.c - spanwatch-reporter: for each reportable netblock not yet
 * reported, find who is responsible (whois, reverse DNS) and write one
 * memo, the way the article does it by hand; record it so the same
 * incidents never produce two memos.
 *
 * Order of work: the incidents due a memo (ledger.c), whois per source
 * (whois.c; sources whose answers name the same range share one memo),
 * the cooldown per netblock, reverse DNS of the sources and of our hosts
 * (rdns.c), domain whois for the sources' domain, the memo (memo.c), the
 * message in the chosen format (mime.c), the file or stdout, --send, and
 * the record (ledger.c) last, once the memo is safely written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "ledger.h"
#include "log.h"
#include "memo.h"
#include "mime.h"
#include "xarf.h"
#include "rdns.h"
#include "settings.h"
#include "siphash.h"
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
};

struct group {                 /* sources whose whois answers name one range */
	char netblock[128];
	struct sw_whois_result whois;
	bool whois_ok;
	bool cooling;          /* told recently: no memo before cool_until */
	int64_t cool_until;    /* 0 after a database error */
	size_t *cand;          /* indexes into the candidates */
	size_t ncand, cand_cap;
};

struct groups {                /* the groups, and an index of their keys */
	struct group *g;
	size_t n, cap;
	size_t *slot;          /* open addressing: group index + 1, 0 empty */
	size_t nslots;         /* a power of two, at least twice n */
	struct sw_sipkey key;  /* keys come from whois answers: keyed hash */
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
"\n"
"Write one memo per reportable netblock to the people responsible for it.\n"
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
"  -q, --quiet               no summary on stderr\n"
"  -h, --help                this help\n"
"  -V, --version             version\n"
"\n"
"SOURCE_DATE_EPOCH, when set, is the clock (memo dates, cooldown, cache age).\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage error.\n");
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

/* ---- whois and grouping ------------------------------------------------- */

static void netblock_key(const struct sw_whois_result *w, char *out, size_t len)
{
	char cidr[SW_ADDR_STRLEN];
	size_t off = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < w->ncidrs && off < len; i++) {
		sw_prefix_format(&w->cidrs[i], cidr, sizeof cidr);
		int n = snprintf(out + off, len - off, "%s%s", i ? ", " : "", cidr);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static uint64_t key_hash(const struct groups *gs, const char *key)
{
	return sw_siphash(&gs->key, key, strlen(key));
}

static struct group *find_group(const struct groups *gs, const char *key)
{
	if (gs->nslots == 0)
		return NULL;
	for (size_t i = key_hash(gs, key) & (gs->nslots - 1);; i = (i + 1) & (gs->nslots - 1)) {
		if (gs->slot[i] == 0)
			return NULL;
		if (!strcmp(gs->g[gs->slot[i] - 1].netblock, key))
			return &gs->g[gs->slot[i] - 1];
	}
}

static void index_group(struct groups *gs, size_t idx)
{
	size_t i = key_hash(gs, gs->g[idx].netblock) & (gs->nslots - 1);

	while (gs->slot[i] != 0)
		i = (i + 1) & (gs->nslots - 1);
	gs->slot[i] = idx + 1;
}

/* A new, empty group for key; NULL when out of memory. */
static struct group *add_group(struct groups *gs, const char *key)
{
	struct group *grp;

	if (sw_grow((void **)&gs->g, &gs->cap, gs->n + 1, sizeof *gs->g) < 0)
		return NULL;
	if (2 * (gs->n + 1) > gs->nslots) {
		size_t want = gs->nslots ? 2 * gs->nslots : 64;
		size_t *slot = calloc(want, sizeof *slot);

		if (!slot)
			return NULL;
		free(gs->slot);
		gs->slot = slot;
		gs->nslots = want;
		for (size_t i = 0; i < gs->n; i++)
			index_group(gs, i);
	}
	grp = &gs->g[gs->n];
	memset(grp, 0, sizeof *grp);
	sw_fmt(grp->netblock, sizeof grp->netblock, "%s", key);
	index_group(gs, gs->n++);
	return grp;
}

static void free_groups(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		free(gs->g[i].cand);
	free(gs->g);
	free(gs->slot);
	memset(gs, 0, sizeof *gs);
}

/* Whether the netblock had a memo less than cooldown_days ago (or the
 * ledger could not be read: then nothing is written for it either), and
 * until when. */
static bool cooling_down(struct run *r, const char *netblock, int64_t *until)
{
	int64_t last, cool = (int64_t)r->conf.cooldown_days * 86400 * 1000000;
	int rc;

	*until = 0;
	if (r->opt.force)
		return false;
	rc = sw_ledger_last_report(r->db, netblock, &last);
	if (rc < 0) {
		sw_err("database: reading reports: %s", sqlite3_errmsg(r->db));
		r->failed = true;
		return true;
	}
	if (rc == 0 || r->now_us - last >= cool)
		return false;
	*until = last + cool;
	return true;
}

/*
 * Resolve every candidate's source and group them by the range found. At
 * most max_netblocks groups are made: after that whois answers only from
 * its cache, a candidate joins a group it belongs to, and one that would
 * start a new group waits for the next run (r->deferred). The candidates
 * come most severe netblock first, so those are the ones handled.
 */
static int make_groups(struct run *r, const struct sw_candidates *c, struct groups *gs)
{
	char err[512], key[128];
	size_t cap = r->conf.max_netblocks, memos = 0, asked = 0;

	memset(gs, 0, sizeof *gs);
	(void)sw_sipkey_random(&gs->key); /* without randomness: a fixed key, still a hash */
	for (size_t i = 0; i < c->n; i++) {
		struct sw_whois_result w;
		enum sw_whois_status st;
		struct group *grp;
		/* what counts: groups that can get a memo (resolved, not cooling
		 * down), and netblocks whois was asked about, whatever came of it
		 * (a server that is down must not cost a timeout per candidate,
		 * nor a netblock it cannot resolve hold the others back) */
		bool full = cap && (memos >= cap || asked >= 2 * cap);
		/* a netblock whose lookup failed in this run is not asked again
		 * for each of its other sources: the cache may still know them */
		struct group *failed = find_group(gs, c->c[i].netblock);
		bool quiet = full || (failed && !failed->whois_ok);
		uint64_t before = sw_whois_network_lookups(r->whois);
		bool went;

		sw_whois_set_cache_only(r->whois, quiet);
		memset(&w, 0, sizeof w);
		st = sw_whois_lookup(r->whois, &c->c[i].addr, r->now_us, &w, err, sizeof err);
		went = sw_whois_network_lookups(r->whois) > before;
		if (st == SW_WHOIS_ERROR) {
			sw_err("%s", err);
			r->failed = true;
			st = SW_WHOIS_UNRESOLVED;
		}
		if (st == SW_WHOIS_OK && w.ncidrs > 0)
			netblock_key(&w, key, sizeof key);
		else
			sw_fmt(key, sizeof key, "%s", c->c[i].netblock);
		grp = find_group(gs, key);
		if (!grp && full) {
			r->deferred++;
			continue;
		}
		/* past the cap, or in a netblock that failed already, a miss is
		 * only the cache's silence: nothing new to say */
		if (st != SW_WHOIS_OK && !quiet)
			sw_warn("%s (%s): whois: %s", c->c[i].netblock, c->c[i].src, err);
		if (!grp) {
			if (!(grp = add_group(gs, key)))
				return -1;
			asked += went;
			grp->cooling = cooling_down(r, key, &grp->cool_until);
		}
		if (sw_grow((void **)&grp->cand, &grp->cand_cap, grp->ncand + 1,
			    sizeof *grp->cand) < 0)
			return -1;
		if (st == SW_WHOIS_OK && !grp->whois_ok) {
			grp->whois = w;
			grp->whois_ok = true;
			if (!grp->cooling)
				memos++;
		}
		grp->cand[grp->ncand++] = i;
	}
	sw_whois_set_cache_only(r->whois, false);
	return 0;
}

/* ---- reverse DNS -------------------------------------------------------- */

static bool may_resolve(const struct run *r, const struct sw_addr *a)
{
	if (!r->resolver)
		return false;
	/* like whois: special-use addresses only to a server we were given */
	return !sw_addr_is_special(a) || r->opt.dns_server || r->conf.dns_server[0];
}

static int add_source(struct run *r, struct sw_memo *m, const char *text)
{
	struct sw_memo_source *s, *grown;
	struct sw_addr a;

	if (!sw_addr_parse(text, &a))
		return 0;
	for (size_t i = 0; i < m->nsrc; i++)
		if (sw_addr_eq(&m->src[i].addr, &a))
			return 0;
	grown = realloc(m->src, (m->nsrc + 1) * sizeof *m->src);
	if (!grown)
		return -1;
	m->src = grown;
	s = &m->src[m->nsrc++];
	memset(s, 0, sizeof *s);
	s->addr = a;
	sw_addr_format(&a, s->text, sizeof s->text);
	if (may_resolve(r, &a))
		sw_rdns_lookup(r->resolver, &a, &s->rdns); /* a failure leaves it zeroed */
	if (!m->domain[0] && s->rdns.confirmed && s->rdns.domain[0])
		sw_fmt(m->domain, sizeof m->domain, "%s", s->rdns.domain);
	return 0;
}

static void name_hosts(struct run *r, struct sw_memo *m)
{
	for (size_t i = 0; i < m->nhosts && i < 10; i++) {
		struct sw_addr a;
		struct sw_rdns d;

		if (!sw_addr_parse(m->hosts[i].addr, &a) || !may_resolve(r, &a))
			continue;
		if (sw_rdns_lookup(r->resolver, &a, &d) == 0 && d.confirmed)
			sw_fmt(m->hosts[i].name, sizeof m->hosts[i].name, "%s", d.name);
	}
}

/* ---- one memo ----------------------------------------------------------- */

static void message_id(const struct run *r, const struct sw_memo *m, char *out, size_t len)
{
	static const struct sw_sipkey key = { 0x7370616e77617463ull, 0x68206d656d6f7321ull };
	struct sw_buf b = SW_BUF_INIT;
	const char *at = strchr(r->conf.email, '@');
	uint64_t h;

	sw_buf_printf(&b, "%s|%lld", m->netblock, (long long)r->now_us);
	for (size_t i = 0; i < m->ninc; i++)
		sw_buf_printf(&b, "|%lld:%lld", m->inc[i].id, (long long)m->inc[i].last_seen);
	h = sw_siphash(&key, sw_buf_str(&b), b.len);
	sw_buf_free(&b);
	sw_fmt(out, len, "<spanwatch.%lld.%016llx@%s>", (long long)(r->now_us / 1000000),
	       (unsigned long long)h, at ? at + 1 : "localhost");
}

static void file_name(const struct run *r, const struct sw_memo *m, char *out, size_t len)
{
	char stamp[32], net[128];
	time_t t = (time_t)(r->now_us / 1000000);
	struct tm tm;
	size_t j = 0;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (const char *p = m->netblock; *p && j + 1 < sizeof net; p++) {
		char ch = *p;
		if (ch == ' ')
			continue;
		net[j++] = (ch == '/' || ch == ':' || ch == ',') ? '_' : ch;
	}
	net[j] = '\0';
	sw_fmt(out, len, "%s/%s-%s.eml", r->opt.out_dir, stamp, net);
}

/* Write data to path through a temporary file and a rename: a crash never
 * leaves half a memo. */
static int write_file(const char *path, const char *data, size_t len, bool append)
{
	char tmp[4200];
	FILE *f;

	if (append) {
		f = fopen(path, "a");
		if (!f || fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
			sw_err("%s: %s", path, strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		return fclose(f) ? -1 : 0;
	}
	if (!sw_fmt(tmp, sizeof tmp, "%s.tmp", path)) {
		sw_err("%s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f)) ||
	    fclose(f)) {
		sw_err("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		sw_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static const char *xarf_type(const struct sw_memo_detection *d)
{
	if (!strcmp(d->kind, "login_attempts"))
		return "login_attack";
	if (strstr(d->kind, "_flood"))
		return "ddos";
	if (!strcmp(d->kind, "ping_sweep"))
		return "reconnaissance";
	return "port_scan";
}

/* The source port of the first quoted evidence line ("SRC:PORT -> ..."). */
static unsigned source_port(const struct sw_memo_incident *inc)
{
	const char *arrow, *colon;

	if (inc->nev == 0 || !(arrow = strstr(inc->ev[0].text, " -> ")))
		return 0;
	for (colon = arrow; colon > inc->ev[0].text && colon[-1] != ':' && colon[-1] != ' ';
	     colon--)
		;
	if (colon == inc->ev[0].text || colon[-1] != ':')
		return 0;
	return (unsigned)strtoul(colon, NULL, 10);
}

/* One X-ARF report per source incident. */
static int build_xarf(const struct run *r, const struct sw_memo *m, struct sw_buf *parts,
		      size_t *nparts, size_t max)
{
	const char *at = strchr(r->conf.email, '@');

	*nparts = 0;
	for (size_t i = 0; i < m->ninc && *nparts < max; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		const char *lines[SW_MEMO_MAX_EVIDENCE];
		struct sw_xarf_input x;
		char id[64], ev[SW_MEMO_MAX_EVIDENCE][300], when[SW_ISO_LEN];
		uint64_t h;

		if (inc->ndets == 0)
			continue;
		memset(&x, 0, sizeof x);
		h = sw_siphash(&(struct sw_sipkey){ (uint64_t)inc->id, (uint64_t)r->now_us },
			       m->netblock, strlen(m->netblock));
		/* a UUID (version 4 layout) derived from the incident and the clock */
		sw_fmt(id, sizeof id, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(h >> 32),
		       (unsigned)(h >> 16) & 0xffff, (unsigned)h & 0xfff,
		       (unsigned)(inc->id & 0xfff), (unsigned long long)(h ^ (uint64_t)inc->id) &
		       0xffffffffffffull);
		for (size_t k = 0; k < inc->nev && k < SW_MEMO_MAX_EVIDENCE; k++) {
			sw_iso_utc(inc->ev[k].ts, when, sizeof when);
			sw_fmt(ev[k], sizeof ev[k], "%s %s", when, inc->ev[k].text);
			lines[k] = ev[k];
		}
		x.report_id = id;
		x.timestamp_us = r->now_us;
		x.reporter_org = r->conf.organization[0] ? r->conf.organization : r->conf.name;
		x.reporter_contact = r->conf.email;
		x.reporter_domain = at ? at + 1 : "localhost";
		x.sender_name = r->conf.name[0] ? r->conf.name : r->conf.organization;
		x.sender_email = r->conf.email;
		x.type = xarf_type(&inc->dets[0]);
		x.source_ip = inc->src;
		x.source_port = source_port(inc);
		x.destination_ip = inc->dets[0].target[0] ? inc->dets[0].target : NULL;
		x.destination_port = inc->dets[0].port;
		x.protocol = inc->dets[0].proto[0] ? inc->dets[0].proto : "tcp";
		x.first_seen_us = inc->first_seen;
		x.last_seen_us = inc->last_seen;
		x.packets = inc->packets;
		x.ports = inc->ports;
		x.evidence = lines;
		x.nevidence = inc->nev < SW_MEMO_MAX_EVIDENCE ? inc->nev : SW_MEMO_MAX_EVIDENCE;
		x.description = inc->reasons;
		if (sw_xarf_json(&x, &parts[*nparts]) < 0)
			return -1;
		(*nparts)++;
	}
	return 0;
}

static void join_recipients(const struct sw_memo_text *t, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->nto + t->ncc; i++) {
		const char *a = i < t->nto ? t->to[i].addr : t->cc[i - t->nto].addr;
		int n = snprintf(out + off, len - off, "%s%s%s", i ? ", " : "",
				 i >= t->nto ? "cc:" : "", a);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static int deliver(struct run *r, struct sw_memo *m, const struct sw_memo_text *t)
{
	struct sw_mailbox to[SW_MEMO_MAX_RCPT], cc[SW_MEMO_MAX_RCPT];
	struct sw_buf msg = SW_BUF_INIT, parts[16];
	const char *jsons[16];
	size_t nparts = 0;
	struct sw_mail mail;
	char mid[256], path[4096], rcpts[4096], err[512];
	bool sent = false;
	int rc = -1;

	for (size_t i = 0; i < SW_ARRAY_LEN(parts); i++)
		parts[i] = (struct sw_buf)SW_BUF_INIT;
	for (size_t i = 0; i < t->nto; i++)
		to[i] = (struct sw_mailbox){ NULL, t->to[i].addr };
	for (size_t i = 0; i < t->ncc; i++)
		cc[i] = (struct sw_mailbox){ NULL, t->cc[i].addr };
	message_id(r, m, mid, sizeof mid);
	memset(&mail, 0, sizeof mail);
	mail.from = (struct sw_mailbox){ r->conf.name, r->conf.email };
	mail.to = to;
	mail.nto = t->nto;
	mail.cc = cc;
	mail.ncc = t->ncc;
	mail.subject = t->subject;
	mail.date_us = r->now_us;
	mail.message_id = mid;
	mail.body = sw_buf_str(&t->body);
	mail.sign_key = r->opt.sign_key ? r->opt.sign_key :
			r->conf.sign_key[0] ? r->conf.sign_key : NULL;
	mail.extra_header_name = "X-Spanwatch-Netblock";
	mail.extra_header_value = m->netblock;
	if (r->opt.format == SW_FMT_XARF) {
		if (build_xarf(r, m, parts, &nparts, SW_ARRAY_LEN(parts)) < 0) {
			sw_err("%s: out of memory building X-ARF", m->netblock);
			goto out;
		}
		for (size_t i = 0; i < nparts; i++)
			jsons[i] = sw_buf_str(&parts[i]);
		mail.xarf_json = jsons;
		mail.nxarf = nparts;
	}
	if (sw_mail_render(&mail, r->opt.format, &msg, err, sizeof err) < 0) {
		sw_err("%s: %s", m->netblock, err);
		goto out;
	}
	path[0] = '\0';
	switch (r->opt.format) {
	case SW_FMT_TEXT:
		if (fwrite(msg.data, 1, msg.len, stdout) != msg.len || fflush(stdout)) {
			sw_err("stdout: %s", strerror(errno));
			goto out;
		}
		break;
	case SW_FMT_MBOX:
		sw_fmt(path, sizeof path, "%s/spanwatch.mbox", r->opt.out_dir);
		if (write_file(path, msg.data, msg.len, true) < 0)
			goto out;
		break;
	default:
		file_name(r, m, path, sizeof path);
		if (write_file(path, msg.data, msg.len, false) < 0)
			goto out;
	}
	if (r->opt.send) {
		/* what is sent is the message as written (one signature, one
		 * Date); mbox and text are for reading, so those send an eml */
		struct sw_buf eml = SW_BUF_INIT;
		const struct sw_buf *out = &msg;
		bool rendered = true;

		if (r->opt.format == SW_FMT_MBOX || r->opt.format == SW_FMT_TEXT) {
			rendered = sw_mail_render(&mail, SW_FMT_EML, &eml, err, sizeof err) == 0;
			out = &eml;
		}
		if (!rendered ||
		    sw_mail_send(r->conf.sendmail, out->data, out->len, err, sizeof err) < 0) {
			/* the memo is written and recorded (sent = 0): the run
			 * fails so that someone looks, and sends it by hand */
			sw_err("%s: not sent: %s", m->netblock, err);
			r->failed = true;
		} else {
			sent = true;
		}
		sw_buf_free(&eml);
	}
	join_recipients(t, rcpts, sizeof rcpts);
	if (sw_ledger_record(r->db, m, r->now_us, rcpts, t->subject, path[0] ? path : NULL,
			     r->opt.format_name, mid, sent, err, sizeof err) < 0) {
		sw_err("%s", err);
		goto out;
	}
	if (!r->opt.quiet && r->opt.format != SW_FMT_TEXT)
		fprintf(stderr, "%s: %s -> %s\n", m->netblock, path, rcpts);
	rc = 0;
out:
	for (size_t i = 0; i < SW_ARRAY_LEN(parts); i++)
		sw_buf_free(&parts[i]);
	sw_buf_free(&msg);
	return rc;
}

static void report_group(struct run *r, const struct group *g, const struct sw_candidates *c)
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
	memset(&m, 0, sizeof m);
	sw_fmt(m.netblock, sizeof m.netblock, "%s", g->netblock);
	m.whois = g->whois;
	m.whois_ok = true;
	for (size_t i = 0; i < g->ncand; i++) {
		const struct sw_candidate *cd = &c->c[g->cand[i]];

		if (sw_ledger_load_incident(r->db, cd->id, r->conf.evidence_lines, &m, err,
					    sizeof err) < 0 ||
		    (!strcmp(cd->level, "source") && add_source(r, &m, cd->src) < 0)) {
			sw_err("%s", err);
			r->failed = true;
			goto out;
		}
	}
	name_hosts(r, &m);
	if (m.domain[0] && r->conf.domain_whois && !r->opt.offline) {
		enum sw_whois_status st = sw_whois_domain(r->whois, m.domain, r->now_us,
							   &m.domain_whois, err, sizeof err);
		if (st == SW_WHOIS_OK)
			m.domain_whois_ok = true;
		else
			sw_warn("domain whois of %s: %s", m.domain, err);
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

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_FORMAT = 256, OPT_OFFLINE, OPT_FROM, OPT_WHOIS_SERVER, OPT_WHOIS_HOSTS,
	       OPT_DNS_SERVER, OPT_NO_DNS, OPT_FORCE, OPT_SEND, OPT_SIGN };
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
		case 'o': o->out_dir = optarg; break;
		case 'c': o->config = optarg; break;
		case 'q': o->quiet = true; break;
		case OPT_FORMAT: o->format_name = optarg; break;
		case OPT_OFFLINE: o->offline = true; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_WHOIS_SERVER: o->whois_server = optarg; break;
		case OPT_WHOIS_HOSTS: o->whois_hosts = optarg; break;
		case OPT_DNS_SERVER: o->dns_server = optarg; break;
		case OPT_NO_DNS: o->no_dns = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_SEND: o->send = true; break;
		case OPT_SIGN: o->sign_key = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("spanwatch-reporter %s\n", PACKAGE_VERSION); exit(0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", sw_progname());
			exit(EXIT_USAGE);
		}
	}
	o->format = parse_format(o->format_name);
	if (!o->db_path)
		sw_usage_error("-w DB is required");
	if (!o->out_dir && o->format != SW_FMT_TEXT)
		sw_usage_error("-o DIR is required (or --format text for stdout)");
	if (optind != argc)
		sw_usage_error("unexpected argument");
}

static int setup(struct run *r)
{
	struct sw_whois_conf wc;
	struct stat sb;
	char err[512];

	if (r->opt.config &&
	    sw_reporter_conf_load(&r->conf, r->opt.config, err, sizeof err) < 0) {
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
	sw_whois_conf_defaults(&wc);
	if (r->opt.whois_server)
		sw_fmt(wc.first_server, sizeof wc.first_server, "%s", r->opt.whois_server);
	if (r->opt.whois_hosts)
		sw_fmt(wc.hosts_file, sizeof wc.hosts_file, "%s", r->opt.whois_hosts);
	wc.timeout_ms = r->conf.whois_timeout_ms;
	wc.pace_ms = r->conf.whois_pace_ms;
	wc.max_hops = r->conf.whois_max_hops;
	wc.max_response = (size_t)r->conf.whois_max_kib * 1024;
	wc.ttl_s = (int64_t)r->conf.whois_ttl_days * 86400;
	wc.offline = r->opt.offline;
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

int main(int argc, char **argv)
{
	struct run r;
	struct sw_candidates c;
	struct groups groups;
	char err[512];
	int rc;

	sw_log_init(argv[0]);
	memset(&r, 0, sizeof r);
	parse_args(argc, argv, &r.opt);
	sw_reporter_conf_defaults(&r.conf);
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
		free_groups(&groups);
		rc = EXIT_FAIL;
		goto out_c;
	}
	for (size_t i = 0; i < groups.n; i++)
		report_group(&r, &groups.g[i], &c);
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
		if (c.outbound)
			fprintf(stderr, ", %zu from our own hosts (look at them: not reported)",
				c.outbound);
		fputc('\n', stderr);
	}
	rc = r.failed ? EXIT_FAIL : 0;
	free_groups(&groups);
out_c:
	sw_candidates_free(&c);
out:
	if (r.resolver)
		sw_resolver_free(r.resolver);
	if (r.whois)
		sw_whois_free(r.whois);
	if (r.db)
		sw_db_close(r.db);
	return rc;
}
