/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-dataplane: the DPDK process. Loads the configuration, starts
 * EAL with the configured arguments plus one device argument per port, sets
 * up ports, shards and rings and the shared region with leasewire-control,
 * runs one worker per lcore beyond the main one and keeps the main lcore
 * for signals, statistics, configuration reloads and watching the control
 * process. It serves once control has loaded every worker's leases.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "common/config.h"
#include "ctlif.h"
#include "port.h"
#include "reload.h"
#include "server.h"
#include "shard.h"
#include "stats.h"
#include "worker.h"

#define PROG	      "leasewire-dataplane"
#define EAL_ARGV_MAX  (LW_MAX_EAL_ARGS + 2 * LW_MAX_PORTS + 2)
#define MAX_LCORE_IDS 1024
#define TICK_NS	      50000000L /* main lcore: 50 ms between looks at the signal flags */
#define TICKS_PER_S   (1000000000L / TICK_NS)
#define SETTLE_MS     2000 /* at exit: how long control may take to make the last events durable */

static volatile sig_atomic_t sig_quit, sig_dump, sig_hup;
static struct lw_dp dp;
static struct lw_config *cur_cfg; /* dp.cfg, owned here */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -c FILE [--check] [--log-leases] [-h]\n"
		"  -c, --config FILE  configuration file (libconfig)\n"
		"      --check        validate the configuration and exit (no EAL, no ports)\n"
		"      --log-leases   print one 'lease-log' line per reply and per binding event\n"
		"  -h, --help         this text\n"
		"Signals: SIGUSR1 prints the counters, SIGHUP reloads the configuration,\n"
		"SIGINT/SIGTERM stop.\n");
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_dump = 1;
	else if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_quit = 1;
}

static uint64_t pool_addresses(const struct lw_config *cfg)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < cfg->n_pools; i++)
		n += (uint64_t)cfg->pools[i].end - cfg->pools[i].start + 1;
	return n;
}

