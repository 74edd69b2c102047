/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The failover engine (fopeer.h): the state machine, the link and the
 * binding updates. Pools, grants and balancing are in fopeer_pool.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/lb_hash.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "failover/fo_mclt.h"
#include "fopeer_pvt.h"
#include "pump.h"
#include "store.h"

#define STATE_FILE "failover.state"

void fop_log(struct fopeer *f, const char *fmt, ...)
{
	va_list ap;

	if (f->quiet)
		return;
	printf("leasewire-control: failover peer %s: ", f->fc->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void conn_log(void *arg, int level, const char *fmt, ...)
{
	struct fopeer *f = arg;
	va_list ap;

	(void)level;
	if (f->quiet)
		return;
	printf("leasewire-control: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

uint32_t fop_now(void)
{
	return (uint32_t)time(NULL);
}

bool fop_pool_is_fo(const struct fopeer *f, unsigned pool)
{
	return pool < f->cfg->n_pools && f->cfg->pools[pool].failover;
}

/* ------------------------------------------------------------------------ */
/* The state file: written whole (temporary file, fsync, rename, fsync of the
 * directory) before the new state is acted on. */

/*
 * Writes <state_dir>/failover.state whole (fopeer.h): also for
 * leasewire-import, so that the format has one writer.
 */
int fopeer_state_file_write(const char *state_dir, const char *relationship, enum fo_state my_state,
	uint32_t my_stos, enum fo_state partner_state, uint32_t partner_since, uint32_t mclt,
	const uint8_t *hba)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], hex[FO_HBA_LEN * 2 + 1];
	FILE *fp;
	int fd, dfd;

	for (unsigned i = 0; i < FO_HBA_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", hba[i]);
	snprintf(path, sizeof(path), "%s/%s", state_dir, STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -errno;
	fprintf(fp,
		"# leasewire failover state: written by leasewire-control, do not edit while it "
		"runs\n"
		"relationship %s\nmy-state %s\nmy-stos %" PRIu32 "\npartner-state %s\n"
		"partner-since %" PRIu32 "\nmclt %" PRIu32 "\nhba %s\n",
		relationship, fo_state_name(my_state), my_stos, fo_state_name(partner_state),
		partner_since, mclt, hex);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		int e = errno;

		fclose(fp);
		unlink(tmp);
		return -e;
	}
	fclose(fp);
	if (rename(tmp, path) < 0)
		return -errno;
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fd = fsync(dfd);
		close(dfd);
		if (fd < 0)
			return -errno;
	}
	return 0;
}

static int save_state(struct fopeer *f)
{
	return fopeer_state_file_write(f->cfg->control.state_dir, f->fc->name,
		f->ctx.state == FO_STATE_STARTUP ? f->ctx.saved_state : f->ctx.state, f->ctx.stos,
		f->ctx.peer_state, f->peer_since, f->mclt, f->hba);
}

/* A state by the name fo_state_name() gives it (ISC's), or -1. Not static:
 * leasewire-import reads ISC's `failover peer ... state` names with it. */
int fopeer_state_by_name(const char *s)
{
	static const enum fo_state all[] = {FO_STATE_UNKNOWN, FO_STATE_NORMAL,
		FO_STATE_COMM_INTERRUPTED, FO_STATE_PARTNER_DOWN, FO_STATE_POTENTIAL_CONFLICT,
		FO_STATE_RECOVER, FO_STATE_PAUSED, FO_STATE_SHUTDOWN, FO_STATE_RECOVER_DONE,
		FO_STATE_RESOLUTION_INTERRUPTED, FO_STATE_CONFLICT_DONE, FO_STATE_RECOVER_WAIT};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, fo_state_name(all[i])) == 0)
			return (int)all[i];
	return -1;
}

