/* config.json "linux" → struct husk_linux: namespaces, id mappings, devices,
 * resources, seccomp, propagation, personality. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "husk/spec.h"
#include "internal.h"
#include "mountopt.h"
#include "spec-json.h"
#include "util.h"

int spec_parse_idmaps(json_t *o, const char *path, const char *key, struct husk_idmap **out,
			size_t *n, struct husk_error *err)
{
	_cleanup_free_ char *sp = spec_subpath(path, key);
	json_t *arr;

	CHECK(spec_get_arr(o, path, key, &arr, err));
	if (!arr)
		return 0;
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath(sp, i);
		struct husk_idmap *m = &(*out)[i];
		json_t *item;

		CHECK(spec_item_obj(arr, i, sp, &item, err));
		CHECK(SPEC_GET_INT(item, ip, "containerID", 0, UINT32_MAX, m->container_id, NULL, true, err));
		CHECK(SPEC_GET_INT(item, ip, "hostID", 0, UINT32_MAX, m->host_id, NULL, true, err));
		CHECK(SPEC_GET_INT(item, ip, "size", 1, UINT32_MAX, m->size, NULL, true, err));
		(*n)++;
	}
	return 0;
}


static int parse_namespaces(json_t *arr, struct husk_linux *l, struct husk_error *err)
{
	l->namespaces = xcalloc(json_array_size(arr), sizeof(*l->namespaces));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath("linux.namespaces", i), *type = NULL;
		struct husk_namespace *ns = &l->namespaces[i];
		json_t *o;

		CHECK(spec_item_obj(arr, i, "linux.namespaces", &o, err));
		l->n_namespaces++;
		CHECK(spec_get_str(o, ip, "type", true, &type, err));
		ns->type = husk_namespace_type(type);
		if (ns->type < 0)
			return spec_ferr(err, ip, "type", "unknown namespace type \"%s\"", type);
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type)
				return spec_ferr(err, ip, "type", "duplicate namespace \"%s\"", type);
		CHECK(spec_get_str(o, ip, "path", false, &ns->path, err));
		if (ns->path && !*ns->path) {
			/* Go's zero value: runc makes a new namespace */
			free(ns->path);
			ns->path = NULL;
		}
		if (ns->path && ns->path[0] != '/')
			return spec_ferr(err, ip, "path", "must be an absolute path, got \"%s\"", ns->path);
	}
	return 0;
}

static int parse_devices(json_t *arr, struct husk_linux *l, struct husk_error *err)
{
	l->devices = xcalloc(json_array_size(arr), sizeof(*l->devices));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath("linux.devices", i), *type = NULL;
		struct husk_device *d = &l->devices[i];
		json_t *o;

		CHECK(spec_item_obj(arr, i, "linux.devices", &o, err));
		l->n_devices++;
		CHECK(spec_get_str(o, ip, "type", true, &type, err));
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return spec_ferr(err, ip, "type", "must be one of c, b, u, p; got \"%s\"", type);
		d->type = type[0];
		/* absent is Go's "": the rootfs itself, as runc joins it */
		CHECK(spec_get_str(o, ip, "path", false, &d->path, err));
		if (!d->path)
			d->path = xstrdup("");
		if (d->path[0] != '/') {
			/* runc joins it to the rootfs as it is */
			char *abs = xasprintf("/%s", d->path);
			free(d->path);
			d->path = abs;
		}
		spec_path_clean(d->path);
		/* absent major/minor are 0, as in runc */
		/* what a dev_t holds (12 bits of major, 20 of minor): runc cuts
		 * larger numbers down and makes another device than asked */
		CHECK(SPEC_GET_INT(o, ip, "major", 0, 4095, d->major, NULL, false, err));
		CHECK(SPEC_GET_INT(o, ip, "minor", 0, 1048575, d->minor, NULL, false, err));
		/* podman passes st_mode (e.g. 020666): runc drops the file type bits */
		CHECK(SPEC_GET_INT(o, ip, "fileMode", 0, UINT32_MAX, d->file_mode, &d->has_file_mode, false, err));
		d->file_mode &= ~(uint32_t)S_IFMT;
		CHECK(SPEC_GET_INT(o, ip, "uid", 0, UINT32_MAX, d->uid, &d->has_uid, false, err));
		CHECK(SPEC_GET_INT(o, ip, "gid", 0, UINT32_MAX, d->gid, &d->has_gid, false, err));
	}
	return 0;
}

