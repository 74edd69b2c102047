/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/lb_hash.h"
#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "failover/fo_mclt.h"
#include "server.h"

/* ------------------------------------------------------------------------ */
/* Tables derived from a config */

struct resv_slot {
	const struct lw_reservation *r;
	uint32_t subnet;
};

struct srv_tables {
	const struct lw_config *cfg;
	uint32_t resv_mask;
	struct resv_slot *resv;	       /* open addressing, linear probing */
	uint8_t (*opt_idx)[256];       /* per subnet: option code -> index + 1 in opts */
	int port_subnet[LW_MAX_PORTS]; /* the subnet of each port's own address, or -1 */
	/* Per subnet, read for every request: a byte array is one load where
	 * the subnet's own fields are an index into large structs. */
	uint8_t *sn_failover; /* 1: a failover subnet */
	uint8_t *sn_resv;     /* 1: the subnet has reservations */
};

static uint32_t resv_hash(uint32_t subnet, uint8_t kind, const uint8_t *id, uint8_t len)
{
	uint32_t h = 2166136261u ^ subnet;

	h = (h ^ kind) * 16777619u;
	for (unsigned i = 0; i < len; i++)
		h = (h ^ id[i]) * 16777619u;
	return h;
}

static const struct lw_reservation *resv_get(
	const struct srv_tables *t, uint32_t subnet, uint8_t kind, const uint8_t *id, uint8_t len)
{
	uint32_t i;

	if (t->resv == NULL)
		return NULL;
	for (i = resv_hash(subnet, kind, id, len) & t->resv_mask; t->resv[i].r;
		i = (i + 1) & t->resv_mask) {
		const struct lw_reservation *r = t->resv[i].r;

		if (t->resv[i].subnet == subnet && r->kind == kind && r->id_len == len &&
			memcmp(r->id, id, len) == 0)
			return r;
	}
	return NULL;
}

struct srv_tables *srv_tables_build(const struct lw_config *cfg)
{
	struct srv_tables *t = calloc(1, sizeof(*t));
	unsigned n_resv = 0, size = 16;

	if (t == NULL)
		return NULL;
	t->cfg = cfg;
	t->opt_idx = calloc(cfg->n_subnets ? cfg->n_subnets : 1, sizeof(*t->opt_idx));
	t->sn_failover = calloc(cfg->n_subnets ? cfg->n_subnets : 1, 1);
	t->sn_resv = calloc(cfg->n_subnets ? cfg->n_subnets : 1, 1);
	if (t->opt_idx == NULL || t->sn_failover == NULL || t->sn_resv == NULL)
		goto fail;
	for (unsigned i = 0; i < LW_MAX_PORTS; i++) {
		const struct lw_subnet_conf *sn =
			i < cfg->n_ports ? lw_config_subnet_for(cfg, cfg->ports[i].addr) : NULL;

		t->port_subnet[i] = sn ? (int)(sn - cfg->subnets) : -1;
	}
	for (unsigned s = 0; s < cfg->n_subnets; s++) {
		const struct lw_subnet_conf *sc = &cfg->subnets[s];

		n_resv += sc->n_reservations;
		t->sn_failover[s] = sc->failover != 0;
		t->sn_resv[s] = sc->n_reservations != 0;
		for (unsigned o = 0; o < sc->n_opts && o < 255; o++)
			t->opt_idx[s][sc->opts[o].code] = (uint8_t)(o + 1);
	}
	while (size < 2 * n_resv)
		size <<= 1;
	t->resv_mask = size - 1;
	t->resv = calloc(size, sizeof(*t->resv));
	if (t->resv == NULL)
		goto fail;
	for (unsigned s = 0; s < cfg->n_subnets; s++) {
		const struct lw_subnet_conf *sc = &cfg->subnets[s];

		for (unsigned k = 0; k < sc->n_reservations; k++) {
			const struct lw_reservation *r = &sc->reservations[k];
			uint32_t i = resv_hash(s, r->kind, r->id, r->id_len) & t->resv_mask;

			while (t->resv[i].r)
				i = (i + 1) & t->resv_mask;
			t->resv[i].r = r;
			t->resv[i].subnet = s;
		}
	}
	return t;
fail:
	srv_tables_free(t);
	errno = ENOMEM;
	return NULL;
}

void srv_tables_free(struct srv_tables *t)
{
	if (t == NULL)
		return;
	free(t->resv);
	free(t->opt_idx);
	free(t->sn_failover);
	free(t->sn_resv);
	free(t);
}

