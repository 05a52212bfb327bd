/* config.json "process" → struct husk_process: user, capabilities, rlimits,
 * I/O priority, scheduler. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "husk/spec.h"
#include "internal.h"
#include "mountopt.h"
#include "spec-json.h"
#include "util.h"

static int parse_user(json_t *o, const char *path, struct husk_user *u, struct husk_error *err)
{
	json_t *gids, *g;
	size_t i;

	/* uint32 in the spec, but runc refuses ids above INT32_MAX ("uids and gids
	 * must be in range 0-2147483647"): 2^32-1 is (uid_t)-1, "no change" */
	CHECK(SPEC_GET_INT(o, path, "uid", 0, INT32_MAX, u->uid, NULL, false, err));
	CHECK(SPEC_GET_INT(o, path, "gid", 0, INT32_MAX, u->gid, NULL, false, err));
	/* any uint32, as runc: umask(2) itself keeps the permission bits */
	CHECK(SPEC_GET_INT(o, path, "umask", 0, UINT32_MAX, u->umask, &u->has_umask, false, err));
	CHECK(spec_get_str(o, path, "username", false, &u->username, err));
	CHECK(spec_get_arr(o, path, "additionalGids", &gids, err));
	if (!gids)
		return 0;
	u->additional_gids = xcalloc(json_array_size(gids), sizeof(uint32_t));
	json_array_foreach(gids, i, g) {
		uint32_t gid;
		bool seen = false;

		/* null is Go's zero value, 0 */
		if (!json_is_null(g) && !json_is_integer(g))
			return spec_ferr(err, path, "additionalGids", "element %zu must be a gid", i);
		if (json_integer_value(g) < 0 || json_integer_value(g) > INT32_MAX)
			return spec_ferr(err, path, "additionalGids",
					 "element %zu: %lld is out of range [0, 2147483647]", i,
					 (long long)json_integer_value(g));
		gid = (uint32_t)json_integer_value(g);
		/* runc passes each group once */
		for (size_t j = 0; j < u->n_additional_gids; j++)
			seen = seen || u->additional_gids[j] == gid;
		if (!seen)
			u->additional_gids[u->n_additional_gids++] = gid;
	}
	return 0;
}

/* An unknown capability name is dropped with a warning (runtime-spec 1.1+:
 * "MUST be logged as a warning"; runc and crun warn and go on). */
static int parse_caps(json_t *o, const char *path, struct husk_process *p, struct husk_strv *warnings,
		      struct husk_error *err)
{
	static const char *const sets[HUSK_CAP_NSETS] = {"bounding", "effective", "inheritable",
							  "permitted", "ambient"};

	p->has_capabilities = true;
	for (int s = 0; s < HUSK_CAP_NSETS; s++) {
		struct husk_strv *v = &p->caps[s];
		size_t kept = 0;

		CHECK(spec_get_strv(o, path, sets[s], v, err));
		for (size_t i = 0; i < v->n; i++) {
			if (husk_capability_from_name(v->v[i]) >= 0) {
				v->v[kept++] = v->v[i];
				continue;
			}
			spec_warning(warnings, "%s%s%s: ignoring unknown capability %s", path,
				     *path ? "." : "", sets[s], v->v[i]);
			free(v->v[i]);
		}
		if (v->v)
			v->v[kept] = NULL;
		v->n = kept;
	}
	return 0;
}

static int parse_rlimits(json_t *arr, const char *path, struct husk_process *p, struct husk_error *err)
{
	size_t n = json_array_size(arr);

	p->rlimits = xcalloc(n, sizeof(*p->rlimits));
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *ip = spec_itempath(path, i), *type = NULL;
		struct husk_rlimit *r = &p->rlimits[i];
		json_t *o;

		CHECK(spec_item_obj(arr, i, path, &o, err));
		CHECK(spec_get_str(o, ip, "type", true, &type, err));
		r->resource = husk_rlimit_from_name(type);
		if (r->resource < 0)
			return spec_ferr(err, ip, "type", "unknown rlimit \"%s\"", type);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == r->resource)
				return spec_ferr(err, ip, "type", "duplicate rlimit \"%s\"", type);
		CHECK(spec_get_u64(o, ip, "soft", &r->soft, NULL, true, err));
		CHECK(spec_get_u64(o, ip, "hard", &r->hard, NULL, true, err));
		if (r->soft > r->hard)
			return spec_ferr(err, ip, "soft", "is greater than hard (%llu > %llu)",
				    (unsigned long long)r->soft, (unsigned long long)r->hard);
		p->n_rlimits++;
	}
	return 0;
}

static int parse_io_priority(json_t *o, const char *path, struct husk_io_priority *io,
			     struct husk_error *err)
{
	static const char *const classes[] = {"", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					      "IOPRIO_CLASS_IDLE"};
	_cleanup_free_ char *klass = NULL;

	CHECK(spec_get_str(o, path, "class", true, &klass, err));
	for (int i = 1; i < 4; i++)
		if (!strcmp(classes[i], klass))
			io->klass = i;
	if (!io->klass)
		return spec_ferr(err, path, "class", "unknown class \"%s\"", klass);
	CHECK(SPEC_GET_INT(o, path, "priority", 0, 7, io->priority, NULL, false, err));
	return 0;
}

