/* SPDX-License-Identifier: MPL-2.0 */
/*
 * What a configuration reload may change while the dataplane runs.
 *
 * The workers take a new configuration and new server tables at their
 * housekeeping, so everything read per request may change: options, lease
 * times, authoritative, offer_hold, decline_probation, reservations, the
 * routes of a port. What the ports, the workers, the address tables and the
 * shared region were built from may not: the EAL arguments (hence the
 * worker count), mbufs and max_leases, each port's name, device, address and
 * MTU, the subnets and their pools (which of them are failover pools
 * included), control.shm, durability and ack_hold_ms.
 *
 * Reservations inside a pool are marks in the address tables, which shards
 * own address by address; moving such a mark while clients hold or are
 * offered those addresses has no safe answer, so the set of reserved
 * addresses inside the pools must stay (the client a reservation names may
 * change). Reservations outside the pools change freely.
 *
 * Plain C, no DPDK.
 */
#ifndef LW_RELOAD_H
#define LW_RELOAD_H

#include <stddef.h>

#include "common/config.h"

/*
 * Returns 0 when next may replace cur in the running dataplane, or
 * -ENOTSUP with one sentence in msg naming the first thing that changed and
 * ending "restart the dataplane to apply", or -ENOMEM.
 */
int reload_check(const struct lw_config *cur, const struct lw_config *next, char *msg, size_t len);

#endif
