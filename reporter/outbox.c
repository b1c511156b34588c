/*
 * outbox.c - where a composed memo goes: its Message-ID and file name, the
 * message rendered in the chosen format (mime.c, with the X-ARF parts of
 * xarf.c), written through a temporary file and a rename (or appended to
 * the mbox, or to stdout), handed to sendmail with --send, and recorded in
 * the ledger last, once it is safely written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ledger.h"
#include "log.h"
#include "outbox.h"
#include "sendmail.h"
#include "siphash.h"
#include "util.h"
#include "xarf.h"

#define XARF_PARTS 16 /* X-ARF reports per message at most */

/* ---- naming --------------------------------------------------------------- */

/* "<spanwatch.SECONDS.HASH@our-domain>": the hash of the netblock, the clock
 * and the incidents told, so two memos never share one. */
static void message_id(const struct sw_outbox *ob, const struct sw_memo *m, char *out, size_t len)
{
	static const struct sw_sipkey key = { 0x7370616e77617463ull, 0x68206d656d6f7321ull };
	struct sw_buf b = SW_BUF_INIT;
	const char *at = strchr(ob->conf->email, '@');
	uint64_t h;

	/* a CERT memo's differs from the owner's memo of the same second */
	sw_buf_printf(&b, "%s%s|%lld", ob->kind ? "cert|" : "", m->netblock,
		      (long long)ob->now_us);
	for (size_t i = 0; i < m->ninc; i++)
		sw_buf_printf(&b, "|%lld:%lld", m->inc[i].id, (long long)m->inc[i].last_seen);
	h = sw_siphash(&key, sw_buf_str(&b), b.len);
	sw_buf_free(&b);
	sw_fmt(out, len, "<spanwatch.%lld.%016llx@%s>", (long long)(ob->now_us / 1000000),
	       (unsigned long long)h, at ? at + 1 : "localhost");
}

/* DIR/20261127T170941Z-192.0.2.0_24.eml: when, and the netblock made safe
 * for a file name. */
static void file_name(const struct sw_outbox *ob, const struct sw_memo *m, char *out, size_t len)
{
	char stamp[32], net[128];
	time_t t = (time_t)(ob->now_us / 1000000);
	struct tm tm;
	size_t j = 0;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (const char *p = m->netblock; *p && j + 1 < sizeof net; p++) {
		char ch = *p;
		if (ch == ' ')
			continue;
		net[j++] = (ch == '/' || ch == ':' || ch == ',') ? '_' : ch;
	}
	net[j] = '\0';
	/* a CERT memo may be written in the same second as the owner's */
	sw_fmt(out, len, "%s/%s-%s%s.eml", ob->dir, stamp, ob->kind ? "cert-" : "", net);
}

/* ---- writing -------------------------------------------------------------- */

/* Write data to path through a temporary file and a rename: a crash never
 * leaves half a memo. */
