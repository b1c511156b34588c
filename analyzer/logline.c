/*
 * logline.c - one log line into one fixed event (see logline.h).
 *
 * The line is checked (length, binary bytes), copied into a stack buffer
 * so that it is NUL-terminated, its header read (timestamp, host, program)
 * and its message matched against the known event forms. Nothing is
 * allocated.
 *
 * Attacker-controlled parts (user names above all) may contain text that
 * looks like the rest of the line ("root from 10.0.0.1 port 22"), so the
 * parts that are not attacker-controlled are anchored from the right:
 * sshd's " from ADDR port N", vsftpd's FAIL LOGIN: Client "ADDR", proftpd's
 * "(Login failed)". Firewall lines are only read from the kernel and sshd
 * lines only from sshd, so a user name full of SRC= cannot forge one.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "logline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"
#include "util.h"

#define US_PER_SEC INT64_C(1000000)

/* ---- small text helpers ----------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1..5 digits at s, value <= max; *end after them. */
static bool port_num(const char *s, unsigned max, unsigned *out,
		     const char **end)
{
	unsigned v = 0;
	int n = 0;

	while (is_digit(s[n]) && n < 6) {
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || n > 5 || v > max)
		return false;
	*out = v;
	*end = s + n;
	return true;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Last occurrence of needle in s, or NULL. */
static const char *rfind(const char *s, const char *needle)
{
	const char *last = NULL;

	for (const char *p = strstr(s, needle); p != NULL;
	     p = strstr(p + 1, needle))
		last = p;
	return last;
}

static void copy_field(char *dst, size_t dstlen, const char *s, size_t n)
{
	sw_sanitize(dst, dstlen, s, n);
}

/* "Jan".."Dec" -> 1..12, 0 otherwise. */
static int month_of(const char *s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++)
		if (strncmp(s, names + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

static bool weekday_name(const char *s)
{
	static const char names[] = "SunMonTueWedThuFriSat";

	for (int i = 0; i < 7; i++)
		if (strncmp(s, names + 3 * i, 3) == 0)
			return true;
	return false;
}

/* ---- local time in the context's zone --------------------------------- */

struct tzsave {
	bool set;
	bool had;
	char old[256];
};

static bool tz_name_ok(const char *tz)
{
	for (const char *p = tz; *p; p++)
		if (!is_alpha(*p) && !is_digit(*p) && !strchr("/_+-:.,<>", *p))
			return false;
	return true;
}

/* Switch TZ to the context's zone ("" keeps the process's own). */
static bool tz_enter(const struct sw_logctx *ctx, struct tzsave *s)
{
	s->set = false;
	s->had = false;
	if (ctx->tz[0] == '\0')
		return true;
	if (memchr(ctx->tz, '\0', sizeof(ctx->tz)) == NULL ||
	    !tz_name_ok(ctx->tz))
		return false;
	const char *old = getenv("TZ");
	if (old != NULL) {
		size_t l = strlen(old);
		if (l >= sizeof(s->old))
			return false; /* could not restore it */
		memcpy(s->old, old, l + 1);
		s->had = true;
	}
	if (setenv("TZ", ctx->tz, 1) != 0)
		return false;
	tzset();
	s->set = true;
	return true;
}

static void tz_leave(struct tzsave *s)
{
	if (!s->set)
		return;
	if (s->had)
		(void)setenv("TZ", s->old, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	s->set = false;
}

/* A stamp's fields, a leap second allowed; times before the epoch are
 * not log lines. */
static bool fields_ok(int y, int mo, int d, int h, int mi, int sec)
{
	struct sw_civil c = { y, mo, d, h, mi, sec };

	return y >= 1970 && y <= 9999 && sw_civil_valid(&c, 60);
}

/* Wall-clock fields in the current TZ to UTC seconds. */
static bool mk_local(int y, int mo, int d, int h, int mi, int sec,
		     int64_t *out)
{
	struct sw_civil c = { y, mo, d, h, mi, sec };
	struct tm tm;

	if (!fields_ok(y, mo, d, h, mi, sec))
		return false;
	sw_civil_tm(&c, &tm);
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t;
	return true;
}

/*
 * Switching TZ costs a zone file read each way, and mktime() is not cheap
 * either; doing both for every line made a log with --tz take twice as
 * long. Log lines come in time order, so this remembers the last hour
 * converted: the UTC second of its hh:00:00, kept only when the whole hour
 * has one offset (hh:59:59 is 3599 s later; a change of offset inside an
 * hour, as in zones that switch at hh:30 or hh:45, is not cached). The
 * year of a file's mtime is remembered the same way. The key names the
 * zone: the context's, or the process's own TZ when that is "". Both live
 * in ctx->memo (struct sw_logmemo), so the parser itself holds no state.
 */
static void zone_key(const struct sw_logctx *ctx, char *key, size_t len)
{
	const char *env = getenv("TZ");

	if (ctx->tz[0] && memchr(ctx->tz, '\0', sizeof(ctx->tz)))
		snprintf(key, len, "tz=%s", ctx->tz);
	else
		snprintf(key, len, "env=%s%s", env ? "1" : "0", env ? env : "");
}

/* Fields in the context's zone to UTC seconds. */
static bool zone_to_utc(struct sw_logctx *ctx, int y, int mo, int d, int h, int mi,
			int sec, int64_t *t)
{
	struct sw_logmemo *memo = &ctx->memo;
	char key[sizeof(memo->hour.zone)];
	struct tzsave save;
	int64_t base, end;
	bool ok;

	if (!fields_ok(y, mo, d, h, mi, sec))
		return false;
	zone_key(ctx, key, sizeof(key));
	if (memo->hour.valid && memo->hour.y == y && memo->hour.mo == mo && memo->hour.d == d &&
	    memo->hour.h == h && strcmp(memo->hour.zone, key) == 0) {
		*t = memo->hour.base + mi * 60 + sec;
		return true;
	}
	if (!tz_enter(ctx, &save))
		return false;
	ok = mk_local(y, mo, d, h, mi, sec, t);
	if (ok && mk_local(y, mo, d, h, 0, 0, &base) && mk_local(y, mo, d, h, 59, 59, &end) &&
	    end - base == 3599 && *t == base + mi * 60 + sec) {
		snprintf(memo->hour.zone, sizeof(memo->hour.zone), "%s", key);
		memo->hour.y = y;
		memo->hour.mo = mo;
		memo->hour.d = d;
		memo->hour.h = h;
		memo->hour.base = base;
		memo->hour.valid = true;
	}
	tz_leave(&save);
	return ok;
}

/* The year of the file's mtime in the context's zone. */
static bool mtime_year(struct sw_logctx *ctx, int *year)
{
	struct sw_logmemo *memo = &ctx->memo;
	char key[sizeof(memo->year.zone)];
	struct tzsave save;
	struct tm tm;
	int64_t ms = ctx->file_mtime_us / US_PER_SEC;
	bool ok;

	zone_key(ctx, key, sizeof(key));
	if (memo->year.valid && memo->year.mtime_us == ctx->file_mtime_us &&
	    strcmp(memo->year.zone, key) == 0) {
		*year = memo->year.year;
		return true;
	}
	if (ctx->file_mtime_us < 0 && ctx->file_mtime_us % US_PER_SEC)
		ms--;
	time_t mt = (time_t)ms;
	if (!tz_enter(ctx, &save))
		return false;
	ok = localtime_r(&mt, &tm) != NULL;
	tz_leave(&save);
	if (!ok)
		return false;
	*year = tm.tm_year + 1900;
	snprintf(memo->year.zone, sizeof(memo->year.zone), "%s", key);
	memo->year.mtime_us = ctx->file_mtime_us;
	memo->year.year = *year;
	memo->year.valid = true;
	return true;
}

/* A stamp with a year but no zone (vsftpd, proftpd SystemLog). */
static bool local_time(struct sw_logctx *ctx, int y, int mo, int d,
		       int h, int mi, int sec, int64_t *us)
{
	int64_t t;

	if (ctx == NULL || !zone_to_utc(ctx, y, mo, d, h, mi, sec, &t))
		return false;
	*us = t * US_PER_SEC;
	return true;
}

/* RFC 3164: no year, no zone; see struct sw_logctx for the rule. */
static bool time_3164(struct sw_logctx *ctx, int mo, int d, int h,
		      int mi, int sec, int64_t *us)
{
	int64_t t;
	int year;
	bool ok = false;

	if (ctx == NULL || (ctx->year_hint <= 0 && ctx->file_mtime_us == 0))
		return false;
	if (ctx->year_hint > 0) {
		ok = zone_to_utc(ctx, ctx->year_hint, mo, d, h, mi, sec, &t);
	} else if (mtime_year(ctx, &year)) {
		ok = zone_to_utc(ctx, year, mo, d, h, mi, sec, &t);
		/* Feb 29 of a leap year seen from the next year fails the
		 * first try: the previous year is tried below */
		if (!ok || t * US_PER_SEC > ctx->file_mtime_us + 86400 * US_PER_SEC)
			ok = zone_to_utc(ctx, year - 1, mo, d, h, mi, sec, &t);
	}
	if (ok)
		*us = t * US_PER_SEC;
	return ok;
}

/* ---- header ------------------------------------------------------------ */

/* "hh:mm:ss" at s. */
static bool clock_at(const char *s, int *h, int *mi, int *sec)
{
	return sw_digits(s, 2, h) && s[2] == ':' && sw_digits(s + 3, 2, mi) &&
	       s[5] == ':' && sw_digits(s + 6, 2, sec);
}

/* "Mmm dd hh:mm:ss" (dd may be " 8" or "8"); *end after the seconds. */
static bool mdhms(const char *s, int *mo, int *d, int *h, int *mi, int *sec,
		  const char **end)
{
	*mo = month_of(s);
	if (*mo == 0 || s[3] != ' ')
		return false;
	s += 4;
	if (*s == ' ')
		s++;
	if (sw_digits(s, 2, d))
		s += 2;
	else if (sw_digits(s, 1, d))
		s += 1;
	else
		return false;
	if (*s != ' ' || !clock_at(s + 1, h, mi, sec))
		return false;
	*end = s + 9;
	return true;
}

/* Host then "prog[pid]:" (or "prog:", "prog[pid]"); returns the message. */
static char *host_and_tag(char *p, struct sw_logev *ev)
{
	char *sp = strchr(p, ' ');
	size_t n = sp ? (size_t)(sp - p) : strlen(p);

	/* no host: the first token is already the tag */
	if (!(n > 0 && (p[n - 1] == ':' || memchr(p, '[', n) != NULL))) {
		copy_field(ev->host, sizeof(ev->host), p, n);
		p += n;
		while (*p == ' ')
			p++;
	}
	char *q = p;
	while (*q && *q != '[' && *q != ':' && *q != ' ')
		q++;
	copy_field(ev->program, sizeof(ev->program), p, (size_t)(q - p));
	if (*q == '[') {
		char *r = strchr(q, ']');
		if (r != NULL)
			q = r + 1;
	}
	if (*q == ':')
		q++;
	if (*q == ' ')
		q++;
	return q;
}

/* The next space-delimited token; NULL at the end of the line. */
static char *token(char *p, char **tok, size_t *n)
{
	if (p == NULL || *p == '\0')
		return NULL;
	char *sp = strchr(p, ' ');
	*tok = p;
	*n = sp ? (size_t)(sp - p) : strlen(p);
	return sp ? sp + 1 : p + *n;
}

/* RFC 5424 after "<PRI>1 ". */
static enum sw_logres header_5424(char *p, struct sw_logev *ev, char **msg)
{
	char *tok;
	size_t n;
	char ts[48];

	if ((p = token(p, &tok, &n)) == NULL || n >= sizeof(ts))
		return SW_LOG_BAD_TIME;
	memcpy(ts, tok, n);
	ts[n] = '\0';
	if (sw_iso_parse_offset(ts, &ev->ts_us) != 0)
		return SW_LOG_BAD_TIME; /* includes the NILVALUE "-" */
	static const size_t lens[3] = { sizeof(ev->host), sizeof(ev->program), 0 };
	char *dst[3] = { ev->host, ev->program, NULL };
	for (int i = 0; i < 4; i++) { /* HOSTNAME APP-NAME PROCID MSGID */
		if ((p = token(p, &tok, &n)) == NULL) {
			*msg = (char *)"";
			return SW_LOG_OK;
		}
		if (i < 2 && !(n == 1 && tok[0] == '-'))
			copy_field(dst[i], lens[i], tok, n);
	}
	/* STRUCTURED-DATA: "-" or [id k="v" ...]... with \" \] \\ escapes */
	if (*p == '-') {
		p++;
	} else {
		while (*p == '[') {
			bool quoted = false;
			for (p++; *p && (quoted || *p != ']'); p++) {
				if (quoted && *p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '"')
					quoted = !quoted;
			}
			if (*p != ']') {
				*msg = (char *)"";
				return SW_LOG_OK;
			}
			p++;
		}
	}
	if (*p == ' ')
		p++;
	if (starts(p, "\xef\xbb\xbf")) /* BOM */
		p += 3;
	*msg = p;
	return SW_LOG_OK;
}

static enum sw_logres parse_header(char *p, struct sw_logctx *ctx,
				   struct sw_logev *ev, char **msg)
{
	int y, mo, d, h, mi, sec;
	const char *end;

	if (*p == '<') { /* <PRI>, then RFC 5424 or 3164 */
		int i = 1;
		while (i <= 3 && is_digit(p[i]))
			i++;
		if (i == 1 || p[i] != '>')
			return SW_LOG_BAD_TIME;
		p += i + 1;
		if (p[0] == '1' && p[1] == ' ')
			return header_5424(p + 2, ev, msg);
	}
	if (sw_digits(p, 4, &y) && p[4] == '-') {
		if (p[10] == 'T') { /* ISO 8601 with its zone */
			char ts[48];
			size_t n = strcspn(p, " ");
			if (n >= sizeof(ts))
				return SW_LOG_BAD_TIME;
			memcpy(ts, p, n);
			ts[n] = '\0';
			if (sw_iso_parse_offset(ts, &ev->ts_us) != 0)
				return SW_LOG_BAD_TIME;
			p += n;
		} else { /* proftpd SystemLog "2026-11-27 17:09:41,508" */
			if (!sw_digits(p + 5, 2, &mo) || p[7] != '-' ||
			    !sw_digits(p + 8, 2, &d) || p[10] != ' ' ||
			    !clock_at(p + 11, &h, &mi, &sec))
				return SW_LOG_BAD_TIME;
			p += 19;
			int ms = 0;
			if (*p == ',' || *p == '.') {
				if (!sw_digits(p + 1, 3, &ms))
					return SW_LOG_BAD_TIME;
				p += 4;
			}
			if (!local_time(ctx, y, mo, d, h, mi, sec, &ev->ts_us))
				return SW_LOG_BAD_TIME;
			ev->ts_us += ms * 1000;
		}
	} else if (weekday_name(p) && p[3] == ' ' && month_of(p + 4) != 0) {
		/* vsftpd's own log: "Thu Nov 27 17:09:41 2026 [pid N] ..." */
		if (!mdhms(p + 4, &mo, &d, &h, &mi, &sec, &end) || *end != ' ' ||
		    !sw_digits(end + 1, 4, &y) ||
		    !local_time(ctx, y, mo, d, h, mi, sec, &ev->ts_us))
			return SW_LOG_BAD_TIME;
		p = (char *)end + 5;
		if (*p != ' ' && *p != '\0')
			return SW_LOG_BAD_TIME;
		while (*p == ' ')
			p++;
		*msg = p; /* no host, no tag */
		return SW_LOG_OK;
	} else { /* RFC 3164 */
		if (!mdhms(p, &mo, &d, &h, &mi, &sec, &end) ||
		    !time_3164(ctx, mo, d, h, mi, sec, &ev->ts_us))
			return SW_LOG_BAD_TIME;
		p = (char *)end;
	}
	if (*p != ' ')
		return SW_LOG_BAD_TIME;
	while (*p == ' ')
		p++;
	*msg = host_and_tag(p, ev);
	return SW_LOG_OK;
}

/* ---- events ------------------------------------------------------------ */

/* Service port from a program or PAM service name. */
static uint16_t port_for_name(const char *name)
{
	char low[32];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof(low); i++)
		low[i] = (name[i] >= 'A' && name[i] <= 'Z') ?
				 (char)(name[i] - 'A' + 'a') : name[i];
	low[i] = '\0';
	/* "sftp-server" is ssh, but "vsftpd" contains "sftp" too */
	if (strstr(low, "ssh") || strncmp(low, "sftp", 4) == 0)
		return 22;
	if (strstr(low, "ftp"))
		return 21;
	if (strstr(low, "telnet"))
		return 23;
	if (strstr(low, "pop"))
		return 110;
	if (strstr(low, "imap"))
		return 143;
	return 0;
}

/* Parse an address token; v4-mapped v6 becomes v4. */
static bool addr_of(const char *s, size_t n, struct sw_addr *a)
{
	char tmp[SW_ADDR_STRLEN + 8];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!sw_addr_parse(tmp, a))
		return false;
	sw_addr_unmap4(a, a);
	return true;
}

/* The source as written: an address or a plausible host name. */
static bool set_src(struct sw_logev *ev, const char *s, size_t n)
{
	bool numeric_look = true, name_ok = n > 0 && n <= 253;

	copy_field(ev->src_name, sizeof(ev->src_name), s, n);
	if (addr_of(s, n, &ev->src)) {
		ev->src_numeric = true;
		return true;
	}
	memset(&ev->src, 0, sizeof(ev->src));
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!is_digit(c) && c != '.')
			numeric_look = false;
		if (c == ':' || c == '[' || c == ']')
			numeric_look = true; /* a broken IPv6 address */
		if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-' &&
		    c != '_')
			name_ok = false;
	}
	if (numeric_look || !name_ok || s[0] == '.' || s[0] == '-' ||
	    (n == 7 && memcmp(s, "unknown", 7) == 0))
		return false;
	ev->src_numeric = false;
	return true;
}

