/* Harness plumbing: temp dirs, bundles, the shim process, calls. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "util.h"

#define SVC "containerd.task.v2.Task"

static const char *build_dir(void)
{
	const char *b = getenv("HUSK_BUILD");

	assert_non_null(b); /* ctest sets it */
	return b;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

const char *long_secs(void)
{
	static char s[32];
	const char *run = getenv("HUSK_TEST_RUN");

	if (!*s) {
		if (run && strlen(run) == 6 && strspn(run, "0123456789") == 6 && run[0] != '0')
			snprintf(s, sizeof(s), "1%s%07d", run, (int)getpid());
		else
			snprintf(s, sizeof(s), "1%06d%07d", (int)(getpid() % 900000 + 100000), (int)getpid());
	}
	return s;
}

const char *path_in(struct shim_env *e, const char *name)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", e->dir, name);
	return b;
}

static int vrun(const char *fmt, va_list ap)
{
	char cmd[4096];

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	return system(cmd);
}

static void run(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vrun(fmt, ap);
	va_end(ap);
	assert_int_equal(r, 0);
}

/* for teardown, where a failure must not abort the cleanup */
static void run_quiet(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vrun(fmt, ap);
	va_end(ap);
}

json_t *bundle_config(struct shim_env *e)
{
	char p[400];
	json_t *j;

	snprintf(p, sizeof(p), "%s/config.json", e->bundle);
	j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	return j;
}

void bundle_save(struct shim_env *e, json_t *cfg)
{
	char p[400];

	snprintf(p, sizeof(p), "%s/config.json", e->bundle);
	assert_int_equal(json_dump_file(cfg, p, JSON_INDENT(1)), 0);
	json_decref(cfg);
}

static bool connectable(const char *sock)
{
	struct ttrpc_client c;

	if (ttrpc_client_connect(&c, sock) < 0)
		return false;
	ttrpc_client_close(&c);
	return true;
}

/* a copy of the running test's env: a failed assertion longjmps out of the
 * test, and its own struct dies with its stack frame */
static struct shim_env live;
static bool live_set;

void env_up(struct shim_env *e, const char *const *args, const char *events_addr)
{
	char shim[512];
	json_t *cfg;

	memset(e, 0, sizeof(*e));
	assert_int_equal(make_private_dir("/tmp/husk-shimtest", e->dir, sizeof(e->dir)), 0);
	snprintf(e->sock, sizeof(e->sock), "%s/shim.sock", e->dir);
	snprintf(e->root, sizeof(e->root), "%s/root", e->dir);
	snprintf(e->log, sizeof(e->log), "%s/shim.log", e->dir);
	snprintf(e->bundle, sizeof(e->bundle), "%s/bundle", e->dir);
	run("HUSK=%s/husk %s/mkbundle %s >/dev/null", build_dir(), build_dir(), e->bundle);
	if (args) {
		json_t *a = json_array();
		cfg = bundle_config(e);
		for (const char *const *p = args; *p; p++)
			json_array_append_new(a, json_string(*p));
		json_object_set_new(json_object_get(cfg, "process"), "args", a);
		bundle_save(e, cfg);
	}
	snprintf(shim, sizeof(shim), "%s/husk-shim", build_dir());
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		/* nothing of ctest's: a shim or container a failed test leaves
		 * behind must not hold the pipe ctest waits on */
		int log = open(e->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);
		/* a test runner that dies takes its shim along; SIGTERM: the shim
		 * removes its containers first (SIGKILL would leave them running) */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() == 1)
			_exit(127);
		if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(127);
		if (events_addr)
			setenv("TTRPC_ADDRESS", events_addr, 1);
		else
			unsetenv("TTRPC_ADDRESS");
		/* -debug: every call is traced into the log (and runs under the sanitizers) */
		execl(shim, "husk-shim", "-debug", "-namespace", "harness", "-id", "c1", "-root", e->root, "-bundle", e->bundle,
		      "-socket", e->sock, "serve", (char *)NULL);
		_exit(127);
	}
	for (long long end = now_ms() + WAIT_MS; !connectable(e->sock) && now_ms() < end;)
		usleep(10000);
	assert_int_equal(ttrpc_client_connect(&e->cl, e->sock), 0);
	live = *e;
	live_set = true;
}

