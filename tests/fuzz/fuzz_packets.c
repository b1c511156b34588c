/*
 * fuzz_packets.c - libFuzzer harness for the sensor's packet path: decode,
 * the counters, the fragment tracker and the detection engine, fed as the
 * capture loop feeds them (sensor/capture.c on_packet), with small tables
 * so that evictions happen within one input.
 *
 * Input: one byte choosing the link type, then packets, each as
 *   u16 caplen (little endian), u16 time step, caplen bytes
 * The time step is milliseconds, or seconds when its top bit is set (so
 * that timeouts of a minute are reached). A last packet cut short is
 * passed as it is. tests/fuzz/seeds.py cuts the captures of
 * tests/data/corpus into such inputs.
 *
 * Invariants: the decoder's fast path for the common case gives what the
 * general walk gives (sw_decode_general), byte for byte; the decoder's
 * fragment fields stay inside the captured frame; every packet is counted
 * once by kind, every IP packet once by protocol (the counters with their
 * tally folded in); the record stream is consistent (updates, evidence and closes
 * belong to an open detection, evidence lines are terminated) and every
 * detection opened is closed by sw_detect_finish(); the engine's memory
 * does not change after sw_detect_new().
 */
#include "fuzz_util.h"

#include "sensor/counters.h"
#include "sensor/decode.h"
#include "sensor/detect.h"
#include "sensor/evidence.h"
#include "sensor/frag.h"
#include "sensor/settings.h"

static const int linktypes[] = {
	SW_DLT_EN10MB, SW_DLT_RAW, SW_DLT_NULL, SW_DLT_LOOP, SW_DLT_LINKTYPE_RAW,
	SW_DLT_LINUX_SLL, SW_DLT_LINUX_SLL2, SW_DLT_IPV4, SW_DLT_IPV6,
};

#define MAX_SEQ 65536u

struct stream {
	uint8_t state[MAX_SEQ]; /* 0 unseen, 1 open, 2 closed */
	uint64_t opens, closes;
};

static struct stream st;
static struct sw_settings settings;

static void check_record(void *ctx, const struct sw_rec *rec)
{
	struct stream *s = ctx;
	uint32_t seq = rec->type == SW_REC_EVIDENCE ? rec->u.ev.seq : rec->u.det.seq;

	FUZZ_CHECK(seq != 0, "record type %u with seq 0", rec->type);
	if (seq >= MAX_SEQ)
		return; /* beyond what one input can open; not tracked */
	switch (rec->type) {
	case SW_REC_DET_OPEN:
		FUZZ_CHECK(s->state[seq] == 0, "seq %u opened twice", seq);
		FUZZ_CHECK(rec->u.det.kind < SW_K_COUNT && rec->u.det.variant < SW_V_COUNT,
		           "seq %u kind %u variant %u", seq, rec->u.det.kind, rec->u.det.variant);
		FUZZ_CHECK(rec->u.det.last_seen >= rec->u.det.first_seen, "seq %u ends before it starts",
		           seq);
		s->state[seq] = 1;
		s->opens++;
		break;
	case SW_REC_DET_UPDATE:
		FUZZ_CHECK(s->state[seq] == 1, "update of seq %u in state %u", seq, s->state[seq]);
		break;
	case SW_REC_EVIDENCE: {
		char made[SW_EVIDENCE_LEN];
		const char *line = sw_evidence_line(&rec->u.ev, made, sizeof made);

		FUZZ_CHECK(s->state[seq] == 1, "evidence of seq %u in state %u", seq, s->state[seq]);
		FUZZ_CHECK(memchr(line, '\0', SW_EVIDENCE_LEN) != NULL && line[0] != '\0',
		           "evidence of seq %u not terminated or empty", seq);
		break;
	}
	case SW_REC_DET_CLOSE:
		FUZZ_CHECK(s->state[seq] == 1, "close of seq %u in state %u", seq, s->state[seq]);
		s->state[seq] = 2;
		s->closes++;
		break;
	default:
		FUZZ_CHECK(0, "unknown record type %u", rec->type);
	}
}

/* Small tables, short timeouts: the eviction and expiry paths run within
 * one input (as in tests/unit/test_detect_fuzz.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sw_settings_defaults(&settings);
	settings.sources = 32;
	settings.contacts = 64;
	settings.details = 16;
	settings.targets = 16;
	settings.prefixes = 16;
	settings.distinct_cap = 16;
	settings.evidence_lines = 4;
	settings.contact_timeout_ms = 50;
	settings.idle_timeout_s = 2;
	settings.slow_memory_s = 20;
	settings.syn_flood_pps = 20;
	settings.udp_flood_pps = 20;
	settings.icmp_flood_pps = 20;
	settings.prefix_syn_pps = 40;
	settings.prefix_udp_pps = 40;
	settings.prefix_icmp_pps = 40;
	settings.login_min_sessions = 3;
	return 0;
}

static void check_decoded(const struct sw_pkt *p, uint32_t caplen)
{
	FUZZ_CHECK(p->err < SW_DERR_COUNT, "error %d", (int)p->err);
	FUZZ_CHECK(sw_derr_name(p->err) != NULL, "no name for error %d", (int)p->err);
	if (p->flags & SW_PF_FRAG) {
		FUZZ_CHECK(p->frag_data_off <= caplen && p->frag_data_cap <= caplen - p->frag_data_off,
		           "fragment data %u+%u past caplen %u", p->frag_data_off, p->frag_data_cap,
		           caplen);
		FUZZ_CHECK(p->frag_data_cap <= p->frag_len, "captured %u of a %u-byte fragment",
		           p->frag_data_cap, p->frag_len);
	}
}

/* The same frame through the general walk alone: the same sw_pkt, padding
 * and all (both clear it whole before they start). */
