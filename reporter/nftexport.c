/*
 * nftexport.c - --export-nft (see nftexport.h): which netblocks (one
 * query, bound values), their CIDRs read back through netblock.c (what the
 * ledger stores came from registry answers once: only what parses as a
 * prefix is written, by sw_prefix_format), the text (nft.c), and the file
 * written beside its final name and renamed over it, so that a firewall
 * reload never reads half of it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "netblock.h"
#include "nft.h"
#include "nftexport.h"
#include "timefmt.h"
#include "util.h"

/* Netblocks with at least ?3 memos in (?1 - ?2, ?1] whose last memo has
 * no ack recorded after it. */
static const char choose_sql[] =
	"SELECT r.netblock FROM reports r"
	" WHERE r.kind = 'owner' AND r.created > ?1 - ?2 AND r.created <= ?1"
	" GROUP BY r.netblock HAVING count(*) >= ?3"
	"   AND NOT EXISTS (SELECT 1 FROM report_answers a"
	"                   WHERE a.netblock = r.netblock AND a.kind = 'ack'"
	"                     AND a.recorded_at >= (SELECT max(created) FROM reports l"
	"                                           WHERE l.netblock = r.netblock"
	"                                             AND l.kind = 'owner'))"
	" ORDER BY r.netblock";

static int choose(sqlite3 *db, const struct sw_nft_export *how, struct sw_prefix **pp,
		  size_t *np, struct sw_nft_export_outcome *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, choose_sql, -1, &st, NULL) != SQLITE_OK) {
		sw_fmt(err, errlen, "database: choosing netblocks: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, how->now_us);
	sqlite3_bind_int64(st, 2, (int64_t)how->days * 86400 * 1000000);
	sqlite3_bind_int(st, 3, (int)how->min_reports);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *nb = (const char *)sqlite3_column_text(st, 0);
		struct sw_prefix p[SW_NETBLOCK_MAX_CIDRS];
		size_t bad, n = sw_netblock_parse(nb, p, SW_NETBLOCK_MAX_CIDRS, &bad);

		out->netblocks++;
		if (bad) {
			char safe[160];

			sw_sanitize(safe, sizeof safe, nb ? nb : "", (size_t)-1);
			sw_warn("--export-nft: netblock '%s': %zu of its CIDRs %s not a prefix, "
				"left out", safe, bad, bad == 1 ? "is" : "are");
			out->unparsed += bad;
		}
		for (size_t i = 0; i < n; i++) {
			if (*np >= SW_NFT_MAX_PREFIXES) {
				out->over_cap++;
				continue;
			}
			if (sw_grow((void **)pp, &cap, *np + 1, sizeof **pp) < 0) {
				sqlite3_finalize(st);
				sw_fmt(err, errlen, "out of memory choosing netblocks");
				return -1;
			}
			(*pp)[(*np)++] = p[i];
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sw_fmt(err, errlen, "database: choosing netblocks: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* data into path.XXXXXX beside path, synced, 0644, renamed over path. */
static int write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 8);
	size_t off = 0;
	int fd;

	if (!tmp) {
		sw_fmt(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", 8);
	fd = mkstemp(tmp);
	if (fd < 0) {
		sw_fmt(err, errlen, "%s: cannot create a file beside it: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		sw_fmt(err, errlen, "%s: writing %s: %s", path, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		sw_fmt(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int sw_nft_export(sqlite3 *db, const struct sw_nft_export *how,
		  struct sw_nft_export_outcome *out, char *err, size_t errlen)
{
	struct sw_buf text = SW_BUF_INIT;
	struct sw_prefix *p = NULL;
	size_t n = 0;
	char when[SW_ISO_LEN], criteria[256];
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (choose(db, how, &p, &n, out, err, errlen) < 0)
		goto done;
	n = sw_nft_reduce(p, n);
	for (size_t i = 0; i < n; i++)
		p[i].addr.family == SW_AF_INET ? out->v4++ : out->v6++;
	sw_iso_utc(how->now_us, when, sizeof when);
	sw_fmt(criteria, sizeof criteria, "%u or more memos in the last %u days, and no "
	       "acknowledgment (--ack) of the last one", how->min_reports, how->days);
	sw_nft_render(&text, &(const struct sw_nft_file){ .generated = when, .criteria = criteria,
							  .p = p, .n = n });
	if (!sw_buf_ok(&text)) {
		sw_fmt(err, errlen, "%s: out of memory", how->path);
		goto done;
	}
	rc = write_atomic(how->path, sw_buf_str(&text), text.len, err, errlen);
done:
	sw_buf_free(&text);
	free(p);
	return rc;
}
