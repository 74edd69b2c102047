/* SPDX-License-Identifier: MPL-2.0 */
/* DHCP server decisions (RFC 2131 4.3) and reply addressing (4.1), on a
 * config loaded from text, a real shard and a mocked rte_hash. Failover:
 * service gating, load balancing (FAILOVER.md 6), the MCLT rule (5.2) and
 * parked addresses, with the first subnet made a failover subnet by hand. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lb_hash.h"
#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "dataplane/server.h"
#include "server_cfg.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define SERVER	      A(198, 18, 0, 1)

static struct lw_config *cfg;
static struct srv_tables *tbl;
static struct addr_space *as;
static struct shard *sh;
static uint64_t ctr[LW_CTR_MAX];
static uint32_t now = 1000000;
static uint8_t buf[1500];
static struct srv_fo fo; /* the worker's failover snapshot: none (all zero) */
/* setup_with(): the first subnet (and its pool) is a failover one; unowned:
 * the address space is the dataplane's (control grants). */
static bool fo_subnet, fo_unowned;

static void setup_with(const char *auth, const char *range)
{
	char text[4096], err[512];
	struct shard_params p = {0};
	int rc;

	snprintf(text, sizeof(text), srv_test_cfg_fmt, auth, range);
	rc = lw_config_load_string(text, "test.cfg", &cfg, err, sizeof(err));
	cr_assert_eq(rc, 0, "config: %s", err);
	if (fo_subnet) {
		cfg->subnets[0].failover = true;
		for (unsigned i = 0; i < cfg->subnets[0].n_pools; i++)
			cfg->pools[cfg->subnets[0].first_pool + i].failover = true;
	}
	tbl = srv_tables_build(cfg);
	cr_assert_not_null(tbl);
	as = fo_unowned ? addr_space_create_unowned(cfg, 1) : addr_space_create(cfg, 1);
	cr_assert_not_null(as);
	p.as = as;
	p.cfg = cfg;
	p.capacity = 1024;
	p.ctr = ctr;
	sh = shard_create(&p);
	cr_assert_not_null(sh);
	memset(ctr, 0, sizeof(ctr));
}

static void setup(void)
{
	setup_with("true", "198.18.0.100 - 198.18.0.109");
}

static void teardown(void)
{
	shard_free(sh);
	addr_space_free(as);
	srv_tables_free(tbl);
	lw_config_free(cfg);
}

static struct dhcp4_msg msg(uint8_t type, unsigned client)
{
	struct dhcp4_msg m;

	memset(&m, 0, sizeof(m));
	m.op = BOOTP_REQUEST;
	m.htype = 1;
	m.hlen = 6;
	m.xid = 0x12345678;
	m.chaddr[0] = 0x02;
	m.chaddr[4] = (uint8_t)(client >> 8);
	m.chaddr[5] = (uint8_t)client;
	m.msg_type = type;
	return m;
}

static void want_ip(struct dhcp4_msg *m, uint32_t a)
{
	m->has |= DHCP4_HAS_REQUESTED_IP;
	m->requested_ip = a;
}

static void server_id(struct dhcp4_msg *m, uint32_t a)
{
	m->has |= DHCP4_HAS_SERVER_ID;
	m->server_id = a;
}

static struct srv_optcache *use_oc; /* the worker's option cache, when a test wants it */

static int run_rq(const struct dhcp4_msg *m, const struct srv_req *rq, struct srv_reply *r)
{
	struct srv_ctx c = {.cfg = cfg,
		.tbl = tbl,
		.shard = sh,
		.now = now,
		.ctr = ctr,
		.fo = &fo,
		.oc = use_oc};

	memset(r, 0, sizeof(*r));
	memset(buf, 0xee, sizeof(buf));
	return srv_process(&c, rq, m, buf, sizeof(buf), r);
}

static int run(const struct dhcp4_msg *m, struct srv_reply *r)
{
	struct srv_req rq = {.port = 0};

	return run_rq(m, &rq, r);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Option code in the reply (after the cookie), or NULL. */
static const uint8_t *ropt(const struct srv_reply *r, uint8_t code, uint8_t *len)
{
	for (size_t i = DHCP4_OPT_OFFSET; i < r->len;) {
		if (buf[i] == DHCP4_OPT_PAD) {
			i++;
			continue;
		}
		if (buf[i] == DHCP4_OPT_END || i + 1 >= r->len)
			return NULL;
		if (buf[i] == code) {
			if (len)
				*len = buf[i + 1];
			return buf + i + 2;
		}
		i += 2 + buf[i + 1];
	}
	return NULL;
}

static uint32_t ropt32(const struct srv_reply *r, uint8_t code)
{
	uint8_t len = 0;
	const uint8_t *p = ropt(r, code, &len);

	cr_assert_not_null(p, "option %u missing", code);
	cr_assert_eq(len, 4);
	return be32(p);
}

static uint32_t yiaddr(void)
{
	return be32(buf + 16);
}

/* DISCOVER then REQUEST (SELECTING); returns the address ACKed. */
static uint32_t dora(unsigned client)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, client);
	struct srv_reply r;
	uint32_t a;

	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_OFFER);
	a = yiaddr();
	m = msg(DHCP4_REQUEST, client);
	want_ip(&m, a);
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(yiaddr(), a);
	return a;
}

TestSuite(server, .init = setup, .fini = teardown);

