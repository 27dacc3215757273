/* SPDX-License-Identifier: Apache-2.0 */
/* ARP suppression: the binding table, the reply builder, and the pipeline hook. */
#include "arp_sup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "parse.h"

#define ARP_HDR_LEN 28
/* Offsets in the Ethernet/IPv4 ARP header (RFC 826). */
#define ARP_OP 6
#define ARP_SHA 8
#define ARP_SPA 14
#define ARP_THA 18
#define ARP_TPA 24

static inline uint32_t
slot_of(uint16_t seg, uint32_t ip_be, uint32_t mask)
{
	uint32_t h = (ip_be ^ ((uint32_t)seg << 16 | seg)) * 0x9e3779b1u;

	return (h ^ (h >> 15)) & mask;
}

struct arp_sup_table *
arp_sup_table_create(const struct arp_sup_entry *e, uint32_t n)
{
	uint32_t slots = 16;
	struct arp_sup_table *t;

	while (slots < 2 * (uint64_t)n)
		slots *= 2;
	t = calloc(1, sizeof(*t) + slots * sizeof(t->slot[0]));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->mask = slots - 1;
	for (uint32_t i = 0; i < n; i++) {
		if (!e[i].ip_be)
			continue;
		for (uint32_t h = slot_of(e[i].seg, e[i].ip_be, t->mask);; h = (h + 1) & t->mask) {
			struct arp_sup_entry *s = &t->slot[h];
			if (!s->ip_be) {
				*s = e[i];
				s->conflict = 0;
				t->n++;
				break;
			}
			if (s->ip_be == e[i].ip_be && s->seg == e[i].seg) {
				/* Two MACs for one address (a misconfiguration, or a move half
				 * published): the switch cannot know which is right, so it lets
				 * the request through for the owner(s) to answer. */
				if (memcmp(s->mac, e[i].mac, 6) && !s->conflict) {
					s->conflict = 1;
					t->n_conflict++;
				}
				break;
			}
		}
	}
	return t;
}

void
arp_sup_table_destroy(struct arp_sup_table *t)
{
	free(t);
}

const uint8_t *
arp_sup_lookup(const struct arp_sup_table *t, uint16_t seg, uint32_t ip_be)
{
	for (uint32_t h = slot_of(seg, ip_be, t->mask);; h = (h + 1) & t->mask) {
		const struct arp_sup_entry *s = &t->slot[h];
		if (!s->ip_be)
			return NULL;
		if (s->ip_be == ip_be && s->seg == seg)
			return s->conflict ? NULL : s->mac;
	}
}

uint32_t
arp_sup_answerable(const uint8_t *f, uint32_t len, uint16_t l2_len)
{
	const uint8_t *a = f + l2_len;
	uint32_t spa, tpa;

	if (len < (uint32_t)l2_len + ARP_HDR_LEN)
		return 0;
	/* Ethernet (1), IPv4 (0x0800), address sizes 6 and 4, request (1). */
	if (a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0 || a[4] != 6 || a[5] != 4 ||
	    a[ARP_OP] != 0 || a[ARP_OP + 1] != 1)
		return 0;
	memcpy(&spa, a + ARP_SPA, 4);
	memcpy(&tpa, a + ARP_TPA, 4);
	if (spa == 0 || spa == tpa)
		return 0;
	return tpa;
}

void
arp_sup_reply_build(uint8_t *f, uint32_t len, uint16_t l2_len, const uint8_t mac[6])
{
	uint8_t *a = f + l2_len, sha[6], spa[4];

	memcpy(sha, a + ARP_SHA, 6);
	memcpy(spa, a + ARP_SPA, 4);
	/* Back to where the request came from (its Ethernet source, as a host's reply goes). */
	memcpy(f, f + 6, 6);
	memcpy(f + 6, mac, 6);
	a[ARP_OP + 1] = 2;
	memcpy(a + ARP_SPA, a + ARP_TPA, 4);
	memcpy(a + ARP_SHA, mac, 6);
	memcpy(a + ARP_THA, sha, 6);
	memcpy(a + ARP_TPA, spa, 4);
	/* The requester's padding has no business in the switch's answer. */
	if (len > (uint32_t)l2_len + ARP_HDR_LEN)
		memset(a + ARP_HDR_LEN, 0, len - l2_len - ARP_HDR_LEN);
}

bool
dp_arp_sup(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, struct rte_mbuf *m,
	   const struct dp_meta *meta, uint16_t seg)
{
	const struct arp_sup_table *at;
	const uint8_t *mac;
	uint8_t *f;
	uint32_t len, tpa;

	if (!t->ports[in].arp_sup || meta->arp_op != 1)
		return false;
	at = __atomic_load_n(&lc->dp->arp, __ATOMIC_ACQUIRE);
	if (!at || !at->n)
		return false;
	f = rte_pktmbuf_mtod(m, uint8_t *);
	len = rte_pktmbuf_data_len(m);
	tpa = arp_sup_answerable(f, len, meta->l2_len);
	if (!tpa || !(mac = arp_sup_lookup(at, seg, tpa)))
		return false;
	/* The owner asking about an address bound to itself (a check for duplicates after a
	 * move) must hear from any other claimant, not from the switch: forwarded. */
	if (!memcmp(mac, f + 6, 6) || !memcmp(mac, f + meta->l2_len + ARP_SHA, 6))
		return false;
	arp_sup_reply_build(f, len, meta->l2_len, mac);
	/* The request is consumed: counted like every frame the switch does not deliver. */
	lc->drops[DP_DROP_ARP_SUPPRESSED]++;
	/* Straight back out of the ingress port, with the request's own VLAN tag (the one the
	 * requester expects); the port's egress shaper applies, its to-port ACL does not (the
	 * switch's own answer, like an ACL reject's). */
	dp_tx_enqueue(lc, t, in, m);
	return true;
}
