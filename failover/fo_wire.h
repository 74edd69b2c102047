/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Failover wire codec: the 12-byte message header and the TLV options of
 * draft-ietf-dhc-failover-12 as ISC dhcpd 4.4 speaks them
 * (../shared/design/FAILOVER.md §1.2, §1.3, §2, §8).
 *
 * Plain C, no DPDK, no allocation, no global state: every function may be
 * called from any thread on its own struct fo_msg.
 *
 * Memory: a decoded struct fo_msg points into the caller's buffer for every
 * variable-length option (struct fo_bytes) and for the header padding; the
 * buffer must outlive the struct. The HBA is copied.
 *
 * Every byte of a received message is read through struct lw_rcur.
 */
#ifndef FO_WIRE_H
#define FO_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* §1.2: fixed header; ISC refuses anything outside 12..2048 bytes. */
#define FO_HDR_LEN     12
#define FO_MSG_MAX_LEN 2048
/* §1.2, pitfall 4: ISC always sends 12; the draft's "8" is wrong. */
#define FO_PAYOFF  12
#define FO_HBA_LEN 32
/* chaddr = htype byte + up to 16 bytes of hardware address (DHCP chaddr). */
#define FO_CHADDR_MAX 17

/* Message types, §1.3. Note 7 = UPDREQALL, 9 = UPDREQ (tshark swaps them). */
enum fo_msg_type {
	FO_MSG_POOLREQ = 1,
	FO_MSG_POOLRESP = 2,
	FO_MSG_BNDUPD = 3,
	FO_MSG_BNDACK = 4,
	FO_MSG_CONNECT = 5,
	FO_MSG_CONNECTACK = 6,
	FO_MSG_UPDREQALL = 7,
	FO_MSG_UPDDONE = 8,
	FO_MSG_UPDREQ = 9,
	FO_MSG_STATE = 10,
	FO_MSG_CONTACT = 11,
	FO_MSG_DISCONNECT = 12,
};
#define FO_MSG_MAX 12

/* Option codes, §2.1. */
enum fo_opt_code {
	FO_OPT_ADDRESSES_TRANSFERRED = 1,
	FO_OPT_ASSIGNED_IP = 2,
	FO_OPT_BINDING_STATUS = 3,
	FO_OPT_CLIENT_ID = 4,
	FO_OPT_CHADDR = 5,
	FO_OPT_CLTT = 6,
	FO_OPT_REPLY_OPTIONS = 7,
	FO_OPT_REQUEST_OPTIONS = 8,
	FO_OPT_DDNS = 9,
	FO_OPT_DELAYED_SERVICE = 10,
	FO_OPT_HBA = 11,
	FO_OPT_IP_FLAGS = 12,
	FO_OPT_LEASE_EXPIRY = 13,
	FO_OPT_MAX_UNACKED = 14,
	FO_OPT_MCLT = 15,
	FO_OPT_MESSAGE = 16,
	FO_OPT_MESSAGE_DIGEST = 17,
	FO_OPT_POTENTIAL_EXPIRY = 18,
	FO_OPT_RECEIVE_TIMER = 19,
	FO_OPT_PROTOCOL_VERSION = 20,
	FO_OPT_REJECT_REASON = 21,
	FO_OPT_RELATIONSHIP_NAME = 22,
	FO_OPT_SERVER_FLAGS = 23,
	FO_OPT_SERVER_STATE = 24,
	FO_OPT_STOS = 25,
	FO_OPT_TLS_REPLY = 26,
	FO_OPT_TLS_REQUEST = 27,
	FO_OPT_VENDOR_CLASS = 28,
	FO_OPT_VENDOR_OPTIONS = 29,
};
#define FO_OPT_MAX 29

/* IP-flags bits (§2.1 code 12; 2 bytes on the wire, pitfall 3). */
#define FO_IPF_RESERVED 0x0001
#define FO_IPF_BOOTP	0x0002
/* server-flags bits (§2.1 code 23). */
#define FO_SF_STARTUP 0x01

/*
 * Codec errors. They sit far below errno and below LW_E_* (-1000..) so the
 * three never collide. Every one of them means "protocol error: close the
 * connection and log the reason", except FO_E_SHORT (wait for more bytes)
 * and FO_E_HBA (ISC answers a CONNECT with a bad HBA by CONNECTACK reject
 * reason 18, FAILOVER.md §2.1; the header fields are still filled in).
 */
#define FO_ERRORS(X)                                                                               \
	X(FO_E_SHORT, -3000, "failover: buffer shorter than the message length")                   \
	X(FO_E_LEN_SMALL, -3001, "failover: message length under 12")                              \
	X(FO_E_LEN_BIG, -3002, "failover: message length over 2048")                               \
	X(FO_E_PAYOFF, -3003, "failover: payload offset under 12 or past the message end")         \
	X(FO_E_TYPE, -3004, "failover: unknown message type carrying options")                     \
	X(FO_E_OPTTRUNC, -3005, "failover: option runs past the end of the message")               \
	X(FO_E_OPTSIZE, -3006, "failover: option size differs from its type's size")               \
	X(FO_E_DUP, -3007, "failover: duplicate option")                                           \
	X(FO_E_MULTIADDR, -3008, "failover: more than one assigned-IP-address in one BNDUPD")      \
	X(FO_E_DDNS, -3009, "failover: non-empty DDNS option (ISC accepts only length 0)")         \
	X(FO_E_HBA, -3010, "failover: hash-bucket-assignment is not 32 bytes")                     \
	X(FO_E_CHADDR, -3011, "failover: client-hardware-address not 1..17 bytes")                 \
	X(FO_E_NOTSENT, -3012, "failover: option not allowed in this message type")                \
	X(FO_E_ORDER, -3013, "failover: option order list does not match the present options")

