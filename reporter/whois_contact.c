/*
 * whois_contact.c - the contacts a whois answer names: e-mail addresses
 * validated (nothing that could end a header, quote or list survives),
 * registry placeholders and the registries' own mailboxes dropped,
 * national registries' addresses demoted to a labelled fallback, and the
 * ranking (by source, then by what the mailbox is for, then by order of
 * appearance). Also the merge of one answer into the result of a chain.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mime.h"
#include "util.h"
#include "whois_contact.h"
#include "whois_doc.h"

/* ---- e-mail addresses --------------------------------------------------- */

static bool local_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-' || c == '=';
}

/* The validated, lower-case address that s[0..n) is, or false: a
 * conservative local part, and an address sw_mail_addr_ok accepts (one
 * '@', LDH domain labels, a letter TLD). No byte that could end a header,
 * quote or list survives this. */
static bool email_normalize(const char *s, size_t n, char out[128])
{
	while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n < 6 || n >= 128)
		return false;
	const char *at = memchr(s, '@', n);
	if (at == NULL)
		return false;
	size_t ll = (size_t)(at - s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80)
			return false;
		out[i] = (char)lower(c);
	}
	out[n] = '\0';
	/* a narrower local part than mail allows; the rest is the mail rule */
	for (size_t i = 0; i < ll; i++)
		if (!local_char((unsigned char)out[i]))
			return false;
	return sw_mail_addr_ok(out);
}

static bool domain_is(const char *domain, const char *zone)
{
	size_t dl = strlen(domain), zl = strlen(zone);
	if (dl < zl || strcmp(domain + dl - zl, zone) != 0)
		return false;
	return dl == zl || domain[dl - zl - 1] == '.';
}

/* The registries themselves: their hostmasters, change robots, "search
 * APNIC not ARIN" and abuse desks answer for the registry. In a stub
 * (a block handed to another registry, IANA's placeholders) they never
 * answer for the network; for a network the registry operates itself
 * (RIPE NCC's 193.0.0.0/21) they do: the parser decides which
 * (struct answer's keep_registry). JPNIC's role shows up in every APNIC
 * answer for Japan, always in a mirrored NIR object, which refers on. */
static const char *const registry_zones[] = {
	"ripe.net", "apnic.net", "arin.net", "lacnic.net", "afrinic.net",
	"iana.org", "nic.ad.jp", "jpnic.net",
};

/* National registries whose IRT handles abuse for their whole country:
 * kept, but only as a labelled fallback. */
static const char *const nir_zones[] = {
	"nic.or.kr", "kisa.or.kr", "krnic.net", "krnic.or.kr", "twnic.net.tw",
	"twnic.tw", "cnnic.cn", "cnnic.net.cn", "idnic.net", "idnic.id",
	"vnnic.vn", "vnnic.net.vn", "irinn.in",
};

static bool is_nir_address(const char *addr)
{
	const char *at = strchr(addr, '@');
	if (at == NULL)
		return false;
	for (size_t i = 0; i < SW_ARRAY_LEN(nir_zones); i++)
		if (domain_is(at + 1, nir_zones[i]))
			return true;
	return false;
}

bool sw_whois_is_placeholder(const char *addr)
{
	static const char *const local_has[] = {
		"redacted", "removed", "no-email", "noemail", "no_email", "nomail",
		"not-available", "notavailable", "not.available", "not_available",
		"noreply", "no-reply", "donotreply", "do-not-reply", "do_not_reply",
		"unavailable", "withheld", "placeholder",
	};
	static const char *const local_is[] = {
		"none", "nobody", "null", "invalid", "unknown", "xxx", "x", "na",
		"n.a",
	};
	static const char *const bad_tld[] = {
		"invalid", "localhost", "local",
	};
	char a[128];

	if (addr == NULL || !email_normalize(addr, strlen(addr), a))
		return true;
	char *at = strchr(a, '@');
	const char *domain = at + 1;
	*at = '\0';
	for (size_t i = 0; i < SW_ARRAY_LEN(local_has); i++)
		if (strstr(a, local_has[i]))
			return true;
	for (size_t i = 0; i < SW_ARRAY_LEN(local_is); i++)
		if (strcmp(a, local_is[i]) == 0)
			return true;
	if (strstr(domain, "redacted") || strstr(domain, "removed"))
		return true;
	if (strspn(domain, "x.") == strlen(domain))
		return true; /* "abuse@xxx.xx" */
	for (size_t i = 0; i < SW_ARRAY_LEN(bad_tld); i++)
		if (domain_is(domain, bad_tld[i]))
			return true;
	return false;
}

