/* SPDX-License-Identifier: Apache-2.0 */
/* The L2 pipeline of one rx burst: parse, ingress VLAN, FDB lookup and learning, then per
 * destination the egress VLAN treatment and a tx buffer.  Classifies the whole burst first so
 * the two FDB lookups are done in bulk. */
#include "dp.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "parse.h"
#include "pol.h"
#include "vhost_io.h"

static inline void
drop(struct dp_lcore *lc, struct rte_mbuf *m, enum dp_drop why)
{
	lc->drops[why]++;
	rte_pktmbuf_free(m);
}

/* Transmits 'n' frames on 'port' (caller holds the tx lock if the port needs one). */
static void
tx_send(struct dp_lcore *lc, const struct dp_port *p, uint16_t port, uint16_t q,
	struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_stats *s = &lc->port[port];
	uint16_t sent = dp_port_tx(lc->dp, p, q, pkts, n, &s->tx_bytes);

	s->tx_packets += sent;
	if (unlikely(sent < n) && p->hold) {
		/* A migrating VM is not taking frames right now: keep them for it. */
		uint16_t held = (uint16_t)rte_ring_mp_enqueue_burst(p->hold, (void **)&pkts[sent], n - sent, NULL);
		for (uint16_t i = sent; i < sent + held; i++)
			lc->mig_held_uc[port] += !(rte_pktmbuf_mtod(pkts[i], const uint8_t *)[0] & 1);
		sent += held;
		lc->mig_dropped[port] += n - sent;
	}
	if (unlikely(sent < n)) {
		s->tx_dropped += n - sent;
		lc->drops[DP_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

static void
tx_flush(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port)
{
	struct dp_txbuf *b = &lc->tx[port];
	const struct dp_port *p = &t->ports[port];
	uint16_t q = (uint16_t)(lc->wid % p->n_txq), n = b->n;
	rte_spinlock_t *l = &lc->dp->txlock[port][q];

	if (p->tx_locked)
		rte_spinlock_lock(l);
	if (p->pol && p->pol->shaper)
		n = dp_pol_shape(lc, p->pol, port, b->pkts, n, lc->now);
	tx_send(lc, p, port, q, b->pkts, n);
	if (p->tx_locked)
		rte_spinlock_unlock(l);
	b->n = 0;
}

void
dp_tx_shaped(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, uint64_t now)
{
	const struct dp_port *p = &t->ports[port];
	uint16_t q = (uint16_t)(lc->wid % p->n_txq);
	rte_spinlock_t *l = &lc->dp->txlock[port][q];
	struct rte_mbuf *pkts[DP_BURST];

	if (p->tx_locked)
		rte_spinlock_lock(l);
	uint16_t n = (uint16_t)shaper_poll(p->pol->shaper, now, pkts, DP_BURST);
	tx_send(lc, p, port, q, pkts, n);
	if (p->tx_locked)
		rte_spinlock_unlock(l);
}

void
dp_tx_flush_all(struct dp_lcore *lc, const struct dp_tables *t)
{
	for (uint16_t i = 0; i < lc->n_pending; i++)
		tx_flush(lc, t, lc->pending[i]);
	lc->n_pending = 0;
}

static inline __attribute__((always_inline)) void
tx_enqueue(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, struct rte_mbuf *m)
{
	struct dp_txbuf *b = &lc->tx[port];

	if (b->n == 0)
		lc->pending[lc->n_pending++] = port;
	b->pkts[b->n++] = m;
	if (unlikely(b->n == DP_BURST)) {
		/* Keep the port on the pending list; flushing an empty buffer is a no-op. */
		tx_flush(lc, t, port);
	}
}

void
dp_tx_enqueue(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, struct rte_mbuf *m)
{
	tx_enqueue(lc, t, port, m);
}

/* tx_enqueue() of 'n' frames to one port, in order, as whole blocks: the buffer's count is
 * read and written once per block, not once per frame (a store-to-load chain through it). */
static inline void
tx_enqueue_run(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, struct rte_mbuf **m,
	       uint16_t n)
{
	struct dp_txbuf *b = &lc->tx[port];

	while (n) {
		uint16_t k = RTE_MIN(n, (uint16_t)(DP_BURST - b->n));
		if (b->n == 0)
			lc->pending[lc->n_pending++] = port;
		memcpy(&b->pkts[b->n], m, k * sizeof(*m));
		b->n = (uint16_t)(b->n + k);
		m += k;
		n = (uint16_t)(n - k);
		if (b->n == DP_BURST)
			tx_flush(lc, t, port); /* stays pending, as in tx_enqueue() */
	}
}

void
dp_tx_enqueue_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port,
		    struct rte_mbuf **m, uint16_t n)
{
	tx_enqueue_run(lc, t, port, m, n);
}

/* Adds or removes the outer tag so that 'm' leaves tagged with 'vid' or untagged.  Returns 0,
 * or -1 if no buffer space could be had (the caller drops). */
static inline __attribute__((always_inline)) int
set_tag(struct rte_mbuf *m, bool has_tag, bool want_tag, uint16_t vid)
{
	if (has_tag == want_tag) {
		if (want_tag) {
			/* Re-tag in place: a native-VLAN or priority tag may carry another VID. */
			struct rte_vlan_hdr *vh =
				(struct rte_vlan_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 12);
			uint16_t tci = rte_be_to_cpu_16(vh->vlan_tci);
			if ((tci & 0xfff) != vid)
				vh->vlan_tci = rte_cpu_to_be_16((uint16_t)((tci & 0xf000) | vid));
		}
		return 0;
	}
	if (want_tag) {
		m->vlan_tci = vid;
		return rte_vlan_insert(&m) == 0 ? 0 : -1;
	}
	return rte_vlan_strip(m) == 0 ? 0 : -1;
}

/* The rest of the way out once egress policy let 'm' go: the egress VLAN and the tx buffer. */
static inline __attribute__((always_inline)) void
leave(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst, struct rte_mbuf *m,
      bool has_tag, uint16_t vid)
{
	bool tagged;

	if (unlikely(!vlan_egress(&t->ports[dst].vlan, vid, &tagged))) {
		drop(lc, m, DP_DROP_EGRESS_VLAN);
		return;
	}
	if (unlikely(set_tag(m, has_tag, tagged, vid) < 0)) {
		drop(lc, m, DP_DROP_NO_MBUF);
		return;
	}
	tx_enqueue(lc, t, dst, m);
}

/* Runs the egress policy of the frames queued by output() (lc->egq) and sends on, in order,
 * the ones it lets go.  'in' is where they came from (reject replies go there).  Must run
 * before the metas the queue borrows go out of scope. */
static void
egress_flush(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in)
{
	uint16_t n = lc->n_egq;

	if (n == 0)
		return;
	dp_pol_egress_burst(lc, t, in, lc->egq, n, lc->now);
	for (uint16_t i = 0; i < n; i++) {
		const struct dp_egress *e = &lc->egq[i];
		if (e->why) {
			lc->port[e->dst].tx_dropped++;
			drop(lc, e->m, (enum dp_drop)e->why);
		} else {
			leave(lc, t, e->dst, e->m, e->has_tag, e->vid);
		}
	}
	lc->n_egq = 0;
}

/* 'relay': 'm' does not come from where its source MAC lives (it came in from a tunnel, or
 * is sent on from a migration's hold queue): into a tunnel it goes with DVS's relay bit, so
 * the receiver does not learn its source behind this host (VXLAN_FLAGS_DVS_RELAY). */
static inline __attribute__((always_inline)) void
output_relay(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, uint16_t dst,
	     struct rte_mbuf *m, bool has_tag, uint16_t vid, const struct dp_meta *meta, bool relay)
{
	const struct dp_port *p = &t->ports[dst];

	if (unlikely(!p->enabled)) {
		drop(lc, m, DP_DROP_DEST_GONE);
		return;
	}
	if (p->is_tunnel) {
		/* Overlay frames travel untagged inside the tunnel. */
		int r = has_tag && rte_vlan_strip(m) ? DP_DROP_NO_MBUF
						     : dp_tunnel_tx(lc, t, dst, vid, m, meta, relay);
		if (r)
			drop(lc, m, (enum dp_drop)r);
		return;
	}
	if (p->pol && p->pol->egress_pass) {
		if (p->pol->acl)
			acl_count_default(p->pol->acl, ACL_DIR_TO_PORT, lc->wid, 1);
	} else if (p->pol) {
		/* Every frame to a port with a policy takes the queue: the port's order holds. */
		if (lc->n_egq == DP_EGQ_MAX)
			egress_flush(lc, t, in);
		lc->egq[lc->n_egq++] = (struct dp_egress){m, meta, dst, vid, has_tag, 0};
		return;
	}
	leave(lc, t, dst, m, has_tag, vid);
}

static inline __attribute__((always_inline)) void
output(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, uint16_t dst,
       struct rte_mbuf *m, bool has_tag, uint16_t vid, const struct dp_meta *meta)
{
	output_relay(lc, t, in, dst, m, has_tag, vid, meta, in >= DP_TUNNEL_BASE);
}

static void
flood(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, struct rte_mbuf *m,
      bool has_tag, uint16_t vid, const struct dp_meta *meta)
{
	const uint16_t *mem = &t->members[t->seg_off[vid]];
	uint16_t nm = t->seg_n[vid], dests[DP_MAX_PORT_IDX], nd = 0;
	bool from_uplink = t->ports[in].is_uplink;

	for (uint16_t i = 0; i < nm; i++) {
		uint16_t d = mem[i];
		/* Split horizon: never back out of the ingress port, never uplink to uplink. */
		if (d == in || !t->ports[d].enabled || (from_uplink && t->ports[d].is_uplink))
			continue;
		dests[nd++] = d;
	}
	if (nd == 0) {
		drop(lc, m, DP_DROP_NO_MEMBERS);
		return;
	}
	for (uint16_t i = 0; i + 1 < nd; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, lc->dp->pool, 0, UINT32_MAX);
		if (unlikely(!c)) {
			lc->drops[DP_DROP_NO_MBUF]++;
			continue;
		}
		output(lc, t, in, dests[i], c, has_tag, vid, meta);
	}
	output(lc, t, in, dests[nd - 1], m, has_tag, vid, meta);
}

/* A frame forwarded to one port of segment 'vid' is also copied to the segment's
 * promiscuous ports (except where it came from and where it goes).  Flooded frames reach
 * them anyway.  Called before the original is output, which may re-tag it in place. */
static void
promisc_copy(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, uint16_t dst,
	     const struct rte_mbuf *m, bool has_tag, uint16_t vid, const struct dp_meta *meta)
{
	const uint16_t *mem = &t->members[t->seg_off[vid]];

	for (uint16_t i = 0; i < t->seg_n[vid]; i++) {
		uint16_t d = mem[i];
		if (!t->ports[d].promisc || d == in || d == dst || !t->ports[d].enabled)
			continue;
		struct rte_mbuf *c = rte_pktmbuf_copy(m, lc->dp->pool, 0, UINT32_MAX);
		if (unlikely(!c)) {
			lc->drops[DP_DROP_NO_MBUF]++;
			continue;
		}
		output(lc, t, in, d, c, has_tag, vid, meta);
	}
}

#define FDBC_MISS 0xfffe

static inline unsigned
fdbc_slot(uint64_t k)
{
	return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> 56) & (DP_FDBC_SIZE - 1);
}

