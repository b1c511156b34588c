/*
 * detect.c - the detection engine (see detect.h).
 *
 * Per packet, in packet time:
 *  - an initiator's probe (SYN, UDP datagram, echo request, stealth flags)
 *    opens or refreshes a contact (contacts.h);
 *  - the answer (SYN-ACK, RST, reply, ICMP unreachable matched through its
 *    quoted header) or the timeout settles it, and the outcome is scored:
 *    TRW (Jung, Paxson, Berger, Balakrishnan 2004) on first contacts per
 *    source, plus the group's shape (distinct targets and ports) and
 *    evidence in the source's detail (sources.h);
 *  - per-target rates are counted for floods (flood.h).
 * A group whose test fires gets a detection: an open record, updates at
 * most once a second of packet time while it goes on, and a close record
 * with the last evidence when the source goes quiet.
 */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "detect.h"
#include "evidence.h"
#include "fingerprint.h"
#include "flood.h"
#include "siphash.h"
#include "sources.h"
#include "timefmt.h"
#include "util.h"

#define UPDATE_US 1000000          /* at most one update per detection per second */
#define FLOOD_QUIET_US (10 * 1000000ll)
#define PROBE_RATE 50              /* port_probe rows per second of packet time */
#define PROBE_BURST 500
/* Traceroute: probes arrive with what is left of a TTL that started at the
 * hop count (at most traceroute's default of 30 hops); UDP probes go to
 * consecutive ports from 33434 (traceroute, mtr: 3 probes a hop). */
#define TRACE_MAX_TTL 30
#define TRACE_PORT_FIRST 33434
#define TRACE_PORTS 256
#define TRACE_MIN_PROBES 2         /* probes that make a traceroute detection */
/* The "mostly answered" window: the recent counts halve at this many. */
#define RECENT_MAX 64

struct sw_detect {
	struct sw_settings s;
	struct sw_detect_sink sink;
	struct sw_sipkey key;
	struct sw_contacts *contacts;
	struct sw_sources *sources;
	struct sw_flood *flood;
	struct sw_detect_stats stats;

	int64_t now;
	int64_t next_tick;
	int64_t last_housekeeping; /* packet time housekeeping last ran */
	uint32_t next_seq;
	atomic_uint *shared_seq;    /* -j N: the run's detections numbered across workers */
	/* floods open in the flood table (with -j N, the one the workers share:
	 * every worker's count follows every open and close): housekeeping
	 * scans it, and probes look for forged floods, only then */
	atomic_uint floods_open;
	struct sw_flood_share *share; /* -j N: the shared flood table, else NULL */
	unsigned worker;           /* -j N: this engine's worker (0 alone) */
	unsigned evidence_lines;

	/* TRW steps and bounds, natural log */
	float trw_fail, trw_success, trw_upper, trw_lower;

	/* token bucket for port_probe rows */
	double probe_tokens;
	int64_t probe_refill;
};

/* ---- emitting records --------------------------------------------------- */

static void emit(struct sw_detect *d, const struct sw_rec *rec)
{
	d->sink.emit(d->sink.ctx, rec);
}

/* A new detection's number in the run: its own count, or with -j N the
 * count the workers share (a detection opens rarely: no cost per packet). */
static uint32_t new_seq(struct sw_detect *d)
{
	if (d->shared_seq)
		return (uint32_t)atomic_fetch_add_explicit(d->shared_seq, 1, memory_order_relaxed) + 1;
	return ++d->next_seq;
}

void sw_detect_share_seq(struct sw_detect *d, atomic_uint *seq)
{
	d->shared_seq = seq;
}

/* -j N: one flood table for all the workers' engines, so a flood from
 * forged sources (spread over the workers by those sources) is counted
 * whole, as with one worker. Whoever opens a flood owns it: only its
 * engine writes its records (its seq, its ring), the others count its
 * packets.
 *
 * The workers' packet clocks differ (with files, by up to a ring of
 * packets), and a flood must not close for one of them at a packet time
 * at which another still has its packets to count, or its forged
 * sources' contacts to settle (record: sw_flood_forged_at, which asks
 * the open floods). So clock[] holds each engine's packet time as of its
 * last housekeeping (after it settled its expired contacts), and:
 *  - the first engine whose housekeeping finds a flood quiet (as one
 *    engine would close it) marks when it ended (the entry's ends);
 *  - a packet of it before that time, from an engine behind, still counts
 *    for it, and refutes the mark if the flood was not quiet then after
 *    all (a later quiet housekeeping marks again);
 *  - one at or after that time is held: counted in the window, not for the
 *    flood (it is the next flood's, if any); if the mark was refuted and
 *    every engine passes the first held packet without finding the flood
 *    quiet, the held packets were the flood's after all (flood_unhold);
 *  - its owner closes it, at the marked time, once every engine's clock
 *    has passed it (their minimum): until then it stays open for all, and
 *    its forged sources' contacts are settled against it (so suppressed
 *    as with one engine, a little longer at most).
 * At the end the last engine to finish closes the floods still open,
 * once all have settled their contacts, as one engine settles them all
 * before closing. All under lock. */
struct sw_flood_share {
	pthread_mutex_t lock;
	unsigned n;
	unsigned finished;     /* engines through sw_detect_finish */
	struct sw_detect *engine[SW_DETECT_MAX_SHARE];
	int64_t clock[SW_DETECT_MAX_SHARE];
};

/* Publish d's packet clock (never backwards); under the lock. */
static void share_clock(struct sw_detect *d, int64_t t)
{
	if (t > d->share->clock[d->worker])
		d->share->clock[d->worker] = t;
}

/* The packet time every sharing engine has reached; under the lock. */
static int64_t share_min_clock(const struct sw_flood_share *sh)
{
	int64_t t = sh->clock[0];

	for (unsigned i = 1; i < sh->n; i++)
		if (sh->clock[i] < t)
			t = sh->clock[i];
	return t;
}

static void flood_lock(struct sw_detect *d)
{
	if (d->share)
		sw_flood_lock(d->flood);
}

static void flood_unlock(struct sw_detect *d)
{
	if (d->share)
		sw_flood_unlock(d->flood);
}

/* A flood opened (+1) or closed (-1): every engine sharing the table
 * knows (under the lock). */
static void floods_open_add(struct sw_detect *d, int delta)
{
	if (!d->share) {
		d->floods_open += (unsigned)delta;
		return;
	}
	for (unsigned i = 0; i < d->share->n; i++)
		d->share->engine[i]->floods_open += (unsigned)delta;
}

static uint8_t group_proto(unsigned g, const struct sw_source *s,
                           const struct sw_group_state *gs)
{
	uint8_t icmp = s->inet6 ? SW_IPPROTO_ICMPV6 : SW_IPPROTO_ICMP;

	switch (g) {
	case SW_G_UDP: return SW_IPPROTO_UDP;
	case SW_G_ICMP: return icmp;
	case SW_G_TRACE: return gs->variant == SW_V_UDP ? SW_IPPROTO_UDP : icmp;
	default: return SW_IPPROTO_TCP;
	}
}

/* Which TRW walk a group's contacts feed. */
static unsigned group_trw(unsigned g)
{
	return g == SW_G_UDP ? SW_TRW_UDP : SW_TRW_TCP;
}

static void fill_det(struct sw_rec *rec, int type, const struct sw_source *s, unsigned g,
                     const struct sw_group_state *gs)
{
	struct sw_rec_det *r = &rec->u.det;

	memset(rec, 0, sizeof *rec);
	rec->type = (uint32_t)type;
	r->seq = gs->seq;
	r->kind = gs->kind;
	r->variant = gs->variant;
	r->proto = group_proto(g, s, gs);
	r->outbound = s->outbound;
	r->tool = (uint8_t)sw_fp_verdict(&s->fp);
	r->src = sw_source_addr(s);
	r->first_seen = gs->t_first;
	r->last_seen = gs->t_last;
	r->detected_at = gs->detected_at;
	r->targets = gs->targets;
	r->ports = gs->ports;
	r->targets_capped = gs->targets_capped;
	r->ports_capped = gs->ports_capped;
	r->failed_contacts = gs->failed_at_detect;
	r->sessions_after = gs->sessions_after;
	r->packets = gs->packets;
	/* a signature of fewer probes would match unrelated sources */
	r->probe_sig = s->sig_n >= SW_SIG_PROBES / 2 ? s->sig : 0;
	r->src_resets = gs->src_resets;
	r->src_silent = gs->src_silent;
	r->successes = s->ok[group_trw(g)];
	r->evasion = gs->evasion;
	/* one target, one port: the first probe's (first[0] holds it) */
	if (gs->probes && gs->targets == 1 && !gs->targets_capped) {
		r->has_dst = 1;
		r->dst = gs->first[0].dst;
	}
	if (gs->probes && gs->ports == 1 && !gs->ports_capped) {
		r->has_dport = 1;
		r->dport = gs->first[0].dport;
	}
}

static void emit_evidence(struct sw_detect *d, const struct sw_source *s,
                          struct sw_group_state *gs, const struct sw_probe *p)
{
	struct sw_rec rec;

	memset(&rec, 0, sizeof rec);
	rec.type = SW_REC_EVIDENCE;
	rec.u.ev.seq = gs->seq;
	rec.u.ev.ts = p->ts;
	/* rendered by the writer thread (sw_evidence_line) */
	rec.u.ev.from_probe = 1;
	rec.u.ev.src = sw_source_addr(s);
	rec.u.ev.probe = *p;
	emit(d, &rec);
}

/* Write the kept probes not written yet: the first N in order, then those
 * of the last N that came after them. */
static void flush_evidence(struct sw_detect *d, const struct sw_source *s,
                           struct sw_group_state *gs)
{
	unsigned n = d->evidence_lines;

