/* shimctl [-a ADDRESS] [--json] [--timeout MS] VERB ...
 * Human output by default; --json prints each reply as a JSON object. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd/cgroups/v1/metrics.pb-c.h"
#include "containerd/cgroups/v2/metrics.pb-c.h"
#include "containerd/runc/options/oci.pb-c.h"
#include "shimctl.h"

#define PB(m) ((ProtobufCMessage *)(m))
#define FREE(m) protobuf_c_message_free_unpacked(PB(m), NULL)


static int v_create(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__CreateTaskRequest req = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	Containerd__Task__V2__CreateTaskResponse *resp;
	const char *pos[1], *bundle = NULL, *in = NULL, *out = NULL, *err = NULL;
	bool tty = false, systemd = false;
	struct opt o[] = {{"bundle", &bundle, NULL}, {"stdin", &in, NULL}, {"stdout", &out, NULL},
			  {"stderr", &err, NULL}, {"terminal", NULL, &tty}, {"tty", NULL, &tty},
			  {"systemd-cgroup", NULL, &systemd}, {0}};
	Containerd__Runc__V1__Options ro = CONTAINERD__RUNC__V1__OPTIONS__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	uint8_t *packed = NULL;
	int n, r;

	if (parse_opts(argc, argv, o, pos, 1, &n, NULL, NULL) < 0 || n != 1 || !bundle) {
		fprintf(stderr, "usage: shimctl create ID --bundle DIR [--stdin P] [--stdout P] [--stderr P] [--terminal]"
				" [--systemd-cgroup]\n");
		return 2;
	}
	req.id = (char *)pos[0];
	req.bundle = (char *)bundle;
	req.stdin = (char *)(in ? in : "");
	req.stdout = (char *)(out ? out : "");
	req.stderr = (char *)(err ? err : "");
	req.terminal = tty;
	if (systemd) {
		/* runc-v2's options, as containerd's CRI sends them for SystemdCgroup = true */
		ro.systemd_cgroup = true;
		packed = calloc(1, containerd__runc__v1__options__get_packed_size(&ro) + 1);
		if (!packed)
			abort();
		any.type_url = (char *)"containerd.runc.v1.Options";
		any.value.len = containerd__runc__v1__options__pack(&ro, packed);
		any.value.data = packed;
		req.options = &any;
	}
	r = ctl_call(c, "Create", PB(&req), &containerd__task__v2__create_task_response__descriptor,
		     (ProtobufCMessage **)&resp);
	free(packed);
	if (r)
		return r;
	if (c->json)
		print_json(json_pack("{s:s, s:i}", "id", pos[0], "pid", (int)resp->pid));
	else
		printf("%u\n", resp->pid);
	FREE(resp);
	return 0;
}

/* verbs of the form VERB ID [--exec EID] */
static int id_exec(int argc, char **argv, const char *usage, const char **id, const char **eid, struct opt *extra,
		   const char **pos, int max_pos, int *npos)
{
	struct opt o[8] = {{"exec", eid, NULL}};
	int k = 1, n;

	for (struct opt *e = extra; e && e->name && k < 7; e++)
		o[k++] = *e;
	if (parse_opts(argc, argv, o, pos, max_pos, &n, NULL, NULL) < 0 || n < 1) {
		fprintf(stderr, "usage: shimctl %s\n", usage);
		return 2;
	}
	*id = pos[0];
	if (npos)
		*npos = n;
	return 0;
}

static int v_start(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__StartRequest req = CONTAINERD__TASK__V2__START_REQUEST__INIT;
	Containerd__Task__V2__StartResponse *resp;
	const char *pos[1], *id, *eid = NULL;
	int r = id_exec(argc, argv, "start ID [--exec EID]", &id, &eid, NULL, pos, 1, NULL);

	if (r)
		return r;
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	if ((r = ctl_call(c, "Start", PB(&req), &containerd__task__v2__start_response__descriptor,
			  (ProtobufCMessage **)&resp)))
		return r;
	if (c->json)
		print_json(json_pack("{s:i}", "pid", (int)resp->pid));
	else
		printf("%u\n", resp->pid);
	FREE(resp);
	return 0;
}

