/* config.json → struct husk_spec. Every error names the field it is about,
 * e.g. "config.json: process.args: must be a non-empty array of strings". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "husk/spec.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sched.h>

#include "mountopt.h"
#include "util.h"
#include "internal.h"

/* ---- field helpers: each takes the JSON path of the parent object ---- */

static int ferr(struct husk_error *err, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int ferr(struct husk_error *err, const char *path, const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path && key)
		return husk_error_set(err, -EINVAL, "%s.%s: %s", path, key, msg);
	return husk_error_set(err, -EINVAL, "%s: %s", path && *path ? path : key, msg);
}

/* Returns the member, or NULL when absent or null. */
static json_t *member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_null(v) ? NULL : v;
}

static int get_str(json_t *o, const char *path, const char *key, bool required, char **out,
		   struct husk_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return required ? ferr(err, path, key, "is required") : 0;
	if (!json_is_string(v))
		return ferr(err, path, key, "must be a string");
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_bool(json_t *o, const char *path, const char *key, bool *out, bool *has,
		    struct husk_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return ferr(err, path, key, "must be a boolean");
	*out = json_is_true(v);
	if (has)
		*has = true;
	return 0;
}

static int get_int(json_t *o, const char *path, const char *key, long long min, long long max,
		   long long *out, bool *has, bool required, struct husk_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return required ? ferr(err, path, key, "is required") : 0;
	if (!json_is_integer(v))
		return ferr(err, path, key, "must be an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return ferr(err, path, key, "%lld is out of range [%lld, %lld]",
			    (long long)json_integer_value(v), min, max);
	*out = json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

/* Integers above INT64_MAX (uint64 fields such as rlimits and seccomp values)
 * do not fit jansson's json_int_t: load_json turns them into this marker. */
#define U64_MARK "husk-u64:"

static int get_u64(json_t *o, const char *path, const char *key, uint64_t *out, bool required,
		   struct husk_error *err)
{
	json_t *v = member(o, key);
	const char *t;
	char *end;

	if (!v)
		return required ? ferr(err, path, key, "is required") : 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return ferr(err, path, key, "%lld is out of range [0, %llu]",
				    (long long)json_integer_value(v), (unsigned long long)UINT64_MAX);
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	t = json_string_value(v);
	if (!t || strncmp(t, U64_MARK, strlen(U64_MARK)))
		return ferr(err, path, key, "must be an integer");
	errno = 0;
	*out = strtoull(t + strlen(U64_MARK), &end, 10);
	if (errno || *end || *out <= INT64_MAX)
		return ferr(err, path, key, "%s is out of range [0, %llu]", t + strlen(U64_MARK),
			    (unsigned long long)UINT64_MAX);
	return 0;
}

#define GET_INT(o, path, key, min, max, dst, has, req, err)                                  \
	({                                                                                   \
		long long _v = 0;                                                            \
		bool _h = false;                                                             \
		int _r = get_int(o, path, key, min, max, &_v, &_h, req, err);                \
		if (_r == 0 && _h) {                                                         \
			(dst) = (__typeof__(dst))_v;                                         \
			bool *_hp = (has);                                                   \
			if (_hp)                                                             \
				*_hp = true;                                                 \
		}                                                                            \
		_r;                                                                          \
	})

static int get_strv(json_t *o, const char *path, const char *key, struct husk_strv *out,
		    struct husk_error *err)
{
	json_t *v = member(o, key), *item;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return ferr(err, path, key, "must be an array of strings");
	out->v = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return ferr(err, path, key, "element %zu must be a string", i);
		out->v[out->n++] = xstrdup(json_string_value(item));
	}
	return 0;
}

static int get_kvv(json_t *o, const char *path, const char *key, struct husk_kvv *out,
		   struct husk_error *err)
{
	json_t *v = member(o, key), *val;
	const char *k;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return ferr(err, path, key, "must be an object of strings");
	out->v = xcalloc(json_object_size(v), sizeof(*out->v));
	json_object_foreach(v, k, val) {
		if (!json_is_string(val))
			return ferr(err, path, key, "value of \"%s\" must be a string", k);
		out->v[out->n].key = xstrdup(k);
		out->v[out->n].value = xstrdup(json_string_value(val));
		out->n++;
	}
	return 0;
}

/* Object member that must be an object when present. */
static int get_obj(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err)
{
	json_t *v = member(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return ferr(err, path, key, "must be an object");
	*out = v;
	return 0;
}

static int get_arr(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err)
{
	json_t *v = member(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return ferr(err, path, key, "must be an array");
	*out = v;
	return 0;
}

static int item_obj(json_t *arr, size_t i, const char *path, json_t **out, struct husk_error *err)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return husk_error_set(err, -EINVAL, "%s[%zu]: must be an object", path, i);
	return 0;
}

#define CHECK(x)                                                                             \
	do {                                                                                 \
		int check_r_ = (x);                                                          \
		if (check_r_ < 0)                                                            \
			return check_r_;                                                     \
	} while (0)

static char *subpath(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

static char *itempath(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

/* ---- process ---- */

static int parse_user(json_t *o, const char *path, struct husk_user *u, struct husk_error *err)
{
	json_t *gids, *g;
	size_t i;

	CHECK(GET_INT(o, path, "uid", 0, UINT32_MAX, u->uid, NULL, false, err));
	CHECK(GET_INT(o, path, "gid", 0, UINT32_MAX, u->gid, NULL, false, err));
	CHECK(GET_INT(o, path, "umask", 0, 07777, u->umask, &u->has_umask, false, err));
	CHECK(get_str(o, path, "username", false, &u->username, err));
	CHECK(get_arr(o, path, "additionalGids", &gids, err));
	if (!gids)
		return 0;
	u->additional_gids = xcalloc(json_array_size(gids), sizeof(uint32_t));
	json_array_foreach(gids, i, g) {
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX)
			return ferr(err, path, "additionalGids", "element %zu must be a gid", i);
		u->additional_gids[u->n_additional_gids++] = (uint32_t)json_integer_value(g);
	}
	return 0;
}

static int parse_caps(json_t *o, const char *path, struct husk_process *p, struct husk_error *err)
{
	static const char *const sets[HUSK_CAP_NSETS] = {"bounding", "effective", "inheritable",
							  "permitted", "ambient"};

	p->has_capabilities = true;
	for (int s = 0; s < HUSK_CAP_NSETS; s++) {
		CHECK(get_strv(o, path, sets[s], &p->caps[s], err));
		for (size_t i = 0; i < p->caps[s].n; i++)
			if (husk_capability_from_name(p->caps[s].v[i]) < 0)
				return ferr(err, path, sets[s], "unknown capability \"%s\"",
					    p->caps[s].v[i]);
	}
	return 0;
}

static int parse_rlimits(json_t *arr, const char *path, struct husk_process *p, struct husk_error *err)
{
	size_t n = json_array_size(arr);

	p->rlimits = xcalloc(n, sizeof(*p->rlimits));
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *ip = itempath(path, i), *type = NULL;
		struct husk_rlimit *r = &p->rlimits[i];
		json_t *o;

		CHECK(item_obj(arr, i, path, &o, err));
		CHECK(get_str(o, ip, "type", true, &type, err));
		r->resource = husk_rlimit_from_name(type);
		if (r->resource < 0)
			return ferr(err, ip, "type", "unknown rlimit \"%s\"", type);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == r->resource)
				return ferr(err, ip, "type", "duplicate rlimit \"%s\"", type);
		CHECK(get_u64(o, ip, "soft", &r->soft, true, err));
		CHECK(get_u64(o, ip, "hard", &r->hard, true, err));
		if (r->soft > r->hard)
			return ferr(err, ip, "soft", "is greater than hard (%llu > %llu)",
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

	CHECK(get_str(o, path, "class", true, &klass, err));
	for (int i = 1; i < 4; i++)
		if (!strcmp(classes[i], klass))
			io->klass = i;
	if (!io->klass)
		return ferr(err, path, "class", "unknown class \"%s\"", klass);
	CHECK(GET_INT(o, path, "priority", 0, 7, io->priority, NULL, false, err));
	io->set = true;
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

	CHECK(get_str(o, path, "policy", true, &policy, err));
	s->policy = -1;
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policies[i].name, policy))
			s->policy = policies[i].policy;
	if (s->policy < 0)
		return ferr(err, path, "policy", "unknown policy \"%s\"", policy);
	CHECK(GET_INT(o, path, "nice", -20, 19, s->nice, NULL, false, err));
	CHECK(GET_INT(o, path, "priority", 0, 99, s->priority, NULL, false, err));
	CHECK(GET_INT(o, path, "runtime", 0, LLONG_MAX, s->runtime, NULL, false, err));
	CHECK(GET_INT(o, path, "deadline", 0, LLONG_MAX, s->deadline, NULL, false, err));
	CHECK(GET_INT(o, path, "period", 0, LLONG_MAX, s->period, NULL, false, err));
	r = get_strv(o, path, "flags", &fl, err);
	for (size_t i = 0; r == 0 && i < fl.n; i++) {
		bool found = false;
		for (size_t j = 0; j < ARRAY_SIZE(flags); j++)
			if (!strcmp(flags[j].name, fl.v[i])) {
				s->flags |= flags[j].flag;
				found = true;
			}
		if (!found)
			r = ferr(err, path, "flags", "unknown flag \"%s\"", fl.v[i]);
	}
	for (size_t i = 0; i < fl.n; i++)
		free(fl.v[i]);
	free(fl.v);
	s->set = r == 0;
	return r;
}

static int parse_process_obj(json_t *o, const char *path, struct husk_process *p,
			     struct husk_error *err)
{
	json_t *sub, *arr;

	CHECK(get_bool(o, path, "terminal", &p->terminal, NULL, err));
	CHECK(get_obj(o, path, "consoleSize", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "consoleSize");
		p->has_console_size = true;
		CHECK(GET_INT(sub, sp, "height", 0, UINT16_MAX, p->console_height, NULL, true, err));
		CHECK(GET_INT(sub, sp, "width", 0, UINT16_MAX, p->console_width, NULL, true, err));
	}
	CHECK(get_obj(o, path, "user", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "user");
		CHECK(parse_user(sub, sp, &p->user, err));
	}
	CHECK(get_str(o, path, "commandLine", false, &p->command_line, err));
	if (get_strv(o, path, "args", &p->args, err) < 0 || p->args.n == 0 || !p->args.v[0][0])
		return ferr(err, path, "args", "must be a non-empty array of strings");
	CHECK(get_strv(o, path, "env", &p->env, err));
	for (size_t i = 0; i < p->env.n; i++)
		if (!strchr(p->env.v[i], '=') || p->env.v[i][0] == '=')
			return ferr(err, path, "env", "element %zu \"%s\" is not KEY=VALUE", i,
				    p->env.v[i]);
	CHECK(get_str(o, path, "cwd", true, &p->cwd, err));
	if (p->cwd[0] != '/')
		return ferr(err, path, "cwd", "must be an absolute path, got \"%s\"", p->cwd);
	CHECK(get_obj(o, path, "capabilities", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "capabilities");
		CHECK(parse_caps(sub, sp, p, err));
	}
	CHECK(get_arr(o, path, "rlimits", &arr, err));
	if (arr) {
		_cleanup_free_ char *sp = subpath(path, "rlimits");
		CHECK(parse_rlimits(arr, sp, p, err));
	}
	CHECK(get_bool(o, path, "noNewPrivileges", &p->no_new_privileges, NULL, err));
	CHECK(get_str(o, path, "apparmorProfile", false, &p->apparmor_profile, err));
	CHECK(GET_INT(o, path, "oomScoreAdj", -1000, 1000, p->oom_score_adj, &p->has_oom_score_adj,
		      false, err));
	CHECK(get_str(o, path, "selinuxLabel", false, &p->selinux_label, err));
	CHECK(get_obj(o, path, "ioPriority", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "ioPriority");
		CHECK(parse_io_priority(sub, sp, &p->io_priority, err));
	}
	CHECK(get_obj(o, path, "scheduler", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "scheduler");
		CHECK(parse_scheduler(sub, sp, &p->scheduler, err));
	}
	CHECK(get_obj(o, path, "execCPUAffinity", &sub, err));
	if (sub) {
		_cleanup_free_ char *sp = subpath(path, "execCPUAffinity");
		CHECK(get_str(sub, sp, "initial", false, &p->exec_cpu_affinity_initial, err));
		CHECK(get_str(sub, sp, "final", false, &p->exec_cpu_affinity_final, err));
	}
	return 0;
}

/* ---- mounts, hooks ---- */

static int parse_idmaps(json_t *o, const char *path, const char *key, struct husk_idmap **out,
			size_t *n, struct husk_error *err)
{
	_cleanup_free_ char *sp = subpath(path, key);
	json_t *arr;

	CHECK(get_arr(o, path, key, &arr, err));
	if (!arr)
		return 0;
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath(sp, i);
		struct husk_idmap *m = &(*out)[i];
		json_t *item;

		CHECK(item_obj(arr, i, sp, &item, err));
		CHECK(GET_INT(item, ip, "containerID", 0, UINT32_MAX, m->container_id, NULL, true, err));
		CHECK(GET_INT(item, ip, "hostID", 0, UINT32_MAX, m->host_id, NULL, true, err));
		CHECK(GET_INT(item, ip, "size", 1, UINT32_MAX, m->size, NULL, true, err));
		(*n)++;
	}
	return 0;
}

