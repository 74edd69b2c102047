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
 * Appends one occurrence of a variable option to what earlier occurrences
 * left (RFC 3396: the pieces are joined in the order they appear).
 */
static int append(uint8_t *dst, uint8_t *dst_len, const uint8_t *v, uint8_t len)
{
	unsigned have = *dst_len;

	if (have + len > 255)
		return LW_E_TOOLONG;
	memcpy(dst + have, v, len);
	*dst_len = (uint8_t)(have + len);
	return 0;
}

/* Reads a 4-byte address or count. */
static int fixed_u32(const uint8_t *v, uint8_t len, uint32_t *out)
{
	if (len != 4)
		return LW_E_OPTSIZE;
	*out = get_be32(v);
	return 0;
}

static int parse_overload(struct dhcp4_msg *m, const uint8_t *v, uint8_t len)
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

/* One option: its len payload bytes at v are inside the area (checked). */
static int parse_option(struct dhcp4_msg *m, const uint8_t *v, uint8_t code, uint8_t len)
{
	int rc = 0;

	switch (code) {
	case DHCP4_OPT_REQUESTED_IP:
		rc = fixed_u32(v, len, &m->requested_ip);
		m->has |= DHCP4_HAS_REQUESTED_IP;
		break;
	case DHCP4_OPT_LEASE_TIME:
		rc = fixed_u32(v, len, &m->lease_time);
		m->has |= DHCP4_HAS_LEASE_TIME;
		break;
	case DHCP4_OPT_SERVER_ID:
		rc = fixed_u32(v, len, &m->server_id);
		m->has |= DHCP4_HAS_SERVER_ID;
		break;
	case DHCP4_OPT_SUBNET_SELECTION:
		rc = fixed_u32(v, len, &m->subnet_selection);
		m->has |= DHCP4_HAS_SUBNET_SELECTION;
		break;
	case DHCP4_OPT_OVERLOAD:
		rc = parse_overload(m, v, len);
		break;
	case DHCP4_OPT_MSG_TYPE:
		if (len != 1)
			return LW_E_OPTSIZE;
		m->msg_type = v[0];
		break;
	case DHCP4_OPT_MAX_MSG_SIZE:
		if (len != 2)
			return LW_E_OPTSIZE;
		m->max_msg_size = (uint16_t)(v[0] << 8 | v[1]);
		m->has |= DHCP4_HAS_MAX_MSG_SIZE;
		break;
	case DHCP4_OPT_PRL:
		rc = append(m->prl, &m->prl_len, v, len);
		m->has |= DHCP4_HAS_PRL;
		break;
	case DHCP4_OPT_CLIENT_ID:
		rc = append(m->client_id, &m->client_id_len, v, len);
		m->has |= DHCP4_HAS_CLIENT_ID;
		break;
	case DHCP4_OPT_AGENT_INFO:
		rc = append(m->agent_info, &m->agent_info_len, v, len);
		m->has |= DHCP4_HAS_AGENT_INFO;
		break;
	default:
		break;
	}
	return rc;
}

/*
 * Walks one options area (the options field, or file/sname when overloaded):
 * RFC 2132 section 2 TLVs, with PAD (no length byte) and END. One bounds
 * check per TLV (the length byte and the whole payload inside the area),
 * then plain loads, as for the fixed header.
 */
static int parse_area(struct dhcp4_msg *m, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint8_t code = *p++, len;
		int rc;

		if (code == DHCP4_OPT_PAD)
			continue;
		if (code == DHCP4_OPT_END)
			return 0;
		if (p == end || (size_t)(end - p - 1) < p[0])
			return LW_E_OPTLEN;
		len = *p++;
		rc = parse_option(m, p, code, len);
		if (rc < 0)
			return rc;
		p += len;
	}
	return 0;
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

int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	const uint8_t *sname, *file;
	uint32_t cookie;
	int rc;

	/* The fixed header: one length check, then plain loads (every packet). */
	if (len < DHCP4_OPT_OFFSET)
		return LW_E_TRUNC;
	m->op = buf[0];
	m->htype = buf[1];
	m->hlen = buf[2];
	m->hops = buf[3];
	m->xid = get_be32(buf + 4);
	m->secs = (uint16_t)(buf[8] << 8 | buf[9]);
	m->flags = (uint16_t)(buf[10] << 8 | buf[11]);
	m->ciaddr = get_be32(buf + 12);
	m->yiaddr = get_be32(buf + 16);
	m->siaddr = get_be32(buf + 20);
	m->giaddr = get_be32(buf + 24);
	memcpy(m->chaddr, buf + 28, sizeof(m->chaddr));
	sname = buf + BOOTP_SNAME_OFF;
	file = buf + BOOTP_FILE_OFF;
	cookie = get_be32(buf + BOOTP_FIXED_LEN);
	if (m->op != BOOTP_REQUEST)
		return LW_E_OP;
	if (m->hlen > sizeof(m->chaddr))
		return LW_E_HLEN;
	if (cookie != DHCP4_COOKIE)
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

	/* RFC 2131 4.1: options field first (it holds 52), then file, then sname. */
	rc = parse_area(m, buf + DHCP4_OPT_OFFSET, buf + len);
	if (rc < 0)
		return rc;
	if (m->overload & OVERLOAD_FILE) {
		rc = parse_area(m, file, file + BOOTP_FILE_LEN);
		if (rc < 0)
			return rc;
	}
	if (m->overload & OVERLOAD_SNAME) {
		rc = parse_area(m, sname, sname + BOOTP_SNAME_LEN);
		if (rc < 0)
			return rc;
	}

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
	memset(b + BOOTP_SNAME_OFF, 0, BOOTP_SNAME_LEN + BOOTP_FILE_LEN);
	put_be32(b + BOOTP_FIXED_LEN, DHCP4_COOKIE);
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
