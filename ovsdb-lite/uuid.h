/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* UUIDs as OVSDB uses them: row identities and row versions.  Random (version 4) from a
 * fast PRNG seeded once from getrandom(2): uniqueness, not secrecy, is what rows need. */

#include <stdbool.h>
#include <stdint.h>

struct uuid {
	uint32_t parts[4];
};

#define UUID_LEN 36

void uuid_generate(struct uuid *u);
/* Parses the canonical 8-4-4-4-12 text form.  Returns true on success. */
bool uuid_from_string(struct uuid *u, const char *s);
/* Writes the 8 lowercase hex digits of 'v' into 'out' (no NUL), as printf's "%08x". */
void hex8(uint32_t v, char *out);
/* Writes 36 characters plus NUL into 'buf' (at least UUID_LEN + 1 bytes). */
void uuid_to_string(const struct uuid *u, char *buf);
int uuid_compare(const struct uuid *a, const struct uuid *b);
static inline bool uuid_equals(const struct uuid *a, const struct uuid *b)
{
	return a->parts[0] == b->parts[0] && a->parts[1] == b->parts[1] &&
	       a->parts[2] == b->parts[2] && a->parts[3] == b->parts[3];
}
static inline uint32_t uuid_hash(const struct uuid *u)
{
	/* Random UUIDs: one word is already well distributed. */
	return u->parts[0];
}
bool uuid_is_zero(const struct uuid *u);
