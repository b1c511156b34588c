/*
 * whois_contact.h - the contacts of one answer and of a result
 * (whois_contact.c): validation, placeholders, ranking, and the merge of
 * one answer into a sw_whois_result. Internal to the whois parser.
 */
#ifndef SW_WHOIS_CONTACT_H
#define SW_WHOIS_CONTACT_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "whois_parse.h"
#include "whois_range.h"

#define ANSWER_MAX_CONTACTS (2 * SW_WHOIS_MAX_CONTACTS)

/* What one answer says about the address. */
struct answer {
	const struct sw_addr *a;
	bool have_range;
	struct whois_range range;
	char netname[80], org[160], country[8];
	struct sw_contact contacts[ANSWER_MAX_CONTACTS];
	unsigned ncontacts;
	uint32_t origin_as;           /* the most specific covering route's origin, 0: none */
	struct sw_prefix origin_route;
	bool keep_registry;           /* a registry's own mailboxes count (its own
	                                 network, not a stub): set per network */
};

/* Add the address in value[0..n) (an RPSL "# comment" after it ignored)
 * to ans with source and via, unless it is invalid or a placeholder. */
void whois_add_contact(struct answer *ans, const char *value, size_t n,
		       enum sw_contact_source source, const char *via);
/* Addresses written in free text, as SW_CONTACT_REMARKS. */
void whois_add_text_contacts(struct answer *ans, const char *v, size_t n, const char *via);

/* Merge one answer that server gave into r: a range no larger replaces
 * the range; contacts added, deduplicated and ranked; its origin AS
 * replaces r's when its route is more specific (the first one found
 * stays among equals). */
void whois_merge(struct sw_whois_result *r, const struct answer *ans, const char *server);

#endif
