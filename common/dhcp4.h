/* SPDX-License-Identifier: MPL-2.0 */
/*
 * DHCPv4 wire format (RFC 2131, RFC 2132, RFC 3396, RFC 3046, RFC 3527,
 * RFC 3011, RFC 6842). No DPDK here: the dataplane hands in a pointer and a
 * length of the UDP payload.
 *
 * dhcp4_parse() reads a request into a self-contained struct dhcp4_msg: the
 * scalars in host byte order and copies of the variable options the server
 * needs. Nothing in the struct points into the packet, so the caller may
 * build the reply over the request's bytes (in the same mbuf).
 *
 * dhcp4_reply_*() build a reply through a write cursor.
 *
 * Thread safety: all functions are reentrant; they touch only their arguments.
 */
#ifndef LW_DHCP4_H
#define LW_DHCP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lw_cursor.h"

#define DHCP4_SERVER_PORT 67
#define DHCP4_CLIENT_PORT 68

#define BOOTP_REQUEST 1
#define BOOTP_REPLY   2

#define BOOTP_FIXED_LEN	  236 /* op .. file, without the cookie */
#define DHCP4_COOKIE	  0x63825363u
#define DHCP4_OPT_OFFSET  240 /* first option byte */
#define BOOTP_MIN_LEN	  300 /* RFC 951/1542: pad replies to at least this */
#define DHCP4_MIN_MAX_MSG 576 /* RFC 2132 9.10: smallest legal max message size (IP+UDP+DHCP) */

#define BOOTP_FLAG_BROADCAST 0x8000

#define BOOTP_SNAME_OFF 44
#define BOOTP_SNAME_LEN 64
#define BOOTP_FILE_OFF	108
#define BOOTP_FILE_LEN	128

/* Message types (option 53). */
enum dhcp4_type {
	DHCP4_DISCOVER = 1,
	DHCP4_OFFER = 2,
	DHCP4_REQUEST = 3,
	DHCP4_DECLINE = 4,
	DHCP4_ACK = 5,
	DHCP4_NAK = 6,
	DHCP4_RELEASE = 7,
	DHCP4_INFORM = 8,
	DHCP4_TYPE_MAX = 9,
};

const char *dhcp4_type_name(int type);

/* Option codes used by name in the code. */
enum dhcp4_opt {
	DHCP4_OPT_PAD = 0,
	DHCP4_OPT_SUBNET_MASK = 1,
	DHCP4_OPT_ROUTERS = 3,
	DHCP4_OPT_DNS = 6,
	DHCP4_OPT_HOSTNAME = 12,
	DHCP4_OPT_DOMAIN_NAME = 15,
	DHCP4_OPT_BROADCAST = 28,
	DHCP4_OPT_REQUESTED_IP = 50,
	DHCP4_OPT_LEASE_TIME = 51,
	DHCP4_OPT_OVERLOAD = 52,
	DHCP4_OPT_MSG_TYPE = 53,
	DHCP4_OPT_SERVER_ID = 54,
	DHCP4_OPT_PRL = 55,
	DHCP4_OPT_MESSAGE = 56,
	DHCP4_OPT_MAX_MSG_SIZE = 57,
	DHCP4_OPT_T1 = 58,
	DHCP4_OPT_T2 = 59,
	DHCP4_OPT_CLIENT_ID = 61,
	DHCP4_OPT_AGENT_INFO = 82,
	DHCP4_OPT_SUBNET_SELECTION = 118,
	DHCP4_OPT_END = 255,
};

/* Sub-options of 82 that the server reads. */
#define DHCP4_AGENT_LINK_SELECTION 5 /* RFC 3527 */

/* Which options were present (dhcp4_msg.has). */
enum {
	DHCP4_HAS_REQUESTED_IP = 1u << 0,
	DHCP4_HAS_LEASE_TIME = 1u << 1,
	DHCP4_HAS_SERVER_ID = 1u << 2,
	DHCP4_HAS_PRL = 1u << 3,
	DHCP4_HAS_MAX_MSG_SIZE = 1u << 4,
	DHCP4_HAS_CLIENT_ID = 1u << 5,
	DHCP4_HAS_AGENT_INFO = 1u << 6,
	DHCP4_HAS_LINK_SELECTION = 1u << 7,
	DHCP4_HAS_SUBNET_SELECTION = 1u << 8,
	DHCP4_HAS_OVERLOAD = 1u << 9,
};

