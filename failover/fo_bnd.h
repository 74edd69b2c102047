/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The rules of binding updates (FAILOVER.md 4, 5.1-5.4) as ISC dhcpd 4.4
 * applies them: what a BNDUPD and a BNDACK carry, how a received BNDUPD is
 * judged (dueling updates, transition tables), what an accepted BNDACK does
 * to the lease, MAC affinity and the pool-balancing arithmetic.
 *
 * Pure functions: no I/O, no clock (every time is a parameter, unsigned
 * 32-bit seconds since 1970), no allocation, no global state. Safe from any
 * thread. The caller (the failover connection and the lease store in
 * control) owns the leases, the queues and the timers.
 */
#ifndef LW_FO_BND_H
#define LW_FO_BND_H

#include <stdbool.h>
#include <stdint.h>

#include "common/lw_records.h"
#include "fo_state.h"
#include "fo_wire.h"

/* Binding-status codes (FAILOVER.md 4.1, draft 12.3). */
enum fo_bstate {
	FO_BS_FREE = 1,
	FO_BS_ACTIVE = 2,
	FO_BS_EXPIRED = 3,
	FO_BS_RELEASED = 4,
	FO_BS_ABANDONED = 5,
	FO_BS_RESET = 6,
	FO_BS_BACKUP = 7,
};

/* "free", "active", "expired", "released", "abandoned", "reset", "backup"
 * as ISC's lease file spells them; "invalid" for anything else. */
const char *fo_bstate_name(unsigned s);
/* True for 1..7. */
bool fo_bstate_valid(unsigned s);

/*
 * lw_bind_state -> binding-status: FREE, ACTIVE, EXPIRED, RELEASED, BACKUP
 * map to the same name, DECLINED to ABANDONED. OFFERED and RESERVED have no
 * wire form (an offer is not durable and is never sent, FAILOVER.md 4.2; a
 * host reservation is outside the failover pools): -1, as for any unknown
 * value.
 */
int fo_bstate_from_lw(int lw_state);
/*
 * binding-status -> lw_bind_state: the inverse of the above; ABANDONED gives
 * DECLINED. RESET has no lw form (an accepted RESET is stored as FREE at
 * once, fo_bnd_check) and gives -1, as does an invalid code.
 */
int fo_bstate_to_lw(unsigned bstate);

/* Client identifier: the whole DHCP option 61 payload, at most 255 bytes. */
#define FO_CLIENT_ID_MAX 255

/*
 * What one BNDUPD says about one address (FAILOVER.md 1.3, 5.1). The bytes
 * are copies; a length of 0 means the option is absent (an empty
 * client-identifier received on the wire is treated as absent).
 */
struct fo_binding {
	uint32_t addr;			     /* assigned-IP-address, host order */
	uint8_t bstate;			     /* enum fo_bstate */
	uint8_t client_id_len;		     /* 0 = no client-identifier */
	uint8_t chaddr_len;		     /* 0 = no client-hardware-address, else 1..17 */
	uint16_t ip_flags;		     /* FO_IPF_*, 0 = option absent */
	uint32_t lease_expiry;		     /* `ends`, 0 for a never-used lease */
	uint32_t potential_expiry;	     /* `tstp` of the sender */
	uint32_t stos;			     /* `starts` */
	uint32_t cltt;			     /* 0 = option absent */
	uint8_t chaddr[FO_CHADDR_MAX];	     /* htype byte + hardware address */
	uint8_t client_id[FO_CLIENT_ID_MAX]; /* option 61 payload */
};

/*
 * Fills *m with a BNDUPD for *b, options in ISC's order (FAILOVER.md 1.3):
 * assigned-IP, binding-status, [client-identifier], [client-hardware-address],
 * lease-expiration-time, potential-expiration-time, start-time-of-state,
 * [CLTT if != 0], [IP-flags if != 0]. Never DDNS, never a second address
 * (pitfalls 1, 2). For ABANDONED the client-identifier and chaddr are left
 * out whatever *b holds (ISC rejects them with reason 6 and sends none).
 *
 * @p time is the header time (now), @p xid the link's next xid (the caller
 * never uses 0 for a BNDUPD, FAILOVER.md 1.4). The variable-length options
 * of *m point into *b, which must outlive *m until it is encoded.
 *
 * @return 0, or -EINVAL for a NULL pointer, a binding-status outside 1..7,
 *         or chaddr_len over 17.
 */
