/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Error helpers.  Functions return 0 or -errno; constructors return NULL with errno set.
 * 'struct dvs_err' carries a user-facing message that names what was wrong and what is
 * allowed, e.g. 'ports[2].vlan: 5000 out of range 0..4094'. */

#include <errno.h>
#include <stddef.h>

#define DVS_ERR_MSG_SIZE 512

struct dvs_err {
	int code; /* positive errno, 0 when no error */
	char msg[DVS_ERR_MSG_SIZE];
};

/* Records an error and returns -code, so callers can write 'return dvs_err_set(...)'.
 * 'e' may be NULL (the message is dropped).  Keeps the first error if one is already set. */
int dvs_err_set(struct dvs_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes the message already in 'e' with "prefix: " (for nesting context). */
void dvs_err_prefix(struct dvs_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dvs_err_clear(struct dvs_err *e);
/* The message to show a user: e->msg, or strerror(code) if none was given, "" if no error. */
const char *dvs_err_msg(const struct dvs_err *e);

#define DVS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DVS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DVS_MAX(a, b) ((a) > (b) ? (a) : (b))
