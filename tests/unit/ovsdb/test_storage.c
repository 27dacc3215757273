/* SPDX-License-Identifier: Apache-2.0 */
/* The journal (storage class "journal"): checksums, append/commit/replay, torn and
 * corrupt tails, compaction; and transaction records replayed into a fresh database give
 * back the same database. */
#include "helpers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovsdb-lite/journal.h"
#include "ovsdb-lite/json_text.h"
#include "ovsdb-lite/storage.h"
#include "ovsdb-lite/transaction.h"

static char path[256], live[300];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/dbs-unit-journal-%d", getpid());
	snprintf(live, sizeof live, "%s.live", path);
	unlink(path);
	unlink(live);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	unlink(live);
	return 0;
}

static uint64_t file_size(const char *name)
{
	struct stat sb;
	assert_int_equal(stat(name, &sb), 0);
	return (uint64_t)sb.st_size;
}

/* Copies 'from' to 'to' byte for byte: the file as a crash (kill -9) would leave it. */
static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char buf[65536];
	ssize_t n;
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_true(write(out, buf, (size_t)n) == n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

struct collect {
	json_t *records;
};

static int collect_cb(void *aux, const json_t *rec)
{
	json_array_append((json_t *)aux, (json_t *)rec);
	return 0;
}

/* Opens 'path', checks the schema, returns every record (new array). */
static json_t *reopen_all(void)
{
	struct ovsdb_storage *st = ovsdb_journal_class.open(path);
	assert_non_null(st);
	json_t *schema = st->class_->read_schema(st);
	assert_non_null(schema);
	assert_string_equal(json_string_value(json_object_get(schema, "name")), "t");
	json_decref(schema);
	json_t *all = json_array();
	assert_int_equal(st->class_->replay(st, collect_cb, all), 0);
	ovsdb_storage_close(st);
	return all;
}

/* Opens 'name' and replays it; returns the store, its records appended to 'records' (or
 * dropped if NULL). */
static struct ovsdb_storage *open_replayed(const char *name, json_t *records)
{
	struct ovsdb_storage *st = ovsdb_journal_class.open(name);
	assert_non_null(st);
	json_decref(st->class_->read_schema(st));
	json_t *all = records ? records : json_array();
	assert_int_equal(st->class_->replay(st, collect_cb, all), 0);
	if (!records)
		json_decref(all);
	return st;
}

static void append_text(struct ovsdb_storage *st, const char *text)
{
	assert_int_equal(ovsdb_storage_append(st, text, strlen(text)), 0);
}

static void test_crc32c(void **state)
{
	assert_int_equal(journal_crc32c("123456789", 9), 0xe3069283u); /* the standard check value */
	assert_int_equal(journal_crc32c("", 0), 0);
	/* Every length and alignment against a bit-at-a-time reference (the hardware path
	 * takes 8 bytes at a time, then the tail byte by byte). */
	unsigned char buf[300];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off <= sizeof buf; len += 1 + len / 8) {
			uint32_t c = 0xffffffffu;
			for (size_t i = 0; i < len; i++) {
				c ^= buf[off + i];
				for (int k = 0; k < 8; k++)
					c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
			}
			assert_int_equal(journal_crc32c(buf + off, len), c ^ 0xffffffffu);
		}
	}
}

static void test_journal_append_replay(void **state)
{
	json_t *schema = J(TEST_SCHEMA);
	assert_int_equal(ovsdb_journal_class.create(path, schema), 0);
	assert_int_equal(ovsdb_journal_class.create(path, schema), -EEXIST);
	json_t *none = json_array();
	struct ovsdb_storage *st = open_replayed(path, none);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	append_text(st, "{\"a\":1}");
	append_text(st, "{\"b\":2}");
	assert_int_equal(ovsdb_storage_commit(st, true), 0);
	/* Group commit: two records, one fsync. */
	assert_int_equal(journal_n_syncs(st), 1);
	append_text(st, "{\"c\":3}");
	assert_int_equal(ovsdb_storage_commit(st, false), 0);
	assert_int_equal(journal_n_syncs(st), 1);
	ovsdb_storage_close(st);
	assert_json_eq(reopen_all(), "[{\"a\":1},{\"b\":2},{\"c\":3}]");
	json_decref(schema);
}

