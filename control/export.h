/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Exports of the lease store in the formats of the servers operators
 * migrate from and to: ISC dhcpd 4.4's lease file (dhcpd.leases(5)) and
 * Kea's memfile lease4 CSV. Leases are written in ascending address order.
 *
 * Identities: a hardware-address key gives `hardware <type> <mac>` (ISC) or
 * the hwaddr column (Kea); a client identifier gives `uid "..."` or the
 * client_id column, and one of the usual form 01 + 6-byte MAC also gives the
 * hardware address. A client identifier longer than LW_KEY_DATA bytes is kept
 * only as a digest (lw_records.h): ISC gets a comment and no uid; Kea, which
 * refuses a lease with no identity, gets the 8 digest bytes as client_id so
 * that the address stays held until the lease ends (the client itself will
 * not be recognised).
 *
 * Both functions only read the store; they return the number of leases
 * written, or a negative errno when writing to f failed.
 */
#ifndef LW_EXPORT_H
#define LW_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "store.h"

/*
 * ISC dhcpd lease file: one `lease A.B.C.D { ... }` per record with
 * starts/ends/cltt in UTC, `binding state` active, expired, released, or
 * abandoned (DECLINED) and `next binding state free`. now goes into the
 * header comment. With cfg, a lease whose address is in no configured
 * subnet is left out (dhcpd would drop it with "no subnet") and named in a
 * comment instead. With a cfg that has a failover block, leases of failover
 * pools carry dhcpd's failover times and states (tstp/tsfp/atsfp: a binding
 * the partner acknowledged has tsfp = atsfp, one it has not a tstp and no
 * atsfp, so that dhcpd sends it; `next binding state expired`; `backup`),
 * and the file ends with the `failover peer "NAME" state` stanza read from
 * <state_dir>/failover.state, so that a dhcpd started on it takes the seat
 * back without RECOVER (doc/migration.md).
 */
int export_isc(const struct store *st, const struct lw_config *cfg, FILE *f, uint32_t now);

/*
 * Kea memfile lease4 CSV (Kea 2.2 columns: address, hwaddr, client_id,
 * valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state,
 * user_context). state: 0 ACTIVE, 1 DECLINED, 2 EXPIRED or RELEASED
 * (expired-reclaimed). subnet_id is the subnet's index + 1: with cfg, of the
 * configured subnet that holds the address (a lease in none is left out);
 * without, of the index the record carries.
 */
int export_kea_csv(const struct store *st, const struct lw_config *cfg, FILE *f);

#endif
