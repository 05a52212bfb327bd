/* cgroup placement for v1, v2 and hybrid hosts: find the hierarchies, compute the
 * container's directory in each, create, enter, list, signal and remove it.
 * Resource limits are applied elsewhere. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "internal.h"
#include "util.h"

void strv_free_items(struct husk_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

static void strv_push(struct husk_strv *v, char *s)
{
	v->v = xreallocarray(v->v, v->n + 2, sizeof(char *));
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static char *unescape(const char *s)
{
	char *out = xcalloc(strlen(s) + 1, 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	return out;
}

static bool is_controller_opt(const char *o)
{
	static const char *const not_controllers[] = {"rw", "ro", "xattr", "noprefix",
						      "clone_children", "cpuset_v2_mode"};
	for (size_t i = 0; i < ARRAY_SIZE(not_controllers); i++)
		if (!strcmp(o, not_controllers[i]))
			return false;
	return strncmp(o, "release_agent=", 14) != 0;
}

static char *controllers_of(const char *superopts)
{
	_cleanup_free_ char *copy = xstrdup(superopts);
	char *save = NULL, *tok, *out = xstrdup("");

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *n;
		if (!is_controller_opt(tok))
			continue;
		n = *out ? xasprintf("%s,%s", out, tok) : xstrdup(tok);
		free(out);
		out = n;
	}
	return out;
}

void cgroup_hierarchies_free(struct cgroup_hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].mountpoint);
		free(h[i].root);
		free(h[i].controllers);
	}
	free(h);
}

int cgroup_hierarchies(struct cgroup_hier **out, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	struct cgroup_hier *h = NULL;
	char *line, *save = NULL;
	size_t count = 0;
	int r;

	r = read_file("/proc/self/mountinfo", &text, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[4096], mnt[4096], fstype[64], source[4096], sopts[4096];
		char *dash = strstr(line, " - ");
		bool dup = false;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%63s %4095s %4095s", fstype, source, sopts) != 3)
			continue;
		if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
			continue;
		{
			_cleanup_free_ char *ctrl = strcmp(fstype, "cgroup2") ? controllers_of(sopts) : xstrdup("");
			/* the same hierarchy may be mounted twice; keep the first */
			for (size_t i = 0; i < count; i++)
				dup |= h[i].v2 == !strcmp(fstype, "cgroup2") && !strcmp(h[i].controllers, ctrl);
			if (dup)
				continue;
			h = xreallocarray(h, count + 1, sizeof(*h));
			h[count].mountpoint = unescape(mnt);
			h[count].root = unescape(root);
			h[count].controllers = xstrdup(ctrl);
			h[count].v2 = !strcmp(fstype, "cgroup2");
			count++;
		}
	}
	*out = h;
	*n = count;
	return 0;
}

/* Same set of comma-separated words? */
static bool same_set(const char *a, const char *b)
{
	_cleanup_free_ char *ca = xstrdup(a);
	char *save = NULL, *tok;
	size_t na = 0, nb = 1;

	for (const char *p = b; *p; p++)
		nb += *p == ',';
	if (!*b)
		nb = 0;
	for (tok = strtok_r(ca, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);
		const char *p = b;
		bool found = false;
		na++;
		while ((p = strstr(p, tok))) {
			if ((p == b || p[-1] == ',') && (p[len] == ',' || !p[len]))
				found = true;
			p += len;
		}
		if (!found)
			return false;
	}
	return na == nb;
}

/* The caller's own cgroup in a hierarchy, from the text of /proc/self/cgroup. */
static char *own_cgroup(const char *self_cgroup, const struct cgroup_hier *h)
{
	_cleanup_free_ char *text = xstrdup(self_cgroup ? self_cgroup : "");
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0'; /* ID, controllers, path */
		if (h->v2 ? (!strcmp(line, "0") && c1[1] == '\0') : same_set(c1 + 1, h->controllers))
			return xstrdup(c2 + 1);
	}
	return xstrdup("/");
}

/* Normalize "a//b/./c/" → "/a/b/c", and "/a/../b" → "/b" as runc's
 * CleanPath does: lexically, a ".." at the top stays there (a relative path
 * never climbs above the cgroup it is taken under). */