/*
 * A parsed request. Addresses in host byte order. Variable options are
 * copies, joined in RFC 3396 order (options field, then file, then sname)
 * when a code appears more than once.
 */
struct dhcp4_msg {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid; /* kept as on the wire: echoed, never interpreted */
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr;
	uint32_t yiaddr;
	uint32_t siaddr;
	uint32_t giaddr;
	uint8_t chaddr[16];

	uint8_t msg_type; /* option 53, 1..255 (unknown values are kept) */
	uint8_t overload; /* option 52 value, 0 if absent */
	uint32_t has;	  /* DHCP4_HAS_* */

	uint32_t requested_ip;	   /* 50 */
	uint32_t lease_time;	   /* 51 */
	uint32_t server_id;	   /* 54 */
	uint16_t max_msg_size;	   /* 57 */
	uint32_t link_selection;   /* 82.5 */
	uint32_t subnet_selection; /* 118 */

	uint8_t client_id_len;	/* 61 */
	uint8_t prl_len;	/* 55 */
	uint8_t agent_info_len; /* 82, the whole payload, echoed verbatim */
	uint8_t client_id[255];
	uint8_t prl[255];
	uint8_t agent_info[255];
};

/*
 * Parses the UDP payload buf[0..len) as a DHCP request.
 * Returns 0, or a negative LW_E_* code:
 *   LW_E_TRUNC    shorter than the fixed header + cookie
 *   LW_E_OP       op is not BOOTREQUEST
 *   LW_E_HLEN     hlen > 16
 *   LW_E_COOKIE   magic cookie missing or wrong
 *   LW_E_OPTLEN   an option's length runs past its field
 *   LW_E_OPTSIZE  a fixed-size option (50, 51, 52, 53, 54, 57, 118, 82.5) with the wrong length
 *                 (each occurrence; the last one wins), or a client identifier (61)
 *                 shorter than 2 bytes (RFC 2132 9.14)
 *   LW_E_OVERLOAD option 52 repeated, out of 1..3, or found inside sname/file
 *   LW_E_TOOLONG  a concatenated option over 255 bytes
 *   LW_E_NOTYPE   no option 53
 * On error *m is partly filled and must not be used.
 */
int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m);

/* 1 when option code appears in the message's parameter request list. */
bool dhcp4_prl_has(const struct dhcp4_msg *m, uint8_t code);

/*
 * Reply building. Usage:
 *   struct lw_wcur w; lw_wcur_init(&w, buf, cap);
 *   dhcp4_reply_header(&w, req, yiaddr, siaddr);
 *   dhcp4_put_opt(&w, ...)... ;
 *   len = dhcp4_reply_finish(&w);   // END + pad to BOOTP_MIN_LEN; <0 on overflow
 *
 * buf may overlap the request the msg was parsed from: the msg is a copy.
 */
void dhcp4_reply_header(struct lw_wcur *w, const struct dhcp4_msg *req, uint8_t msg_type,
	uint32_t yiaddr, uint32_t siaddr);
/*
 * The same over the request itself: w's buffer holds the request's bytes as
 * parsed, so the fields a reply echoes (htype, hlen, xid, flags, ciaddr,
 * giaddr, chaddr, cookie) are already in place and only the others are
 * written.
 */
void dhcp4_reply_header_over(struct lw_wcur *w, uint8_t msg_type, uint32_t yiaddr, uint32_t siaddr);
void dhcp4_put_opt(struct lw_wcur *w, uint8_t code, const void *data, uint8_t len);
void dhcp4_put_opt_u32(struct lw_wcur *w, uint8_t code, uint32_t v);
/*
 * Writes n (<= 8) 4-byte options, codes[i] = vals[i], with one room check:
 * all of them or none (LW_E_NOSPACE).
 */
void dhcp4_put_opts_u32(struct lw_wcur *w, const uint8_t *codes, const uint32_t *vals, unsigned n);
/* Writes END and pads to BOOTP_MIN_LEN. Returns the total length or a negative LW_E_NOSPACE. */
int dhcp4_reply_finish(struct lw_wcur *w);

#endif