Test(server, discover_gets_an_offer_with_the_configured_options)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	uint8_t len;
	const uint8_t *p;

	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_OFFER);
	cr_assert_geq(r.len, BOOTP_MIN_LEN);
	cr_assert_eq(buf[0], BOOTP_REPLY);
	cr_assert_eq(be32(buf + 4), 0x12345678, "xid echoed");
	cr_assert_eq(yiaddr(), A(198, 18, 0, 100));
	cr_assert_eq(be32(buf + DHCP4_OPT_OFFSET - 4), DHCP4_COOKIE);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_SERVER_ID), SERVER);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 600);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_T1), 300);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_T2), 525);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_SUBNET_MASK), 0xffffff00);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_ROUTERS), A(198, 18, 0, 254));
	cr_assert_eq(ropt32(&r, DHCP4_OPT_DNS), A(198, 18, 0, 53), "global option inherited");
	cr_assert_eq(ropt32(&r, 42), A(198, 18, 0, 123), "option by code");
	p = ropt(&r, DHCP4_OPT_DOMAIN_NAME, &len);
	cr_assert(p && len == 6 && memcmp(p, "t.test", 6) == 0);
	cr_assert_eq(ropt(&r, DHCP4_OPT_MSG_TYPE, &len)[0], DHCP4_OFFER);
	cr_assert_eq(r.dst, SRV_DST_CHADDR, "no flag, no address: unicast to chaddr/yiaddr");
	cr_assert_eq(r.dst_ip, A(198, 18, 0, 100));
	cr_assert_eq(r.dst_port, DHCP4_CLIENT_PORT);
	cr_assert_eq(r.src_ip, SERVER);
	cr_assert_eq(r.event_seq, 0, "offers are not persisted");
}

Test(server, parameter_request_list_is_honoured_in_order)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	const uint8_t *p3, *p6;

	m.has |= DHCP4_HAS_PRL;
	m.prl_len = 3;
	m.prl[0] = DHCP4_OPT_DNS;
	m.prl[1] = DHCP4_OPT_ROUTERS;
	m.prl[2] = 99; /* not configured */
	cr_assert_eq(run(&m, &r), 1);
	p3 = ropt(&r, DHCP4_OPT_ROUTERS, NULL);
	p6 = ropt(&r, DHCP4_OPT_DNS, NULL);
	cr_assert(p3 && p6);
	cr_assert_lt(p6, p3, "DNS asked for first, sent first");
	cr_assert_null(ropt(&r, 42, NULL), "not asked for");
	cr_assert_null(ropt(&r, DHCP4_OPT_DOMAIN_NAME, NULL));
	cr_assert_not_null(ropt(&r, DHCP4_OPT_SUBNET_MASK, NULL), "mask always");
}

Test(server, client_id_and_agent_info_are_echoed_agent_info_last)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	uint8_t len;
	const uint8_t *p;
	static const uint8_t cid[] = {1, 2, 0, 0, 0, 0, 9};
	static const uint8_t agent[] = {1, 3, 'a', 'b', 'c', 2, 2, 'x', 'y'};

	m.has |= DHCP4_HAS_CLIENT_ID | DHCP4_HAS_AGENT_INFO;
	memcpy(m.client_id, cid, sizeof(cid));
	m.client_id_len = sizeof(cid);
	memcpy(m.agent_info, agent, sizeof(agent));
	m.agent_info_len = sizeof(agent);
	m.giaddr = A(198, 18, 0, 9);
	cr_assert_eq(run(&m, &r), 1);
	p = ropt(&r, DHCP4_OPT_CLIENT_ID, &len);
	cr_assert(p && len == sizeof(cid) && memcmp(p, cid, len) == 0);
	p = ropt(&r, DHCP4_OPT_AGENT_INFO, &len);
	cr_assert(p && len == sizeof(agent) && memcmp(p, agent, len) == 0);
	cr_assert_eq(p[len], DHCP4_OPT_END, "82 is the last option");
}

Test(server, same_client_is_offered_the_same_address)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 100));
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 100));
	m = msg(DHCP4_DISCOVER, 2);
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 101));
}

Test(server, requested_address_offered_when_free)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	want_ip(&m, A(198, 18, 0, 107));
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 107));
	m = msg(DHCP4_DISCOVER, 2);
	want_ip(&m, A(198, 18, 0, 107));
	run(&m, &r);
	cr_assert_neq(yiaddr(), A(198, 18, 0, 107), "taken: a new one instead");
}

Test(server, selecting_our_server_id_acks_and_commits_an_event)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	struct lw_bind_event ev[4];

	run(&m, &r);
	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, A(198, 18, 0, 100));
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(r.event_seq, 1, "the ACK waits for event 1");
	cr_assert_eq(shard_events_take(sh, ev, 4), 1);
	cr_assert_eq(ev[0].state, LW_BIND_ACTIVE);
	cr_assert_eq(ev[0].addr, A(198, 18, 0, 100));
	cr_assert_eq(ev[0].end - ev[0].start, 600);
}

Test(server, selecting_another_server_drops_our_offer)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	struct shard_stats st;

	run(&m, &r);
	shard_get_stats(sh, &st);
	/* 9 + 10 + 10 dynamic addresses in the three subnets (.105 is reserved) */
	cr_assert_eq(st.free, 28, "one offered: %u free", st.free);
	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, A(198, 18, 0, 100));
	server_id(&m, A(198, 18, 0, 2));
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_NOT_FOR_US], 1);
	shard_get_stats(sh, &st);
	cr_assert_eq(st.free, 29, "the offered address is free again");
	cr_assert_eq(st.leases, 0);
}

