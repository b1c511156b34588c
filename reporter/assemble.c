/*
 * assemble.c - the facts of one netblock's memo: incidents, sources and
 * their names, our hosts' names, the domain whois; gathered, not written.
 */
#include "config.h"

#include <string.h>

#include "assemble.h"
#include "log.h"
#include "util.h"

/* The group's incidents, and for a source-level one its source. */
static int load_incidents(const struct sw_assembly *how, const struct sw_group *g,
			  const struct sw_candidates *c, struct sw_memo *m,
			  char *err, size_t errlen)
{
	for (size_t i = 0; i < g->ncand; i++) {
		const struct sw_candidate *cd = &c->c[g->cand[i]];

		if (sw_ledger_load_incident(how->db, cd->id, how->evidence_lines, m, err,
					    errlen) < 0)
			return -1;
		if (!strcmp(cd->level, "source") &&
		    sw_names_add_source(&how->names, m, cd->src) < 0) {
			sw_fmt(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Who registered the sources' domain; without an answer the memo goes
 * to the netblock's contacts alone. */
static void ask_domain_whois(const struct sw_assembly *how, struct sw_memo *m)
{
	char err[512];
	enum sw_whois_status st;

	if (!m->domain[0] || !how->domain_whois)
		return;
	st = sw_whois_domain(how->whois, m->domain, how->now_us, &m->domain_whois,
			     err, sizeof err);
	if (st == SW_WHOIS_OK)
		m->domain_whois_ok = true;
	else
		sw_warn("domain whois of %s: %s", m->domain, err);
}

int sw_memo_assemble(const struct sw_assembly *how, const struct sw_group *g,
		     const struct sw_candidates *c, struct sw_memo *m,
		     char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	sw_fmt(m->netblock, sizeof m->netblock, "%s", g->netblock);
	m->whois = g->whois;
	m->whois_ok = true;
	if (load_incidents(how, g, c, m, err, errlen) < 0)
		return -1;
	sw_names_hosts(&how->names, m);
	ask_domain_whois(how, m);
	return 0;
}