/* The port of 'k' from the lcore's cache, or FDBC_MISS.  *pos gets the slot. */
static inline uint16_t
fdbc_get(const struct dp_lcore *lc, const struct fdb *f, const struct fdb_key *k, int32_t *pos)
{
	uint64_t kk = fdb_key_u64(k);
	unsigned h = fdbc_slot(kk);
	int32_t p = lc->fdbc[h].pos;

	if (lc->fdbc[h].key == kk && p >= 0) {
		const struct fdb_entry *e = &f->entries[p];
		uint16_t port = __atomic_load_n(&e->port, __ATOMIC_ACQUIRE);
		if (port != FDB_PORT_NONE && e->key == kk) {
			*pos = p;
			return port;
		}
	}
	return FDBC_MISS;
}

static inline void
fdbc_put(struct dp_lcore *lc, const struct fdb_key *k, int32_t pos)
{
	uint64_t kk = fdb_key_u64(k);
	unsigned h = fdbc_slot(kk);

	lc->fdbc[h].key = kk;
	lc->fdbc[h].pos = pos;
}

/* Looks up the source and destination keys of a burst: the lcore's cache first, one bulk
 * rte_hash lookup for the rest.  A frame of the same flow as the one before it (same[i]) is
 * not looked up and its results are left unset: it reads those of its run's first frame. */
