/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvs-controller's reconcile state: indexes over the replica, the controller's own model
 * (host liveness, flood contributions, MAC claims) and the dirty sets that make reconciling
 * incremental.  Row callbacks (reconcile.c) mark what a change touches; ctl_build() turns
 * only the dirty entries into transaction operations, comparing the desired state with the
 * replica so nothing is written twice (hosts.c, ports.c, segments.c, macs.c).  No I/O:
 * main.c and leader.c wire it to an IDL session, unit tests to a bare replica. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ovsdb-lite/client/replica.h"
#include "ovsdb-lite/client/txn.h"
#include "vni.h"

#define CTL_DB "DVS"
#define CTL_LOCK "dvs_controller"
#define CTL_DOWN_AFTER_DEFAULT_MS 5000
#define CTL_VNI_FIRST_DEFAULT 1000
#define CTL_VNI_LAST_DEFAULT 16777215
/* Operations per transaction: keeps each request well under dvs-db's default --max-msg
 * (4 MiB) after a restart with 100k ports to bind; what does not fit stays dirty and goes
 * in the next transaction. */
#define CTL_MAX_OPS_DEFAULT 4000

struct ctl_stats {
	uint64_t n_builds;       /* ctl_build() calls that found work */
	uint64_t n_ops;          /* operations produced */
	uint64_t n_ports;        /* port recomputations */
	uint64_t n_groups;       /* group validations */
	uint64_t n_segments;     /* segment recomputations */
	uint64_t n_mkeys;        /* MAC location recomputations */
	uint64_t n_hosts;        /* host status recomputations */
	uint64_t last_build_us;  /* duration of the last ctl_build() with work */
};

/* All json_t members are objects used as hash maps keyed by uuid or name; values are
 * documented per member.  Owned by struct ctl. */
struct ctl {
	struct dvs_replica *replica; /* borrowed */
	char name[64];               /* written to Global.leader */
	size_t max_ops;              /* operations per transaction */

	/* Global.other_config, with defaults */
	uint64_t down_after_ms;
	uint32_t vni_first, vni_last;
	int64_t generation; /* Global.generation */

	/* indexes over the replica */
	json_t *host_by_name;     /* Host.name -> host uuid */
	json_t *ports_by_host;    /* requested_host name -> {port uuid: true} */
	json_t *ports_by_group;   /* PortGroup uuid -> {port uuid: true} */
	json_t *bindings_by_port; /* port uuid ("" for an emptied weak ref) -> {binding uuid: true} */
	json_t *macloc_by_key;    /* "segment|mac" -> {MacLocation uuid: true} */
	struct vni_alloc *vni;    /* VNIs held by Segment rows or allocated in flight */
	json_t *vni_pending;      /* segment uuid -> VNI allocated in the transaction in flight */
	json_t *vni_waiting;      /* segments that found the range full: {uuid: true} */

	/* the controller's model */
	json_t *host_up;     /* host uuid -> true/false: liveness as last computed */
	json_t *port_state;  /* port uuid -> {"seg", "host", "mkey", "ips"}: what the port
			      * contributes */
	json_t *flood;       /* segment uuid -> {host uuid: number of active ports} */
	json_t *mac_claims;  /* "segment|mac" -> {port uuid: {"host": host uuid, "ips": [the
			      * port's IP addresses, as text]}} */
	int64_t converged_gen; /* last generation logged as applied everywhere */

	/* dirty sets: uuid (or key) -> true */
	json_t *dirty_hosts, *dirty_groups, *dirty_ports, *dirty_segments, *dirty_mkeys;
	bool dirty_global;
	bool dirty_convergence;

	struct ctl_stats stats;
};

/* Creates the state and registers its callbacks on 'replica' (borrowed; must outlive the
 * ctl).  Returns NULL with errno set. */
struct ctl *ctl_create(struct dvs_replica *replica, const char *name);
void ctl_destroy(struct ctl *ctl); /* accepts NULL */

/* Marks everything dirty: after becoming leader, and after a failed transaction. */
void ctl_mark_all(struct ctl *ctl);
/* True if ctl_build() has something to look at. */
bool ctl_is_dirty(const struct ctl *ctl);

/* Re-evaluates host liveness at wall-clock 'now_ms' and marks the hosts whose liveness
 * changed (and their ports).  Cheap: one comparison per host. */
void ctl_check_hosts(struct ctl *ctl, uint64_t now_ms);

/* Appends to 'txn' the operations that bring the dirty part of the database to the desired
 * state and clears the dirty sets.  Returns the number of operations added (0: nothing to
 * write), or -ENOMEM. */
int ctl_build(struct ctl *ctl, uint64_t now_ms, struct dvs_txn *txn);
/* Reports the outcome of the transaction built last: on failure, VNIs allocated for it are
 * released and everything is marked dirty for a retry. */
void ctl_txn_done(struct ctl *ctl, bool ok);

/* Logs convergence (which generation every up host has applied) if something changed. */
void ctl_log_convergence(struct ctl *ctl);

/* ---- between the modules (reconcile.c, hosts.c, ports.c, segments.c, macs.c) ---- */

void ctl_set_add(json_t *set, const char *key);
void ctl_set_del(json_t *set, const char *key);
/* Adds 'member' to the set under 'key' in the map 'm' ({key: {member: true}}). */
void ctl_multimap_add(json_t *m, const char *key, const char *member);
void ctl_multimap_del(json_t *m, const char *key, const char *member);
/* Marks every member of m[key] dirty in 'dirty'. */
void ctl_multimap_mark(json_t *m, const char *key, json_t *dirty);
/* For the build loops: true once 'txn' holds max_ops operations (stop; the rest stays
 * dirty).  Otherwise records 'key' in 'done', which ctl_dirty_done() then removes from the
 * dirty set (and frees). */
bool ctl_dirty_take(const struct ctl *ctl, const struct dvs_txn *txn, json_t *done, const char *key);
void ctl_dirty_done(json_t *set, json_t *done);

/* Wire helpers over replica rows. */
const char *ctl_row_str(const json_t *row, const char *col);  /* string or one-element set */
const char *ctl_row_uuid(const json_t *row, const char *col); /* ["uuid", u] or NULL */
const char *ctl_map_get(const json_t *row, const char *col, const char *key);
bool ctl_row_int(const json_t *row, const char *col, int64_t *v);

void ctl_hosts_row_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new);
int ctl_hosts_build(struct ctl *ctl, uint64_t now_ms, struct dvs_txn *txn);
bool ctl_host_is_up(const struct ctl *ctl, const char *host_uuid);

int ctl_groups_build(struct ctl *ctl, struct dvs_txn *txn);
int ctl_ports_build(struct ctl *ctl, struct dvs_txn *txn);
/* Makes what port 'uuid' contributes (flood counts, MAC claim with the port's IPs 'ips', a
 * borrowed array of strings or NULL) exactly this; all NULL forgets it.  Marks what that
 * touches. */
void ctl_port_contrib_set(struct ctl *ctl, const char *port, const char *seg, const char *host,
			  const char *mkey, const json_t *ips);
/* True if the two arrays of strings hold the same set (NULL is the empty set). */
bool ctl_str_set_equal(const json_t *a, const json_t *b);

void ctl_segments_row_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new);
int ctl_segments_build(struct ctl *ctl, struct dvs_txn *txn);
void ctl_segments_txn_done(struct ctl *ctl, bool ok);

int ctl_macs_build(struct ctl *ctl, struct dvs_txn *txn);
