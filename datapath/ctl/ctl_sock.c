/* SPDX-License-Identifier: Apache-2.0 */
/* The switchd control socket: JSON-RPC methods for dvsctl (docs/design/control-socket.md).
 * Runs on the control thread's loop; reads fast-path counters, never writes them. */
#define DVS_LOG_MODULE "dvs.ctl"
#include "datapath/switchd.h"

#include <stdio.h>
#include <string.h>

#include "datapath/ctl/uplink_xdp.h"
#include "datapath/dp/pol.h"
#include "lib/jsonrpc.h"
#include "lib/log.h"

/* Sets *error to {"error": kind, "details": ...} (lib/jsonrpc.h) and returns NULL. */
#define rpc_error(error, kind, ...) (*(error) = dvs_rpc_error((kind), __VA_ARGS__), (json_t *)NULL)

/* The named-argument object of 'params' ([] or [{}]); an empty object if absent. */
static const json_t *
args_of(const json_t *params)
{
	static json_t *empty;
	const json_t *a = json_is_array(params) ? json_array_get(params, 0) : params;

	if (json_is_object(a))
		return a;
	if (!empty)
		empty = json_object();
	return empty;
}

static const char *
arg_str(const json_t *a, const char *key)
{
	return json_string_value(json_object_get(a, key));
}

void
sw_port_stats(const struct switchd *sw, const struct sw_port *p, struct dp_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < sw->dp.n_workers; w++) {
		const struct dp_port_stats *s = &sw->dp.lcores[w]->port[p->idx];
		out->rx_packets += s->rx_packets;
		out->rx_bytes += s->rx_bytes;
		out->tx_packets += s->tx_packets;
		out->tx_bytes += s->tx_bytes;
		out->rx_dropped += s->rx_dropped;
		out->tx_dropped += s->tx_dropped;
	}
	if (p->used) {
		out->rx_packets -= p->base.rx_packets;
		out->rx_bytes -= p->base.rx_bytes;
		out->tx_packets -= p->base.tx_packets;
		out->tx_bytes -= p->base.tx_bytes;
		out->rx_dropped -= p->base.rx_dropped;
		out->tx_dropped -= p->base.tx_dropped;
	}
}

static json_t *
m_version(void *ctx, json_t *params, json_t **error)
{
	return json_pack("{s:s}", "version", DVS_VERSION);
}

static json_t *
m_ports_list(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	json_t *res = json_array();

	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		if (!p->used)
			continue;
		json_t *o = dvs_port_conf_to_json(&p->conf);
		json_object_set_new(o, "status", json_string(sw_port_link_up(p) ? "up" : "down"));
		json_object_set_new(o, "index", json_integer(p->idx));
		json_object_set_new(o, "device", json_string(p->devname));
		json_object_set_new(o, "rx_queues", json_integer(p->n_rxq));
		json_object_set_new(o, "tx_queues", json_integer(p->n_txq));
		json_array_append_new(res, o);
	}
	return res;
}

static json_t *
stats_json(const char *name, const struct dp_port_stats *s)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "name", name,
			 "rx_packets", (json_int_t)s->rx_packets, "rx_bytes", (json_int_t)s->rx_bytes,
			 "tx_packets", (json_int_t)s->tx_packets, "tx_bytes", (json_int_t)s->tx_bytes,
			 "rx_dropped", (json_int_t)s->rx_dropped, "tx_dropped", (json_int_t)s->tx_dropped);
}

static json_t *
m_ports_stats(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const char *name = arg_str(args_of(params), "name");
	json_t *res = json_array();

	if (name && !sw_port_find(sw, name)) {
		json_decref(res);
		return rpc_error(error, "no such port", "port \"%s\" does not exist", name);
	}
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		struct dp_port_stats s;
		if (!p->used || (name && strcmp(name, p->conf.name)))
			continue;
		sw_port_stats(sw, p, &s);
		json_array_append_new(res, stats_json(p->conf.name, &s));
	}
	/* Tunnels to remote VTEPs, named vxlan:IP, with their MTU drops. */
	for (unsigned i = 0; i < DP_MAX_TUNNELS && !name; i++) {
		const struct sw_tunnel *tn = &sw->ov.tuns[i];
		struct dp_port_stats s = {0};
		uint64_t mtu_drops = 0;
		char tname[32];
		if (!tn->used)
			continue;
		for (unsigned w = 0; w < sw->dp.n_workers; w++) {
			const struct dp_port_stats *x = &sw->dp.lcores[w]->port[DP_TUNNEL_BASE + i];
			s.rx_packets += x->rx_packets;
			s.rx_bytes += x->rx_bytes;
			s.tx_packets += x->tx_packets;
			s.tx_bytes += x->tx_bytes;
			s.rx_dropped += x->rx_dropped;
			s.tx_dropped += x->tx_dropped;
			mtu_drops += sw->dp.lcores[w]->tun_mtu_drops[i];
		}
		snprintf(tname, sizeof(tname), "vxlan:%u.%u.%u.%u", tn->ip_be & 0xff,
			 (tn->ip_be >> 8) & 0xff, (tn->ip_be >> 16) & 0xff, tn->ip_be >> 24);
		json_t *o = stats_json(tname, &s);
		json_object_set_new(o, "mtu_dropped", json_integer((json_int_t)mtu_drops));
		json_object_set_new(o, "tunnel_mtu", json_integer(tn->mtu));
		json_object_set_new(o, "resolved", json_boolean(tn->status == 0));
		json_array_append_new(res, o);
	}
	return res;
}