static int parse_mounts(json_t *arr, struct husk_spec *s, struct husk_error *err)
{
	s->mounts = xcalloc(json_array_size(arr), sizeof(*s->mounts));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath("mounts", i);
		struct husk_mount *m = &s->mounts[i];
		struct mount_opts mo;
		json_t *o;

		CHECK(item_obj(arr, i, "mounts", &o, err));
		s->n_mounts++;
		CHECK(get_str(o, ip, "destination", true, &m->destination, err));
		if (m->destination[0] != '/')
			return ferr(err, ip, "destination", "must be an absolute path, got \"%s\"",
				    m->destination);
		CHECK(get_str(o, ip, "type", false, &m->type, err));
		CHECK(get_str(o, ip, "source", false, &m->source, err));
		CHECK(get_strv(o, ip, "options", &m->options, err));
		CHECK(parse_idmaps(o, ip, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err));
		CHECK(parse_idmaps(o, ip, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err));
		mount_opts_parse(&m->options, &mo);
		mount_opts_free(&mo);
		if (!mo.bind && (!m->type || !*m->type))
			return ferr(err, ip, "type", "is required for a mount that is not a bind mount");
		if (mo.bind && (!m->source || !*m->source))
			return ferr(err, ip, "source", "is required for a bind mount");
	}
	return 0;
}

