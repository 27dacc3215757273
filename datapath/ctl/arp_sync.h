/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* ARP suppression, control side: gathers the IPv4 -> MAC bindings of each segment (local
 * ports from their own config, Port.mac + the security "ips"; remote ports from the
 * controller's MacLocation rows, which db_sync.c hands over) and publishes them to the poll
 * lcores as one immutable table (dp/arp_sup.h): build, atomic swap of dp->arp, RCU grace
 * period, free the old one.  Nothing is swapped while the bindings stay the same.  Control
 * thread only. */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "datapath/config.h"
#include "datapath/dp/arp_sup.h"

struct switchd;

/* A growing list of bindings. */
struct sw_arp_list {
	struct arp_sup_entry *e;
	uint32_t n, cap;
};

/* The control thread's state (in struct switchd). */
struct sw_arp {
	struct sw_arp_list remote; /* from MacLocation rows, sorted */
	struct sw_arp_list cur;    /* what the published table (dp->arp) was built from, sorted */
};

/* True if port config 'c' asks for ARP suppression (its security object's
 * "arp_suppression"). */
bool sw_arp_port_on(const struct dvs_port_conf *c);

/* Appends the IPv4 addresses of 'ips' (an OVSDB set of strings in wire form, or a bare
 * string; IPv6 and malformed ones are skipped) bound to 'mac' ("52:54:00:12:34:56") in
 * segment 'seg' to 'l'.  Returns 0 or -ENOMEM. */
int sw_arp_list_add(struct sw_arp_list *l, uint16_t seg, const char *mac, const json_t *ips);
void sw_arp_list_free(struct sw_arp_list *l);

/* Replaces the remote bindings with 'l' (stolen: 'l' is emptied) and republishes if the
 * bindings changed. */
void sw_arp_set_remote(struct switchd *sw, struct sw_arp_list *l);
/* Rebuilds from the local ports and the remote bindings; publishes if anything changed.
 * Called after every table generation (sw_publish).  Returns 0 or -ENOMEM (the old table
 * stays). */
int sw_arp_refresh(struct switchd *sw);
/* Frees everything; the poll lcores must have stopped. */
void sw_arp_fini(struct switchd *sw);
