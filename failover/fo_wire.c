/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/lw_cursor.h"
#include "common/lw_err.h"
#include "fo_wire.h"

#define M(t) (uint16_t)(1u << FO_MSG_##t)
/* ISC's per-type sets (FAILOVER.md §1.3): BNDACK takes what BNDUPD takes. */
#define M_BND	   (M(BNDUPD) | M(BNDACK))
#define M_CONN	   (M(CONNECT) | M(CONNECTACK))
#define OFF(field) offsetof(struct fo_msg, field)

/* FAILOVER.md §2.1. Fixed-size types must have exactly their size (§1.2
 * rule 5); DDNS only length 0 (pitfall 1); IP-flags 2 bytes (pitfall 3). */
static const struct fo_opt_def opt_defs[FO_OPT_MAX + 1] = {
	[1] = {1, "addresses-transferred", FO_T_U32, 4, 4, FO_E_OPTSIZE, M(POOLRESP),
		OFF(addresses_transferred)},
	[2] = {2, "assigned-IP-address", FO_T_IPV4, 4, 4, FO_E_OPTSIZE, M_BND, OFF(assigned_ip)},
	[3] = {3, "binding-status", FO_T_U8, 1, 1, FO_E_OPTSIZE, M_BND, OFF(binding_status)},
	[4] = {4, "client-identifier", FO_T_BYTES, 0, UINT16_MAX, 0, M_BND, OFF(client_id)},
	[5] = {5, "client-hardware-address", FO_T_BYTES, 1, FO_CHADDR_MAX, FO_E_CHADDR, M_BND,
		OFF(chaddr)},
	[6] = {6, "client-last-transaction-time", FO_T_TIME, 4, 4, FO_E_OPTSIZE, M_BND, OFF(cltt)},
	[7] = {7, "client-reply-options", FO_T_BYTES, 0, UINT16_MAX, 0, M_BND, OFF(reply_options)},
	[8] = {8, "client-request-options", FO_T_BYTES, 0, UINT16_MAX, 0, M_BND,
		OFF(request_options)},
	[9] = {9, "DDNS", FO_T_DDNS, 0, 0, FO_E_DDNS, M_BND, OFF(ddns)},
	[10] = {10, "delayed-service-parameter", FO_T_U8, 1, 1, FO_E_OPTSIZE, 0, 0},
	[11] = {11, "hash-bucket-assignment", FO_T_HBA, FO_HBA_LEN, FO_HBA_LEN, FO_E_HBA,
		M(CONNECT), OFF(hba)},
	[12] = {12, "IP-flags", FO_T_U16, 2, 2, FO_E_OPTSIZE, M_BND, OFF(ip_flags)},
	[13] = {13, "lease-expiration-time", FO_T_TIME, 4, 4, FO_E_OPTSIZE, M_BND,
		OFF(lease_expiry)},
	[14] = {14, "max-unacked-bndupd", FO_T_U32, 4, 4, FO_E_OPTSIZE, M_CONN, OFF(max_unacked)},
	[15] = {15, "MCLT", FO_T_U32, 4, 4, FO_E_OPTSIZE, M(CONNECT), OFF(mclt)},
	[16] = {16, "message", FO_T_TEXT, 0, UINT16_MAX, 0,
		M(BNDACK) | M(CONNECTACK) | M(DISCONNECT), OFF(message)},
	/* No authentication in ISC: typed as bytes, allowed nowhere (§1.2 rule 2). */
	[17] = {17, "message-digest", FO_T_BYTES, 0, UINT16_MAX, 0, 0, 0},
	[18] = {18, "potential-expiration-time", FO_T_TIME, 4, 4, FO_E_OPTSIZE, M_BND,
		OFF(potential_expiry)},
	[19] = {19, "receive-timer", FO_T_U32, 4, 4, FO_E_OPTSIZE, M_CONN, OFF(receive_timer)},
	[20] = {20, "protocol-version", FO_T_U8, 1, 1, FO_E_OPTSIZE, M_CONN, OFF(protocol_version)},
	[21] = {21, "reject-reason", FO_T_U8, 1, 1, FO_E_OPTSIZE,
		M(BNDACK) | M(CONNECTACK) | M(DISCONNECT), OFF(reject_reason)},
	[22] = {22, "relationship-name", FO_T_TEXT, 0, UINT16_MAX, 0, M_CONN,
		OFF(relationship_name)},
	[23] = {23, "server-flags", FO_T_U8, 1, 1, FO_E_OPTSIZE, M(STATE), OFF(server_flags)},
	[24] = {24, "server-state", FO_T_U8, 1, 1, FO_E_OPTSIZE, M(STATE), OFF(server_state)},
	[25] = {25, "start-time-of-state", FO_T_TIME, 4, 4, FO_E_OPTSIZE, M(STATE) | M_BND,
		OFF(stos)},
	[26] = {26, "TLS-reply", FO_T_U8, 1, 1, FO_E_OPTSIZE, M(CONNECTACK), OFF(tls_reply)},
	[27] = {27, "TLS-request", FO_T_U8, 1, 1, FO_E_OPTSIZE, M(CONNECT), OFF(tls_request)},
	[28] = {28, "vendor-class-identifier", FO_T_TEXT, 0, UINT16_MAX, 0, M_CONN,
		OFF(vendor_class)},
	[29] = {29, "vendor-specific-options", FO_T_BYTES, 0, UINT16_MAX, 0, 0, 0},
};

