/* Helper processes. In the child: fd 0-2 the process's stdio, 3 the result
 * pipe, 4 the console socket (if any), 5 the request (a memfd holding one
 * record: struct wire, then its strings), 6 the shim's log. The result is
 * "<code> <pid>\n<message>", taken when the helper has been reaped. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "husk/husk.h"
#include "husk/log.h"
#include "shim.h"
#include "util.h"

enum { FD_RESULT = 3, FD_CONSOLE = 4, FD_REQUEST = 5, FD_LOG = 6 };

/* what the child gets, decoded */
struct helper_args {
	enum helper_op op;
	const char *root, *id, *bundle, *pid_file, *input;
	bool force, console, systemd_cgroup;
};

typedef int (*op_fn)(const struct helper_args *a, pid_t *pid, struct husk_error *e);

static int op_create(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	struct husk_create_opts o = {.root = a->root, .id = a->id, .bundle = a->bundle, .pid_file = a->pid_file,
				     .console_fd = a->console ? FD_CONSOLE : 0, .systemd_cgroup = a->systemd_cgroup};
	return husk_create(&o, pid, e);
}

static int op_exec(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	struct husk_exec_opts o = {.root = a->root, .id = a->id, .process_json = a->input,
				   .console_fd = a->console ? FD_CONSOLE : 0};
	return husk_exec(&o, pid, e);
}

static int op_start(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	(void)pid;
	return husk_start(a->root, a->id, e);
}

static int op_delete(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	(void)pid;
	return husk_delete(a->root, a->id, a->force, e);
}

static int op_pause(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	(void)pid;
	return husk_pause(a->root, a->id, e);
}

static int op_resume(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	(void)pid;
	return husk_resume(a->root, a->id, e);
}

static int op_update(const struct helper_args *a, pid_t *pid, struct husk_error *e)
{
	(void)pid;
	return husk_update(a->root, a->id, a->input ? a->input : "{}", e);
}

/* One row per operation: a new one is an enum value in helper.h and a row
 * here. host_only: it clones no process of the container, so it may run in
 * the fork even when the shim's image is not sealed (CVE-2019-5736 concerns
 * only processes of the container reaching our binary). killable: killing
 * it at its deadline leaves nothing half-done that matters (a freezer write,
 * a cgroup update), so a late result can never apply it after the caller
 * was told it failed. */
static const struct op_def {
	const char *name;
	op_fn run;
	bool host_only, killable;
} ops[HELPER_N_OPS] = {
	[HELPER_CREATE] = {"create", op_create, false, false},
	[HELPER_EXEC] = {"exec", op_exec, false, false},
	[HELPER_START] = {"start", op_start, true, false},
	[HELPER_DELETE] = {"delete", op_delete, true, false},
	[HELPER_PAUSE] = {"pause", op_pause, true, true},
	[HELPER_RESUME] = {"resume", op_resume, true, true},
	[HELPER_UPDATE] = {"update", op_update, true, true},
};

const char *helper_op_name(enum helper_op op)
{
	return op < HELPER_N_OPS ? ops[op].name : "?";
}

/* The request as it travels on fd 5: this header, then the strings named by
 * len[] (root, id, bundle, pid_file, input; NO_STR = absent). */
#define WIRE_MAGIC 0x68736b31u /* "hsk1" */
#define NO_STR UINT32_MAX
enum { S_ROOT, S_ID, S_BUNDLE, S_PID_FILE, S_INPUT, N_STR };
struct wire {
	uint32_t magic, op;
	uint8_t force, console, debug, systemd_cgroup;
	int64_t deadline_ns; /* CLOCK_MONOTONIC (one clock for every process), 0 none */
	uint32_t len[N_STR];
};

