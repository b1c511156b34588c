/*
 * whois_referral.c - where an answer points next: IANA's refer:/whois:,
 * ARIN's ReferralServer (whois:// or rwhois://host:port), an APNIC answer
 * about a national registry's space, a transfer to another RIR, RIPE's
 * placeholder for space it does not manage, a thin domain registry's
 * registrar server. Host names are validated before they are handed
 * back; a referral to the server that answered is no referral. Also the
 * registries' rate-limit refusals.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "hostname.h"
#include "util.h"
#include "whois_doc.h"
#include "whois_referral.h"

/* ---- rate limits -------------------------------------------------------- */

bool sw_whois_is_rate_limited(const char *text, size_t len)
{
	static const char *const phrases[] = {
		"%error:201", "access denied for", "query rate limit exceeded",
		"rate limit exceeded", "too many queries", "too many requests",
		"query limit exceeded", "access control limit",
		"temporarily denied", "excessive querying",
	};

	if (text == NULL)
		return false;
	if (len > PARSE_MAX)
		len = PARSE_MAX;
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl != NULL);
		while (n > 0 && is_blank((unsigned char)*line))
			line++, n--;
		/* registry data ("remarks: rate limit exceeded ...") is not a
		 * refusal: only comments and bare sentences count */
		if (n > 0 && isalnum((unsigned char)line[0])) {
			size_t k = 0;
			while (k < n && k < KEY_MAX && line[k] != ':' && line[k] != ' ')
				k++;
			if (k < n && line[k] == ':')
				continue;
		}
		for (size_t i = 0; i < SW_ARRAY_LEN(phrases); i++)
			if (ifind(line, n, phrases[i]))
				return true;
	}
	return false;
}

/* ---- referrals ---------------------------------------------------------- */

/* Registries reached under several names count as one for loop checks. */
static const char *const aliases[][3] = {
	{ "whois.krnic.net", "whois.kisa.or.kr", "whois.nic.or.kr" },
	{ "whois.twnic.net.tw", "whois.twnic.net", NULL },
};

static const char *canonical_host(const char *h)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(aliases); i++)
		for (size_t j = 0; j < 3 && aliases[i][j]; j++)
			if (ieq(h, aliases[i][j]))
				return aliases[i][0];
	return h;
}

static bool same_host(const char *host, const char *server)
{
	char s[256];

	if (server == NULL)
		return false;
	size_t n = strlen(server);
	if (n >= sizeof(s))
		return false;
	memcpy(s, server, n + 1);
	/* "host:port", but not a bare IPv6 literal */
	char *colon = strrchr(s, ':');
	if (colon && strchr(s, ':') == colon)
		*colon = '\0';
	return ieq(canonical_host(host), canonical_host(s));
}

/* "whois://host[:port][/]", "rwhois://host:port", or a bare host. */
static bool parse_referral(const char *v, struct sw_whois_referral *ref)
{
	struct sw_whois_referral r;

	memset(&r, 0, sizeof(r));
	r.port = 43;
	if (istarts(v, "rwhois://")) {
		r.rwhois = true;
		r.port = 4321;
		v += 9;
	} else if (istarts(v, "whois://")) {
		v += 8;
	} else if (strstr(v, "://")) {
		return false; /* http:// and friends are for people */
	}
	size_t hn = strcspn(v, ":/ \t");
	if (!sw_host_normal(v, hn, 0, r.host, sizeof(r.host)))
		return false;
	if (v[hn] == ':') {
		char num[8];
		size_t pn = strcspn(v + hn + 1, "/ \t");
		uint64_t port;
		if (pn == 0 || pn >= sizeof(num))
			return false;
		memcpy(num, v + hn + 1, pn);
		num[pn] = '\0';
		if (!sw_parse_u64(num, 1, 65535, &port))
			return false;
		r.port = (uint16_t)port;
	}
	*ref = r;
	return true;
}

static bool accept_referral(const char *v, const char *server, struct sw_whois_referral *ref)
{
	struct sw_whois_referral r;

	if (!parse_referral(v, &r) || same_host(r.host, server))
		return false;
	*ref = r;
	return true;
}

static const struct {
	const char *name, *host;
} nirs[] = {
	{ "krnic", "whois.krnic.net" },
	{ "jpnic", "whois.nic.ad.jp" },
	{ "twnic", "whois.twnic.net.tw" },
};

static const struct {
	const char *name, *host;
} rirs[] = {
	{ "ripe", "whois.ripe.net" },
	{ "arin", "whois.arin.net" },
	{ "apnic", "whois.apnic.net" },
	{ "afrinic", "whois.afrinic.net" },
	{ "lacnic", "whois.lacnic.net" },
};