static int parse_device_rules(json_t *arr, const char *path, struct husk_resources *r,
			      struct husk_error *err)
{
	r->devices = xcalloc(json_array_size(arr), sizeof(*r->devices));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath(path, i), *type = NULL, *access = NULL;
		struct husk_device_rule *d = &r->devices[i];
		json_t *o;

		CHECK(spec_item_obj(arr, i, path, &o, err));
		r->n_devices++;
		/* absent "allow" is false (a deny rule), as Go reads it */
		CHECK(spec_get_bool(o, ip, "allow", &d->allow, NULL, err));
		CHECK(spec_get_str(o, ip, "type", false, &type, err));
		d->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return spec_ferr(err, ip, "type", "must be one of a, c, b; got \"%s\"", type);
		d->major = d->minor = -1;
		CHECK(SPEC_GET_INT(o, ip, "major", -1, UINT32_MAX, d->major, NULL, false, err));
		CHECK(SPEC_GET_INT(o, ip, "minor", -1, UINT32_MAX, d->minor, NULL, false, err));
		CHECK(spec_get_str(o, ip, "access", false, &access, err));
		if (!access || !*access) {
			snprintf(d->access, sizeof(d->access), "rwm");
			continue;
		}
		/* as runc: the r, w and m in the string count, other letters are ignored */
		{
			size_t n = 0;
			for (const char *c = "rwm"; *c; c++)
				if (strchr(access, *c))
					d->access[n++] = *c;
			d->access[n] = '\0';
			if (!n)
				return spec_ferr(err, ip, "access", "\"%s\" has none of r, w, m", access);
		}
	}
	return 0;
}

static int parse_memory(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	r->has_memory = true;
	CHECK(SPEC_GET_INT(o, p, "limit", -1, LLONG_MAX, r->memory.limit, &r->memory.has_limit, false, err));
	CHECK(SPEC_GET_INT(o, p, "reservation", -1, LLONG_MAX, r->memory.reservation,
		      &r->memory.has_reservation, false, err));
	CHECK(SPEC_GET_INT(o, p, "swap", -1, LLONG_MAX, r->memory.swap, &r->memory.has_swap, false, err));
	/* ignored (runc warns and ignores it): any int64 */
	CHECK(SPEC_GET_INT(o, p, "kernel", LLONG_MIN, LLONG_MAX, r->memory.kernel, &r->memory.has_kernel,
			   false, err));
	CHECK(SPEC_GET_INT(o, p, "kernelTCP", -1, LLONG_MAX, r->memory.kernel_tcp,
		      &r->memory.has_kernel_tcp, false, err));
	/* a Go uint64; runc takes 2^64-1 (int64 -1) as unset and refuses the rest
	 * above 100 */
	CHECK(spec_get_u64(o, p, "swappiness", &r->memory.swappiness, &r->memory.has_swappiness, false,
			   err));
	if (r->memory.has_swappiness && r->memory.swappiness == UINT64_MAX)
		r->memory.has_swappiness = false;
	else if (r->memory.has_swappiness && r->memory.swappiness > 100)
		return spec_ferr(err, p, "swappiness", "%" PRIu64 " is out of range [0, 100]",
				 r->memory.swappiness);
	CHECK(spec_get_bool(o, p, "disableOOMKiller", &r->memory.disable_oom_killer,
		       &r->memory.has_disable_oom_killer, err));
	CHECK(spec_get_bool(o, p, "useHierarchy", &r->memory.use_hierarchy, &r->memory.has_use_hierarchy,
		       err));
	CHECK(spec_get_bool(o, p, "checkBeforeUpdate", &r->memory.check_before_update,
		       &r->memory.has_check_before_update, err));
	if (r->memory.has_limit && r->memory.has_swap && r->memory.limit > 0 && r->memory.swap > 0 &&
	    r->memory.swap < r->memory.limit)
		return spec_ferr(err, p, "swap", "(%lld) must not be less than limit (%lld): swap counts memory plus swap",
			    (long long)r->memory.swap, (long long)r->memory.limit);
	return 0;
}

