/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/dhcp4.h"
#include "common/lb_hash.h"
#include "fo_bnd.h"

static const char *const bstate_names[] = {
	[FO_BS_FREE] = "free",
	[FO_BS_ACTIVE] = "active",
	[FO_BS_EXPIRED] = "expired",
	[FO_BS_RELEASED] = "released",
	[FO_BS_ABANDONED] = "abandoned",
	[FO_BS_RESET] = "reset",
	[FO_BS_BACKUP] = "backup",
};

bool fo_bstate_valid(unsigned s)
{
	return s >= FO_BS_FREE && s <= FO_BS_BACKUP;
}

const char *fo_bstate_name(unsigned s)
{
	return fo_bstate_valid(s) ? bstate_names[s] : "invalid";
}

int fo_bstate_from_lw(int lw_state)
{
	switch (lw_state) {
	case LW_BIND_FREE:
		return FO_BS_FREE;
	case LW_BIND_ACTIVE:
		return FO_BS_ACTIVE;
	case LW_BIND_EXPIRED:
		return FO_BS_EXPIRED;
	case LW_BIND_RELEASED:
		return FO_BS_RELEASED;
	case LW_BIND_DECLINED:
		return FO_BS_ABANDONED;
	case LW_BIND_BACKUP:
		return FO_BS_BACKUP;
	}
	return -1; /* OFFERED, RESERVED: never on the wire */
}

int fo_bstate_to_lw(unsigned bstate)
{
	switch (bstate) {
	case FO_BS_FREE:
		return LW_BIND_FREE;
	case FO_BS_ACTIVE:
		return LW_BIND_ACTIVE;
	case FO_BS_EXPIRED:
		return LW_BIND_EXPIRED;
	case FO_BS_RELEASED:
		return LW_BIND_RELEASED;
	case FO_BS_ABANDONED:
		return LW_BIND_DECLINED;
	case FO_BS_BACKUP:
		return LW_BIND_BACKUP;
	}
	return -1; /* RESET is stored as FREE on receipt */
}

/* FAILOVER.md 2.2, meaning column. */
const char *fo_bnd_reason_text(unsigned reason)
{
	switch (reason) {
	case 1:
		return "illegal IP address";
	case 2:
		return "fatal conflict";
	case 3:
		return "missing binding information";
	case 4:
		return "time mismatch";
	case 5:
		return "invalid MCLT";
	case 6:
		return "misc";
	case 7:
		return "duplicate connection";
	case 8:
		return "invalid partner";
	case 16:
		return "incoming update is less critical than outgoing update";
	case 18:
		return "HBA conflict";
	case 19:
		return "IP not reserved";
	}
	return "unknown reason";
}

/* ---- BNDUPD / BNDACK ------------------------------------------------------ */

int fo_bndupd_build(struct fo_msg *m, const struct fo_binding *b, uint32_t time, uint32_t xid)
{
	bool client;

	if (!m || !b || !fo_bstate_valid(b->bstate) || b->chaddr_len > FO_CHADDR_MAX)
		return -EINVAL;
	/* ISC refuses chaddr and client-id with ABANDONED (reason 6). */
	client = b->bstate != FO_BS_ABANDONED;

	fo_msg_init(m, FO_MSG_BNDUPD, time, xid);
	m->assigned_ip = b->addr;
	m->binding_status = b->bstate;
	m->client_id = (struct fo_bytes){b->client_id, b->client_id_len};
	m->chaddr = (struct fo_bytes){b->chaddr, b->chaddr_len};
	m->lease_expiry = b->lease_expiry;
	m->potential_expiry = b->potential_expiry;
	m->stos = b->stos;
	m->cltt = b->cltt;
	m->ip_flags = b->ip_flags;

	/* ISC's order (FAILOVER.md 1.3); the capture test proves it. */
	fo_msg_add(m, FO_OPT_ASSIGNED_IP);
	fo_msg_add(m, FO_OPT_BINDING_STATUS);
	if (client && b->client_id_len)
		fo_msg_add(m, FO_OPT_CLIENT_ID);
	if (client && b->chaddr_len)
		fo_msg_add(m, FO_OPT_CHADDR);
	fo_msg_add(m, FO_OPT_LEASE_EXPIRY);
	fo_msg_add(m, FO_OPT_POTENTIAL_EXPIRY);
	fo_msg_add(m, FO_OPT_STOS);
	if (b->cltt)
		fo_msg_add(m, FO_OPT_CLTT);
	if (b->ip_flags)
		fo_msg_add(m, FO_OPT_IP_FLAGS);
	return 0;
}

