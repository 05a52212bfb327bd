/* Apply a resource plan to the container's cgroup directories. On hosts with
 * cgroup v1 controllers (v1 or hybrid) the resources go to v1, as runc does;
 * on a pure cgroup v2 host to the unified hierarchy. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-devices.h"
#include "cgroup-resources.h"
#include "internal.h"
#include "util.h"


bool cg_hier_has_controller(const struct cgroup_hier *h, const char *ctrl)
{
	size_t n = strlen(ctrl);

	for (const char *c = h->controllers; c && *c;) {
		const char *end = strchr(c, ',');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		if (len == n && !strncmp(c, ctrl, n))
			return true;
		c = end ? end + 1 : c + len;
	}
	return false;
}

/* The hierarchy each dir lives in (longest mountpoint prefix). */
static const struct cgroup_hier *hier_of(const char *dir, const struct cgroup_hier *h, size_t n)
{
	const struct cgroup_hier *best = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(h[i].mountpoint);
		if (!strncmp(dir, h[i].mountpoint, len) && (dir[len] == '/' || !dir[len]) &&
		    (!best || len > strlen(best->mountpoint)))
			best = &h[i];
	}
	return best;
}

static const char *dir_for(const struct cg_target *t, size_t n, const char *ctrl)
{
	for (size_t i = 0; i < n; i++) {
		if (!t[i].h)
			continue;
		if (*ctrl ? !t[i].h->v2 && cg_hier_has_controller(t[i].h, ctrl) : t[i].h->v2)
			return t[i].dir;
	}
	return NULL;
}

static int write_one(const char *dir, const struct cg_write *w)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, w->file);
	int r = write_file(path, w->value, strlen(w->value));

	if (r == -ENOENT && w->alt_file) {
		_cleanup_free_ char *alt = xasprintf("%s/%s", dir, w->alt_file);
		r = write_file(alt, w->alt_value, strlen(w->alt_value));
	}
	return r == -ENOENT && w->optional ? 0 : r;
}

/* v1 memory: limit must stay <= memsw, so which goes first depends on the direction */
static bool memory_pair(const char *a, const char *b)
{
	return (!strcmp(a, "memory.limit_in_bytes") && !strcmp(b, "memory.memsw.limit_in_bytes")) ||
	       (!strcmp(b, "memory.limit_in_bytes") && !strcmp(a, "memory.memsw.limit_in_bytes"));
}

static bool is_memory_limit(const char *file)
{
	return !strcmp(file, "memory.limit_in_bytes") || !strcmp(file, "memory.max");
}

static long long read_ll(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file), *text = NULL;

	return read_file(path, &text, NULL) == 0 ? strtoll(text, NULL, 10) : -1;
}

/* The kernel could not reclaim down to the new limit: say what the usage is,
 * as runc does ("unable to set memory limit to N (current usage: U, peak
 * usage: P)"). */
static int below_usage(const char *dir, const struct cg_write *w, struct husk_error *err)
{
	bool v1 = !strcmp(w->file, "memory.limit_in_bytes");
	long long usage = read_ll(dir, v1 ? "memory.usage_in_bytes" : "memory.current");
	long long peak = read_ll(dir, v1 ? "memory.max_usage_in_bytes" : "memory.peak");

	if (peak < 0)
		return husk_error_set(err, -EBUSY, "linux.resources: unable to set memory limit to %s (current usage: %lld)",
				      w->value, usage);
	return husk_error_set(err, -EBUSY,
			      "linux.resources: unable to set memory limit to %s (current usage: %lld, peak usage: %lld)",
			      w->value, usage, peak);
}

static int apply_plan(const struct cg_target *t, size_t nt, const struct cg_plan *p, struct husk_error *err)
{
	bool *done = xcalloc(p->n ? p->n : 1, sizeof(bool));
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->n; i++) {
		const struct cg_write *w = &p->w[i];
		const char *dir = dir_for(t, nt, w->ctrl);

		if (done[i])
			continue;
		if (!dir) {
			r = husk_error_set(err, -ENOENT,
					   "linux.resources: %s needs the %s cgroup controller, which this host does not have",
					   w->file, *w->ctrl ? w->ctrl : "cgroup v2");
			break;
		}
		r = write_one(dir, w);
		if (r == -EINVAL)
			for (size_t j = i + 1; j < p->n; j++)
				if (!done[j] && memory_pair(w->file, p->w[j].file) && write_one(dir, &p->w[j]) == 0) {
					done[j] = true;
					r = write_one(dir, w);
					break;
				}
		if (r == -ENOENT)
			r = husk_error_set(err, r, "linux.resources: %s is not supported by this kernel or hierarchy",
					   w->file);
		else if (r == -EBUSY && is_memory_limit(w->file))
			r = below_usage(dir, w, err);
		else if (r < 0)
			r = husk_error_sys(err, r, "linux.resources: write \"%s\" to %s/%s", w->value, dir, w->file);
	}
	free(done);
	return r;
}

int cg_layout_open(const struct husk_strv *dirs, struct cg_layout *L, struct husk_error *err)
{
	int r;

	memset(L, 0, sizeof(*L));
	r = cgroup_hierarchies(&L->h, &L->nh);
	if (r < 0)
		return husk_error_sys(err, r, "read the cgroup hierarchies");
	L->nt = dirs->n;
	L->t = xcalloc(dirs->n ? dirs->n : 1, sizeof(*L->t));
	for (size_t i = 0; i < dirs->n; i++) {
		const struct cgroup_hier *h = hier_of(dirs->v[i], L->h, L->nh);
		L->t[i] = (struct cg_target){dirs->v[i], h};
		if (h && !h->v2 && h->controllers && *h->controllers && strncmp(h->controllers, "name=", 5))
			L->v1 = true;
	}
	return 0;
}

const char *cg_layout_dir(const struct cg_layout *L, const char *ctrl)
{
	return dir_for(L->t, L->nt, L->v1 ? ctrl : "");
}

void cg_layout_close(struct cg_layout *L)
{
	free(L->t);
	cgroup_hierarchies_free(L->h, L->nh);
	memset(L, 0, sizeof(*L));
}

static int apply(const struct husk_strv *dirs, const struct husk_linux *l, bool devices, struct husk_error *err)
{
	struct cg_layout L;
	struct cg_plan plan;
	int r = cg_layout_open(dirs, &L, err);

	if (r < 0)
		return r;
	r = L.v1 ? cg_plan_v1(l, &plan, err) : cg_plan_v2(l, &plan, err);
	if (r == 0) {
		r = apply_plan(L.t, L.nt, &plan, err);
		cg_plan_free(&plan);
	}
	if (r == 0 && devices) {
		/* runc confines devices whatever the spec says: its defaults always apply */
		const char *dir = cg_layout_dir(&L, L.v1 ? "devices" : "");
		if (!dir)
			r = husk_error_set(err, -ENOENT, "linux.resources.devices: the container has no %s",
					   L.v1 ? "devices cgroup (runc needs one too)" : "cgroup v2 directory");
		else
			r = L.v1 ? cg_dev_apply_v1(dir, l, err) : cg_dev_attach(dir, l, err);
	}
	cg_layout_close(&L);
	return r;
}

int cgroup_apply(const struct husk_strv *dirs, const struct husk_linux *l, struct husk_error *err)
{
	return apply(dirs, l, true, err);
}

int cgroup_apply_update(const struct husk_strv *dirs, const struct husk_linux *l, struct husk_error *err)
{
	return apply(dirs, l, false, err);
}
