/* start, kill, delete and list: the operations on an existing state directory. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "husk/log.h"
#include "cgroup-systemd.h"
#include "internal.h"
#include "util.h"

int pidfd_for(pid_t pid, uint64_t start_time)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint64_t now;

	if (fd < 0)
		return -errno;
	/* the pidfd pins the process: if the start time matches now, it is ours */
	if (proc_stat(pid, &now, NULL) < 0 || now != start_time) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* Wait until the init has exited (a zombie counts), up to timeout_ms. */
static int wait_gone(const struct husk_state *st, int timeout_ms)
{
	_cleanup_close_ int pidfd = pidfd_for(st->pid, st->start_time);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int n;

	if (pidfd < 0)
		return 0;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -ETIMEDOUT;
}

int husk_start(const char *root, const char *id, struct husk_error *err)
{
	struct husk_state *st;
	_cleanup_free_ char *fifo = NULL, *state = NULL;
	_cleanup_close_ int fd = -1, pidfd = -1;
	struct husk_spec *spec = NULL;
	int r;

	r = husk_state_load(root, id, &st, err);
	if (r < 0)
		return r;
	if (st->status != HUSK_STATUS_CREATED) {
		r = husk_error_set(err, -EINVAL, st->status == HUSK_STATUS_STOPPED
							 ? "cannot start a container that has stopped"
							 : "cannot start an already running container");
		goto out;
	}
	{
		/* before the release: a start that fails must not leave the process running */
		_cleanup_free_ char *config = xasprintf("%s/config.json", st->state_dir);
		r = husk_spec_load(config, &spec, err);
		if (r < 0)
			goto out;
	}
	/* the pidfd first: once the fifo is open the init may run, end and be
	 * reaped before we look, and a pid looked up after that is gone */
	pidfd = pidfd_for(st->pid, st->start_time);
	if (pidfd < 0) {
		r = husk_error_set(err, -ESRCH, "container init exited before it was started");
		goto out;
	}
	fifo = xasprintf("%s/exec.fifo", st->state_dir);
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = husk_error_sys(err, -errno, "open %s", fifo);
		goto out;
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
		char b;
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = husk_error_sys(err, -errno, "poll exec fifo");
			goto out;
		}
		n = read(fd, &b, 1);
		if (n == 1)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r = husk_error_sys(err, -errno, "read %s", fifo);
			goto out;
		}
		if (p[1].revents & POLLIN) {
			r = husk_error_set(err, -ESRCH, "container init exited before it was started");
			goto out;
		}
	}
	if (unlink(fifo) < 0)
		husk_warn("remove %s: %s", fifo, strerror(errno));
	state = hook_state_json(st->id, st->pid, "running", st->bundle, &st->annotations);
	r = hooks_run(spec->hooks[HUSK_HOOK_POSTSTART], spec->n_hooks[HUSK_HOOK_POSTSTART],
		      HUSK_HOOK_POSTSTART, state, err);
	if (r < 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
out:
	husk_spec_free(spec);
	husk_state_free(st);
	return r;
}

int husk_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err)
{
	struct husk_state *st;
	int r, pidfd;

	if (sig < 0 || sig >= NSIG) /* 0 probes, as kill(2) */
		return husk_error_set(err, -EINVAL, "invalid signal %d", sig);
	r = husk_state_load(root, id, &st, err);
	if (r < 0)
		return r;
	if (st->status == HUSK_STATUS_STOPPED && !all) {
		r = husk_error_set(err, -ESRCH, "container not running");
	} else if (all) {
		r = cgroup_signal_all(&st->cgroup_dirs, sig, err);
	} else {
		pidfd = pidfd_for(st->pid, st->start_time);
		if (pidfd < 0)
			r = husk_error_set(err, -ESRCH, "container not running");
		else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
			r = husk_error_sys(err, -errno, "signal %d to pid %d", sig, (int)st->pid);
		if (pidfd >= 0)
			close(pidfd);
	}
	husk_state_free(st);
	return r;
}

