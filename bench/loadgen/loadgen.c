/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-loadgen: a DPDK DHCPv4 client emulator for benchmarks.
 *
 *   leasewire-loadgen [EAL args] -- --clients N --rate R --duration S
 *       [--relay GIADDR [--server ADDR]] [--mac-base 02:00:00:00:00:00]
 *       [--client-id] [--range FIRST-LAST] [--timeout-ms T] [--tries K]
 *       [--max-outstanding M] [--json FILE] [--port P] [--mbufs B]
 *   leasewire-loadgen [EAL args] -- --reflect [--server-id ADDR]
 *       [--duration S]
 *
 * EAL: one lcore and one port (a vdev without a NIC), e.g.
 *   -l 0 --no-huge -m 256 --no-pci --file-prefix lg
 *   --vdev=net_memif0,role=client,socket=/tmp/x.sock
 *
 * Generator: N distinct clients (chaddr = mac-base + i, optional client
 * identifier 01+chaddr) each run DISCOVER -> OFFER -> REQUEST (options 50,
 * 54) -> ACK once. New DISCOVERs are paced at R per second from the TSC
 * (R = 0: as fast as the port takes them), for S seconds or until N clients
 * have started, then the run waits for the outstanding ones. Without
 * --relay a client broadcasts from 0.0.0.0:68 with the broadcast flag; with
 * --relay the frames come from GIADDR:67 (giaddr set, hops 1) to ADDR:67
 * (255.255.255.255 by default) and replies are expected at port 67.
 * A request unanswered after T ms (1000) is sent again, K tries (3) in all;
 * then the client counts as lost.
 *
 * Every reply is checked: xid of a started client (xid = index XOR a
 * per-run salt), chaddr of that client, type expected in its state, yiaddr
 * non-zero and inside --range, server identifier present, the ACKed address
 * equal to the offered one, and no address ACKed to two clients (an
 * open-addressing table yiaddr -> client). A failed check ends the client
 * and is counted by kind; a late duplicate of an answered request is counted
 * as stray, not as a failure.
 *
 * Latency: DISCOVER->OFFER and REQUEST->ACK from the last transmission,
 * and the whole exchange from the first DISCOVER, in lg_hist histograms
 * (p50/p99/max). Exchanges slower than 1 s are counted as late (ISC's
 * criterion, BENCHMARKS.md).
 *
 * Output: one progress line a second on stderr, a summary on stdout and,
 * with --json, every figure in a file ("schema": 1).
 *
 * --reflect: a trivial responder on the same transport (OFFER for every
 * DISCOVER, ACK for every REQUEST, yiaddr 10.0.0.1 + (xid mod 2^24)), to
 * measure the generator's own ceiling. It runs for S seconds (by default
 * and with 0: until SIGINT/SIGTERM).
 *
 * --max-outstanding M holds new DISCOVERs while M clients are unfinished
 * (with --rate 0: a closed loop, for the reflector's ceiling).
 *
 * Design: one lcore polls: RX burst -> check/advance clients -> expire
 * timeouts -> start new clients -> TX burst. Timeouts are a FIFO of (client,
 * send time): the timeout is the same for all, so the FIFO is in deadline
 * order; an entry whose client has since moved on is skipped. Frames the
 * port does not take stay queued (tx-busy counts those bursts) and hold back
 * new DISCOVERs: a full ring slows the offered rate instead of losing the
 * generator's own frames; only when the queue itself is full is a frame
 * dropped (tx-drop) and left to the retransmit timer. No syscall, malloc or
 * log line in the loop. Files: lg_wire.c (frames, EAL-free), lg_hist.c
 * (latency), lg_report.c (table, JSON), smoke.sh (leasewire and the
 * reflector over memif, end to end).
 *
 * Figures (2 shared vCPUs, memif, --no-huge, durability none, one worker;
 * noisy, other jobs running): zero exchanges over 1 s at 50,000-150,000
 * leases/s depending on the neighbours' load, 26-40 % late at 200,000/s;
 * reflector ceiling 0.2-1.2 M leases/s, typically ~0.8 M (1,024
 * outstanding).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench/loadgen/lg.h"
#include "common/dhcp4.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: leasewire-loadgen [EAL args] -- --clients N --rate R --duration S\n"
			"         [--relay GIADDR [--server ADDR]] [--mac-base MAC] [--client-id]\n"
			"         [--range FIRST-LAST] [--timeout-ms T] [--tries K]\n"
			"         [--max-outstanding M] [--json FILE] [--port P] [--mbufs B]\n"
			"       leasewire-loadgen [EAL args] -- --reflect [--server-id ADDR] "
			"[--duration S]\n");
	exit(2);
}