const struct lw_reservation *srv_find_reservation(
	const struct srv_tables *t, unsigned subnet, const struct dhcp4_msg *m)
{
	const struct lw_reservation *r = NULL;
	uint8_t hw[17];

	/* Most subnets of a carrier have no reservations: nothing to hash. */
	if (subnet >= t->cfg->n_subnets || t->cfg->subnets[subnet].n_reservations == 0)
		return NULL;
	if (m->has & DHCP4_HAS_CLIENT_ID)
		r = resv_get(t, subnet, LW_RESV_CLIENT_ID, m->client_id, m->client_id_len);
	if (r == NULL && m->hlen > 0 && m->hlen <= 16) {
		hw[0] = m->htype;
		memcpy(hw + 1, m->chaddr, m->hlen);
		r = resv_get(t, subnet, LW_RESV_HWADDR, hw, (uint8_t)(m->hlen + 1));
	}
	return r;
}

/* ------------------------------------------------------------------------ */
/* Helpers */

/*
 * The address that names the client's link (RFC 2131 4.3.1): subnet
 * selection (RFC 3011) over link selection (RFC 3527) over giaddr; a direct
 * client with an address (RENEWING, INFORM) by its ciaddr; else the
 * receiving port's own address.
 */
static int select_subnet(
	const struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m)
{
	const struct lw_subnet_conf *sn;
	uint32_t a;

	if (m->has & DHCP4_HAS_SUBNET_SELECTION)
		a = m->subnet_selection;
	else if (m->has & DHCP4_HAS_LINK_SELECTION)
		a = m->link_selection;
	else if (m->giaddr)
		a = m->giaddr;
	else if (m->ciaddr && m->msg_type != DHCP4_DISCOVER)
		a = m->ciaddr;
	else /* the port's subnet, looked up once per configuration (-40 instructions) */
		return rq->port < LW_MAX_PORTS ? c->tbl->port_subnet[rq->port] : -1;
	sn = lw_config_subnet_for(c->cfg, a);
	return sn ? (int)(sn - c->cfg->subnets) : -1;
}

static bool is_our_address(const struct lw_config *cfg, uint32_t a)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].addr == a)
			return true;
	return false;
}

/* The client's requested lease time (51) inside the subnet's [min, max], else its default. */
static uint32_t lease_time_for(const struct lw_subnet_conf *sn, const struct dhcp4_msg *m)
{
	uint32_t t = sn->default_lease_time;

	if (m->has & DHCP4_HAS_LEASE_TIME) {
		t = m->lease_time;
		if (t < sn->min_lease_time)
			t = sn->min_lease_time;
		if (t > sn->max_lease_time)
			t = sn->max_lease_time;
	}
	return t;
}

static inline void count(struct srv_ctx *c, enum lw_counter k)
{
	c->ctr[k]++;
}

/* ------------------------------------------------------------------------ */
/* Failover */

static inline bool failover_subnet(const struct srv_ctx *c, int sidx)
{
	return sidx >= 0 && c->tbl->sn_failover[sidx];
}

/* srv_find_reservation(), with the common answer (none) inline. */
static inline const struct lw_reservation *reservation(
	const struct srv_ctx *c, int sidx, const struct dhcp4_msg *m)
{
	return c->tbl->sn_resv[sidx] ? srv_find_reservation(c->tbl, (unsigned)sidx, m) : NULL;
}

/*
 * The functions on the path of every request are forced inline (GCC keeps
 * several of them out of line even with LTO): their calls, with up to eight
 * arguments and the registers saved around them, cost 15-20 instructions
 * each (-55 per REQUEST, measured: ack and request_addr -18, build_reply
 * -16, client_lease -15; +3 KB of code).
 */
#define HOT static inline __attribute__((always_inline))

/* The client's key and its lease (or NULL), from the burst's hint if any. */
HOT struct lease *client_lease(const struct srv_ctx *c, const struct srv_req *rq,
	const struct dhcp4_msg *m, struct lw_client_key *key, uint32_t *sig)
{
	if (rq->hint) {
		*key = rq->hint->key;
		*sig = rq->hint->sig;
		return shard_hint_lease(c->shard, rq->hint);
	}
	lw_client_key_from_msg(key, m);
	return shard_lookup_sig(c->shard, key, sig);
}

void srv_lookup_burst(
	struct srv_ctx *c, const struct dhcp4_msg *const *m, unsigned n, struct shard_hint *h)
{
	for (unsigned i = 0; i < n; i++) {
		lw_client_key_from_msg(&h[i].key, m[i]);
		h[i].addr =
			(m[i]->has & DHCP4_HAS_REQUESTED_IP) ? m[i]->requested_ip : m[i]->ciaddr;
	}
	shard_lookup_burst(c->shard, h, n);
}

