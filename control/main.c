/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-control: the plain Linux process beside the dataplane. It
 * replays the lease database, journals every binding the workers commit
 * (group commit, then durable_seq), loads a (re)started dataplane's shards,
 * serves the control socket and the metrics endpoint, compacts the journal,
 * and, with --dataplane, starts the dataplane itself and restarts it if it
 * dies: one command runs the whole service.
 *
 * One thread, one epoll loop. The event rings have no file descriptor, so
 * while a dataplane is attached the loop wakes every LOOP_IDLE_US to look
 * at them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "common/config.h"
#include "common/lw_str.h"
#include "common/lw_time.h"
#include "ctlsock.h"
#include "fopeer.h"
#include "leasedb.h"
#include "loop.h"
#include "metrics.h"
#include "pump.h"
#include "store.h"

#define PROG		 "leasewire-control"
#define LOOP_IDLE_US	 200	      /* attached and idle: look at the rings this often */
#define LOOP_DETACHED_MS 50	      /* no dataplane: look for one this often */
#define TICK_NS		 100000000ull /* housekeeping: timeouts, compaction, rates */
#define DP_STOP_WAIT_S	 10
#define RELOAD_WAIT_S	 5

struct ctl_main {
	struct lw_config *cfg;
	char cfg_path[PATH_MAX];
	struct store *st;
	struct leasedb *db;
	struct pump pump;
	int epfd;
	int sigfd;
	struct ev_src sig_src;
	struct ctlsock *cs;
	struct metrics *mx;
	struct ctl_env env;
	struct fopeer *fo; /* NULL without a failover block */
	struct ev_src fo_src;
	time_t started;
	bool quit;     /* leave the loop */
	bool stopping; /* SIGTERM: dataplane child asked to stop */
	time_t stop_deadline;

	/* --dataplane: the child we run */
	char dp_path[PATH_MAX];
	bool log_leases;
	pid_t dp_pid;
	uint64_t dp_restart_ns; /* when to start it again, 0: not scheduled */
	unsigned dp_restarts;

	/* rates, over the last second */
	uint64_t rate_t_ns;
	uint64_t prev_rx[LW_SHM_MAX_WORKERS], prev_ack[LW_SHM_MAX_WORKERS];
	double rate_rx[LW_SHM_MAX_WORKERS], rate_ack[LW_SHM_MAX_WORKERS];
};

static struct ctl_main M;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */
/* The dataplane child (--dataplane) */

