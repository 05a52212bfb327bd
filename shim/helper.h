/* Container operations that can take time (create, start with its hooks,
 * exec, delete, pause, update) run in a helper process: the shim forks, the
 * child re-executes husk-shim from a sealed image (as `husk create` does,
 * against CVE-2019-5736) and runs libhusk, then reports on a pipe and exits.
 * The loop keeps answering meanwhile; processes the helper made are
 * reparented to the shim, its subreaper. */
#ifndef HUSK_SHIM_HELPER_H
#define HUSK_SHIM_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

struct shim;

/* code 0: pid is the process made (create, exec) or 0; else -errno + msg */
typedef void (*helper_cb)(struct shim *s, void *arg, int code, pid_t pid, const char *msg);

struct helper_req {
	const char *op;       /* create, exec, start, delete, pause, resume, update */
	const char *bundle;   /* create */
	const char *pid_file; /* create */
	const char *input;    /* exec: process JSON; update: resources JSON */
	bool force;           /* delete */
	int stdio[3];         /* the process's 0, 1, 2 (-1 = /dev/null) */
	int console;          /* socket for the pty master, -1 none */
};

int helper_spawn(struct shim *s, const struct helper_req *req, helper_cb cb, void *arg);
/* The reaper found pid: true if it was a helper (the result is then handled). */
bool helper_reaped(struct shim *s, pid_t pid, int ws);
/* Shim exit: helpers still running finish alone; their callers are
 * answered -ECANCELED now. */
void helper_forget_all(struct shim *s);
/* In the re-executed child: argv after "__helper". Never returns. */
void helper_main(int argc, char **argv) __attribute__((noreturn));

#endif
