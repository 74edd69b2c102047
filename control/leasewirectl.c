/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewirectl: the operator's front-end to leasewire-control's socket.
 * One subcommand per control command; tables for people by default, the
 * reply's "arguments" as JSON with --json for scripts. The exit status is
 * the reply's result (common/lw_ctl.h), or EXIT_CONNECT when the socket
 * cannot be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/config.h"
#include "common/lw_ctl.h"
#include "control/ctlprint.h"

#define PROG "leasewirectl"

#ifndef LW_VERSION
#define LW_VERSION "unknown"
#endif

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2, /* also LW_CTL_UNSUPPORTED */
	EXIT_EMPTY = 3,
	EXIT_CONNECT = 4,
};

struct cli {
	const char *socket;
	bool json;
	int timeout_s;
};

/* How a successful reply's arguments are shown without --json. */
typedef void (*show_fn)(json_t *args, const char *text);

struct subcmd {
	const char *name;
	const char *usage;
	const char *summary;
	const char *details;
	int (*run)(struct cli *c, int argc, char **argv);
};

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see " PROG " --help)\n", stderr);
	exit(EXIT_USAGE);
}

/* ------------------------------------------------------------------------ */
/* Talking to the server */

static int connect_socket(const struct cli *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(c->socket) >= sizeof(sa.sun_path)) {
		fprintf(stderr, PROG ": socket path too long: %s\n", c->socket);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr,
			PROG
			": cannot connect to %s: %s\n"
			"  (is leasewire-control running? -s SOCKET or -c CONFIG names another "
			"socket)\n",
			c->socket, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends text, reads the reply until the server closes. */
static int exchange(const struct cli *c, const char *text, json_t **reply)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_error_t jerr;
	int fd, rc = EXIT_ERROR;

	fd = connect_socket(c);
	if (fd < 0)
		return EXIT_CONNECT;
	if (write_all(fd, text, strlen(text)) < 0) {
		fprintf(stderr, PROG ": %s: sending the request: %s\n", c->socket, strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, c->timeout_s * 1000) == 0) {
			fprintf(stderr, PROG ": %s: no reply within %d s\n", c->socket,
				c->timeout_s);
			goto out;
		}
		if (cap - len < 65536) {
			char *p = realloc(buf, cap ? cap * 2 : 65536);

			if (p == NULL) {
				fprintf(stderr, PROG ": out of memory\n");
				goto out;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": %s: reading the reply: %s\n", c->socket,
				strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*reply = json_loadb(buf ? buf : "", len, 0, &jerr);
	if (*reply == NULL || !json_is_object(*reply) ||
		!json_is_integer(json_object_get(*reply, "result"))) {
		fprintf(stderr, PROG ": %s: malformed reply (%s)\n", c->socket,
			*reply ? "no result" : jerr.text);
		json_decref(*reply);
		*reply = NULL;
		goto out;
	}
	rc = EXIT_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

static int exit_for(json_int_t result)
{
	switch (result) {
	case LW_CTL_OK:
		return EXIT_OK;
	case LW_CTL_UNSUPPORTED:
		return EXIT_USAGE;
	case LW_CTL_EMPTY:
		return EXIT_EMPTY;
	default:
		return EXIT_ERROR;
	}
}

/*
 * Runs command with args (stolen; NULL for none) and shows the outcome:
 * --json prints the arguments, otherwise show() (or the text) does.
 */
static int call(const struct cli *c, const char *command, json_t *args, show_fn show)
{
	json_t *req = json_pack("{s:s, s:i}", "command", command, "ctl-version", LW_CTL_VERSION);
	json_t *reply = NULL, *rargs;
	const char *text;
	json_int_t result;
	char *out;
	int rc;

	if (args != NULL)
		json_object_set_new(req, "arguments", args);
	out = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	rc = exchange(c, out, &reply);
	free(out);
	if (rc != EXIT_OK)
		return rc;
	result = json_integer_value(json_object_get(reply, "result"));
	text = json_string_value(json_object_get(reply, "text"));
	rargs = json_object_get(reply, "arguments");
	if (c->json) {
		char *s =
			json_dumps(rargs ? rargs : json_object(), JSON_INDENT(2) | JSON_ENCODE_ANY);

		if (rargs || result == LW_CTL_OK)
			printf("%s\n", s);
		free(s);
	} else if (result == LW_CTL_OK && show != NULL) {
		show(rargs, text);
	} else if (result == LW_CTL_OK && text != NULL) {
		printf("%s\n", text);
	}
	if (result != LW_CTL_OK)
		fprintf(stderr, PROG ": %s\n", text ? text : lw_ctl_result_name((int)result));
	json_decref(reply);
	return exit_for(result);
}

/* ------------------------------------------------------------------------ */
/* Subcommands */

static const struct subcmd *find_subcmd(const char *name);
static void subcmd_help(const struct subcmd *s, FILE *f);

/*
 * getopt_long over a subcommand's argv with --help and --json added;
 * returns the option letter, -1 at the end. --help exits.
 */
static int sub_getopt(
	struct cli *c, int argc, char **argv, const char *shortopts, const struct option *extra)
{
	struct option opts[16];
	char so[32];
	unsigned n = 0;
	int ch;

	for (; extra && extra[n].name; n++)
		opts[n] = extra[n];
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n++] = (struct option){"json", no_argument, NULL, 'J'};
	opts[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(so, sizeof(so), "+h%s", shortopts);
	ch = getopt_long(argc, argv, so, opts, NULL);
	if (ch == 'h') {
		subcmd_help(find_subcmd(argv[0]), stdout);
		exit(EXIT_OK);
	}
	if (ch == 'J') {
		c->json = true;
		return sub_getopt(c, argc, argv, shortopts, extra);
	}
	if (ch == '?')
		die_usage("%s: bad option", argv[0]);
	return ch;
}

static void no_more_args(int argc, char **argv, int max)
{
	if (argc - optind > max)
		die_usage("%s: unexpected argument '%s'", argv[0], argv[optind + max]);
}

static int run_simple(struct cli *c, int argc, char **argv, const char *command, show_fn show)
{
	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	no_more_args(argc, argv, 0);
	return call(c, command, NULL, show);
}

static int run_status(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "status-get", ctlprint_status);
}

static int run_failover(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "failover-status", ctlprint_status);
}

static int run_partner_down(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "failover-partner-down", NULL);
}

