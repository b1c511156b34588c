/*
 * test_fingerprint.c - scanner tool names on the real captures of the
 * development corpus, and the verdict rules on hand-made packets.
 *
 * Every row of tests/data/corpus/truth.tsv is checked: the source's packets
 * go through libpcap and sw_decode() into its own accumulator, and the
 * verdict must be the row's tool where the probes were made by nmap,
 * masscan, zmap or hping3 themselves, and none for everything else (curl,
 * dig, python clients, and nmap -sT, whose probes are the kernel's own
 * connect() SYNs). The captures are replayed twice: once with the probes a
 * detector would pass (SYNs, connection-less TCP, UDP, ICMP requests), once
 * with every packet the source sent, answers and data included. Every
 * packet of them is also fed, as the first of a new source, to sw_fp_first,
 * which must leave the state sw_fp_observe leaves in an empty one.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "addr.h"
#include "decode.h"
#include "fingerprint.h"
#include "record.h" /* sw_tool_name */

/* ---- hand-made packets -------------------------------------------------- */

static const uint8_t SRC4[4] = { 192, 0, 2, 9 };
static const uint8_t DST4[4] = { 203, 0, 113, 10 };

static struct sw_pkt tcp4(uint8_t ttl, uint16_t id, uint16_t win,
                          uint16_t sport, uint16_t dport, uint32_t seq)
{
	struct sw_pkt p;

	memset(&p, 0, sizeof p);
	p.l3 = SW_L3_IPV4;
	p.proto = 6;
	p.flags = SW_PF_HAS_PORTS;
	sw_addr_set4(&p.src, SRC4);
	sw_addr_set4(&p.dst, DST4);
	p.ttl = ttl;
	p.ip_id = id;
	p.tcp_win = win;
	p.sport = sport;
	p.dport = dport;
	p.tcp_seq = seq;
	p.tcp_flags = SW_TH_SYN;
	return p;
}

/* The masscan cookie for DST4. */
static uint16_t masscan_id(uint16_t dport, uint32_t seq)
{
	uint32_t dip = (uint32_t)DST4[0] << 24 | (uint32_t)DST4[1] << 16 |
	               (uint32_t)DST4[2] << 8 | DST4[3];
	return (uint16_t)(dip ^ dport ^ seq);
}

static struct sw_pkt masscan_syn(uint16_t dport)
{
	uint32_t seq = 0x9e3779b9u * dport;
	return tcp4(255, masscan_id(dport, seq), 1024, 41152, dport, seq);
}

static struct sw_pkt zmap_syn(uint16_t n)
{
	return tcp4(255, 54321, 65535, (uint16_t)(30000 + n * 7), 443, 77u * n);
}

static struct sw_pkt nmap_syn(uint16_t dport, uint8_t ttl)
{
	struct sw_pkt p = tcp4(ttl, (uint16_t)(dport * 31), 1024, 61322, dport,
	                       1101228434u);
	p.tcp_optlen = 4;
	p.tcp_nopts = 1;
	p.tcp_optkinds[0] = 2;
	p.tcp_mss = 1460;
	p.flags |= SW_PF_TCP_MSS;
	return p;
}

/* A Linux connect() SYN: MSS, SACK, timestamps, NOP, window scale. */
static struct sw_pkt linux_syn(uint16_t sport, uint16_t dport)
{
	static const uint8_t kinds[] = { 2, 4, 8, 1, 3 };
	struct sw_pkt p = tcp4(64, sport, 64240, sport, dport, 1000u * sport);

	p.flags |= SW_PF_DF | SW_PF_TCP_MSS;
	p.tcp_optlen = 20;
	p.tcp_nopts = sizeof kinds;
	memcpy(p.tcp_optkinds, kinds, sizeof kinds);
	p.tcp_mss = 1460;
	return p;
}

static void test_names(void **state)
{
	(void)state;
	assert_null(sw_tool_name(SW_TOOL_NONE));
	assert_string_equal(sw_tool_name(SW_TOOL_NMAP), "nmap");
	assert_string_equal(sw_tool_name(SW_TOOL_MASSCAN), "masscan");
	assert_string_equal(sw_tool_name(SW_TOOL_ZMAP), "zmap");
	assert_string_equal(sw_tool_name(SW_TOOL_HPING3), "hping3");
	assert_null(sw_tool_name(SW_TOOL_COUNT));
	assert_null(sw_tool_name((enum sw_tool)-1));
}