/* The client's RFC 3074 bucket: the worker's when it steered, else hashed here. */
static uint8_t bucket_of(const struct srv_req *rq, const struct dhcp4_msg *m)
{
	struct lw_client_key k;
	const uint8_t *b;
	size_t len;

	if (rq->has_bucket)
		return rq->bucket;
	lw_client_key_from_msg(&k, m);
	b = lw_client_key_hash_bytes(&k, &len);
	return lb_hash(b, len);
}

/*
 * Whether failover lets this server answer m, a request in a failover
 * subnet (FAILOVER.md 3.1, 6.3). Only DHCPDISCOVER is load balanced, and only while
 * the client has waited no more than lb_max_secs; REQUEST, RELEASE,
 * DECLINE and INFORM never are. A snapshot with no MCLT cannot bound a
 * lease time: it serves nobody.
 */
static bool failover_allows(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m)
{
	const struct srv_fo *fo = c->fo;
	bool primary;

	if (fo == NULL || fo->mclt == 0 ||
		(fo->service != LW_FO_SERVE_BALANCED && fo->service != LW_FO_SERVE_ALL)) {
		count(c, LW_CTR_DROP_FO_NOT_SERVING);
		return false;
	}
	if (fo->service == LW_FO_SERVE_ALL || m->msg_type != DHCP4_DISCOVER ||
		fo->lb_max_secs == 0 || m->secs > fo->lb_max_secs)
		return true;
	/* HBA bit set: the primary serves the bucket (ISC's meaning, 6.2). */
	primary = fo->role == LW_FO_PRIMARY;
	if (lb_hba_test(fo->hba, bucket_of(rq, m)) == primary)
		return true;
	count(c, LW_CTR_DROP_LOAD_BALANCED);
	return false;
}

/*
 * The lease time to give l in subnet sidx: the subnet's rules, then in a
 * failover subnet the MCLT rule (FAILOVER.md 5.2) with what the partner
 * acknowledged of l. A reservation's address is never given to anyone
 * else, so the peer cannot hand it out meanwhile: no bound there.
 */
static uint32_t grant_time(
	const struct srv_ctx *c, const struct lease *l, int sidx, const struct dhcp4_msg *m)
{
	uint32_t t = lease_time_for(&c->cfg->subnets[sidx], m);

	if (failover_subnet(c, sidx) && !l->reserved && c->fo)
		t = fo_mclt_lease_time(t, c->now, c->fo->mclt, l->tsfp);
	return t;
}

/* Lets go of whatever l is bound to, keeping the slot for a new binding. */
static void unbind(struct srv_ctx *c, struct lease *l)
{
	if (l->state == LW_BIND_ACTIVE) {
		shard_commit(c->shard, l, LW_BIND_RELEASED, c->now);
		count(c, LW_CTR_LEASE_COMMIT);
	} else if (l->state == LW_BIND_OFFERED) {
		shard_put_addr(c->shard, l);
	}
	l->state = LW_BIND_FREE;
	l->addr = 0;
	l->pool = POOL_NONE;
	l->reserved = 0;
}

/* The client's lease slot, created when missing; NULL (counted) when the table is full. */
static struct lease *get_or_insert(
	struct srv_ctx *c, struct lease *l, const struct lw_client_key *k, uint32_t sig)
{
	if (l)
		return l;
	l = shard_insert_sig(c->shard, k, sig);
	if (l == NULL)
		count(c, LW_CTR_DROP_TABLE_FULL);
	return l;
}

/* Binds l to reservation r of subnet sidx (no pool entry is ever touched for it). */
static void bind_reserved(
	struct srv_ctx *c, struct lease *l, const struct lw_reservation *r, int sidx)
{
	if (!l->reserved || l->addr != r->addr)
		unbind(c, l);
	l->addr = r->addr;
	l->reserved = 1;
	l->subnet = (uint16_t)sidx;
	l->pool = POOL_NONE;
}

/*
 * Puts back l's address for reuse when its binding is remembered but no longer
 * live (expired or released) and nobody took the address meanwhile.
 * Returns true when l holds its address again.
 */
static bool revive(struct srv_ctx *c, struct lease *l)
{
	bool wait;

	if (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_OFFERED || l->reserved)
		return l->state != LW_BIND_FREE;
	if (l->state != LW_BIND_EXPIRED && l->state != LW_BIND_RELEASED)
		return false;
	if (l->pool == POOL_NONE)
		return false;
	return shard_take_addr(c->shard, l->pool, l->addr, l, &wait) != 0;
}

/* ------------------------------------------------------------------------ */
/* Replies */

struct reply_plan {
	uint8_t type;
	int sidx; /* subnet for options, -1 none */
	uint32_t yiaddr;
	uint32_t lease_time; /* 0: no lease options (INFORM, NAK) */
	const char *message; /* option 56, NAK only */
};

