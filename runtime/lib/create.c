/* husk_create: the runtime's half of the create protocol. Everything made here
 * is undone on failure: the init is killed, the cgroup and the state dir removed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "create.h"
#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "husk/log.h"
#include "internal.h"
#include "lsm.h"
#include "mountopt.h"
#include "security.h"
#include "sync.h"
#include "sysctl.h"
#include "process.h"
#include "util.h"

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano, as runc's "created": trailing zeros of the fraction dropped */
	if (ts.tv_nsec) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, ".%09ld", ts.tv_nsec);
		for (n = strlen(buf); buf[n - 1] == '0'; n--)
			buf[n - 1] = 0;
	}
	return xasprintf("%sZ", buf);
}

static int write_idmap(pid_t pid, const char *file, const struct husk_idmap *m, size_t n,
		       struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
	char *text = xstrdup("");
	int r;

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
		free(text);
		text = t;
	}
	r = write_file(path, text, strlen(text));
	free(text);
	if (r < 0)
		return husk_error_sys(err, r, "write %s", path);
	return 0;
}

static int write_time_offsets(const struct husk_linux *l, struct husk_error *err)
{
	char buf[128] = "";
	int r;

	if (l->has_time_monotonic)
		snprintf(buf, sizeof(buf), "monotonic %lld %u\n", (long long)l->time_monotonic.secs,
			 l->time_monotonic.nanosecs);
	if (l->has_time_boottime)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "boottime %lld %u\n",
			 (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (!*buf)
		return 0;
	r = write_file("/proc/self/timens_offsets", buf, strlen(buf));
	return r < 0 ? husk_error_sys(err, r, "write time namespace offsets") : 0;
}

static int open_ns(const char *path, int type, struct husk_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return husk_error_sys(err, -errno, "open %s namespace %s", husk_namespace_name(type), path);
	return fd;
}

/* pid and time namespaces take effect for children: enter the joined or new
 * ones around clone() (ns_children_restore goes back). */
static int enter_for_children(struct create_ctx *c, struct ns_restore *rs, struct husk_error *err)
{
	const struct husk_linux *l = &c->spec->linux_;
	int types = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct husk_namespace *ns = &l->namespaces[i];
		/* a new pid namespace comes from clone() itself */
		if ((ns->type == CLONE_NEWPID && ns->path) || ns->type == CLONE_NEWTIME)
			types |= ns->type;
	}
	if (ns_children_save(rs, types, err) < 0)
		return err->code;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct husk_namespace *ns = &l->namespaces[i];
		if (!(ns->type & types))
			continue;
		if (ns->path) {
			if (setns(c->join_fds[i], ns->type) < 0)
				return husk_error_sys(err, -errno, "join %s namespace %s",
						      husk_namespace_name(ns->type), ns->path);
		} else {
			/* a new time namespace: offsets can only be set before anyone enters */
			if (unshare(CLONE_NEWTIME) < 0)
				return husk_error_sys(err, -errno, "unshare time namespace");
			if (write_time_offsets(l, err) < 0)
				return err->code;
		}
	}
	return 0;
}

static unsigned long clone_flags(const struct husk_spec *s)
{
	unsigned long flags = 0;

	for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
		const struct husk_namespace *ns = &s->linux_.namespaces[i];
		/* cgroup is unshared by the init once placed; time via the parent */
		if (!ns->path && ns->type != CLONE_NEWCGROUP && ns->type != CLONE_NEWTIME)
			flags |= (unsigned long)ns->type;
	}
	return flags;
}

/* The host pid of a pidfd, as /proc/self/fdinfo shows it in our pid namespace. */
static pid_t pidfd_pid(int pidfd)
{
	_cleanup_free_ char *path = xasprintf("/proc/self/fdinfo/%d", pidfd), *text = NULL;
	const char *line;
	long long v;

	if (read_file(path, &text, NULL) < 0 || !(line = strstr(text, "\nPid:")))
		return -1;
	line += 6;
	while (*line == ' ' || *line == '\t')
		line++;
	if (sscanf(line, "%lld", &v) != 1 || v <= 0)
		return -1;
	return (pid_t)v;
}

