/* SPDX-License-Identifier: MPL-2.0 */
/* Frame classification and header building (dataplane/pkt.c), on plain buffers. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/lw_ip.h"
#include "dataplane/pkt.h"

#define PORT_IP	     LW_IP4(198, 18, 0, 1)
#define PEER_IP	     LW_IP4(198, 18, 0, 2)
#define OTHER_IP     LW_IP4(198, 18, 0, 3)
#define SUBNET_BCAST LW_IP4(198, 18, 0, 255)

static const uint8_t port_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x09};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

/* ------------------------------------------------------------------------ */
/* Reference implementations, independent of the code under test */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* Pseudo-header + UDP sum (not complemented) of the IPv4/UDP packet at ip. */
static uint16_t udp_sum(const uint8_t *ip)
{
	unsigned ihl = (ip[0] & 15u) * 4;
	uint16_t ulen = be16(ip + ihl + 4);
	uint32_t s = sum16(ip + 12, 8, 0) + ip[9] + ulen;

	return fold(sum16(ip + ihl, ulen, s));
}

/* ------------------------------------------------------------------------ */
/* Frame builders */

static struct pkt_port port;

static void setup(void)
{
	pkt_port_init(&port, port_mac, PORT_IP, 24);
}

static uint16_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, type);
	return 14;
}

static uint16_t arp(uint8_t *f, const uint8_t *dst, uint16_t op, uint32_t spa, uint32_t tpa)
{
	uint8_t *a = f + eth(f, dst, 0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, peer_mac, 6);
	put32(a + 14, spa);
	memset(a + 18, 0, 6);
	put32(a + 24, tpa);
	return 42;
}

/* IPv4 (ihl_words 5 or more, options zero) with a valid checksum; l4len bytes of payload follow. */
static uint16_t ipv4(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint8_t proto,
	unsigned ihl_words, uint16_t l4len)
{
	uint8_t *ip = f + eth(f, dst_mac, 0x0800);
	unsigned ihl = ihl_words * 4;

	memset(ip, 0, ihl);
	ip[0] = (uint8_t)(0x40 | ihl_words);
	put16(ip + 2, (uint16_t)(ihl + l4len));
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, ihl, 0)));
	return (uint16_t)(14 + ihl + l4len);
}

static void ip_fix_cksum(uint8_t *f)
{
	uint8_t *ip = f + 14;

	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, (ip[0] & 15u) * 4, 0)));
}

static uint16_t udp(uint8_t *f, const uint8_t *dst_mac, uint32_t dst, uint16_t dport, uint16_t plen)
{
	uint16_t len = ipv4(f, dst_mac, 0, dst, 17, 5, (uint16_t)(8 + plen));
	uint8_t *u = f + 34;

	put16(u, 68);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + plen));
	put16(u + 6, 0);
	memset(u + 8, 0xab, plen);
	return len;
}

static uint16_t icmp(uint8_t *f, const uint8_t *dst_mac, uint32_t dst, uint8_t type, uint16_t dlen)
{
	uint16_t len = ipv4(f, dst_mac, PEER_IP, dst, 1, 5, (uint16_t)(8 + dlen));
	uint8_t *c = f + 34;

	c[0] = type;
	c[1] = 0;
	put16(c + 2, 0);
	put16(c + 4, 0x1234);
	put16(c + 6, 7);
	for (uint16_t i = 0; i < dlen; i++)
		c[8 + i] = (uint8_t)(i * 7 + 1);
	put16(c + 2, (uint16_t)~fold(sum16(c, 8u + dlen, 0)));
	return len;
}

/* ------------------------------------------------------------------------ */
/* Classification table */

typedef uint16_t (*build_fn)(uint8_t *f);

