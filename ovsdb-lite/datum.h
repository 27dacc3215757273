/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Atoms and datums: the values stored in OVSDB columns.  A datum is a sorted array of
 * unique keys (and, for maps, values); a scalar is a datum of one element.  Conversion
 * to and from RFC 7047 JSON (<value>, <set>, <map>, ["uuid", ...], ["named-uuid", ...]),
 * comparison, hashing and constraint checks live here. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"
#include "type.h"
#include "uuid.h"

union ovsdb_atom {
	int64_t integer;
	double real;
	bool boolean;
	char *string; /* owned, NUL terminated UTF-8 */
	struct uuid uuid;
};

struct ovsdb_datum {
	uint32_t n;
	/* keys (and values) are one-atom slab blocks (slab.h), not malloc'd: set only by
	 * datum.c, and carried along when a datum is moved (struct copy or swap). */
	bool one;
	union ovsdb_atom *keys;   /* n atoms, sorted, unique */
	union ovsdb_atom *values; /* n atoms for maps, else NULL */
};

/* Named UUIDs of one transaction ("uuid-name" in insert, ["named-uuid", N] in values). */
struct ovsdb_symbol {
	struct hmap_node node;
	struct uuid uuid;
	bool created; /* defined by an insert of this transaction */
	bool used;    /* referred to by a value */
	char name[];
};
struct ovsdb_symtab {
	struct hmap symbols;
};
void ovsdb_symtab_init(struct ovsdb_symtab *st);
void ovsdb_symtab_destroy(struct ovsdb_symtab *st);
struct ovsdb_symbol *ovsdb_symtab_get(const struct ovsdb_symtab *st, const char *name);
/* Returns the symbol named 'name', adding it with a fresh UUID if new (NULL on ENOMEM). */
struct ovsdb_symbol *ovsdb_symtab_insert(struct ovsdb_symtab *st, const char *name);

/* Atoms. */
int ovsdb_atom_compare(const union ovsdb_atom *a, const union ovsdb_atom *b, enum ovsdb_atype t);
uint32_t ovsdb_atom_hash(const union ovsdb_atom *a, enum ovsdb_atype t, uint32_t basis);
void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src, enum ovsdb_atype t);
void ovsdb_atom_destroy(union ovsdb_atom *a, enum ovsdb_atype t);
void ovsdb_atom_init_default(union ovsdb_atom *a, enum ovsdb_atype t);
/* Parses one atom.  'symtab' may be NULL (named-uuid then refused).  Returns NULL or a new
 * error ("syntax error"). */
json_t *ovsdb_atom_from_json(union ovsdb_atom *a, const struct ovsdb_base_type *base,
			     const json_t *json, struct ovsdb_symtab *symtab);
json_t *ovsdb_atom_to_json(const union ovsdb_atom *a, enum ovsdb_atype t);
/* Checks enum and range constraints.  Returns NULL or a new "constraint violation". */
json_t *ovsdb_atom_check_constraints(const union ovsdb_atom *a, const struct ovsdb_base_type *base);

/* Datums. */
void ovsdb_datum_init_empty(struct ovsdb_datum *d);
void ovsdb_datum_init_default(struct ovsdb_datum *d, const struct ovsdb_type *type);
bool ovsdb_datum_is_default(const struct ovsdb_datum *d, const struct ovsdb_type *type);
void ovsdb_datum_destroy(struct ovsdb_datum *d, const struct ovsdb_type *type);
void ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
		       const struct ovsdb_type *type);
void ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b);
/* Parses a column value and checks every constraint of 'type' (set size, enum, ranges).
 * Returns NULL (datum initialised) or a new error (datum left empty). */
json_t *ovsdb_datum_from_json(struct ovsdb_datum *d, const struct ovsdb_type *type,
			      const json_t *json, struct ovsdb_symtab *symtab);
/* Like ovsdb_datum_from_json but ignores n_min/n_max (for "includes" operands, mutations). */
json_t *ovsdb_datum_from_json_any_size(struct ovsdb_datum *d, const struct ovsdb_type *type,
				       const json_t *json, struct ovsdb_symtab *symtab);
json_t *ovsdb_datum_to_json(const struct ovsdb_datum *d, const struct ovsdb_type *type);
int ovsdb_datum_compare(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			const struct ovsdb_type *type);
static inline bool ovsdb_datum_equals(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
				      const struct ovsdb_type *type)
{
	return !ovsdb_datum_compare(a, b, type);
}
uint32_t ovsdb_datum_hash(const struct ovsdb_datum *d, const struct ovsdb_type *type, uint32_t basis);
/* Index of 'key' in 'd', or -1. */
long ovsdb_datum_find_key(const struct ovsdb_datum *d, const union ovsdb_atom *key,
			  enum ovsdb_atype key_type);
/* True if every element (key, and value for maps) of 'b' is in 'a'. */
bool ovsdb_datum_includes_all(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			      const struct ovsdb_type *type);
/* True if no element of 'b' is in 'a'. */
bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			      const struct ovsdb_type *type);
/* Adds the elements of 'b' missing from 'a' (keys already in a map keep a's value). */
int ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b, const struct ovsdb_type *type);
/* Removes from 'a' the elements of 'b'.  If 'keys_only' (map minus set), matches keys only. */
void ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_datum *b,
			  const struct ovsdb_type *type, bool keys_only);
/* Removes the element at index i. */
void ovsdb_datum_remove(struct ovsdb_datum *d, uint32_t i, const struct ovsdb_type *type);
/* Sorts and checks uniqueness of keys; duplicates give a new "ovsdb error". */
json_t *ovsdb_datum_sort(struct ovsdb_datum *d, const struct ovsdb_type *type);
/* Checks n_min/n_max and atom constraints.  NULL or a new "constraint violation". */
json_t *ovsdb_datum_check_constraints(const struct ovsdb_datum *d, const struct ovsdb_type *type);
/* The symmetric difference used by update2 "modify": elements in exactly one of old/new,
 * and for maps the new value of changed keys.  Returns a new JSON value. */
json_t *ovsdb_datum_diff_to_json(const struct ovsdb_datum *old, const struct ovsdb_datum *new_,
				 const struct ovsdb_type *type);
