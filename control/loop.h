/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control process runs one epoll loop. Every file descriptor in it
 * carries a struct ev_src (epoll_event.data.ptr) whose handle() the loop
 * calls with the epoll event bits; modules embed it first in their own
 * per-descriptor state.
 */
#ifndef LW_LOOP_H
#define LW_LOOP_H

#include <stdint.h>

struct ev_src {
	void (*handle)(struct ev_src *src, uint32_t events);
};

#endif
