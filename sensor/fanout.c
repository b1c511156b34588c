/*
 * fanout.c - owns the -j N split rule (see fanout.h): the classic BPF
 * program that picks a live packet's worker by its external address, the
 * same rule in C for capture files, and joining a capture socket to the
 * PACKET_FANOUT group.
 *
 * The program only uses what both the kernel and libpcap's userspace
 * interpreter run (so the unit test executes the very instructions the
 * kernel gets): loads at base + offset, the A and X registers and the 16
 * scratch words. Scratch layout: M[0..3] the source (IPv4: M[0]), M[4..7]
 * the destination, M[8] a temporary for the IPv6 hash.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "fanout.h"

#define M_SRC 0
#define M_DST 4
#define M_TMP 8
#define GOLDEN 0x9e3779b1u
#define MAX_LABELS 64
#define MAX_FIXUPS 256

static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter), "insn layout");

struct gen {
	struct bpf_insn *p;
	size_t n, cap;
	int32_t base;
	bool overflow;
	int nlabels;
	long label_at[MAX_LABELS];  /* instruction index, -1 until placed */
	int nfix;
	struct { size_t insn; int label; } fix[MAX_FIXUPS];
};

static void emit(struct gen *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (g->n >= g->cap) {
		g->overflow = true;
		return;
	}
	g->p[g->n++] = (struct bpf_insn){ .code = code, .jt = jt, .jf = jf, .k = k };
}

static int label(struct gen *g)
{
	if (g->nlabels >= MAX_LABELS) {
		g->overflow = true;
		return 0;
	}
	g->label_at[g->nlabels] = -1;
	return g->nlabels++;
}

static void place(struct gen *g, int l)
{
	g->label_at[l] = (long)g->n;
}

/* An unconditional jump to a label (32-bit offset: any distance). */
static void ja(struct gen *g, int l)
{
	if (g->nfix >= MAX_FIXUPS) {
		g->overflow = true;
		return;
	}
	g->fix[g->nfix].insn = g->n;
	g->fix[g->nfix++].label = l;
	emit(g, BPF_JMP | BPF_JA, 0, 0, 0);
}

/* if (A op k) goto t else goto f; op is BPF_JEQ, BPF_JGT... with BPF_K or
 * BPF_X. Three instructions: the conditional only ever skips one. */
static void jif(struct gen *g, uint16_t op, uint32_t k, int t, int f)
{
	emit(g, BPF_JMP | op, 0, 1, k);
	ja(g, t);
	ja(g, f);
}

static void ld_abs(struct gen *g, uint16_t size, uint32_t off)
{
	emit(g, BPF_LD | size | BPF_ABS, 0, 0, (uint32_t)g->base + off);
}

static void ld_ind(struct gen *g, uint16_t size, uint32_t off)
{
	emit(g, BPF_LD | size | BPF_IND, 0, 0, (uint32_t)g->base + off);
}

static void ld_mem(struct gen *g, uint32_t m) { emit(g, BPF_LD | BPF_MEM, 0, 0, m); }
static void st_mem(struct gen *g, uint32_t m) { emit(g, BPF_ST, 0, 0, m); }
static void alu_k(struct gen *g, uint16_t op, uint32_t k) { emit(g, BPF_ALU | op | BPF_K, 0, 0, k); }
static void tax(struct gen *g) { emit(g, BPF_MISC | BPF_TAX, 0, 0, 0); }
static void ret_k(struct gen *g, uint32_t k) { emit(g, BPF_RET | BPF_K, 0, 0, k); }
static void ret_a(struct gen *g) { emit(g, BPF_RET | BPF_A, 0, 0, 0); }

/* Word i (0..3) of an address as the program loads it: big-endian. */
static uint32_t word(const uint8_t *b, unsigned i)
{
	return (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
	       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
}

static uint32_t mask_word(unsigned len, unsigned i)
{
	unsigned bits = len > 32 * i ? len - 32 * i : 0;

	if (bits >= 32)
		return 0xffffffffu;
	return bits ? ~(0xffffffffu >> bits) : 0;
}

/* Goto yes if the address in M[m] (words words) is in one of home's
 * prefixes of family fam, else goto no. Each prefix: per word, load, mask,
 * compare (a mismatch skips to the next prefix: short, known offsets). */
static void home_test(struct gen *g, const struct sw_prefix_list *home, int fam, unsigned m,
                      unsigned words, int yes, int no)
{
	for (unsigned i = 0; i < home->n && i < SW_MAX_PREFIXES; i++) {
		const struct sw_prefix *p = &home->p[i];
		unsigned need, w;

		if (p->addr.family != fam)
			continue;
		need = (p->len + 31) / 32; /* words the prefix constrains */
		if (need > words)
			need = words;
		if (need == 0) { /* /0: everything */
			ja(g, yes);
			return;
		}
		for (w = 0; w < need; w++) {
			uint32_t mask = mask_word(p->len, w);
			/* to the next prefix: the rest of this one's words, and its ja */
			unsigned skip = (need - w - 1) * 3 + 1;
			ld_mem(g, m + w);
			alu_k(g, BPF_AND, mask);
			emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)skip,
			     word(p->addr.bytes, w) & mask);
		}
		ja(g, yes);
	}
	ja(g, no);
}