/* Reads the saved states; a missing file is a new server. */
static int load_state(struct fopeer *f, char *err, size_t errlen)
{
	char line[256], key[64], val[160];
	unsigned lineno = 0;
	FILE *fp = fopen(f->state_path, "r");

	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", f->state_path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		int st;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %159s", key, val) != 2)
			goto bad;
		if (strcmp(key, "my-state") == 0 || strcmp(key, "partner-state") == 0) {
			if ((st = fopeer_state_by_name(val)) < 0)
				goto bad;
			if (key[0] == 'm')
				f->ctx.state = (enum fo_state)st;
			else
				f->ctx.peer_state = (enum fo_state)st;
		} else if (strcmp(key, "my-stos") == 0) {
			f->ctx.stos = (uint32_t)strtoul(val, NULL, 10);
		} else if (strcmp(key, "partner-since") == 0) {
			f->peer_since = (uint32_t)strtoul(val, NULL, 10);
		} else if (strcmp(key, "mclt") == 0) {
			/* The secondary keeps what the primary told it. */
			if (f->fc->role == LW_FO_SECONDARY)
				f->mclt = (uint32_t)strtoul(val, NULL, 10);
		} else if (strcmp(key, "hba") == 0) {
			if (f->fc->role == LW_FO_SECONDARY && strlen(val) == 2 * FO_HBA_LEN)
				for (unsigned i = 0; i < FO_HBA_LEN; i++) {
					char h[3] = {val[2 * i], val[2 * i + 1], 0};

					f->hba[i] = (uint8_t)strtoul(h, NULL, 16);
				}
		} else if (strcmp(key, "relationship") == 0) {
			if (strcmp(val, f->fc->name) != 0) {
				snprintf(err, errlen,
					"%s is for failover relationship \"%s\", the configuration "
					"names \"%s\"; move it away to start this relationship "
					"afresh",
					f->state_path, val, f->fc->name);
				fclose(fp);
				return -1;
			}
		}
	}
	fclose(fp);
	return 0;
bad:
	snprintf(err, errlen, "%s:%u: cannot read this line", f->state_path, lineno);
	fclose(fp);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* The snapshot for the workers */