struct helper {
	struct shim *s;
	enum helper_op op;
	pid_t pid;
	int fd;
	char buf[HUSK_ERROR_MAX + 64];
	size_t len;
	int ws;
	bool timed_out;
	uv_timer_t *deadline;
	helper_cb cb;
	void *arg;
	struct helper *next;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void unlink_helper(struct helper *h)
{
	for (struct helper **pp = &h->s->helpers; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			return;
		}
}

static void drop_deadline(struct helper *h)
{
	if (h->deadline) {
		uv_timer_stop(h->deadline);
		uv_close((uv_handle_t *)h->deadline, (uv_close_cb)free);
		h->deadline = NULL;
	}
}

static void complete(struct helper *h)
{
	int code = -EPROTO, pid = 0, off = 0;
	const char *msg = "the helper ended without a result";
	char late[128];

	h->buf[h->len] = '\0';
	if (sscanf(h->buf, "%d %d\n%n", &code, &pid, &off) >= 2 && off > 0) {
		msg = h->buf + off;
	} else if (h->timed_out) {
		/* killed at the deadline before it reported: not applied */
		code = -ETIMEDOUT;
		snprintf(late, sizeof(late), "%s: deadline exceeded", ops[h->op].name);
		msg = late;
	} else if (WIFSIGNALED(h->ws)) {
		msg = "the helper was killed";
	}
	unlink_helper(h);
	drop_deadline(h);
	h->cb(h->s, h->arg, code, code == 0 ? pid : 0, msg);
	free(h);
}

/* The result is read once the helper has been reaped: it wrote it before it
 * exited, and it is far smaller than a pipe's buffer. EOF cannot be the
 * signal: the container's init is a clone of the helper and holds the pipe
 * (close-on-exec) until its own execve. */
static void read_result(struct helper *h)
{
	for (;;) {
		ssize_t n = read(h->fd, h->buf + h->len, sizeof(h->buf) - 1 - h->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (h->len += (size_t)n) >= sizeof(h->buf) - 1)
			break;
	}
	close(h->fd);
	h->fd = -1;
}

bool helper_reaped(struct shim *s, pid_t pid, int ws)
{
	for (struct helper *h = s->helpers; h; h = h->next)
		if (h->pid == pid) {
			h->ws = ws;
			read_result(h);
			complete(h);
			return true;
		}
	return false;
}

void helper_kill_all(struct shim *s)
{
	while (s->helpers) {
		struct helper *h = s->helpers;
		s->helpers = h->next;
		/* none may outlive the shim (a helper stuck on a hook or a fifo
		 * would be reparented to pid 1 and run on unsupervised) */
		kill(h->pid, SIGKILL);
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (h->fd >= 0)
			close(h->fd);
		drop_deadline(h);
		/* its caller gets an answer and frees what it holds */
		h->cb(s, h->arg, -ECANCELED, 0, "the shim is shutting down");
		free(h);
	}
}

static void on_deadline(uv_timer_t *t)
{
	struct helper *h = t->data;

	h->timed_out = true;
	kill(h->pid, SIGKILL); /* reaped as usual; complete() answers -ETIMEDOUT */
}

static int write_all(int fd, const void *b, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)b + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* the request, serialized into a sealed-off memfd the child reads on fd 5 */
static int request_fd(struct shim *s, const struct helper_req *req)
{
	const char *str[N_STR] = {s->o.root, s->cid, req->bundle, req->pid_file, req->input};
	struct wire w = {.magic = WIRE_MAGIC, .op = req->op, .force = req->force, .console = req->console >= 0,
			 .debug = s->o.debug, .systemd_cgroup = req->systemd_cgroup};
	int fd = memfd_create("husk-shim-request", MFD_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (req->timeout_ns > 0)
		w.deadline_ns = mono_ns() + req->timeout_ns;
	for (int i = 0; i < N_STR; i++)
		w.len[i] = str[i] ? (uint32_t)strlen(str[i]) : NO_STR;
	r = write_all(fd, &w, sizeof(w));
	for (int i = 0; i < N_STR && r == 0; i++)
		if (str[i])
			r = write_all(fd, str[i], w.len[i]);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* child side of the fork: put every fd at its number, then run the operation
 * here (host-only, or the shim runs from the sealed image) or exec ourselves
 * from the sealed image first */
static void __attribute__((noreturn)) child(const struct helper_req *req, pid_t shim, int result, int request)
{
	char *argv[] = {(char *)"husk-shim", (char *)"__helper", NULL};
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), fds[7];
	sigset_t none;

	for (int i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* dies with the shim: nobody would read its result or supervise what it makes */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != shim)
		_exit(127);
	if (devnull < 0)
		_exit(127);
	/* first everything above 10, so that no dup2 below clobbers a source */
	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(req->stdio[i] >= 0 ? req->stdio[i] : devnull, F_DUPFD_CLOEXEC, 10);
	fds[FD_RESULT] = fcntl(result, F_DUPFD_CLOEXEC, 10);
	fds[FD_CONSOLE] = req->console >= 0 ? fcntl(req->console, F_DUPFD_CLOEXEC, 10) : -1;
	fds[FD_REQUEST] = fcntl(request, F_DUPFD_CLOEXEC, 10);
	fds[FD_LOG] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
	for (int i = 0; i < 7; i++)
		if (fds[i] >= 0 && dup2(fds[i], i) < 0)
			_exit(127);
	if (ops[req->op].host_only || husk_running_protected()) {
		/* no exec to close the shim's fds (loop, sockets, pipes): a long
		 * hook must not keep containerd's connection open */
		for (int i = 0; i < 7; i++)
			if (fds[i] < 0)
				close(i);
		if (close_range(7, ~0U, 0) < 0)
			_exit(127);
#ifdef __SANITIZE_ADDRESS__
		/* ASan's allocator is not fork-safe: forked while the events
		 * thread held its lock, the child would hang in its first malloc.
		 * Our image is safe to run again (host-only, or sealed): exec it
		 * before anything allocates. */
		execv("/proc/self/exe", argv);
		_exit(127);
#else
		helper_main();
#endif
	}
	husk_exec_sealed(argv, &(struct husk_error){0});
	/* already sealed (or the re-exec failed before replacing us): exec plainly */
	execv("/proc/self/exe", argv);
	dprintf(FD_RESULT, "%d 0\nexec the helper: %s", -errno, strerror(errno));
	_exit(127);
}

int helper_spawn(struct shim *s, const struct helper_req *req, helper_cb cb, void *arg)
{
	int p[2], request, r;
	pid_t pid, self = getpid();
	struct helper *h;

	if (req->op >= HELPER_N_OPS)
		return -EINVAL;
	if ((request = request_fd(s, req)) < 0)
		return request;
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		close(request);
		return r;
	}
	pid = fork();
	if (pid == 0)
		child(req, self, p[1], request);
	r = pid < 0 ? -errno : 0;
	close(p[1]);
	close(request);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	h = xcalloc(1, sizeof(*h));
	h->s = s;
	h->op = req->op;
	h->pid = pid;
	h->fd = p[0];
	h->cb = cb;
	h->arg = arg;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (req->timeout_ns > 0 && ops[req->op].killable) {
		h->deadline = xcalloc(1, sizeof(*h->deadline));
		uv_timer_init(s->loop, h->deadline);
		h->deadline->data = h;
		/* whole milliseconds, at least one */
		uv_timer_start(h->deadline, on_deadline, (uint64_t)(req->timeout_ns + 999999) / 1000000, 0);
	}
	h->next = s->helpers;
	s->helpers = h;
	return 0;
}

/* ---- the child ---- */

static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096;
	char *b = malloc(cap);

