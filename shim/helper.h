/* Container operations that can take time (create, start with its hooks,
 * exec, delete, pause, resume, update) run in a helper process: the shim
 * forks, the child runs libhusk (or first re-executes husk-shim from a sealed
 * image, against CVE-2019-5736, when the shim does not run from one), reports
 * on a pipe and exits. The loop keeps answering meanwhile; processes the
 * helper made are reparented to the shim, its subreaper.
 *
 * A request is typed: one enum value per operation and the fields it uses. It
 * reaches the child as one serialized record on fd 5 whether the child runs
 * in the fork or re-executed, so adding an operation is one enum value and
 * one row of the table in helper.c. */
#ifndef HUSK_SHIM_HELPER_H
#define HUSK_SHIM_HELPER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct shim;

/* code 0: pid is the process made (create, exec) or 0; else -errno + msg */
typedef void (*helper_cb)(struct shim *s, void *arg, int code, pid_t pid, const char *msg);

enum helper_op {
	HELPER_CREATE, /* husk_create(bundle, pid_file, console) */
	HELPER_EXEC,   /* husk_exec(input = process JSON, console) */
	HELPER_START,  /* husk_start (runs poststart hooks) */
	HELPER_DELETE, /* husk_delete(force) (runs poststop hooks) */
	HELPER_PAUSE,
	HELPER_RESUME,
	HELPER_UPDATE, /* husk_update(input = LinuxResources JSON) */
	HELPER_N_OPS
};

struct helper_req {
	enum helper_op op;
	const char *bundle;   /* create */
	const char *pid_file; /* create */
	const char *input;    /* exec: process JSON; update: resources JSON */
	bool force;           /* delete */
	bool systemd_cgroup;  /* create: husk --systemd-cgroup (runc options' SystemdCgroup) */
	int64_t timeout_ns;   /* the caller's deadline (ttrpc timeout), 0 = none:
	                       * past it the operation is not applied */
	int stdio[3];         /* the process's 0, 1, 2 (-1 = /dev/null) */
	int console;          /* socket for the pty master, -1 none */
};

/* The operation's name, for messages ("pause"). */
const char *helper_op_name(enum helper_op op);
/* Fork a helper for req; cb is called once when it has been reaped (or
 * with -ETIMEDOUT when its deadline passed: an operation that can be
 * interrupted is killed then, so that it is not applied after the caller
 * was told it failed). Returns 0, or -errno (cb is not called then). */
int helper_spawn(struct shim *s, const struct helper_req *req, helper_cb cb, void *arg);
/* The reaper found pid: true if it was a helper (the result is then handled). */
bool helper_reaped(struct shim *s, pid_t pid, int ws);
/* Shim exit: every helper still running is killed and reaped (none may
 * outlive the shim) and its caller answered -ECANCELED. */
void helper_kill_all(struct shim *s);
/* In the child (forked, or re-executed as `husk-shim __helper`): read the
 * request on fd 5, run it, report on fd 3. Never returns. */
void helper_main(void) __attribute__((noreturn));

#endif