bool sw_whois_is_registry_address(const char *addr)
{
	char a[128];

	if (addr == NULL || !email_normalize(addr, strlen(addr), a))
		return false;
	const char *domain = strchr(a, '@') + 1;
	for (size_t i = 0; i < SW_ARRAY_LEN(registry_zones); i++)
		if (domain_is(domain, registry_zones[i]))
			return true;
	return false;
}

const char *sw_contact_source_name(enum sw_contact_source s)
{
	switch (s) {
	case SW_CONTACT_ABUSE_MAILBOX: return "abuse mailbox";
	case SW_CONTACT_ABUSE_COMMENT: return "abuse contact comment";
	case SW_CONTACT_ROLE_EMAIL: return "role e-mail";
	case SW_CONTACT_REMARKS: return "remarks";
	case SW_CONTACT_NIR_IRT: return "national registry IRT (fallback)";
	case SW_CONTACT_DOMAIN: return "domain contact";
	case SW_CONTACT_GUESS: return "RFC 2142 guess";
	}
	return "unknown";
}

/* ---- contact lists ------------------------------------------------------ */

/* Within one source, mailboxes named for abuse handling come first:
 * "ipadm@" (whois corrections only) must not outrank "abuse@". */
static unsigned local_class(const char *addr)
{
	static const char *const security[] = {
		"security", "cert", "csirt", "cirt", "irt", "soc",
	};
	if (strncmp(addr, "abuse", 5) == 0 || strncmp(addr, "spam", 4) == 0)
		return 0;
	for (size_t i = 0; i < SW_ARRAY_LEN(security); i++)
		if (strncmp(addr, security[i], strlen(security[i])) == 0)
			return 1;
	return 2;
}

/* A designated abuse contact (abuse-mailbox:, abuse-c, RAbuseEmail,
 * OrgAbuseEmail, the "% Abuse contact" line) is what the registry says to
 * write to, whatever its local part: those keep the order the parser
 * added them in (RAbuseEmail before OrgAbuseEmail, the network's before
 * its organisation's). The mailbox's name only orders the others. */
static unsigned contact_rank(const struct sw_contact *c)
{
	unsigned cls = c->source <= SW_CONTACT_ABUSE_COMMENT ? 0 : local_class(c->addr);

	return (unsigned)c->source * 4 + cls;
}

/* Add c to list (deduplicated; a better source replaces a worse one;
 * when full, c displaces the worst entry if it ranks better). */
static void contacts_add(struct sw_contact *list, unsigned *n, unsigned cap,
			 const struct sw_contact *c)
{
	for (unsigned i = 0; i < *n; i++) {
		if (strcmp(list[i].addr, c->addr) == 0) {
			if (c->source < list[i].source) {
				list[i].source = c->source;
				memcpy(list[i].via, c->via, sizeof(c->via));
				memcpy(list[i].server, c->server, sizeof(c->server));
			}
			return;
		}
	}
	if (*n < cap) {
		list[(*n)++] = *c;
		return;
	}
	unsigned worst = 0;
	for (unsigned i = 1; i < *n; i++)
		if (contact_rank(&list[i]) >= contact_rank(&list[worst]))
			worst = i;
	if (contact_rank(c) < contact_rank(&list[worst])) {
		memmove(&list[worst], &list[worst + 1], (*n - worst - 1) * sizeof(*c));
		list[*n - 1] = *c;
	}
}