static int find_dataplane(char *out, size_t len)
{
	char self[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	static const char *const rel[] = {
		"leasewire-dataplane",		    /* installed side by side */
		"../dataplane/leasewire-dataplane", /* the build tree */
	};

	if (n > 0) {
		self[n] = '\0';
		snprintf(dir, sizeof(dir), "%s", dirname(self));
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			size_t pos = 0;

			lw_strcat(out, len, &pos, "%s/%s", dir, rel[i]);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "leasewire-dataplane"); /* from PATH */
	return 0;
}

static void dp_start(struct ctl_main *m)
{
	pid_t pid = fork();

	if (pid < 0) {
		say("cannot start the dataplane: fork: %s\n", strerror(errno));
		m->dp_restart_ns = lw_mono_ns() + 1000000000ull;
		return;
	}
	if (pid == 0) {
		char *argv[6];
		int argc = 0;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		argv[argc++] = m->dp_path;
		argv[argc++] = (char *)"-c";
		argv[argc++] = m->cfg_path;
		if (m->log_leases)
			argv[argc++] = (char *)"--log-leases";
		argv[argc] = NULL;
		execvp(m->dp_path, argv);
		fprintf(stderr, PROG ": cannot run %s: %s\n", m->dp_path, strerror(errno));
		_exit(127);
	}
	m->dp_pid = pid;
	m->dp_restart_ns = 0;
	say("started the dataplane: %s -c %s (pid %d)\n", m->dp_path, m->cfg_path, (int)pid);
}

static void dp_reap(struct ctl_main *m)
{
	int status;
	pid_t pid;

	if (m->dp_pid <= 0)
		return;
	pid = waitpid(m->dp_pid, &status, WNOHANG);
	if (pid != m->dp_pid)
		return;
	m->dp_pid = 0;
	if (WIFEXITED(status))
		say("the dataplane exited with status %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("the dataplane was killed by signal %d\n", WTERMSIG(status));
	if (m->stopping)
		return;
	/* Back off: 1 s, 2 s, 4 s ... up to 30 s while it keeps dying. */
	m->dp_restarts++;
	{
		unsigned shift = m->dp_restarts > 5 ? 5 : m->dp_restarts - 1;
		uint64_t wait = (1ull << shift) * 1000000000ull;

		if (wait > 30000000000ull)
			wait = 30000000000ull;
		m->dp_restart_ns = lw_mono_ns() + wait;
		say("restarting the dataplane in %llu s\n",
			(unsigned long long)(wait / 1000000000ull));
	}
}

/* ------------------------------------------------------------------------ */
/* ctl_env: what the commands need from the process */

static const struct lw_config *env_config(void *arg)
{
	return ((struct ctl_main *)arg)->cfg;
}

static const char *env_config_path(void *arg)
{
	return ((struct ctl_main *)arg)->cfg_path;
}

static const char *restart_only(const struct lw_config *a, const struct lw_config *b)
{
	if (strcmp(a->control.shm, b->control.shm) != 0)
		return "control.shm";
	if (strcmp(a->control.state_dir, b->control.state_dir) != 0)
		return "control.state_dir";
	if (strcmp(a->control.socket, b->control.socket) != 0)
		return "control.socket";
	if (a->control.metrics != b->control.metrics ||
		a->control.metrics_addr != b->control.metrics_addr ||
		a->control.metrics_port != b->control.metrics_port)
		return "control.metrics";
	if (a->has_failover != b->has_failover ||
		(a->has_failover && memcmp(&a->failover, &b->failover, sizeof(a->failover)) != 0))
		return "failover";
	for (unsigned i = 0; i < a->n_pools && i < b->n_pools; i++)
		if (a->pools[i].failover != b->pools[i].failover)
			return "pools.failover";
	return NULL;
}

/* Asks the dataplane to reload its file; keeps journaling while it does. */
static int dp_reload(struct ctl_main *m, char *msg, size_t len)
{
	struct lw_shm_hdr *h = m->pump.shm.h;
	uint64_t req = h->reload_req + 1;
	time_t deadline = time(NULL) + RELOAD_WAIT_S;

	__atomic_store_n(&h->reload_req, req, __ATOMIC_RELEASE);
	while (__atomic_load_n(&h->reload_done, __ATOMIC_ACQUIRE) != req) {
		if (time(NULL) > deadline) {
			snprintf(msg, len, "the dataplane did not answer the reload within %d s",
				RELOAD_WAIT_S);
			return -1;
		}
		pump_poll(&m->pump, lw_mono_ns());
		usleep(200);
		if (!shmif_attached(&m->pump.shm)) {
			snprintf(msg, len, "the dataplane went away during the reload");
			return -1;
		}
	}
	if (h->reload_rc < 0) {
		snprintf(msg, len, "the dataplane refused the configuration: %.*s",
			(int)sizeof(h->reload_msg), h->reload_msg);
		return -1;
	}
	return 0;
}

static int env_reload(void *arg, const char *path, bool apply, char *msg, size_t len)
{
	struct ctl_main *m = arg;
	struct lw_config *nc = NULL;
	const char *which;
	bool dp = false;
	int rc;

	rc = lw_config_load(path ? path : m->cfg_path, &nc, msg, len);
	if (rc < 0)
		return -1;
	if (!apply) {
		snprintf(msg, len, "%s: configuration OK", path ? path : m->cfg_path);
		lw_config_free(nc);
		return 0;
	}
	which = restart_only(m->cfg, nc);
	if (which) {
		snprintf(msg, len,
			"%s changed: restart leasewire-control to apply it; nothing changed",
			which);
		lw_config_free(nc);
		return -1;
	}
	if (shmif_attached(&m->pump.shm) &&
		__atomic_load_n(&m->pump.shm.h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_SERVING) {
		if (dp_reload(m, msg, len) < 0) {
			lw_config_free(nc);
			return -1;
		}
		dp = true;
	}
	m->pump.cfg = nc;
	if (m->fo)
		fopeer_set_config(m->fo, nc);
	lw_config_free(m->cfg);
	m->cfg = nc;
	snprintf(msg, len, "configuration reloaded%s",
		dp ? " (control and dataplane)"
		   : " (control; the dataplane reads it when it starts)");
	say("%s from %s\n", msg, m->cfg_path);
	return 0;
}

static int env_lease_del(void *arg, const struct store_lease *l, char *msg, size_t len)
{
	struct ctl_main *m = arg;
	struct shmif *s = &m->pump.shm;
	struct lw_bind_event ev;
	const char *how = "";
	union lw_cmd c;

	store_lease_to_event(l, &ev);
	if (m->pump.stream.active) {
		/* The binding may be on its way to the shard already. */
		snprintf(msg, len, "the dataplane is loading its leases; try again when it serves");
		return -1;
	}
	/*
	 * The worker that owns the client frees the address in its shard (and
	 * sends its own FREE event). A keyless record (a declined address) has
	 * no owning client: it stays quarantined in the dataplane until its
	 * probation ends, and only leaves the database here.
	 */
	if (shmif_attached(s) &&
		__atomic_load_n(&s->h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_SERVING &&
		l->key.kind != LW_KEY_NONE) {
		unsigned w = shmif_owner(s, &l->key);

		memset(&c, 0, sizeof(c));
		c.bind = ev;
		c.bind.type = LW_CMD_DELETE;
		c.bind.version = LW_RECORDS_VERSION;
		c.bind.worker = (uint16_t)w;
		if (shmif_cmd(s, w, &c) < 0) {
			snprintf(msg, len, "worker %u's command ring is full; try again", w);
			return -1;
		}
		how = " (and freed in the dataplane)";
	}
	/* Journaled here as well: the record leaves the database even when the
	 * shard no longer knows the binding (history it already dropped). */
	ev.type = LW_EV_BIND;
	ev.version = LW_RECORDS_VERSION;
	ev.state = LW_BIND_FREE;
	ev.worker = 0xffff;
	ev.seq = 0;
	ev.end = (uint32_t)time(NULL);
	if (pump_local_event(&m->pump, &ev, lw_mono_ns()) < 0) {
		snprintf(msg, len, "cannot journal the deletion");
		return -1;
	}
	snprintf(msg, len, "lease deleted%s", how);
	return 0;
}

static void env_stats(void *arg, struct ctl_stats *out)
{
	struct ctl_main *m = arg;
	struct shmif *s = &m->pump.shm;
	const struct pump_stats *ps = &m->pump.stats;
	struct leasedb_stats ds;

	leasedb_stats(m->db, &ds);
	memset(out, 0, sizeof(*out));
	if (shmif_attached(s)) {
		out->n_workers = s->n_workers;
		for (unsigned w = 0; w < s->n_workers; w++) {
			struct lw_shm_worker *sw = lw_shm_worker_at(s->h, w);

			for (unsigned c = 0; c < LW_CTR_MAX; c++)
				out->ctr[w][c] = __atomic_load_n(&sw->ctr[c], __ATOMIC_RELAXED);
			out->held_acks[w] = __atomic_load_n(&sw->held_acks, __ATOMIC_RELAXED);
			out->durable_seq[w] = __atomic_load_n(&sw->durable_seq, __ATOMIC_RELAXED);
			out->rate_rx[w] = m->rate_rx[w];
			out->rate_ack[w] = m->rate_ack[w];
		}
		out->cmd_ring_full = s->cmd_full;
		out->events_duplicate = s->duplicates;
	}
	out->events_journaled = ps->events;
	out->rebalance_moves = m->pump.rb.moves;
	out->rebalance_addresses = m->pump.rb.addresses;
	out->journal_records = ds.records;
	out->journal_syncs = ps->syncs;
	out->journal_bytes = ds.bytes;
	out->fsync_batch_last = (uint32_t)ps->last_batch;
	out->fsync_batch_max = (uint32_t)ps->max_batch;
	out->fsync_batch_avg = ps->syncs ? (double)ps->events / (double)ps->syncs : 0;
	out->fsync_latency_us_last = ps->lat_last_us;
	out->fsync_latency_us_max = ps->lat_max_us;
	out->fsync_latency_us_avg = ps->syncs ? ps->lat_sum_us / (double)ps->syncs : 0;
	if (m->cs != NULL) {
		struct ctlsock_stats cst;

		ctlsock_stats(m->cs, &cst);
		out->ctl_rejected = cst.rejected;
		out->ctl_refused = cst.refused;
		out->ctl_timed_out = cst.timed_out;
	}
}

static const char *dp_state_name(uint32_t s)
{
	static const char *const names[] = {"starting", "loading", "serving", "stopped"};

	return s < 4 ? names[s] : "?";
}

static void env_status(void *arg, json_t *out)
{
	struct ctl_main *m = arg;
	struct shmif *s = &m->pump.shm;
	json_t *dp = json_object();

	json_object_set_new(out, "pid", json_integer(getpid()));
	json_object_set_new(out, "uptime", json_integer(time(NULL) - m->started));
	json_object_set_new(out, "config-file", json_string(m->cfg_path));
	json_object_set_new(out, "state-dir", json_string(m->cfg->control.state_dir));
	json_object_set_new(
		out, "durability", json_string(lw_durability_name(m->cfg->control.durability)));
	json_object_set_new(out, "leases", json_integer(store_count(m->st)));
	json_object_set_new(out, "journal-events", json_integer((json_int_t)m->pump.stats.events));
	json_object_set_new(out, "journal-syncs", json_integer((json_int_t)m->pump.stats.syncs));
	if (shmif_attached(s)) {
		json_object_set_new(dp, "state", json_string(dp_state_name(s->h->dp_state)));
		json_object_set_new(dp, "pid", json_integer(s->h->dp_pid));
		json_object_set_new(dp, "workers", json_integer(s->n_workers));
		json_object_set_new(dp, "region", json_string(s->name));
		json_object_set_new(
			dp, "attached-since", json_integer((json_int_t)m->pump.attached_at));
	} else {
		json_object_set_new(dp, "state", json_string("not attached"));
	}
	json_object_set_new(dp, "supervised", json_boolean(m->dp_path[0] != '\0'));
	json_object_set_new(dp, "restarts", json_integer(m->dp_restarts));
	json_object_set_new(out, "dataplane", dp);
}

static void begin_stop(struct ctl_main *m, const char *why)
{
	if (m->stopping)
		return;
	say("%s: stopping\n", why);
	m->stopping = true;
	m->stop_deadline = time(NULL) + DP_STOP_WAIT_S;
	m->dp_restart_ns = 0;
	if (m->dp_pid > 0)
		kill(m->dp_pid, SIGTERM); /* it pushes its last events; we keep journaling */
	else
		m->quit = true;
}

static void env_shutdown(void *arg)
{
	begin_stop(arg, "shutdown command");
}

/* ------------------------------------------------------------------------ */
/* Signals, housekeeping */

static void on_signal(struct ev_src *src, uint32_t events)
{
	struct signalfd_siginfo si;
	struct ctl_main *m = &M;
	char msg[1024];

	while (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			begin_stop(m, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		case SIGHUP:
			if (env_reload(m, NULL, true, msg, sizeof(msg)) < 0)
				say("SIGHUP: configuration not reloaded: %s\n", msg);
			break;
		case SIGCHLD:
			dp_reap(m);
			break;
		default:
			break;
		}
	}
}

static void update_rates(struct ctl_main *m, uint64_t now)
{
	struct shmif *s = &m->pump.shm;
	double dt = (double)(now - m->rate_t_ns) / 1e9;

	if (dt < 1.0)
		return;
	m->rate_t_ns = now;
	if (!shmif_attached(s))
		return;
	for (unsigned w = 0; w < s->n_workers; w++) {
		struct lw_shm_worker *sw = lw_shm_worker_at(s->h, w);
		uint64_t rx = __atomic_load_n(&sw->ctr[LW_CTR_RX_DHCP], __ATOMIC_RELAXED);
		uint64_t ack = __atomic_load_n(&sw->ctr[LW_CTR_OUT_ACK], __ATOMIC_RELAXED);

		m->rate_rx[w] = rx >= m->prev_rx[w] ? (double)(rx - m->prev_rx[w]) / dt : 0;
		m->rate_ack[w] = ack >= m->prev_ack[w] ? (double)(ack - m->prev_ack[w]) / dt : 0;
		m->prev_rx[w] = rx;
		m->prev_ack[w] = ack;
	}
}

static void tick(struct ctl_main *m, uint64_t now)
{
	struct leasedb_stats ds;
	int rc;

	ctlsock_tick(m->cs, now / 1000000ull);
	update_rates(m, now);
	rc = leasedb_compact_poll(m->db, false);
	if (rc < 0)
		say("compaction failed (%s); the journals are kept and it will be tried again\n",
			leasedb_compact_error(m->db));
	else if (rc > 0)
		say("compaction done\n");
	leasedb_stats(m->db, &ds);
	if (ds.journal_records >= m->cfg->control.compact_records && !leasedb_compacting(m->db)) {
		rc = leasedb_compact_start(
			m->db, m->st, (uint32_t)time(NULL), m->cfg->control.history_window);
		if (rc < 0 && rc != -EBUSY)
			say("cannot start a compaction: %s\n", strerror(-rc));
	}
	if (m->dp_path[0] && m->dp_pid == 0 && m->dp_restart_ns && now >= m->dp_restart_ns)
		dp_start(m);
	if (m->stopping && m->dp_pid > 0 && time(NULL) > m->stop_deadline) {
		say("the dataplane did not stop within %d s: killing it\n", DP_STOP_WAIT_S);
		kill(m->dp_pid, SIGKILL);
		m->stop_deadline = time(NULL) + DP_STOP_WAIT_S;
	}
	if (m->stopping && m->dp_pid == 0)
		m->quit = true;
}

static void on_failover(struct ev_src *src, uint32_t events)
{
	(void)src;
	(void)events;
	fopeer_poll(M.fo, lw_mono_ns() / 1000000u);
}

static int env_failover_status(void *arg, json_t *out)
{
	struct ctl_main *m = arg;

	if (m->fo == NULL)
		return -1;
	fopeer_status(m->fo, out);
	return 0;
}

static int env_failover_partner_down(void *arg, char *msg, size_t len)
{
	struct ctl_main *m = arg;

	return fopeer_partner_down(m->fo, msg, len);
}

static void run(struct ctl_main *m)
{
	struct epoll_event evs[32];
	uint64_t next_tick = 0;

	while (!m->quit) {
		uint64_t now = lw_mono_ns();
		unsigned busy = pump_poll(&m->pump, now);
		struct timespec ts = {0, 0};
		int64_t due = pump_due_in(&m->pump, now);
		int n;

		if (m->fo) {
			int64_t fd = (int64_t)fopeer_due_in(m->fo, now / 1000000u) * 1000000ll;

			fopeer_poll(m->fo, now / 1000000u);
			if (due < 0 || fd < due)
				due = fd;
		}

		if (!busy) {
			int64_t wait = shmif_attached(&m->pump.shm) ? LOOP_IDLE_US * 1000ll
								    : LOOP_DETACHED_MS * 1000000ll;
			int64_t mt = metrics_timeout_ns(m->mx);

			if (due >= 0 && due < wait)
				wait = due;
			if (mt >= 0 && mt < wait)
				wait = mt;
			ts.tv_sec = wait / 1000000000ll;
			ts.tv_nsec = wait % 1000000000ll;
		}
		n = epoll_pwait2(m->epfd, evs, 32, &ts, NULL);
		for (int i = 0; i < n; i++) {
			struct ev_src *src = evs[i].data.ptr;

			src->handle(src, evs[i].events);
		}
		metrics_run(m->mx);
		if (now >= next_tick) {
			next_tick = now + TICK_NS;
			tick(m, now);
		}
	}
}

/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " -c FILE [--dataplane[=PATH]] [--log-leases] [-h]\n"
		   "  -c, --config FILE      configuration file (libconfig)\n"
		   "      --dataplane[=PATH] also run leasewire-dataplane (found next to this "
		   "program\n"
		   "                         when PATH is not given) and restart it if it dies\n"
		   "      --log-leases       pass --log-leases to the dataplane\n"
		   "  -h, --help             this text\n"
		   "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop (the dataplane\n"
		   "first, then the journal is synced).\n");
}

/* mkdir -p for the parents of the state directory (leasedb creates the last level). */
static void make_parents(const char *dir)
{
	char p[LW_PATH_LEN];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST)
			return; /* leasedb_open reports the failure */
		*s = '/';
	}
}

