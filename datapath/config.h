/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvs-switchd configuration: the local JSON file of standalone mode, and the port
 * descriptions that the control socket (port.add) takes.  Parsing validates everything and
 * names the field at fault; nothing here touches DPDK, so it is unit-tested on its own. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "policy_conf.h"

#define DVS_PORT_NAME_MAX 64 /* also DB Port.key */
#define DVS_MAX_PORTS 256
#define DVS_MAX_LCORES 16
#define DVS_VLAN_MAX 4094
#define DVS_VLAN_WORDS (4096 / 64)
#define DVS_VDEV_NAME_MAX 64 /* DPDK's RTE_DEV_NAME_MAX_LEN, with the terminating NUL */

enum dvs_port_type {
	DVS_PORT_VHOST,  /* vhost-user, server or client mode */
	DVS_PORT_TAP,    /* a tap switchd creates, optionally moved into a netns */
	DVS_PORT_KERNEL, /* an existing kernel interface (AF_PACKET or AF_XDP) */
	DVS_PORT_UPLINK, /* toward the physical network: kernel interface or DPDK device; trunk */
};

enum dvs_vlan_mode {
	DVS_VLAN_ACCESS,
	DVS_VLAN_TRUNK,
};

struct dvs_port_conf {
	char name[DVS_PORT_NAME_MAX];
	enum dvs_port_type type;
	/* vhost-user */
	char path[108];
	bool client;
	uint16_t queues;
	/* tap, kernel, uplink */
	char ifname[16];
	char netns[64];  /* tap: move the tap into this named netns (ip netns) */
	char driver[16]; /* kernel/uplink: "af_packet" (default) or "af_xdp" */
	char pci[32];    /* uplink: a DPDK device by PCI address instead of ifname */
	char vdev[256];  /* uplink: a DPDK virtual device instead of ifname/pci, as DPDK's
			  * --vdev takes it: "net_memif0,socket=/run/x.sock,role=client" */
	/* VLAN policy */
	enum dvs_vlan_mode vlan_mode;
	uint16_t tag;         /* access: the port's VLAN (0..4094; 0 = the untagged segment) */
	uint16_t native_vlan; /* trunk: VLAN for untagged frames, 0 = untagged frames dropped */
	uint16_t segment;     /* overlay segment id (>= 4096, set by cluster mode), 0: VLAN-backed */
	uint32_t mig_epoch;   /* cluster mode: != 0 while this host is a migration's destination */
	uint64_t trunks[DVS_VLAN_WORDS]; /* trunk: allowed VLANs (bit per id) */
	/* L2 */
	bool has_mac;
	uint8_t mac[6];   /* configured MAC: installed as a static FDB entry */
	uint32_t fdb_max; /* per-port learned-MAC limit; 0 = switch default */
	/* policy: ACL, security, shaping, storm control (interned; see policy_conf.h) */
	struct dvs_policy_spec policy;
};

struct dvs_switchd_conf {
	/* DPDK / threads */
	unsigned n_lcores;
	unsigned lcores[DVS_MAX_LCORES]; /* poll lcores */
	unsigned main_lcore;             /* control thread */
	char file_prefix[64];            /* empty: --in-memory */
	bool no_huge;                    /* --no-huge -m mem_mb */
	unsigned mem_mb;
	uint32_t idle_sleep_us; /* back-off step when idle; 0 = busy poll */
	/* L2 */
	uint32_t fdb_aging_s;      /* default 300 */
	uint32_t fdb_max;          /* table size, default 65536 */
	uint32_t fdb_max_per_port; /* default 4096 */
	/* control */
	char ctl_socket[108];
	/* cluster mode: set 'db' to join; ports then also come from the DB (Port rows whose
	 * requested_host is host_name), on top of the ports of this file (e.g. the uplink). */
	char db[128];         /* "unix:/run/dvs/db.sock", "tcp:IP:PORT"; empty: standalone */
	char host_name[64];   /* default: the machine's hostname */
	char site[64];        /* Site.name this host belongs to (optional) */
	char vtep_ip[64];     /* underlay address (optional until the overlay is used) */
	char snapshot[256];   /* last applied DB state, to start headless; default
			       * /var/lib/dvs/switchd-<host_name>.snapshot */
	unsigned n_ports;
	struct dvs_port_conf ports[DVS_MAX_PORTS];
};

/* Fills 'c' with defaults (no ports). */
void dvs_config_defaults(struct dvs_switchd_conf *c);
/* Parses and validates a whole config.  Returns 0, or -EINVAL with 'err' naming the field,
 * e.g. "ports[1].tag: 5000 out of range 0..4094".  'c' is only written on success. */
int dvs_config_parse(const json_t *j, struct dvs_switchd_conf *c, struct dvs_err *err);
/* Reads and parses the file 'path' (same contract; file and JSON syntax errors give line and
 * column). */
int dvs_config_load(const char *path, struct dvs_switchd_conf *c, struct dvs_err *err);
/* Parses one port object (the "ports" entries, and the control socket's port.add). */
int dvs_port_conf_parse(const json_t *j, struct dvs_port_conf *p, struct dvs_err *err);
/* Parses a VLAN list "10,20-30" (1..4094, not empty) into a bitmap, with lib/profile.h's
 * syntax and errors.  Returns 0 or -EINVAL. */
int dvs_vlan_list_parse(const char *s, uint64_t bitmap[DVS_VLAN_WORDS], struct dvs_err *err);
/* Formats a bitmap back as "10,20-30" into buf (dvs_profile_vlans_format).  Returns buf. */
char *dvs_vlan_list_format(const uint64_t bitmap[DVS_VLAN_WORDS], char *buf, size_t size);
/* Splits a validated 'vdev' value into the device name (before the first ',') and its
 * arguments (after it, possibly empty).  Returns 0, or -EINVAL if 'name' is too small. */
int dvs_vdev_split(const char *vdev, char *name, size_t name_size, const char **args);
/* Returns a new JSON object describing 'p' (the same keys the parser takes). */
json_t *dvs_port_conf_to_json(const struct dvs_port_conf *p);
const char *dvs_port_type_name(enum dvs_port_type t);

static inline bool
dvs_vlan_bit(const uint64_t *bm, uint16_t vlan)
{
	return (bm[vlan >> 6] >> (vlan & 63)) & 1;
}