int env_teardown(void **state)
{
	struct shim_env *e = &live;
	int ws;

	(void)state;
	if (!live_set || e->pid <= 0)
		return 0;
	live_set = false;
	/* a test that failed half-way: SIGTERM makes the shim remove its
	 * container before it exits */
	kill(e->pid, SIGTERM);
	for (long long end = now_ms() + WAIT_MS; waitpid(e->pid, &ws, WNOHANG) == 0 && now_ms() < end;)
		usleep(10000);
	kill(e->pid, SIGKILL);
	waitpid(e->pid, &ws, 0);
	/* the test's client is left open: the test may have replaced it, and
	 * this copy's fd number could belong to something else by now */
	/* what the shim said, for the failure report; then any container it
	 * could not remove (it was killed) goes, so nothing outlives the test */
	fprintf(stderr, "--- %s (last lines)\n", e->log);
	run_quiet("tail -n 40 %s >&2", e->log);
	run_quiet("for d in %s/*/; do [ -f \"$d/state.json\" ] && %s/husk --root %s delete --force \"$(basename \"$d\")\"; done",
		  e->root, build_dir(), e->root);
	fprintf(stderr, "--- left for inspection: %s\n", e->dir);
	return 0;
}

/* SIGALRM: only async-signal-safe calls (write, kill, waitpid, nanosleep, _exit) */
static void deadline_passed(int sig)
{
	static const char msg[] = "harness: past HUSK_TEST_TIMEOUT: SIGTERM to the shim, so that it removes its "
				  "containers, then exit\n";
	pid_t pid = live_set ? live.pid : 0;
	int ws;

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	if (pid > 0) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 1000 && waitpid(pid, &ws, WNOHANG) == 0; i++) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		/* as env_teardown: the temp dir stays for inspection, and says where */
		(void)!write(STDERR_FILENO, "--- left for inspection: ", 25);
		(void)!write(STDERR_FILENO, live.dir, strlen(live.dir));
		(void)!write(STDERR_FILENO, "\n", 1);
	}
	_exit(1);
}

void harness_deadline(void)
{
	const char *v = getenv("HUSK_TEST_TIMEOUT");
	long secs = v ? strtol(v, NULL, 10) : 0;
	struct sigaction sa = {.sa_handler = deadline_passed};

	if (secs <= 0)
		return;
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarm((unsigned)secs);
}

/* only what the test made: files of the temp dir, then empty dirs (the
 * bundle's rootfs is ours too; nothing is mounted there) */
static void remove_tree(const char *dir)
{
	run("find %s -mount -depth \\( -type f -o -type l -o -type p -o -type s \\) -delete; "
	    "find %s -mount -depth -type d -empty -delete",
	    dir, dir);
}

void env_down(struct shim_env *e)
{
	Containerd__Task__V2__ShutdownRequest req = CONTAINERD__TASK__V2__SHUTDOWN_REQUEST__INIT;
	int ws = 0;
	pid_t r = 0;

	req.id = (char *)"c1";
	req.now = true;
	rpc(e, "Shutdown", &req, NULL, NULL);
	ttrpc_client_close(&e->cl);
	live_set = false;
	for (long long end = now_ms() + WAIT_MS; (r = waitpid(e->pid, &ws, WNOHANG)) == 0 && now_ms() < end;)
		usleep(10000);
	if (r == 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, &ws, 0);
	}
	if (!(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
		char *log = read_text(e->log);
		fprintf(stderr, "shim log:\n%s\n", log ? log : "");
		free(log);
	}
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	/* the container is gone with the shim: no state left under the root */
	{
		DIR *d = opendir(e->root);
		int n = 0;
		struct dirent *de;
		while (d && (de = readdir(d)))
			n += de->d_name[0] != '.';
		if (d)
			closedir(d);
		assert_int_equal(n, 0);
	}
	remove_tree(e->dir);
}

