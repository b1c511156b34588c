/*
 * ledger_cmd.h - the neighbourly ledger's commands of spanwatch-reporter:
 * --ack NETBLOCK / --bounced NETBLOCK [--note TEXT] (answers.c) and
 * --export-nft FILE [--min-reports N] [--days M] (nftexport.c). main.c
 * reads and checks the options; this opens the database, brings the
 * netblocks' ranges up to date and runs the command.
 */
#ifndef SW_LEDGER_CMD_H
#define SW_LEDGER_CMD_H
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "answers.h"

struct sw_ledger_cmd {
	const char *db_path;
	int64_t now_us;
	bool quiet;
	/* --ack / --bounced */
	bool answer;
	enum sw_answer_kind kind;
	struct sw_prefix netblock;
	const char *netblock_arg;   /* as given, for messages */
	const char *note;
	/* --export-nft */
	const char *nft_path;
	unsigned min_reports, days;
};

/* Exit status: 0 done, 1 a runtime failure (the database; a netblock no
 * memo was written to). */
int sw_ledger_cmd_run(const struct sw_ledger_cmd *c);

#endif
