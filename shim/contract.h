/* The shim v2 binary contract: `start` and `delete` as containerd runs them. */
#ifndef HUSK_SHIM_CONTRACT_H
#define HUSK_SHIM_CONTRACT_H

struct shim_opts;

/* Exit codes for main. */
int shim_start(struct shim_opts *o, const char *address, const char *publish_binary);
int shim_delete(struct shim_opts *o);
/* $HUSK_SHIM_ROOT (default /run/containerd/husk)/<ns>: the husk root for a
 * namespace (caller frees) */
char *shim_default_root(const char *ns);
/* <socket dir>/<sha256 of "<address>/<ns>/<id>"> (caller frees) */
char *shim_socket_path(const char *address, const char *ns, const char *id);

#endif
