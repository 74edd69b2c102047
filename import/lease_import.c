/* SPDX-License-Identifier: MPL-2.0 */
#include "import/lease_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_ip.h"
#include "control/fopeer.h"
#include "control/leasedb.h"
#include "control/store.h"

#define FO_STATE_FILE "failover.state"

/* One lease, decided: the records to write for it. */
struct plan {
	struct lw_bind_event bind;
	struct lw_bind_event ack; /* type 0: none */
};

static void note(const struct lease_import_opts *o, const struct isc_lease *l, const char *fmt,
	const char *what)
{
	char a[LW_IP4_STRLEN];

	if (o->log == NULL)
		return;
	fprintf(o->log, "lease %s (line %u): ", lw_ip4_fmt(l->addr, a), l->line);
	fprintf(o->log, fmt, what);
	fputc('\n', o->log);
}

/* The database files of a state directory (the lock file alone is not one). */
static bool is_db_file(const char *name)
{
	return strcmp(name, "leases.snap") == 0 || strcmp(name, "leases.snap.tmp") == 0 ||
	       strncmp(name, "leases.jnl.", 11) == 0 || strcmp(name, FO_STATE_FILE) == 0 ||
	       strcmp(name, FO_STATE_FILE ".tmp") == 0;
}

/* 1 when dir holds a database, 0 when not (or missing), -errno. With
 * remove, deletes those files instead. */
static int db_files(const char *dir, bool remove, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_db_file(e->d_name))
			continue;
		found = 1;
		if (remove && unlinkat(dirfd(d), e->d_name, 0) < 0) {
			int rc = -errno;

			snprintf(err, errlen, "%s/%s: cannot remove: %s", dir, e->d_name,
				strerror(errno));
			closedir(d);
			return rc;
		}
	}
	closedir(d);
	return found;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char p[LW_PATH_LEN];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create: %s", p, strerror(errno));
			return -1;
		}
		*s = c;
		if (c == '\0')
			return 0;
	}
}

/* The directory must not be in use by a leasewire-control (its flock). */
static int check_unlocked(const char *dir, char *err, size_t errlen)
{
	char path[LW_PATH_LEN + 8];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen,
			"%s is in use by a running leasewire-control: stop it before importing",
			dir);
		close(fd);
		return -1;
	}
	flock(fd, LOCK_UN);
	close(fd);
	return 0;
}

static enum lw_bind_state target_state(const struct isc_lease *l, uint32_t now)
{
	switch (l->binding) {
	case ISC_BIND_ACTIVE:
	case ISC_BIND_BOOTP:
		return LW_BIND_ACTIVE;
	case ISC_BIND_EXPIRED:
		return LW_BIND_EXPIRED;
	case ISC_BIND_RELEASED:
	case ISC_BIND_RESET: /* freed by an operator, the partner not told yet */
		return LW_BIND_RELEASED;
	case ISC_BIND_ABANDONED:
		return LW_BIND_DECLINED;
	case ISC_BIND_BACKUP:
		return LW_BIND_BACKUP;
	case ISC_BIND_NONE:
		/* dhcpd.leases(5) of old: no binding state, the times say. */
		return l->ends > now && (l->htype || l->uid_len) ? LW_BIND_ACTIVE : LW_BIND_FREE;
	default: /* free, reserved */
		return LW_BIND_FREE;
	}
}

/*
 * Decides l. Returns 1 with p filled, 0 when no record is needed (free),
 * -1 when it is left out (noted).
 */