static void set_user(struct sw_logev *ev, const char *s, size_t n)
{
	copy_field(ev->user, sizeof(ev->user), s, n);
}

/* tcpd: "refused connect from [user@]HOST[ (ADDR)]" */
static enum sw_logres ev_tcpd(const char *msg, struct sw_logev *ev)
{
	const char *p = msg + strlen("refused connect from ");
	size_t n = strcspn(p, " ");
	const char *at = memchr(p, '@', n);

	ev->kind = SW_LOGEV_TCPD_REFUSED;
	if (at != NULL) {
		/* the last '@': user names are the attacker's */
		for (const char *q = at; q < p + n; q++)
			if (*q == '@')
				at = q;
		set_user(ev, p, (size_t)(at - p));
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (!set_src(ev, p, n))
		return SW_LOG_BAD_ADDR;
	/* sshd's own form adds " (ADDR)" after the name */
	const char *rest = p + n;
	if (!ev->src_numeric && rest[0] == ' ' && rest[1] == '(') {
		const char *close = strchr(rest + 2, ')');
		if (close != NULL && close[1] == '\0')
			ev->src_numeric = addr_of(rest + 2,
						  (size_t)(close - rest - 2),
						  &ev->src);
	}
	ev->proto = 6;
	ev->dport = port_for_name(ev->program);
	return SW_LOG_OK;
}

/* sshd: the right-most " from ADDR port N" (port optional when
 * !need_port) ending the line or followed by a space. Returns the
 * position of " from " or NULL; *bad set when the shape fits but the
 * address does not. */
static const char *ssh_tail(const char *s, struct sw_logev *ev,
			    bool need_port, bool *bad)
{
	*bad = false;
	/* walk candidates from the right */
	for (const char *k = rfind(s, " from "); k != NULL;) {
		const char *a = k + 6;
		size_t n = strcspn(a, " ");
		const char *e = a + n;
		unsigned port = 0;
		bool shape = false;
		if (starts(e, " port ")) {
			const char *pe;
			if (port_num(e + 6, 65535, &port, &pe) &&
			    (*pe == '\0' || *pe == ' '))
				shape = true;
		} else if (!need_port && *e == '\0') {
			shape = true;
		}
		if (shape && n > 0) {
			if (!set_src(ev, a, n)) {
				*bad = true;
				return NULL;
			}
			ev->sport = (uint16_t)port;
			return k;
		}
		/* the previous occurrence, if any */
		const char *prev = NULL;
		for (const char *q = strstr(s, " from "); q != NULL && q < k;
		     q = strstr(q + 1, " from "))
			prev = q;
		k = prev;
	}
	return NULL;
}

static enum sw_logres ev_ssh(const char *msg, struct sw_logev *ev)
{
	const char *u;
	bool need_port;
	bool bad;

