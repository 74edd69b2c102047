/* SPDX-License-Identifier: MPL-2.0 */
/* Summary table and JSON file of leasewire-loadgen; see loadgen.c. */
#include <errno.h>
#include <inttypes.h>
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
	"queue-full",
};

static void put_lat_json(FILE *f, const char *name, const struct lg_hist *h, bool comma)
{
	fprintf(f,
		"    \"%s\": {\"count\": %" PRIu64 ", \"p50_us\": %.0f, \"p90_us\": %.0f, "
		"\"p99_us\": %.0f, \"p999_us\": %.0f, \"max_us\": %.1f, \"mean_us\": %.1f}%s\n",
		name, h->count, lg_hist_pct_us(h, 0.5), lg_hist_pct_us(h, 0.9),
		lg_hist_pct_us(h, 0.99), lg_hist_pct_us(h, 0.999), (double)h->max_ns / 1000.0,
		h->count ? (double)h->sum_ns / 1000.0 / (double)h->count : 0.0, comma ? "," : "");
}

void lg_report(struct lg *g)
{
	double offer_s = (double)(g->t_stop_offer - g->t_first) / (double)g->hz;
	double ack_s = (double)(g->t_last_ack - g->t_first) / (double)g->hz;
	uint64_t lost = g->ctr[C_STARTED] - g->ctr[C_COMPLETED] - g->outstanding;
	double offered_rate = offer_s > 0 ? (double)g->ctr[C_STARTED] / offer_s : 0;
	double done_rate = ack_s > 0 ? (double)g->ctr[C_COMPLETED] / ack_s : 0;
	double window_rate = offer_s > 0 ? (double)g->completed_at_stop / offer_s : 0;
	double loss = g->ctr[C_STARTED]
			      ? 100.0 * (double)(lost + g->outstanding) / (double)g->ctr[C_STARTED]
			      : 0;
	/* ISC's criterion: an exchange not completed within 1 s is lost. */
	double late_pct = g->ctr[C_STARTED]
				  ? 100.0 *
					    (double)(g->ctr[C_STARTED] - g->ctr[C_COMPLETED] +
						     g->ctr[C_LATE]) /
					    (double)g->ctr[C_STARTED]
				  : 0;
	const struct {
		const char *name;
		const struct lg_hist *h;
	} lat[] = {{"discover-offer", &g->h_offer}, {"request-ack", &g->h_ack},
		{"exchange", &g->h_dora}};
	FILE *f;

	printf("leasewire-loadgen: %" PRIu64 " clients asked at %" PRIu64 "/s for %.1f s (%s)\n",
		g->o.clients, g->o.rate, g->o.duration, g->o.wire.relay ? "relay" : "direct");
	printf("%-22s %14.0f\n", "offered/s", offered_rate);
	printf("%-22s %14.0f\n", "completed/s in window", window_rate);
	printf("%-22s %14.0f\n", "completed/s to last", done_rate);
	printf("%-22s %13.3f%%\n", "loss", loss);
	printf("%-22s %13.3f%%\n", "over 1 s or lost", late_pct);
	printf("%-22s %14" PRIu64 "\n", "unfinished", g->outstanding);
	for (int i = 0; i < C_N; i++)
		if (g->ctr[i] || i <= C_RX)
			printf("%-22s %14" PRIu64 "\n", ctr_names[i], g->ctr[i]);
	printf("%-22s %10s %10s %10s %10s\n", "latency (us)", "p50", "p99", "max", "count");
	for (size_t i = 0; i < RTE_DIM(lat); i++)
		printf("%-22s %10.0f %10.0f %10.1f %10" PRIu64 "\n", lat[i].name,
			lg_hist_pct_us(lat[i].h, 0.5), lg_hist_pct_us(lat[i].h, 0.99),
			(double)lat[i].h->max_ns / 1000.0, lat[i].h->count);
	if (g->o.json == NULL)
		return;
	f = fopen(g->o.json, "w");
	if (f == NULL) {
		fprintf(stderr, "leasewire-loadgen: --json %s: %s\n", g->o.json, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"schema\": 1,\n  \"tool\": \"leasewire-loadgen\",\n");
	fprintf(f,
		"  \"config\": {\"clients\": %" PRIu64 ", \"rate\": %" PRIu64
		", \"duration_s\": %.3f, \"relay\": %s, \"client_id\": %s, \"timeout_ms\": %" PRIu64
		", \"tries\": %u, \"max_outstanding\": %" PRIu64 "},\n",
		g->o.clients, g->o.rate, g->o.duration, g->o.wire.relay ? "true" : "false",
		g->o.wire.client_id ? "true" : "false", g->o.timeout_ms, g->o.tries,
		g->o.max_outstanding);
	fprintf(f,
		"  \"offer_seconds\": %.6f,\n  \"last_ack_seconds\": %.6f,\n"
		"  \"offered_per_s\": %.1f,\n  \"completed_per_s\": %.1f,\n"
		"  \"completed_in_window_per_s\": %.1f,\n"
		"  \"loss_percent\": %.4f,\n  \"late_or_lost_percent\": %.4f,\n"
		"  \"unfinished\": %" PRIu64 ",\n  \"counters\": {\n",
		offer_s, ack_s, offered_rate, done_rate, window_rate, loss, late_pct,
		g->outstanding);
	for (int i = 0; i < C_N; i++)
		fprintf(f, "    \"%s\": %" PRIu64 "%s\n", ctr_names[i], g->ctr[i],
			i + 1 < C_N ? "," : "");
	fprintf(f, "  },\n  \"latency\": {\n");
	for (size_t i = 0; i < RTE_DIM(lat); i++)
		put_lat_json(f, lat[i].name, lat[i].h, i + 1 < RTE_DIM(lat));
	fprintf(f, "  }\n}\n");
	fclose(f);
}
