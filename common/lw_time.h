/* SPDX-License-Identifier: MPL-2.0 */
/* The monotonic clock for the processes outside the DPDK hot path. */
#ifndef LW_TIME_H
#define LW_TIME_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t lw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
