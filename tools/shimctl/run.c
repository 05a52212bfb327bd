/* shimctl run [--tty] [--shim BINARY] ID --bundle DIR [-- CMD...]
 * What containerd does for `ctr run --rm`, in one process: spawn the shim
 * through its start contract, make the stdio fifos, Create, Start, relay our
 * stdio (or our terminal) until Wait answers, Delete, Shutdown, run the
 * shim's delete contract, and exit with the container's status. Works with
 * any v2 shim (containerd-shim-runc-v2 too). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "shimctl.h"
#include "util.h"

#define PB(m) ((ProtobufCMessage *)(m))

struct run {
	const char *id, *shim;
	char tmp[64], bundle[PATH_MAX], address[256];
	char in[PATH_MAX], out[PATH_MAX], err[PATH_MAX], log[PATH_MAX];
	int fin, fout, ferr, flog;
	bool tty, raw;
	struct termios saved;
	struct ttrpc_client cl;
	int wait_pipe[2];
	int status;
};

static int fail(const char *what, int e)
{
	fprintf(stderr, "shimctl: run: %s: %s\n", what, strerror(e));
	return 1;
}

static char *shim_binary(const char *given)
{
	char self[PATH_MAX], *p;
	ssize_t n;

	if (given)
		return strdup(given);
	if ((p = getenv("SHIMCTL_SHIM")) && *p)
		return strdup(p);
	/* husk-shim next to us (the build tree, or the install's bin/) */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if (asprintf(&p, "%s/husk-shim", dirname(self)) >= 0 && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return strdup("husk-shim");
}

/* a bundle of our own: the given config.json with CMD and terminal set and
 * the root made absolute; the shim writes its files here, not in DIR */
static int make_bundle(struct run *r, const char *dir, char **cmd, int ncmd)
{
	char path[PATH_MAX], abs[PATH_MAX];
	json_t *cfg, *proc, *root;
	int rc;
	const char *rp;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	cfg = json_load_file(path, 0, NULL);
	if (!json_is_object(cfg) || !realpath(dir, abs)) {
		fprintf(stderr, "shimctl: run: cannot read %s\n", path);
		json_decref(cfg);
		return -1;
	}
	proc = json_object_get(cfg, "process");
	root = json_object_get(cfg, "root");
	rp = json_string_value(json_object_get(root, "path"));
	if (!json_is_object(proc) || !rp) {
		fprintf(stderr, "shimctl: run: %s needs process and root.path\n", path);
		json_decref(cfg);
		return -1;
	}
	if (rp[0] != '/') {
		char full[PATH_MAX * 2];
		snprintf(full, sizeof(full), "%s/%s", abs, rp);
		json_object_set_new(root, "path", json_string(full));
	}
	if (ncmd) {
		json_t *a = json_array();
		for (int i = 0; i < ncmd; i++)
			json_array_append_new(a, json_string(cmd[i]));
		json_object_set_new(proc, "args", a);
	}
	json_object_set_new(proc, "terminal", json_boolean(r->tty));
	/* named for the id, as containerd's bundles are: runc-v2's delete looks
	 * for its files in dirname(cwd)/ID */
	snprintf(r->bundle, sizeof(r->bundle), "%s/%s", r->tmp, r->id);
	if (mkdir(r->bundle, 0700) < 0) {
		json_decref(cfg);
		return -fail(r->bundle, errno);
	}
	snprintf(path, sizeof(path), "%s/config.json", r->bundle);
	rc = json_dump_file(cfg, path, JSON_INDENT(1));
	json_decref(cfg);
	if (rc < 0) {
		fprintf(stderr, "shimctl: run: cannot write %s\n", path);
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/rootfs", r->bundle);
	return mkdir(path, 0755) < 0 ? -fail(path, errno) : 0;
}

static int fifo(char *path, size_t len, const char *dir, const char *name, int flags)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	if (mkfifo(path, 0600) < 0)
		return -errno;
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		fcntl(fd, F_SETPIPE_SZ, 1 << 20); /* fewer wakeups for big outputs */
	return fd;
}

