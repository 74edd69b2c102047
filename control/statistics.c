/* SPDX-License-Identifier: MPL-2.0 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "control/statistics.h"
#include "control/store.h"

struct stat_def;
typedef void (*stat_get)(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out);

/* One family: a row of the table below. */
struct stat_def {
	const char *name;
	const char *help;
	uint8_t scope;
	bool counter;
	bool real;
	bool needs_store;
	stat_get get;
	size_t arg; /* a counter id or a field offset, for get */
};

/* A counter as statistic-reset-all left it: a counter below its baseline
 * has restarted (the dataplane restarted) and counts from zero. */
static uint64_t since(uint64_t raw, uint64_t base)
{
	return raw >= base ? raw - base : raw;
}

static uint64_t ctr(const struct ctl_stat_src *src, unsigned w, unsigned c)
{
	return since(src->raw->ctr[w][c], src->baseline ? src->baseline->ctr[w][c] : 0);
}

static uint64_t u64_at(const struct ctl_stats *s, size_t off)
{
	return *(const uint64_t *)((const char *)s + off);
}

static unsigned n_workers(const struct ctl_stats *s)
{
	return s->n_workers < LW_SHM_MAX_WORKERS ? s->n_workers : LW_SHM_MAX_WORKERS;
}

/* ---- global ------------------------------------------------------------ */

static void g_sum(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned w = 0; w < n_workers(src->raw); w++)
		out->u += ctr(src, w, (unsigned)d->arg);
}

static void g_sent(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned w = 0; w < n_workers(src->raw); w++)
		out->u += ctr(src, w, LW_CTR_OUT_OFFER) + ctr(src, w, LW_CTR_OUT_ACK) +
			  ctr(src, w, LW_CTR_OUT_NAK);
}

/*
 * Kea's pkt4-receive-drop: requests dropped without an answer, which is
 * every "drop-*" counter (so that a drop reason added to lw_counters.h is
 * counted here without a change).
 */
static void g_drops(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned c = 0; c < LW_CTR_MAX; c++) {
		if (strncmp(lw_counter_name(c), "drop-", 5) != 0)
			continue;
		for (unsigned w = 0; w < n_workers(src->raw); w++)
			out->u += ctr(src, w, c);
	}
}

static void g_held(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned w = 0; w < n_workers(src->raw); w++)
		out->u += src->raw->held_acks[w];
}

static void g_rate(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned w = 0; w < n_workers(src->raw); w++)
		out->d += *(const double *)((const char *)src->raw + d->arg + w * sizeof(double));
}

static void g_u64(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	out->u = since(u64_at(src->raw, d->arg), src->baseline ? u64_at(src->baseline, d->arg) : 0);
}

static void g_u32(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	out->u = *(const uint32_t *)((const char *)src->raw + d->arg);
}

static void g_dbl(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	out->d = *(const double *)((const char *)src->raw + d->arg);
}

static void g_leases(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	out->u = store_count(src->store);
}

static void g_declined(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned i, struct ctl_stat *out)
{
	for (unsigned s = 0; src->cfg && s < src->cfg->n_subnets; s++)
		out->u += store_subnet_declined(src->store, s);
}

#define OFF(f) offsetof(struct ctl_stats, f)

/* clang-format off */
#define SUM(n, c, h)   {n, h, CTL_STAT_GLOBAL, true, false, false, g_sum, LW_CTR_##c}
#define CTR(n, f, h)   {n, h, CTL_STAT_GLOBAL, true, false, false, g_u64, OFF(f)}
#define GAUGE(n, f, h) {n, h, CTL_STAT_GLOBAL, false, false, false, g_u32, OFF(f)}
#define REAL(n, f, h)  {n, h, CTL_STAT_GLOBAL, false, true, false, g_dbl, OFF(f)}