static void test_state_small(void **state)
{
	struct sw_fp_state st;

	(void)state;
	assert_true(sizeof st <= 32);
	memset(&st, 0, sizeof st);
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
}

/* Three marked probes are not "several"; the fourth names the tool. */
static void test_needs_several(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 3; i++) {
		struct sw_pkt p = masscan_syn((uint16_t)(1000 + i));
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
	struct sw_pkt p = masscan_syn(2000);
	sw_fp_observe(&st, &p);
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_MASSCAN);
}

/* masscan's marks and zmap's from one source: no name. */
static void test_two_tools(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 20; i++) {
		struct sw_pkt m = masscan_syn((uint16_t)(100 + i));
		struct sw_pkt z = zmap_syn(i);
		sw_fp_observe(&st, &m);
		sw_fp_observe(&st, &z);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
}

/* One chance match of the masscan cookie in a long nmap scan is tolerated. */
static void test_stray_vote(void **state)
{
	struct sw_fp_state st;
	struct sw_pkt m = masscan_syn(6112);

	(void)state;
	memset(&st, 0, sizeof st);
	sw_fp_observe(&st, &m);
	for (uint16_t i = 0; i < 200; i++) {
		struct sw_pkt p = nmap_syn((uint16_t)(1 + i), (uint8_t)(37 + i % 23));
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NMAP);
}

/* A few raw nmap probes among many kernel SYNs (nmap -sT): no name. */
static void test_stack_majority(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 10; i++) {
		struct sw_pkt p = nmap_syn((uint16_t)(1 + i), (uint8_t)(40 + i));
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NMAP);
	for (uint16_t i = 0; i < 30; i++) {
		struct sw_pkt p = linux_syn((uint16_t)(40000 + i * 13), (uint16_t)(i + 1));
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
}

/* Window 512 alone is not hping3: the source port must count up. */
static void test_hping3_needs_steps(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 50; i++) {
		struct sw_pkt p = tcp4(64, (uint16_t)(i * 977), 512,
		                       (uint16_t)(1024 + i * 2), 80, i);
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 50; i++) {
		/* wraps past 65535 on the way */
		struct sw_pkt p = tcp4(64, (uint16_t)(i * 977), 512,
		                       (uint16_t)(65510 + i), 80, i);
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_HPING3);
}

/* A DNS client 14 hops away (TTL 50, DF clear) keeps its TTL: not nmap. */
static void test_udp_constant_ttl(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint16_t i = 0; i < 100; i++) {
		struct sw_pkt p = tcp4(50, (uint16_t)(i * 3), 0, 41142, 53, 0);
		p.proto = 17;
		p.tcp_flags = 0;
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_NONE);
}

/* Counters halve at saturation instead of wrapping. */
static void test_saturation(void **state)
{
	struct sw_fp_state st;

	(void)state;
	memset(&st, 0, sizeof st);
	for (uint32_t i = 0; i < 200000; i++) {
		struct sw_pkt p = zmap_syn((uint16_t)i);
		sw_fp_observe(&st, &p);
	}
	assert_int_equal(sw_fp_verdict(&st), SW_TOOL_ZMAP);
}

/* RSTs and truncated or foreign packets move nothing. */
static void test_ignored(void **state)
{
	struct sw_fp_state st, zero;
	struct sw_pkt p = linux_syn(40000, 80);

	(void)state;
	memset(&st, 0, sizeof st);
	memset(&zero, 0, sizeof zero);
	p.tcp_flags = SW_TH_RST;
	sw_fp_observe(&st, &p);
	p.tcp_flags = SW_TH_SYN;
	p.err = SW_DERR_TCP_TRUNC;
	sw_fp_observe(&st, &p);
	p.err = SW_DERR_NONE;
	p.l3 = SW_L3_ARP;
	sw_fp_observe(&st, &p);
	assert_memory_equal(&st, &zero, sizeof st);
}

/* sw_fp_first(p) must leave what sw_fp_observe(p) leaves in an empty
 * state, byte for byte; true when that state is not empty (p counted). */
static int first_as_observe(const struct sw_pkt *p)
{
	struct sw_fp_state general, first, zero;

	memset(&general, 0, sizeof general);
	memset(&first, 0, sizeof first);
	memset(&zero, 0, sizeof zero);
	sw_fp_observe(&general, p);
	sw_fp_first(&first, p);
	assert_memory_equal(&first, &general, sizeof first);
	return memcmp(&first, &zero, sizeof first) != 0;
}