static void
fdb_resolve(struct dp_lcore *lc, struct fdb *fdb, const struct fdb_key *src,
	    const struct fdb_key *dst, const uint8_t *same, uint16_t n, uint16_t *src_port,
	    int32_t *src_pos, uint16_t *dst_port)
{
	const struct fdb_key *miss[2 * DP_BURST];
	uint16_t *miss_port[2 * DP_BURST], mport[2 * DP_BURST];
	int32_t *miss_pos[2 * DP_BURST], mpos[2 * DP_BURST], dpos;
	unsigned nm = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (same[i])
			continue;
		src_port[i] = fdbc_get(lc, fdb, &src[i], &src_pos[i]);
		if (src_port[i] == FDBC_MISS) {
			miss[nm] = &src[i];
			miss_port[nm] = &src_port[i];
			miss_pos[nm++] = &src_pos[i];
		}
		dst_port[i] = fdbc_get(lc, fdb, &dst[i], &dpos);
		if (dst_port[i] == FDBC_MISS) {
			miss[nm] = &dst[i];
			miss_port[nm] = &dst_port[i];
			miss_pos[nm++] = NULL;
		}
	}
	for (unsigned b = 0; b < nm; b += FDB_BULK_MAX) {
		unsigned k = RTE_MIN(nm - b, (unsigned)FDB_BULK_MAX);
		fdb_lookup_bulk(fdb, &miss[b], k, &mport[b], &mpos[b]);
	}
	for (unsigned i = 0; i < nm; i++) {
		*miss_port[i] = mport[i];
		if (miss_pos[i])
			*miss_pos[i] = mpos[i];
		if (mport[i] != FDB_PORT_NONE && mpos[i] >= 0)
			fdbc_put(lc, miss[i], mpos[i]);
	}
}

