/* The container's init, from clone() to execve(): join and set up namespaces,
 * build the rootfs, the sync loop with the runtime, then wait on exec.fifo. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "create.h"
#include "internal.h"
#include "lsm.h"
#include "process.h"
#include "rootfs.h"
#include "sync.h"
#include "util.h"

static int join_namespaces(struct create_ctx *c, bool user_pass, struct husk_error *err)
{
	const struct husk_linux *l = &c->spec->linux_;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct husk_namespace *ns = &l->namespaces[i];
		if (c->join_fds[i] < 0 || (ns->type == CLONE_NEWUSER) != user_pass)
			continue;
		if (ns->type == CLONE_NEWUSER && c->userns_entered)
			continue;
		if (ns->type == CLONE_NEWPID || ns->type == CLONE_NEWTIME || ns->type == CLONE_NEWCGROUP)
			continue; /* pid/time joined by the parent; cgroup after placement */
		if (setns(c->join_fds[i], ns->type) < 0)
			return husk_error_sys(err, -errno, "join %s namespace %s",
					      husk_namespace_name(ns->type), ns->path);
	}
	return 0;
}

static int loopback_up(struct husk_error *err)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};

	if (s < 0)
		return husk_error_sys(err, -errno, "socket for lo");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return husk_error_sys(err, -errno, "get flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return husk_error_sys(err, -errno, "bring lo up");
	return 0;
}

/* runc: the process learns of its socket activation fds from LISTEN_FDS,
 * and it is pid 1 for them. Appended to process.env (our copy). */
static void add_listen_env(struct husk_process *p, int n)
{
	p->env.v = xreallocarray(p->env.v, p->env.n + 3, sizeof(char *));
	p->env.v[p->env.n++] = xasprintf("LISTEN_FDS=%d", n);
	p->env.v[p->env.n++] = xstrdup("LISTEN_PID=1");
	p->env.v[p->env.n] = NULL;
}