static int v_state(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__StateRequest req = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateResponse *s;
	const char *pos[1], *id, *eid = NULL;
	int r = id_exec(argc, argv, "state ID [--exec EID]", &id, &eid, NULL, pos, 1, NULL);
	json_t *j;

	if (r)
		return r;
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	if ((r = ctl_call(c, "State", PB(&req), &containerd__task__v2__state_response__descriptor,
			  (ProtobufCMessage **)&s)))
		return r;
	j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:i, s:o}", "id", s->id, "exec_id", s->exec_id,
		      "bundle", s->bundle, "pid", (int)s->pid, "status",
		      s->status == 0 && s->pid == 0 ? "creating" : status_name(s->status), "stdin", s->stdin, "stdout",
		      s->stdout, "stderr", s->stderr, "terminal", s->terminal, "exit_status", (int)s->exit_status,
		      "exited_at", timestamp_json(s->exited_at));
	if (c->json) {
		print_json(j);
	} else {
		printf("%-10s %s\n%-10s %s\n%-10s %u\n", "id", s->id, "status", json_string_value(json_object_get(j, "status")),
		       "pid", s->pid);
		if (*s->bundle)
			printf("%-10s %s\n", "bundle", s->bundle);
		if (s->status == 3)
			printf("%-10s %u\n%-10s %s\n", "exit", s->exit_status, "exited at",
			       json_string_value(json_object_get(j, "exited_at")) ?: "");
		json_decref(j);
	}
	FREE(s);
	return 0;
}

static int v_pids(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__PidsRequest req = CONTAINERD__TASK__V2__PIDS_REQUEST__INIT;
	Containerd__Task__V2__PidsResponse *resp;
	const char *pos[1];
	int n, r;
	json_t *a = json_array();

	if (parse_opts(argc, argv, NULL, pos, 1, &n, NULL, NULL) < 0 || n != 1) {
		fprintf(stderr, "usage: shimctl pids ID\n");
		json_decref(a);
		return 2;
	}
	req.id = (char *)pos[0];
	if ((r = ctl_call(c, "Pids", PB(&req), &containerd__task__v2__pids_response__descriptor,
			  (ProtobufCMessage **)&resp))) {
		json_decref(a);
		return r;
	}
	for (size_t i = 0; i < resp->n_processes; i++) {
		Containerd__V1__Types__ProcessInfo *p = resp->processes[i];
		const char *exec = "";
		Containerd__Runc__V1__ProcessDetails *d = NULL;
		if (p->info && p->info->type_url && strstr(p->info->type_url, "ProcessDetails"))
			d = containerd__runc__v1__process_details__unpack(NULL, p->info->value.len, p->info->value.data);
		if (d)
			exec = d->exec_id;
		if (c->json)
			json_array_append_new(a, json_pack("{s:i, s:s}", "pid", (int)p->pid, "exec_id", exec));
		else
			printf("%u%s%s\n", p->pid, *exec ? " " : "", exec);
		if (d)
			containerd__runc__v1__process_details__free_unpacked(d, NULL);
	}
	if (c->json)
		print_json(a);
	else
		json_decref(a);
	FREE(resp);
	return 0;
}