	if (starts(msg, "Failed ")) {
		const char *m = msg + 7;
		size_t n = strcspn(m, " ");
		if (n == 0 || !starts(m + n, " for "))
			return SW_LOG_NOT_EVENT;
		u = m + n + 5;
		if (starts(u, "invalid user "))
			u += 13;
		ev->kind = SW_LOGEV_SSH_FAILED;
		need_port = true;
	} else if (starts(msg, "Invalid user ")) {
		u = msg + 13;
		ev->kind = SW_LOGEV_SSH_INVALID_USER;
		need_port = false;
	} else {
		return SW_LOG_NOT_EVENT;
	}
	/* an empty user name: "invalid user  from ..." */
	const char *k = ssh_tail(u, ev, need_port, &bad);
	if (bad)
		return SW_LOG_BAD_ADDR;
	if (k == NULL)
		return SW_LOG_NOT_EVENT;
	set_user(ev, u, k >= u ? (size_t)(k - u) : 0);
	ev->proto = 6;
	ev->dport = 22;
	return SW_LOG_OK;
}

/* PAM: "pam_unix(svc:auth): authentication failure; ... rhost=H user=U" */
static enum sw_logres ev_pam(const char *msg, const char *fail,
			     struct sw_logev *ev)
{
	const char *r = strstr(fail, " rhost=");

