/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Records that cross a process boundary (dataplane <-> control) or reach
 * disk: fixed-size plain data, no pointers, each with a type and a version.
 * Both sides compile against this one header; LW_RECORDS_VERSION is checked
 * when they attach.
 */
#ifndef LW_RECORDS_H
#define LW_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "dhcp4.h"

#define LW_RECORDS_VERSION 1

/*
 * The identity of a client: option 61 when present (the whole payload, type
 * byte included), else (htype, chaddr[0..hlen)). Fixed size so that it can
 * be an rte_hash key; an option 61 longer than LW_KEY_DATA is replaced by a
 * 64-bit digest of it (kind LW_KEY_CLIENT_ID_DIGEST) — collisions between
 * two such clients are possible in theory (1 in 2^64).
 *
 * Unused bytes are zero, so memcmp/hashing of the whole struct is correct.
 */
#define LW_KEY_DATA 30

enum lw_key_kind {
	LW_KEY_NONE = 0,
	LW_KEY_HWADDR = 1,	     /* data = htype, chaddr[0..hlen) ; len = 1 + hlen */
	LW_KEY_CLIENT_ID = 2,	     /* data = option 61 payload ; len = its length */
	LW_KEY_CLIENT_ID_DIGEST = 3, /* option 61 longer than LW_KEY_DATA ; data = 8-byte digest */
};

struct lw_client_key {
	uint8_t kind;
	uint8_t len;
	uint8_t data[LW_KEY_DATA];
};
_Static_assert(sizeof(struct lw_client_key) == 32, "client key is the rte_hash key: 32 bytes");

/* Builds the key of a parsed request. */
void lw_client_key_from_msg(struct lw_client_key *k, const struct dhcp4_msg *m);

/*
 * The same from its parts: the client identifier (option 61 payload) when
 * cid is not NULL, else (htype, hw[0..hlen)), hlen cut at 16.
 */
void lw_client_key_make(struct lw_client_key *k, const uint8_t *cid, size_t cid_len, uint8_t htype,
	const uint8_t *hw, size_t hlen);

/*
 * The bytes the RFC 3074 hash runs over for this key (FAILOVER.md 6.1): the
 * option 61 payload, or chaddr without the htype byte. For a digest key the
 * digest bytes (no peer can hash those consistently anyway).
 */
static inline const uint8_t *lw_client_key_hash_bytes(const struct lw_client_key *k, size_t *len)
{
	if (k->kind == LW_KEY_HWADDR) {
		*len = k->len ? k->len - 1u : 0;
		return k->data + 1;
	}
	*len = k->len;
	return k->data;
}

/* Binding states, as the failover draft names them where they overlap. */
enum lw_bind_state {
	LW_BIND_FREE = 0,
	LW_BIND_OFFERED = 1, /* held for a client after OFFER, not durable */
	LW_BIND_ACTIVE = 2,  /* ACKed */
	LW_BIND_EXPIRED = 3,
	LW_BIND_RELEASED = 4,
	LW_BIND_DECLINED = 5, /* address quarantined (no client) until `end` */
	LW_BIND_RESERVED = 6, /* a host reservation's address */
	/* Failover (FAILOVER.md 4.1): free, in the secondary's pool. An address
	 * of a failover pool with no record is FREE: in the primary's pool. */
	LW_BIND_BACKUP = 7,
};

const char *lw_bind_state_name(int state);

/*
 * One binding change, as a worker commits it. Every ACK, RELEASE, DECLINE,
 * expiry and decline-probation end produces exactly one event, numbered by a
 * per-worker sequence that never goes back. The journal (control process)
 * appends these; an ACK leaves only once its event is durable.
 */
enum lw_event_type {
	LW_EV_BIND = 1, /* the binding of (key, addr) is now `state` */
	/* Failover, written by control only: the partner acknowledged the
	 * binding of addr whose state and end were `state` and `end`; start
	 * carries the potential expiry it acknowledged (tsfp, FAILOVER.md 5.1). */
	LW_EV_FO_ACK = 2,
};

/* lw_bind_event.worker of events no worker produced (seq 0). */
#define LW_WORKER_CONTROL 0xfffe /* control itself (lease4-del, failover bookkeeping) */
#define LW_WORKER_PEER	  0xfffd /* a binding the failover peer sent (BNDUPD) */

struct lw_bind_event {
	uint16_t type;	 /* LW_EV_* */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t state;	 /* enum lw_bind_state */
	uint16_t worker; /* producing worker */
	uint16_t pool;	 /* pool index in the config, 0xffff = outside any pool */
	uint64_t seq;	 /* per-worker, starts at 1, +1 per event */
	uint32_t addr;	 /* host byte order */
	uint32_t start;	 /* Unix seconds */
	uint32_t end;	 /* Unix seconds; for DECLINED, when the address returns */
	uint32_t subnet; /* subnet index in the config */
	struct lw_client_key key;
};
_Static_assert(sizeof(struct lw_bind_event) == 64, "one cache line per event");

#endif