static int v_kill(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__KillRequest req = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;
	const char *pos[2], *id, *eid = NULL;
	bool all = false;
	struct opt extra[] = {{"all", NULL, &all}, {"a", NULL, &all}, {0}};
	int n, sig = SIGTERM, r = id_exec(argc, argv, "kill ID [SIGNAL] [--all] [--exec EID]", &id, &eid, extra, pos, 2, &n);

	if (r)
		return r;
	if (n == 2) {
		static const struct {
			const char *name;
			int sig;
		} names[] = {{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
			     {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}};
		const char *s = pos[1];
		char *end;
		if (!strncmp(s, "SIG", 3))
			s += 3;
		sig = (int)strtol(s, &end, 10);
		if (*end || end == s) {
			sig = 0;
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (!strcasecmp(s, names[i].name))
					sig = names[i].sig;
		}
		if (sig <= 0 || sig >= NSIG) {
			fprintf(stderr, "shimctl: unknown signal %s\n", pos[1]);
			return 2;
		}
	}
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	req.signal = (uint32_t)sig;
	req.all = all;
	return ctl_call(c, "Kill", PB(&req), NULL, NULL);
}

static int v_exec(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__ExecProcessRequest req = CONTAINERD__TASK__V2__EXEC_PROCESS_REQUEST__INIT;
	Containerd__Task__V2__StateRequest sreq = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateResponse *st;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	const char *pos[2], *in = NULL, *out = NULL, *err = NULL;
	bool tty = false;
	struct opt o[] = {{"tty", NULL, &tty}, {"t", NULL, &tty}, {"stdin", &in, NULL}, {"stdout", &out, NULL},
			  {"stderr", &err, NULL}, {0}};
	char **cmd, msg[512], *json;
	int n, ncmd, r;

	if (parse_opts(argc, argv, o, pos, 2, &n, &cmd, &ncmd) < 0 || n != 2 || ncmd < 1) {
		fprintf(stderr, "usage: shimctl exec ID EID [--tty] [--stdin P] [--stdout P] [--stderr P] -- CMD...\n");
		return 2;
	}
	/* the process is the container's own, with our command: its bundle says */
	sreq.id = (char *)pos[0];
	if ((r = ctl_call(c, "State", PB(&sreq), &containerd__task__v2__state_response__descriptor,
			  (ProtobufCMessage **)&st)))
		return r;
	json = exec_process_json(st->bundle, cmd, ncmd, tty, msg, sizeof(msg));
	FREE(st);
	if (!json) {
		fprintf(stderr, "shimctl: exec: %s\n", msg);
		return 1;
	}
	any.type_url = (char *)"types.containerd.io/opencontainers/runtime-spec/1/Process";
	any.value.data = (uint8_t *)json;
	any.value.len = strlen(json);
	req.id = (char *)pos[0];
	req.exec_id = (char *)pos[1];
	req.terminal = tty;
	req.stdin = (char *)(in ? in : "");
	req.stdout = (char *)(out ? out : "");
	req.stderr = (char *)(err ? err : "");
	req.spec = &any;
	r = ctl_call(c, "Exec", PB(&req), NULL, NULL);
	free(json);
	return r;
}

static int v_resize(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__ResizePtyRequest req = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;
	const char *pos[3], *id, *eid = NULL;
	int n, r = id_exec(argc, argv, "resize ID WIDTH HEIGHT [--exec EID]", &id, &eid, NULL, pos, 3, &n);

	if (r)
		return r;
	if (n != 3) {
		fprintf(stderr, "usage: shimctl resize ID WIDTH HEIGHT [--exec EID]\n");
		return 2;
	}
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	req.width = (uint32_t)strtoul(pos[1], NULL, 10);
	req.height = (uint32_t)strtoul(pos[2], NULL, 10);
	return ctl_call(c, "ResizePty", PB(&req), NULL, NULL);
}

static int v_closeio(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__CloseIORequest req = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;
	const char *pos[1], *id, *eid = NULL;
	int r = id_exec(argc, argv, "closeio ID [--exec EID]", &id, &eid, NULL, pos, 1, NULL);

	if (r)
		return r;
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	req.stdin = true;
	return ctl_call(c, "CloseIO", PB(&req), NULL, NULL);
}

static int v_pause_resume(const struct ctl *c, int argc, char **argv, bool pause)
{
	Containerd__Task__V2__PauseRequest req = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;
	const char *pos[1];
	int n;

	if (parse_opts(argc, argv, NULL, pos, 1, &n, NULL, NULL) < 0 || n != 1) {
		fprintf(stderr, "usage: shimctl %s ID\n", pause ? "pause" : "resume");
		return 2;
	}
	/* PauseRequest and ResumeRequest are both {1 id}: the bytes are the same */
	req.id = (char *)pos[0];
	return ctl_call(c, pause ? "Pause" : "Resume", PB(&req), NULL, NULL);
}

static int v_pause(const struct ctl *c, int argc, char **argv)
{
	return v_pause_resume(c, argc, argv, true);
}

static int v_resume(const struct ctl *c, int argc, char **argv)
{
	return v_pause_resume(c, argc, argv, false);
}

static int v_update(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__UpdateTaskRequest req = CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	const char *pos[1], *file = NULL;
	struct opt o[] = {{"resources", &file, NULL}, {"r", &file, NULL}, {0}};
	json_t *j;
	char *s;
	int n, r;

	if (parse_opts(argc, argv, o, pos, 1, &n, NULL, NULL) < 0 || n != 1 || !file) {
		fprintf(stderr, "usage: shimctl update ID --resources FILE (a runtime-spec LinuxResources JSON, - = stdin)\n");
		return 2;
	}
	j = strcmp(file, "-") ? json_load_file(file, 0, NULL) : json_loadf(stdin, 0, NULL);
	if (!json_is_object(j)) {
		fprintf(stderr, "shimctl: update: %s is not a JSON object\n", file);
		json_decref(j);
		return 1;
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	any.type_url = (char *)"types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
	any.value.data = (uint8_t *)s;
	any.value.len = s ? strlen(s) : 0;
	req.id = (char *)pos[0];
	req.resources = &any;
	r = ctl_call(c, "Update", PB(&req), NULL, NULL);
	free(s);
	return r;
}

static int v_stats(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__StatsRequest req = CONTAINERD__TASK__V2__STATS_REQUEST__INIT;
	Containerd__Task__V2__StatsResponse *resp;
	Io__Containerd__Cgroups__V1__Metrics *m = NULL;
	Io__Containerd__Cgroups__V2__Metrics *m2 = NULL;
	const char *pos[1];
	int n, r;

	if (parse_opts(argc, argv, NULL, pos, 1, &n, NULL, NULL) < 0 || n != 1) {
		fprintf(stderr, "usage: shimctl stats ID\n");
		return 2;
	}
	req.id = (char *)pos[0];
	if ((r = ctl_call(c, "Stats", PB(&req), &containerd__task__v2__stats_response__descriptor,
			  (ProtobufCMessage **)&resp)))
		return r;
	if (resp->stats && resp->stats->type_url && !strcmp(resp->stats->type_url, "io.containerd.cgroups.v1.Metrics"))
		m = io__containerd__cgroups__v1__metrics__unpack(NULL, resp->stats->value.len, resp->stats->value.data);
	else if (resp->stats && resp->stats->type_url && !strcmp(resp->stats->type_url, "io.containerd.cgroups.v2.Metrics"))
		m2 = io__containerd__cgroups__v2__metrics__unpack(NULL, resp->stats->value.len, resp->stats->value.data);
	if (!m && !m2) {
		fprintf(stderr, "shimctl: stats: a %s, which shimctl does not decode\n",
			resp->stats && resp->stats->type_url ? resp->stats->type_url : "missing Any");
		FREE(resp);
		return 1;
	}
	{
		/* the same figures from either message (v2: a pure cgroup v2 host) */
		unsigned long long cpu = m ? (m->cpu && m->cpu->usage ? m->cpu->usage->total : 0)
					   : (m2->cpu ? m2->cpu->usage_usec * 1000 : 0);
		unsigned long long mem = m ? (m->memory && m->memory->usage ? m->memory->usage->usage : 0)
					   : (m2->memory ? m2->memory->usage : 0);
		unsigned long long lim = m ? (m->memory && m->memory->usage ? m->memory->usage->limit : 0)
					   : (m2->memory ? m2->memory->usage_limit : 0);
		const void *pp = m ? (const void *)m->pids : (const void *)m2->pids;
		unsigned long long pids = !pp ? 0 : m ? m->pids->current : m2->pids->current;
		unsigned long long plim = !pp ? 0 : m ? m->pids->limit : m2->pids->limit;
		if (c->json)
			print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "type", resp->stats->type_url, "cpu_usage_ns",
					     (json_int_t)cpu, "memory_usage", (json_int_t)mem, "memory_limit", (json_int_t)lim,
					     "pids", (json_int_t)pids, "pids_limit", (json_int_t)plim));
		else
			printf("%-14s %llu ns\n%-14s %llu bytes (limit %llu)\n%-14s %llu (limit %llu)\n", "cpu usage", cpu,
			       "memory usage", mem, lim, "pids", pids, plim);
	}
	if (m2)
		io__containerd__cgroups__v2__metrics__free_unpacked(m2, NULL);
	if (m)
		io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
	FREE(resp);
	return 0;
}

