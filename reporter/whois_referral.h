/*
 * whois_referral.h - where an answer points next (whois_referral.c), on
 * an answer already split into items. Internal to the whois parser; the
 * API is sw_whois_find_referral() and sw_whois_is_rate_limited() in
 * whois_parse.h.
 */
#ifndef SW_WHOIS_REFERRAL_H
#define SW_WHOIS_REFERRAL_H
#include <stdbool.h>

#include "whois_doc.h"
#include "whois_parse.h"

/* The referral in d, as sw_whois_find_referral() says. */
bool whois_doc_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref);

#endif
