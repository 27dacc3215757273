/* SPDX-License-Identifier: Apache-2.0 */
/* A session's input (ovsdb-lite/input.c): the same messages come out whether a stream
 * arrives whole or cut at any byte, parsed in place (ovsdb_input_parse_whole) or framed
 * first; what is not a message is refused where the framing always refused it. */
#include "helpers.h"

#include "ovsdb-lite/input.h"
#include "ovsdb-lite/json_parse.h"

/* Feeds 'text' in pieces of 'piece' bytes, taking out messages as dvs-db's session_parse()
 * does.  Returns the messages (a new array); *bad is set at a refused byte or bad message. */
static json_t *feed(const char *text, size_t piece, bool *bad, size_t *n_whole)
{
	struct ovsdb_input in = { 0 };
	size_t n = strlen(text);
	json_t *out = json_array();
	in.buf = malloc(n + 1);
	*bad = false;
	*n_whole = 0;
	for (size_t off = 0; off < n && !*bad; off += piece) {
		size_t k = n - off < piece ? n - off : piece;
		memcpy(in.buf + in.len, text + off, k);
		in.len += k;
		for (;;) {
			json_t *msg = ovsdb_input_parse_whole(&in);
			if (msg) {
				(*n_whole)++;
			} else {
				int rc = ovsdb_input_frame(&in);
				if (rc < 0)
					*bad = true;
				if (rc <= 0)
					break;
				char err[160];
				msg = json_parse(in.buf + in.start, in.scan + 1 - in.start, err, sizeof err);
				in.start = ++in.scan;
				if (!msg) {
					*bad = true;
					break;
				}
			}
			json_array_append_new(out, msg);
		}
	}
	free(in.buf);
	return out;
}

static void test_any_cut(void **state)
{
	static const char stream[] =
		"{\"method\":\"transact\",\"id\":1,\"params\":[\"db\",{\"op\":\"insert\",\"row\":{\"a\":\"}]{\\\"\"}}]}"
		" \n\t{\"method\":\"echo\",\"id\":[2,{\"x\":[]}],\"params\":[\"\\u00e9\",true,null,-1.5e3]}"
		"{\"id\":3,\"result\":{},\"error\":null}\r\n";
	json_t *want = J("[{\"method\":\"transact\",\"id\":1,\"params\":[\"db\",{\"op\":\"insert\",\"row\":{\"a\":\"}]{\\\"\"}}]},"
			 "{\"method\":\"echo\",\"id\":[2,{\"x\":[]}],\"params\":[\"\\u00e9\",true,null,-1.5e3]},"
			 "{\"id\":3,\"result\":{},\"error\":null}]");
	for (size_t piece = 1; piece <= sizeof stream; piece++) {
		bool bad;
		size_t n_whole;
		json_t *got = feed(stream, piece, &bad, &n_whole);
		assert_false(bad);
		if (!json_equal(got, want))
			fail_msg("pieces of %zu: %s", piece, json_dumps(got, JSON_COMPACT));
		if (piece == sizeof stream)
			assert_int_equal(n_whole, 3); /* arrived whole: none framed */
		json_decref(got);
	}
	json_decref(want);
}

static void test_refused(void **state)
{
	static const char *const cases[] = {
		"{\"method\":\"echo\",\"id\":1 oops}",  /* malformed: framed, then refused */
		"[1,2,3]",                           /* not an object */
		"{\"a\":1} x",                        /* a good one, then a bad byte */
		"{\"a\":tru}",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (size_t piece = 1; piece <= strlen(cases[i]); piece++) {
			bool bad;
			size_t n_whole;
			json_t *got = feed(cases[i], piece, &bad, &n_whole);
			if (!bad)
				fail_msg("\"%s\" in pieces of %zu accepted", cases[i], piece);
			assert_int_equal(json_array_size(got), i == 2 ? 1 : 0);
			json_decref(got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_cut),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