static int parse_cpu(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	r->has_cpu = true;
	CHECK(spec_get_u64(o, p, "shares", &r->cpu.shares, &r->cpu.has_shares, false, err));
	CHECK(SPEC_GET_INT(o, p, "quota", -1, LLONG_MAX, r->cpu.quota, &r->cpu.has_quota, false, err));
	CHECK(spec_get_u64(o, p, "burst", &r->cpu.burst, &r->cpu.has_burst, false, err));
	CHECK(spec_get_u64(o, p, "period", &r->cpu.period, &r->cpu.has_period, false, err));
	CHECK(SPEC_GET_INT(o, p, "realtimeRuntime", -1, LLONG_MAX, r->cpu.rt_runtime, &r->cpu.has_rt_runtime,
		      false, err));
	CHECK(spec_get_u64(o, p, "realtimePeriod", &r->cpu.rt_period, &r->cpu.has_rt_period, false, err));
	CHECK(SPEC_GET_INT(o, p, "idle", 0, 1, r->cpu.idle, &r->cpu.has_idle, false, err));
	CHECK(spec_get_str(o, p, "cpus", false, &r->cpu.cpus, err));
	CHECK(spec_get_str(o, p, "mems", false, &r->cpu.mems, err));
	return 0;
}

static int parse_major_minor(json_t *o, const char *ip, int64_t *major, int64_t *minor,
			     struct husk_error *err)
{
	CHECK(SPEC_GET_INT(o, ip, "major", 0, UINT32_MAX, *major, NULL, true, err));
	CHECK(SPEC_GET_INT(o, ip, "minor", 0, UINT32_MAX, *minor, NULL, true, err));
	return 0;
}

/* A blkio weight: a Go uint16 in runc, where 0 means "not set" (Docker writes
 * "weight": 0 into every config); the kernel judges the range of the rest. */
static int get_weight(json_t *o, const char *path, const char *key, uint16_t *out, bool *has,
		      struct husk_error *err)
{
	long long v = 0;
	bool h = false;

	CHECK(spec_get_int(o, path, key, 0, UINT16_MAX, &v, &h, false, err));
	if (h && v) {
		*out = (uint16_t)v;
		*has = true;
	}
	return 0;
}

static int parse_block_io(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	static const char *const throttles[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
						 "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	_cleanup_free_ char *wp = spec_subpath(p, "weightDevice");
	json_t *arr;

	r->has_block_io = true;
	CHECK(get_weight(o, p, "weight", &r->block_io.weight, &r->block_io.has_weight, err));
	CHECK(get_weight(o, p, "leafWeight", &r->block_io.leaf_weight, &r->block_io.has_leaf_weight, err));
	CHECK(spec_get_arr(o, p, "weightDevice", &arr, err));
	if (arr) {
		r->block_io.weight_devices = xcalloc(json_array_size(arr), sizeof(struct husk_weight_device));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = spec_itempath(wp, i);
			struct husk_weight_device *w = &r->block_io.weight_devices[i];
			json_t *it;

			CHECK(spec_item_obj(arr, i, wp, &it, err));
			r->block_io.n_weight_devices++;
			CHECK(parse_major_minor(it, ip, &w->major, &w->minor, err));
			CHECK(get_weight(it, ip, "weight", &w->weight, &w->has_weight, err));
			CHECK(get_weight(it, ip, "leafWeight", &w->leaf_weight, &w->has_leaf_weight, err));
		}
	}
	for (int t = 0; t < 4; t++) {
		_cleanup_free_ char *tp = spec_subpath(p, throttles[t]);
		CHECK(spec_get_arr(o, p, throttles[t], &arr, err));
		if (!arr)
			continue;
		r->block_io.throttle[t] = xcalloc(json_array_size(arr), sizeof(struct husk_throttle_device));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = spec_itempath(tp, i);
			struct husk_throttle_device *d = &r->block_io.throttle[t][i];
			json_t *it;

			CHECK(spec_item_obj(arr, i, tp, &it, err));
			r->block_io.n_throttle[t]++;
			CHECK(parse_major_minor(it, ip, &d->major, &d->minor, err));
			CHECK(spec_get_u64(it, ip, "rate", &d->rate, NULL, true, err));
		}
	}
	return 0;
}

