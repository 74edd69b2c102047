/* SPDX-License-Identifier: MPL-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "common/lw_ip.h"
#include "neigh.h"
#include "port.h"
#include "shard.h"
#include "worker.h"

#define RXD_MAX	   1024
#define TXD_MAX	   1024
#define DESC_MIN   128
#define POOL_CACHE 256

static bool is_af_packet(const char *dev)
{
	return strncmp(dev, "net_af_packet", 13) == 0 || strncmp(dev, "eth_af_packet", 13) == 0;
}

/* Reads exactly n hex digits; returns the position after them or NULL. */
static const char *hex_n(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return NULL;
	return s + n;
}

/* BB:DD.F */
static bool is_bdf(const char *s)
{
	s = hex_n(s, 2);
	if (s == NULL || *s++ != ':')
		return false;
	s = hex_n(s, 2);
	if (s == NULL || *s++ != '.')
		return false;
	return s[0] >= '0' && s[0] <= '7' && s[1] == '\0';
}

bool port_device_is_pci(const char *dev)
{
	const char *s = hex_n(dev, 4);

	if (s != NULL && *s == ':' && is_bdf(s + 1))
		return true;
	return is_bdf(dev);
}

void port_device_name(const char *dev, char *name, size_t len)
{
	if (port_device_is_pci(dev) && strlen(dev) == 7) {
		snprintf(name, len, "0000:%s", dev);
		return;
	}
	snprintf(name, len, "%.*s", (int)strcspn(dev, ","), dev);
}

int port_eal_args(
	const struct lw_port_conf *pc, unsigned n_workers, char **argv, int *argc, int max)
{
	char *opt, *val;

	if (*argc + 2 > max)
		return -1;
	if (port_device_is_pci(pc->device)) {
		opt = strdup("-a");
		val = strdup(pc->device);
	} else {
		opt = strdup("--vdev");
		/* af_packet makes one socket per queue pair, in one fanout group. */
		if (is_af_packet(pc->device) && n_workers > 1 &&
			strstr(pc->device, "qpairs=") == NULL) {
			if (asprintf(&val, "%s,qpairs=%u", pc->device, n_workers) < 0)
				val = NULL;
		} else {
			val = strdup(pc->device);
		}
	}
	if (opt == NULL || val == NULL) {
		free(opt);
		free(val);
		return -1;
	}
	argv[(*argc)++] = opt;
	argv[(*argc)++] = val;
	return 0;
}

/* Mbufs the port needs at least, per worker: its RX ring full, its TX ring
 * full, its TX buffer and a burst in flight, the replies it may hold for
 * ARP, and its mempool cache. Steering rings are not counted: when they
 * fill, RX runs dry and drops, which is what must happen then anyway. */
static unsigned mbufs_needed(unsigned n, unsigned rxd, unsigned txd)
{
	return n * (rxd + txd + 2 * LW_BURST + NEIGH_PENDING + POOL_CACHE);
}