/* `SHIM -namespace shimctl -address shimctl -id ID start` in the bundle;
 * its output (stdout+stderr, one pipe) is the address */
static int spawn_shim(struct run *r)
{
	int p[2], ws;
	char buf[512];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return fail("pipe", errno);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (chdir(r->bundle) < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execlp(r->shim, r->shim, "-namespace", "shimctl", "-address", "/run/shimctl", "-id", r->id, "start",
		       (char *)NULL);
		fprintf(stderr, "exec %s: %s", r->shim, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return fail("fork", errno);
	}
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		fprintf(stderr, "shimctl: run: %s start failed: %s\n", r->shim, buf);
		return 1;
	}
	snprintf(r->address, sizeof(r->address), "%s", buf);
	return 0;
}

/* the shim's delete contract, as containerd runs it after every Shutdown */
static void shim_delete(struct run *r)
{
	pid_t pid = fork();

	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		/* its stdout is a DeleteResponse, its stderr what containerd would
		 * log as "cleanup warnings": neither is ours to show */
		if (chdir(r->bundle) < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(devnull, 2) < 0)
			_exit(127);
		execlp(r->shim, r->shim, "-namespace", "shimctl", "-address", "/run/shimctl", "-id", r->id, "-bundle",
		       r->bundle, "delete", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void *waiter(void *arg)
{
	struct run *r = arg;
	Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	Containerd__Task__V2__WaitResponse *resp = NULL;
	struct ttrpc_client cl;
	int st = 255;

	req.id = (char *)r->id;
	req.exec_id = (char *)"";
	if (ttrpc_client_connect(&cl, r->address) == 0) {
		if (ctl_call_on(&cl, "Wait", PB(&req), &containerd__task__v2__wait_response__descriptor,
				(ProtobufCMessage **)&resp, -1) == 0) {
			st = (int)resp->exit_status;
			protobuf_c_message_free_unpacked(PB(resp), NULL);
		}
		ttrpc_client_close(&cl);
	}
	if (write(r->wait_pipe[1], &st, sizeof(st)) < 0)
		perror("shimctl: run: wait");
	return NULL;
}

static void resize(struct run *r)
{
	Containerd__Task__V2__ResizePtyRequest req = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;
	struct winsize ws;

	if (!r->tty || ioctl(0, TIOCGWINSZ, &ws) < 0 || !ws.ws_col)
		return;
	req.id = (char *)r->id;
	req.exec_id = (char *)"";
	req.width = ws.ws_col;
	req.height = ws.ws_row;
	ctl_call_on(&r->cl, "ResizePty", PB(&req), NULL, NULL, 5000);
}

static void kill_task(struct run *r, int sig)
{
	Containerd__Task__V2__KillRequest req = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;

	req.id = (char *)r->id;
	req.exec_id = (char *)"";
	req.signal = (uint32_t)sig;
	ctl_call_on(&r->cl, "Kill", PB(&req), NULL, NULL, 5000);
}

/* copy what is there now; false at EOF. Our stdin stays blocking (it may
 * be a terminal shared with others): one read per wakeup there. */
static bool copy(int from, int to)
{
	char buf[65536];
	bool once = from == 0;

	/* fifo → pipe or fifo: let the kernel move it */
	while (!once && to >= 0) {
		ssize_t n = splice(from, NULL, to, NULL, 1 << 20, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0)
			continue;
		if (n == 0)
			return false;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			struct pollfd p = {.fd = to, .events = POLLOUT};
			if (poll(&p, 1, 0) == 1)
				return true; /* the source is empty */
			poll(&p, 1, -1);
			continue;
		}
		break; /* not spliceable (a terminal, a file opened for append): copy */
	}
	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf)), off = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		while (to >= 0 && off < n) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno == EAGAIN) {
				struct pollfd p = {.fd = to, .events = POLLOUT};
				poll(&p, 1, -1);
				continue;
			}
			if (w < 0)
				break;
			off += w;
		}
		if (once)
			return true;
	}
}

