/* SPDX-License-Identifier: MPL-2.0 */
/*
 * dhcpd.leases(5): what dhcpd 4.4 writes (server/db.c) and reads back.
 * Times are "W YYYY/MM/DD HH:MM:SS;" in UTC (W, the weekday, is not
 * checked, as dhcpd does not), "epoch N;" when dhcpd runs with
 * `db-time-format local;`, or "never;". A uid is a quoted string with
 * octal escapes or colon hex, depending on `lease-id-format`.
 */
#include "import/isc_leases.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/isc_lex.h"

static const char *const binding_names[] = {
	[ISC_BIND_NONE] = "none",
	[ISC_BIND_FREE] = "free",
	[ISC_BIND_ACTIVE] = "active",
	[ISC_BIND_EXPIRED] = "expired",
	[ISC_BIND_RELEASED] = "released",
	[ISC_BIND_ABANDONED] = "abandoned",
	[ISC_BIND_RESET] = "reset",
	[ISC_BIND_BACKUP] = "backup",
	[ISC_BIND_RESERVED] = "reserved",
	[ISC_BIND_BOOTP] = "bootp",
};

#define N_BINDINGS (sizeof(binding_names) / sizeof(binding_names[0]))

const char *isc_binding_name(enum isc_binding b)
{
	return (unsigned)b < N_BINDINGS ? binding_names[b] : "?";
}

/* `hardware TYPE` names dhcpd writes (its hardware_types table), by htype. */
static const struct {
	const char *name;
	uint8_t htype;
} hw_types[] = {
	{"ethernet", 1},
	{"token-ring", 6},
	{"fddi", 8},
	{"infiniband", 32},
};

struct lp {
	struct isc_lex *lex;
	struct isc_issues issues;
	struct isc_lease *v;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 into v, by address */
	size_t n_slots;
	struct isc_fo_peer_state *peers;
	size_t n_peers, cap_peers;
};

static int fail(struct lp *p, const struct isc_tok *at, const char *what)
{
	if (at->type == ISC_T_ERROR)
		return -1;
	return isc_lex_fail(
		p->lex, at, "%s, got %s", what, at->type == ISC_T_EOF ? "end of file" : at->text);
}

static int expect_semi(struct lp *p)
{
	struct isc_tok t;

	if (isc_lex_next(p->lex, &t) == ISC_T_SEMI)
		return 0;
	return fail(p, &t, "expected ';'");
}

static int issue_skip(struct lp *p, const struct isc_tok *start, const char *why)
{
	if (isc_lex_skip_statement(p->lex, start) < 0)
		return -1;
	if (isc_issue_add(&p->issues, p->lex, start, "%s", why) < 0)
		return isc_lex_fail(p->lex, NULL, "out of memory");
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads a time and its `;`: "W Y/M/D H:M:S;", "epoch N;" or "never;". */
static int parse_time(struct lp *p, const char *what, uint32_t *out)
{
	struct isc_tok t;
	unsigned y, mo, d, h, mi, s, w;
	char tail;
	int64_t v;

	isc_lex_next(p->lex, &t);
	if (isc_word_is(&t, "never")) {
		*out = ISC_TIME_NEVER;
		return expect_semi(p);
	}
	if (isc_word_is(&t, "epoch")) {
		uint32_t e;

		isc_lex_next(p->lex, &t);
		if (isc_word_u32(&t, &e) < 0 || e == ISC_TIME_NEVER)
			return fail(p, &t, what);
		*out = e;
		return expect_semi(p);
	}
	if (isc_word_u32(&t, &w) < 0 || w > 6)
		return fail(p, &t, what);
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_WORD || sscanf(t.text, "%4u/%2u/%2u%c", &y, &mo, &d, &tail) != 3 ||
		y < 1970 || y > 2106 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return fail(p, &t, what);
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_WORD || sscanf(t.text, "%2u:%2u:%2u%c", &h, &mi, &s, &tail) != 3 ||
		h > 23 || mi > 59 || s > 60)
		return fail(p, &t, what);
	v = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	if (v < 0 || v >= ISC_TIME_NEVER)
		return fail(p, &t, what);
	*out = (uint32_t)v;
	return expect_semi(p);
}

/* `binding state S;` after the words that name it. */
static int parse_binding(struct lp *p, uint8_t *out)
{
	struct isc_tok t;

	isc_lex_next(p->lex, &t);
	if (!isc_word_is(&t, "state"))
		return fail(p, &t, "expected 'state'");
	isc_lex_next(p->lex, &t);
	for (unsigned i = 1; i < N_BINDINGS; i++) {
		if (isc_word_is(&t, binding_names[i])) {
			*out = (uint8_t)i;
			return expect_semi(p);
		}
	}
	return fail(p, &t, "expected a binding state (free, active, expired, ...)");
}

