/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/dhcp4.h"
#include "common/lb_hash.h"
#include "common/lw_ip.h"
#include "common/lw_records.h"
#include "pkt.h"
#include "wctl.h"
#include "worker.h"

#define HK_BUDGET   256 /* lease slots the expiry sweep looks at per housekeeping */
#define MSG_EVERY   16	/* loop iterations between two looks at the message rings */
#define MSG_BURST   16
#define CMD_EVERY   16 /* loop iterations between two looks at control's commands, when serving */
#define UDP_IP_HDRS (PKT_IP4_LEN + PKT_UDP_LEN)

/* ------------------------------------------------------------------------ */
/* Small helpers */

static inline void drop(struct worker *w, struct rte_mbuf *m)
{
	w->dead[w->n_dead++] = m;
	if (unlikely(w->n_dead == RTE_DIM(w->dead))) {
		rte_pktmbuf_free_bulk(w->dead, w->n_dead);
		w->n_dead = 0;
	}
}

static inline void drop_flush(struct worker *w)
{
	if (w->n_dead) {
		rte_pktmbuf_free_bulk(w->dead, w->n_dead);
		w->n_dead = 0;
	}
}

static inline void tx(struct worker *w, const struct lw_port *p, struct rte_mbuf *m)
{
	w->ctr[LW_CTR_TX_PACKETS] +=
		rte_eth_tx_buffer(p->port_id, (uint16_t)w->id, w->txb[p->idx], m);
}

static inline void set_len(struct rte_mbuf *m, uint16_t len)
{
	m->data_len = len;
	m->pkt_len = len;
}

static void count_out(struct worker *w, unsigned type)
{
	if (type == DHCP4_OFFER)
		w->ctr[LW_CTR_OUT_OFFER]++;
	else if (type == DHCP4_ACK)
		w->ctr[LW_CTR_OUT_ACK]++;
	else if (type == DHCP4_NAK)
		w->ctr[LW_CTR_OUT_NAK]++;
}

static void count_in(struct worker *w, uint8_t type)
{
	static const uint8_t ctr_of[DHCP4_TYPE_MAX] = {
		[DHCP4_DISCOVER] = LW_CTR_IN_DISCOVER,
		[DHCP4_REQUEST] = LW_CTR_IN_REQUEST,
		[DHCP4_DECLINE] = LW_CTR_IN_DECLINE,
		[DHCP4_RELEASE] = LW_CTR_IN_RELEASE,
		[DHCP4_INFORM] = LW_CTR_IN_INFORM,
	};
	unsigned c = type < DHCP4_TYPE_MAX ? ctr_of[type] : 0;

	w->ctr[c ? c : LW_CTR_IN_UNKNOWN]++;
}

static void count_parse_error(struct worker *w, int rc)
{
	static const uint8_t ctr_of[LW_E_FIRST - LW_E_LAST + 1] = {
		[LW_E_FIRST - LW_E_TRUNC] = LW_CTR_BAD_TRUNC,
		[LW_E_FIRST - LW_E_OP] = LW_CTR_BAD_OP,
		[LW_E_FIRST - LW_E_HLEN] = LW_CTR_BAD_HLEN,
		[LW_E_FIRST - LW_E_COOKIE] = LW_CTR_BAD_COOKIE,
		[LW_E_FIRST - LW_E_OPTLEN] = LW_CTR_BAD_OPTLEN,
		[LW_E_FIRST - LW_E_OPTSIZE] = LW_CTR_BAD_OPTSIZE,
		[LW_E_FIRST - LW_E_OVERLOAD] = LW_CTR_BAD_OVERLOAD,
		[LW_E_FIRST - LW_E_TOOLONG] = LW_CTR_BAD_TOOLONG,
		[LW_E_FIRST - LW_E_NOTYPE] = LW_CTR_BAD_NOTYPE,
	};
	int i = LW_E_FIRST - rc;

	w->ctr[LW_CTR_PARSE_FAILED]++;
	if (i >= 0 && i < (int)RTE_DIM(ctr_of) && ctr_of[i])
		w->ctr[ctr_of[i]]++;
}

/* ------------------------------------------------------------------------ */
/* --log-leases: one line per reply (events: wctl.c) */