static void close_stdin(struct run *r)
{
	Containerd__Task__V2__CloseIORequest req = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;

	if (r->fin < 0)
		return;
	close(r->fin);
	r->fin = -1;
	req.id = (char *)r->id;
	req.exec_id = (char *)"";
	req.stdin = true;
	/* the process may be gone already (our stdin was /dev/null): not an error */
	{
		struct ttrpc_reply rep;
		if (ttrpc_client_call(&r->cl, "containerd.task.v2.Task", "CloseIO", PB(&req), 5000, &rep) == 0)
			ttrpc_reply_free(&rep);
	}
}

/* relay until Wait answers; then take what the shim has already written */
static int relay(struct run *r, int sfd)
{
	bool in_open = r->fin >= 0, out_open = true, err_open = r->ferr >= 0;

	for (;;) {
		struct pollfd p[6] = {{in_open ? 0 : -1, POLLIN, 0}, {out_open ? r->fout : -1, POLLIN, 0},
				      {err_open ? r->ferr : -1, POLLIN, 0}, {r->flog, POLLIN, 0},
				      {r->wait_pipe[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("poll", errno);
		}
		if (p[0].revents && in_open && !copy(0, r->fin)) {
			in_open = false;
			close_stdin(r);
		}
		if (p[1].revents && !copy(r->fout, 1))
			out_open = false;
		if (p[2].revents && !copy(r->ferr, 2))
			err_open = false;
		if (p[3].revents)
			copy(r->flog, -1);
		if (p[5].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					resize(r);
				else
					kill_task(r, (int)si.ssi_signo);
			}
		}
		if (p[4].revents) {
			if (read(r->wait_pipe[0], &r->status, sizeof(r->status)) != sizeof(r->status))
				r->status = 255;
			/* the shim drained the output before it answered Wait */
			copy(r->fout, 1);
			if (r->ferr >= 0)
				copy(r->ferr, 2);
			return 0;
		}
	}
}

static void raw_mode(struct run *r)
{
	struct termios t;

	if (!r->tty || !isatty(0) || tcgetattr(0, &r->saved) < 0)
		return;
	t = r->saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSANOW, &t) == 0)
		r->raw = true;
}

/* remove what we made: our fifos, the bundle copy and what the shim wrote
 * into it (files only: we never recurse into what we did not create) */
static void cleanup(struct run *r)
{
	DIR *d;
	struct dirent *e;
	char p[PATH_MAX * 2];

	if (r->raw)
		tcsetattr(0, TCSANOW, &r->saved);
	for (int *fd = &r->fin; fd <= &r->flog; fd++)
		if (*fd >= 0)
			close(*fd);
	if (*r->bundle && (d = opendir(r->bundle))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", r->bundle, e->d_name);
				if (unlink(p) < 0 && errno == EISDIR)
					rmdir(p);
			}
		closedir(d);
		rmdir(r->bundle);
	}
	for (const char *f = r->in; f; f = f == r->in ? r->out : f == r->out ? r->err : f == r->err ? r->log : NULL)
		if (*f)
			unlink(f);
	rmdir(r->tmp);
}