/* A = hash of the address in M[m]; return it. */
static void ret_hash(struct gen *g, unsigned m, unsigned words)
{
	ld_mem(g, m);
	alu_k(g, BPF_MUL, GOLDEN);
	for (unsigned w = 1; w < words; w++) {
		st_mem(g, M_TMP);
		ld_mem(g, m + w);
		tax(g);
		ld_mem(g, M_TMP);
		emit(g, BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0);
		alu_k(g, BPF_MUL, GOLDEN);
	}
	alu_k(g, BPF_RSH, 16); /* the product's well-mixed high bits */
	ret_a(g);
}

/* With the source in M[M_SRC] and the destination in M[M_DST]: choose
 * and return. */
static void classify(struct gen *g, const struct sw_prefix_list *home, int fam,
                     unsigned words)
{
	int src_home = label(g), src_away = label(g), lower = label(g);
	int pick_src = label(g), pick_dst = label(g);
	bool any = false;

	for (unsigned i = 0; i < home->n && i < SW_MAX_PREFIXES; i++)
		any |= home->p[i].addr.family == fam;
	if (any) {
		home_test(g, home, fam, M_SRC, words, src_home, src_away);
		place(g, src_home); /* home -> elsewhere: by the destination */
		home_test(g, home, fam, M_DST, words, lower, pick_dst);
		place(g, src_away); /* elsewhere -> home: by the source */
		home_test(g, home, fam, M_DST, words, pick_src, lower);
	}
	/* both, neither or no home: the lower address, compared word by word */
	place(g, lower);
	for (unsigned w = 0; w < words; w++) {
		int next = label(g);
		ld_mem(g, M_SRC + w);
		tax(g);
		ld_mem(g, M_DST + w);
		jif(g, BPF_JGT | BPF_X, 0, pick_src, next); /* dst > src */
		place(g, next);
		if (w + 1 < words) {
			int eq = label(g);
			jif(g, BPF_JEQ | BPF_X, 0, eq, pick_dst);
			place(g, eq);
		} else {
			ja(g, pick_dst); /* dst <= src: the destination */
		}
	}
	place(g, pick_src);
	ret_hash(g, M_SRC, words);
	place(g, pick_dst);
	ret_hash(g, M_DST, words);
}

static void store_words(struct gen *g, bool ind, uint32_t off, unsigned words, unsigned m)
{
	for (unsigned w = 0; w < words; w++) {
		if (ind)
			ld_ind(g, BPF_W, off + 4 * w);
		else
			ld_abs(g, BPF_W, off + 4 * w);
		st_mem(g, m + w);
	}
}

static void ipv4(struct gen *g, const struct sw_prefix_list *home)
{
	static const uint8_t errors[] = { 3, 4, 5, 11, 12 };
	int icmp = label(g), first = label(g), inner = label(g), plain = label(g);
	int go = label(g);

	ld_abs(g, BPF_B, 9); /* protocol */
	jif(g, BPF_JEQ | BPF_K, 1, icmp, plain);
	place(g, icmp);
	ld_abs(g, BPF_H, 6); /* a later fragment has no ICMP header */
	alu_k(g, BPF_AND, 0x1fff);
	jif(g, BPF_JEQ | BPF_K, 0, first, plain);
	place(g, first);
	ld_abs(g, BPF_B, 0);
	alu_k(g, BPF_AND, 0xf);
	alu_k(g, BPF_LSH, 2);
	tax(g);               /* X = the header length */
	ld_ind(g, BPF_B, 0);  /* the ICMP type */
	for (size_t i = 0; i < sizeof errors; i++) {
		int next = label(g);
		jif(g, BPF_JEQ | BPF_K, errors[i], inner, next);
		place(g, next);
	}
	ja(g, plain);
	place(g, inner); /* the quoted header: 8 bytes of ICMP in */
	store_words(g, true, 8 + 12, 1, M_SRC);
	store_words(g, true, 8 + 16, 1, M_DST);
	ja(g, go);
	place(g, plain);
	store_words(g, false, 12, 1, M_SRC);
	store_words(g, false, 16, 1, M_DST);
	place(g, go);
	classify(g, home, 4, 1);
}