static int parse_resources(json_t *o, struct husk_resources *r, struct husk_error *err)
{
	const char *p = "linux.resources";
	json_t *sub, *arr, *val;
	const char *key;

	CHECK(spec_get_arr(o, p, "devices", &arr, err));
	if (arr)
		CHECK(parse_device_rules(arr, "linux.resources.devices", r, err));
	CHECK(spec_get_obj(o, p, "memory", &sub, err));
	if (sub)
		CHECK(parse_memory(sub, "linux.resources.memory", r, err));
	CHECK(spec_get_obj(o, p, "cpu", &sub, err));
	if (sub)
		CHECK(parse_cpu(sub, "linux.resources.cpu", r, err));
	CHECK(spec_get_obj(o, p, "pids", &sub, err));
	if (sub) {
		r->has_pids = true;
		CHECK(SPEC_GET_INT(sub, "linux.resources.pids", "limit", LLONG_MIN, LLONG_MAX, r->pids.limit,
			      &r->pids.has_limit, false, err));
	}
	CHECK(spec_get_obj(o, p, "blockIO", &sub, err));
	if (sub)
		CHECK(parse_block_io(sub, "linux.resources.blockIO", r, err));
	CHECK(spec_get_arr(o, p, "hugepageLimits", &arr, err));
	if (arr) {
		const char *hp = "linux.resources.hugepageLimits";
		r->hugepage_limits = xcalloc(json_array_size(arr), sizeof(*r->hugepage_limits));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = spec_itempath(hp, i);
			struct husk_hugepage_limit *h = &r->hugepage_limits[i];
			json_t *it;

			CHECK(spec_item_obj(arr, i, hp, &it, err));
			r->n_hugepage_limits++;
			CHECK(spec_get_str(it, ip, "pageSize", true, &h->page_size, err));
			/* absent = 0, as Go reads it */
			CHECK(spec_get_u64(it, ip, "limit", &h->limit, NULL, false, err));
		}
	}
	CHECK(spec_get_obj(o, p, "network", &sub, err));
	if (sub) {
		const char *np = "linux.resources.network", *pp = "linux.resources.network.priorities";
		r->has_network = true;
		CHECK(SPEC_GET_INT(sub, np, "classID", 0, UINT32_MAX, r->network.class_id,
			      &r->network.has_class_id, false, err));
		CHECK(spec_get_arr(sub, np, "priorities", &arr, err));
		if (arr) {
			r->network.priorities = xcalloc(json_array_size(arr), sizeof(struct husk_net_priority));
			for (size_t i = 0; i < json_array_size(arr); i++) {
				_cleanup_free_ char *ip = spec_itempath(pp, i);
				struct husk_net_priority *np2 = &r->network.priorities[i];
				json_t *it;

				CHECK(spec_item_obj(arr, i, pp, &it, err));
				r->network.n_priorities++;
				CHECK(spec_get_str(it, ip, "name", true, &np2->name, err));
				CHECK(SPEC_GET_INT(it, ip, "priority", 0, UINT32_MAX, np2->priority, NULL, false, err));
			}
		}
	}
	CHECK(spec_get_obj(o, p, "rdma", &sub, err));
	if (sub) {
		r->rdma = xcalloc(json_object_size(sub), sizeof(*r->rdma));
		json_object_foreach(sub, key, val) {
			_cleanup_free_ char *ip = xasprintf("linux.resources.rdma.%s", key);
			struct husk_rdma *d = &r->rdma[r->n_rdma++];

			d->device = xstrdup(key);
			if (!json_is_object(val))
				return spec_ferr(err, ip, NULL, "must be an object");
			CHECK(SPEC_GET_INT(val, ip, "hcaHandles", 0, UINT32_MAX, d->hca_handles,
				      &d->has_hca_handles, false, err));
			CHECK(SPEC_GET_INT(val, ip, "hcaObjects", 0, UINT32_MAX, d->hca_objects,
				      &d->has_hca_objects, false, err));
		}
	}
	CHECK(spec_get_kvv(o, p, "unified", &r->unified, err));
	for (size_t i = 0; i < r->unified.n; i++)
		if (strchr(r->unified.v[i].key, '/') || !strcmp(r->unified.v[i].key, "..") ||
		    !strchr(r->unified.v[i].key, '.'))
			return spec_ferr(err, "linux.resources.unified", NULL, "invalid cgroup file name \"%s\"",
				    r->unified.v[i].key);
	/* the cgroup core files that move, freeze or kill processes or change
	 * the tree are no resource settings: written into the new cgroup they
	 * freeze the init before it runs (runc 1.1 then waits forever), move a
	 * host process in (the cgroup can no longer be removed), or make the
	 * cgroup refuse its init (docs/compat.md) */
	static const char *const not_resources[] = {"cgroup.procs", "cgroup.threads", "cgroup.freeze",
						    "cgroup.kill", "cgroup.subtree_control"};
	for (size_t i = 0; i < r->unified.n; i++)
		for (size_t j = 0; j < sizeof(not_resources) / sizeof(not_resources[0]); j++)
			if (!strcmp(r->unified.v[i].key, not_resources[j]))
				return spec_ferr(err, "linux.resources.unified", NULL,
						 "\"%s\" is not a resource setting: it acts on the processes or the cgroup tree",
						 r->unified.v[i].key);
	return 0;
}

