/* The containerd.task.v2.Task handlers. Each checks the process's state
 * machine first (process-state.c decides the status code of a wrong-state
 * call), then either answers at once (State, Kill, Pids, Stats, Wait of an
 * exited process) or hands the work to a helper and answers when it reports. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "containerd/events/task.pb-c.h"
#include "containerd/runc/options/oci.pb-c.h"
#include "containerd/task/v2/shim.pb-c.h"
#include "event-envelope.h"
#include "events.h"
#include "helper.h"
#include "husk/husk.h"
#include "io.h"
#include "metrics.h"
#include "process.h"
#include "shim-log.h"
#include "shim.h"
#include "shutdown.h"
#include "util.h"

#define SVC "containerd.task.v2.Task"

/* libhusk's -errno → the status containerd maps back to its errdefs */
static int code_of(int err)
{
	switch (err) {
	case -ENOENT:
	case -ESRCH: return TTRPC_NOT_FOUND;
	case -EEXIST: return TTRPC_ALREADY_EXISTS;
	case -EINVAL: return TTRPC_INVALID_ARGUMENT;
	case -EBUSY:
	case -EALREADY: return TTRPC_FAILED_PRECONDITION;
	case -ENOTSUP: return TTRPC_UNIMPLEMENTED;
	case -ETIMEDOUT: return TTRPC_DEADLINE_EXCEEDED;
	default: return TTRPC_UNKNOWN;
	}
}

static struct shim *shim_of(struct ttrpc_call *c)
{
	return c->ctx;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Find the process and check that op is allowed now; replies on refusal. */
static struct process *lookup(struct ttrpc_call *c, const char *id, const char *exec_id, int op, bool quiet_busy)
{
	struct shim *s = shim_of(c);
	const char *why = NULL;
	enum proc_state next;
	int code;
	struct process *p = process_find(s, id, exec_id, &code, &why);

	if (!p) {
		ttrpc_server_reply(c, code, why, NULL);
		return NULL;
	}
	if (p == s->init && p->creating) {
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "container is being created", NULL);
		return NULL;
	}
	if (op >= 0 && (code = proc_transition(p->state, (enum proc_op)op, &next, &why)) != 0) {
		ttrpc_server_reply(c, code, why, NULL);
		return NULL;
	}
	if (!quiet_busy && p->busy) {
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "another operation on this process is in progress", NULL);
		return NULL;
	}
	return p;
}

/* ---- Create ---- */

/* Whether the bundle's config gives the container a pid namespace of its
 * own (a "pid" entry without a path), as runc-v2's ShouldKillAllOnExit reads
 * it: without one, the init's exit does not end the other processes. */
static bool own_pid_namespace(const char *bundle)
{
	char *path = xasprintf("%s/config.json", bundle);
	json_t *cfg = json_load_file(path, 0, NULL), *nss = json_object_get(json_object_get(cfg, "linux"), "namespaces"), *ns;
	bool own = false;
	size_t i;

	json_array_foreach(nss, i, ns)
		if (json_is_string(json_object_get(ns, "type")) &&
		    !strcmp(json_string_value(json_object_get(ns, "type")), "pid") &&
		    !json_string_length(json_object_get(ns, "path")))
			own = true;
	json_decref(cfg);
	free(path);
	return own;
}

struct create_ctx {
	struct ttrpc_call *call;
	struct process *p;
	Containerd__Task__V2__CreateTaskRequest *req; /* owned by call */
	char pid_file[PATH_MAX];
};

/* forget the container: a Create that failed (nothing of it may stay) or
 * a deleted one making room for the next */
static void drop_container(struct shim *s, struct process *p)
{
	process_free(p);
	shim_rootfs_release(s);
	free(s->cid);
	s->cid = NULL;
}

