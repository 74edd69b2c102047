/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include "dhcp4.h"

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

/* Appends an occurrence of a variable option to its copy (RFC 3396 concatenation). */
static int append(uint8_t *dst, uint8_t *dst_len, const uint8_t *src, uint8_t len)
{
	if ((unsigned)*dst_len + len > 255)
		return LW_E_TOOLONG;
	memcpy(dst + *dst_len, src, len);
	*dst_len = (uint8_t)(*dst_len + len);
	return 0;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Sub-options of 82 (RFC 3046 2.0): code, length, value; only link selection is read. */
static int parse_agent_info(struct dhcp4_msg *m)
{
	struct lw_rcur c;

	lw_rcur_init(&c, m->agent_info, m->agent_info_len);
	while (lw_rcur_left(&c) > 0) {
		uint8_t code = lw_rcur_u8(&c);
		uint8_t len = lw_rcur_u8(&c);
		const uint8_t *v = lw_rcur_take(&c, len);

		if (c.err)
			return LW_E_OPTLEN;
		if (code == DHCP4_AGENT_LINK_SELECTION) {
			if (len != 4)
				return LW_E_OPTSIZE;
			m->link_selection = get32(v);
			m->has |= DHCP4_HAS_LINK_SELECTION;
		}
	}
	return 0;
}

/* Which options have a fixed size, and what it is (0 = any). */
static const uint8_t fixed_size[256] = {
	[DHCP4_OPT_REQUESTED_IP] = 4, [DHCP4_OPT_LEASE_TIME] = 4, [DHCP4_OPT_OVERLOAD] = 1,
	[DHCP4_OPT_MSG_TYPE] = 1, [DHCP4_OPT_SERVER_ID] = 4, [DHCP4_OPT_MAX_MSG_SIZE] = 2,
	[DHCP4_OPT_SUBNET_SELECTION] = 4,
};

enum area { AREA_OPTIONS, AREA_FILE, AREA_SNAME };

/*
 * Walks one option area. PAD is skipped; END closes the area. An area that
 * runs out without END is accepted: padding clients that stop at the end of
 * the packet are common, and nothing is lost by it.
 */
static int parse_area(struct dhcp4_msg *m, const uint8_t *p, size_t len, enum area area)
{
	struct lw_rcur c;
	int rc;

	lw_rcur_init(&c, p, len);
	while (lw_rcur_left(&c) > 0) {
		uint8_t code = lw_rcur_u8(&c), olen;
		const uint8_t *v;

		if (code == DHCP4_OPT_PAD)
			continue;
		if (code == DHCP4_OPT_END)
			return 0;
		olen = lw_rcur_u8(&c);
		v = lw_rcur_take(&c, olen);
		if (c.err)
			return LW_E_OPTLEN;
		if (fixed_size[code] && olen != fixed_size[code])
			return LW_E_OPTSIZE;

		switch (code) {
		case DHCP4_OPT_MSG_TYPE:
			m->msg_type = v[0];
			break;
		case DHCP4_OPT_REQUESTED_IP:
			m->requested_ip = get32(v);
			m->has |= DHCP4_HAS_REQUESTED_IP;
			break;
		case DHCP4_OPT_LEASE_TIME:
			m->lease_time = get32(v);
			m->has |= DHCP4_HAS_LEASE_TIME;
			break;
		case DHCP4_OPT_SERVER_ID:
			m->server_id = get32(v);
			m->has |= DHCP4_HAS_SERVER_ID;
			break;
		case DHCP4_OPT_MAX_MSG_SIZE:
			m->max_msg_size = (uint16_t)(v[0] << 8 | v[1]);
			m->has |= DHCP4_HAS_MAX_MSG_SIZE;
			break;
		case DHCP4_OPT_SUBNET_SELECTION:
			m->subnet_selection = get32(v);
			m->has |= DHCP4_HAS_SUBNET_SELECTION;
			break;
		case DHCP4_OPT_OVERLOAD:
			/* RFC 2132 9.3: only in the options field, once, value 1..3. */
			if (area != AREA_OPTIONS || (m->has & DHCP4_HAS_OVERLOAD) || v[0] < 1 ||
				v[0] > 3)
				return LW_E_OVERLOAD;
			m->overload = v[0];
			m->has |= DHCP4_HAS_OVERLOAD;
			break;
		case DHCP4_OPT_CLIENT_ID:
			if ((rc = append(m->client_id, &m->client_id_len, v, olen)) < 0)
				return rc;
			m->has |= DHCP4_HAS_CLIENT_ID;
			break;
		case DHCP4_OPT_PRL:
			if ((rc = append(m->prl, &m->prl_len, v, olen)) < 0)
				return rc;
			m->has |= DHCP4_HAS_PRL;
			break;
		case DHCP4_OPT_AGENT_INFO:
			if ((rc = append(m->agent_info, &m->agent_info_len, v, olen)) < 0)
				return rc;
			m->has |= DHCP4_HAS_AGENT_INFO;
			break;
		default:
			break;
		}
	}
	return 0;
}

int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	struct lw_rcur c;
	const uint8_t *chaddr;
	int rc;

	lw_rcur_init(&c, buf, len);
	m->op = lw_rcur_u8(&c);
	m->htype = lw_rcur_u8(&c);
	m->hlen = lw_rcur_u8(&c);
	m->hops = lw_rcur_u8(&c);
	m->xid = lw_rcur_u32(&c);
	m->secs = lw_rcur_u16(&c);
	m->flags = lw_rcur_u16(&c);
	m->ciaddr = lw_rcur_u32(&c);
	m->yiaddr = lw_rcur_u32(&c);
	m->siaddr = lw_rcur_u32(&c);
	m->giaddr = lw_rcur_u32(&c);
	chaddr = lw_rcur_take(&c, 16);
	lw_rcur_skip(&c, BOOTP_SNAME_LEN + BOOTP_FILE_LEN);
	if (c.err || len < DHCP4_OPT_OFFSET)
		return LW_E_TRUNC;
	if (m->op != BOOTP_REQUEST)
		return LW_E_OP;
	if (m->hlen > 16)
		return LW_E_HLEN;
	if (lw_rcur_u32(&c) != DHCP4_COOKIE)
		return LW_E_COOKIE;
	memcpy(m->chaddr, chaddr, 16);

	m->msg_type = 0;
	m->overload = 0;
	m->has = 0;
	m->client_id_len = m->prl_len = m->agent_info_len = 0;

	/* RFC 3396 section 7: options, then file, then sname. */
	rc = parse_area(m, buf + DHCP4_OPT_OFFSET, len - DHCP4_OPT_OFFSET, AREA_OPTIONS);
	if (rc == 0 && (m->overload & 1))
		rc = parse_area(m, buf + BOOTP_FILE_OFF, BOOTP_FILE_LEN, AREA_FILE);
	if (rc == 0 && (m->overload & 2))
		rc = parse_area(m, buf + BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, AREA_SNAME);
	if (rc == 0 && (m->has & DHCP4_HAS_AGENT_INFO))
		rc = parse_agent_info(m);
	if (rc < 0)
		return rc;
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

void dhcp4_reply_header(struct lw_wcur *w, const struct dhcp4_msg *req, uint8_t msg_type,
	uint32_t yiaddr, uint32_t siaddr)
{
	uint8_t type = msg_type;

	lw_wcur_u8(w, BOOTP_REPLY);
	lw_wcur_u8(w, req->htype);
	lw_wcur_u8(w, req->hlen);
	lw_wcur_u8(w, 0);
	lw_wcur_u32(w, req->xid);
	lw_wcur_u16(w, 0);
	lw_wcur_u16(w, req->flags);
	lw_wcur_u32(w, req->ciaddr);
	lw_wcur_u32(w, yiaddr);
	lw_wcur_u32(w, siaddr);
	lw_wcur_u32(w, req->giaddr);
	lw_wcur_bytes(w, req->chaddr, 16);
	lw_wcur_zero(w, BOOTP_SNAME_LEN + BOOTP_FILE_LEN);
	lw_wcur_u32(w, DHCP4_COOKIE);
	dhcp4_put_opt(w, DHCP4_OPT_MSG_TYPE, &type, 1);
}

void dhcp4_put_opt(struct lw_wcur *w, uint8_t code, const void *data, uint8_t len)
{
	uint8_t *p = lw_wcur_reserve(w, 2u + len);

	if (p == NULL)
		return;
	p[0] = code;
	p[1] = len;
	if (len)
		memcpy(p + 2, data, len);
}

void dhcp4_put_opt_u32(struct lw_wcur *w, uint8_t code, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	dhcp4_put_opt(w, code, b, 4);
}

int dhcp4_reply_finish(struct lw_wcur *w)
{
	size_t len;

	lw_wcur_u8(w, DHCP4_OPT_END);
	len = lw_wcur_len(w);
	if (!w->err && len < BOOTP_MIN_LEN)
		lw_wcur_zero(w, BOOTP_MIN_LEN - len);
	return w->err ? w->err : (int)lw_wcur_len(w);
}
