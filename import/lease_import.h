/* SPDX-License-Identifier: MPL-2.0 */
/*
 * An ISC dhcpd lease file, once parsed (isc_leases.h), into a leasewire
 * lease database (control/leasedb.h) and failover state file, so that a
 * leasewire started in the seat of that ISC server begins with its
 * bindings and, in a failover pair, resumes its failover state instead of
 * recovering every binding from the partner.
 *
 * Mapping (doc/migration.md has the operator's view):
 *   active, bootp        -> ACTIVE, keyed by the uid (option 61) when there
 *                           is one, else by the hardware address
 *   expired, released    -> EXPIRED, RELEASED (reset -> RELEASED)
 *   abandoned            -> DECLINED until its `ends`
 *   backup               -> BACKUP (a failover pool: the secondary's free)
 *   free                 -> no record (a failover pool: the primary's free)
 * In a failover pool, a binding ISC had not had acknowledged by its
 * partner (tstp > atsfp, the test ISC makes when it starts, and every
 * expired/released/reset one, which ISC sends again on entering NORMAL)
 * stays pending, so that leasewire sends it to the partner; the others are
 * settled by an LW_EV_FO_ACK record that carries ISC's tsfp, the
 * potential expiry the partner acknowledged (the MCLT rule needs it).
 *
 * Threading: none; the functions are for a one-shot tool.
 */
#ifndef LW_LEASE_IMPORT_H
#define LW_LEASE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "common/lw_records.h"
#include "failover/fo_state.h"
#include "import/isc_leases.h"

struct lease_import_opts {
	const char *state_dir; /* NULL: the configuration's control.state_dir */
	/* Replace a database the state directory already holds (its snapshot,
	 * journals and failover state are deleted first). Without it such a
	 * directory is refused. */
	bool force;
	/* Import even when bindings must be left out (an ACTIVE lease in no
	 * pool of the configuration, or with no client identity). */
	bool allow_partial;
	uint32_t now; /* Unix seconds; 0 = time(NULL) */
	FILE *log;    /* one line per lease left out or changed; NULL = quiet */
};

struct lease_import_report {
	unsigned read[ISC_BIND_BOOTP + 1];    /* leases read, by ISC binding state */
	unsigned written[LW_BIND_BACKUP + 1]; /* binding records, by enum lw_bind_state */
	unsigned free;			      /* free leases: no record needed */
	unsigned acked;			      /* settled (LW_EV_FO_ACK) */
	unsigned pending;		      /* to be sent to the partner by leasewire */
	unsigned left_out;		      /* in no pool, no identity, unusable state */
	unsigned left_out_active;	      /* of which ACTIVE */
	/* The failover state file written, if any. */
	bool fo_written;
	char fo_name[64];
	enum fo_state fo_my_state, fo_partner_state;
	uint32_t fo_my_stos, fo_partner_stos, fo_mclt;
	char state_dir[LW_PATH_LEN];
};

/*
 * Writes in into the lease database of the state directory (created with
 * its parents if missing), then <state_dir>/failover.state from the
 * stanza of in whose name is the configuration's failover relationship.
 * Bindings are made durable before the state file is written: a failure
 * in between leaves a server that starts in RECOVER, never one that
 * believes it is NORMAL without its bindings.
 *
 * Returns 0, or -1 with one line in err: the state directory holds a
 * database (no force), is locked by a running leasewire-control, cannot be
 * written; a failover stanza for another relationship than the
 * configuration's; an unknown failover state name; ACTIVE bindings that
 * cannot be imported (without allow_partial). Nothing is written when the
 * checks fail. rep is filled in both cases as far as the import went.
 */
int lease_import(const struct isc_leases *in, const struct lw_config *cfg,
	const struct lease_import_opts *opts, struct lease_import_report *rep, char *err,
	size_t errlen);

#endif
