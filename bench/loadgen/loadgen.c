/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-loadgen: a DPDK DHCPv4 client emulator for benchmarks.
 *
 *   leasewire-loadgen [EAL args] -- --clients N --rate R --duration S
 *       [--scenario dora|renew|release|avalanche] [--reuse]
 *       [--arrival S] [--deadline S] [--retrans-ms B]
 *       [--relay GIADDR [--server ADDR]] [--mac-base 02:00:00:00:00:00]
 *       [--client-id] [--range FIRST-LAST] [--timeout-ms T] [--tries K]
 *       [--max-outstanding M] [--json FILE] [--series FILE] [--cdf FILE]
 *       [--port P] [--queues Q] [--mbufs B]
 *   leasewire-loadgen [EAL args] -- --reflect [--server-id ADDR]
 *       [--duration S]
 *
 * --queues Q: Q queue pairs on the port (memif: the server's workers each
 * answer on their own TX queue, whose reader is the client's RX queue of the
 * same number). Requests all leave on queue 0, as through a NIC whose RSS
 * puts every direct client on one queue; replies are read from every queue
 * in turn, one RX burst per pass.
 *
 * EAL: one lcore and one port (a vdev without a NIC), e.g.
 *   -l 0 --no-huge -m 256 --no-pci --file-prefix lg
 *   --vdev=net_memif0,role=client,socket=/tmp/x.sock
 *
 * Clients: N distinct clients (chaddr = mac-base + i, optional client
 * identifier 01+chaddr). Without --relay a client broadcasts from
 * 0.0.0.0:68 with the broadcast flag; with --relay the frames come from
 * GIADDR:67 (giaddr set, hops 1) to ADDR:67 (255.255.255.255 by default) and
 * replies are expected at port 67.
 *
 * Scenarios (--scenario), run as phases one after the other:
 *   dora      each client runs DISCOVER -> OFFER -> REQUEST (options 50, 54)
 *             -> ACK once. New DISCOVERs are paced at R per second from the
 *             TSC (R = 0: as fast as the port takes them), for S seconds or
 *             until N clients have started; then the run waits for the
 *             outstanding ones. A request unanswered after T ms (1000) is
 *             sent again, K tries (3) in all; then the client is lost.
 *   renew     dora, then once no exchange is outstanding every bound client
 *             renews, paced at R: a REQUEST in RENEWING state (RFC 2131
 *             4.3.2: ciaddr = its address, no options 50/54, broadcast flag
 *             clear) sent by unicast from ciaddr:68 to the server's MAC and
 *             address, learnt from the source of the first OFFER/ACK (its
 *             server identifier is the IP destination). With --relay the
 *             renewal goes through the relay (giaddr set, so the ACK comes
 *             back to port 67). The ACK must carry the same address; the
 *             renewal's latency has its own histogram. Its xid has bit 31
 *             set (LG_XID_RENEW), so a late DORA ACK is not taken for it.
 *   release   dora, then every bound client sends a RELEASE (ciaddr, option
 *             54; unicast as above), paced at R, no answer expected. With
 *             --reuse, N new clients (mac-base + N + i) then run DORA: with a
 *             pool of N addresses they can only be served with released
 *             addresses, counted as address-reused.
 *   avalanche all N clients start their DISCOVER within --arrival S seconds
 *             (10; evenly paced at N/S per second) and retransmit with RFC
 *             2131 4.1's backoff: --retrans-ms B (4000) for the first
 *             retransmission, doubling up to 64 s, each randomised by +-B/4
 *             (+-1 s for 4 s). --tries K (here 0 = no limit) transmissions
 *             per state, then the client goes back to INIT, as after a NAK
 *             (RFC 2131 3.1 step 5); counted as restart. The run ends when
 *             every client holds a lease, or at --deadline S (60), and
 *             reports the time until all were bound, or how many were not.
 *
 * Every reply is checked: xid of a started client (xid = index XOR a
 * per-run salt), chaddr of that client, type expected in its state, yiaddr
 * non-zero and inside --range, server identifier present, the ACKed address
 * equal to the offered one (to the bound one for a renewal), and no address
 * ACKed to two clients (an open-addressing table yiaddr -> client; a client
 * that released its address no longer holds it). A failed check ends the
 * client and is counted by kind; a late duplicate of an answered request is
 * counted as stray, not as a failure.
 *
 * Latency: DISCOVER->OFFER, REQUEST->ACK and renewal REQUEST->ACK from the
 * last transmission, and the whole exchange from the first DISCOVER, in
 * lg_hist histograms (p50/p99/max). Exchanges slower than 1 s are counted
 * as late (ISC's criterion, BENCHMARKS.md).
 *
 * Output: one progress line a second on stderr (phase, offered/s,
 * answered/s, outstanding, bound, lost, retransmissions/s, p99 of the
 * exchanges completed in that second); the same rows kept in a
 * preallocated array (a day of them) and written by --series FILE as CSV:
 *   t_s,interval_s,offered,answered,late,lost,retransmit,bound,outstanding,
 *   p99_us
 * (t_s: seconds since the start at the end of the row; interval_s: 1 but
 * for the last row, which ends with the run; counts are per row: divide by
 * interval_s for a rate; offered: transactions started: DISCOVERs of new clients, renewals,
 * releases; answered: DORA or renewal ACKs; late: of those, over 1 s;
 * lost: clients given up; bound, outstanding: at the end of the second).
 * --cdf FILE writes the latency CDF from the histograms as CSV:
 *   latency_us,discover-offer,request-ack,exchange,renew
 * (fraction of samples at or below latency_us, one row per bucket that
 * holds a sample). bench/loadgen/plot.gp turns both into a PNG. A summary
 * goes to stdout and, with --json, every figure to a file:
 *   "schema": 2 (1 had no scenario, series or renew; the counter
 *   "queue-full" is gone), "tool", "config" {scenario, clients, rate,
 *   duration_s, relay, client_id, timeout_ms, tries, max_outstanding,
 *   arrival_s, deadline_s, retrans_ms, reuse}, "offer_seconds" (first to
 *   last new DISCOVER), "last_ack_seconds", "offered_per_s",
 *   "completed_per_s" (to the last ACK), "completed_in_window_per_s",
 *   "loss_percent", "late_or_lost_percent" (of the DORA phase),
 *   "second_phase_seconds" and "second_phase_per_s" (renewals or releases
 *   sent), "all_bound_seconds" (avalanche; 0: not reached), "run_seconds",
 *   "rx_cycles_per_frame", "unfinished", "bound", "counters" {one per kind,
 *   names in lg_report.c}, "latency" {discover-offer, request-ack,
 *   exchange, renew: count, p50_us, p90_us, p99_us, p999_us, max_us,
 *   mean_us}, "series" [the --series rows as objects].
 *
 * --reflect: a trivial responder on the same transport (OFFER for every
 * DISCOVER, ACK for every REQUEST, yiaddr 10.0.0.1 + (xid mod 2^24)), to
 * measure the generator's own ceiling. It runs for S seconds (by default
 * and with 0: until SIGINT/SIGTERM).
 *
 * --max-outstanding M holds new DISCOVERs while M clients are unfinished
 * (with --rate 0: a closed loop, for the reflector's ceiling).
 *
 * Design: one lcore polls: RX burst -> check/advance clients -> fire timers
 * -> start new transactions -> TX burst. Timers are a wheel of 1 ms slots
 * (LG_WHEEL, 131 s ahead) holding intrusive doubly linked lists of clients
 * (each client has at most one pending timer, unlinked when it is
 * answered), so that avalanche's randomised backoff costs O(1) per timer.
 * Frames the port does not take stay queued (tx-busy counts those bursts)
 * and hold back new transactions: a full ring slows the offered rate
 * instead of losing the generator's own frames; only when the queue itself
 * is full is a frame dropped (tx-drop) and left to the retransmit timer.
 * No syscall, malloc or log line in the loop; the once-a-second progress
 * line and series row are outside the per-packet path. Files: lg_wire.c
 * (frames, EAL-free, tests/bench/test_lg_wire.c), lg_hist.c (latency),
 * lg_report.c (table, JSON, CSV), plot.gp (gnuplot), smoke.sh (leasewire and
 * the reflector over memif, every scenario, end to end).
 *
 * Figures (2 shared vCPUs, memif, --no-huge, durability none, one worker;
 * noisy, other jobs running): zero exchanges over 1 s at 50,000-150,000
 * leases/s depending on the neighbours' load, 26-40 % late at 200,000/s;
 * reflector ceiling 0.2-1.2 M leases/s, typically ~0.8 M (1,024
 * outstanding).
 *
 * Avalanche: bench/avalanche.sh runs it against leasewire in one command.
 * On a quiet machine (2026-11-25 07:20, load 1.3-2.0, the handler of that
 * day) 1 M clients within 10 s were all bound after 16.0-18.9 s with
 * fsync (5 runs) and 12.1-12.4 s without (doc/performance.md). Earlier
 * runs by hand, on a loaded machine:
 *
 * Avalanche (2026-11-25; same machine, load average 2-10 from other jobs;
 * leasewire-dataplane + leasewire-control, one worker on its own vCPU, the
 * generator on the vCPU of the dataplane's main lcore and of control;
 * memif; subnet 10.0.0.0/8, pool 10.1.0.0-10.16.255.255 (1,048,576);
 * --scenario avalanche --clients 1000000 --arrival 10, RFC backoff from
 * 4 s +-1 s, no try limit): every client held a lease in every run, no
 * address given twice (dup-address 0; the server's leases-active
 * 1,000,000 and addresses-free 48,576 after each run), no NAK.
 *   durability fsync, 7 runs: all bound after 28.7, 30.7, 31.1, 33.9,
 *     35.3, 37.7, 62.5 s (median 33.9 s); 0.53-1.35 M retransmissions;
 *     0.14-0.69 M requests dropped at the generator because the server's
 *     memif ring was full (tx-drop: the NIC drop of a real network);
 *     exchange p50 0.02-4.8 s, p99 13-29 s (the backoff steps); the server
 *     answered 40,000-72,000 exchanges/s over the first 10 s (peaks
 *     59,000-120,000) and logged ACKs dropped with its hold queue full
 *     (ACKs waiting for their fsync).
 *   durability none, 5 runs: 17.2, 18.9, 18.9, 29.1, 34.9 s (median
 *     18.9 s); 77,000-1,060,000 retransmissions; 48,000-96,000 exchanges/s
 *     over the first 10 s.
 *   2,000,000 clients within 10 s, fsync, pool of 2 M: all bound after
 *     69.6 s, 4.7 M retransmissions, no address twice.
 * The target (1 M within 10 s, all bound within 30 s) was met in 1
 * of 7 fsync runs and 4 of 5 without durability: under this load the
 * server answers fewer than the 100,000 DISCOVERs/s offered, and the
 * clients it misses wait out their backoff (4, 8, 16 s ...). But the
 * machine is part of the limit: side by side (reflector, leasewire fsync,
 * reflector, ...; load average 5-7), the same avalanche against the
 * trivial reflector took 35.8, 17.5, 22.4 s (leasewire: 38.5, 32.9 s),
 * the reflector itself dropping replies the generator did not take in
 * time. The quiet runs above (all under 20 s, with a faster handler)
 * show how much of those times was the machine's load.
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
	fprintf(stderr,
		"usage: leasewire-loadgen [EAL args] -- --clients N --rate R --duration S\n"
		"         [--scenario dora|renew|release|avalanche] [--reuse]\n"
		"         [--arrival S] [--deadline S] [--retrans-ms B]\n"
		"         [--relay GIADDR [--server ADDR]] [--mac-base MAC] [--client-id]\n"
		"         [--range FIRST-LAST] [--timeout-ms T] [--tries K]\n"
		"         [--max-outstanding M] [--json FILE] [--series FILE] [--cdf FILE]\n"
		"         [--port P] [--queues Q] [--mbufs B]\n"
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

static double parse_secs(const char *key, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0)) {
		fprintf(stderr, "leasewire-loadgen: %s: '%s' is not seconds\n", key, s);
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
		{"queues", required_argument, NULL, 'q'},
		{"reflect", no_argument, NULL, 'x'},
		{"server-id", required_argument, NULL, 'S'},
		{"scenario", required_argument, NULL, 'C'},
		{"arrival", required_argument, NULL, 'A'},
		{"deadline", required_argument, NULL, 'D'},
		{"retrans-ms", required_argument, NULL, 'T'},
		{"reuse", no_argument, NULL, 'u'},
		{"series", required_argument, NULL, 'e'},
		{"cdf", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *dash;
	int c;
	bool tries_set = false;

	o->clients = 1000;
	o->rate = 1000;
	o->duration = -1; /* 10 s, or until a signal with --reflect */
	o->timeout_ms = 1000;
	o->tries = 3;
	o->retrans_ms = 4000;
	o->deadline = 60;
	o->mbufs = 16383;
	o->queues = 1;
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
			o->duration = parse_secs("--duration", optarg);
			break;
		case 'A':
			o->arrival = parse_secs("--arrival", optarg);
			break;
		case 'D':
			o->deadline = parse_secs("--deadline", optarg);
			break;
		case 'T':
			o->retrans_ms = parse_u64("--retrans-ms", optarg);
			break;
		case 'u':
			o->reuse = true;
			break;
		case 'e':
			o->series = optarg;
			break;
		case 'f':
			o->cdf = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "dora") == 0)
				o->scenario = SC_DORA;
			else if (strcmp(optarg, "renew") == 0)
				o->scenario = SC_RENEW;
			else if (strcmp(optarg, "release") == 0)
				o->scenario = SC_RELEASE;
			else if (strcmp(optarg, "avalanche") == 0)
				o->scenario = SC_AVALANCHE;
			else
				usage();
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
			tries_set = true;
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
		case 'q':
			o->queues = (uint16_t)parse_u64("--queues", optarg);
			if (o->queues < 1 || o->queues > 16) {
				fprintf(stderr, "--queues: 1 to 16\n");
				exit(2);
			}
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
	if (optind != argc || o->timeout_ms < 1 || o->timeout_ms > LG_WHEEL / 2 ||
		o->retrans_ms < 1 || o->retrans_ms > LG_MAX_TIMEOUT_MS ||
		(!o->reflect && (o->clients < 1 || o->clients > (1u << 30))))
		usage();
	if (o->scenario == SC_AVALANCHE) {
		/* Every client within --arrival s: the rate that spreads them evenly. */
		if (!tries_set)
			o->tries = 0; /* a modem never gives up */
		if (o->arrival <= 0)
			o->arrival = 10;
		o->rate = (uint64_t)((double)o->clients / o->arrival + 0.999);
		o->duration = o->deadline;
	} else if (o->tries < 1 || o->tries > UINT8_MAX) {
		usage();
	}
	if (o->reuse && o->scenario != SC_RELEASE) {
		fprintf(stderr, "leasewire-loadgen: --reuse needs --scenario release\n");
		exit(2);
	}
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
	rc = rte_eth_dev_configure(port, g->o.queues, g->o.queues, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	for (uint16_t q = 0; rc == 0 && q < g->o.queues; q++) {
		rc = rte_eth_rx_queue_setup(
			port, q, nrx, rte_eth_dev_socket_id(port), NULL, g->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(
				port, q, ntx, rte_eth_dev_socket_id(port), NULL);
	}
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

/* xorshift64*: the retransmission jitter, no syscall. */
static uint64_t rnd(struct lg *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ull;
}

static uint64_t now_ms(const struct lg *g, uint64_t now)
{
	return (now - g->t_first) / g->cyc_per_ms;
}

/*
 * Milliseconds until client c's last transmission (its tries-th) is given
 * up on: --timeout-ms, or in an avalanche RFC 2131 4.1's backoff, base 4 s
 * doubling up to 64 s, randomised by +-1/4 of the base (+-1 s for 4 s).
 */
static uint64_t timeout_ms(struct lg *g, const struct lg_client *c)
{
	uint64_t base = g->o.retrans_ms, t, j;
	unsigned int shift = c->tries > 1 ? c->tries - 1u : 0u;

	if (g->o.scenario != SC_AVALANCHE)
		return g->o.timeout_ms;
	t = base << (shift > 6 ? 6 : shift);
	if (t > LG_MAX_TIMEOUT_MS)
		t = LG_MAX_TIMEOUT_MS;
	j = base / 4;
	if (j)
		t = t - j + rnd(g) % (2 * j + 1);
	return t ? t : 1;
}

static void timer_disarm(struct lg *g, uint32_t idx)
{
	struct lg_client *c = &g->cl[idx];

	if (!c->armed)
		return;
	if (c->tw_prev != LG_NIL)
		g->cl[c->tw_prev].tw_next = c->tw_next;
	else
		g->tw[c->tw_slot] = c->tw_next;
	if (c->tw_next != LG_NIL)
		g->cl[c->tw_next].tw_prev = c->tw_prev;
	c->armed = 0;
}

/* Puts idx in the wheel slot ms milliseconds after its last transmission. */
static void timer_arm(struct lg *g, uint32_t idx, uint64_t ms)
{
	struct lg_client *c = &g->cl[idx];
	uint64_t at = now_ms(g, c->t_sent) + ms;
	uint32_t slot;

	timer_disarm(g, idx);
	if (at <= g->tw_pos)
		at = g->tw_pos + 1;
	slot = (uint32_t)(at & (LG_WHEEL - 1));
	c->tw_slot = slot;
	c->tw_prev = LG_NIL;
	c->tw_next = g->tw[slot];
	if (c->tw_next != LG_NIL)
		g->cl[c->tw_next].tw_prev = idx;
	g->tw[slot] = idx;
	c->armed = 1;
}

/*
 * Sends the message of client idx's current state and, if it expects an
 * answer, arms its retransmission timer. A RELEASE expects none.
 */
static void client_send(struct lg *g, uint32_t idx, uint64_t now)
{
	struct lg_client *c = &g->cl[idx];
	const struct lg_wire_cfg *w = &g->o.wire;
	uint32_t xid = idx ^ g->salt;
	struct rte_mbuf *m;
	uint8_t mac[6];
	uint8_t *p;

	c->t_sent = now;
	if (c->tries < UINT8_MAX)
		c->tries++;
	if (c->state != ST_RELEASED)
		timer_arm(g, idx, timeout_ms(g, c));
	m = rte_pktmbuf_alloc(g->pool);
	if (m == NULL) {
		g->ctr[C_MBUF_FAIL]++; /* the timeout sends it again */
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, LG_FRAME_LEN);
	client_mac(g, idx, mac);
	switch (c->state) {
	case ST_WAIT_OFFER:
		lg_build_request(p, LG_FRAME_LEN, w, DHCP4_DISCOVER, xid, mac, 0, 0);
		break;
	case ST_WAIT_ACK:
		lg_build_request(
			p, LG_FRAME_LEN, w, DHCP4_REQUEST, xid, mac, c->yiaddr, c->server_id);
		break;
	case ST_WAIT_RENEW:
		lg_build_unicast(p, LG_FRAME_LEN, w, DHCP4_REQUEST, xid | LG_XID_RENEW, mac,
			c->yiaddr, c->server_id, g->srv_mac);
		break;
	default: /* ST_RELEASED */
		lg_build_unicast(p, LG_FRAME_LEN, w, DHCP4_RELEASE, xid | LG_XID_RENEW, mac,
			c->yiaddr, c->server_id, g->srv_mac);
		break;
	}
	tx_push(g, m);
}

static void client_end(struct lg *g, uint32_t idx, enum lg_state st, enum lg_ctr why)
{
	struct lg_client *c = &g->cl[idx];

	timer_disarm(g, idx);
	if (c->state == ST_WAIT_RENEW && st == ST_FAILED)
		g->bound--;
	c->state = (uint8_t)st;
	g->ctr[why]++;
	g->outstanding--;
	if (st == ST_FAILED)
		g->failed++;
}

/* A client (back) in INIT: DISCOVER, tries counted afresh (RFC 2131 3.1). */
static void client_init(struct lg *g, uint32_t idx, uint64_t now)
{
	struct lg_client *c = &g->cl[idx];

	c->state = ST_WAIT_OFFER;
	c->tries = 0;
	client_send(g, idx, now);
}

static uint64_t addr_slot(const struct lg *g, uint32_t a)
{
	return ((uint64_t)a * 2654435761u) & g->addr_mask;
}

/*
 * Records that a is bound to idx; false if another client holds it. A
 * client that released its address holds it no more.
 */
static bool addr_claim(struct lg *g, uint32_t a, uint32_t idx)
{
	uint64_t s = addr_slot(g, a);

	while (g->addr_val[s]) {
		if (g->addr_key[s] == a) {
			uint32_t holder = g->addr_val[s] - 1;

			if (holder == idx)
				return true;
			if (g->cl[holder].state != ST_RELEASED)
				return false;
			g->addr_val[s] = idx + 1;
			g->ctr[C_REUSED]++;
			return true;
		}
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

static void add_latency(struct lg *g, struct lg_hist *half, const struct lg_client *c, uint64_t now)
{
	uint64_t whole = (uint64_t)((double)(now - c->t_start) * g->ns_per_cyc);

	lg_hist_add(half, (uint64_t)((double)(now - c->t_sent) * g->ns_per_cyc));
	lg_hist_add(&g->h_sec, whole);
	if (whole > LG_LATE_NS)
		g->ctr[C_LATE]++;
	if (half != &g->h_renew)
		lg_hist_add(&g->h_dora, whole);
}

/* The ACK of a renewal (xid with LG_XID_RENEW): same address, RFC 2131 4.3.2. */
static void renew_reply(struct lg *g, uint32_t idx, const struct lg_reply *r, uint64_t now)
{
	struct lg_client *c = &g->cl[idx];

	if (c->state != ST_WAIT_RENEW) {
		g->ctr[C_STRAY]++;
		return;
	}
	if (r->type == DHCP4_NAK) {
		client_end(g, idx, ST_FAILED, C_NAK);
		return;
	}
	if (r->type != DHCP4_ACK) {
		g->ctr[C_BAD_TYPE]++;
		return;
	}
	if (!r->has_server_id) {
		client_end(g, idx, ST_FAILED, C_NO_SERVER_ID);
		return;
	}
	if (r->yiaddr != c->yiaddr) {
		client_end(g, idx, ST_FAILED, C_RENEW_MISMATCH);
		return;
	}
	add_latency(g, &g->h_renew, c, now);
	client_end(g, idx, ST_RENEWED, C_RENEWED);
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
	idx = (r.xid & ~LG_XID_RENEW) ^ g->salt;
	if (idx >= g->n_cl || g->cl[idx].state == ST_IDLE) {
		g->ctr[C_BAD_XID]++;
		return;
	}
	c = &g->cl[idx];
	client_mac(g, idx, mac);
	if (memcmp(mac, r.chaddr, 6) != 0) {
		g->ctr[C_CHADDR]++;
		return;
	}
	if (unlikely(!g->srv_known)) {
		/* Renewals and releases go by unicast to where the replies come from. */
		memcpy(g->srv_mac, r.src_mac, 6);
		g->srv_ip = r.src_ip;
		g->srv_known = true;
	}
	if (r.xid & LG_XID_RENEW) {
		renew_reply(g, idx, &r, now);
		return;
	}
	if ((r.type == DHCP4_OFFER && c->state != ST_WAIT_OFFER) ||
		((r.type == DHCP4_ACK || r.type == DHCP4_NAK) && c->state != ST_WAIT_ACK)) {
		g->ctr[C_STRAY]++; /* a late answer to a retransmitted request */
		return;
	}
	if (r.type == DHCP4_NAK) {
		if (g->o.scenario == SC_AVALANCHE) {
			/* A modem starts again from INIT (RFC 2131 3.1 step 5). */
			g->ctr[C_NAK]++;
			g->ctr[C_RESTART]++;
			client_init(g, idx, now);
			return;
		}
		client_end(g, idx, ST_FAILED, C_NAK);
		return;
	}
	if (r.type != DHCP4_OFFER && r.type != DHCP4_ACK) {
		g->ctr[C_BAD_TYPE]++;
		return;
	}
	if (!r.has_server_id) {
		client_end(g, idx, ST_FAILED, C_NO_SERVER_ID);
		return;
	}
	if (r.yiaddr == 0) {
		client_end(g, idx, ST_FAILED, C_YIADDR_ZERO);
		return;
	}
	if (!in_range(g, r.yiaddr)) {
		client_end(g, idx, ST_FAILED, C_OUT_OF_RANGE);
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
		client_end(g, idx, ST_FAILED, C_ACK_MISMATCH);
		return;
	}
	if (!addr_claim(g, r.yiaddr, idx)) {
		client_end(g, idx, ST_FAILED, C_DUP_ADDRESS);
		return;
	}
	add_latency(g, &g->h_ack, c, now);
	g->t_last_ack = now;
	g->bound++;
	client_end(g, idx, ST_DONE, C_COMPLETED);
	if (g->bound == g->o.clients && g->t_all_bound == 0)
		g->t_all_bound = now;
}

/*
 * Fires the timers of every 1 ms slot up to now. A client found in a slot
 * is due: the wheel spans LG_WHEEL ms and no timeout is longer.
 */
static void expire(struct lg *g, uint64_t now)
{
	uint64_t to = now_ms(g, now);

	while (g->tw_pos < to) {
		uint32_t slot = (uint32_t)(++g->tw_pos & (LG_WHEEL - 1));

		while (g->tw[slot] != LG_NIL) {
			uint32_t idx = g->tw[slot];
			struct lg_client *c = &g->cl[idx];

			timer_disarm(g, idx);
			if (g->o.tries == 0 || c->tries < g->o.tries) {
				g->ctr[C_RETRANSMIT]++;
				client_send(g, idx, now);
			} else if (g->o.scenario == SC_AVALANCHE) {
				g->ctr[C_RESTART]++;
				client_init(g, idx, now);
			} else {
				client_end(g, idx, ST_FAILED,
					c->state == ST_WAIT_OFFER ? C_TIMEOUT_OFFER
					: c->state == ST_WAIT_ACK ? C_TIMEOUT_ACK
								  : C_TIMEOUT_RENEW);
			}
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
	uint64_t n = g->n_cl;

	g->cl = calloc(n, sizeof(*g->cl));
	g->tw = malloc(LG_WHEEL * sizeof(*g->tw));
	g->addr_mask = pow2_at_least(2 * n) - 1;
	g->addr_key = calloc(g->addr_mask + 1, sizeof(uint32_t));
	g->addr_val = calloc(g->addr_mask + 1, sizeof(uint32_t));
	g->series = calloc(LG_SERIES_MAX, sizeof(*g->series));
	if (!g->cl || !g->tw || !g->addr_key || !g->addr_val || !g->series)
		rte_exit(EXIT_FAILURE, "out of memory for %" PRIu64 " clients\n", n);
	for (uint32_t i = 0; i < LG_WHEEL; i++)
		g->tw[i] = LG_NIL;
}

static uint64_t offered_total(const struct lg *g)
{
	return g->ctr[C_STARTED] + g->ctr[C_RENEW_SENT] + g->ctr[C_RELEASE_SENT];
}

static uint64_t answered_total(const struct lg *g)
{
	return g->ctr[C_COMPLETED] + g->ctr[C_RENEWED];
}

/* Once a second, outside the per-packet path: a row of the series, a progress line. */
static const char *phase_name(const struct lg *g)
{
	switch (g->phase) {
	case PH_DORA:
		return "dora";
	case PH_SECOND:
		return lg_scenario_name(g->o.scenario);
	case PH_REUSE:
		return "reuse";
	default:
		return "end";
	}
}

static void second_tick(struct lg *g, uint64_t now, uint64_t *last)
{
	double t = (double)(now - g->t_first) / (double)g->hz;
	double iv = (double)(now - g->t_tick) / (double)g->hz;
	struct lg_sec *s = g->n_series < LG_SERIES_MAX ? &g->series[g->n_series++] : NULL;
	struct lg_sec row = {
		.t_s = t,
		.interval_s = iv,
		.offered = offered_total(g) - last[0],
		.answered = answered_total(g) - last[1],
		.late = g->ctr[C_LATE] - last[2],
		.lost = g->failed - last[3],
		.retrans = g->ctr[C_RETRANSMIT] - last[4],
		.bound = g->bound,
		.outstanding = g->outstanding,
		.p99_us = lg_hist_pct_us(&g->h_sec, 0.99),
	};

	if (s)
		*s = row;
	if (iv <= 0)
		iv = 1;
	fprintf(stderr,
		"t=%5.1fs %-9s offered/s %8.0f answered/s %8.0f outstanding %7" PRIu64
		" bound %8" PRIu64 " lost %6" PRIu64 " retrans/s %6.0f p99 %7.0fus\n",
		t, phase_name(g), (double)row.offered / iv, (double)row.answered / iv,
		g->outstanding, g->bound, g->failed, (double)row.retrans / iv, row.p99_us);
	last[0] = offered_total(g);
	last[1] = answered_total(g);
	last[2] = g->ctr[C_LATE];
	last[3] = g->failed;
	last[4] = g->ctr[C_RETRANSMIT];
	memset(&g->h_sec, 0, sizeof(g->h_sec));
	g->t_tick = now;
}

/* Starts the next phase (see the header: the scenarios). */
static void next_phase(struct lg *g, uint64_t now)
{
	if (g->phase == PH_DORA) {
		memcpy(g->ctr_dora, g->ctr, sizeof(g->ctr_dora));
		if ((g->o.scenario == SC_RENEW || g->o.scenario == SC_RELEASE) && g->bound) {
			g->phase = PH_SECOND;
			g->ph_end = g->o.clients;
		} else {
			g->phase = PH_END;
		}
	} else if (g->phase == PH_SECOND && g->o.reuse && g->ctr[C_RELEASE_SENT]) {
		g->t_phase2_end = now;
		g->phase = PH_REUSE;
		g->ph_end = g->o.clients + g->ctr[C_RELEASE_SENT];
		g->ph_next = g->o.clients;
	} else {
		if (g->phase == PH_SECOND)
			g->t_phase2_end = now;
		g->phase = PH_END;
	}
	if (g->phase == PH_SECOND) {
		g->t_phase2 = now;
		g->ph_next = 0;
	}
	g->ph_t0 = now;
	g->ph_sent = 0;
}

/* Starts the transactions due by now at the paced rate. */
static void offer(struct lg *g, uint64_t now)
{
	uint64_t due =
		g->o.rate ? (uint64_t)((double)(now - g->ph_t0) / (double)g->hz * (double)g->o.rate)
			  : UINT64_MAX;

	/*
	 * A full TX queue holds new transactions back, except in an avalanche:
	 * modems do not wait for the server, their frames are dropped
	 * (tx-drop) and retransmitted on their timers.
	 */
	while (g->ph_sent < due && g->ph_next < g->ph_end &&
		(g->ntx < LG_TXBUF - 1 || g->o.scenario == SC_AVALANCHE)) {
		uint32_t idx = (uint32_t)g->ph_next;
		struct lg_client *c = &g->cl[idx];

		if (g->o.max_outstanding && g->outstanding >= g->o.max_outstanding)
			break;
		g->ph_next++;
		if (g->phase != PH_SECOND) {
			c->t_start = now;
			g->outstanding++;
			g->ctr[C_STARTED]++;
			client_init(g, idx, now);
		} else if (c->state != ST_DONE) {
			continue; /* not bound: nothing to renew or release */
		} else if (g->o.scenario == SC_RENEW) {
			c->state = ST_WAIT_RENEW;
			c->tries = 0;
			c->t_start = now;
			g->outstanding++;
			g->ctr[C_RENEW_SENT]++;
			client_send(g, idx, now);
		} else {
			c->state = ST_RELEASED;
			g->bound--;
			g->ctr[C_RELEASE_SENT]++;
			client_send(g, idx, now);
		}
		g->ph_sent++;
	}
}

static void run_gen(struct lg *g)
{
	struct rte_mbuf *rx[LG_BURST];
	uint64_t last[5] = {0}, now, t0, next_report, t_end, t_deadline;

	g->n_cl = g->o.clients * (g->o.reuse ? 2 : 1);
	gen_alloc(g);
	g->salt = (uint32_t)rte_rdtsc() & 0x7fff0000u;
	g->rng = rte_rdtsc() | 1;
	t0 = rte_rdtsc();
	g->t_first = t0;
	g->t_tick = t0;
	g->ph_t0 = t0;
	g->ph_end = g->o.clients;
	t_end = t0 + (uint64_t)(g->o.duration * (double)g->hz);
	t_deadline = g->o.scenario == SC_AVALANCHE ? t0 + (uint64_t)(g->o.deadline * (double)g->hz)
						   : UINT64_MAX;
	next_report = t0 + g->hz;
	/*
	 * One pass: RX burst -> check/advance clients -> fire timers -> start
	 * new transactions -> TX burst. Measured (rx_cycles_per_frame: the RX
	 * burst, the checks, and the next request built and queued): ~700-1,000
	 * cycles per reply against leasewire at 10,000-20,000/s, ~1,000-2,000
	 * against the reflector at 0.2 M exchanges/s (2 noisy vCPUs); ~10,000
	 * in a 1 M-client avalanche, where the memif ring is full and every
	 * frame queued retries rte_eth_tx_burst, and 40 MB of clients miss the
	 * cache.
	 */
	for (;;) {
		uint16_t n = rte_eth_rx_burst(g->o.port, g->rxq, rx, LG_BURST);

		if (++g->rxq == g->o.queues)
			g->rxq = 0;
		now = rte_rdtsc();
		g->ctr[C_RX] += n;
		for (uint16_t i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(rx[i + 1], void *));
			handle_reply(g, rte_pktmbuf_mtod(rx[i], const uint8_t *),
				rte_pktmbuf_data_len(rx[i]), now);
		}
		if (n) {
			rte_pktmbuf_free_bulk(rx, n);
			g->cyc_rx += rte_rdtsc() - now;
		}
		expire(g, now);
		if (g->phase == PH_DORA && (now >= t_end || stop))
			g->ph_end = g->ph_next; /* --duration: no more clients */
		if (g->phase != PH_END)
			offer(g, now);
		if (g->t_stop_offer == 0 && g->phase == PH_DORA && g->ph_next >= g->ph_end) {
			g->t_stop_offer = now;
			g->completed_at_stop = g->ctr[C_COMPLETED];
		}
		tx_flush(g);
		if (now >= next_report) {
			second_tick(g, now, last);
			next_report += g->hz;
		}
		if (stop || now >= t_deadline)
			break;
		if (g->ph_next >= g->ph_end && g->outstanding == 0) {
			next_phase(g, now);
			if (g->phase == PH_END)
				break;
		}
	}
	if (g->phase == PH_DORA) /* --deadline or a signal */
		memcpy(g->ctr_dora, g->ctr, sizeof(g->ctr_dora));
	g->t_end = now;
	if (now - g->t_tick > g->hz / 10)
		second_tick(g, now, last); /* the last, shorter row */
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
	int n, rc = 0;

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
	g.cyc_per_ms = g.hz / 1000;
	port_init(&g);
	if (g.o.reflect) {
		run_reflect(&g);
		printf("reflect: rx %" PRIu64 " tx %" PRIu64 " tx-drop %" PRIu64
		       " not-dhcp %" PRIu64 "\n",
			g.ctr[C_RX], g.ctr[C_TX], g.ctr[C_TX_DROP], g.ctr[C_NOT_DHCP]);
	} else {
		run_gen(&g);
		rc = lg_report(&g);
	}
	rte_eth_dev_stop(g.o.port);
	rte_eth_dev_close(g.o.port);
	rte_eal_cleanup();
	return rc ? EXIT_FAILURE : 0;
}
