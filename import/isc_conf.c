/* SPDX-License-Identifier: MPL-2.0 */
/*
 * dhcpd.conf into leasewire's configuration, in two passes: the reader
 * here (its option statements in isc_conf_opt.c) fills a model of scopes,
 * subnets, pools, hosts and the failover peer (isc_conf_pvt.h) and reports
 * what it cannot carry; the writer (isc_conf_emit.c) turns the model into
 * libconfig text that common/config.c accepts. doc/isc-conf-mapping.md
 * lists every statement and what it becomes.
 */
#include "import/isc_conf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_ip.h"
#include "import/isc_conf_pvt.h"
#include "import/isc_lex.h"

const struct isc_fo_key isc_fo_keys[N_FO_KEYS] = {
	{"port", "port", 1, 65535, false},
	{"peer port", "peer_port", 1, 65535, false},
	{"max-response-delay", "max_response_delay", 1, 3600, false},
	{"max-unacked-updates", "max_unacked_updates", 1, 65535, false},
	{"mclt", "mclt", 1, 2147483648u, true},
	{"split", "split", 0, 256, true},
	{"load balance max seconds", "load_balance_max_seconds", 0, 65535, false},
	{"auto-partner-down", "auto_partner_down", 0, 2147483648u, false},
	{"max-lease-misbalance", "max_lease_misbalance", 0, 100, false},
	{"max-lease-ownership", "max_lease_ownership", 0, 100, false},
	{"min-balance", "min_balance", 1, 2147483648u, false},
	{"max-balance", "max_balance", 1, 2147483648u, false},
};

static const char *const blk_names[] = {
	[B_TOP] = "the top level",
	[B_SHARED] = "a shared-network",
	[B_SUBNET] = "a subnet",
	[B_POOL] = "a pool",
	[B_GROUP] = "a group",
	[B_HGROUP] = "a group",
	[B_HOST] = "a host",
};

/* Reports the statement that starts at start; the caller skips or has
 * consumed the rest of it. */
int isc_conf_issue(struct conv *c, const struct isc_tok *start, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (isc_issue_add(&c->issues, c->lex, start, "%s", why) < 0) {
		c->oom = true;
		return isc_lex_fail(c->lex, NULL, "out of memory");
	}
	return 0;
}