static void log_reply(struct worker *w, const struct srv_reply *r, const struct dhcp4_msg *msg,
	const uint8_t *payload)
{
	struct lw_client_key k;
	const uint8_t *y = payload + 16; /* yiaddr */
	uint32_t addr = (uint32_t)y[0] << 24 | (uint32_t)y[1] << 16 | (uint32_t)y[2] << 8 | y[3];
	const char *what = r->type == DHCP4_OFFER ? "offer" : r->type == DHCP4_ACK ? "ack" : "nak";

	lw_client_key_from_msg(&k, msg);
	worker_log_lease("", what, r->type == DHCP4_NAK ? 0 : addr, &k, w->id);
}

/* ------------------------------------------------------------------------ */
/* ARP and neighbours */

static void arp_request(struct worker *w, const struct lw_port *p, uint32_t ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(p->pool);
	uint16_t len;

	if (m == NULL)
		return;
	len = pkt_arp_request(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m), &p->pp, ip);
	set_len(m, len);
	w->ctr[LW_CTR_ARP_REQUEST_SENT]++;
	tx(w, p, m);
}

/* Sends the replies that waited for (port, ip). */
static void release_held(struct worker *w, unsigned port, uint32_t ip, const uint8_t mac[6])
{
	const struct lw_port *p = &w->dp->ports[port];
	void *pkts[LW_BURST];
	uint16_t tags[LW_BURST];
	unsigned n;

	while ((n = neigh_release(&w->neigh, (uint16_t)port, ip, pkts, tags, LW_BURST)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			pkt_set_dst_mac(rte_pktmbuf_mtod(m, uint8_t *), mac);
			count_out(w, tags[i]);
			tx(w, p, m);
		}
	}
}

/* Tells the other workers where ip is: the ARP answer reaches one queue only. */
static void share_neigh(struct worker *w, unsigned port, uint32_t ip, const uint8_t mac[6])
{
	struct wmsg m;

	memset(&m, 0, sizeof(m));
	m.type = WMSG_NEIGH;
	m.from = (uint8_t)w->id;
	m.neigh.ip = ip;
	m.neigh.port = (uint16_t)port;
	memcpy(m.neigh.mac, mac, 6);
	for (unsigned j = 0; j < w->dp->n_workers; j++)
		if (w->msg_out[j])
			(void)rte_ring_sp_enqueue_elem(w->msg_out[j], &m, sizeof(m));
}

static void learn(struct worker *w, unsigned port, uint32_t ip, const uint8_t mac[6], bool share)
{
	enum neigh_learn_result r = neigh_learn(&w->neigh, (uint16_t)port, ip, mac, w->now_ms);

	if (r == NEIGH_NEW || r == NEIGH_CHANGED)
		w->ctr[LW_CTR_ARP_LEARNED]++;
	if (share && r != NEIGH_UNCHANGED && w->dp->n_workers > 1)
		share_neigh(w, port, ip, mac);
	if (neigh_held_count(&w->neigh))
		release_held(w, port, ip, mac);
}

static void rx_arp(struct worker *w, const struct lw_port *p, struct rte_mbuf *m, uint8_t *f)
{
	struct pkt_arp a;

	w->ctr[LW_CTR_RX_ARP]++;
	pkt_arp_parse(f, &a);
	/* Our own announcements and requests, looped back by a software port. */
	if (memcmp(a.sha, p->pp.mac, 6) == 0 || (a.sha[0] & 1)) {
		drop(w, m);
		return;
	}
	/* A probe (RFC 5227) has sender 0.0.0.0: nothing to learn. */
	if (a.spa != 0) {
		if (a.tpa == p->pp.addr)
			learn(w, p->idx, a.spa, a.sha, true);
		else
			neigh_update(&w->neigh, p->idx, a.spa, a.sha, w->now_ms);
	}
	if (a.op == PKT_ARP_REQUEST && a.tpa == p->pp.addr) {
		set_len(m, pkt_arp_reply(f, (uint16_t)(m->buf_len - m->data_off), &p->pp));
		m->ol_flags = 0;
		w->ctr[LW_CTR_ARP_REPLY_SENT]++;
		tx(w, p, m);
		return;
	}
	drop(w, m);
}

/* ------------------------------------------------------------------------ */
/* ACKs held until their binding event is durable */