/* RFC 2131 4.1: where a reply goes. */
static void address_reply(
	const struct dhcp4_msg *m, uint8_t type, uint32_t yiaddr, struct srv_reply *out)
{
	out->dst_port = DHCP4_CLIENT_PORT;
	if (m->giaddr) {
		out->dst = SRV_DST_UNICAST;
		out->dst_ip = m->giaddr;
		out->dst_port = DHCP4_SERVER_PORT;
	} else if (type == DHCP4_NAK) {
		out->dst = SRV_DST_BROADCAST;
		out->dst_ip = 0xffffffffu;
	} else if (m->ciaddr) {
		out->dst = SRV_DST_UNICAST;
		out->dst_ip = m->ciaddr;
	} else if ((m->flags & BOOTP_FLAG_BROADCAST) || m->htype != 1 || m->hlen != 6 ||
		   yiaddr == 0) {
		out->dst = SRV_DST_BROADCAST;
		out->dst_ip = 0xffffffffu;
	} else {
		out->dst = SRV_DST_CHADDR;
		out->dst_ip = yiaddr;
	}
}

/* Bytes a TLV of len payload bytes takes. */
static inline size_t tlv_size(size_t len)
{
	return 2 + len;
}

/* A word whose first k bytes (k <= 8) in memory are 0xff, the rest 0. */
static inline uint64_t first_bytes_mask(unsigned k)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return k >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * k)) - 1;
#else
	return k >= 8 ? UINT64_MAX : k == 0 ? 0 : ~(UINT64_MAX >> (8 * k));
#endif
}

/*
 * Whether m's request list is the one e was built for (e's length already
 * compared): up to 16 codes as two masked words, the masks kept in the
 * entry (a memcmp() call costs ~35 instructions, the masks made each time
 * ~10).
 */
static inline bool prl_same(const struct srv_optcache *e, const uint8_t *prl, unsigned len)
{
	uint64_t w0, w1;

	if (len > 16)
		return memcmp(e->prl, prl, len) == 0;
	memcpy(&w0, prl, 8); /* prl is 255 bytes: the words are inside it */
	memcpy(&w1, prl + 8, 8);
	return (((w0 ^ e->prl_w[0]) & e->prl_mask[0]) | ((w1 ^ e->prl_w[1]) & e->prl_mask[1])) == 0;
}

/*
 * The configured options the client asked for (55), or all of them, each
 * skipped when it would crowd out the tail (the echoes and END). Returns
 * true when one was skipped.
 */
static bool put_configured(const struct srv_ctx *c, const struct dhcp4_msg *m, int sidx,
	const struct lw_subnet_conf *sn, struct lw_wcur *wp, size_t tail)
{
	const uint8_t(*idx)[256] = &c->tbl->opt_idx[sidx];
	const uint8_t *want = m->prl;
	unsigned n_want = m->prl_len;
	uint8_t all[LW_MAX_OPTIONS + 1];
	uint8_t done[32] = {0}; /* options written, by code */
	struct lw_wcur w = *wp;
	bool skipped = false;

	/* No parameter request list: every configured option. */
	if (!(m->has & DHCP4_HAS_PRL)) {
		n_want = 0;
		for (unsigned i = 0; i < sn->n_opts; i++)
			all[n_want++] = sn->opts[i].code;
		want = all;
	} else if ((*idx)[DHCP4_OPT_SUBNET_MASK]) {
		/* The mask goes first whatever the list says, as clients expect. */
		const struct lw_opt *o = &sn->opts[(*idx)[DHCP4_OPT_SUBNET_MASK] - 1];

		dhcp4_put_opt(&w, o->code, o->data, o->len);
		done[DHCP4_OPT_SUBNET_MASK >> 3] |= 1 << (DHCP4_OPT_SUBNET_MASK & 7);
	}
	for (unsigned i = 0; i < n_want; i++) {
		uint8_t code = want[i];
		const struct lw_opt *o;

		if ((*idx)[code] == 0 || (done[code >> 3] & (1 << (code & 7))))
			continue;
		o = &sn->opts[(*idx)[code] - 1];
		if (lw_wcur_left(&w) < tlv_size(o->len) + tail) {
			skipped = true; /* does not fit in the client's size */
			continue;
		}
		dhcp4_put_opt(&w, o->code, o->data, o->len);
		done[code >> 3] |= (uint8_t)(1 << (code & 7));
	}
	*wp = w;
	return skipped;
}

/*
 * Everything between 53 and the echoes of a reply in subnet sidx: 54, then
 * 51, 58 and 59 when lease_time is not 0, then the configured options;
 * through the worker's cache when the same list was answered in this
 * subnet, from this address, with this lease time before (a cache hit costs
 * ~60 instructions, building them ~300).
 */