Test(server, init_reboot_acks_the_clients_address_and_naks_a_wrong_one)
{
	struct dhcp4_msg m;
	struct srv_reply r;
	uint32_t a = dora(1);

	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, a);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	/* wrong network */
	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, A(192, 0, 2, 50));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK);
	cr_assert_eq(r.dst, SRV_DST_BROADCAST, "NAK to a direct client is broadcast");
	cr_assert_null(ropt(&r, DHCP4_OPT_LEASE_TIME, NULL));
	cr_assert_eq(yiaddr(), 0);
	/* someone else's address */
	m = msg(DHCP4_REQUEST, 2);
	want_ip(&m, a);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK);
	/* not the address the client holds */
	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, A(198, 18, 0, 109));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK);
}

Test(server, not_authoritative_stays_silent_instead_of_nak)
{
	struct dhcp4_msg m;
	struct srv_reply r;

	teardown();
	setup_with("false", "198.18.0.100 - 198.18.0.109");
	m = msg(DHCP4_REQUEST, 1);
	want_ip(&m, A(192, 0, 2, 50));
	cr_assert_eq(run(&m, &r), 0, "no NAK");
	cr_assert_eq(ctr[LW_CTR_DROP_NOT_FOR_US], 1);
}

Test(server, init_reboot_free_address_is_granted_again)
{
	struct dhcp4_msg m = msg(DHCP4_REQUEST, 1);
	struct srv_reply r;

	/* A client whose binding this server no longer has (restart). */
	want_ip(&m, A(198, 18, 0, 104));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 104));
}

Test(server, renewing_and_rebinding_extend_the_lease_by_ciaddr)
{
	struct dhcp4_msg m;
	struct srv_reply r;
	uint32_t a = dora(1);

	now += 300;
	m = msg(DHCP4_REQUEST, 1);
	m.ciaddr = a;
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(yiaddr(), a);
	cr_assert_eq(be32(buf + 12), a, "ciaddr echoed");
	cr_assert_eq(r.dst, SRV_DST_UNICAST);
	cr_assert_eq(r.dst_ip, a);
	m.flags = BOOTP_FLAG_BROADCAST; /* REBINDING */
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(r.dst, SRV_DST_UNICAST, "ciaddr set: unicast to it (RFC 2131 4.1)");
	/* Someone renewing an address bound to another client. */
	m = msg(DHCP4_REQUEST, 2);
	m.ciaddr = a;
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK);
}

Test(server, release_returns_the_address)
{
	struct dhcp4_msg m;
	struct srv_reply r;
	struct shard_stats st;
	uint32_t a = dora(1);

	m = msg(DHCP4_RELEASE, 1);
	m.ciaddr = a;
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_LEASE_RELEASED], 1);
	shard_get_stats(sh, &st);
	cr_assert_eq(st.active, 0);
	cr_assert_eq(st.free, 29);
	/* Released again: nothing to release. */
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_LEASE_RELEASED], 1);
	cr_assert_eq(ctr[LW_CTR_DROP_NO_BINDING], 1);
	/* The same client comes back to the same address. */
	cr_assert_eq(dora(1), a);
}

Test(server, decline_quarantines_then_reuses)
{
	struct dhcp4_msg m;
	struct srv_reply r;
	uint32_t a;

	teardown();
	setup_with("true", "198.18.0.100 - 198.18.0.100");
	a = dora(1);
	m = msg(DHCP4_DECLINE, 1);
	want_ip(&m, a);
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_LEASE_DECLINED], 1);
	m = msg(DHCP4_DISCOVER, 2);
	cr_assert_eq(run(&m, &r), 0, "the only address is in probation");
	cr_assert_eq(ctr[LW_CTR_DROP_POOL_EXHAUSTED], 1);
	shard_housekeep(sh, now + 100, 64, ctr);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(yiaddr(), a);
}

Test(server, inform_gets_options_without_a_lease)
{
	struct dhcp4_msg m = msg(DHCP4_INFORM, 1);
	struct srv_reply r;
	struct shard_stats st;

	m.ciaddr = A(198, 18, 0, 77);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(yiaddr(), 0);
	cr_assert_null(ropt(&r, DHCP4_OPT_LEASE_TIME, NULL), "RFC 2131 4.3.5: no lease time");
	cr_assert_null(ropt(&r, DHCP4_OPT_T1, NULL));
	cr_assert_eq(ropt32(&r, DHCP4_OPT_ROUTERS), A(198, 18, 0, 254));
	cr_assert_eq(r.dst, SRV_DST_UNICAST);
	cr_assert_eq(r.dst_ip, A(198, 18, 0, 77));
	shard_get_stats(sh, &st);
	cr_assert_eq(st.leases, 0);
}

Test(server, reply_addressing_rfc2131_4_1)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	m.flags = BOOTP_FLAG_BROADCAST;
	run(&m, &r);
	cr_assert_eq(r.dst, SRV_DST_BROADCAST);
	cr_assert_eq(r.dst_ip, 0xffffffffu);
	m.giaddr = A(198, 18, 1, 1);
	run(&m, &r);
	cr_assert_eq(r.dst, SRV_DST_UNICAST);
	cr_assert_eq(r.dst_ip, A(198, 18, 1, 1));
	cr_assert_eq(r.dst_port, DHCP4_SERVER_PORT, "to the relay's port 67");
	/* A relayed NAK has the broadcast bit set for the relay. */
	m = msg(DHCP4_REQUEST, 1);
	m.giaddr = A(198, 18, 1, 1);
	want_ip(&m, A(198, 18, 0, 5));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK);
	cr_assert_eq(r.dst_ip, A(198, 18, 1, 1));
	cr_assert(buf[10] & 0x80);
}

