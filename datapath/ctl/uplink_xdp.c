/* SPDX-License-Identifier: Apache-2.0 */
/* The uplink's XDP program under switchd: the xdp_prog= devarg, the swap to a configured
 * instance, the VNI/VLAN allow maps kept in step with the overlay, counters and teardown. */
#define DVS_LOG_MODULE "dvs.uplink_xdp"
#include "uplink_xdp.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/switchd.h"
#include "ebpf/loader.h"
#include "lib/log.h"

/* Per port slot (sw_port.idx); control thread only, like the ports themselves. */
struct uxdp {
	bool has_memfd;     /* the object for the PMD, open until the port started */
	int memfd;
	int ifindex;
	struct dvs_xdp *x;  /* our configured instance, attached; NULL: none */
	uint32_t *vnis;     /* what the VNI allow map holds, sorted; DP_MAX_OVERLAY entries */
	unsigned n_vnis;
	uint64_t vlans[DVS_VLAN_WORDS]; /* what the VLAN allow map holds */
};

static struct uxdp ux[DVS_MAX_PORTS];

static const struct {
	enum dvs_xdp_reason reason;
	const char *text;
} drop_rows[] = {
	{DVS_XDP_DROP_MALFORMED, "XDP on the uplink: VXLAN to the VTEP with bad IP/UDP lengths or truncated"},
	{DVS_XDP_DROP_BAD_FLAGS, "XDP on the uplink: VXLAN flags not 0x08 (I clear or a reserved bit set)"},
	{DVS_XDP_DROP_UNKNOWN_VNI, "XDP on the uplink: VXLAN to the VTEP for a VNI no local segment has"},
	{DVS_XDP_DROP_NO_XSK, "XDP on the uplink: switch traffic on an rx queue switchd does not read"},
};

bool
uplink_xdp_wanted(const struct dvs_port_conf *pc)
{
	return pc->type == DVS_PORT_UPLINK && !pc->pci[0] && !strcmp(pc->driver, "af_xdp");
}

static void
uxdp_clear(struct uxdp *u)
{
	if (u->has_memfd)
		close(u->memfd);
	dvs_xdp_destroy(u->x); /* detaches, only if ours is still the attached program */
	free(u->vnis);
	memset(u, 0, sizeof(*u));
}

