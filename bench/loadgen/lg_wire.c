/* SPDX-License-Identifier: MPL-2.0 */
/* Frames of leasewire-loadgen; see lg_wire.h. */
#include <string.h>

#include "bench/loadgen/lg_wire.h"
#include "common/dhcp4.h"
#include "common/lw_cursor.h"

#define ETH_LEN		  14
#define IP_LEN		  20
#define UDP_LEN		  8
#define BOOTP_OFF	  (ETH_LEN + IP_LEN + UDP_LEN)
#define ETHERTYPE_IPV4	  0x0800
#define IPPROTO_UDP_	  17
#define IP_BCAST	  0xffffffffu
#define REFLECT_LEASE_SEC 3600
/* The longest client identifier echoed: what fits in 300 bytes after the rest. */
#define REFLECT_CID_MAX 18
#define REFLECT_MASK	0xfffe0000u /* 255.254.0.0: 198.18.0.0/15, the benchmark's net */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ip_cksum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < IP_LEN; i += 2)
		sum += get16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 + UDP headers for a BOOTP message of bootp_len bytes; UDP checksum 0 (RFC 768: none). */
static void put_ip_udp(
	uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t bootp_len)
{
	uint8_t *ip = f + ETH_LEN;
	uint8_t *udp = ip + IP_LEN;

	put16(f + 12, ETHERTYPE_IPV4);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_LEN + UDP_LEN + bootp_len));
	put16(ip + 4, 0);
	put16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP_;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, ip_cksum(ip));
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(UDP_LEN + bootp_len));
	put16(udp + 6, 0);
}

/* What differs between the messages a client sends. */
struct msg_spec {
	uint8_t type;
	uint32_t xid;
	uint32_t ciaddr, req_ip, server_id; /* 0: absent */
	uint32_t dst_ip;		    /* 0: broadcast */
	const uint8_t *dst_mac;		    /* NULL: broadcast */
};

static size_t build_msg(uint8_t *buf, size_t cap, const struct lg_wire_cfg *cfg,
	const uint8_t mac[6], const struct msg_spec *s)
{
	static const uint8_t prl[] = {
		DHCP4_OPT_SUBNET_MASK, DHCP4_OPT_ROUTERS, DHCP4_OPT_DNS, DHCP4_OPT_LEASE_TIME};
	uint8_t *b = buf + BOOTP_OFF;
	uint8_t *o = b + DHCP4_OPT_OFFSET;
	uint32_t dst = s->dst_ip ? s->dst_ip : IP_BCAST;

	if (cap < LG_FRAME_LEN)
		return 0;
	memset(buf, 0, LG_FRAME_LEN);
	if (s->dst_mac)
		memcpy(buf, s->dst_mac, 6);
	else
		memset(buf, 0xff, 6);
	if (cfg->relay) {
		memcpy(buf + 6, cfg->relay_mac, 6);
		/* A relay sends broadcasts to --server when given. */
		if (s->dst_ip == 0 && cfg->server)
			dst = cfg->server;
		put_ip_udp(
			buf, cfg->giaddr, dst, DHCP4_SERVER_PORT, DHCP4_SERVER_PORT, BOOTP_MIN_LEN);
	} else {
		memcpy(buf + 6, mac, 6);
		put_ip_udp(
			buf, s->ciaddr, dst, DHCP4_CLIENT_PORT, DHCP4_SERVER_PORT, BOOTP_MIN_LEN);
	}
	b[0] = BOOTP_REQUEST;
	b[1] = 1; /* Ethernet */
	b[2] = 6;
	b[3] = cfg->relay ? 1 : 0;
	put32(b + 4, s->xid);
	/* Direct clients without an address ask for a broadcast reply (RFC 2131 4.1). */
	put16(b + 10, cfg->relay || s->ciaddr ? 0 : BOOTP_FLAG_BROADCAST);
	put32(b + 12, s->ciaddr);
	if (cfg->relay)
		put32(b + 24, cfg->giaddr);
	memcpy(b + 28, mac, 6);
	put32(b + 236, DHCP4_COOKIE);
	*o++ = DHCP4_OPT_MSG_TYPE;
	*o++ = 1;
	*o++ = s->type;
	if (cfg->client_id) {
		*o++ = DHCP4_OPT_CLIENT_ID;
		*o++ = 7;
		*o++ = 1;
		memcpy(o, mac, 6);
		o += 6;
	}
	if (s->req_ip) {
		*o++ = DHCP4_OPT_REQUESTED_IP;
		*o++ = 4;
		put32(o, s->req_ip);
		o += 4;
	}
	if (s->server_id) {
		*o++ = DHCP4_OPT_SERVER_ID;
		*o++ = 4;
		put32(o, s->server_id);
		o += 4;
	}
	if (s->type != DHCP4_RELEASE) {
		*o++ = DHCP4_OPT_PRL;
		*o++ = sizeof(prl);
		memcpy(o, prl, sizeof(prl));
		o += sizeof(prl);
	}
	*o = DHCP4_OPT_END;
	return LG_FRAME_LEN;
}

