/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control-socket commands: request text in, reply text out, in Kea's
 * shapes (common/lw_ctl.h). One table (commands.c) lists every command with
 * its handler, a one-line help and the arguments it accepts; the table
 * checks argument names and types before a handler runs, so a handler only
 * checks values.
 *
 * The process supplies what the commands act on through struct ctl_env;
 * this module keeps no state of its own except the statistic-reset-all
 * baseline (env->priv).
 *
 * Threading: the loop's thread only (handlers call back into the process).
 */
#ifndef LW_CTL_COMMANDS_H
#define LW_CTL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "control/statistics.h"
#include "control/store.h"

struct lw_config;
struct ctl_priv;

/*
 * What the commands need from the process. A NULL callback makes the
 * commands that need it answer LW_CTL_UNSUPPORTED ("not available").
 */
struct ctl_env {
	struct store *store; /* read by the lease commands, never changed here */
	/* The configuration in force now (never NULL once running). */
	const struct lw_config *(*config)(void *arg);
	/* The file it came from. */
	const char *(*config_path)(void *arg);
	/*
	 * Loads and checks path (NULL: the current file); with apply, puts it
	 * in force. Returns 0 or -1, with a sentence in msg either way.
	 */
	int (*reload)(void *arg, const char *path, bool apply, char *msg, size_t len);
	/*
	 * Removes the binding l (a copy: the store may change meanwhile).
	 * Returns 0 or -1 with the reason in msg.
	 */
	int (*lease_del)(void *arg, const struct store_lease *l, char *msg, size_t len);
	/* Fills every field of out (it is not zeroed before). */
	void (*stats)(void *arg, struct ctl_stats *out);
	/* Adds the process's status-get fields to out (pid, uptime, dataplane, ...). */
	void (*status)(void *arg, json_t *out);
	/* Starts an orderly stop; the reply is sent before the process exits. */
	void (*shutdown)(void *arg);
	/* failover-status: fills out; -1 when there is no failover relationship. */
	int (*failover_status)(void *arg, json_t *out);
	/* failover-partner-down: 0, or -1 with the reason in msg. */
	int (*failover_partner_down)(void *arg, char *msg, size_t len);
	void *arg;
	/* This module's state: leave NULL, release with ctl_env_fini(). */
	struct ctl_priv *priv;
};

/*
 * Handles one request of len bytes (need not be NUL-terminated). Returns
 * the reply, NUL-terminated, in malloc'd memory the caller frees; every
 * malformed request gets a reply with result LW_CTL_ERROR and the reason.
 * NULL only when memory runs out.
 */
char *ctl_handle(struct ctl_env *env, const char *req, size_t len);

/* ctl_handle() as a ctlsock_handler: arg is the struct ctl_env. */
char *ctl_handle_cb(void *arg, const char *req, size_t len);

/*
 * env->stats() (which must be set), plus the counts the command handler
 * keeps itself (control-requests, control-requests-failed).
 */
void ctl_stats_get(struct ctl_env *env, struct ctl_stats *out);

/* Releases what the commands keep in env (the statistics baseline, counts). */
void ctl_env_fini(struct ctl_env *env);

/* Commands in table order, for help output; NULL past the end. */
const char *ctl_command_name(unsigned i);
const char *ctl_command_help(unsigned i);

#endif
