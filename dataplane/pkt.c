/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include <rte_ip.h>

#include "common/lw_ip.h"
#include "pkt.h"

#define IPPROTO_ICMP_	  1
#define IPPROTO_UDP_	  17
#define ICMP_ECHO_REPLY	  0
#define ICMP_ECHO_REQUEST 8

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static inline uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline void wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* Stores a checksum as DPDK's helpers return it: already in wire byte order. */
static inline void put_cksum(uint8_t *b, uint16_t v)
{
	memcpy(b, &v, 2);
}

/*
 * One's complement sum (RFC 1071) of buf, 32-bit words into a 64-bit
 * accumulator, not folded. Byte-order neutral like rte_raw_cksum(), which
 * adds 16 bits per step: pkt_udp_build() of a 300-byte DHCP reply takes ~86
 * cycles with this and ~300 with rte_ipv4_udptcp_cksum() (x86-64,
 * -march=corei7 -O2), and every reply is checksummed in software on ports
 * without offload (af_packet, memif, af_xdp).
 */
static inline uint64_t sum32(const uint8_t *p, size_t n, uint64_t s)
{
	while (n >= 16) {
		uint64_t a, b;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		s += (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32);
		p += 16;
		n -= 16;
	}
	while (n >= 4) {
		uint32_t a;

		memcpy(&a, p, 4);
		s += a;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t a;

		memcpy(&a, p, 2);
		s += a;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint16_t a = 0;

		memcpy(&a, p, 1);
		s += a;
	}
	return s;
}

static inline uint16_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* UDP checksum over the pseudo-header (RFC 768) and udp[0..ulen), checksum field zero. */
static uint16_t udp_cksum(const uint8_t *ip, const uint8_t *udp, uint16_t ulen)
{
	uint8_t ph[4] = {0, IPPROTO_UDP_, (uint8_t)(ulen >> 8), (uint8_t)ulen};
	uint16_t c = (uint16_t)~fold64(sum32(udp, ulen, sum32(ph, 4, sum32(ip + 12, 8, 0))));

	return c == 0 ? 0xffff : c;
}

void pkt_port_init(struct pkt_port *p, const uint8_t mac[6], uint32_t addr, uint8_t plen)
{
	memcpy(p->mac, mac, 6);
	p->addr = addr;
	p->bcast = plen >= 31 ? addr : addr | ~lw_prefix_mask(plen);
}

const char *pkt_class_name(int c)
{
	switch (c) {
	case PKT_OTHER:
		return "other";
	case PKT_BAD_L3:
		return "bad-l3";
	case PKT_ARP:
		return "arp";
	case PKT_ICMP_ECHO:
		return "icmp-echo";
	case PKT_DHCP:
		return "dhcp";
	}
	return "unknown";
}

static enum pkt_class classify_arp(const uint8_t *f, uint16_t len)
{
	const uint8_t *a = f + PKT_ETH_LEN;
	uint16_t op;

