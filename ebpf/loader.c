// SPDX-License-Identifier: Apache-2.0
/* Loader of the uplink XDP program: skeleton, rodata, attach, map updates, counters. */

#include "loader.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "uplink_steer.skel.h"

#define DVS_XDP_PROG_NAME "dvs_xdp_uplink"

struct dvs_xdp {
	struct uplink_steer *skel; /* NULL for a handle from dvs_xdp_open_attached */
	int prog_fd;
	/* Map fds: borrowed from the skeleton, or owned (adopted handle). */
	int xsks_fd, vnis_fd, vlans_fd, stats_fd;
	uint32_t max_queues;
	int n_cpus;
	struct dvs_xdp_counter *percpu; /* scratch for one counters lookup: n_cpus entries */
	int ifindex;      /* where this handle attached; 0 when not attached */
	uint32_t attach_flags;
	const char *mode;
};

static const char *const reason_names[DVS_XDP_N_REASONS] = DVS_XDP_REASON_NAMES;

const char *dvs_xdp_reason_name(unsigned int reason)
{
	return reason < DVS_XDP_N_REASONS ? reason_names[reason] : NULL;
}

static struct dvs_xdp *handle_new(void)
{
	struct dvs_xdp *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->prog_fd = x->xsks_fd = x->vnis_fd = x->vlans_fd = x->stats_fd = -1;
	x->mode = "none";
	x->n_cpus = libbpf_num_possible_cpus();
	if (x->n_cpus <= 0) {
		errno = x->n_cpus ? -x->n_cpus : EINVAL;
		free(x);
		return NULL;
	}
	x->percpu = calloc(x->n_cpus, sizeof(*x->percpu));
	if (!x->percpu) {
		free(x);
		return NULL;
	}
	return x;
}

struct dvs_xdp *dvs_xdp_create(const struct dvs_xdp_opts *opts)
{
	struct dvs_xdp_config *cfg;
	struct dvs_xdp *x = NULL;
	int err;

	if (!opts || (!opts->vtep4_be && !opts->has_vtep6 && !opts->trunk)) {
		/* Nothing would ever be steered: certainly a configuration mistake. */
		err = EINVAL;
		goto out;
	}
	x = handle_new();
	if (!x) {
		err = errno;
		goto out;
	}
	x->skel = uplink_steer__open();
	if (!x->skel) {
		err = errno;
		goto out;
	}
	cfg = (struct dvs_xdp_config *)&x->skel->rodata->dvs_xdp_cfg;
	cfg->vtep4 = opts->vtep4_be;
	if (opts->has_vtep6) {
		memcpy(cfg->vtep6, opts->vtep6, sizeof(cfg->vtep6));
		cfg->has_vtep6 = 1;
	}
	cfg->vxlan_port = opts->vxlan_port ? opts->vxlan_port : DVS_XDP_VXLAN_PORT;
	cfg->trunk = opts->trunk;
	x->max_queues = opts->max_queues ? opts->max_queues : DVS_XDP_MAX_QUEUES;
	if (opts->reuse_xsks_map) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(opts->xsks_map_fd, &info, &len)) {
			err = errno;
			goto out;
		}
		/* libbpf only reuses a map whose definition matches exactly. */
		x->max_queues = info.max_entries;
	}
	err = -bpf_map__set_max_entries(x->skel->maps.xsks_map, x->max_queues);
	if (!err && opts->reuse_xsks_map)
		err = -bpf_map__reuse_fd(x->skel->maps.xsks_map, opts->xsks_map_fd);
	if (!err && opts->max_vnis)
		err = -bpf_map__set_max_entries(x->skel->maps.dvs_xdp_vnis, opts->max_vnis);
	if (err)
		goto out;
	err = -uplink_steer__load(x->skel);
	if (err)
		goto out;
	x->prog_fd = bpf_program__fd(x->skel->progs.dvs_xdp_uplink);
	x->xsks_fd = bpf_map__fd(x->skel->maps.xsks_map);
	x->vnis_fd = bpf_map__fd(x->skel->maps.dvs_xdp_vnis);
	x->vlans_fd = bpf_map__fd(x->skel->maps.dvs_xdp_vlans);
	x->stats_fd = bpf_map__fd(x->skel->maps.dvs_xdp_stats);
out:
	if (err) {
		dvs_xdp_destroy(x);
		errno = err;
		return NULL;
	}
	return x;
}