static uint16_t b_arp_for_us(uint8_t *f)
{
	return arp(f, bcast, 1, PEER_IP, PORT_IP);
}
static uint16_t b_arp_not_for_us(uint8_t *f)
{
	return arp(f, bcast, 1, PEER_IP, OTHER_IP);
}
static uint16_t b_arp_reply(uint8_t *f)
{
	return arp(f, port_mac, 2, PEER_IP, PORT_IP);
}
static uint16_t b_arp_wrong_mac(uint8_t *f)
{
	return arp(f, other_mac, 1, PEER_IP, PORT_IP);
}
static uint16_t b_arp_short(uint8_t *f)
{
	arp(f, bcast, 1, PEER_IP, PORT_IP);
	return 30;
}
static uint16_t b_arp_bad_hlen(uint8_t *f)
{
	arp(f, bcast, 1, PEER_IP, PORT_IP);
	f[18] = 8;
	return 42;
}
static uint16_t b_arp_rarp_op(uint8_t *f)
{
	return arp(f, bcast, 3, PEER_IP, PORT_IP);
}
static uint16_t b_icmp_echo(uint8_t *f)
{
	return icmp(f, port_mac, PORT_IP, 8, 56);
}
static uint16_t b_icmp_echo_other(uint8_t *f)
{
	return icmp(f, port_mac, OTHER_IP, 8, 56);
}
static uint16_t b_icmp_reply(uint8_t *f)
{
	return icmp(f, port_mac, PORT_IP, 0, 56);
}
static uint16_t b_icmp_short(uint8_t *f)
{
	return ipv4(f, port_mac, PEER_IP, PORT_IP, 1, 5, 4);
}
static uint16_t b_udp67_us(uint8_t *f)
{
	return udp(f, port_mac, PORT_IP, 67, 300);
}
static uint16_t b_udp67_bcast(uint8_t *f)
{
	return udp(f, bcast, 0xffffffffu, 67, 300);
}
static uint16_t b_udp67_subnet_bcast(uint8_t *f)
{
	return udp(f, bcast, SUBNET_BCAST, 67, 300);
}
static uint16_t b_udp67_other_ip(uint8_t *f)
{
	return udp(f, port_mac, OTHER_IP, 67, 300);
}
static uint16_t b_udp68_us(uint8_t *f)
{
	return udp(f, port_mac, PORT_IP, 68, 300);
}
static uint16_t b_udp67_wrong_mac(uint8_t *f)
{
	return udp(f, other_mac, PORT_IP, 67, 300);
}
static uint16_t b_udp67_mcast(uint8_t *f)
{
	return udp(f, mcast, 0xffffffffu, 67, 300);
}
static uint16_t b_tcp_us(uint8_t *f)
{
	return ipv4(f, port_mac, PEER_IP, PORT_IP, 6, 5, 20);
}
static uint16_t b_ipv6(uint8_t *f)
{
	eth(f, port_mac, 0x86dd);
	memset(f + 14, 0x60, 40);
	return 54;
}
static uint16_t b_short_eth(uint8_t *f)
{
	eth(f, port_mac, 0x0800);
	return 10;
}
static uint16_t b_short_ip(uint8_t *f)
{
	udp(f, port_mac, PORT_IP, 67, 300);
	return 14 + 12;
}
static uint16_t b_bad_version(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	f[14] = 0x65;
	ip_fix_cksum(f);
	return len;
}
static uint16_t b_bad_ihl(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	f[14] = 0x44;
	return len;
}
static uint16_t b_bad_cksum(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	f[14 + 11] ^= 0x01;
	return len;
}
static uint16_t b_frag_mf(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	put16(f + 14 + 6, 0x2000);
	ip_fix_cksum(f);
	return len;
}
static uint16_t b_frag_offset(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	put16(f + 14 + 6, 0x0010);
	ip_fix_cksum(f);
	return len;
}
static uint16_t b_df_set(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	put16(f + 14 + 6, 0x4000);
	ip_fix_cksum(f);
	return len;
}
static uint16_t b_udp_len_long(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	put16(f + 34 + 4, 8 + 301);
	return len;
}
static uint16_t b_udp_len_short(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	put16(f + 34 + 4, 7);
	return len;
}
static uint16_t b_udp_truncated(uint8_t *f)
{
	return ipv4(f, port_mac, 0, PORT_IP, 17, 5, 4);
}
static uint16_t b_ip_len_past_frame(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	return (uint16_t)(len - 1);
}
static uint16_t b_padded(uint8_t *f)
{
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 10);

	memset(f + len, 0, 20);
	return (uint16_t)(len + 20);
}
static uint16_t b_ip_options(uint8_t *f)
{
	uint16_t len = ipv4(f, port_mac, 0, PORT_IP, 17, 6, 8 + 300);
	uint8_t *u = f + 14 + 24;

	put16(u, 68);
	put16(u + 2, 67);
	put16(u + 4, 8 + 300);
	return len;
}