	if (len < PKT_ETH_LEN + PKT_ARP_LEN)
		return PKT_BAD_L3;
	/* RFC 826: Ethernet hardware, IPv4 protocol, 6- and 4-byte addresses. */
	if (rd16(a) != 1 || rd16(a + 2) != PKT_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return PKT_BAD_L3;
	op = rd16(a + 6);
	if (op != PKT_ARP_REQUEST && op != PKT_ARP_REPLY)
		return PKT_OTHER;
	return PKT_ARP;
}

enum pkt_class pkt_classify(const struct pkt_port *p, const uint8_t *f, uint16_t len,
	unsigned flags, struct pkt_info *info)
{
	const uint8_t *ip, *l4;
	uint16_t ethertype, ihl, tot, l4len;
	uint32_t dst;

	if (len < PKT_ETH_LEN)
		return PKT_BAD_L3;
	/* Promiscuous mode is off, but a NIC may still pass multicast or a
	 * software port everything on the wire. */
	if (memcmp(f, p->mac, 6) != 0 && !pkt_mac_is_bcast(f))
		return PKT_OTHER;
	ethertype = rd16(f + 12);
	if (ethertype == PKT_ETHERTYPE_ARP)
		return classify_arp(f, len);
	if (ethertype != PKT_ETHERTYPE_IPV4)
		return PKT_OTHER;

	if (len < PKT_ETH_LEN + PKT_IP4_LEN)
		return PKT_BAD_L3;
	ip = f + PKT_ETH_LEN;
	if ((ip[0] >> 4) != 4)
		return PKT_BAD_L3;
	ihl = (uint16_t)((ip[0] & 0x0f) * 4);
	tot = rd16(ip + 2);
	/* The frame may carry Ethernet padding past the IPv4 total length. */
	if (ihl < PKT_IP4_LEN || tot < ihl || tot > len - PKT_ETH_LEN)
		return PKT_BAD_L3;
	if (!(flags & PKT_F_IP_CKSUM_GOOD) && rte_raw_cksum(ip, ihl) != 0xffff)
		return PKT_BAD_L3;
	/* No reassembly: a DHCP request fits in 576 bytes (RFC 2131 2). */
	if (rd16(ip + 6) & 0x3fff)
		return PKT_BAD_L3;

	dst = rd32(ip + 16);
	l4 = ip + ihl;
	l4len = (uint16_t)(tot - ihl);
	info->l3_len = ihl;
	info->ip_len = tot;
	info->ip_src = rd32(ip + 12);
	info->ip_dst = dst;

	switch (ip[9]) {
	case IPPROTO_UDP_: {
		uint16_t ulen;

		if (l4len < PKT_UDP_LEN)
			return PKT_BAD_L3;
		ulen = rd16(l4 + 4);
		if (ulen < PKT_UDP_LEN || ulen > l4len)
			return PKT_BAD_L3;
		if (rd16(l4 + 2) != DHCP4_SERVER_PORT)
			return PKT_OTHER;
		if (dst != p->addr && dst != 0xffffffffu && dst != p->bcast)
			return PKT_OTHER;
		info->payload_off = (uint16_t)(PKT_ETH_LEN + ihl + PKT_UDP_LEN);
		info->payload_len = (uint16_t)(ulen - PKT_UDP_LEN);
		return PKT_DHCP;
	}
	case IPPROTO_ICMP_:
		if (dst != p->addr)
			return PKT_OTHER;
		if (l4len < 8)
			return PKT_BAD_L3;
		if (l4[0] != ICMP_ECHO_REQUEST || l4[1] != 0)
			return PKT_OTHER;
		info->payload_off = (uint16_t)(PKT_ETH_LEN + ihl);
		info->payload_len = l4len;
		return PKT_ICMP_ECHO;
	default:
		return PKT_OTHER;
	}
}

void pkt_dhcp_info(const uint8_t *f, uint16_t l3_len, struct pkt_info *info)
{
	const uint8_t *ip = f + PKT_ETH_LEN;

	info->l3_len = l3_len;
	info->ip_len = rd16(ip + 2);
	info->ip_src = rd32(ip + 12);
	info->ip_dst = rd32(ip + 16);
	info->payload_off = (uint16_t)(PKT_ETH_LEN + l3_len + PKT_UDP_LEN);
	info->payload_len = (uint16_t)(rd16(ip + l3_len + 4) - PKT_UDP_LEN);
}

void pkt_arp_parse(const uint8_t *frame, struct pkt_arp *a)
{
	const uint8_t *h = frame + PKT_ETH_LEN;

	a->op = rd16(h + 6);
	memcpy(a->sha, h + 8, 6);
	a->spa = rd32(h + 14);
	a->tpa = rd32(h + 24);
}

static uint16_t pad_min(uint8_t *frame, uint16_t len, uint16_t cap)
{
	uint16_t want = cap < PKT_ETH_MIN ? cap : PKT_ETH_MIN;

	if (len < want) {
		memset(frame + len, 0, (size_t)(want - len));
		len = want;
	}
	return len;
}

uint16_t pkt_arp_reply(uint8_t *f, uint16_t cap, const struct pkt_port *p)
{
	uint8_t *a = f + PKT_ETH_LEN;
	uint8_t sha[6], spa[4];

	memcpy(sha, a + 8, 6);
	memcpy(spa, a + 14, 4);

	memcpy(f, sha, 6);
	memcpy(f + 6, p->mac, 6);
	wr16(a + 6, PKT_ARP_REPLY);
	memcpy(a + 8, p->mac, 6);
	wr32(a + 14, p->addr);
	memcpy(a + 18, sha, 6);
	memcpy(a + 24, spa, 4);
	return pad_min(f, PKT_ETH_LEN + PKT_ARP_LEN, cap);
}

uint16_t pkt_arp_request(uint8_t *f, uint16_t cap, const struct pkt_port *p, uint32_t tpa)
{
	uint8_t *a = f + PKT_ETH_LEN;

	if (cap < PKT_ETH_LEN + PKT_ARP_LEN)
		return 0;
	memcpy(f, bcast_mac, 6);
	memcpy(f + 6, p->mac, 6);
	wr16(f + 12, PKT_ETHERTYPE_ARP);
	wr16(a, 1);
	wr16(a + 2, PKT_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, PKT_ARP_REQUEST);
	memcpy(a + 8, p->mac, 6);
	wr32(a + 14, p->addr);
	memset(a + 18, 0, 6);
	wr32(a + 24, tpa);
	return pad_min(f, PKT_ETH_LEN + PKT_ARP_LEN, cap);
}

uint16_t pkt_icmp_echo_reply(uint8_t *f, const struct pkt_info *info, const struct pkt_port *p)
{
	uint8_t *ip = f + PKT_ETH_LEN;
	uint8_t *icmp = f + info->payload_off;
	uint32_t sum;

	memcpy(f, f + 6, 6);
	memcpy(f + 6, p->mac, 6);

	memcpy(ip + 16, ip + 12, 4);
	wr32(ip + 12, p->addr);
	ip[8] = 64;
	wr16(ip + 10, 0);
	put_cksum(ip + 10, rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip));

