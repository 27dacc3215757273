/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of datapath/dp/vxlan.c on real mbufs (EAL without hugepages): encap output byte
 * for byte against scapy-built references (fixtures.h), checksums, MTU refusal, headroom and
 * shared-buffer refusals, decap round trips, and every decap reason.  The
 * flow hash, the UDP source port and the IPv4 header sum: test_vxlan_hash.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "datapath/dp/vxlan.h"
#include "fixtures.h"
#include "kernel_capture.h"

static struct rte_mempool *pool;
static char prefix[64];

static int
eal_setup(void **state)
{
	char arg[96];
	snprintf(prefix, sizeof(prefix), "vx-%d", (int)getpid());
	snprintf(arg, sizeof(arg), "--file-prefix=%s", prefix);
	char *argv[] = {"test_vxlan", "--no-pci", "--no-huge", "-m", "256", "--no-shconf", arg,
			"--no-telemetry", "--log-level=*:error", "-l", "0", NULL};
	if (rte_eal_init(11, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("vx", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool ? 0 : -1;
}

/* Removes our --file-prefix runtime directory: EAL leaves its files (the mp socket, the
 * config) behind even with --no-shconf. */
static int
eal_teardown(void **state)
{
	char dir[128];
	rte_mempool_free(pool);
	rte_eal_cleanup();
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

/* --- helpers ------------------------------------------------------------------------- */

static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= size);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static struct rte_mbuf *
mbuf_from(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	char *p = rte_pktmbuf_append(m, (uint16_t)size);
	assert_non_null(p);
	memcpy(p, data, size);
	return m;
}

static struct rte_mbuf *
mbuf_from_hex(const char *hex)
{
	uint8_t buf[2048];
	size_t n = unhex(hex, buf, sizeof(buf));
	return mbuf_from(buf, n);
}

static void
assert_mbuf_bytes(const struct rte_mbuf *m, const uint8_t *want, size_t size)
{
	assert_int_equal(rte_pktmbuf_pkt_len(m), size);
	assert_int_equal(rte_pktmbuf_data_len(m), size);
	const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);
	for (size_t i = 0; i < size; i++) {
		if (got[i] != want[i])
			fail_msg("byte %zu: got %02x, want %02x", i, got[i], want[i]);
	}
}

static struct vxlan_tmpl_params
params_v4(void)
{
	struct vxlan_tmpl_params p = {
		.dst_mac = {{0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02}},
		.src_mac = {{0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01}},
		.src = {.family = AF_INET},
		.dst = {.family = AF_INET},
		.df = true,
		.mtu = 1500,
	};
	inet_pton(AF_INET, "192.0.2.1", &p.src.v4_be);
	inet_pton(AF_INET, "198.51.100.7", &p.dst.v4_be);
	return p;
}

static struct vxlan_tmpl_params
params_v6(void)
{
	struct vxlan_tmpl_params p = params_v4();
	p.src.family = p.dst.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", p.src.v6);
	inet_pton(AF_INET6, "2001:db8::7", p.dst.v6);
	return p;
}

/* The local endpoint that receives what params_v4/v6 templates send. */
static struct vxlan_local
local_of(const struct vxlan_tmpl_params *p)
{
	struct vxlan_local l = {.verify_udp_csum = true};
	if (p->dst.family == AF_INET) {
		l.v4_be = p->dst.v4_be;
	} else {
		l.has_v6 = true;
		memcpy(l.v6, p->dst.v6, 16);
	}
	return l;
}

static void
encap_matches_fixture(const struct vxlan_tmpl_params *p, const char *fixture, size_t hdr_size)
{
	struct vxlan_tmpl t;
	uint8_t want[512];
	size_t n = unhex(fixture, want, sizeof(want));

	assert_int_equal(vxlan_tmpl_build(&t, p), 0);
	assert_int_equal(t.size, hdr_size);
	struct rte_mbuf *m = mbuf_from_hex(fix_inner);
	assert_int_equal(vxlan_encap(m, &t, FIX_VNI, FIX_HASH), VXLAN_ENCAP_OK);
	assert_mbuf_bytes(m, want, n);
	rte_pktmbuf_free(m);
}

/* --- encap --------------------------------------------------------------------------- */

static void
test_vxlan_encap_v4_matches_scapy(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	encap_matches_fixture(&p, fix_v4, 50);
}

static void
test_vxlan_encap_v4_vlan_matches_scapy(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	p.vlan = 100;
	p.vlan_pcp = 5;
	encap_matches_fixture(&p, fix_v4_vlan, 54);
}

static void
test_vxlan_encap_v6_matches_scapy(void **state)
{
	struct vxlan_tmpl_params p = params_v6();
	encap_matches_fixture(&p, fix_v6, 70);
}

/* The incremental IPv4 checksum equals a from-scratch one for every frame size, and the UDP
 * and IP lengths follow the frame. */
static void
test_vxlan_encap_v4_checksum_all_sizes(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_tmpl t;
	uint8_t frame[1500];

	p.tos = 0xb8;
	p.ttl = 7;
	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	for (uint32_t size = 14; size <= t.max_inner; size += 37) {
		struct rte_mbuf *m = mbuf_from(frame, size);
		assert_int_equal(vxlan_encap(m, &t, 0xabcdef, size * 2654435761u), VXLAN_ENCAP_OK);
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
		struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), size + 36);
		assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), size + 16);
		assert_int_equal(ip->type_of_service, 0xb8);
		assert_int_equal(ip->time_to_live, 7);
		assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
		uint16_t stored = ip->hdr_checksum;
		ip->hdr_checksum = 0;
		assert_int_equal(stored, rte_ipv4_cksum(ip));
		assert_int_equal(udp->dgram_cksum, 0);
		rte_pktmbuf_free(m);
	}
}

