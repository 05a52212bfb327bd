/* Operations on a live container through its cgroup: pause, resume, update,
 * the list of its processes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "internal.h"
#include "spec-json.h"
#include "util.h"

static int load_live(const char *root, const char *id, struct husk_state **st, struct husk_error *err)
{
	int r = husk_state_load(root, id, st, err);

	if (r < 0)
		return r;
	if ((*st)->status == HUSK_STATUS_STOPPED) {
		husk_state_free(*st);
		*st = NULL;
		return husk_error_set(err, -ESRCH, "container \"%s\" is not running", id);
	}
	return 0;
}

/* pause (freeze) needs a running container, resume a paused one */
static int set_frozen(const char *root, const char *id, bool freeze, struct husk_error *err)
{
	enum husk_status want = freeze ? HUSK_STATUS_RUNNING : HUSK_STATUS_PAUSED;
	struct husk_state *st;
	int r = load_live(root, id, &st, err);

	if (r < 0)
		return r;
	if (freeze && st->status == HUSK_STATUS_PAUSED)
		r = husk_error_set(err, -EALREADY, "container \"%s\" is already paused", id);
	else if (st->status != want)
		r = husk_error_set(err, -EINVAL, "container \"%s\" is not %s: %s", id,
				   freeze ? "running" : "paused", husk_status_name(st->status));
	else
		r = cgroup_freeze(&st->cgroup_dirs, freeze, err);
	husk_state_free(st);
	return r;
}

int husk_pause(const char *root, const char *id, struct husk_error *err)
{
	return set_frozen(root, id, true, err);
}

int husk_resume(const char *root, const char *id, struct husk_error *err)
{
	return set_frozen(root, id, false, err);
}

int husk_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct husk_error *err)
{
	struct husk_state *st;
	int r = husk_state_load(root, id, &st, err);

	*pids = NULL;
	*n = 0;
	if (r < 0)
		return r;
	if (st->status != HUSK_STATUS_STOPPED && cgroup_procs(&st->cgroup_dirs, pids, n) < 0)
		r = husk_error_set(err, -ENOENT, "container \"%s\" has no cgroup to list", id);
	husk_state_free(st);
	return r;
}

/* Current memory usage, for checkBeforeUpdate. */
static int64_t memory_usage(const struct husk_strv *dirs)
{
	static const char *const files[] = {"memory.usage_in_bytes", "memory.current"};

	for (size_t i = 0; i < dirs->n; i++)
		for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", dirs->v[i], files[f]), *t = NULL;
			if (read_file(p, &t, NULL) == 0)
				return strtoll(t, NULL, 10);
		}
	return -1;
}

/* The update as a spec of its own, so every field is checked like config.json's. */
static int parse_update(json_t *upd, struct husk_spec **delta, struct husk_error *err)
{
	json_t *doc = json_pack("{s:s, s:{s:s}, s:{s:O}}", "ociVersion", HUSK_OCI_VERSION, "root", "path",
				"rootfs", "linux", "resources", upd);
	char *text;
	int r;

	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return husk_error_set(err, -ENOMEM, "update: build the resources document");
	r = husk_spec_parse(text, strlen(text), "resources", delta, err);
	free(text);
	return r;
}

static bool check_before_update(json_t *config, const struct husk_spec *delta)
{
	json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(config, "linux"),
								       "resources"), "memory"),
				    "checkBeforeUpdate");

	if (delta->linux_.resources.memory.has_check_before_update)
		return delta->linux_.resources.memory.check_before_update;
	return json_is_true(v);
}

/* The stored config.json learns the new values, as runc's state does. */
static int store_update(const char *state_dir, json_t *config, json_t *upd, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", state_dir);
	json_t *linux_ = json_object_get(config, "linux"), *res;
	char *text;
	int r;

	if (!linux_) {
		linux_ = json_object();
		json_object_set_new(config, "linux", linux_);
	}
	res = json_object_get(linux_, "resources");
	if (!res) {
		res = json_object();
		json_object_set_new(linux_, "resources", res);
	}
	json_object_update_recursive(res, upd);
	text = json_dumps(config, JSON_COMPACT);
	if (!text)
		return husk_error_set(err, -ENOMEM, "serialize config");
	r = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return r < 0 ? husk_error_sys(err, r, "write %s", path) : 0;
}

