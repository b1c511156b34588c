/*
 * evpcap.c - the evidence pcap of a run (--evidence-pcap): which packets
 * are kept (see evpcap.h), the window of recent packets, the table of
 * sources followed, and the file written through a fixed buffer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evpcap.h"
#include "siphash.h"

#define PCAP_FILE_HEADER 24
#define PCAP_RECORD_HEADER 16
#define STDIO_BUFFER 65536
#define MAX_PROBES 64 /* slots looked at before a lookup gives up */

struct followed {
	struct sw_addr src;
	bool used;
	uint32_t open;       /* its open detections */
	uint64_t budget;     /* per_detection for each detection it opened */
	uint64_t kept;
};

/* One packet of the window: its header, addresses and captured bytes
 * (at most a slot's worth: the snaplen, or SW_EVPCAP_SLOT when larger). */
struct recent {
	struct pcap_pkthdr hdr;
	struct sw_addr src, dst;
	bool written;
};

struct sw_evpcap {
	struct sw_evpcap_limits lim;
	struct sw_evpcap_stats st;
	FILE *fp;
	pcap_dumper_t *dump;
	int fd;
	int slot;                 /* bytes of a window slot */
	struct sw_sipkey key;
	struct followed *src;     /* SW_EVPCAP_SOURCES slots */
	uint32_t nopen;           /* open detections of all sources followed */
	struct recent *win;       /* lim.recent slots */
	uint8_t *win_data;        /* lim.recent * slot bytes */
	uint32_t win_next, win_count;
	char iobuf[STDIO_BUFFER];
};

static bool addr_set(const struct sw_addr *a)
{
	static const uint8_t zero[16];

	if (a->family == SW_AF_INET)
		return memcmp(a->bytes, zero, 4) != 0;
	if (a->family == SW_AF_INET6)
		return memcmp(a->bytes, zero, 16) != 0;
	return false;
}

/* The slot of a, or NULL; with create, a free slot for it (NULL when the
 * table is full around it). */
static struct followed *lookup(struct sw_evpcap *e, const struct sw_addr *a, bool create)
{
	uint8_t buf[17];
	uint64_t h;

	buf[0] = a->family;
	memcpy(buf + 1, a->bytes, 16);
	if (a->family == SW_AF_INET)
		memset(buf + 5, 0, 12);
	h = sw_siphash(&e->key, buf, sizeof buf);
	for (unsigned i = 0; i < MAX_PROBES; i++) {
		struct followed *f = &e->src[(h + i) & (SW_EVPCAP_SOURCES - 1)];
		if (!f->used) {
			if (!create)
				return NULL;
			memset(f, 0, sizeof *f);
			f->used = true;
			f->src = *a;
			return f;
		}
		if (sw_addr_eq(&f->src, a))
			return f;
	}
	return NULL;
}

/* Whether the run's caps leave room for a record of caplen bytes. */
static bool run_room(struct sw_evpcap *e, uint32_t caplen)
{
	return e->st.packets < e->lim.max_packets &&
	       e->st.bytes + PCAP_RECORD_HEADER + caplen <= e->lim.max_bytes;
}

static void keep(struct sw_evpcap *e, const struct pcap_pkthdr *h, const uint8_t *data)
{
	pcap_dump((u_char *)e->dump, h, data);
	e->st.packets++;
	e->st.bytes += PCAP_RECORD_HEADER + h->caplen;
}

/* Charge a packet to the followed sources among a and b (either may be
 * NULL); true when one of them had budget left (the packet is kept). */
static bool charge(struct followed *a, struct followed *b)
{
	bool any = false;

	if (a && a->kept < a->budget) {
		a->kept++;
		any = true;
	}
	if (b && b != a && b->kept < b->budget) {
		b->kept++;
		any = true;
	}
	return any;
}

/* A detection opened for f: the window's packets of its source. */
static void flush_window(struct sw_evpcap *e, struct followed *f)
{
	uint32_t first = (e->win_next + e->lim.recent - e->win_count) % e->lim.recent;

	for (uint32_t i = 0; i < e->win_count && f->kept < f->budget; i++) {
		uint32_t k = (first + i) % e->lim.recent;
		struct recent *r = &e->win[k];

		if (r->written || !(sw_addr_eq(&r->src, &f->src) || sw_addr_eq(&r->dst, &f->src)))
			continue;
		if (!run_room(e, r->hdr.caplen)) {
			e->st.over_run++;
			continue;
		}
		f->kept++;
		r->written = true;
		keep(e, &r->hdr, e->win_data + (size_t)k * (size_t)e->slot);
	}
}

void sw_evpcap_record(struct sw_evpcap *e, const struct sw_rec *rec)
{
	struct followed *f;

	if (rec->type != SW_REC_DET_OPEN && rec->type != SW_REC_DET_CLOSE)
		return;
	if (!addr_set(&rec->u.det.src))
		return;
	f = lookup(e, &rec->u.det.src, rec->type == SW_REC_DET_OPEN);
	if (rec->type == SW_REC_DET_CLOSE) {
		if (f && f->open) {
			f->open--;
			e->nopen--;
		}
		return;
	}
	if (!f) {
		e->st.sources_full++;
		return;
	}
	f->open++;
	e->nopen++;
	f->budget += e->lim.per_detection;
	if (e->lim.recent)
		flush_window(e, f);
}