static int run_version(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "version-get", ctlprint_version);
}

static int run_reload(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "config-reload", NULL);
}

static int run_config_get(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "config-get", ctlprint_json);
}

static int run_stats_reset(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "statistic-reset-all", NULL);
}

static int run_shutdown(struct cli *c, int argc, char **argv)
{
	return run_simple(c, argc, argv, "shutdown", NULL);
}

static int run_commands(struct cli *c, int argc, char **argv)
{
	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	no_more_args(argc, argv, 0);
	return call(c, "list-commands", json_pack("{s:b}", "help", !c->json), ctlprint_commands);
}

static int run_stats(struct cli *c, int argc, char **argv)
{
	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	no_more_args(argc, argv, 1);
	if (optind < argc)
		return call(c, "statistic-get", json_pack("{s:s}", "name", argv[optind]),
			ctlprint_stats);
	return call(c, "statistic-get-all", NULL, ctlprint_stats);
}

static int run_config_test(struct cli *c, int argc, char **argv)
{
	char path[PATH_MAX];

	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	no_more_args(argc, argv, 1);
	if (optind == argc)
		return call(c, "config-test", NULL, NULL);
	/* The server opens it: it needs an absolute path. */
	if (realpath(argv[optind], path) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", argv[optind], strerror(errno));
		return EXIT_ERROR;
	}
	return call(c, "config-test", json_pack("{s:s}", "path", path), NULL);
}