size_t lg_build_request(uint8_t *buf, size_t cap, const struct lg_wire_cfg *cfg, uint8_t type,
	uint32_t xid, const uint8_t mac[6], uint32_t req_ip, uint32_t server_id)
{
	struct msg_spec s = {.type = type, .xid = xid, .req_ip = req_ip, .server_id = server_id};

	return build_msg(buf, cap, cfg, mac, &s);
}

size_t lg_build_unicast(uint8_t *buf, size_t cap, const struct lg_wire_cfg *cfg, uint8_t type,
	uint32_t xid, const uint8_t mac[6], uint32_t ciaddr, uint32_t server_ip,
	const uint8_t server_mac[6])
{
	struct msg_spec s = {.type = type,
		.xid = xid,
		.ciaddr = ciaddr,
		.server_id = type == DHCP4_RELEASE ? server_ip : 0,
		.dst_ip = server_ip,
		.dst_mac = server_mac};

	if (type != DHCP4_REQUEST && type != DHCP4_RELEASE)
		return 0;
	return build_msg(buf, cap, cfg, mac, &s);
}

/* Returns a pointer to the BOOTP message of a UDP/IPv4 frame to dst_port, and its length. */
static const uint8_t *udp_payload(const uint8_t *f, size_t len, uint16_t dst_port, size_t *plen)
{
	const uint8_t *ip = f + ETH_LEN;
	size_t ihl, ulen;

	if (len < BOOTP_OFF || get16(f + 12) != ETHERTYPE_IPV4 || (ip[0] >> 4) != 4 ||
		ip[9] != IPPROTO_UDP_)
		return NULL;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IP_LEN || len < ETH_LEN + ihl + UDP_LEN)
		return NULL;
	if (get16(ip + ihl + 2) != dst_port)
		return NULL;
	ulen = get16(ip + ihl + 4);
	if (ulen < UDP_LEN || ETH_LEN + ihl + ulen > len)
		return NULL;
	*plen = ulen - UDP_LEN;
	return ip + ihl + UDP_LEN;
}

int lg_parse_reply(const uint8_t *frame, size_t len, uint16_t dst_port, struct lg_reply *r)
{
	struct lw_rcur c;
	const uint8_t *b;
	size_t blen;

	b = udp_payload(frame, len, dst_port, &blen);
	if (b == NULL)
		return -1;
	if (blen < DHCP4_OPT_OFFSET || b[0] != BOOTP_REPLY || get32(b + 236) != DHCP4_COOKIE)
		return -2;
	memcpy(r->src_mac, frame + 6, 6);
	r->src_ip = get32(frame + ETH_LEN + 12);
	r->xid = get32(b + 4);
	r->yiaddr = get32(b + 16);
	memcpy(r->chaddr, b + 28, 6);
	r->type = 0;
	r->has_server_id = false;
	r->server_id = 0;
	/* Only the options field: replies the generator checks never overload sname/file. */
	lw_rcur_init(&c, b + DHCP4_OPT_OFFSET, blen - DHCP4_OPT_OFFSET);
	while (lw_rcur_left(&c) > 0) {
		uint8_t code = lw_rcur_u8(&c), olen;
		const uint8_t *v;

		if (code == DHCP4_OPT_PAD)
			continue;
		if (code == DHCP4_OPT_END)
			break;
		olen = lw_rcur_u8(&c);
		v = lw_rcur_take(&c, olen);
		if (c.err)
			return -2;
		if (code == DHCP4_OPT_MSG_TYPE && olen == 1)
			r->type = v[0];
		else if (code == DHCP4_OPT_SERVER_ID && olen == 4) {
			r->server_id = get32(v);
			r->has_server_id = true;
		}
	}
	return 0;
}

