/*
 * groups.h - the reporter's netblock grouping (groups.c): every candidate
 * source resolved by whois and put with the others whose answers name the
 * same range, so that one netblock gets one memo.
 */
#ifndef SW_GROUPS_H
#define SW_GROUPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "ledger.h"
#include "siphash.h"
#include "whois.h"

struct sw_group {              /* sources whose whois answers name one range */
	char netblock[128];
	struct sw_whois_result whois;
	bool whois_ok;
	bool cooling;          /* told recently: no memo before cool_until */
	int64_t cool_until;    /* 0 after a database error */
	size_t *cand;          /* indexes into the candidates */
	size_t ncand, cand_cap;
};

struct sw_groups {             /* the groups, and an index of their keys */
	struct sw_group *g;
	size_t n, cap;
	size_t *slot;          /* open addressing: group index + 1, 0 empty */
	size_t nslots;         /* a power of two, at least twice n */
	struct sw_sipkey key;  /* keys come from whois answers: keyed hash */
};

/* What grouping needs from the run. */
struct sw_grouping {
	struct sw_whois *whois;
	sqlite3 *db;                  /* the ledger: when a netblock last got a memo */
	int64_t now_us;
	unsigned max_netblocks;       /* groups that can get a memo per run; 0: no limit */
	unsigned cooldown_days;       /* no second memo for a netblock before that */
	bool force;                   /* ignore the cooldown */
};

/* What came of it besides the groups. */
struct sw_grouping_outcome {
	size_t deferred;              /* incidents left for the next run (max_netblocks) */
	bool failed;                  /* a database error (already logged) */
};

/*
 * Resolve every candidate's source and group them by the range found. At
 * most max_netblocks groups are made: after that whois answers only from
 * its cache, a candidate joins a group it belongs to, and one that would
 * start a new group waits for the next run (deferred). The candidates
 * come most severe netblock first, so those are the ones handled.
 * 0, or -1 when out of memory (gs must still be freed).
 */
int sw_groups_make(const struct sw_grouping *how, const struct sw_candidates *c,
		   struct sw_groups *gs, struct sw_grouping_outcome *out);
void sw_groups_free(struct sw_groups *gs);

#endif