#define HAS(m, code) (((m)->present >> (code)) & 1u)

static int refuse(const char **why, const char *text, int reason)
{
	if (why)
		*why = text;
	return reason;
}

int fo_bndupd_parse(const struct fo_msg *m, struct fo_binding *out, const char **why)
{
	if (why)
		*why = NULL;
	if (!m || !out || m->type != FO_MSG_BNDUPD)
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	if (!HAS(m, FO_OPT_ASSIGNED_IP))
		return refuse(why, "no assigned-IP-address", 3);
	out->addr = m->assigned_ip;
	if (!HAS(m, FO_OPT_BINDING_STATUS))
		return refuse(why, "no binding-status", 3);
	if (!fo_bstate_valid(m->binding_status))
		return refuse(why, "unknown binding-status", 6);
	out->bstate = m->binding_status;

	if (HAS(m, FO_OPT_CHADDR)) {
		if (out->bstate == FO_BS_ABANDONED)
			return refuse(why, "client-hardware-address on an abandoned lease", 6);
		/* The codec already holds chaddr to 1..17 bytes. */
		if (m->chaddr.len > FO_CHADDR_MAX)
			return refuse(why, "client-hardware-address over 17 bytes", 6);
		out->chaddr_len = (uint8_t)m->chaddr.len;
		memcpy(out->chaddr, m->chaddr.p, m->chaddr.len);
	} else if (out->bstate == FO_BS_ACTIVE || out->bstate == FO_BS_EXPIRED ||
		   out->bstate == FO_BS_RELEASED) {
		/* Pitfall 8. */
		return refuse(why, "no client-hardware-address", 3);
	}
	if (HAS(m, FO_OPT_CLIENT_ID) && m->client_id.len) {
		if (out->bstate == FO_BS_ABANDONED)
			return refuse(why, "client-identifier on an abandoned lease", 6);
		if (m->client_id.len > FO_CLIENT_ID_MAX)
			return refuse(why, "client-identifier over 255 bytes", 6);
		out->client_id_len = (uint8_t)m->client_id.len;
		memcpy(out->client_id, m->client_id.p, m->client_id.len);
	}
	if (HAS(m, FO_OPT_LEASE_EXPIRY))
		out->lease_expiry = m->lease_expiry;
	if (HAS(m, FO_OPT_POTENTIAL_EXPIRY))
		out->potential_expiry = m->potential_expiry;
	if (HAS(m, FO_OPT_STOS))
		out->stos = m->stos;
	if (HAS(m, FO_OPT_CLTT))
		out->cltt = m->cltt;
	if (HAS(m, FO_OPT_IP_FLAGS))
		out->ip_flags = m->ip_flags;
	return 0;
}

/* Room left for the message in a 2048-byte BNDACK (12 + 8 + 5 + 4 = 29). */
#define BNDACK_MESSAGE_MAX 2000