/* Joining a user namespace while creating others: those must be owned by the
 * joined one, so they are made by a clone() from inside it. setns(CLONE_NEWUSER)
 * would cost this process its privileges on the host, so a short-lived
 * intermediate joins and clones the init with CLONE_PARENT (the init is our
 * child, as usual) and hands us its pidfd. */
static pid_t clone_in_joined_userns(struct create_ctx *c, unsigned long flags, struct husk_error *err)
{
	struct sync_msg *msg;
	int st, pidfd = -1, r;
	pid_t mid, pid;

	mid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	if (mid < 0)
		return husk_error_sys(err, -errno, "clone intermediate for the joined user namespace");
	if (mid == 0) {
		struct husk_error e = {0};
		int fd = -1;
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || setns(c->userns_join_fd, CLONE_NEWUSER) < 0) {
			husk_error_sys(&e, -errno, "join user namespace");
			(void)sync_send_error(c->sync_child, &e);
			_exit(1);
		}
		pid = (pid_t)syscall(SYS_clone, flags | CLONE_PARENT | CLONE_PIDFD | SIGCHLD, NULL, &fd, NULL, 0);
		if (pid == 0) {
			c->userns_entered = true;
			init_main(c);
		}
		if (pid < 0) {
			husk_error_sys(&e, -errno, "clone container init in the joined user namespace");
			(void)sync_send_error(c->sync_child, &e);
			_exit(1);
		}
		_exit(sync_send_fd(c->sync_child, SYNC_INIT_PIDFD, fd) < 0 ? 1 : 0);
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	msg = xcalloc(1, sizeof(*msg));
	r = sync_recv_fd(c->sync_parent, msg, &pidfd);
	if (r == 0 && msg->type == SYNC_PROC_ERROR)
		r = husk_error_set(err, msg->code ? msg->code : -EINVAL, "%s", msg->payload);
	else if (r < 0 || msg->type != SYNC_INIT_PIDFD || pidfd < 0)
		r = husk_error_set(err, -EPROTO, "intermediate exited without the init's pidfd");
	free(msg);
	if (r < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return r;
	}
	pid = pidfd_pid(pidfd);
	if (pid < 0) {
		/* an init we cannot name must not wait around for a bootstrap */
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		r = husk_error_set(err, -ESRCH, "cannot read the pid of the init cloned in the joined user namespace");
	}
	close(pidfd);
	return pid < 0 ? r : pid;
}

/* p made absolute-clean in place as Go's filepath.Clean: "." and empty parts
 * dropped, ".." takes the part before it away (never above "/"). */
static void clean_lexically(char *p)
{
	char *w = p, *r = p;

	while (*r) {
		size_t n;

		while (*r == '/')
			r++;
		n = strcspn(r, "/");
		if (n == 0 || (n == 1 && r[0] == '.')) {
			r += n;
		} else if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (w > p && *--w != '/')
				;
			r += n;
		} else {
			*w++ = '/';
			memmove(w, r, n);
			w += n;
			r += n;
		}
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
}

/* The rootfs directory, as runc's validator takes it: root.path joined to the
 * bundle, cleaned, must be its own real path ("invalid rootfs: not an
 * absolute path, or a symlink"); the bundle itself may be reached through
 * symlinks (runc moves into it and takes the real cwd). */
static char *resolve_rootfs(const char *bundle, const char *root_path, struct husk_error *err)
{
	_cleanup_free_ char *joined = root_path[0] == '/' ? xstrdup(root_path)
							  : xasprintf("%s/%s", bundle, root_path);
	char *real = realpath(joined, NULL);
	struct stat st;

	if (!real) {
		husk_error_sys(err, -errno, "rootfs %s", joined);
		return NULL;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		husk_error_set(err, -ENOTDIR, "rootfs %s: not a directory", joined);
		free(real);
		return NULL;
	}
	clean_lexically(joined);
	if (strcmp(joined, real)) {
		husk_error_set(err, -EINVAL, "config.json: root.path: rootfs %s is reached through a symlink (%s)",
			       joined, real);
		free(real);
		return NULL;
	}
	return real;
}

