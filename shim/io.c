/* stdio of one process. Schemes as containerd's runc-v2 shim reads them: a
 * bare path is a fifo; file:///p appends both stdout and stderr to p;
 * binary:///logger?k=v runs the logger with the output pipes as fds 3 and 4
 * and waits until it closes (or writes to) fd 5. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "husk/husk.h"
#include "io.h"
#include "relay.h"
#include "util.h"

#define PIPE_BYTES (1 << 20)
/* how much longer than the drain a fifo's output waits for a reader to come */
#define HANDOVER_MS 30000
/* A binary:// logger that never says it is ready (never closes or writes
 * its fd 5) must not hold the Create or exec Start forever: runc-v2 would
 * wait on it without end; we give up after this. */
#define LOGGER_READY_MS 10000

struct proc_io {
	uv_loop_t *loop;
	int child[3];
	int console[2];
	int master;
	struct relay *in, *out, *err;
	int in_src;   /* stdin fifo, relayed once the pty master is there */
	int in_keep;  /* our own writer on the stdin fifo, until CloseIO */
	int out_dst;  /* stdout destination for a terminal */
	bool out_self_read; /* it is a fifo we hold read-write too */
	pid_t logger;
	uv_poll_t *logger_ready;
	uv_timer_t *logger_timer;
	int ready_fd;
	void (*ready)(void *, int);
	void *ready_arg;
	void (*drained)(void *);
	void *drain_arg;
	uv_timer_t *drain_timer;
	bool handover_waited; /* the drain's time was extended once for a late reader */
};


static bool set(const char *s)
{
	return s && *s;
}

/* A fifo for writing: O_WRONLY when a reader is there; O_RDWR when none is
 * yet, so the open does not block the loop and the fifo is not lost.
 * *self_read: the latter (the relay then closes it only once it is read). */
static int open_fifo_out(const char *path, bool *self_read)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	*self_read = false;
	if (fd < 0 && errno == ENXIO) {
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		*self_read = fd >= 0;
	}
	if (fd < 0)
		return -errno;
	/* a plain path may also name a regular file (a person with shimctl):
	 * append, so that two processes' output does not overwrite each other */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND);
	return fd;
}

static int open_file_out(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755); /* as containerd: the log's directory may not exist yet */
	}
	free(dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* pipe whose one end is ours (relayed) and the other the process's */
static int make_pipe(int *ours, int *theirs, bool theirs_reads)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	*ours = theirs_reads ? p[1] : p[0];
	*theirs = theirs_reads ? p[0] : p[1];
	return 0;
}

static void drop_drain_timer(struct proc_io *io)
{
	if (io->drain_timer) {
		uv_timer_stop(io->drain_timer);
		uv_close((uv_handle_t *)io->drain_timer, (uv_close_cb)free);
		io->drain_timer = NULL;
	}
}

static void drop_logger_watch(struct proc_io *io)
{
	if (io->logger_ready) {
		uv_poll_stop(io->logger_ready);
		uv_close((uv_handle_t *)io->logger_ready, (uv_close_cb)free);
		io->logger_ready = NULL;
	}
	if (io->logger_timer) {
		uv_timer_stop(io->logger_timer);
		uv_close((uv_handle_t *)io->logger_timer, (uv_close_cb)free);
		io->logger_timer = NULL;
	}
}

static void on_logger_ready(uv_poll_t *h, int status, int events)
{
	struct proc_io *io = h->data;
	char b;

	(void)status;
	(void)events;
	if (read(io->ready_fd, &b, 1) < 0 && errno == EAGAIN)
		return;
	drop_logger_watch(io);
	close_fd(&io->ready_fd);
	io->ready(io->ready_arg, 0);
}

static void on_logger_timeout(uv_timer_t *t)
{
	struct proc_io *io = t->data;

	drop_logger_watch(io);
	close_fd(&io->ready_fd);
	io->ready(io->ready_arg, -ETIMEDOUT); /* the caller frees io (and kills the logger) */
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Undo a URI's %XX escapes in place (containerd builds its stdio URIs with Go's
 * net/url, which escapes a path's spaces and such); in a query, '+' is a space. */
static char *uri_unescape(char *s, bool query)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		int hi, lo;
		if (*r == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = query && *r == '+' ? ' ' : *r;
		}
	}
	*w = '\0';
	return s;
}

/* the file of a file:// URI (caller frees) */
static char *file_uri_path(const char *uri)
{
	return uri_unescape(xstrdup(uri + strlen("file://")), false);
}

/* binary:///path?k=v&k2=v2 → path k v k2 v2, as containerd's runc-v2 shim builds
 * the command: every key followed by its (first) value, "" when it has none */