static int v_wait(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	Containerd__Task__V2__WaitResponse *resp;
	const char *pos[1], *id, *eid = NULL;
	struct ctl forever = *c;
	int r = id_exec(argc, argv, "wait ID [--exec EID]", &id, &eid, NULL, pos, 1, NULL);

	if (r)
		return r;
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	/* Wait is answered when the process ends: no limit unless --timeout */
	if (!c->timeout_set)
		forever.timeout_ms = -1;
	if ((r = ctl_call(&forever, "Wait", PB(&req), &containerd__task__v2__wait_response__descriptor,
			  (ProtobufCMessage **)&resp)))
		return r;
	if (c->json)
		print_json(json_pack("{s:i, s:o}", "exit_status", (int)resp->exit_status, "exited_at",
				     timestamp_json(resp->exited_at)));
	else
		printf("%u\n", resp->exit_status);
	FREE(resp);
	return 0;
}

static int v_delete(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__DeleteRequest req = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
	Containerd__Task__V2__DeleteResponse *resp;
	const char *pos[1], *id, *eid = NULL;
	int r = id_exec(argc, argv, "delete ID [--exec EID]", &id, &eid, NULL, pos, 1, NULL);

	if (r)
		return r;
	req.id = (char *)id;
	req.exec_id = (char *)(eid ? eid : "");
	if ((r = ctl_call(c, "Delete", PB(&req), &containerd__task__v2__delete_response__descriptor,
			  (ProtobufCMessage **)&resp)))
		return r;
	if (c->json)
		print_json(json_pack("{s:i, s:i, s:o}", "pid", (int)resp->pid, "exit_status", (int)resp->exit_status,
				     "exited_at", timestamp_json(resp->exited_at)));
	else
		printf("pid %u exit status %u\n", resp->pid, resp->exit_status);
	FREE(resp);
	return 0;
}

