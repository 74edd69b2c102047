/* SPDX-License-Identifier: MPL-2.0 */
/* Summary table and JSON file of leasewire-loadgen; see loadgen.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "bench/loadgen/lg.h"

static const char *const ctr_names[C_N] = {
	"started",
	"completed",
	"late",
	"tx",
	"rx",
	"retransmit",
	"stray",
	"not-dhcp",
	"malformed",
	"bad-xid",
	"chaddr-mismatch",
	"bad-type",
	"no-server-id",
	"yiaddr-zero",
	"out-of-range",
	"ack-mismatch",
	"dup-address",
	"nak",
	"timeout-offer",
	"timeout-ack",
	"tx-busy",
	"tx-drop",
	"mbuf-fail",
	"restart",
	"renew-sent",
	"renewed",
	"renew-mismatch",
	"timeout-renew",
	"release-sent",
	"address-reused",
};

const char *lg_scenario_name(enum lg_scenario s)
{
	switch (s) {
	case SC_DORA:
		return "dora";
	case SC_RENEW:
		return "renew";
	case SC_RELEASE:
		return "release";
	case SC_AVALANCHE:
		return "avalanche";
	}
	return "?";
}

static void put_lat_json(FILE *f, const char *name, const struct lg_hist *h, bool comma)
{
	fprintf(f,
		"    \"%s\": {\"count\": %" PRIu64 ", \"p50_us\": %.0f, \"p90_us\": %.0f, "
		"\"p99_us\": %.0f, \"p999_us\": %.0f, \"max_us\": %.1f, \"mean_us\": %.1f}%s\n",
		name, h->count, lg_hist_pct_us(h, 0.5), lg_hist_pct_us(h, 0.9),
		lg_hist_pct_us(h, 0.99), lg_hist_pct_us(h, 0.999), (double)h->max_ns / 1000.0,
		h->count ? (double)h->sum_ns / 1000.0 / (double)h->count : 0.0, comma ? "," : "");
}

/* --series: one CSV row a second. */
static int write_series(const struct lg *g, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "t_s,interval_s,offered,answered,late,lost,retransmit,bound,outstanding,"
		   "p99_us\n");
	for (uint64_t i = 0; i < g->n_series; i++) {
		const struct lg_sec *s = &g->series[i];

		fprintf(f,
			"%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%.0f\n",
			s->t_s, s->interval_s, s->offered, s->answered, s->late, s->lost,
			s->retrans, s->bound, s->outstanding, s->p99_us);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * --cdf: the fraction of samples at or below each latency, one row per
 * bucket that holds a sample of any histogram; empty histograms print 0.
 */
static int write_cdf(const struct lg *g, const char *path)
{
	const struct lg_hist *h[] = {&g->h_offer, &g->h_ack, &g->h_dora, &g->h_renew};
	uint64_t seen[RTE_DIM(h)] = {0};
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "latency_us,discover-offer,request-ack,exchange,renew\n");
	for (uint64_t i = 0; i < LG_HIST_N; i++) {
		bool any = false;

		for (size_t k = 0; k < RTE_DIM(h); k++) {
			seen[k] += h[k]->b[i];
			any |= h[k]->b[i] != 0;
		}
		if (!any)
			continue;
		fprintf(f, "%.0f", lg_hist_edge_us(&g->h_dora, i));
		for (size_t k = 0; k < RTE_DIM(h); k++)
			fprintf(f, ",%.6f",
				h[k]->count ? (double)seen[k] / (double)h[k]->count : 0.0);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static double secs(const struct lg *g, uint64_t a, uint64_t b)
{
	return a && b > a ? (double)(b - a) / (double)g->hz : 0;
}

static int write_json(const struct lg *g, const char *path, const double *fig, size_t nfig,
	const char *const *fig_names)
{
	const struct {
		const char *name;
		const struct lg_hist *h;
	} lat[] = {{"discover-offer", &g->h_offer}, {"request-ack", &g->h_ack},
		{"exchange", &g->h_dora}, {"renew", &g->h_renew}};
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"schema\": 2,\n  \"tool\": \"leasewire-loadgen\",\n");
	fprintf(f,
		"  \"config\": {\"scenario\": \"%s\", \"clients\": %" PRIu64 ", \"rate\": %" PRIu64
		", \"duration_s\": %.3f, \"relay\": %s, \"client_id\": %s, \"timeout_ms\": %" PRIu64
		", \"tries\": %u, \"max_outstanding\": %" PRIu64 ", \"arrival_s\": %.3f"
		", \"deadline_s\": %.3f, \"retrans_ms\": %" PRIu64 ", \"reuse\": %s},\n",
		lg_scenario_name(g->o.scenario), g->o.clients, g->o.rate, g->o.duration,
		g->o.wire.relay ? "true" : "false", g->o.wire.client_id ? "true" : "false",
		g->o.timeout_ms, g->o.tries, g->o.max_outstanding, g->o.arrival, g->o.deadline,
		g->o.retrans_ms, g->o.reuse ? "true" : "false");
	for (size_t i = 0; i < nfig; i++)
		fprintf(f, "  \"%s\": %.6f,\n", fig_names[i], fig[i]);
	fprintf(f, "  \"unfinished\": %" PRIu64 ",\n  \"bound\": %" PRIu64 ",\n", g->outstanding,
		g->bound);
	fprintf(f, "  \"counters\": {\n");
	for (int i = 0; i < C_N; i++)
		fprintf(f, "    \"%s\": %" PRIu64 "%s\n", ctr_names[i], g->ctr[i],
			i + 1 < C_N ? "," : "");
	fprintf(f, "  },\n  \"latency\": {\n");
	for (size_t i = 0; i < RTE_DIM(lat); i++)
		put_lat_json(f, lat[i].name, lat[i].h, i + 1 < RTE_DIM(lat));
	fprintf(f, "  },\n  \"series\": [\n");
	for (uint64_t i = 0; i < g->n_series; i++) {
		const struct lg_sec *s = &g->series[i];

		fprintf(f,
			"    {\"t_s\": %.3f, \"interval_s\": %.3f, \"offered\": %" PRIu64
			", \"answered\": %" PRIu64 ", \"late\": %" PRIu64 ", \"lost\": %" PRIu64
			", \"retransmit\": %" PRIu64 ", \"bound\": %" PRIu64
			", \"outstanding\": %" PRIu64 ", \"p99_us\": %.0f}%s\n",
			s->t_s, s->interval_s, s->offered, s->answered, s->late, s->lost,
			s->retrans, s->bound, s->outstanding, s->p99_us,
			i + 1 < g->n_series ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}

int lg_report(struct lg *g)
{
	const uint64_t *cd = g->ctr_dora; /* the DORA phase's figures */
	double offer_s = secs(g, g->t_first, g->t_stop_offer);
	double ack_s = secs(g, g->t_first, g->t_last_ack);
	double run_s = secs(g, g->t_first, g->t_end);
	double offered_rate = offer_s > 0 ? (double)cd[C_STARTED] / offer_s : 0;
	double done_rate = ack_s > 0 ? (double)g->ctr[C_COMPLETED] / ack_s : 0;
	double window_rate = offer_s > 0 ? (double)g->completed_at_stop / offer_s : 0;
	double loss = cd[C_STARTED] ? 100.0 * (double)(cd[C_STARTED] - cd[C_COMPLETED]) /
					      (double)cd[C_STARTED]
				    : 0;
	/* ISC's criterion: an exchange not completed within 1 s is lost. */
	double late_pct = cd[C_STARTED]
				  ? 100.0 * (double)(cd[C_STARTED] - cd[C_COMPLETED] + cd[C_LATE]) /
					    (double)cd[C_STARTED]
				  : 0;
	double phase2_s = secs(g, g->t_phase2, g->t_phase2_end);
	double phase2_rate =
		phase2_s > 0 ? (double)(g->ctr[C_RENEW_SENT] + g->ctr[C_RELEASE_SENT]) / phase2_s
			     : 0;
	double all_bound_s = secs(g, g->t_first, g->t_all_bound);
	double rx_cyc = g->ctr[C_RX] ? (double)g->cyc_rx / (double)g->ctr[C_RX] : 0;
	const double fig[] = {offer_s, ack_s, offered_rate, done_rate, window_rate, loss, late_pct,
		phase2_s, phase2_rate, all_bound_s, run_s, rx_cyc};
	static const char *const fig_names[] = {"offer_seconds", "last_ack_seconds",
		"offered_per_s", "completed_per_s", "completed_in_window_per_s", "loss_percent",
		"late_or_lost_percent", "second_phase_seconds", "second_phase_per_s",
		"all_bound_seconds", "run_seconds", "rx_cycles_per_frame"};
	const struct {
		const char *name;
		const struct lg_hist *h;
	} lat[] = {{"discover-offer", &g->h_offer}, {"request-ack", &g->h_ack},
		{"exchange", &g->h_dora}, {"renew", &g->h_renew}};
	int rc = 0;

	RTE_BUILD_BUG_ON(RTE_DIM(fig) != RTE_DIM(fig_names));

	printf("leasewire-loadgen: %s, %" PRIu64 " clients at %" PRIu64 "/s (%s)\n",
		lg_scenario_name(g->o.scenario), g->o.clients, g->o.rate,
		g->o.wire.relay ? "relay" : "direct");
	printf("%-22s %14.0f\n", "offered/s", offered_rate);
	printf("%-22s %14.0f\n", "completed/s in window", window_rate);
	printf("%-22s %14.0f\n", "completed/s to last", done_rate);
	printf("%-22s %13.3f%%\n", "loss", loss);
	printf("%-22s %13.3f%%\n", "over 1 s or lost", late_pct);
	printf("%-22s %14" PRIu64 "\n", "unfinished", g->outstanding);
	printf("%-22s %14" PRIu64 "\n", "failed", g->failed);
	printf("%-22s %14" PRIu64 "\n", "bound at end", g->bound);
	if (g->o.scenario == SC_RENEW || g->o.scenario == SC_RELEASE)
		printf("%-22s %14.3f s, %.0f/s\n",
			g->o.scenario == SC_RENEW ? "renew phase" : "release phase", phase2_s,
			phase2_rate);
	if (g->o.scenario == SC_AVALANCHE) {
		if (g->t_all_bound)
			printf("%-22s %14.3f s\n", "all bound after", all_bound_s);
		else
			printf("%-22s %14" PRIu64 " of %" PRIu64 " after %.1f s\n", "NOT bound",
				g->o.clients - g->bound, g->o.clients, run_s);
	}
	printf("%-22s %14.0f\n", "rx cycles/frame", rx_cyc);
	for (int i = 0; i < C_N; i++)
		if (g->ctr[i] || i <= C_RX)
			printf("%-22s %14" PRIu64 "\n", ctr_names[i], g->ctr[i]);
	printf("%-22s %10s %10s %10s %10s\n", "latency (us)", "p50", "p99", "max", "count");
	for (size_t i = 0; i < RTE_DIM(lat); i++)
		if (lat[i].h->count)
			printf("%-22s %10.0f %10.0f %10.1f %10" PRIu64 "\n", lat[i].name,
				lg_hist_pct_us(lat[i].h, 0.5), lg_hist_pct_us(lat[i].h, 0.99),
				(double)lat[i].h->max_ns / 1000.0, lat[i].h->count);
	if (g->o.json && write_json(g, g->o.json, fig, RTE_DIM(fig), fig_names) != 0) {
		fprintf(stderr, "leasewire-loadgen: --json %s: %s\n", g->o.json, strerror(errno));
		rc = -1;
	}
	if (g->o.series && write_series(g, g->o.series) != 0) {
		fprintf(stderr, "leasewire-loadgen: --series %s: %s\n", g->o.series,
			strerror(errno));
		rc = -1;
	}
	if (g->o.cdf && write_cdf(g, g->o.cdf) != 0) {
		fprintf(stderr, "leasewire-loadgen: --cdf %s: %s\n", g->o.cdf, strerror(errno));
		rc = -1;
	}
	return rc;
}
