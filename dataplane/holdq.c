/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "holdq.h"

int holdq_init(struct holdq *q, unsigned capacity)
{
	memset(q, 0, sizeof(*q));
	if (capacity == 0 || capacity > HOLDQ_MAX || (capacity & (capacity - 1)))
		return -EINVAL;
	q->q = calloc(capacity, sizeof(*q->q));
	if (q->q == NULL)
		return -ENOMEM;
	q->mask = capacity - 1;
	return 0;
}

void holdq_fini(struct holdq *q)
{
	free(q->q);
	memset(q, 0, sizeof(*q));
}

unsigned holdq_release(struct holdq *q, uint64_t durable_seq, struct holdq_item *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && q->head != q->tail && q->q[q->head & q->mask].seq <= durable_seq)
		out[n++] = q->q[q->head++ & q->mask];
	return n;
}

unsigned holdq_expire(struct holdq *q, uint64_t now_ms, struct holdq_item *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && q->head != q->tail && q->q[q->head & q->mask].deadline_ms <= now_ms)
		out[n++] = q->q[q->head++ & q->mask];
	return n;
}

unsigned holdq_flush(struct holdq *q, struct holdq_item *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && q->head != q->tail)
		out[n++] = q->q[q->head++ & q->mask];
	return n;
}
