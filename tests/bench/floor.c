/* tests/bench/floor.c - owns the benchmark's floor (make bench): the least a
 * libpcap reader can do, a pcap_dispatch loop whose callback only counts the
 * packet and reads its captured bytes.  The sensor's packet rate is measured
 * against this one.
 *
 * usage: floor FILE...
 * prints: packets=N bytes=N seconds=S pps=P   (bytes: lengths on the wire;
 *         seconds: CLOCK_MONOTONIC, opening the files included)
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* quiets glibc should -D_BSD_SOURCE come along */
#endif
#include <pcap.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct counts {
	uint64_t packets, bytes, caplen;
	uint32_t touch;
};

static void count(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct counts *c = (struct counts *)(void *)user;

	c->packets++;
	c->bytes += h->len;
	c->caplen += h->caplen;
	/* touch the packet like a decoder would: its first and last captured byte
	 * (stores through user stay: libpcap calls us through a pointer) */
	if (h->caplen)
		c->touch += (uint32_t)data[0] + data[h->caplen - 1];
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct counts c;
	struct timespec t0, t1;
	double secs;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs("usage: floor FILE...\n"
		      "Reads pcap files with a minimal libpcap loop and prints\n"
		      "packets=N bytes=N seconds=S pps=P\n", argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	memset(&c, 0, sizeof c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++) {
		pcap_t *p = pcap_open_offline(argv[i], err);
		int r;

		if (!p) {
			fprintf(stderr, "floor: %s\n", err);
			return 1;
		}
		while ((r = pcap_dispatch(p, -1, count, (u_char *)&c)) > 0)
			;
		if (r == -1) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 1;
		}
		pcap_close(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.6f pps=%.0f\n", c.packets,
	       c.bytes, secs, secs > 0 ? (double)c.packets / secs : 0.0);
	return 0;
}