int fo_bndupd_build(struct fo_msg *m, const struct fo_binding *b, uint32_t time, uint32_t xid);

/*
 * Reads a decoded BNDUPD into *out (overwritten; bytes copied, so *m and
 * its buffer may go away afterwards). Returns 0 when the update may go on
 * to fo_bnd_check(), a reject reason (FAILOVER.md 2.2) to answer in the
 * BNDACK, or -EINVAL for a NULL pointer or a message that is not a BNDUPD.
 * *why (if why is not NULL) is set to a static text for a reject, NULL on 0.
 *
 *  3 (missing binding info): no assigned-IP, no binding-status, or no
 *    chaddr with ACTIVE, EXPIRED or RELEASED (pitfall 8).
 *  6 (misc): chaddr or client-identifier with ABANDONED; a binding-status
 *    outside 1..7 (ISC has no check of its own there and would store an
 *    unknown state; leasewire refuses it with the catch-all reason); a
 *    client-identifier longer than 255 bytes (not a DHCP option 61).
 *
 * ISC checks chaddr (its step 3) after the duel (step 2); here it comes
 * first, so an ABANDONED update carrying a chaddr that would also lose a
 * duel is refused with 6 instead of 16. Either way it is refused.
 * Whether the address is in a pool of this relationship (reason 1) is the
 * caller's check.
 */
int fo_bndupd_parse(const struct fo_msg *m, struct fo_binding *out, const char **why);

/*
 * Fills *m with a BNDACK: assigned-IP only, plus reject-reason and message
 * when @p reason != 0 (pitfall 9: no other option, or ISC clears tsfp).
 * @p xid is the BNDUPD's. @p message may be NULL (then the text of
 * fo_bnd_reason_text() is used); it is pointed to, not copied, and must
 * outlive *m until it is encoded. Messages longer than 2000 bytes are cut.
 * @return 0, or -EINVAL for a NULL m.
 */
int fo_bndack_build(struct fo_msg *m, uint32_t addr, uint32_t time, uint32_t xid, uint8_t reason,
	const char *message);

/* Reason text as ISC's reject-reason table prints it (FAILOVER.md 2.2):
 * "illegal IP address", ...; "unknown reason" otherwise. Never NULL. */
const char *fo_bnd_reason_text(unsigned reason);

/*
 * Client identity <-> BNDUPD options.
 *
 * fo_binding_set_client(): LW_KEY_HWADDR (data = htype + chaddr) becomes
 * the chaddr option, byte for byte, and no client-identifier.
 * LW_KEY_CLIENT_ID becomes the client-identifier (the option 61 payload);
 * the chaddr then comes from @p hw (htype + hardware address, 1..17 bytes)
 * which the caller must supply from the lease, because ACTIVE, EXPIRED and
 * RELEASED updates without chaddr are refused by ISC (reason 3).
 * LW_KEY_CLIENT_ID_DIGEST: the original option 61 is gone, so only @p hw
 * can be sent; the peer then sees the lease without a client identifier.
 * LW_KEY_NONE clears both. @p hw may be NULL (hw_len 0); with a HWADDR key
 * it is ignored.
 * @return 0, or -EINVAL for a NULL pointer, a key longer than its kind
 *         allows or hw_len over 17.
 *
 * fo_binding_client_key(): the key leasewire would have built for the same
 * client (lw_client_key_from_msg): the client-identifier if present (a
 * digest when longer than LW_KEY_DATA), else the chaddr.
 * @return 0, or -ENOENT when the binding carries neither (k is then
 *         LW_KEY_NONE), -EINVAL for a NULL pointer.
 */
int fo_binding_set_client(
	struct fo_binding *b, const struct lw_client_key *k, const uint8_t *hw, unsigned hw_len);
int fo_binding_client_key(const struct fo_binding *b, struct lw_client_key *k);

/* ---- receiving a BNDUPD (FAILOVER.md 4.4 steps 2 and 5) ------------------- */

/* My copy of the lease, as the receiver of a BNDUPD sees it. */
struct fo_bnd_local {
	/* My binding-status of the address. With no record, the caller passes
	 * what the pool implies: FREE (an unbalanced or primary-pool address)
	 * or BACKUP, FAILOVER.md 4.2. */
	uint8_t bstate;
	uint32_t ends; /* my lease end (for the 65 s rule) */
	/* An update of mine for this address is sent or queued and not
	 * acked: its binding-status and the lease's CLTT. */
	bool pending;
	uint8_t pending_bstate;
	uint32_t pending_cltt;
};