void init_main(struct create_ctx *c)
{
	const struct husk_spec *s = c->spec;
	const struct husk_process *p = s->process;
	struct husk_error err = {0};
	struct sync_msg *msg = xcalloc(1, sizeof(*msg));
	struct rootfs_ctx rc = {
		.spec = s, .rootfs = c->rootfs, .bundle = c->bundle, .cgroup_dirs = &c->cgroup_dirs, .cgroup_names = &c->cgroup_names,
		.cgroup_ns = c->cgroup_ns, .userns = c->userns, .no_pivot = c->opts->no_pivot,
	};
	struct proc_setup ps = {.spec = s, .sync_fd = c->sync_child, .userns = c->userns};
	_cleanup_free_ char *fifo = NULL, *start_state = NULL;
	int fd;

	/* socket activation fds come first, then the preserved ones (runc) */
	const int keep = c->opts->listen_fds + c->opts->preserve_fds;

	proc_start(c->sync_parent, c->sync_child, keep, msg);
	if (c->opts->listen_fds > 0)
		add_listen_env(c->spec->process, c->opts->listen_fds);
	if (join_namespaces(c, true, &err) < 0 || join_namespaces(c, false, &err) < 0)
		proc_fail(c->sync_child, &err);
	if (c->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		husk_error_sys(&err, -errno, "become root in the user namespace");
		proc_fail(c->sync_child, &err);
	}
	/* the cgroup namespace is rooted where the parent just placed us */
	if (c->cgroup_ns && unshare(CLONE_NEWCGROUP) < 0) {
		husk_error_sys(&err, -errno, "unshare cgroup namespace");
		proc_fail(c->sync_child, &err);
	}
	if (c->cgroup_ns_fd >= 0 && setns(c->cgroup_ns_fd, CLONE_NEWCGROUP) < 0) {
		husk_error_sys(&err, -errno, "join cgroup namespace");
		proc_fail(c->sync_child, &err);
	}
	if (setsid() < 0) {
		husk_error_sys(&err, -errno, "setsid");
		proc_fail(c->sync_child, &err);
	}
	{
		const struct husk_namespace *net = husk_spec_namespace(s, CLONE_NEWNET);
		if (net && !net->path && loopback_up(&err) < 0)
			proc_fail(c->sync_child, &err);
	}
	if (!c->opts->no_new_keyring) {
		if (lsm_set_keyring_label(p, &err) < 0)
			proc_fail(c->sync_child, &err);
		proc_join_session_keyring(c->id);
	}
	umask(0);
	if (init_recv_bind_sources(c, msg, &err) < 0)
		proc_fail(c->sync_child, &err);
	rc.bind_src_fds = c->bind_src_fds;
	if (rootfs_prepare(&rc, &err) < 0)
		proc_fail(c->sync_child, &err);

	if (sync_send(c->sync_child, SYNC_PROC_HOOKS, 0, NULL) < 0)
		_exit(1);
	if (sync_expect(c->sync_child, SYNC_PROC_RESUME, msg, &err) < 0)
		_exit(1);
	/* as runc's init: in the rootfs directory, with the process's env */
	if (hooks_run_in(s->hooks[HUSK_HOOK_CREATE_CONTAINER], s->n_hooks[HUSK_HOOK_CREATE_CONTAINER],
			 HUSK_HOOK_CREATE_CONTAINER, msg->payload, c->rootfs, p ? p->env.v : NULL, &err) < 0)
		proc_fail(c->sync_child, &err);

	fifo = xasprintf("/proc/self/fd/%d", c->fifo_fd);
	if (rootfs_pivot(&rc, &err) < 0)
		proc_fail(c->sync_child, &err);
	if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
		husk_error_sys(&err, -errno, "sethostname %s", s->hostname);
		proc_fail(c->sync_child, &err);
	}
	if (s->domainname && *s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) {
		husk_error_sys(&err, -errno, "setdomainname %s", s->domainname);
		proc_fail(c->sync_child, &err);
	}
	if (p->terminal && proc_setup_terminal(p, &c->console_fd, c->opts->console_clear_onlcr,
					       husk_spec_namespace(s, CLONE_NEWNS) != NULL, &err) < 0)
		proc_fail(c->sync_child, &err);
	if (rootfs_finalize(&rc, &err) < 0 || proc_apply(&ps, &err) < 0)
		proc_fail(c->sync_child, &err);

	if (sync_send(c->sync_child, SYNC_PROC_READY, 0, NULL) < 0)
		_exit(1);
	if (sync_expect(c->sync_child, SYNC_PROC_RUN, msg, &err) < 0)
		_exit(1);
	start_state = xstrdup(msg->payload);
	free(msg);
	/* a notify listener needs the runtime, which listens until we close */
	if (proc_seccomp_late(&ps, true, &err) < 0)
		proc_fail(c->sync_child, &err);
	/* from here on we outlive the runtime process */
	prctl(PR_SET_PDEATHSIG, 0);
	/* the runtime waits for this EOF: a close the profile denies must be an
	 * error it hears (runc: "close log pipe fd"), not a create that hangs */
	if (close(c->sync_child) < 0) {
		husk_error_sys(&err, -errno, "close the sync socket");
		proc_fail(c->sync_child, &err);
	}
	if (proc_keep_fds(keep, ps.seccomp_loaded) < 0)
		_exit(1);

	/* blocks until `start` opens the other end */
	do
		fd = open(fifo, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		char buf[64];
		int e = errno;
		/* reached through /proc/self/fd: without a /proc mount it is not there */
		dprintf(STDERR_FILENO, "husk: start: open exec fifo %s: %s%s\n", fifo,
			husk_strerror(-e, buf, sizeof(buf)),
			e == ENOENT ? " (is /proc mounted in the container?)" : "");
		_exit(1);
	}
	if (write_full(fd, "0", 1) < 0)
		_exit(1);
	close(fd);
	close(c->fifo_fd);
	/* in the process's cwd (entered already), with its env, as runc */
	if (hooks_run_in(s->hooks[HUSK_HOOK_START_CONTAINER], s->n_hooks[HUSK_HOOK_START_CONTAINER],
			 HUSK_HOOK_START_CONTAINER, start_state, NULL, p ? p->env.v : NULL, &err) < 0) {
		dprintf(STDERR_FILENO, "husk: start: %s\n", err.msg);
		_exit(1);
	}
	if (proc_set_affinity(p->exec_cpu_affinity_final, &err) < 0 || proc_seccomp_late(&ps, false, &err) < 0) {
		dprintf(STDERR_FILENO, "husk: start: %s\n", err.msg);
		_exit(1);
	}
	/* nothing but execve after the filter (and the error report, if it fails) */
	execve(ps.exe, p->args.v, ps.env ? ps.env : (char *[]){NULL});
	{
		/* the error convention, as the other failures of the init after create */
		char buf[64];
		dprintf(STDERR_FILENO, "husk: start: exec %s: %s\n", ps.exe,
			husk_strerror(-errno, buf, sizeof(buf)));
	}
	proc_exit_filtered(127);
}
