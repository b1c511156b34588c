/*
 * evexport.c - the evidence export of one incident (--evidence INCIDENT -o
 * DIR): its packets read back from the run's recorded files (run_files,
 * schema 011) through a BPF filter on its source addresses and its time
 * window, its detections and evidence lines, and a manifest that gives
 * the SHA-256 of every file written (sha256sum -c) and the facts of the
 * chain of custody. Nothing partial is left: the files go to a temporary
 * directory beside DIR, are synced, and the directory is renamed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "db.h"
#include "evexport.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

#define MAX_SOURCES 256   /* addresses in one filter */
#define MAX_FILES 4096    /* files read for one incident */
#define FILTER_MAX (MAX_SOURCES * 120)

struct efile {
	int64_t run_id;
	int seq;
	char kind[16];
	char *path;
	int64_t rec_size, rec_mtime; /* recorded; -1: not recorded */
	int64_t size, mtime;         /* found */
	char sha[65];
	uint64_t read, kept;
	char read_error[256];
};

struct export {
	sqlite3 *db;
	const char *db_path;
	int64_t id;
	/* the incident */
	char ikey[128], level[16], netblock[64], src[64], kinds[256];
	int64_t first, last;
	int severity, reportable, compromised;
	char reasons[1024];
	/* what is read */
	struct sw_addr sources[MAX_SOURCES];
	int nsources;
	struct efile *files;
	size_t nfiles, cap;
	char filter[FILTER_MAX];
	int linktype, snaplen;
	uint64_t kept;
	/* where it goes */
	char tmp[PATH_MAX];
	char *err;
	size_t errlen;
};

