/*
 * record.c - the names a detection record's numbers are stored and shown
 * as: kinds, variants, tools and evasions (the database's vocabulary, see
 * README.md). One place, so that the writer and the alerts need nothing
 * of the engine that produced the record.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"
#include "record.h"

/* A record stores kind, variant and tool in a byte each. */
static_assert(SW_K_COUNT <= UINT8_MAX + 1, "kind fits sw_rec_det.kind");
static_assert(SW_V_COUNT <= UINT8_MAX + 1, "variant fits sw_rec_det.variant");
static_assert(SW_TOOL_COUNT <= UINT8_MAX + 1, "tool fits sw_rec_det.tool");

static const char *const kind_names[SW_K_COUNT] = {
	[SW_K_PORT_PROBE] = "port_probe", [SW_K_PORT_SCAN] = "port_scan",
	[SW_K_HOST_SWEEP] = "host_sweep", [SW_K_BLOCK_SCAN] = "block_scan",
	[SW_K_STEALTH_SCAN] = "stealth_scan", [SW_K_UDP_SCAN] = "udp_scan",
	[SW_K_PING_SWEEP] = "ping_sweep", [SW_K_SYN_FLOOD] = "syn_flood",
	[SW_K_UDP_FLOOD] = "udp_flood", [SW_K_ICMP_FLOOD] = "icmp_flood",
	[SW_K_LOGIN_ATTEMPTS] = "login_attempts", [SW_K_TRACEROUTE] = "traceroute",
};

static const char *const variant_names[SW_V_COUNT] = {
	[SW_V_NONE] = NULL, [SW_V_SYN] = "syn", [SW_V_CONNECT] = "connect",
	[SW_V_FIN] = "fin", [SW_V_NULL] = "null", [SW_V_XMAS] = "xmas",
	[SW_V_MAIMON] = "maimon", [SW_V_ACK] = "ack", [SW_V_SYNFIN] = "synfin",
	[SW_V_UDP] = "udp", [SW_V_ICMP] = "icmp",
};

const char *sw_kind_name(unsigned kind)
{
	return kind < SW_K_COUNT ? kind_names[kind] : NULL;
}

const char *sw_variant_name(unsigned variant)
{
	return variant < SW_V_COUNT ? variant_names[variant] : NULL;
}

const char *sw_evasion_name(unsigned evasion)
{
	/* one evasion is known so far; a list joins them when there are more */
	return (evasion & SW_EVASION_TINY_FRAG) ? "tiny_fragments" : NULL;
}

static const char *const tool_names[SW_TOOL_COUNT] = {
	[SW_TOOL_NONE] = NULL,
	[SW_TOOL_NMAP] = "nmap",
	[SW_TOOL_MASSCAN] = "masscan",
	[SW_TOOL_ZMAP] = "zmap",
	[SW_TOOL_HPING3] = "hping3",
};

const char *sw_tool_name(unsigned t)
{
	if (t >= SW_TOOL_COUNT)
		return NULL;
	return tool_names[t];
}
