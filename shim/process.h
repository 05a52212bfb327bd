/* process.c owns every process's lifecycle: each change of state goes
 * through one function that asks the state machine (process-state.c),
 * applies its answer and publishes the event that goes with it, in the
 * order containerd expects. The rest of the shim reports what happened
 * (a helper finished, a pid was reaped) and never sets a state itself. */
#ifndef HUSK_SHIM_PROCESS_H
#define HUSK_SHIM_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "shim.h"

struct process *process_new(struct shim *s, const char *exec_id);
/* By (container id, exec id); "" or NULL exec id = the init. NULL with
 * *code (a ttrpc status) and *why when there is none. */
struct process *process_find(struct shim *s, const char *id, const char *exec_id, int *code, const char **why);
/* Forget it: parked Waits are answered NotFound, its stdio closed. */
void process_free(struct process *p);

/* ---- what happened; each is one transition and its event ---- */

/* Create succeeded: the init (pid, waiting on exec.fifo) is created;
 * /tasks/create (with req's rootfs and stdio). */
void process_created(struct process *p, pid_t pid, const Containerd__Task__V2__CreateTaskRequest *req);
/* Exec accepted: /tasks/exec-added. */
void process_exec_added(struct process *p);
/* A Start begins: from now until process_started/process_start_failed its
 * exit is held back, so /tasks/exit never precedes /tasks/start (as
 * runc-v2 since containerd #9828). */
void process_starting(struct process *p);
/* Start succeeded: running, /tasks/start or /tasks/exec-started; pid is the
 * exec's (0 for the init, known since Create). Then a held exit goes out. */
void process_started(struct process *p, pid_t pid);
/* Start failed. An exec never ran: its fifos are closed (ctr waits for their
 * EOF before it prints the error), Waits get 255, it is stopped without an
 * exit event. The init's exit, if it came meanwhile, goes out now. */
void process_start_failed(struct process *p);
/* The reaper found its pid with wait status ws: once its output reached EOF
 * (at most 3 s) it is stopped, Waits answered, /tasks/exit published, unless
 * held (a Start still running; for the init, execs still running: the
 * init's exit comes after theirs, as runc-v2 since containerd #10651). */
void process_reaped(struct process *p, int ws);
/* Pause or Resume succeeded: paused/running, /tasks/paused or resumed. */
void process_paused(struct process *p, bool paused);
/* Delete succeeded: deleted; for the init, /tasks/delete and every exec is
 * forgotten with it. */
void process_deleted(struct process *p);
/* The shim is going with the container still there: kill and remove it,
 * so nothing runs unsupervised. */
void process_remove_container(struct shim *s);

/* Wait: answered now if it has exited, else when it does. */
void process_add_waiter(struct process *p, struct ttrpc_call *call);

#endif