static void hold_ack(
	struct worker *w, const struct lw_port *p, struct rte_mbuf *m, uint64_t seq, uint32_t nh)
{
	struct holdq_item it = {
		.pkt = m,
		.seq = seq,
		.deadline_ms = w->now_ms + w->ack_hold_ms,
		.nh = nh,
		.port = p->idx,
		.tag = DHCP4_ACK,
	};

	if (unlikely(holdq_push(&w->hq, &it) < 0)) {
		w->ctr[LW_CTR_DROP_ACK_HOLD_FULL]++;
		drop(w, m);
		return;
	}
	w->ctr[LW_CTR_ACKS_HELD]++;
}

/* A released ACK: out now, or to the neighbour queue when its next hop is unknown. */
static void send_held(struct worker *w, const struct holdq_item *it)
{
	const struct lw_port *p = &w->dp->ports[it->port];
	struct rte_mbuf *m = it->pkt;
	uint8_t mac[6];
	int rc;

	if (it->nh) {
		if (!neigh_lookup(&w->neigh, it->port, it->nh, w->now_ms, mac)) {
			rc = neigh_hold(&w->neigh, it->port, it->nh, m, it->tag, w->now_ms);
			if (rc < 0) {
				w->ctr[LW_CTR_DROP_NEIGH]++;
				drop(w, m);
			} else if (rc > 0) {
				arp_request(w, p, it->nh);
			}
			return;
		}
		pkt_set_dst_mac(rte_pktmbuf_mtod(m, uint8_t *), mac);
	}
	count_out(w, it->tag);
	tx(w, p, m);
}

/*
 * Once per loop: the ACKs whose event control has made durable leave.
 * Nothing is due most of the time, which costs one comparison.
 */
static inline void release_acks(struct worker *w, uint64_t durable)
{
	const struct holdq_item *head = holdq_head(&w->hq);
	struct holdq_item it[LW_BURST];
	unsigned n;

	if (head == NULL || head->seq > durable)
		return;
	while ((n = holdq_release(&w->hq, durable, it, LW_BURST)) > 0)
		for (unsigned i = 0; i < n; i++)
			send_held(w, &it[i]);
}

/* Housekeeping: ACKs still not durable after ack_hold_ms are dropped; the client retries. */
static void expire_acks(struct worker *w)
{
	struct holdq_item it[LW_BURST];
	unsigned n;

	while ((n = holdq_expire(&w->hq, w->now_ms, it, LW_BURST)) > 0) {
		w->ctr[LW_CTR_DROP_ACK_NOT_DURABLE] += n;
		for (unsigned i = 0; i < n; i++)
			drop(w, it[i].pkt);
	}
}

/* ------------------------------------------------------------------------ */
/* DHCP */

/*
 * Runs the DHCP logic on a request this worker owns and sends the reply,
 * built over the request's bytes in the same mbuf. bucket: the client's
 * RFC 3074 bucket when it was hashed to steer, else -1 (the server hashes
 * it only when failover load balancing needs it).
 */
