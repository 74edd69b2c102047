/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_ip.h"
#include "reload.h"

static int refuse(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(msg + n, len - (size_t)n, "; restart the dataplane to apply");
	return -ENOTSUP;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The reserved addresses of subnet s that lie inside one of its pools, sorted. */
static uint32_t *in_pool_reservations(const struct lw_config *cfg, unsigned s, unsigned *n)
{
	const struct lw_subnet_conf *sn = &cfg->subnets[s];
	uint32_t *a = malloc((sn->n_reservations ? sn->n_reservations : 1) * sizeof(*a));

	*n = 0;
	if (a == NULL)
		return NULL;
	for (unsigned r = 0; r < sn->n_reservations; r++)
		if (lw_config_pool_for(cfg, sn, sn->reservations[r].addr) >= 0)
			a[(*n)++] = sn->reservations[r].addr;
	qsort(a, *n, sizeof(*a), cmp_u32);
	return a;
}

static int same_reservations(const struct lw_config *cur, const struct lw_config *next, unsigned s,
	char *msg, size_t len)
{
	char ip[LW_IP4_STRLEN], net[LW_IP4_STRLEN];
	unsigned na, nb, i = 0, j = 0;
	uint32_t *a = in_pool_reservations(cur, s, &na);
	uint32_t *b = in_pool_reservations(next, s, &nb);
	int rc = 0;

	if (a == NULL || b == NULL) {
		rc = -ENOMEM;
		snprintf(msg, len, "out of memory comparing the reservations");
		goto out;
	}
	while (i < na && j < nb && a[i] == b[j])
		i++, j++;
	if (i < na || j < nb) {
		bool added = i == na || (j < nb && b[j] < a[i]);

		rc = refuse(msg, len,
			"reservations of subnet %s/%u: %s is %s inside a pool (reserved addresses "
			"inside pools must stay the same)",
			lw_ip4_fmt(cur->subnets[s].net, net), cur->subnets[s].plen,
			lw_ip4_fmt(added ? b[j] : a[i], ip),
			added ? "newly reserved" : "no longer reserved");
	}
out:
	free(a);
	free(b);
	return rc;
}

static bool same_eal_args(const struct lw_config *a, const struct lw_config *b)
{
	if (a->eal_argc != b->eal_argc)
		return false;
	for (int i = 1; i < a->eal_argc; i++)
		if (strcmp(a->eal_argv[i], b->eal_argv[i]) != 0)
			return false;
	return true;
}

int reload_check(const struct lw_config *cur, const struct lw_config *next, char *msg, size_t len)
{
	char ip[LW_IP4_STRLEN];

	if (!same_eal_args(cur, next))
		return refuse(msg, len, "dataplane.eal_args changed");
	if (cur->mbufs != next->mbufs)
		return refuse(
			msg, len, "dataplane.mbufs changed (%u -> %u)", cur->mbufs, next->mbufs);
	if (cur->max_leases != next->max_leases)
		return refuse(msg, len, "dataplane.max_leases changed (%u -> %u)", cur->max_leases,
			next->max_leases);
	if (strcmp(cur->control.shm, next->control.shm) != 0)
		return refuse(msg, len, "control.shm changed");
	if (cur->control.durability != next->control.durability)
		return refuse(msg, len, "control.durability changed");
	if (cur->control.ack_hold_ms != next->control.ack_hold_ms)
		return refuse(msg, len, "control.ack_hold_ms changed (%u -> %u)",
			cur->control.ack_hold_ms, next->control.ack_hold_ms);

	if (cur->n_ports != next->n_ports)
		return refuse(msg, len, "ports: %u ports, now %u", cur->n_ports, next->n_ports);
	for (unsigned i = 0; i < cur->n_ports; i++) {
		const struct lw_port_conf *a = &cur->ports[i], *b = &next->ports[i];
		const char *what = NULL;

		if (strcmp(a->name, b->name) != 0)
			what = "name";
		else if (strcmp(a->device, b->device) != 0)
			what = "device";
		else if (a->addr != b->addr || a->plen != b->plen)
			what = "address";
		else if (a->mtu != b->mtu)
			what = "mtu";
		if (what)
			return refuse(msg, len, "ports[%u] (\"%s\").%s changed", i, a->name, what);
	}

	if (cur->n_subnets != next->n_subnets)
		return refuse(
			msg, len, "subnets: %u subnets, now %u", cur->n_subnets, next->n_subnets);
	for (unsigned s = 0; s < cur->n_subnets; s++) {
		const struct lw_subnet_conf *a = &cur->subnets[s], *b = &next->subnets[s];

		if (a->net != b->net || a->plen != b->plen)
			return refuse(msg, len, "subnet %s/%u changed or moved",
				lw_ip4_fmt(a->net, ip), a->plen);
		if (a->n_pools != b->n_pools || a->first_pool != b->first_pool)
			return refuse(msg, len, "the pools of subnet %s/%u changed",
				lw_ip4_fmt(a->net, ip), a->plen);
	}
	if (cur->n_pools != next->n_pools)
		return refuse(msg, len, "pools: %u pools, now %u", cur->n_pools, next->n_pools);
	for (unsigned p = 0; p < cur->n_pools; p++) {
		const struct lw_pool_conf *a = &cur->pools[p], *b = &next->pools[p];

		if (a->start != b->start || a->end != b->end || a->subnet != b->subnet) {
			char ip2[LW_IP4_STRLEN];

			return refuse(msg, len, "pool %s - %s changed", lw_ip4_fmt(a->start, ip),
				lw_ip4_fmt(a->end, ip2));
		}
		/* Failover pools start parked in the address tables. */
		if (a->failover != b->failover) {
			char ip2[LW_IP4_STRLEN];

			return refuse(msg, len, "pool %s - %s %s a failover pool",
				lw_ip4_fmt(a->start, ip), lw_ip4_fmt(a->end, ip2),
				b->failover ? "became" : "is no longer");
		}
	}
	for (unsigned s = 0; s < cur->n_subnets; s++) {
		int rc = same_reservations(cur, next, s, msg, len);

		if (rc < 0)
			return rc;
	}
	return 0;
}
