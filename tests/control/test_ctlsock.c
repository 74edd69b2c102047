/* SPDX-License-Identifier: MPL-2.0 */
/* The control socket with a real UNIX socket and an epoll loop run by the
 * test: framing, limits, clients that stall, and the checks made on open. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_ctl.h"
#include "control/ctlsock.h"
#include "control/loop.h"

static char dir[64];
static char path[128];
static int epfd = -1;
static struct ctlsock *cs;

static struct {
	unsigned calls;
	char *last; /* the last request, as the handler saw it */
	size_t last_len;
	size_t reply_size; /* 0: a short reply */
} h;

static char *handler(void *arg, const char *req, size_t len)
{
	char *r;

	cr_assert_eq(arg, &h);
	h.calls++;
	free(h.last);
	h.last = malloc(len + 1);
	memcpy(h.last, req, len);
	h.last[len] = '\0';
	h.last_len = len;
	if (h.reply_size == 0)
		return strdup("{\"result\": 0, \"text\": \"ok\"}");
	r = malloc(h.reply_size + 1);
	memset(r, 'x', h.reply_size);
	r[h.reply_size] = '\0';
	return r;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The control process's loop, for ms milliseconds. */
static void pump(unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do {
		struct epoll_event evs[16];
		int n = epoll_wait(epfd, evs, 16, 5);

		for (int i = 0; i < n; i++) {
			struct ev_src *src = evs[i].data.ptr;

			src->handle(src, evs[i].events);
		}
		if (cs)
			ctlsock_tick(cs, now_ms());
	} while (now_ms() < end);
}

static void setup(void)
{
	char err[256];

	memset(&h, 0, sizeof(h));
	strcpy(dir, "/tmp/lw-ctlsock-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* run/ does not exist yet: ctlsock_open makes it */
	snprintf(path, sizeof(path), "%s/run/control.sock", dir);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	cr_assert_geq(epfd, 0);
	cs = ctlsock_open(path, epfd, handler, &h, err, sizeof(err));
	cr_assert_not_null(cs, "%s", err);
}

static void teardown(void)
{
	char cmd[128];

	ctlsock_close(cs);
	cs = NULL;
	close(epfd);
	free(h.last);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(ctlsock, .init = setup, .fini = teardown);

static int cli_connect(const char *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	return fd;
}

static void cli_send(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EAGAIN) {
			pump(1);
			continue;
		}
		cr_assert_gt(w, 0, "send: %s", strerror(errno));
		c += w;
		n -= (size_t)w;
	}
}

/* Reads until the server closes; returns the length, or -1 after ms. */
static long cli_reply(int fd, char *buf, size_t cap, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	size_t len = 0;

	while (now_ms() < end) {
		ssize_t n;

		pump(2);
		n = read(fd, buf + len, cap - len - 1);
		if (n == 0) {
			buf[len] = '\0';
			return (long)len;
		}
		if (n > 0)
			len += (size_t)n;
		else if (errno != EAGAIN)
			return (long)len;
		cr_assert_lt(len, cap - 1, "reply larger than the test buffer");
	}
	return -1;
}

static const char req1[] = "{\"command\": \"version-get\"}";

/* What the socket turned away itself; a served request is none of these. */
static void expect_stats(uint64_t rejected, uint64_t refused, uint64_t timed_out)
{
	struct ctlsock_stats st;

	ctlsock_stats(cs, &st);
	cr_expect_eq(st.rejected, rejected, "rejected %" PRIu64, st.rejected);
	cr_expect_eq(st.refused, refused, "refused %" PRIu64, st.refused);
	cr_expect_eq(st.timed_out, timed_out, "timed out %" PRIu64, st.timed_out);
}

Test(ctlsock, request_reply_and_close)
{
	int fd = cli_connect(path);
	char buf[256];

	cli_send(fd, req1, strlen(req1));
	cr_assert_eq(cli_reply(fd, buf, sizeof(buf), 2000),
		(long)strlen("{\"result\": 0, \"text\": \"ok\"}"));
	cr_expect_str_eq(buf, "{\"result\": 0, \"text\": \"ok\"}");
	expect_stats(0, 0, 0);
	cr_expect_eq(h.calls, 1);
	cr_expect_str_eq(h.last, req1);
	close(fd);
	pump(10);
	cr_expect_eq(ctlsock_clients(cs), 0);
}

/* The request ends at its closing brace: what follows is not read. */
Test(ctlsock, framing_ignores_trailing_bytes)
{
	int fd = cli_connect(path);
	char buf[256];

	cli_send(fd, "  {\"a\": [1, {\"b\": \"}]\\\"{\"}]}{\"second\": 1}", 41);
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 2000), 0);
	cr_expect_eq(h.calls, 1);
	cr_expect_str_eq(h.last, "  {\"a\": [1, {\"b\": \"}]\\\"{\"}]}");
	close(fd);
}