/*
 * m as a client sends it on the wire, with what a reply must not echo made
 * non-zero: hops, secs, and sname and file (not overloaded).
 */
static size_t wire(const struct dhcp4_msg *m, uint8_t *b)
{
	static const uint8_t prl[] = {1, 3, 6, 15, 28, 42, 51, 54, 58, 59, 119, 121, 12};
	uint8_t *o = b + DHCP4_OPT_OFFSET;

	memset(b, 0, 300);
	b[0] = BOOTP_REQUEST;
	b[1] = m->htype;
	b[2] = m->hlen;
	b[3] = 2; /* hops */
	memcpy(b + 4, &m->xid, 4);
	b[9] = 7; /* secs */
	b[10] = (uint8_t)(m->flags >> 8);
	for (int i = 0; i < 4; i++) {
		b[12 + i] = (uint8_t)(m->ciaddr >> (24 - 8 * i));
		b[24 + i] = (uint8_t)(m->giaddr >> (24 - 8 * i));
	}
	memcpy(b + 28, m->chaddr, 16);
	memset(b + 44, 'x', 192);
	memcpy(b + 236, (const uint8_t[]){99, 130, 83, 99}, 4);
	*o++ = DHCP4_OPT_MSG_TYPE;
	*o++ = 1;
	*o++ = m->msg_type;
	if (m->has & DHCP4_HAS_REQUESTED_IP) {
		*o++ = DHCP4_OPT_REQUESTED_IP;
		*o++ = 4;
		for (int i = 0; i < 4; i++)
			*o++ = (uint8_t)(m->requested_ip >> (24 - 8 * i));
	}
	if (m->has & DHCP4_HAS_SERVER_ID) {
		*o++ = DHCP4_OPT_SERVER_ID;
		*o++ = 4;
		for (int i = 0; i < 4; i++)
			*o++ = (uint8_t)(m->server_id >> (24 - 8 * i));
	}
	if (m->has & DHCP4_HAS_CLIENT_ID) {
		*o++ = DHCP4_OPT_CLIENT_ID;
		*o++ = m->client_id_len;
		memcpy(o, m->client_id, m->client_id_len);
		o += m->client_id_len;
	}
	*o++ = DHCP4_OPT_PRL;
	*o++ = sizeof(prl);
	memcpy(o, prl, sizeof(prl));
	o += sizeof(prl);
	if (m->has & DHCP4_HAS_AGENT_INFO) {
		*o++ = DHCP4_OPT_AGENT_INFO;
		*o++ = m->agent_info_len;
		memcpy(o, m->agent_info, m->agent_info_len);
		o += m->agent_info_len;
	}
	*o++ = DHCP4_OPT_END;
	cr_assert_leq((size_t)(o - b), 300);
	return 300;
}

/*
 * The reply to m built over its request's bytes (srv_req.in_place, as the
 * worker does) is the one built in a separate buffer, byte for byte.
 * Returns its type.
 */
static uint8_t same_in_place(const struct dhcp4_msg *m0)
{
	struct srv_ctx c = {.cfg = cfg, .tbl = tbl, .shard = sh, .now = now, .ctr = ctr, .fo = &fo};
	struct srv_req rq = {.port = 0};
	uint8_t req[300], sep[sizeof(buf)];
	struct srv_reply r1, r2;
	struct dhcp4_msg m;
	size_t n = wire(m0, req);

	cr_assert_eq(dhcp4_parse(req, n, &m), 0);
	memset(buf, 0xee, sizeof(buf));
	cr_assert_eq(srv_process(&c, &rq, &m, buf, sizeof(buf), &r1), 1);
	memcpy(sep, buf, sizeof(buf));

	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, req, n);
	rq.in_place = true;
	cr_assert_eq(srv_process(&c, &rq, &m, buf, sizeof(buf), &r2), 1);
	cr_assert_eq(r2.len, r1.len);
	cr_assert_eq(r2.type, r1.type);
	cr_assert_eq(r2.dst, r1.dst);
	cr_assert_eq(r2.dst_ip, r1.dst_ip);
	for (size_t i = 0; i < r1.len; i++)
		cr_assert_eq(buf[i], sep[i], "in place differs at byte %zu", i);
	cr_assert_eq(buf[3], 0, "hops");
	cr_assert_eq(buf[8] | buf[9], 0, "secs");
	for (size_t i = 44; i < 236; i++)
		cr_assert_eq(buf[i], 0, "sname/file byte %zu", i);
	return r1.type;
}

Test(server, reply_built_over_the_request_is_the_same)
{
	static const uint8_t agent[] = {1, 4, 'p', 'o', 'r', 't', 2, 2, 'r', 'i'};
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	uint32_t a;

	m.flags = BOOTP_FLAG_BROADCAST;
	m.has |= DHCP4_HAS_CLIENT_ID;
	m.client_id_len = 7;
	memcpy(m.client_id, (const uint8_t[]){1, 2, 0, 0, 0, 0, 1}, 7);
	cr_assert_eq(same_in_place(&m), DHCP4_OFFER);
	a = yiaddr();

	m.msg_type = DHCP4_REQUEST;
	want_ip(&m, a);
	server_id(&m, SERVER);
	cr_assert_eq(same_in_place(&m), DHCP4_ACK);

	/* INIT-REBOOT for the wrong address, relayed: a NAK (no ciaddr, the
	 * broadcast bit for the relay), with the agent's option echoed. */
	m = msg(DHCP4_REQUEST, 2);
	m.giaddr = A(198, 18, 1, 1);
	m.ciaddr = 0;
	want_ip(&m, A(198, 18, 0, 5));
	m.has |= DHCP4_HAS_AGENT_INFO;
	m.agent_info_len = sizeof(agent);
	memcpy(m.agent_info, agent, sizeof(agent));
	cr_assert_eq(same_in_place(&m), DHCP4_NAK);
	cr_assert(buf[10] & 0x80);

	/* INFORM: its ciaddr comes back, no lease. */
	m = msg(DHCP4_INFORM, 3);
	m.ciaddr = A(198, 18, 0, 77);
	cr_assert_eq(same_in_place(&m), DHCP4_ACK);
	cr_assert_eq(be32(buf + 12), A(198, 18, 0, 77));
}

