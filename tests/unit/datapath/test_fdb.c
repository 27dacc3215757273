/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the FDB on a real rte_hash (EAL in memory, no hugepages): learning, lookup,
 * moves, static entries, aging, per-port and table limits, flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "datapath/dp/fdb.h"

static struct rte_rcu_qsbr *qs;

static int
eal_setup(void **state)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=test_fdb_%d", (int)getpid());
	/* No telemetry: its socket would outlive rte_eal_cleanup() and keep the run dir. */
	char *argv[] = {"test_fdb", "--no-pci", "--no-huge", "-m", "256", "--no-shconf", prefix,
			"--no-telemetry", "--log-level=*:error", "-l", "0", NULL};
	if (rte_eal_init(11, argv) < 0)
		return -1;
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	qs = rte_zmalloc(NULL, sz, 64);
	return rte_rcu_qsbr_init(qs, 1);
}

static int
eal_teardown(void **state)
{
	char dir[96];
	rte_eal_cleanup();
	snprintf(dir, sizeof(dir), "/var/run/dpdk/test_fdb_%d", (int)getpid());
	rmdir(dir);
	return 0;
}

static struct fdb_key
key(uint16_t seg, uint8_t last)
{
	struct fdb_key k = {.seg = seg, .mac = {0x52, 0x54, 0, 0, 0, last}};
	return k;
}

/* Looks up one key; returns its port (FDB_PORT_NONE if unknown) and position. */
static uint16_t
lookup(struct fdb *f, const struct fdb_key *k, int32_t *pos)
{
	const struct fdb_key *ks[1] = {k};
	uint16_t port;
	int32_t p;
	fdb_lookup_bulk(f, ks, 1, &port, &p);
	if (pos)
		*pos = p;
	return port;
}

static int
learn(struct fdb *f, const struct fdb_key *k, uint16_t port, uint32_t now)
{
	int32_t pos;
	lookup(f, k, &pos);
	return fdb_learn(f, k, pos, port, now);
}

static void
test_fdb_learn_lookup_move(void **state)
{
	struct fdb *f = fdb_create("t1", 1024, 300, 100, qs);
	struct fdb_key a = key(10, 1), a_other_seg = key(20, 1);

	assert_non_null(f);
	assert_int_equal(lookup(f, &a, NULL), FDB_PORT_NONE);
	assert_int_equal(learn(f, &a, 3, 100), FDB_LEARN_NEW);
	assert_int_equal(lookup(f, &a, NULL), 3);
	/* Segments are separate tables. */
	assert_int_equal(lookup(f, &a_other_seg, NULL), FDB_PORT_NONE);
	assert_int_equal(learn(f, &a, 3, 101), FDB_LEARN_KNOWN);
	/* A move is immediate. */
	assert_int_equal(learn(f, &a, 4, 102), FDB_LEARN_MOVED);
	assert_int_equal(lookup(f, &a, NULL), 4);
	assert_int_equal(f->port_count[3], 0);
	assert_int_equal(f->port_count[4], 1);
	assert_int_equal(f->n_moved, 1);
	fdb_destroy(f);
}

/* A MAC that learning or a publication moves from a local port to a remote one (a tunnel) is
 * marked as having left this host (the overlay split horizon lets frames for it through);
 * moves between tunnels or back to a local port clear the mark. */
static void
test_fdb_moved_away(void **state)
{
	struct fdb *f = fdb_create("t5", 1024, 300, 100, qs);
	struct fdb_key a = key(10, 7), b = key(10, 8);

	assert_non_null(f);
	/* Without a remote base nothing is remote. */
	assert_int_equal(learn(f, &a, 3, 100), FDB_LEARN_NEW);
	assert_int_equal(learn(f, &a, 200, 100), FDB_LEARN_MOVED);
	assert_false(fdb_moved_away(f, &a));
	fdb_set_remote_base(f, 100);
	assert_int_equal(learn(f, &a, 3, 101), FDB_LEARN_MOVED);
	assert_false(fdb_moved_away(f, &a));
	/* Local -> tunnel: the VM left. */
	assert_int_equal(learn(f, &a, 101, 102), FDB_LEARN_MOVED);
	assert_true(fdb_moved_away(f, &a));
	assert_int_equal(learn(f, &a, 101, 103), FDB_LEARN_KNOWN);
	assert_true(fdb_moved_away(f, &a));
	/* The controller publishes the same location: still marked. */
	assert_int_equal(fdb_add_published(f, 10, a.mac, 101), 0);
	assert_true(fdb_moved_away(f, &a));
	/* Tunnel -> tunnel: it moved on between remote hosts, not from here. */
	assert_int_equal(learn(f, &a, 102, 104), FDB_LEARN_MOVED);
	assert_false(fdb_moved_away(f, &a));
	/* Back home, then away again, then a publication elsewhere. */
	assert_int_equal(learn(f, &a, 3, 105), FDB_LEARN_MOVED);
	assert_int_equal(learn(f, &a, 101, 106), FDB_LEARN_MOVED);
	assert_true(fdb_moved_away(f, &a));
	assert_int_equal(fdb_add_published(f, 10, a.mac, 102), 0);
	assert_false(fdb_moved_away(f, &a));
	/* A configured MAC's entry the migration made yieldable, then the new location
	 * published by the controller: that move marks it too. */
	assert_int_equal(fdb_add_published(f, 10, a.mac, 3), 0);
	assert_false(fdb_moved_away(f, &a));
	assert_int_equal(fdb_add_published(f, 10, a.mac, 101), 0);
	assert_true(fdb_moved_away(f, &a));
	/* A MAC first seen on a tunnel, and an unknown MAC, never left. */
	assert_int_equal(learn(f, &b, 101, 107), FDB_LEARN_NEW);
	assert_false(fdb_moved_away(f, &b));
	struct fdb_key unknown = key(10, 9);
	assert_false(fdb_moved_away(f, &unknown));
	fdb_destroy(f);
}