int fo_bndack_build(struct fo_msg *m, uint32_t addr, uint32_t time, uint32_t xid, uint8_t reason,
	const char *message)
{
	size_t len;

	if (!m)
		return -EINVAL;
	fo_msg_init(m, FO_MSG_BNDACK, time, xid);
	m->assigned_ip = addr;
	fo_msg_add(m, FO_OPT_ASSIGNED_IP);
	if (!reason)
		return 0;
	if (!message)
		message = fo_bnd_reason_text(reason);
	len = strlen(message);
	if (len > BNDACK_MESSAGE_MAX)
		len = BNDACK_MESSAGE_MAX;
	m->reject_reason = reason;
	m->message = (struct fo_bytes){(const uint8_t *)message, (uint16_t)len};
	fo_msg_add(m, FO_OPT_REJECT_REASON);
	fo_msg_add(m, FO_OPT_MESSAGE);
	return 0;
}

/* ---- client identity ------------------------------------------------------ */

int fo_binding_set_client(
	struct fo_binding *b, const struct lw_client_key *k, const uint8_t *hw, unsigned hw_len)
{
	if (!b || !k || hw_len > FO_CHADDR_MAX || (hw_len && !hw) || k->len > LW_KEY_DATA)
		return -EINVAL;
	switch (k->kind) {
	case LW_KEY_NONE:
		b->client_id_len = 0;
		b->chaddr_len = 0;
		return 0;
	case LW_KEY_HWADDR:
		if (k->len > FO_CHADDR_MAX)
			return -EINVAL;
		b->client_id_len = 0;
		b->chaddr_len = k->len;
		memcpy(b->chaddr, k->data, k->len);
		return 0;
	case LW_KEY_CLIENT_ID:
		b->client_id_len = k->len;
		memcpy(b->client_id, k->data, k->len);
		break;
	case LW_KEY_CLIENT_ID_DIGEST:
		b->client_id_len = 0;
		break;
	default:
		return -EINVAL;
	}
	b->chaddr_len = (uint8_t)hw_len;
	if (hw_len)
		memcpy(b->chaddr, hw, hw_len);
	return 0;
}

int fo_binding_client_key(const struct fo_binding *b, struct lw_client_key *k)
{
	struct dhcp4_msg dm;

	if (!b || !k)
		return -EINVAL;
	if (!b->client_id_len && !b->chaddr_len) {
		memset(k, 0, sizeof(*k));
		return -ENOENT;
	}
	/* Reuse the request path so both give the same key, digest included. */
	memset(&dm, 0, sizeof(dm));
	if (b->client_id_len) {
		dm.has |= DHCP4_HAS_CLIENT_ID;
		dm.client_id_len = b->client_id_len;
		memcpy(dm.client_id, b->client_id, b->client_id_len);
	} else {
		dm.htype = b->chaddr[0];
		dm.hlen = (uint8_t)(b->chaddr_len - 1u);
		memcpy(dm.chaddr, b->chaddr + 1, dm.hlen);
	}
	lw_client_key_from_msg(k, &dm);
	return 0;
}

/* ---- receiving a BNDUPD ----------------------------------------------------- */

/* ISC failover_lease_is_better(): true when my pending update wins. */
static bool mine_is_better(
	enum fo_role role, const struct fo_bnd_local *l, const struct fo_binding *in)
{
	bool primary = role == FO_ROLE_PRIMARY;

	if (l->pending_bstate == FO_BS_ACTIVE) {
		if (in->bstate == FO_BS_ACTIVE) {
			if (in->cltt != l->pending_cltt)
				return in->cltt < l->pending_cltt;
			return primary;
		}
		if (in->bstate == FO_BS_EXPIRED)
			return false;
	}
	if (in->bstate == FO_BS_ACTIVE)
		return false;
	return primary;
}

/* ends - 65 <= now, without wrapping. */
static bool expiry_due(uint32_t ends, uint32_t now)
{
	return (int64_t)ends - FO_EXPIRY_SKEW <= (int64_t)now;
}

