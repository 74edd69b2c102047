/* SPDX-License-Identifier: MPL-2.0 */
/*
 * handler-bench: what the DHCP handler costs per request, in process, no I/O
 * (BENCHMARKS.md target: <= 1,000 instructions per request through the
 * handler, callgrind).
 *
 *   handler-bench [--clients N] [--phase all|discover|request|renew]
 *                 [--repeat K] [--batch B] [--warmup W] [--eal-mem MB]
 *                 [--one-by-one] [--separate]
 *
 * One subnet (10.0.0.0/plen, the smallest prefix whose pool holds N
 * addresses: /12 for the default N = 1,000,000), one pool, one shard with a
 * lease table of N slots, the address space dealt to that shard
 * (addr_space_create(), as tests/dataplane/test_server.c does). The client
 * table is the real rte_hash production uses: the bench starts EAL itself
 * (--no-huge --no-pci --no-telemetry --no-shconf, one lcore), nothing is
 * sent anywhere.
 *
 * N distinct clients (hardware address keys, as dhclient sends them) go
 * through three timed phases, each request being dhcp4_parse() +
 * srv_process() on prebuilt wire-format payloads (300 bytes, padded like a
 * BOOTP client's: 53, 12 host name, 55 with 13 codes; 50 and 54 in the
 * SELECTING REQUEST; ciaddr in the RENEWING one):
 *   discover  DHCPDISCOVER -> DHCPOFFER (a new lease slot, an address taken)
 *   request   DHCPREQUEST (SELECTING) -> DHCPACK (a binding event)
 *   renew     DHCPREQUEST (RENEWING) of a bound client -> DHCPACK (an event)
 * Every B requests (a burst) the binding events are taken and marked
 * durable through the shard API (shard_events_take/shard_events_durable),
 * as the worker hands them to control; that drain is timed apart. Every
 * reply is checked (type, yiaddr). As the worker does in the request's
 * mbuf, each reply is built over its request (srv_req.in_place; the slots
 * are 640 bytes apart, room for a 576-byte reply); --separate builds them
 * in one separate buffer instead, for an A/B of the two. As a worker does
 * with an RX burst, each group of up to 64 requests of a burst is parsed
 * first and its clients looked up together (srv_lookup_burst: one bulk hash
 * lookup, then a prefetch of each lease); --one-by-one looks each client
 * up as its request is handled, for an A/B of the two.
 *
 * Cycles come from rdtsc around each burst, ns from rte_get_tsc_hz(). With
 * --phase X the phases before X run untimed (they set up the state X needs).
 * --repeat K runs everything K times on a fresh shard and prints the median
 * and the minimum. W untimed runs (default 1) come first: malloc keeps the
 * memory it got (no mmap, no trim), so the timed runs find the lease table's
 * pages already mapped and page faults are not counted as handler time. The
 * machine is shared: compare runs side by side.
 *
 * Instruction counts (repeatable where time is not):
 *   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
 *     --toggle-collect='hb_*_burst' ./handler-bench --clients 20000
 * Only the burst functions (parse + srv_process of B requests, no drain)
 * count; one profile part is dumped per phase (callgrind.out.PID.1 discover,
 * .2 request, .3 renew). Ir per request = the part's total / N.
 *
 * Measured 2026-11-24 (2 shared vCPUs, EPYC, TSC 2.45 GHz, load ~3), Ir by
 * callgrind at N = 20,000 (the same within 0.2 % at N = 100,000), cycles
 * the median of 5 at N = 1,000,000, burst 32:
 *   discover 2,514 Ir/request, ~1,300 cycles; request 2,124 Ir, ~1,120;
 *   renew 2,020 Ir, ~1,160 (each includes ~29 Ir of this loop). Reply
 *   building (build_reply, ~950 Ir inclusive) is the largest part.
 * Measured 2026-11-25 (same machine, load 3-6), after the option parser,
 * reply and subnet changes, burst lookups on:
 *   Ir at N = 20,000: discover 1,757, request 1,405, renew 1,369 (1,673 /
 *   1,332 / 1,296 with --one-by-one: the bulk lookup costs ~75 Ir).
 *   Cycles at N = 1,000,000, min of 3, four A/B pairs run in turn:
 *   discover 492-748 (one by one 864-1,224), request 379-550 (702-1,029),
 *   renew 359-596 (708-1,013); a whole DORA 909-1,490 cycles per lease
 *   (1,674-2,299), i.e. 1.6-2.7 M leases/s per core at 2.45 GHz for the
 *   handler alone. With a million clients the table outgrows the caches:
 *   callgrind's cache model counts the same last-level misses either way
 *   (2.05 M for 1 M DISCOVERs, 0.28 M for 1 M REQUESTs); looked up
 *   together, a burst waits for them in parallel instead of in turn.
 * Measured 2026-11-25 later (load ~1), after: the whole option block after
 * 53 cached per list, server and lease time; the reply written over the
 * request (in_place); a REQUEST's client found through the address it
 * names; the 32-byte key hashed inline; a bloom filter for the hints of
 * new clients; the option walker's table; and link-time optimisation of
 * the dataplane (meson.build); the request path's functions forced inline:
 *   Ir at N = 20,000 (and 100,000): discover 1,369, request 987, renew 972
 *   (--one-by-one 1,366 / 984 / 968; --separate +20 each).
 *   Cycles at N = 1,000,000, min of 3, pairs run in turn: DORA 769-775
 *   per lease against 1,479-1,812 one by one, i.e. ~3.1 M leases/s per
 *   core at 2.45 GHz; against the build before these changes, three
 *   pairs: median 889-1,220 against 934-1,381, min 747-1,218 against
 *   885-1,201 (the machine was noisier for those).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <valgrind/callgrind.h>

#include "common/config.h"
#include "common/dhcp4.h"
#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "dataplane/server.h"
#include "dataplane/shard.h"

#define NET	  LW_IP4(10, 0, 0, 0)
#define SERVER	  LW_IP4(10, 0, 0, 1)
#define POOL_OFF  16  /* the pool starts at NET + POOL_OFF */
#define PKT_LEN	  300 /* BOOTP_MIN_LEN: clients pad their requests to it */
#define PKT_SLOT  640 /* bytes between two prebuilt payloads: a reply fits over each */
#define MAX_BURST 1024
#define EV_TAKE	  256