/* --check: what the dataplane would build, without EAL (like `dhcpd -t`). */
static int check_config(const char *path, struct lw_config *cfg)
{
	struct srv_tables *t;
	struct addr_space *as;

	t = srv_tables_build(cfg);
	if (t == NULL) {
		fprintf(stderr, "%s: cannot build the server tables: %s\n", path, strerror(errno));
		return 1;
	}
	as = addr_space_create(cfg, 1);
	if (as == NULL) {
		fprintf(stderr, "%s: pools: cannot build the address tables: %s\n", path,
			strerror(errno));
		srv_tables_free(t);
		return 1;
	}
	printf("%s: configuration OK (%u ports, %u subnets, %u pools, %" PRIu64 " addresses)\n",
		path, cfg->n_ports, cfg->n_subnets, cfg->n_pools, pool_addresses(cfg));
	addr_space_free(as);
	srv_tables_free(t);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* How many lcores EAL will have, from its arguments, before it starts: the
 * af_packet queue count must be in the --vdev string. */

static int mark_range(const char **pp, uint8_t *set)
{
	char *e;
	unsigned long a = strtoul(*pp, &e, 10), b = a;

	if (e == *pp)
		return -1;
	if (*e == '-') {
		const char *s = e + 1;

		b = strtoul(s, &e, 10);
		if (e == s || b < a)
			return -1;
	}
	for (unsigned long i = a; i <= b && i < MAX_LCORE_IDS; i++)
		set[i] = 1;
	*pp = e;
	return 0;
}

/* "-l 0-3,5" and "--lcores (0-1)@0,2@1": counts the lcore ids, skips CPU sets. */
static int count_lcore_list(const char *s)
{
	uint8_t set[MAX_LCORE_IDS] = {0};
	int n = 0;

	while (*s) {
		if (*s == '(') {
			s++;
			while (*s != ')') {
				if (mark_range(&s, set) < 0)
					return -1;
				if (*s == ',')
					s++;
				else if (*s != ')')
					return -1;
			}
			s++;
		} else if (mark_range(&s, set) < 0) {
			return -1;
		}
		if (*s == '@') {
			s++;
			if (*s == '(') {
				s = strchr(s, ')');
				if (s == NULL)
					return -1;
				s++;
			} else {
				s += strspn(s, "0123456789-");
			}
		}
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	for (int i = 0; i < MAX_LCORE_IDS; i++)
		n += set[i];
	return n;
}

static int count_mask(const char *s)
{
	int n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		char d[2] = {*s, 0};
		char *e;
		unsigned long v = strtoul(d, &e, 16);

		if (*e)
			return -1;
		n += __builtin_popcountl(v);
	}
	return n;
}

static int predict_lcores(const struct lw_config *cfg)
{
	const char *list = NULL, *mask = NULL;
	cpu_set_t cpus;

	for (int i = 1; i < cfg->eal_argc; i++) {
		const char *a = cfg->eal_argv[i];
		const char *next = i + 1 < cfg->eal_argc ? cfg->eal_argv[i + 1] : "";

		if (strcmp(a, "-l") == 0 || strcmp(a, "--lcores") == 0)
			list = next, mask = NULL;
		else if (strncmp(a, "--lcores=", 9) == 0)
			list = a + 9, mask = NULL;
		else if (a[0] == '-' && a[1] == 'l' && a[2])
			list = a + 2, mask = NULL;
		else if (strcmp(a, "-c") == 0)
			mask = next, list = NULL;
		else if (a[0] == '-' && a[1] == 'c' && a[2])
			mask = a + 2, list = NULL;
	}
	if (list)
		return count_lcore_list(list);
	if (mask)
		return count_mask(mask);
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		return CPU_COUNT(&cpus);
	return -1;
}

static int build_eal_argv(
	const struct lw_config *cfg, const char *prog, unsigned n_workers, char **argv)
{
	int argc = 0;

	argv[argc++] = strdup(cfg->eal_argc > 0 ? cfg->eal_argv[0] : prog);
	for (int i = 1; i < cfg->eal_argc && argc < EAL_ARGV_MAX - 1; i++)
		argv[argc++] = strdup(cfg->eal_argv[i]);
	for (int i = 0; i < argc; i++)
		if (argv[i] == NULL)
			return -1;
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (port_eal_args(&cfg->ports[i], n_workers, argv, &argc, EAL_ARGV_MAX - 1) < 0)
			return -1;
	argv[argc] = NULL;
	return argc;
}

/* ------------------------------------------------------------------------ */

static int start(const char *prog, struct lw_config *cfg, char **eal_argv)
{
	char *eal_copy[EAL_ARGV_MAX];
	char err[1024];
	unsigned lcore, n_lcores, k = 0;
	int predicted, eal_argc, rc;

	predicted = predict_lcores(cfg);
	eal_argc = build_eal_argv(cfg, prog, predicted > 1 ? (unsigned)predicted - 1 : 1, eal_argv);
	if (eal_argc < 0) {
		fprintf(stderr, "%s: dataplane.eal_args: too many arguments or out of memory\n",
			cfg->path);
		return -1;
	}
	fprintf(stderr, PROG ": EAL arguments:");
	for (int i = 1; i < eal_argc; i++)
		fprintf(stderr, " %s", eal_argv[i]);
	fputc('\n', stderr);

	/* EAL may reorder its argv: give it a copy of the pointers. */
	memcpy(eal_copy, eal_argv, sizeof(char *) * (size_t)(eal_argc + 1));
	if (rte_eal_init(eal_argc, eal_copy) < 0) {
		fprintf(stderr,
			"%s: dataplane.eal_args: EAL initialisation failed (%s); see DPDK's "
			"message above and fix the arguments\n",
			cfg->path, rte_strerror(rte_errno));
		return -1;
	}

	n_lcores = rte_lcore_count();
	if (n_lcores < 2) {
		fprintf(stderr,
			"%s: dataplane.eal_args: EAL has 1 lcore; the main lcore only handles "
			"signals and statistics, so give at least one more (e.g. \"-l\", "
			"\"0,1\")\n",
			cfg->path);
		return -2;
	}
	dp.n_workers = n_lcores - 1 > LW_MAX_WORKERS ? LW_MAX_WORKERS : n_lcores - 1;
	if (n_lcores - 1 > LW_MAX_WORKERS)
		fprintf(stderr, PROG ": %u worker lcores, at most %u used; the rest stay idle\n",
			n_lcores - 1, LW_MAX_WORKERS);
	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (k < dp.n_workers)
			dp.lcores[k++] = lcore;
	}

	dp.tsc_hz = rte_get_tsc_hz();
	dp.ms_cycles = dp.tsc_hz / 1000 ? dp.tsc_hz / 1000 : 1;
	dp.idle_sleep_us = cfg->idle_sleep_us;
	dp.base_time = (uint32_t)time(NULL);
	dp.base_tsc = rte_rdtsc();

	memset(dp.port_idx, 0xff, sizeof(dp.port_idx));
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct lw_port *p = &dp.ports[i];

		dp.n_ports = i + 1;
		rc = port_open(p, cfg, i, dp.n_workers, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s\n", err);
			return -2;
		}
		if (p->port_id >= RTE_MAX_ETHPORTS || dp.port_idx[p->port_id] != 0xff) {
			fprintf(stderr,
				"%s: ports[%u] (\"%s\").device: the device is already used by "
				"another port; give each port its own device\n",
				cfg->path, i, cfg->ports[i].name);
			return -2;
		}
		dp.port_idx[p->port_id] = (uint8_t)i;
	}

	dp.tbl = srv_tables_build(cfg);
	if (dp.tbl == NULL) {
		fprintf(stderr, "%s: cannot build the server tables: %s\n", cfg->path,
			strerror(errno));
		return -2;
	}
	rc = workers_create(&dp, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return -2;
	}
	for (unsigned i = 0; i < dp.n_ports; i++)
		port_print(&dp.ports[i], stdout);
	return 0;
}