static int setup(struct ctl_main *m)
{
	struct leasedb_report rep;
	struct epoll_event ee;
	sigset_t set;
	char err[1024];

	m->st = store_create(1024);
	if (m->st == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	make_parents(m->cfg->control.state_dir);
	m->db = leasedb_open(m->cfg->control.state_dir, m->st, &rep, err, sizeof(err));
	if (m->db == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	say("lease database %s: %llu bindings (snapshot %llu records, %u journals with %llu "
	    "records) in %llu ms\n",
		m->cfg->control.state_dir, (unsigned long long)rep.bindings,
		(unsigned long long)rep.snapshot_records, rep.journals,
		(unsigned long long)rep.journal_records, (unsigned long long)rep.elapsed_ms);
	for (unsigned i = 0; i < rep.n_cuts; i++)
		say("journal %s: %s: kept %llu records, dropped the last %llu bytes\n",
			rep.cuts[i].file, rep.cuts[i].reason,
			(unsigned long long)rep.cuts[i].records_kept,
			(unsigned long long)rep.cuts[i].bytes_dropped);
	if (rep.log[0])
		fputs(rep.log, stdout);
	fflush(stdout);
	pump_init(&m->pump, m->cfg, m->st, m->db);

	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	m->sig_src.handle = on_signal;
	ee.events = EPOLLIN;
	ee.data.ptr = &m->sig_src;
	if (m->epfd < 0 || m->sigfd < 0 || epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->sigfd, &ee) < 0) {
		fprintf(stderr, PROG ": epoll/signalfd: %s\n", strerror(errno));
		return -1;
	}

	m->env.store = m->st;
	m->env.config = env_config;
	m->env.config_path = env_config_path;
	m->env.reload = env_reload;
	m->env.lease_del = env_lease_del;
	m->env.stats = env_stats;
	m->env.status = env_status;
	m->env.shutdown = env_shutdown;
	if (m->cfg->has_failover) {
		m->fo = fopeer_create(m->cfg, m->st, &m->pump, false, err, sizeof(err));
		if (m->fo == NULL) {
			fprintf(stderr, PROG ": %s\n", err);
			return -1;
		}
		m->pump.on_event = fopeer_on_event;
		m->pump.on_event_arg = m->fo;
		m->fo_src.handle = on_failover;
		ee.events = EPOLLIN;
		ee.data.ptr = &m->fo_src;
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fopeer_fd(m->fo), &ee) < 0) {
			fprintf(stderr, PROG ": epoll: %s\n", strerror(errno));
			return -1;
		}
		m->env.failover_status = env_failover_status;
		m->env.failover_partner_down = env_failover_partner_down;
	}
	m->env.arg = m;
	m->cs = ctlsock_open(
		m->cfg->control.socket, m->epfd, ctl_handle_cb, &m->env, err, sizeof(err));
	if (m->cs == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (m->cfg->control.metrics) {
		m->mx = metrics_open(m->cfg, m->epfd, &m->env, err, sizeof(err));
		if (m->mx == NULL) {
			fprintf(stderr, PROG ": %s\n", err);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"dataplane", optional_argument, NULL, 'D'},
		{"log-leases", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl_main *m = &M;
	const char *path = NULL;
	char err[1024];
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'D':
			if (optarg)
				snprintf(m->dp_path, sizeof(m->dp_path), "%s", optarg);
			else
				find_dataplane(m->dp_path, sizeof(m->dp_path));
			break;
		case 'L':
			m->log_leases = true;
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
	if (realpath(path, m->cfg_path) == NULL)
		snprintf(m->cfg_path, sizeof(m->cfg_path), "%s", path);
	if (lw_config_load(m->cfg_path, &m->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	m->started = time(NULL);
	m->sigfd = m->epfd = -1;
	if (setup(m) < 0) {
		status = 1;
		goto out;
	}
	say("ready (%u bindings, journal in %s, durability %s, socket %s)\n", store_count(m->st),
		m->cfg->control.state_dir, lw_durability_name(m->cfg->control.durability),
		m->cfg->control.socket);
	if (m->dp_path[0])
		dp_start(m);

	run(m);

	pump_flush(&m->pump, lw_mono_ns());
	pump_detach(&m->pump);
	if (leasedb_compact_poll(m->db, true) < 0)
		say("the last compaction failed; the journals are kept\n");
	ctlsock_flush(m->cs, 500);
	say("stopped (%" PRIu64 " events journaled, %" PRIu64 " group commits)\n",
		m->pump.stats.events, m->pump.stats.syncs);
out:
	metrics_close(m->mx);
	ctlsock_close(m->cs);
	ctl_env_fini(&m->env);
	fopeer_free(m->fo);
	if (m->db)
		leasedb_close(m->db);
	store_free(m->st);
	rebalance_fini(&m->pump.rb);
	if (m->sigfd >= 0)
		close(m->sigfd);
	if (m->epfd >= 0)
		close(m->epfd);
	lw_config_free(m->cfg);
	return status;
}
