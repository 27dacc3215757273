/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* DVS's own XDP program (ebpf/uplink_steer.bpf.c) on an uplink that switchd reads through
 * DPDK's net_af_xdp: port.c asks for the xdp_prog= devarg before creating the device (the PMD
 * loads that default-config object and registers its AF_XDP socket in the program's XSKMAP),
 * then, once the port is started, this module swaps in an instance configured with the VTEP
 * address, the trunk's VLANs and the overlay's VNIs, sharing that XSKMAP.  overlay.c calls
 * uplink_xdp_sync() when segments come and go; ctl_sock.c shows the counters.  Control thread
 * only: every call is a bpf(2) or netlink syscall. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ebpf/dvs_bpf_shared.h"
#include "lib/err.h"

struct switchd;
struct sw_port;
struct dvs_port_conf;

/* True if 'pc' is a port this module drives: an uplink on a kernel interface, driver af_xdp. */
bool uplink_xdp_wanted(const struct dvs_port_conf *pc);

/* Before the device of port 'p' exists: writes ",xdp_prog=/proc/self/fd/N" (our embedded
 * object in a memfd that stays open until uplink_xdp_start or uplink_xdp_stop) into 'buf'.
 * Returns 0, or -errno with 'err' set. */
int uplink_xdp_devargs(struct sw_port *p, char *buf, size_t size, struct dvs_err *err);

/* After the device of 'p' started (the PMD attached the default program): replaces it with
 * an instance configured from switchd's VTEP, p's trunk and the overlay's current VNIs.
 * Returns 0, or -errno with 'err' set (the caller removes the device, which detaches the
 * PMD's program). */
int uplink_xdp_start(struct switchd *sw, struct sw_port *p, struct dvs_err *err);

/* Detaches our program from p's interface (only if it is still the one attached) and frees
 * the state.  Call before the device is closed.  Harmless for any other port. */
void uplink_xdp_stop(struct sw_port *p);

/* Brings every XDP uplink's VNI allow map in line with the overlay's segments and its VLAN
 * allow map with the port's trunks.  Cheap when nothing changed (no syscall). */
void uplink_xdp_sync(struct switchd *sw);

/* Adds the drop reasons of the XDP programs (summed over every XDP uplink) to 'rows', the
 * array of drops.show: {"reason": "xdp:dropped-...", "count", "description"}.  Borrowed. */
void uplink_xdp_drops(const struct switchd *sw, json_t *rows);

/* A new array, one object per XDP uplink: port, ifname, mode, vtep, vnis, vlans and every
 * counter (packets and bytes per reason, drops or not). */
json_t *uplink_xdp_show(const struct switchd *sw);
