/*
 * sources.h - what the sensor remembers about each source address.
 *
 * Two fixed tables. The sources table (many small entries) holds every
 * initiator's TRW scores, failure counts and tool fingerprint, keyed by a
 * SipHash of the address. The details table (few large entries) is given
 * only to sources doing something a detection could be made of (a failed
 * contact, a stealth probe, a ping, a login session), and only at their
 * second such record unless the first could make a detection or a row on
 * its own (the first waits in the source: sw_pending): per activity group
 * it keeps the distinct targets and ports, the open detection and the
 * evidence probes. When full, the least useful entry is evicted: one
 * without an open detection and with the fewest failures, oldest first.
 */
#ifndef SW_SOURCES_H
#define SW_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "fingerprint.h"
#include "record.h"
#include "siphash.h"
#include "table.h"

/* Activity groups: each holds at most one open detection. */
enum sw_group {
	SW_G_TCP,     /* SYN first contacts: port_scan, host_sweep, block_scan, port_probe */
	SW_G_STEALTH, /* FIN/NULL/XMAS/maimon/ACK/SYN-FIN probes */
	SW_G_UDP,     /* udp_scan */
	SW_G_ICMP,    /* ping_sweep */
	SW_G_LOGIN,   /* login_attempts */
	SW_G_TRACE,   /* traceroute: low-TTL probes, recorded, never a scan */
	SW_G_COUNT
};

#define SW_TRW_TCP 0
#define SW_TRW_UDP 1

#define SW_SIG_PROBES 8        /* first contacts in a source's probe signature */

/* A source's first record (a settled probe, detect.c), kept in its entry
 * until a second record earns the source a detail: most sources (a client
 * refused once, a spoofed address of a flood) never make a second, and a
 * detail with its distinct set costs kilobytes to take and clear. Only a
 * record that could not make a detection or a row on its own waits here. */
struct sw_pending {
	struct sw_probe p;     /* the probe as evidence keeps it (ord 0) */
	int64_t at;            /* packet time it was recorded */
	uint8_t variant;       /* (its group is the source's pend_group) */
	uint8_t bits;          /* the contact's SW_CB_* bits */
	uint8_t failed;
	uint8_t flood_fail;    /* failed towards a target flooded from forged sources */
};

/*
 * A source's entry is three cache lines of the 64-byte aligned table.
 * The first holds all a new source writes (its key and IPv4 address, the
 * sig, sig_n and fp of its first probe, zeros for the rest) and all that
 * a probe or an outcome of a known source reads and writes (fp, sig,
 * sig_n; trw, ok, fails, recent_*, scanner on settling): a new source
 * writes one line, a known one's packet reads and writes one. The other
 * lines hold what is rarely used, and a new source leaves them as they
 * were, so each is read only while something in the first line or in the
 * table says it was set: pend while pend_group is set, addr6 for an IPv6
 * source (inet6), detail and last_seen while the source's slot word says
 * so (sources.c: they are private to it). sources.c asserts the layout.
 * The fields of a source's worth as a victim (scanner, fails, pend_group,
 * and its detail) are copied into the slot word the victim is chosen
 * from: a change to scanner, fails or pend_group goes through
 * sw_sources_touch (detail and last_seen are changed in sources.c only).
 * The address is read with sw_source_addr.
 */
struct sw_source {
	/* first line */
	uint64_t key;          /* 0: empty */
	uint64_t sig;          /* hash of the first SW_SIG_PROBES first contacts in
	                          order: decoys of one scan share it */
	float trw[2];          /* log likelihood ratio, TCP and UDP */
	struct sw_fp_state fp;
	uint16_t fails[2];     /* failed first contacts (saturating) */
	uint16_t ok[2];        /* first contacts that succeeded (saturating) */
	uint8_t addr4[4];      /* an IPv4 source's address */
	uint8_t recent_ok[2], recent_fail[2]; /* the same over the last ~64 first
	                          contacts (both halve at 64): "mostly answered" */
	uint8_t sig_n;         /* first contacts hashed into sig */
	uint8_t scanner;       /* bit per TRW score that crossed the upper bound */
	uint8_t pend_group;    /* pend's group + 1; 0: nothing pending */
	uint8_t outbound : 1;  /* a home address */
	uint8_t earned : 1;    /* has had a detail: records go to one at once */
	uint8_t inet6 : 1;     /* an IPv6 source: its address is addr6 */
	/* second line */
	struct sw_pending pend;
	/* third line: private to sources.c */
	uint32_t detail;       /* index + 1 in the details table, 0 none */
	uint8_t addr6[16];     /* an IPv6 source's address */
	int64_t last_seen;     /* when the slot word cannot hold it */
} __attribute__((aligned(64))); /* whole lines */

/* The address of a source (family and bytes, the rest zero). */
static inline struct sw_addr sw_source_addr(const struct sw_source *s)
{
	struct sw_addr a = { .family = s->inet6 ? SW_AF_INET6 : SW_AF_INET };

	if (s->inet6)
		memcpy(a.bytes, s->addr6, sizeof s->addr6);
	else
		memcpy(a.bytes, s->addr4, sizeof s->addr4);
	return a;
}

#define SW_EVIDENCE_MAX 8