/* Stable: equal ranks keep the order they appeared in. */
static void contacts_sort(struct sw_contact *list, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct sw_contact c = list[i];
		unsigned j = i;
		while (j > 0 && contact_rank(&list[j - 1]) > contact_rank(&c)) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = c;
	}
}

/* ---- one answer --------------------------------------------------------- */

void whois_add_contact(struct answer *ans, const char *value, size_t n,
			enum sw_contact_source source, const char *via)
{
	struct sw_contact c;

	memset(&c, 0, sizeof(c));
	/* an RPSL end-of-line comment: "abuse@x.net # primary" */
	for (size_t i = 1; i < n; i++)
		if (value[i] == '#' && is_blank((unsigned char)value[i - 1])) {
			n = i;
			break;
		}
	if (!email_normalize(value, n, c.addr) || sw_whois_is_placeholder(c.addr))
		return;
	if (!ans->keep_registry && sw_whois_is_registry_address(c.addr))
		return;
	if (is_nir_address(c.addr) && source < SW_CONTACT_NIR_IRT)
		source = SW_CONTACT_NIR_IRT;
	c.source = source;
	sw_sanitize(c.via, sizeof(c.via), via, (size_t)-1);
	contacts_add(ans->contacts, &ans->ncontacts, ANSWER_MAX_CONTACTS, &c);
}

/* Addresses written in free text: each token between separators that
 * could never be part of an address we accept. */
void whois_add_text_contacts(struct answer *ans, const char *v, size_t n, const char *via)
{
	static const char sep[] = " \t,;:<>()[]{}\"'`|!?*";
	size_t i = 0;

	while (i < n) {
		while (i < n && strchr(sep, v[i]) && v[i] != '\0')
			i++;
		size_t start = i;
		while (i < n && !(strchr(sep, v[i]) && v[i] != '\0'))
			i++;
		size_t len = i - start;
		/* a sentence may end right after the address */
		while (len > 0 && v[start + len - 1] == '.')
			len--;
		if (len > 0 && memchr(v + start, '@', len))
			whois_add_contact(ans, v + start, len, SW_CONTACT_REMARKS, via);
	}
}

/* ---- merging into the result -------------------------------------------- */

/* A later hop replaces the range when its network is no larger: with the
 * same range, the later registry is the more detailed one (an NIR). */
static bool replaces_range(const struct sw_whois_result *r, const struct whois_range *range)
{
	struct whois_range old = { r->range_lo, r->range_hi };

	return !r->have_range || whois_range_cmp_size(range, &old) <= 0;
}

static void set_cidrs(struct sw_whois_result *r, const struct whois_range *range,
		      const struct sw_addr *a)
{
	struct sw_prefix all[SPLIT_MAX];
	unsigned n = whois_range_split(range, all), first = 0;

	if (n > SW_WHOIS_MAX_CIDRS) {
		/* keep the CIDRs around the one holding the address */
		unsigned at = 0;
		while (at < n && !sw_prefix_contains(&all[at], a))
			at++;
		first = at >= SW_WHOIS_MAX_CIDRS / 2 ? at - SW_WHOIS_MAX_CIDRS / 2 : 0;
		if (first + SW_WHOIS_MAX_CIDRS > n)
			first = n - SW_WHOIS_MAX_CIDRS;
		n = SW_WHOIS_MAX_CIDRS;
	}
	memcpy(r->cidrs, all + first, n * sizeof(all[0]));
	r->ncidrs = n;
}

