/* The shim's own state: one container (its init) and its exec'd processes,
 * all driven from one libuv loop. Types only: the functions are in the
 * header of the file that owns them (process.h, oom.h, shim-log.h, …). */
#ifndef HUSK_SHIM_H
#define HUSK_SHIM_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include <uv.h>

#include "containerd/types/mount.pb-c.h"
#include "husk/error.h"
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
	/* Only process.c changes these (process.h): */
	enum proc_state state;
	bool creating;          /* Create (or an exec's Start) is running in a helper */
	bool starting;          /* Start is running: its exit waits for the start event */
	bool exit_held;         /* drained, not yet reported (see process.c) */
	bool busy;              /* a helper is running an operation on it (service.c) */
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
	bool kill_all_on_exit;   /* no pid namespace of its own: the init's exit kills the rest */
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

/* reaper (reaper.c): SIGCHLD → waitpid(-1) → processes and helpers */
int reaper_start(struct shim *s);
void reaper_collect(struct shim *s);

/* rootfs mounts from Create on bundle/rootfs (rootfs-mounts.c); release
 * unmounts them if they are there */
int shim_rootfs_mount(struct shim *s, Containerd__Types__Mount **m, size_t n, struct husk_error *e);
void shim_rootfs_release(struct shim *s);
/* everything stacked on target (delete, when no shim knows what is there) */
int rootfs_unmount(const char *target);

/* the RPC table (service.c) */
extern const struct ttrpc_method shim_methods[];
extern const size_t shim_n_methods;

#endif