struct sw_group_state {
	uint32_t seq;          /* detection number when open, 0 when not */
	uint8_t kind, variant;
	uint8_t dirty;         /* changed since the last update record */
	uint8_t targets_capped, ports_capped;
	int64_t t_first, t_last, detected_at, last_update;
	float gap_avg;         /* mean seconds between probes: slow scans stay open */
	uint32_t targets, ports;
	uint32_t probes;       /* probes recorded (evidence ordinals) */
	uint32_t firsts;       /* of them, first contacts */
	uint32_t fails;        /* failed first contacts */
	uint32_t flood_fails;  /* of them, to a target flooded from forged sources */
	uint32_t ack_firsts;   /* stealth: first contacts that were bare ACKs */
	uint32_t ack_rsts;     /* of them, answered by RST */
	uint32_t src_resets;   /* SYN-ACKs the source reset (raw-socket scanner) */
	uint32_t src_silent;   /* SYN-ACKs the source left unanswered (decoy, spoofed) */
	uint8_t evasion;       /* SW_EVASION_* its probes used */
	uint32_t failed_at_detect;
	uint32_t sessions_after;  /* the source came back to a port it found open */
	uint32_t emitted_upto; /* evidence ordinals below this were written */
	uint32_t sessions;     /* login: completed sessions in the window */
	int64_t window_start;
	uint64_t packets;
	uint32_t vcount[SW_V_COUNT];
	uint16_t login_port;   /* a port of the probes, for port_probe's policy */
	/* the evidence: entries below the ordinals recorded (probes) are
	 * read, and each is written as its probe is recorded, so a group is
	 * emptied without them (sw_group_clear) */
	struct sw_probe first[SW_EVIDENCE_MAX];
	struct sw_probe last[SW_EVIDENCE_MAX]; /* ring by ordinal */
};

/*
 * Empty a group as a memset of it would for every read that follows: its
 * counters zeroed, its evidence (ten of its thirteen cache lines) left as
 * it was, since an entry is written before it is read (above). The dev
 * build marks the evidence unreadable (sw_table_poison) until apply_record
 * writes an entry.
 */
static inline void sw_group_clear(struct sw_group_state *gs)
{
	memset(gs, 0, offsetof(struct sw_group_state, first));
	sw_table_poison(gs->first, sizeof gs->first + sizeof gs->last);
}

#define SW_SET_SMALL 15    /* distinct keys kept in the detail itself */

struct sw_detail {
	uint64_t src_key;      /* owner; 0 free */
	int64_t last_seen;
	/* a bit per group, beside the owner in the detail's first line, so
	 * that choosing a victim, clearing a detail and housekeeping read the
	 * groups in use only (each group is thirteen lines of its own) */
	uint8_t groups_used;   /* its probes are not 0 */
	uint8_t groups_open;   /* its seq is not 0 (an open detection) */
	struct sw_group_state g[SW_G_COUNT];
	/* the distinct set: up to SW_SET_SMALL keys here, in one cache line
	 * with their count (most sets stay that small: a look at a few keys,
	 * and nothing to clear), beyond that all of them in the detail's
	 * hashed array (sources.c) */
	_Alignas(64) uint32_t small[SW_SET_SMALL]; /* the keys, while used <= SW_SET_SMALL */
	uint32_t used;         /* keys in the distinct set */
};

/* Empty group g of dt (sw_group_clear), and its bits. */
static inline void sw_detail_clear_group(struct sw_detail *dt, unsigned g)
{
	sw_group_clear(&dt->g[g]);
	dt->groups_used &= (uint8_t)~(1u << g);
	dt->groups_open &= (uint8_t)~(1u << g);
}

struct sw_sources;

/* Called with a detail about to be taken from its source (table full, or
 * the source itself evicted): close what it has open. */
typedef void (*sw_detail_evict_fn)(void *ctx, struct sw_detail *victim);

struct sw_sources *sw_sources_new(unsigned sources, unsigned details,
                                  unsigned distinct_cap, const struct sw_sipkey *key,
                                  sw_detail_evict_fn on_evict, void *ctx);
void sw_sources_free(struct sw_sources *t);
uint64_t sw_sources_memory(const struct sw_sources *t);

uint64_t sw_source_key(const struct sw_sources *t, const struct sw_addr *a);
struct sw_source *sw_sources_find(struct sw_sources *t, uint64_t key);
/* Find or make the entry of a, seen at now (its last_seen, which never goes
 * back); a new one (*created set) has its first line zeroed with key and
 * address set (see struct sw_source). */
struct sw_source *sw_sources_get(struct sw_sources *t, const struct sw_addr *a, int64_t now,
                                 bool *created);
/* sw_sources_find, and the entry (if any) seen at now, as sw_sources_get. */
struct sw_source *sw_sources_seen(struct sw_sources *t, uint64_t key, int64_t now);
/* A field of the worth of s as a victim (scanner, fails, pend_group)
 * changed: call this before the next sw_sources_get, which chooses victims
 * from the worth and age recorded by this, by seeing the source (its age:
 * sw_sources_get and _seen) and by giving it a detail or taking it. */
void sw_sources_touch(struct sw_sources *t, const struct sw_source *s);

/* The detail of s, or NULL; with create, a new one (a victim's open
 * detections are closed through on_evict first). */
struct sw_detail *sw_sources_detail(struct sw_sources *t, struct sw_source *s, bool create);
/* The owner of a detail (for evidence and rows), or NULL if gone. */
struct sw_source *sw_detail_owner(struct sw_sources *t, const struct sw_detail *dt);

/* Distinct-set membership: true if new. Sets *full when the set is at its
 * cap (the key was not added: counts become lower bounds). */
bool sw_detail_add_target(struct sw_sources *t, struct sw_detail *dt, unsigned group,
                          uint32_t dst_hash, bool *full);
bool sw_detail_add_port(struct sw_sources *t, struct sw_detail *dt, unsigned group,
                        uint16_t port, bool *full);

/* Iterate the details table (housekeeping): NULL for a free slot, without
 * touching it. */
unsigned sw_sources_ndetails(const struct sw_sources *t);
struct sw_detail *sw_sources_detail_at(struct sw_sources *t, unsigned i);

uint64_t sw_sources_evictions(const struct sw_sources *t);
uint64_t sw_details_evictions(const struct sw_sources *t);

#endif