static void
test_vxlan_encap_v6_udp_checksum(void **state)
{
	struct vxlan_tmpl_params p = params_v6();
	struct vxlan_tmpl t;
	uint8_t frame[1400];

	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(255 - i);
	for (uint32_t size = 14; size <= sizeof(frame); size += 61) {
		struct rte_mbuf *m = mbuf_from(frame, size);
		assert_int_equal(vxlan_encap(m, &t, 1, size), VXLAN_ENCAP_OK);
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
		struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 54);
		assert_int_equal(rte_be_to_cpu_16(ip6->payload_len), size + 16);
		uint16_t stored = udp->dgram_cksum;
		assert_int_not_equal(stored, 0);
		/* DPDK's own computation, independent of vxlan.c's arithmetic. */
		udp->dgram_cksum = 0;
		assert_int_equal(stored, rte_ipv6_udptcp_cksum(ip6, udp));
		rte_pktmbuf_free(m);
	}
}

/* A frame that would exceed the tunnel MTU is refused and left as it was; one byte less
 * passes.  The limit counts the outer IP packet, not the outer Ethernet header. */
static void
test_vxlan_encap_mtu_refusal(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_tmpl t;
	uint8_t frame[1600] = {0};

	p.mtu = 1400;
	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	assert_int_equal(t.max_inner, 1400 - 50 + 14);

	struct rte_mbuf *m = mbuf_from(frame, 1365);
	uint16_t off = m->data_off;
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_TOO_BIG);
	assert_int_equal(m->data_off, off);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 1365);
	rte_pktmbuf_free(m);

	m = mbuf_from(frame, 1364);
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_OK);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 1400);
	rte_pktmbuf_free(m);

	/* IPv6 has 20 bytes more overhead. */
	p = params_v6();
	p.mtu = 1400;
	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	m = mbuf_from(frame, 1345);
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_TOO_BIG);
	rte_pktmbuf_free(m);
	m = mbuf_from(frame, 1344);
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_OK);
	rte_pktmbuf_free(m);
}

static void
test_vxlan_encap_no_headroom_and_shared(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_tmpl t;
	uint8_t frame[200] = {0};

	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	struct rte_mbuf *m = mbuf_from(frame, 100);
	/* Leave 49 bytes of headroom: one short of the 50 the template needs. */
	assert_non_null(rte_pktmbuf_prepend(m, (uint16_t)(rte_pktmbuf_headroom(m) - 49)));
	uint32_t len = rte_pktmbuf_pkt_len(m);
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_NO_HEADROOM);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	rte_pktmbuf_free(m);

	m = mbuf_from(frame, 100);
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(vxlan_encap(m, &t, 9, 0), VXLAN_ENCAP_SHARED);
	rte_pktmbuf_free(m);
	struct rte_mbuf *c = rte_pktmbuf_clone(m, pool);
	assert_non_null(c);
	assert_int_equal(vxlan_encap(c, &t, 9, 0), VXLAN_ENCAP_SHARED);
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);
}