enum phase {
	PH_DISCOVER,
	PH_REQUEST,
	PH_RENEW,
	PH_MAX,
};

static const char *const phase_names[PH_MAX] = {"discover", "request", "renew"};
static const uint8_t want_reply[PH_MAX] = {DHCP4_OFFER, DHCP4_ACK, DHCP4_ACK};

struct opts {
	unsigned clients;
	int phase; /* PH_*, or PH_MAX: all */
	unsigned repeat;
	unsigned batch;
	unsigned eal_mem;
	unsigned warmup;
	bool one_by_one; /* --one-by-one: no burst lookup (srv_lookup_burst) */
	bool separate;	 /* --separate: replies built in one other buffer */
};

struct bench {
	struct lw_config *cfg;
	struct srv_tables *tbl;
	struct addr_space *as;
	struct shard *sh;
	struct srv_ctx ctx;
	struct srv_optcache oc[SRV_OC_ENTRIES];
	struct srv_req rq;
	struct srv_fo fo;
	uint64_t ctr[LW_CTR_MAX];
	unsigned n;
	uint8_t *pkts;	/* n payloads, PKT_SLOT apart */
	uint32_t *addr; /* the address each client was offered */
	uint64_t bad;	/* requests whose reply was not the expected one */
	bool bulk;	/* the clients of each group of up to 64 looked up together */
	uint8_t reply[1500];
	struct lw_bind_event ev[EV_TAKE];
};

/* One phase's measurement. */
struct result {
	uint64_t cycles; /* parse + srv_process, all bursts */
	uint64_t drain;	 /* taking the events and marking them durable */
	uint64_t events;
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--clients N] [--phase all|discover|request|renew] [--repeat K]\n"
		"          [--batch B] [--warmup W] [--eal-mem MB] [--one-by-one] [--separate]\n",
		prog);
	exit(2);
}

