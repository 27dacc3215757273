/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* ARP suppression: the switch answers an ARP request itself when it knows the target's
 * IPv4 -> MAC binding in the requester's segment, so the broadcast is not flooded (over the
 * tunnels, possibly a WAN).  The bindings come from the ports' own configuration (Port.mac +
 * Port.ips) and from the controller's MacLocation rows; ctl/arp_sync.c gathers them and
 * publishes an immutable 'struct arp_sup_table' under RCU (dp->arp).  dp_arp_sup() (dp.h) is
 * the pipeline's hook, called for ARP frames only.  The table and reply builder are pure and
 * fast-path safe. */

#include <stdbool.h>
#include <stdint.h>

/* One binding: IPv4 address 'ip_be' in segment 'seg' (a VLAN id or an overlay segment, as
 * dp_fwd_burst names segments) belongs to 'mac'.  As a table slot, ip_be == 0 is empty. */
struct arp_sup_entry {
	uint32_t ip_be;
	uint16_t seg;
	uint8_t mac[6];
	uint8_t conflict; /* table slot only: two MACs claim the address, never answered */
	uint8_t pad[3];
};

/* An open-addressing hash of bindings, at most half full.  Immutable once published. */
struct arp_sup_table {
	uint32_t mask;       /* slots - 1 (slots: a power of two) */
	uint32_t n;          /* distinct (seg, ip) keys */
	uint32_t n_conflict; /* of which claimed by more than one MAC */
	struct arp_sup_entry slot[];
};

/* Builds a table from 'n' bindings (any order; duplicates with the same MAC are merged,
 * with different MACs marked as conflicts).  Entries with ip_be 0 are ignored.  Returns the
 * table (release with arp_sup_table_destroy()), or NULL with errno ENOMEM. */
struct arp_sup_table *arp_sup_table_create(const struct arp_sup_entry *e, uint32_t n);
void arp_sup_table_destroy(struct arp_sup_table *t); /* accepts NULL */

/* The MAC bound to 'ip_be' in 'seg', or NULL if unknown or in conflict.  Fast-path safe;
 * the result is borrowed from 't'. */
const uint8_t *arp_sup_lookup(const struct arp_sup_table *t, uint16_t seg, uint32_t ip_be);

/* Rewrites, in place, the ARP request of 'len' bytes at 'f' (ARP header at offset 'l2_len',
 * after the Ethernet header and any VLAN tags, which stay as they are) into the reply that
 * the owner of 'mac' would send: Ethernet destination the request's source, source 'mac';
 * ARP op 2, sha 'mac', spa the request's tpa, tha the request's sha, tpa the request's spa.
 * Bytes after the ARP header (padding) are zeroed.  The caller checked that the request is
 * answerable (arp_sup_answerable()). */
void arp_sup_reply_build(uint8_t *f, uint32_t len, uint16_t l2_len, const uint8_t mac[6]);

/* The target IPv4 address (network order) of the Ethernet/IPv4 ARP request at 'f' + 'l2_len'
 * if the switch may answer it, else 0: not a request, not Ethernet/IPv4, truncated ('len'),
 * gratuitous (sender IP == target IP) or a probe (sender IP 0.0.0.0, RFC 5227: only the
 * owner itself answers those, so address conflicts are still detected). */
uint32_t arp_sup_answerable(const uint8_t *f, uint32_t len, uint16_t l2_len);
