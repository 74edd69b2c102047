/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-import: takes over from ISC dhcpd 4.4. Converts its dhcpd.conf
 * into a leasewire configuration and writes its dhcpd.leases (bindings and
 * failover state) into a leasewire state directory (doc/migration.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "import/isc_conf.h"
#include "import/isc_leases.h"
#include "import/lease_import.h"

#define PROG	  "leasewire-import"
#define MAX_PORTS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " dhcpd-conf IN.conf -o OUT.cfg [--allow-partial]\n"
		"                        [--port NAME=DEVICE,ADDR/LEN]... [--eal \"ARGS\"]\n"
		"       " PROG " dhcpd-leases IN.leases -c leasewire.cfg [--state-dir DIR] "
		"[--force]\n"
		"                        [--allow-partial]\n"
		"       " PROG " --help | --version\n"
		"\n"
		"dhcpd-conf    converts an ISC dhcpd.conf (and what it includes) into a leasewire\n"
		"              configuration. Every statement that was not carried over is listed\n"
		"              at the end as FILE:LINE: STATEMENT: WHY; then the exit status is 1\n"
		"              and OUT is not written, unless --allow-partial.\n"
		"  -o, --output FILE     the leasewire configuration to write ('-': stdout)\n"
		"  --port NAME=DEVICE,ADDR/LEN\n"
		"                        a port leasewire serves on (ISC names its interfaces on\n"
		"                        its command line): DEVICE is a PCI address or a DPDK\n"
		"                        vdev, ADDR/LEN the server's address on that link;\n"
		"                        repeat for each port\n"
		"  --eal \"ARGS\"          dataplane.eal_args, space-separated\n"
		"  --allow-partial       write OUT and exit 0 even if statements were left out\n"
		"\n"
		"dhcpd-leases  writes an ISC dhcpd.leases into the lease database of leasewire's\n"
		"              state directory, and its `failover peer ... state` into\n"
		"              failover.state, so that leasewire starts in that server's seat\n"
		"              with its bindings and failover state. Stop dhcpd first.\n"
		"  -c, --config FILE     the leasewire configuration (from dhcpd-conf): pools,\n"
		"                        failover relationship, control.state_dir\n"
		"  --state-dir DIR       write here instead of control.state_dir\n"
		"  --force               replace a database the state directory already holds\n"
		"  --allow-partial       import even if active leases must be left out\n"
		"\n"
		"Exit status: 0 done, 1 error or statements left out, 2 usage.\n");
}