static void
test_vxlan_tmpl_rejects_bad_params(void **state)
{
	struct vxlan_tmpl t;
	struct vxlan_tmpl_params p = params_v4();

	p.dst.family = AF_INET6;
	assert_int_equal(vxlan_tmpl_build(&t, &p), -EINVAL);
	p = params_v4();
	p.vlan = 4095;
	assert_int_equal(vxlan_tmpl_build(&t, &p), -EINVAL);
	p = params_v4();
	p.mtu = 36 + 13;
	assert_int_equal(vxlan_tmpl_build(&t, &p), -EINVAL);
	p.mtu = 36 + 14;
	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	p = params_v4();
	p.src.family = p.dst.family = 0;
	assert_int_equal(vxlan_tmpl_build(&t, &p), -EINVAL);
}

/* --- decap --------------------------------------------------------------------------- */

static void
round_trip(const struct vxlan_tmpl_params *p)
{
	struct vxlan_tmpl t;
	struct vxlan_local l = local_of(p);
	uint8_t inner[128];
	size_t n = unhex(fix_inner, inner, sizeof(inner));
	uint32_t vni = 0;
	struct vxlan_addr src;

	assert_int_equal(vxlan_tmpl_build(&t, p), 0);
	for (uint32_t want_vni = 1; want_vni < (1u << 24); want_vni = want_vni * 3 + 1) {
		struct rte_mbuf *m = mbuf_from(inner, n);
		/* Every other frame carries DVS's relay bit (covered by the IPv6 checksum too). */
		bool relay = want_vni & 1;
		assert_int_equal(vxlan_encap_flags(m, &t, want_vni, want_vni * 77,
						   relay ? VXLAN_FLAGS_DVS_RELAY : 0), VXLAN_ENCAP_OK);
		const uint8_t *vx = rte_pktmbuf_mtod(m, const uint8_t *) + t.size - VXLAN_HDR_SIZE;
		assert_int_equal(vx[0], 0x08);
		assert_int_equal(vx[1], relay ? 0x01 : 0x00);
		memset(&src, 0xee, sizeof(src));
		assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_OK);
		assert_int_equal(vxlan_decapped_relay(m), relay);
		assert_int_equal(vni, want_vni);
		assert_int_equal(src.family, p->src.family);
		if (p->src.family == AF_INET)
			assert_int_equal(src.v4_be, p->src.v4_be);
		else
			assert_memory_equal(src.v6, p->src.v6, 16);
		assert_mbuf_bytes(m, inner, n);
		rte_pktmbuf_free(m);
	}
}

static void
test_vxlan_round_trip_v4(void **state)
{
	struct vxlan_tmpl_params p = params_v4();
	round_trip(&p);
	p.vlan = 42;
	round_trip(&p);
}

static void
test_vxlan_round_trip_v6(void **state)
{
	struct vxlan_tmpl_params p = params_v6();
	round_trip(&p);
	p.vlan = 42;
	round_trip(&p);
}

/* Ethernet padding after a short outer packet is trimmed, as the kernel's UDP layer does. */
static void
test_vxlan_decap_trims_padding(void **state)
{
	uint8_t buf[256];
	size_t n = unhex(fix_v4, buf, sizeof(buf));
	uint8_t inner[128];
	size_t n_inner = unhex(fix_inner, inner, sizeof(inner));
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_local l = local_of(&p);
	uint32_t vni;
	struct vxlan_addr src;

	memset(buf + n, 0, 20);
	struct rte_mbuf *m = mbuf_from(buf, n + 20);
	assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_OK);
	assert_int_equal(vni, FIX_VNI);
	assert_mbuf_bytes(m, inner, n_inner);
	rte_pktmbuf_free(m);
}

/* Decaps 'buf' (a copy: mutated by the caller), expects 'want', and on refusal checks that
 * the mbuf was left unchanged. */
