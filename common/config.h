/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire configuration: the plain struct the rest of the code reads.
 * config.c is the only file that includes <libconfig.h>; it fills this struct
 * from one declarative table (key, type, range, default) that also produces
 * the error messages ("FILE:LINE: key: what was expected").
 *
 * A loaded config is immutable; reload builds a new one and swaps pointers.
 * All addresses are host byte order.
 */
#ifndef LW_CONFIG_H
#define LW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LW_MAX_PORTS	16
#define LW_MAX_ROUTES	64 /* per port */
#define LW_MAX_SUBNETS	4096
#define LW_MAX_POOLS	8192 /* in all subnets together */
#define LW_MAX_OPTIONS	64   /* per subnet, after merging global ones */
#define LW_MAX_EAL_ARGS 64
#define LW_NAME_LEN	32
#define LW_DEVICE_LEN	256

struct lw_route {
	uint32_t prefix;
	uint8_t plen;
	uint32_t via; /* next hop, on-link for the port */
};

struct lw_port_conf {
	char name[LW_NAME_LEN];
	char device[LW_DEVICE_LEN]; /* a vdev string ("net_af_packet0,iface=x") or a PCI address */
	uint32_t addr;		    /* the server's address on this port: server identifier */
	uint8_t plen;
	uint16_t mtu; /* 0 = the port's default */
	unsigned n_routes;
	struct lw_route routes[LW_MAX_ROUTES];
};

/* An option value, already in wire form (the TLV payload). */
struct lw_opt {
	uint8_t code;
	uint8_t len;
	uint8_t data[255];
};

enum lw_resv_kind {
	LW_RESV_HWADDR = 1,    /* id = htype, chaddr (htype 1 for "hw_address") */
	LW_RESV_CLIENT_ID = 2, /* id = option 61 payload */
};

struct lw_reservation {
	uint8_t kind; /* enum lw_resv_kind */
	uint8_t id_len;
	uint8_t id[255];
	uint32_t addr;
	char hostname[64]; /* informational, "" if none */
};

struct lw_pool_conf {
	uint32_t start;	 /* first address, inclusive */
	uint32_t end;	 /* last address, inclusive */
	unsigned subnet; /* index of its subnet in lw_config.subnets */
	bool failover;	 /* shared with the failover peer (pool's `failover = "NAME"`) */
};

struct lw_subnet_conf {
	uint32_t net; /* network address (host bits zero) */
	uint8_t plen;
	uint32_t mask;
	bool authoritative;
	uint32_t default_lease_time; /* seconds */
	uint32_t min_lease_time;
	uint32_t max_lease_time;
	unsigned first_pool; /* its pools are lw_config.pools[first_pool .. first_pool+n_pools) */
	bool failover;	     /* its pools are failover pools (all of them or none) */
	unsigned n_pools;
	unsigned n_reservations;
	struct lw_reservation *reservations;
	/* Global options merged with the subnet's own (the subnet wins), in
	 * ascending code order. Contains 1 (mask) and 28 (broadcast) always,
	 * derived from the prefix unless configured. */
	unsigned n_opts;
	struct lw_opt opts[LW_MAX_OPTIONS];
};

enum lw_durability {
	LW_DURABILITY_FSYNC = 0,
	LW_DURABILITY_NONE = 1,
};

#define LW_PATH_LEN 256

enum lw_fo_role {
	LW_FO_PRIMARY = 0, /* same values as enum fo_role (failover/fo_state.h) */
	LW_FO_SECONDARY = 1,
};

/* enum lw_fo_role as configured ("primary", "secondary"), "?" otherwise. */
const char *lw_fo_role_name(int role);

#define LW_FO_NAME_LEN 64

/*
 * failover { } : one failover relationship, with ISC dhcpd's keywords
 * (FAILOVER.md 1.1). Pools join it with `failover = "NAME"`.
 */
