/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewirectl's human output: each function shows a successful reply's
 * "arguments" (and "text") on stdout, as aligned tables or indented
 * key/value lines. --json output does not come through here.
 */
#ifndef LW_CTLPRINT_H
#define LW_CTLPRINT_H

#include <jansson.h>

/* The string member key of o, "" when absent. */
const char *ctlprint_str(json_t *o, const char *key);

/* lease4-get-all / lease4-get-page: ADDRESS HW-ADDRESS CLIENT-ID STATE EXPIRES SUBNET. */
void ctlprint_leases(json_t *args, const char *text);
/* lease4-get: one lease, a field per line. */
void ctlprint_lease(json_t *args, const char *text);
/* status-get: nested objects as indented "key: value" lines. */
void ctlprint_status(json_t *args, const char *text);
/* statistic-get[-all]: STATISTIC VALUE, the latest sample of each. */
void ctlprint_stats(json_t *args, const char *text);
/* list-commands with "help": COMMAND DESCRIPTION. */
void ctlprint_commands(json_t *args, const char *text);
/* version-get: the version and the extended line. */
void ctlprint_version(json_t *args, const char *text);
/* Anything else: the arguments as indented JSON. */
void ctlprint_json(json_t *args, const char *text);

#endif