/*
 * A worker whose loop stops (a bug spinning in the DHCP code, a lcore
 * starved by the OS) answers nothing while the process looks healthy: say so.
 * Called every tick on the main lcore.
 */
static void watch_workers(void)
{
	static uint64_t last[LW_MAX_WORKERS];
	static unsigned still[LW_MAX_WORKERS];
	const unsigned warn_ticks = 2000000000L / TICK_NS; /* 2 s */

	for (unsigned i = 0; i < dp.n_workers; i++) {
		uint64_t beat = __atomic_load_n(&dp.workers[i]->shm->heartbeat, __ATOMIC_RELAXED);

		if (beat != last[i]) {
			if (still[i] >= warn_ticks)
				fprintf(stderr, PROG ": worker %u (lcore %u) runs again\n", i,
					dp.lcores[i]);
			last[i] = beat;
			still[i] = 0;
		} else if (++still[i] == warn_ticks) {
			fprintf(stderr,
				PROG ": worker %u (lcore %u) has not looped for 2 s: its "
				     "clients get no answer\n",
				i, dp.lcores[i]);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* The control process, seen from the main lcore */

static struct {
	uint64_t gen;	/* ctl_generation last seen */
	uint64_t beat;	/* ctl_heartbeat last seen */
	unsigned still; /* ticks since the heartbeat last moved */
	bool alive;
	bool serving;	     /* the ready line was printed */
	uint64_t dropped[3]; /* counters below at the last report */
} cw;

static uint64_t sum_counter(enum lw_counter c)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < dp.n_workers; i++)
		n += __atomic_load_n(&dp.workers[i]->ctr[c], __ATOMIC_RELAXED);
	return n;
}

static void say_control_gone(const char *how)
{
	if (cur_cfg->control.durability == LW_DURABILITY_FSYNC)
		fprintf(stderr,
			PROG ": control process %s: ACKs are held for %u ms, then dropped\n", how,
			cur_cfg->control.ack_hold_ms);
	else
		fprintf(stderr,
			PROG ": control process %s: binding events wait in the workers until it is "
			     "back; requests are dropped once they fill up\n",
			how);
}

/* Called every tick: says once when control attaches, stops, and comes back. */
static void watch_control(void)
{
	struct lw_shm_hdr *h = dp.ctl.hdr;
	uint64_t gen = __atomic_load_n(&h->ctl_generation, __ATOMIC_ACQUIRE);
	uint64_t beat = __atomic_load_n(&h->ctl_heartbeat, __ATOMIC_RELAXED);

	if (gen != cw.gen) {
		cw.gen = gen;
		cw.beat = beat;
		cw.still = 0;
		cw.alive = true;
		printf(PROG ": control attached, generation %" PRIu64 " (pid %u)\n", gen,
			__atomic_load_n(&h->ctl_pid, __ATOMIC_RELAXED));
		fflush(stdout);
		return;
	}
	if (gen == 0)
		return;
	if (beat != cw.beat) {
		cw.beat = beat;
		cw.still = 0;
		if (!cw.alive) {
			cw.alive = true;
			fprintf(stderr, PROG ": control process responding again\n");
		}
		return;
	}
	if (!cw.alive)
		return;
	if (__atomic_load_n(&h->ctl_state, __ATOMIC_ACQUIRE) == LW_CTL_DETACHED) {
		cw.alive = false;
		say_control_gone("detached");
	} else if (++cw.still == TICKS_PER_S) {
		cw.alive = false;
		say_control_gone("not responding");
	}
}

/*
 * Failover: a dataplane whose control process is gone must not go on
 * serving the failover subnets by its last snapshot. The peer declares this
 * server down after max-response-delay without a message and serves every
 * client; from then on only one of the two may answer them.
 */
static void watch_failover(void)
{
	static uint64_t beat;
	static unsigned still;
	struct lw_shm_hdr *h = dp.ctl.hdr;
	uint64_t b = __atomic_load_n(&h->ctl_heartbeat, __ATOMIC_RELAXED);
	int down, was = __atomic_load_n(&dp.fo_ctl_down, __ATOMIC_RELAXED);

	if (!cur_cfg->has_failover)
		return;
	if (b != beat) {
		beat = b;
		still = 0;
	} else if (still < UINT_MAX) {
		still++;
	}
	down = __atomic_load_n(&h->ctl_generation, __ATOMIC_ACQUIRE) == 0 ||
	       __atomic_load_n(&h->ctl_state, __ATOMIC_ACQUIRE) == LW_CTL_DETACHED ||
	       still >= cur_cfg->failover.max_response_delay * TICKS_PER_S;
	if (down == was)
		return;
	__atomic_store_n(&dp.fo_ctl_down, down, __ATOMIC_RELEASE);
	if (down)
		fprintf(stderr,
			PROG ": control process away for %u s or more: failover subnets are not "
			     "served until it is back\n",
			cur_cfg->failover.max_response_delay);
	else
		printf(PROG ": control process back: failover subnets follow its snapshot again\n");
	fflush(stdout);
}

/* Called every second: what was dropped for want of durability, while it grows. */
static void report_drops(void)
{
	static const enum lw_counter which[3] = {
		LW_CTR_DROP_ACK_NOT_DURABLE,
		LW_CTR_DROP_ACK_HOLD_FULL,
		LW_CTR_DROP_EVENTS_FULL,
	};
	uint64_t now[3], d[3];

	for (unsigned i = 0; i < 3; i++) {
		now[i] = sum_counter(which[i]);
		d[i] = now[i] - cw.dropped[i];
		cw.dropped[i] = now[i];
	}
	if (d[0] + d[1] + d[2] == 0)
		return;
	fprintf(stderr,
		PROG ": last second: %" PRIu64 " ACKs dropped not durable after %u ms, %" PRIu64
		     " dropped with the hold queue full, %" PRIu64
		     " requests dropped with the event buffer full\n",
		d[0], cur_cfg->control.ack_hold_ms, d[1], d[2]);
}

/*
 * Called every tick until serving: every worker loaded, then every worker
 * serving. A reminder every 10 s says what is missing.
 */
static void watch_loading(uint64_t tick)
{
	if (!__atomic_load_n(&dp.all_loaded, __ATOMIC_RELAXED)) {
		unsigned loaded = 0;

		for (unsigned i = 0; i < dp.n_workers; i++)
			loaded += __atomic_load_n(&dp.workers[i]->shm->loaded_gen,
					  __ATOMIC_ACQUIRE) == dp.ctl.hdr->dp_generation;
		if (loaded < dp.n_workers) {
			if (tick % (10 * TICKS_PER_S) == 0)
				fprintf(stderr,
					PROG ": still waiting for leasewire-control (%s): %u of %u "
					     "workers loaded; no DHCP request is answered until "
					     "all are\n",
					cw.gen ? "attached" : "not attached yet", loaded,
					dp.n_workers);
			return;
		}
		__atomic_store_n(&dp.all_loaded, 1, __ATOMIC_RELEASE);
	}
	for (unsigned i = 0; i < dp.n_workers; i++)
		if (!__atomic_load_n(&dp.workers[i]->serving, __ATOMIC_ACQUIRE))
			return;
	ctlif_set_state(&dp.ctl, LW_DP_SERVING);
	cw.serving = true;
	printf(PROG ": ready (%u workers, %u ports)\n", dp.n_workers, dp.n_ports);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */
/* Configuration reload (SIGHUP, or control's reload_req) */

static struct {
	bool busy;     /* published, waiting for every worker */
	bool from_ctl; /* answer in the region */
	uint64_t req;  /* the reload_req being answered */
	uint64_t seen; /* the last reload_req taken */
	uint64_t gen;  /* last cfg_gen published */
	struct lw_config *old_cfg;
	struct srv_tables *old_tbl;
} rl;

static void reload_answer(int rc, const char *msg)
{
	struct lw_shm_hdr *h = dp.ctl.hdr;

	fprintf(rc ? stderr : stdout, PROG ": %s\n", msg);
	fflush(stdout);
	if (!rl.from_ctl)
		return;
	snprintf(h->reload_msg, sizeof(h->reload_msg), "%s", msg);
	h->reload_rc = rc;
	__atomic_store_n(&h->reload_done, rl.req, __ATOMIC_RELEASE);
}

static void reload_start(bool from_ctl, uint64_t req)
{
	struct lw_config *next = NULL;
	struct srv_tables *tbl;
	char err[1024], msg[1200];
	int rc;

	rl.from_ctl = from_ctl;
	rl.req = req;
	rc = lw_config_load(cur_cfg->path, &next, err, sizeof(err));
	if (rc < 0) {
		snprintf(msg, sizeof(msg),
			"reload refused, the running configuration stays: %.1000s", err);
		reload_answer(rc == -ENOMEM ? -ENOMEM : -EINVAL, msg);
		return;
	}
	rc = reload_check(cur_cfg, next, err, sizeof(err));
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "reload of %.300s refused: %.800s", cur_cfg->path, err);
		reload_answer(rc, msg);
		lw_config_free(next);
		return;
	}
	tbl = srv_tables_build(next);
	if (tbl == NULL) {
		snprintf(msg, sizeof(msg),
			"reload of %.300s refused: no memory for the server tables", cur_cfg->path);
		reload_answer(-ENOMEM, msg);
		lw_config_free(next);
		return;
	}
	/* Published whole before the generation that points the workers at it. */
	dp.next_cfg = next;
	dp.next_tbl = tbl;
	__atomic_store_n(&dp.cfg_gen, ++rl.gen, __ATOMIC_RELEASE);
	rl.old_cfg = cur_cfg;
	rl.old_tbl = dp.tbl;
	cur_cfg = next;
	dp.cfg = next;
	dp.tbl = tbl;
	rl.busy = true;
}