void sw_evpcap_packet(struct sw_evpcap *e, const struct pcap_pkthdr *h, const uint8_t *data,
                      const struct sw_pkt *p)
{
	bool written = false;

	if (e->nopen && (p->src.family == SW_AF_INET || p->src.family == SW_AF_INET6)) {
		struct followed *a = lookup(e, &p->src, false);
		struct followed *b = lookup(e, &p->dst, false);

		if (a && !a->open)
			a = NULL;
		if (b && !b->open)
			b = NULL;
		if (a || b) {
			if (!run_room(e, h->caplen))
				e->st.over_run++;
			else if (charge(a, b)) {
				keep(e, h, data);
				written = true;
			} else
				e->st.over_detection++;
		}
	}
	if (e->lim.recent) {
		struct recent *r = &e->win[e->win_next];
		uint32_t n = h->caplen < (uint32_t)e->slot ? h->caplen : (uint32_t)e->slot;

		r->hdr = *h;
		r->hdr.caplen = n;
		r->src = p->src;
		r->dst = p->dst;
		r->written = written;
		memcpy(e->win_data + (size_t)e->win_next * (size_t)e->slot, data, n);
		e->win_next = (e->win_next + 1) % e->lim.recent;
		if (e->win_count < e->lim.recent)
			e->win_count++;
	}
}

struct sw_evpcap *sw_evpcap_open(const char *path, pcap_t *h,
                                 const struct sw_evpcap_limits *lim, char *err, size_t errlen)
{
	struct sw_evpcap *e = calloc(1, sizeof *e);
	int fd;

	if (!e) {
		snprintf(err, errlen, "--evidence-pcap %s: out of memory", path);
		return NULL;
	}
	e->fd = -1;
	e->lim = *lim;
	/* a file's snaplen is often 262144: the window keeps headers */
	e->slot = pcap_snapshot(h);
	if (e->slot <= 0 || e->slot > SW_EVPCAP_SLOT)
		e->slot = SW_EVPCAP_SLOT;
	e->src = calloc(SW_EVPCAP_SOURCES, sizeof *e->src);
	if (lim->recent) {
		e->win = calloc(lim->recent, sizeof *e->win);
		e->win_data = calloc(lim->recent, (size_t)e->slot);
	}
	if (!e->src || (lim->recent && (!e->win || !e->win_data))) {
		snprintf(err, errlen, "--evidence-pcap %s: cannot allocate a window of %u packets"
		         " of %d bytes", path, lim->recent, e->slot);
		goto fail;
	}
	if (sw_sipkey_random(&e->key) < 0) {
		snprintf(err, errlen, "--evidence-pcap %s: no random key", path);
		goto fail;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "--evidence-pcap %s: %s%s", path, strerror(errno),
		         errno == EEXIST ? " (evidence is never overwritten)" : "");
		goto fail;
	}
	e->fd = fd;
	e->fp = fdopen(fd, "wb");
	if (!e->fp) {
		snprintf(err, errlen, "--evidence-pcap %s: %s", path, strerror(errno));
		close(fd);
		goto fail_unlink;
	}
	/* the packet path never makes stdio allocate */
	setvbuf(e->fp, e->iobuf, _IOFBF, sizeof e->iobuf);
	e->dump = pcap_dump_fopen(h, e->fp);
	if (!e->dump) {
		snprintf(err, errlen, "--evidence-pcap %s: %s", path, pcap_geterr(h));
		fclose(e->fp);
		goto fail_unlink;
	}
	e->st.bytes = PCAP_FILE_HEADER;
	return e;
fail_unlink:
	unlink(path);
	e->fp = NULL;
fail:
	free(e->src);
	free(e->win);
	free(e->win_data);
	free(e);
	return NULL;
}

int sw_evpcap_fd(const struct sw_evpcap *e)
{
	return e->fd;
}

void sw_evpcap_flush(struct sw_evpcap *e)
{
	pcap_dump_flush(e->dump);
}

int sw_evpcap_finish(struct sw_evpcap *e, int64_t *size, int64_t *mtime_us, char *err,
                     size_t errlen)
{
	struct stat st;

	if (pcap_dump_flush(e->dump) < 0 || fsync(e->fd) < 0 || fstat(e->fd, &st) < 0) {
		snprintf(err, errlen, "--evidence-pcap: cannot write: %s", strerror(errno));
		return -1;
	}
	*size = (int64_t)st.st_size;
	*mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
	return 0;
}

const struct sw_evpcap_stats *sw_evpcap_stats(const struct sw_evpcap *e)
{
	return &e->st;
}

void sw_evpcap_free(struct sw_evpcap *e)
{
	if (!e)
		return;
	if (e->dump)
		pcap_dump_close(e->dump); /* closes the file */
	free(e->src);
	free(e->win);
	free(e->win_data);
	free(e);
}
