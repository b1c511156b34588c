/*
 * fanout.h - the rule that splits a capture over -j N workers: as a classic
 * BPF program for a live capture (PACKET_FANOUT_CBPF, and joining a capture
 * socket to the group), and as a C function for capture files (split.h),
 * which the unit test holds to the program packet by packet.
 *
 * The program returns a number the kernel takes modulo N: a hash of the
 * packet's *external* address, so that each scanner is seen whole by one
 * worker, its probes and the answers to them alike:
 *  - an ICMP or ICMPv6 error (unreachable, time exceeded, parameter
 *    problem, too big, redirect, source quench) is placed by the packet it
 *    quotes (inner source and destination), not by its own addresses, so
 *    it goes where the probe went whichever router sent it;
 *  - exactly one address in [networks] home: the other one;
 *  - both home, neither home, or no home configured: the lower of the two
 *    addresses (a symmetric choice: both directions of a connection land
 *    together; a scanner is whole when it is the lower address of its
 *    probes, which the configured home makes exact);
 *  - anything else (not IPv4 or IPv6 at the network header: ARP, a second
 *    VLAN tag the kernel left in, a truncated header) goes to worker 0.
 */
#ifndef SW_FANOUT_H
#define SW_FANOUT_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/bpf.h>

#include "netset.h"

#define SW_FANOUT_MAX_WORKERS 16
#define SW_FANOUT_MAX_INSNS 4096 /* the kernel's BPF_MAXINSNS */
/* Loads relative to the network header whatever the link layer and
 * direction (the kernel's SKF_NET_OFF). */
#define SW_FANOUT_BASE_KERNEL (-0x100000)

/* Build the program into prog (cap instructions): its length, or -1 with
 * err set when the home list needs more than SW_FANOUT_MAX_INSNS. base:
 * the offset of the network header in what the program reads
 * (SW_FANOUT_BASE_KERNEL for the kernel; 0 or 14 to run it with
 * bpf_filter() on an IP packet or an Ethernet frame in a test). */
int sw_fanout_build(const struct sw_prefix_list *home, int32_t base, struct bpf_insn *prog,
                    size_t cap, char *err, size_t errlen);

/* The worker a return value of the program means (what the kernel does). */
static inline unsigned sw_fanout_worker(unsigned ret, unsigned nworkers)
{
	return nworkers ? ret % nworkers : 0;
}

/* The rule in C, for files: what the program built for home returns on
 * the network header net (len bytes captured), 0 where a load of the
 * program would read past len (the program then returns 0 too). */
uint32_t sw_fanout_hash(const struct sw_prefix_list *home, const uint8_t *net, uint32_t len);
/* Where the network header starts in a frame of link type linktype
 * (decode.h's SW_DLT_*; Ethernet after its 802.1Q/802.1ad tags, as the
 * kernel hands the program a live packet), or -1 when the frame has none
 * the rule reads (too short, a link type the sensor does not decode, more
 * than SW_MAX_VLAN tags): worker 0's. */
int sw_fanout_net_offset(int linktype, const uint8_t *frame, uint32_t caplen);
/* The rule on a captured frame: sw_fanout_hash at its network header, 0
 * without one. */
uint32_t sw_fanout_frame_hash(const struct sw_prefix_list *home, int linktype,
                              const uint8_t *frame, uint32_t caplen);

/* Join the packet socket fd to fanout group id (PACKET_FANOUT_CBPF). 0,
 * or -1 with err. */
int sw_fanout_join(int fd, uint16_t id, char *err, size_t errlen);
/* Give fd's fanout group the program (until then every packet goes to the
 * group's first member). 0, or -1 with err. */
int sw_fanout_program(int fd, const struct bpf_insn *prog, int n, char *err, size_t errlen);

#endif
