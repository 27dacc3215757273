/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Replies for the ACL's "reject" action: a TCP RST for TCP, otherwise an ICMP (IPv4) or
 * ICMPv6 "administratively prohibited" destination unreachable, so the sender fails fast
 * instead of timing out.  Builds the frame from the rejected one; the caller puts it in an mbuf
 * and sends it back out of the port the rejected frame came from (or was going to). */

#include <stdint.h>

#include "datapath/dp/parse.h"

#define REJECT_FRAME_MAX 1334 /* 14 + 4 + 4 (tags) + 1280 (IPv6 minimum MTU) + slack */

/* Writes into 'out' (at most 'out_size' bytes) the reply to 'frame' ('len' bytes, parsed into
 * 'm').  The reply keeps the frame's L2 encapsulation (VLAN tags as received) with source and
 * destination MAC swapped, and carries correct IP, TCP and ICMP checksums.  Returns the reply's
 * length, or:
 *   -ENOTSUP  not to be answered: not IP, a fragment, a TCP RST, an ICMP error message, a
 *             broadcast or multicast destination or a multicast/unspecified source;
 *   -EINVAL   the frame is shorter than its headers say;
 *   -ENOSPC   'out_size' is too small (REJECT_FRAME_MAX always suffices).
 * Fast-path safe: no allocation, pure function of its inputs. */
int reject_build(const uint8_t *frame, uint32_t len, const struct dp_meta *m, uint8_t *out,
		 uint32_t out_size);
