/* SPDX-License-Identifier: MPL-2.0 */
/*
 * ISC dhcpd.conf (dhcpd.conf(5), dhcp-options(5), dhcpd 4.4) into
 * leasewire's libconfig configuration: the subset carriers use. Whatever
 * cannot be carried over is reported, never dropped in silence.
 */
#ifndef LW_ISC_CONF_H
#define LW_ISC_CONF_H

#include <stddef.h>
#include <stdint.h>

/* One statement that was not carried over (or an error in the input). */
struct isc_issue {
	char file[256]; /* as named on the command line or in `include` */
	unsigned line;	/* 1-based line where the statement starts */
	char stmt[160]; /* the statement, shortened, on one line */
	char why[160];	/* why it was not carried over */
};

/* A port leasewire serves on (ISC takes its interfaces on the command line). */
struct isc_conf_port {
	char name[32];	  /* e.g. "lan0" */
	char device[128]; /* PCI address or vdev string */
	char address[32]; /* "A.B.C.D/len": the server identifier on that link */
};

struct isc_conf_opts {
	const struct isc_conf_port *ports; /* may be NULL: see isc_conf_convert() */
	size_t n_ports;
	const char *eal_args; /* space-separated, or NULL for a placeholder */
};

struct isc_conf_result {
	char *text; /* the libconfig file, NUL-terminated (malloc) */
	size_t text_len;
	/* statements not carried over (malloc): in input order, then those only
	 * seen once all was read (hosts placed in subnets, ranges checked) */
	struct isc_issue *issues;
	size_t n_issues;
	unsigned n_subnets, n_pools, n_hosts, n_failover; /* what was converted */
};

/*
 * Converts the file at path and the files it includes. Returns 0 when the
 * input was read (issues may still be listed: the caller decides whether a
 * partial conversion is acceptable), or -1 with err filled (file:line: what)
 * when it cannot be read or parsed at all (malformed syntax, an include
 * loop, a missing include); nothing is allocated then. With no ports
 * given, one port "lan0" (device "0000:00:00.0") takes the failover
 * `address` on the subnet that holds it, or else a free address of the
 * first subnet; the text says what to edit. The text is written to pass
 * common/config.c's checks, but a file dhcpd accepts can still exceed a
 * leasewire limit (options per subnet, a reservation on the port's
 * address): check it with `leasewire-dataplane --check`. Reentrant; r is
 * reset first.
 */
int isc_conf_convert(const char *path, const struct isc_conf_opts *opts, struct isc_conf_result *r,
	char *err, size_t errlen);

/*
 * The same over len bytes of text in memory, named name in messages and
 * issues. `include` is refused there (an error): the text has no directory.
 * Used by the fuzz target and tests.
 */
int isc_conf_convert_text(const char *text, size_t len, const char *name,
	const struct isc_conf_opts *opts, struct isc_conf_result *r, char *err, size_t errlen);

void isc_conf_result_free(struct isc_conf_result *r);

#endif