static int plan_one(const struct isc_lease *l, const struct lw_config *cfg,
	const struct lease_import_opts *o, uint32_t now, struct plan *p)
{
	const struct lw_subnet_conf *s = lw_config_subnet_for(cfg, l->addr);
	enum lw_bind_state st = target_state(l, now);
	struct lw_bind_event *ev = &p->bind;
	bool fo, pending;
	int pool;

	memset(p, 0, sizeof(*p));
	if (l->binding == ISC_BIND_RESERVED) {
		note(o, l, "binding state %s: not imported", isc_binding_name(l->binding));
		return -1;
	}
	if (s == NULL || (pool = lw_config_pool_for(cfg, s, l->addr)) < 0) {
		if (st == LW_BIND_FREE)
			return 0;
		note(o, l, "%s, in no pool of the leasewire configuration: left out",
			isc_binding_name(l->binding));
		return -1;
	}
	fo = cfg->pools[pool].failover;
	if (st == LW_BIND_FREE)
		return 0;
	if (st == LW_BIND_BACKUP && !fo) {
		note(o, l, "%s in a pool without failover: free", isc_binding_name(l->binding));
		return 0;
	}
	ev->type = LW_EV_BIND;
	ev->version = LW_RECORDS_VERSION;
	ev->state = (uint8_t)st;
	ev->worker = LW_WORKER_CONTROL;
	ev->pool = (uint16_t)pool;
	ev->subnet = (uint32_t)(s - cfg->subnets);
	ev->addr = l->addr;
	ev->start = l->starts ? l->starts : l->cltt;
	ev->end = l->ends;
	switch (st) {
	case LW_BIND_ACTIVE:
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		if (l->uid_len)
			lw_client_key_make(&ev->key, l->uid, l->uid_len, 0, NULL, 0);
		else if (l->htype && l->hlen)
			lw_client_key_make(&ev->key, NULL, 0, l->htype, l->hw, l->hlen);
		else if (st == LW_BIND_ACTIVE) {
			note(o, l, "%s with neither uid nor hardware address: left out",
				isc_binding_name(l->binding));
			return -1;
		}
		if (ev->start == 0)
			ev->start = now;
		break;
	case LW_BIND_DECLINED:
		/* Out of use until its end, as ISC keeps an abandoned lease. */
		if (l->ends == 0 || l->ends == ISC_TIME_NEVER)
			ev->end = now + cfg->decline_probation;
		break;
	default: /* BACKUP: no client */
		if (l->ends == ISC_TIME_NEVER)
			ev->end = 0;
		break;
	}
	if (l->binding == ISC_BIND_RESET)
		note(o, l, "%s: imported as released", isc_binding_name(l->binding));
	/* leasewire knows a client by its identifier alone; failover needs a
	 * hardware address, which it reads from an identifier of the usual
	 * form only (README "Not there yet"). */
	if (fo && l->uid_len && !(l->uid_len == 7 && l->uid[0] == 1) && st != LW_BIND_DECLINED &&
		st != LW_BIND_BACKUP)
		note(o, l,
			"%s: its uid is not 01 + MAC, so leasewire cannot send this binding "
			"to the failover partner",
			isc_binding_name(l->binding));
	if (!fo)
		return 1;

	/*
	 * What ISC would still send its partner: at start-up it queues every
	 * lease whose tstp is after its atsfp, and on entering NORMAL every
	 * lease of the expired queue (expired, released, reset) as well.
	 */
	pending = l->tstp > l->atsfp || st == LW_BIND_EXPIRED || st == LW_BIND_RELEASED;
	if (pending && l->tsfp == 0)
		return 1;
	p->ack = *ev;
	p->ack.type = LW_EV_FO_ACK;
	memset(&p->ack.key, 0, sizeof(p->ack.key));
	p->ack.start = l->tsfp ? l->tsfp : l->atsfp;
	/* A pending binding keeps its tsfp but stays pending: an
	 * acknowledgement of no state it can be in (store.h, as snapshots
	 * write it). */
	if (pending)
		p->ack.state = LW_BIND_FREE;
	return 1;
}

static const struct isc_fo_peer_state *find_stanza(
	const struct isc_leases *in, const struct lw_config *cfg, char *err, size_t errlen)
{
	if (!cfg->has_failover || in->n_peers == 0)
		return NULL;
	for (size_t i = 0; i < in->n_peers; i++)
		if (strcmp(in->peers[i].name, cfg->failover.name) == 0)
			return &in->peers[i];
	snprintf(err, errlen,
		"the lease file has the failover state of \"%s\" but the configuration's "
		"relationship is \"%s\"",
		in->peers[0].name, cfg->failover.name);
	return NULL;
}

static int fo_state_of(
	const char *name, const char *what, enum fo_state *out, char *err, size_t errlen)
{
	int st = fopeer_state_by_name(name);

	/* dhcpd writes the state it returns to, never startup. */
	if (st < 0) {
		snprintf(err, errlen, "failover %s \"%s\": not a failover state dhcpd writes", what,
			name);
		return -1;
	}
	*out = (enum fo_state)st;
	return 0;
}