/* The DVS program attached to 'ifindex': its fd (new, caller closes) and attach mode. */
static int attached_prog(int ifindex, int *fd_out, uint32_t *mode_flags)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, err = 0;

	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		*mode_flags = XDP_FLAGS_DRV_MODE;
		break;
	case XDP_ATTACHED_SKB:
		*mode_flags = XDP_FLAGS_SKB_MODE;
		break;
	case XDP_ATTACHED_HW:
		*mode_flags = XDP_FLAGS_HW_MODE;
		break;
	default: /* none, or several programs in several modes */
		return q.attach_mode == XDP_ATTACHED_NONE ? -ENOENT : -EBUSY;
	}
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (strcmp(info.name, DVS_XDP_PROG_NAME))
		err = -EMEDIUMTYPE;
	if (err) {
		close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

/* Takes ownership of the map with 'id' if its name is one of ours. */
static int adopt_map(struct dvs_xdp *x, uint32_t id)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd, err = 0;
	int *slot = NULL;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (!strcmp(info.name, "xsks_map")) {
		slot = &x->xsks_fd;
		x->max_queues = info.max_entries;
	} else if (!strcmp(info.name, "dvs_xdp_vnis")) {
		slot = &x->vnis_fd;
	} else if (!strcmp(info.name, "dvs_xdp_vlans")) {
		slot = &x->vlans_fd;
	} else if (!strcmp(info.name, "dvs_xdp_stats")) {
		slot = &x->stats_fd;
	}
out:
	/* Maps that are not ours (the .rodata of the config block) are just closed. */
	if (slot && *slot < 0 && !err) {
		*slot = fd;
		return 0;
	}
	close(fd);
	return err;
}

struct dvs_xdp *dvs_xdp_open_attached(int ifindex)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), mode_flags, *map_ids = NULL, n_maps;
	struct dvs_xdp *x = NULL;
	int err;

	x = handle_new();
	if (!x) {
		err = errno;
		goto out;
	}
	err = -attached_prog(ifindex, &x->prog_fd, &mode_flags);
	if (err)
		goto out;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(x->prog_fd, &info, &len)) {
		err = errno;
		goto out;
	}
	n_maps = info.nr_map_ids;
	map_ids = calloc(n_maps ? n_maps : 1, sizeof(*map_ids));
	if (!map_ids) {
		err = errno;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n_maps;
	info.map_ids = (uintptr_t)map_ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(x->prog_fd, &info, &len)) {
		err = errno;
		goto out;
	}
	for (uint32_t i = 0; i < n_maps && !err; i++)
		err = -adopt_map(x, map_ids[i]);
	if (!err && (x->xsks_fd < 0 || x->vnis_fd < 0 || x->vlans_fd < 0 || x->stats_fd < 0))
		err = EMEDIUMTYPE;
out:
	free(map_ids);
	if (err) {
		dvs_xdp_destroy(x);
		errno = err;
		return NULL;
	}
	return x;
}

void dvs_xdp_destroy(struct dvs_xdp *x)
{
	if (!x)
		return;
	if (x->ifindex)
		dvs_xdp_detach(x);
	if (x->skel) {
		uplink_steer__destroy(x->skel);
	} else {
		int fds[] = {x->prog_fd, x->xsks_fd, x->vnis_fd, x->vlans_fd, x->stats_fd};

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	free(x->percpu);
	free(x);
}

int dvs_xdp_attach(struct dvs_xdp *x, int ifindex, uint32_t xdp_flags)
{
	const uint32_t modes = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;
	uint32_t flags = xdp_flags;
	int err;

	if (x->ifindex)
		return -EALREADY;
	if (ifindex <= 0)
		return -EINVAL;
	if (!(xdp_flags & modes)) {
		flags = xdp_flags | XDP_FLAGS_DRV_MODE;
		err = bpf_xdp_attach(ifindex, x->prog_fd, flags, NULL);
		/* Drivers without native XDP answer EOPNOTSUPP; fall back to generic mode,
		 * which works on any netdev at the cost of an skb per frame. */
		if (err == -EOPNOTSUPP || err == -EINVAL) {
			flags = xdp_flags | XDP_FLAGS_SKB_MODE;
			err = bpf_xdp_attach(ifindex, x->prog_fd, flags, NULL);
		}
	} else {
		err = bpf_xdp_attach(ifindex, x->prog_fd, flags, NULL);
	}
	if (err)
		return err;
	x->ifindex = ifindex;
	x->attach_flags = flags;
	x->mode = (flags & XDP_FLAGS_SKB_MODE) ? "skb" : (flags & XDP_FLAGS_HW_MODE) ? "hw" : "native";
	return 0;
}

int dvs_xdp_replace(struct dvs_xdp *x, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t mode_flags = 0;
	int old_fd = -1, err;

	if (x->ifindex)
		return -EALREADY;
	err = attached_prog(ifindex, &old_fd, &mode_flags);
	if (err)
		return err;
	/* old_prog_fd makes the kernel swap only if the old program is still there. */
	opts.old_prog_fd = old_fd;
	err = bpf_xdp_attach(ifindex, x->prog_fd, mode_flags, &opts);
	close(old_fd);
	if (err)
		return err;
	x->ifindex = ifindex;
	x->attach_flags = mode_flags;
	x->mode = mode_flags == XDP_FLAGS_SKB_MODE ? "skb" :
		  mode_flags == XDP_FLAGS_HW_MODE ? "hw" : "native";
	return 0;
}

int dvs_xdp_detach_attached(int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	struct bpf_prog_info info;
	uint32_t mode_flags = 0, len = sizeof(info);
	int fd = -1, err;

	err = attached_prog(ifindex, &fd, &mode_flags);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	if (prog_id && !bpf_obj_get_info_by_fd(fd, &info, &len))
		*prog_id = info.id;
	opts.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, mode_flags, &opts);
	close(fd);
	return err;
}