/* Each kind of packet, each way a vote goes on a first packet (a tool, the
 * OS stack's, none yet, not judged), takes sw_fp_first to the state
 * sw_fp_observe makes. */
static void test_first_packet(void **state)
{
	struct sw_pkt p;
	unsigned counted = 0;

	(void)state;
	p = masscan_syn(80);
	counted += first_as_observe(&p);
	p.tcp_flags = SW_TH_RST; /* masscan's own RST: a vote, no last_* */
	counted += first_as_observe(&p);
	p.flags |= SW_PF_L4_CUT;
	counted += first_as_observe(&p);
	p = zmap_syn(3);
	counted += first_as_observe(&p);
	p = nmap_syn(22, 45); /* nmap's shape: abstains without a probe before */
	counted += first_as_observe(&p);
	p.tcp_flags = SW_TH_FIN;
	p.tcp_optlen = 0;
	counted += first_as_observe(&p);
	p = nmap_syn(22, 45);
	p.l3 = SW_L3_IPV6;
	p.ttl = 255;
	counted += first_as_observe(&p);
	p = linux_syn(40000, 80); /* the OS stack's */
	counted += first_as_observe(&p);
	p.flags |= SW_PF_L4_CUT;
	counted += first_as_observe(&p);
	p = tcp4(64, 7, 512, 2706, 80, 5); /* hping3's shape */
	counted += first_as_observe(&p);
	p.flags |= SW_PF_FRAG | SW_PF_FRAG_FIRST;
	counted += first_as_observe(&p);
	p.flags &= (uint16_t)~SW_PF_FRAG_FIRST; /* a later fragment: ignored */
	assert_false(first_as_observe(&p));
	p = tcp4(64, 7, 512, 2706, 80, 5);
	p.flags &= (uint16_t)~SW_PF_HAS_PORTS;
	assert_false(first_as_observe(&p));
	p.err = SW_DERR_TCP_TRUNC;
	assert_false(first_as_observe(&p));

	p = tcp4(45, 9, 0, 51000, 53, 0); /* UDP: nmap's TTL, DF clear */
	p.proto = SW_IPPROTO_UDP;
	counted += first_as_observe(&p);
	p.flags |= SW_PF_DF; /* a stack's */
	counted += first_as_observe(&p);
	p.flags &= (uint16_t)~(SW_PF_DF | SW_PF_HAS_PORTS);
	assert_false(first_as_observe(&p));
	p.flags |= SW_PF_HAS_PORTS;
	p.l3 = SW_L3_IPV6;
	counted += first_as_observe(&p);

	p = tcp4(45, 9, 0, 0, 0, 0); /* ICMP echo: nmap's has no payload */
	p.proto = SW_IPPROTO_ICMP;
	p.flags = 0;
	p.tcp_flags = 0;
	p.icmp_type = SW_ICMP_ECHO;
	counted += first_as_observe(&p);
	p.payload_len = 56; /* ping(8) */
	counted += first_as_observe(&p);
	p.icmp_type = SW_ICMP_TIMESTAMP;
	counted += first_as_observe(&p);
	p.ttl = 64;
	counted += first_as_observe(&p);
	p.icmp_type = SW_ICMP_UNREACH; /* not a probe */
	assert_false(first_as_observe(&p));
	p.proto = SW_IPPROTO_ICMPV6;
	p.l3 = SW_L3_IPV6;
	p.icmp_type = 128; /* echo request */
	counted += first_as_observe(&p);
	p.proto = 132; /* SCTP: not judged */
	assert_false(first_as_observe(&p));
	assert_int_equal(counted, 18); /* all but the cut RST */
}

/* ---- the corpus --------------------------------------------------------- */

#define MAX_ROWS 256
#define CONN_SLOTS (1u << 18) /* connections seen per capture (open addressing) */

struct row {
	char file[128];
	char src_text[SW_ADDR_STRLEN];
	struct sw_addr src;
	enum sw_tool want;
	struct sw_fp_state st;
	unsigned long fed;
};

struct corpus {
	char dir[1024];
	struct row rows[MAX_ROWS];
	size_t nrows;
	uint64_t *conns; /* keys of (src, dst, sport, dport) that began with a SYN */
	unsigned long firsts; /* packets sw_fp_first was checked on */
};

