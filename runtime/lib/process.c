/* The process settings the container's init and an exec'd process share:
 * everything from the joined namespaces to execve. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/keyctl.h>

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


/* A pty from the container's devpts: master to the console socket, slave as stdio. */
int proc_setup_terminal(const struct husk_process *p, int *console_fd, struct husk_error *err)
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
	if (ptsname_r(master, name, sizeof(name)) != 0)
		snprintf(name, sizeof(name), "/dev/ptmx");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return husk_error_sys(err, -errno, "set console size");
	}
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
			return husk_error_sys(err, -errno, "setrlimit %d", p->rlimits[i].resource);
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
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return husk_error_sys(err, -errno, "setgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return husk_error_sys(err, -errno, "setuid %u", u->uid);
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

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Resolve args[0] as execvp would, with the container's PATH, before procReady so
 * that a missing binary fails create, not start. Caller frees. */
static int lookup_exec(const struct husk_process *p, char **out, struct husk_error *err)
{
	const char *name = p->args.v[0], *path;
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *dir;

	if (strchr(name, '/')) {
		if (!is_executable(name))
			return husk_error_sys(err, access(name, X_OK) < 0 ? -errno : -EACCES,
					      "exec: \"%s\"", name);
		*out = xstrdup(name);
		return 0;
	}
	path = env_get(&p->env, "PATH");
	copy = xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (is_executable(cand)) {
			*out = xstrdup(cand);
			return 0;
		}
	}
	return husk_error_set(err, -ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

static int check_cwd(const char *cwd, struct husk_error *err)
{
	char buf[4096];

	if (chdir(cwd) < 0)
		return husk_error_sys(err, -errno, "chdir to cwd (\"%s\") set in config.json", cwd);
	/* a cwd reached through a leaked fd would not be under our root (CVE-2024-21626) */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return husk_error_set(err, -EPERM,
				      "current working directory is outside of the container's root");
	return 0;
}

void proc_join_session_keyring(const char *id)
{
	/* best effort, as runc: kernels without keyrings just skip this */
	(void)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id);
}

/* Load the filter; a notify listener goes to the runtime, which hands it to
 * the agent at listenerPath while we wait (the agent must be up before any
 * notifying syscall of ours, so we hold here until it has the fd). */
static int load_seccomp(const struct husk_spec *s, int sync_fd, struct husk_error *err)
{
	struct sync_msg *msg;
	int nfd, r;

	r = seccomp_apply(s->linux_.seccomp, &nfd, err);
	if (r < 0 || nfd < 0)
		return r;
	r = sync_send_fd(sync_fd, SYNC_PROC_SECCOMP, nfd);
	close(nfd);
	if (r < 0)
		return husk_error_sys(err, r, "send the seccomp notify fd");
	msg = xcalloc(1, sizeof(*msg));
	r = sync_expect(sync_fd, SYNC_PROC_SECCOMP_DONE, msg, err);
	free(msg);
	return r;
}

int proc_keep_fds(int preserve)
{
	for (int fd = 3; fd < 3 + preserve; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return -errno;
	}
	return cloexec_from(3 + preserve);
}


void proc_fail(int sync_fd, const struct husk_error *err)
{
	sync_send_error(sync_fd, err);
	_exit(1);
}

void proc_start(int sync_parent, int sync_child, struct sync_msg *msg)
{
	struct husk_error err = {0};

	close(sync_parent);
	/* if the runtime dies before procRun, so do we (a runtime that died even
	 * earlier shows as EOF on the sync socket below) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(1);
	/* CVE-2016-9962: until execve (which resets it) nothing in the container
	 * may ptrace us or open our /proc files and the host fds they show */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(1);
	reset_signals();
	/* the runtime has put us in the cgroup by now */
	if (sync_expect(sync_child, SYNC_BOOTSTRAP, msg, &err) < 0)
		_exit(1);
}

int proc_apply(const struct husk_spec *s, int sync_fd, bool userns, char **exe, struct husk_error *err)
{
	const struct husk_process *p = s->process;

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
	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the drop */
	if (!p->no_new_privileges && load_seccomp(s, sync_fd, err) < 0)
		return err->code;
	if (caps_before_user(p, err) < 0 || set_user(p, userns, err) < 0 || caps_after_user(p, err) < 0)
		return err->code;
	umask(p->user.has_umask ? p->user.umask : 022);
	if (check_cwd(p->cwd, err) < 0 || lookup_exec(p, exe, err) < 0)
		return err->code;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_sys(err, -errno, "set no_new_privs");
	/* with no_new_privs: as late as possible, so the profile needs few of our syscalls */
	if (p->no_new_privileges && load_seccomp(s, sync_fd, err) < 0)
		return err->code;
	return 0;
}
