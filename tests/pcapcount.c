/*
 * pcapcount.c - count the packets of capture files with libpcap alone, the
 * reference the integration tests hold the sensor's v_runs against.
 * Usage: pcapcount FILE... ; prints "packets bytes".
 */
#include "config.h"

#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned long long packets = 0, bytes = 0;

	for (int i = 1; i < argc; i++) {
		char ebuf[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *p = pcap_open_offline(argv[i], ebuf);
		int rc;

		if (!p) {
			fprintf(stderr, "pcapcount: %s\n", ebuf);
			return 1;
		}
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			packets++;
			bytes += h->len;
		}
		if (rc == PCAP_ERROR) {
			fprintf(stderr, "pcapcount: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 1;
		}
		pcap_close(p);
	}
	printf("%llu %llu\n", packets, bytes);
	return 0;
}