static void
expect_decap(const uint8_t *buf, size_t n, const struct vxlan_local *l,
	     enum vxlan_decap_result want)
{
	uint32_t vni = 0;
	struct vxlan_addr src;
	struct rte_mbuf *m = mbuf_from(buf, n);
	enum vxlan_decap_result got = vxlan_decap(m, l, &vni, &src);
	if (got != want)
		fail_msg("decap: got %s, want %s", vxlan_decap_names[got], vxlan_decap_names[want]);
	if (want != VXLAN_DECAP_OK)
		assert_mbuf_bytes(m, buf, n);
	rte_pktmbuf_free(m);
}

/* Fixes the outer IPv4 header checksum after a test mutated the header. */
static void
fix_ip_csum(uint8_t *buf, size_t l3)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* vxlan_decap_uplink_v4() on a copy of 'buf': expects 'want' (VXLAN_DECAP_PASS or a result),
 * and an untouched mbuf unless it decapsulated. */
static void
expect_uplink(const uint8_t *buf, size_t n, const struct vxlan_local *l, int want)
{
	uint32_t vni = 0, src_be = 0;
	struct rte_mbuf *m = mbuf_from(buf, n);
	int got = vxlan_decap_uplink_v4(m, l, &vni, &src_be);

	if (got != want)
		fail_msg("uplink decap of %zu bytes: got %d (%s), want %d (%s)", n, got,
			 got > 0 ? vxlan_decap_names[got] : got ? "pass" : "ok", want,
			 want > 0 ? vxlan_decap_names[want] : want ? "pass" : "ok");
	if (want == VXLAN_DECAP_OK) {
		uint8_t inner[128];
		size_t n_inner = unhex(fix_inner, inner, sizeof(inner));
		assert_int_equal(vni, FIX_VNI);
		assert_int_equal(src_be, params_v4().src.v4_be);
		assert_mbuf_bytes(m, inner, n_inner);
	} else {
		assert_mbuf_bytes(m, buf, n);
	}
	rte_pktmbuf_free(m);
}

/* What vxlan_decap_uplink_v4() answers for a frame vxlan_decap() answers 'r' for: frames that
 * are not VXLAN to us pass to the uplink's own pipeline, the rest get the same answer. */
static int
uplink_of(enum vxlan_decap_result r)
{
	switch (r) {
	case VXLAN_DECAP_NOT_IP:
	case VXLAN_DECAP_NOT_TO_US:
	case VXLAN_DECAP_NOT_UDP:
	case VXLAN_DECAP_WRONG_PORT:
		return VXLAN_DECAP_PASS;
	default:
		return (int)r;
	}
}

