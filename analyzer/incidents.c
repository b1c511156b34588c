/*
 * incidents.c - from detections to incidents (see incidents.h).
 *
 * Detections are read ordered by source and time; a source's detections
 * no more than the gap apart make one incident. Each incident belongs to
 * the most specific netblock known: a whois range cached by the reporter,
 * else the configured prefix. Sources of one netblock whose scans hit the
 * same target within the gap also make a netblock-level distributed_scan
 * incident, unless they are allowlisted or sources of a decoy scan.
 *
 * Decoy scans are found before any incident is judged: detections of
 * different sources with the same probe signature, overlapping in time
 * and on the same targets, are one scan wearing several addresses
 * (mark_decoys()); the policy names the real source or withholds them all.
 *
 * Every incident has a stable key (its level, source or
 * netblock, and its first detection), so storing is an upsert that only
 * writes what changed, and incidents no longer produced are removed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "db.h"
#include "evline.h"
#include "incidents.h"
#include "log.h"
#include "logs.h"
#include "util.h"

#define DAY_US (86400ll * 1000000)
#define MAX_DAYS 400
#define MAX_TARGETS 8
/* decoys and their real source send in lockstep; clocks and queues add a little */
#define DECOY_SLACK_US (5 * 1000000ll)

struct target_list {
	unsigned n;
	char addr[MAX_TARGETS][48];
};

struct work {
	struct sw_adet *dets;
	struct target_list *targets; /* per detection, from its evidence lines */
	size_t ndets, cap;
	struct sw_incident *inc;
	size_t ninc, inc_cap;
	size_t *members;       /* netblock incidents' detections, as indexes into dets */
	size_t nmembers, members_cap;
	struct sw_decoy_group *groups; /* decoy scans; dets[].decoys point here */
	size_t ngroups, groups_cap;
};

void sw_correlate_defaults(struct sw_correlate_opts *o)
{
	memset(o, 0, sizeof *o);
	o->gap_us = 24 * 3600ll * 1000000;
	o->prefix4 = 24;
	o->prefix6 = 48;
	sw_policy_defaults(&o->policy);
	o->progress = isatty(2);
}

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	/* values came off the wire once: keep them printable */
	sw_sanitize(dst, len, src ? (const char *)src : "", (size_t)-1);
}

struct id_index {
	int64_t id;
	size_t pos;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;

	return (x > y) - (x < y);
}

static void add_target(struct work *w, size_t i, const char *line)
{
	struct target_list *t = &w->targets[i];
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
	if (t->n < MAX_TARGETS)
		snprintf(t->addr[t->n++], sizeof t->addr[0], "%s", addr);
}

