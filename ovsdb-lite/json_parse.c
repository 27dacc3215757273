/* SPDX-License-Identifier: Apache-2.0 */
#include "json_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 128

struct parser {
	const char *p, *end, *start;
	char *err;
	size_t err_size;
	char *scratch; /* decoded string bytes */
	size_t scratch_cap;
	int depth;
};

static json_t *fail(struct parser *ps, const char *what)
{
	if (!*ps->err)
		snprintf(ps->err, ps->err_size, "%s at byte %zu", what, (size_t)(ps->p - ps->start));
	return NULL;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r'))
		ps->p++;
}

static bool scratch_reserve(struct parser *ps, size_t n)
{
	if (n <= ps->scratch_cap)
		return true;
	size_t cap = ps->scratch_cap ? ps->scratch_cap : 256;
	while (cap < n)
		cap *= 2;
	char *s = realloc(ps->scratch, cap);
	if (!s)
		return false;
	ps->scratch = s;
	ps->scratch_cap = cap;
	return true;
}

/* Length of the valid UTF-8 sequence at 's' (s < end), or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* True if none of the 8 bytes at 'p' is '"', '\\', a control character or non-ASCII: the
 * usual bytes of a string, examined a word at a time.  (A byte that is one of those makes
 * its word fail; borrows may make a word after it fail too, which only costs the slow
 * path.) */
static inline bool plain8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t x;
	memcpy(&x, p, 8);
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | (x - ones * 0x20) | x;
	return !(t & highs);
}

/* Parses a string at ps->p (just after the opening quote).  Returns its length with *out
 * pointing at its bytes, or -1.  A string without escapes (nearly all) is not copied: *out
 * points into the text.  Otherwise it is decoded into ps->scratch (NUL-terminated), which
 * the next string may overwrite. */
static long parse_string_raw(struct parser *ps, const char **out)
{
	const char *start = ps->p, *p = ps->p, *end = ps->end;
	while (end - p >= 8 && plain8(p))
		p += 8;
	/* No escapes, ASCII or valid UTF-8 until the closing quote. */
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\' || c < 0x20)
			break;
		size_t l = c < 0x80 ? 1 : utf8_len((const unsigned char *)p, (const unsigned char *)end);
		if (!l) {
			ps->p = p;
			fail(ps, "invalid UTF-8 in string");
			return -1;
		}
		p += l;
	}
	ps->p = p;
	size_t n = (size_t)(p - start);
	if (p < end && *p == '"') {
		ps->p++;
		*out = start;
		return (long)n;
	}
	if (!scratch_reserve(ps, n + 1)) {
		fail(ps, "out of memory");
		return -1;
	}
	memcpy(ps->scratch, start, n);
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			ps->scratch[n] = '\0';
			*out = ps->scratch;
			return (long)n;
		}
		if (c < 0x20) {
			fail(ps, "control character in string");
			return -1;
		}
		if (!scratch_reserve(ps, n + 8)) {
			fail(ps, "out of memory");
			return -1;
		}
		if (c != '\\') {
			size_t l = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
			if (!l) {
				fail(ps, "invalid UTF-8 in string");
				return -1;
			}
			memcpy(ps->scratch + n, ps->p, l);
			n += l;
			ps->p += l;
			continue;
		}
		if (ps->end - ps->p < 2) {
			fail(ps, "unterminated escape");
			return -1;
		}
		char e = ps->p[1];
		ps->p += 2;
		switch (e) {
		case '"': ps->scratch[n++] = '"'; break;
		case '\\': ps->scratch[n++] = '\\'; break;
		case '/': ps->scratch[n++] = '/'; break;
		case 'b': ps->scratch[n++] = '\b'; break;
		case 'f': ps->scratch[n++] = '\f'; break;
		case 'n': ps->scratch[n++] = '\n'; break;
		case 'r': ps->scratch[n++] = '\r'; break;
		case 't': ps->scratch[n++] = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			if (ps->end - ps->p < 4 || hex4(ps->p, &cp)) {
				fail(ps, "bad \\u escape");
				return -1;
			}
			ps->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "unpaired surrogate in \\u escape");
					return -1;
				}
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, "unpaired surrogate in \\u escape");
				return -1;
			}
			if (cp == 0) {
				fail(ps, "\\u0000 is not allowed");
				return -1;
			}
			n += put_utf8(ps->scratch + n, cp);
			break;
		}
		default:
			fail(ps, "invalid escape");
			return -1;
		}
	}
	fail(ps, "unterminated string");
	return -1;
}

static json_t *parse_value(struct parser *ps);