static int prepare_ctx(struct create_ctx *c, const struct husk_create_opts *o, struct husk_error *err)
{
	_cleanup_free_ char *config = NULL;
	const struct husk_spec *s;
	int r;

	r = husk_validate_id(o->id, err);
	if (r < 0)
		return r;
	c->bundle = realpath(o->bundle && *o->bundle ? o->bundle : ".", NULL);
	if (!c->bundle)
		return husk_error_sys(err, -errno, "bundle %s", o->bundle ? o->bundle : ".");
	config = xasprintf("%s/config.json", c->bundle);
	r = husk_spec_load(config, &c->spec, err);
	if (r < 0)
		return r;
	s = c->spec;
	if (!s->process)
		return husk_error_set(err, -EINVAL, "config.json: process: is required to create a container");
	r = check_console(s->process, o->console_socket, o->console_fd, err);
	if (r < 0)
		return r;
	if (o->preserve_fds < 0)
		return husk_error_set(err, -EINVAL, "--preserve-fds must not be negative");
	husk_spec_warn(s);
	r = lsm_check(s, err);
	if (r == 0)
		r = sysctl_check(s, err); /* runc's namespace rules: never the host's values */
	if (r < 0)
		return r;
	c->rootfs = resolve_rootfs(c->bundle, s->root_path, err);
	if (!c->rootfs)
		return err->code;
	return 0;
}

/* Undo a failed create; safe on a partly made context. */
static void create_undo(struct create_ctx *c, pid_t pid, bool made_dir)
{
	struct husk_error ignore = {0};

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c->systemd_started)
		(void)cg_systemd_stop(c->systemd_unit, &ignore);
	if (c->cgroup_dirs.n)
		(void)cgroup_destroy(&c->cgroup_dirs, &ignore);
	/* and the levels above it that we made (a cgroupsPath of new parents):
	 * bad input leaves nothing behind; one in use by now stays */
	for (size_t i = c->cgroup_made.n; i-- > 0;)
		(void)rmdir(c->cgroup_made.v[i]);
	if (made_dir) {
		static const char *const files[] = {"exec.fifo", "state.json", "config.json"};
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			_cleanup_free_ char *f = xasprintf("%s/%s", c->state_dir, files[i]);
			unlink(f);
		}
		if (rmdir(c->state_dir) < 0)
			husk_warn("remove %s: %s", c->state_dir, strerror(errno));
	}
	if (c->opts && c->opts->pid_file && pid > 0)
		unlink(c->opts->pid_file);
}

static void ctx_free(struct create_ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->join_fds); i++)
		if (c->join_fds[i] >= 0)
			close(c->join_fds[i]);
	if (c->fifo_fd >= 0)
		close(c->fifo_fd);
	if (c->console_fd >= 0)
		close(c->console_fd);
	if (c->sync_parent >= 0)
		close(c->sync_parent);
	if (c->sync_child >= 0)
		close(c->sync_child);
	for (size_t i = 0; c->bind_src_fds && i < c->spec->n_mounts; i++)
		if (c->bind_src_fds[i] >= 0)
			close(c->bind_src_fds[i]);
	free(c->bind_src_fds);
	husk_spec_free(c->spec);
	free(c->bundle);
	free(c->rootfs);
	free(c->state_dir);
	free(c->fifo_path);
	strv_free_items(&c->cgroup_dirs);
	strv_free_items(&c->cgroup_names);
	strv_free_items(&c->cgroup_made);
	free(c->systemd_unit);
}

static int on_ready(struct create_ctx *c, pid_t pid, struct husk_error *err)
{
	struct husk_state st = {0};
	_cleanup_free_ char *path = xasprintf("%s/state.json", c->state_dir), *json = NULL;
	int r;

	r = proc_stat(pid, &st.start_time, NULL);
	if (r < 0)
		return husk_error_sys(err, r, "read start time of pid %d", (int)pid);
	st.id = (char *)c->id;
	st.pid = pid;
	st.bundle = c->bundle;
	st.rootfs = c->rootfs;
	st.created = now_rfc3339();
	st.owner = "";
	st.annotations = c->spec->annotations;
	st.cgroup_dirs = c->cgroup_dirs;
	st.cgroup_ns = c->cgroup_ns || c->cgroup_ns_fd >= 0;
	st.systemd_unit = c->systemd_unit;
	json = state_file_json(&st);
	free(st.created);
	r = write_file_atomic(path, json, strlen(json), 0600);
	if (r < 0)
		return husk_error_sys(err, r, "write %s", path);
	if (c->opts->pid_file)
		return write_pid_file(c->opts->pid_file, pid, err);
	return 0;
}

