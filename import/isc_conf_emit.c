/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The writer: once the reader (isc_conf.c) has filled the model, the
 * checks that need all of it (hosts placed in the subnets of their
 * addresses, ranges trimmed of network, broadcast and server addresses,
 * failover decided per subnet), then libconfig text that common/config.c
 * accepts. doc/isc-conf-mapping.md lists what each statement becomes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_ip.h"
#include "import/isc_conf_pvt.h"

/* Option value types as leasewire's configuration names them. */
static const char *const type_names[] = {
	[T_IP] = "ip",
	[T_IPS] = "ips",
	[T_U8] = "u8",
	[T_U16] = "u16",
	[T_U32] = "u32",
	[T_I32] = "i32",
	[T_BOOL] = "bool",
	[T_STRING] = "string",
	[T_HEX] = "hex",
	[T_DOMAINS] = "domains",
};

/* ------------------------------------------------------------------------ */
/* text output */

void isc_sb_printf(struct isc_sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	if (b->p == NULL) {
		b->p = malloc(4096);
		if (b->p == NULL) {
			b->oom = true;
			return;
		}
		b->cap = 4096;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 256;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* A libconfig string literal of len bytes. */
void isc_sb_quote(struct isc_sb *b, const char *s, size_t len)
{
	isc_sb_printf(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			isc_sb_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			isc_sb_printf(b, "\\x%02x", ch);
		else
			isc_sb_printf(b, "%c", ch);
	}
	isc_sb_printf(b, "\"");
}

void isc_sb_ip(struct isc_sb *b, uint32_t a)
{
	char ip[LW_IP4_STRLEN];

	isc_sb_printf(b, "\"%s\"", lw_ip4_fmt(a, ip));
}

void isc_sb_hex(struct isc_sb *b, const uint8_t *v, size_t n)
{
	isc_sb_printf(b, "\"");
	for (size_t i = 0; i < n; i++)
		isc_sb_printf(b, "%s%02x", i ? ":" : "", v[i]);
	isc_sb_printf(b, "\"");
}

/* An integer that libconfig reads back as given: above INT32_MAX needs L. */
void isc_sb_uint(struct isc_sb *b, uint64_t v)
{
	isc_sb_printf(b, "%llu%s", (unsigned long long)v, v > 2147483647u ? "L" : "");
}

/* ------------------------------------------------------------------------ */
/* the model into libconfig text */

/* Lease times and authoritative of a subnet after inheritance, in dhcpd's
 * terms (its defaults: 43200 s default, 86400 s max, not authoritative). */
struct eff {
	uint32_t dlt, maxlt, minlt;
	bool auth;
};

static void merge_params(struct scope *dst, const struct scope *src)
{
	if (!dst->has_dlt && src->has_dlt) {
		dst->dlt = src->dlt;
		dst->has_dlt = true;
	}
	if (!dst->has_maxlt && src->has_maxlt) {
		dst->maxlt = src->maxlt;
		dst->has_maxlt = true;
	}
	if (!dst->has_minlt && src->has_minlt) {
		dst->minlt = src->minlt;
		dst->has_minlt = true;
	}
	if (!dst->has_auth && src->has_auth) {
		dst->auth = src->auth;
		dst->has_auth = true;
	}
}

static struct eff effective(const struct scope *s)
{
	struct eff e;

	e.maxlt = s->has_maxlt ? s->maxlt : 86400;
	e.dlt = s->has_dlt ? s->dlt : 43200;
	if (e.dlt > e.maxlt)
		e.dlt = e.maxlt; /* dhcpd caps the default at the maximum */
	e.minlt = s->has_minlt ? s->minlt : (e.dlt < 300 ? e.dlt : 300);
	if (e.minlt > e.dlt)
		e.minlt = e.dlt;
	e.auth = s->has_auth && s->auth;
	return e;
}

static void write_opt_entry(struct isc_sb *b, const struct opt_val *o, const char *indent)
{
	isc_sb_printf(b, "%s{ ", indent);
	if (o->lw != NULL)
		isc_sb_printf(b, "name = \"%s\"; ", o->lw);
	else
		isc_sb_printf(b, "code = %u; type = \"%s\"; ", o->code, type_names[o->type]);
	isc_sb_printf(b, "value = %s; }", o->value);
}

/* The pool of sn that holds a, or NULL. */
static const struct pool *pool_holding(const struct subnet *sn, uint32_t a)
{
	for (size_t i = 0; i < sn->n_pools; i++)
		if (a >= sn->pools[i].start && a <= sn->pools[i].end)
			return &sn->pools[i];
	return NULL;
}

static bool reserved(const struct subnet *sn, uint32_t a)
{
	for (size_t i = 0; i < sn->n_resv; i++)
		if (sn->resv[i].addr == a)
			return true;
	return false;
}

static bool is_server_addr(const struct conv *c, uint32_t a)
{
	for (unsigned i = 0; i < c->n_server_addrs; i++)
		if (c->server_addrs[i] == a)
			return true;
	return false;
}

/* Places the hosts in the subnets of their addresses. */
static int place_hosts(struct conv *c)
{
	for (size_t i = 0; i < c->n_hosts; i++) {
		struct resv *h = &c->hosts[i];
		struct subnet *sn = isc_conf_subnet_of(c, h->addr);
		bool dup = false;

		if (sn == NULL) {
			if (isc_conf_issue_at(
				    c, &h->where, "fixed-address is in no declared subnet") < 0)
				return -1;
			continue;
		}
		if (is_server_addr(c, h->addr)) {
			if (isc_conf_issue_at(c, &h->where,
				    "fixed-address is the server's own address (its "
				    "port's)") < 0)
				return -1;
			continue;
		}
		for (size_t j = 0; j < sn->n_resv; j++) {
			const struct resv *o = &sn->resv[j];

			if (o->addr == h->addr ||
				(h->has_hw && o->has_hw && memcmp(o->hw, h->hw, 6) == 0) ||
				(h->cid_len && o->cid_len == h->cid_len &&
					memcmp(o->cid, h->cid, h->cid_len) == 0))
				dup = true;
		}
		if (dup) {
			if (isc_conf_issue_at(c, &h->where,
				    "same address or client as an earlier host in "
				    "this subnet") < 0)
				return -1;
			continue;
		}
		sn->resv = isc_grow(sn->resv, &sn->cap_resv, sn->n_resv, sizeof(*sn->resv));
		if (sn->resv == NULL)
			return -1;
		sn->resv[sn->n_resv++] = *h;
		c->n_hosts_placed++;
	}
	return 0;
}

static void pool_remove(struct subnet *sn, size_t i)
{
	memmove(&sn->pools[i], &sn->pools[i + 1], (sn->n_pools - i - 1) * sizeof(*sn->pools));
	sn->n_pools--;
}

/* Cuts the server's own addresses (the ports') out of the ranges of sn:
 * leasewire refuses a pool that holds one. */
static int cut_server_addrs(struct conv *c, struct subnet *sn)
{
	char ip[LW_IP4_STRLEN];

	for (size_t i = 0; i < sn->n_pools; i++) {
		for (unsigned k = 0; k < c->n_server_addrs; k++) {
			struct pool *p = &sn->pools[i];
			uint32_t a = c->server_addrs[k];

			if (a < p->start || a > p->end)
				continue;
			if (isc_conf_issue_at(c, &p->where,
				    "holds %s, the server's own address (its port's): left out "
				    "of the range",
				    lw_ip4_fmt(a, ip)) < 0)
				return -1;
			if (p->start == p->end) {
				pool_remove(sn, i);
				i--;
				break;
			}
			if (a == p->start) {
				p->start++;
			} else if (a == p->end) {
				p->end--;
			} else {
				struct pool tail = *p;

				tail.start = a + 1;
				p->end = a - 1;
				if (isc_conf_add_pool(c, sn, &tail) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* Pools: trims network/broadcast and the server's addresses, drops
 * overlaps, decides failover per subnet. */
static int fix_pools(struct conv *c, struct subnet *sn)
{
	uint32_t bcast = sn->net | ~lw_prefix_mask(sn->plen);
	size_t fo = 0;

	for (size_t i = 0; i < sn->n_pools; i++) {
		struct pool *p = &sn->pools[i];

		if (sn->plen <= 30 && (p->start == sn->net || p->end == bcast)) {
			if (isc_conf_issue_at(c, &p->where,
				    "the network and broadcast addresses are left out "
				    "of the range") < 0)
				return -1;
			if (p->start == sn->net)
				p->start++;
			if (p->end == bcast)
				p->end--;
			if (p->start > p->end) {
				pool_remove(sn, i);
				i--;
				continue;
			}
		}
		if (p->failover[0] != '\0' &&
			(!c->has_fo || strcmp(p->failover, c->fo.name) != 0)) {
			if (isc_conf_issue_at(c, &p->where,
				    "failover peer \"%.60s\" is not carried: the range "
				    "is carried without failover",
				    p->failover) < 0)
				return -1;
			p->failover[0] = '\0';
		}
	}
	if (cut_server_addrs(c, sn) < 0)
		return -1;
	/* leasewire refuses overlapping pools: the later range goes */
	for (size_t i = 1; i < sn->n_pools; i++) {
		for (size_t j = 0; j < i; j++) {
			if (sn->pools[i].start > sn->pools[j].end ||
				sn->pools[i].end < sn->pools[j].start)
				continue;
			if (isc_conf_issue_at(c, &sn->pools[i].where,
				    "overlaps an earlier range: not carried") < 0)
				return -1;
			pool_remove(sn, i);
			i--;
			break;
		}
	}
	for (size_t i = 0; i < sn->n_pools; i++)
		fo += sn->pools[i].failover[0] != '\0';
	if (fo > 0 && fo < sn->n_pools) {
		for (size_t i = 0; i < sn->n_pools; i++) {
			struct pool *p = &sn->pools[i];

			if (p->failover[0] != '\0')
				continue;
			isc_copy_str(p->failover, sizeof(p->failover), c->fo.name);
			if (isc_conf_issue_at(c, &p->where,
				    "leasewire needs every pool of a subnet in failover "
				    "or none: this range is made a failover range") < 0)
				return -1;
		}
	}
	return 0;
}

/* A routers option of the subnet names a. */
static bool is_router(const struct subnet *sn, uint32_t a)
{
	char ip[LW_IP4_STRLEN + 2];

	snprintf(ip, sizeof(ip), "\"%s", lw_ip4_fmt(a, ip + 1));
	for (unsigned i = 0; i < sn->sc.n_opts; i++) {
		const char *v = sn->sc.opts[i].value;
		const char *p = sn->sc.opts[i].code == 3 ? strstr(v, ip) : NULL;

		if (p != NULL && p[strlen(ip)] == '"')
			return true;
	}
	return false;
}

/* A placeholder server address: the last host address of the subnet that
 * is in no pool, no reservation and no routers option (routers tend to sit
 * at the bottom of the subnet). 0 when there is none. */
static uint32_t free_address(const struct subnet *sn)
{
	uint32_t bcast = sn->net | ~lw_prefix_mask(sn->plen);
	uint32_t first = sn->plen >= 31 ? sn->net : sn->net + 1;
	uint32_t a = sn->plen >= 31 ? bcast : bcast - 1;

	while (a >= first && a != 0) {
		const struct pool *p = pool_holding(sn, a);

		if (p != NULL) {
			if (p->start <= first)
				return 0;
			a = p->start - 1; /* jump over the range */
			continue;
		}
		if (!reserved(sn, a) && !is_router(sn, a))
			return a;
		a--;
	}
	return 0;
}

/* The address of the port lan0 when no port was given. */
struct port_guess {
	uint32_t addr; /* 0: a placeholder, 192.0.2.1/24 */
	unsigned plen;
	bool guessed;	   /* not the failover address */
	bool first_subnet; /* taken from the first subnet */
};

/*
 * With no port given, the failover `address` on the subnet that holds it is
 * the server's address on that link. Anything else is a guess: a free
 * address of the first subnet, or a documentation address when there is
 * none. A guess is reported, so that the conversion fails unless partial
 * is accepted: the server identifier must not be guessed in silence.
 */
static int guess_port(struct conv *c, const char *src, struct port_guess *g)
{
	struct subnet *sn = c->has_fo ? isc_conf_subnet_of(c, c->fo.addr) : NULL;
	char ip[LW_IP4_STRLEN];
	struct isc_issue where;

	memset(g, 0, sizeof(*g));
	if (sn != NULL) {
		g->addr = c->fo.addr;
		g->plen = sn->plen;
		return 0;
	}
	g->guessed = true;
	memset(&where, 0, sizeof(where));
	if (c->n_subnets > 0) {
		sn = &c->subnets[0];
		g->first_subnet = true;
		g->addr = free_address(sn);
		g->plen = sn->plen;
		isc_copy_str(where.file, sizeof(where.file), sn->where.file);
		where.line = sn->where.line;
	} else {
		isc_copy_str(where.file, sizeof(where.file), src);
	}
	if (g->addr != 0)
		snprintf(where.stmt, sizeof(where.stmt),
			"port lan0: address %s/%u, a free address of this subnet",
			lw_ip4_fmt(g->addr, ip), g->plen);
	else
		snprintf(where.stmt, sizeof(where.stmt),
			"port lan0: address 192.0.2.1/24, a placeholder");
	return isc_conf_issue_at(c, &where,
		"no --port given: the server address on this link was guessed; give "
		"--port NAME=DEVICE,ADDR/LEN");
}

static void write_ports(
	struct isc_sb *b, const struct isc_conf_opts *opts, const struct port_guess *g)
{
	char ip[LW_IP4_STRLEN];

	isc_sb_printf(b, "ports = (\n");
	if (opts != NULL && opts->ports != NULL && opts->n_ports > 0) {
		for (size_t i = 0; i < opts->n_ports; i++) {
			const struct isc_conf_port *p = &opts->ports[i];

			isc_sb_printf(b, "  { name = ");
			isc_sb_quote(b, p->name, strnlen(p->name, sizeof(p->name)));
			isc_sb_printf(b, "; device = ");
			isc_sb_quote(b, p->device, strnlen(p->device, sizeof(p->device)));
			isc_sb_printf(b, "; address = ");
			isc_sb_quote(b, p->address, strnlen(p->address, sizeof(p->address)));
			isc_sb_printf(b, "; }%s\n", i + 1 < opts->n_ports ? "," : "");
		}
		isc_sb_printf(b, ");\n\n");
		return;
	}
	if (!g->guessed)
		isc_sb_printf(b, "  # the failover address, on the subnet that holds it\n");
	else if (g->first_subnet)
		isc_sb_printf(b,
			"  # EDIT: a placeholder server address (a free address of the first "
			"subnet)\n");
	if (g->addr == 0) {
		isc_sb_printf(b, "  # EDIT: no subnet to take an address from: a placeholder\n");
		isc_sb_printf(b, "  { name = \"lan0\"; device = \"0000:00:00.0\"; address = "
				 "\"192.0.2.1/24\"; }\n");
	} else {
		isc_sb_printf(b,
			"  { name = \"lan0\"; device = \"0000:00:00.0\"; address = \"%s/%u\"; }\n",
			lw_ip4_fmt(g->addr, ip), g->plen);
	}
	isc_sb_printf(b, ");\n\n");
}

static void write_eal(struct isc_sb *b, const struct isc_conf_opts *opts)
{
	const char *s = opts != NULL ? opts->eal_args : NULL;
	unsigned n = 0;

	isc_sb_printf(b, "dataplane = {\n  eal_args = [ ");
	if (s == NULL || strspn(s, " \t") == strlen(s)) {
		isc_sb_printf(b, "\"-l\", \"0,1\", \"-a\", \"0000:00:00.0\" ]; # EDIT: lcores and "
				 "devices\n};\n\n");
		return;
	}
	while (*s != '\0' && n < 63) {
		size_t len;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0)
			break;
		isc_sb_printf(b, "%s", n++ ? ", " : "");
		isc_sb_quote(b, s, len);
		s += len;
	}
	isc_sb_printf(b, " ];\n};\n\n");
}

static void write_failover(struct conv *c, struct isc_sb *b)
{
	const struct fo_peer *f = &c->fo;
	char ip[LW_IP4_STRLEN];

	isc_sb_printf(b, "failover = {\n  name = ");
	isc_sb_quote(b, f->name, strlen(f->name));
	isc_sb_printf(b, ";\n  role = \"%s\";\n", f->role == 1 ? "primary" : "secondary");
	isc_sb_printf(b, "  address = \"%s\";\n", lw_ip4_fmt(f->addr, ip));
	isc_sb_printf(b, "  peer_address = \"%s\";\n", lw_ip4_fmt(f->peer_addr, ip));
	for (size_t i = 0; i < N_FO_KEYS; i++) {
		if (!f->has[i])
			continue;
		isc_sb_printf(b, "  %s = ", isc_fo_keys[i].lw);
		isc_sb_uint(b, f->val[i]);
		isc_sb_printf(b, ";\n");
	}
	if (f->has_hba) {
		isc_sb_printf(b, "  hba = ");
		isc_sb_hex(b, f->hba, sizeof(f->hba));
		isc_sb_printf(b, ";\n");
	}
	isc_sb_printf(b, "};\n\n");
}

/* `option subnet-mask` equal to the netmask: leasewire derives the same. */
static bool derived_mask(const struct subnet *sn, const struct opt_val *o)
{
	char want[LW_IP4_STRLEN + 2], ip[LW_IP4_STRLEN];

	if (o->code != 1)
		return false;
	snprintf(want, sizeof(want), "\"%s\"", lw_ip4_fmt(lw_prefix_mask(sn->plen), ip));
	return strcmp(o->value, want) == 0;
}

static void write_subnet(struct conv *c, struct isc_sb *b, struct subnet *sn)
{
	char ip[LW_IP4_STRLEN], ip2[LW_IP4_STRLEN];
	struct scope *sc = &sn->sc;
	unsigned n_list = 0;
	struct eff e;

	/* parameters and options of the shared network, then the top level */
	if (sn->shared >= 0) {
		const struct scope *sh = &c->shared[sn->shared];

		merge_params(sc, sh);
		for (unsigned i = 0; i < sh->n_opts; i++) {
			bool have = false;

			for (unsigned j = 0; j < sc->n_opts; j++)
				have |= sc->opts[j].code == sh->opts[i].code;
			if (!have && sc->n_opts < MAX_OPTS) {
				sc->opts[sc->n_opts] = sh->opts[i];
				sc->opts[sc->n_opts].value = strdup(sh->opts[i].value);
				if (sc->opts[sc->n_opts].value == NULL)
					b->oom = true;
				else
					sc->n_opts++;
			}
		}
	}
	isc_sb_printf(b, "  {\n    subnet = \"%s/%u\";\n", lw_ip4_fmt(sn->net, ip), sn->plen);
	if (sc->has_dlt || sc->has_maxlt || sc->has_minlt || sc->has_auth) {
		struct scope m = *sc;

		merge_params(&m, &c->top);
		e = effective(&m);
		isc_sb_printf(b, "    authoritative = %s;\n", e.auth ? "true" : "false");
		isc_sb_printf(b, "    default_lease_time = ");
		isc_sb_uint(b, e.dlt);
		isc_sb_printf(b, ";\n    min_lease_time = ");
		isc_sb_uint(b, e.minlt);
		isc_sb_printf(b, ";\n    max_lease_time = ");
		isc_sb_uint(b, e.maxlt);
		isc_sb_printf(b, ";\n");
	}
	for (unsigned i = 0; i < sc->n_opts; i++) {
		const struct opt_val *o = &sc->opts[i];

		if (o->key != NULL)
			isc_sb_printf(b, "    %s = %s;\n", o->key, o->value);
		else if (!derived_mask(sn, o))
			n_list++;
	}
	if (n_list > 0) {
		isc_sb_printf(b, "    options = (\n");
		for (unsigned i = 0, k = 0; i < sc->n_opts; i++) {
			const struct opt_val *o = &sc->opts[i];

			if (o->key != NULL || derived_mask(sn, o))
				continue;
			if (k++)
				isc_sb_printf(b, ",\n");
			write_opt_entry(b, o, "      ");
		}
		isc_sb_printf(b, "\n    );\n");
	}
	if (sn->n_pools > 0) {
		isc_sb_printf(b, "    pools = (\n");
		for (size_t i = 0; i < sn->n_pools; i++) {
			const struct pool *p = &sn->pools[i];

			isc_sb_printf(b, "      { range = \"%s - %s\";", lw_ip4_fmt(p->start, ip),
				lw_ip4_fmt(p->end, ip2));
			if (p->failover[0] != '\0') {
				isc_sb_printf(b, " failover = ");
				isc_sb_quote(b, p->failover, strlen(p->failover));
				isc_sb_printf(b, ";");
			}
			isc_sb_printf(b, " }%s\n", i + 1 < sn->n_pools ? "," : "");
		}
		isc_sb_printf(b, "    );\n");
	}
	if (sn->n_resv > 0) {
		isc_sb_printf(b, "    reservations = (\n");
		for (size_t i = 0; i < sn->n_resv; i++) {
			const struct resv *r = &sn->resv[i];

			isc_sb_printf(b, "      { ");
			if (r->cid_len > 0) {
				isc_sb_printf(b, "client_id = ");
				isc_sb_hex(b, r->cid, r->cid_len);
			} else {
				isc_sb_printf(b, "hw_address = ");
				isc_sb_hex(b, r->hw, 6);
			}
			isc_sb_printf(b, "; address = \"%s\";", lw_ip4_fmt(r->addr, ip));
			if (r->name[0] != '\0') {
				isc_sb_printf(b, " hostname = ");
				isc_sb_quote(b, r->name, strlen(r->name));
				isc_sb_printf(b, ";");
			}
			isc_sb_printf(b, " }%s\n", i + 1 < sn->n_resv ? "," : "");
		}
		isc_sb_printf(b, "    );\n");
	}
	isc_sb_printf(b, "  }");
}

int isc_conf_emit(struct conv *c, const char *src, const struct isc_conf_opts *opts,
	struct isc_conf_result *r)
{
	struct isc_sb b = {0};
	struct eff e = effective(&c->top);
	struct port_guess guess = {0};

	if (opts != NULL && opts->ports != NULL && opts->n_ports > 0) {
		for (size_t i = 0; i < opts->n_ports && c->n_server_addrs < 64; i++) {
			char a[sizeof(opts->ports[i].address) + 1];
			uint32_t addr;
			uint8_t plen;

			isc_copy_str(a, sizeof(a), opts->ports[i].address);
			if (lw_prefix_parse(a, &addr, &plen) == 0)
				c->server_addrs[c->n_server_addrs++] = addr;
		}
	} else if (c->has_fo && isc_conf_subnet_of(c, c->fo.addr) != NULL) {
		c->server_addrs[c->n_server_addrs++] = c->fo.addr;
	}
	for (size_t i = 0; i < c->n_subnets; i++)
		if (fix_pools(c, &c->subnets[i]) < 0)
			return -1;
	if (place_hosts(c) < 0)
		return -1;
	if ((opts == NULL || opts->ports == NULL || opts->n_ports == 0) &&
		guess_port(c, src, &guess) < 0)
		return -1;
	isc_sb_printf(&b,
		"# leasewire configuration converted from ISC dhcpd's %s by "
		"leasewire-import.\n",
		src);
	isc_sb_printf(&b, "# EDIT before use: dataplane.eal_args and the ports (device, address): "
			  "dhcpd.conf\n# has no equivalent of them. Reference: doc/config.md; what "
			  "was not carried\n# over: the importer's report.\n\n");
	write_eal(&b, opts);
	isc_sb_printf(&b, "# dhcpd's defaults where dhcpd.conf sets nothing\n");
	isc_sb_printf(&b, "server = {\n  authoritative = %s;\n", e.auth ? "true" : "false");
	isc_sb_printf(&b, "  default_lease_time = ");
	isc_sb_uint(&b, e.dlt);
	isc_sb_printf(&b, ";\n  min_lease_time = ");
	isc_sb_uint(&b, e.minlt);
	isc_sb_printf(&b, ";\n  max_lease_time = ");
	isc_sb_uint(&b, e.maxlt);
	isc_sb_printf(&b, ";\n};\n\n");
	write_ports(&b, opts, &guess);
	if (c->top.n_opts > 0) {
		isc_sb_printf(&b, "options = (\n");
		for (unsigned i = 0; i < c->top.n_opts; i++) {
			write_opt_entry(&b, &c->top.opts[i], "  ");
			isc_sb_printf(&b, "%s\n", i + 1 < c->top.n_opts ? "," : "");
		}
		isc_sb_printf(&b, ");\n\n");
	}
	if (c->has_fo)
		write_failover(c, &b);
	if (c->n_subnets > 0) {
		isc_sb_printf(&b, "subnets = (\n");
		for (size_t i = 0; i < c->n_subnets; i++) {
			write_subnet(c, &b, &c->subnets[i]);
			isc_sb_printf(&b, "%s\n", i + 1 < c->n_subnets ? "," : "");
		}
		isc_sb_printf(&b, ");\n");
	}
	if (b.oom) {
		free(b.p);
		return -1;
	}
	r->text = b.p;
	r->text_len = b.n;
	r->n_subnets = (unsigned)c->n_subnets;
	r->n_hosts = c->n_hosts_placed;
	r->n_failover = c->has_fo;
	for (size_t i = 0; i < c->n_subnets; i++)
		r->n_pools += (unsigned)c->subnets[i].n_pools;
	return 0;
}
