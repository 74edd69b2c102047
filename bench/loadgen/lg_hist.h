/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Latency histogram of leasewire-loadgen: 1 µs buckets below 10 ms, 1 ms
 * buckets from 10 ms to 10 s, 100 ms buckets from 10 s to 200 s (an
 * avalanche's exchanges, with retransmissions backed off to 64 s), and one
 * bucket for everything above. A percentile is the upper edge of its
 * bucket, so it is exact to 1 µs below 10 ms. The maximum is kept exactly.
 *
 * Not thread-safe: one histogram per lcore.
 */
#ifndef LG_HIST_H
#define LG_HIST_H

#include <stdint.h>

#define LG_HIST_FINE   10000 /* 1 µs buckets: 0 .. 10 ms */
#define LG_HIST_COARSE 9990  /* 1 ms buckets: 10 ms .. 10 s */
#define LG_HIST_SLOW   1900  /* 100 ms buckets: 10 s .. 200 s */
#define LG_HIST_N      (LG_HIST_FINE + LG_HIST_COARSE + LG_HIST_SLOW + 1)

struct lg_hist {
	uint64_t count;
	uint64_t max_ns;
	uint64_t sum_ns;
	uint64_t b[LG_HIST_N];
};

void lg_hist_add(struct lg_hist *h, uint64_t ns);

/* The latency in µs below which a fraction q (0..1) of the samples lie; 0 if empty. */
double lg_hist_pct_us(const struct lg_hist *h, double q);

/* Upper edge of bucket i, in µs; the last bucket's is the maximum. */
double lg_hist_edge_us(const struct lg_hist *h, uint64_t i);

#endif