struct create_step {
	struct create_ctx *c;
	pid_t pid;
};

/* procHooks: prestart and createRuntime hooks; procResume carries the state */
static int on_hooks(void *ctx, char **payload, struct husk_error *err)
{
	struct create_step *cs = ctx;
	const struct husk_spec *s = cs->c->spec;
	int r;

	*payload = hook_state_json(cs->c->id, cs->pid, "creating", cs->c->bundle, &s->annotations);
	r = hooks_run(s->hooks[HUSK_HOOK_PRESTART], s->n_hooks[HUSK_HOOK_PRESTART], HUSK_HOOK_PRESTART,
		      *payload, err);
	if (r == 0)
		r = hooks_run(s->hooks[HUSK_HOOK_CREATE_RUNTIME], s->n_hooks[HUSK_HOOK_CREATE_RUNTIME],
			      HUSK_HOOK_CREATE_RUNTIME, *payload, err);
	return r;
}

/* procReady: state.json and --pid-file; procRun carries the state */
static int on_proc_ready(void *ctx, char **payload, struct husk_error *err)
{
	struct create_step *cs = ctx;

	*payload = hook_state_json(cs->c->id, cs->pid, "created", cs->c->bundle, &cs->c->spec->annotations);
	return on_ready(cs->c, cs->pid, err);
}

static int sync_loop(struct create_ctx *c, pid_t pid, struct husk_error *err)
{
	struct create_step cs = {c, pid};
	struct sync_loop l = {
		.fd = c->sync_parent, .pid = pid, .id = c->id, .bundle = c->bundle, .status = "creating",
		.annotations = &c->spec->annotations, .seccomp = c->spec->linux_.seccomp,
		.who = "container init", .hooks = on_hooks, .ready = on_proc_ready, .ctx = &cs,
	};

	return sync_loop_run(&l, err);
}

static int make_state_dir(struct create_ctx *c, const char *root, struct husk_error *err)
{
	int r = mkdir_p(root, 0700);

	if (r < 0)
		return husk_error_sys(err, r, "create state root %s", root);
	c->state_dir = state_dir_path(root, c->id);
	if (mkdir(c->state_dir, 0700) < 0) {
		if (errno == EEXIST)
			return husk_error_set(err, -EEXIST, "container \"%s\" already exists", c->id);
		return husk_error_sys(err, -errno, "create %s", c->state_dir);
	}
	return 0;
}

static int open_joins(struct create_ctx *c, struct husk_error *err)
{
	const struct husk_linux *l = &c->spec->linux_;

	for (size_t i = 0; i < l->n_namespaces && i < ARRAY_SIZE(c->join_fds); i++) {
		const struct husk_namespace *ns = &l->namespaces[i];
		if (ns->type == CLONE_NEWUSER)
			c->userns = true;
		if (ns->type == CLONE_NEWCGROUP && !ns->path)
			c->cgroup_ns = true;
		if (!ns->path)
			continue;
		c->join_fds[i] = open_ns(ns->path, ns->type, err);
		if (c->join_fds[i] < 0)
			return husk_error_wrap(err, "linux.namespaces[%zu]", i);
		if (ns->type == CLONE_NEWCGROUP)
			c->cgroup_ns_fd = c->join_fds[i]; /* borrowed from join_fds */
		if (ns->type == CLONE_NEWUSER)
			c->userns_join_fd = c->join_fds[i];
	}
	return 0;
}

/* Is mount i a bind mount (its source is then a host path)? */
static bool is_bind(const struct husk_mount *m)
{
	struct mount_opts mo;
	bool bind;

	mount_opts_parse(&m->options, &mo);
	bind = mo.bind && m->source;
	mount_opts_free(&mo);
	return bind;
}

