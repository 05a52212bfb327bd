/* Process privileges of the container's process: capabilities around the user switch. */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include "husk/spec.h"

/* Before setuid: drop what the bounding set does not hold and keep the
 * permitted set across the uid change. */
int caps_before_user(const struct husk_process *p, struct husk_error *err);
/* After setuid: set effective, permitted, inheritable; raise ambient. */
int caps_after_user(const struct husk_process *p, struct husk_error *err);

/* Build the filter of linux.seccomp and load it on this process. With
 * SCMP_ACT_NOTIFY rules, *notify_fd is the listener fd (else -1). */
int seccomp_apply(const struct husk_seccomp *sc, int *notify_fd, struct husk_error *err);

/* Hand a seccomp listener fd to the agent at path, with the container process
 * state (runtime-spec "containerProcessState") as the message. */
int seccomp_listener_send(const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			  int notify_fd, struct husk_error *err);

/* The runtime's answer to procSeccomp: the fd to the agent, then
 * procSeccompDone to the process on sync_fd. */
int seccomp_listener_handoff(int sync_fd, const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			     int notify_fd, struct husk_error *err);

#endif