static void on_created(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	struct create_ctx *cc = arg;
	struct process *p = cc->p;
	struct husk_error e = {0};

	p->busy = false;
	if (code < 0) {
		husk_error_set(&e, code, "create: %s", msg);
		ttrpc_server_reply(cc->call, code_of(code), e.msg, NULL);
		drop_container(s, p);
		free(cc);
		return;
	}
	if (p->terminal && proc_io_take_console(p->io, &e) < 0)
		shim_log(s, "create %s: no terminal: %s", s->cid, e.msg);
	process_created(p, pid, cc->req);
	{
		Containerd__Task__V2__CreateTaskResponse r = CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
		r.pid = (uint32_t)pid;
		ttrpc_server_reply(cc->call, TTRPC_OK, NULL, &r.base);
	}
	free(cc);
}

/* Every helper goes through here: the process is busy until cb, and cb is
 * called exactly once, with the spawn's error if there is no helper (it
 * answers the call and frees arg either way). */
static void spawn_helper(struct process *p, struct ttrpc_call *c, struct helper_req *hr, helper_cb cb, void *arg)
{
	int console = -1, r;

	/* the caller's deadline: past it, the operation is not applied */
	hr->timeout_ns = c->timeout_ns;
	hr->stdio[0] = hr->stdio[1] = hr->stdio[2] = -1;
	if (p->io) /* create and exec: the process's ends (already -1 after that) */
		proc_io_child_fds(p->io, hr->stdio, &console);
	hr->console = console;
	p->busy = true;
	r = helper_spawn(p->shim, hr, cb, arg);
	if (p->io)
		proc_io_spawned(p->io); /* the helper holds the process's ends now */
	if (r < 0) {
		struct husk_error e = {0};
		husk_error_sys(&e, r, "start a helper");
		cb(p->shim, arg, r, 0, e.msg);
	}
}

/* CreateTaskRequest.options as runc-v2's: SystemdCgroup (what containerd's
 * CRI sends for a runtime with `SystemdCgroup = true`) makes the create use
 * the systemd driver, as runc-v2 passes runc --systemd-cgroup. */
static bool want_systemd_cgroup(const Containerd__Task__V2__CreateTaskRequest *req)
{
	Containerd__Runc__V1__Options *opt;
	bool on;

	if (!req->options || !req->options->type_url || !strstr(req->options->type_url, "containerd.runc.v1.Options"))
		return false;
	opt = containerd__runc__v1__options__unpack(NULL, req->options->value.len, req->options->value.data);
	on = opt && opt->systemd_cgroup;
	if (opt)
		containerd__runc__v1__options__free_unpacked(opt, NULL);
	return on;
}

static void create_io_ready(void *arg, int r)
{
	struct create_ctx *cc = arg;
	struct shim *s = cc->p->shim;
	struct helper_req hr = {.op = HELPER_CREATE, .bundle = s->bundle, .pid_file = cc->pid_file,
				.systemd_cgroup = want_systemd_cgroup(cc->req)};

	if (r < 0) {
		on_created(s, cc, r, 0,
			   r == -ETIMEDOUT ? "the binary:// logger was not ready in time" : "the binary:// logger did not start");
		return;
	}
	spawn_helper(cc->p, cc->call, &hr, on_created, cc);
}