int dvs_xdp_detach(struct dvs_xdp *x)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = x->prog_fd);
	uint32_t mode_flags = x->attach_flags &
			      (XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE);
	int err;

	if (!x->ifindex)
		return 0;
	/* old_prog_fd turns this into a compare-and-swap: never remove a program that some
	 * other loader has put in our place meanwhile. */
	err = bpf_xdp_detach(x->ifindex, mode_flags, &opts);
	/* The interface may be gone already, taking the attachment with it. */
	if (err == -ENODEV)
		err = 0;
	x->ifindex = 0;
	x->mode = "none";
	return err;
}

const char *dvs_xdp_mode_name(const struct dvs_xdp *x)
{
	return x->mode;
}

int dvs_xdp_vni_add(struct dvs_xdp *x, uint32_t vni)
{
	struct dvs_xdp_vni_info info = {0};

	if (vni > 0xffffff)
		return -EINVAL;
	return bpf_map_update_elem(x->vnis_fd, &vni, &info, BPF_ANY) ? -errno : 0;
}

int dvs_xdp_vni_del(struct dvs_xdp *x, uint32_t vni)
{
	if (vni > 0xffffff)
		return -EINVAL;
	return bpf_map_delete_elem(x->vnis_fd, &vni) ? -errno : 0;
}

int dvs_xdp_vlan_set(struct dvs_xdp *x, uint16_t vid, bool allowed)
{
	uint32_t word = vid / 64;
	uint64_t bits;

	if (vid == 0 || vid > 4094)
		return -EINVAL;
	if (bpf_map_lookup_elem(x->vlans_fd, &word, &bits))
		return -errno;
	if (allowed)
		bits |= UINT64_C(1) << (vid % 64);
	else
		bits &= ~(UINT64_C(1) << (vid % 64));
	return bpf_map_update_elem(x->vlans_fd, &word, &bits, BPF_ANY) ? -errno : 0;
}

int dvs_xdp_vlans_write(struct dvs_xdp *x, const uint64_t bits[DVS_XDP_VLAN_WORDS])
{
	for (uint32_t w = 0; w < DVS_XDP_VLAN_WORDS; w++) {
		uint64_t want = bits[w], have;

		/* VLAN 0 is a priority tag and 4095 reserved: never trunked. */
		if (w == 0)
			want &= ~UINT64_C(1);
		if (w == DVS_XDP_VLAN_WORDS - 1)
			want &= ~(UINT64_C(1) << 63);
		if (bpf_map_lookup_elem(x->vlans_fd, &w, &have))
			return -errno;
		if (have != want && bpf_map_update_elem(x->vlans_fd, &w, &want, BPF_ANY))
			return -errno;
	}
	return 0;
}

int dvs_xdp_object_memfd(void)
{
	size_t size, done = 0;
	const char *elf = uplink_steer__elf_bytes(&size);
	int fd = memfd_create("dvs_uplink_steer.bpf.o", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t n = write(fd, elf + done, size - done);

		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		done += (size_t)n;
	}
	return fd;
}

int dvs_xdp_xsk_set(struct dvs_xdp *x, uint32_t queue, int xsk_fd)
{
	uint32_t fd = xsk_fd;

	if (queue >= x->max_queues || xsk_fd < 0)
		return -EINVAL;
	return bpf_map_update_elem(x->xsks_fd, &queue, &fd, BPF_ANY) ? -errno : 0;
}

int dvs_xdp_xsk_clear(struct dvs_xdp *x, uint32_t queue)
{
	if (queue >= x->max_queues)
		return -EINVAL;
	if (bpf_map_delete_elem(x->xsks_fd, &queue) && errno != ENOENT)
		return -errno;
	return 0;
}

int dvs_xdp_counters_read(const struct dvs_xdp *x, struct dvs_xdp_counter out[DVS_XDP_N_REASONS])
{
	for (uint32_t r = 0; r < DVS_XDP_N_REASONS; r++) {
		if (bpf_map_lookup_elem(x->stats_fd, &r, x->percpu))
			return -errno;
		out[r].packets = out[r].bytes = 0;
		for (int c = 0; c < x->n_cpus; c++) {
			out[r].packets += x->percpu[c].packets;
			out[r].bytes += x->percpu[c].bytes;
		}
	}
	return 0;
}

int dvs_xdp_prog_fd(const struct dvs_xdp *x)
{
	return x->prog_fd;
}

int dvs_xdp_xsks_map_fd(const struct dvs_xdp *x)
{
	return x->xsks_fd;
}
