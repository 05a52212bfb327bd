/* husk_exec: the runtime's half of the setns variant of the create protocol.
 *
 *   runtime                                  exec'd process
 *   setns(pidfd, PID|TIME) for children
 *   clone ──────────────────────────────────▶ (in the container's pid ns)
 *   back to our own pid/time ns
 *   cgroup.procs ← pid
 *   BOOTSTRAP ──────────────────────────────▶ setns(pidfd, user|mnt|net|…)
 *                                            setsid, terminal, lsm, rlimits,
 *   ◀──────────────────────── PROC_SECCOMP   seccomp (notify fd to the agent)
 *   PROC_SECCOMP_DONE ──────────────────────▶ caps, user, cwd, no_new_privs
 *   ◀────────────────────────── PROC_READY
 *   pid file; PROC_RUN ─────────────────────▶ execve
 *   EOF on the sync socket (close-on-exec) = the execve happened
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "console.h"
#include "exec.h"
#include "husk/log.h"
#include "internal.h"
#include "lsm.h"
#include "security.h"
#include "sync.h"
#include "spec-json.h"
#include "process.h"
#include "util.h"

/* The container's config with "process" replaced, parsed and checked as a whole. */
static int exec_spec(const struct husk_state *st, const char *process_json, struct husk_spec **out,
		     struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", st->state_dir);
	json_t *config = spec_load_json_file(path, err), *proc;
	char *text;
	int r;

	if (!config)
		return err->code;
	proc = spec_load_json(process_json, strlen(process_json), "process", err);
	if (!proc || !json_is_object(proc)) {
		r = proc ? husk_error_set(err, -EINVAL, "process: must be a JSON object") : err->code;
		json_decref(proc);
		json_decref(config);
		return r;
	}
	/* without capabilities of its own the process gets the container's, as
	 * runc's finalizeNamespace (none at all: every set empty) */
	if (json_is_null(json_object_get(proc, "capabilities")) || !json_object_get(proc, "capabilities")) {
		json_t *caps = json_object_get(json_object_get(config, "process"), "capabilities");
		if (json_is_object(caps))
			json_object_set(proc, "capabilities", caps);
	}
	json_object_set_new(config, "process", proc);
	text = json_dumps(config, JSON_COMPACT);
	json_decref(config);
	if (!text)
		return husk_error_set(err, -ENOMEM, "serialize the exec's config");
	r = husk_spec_parse(text, strlen(text), "process", out, err);
	free(text);
	return r;
}

static bool same_ns(pid_t pid, const char *name)
{
	_cleanup_free_ char *theirs = xasprintf("/proc/%d/ns/%s", (int)pid, name);
	_cleanup_free_ char *ours = xasprintf("/proc/self/ns/%s", name);
	struct stat a, b;

	return stat(theirs, &a) == 0 && stat(ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Every namespace the config gives the container, as setns() flags. A user
 * namespace equal to ours is left out (setns would refuse it). */
static int ns_flags(const struct husk_spec *s, pid_t pid, bool *userns)
{
	int flags = 0;

	*userns = false;
	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		flags |= s->linux_.namespaces[i].type;
	if ((flags & CLONE_NEWUSER) && same_ns(pid, "user"))
		flags &= ~CLONE_NEWUSER;
	*userns = flags & CLONE_NEWUSER;
	return flags;
}

/* --cgroup with a controller list: does this hierarchy hold one of them? */
static bool named(const struct cgroup_hier *h, const char *ctrls)
{
	_cleanup_free_ char *list = xstrdup(ctrls);
	char *save = NULL;

	if (!h || h->v2)
		return false;
	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (cg_hier_has_controller(h, c))
			return true;
	return false;
}

/* BASE joined with SUB, lexically cleaned as Go's path.Join; NULL when SUB
 * climbs out of BASE (runc: "not a sub cgroup path"). "/" is BASE itself. */
static char *sub_cgroup(const char *base, const char *sub)
{
	_cleanup_free_ char *copy = xstrdup(sub);
	char **comp = xreallocarray(NULL, strlen(sub) + 1, sizeof(char *));
	char *save = NULL, *out;
	size_t n = 0, len = strlen(base) + 1;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (!n) {
				free(comp);
				return NULL;
			}
			n--;
			continue;
		}
		comp[n++] = c;
	}
	for (size_t i = 0; i < n; i++)
		len += strlen(comp[i]) + 1;
	out = xcalloc(len, 1);
	strcpy(out, base);
	for (size_t i = 0; i < n; i++) {
		strcat(out, "/");
		strcat(out, comp[i]);
	}
	free(comp);
	return out;
}

