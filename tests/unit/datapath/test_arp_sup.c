/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ARP suppression (dp/arp_sup.c): the reply the switch builds from a request
 * (every byte of it, untagged and behind a VLAN tag), which requests it may answer at all,
 * and the binding table (segments kept apart, conflicting MACs never answered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "datapath/dp/arp_sup.h"

static const uint8_t REQ_MAC[6] = {0x02, 0x72, 0, 0, 0, 0x01};  /* the requester */
static const uint8_t BOUND_MAC[6] = {0x02, 0x72, 0, 0, 0, 0x02}; /* the target's owner */
static const uint8_t OTHER_MAC[6] = {0x02, 0x72, 0, 0, 0, 0x03};

static uint32_t
ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* A 60-byte ARP request from REQ_MAC (10.72.0.1) for 'tpa', with 'tag' (0: untagged) and
 * non-zero padding.  Returns the ARP header's offset. */
static uint16_t
request(uint8_t *f, uint16_t tag, const char *spa, const char *tpa)
{
	uint16_t off = 12;
	uint32_t a;

	memset(f, 0xee, 64); /* padding the reply must not echo */
	memset(f, 0xff, 6);
	memcpy(f + 6, REQ_MAC, 6);
	if (tag) {
		f[off] = 0x81, f[off + 1] = 0x00, f[off + 2] = (uint8_t)(tag >> 8), f[off + 3] = (uint8_t)tag;
		off += 4;
	}
	f[off] = 0x08, f[off + 1] = 0x06;
	off += 2;
	static const uint8_t hdr[8] = {0, 1, 0x08, 0, 6, 4, 0, 1};
	memcpy(f + off, hdr, 8);
	memcpy(f + off + 8, REQ_MAC, 6);
	a = ip(spa);
	memcpy(f + off + 14, &a, 4);
	memset(f + off + 18, 0, 6);
	a = ip(tpa);
	memcpy(f + off + 24, &a, 4);
	return off;
}

static void
check_reply(const uint8_t *f, uint32_t len, uint16_t l2, uint16_t tag)
{
	static const uint8_t hdr[8] = {0, 1, 0x08, 0, 6, 4, 0, 2}; /* op 2: reply */
	uint32_t a;

	assert_memory_equal(f, REQ_MAC, 6);       /* Ethernet destination: the requester */
	assert_memory_equal(f + 6, BOUND_MAC, 6); /* Ethernet source: the bound MAC */
	if (tag) {
		assert_int_equal(f[12], 0x81);
		assert_int_equal(f[13], 0x00);
		assert_int_equal(f[14] << 8 | f[15], tag);
	}
	assert_int_equal(f[l2 - 2], 0x08);
	assert_int_equal(f[l2 - 1], 0x06);
	assert_memory_equal(f + l2, hdr, 8);
	assert_memory_equal(f + l2 + 8, BOUND_MAC, 6); /* sha */
	memcpy(&a, f + l2 + 14, 4);
	assert_int_equal(a, ip("10.72.0.2")); /* spa: the address asked for */
	assert_memory_equal(f + l2 + 18, REQ_MAC, 6); /* tha */
	memcpy(&a, f + l2 + 24, 4);
	assert_int_equal(a, ip("10.72.0.1")); /* tpa: the requester's address */
	for (uint32_t i = l2 + 28; i < len; i++)
		assert_int_equal(f[i], 0); /* padding zeroed */
}

/* A request untagged (60 bytes) or behind 'tag' (64 bytes) becomes the reply, byte for byte. */
static void
reply_case(uint16_t tag, uint32_t len)
{
	uint8_t f[64];
	uint16_t l2 = request(f, tag, "10.72.0.1", "10.72.0.2");

	assert_int_equal(l2, tag ? 18 : 14);
	assert_int_equal(arp_sup_answerable(f, len, l2), ip("10.72.0.2"));
	arp_sup_reply_build(f, len, l2, BOUND_MAC);
	check_reply(f, len, l2, tag);
}

static void
test_arp_sup_reply_bytes(void **state)
{
	(void)state;
	reply_case(0, 60);
}

static void
test_arp_sup_reply_tagged(void **state)
{
	(void)state;
	reply_case(10, 64);
}

static void
test_arp_sup_answerable_not(void **state)
{
	(void)state;
	uint8_t f[64];
	uint16_t l2;

	l2 = request(f, 0, "10.72.0.2", "10.72.0.2");
	assert_int_equal(arp_sup_answerable(f, 60, l2), 0); /* gratuitous */
	l2 = request(f, 0, "0.0.0.0", "10.72.0.2");
	assert_int_equal(arp_sup_answerable(f, 60, l2), 0); /* RFC 5227 probe */
	l2 = request(f, 0, "10.72.0.1", "10.72.0.2");
	f[l2 + 7] = 2;
	assert_int_equal(arp_sup_answerable(f, 60, l2), 0); /* a reply */
	l2 = request(f, 0, "10.72.0.1", "10.72.0.2");
	f[l2 + 2] = 0x86, f[l2 + 3] = 0xdd;
	assert_int_equal(arp_sup_answerable(f, 60, l2), 0); /* not IPv4 */
	l2 = request(f, 0, "10.72.0.1", "10.72.0.2");
	assert_int_equal(arp_sup_answerable(f, l2 + 27, l2), 0); /* truncated */
	assert_int_equal(arp_sup_answerable(f, l2 + 28, l2), ip("10.72.0.2"));
}

static struct arp_sup_entry
binding(uint16_t seg, const char *addr, const uint8_t mac[6])
{
	struct arp_sup_entry e = {.ip_be = ip(addr), .seg = seg};
	memcpy(e.mac, mac, 6);
	return e;
}

static void
test_arp_sup_table_lookup(void **state)
{
	(void)state;
	struct arp_sup_entry e[200];
	char buf[32];
	uint32_t n = 0;

	e[n++] = binding(4096, "10.72.0.2", BOUND_MAC);
	e[n++] = binding(4096, "10.72.0.2", BOUND_MAC); /* the same binding twice: merged */
	e[n++] = binding(4097, "10.72.0.2", OTHER_MAC); /* another segment, another owner */
	e[n++] = binding(4096, "10.72.0.9", BOUND_MAC);
	e[n++] = binding(4096, "10.72.0.9", OTHER_MAC); /* two owners: a conflict */
	e[n++] = binding(4096, "0.0.0.0", OTHER_MAC);   /* never a binding */
	for (int i = 0; i < 150; i++) {
		snprintf(buf, sizeof(buf), "10.80.%d.%d", i / 200, i % 200 + 1);
		e[n++] = binding(10, buf, OTHER_MAC);
	}
	struct arp_sup_table *t = arp_sup_table_create(e, n);
	assert_non_null(t);
	assert_int_equal(t->n, 3 + 150);
	assert_int_equal(t->n_conflict, 1);
	assert_true(t->mask + 1 >= 2 * t->n);
	assert_memory_equal(arp_sup_lookup(t, 4096, ip("10.72.0.2")), BOUND_MAC, 6);
	assert_memory_equal(arp_sup_lookup(t, 4097, ip("10.72.0.2")), OTHER_MAC, 6);
	assert_null(arp_sup_lookup(t, 4098, ip("10.72.0.2")));
	assert_null(arp_sup_lookup(t, 4096, ip("10.72.0.9")));
	assert_null(arp_sup_lookup(t, 4096, ip("10.72.0.3")));
	for (int i = 0; i < 150; i++) {
		snprintf(buf, sizeof(buf), "10.80.%d.%d", i / 200, i % 200 + 1);
		assert_memory_equal(arp_sup_lookup(t, 10, ip(buf)), OTHER_MAC, 6);
	}
	arp_sup_table_destroy(t);

	t = arp_sup_table_create(NULL, 0);
	assert_non_null(t);
	assert_null(arp_sup_lookup(t, 4096, ip("10.72.0.2")));
	arp_sup_table_destroy(t);
	arp_sup_table_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_sup_reply_bytes),
		cmocka_unit_test(test_arp_sup_reply_tagged),
		cmocka_unit_test(test_arp_sup_answerable_not),
		cmocka_unit_test(test_arp_sup_table_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
