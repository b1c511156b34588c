/*
 * cert.h - CERT escalation (cert.c): the second memo the article asks
 * for, to our own CSIRT and to the national CERT of the other side's
 * country, for the incidents it names: a compromise of one of our hosts,
 * and our host used against other computers or for DoS.
 */
#ifndef SW_CERT_H
#define SW_CERT_H
#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "certtab.h"
#include "outbox.h"
#include "settings.h"
#include "whois.h"

struct sw_escalation {
	sqlite3 *db;
	struct sw_whois *whois;                /* the other side's country */
	const struct sw_reporter_conf *conf;   /* our identity, evidence_lines, cc_self */
	const struct sw_cert_table *table;     /* country -> national CERT */
	const char *table_desc;                /* the table's file(s), for the log */
	const struct sw_cert_contact *ours;    /* [cert] our_csirt, or NULL */
	const struct sw_outbox *ob;            /* where memos go (kind set here) */
	const char *zone;                      /* the memo's zone, named in the text */
	int64_t now_us;
};

struct sw_escalation_outcome {
	unsigned written;       /* CERT memos written and recorded */
	unsigned unaddressed;   /* incidents due one with nobody to write to (logged once) */
	bool failed;            /* a database, whois or delivery failure (logged) */
};

/* Write a CERT memo for every incident due one: compromised (one of our
 * hosts broken into, or acting outward), not allowlisted, with no CERT
 * memo yet. 0, or -1 when the incidents could not be read (logged). */
int sw_cert_escalate(const struct sw_escalation *how, struct sw_escalation_outcome *out);

#endif
