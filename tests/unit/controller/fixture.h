/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A fake database for the controller's unit tests: a replica registered with the real
 * schema, rows written as the server would announce them, and the controller's
 * transactions applied back to it (insert, update, delete by _uuid), so a test can run
 * reconcile rounds to a fixed point without dvs-db. */

#include <jansson.h>
#include <stdint.h>

#include "controller/ctl.h"

struct fx {
	struct dvs_replica *r;
	struct ctl *ctl;
	uint64_t now;   /* wall clock handed to ctl_build */
	unsigned seq;   /* for generated uuids */
	size_t last_ops; /* operations of the last round */
};

struct fx *fx_create(void);
void fx_destroy(struct fx *fx);
/* Inserts or replaces row 'uuid' of 'table' (stolen; columns not given take defaults). */
void fx_put(struct fx *fx, const char *table, const char *uuid, json_t *row);
/* Sets columns of an existing row ('cols' stolen). */
void fx_set(struct fx *fx, const char *table, const char *uuid, json_t *cols);
void fx_del(struct fx *fx, const char *table, const char *uuid);
/* One reconcile round: build, apply the operations.  Returns the number of operations
 * (without the caller's) it wrote. */
size_t fx_round(struct fx *fx);
/* Rounds until one writes nothing; returns the number of rounds that wrote. */
unsigned fx_converge(struct fx *fx);
/* A uuid string "00000000-0000-0000-0000-0000000000NN" for test rows (static buffer per n). */
const char *fx_uuid(unsigned n);
/* Rows of 'table' whose 'col' equals 'value' (compared as JSON, borrowed). */
size_t fx_count(struct fx *fx, const char *table, const char *col, const json_t *value);
