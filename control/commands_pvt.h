/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Between the files of the command module (commands.c: table, dispatch,
 * process and statistics commands; cmd_leases.c: lease commands and
 * exports). Not for other modules.
 */
#ifndef LW_CTL_COMMANDS_PVT_H
#define LW_CTL_COMMANDS_PVT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control/commands.h"

/*
 * A handler gets the request's "arguments" (an object, empty when absent,
 * already checked against the command's table row for names and types)
 * and returns the reply object (ctl_reply()); NULL means out of memory.
 */
typedef json_t *(*ctl_cmd_fn)(struct ctl_env *env, json_t *args);

/*
 * {"result": result, "text": <printf>, "arguments": args}; args is stolen
 * and left out when NULL.
 */
json_t *ctl_reply(int result, json_t *args, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "01:ab:..." into buf (3 * n bytes, at least 1); returns buf. */
char *ctl_hex(const uint8_t *p, size_t n, char *buf);

/* The reply for a callback the process did not provide. */
json_t *ctl_reply_unavailable(const char *command);

json_t *ctl_cmd_lease4_get(struct ctl_env *env, json_t *args);
json_t *ctl_cmd_lease4_get_all(struct ctl_env *env, json_t *args);
json_t *ctl_cmd_lease4_get_page(struct ctl_env *env, json_t *args);
json_t *ctl_cmd_lease4_del(struct ctl_env *env, json_t *args);
json_t *ctl_cmd_leases_export(struct ctl_env *env, json_t *args);

#endif
