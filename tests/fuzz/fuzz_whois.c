/*
 * fuzz_whois.c - libFuzzer harness for the reporter's whois answer parser
 * (sw_whois_parse, as one hop and as the second hop of a referral chain),
 * the referral finder and the rate-limit check.
 *
 * Input: one byte choosing the server that answered, one the address
 * asked about, then the answer (any bytes).
 *
 * Invariants: contacts are at most SW_WHOIS_MAX_CONTACTS, each a valid,
 * lower-case mail address (sw_mail_addr_ok) that is no placeholder, once
 * only, with printable via; the names are printable and terminated; a
 * referral names a valid host name and a port.
 */
#include "fuzz_result.h"

#include <ctype.h>

#include "reporter/hostname.h"
#include "reporter/mailhdr.h"
#include "reporter/whois_parse.h"

static const char *const servers[] = {
	"whois.iana.org", "whois.arin.net", "whois.ripe.net", "whois.apnic.net",
	"whois.lacnic.net", "whois.afrinic.net", "whois.krnic.net", "whois.nic.ad.jp",
	"whois.registro.br", "rwhois.example.net:4321", "whois.verisign-grs.com", "",
};
static const char *const addrs[] = {
	"192.0.2.1", "198.51.100.77", "203.0.113.200", "62.239.237.1", "196.11.240.215",
	"200.57.141.161", "210.107.73.73", "2001:db8::1", "2a00:2381:ffff::1",
	"2001:240:10c:1::ca20:9d1d", "::ffff:192.0.2.9", "10.1.2.3",
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_whois_result r;
	struct sw_whois_referral ref;
	struct sw_addr a;
	const char *server, *text;
	size_t len;

	if (size < 2)
		return 0;
	server = servers[data[0] % N(servers)];
	FUZZ_CHECK(sw_addr_parse(addrs[data[1] % N(addrs)], &a), "address table");
	/* the answer in a buffer of its own size: ASan sees a read past it */
	len = size - 2;
	text = fuzz_copy(data + 2, len);

	memset(&r, 0, sizeof r);
	sw_whois_parse(text, len, server, &a, &r);
	fuzz_check_result(&r);
	/* the same answer again, as the next hop of a chain: merged, deduplicated */
	sw_whois_parse(text, len, "whois.ripe.net", &a, &r);
	fuzz_check_result(&r);

	memset(&ref, 0, sizeof ref);
	if (sw_whois_find_referral(text, len, server, &ref)) {
		FUZZ_CHECK(FUZZ_TERMINATED(ref.host), "referral host not terminated");
		FUZZ_CHECK(sw_host_ok(ref.host, strlen(ref.host), 0), "referral to '%s'", ref.host);
		FUZZ_CHECK(ref.port != 0, "referral to port 0");
	}
	(void)sw_whois_is_rate_limited(text, len);
	free((void *)text);
	return 0;
}