static void dhcp_process(struct worker *w, const struct lw_port *p, struct rte_mbuf *m,
	const struct dhcp4_msg *msg, const struct pkt_info *info, int bucket,
	const struct shard_hint *hint)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *buf = f + info->payload_off;
	const uint8_t *buf_end = (const uint8_t *)m->buf_addr + m->buf_len;
	size_t cap = (size_t)(buf_end - buf);
	/* The reply must fit the port's MTU; a 576-byte DHCP message is always allowed. */
	size_t mtu_cap =
		p->mtu > DHCP4_MIN_MAX_MSG + UDP_IP_HDRS ? p->mtu - UDP_IP_HDRS : DHCP4_MIN_MAX_MSG;
	struct srv_req rq = {
		.port = p->idx,
		.ip_src = info->ip_src,
		.ip_dst = info->ip_dst,
		.has_bucket = bucket >= 0,
		.bucket = (uint8_t)bucket,
		.hint = hint,
		.in_place = true,
	};
	struct srv_reply r;
	struct pkt_udp_hdrs h;
	uint8_t req_mac[6];
	uint32_t nh = 0;
	bool hold = false;
	int rc;

	if (unlikely(!w->serving)) {
		w->ctr[LW_CTR_DROP_NOT_LOADED]++;
		drop(w, m);
		return;
	}
	count_in(w, msg->msg_type);
	if (cap > mtu_cap)
		cap = mtu_cap;
	if (unlikely(cap < DHCP4_MIN_MAX_MSG)) {
		w->ctr[LW_CTR_DROP_NO_ROOM]++;
		drop(w, m);
		return;
	}
	memcpy(req_mac, f + 6, 6);

	rc = srv_process(&w->ctx, &rq, msg, buf, cap, &r);
	if (rc != 1) {
		/* 0: the server counted why. < 0: the reply did not fit. */
		if (rc < 0)
			w->ctr[LW_CTR_DROP_NO_ROOM]++;
		drop(w, m);
		return;
	}
	/* The reply has a 20-byte IPv4 header: drop any request options. */
	f = (uint8_t *)rte_pktmbuf_adj(m, (uint16_t)(info->payload_off - PKT_UDP_HDRS));
	set_len(m, (uint16_t)(PKT_UDP_HDRS + r.len));

	memcpy(h.src_mac, p->pp.mac, 6);
	h.src_ip = r.src_ip;
	h.src_port = DHCP4_SERVER_PORT;
	h.dst_port = r.dst_port;
	if (pkt_reply_dst(&r, msg, h.dst_mac, &h.dst_ip) == PKT_DST_RESOLVE) {
		/* The routes of the configuration this worker runs now (reload). */
		if (neigh_next_hop(&w->ctx.cfg->ports[p->idx], h.dst_ip, &nh) != 0) {
			w->ctr[LW_CTR_DROP_NO_ROUTE]++;
			drop(w, m);
			return;
		}
		if (nh == info->ip_src) {
			memcpy(h.dst_mac, req_mac, 6);
		} else if (!neigh_lookup(&w->neigh, p->idx, nh, w->now_ms, h.dst_mac)) {
			memset(h.dst_mac, 0, 6);
			hold = true;
		}
	}
	pkt_udp_build(f, &h, r.len, p->tx_cksum_offload);
	if (p->tx_cksum_offload) {
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
		m->l2_len = PKT_ETH_LEN;
		m->l3_len = PKT_IP4_LEN;
	} else {
		m->ol_flags = 0;
	}
	/* A held reply that times out is counted in drop-neigh-unresolved or
	 * drop-ack-not-durable; its log line has been printed already. */
	if (unlikely(w->log))
		log_reply(w, &r, msg, f + PKT_UDP_HDRS);

	/* r.event_seq > 0: an ACK whose binding event is not durable yet. It
	 * leaves once control's durable_seq passes it (release_acks), and
	 * resolves its next hop then. */
	if (r.event_seq && w->hold_acks) {
		hold_ack(w, p, m, r.event_seq, hold ? nh : 0);
		return;
	}
	if (unlikely(hold)) {
		rc = neigh_hold(&w->neigh, p->idx, nh, m, r.type, w->now_ms);
		if (rc < 0) {
			w->ctr[LW_CTR_DROP_NEIGH]++;
			drop(w, m);
		} else if (rc > 0) {
			arp_request(w, p, nh);
		}
		return;
	}
	count_out(w, r.type);
	tx(w, p, m);
}

/* Queues a parsed request (in w->pend_msg[w->n_pend]) for process_pending(). */
static inline void pend(struct worker *w, const struct lw_port *p, struct rte_mbuf *m,
	const struct pkt_info *info, int bucket)
{
	struct pend_req *q = &w->pend[w->n_pend++];

	q->m = m;
	q->p = p;
	q->info = *info;
	q->bucket = bucket;
}

/*
 * Answers the queued requests of the burst: their clients are looked up
 * together first (srv_lookup_burst: one bulk hash lookup that prefetches
 * every bucket and key, then a prefetch of each lease), so that the
 * requests of a burst wait for memory together rather than one after the
 * other. With a million clients the table is far larger than the caches:
 * a lease, its hash bucket and its key are three misses per request.
 * Measured in handler-bench at 1 M clients: a whole DORA 909-1,490 cycles
 * per lease this way, 1,674-2,299 one request after the other (+75
 * instructions per request for the bulk lookup, repaid many times).
 */
