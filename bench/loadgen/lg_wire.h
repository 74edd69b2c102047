/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-loadgen wire format: whole Ethernet frames of DHCP requests
 * (as a client or as a relay agent), the fields of a reply that the
 * generator checks, and the trivial responder of --reflect. No DPDK here:
 * every function takes a byte buffer and a length.
 *
 * Addresses are in host byte order. Thread safety: reentrant; the functions
 * touch only their arguments.
 */
#ifndef LG_WIRE_H
#define LG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ethernet + IPv4 + UDP + a 300-byte BOOTP message (RFC 951 minimum). */
#define LG_FRAME_LEN (14 + 20 + 8 + 300)

/* How requests are sent. */
struct lg_wire_cfg {
	bool relay;	      /* from giaddr:67 to server:67, else 0.0.0.0:68 -> bcast:67 */
	bool client_id;	      /* add option 61 = 01 + chaddr */
	uint32_t giaddr;      /* relay mode: the relay agent's address */
	uint32_t server;      /* relay mode: destination (255.255.255.255 if 0) */
	uint8_t relay_mac[6]; /* relay mode: Ethernet source */
};

/* What a reply says, as far as the generator checks it. */
struct lg_reply {
	uint32_t xid;
	uint32_t yiaddr;
	uint32_t server_id; /* option 54, valid if has_server_id */
	uint8_t type;	    /* option 53, 0 if absent */
	bool has_server_id;
	uint8_t chaddr[6];
	uint8_t src_mac[6]; /* Ethernet source: the server's port (or a relay's) */
	uint32_t src_ip;    /* IPv4 source */
};

/*
 * Writes a DISCOVER (req_ip = server_id = 0) or a REQUEST (options 50 and 54)
 * of client mac into buf[0..LG_FRAME_LEN). cap must be at least LG_FRAME_LEN.
 * Returns the frame length, or 0 if cap is too small.
 */
size_t lg_build_request(uint8_t *buf, size_t cap, const struct lg_wire_cfg *cfg, uint8_t type,
	uint32_t xid, const uint8_t mac[6], uint32_t req_ip, uint32_t server_id);

/*
 * Writes a message of a bound client at address ciaddr, sent to the server
 * (server_ip, server_mac) by unicast: a REQUEST in RENEWING state (RFC 2131
 * 4.3.2, 4.4.5: ciaddr set, no options 50 and 54, broadcast flag clear) or a
 * RELEASE (4.4.6: ciaddr set, option 54 = server_ip). A direct client sends
 * from ciaddr:68 and its own MAC; in relay mode the frame comes from
 * giaddr:67 with giaddr set, so that the reply comes back to the relay.
 * Returns the frame length, or 0 if cap is below LG_FRAME_LEN or type is
 * neither REQUEST nor RELEASE.
 */
size_t lg_build_unicast(uint8_t *buf, size_t cap, const struct lg_wire_cfg *cfg, uint8_t type,
	uint32_t xid, const uint8_t mac[6], uint32_t ciaddr, uint32_t server_ip,
	const uint8_t server_mac[6]);

/*
 * Reads frame[0..len) as a DHCP reply sent to UDP port dst_port (68 to a
 * client, 67 to a relay). Returns 0, -1 if it is not IPv4/UDP to dst_port,
 * -2 if the BOOTP message is malformed (truncated, op not BOOTREPLY, bad
 * cookie, an option running past the end).
 */
int lg_parse_reply(const uint8_t *frame, size_t len, uint16_t dst_port, struct lg_reply *r);

/*
 * --reflect: rewrites the request in frame[0..len) in place into its reply:
 * OFFER for a DISCOVER, ACK for a REQUEST, yiaddr = base + 1 + (xid mod
 * 2^24), server identifier server_ip, options 51, 58, 59, 1 (255.254.0.0),
 * 3 (server_ip) and the request's 61 (up to 18 bytes) as a server's reply
 * carries them, sent from server_mac to the request's
 * Ethernet source (to giaddr:67 if relayed, else broadcast:68). cap is the
 * room in the buffer. Returns the new length, or -1 if frame is not a
 * DISCOVER or REQUEST to port 67.
 */
int lg_reflect(uint8_t *frame, size_t len, size_t cap, uint32_t server_ip,
	const uint8_t server_mac[6], uint32_t base);

#endif