static void h_create(struct ttrpc_call *c)
{
	struct shim *s = shim_of(c);
	Containerd__Task__V2__CreateTaskRequest *req = (void *)c->request;
	struct husk_error e = {0};
	struct create_ctx *cc;
	struct process *p;
	int r;

	/* one container at a time; a deleted one makes room for the next */
	if (s->init && s->init->state == PROC_DELETED)
		drop_container(s, s->init);
	if (s->init) {
		ttrpc_server_reply(c, TTRPC_ALREADY_EXISTS, "this shim already has a container", NULL);
		return;
	}
	if (husk_validate_id(req->id, &e) < 0) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, e.msg, NULL);
		return;
	}
	if ((req->checkpoint && *req->checkpoint) || (req->parent_checkpoint && *req->parent_checkpoint)) {
		ttrpc_server_reply(c, TTRPC_UNIMPLEMENTED, "restore from a checkpoint is not supported: husk has no CRIU support",
				   NULL);
		return;
	}
	if (req->options && req->options->type_url && !strstr(req->options->type_url, "containerd.runc.v1.Options"))
		shim_log(s, "create %s: ignoring options of type %s", req->id, req->options->type_url);
	free(s->bundle);
	s->bundle = xstrdup(req->bundle && *req->bundle ? req->bundle : s->o.bundle ? s->o.bundle : ".");
	s->cid = xstrdup(req->id);
	s->kill_all_on_exit = !own_pid_namespace(s->bundle);
	p = process_new(s, NULL);
	s->init = p;
	p->creating = true;
	p->terminal = req->terminal;
	p->stdin_path = dup_or_null(req->stdin);
	p->stdout_path = dup_or_null(req->stdout);
	p->stderr_path = dup_or_null(req->stderr);
	if ((r = shim_rootfs_mount(s, req->rootfs, req->n_rootfs, &e)) < 0) {
		ttrpc_server_reply(c, code_of(r), e.msg, NULL);
		drop_container(s, p);
		return;
	}
	cc = xcalloc(1, sizeof(*cc));
	cc->call = c;
	cc->p = p;
	cc->req = req;
	snprintf(cc->pid_file, sizeof(cc->pid_file), "%s/init.pid", s->bundle);
	{
		struct io_cfg io = {.stdin_path = req->stdin, .stdout_path = req->stdout, .stderr_path = req->stderr,
				    .terminal = req->terminal, .id = s->cid, .ns = s->o.ns};
		r = proc_io_open(s->loop, &io, create_io_ready, cc, &p->io, &e);
	}
	if (r < 0) {
		ttrpc_server_reply(c, code_of(r), e.msg, NULL);
		drop_container(s, p);
		free(cc);
	}
}

/* ---- Start ---- */

struct op_ctx {
	struct ttrpc_call *call;
	struct process *p;
};

static struct op_ctx *op_new(struct ttrpc_call *c, struct process *p)
{
	struct op_ctx *o = xcalloc(1, sizeof(*o));

	o->call = c;
	o->p = p;
	return o;
}

static void reply_pid(struct ttrpc_call *c, pid_t pid)
{
	Containerd__Task__V2__StartResponse r = CONTAINERD__TASK__V2__START_RESPONSE__INIT;

	r.pid = (uint32_t)pid;
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
}

static void on_started(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	struct op_ctx *o = arg;
	struct process *p = o->p;

	(void)s;
	(void)pid;
	p->busy = false;
	if (code < 0) {
		process_start_failed(p);
		ttrpc_server_reply(o->call, code_of(code), msg, NULL);
	} else {
		/* /tasks/start, then an exit that came meanwhile */
		process_started(p, 0);
		reply_pid(o->call, p->pid);
	}
	free(o);
}

static void on_exec_started(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	struct op_ctx *o = arg;
	struct process *p = o->p;
	struct husk_error e = {0};

	p->busy = false;
	if (code < 0) {
		/* the process's own failure (a missing binary, a bad cwd) is not a
		 * NotFound of the exec: Unknown, as runc-v2 answers */
		husk_error_set(&e, code, "exec failed: %s", msg);
		process_start_failed(p); /* its fifos are closed before the client hears */
		ttrpc_server_reply(o->call, code == -ESRCH ? TTRPC_NOT_FOUND : TTRPC_UNKNOWN, e.msg, NULL);
		free(o);
		return;
	}
	if (p->terminal && proc_io_take_console(p->io, &e) < 0)
		shim_log(s, "exec %s: no terminal: %s", p->exec_id, e.msg);
	/* /tasks/exec-started, then its exit if it has ended already */
	process_started(p, pid);
	reply_pid(o->call, pid);
	free(o);
}

static void exec_io_ready(void *arg, int r)
{
	struct op_ctx *o = arg;
	struct process *p = o->p;
	struct helper_req hr = {.op = HELPER_EXEC, .input = p->spec_json};

	if (r < 0) {
		on_exec_started(p->shim, o, r, 0,
				r == -ETIMEDOUT ? "the binary:// logger was not ready in time"
						: "the binary:// logger did not start");
		return;
	}
	spawn_helper(p, o->call, &hr, on_exec_started, o);
}