static void ipv6(struct gen *g, const struct sw_prefix_list *home)
{
	int icmp = label(g), chk = label(g), inner = label(g), plain = label(g);
	int cls = label(g);

	ld_abs(g, BPF_B, 6); /* next header (extension headers: the outer addresses) */
	jif(g, BPF_JEQ | BPF_K, 58, icmp, plain);
	place(g, icmp);
	ld_abs(g, BPF_B, 40); /* the ICMPv6 type: 1 to 4 are errors */
	jif(g, BPF_JGT | BPF_K, 4, plain, chk);
	place(g, chk);
	jif(g, BPF_JGE | BPF_K, 1, inner, plain);
	place(g, inner); /* the quoted header: 8 bytes of ICMPv6 in */
	store_words(g, false, 48 + 8, 4, M_SRC);
	store_words(g, false, 48 + 24, 4, M_DST);
	ja(g, cls);
	place(g, plain);
	store_words(g, false, 8, 4, M_SRC);
	store_words(g, false, 24, 4, M_DST);
	place(g, cls);
	classify(g, home, 6, 4);
}

int sw_fanout_build(const struct sw_prefix_list *home, int32_t base, struct bpf_insn *prog,
                    size_t cap, char *err, size_t errlen)
{
	static const struct sw_prefix_list none;
	struct gen g;
	int v4 = 0, v6 = 0;

	memset(&g, 0, sizeof g);
	g.p = prog;
	g.cap = cap < SW_FANOUT_MAX_INSNS ? cap : SW_FANOUT_MAX_INSNS;
	g.base = base;
	if (!home)
		home = &none;
	v4 = label(&g);
	v6 = label(&g);
	ld_abs(&g, BPF_B, 0);
	alu_k(&g, BPF_RSH, 4); /* the IP version */
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 4);
	ja(&g, v4);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 6);
	ja(&g, v6);
	ret_k(&g, 0); /* not IP: worker 0 */
	place(&g, v4);
	ipv4(&g, home);
	place(&g, v6);
	ipv6(&g, home);

	if (g.overflow) {
		snprintf(err, errlen, "[networks] home: too many prefixes for the -j fanout program"
		         " (more than %d instructions); list fewer or use -j 1",
		         SW_FANOUT_MAX_INSNS);
		return -1;
	}
	for (int i = 0; i < g.nfix; i++) {
		long to = g.label_at[g.fix[i].label];
		if (to < 0 || (size_t)to <= g.fix[i].insn) {
			snprintf(err, errlen, "fanout program: internal error (label %d)",
			         g.fix[i].label);
			return -1;
		}
		g.p[g.fix[i].insn].k = (uint32_t)(to - (long)g.fix[i].insn - 1);
	}
	return (int)g.n;
}

/* ---- the rule in C (files) ---------------------------------------------- */

/* What the program does, step by step: each load that would read past
 * the packet makes the program return 0 (classic BPF), hence the bounds
 * checks before the loads, in the program's order. */

static bool ld32(const uint8_t *net, uint32_t len, uint32_t off, uint32_t *v)
{
	if (off > len || len - off < 4)
		return false;
	*v = word(net + off, 0);
	return true;
}

static bool load_words(const uint8_t *net, uint32_t len, uint32_t off, unsigned words,
                       uint32_t *m)
{
	for (unsigned w = 0; w < words; w++)
		if (!ld32(net, len, off + 4 * w, &m[w]))
			return false;
	return true;
}

/* home_test(): the first prefix of family fam whose words all match. */
static bool in_home(const struct sw_prefix_list *home, int fam, const uint32_t *m,
                    unsigned words)
{
	for (unsigned i = 0; i < home->n && i < SW_MAX_PREFIXES; i++) {
		const struct sw_prefix *p = &home->p[i];
		unsigned need, w;

		if (p->addr.family != fam)
			continue;
		need = (p->len + 31) / 32;
		if (need > words)
			need = words;
		for (w = 0; w < need; w++) {
			uint32_t mask = mask_word(p->len, w);
			if ((m[w] & mask) != (word(p->addr.bytes, w) & mask))
				break;
		}
		if (w == need)
			return true;
	}
	return false;
}

/* ret_hash() */
static uint32_t hash_words(const uint32_t *m, unsigned words)
{
	uint32_t a = m[0] * GOLDEN;

	for (unsigned w = 1; w < words; w++)
		a = (a + m[w]) * GOLDEN;
	return a >> 16;
}