/* systemd: runc's update replaces the memory, cpu, cpuset, pids and blkio
 * weight fields of its config with the update's values (0, unset, for a
 * flag not given) and runs Set: SetUnitProperties with what the update
 * gives, then the files. So the properties and files come from the update
 * alone, as with cgroupfs: `update --memory -1` lifts swap as there, and
 * `--memory-swap` alone is refused as by runc. One addition: systemd
 * rewrites io.weight to its default when it applies the new properties (no
 * unit property carries blockIO.weight), so the container's weight is
 * written again, where runc 1.1 leaves it at 100 (docs/compat.md). */
static int update_systemd(const struct husk_state *st, json_t *config, struct husk_spec *delta,
			  struct husk_error *err)
{
	struct husk_resources *res = &delta->linux_.resources;
	json_t *w = json_object_get(
		json_object_get(json_object_get(json_object_get(config, "linux"), "resources"), "blockIO"), "weight");

	if (!res->block_io.has_weight && json_is_integer(w) && json_integer_value(w) > 0 &&
	    json_integer_value(w) <= UINT16_MAX) {
		res->block_io.has_weight = true;
		res->block_io.weight = (uint16_t)json_integer_value(w);
	}
	return cg_systemd_update(st->systemd_unit, &st->cgroup_dirs, &delta->linux_, err);
}

/* runc 1.1's update: a quota or a period given alone keeps the other at
 * its value in the container's config (so `--cpu-period` does not lift the
 * quota, and `--cpu-quota` keeps a period other than 100 ms) */
static void keep_cpu_pair(json_t *config, struct husk_resources *d)
{
	json_t *cpu = json_object_get(json_object_get(json_object_get(config, "linux"), "resources"), "cpu");
	json_t *quota = json_object_get(cpu, "quota"), *period = json_object_get(cpu, "period");
	bool q = d->cpu.has_quota && d->cpu.quota, p = d->cpu.has_period && d->cpu.period;

	if (q && !p && json_is_integer(period) && json_integer_value(period) > 0) {
		d->cpu.has_period = true;
		d->cpu.period = (uint64_t)json_integer_value(period);
	} else if (p && !q && json_is_integer(quota) && json_integer_value(quota) != 0) {
		d->cpu.has_quota = true;
		d->cpu.quota = json_integer_value(quota);
	}
}

int husk_update(const char *root, const char *id, const char *resources_json, struct husk_error *err)
{
	_cleanup_free_ char *cpath = NULL;
	struct husk_spec *delta = NULL;
	struct husk_state *st;
	json_t *upd = NULL, *config = NULL;
	json_error_t jerr;
	int r = load_live(root, id, &st, err);

	if (r < 0)
		return r;
	upd = json_loads(resources_json, 0, &jerr);
	if (!upd || !json_is_object(upd)) {
		r = husk_error_set(err, -EINVAL, "resources: must be a JSON object%s%s", upd ? "" : ": ",
				   upd ? "" : jerr.text);
		goto out;
	}
	cpath = xasprintf("%s/config.json", st->state_dir);
	config = spec_load_json_file(cpath, err);
	if (!config) {
		r = err->code;
		goto out;
	}
	r = parse_update(upd, &delta, err);
	if (r < 0)
		goto out;
	keep_cpu_pair(config, &delta->linux_.resources);
	if (delta->linux_.resources.memory.has_limit && delta->linux_.resources.memory.limit > 0 &&
	    check_before_update(config, delta)) {
		int64_t usage = memory_usage(&st->cgroup_dirs);
		if (usage > delta->linux_.resources.memory.limit) {
			r = husk_error_set(err, -EINVAL,
					   "memory limit %lld is below the container's current usage %lld (checkBeforeUpdate)",
					   (long long)delta->linux_.resources.memory.limit, (long long)usage);
			goto out;
		}
	}
	if (st->systemd_unit)
		r = update_systemd(st, config, delta, err);
	else
		r = cgroup_apply_update(&st->cgroup_dirs, &delta->linux_, err);
	if (r == 0)
		r = store_update(st->state_dir, config, upd, err);
out:
	json_decref(upd);
	json_decref(config);
	husk_spec_free(delta);
	husk_state_free(st);
	return r;
}
