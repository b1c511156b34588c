/*
 * correlate.c - from detections to incidents, in memory (see correlate.h);
 * incidents_db.c reads the detections and stores what this makes.
 *
 * Detections come ordered by source and time; a source's detections
 * no more than the gap apart make one incident. Each incident belongs to
 * the most specific netblock known: what the caller's lookup says (the
 * whois ranges the reporter cached), else the configured prefix. Sources
 * of one netblock whose scans hit the same target within the gap also make
 * a netblock-level distributed_scan incident, unless they are allowlisted
 * or sources of a decoy scan.
 *
 * Decoy scans are found before any incident is judged: detections of
 * different sources with the same probe signature, overlapping in time
 * and on the same targets, are one scan wearing several addresses
 * (mark_decoys()); the policy names the real source or withholds them all.
 *
 * Every incident has a stable key (its level, source or netblock, and its
 * first detection), so that storing can be an upsert that only writes what
 * changed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "correlate.h"
#include "evline.h"
#include "log.h"
#include "util.h"

#define DAY_US (86400ll * 1000000)
#define MAX_DAYS 400
/* decoys and their real source send in lockstep; clocks and queues add a little */
#define DECOY_SLACK_US (5 * 1000000ll)

void sw_correlate_defaults(struct sw_correlate_opts *o)
{
	memset(o, 0, sizeof *o);
	o->gap_us = 24 * 3600ll * 1000000;
	o->prefix4 = 24;
	o->prefix6 = 48;
	sw_policy_defaults(&o->policy);
	o->progress = isatty(2);
}

static void add_target(struct sw_correlation *w, size_t i, const char *line)
{
	struct sw_target_list *t = &w->targets[i];
	char addr[48];
	uint16_t port;

	sw_evline_destination(line, addr, sizeof addr, &port, NULL, 0);
	if (!addr[0])
		return;
	if (!w->dets[i].target[0]) {
		snprintf(w->dets[i].target, sizeof w->dets[i].target, "%s", addr);
		w->dets[i].port = port;
	}
	for (unsigned k = 0; k < t->n; k++)
		if (!strcmp(t->addr[k], addr))
			return;
	if (t->n < SW_TARGETS_KEPT)
		snprintf(t->addr[t->n++], sizeof t->addr[0], "%s", addr);
}

/* The most specific range the caller knows for the address, else the
 * prefix. */
static void netblock_of(const struct sw_correlation *w, const struct sw_correlate_opts *o,
                        const struct sw_adet *d, char *out, size_t len)
{
	struct sw_addr a;
	struct sw_prefix p;

	if (d->family != SW_AF_INET && d->family != SW_AF_INET6) {
		/* a host name from a log line that did not resolve */
		snprintf(out, len, "%s", d->src);
		return;
	}
	if (w->lookup && w->lookup(w->lookup_arg, d, out, len))
		return;
	memset(&a, 0, sizeof a);
	a.family = d->family;
	memcpy(a.bytes, d->bin, 16);
	sw_prefix_of(&a, a.family == SW_AF_INET6 ? o->prefix6 : o->prefix4, &p);
	sw_prefix_format(&p, out, len);
}

/* Add a word to a comma-separated set (kinds, sensors, sources). */
static void add_kind(char *kinds, size_t len, const char *kind)
{
	char padded[200];

	snprintf(padded, sizeof padded, ",%s,", kinds);
	char want[40];
	snprintf(want, sizeof want, ",%s,", kind);
	if (strstr(padded, want))
		return;
	size_t used = strlen(kinds);
	if (used + strlen(kind) + 2 < len)
		snprintf(kinds + used, len - used, "%s%s", used ? "," : "", kind);
}

/* Distinct days (UTC) touched by the detections. */
static unsigned count_days(const struct sw_adet *const *dets, size_t n)
{
	int64_t days[MAX_DAYS];
	unsigned nd = 0;

	for (size_t i = 0; i < n; i++) {
		for (int64_t day = dets[i]->first / DAY_US; day <= dets[i]->last / DAY_US; day++) {
			bool have = false;
			for (unsigned k = 0; k < nd; k++)
				if (days[k] == day)
					have = true;
			if (!have && nd < MAX_DAYS)
				days[nd++] = day;
		}
	}
	return nd ? nd : 1;
}

static struct sw_incident *new_incident(struct sw_correlation *w)
{
	if (sw_grow((void **)&w->inc, &w->inc_cap, w->ninc + 1, sizeof *w->inc) < 0)
		return NULL;
	memset(&w->inc[w->ninc], 0, sizeof w->inc[0]);
	return &w->inc[w->ninc++];
}