struct class_case {
	const char *name;
	build_fn build;
	unsigned flags;
	enum pkt_class want;
};

static const struct class_case class_cases[] = {
	{"arp request for us", b_arp_for_us, 0, PKT_ARP},
	{"arp request not for us", b_arp_not_for_us, 0, PKT_ARP},
	{"arp reply to our mac", b_arp_reply, 0, PKT_ARP},
	{"arp to another mac", b_arp_wrong_mac, 0, PKT_OTHER},
	{"arp short", b_arp_short, 0, PKT_BAD_L3},
	{"arp bad hlen", b_arp_bad_hlen, 0, PKT_BAD_L3},
	{"arp other op", b_arp_rarp_op, 0, PKT_OTHER},
	{"icmp echo to us", b_icmp_echo, 0, PKT_ICMP_ECHO},
	{"icmp echo to another ip", b_icmp_echo_other, 0, PKT_OTHER},
	{"icmp echo reply", b_icmp_reply, 0, PKT_OTHER},
	{"icmp truncated", b_icmp_short, 0, PKT_BAD_L3},
	{"udp 67 to us", b_udp67_us, 0, PKT_DHCP},
	{"udp 67 broadcast", b_udp67_bcast, 0, PKT_DHCP},
	{"udp 67 subnet broadcast", b_udp67_subnet_bcast, 0, PKT_DHCP},
	{"udp 67 to another ip", b_udp67_other_ip, 0, PKT_OTHER},
	{"udp 68 to us", b_udp68_us, 0, PKT_OTHER},
	{"udp 67 to another mac", b_udp67_wrong_mac, 0, PKT_OTHER},
	{"udp 67 to a multicast mac", b_udp67_mcast, 0, PKT_OTHER},
	{"tcp to us", b_tcp_us, 0, PKT_OTHER},
	{"ipv6", b_ipv6, 0, PKT_OTHER},
	{"short ethernet", b_short_eth, 0, PKT_BAD_L3},
	{"short ipv4", b_short_ip, 0, PKT_BAD_L3},
	{"ip version 6 in ipv4", b_bad_version, 0, PKT_BAD_L3},
	{"ihl 4", b_bad_ihl, 0, PKT_BAD_L3},
	{"bad ip checksum", b_bad_cksum, 0, PKT_BAD_L3},
	{"bad ip checksum, nic says good", b_bad_cksum, PKT_F_IP_CKSUM_GOOD, PKT_DHCP},
	{"fragment, more fragments", b_frag_mf, 0, PKT_BAD_L3},
	{"fragment, offset", b_frag_offset, 0, PKT_BAD_L3},
	{"dont-fragment set", b_df_set, 0, PKT_DHCP},
	{"udp length past ip", b_udp_len_long, 0, PKT_BAD_L3},
	{"udp length under 8", b_udp_len_short, 0, PKT_BAD_L3},
	{"udp header truncated", b_udp_truncated, 0, PKT_BAD_L3},
	{"ip total length past frame", b_ip_len_past_frame, 0, PKT_BAD_L3},
	{"ethernet padding", b_padded, 0, PKT_DHCP},
	{"ip options", b_ip_options, 0, PKT_DHCP},
};

