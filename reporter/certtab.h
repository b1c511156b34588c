/*
 * certtab.h - the table of national CERTs (certtab.c): country code ->
 * team and e-mail address, with the public source each entry was taken
 * from, read from a tab-separated file (data/certs.tsv, installed with the
 * reporter's data, and the operator's [cert] local_table), and our own
 * CSIRT as [cert] our_csirt names it. Every value is checked as hostile:
 * what goes into a mail header is a safe address (sw_mail_addr_ok) and a
 * team name without control characters or address syntax.
 */
#ifndef SW_CERTTAB_H
#define SW_CERTTAB_H
#include <stdbool.h>
#include <stddef.h>

#define SW_CERTTAB_MAX 400       /* entries kept at most (countries: ~250) */
#define SW_CERTTAB_LINE_MAX 1024 /* longest line read */

struct sw_cert_contact {
	char cc[3];              /* ISO 3166-1 alpha-2, upper case ("" for our own) */
	char team[128];          /* printable, no <>",;\ */
	char addr[128];          /* sw_mail_addr_ok */
	char source[256];        /* http(s) URL the entry was read from */
	char file[256];          /* the table it came from, for the memo's footnote */
};

struct sw_cert_table {
	struct sw_cert_contact e[SW_CERTTAB_MAX];
	size_t n;
	size_t replaced;         /* entries of an earlier file replaced by a later one */
};

/* Read the table at path into t, after what t holds: a country already in
 * t from an earlier file is replaced (a local table overrides the shipped
 * one); a country twice in one file is an error. 0, or -1 with one line
 * "FILE:LINE: why" (or "FILE: why") in err, t then unchanged. */
int sw_cert_table_load(struct sw_cert_table *t, const char *path, char *err, size_t errlen);

/* The entry for country cc (two letters, any case), or NULL. */
const struct sw_cert_contact *sw_cert_table_find(const struct sw_cert_table *t, const char *cc);

/* Parse "Team <address>" or a bare address (our_csirt) into c (cc and
 * source empty). NULL, or why not (a constant string). */
const char *sw_cert_contact_parse(const char *s, struct sw_cert_contact *c);

#endif