struct fdb_dump_ctx {
	struct switchd *sw;
	json_t *res;
	long seg;
	uint32_t now_s;
};

static void
fdb_dump_one(void *arg, const struct fdb_key *k, const struct fdb_entry *e)
{
	struct fdb_dump_ctx *c = arg;
	char mac[18];

	if (c->seg >= 0 && k->seg != c->seg)
		return;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", k->mac[0], k->mac[1], k->mac[2],
		 k->mac[3], k->mac[4], k->mac[5]);
	const struct sw_port *p = e->port < DVS_MAX_PORTS ? &c->sw->ports[e->port] : NULL;
	char tun[40] = "?";
	if (e->port >= DP_TUNNEL_BASE && e->port < DP_MAX_PORT_IDX) {
		uint32_t ip = c->sw->ov.tuns[e->port - DP_TUNNEL_BASE].ip_be;
		snprintf(tun, sizeof(tun), "vxlan:%u.%u.%u.%u", ip & 0xff, (ip >> 8) & 0xff,
			 (ip >> 16) & 0xff, ip >> 24);
	}
	json_array_append_new(c->res, json_pack("{s:i, s:s, s:s, s:s, s:I}",
		"segment", k->seg, "mac", mac, "port", p && p->used ? p->conf.name : tun,
		"type", e->is_static == FDB_STATIC ? "static" : e->is_static ? "published" : "dynamic",
		"age_s", (json_int_t)(e->is_static ? 0 : c->now_s - e->seen_s)));
}

static json_t *
m_fdb_show(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const json_t *seg = json_object_get(args_of(params), "segment");
	struct fdb_dump_ctx c = {sw, json_array(), -1, dp_now_s(&sw->dp)};

	if (seg && !json_is_integer(seg))
		return rpc_error(error, "invalid argument", "segment: must be an integer 0..4094");
	if (seg)
		c.seg = (long)json_integer_value(seg);
	fdb_dump(sw->dp.fdb, fdb_dump_one, &c);
	return c.res;
}

static json_t *
m_fdb_flush(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const char *name = arg_str(args_of(params), "port");
	uint16_t idx = FDB_PORT_NONE;

	if (name) {
		struct sw_port *p = sw_port_find(sw, name);
		if (!p)
			return rpc_error(error, "no such port", "port \"%s\" does not exist", name);
		idx = p->idx;
	}
	return json_pack("{s:i}", "flushed", (int)fdb_flush(sw->dp.fdb, idx, false));
}

static json_t *
m_drops_show(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	json_t *res = json_array();

	for (unsigned r = 0; r < DP_DROP_MAX; r++) {
		uint64_t n = 0;
		for (unsigned w = 0; w < sw->dp.n_workers; w++)
			n += sw->dp.lcores[w]->drops[r];
		json_array_append_new(res, json_pack("{s:s, s:I, s:s}", "reason", dp_drop_names[r],
						     "count", (json_int_t)n, "description", dp_drop_texts[r]));
	}
	/* Frames the uplink's XDP program dropped before they cost a DPDK cycle. */
	uplink_xdp_drops(sw, res);
	return res;
}

static json_t *
m_xdp_show(void *ctx, json_t *params, json_t **error)
{
	return uplink_xdp_show(ctx);
}

