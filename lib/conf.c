/*
 * conf.c - the table-driven INI loader and writer (see conf.h).
 *
 * libinih does the tokenizing; this file owns everything around it:
 *
 * - The line reader. We hand inih our own fgets-like reader so that we know
 *   the line number (the Debian library is built without line numbers in
 *   the handler), whether a line is indented (inih passes continuation
 *   lines to the handler as if they were the key again), and so that an
 *   over-long line is one clear error instead of inih silently splitting it
 *   into two lines. It also sees section headers, so a misspelled empty
 *   section is reported where it is.
 * - The handler: find the key in the table, parse the value by type, store
 *   it at its offset, or record the first error and stop.
 *
 * Everything quoted back from the file in a message goes through
 * sw_sanitize(): a configuration file is text a person wrote, but the
 * message ends up on a terminal or in syslog.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Room for a quoted name or value in a message (escaped, so up to 4x). */
#define QUOTE_MAX 64

struct load {
	const char *path;
	const struct sw_cfg_key *keys;
	size_t nkeys;
	void *target;
	unsigned *lines;
	FILE *f;

	unsigned line;       /* number of the line inih is working on */
	bool indented;       /* it starts with a blank: maybe a continuation */
	long last_key;       /* key set by the previous value line, -1 if none */

	bool failed;
	unsigned err_line;   /* line of the recorded error, 0 if none */
	char *err;
	size_t errlen;
};

/* ---- messages ------------------------------------------------------------- */

/* Escape s for a message, cut to QUOTE_MAX bytes of input. */
static const char *quote(char *buf, size_t len, const char *s)
{
	size_t n = strnlen(s, QUOTE_MAX);

	sw_sanitize(buf, len, s, n);
	if (s[n] != '\0' && strlen(buf) + 4 < len)
		strcat(buf, "...");
	return buf;
}

/* Record the first error: "FILE:LINE: " + fmt. Later ones are dropped so
 * that the person sees the first mistake, as a compiler would show it. */
static void fail(struct load *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct load *ld, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (ld->failed)
		return;
	ld->failed = true;
	ld->err_line = ld->line;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ld->err && ld->errlen)
		snprintf(ld->err, ld->errlen, "%s:%u: %s", ld->path, ld->line, why);
}

/* As fail(), prefixed with "[section] key: ". */
static void fail_key(struct load *ld, const struct sw_cfg_key *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_key(struct load *ld, const struct sw_cfg_key *k, const char *fmt, ...)
{
	char why[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fail(ld, "[%s] %s: %s", k->section, k->name, why);
}

/* "16..65536", "(0, 1)" or "[0, 10]", for "out of range" messages. */
static void range_text(const struct sw_cfg_key *k, char *buf, size_t len)
{
	if (k->type == SW_CFG_UINT)
		snprintf(buf, len, "%.0f..%.0f", k->min, k->max);
	else
		snprintf(buf, len, "%c%g, %g%c",
			 k->flags & SW_CFG_OPEN_MIN ? '(' : '[', k->min, k->max,
			 k->flags & SW_CFG_OPEN_MAX ? ')' : ']');
}

/* ", "-separated names of the sections (section == NULL) or of the keys of
 * one section, each once, in table order. */
static void known_names(const struct load *ld, const char *section, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ld->nkeys; i++) {
		const char *name = section ? ld->keys[i].name : ld->keys[i].section;
		bool seen = false;
		int n;

		if (section && strcasecmp(ld->keys[i].section, section) != 0)
			continue;
		for (size_t j = 0; !section && j < i; j++)
			seen |= strcasecmp(ld->keys[j].section, name) == 0;
		if (seen)
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - off)
			return;  /* cut short; the message is still one line */
		off += (size_t)n;
	}
}

/* ---- lookup --------------------------------------------------------------- */

/*
 * One configuration file serves all three programs: each reads its own
 * sections and passes over those of the others, which are listed here so
 * that a misspelled section is still an error everywhere.
 */
static const char *const program_sections[] = {
	"trw", "timeouts", "scan", "flood", "login", "tables", "networks", /* sensor */
	"analyzer", "retention", "reporter", "cert",
	"database", /* all three: lib/db.h */
};

static bool section_known(const struct load *ld, const char *section)
{
	for (size_t i = 0; i < ld->nkeys; i++)
		if (strcasecmp(ld->keys[i].section, section) == 0)
			return true;
	return false;
}

