/* Declarations shared between libhusk's files; not part of the public API. */
#ifndef HUSK_INTERNAL_H
#define HUSK_INTERNAL_H

#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

#include "husk/husk.h"

#ifndef CLONE_NEWTIME /* glibc headers older than Linux 5.6 */
#define CLONE_NEWTIME 0x00000080
#endif

/* state.c */
char *state_dir_path(const char *root, const char *id);
char *state_file_json(const struct husk_state *st);
char *hook_state_json(const char *id, pid_t pid, const char *status, const char *bundle,
		      const struct husk_kvv *annotations);
bool init_alive(const struct husk_state *st);
enum husk_status derive_status(const struct husk_state *st);
/* --pid-file: the pid as text, written atomically */
int write_pid_file(const char *path, pid_t pid, struct husk_error *err);

/* cgroup.c */
struct cgroup_hier {
	char *mountpoint;   /* where the hierarchy is mounted on the host */
	char *root;         /* the mount's root inside the hierarchy */
	char *controllers;  /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	bool v2;
};
int cgroup_hierarchies(struct cgroup_hier **out, size_t *n);
void cgroup_hierarchies_free(struct cgroup_hier *h, size_t n);
/* Directories the container's cgroup has in each hierarchy, and (optional) the
 * name each hierarchy has under /sys/fs/cgroup ("memory", "unified"). */
int cgroup_plan(const char *cgroups_path, const char *id, struct husk_strv *dirs,
		struct husk_strv *names, struct husk_error *err);
/* A container's cgroup must not hold processes or be frozen already. */
int cgroup_check_unused(const struct husk_strv *dirs, struct husk_error *err);
/* mkdir each dir and the levels above it; made (or NULL) gets each directory
 * this call made, top down, also on failure, for the caller's undo. On a pure
 * v2 host a level in "domain invalid" state is made threaded when res (or
 * NULL) needs no domain controller, and -EOPNOTSUPP with runc's message
 * ("cannot enter cgroupv2 ... with domain controllers") when it does, as
 * runc's CreateCgroupPath. */
int cgroup_create(const struct husk_strv *dirs, const struct husk_resources *res, struct husk_strv *made,
		  struct husk_error *err);
/* runc's containsDomainController: res sets memory, io, cpu or hugetlb */
bool cg_needs_domain(const struct husk_resources *res);
int cgroup_enter(const struct husk_strv *dirs, pid_t pid, struct husk_error *err);
/* rmdir the leaves (and cgroups nested in them); tolerant of already-gone dirs. */
int cgroup_destroy(const struct husk_strv *dirs, struct husk_error *err);
int cgroup_procs(const struct husk_strv *dirs, pid_t **pids, size_t *n);
bool cgroup_is_frozen(const struct husk_strv *dirs);
/* Freeze or thaw with every freezer the container has (v1 freezer.state, v2 cgroup.freeze). */
int cgroup_freeze(const struct husk_strv *dirs, bool freeze, struct husk_error *err);
int cgroup_signal_all(const struct husk_strv *dirs, int sig, struct husk_error *err);
/* cgroup-clone.c: an fd of the container's cgroup to clone into (pure v2
 * hosts only; -1 elsewhere or with HUSK_NO_CLONE_INTO_CGROUP=1). */
int cgroup_clone_fd(const struct husk_strv *dirs);
/* A fork-like clone with flags (namespaces | exit signal), born in cgroup
 * cgfd through clone3's CLONE_INTO_CGROUP when cgfd >= 0 and the kernel has
 * it (*placed then true: no cgroup.procs write needed), else a plain clone.
 * Returns the pid, 0 in the child (cgfd closed there), or -errno. */
pid_t cgroup_clone(unsigned long flags, int cgfd, bool *placed);
void strv_free_items(struct husk_strv *v);

/* hooks.c: run one kind's hooks with the state JSON on their stdin. A failing
 * poststart/poststop hook is logged and the rest run (runtime-spec); any other
 * failure stops the list: -ECANCELED, -ETIMEDOUT or -errno with the message.
 * hooks_run is for the runtime side: a hook without env gets the runtime's
 * environment; cwd the state's bundle (prestart, createRuntime, poststart) or
 * the caller's (poststop), as runc. hooks_run_in gives CWD (NULL: ours) and the
 * default ENV (NULL: empty) explicitly, for the hooks the init runs. */
int hooks_run(const struct husk_hook *hooks, size_t n, enum husk_hook_kind kind,
	      const char *state_json, struct husk_error *err);
int hooks_run_in(const struct husk_hook *hooks, size_t n, enum husk_hook_kind kind, const char *state_json,
		 const char *cwd, char *const *env, struct husk_error *err);

/* seccomp-default.c: the profile `husk spec --seccomp-default` adds */
struct json_t;
struct json_t *husk_default_seccomp(void);
const char *const *husk_default_seccomp_allowed(size_t *n);
const char *const *husk_default_seccomp_denied(size_t *n);

/* ns-children.c: our own pid_for_children/time_for_children, kept while a
 * runtime enters a container's for a clone() (types: CLONE_NEWPID|CLONE_NEWTIME) */
struct ns_restore {
	int pid_fd, time_fd;
};
int ns_children_save(struct ns_restore *rs, int types, struct husk_error *err);
/* Back to our own namespaces; closes the fds (safe to call twice). */
void ns_children_restore(struct ns_restore *rs);

/* signals */
int pidfd_for(pid_t pid, uint64_t start_time);

/* cgroup-stats.c: the "blkio" object of `events --stats` for a v1 blkio
 * directory, as runc 1.1 reads it (JSON text, caller frees; for the unit test) */
char *cgroup_stats_blkio_v1_json(const char *dir);

#endif