static json_t *
m_lcores_show(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const struct dp_tables *t = sw->dp.tables;
	json_t *res = json_array();

	for (unsigned w = 0; w < sw->dp.n_workers; w++) {
		const struct dp_lcore *lc = sw->dp.lcores[w];
		json_t *ports = json_array();
		for (uint16_t i = 0; i < t->n_rxq[w]; i++) {
			char q[DVS_PORT_NAME_MAX + 8];
			snprintf(q, sizeof(q), "%s/%u", sw->ports[t->rxq[w][i].port].conf.name,
				 t->rxq[w][i].queue);
			json_array_append_new(ports, json_string(q));
		}
		double cpp = lc->rx_packets ? (double)lc->busy_cycles / (double)lc->rx_packets : 0;
		json_array_append_new(res, json_pack("{s:i, s:I, s:I, s:I, s:I, s:f, s:I, s:o}",
			"lcore", lc->lcore_id, "polls", (json_int_t)lc->polls,
			"busy_polls", (json_int_t)lc->busy_polls, "rx_packets", (json_int_t)lc->rx_packets,
			"busy_cycles", (json_int_t)lc->busy_cycles, "cycles_per_packet", cpp,
			"tsc_hz", (json_int_t)sw->dp.tsc_hz, "rx_queues", ports));
	}
	return res;
}

/* The file/runtime port named 'name' in sw->conf, or NULL (a DB port or none). */
static struct dvs_port_conf *
local_port(struct switchd *sw, const char *name)
{
	for (unsigned i = 0; i < sw->conf.n_ports; i++)
		if (!strcmp(sw->conf.ports[i].name, name))
			return &sw->conf.ports[i];
	return NULL;
}

/* Applies sw->conf after a runtime change; on failure restores 'saved' (the previous
 * conf.ports entry 'slot', or removes the appended port when 'saved' is NULL). */
static json_t *
apply_or_undo(struct switchd *sw, unsigned slot, const struct dvs_port_conf *saved,
	      const char *kind, json_t **error)
{
	struct dvs_err err = {0};

	if (sw_apply_desired(sw, &err) == 0)
		return json_object();
	if (saved)
		sw->conf.ports[slot] = *saved;
	else
		sw->conf.n_ports--;
	struct dvs_err ignore = {0};
	sw_apply_desired(sw, &ignore);
	return rpc_error(error, kind, "%s", err.msg);
}

static json_t *
m_port_add(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	struct dvs_port_conf pc;
	struct dvs_err err = {0};

	if (dvs_port_conf_parse(args_of(params), &pc, &err) < 0)
		return rpc_error(error, "invalid port", "%s", err.msg);
	if (sw_port_find(sw, pc.name))
		return rpc_error(error, "port add failed", "port \"%s\" already exists", pc.name);
	if (sw->conf.n_ports == DVS_MAX_PORTS)
		return rpc_error(error, "port add failed", "at most %d ports", DVS_MAX_PORTS);
	sw->conf.ports[sw->conf.n_ports++] = pc;
	return apply_or_undo(sw, 0, NULL, "port add failed", error);
}

static json_t *
m_port_del(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const char *name = arg_str(args_of(params), "name");
	struct dvs_port_conf *pc, saved;
	struct dvs_err err = {0};

	if (!name)
		return rpc_error(error, "invalid argument", "name: missing (the port to delete)");
	if (!sw_port_find(sw, name))
		return rpc_error(error, "port del failed", "port \"%s\" does not exist", name);
	if (!(pc = local_port(sw, name)))
		return rpc_error(error, "port del failed",
				 "port \"%s\" is managed by dvs-db: delete it with 'dvsctl port del'", name);
	saved = *pc;
	unsigned slot = (unsigned)(pc - sw->conf.ports);
	memmove(pc, pc + 1, (sw->conf.n_ports - slot - 1) * sizeof(*pc));
	sw->conf.n_ports--;
	if (sw_apply_desired(sw, &err) < 0) {
		memmove(&sw->conf.ports[slot + 1], &sw->conf.ports[slot],
			(sw->conf.n_ports - slot) * sizeof(*pc));
		sw->conf.ports[slot] = saved;
		sw->conf.n_ports++;
		return rpc_error(error, "port del failed", "%s", err.msg);
	}
	return json_object();
}

static json_t *
m_port_set_vlan(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const json_t *a = args_of(params);
	const char *name = arg_str(a, "name");
	struct dvs_port_conf *pc, saved;
	struct dvs_err err = {0};

	if (!name)
		return rpc_error(error, "invalid argument", "name: missing (the port to change)");
	if (!sw_port_find(sw, name))
		return rpc_error(error, "no such port", "port \"%s\" does not exist", name);
	if (!(pc = local_port(sw, name)))
		return rpc_error(error, "set failed",
				 "port \"%s\" is managed by dvs-db: change it with 'dvsctl port set'", name);
	/* Re-validate the whole port with the new VLAN fields. */
	json_t *j = dvs_port_conf_to_json(pc);
	json_object_del(j, "vlan_mode");
	json_object_del(j, "tag");
	json_object_del(j, "trunks");
	json_object_del(j, "native_vlan");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)a, key, v)
		if (strcmp(key, "name"))
			json_object_set(j, key, v);
	saved = *pc;
	int rc = dvs_port_conf_parse(j, pc, &err);
	json_decref(j);
	if (rc < 0) {
		*pc = saved;
		return rpc_error(error, "invalid port", "%s", err.msg);
	}
	return apply_or_undo(sw, (unsigned)(pc - sw->conf.ports), &saved, "set failed", error);
}

