/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
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
#include "common/lw_time.h"
#include "control/ctlsock.h"
#include "control/loop.h"

/* Bytes read per readable event: large requests take several turns of the
 * loop, so one client cannot monopolise it. */
#define CS_READ_CHUNK	  65536
#define CS_ACCEPT_BURST	  32
#define CS_LISTEN_BACKLOG 64

/* Fixed replies for what is refused before a handler sees it. */
#define CS_REPLY(text) "{ \"result\": 1, \"text\": \"" text "\" }"

struct cs_client {
	struct ev_src src; /* first: the epoll data.ptr */
	struct ctlsock *cs;
	struct cs_client *next;
	int fd; /* -1 once closed; the struct lives until the next tick */
	uint32_t events;
	uint64_t last_ms;

	/* The request, and where the framing scan stopped. */
	char *in;
	size_t in_len;
	size_t in_cap;
	size_t scan_pos;
	unsigned depth;
	bool started;
	bool in_str;
	bool esc;

	/* The reply; out != NULL once the request is complete. */
	char *out;
	size_t out_len;
	size_t out_off;
	bool out_static;
};

struct ctlsock {
	struct ev_src src; /* first: the listener's epoll data.ptr */
	int fd;
	int epfd;
	ctlsock_handler fn;
	void *arg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	unsigned max_clients;
	uint32_t idle_ms;
	size_t max_request;
	unsigned n_clients;
	struct ctlsock_stats stats;
	struct cs_client *live;
	/* Closed clients: an event for them may still sit in the loop's
	 * current epoll_wait batch, so they are freed at the next tick. */
	struct cs_client *dead;
};

static uint64_t now_ms(void)
{
	return lw_mono_ns() / 1000000u;
}

