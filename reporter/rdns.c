/*
 * rdns.c - reverse DNS for the reporter: the PTR name of an address and
 * its forward confirmation (the name's domain and line type come from
 * domain.c and linetype.c).
 *
 * Everything a DNS server sends is hostile. PTR names are read as raw
 * labels (ns_name_unpack) and turned into text here, so that a label with
 * CR, LF, ESC, NUL, a space or a dot inside it is seen for what it is: the
 * name is then kept only in escaped form (\xNN), marked invalid, never
 * confirmed and never used for a domain.
 *
 * Queries go through libresolv's res_n* on a private resolver state, so a
 * caller can name the server (tests use a loopback server). The timeout
 * covers the whole lookup; libresolv counts in whole seconds, so it is
 * rounded up to the next second.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "hostname.h"
#include "linetype.h"
#include "rdns.h"
#include "timefmt.h"
#include "util.h"

#define ANSWER_MAX 65536      /* a TCP answer can be this long */
#define PTR_CANDIDATES 4      /* PTR records kept from one answer */
#define CONFIRM_TRIES 2       /* valid names we try to confirm */
#define CNAME_STEPS 8         /* CNAME links followed inside one answer */
#define CNAME_REQUERIES 2     /* new queries for a chain the answer left open */

struct sw_resolver {
	struct __res_state res;
	unsigned timeout_ms;
	int64_t deadline_ms;          /* of the lookup in progress (sw_mono_ms) */
	unsigned char answer[ANSWER_MAX];
};

/* One PTR target as it came: wire-format labels. */
struct wire_name {
	unsigned char bytes[NS_MAXCDNAME];
};

/* ---- the resolver ------------------------------------------------------ */

/* "HOST[:PORT]", "[V6]:PORT" or a bare IPv6 address into a socket address.
 * Only numeric addresses: there is no resolver yet to resolve a name. */
static bool parse_server(const char *server, struct sockaddr_storage *ss,
			 char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	uint16_t portnum;
	const char *why = NULL;

	if (!sw_split_hostport(server, host, sizeof(host), &portnum, NS_DEFAULTPORT, &why)) {
		sw_fmt(err, errlen, "bad DNS server '%s': %s", server, why);
		return false;
	}

	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)portnum);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)portnum);
	} else {
		sw_fmt(err, errlen, "DNS server '%s' is not a numeric IPv4 or IPv6 address", server);
		return false;
	}
	return true;
}

/* Make the server the only one. An IPv4 server goes into nsaddr_list; an
 * IPv6 one into glibc's extension slot (nsaddrs), with the IPv4 slot's
 * family 0, which is how res_ninit itself stores an IPv6 server from
 * resolv.conf and how res_send finds it. res_nclose frees that slot. */
static bool use_server(struct __res_state *res, const struct sockaddr_storage *ss,
		       char *err, size_t errlen)
{
	for (int i = 0; i < MAXNS; i++) {
		free(res->_u._ext.nsaddrs[i]);
		res->_u._ext.nsaddrs[i] = NULL;
	}
	memset(res->nsaddr_list, 0, sizeof(res->nsaddr_list));
	for (int i = 0; i < MAXNS; i++)
		res->_u._ext.nssocks[i] = -1;
	res->_u._ext.nscount = 0;
	if (ss->ss_family == AF_INET) {
		memcpy(&res->nsaddr_list[0], ss, sizeof(struct sockaddr_in));
	} else {
		struct sockaddr_in6 *six = malloc(sizeof(*six));
		if (!six) {
			sw_fmt(err, errlen, "out of memory");
			return false;
		}
		memcpy(six, ss, sizeof(*six));
		res->_u._ext.nsaddrs[0] = six;
		res->nsaddr_list[0].sin_family = 0;
	}
	res->nscount = 1;
	return true;
}

struct sw_resolver *sw_resolver_new(const char *server, unsigned timeout_ms,
				    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sw_resolver *r;

	if (server && server[0] && !parse_server(server, &ss, err, errlen))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		sw_fmt(err, errlen, "out of memory");
		return NULL;
	}
	if (res_ninit(&r->res) != 0) {
		sw_fmt(err, errlen, "cannot initialise the resolver");
		res_nclose(&r->res);
		free(r);
		return NULL;
	}
	if (server && server[0] && !use_server(&r->res, &ss, err, errlen)) {
		sw_resolver_free(r);
		return NULL;
	}
	/* Exact names only: a PTR name must never pick up a search domain. */
	r->res.options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH);
	r->timeout_ms = timeout_ms ? timeout_ms : 1;
	r->res.retry = 1;   /* retrans is set before each query, from the time left */
	return r;
}

