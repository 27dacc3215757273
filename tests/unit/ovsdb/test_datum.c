/* SPDX-License-Identifier: Apache-2.0 */
/* Datums: RFC 7047 <value> JSON in and out, canonical order, duplicate keys, constraint
 * checks, set/map algebra, update2 diffs, and the direct text writer (json_text.c)
 * producing the same JSON as the jansson path. */
#include "helpers.h"

#include "ovsdb-lite/datum.h"
#include "ovsdb-lite/json_text.h"

static struct ovsdb_type type_of(const char *text)
{
	struct ovsdb_type t;
	json_t *j = J(text);
	json_t *err = ovsdb_type_from_json(&t, j);
	json_decref(j);
	if (err)
		fail_msg("type %s: %s", text, json_dumps(err, 0));
	return t;
}

/* Parses 'value' as 'type'; returns the error tag or "" and the round-tripped JSON. */
static const char *roundtrip(const char *type_text, const char *value, json_t **out)
{
	struct ovsdb_type t = type_of(type_text);
	struct ovsdb_datum d;
	json_t *v = J(value);
	json_t *err = ovsdb_datum_from_json(&d, &t, v, NULL);
	static char tag[64];
	json_decref(v);
	*out = NULL;
	if (err) {
		snprintf(tag, sizeof tag, "%s", ovsdb_error_tag(err));
		json_decref(err);
		ovsdb_type_destroy(&t);
		return tag;
	}
	*out = ovsdb_datum_to_json(&d, &t);
	/* The text writer must agree with the jansson path byte for byte once parsed. */
	struct json_text jt;
	json_text_init(&jt);
	json_text_datum(&jt, &d, &t);
	json_t *again = json_loadb(jt.buf, jt.len, JSON_DECODE_ANY, NULL);
	assert_non_null(again);
	assert_true(json_equal(again, *out));
	json_decref(again);
	json_text_destroy(&jt);
	ovsdb_datum_destroy(&d, &t);
	ovsdb_type_destroy(&t);
	return "";
}

static void want_value(const char *type, const char *value, const char *want)
{
	json_t *out;
	const char *tag = roundtrip(type, value, &out);
	if (*tag)
		fail_msg("%s as %s: %s", value, type, tag);
	assert_json_eq(out, want);
}

static void want_error(const char *type, const char *value, const char *want_tag)
{
	json_t *out;
	const char *tag = roundtrip(type, value, &out);
	json_decref(out);
	if (strcmp(tag, want_tag))
		fail_msg("%s as %s: got \"%s\", want \"%s\"", value, type, tag, want_tag);
}

static void test_datum_atoms(void **state)
{
	want_value("\"integer\"", "42", "42");
	want_value("\"real\"", "1", "1.0");
	want_value("\"real\"", "2.5", "2.5");
	want_value("\"boolean\"", "true", "true");
	want_value("\"string\"", "\"a\\\"b\\n\\u0001\"", "\"a\\\"b\\n\\u0001\"");
	want_value("\"uuid\"", "[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]",
		     "[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]");
	want_error("\"integer\"", "\"x\"", "syntax error");
	want_error("\"integer\"", "1.5", "syntax error");
	want_error("\"uuid\"", "[\"uuid\",\"not-a-uuid\"]", "syntax error");
	want_error("\"uuid\"", "[\"named-uuid\",\"x\"]", "syntax error"); /* no symbol table here */
	want_error("\"boolean\"", "0", "syntax error");
}

static void test_datum_sets_and_maps(void **state)
{
	const char *set = "{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}";
	want_value(set, "[\"set\",[3,1,2]]", "[\"set\",[1,2,3]]");
	want_value(set, "7", "7");
	want_value(set, "[\"set\",[]]", "[\"set\",[]]");
	want_error(set, "[\"set\",[1,1]]", "ovsdb error");
	const char *map = "{\"key\":\"string\",\"value\":\"integer\",\"min\":0,\"max\":\"unlimited\"}";
	want_value(map, "[\"map\",[[\"b\",2],[\"a\",1]]]", "[\"map\",[[\"a\",1],[\"b\",2]]]");
	want_error(map, "[\"map\",[[\"a\",1],[\"a\",2]]]", "ovsdb error");
	want_error(map, "[\"set\",[]]", "syntax error");
	want_error("{\"key\":\"integer\",\"min\":1,\"max\":2}", "[\"set\",[]]", "constraint violation");
	want_error("{\"key\":\"integer\",\"min\":0,\"max\":2}", "[\"set\",[1,2,3]]", "constraint violation");
}