static void h_start(struct ttrpc_call *c)
{
	Containerd__Task__V2__StartRequest *req = (void *)c->request;
	struct shim *s = shim_of(c); /* before lookup: a refusal frees the call */
	struct process *p = lookup(c, req->id, req->exec_id, OP_START, false);
	struct husk_error e = {0};
	int r;

	if (!p)
		return;
	if (p == s->init) {
		struct helper_req hr = {.op = HELPER_START};
		process_starting(p);
		spawn_helper(p, c, &hr, on_started, op_new(c, p));
		return;
	}
	/* as runc-v2: no exec starts once the container's init has exited */
	if (s->init->reaped) {
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "container's init process has exited", NULL);
		return;
	}
	{
		struct io_cfg io = {.stdin_path = p->stdin_path, .stdout_path = p->stdout_path,
				    .stderr_path = p->stderr_path, .terminal = p->terminal, .id = s->cid, .ns = s->o.ns};
		struct op_ctx *o = op_new(c, p);
		process_starting(p);
		r = proc_io_open(s->loop, &io, exec_io_ready, o, &p->io, &e);
		if (r < 0) {
			process_start_failed(p);
			ttrpc_server_reply(c, code_of(r), e.msg, NULL);
			free(o);
		}
	}
}

/* ---- State, Wait, Connect ---- */

static void h_state(struct ttrpc_call *c)
{
	Containerd__Task__V2__StateRequest *req = (void *)c->request;
	Containerd__Task__V2__StateResponse r = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts;
	struct shim *s = shim_of(c);
	const char *why;
	int code;
	struct process *p = process_find(s, req->id, req->exec_id, &code, &why);

	if (!p) {
		ttrpc_server_reply(c, code, why, NULL);
		return;
	}
	if (p->state == PROC_DELETED) {
		ttrpc_server_reply(c, TTRPC_NOT_FOUND, "process not found (deleted)", NULL);
		return;
	}
	r.id = p->exec_id ? p->exec_id : s->cid;
	r.exec_id = p->exec_id;
	r.bundle = s->bundle;
	r.pid = (uint32_t)p->pid;
	/* Create still running: containerd's enum has no "creating", so UNKNOWN */
	r.status = p == s->init && p->creating ? 0 : proc_state_to_status(p->state);
	r.stdin = p->stdin_path;
	r.stdout = p->stdout_path;
	r.stderr = p->stderr_path;
	r.terminal = p->terminal;
	if (p->exited) {
		r.exit_status = (uint32_t)p->exit_status;
		ts = timestamp_of(&p->exited_at);
		r.exited_at = &ts;
	}
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
}

static void h_wait(struct ttrpc_call *c)
{
	Containerd__Task__V2__WaitRequest *req = (void *)c->request;
	struct shim *s = shim_of(c);
	const char *why;
	int code;
	struct process *p = process_find(s, req->id, req->exec_id, &code, &why);

	if (!p) {
		ttrpc_server_reply(c, code, why, NULL);
		return;
	}
	process_add_waiter(p, c);
}

static void h_connect(struct ttrpc_call *c)
{
	Containerd__Task__V2__ConnectResponse r = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
	struct shim *s = shim_of(c);

	r.shim_pid = (uint32_t)getpid();
	r.task_pid = s->init ? (uint32_t)s->init->pid : 0;
	r.version = (char *)HUSK_VERSION;
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
}

/* ---- Delete ---- */

static void reply_delete(struct ttrpc_call *c, struct process *p)
{
	Containerd__Task__V2__DeleteResponse r = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = timestamp_of(&p->exited_at);

	r.pid = (uint32_t)p->pid;
	r.exit_status = (uint32_t)p->exit_status;
	if (p->exited)
		r.exited_at = &ts;
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
}

static void on_deleted(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	struct op_ctx *o = arg;
	struct process *p = o->p;

	(void)pid;
	p->busy = false;
	if (code < 0 && code != -ENOENT) {
		ttrpc_server_reply(o->call, code_of(code), msg, NULL);
		free(o);
		return;
	}
	shim_rootfs_release(s);
	reply_delete(o->call, p);
	process_deleted(p); /* /tasks/delete; the execs go with it */
	free(o);
}

