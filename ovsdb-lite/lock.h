/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* RFC 7047 locks (4.1.8-4.1.10): "lock", "steal" and "unlock", with the "locked" and
 * "stolen" notifications, kept in the server's lock table.  Each lock has a queue of
 * sessions: the first owns it, the rest wait in order.  The controller uses one for
 * leadership; "assert" (execution.c) checks ownership through ovsdb_lock_is_owner(). */

#include <jansson.h>
#include <stdbool.h>

struct ovsdb_server;
struct ovsdb_session;

/* Handles "lock", "steal" or "unlock" ('method') for 'ss'.  Returns the result (new), or
 * NULL with *error (new): "not owner", "duplicate lock", "syntax error". */
json_t *ovsdb_lock_method(struct ovsdb_session *ss, const char *method, const json_t *params, json_t **error);
/* True if session 'ss' (a struct ovsdb_session *, untyped to fit ovsdb_exec_opts) owns
 * lock 'name': the "assert" operation's check. */
bool ovsdb_lock_is_owner(void *ss, const char *name);
/* Drops every lock 'ss' holds or waits for, passing ownership on (session closing). */
void ovsdb_lock_release_all(struct ovsdb_session *ss);
/* Frees the lock table (server shutdown, after every session is gone). */
void ovsdb_lock_destroy_all(struct ovsdb_server *s);
