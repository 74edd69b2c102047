/* SPDX-License-Identifier: MPL-2.0 */
/* The Prometheus exposition text, and the endpoint over real HTTP on
 * loopback with the test running the epoll loop. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/commands.h"
#include "control/loop.h"
#include "control/metrics.h"
#include "control/store.h"

static struct store *st;
static struct lw_config *cfg;
static struct ctl_env env;
static struct ctl_stats stats;

static const struct lw_config *f_config(void *arg)
{
	return cfg;
}

static void f_stats(void *arg, struct ctl_stats *out)
{
	*out = stats;
}

static void setup(void)
{
	static const char text[] =
		"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; } "
		");\n"
		"control = { metrics = { enabled = true; port = 9547; }; };\n"
		"subnets = ( { subnet = \"198.18.0.0/24\"; pools = ( { range = \"198.18.0.10 - "
		"198.18.0.19\"; } ); } );\n";
	struct lw_bind_event ev = {
		.type = LW_EV_BIND,
		.version = LW_RECORDS_VERSION,
		.state = LW_BIND_ACTIVE,
		.addr = LW_IP4(198, 18, 0, 10),
		.key = {.kind = LW_KEY_HWADDR, .len = 7, .data = {1, 2, 0, 0, 0, 0, 1}},
	};
	char err[256];

	cr_assert_eq(lw_config_load_string(text, "t.cfg", &cfg, err, sizeof(err)), 0, "%s", err);
	st = store_create(8);
	cr_assert_eq(store_apply(st, &ev), 0);
	memset(&stats, 0, sizeof(stats));
	stats.n_workers = 2;
	stats.ctr[0][LW_CTR_RX_DHCP] = 10;
	stats.ctr[1][LW_CTR_RX_DHCP] = 5;
	stats.rate_rx[1] = 2.5;
	env = (struct ctl_env){.store = st, .config = f_config, .stats = f_stats};
}

static void teardown(void)
{
	ctl_env_fini(&env);
	store_free(st);
	lw_config_free(cfg);
}

TestSuite(metrics, .init = setup, .fini = teardown);

static unsigned count_lines_starting(const char *text, const char *prefix)
{
	unsigned n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

Test(metrics, exposition_text)
{
	static const char *const lines[] = {
		"# TYPE leasewire_pkt4_received_total counter\n",
		"leasewire_pkt4_received_total 15\n",
		"# TYPE leasewire_worker_rx_dhcp_total counter\n",
		"leasewire_worker_rx_dhcp_total{worker=\"0\"} 10\n",
		"leasewire_worker_rx_dhcp_total{worker=\"1\"} 5\n",
		"# TYPE leasewire_worker_rate_rx gauge\n",
		"leasewire_worker_rate_rx{worker=\"1\"} 2.5\n",
		"# TYPE leasewire_subnet_total_addresses gauge\n",
		"leasewire_subnet_total_addresses{subnet_id=\"1\",subnet=\"198.18.0.0/24\"} 10\n",
		"leasewire_subnet_assigned_addresses{subnet_id=\"1\",subnet=\"198.18.0.0/24\"} 1\n",
		"leasewire_leases 1\n",
		"leasewire_build_info{version=",
	};
	size_t len = 0;
	char *t = metrics_render(&env, &len);

	cr_assert_not_null(t);
	cr_expect_eq(strlen(t), len);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_expect(strstr(t, lines[i]) != NULL, "missing: %s", lines[i]);
	/* one HELP and TYPE per family, however many workers */
	cr_expect_eq(count_lines_starting(t, "# HELP leasewire_worker_rx_dhcp_total "), 1);
	cr_expect_eq(count_lines_starting(t, "# TYPE leasewire_worker_rx_dhcp_total "), 1);
	cr_expect_eq(count_lines_starting(t, "leasewire_worker_rx_dhcp_total{"), 2);
	/* no character Prometheus does not take in a metric name */
	cr_expect_null(strstr(t, "leasewire_pkt4-"));
	free(t);
}

Test(metrics, counters_ignore_statistic_reset)
{
	char *r = ctl_handle(&env, "{\"command\": \"statistic-reset-all\"}", 34);
	size_t len;
	char *t;

	cr_assert_not_null(r);
	cr_expect(strstr(r, "\"result\":0"), "%s", r);
	free(r);
	t = metrics_render(&env, &len);
	cr_expect(strstr(t, "leasewire_pkt4_received_total 15\n") != NULL);
	free(t);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint16_t free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

/* One HTTP exchange while the test runs the loop; returns the response. */
static char *http(int epfd, struct metrics *mx, uint16_t port, const char *request)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	uint64_t end = now_ms() + 3000;
	size_t cap = 1 << 20, len = 0;
	char *buf = calloc(1, cap);

	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS);
	while (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		cr_assert(errno == EAGAIN || errno == ENOTCONN, "%s", strerror(errno));
		metrics_run(mx);
		usleep(1000);
	}
	while (now_ms() < end) {
		struct epoll_event evs[4];
		int n = epoll_wait(epfd, evs, 4, 5);
		ssize_t r;

		for (int i = 0; i < n; i++)
			((struct ev_src *)evs[i].data.ptr)->handle(evs[i].data.ptr, evs[i].events);
		r = read(fd, buf + len, cap - len - 1);
		if (r == 0)
			break;
		if (r > 0)
			len += (size_t)r;
		metrics_run(mx); /* as the loop does after each batch */
	}
	close(fd);
	return buf;
}

Test(metrics, http_endpoint)
{
	struct lw_config *c2 = cfg;
	int epfd = epoll_create1(0);
	struct metrics *mx;
	char err[256], *r;
	uint16_t port = free_port();

	c2->control.metrics_port = port;
	mx = metrics_open(c2, epfd, &env, err, sizeof(err));
	cr_assert_not_null(mx, "%s", err);

	r = http(epfd, mx, port, "GET /metrics HTTP/1.0\r\n\r\n");
	cr_expect(strncmp(r, "HTTP/1.0 200", 12) == 0 || strncmp(r, "HTTP/1.1 200", 12) == 0, "%s",
		r);
	cr_expect(strstr(r, "Content-Type: text/plain; version=0.0.4") != NULL, "%s", r);
	cr_expect(strstr(r, "\r\n\r\n# HELP leasewire_") != NULL);
	cr_expect(strstr(r, "leasewire_pkt4_received_total 15\n") != NULL);
	free(r);

	r = http(epfd, mx, port, "GET / HTTP/1.0\r\n\r\n");
	cr_expect(strstr(r, " 404 ") != NULL, "%s", r);
	free(r);

	r = http(epfd, mx, port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	cr_expect(strstr(r, " 405 ") != NULL, "%s", r);
	free(r);

	/* a second server on the same port says why it cannot start */
	cr_expect_null(metrics_open(c2, epfd, &env, err, sizeof(err)));
	cr_expect(strstr(err, "127.0.0.1") && strstr(err, "in use"), "%s", err);

	metrics_close(mx);
	metrics_close(NULL);
	cr_expect_eq(metrics_timeout_ns(NULL), -1);
	close(epfd);
}
