/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target for the load generator's frame code (bench/loadgen/lg_wire.h):
 * what leasewire-loadgen reads from the server under test (lg_parse_reply)
 * and what its reflector answers (lg_reflect).
 *
 * Each input is taken twice: as a whole Ethernet frame, and as a UDP
 * payload put behind Ethernet, IPv4 and UDP headers to port 67 (the seeds
 * are DHCP payloads, tests/fuzz/corpus/dhcp4), so that the DHCP parsers
 * see most inputs. Checked (abort on failure):
 *
 *  - lg_parse_reply returns 0, -1 or -2;
 *  - lg_reflect returns -1 or the length of its reply, and a reply is read
 *    back by lg_parse_reply as an OFFER or ACK from the reflector, with the
 *    request's xid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg_wire.h"
#include "common/dhcp4.h"
#include "tests/fuzz/fuzz_check.h"

#define HDRS (14 + 20 + 8)

static const uint8_t srv_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

/* Ethernet, IPv4 (20 bytes) and UDP headers for a payload of plen bytes. */
static void wrap(uint8_t *f, size_t plen, uint16_t port)
{
	size_t ulen = plen + 8, iplen = ulen + 20;

	memset(f, 0, HDRS);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(iplen >> 8);
	f[17] = (uint8_t)iplen;
	f[22] = 64;
	f[23] = 17;
	f[34] = 0;
	f[35] = 68;
	f[36] = (uint8_t)(port >> 8);
	f[37] = (uint8_t)port;
	f[38] = (uint8_t)(ulen >> 8);
	f[39] = (uint8_t)ulen;
}

/* Both parsers on the frame f[0..len); f has room for a reply. */
static void one(uint8_t *f, size_t len, size_t cap)
{
	struct lg_reply r;
	int rc;

	for (int p = 0; p < 2; p++) {
		rc = lg_parse_reply(f, len, p ? DHCP4_SERVER_PORT : DHCP4_CLIENT_PORT, &r);
		CHECK(rc == 0 || rc == -1 || rc == -2);
	}
	rc = lg_reflect(f, len, cap, 0xc6120001u, srv_mac, 0x0a000000u);
	CHECK(rc == -1 || rc == LG_FRAME_LEN);
	if (rc == LG_FRAME_LEN) {
		uint16_t port = (uint16_t)(f[HDRS - 8 + 2] << 8 | f[HDRS - 8 + 3]);
		uint32_t xid = (uint32_t)f[HDRS + 4] << 24 | (uint32_t)f[HDRS + 5] << 16 |
			       (uint32_t)f[HDRS + 6] << 8 | f[HDRS + 7];

		CHECK(lg_parse_reply(f, (size_t)rc, port, &r) == 0);
		CHECK(r.type == DHCP4_OFFER || r.type == DHCP4_ACK);
		CHECK(r.xid == xid);
		CHECK(r.has_server_id && r.server_id == 0xc6120001u);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[HDRS + 1600];

	if (size > sizeof(f) - HDRS)
		return 0;
	memcpy(f, data, size);
	one(f, size, sizeof(f));
	wrap(f, size, DHCP4_SERVER_PORT);
	memcpy(f + HDRS, data, size);
	one(f, HDRS + size, sizeof(f));
	return 0;
}