static int parse_scheduler(json_t *o, const char *path, struct husk_scheduler *s,
			   struct husk_error *err)
{
	static const struct { const char *name; int policy; } policies[] = {
		{"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
		{"SCHED_BATCH", SCHED_BATCH}, {"SCHED_ISO", 4},	  {"SCHED_IDLE", SCHED_IDLE},
		{"SCHED_DEADLINE", 6},
	};
	static const struct { const char *name; uint32_t flag; } flags[] = {
		{"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},
		{"SCHED_FLAG_DL_OVERRUN", 0x04},    {"SCHED_FLAG_KEEP_POLICY", 0x08},
		{"SCHED_FLAG_KEEP_PARAMS", 0x10},   {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
		{"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
	};
	_cleanup_free_ char *policy = NULL;
	struct husk_strv fl = {0};
	int r = 0;

	CHECK(spec_get_str(o, path, "policy", true, &policy, err));
	s->policy = -1;
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policies[i].name, policy))
			s->policy = policies[i].policy;
	if (s->policy < 0)
		return spec_ferr(err, path, "policy", "unknown policy \"%s\"", policy);
	CHECK(SPEC_GET_INT(o, path, "nice", -20, 19, s->nice, NULL, false, err));
	CHECK(SPEC_GET_INT(o, path, "priority", 0, 99, s->priority, NULL, false, err));
	CHECK(SPEC_GET_INT(o, path, "runtime", 0, LLONG_MAX, s->runtime, NULL, false, err));
	CHECK(SPEC_GET_INT(o, path, "deadline", 0, LLONG_MAX, s->deadline, NULL, false, err));
	CHECK(SPEC_GET_INT(o, path, "period", 0, LLONG_MAX, s->period, NULL, false, err));
	r = spec_get_strv(o, path, "flags", &fl, err);
	for (size_t i = 0; r == 0 && i < fl.n; i++) {
		bool found = false;
		for (size_t j = 0; j < ARRAY_SIZE(flags); j++)
			if (!strcmp(flags[j].name, fl.v[i])) {
				s->flags |= flags[j].flag;
				found = true;
			}
		if (!found)
			r = spec_ferr(err, path, "flags", "unknown flag \"%s\"", fl.v[i]);
	}
	for (size_t i = 0; i < fl.n; i++)
		free(fl.v[i]);
	free(fl.v);
		return r;
}

int spec_parse_process(json_t *o, const char *path, struct husk_process *p, struct husk_strv *warnings,
		       struct husk_error *err)
{
	json_t *sub, *arr;

	CHECK(spec_get_bool(o, path, "terminal", &p->terminal, NULL, err));
	CHECK(spec_get_obj(o, path, "consoleSize", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "consoleSize");
		/* runc: Go uints, absent = 0, cut to the 16 bits of struct winsize */
		uint64_t h = 0, w = 0;

		p->has_console_size = true;
		CHECK(spec_get_u64(sub, sp, "height", &h, NULL, false, err));
		CHECK(spec_get_u64(sub, sp, "width", &w, NULL, false, err));
		p->console_height = (uint32_t)(h & 0xffff);
		p->console_width = (uint32_t)(w & 0xffff);
	}
	CHECK(spec_get_obj(o, path, "user", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "user");
		CHECK(parse_user(sub, sp, &p->user, err));
	}
	CHECK(spec_get_str(o, path, "commandLine", false, &p->command_line, err));
	{
		json_t *a = spec_member(o, "args"), *item;
		bool good = json_is_array(a) && json_array_size(a) > 0;
		size_t i;

		json_array_foreach(a, i, item)
			good = good && (json_is_string(item) || json_is_null(item));
		if (!good)
			return spec_ferr(err, path, "args", "must be a non-empty array of strings");
		/* fails only on a NUL, with its own message */
		CHECK(spec_get_strv(o, path, "args", &p->args, err));
		if (!p->args.v[0][0])
			return spec_ferr(err, path, "args", "must be a non-empty array of strings");
	}
	CHECK(spec_get_strv(o, path, "env", &p->env, err));
	for (size_t i = 0; i < p->env.n; i++)
		if (!strchr(p->env.v[i], '=') || p->env.v[i][0] == '=')
			return spec_ferr(err, path, "env", "element %zu \"%s\" is not KEY=VALUE", i,
				    p->env.v[i]);
	CHECK(spec_get_str(o, path, "cwd", true, &p->cwd, err));
	if (p->cwd[0] != '/')
		return spec_ferr(err, path, "cwd", "must be an absolute path, got \"%s\"", p->cwd);
	CHECK(spec_get_obj(o, path, "capabilities", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "capabilities");
		CHECK(parse_caps(sub, sp, p, warnings, err));
	}
	CHECK(spec_get_arr(o, path, "rlimits", &arr, err));
	if (arr) {
		_cleanup_free_ char *sp = spec_subpath(path, "rlimits");
		CHECK(parse_rlimits(arr, sp, p, err));
	}
	CHECK(spec_get_bool(o, path, "noNewPrivileges", &p->no_new_privileges, NULL, err));
	CHECK(spec_get_str(o, path, "apparmorProfile", false, &p->apparmor_profile, err));
	CHECK(SPEC_GET_INT(o, path, "oomScoreAdj", -1000, 1000, p->oom_score_adj, &p->has_oom_score_adj,
		      false, err));
	CHECK(spec_get_str(o, path, "selinuxLabel", false, &p->selinux_label, err));
	CHECK(spec_get_obj(o, path, "ioPriority", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "ioPriority");
		CHECK(parse_io_priority(sub, sp, &p->io_priority, err));
		p->has_io_priority = true;
	}
	CHECK(spec_get_obj(o, path, "scheduler", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "scheduler");
		CHECK(parse_scheduler(sub, sp, &p->scheduler, err));
		p->has_scheduler = true;
	}
	CHECK(spec_get_obj(o, path, "execCPUAffinity", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = spec_subpath(path, "execCPUAffinity");
		CHECK(spec_get_str(sub, sp, "initial", false, &p->exec_cpu_affinity_initial, err));
		CHECK(spec_get_str(sub, sp, "final", false, &p->exec_cpu_affinity_final, err));
	}
	return 0;
}