/* Called every tick: the old configuration goes once no worker uses it. */
static void reload_poll(void)
{
	char msg[600];

	if (!rl.busy)
		return;
	for (unsigned i = 0; i < dp.n_workers; i++)
		if (__atomic_load_n(&dp.workers[i]->cfg_ack, __ATOMIC_ACQUIRE) != rl.gen)
			return;
	for (unsigned i = 0; i < dp.n_ports; i++)
		dp.ports[i].conf = &cur_cfg->ports[i];
	srv_tables_free(rl.old_tbl);
	lw_config_free(rl.old_cfg);
	rl.old_tbl = NULL;
	rl.old_cfg = NULL;
	rl.busy = false;
	snprintf(msg, sizeof(msg), "configuration reloaded from %.500s", cur_cfg->path);
	reload_answer(0, msg);
}

static void reload_watch(void)
{
	uint64_t req = __atomic_load_n(&dp.ctl.hdr->reload_req, __ATOMIC_ACQUIRE);

	reload_poll();
	if (sig_hup) {
		sig_hup = 0;
		if (rl.busy)
			fprintf(stderr, PROG ": SIGHUP: a reload is still in progress\n");
		else
			reload_start(false, 0);
	}
	/* Control's request waits for a reload in progress. */
	if (req != rl.seen && !rl.busy) {
		rl.seen = req;
		reload_start(true, req);
	}
}

