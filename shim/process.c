/* Process bookkeeping: lookup by (id, exec id), the exit path (reaped →
 * output drained → stopped, Waits answered, /tasks/exit published), and
 * exits that arrive before we learnt the pid. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "containerd/events/task.pb-c.h"
#include "containerd/task/v2/shim.pb-c.h"
#include "event-envelope.h"
#include "events.h"
#include "husk/husk.h"
#include "io.h"
#include "shim.h"

/* how long an exit waits for the output to reach EOF: a daemon the process
 * left behind may keep the pipe open forever */
#define DRAIN_MS 3000

struct process *process_new(struct shim *s, const char *exec_id)
{
	struct process *p = calloc(1, sizeof(*p)), **pp;

	if (!p)
		abort();
	p->shim = s;
	p->state = PROC_CREATED;
	if (exec_id && !(p->exec_id = strdup(exec_id)))
		abort();
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

void process_reply_wait(struct process *p, struct ttrpc_call *call)
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
		process_reply_wait(p, call);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->call = call;
	w->next = p->waiters;
	p->waiters = w;
}

static void publish_oom(struct shim *s)
{
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;

	ev.container_id = s->cid;
	events_publish(s->events, &ev.base);
}

void shim_check_oom(struct shim *s)
{
	int n;

	if (!s->oom)
		return;
	n = husk_oom_watch_read(s->oom);
	for (int i = 0; i < n && i < 16; i++)
		publish_oom(s);
}

/* stopped: the state moves on and every Wait gets its answer */
static void mark_exited(struct process *p)
{
	enum proc_state next;
	const char *why;

	p->exited = true;
	if (proc_transition(p->state, OP_EXIT, &next, &why) == 0)
		p->state = next;
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		process_reply_wait(p, w->call);
		free(w);
	}
}

static void on_drained(void *arg)
{
	struct process *p = arg;
	struct shim *s = p->shim;
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Google__Protobuf__Timestamp ts = timestamp_of(&p->exited_at);

	/* an OOM kill is reported before the exit it caused */
	if (p == s->init)
		shim_check_oom(s);
	mark_exited(p);
	ev.container_id = s->cid;
	ev.id = p->exec_id ? p->exec_id : s->cid;
	ev.pid = (uint32_t)p->pid;
	ev.exit_status = (uint32_t)p->exit_status;
	ev.exited_at = &ts;
	events_publish(s->events, &ev.base);
	shim_log(s, "%s %s exited with status %d", p->exec_id ? "exec" : "init", p->exec_id ? p->exec_id : s->cid,
		 p->exit_status);
	if (p == s->init)
		shim_init_exited(s);
}

void process_reaped(struct process *p, int ws)
{
	if (p->reaped)
		return;
	p->reaped = true;
	p->exit_status = husk_exit_status(ws);
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	if (p->io)
		proc_io_drain(p->io, DRAIN_MS, on_drained, p);
	else
		on_drained(p);
}

/* An exec whose Start failed never ran. Its fifos are closed now: a client
 * that opened them (ctr) waits for EOF before it reports the error. Waiters
 * are answered, and it is stopped with status 255, so it can only be deleted. */
void process_start_failed(struct process *p)
{
	proc_io_free(p->io);
	p->io = NULL;
	p->exit_status = 255;
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	mark_exited(p);
}

void process_set_pid(struct process *p, pid_t pid)
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