/* True if the frame at 'f' has the addresses of the one at 'prev' (12 bytes). */
static inline bool
same_addrs(const uint8_t *f, const uint8_t *prev)
{
	uint64_t a, b;
	uint32_t c, d;

	memcpy(&a, f, 8);
	memcpy(&b, prev, 8);
	memcpy(&c, f + 8, 4);
	memcpy(&d, prev + 8, 4);
	return a == b && c == d;
}

/* True if the first 18 bytes (addresses, then a tag or an EtherType, then what follows
 * it) of both frames are equal: dp_parse_l2 would say the same of both. */
static inline bool
same_l2(const uint8_t *f, const uint8_t *prev)
{
	uint64_t a, b, c, d;
	uint16_t e, g;

	memcpy(&a, f, 8);
	memcpy(&b, prev, 8);
	memcpy(&c, f + 8, 8);
	memcpy(&d, prev + 8, 8);
	memcpy(&e, f + 16, 2);
	memcpy(&g, prev + 16, 2);
	return ((a ^ b) | (c ^ d) | (uint64_t)(e ^ g)) == 0;
}

/* The plain egress path (no tunnel, no egress policy that can stop a frame) to 'dst' for
 * segment 'vid': true with *tagged set if a frame may simply be re-tagged and queued there
 * (after counting the ACL's default hit, see egress_acl). */
