/* SPDX-License-Identifier: MPL-2.0 */
/*
 * DHCPv4 request parser and reply builder (contract in dhcp4.h).
 *
 * Choices where the RFCs leave room (none of them ever reads past a field):
 *  - An options area that ends without END is accepted. RFC 2131 4.1 requires
 *    END, but clients and relays that stop at the end of the buffer are common
 *    and nothing is ambiguous once the field's end is reached.
 *  - Bytes after END are ignored unread (they are padding).
 *  - A fixed-size option must have its exact size in every occurrence; when it
 *    appears more than once the last occurrence wins. RFC 3396 would allow a
 *    4-byte option split in two pieces, no client does that, and checking each
 *    piece keeps the parser free of per-code buffers.
 *  - Only 55, 61 and 82 are joined across occurrences (RFC 3396): those are
 *    the variable options the server keeps.
 *  - A client identifier shorter than 2 bytes is rejected (LW_E_OPTSIZE):
 *    RFC 2132 9.14 sets that minimum, and an empty identifier would make
 *    every such client the same client.
 */
#include <string.h>

#include "dhcp4.h"
#include "lw_err.h"

/* Option 52 values (RFC 2132 9.3): which of file/sname carry options. */
#define OVERLOAD_FILE  1
#define OVERLOAD_SNAME 2

const char *dhcp4_type_name(int type)
{
	static const char *const names[DHCP4_TYPE_MAX] = {
		[DHCP4_DISCOVER] = "DHCPDISCOVER",
		[DHCP4_OFFER] = "DHCPOFFER",
		[DHCP4_REQUEST] = "DHCPREQUEST",
		[DHCP4_DECLINE] = "DHCPDECLINE",
		[DHCP4_ACK] = "DHCPACK",
		[DHCP4_NAK] = "DHCPNAK",
		[DHCP4_RELEASE] = "DHCPRELEASE",
		[DHCP4_INFORM] = "DHCPINFORM",
	};

	if (type <= 0 || type >= DHCP4_TYPE_MAX)
		return "DHCP-unknown";
	return names[type];
}

static inline uint32_t get_be32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return __builtin_bswap32(v);
}

/*
 * memcpy for option payloads (at most 255 bytes, usually under 20): whole
 * 8-byte words, then one last word ending exactly at byte n that may overlap
 * the one before. Nothing outside [0, n) is read or written. GCC makes a
 * variable-length memcpy() into rep movsq here (-4.5 instructions per
 * request with a 13-byte PRL, handler-bench).
 */
