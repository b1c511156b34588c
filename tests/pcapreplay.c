/*
 * pcapreplay.c - a test helper that owns one thing: sending the packets of
 * capture files out of an interface with libpcap's pcap_inject(), as fast
 * as it can or at a fixed rate, for the -j N fanout test on a veth pair
 * of network namespaces the test made (never another interface: the test
 * chooses it). Bounded: the files' packets, at most -c COUNT, and an
 * alarm after -t SECONDS. Prints the packets sent and the seconds taken.
 *
 *   pcapreplay -i IFACE [-p PPS] [-c COUNT] [-t SECONDS] [-l LOOPS] FILE...
 */
#include "config.h"

#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *iface = NULL;
	double pps = 0, t0, dt;
	unsigned long long count = ~0ULL, sent = 0, failed = 0;
	int seconds = 60, loops = 1, ch;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *out;

	while ((ch = getopt(argc, argv, "i:p:c:t:l:")) != -1) {
		switch (ch) {
		case 'i': iface = optarg; break;
		case 'p': pps = atof(optarg); break;
		case 'c': count = strtoull(optarg, NULL, 10); break;
		case 't': seconds = atoi(optarg); break;
		case 'l': loops = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!iface || optind >= argc || seconds <= 0 || loops <= 0)
		goto usage;
	alarm((unsigned)seconds); /* the bound whatever happens */
	out = pcap_open_live(iface, 65535, 0, 100, ebuf);
	if (!out) {
		fprintf(stderr, "pcapreplay: %s: %s\n", iface, ebuf);
		return 1;
	}
	t0 = now();
	for (int l = 0; l < loops; l++) {
		for (int f = optind; f < argc && sent < count; f++) {
			pcap_t *in = pcap_open_offline(argv[f], ebuf);
			struct pcap_pkthdr *h;
			const u_char *data;

			if (!in) {
				fprintf(stderr, "pcapreplay: %s\n", ebuf);
				return 1;
			}
			while (sent < count && pcap_next_ex(in, &h, &data) == 1) {
				if (pps > 0) /* a fixed rate: wait for the packet's slot */
					while (now() - t0 < (double)sent / pps)
						;
				if (pcap_inject(out, data, h->caplen) < 0) {
					failed++;
					continue;
				}
				sent++;
			}
			pcap_close(in);
		}
	}
	dt = now() - t0;
	printf("%llu %.3f %llu\n", sent, dt, failed);
	pcap_close(out);
	return failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: pcapreplay -i IFACE [-p PPS] [-c COUNT] [-t SECONDS] [-l LOOPS]"
	        " FILE...\n");
	return 2;
}