int cmd_run(const struct ctl *c, int argc, char **argv)
{
	struct run r = {.fin = -1, .fout = -1, .ferr = -1, .flog = -1, .status = 255};
	Containerd__Task__V2__CreateTaskRequest creq = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	Containerd__Task__V2__StartRequest sreq = CONTAINERD__TASK__V2__START_REQUEST__INIT;
	Containerd__Task__V2__DeleteRequest dreq = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
	Containerd__Task__V2__ShutdownRequest shreq = CONTAINERD__TASK__V2__SHUTDOWN_REQUEST__INIT;
	const char *pos[1], *bundle = NULL, *shim = NULL;
	struct opt o[] = {{"tty", NULL, &r.tty}, {"t", NULL, &r.tty}, {"bundle", &bundle, NULL},
			  {"shim", &shim, NULL}, {0}};
	char **cmd, *shim_path = NULL;
	int n, ncmd, rc = 1, sfd = -1;
	bool created = false, started = false;
	sigset_t sigs;
	pthread_t th;

	(void)c;
	if (parse_opts(argc, argv, o, pos, 1, &n, &cmd, &ncmd) < 0 || n != 1 || !bundle) {
		fprintf(stderr, "usage: shimctl run [--tty] [--shim BINARY] ID --bundle DIR [-- CMD...]\n");
		return 2;
	}
	r.id = pos[0];
	if (!*r.id || strchr(r.id, '/') || !strcmp(r.id, ".") || !strcmp(r.id, "..")) {
		fprintf(stderr, "shimctl: run: invalid id \"%s\"\n", r.id);
		return 2;
	}
	r.shim = shim_path = shim_binary(shim);
	if ((n = make_private_dir("/tmp/shimctl", r.tmp, sizeof(r.tmp))) < 0) {
		free(shim_path);
		return fail("make a temp dir under /tmp", -n);
	}
	if (make_bundle(&r, bundle, cmd, ncmd) < 0)
		goto out;
	/* our ends open first: the shim's opens then find a reader */
	r.fin = fifo(r.in, sizeof(r.in), r.tmp, "stdin", O_RDWR);
	r.fout = fifo(r.out, sizeof(r.out), r.tmp, "stdout", O_RDONLY);
	if (!r.tty)
		r.ferr = fifo(r.err, sizeof(r.err), r.tmp, "stderr", O_RDONLY);
	r.flog = fifo(r.log, sizeof(r.log), r.bundle, "log", O_RDWR);
	if (r.fin < 0 || r.fout < 0 || (!r.tty && r.ferr < 0) || r.flog < 0) {
		fail("make the stdio fifos", errno);
		goto out;
	}
	if (spawn_shim(&r))
		goto out;
	if ((rc = ttrpc_client_connect(&r.cl, r.address)) < 0) {
		rc = fail(r.address, -rc);
		shim_delete(&r); /* what the shim made in the bundle, and its socket */
		goto out;
	}
	rc = 1;
	creq.id = (char *)r.id;
	creq.bundle = r.bundle;
	creq.terminal = r.tty;
	creq.stdin = r.in;
	creq.stdout = r.out;
	creq.stderr = (char *)(r.tty ? "" : r.err);
	if (ctl_call_on(&r.cl, "Create", PB(&creq), NULL, NULL, 60000))
		goto shutdown;
	created = true;
	/* signals go to the container from here on (a terminal's ^C goes as input) */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGWINCH);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (pipe2(r.wait_pipe, O_CLOEXEC) < 0 || sfd < 0) {
		fail("pipe", errno);
		goto shutdown;
	}
	sreq.id = (char *)r.id;
	sreq.exec_id = (char *)"";
	/* Wait is asked before Start, as containerd does: no exit can slip by */
	if (pthread_create(&th, NULL, waiter, &r) != 0) {
		fail("thread", errno);
		goto shutdown;
	}
	if (ctl_call_on(&r.cl, "Start", PB(&sreq), NULL, NULL, 60000)) {
		kill_task(&r, SIGKILL);
		pthread_join(th, NULL);
		goto shutdown;
	}
	started = true;
	raw_mode(&r);
	resize(&r);
	relay(&r, sfd);
	pthread_join(th, NULL);
	rc = r.status;
shutdown:
	if (created) {
		dreq.id = (char *)r.id;
		dreq.exec_id = (char *)"";
		if (!started)
			kill_task(&r, SIGKILL);
		ctl_call_on(&r.cl, "Delete", PB(&dreq), NULL, NULL, 30000);
	}
	shreq.id = (char *)r.id;
	shreq.now = !started;
	ctl_call_on(&r.cl, "Shutdown", PB(&shreq), NULL, NULL, 5000);
	ttrpc_client_close(&r.cl);
	shim_delete(&r);
out:
	if (sfd >= 0)
		close(sfd);
	if (r.wait_pipe[0] > 0) {
		close(r.wait_pipe[0]);
		close(r.wait_pipe[1]);
	}
	cleanup(&r);
	free(shim_path);
	return rc;
}