static int write_file(const char *path, const char *data, size_t len, bool append)
{
	char tmp[4200];
	FILE *f;

	if (append) {
		f = fopen(path, "a");
		if (!f || fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
			sw_err("%s: %s", path, strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		return fclose(f) ? -1 : 0;
	}
	if (!sw_fmt(tmp, sizeof tmp, "%s.tmp", path)) {
		sw_err("%s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f)) ||
	    fclose(f)) {
		sw_err("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		sw_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* "a@x, b@y, cc:c@z": the recipients as the ledger records them. */
static void join_recipients(const struct sw_memo_text *t, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->nto + t->ncc; i++) {
		const char *a = i < t->nto ? t->to[i].addr : t->cc[i - t->nto].addr;
		int n = snprintf(out + off, len - off, "%s%s%s", i ? ", " : "",
				 i >= t->nto ? "cc:" : "", a);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/* ---- the message ----------------------------------------------------------- */

/* The mail for memo m as composed in t; to and cc (SW_MEMO_MAX_RCPT each)
 * hold its recipients, mid its Message-ID. */
static void compose_mail(const struct sw_outbox *ob, const struct sw_memo *m,
			 const struct sw_memo_text *t, const char *mid, struct sw_mailbox *to,
			 struct sw_mailbox *cc, struct sw_mail *mail)
{
	for (size_t i = 0; i < t->nto; i++)
		to[i] = (struct sw_mailbox){ NULL, t->to[i].addr };
	for (size_t i = 0; i < t->ncc; i++)
		cc[i] = (struct sw_mailbox){ NULL, t->cc[i].addr };
	memset(mail, 0, sizeof *mail);
	mail->from = (struct sw_mailbox){ ob->conf->name, ob->conf->email };
	mail->to = to;
	mail->nto = t->nto;
	mail->cc = cc;
	mail->ncc = t->ncc;
	mail->subject = t->subject;
	mail->date_us = ob->now_us;
	mail->message_id = mid;
	mail->body = sw_buf_str(&t->body);
	mail->sign_key = ob->sign_key;
	mail->extra_header_name = "X-Spanwatch-Netblock";
	mail->extra_header_value = m->netblock;
}

/* The X-ARF parts (xarf.c) of the mail, one per source incident, at most
 * XARF_PARTS; their text is in parts, which the caller frees. */
static int attach_xarf(const struct sw_outbox *ob, const struct sw_memo *m,
		       struct sw_buf *parts, const char **jsons, struct sw_mail *mail)
{
	size_t nparts = 0;

	if (sw_xarf_for_memo(m, ob->conf, ob->now_us, parts, &nparts, XARF_PARTS) < 0) {
		sw_err("%s: out of memory building X-ARF", m->netblock);
		return -1;
	}
	for (size_t i = 0; i < nparts; i++)
		jsons[i] = sw_buf_str(&parts[i]);
	mail->xarf_json = jsons;
	mail->nxarf = nparts;
	return 0;
}

/* ---- the steps of one delivery ------------------------------------------- */

/* The rendered message where the format puts it: stdout (text), the mbox
 * (appended), or a file of its own; path gets the file ("" for stdout). */
static int store(const struct sw_outbox *ob, const struct sw_memo *m,
		 const struct sw_buf *msg, char *path, size_t pathlen)
{
	path[0] = '\0';
	switch (ob->format) {
	case SW_FMT_TEXT:
		if (fwrite(msg->data, 1, msg->len, stdout) != msg->len || fflush(stdout)) {
			sw_err("stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	case SW_FMT_MBOX:
		sw_fmt(path, pathlen, "%s/spanwatch.mbox", ob->dir);
		return write_file(path, msg->data, msg->len, true);
	default:
		file_name(ob, m, path, pathlen);
		return write_file(path, msg->data, msg->len, false);
	}
}

/* Hand the message to sendmail: true if it took it. What is sent is the
 * message as written (one signature, one Date); mbox and text are for
 * reading, so those send an eml. */
static bool send_message(const struct sw_outbox *ob, const struct sw_memo *m,
			 const struct sw_mail *mail, const struct sw_buf *msg)
{
	struct sw_buf eml = SW_BUF_INIT;
	const struct sw_buf *out = msg;
	bool rendered = true, sent = false;
	char err[512];

	if (ob->format == SW_FMT_MBOX || ob->format == SW_FMT_TEXT) {
		rendered = sw_mail_render(mail, SW_FMT_EML, &eml, err, sizeof err) == 0;
		out = &eml;
	}
	if (!rendered ||
	    sw_mail_send(ob->conf->sendmail, out->data, out->len, err, sizeof err) < 0)
		/* the memo is written and recorded (sent = 0): the run
		 * fails so that someone looks, and sends it by hand */
		sw_err("%s: not sent: %s", m->netblock, err);
	else
		sent = true;
	sw_buf_free(&eml);
	return sent;
}

/* The memo in the ledger (reports, report_incidents), and a line on stderr. */
static int record(const struct sw_outbox *ob, const struct sw_memo *m,
		  const struct sw_memo_text *t, const char *path, const char *mid, bool sent)
{
	char rcpts[4096], err[512];
	struct sw_report_record rec = {
		.memo = m,
		.created = ob->now_us,
		.answer_by = ob->now_us + (int64_t)ob->conf->cooldown_days * 86400 * 1000000,
		.recipients = rcpts,
		.subject = t->subject,
		.path = path[0] ? path : NULL,
		.format = ob->format_name,
		.message_id = mid,
		.sent = sent,
		.kind = ob->kind,
		.country = ob->country,
	};

	join_recipients(t, rcpts, sizeof rcpts);
	if (sw_ledger_record(ob->db, &rec, err, sizeof err) < 0) {
		sw_err("%s", err);
		return -1;
	}
	if (!ob->quiet && ob->format != SW_FMT_TEXT)
		fprintf(stderr, "%s: %s%s -> %s\n", m->netblock, ob->kind ? "CERT memo " : "",
			path, rcpts);
	return 0;
}

int sw_outbox_deliver(const struct sw_outbox *ob, const struct sw_memo *m,
		      const struct sw_memo_text *t, bool *send_failed)
{
	struct sw_mailbox to[SW_MEMO_MAX_RCPT], cc[SW_MEMO_MAX_RCPT];
	struct sw_buf msg = SW_BUF_INIT, parts[XARF_PARTS];
	const char *jsons[XARF_PARTS];
	struct sw_mail mail;
	char mid[256], path[4096], err[512];
	bool sent = false;
	int rc = -1;

	*send_failed = false;
	for (size_t i = 0; i < SW_ARRAY_LEN(parts); i++)
		parts[i] = (struct sw_buf)SW_BUF_INIT;
	message_id(ob, m, mid, sizeof mid);
	compose_mail(ob, m, t, mid, to, cc, &mail);
	if (ob->format == SW_FMT_XARF && !ob->kind && attach_xarf(ob, m, parts, jsons, &mail) < 0)
		goto out;
	/* X-ARF is an abuse report to the owner: a CERT memo goes as eml */
	if (sw_mail_render(&mail, ob->format == SW_FMT_XARF && ob->kind ? SW_FMT_EML : ob->format,
			   &msg, err, sizeof err) < 0) {
		sw_err("%s: %s", m->netblock, err);
		goto out;
	}
	if (store(ob, m, &msg, path, sizeof path) < 0)
		goto out;
	if (ob->send) {
		sent = send_message(ob, m, &mail, &msg);
		*send_failed = !sent;
	}
	if (record(ob, m, t, path, mid, sent) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < SW_ARRAY_LEN(parts); i++)
		sw_buf_free(&parts[i]);
	sw_buf_free(&msg);
	return rc;
}