static inline void copy_opt(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			memcpy(d + i, s + i, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n > 0) {
		/* 1..3 bytes: first, middle and last cover them all. */
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/*
 * Appends one occurrence of a variable option to what earlier occurrences
 * left (RFC 3396: the pieces are joined in the order they appear).
 */
static inline int append(uint8_t *dst, uint8_t *dst_len, const uint8_t *v, uint8_t len)
{
	unsigned have = *dst_len;

	if (have + len > 255)
		return LW_E_TOOLONG;
	copy_opt(dst + have, v, len);
	*dst_len = (uint8_t)(have + len);
	return 0;
}

/* Reads a 4-byte address or count. */
static inline int fixed_u32(const uint8_t *v, uint8_t len, uint32_t *out)
{
	if (len != 4)
		return LW_E_OPTSIZE;
	*out = get_be32(v);
	return 0;
}

static inline int parse_overload(struct dhcp4_msg *m, const uint8_t *v, uint8_t len)
{
	/*
	 * RFC 2131 4.1: 52 belongs in the options field, once. file and sname
	 * are read only after the options field has set it, so a 52 found
	 * there is always a second one: one test covers both rules.
	 */
	if (m->has & DHCP4_HAS_OVERLOAD)
		return LW_E_OVERLOAD;
	if (len != 1)
		return LW_E_OPTSIZE;
	if (v[0] < 1 || v[0] > 3)
		return LW_E_OVERLOAD;
	m->overload = v[0];
	m->has |= DHCP4_HAS_OVERLOAD;
	return 0;
}

/*
 * What the parser does with each option code. One table load stands for the
 * PAD and END compares, and the switch then runs on a dense index instead
 * of the codes 50..118. Every code the server does not read (12 host name,
 * 60, 81, ...) maps to R_SKIP and is only bounds-checked.
 */
enum opt_rule {
	R_SKIP = 0,
	R_REQUESTED_IP,
	R_LEASE_TIME,
	R_SERVER_ID,
	R_SUBNET_SELECTION,
	R_MSG_TYPE,
	R_MAX_MSG_SIZE,
	R_OVERLOAD,
	R_PRL,
	R_CLIENT_ID,
	R_AGENT_INFO,
	/* The two codes without a length byte come last: one compare finds both. */
	R_PAD,
	R_END,
};

static const uint8_t opt_rule[256] = {
	[DHCP4_OPT_PAD] = R_PAD,
	[DHCP4_OPT_REQUESTED_IP] = R_REQUESTED_IP,
	[DHCP4_OPT_LEASE_TIME] = R_LEASE_TIME,
	[DHCP4_OPT_OVERLOAD] = R_OVERLOAD,
	[DHCP4_OPT_MSG_TYPE] = R_MSG_TYPE,
	[DHCP4_OPT_SERVER_ID] = R_SERVER_ID,
	[DHCP4_OPT_PRL] = R_PRL,
	[DHCP4_OPT_MAX_MSG_SIZE] = R_MAX_MSG_SIZE,
	[DHCP4_OPT_CLIENT_ID] = R_CLIENT_ID,
	[DHCP4_OPT_AGENT_INFO] = R_AGENT_INFO,
	[DHCP4_OPT_SUBNET_SELECTION] = R_SUBNET_SELECTION,
	[DHCP4_OPT_END] = R_END,
};

/* One option: its len payload bytes at v are inside the area (checked). */
static inline int parse_option(struct dhcp4_msg *m, const uint8_t *v, unsigned rule, uint8_t len)
{
	switch (rule) {
	case R_SKIP:
		return 0;
	case R_REQUESTED_IP:
		m->has |= DHCP4_HAS_REQUESTED_IP;
		return fixed_u32(v, len, &m->requested_ip);
	case R_LEASE_TIME:
		m->has |= DHCP4_HAS_LEASE_TIME;
		return fixed_u32(v, len, &m->lease_time);
	case R_SERVER_ID:
		m->has |= DHCP4_HAS_SERVER_ID;
		return fixed_u32(v, len, &m->server_id);
	case R_SUBNET_SELECTION:
		m->has |= DHCP4_HAS_SUBNET_SELECTION;
		return fixed_u32(v, len, &m->subnet_selection);
	case R_MSG_TYPE:
		if (len != 1)
			return LW_E_OPTSIZE;
		m->msg_type = v[0];
		return 0;
	case R_MAX_MSG_SIZE:
		if (len != 2)
			return LW_E_OPTSIZE;
		m->max_msg_size = (uint16_t)(v[0] << 8 | v[1]);
		m->has |= DHCP4_HAS_MAX_MSG_SIZE;
		return 0;
	case R_OVERLOAD:
		return parse_overload(m, v, len);
	case R_PRL:
		m->has |= DHCP4_HAS_PRL;
		return append(m->prl, &m->prl_len, v, len);
	case R_CLIENT_ID:
		m->has |= DHCP4_HAS_CLIENT_ID;
		return append(m->client_id, &m->client_id_len, v, len);
	case R_AGENT_INFO:
		m->has |= DHCP4_HAS_AGENT_INFO;
		return append(m->agent_info, &m->agent_info_len, v, len);
	default:
		/* PAD and END never get here; the table holds nothing else. A
		 * row added without its case is an option ignored, not a crash. */
		return 0;
	}
}

/*
 * Walks the options field, then file and sname when option 52 says they
 * carry options (RFC 2131 4.1: in that order): RFC 2132 section 2 TLVs,
 * with PAD (no length byte) and END. One loop for the three areas, inlined
 * in dhcp4_parse(), saves a call per packet.
 *
 * While two bytes are left the code and the length byte are both inside the
 * area, so they are loaded before anything is tested; one compare of the
 * TLV's end against the area's then covers the payload. Offsets, not
 * pointers, so that the end of a bad TLV is computed without leaving the
 * buffer. About 20 instructions per TLV before its payload is read, where
 * the compare chain, switch and call cost ~30: with the table and the copy,
 * -25 instructions per DISCOVER (53, 12, 55) and -41 per REQUEST (53, 54,
 * 50, 12, 55), handler-bench. Variants that measured worse under GCC 12
 * -O2 (register spills): pointers instead of offsets, one shared append()
 * for 55/61/82, the walk out of line.
 */
static inline int parse_areas(struct dhcp4_msg *m, const uint8_t *buf, size_t len)
{
	const uint8_t *b = buf + DHCP4_OPT_OFFSET;
	size_t n = len - DHCP4_OPT_OFFSET, i = 0;
	unsigned area = 0; /* 0 options field, 1 file, 2 sname */

	for (;;) {
		while (i + 1 < n) {
			unsigned rule = opt_rule[b[i]];
			uint8_t olen = b[i + 1];
			size_t next = i + 2 + olen;
			int rc;

			if (rule >= R_PAD) {
				if (rule == R_END)
					goto area_done;
				i++;
				continue;
			}
			if (next > n)
				return LW_E_OPTLEN;
			rc = parse_option(m, b + i + 2, rule, olen);
			if (rc < 0)
				return rc;
			i = next;
		}
		/* One byte left: room for PAD or END, not for a length byte. */
		if (i < n && opt_rule[b[i]] < R_PAD)
			return LW_E_OPTLEN;
	area_done:
		/*
		 * 52 is only accepted in the options field, so m->overload is
		 * final here. The next field is found from the one just walked,
		 * which keeps buf out of the loop's registers (-3 instructions
		 * per packet).
		 */
		if (area == 0 && (m->overload & OVERLOAD_FILE)) {
			area = 1;
			b -= DHCP4_OPT_OFFSET - BOOTP_FILE_OFF;
			n = BOOTP_FILE_LEN;
		} else if (area < 2 && (m->overload & OVERLOAD_SNAME)) {
			b -= area == 0 ? DHCP4_OPT_OFFSET - BOOTP_SNAME_OFF
				       : BOOTP_FILE_OFF - BOOTP_SNAME_OFF;
			area = 2;
			n = BOOTP_SNAME_LEN;
		} else {
			return 0;
		}
		i = 0;
	}
}

/*
 * RFC 3046 2.0: option 82 is a list of sub-option TLVs without PAD or END.
 * Only RFC 3527 link selection is read; the whole payload is echoed as is.
 */
static int parse_agent_info(struct dhcp4_msg *m)
{
	struct lw_rcur c;

	lw_rcur_init(&c, m->agent_info, m->agent_info_len);
	while (lw_rcur_left(&c) > 0) {
		uint8_t code = lw_rcur_u8(&c);
		uint8_t len = lw_rcur_u8(&c);

		if (c.err || lw_rcur_left(&c) < len)
			return LW_E_OPTLEN;
		if (code != DHCP4_AGENT_LINK_SELECTION) {
			lw_rcur_skip(&c, len);
			continue;
		}
		/* RFC 3527 3: the sub-option holds exactly one IPv4 address. */
		if (len != 4)
			return LW_E_OPTSIZE;
		m->link_selection = lw_rcur_u32(&c);
		m->has |= DHCP4_HAS_LINK_SELECTION;
	}
	return 0;
}

_Static_assert(offsetof(struct dhcp4_msg, hops) == 3, "op..hops are copied as one word");

int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	int rc;

	/* The fixed header: one length check, then plain loads (every packet). */
	if (len < DHCP4_OPT_OFFSET)
		return LW_E_TRUNC;
	memcpy(m, buf, 4); /* op, htype, hlen, hops */
	m->xid = get_be32(buf + 4);
	m->secs = (uint16_t)(buf[8] << 8 | buf[9]);
	m->flags = (uint16_t)(buf[10] << 8 | buf[11]);
	m->ciaddr = get_be32(buf + 12);
	m->yiaddr = get_be32(buf + 16);
	m->siaddr = get_be32(buf + 20);
	m->giaddr = get_be32(buf + 24);
	memcpy(m->chaddr, buf + 28, sizeof(m->chaddr));
	if (buf[0] != BOOTP_REQUEST)
		return LW_E_OP;
	if (buf[2] > sizeof(m->chaddr))
		return LW_E_HLEN;
	if (get_be32(buf + BOOTP_FIXED_LEN) != DHCP4_COOKIE)
		return LW_E_COOKIE;

	/*
	 * Only what the has-bits do not cover needs a value: the struct is
	 * ~800 bytes and this runs once per packet.
	 */
	m->msg_type = 0;
	m->overload = 0;
	m->has = 0;
	m->client_id_len = 0;
	m->prl_len = 0;
	m->agent_info_len = 0;

	rc = parse_areas(m, buf, len);
	if (rc < 0)
		return rc;

	/* RFC 3396: joined options are interpreted only once whole. */
	if (m->has & DHCP4_HAS_AGENT_INFO) {
		rc = parse_agent_info(m);
		if (rc < 0)
			return rc;
	}
	if ((m->has & DHCP4_HAS_CLIENT_ID) && m->client_id_len < 2)
		return LW_E_OPTSIZE;
	/* RFC 2132 9.6: 53 tells DHCP from BOOTP; 0 is no message type at all. */
	if (m->msg_type == 0)
		return LW_E_NOTYPE;
	return 0;
}

bool dhcp4_prl_has(const struct dhcp4_msg *m, uint8_t code)
{
	if (!(m->has & DHCP4_HAS_PRL))
		return false;
	return memchr(m->prl, code, m->prl_len) != NULL;
}

static inline void put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *b, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(b, &v, 4);
}

