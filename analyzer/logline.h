/*
 * logline.h - parse one log line into a fixed, allocation-free event.
 *
 * The analyzer's --syslog input: the article's own kind of detect (TCP
 * wrappers "refused connect from HOST"), sshd and PAM authentication
 * failures, vsftpd and proftpd failed logins, and iptables/nftables LOG
 * lines. One call parses one line (bytes + length, may contain anything);
 * nothing is allocated and every text field is a fixed array filled by
 * sw_sanitize() (truncated, control bytes written as \xNN), so hostile
 * content is data and can never overflow.
 *
 * Timestamps:
 *  - RFC 3164 "Nov  8 15:26:31" (optionally after "<PRI>"): the zone and
 *    year come from struct sw_logctx (see there);
 *  - RFC 5424 "<34>1 2026-11-27T17:09:41.508Z host app procid msgid SD msg"
 *    and ISO 8601 at line start "2026-11-27T17:09:41.508835+00:00 host
 *    prog[pid]: msg" (rsyslog high precision) are read as written;
 *  - vsftpd's own log "Thu Nov 27 17:09:41 2026 [pid N] ..." and
 *    proftpd's SystemLog "2026-11-27 17:09:41,508 host proftpd[N] ..." carry
 *    a year but no zone: the zone comes from sw_logctx.
 *
 * Identity (idempotent storage): a line is identified by the pair
 * (ev.ts_us, the raw line without its trailing "\n", "\r\n" or "\r"), whose length
 * sw_log_identity_len() gives. ts_us is part of it because an RFC 3164
 * line carries no year: the same text in two years is two events. The
 * caller hashes or stores that pair as it likes.
 *
 * (Named logline.h, not syslog.h, so it never shadows the system's
 * <syslog.h>.)
 *
 * Not thread-safe: RFC 3164 and zone-less stamps are converted by setting
 * TZ for the duration of one call (setenv/tzset), restoring it after. The
 * parser keeps no state of its own: what it remembers between lines is in
 * the caller's struct sw_logctx.
 */
#ifndef SW_LOGLINE_H
#define SW_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SW_LOG_MAX_LINE 2048 /* longer lines are rejected (not counting \n) */

/* What a line is: the outcome of sw_log_parse(). */
enum sw_logres {
	SW_LOG_OK = 0,       /* an event; *ev is filled */
	SW_LOG_TOO_LONG,     /* more than SW_LOG_MAX_LINE bytes */
	SW_LOG_BINARY,       /* NUL or a control byte (see sw_log_parse) */
	SW_LOG_BAD_TIME,     /* no timestamp, or one that cannot be read */
	SW_LOG_BAD_ADDR,     /* the source/destination is not an address
				or a plausible host name (SRC=999.1.1.1) */
	SW_LOG_NOT_EVENT,    /* an ordinary line we do not care about: not an
				error, count it separately */
	SW_LOG_NRES
};

/* Event kinds (ev.kind). */
enum sw_logkind {
	SW_LOGEV_NONE = 0,
	SW_LOGEV_TCPD_REFUSED,      /* ftpd[1]: refused connect from HOST */
	SW_LOGEV_SSH_FAILED,        /* sshd: Failed password for [invalid user] U from A port N */
	SW_LOGEV_SSH_INVALID_USER,  /* sshd: Invalid user U from A [port N] */
	SW_LOGEV_PAM_AUTH_FAILURE,  /* pam_unix(svc:auth): authentication failure; ... rhost=H user=U */
	SW_LOGEV_VSFTPD_FAIL,       /* [pid N] [U] FAIL LOGIN: Client "A" */
	SW_LOGEV_PROFTPD_FAIL,      /* host (name[A]) - USER U (Login failed): ... */
	SW_LOGEV_FIREWALL,          /* iptables/nftables LOG: SRC= DST= PROTO= DPT= */
	SW_LOGEV_NKINDS
};

/*
 * What the parser remembers between lines (see logline.c): the last hour
 * converted to UTC and the year of the last file mtime, each keyed by the
 * zone. It lives in the context, not in the parser, so that two contexts
 * (two files, two threads) never share it. Zeroed with the context.
 */
struct sw_logmemo {
	struct {
		char zone[320];
		int y, mo, d, h;
		int64_t base; /* UTC second of hh:00:00 */
		bool valid;
	} hour;
	struct {
		char zone[320];
		int64_t mtime_us;
		int year;
		bool valid;
	} year;
};

/* Filled by the caller (zeroed, then the fields below set), and passed to
 * every sw_log_parse() of one input; the parser writes only memo. */
struct sw_logctx {
	/* Year for RFC 3164 stamps when > 0 (explicit configuration wins).
	 * Otherwise the year of file_mtime_us in tz, or the year before when
	 * that would put the line more than a day after file_mtime_us (a
	 * Dec 31 line in a file modified on Jan 1). With neither, RFC 3164
	 * lines are SW_LOG_BAD_TIME. */
	int year_hint;
	int64_t file_mtime_us; /* 0 = unknown */
	/* Olson zone for stamps written without one ("America/New_York",
	 * "UTC"); "" = the process's own local time. */
	char tz[64];
	struct sw_logmemo memo; /* the parser's own; the caller only zeroes it */
};

struct sw_logev {
	int64_t ts_us;         /* UTC microseconds */
	char host[64];         /* the logging host as written ("" when none) */
	char program[32];      /* "sshd", "in.ftpd", "kernel" ... */
	int kind;              /* enum sw_logkind */
	char src_name[256];    /* the source as written: name or address */
	struct sw_addr src;    /* set when src_numeric (v4-mapped v6 -> v4) */
	bool src_numeric;
	struct sw_addr dst;    /* firewall lines only */
	bool has_dst;
	uint8_t proto;         /* 6 for the services; PROTO= for firewall */
	uint16_t dport;        /* DPT=, or inferred from the program/service
				  name (ftp 21, ssh 22, telnet 23, pop 110,
				  imap 143), 0 when unknown */
	uint16_t sport;        /* "port N" / SPT= when written, else 0 */
	char user[64];         /* the user name tried ("" when none) */
};

/* Parse line[0..len) (a trailing "\n", "\r\n" or "\r" is ignored). *ev is
 * always reset; it is meaningful only for SW_LOG_OK. Binary means a NUL
 * byte or a control byte below 0x20 other than TAB, CR and ESC: a stray
 * CR and terminal escapes are injected into logs through user names and
 * are kept as data (sanitized), not rejected. ctx may be NULL (RFC 3164
 * lines then have no year and are SW_LOG_BAD_TIME). */
enum sw_logres sw_log_parse(const char *line, size_t len,
			    struct sw_logctx *ctx, struct sw_logev *ev);

/* Length of the line's identity: len minus a trailing "\n", "\r\n" or
 * "\r". */
size_t sw_log_identity_len(const char *line, size_t len);

/* Stable lower-case names: "ok", "too_long", "binary", "bad_time",
 * "bad_addr", "not_event"; "tcpd_refused", "ssh_failed",
 * "ssh_invalid_user", "pam_auth_failure", "vsftpd_fail", "proftpd_fail",
 * "firewall". Out of range gives "?". */
const char *sw_log_res_name(enum sw_logres r);
const char *sw_logev_kind_name(int kind);

#endif