void sw_resolver_free(struct sw_resolver *r)
{
	if (!r)
		return;
	res_nclose(&r->res);
	free(r);
}

/* ---- time budget --------------------------------------------------------- */

static int64_t ms_until(int64_t deadline_ms)
{
	return deadline_ms - sw_mono_ms();
}

static void start_budget(struct sw_resolver *r)
{
	r->deadline_ms = sw_mono_ms() + r->timeout_ms;
}

/* ---- queries ----------------------------------------------------------- */

/* Two names in presentation form (as ns_name_ntop writes them, so one
 * spelling per name) are the same name: ASCII case does not count, nor a
 * trailing dot. */
static bool same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.' && a[la - 2] != '\\')
		la--;
	if (lb > 1 && b[lb - 1] == '.' && b[lb - 2] != '\\')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* A record the answer holds for the name asked (after CNAMEs); returns
 * false to stop looking. */
typedef bool (*record_fn)(void *ctx, const ns_msg *msg, const ns_rr *rr);

enum query_result { Q_FAILED = -1, Q_NONE = 0, Q_FOUND = 1 };

/* Ask for (name, type); call fn for each record of that type owned by the
 * name or by the end of a CNAME chain starting at it. A chain the answer
 * leaves open is asked again, a bounded number of times. */
static enum query_result query(struct sw_resolver *r, const char *name, ns_type type,
			       record_fn fn, void *ctx)
{
	char target[NS_MAXDNAME];
	char next[NS_MAXDNAME];

	if (!sw_fmt(target, sizeof(target), "%s", name))
		return Q_FAILED;
	for (int asked = 0; asked <= CNAME_REQUERIES; asked++) {
		int64_t left = ms_until(r->deadline_ms);
		if (left <= 0)
			return Q_FAILED;
		r->res.retrans = (int)((left + 999) / 1000);

		int n = res_nquery(&r->res, target, ns_c_in, type, r->answer, sizeof(r->answer));
		if (n < 0) {
			int h = r->res.res_h_errno;
			return h == HOST_NOT_FOUND || h == NO_DATA ? Q_NONE : Q_FAILED;
		}
		if ((size_t)n > sizeof(r->answer))
			return Q_FAILED;     /* truncated to our buffer */

		ns_msg msg;
		if (ns_initparse(r->answer, n, &msg) < 0)
			return Q_FAILED;
		int count = ns_msg_count(msg, ns_s_an);
		bool matched = false, followed = false;

		for (int step = 0; step < CNAME_STEPS; step++) {
			bool linked = false;
			for (int i = 0; i < count; i++) {
				ns_rr rr;
				if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
					return Q_FAILED;
				if (ns_rr_class(rr) != ns_c_in || !same_name(ns_rr_name(rr), target))
					continue;
				if (ns_rr_type(rr) == type) {
					matched = true;
					if (!fn(ctx, &msg, &rr))
						return Q_FOUND;
				} else if (ns_rr_type(rr) == ns_t_cname && !linked) {
					if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
							       ns_rr_rdata(rr), next, sizeof(next)) < 0)
						return Q_FAILED;
					linked = true;
				}
			}
			if (matched || !linked)
				break;
			memcpy(target, next, sizeof(target));
			followed = true;
		}
		if (matched)
			return Q_FOUND;
		if (!followed)
			return Q_NONE;
		/* the answer stopped at a CNAME: ask for its target */
	}
	return Q_NONE;
}

/* ---- PTR names ------------------------------------------------------- */

static void reverse_name(const struct sw_addr *a, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (a->family == SW_AF_INET) {
		sw_fmt(out, len, "%u.%u.%u.%u.in-addr.arpa", a->bytes[3], a->bytes[2],
		       a->bytes[1], a->bytes[0]);
		return;
	}
	for (int i = 15; i >= 0 && o + 4 < len; i--) {
		out[o++] = hex[a->bytes[i] & 15];
		out[o++] = '.';
		out[o++] = hex[a->bytes[i] >> 4];
		out[o++] = '.';
	}
	out[o] = '\0';
	sw_fmt(out + o, len - o, "ip6.arpa");
}