int
uplink_xdp_devargs(struct sw_port *p, char *buf, size_t size, struct dvs_err *err)
{
	struct uxdp *u = &ux[p->idx];
	int ifindex = (int)if_nametoindex(p->conf.ifname), fd;
	uint32_t id = 0;

	uxdp_clear(u);
	if (!ifindex)
		return dvs_err_set(err, errno, "interface %s: %s", p->conf.ifname, strerror(errno));
	/* The PMD attaches with UPDATE_IF_NOEXIST.  A DVS program still there was left by a
	 * switchd that died (SIGKILL, crash): this host's switchd owns the uplink, so it goes.
	 * Anyone else's program stays, and the port is refused with the way out. */
	fd = dvs_xdp_detach_attached(ifindex, &id);
	if (fd == 0)
		DVS_LOG(WARN, "port %s: removed the DVS XDP program (id %u) an earlier switchd left on %s",
			p->conf.name, id, p->conf.ifname);
	else if (fd == -EMEDIUMTYPE || fd == -EBUSY)
		return dvs_err_set(err, EBUSY, "XDP: another program is attached to %s; switchd does not replace it (remove it: ip link set dev %s xdp off)",
				   p->conf.ifname, p->conf.ifname);
	else if (fd != -ENOENT)
		return dvs_err_set(err, -fd, "XDP: cannot query %s: %s", p->conf.ifname, strerror(-fd));
	fd = dvs_xdp_object_memfd();
	if (fd < 0)
		return dvs_err_set(err, -fd, "XDP program: cannot copy it into a memfd: %s", strerror(-fd));
	u->has_memfd = true;
	u->memfd = fd;
	snprintf(buf, size, ",xdp_prog=/proc/self/fd/%d", fd);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The overlay's VNIs, sorted, without duplicates.  Returns the count. */
static unsigned
desired_vnis(const struct switchd *sw, uint32_t *out)
{
	unsigned n = 0, k = 0;

	for (unsigned i = 0; i < DP_MAX_OVERLAY; i++)
		if (sw->ov.segs[i].used && sw->ov.segs[i].vni)
			out[n++] = sw->ov.segs[i].vni;
	qsort(out, n, sizeof(*out), cmp_u32);
	for (unsigned i = 0; i < n; i++)
		if (!k || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

/* Makes the VNI map of 'p' equal to the overlay's VNIs: a merge of two sorted lists.  Each
 * change is logged, except the initial fill ('quiet'), which the start line sums up. */
static void
sync_vnis(const struct switchd *sw, const struct sw_port *p, struct uxdp *u, bool quiet)
{
	static uint32_t want[DP_MAX_OVERLAY], now[DP_MAX_OVERLAY];
	unsigned n_want = desired_vnis(sw, want), n_now = 0, i = 0, j = 0;
	int rc;

	if (n_want == u->n_vnis && !memcmp(want, u->vnis, n_want * sizeof(*want)))
		return;
	while (i < u->n_vnis || j < n_want) {
		if (j == n_want || (i < u->n_vnis && u->vnis[i] < want[j])) {
			if ((rc = dvs_xdp_vni_del(u->x, u->vnis[i])) < 0 && rc != -ENOENT) {
				DVS_LOG(WARN, "port %s: XDP: cannot remove VNI %u: %s", p->conf.name,
					u->vnis[i], strerror(-rc));
				now[n_now++] = u->vnis[i];
			} else if (!quiet) {
				DVS_LOG(INFO, "port %s: XDP: VNI %u no longer steered", p->conf.name, u->vnis[i]);
			}
			i++;
		} else if (i == u->n_vnis || want[j] < u->vnis[i]) {
			if ((rc = dvs_xdp_vni_add(u->x, want[j])) < 0) {
				DVS_LOG(ERR, "port %s: XDP: cannot allow VNI %u (its VXLAN frames are dropped as dropped-unknown-vni): %s",
					p->conf.name, want[j], strerror(-rc));
			} else {
				if (!quiet)
					DVS_LOG(INFO, "port %s: XDP: VNI %u steered to switchd", p->conf.name, want[j]);
				now[n_now++] = want[j];
			}
			j++;
		} else {
			now[n_now++] = want[j];
			i++;
			j++;
		}
	}
	memcpy(u->vnis, now, n_now * sizeof(*now));
	u->n_vnis = n_now;
}

static void
sync_vlans(const struct sw_port *p, struct uxdp *u)
{
	uint64_t want[DVS_VLAN_WORDS] = {0};
	int rc;

	if (p->conf.vlan_mode == DVS_VLAN_TRUNK)
		memcpy(want, p->conf.trunks, sizeof(want));
	if (!memcmp(want, u->vlans, sizeof(want)))
		return;
	if ((rc = dvs_xdp_vlans_write(u->x, want)) < 0) {
		DVS_LOG(ERR, "port %s: XDP: cannot update the trunked VLANs: %s", p->conf.name, strerror(-rc));
		return;
	}
	memcpy(u->vlans, want, sizeof(want));
}

/* The number of rx queues of 'ifname' (sysfs of our network namespace), 0 if unknown. */
static unsigned
rx_queues(const char *ifname)
{
	char path[64];
	unsigned n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "rx-", 3);
	closedir(d);
	return n;
}

int
uplink_xdp_start(struct switchd *sw, struct sw_port *p, struct dvs_err *err)
{
	struct uxdp *u = &ux[p->idx];
	struct dvs_xdp_opts o = {0};
	struct dvs_xdp *old = NULL;
	char vtep[INET_ADDRSTRLEN] = "none";
	int rc;

	/* The PMD loaded the object while setting up its rx queue: the memfd has served. */
	if (u->has_memfd) {
		close(u->memfd);
		u->has_memfd = false;
	}
	u->ifindex = (int)if_nametoindex(p->conf.ifname);
	if (!u->ifindex) {
		rc = dvs_err_set(err, errno, "XDP: interface %s: %s", p->conf.ifname, strerror(errno));
		goto out;
	}
	old = dvs_xdp_open_attached(u->ifindex);
	if (!old) {
		rc = dvs_err_set(err, errno, "XDP: the program net_af_xdp should have attached to %s is not there: %s",
				 p->conf.ifname, strerror(errno));
		goto out;
	}
	o.vtep4_be = sw->ov.vtep_be;
	o.trunk = p->conf.vlan_mode == DVS_VLAN_TRUNK;
	o.max_vnis = DP_MAX_OVERLAY;
	o.reuse_xsks_map = true; /* the PMD put its AF_XDP socket there */
	o.xsks_map_fd = dvs_xdp_xsks_map_fd(old);
	if (!(u->x = dvs_xdp_create(&o))) {
		rc = dvs_err_set(err, errno, "XDP: cannot load the configured program: %s%s", strerror(errno),
				 errno == EINVAL && !o.vtep4_be ? " (no vtep_ip and not a trunk: nothing to steer)" : "");
		goto out;
	}
	if (!(u->vnis = calloc(DP_MAX_OVERLAY, sizeof(*u->vnis)))) {
		rc = dvs_err_set(err, ENOMEM, "XDP: out of memory");
		goto out;
	}
	/* Maps first, then the swap: the new program is right from its first frame. */
	sync_vlans(p, u);
	sync_vnis(sw, p, u, true);
	if ((rc = dvs_xdp_replace(u->x, u->ifindex)) < 0) {
		rc = dvs_err_set(err, -rc, "XDP: cannot replace the program on %s: %s", p->conf.ifname,
				 strerror(-rc));
		goto out;
	}
	if (o.vtep4_be)
		inet_ntop(AF_INET, &o.vtep4_be, vtep, sizeof(vtep));
	else
		DVS_LOG(WARN, "port %s: no vtep_ip in the config: only trunked VLAN frames reach the switch", p->conf.name);
	DVS_LOG(INFO, "port %s: XDP program on %s (%s mode): VTEP %s, %u VNI(s), trunk %s", p->conf.name,
		p->conf.ifname, dvs_xdp_mode_name(u->x), vtep, u->n_vnis, o.trunk ? "on" : "off");
	/* switchd reads one AF_XDP socket, on rx queue 0 (net_af_xdp, queue_count=1). */
	unsigned nq = rx_queues(p->conf.ifname);
	if (nq > 1)
		DVS_LOG(WARN, "port %s: %s has %u rx queues but switchd reads queue 0 only: the switch's frames "
			"hashed to the others are dropped (xdp:dropped-no-xsk); give it one channel "
			"(ethtool -L %s combined 1)", p->conf.name, p->conf.ifname, nq, p->conf.ifname);
	rc = 0;
out:
	dvs_xdp_destroy(old); /* an adopted handle: never detaches */
	if (rc < 0)
		uxdp_clear(u);
	return rc;
}

void
uplink_xdp_stop(struct sw_port *p)
{
	struct uxdp *u = &ux[p->idx];

	if (u->x)
		DVS_LOG(INFO, "port %s: XDP program detached from %s", p->conf.name, p->conf.ifname);
	uxdp_clear(u);
}

void
uplink_xdp_sync(struct switchd *sw)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		const struct sw_port *p = &sw->ports[i];
		if (!ux[i].x || !p->used)
			continue;
		sync_vlans(p, &ux[i]);
		sync_vnis(sw, p, &ux[i], false);
	}
}