static enum sw_tool tool_from_name(const char *s)
{
	for (int t = SW_TOOL_NONE + 1; t < SW_TOOL_COUNT; t++)
		if (strcmp(s, sw_tool_name((enum sw_tool)t)) == 0)
			return (enum sw_tool)t;
	return SW_TOOL_NONE;
}

/* Split a tab-separated line in place; returns the number of fields. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/* The tool named in truth.tsv, unless its probes were not its own: nmap -sT
 * lets the kernel send them (connect()), so no header shows nmap. */
static enum sw_tool expected_tool(const char *tool, const char *command)
{
	if (strstr(command, " -sT "))
		return SW_TOOL_NONE;
	/* hping3's echo requests are plain ones: nothing in them names it */
	if (strstr(command, "hping3") && strstr(command, " --icmp"))
		return SW_TOOL_NONE;
	return tool_from_name(tool);
}

/* Probes in tiny fragments (nmap -f, -ff, --mtu): the decoder alone sees
 * no TCP header in them; the capture path's reassembly does, and the
 * corpus test checks the tool the sensor names for them. */
static int fragmented(const char *command)
{
	return strstr(command, " -f ") || strstr(command, " -ff ") || strstr(command, " --mtu ");
}

static int corpus_setup(void **state)
{
	struct corpus *c = calloc(1, sizeof *c);
	const char *top = getenv("top_srcdir");
	char path[1200], line[4096];
	FILE *f;

	assert_non_null(c);
	snprintf(c->dir, sizeof c->dir, "%s/tests/data/corpus", top && *top ? top : ".");
	snprintf(path, sizeof path, "%s/truth.tsv", c->dir);
	f = fopen(path, "r");
	if (!f) {
		print_error("cannot open %s (set top_srcdir)\n", path);
		free(c);
		return -1;
	}
	if (!fgets(line, sizeof line, f)) { /* header */
		fclose(f);
		free(c);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *fld[12];
		struct row *r;

		if (split_tabs(line, fld, 12) < 8 || c->nrows == MAX_ROWS)
			continue;
		r = &c->rows[c->nrows];
		snprintf(r->file, sizeof r->file, "%s", fld[0]);
		snprintf(r->src_text, sizeof r->src_text, "%s", fld[1]);
		if (!sw_addr_parse(fld[1], &r->src) || fragmented(fld[7]))
			continue;
		r->want = expected_tool(fld[6], fld[7]);
		c->nrows++;
	}
	fclose(f);
	c->conns = calloc(CONN_SLOTS, sizeof *c->conns);
	assert_non_null(c->conns);
	*state = c;
	return 0;
}

static int corpus_teardown(void **state)
{
	struct corpus *c = *state;

	free(c->conns);
	free(c);
	return 0;
}