static int parse_hooks(json_t *hooks, struct husk_spec *s, struct husk_error *err)
{
	for (int k = 0; k < HUSK_HOOK_NKINDS; k++) {
		_cleanup_free_ char *kp = xasprintf("hooks.%s", husk_hook_names[k]);
		json_t *arr;

		CHECK(get_arr(hooks, "hooks", husk_hook_names[k], &arr, err));
		if (!arr)
			continue;
		s->hooks[k] = xcalloc(json_array_size(arr), sizeof(struct husk_hook));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = itempath(kp, i);
			struct husk_hook *h = &s->hooks[k][i];
			json_t *o;

			CHECK(item_obj(arr, i, kp, &o, err));
			s->n_hooks[k]++;
			CHECK(get_str(o, ip, "path", true, &h->path, err));
			if (h->path[0] != '/')
				return ferr(err, ip, "path", "must be an absolute path, got \"%s\"",
					    h->path);
			CHECK(get_strv(o, ip, "args", &h->args, err));
			CHECK(get_strv(o, ip, "env", &h->env, err));
			CHECK(GET_INT(o, ip, "timeout", 1, INT_MAX, h->timeout, &h->has_timeout, false,
				      err));
		}
	}
	return 0;
}

/* ---- linux ---- */

static int parse_namespaces(json_t *arr, struct husk_linux *l, struct husk_error *err)
{
	l->namespaces = xcalloc(json_array_size(arr), sizeof(*l->namespaces));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath("linux.namespaces", i), *type = NULL;
		struct husk_namespace *ns = &l->namespaces[i];
		json_t *o;

		CHECK(item_obj(arr, i, "linux.namespaces", &o, err));
		l->n_namespaces++;
		CHECK(get_str(o, ip, "type", true, &type, err));
		ns->type = husk_namespace_type(type);
		if (ns->type < 0)
			return ferr(err, ip, "type", "unknown namespace type \"%s\"", type);
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type)
				return ferr(err, ip, "type", "duplicate namespace \"%s\"", type);
		CHECK(get_str(o, ip, "path", false, &ns->path, err));
		if (ns->path && ns->path[0] != '/')
			return ferr(err, ip, "path", "must be an absolute path, got \"%s\"", ns->path);
	}
	return 0;
}

