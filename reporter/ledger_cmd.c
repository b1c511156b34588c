/*
 * ledger_cmd.c - running --ack, --bounced and --export-nft (see
 * ledger_cmd.h): the database, the ranges of netblocks written to before
 * they were kept, then the command and its one line on stderr.
 */
#include "config.h"

#include <stdio.h>

#include "db.h"
#include "ledger.h"
#include "ledger_cmd.h"
#include "log.h"
#include "nftexport.h"
#include "timefmt.h"
#include "util.h"

static int answer(sqlite3 *db, const struct sw_ledger_cmd *c)
{
	struct sw_answer a = {
		.kind = c->kind,
		.netblock = c->netblock,
		.note = c->note,
		.now_us = c->now_us,
	};
	const char *opt = c->kind == SW_ANSWER_ACK ? "--ack" : "--bounced";
	struct sw_answer_outcome out;
	char err[512], arg[SW_ADDR_STRLEN], when[SW_ISO_LEN];
	int rc = sw_answer_record(db, &a, &out, err, sizeof err);

	sw_prefix_format(&c->netblock, arg, sizeof arg);
	if (rc < 0) {
		sw_err("%s", err);
		return 1;
	}
	if (rc > 0) {
		sw_err("%s %s: no memo was written to this netblock (see v_reports); nothing recorded",
		       opt, arg);
		return 1;
	}
	if (!c->quiet) {
		sw_iso_utc(out.last_memo, when, sizeof when);
		fprintf(stderr, "%s: %s recorded (answers the memo of %s; %u %s in all)\n",
			out.netblock, c->kind == SW_ANSWER_ACK ? "acknowledgment" : "bounce", when,
			out.memos, out.memos == 1 ? "memo" : "memos");
		if (out.matched > 1)
			fprintf(stderr, "%s: and for %zu other netblocks that list it\n", arg,
				out.matched - 1);
	}
	return 0;
}

static int export_nft(sqlite3 *db, const struct sw_ledger_cmd *c)
{
	const struct sw_nft_export how = {
		.path = c->nft_path,
		.min_reports = c->min_reports,
		.days = c->days,
		.now_us = c->now_us,
	};
	struct sw_nft_export_outcome out;
	char err[512];

	if (sw_nft_export(db, &how, &out, err, sizeof err) < 0) {
		sw_err("--export-nft: %s", err);
		return 1;
	}
	if (out.over_cap)
		sw_warn("--export-nft: %zu prefixes past the first %d left out", out.over_cap,
			SW_NFT_MAX_PREFIXES);
	if (!c->quiet)
		fprintf(stderr, "spanwatch-reporter: %s: %zu %s (%zu IPv4, %zu IPv6 prefixes); "
			"no rule: blocking them is yours to decide\n", c->nft_path, out.netblocks,
			out.netblocks == 1 ? "netblock" : "netblocks", out.v4, out.v6);
	return 0;
}

int sw_ledger_cmd_run(const struct sw_ledger_cmd *c)
{
	char err[512];
	sqlite3 *db = sw_db_open(c->db_path, 0, err, sizeof err);
	int rc;

	if (!db) {
		sw_err("%s", err);
		return 1;
	}
	if (sw_ledger_sync_ranges(db, err, sizeof err) < 0) {
		sw_err("%s", err);
		sw_db_close(db);
		return 1;
	}
	rc = c->answer ? answer(db, c) : export_nft(db, c);
	sw_db_close(db);
	return rc;
}