/* classify(): by the external address, else the lower one */
static uint32_t pick(const struct sw_prefix_list *home, int fam, const uint32_t *src,
                     const uint32_t *dst, unsigned words)
{
	bool any = false;

	for (unsigned i = 0; i < home->n && i < SW_MAX_PREFIXES; i++)
		any |= home->p[i].addr.family == fam;
	if (any) {
		bool s = in_home(home, fam, src, words), d = in_home(home, fam, dst, words);
		if (s && !d)
			return hash_words(dst, words);
		if (!s && d)
			return hash_words(src, words);
	}
	for (unsigned w = 0; w < words; w++) {
		if (dst[w] > src[w])
			return hash_words(src, words);
		if (dst[w] < src[w])
			return hash_words(dst, words);
	}
	return hash_words(dst, words); /* the same address */
}

static uint32_t hash_ipv4(const struct sw_prefix_list *home, const uint8_t *net, uint32_t len)
{
	uint32_t src, dst, x, off = 12;

	if (len < 10)
		return 0;
	if (net[9] == 1) {
		if (len < 8)
			return 0;
		if ((((uint32_t)net[6] << 8 | net[7]) & 0x1fff) == 0) {
			x = (uint32_t)(net[0] & 0xf) << 2;
			if (x >= len)
				return 0;
			switch (net[x]) {
			case 3: case 4: case 5: case 11: case 12:
				off = x + 8 + 12; /* the quoted header */
				break;
			default:
				break;
			}
		}
	}
	if (!ld32(net, len, off, &src) || !ld32(net, len, off + 4, &dst))
		return 0;
	return pick(home, SW_AF_INET, &src, &dst, 1);
}

static uint32_t hash_ipv6(const struct sw_prefix_list *home, const uint8_t *net, uint32_t len)
{
	uint32_t src[4], dst[4], off = 8;

	if (len < 7)
		return 0;
	if (net[6] == 58) {
		if (len < 41)
			return 0;
		if (net[40] >= 1 && net[40] <= 4)
			off = 48 + 8; /* the quoted header */
	}
	if (!load_words(net, len, off, 4, src) || !load_words(net, len, off + 16, 4, dst))
		return 0;
	return pick(home, SW_AF_INET6, src, dst, 4);
}

uint32_t sw_fanout_hash(const struct sw_prefix_list *home, const uint8_t *net, uint32_t len)
{
	static const struct sw_prefix_list none;

	if (!home)
		home = &none;
	if (len < 1)
		return 0;
	switch (net[0] >> 4) {
	case 4: return hash_ipv4(home, net, len);
	case 6: return hash_ipv6(home, net, len);
	default: return 0;
	}
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* After an Ethernet or cooked header's type: past the 802.1Q/802.1ad tags
 * (as decode.c walks them) to an IP header. */
static int after_tags(uint16_t type, uint32_t off, const uint8_t *frame, uint32_t caplen)
{
	for (int depth = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; depth++) {
		if (depth == SW_MAX_VLAN || caplen - off < 4)
			return -1;
		type = rd16(frame + off + 2);
		off += 4;
	}
	return type == 0x0800 || type == 0x86dd ? (int)off : -1;
}

int sw_fanout_net_offset(int linktype, const uint8_t *frame, uint32_t caplen)
{
	switch (linktype) {
	case SW_DLT_EN10MB:
		return caplen < 14 ? -1 : after_tags(rd16(frame + 12), 14, frame, caplen);
	case SW_DLT_LINUX_SLL:
		return caplen < 16 ? -1 : after_tags(rd16(frame + 14), 16, frame, caplen);
	case SW_DLT_LINUX_SLL2:
		return caplen < 20 ? -1 : after_tags(rd16(frame), 20, frame, caplen);
	case SW_DLT_NULL:
	case SW_DLT_LOOP:
		return caplen < 4 ? -1 : 4; /* the rule reads the IP version itself */
	case SW_DLT_RAW:
	case SW_DLT_LINKTYPE_RAW:
	case SW_DLT_IPV4:
	case SW_DLT_IPV6:
		return 0;
	default:
		return -1;
	}
}

uint32_t sw_fanout_frame_hash(const struct sw_prefix_list *home, int linktype,
                              const uint8_t *frame, uint32_t caplen)
{
	int off = sw_fanout_net_offset(linktype, frame, caplen);

	if (off < 0)
		return 0;
	return sw_fanout_hash(home, frame + off, caplen - (uint32_t)off);
}

int sw_fanout_join(int fd, uint16_t id, char *err, size_t errlen)
{
	int arg = (int)id | PACKET_FANOUT_CBPF << 16;

	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, errlen, "cannot join the capture's fanout group %u: %s", id,
		         strerror(errno));
		return -1;
	}
	return 0;
}

int sw_fanout_program(int fd, const struct bpf_insn *prog, int n, char *err, size_t errlen)
{
	struct sock_fprog fp = { .len = (unsigned short)n,
	                         .filter = (struct sock_filter *)(uintptr_t)prog };

	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof fp) < 0) {
		snprintf(err, errlen, "cannot give the capture's fanout group its program: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
}
