/* Messages between the runtime (parent) and the container's init on the
 * SOCK_SEQPACKET sync socket: one message per packet, each answered. */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

enum sync_type {
	SYNC_BOOTSTRAP = 1, /* parent → init: cgroup entered, id maps written; go on */
	SYNC_PROC_HOOKS,    /* init → parent: mounts done; run prestart/createRuntime */
	SYNC_PROC_RESUME,   /* parent → init: hooks done (payload: state JSON) */
	SYNC_PROC_READY,    /* init → parent: about to wait on exec.fifo */
	SYNC_PROC_RUN,      /* parent → init: state written (payload: state JSON) */
	SYNC_PROC_ERROR,    /* either way: failure (payload: message) */
	SYNC_PROC_SECCOMP,  /* init → parent: the seccomp notify fd (SCM_RIGHTS) */
	SYNC_PROC_SECCOMP_DONE, /* parent → init: fd handed to the listener */
	SYNC_INIT_PIDFD,    /* intermediate → parent: pidfd of the init it cloned */
	SYNC_MOUNT_SOURCE,  /* parent → init (user namespace): a bind source opened with the
			     * runtime's rights (SCM_RIGHTS; code: the mount's index) */
};

#define SYNC_PAYLOAD_MAX (64 * 1024)

struct sync_msg {
	uint32_t type;
	int32_t code;
	uint32_t len;
	char payload[SYNC_PAYLOAD_MAX];
};

const char *sync_type_name(uint32_t type);

/* For the cloned init and exec'd process, from its start: its messages
 * without an fd are written and read with write(2)/read(2) only, as runc's
 * init does (JSON on the pipe), since a seccomp profile loaded before its last
 * messages (noNewPrivileges false) need allow no more than runc's init makes:
 * send/recv would be denied there and the error report lost with them. The
 * runtime's side keeps send(MSG_NOSIGNAL), so a dead child is EPIPE, not
 * SIGPIPE. */
void sync_child_mode(void);

int sync_send(int fd, enum sync_type type, int code, const char *payload);
int sync_send_error(int fd, const struct husk_error *err);
/* A message that carries an fd (and a code). */
int sync_send_fd(int fd, enum sync_type type, int passfd);
int sync_send_fd_code(int fd, enum sync_type type, int code, int passfd);
/* Receive one message. -EPIPE when the peer closed the socket. An fd passed
 * with it lands in *passfd (-1 if none); sync_recv closes any such fd. */
int sync_recv_fd(int fd, struct sync_msg *msg, int *passfd);
int sync_recv(int fd, struct sync_msg *msg);
/* Receive and require `type`; a SYNC_PROC_ERROR becomes err. */
int sync_expect(int fd, enum sync_type type, struct sync_msg *msg, struct husk_error *err);

/* The runtime's side of the protocol for a process it cloned (the init of
 * create, or an exec'd process), in sync-loop.c. */
struct sync_loop {
	int fd;             /* our end of the sync socket */
	pid_t pid;          /* the process, for the seccomp agent's state */
	const char *id, *bundle, *status; /* the container, its status for the agent */
	const struct husk_kvv *annotations;
	const struct husk_seccomp *seccomp;
	const char *who;    /* "container init", for "... exited during setup" */
	/* procHooks → the runtime's hooks; *payload (malloc'd) goes with procResume.
	 * NULL: procHooks is unexpected (exec). */
	int (*hooks)(void *ctx, char **payload, struct husk_error *err);
	/* procReady → the runtime's work; *payload (malloc'd or NULL) goes with procRun */
	int (*ready)(void *ctx, char **payload, struct husk_error *err);
	void *ctx;
};
/* Answer procHooks, procReady and procSeccomp (at any point, also after
 * procRun) until the process closes its end after procRun: 0. A procError,
 * an early close or a failed step: -errno with err set, and a step that failed
 * here is reported to the process (procError). */
int sync_loop_run(const struct sync_loop *l, struct husk_error *err);

#endif
