/* SPDX-License-Identifier: MPL-2.0 */
/*
 * fo-sync-bench: how fast two leasewire servers keep each other's bindings.
 *
 *   fo-sync-bench [--leases N] [--rate R] [--window W] [--dir D] [--no-fsync]
 *
 * N at most 131,000 (the pool is 198.18.0.0/15; nothing is sent to it).
 *
 * Runs two failover engines (control/fopeer.h) in this process, a primary
 * and a secondary, each with its own store and journal under D, linked by
 * TCP over loopback (127.0.0.1 and 127.0.0.2, port 0 = any). Both start
 * NORMAL (a saved state), so the measurement is the steady state:
 *
 *  - N ACTIVE bindings are committed on the primary as a worker would
 *    (journaled, then queued for the peer), at R per second (0 = as fast
 *    as the journal takes them);
 *  - each one goes out as a BNDUPD within the secondary's window W
 *    (max-unacked-updates), the secondary checks it, journals it and
 *    acknowledges it once durable, the primary journals the acknowledgement.
 *
 * Prints the updates per second end to end (first commit to last BNDACK),
 * the largest backlog and the time the last binding waited, with the
 * durability used (fsync group commit, or none). No dataplane: this is the
 * control processes' part of the failover cost.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "common/lw_time.h"
#include "control/fopeer.h"
#include "control/leasedb.h"
#include "control/pump.h"
#include "control/store.h"

#define POOL_START 0xc6120000u /* 198.18.0.0: the pool is 198.18.0.0/15 */

struct side {
	struct lw_config *cfg;
	struct store *st;
	struct leasedb *db;
	struct pump pump;
	struct fopeer *fo;
};

static const char *cfg_text(char *buf, size_t len, const char *dir, const char *name,
	const char *role, const char *me, const char *peer, unsigned port, unsigned peer_port,
	unsigned window, bool fsync)
{
	snprintf(buf, len,
		"dataplane = { eal_args = [ \"--no-huge\" ]; };\n"
		"server = { default_lease_time = 3600; max_lease_time = 7200; };\n"
		"ports = ( { name = \"p\"; device = \"net_null0\"; address = \"198.18.0.1/15\"; } "
		");\n"
		"failover = { name = \"bench\"; role = \"%s\"; address = \"%s\"; port = %u;\n"
		"  peer_address = \"%s\"; peer_port = %u; max_response_delay = 30;\n"
		"  max_unacked_updates = %u; %s };\n"
		"subnets = ( { subnet = \"198.18.0.0/15\";\n"
		"  pools = ( { range = \"198.18.0.10 - 198.19.255.250\"; failover = \"bench\"; } "
		"); } );\n"
		"control = { socket = \"%s/%s.sock\"; state_dir = \"%s/%s\"; shm = "
		"\"fo-bench-%s-%d\";\n"
		"  durability = \"%s\"; };\n",
		role, me, port, peer, peer_port, window,
		strcmp(role, "primary") == 0 ? "mclt = 3600; split = 128;" : "", dir, name, dir,
		name, name, (int)getpid(), fsync ? "fsync" : "none");
	return buf;
}

