/* What the runtime side of create hands to the init it clones (a copy of this
 * process, so the context is simply inherited memory). */
#ifndef HUSK_CREATE_H
#define HUSK_CREATE_H

#include "husk/husk.h"

struct create_ctx {
	const struct husk_create_opts *opts;
	const char *id;
	struct husk_spec *spec;
	char *bundle;     /* absolute */
	char *rootfs;     /* absolute, symlinks resolved */
	char *state_dir;
	char *fifo_path;
	struct husk_strv cgroup_dirs;
	struct husk_strv cgroup_names; /* hierarchy names, same order */
	struct husk_strv cgroup_made;  /* the levels cgroup_create made, top down (undo) */
	bool cgroup_ns;   /* the init unshares a cgroup namespace after it is placed */
	int cgroup_ns_fd; /* or joins this one (borrowed from join_fds) */
	char *systemd_unit;   /* --systemd-cgroup: the scope's unit name */
	bool systemd_started; /* the unit is ours to stop on failure */
	int join_fds[8];  /* namespaces to join, by index in spec->linux_.namespaces */
	int fifo_fd;      /* O_PATH fd of exec.fifo */
	int console_fd;   /* connected --console-socket, or -1 */
	int sync_parent, sync_child;
	bool userns;
	int userns_join_fd;  /* joined user namespace (borrowed from join_fds), or -1 */
	bool userns_entered; /* the init was cloned inside it already */
	int *bind_src_fds;   /* the init's, with a user namespace: each bind mount's source,
			      * opened by the runtime with its rights, else NULL; -1 = none */
};

struct sync_msg;
/* In the init, after BOOTSTRAP: receive the bind sources the runtime opened
 * (user namespace only) into c->bind_src_fds. msg is scratch space. */
int init_recv_bind_sources(struct create_ctx *c, struct sync_msg *msg, struct husk_error *err);

/* The init: never returns. */
__attribute__((noreturn)) void init_main(struct create_ctx *c);

#endif