static void clean_path(const char *in, char **out)
{
	_cleanup_free_ char *copy = xstrdup(in);
	char *save = NULL, *tok, *res = xstrdup("");

	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		char *n;
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			/* lexically, never above the root: runc's CleanPath */
			char *slash = strrchr(res, '/');
			if (slash)
				*slash = '\0';
			continue;
		}
		n = xasprintf("%s/%s", res, tok);
		free(res);
		res = n;
	}
	*out = res; /* "" means the root */
}

int cgroup_plan(const char *cgroups_path, const char *id, struct husk_strv *dirs,
		struct husk_strv *names, struct husk_error *err)
{
	_cleanup_free_ char *inner = NULL, *self_cgroup = NULL;
	struct cgroup_hier *h;
	size_t n;
	bool relative, pure_v2 = true;
	int r;

	memset(dirs, 0, sizeof(*dirs));
	if (names)
		memset(names, 0, sizeof(*names));
	if (cgroups_path && *cgroups_path && strchr(cgroups_path, ':') && cgroups_path[0] != '/')
		return husk_error_set(err, -EINVAL,
				      "linux.cgroupsPath \"%s\": the systemd slice:prefix:name form needs the systemd cgroup driver (husk --systemd-cgroup)",
				      cgroups_path);
	/* no path is the id, relative (runc: Name = id, Path = "") */
	relative = !cgroups_path || cgroups_path[0] != '/';
	clean_path(cgroups_path && *cgroups_path ? cgroups_path : id, &inner);
	/* runc would join the root cgroup, or for a relative path the cgroup it
	 * is taken under (a service's, system.slice): neither is the container's */
	if (!*inner)
		return husk_error_set(err, -EINVAL, relative ? "linux.cgroupsPath \"%s\": must not be the cgroup a relative path is taken under"
							: "linux.cgroupsPath \"%s\": must not be the root cgroup",
				      cgroups_path);
	r = cgroup_hierarchies(&h, &n);
	if (r < 0)
		return husk_error_sys(err, r, "read /proc/self/mountinfo");
	if (n == 0) {
		cgroup_hierarchies_free(h, n);
		return husk_error_set(err, -ENOENT, "no cgroup hierarchy is mounted");
	}
	for (size_t i = 0; i < n; i++)
		if (!h[i].v2 && *h[i].controllers && strncmp(h[i].controllers, "name=", 5))
			pure_v2 = false;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *full = NULL;
		const char *rel;
		size_t rootlen = strcmp(h[i].root, "/") ? strlen(h[i].root) : 0;

		if (relative) {
			_cleanup_free_ char *own = NULL;
			if (!self_cgroup && read_file("/proc/self/cgroup", &self_cgroup, NULL) < 0)
				self_cgroup = xstrdup("");
			own = own_cgroup(self_cgroup, &h[i]);
			/* runc's fs2 takes the parent of its own cgroup on a pure v2
			 * host (that one holds processes: a service's or a session
			 * scope's), its v1 manager the own cgroup itself */
			if (pure_v2) {
				char *slash = strrchr(own, '/');
				if (slash)
					slash[slash == own] = '\0';
			}
			full = xasprintf("%s%s", strcmp(own, "/") ? own : "", inner);
		} else {
			full = xstrdup(inner);
		}
		/* a hierarchy mounted from a sub-cgroup: paths are relative to its root */
		if (rootlen && (strncmp(full, h[i].root, rootlen) || (full[rootlen] && full[rootlen] != '/')))
			rel = full;
		else
			rel = full + rootlen;
		strv_push(dirs, xasprintf("%s%s", h[i].mountpoint, rel));
		if (names)
			strv_push(names, xstrdup(strrchr(h[i].mountpoint, '/') + 1));
	}
	cgroup_hierarchies_free(h, n);
	return 0;
}

/* cpuset v1: a cgroup with empty cpus/mems accepts no task, so every level
 * down to the container's gets its parent's values where its own are empty,
 * made by us or not (runc's cpusetEnsureParent / cpusetCopyIfNeeded). */