	if (r == NULL)
		return SW_LOG_NOT_EVENT;
	r += 7;
	size_t n = strcspn(r, " ");
	if (n == 0)
		return SW_LOG_NOT_EVENT; /* a local failure: no source */
	ev->kind = SW_LOGEV_PAM_AUTH_FAILURE;
	if (!set_src(ev, r, n))
		return SW_LOG_BAD_ADDR;
	const char *u = strstr(r + n, " user=");
	if (u != NULL)
		set_user(ev, u + 6, strlen(u + 6));
	ev->proto = 6;
	/* the PAM service names the port better than the program */
	const char *paren = strchr(msg, '(');
	if (paren != NULL && paren < fail) {
		char svc[32];
		size_t sn = strcspn(paren + 1, ":)");
		if (sn >= sizeof(svc))
			sn = sizeof(svc) - 1;
		memcpy(svc, paren + 1, sn);
		svc[sn] = '\0';
		ev->dport = port_for_name(svc);
	}
	if (ev->dport == 0)
		ev->dport = port_for_name(ev->program);
	return SW_LOG_OK;
}

/* vsftpd: "[pid N] [USER] FAIL LOGIN: Client "ADDR"" */
static enum sw_logres ev_vsftpd(const char *msg, const char *k,
				struct sw_logev *ev)
{
	static const char key[] = "FAIL LOGIN: Client \"";
	const char *a = k + sizeof(key) - 1;
	const char *q = strchr(a, '"');