static const char *const msg_names[FO_MSG_MAX + 1] = {
	[FO_MSG_POOLREQ] = "POOLREQ",
	[FO_MSG_POOLRESP] = "POOLRESP",
	[FO_MSG_BNDUPD] = "BNDUPD",
	[FO_MSG_BNDACK] = "BNDACK",
	[FO_MSG_CONNECT] = "CONNECT",
	[FO_MSG_CONNECTACK] = "CONNECTACK",
	[FO_MSG_UPDREQALL] = "UPDREQALL",
	[FO_MSG_UPDDONE] = "UPDDONE",
	[FO_MSG_UPDREQ] = "UPDREQ",
	[FO_MSG_STATE] = "STATE",
	[FO_MSG_CONTACT] = "CONTACT",
	[FO_MSG_DISCONNECT] = "DISCONNECT",
};

const char *fo_msg_name(unsigned type)
{
	if (type >= 1 && type <= FO_MSG_MAX)
		return msg_names[type];
	return "unknown";
}

const struct fo_opt_def *fo_opt_def(unsigned code)
{
	if (code >= 1 && code <= FO_OPT_MAX)
		return &opt_defs[code];
	return NULL;
}

const char *fo_opt_name(unsigned code)
{
	const struct fo_opt_def *d = fo_opt_def(code);
	return d ? d->name : "unknown";
}

const char *fo_strerror(int err)
{
	switch (err) {
#define FO_ERR_CASE(name, val, text)                                                               \
	case val:                                                                                  \
		return text;
		FO_ERRORS(FO_ERR_CASE)
#undef FO_ERR_CASE
	}
	return lw_strerror(err);
}

int fo_frame_len(const uint8_t *buf, size_t len)
{
	struct lw_rcur c;
	uint16_t n;

	if (len < 2)
		return 0;
	lw_rcur_init(&c, buf, len);
	n = lw_rcur_u16(&c);
	if (n < FO_HDR_LEN)
		return FO_E_LEN_SMALL;
	if (n > FO_MSG_MAX_LEN)
		return FO_E_LEN_BIG;
	return n;
}

static int known_type(unsigned type)
{
	return type >= 1 && type <= FO_MSG_MAX;
}

/* Reads one option's data (len bytes at c) into its field of *m. */
static void read_value(
	struct lw_rcur *c, const struct fo_opt_def *d, uint16_t len, struct fo_msg *m)
{
	void *f = (uint8_t *)m + d->off;
	struct fo_bytes *b = f;

	switch (d->type) {
	case FO_T_U8:
		*(uint8_t *)f = lw_rcur_u8(c);
		break;
	case FO_T_U16:
		*(uint16_t *)f = lw_rcur_u16(c);
		break;
	case FO_T_U32:
	case FO_T_TIME:
	case FO_T_IPV4:
		*(uint32_t *)f = lw_rcur_u32(c);
		break;
	case FO_T_HBA:
		lw_rcur_bytes(c, f, FO_HBA_LEN);
		break;
	case FO_T_BYTES:
	case FO_T_TEXT:
	case FO_T_DDNS:
		b->len = len;
		b->p = lw_rcur_take(c, len);
		break;
	}
}

int fo_msg_decode(const uint8_t *buf, size_t len, struct fo_msg *m)
{
	struct lw_rcur c, o;
	int n;

	memset(m, 0, sizeof(*m));
	n = fo_frame_len(buf, len);
	if (n < 0)
		return n;
	if (n == 0 || (size_t)n > len)
		return FO_E_SHORT;

	lw_rcur_init(&c, buf, (size_t)n);
	m->len = lw_rcur_u16(&c);
	m->type = lw_rcur_u8(&c);
	m->payoff = lw_rcur_u8(&c);
	m->time = lw_rcur_u32(&c);
	m->xid = lw_rcur_u32(&c);
	if (c.err)
		return FO_E_SHORT;
	/* Pitfall 4: < 12 breaks ISC's parser; > 12 skips the extra bytes. */
	if (m->payoff < FO_PAYOFF || m->payoff > m->len)
		return FO_E_PAYOFF;
	if (m->payoff > FO_PAYOFF)
		m->pad = lw_rcur_take(&c, (size_t)m->payoff - FO_PAYOFF);
	/* §1.2, pitfall 19: an unknown type is ignored only without options. */
	if (!known_type(m->type) && lw_rcur_left(&c) > 0)
		return FO_E_TYPE;

	while (lw_rcur_left(&c) > 0) {
		const struct fo_opt_def *d;
		uint16_t code = lw_rcur_u16(&c);
		uint16_t olen = lw_rcur_u16(&c);
		const uint8_t *data;

		data = lw_rcur_take(&c, olen);
		if (c.err)
			return FO_E_OPTTRUNC;
		d = fo_opt_def(code);
		if (!d) {
			/* §1.2 rule 1: unknown codes are skipped silently. */
			m->skipped++;
			continue;
		}
		if (m->present & (1u << code)) {
			/* Pitfall 2: never batch addresses in one BNDUPD. */
			if (code == FO_OPT_ASSIGNED_IP && m->type == FO_MSG_BNDUPD)
				return FO_E_MULTIADDR;
			return FO_E_DUP;
		}
		m->present |= 1u << code;
		if (!(d->msgs & (1u << m->type))) {
			/* §1.2 rules 2 and 4: not stored, but still counted as
			 * seen so that a repeat is a duplicate. */
			m->skipped++;
			continue;
		}
		if (olen < d->min || olen > d->max)
			return d->size_err;
		lw_rcur_init(&o, data, olen);
		read_value(&o, d, olen, m);
		if (o.err)
			return FO_E_OPTTRUNC;
		m->order[m->n_order++] = (uint8_t)code;
	}
	/* Options seen only to detect duplicates are not present. */
	m->present = 0;
	for (unsigned i = 0; i < m->n_order; i++)
		m->present |= 1u << m->order[i];
	return n;
}

