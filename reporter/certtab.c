/*
 * certtab.c - the national CERT table and our own CSIRT's contact (see
 * certtab.h): parsing and checking them, nothing else.
 *
 * The file: one entry per line, four fields separated by one tab each:
 *
 *     CC <TAB> team <TAB> address <TAB> source URL
 *
 * Lines empty or starting with '#' are comments. Every other line must be
 * an entry, or the whole file is refused with the line named.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certtab.h"
#include "mailhdr.h"
#include "util.h"

/* A team name: 1..127 bytes, no control bytes (CR, LF, tab, DEL ...), none
 * of the characters of address syntax; UTF-8 is allowed (mailhdr.c encodes
 * it). */
static const char *team_problem(const char *s, size_t n)
{
	if (n == 0)
		return "the team name is empty";
	if (n >= sizeof ((struct sw_cert_contact *)0)->team)
		return "the team name is longer than 127 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return "a control character in the team name";
		if (strchr("<>\",;\\@", ch))
			return "the team name holds one of < > \" , ; \\ @";
	}
	if (s[0] == ' ' || s[n - 1] == ' ')
		return "spaces around the team name";
	return NULL;
}

static const char *source_problem(const char *s, size_t n)
{
	if (n >= sizeof ((struct sw_cert_contact *)0)->source)
		return "the source URL is longer than 255 bytes";
	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return "the source is not an http:// or https:// URL (where the entry was read)";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return "a space or a non-ASCII byte in the source URL";
	return NULL;
}

/* One entry line (NUL-terminated, no newline) into c. NULL, or why not. */
static const char *parse_entry(char *line, struct sw_cert_contact *c)
{
	char *f[4], *p = line, *tab;
	const char *why;
	size_t n;

	for (int i = 0; i < 4; i++) {
		f[i] = p;
		tab = strchr(p, '\t');
		if (i < 3) {
			if (!tab)
				return "expected four fields separated by tabs: country, team, "
				       "address, source URL";
			*tab = '\0';
			p = tab + 1;
		} else if (tab) {
			return "more than four tab-separated fields";
		}
	}
	memset(c, 0, sizeof *c);
	if (strlen(f[0]) != 2 || !isupper((unsigned char)f[0][0]) ||
	    !isupper((unsigned char)f[0][1]))
		return "the country is not two upper-case letters (ISO 3166-1 alpha-2)";
	memcpy(c->cc, f[0], 3);
	n = strlen(f[1]);
	if ((why = team_problem(f[1], n)))
		return why;
	memcpy(c->team, f[1], n + 1);
	if (strlen(f[2]) >= sizeof c->addr || !sw_mail_addr_ok(f[2]))
		return "not a usable e-mail address (a bare local@domain)";
	memcpy(c->addr, f[2], strlen(f[2]) + 1);
	n = strlen(f[3]);
	if ((why = source_problem(f[3], n)))
		return why;
	memcpy(c->source, f[3], n + 1);
	return NULL;
}

const struct sw_cert_contact *sw_cert_table_find(const struct sw_cert_table *t, const char *cc)
{
	if (!cc || strlen(cc) != 2)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (toupper((unsigned char)cc[0]) == t->e[i].cc[0] &&
		    toupper((unsigned char)cc[1]) == t->e[i].cc[1])
			return &t->e[i];
	return NULL;
}

int sw_cert_table_load(struct sw_cert_table *t, const char *path, char *err, size_t errlen)
{
	struct sw_cert_table *work;
	size_t first_new, replaced = 0;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;
	FILE *f;
	int rc = -1;

	f = fopen(path, "r");
	if (!f) {
		sw_fmt(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* work on a copy: a refused file leaves t as it was */
	work = malloc(sizeof *work);
	if (!work) {
		fclose(f);
		sw_fmt(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(work, t, sizeof *work);
	first_new = work->n;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct sw_cert_contact c;
		const char *why;
		size_t i;

		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			sw_fmt(err, errlen, "%s:%u: a NUL byte", path, lineno);
			goto out;
		}
		if (len > SW_CERTTAB_LINE_MAX) {
			sw_fmt(err, errlen, "%s:%u: line longer than %d bytes", path, lineno,
			       SW_CERTTAB_LINE_MAX);
			goto out;
		}
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((why = parse_entry(line, &c))) {
			sw_fmt(err, errlen, "%s:%u: %s", path, lineno, why);
			goto out;
		}
		sw_fmt(c.file, sizeof c.file, "%s", path);
		for (i = 0; i < work->n; i++)
			if (!strcmp(work->e[i].cc, c.cc))
				break;
		if (i < work->n && i >= first_new) {
			sw_fmt(err, errlen, "%s:%u: country %s given twice in this file",
			       path, lineno, c.cc);
			goto out;
		}
		if (i < work->n) {          /* an earlier file's: this one overrides it */
			work->e[i] = c;
			replaced++;
			continue;
		}
		if (work->n >= SW_CERTTAB_MAX) {
			sw_fmt(err, errlen, "%s:%u: more than %d countries", path, lineno,
			       SW_CERTTAB_MAX);
			goto out;
		}
		work->e[work->n++] = c;
	}
	if (ferror(f)) {
		sw_fmt(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto out;
	}
	work->replaced += replaced;
	memcpy(t, work, sizeof *t);
	rc = 0;
out:
	free(line);
	free(work);
	fclose(f);
	return rc;
}

const char *sw_cert_contact_parse(const char *s, struct sw_cert_contact *c)
{
	const char *lt = strrchr(s, '<'), *gt = strrchr(s, '>');
	const char *why;
	size_t n;

	memset(c, 0, sizeof *c);
	if (lt && gt && gt > lt && gt[1] == '\0') {
		n = (size_t)(lt - s);
		while (n && s[n - 1] == ' ')
			n--;
		if (n && (why = team_problem(s, n)))
			return why;
		memcpy(c->team, s, n);
		c->team[n] = '\0';
		n = (size_t)(gt - lt - 1);
		if (n >= sizeof c->addr)
			return "the address is too long";
		memcpy(c->addr, lt + 1, n);
		c->addr[n] = '\0';
	} else {
		if (strlen(s) >= sizeof c->addr)
			return "the address is too long";
		sw_fmt(c->addr, sizeof c->addr, "%s", s);
	}
	if (!sw_mail_addr_ok(c->addr))
		return "not a usable e-mail address (use 'Team <address>' or a bare address)";
	return NULL;
}