static unsigned long parse_num(
	const char *s, const char *what, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "handler-bench: --%s %s: want %lu .. %lu\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"clients", required_argument, NULL, 'n'},
		{"phase", required_argument, NULL, 'p'},
		{"repeat", required_argument, NULL, 'r'},
		{"batch", required_argument, NULL, 'b'},
		{"one-by-one", no_argument, NULL, '1'},
		{"separate", no_argument, NULL, 's'},
		{"eal-mem", required_argument, NULL, 'm'},
		{"warmup", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->clients = 1000000;
	o->phase = PH_MAX;
	o->repeat = 1;
	o->batch = 32;
	o->eal_mem = 0;
	o->warmup = 1;
	o->one_by_one = false;
	o->separate = false;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->clients = (unsigned)parse_num(optarg, "clients", 1, 1u << 24);
			break;
		case 'p':
			if (strcmp(optarg, "all") == 0) {
				o->phase = PH_MAX;
				break;
			}
			for (o->phase = 0; o->phase < PH_MAX; o->phase++)
				if (strcmp(optarg, phase_names[o->phase]) == 0)
					break;
			if (o->phase == PH_MAX)
				usage(argv[0]);
			break;
		case 'r':
			o->repeat = (unsigned)parse_num(optarg, "repeat", 1, 1000);
			break;
		case 'b':
			o->batch = (unsigned)parse_num(optarg, "batch", 1, MAX_BURST);
			break;
		case '1':
			o->one_by_one = true;
			break;
		case 's':
			o->separate = true;
			break;
		case 'w':
			o->warmup = (unsigned)parse_num(optarg, "warmup", 0, 100);
			break;
		case 'm':
			o->eal_mem = (unsigned)parse_num(optarg, "eal-mem", 64, 1u << 20);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc)
		usage(argv[0]);
}

/* EAL without hugepages or devices: rte_hash needs its heap, nothing more. */
static void eal_start(unsigned mem_mb)
{
	char mem[16], prefix[32];
	char *argv[] = {
		"handler-bench",
		"--no-huge",
		"-m",
		mem,
		"--no-pci",
		"--no-telemetry",
		"--no-shconf",
		"--file-prefix",
		prefix,
		"--lcores",
		"0@0",
		"--log-level",
		"lib.eal:error",
		NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(prefix, sizeof(prefix), "hb%ld", (long)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr,
			"handler-bench: rte_eal_init failed (%s): the real rte_hash needs EAL;\n"
			"  try a larger --eal-mem\n",
			strerror(rte_errno));
		exit(1);
	}
}

/* The smallest prefix of NET whose pool (from NET + POOL_OFF to the last but one) holds n. */
static unsigned prefix_for(unsigned n)
{
	unsigned plen = 24;

	while (plen > 8 && (1u << (32 - plen)) - POOL_OFF - 1 < n)
		plen--;
	return plen;
}

static struct lw_config *make_config(unsigned n)
{
	unsigned plen = prefix_for(n);
	uint32_t last = NET + (1u << (32 - plen)) - 2;
	char text[2048], net[LW_IP4_STRLEN], first[LW_IP4_STRLEN], end[LW_IP4_STRLEN];
	char err[512];
	struct lw_config *cfg;

	lw_ip4_fmt(NET, net);
	lw_ip4_fmt(NET + POOL_OFF, first);
	lw_ip4_fmt(last, end);
	snprintf(text, sizeof(text),
		"dataplane = { eal_args = [ \"-l\", \"0\" ]; };\n"
		"server = { authoritative = true; default_lease_time = 3600;\n"
		"  min_lease_time = 60; max_lease_time = 86400; offer_hold = 30; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\";\n"
		"  address = \"10.0.0.1/%u\"; } );\n"
		"options = ( { name = \"domain-name-servers\"; value = [ \"10.0.0.53\" ]; } );\n"
		"subnets = ( { subnet = \"%s/%u\"; routers = [ \"10.0.0.1\" ];\n"
		"  domain_name = \"bench.test\";\n"
		"  pools = ( { range = \"%s - %s\"; } ); } );\n",
		plen, net, plen, first, end);
	if (lw_config_load_string(text, "handler-bench.cfg", &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "handler-bench: config: %s\n%s", err, text);
		exit(1);
	}
	return cfg;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Client i's request of phase ph, as a Linux dhclient sends it (RFC 2131
 * table 5): SELECTING carries 50 and 54, RENEWING ciaddr and neither.
 */
