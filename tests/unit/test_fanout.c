/*
 * test_fanout.c - the -j N fanout program, run by libpcap's own BPF
 * interpreter (bpf_filter) on hand-made IPv4 and IPv6 packets: a scanner's
 * probes and every answer to them (SYN-ACK, RST, echo reply, ICMP errors
 * from the target or a router, quoting the probe) reach the same worker,
 * whatever the direction; the rule for home / not home / both / none;
 * non-IP and truncated packets to worker 0; the same instructions read
 * behind an Ethernet header (base 14); a home list too long refused; and
 * the same rule in C (for -j N with files) against the program, packet by
 * packet, on every capture of the corpus.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

#include <cmocka.h>

#include "decode.h"
#include "fanout.h"
#include "netset.h"

#define NW 2

static struct bpf_insn prog[SW_FANOUT_MAX_INSNS];

static int build(const char *home, int32_t base)
{
	static struct sw_prefix_list l;
	char why[256], err[256];
	int n;

	memset(&l, 0, sizeof l);
	if (home)
		assert_true(sw_prefix_list_parse(home, &l, why, sizeof why));
	n = sw_fanout_build(&l, base, prog, SW_FANOUT_MAX_INSNS, err, sizeof err);
	assert_true(n > 0);
	assert_true(bpf_validate(prog, n));
	return n;
}

/* ---- packets ------------------------------------------------------------ */

struct pkt {
	uint8_t b[256];
	unsigned len;
};

static void put4(uint8_t *p, const char *a)
{
	unsigned x[4];
	assert_int_equal(sscanf(a, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]), 4);
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)x[i];
}

static void put6(uint8_t *p, const char *a)
{
	struct sw_prefix pf;
	char s[80];
	snprintf(s, sizeof s, "%s/128", a);
	assert_true(sw_prefix_parse(s, &pf));
	memcpy(p, pf.addr.bytes, 16);
}

/* IPv4 header (20 bytes, no options) at p, then l4len bytes of payload */
static unsigned ip4(uint8_t *p, uint8_t proto, const char *src, const char *dst,
                    unsigned l4len, uint16_t frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + l4len) >> 8);
	p[3] = (uint8_t)(20 + l4len);
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[8] = 64;
	p[9] = proto;
	put4(p + 12, src);
	put4(p + 16, dst);
	return 20;
}

static void tcp4(struct pkt *k, const char *src, const char *dst, uint8_t flags)
{
	unsigned h = ip4(k->b, 6, src, dst, 20, 0);
	memset(k->b + h, 0, 20);
	k->b[h + 1] = 40; k->b[h + 3] = 80; /* ports 40 -> 80 */
	k->b[h + 12] = 0x50;
	k->b[h + 13] = flags;
	k->len = h + 20;
}

static void icmp4(struct pkt *k, const char *src, const char *dst, uint8_t type)
{
	unsigned h = ip4(k->b, 1, src, dst, 8, 0);
	memset(k->b + h, 0, 8);
	k->b[h] = type;
	k->len = h + 8;
}

/* an ICMP error from src to dst quoting a UDP probe qsrc -> qdst */
static void icmp4_err(struct pkt *k, const char *src, const char *dst, uint8_t type,
                      const char *qsrc, const char *qdst)
{
	unsigned h = ip4(k->b, 1, src, dst, 8 + 28, 0);
	memset(k->b + h, 0, 8);
	k->b[h] = type;
	ip4(k->b + h + 8, 17, qsrc, qdst, 8, 0);
	memset(k->b + h + 28, 0, 8);
	k->len = h + 36;
}

static unsigned ip6(uint8_t *p, uint8_t nh, const char *src, const char *dst, unsigned l4len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(l4len >> 8);
	p[5] = (uint8_t)l4len;
	p[6] = nh;
	p[7] = 64;
	put6(p + 8, src);
	put6(p + 24, dst);
	return 40;
}

static void tcp6(struct pkt *k, const char *src, const char *dst, uint8_t flags)
{
	unsigned h = ip6(k->b, 6, src, dst, 20);
	memset(k->b + h, 0, 20);
	k->b[h + 12] = 0x50;
	k->b[h + 13] = flags;
	k->len = h + 20;
}

static void icmp6_err(struct pkt *k, const char *src, const char *dst, uint8_t type,
                      const char *qsrc, const char *qdst)
{
	unsigned h = ip6(k->b, 58, src, dst, 8 + 48);
	memset(k->b + h, 0, 8);
	k->b[h] = type;
	ip6(k->b + h + 8, 17, qsrc, qdst, 8);
	memset(k->b + h + 48, 0, 8);
	k->len = h + 56;
}