/* Maximum clock skew ISC assumes plus 5 s (FAILOVER.md 4.4 step 5). */
#define FO_EXPIRY_SKEW 65

struct fo_bnd_verdict {
	uint8_t reason;	   /* 0 = accept, 2 = invalid transition, 16 = lost duel */
	bool drop_pending; /* the peer won the duel: forget my un-acked update */
	uint8_t store;	   /* on accept: the binding-status to keep (4.4 step 6) */
	char message[64];  /* on reject: the BNDACK message text */
};

/**
 * Judge a peer's BNDUPD that fo_bndupd_parse() accepted.
 *
 * @param role    mine
 * @param normal  true when my state is NORMAL (ISC's
 *                normal_binding_state_transition_check), false for every
 *                other state (conflict_binding_state_transition_check)
 * @param local   my copy of the lease
 * @param in      the update
 * @param now     current time
 * @param out     the verdict
 * @return 0, or -EINVAL for a NULL pointer or an invalid binding-status in
 *         @p local or @p in.
 *
 * Step 2, dueling (ISC failover_lease_is_better), only when local->pending:
 * my pending ACTIVE vs incoming ACTIVE: the larger CLTT wins, a tie goes to
 * the primary's copy; my pending ACTIVE vs incoming EXPIRED: the peer wins;
 * otherwise an incoming ACTIVE wins and any other pair goes to the
 * primary's copy. Lost: reason 16. Won by the peer: drop_pending, and the
 * transition check still runs (ISC forgets its update before that check,
 * so drop_pending stays set even if the update is then refused with 2).
 *
 * Step 5, transitions (X = local->bstate, Y = in->bstate), in NORMAL:
 *   X FREE, ABANDONED, RELEASED, BACKUP: any Y;
 *   X ACTIVE on the primary: Y ACTIVE, RELEASED, ABANDONED only;
 *   X ACTIVE on the secondary: Y FREE/BACKUP only if potential-expiry <= now,
 *     Y EXPIRED only if ends - 65 <= now, any other Y;
 *   X EXPIRED or RESET: Y FREE/BACKUP only if potential-expiry <= now.
 * Not NORMAL: X not ACTIVE: any Y; X ACTIVE: Y FREE/BACKUP refused, Y EXPIRED
 * only if ends - 65 <= now, any other Y.
 * Refused: reason 2, message "invalid state transition: X to Y".
 *
 * Step 6: an accepted EXPIRED, RELEASED or RESET is stored as FREE (on the
 * secondary too: FREE is the primary's pool, which is where a returned
 * address goes); every other state is stored as received. The caller then
 * keeps ends = lease_expiry, starts = stos, tsfp = atsfp = potential_expiry,
 * cltt and ip_flags (4.4 step 4), and queues the BNDACK (5.4).
 */
int fo_bnd_check(enum fo_role role, bool normal, const struct fo_bnd_local *local,
	const struct fo_binding *in, uint32_t now, struct fo_bnd_verdict *out);

/* ---- an accepted BNDACK (FAILOVER.md 4.5, 4.2) ---------------------------- */

/* The pool around the lease, for MAC affinity (primary only). */
struct fo_affinity {
	const uint8_t *hba; /* 32-byte HBA of the relationship (bit set = primary) */
	uint32_t free;	    /* FREE leases in the pool, this one not counted */
	uint32_t backup;    /* BACKUP leases in the pool */
};

struct fo_bndack_outcome {
	uint8_t bstate;			 /* binding-status the lease has now */
	uint32_t tsfp;			 /* = atsfp: the potential expiry that was sent */
	bool affinity;			 /* send @p backup_update now */
	struct fo_binding backup_update; /* BNDUPD(BACKUP) keeping chaddr/uid */
};

