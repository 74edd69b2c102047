/* SPDX-License-Identifier: MPL-2.0 */
#include "failover/fo_mclt.h"

uint32_t fo_mclt_lease_time(uint32_t desired, uint32_t now, uint32_t mclt, uint32_t tsfp)
{
	if (desired <= mclt)
		return desired;
	/* Nothing acknowledged beyond now: the partner may believe the
	 * address is free as soon as MCLT has passed (FAILOVER.md 5.2). */
	if (tsfp <= now)
		return mclt;
	/* 64-bit: now + desired and tsfp + mclt may both pass 2^32. */
	if ((uint64_t)now + desired > (uint64_t)tsfp + mclt)
		return (uint32_t)((uint64_t)tsfp - now + mclt); /* < desired here */
	return desired;
}

uint32_t fo_mclt_tstp(uint32_t desired, uint32_t now, uint32_t granted)
{
	uint64_t tstp;

	if (desired == FO_LEASE_INFINITE)
		return FO_TSTP_INFINITE;
	/* FAILOVER.md 5.2: from the *desired* time, plus half of what was
	 * granted, so the next renewal is already covered. */
	tstp = (uint64_t)now + desired + granted / 2;
	return tstp > FO_TSTP_MAX ? FO_TSTP_MAX : (uint32_t)tstp;
}

void fo_mclt_ack(
	uint32_t desired, uint32_t now, uint32_t mclt, uint32_t tsfp, struct fo_mclt_grant *out)
{
	out->lease_time = fo_mclt_lease_time(desired, now, mclt, tsfp);
	out->tstp = fo_mclt_tstp(desired, now, out->lease_time);
	out->tsfp = out->tstp < tsfp ? out->tstp : tsfp;
}