static void build_pkt(uint8_t *b, unsigned i, enum phase ph, uint32_t addr)
{
	static const uint8_t prl[] = {1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42};
	uint8_t *o = b + DHCP4_OPT_OFFSET;
	uint32_t id = i + 1;

	memset(b, 0, PKT_LEN);
	b[0] = BOOTP_REQUEST;
	b[1] = 1; /* Ethernet */
	b[2] = 6;
	put32(b + 4, id * 2654435761u); /* xid */
	if (ph == PH_RENEW)
		put32(b + 12, addr);
	b[28] = 0x02; /* locally administered, unique per client */
	b[29] = 0x42;
	put32(b + 30, id);
	put32(b + BOOTP_FIXED_LEN, DHCP4_COOKIE);

	*o++ = DHCP4_OPT_MSG_TYPE;
	*o++ = 1;
	*o++ = ph == PH_DISCOVER ? DHCP4_DISCOVER : DHCP4_REQUEST;
	if (ph == PH_REQUEST) {
		*o++ = DHCP4_OPT_SERVER_ID;
		*o++ = 4;
		put32(o, SERVER);
		o += 4;
		*o++ = DHCP4_OPT_REQUESTED_IP;
		*o++ = 4;
		put32(o, addr);
		o += 4;
	}
	*o++ = DHCP4_OPT_HOSTNAME;
	*o++ = 9;
	o += snprintf((char *)o, 10, "h%08x", id);
	*o++ = DHCP4_OPT_PRL;
	*o++ = sizeof(prl);
	memcpy(o, prl, sizeof(prl));
	o += sizeof(prl);
	*o = DHCP4_OPT_END;
}

static void build_all(struct bench *b, enum phase ph)
{
	for (unsigned i = 0; i < b->n; i++)
		build_pkt(b->pkts + (size_t)i * PKT_SLOT, i, ph, b->addr[i]);
}

/*
 * Requests [first, first + n) of phase ph: parse, decide, build, check.
 * Inlined into one function per phase so that callgrind can collect each
 * phase alone (--toggle-collect); noipa keeps GCC from folding the request
 * and renew functions, whose code is the same, into one name.
 */
static inline __attribute__((always_inline)) void handle(
	struct bench *b, enum phase ph, unsigned first, unsigned n)
{
	struct srv_reply out;
	struct dhcp4_msg m[64];
	const struct dhcp4_msg *mp[64];
	struct shard_hint h[64];
	int prc[64];

	for (unsigned g = first; g < first + n; g += 64) {
		unsigned k = first + n - g < 64 ? first + n - g : 64;

		/* As a worker does with an RX burst: parse the group, look its
		 * clients up together, then decide and build each reply. */
		for (unsigned j = 0; j < k; j++) {
			prc[j] = dhcp4_parse(b->pkts + (size_t)(g + j) * PKT_SLOT, PKT_LEN, &m[j]);
			mp[j] = &m[j];
		}
		if (b->bulk)
			srv_lookup_burst(&b->ctx, mp, k, h);
		for (unsigned j = 0; j < k; j++) {
			unsigned i = g + j;
			int rc = prc[j];

			uint8_t *reply = b->rq.in_place ? b->pkts + (size_t)i * PKT_SLOT : b->reply;
			size_t cap = b->rq.in_place ? PKT_SLOT : sizeof(b->reply);

			b->rq.hint = b->bulk ? &h[j] : NULL;
			if (rc == 0)
				rc = srv_process(&b->ctx, &b->rq, &m[j], reply, cap, &out);
			if (rc != 1 || out.type != want_reply[ph]) {
				b->bad++;
				continue;
			}
			if (ph == PH_DISCOVER)
				b->addr[i] = get32(reply + 16);
			else if (get32(reply + 16) != b->addr[i])
				b->bad++;
		}
	}
	b->rq.hint = NULL;
}

/* GCC: no inlining, cloning or identical-code folding of the phase
 * functions; clang has no such folding by default. */
#if defined(__clang__)
#define HB_NOIPA __attribute__((noinline))
#else
#define HB_NOIPA __attribute__((noipa))
#endif

static HB_NOIPA void hb_discover_burst(struct bench *b, unsigned first, unsigned n)
{
	handle(b, PH_DISCOVER, first, n);
}