static int v_connect(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__ConnectRequest req = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
	Containerd__Task__V2__ConnectResponse *resp;
	const char *pos[1];
	int n, r;

	if (parse_opts(argc, argv, NULL, pos, 1, &n, NULL, NULL) < 0 || n != 1) {
		fprintf(stderr, "usage: shimctl connect ID\n");
		return 2;
	}
	req.id = (char *)pos[0];
	if ((r = ctl_call(c, "Connect", PB(&req), &containerd__task__v2__connect_response__descriptor,
			  (ProtobufCMessage **)&resp)))
		return r;
	if (c->json)
		print_json(json_pack("{s:i, s:i, s:s}", "shim_pid", (int)resp->shim_pid, "task_pid", (int)resp->task_pid,
				     "version", resp->version));
	else
		printf("shim pid %u\ntask pid %u\nversion %s\n", resp->shim_pid, resp->task_pid, resp->version);
	FREE(resp);
	return 0;
}

static int v_shutdown(const struct ctl *c, int argc, char **argv)
{
	Containerd__Task__V2__ShutdownRequest req = CONTAINERD__TASK__V2__SHUTDOWN_REQUEST__INIT;
	const char *pos[1];
	bool now = false;
	struct opt o[] = {{"now", NULL, &now}, {0}};
	int n;

	if (parse_opts(argc, argv, o, pos, 1, &n, NULL, NULL) < 0 || n != 1) {
		fprintf(stderr, "usage: shimctl shutdown ID [--now]\n");
		return 2;
	}
	req.id = (char *)pos[0];
	req.now = now;
	return ctl_call(c, "Shutdown", PB(&req), NULL, NULL);
}

static const struct verb {
	const char *name;
	int (*fn)(const struct ctl *, int, char **);
	const char *help;
} verbs[] = {
	{"create", v_create, "ID --bundle DIR [--stdin P] [--stdout P] [--stderr P] [--terminal] [--systemd-cgroup]"},
	{"start", v_start, "ID [--exec EID]"},
	{"state", v_state, "ID [--exec EID]"},
	{"pids", v_pids, "ID"},
	{"kill", v_kill, "ID [SIGNAL] [--all] [--exec EID]"},
	{"exec", v_exec, "ID EID [--tty] [--stdin P] [--stdout P] [--stderr P] -- CMD..."},
	{"resize", v_resize, "ID WIDTH HEIGHT [--exec EID]"},
	{"closeio", v_closeio, "ID [--exec EID]"},
	{"pause", v_pause, "ID"},
	{"resume", v_resume, "ID"},
	{"update", v_update, "ID --resources FILE"},
	{"stats", v_stats, "ID"},
	{"wait", v_wait, "ID [--exec EID]   (prints the exit status)"},
	{"delete", v_delete, "ID [--exec EID]"},
	{"connect", v_connect, "ID"},
	{"shutdown", v_shutdown, "ID [--now]"},
	{"run", cmd_run, "[--tty] [--shim BINARY] ID --bundle DIR [-- CMD...]"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: shimctl [-a ADDRESS] [--json] [--timeout MS] VERB ...\n"
		   "ADDRESS is the shim's socket (unix:// optional), or $SHIMCTL_ADDRESS.\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-9s %s\n", verbs[i].name, verbs[i].help);
}

int main(int argc, char **argv)
{
	struct ctl c = {.address = getenv("SHIMCTL_ADDRESS"), .timeout_ms = 30000};
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-a") || !strcmp(a, "--address")) && i + 1 < argc)
			c.address = argv[++i];
		else if (!strcmp(a, "--json") || !strcmp(a, "-json"))
			c.json = true;
		else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (end == argv[i] || *end || v <= 0 || v > INT_MAX) {
				fprintf(stderr, "shimctl: --timeout must be a positive number of milliseconds, got \"%s\"\n",
					argv[i]);
				return 2;
			}
			c.timeout_ms = (int)v;
			c.timeout_set = true;
		}
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "shimctl: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (!strcmp(argv[i], verbs[k].name)) {
			if (!c.address && verbs[k].fn != cmd_run) {
				fprintf(stderr, "shimctl: no shim address: give -a ADDRESS\n");
				return 2;
			}
			return verbs[k].fn(&c, argc - i - 1, argv + i + 1);
		}
	fprintf(stderr, "shimctl: unknown verb %s\n", argv[i]);
	usage(stderr);
	return 2;
}