static uint32_t parse_ip(const char *key, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "leasewire-loadgen: %s: '%s' is not an IPv4 address\n", key, s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static uint64_t parse_u64(const char *key, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "leasewire-loadgen: %s: '%s' is not a number\n", key, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct lg_opts *o)
{
	static const struct option lo[] = {
		{"clients", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"relay", required_argument, NULL, 'g'},
		{"server", required_argument, NULL, 's'},
		{"mac-base", required_argument, NULL, 'm'},
		{"client-id", no_argument, NULL, 'c'},
		{"range", required_argument, NULL, 'R'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"tries", required_argument, NULL, 'k'},
		{"max-outstanding", required_argument, NULL, 'M'},
		{"json", required_argument, NULL, 'j'},
		{"port", required_argument, NULL, 'p'},
		{"mbufs", required_argument, NULL, 'b'},
		{"reflect", no_argument, NULL, 'x'},
		{"server-id", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *dash, *end;
	int c;

	o->clients = 1000;
	o->rate = 1000;
	o->duration = -1; /* 10 s, or until a signal with --reflect */
	o->timeout_ms = 1000;
	o->tries = 3;
	o->mbufs = 16383;
	o->server_id = parse_ip("--server-id", "198.18.0.1");
	memcpy(o->mac_base, (const uint8_t[]){0x02, 0, 0, 0, 0, 0}, 6);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->clients = parse_u64("--clients", optarg);
			break;
		case 'r':
			o->rate = parse_u64("--rate", optarg);
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (end == optarg || *end || !(o->duration >= 0)) {
				fprintf(stderr,
					"leasewire-loadgen: --duration: '%s' is not seconds\n",
					optarg);
				exit(2);
			}
			break;
		case 'g':
			o->wire.relay = true;
			o->wire.giaddr = parse_ip("--relay", optarg);
			break;
		case 's':
			o->wire.server = parse_ip("--server", optarg);
			break;
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &o->mac_base[0],
				    &o->mac_base[1], &o->mac_base[2], &o->mac_base[3],
				    &o->mac_base[4], &o->mac_base[5]) != 6) {
				fprintf(stderr,
					"leasewire-loadgen: --mac-base: '%s' is not a MAC\n",
					optarg);
				exit(2);
			}
			break;
		case 'c':
			o->wire.client_id = true;
			break;
		case 'R':
			dash = strchr(optarg, '-');
			if (dash == NULL)
				usage();
			*dash = '\0';
			o->range_first = parse_ip("--range", optarg);
			o->range_last = parse_ip("--range", dash + 1);
			break;
		case 't':
			o->timeout_ms = parse_u64("--timeout-ms", optarg);
			break;
		case 'k':
			o->tries = (unsigned int)parse_u64("--tries", optarg);
			break;
		case 'M':
			o->max_outstanding = parse_u64("--max-outstanding", optarg);
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'p':
			o->port = (uint16_t)parse_u64("--port", optarg);
			break;
		case 'b':
			o->mbufs = (unsigned int)parse_u64("--mbufs", optarg);
			break;
		case 'x':
			o->reflect = true;
			break;
		case 'S':
			o->server_id = parse_ip("--server-id", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o->tries < 1 || o->timeout_ms < 1 ||
		(!o->reflect && (o->clients < 1 || o->clients > (1u << 31))))
		usage();
	if (o->duration < 0)
		o->duration = o->reflect ? 0 : 10;
	if (o->wire.server && !o->wire.relay) {
		fprintf(stderr, "leasewire-loadgen: --server needs --relay\n");
		exit(2);
	}
}

static void port_init(struct lg *g)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_link link;
	uint16_t port = g->o.port;
	uint16_t nrx = LG_NB_DESC, ntx = LG_NB_DESC;
	struct rte_ether_addr mac;
	int rc;

	if (!rte_eth_dev_is_valid_port(port))
		rte_exit(EXIT_FAILURE, "port %u does not exist: give a --vdev to EAL\n", port);
	g->pool = rte_pktmbuf_pool_create(
		"lg_pool", g->o.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (g->pool == NULL)
		rte_exit(EXIT_FAILURE, "mbuf pool of %u: %s (raise -m)\n", g->o.mbufs,
			rte_strerror(rte_errno));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(
			port, 0, nrx, rte_eth_dev_socket_id(port), NULL, g->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, ntx, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "port %u setup: %s\n", port, rte_strerror(-rc));
	rte_eth_promiscuous_enable(port);
	rte_eth_macaddr_get(port, &mac);
	memcpy(g->o.wire.relay_mac, mac.addr_bytes, 6);
	/* memif links come up when the peer connects. */
	for (int i = 0; i < 300 && !stop; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return;
		rte_delay_ms(100);
	}
	rte_exit(EXIT_FAILURE, "port %u: link down after 30 s (is the peer running?)\n", port);
}

/*
 * Sends what the port takes; the rest stays queued for the next call, so
 * that a full TX ring delays the generator's frames instead of losing them.
 */
static void tx_flush(struct lg *g)
{
	uint16_t sent;

	if (g->ntx == 0)
		return;
	sent = rte_eth_tx_burst(g->o.port, 0, g->txb, (uint16_t)g->ntx);
	g->ctr[C_TX] += sent;
	if (sent < g->ntx) {
		g->ctr[C_TX_BUSY]++;
		memmove(g->txb, g->txb + sent, (g->ntx - sent) * sizeof(g->txb[0]));
	}
	g->ntx -= sent;
}

static void tx_push(struct lg *g, struct rte_mbuf *m)
{
	if (g->ntx == LG_TXBUF)
		tx_flush(g);
	if (g->ntx == LG_TXBUF) {
		g->ctr[C_TX_DROP]++; /* the timeout sends it again */
		rte_pktmbuf_free(m);
		return;
	}
	g->txb[g->ntx++] = m;
}

static void client_mac(const struct lg *g, uint64_t idx, uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | g->o.mac_base[i];
	v += idx;
	for (int i = 5; i >= 0; i--) {
		mac[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Sends the request of client idx's current state and queues its timeout. */
static void client_send(struct lg *g, uint32_t idx, uint64_t now)
{
	struct lg_client *c = &g->cl[idx];
	struct rte_mbuf *m;
	uint8_t mac[6];
	struct lg_tq_entry *e;
	uint8_t *p;

	c->t_sent = now;
	c->tries++;
	e = &g->tq[g->tq_tail++ & g->tq_mask];
	e->sent = now;
	e->idx = idx;
	m = rte_pktmbuf_alloc(g->pool);
	if (m == NULL) {
		g->ctr[C_MBUF_FAIL]++; /* the timeout sends it again */
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, LG_FRAME_LEN);
	client_mac(g, idx, mac);
	if (c->state == ST_WAIT_OFFER)
		lg_build_request(
			p, LG_FRAME_LEN, &g->o.wire, DHCP4_DISCOVER, idx ^ g->salt, mac, 0, 0);
	else
		lg_build_request(p, LG_FRAME_LEN, &g->o.wire, DHCP4_REQUEST, idx ^ g->salt, mac,
			c->yiaddr, c->server_id);
	tx_push(g, m);
}

static void client_end(struct lg *g, struct lg_client *c, enum lg_state st, enum lg_ctr why)
{
	c->state = (uint8_t)st;
	g->ctr[why]++;
	g->outstanding--;
}

static uint64_t addr_slot(const struct lg *g, uint32_t a)
{
	return ((uint64_t)a * 2654435761u) & g->addr_mask;
}

/* Records that a is bound to idx; false if another client holds it. */
static bool addr_claim(struct lg *g, uint32_t a, uint32_t idx)
{
	uint64_t s = addr_slot(g, a);

	while (g->addr_val[s]) {
		if (g->addr_key[s] == a)
			return g->addr_val[s] == idx + 1;
		s = (s + 1) & g->addr_mask;
	}
	g->addr_key[s] = a;
	g->addr_val[s] = idx + 1;
	return true;
}

static bool in_range(const struct lg *g, uint32_t a)
{
	return g->o.range_last == 0 || (a >= g->o.range_first && a <= g->o.range_last);
}

static void handle_reply(struct lg *g, const uint8_t *f, size_t len, uint64_t now)
{
	uint16_t port = g->o.wire.relay ? DHCP4_SERVER_PORT : DHCP4_CLIENT_PORT;
	struct lg_reply r;
	struct lg_client *c;
	uint32_t idx;
	uint8_t mac[6];
	int rc;

	rc = lg_parse_reply(f, len, port, &r);
	if (rc != 0) {
		g->ctr[rc == -1 ? C_NOT_DHCP : C_MALFORMED]++;
		return;
	}
	idx = r.xid ^ g->salt;
	if (idx >= g->o.clients || g->cl[idx].state == ST_IDLE) {
		g->ctr[C_BAD_XID]++;
		return;
	}
	c = &g->cl[idx];
	client_mac(g, idx, mac);
	if (memcmp(mac, r.chaddr, 6) != 0) {
		g->ctr[C_CHADDR]++;
		return;
	}
	if ((r.type == DHCP4_OFFER && c->state != ST_WAIT_OFFER) ||
		((r.type == DHCP4_ACK || r.type == DHCP4_NAK) && c->state != ST_WAIT_ACK)) {
		g->ctr[C_STRAY]++; /* a late answer to a retransmitted request */
		return;
	}
	if (r.type == DHCP4_NAK) {
		client_end(g, c, ST_FAILED, C_NAK);
		return;
	}
	if (r.type != DHCP4_OFFER && r.type != DHCP4_ACK) {
		g->ctr[C_BAD_TYPE]++;
		return;
	}
	if (!r.has_server_id) {
		client_end(g, c, ST_FAILED, C_NO_SERVER_ID);
		return;
	}
	if (r.yiaddr == 0) {
		client_end(g, c, ST_FAILED, C_YIADDR_ZERO);
		return;
	}
	if (!in_range(g, r.yiaddr)) {
		client_end(g, c, ST_FAILED, C_OUT_OF_RANGE);
		return;
	}
	if (r.type == DHCP4_OFFER) {
		lg_hist_add(&g->h_offer, (uint64_t)((double)(now - c->t_sent) * g->ns_per_cyc));
		c->yiaddr = r.yiaddr;
		c->server_id = r.server_id;
		c->state = ST_WAIT_ACK;
		c->tries = 0;
		client_send(g, idx, now);
		return;
	}
	if (r.yiaddr != c->yiaddr) {
		client_end(g, c, ST_FAILED, C_ACK_MISMATCH);
		return;
	}
	if (!addr_claim(g, r.yiaddr, idx)) {
		client_end(g, c, ST_FAILED, C_DUP_ADDRESS);
		return;
	}
	lg_hist_add(&g->h_ack, (uint64_t)((double)(now - c->t_sent) * g->ns_per_cyc));
	lg_hist_add(&g->h_dora, (uint64_t)((double)(now - c->t_start) * g->ns_per_cyc));
	if ((double)(now - c->t_start) * g->ns_per_cyc > LG_LATE_NS)
		g->ctr[C_LATE]++;
	g->t_last_ack = now;
	client_end(g, c, ST_DONE, C_COMPLETED);
}

static void expire(struct lg *g, uint64_t now)
{
	while (g->tq_head != g->tq_tail) {
		struct lg_tq_entry *e = &g->tq[g->tq_head & g->tq_mask];
		struct lg_client *c;

		if (now - e->sent < g->timeout_cyc)
			return;
		g->tq_head++;
		c = &g->cl[e->idx];
		if ((c->state != ST_WAIT_OFFER && c->state != ST_WAIT_ACK) || c->t_sent != e->sent)
			continue;
		if (c->tries < g->o.tries) {
			g->ctr[C_RETRANSMIT]++;
			client_send(g, e->idx, now);
		} else {
			client_end(g, c, ST_FAILED,
				c->state == ST_WAIT_OFFER ? C_TIMEOUT_OFFER : C_TIMEOUT_ACK);
		}
	}
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static void gen_alloc(struct lg *g)
{
	uint64_t n = g->o.clients, tq;

	g->cl = calloc(n, sizeof(*g->cl));
	/* Every entry is a transmission of the last timeout period (see header). */
	tq = 2 * (uint64_t)g->o.tries * n + LG_TXBUF;
	if (g->o.rate)
		tq = RTE_MIN(tq,
			4 * (uint64_t)g->o.tries * g->o.rate * ((g->o.timeout_ms + 999) / 1000) +
				(1u << 16));
	g->tq_mask = pow2_at_least(tq) - 1;
	g->tq = malloc((g->tq_mask + 1) * sizeof(*g->tq));
	g->addr_mask = pow2_at_least(2 * n) - 1;
	g->addr_key = calloc(g->addr_mask + 1, sizeof(uint32_t));
	g->addr_val = calloc(g->addr_mask + 1, sizeof(uint32_t));
	if (!g->cl || !g->tq || !g->addr_key || !g->addr_val)
		rte_exit(EXIT_FAILURE, "out of memory for %" PRIu64 " clients\n", n);
}

static void progress(struct lg *g, double t, const uint64_t *last)
{
	fprintf(stderr,
		"t=%5.1fs offered/s %8" PRIu64 " answered/s %8" PRIu64 " outstanding %7" PRIu64
		" lost %7" PRIu64 " p99 D-O %7.0fus R-A %7.0fus\n",
		t, g->ctr[C_STARTED] - last[C_STARTED], g->ctr[C_COMPLETED] - last[C_COMPLETED],
		g->outstanding, g->ctr[C_STARTED] - g->ctr[C_COMPLETED] - g->outstanding,
		lg_hist_pct_us(&g->h_offer, 0.99), lg_hist_pct_us(&g->h_ack, 0.99));
}

static void run_gen(struct lg *g)
{
	struct rte_mbuf *rx[LG_BURST];
	uint64_t last[C_N], now, t0, next_report, t_end, t_drain, due;
	uint64_t started = 0;

	gen_alloc(g);
	g->salt = (uint32_t)rte_rdtsc() & 0x7fff0000u;
	t0 = rte_rdtsc();
	g->t_first = t0;
	t_end = t0 + (uint64_t)(g->o.duration * (double)g->hz);
	t_drain = t_end + g->timeout_cyc * g->o.tries + g->hz;
	next_report = t0 + g->hz;
	memcpy(last, g->ctr, sizeof(last));
	g->t_stop_offer = 0;
	for (;;) {
		uint16_t n = rte_eth_rx_burst(g->o.port, 0, rx, LG_BURST);

		now = rte_rdtsc();
		g->ctr[C_RX] += n;
		for (uint16_t i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(rx[i + 1], void *));
			handle_reply(g, rte_pktmbuf_mtod(rx[i], const uint8_t *),
				rte_pktmbuf_data_len(rx[i]), now);
		}
		if (n)
			rte_pktmbuf_free_bulk(rx, n);
		expire(g, now);
		due = g->o.rate ? (uint64_t)((double)(now - t0) / (double)g->hz * (double)g->o.rate)
				: UINT64_MAX;
		while (started < due && started < g->o.clients && now < t_end && !stop &&
			g->ntx < LG_TXBUF - 1) {
			struct lg_client *c = &g->cl[started];

			if (g->o.max_outstanding && g->outstanding >= g->o.max_outstanding)
				break;
			if (g->tq_tail - g->tq_head > g->tq_mask - 2 * LG_TXBUF) {
				g->ctr[C_QUEUE_FULL]++;
				break;
			}
			c->state = ST_WAIT_OFFER;
			c->t_start = now;
			g->outstanding++;
			g->ctr[C_STARTED]++;
			client_send(g, (uint32_t)started, now);
			started++;
		}
		if (g->t_stop_offer == 0 && (started == g->o.clients || now >= t_end || stop)) {
			g->t_stop_offer = now;
			g->completed_at_stop = g->ctr[C_COMPLETED];
		}
		tx_flush(g);
		if (now >= next_report) {
			progress(g, (double)(now - t0) / (double)g->hz, last);
			memcpy(last, g->ctr, sizeof(last));
			next_report += g->hz;
		}
		if (g->t_stop_offer && (g->outstanding == 0 || now >= t_drain || stop))
			break;
	}
	if (g->ntx) {
		g->ctr[C_TX_DROP] += g->ntx;
		rte_pktmbuf_free_bulk(g->txb, g->ntx);
		g->ntx = 0;
	}
}

static void run_reflect(struct lg *g)
{
	struct rte_mbuf *rx[LG_BURST], *tx[LG_BURST];
	uint64_t t0 = rte_rdtsc(), now, next_report = t0 + g->hz, last_rx = 0;
	uint64_t t_end =
		g->o.duration > 0 ? t0 + (uint64_t)(g->o.duration * (double)g->hz) : UINT64_MAX;
	uint8_t mac[6];

	memcpy(mac, g->o.wire.relay_mac, 6);
	while (!stop) {
		uint16_t n = rte_eth_rx_burst(g->o.port, 0, rx, LG_BURST), nt = 0, sent;

		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = rx[i];
			int len =
				lg_reflect(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m),
					rte_pktmbuf_data_len(m) + rte_pktmbuf_tailroom(m),
					g->o.server_id, mac, LG_REFLECT_BASE);

			if (len < 0) {
				g->ctr[C_NOT_DHCP]++;
				rte_pktmbuf_free(m);
				continue;
			}
			m->data_len = (uint16_t)len;
			m->pkt_len = (uint32_t)len;
			tx[nt++] = m;
		}
		g->ctr[C_RX] += n;
		sent = nt ? rte_eth_tx_burst(g->o.port, 0, tx, nt) : 0;
		g->ctr[C_TX] += sent;
		if (sent < nt) {
			g->ctr[C_TX_DROP] += nt - sent;
			rte_pktmbuf_free_bulk(tx + sent, nt - sent);
		}
		now = rte_rdtsc();
		if (now >= next_report) {
			fprintf(stderr,
				"reflect t=%5.1fs rx/s %8" PRIu64 " tx %" PRIu64 " tx-drop %" PRIu64
				" not-dhcp %" PRIu64 "\n",
				(double)(now - t0) / (double)g->hz, g->ctr[C_RX] - last_rx,
				g->ctr[C_TX], g->ctr[C_TX_DROP], g->ctr[C_NOT_DHCP]);
			last_rx = g->ctr[C_RX];
			next_report += g->hz;
		}
		if (now >= t_end)
			break;
	}
}

int main(int argc, char **argv)
{
	static struct lg g; /* three histograms: keep them off the stack */
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed\n");
	argc -= n;
	argv += n;
	parse_args(argc, argv, &g.o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	g.hz = rte_get_tsc_hz();
	g.ns_per_cyc = 1e9 / (double)g.hz;
	g.timeout_cyc = g.o.timeout_ms * g.hz / 1000;
	port_init(&g);
	if (g.o.reflect) {
		run_reflect(&g);
		printf("reflect: rx %" PRIu64 " tx %" PRIu64 " tx-drop %" PRIu64
		       " not-dhcp %" PRIu64 "\n",
			g.ctr[C_RX], g.ctr[C_TX], g.ctr[C_TX_DROP], g.ctr[C_NOT_DHCP]);
	} else {
		run_gen(&g);
		lg_report(&g);
	}
	rte_eth_dev_stop(g.o.port);
	rte_eth_dev_close(g.o.port);
	rte_eal_cleanup();
	return 0;
}