struct lw_failover_conf {
	char name[LW_FO_NAME_LEN];   /* relationship name, compared byte for byte with the peer's */
	uint8_t role;		     /* enum lw_fo_role */
	uint32_t addr;		     /* address: listen on it, connect from it */
	uint16_t port;		     /* port: where this server listens; default 647 */
	uint32_t peer_addr;	     /* peer address: connect to it, accept only it */
	uint16_t peer_port;	     /* peer port; default 647 */
	uint32_t max_response_delay; /* seconds; advertised as receive-timer; default 20 */
	uint32_t max_unacked_updates; /* advertised as max-unacked-bndupd; default 100 */
	uint32_t mclt;		      /* seconds; primary: required; secondary: learnt (0) */
	bool has_hba;		      /* primary: split or hba given (one is required) */
	uint8_t hba[32];	      /* bit set = the primary serves the bucket (6.2) */
	uint32_t lb_max_seconds;      /* load balance max seconds; 0 = load balancing off */
	uint32_t auto_partner_down; /* seconds in COMM-INTERRUPTED before PARTNER-DOWN; 0 = never */
	uint32_t max_lease_misbalance; /* percent; default 15 */
	uint32_t max_lease_ownership;  /* percent; default 10 */
	uint32_t min_balance;	       /* seconds; default 60 */
	uint32_t max_balance;	       /* seconds; default 3600 */
};

/* control { } : the control process, the journal and the boundary between the processes. */
struct lw_control_conf {
	char socket[LW_PATH_LEN];    /* UNIX control socket */
	char state_dir[LW_PATH_LEN]; /* journal and snapshot files */
	char shm[LW_NAME_LEN];	     /* shared-memory region name, /dev/shm/<shm> */
	char durability_name[16];    /* "fsync" or "none" */
	uint8_t durability;	     /* enum lw_durability */
	uint32_t fsync_interval_us;  /* group commit: at most this long after the first record */
	uint32_t fsync_batch;	     /* ... or this many records, whichever comes first */
	uint32_t ack_hold_ms;	     /* an ACK not durable after this long is dropped */
	uint32_t compact_records;    /* compaction after this many journal records */
	uint32_t history_window;     /* seconds of expired/released history kept at compaction */
	bool metrics;		     /* Prometheus endpoint on */
	uint32_t metrics_addr;	     /* listen address (default 127.0.0.1) */
	uint16_t metrics_port;	     /* default 9547 */
};

struct lw_config {
	char path[4096];

	/* dataplane { } */
	int eal_argc;
	char *eal_argv[LW_MAX_EAL_ARGS]; /* eal_argv[0] is the program name */
	unsigned mbufs;			 /* mbufs in the pool, per port */
	unsigned max_leases;		 /* lease slots per worker shard */
	unsigned idle_sleep_us;		 /* longest nap of an idle worker; 0 = always poll */

	/* server { } : defaults that subnets inherit */
	bool authoritative;
	uint32_t default_lease_time;
	uint32_t min_lease_time;
	uint32_t max_lease_time;
	uint32_t decline_probation; /* seconds a declined address stays out; default 86400 */
	uint32_t offer_hold;	    /* seconds an OFFERed address stays held for its client */

	struct lw_control_conf control;

	bool has_failover; /* a failover { } block is present */
	struct lw_failover_conf failover;

	unsigned n_ports;
	struct lw_port_conf ports[LW_MAX_PORTS];

	unsigned n_subnets;
	struct lw_subnet_conf *subnets; /* sorted by net, non-overlapping */
	unsigned n_pools;
	/* pools of subnet 0, then subnet 1, ...; within a subnet by start, disjoint */
	struct lw_pool_conf *pools;
};

/*
 * Loads and validates path. On success returns 0 and *out (free with
 * lw_config_free). On failure returns a negative code and writes one line,
 * "FILE:LINE: key: what was expected", into err (errlen bytes); nothing is
 * allocated then and *out is left as it was. Return codes: LW_E_CONFIG for
 * anything wrong in the text, -errno when the file cannot be read, -ENOMEM.
 */