static const struct stat_def global_defs[] = {
	SUM("pkt4-received", RX_DHCP, "DHCP requests received"),
	SUM("pkt4-discover-received", IN_DISCOVER, "DHCPDISCOVER received"),
	SUM("pkt4-request-received", IN_REQUEST, "DHCPREQUEST received"),
	SUM("pkt4-release-received", IN_RELEASE, "DHCPRELEASE received"),
	SUM("pkt4-decline-received", IN_DECLINE, "DHCPDECLINE received"),
	SUM("pkt4-inform-received", IN_INFORM, "DHCPINFORM received"),
	SUM("pkt4-unknown-received", IN_UNKNOWN, "DHCP messages of other types received"),
	SUM("pkt4-offer-sent", OUT_OFFER, "DHCPOFFER sent"),
	SUM("pkt4-ack-sent", OUT_ACK, "DHCPACK sent"),
	SUM("pkt4-nak-sent", OUT_NAK, "DHCPNAK sent"),
	{"pkt4-sent", "DHCP replies sent", CTL_STAT_GLOBAL, true, false, false, g_sent, 0},
	SUM("pkt4-parse-failed", PARSE_FAILED, "DHCP payloads that failed to parse"),
	{"pkt4-receive-drop", "DHCP requests dropped without an answer (the drop-* counters)",
		CTL_STAT_GLOBAL, true, false, false, g_drops, 0},
	{"declined-addresses", "addresses declined by clients and in probation",
		CTL_STAT_GLOBAL, false, false, true, g_declined, 0},
	{"leases", "bindings in the lease store", CTL_STAT_GLOBAL, false, false, true, g_leases,
		0},
	{"held-acks", "DHCPACKs waiting for their binding to be durable", CTL_STAT_GLOBAL, false,
		false, false, g_held, 0},
	{"rate-rx", "DHCP requests per second over the last second", CTL_STAT_GLOBAL, false, true,
		false, g_rate, OFF(rate_rx)},
	{"rate-ack", "DHCPACKs per second over the last second", CTL_STAT_GLOBAL, false, true,
		false, g_rate, OFF(rate_ack)},
	CTR("events-journaled", events_journaled, "binding events written to the journal"),
	CTR("events-duplicate", events_duplicate,
		"binding events received again after a restart and dropped"),
	CTR("cmd-ring-full", cmd_ring_full, "commands to a worker not sent: its ring was full"),
	CTR("rebalance-moves", rebalance_moves,
		"times control told a worker to give free addresses to another"),
	CTR("rebalance-addresses", rebalance_addresses,
		"free addresses control moved between workers"),
	CTR("ev-ring-full", ev_ring_full_seen,
		"times a worker's event ring was seen full"),
	CTR("control-requests", ctl_requests, "control socket requests answered"),
	CTR("control-requests-failed", ctl_failed,
		"control socket requests answered with result 1 or 2 (malformed, unknown, "
		"bad arguments, or the command failed)"),
	CTR("control-requests-rejected", ctl_rejected,
		"control socket requests turned away unread: not one JSON object, or too long"),
	CTR("control-connections-refused", ctl_refused,
		"control socket connections refused: too many open"),
	CTR("control-connections-timed-out", ctl_timed_out,
		"control socket connections closed idle"),
	CTR("journal-records", journal_records, "records appended to the journal"),
	CTR("journal-syncs", journal_syncs, "journal group commits (fsync)"),
	CTR("journal-bytes", journal_bytes, "bytes appended to the journal"),
	GAUGE("fsync-batch-size-last", fsync_batch_last, "records in the last group commit"),
	REAL("fsync-batch-size-avg", fsync_batch_avg, "records per group commit, average"),
	GAUGE("fsync-batch-size-max", fsync_batch_max, "records per group commit, most"),
	REAL("fsync-latency-us-last", fsync_latency_us_last,
		"microseconds the last journal fsync took"),
	REAL("fsync-latency-us-avg", fsync_latency_us_avg,
		"microseconds a journal fsync takes, average"),
	REAL("fsync-latency-us-max", fsync_latency_us_max,
		"microseconds a journal fsync took, most"),
};
/* clang-format on */

/* ---- per worker -------------------------------------------------------- */

static void w_ctr(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned w, struct ctl_stat *out)
{
	out->u = ctr(src, w, (unsigned)d->arg);
}

static void w_held(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned w, struct ctl_stat *out)
{
	out->u = src->raw->held_acks[w];
}