static void
test_fdb_aging(void **state)
{
	struct fdb *f = fdb_create("t2", 1024, 300, 100, qs);
	struct fdb_key a = key(1, 1), b = key(1, 2);
	int32_t pos;

	learn(f, &a, 1, 1000);
	learn(f, &b, 2, 1000);
	/* b is seen again later: its timestamp is refreshed. */
	learn(f, &b, 2, 1200);
	assert_int_equal(fdb_age(f, 1299), 0);
	assert_int_equal(fdb_age(f, 1300), 1);
	assert_int_equal(lookup(f, &a, &pos), FDB_PORT_NONE);
	assert_true(pos < 0);
	assert_int_equal(lookup(f, &b, NULL), 2);
	assert_int_equal(fdb_age(f, 1500), 1);
	assert_int_equal(f->n_entries, 0);
	assert_int_equal(f->port_count[1], 0);
	assert_int_equal(f->port_count[2], 0);
	fdb_destroy(f);
}

static void
test_fdb_static(void **state)
{
	struct fdb *f = fdb_create("t3", 1024, 10, 100, qs);
	uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 9};
	struct fdb_key s = key(5, 9);

	assert_int_equal(fdb_add_static(f, 5, mac, 7), 0);
	assert_int_equal(lookup(f, &s, NULL), 7);
	/* Learning does not move a static entry, and aging does not remove it. */
	assert_int_equal(learn(f, &s, 8, 50), FDB_LEARN_STATIC);
	assert_int_equal(lookup(f, &s, NULL), 7);
	assert_int_equal(fdb_age(f, 100000), 0);
	assert_int_equal(fdb_flush(f, 7, false), 0);
	assert_int_equal(fdb_flush(f, 7, true), 1);
	assert_int_equal(lookup(f, &s, NULL), FDB_PORT_NONE);
	fdb_destroy(f);
}

static void
test_fdb_limits(void **state)
{
	struct fdb *f = fdb_create("t4", 64, 300, 4, qs);

	for (uint8_t i = 0; i < 4; i++) {
		struct fdb_key k = key(1, i);
		assert_int_equal(learn(f, &k, 1, 1), FDB_LEARN_NEW);
	}
	struct fdb_key k5 = key(1, 50);
	assert_int_equal(learn(f, &k5, 1, 1), FDB_LEARN_LIMIT);
	assert_int_equal(lookup(f, &k5, NULL), FDB_PORT_NONE);
	assert_int_equal(f->n_limit_hits, 1);
	/* Another port still learns. */
	assert_int_equal(learn(f, &k5, 2, 1), FDB_LEARN_NEW);
	/* A per-port limit can be raised. */
	fdb_set_port_limit(f, 1, 10);
	struct fdb_key k6 = key(1, 60);
	assert_int_equal(learn(f, &k6, 1, 1), FDB_LEARN_NEW);
	/* The table limit holds across ports. */
	unsigned learned = 6;
	for (uint16_t port = 10; port < 40; port++)
		for (uint8_t i = 0; i < 4; i++) {
			struct fdb_key k = key(port, i);
			if (learn(f, &k, port, 1) == FDB_LEARN_NEW)
				learned++;
		}
	assert_int_equal(learned, 64);
	assert_int_equal(f->n_entries, 64);
	/* Flushing one port frees its entries. */
	assert_int_equal(fdb_flush(f, 10, false), 4);
	assert_int_equal(f->n_entries, 60);
	fdb_destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fdb_learn_lookup_move),
		cmocka_unit_test(test_fdb_moved_away),
		cmocka_unit_test(test_fdb_aging),
		cmocka_unit_test(test_fdb_static),
		cmocka_unit_test(test_fdb_limits),
	};
	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