static int parse_hardware(struct lp *p, const struct isc_tok *start, struct isc_lease *l)
{
	struct isc_tok t;
	uint8_t hw[16];
	int htype = -1, n;

	isc_lex_next(p->lex, &t);
	for (size_t i = 0; i < sizeof(hw_types) / sizeof(hw_types[0]); i++)
		if (isc_word_is(&t, hw_types[i].name))
			htype = hw_types[i].htype;
	if (htype < 0 && t.type == ISC_T_WORD && strncmp(t.text, "unknown-", 8) == 0) {
		uint32_t v;
		struct isc_tok num = t;

		memmove(num.text, t.text + 8, t.len - 8 + 1);
		num.len = t.len - 8;
		if (isc_word_u32(&num, &v) == 0 && v <= 255)
			htype = (int)v;
	}
	if (htype < 0)
		return fail(p, &t, "expected a hardware type (ethernet, ...)");
	isc_lex_next(p->lex, &t);
	if (t.type == ISC_T_SEMI) /* dhcpd writes an empty address this way */
		return 0;
	n = isc_word_hex(&t, hw, sizeof(hw));
	if (n < 0)
		return fail(p, &t, "expected a hardware address xx:xx:...");
	if (expect_semi(p) < 0)
		return -1;
	if (n == 0 || htype == 0) {
		(void)start;
		return 0;
	}
	l->htype = (uint8_t)htype;
	l->hlen = (uint8_t)n;
	memcpy(l->hw, hw, (size_t)n);
	return 0;
}

static int parse_uid(struct lp *p, struct isc_lease *l)
{
	struct isc_tok t;
	int n;

	isc_lex_next(p->lex, &t);
	if (t.type == ISC_T_STRING) {
		if (t.len > sizeof(l->uid))
			return fail(p, &t, "uid longer than 255 bytes");
		memcpy(l->uid, t.text, t.len);
		l->uid_len = (uint8_t)t.len;
		return expect_semi(p);
	}
	n = isc_word_hex(&t, l->uid, sizeof(l->uid));
	if (n < 1)
		return fail(p, &t, "expected a uid as a quoted string or colon hex");
	l->uid_len = (uint8_t)n;
	return expect_semi(p);
}

static int parse_lease_stmt(struct lp *p, struct isc_tok *s, struct isc_lease *l)
{
	static const struct {
		const char *name;
		size_t off;
	} times[] = {
		{"starts", offsetof(struct isc_lease, starts)},
		{"ends", offsetof(struct isc_lease, ends)},
		{"tstp", offsetof(struct isc_lease, tstp)},
		{"tsfp", offsetof(struct isc_lease, tsfp)},
		{"atsfp", offsetof(struct isc_lease, atsfp)},
		{"cltt", offsetof(struct isc_lease, cltt)},
	};
	struct isc_tok t;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (isc_word_is(s, times[i].name)) {
			char what[48];

			snprintf(what, sizeof(what), "%s: expected W YYYY/MM/DD HH:MM:SS",
				times[i].name);
			return parse_time(p, what, (uint32_t *)((char *)l + times[i].off));
		}
	}
	if (isc_word_is(s, "binding"))
		return parse_binding(p, &l->binding);
	if (isc_word_is(s, "next") || isc_word_is(s, "rewind")) {
		bool next = isc_word_is(s, "next");

		isc_lex_next(p->lex, &t);
		if (!isc_word_is(&t, "binding"))
			return fail(p, &t, "expected 'binding'");
		return parse_binding(p, next ? &l->next_binding : &l->rewind_binding);
	}
	if (isc_word_is(s, "hardware"))
		return parse_hardware(p, s, l);
	if (isc_word_is(s, "uid"))
		return parse_uid(p, l);
	if (isc_word_is(s, "client-hostname")) {
		isc_lex_next(p->lex, &t);
		if (t.type != ISC_T_STRING)
			return fail(p, &t, "client-hostname: expected a quoted string");
		snprintf(l->hostname, sizeof(l->hostname), "%.63s", t.text);
		return expect_semi(p);
	}
	if (isc_word_is(s, "abandoned")) { /* dhcpd 2 wrote this for binding state abandoned */
		l->binding = ISC_BIND_ABANDONED;
		return expect_semi(p);
	}
	/* DDNS state and per-lease scripts: dhcpd's own, nothing for leasewire */
	if (isc_word_is(s, "set") || isc_word_is(s, "on"))
		return isc_lex_skip_statement(p->lex, s);
	return issue_skip(p, s, "not imported: leasewire keeps no such lease data");
}

