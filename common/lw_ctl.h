/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control-socket protocol between leasewire-control and leasewirectl
 * (and any script): the one header both sides compile against for that
 * boundary.
 *
 * Transport. A UNIX stream socket, mode 0660, in a directory of mode 0750.
 * One exchange per connection, as Kea's control channel does it: the client
 * sends one JSON object, the server answers with one JSON object and closes
 * the connection. The client may half-close its side after the request; it
 * need not.
 *
 * Request:  {"command": "lease4-get", "arguments": {...}}
 * Reply:    {"result": 0, "text": "...", "arguments": {...}}
 *
 * "arguments" is optional in both directions. A request may carry
 * "ctl-version": LW_CTL_VERSION; a server of another version then refuses it
 * (result LW_CTL_ERROR) instead of answering in a shape the client does not
 * expect. Requests without it (Kea-style tools, scripts) are always served.
 */
#ifndef LW_CTL_H
#define LW_CTL_H

/* Bumped on any change to a command's arguments or reply shape. */
#define LW_CTL_VERSION 1

/* Result codes, with Kea's values and meanings. */
enum lw_ctl_result {
	LW_CTL_OK = 0,		/* done */
	LW_CTL_ERROR = 1,	/* failed, or the request was malformed: "text" says why */
	LW_CTL_UNSUPPORTED = 2, /* no such command */
	LW_CTL_EMPTY = 3,	/* done, but the object asked for does not exist */
};

static inline const char *lw_ctl_result_name(int r)
{
	switch (r) {
	case LW_CTL_OK:
		return "success";
	case LW_CTL_ERROR:
		return "error";
	case LW_CTL_UNSUPPORTED:
		return "unsupported";
	case LW_CTL_EMPTY:
		return "empty";
	}
	return "unknown";
}

#define LW_CTL_DEFAULT_SOCKET "/run/leasewire/control.sock"

/* A request longer than this is answered with LW_CTL_ERROR and dropped. */
#define LW_CTL_MAX_REQUEST (1u << 20)
/* A connection that moves no byte in either direction for this long is closed. */
#define LW_CTL_IDLE_TIMEOUT_MS 10000u
/* Connections served at once; one more is told so and closed. */
#define LW_CTL_MAX_CLIENTS 64u
/* lease4-get-page: "limit" is 1 .. this. */
#define LW_CTL_PAGE_LIMIT_MAX 10000u

#endif
