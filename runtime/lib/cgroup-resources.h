/* linux.resources as cgroup file writes: planned (pure) then applied. */
#ifndef HUSK_CGROUP_RESOURCES_H
#define HUSK_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "husk/spec.h"

struct cg_write {
	const char *ctrl; /* v1 controller ("memory", "cpu"…), "" for the v2 hierarchy */
	char *file;
	char *value;
	/* where the kernel lacks file: write alt_value to alt_file instead (runc's
	 * blkio.bfq.weight for blkio.weight, io.weight for io.bfq.weight) */
	char *alt_file, *alt_value;
	bool optional; /* a missing file is skipped (runc: memsw without swap accounting) */
};

struct cg_plan {
	struct cg_write *w;
	size_t n;
};

/* Every write l->resources asks for, in the order to make them. */
int cg_plan_v1(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err);
int cg_plan_v2(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err);
void cg_plan_free(struct cg_plan *p);

uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);

/* Where each controller of the container lives: v1 when the host has v1
 * resource controllers (v1 or hybrid), else the v2 hierarchy. */
struct cgroup_hier;
struct cg_target {
	const char *dir;
	const struct cgroup_hier *h;
};
struct cg_layout {
	struct cgroup_hier *h;
	size_t nh;
	struct cg_target *t;
	size_t nt;
	bool v1;
};
int cg_layout_open(const struct husk_strv *dirs, struct cg_layout *L, struct husk_error *err);
/* The dir holding v1 controller ctrl (or the v2 dir on a v2 host); NULL if none. */
const char *cg_layout_dir(const struct cg_layout *L, const char *ctrl);
void cg_layout_close(struct cg_layout *L);
/* Is ctrl ("memory", "cpu") one of a v1 hierarchy's controllers? */
bool cg_hier_has_controller(const struct cgroup_hier *h, const char *ctrl);

/* Apply l's resources for this host's cgroup layout to the container's dirs,
 * devices included (v1 devices.allow/deny, or the v2 BPF filter, always
 * attached as runc does). */
int cgroup_apply(const struct husk_strv *dirs, const struct husk_linux *l, struct husk_error *err);
/* The same for `update`: every resource but devices, which runc's update
 * never changes. */
int cgroup_apply_update(const struct husk_strv *dirs, const struct husk_linux *l, struct husk_error *err);

#endif
