/* Process setup shared by the container's init (init.c) and exec'd processes
 * (exec-init.c), in the order they must happen. */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>

#include "husk/spec.h"

struct sync_msg;
/* Tell the runtime why (procError) and exit. */
__attribute__((noreturn)) void proc_fail(int sync_fd, const struct husk_error *err);
/* The first steps of a process the runtime cloned (the init or an exec): drop
 * the runtime's end of the sync socket, die with the runtime, become
 * non-dumpable, default signal dispositions and an empty mask, then wait for
 * BOOTSTRAP (msg is scratch space). Exits on failure. */
void proc_start(int sync_parent, int sync_child, struct sync_msg *msg);
/* A new session keyring named after the container (best effort, as runc). */
void proc_join_session_keyring(const char *id);
/* A pty from the devpts mounted at /dev/pts: the master goes over *console_fd
 * (closed and set to -1), the slave becomes the controlling terminal and stdio. */
int proc_setup_terminal(const struct husk_process *p, int *console_fd, struct husk_error *err);
/* LSM label, rlimits, scheduler/io priority/personality, oom_score_adj,
 * seccomp (handing a notify fd over sync_fd), capabilities, user, umask,
 * cwd, and the resolved path of args[0] in *exe (caller frees). */
int proc_apply(const struct husk_spec *s, int sync_fd, bool userns, char **exe, struct husk_error *err);
int proc_set_affinity(const char *list, struct husk_error *err);
/* fds 3..3+preserve-1 survive execve; everything above is close-on-exec. */
int proc_keep_fds(int preserve);

#endif
