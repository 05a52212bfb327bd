/* What husk_exec hands to the process it clones (a copy of this process, so
 * the context is inherited memory), as create.h does for the init. */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>

#include "husk/husk.h"

struct exec_ctx {
	const struct husk_exec_opts *opts;
	struct husk_state *st;
	struct husk_spec *spec;  /* the container's config with the exec's process */
	int pidfd;               /* the container's init, start time checked */
	int ns_flags;            /* namespaces to join through the pidfd (pid/time excluded) */
	bool userns;
	int console_fd;
	int sync_parent, sync_child;
	struct husk_strv cgroup_dirs;
};

/* The exec'd process until execve: never returns. */
__attribute__((noreturn)) void exec_init_main(struct exec_ctx *c);

#endif