static int parse_devices(json_t *arr, struct husk_linux *l, struct husk_error *err)
{
	l->devices = xcalloc(json_array_size(arr), sizeof(*l->devices));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath("linux.devices", i), *type = NULL;
		struct husk_device *d = &l->devices[i];
		json_t *o;

		CHECK(item_obj(arr, i, "linux.devices", &o, err));
		l->n_devices++;
		CHECK(get_str(o, ip, "type", true, &type, err));
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return ferr(err, ip, "type", "must be one of c, b, u, p; got \"%s\"", type);
		d->type = type[0];
		CHECK(get_str(o, ip, "path", true, &d->path, err));
		if (d->path[0] != '/')
			return ferr(err, ip, "path", "must be an absolute path, got \"%s\"", d->path);
		CHECK(GET_INT(o, ip, "major", 0, UINT32_MAX, d->major, NULL, d->type != 'p', err));
		CHECK(GET_INT(o, ip, "minor", 0, UINT32_MAX, d->minor, NULL, d->type != 'p', err));
		CHECK(GET_INT(o, ip, "fileMode", 0, 07777, d->file_mode, &d->has_file_mode, false, err));
		CHECK(GET_INT(o, ip, "uid", 0, UINT32_MAX, d->uid, &d->has_uid, false, err));
		CHECK(GET_INT(o, ip, "gid", 0, UINT32_MAX, d->gid, &d->has_gid, false, err));
	}
	return 0;
}

static int parse_device_rules(json_t *arr, const char *path, struct husk_resources *r,
			      struct husk_error *err)
{
	r->devices = xcalloc(json_array_size(arr), sizeof(*r->devices));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath(path, i), *type = NULL, *access = NULL;
		struct husk_device_rule *d = &r->devices[i];
		bool has_allow = false;
		json_t *o;

		CHECK(item_obj(arr, i, path, &o, err));
		r->n_devices++;
		CHECK(get_bool(o, ip, "allow", &d->allow, &has_allow, err));
		if (!has_allow)
			return ferr(err, ip, "allow", "is required");
		CHECK(get_str(o, ip, "type", false, &type, err));
		d->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return ferr(err, ip, "type", "must be one of a, c, b; got \"%s\"", type);
		d->major = d->minor = -1;
		CHECK(GET_INT(o, ip, "major", -1, UINT32_MAX, d->major, NULL, false, err));
		CHECK(GET_INT(o, ip, "minor", -1, UINT32_MAX, d->minor, NULL, false, err));
		CHECK(get_str(o, ip, "access", false, &access, err));
		if (!access)
			access = xstrdup("rwm");
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return ferr(err, ip, "access", "must be a combination of r, w, m; got \"%s\"",
				    access);
		snprintf(d->access, sizeof(d->access), "%s", access);
	}
	return 0;
}

static int parse_memory(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	r->memory.present = true;
	CHECK(GET_INT(o, p, "limit", -1, LLONG_MAX, r->memory.limit, &r->memory.has_limit, false, err));
	CHECK(GET_INT(o, p, "reservation", -1, LLONG_MAX, r->memory.reservation,
		      &r->memory.has_reservation, false, err));
	CHECK(GET_INT(o, p, "swap", -1, LLONG_MAX, r->memory.swap, &r->memory.has_swap, false, err));
	CHECK(GET_INT(o, p, "kernel", -1, LLONG_MAX, r->memory.kernel, &r->memory.has_kernel, false,
		      err));
	CHECK(GET_INT(o, p, "kernelTCP", -1, LLONG_MAX, r->memory.kernel_tcp,
		      &r->memory.has_kernel_tcp, false, err));
	CHECK(GET_INT(o, p, "swappiness", 0, 100, r->memory.swappiness, &r->memory.has_swappiness,
		      false, err));
	CHECK(get_bool(o, p, "disableOOMKiller", &r->memory.disable_oom_killer,
		       &r->memory.has_disable_oom_killer, err));
	CHECK(get_bool(o, p, "useHierarchy", &r->memory.use_hierarchy, &r->memory.has_use_hierarchy,
		       err));
	CHECK(get_bool(o, p, "checkBeforeUpdate", &r->memory.check_before_update,
		       &r->memory.has_check_before_update, err));
	if (r->memory.has_limit && r->memory.has_swap && r->memory.limit > 0 && r->memory.swap > 0 &&
	    r->memory.swap < r->memory.limit)
		return ferr(err, p, "swap", "(%lld) must not be less than limit (%lld): swap counts memory plus swap",
			    (long long)r->memory.swap, (long long)r->memory.limit);
	return 0;
}

static int parse_cpu(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	r->cpu.present = true;
	CHECK(GET_INT(o, p, "shares", 0, LLONG_MAX, r->cpu.shares, &r->cpu.has_shares, false, err));
	CHECK(GET_INT(o, p, "quota", -1, LLONG_MAX, r->cpu.quota, &r->cpu.has_quota, false, err));
	CHECK(GET_INT(o, p, "burst", 0, LLONG_MAX, r->cpu.burst, &r->cpu.has_burst, false, err));
	CHECK(GET_INT(o, p, "period", 0, LLONG_MAX, r->cpu.period, &r->cpu.has_period, false, err));
	CHECK(GET_INT(o, p, "realtimeRuntime", -1, LLONG_MAX, r->cpu.rt_runtime, &r->cpu.has_rt_runtime,
		      false, err));
	CHECK(GET_INT(o, p, "realtimePeriod", 0, LLONG_MAX, r->cpu.rt_period, &r->cpu.has_rt_period,
		      false, err));
	CHECK(GET_INT(o, p, "idle", 0, 1, r->cpu.idle, &r->cpu.has_idle, false, err));
	CHECK(get_str(o, p, "cpus", false, &r->cpu.cpus, err));
	CHECK(get_str(o, p, "mems", false, &r->cpu.mems, err));
	return 0;
}

static int parse_major_minor(json_t *o, const char *ip, int64_t *major, int64_t *minor,
			     struct husk_error *err)
{
	CHECK(GET_INT(o, ip, "major", 0, UINT32_MAX, *major, NULL, true, err));
	CHECK(GET_INT(o, ip, "minor", 0, UINT32_MAX, *minor, NULL, true, err));
	return 0;
}

