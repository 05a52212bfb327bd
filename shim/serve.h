#ifndef HUSK_SHIM_SERVE_H
#define HUSK_SHIM_SERVE_H

struct shim_opts;

/* Run the shim until Shutdown (or SIGTERM/SIGINT when not forwarding them).
 * listen_fd ≥ 0: serve that listening socket (from `start`); else bind
 * socket_path. socket_path is removed at exit either way. */
int shim_serve(const struct shim_opts *o, int listen_fd, const char *socket_path);

#endif