Test(pkt, classify_table, .init = setup)
{
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];
		uint8_t f[2048];
		struct pkt_info info;
		uint16_t len;
		enum pkt_class got;

		memset(f, 0, sizeof(f));
		len = c->build(f);
		got = pkt_classify(&port, f, len, c->flags, &info);
		cr_expect_eq(got, c->want, "%s: got %s, want %s", c->name, pkt_class_name(got),
			pkt_class_name(c->want));
	}
}

Test(pkt, dhcp_info, .init = setup)
{
	uint8_t f[2048];
	struct pkt_info info, again;
	uint16_t len = udp(f, port_mac, PORT_IP, 67, 300);

	cr_assert_eq(pkt_classify(&port, f, len, 0, &info), PKT_DHCP);
	cr_expect_eq(info.l3_len, 20);
	cr_expect_eq(info.payload_off, 42);
	cr_expect_eq(info.payload_len, 300);
	cr_expect_eq(info.ip_src, 0);
	cr_expect_eq(info.ip_dst, PORT_IP);

	/* The steering path rebuilds the same info from l3_len. */
	memset(&again, 0, sizeof(again));
	pkt_dhcp_info(f, info.l3_len, &again);
	cr_expect_eq(again.payload_off, info.payload_off);
	cr_expect_eq(again.payload_len, info.payload_len);
	cr_expect_eq(again.ip_dst, info.ip_dst);

	len = b_ip_options(f);
	cr_assert_eq(pkt_classify(&port, f, len, 0, &info), PKT_DHCP);
	cr_expect_eq(info.l3_len, 24);
	cr_expect_eq(info.payload_off, 14 + 24 + 8);
	cr_expect_eq(info.payload_len, 300);
	pkt_dhcp_info(f, info.l3_len, &again);
	cr_expect_eq(again.payload_off, 14 + 24 + 8);
}

Test(pkt, port_broadcast)
{
	struct pkt_port p;

	pkt_port_init(&p, port_mac, LW_IP4(10, 1, 2, 3), 16);
	cr_expect_eq(p.bcast, LW_IP4(10, 1, 255, 255));
	pkt_port_init(&p, port_mac, LW_IP4(10, 1, 2, 3), 32);
	cr_expect_eq(p.bcast, LW_IP4(10, 1, 2, 3));
}

/* ------------------------------------------------------------------------ */
/* ARP */

Test(pkt, arp_parse_and_reply, .init = setup)
{
	uint8_t f[64];
	struct pkt_arp a;
	uint16_t len = arp(f, bcast, 1, PEER_IP, PORT_IP);

	pkt_arp_parse(f, &a);
	cr_expect_eq(a.op, 1);
	cr_expect_eq(a.spa, PEER_IP);
	cr_expect_eq(a.tpa, PORT_IP);
	cr_expect_arr_eq(a.sha, peer_mac, 6);

	memset(f + len, 0xee, sizeof(f) - len);
	len = pkt_arp_reply(f, sizeof(f), &port);
	cr_expect_eq(len, 60);
	cr_expect_arr_eq(f, peer_mac, 6, "to the requester");
	cr_expect_arr_eq(f + 6, port_mac, 6);
	cr_expect_eq(be16(f + 12), 0x0806);
	cr_expect_eq(be16(f + 14 + 6), 2, "op reply");
	cr_expect_arr_eq(f + 14 + 8, port_mac, 6, "sha = us");
	cr_expect_eq(be32(f + 14 + 14), PORT_IP, "spa = us");
	cr_expect_arr_eq(f + 14 + 18, peer_mac, 6, "tha = requester");
	cr_expect_eq(be32(f + 14 + 24), PEER_IP, "tpa = requester");
	for (int i = 42; i < 60; i++)
		cr_expect_eq(f[i], 0, "padding byte %d", i);

	/* The reply classifies as ARP at the requester. */
	{
		struct pkt_port peer;
		struct pkt_info info;

		pkt_port_init(&peer, peer_mac, PEER_IP, 24);
		cr_expect_eq(pkt_classify(&peer, f, len, 0, &info), PKT_ARP);
	}

	/* No room for padding: the bare 42 bytes. */
	arp(f, bcast, 1, PEER_IP, PORT_IP);
	cr_expect_eq(pkt_arp_reply(f, 42, &port), 42);
}