static int run_lease(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"hw", required_argument, NULL, 'H'},
		{"client-id", required_argument, NULL, 'C'},
		{"subnet", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *hw = NULL, *cid = NULL;
	long subnet = 0;
	json_t *args;
	int ch;

	while ((ch = sub_getopt(c, argc, argv, "", opts)) != -1) {
		if (ch == 'H')
			hw = optarg;
		else if (ch == 'C')
			cid = optarg;
		else if (ch == 'S' && (subnet = strtol(optarg, NULL, 10)) < 1)
			die_usage("lease: --subnet takes a subnet id (1, 2, ...)");
	}
	if ((hw != NULL) + (cid != NULL) + (optind < argc) != 1)
		die_usage("lease: give one of ADDR, --hw MAC, --client-id HEX");
	no_more_args(argc, argv, 1);
	if (optind < argc)
		args = json_pack("{s:s}", "ip-address", argv[optind]);
	else
		args = json_pack("{s:s, s:s}", "identifier-type", hw ? "hw-address" : "client-id",
			"identifier", hw ? hw : cid);
	if (subnet > 0)
		json_object_set_new(args, "subnet-id", json_integer(subnet));
	return call(c, "lease4-get", args, ctlprint_lease);
}

static int run_lease_del(struct cli *c, int argc, char **argv)
{
	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	if (argc - optind != 1)
		die_usage("lease-del: give the lease's address");
	return call(c, "lease4-del", json_pack("{s:s}", "ip-address", argv[optind]), NULL);
}

/* What the page shown last ended with, for the hint to the next one. */
static char page_last[64];
static size_t page_count;

static void show_page(json_t *args, const char *text)
{
	json_t *leases = json_object_get(args, "leases");

	ctlprint_leases(args, text);
	page_count = json_array_size(leases);
	snprintf(page_last, sizeof(page_last), "%s",
		ctlprint_str(json_array_get(leases, page_count - 1), "ip-address"));
}

static int run_leases(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"page", no_argument, NULL, 'P'},
		{"limit", required_argument, NULL, 'L'},
		{"from", required_argument, NULL, 'F'},
		{"subnet", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	json_t *subnets = json_array(), *reply_args;
	const char *from = "start";
	bool page = false;
	long limit = 1000;
	int ch, rc;

	while ((ch = sub_getopt(c, argc, argv, "", opts)) != -1) {
		long v = optarg ? strtol(optarg, NULL, 10) : 0;

		if (ch == 'P') {
			page = true;
		} else if (ch == 'L') {
			if (v < 1 || v > (long)LW_CTL_PAGE_LIMIT_MAX)
				die_usage("leases: --limit takes 1 to %u", LW_CTL_PAGE_LIMIT_MAX);
			limit = v;
			page = true;
		} else if (ch == 'F') {
			from = optarg;
			page = true;
		} else if (ch == 'S') {
			if (v < 1)
				die_usage("leases: --subnet takes a subnet id (1, 2, ...)");
			json_array_append_new(subnets, json_integer(v));
		}
	}
	no_more_args(argc, argv, 0);
	if (!page) {
		reply_args =
			json_array_size(subnets) ? json_pack("{s:o}", "subnets", subnets) : NULL;
		if (reply_args == NULL)
			json_decref(subnets);
		return call(c, "lease4-get-all", reply_args, ctlprint_leases);
	}
	if (json_array_size(subnets))
		die_usage("leases: --subnet does not go with --page/--limit/--from");
	json_decref(subnets);
	rc = call(c, "lease4-get-page", json_pack("{s:s, s:i}", "from", from, "limit", (int)limit),
		show_page);
	if (rc == EXIT_OK && !c->json && page_count == (size_t)limit)
		fprintf(stderr, "(more: " PROG " leases --from %s --limit %ld)\n", page_last,
			limit);
	return rc;
}