/**
 * What my lease becomes when the peer accepts (no reject-reason) the
 * update @p sent.
 *
 * EXPIRED, RELEASED, RESET -> FREE; on the secondary a lease flagged
 * RESERVED goes to BACKUP instead (ISC's "secondary + reserved"); on the
 * secondary an unreserved one goes to FREE, the primary's pool, as in ISC.
 * Any other state is kept. tsfp = sent->potential_expiry in every case.
 *
 * MAC affinity (4.2 last bullet), only on the primary, only for a lease that
 * just went to FREE with no IP-flags: when the last client (its
 * client-identifier if sent, else chaddr without the htype byte, 6.1)
 * hashes to a bucket whose HBA bit is clear (the secondary's), and the
 * secondary does not already hold more than its share (aff->backup >
 * aff->free, leasewire's reading of "its share" = half the available
 * leases), affinity is set and backup_update is the BNDUPD(BACKUP) to send:
 * the same client bytes and lease-expiry, potential-expiry = stos = now,
 * no CLTT. @p aff may be NULL: no affinity.
 *
 * @return 0, or -EINVAL for a NULL sent/out or an invalid sent->bstate.
 */
int fo_bndack_accepted(enum fo_role role, const struct fo_binding *sent,
	const struct fo_affinity *aff, uint32_t now, struct fo_bndack_outcome *out);

/* ---- pool balancing (FAILOVER.md 4.6) --------------------------------------- */

struct fo_balance {
	int32_t lts;	 /* leases to send: primary (FREE-BACKUP)/2, secondary (BACKUP-FREE)/2 */
	int32_t thresh;	 /* round(total * misbalance %) */
	int32_t hold;	 /* round(total * ownership %) */
	uint8_t move_to; /* what a moved lease becomes: BACKUP (primary) or FREE */
	/* Pass 1: at most this many leases whose last client hashes to the
	 * peer (until lts <= -hold); 0 when lts <= -hold already. */
	uint32_t pass1;
	bool poolreq; /* lts < -2*thresh, or lts < -1 when thresh is 0 */
};

/**
 * Balance arithmetic of one pool. @p free and @p backup are the pool's
 * FREE and BACKUP counts, @p misbalance_pct and @p ownership_pct the
 * max-lease-misbalance and max-lease-ownership settings (15 and 10 by
 * default). The caller moves up to out->pass1 peer-hashing leases,
 * decrementing out->lts by one per lease moved, then walks its queue
 * (oldest first) asking fo_pool_pass2() for each lease. Balancing and
 * POOLREQ only happen in NORMAL; poolreq is only acted on from the
 * scheduled check (FAILOVER.md 4.6).
 * @return 0, or -EINVAL for a NULL out, a percentage over 100 or counts
 *         whose sum passes INT32_MAX.
 */
int fo_pool_balance(enum fo_role role, uint32_t free, uint32_t backup, unsigned misbalance_pct,
	unsigned ownership_pct, struct fo_balance *out);

/* Pass 2: move this lease now? A never-used lease (@p used false) while
 * lts > 0, a used one while lts > hold. */
bool fo_pool_pass2(int32_t lts, int32_t hold, bool used);

/* Inputs of the balance schedule. */
struct fo_balance_sched {
	uint32_t now;
	uint32_t last;	      /* time of the previous balance run (0 = never) */
	uint32_t min_balance; /* 60 by default */
	uint32_t max_balance; /* 3600 by default */
	unsigned misbalance_pct;
	/* Age (now - sort time) of the oldest lease in my own pool and in the
	 * peer's, 0 when that pool is empty. */
	uint32_t own_oldest_age;
	uint32_t peer_oldest_age;
	uint32_t jitter; /* ISC adds 0..4 s at random; the caller picks it */
};

/**
 * Next scheduled balance check (FAILOVER.md 4.6): now + min(max_balance,
 * estimate), estimate = the smaller of own_oldest_age * pct / 100 * 2 and
 * peer_oldest_age * pct / 100 over the pools that are not empty (max_balance
 * when both are empty), not earlier than last + min_balance, plus jitter.
 * Sums are done in 64 bits and capped at UINT32_MAX.
 */
uint32_t fo_balance_next(const struct fo_balance_sched *s);

/**
 * May this server hand out an address in binding-status @p bstate
 * (FAILOVER.md 4.3)? FREE/ABANDONED and BACKUP go through fo_may_allocate()
 * (fo_state.h); ACTIVE never; EXPIRED/RELEASED that are @p rewindable (the
 * peer never heard of the allocation: its last known state is my own pool)
 * while I am COMMUNICATIONS-INTERRUPTED count as my own pool; RESET and
 * every other EXPIRED/RELEASED only in PARTNER-DOWN once tsfp < now.
 */
bool fo_bnd_may_allocate(enum fo_state me, enum fo_state peer, enum fo_role role, unsigned bstate,
	bool rewindable, uint32_t now, uint32_t stos, uint32_t tsfp, uint32_t mclt);

#endif