static inline bool
plain_dest(const struct dp_tables *t, uint16_t dst, uint16_t vid, bool *tagged)
{
	const struct dp_port *p = &t->ports[dst];

	return p->enabled && !p->is_tunnel && (!p->pol || p->pol->egress_pass) &&
	       vlan_egress(&p->vlan, vid, tagged);
}

/* The ACL of a plain destination (plain_dest), whose default hits the fast path counts. */
static inline const struct acl *
egress_acl(const struct dp_tables *t, uint16_t dst)
{
	const struct dp_port_policy *pol = t->ports[dst].pol;

	return pol ? pol->acl : NULL;
}

/* Queues the run dp_fwd_burst collected: to plain destination 'dst', or into tunnel 'tun'
 * (segment 'vid'; relayed when it came from a tunnel, as output() would). */
static inline void
run_flush(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, uint16_t dst, uint16_t tun,
	  uint16_t vid, struct rte_mbuf **run, const struct dp_meta *const *run_mp, uint16_t n)
{
	if (tun != FDB_PORT_NONE)
		dp_tunnel_tx_run(lc, t, tun, vid, run, run_mp, n, in >= DP_TUNNEL_BASE);
	else
		tx_enqueue_run(lc, t, dst, run, n);
}

void
dp_fwd_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, struct rte_mbuf **pkts,
	     uint16_t n, uint32_t now_s, uint16_t seg, bool relayed)
{
	const struct dp_port *ip = &t->ports[in];
	struct dp_port_stats *s = &lc->port[in];
	struct fdb *fdb = lc->dp->fdb;
	struct fdb_key src[DP_BURST], dst[DP_BURST];
	struct rte_mbuf *ok[DP_BURST];
	/* Plain L2 switching needs only the Ethernet header.  The whole parse is for the
	 * ingress port's policy (security checks, ACL, ARP suppression), for an egress policy
	 * that reads L3/L4 on some port, for promiscuous copies (which may meet either), and
	 * for the tunnels' flow hash.  Frames that came out of a tunnel go to local ports (a
	 * relay into another tunnel hashes on the Ethernet header alone, which is fine), so a
	 * decapsulated burst usually takes the Ethernet-only parse, and its runs of one flow
	 * the reuse below, even where every VM port has the default security policy. */
	bool full = ip->pol || t->egress_meta || t->has_promisc || (t->vtep_be && !ip->is_tunnel);
	uint16_t vids[DP_BURST], src_port[DP_BURST], dst_port[DP_BURST];
	uint8_t tagged[DP_BURST], bum[DP_BURST], same[DP_BURST], why[DP_BURST];
	int32_t src_pos[DP_BURST];
	uint16_t nok = 0;
	uint64_t bytes = 0;
	const uint8_t *prev = NULL;
	struct dp_meta metas[DP_BURST];
	/* Frame i's parse: its own slot of metas[], or, for a frame that repeats the previous
	 * one's Ethernet header, the previous frame's (no copy: a copy read back fields the
	 * parse had just stored one by one, a stall per frame). */
	const struct dp_meta *mp[DP_BURST];

	s->rx_packets += n;
	if (in < DVS_MAX_PORTS) {
		lc->last_rx_tsc[in] = lc->now;
		if (unlikely(ip->mig_epoch) && lc->act_epoch[in] != ip->mig_epoch) {
			/* A migrating VM's first frame on its new host: the activation. */
			const uint8_t *f = rte_pktmbuf_mtod(pkts[0], const uint8_t *);
			lc->act_tsc[in] = lc->now;
			lc->act_rarp[in] = rte_pktmbuf_data_len(pkts[0]) >= 14 && f[12] == 0x80 && f[13] == 0x35;
			__atomic_store_n(&lc->act_epoch[in], ip->mig_epoch, __ATOMIC_RELEASE);
		}
	}
	if (unlikely(!ip->enabled)) {
		for (uint16_t i = 0; i < n; i++)
			s->rx_bytes += pkts[i]->pkt_len;
		s->rx_dropped += n;
		lc->drops[DP_DROP_PORT_BLOCKED] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		struct dp_meta *meta = &metas[nok];
		uint16_t vid;
		int r;

		bytes += m->pkt_len;
		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		if (!full && prev && rte_pktmbuf_data_len(m) >= 18 && same_l2(f, prev)) {
			/* The previous frame's Ethernet header and tags, byte for byte: the same
			 * classification and the same lookups. */
			mp[nok] = mp[nok - 1];
			vids[nok] = vids[nok - 1];
			tagged[nok] = tagged[nok - 1];
			bum[nok] = bum[nok - 1];
			same[nok] = 1;
			ok[nok++] = m;
			continue;
		}
		r = full ? dp_parse(f, rte_pktmbuf_data_len(m), meta)
			 : dp_parse_l2(f, rte_pktmbuf_data_len(m), meta);
		if (unlikely(r != DP_PARSE_OK)) {
			static const enum dp_drop map[] = {
				[DP_PARSE_RUNT] = DP_DROP_RUNT,
				[DP_PARSE_BAD_VLAN] = DP_DROP_BAD_VLAN_HDR,
				[DP_PARSE_BAD_L3] = DP_DROP_BAD_L3,
				[DP_PARSE_BAD_L4] = DP_DROP_BAD_L4,
			};
			s->rx_dropped++;
			drop(lc, m, map[r]);
			continue;
		}
		if (unlikely(f[6] & 1)) {
			s->rx_dropped++;
			drop(lc, m, DP_DROP_SRC_MAC_MULTICAST);
			continue;
		}
		if (seg == DP_SEG_NONE) {
			r = vlan_ingress(&ip->vlan, meta, &vid);
		} else {
			/* Decapsulated: the VNI gave the segment; tags inside it are not carried. */
			vid = seg;
			r = meta->n_vlans ? DP_DROP_VLAN_DISALLOWED : 0;
		}
		if (unlikely(r)) {
			s->rx_dropped++;
			drop(lc, m, (enum dp_drop)r);
			continue;
		}
		mp[nok] = meta;
		tagged[nok] = meta->n_vlans > 0;
		/* Bursts are mostly runs of one flow: such a frame reuses the lookups. */
		same[nok] = prev && vid == vids[nok - 1] && tagged[nok] == tagged[nok - 1] &&
			    same_addrs(f, prev);
		prev = rte_pktmbuf_data_len(m) >= 18 ? f : NULL;
		if (!same[nok]) {
			src[nok].seg = vid;
			memcpy(src[nok].mac, f + 6, 6);
			dst[nok].seg = vid;
			memcpy(dst[nok].mac, f, 6);
		}
		vids[nok] = vid;
		bum[nok] = meta->dst_bum;
		ok[nok++] = m;
	}
	s->rx_bytes += bytes;
	if (nok == 0)
		return;

	fdb_resolve(lc, fdb, src, dst, same, nok, src_port, src_pos, dst_port);
	if (ip->pol) {
		uint8_t known[DP_BURST];
		for (uint16_t i = 0, h = 0; i < nok; i++) {
			h = same[i] ? h : i;
			known[i] = !bum[i] && dst_port[h] != FDB_PORT_NONE;
		}
		dp_pol_ingress_burst(lc, t, in, ip->pol, ok, mp, known, nok, lc->now, why);
	} else {
		memset(why, 0, nok);
	}

	/* The previous frame's plain egress (see plain_dest), for the frames that follow it.
	 * Set only on the slow path, from dst_port[head], and cleared at the start of every
	 * slow-path frame: a frame of the run finds its run's destination here, or nothing. */
	uint16_t last_dst = FDB_PORT_NONE, head = 0;
	bool last_tag = false;
	const struct acl *last_acl = NULL;
	uint32_t last_acl_n = 0; /* last_acl's default hits not yet counted: one call per run */
	/* Or the tunnel the previous frame went into (dp_tunnel_run_ok), in segment run_vid. */
	uint16_t last_tun = FDB_PORT_NONE, run_vid = 0;
	/* The frames of the current run to last_dst or last_tun, queued as one block when the
	 * run ends (before anything else is queued: a port's order holds). */
	struct rte_mbuf *run[DP_BURST];
	const struct dp_meta *run_mp[DP_BURST];
	uint16_t nrun = 0;
	for (uint16_t i = 0; i < nok; i++) {
		struct rte_mbuf *m = ok[i];

		if (!same[i])
			head = i; /* the first frame of the run: its keys and lookups are filled */

		if (same[i] && !why[i] && last_tun != FDB_PORT_NONE) {
			/* Same addresses as the frame before, which went into this tunnel. */
			if (tagged[i] && rte_vlan_strip(m)) {
				drop(lc, m, DP_DROP_NO_MBUF);
				continue;
			}
			run_mp[nrun] = mp[i];
			run[nrun++] = m;
			continue;
		}
		if (same[i] && !why[i] && last_dst != FDB_PORT_NONE) {
			/* Same flow as the frame before, which was learned and went the plain way. */
			if (unlikely(t->has_promisc))
				promisc_copy(lc, t, in, last_dst, m, tagged[i], vids[i], mp[i]);
			last_acl_n += last_acl != NULL;
			if ((tagged[i] | last_tag) && unlikely(set_tag(m, tagged[i], last_tag, vids[i]) < 0))
				drop(lc, m, DP_DROP_NO_MBUF);
			else
				run[nrun++] = m;
			continue;
		}
		if (nrun) {
			run_flush(lc, t, in, last_dst, last_tun, run_vid, run, run_mp, nrun);
			nrun = 0;
		}
		last_dst = last_tun = FDB_PORT_NONE;
		/* Policy before learning: a forged or policed frame teaches the FDB nothing. */
		if (why[i]) {
			s->rx_dropped++;
			drop(lc, m, (enum dp_drop)why[i]);
			continue;
		}
		if (unlikely(relayed)) {
			/* A migration source sent it on: its source MAC does not live behind 'in'. */
		} else if (unlikely(src_port[head] != in)) {
			int r = fdb_learn(fdb, &src[head], src_pos[head], in, now_s);
			if (r == FDB_LEARN_LIMIT) {
				s->rx_dropped++;
				drop(lc, m, DP_DROP_FDB_LIMIT);
				continue;
			}
		} else if (unlikely(fdb->entries[src_pos[head]].seen_s != now_s)) {
			fdb_learn(fdb, &src[head], src_pos[head], in, now_s);
		}
		if (unlikely(mp[i]->l3 == DP_L3_ARP) && dp_arp_sup(lc, t, in, m, mp[i], vids[i]))
			continue; /* answered by the switch (arp_sup.c) */
		if (bum[i] || dst_port[head] == FDB_PORT_NONE) {
			flood(lc, t, in, m, tagged[i], vids[i], mp[i]);
		} else if (unlikely(dst_port[head] == in)) {
			drop(lc, m, DP_DROP_SAME_PORT);
		} else if (unlikely(ip->is_tunnel && t->ports[dst_port[head]].is_tunnel) && !relayed &&
			   !fdb_moved_away(fdb, &dst[head])) {
			/* Overlay split horizon: every VTEP sends to every other one itself, so a
			 * frame from a tunnel is not sent on into another one (the flood copy that
			 * a host which has not learned the destination sends to all would arrive
			 * twice).  The exception is a MAC that left this host (fdb_moved_away):
			 * frames for it from hosts that have not repointed yet are redirected. */
			drop(lc, m, DP_DROP_TUNNEL_TO_TUNNEL);
		} else {
			if (unlikely(t->has_promisc))
				promisc_copy(lc, t, in, dst_port[head], m, tagged[i], vids[i], mp[i]);
			if (plain_dest(t, dst_port[head], vids[i], &last_tag)) {
				if (last_acl_n)
					acl_count_default(last_acl, ACL_DIR_TO_PORT, lc->wid, last_acl_n);
				last_acl_n = 0;
				last_dst = dst_port[head];
				last_acl = egress_acl(t, last_dst);
			} else if (!t->has_promisc && dp_tunnel_run_ok(t, dst_port[head], vids[i])) {
				last_tun = dst_port[head];
				run_vid = vids[i];
			}
			output(lc, t, in, dst_port[head], m, tagged[i], vids[i], mp[i]);
		}
	}
	if (nrun)
		run_flush(lc, t, in, last_dst, last_tun, run_vid, run, run_mp, nrun);
	if (last_acl_n)
		acl_count_default(last_acl, ACL_DIR_TO_PORT, lc->wid, last_acl_n);
	egress_flush(lc, t, in);
}