Test(server, subnet_selection_giaddr_link_selection_option_118)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	m.giaddr = A(198, 18, 1, 1);
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 1, 100), "relayed: giaddr's subnet");
	cr_assert_eq(ropt32(&r, DHCP4_OPT_ROUTERS), A(198, 18, 1, 1));
	m = msg(DHCP4_DISCOVER, 2);
	m.giaddr = A(198, 18, 1, 1);
	m.has |= DHCP4_HAS_LINK_SELECTION;
	m.link_selection = A(198, 18, 2, 0);
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 2, 10), "RFC 3527 wins over giaddr");
	m = msg(DHCP4_DISCOVER, 3);
	m.has |= DHCP4_HAS_SUBNET_SELECTION | DHCP4_HAS_LINK_SELECTION;
	m.link_selection = A(198, 18, 2, 0);
	m.subnet_selection = A(198, 18, 1, 0);
	run(&m, &r);
	cr_assert_eq(yiaddr(), A(198, 18, 1, 101), "RFC 3011 wins over all");
	m = msg(DHCP4_DISCOVER, 4);
	m.giaddr = A(192, 0, 2, 1);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_NO_SUBNET], 1);
}

Test(server, reservation_by_mac_inside_the_pool_is_never_given_to_another)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 0xaa01);
	struct srv_reply r;
	unsigned seen = 0;

	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 105));
	m = msg(DHCP4_REQUEST, 0xaa01);
	want_ip(&m, A(198, 18, 0, 105));
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	/* Everybody else: the 9 other addresses, never .105. */
	for (unsigned c = 1; c <= 12; c++) {
		m = msg(DHCP4_DISCOVER, c);
		if (run(&m, &r) == 1) {
			cr_assert_neq(yiaddr(), A(198, 18, 0, 105));
			seen++;
		}
	}
	cr_assert_eq(seen, 9);
	m = msg(DHCP4_REQUEST, 50);
	want_ip(&m, A(198, 18, 0, 105));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK, "asking for a reserved address");
}

Test(server, reservation_by_client_id_outside_the_pool)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 7);
	struct srv_reply r;
	static const uint8_t cid[] = {0xff, 0, 0, 0, 1};

	m.has |= DHCP4_HAS_CLIENT_ID;
	memcpy(m.client_id, cid, sizeof(cid));
	m.client_id_len = sizeof(cid);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 250));
	m.msg_type = DHCP4_REQUEST;
	want_ip(&m, A(198, 18, 0, 250));
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_gt(r.event_seq, 0);
}

Test(server, lease_time_is_the_clients_request_within_min_and_max)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	m.has |= DHCP4_HAS_LEASE_TIME;
	m.lease_time = 900;
	run(&m, &r);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 900);
	m.lease_time = 5;
	run(&m, &r);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 60);
	m.lease_time = 99999;
	run(&m, &r);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 1200);
}

Test(server, pool_exhaustion_is_counted)
{
	struct dhcp4_msg m;
	struct srv_reply r;

	for (unsigned c = 1; c <= 9; c++) /* .105 is reserved */
		dora(c);
	m = msg(DHCP4_DISCOVER, 11);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_POOL_EXHAUSTED], 1);
	/* Leases expire: the pool refills from housekeeping. */
	shard_housekeep(sh, now + 601, 2048, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 9);
	cr_assert_eq(run(&m, &r), 1);
}

Test(server, request_without_address_is_refused)
{
	struct dhcp4_msg m = msg(DHCP4_REQUEST, 1);
	struct srv_reply r;

	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_BAD_REQUEST], 1);
	m = msg(DHCP4_DECLINE, 1);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_BAD_REQUEST], 2);
}

Test(server, small_max_message_size_keeps_the_reply_valid)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;

	m.has |= DHCP4_HAS_MAX_MSG_SIZE;
	m.max_msg_size = 576;
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_leq(r.len, 576 - 28);
	cr_assert_not_null(ropt(&r, DHCP4_OPT_SERVER_ID, NULL));
}

Test(server, longest_client_id_and_agent_info_still_fit)
{
	struct dhcp4_msg m = msg(DHCP4_INFORM, 1);
	struct srv_reply r;

	/* The echoes must never crowd out the reply: 82 is the relay's, not the client's. */
	m.ciaddr = A(198, 18, 0, 77);
	m.has |= DHCP4_HAS_CLIENT_ID | DHCP4_HAS_AGENT_INFO;
	m.client_id_len = 255;
	memset(m.client_id, 0x11, 255);
	m.agent_info_len = 255;
	memset(m.agent_info, 0x01, 255);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_not_null(ropt(&r, DHCP4_OPT_AGENT_INFO, NULL));
	m.msg_type = DHCP4_REQUEST;
	want_ip(&m, A(192, 0, 2, 1));
	cr_assert_eq(run(&m, &r), 1, "a NAK with both echoes fits too");
	cr_assert_eq(r.type, DHCP4_NAK);
}

