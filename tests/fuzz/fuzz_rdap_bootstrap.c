/*
 * fuzz_rdap_bootstrap.c - libFuzzer harness for the reporter's RDAP
 * bootstrap loader (reporter/rdap_bootstrap.h): the input is IANA's
 * ipv4.json, written into the harness's temporary directory beside a
 * fixed ipv6.json, and the directory is loaded and asked.
 *
 * Input: the file (any bytes).
 *
 * Invariants: a failure says why in one line; a loaded bootstrap answers
 * with at most SW_RDAP_BASES_MAX base URLs, each terminated and ending in
 * '/'; the "publication" stamps are terminated strings.
 */
#include "fuzz_util.h"

#include "reporter/rdap_bootstrap.h"

static const char ipv6_json[] =
	"{\"version\": \"1.0\", \"publication\": \"2026-01-01T00:00:00Z\", \"services\": ["
	"[[\"2001:db8::/32\"], [\"https://rdap.example.net/\"]]]}\n";

static const char *const asked[] = { "192.0.2.1", "10.0.0.1", "1.1.1.1", "255.255.255.255",
	                             "0.0.0.0", "::ffff:198.51.100.3", "2001:db8::1" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_bases(unsigned n, const char *bases[SW_RDAP_BASES_MAX])
{
	FUZZ_CHECK(n <= SW_RDAP_BASES_MAX, "%u bases", n);
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(bases[i]);

		FUZZ_CHECK(len > 0 && bases[i][len - 1] == '/', "base '%s' does not end in /",
		           bases[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[300];

	(void)argc;
	(void)argv;
	fuzz_write_file("ipv6.json", ipv6_json, sizeof ipv6_json - 1, path, sizeof path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_rdap_bootstrap *b;
	const char *bases[SW_RDAP_BASES_MAX];
	char path[300], err[512];

	fuzz_write_file("ipv4.json", data, size, path, sizeof path);
	err[0] = '\0';
	b = sw_rdap_bootstrap_load(fuzz_tmpdir(), err, sizeof err);
	if (!b) {
		FUZZ_CHECK(memchr(err, '\0', sizeof err) && err[0], "a failure without a reason");
		FUZZ_CHECK(strchr(err, '\n') == NULL, "reason of more than one line: %s", err);
		return 0;
	}
	for (size_t i = 0; i < N(asked); i++) {
		struct sw_addr a;

		FUZZ_CHECK(sw_addr_parse(asked[i], &a), "address table");
		check_bases(sw_rdap_bootstrap_ip(b, &a, bases), bases);
	}
	check_bases(sw_rdap_bootstrap_domain(b, "example.co.uk", bases), bases);
	check_bases(sw_rdap_bootstrap_asn(b, 64500, bases), bases);
	FUZZ_CHECK(sw_rdap_bootstrap_published(b, "ipv4") != NULL, "no ipv4 stamp");
	FUZZ_CHECK(sw_rdap_bootstrap_published(b, "dns") != NULL, "no dns stamp");
	sw_rdap_bootstrap_free(b);
	return 0;
}
