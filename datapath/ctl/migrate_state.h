/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A migrating port's state (migrate_state.c), exported by the source and imported by the
 * destination through the Migration row's port_state column. */

#include <jansson.h>

#include "datapath/switchd.h"

/* The state of port 'p' as a JSON object (the caller owns it).  Control thread. */
json_t *sw_mig_export_port(struct switchd *sw, struct sw_port *p);
/* Applies the exported state 'text' to port 'p'; an unreadable part is logged and skipped
 * (the port starts from zero there).  Control thread. */
void sw_mig_import_port(struct switchd *sw, struct sw_port *p, const char *text);
/* The first MAC the FDB has learned behind port 'p' (a guest without a configured MAC).
 * Control thread. */
bool sw_mig_learned_mac(const struct switchd *sw, const struct sw_port *p, uint8_t mac[6]);
