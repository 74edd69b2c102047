/* SPDX-License-Identifier: MPL-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/commands.h"
#include "control/loop.h"
#include "control/metrics.h"
#include "control/statistics.h"

#ifndef LW_VERSION
#define LW_VERSION "unknown"
#endif

/* A scraper holds one connection; a few more cover retries and curl. */
#define MX_MAX_CONNECTIONS 16
#define MX_CONN_TIMEOUT_S  10

struct metrics {
	struct ev_src src; /* first: the epoll data.ptr of MHD's epoll fd */
	struct MHD_Daemon *d;
	struct ctl_env *env;
	int epfd;
	int mhd_fd;
};

/* ---- exposition -------------------------------------------------------- */

struct render {
	FILE *f;
	const struct lw_config *cfg;
	const char *fam_name; /* the family written last */
	uint8_t fam_scope;
};

static void metric_name(FILE *f, const struct ctl_stat *s)
{
	fputs("leasewire_", f);
	if (s->scope == CTL_STAT_WORKER)
		fputs("worker_", f);
	else if (s->scope == CTL_STAT_SUBNET)
		fputs("subnet_", f);
	for (const char *p = s->name; *p; p++)
		fputc(*p == '-' || *p == '.' ? '_' : *p, f);
	if (s->counter)
		fputs("_total", f);
}

static int render_stat(void *arg, const struct ctl_stat *s)
{
	struct render *r = arg;
	char net[LW_IP4_STRLEN];

	if (r->fam_name == NULL || strcmp(r->fam_name, s->name) != 0 || r->fam_scope != s->scope) {
		r->fam_name = s->name;
		r->fam_scope = s->scope;
		fputs("# HELP ", r->f);
		metric_name(r->f, s);
		fprintf(r->f, " %s\n# TYPE ", s->help);
		metric_name(r->f, s);
		fputs(s->counter ? " counter\n" : " gauge\n", r->f);
	}
	metric_name(r->f, s);
	if (s->scope == CTL_STAT_WORKER) {
		fprintf(r->f, "{worker=\"%u\"}", s->index);
	} else if (s->scope == CTL_STAT_SUBNET) {
		const struct lw_subnet_conf *sn = &r->cfg->subnets[s->index];

		fprintf(r->f, "{subnet_id=\"%u\",subnet=\"%s/%u\"}", ctl_subnet_id(s->index),
			lw_ip4_fmt(sn->net, net), sn->plen);
	}
	if (!s->real)
		fprintf(r->f, " %" PRIu64 "\n", s->u);
	else if (isnan(s->d))
		fputs(" NaN\n", r->f);
	else if (isinf(s->d))
		fputs(s->d > 0 ? " +Inf\n" : " -Inf\n", r->f);
	else
		fprintf(r->f, " %.10g\n", s->d);
	return 0;
}

char *metrics_render(struct ctl_env *env, size_t *len)
{
	struct render r = {.cfg = env->config ? env->config(env->arg) : NULL};
	struct ctl_stats *raw = NULL;
	char *text = NULL;

	r.f = open_memstream(&text, len);
	if (r.f == NULL)
		return NULL;
	fputs("# HELP leasewire_build_info the running leasewire-control's version\n"
	      "# TYPE leasewire_build_info gauge\n",
		r.f);
	fprintf(r.f, "leasewire_build_info{version=\"%s\"} 1\n", LW_VERSION);
	if (env->stats != NULL) {
		struct ctl_stat_src src = {.cfg = r.cfg, .store = env->store};

		raw = calloc(1, sizeof(*raw));
		if (raw == NULL)
			goto fail;
		ctl_stats_get(env, raw);
		src.raw = raw;
		ctl_stat_foreach(&src, render_stat, &r);
		free(raw);
	}
	if (fclose(r.f) != 0) {
		free(text);
		return NULL;
	}
	return text;

fail:
	fclose(r.f);
	free(text);
	return NULL;
}

/* ---- HTTP -------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
	char *body, size_t len, bool owned)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (resp == NULL) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
	const char *method, const char *version, const char *upload_data, size_t *upload_data_size,
	void **con_cls)
{
	static char not_found[] = "not found; the metrics are at /metrics\n";
	static char bad_method[] = "only GET\n";
	struct metrics *mx = cls;
	size_t len = 0;
	char *text;

	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			sizeof(not_found) - 1, false);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
			sizeof(bad_method) - 1, false);
	text = metrics_render(mx->env, &len);
	if (text == NULL)
		return MHD_NO;
	return reply(
		conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, true);
}

static void on_event(struct ev_src *src, uint32_t events)
{
	metrics_run((struct metrics *)src);
}

/* Our own socket, so that a failure says why (MHD only says it failed). */
static int listen_on(uint32_t addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr),
	};
	char ip[LW_IP4_STRLEN];
	int one = 1, fd, e;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		goto fail;
	return fd;

fail:
	e = errno;
	snprintf(err, errlen, "metrics endpoint %s:%u (control.metrics): %s", lw_ip4_fmt(addr, ip),
		port, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

struct metrics *metrics_open(
	const struct lw_config *cfg, int epfd, struct ctl_env *env, char *err, size_t errlen)
{
	const struct lw_control_conf *cc = &cfg->control;
	struct epoll_event ev = {.events = EPOLLIN};
	const union MHD_DaemonInfo *info;
	struct metrics *mx;
	char ip[LW_IP4_STRLEN];
	int fd, rc;

	mx = calloc(1, sizeof(*mx));
	if (mx == NULL) {
		snprintf(err, errlen, "metrics endpoint: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	mx->src.handle = on_event;
	mx->env = env;
	mx->epfd = epfd;
	fd = listen_on(cc->metrics_addr, cc->metrics_port, err, errlen);
	if (fd < 0) {
		rc = fd;
		goto fail;
	}
	mx->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, mx,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)MX_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)MX_CONN_TIMEOUT_S, MHD_OPTION_END);
	if (mx->d == NULL) {
		close(fd);
		rc = -EINVAL;
		snprintf(err, errlen, "metrics endpoint %s:%u: libmicrohttpd did not start",
			lw_ip4_fmt(cc->metrics_addr, ip), cc->metrics_port);
		goto fail;
	}
	info = MHD_get_daemon_info(mx->d, MHD_DAEMON_INFO_EPOLL_FD);
	mx->mhd_fd = info ? info->epoll_fd : -1;
	ev.data.ptr = &mx->src;
	if (mx->mhd_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, mx->mhd_fd, &ev) < 0) {
		rc = -(errno ? errno : EINVAL);
		snprintf(err, errlen, "metrics endpoint: cannot add it to the loop: %s",
			strerror(-rc));
		MHD_stop_daemon(mx->d); /* closes the listening socket too */
		goto fail;
	}
	return mx;

fail:
	free(mx);
	errno = -rc;
	return NULL;
}

int64_t metrics_timeout_ns(struct metrics *mx)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (mx == NULL || MHD_get_timeout(mx->d, &ms) != MHD_YES)
		return -1;
	return ms > INT64_MAX / 1000000 ? INT64_MAX : (int64_t)ms * 1000000;
}

void metrics_run(struct metrics *mx)
{
	if (mx != NULL)
		MHD_run(mx->d);
}

void metrics_close(struct metrics *mx)
{
	if (mx == NULL)
		return;
	epoll_ctl(mx->epfd, EPOLL_CTL_DEL, mx->mhd_fd, NULL);
	MHD_stop_daemon(mx->d);
	free(mx);
}