static void client_set_events(struct cs_client *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = &c->src};

	if (c->events == events)
		return;
	if (epoll_ctl(c->cs->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

static void client_close(struct cs_client *c)
{
	struct ctlsock *cs = c->cs;
	struct cs_client **pp;

	if (c->fd < 0)
		return;
	epoll_ctl(cs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	free(c->in);
	c->in = NULL;
	if (!c->out_static)
		free(c->out);
	c->out = NULL;
	for (pp = &cs->live; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->next = cs->dead;
	cs->dead = c;
	cs->n_clients--;
}

/* Sends what the socket takes; closes the connection once all is out. */
static void client_write(struct cs_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += (size_t)n;
			c->last_ms = now_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			client_set_events(c, EPOLLOUT);
			return;
		}
		break; /* the client went away */
	}
	shutdown(c->fd, SHUT_WR);
	client_close(c);
}

static void client_reply_static(struct cs_client *c, const char *text)
{
	free(c->in);
	c->in = NULL;
	c->out = (char *)text;
	c->out_static = true;
	c->out_len = strlen(text);
	c->out_off = 0;
	client_set_events(c, 0);
	client_write(c);
}

static void client_dispatch(struct cs_client *c, size_t len)
{
	char *reply;

	/* Nothing more is read from this connection: Kea's protocol is one
	 * request per connection, and bytes after the object are ignored. */
	client_set_events(c, 0);
	reply = c->cs->fn(c->cs->arg, c->in, len);
	if (reply == NULL) {
		client_reply_static(c, CS_REPLY("out of memory"));
		return;
	}
	free(c->in);
	c->in = NULL;
	c->out = reply;
	c->out_static = false;
	c->out_len = strlen(reply);
	c->out_off = 0;
	client_write(c);
}

/*
 * Finds the end of the top-level JSON value from where the last call
 * stopped, so each byte is looked at once. Parsing the whole buffer again
 * on every read (json_loadb with JSON_DISABLE_EOF_CHECK until it stops
 * saying "premature end of input") costs O(n^2) for a client that sends a
 * large request a byte at a time; tracking strings and bracket depth is
 * enough to know when the value can be complete, and the handler's parser
 * then judges it once. Returns the value's length, 0 while it is not
 * complete, -1 when the text cannot start an object.
 */
static long client_scan(struct cs_client *c)
{
	for (; c->scan_pos < c->in_len; c->scan_pos++) {
		char ch = c->in[c->scan_pos];

		if (!c->started) {
			if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
				continue;
			/* An array is let through so that the handler names
			 * the mistake; a bare scalar has no end to wait for. */
			if (ch != '{' && ch != '[')
				return -1;
			c->started = true;
			c->depth = 1;
			continue;
		}
		if (c->in_str) {
			if (c->esc)
				c->esc = false;
			else if (ch == '\\')
				c->esc = true;
			else if (ch == '"')
				c->in_str = false;
			continue;
		}
		if (ch == '"') {
			c->in_str = true;
		} else if (ch == '{' || ch == '[') {
			c->depth++;
		} else if (ch == '}' || ch == ']') {
			if (--c->depth == 0)
				return (long)++c->scan_pos;
		}
	}
	return 0;
}

static void client_read(struct cs_client *c)
{
	size_t cap = c->cs->max_request + 1; /* one byte more tells "too long" */
	ssize_t n;
	long end;

	if (c->in_cap - c->in_len < CS_READ_CHUNK && c->in_cap < cap) {
		size_t ncap = c->in_cap ? c->in_cap * 2 : CS_READ_CHUNK;
		char *p;

		if (ncap > cap)
			ncap = cap;
		p = realloc(c->in, ncap);
		if (p == NULL) {
			client_reply_static(c, CS_REPLY("out of memory"));
			return;
		}
		c->in = p;
		c->in_cap = ncap;
	}
	n = read(c->fd, c->in + c->in_len,
		c->in_cap - c->in_len < CS_READ_CHUNK ? c->in_cap - c->in_len : CS_READ_CHUNK);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_close(c);
		return;
	}
	c->last_ms = now_ms();
	if (n == 0) {
		/* The client closed its side: answer what came, so that an
		 * incomplete request gets the parser's reason, not silence. */
		if (c->started)
			client_dispatch(c, c->in_len);
		else
			client_close(c);
		return;
	}
	c->in_len += (size_t)n;
	end = client_scan(c);
	if (end < 0) {
		c->cs->stats.rejected++;
		client_reply_static(c, CS_REPLY("the request is not a JSON object"));
	} else if ((size_t)end > c->cs->max_request ||
		   (end == 0 && c->in_len > c->cs->max_request)) {
		c->cs->stats.rejected++;
		client_reply_static(c, CS_REPLY("the request is too long"));
	} else if (end > 0)
		client_dispatch(c, (size_t)end);
}

static void client_event(struct ev_src *src, uint32_t events)
{
	struct cs_client *c = (struct cs_client *)src;

	if (c->fd < 0)
		return;
	if (c->out != NULL)
		client_write(c);
	else
		client_read(c);
}

static void listener_event(struct ev_src *src, uint32_t events)
{
	struct ctlsock *cs = (struct ctlsock *)src;

	for (int i = 0; i < CS_ACCEPT_BURST; i++) {
		int fd = accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		struct cs_client *c;

		if (fd < 0)
			return;
		if (cs->n_clients >= cs->max_clients) {
			static const char busy[] = CS_REPLY("too many control connections; retry");

			send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			cs->stats.refused++;
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->src.handle = client_event;
		c->cs = cs;
		c->fd = fd;
		c->events = EPOLLIN;
		c->last_ms = now_ms();
		ev.data.ptr = &c->src;
		if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = cs->live;
		cs->live = c;
		cs->n_clients++;
	}
}

/* Creates the socket's directory when it is missing (one level only). */
static int make_parent(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) == 0)
		return 0;
	if (errno != EEXIST) {
		int e = errno;

		snprintf(err, errlen, "control socket %s: cannot create directory %s: %s", path,
			dir, strerror(e));
		return -e;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "control socket %s: %s is not a directory", path, dir);
		return -ENOTDIR;
	}
	return 0;
}

/* Decides what to do with whatever is at path already. */
static int clear_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(-rc));
		return rc;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			"control socket %s is a symbolic link; refusing to follow it (remove it, "
			"or set control.socket to another path)",
			path);
		return -EEXIST;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			"control socket %s exists and is not a socket; remove it, or set "
			"control.socket to another path",
			path);
		return -EEXIST;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			"control socket %s belongs to uid %u, not to this process (uid %u); "
			"refusing to replace it",
			path, (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket %s: socket: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	close(fd);
	/* EAGAIN: its backlog is full, so someone is listening. */
	if (rc == 0 || rc == -EAGAIN || rc == -EINPROGRESS) {
		snprintf(err, errlen,
			"control socket %s is in use: another leasewire-control is running "
			"(stop it, or set control.socket to another path)",
			path);
		return -EEXIST;
	}
	if (rc != -ECONNREFUSED && rc != -ENOENT) {
		snprintf(err, errlen, "control socket %s: cannot tell whether it is in use: %s",
			path, strerror(-rc));
		return rc;
	}
	/* Left behind by a process that died: nobody listens. */
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "control socket %s: cannot remove the stale socket: %s", path,
			strerror(-rc));
		return rc;
	}
	return 0;
}

