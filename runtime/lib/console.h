/* Where the pty master of a terminal process goes: a --console-socket path or
 * a socket the caller already holds. */
#ifndef HUSK_CONSOLE_H
#define HUSK_CONSOLE_H

#include "husk/spec.h"

/* A terminal needs somewhere to send its master, and only a terminal may have one. */
int check_console(const struct husk_process *p, const char *path, int fd, struct husk_error *err);
/* A close-on-exec socket to send the master on (path connected, or fd dup'd). */
int console_open(const char *path, int fd, struct husk_error *err);

#endif