Test(server, no_ack_while_the_events_cannot_be_kept)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, 1);
	struct srv_reply r;
	unsigned room = shard_event_room(sh), acks = 0;
	uint32_t a;

	cr_assert_eq(run(&m, &r), 1);
	a = be32(buf + 16);
	/* Renewals, none of them durable: each one keeps an event. */
	m = msg(DHCP4_REQUEST, 1);
	m.ciaddr = a;
	while (acks < room && run(&m, &r) == 1) {
		cr_assert_eq(r.type, DHCP4_ACK);
		cr_assert_gt(r.event_seq, 0, "every ACK waits for its event");
		acks++;
	}
	cr_assert_eq(acks, room - 1, "room for two events needed, %u ACKs of %u", acks, room);
	cr_assert_eq(ctr[LW_CTR_DROP_EVENTS_FULL], 1, "the refusal is counted");
	m = msg(DHCP4_DISCOVER, 2);
	cr_assert_eq(run(&m, &r), 0, "no OFFER either: it could not be acknowledged");
	m = msg(DHCP4_INFORM, 3);
	m.ciaddr = A(198, 18, 0, 77);
	cr_assert_eq(run(&m, &r), 1, "INFORM commits nothing and is answered");

	/* Control catches up: service resumes. */
	shard_events_durable(sh, shard_last_seq(sh));
	m = msg(DHCP4_REQUEST, 1);
	m.ciaddr = a;
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.event_seq, shard_last_seq(sh));
}

/* ------------------------------------------------------------------------ */
/* Failover */

static void setup_fo(void)
{
	fo_subnet = true;
	setup();
}

static void setup_fo_unowned(void)
{
	fo_subnet = true;
	fo_unowned = true;
	setup();
}

TestSuite(failover, .init = setup_fo, .fini = teardown);
TestSuite(failover_parked, .init = setup_fo_unowned, .fini = teardown);

/* A snapshot as control publishes it, split 128 (buckets 0..127: primary). */
static void serve(uint8_t service, uint8_t role, uint32_t lb_max_secs)
{
	memset(&fo, 0, sizeof(fo));
	fo.seq = 2;
	fo.service = service;
	fo.role = role;
	fo.mclt = 60;
	fo.lb_max_secs = lb_max_secs;
	lb_hba_split(fo.hba, 128);
}

/*
 * FAILOVER.md 6.1 test vectors: chaddr 02:00:00:00:00:01 -> 133
 * (secondary), 02:00:00:00:00:02 -> 45 (primary), 02:00:00:00:10:03 -> 220
 * (secondary), and its client identifier 01 02 00 00 00 10 03 -> 88 (primary).
 */
#define C_SECONDARY 1
#define C_PRIMARY   2
#define C_CID	    0x1003

static struct dhcp4_msg with_cid(struct dhcp4_msg m)
{
	static const uint8_t cid[] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x10, 0x03};

	m.has |= DHCP4_HAS_CLIENT_ID;
	memcpy(m.client_id, cid, sizeof(cid));
	m.client_id_len = sizeof(cid);
	return m;
}

/* 1 when a DISCOVER of m is answered with an OFFER, 0 when dropped. */
static int offered(struct dhcp4_msg m, uint16_t secs)
{
	struct srv_reply r;
	int rc;

	m.secs = secs;
	rc = run(&m, &r);
	if (rc == 1)
		cr_assert_eq(r.type, DHCP4_OFFER);
	return rc;
}

Test(failover, vectors_hash_to_the_documented_buckets)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, C_SECONDARY);
	struct lw_client_key k;
	const uint8_t *b;
	size_t len;

	lw_client_key_from_msg(&k, &m);
	b = lw_client_key_hash_bytes(&k, &len);
	cr_assert_eq(lb_hash(b, len), 133);
	m = msg(DHCP4_DISCOVER, C_PRIMARY);
	lw_client_key_from_msg(&k, &m);
	b = lw_client_key_hash_bytes(&k, &len);
	cr_assert_eq(lb_hash(b, len), 45);
	m = with_cid(msg(DHCP4_DISCOVER, C_CID));
	lw_client_key_from_msg(&k, &m);
	b = lw_client_key_hash_bytes(&k, &len);
	cr_assert_eq(lb_hash(b, len), 88);
}

Test(failover, no_service_drops_everything_in_failover_subnets_only)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, C_PRIMARY);
	struct srv_reply r;

	/* No snapshot yet (seq 0): the worker does not know its state. */
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 1);
	m = msg(DHCP4_REQUEST, C_PRIMARY);
	want_ip(&m, A(198, 18, 0, 100));
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 2);
	m = msg(DHCP4_INFORM, C_PRIMARY);
	m.ciaddr = A(198, 18, 0, 77);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 3);

	/* A subnet without failover is served as ever. */
	m = msg(DHCP4_DISCOVER, C_PRIMARY);
	m.giaddr = A(198, 18, 1, 1);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(yiaddr(), A(198, 18, 1, 100));
	m = msg(DHCP4_REQUEST, C_PRIMARY);
	m.giaddr = A(198, 18, 1, 1);
	want_ip(&m, A(198, 18, 1, 100));
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 3);

	/* A snapshot that says NONE (RECOVER, POTENTIAL-CONFLICT ...). */
	serve(LW_FO_SERVE_NONE, LW_FO_PRIMARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 4);
	/* Serving with no MCLT could not bound a lease time. */
	serve(LW_FO_SERVE_ALL, LW_FO_PRIMARY, 3);
	fo.mclt = 0;
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 5);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 0);
}

