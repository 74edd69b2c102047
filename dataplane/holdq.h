/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The ACKs a worker holds until the control process has made their binding
 * event durable (ARCHITECTURE.md, "Binding lifecycle and durability", step
 * 4): a FIFO of fixed capacity, allocated at start-up.
 *
 * A worker pushes ACKs in the order it commits their events, so sequence
 * numbers grow along the FIFO; every item is held for the same time, so
 * deadlines grow too. Both ways out therefore take a prefix: release stops
 * at the first item whose event is not durable yet, expiry at the first one
 * not yet due. Checking the queue costs one comparison when nothing is due.
 *
 * Plain C, no DPDK: an item carries an opaque pointer (the worker's mbuf).
 *
 * Threading: one queue per worker, used by that worker only.
 */
#ifndef LW_HOLDQ_H
#define LW_HOLDQ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define HOLDQ_MAX 8192u

struct holdq_item {
	void *pkt;
	uint64_t seq;	      /* the binding event that must be durable first */
	uint64_t deadline_ms; /* dropped when still not durable at this time */
	uint32_t nh;	      /* next hop to resolve by ARP before sending, 0: frame complete */
	uint16_t port;	      /* index of the sending port */
	uint16_t tag;	      /* the caller's (the worker keeps the DHCP message type) */
};

struct holdq {
	struct holdq_item *q;
	uint32_t mask;
	uint32_t head; /* free-running; tail - head <= mask + 1 */
	uint32_t tail;
};

/*
 * Allocates room for capacity items (a power of two, 1 .. HOLDQ_MAX).
 * Returns 0, -EINVAL for a bad capacity or -ENOMEM.
 */
int holdq_init(struct holdq *q, unsigned capacity);
/* Frees the room; items still held must have been flushed by the caller. */
void holdq_fini(struct holdq *q);

static inline unsigned holdq_count(const struct holdq *q)
{
	return q->tail - q->head;
}

static inline unsigned holdq_capacity(const struct holdq *q)
{
	return q->mask + 1;
}

/*
 * Appends it (its seq and deadline not below those already queued).
 * Returns 0, or -ENOBUFS when the queue is full (the caller drops the packet).
 */
static inline int holdq_push(struct holdq *q, const struct holdq_item *it)
{
	if (q->tail - q->head > q->mask)
		return -ENOBUFS;
	q->q[q->tail++ & q->mask] = *it;
	return 0;
}

/* The oldest item, or NULL. */
static inline const struct holdq_item *holdq_head(const struct holdq *q)
{
	return q->head != q->tail ? &q->q[q->head & q->mask] : NULL;
}

/* Takes up to max items whose seq <= durable_seq, oldest first. Returns how many. */
unsigned holdq_release(struct holdq *q, uint64_t durable_seq, struct holdq_item *out, unsigned max);

/* Takes up to max items whose deadline has come (deadline_ms <= now_ms). Returns how many. */
unsigned holdq_expire(struct holdq *q, uint64_t now_ms, struct holdq_item *out, unsigned max);

/* Takes up to max items whatever their state (shutdown). Returns how many. */
unsigned holdq_flush(struct holdq *q, struct holdq_item *out, unsigned max);

#endif