/* Writes text to path through path.tmp and a rename. */
static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, PROG ": %s: path too long\n", path);
		return EXIT_ERROR;
	}
	f = fopen(tmp, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) < 0 ||
		fclose(f) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", f ? path : tmp, strerror(errno));
		unlink(tmp);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int run_lease_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"server-file", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL, *out = "-", *server = NULL;
	json_t *req, *reply = NULL, *text;
	char *s;
	int ch, rc;

	while ((ch = sub_getopt(c, argc, argv, "f:o:", opts)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch == 'o')
			out = optarg;
		else if (ch == 'S')
			server = optarg;
	}
	no_more_args(argc, argv, 0);
	if (format == NULL || (strcmp(format, "isc") != 0 && strcmp(format, "kea") != 0))
		die_usage("lease-export: --format isc or --format kea");
	if (server != NULL)
		return call(c, "leases-export",
			json_pack("{s:s, s:s}", "format", format, "path", server), NULL);
	req = json_pack("{s:s, s:i, s:{s:s, s:b}}", "command", "leases-export", "ctl-version",
		LW_CTL_VERSION, "arguments", "format", format, "inline", 1);
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	rc = exchange(c, s, &reply);
	free(s);
	if (rc != EXIT_OK)
		return rc;
	rc = exit_for(json_integer_value(json_object_get(reply, "result")));
	text = json_object_get(json_object_get(reply, "arguments"), "text");
	if (rc != EXIT_OK || !json_is_string(text)) {
		fprintf(stderr, PROG ": %s\n", ctlprint_str(reply, "text"));
		rc = rc != EXIT_OK ? rc : EXIT_ERROR;
	} else if (strcmp(out, "-") == 0) {
		fwrite(json_string_value(text), 1, json_string_length(text), stdout);
	} else {
		rc = write_file(out, json_string_value(text), json_string_length(text));
		if (rc == EXIT_OK)
			fprintf(stderr, "%s -> %s\n", ctlprint_str(reply, "text"), out);
	}
	json_decref(reply);
	return rc;
}

static int run_raw(struct cli *c, int argc, char **argv)
{
	json_t *reply = NULL;
	char *text = NULL, *s;
	size_t len = 0;
	int rc;

	while (sub_getopt(c, argc, argv, "", NULL) != -1)
		;
	if (argc - optind != 1)
		die_usage("raw: give the request as one argument, or - to read it from stdin");
	if (strcmp(argv[optind], "-") == 0) {
		FILE *m = open_memstream(&text, &len);
		char buf[4096];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			fwrite(buf, 1, n, m);
		fclose(m);
	} else {
		text = strdup(argv[optind]);
	}
	rc = exchange(c, text, &reply);
	free(text);
	if (rc != EXIT_OK)
		return rc;
	s = json_dumps(reply, JSON_INDENT(2));
	printf("%s\n", s);
	free(s);
	rc = exit_for(json_integer_value(json_object_get(reply, "result")));
	json_decref(reply);
	return rc;
}

