/* A foreground husk (run, exec) waiting for its process: signals forwarded,
 * children reaped, a pty relayed to the caller's terminal. */
#ifndef HUSK_CLI_FOREGROUND_H
#define HUSK_CLI_FOREGROUND_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Block the signals to forward (before the process exists, so none is lost);
 * the old mask goes to *old. */
void fg_block(sigset_t *old);
/* runc's setupProcessPipes, for a container with its own user namespace:
 * the process gets pipes owned by the container's root (so it may reopen
 * /dev/stdout), and we relay them to our stdio. */
struct fg_pipes {
	bool on;
	int saved[3];       /* our stdio while the pipes stand in for it */
	int in_w, out_r, err_r; /* our ends */
	int theirs[3];      /* the process's ends, until it has them */
};
/* When config.json at config_path asks for a new user namespace: make the
 * pipes, give the process's ends to the host uid/gid of the container's root
 * and put them on fds 0-2 for husk_create/husk_exec. fp->on says whether. */
int fg_pipes_begin(const char *verb, const char *config_path, struct fg_pipes *fp);
/* After husk_create/husk_exec: our own stdio back on 0-2. */
void fg_pipes_restore(struct fg_pipes *fp);
/* When no process came of it: close our ends too (a failed create or exec
 * leaves no fd open). */
void fg_pipes_close(struct fg_pipes *fp);
/* Wait for pid, forwarding signals to it. With master >= 0, relay it to our
 * stdio (raw mode while it runs, SIGWINCH resizes it); with pipes (on), relay
 * those. Returns the exit status (128+N for signal N). The signal mask is
 * restored. */
int fg_wait(const char *verb, pid_t pid, int master, const struct fg_pipes *pipes, const sigset_t *old);
/* process.terminal of a process object; NULL or no terminal: false. */
bool fg_wants_terminal(const json_t *process);
/* A socketpair standing in for --console-socket: [0] is ours, [1] the runtime's. */
int fg_console_pair(const char *verb, int sv[2]);
/* The pty master the runtime sent over sv[0] (closed), or -1. */
int fg_console_master(const char *verb, int sv0);

#endif
