/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The journal pump: everything control does with the dataplane's bindings.
 *
 *  - attach to the dataplane's region when it appears, and again when a new
 *    dataplane replaces it (after draining what the old one left);
 *  - when the dataplane is loading, stream every binding of the store to
 *    its owning worker, grant the free addresses, and mark the end;
 *  - take binding events from the workers' rings, append them to the
 *    journal and the store, and make them durable in groups: an fdatasync
 *    when fsync_batch records are pending or fsync_interval_us has passed
 *    since the first of them, whichever comes first; then publish
 *    durable_seq per worker, which releases the held ACKs.
 *
 * Threading: control's main loop only.
 */
#ifndef LW_PUMP_H
#define LW_PUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "rebalance.h"
#include "shmif.h"

struct store;
struct leasedb;

#define PUMP_BATCH_HIST 16 /* batch sizes by powers of two */

struct pump_stats {
	uint64_t events;     /* journaled */
	uint64_t syncs;	     /* group commits */
	uint64_t last_batch; /* records in the last group */
	uint64_t max_batch;
	uint64_t batch_hist[PUMP_BATCH_HIST]; /* [i]: groups of 2^i .. 2^(i+1)-1 records */
	double lat_last_us;		      /* fdatasync latency */
	double lat_max_us;
	double lat_sum_us;
	uint64_t attaches; /* regions attached */
	uint64_t streams;  /* start-up streams done */
	uint64_t streamed; /* bindings sent in them */
	uint64_t journal_errors;
};

/* Where the start-up stream to a loading dataplane is. */
struct pump_stream {
	bool active;
	unsigned phase;
	uint32_t after; /* bindings: the last address sent */
	unsigned pool;	/* grants: the next pool and worker */
	unsigned w;
	unsigned done_w; /* LOAD_DONE sent to workers below this */
	uint64_t sent[LW_SHM_MAX_WORKERS];
	uint64_t t0;
};

struct pump {
	const struct lw_config *cfg;
	struct store *st;
	struct leasedb *db;
	struct shmif shm;
	uint64_t ctl_gen;
	bool quiet;	      /* no log lines (tests) */
	bool journal_failing; /* the last sync failed */
	bool resync;	      /* an event was lost on its way to the journal */

	unsigned pending;	   /* records appended and not yet durable */
	uint64_t first_pending_ns; /* when the oldest of them was appended */
	bool dirty[LW_SHM_MAX_WORKERS];
	uint64_t next_try_ns; /* next look for the region */
	char last_msg[512];   /* last attach complaint, said once */
	uint64_t attached_at; /* Unix seconds */
	struct pump_stats stats;
	struct rebalance rb;
	struct pump_stream stream;
	/* Called for every event journaled and applied to the store (the
	 * failover engine's view of binding changes); may be NULL. */
	void (*on_event)(void *arg, const struct lw_bind_event *ev);
	void *on_event_arg;
};

void pump_init(struct pump *p, const struct lw_config *cfg, struct store *st, struct leasedb *db);

/*
 * One turn of the loop at monotonic time now_ns: attach or re-attach,
 * a step of the start-up stream, drain the rings, rebalance, commit when
 * due. Returns how many events and commands it moved (0: idle; the caller
 * may sleep a little).
 */
unsigned pump_poll(struct pump *p, uint64_t now_ns);

/* Nanoseconds until a pending group must be committed, or -1 if none is pending. */
int64_t pump_due_in(const struct pump *p, uint64_t now_ns);

/* Takes everything from the rings and commits it durably (shutdown). */
void pump_flush(struct pump *p, uint64_t now_ns);

/* Leaves the region (ctl_state DETACHED); the dataplane holds ACKs from now on. */
void pump_detach(struct pump *p);

/*
 * Journals and applies an event made by control itself (failover): it is
 * durable once stats.syncs has moved past its value at this call, with the
 * next group commit. Returns 0 or the journal's or store's error.
 */
int pump_append(struct pump *p, const struct lw_bind_event *ev, uint64_t now_ns);

/*
 * Journals a binding change made by control itself (lease4-del with no
 * dataplane attached): appended, applied and made durable at once.
 */
int pump_local_event(struct pump *p, const struct lw_bind_event *ev, uint64_t now_ns);

#endif
