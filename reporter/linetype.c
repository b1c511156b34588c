/*
 * linetype.c - the kind of line a host name suggests (the article: a
 * dedicated line is probably a compromised machine, a dial-up line often a
 * stolen account), read from the labels the ISP chose.
 */
#include <config.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "hostname.h"
#include "linetype.h"
#include "util.h"

/* Lower-cased copy of a plain host name without its trailing dot; false
 * for anything that is not one (empty labels, odd bytes, too long). */
static bool normalise_host(const char *name, char *out, size_t outlen)
{
	return sw_host_normal(name, strlen(name), SW_HOST_UNDERSCORE, out, outlen);
}

/*
 * The name is cut into tokens at dots, hyphens, underscores and where
 * letters meet digits ("7dyn94" -> 7, dyn, 94), and only the labels left
 * of the registrable domain are looked at, so that "generaldynamics.com"
 * or an ISP called "cablefoo.net" is not a dynamic or cable line.
 * Whole tokens are matched, never substrings.
 *
 * Order, strongest first:
 *   1. static: an explicit static/dedicated marker wins over the access
 *      technology ("static-adsl" is an always-on line, which is what the
 *      memo's sentence is about);
 *   2. dial-up: dialup, dial, dialin, modem, isdn;
 *   3. DSL: dsl, adsl, vdsl, xdsl, sdsl, hdsl, and pppoe/pppoa, which are
 *      how DSL (and fibre) lines carry PPP today, not modems;
 *   4. cable: cable, cm, cpe, docsis, hfc, catv, kabel;
 *   5. dial-up from a bare "ppp" (the PPP of modem pools, after DSL so
 *      "ppp-1.adsl.isp.net" is DSL);
 *   6. dynamic: dyn, dynamic, pool, dhcp, broadband, dip, res, resnet,
 *      customer, cust, client, user, or the address spelt as four numbers
 *      0-255 in a row ("1-2-3-4", "ip198.51.100.66");
 *   7. static from a service host: mail, mx, smtp, ns, www, ...
 */

#define MAX_TOKENS 64

struct tokens {
	char text[MAX_TOKENS][64];
	bool numeric[MAX_TOKENS];
	size_t n;
};

static void tokenize(const char *s, size_t len, struct tokens *t)
{
	size_t i = 0;

	t->n = 0;
	while (i < len && t->n < MAX_TOKENS) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c)) {
			i++;
			continue;
		}
		bool digit = isdigit(c) != 0;
		size_t start = i;
		while (i < len && isalnum((unsigned char)s[i]) &&
		       (isdigit((unsigned char)s[i]) != 0) == digit)
			i++;
		size_t tl = i - start < 63 ? i - start : 63;
		for (size_t k = 0; k < tl; k++)
			t->text[t->n][k] = (char)tolower((unsigned char)s[start + k]);
		t->text[t->n][tl] = '\0';
		t->numeric[t->n] = digit;
		t->n++;
	}
}

static bool has_token(const struct tokens *t, const char *const *words)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t w = 0; words[w]; w++)
			if (strcmp(t->text[i], words[w]) == 0)
				return true;
	return false;
}

static bool octet(const struct tokens *t, size_t i)
{
	uint64_t v;
	return t->numeric[i] && strlen(t->text[i]) <= 3 &&
	       sw_parse_u64(t->text[i], 0, 255, &v);
}

/* Four numbers 0..255 in a row: an address spelt in the name. */
static bool spells_address(const struct tokens *t)
{
	size_t run = 0;
	for (size_t i = 0; i < t->n; i++) {
		run = octet(t, i) ? run + 1 : 0;
		if (run >= 4)
			return true;
	}
	return false;
}

static const char *const static_words[] = {
	"static", "fixed", "dedicated", "ded", "colo", "colocation", "hosting",
	"hosted", "server", "srv", "vps", "dedi", NULL
};
static const char *const dialup_words[] = {
	"dialup", "dial", "dialin", "modem", "isdn", "async", NULL
};
static const char *const dsl_words[] = {
	"dsl", "adsl", "vdsl", "xdsl", "sdsl", "hdsl", "pppoe", "pppoa", NULL
};
static const char *const cable_words[] = {
	"cable", "cm", "cpe", "docsis", "hfc", "catv", "kabel", "cablemodem", NULL
};
static const char *const ppp_words[] = { "ppp", NULL };
static const char *const dynamic_words[] = {
	"dyn", "dynamic", "dynip", "pool", "dhcp", "broadband", "dip", "res",
	"resnet", "customer", "cust", "client", "user", "dialinpool", NULL
};
static const char *const service_words[] = {
	"mail", "mx", "smtp", "ns", "dns", "www", "web", "ftp", "imap", "pop",
	"relay", "gw", "gateway", "router", NULL
};

enum sw_line_type sw_line_type_of(const char *name)
{
	char host[256];
	char domain[256];
	size_t hostpart;
	struct tokens *t;
	enum sw_line_type line = SW_LINE_UNKNOWN;

	if (!name || !normalise_host(name, host, sizeof(host)))
		return SW_LINE_UNKNOWN;
	/* Only the labels the ISP chose: left of the registrable domain, or
	 * left of the last label when there is none. */
	if (sw_registrable_domain(host, domain, sizeof(domain))) {
		size_t hl = strlen(host), dl = strlen(domain);
		if (dl >= hl)
			return SW_LINE_UNKNOWN;
		hostpart = hl - dl;
	} else {
		const char *dot = strrchr(host, '.');
		if (!dot)
			return SW_LINE_UNKNOWN;
		hostpart = (size_t)(dot - host);
	}

	t = malloc(sizeof(*t));
	if (!t)
		return SW_LINE_UNKNOWN;
	tokenize(host, hostpart, t);
	if (has_token(t, static_words))
		line = SW_LINE_STATIC;
	else if (has_token(t, dialup_words))
		line = SW_LINE_DIALUP;
	else if (has_token(t, dsl_words))
		line = SW_LINE_DSL;
	else if (has_token(t, cable_words))
		line = SW_LINE_CABLE;
	else if (has_token(t, ppp_words))
		line = SW_LINE_DIALUP;
	else if (has_token(t, dynamic_words) || spells_address(t))
		line = SW_LINE_DYNAMIC;
	else if (has_token(t, service_words))
		line = SW_LINE_STATIC;
	free(t);
	return line;
}

const char *sw_line_type_name(enum sw_line_type t)
{
	switch (t) {
	case SW_LINE_DIALUP: return "dial-up";
	case SW_LINE_DSL: return "DSL";
	case SW_LINE_CABLE: return "cable";
	case SW_LINE_DYNAMIC: return "dynamic pool";
	case SW_LINE_STATIC: return "static/server";
	case SW_LINE_UNKNOWN: break;
	}
	return "unknown";
}