Test(failover, balanced_primary_answers_its_buckets_only)
{
	serve(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 0), 0, "133: the secondary's");
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 1);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 1, "45: ours");
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_CID), 0), 0, "220: the secondary's");
	cr_assert_eq(offered(with_cid(msg(DHCP4_DISCOVER, C_CID)), 0), 1,
		"88: the client identifier wins over chaddr");
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 2);
	cr_assert_eq(ctr[LW_CTR_DROP_FO_NOT_SERVING], 0);
}

Test(failover, balanced_secondary_answers_the_other_buckets)
{
	serve(LW_FO_SERVE_BALANCED, LW_FO_SECONDARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 0), 1);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 0);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_CID), 0), 1);
	cr_assert_eq(offered(with_cid(msg(DHCP4_DISCOVER, C_CID)), 0), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 2);
}

Test(failover, secs_above_lb_max_secs_is_answered_by_both)
{
	serve(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 3), 0, "secs 3: balanced");
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 4), 1, "secs 4: answered");
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 1);
	serve(LW_FO_SERVE_BALANCED, LW_FO_SECONDARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 3), 0);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 4), 1);
}

Test(failover, lb_max_secs_0_turns_load_balancing_off)
{
	serve(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 0);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 0), 1);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 1);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_CID), 0), 1);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 0);
}

Test(failover, all_answers_everybody)
{
	serve(LW_FO_SERVE_ALL, LW_FO_SECONDARY, 3);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_SECONDARY), 0), 1);
	cr_assert_eq(offered(msg(DHCP4_DISCOVER, C_PRIMARY), 0), 1);
	cr_assert_eq(offered(with_cid(msg(DHCP4_DISCOVER, C_CID)), 0), 1);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 0);
}

Test(failover, requests_releases_and_informs_are_never_balanced)
{
	struct dhcp4_msg m;
	struct srv_reply r;

	serve(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 3);
	/* The secondary's client, INIT-REBOOT and SELECTING. */
	m = msg(DHCP4_REQUEST, C_SECONDARY);
	want_ip(&m, A(198, 18, 0, 100));
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	m = msg(DHCP4_INFORM, C_SECONDARY);
	m.ciaddr = A(198, 18, 0, 77);
	cr_assert_eq(run(&m, &r), 1);
	m = msg(DHCP4_RELEASE, C_SECONDARY);
	m.ciaddr = A(198, 18, 0, 100);
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_LEASE_RELEASED], 1);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 0);
}

Test(failover, the_bucket_the_worker_steered_with_decides)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, C_SECONDARY);
	struct srv_req rq = {.port = 0, .has_bucket = true, .bucket = 45};
	struct srv_reply r;

	serve(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 3);
	cr_assert_eq(run_rq(&m, &rq, &r), 1, "bucket 45 given: not hashed again");
	m = msg(DHCP4_DISCOVER, C_PRIMARY);
	rq.bucket = 133;
	cr_assert_eq(run_rq(&m, &rq, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_LOAD_BALANCED], 1);
}

/* A RENEWING request of client for a; returns the lease time ACKed. */
static uint32_t renew(unsigned client, uint32_t a)
{
	struct dhcp4_msg m = msg(DHCP4_REQUEST, client);
	struct srv_reply r;

	m.ciaddr = a;
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(yiaddr(), a);
	return ropt32(&r, DHCP4_OPT_LEASE_TIME);
}

Test(failover, mclt_rule_worked_example)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, C_PRIMARY);
	struct lw_client_key k;
	struct srv_reply r;
	struct lease *l;
	uint32_t t0 = now, a;

	/* default_lease_time 600, MCLT 60 (FAILOVER.md 5.2). */
	serve(LW_FO_SERVE_ALL, LW_FO_PRIMARY, 0);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 60, "the offer too");
	a = yiaddr();
	m = msg(DHCP4_REQUEST, C_PRIMARY);
	want_ip(&m, a);
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 60, "tsfp 0: MCLT");
	cr_assert_eq(ropt32(&r, DHCP4_OPT_T1), 30);
	lw_client_key_from_msg(&k, &m);
	l = shard_lookup(sh, &k);
	cr_assert_eq(l->tsfp, 0);
	cr_assert_eq(l->end, t0 + 60);
	now = t0 + 30;
	cr_assert_eq(renew(C_PRIMARY, a), 60, "nothing acknowledged yet");

	/* The peer's BNDACK: tsfp = t0 + 630 (LW_CMD_TSFP). */
	cr_assert_eq(shard_set_tsfp(sh, a, t0 + 630), 0);
	now = t0 + 59;
	cr_assert_eq(renew(C_PRIMARY, a), 600, "t1 + 600 <= tsfp + MCLT");
	cr_assert_eq(l->tsfp, t0 + 630, "kept by the renewal");
	cr_assert_eq(l->end, t0 + 659);
	now = t0 + 100;
	cr_assert_eq(renew(C_PRIMARY, a), 590, "(tsfp - t) + MCLT");

	/* A reservation is nobody else's to give: its full time. */
	m = msg(DHCP4_DISCOVER, 0xaa01);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(yiaddr(), A(198, 18, 0, 105));
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 600);
	/* Nor does a subnet without failover change. */
	m = msg(DHCP4_DISCOVER, 7);
	m.giaddr = A(198, 18, 1, 1);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 600);
}