/*
 * The packets of an incident's detections, each activity counted once.
 * Two sensors can see the same packets (overlapping span ports, a split
 * that let an address through on two links): a detection of another
 * packet sensor, of the same source, kind and protocol and overlapping in
 * time, counts only what it saw beyond the one before it, so the pair
 * counts the larger of the two, unless their evidence names different
 * targets (one scanner on two sites at once: both add up). One sensor's
 * detections always add up;
 * log lines (the sensor "syslog") are another kind of count and add up
 * too. Targets and ports need no such care: an incident takes the
 * largest of its detections', never their sum.
 */
#define DUP_LOOKBACK 256

static bool share_target(const struct sw_target_list *a, const struct sw_target_list *b);

static bool seen_twice(const struct sw_correlation *w, const struct sw_adet *a,
                       const struct sw_adet *b)
{
	const struct sw_target_list *ta = &w->targets[a - w->dets], *tb = &w->targets[b - w->dets];

	return strcmp(a->sensor, b->sensor) != 0 && strcmp(a->sensor, "syslog") != 0 &&
	       strcmp(b->sensor, "syslog") != 0 && !strcmp(a->kind, b->kind) &&
	       !strcmp(a->proto, b->proto) && a->first <= b->last && b->first <= a->last &&
	       a->family == b->family && memcmp(a->bin, b->bin, 16) == 0 &&
	       (!ta->n || !tb->n || share_target(ta, tb));
}

static uint64_t count_packets(const struct sw_correlation *w, const struct sw_adet *const *dets,
                              size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t add = dets[i]->packets;

		for (size_t j = i; j-- > 0 && i - j <= DUP_LOOKBACK;) {
			if (seen_twice(w, dets[i], dets[j])) {
				add = add > dets[j]->packets ? add - dets[j]->packets : 0;
				break;
			}
		}
		total += add;
	}
	return total;
}

/* Fill the totals of inc from dets and judge it. */
static void summarize(const struct sw_correlation *w, const struct sw_correlate_opts *o,
                      struct sw_incident *inc,
                      const struct sw_adet *const *dets, size_t n)
{
	inc->first = dets[0]->first;
	inc->last = dets[0]->last;
	for (size_t i = 0; i < n; i++) {
		const struct sw_adet *d = dets[i];
		if (d->first < inc->first)
			inc->first = d->first;
		if (d->last > inc->last)
			inc->last = d->last;
		if (d->targets > inc->targets)
			inc->targets = d->targets;
		if (d->ports > inc->ports)
			inc->ports = d->ports;
		add_kind(inc->kinds, sizeof inc->kinds, d->kind);
		add_kind(inc->sensors, sizeof inc->sensors, d->sensor);
		inc->outbound |= d->outbound;
	}
	inc->packets = count_packets(w, dets, n);
	inc->ndet = (unsigned)n;
	inc->days = count_days(dets, n);
	sw_policy_judge(&o->policy, inc, dets, n);
}

static bool is_scan(const char *kind)
{
	return !strcmp(kind, "port_scan") || !strcmp(kind, "host_sweep") ||
	       !strcmp(kind, "block_scan") || !strcmp(kind, "stealth_scan") ||
	       !strcmp(kind, "udp_scan");
}

static bool share_target(const struct sw_target_list *a, const struct sw_target_list *b)
{
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (!strcmp(a->addr[i], b->addr[j]))
				return true;
	return false;
}

/* ---- decoy scans ----------------------------------------------------------- */

struct sig_ref {
	uint64_t sig;
	int64_t first;
	size_t i;
};

