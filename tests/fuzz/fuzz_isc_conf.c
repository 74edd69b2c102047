/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target: the dhcpd.conf converter over arbitrary text. An
 * operator's file may hold anything: every input must give either a
 * configuration text that libconfig reads, with its issues, or one error
 * line, never a crash.
 */
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "import/isc_conf.h"

/* The text must always be well-formed libconfig, whatever it then means. */
static void check_syntax(const char *text)
{
	config_t cf;

	config_init(&cf);
	if (config_read_string(&cf, text) != CONFIG_TRUE)
		__builtin_trap();
	config_destroy(&cf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct isc_conf_port port = {
		.name = "lan0",
		.device = "0000:01:00.0",
		.address = "198.18.0.2/24",
	};
	struct isc_conf_opts opts = {.ports = &port, .n_ports = 1, .eal_args = "-l 0,1"};
	struct isc_conf_result r;
	char err[256];
	int rc;

	/* the first byte picks the options, so both ways of making ports run */
	rc = isc_conf_convert_text((const char *)data, size, "fuzz.conf",
		size > 0 && (data[0] & 1) ? &opts : NULL, &r, err, sizeof(err));
	if (rc == 0) {
		if (r.text == NULL || strlen(r.text) != r.text_len)
			__builtin_trap();
		check_syntax(r.text);
		for (size_t i = 0; i < r.n_issues; i++)
			if (strnlen(r.issues[i].stmt, sizeof(r.issues[i].stmt)) ==
					sizeof(r.issues[i].stmt) ||
				r.issues[i].why[0] == '\0')
				__builtin_trap();
	} else if (rc != -1 || err[0] == '\0') {
		__builtin_trap();
	}
	isc_conf_result_free(&r);
	return 0;
}