static const struct subcmd subcmds[] = {
	{"status", "status", "process, dataplane and journal status (status-get)", NULL,
		run_status},
	{"failover", "failover",
		"failover states and since when, MCLT, load-balancing share, updates in flight, "
		"backlog, last messages, clock skew (failover-status)",
		NULL, run_failover},
	{"partner-down", "partner-down",
		"declare the failover partner down (failover-partner-down): serve every client at "
		"once, and the partner's addresses after MCLT. Only when the partner is really "
		"down: two servers in partner-down can give one address to two clients",
		NULL, run_partner_down},
	{"leases", "leases [--subnet ID]... | leases --page [--from ADDR] [--limit N]",
		"list leases (lease4-get-all, or lease4-get-page)",
		"  --subnet ID   only the leases of subnet ID (repeatable)\n"
		"  --page        one page, in address order (default limit 1000)\n"
		"  --from ADDR   the page after ADDR (the last address of the previous page)\n"
		"  --limit N     leases per page, 1 to 10000\n",
		run_leases},
	{"lease", "lease ADDR | lease --hw MAC [--subnet ID] | lease --client-id HEX [--subnet ID]",
		"one lease, by address, hardware address or client identifier (lease4-get)", NULL,
		run_lease},
	{"lease-del", "lease-del ADDR",
		"delete a lease; the address returns to the pool (lease4-del)", NULL,
		run_lease_del},
	{"lease-export", "lease-export --format isc|kea [-o FILE|-] | --server-file NAME",
		"every lease in ISC dhcpd.leases or Kea memfile CSV form (leases-export)",
		"  -f, --format isc|kea   dhcpd.leases(5), or Kea's lease4 CSV\n"
		"  -o, --output FILE|-    written by " PROG " (through FILE.tmp); - is stdout\n"
		"                         (the default)\n"
		"  --server-file NAME     have the server write it, into "
		"<state_dir>/exports/NAME\n",
		run_lease_export},
	{"stats", "stats [NAME]", "every statistic, or the one named (statistic-get[-all])", NULL,
		run_stats},
	{"stats-reset", "stats-reset", "count every counter from zero (statistic-reset-all)", NULL,
		run_stats_reset},
	{"reload", "reload", "reread the configuration file and apply it (config-reload)", NULL,
		run_reload},
	{"config-test", "config-test [FILE]",
		"check FILE (default: the running one) without applying it (config-test)", NULL,
		run_config_test},
	{"config-get", "config-get", "the configuration in force, as JSON (config-get)", NULL,
		run_config_get},
	{"version", "version", "the server's version (version-get)", NULL, run_version},
	{"commands", "commands", "the commands the server supports (list-commands)", NULL,
		run_commands},
	{"shutdown", "shutdown", "stop the server, the dataplane first (shutdown)", NULL,
		run_shutdown},
	{"raw", "raw JSON | raw -", "send a request as is and print the whole reply",
		"  e.g. " PROG
		" raw '{\"command\": \"lease4-get\", \"arguments\": {\"ip-address\": "
		"\"198.18.0.100\"}}'\n",
		run_raw},
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static const struct subcmd *find_subcmd(const char *name)
{
	for (size_t i = 0; i < N_SUBCMDS; i++)
		if (strcmp(subcmds[i].name, name) == 0)
			return &subcmds[i];
	return NULL;
}

static void subcmd_help(const struct subcmd *s, FILE *f)
{
	fprintf(f, "usage: " PROG " [GLOBAL OPTIONS] %s\n\n%s.\n", s->usage, s->summary);
	if (s->details)
		fprintf(f, "\n%s", s->details);
	fprintf(f, "\n  --json        print the reply's arguments as JSON\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-s SOCKET | -c CONFIG] [--json] [--timeout SEC] COMMAND [ARGS]\n"
		"       " PROG " COMMAND --help\n\n"
		"  -s, --socket SOCKET  the control socket (default " LW_CTL_DEFAULT_SOCKET ")\n"
		"  -c, --config CONFIG  take the socket from this configuration file\n"
		"      --json           print the reply's arguments as JSON, for scripts\n"
		"      --timeout SEC    wait this long for a reply (default 60)\n"
		"  -V, --version        this program's version\n\n"
		"Commands:\n");
	for (size_t i = 0; i < N_SUBCMDS; i++)
		fprintf(f, "  %-13s %s\n", subcmds[i].name, subcmds[i].summary);
	fprintf(f, "\nExit status: 0 done, 1 error, 2 usage or unsupported command, 3 not found,\n"
		   "4 cannot connect to the socket.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'J'},
		{"timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli c = {.socket = LW_CTL_DEFAULT_SOCKET, .timeout_s = 60};
	const char *config = NULL, *sock = NULL;
	static char socket_buf[LW_PATH_LEN];
	const struct subcmd *s;
	int ch;

	while ((ch = getopt_long(argc, argv, "+s:c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'J':
			c.json = true;
			break;
		case 'T':
			c.timeout_s = atoi(optarg);
			if (c.timeout_s < 1)
				die_usage("--timeout takes seconds (1 or more)");
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " %s (control protocol %d)\n", LW_VERSION, LW_CTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (sock && config)
		die_usage("-s and -c both name the socket; give one");
	if (optind == argc)
		die_usage("no command given");
	s = find_subcmd(argv[optind]);
	if (s == NULL)
		die_usage("unknown command '%s'", argv[optind]);
	if (sock) {
		c.socket = sock;
	} else if (config) {
		struct lw_config *cfg = NULL;
		char err[1024];

		if (lw_config_load(config, &cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_ERROR;
		}
		snprintf(socket_buf, sizeof(socket_buf), "%s", cfg->control.socket);
		lw_config_free(cfg);
		c.socket = socket_buf;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* GNU getopt: start over on the subcommand's argv */
	return s->run(&c, argc, argv);
}
