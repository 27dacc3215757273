/* SPDX-License-Identifier: Apache-2.0 */
/* The fast JSON parser (json_parse.c) and writer (json_text.c) against jansson: same
 * values accepted, same values built, same things refused, including on randomly
 * corrupted messages. */
#include "helpers.h"

#include "ovsdb-lite/json_parse.h"
#include "ovsdb-lite/json_text.h"

/* Both parsers must agree: equal values, or both refuse. */
static void agree(const char *text, size_t n)
{
	char err[160];
	json_error_t jerr;
	json_t *a = json_parse(text, n, err, sizeof err);
	json_t *b = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
	if (!a != !b)
		fail_msg("disagree on \"%.*s\": ours %s (%s), jansson %s (%s)", (int)n, text, a ? "ok" : "refused", err,
			 b ? "ok" : "refused", jerr.text);
	if (a && !json_equal(a, b))
		fail_msg("different values for \"%.*s\"", (int)n, text);
	if (a) {
		/* And our writer's text parses back to the same value. */
		struct json_text t;
		json_text_init(&t);
		json_text_json(&t, a);
		json_t *c = json_loadb(t.buf, t.len, JSON_DECODE_ANY, &jerr);
		assert_non_null(c);
		assert_true(json_equal(a, c));
		json_decref(c);
		json_text_destroy(&t);
	}
	json_decref(a);
	json_decref(b);
}

static void test_json_cases(void **state)
{
	static const char *const ok[] = {
		"{}", "[]", "0", "-0", "12345678901234", "-9223372036854775808", "1.5", "-2.5e-3", "1E+2", "true",
		"false", "null", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u20ac\\ud83d\\ude00\"",
		"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", " { \"a\" : [ 1 , { \"b\" : null } ] } ",
		"{\"method\":\"transact\",\"params\":[\"db\",{\"op\":\"insert\",\"table\":\"T\",\"row\":{\"k\":1}}],\"id\":7}",
		"{\"a\":1,\"a\":2}",
	};
	static const char *const bad[] = {
		"", "{", "}", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
		"\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf5\x80\x80\x80\"", "[1] 2", "99999999999999999999", "{\"a\":1,}", "[\"\\u0000\"]",
	};
	for (size_t i = 0; i < DVS_ARRAY_SIZE(ok); i++) {
		char err[160];
		json_t *v = json_parse(ok[i], strlen(ok[i]), err, sizeof err);
		if (!v)
			fail_msg("refused valid \"%s\": %s", ok[i], err);
		json_decref(v);
		agree(ok[i], strlen(ok[i]));
	}
	for (size_t i = 0; i < DVS_ARRAY_SIZE(bad); i++) {
		char err[160];
		json_t *v = json_parse(bad[i], strlen(bad[i]), err, sizeof err);
		if (v)
			fail_msg("accepted invalid \"%s\"", bad[i]);
		assert_true(err[0] != '\0');
	}
	/* Deep nesting is refused, not a stack overflow. */
	char deep[4096];
	memset(deep, '[', sizeof deep);
	char err[160];
	assert_null(json_parse(deep, sizeof deep, err, sizeof err));
}

static void test_json_random_corruption(void **state)
{
	const char *base = "{\"method\":\"transact\",\"id\":12,\"params\":[\"db\",{\"op\":\"insert\",\"table\":\"Port\","
			   "\"row\":{\"name\":\"p\\u00e9-1\",\"vlan\":10,\"ratio\":-1.25e2,\"tags\":[\"map\",[[\"a\",\"b\"]]],"
			   "\"up\":true,\"none\":null}}]}";
	size_t n = strlen(base);
	char buf[512];
	static const char alphabet[] = "{}[]\":,\\u0123456789.eE+-tfnrl \xc3\xa9\x80";
	unsigned seed = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(buf, base, n);
		size_t len = n;
		int edits = 1 + (int)(rand_r(&seed) % 3);
		for (int e = 0; e < edits && len > 1; e++) {
			size_t pos = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0: buf[pos] = alphabet[(size_t)rand_r(&seed) % (sizeof alphabet - 1)]; break;
			case 1: memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; break;
			default: len = pos + 1; break;
			}
		}
		agree(buf, len);
	}
}

/* Strings are scanned a word at a time: a special byte at every position of strings of
 * every length up to a few words, in keys and in values, decoded or refused as jansson does;
 * and a long decoded key followed by a decoded value (the key must survive the value). */
static void test_json_string_positions(void **state)
{
	static const char *const specials[] = { "\\\"", "\\\\", "\\n", "\\u00e9", "\xc3\xa9", "\xf0\x9f\x98\x80",
						"\x01", "\x1f", "\x80", "\xff", "\x7f", " ", "\"" };
	char str[64], doc[256];
	for (size_t len = 0; len < 40; len++) {
		for (size_t pos = 0; pos <= len; pos++) {
			for (size_t k = 0; k < DVS_ARRAY_SIZE(specials); k++) {
				size_t sl = strlen(specials[k]);
				memset(str, 'a', pos);
				memcpy(str + pos, specials[k], sl);
				memset(str + pos + sl, 'b', len - pos);
				str[len + sl] = '\0';
				int n = snprintf(doc, sizeof doc, "{\"%s\":\"%s\",\"k\":[\"%s\"]}", str, str, str);
				agree(doc, (size_t)n);
			}
		}
	}
	char big[1024];
	int n = snprintf(big, sizeof big, "{\"%0300d\\n\":\"x\\ty\",\"%0300d\":\"\\u00e9\"}", 1, 2);
	agree(big, (size_t)n);
	char err[160];
	json_t *v = json_parse(big, (size_t)n, err, sizeof err);
	assert_non_null(v);
	char key[320];
	snprintf(key, sizeof key, "%0300d\n", 1);
	assert_string_equal(json_string_value(json_object_get(v, key)), "x\ty");
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_cases),
		cmocka_unit_test(test_json_random_corruption),
		cmocka_unit_test(test_json_string_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