/* Remove only the files husk itself puts in a state directory. */
static int remove_state_dir(const char *dir, struct husk_error *err)
{
	static const char *const files[] = {"exec.fifo", "state.json", "config.json"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *f = xasprintf("%s/%s", dir, files[i]);
		if (unlink(f) < 0 && errno != ENOENT)
			return husk_error_sys(err, -errno, "remove %s", f);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return husk_error_sys(err, -errno, "remove %s", dir);
	return 0;
}

static int destroy(struct husk_state *st, struct husk_error *err)
{
	_cleanup_free_ char *config = xasprintf("%s/config.json", st->state_dir), *state = NULL;
	struct husk_error hook_err = {0}, spec_err = {0};
	struct husk_spec *spec = NULL;
	int r;

	if (husk_spec_load(config, &spec, &spec_err) < 0)
		husk_warn("delete %s: no poststop hooks: %s", st->id, spec_err.msg);
	/* without a pid namespace, processes can outlive the init */
	if (st->cgroup_dirs.n)
		(void)cgroup_signal_all(&st->cgroup_dirs, SIGKILL, &hook_err);
	/* a systemd scope is stopped (systemd removes its cgroup), then what is left, as runc */
	r = st->systemd_unit ? cg_systemd_stop(st->systemd_unit, err) : 0;
	if (r == 0)
		r = cgroup_destroy(&st->cgroup_dirs, err);
	if (r == 0)
		r = remove_state_dir(st->state_dir, err);
	if (r == 0 && spec) {
		state = hook_state_json(st->id, st->pid, "stopped", st->bundle, &st->annotations);
		if (hooks_run(spec->hooks[HUSK_HOOK_POSTSTOP], spec->n_hooks[HUSK_HOOK_POSTSTOP],
			      HUSK_HOOK_POSTSTOP, state, &hook_err) < 0)
			husk_warn("delete %s: %s", st->id, hook_err.msg);
	}
	husk_spec_free(spec);
	return r;
}

/* SIGKILL to the init, through a pidfd of the pid and start time recorded
 * (never to a process that reused the pid) */
static void kill_init(const struct husk_state *st)
{
	int pidfd = pidfd_for(st->pid, st->start_time);

	if (pidfd < 0)
		return;
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		husk_warn("delete %s: kill init: %s", st->id, strerror(errno));
	close(pidfd);
}

int husk_delete(const char *root, const char *id, bool force, struct husk_error *err)
{
	struct husk_state *st;
	int r;

	r = husk_state_load(root, id, &st, err);
	if (r == -ENOENT && force) {
		/* a create that crashed may have left a bare directory */
		_cleanup_free_ char *dir = state_dir_path(root, id);
		husk_error_clear(err);
		return remove_state_dir(dir, err);
	}
	if (r < 0)
		return r;
	switch (st->status) {
	case HUSK_STATUS_STOPPED:
		break;
	case HUSK_STATUS_CREATED:
		/* never started: nothing of the user's runs yet, delete needs no --force */
		kill_init(st);
		break;
	default:
		if (!force) {
			r = husk_error_set(err, -EBUSY, "cannot delete container %s that is not stopped: %s",
					   st->id, husk_status_name(st->status));
			goto out;
		}
		/* the init by its pid too, as runc's delete -f: it may have left the
		 * cgroup (moved by someone, or a systemd property such as Slice put
		 * the scope elsewhere), and then the cgroup's kill misses it */
		kill_init(st);
		r = cgroup_signal_all(&st->cgroup_dirs, SIGKILL, err);
		if (r < 0)
			goto out;
		/* frozen tasks (v1) cannot act on SIGKILL until thawed */
		if (st->status == HUSK_STATUS_PAUSED)
			r = cgroup_freeze(&st->cgroup_dirs, false, err);
		if (r < 0)
			goto out;
	}
	if (wait_gone(st, 10000) < 0) {
		r = husk_error_set(err, -ETIMEDOUT, "container init %d did not exit", (int)st->pid);
		goto out;
	}
	r = destroy(st, err);
out:
	husk_state_free(st);
	return r;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct husk_state *const *)a)->id, (*(struct husk_state *const *)b)->id);
}

int husk_list(const char *root, struct husk_state ***out, size_t *n, struct husk_error *err)
{
	const char *dir = root && *root ? root : HUSK_DEFAULT_ROOT;
	DIR *d = opendir(dir);
	struct dirent *e;
	char *owner = NULL;
	uid_t owner_uid = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : husk_error_sys(err, -errno, "open %s", dir);
	while ((e = readdir(d))) {
		struct husk_error ignore = {0};
		struct husk_state *st;
		struct stat sb;

		if (e->d_name[0] == '.' || husk_state_load(dir, e->d_name, &st, &ignore) < 0)
			continue;
		if (stat(st->state_dir, &sb) == 0) {
			/* one read of /etc/passwd per owner, not per container */
			if (!owner || sb.st_uid != owner_uid) {
				free(owner);
				owner = user_name_of(sb.st_uid);
				owner_uid = sb.st_uid;
			}
			free(st->owner);
			st->owner = xstrdup(owner);
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = st;
	}
	closedir(d);
	free(owner);
	qsort(*out, *n, sizeof(**out), by_id);
	return 0;
}
