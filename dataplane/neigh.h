/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Per-worker IPv4 neighbour cache (RFC 826 resolution for unicast replies to
 * relays and routers) and the queue of replies waiting for a next hop.
 *
 *  - cache: NEIGH_SIZE entries keyed by (port, IPv4), open addressing with a
 *    probe window of NEIGH_WAYS slots; a new key takes the first empty,
 *    then expired, then oldest slot of its window, so the table never fills
 *    up and a lookup costs at most NEIGH_WAYS compares. Entries are valid
 *    NEIGH_TTL_MS after they were learned. An unresolved key has an
 *    INCOMPLETE entry that remembers when it was last asked for.
 *  - pending: a FIFO of at most NEIGH_PENDING held packets (opaque
 *    pointers: mbufs in the worker), each with a deadline NEIGH_HOLD_MS after
 *    it was held. All deadlines are equally far away, so the FIFO is in
 *    deadline order.
 *
 * Time is a caller-supplied monotonic millisecond clock. Plain C, no DPDK:
 * the struct is allocated by the caller (inside the worker) and tested as is.
 *
 * Threading: one cache per worker, used by that worker only.
 */
#ifndef LW_NEIGH_H
#define LW_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"

#define NEIGH_SIZE	 1024 /* power of two */
#define NEIGH_WAYS	 8
#define NEIGH_TTL_MS	 300000u /* 300 s */
#define NEIGH_SHARE_MS	 60000u	 /* re-announce a refreshed entry to the other workers after this */
#define NEIGH_REQ_GAP_MS 200u	 /* at most one ARP request per next hop in this time */
#define NEIGH_PENDING	 256	 /* power of two */
#define NEIGH_HOLD_MS	 1000u

enum neigh_state {
	NEIGH_EMPTY = 0,
	NEIGH_INCOMPLETE = 1, /* asked for, no answer yet */
	NEIGH_VALID = 2,
};

struct neigh_entry {
	uint32_t ip;
	uint16_t port;
	uint8_t state;
	uint8_t asked; /* an ARP request was sent at asked_ms */
	uint8_t mac[6];
	uint16_t pad;
	uint64_t learned_ms; /* VALID: when learned or last refreshed */
	uint64_t shared_ms;  /* VALID: when last announced to the other workers */
	uint64_t asked_ms;
};

struct neigh_held {
	void *pkt; /* NULL once released */
	uint64_t deadline_ms;
	uint32_t ip;
	uint16_t port;
	uint16_t tag; /* caller's (the worker keeps the DHCP message type) */
};

struct neigh {
	struct neigh_entry e[NEIGH_SIZE];
	struct neigh_held q[NEIGH_PENDING];
	uint32_t q_head; /* free-running indexes; q_tail - q_head <= NEIGH_PENDING */
	uint32_t q_tail;
	uint32_t q_live; /* held packets not yet released or expired */
};

void neigh_init(struct neigh *n);

/* Copies the MAC of (port, ip) into mac and returns true when a valid entry exists. */
bool neigh_lookup(
	const struct neigh *n, uint16_t port, uint32_t ip, uint64_t now_ms, uint8_t mac[6]);

/* What neigh_learn() did. */
enum neigh_learn_result {
	NEIGH_UNCHANGED = 0, /* same MAC, refreshed; recently shared */
	NEIGH_NEW = 1,	     /* there was no valid entry */
	NEIGH_CHANGED = 2,   /* the MAC changed */
	NEIGH_REFRESHED = 3, /* same MAC, last shared over NEIGH_SHARE_MS ago */
};

/*
 * Records that ip on port is at mac (an ARP request or reply addressed to
 * us, or a peer worker's announcement). The caller tells the other workers
 * for any result but NEIGH_UNCHANGED, and then calls neigh_release().
 */
enum neigh_learn_result neigh_learn(
	struct neigh *n, uint16_t port, uint32_t ip, const uint8_t mac[6], uint64_t now_ms);

/*
 * RFC 826 merge: refreshes (port, ip) only when it is already in the cache
 * (an ARP frame not addressed to us). Returns true when it was.
 */
bool neigh_update(
	struct neigh *n, uint16_t port, uint32_t ip, const uint8_t mac[6], uint64_t now_ms);

/*
 * Holds pkt until (port, ip) is learned or NEIGH_HOLD_MS pass. Returns 1
 * when the caller should send an ARP request for ip now (none sent in the
 * last NEIGH_REQ_GAP_MS), 0 when not, -1 when the queue is full (pkt is not
 * held: the caller drops it).
 */
int neigh_hold(
	struct neigh *n, uint16_t port, uint32_t ip, void *pkt, uint16_t tag, uint64_t now_ms);

/* Number of packets held. */
static inline unsigned neigh_held_count(const struct neigh *n)
{
	return n->q_live;
}

/*
 * Takes the packets held for (port, ip), oldest first, up to max, into
 * pkts[] (and their tags into tags[] when not NULL). Returns how many.
 */
unsigned neigh_release(
	struct neigh *n, uint16_t port, uint32_t ip, void **pkts, uint16_t *tags, unsigned max);

/* Takes up to max held packets whose deadline passed (now_ms >= deadline). Returns how many. */
unsigned neigh_expire(struct neigh *n, uint64_t now_ms, void **pkts, unsigned max);

/* Takes up to max held packets regardless of deadline (shutdown). Returns how many. */
unsigned neigh_flush(struct neigh *n, void **pkts, unsigned max);

/*
 * Next hop towards dst from port pc: dst itself when it is inside the port's
 * prefix, else the `via` of the longest matching route (the first of equal
 * length). Returns 0 and *nh, or -1 when no route matches.
 */
int neigh_next_hop(const struct lw_port_conf *pc, uint32_t dst, uint32_t *nh);

#endif
