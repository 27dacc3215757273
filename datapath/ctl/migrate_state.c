/* SPDX-License-Identifier: Apache-2.0 */
/* A migrating port's state, as it travels in the Migration row's port_state: counters, the
 * MACs learned behind it, its conntrack entries, its policer and shaper buckets. */
#define DVS_LOG_MODULE "dvs.migrate"
#include "migrate_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "datapath/dp/pol.h"
#include "lib/log.h"
#include "lib/profile.h"

/* --- base64 (the conntrack blob inside port_state) ----------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
b64_encode(const uint8_t *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;

	for (size_t i = 0; out && i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	if (out)
		*o = '\0';
	return out;
}

static uint8_t *
b64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s);
	uint8_t *out = malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	int bits = 0;

	*n = 0;
	for (size_t i = 0; out && i < len && s[i] != '='; i++) {
		const char *p = strchr(b64, s[i]);
		if (!p || !*p) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (uint8_t)(acc >> bits);
		}
	}
	return out;
}

/* --- state export (S) and import (D) ------------------------------------------------- */

struct mac_dump {
	const struct switchd *sw;
	uint16_t port;
	json_t *macs;
};

static void
seg_name(const struct switchd *sw, uint16_t seg, char *buf, size_t size)
{
	if (seg < DP_SEG_OVERLAY)
		snprintf(buf, size, "vlan:%u", seg);
	else
		snprintf(buf, size, "seg:%s", sw->ov.segs[seg - DP_SEG_OVERLAY].uuid);
}

static void
collect_mac(void *arg, const struct fdb_key *k, const struct fdb_entry *e)
{
	struct mac_dump *d = arg;
	char mac[18], seg[64];

	if (e->port != d->port || e->is_static == FDB_STATIC)
		return;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", k->mac[0], k->mac[1], k->mac[2],
		 k->mac[3], k->mac[4], k->mac[5]);
	seg_name(d->sw, k->seg, seg, sizeof(seg));
	json_array_append_new(d->macs, json_pack("{s:s, s:s}", "seg", seg, "mac", mac));
}

json_t *
sw_mig_export_port(struct switchd *sw, struct sw_port *p)
{
	struct dp_port_stats s;
	struct mac_dump d = {sw, p->idx, json_array()};
	json_t *st;

	sw_port_stats(sw, p, &s);
	fdb_dump(sw->dp.fdb, collect_mac, &d);
	st = json_pack("{s:i, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}", "v", 1, "key", p->conf.name,
		       "counters", "rx_packets", (json_int_t)s.rx_packets, "rx_bytes", (json_int_t)s.rx_bytes,
		       "tx_packets", (json_int_t)s.tx_packets, "tx_bytes", (json_int_t)s.tx_bytes,
		       "rx_dropped", (json_int_t)s.rx_dropped, "tx_dropped", (json_int_t)s.tx_dropped,
		       "macs", d.macs);
	/* Policer and shaper buckets, exported from a copy (the lcore keeps using them). */
	if (p->pol && p->pol->policer) {
		struct tbucket tb = p->pol->policer->tb;
		struct tbucket_snapshot snap;
		tbucket_export(&tb, rte_rdtsc(), &snap);
		json_object_set_new(st, "policer", tbucket_snapshot_to_json(&snap));
	}
	if (p->pol && p->pol->shaper) {
		struct tbucket tb = p->pol->shaper->tb;
		struct tbucket_snapshot snap;
		tbucket_export(&tb, rte_rdtsc(), &snap);
		json_object_set_new(st, "shaper", tbucket_snapshot_to_json(&snap));
	}
	if (p->pol && p->pol->ct) {
		uint64_t now = rte_rdtsc();
		size_t size = conntrack_export_size(p->pol->ct, now);
		uint8_t *buf = malloc(size ? size : 1);
		long n = buf ? conntrack_export(p->pol->ct, now, buf, size) : -ENOMEM;
		if (n >= 0) {
			char *enc = b64_encode(buf, (size_t)n);
			if (enc)
				json_object_set_new(st, "conntrack", json_string(enc));
			free(enc);
		}
		free(buf);
	}
	return st;
}