	for (uint32_t ord = gs->emitted_upto; ord < gs->probes && ord < n; ord++)
		emit_evidence(d, s, gs, &gs->first[ord]);
	uint32_t from = gs->probes > n ? gs->probes - n : 0;
	if (from < gs->emitted_upto)
		from = gs->emitted_upto;
	if (from < n)
		from = n;
	for (uint32_t ord = from; ord < gs->probes; ord++)
		emit_evidence(d, s, gs, &gs->last[ord % n]);
	if (gs->probes > gs->emitted_upto)
		gs->emitted_upto = gs->probes;
}

static void open_detection(struct sw_detect *d, struct sw_source *s, struct sw_detail *dt,
                           unsigned g, unsigned kind, unsigned variant)
{
	struct sw_group_state *gs = &dt->g[g];
	struct sw_rec rec;

	gs->seq = new_seq(d);
	dt->groups_open |= (uint8_t)(1u << g);
	gs->kind = (uint8_t)kind;
	gs->variant = (uint8_t)variant;
	gs->detected_at = d->now;
	gs->failed_at_detect = gs->fails;
	gs->last_update = d->now;
	gs->dirty = 0;
	d->stats.detections++;
	fill_det(&rec, SW_REC_DET_OPEN, s, g, gs);
	emit(d, &rec);
	flush_evidence(d, s, gs);
}

static void update_detection(struct sw_detect *d, struct sw_source *s, unsigned g,
                             struct sw_group_state *gs)
{
	struct sw_rec rec;

	fill_det(&rec, SW_REC_DET_UPDATE, s, g, gs);
	emit(d, &rec);
	gs->dirty = 0;
	gs->last_update = d->now;
}

/* Whether every probe of the group went to a target that is, now, flooded
 * from forged sources. A pending contact pushed out of a full contact table
 * is settled as failed at once, before the flood it belongs to may have
 * been recognised: such failures escaped flood_fails when they were
 * recorded, and are looked at again here, from the probes kept as
 * evidence (all of them, when there are no more than the evidence keeps). */
static bool probes_all_to_forged_floods(struct sw_detect *d, unsigned g,
                                        const struct sw_group_state *gs)
{
	enum sw_flood_class cls = g == SW_G_TCP ? SW_FL_SYN : SW_FL_UDP;

	if (gs->probes == 0 || gs->probes > d->evidence_lines || !d->floods_open)
		return false;
	for (uint32_t i = 0; i < gs->probes; i++)
		if (!sw_flood_forged_at(d->flood, cls, &gs->first[i].dst, gs->first[i].dport))
			return false;
	return true;
}

/* port_probe: failed first contacts that never made a scan. Rows are rate
 * limited so that spoofed noise cannot flood the database. */
static bool probe_worth_a_row(struct sw_detect *d, unsigned g, const struct sw_group_state *gs)
{
	if (g != SW_G_TCP && g != SW_G_UDP)
		return false;
	if (gs->fails == 0)
		return false;
	if (gs->fails < 2 && !sw_port_in(&d->s.login_ports, gs->login_port))
		return false;
	/* Each failed probe went to a target being flooded from forged
	 * sources: before the flood is detected, every forged address of it
	 * looks like a prober, and a row would send a memo to its innocent
	 * owner. */
	if (gs->flood_fails >= gs->fails || probes_all_to_forged_floods(d, g, gs)) {
		d->stats.probes_suppressed++;
		return false;
	}
	d->probe_tokens += (double)(d->now - d->probe_refill) / 1e6 * PROBE_RATE;
	d->probe_refill = d->now;
	if (d->probe_tokens > PROBE_BURST)
		d->probe_tokens = PROBE_BURST;
	if (d->probe_tokens < 1) {
		d->stats.probes_suppressed++;
		return false;
	}
	d->probe_tokens -= 1;
	return true;
}

/* The group's activity is over: close its detection, or write the
 * port_probe it amounts to, and forget it. */
static void close_group(struct sw_detect *d, struct sw_source *s, struct sw_detail *dt,
                        unsigned g)
{
	struct sw_group_state *gs = &dt->g[g];
	struct sw_rec rec;

	if (!gs->seq && gs->probes && probe_worth_a_row(d, g, gs))
		open_detection(d, s, dt, g, SW_K_PORT_PROBE, SW_V_NONE);
	if (gs->seq) {
		flush_evidence(d, s, gs);
		fill_det(&rec, SW_REC_DET_CLOSE, s, g, gs);
		rec.u.det.closed_at = d->now;
		emit(d, &rec);
	}
	sw_detail_clear_group(dt, g);
}

static void close_detail(struct sw_detect *d, struct sw_source *s, struct sw_detail *dt)
{
	/* the groups with probes (sw_detail.groups_used), in order */
	for (unsigned m = dt->groups_used; m; m &= m - 1)
		close_group(d, s, dt, (unsigned)__builtin_ctz(m));
}

static void on_detail_evicted(void *ctx, struct sw_detail *dt)
{
	struct sw_detect *d = ctx;
	struct sw_source *s = sw_detail_owner(d->sources, dt);

	if (s)
		close_detail(d, s, dt);
}

/* ---- classifying a group's activity ------------------------------------ */

static unsigned argmax_variant(const struct sw_group_state *gs, unsigned from, unsigned to)
{
	unsigned best = from;

	for (unsigned v = from + 1; v <= to; v++)
		if (gs->vcount[v] > gs->vcount[best])
			best = v;
	return best;
}

static unsigned tcp_shape(const struct sw_detect *d, const struct sw_group_state *gs)
{
	if (gs->targets >= d->s.block_min_targets && gs->ports >= d->s.block_min_ports)
		return SW_K_BLOCK_SCAN;
	if (gs->targets <= 1 || gs->ports >= gs->targets)
		return SW_K_PORT_SCAN;
	return SW_K_HOST_SWEEP;
}

/*
 * Are most of the source's recent first contacts answered? Then it is a
 * client or a server doing its work (a resolver asking our name servers, a
 * mail server delivering to our hosts) whose few failures are the other
 * side's: neither TRW nor the failure count makes it a scanner.
 */
static bool mostly_answered(const struct sw_source *s, unsigned which)
{
	return s->recent_ok[which] > 0 && s->recent_ok[which] >= s->recent_fail[which];
}

/* TRW's verdict, or enough failures, with the evidence of successes. */
static bool scan_evidence(const struct sw_source *s, unsigned which,
                          const struct sw_group_state *gs, unsigned min_failures)
{
	if (gs->fails == 0)
		return false;
	if (s->scanner & (1u << which))
		return true;
	return gs->fails >= min_failures && !mostly_answered(s, which);
}

/* Does the group amount to a detection now? Sets *kind, *variant. */
static bool group_fires(const struct sw_detect *d, const struct sw_source *s, unsigned g,
                        const struct sw_group_state *gs, unsigned *kind, unsigned *variant)
{
	*variant = SW_V_NONE;
	switch (g) {
	case SW_G_TCP:
		*kind = tcp_shape(d, gs);
		*variant = argmax_variant(gs, SW_V_SYN, SW_V_CONNECT);
		return scan_evidence(s, SW_TRW_TCP, gs, d->s.scan_min_failures);
	case SW_G_UDP:
		*kind = SW_K_UDP_SCAN;
		return scan_evidence(s, SW_TRW_UDP, gs, d->s.udp_min_failures);
	case SW_G_TRACE:
		*kind = SW_K_TRACEROUTE;
		*variant = argmax_variant(gs, SW_V_UDP, SW_V_ICMP);
		return gs->probes >= TRACE_MIN_PROBES;
	case SW_G_STEALTH: {
		/* FIN, NULL, Xmas, Maimon and SYN+FIN probes are flags no client
		 * sends. A bare ACK is also what a client sends on a connection
		 * opened before the capture started; the server answers that with
		 * data (not looked up) or not at all, never with RST. So only
		 * bare ACKs answered by RST (an unfiltered port's answer to an ACK
		 * it has no connection for) make an ACK scan, and the other
		 * probes are counted apart from the ACKs: a client's old
		 * connections neither make an ACK scan nor hide a FIN scan. */
		unsigned other = argmax_variant(gs, SW_V_FIN, SW_V_MAIMON);
		bool ack_scan = gs->ack_rsts >= d->s.ack_min_ports;
		bool other_scan = gs->firsts - gs->ack_firsts >= d->s.stealth_min_ports;

		if (gs->vcount[SW_V_SYNFIN] > gs->vcount[other])
			other = SW_V_SYNFIN;
		*kind = SW_K_STEALTH_SCAN;
		*variant = ack_scan && (!other_scan || gs->ack_rsts >= gs->vcount[other])
		                   ? SW_V_ACK
		                   : other;
		return ack_scan || other_scan;
	}
	case SW_G_ICMP:
		*kind = SW_K_PING_SWEEP;
		return gs->targets >= d->s.ping_min_targets;
	case SW_G_LOGIN:
		*kind = SW_K_LOGIN_ATTEMPTS;
		return gs->sessions >= d->s.login_min_sessions;
	default:
		return false;
	}
}

static void evaluate(struct sw_detect *d, struct sw_source *s, struct sw_detail *dt, unsigned g)
{
	struct sw_group_state *gs = &dt->g[g];
	unsigned kind, variant;
	bool fires = group_fires(d, s, g, gs, &kind, &variant);

	if (!gs->seq) {
		if (fires)
			open_detection(d, s, dt, g, kind, variant);
		return;
	}
	/* an open detection follows the activity's shape as it grows */
	if (fires && (gs->kind != kind || gs->variant != variant)) {
		gs->kind = (uint8_t)kind;
		gs->variant = (uint8_t)variant;
	}
	gs->dirty = 1;
	if (d->now - gs->last_update >= UPDATE_US)
		update_detection(d, s, g, gs);
}

/* ---- recording probes and outcomes -------------------------------------- */

/* A destination in a distinct set: its address hashed as a source's is
 * (the sources table's key, keyhash.h), the top 32 bits */
static uint32_t addr_hash32(const struct sw_detect *d, const struct sw_addr *a)
{
	return (uint32_t)(sw_source_key(d->sources, a) >> 32);
}