static void h_delete(struct ttrpc_call *c)
{
	Containerd__Task__V2__DeleteRequest *req = (void *)c->request;
	struct shim *s = shim_of(c);
	struct process *p = lookup(c, req->id, req->exec_id, OP_DELETE, false);

	if (!p)
		return;
	if (p != s->init) {
		if (p->creating) {
			ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "the process is being started", NULL);
			return;
		}
		reply_delete(c, p);
		process_deleted(p); /* and forgotten */
		return;
	}
	{
		/* a created init that never ran is killed by the delete (force) */
		struct helper_req hr = {.op = HELPER_DELETE, .force = p->state == PROC_CREATED};
		spawn_helper(p, c, &hr, on_deleted, op_new(c, p));
	}
}

/* ---- Kill, Pids, Pause, Resume, Update, Stats ---- */

static void h_kill(struct ttrpc_call *c)
{
	Containerd__Task__V2__KillRequest *req = (void *)c->request;
	struct shim *s = shim_of(c);
	struct process *p = lookup(c, req->id, req->exec_id, OP_KILL, true);
	struct husk_error e = {0};
	int r;

	if (!p)
		return;
	if (req->signal == 0 || req->signal >= NSIG) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "invalid signal", NULL);
		return;
	}
	if (p->reaped && !req->all) {
		ttrpc_server_reply(c, TTRPC_NOT_FOUND, "process already finished", NULL);
		return;
	}
	if (p == s->init) {
		r = husk_kill(s->o.root, s->cid, (int)req->signal, req->all, &e);
	} else if (!p->pid) {
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "process not started", NULL);
		return;
	} else {
		/* not reaped yet, so the pid cannot have been reused */
		r = kill(p->pid, (int)req->signal) < 0 ? -errno : 0;
		if (r < 0)
			husk_error_sys(&e, r, "kill %d", p->pid);
	}
	if (r < 0)
		ttrpc_server_reply(c, r == -ESRCH ? TTRPC_NOT_FOUND : code_of(r), e.msg, NULL);
	else
		ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
}

static void h_pids(struct ttrpc_call *c)
{
	Containerd__Task__V2__PidsRequest *req = (void *)c->request;
	Containerd__Task__V2__PidsResponse r = CONTAINERD__TASK__V2__PIDS_RESPONSE__INIT;
	struct shim *s = shim_of(c);
	struct process *p = lookup(c, req->id, NULL, -1, true);
	struct husk_error e = {0};
	Containerd__V1__Types__ProcessInfo *infos, **ptrs;
	Google__Protobuf__Any *anys;
	uint8_t **packed;
	pid_t *pids;
	size_t n;

	if (!p)
		return;
	if (husk_pids(s->o.root, s->cid, &pids, &n, &e) < 0) {
		ttrpc_server_reply(c, code_of(e.code), e.msg, NULL);
		return;
	}
	infos = xcalloc(n + 1, sizeof(*infos));
	ptrs = xcalloc(n + 1, sizeof(*ptrs));
	anys = xcalloc(n + 1, sizeof(*anys));
	packed = xcalloc(n + 1, sizeof(*packed));
	for (size_t i = 0; i < n; i++) {
		containerd__v1__types__process_info__init(&infos[i]);
		infos[i].pid = (uint32_t)pids[i];
		ptrs[i] = &infos[i];
		/* an exec'd process says which exec it is, as runc-v2 does */
		for (struct process *q = s->procs; q; q = q->next)
			if (q->exec_id && q->pid == pids[i] && !q->reaped) {
				Containerd__Runc__V1__ProcessDetails d = CONTAINERD__RUNC__V1__PROCESS_DETAILS__INIT;
				d.exec_id = q->exec_id;
				google__protobuf__any__init(&anys[i]);
				anys[i].type_url = (char *)"containerd.runc.v1.ProcessDetails";
				anys[i].value.len = protobuf_c_message_get_packed_size(&d.base);
				packed[i] = xcalloc(1, anys[i].value.len + 1);
				protobuf_c_message_pack(&d.base, packed[i]);
				anys[i].value.data = packed[i];
				infos[i].info = &anys[i];
			}
	}
	r.n_processes = n;
	r.processes = ptrs;
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
	for (size_t i = 0; i < n; i++)
		free(packed[i]);
	free(packed);
	free(anys);
	free(ptrs);
	free(infos);
	free(pids);
}