void whois_merge(struct sw_whois_result *r, const struct answer *ans, const char *server)
{
	bool replace = ans->have_range && replaces_range(r, &ans->range);

	if (replace) {
		r->range_lo = ans->range.lo;
		r->range_hi = ans->range.hi;
		r->have_range = true;
		set_cidrs(r, &ans->range, ans->a);
		if (ans->netname[0])
			memcpy(r->netname, ans->netname, sizeof(r->netname));
		if (ans->org[0])
			memcpy(r->org, ans->org, sizeof(r->org));
		if (ans->country[0])
			memcpy(r->country, ans->country, sizeof(r->country));
		sw_sanitize(r->server, sizeof(r->server), server ? server : "", (size_t)-1);
	}
	if (ans->origin_as != 0 && (r->origin_as == 0 || ans->origin_route.len > r->origin_route.len)) {
		r->origin_as = ans->origin_as;
		r->origin_route = ans->origin_route;
		sw_sanitize(r->origin_server, sizeof(r->origin_server), server ? server : "",
			    (size_t)-1);
	}
	if (r->ncontacts > SW_WHOIS_MAX_CONTACTS)
		r->ncontacts = SW_WHOIS_MAX_CONTACTS;
	/* The more specific network's contacts count as appearing first:
	 * among equals, the customer's abuse desk goes before its ISP's. */
	struct sw_contact merged[SW_WHOIS_MAX_CONTACTS];
	unsigned n = 0;
	const struct sw_contact *first = replace ? ans->contacts : r->contacts;
	const struct sw_contact *second = replace ? r->contacts : ans->contacts;
	unsigned nfirst = replace ? ans->ncontacts : r->ncontacts;
	unsigned nsecond = replace ? r->ncontacts : ans->ncontacts;
	for (unsigned i = 0; i < nfirst; i++)
		contacts_add(merged, &n, SW_WHOIS_MAX_CONTACTS, &first[i]);
	for (unsigned i = 0; i < nsecond; i++)
		contacts_add(merged, &n, SW_WHOIS_MAX_CONTACTS, &second[i]);
	contacts_sort(merged, n);
	memcpy(r->contacts, merged, n * sizeof(merged[0]));
	r->ncontacts = n;
}

/* ---- for parsers of other formats (rdap_parse.c) ------------------------ */

bool sw_whois_is_nir_address(const char *addr)
{
	return is_nir_address(addr);
}

void sw_whois_contacts_add(struct sw_contact *list, unsigned *n, unsigned cap,
			   const struct sw_contact *c)
{
	contacts_add(list, n, cap, c);
}

void sw_whois_merge(struct sw_whois_result *r, const struct sw_whois_result *found,
		    const struct sw_addr *a, const char *server)
{
	struct answer ans;

	if (r == NULL || found == NULL)
		return;
	memset(&ans, 0, sizeof(ans));
	ans.a = a;
	/* a range counts only around the address asked for, as in a whois answer */
	ans.range.lo = found->range_lo;
	ans.range.hi = found->range_hi;
	ans.have_range = found->have_range && a != NULL && whois_range_contains(&ans.range, a) &&
			 sw_addr_cmp(&ans.range.lo, &ans.range.hi) <= 0;
	memcpy(ans.netname, found->netname, sizeof(ans.netname));
	memcpy(ans.org, found->org, sizeof(ans.org));
	memcpy(ans.country, found->country, sizeof(ans.country));
	if (found->origin_as != 0 && a != NULL && sw_prefix_contains(&found->origin_route, a)) {
		ans.origin_as = found->origin_as;
		ans.origin_route = found->origin_route;
	}
	/* a registry's mailboxes count only for a network it runs itself */
	ans.keep_registry = sw_whois_names_registry(found->netname, found->org);
	for (unsigned i = 0; i < found->ncontacts && i < SW_WHOIS_MAX_CONTACTS; i++)
		if (!sw_whois_is_placeholder(found->contacts[i].addr) &&
		    (ans.keep_registry || !sw_whois_is_registry_address(found->contacts[i].addr)))
			contacts_add(ans.contacts, &ans.ncontacts, ANSWER_MAX_CONTACTS,
				     &found->contacts[i]);
	whois_merge(r, &ans, server);
}