	if (q == NULL)
		return SW_LOG_NOT_EVENT;
	ev->kind = SW_LOGEV_VSFTPD_FAIL;
	if (!set_src(ev, a, (size_t)(q - a)) || !ev->src_numeric)
		return SW_LOG_BAD_ADDR;
	const char *p = msg;
	if (starts(p, "[pid ")) {
		const char *e = strchr(p, ']');
		if (e != NULL && e < k)
			p = e + 1;
		while (*p == ' ')
			p++;
	}
	/* what is left before k: "[USER] " */
	if (*p == '[' && k - p >= 3 && k[-1] == ' ' && k[-2] == ']')
		set_user(ev, p + 1, (size_t)(k - 2 - (p + 1)));
	if (ev->program[0] == '\0')
		copy_field(ev->program, sizeof(ev->program), "vsftpd", 6);
	ev->proto = 6;
	ev->dport = 21;
	return SW_LOG_OK;
}

/* proftpd: "server (name[ADDR]) - USER U (Login failed): reason"
 * (syslog) or "server (name[ADDR]): USER U (Login failed): ..." */
static enum sw_logres ev_proftpd(const char *msg, struct sw_logev *ev)
{
	const char *s = strstr(msg, "]) - ");
	const char *s2 = strstr(msg, "]): ");
	const char *body;