static void test_journal_torn_and_corrupt_tail(void **state)
{
	json_t *schema = J(TEST_SCHEMA);
	assert_int_equal(ovsdb_journal_class.create(path, schema), 0);
	json_decref(schema);
	struct ovsdb_storage *st = open_replayed(path, NULL);
	append_text(st, "{\"a\":1}");
	append_text(st, "{\"b\":2}");
	ovsdb_storage_commit(st, true);
	uint64_t good = journal_size(st);
	ovsdb_storage_close(st);

	int fd = open(path, O_WRONLY | O_APPEND);
	assert_true(write(fd, "DVSJ1 40 12345678\n{\"c\":", 23) == 23);
	close(fd);
	assert_json_eq(reopen_all(), "[{\"a\":1},{\"b\":2}]");
	struct stat sb;
	stat(path, &sb);
	assert_int_equal((uint64_t)sb.st_size, good); /* truncated back to the last good record */

	/* Flip one byte of the last record's body: its checksum no longer matches. */
	fd = open(path, O_RDWR);
	char c;
	assert_true(pread(fd, &c, 1, (off_t)good - 3) == 1);
	c ^= 0x01;
	assert_true(pwrite(fd, &c, 1, (off_t)good - 3) == 1);
	close(fd);
	assert_json_eq(reopen_all(), "[{\"a\":1}]");
}

static void test_journal_compact(void **state)
{
	json_t *schema = J(TEST_SCHEMA);
	assert_int_equal(ovsdb_journal_class.create(path, schema), 0);
	struct ovsdb_storage *st = open_replayed(path, NULL);
	journal_set_compact_min(st, 1000);
	for (int i = 0; i < 100; i++)
		append_text(st, "{\"Host\":{\"550e8400-e29b-41d4-a716-446655440000\":{\"gen\":1}}}");
	ovsdb_storage_commit(st, true);
	assert_true(st->class_->should_compact(st));
	json_t *snap = J("{\"snapshot\":true}");
	assert_int_equal(st->class_->compact(st, schema, "{\"snapshot\":true}", 17), 0);
	assert_false(st->class_->should_compact(st));
	append_text(st, "{\"after\":1}");
	ovsdb_storage_commit(st, true);
	ovsdb_storage_close(st);
	assert_json_eq(reopen_all(), "[{\"snapshot\":true},{\"after\":1}]");
	json_decref(snap);
	json_decref(schema);
	char tmpname[300];
	snprintf(tmpname, sizeof tmpname, "%s.tmp", path);
	assert_int_equal(access(tmpname, F_OK), -1); /* renamed away, not left behind */
}

/* The file is zero-filled ahead of its records (so that a sync flushes data, not the
 * file's size); replay stops at the zeros without calling them corrupt, a torn record in
 * them is still cut, and a clean close leaves the file ending with its last record. */
static void test_journal_preallocation(void **state)
{
	json_t *schema = J(TEST_SCHEMA);
	assert_int_equal(ovsdb_journal_class.create(live, schema), 0);
	json_decref(schema);
	struct ovsdb_storage *st = open_replayed(live, NULL);
	append_text(st, "{\"a\":1}");
	assert_int_equal(ovsdb_storage_commit(st, false), 0);
	st->class_->prepare(st); /* written, not synced: appending costs nothing more */
	uint64_t one = journal_size(st);
	assert_int_equal(file_size(live), one);
	assert_int_equal(ovsdb_storage_commit(st, true), 0);
	assert_int_equal(file_size(live), one); /* nothing preallocated before prepare() */
	st->class_->prepare(st);
	uint64_t alloc = journal_allocated(st);
	assert_true(alloc >= one + (1u << 20));
	assert_int_equal(file_size(live), alloc);
	st->class_->prepare(st); /* plenty left: nothing to do */
	assert_int_equal(journal_allocated(st), alloc);
	append_text(st, "{\"b\":2}");
	assert_int_equal(ovsdb_storage_commit(st, true), 0);
	uint64_t two = journal_size(st);
	assert_int_equal(file_size(live), alloc); /* the record went into the zeros */

	/* A crash now: the records, then zeros. */
	copy_file(live, path);
	json_t *tmp = json_array();
	struct ovsdb_storage *st2 = open_replayed(path, tmp);
	assert_json_eq(tmp, "[{\"a\":1},{\"b\":2}]");
	assert_int_equal(file_size(path), alloc); /* not truncated: the zeros are no damage */
	assert_int_equal(journal_size(st2), two);
	assert_int_equal(journal_allocated(st2), alloc);
	append_text(st2, "{\"c\":3}");
	assert_int_equal(ovsdb_storage_commit(st2, true), 0);
	uint64_t three = journal_size(st2);
	ovsdb_storage_close(st2);
	assert_int_equal(file_size(path), three); /* a clean close drops the zeros */
	assert_json_eq(reopen_all(), "[{\"a\":1},{\"b\":2},{\"c\":3}]");

	/* A crash in the middle of writing a record into the zeros: it is cut, zeros and all. */
	copy_file(live, path);
	int fd = open(path, O_WRONLY);
	assert_true(pwrite(fd, "DVSJ1 40 12345678\n{\"c\":", 23, (off_t)two) == 23);
	close(fd);
	assert_json_eq(reopen_all(), "[{\"a\":1},{\"b\":2}]");
	assert_int_equal(file_size(path), two);

	ovsdb_storage_close(st);
	assert_int_equal(file_size(live), two);
}