static uint32_t hash32(uint32_t a)
{
	a ^= a >> 16;
	a *= 0x7feb352du;
	a ^= a >> 15;
	a *= 0x846ca68bu;
	a ^= a >> 16;
	return a;
}

static int rehash(struct lp *p)
{
	size_t n = p->n_slots ? p->n_slots * 2 : 1024;
	uint32_t *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		size_t h = hash32(p->v[i].addr) & (n - 1);

		while (s[h] != 0)
			h = (h + 1) & (n - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = s;
	p->n_slots = n;
	return 0;
}

/* Stores l, replacing an earlier lease of the same address. */
static int store(struct lp *p, const struct isc_lease *l)
{
	size_t h;

	if ((p->n + 1) * 2 > p->n_slots && rehash(p) < 0)
		return -1;
	h = hash32(l->addr) & (p->n_slots - 1);
	while (p->slots[h] != 0) {
		struct isc_lease *o = &p->v[p->slots[h] - 1];

		if (o->addr == l->addr) {
			*o = *l;
			return 0;
		}
		h = (h + 1) & (p->n_slots - 1);
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct isc_lease *v;

		if (cap > UINT32_MAX - 1)
			return -1;
		v = realloc(p->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = *l;
	p->slots[h] = (uint32_t)++p->n;
	return 0;
}

/* `lease A.B.C.D { ... }` after the word `lease`. */
static int parse_lease(struct lp *p, const struct isc_tok *start)
{
	struct isc_lease l;
	struct isc_tok t;

	memset(&l, 0, sizeof(l));
	l.line = start->line;
	isc_lex_next(p->lex, &t);
	if (isc_word_ip4(&t, &l.addr) < 0)
		return fail(p, &t, "lease: expected an IPv4 address");
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_LBRACE)
		return fail(p, &t, "lease: expected '{'");
	for (;;) {
		isc_lex_next(p->lex, &t);
		if (t.type == ISC_T_RBRACE)
			break;
		if (t.type == ISC_T_SEMI)
			continue;
		if (t.type == ISC_T_EOF)
			return isc_lex_fail(
				p->lex, start, "lease: no '}' before the end of the file");
		if (t.type != ISC_T_WORD)
			return fail(p, &t, "lease: expected a statement");
		if (parse_lease_stmt(p, &t, &l) < 0)
			return -1;
	}
	if (store(p, &l) < 0)
		return isc_lex_fail(p->lex, NULL, "out of memory");
	return 0;
}

static int parse_state_name(struct lp *p, char *out, size_t len, uint32_t *stos)
{
	struct isc_tok t;

	isc_lex_next(p->lex, &t);
	if (!isc_word_is(&t, "state"))
		return fail(p, &t, "expected 'state'");
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_WORD || t.len >= len)
		return fail(p, &t, "expected a failover state name");
	memcpy(out, t.text, t.len + 1);
	isc_lex_next(p->lex, &t);
	if (!isc_word_is(&t, "at"))
		return fail(p, &t, "expected 'at'");
	return parse_time(p, "state time: expected W YYYY/MM/DD HH:MM:SS", stos);
}

/* `failover peer "NAME" state { ... }` after the word `failover`. */
static int parse_peer(struct lp *p, const struct isc_tok *start)
{
	struct isc_fo_peer_state ps;
	struct isc_tok t;

	memset(&ps, 0, sizeof(ps));
	isc_lex_next(p->lex, &t);
	if (!isc_word_is(&t, "peer"))
		return fail(p, &t, "failover: expected 'peer'");
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_STRING || t.len == 0 || t.len >= sizeof(ps.name) ||
		memchr(t.text, '\0', t.len) != NULL)
		return fail(p, &t, "failover peer: expected a quoted name of 1 to 63 bytes");
	memcpy(ps.name, t.text, t.len + 1);
	isc_lex_next(p->lex, &t);
	if (!isc_word_is(&t, "state"))
		return fail(p, &t, "failover peer: expected 'state'");
	isc_lex_next(p->lex, &t);
	if (t.type != ISC_T_LBRACE)
		return fail(p, &t, "failover peer: expected '{'");
	for (;;) {
		isc_lex_next(p->lex, &t);
		if (t.type == ISC_T_RBRACE)
			break;
		if (t.type == ISC_T_EOF)
			return isc_lex_fail(p->lex, start,
				"failover peer: no '}' before the end "
				"of the file");
		if (t.type != ISC_T_WORD)
			return fail(p, &t, "failover peer: expected a statement");
		if (isc_word_is(&t, "my")) {
			if (parse_state_name(p, ps.my_state, sizeof(ps.my_state), &ps.my_stos) < 0)
				return -1;
		} else if (isc_word_is(&t, "partner")) {
			if (parse_state_name(p, ps.partner_state, sizeof(ps.partner_state),
				    &ps.partner_stos) < 0)
				return -1;
		} else if (isc_word_is(&t, "mclt")) {
			isc_lex_next(p->lex, &t);
			if (isc_word_u32(&t, &ps.mclt) < 0)
				return fail(p, &t, "mclt: expected a number");
			if (expect_semi(p) < 0)
				return -1;
		} else if (issue_skip(p, &t, "not imported: unknown failover state statement") <
			   0) {
			return -1;
		}
	}
	for (size_t i = 0; i < p->n_peers; i++) {
		if (strcmp(p->peers[i].name, ps.name) == 0) {
			p->peers[i] = ps;
			return 0;
		}
	}
	if (p->n_peers == p->cap_peers) {
		size_t cap = p->cap_peers ? p->cap_peers * 2 : 4;
		struct isc_fo_peer_state *v = realloc(p->peers, cap * sizeof(*v));

		if (v == NULL)
			return isc_lex_fail(p->lex, NULL, "out of memory");
		p->peers = v;
		p->cap_peers = cap;
	}
	p->peers[p->n_peers++] = ps;
	return 0;
}

