/* SPDX-License-Identifier: MPL-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "lw_str.h"

void lw_strcat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}