/* FAILOVER.md 4.4 step 5. */
static bool transition_ok(enum fo_role role, bool normal, const struct fo_bnd_local *l,
	const struct fo_binding *in, uint32_t now)
{
	bool to_pool = in->bstate == FO_BS_FREE || in->bstate == FO_BS_BACKUP;
	bool tstp_due = in->potential_expiry <= now;

	if (!normal) {
		if (l->bstate != FO_BS_ACTIVE)
			return true;
		if (to_pool)
			return false;
		if (in->bstate == FO_BS_EXPIRED)
			return expiry_due(l->ends, now);
		return true;
	}
	switch (l->bstate) {
	case FO_BS_ACTIVE:
		if (role == FO_ROLE_PRIMARY)
			/* Only the client (through the secondary) ends a lease
			 * early; expiry is the primary's job (pitfall 10). */
			return in->bstate == FO_BS_ACTIVE || in->bstate == FO_BS_RELEASED ||
			       in->bstate == FO_BS_ABANDONED;
		if (to_pool)
			return tstp_due;
		if (in->bstate == FO_BS_EXPIRED)
			return expiry_due(l->ends, now);
		return true;
	case FO_BS_EXPIRED:
	case FO_BS_RESET:
		return to_pool ? tstp_due : true;
	default: /* FREE, ABANDONED, RELEASED, BACKUP */
		return true;
	}
}