static int parse_top(struct lp *p)
{
	struct isc_tok t;

	for (;;) {
		isc_lex_next(p->lex, &t);
		if (t.type == ISC_T_EOF)
			return 0;
		if (t.type == ISC_T_SEMI)
			continue;
		if (t.type != ISC_T_WORD)
			return fail(p, &t, "expected a statement");
		if (isc_word_is(&t, "lease")) {
			if (parse_lease(p, &t) < 0)
				return -1;
		} else if (isc_word_is(&t, "failover")) {
			if (parse_peer(p, &t) < 0)
				return -1;
		} else if (isc_word_is(&t, "authoring-byte-order") ||
			   isc_word_is(&t, "server-duid") || isc_word_is(&t, "db-time-format")) {
			/* how dhcpd wrote the file, and its DHCPv6 identity */
			if (isc_lex_skip_statement(p->lex, &t) < 0)
				return -1;
		} else if (isc_word_is(&t, "lease6") || isc_word_is(&t, "ia-na") ||
			   isc_word_is(&t, "ia-ta") || isc_word_is(&t, "ia-pd")) {
			if (issue_skip(p, &t, "not imported: DHCPv6") < 0)
				return -1;
		} else if (issue_skip(p, &t, "not imported: leasewire keeps no such data") < 0) {
			return -1;
		}
	}
}

static int cmp_addr(const void *a, const void *b)
{
	uint32_t x = ((const struct isc_lease *)a)->addr, y = ((const struct isc_lease *)b)->addr;

	return x < y ? -1 : x > y;
}

static int parse(struct isc_lex *lex, struct isc_leases *out, char *err, size_t errlen)
{
	struct lp p = {.lex = lex};

	if (parse_top(&p) < 0) {
		snprintf(err, errlen, "%s", lex->err[0] ? lex->err : "out of memory");
		free(p.v);
		free(p.slots);
		free(p.peers);
		free(p.issues.v);
		return -1;
	}
	free(p.slots);
	if (p.n > 1)
		qsort(p.v, p.n, sizeof(*p.v), cmp_addr);
	out->leases = p.v;
	out->n_leases = p.n;
	out->peers = p.peers;
	out->n_peers = p.n_peers;
	out->issues = p.issues.v;
	out->n_issues = p.issues.n;
	return 0;
}

int isc_leases_parse(const char *path, struct isc_leases *out, char *err, size_t errlen)
{
	struct isc_lex *lex = isc_lex_create(path, NULL, 0, false, err, errlen);
	int rc;

	*out = (struct isc_leases){0};
	if (lex == NULL)
		return -1;
	rc = parse(lex, out, err, errlen);
	isc_lex_destroy(lex);
	return rc;
}

int isc_leases_parse_text(const char *text, size_t len, const char *name, struct isc_leases *out,
	char *err, size_t errlen)
{
	struct isc_lex *lex = isc_lex_create(name, text, len, false, err, errlen);
	int rc;

	*out = (struct isc_leases){0};
	if (lex == NULL)
		return -1;
	rc = parse(lex, out, err, errlen);
	isc_lex_destroy(lex);
	return rc;
}

void isc_leases_free(struct isc_leases *l)
{
	free(l->leases);
	free(l->peers);
	free(l->issues);
	*l = (struct isc_leases){0};
}