static void check_general(int linktype, const uint8_t *frame, uint32_t caplen, uint64_t ts,
                          const struct sw_pkt *p)
{
	struct sw_pkt g;

	memset(&g, 0x5a, sizeof g);
	sw_decode_general(linktype, frame, caplen, caplen, ts, &g);
	FUZZ_CHECK(memcmp(p, &g, sizeof g) == 0,
	           "link type %d, %u bytes: fast path %s, general walk %s, not the same sw_pkt",
	           linktype, caplen, sw_derr_name(p->err), sw_derr_name(g.err));
}

/* Every packet counted once: as its decode error, or as its link-layer
 * kind; and every IP packet once by its protocol (the tally of the common
 * case folded in). */
static void check_counted(struct sw_counters *c, struct sw_tally *t)
{
	uint64_t kinds, ip, l4;

	sw_counters_fold(c, t);
	kinds = sw_counters_errors(c) + c->traffic[SW_TR_IPV4] + c->traffic[SW_TR_IPV6] +
	        c->traffic[SW_TR_ARP] + c->traffic[SW_TR_OTHER_L3];
	ip = c->traffic[SW_TR_IPV4] + c->traffic[SW_TR_IPV6];
	l4 = c->traffic[SW_TR_TCP] + c->traffic[SW_TR_UDP] + c->traffic[SW_TR_ICMP] +
	     c->traffic[SW_TR_ICMP6] + c->traffic[SW_TR_OTHER_L4];
	FUZZ_CHECK(kinds == c->packets, "%llu packets counted as %llu kinds",
	           (unsigned long long)c->packets, (unsigned long long)kinds);
	FUZZ_CHECK(l4 == ip, "%llu IP packets counted as %llu protocols",
	           (unsigned long long)ip, (unsigned long long)l4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_detect_sink sink = { check_record, &st };
	static struct sw_counters cnt;
	static struct sw_tally tally;
	struct sw_detect *d;
	struct sw_frag *frag;
	struct sw_pkt p, head;
	uint64_t ts = 1795799381000000ull, mem;
	int linktype;
	size_t at = 1;

	if (size < 1)
		return 0;
	linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
	memset(&st, 0, sizeof st);
	memset(&cnt, 0, sizeof cnt);
	memset(&tally, 0, sizeof tally);
	d = sw_detect_new(&settings, sink);
	frag = sw_frag_new(16);
	FUZZ_CHECK(d && frag, "cannot allocate the engine");
	mem = sw_detect_memory(d);

	while (at + 4 <= size) {
		uint32_t caplen = (uint32_t)data[at] | (uint32_t)data[at + 1] << 8;
		uint16_t step = (uint16_t)(data[at + 2] | data[at + 3] << 8);
		uint8_t *frame;

		at += 4;
		if (caplen > size - at)
			caplen = (uint32_t)(size - at);
		ts += step & 0x8000 ? (uint64_t)(step & 0x7fff) * 1000000u : (uint64_t)step * 1000u;
		/* a copy of its own: ASan sees a read past caplen */
		frame = malloc(caplen ? caplen : 1);
		FUZZ_CHECK(frame != NULL, "out of memory");
		memcpy(frame, data + at, caplen);
		at += caplen;

		sw_decode(linktype, frame, caplen, caplen, ts, &p);
		check_decoded(&p, caplen);
		check_general(linktype, frame, caplen, ts, &p);
		sw_counters_add(&cnt, &tally, &p);
		sw_detect_packet(d, &p);
		if (p.flags & SW_PF_FRAG) {
			unsigned found = sw_frag_check(frag, &p, frame, &head);

			if (found & SW_FRAG_HEADER) {
				FUZZ_CHECK(head.flags & SW_PF_FRAG_EVADE, "a made header without its flag");
				sw_detect_packet(d, &head);
			}
		}
		free(frame);
	}
	sw_detect_finish(d);
	check_counted(&cnt, &tally);
	FUZZ_CHECK(sw_detect_memory(d) == mem, "engine memory changed: %llu -> %llu",
	           (unsigned long long)mem, (unsigned long long)sw_detect_memory(d));
	FUZZ_CHECK(st.opens == st.closes, "%llu detections opened, %llu closed",
	           (unsigned long long)st.opens, (unsigned long long)st.closes);
	sw_frag_free(frag);
	sw_detect_free(d);
	return 0;
}
