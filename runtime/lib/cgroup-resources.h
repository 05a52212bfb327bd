/* linux.resources as cgroup file writes: planned (pure) then applied. */
#ifndef HUSK_CGROUP_RESOURCES_H
#define HUSK_CGROUP_RESOURCES_H

#include <stdint.h>

#include "husk/spec.h"

struct cg_write {
	const char *ctrl; /* v1 controller ("memory", "cpu"…), "" for the v2 hierarchy */
	char *file;
	char *value;
};

struct cg_plan {
	struct cg_write *w;
	size_t n;
};

/* Every write l->resources asks for, in the order to make them. */
int cg_plan_v1(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err);
int cg_plan_v2(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err);
void cg_plan_free(struct cg_plan *p);

/* The spec's device rules followed by runc's default allows and the spec's devices. */
size_t cg_device_rules(const struct husk_linux *l, struct husk_device_rule **out);

uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);

/* Apply the plan for this host's cgroup layout to the container's dirs. */
int cgroup_apply(const struct husk_strv *dirs, const struct husk_linux *l, struct husk_error *err);

#endif