void
uplink_xdp_drops(const struct switchd *sw, json_t *rows)
{
	uint64_t sum[DVS_XDP_N_REASONS] = {0};
	bool any = false;

	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct dvs_xdp_counter c[DVS_XDP_N_REASONS];
		if (!ux[i].x || dvs_xdp_counters_read(ux[i].x, c) < 0)
			continue;
		any = true;
		for (unsigned r = 0; r < DVS_XDP_N_REASONS; r++)
			sum[r] += c[r].packets;
	}
	if (!any)
		return;
	for (size_t k = 0; k < DVS_ARRAY_SIZE(drop_rows); k++) {
		char name[64];
		snprintf(name, sizeof(name), "xdp:%s", dvs_xdp_reason_name(drop_rows[k].reason));
		json_array_append_new(rows, json_pack("{s:s, s:I, s:s}", "reason", name, "count",
						      (json_int_t)sum[drop_rows[k].reason], "description",
						      drop_rows[k].text));
	}
	(void)sw;
}

json_t *
uplink_xdp_show(const struct switchd *sw)
{
	json_t *res = json_array();

	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		const struct uxdp *u = &ux[i];
		const struct sw_port *p = &sw->ports[i];
		struct dvs_xdp_counter c[DVS_XDP_N_REASONS];
		char vtep[INET_ADDRSTRLEN] = "", vlans[1024];
		json_t *vnis, *cnt;

		if (!u->x || !p->used)
			continue;
		if (sw->ov.vtep_be)
			inet_ntop(AF_INET, &sw->ov.vtep_be, vtep, sizeof(vtep));
		vnis = json_array();
		for (unsigned k = 0; k < u->n_vnis; k++)
			json_array_append_new(vnis, json_integer(u->vnis[k]));
		cnt = json_object();
		if (dvs_xdp_counters_read(u->x, c) == 0)
			for (unsigned r = 0; r < DVS_XDP_N_REASONS; r++)
				json_object_set_new(cnt, dvs_xdp_reason_name(r),
						    json_pack("{s:I, s:I}", "packets", (json_int_t)c[r].packets,
							      "bytes", (json_int_t)c[r].bytes));
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "port",
						     p->conf.name, "ifname", p->conf.ifname, "mode",
						     dvs_xdp_mode_name(u->x), "vtep", vtep, "vlans",
						     dvs_vlan_list_format(u->vlans, vlans, sizeof(vlans)),
						     "vnis", vnis, "counters", cnt));
	}
	return res;
}