	if (s2 != NULL && (s == NULL || s2 < s)) {
		s = s2;
		body = s + 4;
	} else if (s != NULL) {
		body = s + 5;
	} else {
		return SW_LOG_NOT_EVENT;
	}
	if (!starts(body, "USER "))
		return SW_LOG_NOT_EVENT;
	const char *lf = rfind(body, " (Login failed)");
	if (lf == NULL)
		return SW_LOG_NOT_EVENT;
	const char *open = NULL;
	for (const char *q = msg; q < s; q++)
		if (*q == '[')
			open = q;
	if (open == NULL)
		return SW_LOG_NOT_EVENT;
	ev->kind = SW_LOGEV_PROFTPD_FAIL;
	if (!set_src(ev, open + 1, (size_t)(s - open - 1)) || !ev->src_numeric)
		return SW_LOG_BAD_ADDR;
	set_user(ev, body + 5, (size_t)(lf - body - 5));
	ev->proto = 6;
	ev->dport = 21;
	return SW_LOG_OK;
}

static uint8_t proto_of(const char *s, size_t n)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = {
		{ "TCP", 6 },	 { "UDP", 17 },	     { "ICMP", 1 },
		{ "ICMPv6", 58 }, { "ICMPV6", 58 },   { "SCTP", 132 },
		{ "UDPLITE", 136 }, { "GRE", 47 },   { "ESP", 50 },
		{ "AH", 51 },
	};
	for (size_t i = 0; i < SW_ARRAY_LEN(names); i++)
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, s, n) == 0)
			return names[i].num;
	unsigned v;
	const char *e;
	if (port_num(s, 255, &v, &e) && e == s + n)
		return (uint8_t)v;
	return 0;
}