static void
test_vxlan_decap_each_reason_v4(void **state)
{
	uint8_t ref[256], b[256];
	size_t n = unhex(fix_v4, ref, sizeof(ref));
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_local l = local_of(&p);
	const size_t ip = 14, udp = 34, vx = 42;

	/* Each case through vxlan_decap() and the uplink's one-pass vxlan_decap_uplink_v4(). */
#define MUTATE2(stmt, want, want_uplink) \
	do { \
		memcpy(b, ref, n); \
		stmt; \
		expect_decap(b, n, &l, (want)); \
		expect_uplink(b, n, &l, (want_uplink)); \
	} while (0)
#define MUTATE(stmt, want) MUTATE2(stmt, want, uplink_of(want))

	MUTATE((void)0, VXLAN_DECAP_OK);
	/* truncated: every cut short of outer headers + inner Ethernet header; the uplink passes
	 * what is too short to be VXLAN at all */
	for (size_t cut = 0; cut < vx + 8 + 14; cut++) {
		expect_decap(ref, cut, &l, VXLAN_DECAP_TRUNCATED);
		expect_uplink(ref, cut, &l,
			      cut < 14 + 20 + 8 + 8 ? VXLAN_DECAP_PASS : VXLAN_DECAP_TRUNCATED);
	}
	/* IP total length larger than the frame */
	MUTATE((b[ip + 2] = 0x01, fix_ip_csum(b, ip)), VXLAN_DECAP_TRUNCATED);
	/* IP total length too short for UDP + VXLAN + inner Ethernet */
	MUTATE((b[ip + 2] = 0, b[ip + 3] = 20 + 29, fix_ip_csum(b, ip)), VXLAN_DECAP_TRUNCATED);
	MUTATE((b[12] = 0x08, b[13] = 0x06), VXLAN_DECAP_NOT_IP);
	MUTATE2((b[12] = 0x86, b[13] = 0xdd), VXLAN_DECAP_BAD_IP, VXLAN_DECAP_PASS); /* "IPv6" */
	MUTATE((b[ip] = 0x55, fix_ip_csum(b, ip)), VXLAN_DECAP_BAD_IP);  /* version 5 */
	/* IHL 4: the uplink's test reads the UDP port inside the IP header and passes it */
	MUTATE2((b[ip] = 0x44, fix_ip_csum(b, ip)), VXLAN_DECAP_BAD_IP, VXLAN_DECAP_PASS);
	MUTATE(b[ip + 10] ^= 0x01, VXLAN_DECAP_BAD_IP);                  /* header checksum */
	MUTATE((b[ip + 6] = 0x20, fix_ip_csum(b, ip)), VXLAN_DECAP_BAD_IP); /* MF: a fragment */
	MUTATE((b[ip + 7] = 0x10, fix_ip_csum(b, ip)), VXLAN_DECAP_BAD_IP); /* offset */
	MUTATE((b[ip + 19] ^= 1, fix_ip_csum(b, ip)), VXLAN_DECAP_NOT_TO_US);
	MUTATE((b[ip + 9] = IPPROTO_TCP, fix_ip_csum(b, ip)), VXLAN_DECAP_NOT_UDP);
	MUTATE(b[udp + 3] = 0xb6, VXLAN_DECAP_WRONG_PORT); /* 4790 */
	MUTATE(b[udp + 5] += 1, VXLAN_DECAP_BAD_UDP);      /* UDP longer than the IP payload */
	MUTATE((b[udp + 4] = 0, b[udp + 5] = 29), VXLAN_DECAP_BAD_UDP);
	MUTATE(b[udp + 6] = 0x12, VXLAN_DECAP_BAD_UDP);    /* a non-zero checksum that is wrong */
	MUTATE(b[vx] = 0x00, VXLAN_DECAP_BAD_FLAGS);       /* I flag clear */
	MUTATE(b[vx] = 0x0c, VXLAN_DECAP_BAD_FLAGS);       /* I + a reserved flag (GPE's P) */
	MUTATE(b[vx] = 0x88, VXLAN_DECAP_BAD_FLAGS);       /* I + G (GBP without the extension) */
	MUTATE(b[vx + 2] = 0x01, VXLAN_DECAP_BAD_FLAGS);   /* reserved 24 bits after the flags */
	MUTATE(b[vx + 1] = 0x80, VXLAN_DECAP_BAD_FLAGS);   /* ... all but DVS's relay bit */
	MUTATE(b[vx + 1] = 0x01, VXLAN_DECAP_OK);          /* the relay bit */
	MUTATE(b[vx + 7] = 0x01, VXLAN_DECAP_BAD_FLAGS);   /* reserved byte after the VNI */
	/* No IPv4 VTEP configured: nothing is to us. */
	struct vxlan_local none = {0};
	expect_decap(ref, n, &none, VXLAN_DECAP_NOT_TO_US);
	expect_uplink(ref, n, &none, VXLAN_DECAP_PASS);
	/* Another VXLAN port configured. */
	struct vxlan_local other = l;
	other.udp_port = 8472;
	expect_decap(ref, n, &other, VXLAN_DECAP_WRONG_PORT);
	expect_uplink(ref, n, &other, VXLAN_DECAP_PASS);
	/* Behind an underlay tag. */
	{
		uint8_t t[300];
		size_t nt = unhex(fix_v4_vlan, t, sizeof(t));
		expect_decap(t, nt, &l, VXLAN_DECAP_OK);
		expect_uplink(t, nt, &l, VXLAN_DECAP_OK);
	}
	/* An outer IPv4 option (IHL 6) is legal. */
	{
		uint8_t o[300];
		memcpy(o, ref, ip);
		memcpy(o + ip, ref + ip, 20);
		memset(o + ip + 20, 0x01, 4); /* four NOPs */
		memcpy(o + ip + 24, ref + ip + 20, n - ip - 20);
		o[ip] = 0x46;
		o[ip + 3] += 4;
		fix_ip_csum(o, ip);
		expect_decap(o, n + 4, &l, VXLAN_DECAP_OK);
		expect_uplink(o, n + 4, &l, VXLAN_DECAP_OK);
	}
#undef MUTATE
#undef MUTATE2
}