static int write_db(const char *dir, const struct plan *plans, size_t n, char *err, size_t errlen)
{
	struct store *st = store_create(1024);
	struct leasedb *db;
	int rc = 0;

	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	db = leasedb_open(dir, st, NULL, err, errlen);
	if (db == NULL) {
		store_free(st);
		return -1;
	}
	/* Every binding, then the acknowledgements (as a snapshot orders them). */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (plans[i].bind.type)
			rc = leasedb_append(db, &plans[i].bind);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (plans[i].ack.type)
			rc = leasedb_append(db, &plans[i].ack);
	if (rc == 0)
		rc = leasedb_sync(db, true);
	if (leasedb_close(db) < 0 && rc == 0)
		rc = -EIO;
	store_free(st);
	if (rc < 0) {
		snprintf(
			err, errlen, "%s: cannot write the lease database: %s", dir, strerror(-rc));
		return -1;
	}
	return 0;
}

int lease_import(const struct isc_leases *in, const struct lw_config *cfg,
	const struct lease_import_opts *opts, struct lease_import_report *rep, char *err,
	size_t errlen)
{
	const struct isc_fo_peer_state *fs;
	const char *dir = opts->state_dir ? opts->state_dir : cfg->control.state_dir;
	uint32_t now = opts->now ? opts->now : (uint32_t)time(NULL);
	struct plan *plans = NULL;
	int rc = -1, have;

	memset(rep, 0, sizeof(*rep));
	err[0] = '\0';
	snprintf(rep->state_dir, sizeof(rep->state_dir), "%s", dir);

	/* Everything is checked before anything is written. */
	err[0] = '\0';
	fs = find_stanza(in, cfg, err, errlen);
	if (fs == NULL && err[0])
		return -1;
	if (fs) {
		if (fo_state_of(fs->my_state, "my state", &rep->fo_my_state, err, errlen) < 0 ||
			fo_state_of(fs->partner_state, "partner state", &rep->fo_partner_state, err,
				errlen) < 0)
			return -1;
		snprintf(rep->fo_name, sizeof(rep->fo_name), "%s", fs->name);
		rep->fo_my_stos = fs->my_stos;
		rep->fo_partner_stos = fs->partner_stos;
		rep->fo_mclt = cfg->failover.role == LW_FO_PRIMARY ? cfg->failover.mclt : fs->mclt;
	}
	plans = calloc(in->n_leases ? in->n_leases : 1, sizeof(*plans));
	if (plans == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->n_leases; i++) {
		const struct isc_lease *l = &in->leases[i];
		int k;

		if (l->binding <= ISC_BIND_BOOTP)
			rep->read[l->binding]++;
		k = plan_one(l, cfg, opts, now, &plans[i]);
		if (k <= 0)
			memset(&plans[i], 0, sizeof(plans[i])); /* nothing to write */
		if (k == 0) {
			rep->free++;
			continue;
		}
		if (k < 0) {
			rep->left_out++;
			if (target_state(l, now) == LW_BIND_ACTIVE)
				rep->left_out_active++;
			continue;
		}
		rep->written[plans[i].bind.state]++;
		if (plans[i].ack.type && plans[i].ack.state != LW_BIND_FREE)
			rep->acked++;
		else if (cfg->pools[plans[i].bind.pool].failover)
			rep->pending++;
	}
	if (rep->left_out_active && !opts->allow_partial) {
		snprintf(err, errlen,
			"%u active binding%s cannot be imported (listed above); nothing written "
			"(--allow-partial imports the others)",
			rep->left_out_active, rep->left_out_active == 1 ? "" : "s");
		goto out;
	}

	if (check_unlocked(dir, err, errlen) < 0)
		goto out;
	if ((have = db_files(dir, false, err, errlen)) < 0)
		goto out;
	if (have && !opts->force) {
		snprintf(err, errlen,
			"%s already holds a lease database: refusing to write over it (--force "
			"replaces it)",
			dir);
		goto out;
	}
	if (make_dirs(dir, err, errlen) < 0)
		goto out;
	if (have && db_files(dir, true, err, errlen) < 0)
		goto out;
	if (write_db(dir, plans, in->n_leases, err, errlen) < 0)
		goto out;
	if (fs) {
		static const uint8_t zero[32];
		int wrc = fopeer_state_file_write(dir, cfg->failover.name, rep->fo_my_state,
			rep->fo_my_stos, rep->fo_partner_state, rep->fo_partner_stos, rep->fo_mclt,
			cfg->failover.role == LW_FO_PRIMARY ? cfg->failover.hba : zero);

		if (wrc < 0) {
			snprintf(err, errlen, "%s/%s: cannot write: %s", dir, FO_STATE_FILE,
				strerror(-wrc));
			goto out;
		}
		rep->fo_written = true;
	}
	rc = 0;
out:
	free(plans);
	return rc;
}