/* runc's --cgroup list: "[ctrl[,ctrl]:]path" each; the sub-cgroup (which must
 * exist) of the container's for the named v1 hierarchies, or for all of them
 * with a single path without controllers. Other hierarchies keep the
 * container's own cgroup. */
static int exec_cgroups(const struct husk_state *st, const char *const *specs, size_t n, struct husk_strv *out,
			struct husk_error *err)
{
	struct cg_layout L;
	int r;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < n; k++) {
		const char *colon = strchr(specs[k], ':');
		if (colon && strchr(colon + 1, ':'))
			return husk_error_set(err, -EINVAL, "invalid --cgroup argument: %s", specs[k]);
		if (!colon && n != 1)
			return husk_error_set(err, -EINVAL, "invalid --cgroup argument: %s (missing <controller>: prefix)",
					      specs[k]);
	}
	r = cg_layout_open(&st->cgroup_dirs, &L, err);
	/* every controller named must be one of the container's hierarchies' */
	for (size_t k = 0; r == 0 && k < n; k++) {
		const char *colon = strchr(specs[k], ':');
		_cleanup_free_ char *ctrls = colon ? xasprintf("%.*s", (int)(colon - specs[k]), specs[k]) : NULL;
		char *save = NULL;
		for (char *c = ctrls ? strtok_r(ctrls, ",", &save) : NULL; c && r == 0; c = strtok_r(NULL, ",", &save)) {
			bool found = false;
			for (size_t i = 0; i < L.nt && !found; i++)
				found = named(L.t[i].h, c);
			if (!found)
				r = husk_error_set(err, -EINVAL, "--cgroup %s: unknown controller %s", specs[k], c);
		}
	}
	for (size_t i = 0; r == 0 && i < L.nt; i++) {
		const char *sub = NULL, *spec = NULL;
		char *dir;
		struct stat sb;

		for (size_t k = 0; k < n; k++) {
			const char *colon = strchr(specs[k], ':');
			_cleanup_free_ char *ctrls = colon ? xasprintf("%.*s", (int)(colon - specs[k]), specs[k]) : NULL;
			if (!colon || named(L.t[i].h, ctrls)) {
				sub = colon ? colon + 1 : specs[k];
				spec = specs[k];
			}
		}
		dir = sub ? sub_cgroup(L.t[i].dir, sub) : xstrdup(L.t[i].dir);
		if (!dir) {
			r = husk_error_set(err, -EINVAL,
					   "--cgroup %s: not a sub cgroup path (a path below the container's, without \"..\" above it)",
					   spec);
			break;
		}
		if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
			r = husk_error_set(err, -ENOENT, "--cgroup %s: %s does not exist", spec, dir);
		out->v = xreallocarray(out->v, out->n + 2, sizeof(char *));
		out->v[out->n++] = dir;
		out->v[out->n] = NULL;
	}
	cg_layout_close(&L); /* zeroed when the open failed */
	return r;
}

static int check_state(const struct husk_state *st, const struct husk_exec_opts *o, struct husk_error *err)
{
	switch (st->status) {
	case HUSK_STATUS_STOPPED:
		return husk_error_set(err, -ESRCH, "cannot exec in a stopped container \"%s\"", o->id);
	case HUSK_STATUS_PAUSED:
		if (!o->ignore_paused)
			return husk_error_set(err, -EBUSY,
					      "cannot exec in a paused container \"%s\" (use --ignore-paused to override)", o->id);
		return 0;
	default:
		return 0;
	}
}

/* Clone the process inside the container's pid and time namespaces; the
 * parent enters them only for its children and goes back at once. */
static pid_t clone_inside(struct exec_ctx *c, int cgfd, bool *placed, struct husk_error *err)
{
	struct ns_restore rs;
	int types = 0;
	pid_t pid = -1;

	for (size_t i = 0; i < c->spec->linux_.n_namespaces; i++)
		types |= c->spec->linux_.namespaces[i].type & (CLONE_NEWPID | CLONE_NEWTIME);
	if (ns_children_save(&rs, types, err) < 0)
		pid = err->code;
	else if (types && setns(c->pidfd, types) < 0)
		pid = husk_error_sys(err, -errno, "enter the pid namespace of container \"%s\"", c->st->id);
	else if ((pid = cgroup_clone(SIGCHLD, cgfd, placed)) == 0)
		exec_init_main(c);
	else if (pid < 0)
		pid = husk_error_sys(err, pid, "clone the exec'd process");
	ns_children_restore(&rs);
	return pid;
}

