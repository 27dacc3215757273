/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* sd_notify(3) for Type=notify services without libsystemd: one datagram to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).  Used by dvs-db
 * and dvs-controller to say "READY=1" once they serve.  Any thread. */

/* Sends 'state' (e.g. "READY=1", "STATUS=leader").  Returns 0, 0 when not run by systemd
 * ($NOTIFY_SOCKET unset), or -errno. */
int dvs_notify(const char *state);
