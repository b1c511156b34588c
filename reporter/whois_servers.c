/*
 * whois_servers.c - which registry to ask first about an address (the IANA
 * /8 table for IPv4, the RIR blocks for IPv6, whois.iana.org as the
 * fallback) and the query form each registry expects.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "util.h"
#include "whois_servers.h"

/*
 * The IANA IPv4 address space registry, one letter per /8: a = ARIN,
 * r = RIPE NCC, p = APNIC, l = LACNIC, f = AFRINIC, '-' = reserved or
 * special (asked of IANA, if at all). "Administered by" legacy blocks go to
 * the RIR that administers them.
 */
static const char ipv4_slash8[257] =
	/*   0 */ "-praaraaaa-aaapa"
	/*  16 */ "aaaaaaaaarapaaar"
	/*  32 */ "aaaaprapafppaara"
	/*  48 */ "apararaaarppppra"
	/*  64 */ "aaaaaaaaaaaaarrr"
	/*  80 */ "rrrrrrrrrrrrrrrr"
	/*  96 */ "aaaaapfpafpaarpp"
	/* 112 */ "ppppppppppppppp-"
	/* 128 */ "aaaaapaaaaaaaraa"
	/* 144 */ "araaaaprapfaaaaa"
	/* 160 */ "aaapaaaaaaapaaap"
	/* 176 */ "rlrlplpparllrlll"
	/* 192 */ "arrrffaallppaaaa"
	/* 208 */ "aapprraaarpppppp"
	/* 224 */ "----------------"
	/* 240 */ "----------------";

/* The IANA IPv6 unicast address assignments to the RIRs. */
static const struct {
	const char *prefix;
	const char *server;
} ipv6_blocks[] = {
	{ "2001:200::/23", "whois.apnic.net" },
	{ "2001:400::/23", "whois.arin.net" },
	{ "2001:600::/23", "whois.ripe.net" },
	{ "2001:800::/22", "whois.ripe.net" },
	{ "2001:c00::/23", "whois.apnic.net" },
	{ "2001:e00::/23", "whois.apnic.net" },
	{ "2001:1200::/23", "whois.lacnic.net" },
	{ "2001:1400::/22", "whois.ripe.net" },
	{ "2001:1800::/23", "whois.arin.net" },
	{ "2001:1a00::/23", "whois.ripe.net" },
	{ "2001:1c00::/22", "whois.ripe.net" },
	{ "2001:2000::/19", "whois.ripe.net" },
	{ "2001:4000::/23", "whois.ripe.net" },
	{ "2001:4200::/23", "whois.afrinic.net" },
	{ "2001:4400::/23", "whois.apnic.net" },
	{ "2001:4600::/23", "whois.ripe.net" },
	{ "2001:4800::/23", "whois.arin.net" },
	{ "2001:4a00::/23", "whois.ripe.net" },
	{ "2001:4c00::/23", "whois.ripe.net" },
	{ "2001:5000::/20", "whois.ripe.net" },
	{ "2001:8000::/19", "whois.apnic.net" },
	{ "2001:a000::/20", "whois.apnic.net" },
	{ "2001:b000::/20", "whois.apnic.net" },
	{ "2003::/18", "whois.ripe.net" },
	{ "2400::/12", "whois.apnic.net" },
	{ "2600::/12", "whois.arin.net" },
	{ "2610::/23", "whois.arin.net" },
	{ "2620::/23", "whois.arin.net" },
	{ "2630::/12", "whois.arin.net" },
	{ "2800::/12", "whois.lacnic.net" },
	{ "2a00::/12", "whois.ripe.net" },
	{ "2a10::/12", "whois.ripe.net" },
	{ "2c00::/12", "whois.afrinic.net" },
};

static const char *rir_server(char letter)
{
	switch (letter) {
	case 'a': return "whois.arin.net";
	case 'r': return "whois.ripe.net";
	case 'p': return "whois.apnic.net";
	case 'l': return "whois.lacnic.net";
	case 'f': return "whois.afrinic.net";
	default: return SW_WHOIS_IANA;
	}
}


const char *sw_whois_first_server(const struct sw_addr *a)
{
	if (a->family == SW_AF_INET)
		return rir_server(ipv4_slash8[a->bytes[0]]);
	for (size_t i = 0; i < SW_ARRAY_LEN(ipv6_blocks); i++) {
		struct sw_prefix p;
		if (sw_prefix_parse(ipv6_blocks[i].prefix, &p) && sw_prefix_contains(&p, a))
			return ipv6_blocks[i].server;
	}
	return SW_WHOIS_IANA;
}

static bool host_is(const char *host, const char *name)
{
	size_t n = strlen(host);

	if (n > 0 && host[n - 1] == '.')
		n--;
	return n == strlen(name) && strncasecmp(host, name, n) == 0;
}

void sw_whois_query_for(const char *host, bool rwhois, const char *addr_text,
			char *out, size_t outlen)
{
	if (rwhois)
		sw_fmt(out, outlen, "%s", addr_text);
	else if (host_is(host, "whois.arin.net"))
		sw_fmt(out, outlen, "n + %s", addr_text);
	else if (host_is(host, "whois.ripe.net") || host_is(host, "whois.apnic.net") ||
		 host_is(host, "whois.afrinic.net"))
		sw_fmt(out, outlen, "-B %s", addr_text);
	else if (host_is(host, "whois.nic.ad.jp"))
		sw_fmt(out, outlen, "%s/e", addr_text);
	else
		sw_fmt(out, outlen, "%s", addr_text);
}