struct exec_step {
	struct exec_ctx *c;
	pid_t pid;
};

/* procReady: --pid-file, then procRun */
static int on_ready(void *ctx, char **payload, struct husk_error *err)
{
	struct exec_step *es = ctx;

	*payload = NULL;
	return es->c->opts->pid_file ? write_pid_file(es->c->opts->pid_file, es->pid, err) : 0;
}

/* Runtime side of the sync loop; returns once the process has exec'd. */
static int exec_sync(struct exec_ctx *c, pid_t pid, struct husk_error *err)
{
	struct exec_step es = {c, pid};
	struct sync_loop l = {
		.fd = c->sync_parent, .pid = pid, .id = c->st->id, .bundle = c->st->bundle, .status = "running",
		.annotations = &c->spec->annotations, .seccomp = c->spec->linux_.seccomp,
		.who = "the exec'd process", .ready = on_ready, .ctx = &es,
	};

	return sync_loop_run(&l, err);
}

static void ctx_free(struct exec_ctx *c)
{
	int fds[] = {c->pidfd, c->console_fd, c->sync_parent, c->sync_child};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	husk_spec_free(c->spec);
	husk_state_free(c->st);
	strv_free_items(&c->cgroup_dirs);
}

int husk_exec(const struct husk_exec_opts *o, pid_t *pid_out, struct husk_error *err)
{
	struct exec_ctx c = {.opts = o, .pidfd = -1, .console_fd = -1, .sync_parent = -1, .sync_child = -1};
	bool placed = false;
	int sv[2], r;
	pid_t pid = -1;

	if (o->preserve_fds < 0)
		return husk_error_set(err, -EINVAL, "--preserve-fds must not be negative");
	r = husk_state_load(o->root && *o->root ? o->root : HUSK_DEFAULT_ROOT, o->id, &c.st, err);
	if (r < 0)
		return r;
	r = check_state(c.st, o, err);
	if (r < 0)
		goto out;
	r = exec_spec(c.st, o->process_json, &c.spec, err);
	if (r == 0)
		r = check_console(c.spec->process, o->console_socket, o->console_fd, err);
	if (r == 0) {
		husk_process_warn(c.spec->process); /* unknown --cap names, as runc warns */
		r = lsm_check(c.spec, err); /* a label this host cannot apply: refused before anything runs */
	}
	if (r < 0)
		goto out;
	/* the pidfd pins the init we checked: every join below goes through it */
	c.pidfd = pidfd_for(c.st->pid, c.st->start_time);
	if (c.pidfd < 0) {
		r = husk_error_set(err, -ESRCH, "cannot exec in a stopped container \"%s\"", o->id);
		goto out;
	}
	c.ns_flags = ns_flags(c.spec, c.st->pid, &c.userns) & ~(CLONE_NEWPID | CLONE_NEWTIME);
	r = exec_cgroups(c.st, o->cgroups, o->n_cgroups, &c.cgroup_dirs, err);
	if (r < 0)
		goto out;
	if (c.spec->process->terminal) {
		c.console_fd = console_open(o->console_socket, o->console_fd, err);
		if (c.console_fd < 0) {
			r = c.console_fd;
			goto out;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = husk_error_sys(err, -errno, "socketpair");
		goto out;
	}
	c.sync_parent = sv[0];
	c.sync_child = sv[1];
	{ /* born in the cgroup on v2 (cgroup-clone.c) */
		int cgfd = cgroup_clone_fd(&c.cgroup_dirs);
		pid = clone_inside(&c, cgfd, &placed, err);
		if (cgfd >= 0)
			close(cgfd);
	}
	if (pid < 0) {
		r = (int)pid;
		goto out;
	}
	close(c.sync_child);
	c.sync_child = -1;
	husk_debug("exec in %s: pid %d", o->id, (int)pid);
	/* cgroup first, as for the init; in a paused container the process
	 * freezes here and the exec completes on resume (--ignore-paused) */
	r = placed ? 0 : cgroup_enter(&c.cgroup_dirs, pid, err);
	if (r == 0 && sync_send(c.sync_parent, SYNC_BOOTSTRAP, 0, NULL) < 0)
		r = husk_error_sys(err, -errno, "send bootstrap");
	if (r == 0)
		r = exec_sync(&c, pid, err);
	if (r < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (o->pid_file)
			unlink(o->pid_file);
	} else {
		*pid_out = pid;
	}
out:
	ctx_free(&c);
	return r;
}