enum fo_err {
#define FO_ERR_ENUM(name, val, text) name = val,
	FO_ERRORS(FO_ERR_ENUM)
#undef FO_ERR_ENUM
};

/* Value types of the option table. */
enum fo_opt_type {
	FO_T_U8,
	FO_T_U16,
	FO_T_U32,
	FO_T_TIME, /* uint32 seconds since 1970 UTC */
	FO_T_IPV4,
	FO_T_BYTES, /* opaque bytes */
	FO_T_TEXT,  /* bytes meant as text, no NUL */
	FO_T_HBA,   /* 32-byte bitmap, copied */
	FO_T_DDNS,  /* ISC 4.4 accepts only the empty form */
};

/* One row per option code: the whole §2.1 table. */
struct fo_opt_def {
	uint16_t code;
	const char *name;
	enum fo_opt_type type;
	/* Size rule: data length must be within [min, max]. */
	uint16_t min;
	uint16_t max;
	/* Error returned when the size rule is broken. */
	int size_err;
	/* Bit (1u << type) for each message type that may carry it (ISC
	 * fto_allowed); a known option outside this set is skipped on decode. */
	uint16_t msgs;
	/* Where its value lives in struct fo_msg; 0 for options never stored. */
	size_t off;
};

/* A variable-length value; p points into the decoded buffer (or the caller's
 * own memory when building a message). */
struct fo_bytes {
	const uint8_t *p;
	uint16_t len;
};

/*
 * A failover message. All integers and IPv4 addresses are in host order
 * (an address is a uint32_t as everywhere in leasewire, lw_ip.h).
 * An option is present when bit (1u << code) is set in ->present; ->order
 * lists the present options in wire order, and encode writes them in that
 * order, so a decoded message re-encodes byte for byte (when ->skipped is 0).
 */
struct fo_msg {
	uint16_t len; /* header length field; set by decode and encode */
	uint8_t type;
	uint8_t payoff; /* 12, or more with ->pad bytes in between */
	uint32_t time;	/* sender's clock */
	uint32_t xid;
	const uint8_t *pad; /* payoff - 12 bytes, NULL = zeros on encode */

	uint32_t present;
	uint8_t order[FO_OPT_MAX];
	uint8_t n_order;
	/* Options skipped on decode: unknown codes, and known ones the message
	 * type may not carry (ISC skips both, FAILOVER.md §1.2 rules 1, 2, 4). */
	uint16_t skipped;

	uint32_t addresses_transferred;
	uint32_t assigned_ip;
	uint8_t binding_status;
	struct fo_bytes client_id; /* full DHCP option 61 payload */
	struct fo_bytes chaddr;	   /* htype byte + hardware address */
	uint32_t cltt;
	struct fo_bytes reply_options;
	struct fo_bytes request_options;
	struct fo_bytes ddns; /* always empty */
	uint8_t hba[FO_HBA_LEN];
	uint16_t ip_flags;
	uint32_t lease_expiry;
	uint32_t max_unacked;
	uint32_t mclt;
	struct fo_bytes message;
	uint32_t potential_expiry;
	uint32_t receive_timer;
	uint8_t protocol_version;
	uint8_t reject_reason;
	struct fo_bytes relationship_name;
	uint8_t server_flags;
	uint8_t server_state;
	uint32_t stos;
	uint8_t tls_reply;
	uint8_t tls_request;
	struct fo_bytes vendor_class;
};

/* "BNDUPD", ...; "unknown" for anything else. Never NULL. */
const char *fo_msg_name(unsigned type);
/* "assigned-IP-address", ...; "unknown" for anything else. Never NULL. */
const char *fo_opt_name(unsigned code);
/* The table row of a code, or NULL for an unknown code. */
const struct fo_opt_def *fo_opt_def(unsigned code);
/* Text for FO_E_*, LW_E_* and -errno. Never NULL. */
const char *fo_strerror(int err);

/*
 * Framing on a TCP byte stream: returns the length of the message at the
 * head of buf (12..2048), 0 when fewer than 2 bytes are available, or
 * FO_E_LEN_SMALL / FO_E_LEN_BIG.
 */
int fo_frame_len(const uint8_t *buf, size_t len);

/*
 * Decodes the message at the head of buf into *m (which is overwritten).
 * Returns the number of bytes consumed (the message length) or a negative
 * FO_E_* code: FO_E_SHORT when buf holds less than the whole message, any
 * other code is a protocol error (§1.2, §2). On FO_E_HBA (and every error
 * found in the option area) the header fields of *m are valid.
 * A message with an unknown type and no options decodes (ISC ignores it);
 * the caller drops it.
 */
int fo_msg_decode(const uint8_t *buf, size_t len, struct fo_msg *m);

/* Clears *m and sets its header (payload offset 12). */
void fo_msg_init(struct fo_msg *m, uint8_t type, uint32_t time, uint32_t xid);

/*
 * Marks option code present and appends it to the wire order; set the
 * value field before or after. Returns 0, FO_E_DUP, or -EINVAL for an
 * unknown code.
 */
int fo_msg_add(struct fo_msg *m, unsigned code);

/*
 * Encodes *m into buf (cap bytes) in ->order. Returns the length written, or
 * LW_E_NOSPACE, FO_E_LEN_BIG, FO_E_PAYOFF, FO_E_ORDER (order and present
 * disagree, or a code repeats), FO_E_DDNS, FO_E_CHADDR, FO_E_NOTSENT (an
 * option outside the message type's set, or message-digest and the other
 * options ISC never accepts), -EINVAL (unknown code in ->order).
 * Never writes a message ISC would drop the connection for.
 */
int fo_msg_encode(const struct fo_msg *m, uint8_t *buf, size_t cap);

#endif
