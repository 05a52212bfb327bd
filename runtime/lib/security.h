/* Process privileges of the container's process: capabilities around the user switch. */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include <stdbool.h>

#include "husk/spec.h"

struct sock_filter;

/* Before setuid: drop what the bounding set does not hold and keep the
 * permitted set across the uid change. */
int caps_before_user(const struct husk_process *p, struct husk_error *err);
/* After setuid: set effective, permitted, inheritable; raise ambient. */
int caps_after_user(const struct husk_process *p, struct husk_error *err);

/* A linux.seccomp filter built in memory, ready to load with one syscall. */
struct seccomp_prog {
	struct sock_filter *insns; /* NULL: no filter */
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	bool notify;        /* has SCMP_ACT_NOTIFY rules: loading makes a listener */
};
/* Build the filter of linux.seccomp (NULL: *out stays empty) with libseccomp,
 * without loading it, so that every mistake in the profile shows at create and
 * the load itself is one syscall. Unless the default action is permissive, the
 * program starts with runc's -ENOSYS prologue (a syscall newer than every one the
 * profile names gets ENOSYS). Free with seccomp_prog_free. */
int seccomp_prepare(const struct husk_seccomp *sc, struct seccomp_prog *out, struct husk_error *err);
/* Load it on this thread with seccomp(2) and nothing else: no_new_privs is
 * left alone (runc: only process.noNewPrivileges sets it), so without it the
 * caller needs CAP_SYS_ADMIN. Returns the listener fd with NOTIFY rules, -1
 * without, -errno on failure. */
int seccomp_load_prog(const struct seccomp_prog *p);
void seccomp_prog_free(struct seccomp_prog *p);

/* Hand a seccomp listener fd to the agent at path, with the container process
 * state (runtime-spec "containerProcessState") as the message. */
int seccomp_listener_send(const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			  int notify_fd, struct husk_error *err);

/* The runtime's answer to procSeccomp: the fd to the agent, then
 * procSeccompDone to the process on sync_fd. */
int seccomp_listener_handoff(int sync_fd, const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			     int notify_fd, struct husk_error *err);

#endif