static void stop(bool eal_up)
{
	if (dp.n_workers && dp.workers[0])
		workers_free(&dp);
	ctlif_close(&dp.ctl);
	for (unsigned i = 0; i < dp.n_ports; i++)
		port_close(&dp.ports[i]);
	dp.n_ports = 0;
	srv_tables_free(dp.tbl);
	dp.tbl = NULL;
	if (eal_up)
		rte_eal_cleanup();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'C'},
		{"log-leases", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	bool check = false, log_leases = false;
	char *eal_argv[EAL_ARGV_MAX] = {0};
	struct lw_config *cfg = NULL;
	struct sigaction sa;
	char err[1024];
	uint64_t left;
	int c, rc, status = 0;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'L':
			log_leases = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}

	rc = lw_config_load(path, &cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		status = check_config(path, cfg);
		lw_config_free(cfg);
		return status;
	}

	cur_cfg = cfg;
	dp.cfg = cfg;
	dp.log_leases = log_leases;
	rc = start(argv[0], cfg, eal_argv);
	if (rc < 0) {
		stop(rc == -2);
		status = 1;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (unsigned i = 0; i < dp.n_workers; i++) {
		rc = rte_eal_remote_launch(worker_main, dp.workers[i], dp.lcores[i]);
		if (rc != 0) {
			fprintf(stderr, PROG ": cannot start worker %u on lcore %u: %s\n", i,
				dp.lcores[i], rte_strerror(-rc));
			__atomic_store_n(&dp.quit, 1, __ATOMIC_RELAXED);
			rte_eal_mp_wait_lcore();
			stop(true);
			status = 1;
			goto out;
		}
	}
	/* The header is complete and the workers take commands: control may stream. */
	ctlif_set_state(&dp.ctl, LW_DP_LOADING);
	printf(PROG ": waiting for leasewire-control to load the leases (region %s)\n",
		dp.ctl.path);
	fflush(stdout);

	for (uint64_t tick = 1; !sig_quit; tick++) {
		struct timespec ts = {0, TICK_NS};

		nanosleep(&ts, NULL);
		__atomic_store_n(&dp.ctl.hdr->dp_heartbeat, tick, __ATOMIC_RELAXED);
		watch_workers();
		watch_control();
		watch_failover();
		if (!cw.serving)
			watch_loading(tick);
		if (tick % TICKS_PER_S == 0)
			report_drops();
		if (sig_dump) {
			sig_dump = 0;
			stats_dump(&dp, stdout);
		}
		reload_watch();
	}

	__atomic_store_n(&dp.quit, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	left = workers_settle(&dp, SETTLE_MS);
	if (left)
		fprintf(stderr,
			PROG ": %" PRIu64 " binding events not durable at exit: control did not "
			     "confirm them within %u ms (their ACKs were not sent)\n",
			left, SETTLE_MS);
	stats_dump(&dp, stdout);
	printf(PROG ": stopped\n");
	fflush(stdout);
	stop(true);
out:
	for (int i = 0; i < EAL_ARGV_MAX; i++)
		free(eal_argv[i]);
	/* A reload cut short by the exit: the workers have stopped, both go. */
	srv_tables_free(rl.old_tbl);
	lw_config_free(rl.old_cfg);
	lw_config_free(cur_cfg);
	return status;
}