/*
 * sname and file (192 bytes) zeroed with twelve 16-byte stores: GCC makes a
 * memset() of this size, or a loop, into rep stosq, which callgrind counts
 * as 24 steps (-20 instructions per reply).
 */
static inline void zero_sname_file(uint8_t *b)
{
	typedef uint8_t v16 __attribute__((vector_size(16), aligned(1), may_alias));
	const v16 z = {0};
	v16 *v = (v16 *)(b + BOOTP_SNAME_OFF);

	_Static_assert(BOOTP_SNAME_LEN + BOOTP_FILE_LEN == 12 * 16, "sname + file: 192 bytes");
	v[0] = z;
	v[1] = z;
	v[2] = z;
	v[3] = z;
	v[4] = z;
	v[5] = z;
	v[6] = z;
	v[7] = z;
	v[8] = z;
	v[9] = z;
	v[10] = z;
	v[11] = z;
}

void dhcp4_reply_header(struct lw_wcur *w, const struct dhcp4_msg *req, uint8_t msg_type,
	uint32_t yiaddr, uint32_t siaddr)
{
	/* RFC 2131 4.3.1 table 3: what a server reply echoes from the request.
	 * One bounds check for the whole header (243 bytes), then plain
	 * stores: this runs for every reply. */
	uint8_t *b = lw_wcur_reserve(w, BOOTP_FIXED_LEN + 4 + 3);

	if (b == NULL)
		return;
	b[0] = BOOTP_REPLY;
	b[1] = req->htype;
	b[2] = req->hlen;
	b[3] = 0; /* hops */
	put_be32(b + 4, req->xid);
	put_be16(b + 8, 0); /* secs */
	put_be16(b + 10, req->flags);
	put_be32(b + 12, req->ciaddr);
	put_be32(b + 16, yiaddr);
	put_be32(b + 20, siaddr);
	put_be32(b + 24, req->giaddr);
	memcpy(b + 28, req->chaddr, sizeof(req->chaddr));
	zero_sname_file(b);
	put_be32(b + BOOTP_FIXED_LEN, DHCP4_COOKIE);
	b[BOOTP_FIXED_LEN + 4] = DHCP4_OPT_MSG_TYPE;
	b[BOOTP_FIXED_LEN + 5] = 1;
	b[BOOTP_FIXED_LEN + 6] = msg_type;
}