/* Recomputes the outer UDP checksum over IPv6 after a test mutated the datagram. */
static void
fix_udp6_csum(uint8_t *buf, size_t l3)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + l3);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip6 + 1);
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
}

static void
test_vxlan_decap_each_reason_v6(void **state)
{
	uint8_t ref[256], b[256];
	size_t n = unhex(fix_v6, ref, sizeof(ref));
	struct vxlan_tmpl_params p = params_v6();
	struct vxlan_local l = local_of(&p);
	const size_t ip = 14, udp = 54, vx = 62;

#define MUTATE(stmt, want) \
	do { \
		memcpy(b, ref, n); \
		stmt; \
		expect_decap(b, n, &l, (want)); \
	} while (0)

	MUTATE((void)0, VXLAN_DECAP_OK);
	expect_decap(ref, ip + 39, &l, VXLAN_DECAP_TRUNCATED);
	expect_decap(ref, vx + 8 + 13, &l, VXLAN_DECAP_TRUNCATED);
	MUTATE(b[ip] = 0x40, VXLAN_DECAP_BAD_IP);
	MUTATE(b[ip + 5] += 1, VXLAN_DECAP_TRUNCATED); /* payload length beyond the frame */
	MUTATE(b[ip + 39] ^= 1, VXLAN_DECAP_NOT_TO_US);
	MUTATE(b[ip + 6] = 0, VXLAN_DECAP_NOT_UDP); /* a hop-by-hop extension header */
	MUTATE((b[udp + 6] = 0, b[udp + 7] = 0), VXLAN_DECAP_BAD_UDP); /* zero checksum */
	MUTATE(b[udp + 7] ^= 0x40, VXLAN_DECAP_BAD_UDP);
	/* 0x01 in that byte is DVS's relay bit (accepted); any other reserved bit is not. */
	MUTATE((b[vx + 1] = 0x02, fix_udp6_csum(b, ip)), VXLAN_DECAP_BAD_FLAGS);
	MUTATE((b[vx + 1] = 0x03, fix_udp6_csum(b, ip)), VXLAN_DECAP_BAD_FLAGS);
	MUTATE((b[vx + 1] = 0x01, fix_udp6_csum(b, ip)), VXLAN_DECAP_OK);
	MUTATE((b[vx] = 0x00, fix_udp6_csum(b, ip)), VXLAN_DECAP_BAD_FLAGS);
	/* The checksum covers the VXLAN header: a flipped flag without it is a bad checksum. */
	MUTATE(b[vx] = 0x00, VXLAN_DECAP_BAD_UDP);
	struct vxlan_local v4_only = {.v4_be = 1};
	expect_decap(ref, n, &v4_only, VXLAN_DECAP_NOT_TO_US);
#undef MUTATE
}

/* The driver's checksum verdict is trusted when it gave one. */
static void
test_vxlan_decap_uses_driver_csum_flags(void **state)
{
	uint8_t b[256];
	size_t n = unhex(fix_v6, b, sizeof(b));
	struct vxlan_tmpl_params p = params_v6();
	struct vxlan_local l = local_of(&p);
	uint32_t vni;
	struct vxlan_addr src;

	struct rte_mbuf *m = mbuf_from(b, n);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_BAD_UDP);
	rte_pktmbuf_free(m);

	b[n - 1] ^= 0xff; /* payload corrupted, but the driver says good */
	m = mbuf_from(b, n);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_VLAN;
	assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_OK);
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_VLAN), 0);
	rte_pktmbuf_free(m);

	/* Without software verification, only the driver's verdict counts. */
	l.verify_udp_csum = false;
	m = mbuf_from(b, n);
	assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_OK);
	rte_pktmbuf_free(m);
}