static int fail(struct export *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct export *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int sw_sha256_file(const char *path, char hex[65], int64_t *size)
{
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	int64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		sha256_update(&ctx, (size_t)n, buf);
		total += n;
	}
	close(fd);
	sha256_digest(&ctx, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
	if (size)
		*size = total;
	return 0;
}

static int64_t mtime_us(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
}

/* Text from the database, made printable (one line, no control bytes). */
static const char *clean(const unsigned char *s, char *buf, size_t len)
{
	return sw_sanitize(buf, len, s ? (const char *)s : "", (size_t)-1);
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	clean(sqlite3_column_text(st, col), dst, len);
}

static const char *iso(int64_t us, char *buf, size_t len)
{
	return sw_iso_utc(us, buf, len);
}

/* ---- what the database says --------------------------------------------- */

static int load_incident(struct export *x)
{
	static const char sql[] =
		"SELECT ikey, level, netblock, src, kinds, first_seen, last_seen, severity,"
		" reportable, compromised, reasons FROM incidents WHERE id = ?1";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
	sqlite3_bind_int64(st, 1, x->id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			fail(x, "%s: no incident %" PRId64 " (see the id column of the incidents table)",
			     x->db_path, x->id);
		else
			fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? -2 : -1;
	}
	copy_col(st, 0, x->ikey, sizeof x->ikey);
	copy_col(st, 1, x->level, sizeof x->level);
	copy_col(st, 2, x->netblock, sizeof x->netblock);
	copy_col(st, 3, x->src, sizeof x->src);
	copy_col(st, 4, x->kinds, sizeof x->kinds);
	x->first = sqlite3_column_int64(st, 5);
	x->last = sqlite3_column_int64(st, 6);
	x->severity = sqlite3_column_int(st, 7);
	x->reportable = sqlite3_column_int(st, 8);
	x->compromised = sqlite3_column_int(st, 9);
	copy_col(st, 10, x->reasons, sizeof x->reasons);
	sqlite3_finalize(st);
	return 0;
}

/* The distinct source addresses of the incident's detections; the
 * unspecified address (a flood from forged sources) is nobody's. */
static int load_sources(struct export *x)
{
	static const char sql[] =
		"SELECT DISTINCT d.src FROM incident_detections x JOIN detections d"
		" ON d.id = x.detection_id WHERE x.incident_id = ?1 ORDER BY d.src";
	static const struct sw_addr zero4 = { SW_AF_INET, { 0 } }, zero6 = { SW_AF_INET6, { 0 } };
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
	sqlite3_bind_int64(st, 1, x->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		struct sw_addr a;

		if (!s || !sw_addr_parse(s, &a) || sw_addr_eq(&a, &zero4) || sw_addr_eq(&a, &zero6))
			continue;
		if (x->nsources == MAX_SOURCES) {
			sqlite3_finalize(st);
			return fail(x, "incident %" PRId64 ": more than %d source addresses;"
			            " not exported", x->id, MAX_SOURCES);
		}
		x->sources[x->nsources++] = a;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
	if (x->nsources == 0)
		return fail(x, "incident %" PRId64 ": no source address to filter on"
		            " (forged or unspecified sources)", x->id);
	return 0;
}

/* The files of the incident's runs: a run's -r captures when it has any,
 * else its --evidence-pcap file. */
static int load_files(struct export *x)
{
	static const char sql[] =
		"SELECT f.run_id, f.seq, f.kind, f.path, f.size, f.mtime FROM run_files f"
		" WHERE f.run_id IN (SELECT d.run_id FROM incident_detections x JOIN detections d"
		"   ON d.id = x.detection_id WHERE x.incident_id = ?1)"
		" AND (f.kind = 'capture' OR NOT EXISTS (SELECT 1 FROM run_files c"
		"   WHERE c.run_id = f.run_id AND c.kind = 'capture'))"
		" ORDER BY f.run_id, f.seq";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
	sqlite3_bind_int64(st, 1, x->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct efile *f;
		const char *path = (const char *)sqlite3_column_text(st, 3);

		if (x->nfiles == MAX_FILES) {
			sqlite3_finalize(st);
			return fail(x, "incident %" PRId64 ": more than %d capture files", x->id,
			            MAX_FILES);
		}
		if (sw_grow((void **)&x->files, &x->cap, x->nfiles + 1, sizeof *x->files) < 0 ||
		    !path || !(path = strdup(path))) {
			sqlite3_finalize(st);
			return fail(x, "out of memory");
		}
		f = &x->files[x->nfiles++];
		memset(f, 0, sizeof *f);
		f->path = (char *)path;
		f->run_id = sqlite3_column_int64(st, 0);
		f->seq = sqlite3_column_int(st, 1);
		copy_col(st, 2, f->kind, sizeof f->kind);
		f->rec_size = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1
		              : sqlite3_column_int64(st, 4);
		f->rec_mtime = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1
		               : sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
	if (x->nfiles == 0)
		return fail(x, "incident %" PRId64 ": its runs recorded no capture file (a live run"
		            " without --evidence-pcap, log lines, or a run older than schema 011)",
		            x->id);
	return 0;
}

/* ---- the files read: there, unchanged, hashed ----------------------------- */

static int check_file(struct export *x, struct efile *f)
{
	char safe[PATH_MAX + 64];
	struct stat st;

	clean((const unsigned char *)f->path, safe, sizeof safe);
	if (stat(f->path, &st) < 0)
		return fail(x, "%s: %s (%s of run %" PRId64 ")", safe,
		            errno == ENOENT ? "missing" : strerror(errno), f->kind, f->run_id);
	if (!S_ISREG(st.st_mode))
		return fail(x, "%s: not a regular file (%s of run %" PRId64 ")", safe, f->kind,
		            f->run_id);
	f->size = (int64_t)st.st_size;
	f->mtime = mtime_us(&st);
	if (f->rec_size >= 0 && f->size != f->rec_size)
		return fail(x, "%s: changed since the sensor recorded it (size %" PRId64
		            ", recorded %" PRId64 "; run %" PRId64 ")", safe, f->size, f->rec_size,
		            f->run_id);
	if (f->rec_mtime >= 0 && f->mtime != f->rec_mtime) {
		char a[40], b[40];
		return fail(x, "%s: changed since the sensor recorded it (modified %s, recorded %s;"
		            " run %" PRId64 ")", safe, iso(f->mtime, a, sizeof a),
		            iso(f->rec_mtime, b, sizeof b), f->run_id);
	}
	return 0;
}

/* Hash after reading the packets: the same size and time before and
 * after means the bytes hashed are the bytes read. */
static int hash_file(struct export *x, struct efile *f)
{
	char safe[PATH_MAX + 64];
	struct stat st;
	int64_t size;

	clean((const unsigned char *)f->path, safe, sizeof safe);
	if (sw_sha256_file(f->path, f->sha, &size) < 0)
		return fail(x, "%s: cannot read: %s", safe, strerror(errno));
	if (stat(f->path, &st) < 0 || size != f->size || (int64_t)st.st_size != f->size ||
	    mtime_us(&st) != f->mtime)
		return fail(x, "%s: changed while it was being read", safe);
	return 0;
}

/* ---- the packets --------------------------------------------------------- */

static void build_filter(struct export *x)
{
	char one[FILTER_MAX / 2];
	size_t used = 0;

	one[0] = '\0';
	for (int i = 0; i < x->nsources; i++) {
		char a[SW_ADDR_STRLEN];
		size_t u = strlen(one);
		snprintf(one + u, sizeof one - u, "%shost %s", i ? " or " : "",
		         sw_addr_format(&x->sources[i], a, sizeof a));
	}
	/* a span port often carries 802.1Q frames: "vlan" moves the offsets
	 * of what follows it, so the tagged form is a second alternative */
	if (x->linktype == DLT_EN10MB)
		used = (size_t)snprintf(x->filter, sizeof x->filter, "(%s) or (vlan and (%s))",
		                        one, one);
	else
		used = (size_t)snprintf(x->filter, sizeof x->filter, "%s", one);
	(void)used;
}

static pcap_t *open_capture(struct export *x, struct efile *f)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char safe[PATH_MAX + 64];
	pcap_t *h = pcap_open_offline_with_tstamp_precision(f->path, PCAP_TSTAMP_PRECISION_MICRO,
	                                                    ebuf);

	clean((const unsigned char *)f->path, safe, sizeof safe);
	if (!h)
		fail(x, "%s: cannot read the capture: %s", safe, ebuf);
	return h;
}

static int copy_packets(struct export *x, pcap_dumper_t *out)
{
	for (size_t i = 0; i < x->nfiles; i++) {
		struct efile *f = &x->files[i];
		struct bpf_program prog;
		struct pcap_pkthdr *hdr;
		const u_char *data;
		pcap_t *h = open_capture(x, f);
		int rc;

		if (!h)
			return -1;
		if (pcap_compile(h, &prog, x->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			fail(x, "BPF filter '%s': %s", x->filter, pcap_geterr(h));
			pcap_close(h);
			return -1;
		}
		while ((rc = pcap_next_ex(h, &hdr, &data)) == 1) {
			int64_t ts = sw_tv_to_us(&hdr->ts);
			f->read++;
			if (ts < x->first || ts > x->last)
				continue;
			if (!pcap_offline_filter(&prog, hdr, data))
				continue;
			pcap_dump((u_char *)out, hdr, data);
			f->kept++;
			x->kept++;
		}
		if (rc == PCAP_ERROR) /* a truncated file: what came before stands */
			clean((const unsigned char *)pcap_geterr(h), f->read_error,
			      sizeof f->read_error);
		pcap_freecode(&prog);
		pcap_close(h);
	}
	return 0;
}

/* Link type and snaplen of the output: every file must share the link
 * type (a pcap file holds one). */
static int probe_captures(struct export *x)
{
	x->linktype = -1;
	x->snaplen = 0;
	for (size_t i = 0; i < x->nfiles; i++) {
		pcap_t *h = open_capture(x, &x->files[i]);
		char safe[PATH_MAX + 64];
		int dlt;

		if (!h)
			return -1;
		dlt = pcap_datalink(h);
		if (pcap_snapshot(h) > x->snaplen)
			x->snaplen = pcap_snapshot(h);
		pcap_close(h);
		if (x->linktype >= 0 && dlt != x->linktype) {
			clean((const unsigned char *)x->files[i].path, safe, sizeof safe);
			return fail(x, "%s: link type %d differs from the other files' (%d):"
			            " one pcap cannot hold both", safe, dlt, x->linktype);
		}
		x->linktype = dlt;
	}
	if (x->snaplen <= 0)
		x->snaplen = 262144;
	return 0;
}

/* ---- the files written ---------------------------------------------------- */

static int sync_close(struct export *x, FILE *fp, const char *name)
{
	int bad = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0;

	if (fclose(fp) != 0)
		bad = 1;
	if (bad)
		return fail(x, "%s/%s: cannot write: %s", x->tmp, name, strerror(errno));
	return 0;
}

static FILE *create(struct export *x, const char *name)
{
	char path[PATH_MAX + 32];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", x->tmp, name);
	fp = fopen(path, "wx");
	if (!fp)
		fail(x, "%s: cannot create: %s", path, strerror(errno));
	return fp;
}

static int write_packets(struct export *x)
{
	char path[PATH_MAX + 32];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(x->linktype, x->snaplen,
	                                                    PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *out;
	int rc;

	if (!dead)
		return fail(x, "out of memory");
	snprintf(path, sizeof path, "%s/packets.pcap", x->tmp);
	out = pcap_dump_open(dead, path);
	if (!out) {
		fail(x, "%s: %s", path, pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	rc = copy_packets(x, out);
	if (pcap_dump_flush(out) < 0 || fsync(fileno(pcap_dump_file(out))) < 0) {
		if (rc == 0)
			fail(x, "%s: cannot write: %s", path, strerror(errno));
		rc = -1;
	}
	pcap_dump_close(out);
	pcap_close(dead);
	return rc;
}

static void write_detection(FILE *fp, sqlite3_stmt *d, sqlite3_stmt *ev)
{
	char a[40], b[40], c[40], kind[64], variant[32], src[64], sensor[128], line[1024];
	int64_t id = sqlite3_column_int64(d, 0);

	copy_col(d, 2, kind, sizeof kind);
	copy_col(d, 3, variant, sizeof variant);
	copy_col(d, 4, src, sizeof src);
	copy_col(d, 11, sensor, sizeof sensor);
	fprintf(fp, "\ndetection %" PRId64 " (run %" PRId64 ", sensor %s): %s%s%s from %s\n",
	        id, (int64_t)sqlite3_column_int64(d, 1), sensor, kind, *variant ? "/" : "",
	        variant, src);
	fprintf(fp, "  first seen %s, last seen %s, detected %s\n",
	        iso(sqlite3_column_int64(d, 5), a, sizeof a),
	        iso(sqlite3_column_int64(d, 6), b, sizeof b),
	        iso(sqlite3_column_int64(d, 7), c, sizeof c));
	fprintf(fp, "  %lld targets, %lld ports, %lld packets\n",
	        (long long)sqlite3_column_int64(d, 8), (long long)sqlite3_column_int64(d, 9),
	        (long long)sqlite3_column_int64(d, 10));
	fprintf(fp, "  evidence:\n");
	sqlite3_reset(ev);
	sqlite3_bind_int64(ev, 1, id);
	while (sqlite3_step(ev) == SQLITE_ROW)
		fprintf(fp, "    %s\n", clean(sqlite3_column_text(ev, 0), line, sizeof line));
}

static int write_evidence(struct export *x)
{
	static const char sql_det[] =
		"SELECT d.id, d.run_id, d.kind, d.variant, d.src, d.first_seen, d.last_seen,"
		" d.detected_at, d.targets, d.ports, d.packets, s.name"
		" FROM incident_detections x JOIN detections d ON d.id = x.detection_id"
		" JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id"
		" WHERE x.incident_id = ?1 ORDER BY d.first_seen, d.id";
	static const char sql_ev[] =
		"SELECT line FROM evidence WHERE detection_id = ?1 ORDER BY ts, id";
	sqlite3_stmt *d = NULL, *ev = NULL;
	char a[40], b[40];
	FILE *fp = create(x, "evidence.txt");
	int rc;

	if (!fp)
		return -1;
	fprintf(fp, "incident %" PRId64 " (%s level): %s from %s, netblock %s\n", x->id, x->level,
	        x->kinds, x->src, x->netblock);
	fprintf(fp, "first seen %s, last seen %s\n", iso(x->first, a, sizeof a),
	        iso(x->last, b, sizeof b));
	fprintf(fp, "severity %d, reportable %s, compromised %s\n", x->severity,
	        x->reportable ? "yes" : "no", x->compromised ? "yes" : "no");
	fprintf(fp, "reasons: %s\n", x->reasons);
	if (sqlite3_prepare_v2(x->db, sql_det, -1, &d, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, sql_ev, -1, &ev, NULL) != SQLITE_OK) {
		fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
		goto out;
	}
	sqlite3_bind_int64(d, 1, x->id);
	while ((rc = sqlite3_step(d)) == SQLITE_ROW)
		write_detection(fp, d, ev);
	if (rc != SQLITE_DONE) {
		fail(x, "%s: %s", x->db_path, sqlite3_errmsg(x->db));
		goto out;
	}
	sqlite3_finalize(d);
	sqlite3_finalize(ev);
	return sync_close(x, fp, "evidence.txt");
out:
	sqlite3_finalize(d);
	sqlite3_finalize(ev);
	fclose(fp);
	return -1;
}

/* A path sha256sum -c can read back: no newline or backslash (which it
 * would want escaped). */
static bool plain_path(const char *p)
{
	return !strpbrk(p, "\n\r\\");
}

static int write_captures_sha(struct export *x)
{
	FILE *fp = create(x, "captures.sha256");

	if (!fp)
		return -1;
	for (size_t i = 0; i < x->nfiles; i++)
		if (plain_path(x->files[i].path))
			fprintf(fp, "%s  %s\n", x->files[i].sha, x->files[i].path);
	return sync_close(x, fp, "captures.sha256");
}

static void write_runs(struct export *x, FILE *fp)
{
	static const char sql[] =
		"SELECT r.id, s.name, r.source, r.filter, r.status, r.started, r.ended, r.host,"
		" r.linktype, r.snaplen FROM runs r JOIN sensors s ON s.id = r.sensor_id"
		" WHERE r.id IN (SELECT d.run_id FROM incident_detections x JOIN detections d"
		"   ON d.id = x.detection_id WHERE x.incident_id = ?1) ORDER BY r.id";
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, x->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char sensor[128], source[1024], filter[512], status[32], host[128], lt[64];
		char a[40], b[40];
		copy_col(st, 1, sensor, sizeof sensor);
		copy_col(st, 2, source, sizeof source);
		copy_col(st, 3, filter, sizeof filter);
		copy_col(st, 4, status, sizeof status);
		copy_col(st, 7, host, sizeof host);
		copy_col(st, 8, lt, sizeof lt);
		fprintf(fp, "run: %lld\n", (long long)sqlite3_column_int64(st, 0));
		fprintf(fp, "  sensor: %s\n", sensor);
		fprintf(fp, "  host: %s\n", host);
		fprintf(fp, "  source: %s\n", source);
		fprintf(fp, "  capture filter: %s\n", *filter ? filter : "(none)");
		fprintf(fp, "  link type: %s, snaplen %d\n", lt, sqlite3_column_int(st, 9));
		fprintf(fp, "  status: %s\n", status);
		fprintf(fp, "  started: %s\n", sqlite3_column_type(st, 5) == SQLITE_NULL ? "-"
		        : iso(sqlite3_column_int64(st, 5), a, sizeof a));
		fprintf(fp, "  ended: %s\n", sqlite3_column_type(st, 6) == SQLITE_NULL ? "-"
		        : iso(sqlite3_column_int64(st, 6), b, sizeof b));
	}
	sqlite3_finalize(st);
}

static int write_manifest(struct export *x, int64_t now)
{
	FILE *fp = create(x, "manifest.txt");
	char a[40], b[40], c[40], abs[PATH_MAX], safe[PATH_MAX + 64];
	char filter[sizeof x->filter + 64];

	if (!fp)
		return -1;
	fprintf(fp, "spanwatch evidence export\n");
	fprintf(fp, "exported: %s\n", iso(now, a, sizeof a));
	fprintf(fp, "program: spanwatch-analyzer %s\n", PACKAGE_VERSION);
	fprintf(fp, "database: %s\n", clean((const unsigned char *)(realpath(x->db_path, abs)
	        ? abs : x->db_path), safe, sizeof safe));
	fprintf(fp, "incident: %" PRId64 "\n", x->id);
	fprintf(fp, "incident key: %s\n", x->ikey);
	fprintf(fp, "incident source: %s (%s level), netblock %s\n", x->src, x->level,
	        x->netblock);
	fprintf(fp, "incident kinds: %s\n", x->kinds);
	fprintf(fp, "incident first seen: %s (%" PRId64 " us)\n", iso(x->first, b, sizeof b),
	        x->first);
	fprintf(fp, "incident last seen: %s (%" PRId64 " us)\n", iso(x->last, c, sizeof c),
	        x->last);
	fprintf(fp, "window: packets time-stamped from first seen to last seen, both included\n");
	fprintf(fp, "bpf filter: %s\n", clean((const unsigned char *)x->filter, filter,
	                                      sizeof filter));
	write_runs(x, fp);
	for (size_t i = 0; i < x->nfiles; i++) {
		const struct efile *f = &x->files[i];
		fprintf(fp, "%s: %s\n", f->kind, clean((const unsigned char *)f->path, safe,
		                                       sizeof safe));
		fprintf(fp, "  run: %" PRId64 ", file %d\n", f->run_id, f->seq);
		fprintf(fp, "  sha256: %s\n", f->sha);
		fprintf(fp, "  size: %" PRId64 " bytes%s\n", f->size,
		        f->rec_size < 0 ? " (the sensor recorded none: its run did not end)" : "");
		fprintf(fp, "  modified: %s\n", iso(f->mtime, a, sizeof a));
		fprintf(fp, "  packets read: %" PRIu64 ", kept: %" PRIu64 "\n", f->read, f->kept);
		if (f->read_error[0])
			fprintf(fp, "  read error (what came before it was used): %s\n", f->read_error);
		if (!plain_path(f->path))
			fprintf(fp, "  (not in captures.sha256: its name needs escaping)\n");
	}
	fprintf(fp, "packets.pcap: %" PRIu64 " packets, link type %s, snaplen %d\n", x->kept,
	        pcap_datalink_val_to_name(x->linktype) ? pcap_datalink_val_to_name(x->linktype)
	                                               : "?", x->snaplen);
	fprintf(fp, "verify: sha256sum -c manifest.sha256 (in this directory);"
	        " sha256sum -c captures.sha256 (the captures in place)\n");
	return sync_close(x, fp, "manifest.txt");
}

static int write_manifest_sha(struct export *x)
{
	static const char *const names[] = { "packets.pcap", "evidence.txt", "captures.sha256",
	                                     "manifest.txt" };
	FILE *fp = create(x, "manifest.sha256");

	if (!fp)
		return -1;
	for (size_t i = 0; i < SW_ARRAY_LEN(names); i++) {
		char path[PATH_MAX + 32], hex[65];
		snprintf(path, sizeof path, "%s/%s", x->tmp, names[i]);
		if (sw_sha256_file(path, hex, NULL) < 0) {
			fail(x, "%s: cannot read: %s", path, strerror(errno));
			fclose(fp);
			return -1;
		}
		fprintf(fp, "%s  %s\n", hex, names[i]);
	}
	return sync_close(x, fp, "manifest.sha256");
}

/* ---- the directory -------------------------------------------------------- */

/* 1 when dir does not exist, 0 when it is an empty directory, -1 (err
 * set) otherwise. */
static int dir_state(struct export *x, const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		if (errno == ENOENT)
			return 1;
		return fail(x, "%s: %s", dir, strerror(errno));
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(d);
			return fail(x, "%s: exists and is not empty; refusing to write into it", dir);
		}
	closedir(d);
	return 0;
}

static void remove_tmp(struct export *x)
{
	static const char *const names[] = { "packets.pcap", "evidence.txt", "captures.sha256",
	                                     "manifest.txt", "manifest.sha256" };
	char path[PATH_MAX + 32];

	if (!x->tmp[0])
		return;
	for (size_t i = 0; i < SW_ARRAY_LEN(names); i++) {
		snprintf(path, sizeof path, "%s/%s", x->tmp, names[i]);
		unlink(path);
	}
	rmdir(x->tmp);
	x->tmp[0] = '\0';
}

static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int make_tmp(struct export *x, const char *dir)
{
	char clean_dir[PATH_MAX];
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof clean_dir - 16)
		return fail(x, "%s: path too long", dir);
	memcpy(clean_dir, dir, n);
	clean_dir[n] = '\0';
	if (!sw_fmt(x->tmp, sizeof x->tmp, "%s.tmp-XXXXXX", clean_dir))
		return fail(x, "%s: path too long", dir);
	if (!mkdtemp(x->tmp)) {
		int e = errno;
		x->tmp[0] = '\0';
		return fail(x, "%s: cannot create a directory beside it: %s", dir, strerror(e));
	}
	return 0;
}

static int parent_sync(const char *dir)
{
	char buf[PATH_MAX];
	char *slash;

	if (!sw_fmt(buf, sizeof buf, "%s", dir))
		return -1;
	slash = strrchr(buf, '/');
	if (!slash)
		sync_dir(".");
	else {
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		sync_dir(buf);
	}
	return 0;
}

int sw_evidence_export(sqlite3 *db, const char *db_path, int64_t incident, const char *dir,
                       char *err, size_t errlen)
{
	struct export *x = calloc(1, sizeof *x);
	int state, rc = SW_EXPORT_FAIL;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return SW_EXPORT_FAIL;
	}
	x->db = db;
	x->db_path = db_path;
	x->id = incident;
	x->err = err;
	x->errlen = errlen;
	/* refused before anything is read */
	state = dir_state(x, dir);
	if (state < 0) {
		rc = SW_EXPORT_USAGE;
		goto out;
	}
	state = load_incident(x);
	if (state < 0) {
		rc = state == -2 ? SW_EXPORT_USAGE : SW_EXPORT_FAIL;
		goto out;
	}
	if (load_sources(x) < 0 || load_files(x) < 0)
		goto out;
	/* every file there and as recorded, before anything is written */
	for (size_t i = 0; i < x->nfiles; i++)
		if (check_file(x, &x->files[i]) < 0)
			goto out;
	if (probe_captures(x) < 0)
		goto out;
	build_filter(x);
	if (make_tmp(x, dir) < 0)
		goto out;
	if (write_packets(x) < 0)
		goto out;
	for (size_t i = 0; i < x->nfiles; i++)
		if (hash_file(x, &x->files[i]) < 0)
			goto out;
	if (write_evidence(x) < 0 || write_captures_sha(x) < 0 ||
	    write_manifest(x, sw_now_us()) < 0 || write_manifest_sha(x) < 0)
		goto out;
	sync_dir(x->tmp);
	/* an empty DIR is replaced; a DIR filled meanwhile makes rename fail */
	if (rename(x->tmp, dir) < 0) {
		fail(x, "%s: cannot rename %s to it: %s", dir, x->tmp, strerror(errno));
		goto out;
	}
	x->tmp[0] = '\0';
	parent_sync(dir);
	if (x->kept == 0) /* not an error: what the files hold is the evidence */
		sw_warn("incident %" PRId64 ": no packet of the capture files matched the filter"
		        " in the window (capture files given out of time order?)", x->id);
	rc = SW_EXPORT_OK;
out:
	remove_tmp(x);
	for (size_t i = 0; i < x->nfiles; i++)
		free(x->files[i].path);
	free(x->files);
	free(x);
	return rc;
}
