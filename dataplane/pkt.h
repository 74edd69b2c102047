/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Frame classification and header building for the workers. Everything here
 * works on a plain byte buffer (`frame`, `len`: the Ethernet frame, one
 * contiguous segment) and plain structs, so it runs and is tested without
 * EAL; the worker maps mbufs onto it. Checksums use DPDK's inline helpers
 * from <rte_ip.h>, which need no EAL either.
 *
 * Addresses in the structs are host byte order; on the wire, network order.
 *
 * Thread safety: all functions are reentrant; they touch only their arguments.
 */
#ifndef LW_PKT_H
#define LW_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dhcp4.h"
#include "server.h"

#define PKT_ETH_LEN  14
#define PKT_IP4_LEN  20 /* without options: what we send */
#define PKT_UDP_LEN  8
#define PKT_ARP_LEN  28
#define PKT_ETH_MIN  60 /* shortest Ethernet frame without FCS */
#define PKT_UDP_HDRS (PKT_ETH_LEN + PKT_IP4_LEN + PKT_UDP_LEN) /* 42: headers of a reply */

#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP  0x0806

#define PKT_ARP_REQUEST 1
#define PKT_ARP_REPLY	2

/* What a port looks like to the packet code. */
struct pkt_port {
	uint8_t mac[6];
	uint32_t addr;	/* the server's address on the port */
	uint32_t bcast; /* directed broadcast of the port's prefix (addr itself for /31 and /32) */
};

/* Fills p from an address/prefix and a MAC. */
void pkt_port_init(struct pkt_port *p, const uint8_t mac[6], uint32_t addr, uint8_t plen);

enum pkt_class {
	PKT_OTHER = 0,	   /* not for us (other MAC, protocol, port, address) */
	PKT_BAD_L3 = 1,	   /* broken Ethernet/ARP/IPv4/UDP headers */
	PKT_ARP = 2,	   /* a well-formed Ethernet/IPv4 ARP request or reply */
	PKT_ICMP_ECHO = 3, /* ICMP echo request to the port address */
	PKT_DHCP = 4,	   /* UDP to port 67, to the port address or a broadcast */
};

const char *pkt_class_name(int c);

/* Offsets and addresses of a classified frame (IPv4 fields for ICMP/DHCP only). */
struct pkt_info {
	uint16_t l3_len;      /* IPv4 header length, options included */
	uint16_t payload_off; /* DHCP: first byte of the UDP payload; ICMP: of the ICMP header */
	uint16_t payload_len; /* DHCP: UDP length - 8; ICMP: IP total length - header */
	uint16_t ip_len;      /* IPv4 total length */
	uint32_t ip_src;
	uint32_t ip_dst;
};

/* Bits for pkt_classify's flags. */
#define PKT_F_IP_CKSUM_GOOD 1u /* the NIC verified the IPv4 header checksum */

/*
 * Classifies frame[0..len) received on port p. Only frames to p's MAC or to
 * the broadcast MAC are looked at (others: PKT_OTHER). IPv4 is checked for
 * length, version, IHL, total length, header checksum and fragmentation;
 * UDP for its length. The UDP checksum is not verified: frames a local stack
 * sends over veth/af_packet carry only the pseudo-header sum (checksum
 * offload), and the Ethernet FCS already covered the wire.
 * *info is filled for PKT_ICMP_ECHO and PKT_DHCP.
 */
enum pkt_class pkt_classify(const struct pkt_port *p, const uint8_t *frame, uint16_t len,
	unsigned flags, struct pkt_info *info);

/*
 * Refills *info for a frame that pkt_classify() found PKT_DHCP (on another
 * worker), from the IPv4 header length it reported.
 */
void pkt_dhcp_info(const uint8_t *frame, uint16_t l3_len, struct pkt_info *info);

/* The fields of an ARP frame (classified PKT_ARP). */
struct pkt_arp {
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa;
	uint32_t tpa;
};

void pkt_arp_parse(const uint8_t *frame, struct pkt_arp *a);

/*
 * Turns the ARP request in frame into the reply for p (RFC 826: swap, op 2,
 * sender = p). frame must have cap >= PKT_ETH_LEN + PKT_ARP_LEN bytes; pads
 * with zeros up to PKT_ETH_MIN when cap allows. Returns the frame length.
 */
uint16_t pkt_arp_reply(uint8_t *frame, uint16_t cap, const struct pkt_port *p);

/*
 * Writes a broadcast ARP request from p for tpa into frame (cap bytes, at
 * least 42). tpa = p->addr gives a gratuitous ARP. Returns the frame length
 * (padded to PKT_ETH_MIN when cap allows), 0 if cap is too small.
 */
uint16_t pkt_arp_request(uint8_t *frame, uint16_t cap, const struct pkt_port *p, uint32_t tpa);

/*
 * Turns the ICMP echo request in frame (classified PKT_ICMP_ECHO, info from
 * pkt_classify) into its echo reply from p, in place (RFC 792, RFC 1122
 * 3.2.2.6): MACs and addresses swapped, TTL 64, type 0, both checksums
 * updated; IP options are kept. Returns the frame length.
 */
uint16_t pkt_icmp_echo_reply(uint8_t *frame, const struct pkt_info *info, const struct pkt_port *p);

/* Headers of a UDP reply. */
struct pkt_udp_hdrs {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
};

/*
 * Writes Ethernet, IPv4 (IHL 5, TTL 64, id 0, DF clear) and UDP headers into
 * frame[0..PKT_UDP_HDRS) for the payload_len bytes already at
 * frame + PKT_UDP_HDRS. With offload, the IPv4 checksum is left 0 and the
 * UDP checksum holds the pseudo-header sum, as NICs with IPv4/UDP checksum
 * offload expect; else both are computed here. Returns the frame length.
 */
uint16_t pkt_udp_build(
	uint8_t *frame, const struct pkt_udp_hdrs *h, uint16_t payload_len, bool offload);

/* Overwrites the destination MAC of a built frame (a held reply, once the next hop answered). */
static inline void pkt_set_dst_mac(uint8_t *frame, const uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		frame[i] = mac[i];
}

/* Where a DHCP reply goes: the outcome of pkt_reply_dst(). */
enum pkt_dst {
	PKT_DST_READY = 0,   /* mac and ip are set */
	PKT_DST_RESOLVE = 1, /* ip is set; the MAC is the next hop's (route, neighbour cache) */
};

/*
 * Destination MAC and IPv4 address of a reply (RFC 2131 4.1): broadcast to
 * ff:ff:ff:ff:ff:ff / 255.255.255.255, to the client's chaddr at
 * reply->dst_ip, or unicast to reply->dst_ip through the next hop.
 */
enum pkt_dst pkt_reply_dst(
	const struct srv_reply *r, const struct dhcp4_msg *m, uint8_t mac[6], uint32_t *ip);

/* 1 when mac is ff:ff:ff:ff:ff:ff. */
static inline bool pkt_mac_is_bcast(const uint8_t *mac)
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

#endif