/* An APNIC answer about a national registry's space: a mirrored object
 * ("source: KRNIC"), JPNIC's allocation marks, or a remark naming the
 * national server. */
static bool nir_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref)
{
	char w[32];

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];
		if (it->kind != ITEM_ATTR)
			continue;
		for (size_t k = 0; k < SW_ARRAY_LEN(nirs); k++) {
			bool hit = false;
			if (strcmp(it->key, "source") == 0) {
				first_word(it->val, w, sizeof(w));
				hit = ieq(w, nirs[k].name);
			} else if (strcmp(it->key, "mnt-by") == 0 || strcmp(it->key, "netname") == 0) {
				/* MAINT-JPNIC, IIJ-JPNIC-JP-20000308 (not MNT-KRNIC-AP,
				 * which also maintains APNIC's own objects) */
				hit = strcmp(nirs[k].name, "jpnic") == 0 && ifind(it->val, it->vlen, "jpnic");
			} else if (strcmp(it->key, "remarks") == 0 || strcmp(it->key, "descr") == 0) {
				hit = ifind(it->val, it->vlen, nirs[k].host) != NULL;
			}
			if (hit && accept_referral(nirs[k].host, server, ref))
				return true;
		}
	}
	return false;
}

/* "This network has been transferred to RIPE", ARIN's "NetType:
 * Allocated to RIPE NCC" and the like. */
static bool transfer_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref)
{
	static const char *const leads[] = { "transferred to ", "allocated to " };

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];
		bool arin_type = is_attr(it, "nettype");
		if (!arin_type && !is_attr(it, "remarks") && !is_attr(it, "descr") &&
		    !is_attr(it, "comment") && it->kind != ITEM_COMMENT && it->kind != ITEM_TEXT)
			continue;
		for (size_t l = 0; l < SW_ARRAY_LEN(leads); l++) {
			if (l == 1 && !arin_type)
				continue;
			const char *at = ifind(it->val, it->vlen, leads[l]);
			if (at == NULL)
				continue;
			at += strlen(leads[l]);
			for (size_t k = 0; k < SW_ARRAY_LEN(rirs); k++) {
				size_t rl = strlen(rirs[k].name);
				if (istarts(at, rirs[k].name) && !isalnum((unsigned char)at[rl]) &&
				    accept_referral(rirs[k].host, server, ref))
					return true;
			}
		}
	}
	return false;
}

bool whois_doc_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref)
{
	struct sw_whois_referral r;
	bool found = false;

	memset(ref, 0, sizeof(*ref));
	memset(&r, 0, sizeof(r));
	/* IANA: refer: */
	for (size_t i = 0; i < d->n && !found; i++)
		if (is_attr(&d->items[i], "refer"))
			found = accept_referral(d->items[i].val, server, &r);
	/* ARIN: the LAST ReferralServer is the most specific */
	for (size_t i = d->n; i-- > 0 && !found;)
		if (is_attr(&d->items[i], "referralserver"))
			found = accept_referral(d->items[i].val, server, &r);
	/* a thin domain registry naming the registrar's server */
	for (size_t i = 0; i < d->n && !found; i++)
		if (is_attr(&d->items[i], "registrar whois server") ||
		    is_attr(&d->items[i], "whois server"))
			found = accept_referral(d->items[i].val, server, &r);
	if (!found)
		found = nir_referral(d, server, &r);
	if (!found)
		found = transfer_referral(d, server, &r);
	/* RIPE's placeholder for space it does not manage: start over */
	for (size_t i = 0; i < d->n && !found; i++)
		if (is_attr(&d->items[i], "netname") &&
		    ifind(d->items[i].val, d->items[i].vlen, "non-ripe-ncc-managed"))
			found = accept_referral("whois.iana.org", server, &r);
	/* IANA's whois: line (TLDs, and the block's registry) */
	for (size_t i = 0; i < d->n && !found; i++)
		if (is_attr(&d->items[i], "whois"))
			found = accept_referral(d->items[i].val, server, &r);
	if (found)
		*ref = r;
	return found;
}

bool sw_whois_find_referral(const char *text, size_t len, const char *server,
			    struct sw_whois_referral *ref)
{
	struct doc d;
	bool found;

	if (ref == NULL)
		return false;
	memset(ref, 0, sizeof(*ref));
	if (!whois_doc_load(&d, text, len))
		return false;
	found = whois_doc_referral(&d, server, ref);
	whois_doc_free(&d);
	return found;
}
