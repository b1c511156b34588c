/*
 * evidence.c - renders kept probes as evidence lines. Everything printed
 * here is numbers, addresses and fixed words: nothing from the packet's
 * payload, so a line is always plain printable ASCII.
 */
#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>

#include "contacts.h"
#include "decode.h"
#include "evidence.h"
#include "netset.h"
#include "sources.h"
#include "timefmt.h"

static const char *tcp_probe_name(uint8_t fl)
{
	switch (fl & (SW_TH_FIN | SW_TH_SYN | SW_TH_RST | SW_TH_PUSH | SW_TH_ACK | SW_TH_URG)) {
	case SW_TH_SYN: return "SYN";
	case 0: return "NULL (no flags)";
	case SW_TH_FIN: return "FIN";
	case SW_TH_FIN | SW_TH_PUSH | SW_TH_URG: return "FIN PSH URG (Xmas)";
	case SW_TH_FIN | SW_TH_ACK: return "FIN ACK";
	case SW_TH_ACK: return "ACK";
	default: return (fl & SW_TH_SYN) && (fl & SW_TH_FIN) ? "SYN FIN" : "TCP";
	}
}

static const char *icmp_probe_name(uint8_t proto, uint8_t type)
{
	if (proto == SW_IPPROTO_ICMPV6)
		return type == SW_ICMP6_ECHO ? "echo request" : "ICMPv6";
	switch (type) {
	case SW_ICMP_ECHO: return "echo request";
	case SW_ICMP_TIMESTAMP: return "timestamp request";
	case SW_ICMP_MASK_REQUEST: return "address mask request";
	default: return "ICMP";
	}
}

static const char *unreach_name(uint8_t proto, uint8_t code)
{
	if (proto == SW_IPPROTO_ICMPV6) {
		static const char *const v6[] = { "no route", "administratively prohibited",
			"beyond scope", "address unreachable", "port unreachable" };
		return code < 5 ? v6[code] : "unreachable";
	}
	static const char *const v4[] = { "network unreachable", "host unreachable",
		"protocol unreachable", "port unreachable", "fragmentation needed",
		"source route failed", "network unknown", "host unknown", "source host isolated",
		"network prohibited", "host prohibited", "network unreachable for TOS",
		"host unreachable for TOS", "administratively prohibited" };
	return code < 14 ? v4[code] : "unreachable";
}

static const char *answer_text(const struct sw_probe *p, char *buf, size_t len)
{
	switch (p->answer) {
	case SW_A_NONE: return "no answer";
	case SW_A_RST: return "answered RST";
	case SW_A_HALFOPEN: return "answered SYN-ACK, reset by the source";
	case SW_A_NOACK: return "answered SYN-ACK, never completed";
	case SW_A_COMPLETED: return "connection completed";
	case SW_A_RETURNED:
		return "session with payload to a port the scan had found open";
	case SW_A_REPLY:
		if (p->proto == SW_IPPROTO_ICMP || p->proto == SW_IPPROTO_ICMPV6)
			return "answered echo reply";
		return "answered";
	case SW_A_TRACE:
		snprintf(buf, len, "arrived with TTL %u (traceroute)", p->code);
		return buf;
	case SW_A_UNREACH: {
		/* ICMP errors about an IPv6 probe come as ICMPv6 */
		bool v6 = p->dst.family == SW_AF_INET6;
		if (p->code == (v6 ? SW_ICMP6_UNREACH_PORT : SW_ICMP_UNREACH_PORT))
			return v6 ? "answered ICMPv6 port unreachable" : "answered ICMP port unreachable";
		snprintf(buf, len, "answered ICMP%s unreachable (%s)", v6 ? "v6" : "",
		         unreach_name(v6 ? SW_IPPROTO_ICMPV6 : SW_IPPROTO_ICMP, p->code));
		return buf;
	}
	default: return "answer pending";
	}
}

static void endpoint(char *buf, size_t len, const struct sw_addr *a, uint16_t port,
                     bool with_port)
{
	char addr[SW_ADDR_STRLEN];

	sw_addr_format(a, addr, sizeof addr);
	if (!with_port)
		snprintf(buf, len, "%s", addr);
	else if (a->family == SW_AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

void sw_evidence_format(char *buf, size_t len, const struct sw_addr *src,
                        const struct sw_probe *p)
{
	char ts[SW_ISO_LEN], from[64], to[64], svc[32] = "", ans[64];
	bool ports = p->proto == SW_IPPROTO_TCP || p->proto == SW_IPPROTO_UDP;
	const char *name = ports ? sw_port_name(p->dport) : NULL;
	const char *what;
	const char *proto;

	sw_iso_utc(p->ts, ts, sizeof ts);
	endpoint(from, sizeof from, src, p->sport, ports);
	endpoint(to, sizeof to, &p->dst, p->dport, ports);
	if (name)
		snprintf(svc, sizeof svc, " (%s)", name);
	switch (p->proto) {
	case SW_IPPROTO_TCP: proto = "TCP"; what = tcp_probe_name(p->pflags); break;
	case SW_IPPROTO_UDP: proto = "UDP"; what = "datagram"; break;
	case SW_IPPROTO_ICMPV6:
		proto = "ICMPv6";
		what = icmp_probe_name(SW_IPPROTO_ICMPV6, p->pflags);
		break;
	default:
		proto = "ICMP";
		what = icmp_probe_name(SW_IPPROTO_ICMP, p->pflags);
		break;
	}
	snprintf(buf, len, "%s %s %s -> %s%s %s, %s%s", ts, proto, from, to, svc, what,
	         answer_text(p, ans, sizeof ans), p->evade ? ", in tiny IP fragments" : "");
	assert(len == 0 || printable_ascii(buf));
}

const char *sw_evidence_line(const struct sw_rec_evidence *ev, char *buf, size_t len)
{
	if (!ev->from_probe)
		return ev->line;
	sw_evidence_format(buf, len, &ev->src, &ev->probe);
	return buf;
}
