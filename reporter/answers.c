/*
 * answers.c - recording what came back after a memo (see answers.h): the
 * operator's NETBLOCK, parsed by lib/addr.c, matched against the CIDRs of
 * every netblock the ledger wrote to (netblock.c), and one report_answers
 * row each. All SQL has bound values.
 */
#include "config.h"

#include <string.h>

#include "answers.h"
#include "db.h"
#include "netblock.h"
#include "util.h"

const char *sw_answer_kind_name(enum sw_answer_kind k)
{
	return k == SW_ANSWER_BOUNCE ? "bounce" : "ack";
}

const char *sw_answer_note_problem(const char *note)
{
	if (strlen(note) > SW_ANSWER_NOTE_MAX)
		return "longer than 1000 bytes";
	for (const unsigned char *p = (const unsigned char *)note; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "control characters (a line break, an escape) are not kept";
	return NULL;
}

static int db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	sw_fmt(err, errlen, "database: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

int sw_answer_record(sqlite3 *db, const struct sw_answer *a, struct sw_answer_outcome *out,
		     char *err, size_t errlen)
{
	sqlite3_stmt *sel = NULL, *ins = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		return db_fail(db, "cannot start a transaction", err, errlen);
	if (sqlite3_prepare_v2(db, "SELECT netblock, count(*), max(created) FROM reports"
			       " WHERE kind = 'owner' GROUP BY netblock ORDER BY max(created)", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO report_answers (netblock, kind, recorded_at, note)"
			       " VALUES (?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *nb = (const char *)sqlite3_column_text(sel, 0);

		if (!nb || !sw_netblock_lists(nb, &a->netblock))
			continue;
		sqlite3_bind_text(ins, 1, nb, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, sw_answer_kind_name(a->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, a->now_us);
		sw_db_bind_text(ins, 4, a->note && *a->note ? a->note : NULL);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		out->matched++;
		sw_sanitize(out->netblock, sizeof out->netblock, nb, (size_t)-1);
		out->memos = (unsigned)sqlite3_column_int(sel, 1);
		out->last_memo = sqlite3_column_int64(sel, 2);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sel = ins = NULL;
	if (sw_db_exec(db, out->matched ? "COMMIT" : "ROLLBACK") < 0)
		goto fail;
	return out->matched ? 0 : 1;
fail:
	db_fail(db, "recording the answer", err, errlen);
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sw_db_exec(db, "ROLLBACK");
	return -1;
}