/* FNV-1a over the 4-tuple, never 0 (the empty slot). */
static uint64_t conn_key(const struct sw_pkt *p)
{
	uint64_t h = 14695981039346656037ull;
	uint8_t buf[2 * 17 + 4];

	memcpy(buf, &p->src.family, 1);
	memcpy(buf + 1, p->src.bytes, 16);
	memcpy(buf + 17, &p->dst.family, 1);
	memcpy(buf + 18, p->dst.bytes, 16);
	buf[34] = (uint8_t)(p->sport >> 8);
	buf[35] = (uint8_t)p->sport;
	buf[36] = (uint8_t)(p->dport >> 8);
	buf[37] = (uint8_t)p->dport;
	for (size_t i = 0; i < sizeof buf; i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	return h | 1;
}

/* Insert when add, else look up; true if the key is (now) present. */
static int conn_seen(uint64_t *tab, uint64_t key, int add)
{
	for (uint32_t i = (uint32_t)key & (CONN_SLOTS - 1);; i = (i + 1) & (CONN_SLOTS - 1)) {
		if (tab[i] == key)
			return 1;
		if (tab[i] == 0) {
			if (add)
				tab[i] = key;
			return add;
		}
	}
}

/* What a detector passes on: SYNs, TCP packets of no connection (FIN, NULL,
 * Xmas, ACK probes), UDP, ICMP echo/timestamp requests. */
static int is_probe(uint64_t *conns, const struct sw_pkt *p)
{
	switch (p->proto) {
	case 6:
		if (p->tcp_flags & SW_TH_RST)
			return 0;
		if ((p->tcp_flags & (SW_TH_SYN | SW_TH_ACK)) == SW_TH_SYN)
			return conn_seen(conns, conn_key(p), 1);
		if (p->tcp_flags & SW_TH_SYN)
			return 0; /* SYN-ACK: an answer */
		return !conn_seen(conns, conn_key(p), 0);
	case 17:
		return 1;
	case 1:
		return p->icmp_type == 8 || p->icmp_type == 13;
	case 58:
		return p->icmp_type == 128;
	default:
		return 0;
	}
}

/* Replays one capture into the accumulators of its rows. */
static void replay(struct corpus *c, const char *file, int probes_only)
{
	char path[1200], ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int rc, lt;

	snprintf(path, sizeof path, "%s/%s", c->dir, file);
	pc = pcap_open_offline(path, ebuf);
	if (!pc)
		fail_msg("%s", ebuf);
	lt = pcap_datalink(pc);
	memset(c->conns, 0, CONN_SLOTS * sizeof *c->conns);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct sw_pkt p;
		int probe = -1;

		sw_decode(lt, data, h->caplen, h->len,
		          (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec, &p);
		if (p.l3 != SW_L3_IPV4 && p.l3 != SW_L3_IPV6)
			continue;
		/* every packet as the first of a new source */
		first_as_observe(&p);
		c->firsts++;
		for (size_t i = 0; i < c->nrows; i++) {
			struct row *r = &c->rows[i];

			if (strcmp(r->file, file) != 0 || !sw_addr_eq(&r->src, &p.src))
				continue;
			if (probe < 0)
				probe = !probes_only || is_probe(c->conns, &p);
			if (!probe)
				break;
			sw_fp_observe(&r->st, &p);
			r->fed++;
		}
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);
	pcap_close(pc);
}

static const char *name_or_none(enum sw_tool t)
{
	return t == SW_TOOL_NONE ? "none" : sw_tool_name(t);
}

static void run_corpus(struct corpus *c, int probes_only)
{
	unsigned per_tool[SW_TOOL_COUNT] = { 0 }, bad = 0;

	assert_true(c->nrows >= 40);
	c->firsts = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		memset(&c->rows[i].st, 0, sizeof c->rows[i].st);
		c->rows[i].fed = 0;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		int done = 0;

		for (size_t j = 0; j < i; j++)
			done |= strcmp(c->rows[j].file, c->rows[i].file) == 0;
		if (!done)
			replay(c, c->rows[i].file, probes_only);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		struct row *r = &c->rows[i];
		const uint16_t *v = r->st.votes;
		enum sw_tool got = sw_fp_verdict(&r->st);

		print_message("%-30.30s %-16s want %-7s got %-7s fed %6lu votes "
		              "none %u nmap %u masscan %u zmap %u hping3 %u\n",
		              r->file, r->src_text, name_or_none(r->want),
		              name_or_none(got), r->fed, v[SW_TOOL_NONE], v[SW_TOOL_NMAP],
		              v[SW_TOOL_MASSCAN], v[SW_TOOL_ZMAP], v[SW_TOOL_HPING3]);
		if (r->fed == 0) {
			print_error("%s: no packet from %s\n", r->file, r->src_text);
			bad++;
		}
		if (got != r->want) {
			print_error("%s %s: want %s, got %s\n", r->file, r->src_text,
			            name_or_none(r->want), name_or_none(got));
			bad++;
		}
		per_tool[r->want]++;
	}
	/* the corpus has every tool, and benign sources */
	for (int t = 0; t < SW_TOOL_COUNT; t++)
		assert_true(per_tool[t] > 0);
	assert_int_equal(bad, 0);
	assert_true(c->firsts > 10000);
}

static void test_corpus_probes(void **state)
{
	run_corpus(*state, 1);
}

static void test_corpus_all_packets(void **state)
{
	run_corpus(*state, 0);
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_state_small),
		cmocka_unit_test(test_needs_several),
		cmocka_unit_test(test_two_tools),
		cmocka_unit_test(test_stray_vote),
		cmocka_unit_test(test_stack_majority),
		cmocka_unit_test(test_hping3_needs_steps),
		cmocka_unit_test(test_udp_constant_ttl),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_first_packet),
	};
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(test_corpus_probes),
		cmocka_unit_test(test_corpus_all_packets),
	};
	int failed = cmocka_run_group_tests_name("fingerprint", unit, NULL, NULL);

	failed += cmocka_run_group_tests_name("fingerprint_corpus", corpus,
	                                      corpus_setup, corpus_teardown);
	return failed ? 1 : 0;
}
