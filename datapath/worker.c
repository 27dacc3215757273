/* SPDX-License-Identifier: Apache-2.0 */
/* The poll loop of one lcore: load the current tables, poll the rx queues assigned to this
 * lcore, forward, flush, report an RCU quiescent state.  When a number of polls in a row find
 * nothing, back off into short sleeps (idle_sleep_us; 0 = busy poll) so several switches and
 * guests can share a small machine. */
#include "dp/dp.h"
#include "dp/pol.h"
#include "dp/vhost_io.h"

#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#define IDLE_POLLS_BEFORE_SLEEP 64

int
dp_worker_main(void *arg)
{
	struct dp_lcore *lc = arg;
	struct dp *dp = lc->dp;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned idle = 0;

	rte_rcu_qsbr_thread_register(dp->qs, lc->wid);
	rte_rcu_qsbr_thread_online(dp->qs, lc->wid);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
		const struct dp_tables *t = __atomic_load_n(&dp->tables, __ATOMIC_ACQUIRE);
		uint64_t start = rte_rdtsc();
		uint32_t now_s = (uint32_t)(start / dp->tsc_hz);
		unsigned got = 0;
		uint64_t shaper_wait = UINT64_MAX;

		lc->now = start;
		for (uint16_t i = 0; i < t->n_rxq[lc->wid]; i++) {
			const struct dp_rxq *q = &t->rxq[lc->wid][i];
			uint16_t n = dp_port_rx(dp, q, pkts, DP_BURST);
			if (n) {
				got += n;
				if (q->port == t->uplink && t->vtep_be)
					n = dp_tunnel_rx(lc, t, pkts, n, now_s);
				if (n)
					dp_fwd_burst(lc, t, q->port, pkts, n, now_s, DP_SEG_NONE, false);
			}
		}
		if (unlikely(!rte_ring_empty(lc->inject))) {
			struct rte_mbuf *inj[DP_BURST];
			unsigned k = rte_ring_sc_dequeue_burst(lc->inject, (void **)inj, DP_BURST, NULL);
			for (unsigned i = 0; i < k; i++) {
				uint16_t port = (uint16_t)inj[i]->hash.usr;
				if (port < t->n_ports && t->ports[port].enabled)
					dp_fwd_burst(lc, t, port, &inj[i], 1, now_s, DP_SEG_NONE, false);
				else
					rte_pktmbuf_free(inj[i]);
			}
		}
		if (t->has_policy)
			shaper_wait = dp_pol_poll(lc, t, start);
		if (unlikely(t->has_hold) && lc->wid == 0)
			dp_hold_poll(lc, t);
		if (lc->n_pending)
			dp_tx_flush_all(lc, t);
		rte_rcu_qsbr_quiescent(dp->qs, lc->wid);
		lc->polls++;
		if (got) {
			lc->busy_polls++;
			lc->rx_packets += got;
			lc->busy_cycles += rte_rdtsc() - start;
			idle = 0;
		} else if (dp->idle_sleep_us && ++idle > IDLE_POLLS_BEFORE_SLEEP) {
			/* Sleep, but not past the moment a shaper may release a frame. */
			uint64_t ns = (uint64_t)dp->idle_sleep_us * 1000;
			if (shaper_wait != UINT64_MAX)
				ns = RTE_MIN(ns, shaper_wait * 1000000000ull / dp->tsc_hz);
			if (ns) {
				struct timespec ts = {0, (long)ns};
				nanosleep(&ts, NULL);
			}
		}
	}
	rte_rcu_qsbr_thread_offline(dp->qs, lc->wid);
	rte_rcu_qsbr_thread_unregister(dp->qs, lc->wid);
	return 0;
}
