/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A session's input buffer and its framing (jsonrpc_server.c reads into it and parses what
 * this finds complete): a message ends where the brackets opened outside strings close. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ovsdb_input {
	char *buf;
	size_t len, cap;
	size_t start; /* where the current message begins */
	size_t scan;  /* bytes examined so far */
	unsigned depth;
	bool in_str, esc;
	bool pending; /* bytes after 'scan' not examined yet: the session ran out of time */
};

/* Advances in->scan to the byte that closes the current top-level value and returns 1; or
 * to in->len and returns 0 (the message is incomplete); or returns -1 at a byte that cannot
 * begin a message (in->scan is then that byte).  Whitespace between messages moves
 * in->start past it. */
int ovsdb_input_frame(struct ovsdb_input *in);
/* The next message parsed in place, when it is already whole in the buffer (the usual
 * case): returns it (new) with in->start and in->scan past it.  Otherwise NULL, and the
 * caller frames as usual; a message that does not parse is framed too, so that an
 * incomplete one waits for its end and a bad one gets json_parse()'s verdict on exactly its
 * bytes, as before.  Saves the framing scan, which looked at every byte once more. */
json_t *ovsdb_input_parse_whole(struct ovsdb_input *in);