static void icmp6(struct pkt *k, const char *src, const char *dst, uint8_t type)
{
	unsigned h = ip6(k->b, 58, src, dst, 8);
	memset(k->b + h, 0, 8);
	k->b[h] = type;
	k->len = h + 8;
}

static unsigned ret_of(int n, const struct pkt *k)
{
	(void)n;
	return bpf_filter(prog, k->b, k->len, k->len);
}

static unsigned worker(int n, const struct pkt *k)
{
	return sw_fanout_worker(ret_of(n, k), NW);
}

/* The value the program must return for address a: the same hash,
 * computed here independently. */
static unsigned ref_hash4(const char *a)
{
	uint8_t b[4];
	put4(b, a);
	uint32_t w = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)(w * 0x9e3779b1u) >> 16;
}

static unsigned ref_hash6(const char *a)
{
	uint8_t b[16];
	uint32_t h = 0;
	put6(b, a);
	for (int i = 0; i < 4; i++) {
		uint32_t w = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		             (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
		h = i ? (h + w) * 0x9e3779b1u : w * 0x9e3779b1u;
	}
	return h >> 16;
}

/* ---- tests -------------------------------------------------------------- */

static const char *const scanners[] = {
	"198.51.100.66", "192.0.2.50", "198.51.100.99", "192.0.2.90", "198.51.100.10",
	"198.51.100.11", "198.51.100.12", "198.51.100.13", "192.0.2.77", "192.0.2.123",
};

/* home = the targets' /24: each scanner's probes to many targets and all
 * the answers go to the worker of the scanner's address */
static void test_external_v4(void **state)
{
	int n = build("203.0.113.0/24, 2001:db8:113::/48", 0);
	struct pkt k;
	unsigned used[NW] = { 0 };

	(void)state;
	for (size_t s = 0; s < sizeof scanners / sizeof *scanners; s++) {
		const char *S = scanners[s];
		unsigned want = ref_hash4(S);
		for (int t = 0; t < 256; t += 37) {
			char T[32], R[] = "192.0.2.254";
			snprintf(T, sizeof T, "203.0.113.%d", t);
			tcp4(&k, S, T, 0x02);         /* SYN probe */
			assert_int_equal(ret_of(n, &k), want);
			tcp4(&k, T, S, 0x12);         /* SYN-ACK */
			assert_int_equal(ret_of(n, &k), want);
			tcp4(&k, T, S, 0x14);         /* RST-ACK */
			assert_int_equal(ret_of(n, &k), want);
			tcp4(&k, S, T, 0x04);         /* the scanner's RST */
			assert_int_equal(ret_of(n, &k), want);
			tcp4(&k, S, T, 0x29);         /* XMAS-ish probe */
			assert_int_equal(ret_of(n, &k), want);
			icmp4(&k, S, T, 8);           /* echo */
			assert_int_equal(ret_of(n, &k), want);
			icmp4(&k, T, S, 0);           /* echo reply */
			assert_int_equal(ret_of(n, &k), want);
			/* port unreachable from the target, and time exceeded
			 * from a router that is neither: by the quoted probe */
			icmp4_err(&k, T, S, 3, S, T);
			assert_int_equal(ret_of(n, &k), want);
			icmp4_err(&k, R, S, 11, S, T);
			assert_int_equal(ret_of(n, &k), want);
		}
		used[sw_fanout_worker(want, NW)]++;
	}
	/* the scanners are spread: both workers get some */
	assert_true(used[0] > 0 && used[1] > 0);
}

/* a home host scanning out: by the external address, i.e. the target */
static void test_outbound_v4(void **state)
{
	int n = build("203.0.113.0/24", 0);
	struct pkt k;

	(void)state;
	tcp4(&k, "203.0.113.5", "198.51.100.7", 0x02);
	assert_int_equal(ret_of(n, &k), ref_hash4("198.51.100.7"));
	tcp4(&k, "198.51.100.7", "203.0.113.5", 0x14);
	assert_int_equal(ret_of(n, &k), ref_hash4("198.51.100.7"));
}

/* both home, neither home, no home: the lower address, so both directions
 * of a flow together and a lower scanner whole */
static void test_symmetric_v4(void **state)
{
	const char *homes[] = { NULL, "10.0.0.0/8", "0.0.0.0/0" };
	struct pkt k;

	(void)state;
	for (size_t h = 0; h < 3; h++) {
		int n = build(homes[h], 0);
		const char *a = h == 1 ? "10.1.2.3" : "192.0.2.1", *b = h == 1 ? "10.9.9.9"
		                                                             : "203.0.113.200";
		tcp4(&k, a, b, 0x02);
		assert_int_equal(ret_of(n, &k), ref_hash4(a));
		tcp4(&k, b, a, 0x12);
		assert_int_equal(ret_of(n, &k), ref_hash4(a));
		icmp4_err(&k, b, a, 3, a, b);
		assert_int_equal(ret_of(n, &k), ref_hash4(a));
		/* equal words up to the last: still symmetric */
		tcp4(&k, a, a, 0x02);
		assert_int_equal(ret_of(n, &k), ref_hash4(a));
	}
}

static void test_external_v6(void **state)
{
	int n = build("203.0.113.0/24, 2001:db8:113::/48", 0);
	const char *S6[] = { "2001:db8:51::66", "2001:db8:51::67", "2001:db8:99::1",
	                     "2001:db8:ffff::1", "2001:db8:0:1::5" };
	struct pkt k;
	unsigned used[NW] = { 0 };

	(void)state;
	for (size_t s = 0; s < sizeof S6 / sizeof *S6; s++) {
		unsigned want = ref_hash6(S6[s]);
		const char *T = "2001:db8:113::10", *T2 = "2001:db8:113:5::99";
		tcp6(&k, S6[s], T, 0x02);
		assert_int_equal(ret_of(n, &k), want);
		tcp6(&k, T2, S6[s], 0x14);
		assert_int_equal(ret_of(n, &k), want);
		icmp6(&k, S6[s], T, 128);
		assert_int_equal(ret_of(n, &k), want);
		icmp6(&k, T, S6[s], 129);
		assert_int_equal(ret_of(n, &k), want);
		icmp6_err(&k, T, S6[s], 1, S6[s], T);        /* unreachable */
		assert_int_equal(ret_of(n, &k), want);
		icmp6_err(&k, "2001:db8:1::1", S6[s], 3, S6[s], T); /* router */
		assert_int_equal(ret_of(n, &k), want);
		used[sw_fanout_worker(want, NW)]++;
	}
	assert_true(used[0] > 0 && used[1] > 0);
	/* not home on either side: the lower address, word by word */
	tcp6(&k, "2001:db8:51::66", "2001:db8:51::65", 0x02);
	assert_int_equal(ret_of(n, &k), ref_hash6("2001:db8:51::65"));
	tcp6(&k, "2001:db8:51::65", "2001:db8:51::66", 0x12);
	assert_int_equal(ret_of(n, &k), ref_hash6("2001:db8:51::65"));
	/* a /128 and a /33 home prefix (a mask across a word) */
	n = build("2001:db8:51::66/128, 2001:db8:8000::/33", 0);
	tcp6(&k, "2001:db8:51::66", "2001:db8:51::65", 0x02);
	assert_int_equal(ret_of(n, &k), ref_hash6("2001:db8:51::65"));
	tcp6(&k, "2001:db8:8000::1", "2001:db8:7fff::1", 0x02); /* only src home */
	assert_int_equal(ret_of(n, &k), ref_hash6("2001:db8:7fff::1"));
	tcp6(&k, "2001:db8:7fff::1", "2001:db8:8000::1", 0x02); /* only dst home */
	assert_int_equal(ret_of(n, &k), ref_hash6("2001:db8:7fff::1"));
}

/* what the program cannot place goes to worker 0; a later fragment of an
 * ICMP packet is placed by its own addresses */
static void test_fallbacks(void **state)
{
	int n = build("203.0.113.0/24", 0);
	struct pkt k;

	(void)state;
	memset(&k, 0, sizeof k);
	k.b[0] = 0x00; k.len = 28; /* ARP-like: not IP */
	assert_int_equal(ret_of(n, &k), 0);
	tcp4(&k, "198.51.100.66", "203.0.113.1", 0x02);
	k.len = 14; /* truncated before the addresses */
	assert_int_equal(ret_of(n, &k), 0);
	icmp4_err(&k, "203.0.113.1", "198.51.100.66", 3, "198.51.100.66", "203.0.113.1");
	k.len = 40; /* the quoted header cut short */
	assert_int_equal(ret_of(n, &k), 0);
	icmp4(&k, "203.0.113.1", "198.51.100.66", 3);
	k.b[6] = 0x00; k.b[7] = 0x10; /* a later fragment: no ICMP header */
	assert_int_equal(ret_of(n, &k), ref_hash4("198.51.100.66"));
	(void)worker;
}

/* the same program behind a 14-byte Ethernet header */
static void test_base_offset(void **state)
{
	int n = build("203.0.113.0/24", 14);
	struct pkt k, e;

	(void)state;
	tcp4(&k, "198.51.100.66", "203.0.113.1", 0x02);
	memset(&e, 0, sizeof e);
	e.b[12] = 0x08;
	memcpy(e.b + 14, k.b, k.len);
	e.len = k.len + 14;
	assert_int_equal(ret_of(n, &e), ref_hash4("198.51.100.66"));
}

static void test_too_long(void **state)
{
	static struct sw_prefix_list l;
	char err[256] = "";

	(void)state;
	memset(&l, 0, sizeof l);
	for (unsigned i = 0; i < SW_MAX_PREFIXES; i++) {
		char s[64];
		snprintf(s, sizeof s, "2001:db8:%x::%x/128", i, i);
		assert_true(sw_prefix_parse(s, &l.p[l.n++]));
	}
	assert_int_equal(sw_fanout_build(&l, 0, prog, SW_FANOUT_MAX_INSNS, err, sizeof err), -1);
	assert_non_null(strstr(err, "[networks] home"));
}

/* ---- the rule in C (files) against the program, on the corpus ----------- */

#define MAX_BASES 8

/* The program for home at one base offset, built once (a cache by base). */
struct progs {
	struct sw_prefix_list home;
	int32_t base[MAX_BASES];
	struct bpf_insn p[MAX_BASES][SW_FANOUT_MAX_INSNS];
	int n;
};

static const struct bpf_insn *prog_at(struct progs *ps, int32_t base)
{
	char err[256];

	for (int i = 0; i < ps->n; i++)
		if (ps->base[i] == base)
			return ps->p[i];
	assert_true(ps->n < MAX_BASES);
	assert_true(sw_fanout_build(&ps->home, base, ps->p[ps->n], SW_FANOUT_MAX_INSNS, err,
	                            sizeof err) > 0);
	ps->base[ps->n] = base;
	return ps->p[ps->n++];
}

/* The C rule and the program agree on the frame as captured, and cut
 * short at every length that stops one of the program's loads. */
static unsigned long agree(struct progs *ps, int dlt, const uint8_t *data, uint32_t caplen,
                           bool cuts)
{
	static const uint32_t cut[] = { 0, 1, 6, 7, 8, 9, 10, 12, 15, 16, 19, 20, 21, 23, 24, 27,
	                                28, 39, 40, 41, 44, 47, 48, 55, 56, 59, 60, 71, 72, 75,
	                                76, 87, 88 };
	int off = sw_fanout_net_offset(dlt, data, caplen);
	const struct bpf_insn *bp;
	unsigned long n = 0;

	if (off < 0) {
		assert_int_equal(sw_fanout_frame_hash(&ps->home, dlt, data, caplen), 0);
		return 0;
	}
	bp = prog_at(ps, off);
	for (size_t i = 0; i <= (cuts ? sizeof cut / sizeof cut[0] : 0); i++) {
		uint32_t len = i == 0 ? caplen : (uint32_t)off + cut[i - 1];
		uint32_t want, got;
		if (len > caplen)
			break;
		want = bpf_filter(bp, data, len, len);
		got = i == 0 ? sw_fanout_frame_hash(&ps->home, dlt, data, len)
		             : sw_fanout_hash(&ps->home, data + off, len - (uint32_t)off);
		if (want != got)
			fail_msg("linktype %d, network header at %d, %u of %u bytes: program %u, C %u",
			         dlt, off, len, caplen, want, got);
		n++;
	}
	return n;
}

/* Every packet of every capture of the corpus, with three home lists (the
 * corpus's, none, and one with a /0, a /128 and masks across words), and
 * the first packets of each cut short; also: where the decoder finds IP,
 * the rule finds the same network header. */
static void test_c_rule_is_the_program(void **state)
{
	static struct progs ps[3];
	static const char *const homes[3] = {
		"203.0.113.0/24, 2001:db8:113::/48", "",
		"198.51.100.66/31, 0.0.0.0/0, 2001:db8:113::10/128, 2001:db8:8000::/33, ::/0",
	};
	const char *top = getenv("top_srcdir");
	char dir[1024], path[1300], ebuf[PCAP_ERRBUF_SIZE], why[256];
	unsigned long compared = 0, packets = 0, files = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	for (int h = 0; h < 3; h++) {
		memset(&ps[h], 0, sizeof ps[h]);
		assert_true(sw_prefix_list_parse(homes[h], &ps[h].home, why, sizeof why));
	}
	snprintf(dir, sizeof dir, "%s/tests/data/corpus", top && *top ? top : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct pcap_pkthdr *hdr;
		const u_char *data;
		pcap_t *pc;
		unsigned long k = 0;

		if (l < 5 || strcmp(de->d_name + l - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		pc = pcap_open_offline(path, ebuf);
		if (!pc)
			fail_msg("%s: %s", path, ebuf);
		files++;
		while (pcap_next_ex(pc, &hdr, &data) == 1) {
			int dlt = pcap_datalink(pc);
			struct sw_pkt p;
			int off = sw_fanout_net_offset(dlt, data, hdr->caplen);

			for (int h = 0; h < 3; h++)
				compared += agree(&ps[h], dlt, data, hdr->caplen, k < 2000);
			sw_decode(dlt, data, hdr->caplen, hdr->len, 0, &p);
			if (p.l3 == SW_L3_IPV4 || p.l3 == SW_L3_IPV6) {
				if (off < 0)
					fail_msg("%s packet %lu: IP to the decoder, none to the rule",
					         de->d_name, k + 1);
				assert_int_equal(data[off] >> 4, p.l3 == SW_L3_IPV4 ? 4 : 6);
			}
			k++;
		}
		packets += k;
		pcap_close(pc);
	}
	closedir(d);
	print_message("%lu files, %lu packets, %lu comparisons\n", files, packets, compared);
	assert_true(files >= 20);
	assert_true(packets > 100000);
	assert_true(compared > 3 * packets);
}

/* Made-up headers by the hundred thousand (a fixed seed): every ICMP and
 * ICMPv6 type, fragments, any header length, lengths cut anywhere, and
 * addresses from a few that are home, near home or equal. */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void rnd_addr(uint8_t *b, int v6)
{
	static const char *const four[] = { "203.0.113.7", "203.0.113.200", "198.51.100.66",
	                                    "198.51.100.67", "10.0.0.1", "203.0.112.255" };
	static const char *const six[] = { "2001:db8:113::10", "2001:db8:113::11",
	                                   "2001:db8:8000::1", "2001:db8:7fff:ffff::1",
	                                   "2001:db8:51::65", "fe80::1" };
	if (v6)
		put6(b, six[rnd() % 6]);
	else
		put4(b, four[rnd() % 6]);
}

static void test_c_rule_made_up(void **state)
{
	static struct progs ps[3];
	static const char *const homes[3] = {
		"203.0.113.0/24, 2001:db8:113::/48", "",
		"198.51.100.66/31, 0.0.0.0/0, 2001:db8:113::10/128, 2001:db8:8000::/33, ::/0",
	};
	char why[256];
	uint8_t b[128];

	(void)state;
	for (int h = 0; h < 3; h++) {
		memset(&ps[h], 0, sizeof ps[h]);
		assert_true(sw_prefix_list_parse(homes[h], &ps[h].home, why, sizeof why));
	}
	for (int i = 0; i < 200000; i++) {
		int v6 = rnd() & 1;
		uint32_t len = rnd() % 4 ? sizeof b : rnd() % sizeof b;
		unsigned ihl = rnd() % 4 ? 5 : rnd() % 16;

		for (size_t k = 0; k < sizeof b; k++)
			b[k] = (uint8_t)rnd();
		if (v6) {
			b[0] = rnd() % 8 ? 0x60 : (uint8_t)rnd();
			b[6] = rnd() % 2 ? 58 : (uint8_t)(rnd() % 4 ? 6 : rnd());
			b[40] = (uint8_t)(rnd() % 2 ? rnd() % 8 : rnd());
			rnd_addr(b + 8, 1);
			rnd_addr(b + 24, 1);
			rnd_addr(b + 56, 1);
			rnd_addr(b + 72, 1);
		} else {
			b[0] = rnd() % 8 ? (uint8_t)(0x40 | ihl) : (uint8_t)rnd();
			b[9] = rnd() % 2 ? 1 : (uint8_t)(rnd() % 4 ? 6 : rnd());
			if (rnd() % 2) {
				b[6] &= 0xe0;
				b[7] = 0;
			}
			rnd_addr(b + 12, 0);
			rnd_addr(b + 16, 0);
			b[4 * ihl] = (uint8_t)(rnd() % 2 ? rnd() % 16 : rnd());
			if (4 * ihl + 32 <= sizeof b) {
				rnd_addr(b + 4 * ihl + 20, 0);
				rnd_addr(b + 4 * ihl + 24, 0);
			}
		}
		for (int h = 0; h < 3; h++)
			(void)agree(&ps[h], SW_DLT_RAW, b, len, false);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_external_v4),
		cmocka_unit_test(test_outbound_v4),
		cmocka_unit_test(test_symmetric_v4),
		cmocka_unit_test(test_external_v6),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_base_offset),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_c_rule_is_the_program),
		cmocka_unit_test(test_c_rule_made_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