static int parse_block_io(json_t *o, const char *p, struct husk_resources *r, struct husk_error *err)
{
	static const char *const throttles[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
						 "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	_cleanup_free_ char *wp = subpath(p, "weightDevice");
	json_t *arr;

	r->block_io.present = true;
	CHECK(GET_INT(o, p, "weight", 10, 1000, r->block_io.weight, &r->block_io.has_weight, false, err));
	CHECK(GET_INT(o, p, "leafWeight", 10, 1000, r->block_io.leaf_weight,
		      &r->block_io.has_leaf_weight, false, err));
	CHECK(get_arr(o, p, "weightDevice", &arr, err));
	if (arr) {
		r->block_io.weight_devices = xcalloc(json_array_size(arr), sizeof(struct husk_weight_device));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = itempath(wp, i);
			struct husk_weight_device *w = &r->block_io.weight_devices[i];
			json_t *it;

			CHECK(item_obj(arr, i, wp, &it, err));
			r->block_io.n_weight_devices++;
			CHECK(parse_major_minor(it, ip, &w->major, &w->minor, err));
			CHECK(GET_INT(it, ip, "weight", 10, 1000, w->weight, &w->has_weight, false, err));
			CHECK(GET_INT(it, ip, "leafWeight", 10, 1000, w->leaf_weight, &w->has_leaf_weight,
				      false, err));
		}
	}
	for (int t = 0; t < 4; t++) {
		_cleanup_free_ char *tp = subpath(p, throttles[t]);
		CHECK(get_arr(o, p, throttles[t], &arr, err));
		if (!arr)
			continue;
		r->block_io.throttle[t] = xcalloc(json_array_size(arr), sizeof(struct husk_throttle_device));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = itempath(tp, i);
			struct husk_throttle_device *d = &r->block_io.throttle[t][i];
			json_t *it;

			CHECK(item_obj(arr, i, tp, &it, err));
			r->block_io.n_throttle[t]++;
			CHECK(parse_major_minor(it, ip, &d->major, &d->minor, err));
			CHECK(GET_INT(it, ip, "rate", 0, LLONG_MAX, d->rate, NULL, true, err));
		}
	}
	return 0;
}

