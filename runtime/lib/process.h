/* Process setup shared by the container's init (init.c) and exec'd processes
 * (exec-init.c), in the order they must happen. */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>

#include "husk/spec.h"

#include "security.h"

struct sync_msg;

/* What proc_apply leaves for the steps before execve. */
struct proc_setup {
	const struct husk_spec *spec;
	int sync_fd;              /* to the runtime (a notify listener goes there) */
	bool userns;
	struct seccomp_prog seccomp; /* built by proc_apply */
	bool seccomp_loaded;
	char *exe;                /* args[0] resolved */
	char **env;               /* process.env, with HOME added when missing */
};
/* Tell the runtime why (procError) and exit. */
__attribute__((noreturn)) void proc_fail(int sync_fd, const struct husk_error *err);
/* The first steps of a process the runtime cloned (the init or an exec): drop
 * the runtime's end of the sync socket, die with the runtime, become
 * non-dumpable, default signal dispositions and an empty mask, close every
 * fd ≥ 3+preserve that is not close-on-exec (the caller's; runc's init never
 * has them), then wait for BOOTSTRAP (msg is scratch space). Exits on failure.
 * From here the sync socket is written and read as sync_child_mode says. */
void proc_start(int sync_parent, int sync_child, int preserve, struct sync_msg *msg);
/* A new session keyring named after the container (best effort, as runc). */
void proc_join_session_keyring(const char *id);
/* A pty from the devpts mounted at /dev/pts: the master goes over *console_fd
 * (closed and set to -1), the slave becomes the controlling terminal and stdio.
 * clear_onlcr: ONLCR off first (the caller relays the pty, as runc's recvtty).
 * mount_console: the container's init in its own mount namespace, after
 * pivot_root: the slave is bind-mounted on /dev/console (made as an empty
 * 0666 file if missing), as runc's mountConsole; an exec gets no mount. */
int proc_setup_terminal(const struct husk_process *p, int *console_fd, bool clear_onlcr, bool mount_console,
			struct husk_error *err);
/* LSM label, rlimits, scheduler/io priority/personality, oom_score_adj, HOME,
 * the seccomp program (built, not loaded), cwd (runc's two tries: with our
 * rights, then as the user), capabilities and user, umask, args[0] resolved
 * (ps->exe), no_new_privs. Without noNewPrivileges the filter is loaded here,
 * before the capability drop (the load needs CAP_SYS_ADMIN then), as crun. */
int proc_apply(struct proc_setup *ps, struct husk_error *err);
/* With noNewPrivileges, load the filter (and hand a notify fd to the
 * runtime). notify_only: only if it has a listener (the runtime must still be
 * listening). Call it as late as possible: the last step before execve. */
int proc_seccomp_late(struct proc_setup *ps, bool notify_only, struct husk_error *err);
int proc_set_affinity(const char *list, struct husk_error *err);
/* Exit in the init or an exec'd process, also after the seccomp filter is
 * loaded: a profile may deny exit_group too (defaultAction SCMP_ACT_ERRNO),
 * and glibc's _exit then faults on hlt; this raises SIGILL instead, without
 * a sanitizer's _exit in between. (Under ASan such a process still spins in
 * the sanitizer's runtime: t-mutate skips that case there.) */
__attribute__((noreturn)) void proc_exit_filtered(int status);
/* fds 3..3+preserve-1 survive execve; everything above is close-on-exec.
 * filtered: a seccomp filter is loaded already, so only the calls runc's init
 * makes there (/proc/self/fd and fcntl, not close_range). */
int proc_keep_fds(int preserve, bool filtered);

#endif