static const char *fmt_mac(const uint8_t *m, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

int port_open(struct lw_port *p, const struct lw_config *cfg, unsigned idx, unsigned n_queues,
	char *err, size_t errlen)
{
	const struct lw_port_conf *pc = &cfg->ports[idx];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char key[64], pool_name[RTE_MEMPOOL_NAMESIZE];
	unsigned rxd = RXD_MAX, txd = TXD_MAX;
	uint64_t rss;
	int socket, rc;

	memset(p, 0, sizeof(*p));
	p->idx = (uint16_t)idx;
	p->conf = pc;
	p->n_queues = (uint16_t)n_queues;
	snprintf(key, sizeof(key), "ports[%u] (\"%s\")", idx, pc->name);
	port_device_name(pc->device, p->dev_name, sizeof(p->dev_name));

	if (rte_eth_dev_get_port_by_name(p->dev_name, &p->port_id) != 0) {
		snprintf(err, errlen,
			"%s: %s.device \"%s\": no DPDK port named \"%s\" (for a vdev, check the "
			"driver "
			"name and its arguments; for a PCI NIC, check that it is bound to "
			"vfio-pci)",
			cfg->path, key, pc->device, p->dev_name);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s.device \"%s\": cannot read the device info: %s",
			cfg->path, key, pc->device, rte_strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < n_queues || info.max_tx_queues < n_queues) {
		snprintf(err, errlen,
			"%s: %s.device \"%s\": the device gives %u RX / %u TX queues, the %u "
			"workers need "
			"one each; lower the worker lcores in dataplane.eal_args%s",
			cfg->path, key, pc->device, info.max_rx_queues, info.max_tx_queues,
			n_queues,
			is_af_packet(pc->device)
				? " or set qpairs in the device string to the worker count"
				: "");
		return -EINVAL;
	}

	while (mbufs_needed(n_queues, rxd, txd) > cfg->mbufs && rxd > DESC_MIN) {
		rxd /= 2;
		txd /= 2;
	}
	if (mbufs_needed(n_queues, rxd, txd) > cfg->mbufs) {
		snprintf(err, errlen,
			"%s: dataplane.mbufs = %u is too small for %u workers on port %s: set it "
			"to at "
			"least %u",
			cfg->path, cfg->mbufs, n_queues, pc->name,
			mbufs_needed(n_queues, rxd, txd));
		return -EINVAL;
	}

	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	snprintf(pool_name, sizeof(pool_name), "lw_mbuf_%u", idx);
	p->pool = rte_pktmbuf_pool_create(
		pool_name, cfg->mbufs, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (p->pool == NULL) {
		snprintf(err, errlen,
			"%s: dataplane.mbufs: cannot allocate %u mbufs for port %s (%s); lower "
			"dataplane.mbufs or give EAL more memory (-m, hugepages) in "
			"dataplane.eal_args",
			cfg->path, cfg->mbufs, pc->name, rte_strerror(rte_errno));
		return -ENOMEM;
	}

	memset(&conf, 0, sizeof(conf));
	/* DHCP clients all send 0.0.0.0 -> 255.255.255.255, so only an L2
	 * source hash spreads them; IP/UDP RSS is still better than nothing
	 * for relayed traffic. The workers steer whatever lands wrong. */
	rss = (RTE_ETH_RSS_ETH | RTE_ETH_RSS_L2_SRC_ONLY | RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) &
	      info.flow_type_rss_offloads;
	if (n_queues > 1 && rss != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = rss;
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
		p->rx_ip_cksum = true;
	}
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) &&
		(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM)) {
		conf.txmode.offloads |=
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		p->tx_cksum_offload = true;
	}
	/* Every mbuf sent on a port comes from that port's pool with refcnt 1. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(p->port_id, (uint16_t)n_queues, (uint16_t)n_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s.device \"%s\": configuring %u queues failed: %s",
			cfg->path, key, pc->device, n_queues, rte_strerror(-rc));
		return rc;
	}
	p->configured = true;

	if (pc->mtu) {
		rc = rte_eth_dev_set_mtu(p->port_id, pc->mtu);
		if (rc != 0) {
			snprintf(err, errlen,
				"%s: %s.mtu = %u: the device refuses it (%s); remove it "
				"or choose a value the device supports",
				cfg->path, key, pc->mtu, rte_strerror(-rc));
			return rc;
		}
	}
	if (rte_eth_dev_get_mtu(p->port_id, &p->mtu) != 0 || p->mtu == 0)
		p->mtu = RTE_ETHER_MTU;

	p->nb_rxd = (uint16_t)rxd;
	p->nb_txd = (uint16_t)txd;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &p->nb_rxd, &p->nb_txd);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s.device \"%s\": descriptor counts refused: %s",
			cfg->path, key, pc->device, rte_strerror(-rc));
		return rc;
	}
	for (unsigned q = 0; q < n_queues; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		struct rte_eth_txconf txc = info.default_txconf;

		rxc.offloads = conf.rxmode.offloads;
		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_rx_queue_setup(
			p->port_id, (uint16_t)q, p->nb_rxd, (unsigned)socket, &rxc, p->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(
				p->port_id, (uint16_t)q, p->nb_txd, (unsigned)socket, &txc);
		if (rc != 0) {
			snprintf(err, errlen,
				"%s: %s.device \"%s\": setting up queue %u failed: %s", cfg->path,
				key, pc->device, q, rte_strerror(-rc));
			return rc;
		}
	}

	/* Frames for other MACs are never ours; the classifier checks anyway. */
	rc = rte_eth_promiscuous_disable(p->port_id);
	if (rc != 0 && rc != -ENOTSUP)
		fprintf(stderr,
			"leasewire-dataplane: port %s: cannot turn promiscuous mode off: %s\n",
			pc->name, rte_strerror(-rc));

	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s.device \"%s\": the device does not start: %s",
			cfg->path, key, pc->device, rte_strerror(-rc));
		return rc;
	}
	p->started = true;

	rc = rte_eth_macaddr_get(p->port_id, &mac);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s.device \"%s\": cannot read the MAC address: %s",
			cfg->path, key, pc->device, rte_strerror(-rc));
		return rc;
	}
	pkt_port_init(&p->pp, mac.addr_bytes, pc->addr, pc->plen);
	return 0;
}

void port_print(const struct lw_port *p, FILE *f)
{
	char mac[18], ip[LW_IP4_STRLEN];

	fprintf(f,
		"leasewire-dataplane: port %s: id %u (%s), mac %s, address %s/%u, mtu %u, %u rx + "
		"%u tx "
		"queues (%u/%u descriptors), rx ipv4 checksum %s, tx ipv4/udp checksum %s\n",
		p->conf->name, p->port_id, p->dev_name, fmt_mac(p->pp.mac, mac),
		lw_ip4_fmt(p->conf->addr, ip), p->conf->plen, p->mtu, p->n_queues, p->n_queues,
		p->nb_rxd, p->nb_txd, p->rx_ip_cksum ? "offload" : "software",
		p->tx_cksum_offload ? "offload" : "software");
}

void port_close(struct lw_port *p)
{
	int rc;

	if (p->started) {
		rc = rte_eth_dev_stop(p->port_id);
		if (rc != 0)
			fprintf(stderr, "leasewire-dataplane: port %s: stop failed: %s\n",
				p->conf->name, rte_strerror(-rc));
		p->started = false;
	}
	if (p->configured) {
		rte_eth_dev_close(p->port_id);
		p->configured = false;
	}
	rte_mempool_free(p->pool);
	p->pool = NULL;
}
