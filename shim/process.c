/* The lifecycle of every process the shim supervises. transition() is the
 * only place a state changes: it asks proc_transition() (the pure state
 * machine) and, when allowed, applies the new state and publishes the event
 * that goes with it. The ordering rules containerd relies on live here too:
 *   - an exit is held while a Start of the same process is running, so
 *     /tasks/exit never precedes /tasks/start or /tasks/exec-started;
 *   - the init's exit is held until every exec that was started has
 *     exited, so the container's exit is the last one containerd sees;
 *   - when the init of a container without a pid namespace of its own
 *     exits, the rest of the container is killed (runc-v2 does the same;
 *     with a pid namespace the kernel does it). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containerd/events/task.pb-c.h"
#include "event-envelope.h"
#include "events.h"
#include "husk/husk.h"
#include "io.h"
#include "oom.h"
#include "process.h"
#include "shim-log.h"
#include "util.h"

/* how long an exit waits for the output to reach EOF: a daemon the process
 * left behind may keep the pipe open forever */
#define DRAIN_MS 3000

struct process *process_new(struct shim *s, const char *exec_id)
{
	struct process *p = xcalloc(1, sizeof(*p)), **pp;

	p->shim = s;
	p->state = PROC_CREATED;
	p->exec_id = xstrdup(exec_id);
	/* the init first, then execs in the order they were added */
	for (pp = &s->procs; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

struct process *process_find(struct shim *s, const char *id, const char *exec_id, int *code, const char **why)
{
	*code = TTRPC_OK;
	if (!s->init || !s->cid || !id || strcmp(id, s->cid)) {
		*code = TTRPC_NOT_FOUND;
		*why = "container not created";
		return NULL;
	}
	if (!exec_id || !*exec_id)
		return s->init;
	for (struct process *p = s->procs; p; p = p->next)
		if (p->exec_id && !strcmp(p->exec_id, exec_id))
			return p;
	*code = TTRPC_NOT_FOUND;
	*why = "process does not exist";
	return NULL;
}

void process_free(struct process *p)
{
	struct shim *s = p->shim;

	for (struct process **pp = &s->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (s->init == p)
		s->init = NULL;
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		ttrpc_server_reply(w->call, TTRPC_NOT_FOUND, "process deleted", NULL);
		free(w);
	}
	proc_io_free(p->io);
	free(p->exec_id);
	free(p->stdin_path);
	free(p->stdout_path);
	free(p->stderr_path);
	free(p->spec_json);
	free(p);
}

static void reply_wait(struct process *p, struct ttrpc_call *call)
{
	Containerd__Task__V2__WaitResponse r = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = timestamp_of(&p->exited_at);

	r.exit_status = (uint32_t)p->exit_status;
	r.exited_at = &ts;
	ttrpc_server_reply(call, TTRPC_OK, NULL, &r.base);
}

void process_add_waiter(struct process *p, struct ttrpc_call *call)
{
	struct waiter *w;

	if (p->exited) {
		reply_wait(p, call);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->call = call;
	w->next = p->waiters;
	p->waiters = w;
}

/* ---- events ---- */

static void publish_start(struct process *p)
{
	struct shim *s = p->shim;

	if (p->exec_id) {
		Containerd__Events__TaskExecStarted ev = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
		ev.container_id = s->cid;
		ev.exec_id = p->exec_id;
		ev.pid = (uint32_t)p->pid;
		events_publish(s->events, &ev.base);
	} else {
		Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
		ev.container_id = s->cid;
		ev.pid = (uint32_t)p->pid;
		events_publish(s->events, &ev.base);
	}
}

static void publish_exit(struct process *p)
{
	struct shim *s = p->shim;
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Google__Protobuf__Timestamp ts = timestamp_of(&p->exited_at);

	ev.container_id = s->cid;
	ev.id = p->exec_id ? p->exec_id : s->cid;
	ev.pid = (uint32_t)p->pid;
	ev.exit_status = (uint32_t)p->exit_status;
	ev.exited_at = &ts;
	events_publish(s->events, &ev.base);
}

static void publish_pause(struct process *p, bool paused)
{
	struct shim *s = p->shim;

	if (paused) {
		Containerd__Events__TaskPaused ev = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
		ev.container_id = s->cid;
		events_publish(s->events, &ev.base);
	} else {
		Containerd__Events__TaskResumed ev = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
		ev.container_id = s->cid;
		events_publish(s->events, &ev.base);
	}
}

static void publish_delete(struct process *p)
{
	struct shim *s = p->shim;
	Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
	Google__Protobuf__Timestamp ts = timestamp_of(&p->exited_at);

	ev.container_id = s->cid;
	ev.pid = (uint32_t)p->pid;
	ev.exit_status = (uint32_t)p->exit_status;
	ev.exited_at = &ts;
	events_publish(s->events, &ev.base);
}

/* stopped: every parked Wait gets its answer */
static void answer_waiters(struct process *p)
{
	p->exited = true;
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		reply_wait(p, w->call);
		free(w);
	}
}

/* ---- the one transition function ---- */

/* Apply op to p if the state machine allows it, then what goes with it:
 * the event (unless quiet), the Waits, the log line. Returns false when
 * refused (a Pause that finished after the process exited, say): nothing
 * changes then. */
static bool transition(struct process *p, enum proc_op op, bool quiet)
{
	struct shim *s = p->shim;
	enum proc_state next;
	const char *why;

	if (proc_transition(p->state, op, &next, &why) != 0) {
		shim_log(s, "%s %s: %s refused in state %s: %s", p->exec_id ? "exec" : "init",
			 p->exec_id ? p->exec_id : s->cid, op == OP_EXIT ? "exit" : "transition", proc_state_name(p->state),
			 why);
		return false;
	}
	if (op == OP_EXIT && p == s->init)
		oom_check(s); /* an OOM kill is reported before the exit it caused */
	p->state = next;
	switch (op) {
	case OP_START:
		if (!quiet)
			publish_start(p);
		break;
	case OP_EXIT:
		p->exit_held = false;
		answer_waiters(p);
		if (!quiet)
			publish_exit(p);
		shim_log(s, "%s %s exited with status %d", p->exec_id ? "exec" : "init", p->exec_id ? p->exec_id : s->cid,
			 p->exit_status);
		if (p == s->init)
			oom_watch_stop(s);
		break;
	case OP_PAUSE:
	case OP_RESUME:
		if (!quiet)
			publish_pause(p, op == OP_PAUSE);
		break;
	case OP_DELETE:
		if (!quiet && p == s->init)
			publish_delete(p); /* as runc-v2: for the init only */
		break;
	default:
		break;
	}
	return true;
}

/* ---- exit ordering ---- */

/* May p's exit be reported now? Not while its Start runs; for the init, not
 * while an exec that was started still runs or is being started. */
static bool exit_ready(const struct process *p)
{
	const struct shim *s = p->shim;

	if (p->starting)
		return false;
	if (p != s->init)
		return true;
	for (const struct process *e = s->procs; e; e = e->next)
		if (e != p && (e->starting || e->state == PROC_RUNNING || e->state == PROC_PAUSED))
			return false;
	return true;
}

static void report_exit(struct process *p)
{
	struct shim *s = p->shim;

	if (!exit_ready(p)) {
		p->exit_held = true;
		return;
	}
	transition(p, OP_EXIT, false);
	/* the last exec gone: the init's exit may follow */
	if (p != s->init && s->init && s->init->exit_held && exit_ready(s->init))
		report_exit(s->init);
}

static void on_drained(void *arg)
{
	report_exit(arg);
}

/* the init's exit: what is left of a container without a pid namespace of
 * its own is killed, as runc-v2 does (with one, the kernel has done it) */
static void kill_rest(struct shim *s)
{
	struct husk_error e = {0};

	if (!s->kill_all_on_exit || !s->cid)
		return;
	if (husk_kill(s->o.root, s->cid, SIGKILL, true, &e) < 0 && e.code != -ESRCH && e.code != -ENOENT)
		shim_log(s, "kill the rest of %s after its init exited: %s", s->cid, e.msg);
}

void process_reaped(struct process *p, int ws)
{
	if (p->reaped)
		return;
	p->reaped = true;
	p->exit_status = husk_exit_status(ws);
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	if (p == p->shim->init)
		kill_rest(p->shim);
	if (p->io)
		proc_io_drain(p->io, DRAIN_MS, on_drained, p);
	else
		report_exit(p);
}

/* Its pid is known (a helper reported it): an exit reaped before that, kept
 * by the reaper, is picked up now. */
static void set_pid(struct process *p, pid_t pid)
{
	struct shim *s = p->shim;

	p->pid = pid;
	for (unsigned i = 0; i < s->n_early; i++)
		if (s->early[i].pid == pid) {
			int ws = s->early[i].status;
			s->early[i] = s->early[--s->n_early];
			process_reaped(p, ws);
			return;
		}
}

/* ---- the lifecycle ---- */

void process_created(struct process *p, pid_t pid, const Containerd__Task__V2__CreateTaskRequest *req)
{
	struct shim *s = p->shim;
	Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
	Containerd__Events__TaskIO io = CONTAINERD__EVENTS__TASK_IO__INIT;

	p->creating = false;
	p->pid = pid;
	ev.container_id = s->cid;
	ev.bundle = s->bundle;
	ev.n_rootfs = req->n_rootfs;
	ev.rootfs = req->rootfs;
	io.stdin = req->stdin;
	io.stdout = req->stdout;
	io.stderr = req->stderr;
	io.terminal = req->terminal;
	ev.io = &io;
	ev.pid = (uint32_t)pid;
	events_publish(s->events, &ev.base);
	oom_watch_start(s);
	set_pid(p, pid); /* it may be gone already (killed before Start) */
}

void process_exec_added(struct process *p)
{
	struct shim *s = p->shim;
	Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;

	ev.container_id = s->cid;
	ev.exec_id = p->exec_id;
	events_publish(s->events, &ev.base);
}

void process_starting(struct process *p)
{
	p->starting = true;
	if (p->exec_id)
		p->creating = true; /* the exec's process is being made */
}

void process_started(struct process *p, pid_t pid)
{
	p->starting = false;
	p->creating = false;
	if (p->exec_id)
		p->pid = pid;
	transition(p, OP_START, false);
	if (p->exec_id)
		set_pid(p, pid); /* it may have exited already: reported after the start */
	if (p->exit_held)
		report_exit(p);
}

void process_start_failed(struct process *p)
{
	struct shim *s = p->shim;

	p->starting = false;
	p->creating = false;
	if (!p->exec_id) {
		/* the init stays created; an exit that came meanwhile goes out */
		if (p->exit_held)
			report_exit(p);
		return;
	}
	proc_io_free(p->io);
	p->io = NULL;
	p->exit_status = 255;
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	transition(p, OP_EXIT, true); /* it never ran: no /tasks/exit */
	if (s->init && s->init->exit_held && exit_ready(s->init))
		report_exit(s->init);
}

void process_paused(struct process *p, bool paused)
{
	transition(p, paused ? OP_PAUSE : OP_RESUME, false);
}

void process_deleted(struct process *p)
{
	struct shim *s = p->shim;

	if (p == s->init) /* the execs went with the container */
		for (struct process *e = s->procs, *n; e; e = n) {
			n = e->next;
			if (e != p)
				process_free(e);
		}
	transition(p, OP_DELETE, false);
	if (p != s->init)
		process_free(p);
}

/* Shutdown, with the container's processes still running: a pid namespace's
 * init exits only once every process of the namespace has been reaped, and
 * an exec'd process is the shim's child (the shim is its subreaper). The
 * loop that reaps does not run while husk_delete waits for the init, so the
 * init would wait for a zombie only the shim can reap: husk_delete timed out
 * (10 s) and left the container (state, cgroups). So everything is killed
 * first and reaped as it dies, as the loop would, until the init has gone
 * (10 s at most; a paused container is thawed for its SIGKILL first). */
static void kill_and_reap(struct shim *s)
{
	struct husk_error e = {0};

	if (s->init->pid <= 0 || s->init->reaped)
		return;
	if (s->init->state == PROC_PAUSED && husk_resume(s->o.root, s->cid, &e) < 0)
		shim_log(s, "resume %s on shutdown: %s", s->cid, e.msg);
	husk_error_clear(&e);
	if (husk_kill(s->o.root, s->cid, SIGKILL, true, &e) < 0) {
		shim_log(s, "kill %s on shutdown: %s", s->cid, e.msg);
		return;
	}
	for (int i = 0; i < 1000 && !s->init->reaped; i++) {
		reaper_collect(s);
		if (!s->init->reaped)
			usleep(10000);
	}
}

void process_remove_container(struct shim *s)
{
	struct husk_error e = {0};

	if (!s->init || s->init->state == PROC_DELETED || !s->cid)
		return;
	kill_and_reap(s);
	if (husk_delete(s->o.root, s->cid, true, &e) < 0 && e.code != -ENOENT)
		shim_log(s, "delete %s on shutdown: %s", s->cid, e.msg);
	shim_rootfs_release(s);
	/* not a transition the state machine offers (it may be running): the
	 * shim is going and the container with it */
	s->init->state = PROC_DELETED;
}