/* An issue whose statement was noted earlier (where: file, line, stmt). */
int isc_conf_issue_at(struct conv *c, const struct isc_issue *where, const char *fmt, ...)
{
	struct isc_issue *e;
	va_list ap;

	c->issues.v = isc_grow(c->issues.v, &c->issues.cap, c->issues.n, sizeof(*c->issues.v));
	if (c->issues.v == NULL) {
		c->oom = true;
		return -1;
	}
	e = &c->issues.v[c->issues.n++];
	*e = *where;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* Reports the statement that starts at start and skips the rest of it. */
static int skip(struct conv *c, const struct isc_tok *start, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int skip(struct conv *c, const struct isc_tok *start, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (isc_lex_skip_statement(c->lex, start) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return isc_conf_issue(c, start, "%s", why);
}

static void note(struct conv *c, const struct isc_tok *start, struct isc_issue *where)
{
	memset(where, 0, sizeof(*where));
	snprintf(where->file, sizeof(where->file), "%s", isc_lex_file_name(c->lex, start));
	where->line = start->line;
	isc_lex_snippet(c->lex, start, where->stmt, sizeof(where->stmt));
}

int isc_conf_expect(struct conv *c, struct isc_tok *t, enum isc_tok_type type, const char *what)
{
	if (isc_lex_next(c->lex, t) == type)
		return 0;
	if (t->type == ISC_T_ERROR)
		return -1;
	return isc_lex_fail(c->lex, t, "expected %s, got %s", what,
		t->type == ISC_T_EOF ? "end of file" : t->text);
}

static int expect_semi(struct conv *c)
{
	struct isc_tok t;

	return isc_conf_expect(c, &t, ISC_T_SEMI, "';'");
}

int isc_conf_expect_u32(struct conv *c, uint32_t *v, const char *what)
{
	struct isc_tok t;

	isc_lex_next(c->lex, &t);
	if (t.type == ISC_T_ERROR)
		return -1;
	if (isc_word_u32(&t, v) < 0)
		return isc_lex_fail(c->lex, &t, "%s: expected a number, got %s", what,
			t.type == ISC_T_EOF ? "end of file" : t.text);
	return 0;
}

static int expect_ip(struct conv *c, uint32_t *v, const char *what)
{
	struct isc_tok t;

	isc_lex_next(c->lex, &t);
	if (t.type == ISC_T_ERROR)
		return -1;
	if (isc_word_ip4(&t, v) < 0)
		return isc_lex_fail(c->lex, &t, "%s: expected an IPv4 address, got %s", what,
			t.type == ISC_T_EOF ? "end of file" : t.text);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* blocks */

static int parse_block(struct conv *c, enum blk blk, struct pool *pool, struct resv *host);

struct subnet *isc_conf_subnet_of(struct conv *c, uint32_t a)
{
	for (size_t i = 0; i < c->n_subnets; i++)
		if (lw_in_prefix(a, c->subnets[i].net, c->subnets[i].plen))
			return &c->subnets[i];
	return NULL;
}

int isc_conf_add_pool(struct conv *c, struct subnet *sn, const struct pool *p)
{
	sn->pools = isc_grow(sn->pools, &sn->cap_pools, sn->n_pools, sizeof(*sn->pools));
	if (sn->pools == NULL) {
		c->oom = true;
		return isc_lex_fail(c->lex, NULL, "out of memory");
	}
	sn->pools[sn->n_pools++] = *p;
	return 0;
}

/* `range [dynamic-bootp] A [B];` */
static int parse_range(struct conv *c, const struct isc_tok *start, struct pool *pool,
	struct pool *out, bool *bootp)
{
	struct isc_tok t;
	uint32_t a, b;

	*bootp = false;
	isc_lex_peek(c->lex, &t);
	if (isc_word_is(&t, "dynamic-bootp")) {
		isc_lex_next(c->lex, &t);
		*bootp = true;
	}
	if (expect_ip(c, &a, "range") < 0)
		return -1;
	isc_lex_next(c->lex, &t);
	if (t.type == ISC_T_SEMI) {
		b = a;
	} else {
		if (isc_word_ip4(&t, &b) < 0)
			return t.type == ISC_T_ERROR ? -1
						     : isc_lex_fail(c->lex, &t,
							       "range: expected an IPv4 address");
		if (expect_semi(c) < 0)
			return -1;
	}
	if (a > b) {
		uint32_t x = a;

		a = b;
		b = x;
	}
	memset(out, 0, sizeof(*out));
	if (pool != NULL)
		out->block = pool->block;
	out->start = a;
	out->end = b;
	note(c, start, &out->where);
	return 0;
}

/* s spells a failover keyword or the first words of one. */
static bool fo_keyword_prefix(const char *s)
{
	size_t n = strlen(s);

	if (strncasecmp("peer address", s, n) == 0 && (n == 4 || n == 12))
		return true;
	for (size_t i = 0; i < N_FO_KEYS; i++)
		if (strncasecmp(isc_fo_keys[i].isc, s, n) == 0 &&
			(isc_fo_keys[i].isc[n] == ' ' || isc_fo_keys[i].isc[n] == '\0'))
			return true;
	return false;
}

/*
 * The address of `address A;` or `peer address A;` (s: the statement's
 * first word). Returns 1 with *addr set, 0 when it is not an IPv4 address
 * (reported, the statement skipped), -1 on a syntax error.
 */
static int fo_address(struct conv *c, const struct isc_tok *s, uint32_t *addr)
{
	struct isc_tok t;

	isc_lex_next(c->lex, &t);
	if (isc_word_ip4(&t, addr) < 0) {
		if (isc_lex_skip_statement(c->lex, &t) < 0)
			return -1;
		isc_conf_issue(c, s, "leasewire needs an IPv4 address here, not a name");
		return 0;
	}
	return expect_semi(c) < 0 ? -1 : 1;
}

static int parse_failover_peer(struct conv *c, const struct isc_tok *start)
{
	struct fo_peer fo = {0};
	struct isc_tok name, t;
	bool carry = !c->has_fo;

	if (isc_conf_expect(c, &name, ISC_T_STRING, "a quoted peer name") < 0)
		return -1;
	isc_lex_next(c->lex, &t);
	if (isc_word_is(&t, "state"))
		return skip(c, start, "failover state belongs in the lease file");
	if (t.type != ISC_T_LBRACE)
		return t.type == ISC_T_ERROR ? -1 : isc_lex_fail(c->lex, &t, "expected '{'");
	isc_copy_str(fo.name, sizeof(fo.name), name.text);
	if (name.len == 0 || name.len > 63 || memchr(name.text, '\0', name.len) != NULL) {
		carry = false;
		isc_conf_issue(c, start, "leasewire needs a peer name of 1 to 63 bytes");
	} else if (!carry) {
		isc_conf_issue(c, start,
			"leasewire has one failover relationship: only \"%s\" is carried",
			c->fo.name);
	}
	for (;;) {
		struct isc_tok s;
		char kw[64] = "";
		uint32_t v;
		int k = -1;

		isc_lex_next(c->lex, &s);
		if (s.type == ISC_T_RBRACE)
			break;
		if (s.type == ISC_T_ERROR)
			return -1;
		if (s.type == ISC_T_EOF)
			return isc_lex_fail(c->lex, start, "failover peer: missing '}'");
		if (isc_word_is(&s, "primary") || isc_word_is(&s, "secondary")) {
			fo.role = isc_word_is(&s, "primary") ? 1 : 2;
			if (expect_semi(c) < 0)
				return -1;
			continue;
		}
		if (isc_word_is(&s, "address")) {
			int rc = fo_address(c, &s, &fo.addr);

			if (rc < 0)
				return -1;
			fo.has_addr = rc > 0;
			carry = carry && rc > 0;
			continue;
		}
		if (isc_word_is(&s, "hba")) {
			isc_lex_next(c->lex, &t);
			if (isc_word_hex(&t, fo.hba, sizeof(fo.hba)) != 32)
				return isc_lex_fail(c->lex, &t,
					"hba: expected 32 colon-separated hex "
					"bytes");
			fo.has_hba = true;
			if (expect_semi(c) < 0)
				return -1;
			continue;
		}
		/* multi-word keywords ("load balance max seconds"): gather the
		 * words while they spell the start of one */
		isc_copy_str(kw, sizeof(kw), s.type == ISC_T_WORD ? s.text : "");
		for (;;) {
			char longer[64];

			/* no keyword is longer than 30 bytes: cutting is harmless */
			isc_lex_peek(c->lex, &t);
			if (t.type != ISC_T_WORD || strlen(kw) + t.len + 2 > sizeof(kw))
				break;
			snprintf(longer, sizeof(longer), "%.30s %.30s", kw, t.text);
			if (!fo_keyword_prefix(longer))
				break;
			isc_lex_next(c->lex, &t);
			isc_copy_str(kw, sizeof(kw), longer);
		}
		if (strcasecmp(kw, "peer address") == 0) {
			int rc = fo_address(c, &s, &fo.peer_addr);

			if (rc < 0)
				return -1;
			fo.has_peer_addr = rc > 0;
			carry = carry && rc > 0;
			continue;
		}
		for (size_t i = 0; i < N_FO_KEYS; i++)
			if (strcasecmp(kw, isc_fo_keys[i].isc) == 0)
				k = (int)i;
		if (k < 0) {
			if (skip(c, &s, "not a failover setting leasewire has") < 0)
				return -1;
			continue;
		}
		if (isc_conf_expect_u32(c, &v, isc_fo_keys[k].isc) < 0 || expect_semi(c) < 0)
			return -1;
		if (v < isc_fo_keys[k].min || v > isc_fo_keys[k].max) {
			isc_conf_issue(c, &s, "out of leasewire's range %u to %u",
				isc_fo_keys[k].min, isc_fo_keys[k].max);
			continue;
		}
		fo.val[k] = v;
		fo.has[k] = true;
		if (isc_fo_keys[k].primary_only)
			note(c, &s, &fo.key_where[k]);
	}
	/* `secondary;` may come after them */
	for (size_t i = 0; i < N_FO_KEYS; i++) {
		if (fo.role == 2 && fo.has[i] && isc_fo_keys[i].primary_only) {
			fo.has[i] = false;
			isc_conf_issue_at(
				c, &fo.key_where[i], "the secondary learns this from the primary");
		}
	}
	note(c, start, &fo.where);
	if (!carry)
		return 0;
	if (fo.role == 0 || !fo.has_addr || !fo.has_peer_addr)
		return isc_conf_issue(c, start,
			"incomplete: leasewire needs primary or secondary, address "
			"and peer address");
	if (fo.role == 1 && !fo.has[4])
		return isc_conf_issue(c, start, "the primary needs mclt");
	if (fo.role == 1 && !fo.has[FO_SPLIT] && !fo.has_hba)
		return isc_conf_issue(c, start, "the primary needs split or hba");
	if (fo.addr == fo.peer_addr)
		return isc_conf_issue(c, start, "address and peer address are the same");
	if (fo.role == 1 && fo.has[FO_SPLIT] && fo.has_hba) {
		fo.has_hba = false;
		isc_conf_issue(c, start, "both split and hba: only split is carried");
	}
	if (fo.role == 2 && fo.has_hba) {
		fo.has_hba = false;
		isc_conf_issue(c, start, "hba: the secondary learns it from the primary");
	}
	c->fo = fo;
	c->has_fo = true;
	return 0;
}

/* `allow|deny|ignore ...;`: what leasewire does anyway is accepted. */
static int parse_permit(struct conv *c, const struct isc_tok *start)
{
	char words[96] = "";
	struct isc_tok t;

	for (;;) {
		isc_lex_next(c->lex, &t);
		if (t.type == ISC_T_ERROR)
			return -1;
		if (t.type == ISC_T_SEMI)
			break;
		if (t.type != ISC_T_WORD && t.type != ISC_T_STRING)
			return skip(c, start, "not supported by leasewire");
		if (strlen(words) + t.len + 2 < sizeof(words)) {
			strcat(words, words[0] ? " " : "");
			strcat(words, t.text);
		}
	}
	/* leasewire answers no BOOTP request */
	if ((isc_word_is(start, "deny") || isc_word_is(start, "ignore")) &&
		(strcasecmp(words, "dynamic bootp clients") == 0 ||
			strcasecmp(words, "bootp") == 0))
		return 0;
	/* dhcpd's defaults, which are leasewire's behaviour */
	if (isc_word_is(start, "allow") &&
		(strcasecmp(words, "booting") == 0 || strcasecmp(words, "unknown-clients") == 0 ||
			strcasecmp(words, "unknown clients") == 0))
		return 0;
	return isc_conf_issue(c, start, "leasewire has no client classes or permit lists");
}

/* `host NAME { ... }` */
static int parse_host(struct conv *c, const struct isc_tok *start)
{
	struct isc_tok name, t;
	struct resv h = {0};

	isc_lex_next(c->lex, &name);
	if (name.type != ISC_T_WORD && name.type != ISC_T_STRING)
		return name.type == ISC_T_ERROR
			       ? -1
			       : isc_lex_fail(c->lex, &name, "host: expected a name");
	if (isc_conf_expect(c, &t, ISC_T_LBRACE, "'{'") < 0)
		return -1;
	if (name.len < sizeof(h.name))
		isc_copy_str(h.name, sizeof(h.name), name.text);
	h.addr = 0;
	if (parse_block(c, B_HOST, NULL, &h) < 0)
		return -1;
	note(c, start, &h.where);
	snprintf(h.where.stmt, sizeof(h.where.stmt), "host %.120s { ... }", name.text);
	if (h.bad)
		return 0;
	if (h.addr == 0)
		return isc_conf_issue_at(c, &h.where,
			"no fixed-address: leasewire reserves addresses, it "
			"has no known-client classes");
	if (!h.has_hw && h.cid_len == 0)
		return isc_conf_issue_at(c, &h.where, "no hardware ethernet nor client identifier");
	if (h.has_hw && h.cid_len > 0) {
		h.has_hw = false;
		isc_conf_issue_at(c, &h.where,
			"leasewire matches one identity: the client identifier is "
			"carried, hardware ethernet is not");
	}
	c->hosts = isc_grow(c->hosts, &c->cap_hosts, c->n_hosts, sizeof(*c->hosts));
	if (c->hosts == NULL) {
		c->oom = true;
		return isc_lex_fail(c->lex, NULL, "out of memory");
	}
	c->hosts[c->n_hosts++] = h;
	return 0;
}

static int parse_host_stmt(struct conv *c, const struct isc_tok *s, struct resv *h)
{
	struct isc_tok t;
	uint32_t a;

	if (isc_word_is(s, "hardware")) {
		isc_lex_next(c->lex, &t);
		if (!isc_word_is(&t, "ethernet")) {
			h->bad = true;
			return skip(c, s,
				"leasewire reserves by Ethernet address only: the host is "
				"not carried");
		}
		isc_lex_next(c->lex, &t);
		if (isc_word_hex(&t, h->hw, sizeof(h->hw)) != 6) {
			if (t.type == ISC_T_ERROR)
				return -1;
			h->bad = true;
			return skip(c, s,
				"expected a 6-byte Ethernet address: the host is not "
				"carried");
		}
		h->has_hw = true;
		return expect_semi(c);
	}
	if (isc_word_is(s, "fixed-address")) {
		struct isc_tok vals[16];
		unsigned n;
		bool bad;

		if (isc_conf_read_values(c, vals, 16, &n, &bad) < 0)
			return -1;
		if (bad || isc_word_ip4(&vals[0], &a) < 0 || a == 0) {
			h->bad = true;
			return isc_conf_issue(c, s,
				"leasewire needs an IPv4 address, not a host name: the "
				"host is not carried");
		}
		h->addr = a;
		if (n > 1)
			return isc_conf_issue(c, s,
				"leasewire reserves one address per client: only the "
				"first is carried");
		return 0;
	}
	return skip(c, s, "leasewire reservations carry only the address and client identity");
}

/* `subnet A netmask M { ... }` */
static int parse_subnet(struct conv *c, const struct isc_tok *start, int shared)
{
	struct subnet *sn;
	uint32_t net, mask;
	unsigned plen;
	struct isc_tok t;

	if (expect_ip(c, &net, "subnet") < 0)
		return -1;
	isc_lex_next(c->lex, &t);
	if (!isc_word_is(&t, "netmask"))
		return t.type == ISC_T_ERROR ? -1 : isc_lex_fail(c->lex, &t, "expected netmask");
	if (expect_ip(c, &mask, "netmask") < 0 || isc_conf_expect(c, &t, ISC_T_LBRACE, "'{'") < 0)
		return -1;
	plen = (unsigned)__builtin_popcount(mask);
	if (mask != lw_prefix_mask(plen))
		return isc_lex_fail(c->lex, start, "netmask is not contiguous");
	if ((net & ~mask) != 0)
		return isc_lex_fail(c->lex, start, "subnet address has host bits set");
	for (size_t i = 0; i < c->n_subnets; i++) {
		const struct subnet *o = &c->subnets[i];
		unsigned short_plen = o->plen < plen ? o->plen : plen;
		char a[LW_IP4_STRLEN];

		if (!lw_in_prefix(net, o->net, short_plen))
			continue;
		if (isc_lex_skip_statement(c->lex, &t) < 0)
			return -1;
		return isc_conf_issue(c, start,
			"overlaps subnet %s/%u declared before: not carried", lw_ip4_fmt(o->net, a),
			o->plen);
	}
	c->subnets = isc_grow(c->subnets, &c->cap_subnets, c->n_subnets, sizeof(*c->subnets));
	if (c->subnets == NULL) {
		c->oom = true;
		return isc_lex_fail(c->lex, NULL, "out of memory");
	}
	sn = &c->subnets[c->n_subnets];
	memset(sn, 0, sizeof(*sn));
	sn->net = net;
	sn->plen = plen;
	sn->shared = shared;
	note(c, start, &sn->where);
	c->n_subnets++;
	if (plen < 8) {
		c->n_subnets--;
		if (isc_lex_skip_statement(c->lex, &t) < 0)
			return -1;
		return isc_conf_issue(c, start, "leasewire serves prefixes of /8 to /32");
	}
	/* the array may move while the block is read: pass the index */
	return parse_block(c, B_SUBNET, NULL, NULL);
}

static int parse_lease_time(struct conv *c, const struct isc_tok *s, struct scope *sc)
{
	uint32_t v;

	if (isc_conf_expect_u32(c, &v, s->text) < 0 || expect_semi(c) < 0)
		return -1;
	if (sc == NULL)
		return isc_conf_issue(c, s, "leasewire sets lease times per subnet, not here");
	if (v < 1 || v > 2147483648u)
		return isc_conf_issue(c, s, "out of leasewire's range 1 to 2147483648");
	if (isc_word_is(s, "default-lease-time")) {
		sc->dlt = v;
		sc->has_dlt = true;
	} else if (isc_word_is(s, "max-lease-time")) {
		sc->maxlt = v;
		sc->has_maxlt = true;
	} else {
		sc->minlt = v;
		sc->has_minlt = true;
	}
	return 0;
}

/* The scope of a block: the top level, a shared network, the last subnet. */
static struct scope *blk_scope(struct conv *c, enum blk blk, struct scope *sc)
{
	if (blk == B_SUBNET)
		return &c->subnets[c->n_subnets - 1].sc;
	if (blk == B_TOP)
		return &c->top;
	if (blk == B_SHARED)
		return sc;
	return NULL;
}

static int parse_stmt(struct conv *c, struct isc_tok *s, enum blk blk, struct scope *sc,
	struct pool *pool, struct resv *host, size_t subnet_idx)
{
	struct isc_tok t;

	if (isc_word_is(s, "include")) {
		if (isc_conf_expect(c, &t, ISC_T_STRING, "a quoted file name") < 0 ||
			expect_semi(c) < 0)
			return -1;
		if (memchr(t.text, '\0', t.len) != NULL)
			return isc_lex_fail(c->lex, s, "include: NUL in the file name");
		return isc_lex_include(c->lex, t.text, s->line);
	}
	if (blk == B_HOST)
		return isc_word_is(s, "option") ? isc_conf_parse_option(c, s, blk, NULL, host)
						: parse_host_stmt(c, s, host);
	if (isc_word_is(s, "option"))
		return isc_conf_parse_option(c, s, blk, blk_scope(c, blk, sc), NULL);
	if (isc_word_is(s, "default-lease-time") || isc_word_is(s, "max-lease-time") ||
		isc_word_is(s, "min-lease-time"))
		return parse_lease_time(c, s, blk_scope(c, blk, sc));
	if (isc_word_is(s, "authoritative") || isc_word_is(s, "not")) {
		bool auth = isc_word_is(s, "authoritative");
		struct scope *ss = blk_scope(c, blk, sc);

		if (!auth) {
			isc_lex_next(c->lex, &t);
			if (!isc_word_is(&t, "authoritative"))
				return t.type == ISC_T_ERROR ? -1 : skip(c, s, "not supported");
		}
		if (expect_semi(c) < 0)
			return -1;
		if (ss == NULL)
			return isc_conf_issue(
				c, s, "leasewire sets authoritative per subnet, not here");
		ss->auth = auth;
		ss->has_auth = true;
		return 0;
	}
	if (isc_word_is(s, "ddns-update-style") || isc_word_is(s, "ddns-updates") ||
		isc_word_is(s, "ping-check")) {
		isc_lex_next(c->lex, &t);
		if (t.type == ISC_T_ERROR || expect_semi(c) < 0)
			return -1;
		if (isc_word_is(&t, "none") || isc_word_is(&t, "off") || isc_word_is(&t, "false"))
			return 0; /* what leasewire does: no DNS updates, no ping */
		return isc_conf_issue(c, s,
			isc_word_is(s, "ping-check") ? "leasewire does not ping addresses"
						     : "leasewire does no DNS updates");
	}
	if (isc_word_is(s, "allow") || isc_word_is(s, "deny") || isc_word_is(s, "ignore"))
		return parse_permit(c, s);
	if (isc_word_is(s, "host"))
		return parse_host(c, s);
	if (isc_word_is(s, "failover")) {
		isc_lex_next(c->lex, &t);
		if (!isc_word_is(&t, "peer"))
			return t.type == ISC_T_ERROR ? -1 : skip(c, s, "not supported");
		if (blk == B_TOP)
			return parse_failover_peer(c, s);
		if (blk == B_POOL) {
			if (isc_conf_expect(c, &t, ISC_T_STRING, "a quoted peer name") < 0 ||
				expect_semi(c) < 0)
				return -1;
			isc_copy_str(pool->failover, sizeof(pool->failover), t.text);
			if (t.len == 0)
				return isc_conf_issue(c, s, "empty peer name");
			return 0;
		}
		return skip(c, s, "leasewire names the failover peer in pools only");
	}
	if (isc_word_is(s, "group")) {
		/* its declarations are read; its parameters are reported */
		isc_lex_next(c->lex, &t);
		if (t.type == ISC_T_WORD || t.type == ISC_T_STRING)
			isc_lex_next(c->lex, &t);
		if (t.type != ISC_T_LBRACE)
			return t.type == ISC_T_ERROR ? -1
						     : isc_lex_fail(c->lex, &t, "expected '{'");
		if (blk == B_POOL) {
			if (isc_lex_skip_statement(c->lex, &t) < 0)
				return -1;
			return isc_conf_issue(c, s, "a group inside a pool");
		}
		return parse_block(
			c, blk == B_TOP || blk == B_GROUP ? B_GROUP : B_HGROUP, NULL, NULL);
	}
	if (isc_word_is(s, "subnet")) {
		if (blk != B_TOP && blk != B_SHARED && blk != B_GROUP)
			return skip(c, s, "a subnet inside %s", blk_names[blk]);
		return parse_subnet(c, s, blk == B_SHARED ? (int)(c->n_shared - 1) : -1);
	}
	if (isc_word_is(s, "shared-network")) {
		struct scope *ns;

		if (blk != B_TOP && blk != B_GROUP)
			return skip(c, s, "a shared-network inside %s", blk_names[blk]);
		isc_lex_next(c->lex, &t);
		if (t.type != ISC_T_WORD && t.type != ISC_T_STRING)
			return t.type == ISC_T_ERROR ? -1
						     : isc_lex_fail(c->lex, &t,
							       "shared-network: expected a name");
		if (isc_conf_expect(c, &t, ISC_T_LBRACE, "'{'") < 0)
			return -1;
		c->shared = isc_grow(c->shared, &c->cap_shared, c->n_shared, sizeof(*c->shared));
		if (c->shared == NULL) {
			c->oom = true;
			return isc_lex_fail(c->lex, NULL, "out of memory");
		}
		ns = &c->shared[c->n_shared++];
		memset(ns, 0, sizeof(*ns));
		/* index, not pointer: c->shared may move */
		return parse_block(c, B_SHARED, NULL, NULL);
	}
	if (isc_word_is(s, "pool")) {
		struct pool p = {0};

		if (blk != B_SUBNET && blk != B_SHARED)
			return skip(c, s, "a pool inside %s", blk_names[blk]);
		if (isc_conf_expect(c, &t, ISC_T_LBRACE, "'{'") < 0)
			return -1;
		p.block = ++c->n_pool_blocks;
		if (parse_block(c, B_POOL, &p, NULL) < 0)
			return -1;
		/* `failover peer` may come after the ranges */
		for (size_t i = 0; i < c->n_subnets; i++)
			for (size_t j = 0; j < c->subnets[i].n_pools; j++)
				if (c->subnets[i].pools[j].block == p.block)
					isc_copy_str(c->subnets[i].pools[j].failover,
						sizeof(p.failover), p.failover);
		return 0;
	}
	if (isc_word_is(s, "range")) {
		struct pool r;
		struct subnet *sn;
		bool bootp;

		if (blk != B_SUBNET && blk != B_SHARED && blk != B_POOL)
			return skip(c, s, "a range inside %s", blk_names[blk]);
		if (parse_range(c, s, pool, &r, &bootp) < 0)
			return -1;
		sn = blk == B_SUBNET ? &c->subnets[subnet_idx] : isc_conf_subnet_of(c, r.start);
		if (sn == NULL || !lw_in_prefix(r.start, sn->net, sn->plen) ||
			!lw_in_prefix(r.end, sn->net, sn->plen))
			return isc_conf_issue(c, s, "the range is not inside one declared subnet");
		if (bootp && isc_conf_issue(c, s,
				     "leasewire serves no BOOTP: carried as a DHCP range") < 0)
			return -1;
		return isc_conf_add_pool(c, sn, &r);
	}
	return skip(c, s, "not supported by leasewire");
}

/* Reads the statements of a block up to its `}` (the file's end for B_TOP).
 * The subnet or shared-network of a block is the last one declared: they
 * do not nest. */
static int parse_block(struct conv *c, enum blk blk, struct pool *pool, struct resv *host)
{
	size_t subnet_idx = blk == B_SUBNET ? c->n_subnets - 1 : 0;
	struct isc_tok s;

	for (;;) {
		struct scope *shared_sc = blk == B_SHARED ? &c->shared[c->n_shared - 1] : NULL;

		isc_lex_next(c->lex, &s);
		if (s.type == ISC_T_ERROR)
			return -1;
		if (s.type == ISC_T_EOF) {
			if (blk == B_TOP)
				return 0;
			return isc_lex_fail(c->lex, &s, "end of file inside %s", blk_names[blk]);
		}
		if (s.type == ISC_T_RBRACE) {
			if (blk == B_TOP)
				return isc_lex_fail(c->lex, &s, "'}' without '{'");
			return 0;
		}
		if (s.type == ISC_T_SEMI)
			continue;
		if (s.type != ISC_T_WORD) {
			if (skip(c, &s, "not a statement") < 0)
				return -1;
			continue;
		}
		if (parse_stmt(c, &s, blk, shared_sc, pool, host, subnet_idx) < 0)
			return -1;
		if (c->oom)
			return -1;
	}
}

static void free_scope(struct scope *sc)
{
	for (unsigned i = 0; i < sc->n_opts; i++)
		free(sc->opts[i].value);
	sc->n_opts = 0;
}

static void conv_free(struct conv *c)
{
	free_scope(&c->top);
	for (size_t i = 0; i < c->n_shared; i++)
		free_scope(&c->shared[i]);
	for (size_t i = 0; i < c->n_subnets; i++) {
		free_scope(&c->subnets[i].sc);
		free(c->subnets[i].pools);
		free(c->subnets[i].resv);
	}
	free(c->shared);
	free(c->subnets);
	free(c->hosts);
	free(c->issues.v);
}

static int convert(struct isc_lex *lex, const char *src, const struct isc_conf_opts *opts,
	struct isc_conf_result *r, char *err, size_t errlen)
{
	struct conv *c = calloc(1, sizeof(*c));
	int rc = -1;

	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", src);
		return -1;
	}
	c->lex = lex;
	if (parse_block(c, B_TOP, NULL, NULL) < 0 || c->oom) {
		snprintf(err, errlen, "%s", lex->err[0] ? lex->err : "out of memory");
		goto out;
	}
	if (isc_conf_emit(c, src, opts, r) < 0) {
		snprintf(err, errlen, "%s: out of memory", src);
		goto out;
	}
	r->issues = c->issues.v;
	r->n_issues = c->issues.n;
	c->issues.v = NULL;
	rc = 0;
out:
	conv_free(c);
	free(c);
	return rc;
}

int isc_conf_convert(const char *path, const struct isc_conf_opts *opts, struct isc_conf_result *r,
	char *err, size_t errlen)
{
	struct isc_lex *lex = isc_lex_create(path, NULL, 0, true, err, errlen);
	int rc;

	*r = (struct isc_conf_result){0};
	if (lex == NULL)
		return -1;
	rc = convert(lex, path, opts, r, err, errlen);
	isc_lex_destroy(lex);
	return rc;
}

int isc_conf_convert_text(const char *text, size_t len, const char *name,
	const struct isc_conf_opts *opts, struct isc_conf_result *r, char *err, size_t errlen)
{
	struct isc_lex *lex = isc_lex_create(name, text, len, false, err, errlen);
	int rc;

	*r = (struct isc_conf_result){0};
	if (lex == NULL)
		return -1;
	rc = convert(lex, name, opts, r, err, errlen);
	isc_lex_destroy(lex);
	return rc;
}

void isc_conf_result_free(struct isc_conf_result *r)
{
	free(r->text);
	free(r->issues);
	*r = (struct isc_conf_result){0};
}
