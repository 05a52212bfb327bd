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
/* Wait for pid, forwarding signals to it. With master >= 0, relay it to our
 * stdio (raw mode while it runs, SIGWINCH resizes it). Returns the exit
 * status (128+N for signal N). The signal mask is restored. */
int fg_wait(const char *verb, pid_t pid, int master, const sigset_t *old);
/* process.terminal of a process object; NULL or no terminal: false. */
bool fg_wants_terminal(const json_t *process);
/* A socketpair standing in for --console-socket: [0] is ours, [1] the runtime's. */
int fg_console_pair(const char *verb, int sv[2]);
/* The pty master the runtime sent over sv[0] (closed), or -1. */
int fg_console_master(const char *verb, int sv0);

#endif
