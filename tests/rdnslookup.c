/*
 * rdnslookup.c - the reporter's reverse DNS (reporter/rdns.c) from the
 * command line, for the integration tests.
 *
 * Usage: rdnslookup [--server HOST[:PORT]] [--timeout MS] ADDR...
 *        rdnslookup --name NAME...   (domain and line type only, no DNS)
 *
 * Prints one block of key=value lines per argument, a blank line after
 * each: addr (or input), rc, name, valid, confirmed, domain, line.
 * Exit status: 0 all lookups answered, 1 a lookup failed, 2 usage.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "domain.h"
#include "rdns.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: rdnslookup [--server HOST[:PORT]] [--timeout MS] ADDR...\n"
	      "       rdnslookup --name NAME...\n", f);
}

static void print_result(const char *addr, int rc, const struct sw_rdns *r)
{
	/* name is escaped by rdns.c; domain is from a valid name only */
	printf("addr=%s\nrc=%d\nname=%s\nvalid=%d\nconfirmed=%d\ndomain=%s\nline=%s\n\n",
	       addr, rc, r->name, r->valid, r->confirmed, r->domain,
	       sw_line_type_name(r->line));
}

static int classify_names(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char safe[1024];
		char domain[256];
		bool ok = sw_registrable_domain(argv[i], domain, sizeof(domain));
		printf("input=%s\ndomain=%s\nline=%s\n\n",
		       sw_sanitize(safe, sizeof(safe), argv[i], (size_t)-1),
		       ok ? domain : "", sw_line_type_name(sw_line_type_of(argv[i])));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "name", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL;
	unsigned timeout_ms = 2000;
	bool names = false;
	int ch, status = 0;
	char err[256];

	while ((ch = getopt_long(argc, argv, "s:t:nh", longopts, NULL)) != -1) {
		uint64_t v;
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 't':
			if (!sw_parse_u64(optarg, 1, 600000, &v)) {
				fprintf(stderr, "rdnslookup: bad --timeout\n");
				return 2;
			}
			timeout_ms = (unsigned)v;
			break;
		case 'n':
			names = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (names)
		return classify_names(argc - optind, argv + optind);

	struct sw_resolver *r = sw_resolver_new(server, timeout_ms, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "rdnslookup: %s\n", err);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		struct sw_addr a;
		struct sw_rdns out;
		if (!sw_addr_parse(argv[i], &a)) {
			fprintf(stderr, "rdnslookup: not an address: %s\n", argv[i]);
			status = 2;
			continue;
		}
		int rc = sw_rdns_lookup(r, &a, &out);
		if (rc != 0 && status == 0)
			status = 1;
		char text[SW_ADDR_STRLEN];
		print_result(sw_addr_format(&a, text, sizeof(text)), rc, &out);
	}
	sw_resolver_free(r);
	return status;
}