static int cpuset_copy_if_empty(const char *dir, const char *parent)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *mine = xasprintf("%s/%s", dir, files[i]), *theirs = xasprintf("%s/%s", parent, files[i]);
		_cleanup_free_ char *cur = NULL, *val = NULL;
		int r;

		if (read_file(mine, &cur, NULL) < 0 || (*cur && *cur != '\n'))
			continue;
		r = read_file(theirs, &val, NULL);
		if (r == 0)
			r = write_file(mine, val, strlen(val));
		if (r < 0)
			return r;
	}
	return 0;
}

/* cgroup v2: the controllers the root offers, as "+cpu +memory …" (runc
 * enables all of them on the way down, crun too). */
static char *v2_controllers(const char *mountpoint)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.controllers", mountpoint), *text = NULL;
	char *out = xstrdup(""), *save = NULL, *tok;

	if (read_file(path, &text, NULL) < 0)
		return out;
	for (tok = strtok_r(text, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *n = xasprintf("%s%s+%s", out, *out ? " " : "", tok);
		free(out);
		out = n;
	}
	return out;
}

/* Enable ctrls in dir's subtree_control; a controller the kernel refuses
 * here (e.g. a cgroup with processes of its own) is left to fail later, at
 * the write that needs it, as runc does. */
static void enable_controllers(const char *dir, const char *ctrls)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.subtree_control", dir), *copy = NULL;
	char *save = NULL, *tok;

	if (!*ctrls || write_file(path, ctrls, strlen(ctrls)) == 0)
		return;
	copy = xstrdup(ctrls);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		(void)write_file(path, tok, strlen(tok));
}

/* runc's fs2 CreateCgroupPath, for each level of a pure v2 path: a level in
 * "domain invalid" state (a cgroup made under one that holds processes and
 * has threaded controllers on) is made threaded when the container needs no
 * domain controller, and refused when it does; a threaded level is refused
 * when a domain controller is needed. */
static int check_level_type(const char *level, bool domain, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.type", level), *type = NULL;
	size_t len;

	if (read_file(path, &type, NULL) < 0)
		return 0; /* the root has no cgroup.type */
	len = strlen(type);
	while (len && type[len - 1] == '\n')
		type[--len] = '\0';
	if (!strcmp(type, "domain invalid")) {
		if (domain)
			return husk_error_set(err, -EOPNOTSUPP,
					      "cannot enter cgroupv2 \"%s\" with domain controllers -- it is in an invalid state",
					      level);
		(void)write_file(path, "threaded", 8);
	} else if (domain && (!strcmp(type, "threaded") || !strcmp(type, "domain threaded"))) {
		return husk_error_set(err, -EOPNOTSUPP,
				      "cannot enter cgroupv2 \"%s\" with domain controllers -- it is in %s mode", level, type);
	}
	return 0;
}

/* mkdir each level of dir below its hierarchy's mountpoint, top down. On a
 * pure v2 host each level above dir enables the root's controllers for its
 * children, and each level's type is checked (check_level_type); on v1 cpuset
 * each level gets cpus/mems. */
static int make_levels(const char *dir, const struct cgroup_hier *h, bool pure_v2, bool domain,
		       struct husk_strv *made, struct husk_error *err)
{
	_cleanup_free_ char *cur = xstrdup(dir);
	_cleanup_free_ char *ctrls = pure_v2 && h->v2 ? v2_controllers(h->mountpoint) : NULL;
	bool cpuset = !h->v2 && cg_hier_has_controller(h, "cpuset");
	char *p = cur + strlen(h->mountpoint);

	while (*p == '/') {
		char *next = strchr(p + 1, '/');
		_cleanup_free_ char *parent = xasprintf("%.*s", (int)(p - cur), cur); /* the level above */
		int r;

		if (ctrls)
			enable_controllers(parent, ctrls);
		if (next)
			*next = '\0';
		if (mkdir(cur, 0755) == 0) {
			if (made)
				strv_push(made, xstrdup(cur));
		} else if (errno != EEXIST) {
			return husk_error_sys(err, -errno, "create cgroup %s", dir);
		}
		if (ctrls && (r = check_level_type(cur, domain, err)) < 0)
			return r;
		if (cpuset && (r = cpuset_copy_if_empty(cur, parent)) < 0)
			return husk_error_sys(err, r, "create cgroup %s", dir);
		if (next)
			*next = '/';
		p = next ? next : p + strlen(p);
	}
	return 0;
}

