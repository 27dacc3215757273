/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Internals of switchd's cluster mode shared by db_sync.c (the DB client, ports, reports) and
 * migrate.c (the live-migration protocol).  Control thread only. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "datapath/config.h"

struct switchd;
struct dvs_idl;
struct dvs_replica;
struct dvs_timer;

#define SW_DB_UUID_SIZE 40

/* A resolved port config and the rows it came from (db_sync.c's cache). */
struct sw_db_port {
	bool used;
	char uuid[SW_DB_UUID_SIZE];  /* Port row */
	char group[SW_DB_UUID_SIZE]; /* its PortGroup row, "" for none */
	struct dvs_port_conf conf;
};

struct sw_db {
	struct switchd *sw;
	struct dvs_idl *idl;
	struct dvs_replica *rep;
	struct dvs_timer *tick;
	int64_t gen_applied;  /* Global.generation of the last applied batch */
	int64_t gen_reported; /* last applied_generation the DB acknowledged */
	int64_t gen_sent;     /* applied_generation of the Host transaction in flight */
	int64_t gen_urgent;   /* the last generation this host had work for: reported at once
			       * (the others ride on the next heartbeat) */
	bool host_txn_pending;
	bool host_full;   /* the next Host report writes every column (after a (re)connection
			   * or a failed report), not only what changed */
	uint64_t last_beat_ms;
	bool dirty;       /* a row this host's ports are built from changed since the last apply */
	bool dirty_peers; /* a Host or MacLocation row changed (tunnels and remote MACs) */
	uint64_t snap_at_ms; /* 0, or when the snapshot of the last apply is written (coalesced:
			      * SNAPSHOT_DELAY_MS after the first apply of a burst) */
	json_t *errors;   /* Port key -> why it is not forwarding (profile or device errors) */
	json_t *reported; /* Port uuid -> fingerprint of the status and statistics last written */
	bool report_retry; /* a port report was refused or lost: the next tick writes them all */
	uint64_t last_report_ms;
	json_t *mig;      /* Migration uuid -> local progress (migrate.c) */
	json_t *mig_ports; /* Port uuids monitored because they migrate here */
	struct sw_db_port *cache; /* DVS_MAX_PORTS resolved ports (sw_db_add_ports) */
	json_t *cache_idx;        /* Port uuid -> index in 'cache' */
	json_t *changed;          /* Port and PortGroup uuids changed since the last apply */
	bool changed_all;         /* a row any port may depend on changed: the cache goes */
	char *host_uuid;          /* SW_DB_UUID_SIZE: sw_db_host_uuid()'s cache (a pointee, so a
				   * const db can fill it) */
};

static inline uint64_t
sw_db_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


/* An optional column's value: the atom, or NULL when the set is empty (borrowed). */
const json_t *sw_db_opt(const json_t *row, const char *col);
/* This host's Host row uuid, or NULL before registration (borrowed). */
const char *sw_db_host_uuid(const struct sw_db *db);

/* db_report.c */
/* Registers the host (insert the first time), refreshes the heartbeat and reports the
 * applied generation: one small transaction, one at a time (a generation applied while one
 * is in flight is reported when it completes). */
void sw_db_report_host(struct sw_db *db);
/* Writes Port.status and Port.statistics of the ports that changed, in one transaction. */
void sw_db_report_ports(struct sw_db *db);

/* migrate.c */
/* The active Migration row bringing Port 'port_uuid' to this host, or NULL. */
const json_t *sw_mig_incoming(struct sw_db *db, const char *port_uuid, const char **mig_uuid);
/* True while Port 'port_uuid' is leaving this host in an active migration (prepare, transfer,
 * activating).  Its guest may already be paused or gone, but from the export on the port holds
 * the VM's frames for the destination, so it is reported "up": the cluster keeps flooding to
 * it and its MAC published here until the activation moves both. */
bool sw_mig_outgoing(struct sw_db *db, const char *port_uuid);
/* Advances every migration this host takes part in: on each DB batch (before the ports are
 * applied, so a source still has the port to report on) and on the control tick.  Returns
 * true while one is in progress here (the tick then runs faster). */
bool sw_mig_step(struct sw_db *db);
/* Keeps in 'nc' the ports this host is handing over (state redirect) until the frames it
 * held for them have followed the VM. */
void sw_mig_keep_outgoing(struct sw_db *db, struct dvs_switchd_conf *nc);
/* Keeps the Port monitor condition = this host's ports + ports migrating here. */
void sw_mig_update_condition(struct sw_db *db);