static HB_NOIPA void hb_request_burst(struct bench *b, unsigned first, unsigned n)
{
	handle(b, PH_REQUEST, first, n);
}

static HB_NOIPA void hb_renew_burst(struct bench *b, unsigned first, unsigned n)
{
	handle(b, PH_RENEW, first, n);
}

/* The same, untimed and not collected: the state a later phase needs. */
static HB_NOIPA void prepare_burst(struct bench *b, enum phase ph, unsigned first, unsigned n)
{
	if (ph == PH_DISCOVER)
		handle(b, PH_DISCOVER, first, n);
	else if (ph == PH_REQUEST)
		handle(b, PH_REQUEST, first, n);
	else
		handle(b, PH_RENEW, first, n);
}

/* What the worker does with the events after a burst: hand over, then durable. */
static uint64_t drain(struct bench *b)
{
	uint64_t got = 0;
	unsigned n;

	while ((n = shard_events_take(b->sh, b->ev, EV_TAKE)) > 0)
		got += n;
	shard_events_durable(b->sh, shard_last_seq(b->sh));
	return got;
}

static void run_phase(struct bench *b, enum phase ph, bool timed, unsigned batch, struct result *r)
{
	memset(r, 0, sizeof(*r));
	build_all(b, ph);
	for (unsigned i = 0; i < b->n; i += batch) {
		unsigned n = b->n - i < batch ? b->n - i : batch;
		uint64_t t0 = rte_rdtsc(), t1, t2;

		if (!timed)
			prepare_burst(b, ph, i, n);
		else if (ph == PH_DISCOVER)
			hb_discover_burst(b, i, n);
		else if (ph == PH_REQUEST)
			hb_request_burst(b, i, n);
		else
			hb_renew_burst(b, i, n);
		t1 = rte_rdtsc();
		r->events += drain(b);
		t2 = rte_rdtsc();
		r->cycles += t1 - t0;
		r->drain += t2 - t1;
	}
	if (timed)
		CALLGRIND_DUMP_STATS_AT(phase_names[ph]);
}

static void shard_up(struct bench *b)
{
	struct shard_params p = {0};

	b->as = addr_space_create(b->cfg, 1);
	if (b->as == NULL) {
		perror("handler-bench: addr_space_create");
		exit(1);
	}
	p.as = b->as;
	p.cfg = b->cfg;
	p.capacity = b->n;
	p.ctr = b->ctr;
	b->sh = shard_create(&p);
	if (b->sh == NULL) {
		perror("handler-bench: shard_create");
		exit(1);
	}
	memset(b->ctr, 0, sizeof(b->ctr));
	b->ctx.shard = b->sh;
}

