/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The dataplane's Ethernet ports: how a configured device becomes EAL
 * arguments, and how its ethdev is set up (one RX and one TX queue per
 * worker, one mbuf pool per port, checksum offloads when offered).
 *
 * Threading: everything here runs on the main lcore, before the workers
 * start or after they stopped. Workers only read struct lw_port.
 */
#ifndef LW_PORT_H
#define LW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "pkt.h"

struct rte_mempool;

struct lw_port {
	/* read by the workers for every frame */
	struct pkt_port pp;
	uint16_t port_id;
	uint16_t idx;	       /* index in cfg->ports */
	uint16_t mtu;	       /* IPv4 MTU of the port */
	bool tx_cksum_offload; /* the NIC fills IPv4 and UDP checksums */
	bool rx_ip_cksum;      /* the NIC verifies IPv4 header checksums */
	const struct lw_port_conf *conf;
	struct rte_mempool *pool;

	/* set-up only */
	uint16_t n_queues;
	uint16_t nb_rxd;
	uint16_t nb_txd;
	bool configured;
	bool started;
	char dev_name[LW_DEVICE_LEN]; /* the ethdev name */
};

/* 1 when dev is a PCI address: DDDD:BB:DD.F or BB:DD.F (hex). */
bool port_device_is_pci(const char *dev);

/*
 * The ethdev name of a configured device: the PCI address with its domain
 * ("0000:01:00.0"), or the vdev name before the first ','.
 */
void port_device_name(const char *dev, char *name, size_t len);

/*
 * Appends the EAL arguments that create the device of pc to argv (two
 * strings, allocated with strdup: the caller frees them): "-a ADDR" for a
 * PCI address, else "--vdev DEVICE", for net_af_packet with ",qpairs=N"
 * added when n_workers > 1 and the string has no qpairs. Returns 0, or -1
 * when argv has no room (max entries) or memory runs out.
 */
int port_eal_args(
	const struct lw_port_conf *pc, unsigned n_workers, char **argv, int *argc, int max);

/*
 * Finds, configures and starts the ethdev of cfg->ports[idx] with n_queues
 * RX and TX queues, and creates its mbuf pool (cfg->mbufs). On failure
 * returns a negative errno and writes one line into err naming the config
 * key and the fix; what was set up is undone by port_close().
 */
int port_open(struct lw_port *p, const struct lw_config *cfg, unsigned idx, unsigned n_queues,
	char *err, size_t errlen);

/* Prints one line per port: name, id, MAC, address, queues, offloads. */
void port_print(const struct lw_port *p, FILE *f);

/* Stops and closes the port, frees its pool. Safe on a port that failed to open. */
void port_close(struct lw_port *p);

#endif