/* With a user namespace the init is the container's root from its birth: a
 * bind source under a directory only the host's root may enter would be out
 * of its reach. runc opens them with the runtime's rights in the container's
 * mount namespace; so do we, through /proc/INIT/root (the fd then belongs to
 * the init's mount namespace, so the init can bind it), and pass them over. */
static int send_bind_sources(struct create_ctx *c, pid_t pid, struct husk_error *err)
{
	const struct husk_spec *s = c->spec;

	if (!c->userns)
		return 0;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct husk_mount *m = &s->mounts[i];
		_cleanup_free_ char *path = NULL;
		int fd, r;
		if (!is_bind(m))
			continue;
		path = m->source[0] == '/' ? xasprintf("/proc/%d/root%s", (int)pid, m->source)
					   : xasprintf("/proc/%d/root%s/%s", (int)pid, c->bundle, m->source);
		fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return husk_error_sys(err, -errno, "bind mount source %s", m->source);
		r = sync_send_fd_code(c->sync_parent, SYNC_MOUNT_SOURCE, (int)i, fd);
		close(fd);
		if (r < 0)
			return husk_error_sys(err, r, "send bind mount source %s", m->source);
	}
	return 0;
}

/* The init's side: one fd per bind mount, in order (-1 for other mounts). */
int init_recv_bind_sources(struct create_ctx *c, struct sync_msg *msg, struct husk_error *err)
{
	const struct husk_spec *s = c->spec;

	if (!c->userns || !s->n_mounts)
		return 0;
	c->bind_src_fds = xcalloc(s->n_mounts, sizeof(int));
	for (size_t i = 0; i < s->n_mounts; i++)
		c->bind_src_fds[i] = -1;
	for (size_t i = 0; i < s->n_mounts; i++) {
		int fd = -1, r;
		if (!is_bind(&s->mounts[i]))
			continue;
		r = sync_recv_fd(c->sync_child, msg, &fd);
		if (r == 0 && msg->type == SYNC_PROC_ERROR)
			r = husk_error_set(err, msg->code ? msg->code : -EINVAL, "%s", msg->payload);
		else if (r < 0 || msg->type != SYNC_MOUNT_SOURCE || msg->code != (int)i || fd < 0)
			r = husk_error_set(err, r < 0 ? r : -EPROTO, "receive bind mount source %zu", i);
		if (r < 0) {
			if (fd >= 0)
				close(fd);
			return r;
		}
		c->bind_src_fds[i] = fd;
	}
	return 0;
}

static int copy_config(struct create_ctx *c, struct husk_error *err)
{
	_cleanup_free_ char *dst = xasprintf("%s/config.json", c->state_dir);
	char *text = json_dumps((json_t *)c->spec->json, JSON_COMPACT);
	int r;

	if (!text)
		return husk_error_set(err, -ENOMEM, "serialize config");
	r = write_file_atomic(dst, text, strlen(text), 0600);
	free(text);
	return r < 0 ? husk_error_sys(err, r, "write %s", dst) : 0;
}