static void test_datum_constraints(void **state)
{
	want_error("{\"key\":{\"type\":\"integer\",\"minInteger\":1,\"maxInteger\":4094}}", "0", "constraint violation");
	want_value("{\"key\":{\"type\":\"integer\",\"minInteger\":1,\"maxInteger\":4094}}", "4094", "4094");
	want_error("{\"key\":{\"type\":\"real\",\"maxReal\":1.5}}", "1.6", "constraint violation");
	want_error("{\"key\":{\"type\":\"string\",\"maxLength\":3}}", "\"abcd\"", "constraint violation");
	/* Lengths count characters, not bytes: "é" is two bytes, one character. */
	want_value("{\"key\":{\"type\":\"string\",\"maxLength\":3}}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"");
	/* A minimum alone is checked too (an unconstrained string is not counted at all). */
	want_error("{\"key\":{\"type\":\"string\",\"minLength\":2}}", "\"\xc3\xa9\"", "constraint violation");
	want_value("{\"key\":{\"type\":\"string\",\"minLength\":2}}", "\"ab\"", "\"ab\"");
	want_value("{\"key\":{\"type\":\"string\"}}", "\"\"", "\"\"");
	want_error("{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"a\",\"b\"]]}}", "\"c\"", "constraint violation");
	want_value("{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"a\",\"b\"]]}}", "\"b\"", "\"b\"");
}

static void test_datum_algebra_and_diff(void **state)
{
	struct ovsdb_type t = type_of("{\"key\":\"string\",\"value\":\"integer\",\"min\":0,\"max\":\"unlimited\"}");
	struct ovsdb_datum a, b, c;
	json_t *j;
	assert_null(ovsdb_datum_from_json(&a, &t, j = J("[\"map\",[[\"a\",1],[\"b\",2],[\"c\",3]]]"), NULL));
	json_decref(j);
	assert_null(ovsdb_datum_from_json(&b, &t, j = J("[\"map\",[[\"b\",2],[\"c\",9],[\"d\",4]]]"), NULL));
	json_decref(j);
	assert_json_eq(ovsdb_datum_diff_to_json(&a, &b, &t), "[\"map\",[[\"a\",1],[\"c\",9],[\"d\",4]]]");
	assert_true(ovsdb_datum_includes_all(&a, &a, &t));
	assert_false(ovsdb_datum_includes_all(&a, &b, &t));
	ovsdb_datum_clone(&c, &a, &t);
	assert_int_equal(ovsdb_datum_union(&c, &b, &t), 0);
	/* Union keeps existing keys' values (RFC 7047 "insert" mutator semantics). */
	assert_json_eq(ovsdb_datum_to_json(&c, &t), "[\"map\",[[\"a\",1],[\"b\",2],[\"c\",3],[\"d\",4]]]");
	ovsdb_datum_subtract(&c, &b, &t, false); /* removes only exact pairs: b=2, d=4 */
	assert_json_eq(ovsdb_datum_to_json(&c, &t), "[\"map\",[[\"a\",1],[\"c\",3]]]");
	ovsdb_datum_subtract(&c, &b, &t, true); /* removes keys: c */
	assert_json_eq(ovsdb_datum_to_json(&c, &t), "[\"map\",[[\"a\",1]]]");
	assert_true(ovsdb_datum_excludes_all(&c, &b, &t));
	assert_int_not_equal(ovsdb_datum_hash(&a, &t, 0), ovsdb_datum_hash(&b, &t, 0));
	ovsdb_datum_destroy(&a, &t);
	ovsdb_datum_destroy(&b, &t);
	ovsdb_datum_destroy(&c, &t);
	ovsdb_type_destroy(&t);

	struct ovsdb_type st = type_of("{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}");
	assert_null(ovsdb_datum_from_json(&a, &st, j = J("[\"set\",[1,2]]"), NULL));
	json_decref(j);
	assert_null(ovsdb_datum_from_json(&b, &st, j = J("[\"set\",[2,3]]"), NULL));
	json_decref(j);
	assert_json_eq(ovsdb_datum_diff_to_json(&a, &b, &st), "[\"set\",[1,3]]");
	ovsdb_datum_destroy(&a, &st);
	ovsdb_datum_destroy(&b, &st);
	ovsdb_type_destroy(&st);
}

/* One-atom datums live in pool blocks: they must grow (union), shrink, move (clone, swap)
 * and be freed like any other, across more than one 4096-block slab. */
static void test_datum_one_atom_blocks(void **state)
{
	struct ovsdb_type t = type_of("{\"key\":\"string\",\"value\":\"integer\",\"min\":0,\"max\":\"unlimited\"}");
	struct ovsdb_datum a, b, c;
	json_t *j;
	assert_null(ovsdb_datum_from_json(&a, &t, j = J("[\"map\",[[\"x\",7]]]"), NULL));
	json_decref(j);
	assert_true(a.one);
	assert_null(ovsdb_datum_from_json(&b, &t, j = J("[\"map\",[[\"a\",1],[\"x\",9],[\"z\",3]]]"), NULL));
	json_decref(j);
	assert_false(b.one);
	ovsdb_datum_clone(&c, &a, &t);
	assert_true(c.one);
	assert_int_equal(ovsdb_datum_union(&a, &b, &t), 0); /* out of its block */
	assert_false(a.one);
	assert_json_eq(ovsdb_datum_to_json(&a, &t), "[\"map\",[[\"a\",1],[\"x\",7],[\"z\",3]]]");
	ovsdb_datum_swap(&a, &c);
	assert_true(a.one);
	assert_json_eq(ovsdb_datum_to_json(&a, &t), "[\"map\",[[\"x\",7]]]");
	ovsdb_datum_subtract(&a, &b, &t, true); /* empty, still in its block */
	assert_int_equal(a.n, 0);
	ovsdb_datum_destroy(&a, &t);
	ovsdb_datum_destroy(&b, &t);
	ovsdb_datum_destroy(&c, &t);
	ovsdb_type_destroy(&t);

	/* 10000 scalars at once (three slabs), freed in another order, then as many again:
	 * every value intact, the blocks reused.  Strings of up to 15 bytes share the pool;
	 * every third one is longer and malloc'd. */
	struct ovsdb_type st = type_of("\"string\"");
	enum { N = 10000 };
	struct ovsdb_datum *ds = calloc(N, sizeof *ds);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			char txt[48];
			snprintf(txt, sizeof txt, i % 3 ? "\"s%d\"" : "\"a-longer-string-%d\"", i * (round + 1));
			assert_null(ovsdb_datum_from_json(&ds[i], &st, j = J(txt), NULL));
			json_decref(j);
			assert_true(ds[i].one);
		}
		for (int i = 0; i < N; i++) {
			char want[48];
			snprintf(want, sizeof want, i % 3 ? "s%d" : "a-longer-string-%d", i * (round + 1));
			assert_string_equal(ds[i].keys[0].string, want);
		}
		for (int i = 0; i < N; i += 2)
			ovsdb_datum_destroy(&ds[i], &st);
		for (int i = 1; i < N; i += 2)
			ovsdb_datum_destroy(&ds[i], &st);
	}
	/* Around the boundary: 15 characters (the last that fits a block), 16, and "". */
	static const char *const edge[] = { "\"123456789012345\"", "\"1234567890123456\"", "\"\"" };
	for (int i = 0; i < 3; i++) {
		assert_null(ovsdb_datum_from_json(&ds[i], &st, j = J(edge[i]), NULL));
		json_decref(j);
		ovsdb_datum_clone(&ds[3 + i], &ds[i], &st);
	}
	for (int i = 0; i < 3; i++) {
		assert_json_eq(ovsdb_datum_to_json(&ds[3 + i], &st), edge[i]);
		ovsdb_datum_destroy(&ds[i], &st);
		ovsdb_datum_destroy(&ds[3 + i], &st);
	}
	free(ds);
	ovsdb_type_destroy(&st);
}

