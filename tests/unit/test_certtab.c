/*
 * test_certtab.c - the national CERT table parser and our own CSIRT's
 * contact (reporter/certtab.c): good tables (the shipped one included), a
 * local table overriding and extending it, and every bad line refused with
 * one line naming the file and the line, the table left as it was; values
 * that could break a mail header (CR, LF, commas, angle brackets) refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "certtab.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

static char dir[] = "/tmp/test_certtab.XXXXXX";

/* Write text (len bytes) as DIR/name; returns the path (static). */
static const char *put(const char *name, const char *text, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *puts_file(const char *name, const char *text)
{
	return put(name, text, strlen(text));
}

static void test_shipped_table(void **state)
{
	const char *top = getenv("top_srcdir");
	struct sw_cert_table *t = calloc(1, sizeof *t);
	const struct sw_cert_contact *c;
	char path[4096], err[512];

	(void)state;
	assert_non_null(t);
	snprintf(path, sizeof path, "%s/data/certs.tsv", top && *top ? top : SRCDIR);
	assert_int_equal(sw_cert_table_load(t, path, err, sizeof err), 0);
	assert_true(t->n >= 1);
	c = sw_cert_table_find(t, "at");
	assert_non_null(c);
	assert_string_equal(c->addr, "reports@cert.at");
	assert_string_equal(c->team, "CERT.at");
	assert_true(strncmp(c->source, "http", 4) == 0);
	/* every entry names its source */
	for (size_t i = 0; i < t->n; i++)
		assert_true(t->e[i].source[0] != '\0');
	assert_null(sw_cert_table_find(t, "ZZ"));
	assert_null(sw_cert_table_find(t, ""));
	assert_null(sw_cert_table_find(t, NULL));
	free(t);
}

static void test_local_overrides(void **state)
{
	struct sw_cert_table *t = calloc(1, sizeof *t);
	char err[512];
	const char *p;

	(void)state;
	p = puts_file("a.tsv", "# comment\n\nNL\tTeam NL\tcert@nl.example\thttps://nl.example/rfc2350\r\n"
			       "DE\tTeam DE\tcert@de.example\thttps://de.example/\n");
	assert_int_equal(sw_cert_table_load(t, p, err, sizeof err), 0);
	assert_int_equal(t->n, 2);
	p = puts_file("b.tsv", "NL\tOther NL\tother@nl.example\thttp://other.example/\n"
			       "JP\tTeam JP\tcert@jp.example\thttps://jp.example/");
	assert_int_equal(sw_cert_table_load(t, p, err, sizeof err), 0);
	assert_int_equal(t->n, 3);
	assert_int_equal(t->replaced, 1);
	assert_string_equal(sw_cert_table_find(t, "NL")->addr, "other@nl.example");
	assert_string_equal(sw_cert_table_find(t, "de")->team, "Team DE");
	assert_string_equal(sw_cert_table_find(t, "JP")->file, p);
	free(t);
}

/* A file holding one bad line (line 3, after a comment and a good one) is
 * refused with "FILE:3: why" and leaves the table as it was. */
static void refused(const char *bad, size_t badlen, const char *why)
{
	struct sw_cert_table *t = calloc(1, sizeof *t);
	char text[4096], want[1024], err[512];
	const char *head = "# a table\nSE\tTeam SE\tcert@se.example\thttps://se.example/\n";
	const char *p;
	size_t n = strlen(head);

	assert_non_null(t);
	assert_true(n + badlen + 1 < sizeof text);
	memcpy(text, head, n);
	memcpy(text + n, bad, badlen);
	text[n + badlen] = '\n';
	p = put("bad.tsv", text, n + badlen + 1);
	t->n = 1;
	memcpy(t->e[0].cc, "FR", 3);
	err[0] = '\0';
	assert_int_equal(sw_cert_table_load(t, p, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: %s", p, why);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error '%s', wanted '%s...'", err, want);
	assert_null(strchr(err, '\n'));
	assert_int_equal(t->n, 1);              /* unchanged */
	assert_null(sw_cert_table_find(t, "SE"));
	free(t);
}

#define REFUSED(line, why) refused(line, sizeof(line) - 1, why)

static void test_bad_lines(void **state)
{
	(void)state;
	REFUSED("NL\tTeam\tcert@nl.example", "expected four fields");
	REFUSED("NL Team cert@nl.example https://x.example/", "expected four fields");
	REFUSED("NL\tTeam\tcert@nl.example\thttps://x.example/\textra", "more than four");
	REFUSED("nl\tTeam\tcert@nl.example\thttps://x.example/", "the country is not");
	REFUSED("NLD\tTeam\tcert@nl.example\thttps://x.example/", "the country is not");
	REFUSED("N1\tTeam\tcert@nl.example\thttps://x.example/", "the country is not");
	REFUSED("NL\t\tcert@nl.example\thttps://x.example/", "the team name is empty");
	REFUSED("NL\tTeam\tnot-an-address\thttps://x.example/", "not a usable e-mail address");
	REFUSED("NL\tTeam\tcert@nl.example\tftp://x.example/", "the source is not");
	REFUSED("NL\tTeam\tcert@nl.example\t", "the source is not");
	REFUSED("SE\tAgain\tcert@se2.example\thttps://x.example/", "country SE given twice");
	REFUSED("NL\tTeam\tcert@nl.example\thttps://x.example/a b", "a space or a non-ASCII");
	refused("NL\tTe\0am\tcert@nl.example\thttps://x.example/", 40, "a NUL byte");
}

/* what could add or break a mail header is refused */
static void test_header_injection(void **state)
{
	struct sw_cert_contact c;

	(void)state;
	REFUSED("NL\tTeam\rBcc: evil@evil.example\tcert@nl.example\thttps://x.example/",
		"a control character");
	REFUSED("NL\tTeam <evil@evil.example>\tcert@nl.example\thttps://x.example/",
		"the team name holds");
	REFUSED("NL\tTeam, Other\tcert@nl.example\thttps://x.example/", "the team name holds");
	REFUSED("NL\tTeam\tcert@nl.example, evil@evil.example\thttps://x.example/",
		"not a usable e-mail address");
	REFUSED("NL\tTeam\tcert@nl.example\rBcc:evil@evil.example\thttps://x.example/",
		"not a usable e-mail address");
	REFUSED("NL\tTeam\t<cert@nl.example>\thttps://x.example/", "not a usable e-mail address");

	assert_null(sw_cert_contact_parse("Our CSIRT <csirt@ours.example>", &c));
	assert_string_equal(c.team, "Our CSIRT");
	assert_string_equal(c.addr, "csirt@ours.example");
	assert_null(sw_cert_contact_parse("csirt@ours.example", &c));
	assert_string_equal(c.team, "");
	assert_string_equal(c.addr, "csirt@ours.example");
	assert_non_null(sw_cert_contact_parse("csirt@ours.example, evil@evil.example", &c));
	assert_non_null(sw_cert_contact_parse("Our\r\nBcc: evil@evil.example <a@ours.example>", &c));
	assert_non_null(sw_cert_contact_parse("Our \"CSIRT\" <a@ours.example>", &c));
	assert_non_null(sw_cert_contact_parse("Our CSIRT <a@ours.example\r\nBcc: e@e.example>", &c));
	assert_non_null(sw_cert_contact_parse("", &c));
}

static void test_limits(void **state)
{
	struct sw_cert_table *t = calloc(1, sizeof *t);
	char line[2048], err[512];

	(void)state;
	memset(line, 'x', sizeof line);
	line[sizeof line - 1] = '\0';
	REFUSED("NL\tTeam\tcert@nl.example\thttps://x.example/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"the source URL is longer");
	refused(line, strlen(line), "line longer than");
	assert_int_equal(sw_cert_table_load(t, "/nonexistent/certs.tsv", err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/certs.tsv: cannot open: No such file or directory");
	free(t);
}

static void test_capacity(void **state)
{
	struct sw_cert_table *t = calloc(1, sizeof *t);
	FILE *f;
	char path[512], err[512];

	(void)state;
	snprintf(path, sizeof path, "%s/many.tsv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 26 * 26; i++)
		fprintf(f, "%c%c\tTeam\tcert@x.example\thttps://x.example/\n", 'A' + i / 26,
			'A' + i % 26);
	fclose(f);
	assert_int_equal(sw_cert_table_load(t, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "more than 400 countries"));
	assert_int_equal(t->n, 0);
	free(t);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_table),
		cmocka_unit_test(test_local_overrides),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_capacity),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