Test(ctlsock, request_byte_by_byte)
{
	static const char req[] = "{\"command\": \"lease4-get\", \"arguments\": "
				  "{\"ip-address\": \"198.18.0.1\", \"x\": \"{[\\\"\"}}";
	int fd = cli_connect(path);
	char buf[256];

	for (size_t i = 0; i < strlen(req); i++) {
		cli_send(fd, &req[i], 1);
		pump(1);
		cr_assert_eq(h.calls, i + 1 == strlen(req) ? 1u : 0u, "after byte %zu", i);
	}
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 2000), 0);
	cr_expect_str_eq(h.last, req);
	close(fd);
}

Test(ctlsock, half_close_sends_what_came)
{
	int fd = cli_connect(path);
	char buf[256];

	cli_send(fd, "{\"command\": ", 12);
	shutdown(fd, SHUT_WR);
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 2000), 0);
	cr_expect_eq(h.calls, 1);
	cr_expect_str_eq(h.last, "{\"command\": ");
	close(fd);
}

Test(ctlsock, not_an_object_is_refused_at_once)
{
	static const char *const reqs[] = {"hello", "42", "\"x\"", "   nul"};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int fd = cli_connect(path);
		char buf[256];

		cli_send(fd, reqs[i], strlen(reqs[i]));
		cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 2000), 0, "%s", reqs[i]);
		cr_expect(strstr(buf, "\"result\": 1") && strstr(buf, "not a JSON object"), "%s",
			buf);
		close(fd);
	}
	cr_expect_eq(h.calls, 0);
	expect_stats(4, 0, 0);
}

Test(ctlsock, oversized_request)
{
	size_t n = LW_CTL_MAX_REQUEST + 4096;
	char *big = malloc(n), buf[256];
	int fd = cli_connect(path);
	long got;

	/* one long string that never closes */
	memset(big, 'a', n);
	memcpy(big, "{\"a\": \"", 7);
	cli_send(fd, big, n);
	got = cli_reply(fd, buf, sizeof(buf), 5000);
	cr_assert_gt(got, 0);
	cr_expect(strstr(buf, "\"result\": 1") && strstr(buf, "too long"), "%s", buf);
	cr_expect_eq(h.calls, 0);
	close(fd);
	free(big);

	/* a smaller limit applies to a complete object too */
	ctlsock_set_limits(cs, 0, 0, 16);
	fd = cli_connect(path);
	cli_send(fd, req1, strlen(req1));
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 2000), 0);
	cr_expect(strstr(buf, "too long"), "%s", buf);
	cr_expect_eq(h.calls, 0);
	close(fd);
	expect_stats(2, 0, 0);
}

