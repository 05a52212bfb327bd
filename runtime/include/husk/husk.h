/* libhusk: the container lifecycle as the husk CLI and husk-shim use it.
 * Every call returns 0 or a negative errno and fills err with a message chain. */
#ifndef HUSK_H
#define HUSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_VERSION "0.1.0"
#define HUSK_OCI_VERSION "1.2.0"
#define HUSK_DEFAULT_ROOT "/run/husk"

enum husk_status {
	HUSK_STATUS_CREATING,
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};

const char *husk_status_name(enum husk_status s);

/* What a container's state directory records, plus the derived status. */
struct husk_state {
	char *id;
	pid_t pid;            /* host pid of the init (0 in output once stopped) */
	uint64_t start_time;  /* of the init, from /proc/PID/stat, guards pid reuse */
	enum husk_status status;
	char *bundle;
	char *rootfs;
	char *created;        /* RFC 3339, UTC */
	char *owner;
	struct husk_kvv annotations;
	struct husk_strv cgroup_dirs; /* absolute cgroup directories the init was put in */
	bool cgroup_ns;
	char *systemd_unit;   /* the transient unit of --systemd-cgroup; NULL for cgroupfs */
	char *state_dir;
};

void husk_state_free(struct husk_state *st);
/* The OCI state JSON as `husk state` prints it (caller frees). */
char *husk_state_json(const struct husk_state *st, bool pretty);

/* Re-execute the running binary from a sealed memfd copy (CVE-2019-5736),
 * unless already running from one. Returns 0 if already sealed; on success
 * it does not return. */
int husk_exec_sealed(char **argv, struct husk_error *err);
/* Whether this process runs from such an image (a read-only mount or a sealed
 * memfd): its forks may then clone a container's processes without an exec. */
bool husk_running_protected(void);

/* Ids as runc accepts them: non-empty, not "." or "..", of ASCII letters,
 * digits, '_', '+', ',', '-' and '.' only (runc's ^[\w+-\.]+$). */
int husk_validate_id(const char *id, struct husk_error *err);

struct husk_create_opts {
	const char *root;           /* state root, default HUSK_DEFAULT_ROOT */
	const char *id;
	const char *bundle;         /* default "." */
	const char *pid_file;
	const char *console_socket; /* unix socket that receives the pty master */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	int console_fd; /* instead of console_socket: a connected socket (0: none) */
	bool systemd_cgroup; /* --systemd-cgroup: the cgroup is a systemd scope */
	bool console_clear_onlcr; /* the caller relays the pty itself: no \n → \r\n (runc's recvtty) */
	int listen_fds; /* systemd socket activation (runc): fds 3..3+N-1 go first, before the
			 * preserved ones, and the process gets LISTEN_FDS=N, LISTEN_PID=1 */
};

/* Create the container up to the exec.fifo wait. On success *pid is the init,
 * a child of the caller. */
int husk_create(const struct husk_create_opts *o, pid_t *pid, struct husk_error *err);
/* husk exec: a new process in a running (or created) container. */
struct husk_exec_opts {
	const char *root;
	const char *id;
	const char *process_json;   /* a runtime-spec process object */
	const char *console_socket; /* unix socket that receives the pty master */
	int console_fd;             /* or a connected socket for it (0: none) */
	const char *pid_file;
	/* runc's --cgroup, each [controller[,controller]:]path below the container's
	 * cgroup ("/" is the container's own); a path without controllers only alone */
	const char *const *cgroups;
	size_t n_cgroups;
	int preserve_fds;
	bool ignore_paused;
	bool console_clear_onlcr; /* as in husk_create_opts */
};
/* Join every namespace and the cgroup of the container and execve the
 * process. On success *pid is the process (exec'd already), a child of the
 * caller, which waits for it. */
int husk_exec(const struct husk_exec_opts *o, pid_t *pid, struct husk_error *err);

/* Receive a pty master sent on a console socket (SCM_RIGHTS, the pty's name
 * as the data, copied into name if given). Returns the fd (close-on-exec). */
int husk_console_recv(int sock, char *name, size_t len, struct husk_error *err);
/* Clear ONLCR on a pty (master or slave: they share the termios), as runc
 * does on a console it relays itself: the process's "\n" stays "\n". */