static int
seg_lookup(const struct switchd *sw, const char *name)
{
	unsigned v;

	if (sscanf(name, "vlan:%u", &v) == 1 && v < DP_SEG_OVERLAY)
		return (int)v;
	if (!strncmp(name, "seg:", 4))
		for (int i = 0; i < DP_MAX_OVERLAY; i++)
			if (sw->ov.segs[i].used && !strcmp(sw->ov.segs[i].uuid, name + 4))
				return DP_SEG_OVERLAY + i;
	return -1;
}

void
sw_mig_import_port(struct switchd *sw, struct sw_port *p, const char *text)
{
	json_error_t je;
	json_t *st = json_loads(text, 0, &je), *m;
	const json_t *c = json_object_get(st, "counters");
	size_t i;
	unsigned n_macs = 0;
	long n_ct = 0;

	if (!st) {
		DVS_LOG(WARN, "port %s: unreadable port_state (%s): starting from zero", p->conf.name, je.text);
		return;
	}
	/* Counters continue: the baseline moves back by what the source counted. */
	p->base.rx_packets -= (uint64_t)json_integer_value(json_object_get(c, "rx_packets"));
	p->base.rx_bytes -= (uint64_t)json_integer_value(json_object_get(c, "rx_bytes"));
	p->base.tx_packets -= (uint64_t)json_integer_value(json_object_get(c, "tx_packets"));
	p->base.tx_bytes -= (uint64_t)json_integer_value(json_object_get(c, "tx_bytes"));
	p->base.rx_dropped -= (uint64_t)json_integer_value(json_object_get(c, "rx_dropped"));
	p->base.tx_dropped -= (uint64_t)json_integer_value(json_object_get(c, "tx_dropped"));
	json_array_foreach(json_object_get(st, "macs"), i, m) {
		int seg = seg_lookup(sw, json_string_value(json_object_get(m, "seg")) ?: "");
		uint8_t mac[6];
		if (seg >= 0 &&
		    dvs_profile_mac_parse(json_string_value(json_object_get(m, "mac")) ?: "", mac) == 0 &&
		    fdb_add_published(sw->dp.fdb, (uint16_t)seg, mac, p->idx) == 0)
			n_macs++;
	}
	const char *ct = json_string_value(json_object_get(st, "conntrack"));
	if (ct && p->pol && p->pol->ct) {
		size_t len;
		uint8_t *blob = b64_decode(ct, &len);
		struct dvs_err err = {0};
		/* The port has no guest yet: its lcore does not touch the table meanwhile. */
		n_ct = blob ? conntrack_import(p->pol->ct, blob, len, rte_rdtsc(), &err) : -EINVAL;
		if (n_ct < 0)
			DVS_LOG(WARN, "port %s: conntrack import: %s", p->conf.name, err.msg);
		free(blob);
	}
	/* Buckets continue too: a guest that had used its burst does not get a new one. */
	struct tbucket_snapshot snap;
	struct dvs_err berr = {0};
	const json_t *b;
	unsigned n_buckets = 0;
	if ((b = json_object_get(st, "policer")) && p->pol && p->pol->policer &&
	    tbucket_snapshot_from_json(b, &snap, &berr) == 0) {
		tbucket_import(&p->pol->policer->tb, &snap, rte_rdtsc());
		n_buckets++;
	}
	if ((b = json_object_get(st, "shaper")) && p->pol && p->pol->shaper &&
	    tbucket_snapshot_from_json(b, &snap, &berr) == 0) {
		tbucket_import(&p->pol->shaper->tb, &snap, rte_rdtsc());
		n_buckets++;
	}
	DVS_LOG(INFO, "port %s: imported counters, %u MACs, %ld connections, %u buckets",
		p->conf.name, n_macs, n_ct > 0 ? n_ct : 0, n_buckets);
	json_decref(st);
}

/* --- activation (D) ------------------------------------------------------------------ */

/* The fast path's record of the port's first frame since 'epoch', from any lcore. */

bool
sw_mig_learned_mac(const struct switchd *sw, const struct sw_port *p, uint8_t mac[6])
{
	struct mac_dump d = {sw, p->idx, json_array()};
	fdb_dump(sw->dp.fdb, collect_mac, &d);
	const char *s = json_string_value(json_object_get(json_array_get(d.macs, 0), "mac"));
	bool ok = s && dvs_profile_mac_parse(s, mac) == 0;
	json_decref(d.macs);
	return ok;
}
