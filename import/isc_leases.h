/* SPDX-License-Identifier: MPL-2.0 */
/*
 * ISC dhcpd's lease file (dhcpd.leases(5), dhcpd 4.4): lease blocks and
 * the failover peer state stanzas, into plain structures. Later entries
 * supersede earlier ones, as in dhcpd.
 */
#ifndef LW_ISC_LEASES_H
#define LW_ISC_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/isc_conf.h" /* struct isc_issue */

/* `binding state` and `next binding state` values. */
enum isc_binding {
	ISC_BIND_NONE = 0, /* not given */
	ISC_BIND_FREE,
	ISC_BIND_ACTIVE,
	ISC_BIND_EXPIRED,
	ISC_BIND_RELEASED,
	ISC_BIND_ABANDONED,
	ISC_BIND_RESET,
	ISC_BIND_BACKUP,
	ISC_BIND_RESERVED,
	ISC_BIND_BOOTP,
};

const char *isc_binding_name(enum isc_binding b);

#define ISC_TIME_NEVER UINT32_MAX /* `ends never;` */

struct isc_lease {
	uint32_t addr;					/* host byte order */
	uint32_t starts, ends, tstp, tsfp, atsfp, cltt; /* Unix seconds; 0 = not given */
	uint8_t binding, next_binding, rewind_binding;	/* enum isc_binding */
	uint8_t htype; /* `hardware ethernet` = 1; 0 = no hardware */
	uint8_t hlen;
	uint8_t hw[16];
	uint8_t uid_len; /* 0 = no uid */
	uint8_t uid[255];
	char hostname[64]; /* client-hostname, may be empty */
	unsigned line;	   /* where the (last) block for this address starts */
};

/* `failover peer "NAME" state { my state S at T; partner state S at T; mclt N; }` */
struct isc_fo_peer_state {
	char name[64];
	char my_state[32]; /* dhcpd's state name, e.g. "normal", "communications-interrupted" */
	uint32_t my_stos;  /* Unix seconds */
	char partner_state[32];
	uint32_t partner_stos;
	uint32_t mclt; /* 0 = not given */
};

struct isc_leases {
	struct isc_lease *leases; /* one per address, ascending address order (malloc) */
	size_t n_leases;
	struct isc_fo_peer_state *peers; /* the last stanza per name (malloc) */
	size_t n_peers;
	struct isc_issue *issues; /* statements not understood, with file and line */
	size_t n_issues;
};

/* Returns 0, or -1 with err filled (file:line: what) when the file cannot
 * be read or a block is malformed beyond recovery. */
int isc_leases_parse(const char *path, struct isc_leases *out, char *err, size_t errlen);

/* The same over len bytes of text in memory, named name in messages. */
int isc_leases_parse_text(const char *text, size_t len, const char *name, struct isc_leases *out,
	char *err, size_t errlen);

void isc_leases_free(struct isc_leases *l);

#endif