static int by_sig(const void *a, const void *b)
{
	const struct sig_ref *x = a, *y = b;

	if (x->sig != y->sig)
		return x->sig < y->sig ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

struct comp_ref {
	size_t root, i;
};

static int by_comp(const void *a, const void *b)
{
	const struct comp_ref *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static size_t find_root(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static bool same_source(const struct sw_adet *a, const struct sw_adet *b)
{
	return a->family == b->family && memcmp(a->bin, b->bin, 16) == 0 &&
	       !strcmp(a->src, b->src);
}

/* The targets of a and b meet, or one of them has no evidence to say:
 * the signature hashes the destinations already. */
static bool same_targets(const struct sw_correlation *w, size_t a, size_t b)
{
	return !w->targets[a].n || !w->targets[b].n || share_target(&w->targets[a], &w->targets[b]);
}

/*
 * One component: detections comp[0..m) (indexes into dets, in source
 * order, as dets are). With two sources or more it is a decoy scan: its
 * group records the real source when sw_decoy_real singles it out.
 */
static int decoy_group(struct sw_correlation *w, const struct comp_ref *comp, size_t m,
                       size_t *gidx)
{
	struct sw_decoy_member *mem = calloc(m, sizeof *mem);
	size_t nsrc = 0;
	int real;

	if (!mem)
		return -1;
	for (size_t k = 0; k < m; k++) {
		const struct sw_adet *d = &w->dets[comp[k].i];
		if (!nsrc || !same_source(&w->dets[comp[k - 1].i], d))
			mem[nsrc++].src = d->src;
		mem[nsrc - 1].resets += d->src_resets;
		mem[nsrc - 1].silent += d->src_silent;
	}
	if (nsrc < 2) {
		free(mem);
		return 0;
	}
	if (sw_grow((void **)&w->groups, &w->groups_cap, w->ngroups + 1, sizeof *w->groups) < 0) {
		free(mem);
		return -1;
	}
	struct sw_decoy_group *g = &w->groups[w->ngroups];
	memset(g, 0, sizeof *g);
	g->nsources = nsrc > UINT32_MAX ? UINT32_MAX : (unsigned)nsrc;
	real = sw_decoy_real(mem, nsrc);
	if (real >= 0)
		snprintf(g->real, sizeof g->real, "%s", mem[real].src);
	for (size_t k = 0; k < nsrc && g->nlisted < SW_DECOY_LISTED; k++)
		if ((int)k != real)
			snprintf(g->listed[g->nlisted++], sizeof g->listed[0], "%s", mem[k].src);
	for (size_t k = 0; k < m; k++)
		gidx[comp[k].i] = w->ngroups + 1;
	w->ngroups++;
	free(mem);
	return 0;
}

/*
 * Decoy scans: detections with one probe signature are compared in order
 * of their start, each with those that began before it ended (plus the
 * slack), so a source's thousand probes cost no thousand squared. Those of
 * different sources on the same targets join one component.
 */
static int mark_decoys(struct sw_correlation *w)
{
	struct sig_ref *refs = calloc(w->ndets ? w->ndets : 1, sizeof *refs);
	size_t *parent = calloc(w->ndets ? w->ndets : 1, sizeof *parent);
	size_t *gidx = calloc(w->ndets ? w->ndets : 1, sizeof *gidx);
	struct comp_ref *comp = calloc(w->ndets ? w->ndets : 1, sizeof *comp);
	size_t nrefs = 0;
	int rc = -1;

	if (!refs || !parent || !gidx || !comp)
		goto out;
	for (size_t i = 0; i < w->ndets; i++)
		if (w->dets[i].probe_sig)
			refs[nrefs++] = (struct sig_ref){ w->dets[i].probe_sig, w->dets[i].first, i };
	qsort(refs, nrefs, sizeof *refs, by_sig);
	for (size_t a = 0; a < nrefs;) {
		size_t b = a, m = 0;

		while (b < nrefs && refs[b].sig == refs[a].sig)
			b++;
		for (size_t x = a; x < b; x++)
			parent[x] = x;
		for (size_t x = a; x < b; x++) {
			const struct sw_adet *dx = &w->dets[refs[x].i];
			for (size_t y = x + 1; y < b && refs[y].first <= dx->last + DECOY_SLACK_US; y++) {
				const struct sw_adet *dy = &w->dets[refs[y].i];
				if (!same_source(dx, dy) && same_targets(w, refs[x].i, refs[y].i))
					parent[find_root(parent, y)] = find_root(parent, x);
			}
		}
		for (size_t x = a; x < b; x++)
			comp[m++] = (struct comp_ref){ find_root(parent, x), refs[x].i };
		qsort(comp, m, sizeof *comp, by_comp);
		for (size_t c = 0; c < m;) {
			size_t e = c;
			while (e < m && comp[e].root == comp[c].root)
				e++;
			if (e - c >= 2 && decoy_group(w, comp + c, e - c, gidx) < 0)
				goto out;
			c = e;
		}
		a = b;
	}
	/* the groups array is complete: now its addresses hold */
	for (size_t i = 0; i < w->ndets; i++)
		w->dets[i].decoys = gidx[i] ? &w->groups[gidx[i] - 1] : NULL;
	rc = 0;
out:
	if (rc < 0)
		sw_err("out of memory grouping decoy scans");
	free(refs);
	free(parent);
	free(gidx);
	free(comp);
	return rc;
}

/* A progress bar on a terminal, for big databases: redrawn at each
 * percent, erased at the end. */
static void progress(struct sw_correlation *w, const struct sw_correlate_opts *o, size_t done,
                     size_t total)
{
	int pct;

	if (!o->progress || total < 20000)
		return;
	pct = done >= total ? 100 : (int)(done * 100 / total);
	if (pct == w->progress_shown)
		return;
	w->progress_shown = pct;
	if (done >= total) {
		fprintf(stderr, "\r%60s\r", "");
		w->progress_shown = -1;
		return;
	}
	fprintf(stderr, "\r%s: correlating [%-40.*s] %3d%%", sw_progname(), pct * 40 / 100,
	        "########################################", pct);
	fflush(stderr);
}

/* Per source: split by the gap. */
static int source_incidents(struct sw_correlation *w, const struct sw_correlate_opts *o,
                            const struct sw_adet **ptrs)
{
	size_t start = 0;
	int64_t last = w->ndets ? w->dets[0].last : 0; /* latest end in start..i-1 */

	for (size_t i = 1; i <= w->ndets; i++) {
		progress(w, o, i, w->ndets);
		const struct sw_adet *a = &w->dets[start];
		bool split = i == w->ndets;

		if (!split) {
			const struct sw_adet *b = &w->dets[i];
			split = b->family != a->family || memcmp(b->bin, a->bin, 16) != 0 ||
			        b->first - last > o->gap_us;
		}
		if (!split) {
			if (w->dets[i].last > last)
				last = w->dets[i].last;
			continue;
		}
		struct sw_incident *inc = new_incident(w);
		if (!inc)
			return -1;
		for (size_t k = start; k < i; k++)
			ptrs[k - start] = &w->dets[k];
		snprintf(inc->level, sizeof inc->level, "source");
		snprintf(inc->src, sizeof inc->src, "%s", a->src);
		netblock_of(w, o, a, inc->netblock, sizeof inc->netblock);
		snprintf(inc->ikey, sizeof inc->ikey, "s|%s|%lld", a->src, (long long)a->id);
		inc->first_det = start;
		inc->ndets_span = i - start;
		summarize(w, o, inc, ptrs, i - start);
		start = i;
		if (i < w->ndets)
			last = w->dets[i].last;
	}
	return 0;
}

struct by_netblock {
	const char *netblock;
	size_t i;
};

/* Netblock, then position: a netblock's incidents in their own order. */
static int cmp_netblock(const void *a, const void *b)
{
	const struct by_netblock *x = a, *y = b;
	int c = strcmp(x->netblock, y->netblock);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Per netblock: sources whose scans hit a common target within the gap.
 * Only incidents of the same netblock are compared, so the incidents are
 * first sorted by netblock (an index, w->inc keeps its order): a log of
 * many thousand sources no longer costs a comparison per pair of them.
 */
static int distributed_incidents(struct sw_correlation *w, const struct sw_correlate_opts *o,
                                 const struct sw_adet **ptrs)
{
	size_t nsrc = w->ninc;
	bool *used = calloc(nsrc ? nsrc : 1, sizeof *used);
	struct by_netblock *order = calloc(nsrc ? nsrc : 1, sizeof *order);
	size_t *pos = calloc(nsrc ? nsrc : 1, sizeof *pos);
	int rc = -1;

	if (!used || !order || !pos)
		goto fail;
	for (size_t i = 0; i < nsrc; i++)
		order[i] = (struct by_netblock){ w->inc[i].netblock, i };
	qsort(order, nsrc, sizeof *order, cmp_netblock);
	/* from here on only order[].i: new incidents may move w->inc */
	for (size_t p = 0; p < nsrc; p++)
		pos[order[p].i] = p;
	for (size_t i = 0; i < nsrc; i++) {
		size_t nptr = 0, nsources = 1;
		char members[256] = "";

		/* an allowlisted source or a decoy scan's is nobody's accomplice */
		if (used[i] || strcmp(w->inc[i].level, "source") != 0 || w->inc[i].no_group)
			continue;
		/* the later incidents of i's netblock, in their order */
		for (size_t p = pos[i] + 1; p < nsrc; p++) {
			size_t j = order[p].i;
			struct sw_incident *x = &w->inc[i], *y = &w->inc[j];
			bool joined = false;

			if (strcmp(x->netblock, y->netblock) != 0)
				break;
			if (used[j] || y->no_group || strcmp(x->src, y->src) == 0)
				continue;
			if (y->first - x->last > o->gap_us || x->first - y->last > o->gap_us)
				continue;
			for (size_t a = x->first_det; a < x->first_det + x->ndets_span && !joined; a++)
				for (size_t b = y->first_det; b < y->first_det + y->ndets_span && !joined; b++)
					joined = is_scan(w->dets[a].kind) && is_scan(w->dets[b].kind) &&
					         share_target(&w->targets[a], &w->targets[b]);
			if (!joined)
				continue;
			if (nsources == 1) {
				used[i] = true;
				add_kind(members, sizeof members, x->src);
				for (size_t a = x->first_det; a < x->first_det + x->ndets_span; a++)
					if (is_scan(w->dets[a].kind))
						ptrs[nptr++] = &w->dets[a];
			}
			used[j] = true;
			nsources++;
			add_kind(members, sizeof members, y->src);
			for (size_t b = y->first_det; b < y->first_det + y->ndets_span; b++)
				if (is_scan(w->dets[b].kind))
					ptrs[nptr++] = &w->dets[b];
		}
		if (nsources < 2)
			continue;
		struct sw_incident *inc = new_incident(w); /* may move w->inc */
		if (!inc)
			goto fail;
		const struct sw_incident *x = &w->inc[i];
		snprintf(inc->level, sizeof inc->level, "netblock");
		snprintf(inc->netblock, sizeof inc->netblock, "%s", x->netblock);
		snprintf(inc->src, sizeof inc->src, "%s", members);
		snprintf(inc->ikey, sizeof inc->ikey, "n|%s|%lld", x->netblock,
		         (long long)ptrs[0]->id);
		/* the reasons start with what makes it one incident */
		inc->nsources = nsources > UINT32_MAX ? UINT32_MAX : (unsigned)nsources;
		summarize(w, o, inc, ptrs, nptr);
		snprintf(inc->kinds, sizeof inc->kinds, "distributed_scan");
		/* its detections are spread over its sources': listed in members */
		if (sw_grow((void **)&w->members, &w->members_cap, w->nmembers + nptr,
			    sizeof *w->members) < 0)
			goto fail;
		inc->first_det = w->nmembers;
		inc->ndets_span = nptr;
		for (size_t k = 0; k < nptr; k++)
			w->members[w->nmembers++] = (size_t)(ptrs[k] - w->dets);
	}
	rc = 0;
fail:
	free(used);
	free(order);
	free(pos);
	return rc;
}

void sw_correlation_init(struct sw_correlation *w)
{
	memset(w, 0, sizeof *w);
	w->progress_shown = -1;
}

void sw_correlation_free(struct sw_correlation *w)
{
	free(w->dets);
	free(w->targets);
	free(w->inc);
	free(w->members);
	free(w->groups);
	sw_correlation_init(w);
}

struct sw_adet *sw_correlation_add(struct sw_correlation *w)
{
	if (sw_grow((void **)&w->dets, &w->cap, w->ndets + 1, sizeof *w->dets) < 0)
		return NULL;
	if (sw_grow((void **)&w->targets, &w->targets_cap, w->ndets + 1, sizeof *w->targets) < 0)
		return NULL;
	memset(&w->dets[w->ndets], 0, sizeof w->dets[0]);
	memset(&w->targets[w->ndets], 0, sizeof w->targets[0]);
	return &w->dets[w->ndets++];
}

void sw_correlation_add_evidence(struct sw_correlation *w, size_t i, const char *line)
{
	add_target(w, i, line);
}

size_t sw_incident_detection(const struct sw_correlation *w, const struct sw_incident *inc,
                             size_t k)
{
	size_t at = inc->first_det + k;

	return strcmp(inc->level, "netblock") ? at : w->members[at];
}

int sw_correlation_run(struct sw_correlation *w, const struct sw_correlate_opts *o)
{
	const struct sw_adet **ptrs = calloc(w->ndets ? w->ndets : 1, sizeof *ptrs);
	int rc = -1;

	if (!ptrs) {
		sw_err("out of memory correlating detections");
		return -1;
	}
	if (mark_decoys(w) == 0 && source_incidents(w, o, ptrs) == 0 &&
	    distributed_incidents(w, o, ptrs) == 0)
		rc = 0;
	free(ptrs);
	return rc;
}