static json_t *
m_reload(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	struct dvs_err err = {0};

	if (sw_reload(sw, &err) < 0)
		return rpc_error(error, "reload failed", "%s", err.msg);
	return json_pack("{s:I}", "generation", (json_int_t)sw->gen);
}

static json_t *
m_acl_stats(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	const char *name = arg_str(args_of(params), "port");
	json_t *res = json_array();

	if (name && !sw_port_find(sw, name)) {
		json_decref(res);
		return rpc_error(error, "no such port", "port \"%s\" does not exist", name);
	}
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		const struct sw_port *p = &sw->ports[i];
		const struct acl *acl = p->pol ? p->pol->acl : NULL;
		if (!p->used || !acl || (name && strcmp(name, p->conf.name)))
			continue;
		for (uint32_t r = 0; r < acl_n_rules(acl); r++) {
			const struct acl_rule *rule = acl_rule_get(acl, r);
			json_array_append_new(res, json_pack("{s:s, s:I, s:i, s:s, s:s, s:I}",
				"port", p->conf.name, "id", (json_int_t)rule->id, "priority", rule->priority,
				"direction", acl_dir_name(rule->dir), "action", acl_action_name(rule->action),
				"hits", (json_int_t)acl_hits(acl, r, rule->dir)));
		}
		/* The verdict cache's figures ride on the default rows, as the classifier does:
		 * IPv4 frames of the port and direction that took a cached verdict, or missed. */
		for (int d = 0; d < ACL_DIR_COUNT; d++) {
			uint64_t ch, cm;

			acl_hits_cache(acl, d, &ch, &cm);
			json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I}",
				"port", p->conf.name, "id", "default", "direction", acl_dir_name(d),
				"action", acl_action_name(acl_default_action(acl)),
				"hits", (json_int_t)acl_hits(acl, ACL_RULE_DEFAULT, d),
				"classifier", acl_classify_alg(acl), "cache_hits", (json_int_t)ch,
				"cache_misses", (json_int_t)cm));
		}
	}
	return res;
}

static json_t *
m_conntrack_stats(void *ctx, json_t *params, json_t **error)
{
	struct switchd *sw = ctx;
	json_t *res = json_array();

	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		const struct sw_port *p = &sw->ports[i];
		struct conntrack_stats cs;
		if (!p->used || !p->pol || !p->pol->ct)
			continue;
		conntrack_get_stats(p->pol->ct, &cs);
		json_array_append_new(res, json_pack("{s:s, s:i, s:I, s:I, s:I, s:I}", "port", p->conf.name,
			"entries", (int)cs.n_entries, "created", (json_int_t)cs.created,
			"expired", (json_int_t)cs.expired, "full_drops", (json_int_t)cs.full_drops,
			"invalid", (json_int_t)cs.invalid));
	}
	return res;
}

static const struct dvs_rpc_method methods[] = {
	{"conntrack.stats", m_conntrack_stats},
	{"acl.stats", m_acl_stats},
	{"version", m_version},
	{"ports.list", m_ports_list},
	{"ports.stats", m_ports_stats},
	{"fdb.show", m_fdb_show},
	{"fdb.flush", m_fdb_flush},
	{"drops.show", m_drops_show},
	{"xdp.show", m_xdp_show},
	{"lcores.show", m_lcores_show},
	{"port.add", m_port_add},
	{"port.del", m_port_del},
	{"port.set_vlan", m_port_set_vlan},
	{"reload", m_reload},
	{NULL, NULL},
};

int
sw_ctl_start(struct switchd *sw, struct dvs_err *err)
{
	sw->rpc = dvs_rpc_server_create(sw->loop, sw->conf.ctl_socket, methods, sw);
	if (!sw->rpc)
		return dvs_err_set(err, errno, "control socket %s: %s", sw->conf.ctl_socket,
				   strerror(errno));
	return 0;
}

void
sw_ctl_stop(struct switchd *sw)
{
	dvs_rpc_server_destroy(sw->rpc);
	sw->rpc = NULL;
}