int fo_bnd_check(enum fo_role role, bool normal, const struct fo_bnd_local *local,
	const struct fo_binding *in, uint32_t now, struct fo_bnd_verdict *out)
{
	if (!local || !in || !out || !fo_bstate_valid(local->bstate) ||
		!fo_bstate_valid(in->bstate) ||
		(local->pending && !fo_bstate_valid(local->pending_bstate)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	if (local->pending) {
		if (mine_is_better(role, local, in)) {
			out->reason = 16;
			snprintf(out->message, sizeof(out->message), "%s", fo_bnd_reason_text(16));
			return 0;
		}
		out->drop_pending = true;
	}
	if (!transition_ok(role, normal, local, in, now)) {
		out->reason = 2;
		snprintf(out->message, sizeof(out->message), "invalid state transition: %s to %s",
			fo_bstate_name(local->bstate), fo_bstate_name(in->bstate));
		return 0;
	}
	switch (in->bstate) {
	case FO_BS_EXPIRED:
	case FO_BS_RELEASED:
	case FO_BS_RESET:
		out->store = FO_BS_FREE;
		break;
	default:
		out->store = in->bstate;
	}
	return 0;
}

/* ---- an accepted BNDACK ------------------------------------------------------ */

/* Does the last client of this binding hash to the secondary (6.1, 6.2)? */
static bool hashes_to_secondary(const struct fo_binding *b, const uint8_t *hba)
{
	uint8_t bucket;

	if (b->client_id_len)
		bucket = lb_hash(b->client_id, b->client_id_len);
	else if (b->chaddr_len > 1)
		bucket = lb_hash(b->chaddr + 1, b->chaddr_len - 1u);
	else
		return false;
	return !lb_hba_test(hba, bucket);
}

int fo_bndack_accepted(enum fo_role role, const struct fo_binding *sent,
	const struct fo_affinity *aff, uint32_t now, struct fo_bndack_outcome *out)
{
	if (!sent || !out || !fo_bstate_valid(sent->bstate))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->bstate = sent->bstate;
	out->tsfp = sent->potential_expiry;
	if (sent->bstate != FO_BS_EXPIRED && sent->bstate != FO_BS_RELEASED &&
		sent->bstate != FO_BS_RESET)
		return 0;

	if (role == FO_ROLE_SECONDARY && (sent->ip_flags & FO_IPF_RESERVED))
		out->bstate = FO_BS_BACKUP;
	else
		out->bstate = FO_BS_FREE;

	if (role != FO_ROLE_PRIMARY || !aff || !aff->hba || sent->ip_flags)
		return 0;
	if (aff->backup > aff->free || !hashes_to_secondary(sent, aff->hba))
		return 0;
	out->affinity = true;
	out->backup_update = *sent;
	out->backup_update.bstate = FO_BS_BACKUP;
	out->backup_update.potential_expiry = now;
	out->backup_update.stos = now;
	out->backup_update.cltt = 0;
	return 0;
}

/* ---- pool balancing ------------------------------------------------------- */

/* round(total * pct / 100), as ISC computes it. */
static int32_t pct_round(uint32_t total, unsigned pct)
{
	return (int32_t)(((uint64_t)total * pct + 50) / 100);
}

int fo_pool_balance(enum fo_role role, uint32_t free, uint32_t backup, unsigned misbalance_pct,
	unsigned ownership_pct, struct fo_balance *out)
{
	uint64_t total = (uint64_t)free + backup;
	int64_t lts;

	if (!out || misbalance_pct > 100 || ownership_pct > 100 || total > INT32_MAX)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (role == FO_ROLE_PRIMARY) {
		lts = ((int64_t)free - (int64_t)backup) / 2;
		out->move_to = FO_BS_BACKUP;
	} else {
		lts = ((int64_t)backup - (int64_t)free) / 2;
		out->move_to = FO_BS_FREE;
	}
	out->lts = (int32_t)lts;
	out->thresh = pct_round((uint32_t)total, misbalance_pct);
	out->hold = pct_round((uint32_t)total, ownership_pct);
	if (out->lts + out->hold > 0)
		out->pass1 = (uint32_t)(out->lts + out->hold);
	if (out->thresh)
		out->poolreq = out->lts < -2 * out->thresh;
	else
		out->poolreq = out->lts < -1;
	return 0;
}

bool fo_pool_pass2(int32_t lts, int32_t hold, bool used)
{
	return used ? lts > hold : lts > 0;
}

uint32_t fo_balance_next(const struct fo_balance_sched *s)
{
	uint64_t est = UINT64_MAX, delay, next, floor;

	if (s->own_oldest_age) {
		uint64_t e = (uint64_t)s->own_oldest_age * s->misbalance_pct / 100 * 2;
		est = e < est ? e : est;
	}
	if (s->peer_oldest_age) {
		uint64_t e = (uint64_t)s->peer_oldest_age * s->misbalance_pct / 100;
		est = e < est ? e : est;
	}
	delay = est < s->max_balance ? est : s->max_balance;
	next = (uint64_t)s->now + delay;
	floor = (uint64_t)s->last + s->min_balance;
	if (next < floor)
		next = floor;
	next += s->jitter;
	return next > UINT32_MAX ? UINT32_MAX : (uint32_t)next;
}

/* ---- who may hand out an address ------------------------------------------ */

/* RESET, and EXPIRED/RELEASED that cannot be rewound (4.3). */
static bool reset_may_allocate(enum fo_state me, enum fo_state peer, uint32_t now, uint32_t tsfp)
{
	return me == FO_STATE_PARTNER_DOWN && fo_may_serve(me, peer) && tsfp < now;
}

bool fo_bnd_may_allocate(enum fo_state me, enum fo_state peer, enum fo_role role, unsigned bstate,
	bool rewindable, uint32_t now, uint32_t stos, uint32_t tsfp, uint32_t mclt)
{
	enum fo_pool own = role == FO_ROLE_PRIMARY ? FO_POOL_FREE : FO_POOL_BACKUP;

	switch (bstate) {
	case FO_BS_FREE:
	case FO_BS_ABANDONED:
		return fo_may_allocate(me, peer, role, FO_POOL_FREE, now, stos, tsfp, mclt);
	case FO_BS_BACKUP:
		return fo_may_allocate(me, peer, role, FO_POOL_BACKUP, now, stos, tsfp, mclt);
	case FO_BS_EXPIRED:
	case FO_BS_RELEASED:
		if (rewindable && me == FO_STATE_COMM_INTERRUPTED)
			return fo_may_allocate(me, peer, role, own, now, stos, tsfp, mclt);
		return reset_may_allocate(me, peer, now, tsfp);
	case FO_BS_RESET:
		return reset_may_allocate(me, peer, now, tsfp);
	default: /* ACTIVE, invalid */
		return false;
	}
}