void env_down_signal(struct shim_env *e, int sig)
{
	int ws = 0, n = 0;
	pid_t r = 0;
	DIR *d;
	struct dirent *de;

	live_set = false;
	assert_int_equal(kill(e->pid, sig), 0);
	for (long long end = now_ms() + WAIT_MS; (r = waitpid(e->pid, &ws, WNOHANG)) == 0 && now_ms() < end;)
		usleep(10000);
	if (r == 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, &ws, 0);
	}
	ttrpc_client_close(&e->cl);
	d = opendir(e->root);
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	if (n || !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
		char *log = read_text(e->log);
		fprintf(stderr, "shim log:\n%s\n", log ? log : "");
		free(log);
		run_quiet("for d in %s/*/; do [ -f \"$d/state.json\" ] && %s/husk --root %s delete --force \"$(basename \"$d\")\"; done",
			  e->root, build_dir(), e->root);
	}
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	if (n)
		fail_msg("%d container state(s) left under %s after signal %d to the shim", n, e->root, sig);
	remove_tree(e->dir);
}

int rpc_on(struct ttrpc_client *c, const char *method, const void *req, const ProtobufCMessageDescriptor *rd,
	   void *resp, char **message)
{
	struct ttrpc_reply rep;
	int r = ttrpc_client_call(c, SVC, method, req, 60000, &rep), code;

	if (resp)
		*(ProtobufCMessage **)resp = NULL;
	if (message)
		*message = NULL;
	assert_int_equal(r, 0);
	code = rep.code;
	if (code == TTRPC_OK && resp && rd) {
		*(ProtobufCMessage **)resp = protobuf_c_message_unpack(rd, NULL, rep.payload_len, rep.payload);
		assert_non_null(*(ProtobufCMessage **)resp);
	}
	if (message && rep.message)
		*message = strdup(rep.message);
	ttrpc_reply_free(&rep);
	return code;
}

int rpc(struct shim_env *e, const char *method, const void *req, const ProtobufCMessageDescriptor *rd, void *resp)
{
	char *msg;
	int code = rpc_on(&e->cl, method, req, rd, resp, &msg);

	snprintf(e->last_msg, sizeof(e->last_msg), "%s", msg ? msg : "");
	free(msg);
	return code;
}

void rpc_free(void *msg)
{
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}

int create(struct shim_env *e, const char *id, const char *out, const char *err, const char *in, bool tty)
{
	Containerd__Task__V2__CreateTaskRequest req = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;

	req.id = (char *)id;
	req.bundle = e->bundle;
	req.stdout = (char *)(out ? out : "");
	req.stderr = (char *)(err ? err : "");
	req.stdin = (char *)(in ? in : "");
	req.terminal = tty;
	return rpc(e, "Create", &req, NULL, NULL);
}

int start(struct shim_env *e, const char *id, const char *exec_id, pid_t *pid)
{
	Containerd__Task__V2__StartRequest req = CONTAINERD__TASK__V2__START_REQUEST__INIT;
	Containerd__Task__V2__StartResponse *resp;
	int r;

	req.id = (char *)id;
	req.exec_id = (char *)(exec_id ? exec_id : "");
	r = rpc(e, "Start", &req, &containerd__task__v2__start_response__descriptor, &resp);
	if (pid)
		*pid = resp ? (pid_t)resp->pid : 0;
	rpc_free(resp);
	return r;
}

int wait_exit(struct shim_env *e, const char *id, const char *exec_id, int *status)
{
	Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	Containerd__Task__V2__WaitResponse *resp;
	int r;

	req.id = (char *)id;
	req.exec_id = (char *)(exec_id ? exec_id : "");
	r = rpc(e, "Wait", &req, &containerd__task__v2__wait_response__descriptor, &resp);
	if (status)
		*status = resp ? (int)resp->exit_status : -1;
	if (resp)
		assert_true(resp->exited_at && resp->exited_at->seconds > 0);
	rpc_free(resp);
	return r;
}

