/* SPDX-License-Identifier: Apache-2.0 */
/* Error helpers: a user-facing message carried beside the -errno return, so the layer that
 * knows the context (which field, which port) can prefix it on the way up. */

#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
dvs_err_set(struct dvs_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (code == 0)
		code = EINVAL; /* an error without a code would read as success */
	if (!e)
		return -code;
	/* The first error is the cause; later ones are usually its consequences. */
	if (e->code)
		return -code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -code;
}

void
dvs_err_prefix(struct dvs_err *e, const char *fmt, ...)
{
	char buf[DVS_ERR_MSG_SIZE];
	size_t n, old_len;
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	old_len = strnlen(e->msg, sizeof(e->msg) - 1);
	if (old_len && n + 2 < sizeof(buf)) {
		memcpy(buf + n, ": ", 2);
		n += 2;
	}
	/* Past the size limit the end is cut, as snprintf would. */
	old_len = DVS_MIN(old_len, sizeof(buf) - 1 - n);
	memcpy(buf + n, e->msg, old_len);
	buf[n + old_len] = '\0';
	memcpy(e->msg, buf, sizeof(e->msg));
}

void
dvs_err_clear(struct dvs_err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

const char *
dvs_err_msg(const struct dvs_err *e)
{
	if (!e || !e->code)
		return "";
	if (e->msg[0])
		return e->msg;
	return strerror(e->code);
}
