/* SPDX-License-Identifier: MPL-2.0 */
/* Small text helpers for messages and dumps (not for the hot path). */
#ifndef LW_STR_H
#define LW_STR_H

#include <stddef.h>

/*
 * Appends printf-style text to buf (len bytes) at *pos and advances *pos.
 * Output past the end is cut (buf stays NUL-terminated); once *pos reaches
 * len further calls do nothing.
 */
void lw_strcat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