static void print_issues(const struct isc_issue *is, size_t n, const char *title)
{
	if (n == 0)
		return;
	fprintf(stderr, "%s (%zu):\n", title, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s:%u: %s: %s\n", is[i].file, is[i].line, is[i].stmt, is[i].why);
}

/* NAME=DEVICE,ADDR/LEN; the device may hold commas (vdev arguments). */
static int parse_port(const char *arg, struct isc_conf_port *p)
{
	const char *eq = strchr(arg, '='), *comma = strrchr(arg, ',');

	memset(p, 0, sizeof(*p));
	if (eq == NULL || comma == NULL || comma < eq || eq == arg || comma == eq + 1 ||
		comma[1] == '\0' || strchr(comma + 1, '/') == NULL)
		return -1;
	if ((size_t)(eq - arg) >= sizeof(p->name) ||
		(size_t)(comma - eq - 1) >= sizeof(p->device) ||
		strlen(comma + 1) >= sizeof(p->address))
		return -1;
	memcpy(p->name, arg, (size_t)(eq - arg));
	memcpy(p->device, eq + 1, (size_t)(comma - eq - 1));
	strcpy(p->address, comma + 1);
	return 0;
}

static int cmd_conf(int argc, char **argv)
{
	static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
		{"port", required_argument, NULL, 'p'}, {"eal", required_argument, NULL, 'e'},
		{"allow-partial", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct isc_conf_port ports[MAX_PORTS];
	struct isc_conf_opts opts = {0};
	struct isc_conf_result r = {0};
	struct lw_config *cfg = NULL;
	const char *out = NULL, *in;
	bool partial = false;
	char err[1024];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'p':
			if (opts.n_ports == MAX_PORTS ||
				parse_port(optarg, &ports[opts.n_ports]) < 0) {
				fprintf(stderr,
					PROG
					": --port %s: expected NAME=DEVICE,ADDR/LEN (at most %d)\n",
					optarg, MAX_PORTS);
				return 2;
			}
			opts.n_ports++;
			break;
		case 'e':
			opts.eal_args = optarg;
			break;
		case 'a':
			partial = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc || out == NULL) {
		usage(stderr);
		return 2;
	}
	in = argv[optind];
	opts.ports = opts.n_ports ? ports : NULL;
	if (isc_conf_convert(in, &opts, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	fprintf(stderr,
		PROG ": %s: %u subnets, %u pools, %u hosts, %u failover relationships converted; "
		     "%zu statements not carried over\n",
		in, r.n_subnets, r.n_pools, r.n_hosts, r.n_failover, r.n_issues);
	/* What leasewire will load must load: the same checks as --check. */
	if (lw_config_load_string(r.text, out, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": the converted configuration does not load: %s\n", err);
		print_issues(r.issues, r.n_issues, "not carried over");
		goto out;
	}
	if (r.n_issues && !partial) {
		print_issues(r.issues, r.n_issues, "not carried over");
		fprintf(stderr,
			PROG ": %s not written: review the statements above, then run again "
			     "with --allow-partial\n",
			out);
		goto out;
	}
	if (strcmp(out, "-") == 0) {
		fwrite(r.text, 1, r.text_len, stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
	} else {
		FILE *f = fopen(out, "w");

		if (f == NULL || fwrite(r.text, 1, r.text_len, f) != r.text_len || fclose(f) != 0) {
			fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
			goto out;
		}
		fprintf(stderr, PROG ": wrote %s\n", out);
		rc = 0;
	}
	print_issues(r.issues, r.n_issues, "not carried over");
out:
	lw_config_free(cfg);
	isc_conf_result_free(&r);
	return rc;
}

static const char *when(uint32_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return "-";
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static void summary(const char *in, const struct lease_import_report *r, bool failover, bool done)
{
	static const enum isc_binding order[] = {ISC_BIND_ACTIVE, ISC_BIND_FREE, ISC_BIND_BACKUP,
		ISC_BIND_EXPIRED, ISC_BIND_RELEASED, ISC_BIND_ABANDONED, ISC_BIND_RESET,
		ISC_BIND_BOOTP, ISC_BIND_RESERVED, ISC_BIND_NONE};
	static const enum lw_bind_state lw[] = {LW_BIND_ACTIVE, LW_BIND_BACKUP, LW_BIND_EXPIRED,
		LW_BIND_RELEASED, LW_BIND_DECLINED};
	unsigned total = 0;
	char a[40], b[40];

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		total += r->read[order[i]];
	printf("%s: %u leases:", in, total);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (r->read[order[i]])
			printf(" %s %u",
				order[i] == ISC_BIND_NONE ? "(no state)"
							  : isc_binding_name(order[i]),
				r->read[order[i]]);
	printf("\n");
	printf("%s %s:", done ? "wrote" : "would write", r->state_dir);
	for (size_t i = 0; i < sizeof(lw) / sizeof(lw[0]); i++)
		printf(" %s %u", lw_bind_state_name(lw[i]), r->written[lw[i]]);
	printf("; %u free (no record); %u left out\n", r->free, r->left_out);
	if (failover)
		printf("failover pools: %u bindings acknowledged by the partner, %u to send to "
		       "it\n",
			r->acked, r->pending);
	if (r->fo_name[0])
		printf("failover \"%s\": my state %s since %s, partner state %s since %s, mclt "
		       "%u%s\n",
			r->fo_name, fo_state_name(r->fo_my_state),
			when(r->fo_my_stos, a, sizeof(a)), fo_state_name(r->fo_partner_state),
			when(r->fo_partner_stos, b, sizeof(b)), r->fo_mclt,
			r->fo_written ? " -> failover.state" : "");
}

static int cmd_leases(int argc, char **argv)
{
	static const struct option lo[] = {{"config", required_argument, NULL, 'c'},
		{"state-dir", required_argument, NULL, 's'}, {"force", no_argument, NULL, 'f'},
		{"allow-partial", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct lease_import_opts o = {.log = stderr};
	struct lease_import_report rep;
	struct isc_leases l = {0};
	struct lw_config *cfg = NULL;
	const char *cfg_path = NULL, *in;
	char err[1024];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_path = optarg;
			break;
		case 's':
			o.state_dir = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 'a':
			o.allow_partial = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc || cfg_path == NULL) {
		usage(stderr);
		return 2;
	}
	in = argv[optind];
	if (lw_config_load(cfg_path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (isc_leases_parse(in, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	print_issues(l.issues, l.n_issues, "not understood in the lease file");
	if (!cfg->has_failover && l.n_peers)
		fprintf(stderr,
			PROG ": %s has the failover state of \"%s\" but %s has no failover block: "
			     "not imported\n",
			in, l.peers[0].name, cfg_path);
	if (cfg->has_failover && l.n_peers == 0)
		fprintf(stderr,
			PROG ": %s has no failover state for \"%s\": leasewire will start in "
			     "RECOVER and ask the partner for every binding\n",
			in, cfg->failover.name);
	if (lease_import(&l, cfg, &o, &rep, err, sizeof(err)) < 0) {
		summary(in, &rep, cfg->has_failover, false);
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	summary(in, &rep, cfg->has_failover, true);
	rc = 0;
out:
	isc_leases_free(&l);
	lw_config_free(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf(PROG " " LW_VERSION "\n");
		return 0;
	}
	if (strcmp(argv[1], "dhcpd-conf") == 0)
		return cmd_conf(argc - 1, argv + 1);
	if (strcmp(argv[1], "dhcpd-leases") == 0)
		return cmd_leases(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