static json_t *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	bool is_real = false;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
		return fail(ps, "invalid number");
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
		return fail(ps, "leading zero in number");
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		is_real = true;
		ps->p++;
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		is_real = true;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	size_t len = (size_t)(ps->p - s);
	if (!is_real && len <= 18) {
		/* Up to 18 digits cannot overflow: no copy, no strtoll (one per integer of every
		 * request). */
		const char *q = s + (*s == '-');
		long long v = 0;
		for (; q < ps->p; q++)
			v = v * 10 + (*q - '0');
		return json_integer(*s == '-' ? -v : v);
	}
	char buf[64];
	if (len >= sizeof buf)
		return fail(ps, "number too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	if (!is_real) {
		long long v = strtoll(buf, NULL, 10);
		if (errno == ERANGE)
			return fail(ps, "too big integer");
		return json_integer(v);
	}
	double d = strtod(buf, NULL);
	if (errno == ERANGE && (d > 1 || d < -1))
		return fail(ps, "real number overflow");
	return json_real(d);
}

static json_t *parse_object(struct parser *ps)
{
	json_t *obj = json_object();
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return obj;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			goto bad;
		ps->p++;
		const char *ks;
		long kl = parse_string_raw(ps, &ks);
		if (kl < 0)
			goto bad;
		/* A key decoded in the scratch buffer is copied before the value reuses it. */
		char kbuf[256], *key = (char *)ks;
		if (ks == ps->scratch) {
			key = (size_t)kl < sizeof kbuf ? kbuf : malloc((size_t)kl + 1);
			if (!key) {
				fail(ps, "out of memory");
				goto bad;
			}
			memcpy(key, ks, (size_t)kl + 1);
		}
		skip_ws(ps);
		json_t *v = NULL;
		if (ps->p < ps->end && *ps->p == ':') {
			ps->p++;
			v = parse_value(ps);
		} else {
			fail(ps, "expected ':'");
		}
		if (!v || json_object_setn_new_nocheck(obj, key, (size_t)kl, v)) {
			if (key != kbuf && key != ks)
				free(key);
			goto bad;
		}
		if (key != kbuf && key != ks)
			free(key);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return obj;
		}
		fail(ps, "expected ',' or '}'");
		goto bad;
	}
bad:
	fail(ps, "invalid object");
	json_decref(obj);
	return NULL;
}

static json_t *parse_array(struct parser *ps)
{
	json_t *arr = json_array();
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return arr;
	}
	for (;;) {
		json_t *v = parse_value(ps);
		if (!v || json_array_append_new(arr, v))
			goto bad;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return arr;
		}
		fail(ps, "expected ',' or ']'");
		goto bad;
	}
bad:
	json_decref(arr);
	return NULL;
}

static bool literal(struct parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static json_t *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "nesting too deep");
	json_t *v;
	switch (*ps->p) {
	case '{':
		v = parse_object(ps);
		break;
	case '[':
		v = parse_array(ps);
		break;
	case '"': {
		ps->p++;
		const char *str;
		long n = parse_string_raw(ps, &str);
		v = n < 0 ? NULL : json_stringn_nocheck(str, (size_t)n); /* validated above */
		break;
	}
	case 't':
		v = literal(ps, "true", 4) ? json_true() : fail(ps, "invalid literal");
		break;
	case 'f':
		v = literal(ps, "false", 5) ? json_false() : fail(ps, "invalid literal");
		break;
	case 'n':
		v = literal(ps, "null", 4) ? json_null() : fail(ps, "invalid literal");
		break;
	default:
		v = parse_number(ps);
		break;
	}
	ps->depth--;
	return v;
}

/* Parses the value at 'text'; with 'used', text after it is allowed and its offset set. */
static json_t *parse(const char *text, size_t size, size_t *used, char *err, size_t err_size)
{
	struct parser ps = { text, text + size, text, err, err_size, NULL, 0, 0 };
	err[0] = '\0';
	json_t *v = parse_value(&ps);
	if (v && used) {
		*used = (size_t)(ps.p - text);
	} else if (v) {
		skip_ws(&ps);
		if (ps.p != ps.end) {
			fail(&ps, "trailing characters after the value");
			json_decref(v);
			v = NULL;
		}
	}
	free(ps.scratch);
	return v;
}

json_t *json_parse(const char *text, size_t size, char *err, size_t err_size)
{
	return parse(text, size, NULL, err, err_size);
}

json_t *json_parse_prefix(const char *text, size_t size, size_t *used, char *err, size_t err_size)
{
	return parse(text, size, used, err, err_size);
}