bool sw_rdns_name_text(const unsigned char *wire, size_t wirelen, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	bool valid = true, ended = false;
	size_t o = 0, pos = 0;

	if (outlen == 0)
		return false;
	out[0] = '\0';
	if (wirelen > NS_MAXCDNAME)
		wirelen = NS_MAXCDNAME;
	while (pos < wirelen) {
		unsigned lab = wire[pos++];
		if (lab == 0) {
			ended = true;
			break;
		}
		if (lab > 63 || lab > wirelen - pos)
			break;       /* a pointer or a label past the end */
		if (o > 0 && o + 1 < outlen)
			out[o++] = '.';
		for (unsigned i = 0; i < lab; i++) {
			unsigned char c = wire[pos + i];
			if (sw_host_label_char(c, SW_HOST_UNDERSCORE)) {
				if (o + 1 < outlen)
					out[o++] = (char)c;
				else
					valid = false;   /* cut short */
			} else {
				valid = false;
				if (o + 4 < outlen) {
					out[o++] = '\\';
					out[o++] = 'x';
					out[o++] = hex[c >> 4];
					out[o++] = hex[c & 15];
				}
			}
		}
		pos += lab;
	}
	out[o] = '\0';
	/* the root alone is no host name, nor is a name without its end */
	return ended && valid && o > 0 && o <= 253;
}

struct ptr_list {
	struct wire_name names[PTR_CANDIDATES];
	size_t n;
};

static bool collect_ptr(void *ctx, const ns_msg *msg, const ns_rr *rr)
{
	struct ptr_list *pl = ctx;
	struct wire_name *w = &pl->names[pl->n];
	int used = ns_name_unpack(ns_msg_base(*msg), ns_msg_end(*msg), ns_rr_rdata(*rr),
				  w->bytes, sizeof(w->bytes));
	/* The name must fill the rdata exactly: no trailing junk. */
	if (used < 0 || used != ns_rr_rdlen(*rr))
		return true;
	pl->n++;
	return pl->n < PTR_CANDIDATES;
}

struct confirm {
	const struct sw_addr *addr;
	bool found;
};

static bool match_addr(void *ctx, const ns_msg *msg, const ns_rr *rr)
{
	struct confirm *c = ctx;
	size_t want = c->addr->family == SW_AF_INET ? 4 : 16;

	(void)msg;
	if (ns_rr_rdlen(*rr) == want && memcmp(ns_rr_rdata(*rr), c->addr->bytes, want) == 0)
		c->found = true;
	return !c->found;
}

static bool forward_confirms(struct sw_resolver *r, const char *name, const struct sw_addr *a)
{
	struct confirm c = { .addr = a, .found = false };
	ns_type type = a->family == SW_AF_INET ? ns_t_a : ns_t_aaaa;

	query(r, name, type, match_addr, &c);
	return c.found;
}

/* Fill the name, validity, domain and line of out from one PTR target. */
static void describe(struct sw_rdns *out, const struct wire_name *w)
{
	out->valid = sw_rdns_name_text(w->bytes, sizeof(w->bytes), out->name, sizeof(out->name));
	out->domain[0] = '\0';
	out->line = SW_LINE_UNKNOWN;
	if (!out->valid)
		return;
	if (!sw_registrable_domain(out->name, out->domain, sizeof(out->domain)))
		out->domain[0] = '\0';
	out->line = sw_line_type_of(out->name);
}

int sw_rdns_lookup(struct sw_resolver *r, const struct sw_addr *a, struct sw_rdns *out)
{
	char rev[80];
	struct ptr_list *pl;

	memset(out, 0, sizeof(*out));
	if (!r || !a || (a->family != SW_AF_INET && a->family != SW_AF_INET6))
		return -1;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -1;
	start_budget(r);
	reverse_name(a, rev, sizeof(rev));

	enum query_result q = query(r, rev, ns_t_ptr, collect_ptr, pl);
	if (q == Q_FAILED) {
		free(pl);
		return -1;
	}
	if (pl->n == 0) {            /* NXDOMAIN, no PTR, or only unreadable ones */
		free(pl);
		return 0;
	}

	/* The first valid name that confirms; else the first valid; else the
	 * first one, escaped. */
	size_t chosen = pl->n, first_valid = pl->n, tried = 0;
	for (size_t i = 0; i < pl->n && chosen == pl->n; i++) {
		if (!sw_rdns_name_text(pl->names[i].bytes, sizeof(pl->names[i].bytes), out->name,
				       sizeof(out->name)))
			continue;
		if (first_valid == pl->n)
			first_valid = i;
		if (tried++ < CONFIRM_TRIES && forward_confirms(r, out->name, a))
			chosen = i;
	}
	/* domain and line type only for the name that is kept */
	describe(out, &pl->names[chosen < pl->n ? chosen : first_valid < pl->n ? first_valid : 0]);
	out->confirmed = chosen < pl->n;
	free(pl);
	return 0;
}