static void process_pending(struct worker *w)
{
	const struct dhcp4_msg *mp[LW_BURST];
	struct shard_hint h[LW_BURST];
	unsigned n = w->n_pend;
	bool hints = w->serving && n > 1;

	if (n == 0)
		return;
	if (hints) {
		for (unsigned i = 0; i < n; i++)
			mp[i] = &w->pend_msg[i];
		srv_lookup_burst(&w->ctx, mp, n, h);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct pend_req *q = &w->pend[i];

		dhcp_process(
			w, q->p, q->m, &w->pend_msg[i], &q->info, q->bucket, hints ? &h[i] : NULL);
	}
	w->n_pend = 0;
}

/* A DHCP frame from the port: parse, find the owner, queue or steer. */
static void rx_dhcp(struct worker *w, const struct lw_port *p, struct rte_mbuf *m, uint8_t *f,
	const struct pkt_info *info)
{
	struct dhcp4_msg *msg = &w->pend_msg[w->n_pend];
	int rc, bucket = -1;

	w->ctr[LW_CTR_RX_DHCP]++;
	rc = dhcp4_parse(f + info->payload_off, info->payload_len, msg);
	if (unlikely(rc < 0)) {
		count_parse_error(w, rc);
		drop(w, m);
		return;
	}
	if (w->dp->n_workers > 1) {
		struct lw_client_key k;
		const uint8_t *hb;
		size_t hl;
		unsigned owner;

		lw_client_key_from_msg(&k, msg);
		hb = lw_client_key_hash_bytes(&k, &hl);
		bucket = lb_hash(hb, hl);
		owner = w->dp->owner[bucket];
		if (owner != w->id) {
			/* The owner re-parses; it needs only where the IPv4 header
			 * ends, and the bucket (failover load balancing). */
			m->l3_len = info->l3_len;
			m->hash.usr = (uint32_t)bucket;
			w->steer_buf[owner][w->steer_n[owner]++] = m;
			w->steer_mask |= 1ull << owner;
			return;
		}
	}
	pend(w, p, m, info, bucket);
}

static void steer_flush(struct worker *w)
{
	uint64_t mask = w->steer_mask;

	while (mask) {
		unsigned o = (unsigned)__builtin_ctzll(mask);
		unsigned n = w->steer_n[o];
		unsigned sent;

		mask &= mask - 1;
		sent = rte_ring_sp_enqueue_burst(
			w->steer_out[o], (void **)w->steer_buf[o], n, NULL);
		w->ctr[LW_CTR_STEER_OUT] += sent;
		if (sent < n) {
			w->ctr[LW_CTR_DROP_STEER_FULL] += n - sent;
			rte_pktmbuf_free_bulk(&w->steer_buf[o][sent], n - sent);
		}
		w->steer_n[o] = 0;
	}
	w->steer_mask = 0;
}

/* Requests other workers received for clients of this one. */
static unsigned drain_steer(struct worker *w)
{
	struct lw_dp *dp = w->dp;
	struct rte_mbuf *pkts[LW_BURST];
	unsigned total = 0;

	for (unsigned j = 0; j < dp->n_workers; j++) {
		unsigned n;

		if (w->steer_in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->steer_in[j], (void **)pkts, LW_BURST, NULL);
		if (n == 0)
			continue;
		w->ctr[LW_CTR_STEER_IN] += n;
		total += n;
		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			const struct lw_port *p = &dp->ports[dp->port_idx[m->port]];
			uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
			struct pkt_info info;
			int rc;

			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			pkt_dhcp_info(f, m->l3_len, &info);
			rc = dhcp4_parse(
				f + info.payload_off, info.payload_len, &w->pend_msg[w->n_pend]);
			if (unlikely(rc < 0)) {
				count_parse_error(w, rc);
				drop(w, m);
				continue;
			}
			pend(w, p, m, &info, (int)(m->hash.usr & 0xff));
		}
		process_pending(w);
	}
	return total;
}

/* ------------------------------------------------------------------------ */
/* Receive */