Test(pkt, arp_request, .init = setup)
{
	uint8_t f[128];
	struct pkt_info info;
	struct pkt_port peer;
	struct pkt_arp a;
	uint16_t len;

	memset(f, 0xee, sizeof(f));
	len = pkt_arp_request(f, sizeof(f), &port, PEER_IP);
	cr_expect_eq(len, 60);
	cr_expect_arr_eq(f, bcast, 6);
	cr_expect_arr_eq(f + 6, port_mac, 6);
	cr_expect_eq(be16(f + 12), 0x0806);
	cr_expect_eq(be16(f + 14), 1);
	cr_expect_eq(be16(f + 16), 0x0800);
	cr_expect_eq(f[18], 6);
	cr_expect_eq(f[19], 4);
	for (int i = 0; i < 6; i++)
		cr_expect_eq(f[14 + 18 + i], 0, "tha zero");

	pkt_port_init(&peer, peer_mac, PEER_IP, 24);
	cr_assert_eq(pkt_classify(&peer, f, len, 0, &info), PKT_ARP);
	pkt_arp_parse(f, &a);
	cr_expect_eq(a.op, PKT_ARP_REQUEST);
	cr_expect_eq(a.spa, PORT_IP);
	cr_expect_eq(a.tpa, PEER_IP);
	cr_expect_arr_eq(a.sha, port_mac, 6);

	/* Gratuitous: sender and target are our address. */
	len = pkt_arp_request(f, sizeof(f), &port, PORT_IP);
	pkt_arp_parse(f, &a);
	cr_expect_eq(a.spa, PORT_IP);
	cr_expect_eq(a.tpa, PORT_IP);

	cr_expect_eq(pkt_arp_request(f, 41, &port, PEER_IP), 0, "too small");
	cr_expect_eq(pkt_arp_request(f, 42, &port, PEER_IP), 42);
}

/* ------------------------------------------------------------------------ */
/* ICMP echo */

struct echo_case {
	uint16_t dlen;
	uint16_t pad;
};

Test(pkt, icmp_echo_reply, .init = setup)
{
	static const struct echo_case cases[] = {
		{0, 0}, {1, 0}, {56, 0}, {57, 0}, {1000, 0}, {4, 18}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[2048], orig[2048];
		struct pkt_info info;
		uint16_t len = icmp(f, port_mac, PORT_IP, 8, cases[i].dlen);
		uint16_t out;

		memset(f + len, 0, cases[i].pad);
		len = (uint16_t)(len + cases[i].pad);
		memcpy(orig, f, len);
		cr_assert_eq(pkt_classify(&port, f, len, 0, &info), PKT_ICMP_ECHO, "dlen %u",
			cases[i].dlen);
		out = pkt_icmp_echo_reply(f, &info, &port);
		cr_expect_eq(out, 14 + 20 + 8 + cases[i].dlen, "dlen %u: length without padding",
			cases[i].dlen);
		cr_expect_arr_eq(f, peer_mac, 6);
		cr_expect_arr_eq(f + 6, port_mac, 6);
		cr_expect_eq(be32(f + 14 + 12), PORT_IP);
		cr_expect_eq(be32(f + 14 + 16), PEER_IP);
		cr_expect_eq(f[14 + 8], 64, "ttl");
		cr_expect_eq(
			fold(sum16(f + 14, 20, 0)), 0xffff, "dlen %u: ip checksum", cases[i].dlen);
		cr_expect_eq(f[34], 0, "type echo reply");
		cr_expect_eq(fold(sum16(f + 34, 8u + cases[i].dlen, 0)), 0xffff,
			"dlen %u: icmp checksum", cases[i].dlen);
		cr_expect_arr_eq(
			f + 34 + 4, orig + 34 + 4, 4u + cases[i].dlen, "id, seq, data kept");
	}
}