void fo_msg_init(struct fo_msg *m, uint8_t type, uint32_t time, uint32_t xid)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->payoff = FO_PAYOFF;
	m->time = time;
	m->xid = xid;
}

int fo_msg_add(struct fo_msg *m, unsigned code)
{
	if (!fo_opt_def(code))
		return -EINVAL;
	if (m->present & (1u << code))
		return FO_E_DUP;
	m->present |= 1u << code;
	m->order[m->n_order++] = (uint8_t)code;
	return 0;
}

static void write_value(struct lw_wcur *w, const struct fo_opt_def *d, const struct fo_msg *m)
{
	const void *f = (const uint8_t *)m + d->off;
	const struct fo_bytes *b = f;

	lw_wcur_u16(w, d->code);
	switch (d->type) {
	case FO_T_U8:
		lw_wcur_u16(w, 1);
		lw_wcur_u8(w, *(const uint8_t *)f);
		break;
	case FO_T_U16:
		lw_wcur_u16(w, 2);
		lw_wcur_u16(w, *(const uint16_t *)f);
		break;
	case FO_T_U32:
	case FO_T_TIME:
	case FO_T_IPV4:
		lw_wcur_u16(w, 4);
		lw_wcur_u32(w, *(const uint32_t *)f);
		break;
	case FO_T_HBA:
		lw_wcur_u16(w, FO_HBA_LEN);
		lw_wcur_bytes(w, f, FO_HBA_LEN);
		break;
	case FO_T_BYTES:
	case FO_T_TEXT:
	case FO_T_DDNS:
		lw_wcur_u16(w, b->len);
		lw_wcur_bytes(w, b->p, b->len);
		break;
	}
}

static int check_order(const struct fo_msg *m)
{
	uint32_t seen = 0;

	if (m->n_order > FO_OPT_MAX)
		return FO_E_ORDER;
	for (unsigned i = 0; i < m->n_order; i++) {
		unsigned code = m->order[i];
		const struct fo_opt_def *d = fo_opt_def(code);
		const struct fo_bytes *b;

		if (!d)
			return -EINVAL;
		if (seen & (1u << code))
			return FO_E_ORDER;
		seen |= 1u << code;
		if (!known_type(m->type) || !(d->msgs & (1u << m->type)))
			return FO_E_NOTSENT;
		if (d->type == FO_T_BYTES || d->type == FO_T_TEXT || d->type == FO_T_DDNS) {
			b = (const void *)((const uint8_t *)m + d->off);
			if (b->len < d->min || b->len > d->max)
				return d->size_err;
			if (b->len && !b->p)
				return -EINVAL;
		}
	}
	if (seen != m->present)
		return FO_E_ORDER;
	return 0;
}

int fo_msg_encode(const struct fo_msg *m, uint8_t *buf, size_t cap)
{
	struct lw_wcur w;
	size_t n;
	int rc;

	if (m->payoff < FO_PAYOFF)
		return FO_E_PAYOFF;
	rc = check_order(m);
	if (rc)
		return rc;

	lw_wcur_init(&w, buf, cap);
	lw_wcur_u16(&w, 0); /* length, patched below */
	lw_wcur_u8(&w, m->type);
	lw_wcur_u8(&w, m->payoff);
	lw_wcur_u32(&w, m->time);
	lw_wcur_u32(&w, m->xid);
	if (m->pad)
		lw_wcur_bytes(&w, m->pad, (size_t)m->payoff - FO_PAYOFF);
	else
		lw_wcur_zero(&w, (size_t)m->payoff - FO_PAYOFF);
	for (unsigned i = 0; i < m->n_order; i++)
		write_value(&w, &opt_defs[m->order[i]], m);
	if (w.err)
		return w.err;
	n = lw_wcur_len(&w);
	if (n > FO_MSG_MAX_LEN)
		return FO_E_LEN_BIG;
	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	return (int)n;
}
