/* The process settings the container's init and an exec'd process share:
 * everything from the joined namespaces to execve. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "husk/husk.h"
#include "lsm.h"
#include "process.h"
#include "security.h"
#include "sync.h"
#include "util.h"

static void reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}


/* runc's mountConsole: programs that write to /dev/console (init systems,
 * getty, logging to the console) reach the container's terminal. The file is
 * made with O_EXCL and never opened if it exists: a device node left in the
 * rootfs is covered, not opened (runc opens it, which a device rule denies). */
static int mount_console(const char *pts, struct husk_error *err)
{
	int fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0 && errno != EEXIST)
		return husk_error_sys(err, -errno, "create /dev/console");
	if (fd >= 0)
		close(fd);
	if (mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return husk_error_sys(err, -errno, "mount %s on /dev/console", pts);
	return 0;
}

/* A pty from the container's devpts: master to the console socket, slave as stdio. */
int proc_setup_terminal(const struct husk_process *p, int *console_fd, bool clear_onlcr, bool mount_console_too,
			struct husk_error *err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	char name[128];
	int unlock = 0;

	if (master < 0)
		return husk_error_sys(err, -errno, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return husk_error_sys(err, -errno, "unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return husk_error_sys(err, -errno, "open pty peer");
	if (ptsname_r(master, name, sizeof(name)) != 0) {
		if (mount_console_too)
			return husk_error_sys(err, -errno, "name of the pty");
		snprintf(name, sizeof(name), "/dev/ptmx");
	}
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return husk_error_sys(err, -errno, "set console size");
	}
	/* before the master leaves: nothing the process writes is translated */
	if (clear_onlcr && husk_console_clear_onlcr(slave, err) < 0)
		return err->code;
	if (mount_console_too && mount_console(name, err) < 0)
		return err->code;
	if (send_with_fd(*console_fd, name, strlen(name), master) < 0)
		return husk_error_sys(err, -errno, "send pty master to the console socket");
	close(*console_fd);
	*console_fd = -1;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_error_sys(err, -errno, "make %s the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return husk_error_sys(err, -errno, "dup pty to fd %d", fd);
	return 0;
}


static int set_rlimits(const struct husk_process *p, struct husk_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return husk_error_sys(err, -errno, "process.rlimits[%zu]: setrlimit %s (soft %llu, hard %llu)",
					      i, husk_rlimit_name(p->rlimits[i].resource),
					      (unsigned long long)p->rlimits[i].soft,
					      (unsigned long long)p->rlimits[i].hard);
	}
	return 0;
}

/* "0-3,7" → a cpu set */
static int parse_cpus(const char *list, cpu_set_t *set)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL, *tok;

	CPU_ZERO(set);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-'), *end;
		long a = strtol(tok, &end, 10), b = a;
		if (end == tok || (dash && end != dash) || (!dash && *end))
			return -EINVAL;
		if (dash) {
			b = strtol(dash + 1, &end, 10);
			if (*end || end == dash + 1)
				return -EINVAL;
		}
		if (a < 0 || b < a || b >= CPU_SETSIZE)
			return -EINVAL;
		for (long i = a; i <= b; i++)
			CPU_SET(i, set);
	}
	return 0;
}

int proc_set_affinity(const char *list, struct husk_error *err)
{
	cpu_set_t set;

	if (!list || !*list)
		return 0;
	if (parse_cpus(list, &set) < 0)
		return husk_error_set(err, -EINVAL, "process.execCPUAffinity: invalid cpu list \"%s\"", list);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return husk_error_sys(err, -errno, "set cpu affinity %s", list);
	return 0;
}

