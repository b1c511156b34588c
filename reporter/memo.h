/*
 * memo.h - what one memo says: the model of a netblock's incidents as the
 * ledger loads them, and the composition of the memo from it (subject,
 * recipients, the body the article describes). Pure functions of the
 * model and the clock: no database, no network, so the same model gives
 * the same memo (golden tests).
 */
#ifndef SW_MEMO_H
#define SW_MEMO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "rdns.h"
#include "settings.h"
#include "whois.h"

#define SW_MEMO_MAX_EVIDENCE 200
#define SW_MEMO_MAX_PAST 6           /* earlier memos a memo names by date */

struct sw_memo_evidence {
	int64_t ts;
	char text[256];              /* the line after its UTC stamp, printable */
};

/* One detection of an incident. */
struct sw_memo_detection {
	char kind[32], variant[16], proto[8], tool[16];
	int64_t first_seen, last_seen;
	unsigned targets, ports;
	bool targets_capped, ports_capped;
	unsigned long long packets;
	unsigned sessions_after_scan;
	/* from the first evidence line: the port and service probed */
	unsigned port;
	char service[32];
	char target[48];             /* one target (the first seen) */
	bool syn_only;               /* no probe completed a connection */
};

struct sw_memo_incident {
	long long id;
	char level[16];              /* source, netblock */
	char src[512];           /* an address, or the members of a netblock incident */
	int64_t first_seen, last_seen;
	unsigned days, ports, severity;
	unsigned long long packets;
	bool compromised;
	char compromise_reason[256];
	char reasons[512];
	unsigned decoys;             /* a decoy scan's real source: the decoys it hid among */
	char decoy_list[512];        /* "a, b and 3 more" */
	struct sw_memo_detection *dets;
	size_t ndets;
	struct sw_memo_evidence *ev; /* the evidence quoted: first and last lines */
	size_t nev;
	size_t ev_total;             /* evidence lines stored in all */
};

struct sw_memo_source {
	struct sw_addr addr;
	char text[SW_ADDR_STRLEN];
	struct sw_rdns rdns;         /* zeroed when not looked up */
};

struct sw_memo_host {                /* one of ours that was hit */
	char addr[SW_ADDR_STRLEN];
	char name[256];              /* printable, "" if unknown */
};

struct sw_memo {
	char netblock[128];          /* the ledger's key: the whois CIDR(s) or the analyzer's */
	struct sw_whois_result whois;
	bool whois_ok;
	struct sw_whois_result domain_whois;
	bool domain_whois_ok;
	char domain[256];            /* registrable domain of the sources' names */
	struct sw_memo_incident *inc;
	size_t ninc;
	struct sw_memo_source *src;
	size_t nsrc;
	struct sw_memo_host *hosts;
	size_t nhosts, hosts_cap, hosts_total;
	/* earlier memos to this netblock (the ledger), oldest first: the
	 * newest SW_MEMO_MAX_PAST of past_total */
	int64_t past[SW_MEMO_MAX_PAST];
	size_t npast, past_total;
	/* a recurring problem (the ledger, [reporter] recurring_reports and
	 * recurring_days): recent_memos memos, this one included, in
	 * recurring_days days, the activity going on after any answer; then
	 * the origin's upstreams are copied */
	bool recurring;
	unsigned recent_memos, recurring_days;
};

/* The memo's text, made by sw_memo_compose. Recipients are validated
 * addresses (sw_mail_addr_ok) with the reason each was chosen. */
#define SW_MEMO_MAX_RCPT 32
struct sw_memo_rcpt {
	char addr[128];
	char why[128];
};

struct sw_memo_text {
	char subject[512];
	struct sw_memo_rcpt to[SW_MEMO_MAX_RCPT];
	size_t nto;
	struct sw_memo_rcpt cc[SW_MEMO_MAX_RCPT];
	size_t ncc;
	/* the upstreams copied (a recurring netblock): which, and where */
	uint32_t cc_upstream_asn[SW_WHOIS_MAX_UPSTREAMS];
	char cc_upstream_addr[SW_WHOIS_MAX_UPSTREAMS][128];
	size_t ncc_upstream;
	struct sw_buf body;
};

/*
 * Compose the memo for m as written by the identity in conf, with times in
 * the zone the process runs in (TZ; zone_label names it in the text, e.g.
 * "America/New_York"). Returns 0, or -1 when nobody can be addressed (no
 * recipient at all) with the reason in err.
 */
int sw_memo_compose(const struct sw_memo *m, const struct sw_reporter_conf *conf,
		    const char *zone_label, struct sw_memo_text *out, char *err, size_t errlen);
void sw_memo_text_free(struct sw_memo_text *t);
void sw_memo_free(struct sw_memo *m);

/* text as a paragraph into b: wrapped at 72 columns, then a blank line
 * (every memo's prose, the owner's and the CERT's). */
void sw_memo_paragraph(struct sw_buf *b, const char *text);
/* "2026-11-27 12:42:19 -0500" (with ".729231" when frac) in the local zone. */
void sw_memo_local_time(int64_t us, bool frac, char *out, size_t len);

#endif