static bool other_program_section(const struct load *ld, const char *section)
{
	if (section_known(ld, section))
		return false;
	for (size_t i = 0; i < sizeof program_sections / sizeof program_sections[0]; i++)
		if (strcasecmp(program_sections[i], section) == 0)
			return true;
	return false;
}

static long find_key(const struct load *ld, const char *section, const char *name)
{
	for (size_t i = 0; i < ld->nkeys; i++)
		if (strcasecmp(ld->keys[i].section, section) == 0 &&
		    strcasecmp(ld->keys[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* ---- values --------------------------------------------------------------- */

static bool in_range(const struct sw_cfg_key *k, double v)
{
	if (k->flags & SW_CFG_OPEN_MIN ? v <= k->min : v < k->min)
		return false;
	if (k->flags & SW_CFG_OPEN_MAX ? v >= k->max : v > k->max)
		return false;
	return true;
}

static bool set_uint(struct load *ld, const struct sw_cfg_key *k, void *dst, const char *v)
{
	char q[QUOTE_MAX * 4 + 4], range[64];
	uint64_t n;

	range_text(k, range, sizeof(range));
	if (!sw_parse_u64(v, 0, UINT64_MAX, &n)) {
		fail_key(ld, k, "not a whole number: \"%s\" (want %s)",
			 quote(q, sizeof(q), v), range);
		return false;
	}
	if (!in_range(k, (double)n) || n > UINT_MAX) {
		fail_key(ld, k, "%s is out of range %s", quote(q, sizeof(q), v), range);
		return false;
	}
	*(unsigned *)dst = (unsigned)n;
	return true;
}

static bool set_double(struct load *ld, const struct sw_cfg_key *k, void *dst, const char *v)
{
	char q[QUOTE_MAX * 4 + 4], range[64];
	char *end;
	double d;

	range_text(k, range, sizeof(range));
	d = strtod(v, &end);
	/* strtod takes leading blanks, "inf" and "nan": none is a setting; an
	 * underflow to 0 is left to the range check */
	if (end == v || *end != '\0' || isspace((unsigned char)*v) || !isfinite(d)) {
		fail_key(ld, k, "not a number: \"%s\" (want %s)",
			 quote(q, sizeof(q), v), range);
		return false;
	}
	if (!in_range(k, d)) {
		fail_key(ld, k, "%s is out of range %s", quote(q, sizeof(q), v), range);
		return false;
	}
	*(double *)dst = d;
	return true;
}

static bool set_bool(struct load *ld, const struct sw_cfg_key *k, void *dst, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	char q[QUOTE_MAX * 4 + 4];

	for (size_t i = 0; i < SW_ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*(bool *)dst = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*(bool *)dst = false;
			return true;
		}
	}
	fail_key(ld, k, "not yes or no: \"%s\" (want yes/no, true/false, on/off or 1/0)",
		 quote(q, sizeof(q), v));
	return false;
}

static bool set_string(struct load *ld, const struct sw_cfg_key *k, void *dst, const char *v)
{
	size_t n = strlen(v);

	if (k->size == 0 || n >= k->size) {
		fail_key(ld, k, "longer than %zu characters", k->size ? k->size - 1 : 0);
		return false;
	}
	/* strings end up in mail headers and logs: no control bytes */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f) {
			fail_key(ld, k, "control character \\x%02x in value", c);
			return false;
		}
	}
	memcpy(dst, v, n + 1);
	return true;
}

/* Lists: a first line replaces the list, an indented line extends it. */
static bool set_list(struct load *ld, const struct sw_cfg_key *k, void *dst,
		     const char *v, bool continued)
{
	char why[256];
	bool ok;

	if (k->type == SW_CFG_PREFIXES) {
		struct sw_prefix_list *l = dst;
		if (!continued)
			l->n = 0;
		ok = sw_prefix_list_parse(v, l, why, sizeof(why));
	} else if (k->type == SW_CFG_HOSTS) {
		struct sw_host_list *l = dst;
		if (!continued) {
			l->prefixes.n = 0;
			l->nnames = 0;
		}
		ok = sw_host_list_parse(v, l, why, sizeof(why));
	} else {
		if (!continued)
			memset(dst, 0, sizeof(struct sw_port_set));
		ok = sw_port_set_parse(v, dst, why, sizeof(why));
	}
	if (!ok)
		fail_key(ld, k, "%s", why);
	return ok;
}

static bool set_value(struct load *ld, const struct sw_cfg_key *k, const char *v,
		      bool continued)
{
	void *dst = (char *)ld->target + k->offset;

	switch (k->type) {
	case SW_CFG_UINT:
		return set_uint(ld, k, dst, v);
	case SW_CFG_DOUBLE:
		return set_double(ld, k, dst, v);
	case SW_CFG_BOOL:
		return set_bool(ld, k, dst, v);
	case SW_CFG_STRING:
		return set_string(ld, k, dst, v);
	case SW_CFG_PREFIXES:
	case SW_CFG_PORTS:
	case SW_CFG_HOSTS:
		return set_list(ld, k, dst, v, continued);
	}
	fail_key(ld, k, "key of unknown type %d in the program's table", (int)k->type);
	return false;
}

static bool is_list(const struct sw_cfg_key *k)
{
	return k->type == SW_CFG_PREFIXES || k->type == SW_CFG_PORTS || k->type == SW_CFG_HOSTS;
}

/* inih's handler: one name = value, or one continuation line of it. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct load *ld = user;
	char qs[QUOTE_MAX * 4 + 4], qn[QUOTE_MAX * 4 + 4], known[256];
	const struct sw_cfg_key *k;
	bool continued;
	long i;

	if (ld->failed)
		return 1;  /* the error is recorded; the reader is ending the parse */
	quote(qs, sizeof(qs), section);
	quote(qn, sizeof(qn), name);
	if (*section == '\0') {
		fail(ld, "%s: key outside any [section]", qn);
		return 0;
	}
	if (other_program_section(ld, section))
		return 1; /* another program's: not ours to read */
	if (!section_known(ld, section)) {
		known_names(ld, NULL, known, sizeof(known));
		fail(ld, "[%s] %s: unknown section (known: %s)", qs, qn, known);
		return 0;
	}
	i = find_key(ld, section, name);
	if (i < 0) {
		known_names(ld, section, known, sizeof(known));
		fail(ld, "[%s] %s: unknown key (known in [%s]: %s)", qs, qn, qs, known);
		return 0;
	}
	k = &ld->keys[i];
	/* inih hands an indented line after a key to the handler as more of
	 * that key's value; a new section header clears last_key */
	continued = ld->indented && ld->last_key == i;
	if (continued && !is_list(k)) {
		fail_key(ld, k, "indented line continues this value; only lists may "
			 "span lines (unindent it if it is a key of its own)");
		return 0;
	}
	if (!set_value(ld, k, value, continued))
		return 0;
	ld->last_key = i;
	if (ld->lines)
		ld->lines[i] = ld->line;
	return 1;
}

