/*
 * outbox.h - where a composed memo goes (outbox.c): its Message-ID, the
 * message in the chosen format, the file (or mbox, or stdout) it is
 * written to, sendmail with --send, and the record in the ledger.
 */
#ifndef SW_OUTBOX_H
#define SW_OUTBOX_H
#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "memo.h"
#include "mime.h"
#include "settings.h"

struct sw_outbox {
	const struct sw_reporter_conf *conf; /* the sender, sendmail */
	sqlite3 *db;                  /* the ledger the memo is recorded in */
	int64_t now_us;               /* the memo's Date, file name and record time */
	enum sw_mail_format format;
	const char *format_name;      /* as recorded: "eml", "mbox", "text", "xarf" */
	const char *dir;              /* -o DIR (NULL with --format text: stdout) */
	const char *sign_key;         /* NULL, or the key every message is signed with */
	bool send;                    /* --send: also hand the message to sendmail */
	bool quiet;                   /* no line per memo on stderr */
	/* NULL: a memo to the netblock's owner; "cert": a CERT memo (cert.c),
	 * its file named cert-..., no X-ARF part, recorded as kind 'cert' with
	 * the country whose national CERT it went to (country, "" none) */
	const char *kind;
	const char *country;
};

/*
 * Render the memo m (composed as t) in the outbox's format, write it, send
 * it if asked, and record it in the ledger, in that order: a memo is
 * recorded only once it is safely written. 0 when written and recorded
 * (*send_failed then tells whether --send failed: logged, recorded as not
 * sent), -1 when not (logged).
 */
int sw_outbox_deliver(const struct sw_outbox *ob, const struct sw_memo *m,
		      const struct sw_memo_text *t, bool *send_failed);

#endif