static int seccomp_action(const char *name)
{
	for (int i = 1; husk_seccomp_action_names[i]; i++)
		if (!strcmp(husk_seccomp_action_names[i], name))
			return i;
	return -1;
}

/* errnoRet and defaultErrnoRet: any Go uint (uint64), as runc reads them;
 * the filter keeps the low 16 bits (SECCOMP_RET_DATA), as runc's int16 does. */
static int get_errno_ret(json_t *o, const char *path, const char *key, uint32_t *out, bool *has,
			 struct husk_error *err)
{
	uint64_t v = 0;

	CHECK(spec_get_u64(o, path, key, &v, has, false, err));
	*out = (uint32_t)(v & 0xffff);
	return 0;
}

static int parse_seccomp(json_t *o, struct husk_linux *l, struct husk_error *err)
{
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
	const char *p = "linux.seccomp";
	struct husk_seccomp *sc = l->seccomp = xcalloc(1, sizeof(*sc));
	_cleanup_free_ char *action = NULL;
	json_t *arr;

	CHECK(spec_get_str(o, p, "defaultAction", false, &action, err));
	CHECK(spec_get_arr(o, p, "syscalls", &arr, err));
	if ((!action || !*action) && (!arr || !json_array_size(arr))) {
		/* runc: no default action and no rules = no seccomp */
		free(sc);
		l->seccomp = NULL;
		return 0;
	}
	if (!action)
		return spec_ferr(err, p, "defaultAction", "is required");
	sc->default_action = seccomp_action(action);
	if (sc->default_action < 0)
		return spec_ferr(err, p, "defaultAction", "unknown action \"%s\"", action);
	CHECK(get_errno_ret(o, p, "defaultErrnoRet", &sc->default_errno_ret, &sc->has_default_errno_ret,
			    err));
	CHECK(spec_get_strv(o, p, "architectures", &sc->architectures, err));
	CHECK(spec_get_strv(o, p, "flags", &sc->flags, err));
	for (size_t i = 0; i < sc->flags.n; i++) {
		bool ok = false;
		for (size_t j = 0; j < ARRAY_SIZE(flags); j++)
			ok |= !strcmp(flags[j], sc->flags.v[i]);
		if (!ok)
			return spec_ferr(err, p, "flags", "unknown flag \"%s\"", sc->flags.v[i]);
	}
	CHECK(spec_get_str(o, p, "listenerPath", false, &sc->listener_path, err));
	CHECK(spec_get_str(o, p, "listenerMetadata", false, &sc->listener_metadata, err));
	if (!arr)
		return 0;
	sc->syscalls = xcalloc(json_array_size(arr), sizeof(*sc->syscalls));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath("linux.seccomp.syscalls", i), *act = NULL;
		struct husk_seccomp_rule *rule = &sc->syscalls[i];
		json_t *it, *args;

		CHECK(spec_item_obj(arr, i, "linux.seccomp.syscalls", &it, err));
		sc->n_syscalls++;
		/* a rule without names matches nothing (runc accepts it) */
		CHECK(spec_get_strv(it, ip, "names", &rule->names, err));
		for (size_t j = 0; j < rule->names.n; j++)
			if (!*rule->names.v[j])
				/* runc's message */
				return spec_ferr(err, ip, "names", "element %zu: empty string is not a valid syscall", j);
		CHECK(spec_get_str(it, ip, "action", true, &act, err));
		rule->action = seccomp_action(act);
		if (rule->action < 0)
			return spec_ferr(err, ip, "action", "unknown action \"%s\"", act);
		if (rule->action == HUSK_SCMP_ACT_NOTIFY && !sc->listener_path)
			return spec_ferr(err, ip, "action", "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
		CHECK(get_errno_ret(it, ip, "errnoRet", &rule->errno_ret, &rule->has_errno_ret, err));
		CHECK(spec_get_arr(it, ip, "args", &args, err));
		if (!args)
			continue;
		{
			_cleanup_free_ char *ap = spec_subpath(ip, "args");
			rule->args = xcalloc(json_array_size(args), sizeof(*rule->args));
			for (size_t j = 0; j < json_array_size(args); j++) {
				_cleanup_free_ char *jp = spec_itempath(ap, j), *op = NULL;
				struct husk_seccomp_arg *a = &rule->args[j];
				json_t *ao;

				CHECK(spec_item_obj(args, j, ap, &ao, err));
				rule->n_args++;
				CHECK(SPEC_GET_INT(ao, jp, "index", 0, 5, a->index, NULL, false, err));
				CHECK(spec_get_u64(ao, jp, "value", &a->value, NULL, false, err));
				CHECK(spec_get_u64(ao, jp, "valueTwo", &a->value_two, NULL, false, err));
				CHECK(spec_get_str(ao, jp, "op", true, &op, err));
				for (int k = 1; husk_seccomp_op_names[k]; k++)
					if (!strcmp(husk_seccomp_op_names[k], op))
						a->op = k;
				if (!a->op)
					return spec_ferr(err, jp, "op", "unknown operator \"%s\"", op);
			}
		}
	}
	return 0;
}