	/* Type 8 -> 0: incremental update, RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'),
	 * so the (possibly large) echo data is not summed again. */
	icmp[0] = ICMP_ECHO_REPLY;
	sum = (uint32_t)(~rd16(icmp + 2) & 0xffff) + (uint32_t)(~(ICMP_ECHO_REQUEST << 8) & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	wr16(icmp + 2, (uint16_t)~sum);
	return (uint16_t)(PKT_ETH_LEN + info->ip_len);
}

uint16_t pkt_udp_build(uint8_t *f, const struct pkt_udp_hdrs *h, uint16_t payload_len, bool offload)
{
	uint8_t *ip = f + PKT_ETH_LEN;
	uint8_t *udp = ip + PKT_IP4_LEN;
	const struct rte_ipv4_hdr *iph = (const struct rte_ipv4_hdr *)ip;

	memcpy(f, h->dst_mac, 6);
	memcpy(f + 6, h->src_mac, 6);
	wr16(f + 12, PKT_ETHERTYPE_IPV4);

	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(PKT_IP4_LEN + PKT_UDP_LEN + payload_len));
	wr16(ip + 4, 0);
	wr16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP_;
	wr16(ip + 10, 0);
	wr32(ip + 12, h->src_ip);
	wr32(ip + 16, h->dst_ip);

	wr16(udp, h->src_port);
	wr16(udp + 2, h->dst_port);
	wr16(udp + 4, (uint16_t)(PKT_UDP_LEN + payload_len));
	wr16(udp + 6, 0);

	if (offload) {
		put_cksum(udp + 6, rte_ipv4_phdr_cksum(iph, 0));
	} else {
		put_cksum(ip + 10, rte_ipv4_cksum(iph));
		put_cksum(udp + 6, udp_cksum(ip, udp, (uint16_t)(PKT_UDP_LEN + payload_len)));
	}
	return (uint16_t)(PKT_UDP_HDRS + payload_len);
}

enum pkt_dst pkt_reply_dst(
	const struct srv_reply *r, const struct dhcp4_msg *m, uint8_t mac[6], uint32_t *ip)
{
	switch (r->dst) {
	case SRV_DST_CHADDR:
		/* Unicast to a client without an address works only when chaddr is
		 * an Ethernet address; otherwise broadcast (RFC 2131 4.1). */
		if (m->htype == 1 && m->hlen == 6) {
			memcpy(mac, m->chaddr, 6);
			*ip = r->dst_ip;
			return PKT_DST_READY;
		}
		/* fall through */
	case SRV_DST_BROADCAST:
		memcpy(mac, bcast_mac, 6);
		*ip = 0xffffffffu;
		return PKT_DST_READY;
	default:
		*ip = r->dst_ip;
		return PKT_DST_RESOLVE;
	}
}