int cgroup_check_unused(const struct husk_strv *dirs, struct husk_error *err)
{
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dirs->v[i]), *text = NULL;
		if (read_file(procs, &text, NULL) == 0 && *text)
			return husk_error_set(err, -EBUSY, "cgroup %s is not empty: it belongs to a running container or process",
					      dirs->v[i]);
	}
	if (cgroup_is_frozen(dirs))
		return husk_error_set(err, -EBUSY, "cgroup %s is frozen", dirs->n ? dirs->v[0] : "");
	return 0;
}

/* the freezer state a cgroup inherits: v1's freezer.state, v2's "frozen 1"
 * in cgroup.events (set in a new cgroup whose parent is frozen) */
static bool frozen_by_parent(const char *dir)
{
	_cleanup_free_ char *v1 = xasprintf("%s/freezer.state", dir), *v2 = xasprintf("%s/cgroup.events", dir);
	_cleanup_free_ char *text = NULL, *events = NULL;

	if (read_file(v1, &text, NULL) == 0 && (!strncmp(text, "FROZEN", 6) || !strncmp(text, "FREEZING", 8)))
		return true;
	return read_file(v2, &events, NULL) == 0 && (!strncmp(events, "frozen 1", 8) || strstr(events, "\nfrozen 1"));
}

bool cg_needs_domain(const struct husk_resources *r)
{
	if (!r)
		return false;
	for (int k = 0; k < 4; k++)
		if (r->block_io.n_throttle[k])
			return true;
	return (r->memory.has_limit && r->memory.limit) || (r->memory.has_reservation && r->memory.reservation) ||
	       (r->memory.has_swap && r->memory.swap) || (r->cpu.has_shares && r->cpu.shares) ||
	       (r->cpu.has_quota && r->cpu.quota) || (r->cpu.has_period && r->cpu.period) ||
	       (r->cpu.has_rt_runtime && r->cpu.rt_runtime) || (r->cpu.has_rt_period && r->cpu.rt_period) ||
	       r->cpu.has_idle || r->cpu.has_burst || (r->block_io.has_weight && r->block_io.weight) ||
	       r->block_io.n_weight_devices || r->n_hugepage_limits;
}

int cgroup_create(const struct husk_strv *dirs, const struct husk_resources *res, struct husk_strv *made,
		  struct husk_error *err)
{
	struct cg_layout L;
	bool domain = cg_needs_domain(res);
	int r = cg_layout_open(dirs, &L, err);

	for (size_t i = 0; r == 0 && i < L.nt; i++) {
		if (!L.t[i].h) {
			r = husk_error_set(err, -ENOENT, "create cgroup %s: not in a mounted cgroup hierarchy", L.t[i].dir);
			break;
		}
		r = make_levels(L.t[i].dir, L.t[i].h, !L.v1, domain, made, err);
	}
	cg_layout_close(&L);
	/* a frozen level above freezes the new cgroup too: an init born there
	 * would never run, and the create would wait for it forever */
	for (size_t i = 0; r == 0 && i < dirs->n; i++)
		if (frozen_by_parent(dirs->v[i]))
			r = husk_error_set(err, -EBUSY, "cgroup %s is frozen: a cgroup above it is frozen", dirs->v[i]);
	return r;
}

int cgroup_enter(const struct husk_strv *dirs, pid_t pid, struct husk_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dirs->v[i]);
		int r = write_file(procs, buf, strlen(buf));
		if (r < 0)
			return husk_error_sys(err, r, "join cgroup %s", dirs->v[i]);
	}
	return 0;
}

static int rmdir_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		{
			_cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
			int rr = rmdir_tree(sub);
			if (rr < 0 && !r)
				r = rr;
		}
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT && !r)
		r = -errno;
	return r;
}

int cgroup_destroy(const struct husk_strv *dirs, struct husk_error *err)
{
	int r = 0;

	for (size_t i = 0; i < dirs->n; i++) {
		/* exiting tasks leave their cgroup asynchronously: retry EBUSY for ~2s */
		for (int tries = 0;; tries++) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			r = rmdir_tree(dirs->v[i]);
			if (r != -EBUSY || tries >= 200)
				break;
			nanosleep(&ts, NULL);
		}
		if (r < 0)
			return husk_error_sys(err, r, "remove cgroup %s", dirs->v[i]);
	}
	return 0;
}

