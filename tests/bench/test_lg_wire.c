/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-loadgen's frames (bench/loadgen/lg_wire.c): every message a
 * client sends, read back by the server's own parser (dhcp4_parse), the
 * headers it is addressed with, and the reply reader and reflector.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/loadgen/lg_wire.h"
#include "common/dhcp4.h"
#include "common/lw_ip.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define ETH	      14
#define IP	      (ETH)
#define UDP	      (ETH + 20)
#define BOOTP	      (ETH + 20 + 8)

static const uint8_t cli_mac[6] = {0x02, 0, 0, 0, 0x12, 0x34};
static const uint8_t srv_mac[6] = {0x02, 0xaa, 0, 0, 0, 1};
static const uint8_t relay_mac[6] = {0x02, 0xbb, 0, 0, 0, 2};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The IPv4 header's checksum over itself is 0xffff when it is right. */
static uint16_t ip_sum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += get16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Checks the headers of f and parses its BOOTP message with the server's parser. */
static void parse_frame(const uint8_t *f, size_t len, struct dhcp4_msg *m)
{
	cr_assert_eq(len, LG_FRAME_LEN);
	cr_assert_eq(get16(f + 12), 0x0800);
	cr_assert_eq(f[IP], 0x45);
	cr_assert_eq(f[IP + 9], 17);
	cr_assert_eq(ip_sum(f + IP), 0xffff, "IPv4 header checksum");
	cr_assert_eq(get16(f + IP + 2), len - ETH);
	cr_assert_eq(get16(f + UDP + 4), len - ETH - 20);
	cr_assert_eq(dhcp4_parse(f + BOOTP, len - BOOTP, m), 0);
}

Test(lg_wire, discover_direct)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN];
	struct dhcp4_msg m;

	cr_assert_eq(lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 0x1234, cli_mac, 0, 0),
		LG_FRAME_LEN);
	parse_frame(f, sizeof(f), &m);
	cr_assert_arr_eq(f, bcast, 6);
	cr_assert_arr_eq(f + 6, cli_mac, 6);
	cr_assert_eq(get32(f + IP + 12), 0);
	cr_assert_eq(get32(f + IP + 16), 0xffffffffu);
	cr_assert_eq(get16(f + UDP), DHCP4_CLIENT_PORT);
	cr_assert_eq(get16(f + UDP + 2), DHCP4_SERVER_PORT);
	cr_assert_eq(m.msg_type, DHCP4_DISCOVER);
	cr_assert_eq(m.xid, 0x1234);
	cr_assert_eq(m.flags, BOOTP_FLAG_BROADCAST);
	cr_assert_eq(m.ciaddr, 0);
	cr_assert_eq(
		m.has & (DHCP4_HAS_REQUESTED_IP | DHCP4_HAS_SERVER_ID | DHCP4_HAS_CLIENT_ID), 0);
	cr_assert_arr_eq(m.chaddr, cli_mac, 6);
}

Test(lg_wire, request_selecting_with_client_id)
{
	struct lg_wire_cfg cfg = {.client_id = true};
	uint8_t f[LG_FRAME_LEN];
	struct dhcp4_msg m;

	lg_build_request(
		f, sizeof(f), &cfg, DHCP4_REQUEST, 7, cli_mac, A(198, 18, 1, 5), A(198, 18, 0, 1));
	parse_frame(f, sizeof(f), &m);
	cr_assert_eq(m.msg_type, DHCP4_REQUEST);
	cr_assert_eq(m.requested_ip, A(198, 18, 1, 5));
	cr_assert_eq(m.server_id, A(198, 18, 0, 1));
	cr_assert_eq(m.ciaddr, 0);
	cr_assert_eq(m.client_id_len, 7);
	cr_assert_eq(m.client_id[0], 1);
	cr_assert_arr_eq(m.client_id + 1, cli_mac, 6);
}

/* RFC 2131 4.3.2 RENEWING: unicast from ciaddr, no options 50 and 54. */
Test(lg_wire, renew_direct_unicast)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN];
	struct dhcp4_msg m;

	cr_assert_eq(lg_build_unicast(f, sizeof(f), &cfg, DHCP4_REQUEST, 0x80000001u, cli_mac,
			     A(198, 18, 1, 5), A(198, 18, 0, 1), srv_mac),
		LG_FRAME_LEN);
	parse_frame(f, sizeof(f), &m);
	cr_assert_arr_eq(f, srv_mac, 6);
	cr_assert_arr_eq(f + 6, cli_mac, 6);
	cr_assert_eq(get32(f + IP + 12), A(198, 18, 1, 5));
	cr_assert_eq(get32(f + IP + 16), A(198, 18, 0, 1));
	cr_assert_eq(get16(f + UDP), DHCP4_CLIENT_PORT);
	cr_assert_eq(get16(f + UDP + 2), DHCP4_SERVER_PORT);
	cr_assert_eq(m.msg_type, DHCP4_REQUEST);
	cr_assert_eq(m.xid, 0x80000001u);
	cr_assert_eq(m.ciaddr, A(198, 18, 1, 5));
	cr_assert_eq(m.flags, 0, "a client with an address takes unicast replies");
	cr_assert_eq(m.has & (DHCP4_HAS_REQUESTED_IP | DHCP4_HAS_SERVER_ID), 0);
	cr_assert_eq(m.giaddr, 0);
}