static void put_options(struct srv_ctx *c, const struct dhcp4_msg *m, int sidx,
	const struct lw_subnet_conf *sn, uint32_t server_id, uint32_t lease_time,
	struct lw_wcur *wp, size_t tail)
{
	struct srv_optcache *e = c->oc ? &c->oc[(unsigned)sidx % SRV_OC_ENTRIES] : NULL;
	unsigned prl_len = (m->has & DHCP4_HAS_PRL) ? m->prl_len : 0;
	const uint64_t key[2] = {(uint64_t)server_id << 32 | lease_time,
		(uint64_t)(uint32_t)sidx << 32 | ((m->has & DHCP4_HAS_PRL) ? 0x100u : 0) | prl_len};
	uint8_t *from = wp->p;
	bool skipped;

	if (e && e->cfg == c->cfg && e->key[0] == key[0] && e->key[1] == key[1] &&
		prl_same(e, m->prl, prl_len) && lw_wcur_left(wp) >= (size_t)e->len + tail) {
		lw_wcur_bytes(wp, e->bytes, e->len);
		return;
	}
	if (lease_time) {
		/* 54, 51, 58, 59 with one room check (-60 instructions per reply). */
		static const uint8_t codes[4] = {
			DHCP4_OPT_SERVER_ID, DHCP4_OPT_LEASE_TIME, DHCP4_OPT_T1, DHCP4_OPT_T2};
		const uint32_t vals[4] = {server_id, lease_time, lease_time / 2,
			(uint32_t)((uint64_t)lease_time * 7 / 8)};

		dhcp4_put_opts_u32(wp, codes, vals, 4);
	} else {
		dhcp4_put_opt_u32(wp, DHCP4_OPT_SERVER_ID, server_id);
	}
	skipped = put_configured(c, m, sidx, sn, wp, tail);
	if (e == NULL || skipped || wp->err || (size_t)(wp->p - from) > SRV_OC_BYTES)
		return;
	e->cfg = c->cfg;
	e->key[0] = key[0];
	e->key[1] = key[1];
	memcpy(e->prl, m->prl, prl_len);
	memset(e->prl + prl_len, 0, sizeof(e->prl) - prl_len);
	memcpy(e->prl_w, e->prl, sizeof(e->prl_w));
	e->prl_mask[0] = first_bytes_mask(prl_len);
	e->prl_mask[1] = first_bytes_mask(prl_len > 8 ? prl_len - 8 : 0);
	e->len = (uint16_t)(wp->p - from);
	memcpy(e->bytes, from, e->len);
}

HOT int build_reply(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m,
	const struct reply_plan *p, uint8_t *buf, size_t cap, struct srv_reply *out)
{
	const struct lw_subnet_conf *sn = p->sidx >= 0 ? &c->cfg->subnets[p->sidx] : NULL;
	uint32_t server_id = c->cfg->ports[rq->port].addr;
	size_t limit = DHCP4_MIN_MAX_MSG - 28, tail;
	struct lw_wcur w;
	int len;

	/* RFC 2131 2: the client's maximum message size (57) bounds the reply. */
	if ((m->has & DHCP4_HAS_MAX_MSG_SIZE) && m->max_msg_size > DHCP4_MIN_MAX_MSG)
		limit = (size_t)m->max_msg_size - 28;
	/* RFC 3046 2.1: the relay strips 82 before the client sees the reply. */
	if (m->has & DHCP4_HAS_AGENT_INFO)
		limit += tlv_size(m->agent_info_len);
	if (limit > cap)
		limit = cap;
	lw_wcur_init(&w, buf, limit);
	if (rq->in_place)
		dhcp4_reply_header_over(&w, p->type, p->yiaddr, 0);
	else
		dhcp4_reply_header(&w, m, p->type, p->yiaddr, 0);
	/* RFC 2131 table 3: a NAK carries no ciaddr (INFORM's ACK echoes it). */
	if (p->type == DHCP4_NAK && w.err == 0)
		memset(buf + 12, 0, 4);
	if (p->type == DHCP4_NAK && m->giaddr)
		buf[10] |= 0x80; /* RFC 2131 4.1: relay broadcasts a NAK to the client */
	/* Room kept for the echoes and END, which must not be crowded out. */
	tail = 1;
	if (m->has & DHCP4_HAS_CLIENT_ID)
		tail += tlv_size(m->client_id_len);
	if (m->has & DHCP4_HAS_AGENT_INFO)
		tail += tlv_size(m->agent_info_len);

	if (sn && p->type != DHCP4_NAK) {
		put_options(c, m, p->sidx, sn, server_id, p->lease_time, &w, tail);
	} else {
		dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, server_id);
		if (p->message)
			dhcp4_put_opt(
				&w, DHCP4_OPT_MESSAGE, p->message, (uint8_t)strlen(p->message));
	}
	/* RFC 6842: the client identifier comes back. */
	if (m->has & DHCP4_HAS_CLIENT_ID)
		dhcp4_put_opt(&w, DHCP4_OPT_CLIENT_ID, m->client_id, m->client_id_len);
	/* RFC 3046 2.2: relay agent information echoed, last before END. */
	if (m->has & DHCP4_HAS_AGENT_INFO)
		dhcp4_put_opt(&w, DHCP4_OPT_AGENT_INFO, m->agent_info, m->agent_info_len);
	len = dhcp4_reply_finish(&w);
	if (len < 0)
		return len;
	out->type = p->type;
	out->len = (uint16_t)len;
	out->src_ip = server_id;
	address_reply(m, p->type, p->yiaddr, out);
	return 1;
}