struct ctlsock *ctlsock_open(
	const char *path, int epfd, ctlsock_handler fn, void *arg, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	struct ctlsock *cs = NULL;
	struct stat st;
	mode_t old_mask;
	int rc;

	if (strlen(path) == 0 || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket %s: the path must be 1 to %zu bytes long",
			path, sizeof(sa.sun_path) - 1);
		rc = -ENAMETOOLONG;
		goto fail;
	}
	rc = make_parent(path, err, errlen);
	if (rc < 0)
		goto fail;
	rc = clear_path(path, err, errlen);
	if (rc < 0)
		goto fail;

	cs = calloc(1, sizeof(*cs));
	if (cs == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "control socket %s: out of memory", path);
		goto fail;
	}
	cs->fd = -1;
	cs->src.handle = listener_event;
	cs->epfd = epfd;
	cs->fn = fn;
	cs->arg = arg;
	cs->max_clients = LW_CTL_MAX_CLIENTS;
	cs->idle_ms = LW_CTL_IDLE_TIMEOUT_MS;
	cs->max_request = LW_CTL_MAX_REQUEST;
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket %s: socket: %s", path, strerror(-rc));
		goto fail;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* The file never exists with wider permissions than 0660, not even
	 * between bind and chmod. */
	old_mask = umask(0117);
	rc = bind(cs->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	umask(old_mask);
	if (rc < 0) {
		snprintf(err, errlen, "control socket %s: bind: %s", path, strerror(-rc));
		goto fail;
	}
	if (chmod(path, 0660) < 0 || lstat(path, &st) < 0 ||
		listen(cs->fd, CS_LISTEN_BACKLOG) < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(-rc));
		unlink(path);
		goto fail;
	}
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	ev.data.ptr = &cs->src;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, cs->fd, &ev) < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket %s: epoll_ctl: %s", path, strerror(-rc));
		unlink(path);
		goto fail;
	}
	return cs;

fail:
	if (cs != NULL && cs->fd >= 0)
		close(cs->fd);
	free(cs);
	errno = -rc;
	return NULL;
}

void ctlsock_set_limits(
	struct ctlsock *cs, unsigned max_clients, uint32_t idle_timeout_ms, size_t max_request)
{
	if (max_clients)
		cs->max_clients = max_clients;
	if (idle_timeout_ms)
		cs->idle_ms = idle_timeout_ms;
	if (max_request)
		cs->max_request = max_request;
}

static void free_dead(struct ctlsock *cs)
{
	while (cs->dead) {
		struct cs_client *c = cs->dead;

		cs->dead = c->next;
		free(c);
	}
}

void ctlsock_tick(struct ctlsock *cs, uint64_t now)
{
	struct cs_client *c = cs->live;

	while (c) {
		struct cs_client *next = c->next;

		if (now > c->last_ms && now - c->last_ms > cs->idle_ms) {
			/* A client still sending gets a word; one not reading
			 * its reply gets nothing more. */
			if (c->out == NULL && c->in_len > 0) {
				static const char late[] =
					CS_REPLY("the request was not complete in time");

				send(c->fd, late, sizeof(late) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			}
			cs->stats.timed_out++;
			client_close(c);
		}
		c = next;
	}
	free_dead(cs);
}

unsigned ctlsock_clients(const struct ctlsock *cs)
{
	return cs->n_clients;
}

void ctlsock_stats(const struct ctlsock *cs, struct ctlsock_stats *out)
{
	*out = cs->stats;
}

int ctlsock_flush(struct ctlsock *cs, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		struct pollfd pfd[LW_CTL_MAX_CLIENTS];
		unsigned n = 0;
		uint64_t now = now_ms();

		for (struct cs_client *c = cs->live; c && n < LW_CTL_MAX_CLIENTS; c = c->next)
			if (c->out != NULL)
				pfd[n++] = (struct pollfd){.fd = c->fd, .events = POLLOUT};
		if (n == 0)
			return 0;
		if (now >= deadline || poll(pfd, n, (int)(deadline - now)) <= 0)
			return -ETIMEDOUT;
		for (struct cs_client *c = cs->live, *next; c; c = next) {
			next = c->next;
			if (c->out != NULL)
				client_write(c);
		}
	}
}

void ctlsock_close(struct ctlsock *cs)
{
	struct stat st;

	if (cs == NULL)
		return;
	while (cs->live)
		client_close(cs->live);
	free_dead(cs);
	epoll_ctl(cs->epfd, EPOLL_CTL_DEL, cs->fd, NULL);
	close(cs->fd);
	/* Another process may have taken the path over since; leave its socket. */
	if (lstat(cs->path, &st) == 0 && st.st_dev == cs->dev && st.st_ino == cs->ino)
		unlink(cs->path);
	free(cs);
}