static int parse_time_offset(json_t *o, const char *key, struct husk_time_offset *t, bool *has,
			     struct husk_error *err)
{
	_cleanup_free_ char *tp = xasprintf("linux.timeOffsets.%s", key);
	json_t *sub;

	CHECK(spec_get_obj(o, "linux.timeOffsets", key, &sub, err));
	if (!sub)
		return 0;
	*has = true;
	CHECK(SPEC_GET_INT(sub, tp, "secs", LLONG_MIN, LLONG_MAX, t->secs, NULL, false, err));
	CHECK(SPEC_GET_INT(sub, tp, "nanosecs", 0, 999999999, t->nanosecs, NULL, false, err));
	return 0;
}

int spec_parse_linux(json_t *o, struct husk_spec *s, struct husk_error *err)
{
	struct husk_linux *l = &s->linux_;
	_cleanup_free_ char *prop = NULL;
	json_t *sub, *arr;

	s->has_linux = true;
	CHECK(spec_get_arr(o, "linux", "namespaces", &arr, err));
	if (arr)
		CHECK(parse_namespaces(arr, l, err));
	CHECK(spec_parse_idmaps(o, "linux", "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err));
	CHECK(spec_parse_idmaps(o, "linux", "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err));
	CHECK(spec_get_obj(o, "linux", "timeOffsets", &sub, err));
	if (sub) {
		CHECK(parse_time_offset(sub, "monotonic", &l->time_monotonic, &l->has_time_monotonic, err));
		CHECK(parse_time_offset(sub, "boottime", &l->time_boottime, &l->has_time_boottime, err));
	}
	CHECK(spec_get_arr(o, "linux", "devices", &arr, err));
	if (arr)
		CHECK(parse_devices(arr, l, err));
	CHECK(spec_get_str(o, "linux", "cgroupsPath", false, &l->cgroups_path, err));
	CHECK(spec_get_obj(o, "linux", "resources", &sub, err));
	if (sub) {
		l->has_resources = true;
		CHECK(parse_resources(sub, &l->resources, err));
	}
	CHECK(spec_get_kvv(o, "linux", "sysctl", &l->sysctl, err));
	CHECK(spec_get_obj(o, "linux", "seccomp", &sub, err));
	if (sub)
		CHECK(parse_seccomp(sub, l, err));
	CHECK(spec_get_str(o, "linux", "rootfsPropagation", false, &prop, err));
	if (prop && *prop) {
		l->rootfs_propagation = mount_propagation_flag(prop);
		if (!l->rootfs_propagation)
			return spec_ferr(err, "linux", "rootfsPropagation", "unknown propagation \"%s\"", prop);
	}
	CHECK(spec_get_strv(o, "linux", "maskedPaths", &l->masked_paths, err));
	CHECK(spec_get_strv(o, "linux", "readonlyPaths", &l->readonly_paths, err));
	CHECK(spec_get_str(o, "linux", "mountLabel", false, &l->mount_label, err));
	CHECK(spec_get_obj(o, "linux", "personality", &sub, err));
	if (sub) {
		l->has_personality = true;
		CHECK(spec_get_str(sub, "linux.personality", "domain", true, &l->personality.domain, err));
		if (strcmp(l->personality.domain, "LINUX") && strcmp(l->personality.domain, "LINUX32"))
			return spec_ferr(err, "linux.personality", "domain", "must be LINUX or LINUX32, got \"%s\"",
				    l->personality.domain);
		CHECK(spec_get_strv(sub, "linux.personality", "flags", &l->personality.flags, err));
	}
	CHECK(spec_get_obj(o, "linux", "intelRdt", &sub, err));
	if (sub) {
		const char *ip = "linux.intelRdt";
		l->has_intel_rdt = true;
		CHECK(spec_get_str(sub, ip, "closID", false, &l->intel_rdt.clos_id, err));
		CHECK(spec_get_str(sub, ip, "l3CacheSchema", false, &l->intel_rdt.l3_cache_schema, err));
		CHECK(spec_get_str(sub, ip, "memBwSchema", false, &l->intel_rdt.mem_bw_schema, err));
		CHECK(spec_get_bool(sub, ip, "enableCMT", &l->intel_rdt.enable_cmt, NULL, err));
		CHECK(spec_get_bool(sub, ip, "enableMBM", &l->intel_rdt.enable_mbm, NULL, err));
		if (l->intel_rdt.clos_id && (!strcmp(l->intel_rdt.clos_id, ".") ||
					     !strcmp(l->intel_rdt.clos_id, "..") || strchr(l->intel_rdt.clos_id, '/')))
			return spec_ferr(err, ip, "closID", "invalid name \"%s\"", l->intel_rdt.clos_id);
		/* runc refuses schemas on a host without RDT; husk has no resctrl support at all */
		if ((l->intel_rdt.l3_cache_schema && *l->intel_rdt.l3_cache_schema) ||
		    (l->intel_rdt.mem_bw_schema && *l->intel_rdt.mem_bw_schema))
			return spec_ferr(err, ip, NULL, "Intel RDT schemas are not supported by husk");
	}
	return 0;
}

/* Cross-field rules, checked once everything is parsed. */