static int nak(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m, int sidx,
	const char *why, uint8_t *buf, size_t cap, struct srv_reply *out)
{
	struct reply_plan p = {.type = DHCP4_NAK, .sidx = sidx, .message = why};
	bool auth = sidx >= 0 ? c->cfg->subnets[sidx].authoritative : c->cfg->authoritative;

	/* RFC 2131 4.3.2: a server that is not authoritative stays silent. */
	if (!auth) {
		count(c, LW_CTR_DROP_NOT_FOR_US);
		return 0;
	}
	return build_reply(c, rq, m, &p, buf, cap, out);
}

/* ------------------------------------------------------------------------ */
/* DHCPDISCOVER: RFC 2131 4.3.1 */

static int discover(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m,
	int sidx, uint8_t *buf, size_t cap, struct srv_reply *out)
{
	const struct lw_subnet_conf *sn;
	const struct lw_reservation *r;
	struct lw_client_key key;
	struct reply_plan p = {.type = DHCP4_OFFER};
	struct lease *l;
	uint32_t sig;

	if (sidx < 0) {
		count(c, LW_CTR_DROP_NO_SUBNET);
		return 0;
	}
	sn = &c->cfg->subnets[sidx];
	l = client_lease(c, rq, m, &key, &sig);
	r = reservation(c, sidx, m);

	if (r) {
		if ((l = get_or_insert(c, l, &key, sig)) == NULL)
			return 0;
		bind_reserved(c, l, r, sidx);
		if (l->state != LW_BIND_ACTIVE)
			shard_commit(c->shard, l, LW_BIND_OFFERED, c->now);
	} else if (l && l->subnet == sidx && !l->reserved && l->state != LW_BIND_FREE &&
		   revive(c, l)) {
		/* The client's current (or last) binding first. */
		if (l->state != LW_BIND_ACTIVE)
			shard_commit(c->shard, l, LW_BIND_OFFERED, c->now);
	} else {
		bool wait = false, any_wait = false;
		uint32_t a = 0;

		if (l)
			unbind(c, l);
		else if ((l = get_or_insert(c, l, &key, sig)) == NULL)
			return 0;
		/* Then the address it asks for (50), when it is free and ours to give. */
		if ((m->has & DHCP4_HAS_REQUESTED_IP) &&
			lw_in_prefix(m->requested_ip, sn->net, sn->plen)) {
			int pool = lw_config_pool_for(c->cfg, sn, m->requested_ip);

			if (pool >= 0)
				a = shard_take_addr(
					c->shard, (unsigned)pool, m->requested_ip, l, &wait);
		}
		/* Then a new one. */
		for (unsigned i = 0; a == 0 && i < sn->n_pools; i++) {
			a = shard_take_addr(c->shard, sn->first_pool + i, 0, l, &wait);
			any_wait |= wait;
		}
		if (a == 0) {
			shard_remove(c->shard, l);
			count(c, any_wait ? LW_CTR_DROP_POOL_WAIT : LW_CTR_DROP_POOL_EXHAUSTED);
			return 0;
		}
		shard_commit(c->shard, l, LW_BIND_OFFERED, c->now);
	}
	p.sidx = sidx;
	p.yiaddr = l->addr;
	p.lease_time = grant_time(c, l, sidx, m);
	return build_reply(c, rq, m, &p, buf, cap, out);
}

/* ------------------------------------------------------------------------ */
/* DHCPREQUEST: RFC 2131 4.3.2 */