int husk_console_clear_onlcr(int master, struct husk_error *err);

/* runc's exec flags, applied to the container's process to make the process
 * object of an exec. */
struct husk_exec_flags {
	char *const *args;
	size_t n_args;
	bool tty;
	/* --no-new-privs as runc: given (either value) it replaces the config's
	 * noNewPrivileges; not given, the config's stays */
	bool no_new_privs_set, no_new_privs;
	const char *const *env; /* KEY=VALUE, replacing the config's KEY */
	size_t n_env;
	const char *cwd;
	const char *user;       /* uid[:gid] */
	const char *additional_gids; /* "1,2,3" */
	const char *const *caps;
	size_t n_caps;
	const char *apparmor, *process_label;
};
int husk_exec_process_json(const char *root, const char *id, const struct husk_exec_flags *f, char **out,
			   struct husk_error *err);

/* Release the init from exec.fifo, then run poststart hooks. */
int husk_start(const char *root, const char *id, struct husk_error *err);
int husk_state_load(const char *root, const char *id, struct husk_state **out,
		    struct husk_error *err);
int husk_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err);
int husk_delete(const char *root, const char *id, bool force, struct husk_error *err);
/* Freeze / thaw every process of a running container (cgroup freezer). */
int husk_pause(const char *root, const char *id, struct husk_error *err);
int husk_resume(const char *root, const char *id, struct husk_error *err);
/* Change linux.resources live: resources_json is a runtime-spec LinuxResources
 * object with the fields to change; they are also recorded in the state. */
int husk_update(const char *root, const char *id, const char *resources_json, struct husk_error *err);
/* Every pid in the container's cgroup, nested cgroups included (caller frees). */
int husk_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct husk_error *err);
/* The container's cgroup statistics as runc's events "data" object (caller frees). */
int husk_stats_json(const char *root, const char *id, char **out, struct husk_error *err);
/* On a pure cgroup v2 host, the v2 files as they are, for containerd's
 * io.containerd.cgroups.v2.Metrics (caller frees): {"pids":{current,limit},
 * "cpu":cpu.stat, "memory":memory.stat, "usage":{usage,limit,peak,swap_usage,
 * swap_limit,swap_peak}, "events":memory.events, "io":[{major,minor,rbytes,
 * wbytes,rios,wios}], "hugetlb":{SIZE:{current,max,failcnt}}}; a limit of
 * "max" is -1. -EOPNOTSUPP when the container's resources are on v1. */
int husk_stats_v2_json(const char *root, const char *id, char **out, struct husk_error *err);

/* OOM notifications of a container's memory cgroup. */
struct husk_oom_watch;
int husk_oom_watch_open(const char *root, const char *id, struct husk_oom_watch **out,
			struct husk_error *err);
/* An fd that becomes readable when something may have happened. */
int husk_oom_watch_fd(const struct husk_oom_watch *w);
/* After the fd polled readable (or at any time): how many new OOM kills. */
int husk_oom_watch_read(struct husk_oom_watch *w);
void husk_oom_watch_close(struct husk_oom_watch *w);

/* All containers under root, sorted by id. */
int husk_list(const char *root, struct husk_state ***out, size_t *n, struct husk_error *err);

/* Mount on the host (no container involved): type, source and option words
 * as in config.json's mounts ("rbind", "ro", overlay's "lowerdir=..."). */
int husk_mount(const char *type, const char *source, const char *target, char *const *options, size_t n,
	       struct husk_error *err);

/* Signal names as runc 1.1 takes them: "KILL", "SIGKILL", "kill", "9" (only
 * the names of x/sys/unix's table: no IOT, CLD, POLL, RTMIN+n). Returns the
 * number or -EINVAL. */
int husk_parse_signal(const char *s);
const char *husk_signal_name(int sig);
/* A waitpid() status as a shell and containerd report it: the exit code, or
 * 128 + the signal that ended the process. */
int husk_exit_status(int wait_status);

/* Runtime features JSON (`husk features`), caller frees. */
char *husk_features_json(void);

#endif