static int side_open(struct side *s, const char *dir, const char *name, const char *text)
{
	char err[512], path[600];
	FILE *f;

	if (lw_config_load_string(text, name, &s->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "fo-sync-bench: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	mkdir(path, 0750);
	/* A saved NORMAL: the pair comes back through STARTUP, no RECOVER. */
	snprintf(path, sizeof(path), "%s/%s/failover.state", dir, name);
	f = fopen(path, "w");
	if (f) {
		fprintf(f,
			"relationship bench\nmy-state normal\nmy-stos %u\npartner-state normal\n"
			"mclt 3600\nhba "
			"ffffffffffffffffffffffffffffffff00000000000000000000000000000000\n",
			(unsigned)time(NULL));
		fclose(f);
	}
	s->st = store_create(1u << 20);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s->db = s->st ? leasedb_open(path, s->st, NULL, err, sizeof(err)) : NULL;
	if (s->db == NULL) {
		fprintf(stderr, "fo-sync-bench: %s\n", err);
		return -1;
	}
	pump_init(&s->pump, s->cfg, s->st, s->db);
	s->pump.quiet = true;
	s->fo = fopeer_create(s->cfg, s->st, &s->pump, true, err, sizeof(err));
	if (s->fo == NULL) {
		fprintf(stderr, "fo-sync-bench: %s\n", err);
		return -1;
	}
	s->pump.on_event = fopeer_on_event;
	s->pump.on_event_arg = s->fo;
	return 0;
}

static void turn(struct side *a, struct side *b)
{
	uint64_t ns = lw_mono_ns();

	pump_poll(&a->pump, ns);
	pump_poll(&b->pump, ns);
	fopeer_poll(a->fo, ns / 1000000u);
	fopeer_poll(b->fo, ns / 1000000u);
}

static json_int_t field(struct fopeer *f, const char *key)
{
	json_t *o = json_object();
	json_int_t v;

	fopeer_status(f, o);
	v = json_integer_value(json_object_get(o, key));
	json_decref(o);
	return v;
}

static const char *state(struct fopeer *f, char *buf)
{
	json_t *o = json_object();

	fopeer_status(f, o);
	snprintf(buf, 32, "%s", json_string_value(json_object_get(o, "local-state")));
	json_decref(o);
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"leases", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'}, {"window", required_argument, NULL, 'w'},
		{"dir", required_argument, NULL, 'd'}, {"no-fsync", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0}};
	unsigned n = 100000, window = 1000, port = 20000 + (unsigned)getpid() % 20000;
	double rate = 0;
	bool fsync = true;
	const char *dir = NULL;
	char t1[2048], t2[2048], s1[32], s2[32], offered[32], tmpl[] = "/tmp/fo-sync-bench.XXXXXX";
	struct side p = {0}, s = {0};
	uint64_t t0, t_end, deadline, sent = 0, max_backlog = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 'w':
			window = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'F':
			fsync = false;
			break;
		default:
			fprintf(stderr, "usage: fo-sync-bench [--leases N] [--rate R] [--window W] "
					"[--dir D] [--no-fsync]\n");
			return 2;
		}
	}
	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (side_open(&s, dir, "secondary",
		    cfg_text(t2, sizeof(t2), dir, "secondary", "secondary", "127.0.0.2",
			    "127.0.0.1", port + 1, port, window, fsync)) < 0 ||
		side_open(&p, dir, "primary",
			cfg_text(t1, sizeof(t1), dir, "primary", "primary", "127.0.0.1",
				"127.0.0.2", port, port + 1, window, fsync)) < 0)
		return 1;

	deadline = lw_mono_ns() + 30000000000ull;
	while (strcmp(state(p.fo, s1), "normal") || strcmp(state(s.fo, s2), "normal")) {
		turn(&p, &s);
		if (lw_mono_ns() > deadline) {
			fprintf(stderr, "fo-sync-bench: no NORMAL after 30 s (%s / %s)\n", s1, s2);
			return 1;
		}
	}

	t0 = lw_mono_ns();
	while (sent < n || field(p.fo, "backlog") || field(p.fo, "unacked-updates") ||
		store_count(s.st) < n) {
		uint64_t now = lw_mono_ns();
		uint64_t due = rate > 0 ? (uint64_t)((double)(now - t0) * rate / 1e9) : n;

		for (unsigned k = 0; sent < n && sent < due && k < 4096; k++, sent++) {
			struct lw_bind_event ev = {0};

			ev.type = LW_EV_BIND;
			ev.version = LW_RECORDS_VERSION;
			ev.worker = 0;
			ev.state = LW_BIND_ACTIVE;
			ev.addr = POOL_START + 10 + (uint32_t)sent;
			ev.start = (uint32_t)time(NULL);
			ev.end = ev.start + 3600;
			ev.key.kind = LW_KEY_HWADDR;
			ev.key.len = 7;
			ev.key.data[0] = 1;
			memcpy(ev.key.data + 3, &sent, 4);
			if (pump_append(&p.pump, &ev, now) < 0) {
				fprintf(stderr, "fo-sync-bench: journal append failed\n");
				return 1;
			}
		}
		turn(&p, &s);
		if ((uint64_t)field(p.fo, "backlog") > max_backlog)
			max_backlog = (uint64_t)field(p.fo, "backlog");
		if (now - t0 > 600000000000ull) {
			fprintf(stderr, "fo-sync-bench: not done after 600 s\n");
			return 1;
		}
	}
	t_end = lw_mono_ns();
	{
		double secs = (double)(t_end - t0) / 1e9;

		if (rate > 0)
			snprintf(offered, sizeof(offered), "%.0f/s", rate);
		else
			snprintf(offered, sizeof(offered), "as fast as possible");
		printf("fo-sync-bench: %u bindings, primary -> secondary, window %u, durability "
		       "%s, "
		       "offered %s\n",
			n, window, fsync ? "fsync (group commit)" : "none", offered);
		printf("  %.3f s end to end: %.0f updates/s (BNDUPD out, checked, journaled, "
		       "BNDACK "
		       "back, journaled)\n",
			secs, n / secs);
		printf("  backlog max %" PRIu64
		       " addresses; BNDUPD sent %lld, BNDACK received %lld, "
		       "rejected %lld\n",
			max_backlog, (long long)field(p.fo, "bndupd-sent"),
			(long long)field(p.fo, "bndack-received"),
			(long long)field(p.fo, "bndack-rejected-by-peer"));
		printf("  primary journal syncs %" PRIu64 ", secondary journal syncs %" PRIu64 "\n",
			p.pump.stats.syncs, s.pump.stats.syncs);
	}
	fopeer_free(p.fo);
	fopeer_free(s.fo);
	leasedb_close(p.db);
	leasedb_close(s.db);
	return 0;
}