HOT int ack(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m, struct lease *l,
	int sidx, uint8_t *buf, size_t cap, struct srv_reply *out)
{
	struct reply_plan p = {.type = DHCP4_ACK, .sidx = sidx};

	if (failover_subnet(c, sidx) && !l->reserved && c->fo) {
		struct fo_mclt_grant g;

		/* FAILOVER.md 5.2: tsfp never stays above the potential expiry
		 * control will send for this ACK (tstp). */
		fo_mclt_ack(lease_time_for(&c->cfg->subnets[sidx], m), c->now, c->fo->mclt, l->tsfp,
			&g);
		l->lease_time = g.lease_time;
		l->tsfp = g.tsfp;
	} else {
		l->lease_time = lease_time_for(&c->cfg->subnets[sidx], m);
	}
	out->event_seq = shard_commit(c->shard, l, LW_BIND_ACTIVE, c->now);
	/* No event, no ACK: srv_process() made sure of room, so this is a bug
	 * caught, not a path taken. */
	if (out->event_seq == 0) {
		count(c, LW_CTR_DROP_EVENTS_FULL);
		return 0;
	}
	count(c, LW_CTR_LEASE_COMMIT);
	p.yiaddr = l->addr;
	p.lease_time = l->lease_time;
	return build_reply(c, rq, m, &p, buf, cap, out);
}

/* Answers a request for address `a`, in any of the client states. */
HOT int request_addr(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m,
	int sidx, uint32_t a, uint8_t *buf, size_t cap, struct srv_reply *out)
{
	const struct lw_subnet_conf *sn = &c->cfg->subnets[sidx];
	const struct lw_reservation *r;
	struct lw_client_key key;
	struct addr_entry *e;
	struct lease *l;
	uint32_t sig;
	bool wait;
	int pool;

	if (!lw_in_prefix(a, sn->net, sn->plen))
		return nak(c, rq, m, sidx, "wrong network", buf, cap, out);

	l = client_lease(c, rq, m, &key, &sig);
	r = reservation(c, sidx, m);
	if (r) {
		if (a != r->addr)
			return nak(c, rq, m, sidx, "address reserved elsewhere", buf, cap, out);
		if ((l = get_or_insert(c, l, &key, sig)) == NULL)
			return 0;
		bind_reserved(c, l, r, sidx);
		return ack(c, rq, m, l, sidx, buf, cap, out);
	}

	if (l && l->addr == a && l->subnet == sidx && !l->reserved && l->state != LW_BIND_FREE) {
		if (revive(c, l))
			return ack(c, rq, m, l, sidx, buf, cap, out);
		return nak(c, rq, m, sidx, "address no longer available", buf, cap, out);
	}
	if (l && (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_OFFERED) && l->subnet == sidx)
		return nak(c, rq, m, sidx, "not the address of this client", buf, cap, out);

	/* No binding of this client for a: ours to give when it is free in our share. */
	pool = lw_config_pool_for(c->cfg, sn, a);
	if (pool < 0)
		return nak(c, rq, m, sidx, "address not in a pool", buf, cap, out);
	e = shard_addr_entry(c->shard, (unsigned)pool, a);
	/* Parked: the peer's to give, or waiting for its acknowledgement.
	 * ISC ignores such a request ("lease owned by peer", FAILOVER.md 4.3):
	 * a NAK would take the address from a client the peer serves. */
	if (e->state == LW_BIND_BACKUP) {
		count(c, LW_CTR_DROP_PEER_ADDRESS);
		return 0;
	}
	if (e->state == LW_BIND_FREE && e->owner == shard_id(c->shard)) {
		if (l)
			unbind(c, l);
		else if ((l = get_or_insert(c, l, &key, sig)) == NULL)
			return 0;
		if (shard_take_addr(c->shard, (unsigned)pool, a, l, &wait) == 0) {
			shard_remove(c->shard, l);
			return 0;
		}
		return ack(c, rq, m, l, sidx, buf, cap, out);
	}
	if (e->state != LW_BIND_FREE)
		return nak(c, rq, m, sidx, "address in use", buf, cap, out);
	/* Free, but in another worker's share and not this client's: we have no
	 * record of it, and RFC 2131 4.3.2 says to remain silent then. */
	count(c, LW_CTR_DROP_NO_BINDING);
	return 0;
}