/* Every committed transaction's record, replayed into an empty database, must rebuild the
 * same database (this is what a restart does). */
static void test_txn_records_replay(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA), *copy = make_db(TEST_SCHEMA);
	static const char *const txns[] = {
		"[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p\",\"mode\":\"trunk\"},\"uuid-name\":\"p\"},"
		"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\\n\\\"q\\\"\",\"ports\":[\"named-uuid\",\"p\"],\"ratio\":0.25,"
		"\"tags\":[\"map\",[[\"x\",1],[\"y\",-2]]],\"up\":true}}]",
		"[{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"s\"}},"
		"{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"gen\",\"+=\",7],[\"nums\",\"insert\",[\"set\",[3,1]]]]}]",
		"[{\"op\":\"update\",\"table\":\"Port\",\"where\":[],\"row\":{\"mode\":[\"set\",[]]}},"
		"{\"op\":\"delete\",\"table\":\"Site\",\"where\":[]}]",
	};
	for (size_t i = 0; i < DVS_ARRAY_SIZE(txns); i++) {
		struct ovsdb_txn *txn;
		json_decref(transact_txn(db, txns[i], &txn, NULL));
		assert_non_null(txn);
		struct json_text t;
		json_text_init(&t);
		assert_true(ovsdb_txn_write_journal(txn, &t));
		json_t *from_text = json_loadb(t.buf, t.len, 0, NULL);
		assert_non_null(from_text);
		/* The fast writer and the jansson builder agree. */
		json_t *from_tree = ovsdb_txn_to_journal(txn);
		assert_true(json_equal(from_text, from_tree));
		assert_null(ovsdb_txn_replay(copy, from_text));
		json_decref(from_tree);
		json_decref(from_text);
		json_text_destroy(&t);
		ovsdb_txn_destroy(txn);
	}
	ovsdb_db_recount_refs(copy);
	json_t *a = ovsdb_db_to_json(db), *b = ovsdb_db_to_json(copy);
	assert_true(json_equal(a, b));
	/* The text snapshot (what compaction writes) says the same as the jansson one. */
	struct json_text snap_text;
	json_text_init(&snap_text);
	assert_true(ovsdb_db_write_snapshot(db, &snap_text));
	json_t *c = json_loadb(snap_text.buf, snap_text.len, 0, NULL);
	assert_true(json_equal(a, c));
	json_decref(c);
	json_text_destroy(&snap_text);
	assert_int_equal(json_object_size(json_object_get(a, "Host")), 1);
	json_decref(a);
	json_decref(b);
	/* The replayed copy counts references: the port cannot be deleted there either. */
	json_t *r = transact(copy, "[{\"op\":\"delete\",\"table\":\"Port\",\"where\":[]}]");
	assert_string_equal(result_error(r, 1), "referential integrity violation");
	json_decref(r);
	ovsdb_db_destroy(db);
	ovsdb_db_destroy(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test_setup_teardown(test_journal_append_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_torn_and_corrupt_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_preallocation, setup, teardown),
		cmocka_unit_test(test_txn_records_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