/* ------------------------------------------------------------------------ */
/* DHCP reply headers */

struct udp_case {
	const char *name;
	uint32_t src, dst;
	uint16_t dport;
	uint16_t plen;
	bool offload;
};

Test(pkt, udp_build_table, .init = setup)
{
	static const struct udp_case cases[] = {
		{"broadcast to client", PORT_IP, 0xffffffffu, 68, 300, false},
		{"unicast to relay", PORT_IP, LW_IP4(198, 18, 1, 1), 67, 301, false},
		{"max", PORT_IP, PEER_IP, 68, 1472, false},
		{"empty", PORT_IP, PEER_IP, 68, 0, false},
		{"1 byte", PORT_IP, PEER_IP, 68, 1, false},
		{"2 bytes", PORT_IP, PEER_IP, 68, 2, false},
		{"3 bytes", PORT_IP, PEER_IP, 68, 3, false},
		{"7 bytes", PORT_IP, PEER_IP, 68, 7, false},
		{"8 bytes (header + payload a multiple of 16)", PORT_IP, PEER_IP, 68, 8, false},
		{"17 bytes", PORT_IP, PEER_IP, 68, 17, false},
		{"all-ones addresses", 0xffffffffu, 0xffffffffu, 0xffff, 300, false},
		{"offload", PORT_IP, PEER_IP, 68, 300, true},
		{"offload odd", PORT_IP, PEER_IP, 67, 333, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct udp_case *c = &cases[i];
		struct pkt_udp_hdrs h;
		uint8_t f[2048];
		uint8_t *ip = f + 14, *u = f + 34;
		uint16_t len;

		memset(f, 0x5a, sizeof(f));
		for (uint16_t k = 0; k < c->plen; k++)
			f[42 + k] = (uint8_t)(k ^ 0x33);
		memcpy(h.src_mac, port_mac, 6);
		memcpy(h.dst_mac, peer_mac, 6);
		h.src_ip = c->src;
		h.dst_ip = c->dst;
		h.src_port = 67;
		h.dst_port = c->dport;
		len = pkt_udp_build(f, &h, c->plen, c->offload);

		cr_expect_eq(len, 42 + c->plen, "%s", c->name);
		cr_expect_arr_eq(f, peer_mac, 6, "%s", c->name);
		cr_expect_arr_eq(f + 6, port_mac, 6, "%s", c->name);
		cr_expect_eq(be16(f + 12), 0x0800);
		cr_expect_eq(ip[0], 0x45);
		cr_expect_eq(be16(ip + 2), 28 + c->plen, "%s: ip length", c->name);
		cr_expect_eq(be16(ip + 4), 0, "ip id");
		cr_expect_eq(be16(ip + 6), 0, "no fragment bits");
		cr_expect_eq(ip[8], 64, "ttl");
		cr_expect_eq(ip[9], 17);
		cr_expect_eq(be32(ip + 12), c->src);
		cr_expect_eq(be32(ip + 16), c->dst);
		cr_expect_eq(be16(u), 67);
		cr_expect_eq(be16(u + 2), c->dport);
		cr_expect_eq(be16(u + 4), 8 + c->plen, "%s: udp length", c->name);
		if (c->offload) {
			uint8_t tmp[2048];

			cr_expect_eq(be16(ip + 10), 0, "%s: ip checksum left to the nic", c->name);
			/* The NIC adds the data sum to the pseudo-header sum it finds there. */
			memcpy(tmp, f, len);
			put16(tmp + 34 + 6, 0);
			cr_expect_eq(be16(u + 6), fold(sum16(tmp + 14 + 12, 8, 17u + 8 + c->plen)),
				"%s: pseudo-header sum", c->name);
		} else {
			cr_expect_eq(fold(sum16(ip, 20, 0)), 0xffff, "%s: ip checksum", c->name);
			cr_expect_neq(be16(u + 6), 0, "%s", c->name);
			cr_expect_eq(udp_sum(ip), 0xffff, "%s: udp checksum", c->name);
		}
		{
			unsigned changed = 0;

			for (uint16_t k = 0; k < c->plen; k++)
				changed += f[42 + k] != (uint8_t)(k ^ 0x33);
			cr_expect_eq(changed, 0, "%s: payload bytes changed", c->name);
		}
	}
}

Test(pkt, built_reply_classifies_at_relay, .init = setup)
{
	/* A reply to a relay is a UDP 67 frame the relay takes as DHCP. */
	struct pkt_port relay;
	struct pkt_udp_hdrs h;
	struct pkt_info info;
	uint8_t f[2048] = {0};
	uint16_t len;

	pkt_port_init(&relay, peer_mac, PEER_IP, 24);
	memcpy(h.src_mac, port_mac, 6);
	memcpy(h.dst_mac, peer_mac, 6);
	h.src_ip = PORT_IP;
	h.dst_ip = PEER_IP;
	h.src_port = 67;
	h.dst_port = 67;
	len = pkt_udp_build(f, &h, 300, false);
	cr_expect_eq(pkt_classify(&relay, f, len, 0, &info), PKT_DHCP);
	cr_expect_eq(info.payload_len, 300);
}

struct dst_case {
	const char *name;
	uint8_t dst;
	uint8_t htype, hlen;
	enum pkt_dst want;
	int mac; /* 0 broadcast, 1 chaddr */
	uint32_t want_ip;
};

Test(pkt, reply_dst_table)
{
	static const uint8_t chaddr[6] = {0x00, 0x0c, 0x29, 0xdb, 0x6f, 0x01};
	static const struct dst_case cases[] = {
		{"broadcast", SRV_DST_BROADCAST, 1, 6, PKT_DST_READY, 0, 0xffffffffu},
		{"chaddr", SRV_DST_CHADDR, 1, 6, PKT_DST_READY, 1, LW_IP4(198, 18, 0, 77)},
		{"chaddr, not ethernet", SRV_DST_CHADDR, 6, 6, PKT_DST_READY, 0, 0xffffffffu},
		{"chaddr, hlen 8", SRV_DST_CHADDR, 1, 8, PKT_DST_READY, 0, 0xffffffffu},
		{"unicast", SRV_DST_UNICAST, 1, 6, PKT_DST_RESOLVE, -1, LW_IP4(198, 18, 0, 77)},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dst_case *c = &cases[i];
		struct srv_reply r = {.type = DHCP4_OFFER,
			.dst = c->dst,
			.dst_port = 68,
			.dst_ip = LW_IP4(198, 18, 0, 77),
			.src_ip = PORT_IP,
			.len = 300};
		struct dhcp4_msg m;
		uint8_t mac[6] = {0};
		uint32_t ip = 0;

		memset(&m, 0, sizeof(m));
		m.htype = c->htype;
		m.hlen = c->hlen;
		memcpy(m.chaddr, chaddr, 6);
		cr_expect_eq(pkt_reply_dst(&r, &m, mac, &ip), c->want, "%s", c->name);
		cr_expect_eq(ip, c->want_ip, "%s", c->name);
		if (c->mac == 0)
			cr_expect_arr_eq(mac, bcast, 6, "%s", c->name);
		else if (c->mac == 1)
			cr_expect_arr_eq(mac, chaddr, 6, "%s", c->name);
	}
}

Test(pkt, set_dst_mac)
{
	uint8_t f[64] = {0};

	pkt_set_dst_mac(f, peer_mac);
	cr_expect_arr_eq(f, peer_mac, 6);
	cr_expect(pkt_mac_is_bcast(bcast));
	cr_expect_not(pkt_mac_is_bcast(peer_mac));
}