/* RFC 2131 4.4.6: RELEASE with ciaddr and the server identifier. */
Test(lg_wire, release_direct)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN];
	struct dhcp4_msg m;

	lg_build_unicast(f, sizeof(f), &cfg, DHCP4_RELEASE, 9, cli_mac, A(198, 18, 1, 5),
		A(198, 18, 0, 1), srv_mac);
	parse_frame(f, sizeof(f), &m);
	cr_assert_arr_eq(f, srv_mac, 6);
	cr_assert_eq(m.msg_type, DHCP4_RELEASE);
	cr_assert_eq(m.ciaddr, A(198, 18, 1, 5));
	cr_assert_eq(m.server_id, A(198, 18, 0, 1));
	cr_assert_eq(m.has & DHCP4_HAS_REQUESTED_IP, 0);
	cr_assert_eq(m.has & DHCP4_HAS_PRL, 0);
}

Test(lg_wire, relay_discover_and_renew)
{
	struct lg_wire_cfg cfg = {.relay = true, .giaddr = A(198, 18, 2, 1)};
	uint8_t f[LG_FRAME_LEN];
	struct dhcp4_msg m;

	memcpy(cfg.relay_mac, relay_mac, 6);
	lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 3, cli_mac, 0, 0);
	parse_frame(f, sizeof(f), &m);
	cr_assert_arr_eq(f + 6, relay_mac, 6);
	cr_assert_eq(get32(f + IP + 12), A(198, 18, 2, 1));
	cr_assert_eq(get32(f + IP + 16), 0xffffffffu);
	cr_assert_eq(get16(f + UDP), DHCP4_SERVER_PORT);
	cr_assert_eq(m.giaddr, A(198, 18, 2, 1));
	cr_assert_eq(m.hops, 1);
	cr_assert_eq(m.flags, 0);

	lg_build_unicast(f, sizeof(f), &cfg, DHCP4_REQUEST, 3, cli_mac, A(198, 18, 2, 9),
		A(198, 18, 0, 1), srv_mac);
	parse_frame(f, sizeof(f), &m);
	cr_assert_arr_eq(f, srv_mac, 6);
	cr_assert_arr_eq(f + 6, relay_mac, 6);
	cr_assert_eq(get32(f + IP + 12), A(198, 18, 2, 1));
	cr_assert_eq(get32(f + IP + 16), A(198, 18, 0, 1));
	cr_assert_eq(m.giaddr, A(198, 18, 2, 1), "the reply comes back through the relay");
	cr_assert_eq(m.ciaddr, A(198, 18, 2, 9));

	/* --server: the relay's broadcasts go there; unicast goes to the server identifier. */
	cfg.server = A(198, 18, 0, 7);
	lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 3, cli_mac, 0, 0);
	cr_assert_eq(get32(f + IP + 16), A(198, 18, 0, 7));
	lg_build_unicast(f, sizeof(f), &cfg, DHCP4_RELEASE, 3, cli_mac, A(198, 18, 2, 9),
		A(198, 18, 0, 1), srv_mac);
	cr_assert_eq(get32(f + IP + 16), A(198, 18, 0, 1));
}

Test(lg_wire, unicast_rejects_other_types_and_small_buffers)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN];

	cr_assert_eq(
		lg_build_unicast(f, sizeof(f), &cfg, DHCP4_DISCOVER, 1, cli_mac, 1, 2, srv_mac), 0);
	cr_assert_eq(
		lg_build_unicast(f, sizeof(f) - 1, &cfg, DHCP4_REQUEST, 1, cli_mac, 1, 2, srv_mac),
		0);
	cr_assert_eq(lg_build_request(f, sizeof(f) - 1, &cfg, DHCP4_DISCOVER, 1, cli_mac, 0, 0), 0);
}

