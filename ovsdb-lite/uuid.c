/* SPDX-License-Identifier: Apache-2.0 */
#include "uuid.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t prng_state[2];
static bool prng_seeded;

static uint64_t prng_next(void)
{
	/* xorshift128+: fast, and period far beyond any database's row count. */
	uint64_t s1 = prng_state[0];
	const uint64_t s0 = prng_state[1];
	prng_state[0] = s0;
	s1 ^= s1 << 23;
	prng_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return prng_state[1] + s0;
}

static void prng_seed(void)
{
	if (getrandom(prng_state, sizeof prng_state, 0) != sizeof prng_state) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		prng_state[0] = (uint64_t)ts.tv_nsec * 6364136223846793005ull ^ (uint64_t)getpid();
		prng_state[1] = (uint64_t)ts.tv_sec ^ 0x9e3779b97f4a7c15ull;
	}
	if (!prng_state[0] && !prng_state[1])
		prng_state[1] = 1;
	prng_seeded = true;
}

void uuid_generate(struct uuid *u)
{
	if (!prng_seeded)
		prng_seed();
	uint64_t a = prng_next(), b = prng_next();
	u->parts[0] = (uint32_t)(a >> 32);
	u->parts[1] = (uint32_t)a;
	u->parts[2] = (uint32_t)(b >> 32);
	u->parts[3] = (uint32_t)b;
	/* Version 4, variant 10. */
	u->parts[1] = (u->parts[1] & 0xffff0fffu) | 0x00004000u;
	u->parts[2] = (u->parts[2] & 0x3fffffffu) | 0x80000000u;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool uuid_from_string(struct uuid *u, const char *s)
{
	static const int dash_at[] = { 8, 13, 18, 23 };
	uint32_t parts[4] = { 0, 0, 0, 0 };
	int nibble = 0;
	if (strlen(s) != UUID_LEN)
		return false;
	for (int i = 0, d = 0; i < UUID_LEN; i++) {
		if (d < 4 && i == dash_at[d]) {
			if (s[i] != '-')
				return false;
			d++;
			continue;
		}
		int v = hexval(s[i]);
		if (v < 0)
			return false;
		parts[nibble / 8] = (parts[nibble / 8] << 4) | (uint32_t)v;
		nibble++;
	}
	memcpy(u->parts, parts, sizeof parts);
	return true;
}

/* The 8 hex digits of 'v', most significant first, as the bytes of a little-endian word:
 * every nibble spread to a byte, then '0'-'9' or 'a'-'f' added to all bytes at once. */
static uint64_t hex8_word(uint32_t v)
{
	uint64_t x = v;
	x = ((x & 0xffff0000ull) << 16) | (x & 0xffffull);
	x = ((x & 0x0000ff000000ff00ull) << 8) | (x & 0x000000ff000000ffull);
	x = ((x & 0x00f000f000f000f0ull) << 4) | (x & 0x000f000f000f000full);
	uint64_t letter = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull; /* nibble >= 10 */
	x += 0x3030303030303030ull + letter * ('a' - '0' - 10);
	return __builtin_bswap64(x);
}

void hex8(uint32_t v, char *out)
{
	uint64_t h = hex8_word(v);
	memcpy(out, &h, 8);
}

void uuid_to_string(const struct uuid *u, char *buf)
{
	/* Without a loop per nibble: every row in a journal record and every insert's reply
	 * names its UUID (the loop was 4% of a transaction's instructions). */
	uint64_t h;
	h = hex8_word(u->parts[0]);
	memcpy(buf, &h, 8);
	buf[8] = '-';
	h = hex8_word(u->parts[1]);
	memcpy(buf + 9, &h, 4);
	buf[13] = '-';
	memcpy(buf + 14, (char *)&h + 4, 4);
	buf[18] = '-';
	h = hex8_word(u->parts[2]);
	memcpy(buf + 19, &h, 4);
	buf[23] = '-';
	memcpy(buf + 24, (char *)&h + 4, 4);
	h = hex8_word(u->parts[3]);
	memcpy(buf + 28, &h, 8);
	buf[36] = '\0';
}

int uuid_compare(const struct uuid *a, const struct uuid *b)
{
	for (int i = 0; i < 4; i++)
		if (a->parts[i] != b->parts[i])
			return a->parts[i] < b->parts[i] ? -1 : 1;
	return 0;
}

bool uuid_is_zero(const struct uuid *u)
{
	return !(u->parts[0] | u->parts[1] | u->parts[2] | u->parts[3]);
}