/*
 * Account a record r (one settled probe) to group g of detail dt. With
 * replay, r is a source's pending first record (sources.h) given to its
 * new detail: its flood mark was decided when it was recorded, and it was
 * evaluated then (it made nothing).
 */
static void apply_record(struct sw_detect *d, struct sw_detail *dt, unsigned g,
                         const struct sw_pending *r, bool replay)
{
	struct sw_group_state *gs = &dt->g[g];
	const struct sw_probe *p = &r->p;
	unsigned n = d->evidence_lines;
	struct sw_probe kept;
	bool full;

	dt->last_seen = r->at;
	dt->groups_used |= (uint8_t)(1u << g); /* (probes++ below) */
	if (gs->probes == 0)
		gs->t_first = p->ts;
	else if (gs->probes == 1 && p->ts > gs->t_last)
		gs->gap_avg = (float)(p->ts - gs->t_last) / 1e6f; /* the first gap seeds the mean */
	else if (p->ts > gs->t_last)
		gs->gap_avg = gs->gap_avg * 0.875f + (float)(p->ts - gs->t_last) / 1e6f * 0.125f;
	if (p->ts > gs->t_last)
		gs->t_last = p->ts;
	gs->packets++;
	if (r->bits & SW_CB_FIRST)
		gs->firsts++;
	if (r->failed && (r->bits & SW_CB_FIRST)) {
		gs->fails++;
		if (replay ? r->flood_fail
		           : !gs->seq && (g == SW_G_TCP || g == SW_G_UDP) && d->floods_open &&
		                 sw_flood_forged_at(d->flood, g == SW_G_TCP ? SW_FL_SYN : SW_FL_UDP,
		                                    &p->dst, p->dport))
			gs->flood_fails++;
	}
	if (p->answer == SW_A_HALFOPEN)
		gs->src_resets++;
	else if (p->answer == SW_A_NOACK)
		gs->src_silent++;
	if (r->bits & SW_CB_FRAG)
		gs->evasion |= SW_EVASION_TINY_FRAG;
	if (r->variant == SW_V_ACK && (r->bits & SW_CB_FIRST)) {
		gs->ack_firsts++;
		if (p->answer == SW_A_RST)
			gs->ack_rsts++;
	}
	if (r->variant != SW_V_NONE)
		gs->vcount[r->variant]++;
	if (sw_port_in(&d->s.login_ports, p->dport))
		gs->login_port = p->dport;
	if (sw_detail_add_target(d->sources, dt, g, addr_hash32(d, &p->dst), &full))
		gs->targets++;
	else if (full)
		gs->targets_capped = 1;
	if (p->proto == SW_IPPROTO_TCP || p->proto == SW_IPPROTO_UDP) {
		if (sw_detail_add_port(d->sources, dt, g, p->dport, &full))
			gs->ports++;
		else if (full)
			gs->ports_capped = 1;
	}
	/* keep the probe as evidence: the first n, and the last n in a ring */
	kept = *p;
	kept.ord = gs->probes;
	if (kept.ord < n) {
		sw_table_unpoison(&gs->first[kept.ord], sizeof kept); /* sw_group_clear */
		gs->first[kept.ord] = kept;
	}
	sw_table_unpoison(&gs->last[kept.ord % n], sizeof kept);
	gs->last[kept.ord % n] = kept;
	gs->probes++;
}

static int64_t close_after_us(const struct sw_detect *d, const struct sw_group_state *gs);

/*
 * Could record r, alone in a group, make anything: a detection when it is
 * evaluated, or a port_probe row when its group closes? Then it needs a
 * detail at once; otherwise it may wait in its source (sw_pending) for a
 * second record. Errs towards "yes" (a detail as before).
 */
static bool counts_alone(const struct sw_detect *d, const struct sw_source *s, unsigned g,
                         const struct sw_pending *r)
{
	bool fail = r->failed && (r->bits & SW_CB_FIRST);

	switch (g) {
	case SW_G_TCP:
	case SW_G_UDP:
		if (!fail)
			return false; /* neither scan_evidence nor a port_probe */
		/* a failed login port makes a port_probe row by itself */
		if (sw_port_in(&d->s.login_ports, r->p.dport))
			return true;
		return (s->scanner & (1u << group_trw(g))) ||
		       (g == SW_G_TCP ? d->s.scan_min_failures : d->s.udp_min_failures) <= 1;
	case SW_G_TRACE:
		return TRACE_MIN_PROBES <= 1;
	case SW_G_ICMP:
		return d->s.ping_min_targets <= 1;
	case SW_G_STEALTH:
		return d->s.stealth_min_ports <= 1 || d->s.ack_min_ports <= 1;
	default:
		return true;
	}
}

/*
 * The detail of s, made now if it has none; a pending first record goes
 * into it as it would have gone when it was recorded, unless housekeeping
 * would have closed its group since (a one-probe group that closes makes
 * nothing: counts_alone).
 */
static struct sw_detail *detail_of(struct sw_detect *d, struct sw_source *s)
{
	struct sw_detail *dt = sw_sources_detail(d->sources, s, true);
	struct sw_pending *r = &s->pend;

	if (s->pend_group) {
		if (dt) {
			struct sw_group_state one;
			memset(&one, 0, sizeof one);
			one.fails = r->failed && (r->bits & SW_CB_FIRST);
			one.t_last = r->p.ts > 0 ? r->p.ts : 0;
			if (!(d->last_housekeeping - one.t_last > close_after_us(d, &one)))
				apply_record(d, dt, s->pend_group - 1u, r, true);
		}
		memset(r, 0, sizeof *r);
		s->pend_group = 0;
		sw_sources_touch(d->sources, s);
	}
	return dt;
}

/* Account one settled probe of contact c (destination dst) to group g of
 * source s. */
static void record(struct sw_detect *d, struct sw_source *s, unsigned g,
                   const struct sw_contact *c, const struct sw_addr *dst, bool failed,
                   uint8_t code, unsigned variant)
{
	struct sw_detail *dt = sw_sources_detail(d->sources, s, false);
	struct sw_pending r;
	struct sw_group_state *gs;

	memset(&r, 0, sizeof r);
	r.p.ts = c->t;
	r.p.dst = *dst;
	r.p.sport = c->sport;
	r.p.dport = c->dport;
	r.p.proto = c->proto;
	r.p.pflags = c->pflags;
	r.p.answer = c->answer;
	r.p.code = code;
	r.p.evade = (c->bits & SW_CB_FRAG) != 0;
	r.at = d->now;
	r.variant = (uint8_t)variant;
	r.bits = c->bits;
	r.failed = failed;
	if (!dt && !s->earned && !s->pend_group && !counts_alone(d, s, g, &r)) {
		/* the source's first record: it waits for a second */
		/* (no flood open: no target is flooded from forged sources) */
		if (failed && (c->bits & SW_CB_FIRST) && (g == SW_G_TCP || g == SW_G_UDP) &&
		    d->floods_open)
			r.flood_fail = sw_flood_forged_at(d->flood,
			                                  g == SW_G_TCP ? SW_FL_SYN : SW_FL_UDP, dst,
			                                  c->dport);
		s->pend = r;
		s->pend_group = (uint8_t)(g + 1);
		sw_sources_touch(d->sources, s);
		return;
	}
	if (!dt)
		dt = detail_of(d, s);
	if (!dt)
		return;
	apply_record(d, dt, g, &r, false);
	gs = &dt->g[g];
	if (gs->seq && gs->probes <= d->evidence_lines)
		flush_evidence(d, s, gs);
	evaluate(d, s, dt, g);
}

static void count_outcome(struct sw_detect *d, struct sw_source *s, unsigned which, bool success)
{
	uint16_t *total = success ? &s->ok[which] : &s->fails[which];

	if (*total < UINT16_MAX)
		(*total)++;
	if (!success && *total == 1 && s->fails[!which] == 0)
		sw_sources_touch(d->sources, s); /* its first failure: worth more */
	if (success)
		s->recent_ok[which]++;
	else
		s->recent_fail[which]++;
	if (s->recent_ok[which] + s->recent_fail[which] >= RECENT_MAX) {
		s->recent_ok[which] /= 2;
		s->recent_fail[which] /= 2;
	}
}

static void trw_step(struct sw_detect *d, struct sw_source *s, unsigned which, bool success)
{
	float *llr = &s->trw[which];

	count_outcome(d, s, which, success);
	*llr += success ? d->trw_success : d->trw_fail;
	/* The walk restarts at its lower bound, so that a later scan still
	 * shows; the price is that a long benign life has many excursions, and
	 * a client whose other side fails now and then (10 %: about one
	 * excursion in 6,500 reaches four failures in a row) would cross the
	 * upper bound in the end. The recent success ratio stands in for the
	 * history the restart forgets. */
	if (*llr >= d->trw_upper && !mostly_answered(s, which)) {
		bool was = s->scanner != 0;
		s->scanner |= (uint8_t)(1u << which);
		if (!was)
			sw_sources_touch(d->sources, s); /* now worth more */
	} else if (*llr <= d->trw_lower) {
		*llr = 0;
	}
}

/*
 * The scoring part of an outcome (see score): TRW for first contacts, and
 * the source's groups. Apart, so that the common case of score, a contact
 * whose source is gone (a flood's spoofed sources), costs no more than its
 * few steps.
 */
__attribute__((noinline))
static void score_source(struct sw_detect *d, struct sw_source *s, const struct sw_contact *c,
                         const struct sw_addr *dst, bool success, uint8_t code)
{
	unsigned g = c->group;

	switch (g) {
	case SW_G_TCP:
		if (c->bits & SW_CB_FIRST)
			trw_step(d, s, SW_TRW_TCP, success);
		if (!success)
			record(d, s, g, c, dst, true, code,
			       (c->pflags & SW_PROBE_OS_STACK) ? SW_V_CONNECT : SW_V_SYN);
		break;
	case SW_G_UDP:
		if (c->bits & SW_CB_FIRST)
			trw_step(d, s, SW_TRW_UDP, success);
		if (!success)
			record(d, s, g, c, dst, true, code, SW_V_NONE);
		break;
	case SW_G_STEALTH:
		record(d, s, g, c, dst, !success, code, c->variant);
		break;
	case SW_G_ICMP:
		record(d, s, g, c, dst, !success, code, SW_V_NONE);
		break;
	default:
		break;
	}
}