static void shard_down(struct bench *b)
{
	shard_free(b->sh);
	addr_space_free(b->as);
	b->sh = NULL;
	b->as = NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median and minimum of k values (sorted in place). */
static void stats(uint64_t *v, unsigned k, uint64_t *med, uint64_t *min)
{
	qsort(v, k, sizeof(*v), cmp_u64);
	*med = v[k / 2];
	*min = v[0];
}

static void print_row(
	const char *name, unsigned n, uint64_t med, uint64_t min, uint64_t drain, double hz)
{
	printf("%-20s %10u %10.1f %10.1f %10.1f %10.1f\n", name, n, (double)med / n,
		(double)med / n * 1e9 / hz, (double)min / n, (double)drain / n);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct bench *b;
	uint64_t *cyc[PH_MAX], *drn[PH_MAX];
	unsigned first, last;
	size_t mem_mb;
	double hz;
	char rundir[PATH_MAX];

	parse_opts(argc, argv, &o);
	/* Freed memory stays mapped for the next run (see the header). */
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
	/* rte_hash: ~80 bytes a key with its buckets; room for the rest of EAL. */
	mem_mb = o.eal_mem ? o.eal_mem : 256 + (size_t)o.clients * 160 / (1u << 20);
	eal_start((unsigned)mem_mb);
	hz = (double)rte_get_tsc_hz();

	b = aligned_alloc(64, (sizeof(*b) + 63) & ~(size_t)63);
	if (b == NULL)
		return 1;
	memset(b, 0, sizeof(*b));
	b->n = o.clients;
	b->bulk = !o.one_by_one;
	b->pkts = malloc((size_t)b->n * PKT_SLOT);
	b->addr = calloc(b->n, sizeof(*b->addr));
	if (b->pkts == NULL || b->addr == NULL) {
		perror("handler-bench");
		return 1;
	}
	b->cfg = make_config(b->n);
	b->tbl = srv_tables_build(b->cfg);
	if (b->tbl == NULL) {
		perror("handler-bench: srv_tables_build");
		return 1;
	}
	b->ctx.cfg = b->cfg;
	b->ctx.tbl = b->tbl;
	b->ctx.now = (uint32_t)time(NULL);
	b->ctx.ctr = b->ctr;
	b->ctx.fo = &b->fo;
	b->ctx.oc = b->oc; /* as a worker has it */
	b->rq.port = 0;
	b->rq.ip_dst = 0xffffffffu;
	b->rq.in_place = !o.separate;
	for (int p = 0; p < PH_MAX; p++) {
		cyc[p] = calloc(o.repeat, sizeof(uint64_t));
		drn[p] = calloc(o.repeat, sizeof(uint64_t));
		if (cyc[p] == NULL || drn[p] == NULL)
			return 1;
	}
	first = o.phase == PH_MAX ? PH_DISCOVER : (unsigned)o.phase;
	last = o.phase == PH_MAX ? PH_RENEW : (unsigned)o.phase;

	printf("handler-bench: %u clients, pool %u addresses, burst %u, %u run%s after %u "
	       "warm-up, rte_hash (real, EAL --no-huge -m %zu), TSC %.3f GHz\n",
		b->n, b->cfg->pools[0].end - b->cfg->pools[0].start + 1, o.batch, o.repeat,
		o.repeat == 1 ? "" : "s", o.warmup, mem_mb, hz / 1e9);
	fflush(stdout);

	CALLGRIND_START_INSTRUMENTATION;
	for (unsigned k = 0; k < o.warmup + o.repeat; k++) {
		bool timed = k >= o.warmup;

		shard_up(b);
		for (unsigned p = PH_DISCOVER; p <= last; p++) {
			struct result r;

			run_phase(b, (enum phase)p, timed && p >= first, o.batch, &r);
			if (!timed)
				continue;
			cyc[p][k - o.warmup] = r.cycles;
			drn[p][k - o.warmup] = r.drain;
			if (b->bad) {
				fprintf(stderr,
					"handler-bench: %s: %" PRIu64
					" replies not as expected (run %u)\n",
					phase_names[p], b->bad, k);
				return 1;
			}
		}
		shard_down(b);
	}
	CALLGRIND_STOP_INSTRUMENTATION;

	printf("%-20s %10s %10s %10s %10s %10s\n", "phase", "requests", "cyc/req", "ns/req",
		"min cyc", "drain cyc");
	for (unsigned p = first; p <= last; p++) {
		uint64_t med, min, dmed, dmin;

		stats(cyc[p], o.repeat, &med, &min);
		stats(drn[p], o.repeat, &dmed, &dmin);
		print_row(phase_names[p], b->n, med, min, dmed, hz);
	}
	if (o.phase == PH_MAX) {
		/* A lease: one DISCOVER and one REQUEST, medians added. */
		uint64_t dmed, dmin, rmed, rmin, xmed, xmin, ymed, ymin;

		stats(cyc[PH_DISCOVER], o.repeat, &dmed, &dmin);
		stats(cyc[PH_REQUEST], o.repeat, &rmed, &rmin);
		stats(drn[PH_DISCOVER], o.repeat, &xmed, &xmin);
		stats(drn[PH_REQUEST], o.repeat, &ymed, &ymin);
		print_row("DORA (per lease)", b->n, dmed + rmed, dmin + rmin, xmed + ymed, hz);
	}
	printf("(cyc/req, ns/req: median of %u; min cyc: fastest run; drain: events handed "
	       "over and made durable after each burst, not in the other columns)\n",
		o.repeat);

	for (int p = 0; p < PH_MAX; p++) {
		free(cyc[p]);
		free(drn[p]);
	}
	srv_tables_free(b->tbl);
	lw_config_free(b->cfg);
	free(b->pkts);
	free(b->addr);
	free(b);
	/* --no-shconf still makes an empty runtime directory: ours to remove. */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return 0;
}
