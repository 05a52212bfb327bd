/* Ending the serving shim: the container (if still there) is killed and
 * removed, the last replies get up to a second to leave, then the loop
 * stops and serve.c tears down. */
#ifndef HUSK_SHIM_SHUTDOWN_H
#define HUSK_SHIM_SHUTDOWN_H

struct shim;

/* Idempotent; called by Shutdown and by SIGTERM/SIGINT (without -forward-signals). */
void shim_stop(struct shim *s);

#endif