/*
 * Contact c got its outcome, and the contact table knows it is settled
 * (sw_contacts_settled; the ring's expired contacts are, and an evicted
 * one is a copy outside the table). dst is the contact's destination (from
 * the answering packet or the contact). Scores TRW for first contacts and
 * feeds the source's groups.
 */
static void score(struct sw_detect *d, struct sw_contact *c, const struct sw_addr *dst,
                  enum sw_answer answer, uint8_t code)
{
	struct sw_source *s;

	c->answer = (uint8_t)answer;
	c->state = answer == SW_A_COMPLETED ? SW_C_ESTAB : SW_C_DONE;
	s = sw_sources_seen(d->sources, c->src_key, d->now);
	if (!s)
		return; /* the source was evicted meanwhile */
	score_source(d, s, c, dst, answer == SW_A_COMPLETED || answer == SW_A_REPLY, code);
}

/* Contact c, in the table, got its outcome (score). */
static void settle(struct sw_detect *d, struct sw_contact *c, const struct sw_addr *dst,
                   enum sw_answer answer, uint8_t code)
{
	sw_contacts_settled(d->contacts, c);
	score(d, c, dst, answer, code);
}

/* The open scan detection of the source of c, or NULL. */
static struct sw_group_state *open_scan(struct sw_detect *d, const struct sw_contact *c,
                                        struct sw_source **sp)
{
	struct sw_source *s = sw_sources_find(d->sources, c->src_key);
	struct sw_detail *dt;

	if (!s || !(s->scanner & (1u << SW_TRW_TCP)))
		return NULL;
	dt = sw_sources_detail(d->sources, s, false);
	if (!dt || !dt->g[SW_G_TCP].seq)
		return NULL;
	*sp = s;
	return &dt->g[SW_G_TCP];
}

static bool returning_scanner(struct sw_detect *d, const struct sw_contact *c)
{
	struct sw_source *s;

	return open_scan(d, c, &s) != NULL;
}

/*
 * A scanner completed a session with payload to a port its scan had found
 * open: the first step of an intrusion, and what the analyzer calls a
 * suspected compromise (of our host). Counted on the source's open scan
 * detection, with the session as evidence.
 */
static void session_after_scan(struct sw_detect *d, struct sw_contact *c,
                               const struct sw_addr *dst)
{
	struct sw_source *s = NULL;
	struct sw_group_state *gs = open_scan(d, c, &s);
	struct sw_probe p;

	if (!gs)
		return;
	gs->sessions_after++;
	gs->dirty = 1;
	memset(&p, 0, sizeof p);
	p.ts = c->t;
	p.dst = *dst;
	p.sport = c->sport;
	p.dport = c->dport;
	p.proto = SW_IPPROTO_TCP;
	p.pflags = SW_TH_SYN;
	p.answer = SW_A_RETURNED;
	emit_evidence(d, s, gs, &p);
}

/* A segment of a watched session from its source (an ACK, FIN or RST:
 * data segments skip the lookups): a sequence number past the one after
 * the handshake means payload was sent. */
static void watch_session(struct sw_detect *d, struct sw_contact *c, const struct sw_pkt *p)
{
	if ((int32_t)(p->tcp_seq - c->seq0) <= 0)
		return;
	c->bits &= (uint8_t)~SW_CB_WATCH;
	session_after_scan(d, c, &p->dst);
	sw_conn_mark(sw_contacts_conn(d->contacts, &p->src, &p->dst, p->sport, p->dport));
}

/* ---- login sessions ------------------------------------------------------ */

static void count_session(struct sw_detect *d, struct sw_contact *c, const struct sw_addr *dst)
{
	struct sw_source *s;
	struct sw_detail *dt;
	struct sw_group_state *gs;

	/* most completed handshakes are not logins: no lookup for those */
	if (!sw_port_in(&d->s.login_ports, c->dport) ||
	    !(s = sw_sources_find(d->sources, c->src_key)))
		return;
	dt = detail_of(d, s);
	if (!dt)
		return;
	gs = &dt->g[SW_G_LOGIN];
	if (gs->probes == 0 || c->t - gs->window_start > (int64_t)d->s.login_window_s * 1000000) {
		gs->window_start = c->t;
		gs->sessions = 0;
	}
	gs->sessions++;
	record(d, s, SW_G_LOGIN, c, dst, false, 0, SW_V_NONE);
}

/* ---- contacts ------------------------------------------------------------ */

static bool ignored(const struct sw_detect *d, const struct sw_addr *src)
{
	return d->s.ignore.n && sw_prefix_list_contains(&d->s.ignore, src);
}

static bool is_home(const struct sw_detect *d, const struct sw_addr *a)
{
	return d->s.home.n && sw_prefix_list_contains(&d->s.home, a);
}

/* The entry of the source of p, an initiator's packet: seen now, and
 * marked outbound when a home host sends it out; *created when new. */
static inline struct sw_source *initiator(struct sw_detect *d, const struct sw_pkt *p,
                                          bool *created)
{
	struct sw_source *s = sw_sources_get(d->sources, &p->src, d->now, created);

	if (is_home(d, &p->src) && !is_home(d, &p->dst))
		s->outbound = 1;
	return s;
}

/* A pending contact that will get no answer: one the ring hands out as
 * expired, or the copy of one pushed out of the table (both need no
 * sw_contacts_settled). */
static void settle_timeout(struct sw_detect *d, struct sw_contact *c)
{
	score(d, c, &c->dst, c->state == SW_C_SYNACK ? SW_A_NOACK : SW_A_NONE, 0);
}

/* Settle every contact armed at or before deadline that is still pending
 * as unanswered, in the order they were armed. */
static void expire_contacts(struct sw_detect *d, int64_t deadline)
{
	struct sw_contact *batch[64];
	unsigned n;

	do {
		n = sw_contacts_expired(d->contacts, deadline, batch, 64);
		for (unsigned i = 0; i < n; i++)
			settle_timeout(d, batch[i]);
	} while (n == 64);
}

/* A slot for a new contact, armed at now; a pending contact pushed out is
 * settled as unanswered first, so its outcome still counts. */
static struct sw_contact *new_contact(struct sw_detect *d, uint64_t key)
{
	struct sw_contact victim;
	struct sw_contact *c = sw_contacts_insert(d->contacts, key, d->now, &victim);

	if (victim.key)
		settle_timeout(d, &victim);
	return c;
}

/* One step of the probe signature: the previous signature, the
 * destination (family, then 4 or 16 bytes), protocol and port, packed: 16
 * bytes for IPv4 hash in two SipHash blocks where the padded struct took
 * four */