int husk_create(const struct husk_create_opts *o, pid_t *pid_out, struct husk_error *err)
{
	struct create_ctx c = {.opts = o, .id = o->id, .fifo_fd = -1, .console_fd = -1,
			       .sync_parent = -1, .sync_child = -1, .cgroup_ns_fd = -1,
			       .userns_join_fd = -1};
	const char *root = o->root && *o->root ? o->root : HUSK_DEFAULT_ROOT;
	struct ns_restore rs = {-1, -1};
	bool made_dir = false, placed = false;
	int sv[2], r;
	pid_t pid = -1;

	for (size_t i = 0; i < ARRAY_SIZE(c.join_fds); i++)
		c.join_fds[i] = -1;
	r = prepare_ctx(&c, o, err);
	if (r < 0)
		goto out;
	if (c.spec->linux_.n_namespaces > ARRAY_SIZE(c.join_fds)) {
		r = husk_error_set(err, -EINVAL, "config.json: linux.namespaces: too many entries");
		goto out;
	}
	r = open_joins(&c, err);
	if (r < 0)
		goto out;
	r = make_state_dir(&c, root, err);
	if (r < 0)
		goto out;
	made_dir = true;
	c.fifo_path = xasprintf("%s/exec.fifo", c.state_dir);
	if (mkfifo(c.fifo_path, 0622) < 0 || chmod(c.fifo_path, 0622) < 0) {
		r = husk_error_sys(err, -errno, "create %s", c.fifo_path);
		goto out;
	}
	c.fifo_fd = open(c.fifo_path, O_PATH | O_CLOEXEC);
	if (c.fifo_fd < 0) {
		r = husk_error_sys(err, -errno, "open %s", c.fifo_path);
		goto out;
	}
	r = copy_config(&c, err);
	if (r < 0)
		goto out;
	if (o->systemd_cgroup)
		r = cg_systemd_plan(c.spec->linux_.cgroups_path, c.id, &c.cgroup_dirs, &c.cgroup_names,
				    &c.spec->annotations, &c.systemd_unit, err);
	else
		r = cgroup_plan(c.spec->linux_.cgroups_path, c.id, &c.cgroup_dirs, &c.cgroup_names, err);
	if (r == 0 && cgroup_check_unused(&c.cgroup_dirs, err) < 0) {
		r = err->code;
		strv_free_items(&c.cgroup_dirs); /* someone else's: never ours to remove */
	}
	/* systemd makes the scope with the init in it (cg_systemd_start) */
	if (r == 0 && !c.systemd_unit)
		r = cgroup_create(&c.cgroup_dirs, &c.spec->linux_.resources, &c.cgroup_made, err);
	/* limits in place before the init exists */
	if (r == 0 && !c.systemd_unit)
		r = cgroup_apply(&c.cgroup_dirs, &c.spec->linux_, err);
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

	r = enter_for_children(&c, &rs, err);
	if (r == 0) {
		unsigned long flags = clone_flags(c.spec);
		if (c.userns_join_fd >= 0 && flags) {
			pid = clone_in_joined_userns(&c, flags, err);
			r = pid < 0 ? (int)pid : 0;
		} else {
			/* fork-like, born in the cgroup on v2 (cgroup-clone.c) */
			int cgfd = c.systemd_unit ? -1 : cgroup_clone_fd(&c.cgroup_dirs);
			pid = cgroup_clone(flags | SIGCHLD, cgfd, &placed);
			if (pid == 0)
				init_main(&c);
			if (cgfd >= 0)
				close(cgfd);
			if (pid < 0)
				r = husk_error_sys(err, pid, "clone container init");
		}
	}
	ns_children_restore(&rs);
	if (r < 0)
		goto out;
	close(c.sync_child);
	c.sync_child = -1;
	husk_debug("create %s: init is pid %d", c.id, (int)pid);

	/* cgroup first: nothing the init does may escape its limits */
	if (c.systemd_unit) {
		r = cg_systemd_start(c.spec->linux_.cgroups_path, c.id, pid, &c.cgroup_dirs, &c.spec->linux_,
				     &c.spec->annotations, &c.systemd_started, err);
	} else {
		r = placed ? 0 : cgroup_enter(&c.cgroup_dirs, pid, err);
	}
	if (r == 0 && c.userns && !husk_spec_namespace(c.spec, CLONE_NEWUSER)->path) {
		r = write_idmap(pid, "uid_map", c.spec->linux_.uid_mappings, c.spec->linux_.n_uid_mappings, err);
		if (r == 0)
			r = write_idmap(pid, "gid_map", c.spec->linux_.gid_mappings,
					c.spec->linux_.n_gid_mappings, err);
	}
	if (r == 0 && sync_send(c.sync_parent, SYNC_BOOTSTRAP, 0, NULL) < 0)
		r = husk_error_sys(err, -errno, "send bootstrap");
	if (r == 0)
		r = send_bind_sources(&c, pid, err);
	if (r == 0)
		r = sync_loop(&c, pid, err);
	if (r == 0)
		*pid_out = pid;
out:
	if (r < 0)
		create_undo(&c, pid, made_dir);
	ctx_free(&c);
	return r;
}
