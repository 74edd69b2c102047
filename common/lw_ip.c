/* SPDX-License-Identifier: MPL-2.0 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lw_ip.h"

int lw_ip4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

int lw_prefix_parse(const char *s, uint32_t *addr, uint8_t *plen)
{
	char buf[32];
	const char *slash;
	char *end;
	long l = 32;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		buf[slash - buf] = '\0';
		if (!isdigit((unsigned char)slash[1]))
			return -EINVAL;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || *end != '\0' || l < 0 || l > 32)
			return -EINVAL;
	}
	if (lw_ip4_parse(buf, addr) < 0)
		return -EINVAL;
	*plen = (uint8_t)l;
	return 0;
}

char *lw_ip4_fmt(uint32_t addr, char *buf)
{
	snprintf(buf, LW_IP4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		(addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int lw_hex_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (s == NULL)
		return -EINVAL;
	while (*s) {
		int hi, lo;

		if (*s == ':' || *s == '-') {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		if (hi < 0)
			return -EINVAL;
		/* "0:c:29" style single-digit groups, as ISC writes MACs */
		if (s[1] == '\0' || s[1] == ':' || s[1] == '-') {
			lo = hi;
			hi = 0;
			s += 1;
		} else {
			lo = hexval((unsigned char)s[1]);
			if (lo < 0)
				return -EINVAL;
			s += 2;
		}
		if (n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}
