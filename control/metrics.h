/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The Prometheus endpoint: GET /metrics on the configured address and port
 * (control.metrics), in the text exposition format, served by libmicrohttpd
 * inside the control process's epoll loop (no thread of its own).
 *
 * Every statistic of statistics.h is a metric: "leasewire_" + its name with
 * '-' as '_', "_total" after counters; per-worker and per-subnet values are
 * one family with labels ({worker="0"}, {subnet_id="1",subnet="198.18.0.0/24"}).
 * Counters are the raw values: statistic-reset-all does not touch them, so
 * they only ever grow as Prometheus expects.
 *
 * Threading: the loop's thread only.
 */
#ifndef LW_CTL_METRICS_H
#define LW_CTL_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct ctl_env;
struct lw_config;
struct metrics;

/*
 * Listens on cfg->control.metrics_addr:metrics_port and adds the server's
 * epoll descriptor to epfd (data.ptr is a struct ev_src). The figures come
 * from env at each request (env->config() then, not cfg, which a reload
 * may free). Returns NULL with errno and a line naming the address in err.
 */
struct metrics *metrics_open(
	const struct lw_config *cfg, int epfd, struct ctl_env *env, char *err, size_t errlen);

/*
 * How long the loop may sleep before metrics_run() is due (connection
 * timeouts), in ns; -1 when there is no deadline. -1 for NULL.
 */
int64_t metrics_timeout_ns(struct metrics *mx);

/* Lets the server do what is due (cheap when nothing is). NULL: no-op. */
void metrics_run(struct metrics *mx);

/* Stops the server, closing its connections. NULL: no-op. */
void metrics_close(struct metrics *mx);

/* The exposition text for env's figures now (malloc'd, *len bytes), NULL on ENOMEM. */
char *metrics_render(struct ctl_env *env, size_t *len);

#endif