Test(ctlsock, stuck_client_does_not_block_others)
{
	int stuck, fd;
	char buf[256];

	ctlsock_set_limits(cs, 0, 300, 0);
	stuck = cli_connect(path);
	cli_send(stuck, "{\"command\"", 10); /* and then nothing */
	pump(20);
	fd = cli_connect(path);
	cli_send(fd, req1, strlen(req1));
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 200), 0, "the second client was not served");
	cr_expect_eq(h.calls, 1);
	close(fd);

	/* the stuck one is told and dropped after the idle timeout */
	cr_assert_gt(cli_reply(stuck, buf, sizeof(buf), 2000), 0);
	cr_expect(strstr(buf, "not complete in time"), "%s", buf);
	close(stuck);
	pump(10);
	cr_expect_eq(ctlsock_clients(cs), 0);
	expect_stats(0, 0, 1);
}

Test(ctlsock, client_not_reading_its_reply)
{
	int lazy, fd;
	char buf[256];

	ctlsock_set_limits(cs, 0, 300, 0);
	h.reply_size = 8u << 20; /* far more than the socket buffers hold */
	lazy = cli_connect(path);
	cli_send(lazy, req1, strlen(req1));
	pump(20);
	cr_expect_eq(h.calls, 1);
	cr_expect_eq(ctlsock_clients(cs), 1);

	h.reply_size = 0;
	fd = cli_connect(path);
	cli_send(fd, req1, strlen(req1));
	cr_assert_gt(cli_reply(fd, buf, sizeof(buf), 200), 0, "the second client was not served");
	close(fd);

	pump(500);
	cr_expect_eq(ctlsock_clients(cs), 0, "the client that does not read is still there");
	close(lazy);
	expect_stats(0, 0, 1);
}

Test(ctlsock, large_reply_is_sent_whole)
{
	size_t cap = (4u << 20) + 16;
	char *buf = malloc(cap);
	int fd = cli_connect(path);

	h.reply_size = 4u << 20;
	cli_send(fd, req1, strlen(req1));
	cr_expect_eq(cli_reply(fd, buf, cap, 5000), (long)(4u << 20));
	close(fd);
	free(buf);
}

