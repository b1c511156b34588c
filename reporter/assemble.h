/*
 * assemble.h - the facts of one netblock's memo (assemble.c): its
 * incidents from the database, its sources with their names, the names of
 * our hosts, and the domain whois of the sources' domain, gathered into a
 * struct sw_memo for memo.c to compose.
 */
#ifndef SW_ASSEMBLE_H
#define SW_ASSEMBLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "groups.h"
#include "ledger.h"
#include "memo.h"
#include "names.h"
#include "whois.h"

struct sw_assembly {                 /* this run's settings for gathering */
	sqlite3 *db;
	struct sw_whois *whois;
	struct sw_namer names;
	unsigned evidence_lines;     /* quoted evidence lines per incident */
	bool domain_whois;           /* ask the domain's whois (not offline) */
	int64_t now_us;
};

/* Fill *m (zeroed first) for group g, whose whois answered, from its
 * candidates in c. 0, or -1 with err (the database, or out of memory);
 * either way the caller frees m with sw_memo_free. A failed domain whois
 * is only a warning: the memo goes without it. */
int sw_memo_assemble(const struct sw_assembly *how, const struct sw_group *g,
		     const struct sw_candidates *c, struct sw_memo *m,
		     char *err, size_t errlen);

#endif