/* pause and resume answer and publish alike; which one it was is the
 * callback's, not something to guess from the state when it returns (the
 * process may have exited meanwhile) */
static void pause_done(struct shim *s, struct op_ctx *o, int code, const char *msg, bool pause)
{
	struct process *p = o->p;

	(void)s;
	p->busy = false;
	if (code < 0) {
		ttrpc_server_reply(o->call, code_of(code), msg, NULL);
	} else {
		process_paused(p, pause);
		ttrpc_server_reply(o->call, TTRPC_OK, NULL, NULL);
	}
	free(o);
}

static void on_paused(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	(void)pid;
	pause_done(s, arg, code, msg, true);
}

static void on_resumed(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	(void)pid;
	pause_done(s, arg, code, msg, false);
}

static void pause_or_resume(struct ttrpc_call *c, const char *id, bool pause)
{
	struct process *p = lookup(c, id, NULL, pause ? OP_PAUSE : OP_RESUME, false);
	struct helper_req hr = {.op = pause ? HELPER_PAUSE : HELPER_RESUME};

	if (p)
		spawn_helper(p, c, &hr, pause ? on_paused : on_resumed, op_new(c, p));
}

static void h_pause(struct ttrpc_call *c)
{
	pause_or_resume(c, ((Containerd__Task__V2__PauseRequest *)c->request)->id, true);
}

static void h_resume(struct ttrpc_call *c)
{
	pause_or_resume(c, ((Containerd__Task__V2__ResumeRequest *)c->request)->id, false);
}

static void on_updated(struct shim *s, void *arg, int code, pid_t pid, const char *msg)
{
	struct op_ctx *o = arg;

	(void)s;
	(void)pid;
	o->p->busy = false;
	ttrpc_server_reply(o->call, code < 0 ? code_of(code) : TTRPC_OK, code < 0 ? msg : NULL, NULL);
	free(o);
}

static void h_update(struct ttrpc_call *c)
{
	Containerd__Task__V2__UpdateTaskRequest *req = (void *)c->request;
	struct process *p = lookup(c, req->id, NULL, OP_UPDATE, false);
	struct helper_req hr = {.op = HELPER_UPDATE};
	char *json;

	if (!p)
		return;
	if (!req->resources || !req->resources->value.len) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "update: no resources", NULL);
		return;
	}
	/* containerd sends the runtime-spec LinuxResources as JSON in the Any */
	if (memchr(req->resources->value.data, '\0', req->resources->value.len)) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "update: resources contain a NUL byte", NULL);
		return;
	}
	json = xasprintf("%.*s", (int)req->resources->value.len, (const char *)req->resources->value.data);
	hr.input = json;
	spawn_helper(p, c, &hr, on_updated, op_new(c, p));
	free(json);
}

static void h_stats(struct ttrpc_call *c)
{
	Containerd__Task__V2__StatsRequest *req = (void *)c->request;
	Containerd__Task__V2__StatsResponse r = CONTAINERD__TASK__V2__STATS_RESPONSE__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	struct shim *s = shim_of(c);
	struct process *p = lookup(c, req->id, NULL, -1, true);
	struct husk_error e = {0};

	if (!p)
		return;
	if (metrics_for_container(s->o.root, s->cid, &any, &e) < 0) {
		ttrpc_server_reply(c, code_of(e.code), e.msg, NULL);
		return;
	}
	r.stats = &any;
	ttrpc_server_reply(c, TTRPC_OK, NULL, &r.base);
	free(any.value.data);
}

/* ---- Exec, ResizePty, CloseIO ---- */