	*len = 0;
	for (;;) {
		ssize_t n;
		if (!b)
			return NULL;
		if (*len + 1 >= cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
		}
		n = read(fd, b + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	b[*len] = '\0';
	return b;
}

/* decode the record in buf (len bytes) in place: the strings become
 * NUL-terminated by moving them one byte apart */
static int decode(char *buf, size_t len, struct wire *w, const char *str[N_STR])
{
	size_t off = sizeof(*w), need = sizeof(*w);
	char *out;

	if (len < sizeof(*w))
		return -EPROTO;
	memcpy(w, buf, sizeof(*w));
	if (w->magic != WIRE_MAGIC || w->op >= HELPER_N_OPS)
		return -EPROTO;
	for (int i = 0; i < N_STR; i++)
		if (w->len[i] != NO_STR)
			need += w->len[i];
	if (need != len)
		return -EPROTO;
	/* the header is copied out: its room holds the terminators we add */
	out = buf;
	for (int i = 0; i < N_STR; i++) {
		if (w->len[i] == NO_STR) {
			str[i] = NULL;
			continue;
		}
		memmove(out, buf + off, w->len[i]);
		out[w->len[i]] = '\0';
		str[i] = out;
		off += w->len[i];
		out += w->len[i] + 1;
	}
	return 0;
}

void helper_main(void)
{
	struct husk_error err = {0};
	struct helper_args a = {0};
	const char *str[N_STR];
	struct wire w;
	size_t len;
	char *buf = read_all(FD_REQUEST, &len);
	pid_t pid = 0;
	int r;

	close(FD_REQUEST);
	/* decode needs N_STR more bytes than the strings: the header's room */
	if (!buf) {
		r = husk_error_set(&err, -ENOMEM, "read the helper's request");
		goto out;
	}
	if ((r = decode(buf, len, &w, str)) < 0) {
		r = husk_error_set(&err, r, "the helper's request is malformed");
		goto out;
	}
	a.op = (enum helper_op)w.op;
	a.root = str[S_ROOT];
	a.id = str[S_ID];
	a.bundle = str[S_BUNDLE];
	a.pid_file = str[S_PID_FILE];
	a.input = str[S_INPUT];
	a.force = w.force;
	a.console = w.console;
	a.systemd_cgroup = w.systemd_cgroup;
	/* libhusk's messages go to the shim's log, never to the container's
	 * stderr; the open never blocks (a log fifo nobody reads) */
	husk_log_open("/proc/self/fd/6", false, w.debug);
	close(FD_LOG);
	/* the caller gave up already: do not apply what it was told failed */
	if (w.deadline_ns && mono_ns() > w.deadline_ns) {
		r = husk_error_set(&err, -ETIMEDOUT, "%s: deadline exceeded before it began", ops[a.op].name);
		goto out;
	}
	r = ops[a.op].run(&a, &pid, &err);
out:
	dprintf(FD_RESULT, "%d %d\n%s", r, r < 0 ? 0 : (int)pid, r < 0 ? err.msg : "");
	free(buf);
	_exit(r < 0 ? 1 : 0);
}