static int load_detections(sqlite3 *db, struct work *w)
{
	static const char sql[] =
		"SELECT d.id, d.src, d.src_family, d.src_bin, d.kind, ifnull(d.variant, ''),"
		" ifnull(d.proto, ''), s.name, d.first_seen, d.last_seen, d.targets, d.ports,"
		" d.packets, d.outbound, d.seq, d.sessions_after_scan, d.failed_contacts,"
		" d.successes, d.src_resets, d.src_silent, ifnull(d.probe_sig, 0),"
		" ifnull(d.evasion, '')"
		" FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id"
		" ORDER BY d.src_family, d.src_bin, d.first_seen, d.id";
	static const char sql_ev[] =
		"SELECT detection_id, line FROM evidence ORDER BY detection_id, ts, id";
	sqlite3_stmt *st;
	size_t cap_t = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_adet *d;
		size_t old = w->cap;

		if (sw_grow((void **)&w->dets, &w->cap, w->ndets + 1, sizeof *w->dets) < 0)
			goto oom;
		if (sw_grow((void **)&w->targets, &cap_t, w->cap, sizeof *w->targets) < 0)
			goto oom;
		(void)old;
		d = &w->dets[w->ndets];
		memset(d, 0, sizeof *d);
		memset(&w->targets[w->ndets], 0, sizeof w->targets[0]);
		d->id = sqlite3_column_int64(st, 0);
		copy_text(d->src, sizeof d->src, sqlite3_column_text(st, 1));
		d->family = (uint8_t)sqlite3_column_int(st, 2);
		if (sqlite3_column_bytes(st, 3) == 16)
			memcpy(d->bin, sqlite3_column_blob(st, 3), 16);
		copy_text(d->kind, sizeof d->kind, sqlite3_column_text(st, 4));
		copy_text(d->variant, sizeof d->variant, sqlite3_column_text(st, 5));
		copy_text(d->proto, sizeof d->proto, sqlite3_column_text(st, 6));
		copy_text(d->sensor, sizeof d->sensor, sqlite3_column_text(st, 7));
		d->first = sqlite3_column_int64(st, 8);
		d->last = sqlite3_column_int64(st, 9);
		d->targets = (uint32_t)sqlite3_column_int64(st, 10);
		d->ports = (uint32_t)sqlite3_column_int64(st, 11);
		d->packets = (uint64_t)sqlite3_column_int64(st, 12);
		d->outbound = sqlite3_column_int(st, 13);
		d->seq = sqlite3_column_int64(st, 14);
		d->sessions_after = (uint32_t)sqlite3_column_int64(st, 15);
		d->failed_known = sqlite3_column_type(st, 16) != SQLITE_NULL;
		d->failed = (uint32_t)sqlite3_column_int64(st, 16);
		d->successes = (uint32_t)sqlite3_column_int64(st, 17);
		d->src_resets = (uint32_t)sqlite3_column_int64(st, 18);
		d->src_silent = (uint32_t)sqlite3_column_int64(st, 19);
		d->probe_sig = (uint64_t)sqlite3_column_int64(st, 20);
		copy_text(d->evasion, sizeof d->evasion, sqlite3_column_text(st, 21));
		w->ndets++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;

	/* the destinations of each detection's evidence lines; dets are in
	 * source order, so find each by binary search over an id index */
	struct id_index *idx = calloc(w->ndets ? w->ndets : 1, sizeof *idx);
	if (!idx)
		goto oom_nostmt;
	for (size_t i = 0; i < w->ndets; i++) {
		idx[i].id = w->dets[i].id;
		idx[i].pos = i;
	}
	qsort(idx, w->ndets, sizeof *idx, by_id);
	if (sqlite3_prepare_v2(db, sql_ev, -1, &st, NULL) != SQLITE_OK) {
		free(idx);
		goto sqlerr;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct id_index key = { sqlite3_column_int64(st, 0), 0 };
		const char *line = (const char *)sqlite3_column_text(st, 1);
		struct id_index *hit = bsearch(&key, idx, w->ndets, sizeof *idx, by_id);

		if (line && hit)
			add_target(w, hit->pos, line);
	}
	free(idx);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;

	/* detections made from log lines: their port and host from the line */
	if (sqlite3_prepare_v2(db, "SELECT ifnull(dport, 0), ifnull(dst, ifnull(host, ''))"
	                       " FROM log_lines WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	for (size_t i = 0; i < w->ndets; i++) {
		struct sw_adet *d = &w->dets[i];
		if (strcmp(d->sensor, "syslog") != 0)
			continue;
		sqlite3_bind_int64(st, 1, d->seq);
		if (sqlite3_step(st) == SQLITE_ROW) {
			d->port = (uint16_t)sqlite3_column_int(st, 0);
			copy_text(d->target, sizeof d->target, sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;
	return 0;
oom:
	sqlite3_finalize(st);
oom_nostmt:
	sw_err("out of memory reading detections");
	return -1;
sqlerr:
	sw_err("database: %s", sqlite3_errmsg(db));
	return -1;
}

/* The most specific whois range holding the address, else the prefix. */
static void netblock_of(sqlite3_stmt *lookup, const struct sw_correlate_opts *o,
                        const struct sw_adet *d, char *out, size_t len)
{
	struct sw_addr a;
	struct sw_prefix p;

	if (d->family != SW_AF_INET && d->family != SW_AF_INET6) {
		/* a host name from a log line that did not resolve */
		snprintf(out, len, "%s", d->src);
		return;
	}
	sqlite3_bind_int(lookup, 1, d->family);
	sqlite3_bind_blob(lookup, 2, d->bin, 16, SQLITE_STATIC);
	if (sqlite3_step(lookup) == SQLITE_ROW) {
		copy_text(out, len, sqlite3_column_text(lookup, 0));
		sqlite3_reset(lookup);
		return;
	}
	sqlite3_reset(lookup);
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

static struct sw_incident *new_incident(struct work *w)
{
	if (sw_grow((void **)&w->inc, &w->inc_cap, w->ninc + 1, sizeof *w->inc) < 0)
		return NULL;
	memset(&w->inc[w->ninc], 0, sizeof w->inc[0]);
	return &w->inc[w->ninc++];
}

/* Fill the totals of inc from dets and judge it. */
static void summarize(const struct sw_correlate_opts *o, struct sw_incident *inc,
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
		inc->packets += d->packets;
		add_kind(inc->kinds, sizeof inc->kinds, d->kind);
		add_kind(inc->sensors, sizeof inc->sensors, d->sensor);
		inc->outbound |= d->outbound;
	}
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

static bool share_target(const struct target_list *a, const struct target_list *b)
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
static bool same_targets(const struct work *w, size_t a, size_t b)
{
	return !w->targets[a].n || !w->targets[b].n || share_target(&w->targets[a], &w->targets[b]);
}

/*
 * One component: detections comp[0..m) (indexes into dets, in source
 * order, as dets are). With two sources or more it is a decoy scan: its
 * group records the real source when sw_decoy_real singles it out.
 */
static int decoy_group(struct work *w, const struct comp_ref *comp, size_t m, size_t *gidx)
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
static int mark_decoys(struct work *w)
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
static void progress(const struct sw_correlate_opts *o, size_t done, size_t total)
{
	static int shown = -1;
	int pct;

	if (!o->progress || total < 20000)
		return;
	pct = done >= total ? 100 : (int)(done * 100 / total);
	if (pct == shown)
		return;
	shown = pct;
	if (done >= total) {
		fprintf(stderr, "\r%60s\r", "");
		shown = -1;
		return;
	}
	fprintf(stderr, "\r%s: correlating [%-40.*s] %3d%%", sw_progname(), pct * 40 / 100,
	        "########################################", pct);
	fflush(stderr);
}

/* Per source: split by the gap. */
static int source_incidents(struct work *w, const struct sw_correlate_opts *o,
                            sqlite3_stmt *lookup, const struct sw_adet **ptrs)
{
	size_t start = 0;
	int64_t last = w->ndets ? w->dets[0].last : 0; /* latest end in start..i-1 */

	for (size_t i = 1; i <= w->ndets; i++) {
		progress(o, i, w->ndets);
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
		netblock_of(lookup, o, a, inc->netblock, sizeof inc->netblock);
		snprintf(inc->ikey, sizeof inc->ikey, "s|%s|%lld", a->src, (long long)a->id);
		inc->first_det = start;
		inc->ndets_span = i - start;
		summarize(o, inc, ptrs, i - start);
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
static int distributed_incidents(struct work *w, const struct sw_correlate_opts *o,
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
		summarize(o, inc, ptrs, nptr);
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

static int store(sqlite3 *db, struct work *w, const struct sw_correlate_opts *o,
                 struct sw_correlate_result *res)
{
	static const char sql_upsert[] =
		"INSERT INTO incidents (ikey, level, netblock, src, kinds, first_seen, last_seen,"
		" days, targets, ports, packets, detections, sensors, outbound, severity, reasons,"
		" reportable, compromised, compromise_reason)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
		" coalesce((SELECT compromised FROM compromise_marks WHERE src = ?4), ?18), ?19)"
		" ON CONFLICT (ikey) DO UPDATE SET level = excluded.level, netblock = excluded.netblock,"
		" src = excluded.src, kinds = excluded.kinds, first_seen = excluded.first_seen,"
		" last_seen = excluded.last_seen, days = excluded.days, targets = excluded.targets,"
		" ports = excluded.ports, packets = excluded.packets, detections = excluded.detections,"
		" sensors = excluded.sensors, outbound = excluded.outbound,"
		" severity = excluded.severity, reasons = excluded.reasons,"
		" reportable = excluded.reportable, compromised = excluded.compromised,"
		" compromise_reason = excluded.compromise_reason"
		" WHERE (level, netblock, src, kinds, first_seen, last_seen, days, targets, ports,"
		" packets, detections, sensors, outbound, severity, reasons, reportable, compromised,"
		" compromise_reason) IS NOT (excluded.level, excluded.netblock, excluded.src,"
		" excluded.kinds, excluded.first_seen, excluded.last_seen, excluded.days,"
		" excluded.targets, excluded.ports, excluded.packets, excluded.detections,"
		" excluded.sensors, excluded.outbound, excluded.severity, excluded.reasons,"
		" excluded.reportable, excluded.compromised, excluded.compromise_reason)";
	sqlite3_stmt *up = NULL, *cur = NULL, *link = NULL;
	int changed = 0; /* rows of the database's own tables, not the temp ones */
	int rc = -1;

	(void)o;
	if (sw_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS cur_inc (ikey TEXT PRIMARY KEY);"
	             "CREATE TEMP TABLE IF NOT EXISTS cur_link (ikey TEXT, detection_id INTEGER,"
	             " PRIMARY KEY (ikey, detection_id));"
	             "DELETE FROM temp.cur_inc; DELETE FROM temp.cur_link;") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_upsert, -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.cur_inc VALUES (?1)", -1, &cur, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.cur_link VALUES (?1, ?2)", -1, &link,
	                       NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < w->ninc; i++) {
		const struct sw_incident *inc = &w->inc[i];

		sqlite3_bind_text(up, 1, inc->ikey, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, inc->level, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, inc->netblock, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 4, inc->src, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 5, inc->kinds, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 6, inc->first);
		sqlite3_bind_int64(up, 7, inc->last);
		sqlite3_bind_int(up, 8, (int)inc->days);
		sqlite3_bind_int64(up, 9, inc->targets);
		sqlite3_bind_int64(up, 10, inc->ports);
		sqlite3_bind_int64(up, 11, (sqlite3_int64)inc->packets);
		sqlite3_bind_int(up, 12, (int)inc->ndet);
		sqlite3_bind_text(up, 13, inc->sensors, -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 14, inc->outbound);
		sqlite3_bind_int(up, 15, inc->severity);
		sqlite3_bind_text(up, 16, inc->reasons, -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 17, inc->reportable);
		sqlite3_bind_int(up, 18, inc->compromised);
		if (inc->compromise_reason[0])
			sqlite3_bind_text(up, 19, inc->compromise_reason, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(up, 19);
		if (sqlite3_step(up) != SQLITE_DONE)
			goto sqlerr;
		changed += sqlite3_changes(db); /* 0 when the row was already so */
		sqlite3_reset(up);
		sqlite3_bind_text(cur, 1, inc->ikey, -1, SQLITE_STATIC);
		if (sqlite3_step(cur) != SQLITE_DONE)
			goto sqlerr;
		sqlite3_reset(cur);
		res->incidents++;
		res->reportable += (unsigned)inc->reportable;
		if (!strcmp(inc->level, "netblock"))
			res->distributed++;
		for (size_t k = inc->first_det; k < inc->first_det + inc->ndets_span; k++) {
			size_t det = strcmp(inc->level, "netblock") ? k : w->members[k];

			sqlite3_bind_text(link, 1, inc->ikey, -1, SQLITE_STATIC);
			sqlite3_bind_int64(link, 2, w->dets[det].id);
			if (sqlite3_step(link) != SQLITE_DONE)
				goto sqlerr;
			sqlite3_reset(link);
		}
	}
	static const char *const finish_sql[] = {
		"DELETE FROM incidents WHERE ikey IS NULL"
		" OR ikey NOT IN (SELECT ikey FROM temp.cur_inc)",
		"DELETE FROM incident_detections WHERE NOT EXISTS ("
		" SELECT 1 FROM temp.cur_link l JOIN incidents i ON i.ikey = l.ikey"
		" WHERE i.id = incident_detections.incident_id"
		" AND l.detection_id = incident_detections.detection_id)",
		"INSERT OR IGNORE INTO incident_detections (incident_id, detection_id)"
		" SELECT i.id, l.detection_id FROM temp.cur_link l JOIN incidents i ON i.ikey = l.ikey",
	};
	for (size_t i = 0; i < SW_ARRAY_LEN(finish_sql); i++) {
		if (sw_db_exec(db, finish_sql[i]) < 0)
			goto out;
		changed += sqlite3_changes(db);
	}
	rc = 0;
	goto out;
sqlerr:
	sw_err("database: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(up);
	sqlite3_finalize(cur);
	sqlite3_finalize(link);
	res->changed = (unsigned)changed;
	return rc;
}

int sw_correlate(sqlite3 *db, const struct sw_correlate_opts *o,
                 struct sw_correlate_result *res)
{
	struct work w;
	const struct sw_adet **ptrs = NULL;
	sqlite3_stmt *lookup = NULL;
	int rc = -1;

	memset(&w, 0, sizeof w);
	memset(res, 0, sizeof *res);
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	/* log lines become detections first, to feed the same incidents */
	int log_changes = sw_logs_detections(db, o->gap_us);
	if (log_changes < 0)
		goto out;
	if (load_detections(db, &w) < 0)
		goto out;
	res->detections = (unsigned)w.ndets;
	ptrs = calloc(w.ndets ? w.ndets : 1, sizeof *ptrs);
	if (!ptrs)
		goto out;
	if (sqlite3_prepare_v2(db,
	        "SELECT cidr FROM whois_ranges WHERE family = ?1 AND first_addr <= ?2"
	        " AND last_addr >= ?2 ORDER BY prefix_len DESC, fetched_at DESC LIMIT 1",
	        -1, &lookup, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (mark_decoys(&w) < 0 ||
	    source_incidents(&w, o, lookup, ptrs) < 0 ||
	    distributed_incidents(&w, o, ptrs) < 0 ||
	    store(db, &w, o, res) < 0)
		goto out;
	res->changed += (unsigned)log_changes;
	rc = 0;
out:
	sqlite3_finalize(lookup);
	if (sw_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK") < 0)
		rc = -1;
	free(ptrs);
	free(w.dets);
	free(w.targets);
	free(w.inc);
	free(w.members);
	free(w.groups);
	return rc;
}

int sw_mark_compromised(sqlite3 *db, const char *src, int compromised)
{
	sqlite3_stmt *st;
	struct sw_addr a;
	int rc;

	if (!sw_addr_parse(src, &a)) {
		sw_err("%s: not an IP address", src);
		return -1;
	}
	if (sqlite3_prepare_v2(db,
	        "INSERT INTO compromise_marks (src, compromised, marked_at)"
	        " VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER) * 1000000)"
	        " ON CONFLICT (src) DO UPDATE SET compromised = excluded.compromised,"
	        " marked_at = excluded.marked_at", -1, &st, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		return -1;
	}
	char text[SW_ADDR_STRLEN];
	sw_addr_format(&a, text, sizeof text);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, compromised);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		sw_err("database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}
