/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The model shared by the dhcpd.conf reader (isc_conf.c, with its option
 * statements in isc_conf_opt.c) and the writer (isc_conf_emit.c): what was
 * read of scopes, subnets, pools, hosts and the failover peer, and the
 * issues found so far. Private to import/: the contract is isc_conf.h.
 */
#ifndef LW_ISC_CONF_PVT_H
#define LW_ISC_CONF_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/isc_conf.h"
#include "import/isc_lex.h"

/* Option value types, named as in leasewire's configuration. */
enum opt_type { T_IP, T_IPS, T_U8, T_U16, T_U32, T_I32, T_BOOL, T_STRING, T_HEX, T_DOMAINS };

#define MAX_OPTS    64 /* per scope: leasewire's limit per subnet */
#define MAX_DEFS    256
#define MAX_VAL_LEN 1400

/* An option definition from `option NAME code N = TYPE;`. */
struct user_def {
	char name[64]; /* with its space, "space.name", when not in dhcp */
	uint8_t code;
	int type; /* enum opt_type, or -1 for a type leasewire has no form for */
	bool in_dhcp;
};

/* One converted option: its code and the libconfig text of its value. */
struct opt_val {
	uint8_t code;
	const char *lw;	 /* leasewire's name, or NULL: written with code and type */
	const char *key; /* subnet shortcut, or NULL */
	uint8_t type;
	char *value;
};

/* Parameters that a subnet inherits from the shared network and the top level. */
struct scope {
	bool has_dlt, has_maxlt, has_minlt, has_auth;
	uint32_t dlt, maxlt, minlt;
	bool auth;
	struct opt_val opts[MAX_OPTS];
	unsigned n_opts;
};

/* ISC keyword (one word or several), leasewire key, range, primary only:
 * the integer keys of a failover peer block (isc_conf.c). */
struct isc_fo_key {
	const char *isc;
	const char *lw;
	uint32_t min, max;
	bool primary_only;
};

#define N_FO_KEYS 12
#define FO_SPLIT  5 /* the index of `split` */

extern const struct isc_fo_key isc_fo_keys[N_FO_KEYS];

struct pool {
	uint32_t start, end;
	unsigned block;	   /* the pool { } it was read in, 0 for none */
	char failover[64]; /* the peer the ISC pool names, "" for none */
	struct isc_issue where;
};

struct resv {
	uint32_t addr;
	bool has_hw;
	uint8_t hw[6];
	uint8_t cid[255];
	uint8_t cid_len;
	char name[64];
	bool bad; /* a statement of the host was reported: the host is left out */
	struct isc_issue where;
};

struct subnet {
	uint32_t net;
	unsigned plen;
	int shared; /* index of its shared-network, or -1 */
	struct scope sc;
	struct pool *pools;
	size_t n_pools, cap_pools;
	struct resv *resv;
	size_t n_resv, cap_resv;
	struct isc_issue where; /* its `subnet` statement */
};

struct fo_peer {
	char name[64];
	int role; /* 0 unset, 1 primary, 2 secondary */
	bool has_addr, has_peer_addr, has_hba;
	uint32_t addr, peer_addr;
	uint8_t hba[32];
	/* the integer keys in isc_fo_keys order, with a flag for those given */
	uint32_t val[N_FO_KEYS];
	bool has[N_FO_KEYS];
	struct isc_issue key_where[N_FO_KEYS]; /* where the primary-only keys were read */
	struct isc_issue where;
};

/* B_GROUP: a group at the top level (may declare subnets); B_HGROUP: a
 * group inside a subnet or shared-network (hosts only). */
enum blk { B_TOP, B_SHARED, B_SUBNET, B_POOL, B_HOST, B_GROUP, B_HGROUP };

struct conv {
	struct isc_lex *lex;
	struct isc_issues issues;
	struct scope top;
	struct scope *shared; /* shared-network scopes */
	size_t n_shared, cap_shared;
	struct subnet *subnets;
	size_t n_subnets, cap_subnets;
	struct resv *hosts; /* host declarations: placed in subnets at the end */
	size_t n_hosts, cap_hosts;
	struct fo_peer fo;
	bool has_fo;
	struct user_def defs[MAX_DEFS];
	unsigned n_defs;
	unsigned n_hosts_placed;
	unsigned n_pool_blocks;
	uint32_t server_addrs[64]; /* the ports' addresses, kept out of ranges and hosts */
	unsigned n_server_addrs;
	bool oom;
};

/* Copies the C string src into dst, cut to size - 1 bytes. */
static inline void isc_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Makes room for one more of n elements of size, zeroing what it adds;
 * NULL when out of memory (v is then still allocated). */
static inline void *isc_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : 8;
	nv = realloc(v, nc * size);
	if (nv == NULL)
		return NULL;
	memset((char *)nv + *cap * size, 0, (nc - *cap) * size);
	*cap = nc;
	return nv;
}

/* Growing text, for option values and the output; oom is sticky. */
struct isc_sb {
	char *p;
	size_t n, cap;
	bool oom;
};

/* isc_conf.c: reporting and reading, as in isc_lex.h (0 or -1, the lexer's
 * error set). */
int isc_conf_issue(struct conv *c, const struct isc_tok *start, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int isc_conf_issue_at(struct conv *c, const struct isc_issue *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int isc_conf_expect(struct conv *c, struct isc_tok *t, enum isc_tok_type type, const char *what);
int isc_conf_expect_u32(struct conv *c, uint32_t *v, const char *what);
struct subnet *isc_conf_subnet_of(struct conv *c, uint32_t a);
int isc_conf_add_pool(struct conv *c, struct subnet *sn, const struct pool *p);

/* isc_conf_opt.c: `option ...;` in a block (sc: its scope, host: the host
 * being read, else NULL), and the values of an option up to its `;`. */
int isc_conf_parse_option(struct conv *c, const struct isc_tok *start, enum blk blk,
	struct scope *sc, struct resv *host);
int isc_conf_read_values(
	struct conv *c, struct isc_tok *vals, unsigned cap, unsigned *n, bool *bad);

/* isc_conf_emit.c: the checks made once all was read (hosts placed in
 * subnets, ranges trimmed), then the text into r. 0, or -1 when out of
 * memory. */
int isc_conf_emit(struct conv *c, const char *src, const struct isc_conf_opts *opts,
	struct isc_conf_result *r);
void isc_sb_printf(struct isc_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void isc_sb_quote(struct isc_sb *b, const char *s, size_t len);
void isc_sb_ip(struct isc_sb *b, uint32_t a);
void isc_sb_hex(struct isc_sb *b, const uint8_t *v, size_t n);
void isc_sb_uint(struct isc_sb *b, uint64_t v);

#endif