void dhcp4_reply_header_over(struct lw_wcur *w, uint8_t msg_type, uint32_t yiaddr, uint32_t siaddr)
{
	uint8_t *b = lw_wcur_reserve(w, BOOTP_FIXED_LEN + 4 + 3);

	if (b == NULL)
		return;
	b[0] = BOOTP_REPLY;
	b[3] = 0;	    /* hops */
	put_be16(b + 8, 0); /* secs */
	put_be32(b + 16, yiaddr);
	put_be32(b + 20, siaddr);
	zero_sname_file(b);
	b[BOOTP_FIXED_LEN + 4] = DHCP4_OPT_MSG_TYPE;
	b[BOOTP_FIXED_LEN + 5] = 1;
	b[BOOTP_FIXED_LEN + 6] = msg_type;
}

void dhcp4_put_opt(struct lw_wcur *w, uint8_t code, const void *data, uint8_t len)
{
	/* Reserved as one block so that an overflow never leaves half a TLV. */
	uint8_t *b = lw_wcur_reserve(w, 2u + len);

	if (!b)
		return;
	b[0] = code;
	b[1] = len;
	if (len)
		memcpy(b + 2, data, len);
}

void dhcp4_put_opt_u32(struct lw_wcur *w, uint8_t code, uint32_t v)
{
	uint8_t *b = lw_wcur_reserve(w, 6);

	if (!b)
		return;
	b[0] = code;
	b[1] = 4;
	b[2] = (uint8_t)(v >> 24);
	b[3] = (uint8_t)(v >> 16);
	b[4] = (uint8_t)(v >> 8);
	b[5] = (uint8_t)v;
}

void dhcp4_put_opts_u32(struct lw_wcur *w, const uint8_t *codes, const uint32_t *vals, unsigned n)
{
	uint8_t *b = n <= 8 ? lw_wcur_reserve(w, 6u * n) : NULL;

	if (!b) {
		w->err = LW_E_NOSPACE;
		return;
	}
	for (unsigned i = 0; i < n; i++, b += 6) {
		b[0] = codes[i];
		b[1] = 4;
		put_be32(b + 2, vals[i]);
	}
}

int dhcp4_reply_finish(struct lw_wcur *w)
{
	size_t len;

	lw_wcur_u8(w, DHCP4_OPT_END);
	len = lw_wcur_len(w);
	/* RFC 1542 2.1: some relays drop BOOTP messages under 300 bytes. */
	if (len < BOOTP_MIN_LEN)
		lw_wcur_zero(w, BOOTP_MIN_LEN - len);
	if (w->err)
		return w->err;
	return (int)lw_wcur_len(w);
}
