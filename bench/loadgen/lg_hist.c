/* SPDX-License-Identifier: MPL-2.0 */
/* Latency histogram; see lg_hist.h. */
#include "bench/loadgen/lg_hist.h"

void lg_hist_add(struct lg_hist *h, uint64_t ns)
{
	const uint64_t coarse_end = LG_HIST_FINE + (uint64_t)LG_HIST_COARSE * 1000;
	uint64_t us = ns / 1000, i;

	if (us < LG_HIST_FINE)
		i = us;
	else if (us < coarse_end)
		i = LG_HIST_FINE + (us - LG_HIST_FINE) / 1000;
	else
		i = LG_HIST_FINE + LG_HIST_COARSE + (us - coarse_end) / 100000;
	if (i >= LG_HIST_N)
		i = LG_HIST_N - 1;
	h->b[i]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

double lg_hist_pct_us(const struct lg_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count + 0.5);
	if (want == 0)
		want = 1;
	for (uint64_t i = 0; i < LG_HIST_N; i++) {
		seen += h->b[i];
		if (seen >= want)
			return lg_hist_edge_us(h, i);
	}
	return (double)h->max_ns / 1000.0;
}

double lg_hist_edge_us(const struct lg_hist *h, uint64_t i)
{
	const uint64_t coarse_end = LG_HIST_FINE + (uint64_t)LG_HIST_COARSE * 1000;

	if (i < LG_HIST_FINE)
		return (double)(i + 1);
	if (i < LG_HIST_FINE + LG_HIST_COARSE)
		return (double)(LG_HIST_FINE + (i - LG_HIST_FINE + 1) * 1000);
	if (i < LG_HIST_N - 1)
		return (double)(coarse_end + (i - LG_HIST_FINE - LG_HIST_COARSE + 1) * 100000);
	return (double)h->max_ns / 1000.0;
}