static void w_rate(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned w, struct ctl_stat *out)
{
	out->d = *(const double *)((const char *)src->raw + d->arg + w * sizeof(double));
}

static void w_durable(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned w, struct ctl_stat *out)
{
	out->u = src->raw->durable_seq[w];
}

static const struct stat_def worker_defs[] = {
#define LW_CTR_DEF(id, n, h) {n, h, CTL_STAT_WORKER, true, false, false, w_ctr, LW_CTR_##id},
	LW_COUNTERS(LW_CTR_DEF)
#undef LW_CTR_DEF
		{"held-acks", "DHCPACKs waiting for their binding to be durable", CTL_STAT_WORKER,
			false, false, false, w_held, 0},
	{"rate-rx", "DHCP requests per second over the last second", CTL_STAT_WORKER, false, true,
		false, w_rate, OFF(rate_rx)},
	{"rate-ack", "DHCPACKs per second over the last second", CTL_STAT_WORKER, false, true,
		false, w_rate, OFF(rate_ack)},
	{"durable-seq", "last binding event of this worker known to be durable", CTL_STAT_WORKER,
		false, false, false, w_durable, 0},
};

/* ---- per subnet -------------------------------------------------------- */

static void s_total(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned s, struct ctl_stat *out)
{
	const struct lw_subnet_conf *sn = &src->cfg->subnets[s];

	for (unsigned p = sn->first_pool; p < sn->first_pool + sn->n_pools; p++)
		out->u += (uint64_t)src->cfg->pools[p].end - src->cfg->pools[p].start + 1;
}

static void s_assigned(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned s, struct ctl_stat *out)
{
	out->u = store_subnet_assigned(src->store, s);
}

static void s_declined(
	const struct ctl_stat_src *src, const struct stat_def *d, unsigned s, struct ctl_stat *out)
{
	out->u = store_subnet_declined(src->store, s);
}

static const struct stat_def subnet_defs[] = {
	{"total-addresses", "addresses in the subnet's pools", CTL_STAT_SUBNET, false, false, false,
		s_total, 0},
	{"assigned-addresses", "addresses with an active lease", CTL_STAT_SUBNET, false, false,
		true, s_assigned, 0},
	{"declined-addresses", "addresses declined by clients and in probation", CTL_STAT_SUBNET,
		false, false, true, s_declined, 0},
};

static int walk(const struct ctl_stat_src *src, const struct stat_def *defs, size_t n_defs,
	unsigned n, int (*fn)(void *arg, const struct ctl_stat *s), void *arg)
{
	for (size_t k = 0; k < n_defs; k++) {
		const struct stat_def *d = &defs[k];

		if (d->needs_store && src->store == NULL)
			continue;
		for (unsigned i = 0; i < n; i++) {
			struct ctl_stat s = {
				.name = d->name,
				.help = d->help,
				.scope = d->scope,
				.counter = d->counter,
				.real = d->real,
				.index = i,
			};
			int rc;

			d->get(src, d, i, &s);
			rc = fn(arg, &s);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int ctl_stat_foreach(
	const struct ctl_stat_src *src, int (*fn)(void *arg, const struct ctl_stat *s), void *arg)
{
	int rc;

	rc = walk(src, global_defs, sizeof(global_defs) / sizeof(global_defs[0]), 1, fn, arg);
	if (rc == 0)
		rc = walk(src, worker_defs, sizeof(worker_defs) / sizeof(worker_defs[0]),
			n_workers(src->raw), fn, arg);
	if (rc == 0 && src->cfg != NULL)
		rc = walk(src, subnet_defs, sizeof(subnet_defs) / sizeof(subnet_defs[0]),
			src->cfg->n_subnets, fn, arg);
	return rc;
}

char *ctl_stat_fullname(const struct ctl_stat *s, char *buf, size_t len)
{
	switch (s->scope) {
	case CTL_STAT_WORKER:
		snprintf(buf, len, "worker[%u].%s", s->index, s->name);
		break;
	case CTL_STAT_SUBNET:
		snprintf(buf, len, "subnet[%u].%s", ctl_subnet_id(s->index), s->name);
		break;
	default:
		snprintf(buf, len, "%s", s->name);
		break;
	}
	return buf;
}