static char **logger_argv(const char *uri)
{
	char *copy = xstrdup(uri + strlen("binary://")), *q, *tok, *save = NULL;
	char **argv = xcalloc(64, sizeof(char *));
	size_t n = 0;

	q = strchr(copy, '?');
	if (q)
		*q++ = '\0';
	argv[n++] = uri_unescape(copy, false);
	for (tok = q ? strtok_r(q, "&", &save) : NULL; tok && n < 61; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		bool seen = false;
		if (eq)
			*eq++ = '\0';
		uri_unescape(tok, true);
		for (size_t i = 1; i < n; i += 2)
			seen |= !strcmp(argv[i], tok);
		if (seen)
			continue;
		argv[n++] = tok;
		argv[n++] = eq ? uri_unescape(eq, true) : (char *)"";
	}
	return argv;
}

/* the logger with our output pipes' read ends as its fds 3 and 4 and a
 * readiness pipe as 5; io->child[1..2] get the write ends */
static int spawn_logger(struct proc_io *io, const struct io_cfg *c, char **argv, struct husk_error *e)
{
	int out_r = -1, err_r = -1, rp[2], r;
	pid_t pid;

	if ((r = make_pipe(&out_r, &io->child[1], false)) < 0 || (r = make_pipe(&err_r, &io->child[2], false)) < 0 ||
	    (pipe2(rp, O_CLOEXEC) < 0 && (r = -errno))) {
		/* io->child[] is closed by proc_io_free; our read ends here */
		close_fd(&out_r);
		close_fd(&err_r);
		return husk_error_sys(e, r, "pipes for logger %s", c->stdout_path);
	}
	pid = fork();
	if (pid == 0) {
		char idenv[512], nsenv[512];
		char *envp[] = {idenv, nsenv, NULL};
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		snprintf(idenv, sizeof(idenv), "CONTAINER_ID=%s", c->id ? c->id : "");
		snprintf(nsenv, sizeof(nsenv), "CONTAINER_NAMESPACE=%s", c->ns ? c->ns : "");
		/* out_r, err_r, rp[1] are ≥ 3: move them clear of 3..5 first */
		int a = fcntl(out_r, F_DUPFD_CLOEXEC, 10), b = fcntl(err_r, F_DUPFD_CLOEXEC, 10),
		    w = fcntl(rp[1], F_DUPFD_CLOEXEC, 10);
		if (devnull < 0 || a < 0 || b < 0 || w < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(a, 3) < 0 || dup2(b, 4) < 0 || dup2(w, 5) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	r = pid < 0 ? -errno : 0;
	close(out_r);
	close(err_r);
	close(rp[1]);
	if (r < 0) {
		close(rp[0]);
		return husk_error_sys(e, r, "start logger %s", c->stdout_path);
	}
	io->logger = pid;
	io->ready_fd = rp[0];
	fcntl(rp[0], F_SETFL, O_NONBLOCK);
	io->logger_ready = xcalloc(1, sizeof(uv_poll_t));
	if (uv_poll_init(io->loop, io->logger_ready, rp[0]) < 0) {
		free(io->logger_ready);
		io->logger_ready = NULL;
		return husk_error_sys(e, -ENOMEM, "watch logger %s", c->stdout_path);
	}
	io->logger_ready->data = io;
	uv_poll_start(io->logger_ready, UV_READABLE | UV_DISCONNECT, on_logger_ready);
	io->logger_timer = xcalloc(1, sizeof(uv_timer_t));
	uv_timer_init(io->loop, io->logger_timer);
	io->logger_timer->data = io;
	uv_timer_start(io->logger_timer, on_logger_timeout, LOGGER_READY_MS, 0);
	return 0;
}

static int start_logger(struct proc_io *io, const struct io_cfg *c, struct husk_error *e)
{
	char **argv = logger_argv(c->stdout_path);
	int r;

	r = spawn_logger(io, c, argv, e);
	free(argv[0]);
	free(argv);
	return r;
}

static void on_out_done(struct relay *r, void *arg);

/* stdout or stderr to a fifo or file */
static int open_out(struct proc_io *io, const char *path, int which, bool is_file, struct husk_error *e)
{
	bool self_read = false;
	int dst = is_file ? open_file_out(path) : open_fifo_out(path, &self_read), src = -1, r;
	struct relay **rel = which == 1 ? &io->out : &io->err;

	if (dst < 0)
		return husk_error_sys(e, dst, "open %s", path);
	r = make_pipe(&src, &io->child[which], false);
	if (r < 0) {
		close(dst);
		return husk_error_sys(e, r, "pipe for %s", path);
	}
	/* bigger pipes, fewer wakeups per MiB of output; the pages are only
	 * allocated while data waits in them (a failure just keeps 64 KiB) */
	fcntl(src, F_SETPIPE_SZ, PIPE_BYTES);
	if (!is_file)
		fcntl(dst, F_SETPIPE_SZ, PIPE_BYTES);
	/* the write end closes at EOF, as runc-v2's: a reader waiting for EOF
	 * (containerd's CRI, before it deletes an exec) must not wait for Delete */
	*rel = relay_new(io->loop, src, dst, RELAY_CLOSE_DST | (self_read ? RELAY_DST_SELF_READ : 0), on_out_done, io);
	return *rel ? 0 : husk_error_sys(e, -ENOMEM, "relay %s", path);
}

int proc_io_open(uv_loop_t *loop, const struct io_cfg *c, void (*ready)(void *arg, int r), void *arg,
		 struct proc_io **out, struct husk_error *e)
{
	struct proc_io *io = xcalloc(1, sizeof(*io));
	const char *so = c->stdout_path, *se = c->stderr_path;
	bool file = set(so) && !strncmp(so, "file://", 7);
	char *fpath = file ? file_uri_path(so) : NULL;
	int r = 0;

	*out = NULL;
	/* containerd sends absolute paths; a relative one would land under the
	 * shim's cwd (the bundle), nowhere the caller meant */
	if ((file && fpath[0] != '/') || (set(so) && !strncmp(so, "binary://", 9) && so[9] != '/')) {
		free(io);
		free(fpath);
		return husk_error_set(e, -EINVAL, "stdout %s: the path must be absolute", so);
	}
	io->loop = loop;
	io->child[0] = io->child[1] = io->child[2] = -1;
	io->console[0] = io->console[1] = io->master = io->in_src = io->in_keep = io->out_dst = io->ready_fd = -1;
	io->ready = ready;
	io->ready_arg = arg;

	if (set(c->stdin_path)) {
		struct stat st;

		io->in_src = open(c->stdin_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (io->in_src < 0) {
			r = husk_error_sys(e, -errno, "open stdin %s", c->stdin_path);
			goto err;
		}
		/* As runc-v2: a writer of our own, so the process's stdin ends with
		 * CloseIO and not when the client's writer goes (containerd
		 * restarting, an attach session ending). */
		if (fstat(io->in_src, &st) == 0 && S_ISFIFO(st.st_mode)) {
			io->in_keep = open(c->stdin_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			if (io->in_keep < 0) {
				r = husk_error_sys(e, -errno, "open stdin %s for writing", c->stdin_path);
				goto err;
			}
		}
	}
	if (c->terminal) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, io->console) < 0) {
			r = husk_error_sys(e, -errno, "console socket");
			goto err;
		}
		if (set(so)) {
			io->out_dst = file ? open_file_out(fpath) : open_fifo_out(so, &io->out_self_read);
			if (io->out_dst < 0) {
				r = husk_error_sys(e, io->out_dst, "open %s", so);
				goto err;
			}
		}
	} else {
		if (io->in_src >= 0) {
			int dst = -1;
			if ((r = make_pipe(&dst, &io->child[0], true)) < 0) {
				r = husk_error_sys(e, r, "stdin pipe");
				goto err;
			}
			io->in = relay_new(loop, io->in_src, dst, RELAY_CLOSE_DST, NULL, NULL);
			io->in_src = -1;
		}
		if (set(so) && !strncmp(so, "binary://", 9)) {
			if ((r = start_logger(io, c, e)) < 0)
				goto err;
		} else {
			if (file)
				se = so; /* containerd sends both streams to the one file */
			if (set(so) && (r = open_out(io, file ? fpath : so, 1, file, e)) < 0)
				goto err;
			if (set(se) && (r = open_out(io, file ? fpath : se, 2, file, e)) < 0)
				goto err;
		}
	}
	free(fpath);
	*out = io;
	if (!io->logger)
		ready(arg, 0);
	return 0;
err:
	free(fpath);
	proc_io_free(io);
	return r;
}

void proc_io_child_fds(const struct proc_io *io, int fds[3], int *console)
{
	memcpy(fds, io->child, sizeof(io->child));
	*console = io->console[1];
}

void proc_io_spawned(struct proc_io *io)
{
	for (int i = 0; i < 3; i++)
		close_fd(&io->child[i]);
	close_fd(&io->console[1]);
}

int proc_io_take_console(struct proc_io *io, struct husk_error *e)
{
	int m = husk_console_recv(io->console[0], NULL, 0, e), src;

	close_fd(&io->console[0]);
	if (m < 0)
		return m;
	io->master = m;
	/* one fd per relay direction: libuv polls each fd number once */
	src = fcntl(m, F_DUPFD_CLOEXEC, 3);
	if (src < 0)
		return husk_error_sys(e, -errno, "dup pty master");
	io->out = relay_new(io->loop, src, io->out_dst,
			    RELAY_CLOSE_DST | (io->out_self_read ? RELAY_DST_SELF_READ : 0), on_out_done, io);
	io->out_dst = -1;
	if (io->in_src >= 0) {
		int dst = fcntl(m, F_DUPFD_CLOEXEC, 3);
		if (dst < 0)
			return husk_error_sys(e, -errno, "dup pty master");
		io->in = relay_new(io->loop, io->in_src, dst, 0, NULL, NULL);
		io->in_src = -1;
	}
	return io->out ? 0 : husk_error_sys(e, -ENOMEM, "relay pty");
}

int proc_io_resize(struct proc_io *io, unsigned width, unsigned height)
{
	struct winsize ws = {.ws_col = (unsigned short)width, .ws_row = (unsigned short)height};

	if (!io || io->master < 0)
		return -ENOTTY;
	return ioctl(io->master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

void proc_io_close_stdin(struct proc_io *io)
{
	if (!io)
		return;
	if (io->in)
		relay_shutdown(io->in);
	close_fd(&io->in_src);
	close_fd(&io->in_keep);
}

/* Every byte the process wrote is with a reader of its own: the exit may be
 * reported. Not before: containerd's client, told of the exit, cancels a
 * fifo open still under way (cio's Cancel, before its Wait), and output that
 * waits in a fifo only we hold would be lost with it (ctr run --rm under
 * load lost most of 100000 lines so). runc-v2 gets the same from its 64 KiB
 * pipes: the process cannot exit before the reader has taken its output. */
static bool drained(const struct proc_io *io)
{
	return (!io->out || relay_handed_over(io->out)) && (!io->err || relay_handed_over(io->err));
}

/* every source at EOF (what the process wrote is in our relays or fifos) */
static bool sources_done(const struct proc_io *io)
{
	return (!io->out || relay_done(io->out)) && (!io->err || relay_done(io->err));
}

static void drain_finish(struct proc_io *io)
{
	void (*cb)(void *) = io->drained;

	if (!cb)
		return;
	io->drained = NULL;
	drop_drain_timer(io);
	cb(io->drain_arg);
}

static void on_out_done(struct relay *r, void *arg)
{
	struct proc_io *io = arg;

	(void)r;
	if (drained(io))
		drain_finish(io);
}

static void on_drain_timeout(uv_timer_t *t)
{
	struct proc_io *io = t->data;

	/* past the drain's time, output waiting only for its reader to open
	 * the fifo gets longer (a late reader under load); a source still open
	 * (a daemon the process left holding it) does not */
	if (!io->handover_waited && sources_done(io) && !drained(io)) {
		io->handover_waited = true;
		uv_timer_start(t, on_drain_timeout, HANDOVER_MS, 0);
		return;
	}
	drain_finish(io);
}

void proc_io_drain(struct proc_io *io, unsigned timeout_ms, void (*done)(void *arg), void *arg)
{
	io->drained = done;
	io->drain_arg = arg;
	if (drained(io)) {
		drain_finish(io);
		return;
	}
	/* something else (a daemon the process left behind) may hold the pipe */
	io->drain_timer = xcalloc(1, sizeof(uv_timer_t));
	uv_timer_init(io->loop, io->drain_timer);
	io->drain_timer->data = io;
	uv_timer_start(io->drain_timer, on_drain_timeout, timeout_ms, 0);
}

pid_t proc_io_logger(const struct proc_io *io)
{
	return io ? io->logger : 0;
}

unsigned long long proc_io_out_bytes(const struct proc_io *io)
{
	return io && io->out ? relay_bytes(io->out) : 0;
}

void proc_io_free(struct proc_io *io)
{
	if (!io)
		return;
	io->drained = NULL;
	drop_drain_timer(io);
	drop_logger_watch(io);
	relay_free(io->in);
	relay_free(io->out);
	relay_free(io->err);
	for (int i = 0; i < 3; i++)
		close_fd(&io->child[i]);
	close_fd(&io->console[0]);
	close_fd(&io->console[1]);
	close_fd(&io->master);
	close_fd(&io->in_src);
	close_fd(&io->in_keep);
	close_fd(&io->out_dst);
	close_fd(&io->ready_fd);
	if (io->logger > 0)
		kill(io->logger, SIGTERM); /* let it flush; the reaper collects it */
	free(io);
}