Test(ctlsock, too_many_clients)
{
	int fds[3];
	char buf[256];

	ctlsock_set_limits(cs, 2, 0, 0);
	for (int i = 0; i < 3; i++) {
		fds[i] = cli_connect(path);
		pump(10);
	}
	cr_expect_eq(ctlsock_clients(cs), 2);
	cr_assert_gt(cli_reply(fds[2], buf, sizeof(buf), 1000), 0);
	cr_expect(strstr(buf, "too many"), "%s", buf);
	/* the first two are still served */
	cli_send(fds[0], req1, strlen(req1));
	cr_expect_gt(cli_reply(fds[0], buf, sizeof(buf), 1000), 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	expect_stats(0, 1, 0);
}

Test(ctlsock, socket_mode_and_directory)
{
	struct stat s;
	char d[128];

	cr_assert_eq(lstat(path, &s), 0);
	cr_expect(S_ISSOCK(s.st_mode));
	cr_expect_eq(s.st_mode & 0777, 0660, "mode %o", s.st_mode & 0777);
	snprintf(d, sizeof(d), "%s/run", dir);
	cr_assert_eq(stat(d, &s), 0);
	cr_expect_eq(s.st_mode & 0777, 0750, "directory mode %o", s.st_mode & 0777);
}

Test(ctlsock, close_removes_only_its_own_socket)
{
	ctlsock_close(cs);
	cs = NULL;
	cr_expect_neq(access(path, F_OK), 0);
}

/* ---- what is already at the path --------------------------------------- */

static struct ctlsock *try_open(const char *p, char *err, size_t len)
{
	int e;
	struct ctlsock *c = ctlsock_open(p, epfd, handler, &h, err, len);

	e = errno;
	if (c)
		ctlsock_close(c);
	errno = e;
	return c;
}

Test(ctlsock, live_socket_is_refused)
{
	char err[256] = "";

	cr_expect_null(try_open(path, err, sizeof(err)));
	cr_expect_eq(errno, EEXIST);
	cr_expect(strstr(err, path) && strstr(err, "in use"), "%s", err);
	/* the running one is untouched */
	cr_expect_eq(access(path, F_OK), 0);
}

Test(ctlsock, stale_socket_is_replaced)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char p[100], err[256] = "";
	struct ctlsock *c;
	int fd;

	/* a socket bound and closed, as a killed process leaves it */
	snprintf(p, sizeof(p), "%s/stale.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	c = ctlsock_open(p, epfd, handler, &h, err, sizeof(err));
	cr_assert_not_null(c, "%s", err);
	fd = cli_connect(p);
	close(fd);
	ctlsock_close(c);
}

Test(ctlsock, other_things_at_the_path_are_refused)
{
	static const struct {
		const char *name;
		const char *why;
	} cases[] = {
		{"symlink", "symbolic link"},
		{"file", "not a socket"},
		{"dir", "not a socket"},
		{"dangling", "symbolic link"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[160], err[256] = "";

		snprintf(p, sizeof(p), "%s/%s", dir, cases[i].name);
		if (strcmp(cases[i].name, "symlink") == 0)
			cr_assert_eq(symlink(path, p), 0); /* to the live socket */
		else if (strcmp(cases[i].name, "dangling") == 0)
			cr_assert_eq(symlink("/nonexistent/x", p), 0);
		else if (strcmp(cases[i].name, "file") == 0)
			close(open(p, O_CREAT | O_WRONLY, 0600));
		else
			cr_assert_eq(mkdir(p, 0700), 0);
		cr_expect_null(try_open(p, err, sizeof(err)), "%s", cases[i].name);
		cr_expect_eq(errno, EEXIST, "%s", cases[i].name);
		cr_expect(
			strstr(err, p) && strstr(err, cases[i].why), "%s: %s", cases[i].name, err);
		cr_expect_eq(access(p, F_OK) == 0 || strcmp(cases[i].name, "dangling") == 0, 1,
			"%s was removed", cases[i].name);
	}
}

Test(ctlsock, socket_of_another_user_is_refused)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char p[100], err[256] = "";
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root to give a socket to another user");
	snprintf(p, sizeof(p), "%s/foreign.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	cr_assert_eq(lchown(p, 65534, 65534), 0);
	cr_expect_null(try_open(p, err, sizeof(err)));
	cr_expect_eq(errno, EPERM);
	cr_expect(strstr(err, p) && strstr(err, "uid 65534"), "%s", err);
	cr_expect_eq(access(p, F_OK), 0);
}

Test(ctlsock, path_too_long)
{
	char p[200], err[256] = "";

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	cr_expect_null(try_open(p, err, sizeof(err)));
	cr_expect_eq(errno, ENAMETOOLONG);
}

Test(ctlsock, flush_writes_pending_replies)
{
	size_t cap = (2u << 20) + 16;
	char *buf = malloc(cap);
	size_t len = 0;
	int fd = cli_connect(path);
	struct epoll_event ev;

	h.reply_size = 2u << 20;
	cli_send(fd, req1, strlen(req1));
	/* one turn of the loop: the handler runs, the reply does not fit */
	while (h.calls == 0) {
		int n = epoll_wait(epfd, &ev, 1, 100);

		if (n == 1)
			((struct ev_src *)ev.data.ptr)->handle(ev.data.ptr, ev.events);
	}
	/* a reader drains the client side while flush blocks on the server side */
	if (fork() == 0) {
		for (;;) {
			ssize_t n = read(fd, buf, cap);

			if (n == 0)
				_exit(0);
			if (n < 0 && errno != EAGAIN)
				_exit(1);
			if (n > 0)
				len += (size_t)n;
			usleep(100);
		}
	}
	cr_expect_eq(ctlsock_flush(cs, 5000), 0);
	close(fd);
	free(buf);
	(void)len;
}
