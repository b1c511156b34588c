/*
 * answers.h - what came back from a netblock's owner after a memo, as the
 * operator records it (spanwatch-reporter --ack NETBLOCK, --bounced
 * NETBLOCK, with --note TEXT): one row of report_answers for the netblock
 * the ledger wrote to. v_offenders derives the rest (ignored: no answer
 * by the last memo's answer_by).
 */
#ifndef SW_ANSWERS_H
#define SW_ANSWERS_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "addr.h"

enum sw_answer_kind { SW_ANSWER_ACK, SW_ANSWER_BOUNCE };

/* The longest --note kept (bytes). */
#define SW_ANSWER_NOTE_MAX 1000

struct sw_answer {
	enum sw_answer_kind kind;
	struct sw_prefix netblock;  /* as the operator named it (parsed) */
	const char *note;           /* NULL: none */
	int64_t now_us;             /* when it is recorded */
};

struct sw_answer_outcome {
	char netblock[128];         /* the ledger's name of the (last) netblock answered */
	size_t matched;             /* netblocks of the ledger that list it */
	unsigned memos;             /* memos to it */
	int64_t last_memo;          /* the memo the answer answers */
};

/* "ack" or "bounce", as report_answers keeps it. */
const char *sw_answer_kind_name(enum sw_answer_kind k);

/* Why a --note cannot be kept (too long, control characters), or NULL. */
const char *sw_answer_note_problem(const char *note);

/* Record the answer for every netblock of the ledger (reports.netblock)
 * that lists a->netblock as one of its CIDRs, in one transaction.
 * 0 recorded, 1 no memo was ever written to it (nothing recorded), -1 a
 * database error with err. */
int sw_answer_record(sqlite3 *db, const struct sw_answer *a, struct sw_answer_outcome *out,
		     char *err, size_t errlen);

#endif