/* ioPriority, scheduler and personality: process attributes set in the init */
static int set_process_attrs(const struct husk_spec *s, struct husk_error *err)
{
	const struct husk_process *p = s->process;

	if (p->has_io_priority &&
	    syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
		    (p->io_priority.klass << 13) | p->io_priority.priority) < 0)
		return husk_error_sys(err, -errno, "set io priority");
	if (p->has_scheduler) {
		struct {
			uint32_t size, policy;
			uint64_t flags;
			int32_t nice;
			uint32_t priority;
			uint64_t runtime, deadline, period;
		} attr = {sizeof(attr), (uint32_t)p->scheduler.policy, p->scheduler.flags,
			  p->scheduler.nice, (uint32_t)p->scheduler.priority, p->scheduler.runtime,
			  p->scheduler.deadline, p->scheduler.period};
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
			return husk_error_sys(err, -errno, "set scheduler");
	}
	if (s->linux_.has_personality) {
		unsigned long pers = !strcmp(s->linux_.personality.domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
		if (personality(pers) < 0)
			return husk_error_sys(err, -errno, "set personality %s", s->linux_.personality.domain);
	}
	return proc_set_affinity(p->exec_cpu_affinity_initial, err);
}

static int set_user(const struct husk_process *p, bool userns, struct husk_error *err)
{
	const struct husk_user *u = &p->user;

	if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0 &&
	    !(userns && errno == EPERM && u->n_additional_gids == 0))
		return husk_error_sys(err, -errno, "setgroups");
	/* setgid/setuid, the syscalls runc makes (as root they set all three
	 * ids): a profile written for runc allows these, maybe not setres*id */
	if (syscall(SYS_setgid, u->gid) < 0)
		return husk_error_sys(err, -errno, "setgid %u", u->gid);
	if (syscall(SYS_setuid, u->uid) < 0)
		return husk_error_sys(err, -errno, "setuid %u", u->uid);
	return 0;
}

/* runc's fixStdioPermissions: stdio (the console too) belongs to the user the
 * process runs as, so it can reopen /dev/stdout or control its terminal. The
 * group is kept (the devpts gid=5 for a pty). Unlike runc, only pipes,
 * sockets, files and pty slaves are chowned, never another device: a host
 * device node given as stdio (/dev/null, /dev/zero...) stays the host's. A
 * file we may not chown (EINVAL, EPERM, EROFS) is left as it is, as runc. */
static int fix_stdio_owner(uid_t uid, struct husk_error *err)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return husk_error_sys(err, -errno, "fstat stdio fd %d", fd);
		}
		if (st.st_uid == uid || S_ISBLK(st.st_mode))
			continue;
		/* UNIX98 pty slaves: majors 136-143 */
		if (S_ISCHR(st.st_mode) && (major(st.st_rdev) < 136 || major(st.st_rdev) > 143))
			continue;
		if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
			return husk_error_sys(err, -errno, "chown stdio fd %d to uid %u", fd, (unsigned)uid);
	}
	return 0;
}

static const char *env_get(const struct husk_strv *env, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], key, klen) && env->v[i][klen] == '=')
			return env->v[i] + klen + 1;
	return NULL;
}

/* errors that are the file system's answer, not a syscall the profile denied */
static bool real_answer(int e)
{
	return e == ENOENT || e == ENOTDIR || e == EACCES || e == ELOOP || e == ENAMETOOLONG;
}

/* 0 when path is a file this process may execute, checked with its effective
 * ids and capabilities (AT_EACCESS: CAP_DAC_OVERRIDE counts, as in runc's
 * LookPath), else -errno. A check the seccomp profile denies (this may run
 * after the filter is loaded) does not refuse: execve has the last word. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return real_answer(errno) ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	if (real_answer(errno))
		return -errno;
	return st.st_mode & 0111 ? 0 : -EACCES;
}

/* Resolve args[0] as execvp would, with the container's PATH, before procReady so
 * that a missing binary fails create, not start. Caller frees. */