/* ---- reading -------------------------------------------------------------- */

/* A non-indented "[name]" line: check the name now, so that a misspelled
 * section is reported at its header even if no key follows. */
static void check_header(struct load *ld, const char *line)
{
	const char *end;
	char name[QUOTE_MAX + 1], q[QUOTE_MAX * 4 + 4], known[256];
	size_t n;

	if (line[0] != '[' || !(end = strchr(line, ']')))
		return;  /* not a header, or a broken one inih reports */
	ld->last_key = -1;
	n = (size_t)(end - line - 1);
	if (n > QUOTE_MAX)
		n = QUOTE_MAX;
	memcpy(name, line + 1, n);
	name[n] = '\0';
	if (!section_known(ld, name) && !other_program_section(ld, name)) {
		known_names(ld, NULL, known, sizeof(known));
		fail(ld, "[%s]: unknown section (known: %s)", quote(q, sizeof(q), name), known);
	}
}

/*
 * inih's reader: one whole line per call, so that calls count lines. A
 * line that does not fit inih's buffer, or holds a NUL byte, is an error;
 * inih then gets an empty line and, on the next call, the end of input.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load *ld = stream;
	size_t n = 0, cap = num > 2 ? (size_t)num - 2 : 0;
	bool too_long = false, nul = false;
	int c;

	if (ld->failed || num < 2)
		return NULL;
	while ((c = getc(ld->f)) != EOF && c != '\n') {
		if (c == '\0')
			nul = true;
		else if (n < cap)
			str[n++] = (char)c;
		else
			too_long = true;
	}
	if (ferror(ld->f)) {
		int e = errno;
		ld->failed = true;
		if (ld->err && ld->errlen)
			snprintf(ld->err, ld->errlen, "%s: cannot read: %s", ld->path,
				 strerror(e));
		return NULL;
	}
	if (c == EOF && n == 0 && !too_long && !nul)
		return NULL;
	ld->line++;
	str[n] = '\0';
	if (too_long || nul) {
		if (too_long)
			fail(ld, "line longer than %zu characters (continue a list on "
			     "indented lines)", cap);
		else
			fail(ld, "NUL byte in line");
		str[0] = '\0';
		n = 0;
	}
	ld->indented = n > 0 && isspace((unsigned char)str[0]);
	if (!ld->indented)
		check_header(ld, str);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

int sw_config_load(const char *path, const struct sw_cfg_key *keys, size_t nkeys,
		   void *target, unsigned *lines, char *err, size_t errlen)
{
	struct load ld = {
		.path = path, .keys = keys, .nkeys = nkeys, .target = target,
		.lines = lines, .last_key = -1, .err = err, .errlen = errlen,
	};
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (lines)
		memset(lines, 0, nkeys * sizeof(*lines));
	ld.f = fopen(path, "r");
	if (!ld.f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, &ld, on_value, &ld);
	fclose(ld.f);
	if (rc == -2) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	/* inih returns the first line it found wrong, ours or its own; ours
	 * stop the parse, so an earlier line is a syntax error it found */
	if (rc > 0 && (!ld.failed || (unsigned)rc < ld.err_line)) {
		if (err && errlen)
			snprintf(err, errlen, "%s:%d: syntax error: want [section], "
				 "key = value, or a # comment", path, rc);
		return -1;
	}
	return ld.failed || rc != 0 ? -1 : 0;
}