/* The reflector's answer to a renewal, read back as the generator reads replies. */
Test(lg_wire, reflect_renewal_and_parse_reply)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN + 64];
	struct lg_reply r;
	int len;

	lg_build_unicast(f, sizeof(f), &cfg, DHCP4_REQUEST, 0x80000005u, cli_mac, A(10, 0, 0, 6),
		A(198, 18, 0, 1), srv_mac);
	len = lg_reflect(f, LG_FRAME_LEN, sizeof(f), A(198, 18, 0, 1), srv_mac, A(10, 0, 0, 0));
	cr_assert_eq(len, LG_FRAME_LEN);
	cr_assert_eq(lg_parse_reply(f, (size_t)len, DHCP4_CLIENT_PORT, &r), 0);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(r.xid, 0x80000005u);
	cr_assert_eq(r.yiaddr, A(10, 0, 0, 6));
	cr_assert(r.has_server_id);
	cr_assert_eq(r.server_id, A(198, 18, 0, 1));
	cr_assert_arr_eq(r.chaddr, cli_mac, 6);
	cr_assert_arr_eq(r.src_mac, srv_mac, 6);
	cr_assert_eq(r.src_ip, A(198, 18, 0, 1));
	/* The options a server's ACK carries, in order, then END. */
	{
		static const uint8_t want[] = {53, 1, 54, 4, 51, 4, 58, 4, 59, 4, 1, 4, 3, 4};
		/* 58 = 1800, 59 = 3150, 1 = 255.254.0.0, 3 = the server */
		static const uint8_t vals[] = {
			0, 0, 7, 8, 59, 4, 0, 0, 12, 78, 1, 4, 255, 254, 0, 0, 3, 4, 198, 18, 0, 1};
		const uint8_t *o = f + BOOTP + 240;
		size_t k = 0;

		for (unsigned i = 0; i < sizeof(want); i += 2) {
			cr_assert_eq(o[k], want[i], "option %u: %u", i / 2, o[k]);
			cr_assert_eq(o[k + 1], want[i + 1]);
			k += 2u + o[k + 1];
		}
		cr_assert_eq(o[k], 255);
		cr_assert_arr_eq(o + 17, vals, sizeof(vals));
	}
	/* Not to the relay's port, and a RELEASE gets no answer. */
	cr_assert_eq(lg_parse_reply(f, (size_t)len, DHCP4_SERVER_PORT, &r), -1);
	lg_build_unicast(f, sizeof(f), &cfg, DHCP4_RELEASE, 5, cli_mac, A(10, 0, 0, 6),
		A(198, 18, 0, 1), srv_mac);
	cr_assert_eq(lg_reflect(f, LG_FRAME_LEN, sizeof(f), A(198, 18, 0, 1), srv_mac, 0), -1);
}

/* A client identifier comes back (RFC 6842), after the other options. */
Test(lg_wire, reflect_echoes_client_id)
{
	struct lg_wire_cfg cfg = {.client_id = true};
	uint8_t cid[9] = {61, 7, 1};
	uint8_t f[LG_FRAME_LEN + 64];
	const uint8_t *o = f + BOOTP + 240;
	size_t k = 0;

	memcpy(cid + 3, cli_mac, 6);
	lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 9, cli_mac, 0, 0);
	cr_assert_eq(
		lg_reflect(f, LG_FRAME_LEN, sizeof(f), A(198, 18, 0, 1), srv_mac, 0), LG_FRAME_LEN);
	for (unsigned n = 0; n < 7; n++) /* 53 54 51 58 59 1 3 */
		k += 2u + o[k + 1];
	cr_assert_arr_eq(o + k, cid, sizeof(cid));
	cr_assert_eq(o[k + sizeof(cid)], 255);
	/* Without one, END follows 3. */
	cfg.client_id = false;
	lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 9, cli_mac, 0, 0);
	cr_assert_eq(
		lg_reflect(f, LG_FRAME_LEN, sizeof(f), A(198, 18, 0, 1), srv_mac, 0), LG_FRAME_LEN);
	cr_assert_eq(o[k], 255);
}

Test(lg_wire, parse_reply_malformed)
{
	struct lg_wire_cfg cfg = {0};
	uint8_t f[LG_FRAME_LEN + 64];
	struct lg_reply r;

	lg_build_request(f, sizeof(f), &cfg, DHCP4_DISCOVER, 5, cli_mac, 0, 0);
	cr_assert_eq(lg_reflect(f, LG_FRAME_LEN, sizeof(f), 1, srv_mac, 0), LG_FRAME_LEN);
	/* An option running past the end. */
	f[BOOTP + 240 + 1] = 250;
	cr_assert_eq(lg_parse_reply(f, LG_FRAME_LEN, DHCP4_CLIENT_PORT, &r), -2);
	cr_assert_eq(lg_parse_reply(f, 20, DHCP4_CLIENT_PORT, &r), -1);
}