Test(failover, a_new_binding_starts_with_nothing_acknowledged)
{
	struct dhcp4_msg m;
	struct lw_client_key k;
	struct srv_reply r;
	struct lease *l;
	uint32_t a, b;

	serve(LW_FO_SERVE_ALL, LW_FO_PRIMARY, 0);
	a = dora(C_PRIMARY);
	cr_assert_eq(shard_set_tsfp(sh, a, now + 630), 0);
	/* The client moves to another address: a new binding. */
	b = a + 1;
	m = msg(DHCP4_REQUEST, C_PRIMARY);
	want_ip(&m, b);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_NAK, "its own address first");
	m = msg(DHCP4_RELEASE, C_PRIMARY);
	m.ciaddr = a;
	cr_assert_eq(run(&m, &r), 0);
	m = msg(DHCP4_REQUEST, C_PRIMARY);
	want_ip(&m, b);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_eq(r.type, DHCP4_ACK);
	cr_assert_eq(ropt32(&r, DHCP4_OPT_LEASE_TIME), 60);
	lw_client_key_from_msg(&k, &m);
	l = shard_lookup(sh, &k);
	cr_assert_eq(l->addr, b);
	cr_assert_eq(l->tsfp, 0);
}

Test(failover_parked, addresses_are_offered_only_once_granted_with_take_parked)
{
	struct dhcp4_msg m = msg(DHCP4_DISCOVER, C_PRIMARY);
	struct srv_reply r;

	serve(LW_FO_SERVE_ALL, LW_FO_PRIMARY, 0);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_POOL_EXHAUSTED], 1);
	cr_assert_eq(shard_grant_range(sh, 0, 0, 9, 1), 0, "a plain grant skips parked ones");
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(shard_grant_range_flags(sh, 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 9,
		"all but the reservation .105");
	cr_assert_eq(dora(C_PRIMARY), A(198, 18, 0, 100));
}

Test(failover_parked, release_and_expiry_park_the_address)
{
	struct dhcp4_msg m;
	struct srv_reply r;
	struct addr_entry *e;
	uint32_t a, b;

	serve(LW_FO_SERVE_ALL, LW_FO_PRIMARY, 0);
	cr_assert_eq(shard_grant_range_flags(sh, 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 9);
	a = dora(C_PRIMARY);
	m = msg(DHCP4_RELEASE, C_PRIMARY);
	m.ciaddr = a;
	server_id(&m, SERVER);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_LEASE_RELEASED], 1);
	e = shard_addr_entry(sh, 0, a);
	cr_assert_eq(e->state, LW_BIND_BACKUP);
	cr_assert_eq(e->owner, ADDR_OWNER_NONE);
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 1);

	/* Not offered again, not even to its last holder ... */
	m = msg(DHCP4_DISCOVER, C_PRIMARY);
	want_ip(&m, a);
	cr_assert_eq(run(&m, &r), 1);
	cr_assert_neq(yiaddr(), a);
	/* ... and a request for it is the peer's business: silence, no NAK. */
	m = msg(DHCP4_REQUEST, 9);
	want_ip(&m, a);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_PEER_ADDRESS], 1);

	/* Expiry: MCLT-long lease (60 s), parked when it ends. */
	b = dora(3);
	shard_housekeep(sh, now + 60, 1024, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 1);
	e = shard_addr_entry(sh, 0, b);
	cr_assert_eq(e->state, LW_BIND_BACKUP);
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 2);
	/* The seven addresses left (the first offer has lapsed) and no more. */
	now += 60;
	for (unsigned c = 10; c < 17; c++) {
		m = msg(DHCP4_DISCOVER, c);
		cr_assert_eq(run(&m, &r), 1);
		cr_assert(yiaddr() != a && yiaddr() != b, "a parked address was offered");
	}
	m = msg(DHCP4_DISCOVER, 17);
	cr_assert_eq(run(&m, &r), 0);
	cr_assert_eq(ctr[LW_CTR_DROP_POOL_EXHAUSTED], 1);
}

/*
 * The worker's option cache changes no byte of any reply: each request is
 * answered without the cache, then with it twice (a miss that fills it, a
 * hit), and the three replies must be identical; a small maximum message
 * size (options skipped) and a list that differs are answered as without it.
 */
Test(server, option_cache_gives_the_same_bytes)
{
	static struct srv_optcache oc[SRV_OC_ENTRIES];
	static const uint8_t lists[][12] = {
		{1, 3, 6, 15, 28, 51, 54, 58, 59}, {3, 1}, {6, 3, 1, 15, 119, 121}, {1}};
	static const uint8_t list_len[] = {9, 2, 6, 1};
	uint8_t first[1500];

	for (unsigned v = 0; v < 6; v++) {
		struct dhcp4_msg m = msg(DHCP4_DISCOVER, 300 + v);
		struct srv_reply r;
		uint16_t len;

		if (v < 4) {
			m.has |= DHCP4_HAS_PRL;
			m.prl_len = list_len[v];
			memcpy(m.prl, lists[v], list_len[v]);
		} else if (v == 5) {
			m.has |= DHCP4_HAS_PRL | DHCP4_HAS_MAX_MSG_SIZE;
			m.prl_len = list_len[0];
			memcpy(m.prl, lists[0], list_len[0]);
			m.max_msg_size = 576;
		}
		use_oc = NULL;
		cr_assert_eq(run(&m, &r), 1, "variant %u", v);
		len = r.len;
		memcpy(first, buf, len);
		use_oc = oc;
		for (unsigned k = 0; k < 2; k++) {
			cr_assert_eq(run(&m, &r), 1);
			cr_assert_eq(r.len, len, "variant %u, pass %u: length", v, k);
			cr_assert(memcmp(buf, first, len) == 0, "variant %u, pass %u: bytes", v, k);
		}
	}
	use_oc = NULL;
}
