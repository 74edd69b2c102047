/* SPDX-License-Identifier: MPL-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "control/ctlprint.h"

struct table {
	unsigned ncols;
	const char **head;
	char **cells; /* rows * ncols strdup'd strings */
	size_t rows, cap;
};

static void table_add(struct table *t, const char *const *row)
{
	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = realloc(t->cells, t->cap * t->ncols * sizeof(char *));
		if (t->cells == NULL) {
			fputs("leasewirectl: out of memory\n", stderr);
			exit(1);
		}
	}
	for (unsigned i = 0; i < t->ncols; i++)
		t->cells[t->rows * t->ncols + i] = strdup(row[i] ? row[i] : "");
	t->rows++;
}

static void table_print(struct table *t)
{
	size_t w[16] = {0};

	for (unsigned i = 0; i < t->ncols; i++)
		w[i] = strlen(t->head[i]);
	for (size_t r = 0; r < t->rows; r++)
		for (unsigned i = 0; i < t->ncols; i++)
			if (strlen(t->cells[r * t->ncols + i]) > w[i])
				w[i] = strlen(t->cells[r * t->ncols + i]);
	for (size_t r = 0; r <= t->rows; r++) {
		for (unsigned i = 0; i < t->ncols; i++) {
			const char *s = r == 0 ? t->head[i] : t->cells[(r - 1) * t->ncols + i];

			if (i + 1 == t->ncols)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)w[i], s);
		}
	}
	for (size_t k = 0; k < t->rows * t->ncols; k++)
		free(t->cells[k]);
	free(t->cells);
}

const char *ctlprint_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void fmt_time(json_int_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, t);
}

static void lease_fields(json_t *l, char *expires, size_t elen, char *subnet, size_t slen)
{
	json_int_t cltt = json_integer_value(json_object_get(l, "cltt"));
	json_int_t lft = json_integer_value(json_object_get(l, "valid-lft"));

	fmt_time(cltt + lft, expires, elen);
	snprintf(subnet, slen, "%" JSON_INTEGER_FORMAT,
		json_integer_value(json_object_get(l, "subnet-id")));
}

void ctlprint_leases(json_t *args, const char *text)
{
	static const char *head[] = {
		"ADDRESS", "HW-ADDRESS", "CLIENT-ID", "STATE", "EXPIRES", "SUBNET"};
	struct table t = {.ncols = 6, .head = head};
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(args, "leases"), i, l)
	{
		char expires[32], subnet[16];
		const char *row[6];

		lease_fields(l, expires, sizeof(expires), subnet, sizeof(subnet));
		row[0] = ctlprint_str(l, "ip-address");
		row[1] = ctlprint_str(l, "hw-address");
		row[2] = ctlprint_str(l, "client-id");
		row[3] = ctlprint_str(l, "state-name");
		row[4] = expires;
		row[5] = subnet;
		table_add(&t, row);
	}
	table_print(&t);
}

void ctlprint_lease(json_t *l, const char *text)
{
	char expires[32], subnet[16], cltt[32];

	lease_fields(l, expires, sizeof(expires), subnet, sizeof(subnet));
	fmt_time(json_integer_value(json_object_get(l, "cltt")), cltt, sizeof(cltt));
	printf("address     %s\n", ctlprint_str(l, "ip-address"));
	printf("hw-address  %s\n", ctlprint_str(l, "hw-address"));
	printf("client-id   %s\n", ctlprint_str(l, "client-id"));
	printf("state       %s\n", ctlprint_str(l, "state-name"));
	printf("subnet-id   %s\n", subnet);
	printf("bound       %s\n", cltt);
	printf("expires     %s (valid-lft %" JSON_INTEGER_FORMAT " s)\n", expires,
		json_integer_value(json_object_get(l, "valid-lft")));
}

static void show_value(json_t *v, FILE *f)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));

	if (json_is_string(v))
		fputs(json_string_value(v), f);
	else if (s)
		fputs(s, f);
	free(s);
}

/* Nested objects as indented "key: value" lines. */
static void show_tree(json_t *o, int depth)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		printf("%*s%s:", depth * 2, "", key);
		if (json_is_object(v)) {
			putchar('\n');
			show_tree(v, depth + 1);
		} else {
			putchar(' ');
			show_value(v, stdout);
			putchar('\n');
		}
	}
}

void ctlprint_status(json_t *args, const char *text)
{
	if (text)
		printf("%s\n", text);
	show_tree(args, 0);
}

void ctlprint_stats(json_t *args, const char *text)
{
	static const char *head[] = {"STATISTIC", "VALUE"};
	struct table t = {.ncols = 2, .head = head};
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		char *val = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&val, &n);
		const char *row[2] = {key, NULL};

		/* Kea's [[value, "time"]]: the latest sample. */
		show_value(json_array_get(json_array_get(v, 0), 0), f);
		fclose(f);
		row[1] = val;
		table_add(&t, row);
		free(val);
	}
	table_print(&t);
}

void ctlprint_commands(json_t *args, const char *text)
{
	static const char *head[] = {"COMMAND", "DESCRIPTION"};
	struct table t = {.ncols = 2, .head = head};
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		const char *row[2] = {key, json_string_value(v)};

		table_add(&t, row);
	}
	table_print(&t);
}

void ctlprint_version(json_t *args, const char *text)
{
	printf("%s\n%s\n", text ? text : "", ctlprint_str(args, "extended"));
}

void ctlprint_json(json_t *args, const char *text)
{
	char *s = json_dumps(args, JSON_INDENT(2) | JSON_ENCODE_ANY);

	printf("%s\n", s ? s : "{}");
	free(s);
}