static inline void rx_frame(struct worker *w, const struct lw_port *p, struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned flags = 0;
	struct pkt_info info;

	if (unlikely(m->nb_segs != 1)) {
		/* Scatter is off: only oversized frames arrive chained. */
		w->ctr[LW_CTR_RX_OTHER]++;
		drop(w, m);
		return;
	}
	if (p->rx_ip_cksum &&
		(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		flags |= PKT_F_IP_CKSUM_GOOD;

	switch (pkt_classify(&p->pp, f, m->data_len, flags, &info)) {
	case PKT_DHCP:
		rx_dhcp(w, p, m, f, &info);
		return;
	case PKT_ARP:
		rx_arp(w, p, m, f);
		return;
	case PKT_ICMP_ECHO:
		w->ctr[LW_CTR_RX_ICMP]++;
		set_len(m, pkt_icmp_echo_reply(f, &info, &p->pp));
		m->ol_flags = 0;
		w->ctr[LW_CTR_ICMP_ECHO_SENT]++;
		tx(w, p, m);
		return;
	case PKT_BAD_L3:
		w->ctr[LW_CTR_RX_BAD_L3]++;
		drop(w, m);
		return;
	default:
		w->ctr[LW_CTR_RX_OTHER]++;
		drop(w, m);
		return;
	}
}

/*
 * One RX burst of a port. Measured floor, net_null PMD, 64-byte frames that
 * are not for us: ~9.7 Mpps on one worker, ~250 cycles/frame at 2.4 GHz,
 * the PMD's mbuf allocation and the bulk free included (burst 32).
 */
static unsigned rx_port(struct worker *w, const struct lw_port *p)
{
	struct rte_mbuf *pkts[LW_BURST];
	uint16_t n = rte_eth_rx_burst(p->port_id, (uint16_t)w->id, pkts, LW_BURST);

	if (n == 0)
		return 0;
	w->ctr[LW_CTR_RX_PACKETS] += n;
	rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void *));
	for (uint16_t i = 0; i < n; i++) {
		/* The next frame's headers and the start of its DHCP options. */
		if (i + 1 < n) {
			uint8_t *next = rte_pktmbuf_mtod(pkts[i + 1], uint8_t *);

			rte_prefetch0(next);
			rte_prefetch0(next + 256);
		}
		rx_frame(w, p, pkts[i]);
	}
	process_pending(w);
	if (w->steer_mask)
		steer_flush(w);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Messages, housekeeping */

static unsigned drain_msgs(struct worker *w)
{
	struct wmsg msgs[MSG_BURST];
	unsigned total = 0;

	for (unsigned j = 0; j < w->dp->n_workers; j++) {
		unsigned n;

		if (w->msg_in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst_elem(
			w->msg_in[j], msgs, sizeof(msgs[0]), MSG_BURST, NULL);
		total += n;
		for (unsigned i = 0; i < n; i++) {
			const struct wmsg *m = &msgs[i];

			switch (m->type) {
			case WMSG_ADDR_REQUEST:
			case WMSG_ADDR_GRANT:
				shard_handle_msg(w->shard, m, w->ctr);
				break;
			case WMSG_NEIGH:
				if (m->neigh.port < w->dp->n_ports)
					learn(w, m->neigh.port, m->neigh.ip, m->neigh.mac, false);
				break;
			default:
				break;
			}
		}
	}
	return total;
}

/* A reloaded configuration published by the main lcore (main.c). */
static void adopt_config(struct worker *w)
{
	uint64_t gen = __atomic_load_n(&w->dp->cfg_gen, __ATOMIC_ACQUIRE);

	if (likely(gen == w->cfg_gen))
		return;
	w->ctx.cfg = w->dp->next_cfg;
	w->ctx.tbl = w->dp->next_tbl;
	/* Options cached from the old configuration are gone with it. */
	for (unsigned i = 0; i < SRV_OC_ENTRIES; i++)
		w->oc[i].cfg = NULL;
	shard_set_cfg(w->shard, w->ctx.cfg);
	w->cfg_gen = gen;
	__atomic_store_n(&w->cfg_ack, gen, __ATOMIC_RELEASE);
}

static void housekeep(struct worker *w, uint64_t tsc)
{
	struct lw_dp *dp = w->dp;
	uint64_t delta = tsc - dp->base_tsc;
	void *pkts[LW_BURST];
	unsigned n;

	w->last_hk = tsc;
	w->now = dp->base_time + (uint32_t)(delta / dp->tsc_hz);
	w->now_ms = delta / dp->ms_cycles;
	w->ctx.now = w->now;

	adopt_config(w);
	/* Nothing expires and no address moves before the shard is loaded. */
	if (likely(w->serving))
		shard_housekeep(w->shard, w->now, HK_BUDGET, w->ctr);
	while ((n = neigh_expire(&w->neigh, w->now_ms, pkts, LW_BURST)) > 0) {
		w->ctr[LW_CTR_DROP_NEIGH] += n;
		rte_pktmbuf_free_bulk((struct rte_mbuf **)pkts, n);
	}
	release_acks(w, wctl_durable(w));
	expire_acks(w);
	wctl_housekeep(w);
}

/*
 * An idle worker naps: after IDLE_SPINS loop turns with nothing received,
 * steered, messaged or commanded, it sleeps 1 us, then twice as long each
 * turn that is still idle, up to dataplane.idle_sleep_us; the first turn
 * with work sets it back to polling. Under load it never sleeps (one
 * compare per turn); idle, the core goes to the control process and the
 * host (on a 2-vCPU machine two polling workers otherwise take the CPU the
 * journal's fdatasync needs). The cost: the first packet after a quiet
 * spell waits up to one nap. The worker's timer slack is 1 us (prctl at
 * start), so a nap is not stretched by the default 50 us.
 */
#define IDLE_SPINS 64

static void idle_nap(struct worker *w)
{
	struct timespec ts;

	if (++w->idle_turns < IDLE_SPINS)
		return;
	w->nap_us = w->nap_us ? w->nap_us * 2 : 1;
	if (w->nap_us > w->dp->idle_sleep_us)
		w->nap_us = w->dp->idle_sleep_us;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->nap_us * 1000;
	w->ctr[LW_CTR_IDLE_NAPS]++;
	nanosleep(&ts, NULL);
}

static void tx_flush(struct worker *w)
{
	for (unsigned i = 0; i < w->dp->n_ports; i++)
		if (w->txb[i]->length)
			w->ctr[LW_CTR_TX_PACKETS] += rte_eth_tx_buffer_flush(
				w->dp->ports[i].port_id, (uint16_t)w->id, w->txb[i]);
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct lw_dp *dp = w->dp;
	uint64_t hk_cycles = dp->ms_cycles; /* housekeeping every ~1 ms */
	void *pkts[LW_BURST];
	unsigned iter = 0, n;

	housekeep(w, rte_rdtsc());
	/* Announce the server addresses (RFC 5227 2.3) so neighbours update stale entries. */
	if (w->id == 0)
		for (unsigned i = 0; i < dp->n_ports; i++)
			arp_request(w, &dp->ports[i], dp->ports[i].pp.addr);

	char name[16];

	/* The thread's name in top -H, ps -L and /proc: lw-worker-N. */
	snprintf(name, sizeof(name), "lw-worker-%u", w->id);
	(void)pthread_setname_np(pthread_self(), name);
	/* Naps are not stretched by the default 50 us timer slack. */
	if (dp->idle_sleep_us)
		(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
		uint64_t tsc;
		unsigned work = 0;

		++iter;
		for (unsigned i = 0; i < dp->n_ports; i++)
			work += rx_port(w, &dp->ports[i]);
		if (dp->n_workers > 1) {
			work += drain_steer(w);
			if ((iter & (MSG_EVERY - 1)) == 0)
				work += drain_msgs(w);
		}
		/* Events leave in the iteration that made them, so that the
		 * journal's group commit starts as early as possible. */
		wctl_events_out(w);
		release_acks(w, wctl_durable(w));
		if (unlikely(!w->serving))
			work += wctl_commands(w, 8);
		else if ((iter & (CMD_EVERY - 1)) == 0)
			work += wctl_commands(w, 1);
		drop_flush(w);
		/* Flushed every iteration that buffered something: at low rates a
		 * reply never waits for 31 others. A TSC deadline (l3fwd's
		 * BURST_TX_DRAIN_US) would batch more under light load, at the cost
		 * of latency. */
		tx_flush(w);

		tsc = rte_rdtsc();
		if (unlikely(tsc - w->last_hk >= hk_cycles)) {
			housekeep(w, tsc);
			drop_flush(w);
		}
		if (work) {
			w->idle_turns = 0;
			w->nap_us = 0;
		} else if (dp->idle_sleep_us) {
			idle_nap(w);
		}
	}

	/* What is durable by now still leaves; the rest is freed by
	 * workers_free() after the main lcore has waited for control. */
	release_acks(w, wctl_durable(w));
	tx_flush(w);
	while ((n = neigh_flush(&w->neigh, pkts, LW_BURST)) > 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)pkts, n);
	wctl_events_out(w);
	wctl_housekeep(w);
	return 0;
}