/* Pids in dir and every cgroup nested in it. */
static void procs_tree(const char *dir, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.procs", dir), *text = NULL;
	char *line, *save = NULL;
	DIR *d;
	struct dirent *e;

	if (read_file(path, &text, NULL) == 0)
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			*pids = xreallocarray(*pids, *n + 1, sizeof(pid_t));
			(*pids)[(*n)++] = (pid_t)atoi(line);
		}
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			_cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
			procs_tree(sub, pids, n);
		}
	}
	closedir(d);
}

int cgroup_procs(const struct husk_strv *dirs, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 0;
	/* every hierarchy holds the same processes: the first that exists tells */
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *path = xasprintf("%s/cgroup.procs", dirs->v[i]);
		if (access(path, R_OK) < 0)
			continue;
		procs_tree(dirs->v[i], pids, n);
		return 0;
	}
	return -ENOENT;
}

bool cgroup_is_frozen(const struct husk_strv *dirs)
{
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *v1 = xasprintf("%s/freezer.state", dirs->v[i]);
		_cleanup_free_ char *text = NULL;

		if (read_file(v1, &text, NULL) == 0)
			return strncmp(text, "FROZEN", 6) == 0 || strncmp(text, "FREEZING", 8) == 0;
	}
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *v2 = xasprintf("%s/cgroup.freeze", dirs->v[i]);
		_cleanup_free_ char *text = NULL;

		if (read_file(v2, &text, NULL) == 0)
			return text[0] == '1';
	}
	return false;
}

int cgroup_signal_all(const struct husk_strv *dirs, int sig, struct husk_error *err)
{
	pid_t *pids;
	size_t n;

	/* cgroup v2's cgroup.kill takes every task atomically, forks included */
	if (sig == SIGKILL) {
		for (size_t i = 0; i < dirs->n; i++) {
			_cleanup_free_ char *kill = xasprintf("%s/cgroup.kill", dirs->v[i]);
			if (access(kill, W_OK) == 0 && write_file(kill, "1", 1) == 0)
				return 0;
		}
	}
	if (cgroup_procs(dirs, &pids, &n) < 0)
		return husk_error_set(err, -ENOENT, "no cgroup to list the container's processes");
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH) {
			int e = -errno;
			free(pids);
			return husk_error_sys(err, e, "signal %d to pid %d", sig, (int)pids[i]);
		}
	free(pids);
	return 0;
}

/* Wait until file reads as want (the freezer settles asynchronously). */
static int wait_for(const char *path, const char *want, int timeout_ms)
{
	for (int waited = 0;; waited++) {
		_cleanup_free_ char *text = NULL;
		if (read_file(path, &text, NULL) == 0 && strstr(text, want))
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

static int freeze_with(const char *path, const char *value, const char *watch, const char *settled,
		       struct husk_error *err)
{
	int r = write_file(path, value, strlen(value));

	if (r < 0)
		return husk_error_sys(err, r, "write %s to %s", value, path);
	r = wait_for(watch, settled, 5000);
	if (r < 0)
		return husk_error_set(err, r, "%s did not become %s within 5s", watch, settled);
	return 0;
}

int cgroup_freeze(const struct husk_strv *dirs, bool freeze, struct husk_error *err)
{
	/* one freezer: v1 where the host has it (as runc on hybrid hosts; the two
	 * would wait on each other), else cgroup v2's cgroup.freeze */
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *v1 = xasprintf("%s/freezer.state", dirs->v[i]);
		if (access(v1, W_OK) == 0)
			return freeze_with(v1, freeze ? "FROZEN" : "THAWED", v1, freeze ? "FROZEN" : "THAWED", err);
	}
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *v2 = xasprintf("%s/cgroup.freeze", dirs->v[i]);
		_cleanup_free_ char *events = xasprintf("%s/cgroup.events", dirs->v[i]);
		if (access(v2, W_OK) == 0)
			return freeze_with(v2, freeze ? "1" : "0", events, freeze ? "frozen 1" : "frozen 0", err);
	}
	return husk_error_set(err, -EOPNOTSUPP, "no cgroup freezer (v1 freezer or cgroup v2) for the container");
}