static void test_uuid_text(void **state)
{
	struct uuid u, v;
	char buf[UUID_LEN + 1];
	assert_true(uuid_from_string(&u, "550e8400-e29b-41d4-a716-446655440000"));
	uuid_to_string(&u, buf);
	assert_string_equal(buf, "550e8400-e29b-41d4-a716-446655440000");
	uuid_generate(&v);
	uuid_to_string(&v, buf);
	assert_true(buf[14] == '4'); /* version 4 */
	assert_true(uuid_from_string(&u, buf) && uuid_equals(&u, &v));
	assert_false(uuid_from_string(&u, "550e8400e29b-41d4-a716-446655440000"));
	/* Every nibble value in every position, against printf. */
	for (int i = 0; i < 1000; i++) {
		if (i < 16) {
			for (int k = 0; k < 4; k++)
				u.parts[k] = 0x11111111u * (uint32_t)i;
		} else {
			uuid_generate(&u);
		}
		char want[UUID_LEN + 1];
		snprintf(want, sizeof want, "%08x-%04x-%04x-%04x-%04x%08x", u.parts[0], u.parts[1] >> 16,
			 u.parts[1] & 0xffff, u.parts[2] >> 16, u.parts[2] & 0xffff, u.parts[3]);
		uuid_to_string(&u, buf);
		assert_string_equal(buf, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datum_atoms),
		cmocka_unit_test(test_datum_sets_and_maps),
		cmocka_unit_test(test_datum_constraints),
		cmocka_unit_test(test_datum_algebra_and_diff),
		cmocka_unit_test(test_datum_one_atom_blocks),
		cmocka_unit_test(test_uuid_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
