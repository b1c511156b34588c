/*
 * fuzz_result.h - the invariants every parsed registry answer keeps,
 * whether it came from whois (fuzz_whois.c) or RDAP (fuzz_rdap.c): bounded
 * counts, terminated printable names, contacts that are valid lower-case
 * addresses, never placeholders, never twice.
 */
#ifndef SW_FUZZ_RESULT_H
#define SW_FUZZ_RESULT_H

#include <ctype.h>

#include "fuzz_util.h"
#include "reporter/mailhdr.h"
#include "reporter/whois_parse.h"

static inline void fuzz_check_result(const struct sw_whois_result *r)
{
	FUZZ_CHECK(r->ncontacts <= SW_WHOIS_MAX_CONTACTS, "%u contacts", r->ncontacts);
	FUZZ_CHECK(r->ncidrs <= SW_WHOIS_MAX_CIDRS, "%u cidrs", r->ncidrs);
	FUZZ_CHECK(FUZZ_TERMINATED(r->netname) && fuzz_printable(r->netname), "netname");
	FUZZ_CHECK(FUZZ_TERMINATED(r->org) && fuzz_printable(r->org), "org");
	FUZZ_CHECK(FUZZ_TERMINATED(r->country) && fuzz_printable(r->country), "country");
	FUZZ_CHECK(FUZZ_TERMINATED(r->server), "server");
	for (unsigned i = 0; i < r->ncontacts; i++) {
		const struct sw_contact *c = &r->contacts[i];

		FUZZ_CHECK(FUZZ_TERMINATED(c->addr) && FUZZ_TERMINATED(c->via) &&
		           FUZZ_TERMINATED(c->server), "contact %u not terminated", i);
		FUZZ_CHECK(sw_mail_addr_ok(c->addr), "contact '%s' is no valid address", c->addr);
		FUZZ_CHECK(!sw_whois_is_placeholder(c->addr), "placeholder '%s' kept", c->addr);
		for (const char *s = c->addr; *s; s++)
			FUZZ_CHECK(!isupper((unsigned char)*s), "contact '%s' not lower case", c->addr);
		FUZZ_CHECK(fuzz_printable(c->via), "via of '%s' not printable", c->addr);
		FUZZ_CHECK(c->source <= SW_CONTACT_GUESS, "source %d", (int)c->source);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(r->contacts[j].addr, c->addr) != 0, "'%s' twice", c->addr);
	}
}

#endif