static int request(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m, int sidx,
	uint8_t *buf, size_t cap, struct srv_reply *out)
{
	if (m->has & DHCP4_HAS_SERVER_ID) {
		/* SELECTING */
		if (!is_our_address(c->cfg, m->server_id)) {
			struct lw_client_key key;
			struct lease *l;

			uint32_t sig;

			/* The client took another server's offer: ours goes back. */
			l = client_lease(c, rq, m, &key, &sig);
			if (l && l->state == LW_BIND_OFFERED && !l->reserved)
				shard_drop_offer(c->shard, l);
			count(c, LW_CTR_DROP_NOT_FOR_US);
			return 0;
		}
		if (!(m->has & DHCP4_HAS_REQUESTED_IP) && m->ciaddr == 0) {
			count(c, LW_CTR_DROP_BAD_REQUEST);
			return 0;
		}
	}
	if (sidx < 0) {
		count(c, LW_CTR_DROP_NO_SUBNET);
		return 0;
	}
	if (m->has & DHCP4_HAS_REQUESTED_IP) /* SELECTING, INIT-REBOOT */
		return request_addr(c, rq, m, sidx, m->requested_ip, buf, cap, out);
	if (m->ciaddr) /* RENEWING (unicast) or REBINDING (broadcast) */
		return request_addr(c, rq, m, sidx, m->ciaddr, buf, cap, out);
	count(c, LW_CTR_DROP_BAD_REQUEST);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* DHCPDECLINE, DHCPRELEASE: RFC 2131 4.3.3, 4.3.4 */

static struct lease *bound_lease(struct srv_ctx *c, const struct dhcp4_msg *m, uint32_t a)
{
	struct lw_client_key key;
	struct lease *l;

	if ((m->has & DHCP4_HAS_SERVER_ID) && !is_our_address(c->cfg, m->server_id)) {
		count(c, LW_CTR_DROP_NOT_FOR_US);
		return NULL;
	}
	lw_client_key_from_msg(&key, m);
	l = shard_lookup(c->shard, &key);
	if (l == NULL || a == 0 || l->addr != a ||
		(l->state != LW_BIND_ACTIVE && l->state != LW_BIND_OFFERED)) {
		count(c, LW_CTR_DROP_NO_BINDING);
		return NULL;
	}
	return l;
}

static int decline(struct srv_ctx *c, const struct dhcp4_msg *m)
{
	struct lease *l;

	if (!(m->has & DHCP4_HAS_REQUESTED_IP)) {
		count(c, LW_CTR_DROP_BAD_REQUEST);
		return 0;
	}
	l = bound_lease(c, m, m->requested_ip);
	if (l) {
		shard_decline(c->shard, l, c->now, c->cfg->decline_probation);
		count(c, LW_CTR_LEASE_DECLINED);
		count(c, LW_CTR_LEASE_COMMIT);
	}
	return 0;
}

static int release(struct srv_ctx *c, const struct dhcp4_msg *m)
{
	struct lease *l = bound_lease(c, m, m->ciaddr);

	if (l && l->state == LW_BIND_ACTIVE) {
		shard_commit(c->shard, l, LW_BIND_RELEASED, c->now);
		count(c, LW_CTR_LEASE_RELEASED);
		count(c, LW_CTR_LEASE_COMMIT);
	} else if (l) {
		count(c, LW_CTR_DROP_NO_BINDING);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* DHCPINFORM: RFC 2131 4.3.5 — options only, no lease */

static int inform(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m, int sidx,
	uint8_t *buf, size_t cap, struct srv_reply *out)
{
	struct reply_plan p = {.type = DHCP4_ACK};

	p.sidx = sidx;
	if (p.sidx < 0) {
		count(c, LW_CTR_DROP_NO_SUBNET);
		return 0;
	}
	return build_reply(c, rq, m, &p, buf, cap, out);
}

int srv_process(struct srv_ctx *c, const struct srv_req *rq, const struct dhcp4_msg *m,
	uint8_t *buf, size_t cap, struct srv_reply *out)
{
	int sidx;

	out->event_seq = 0;
	/*
	 * A request may commit two binding changes (the client's old binding
	 * let go, the new one acknowledged). When the shard cannot keep two more
	 * events until control has them on disk, nothing is answered: an OFFER
	 * that could not be acknowledged helps nobody, and a commit must never
	 * be half done. The client retries.
	 */
	if (m->msg_type != DHCP4_INFORM && shard_event_room(c->shard) < 2) {
		count(c, LW_CTR_DROP_EVENTS_FULL);
		return 0;
	}
	sidx = select_subnet(c, rq, m);
	if (failover_subnet(c, sidx) && !failover_allows(c, rq, m))
		return 0;
	switch (m->msg_type) {
	case DHCP4_DISCOVER:
		return discover(c, rq, m, sidx, buf, cap, out);
	case DHCP4_REQUEST:
		return request(c, rq, m, sidx, buf, cap, out);
	case DHCP4_DECLINE:
		return decline(c, m);
	case DHCP4_RELEASE:
		return release(c, m);
	case DHCP4_INFORM:
		return inform(c, rq, m, sidx, buf, cap, out);
	default:
		return 0;
	}
}