int lg_reflect(uint8_t *frame, size_t len, size_t cap, uint32_t server_ip,
	const uint8_t server_mac[6], uint32_t base)
{
	const uint8_t *pb;
	uint8_t *b, *o, src_mac[6];
	uint8_t type = 0, reply, cid[REFLECT_CID_MAX], cid_len = 0;
	uint32_t giaddr, xid;
	size_t blen, i;

	pb = udp_payload(frame, len, DHCP4_SERVER_PORT, &blen);
	if (pb == NULL || cap < LG_FRAME_LEN || blen < DHCP4_OPT_OFFSET + 3 ||
		pb[0] != BOOTP_REQUEST || get32(pb + 236) != DHCP4_COOKIE)
		return -1;
	/* 53, and 61 to echo (RFC 6842), as a server does. */
	for (i = DHCP4_OPT_OFFSET; i + 1 < blen && pb[i] != DHCP4_OPT_END;) {
		if (pb[i] == DHCP4_OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2u + pb[i + 1] > blen)
			break;
		if (pb[i] == DHCP4_OPT_MSG_TYPE && pb[i + 1] == 1)
			type = pb[i + 2];
		else if (pb[i] == DHCP4_OPT_CLIENT_ID && pb[i + 1] <= REFLECT_CID_MAX) {
			cid_len = pb[i + 1];
			memcpy(cid, pb + i + 2, cid_len);
		}
		i += 2u + pb[i + 1];
	}
	if (type == DHCP4_DISCOVER)
		reply = DHCP4_OFFER;
	else if (type == DHCP4_REQUEST)
		reply = DHCP4_ACK;
	else
		return -1;
	/* The BOOTP header moves to the fixed offset of a 20-byte IP header. */
	b = frame + BOOTP_OFF;
	if (pb != b)
		memmove(b, pb, DHCP4_OPT_OFFSET);
	memcpy(src_mac, frame + 6, 6);
	memcpy(frame, src_mac, 6);
	memcpy(frame + 6, server_mac, 6);
	giaddr = get32(b + 24);
	xid = get32(b + 4);
	b[0] = BOOTP_REPLY;
	put32(b + 16, base + 1 + (xid & 0xffffff));
	o = b + DHCP4_OPT_OFFSET;
	memset(o, 0, BOOTP_MIN_LEN - DHCP4_OPT_OFFSET);
	*o++ = DHCP4_OPT_MSG_TYPE;
	*o++ = 1;
	*o++ = reply;
	*o++ = DHCP4_OPT_SERVER_ID;
	*o++ = 4;
	put32(o, server_ip);
	o += 4;
	/*
	 * 51, 58, 59, then a mask and a router: the options a server gives a
	 * client that asks for 1 and 3 (perfdhcp does; leasewire and Kea, as
	 * bench/compare.sh sets them up, answer with these seven, then 61).
	 * The client's work per reply grows with its options (perfdhcp parses
	 * each into an object), so the reflector's ceiling is measured with
	 * replies of a server's size.
	 */
	static const uint8_t codes[] = {DHCP4_OPT_LEASE_TIME, DHCP4_OPT_T1, DHCP4_OPT_T2,
		DHCP4_OPT_SUBNET_MASK, DHCP4_OPT_ROUTERS};
	const uint32_t vals[] = {REFLECT_LEASE_SEC, REFLECT_LEASE_SEC / 2,
		REFLECT_LEASE_SEC / 8 * 7, REFLECT_MASK, server_ip};

	for (i = 0; i < sizeof(codes); i++) {
		*o++ = codes[i];
		*o++ = 4;
		put32(o, vals[i]);
		o += 4;
	}
	if (cid_len) {
		*o++ = DHCP4_OPT_CLIENT_ID;
		*o++ = cid_len;
		memcpy(o, cid, cid_len);
		o += cid_len;
	}
	*o = DHCP4_OPT_END;
	if (giaddr)
		put_ip_udp(frame, server_ip, giaddr, DHCP4_SERVER_PORT, DHCP4_SERVER_PORT,
			BOOTP_MIN_LEN);
	else
		put_ip_udp(frame, server_ip, IP_BCAST, DHCP4_SERVER_PORT, DHCP4_CLIENT_PORT,
			BOOTP_MIN_LEN);
	return LG_FRAME_LEN;
}
