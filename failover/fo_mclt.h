/* SPDX-License-Identifier: MPL-2.0 */
/* The MCLT rule (FAILOVER.md 5.2, draft-ietf-dhc-failover-12 5.2.1): the
 * lease time a client may be given never exceeds MCLT past the potential
 * expiry the partner has acknowledged.
 *
 * Pure arithmetic, no clock and no I/O: every time is passed in as unsigned
 * 32-bit seconds since 1970 (the wire format of FAILOVER.md 1.2). Sums are
 * computed in 64 bits, so values near 2^32 never wrap. Safe from any thread.
 */
#ifndef LW_FO_MCLT_H
#define LW_FO_MCLT_H

#include <stdint.h>

/* A desired lease time of this value is an infinite lease (RFC 2131 3.3). */
#define FO_LEASE_INFINITE 0xffffffffu
/* tstp sent for an infinite lease, and the cap of every other tstp
 * (FAILOVER.md 5.2). */
#define FO_TSTP_INFINITE 0x7fffffffu
#define FO_TSTP_MAX	 0x7ffffffeu

/**
 * Lease time (seconds) that may be granted to a client (FAILOVER.md 5.2).
 *
 * @param desired  lease time wanted after the default/min/max rules
 *                 (FO_LEASE_INFINITE for infinite)
 * @param now      current time
 * @param mclt     maximum client lead time of the relationship
 * @param tsfp     potential expiry the partner acknowledged for this lease
 *                 (0 = nothing acknowledged)
 * @return         desired if desired <= mclt; mclt if tsfp <= now;
 *                 (tsfp - now) + mclt if now + desired > tsfp + mclt;
 *                 desired otherwise. Never more than desired.
 */
uint32_t fo_mclt_lease_time(uint32_t desired, uint32_t now, uint32_t mclt, uint32_t tsfp);

/**
 * Potential expiry (tstp) to send to the partner after a DHCPACK
 * (FAILOVER.md 5.2): now + desired + granted / 2, capped at FO_TSTP_MAX;
 * FO_TSTP_INFINITE for an infinite desired lease. An OFFER keeps the old tstp
 * and does not call this.
 */
uint32_t fo_mclt_tstp(uint32_t desired, uint32_t now, uint32_t granted);

/* Everything a DHCPACK changes on the lease's failover times. */
struct fo_mclt_grant {
	uint32_t lease_time; /* seconds given to the client */
	uint32_t tstp;	     /* new potential expiry to send to the partner */
	uint32_t tsfp;	     /* tsfp, lowered to tstp when tstp < tsfp */
};

/**
 * The whole DHCPACK step of FAILOVER.md 5.2: the granted time, the new tstp,
 * and tsfp lowered to tstp if it was above. @p out must not be NULL.
 */
void fo_mclt_ack(
	uint32_t desired, uint32_t now, uint32_t mclt, uint32_t tsfp, struct fo_mclt_grant *out);

#endif
