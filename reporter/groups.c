/*
 * groups.c - the reporter's netblock grouping: each candidate's source
 * resolved by whois and put in the group of the range its answer names
 * (the key: that range as CIDRs), in a hash table of our own (open
 * addressing, keyed SipHash: the keys come from whois answers); the
 * cooldown per netblock looked up once per group; max_netblocks enforced.
 */
#include "config.h"

#include <assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "groups.h"
#include "log.h"
#include "util.h"

static void netblock_key(const struct sw_whois_result *w, char *out, size_t len)
{
	char cidr[SW_ADDR_STRLEN];
	size_t off = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < w->ncidrs && off < len; i++) {
		sw_prefix_format(&w->cidrs[i], cidr, sizeof cidr);
		int n = snprintf(out + off, len - off, "%s%s", i ? ", " : "", cidr);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static uint64_t key_hash(const struct sw_groups *gs, const char *key)
{
	return sw_siphash(&gs->key, key, strlen(key));
}

static struct sw_group *find_group(const struct sw_groups *gs, const char *key)
{
	if (gs->nslots == 0)
		return NULL;
	for (size_t i = key_hash(gs, key) & (gs->nslots - 1);; i = (i + 1) & (gs->nslots - 1)) {
		if (gs->slot[i] == 0)
			return NULL;
		if (!strcmp(gs->g[gs->slot[i] - 1].netblock, key))
			return &gs->g[gs->slot[i] - 1];
	}
}

static void index_group(struct sw_groups *gs, size_t idx)
{
	size_t i = key_hash(gs, gs->g[idx].netblock) & (gs->nslots - 1);

	while (gs->slot[i] != 0)
		i = (i + 1) & (gs->nslots - 1);
	gs->slot[i] = idx + 1;
}

/* A new, empty group for key; NULL when out of memory. */
static struct sw_group *add_group(struct sw_groups *gs, const char *key)
{
	struct sw_group *grp;

	if (sw_grow((void **)&gs->g, &gs->cap, gs->n + 1, sizeof *gs->g) < 0)
		return NULL;
	if (2 * (gs->n + 1) > gs->nslots) {
		size_t want = gs->nslots ? 2 * gs->nslots : 64;
		size_t *slot = calloc(want, sizeof *slot);

		if (!slot)
			return NULL;
		free(gs->slot);
		gs->slot = slot;
		gs->nslots = want;
		for (size_t i = 0; i < gs->n; i++)
			index_group(gs, i);
	}
	grp = &gs->g[gs->n];
	memset(grp, 0, sizeof *grp);
	sw_fmt(grp->netblock, sizeof grp->netblock, "%s", key);
	index_group(gs, gs->n++);
	return grp;
}

void sw_groups_free(struct sw_groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		free(gs->g[i].cand);
	free(gs->g);
	free(gs->slot);
	memset(gs, 0, sizeof *gs);
}

/* Whether the netblock had a memo less than cooldown_days ago (or the
 * ledger could not be read: then nothing is written for it either), and
 * until when. */
static bool cooling_down(const struct sw_grouping *how, const char *netblock,
			 int64_t *until, struct sw_grouping_outcome *out)
{
	int64_t last, cool = (int64_t)how->cooldown_days * 86400 * 1000000;
	int rc;

	*until = 0;
	if (how->force)
		return false;
	rc = sw_ledger_last_report(how->db, netblock, &last);
	if (rc < 0) {
		sw_err("database: reading reports: %s", sqlite3_errmsg(how->db));
		out->failed = true;
		return true;
	}
	if (rc == 0 || how->now_us - last >= cool)
		return false;
	*until = last + cool;
	return true;
}

int sw_groups_make(const struct sw_grouping *how, const struct sw_candidates *c,
		   struct sw_groups *gs, struct sw_grouping_outcome *out)
{
	char err[512], key[128];
	size_t cap = how->max_netblocks, memos = 0, asked = 0;

	memset(gs, 0, sizeof *gs);
	memset(out, 0, sizeof *out);
	(void)sw_sipkey_random(&gs->key); /* without randomness: a fixed key, still a hash */
	for (size_t i = 0; i < c->n; i++) {
		struct sw_whois_result w;
		enum sw_whois_status st;
		struct sw_group *grp;
		/* what counts: groups that can get a memo (resolved, not cooling
		 * down), and netblocks whois was asked about, whatever came of it
		 * (a server that is down must not cost a timeout per candidate,
		 * nor a netblock it cannot resolve hold the others back) */
		bool full = cap && (memos >= cap || asked >= 2 * cap);
		/* a netblock whose lookup failed in this run is not asked again
		 * for each of its other sources: the cache may still know them */
		struct sw_group *failed = find_group(gs, c->c[i].netblock);
		bool quiet = full || (failed && !failed->whois_ok);
		uint64_t before = sw_whois_network_lookups(how->whois);
		bool went;

		sw_whois_set_cache_only(how->whois, quiet);
		memset(&w, 0, sizeof w);
		/* a lookup may take seconds: no snapshot held over it (the WAL
		 * could not be checkpointed meanwhile), no lock */
		assert(sw_db_idle(how->db));
		st = sw_whois_lookup(how->whois, &c->c[i].addr, how->now_us, &w, err, sizeof err);
		went = sw_whois_network_lookups(how->whois) > before;
		if (st == SW_WHOIS_ERROR) {
			sw_err("%s", err);
			out->failed = true;
			st = SW_WHOIS_UNRESOLVED;
		}
		if (st == SW_WHOIS_OK && w.ncidrs > 0)
			netblock_key(&w, key, sizeof key);
		else
			sw_fmt(key, sizeof key, "%s", c->c[i].netblock);
		grp = find_group(gs, key);
		if (!grp && full) {
			out->deferred++;
			continue;
		}
		/* past the cap, or in a netblock that failed already, a miss is
		 * only the cache's silence: nothing new to say */
		if (st != SW_WHOIS_OK && !quiet)
			sw_warn("%s (%s): whois: %s", c->c[i].netblock, c->c[i].src, err);
		if (!grp) {
			if (!(grp = add_group(gs, key)))
				return -1;
			asked += went;
			grp->cooling = cooling_down(how, key, &grp->cool_until, out);
		}
		if (sw_grow((void **)&grp->cand, &grp->cand_cap, grp->ncand + 1,
			    sizeof *grp->cand) < 0)
			return -1;
		if (st == SW_WHOIS_OK && !grp->whois_ok) {
			grp->whois = w;
			grp->whois_ok = true;
			if (!grp->cooling)
				memos++;
		}
		grp->cand[grp->ncand++] = i;
	}
	sw_whois_set_cache_only(how->whois, false);
	return 0;
}
