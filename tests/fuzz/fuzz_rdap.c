/*
 * fuzz_rdap.c - libFuzzer harness for the reporter's RDAP answer parser
 * (reporter/rdap_parse.h: sw_rdap_parse, sw_rdap_error_code).
 *
 * Input: one byte choosing the URL that answered and the address asked
 * about (or none: a domain or an entity), then the answer (any bytes).
 *
 * Invariants: as for whois answers, contacts are valid, lower-case, no
 * placeholders, each once; links to follow are at most SW_RDAP_LINKS_MAX,
 * terminated, never the URL asked, each once; an error object merges
 * nothing.
 */
#include "fuzz_result.h"

#include <ctype.h>

#include "reporter/mailhdr.h"
#include "reporter/rdap_parse.h"

static const char *const urls[] = {
	"https://rdap.arin.net/registry/ip/192.0.2.1",
	"https://rdap.db.ripe.net/ip/2a00:2381:ffff::1",
	"https://rdap.apnic.net/ip/210.107.73.73",
	"https://rdap.lacnic.net/rdap/ip/200.57.141.161",
	"https://rdap.afrinic.net/rdap/ip/196.11.240.215",
	"https://rdap.verisign.com/com/v1/domain/example.com",
	"https://rdap.registro.br/entity/ABC123",
	"http://127.0.0.1:8443/ip/203.0.113.9",
};
static const char *const addrs[] = { "192.0.2.1", "2a00:2381:ffff::1", "210.107.73.73",
	                             "200.57.141.161", "196.11.240.215", NULL, NULL,
	                             "203.0.113.9" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_whois_result r;
	static struct sw_rdap_links follow;
	struct sw_addr a;
	const char *url, *addr;
	char *text;
	size_t len;
	bool parsed;
	int code;

	if (size < 1)
		return 0;
	url = urls[data[0] % N(urls)];
	addr = addrs[data[0] % N(addrs)];
	if (addr)
		FUZZ_CHECK(sw_addr_parse(addr, &a), "address table");
	len = size - 1;
	text = fuzz_copy(data + 1, len);

	memset(&r, 0, sizeof r);
	memset(&follow, 0, sizeof follow);
	code = sw_rdap_error_code(text, len);
	parsed = sw_rdap_parse(text, len, url, addr ? &a : NULL, &r, &follow);
	fuzz_check_result(&r);
	if (code != 0)
		FUZZ_CHECK(r.ncontacts == 0 && !r.have_range && follow.n == 0,
		           "error object %d merged something", code);
	if (!parsed)
		FUZZ_CHECK(r.ncontacts == 0, "contacts from an answer that did not parse");
	FUZZ_CHECK(follow.n <= SW_RDAP_LINKS_MAX, "%u links", follow.n);
	for (unsigned i = 0; i < follow.n; i++) {
		FUZZ_CHECK(FUZZ_TERMINATED(follow.url[i]), "link %u not terminated", i);
		FUZZ_CHECK(strcmp(follow.url[i], url) != 0, "link to the URL asked");
		FUZZ_CHECK(fuzz_printable(follow.url[i]), "link %u not printable", i);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(follow.url[i], follow.url[j]) != 0, "link '%s' twice",
			           follow.url[i]);
	}
	/* a second answer merged into the first, as a followed link's would be */
	sw_rdap_parse(text, len, "https://rdap.example.net/entity/X", addr ? &a : NULL, &r, &follow);
	fuzz_check_result(&r);
	FUZZ_CHECK(follow.n <= SW_RDAP_LINKS_MAX, "%u links", follow.n);
	free(text);
	return 0;
}