/* iptables/nftables LOG: "[prefix] IN=eth0 OUT= ... SRC=a DST=b ...
 * PROTO=TCP SPT=n DPT=n ..."; only the fields after IN= count (the prefix
 * is free text). */
static enum sw_logres ev_firewall(char *msg, struct sw_logev *ev)
{
	char *p = msg, *tok;
	size_t n;
	bool in = false, src = false, dst = false, proto = false;

	while ((p = token(p, &tok, &n)) != NULL) {
		if (!in) {
			in = n >= 3 && memcmp(tok, "IN=", 3) == 0;
			continue;
		}
		unsigned v;
		const char *e;
		if (!src && n > 4 && memcmp(tok, "SRC=", 4) == 0) {
			src = true;
			copy_field(ev->src_name, sizeof(ev->src_name), tok + 4,
				   n - 4);
			if (!addr_of(tok + 4, n - 4, &ev->src))
				return SW_LOG_BAD_ADDR;
			ev->src_numeric = true;
		} else if (!dst && n > 4 && memcmp(tok, "DST=", 4) == 0) {
			dst = true;
			if (!addr_of(tok + 4, n - 4, &ev->dst))
				return SW_LOG_BAD_ADDR;
			ev->has_dst = true;
		} else if (!proto && n > 6 && memcmp(tok, "PROTO=", 6) == 0) {
			proto = true;
			ev->proto = proto_of(tok + 6, n - 6);
		} else if (proto && n > 4 && memcmp(tok, "SPT=", 4) == 0 &&
			   port_num(tok + 4, 65535, &v, &e) && e == tok + n) {
			ev->sport = (uint16_t)v;
		} else if (proto && n > 4 && memcmp(tok, "DPT=", 4) == 0 &&
			   port_num(tok + 4, 65535, &v, &e) && e == tok + n) {
			ev->dport = (uint16_t)v;
		}
	}
	if (!in || !src || !dst || !proto)
		return SW_LOG_NOT_EVENT;
	ev->kind = SW_LOGEV_FIREWALL;
	return SW_LOG_OK;
}

