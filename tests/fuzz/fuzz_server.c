/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target for the whole server decision path, without EAL: parse,
 * srv_process() on a real shard (rte_hash mocked, as in the unit tests),
 * housekeeping as time goes by. State carries over from one input to the
 * next, so sequences of requests from many clients reach the lease logic.
 *
 * Invariants (a broken one traps): a reply always fits the 1500-byte
 * buffer; it is 300..1500 bytes and parses back with the type the server
 * reports; an OFFER or a lease ACK gives an address inside a configured
 * subnet, and a lease ACK gives exactly the address the client asked for;
 * binding events are numbered without gaps and name configured addresses.
 *
 * An input of exactly 64 bytes (too short for DHCP) is a command from the
 * control process instead (union lw_cmd): loads, grants, deletes and moves
 * with arbitrary fields must change nothing they should not and never crash.
 *
 * A second shard (the peer, which serves no DHCP) starts with none of the
 * addresses; moves send it some, and the served shard, once dry, asks for
 * them back. After every input the messages between the two are delivered,
 * and then every free address belongs to exactly one free set: the one of
 * its owner.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/lw_counters.h"
#include "common/lw_err.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "dataplane/server.h"
#include "tests/dataplane/server_cfg.h"

#define BUF_SIZE       1500
#define CAPACITY       4096
#define HK_EVERY       1024 /* inputs between two housekeeping runs */
#define SECOND_EVERY   16   /* inputs per simulated second */
#define EVENTS_AT_ONCE 64

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lw_config *cfg;
static struct srv_tables *tbl;
static struct addr_space *as;
static struct shard *sh, *peer;
static uint64_t ctr[LW_CTR_MAX];
static uint32_t now = 1000000;
static uint64_t n_inputs;
static uint64_t last_seq;

/* The message rings between the two shards. */
struct queued {
	unsigned to;
	struct wmsg m;
};
static struct queued q[256];
static unsigned nq;

static int send_msg(void *arg, unsigned to, const struct wmsg *m)
{
	(void)arg;
	if (nq == sizeof(q) / sizeof(q[0]))
		return -1;
	q[nq].to = to;
	q[nq].m = *m;
	nq++;
	return 0;
}

/* Handling a message may send another (a request is answered by a grant). */
static void deliver(void)
{
	for (unsigned i = 0; i < nq; i++) {
		CHECK(q[i].to <= 1);
		shard_handle_msg(q[i].to ? peer : sh, &q[i].m, ctr);
	}
	nq = 0;
}

/* Nothing in flight: the free entries owned by each shard are its free set. */
static void check_free_sets(void)
{
	const struct addr_space *a = shard_addr_space(sh);

	for (unsigned p = 0; p < a->n_pools; p++) {
		const struct addr_pool *ap = &a->pools[p];
		uint32_t owned[2] = {0, 0};

		for (uint32_t off = 0; off < ap->size; off++) {
			if (ap->e[off].state != LW_BIND_FREE)
				continue;
			CHECK(ap->e[off].owner <= 1);
			owned[ap->e[off].owner]++;
		}
		CHECK(owned[0] == addr_space_free_count(a, p, 0));
		CHECK(owned[1] == addr_space_free_count(a, p, 1));
	}
}