static uint64_t sig_step(const struct sw_detect *d, uint64_t prev, uint8_t family,
                         const uint8_t *dst, uint8_t proto, uint16_t port)
{
	uint8_t in[8 + 1 + 16 + 1 + 2];
	size_t n = 0, alen = family == SW_AF_INET ? 4 : 16;

	memcpy(in, &prev, 8);
	n = 8;
	in[n++] = family;
	memcpy(in + n, dst, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = (uint8_t)(port >> 8);
	in[n++] = (uint8_t)port;
	return sw_siphash(&d->key, in, n) | 1; /* never 0: 0 is "none" */
}

/* A new first contact of s: the first SW_SIG_PROBES of them, in the order
 * sent, make the source's probe signature. Decoys of one scan (nmap -D)
 * send the same probes in lockstep, so they share it; independent sources
 * almost never do.
 * The signature is read only from SW_SIG_PROBES / 2 first contacts on
 * (fill_det), and most sources (a spoofed address of a flood, a client
 * refused once) make one: an IPv4 first contact is kept as it is in sig
 * (address, protocol, port, the low bit clear where a hash has it set)
 * and hashed only when a second comes, to the same value. */
static_assert(SW_SIG_PROBES / 2 >= 2, "a signature is read only once hashed");
static void sign_hashed(struct sw_detect *d, struct sw_source *s, const struct sw_pkt *p,
                        uint16_t port);
static inline void sign_probe(struct sw_detect *d, struct sw_source *s, const struct sw_pkt *p,
                              uint16_t port)
{
	if (s->sig_n >= SW_SIG_PROBES)
		return;
	if (s->sig_n == 0 && p->dst.family == SW_AF_INET) {
		s->sig = sw_le32(p->dst.bytes) << 32 | (uint64_t)p->proto << 24 |
		         (uint64_t)port << 8 | 2u;
		s->sig_n = 1;
		return;
	}
	sign_hashed(d, s, p, port);
}

/* sign_probe's steps that hash, out of line: the usual first contact
 * above is a few stores and needs none of the registers this saves */
__attribute__((noinline))
static void sign_hashed(struct sw_detect *d, struct sw_source *s, const struct sw_pkt *p,
                        uint16_t port)
{
	if (s->sig_n == 1 && !(s->sig & 1)) {
		uint8_t first[4];
		uint32_t a = (uint32_t)(s->sig >> 32);

		for (int i = 0; i < 4; i++)
			first[i] = (uint8_t)(a >> (8 * i));
		s->sig = sig_step(d, 0, SW_AF_INET, first, (uint8_t)(s->sig >> 24),
		                  (uint16_t)(s->sig >> 8));
	}
	s->sig = sig_step(d, s->sig, p->dst.family, p->dst.bytes, p->proto, port);
	s->sig_n++;
}

/* An initiator's probe: open a contact or refresh the one it has. Returns
 * the contact, NULL when the source is ignored. */
static struct sw_contact *probe(struct sw_detect *d, const struct sw_pkt *p, uint16_t port,
                                unsigned group, uint8_t state, uint8_t pflags)
{
	uint64_t key;
	struct sw_contact *c;
	struct sw_source *s;
	bool created, made = false;

	if (ignored(d, &p->src))
		return NULL;
	/* the noise policy: chatty services whose misses mean nothing */
	if ((p->proto == SW_IPPROTO_TCP || p->proto == SW_IPPROTO_UDP) &&
	    sw_port_in(&d->s.noise_ports, port))
		return NULL;
	c = sw_contacts_lookup(d->contacts, &p->src, &p->dst, p->proto, port, &key);
	s = initiator(d, p, &created);
	if (created)
		sw_fp_first(&s->fp, p); /* most of a flood's: fewer steps */
	else
		sw_fp_observe(&s->fp, p);
	if (c && c->group != group) {
		/* the same port probed another way (nmap's ACK/80 discovery, then
		 * SYN/80): a first contact of the other group */
		c->group = (uint8_t)group;
		c->bits = SW_CB_FIRST;
		sign_probe(d, s, p, port);
	} else if (c) {
		if (sw_contact_pending(c))
			return c; /* a retransmission */
		/* a new episode on a known contact: not a first contact. If the
		 * last one found the port open (a half-open probe), this may be
		 * the scanner coming back to use what it found. */
		c->bits &= (uint8_t)~SW_CB_FIRST;
		if (c->answer == SW_A_HALFOPEN || c->answer == SW_A_NOACK)
			c->bits |= SW_CB_FOUND_OPEN;
	} else {
		c = new_contact(d, key); /* armed already */
		made = true;
		c->bits = SW_CB_FIRST;
		sign_probe(d, s, p, port);
		c->src_key = s->key;
		c->dst = p->dst;
		c->proto = p->proto;
		c->dport = port;
		c->group = (uint8_t)group;
	}
	c->t = d->now;
	c->sport = p->sport;
	c->state = state;
	c->pflags = pflags;
	c->answer = SW_A_PENDING;
	if (p->flags & SW_PF_FRAG_EVADE)
		c->bits |= SW_CB_FRAG;
	if (!made)
		sw_contacts_arm(d->contacts, c);
	return c;
}

/*
 * A traceroute probe: what is left of its TTL is small (it started at the
 * hop count it was testing), and a UDP one goes to traceroute's ports.
 * Seen from our side only the last hops' probes arrive, TTL 1, 2, ...
 * A scanner sends with a full TTL: a low one costs it its answers beyond
 * that many hops.
 */
static bool traceroute_probe(const struct sw_pkt *p)
{
	if (p->ttl == 0 || p->ttl > TRACE_MAX_TTL)
		return false;
	if (p->proto == SW_IPPROTO_UDP)
		return p->dport >= TRACE_PORT_FIRST && p->dport < TRACE_PORT_FIRST + TRACE_PORTS;
	return p->icmp_type == (p->proto == SW_IPPROTO_ICMPV6 ? SW_ICMP6_ECHO : SW_ICMP_ECHO);
}

/* Record a traceroute probe as it is (no contact: its answer says nothing
 * about the source). */
static void traceroute(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_source *s;
	struct sw_contact c;
	bool created;

	if (ignored(d, &p->src))
		return;
	s = initiator(d, p, &created);
	memset(&c, 0, sizeof c);
	c.t = d->now;
	c.dst = p->dst;
	c.proto = p->proto;
	c.sport = p->proto == SW_IPPROTO_UDP ? p->sport : 0;
	c.dport = p->proto == SW_IPPROTO_UDP ? p->dport : 0;
	c.pflags = p->proto == SW_IPPROTO_UDP ? 0 : p->icmp_type;
	c.answer = SW_A_TRACE;
	c.bits = SW_CB_FIRST;
	record(d, s, SW_G_TRACE, &c, &p->dst, false, p->ttl,
	       p->proto == SW_IPPROTO_UDP ? SW_V_UDP : SW_V_ICMP);
}

/* The contact an answering packet (from the destination) belongs to. */
static struct sw_contact *answered(struct sw_detect *d, const struct sw_pkt *p, uint8_t proto,
                                   uint16_t port)
{
	uint64_t key;

	return sw_contacts_lookup(d->contacts, &p->dst, &p->src, proto, port, &key);
}

/* ---- floods -------------------------------------------------------------- */

static const unsigned flood_kind[SW_FL_COUNT] = {
	[SW_FL_SYN] = SW_K_SYN_FLOOD, [SW_FL_UDP] = SW_K_UDP_FLOOD, [SW_FL_ICMP] = SW_K_ICMP_FLOOD,
};

static unsigned class_threshold(const struct sw_settings *s, enum sw_flood_class cls, bool prefix)
{
	if (prefix) {
		switch (cls) {
		case SW_FL_SYN: return s->prefix_syn_pps;
		case SW_FL_UDP: return s->prefix_udp_pps;
		default: return s->prefix_icmp_pps;
		}
	}
	switch (cls) {
	case SW_FL_SYN: return s->syn_flood_pps;
	case SW_FL_UDP: return s->udp_flood_pps;
	default: return s->icmp_flood_pps;
	}
}

static unsigned flood_threshold(const struct sw_detect *d, const struct sw_flood_entry *e)
{
	return class_threshold(&d->s, (enum sw_flood_class)e->cls, e->plen != 0);
}

/*
 * Is the window of e over its threshold? For SYN and UDP only when most of
 * it went unanswered: a target that completes most handshakes or answers
 * most datagrams at that rate is a busy server, client or resolver, and a
 * flood it keeps up with costs it little. An ICMP echo flood is a flood
 * answered or not: every request the target answers it pays for twice, in
 * and out, and no legitimate pinger sends thousands a second.
 *
 * A prefix counts all ports of the class, and its answered SYN and UDP
 * packets do not count at all (a /24 of busy servers answers them).
 */
static bool flood_over(const struct sw_detect *d, const struct sw_flood_entry *e)
{
	int64_t n = e->win_count;

	if (e->cls != SW_FL_ICMP) {
		if ((uint64_t)e->win_answered * 2 >= e->win_count)
			return false;
		if (e->plen)
			n -= e->win_answered;
	}
	return n >= (int64_t)flood_threshold(d, e);
}

/*
 * Who a flood is from. When one sender has at least half the packets it is
 * that sender. Otherwise the sources are spoofed or many: naming the
 * busiest of them would blame an arbitrary, probably innocent, address, so
 * the flood is recorded from the unspecified address (0.0.0.0 or ::), which
 * is special-use and never sent to whois. Decided once, when it opens.
 */
static void flood_attribute(struct sw_flood_entry *e)
{
	struct sw_flood_src top = sw_flood_top(e);

	if ((uint64_t)top.count * 2 >= e->win_count) {
		e->src = top.addr;
	} else {
		memset(&e->src, 0, sizeof e->src);
		e->src.family = e->dst.family;
	}
}

static void flood_record(struct sw_detect *d, struct sw_flood_entry *e, int type)
{
	struct sw_rec rec;
	struct sw_rec_det *r = &rec.u.det;
	struct sw_source *s = sw_sources_find(d->sources, sw_source_key(d->sources, &e->src));
	bool capped = false;

	memset(&rec, 0, sizeof rec);
	rec.type = (uint32_t)type;
	r->seq = e->seq;
	r->kind = (uint8_t)flood_kind[e->cls];
	r->proto = e->cls == SW_FL_SYN ? SW_IPPROTO_TCP : e->cls == SW_FL_UDP ? SW_IPPROTO_UDP
	         : e->dst.family == SW_AF_INET6 ? SW_IPPROTO_ICMPV6 : SW_IPPROTO_ICMP;
	r->src = e->src;
	r->outbound = is_home(d, &e->src) && !is_home(d, &e->dst);
	r->tool = s ? (uint8_t)sw_fp_verdict(&s->fp) : 0;
	r->first_seen = e->first;
	r->last_seen = e->last;
	r->detected_at = e->detected_at;
	/* a prefix flood hits any port: its ports are not counted */
	r->targets = e->plen ? sw_flood_prefix_targets(e, &capped) : 1;
	r->targets_capped = capped;
	r->ports = e->cls == SW_FL_ICMP || e->plen ? 0 : 1;
	r->packets = e->packets;
	if (!e->plen) {
		r->has_dst = 1;
		r->dst = e->dst;
		r->has_dport = r->ports == 1;
		r->dport = r->ports == 1 ? e->port : 0;
	}
	if (type == SW_REC_DET_CLOSE) { /* (-j N: when it ended, see sw_flood_share) */
		int64_t at = e->ends ? e->ends : d->now;
		r->closed_at = at > e->last ? at : e->last;
	}
	emit(d, &rec);
}

/* "203.0.113.80 port 80", "203.0.113.80" (ICMP) or
 * "203.0.113.0/24 (251 addresses)" */
static void flood_destination(const struct sw_flood_entry *e, char *buf, size_t len)
{
	char dst[SW_ADDR_STRLEN];
	uint32_t n;
	bool capped, exact;

	sw_addr_format(&e->dst, dst, sizeof dst);
	if (e->plen) {
		n = sw_flood_prefix_targets(e, &capped);
		exact = sw_flood_prefix_exact(e);
		sw_fmt(buf, len, "%s/%u (%s%u%s address%s)", dst, e->plen,
		       exact || capped ? "" : "about ", n, capped ? " or more" : "",
		       n == 1 && exact ? "" : "es");
	} else if (e->cls == SW_FL_ICMP) {
		sw_fmt(buf, len, "%s", dst);
	} else {
		sw_fmt(buf, len, "%s port %u", dst, e->port);
	}
}

static void flood_evidence(struct sw_detect *d, struct sw_flood_entry *e)
{
	struct sw_rec rec;
	char ts[SW_ISO_LEN], dst[SW_ADDR_STRLEN + 48], top[SW_ADDR_STRLEN];
	struct sw_flood_src t = sw_flood_top(e);
	const char *what = e->cls == SW_FL_SYN ? "TCP SYN" : e->cls == SW_FL_UDP ? "UDP" : "ICMP echo";
	char from[96];
	/* -j N: packets held after its end rolled its window over */
	bool held = e->ends && e->win_start >= e->ends;

	memset(&rec, 0, sizeof rec);
	rec.type = SW_REC_EVIDENCE;
	rec.u.ev.seq = e->seq;
	rec.u.ev.ts = e->ends ? e->ends : d->now; /* -j N: a close when it ended */
	sw_iso_utc(rec.u.ev.ts, ts, sizeof ts);
	flood_destination(e, dst, sizeof dst);
	sw_addr_format(&t.addr, top, sizeof top);
	if (sw_addr_eq(&e->src, &t.addr))
		snprintf(from, sizeof from, "from %s", top);
	else
		snprintf(from, sizeof from, "from %u or more senders (spoofed?), none with half",
		         e->senders);
	/* a line cut short at SW_EVIDENCE_LEN is still a line */
	sw_fmt(rec.u.ev.line, sizeof rec.u.ev.line,
	       "%s %s packets to %s: %u in the last second, %u answered, %s",
	       ts, what, dst, held ? e->end_count : e->win_count,
	       held ? e->end_answered : e->win_answered, from);
	emit(d, &rec);
}

static void flood_close(struct sw_detect *d, struct sw_flood_entry *e);

/* Whether e's open flood is over at packet time t (no packet for a while). */
static bool flood_quiet(const struct sw_flood_entry *e, int64_t t)
{
	return t - e->last > FLOOD_QUIET_US || t - e->win_start > FLOOD_QUIET_US;
}

/* -j N: the window of e as its flood ended, for its closing evidence
 * (packets held after the end roll it over). */
static void flood_end_window(struct sw_flood_entry *e)
{
	if (e->win_start < e->ends) {
		e->end_start = e->win_start;
		e->end_count = e->win_count;
		e->end_answered = e->win_answered;
	}
}

/* -j N: a packet at now, before e's flood ended, of a worker behind:
 * counted in the window as it ended, which held packets may have rolled
 * over (1 s windows, as flood.c's). */
static void flood_end_count(struct sw_flood_entry *e, int64_t now)
{
	if (e->win_start < e->ends) {
		flood_end_window(e);
	} else if (now - e->end_start >= 1000000) {
		e->end_start = now;
		e->end_count = 1;
		e->end_answered = 0;
	} else if (now >= e->end_start) {
		e->end_count++;
	}
}

/*
 * -j N: a packet counted on e, whose flood an engine found ended at
 * e->ends (sw_flood_share). Before that time it is the flood's (true), and
 * the mark is refuted if the flood was not quiet at that time after all;
 * after it, it is not (false): it is held (counted in the window, not for
 * the flood), and the owner closes the flood once every engine has passed
 * that time. Out of line: -j 1 never comes here. Under the lock.
 */
__attribute__((noinline, cold))
static bool flood_still(struct sw_detect *d, struct sw_flood_entry *e)
{
	if (d->now < e->ends) {
		int64_t last = d->now > e->last ? d->now : e->last;
		if (e->ends - last <= FLOOD_QUIET_US && e->ends - e->win_start <= FLOOD_QUIET_US)
			e->refuted = 1; /* not quiet then after all */
		flood_end_count(e, d->now);
		return true;
	}
	if (!e->refuted && e->owner == d->worker && share_min_clock(d->share) >= e->ends) {
		flood_close(d, e);
		return false;
	}
	if (!e->held++ || d->now < e->held_first)
		e->held_first = d->now;
	if (d->now > e->held_last)
		e->held_last = d->now;
	return false;
}

/* -j N: every engine is past e->ends, which was refuted, and past the
 * first packet held after it, and none found the flood over before: it
 * went on, and the packets held were its own. */
static void flood_unhold(struct sw_flood_entry *e)
{
	e->packets += e->held;
	if (e->held_last > e->last)
		e->last = e->held_last;
	e->ends = e->held_first = e->held_last = 0;
	e->held = 0;
	e->refuted = 0;
}

/*
 * One packet counted on e (a target or a prefix): keep its open flood
 * going, or open one when its window is over the threshold and may_open.
 * True if e has an open flood.
 */
static bool flood_step(struct sw_detect *d, struct sw_flood_entry *e, bool may_open)
{
	if (!e->active && flood_over(d, e))
		e->active = 1;
	if (e->seq && e->ends && !flood_still(d, e)) {
		if (e->seq)
			return false; /* ended, not closed yet */
		if (flood_over(d, e))
			e->active = 1; /* closed just now: this one may open the next */
	}
	if (e->seq) {
		e->packets++;
		if (d->now > e->last) /* (-j N: the latest of the workers' clocks) */
			e->last = d->now;
		/* its records are its owner's (their seq, their ring) */
		if (d->now - e->last_update >= UPDATE_US && e->owner == d->worker) {
			flood_record(d, e, SW_REC_DET_UPDATE);
			e->last_update = d->now;
		}
		return true;
	}
	if (e->active && may_open) {
		sw_flood_opening(e);
		e->seq = new_seq(d);
		e->owner = (uint8_t)d->worker;
		e->first = e->win_start;
		e->last = d->now;
		e->detected_at = d->now;
		e->last_update = d->now;
		e->packets = e->win_count;
		d->stats.detections++;
		floods_open_add(d, 1);
		flood_attribute(e);
		flood_record(d, e, SW_REC_DET_OPEN);
		flood_evidence(d, e);
		return true;
	}
	return false;
}

/* flood_count_step's part for the packets near or in a flood: e and pe
 * are the entries counted. Out of line: the count needs no registers
 * kept for it. */
static __attribute__((noinline)) bool flood_decide(struct sw_detect *d, struct sw_flood_entry *e,
                                                   struct sw_flood_entry *pe)
{
	bool flooded;

	if (e && e->seq)
		return flood_step(d, e, true);
	flooded = pe && flood_step(d, pe, true);
	if (e && flood_step(d, e, !(pe && pe->seq)))
		flooded = true;
	return flooded;
}

/*
 * Count a packet towards a flood of its target and of its destination
 * prefix; true if either is being flooded (the packet then needs no
 * per-source tracking). One attack is one detection: the packets of a
 * target with an open flood are that flood's and not counted for its
 * prefix (which also keeps the flood of one target as cheap as it was),
 * and a target inside a prefix with an open flood does not open its own,
 * its packets being the prefix flood's already.
 */
static bool flood_count_step(struct sw_detect *d, enum sw_flood_class cls,
                             const struct sw_pkt *p, uint16_t port)
{
	struct sw_flood_counted c = sw_flood_count(d->flood, cls, &p->dst, port, &p->src, d->now);

	/* most packets only count: no open flood, no window near its
	 * threshold (flood_over cannot be true below it, see the watch
	 * counts set in sw_detect_new) */
	if (!c.target && !c.prefix)
		return false;
	return flood_decide(d, c.target, c.prefix);
}

/* -j N: flood_count_step under the shared table's lock. */
static __attribute__((noinline)) bool flood_count_shared(struct sw_detect *d,
                                                         enum sw_flood_class cls,
                                                         const struct sw_pkt *p, uint16_t port)
{
	bool flooded;

	sw_flood_lock(d->flood);
	flooded = flood_count_step(d, cls, p, port);
	sw_flood_unlock(d->flood);
	return flooded;
}

/* Inline: at its call the count is one call and a test. */
static inline __attribute__((always_inline)) bool flood_packet(struct sw_detect *d,
                                                               enum sw_flood_class cls,
                                                               const struct sw_pkt *p,
                                                               uint16_t port)
{
	if (d->share)
		return flood_count_shared(d, cls, p, port);
	return flood_count_step(d, cls, p, port);
}

static void flood_close(struct sw_detect *d, struct sw_flood_entry *e)
{
	flood_evidence(d, e);
	flood_record(d, e, SW_REC_DET_CLOSE);
	e->ends = e->held_first = e->held_last = 0;
	e->held = 0;
	e->refuted = 0;
	e->seq = 0;
	e->active = 0;
	floods_open_add(d, -1);
}

/* ---- per protocol -------------------------------------------------------- */

static unsigned stealth_variant(uint8_t fl, uint16_t payload)
{
	uint8_t f = fl & (SW_TH_FIN | SW_TH_SYN | SW_TH_RST | SW_TH_PUSH | SW_TH_ACK | SW_TH_URG);

	if ((f & SW_TH_SYN) && (f & SW_TH_FIN))
		return SW_V_SYNFIN;
	if (payload)
		return SW_V_NONE; /* data: a stray segment of a real connection */
	switch (f) {
	case 0: return SW_V_NULL;
	case SW_TH_FIN: return SW_V_FIN;
	case SW_TH_FIN | SW_TH_PUSH | SW_TH_URG: return SW_V_XMAS;
	case SW_TH_FIN | SW_TH_ACK: return SW_V_MAIMON;
	case SW_TH_ACK: return SW_V_ACK;
	default: return SW_V_NONE;
	}
}

/* A SYN of a raw scanner carries at most an MSS option; one from an OS
 * stack (connect()) carries SACK, timestamps, window scale. */
static_assert((SW_PROBE_OS_STACK & (SW_TH_FIN | SW_TH_SYN | SW_TH_RST | SW_TH_PUSH |
                                     SW_TH_ACK | SW_TH_URG)) == 0,
              "the connect() mark is none of the flags a probe is named by");

static uint8_t syn_pflags(const struct sw_pkt *p)
{
	return (uint8_t)(p->tcp_flags | (p->tcp_nopts >= 3 ? SW_PROBE_OS_STACK : 0));
}

__attribute__((noinline))
static void tcp_rst(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_contact *c = answered(d, p, SW_IPPROTO_TCP, p->sport);
	uint64_t key;

	if (c) { /* from the destination */
		if (c->state == SW_C_SYN)
			settle(d, c, &p->src, SW_A_RST, 0);
		else if (c->state == SW_C_STEALTH)
			settle(d, c, &p->src, SW_A_RST, 0);
		return;
	}
	/* from the initiator: a SYN-ACK reset instead of completed is a probe */
	c = sw_contacts_lookup(d->contacts, &p->src, &p->dst, SW_IPPROTO_TCP, p->dport, &key);
	if (c && c->state == SW_C_SYNACK)
		settle(d, c, &p->dst, SW_A_HALFOPEN, 0);
	else if (c && c->state == SW_C_ESTAB && (c->bits & SW_CB_WATCH))
		watch_session(d, c, p);
}

/* A SYN (no ACK, no FIN): a probe, unless it is counted for a flood. */
__attribute__((noinline))
static void tcp_syn(struct sw_detect *d, const struct sw_pkt *p)
{
	if (flood_packet(d, SW_FL_SYN, p, p->dport))
		return;
	probe(d, p, p->dport, SW_G_TCP, SW_C_SYN, syn_pflags(p));
}

/* A SYN-ACK (no FIN): the answer of an open port. */
__attribute__((noinline))
static void tcp_syn_ack(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_contact *c = answered(d, p, SW_IPPROTO_TCP, p->sport);

	if (c && c->state == SW_C_SYN) {
		c->state = SW_C_SYNACK; /* now the source must complete or reset */
		/* a new handshake on a reused tuple: its completing ACK
		 * must reach the contact table, not the filter */
		sw_conn_forget(sw_contacts_conn(d->contacts, &p->src, &p->dst, p->sport, p->dport));
	}
}

/* tcp_ack_or_fin() past the connection filter: the ACK completing a
 * handshake, a segment of a connection not in the filter, or a stealth
 * probe. */
__attribute__((noinline))
static void tcp_unfiltered(struct sw_detect *d, const struct sw_pkt *p, struct sw_conn conn)
{
	uint8_t fl = p->tcp_flags;
	struct sw_contact *c;
	uint64_t key;
	unsigned variant;

	/* part of a known connection, or a stealth probe */
	c = sw_contacts_lookup(d->contacts, &p->src, &p->dst, SW_IPPROTO_TCP, p->dport, &key);
	if (c && c->group == SW_G_TCP) {
		if (c->state == SW_C_SYNACK && (fl & SW_TH_ACK) && !(fl & SW_TH_SYN)) {
			if (c->sessions < UINT16_MAX)
				c->sessions++;
			settle(d, c, &p->dst, SW_A_COMPLETED, 0);
			sw_flood_answered(d->flood, SW_FL_SYN, &p->dst, p->dport, d->now);
			count_session(d, c, &p->dst);
			if ((c->bits & SW_CB_FOUND_OPEN) && returning_scanner(d, c)) {
				/* leave it out of the connection filter: its ACKs and
				 * FIN come here and show whether payload was sent */
				c->bits |= SW_CB_WATCH;
				c->seq0 = p->tcp_seq;
				return;
			}
			sw_conn_mark(conn);
		} else if (c->state == SW_C_ESTAB && (c->bits & SW_CB_WATCH)) {
			watch_session(d, c, p);
		}
		return;
	}
	if (!c)
		c = answered(d, p, SW_IPPROTO_TCP, p->sport);
	if (c) {
		/* a segment of a connection we know: remember it as such, unless
		 * its source's segments must still be looked at */
		if (!(c->bits & SW_CB_WATCH))
			sw_conn_mark(conn);
		return;
	}
	variant = stealth_variant(fl, p->payload_len);
	if (variant == SW_V_NONE)
		return;
	c = probe(d, p, p->dport, SW_G_STEALTH, SW_C_STEALTH, fl);
	if (c)
		c->variant = (uint8_t)variant;
}

/* Neither SYN nor RST, and no data (or a FIN). Most are an ACK or FIN of
 * an established connection, which the filter knows: nothing to learn. The
 * rest is apart (tcp_unfiltered()), so that these save only the two
 * registers they keep across the lookup. */
__attribute__((noinline))
static void tcp_ack_or_fin(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_conn conn = sw_contacts_conn(d->contacts, &p->src, &p->dst, p->sport, p->dport);

	if (sw_conn_known(conn))
		return;
	tcp_unfiltered(d, p, conn);
}

/*
 * A TCP segment, by its flags. Each kind has a function of its own, which
 * this calls last (a jump): the dispatch itself saves no registers. A
 * segment with neither SYN nor RST is tested first, and a data segment
 * among them returns at once: it is neither a probe nor the ACK completing
 * a handshake (most packets are these: no lookup).
 */
static inline void tcp_packet(struct sw_detect *d, const struct sw_pkt *p)
{
	uint8_t fl = p->tcp_flags;

	if (fl & (SW_TH_SYN | SW_TH_RST)) {
		if (fl & SW_TH_RST) {
			tcp_rst(d, p);
			return;
		}
		switch (fl & (SW_TH_SYN | SW_TH_ACK | SW_TH_FIN)) {
		case SW_TH_SYN:
			tcp_syn(d, p);
			return;
		case SW_TH_SYN | SW_TH_ACK:
			tcp_syn_ack(d, p);
			return;
		default:
			break; /* SYN with FIN: as the rest */
		}
	}
	if (p->payload_len && !(fl & SW_TH_FIN))
		return;
	tcp_ack_or_fin(d, p);
}

static bool multicast_or_broadcast(const struct sw_addr *a)
{
	if (a->family == SW_AF_INET)
		return a->bytes[0] >= 224 || (a->bytes[3] == 255);
	return a->bytes[0] == 0xff;
}

__attribute__((noinline))
static void udp_packet(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_contact *c = answered(d, p, SW_IPPROTO_UDP, p->sport);

	if (c) {
		if (c->state == SW_C_UDP)
			settle(d, c, &p->src, SW_A_REPLY, 0);
		sw_flood_answered(d->flood, SW_FL_UDP, &p->src, p->sport, d->now);
		return;
	}
	if (multicast_or_broadcast(&p->dst))
		return;
	/* from a service port to an ephemeral one: an answer whose question we
	 * no longer remember, not a probe */
	if (p->sport < 1024 && p->dport >= 1024)
		return;
	if (flood_packet(d, SW_FL_UDP, p, p->dport))
		return;
	if (traceroute_probe(p)) {
		traceroute(d, p);
		return;
	}
	probe(d, p, p->dport, SW_G_UDP, SW_C_UDP, 0);
}

static bool icmp_request(const struct sw_pkt *p)
{
	if (p->proto == SW_IPPROTO_ICMPV6)
		return p->icmp_type == SW_ICMP6_ECHO;
	return p->icmp_type == SW_ICMP_ECHO || p->icmp_type == SW_ICMP_TIMESTAMP ||
	       p->icmp_type == SW_ICMP_MASK_REQUEST;
}

static bool icmp_reply(const struct sw_pkt *p)
{
	if (p->proto == SW_IPPROTO_ICMPV6)
		return p->icmp_type == SW_ICMP6_ECHO_REPLY;
	return p->icmp_type == SW_ICMP_ECHO_REPLY || p->icmp_type == SW_ICMP_TIMESTAMP_REPLY ||
	       p->icmp_type == SW_ICMP_MASK_REPLY;
}

static bool icmp_unreachable(const struct sw_pkt *p)
{
	return p->proto == SW_IPPROTO_ICMPV6 ? p->icmp_type == SW_ICMP6_UNREACH
	                                     : p->icmp_type == SW_ICMP_UNREACH;
}

/* ICMP echo contacts are keyed with the request type as their port, so the
 * reply's type maps back to it (each ICMP reply type is its request's + 1). */
static uint16_t request_of_reply(const struct sw_pkt *p)
{
	if (p->proto == SW_IPPROTO_ICMPV6)
		return SW_ICMP6_ECHO;
	return (uint16_t)(p->icmp_type == SW_ICMP_ECHO_REPLY ? SW_ICMP_ECHO : p->icmp_type - 1);
}

__attribute__((noinline))
static void icmp_packet(struct sw_detect *d, const struct sw_pkt *p)
{
	struct sw_contact *c;

	if (icmp_request(p)) {
		if (multicast_or_broadcast(&p->dst))
			return;
		if (p->icmp_type == SW_ICMP_ECHO || p->icmp_type == SW_ICMP6_ECHO)
			if (flood_packet(d, SW_FL_ICMP, p, 0))
				return;
		if (traceroute_probe(p)) {
			traceroute(d, p);
			return;
		}
		probe(d, p, p->icmp_type, SW_G_ICMP, SW_C_ECHO, p->icmp_type);
		return;
	}
	if (icmp_reply(p)) {
		c = answered(d, p, p->proto, request_of_reply(p));
		if (c && c->state == SW_C_ECHO)
			settle(d, c, &p->src, SW_A_REPLY, 0);
		if (p->icmp_type == SW_ICMP_ECHO_REPLY || p->icmp_type == SW_ICMP6_ECHO_REPLY)
			sw_flood_answered(d->flood, SW_FL_ICMP, &p->src, 0, d->now);
		return;
	}
	if (icmp_unreachable(p) && (p->flags & SW_PF_INNER) && (p->flags & SW_PF_INNER_PORTS)) {
		/* the quoted header is the probe: inner.src probed inner.dst */
		const struct sw_inner *in = &p->inner;
		uint64_t key;

		c = sw_contacts_lookup(d->contacts, &in->src, &in->dst, in->proto, in->dport, &key);
		if (c && (c->state == SW_C_SYN || c->state == SW_C_UDP || c->state == SW_C_STEALTH))
			settle(d, c, &in->dst, SW_A_UNREACH, p->icmp_code);
	}
}

/* ---- time ---------------------------------------------------------------- */

/*
 * How long a group may stay quiet before it is closed. Two timescales: a
 * group that has failed contacts but no detection yet is the slow scan
 * still gathering evidence, and waits slow_memory_s (the coarse scale; the
 * details table's eviction bounds what that costs). A detection closes
 * after idle_timeout_s, or four times the source's own pace if that is
 * slower, so a scan at one probe every ten minutes stays one detection.
 */
static int64_t close_after_us(const struct sw_detect *d, const struct sw_group_state *gs)
{
	double idle = d->s.idle_timeout_s;
	double slow = 4.0 * gs->gap_avg;

	if (!gs->seq && gs->fails > 0)
		return (int64_t)d->s.slow_memory_s * 1000000;
	if (slow > idle)
		idle = slow > d->s.slow_memory_s ? d->s.slow_memory_s : slow;
	return (int64_t)(idle * 1e6);
}

static void housekeeping(struct sw_detect *d)
{
	int64_t deadline = d->now - (int64_t)d->s.contact_timeout_ms * 1000;

	expire_contacts(d, deadline);

	/* from here on, groups quiet too long are closed (detail_of) */
	d->last_housekeeping = d->now;

	for (unsigned i = 0; i < sw_sources_ndetails(d->sources); i++) {
		struct sw_detail *dt = sw_sources_detail_at(d->sources, i);
		struct sw_source *s = dt ? sw_detail_owner(d->sources, dt) : NULL;

		if (!s)
			continue;
		/* the groups with probes (sw_detail.groups_used), in order */
		for (unsigned m = dt->groups_used; m; m &= m - 1) {
			unsigned g = (unsigned)__builtin_ctz(m);
			struct sw_group_state *gs = &dt->g[g];
			if (d->now - gs->t_last > close_after_us(d, gs))
				close_group(d, s, dt, g);
			else if (gs->seq && gs->dirty && d->now - gs->last_update >= UPDATE_US)
				update_detection(d, s, g, gs);
		}
	}
	flood_lock(d);
	int64_t all = d->now; /* -j N: the packet time every engine has reached */
	if (d->share) {
		share_clock(d, d->now);
		all = share_min_clock(d->share);
	}
	for (unsigned i = 0; d->floods_open && i < sw_flood_size(d->flood); i++) {
		struct sw_flood_entry *e = sw_flood_at(d->flood, i);
		if (!e->seq)
			continue;
		if (d->share) { /* (see sw_flood_share) */
			/* the first time it is seen over, or the next after a
			 * refuted one (the packets held after that stay held) */
			if ((!e->ends || e->refuted || d->now < e->ends) && flood_quiet(e, d->now)) {
				e->ends = d->now;
				e->refuted = 0;
				flood_end_window(e);
			}
			if (e->ends && e->refuted && all >= e->ends &&
			    (!e->held || all >= e->held_first))
				flood_unhold(e);
			if (e->owner != d->worker)
				continue;
			if (e->ends && e->refuted)
				continue;
			if (e->ends) {
				if (all >= e->ends)
					flood_close(d, e);
				continue;
			}
		}
		if (flood_quiet(e, d->now))
			flood_close(d, e);
		else if (d->now - e->last_update >= UPDATE_US) {
			flood_record(d, e, SW_REC_DET_UPDATE);
			e->last_update = d->now;
		}
	}
	flood_unlock(d);
}

/* advance()'s rare step, apart so that the packet path keeps no registers
 * for it: the first packet sets the first tick (next_tick 0, at or below
 * now, which starts at 0 and only grows), a tick that is due runs the
 * housekeeping. */
__attribute__((noinline, cold))
static void tick(struct sw_detect *d)
{
	if (d->next_tick != 0)
		housekeeping(d);
	d->next_tick = d->now + SW_DETECT_TICK_US;
}

static void advance(struct sw_detect *d, int64_t ts)
{
	/* packet time only moves forward: a reordered packet does not rewind
	 * (a select and a store, where a branch would be taken on nearly
	 * every packet) */
	int64_t now = ts > d->now ? ts : d->now;

	d->now = now;
	if (now >= d->next_tick)
		tick(d);
}

/* ---- public ---------------------------------------------------------------- */

void sw_detect_clock_packet(struct sw_pkt *p, int64_t t)
{
	memset(p, 0, sizeof *p);
	p->ts_us = (uint64_t)t;
	p->l3 = SW_L3_IPV4;
	p->proto = 255;
}

void sw_detect_packet(struct sw_detect *d, const struct sw_pkt *p)
{
	if (p->err != SW_DERR_NONE || (p->l3 != SW_L3_IPV4 && p->l3 != SW_L3_IPV6))
		return;
	advance(d, (int64_t)p->ts_us);
	/* TCP first: nearly all packets are */
	if (p->proto == SW_IPPROTO_TCP) {
		if (p->flags & SW_PF_HAS_PORTS)
			tcp_packet(d, p);
		return;
	}
	switch (p->proto) {
	case SW_IPPROTO_UDP:
		if (p->flags & SW_PF_HAS_PORTS)
			udp_packet(d, p);
		break;
	case SW_IPPROTO_ICMP:
	case SW_IPPROTO_ICMPV6:
		if (!(p->flags & SW_PF_FRAG) || (p->flags & SW_PF_FRAG_FIRST))
			icmp_packet(d, p);
		break;
	default:
		break;
	}
}

void sw_detect_finish(struct sw_detect *d)
{
	/* the capture is over: what is still unanswered stays unanswered */
	expire_contacts(d, INT64_MAX);
	for (unsigned i = 0; i < sw_sources_ndetails(d->sources); i++) {
		struct sw_detail *dt = sw_sources_detail_at(d->sources, i);
		struct sw_source *s = dt ? sw_detail_owner(d->sources, dt) : NULL;
		if (s)
			close_detail(d, s, dt);
	}
	flood_lock(d);
	/* -j N: the last engine to finish closes every flood still open, each
	 * through its owner (its seq, its ring), once all have settled their
	 * contacts above, as one engine settles them all before closing */
	if (d->share && ++d->share->finished < d->share->n) {
		flood_unlock(d);
		return;
	}
	for (unsigned i = 0; d->floods_open && i < sw_flood_size(d->flood); i++) {
		struct sw_flood_entry *e = sw_flood_at(d->flood, i);
		struct sw_detect *o = d->share ? d->share->engine[e->owner] : d;
		if (!e->seq)
			continue;
		if (e->refuted) /* (-j N) it went on to the end */
			flood_unhold(e);
		flood_close(o, e);
	}
	flood_unlock(d);
}

const struct sw_detect_stats *sw_detect_stats(const struct sw_detect *d)
{
	struct sw_detect *m = (struct sw_detect *)d;

	m->stats.contact_evictions = sw_contacts_evictions(d->contacts);
	m->stats.source_evictions = sw_sources_evictions(d->sources);
	m->stats.detail_evictions = sw_details_evictions(d->sources);
	/* a shared flood table's counts once, with the first worker's */
	if (d->worker == 0) {
		flood_lock(m);
		m->stats.flood_evictions = sw_flood_evictions(d->flood);
		m->stats.flood_prefix_evictions = sw_flood_prefix_evictions(d->flood);
		flood_unlock(m);
	}
	return &d->stats;
}

uint64_t sw_detect_memory(const struct sw_detect *d)
{
	return sizeof *d + sw_contacts_memory(d->contacts) + sw_sources_memory(d->sources) +
	       (d->worker == 0 ? sw_flood_memory(d->flood) : 0); /* a shared one once */
}

struct sw_detect *sw_detect_new(const struct sw_settings *s, struct sw_detect_sink sink)
{
	struct sw_detect *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->s = *s;
	d->sink = sink;
	d->evidence_lines = s->evidence_lines < 1 ? 1
	                  : s->evidence_lines > SW_EVIDENCE_MAX ? SW_EVIDENCE_MAX
	                  : s->evidence_lines;
	d->trw_fail = (float)log((1 - s->trw_theta1) / (1 - s->trw_theta0));
	d->trw_success = (float)log(s->trw_theta1 / s->trw_theta0);
	d->trw_upper = (float)log(s->trw_pd / s->trw_pf);
	d->trw_lower = (float)log((1 - s->trw_pd) / (1 - s->trw_pf));
	d->probe_tokens = PROBE_BURST;
	if (sw_sipkey_random(&d->key) < 0)
		goto fail;
	d->contacts = sw_contacts_new(s->contacts, &d->key);
	d->sources = sw_sources_new(s->sources, s->details, s->distinct_cap, &d->key,
	                            on_detail_evicted, d);
	d->flood = sw_flood_new(s->targets, s->prefixes, s->flood_prefix4, s->flood_prefix6,
	                        &d->key);
	if (!d->contacts || !d->sources || !d->flood)
		goto fail;
	/* flood_over needs at least the threshold's count of packets in the
	 * window (it subtracts answered ones, or requires none): below it the
	 * flood table need not report a packet */
	for (unsigned c = 0; c < SW_FL_COUNT; c++) {
		sw_flood_watch(d->flood, (enum sw_flood_class)c, false,
		               class_threshold(s, (enum sw_flood_class)c, false));
		sw_flood_watch(d->flood, (enum sw_flood_class)c, true,
		               class_threshold(s, (enum sw_flood_class)c, true));
	}
	return d;
fail:
	sw_detect_free(d);
	return NULL;
}

void sw_detect_free(struct sw_detect *d)
{
	if (!d)
		return;
	sw_contacts_free(d->contacts);
	sw_sources_free(d->sources);
	if (d->worker == 0) /* the first worker's table, when shared */
		sw_flood_free(d->flood);
	if (d->share && d->worker == 0) {
		pthread_mutex_destroy(&d->share->lock);
		free(d->share);
	}
	free(d);
}

int sw_detect_share_floods(struct sw_detect **d, unsigned n)
{
	struct sw_flood_share *sh;

	if (n < 2)
		return 0;
	if (n > SW_DETECT_MAX_SHARE || !(sh = calloc(1, sizeof *sh)))
		return -1;
	if (pthread_mutex_init(&sh->lock, NULL) != 0) {
		free(sh);
		return -1;
	}
	sh->n = n;
	sw_flood_set_lock(d[0]->flood, &sh->lock);
	for (unsigned i = 0; i < n; i++) {
		sh->engine[i] = d[i];
		d[i]->share = sh;
		d[i]->worker = i;
		if (i > 0) { /* before any packet: its own table was never used */
			sw_flood_free(d[i]->flood);
			d[i]->flood = d[0]->flood;
		}
	}
	return 0;
}