static void h_exec(struct ttrpc_call *c)
{
	Containerd__Task__V2__ExecProcessRequest *req = (void *)c->request;
	struct shim *s = shim_of(c);
	struct process *p = lookup(c, req->id, NULL, OP_EXEC, true), *e;
	const char *why;
	int code;

	if (!p)
		return;
	if (!req->exec_id || !*req->exec_id) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "exec id must not be empty", NULL);
		return;
	}
	if (p->reaped) { /* exited, its exit held until the running execs' */
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "cannot exec in a stopped container", NULL);
		return;
	}
	if (process_find(s, req->id, req->exec_id, &code, &why)) {
		ttrpc_server_reply(c, TTRPC_ALREADY_EXISTS, "an exec with this id already exists", NULL);
		return;
	}
	if (!req->spec || !req->spec->value.len) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "exec: no process spec", NULL);
		return;
	}
	if (memchr(req->spec->value.data, '\0', req->spec->value.len)) {
		ttrpc_server_reply(c, TTRPC_INVALID_ARGUMENT, "exec: the process spec contains a NUL byte", NULL);
		return;
	}
	e = process_new(s, req->exec_id);
	e->terminal = req->terminal;
	e->stdin_path = dup_or_null(req->stdin);
	e->stdout_path = dup_or_null(req->stdout);
	e->stderr_path = dup_or_null(req->stderr);
	e->spec_json = xasprintf("%.*s", (int)req->spec->value.len, (const char *)req->spec->value.data);
	ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
	process_exec_added(e);
}

static void h_resize(struct ttrpc_call *c)
{
	Containerd__Task__V2__ResizePtyRequest *req = (void *)c->request;
	struct process *p = lookup(c, req->id, req->exec_id, OP_RESIZE, true);
	int r;

	if (!p)
		return;
	if (p->reaped) {
		ttrpc_server_reply(c, TTRPC_NOT_FOUND, "process already finished", NULL);
		return;
	}
	r = proc_io_resize(p->io, req->width, req->height);
	if (r == -ENOTTY) {
		ttrpc_server_reply(c, TTRPC_FAILED_PRECONDITION, "the process has no terminal", NULL);
	} else if (r < 0) {
		struct husk_error e = {0};
		husk_error_sys(&e, r, "resize the pty");
		ttrpc_server_reply(c, TTRPC_UNKNOWN, e.msg, NULL);
	} else {
		ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
	}
}

static void h_closeio(struct ttrpc_call *c)
{
	Containerd__Task__V2__CloseIORequest *req = (void *)c->request;
	struct process *p = lookup(c, req->id, req->exec_id, OP_CLOSEIO, true);

	if (!p)
		return;
	if (req->stdin)
		proc_io_close_stdin(p->io);
	ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
}

/* ---- Checkpoint, Shutdown ---- */

static void h_checkpoint(struct ttrpc_call *c)
{
	ttrpc_server_reply(c, TTRPC_UNIMPLEMENTED, "checkpoint is not supported: husk has no CRIU support", NULL);
}

static void h_shutdown(struct ttrpc_call *c)
{
	Containerd__Task__V2__ShutdownRequest *req = (void *)c->request;
	struct shim *s = shim_of(c);
	bool live = s->init && s->init->state != PROC_DELETED;

	ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
	/* as runc-v2: a shim with a container keeps running unless told "now" */
	if (!live || req->now)
		shim_stop(s);
}

#define M(name, Msg, fn) {SVC, name, &containerd__task__v2__##Msg##__descriptor, fn}
const struct ttrpc_method shim_methods[] = {
	M("State", state_request, h_state),
	M("Create", create_task_request, h_create),
	M("Start", start_request, h_start),
	M("Delete", delete_request, h_delete),
	M("Pids", pids_request, h_pids),
	M("Pause", pause_request, h_pause),
	M("Resume", resume_request, h_resume),
	M("Checkpoint", checkpoint_task_request, h_checkpoint),
	M("Kill", kill_request, h_kill),
	M("Exec", exec_process_request, h_exec),
	M("ResizePty", resize_pty_request, h_resize),
	M("CloseIO", close_iorequest, h_closeio),
	M("Update", update_task_request, h_update),
	M("Wait", wait_request, h_wait),
	M("Stats", stats_request, h_stats),
	M("Connect", connect_request, h_connect),
	M("Shutdown", shutdown_request, h_shutdown),
};
const size_t shim_n_methods = sizeof(shim_methods) / sizeof(shim_methods[0]);