static void
test_vxlan_decap_names(void **state)
{
	for (int i = 0; i < VXLAN_DECAP_MAX; i++) {
		assert_non_null(vxlan_decap_names[i]);
		assert_non_null(vxlan_decap_texts[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vxlan_decap_names[i], vxlan_decap_names[j]);
	}
	assert_string_equal(vxlan_decap_names[VXLAN_DECAP_BAD_FLAGS], "vxlan-bad-flags");
}

/* --- interop with the Linux vxlan driver ------------------------------------------- */

/* A frame the kernel sent decaps; re-encapsulating its inner frame for the same tunnel gives
 * the kernel's bytes except the fields each sender picks itself (IP ID, UDP source port) and
 * the IP checksum that covers the ID.  tests/func/vxlan_interop_pcap.sh runs this with a
 * frame captured live (VXLAN_INTEROP_IN, a hex file) and injects our re-encapsulated frame
 * (VXLAN_INTEROP_OUT) into a kernel vxlan device, which must accept it. */
static void
test_vxlan_interop_kernel_frame(void **state)
{
	char hex[1024] = "";
	uint8_t k[512];
	const char *in = getenv("VXLAN_INTEROP_IN"), *out = getenv("VXLAN_INTEROP_OUT");
	struct vxlan_tmpl_params p = params_v4();
	struct vxlan_local l = local_of(&p);
	struct vxlan_tmpl t;
	uint32_t vni;
	struct vxlan_addr src;

	if (in) {
		FILE *f = fopen(in, "r");
		assert_non_null(f);
		assert_non_null(fgets(hex, sizeof(hex), f));
		fclose(f);
		hex[strcspn(hex, "\n")] = '\0';
	} else {
		snprintf(hex, sizeof(hex), "%s", kernel_v4);
	}
	size_t n = unhex(hex, k, sizeof(k));
	struct rte_mbuf *m = mbuf_from(k, n);
	assert_int_equal(vxlan_decap(m, &l, &vni, &src), VXLAN_DECAP_OK);
	assert_int_equal(vni, 5001);
	assert_int_equal(src.v4_be, p.src.v4_be);
	assert_mbuf_bytes(m, k + 50, n - 50);

	assert_int_equal(vxlan_tmpl_build(&t, &p), 0);
	assert_int_equal(vxlan_encap(m, &t, vni, 0), VXLAN_ENCAP_OK);
	uint8_t *o = rte_pktmbuf_mtod(m, uint8_t *);
	assert_int_equal(rte_pktmbuf_pkt_len(m), n);
	/* Written before the comparison, so the injection step judges our frame on its own. */
	if (out) {
		FILE *f = fopen(out, "w");
		assert_non_null(f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%02x", o[i]);
		fprintf(f, "\n");
		assert_int_equal(fclose(f), 0);
	}
	for (size_t i = 0; i < n; i++) {
		if (i == 18 || i == 19 || i == 24 || i == 25 || i == 34 || i == 35)
			continue; /* IP ID, IP checksum, UDP source port */
		if (o[i] != k[i])
			fail_msg("byte %zu: ours %02x, kernel's %02x", i, o[i], k[i]);
	}
	assert_int_equal(rte_raw_cksum(o + 14, 20), 0xffff);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan_encap_v4_matches_scapy),
		cmocka_unit_test(test_vxlan_encap_v4_vlan_matches_scapy),
		cmocka_unit_test(test_vxlan_encap_v6_matches_scapy),
		cmocka_unit_test(test_vxlan_encap_v4_checksum_all_sizes),
		cmocka_unit_test(test_vxlan_encap_v6_udp_checksum),
		cmocka_unit_test(test_vxlan_encap_mtu_refusal),
		cmocka_unit_test(test_vxlan_encap_no_headroom_and_shared),
		cmocka_unit_test(test_vxlan_tmpl_rejects_bad_params),
		cmocka_unit_test(test_vxlan_round_trip_v4),
		cmocka_unit_test(test_vxlan_round_trip_v6),
		cmocka_unit_test(test_vxlan_decap_trims_padding),
		cmocka_unit_test(test_vxlan_decap_each_reason_v4),
		cmocka_unit_test(test_vxlan_decap_each_reason_v6),
		cmocka_unit_test(test_vxlan_decap_uses_driver_csum_flags),
		cmocka_unit_test(test_vxlan_decap_names),
		cmocka_unit_test(test_vxlan_interop_kernel_frame),
	};
	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