static int parse_resources(json_t *o, struct husk_resources *r, struct husk_error *err)
{
	const char *p = "linux.resources";
	json_t *sub, *arr, *val;
	const char *key;

	CHECK(get_arr(o, p, "devices", &arr, err));
	if (arr)
		CHECK(parse_device_rules(arr, "linux.resources.devices", r, err));
	CHECK(get_obj(o, p, "memory", &sub, err));
	if (sub)
		CHECK(parse_memory(sub, "linux.resources.memory", r, err));
	CHECK(get_obj(o, p, "cpu", &sub, err));
	if (sub)
		CHECK(parse_cpu(sub, "linux.resources.cpu", r, err));
	CHECK(get_obj(o, p, "pids", &sub, err));
	if (sub) {
		r->pids.present = true;
		CHECK(GET_INT(sub, "linux.resources.pids", "limit", LLONG_MIN, LLONG_MAX, r->pids.limit,
			      &r->pids.has_limit, false, err));
	}
	CHECK(get_obj(o, p, "blockIO", &sub, err));
	if (sub)
		CHECK(parse_block_io(sub, "linux.resources.blockIO", r, err));
	CHECK(get_arr(o, p, "hugepageLimits", &arr, err));
	if (arr) {
		const char *hp = "linux.resources.hugepageLimits";
		r->hugepage_limits = xcalloc(json_array_size(arr), sizeof(*r->hugepage_limits));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = itempath(hp, i);
			struct husk_hugepage_limit *h = &r->hugepage_limits[i];
			json_t *it;

			CHECK(item_obj(arr, i, hp, &it, err));
			r->n_hugepage_limits++;
			CHECK(get_str(it, ip, "pageSize", true, &h->page_size, err));
			CHECK(GET_INT(it, ip, "limit", 0, LLONG_MAX, h->limit, NULL, true, err));
		}
	}
	CHECK(get_obj(o, p, "network", &sub, err));
	if (sub) {
		const char *np = "linux.resources.network", *pp = "linux.resources.network.priorities";
		r->network.present = true;
		CHECK(GET_INT(sub, np, "classID", 0, UINT32_MAX, r->network.class_id,
			      &r->network.has_class_id, false, err));
		CHECK(get_arr(sub, np, "priorities", &arr, err));
		if (arr) {
			r->network.priorities = xcalloc(json_array_size(arr), sizeof(struct husk_net_priority));
			for (size_t i = 0; i < json_array_size(arr); i++) {
				_cleanup_free_ char *ip = itempath(pp, i);
				struct husk_net_priority *np2 = &r->network.priorities[i];
				json_t *it;

				CHECK(item_obj(arr, i, pp, &it, err));
				r->network.n_priorities++;
				CHECK(get_str(it, ip, "name", true, &np2->name, err));
				CHECK(GET_INT(it, ip, "priority", 0, UINT32_MAX, np2->priority, NULL, true, err));
			}
		}
	}
	CHECK(get_obj(o, p, "rdma", &sub, err));
	if (sub) {
		r->rdma = xcalloc(json_object_size(sub), sizeof(*r->rdma));
		json_object_foreach(sub, key, val) {
			_cleanup_free_ char *ip = xasprintf("linux.resources.rdma.%s", key);
			struct husk_rdma *d = &r->rdma[r->n_rdma++];

			d->device = xstrdup(key);
			if (!json_is_object(val))
				return ferr(err, ip, NULL, "must be an object");
			CHECK(GET_INT(val, ip, "hcaHandles", 0, UINT32_MAX, d->hca_handles,
				      &d->has_hca_handles, false, err));
			CHECK(GET_INT(val, ip, "hcaObjects", 0, UINT32_MAX, d->hca_objects,
				      &d->has_hca_objects, false, err));
		}
	}
	CHECK(get_kvv(o, p, "unified", &r->unified, err));
	for (size_t i = 0; i < r->unified.n; i++)
		if (strchr(r->unified.v[i].key, '/') || !strcmp(r->unified.v[i].key, "..") ||
		    !strchr(r->unified.v[i].key, '.'))
			return ferr(err, "linux.resources.unified", NULL, "invalid cgroup file name \"%s\"",
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

static int parse_seccomp(json_t *o, struct husk_linux *l, struct husk_error *err)
{
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
	const char *p = "linux.seccomp";
	struct husk_seccomp *sc = l->seccomp = xcalloc(1, sizeof(*sc));
	_cleanup_free_ char *action = NULL;
	json_t *arr;

	CHECK(get_str(o, p, "defaultAction", true, &action, err));
	sc->default_action = seccomp_action(action);
	if (sc->default_action < 0)
		return ferr(err, p, "defaultAction", "unknown action \"%s\"", action);
	CHECK(GET_INT(o, p, "defaultErrnoRet", 0, UINT32_MAX, sc->default_errno_ret,
		      &sc->has_default_errno_ret, false, err));
	CHECK(get_strv(o, p, "architectures", &sc->architectures, err));
	CHECK(get_strv(o, p, "flags", &sc->flags, err));
	for (size_t i = 0; i < sc->flags.n; i++) {
		bool ok = false;
		for (size_t j = 0; j < ARRAY_SIZE(flags); j++)
			ok |= !strcmp(flags[j], sc->flags.v[i]);
		if (!ok)
			return ferr(err, p, "flags", "unknown flag \"%s\"", sc->flags.v[i]);
	}
	CHECK(get_str(o, p, "listenerPath", false, &sc->listener_path, err));
	CHECK(get_str(o, p, "listenerMetadata", false, &sc->listener_metadata, err));
	CHECK(get_arr(o, p, "syscalls", &arr, err));
	if (!arr)
		return 0;
	sc->syscalls = xcalloc(json_array_size(arr), sizeof(*sc->syscalls));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = itempath("linux.seccomp.syscalls", i), *act = NULL;
		struct husk_seccomp_rule *rule = &sc->syscalls[i];
		json_t *it, *args;

		CHECK(item_obj(arr, i, "linux.seccomp.syscalls", &it, err));
		sc->n_syscalls++;
		if (get_strv(it, ip, "names", &rule->names, err) < 0 || rule->names.n == 0)
			return ferr(err, ip, "names", "must be a non-empty array of strings");
		CHECK(get_str(it, ip, "action", true, &act, err));
		rule->action = seccomp_action(act);
		if (rule->action < 0)
			return ferr(err, ip, "action", "unknown action \"%s\"", act);
		if (rule->action == HUSK_SCMP_ACT_NOTIFY && !sc->listener_path)
			return ferr(err, ip, "action", "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
		CHECK(GET_INT(it, ip, "errnoRet", 0, UINT32_MAX, rule->errno_ret, &rule->has_errno_ret,
			      false, err));
		CHECK(get_arr(it, ip, "args", &args, err));
		if (!args)
			continue;
		{
			_cleanup_free_ char *ap = subpath(ip, "args");
			rule->args = xcalloc(json_array_size(args), sizeof(*rule->args));
			for (size_t j = 0; j < json_array_size(args); j++) {
				_cleanup_free_ char *jp = itempath(ap, j), *op = NULL;
				struct husk_seccomp_arg *a = &rule->args[j];
				json_t *ao;

				CHECK(item_obj(args, j, ap, &ao, err));
				rule->n_args++;
				CHECK(GET_INT(ao, jp, "index", 0, 5, a->index, NULL, true, err));
				CHECK(get_u64(ao, jp, "value", &a->value, true, err));
				CHECK(get_u64(ao, jp, "valueTwo", &a->value_two, false, err));
				CHECK(get_str(ao, jp, "op", true, &op, err));
				for (int k = 1; husk_seccomp_op_names[k]; k++)
					if (!strcmp(husk_seccomp_op_names[k], op))
						a->op = k;
				if (!a->op)
					return ferr(err, jp, "op", "unknown operator \"%s\"", op);
			}
		}
	}
	return 0;
}

static int parse_time_offset(json_t *o, const char *key, struct husk_time_offset *t,
			     struct husk_error *err)
{
	_cleanup_free_ char *tp = xasprintf("linux.timeOffsets.%s", key);
	json_t *sub;

	CHECK(get_obj(o, "linux.timeOffsets", key, &sub, err));
	if (!sub)
		return 0;
	t->set = true;
	CHECK(GET_INT(sub, tp, "secs", LLONG_MIN, LLONG_MAX, t->secs, NULL, false, err));
	CHECK(GET_INT(sub, tp, "nanosecs", 0, 999999999, t->nanosecs, NULL, false, err));
	return 0;
}

static int parse_linux(json_t *o, struct husk_spec *s, struct husk_error *err)
{
	struct husk_linux *l = &s->linux_;
	_cleanup_free_ char *prop = NULL;
	json_t *sub, *arr;

	s->has_linux = true;
	CHECK(get_arr(o, "linux", "namespaces", &arr, err));
	if (arr)
		CHECK(parse_namespaces(arr, l, err));
	CHECK(parse_idmaps(o, "linux", "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err));
	CHECK(parse_idmaps(o, "linux", "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err));
	CHECK(get_obj(o, "linux", "timeOffsets", &sub, err));
	if (sub) {
		CHECK(parse_time_offset(sub, "monotonic", &l->time_monotonic, err));
		CHECK(parse_time_offset(sub, "boottime", &l->time_boottime, err));
	}
	CHECK(get_arr(o, "linux", "devices", &arr, err));
	if (arr)
		CHECK(parse_devices(arr, l, err));
	CHECK(get_str(o, "linux", "cgroupsPath", false, &l->cgroups_path, err));
	CHECK(get_obj(o, "linux", "resources", &sub, err));
	if (sub) {
		l->has_resources = true;
		CHECK(parse_resources(sub, &l->resources, err));
	}
	CHECK(get_kvv(o, "linux", "sysctl", &l->sysctl, err));
	CHECK(get_obj(o, "linux", "seccomp", &sub, err));
	if (sub)
		CHECK(parse_seccomp(sub, l, err));
	CHECK(get_str(o, "linux", "rootfsPropagation", false, &prop, err));
	if (prop && *prop) {
		l->rootfs_propagation = mount_propagation_flag(prop);
		if (!l->rootfs_propagation)
			return ferr(err, "linux", "rootfsPropagation", "unknown propagation \"%s\"", prop);
	}
	CHECK(get_strv(o, "linux", "maskedPaths", &l->masked_paths, err));
	CHECK(get_strv(o, "linux", "readonlyPaths", &l->readonly_paths, err));
	CHECK(get_str(o, "linux", "mountLabel", false, &l->mount_label, err));
	CHECK(get_obj(o, "linux", "personality", &sub, err));
	if (sub) {
		l->personality.set = true;
		CHECK(get_str(sub, "linux.personality", "domain", true, &l->personality.domain, err));
		if (strcmp(l->personality.domain, "LINUX") && strcmp(l->personality.domain, "LINUX32"))
			return ferr(err, "linux.personality", "domain", "must be LINUX or LINUX32, got \"%s\"",
				    l->personality.domain);
		CHECK(get_strv(sub, "linux.personality", "flags", &l->personality.flags, err));
	}
	CHECK(get_obj(o, "linux", "intelRdt", &sub, err));
	if (sub) {
		const char *ip = "linux.intelRdt";
		l->intel_rdt.set = true;
		CHECK(get_str(sub, ip, "closID", false, &l->intel_rdt.clos_id, err));
		CHECK(get_str(sub, ip, "l3CacheSchema", false, &l->intel_rdt.l3_cache_schema, err));
		CHECK(get_str(sub, ip, "memBwSchema", false, &l->intel_rdt.mem_bw_schema, err));
		CHECK(get_bool(sub, ip, "enableCMT", &l->intel_rdt.enable_cmt, NULL, err));
		CHECK(get_bool(sub, ip, "enableMBM", &l->intel_rdt.enable_mbm, NULL, err));
	}
	return 0;
}

/* Cross-field rules, checked once everything is parsed. */
static int validate(struct husk_spec *s, struct husk_error *err)
{
	const struct husk_namespace *userns = husk_spec_namespace(s, CLONE_NEWUSER);

	if ((s->hostname && *s->hostname) && !husk_spec_namespace(s, CLONE_NEWUTS))
		return ferr(err, "hostname", NULL, "needs a private uts namespace");
	if ((s->domainname && *s->domainname) && !husk_spec_namespace(s, CLONE_NEWUTS))
		return ferr(err, "domainname", NULL, "needs a private uts namespace");
	if (userns && !userns->path &&
	    (s->linux_.n_uid_mappings == 0 || s->linux_.n_gid_mappings == 0))
		return ferr(err, "linux", "uidMappings",
			    "a new user namespace needs linux.uidMappings and linux.gidMappings");
	if (!userns && (s->linux_.n_uid_mappings || s->linux_.n_gid_mappings))
		return ferr(err, "linux", "uidMappings", "is set but there is no user namespace");
	if ((s->linux_.time_monotonic.set || s->linux_.time_boottime.set)) {
		const struct husk_namespace *t = husk_spec_namespace(s, CLONE_NEWTIME);
		if (!t || t->path)
			return ferr(err, "linux", "timeOffsets", "needs a new time namespace");
	}
	for (size_t i = 0; i < s->linux_.sysctl.n; i++) {
		const char *k = s->linux_.sysctl.v[i].key;
		if (!*k || strstr(k, "..") || k[0] == '/' || k[0] == '.')
			return ferr(err, "linux.sysctl", NULL, "invalid key \"%s\"", k);
	}
	return 0;
}

static int oci_version_check(const char *v, struct husk_error *err)
{
	char *end;
	long major;

	errno = 0;
	major = strtol(v, &end, 10);
	if (errno || end == v || (*end && *end != '.'))
		return ferr(err, "ociVersion", NULL, "\"%s\" is not a version", v);
	if (major != 1)
		return ferr(err, "ociVersion", NULL, "version %s is not supported (husk supports 1.x)", v);
	return 0;
}

static int parse_doc(json_t *doc, struct husk_spec *s, struct husk_error *err)
{
	json_t *sub, *arr;

	if (!json_is_object(doc))
		return husk_error_set(err, -EINVAL, "must be a JSON object");
	CHECK(get_str(doc, "", "ociVersion", true, &s->oci_version, err));
	CHECK(oci_version_check(s->oci_version, err));
	CHECK(get_obj(doc, "", "root", &sub, err));
	if (!sub)
		return ferr(err, "root", NULL, "is required");
	CHECK(get_str(sub, "root", "path", true, &s->root_path, err));
	if (!*s->root_path)
		return ferr(err, "root", "path", "must not be empty");
	CHECK(get_bool(sub, "root", "readonly", &s->root_readonly, NULL, err));
	CHECK(get_obj(doc, "", "process", &sub, err));
	if (sub) {
		s->process = xcalloc(1, sizeof(*s->process));
		CHECK(parse_process_obj(sub, "process", s->process, err));
	}
	CHECK(get_str(doc, "", "hostname", false, &s->hostname, err));
	CHECK(get_str(doc, "", "domainname", false, &s->domainname, err));
	CHECK(get_arr(doc, "", "mounts", &arr, err));
	if (arr)
		CHECK(parse_mounts(arr, s, err));
	CHECK(get_obj(doc, "", "hooks", &sub, err));
	if (sub)
		CHECK(parse_hooks(sub, s, err));
	CHECK(get_kvv(doc, "", "annotations", &s->annotations, err));
	CHECK(get_obj(doc, "", "linux", &sub, err));
	if (sub)
		CHECK(parse_linux(sub, s, err));
	return validate(s, err);
}

/* Copy text with every bare integer above INT64_MAX (outside strings) turned
 * into the string U64_MARK"digits"; NULL when there is none. Numbers that do
 * not fit uint64 either are left for jansson to reject. */
static char *mark_big_integers(const char *text, size_t len, size_t *out_len)
{
	char *out = NULL;
	size_t o = 0, cap = 0;
	bool in_str = false, changed = false;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		if (in_str) {
			if (text[i] == '\\' && i + 1 < len)
				j = i + 2;
			else
				j = i + 1, in_str = text[i] != '"';
		} else if (text[i] == '"') {
			in_str = true;
			j = i + 1;
		} else if (text[i] >= '0' && text[i] <= '9' && (i == 0 || !strchr("-.0123456789eE+", text[i - 1]))) {
			while (j < len && text[j] >= '0' && text[j] <= '9')
				j++;
			if ((j - i > 19 || (j - i == 19 && strncmp(text + i, "9223372036854775807", 19) > 0)) &&
			    (j - i < 20 || (j - i == 20 && strncmp(text + i, "18446744073709551615", 20) <= 0)) &&
			    (j >= len || !strchr(".eE", text[j]))) {
				size_t need = o + (j - i) + sizeof(U64_MARK) + 2;
				if (need > cap) {
					cap = need + len + 64;
					out = xreallocarray(out, cap, 1);
				}
				o += (size_t)sprintf(out + o, "\"%s%.*s\"", U64_MARK, (int)(j - i), text + i);
				changed = true;
				i = j;
				continue;
			}
		} else {
			j = i + 1;
		}
		if (o + (j - i) + 1 > cap) {
			cap = o + (j - i) + len + 64;
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + o, text + i, j - i);
		o += j - i;
		i = j;
	}
	if (!changed) {
		free(out);
		return NULL;
	}
	*out_len = o;
	return out;
}

static json_t *load_json(const char *text, size_t len, const char *what, struct husk_error *err)
{
	json_error_t jerr;
	size_t mlen = 0;
	_cleanup_free_ char *marked = mark_big_integers(text, len, &mlen);
	json_t *doc = json_loadb(marked ? marked : text, marked ? mlen : len, JSON_REJECT_DUPLICATES, &jerr);

	if (!doc)
		husk_error_set(err, -EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
			       jerr.line, jerr.column, jerr.text);
	return doc;
}

int husk_spec_parse(const char *text, size_t len, const char *what, struct husk_spec **out,
		    struct husk_error *err)
{
	struct husk_spec *s;
	json_t *doc;
	int r;

	*out = NULL;
	doc = load_json(text, len, what, err);
	if (!doc)
		return err->code;
	s = xcalloc(1, sizeof(*s));
	s->json = doc;
	r = parse_doc(doc, s, err);
	if (r < 0) {
		husk_spec_free(s);
		return husk_error_wrap(err, "%s", what);
	}
	*out = s;
	return 0;
}

int husk_spec_load(const char *path, struct husk_spec **out, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = read_file(path, &text, &len);
	if (r < 0)
		return husk_error_sys(err, r, "read %s", path);
	return husk_spec_parse(text, len, "config.json", out, err);
}

int husk_process_parse(const char *text, size_t len, const char *what, struct husk_process **out,
		       struct husk_error *err)
{
	struct husk_process *p;
	json_t *doc;
	int r;

	*out = NULL;
	doc = load_json(text, len, what, err);
	if (!doc)
		return err->code;
	p = xcalloc(1, sizeof(*p));
	r = json_is_object(doc) ? parse_process_obj(doc, "", p, err)
				: husk_error_set(err, -EINVAL, "must be a JSON object");
	json_decref(doc);
	if (r < 0) {
		husk_process_free(p);
		return husk_error_wrap(err, "%s", what);
	}
	*out = p;
	return 0;
}

const struct husk_namespace *husk_spec_namespace(const struct husk_spec *spec, int type)
{
	for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
		if (spec->linux_.namespaces[i].type == type)
			return &spec->linux_.namespaces[i];
	return NULL;
}

/* ---- freeing ---- */

static void strv_free(struct husk_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
}

static void kvv_free(struct husk_kvv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].key);
		free(v->v[i].value);
	}
	free(v->v);
}

void husk_process_free(struct husk_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(&p->args);
	free(p->command_line);
	strv_free(&p->env);
	free(p->cwd);
	for (int i = 0; i < HUSK_CAP_NSETS; i++)
		strv_free(&p->caps[i]);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	free(p);
}

static void resources_free(struct husk_resources *r)
{
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_devices);
	for (int t = 0; t < 4; t++)
		free(r->block_io.throttle[t]);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	kvv_free(&r->unified);
}

static void seccomp_free(struct husk_seccomp *sc)
{
	if (!sc)
		return;
	strv_free(&sc->architectures);
	strv_free(&sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(&sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
	free(sc);
}

void husk_spec_free(struct husk_spec *s)
{
	struct husk_linux *l;

	if (!s)
		return;
	l = &s->linux_;
	free(s->oci_version);
	husk_process_free(s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(&s->mounts[i].options);
		free(s->mounts[i].uid_mappings);
		free(s->mounts[i].gid_mappings);
	}
	free(s->mounts);
	for (int k = 0; k < HUSK_HOOK_NKINDS; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(&s->hooks[k][i].args);
			strv_free(&s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	kvv_free(&s->annotations);
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	resources_free(&l->resources);
	kvv_free(&l->sysctl);
	seccomp_free(l->seccomp);
	strv_free(&l->masked_paths);
	strv_free(&l->readonly_paths);
	free(l->mount_label);
	free(l->personality.domain);
	strv_free(&l->personality.flags);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	json_decref((json_t *)s->json);
	free(s);
}