static enum sw_logres match_event(char *msg, struct sw_logev *ev)
{
	const char *prog = ev->program;
	const char *k;

	if (strcmp(prog, "kernel") == 0)
		return ev_firewall(msg, ev);
	if (starts(msg, "refused connect from "))
		return ev_tcpd(msg, ev);
	if (starts(prog, "sshd")) {
		enum sw_logres r = ev_ssh(msg, ev);
		if (r != SW_LOG_NOT_EVENT)
			return r;
	}
	if ((k = strstr(msg, "authentication failure;")) != NULL)
		return ev_pam(msg, k, ev);
	if ((prog[0] == '\0' || starts(prog, "vsftpd")) &&
	    (k = rfind(msg, "FAIL LOGIN: Client \"")) != NULL)
		return ev_vsftpd(msg, k, ev);
	if (starts(prog, "proftpd"))
		return ev_proftpd(msg, ev);
	return SW_LOG_NOT_EVENT;
}

/* ---- entry points ------------------------------------------------------ */

size_t sw_log_identity_len(const char *line, size_t len)
{
	if (line == NULL)
		return 0;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

enum sw_logres sw_log_parse(const char *line, size_t len,
			    struct sw_logctx *ctx, struct sw_logev *ev)
{
	char buf[SW_LOG_MAX_LINE + 1];
	char *msg = NULL;

	memset(ev, 0, sizeof(*ev));
	len = sw_log_identity_len(line, len);
	if (len > SW_LOG_MAX_LINE)
		return SW_LOG_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 && c != '\t' && c != '\r' && c != 0x1b)
			return SW_LOG_BINARY;
	}
	size_t lead = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	if (lead == len)
		return SW_LOG_NOT_EVENT; /* blank */
	if (len > 0)
		memcpy(buf, line, len);
	buf[len] = '\0';

	enum sw_logres r = parse_header(buf, ctx, ev, &msg);
	if (r == SW_LOG_OK)
		r = match_event(msg, ev);
	if (r != SW_LOG_OK) {
		int64_t ts = ev->ts_us;
		memset(ev, 0, sizeof(*ev));
		ev->ts_us = ts;
	}
	return r;
}

const char *sw_log_res_name(enum sw_logres r)
{
	static const char *const names[SW_LOG_NRES] = {
		[SW_LOG_OK] = "ok",
		[SW_LOG_TOO_LONG] = "too_long",
		[SW_LOG_BINARY] = "binary",
		[SW_LOG_BAD_TIME] = "bad_time",
		[SW_LOG_BAD_ADDR] = "bad_addr",
		[SW_LOG_NOT_EVENT] = "not_event",
	};
	if ((int)r < 0 || r >= SW_LOG_NRES)
		return "?";
	return names[r];
}

const char *sw_logev_kind_name(int kind)
{
	static const char *const names[SW_LOGEV_NKINDS] = {
		[SW_LOGEV_NONE] = "none",
		[SW_LOGEV_TCPD_REFUSED] = "tcpd_refused",
		[SW_LOGEV_SSH_FAILED] = "ssh_failed",
		[SW_LOGEV_SSH_INVALID_USER] = "ssh_invalid_user",
		[SW_LOGEV_PAM_AUTH_FAILURE] = "pam_auth_failure",
		[SW_LOGEV_VSFTPD_FAIL] = "vsftpd_fail",
		[SW_LOGEV_PROFTPD_FAIL] = "proftpd_fail",
		[SW_LOGEV_FIREWALL] = "firewall",
	};
	if (kind < 0 || kind >= SW_LOGEV_NKINDS)
		return "?";
	return names[kind];
}