void fop_publish(struct fopeer *f)
{
	struct lw_shm_hdr *h = f->pump->shm.h;
	struct lw_shm_fo *fo;
	uint8_t service;

	if (!shmif_attached(&f->pump->shm))
		return;
	switch (fo_service(f->ctx.state, f->ctx.peer_state)) {
	case FO_SERVICE_BALANCED:
		service = LW_FO_SERVE_BALANCED;
		break;
	case FO_SERVICE_OWN_POOL:
	case FO_SERVICE_PARTNER_DOWN:
		service = LW_FO_SERVE_ALL;
		break;
	default:
		service = LW_FO_SERVE_NONE;
		break;
	}
	/* A secondary that never heard the primary's MCLT cannot bound a lease. */
	if (f->mclt == 0)
		service = LW_FO_SERVE_NONE;
	fo = &h->fo;
	__atomic_store_n(&fo->seq, fo->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	fo->service = service;
	fo->role = f->fc->role;
	fo->my_state = (uint8_t)f->ctx.state;
	fo->peer_state = (uint8_t)f->ctx.peer_state;
	fo->mclt = f->mclt;
	fo->lb_max_secs = f->fc->lb_max_seconds;
	memcpy(fo->hba, f->hba, sizeof(fo->hba));
	__atomic_store_n(&fo->seq, fo->seq + 1, __ATOMIC_RELEASE);
	f->published_attach = f->pump->stats.attaches;
}

/* ------------------------------------------------------------------------ */
/* The state machine */

static void send_state(struct fopeer *f)
{
	struct fo_msg m;
	bool startup = f->ctx.state == FO_STATE_STARTUP;

	fo_msg_init(&m, FO_MSG_STATE, 0, 0);
	fo_msg_add(&m, FO_OPT_SERVER_STATE);
	m.server_state = (uint8_t)(startup ? f->ctx.saved_state : f->ctx.state);
	fo_msg_add(&m, FO_OPT_SERVER_FLAGS);
	m.server_flags = startup ? FO_SF_STARTUP : 0;
	fo_msg_add(&m, FO_OPT_STOS);
	m.stos = f->ctx.stos;
	(void)fo_conn_send(f->conn, &m);
}

static void send_simple(struct fopeer *f, uint8_t type, uint32_t xid)
{
	struct fo_msg m;

	fo_msg_init(&m, type, 0, xid);
	(void)fo_conn_send(f->conn, &m);
}

static void step(struct fopeer *f, const struct fo_event *ev);

static void apply(struct fopeer *f, const struct fo_result *r)
{
	enum fo_state old = f->ctx.state, old_peer = f->ctx.peer_state;
	uint32_t now = fop_now();
	int rc;

	f->ctx.state = r->state;
	f->ctx.saved_state = r->saved_state;
	f->ctx.peer_state = r->peer_state;
	f->ctx.stos = r->stos;
	if (old != r->state) {
		f->stats.state_changes++;
		f->my_since = now;
		fop_log(f, "I move from %s to %s\n", fo_state_name(old), fo_state_name(r->state));
	}
	if (old_peer != r->peer_state) {
		f->peer_since = now;
		fop_log(f, "peer moves from %s to %s\n", fo_state_name(old_peer),
			fo_state_name(r->peer_state));
	}
	if ((old != r->state || old_peer != r->peer_state) && r->state == FO_STATE_NORMAL &&
		r->peer_state == FO_STATE_NORMAL)
		fop_log(f, "Both servers normal\n");

	if (r->actions & FO_ACT_CANCEL_TIMERS)
		f->timer_kind = FO_EV_COUNT;
	if (r->actions & FO_ACT_START_STARTUP_TIMER) {
		f->timer_kind = FO_EV_STARTUP_TIMEOUT;
		f->timer_at = r->timer_at;
	}
	if (r->actions & FO_ACT_START_AUTO_PD_TIMER) {
		f->timer_kind = FO_EV_AUTO_PARTNER_DOWN_TIMEOUT;
		f->timer_at = r->timer_at;
	}
	if (r->actions & FO_ACT_START_RECOVER_WAIT_TIMER) {
		f->timer_kind = FO_EV_RECOVER_WAIT_TIMEOUT;
		f->timer_at = r->timer_at;
	}
	if (r->actions & FO_ACT_JOURNAL) {
		if ((rc = save_state(f)) < 0)
			fop_log(f, "cannot save %s: %s\n", f->state_path, strerror(-rc));
	}
	fop_publish(f);
	if (r->actions & FO_ACT_REQUEUE_UNACKED)
		fop_requeue_inflight(f);
	if (r->actions & FO_ACT_QUEUE_PENDING)
		fop_queue_pending(f, false);
	if (r->actions & FO_ACT_SEND_QUEUED_FIRST)
		fop_send_updates(f);
	if ((r->actions & FO_ACT_SEND_STATE) && f->up)
		send_state(f);
	if ((r->actions & FO_ACT_SEND_UPDREQALL) && f->up) {
		send_simple(f, FO_MSG_UPDREQALL, 0);
		f->my_updreq = true;
	} else if ((r->actions & FO_ACT_SEND_UPDREQ) && f->up) {
		send_simple(f, FO_MSG_UPDREQ, 0);
		f->my_updreq = true;
	}
	if (r->actions & (FO_ACT_POOL_BALANCE | FO_ACT_POOL_CHECK))
		f->balance_at = 0; /* now */
	if ((r->actions & FO_ACT_RECLAIM_AFTER_MCLT) ||
		(r->state == FO_STATE_PARTNER_DOWN && old != FO_STATE_PARTNER_DOWN))
		f->pd_grant_done = false;
	if (r->actions & FO_ACT_PEER_FATAL) {
		fop_log(f, "the peer's state %s is fatal in my state; closing the link\n",
			fo_state_name(r->peer_state));
		fo_conn_close(f->conn, 0, "peer state not allowed in my state", lw_mono_ms());
	}
	if (old == FO_STATE_PARTNER_DOWN && r->state != FO_STATE_PARTNER_DOWN)
		fop_leave_partner_down(f);
}

static void step(struct fopeer *f, const struct fo_event *ev)
{
	struct fo_result r;

	f->ctx.now = fop_now();
	f->ctx.mclt = f->mclt;
	f->ctx.connected = f->up;
	if (fo_step(&f->ctx, ev, &r) < 0) {
		fop_log(f, "event %s refused by the state machine in %s\n", fo_event_name(ev->type),
			fo_state_name(f->ctx.state));
		return;
	}
	apply(f, &r);
}

static void simple_event(struct fopeer *f, enum fo_event_type t)
{
	struct fo_event ev = {.type = t};

	step(f, &ev);
}

/* ------------------------------------------------------------------------ */
/* The link */

static void on_up(void *arg, const struct fo_conn_peer *p)
{
	struct fopeer *f = arg;

	f->up = true;
	f->stats.links_up++;
	f->peer_max_unacked = p->max_unacked ? p->max_unacked : 1;
	f->skew = p->skew;
	if (f->fc->role == LW_FO_SECONDARY) {
		bool changed = f->mclt != p->mclt || memcmp(f->hba, p->hba, FO_HBA_LEN) != 0;

		f->mclt = p->mclt;
		memcpy(f->hba, p->hba, FO_HBA_LEN);
		if (changed) {
			int rc = save_state(f);

			if (rc < 0)
				fop_log(f, "cannot save %s: %s\n", f->state_path, strerror(-rc));
		}
	}
	fop_log(f, "link up (peer %s, max-unacked-bndupd %u, receive-timer %u s, MCLT %u s)\n",
		p->vendor, p->max_unacked, p->receive_timer, f->mclt);
	simple_event(f, FO_EV_LINK_UP);
}

static void on_down(void *arg, const char *reason)
{
	struct fopeer *f = arg;

	f->up = false;
	f->stats.links_lost++;
	f->peer_req.active = false;
	f->my_updreq = false;
	fop_requeue_inflight(f);
	fop_log(f, "disconnected: %s\n", reason);
	simple_event(f, FO_EV_LINK_LOST);
}

static void on_msg(void *arg, const struct fo_msg *m)
{
	struct fopeer *f = arg;
	struct fo_event ev = {0};

	switch (m->type) {
	case FO_MSG_STATE:
		if (!(m->present & (1u << FO_OPT_SERVER_STATE)) ||
			!fo_state_valid((enum fo_state)m->server_state) ||
			m->server_state == FO_STATE_UNKNOWN ||
			m->server_state == FO_STATE_STARTUP) {
			fop_log(f, "STATE with no usable server-state (%u); ignored\n",
				m->server_state);
			return;
		}
		ev.type = FO_EV_PEER_STATE;
		ev.peer_state = (enum fo_state)m->server_state;
		ev.peer_startup = (m->server_flags & FO_SF_STARTUP) != 0;
		step(f, &ev);
		break;
	case FO_MSG_BNDUPD:
		fop_bndupd_in(f, m);
		break;
	case FO_MSG_BNDACK:
		fop_bndack_in(f, m);
		break;
	case FO_MSG_UPDREQ:
	case FO_MSG_UPDREQALL:
		fop_updreq_in(f, m);
		break;
	case FO_MSG_UPDDONE:
		f->stats.upddone_received++;
		f->my_updreq = false;
		fop_log(f, "peer update completed.\n");
		simple_event(f, FO_EV_UPDDONE_RECEIVED);
		break;
	case FO_MSG_POOLREQ:
		fop_poolreq_in(f, m);
		break;
	case FO_MSG_POOLRESP:
		fop_log(f, "pool response: %u leases\n", m->addresses_transferred);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------ */

struct fopeer *fopeer_create(const struct lw_config *cfg, struct store *st, struct pump *pump,
	bool quiet, char *err, size_t errlen)
{
	const struct lw_failover_conf *fc = &cfg->failover;
	struct fo_conn_cfg cc;
	struct fo_conn_ops ops = {.up = on_up, .down = on_down, .msg = on_msg};
	struct fopeer *f;
	struct fo_result r;
	struct fo_event ev = {.type = FO_EV_START};

	if (!cfg->has_failover) {
		snprintf(err, errlen, "no failover block in the configuration");
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->cfg = cfg;
	f->fc = fc;
	f->st = st;
	f->pump = pump;
	f->quiet = quiet;
	f->timer_kind = FO_EV_COUNT;
	f->pd_grant_done = true;
	f->mclt = fc->role == LW_FO_PRIMARY ? fc->mclt : 0;
	if (fc->role == LW_FO_PRIMARY)
		memcpy(f->hba, fc->hba, FO_HBA_LEN);
	snprintf(f->state_path, sizeof(f->state_path), "%s/%s", cfg->control.state_dir, STATE_FILE);
	f->ctx.role = fc->role == LW_FO_PRIMARY ? FO_ROLE_PRIMARY : FO_ROLE_SECONDARY;
	f->ctx.state = FO_STATE_UNKNOWN;
	f->ctx.peer_state = FO_STATE_UNKNOWN;
	f->ctx.auto_partner_down = fc->auto_partner_down;
	if (load_state(f, err, errlen) < 0 || fop_queue_init(f) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "out of memory");
		fopeer_free(f);
		return NULL;
	}

	memset(&cc, 0, sizeof(cc));
	cc.name = fc->name;
	cc.role = f->ctx.role;
	cc.addr = fc->addr;
	cc.port = fc->port;
	cc.peer_addr = fc->peer_addr;
	cc.peer_port = fc->peer_port;
	cc.max_response_delay = fc->max_response_delay;
	cc.max_unacked = fc->max_unacked_updates;
	cc.mclt = fc->mclt;
	memcpy(cc.hba, fc->hba, FO_HBA_LEN);
	cc.vendor = "leasewire-" LW_VERSION;
	cc.log = conn_log;
	f->conn = fo_conn_create(&cc, &ops, f, lw_mono_ms());
	if (f->conn == NULL) {
		snprintf(err, errlen, "failover: cannot listen on %s port %u: %s",
			fop_ip(fc->addr).s, fc->port, strerror(errno));
		fopeer_free(f);
		return NULL;
	}

	/* 3.3: STARTUP, remembering the saved state. */
	f->ctx.now = fop_now();
	f->ctx.mclt = f->mclt;
	if (fo_step(&f->ctx, &ev, &r) == 0)
		apply(f, &r);
	f->my_since = fop_now();
	fop_log(f, "starting in %s (saved state %s since %" PRIu32 ", partner %s), %s\n",
		fo_state_name(f->ctx.state), fo_state_name(f->ctx.saved_state), f->ctx.stos,
		fo_state_name(f->ctx.peer_state), fo_role_name(f->ctx.role));
	return f;
}

void fopeer_free(struct fopeer *f)
{
	if (f == NULL)
		return;
	if (f->conn)
		fo_conn_free(f->conn);
	fop_queue_fini(f);
	free(f);
}

void fopeer_set_config(struct fopeer *f, const struct lw_config *cfg)
{
	f->cfg = cfg;
	f->fc = &cfg->failover;
}

int fopeer_fd(const struct fopeer *f)
{
	return fo_conn_fd(f->conn);
}

void fopeer_poll(struct fopeer *f, uint64_t now_ms)
{
	uint32_t now = fop_now();

	fo_conn_poll(f->conn, now_ms);
	if (f->timer_kind != FO_EV_COUNT && now >= f->timer_at) {
		enum fo_event_type t = f->timer_kind;

		f->timer_kind = FO_EV_COUNT;
		simple_event(f, t);
	}
	/* A new region (the dataplane restarted) gets the snapshot again. */
	if (f->published_attach != f->pump->stats.attaches)
		fop_publish(f);
	fo_conn_cork(f->conn, true);
	fop_pool_tick(f, now);
	fop_flush_acks(f);
	fop_send_updates(f);
	fo_conn_cork(f->conn, false);
}

uint64_t fopeer_due_in(const struct fopeer *f, uint64_t now_ms)
{
	uint64_t due = fo_conn_next_ms(f->conn, now_ms);
	uint64_t d = due > now_ms ? due - now_ms : 0;

	if (f->n_acks || fop_sendable(f))
		return 1;
	return d < 1000 ? d : 1000;
}

int fopeer_partner_down(struct fopeer *f, char *msg, size_t len)
{
	enum fo_state s = f->ctx.state;

	if (s == FO_STATE_PARTNER_DOWN) {
		snprintf(msg, len, "already in partner-down since %" PRIu32, f->ctx.stos);
		return -1;
	}
	simple_event(f, FO_EV_OPERATOR_PARTNER_DOWN);
	if (f->ctx.state != FO_STATE_PARTNER_DOWN) {
		snprintf(msg, len, "partner-down is not allowed in %s", fo_state_name(s));
		return -1;
	}
	snprintf(msg, len,
		"moved from %s to partner-down; the partner's addresses are given out from %" PRIu32
		" (MCLT %" PRIu32 " s from now)",
		fo_state_name(s), f->ctx.stos + f->mclt, f->mclt);
	return 0;
}

static const char *iso(uint32_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (t == 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void fopeer_status(const struct fopeer *f, json_t *o)
{
	const struct fo_conn_stats *cs = fo_conn_stats(f->conn);
	char hba[FO_HBA_LEN * 2 + 1], b1[32];
	unsigned share = 0;

	for (unsigned i = 0; i < FO_HBA_LEN; i++) {
		snprintf(hba + 2 * i, 3, "%02x", f->hba[i]);
		share += (unsigned)__builtin_popcount(f->hba[i]);
	}
	if (f->fc->role == LW_FO_SECONDARY)
		share = 256 - share;
	json_object_set_new(o, "name", json_string(f->fc->name));
	json_object_set_new(o, "role", json_string(fo_role_name(f->ctx.role)));
	json_object_set_new(o, "local-state", json_string(fo_state_name(f->ctx.state)));
	json_object_set_new(o, "local-state-code", json_integer(f->ctx.state));
	if (f->ctx.state == FO_STATE_STARTUP)
		json_object_set_new(
			o, "saved-state", json_string(fo_state_name(f->ctx.saved_state)));
	json_object_set_new(o, "local-stos", json_integer(f->ctx.stos));
	json_object_set_new(o, "local-stos-text", json_string(iso(f->ctx.stos, b1, sizeof(b1))));
	json_object_set_new(o, "partner-state", json_string(fo_state_name(f->ctx.peer_state)));
	json_object_set_new(o, "partner-state-code", json_integer(f->ctx.peer_state));
	json_object_set_new(o, "partner-since", json_integer(f->peer_since));
	json_object_set_new(o, "service",
		json_string(fo_service_name(fo_service(f->ctx.state, f->ctx.peer_state))));
	json_object_set_new(o, "connected", json_boolean(f->up));
	json_object_set_new(o, "mclt", json_integer(f->mclt));
	json_object_set_new(o, "hba", json_string(hba));
	json_object_set_new(o, "hba-buckets-mine", json_integer(share));
	json_object_set_new(o, "load-balance-max-seconds", json_integer(f->fc->lb_max_seconds));
	json_object_set_new(o, "max-response-delay", json_integer(f->fc->max_response_delay));
	json_object_set_new(o, "max-unacked-updates", json_integer(f->fc->max_unacked_updates));
	json_object_set_new(o, "peer-max-unacked-updates", json_integer(f->peer_max_unacked));
	json_object_set_new(o, "unacked-updates", json_integer(f->n_inflight));
	json_object_set_new(o, "backlog", json_integer((json_int_t)fop_backlog(f)));
	json_object_set_new(o, "backlog-max", json_integer((json_int_t)f->stats.backlog_max));
	json_object_set_new(o, "acks-waiting-for-journal", json_integer(f->n_acks));
	json_object_set_new(o, "clock-skew", json_integer(f->skew));
	json_object_set_new(o, "last-message-received-ms-ago",
		cs->last_rx_ms ? json_integer((json_int_t)(lw_mono_ms() - cs->last_rx_ms))
			       : json_null());
	json_object_set_new(o, "last-message-sent-ms-ago",
		cs->last_tx_ms ? json_integer((json_int_t)(lw_mono_ms() - cs->last_tx_ms))
			       : json_null());
	json_object_set_new(o, "auto-partner-down", json_integer(f->fc->auto_partner_down));
	if (f->timer_kind != FO_EV_COUNT) {
		json_object_set_new(o, "timer", json_string(fo_event_name(f->timer_kind)));
		json_object_set_new(o, "timer-at", json_integer(f->timer_at));
	}
	json_object_set_new(o, "bndupd-sent", json_integer((json_int_t)f->stats.bndupd_sent));
	json_object_set_new(
		o, "bndupd-received", json_integer((json_int_t)f->stats.bndupd_received));
	json_object_set_new(
		o, "bndack-received", json_integer((json_int_t)f->stats.bndack_received));
	json_object_set_new(o, "bndack-rejected-by-peer",
		json_integer((json_int_t)f->stats.bndack_rejected_by_peer));
	json_object_set_new(o, "bndack-sent", json_integer((json_int_t)f->stats.bndack_sent));
	json_object_set_new(
		o, "bndupd-rejected", json_integer((json_int_t)f->stats.bndupd_rejected));
	json_object_set_new(o, "updates-unsendable", json_integer((json_int_t)f->stats.unsendable));
	json_object_set_new(
		o, "addresses-yielded", json_integer((json_int_t)f->stats.addresses_yielded));
	json_object_set_new(
		o, "addresses-granted", json_integer((json_int_t)f->stats.addresses_granted));
	json_object_set_new(o, "affinity-moves", json_integer((json_int_t)f->stats.affinity_moves));
	json_object_set_new(o, "links-up", json_integer((json_int_t)f->stats.links_up));
	json_object_set_new(o, "links-lost", json_integer((json_int_t)f->stats.links_lost));
}

const struct fopeer_stats *fopeer_stats(const struct fopeer *f)
{
	return &f->stats;
}