static int lookup_exec(const struct husk_process *p, char **out, struct husk_error *err)
{
	const char *name = p->args.v[0], *path;
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *dir;

	if (strchr(name, '/')) {
		int r = executable(name);
		if (r < 0)
			return husk_error_sys(err, r, "exec: \"%s\"", name);
		*out = xstrdup(name);
		return 0;
	}
	path = env_get(&p->env, "PATH");
	copy = xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (executable(cand) == 0) {
			*out = xstrdup(cand);
			return 0;
		}
	}
	return husk_error_set(err, -ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

/* A cwd reached through a leaked fd would not be under our root
 * (CVE-2024-21626). strict: getcwd must answer; otherwise (after the seccomp
 * load) a getcwd the profile denies is not taken as an escape. */
static int verify_cwd(bool strict, struct husk_error *err)
{
	char buf[4096];

	if (getcwd(buf, sizeof(buf)) && buf[0] == '/')
		return 0;
	if (!strict && errno != ENOENT && errno != ERANGE)
		return 0;
	return husk_error_set(err, -EPERM, "current working directory is outside of the container's root");
}

/* runc's first try: with the runtime's rights, before the user switch (a cwd
 * only root may enter works for any user). Returns 1 when entered, 0 when a
 * permission error leaves it to the second try, else -errno. */
static int enter_cwd_first(const char *cwd, struct husk_error *err)
{
	if (chdir(cwd) == 0)
		return verify_cwd(true, err) < 0 ? err->code : 1;
	if (errno == EACCES || errno == EPERM)
		return 0;
	return husk_error_sys(err, -errno, "chdir to cwd (\"%s\") set in config.json", cwd);
}

/* The second try, as the process's user (a cwd only it may enter). */
static int enter_cwd_again(const char *cwd, struct husk_error *err)
{
	if (chdir(cwd) < 0)
		return husk_error_sys(err, -errno, "chdir to cwd (\"%s\") set in config.json", cwd);
	return verify_cwd(false, err);
}

/* HOME when process.env lacks it (or has it empty): the home of the process's
 * uid in the container's /etc/passwd, else "/", as runc's setupUser. */
static char **env_with_home(const struct husk_process *p)
{
	_cleanup_free_ char *text = NULL;
	const char *home = env_get(&p->env, "HOME");
	char **env;
	size_t n = 0;

	if (home && *home)
		return p->env.v;
	home = "/";
	if (read_file("/etc/passwd", &text, NULL) == 0) {
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[7] = {0}, *q = line;
			size_t nf = 0;
			while (nf < 7) {
				f[nf++] = q;
				q = strchr(q, ':');
				if (!q)
					break;
				*q++ = '\0';
			}
			if (nf >= 6 && *f[2] && strtoul(f[2], NULL, 10) == p->user.uid &&
			    strspn(f[2], "0123456789") == strlen(f[2])) {
				home = f[5];
				break;
			}
		}
	}
	env = xcalloc(p->env.n + 2, sizeof(char *));
	for (size_t i = 0; i < p->env.n; i++)
		if (strncmp(p->env.v[i], "HOME=", 5))
			env[n++] = p->env.v[i];
	env[n++] = xasprintf("HOME=%s", home);
	env[n] = NULL;
	return env;
}

void proc_join_session_keyring(const char *id)
{
	/* best effort, as runc: kernels without keyrings just skip this */
	(void)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id);
}

/* Load the prepared filter; a notify listener goes to the runtime, which
 * hands it to the agent at listenerPath while we wait (the agent must be up
 * before any notifying syscall of ours, so we hold here until it has the fd).
 * The load is one syscall; what follows it is this exchange only. */
static int load_seccomp(struct proc_setup *ps, struct husk_error *err)
{
	struct sync_msg *msg;
	int nfd, r;

	if (!ps->seccomp.insns || ps->seccomp_loaded)
		return 0;
	nfd = seccomp_load_prog(&ps->seccomp);
	if (nfd < -1)
		return husk_error_sys(err, nfd, "load seccomp filter");
	ps->seccomp_loaded = true;
	if (nfd < 0)
		return 0;
	r = sync_send_fd(ps->sync_fd, SYNC_PROC_SECCOMP, nfd);
	close(nfd);
	if (r < 0)
		return husk_error_sys(err, r, "send the seccomp notify fd");
	msg = xcalloc(1, sizeof(*msg));
	r = sync_expect(ps->sync_fd, SYNC_PROC_SECCOMP_DONE, msg, err);
	free(msg);
	return r;
}

int proc_seccomp_late(struct proc_setup *ps, bool notify_only, struct husk_error *err)
{
	if (!ps->spec->process->no_new_privileges || (notify_only && !ps->seccomp.notify))
		return 0;
	return load_seccomp(ps, err);
}

/* Close every fd from `from` on that is not close-on-exec: the caller's, which
 * husk inherited (its own are O_CLOEXEC from birth). runc's init never gets
 * them; here they are gone before anything runs in the container. */
