/* SPDX-License-Identifier: Apache-2.0 */
/* ARP suppression bindings: gathered from local ports and MacLocation rows, published under
 * RCU (see arp_sync.h). */
#define DVS_LOG_MODULE "dvs.arp_sync"
#include "arp_sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "datapath/switchd.h"
#include "lib/log.h"
#include "lib/profile.h"

bool
sw_arp_port_on(const struct dvs_port_conf *c)
{
	return c->policy.security && json_is_true(json_object_get(c->policy.security, "arp_suppression"));
}

static int
list_push(struct sw_arp_list *l, uint16_t seg, const uint8_t mac[6], uint32_t ip_be)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 64;
		struct arp_sup_entry *e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (struct arp_sup_entry){.ip_be = ip_be, .seg = seg};
	memcpy(l->e[l->n - 1].mac, mac, 6);
	return 0;
}

/* The IPv4 addresses of 'ips' (wire set, plain array, or one string) bound to 'mac'. */
static int
list_add_ips(struct sw_arp_list *l, uint16_t seg, const uint8_t mac[6], const json_t *ips)
{
	const json_t *elems = ips, *a;
	struct in_addr ip;
	size_t i;

	if (json_is_string(ips)) {
		if (inet_pton(AF_INET, json_string_value(ips), &ip) == 1 && ip.s_addr)
			return list_push(l, seg, mac, ip.s_addr);
		return 0;
	}
	if (json_array_size(ips) == 2 && json_is_array(json_array_get(ips, 1)) &&
	    !strcmp(json_string_value(json_array_get(ips, 0)) ?: "", "set"))
		elems = json_array_get(ips, 1);
	json_array_foreach(elems, i, a)
		if (inet_pton(AF_INET, json_string_value(a) ?: "", &ip) == 1 && ip.s_addr &&
		    list_push(l, seg, mac, ip.s_addr) < 0)
			return -ENOMEM;
	return 0;
}

int
sw_arp_list_add(struct sw_arp_list *l, uint16_t seg, const char *mac, const json_t *ips)
{
	uint8_t m[6];

	if (!mac || dvs_profile_mac_parse(mac, m) < 0)
		return 0;
	return list_add_ips(l, seg, m, ips);
}

void
sw_arp_list_free(struct sw_arp_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static int
entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct arp_sup_entry));
}

static void
list_sort(struct sw_arp_list *l)
{
	if (l->n)
		qsort(l->e, l->n, sizeof(l->e[0]), entry_cmp);
}

void
sw_arp_set_remote(struct switchd *sw, struct sw_arp_list *l)
{
	list_sort(l);
	if (l->n == sw->arp.remote.n && (!l->n || !memcmp(l->e, sw->arp.remote.e, l->n * sizeof(l->e[0])))) {
		sw_arp_list_free(l);
		return;
	}
	sw_arp_list_free(&sw->arp.remote);
	sw->arp.remote = *l;
	memset(l, 0, sizeof(*l));
	sw_arp_refresh(sw);
}

int
sw_arp_refresh(struct switchd *sw)
{
	struct sw_arp_list all = {0};
	struct arp_sup_table *t, *old;
	int rc = 0;

	/* Without a datapath nothing reads the table. */
	if (sw->no_datapath)
		return 0;
	for (unsigned i = 0; i < DVS_MAX_PORTS && !rc; i++) {
		const struct sw_port *p = &sw->ports[i];
		uint16_t seg;
		if (p->used && p->conf.has_mac && p->conf.policy.security &&
		    sw_port_segment(&p->conf, &seg))
			rc = list_add_ips(&all, seg, p->conf.mac,
					  json_object_get(p->conf.policy.security, "ips"));
	}
	for (uint32_t i = 0; i < sw->arp.remote.n && !rc; i++)
		rc = list_push(&all, sw->arp.remote.e[i].seg, sw->arp.remote.e[i].mac,
			       sw->arp.remote.e[i].ip_be);
	if (rc < 0)
		goto out;
	list_sort(&all);
	if (all.n == sw->arp.cur.n && (!all.n || !memcmp(all.e, sw->arp.cur.e, all.n * sizeof(all.e[0]))))
		goto out; /* the same bindings: no swap, no grace period */
	if (!(t = arp_sup_table_create(all.e, all.n))) {
		rc = -ENOMEM;
		goto out;
	}
	if (t->n_conflict)
		DVS_LOG_RL(WARN, "%u IPv4 address(es) bound to more than one MAC in a segment: ARP "
			   "requests for them are not suppressed", t->n_conflict);
	old = __atomic_exchange_n((struct arp_sup_table **)&sw->dp.arp, t, __ATOMIC_ACQ_REL);
	rte_rcu_qsbr_synchronize(sw->dp.qs, RTE_QSBR_THRID_INVALID);
	arp_sup_table_destroy(old);
	sw_arp_list_free(&sw->arp.cur);
	sw->arp.cur = all;
	memset(&all, 0, sizeof(all));
	DVS_LOG(DEBUG, "ARP suppression: %u binding(s)", t->n);
out:
	if (rc < 0)
		DVS_LOG_RL(WARN, "ARP suppression bindings not updated: out of memory");
	sw_arp_list_free(&all);
	return rc;
}

void
sw_arp_fini(struct switchd *sw)
{
	arp_sup_table_destroy((struct arp_sup_table *)sw->dp.arp);
	sw->dp.arp = NULL;
	sw_arp_list_free(&sw->arp.remote);
	sw_arp_list_free(&sw->arp.cur);
}