int del(struct shim_env *e, const char *id, const char *exec_id)
{
	Containerd__Task__V2__DeleteRequest req = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
	Containerd__Task__V2__DeleteResponse *resp;
	int r;

	req.id = (char *)id;
	req.exec_id = (char *)(exec_id ? exec_id : "");
	r = rpc(e, "Delete", &req, &containerd__task__v2__delete_response__descriptor, &resp);
	rpc_free(resp);
	return r;
}

int kill_proc(struct shim_env *e, const char *id, const char *exec_id, int sig, bool all)
{
	Containerd__Task__V2__KillRequest req = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;

	req.id = (char *)id;
	req.exec_id = (char *)(exec_id ? exec_id : "");
	req.signal = (uint32_t)sig;
	req.all = all;
	return rpc(e, "Kill", &req, NULL, NULL);
}

int state_of(struct shim_env *e, const char *id, const char *exec_id, int *status, pid_t *pid)
{
	Containerd__Task__V2__StateRequest req = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateResponse *resp;
	int r;

	req.id = (char *)id;
	req.exec_id = (char *)(exec_id ? exec_id : "");
	r = rpc(e, "State", &req, &containerd__task__v2__state_response__descriptor, &resp);
	if (status)
		*status = resp ? (int)resp->status : -1;
	if (pid)
		*pid = resp ? (pid_t)resp->pid : 0;
	rpc_free(resp);
	return r;
}

int exec_add(struct shim_env *e, const char *id, const char *exec_id, const char *const *args, const char *out,
	     bool tty)
{
	Containerd__Task__V2__ExecProcessRequest req = CONTAINERD__TASK__V2__EXEC_PROCESS_REQUEST__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	json_t *cfg = bundle_config(e), *proc = json_object_get(cfg, "process"), *a = json_array();
	char *s;
	int r;

	for (const char *const *p = args; *p; p++)
		json_array_append_new(a, json_string(*p));
	json_object_set_new(proc, "args", a);
	json_object_set_new(proc, "terminal", json_boolean(tty));
	s = json_dumps(proc, JSON_COMPACT);
	json_decref(cfg);
	any.type_url = (char *)"types.containerd.io/opencontainers/runtime-spec/1/Process";
	any.value.data = (uint8_t *)s;
	any.value.len = strlen(s);
	req.id = (char *)id;
	req.exec_id = (char *)exec_id;
	req.stdout = (char *)(out ? out : "");
	req.stderr = (char *)"";
	req.stdin = (char *)"";
	req.terminal = tty;
	req.spec = &any;
	r = rpc(e, "Exec", &req, NULL, NULL);
	free(s);
	return r;
}

int fifo_reader(struct shim_env *e, const char *name)
{
	const char *p = path_in(e, name);
	int fd;

	assert_int_equal(mkfifo(p, 0600), 0);
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

size_t drain_fd(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return len;
}

char *read_text(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *b;
	size_t n;

	if (fd < 0)
		return NULL;
	b = calloc(1, 1 << 20);
	assert_non_null(b);
	n = drain_fd(fd, b, (1 << 20) - 1);
	b[n] = '\0';
	close(fd);
	return b;
}

bool shim_holds(struct shim_env *e, const char *path)
{
	char dir[64], link[600], target[600];
	struct dirent *d;
	bool found = false;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)e->pid);
	fds = opendir(dir);
	assert_non_null(fds);
	while (!found && (d = readdir(fds))) {
		ssize_t n;
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			found = !strcmp(target, path);
		}
	}
	closedir(fds);
	return found;
}

int shim_fd_count(struct shim_env *e)
{
	char p[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "/proc/%d/fd", e->pid);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int shim_fd_count_settled(struct shim_env *e, int max)
{
	int n = shim_fd_count(e);

	for (long long end = now_ms() + WAIT_MS; n > max && now_ms() < end; n = shim_fd_count(e))
		usleep(10000);
	return n;
}

/* children of the shim in state Z (not yet reaped) */
int shim_zombies(struct shim_env *e)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char p[300], buf[512], st;
		int ppid;
		FILE *f;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/stat", de->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *rp = strrchr(buf, ')');
			if (rp && sscanf(rp + 2, "%c %d", &st, &ppid) == 2 && ppid == e->pid && st == 'Z')
				n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}