static int close_inherited(int from)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		long long fd;
		int fl;
		if (parse_int(e->d_name, from, INT_MAX, &fd) < 0 || fd == dirfd(d))
			continue;
		fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			close((int)fd);
	}
	closedir(d);
	return 0;
}

/* Mark every fd from `from` on close-on-exec, with close_range or, where that
 * is missing, denied or (filtered) not to be tried, one by one. */
static int mark_cloexec_from(int from, bool filtered)
{
	DIR *d;
	struct dirent *e;

	if (!filtered && cloexec_from(from) == 0)
		return 0;
	if (!(d = opendir("/proc/self/fd")))
		return -errno;
	while ((e = readdir(d))) {
		long long fd;
		if (parse_int(e->d_name, from, INT_MAX, &fd) == 0 && fd != dirfd(d))
			(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

int proc_keep_fds(int preserve, bool filtered)
{
	for (int fd = 3; fd < 3 + preserve; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return -errno;
	}
	/* belt and braces: proc_start closed every inherited fd and ours are
	 * close-on-exec, so a profile denying this cannot leak anything */
	(void)mark_cloexec_from(3 + preserve, filtered);
	return 0;
}

void proc_exit_filtered(int status)
{
	/* the raw syscall: a sanitizer's _exit would try to report first */
	syscall(SYS_exit_group, status);
	/* denied (a profile whose default is an errno): a fault needs no syscall */
	__builtin_trap();
}

void proc_fail(int sync_fd, const struct husk_error *err)
{
	sync_send_error(sync_fd, err);
	proc_exit_filtered(1);
}

void proc_start(int sync_parent, int sync_child, int preserve, struct sync_msg *msg)
{
	struct husk_error err = {0};

	close(sync_parent);
	sync_child_mode();
	/* if the runtime dies before procRun, so do we (a runtime that died even
	 * earlier shows as EOF on the sync socket below) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(1);
	/* CVE-2016-9962: until execve (which resets it) nothing in the container
	 * may ptrace us or open our /proc files and the host fds they show */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(1);
	reset_signals();
	if (close_inherited(3 + preserve) < 0)
		_exit(1);
	/* the runtime has put us in the cgroup by now */
	if (sync_expect(sync_child, SYNC_BOOTSTRAP, msg, &err) < 0)
		_exit(1);
}

int proc_apply(struct proc_setup *ps, struct husk_error *err)
{
	const struct husk_spec *s = ps->spec;
	const struct husk_process *p = s->process;
	int in_cwd;

	if (lsm_apply_exec(p, err) < 0 || set_rlimits(p, err) < 0 || set_process_attrs(s, err) < 0)
		return err->code;
	if (p->has_oom_score_adj) {
		char v[16];
		int r;
		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		r = write_file("/proc/self/oom_score_adj", v, strlen(v));
		if (r < 0)
			return husk_error_sys(err, r, "write oom_score_adj");
	}
	ps->env = env_with_home(p);
	if (seccomp_prepare(s->linux_.seccomp, &ps->seccomp, err) < 0)
		return err->code;
	in_cwd = enter_cwd_first(p->cwd, err);
	if (in_cwd < 0)
		return in_cwd;
	/* before the filter: runc sets it while preparing the rootfs, so a
	 * profile need not allow umask (denied, the process would keep our 0) */
	umask(p->user.has_umask ? p->user.umask : 022);
	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the
	 * drop (crun's order); only the user and capability switch follow it,
	 * and every call after it is one runc's init makes after its own load */
	if (!p->no_new_privileges && load_seccomp(ps, err) < 0)
		return err->code;
	if (fix_stdio_owner(p->user.uid, err) < 0)
		return err->code;
	if (caps_before_user(p, err) < 0 || set_user(p, ps->userns, err) < 0 || caps_after_user(p, err) < 0)
		return err->code;
	if (!in_cwd && enter_cwd_again(p->cwd, err) < 0)
		return err->code;
	if (lookup_exec(p, &ps->exe, err) < 0)
		return err->code;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_sys(err, -errno, "set no_new_privs");
	/* with no_new_privs the filter is loaded by proc_seccomp_late, as late as possible */
	return 0;
}