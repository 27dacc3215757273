/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvs-controller's database session: the IDL replica that feeds the reconcile state
 * (ctl.h), leadership through the OVSDB lock "dvs_controller", and the write loop (one
 * transaction in flight, each starting with an "assert" of the lock so that a controller
 * that lost it can never write).  Loop thread only. */

#include <stdbool.h>
#include <stdint.h>

struct dvs_loop;
struct session;

/* Connects to 'addr' (unix:PATH, tcp:IP:PORT) and monitors every table the controller
 * reconciles.  'on_ready' runs once, when the first snapshot is in the replica.  Returns
 * NULL with errno set. */
struct session *session_create(struct dvs_loop *loop, const char *addr, const char *name,
			       void (*on_ready)(void *arg), void *arg);
void session_destroy(struct session *s); /* accepts NULL */

bool session_is_leader(const struct session *s);
