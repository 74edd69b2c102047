/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control socket: a non-blocking UNIX stream server that lives in the
 * control process's epoll loop (loop.h). It frames requests as
 * common/lw_ctl.h describes (one JSON object in, one out, then close) and
 * hands each complete request to a handler; the handler owns the meaning.
 *
 * No client can hold up another: every descriptor is non-blocking, a
 * request is capped at LW_CTL_MAX_REQUEST bytes, a reply that the client
 * does not read waits in its own buffer, and a connection that moves no
 * byte for LW_CTL_IDLE_TIMEOUT_MS is closed by ctlsock_tick().
 *
 * Threading: one thread, the one running the epoll loop, calls everything
 * here, including the handler.
 */
#ifndef LW_CTLSOCK_H
#define LW_CTLSOCK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Maps one request (len bytes, not NUL-terminated: the JSON text exactly as
 * the client sent it, up to the end of its top-level value) to a reply:
 * NUL-terminated text in malloc'd memory that ctlsock frees. NULL means
 * out of memory; the client then gets a fixed error reply.
 */
typedef char *(*ctlsock_handler)(void *arg, const char *req, size_t len);

struct ctlsock;

/*
 * Creates the socket at path and adds it to epfd (level-triggered; the
 * event's data.ptr is a struct ev_src). Before binding:
 *   - the parent directory is created with mode 0750 if it is missing
 *     (its own parent must exist);
 *   - an existing path that is a symlink, not a socket, or a socket of
 *     another user is refused;
 *   - an existing socket that accepts a connection belongs to a running
 *     control process: refused; one that refuses is stale and removed.
 * The socket is then bound, set to mode 0660 and listened on.
 *
 * Returns NULL with errno set and one line naming the path in err (errlen
 * bytes) on failure: EEXIST (a live socket or a file in the way), EPERM
 * (owned by someone else), ENAMETOOLONG, or what a system call said.
 */
struct ctlsock *ctlsock_open(
	const char *path, int epfd, ctlsock_handler fn, void *arg, char *err, size_t errlen);

/*
 * Overrides the limits of common/lw_ctl.h (0 keeps a value): for tests, and
 * for a process that wants other numbers. Applies to later connections and
 * to the timeouts checked from now on.
 */
void ctlsock_set_limits(
	struct ctlsock *cs, unsigned max_clients, uint32_t idle_timeout_ms, size_t max_request);

/*
 * Closes connections idle for longer than the timeout and frees closed
 * ones. Call it every ~100 ms from the loop, between epoll_wait() batches
 * (never from inside an event handler). now_ms is CLOCK_MONOTONIC in ms.
 */
void ctlsock_tick(struct ctlsock *cs, uint64_t now_ms);

/* Connections open now. */
unsigned ctlsock_clients(const struct ctlsock *cs);

/* What the socket turned away itself, since it was opened. */
struct ctlsock_stats {
	uint64_t rejected;  /* not one JSON object, or over the size limit */
	uint64_t refused;   /* connections over the limit, closed at once */
	uint64_t timed_out; /* connections closed after the idle timeout */
};

void ctlsock_stats(const struct ctlsock *cs, struct ctlsock_stats *out);

/*
 * Writes out pending replies, blocking up to timeout_ms in all (for the
 * reply to "shutdown" before the process exits). Returns 0 when nothing is
 * left, -ETIMEDOUT otherwise. Call between epoll_wait() batches.
 */
int ctlsock_flush(struct ctlsock *cs, int timeout_ms);

/*
 * Closes every connection and the listening socket, and removes the socket
 * file if it is still the one this ctlsock created. NULL is a no-op. Call
 * between epoll_wait() batches (the descriptors leave the epoll set).
 */
void ctlsock_close(struct ctlsock *cs);

#endif