/* ---- writing -------------------------------------------------------------- */

/* Shortest "%g" that reads back to exactly d: 0.8, not 0.80000000000000004. */
static void format_double(double d, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* "name = a, b, c," wrapped onto indented lines well inside inih's limit. */
static void write_wrapped(FILE *out, const char *name, const char *text)
{
	size_t col = (size_t)fprintf(out, "%s =", name);
	const char *p = text;

	while (*p) {
		const char *comma = strstr(p, ", ");
		size_t n = comma ? (size_t)(comma - p) + 1 : strlen(p);

		if (col + 1 + n > 76 && col > 8) {
			fputs("\n   ", out);
			col = 3;
		}
		col += (size_t)fprintf(out, " %.*s", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/* A list in text form, in a buffer large enough for any list. */
static char *list_text(const struct sw_cfg_key *k, const void *src)
{
	/* every port alone: 32768 items of up to 7 bytes; prefixes: 256 of 52;
	 * hosts: those prefixes and 32 names of up to 255 */
	size_t len = k->type == SW_CFG_PORTS ? 65536 * 8 :
		     SW_MAX_PREFIXES * 56 + SW_MAX_HOSTNAMES * (SW_HOSTNAME_LEN + 2);
	char *buf = malloc(len);

	if (!buf)
		return NULL;
	if (k->type == SW_CFG_PORTS)
		sw_port_set_format(src, buf, len);
	else if (k->type == SW_CFG_HOSTS)
		sw_host_list_format(src, buf, len);
	else
		sw_prefix_list_format(src, buf, len);
	return buf;
}

static int write_key(FILE *out, const struct sw_cfg_key *k, const void *target)
{
	const void *src = (const char *)target + k->offset;
	char num[64];
	char *text;

	if (k->help)
		fprintf(out, "# %s\n", k->help);
	switch (k->type) {
	case SW_CFG_UINT:
		fprintf(out, "%s = %u\n", k->name, *(const unsigned *)src);
		break;
	case SW_CFG_DOUBLE:
		format_double(*(const double *)src, num, sizeof(num));
		fprintf(out, "%s = %s\n", k->name, num);
		break;
	case SW_CFG_BOOL:
		fprintf(out, "%s = %s\n", k->name, *(const bool *)src ? "yes" : "no");
		break;
	case SW_CFG_STRING:
		fprintf(out, "%s = %.*s\n", k->name, (int)k->size, (const char *)src);
		break;
	case SW_CFG_PREFIXES:
	case SW_CFG_PORTS:
	case SW_CFG_HOSTS:
		text = list_text(k, src);
		if (!text)
			return -1;
		write_wrapped(out, k->name, text);
		free(text);
		break;
	}
	return 0;
}

int sw_config_write(FILE *out, const struct sw_cfg_key *keys, size_t nkeys,
		    const void *target)
{
	/* sections in table order, each once, with all of its keys */
	for (size_t i = 0; i < nkeys; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= strcasecmp(keys[j].section, keys[i].section) == 0;
		if (seen)
			continue;
		fprintf(out, "%s[%s]\n", i ? "\n" : "", keys[i].section);
		for (size_t j = i; j < nkeys; j++) {
			if (strcasecmp(keys[j].section, keys[i].section) != 0)
				continue;
			if (write_key(out, &keys[j], target) < 0)
				return -1;
		}
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