static void init_once(void)
{
	struct shard_params p = {0};
	char err[512], text[4096];

	snprintf(text, sizeof(text), srv_test_cfg_fmt, "true", "198.18.0.100 - 198.18.0.109");
	if (lw_config_load_string(text, "fuzz.cfg", &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_server: config: %s\n", err);
		__builtin_trap();
	}
	tbl = srv_tables_build(cfg);
	as = addr_space_create(cfg, 2);
	CHECK(tbl != NULL && as != NULL);
	p.as = as;
	p.cfg = cfg;
	p.capacity = CAPACITY;
	p.send = send_msg;
	sh = shard_create(&p);
	CHECK(sh != NULL);
	p.id = 1;
	p.capacity = 64;
	peer = shard_create(&p);
	CHECK(peer != NULL);
	/* The served shard starts with the whole pool. */
	for (unsigned pool = 0; pool < as->n_pools; pool++)
		while (shard_give(peer, 0, pool, UINT32_MAX, ctr) > 0)
			deliver();
	check_free_sets();
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool in_a_subnet(uint32_t a)
{
	return lw_config_subnet_for(cfg, a) != NULL;
}

/* Takes the events out, as the journal would, and checks their numbering. */
static void drain_events(void)
{
	struct lw_bind_event ev[EVENTS_AT_ONCE];
	unsigned n;

	while ((n = shard_events_take(sh, ev, EVENTS_AT_ONCE)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			CHECK(ev[i].type == LW_EV_BIND);
			CHECK(ev[i].version == LW_RECORDS_VERSION);
			CHECK(ev[i].seq == last_seq + 1);
			CHECK(ev[i].state <= LW_BIND_RESERVED);
			CHECK(in_a_subnet(ev[i].addr));
			CHECK(ev[i].subnet < cfg->n_subnets);
			last_seq = ev[i].seq;
		}
	}
	CHECK(shard_last_seq(sh) == last_seq);
	/* The journal has them: the shard may let them go. */
	shard_events_durable(sh, last_seq);
}

static void command(const uint8_t *data)
{
	union lw_cmd c;
	struct shard_stats st;
	int rc = 0;

	memcpy(&c, data, sizeof(c));
	switch (c.hdr.type) {
	case LW_CMD_LOAD:
		rc = shard_load(sh, &c.bind, now);
		CHECK(rc <= 0);
		break;
	case LW_CMD_GRANT:
		rc = shard_grant_range(
			sh, c.grant.pool, c.grant.first, c.grant.last, c.grant.stride);
		break;
	case LW_CMD_DELETE:
		rc = shard_delete(sh, &c.bind, now);
		CHECK(rc <= 0);
		break;
	case LW_CMD_MOVE:
		/* Either way: the worker field picks the giver. */
		rc = shard_give(
			c.move.worker & 1 ? peer : sh, c.move.to, c.move.pool, c.move.n, ctr);
		CHECK(rc <= (int64_t)c.move.n);
		deliver();
		break;
	default:
		break;
	}
	shard_get_stats(sh, &st);
	CHECK(st.active <= st.leases && st.leases <= CAPACITY);
	check_free_sets();
	drain_events();
}

/* A reply srv_process() said to send. */
static void check_reply(const struct dhcp4_msg *m, const struct srv_reply *out, const uint8_t *buf)
{
	uint8_t copy[BUF_SIZE];
	struct dhcp4_msg r;
	uint32_t yiaddr = be32(buf + 16);

	CHECK(out->len >= BOOTP_MIN_LEN && out->len <= BUF_SIZE);
	CHECK(out->type == DHCP4_OFFER || out->type == DHCP4_ACK || out->type == DHCP4_NAK);
	CHECK(out->dst >= SRV_DST_BROADCAST && out->dst <= SRV_DST_UNICAST);
	if (m->giaddr)
		CHECK(out->dst_ip == m->giaddr && out->dst_port == DHCP4_SERVER_PORT);
	else
		CHECK(out->dst_port == DHCP4_CLIENT_PORT);
	CHECK(buf[0] == BOOTP_REPLY);
	CHECK(be32(buf + 4) == m->xid);

	/* The reply reads back as a request of the type announced. */
	memcpy(copy, buf, out->len);
	copy[0] = BOOTP_REQUEST;
	CHECK(dhcp4_parse(copy, out->len, &r) == 0);
	CHECK(r.msg_type == out->type);
	CHECK(r.has & DHCP4_HAS_SERVER_ID);

	switch (out->type) {
	case DHCP4_OFFER:
		CHECK(m->msg_type == DHCP4_DISCOVER);
		CHECK(in_a_subnet(yiaddr));
		break;
	case DHCP4_ACK:
		if (m->msg_type == DHCP4_INFORM) {
			CHECK(yiaddr == 0);
			CHECK(out->event_seq == 0);
			break;
		}
		CHECK(m->msg_type == DHCP4_REQUEST);
		CHECK(in_a_subnet(yiaddr));
		/* RFC 2131 4.3.2: the address asked for (50), else the one in use (ciaddr). */
		CHECK(yiaddr == ((m->has & DHCP4_HAS_REQUESTED_IP) ? m->requested_ip : m->ciaddr));
		CHECK(out->event_seq > 0);
		break;
	case DHCP4_NAK:
		CHECK(m->msg_type == DHCP4_REQUEST);
		CHECK(yiaddr == 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[BUF_SIZE];
	struct shard_hint hint;
	struct srv_ctx c;
	struct srv_req rq = {.port = 0};
	struct srv_reply out;
	struct dhcp4_msg m;
	int rc;

	if (sh == NULL)
		init_once();
	if (size > BUF_SIZE)
		return 0;

	n_inputs++;
	if (n_inputs % SECOND_EVERY == 0)
		now++;
	if (n_inputs % HK_EVERY == 0) {
		shard_housekeep(sh, now, CAPACITY, ctr);
		drain_events();
	}

	if (size == sizeof(union lw_cmd)) {
		command(data);
		return 0;
	}
	/* The request sits in the buffer the reply is built in. */
	memcpy(buf, data, size);
	memset(buf + size, 0, sizeof(buf) - size);
	if (dhcp4_parse(buf, size, &m) != 0)
		return 0;

	rq.ip_src = m.giaddr ? m.giaddr : m.ciaddr;
	rq.ip_dst = m.ciaddr ? cfg->ports[0].addr : 0xffffffffu;
	c = (struct srv_ctx){.cfg = cfg, .tbl = tbl, .shard = sh, .now = now, .ctr = ctr};
	memset(&out, 0, sizeof(out));
	/* Every other input as the worker handles it: the client looked up
	 * ahead (through the address it names, or the bulk lookup), the reply
	 * written over the request's own bytes. */
	if (n_inputs & 1) {
		const struct dhcp4_msg *mp = &m;

		srv_lookup_burst(&c, &mp, 1, &hint);
		rq.hint = &hint;
		rq.in_place = true;
	}
	rc = srv_process(&c, &rq, &m, buf, sizeof(buf), &out);
	CHECK(rc == 0 || rc == 1);
	if (rc == 1)
		check_reply(&m, &out, buf);
	deliver();
	check_free_sets();
	drain_events();
	return 0;
}