int lw_config_load(const char *path, struct lw_config **out, char *err, size_t errlen);

/* Same, from text in memory; name is used in messages in place of a file name. */
int lw_config_load_string(
	const char *text, const char *name, struct lw_config **out, char *err, size_t errlen);

void lw_config_free(struct lw_config *cfg);

/* Subnet containing addr, or NULL. O(log n): subnets are sorted and disjoint. */
const struct lw_subnet_conf *lw_config_subnet_for(const struct lw_config *cfg, uint32_t addr);

/* Index of the pool containing addr within subnet s, or -1. */
int lw_config_pool_for(const struct lw_config *cfg, const struct lw_subnet_conf *s, uint32_t addr);

/*
 * A fingerprint of the address layout (subnets and pools, in order): two
 * processes that exchange bindings by pool index must agree on it.
 */
uint64_t lw_config_layout_hash(const struct lw_config *cfg);

/* enum lw_durability as configured ("fsync", "none"). */
const char *lw_durability_name(int d);

/* Writes a human summary of cfg (used by --check -v). */
void lw_config_dump(const struct lw_config *cfg, FILE *f);

/*
 * DHCP option names, types and encoding (options.c). The loader uses them;
 * they take plain values, not libconfig settings, so that code without
 * libconfig (a CLI printing a subnet's options) names and formats options
 * the same way. All functions are reentrant.
 */
enum lw_opt_type {
	LW_OPT_IP,  /* one IPv4 address */
	LW_OPT_IPS, /* one or more IPv4 addresses */
	LW_OPT_U8,
	LW_OPT_U16,
	LW_OPT_U32,
	LW_OPT_I32,
	LW_OPT_BOOL,	/* one byte, 0 or 1 */
	LW_OPT_STRING,	/* text bytes, no terminator */
	LW_OPT_HEX,	/* raw bytes, written "01:02:ab" */
	LW_OPT_DOMAINS, /* domain names in RFC 1035 label form (RFC 3397), not compressed */
	LW_OPT_TYPE_COUNT,
};

/* A standard option the configuration may name. */
struct lw_opt_def {
	uint8_t code;
	uint8_t type; /* enum lw_opt_type */
	const char *name;
};

/* One scalar of an option's value as written in the configuration. */
enum lw_opt_val_kind {
	LW_OPT_VAL_INT,
	LW_OPT_VAL_BOOL,
	LW_OPT_VAL_STR,
	LW_OPT_VAL_OTHER, /* anything else; s describes it ("a group") */
};

struct lw_opt_val {
	uint8_t kind;  /* enum lw_opt_val_kind */
	int64_t i;     /* INT and BOOL */
	const char *s; /* STR and OTHER */
};

/* Name of a type as written in the configuration ("ips"), "?" if unknown. */
const char *lw_opt_type_name(enum lw_opt_type t);
/* Type for a name, or -EINVAL. */
int lw_opt_type_by_name(const char *name);
/* Standard option by name or code, or NULL. */
const struct lw_opt_def *lw_opt_def_by_name(const char *name);
const struct lw_opt_def *lw_opt_def_by_code(unsigned code);
/* Why code cannot be configured (the server manages it), or NULL if it can. */
const char *lw_opt_reserved(unsigned code);

/*
 * Encodes the n values v (list: they were written as a list) as option code
 * of type t into out. Returns 0, or LW_E_CONFIG with one line in why
 * ("expected ..., got ...") and *bad set to the index of the offending
 * value, or -1 when the value as a whole is wrong (count, total length).
 */
int lw_opt_encode(unsigned code, enum lw_opt_type t, const struct lw_opt_val *v, unsigned n,
	bool list, struct lw_opt *out, int *bad, char *why, size_t whylen);

/* Writes o as text ("10.0.0.1, 10.0.0.2", "\"x.test\"", "01:ab") into buf; returns buf. */
char *lw_opt_format(const struct lw_opt *o, char *buf, size_t len);

#endif