/* Sends held frames 'pkts' on 'port' itself; puts the ones it does not take in 'keep' and
 * returns their count. */
static unsigned
hold_retry(struct dp_lcore *lc, const struct dp_port *p, uint16_t port, struct rte_mbuf **pkts,
	   unsigned n, struct rte_mbuf **keep)
{
	uint16_t q = (uint16_t)(lc->wid % p->n_txq);
	uint16_t sent = dp_port_tx(lc->dp, p, q, pkts, (uint16_t)n, &lc->port[port].tx_bytes);
	unsigned nk = 0;

	lc->port[port].tx_packets += sent;
	lc->mig_sent_on[port] += sent;
	for (unsigned i = sent; i < n; i++)
		keep[nk++] = pkts[i];
	return nk;
}

/* Held frames of port 'port': a destination retries them on the port; otherwise each goes
 * where the FDB now places its destination MAC: the VM's new host once its announcement
 * arrived (a source), or the port itself (a destination whose migration completed); the
 * rest are kept. */
static void
hold_drain(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port)
{
	const struct dp_port *p = &t->ports[port];
	struct rte_mbuf *pkts[DP_BURST], *keep[DP_BURST];
	struct dp_meta metas[DP_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(p->hold, (void **)pkts, DP_BURST, NULL), nk = 0;

	if (!n)
		return;
	if (p->mig_epoch) {
		nk = hold_retry(lc, p, port, pkts, n, keep);
	} else {
		struct rte_mbuf *here[DP_BURST];
		unsigned nh = 0;
		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			struct fdb_key k = {.seg = p->vlan.trunk ? 0 : p->vlan.tag};
			const struct fdb_key *kp = &k;
			uint16_t dst;
			memcpy(k.mac, rte_pktmbuf_mtod(m, const uint8_t *), 6);
			fdb_lookup_bulk(lc->dp->fdb, &kp, 1, &dst, NULL);
			if (dst == FDB_PORT_NONE) {
				keep[nk++] = m;
				continue;
			}
			if (dst == port) {
				/* The VM is here: a destination whose migration completed while it
				 * still held frames (the port is no longer marked as migrating), or a
				 * source before the move.  Retried on the port. */
				here[nh++] = m;
				continue;
			}
			struct dp_meta *meta = &metas[i];
			dp_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), meta);
			lc->mig_sent_on[port]++;
			/* Held frames came from anywhere, often from tunnels: sent on as relays. */
			output_relay(lc, t, port, dst, m, meta->n_vlans > 0, k.seg, meta, true);
		}
		egress_flush(lc, t, port);
		if (nh)
			nk += hold_retry(lc, p, port, here, nh, keep + nk);
	}
	unsigned back = nk ? rte_ring_mp_enqueue_burst(p->hold, (void **)keep, nk, NULL) : 0;
	if (back < nk) {
		lc->drops[DP_DROP_TX_FULL] += nk - back;
		lc->mig_dropped[port] += nk - back;
		lc->port[port].tx_dropped += nk - back;
		rte_pktmbuf_free_bulk(&keep[back], nk - back);
	}
}

void
dp_hold_poll(struct dp_lcore *lc, const struct dp_tables *t)
{
	for (uint16_t i = 0; i < t->n_ports; i++)
		if (unlikely(t->ports[i].hold != NULL) && !rte_ring_empty(t->ports[i].hold))
			hold_drain(lc, t, i);
}
