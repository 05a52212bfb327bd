/* The shim's own state: one container (its init) and its exec'd processes,
 * all driven from one libuv loop. */
#ifndef HUSK_SHIM_H
#define HUSK_SHIM_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include <uv.h>

#include "containerd/types/mount.pb-c.h"
#include "process-state.h"
#include "ttrpc.h"
#include "ttrpc-server.h"

struct proc_io;
struct events;
struct helper;
struct ttrpc_server;

/* A Wait call parked until its process has exited. */
struct waiter {
	struct ttrpc_call *call;
	struct waiter *next;
};

struct process {
	struct shim *shim;
	char *exec_id;          /* NULL for the init */
	enum proc_state state;
	bool creating;          /* Create (or an exec's Start) is running in a helper */
	bool busy;              /* a helper is running an operation on it */
	pid_t pid;
	bool terminal;
	char *stdin_path, *stdout_path, *stderr_path;
	char *spec_json;        /* an exec's process object */
	struct proc_io *io;
	/* exit: reaped (raw status known) → drained (output read to EOF) → exited */
	bool reaped, exited;
	int exit_status;        /* exit code, or 128+signal */
	struct timespec exited_at;
	uv_timer_t *drain_timer;
	struct waiter *waiters;
	struct process *next;
};

struct shim_opts {
	const char *prog;        /* argv[0]: what `ps` shows the serving shim as */
	const char *ns;          /* containerd namespace */
	const char *id;          /* the container (task) id */
	const char *bundle;      /* default bundle (Create gives the real one) */
	const char *root;        /* husk state root */
	const char *events_addr; /* TTRPC_ADDRESS, NULL = no events */
	bool forward_signals;    /* serve: SIGTERM/SIGINT/SIGHUP go to the init */
	bool debug;
};

struct shim {
	uv_loop_t *loop;
	struct shim_opts o;
	char *cid;               /* the container id, from Create */
	char *bundle;            /* from Create */
	bool rootfs_mounted;
	struct process *init;    /* NULL until Create */
	struct process *procs;   /* init first, then execs */
	struct ttrpc_server *srv;
	struct events *events;
	struct helper *helpers;
	uv_signal_t sigchld, sigterm, sigint, sighup;
	uv_poll_t *oom_poll;
	struct husk_oom_watch *oom;
	bool shutting_down;
	uv_timer_t flush;        /* Shutdown: wait for the replies to leave */
	uint64_t stop_started;
	/* exits reaped before we knew the pid (a helper had not reported yet) */
	struct early_exit {
		pid_t pid;
		int status;
	} early[64];
	unsigned n_early;
};

/* main loop plumbing (shim-main.c) */
void shim_stop(struct shim *s);
void shim_log(struct shim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* processes (process.c) */
struct process *process_new(struct shim *s, const char *exec_id);
struct process *process_find(struct shim *s, const char *id, const char *exec_id, int *code, const char **why);
void process_free(struct process *p);
/* The process has been reaped with wait status ws: drain its output, then
 * mark it stopped, answer its Waits and publish /tasks/exit. */
void process_reaped(struct process *p, int ws);
/* Set its pid (a helper reported it); picks up an exit reaped earlier. */
void process_set_pid(struct process *p, pid_t pid);
void process_start_failed(struct process *p);
void process_add_waiter(struct process *p, struct ttrpc_call *call);
void process_reply_wait(struct process *p, struct ttrpc_call *call);
/* Publish /tasks/oom for OOM kills since the last look. */
void shim_check_oom(struct shim *s);
/* The init's exit has been handled (service.c: stop watching for OOM). */
void shim_init_exited(struct shim *s);

/* reaper (reaper.c): SIGCHLD → waitpid(-1) → processes and helpers */
int reaper_start(struct shim *s);
void reaper_collect(struct shim *s);

/* rootfs mounts from Create on bundle/rootfs (rootfs-mounts.c); release
 * unmounts them if they are there */
int shim_rootfs_mount(struct shim *s, Containerd__Types__Mount **m, size_t n, char *msg, size_t len);
void shim_rootfs_release(struct shim *s);
/* everything stacked on target (delete, when no shim knows what is there) */
int rootfs_unmount(const char *target);

/* the RPC table (service.c) */
extern const struct ttrpc_method shim_methods[];
extern const size_t shim_n_methods;

#endif
