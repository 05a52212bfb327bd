/* husk-shim driven over its socket on real containers: every RPC, results
 * checked from the container's side too, and the protocol's bad cases. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "containerd/cgroups/v1/metrics.pb-c.h"
#include "containerd/cgroups/v2/metrics.pb-c.h"
#include <sys/vfs.h>
#include <linux/magic.h>
#include "containerd/events/task.pb-c.h"
#include "containerd/runc/options/oci.pb-c.h"
#include "containerd/services/events/ttrpc/v1/events.pb-c.h"
#include "harness.h"
#include "ttrpc/request.pb-c.h"
#include "ttrpc-server.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* container ids of our own (their cgroups are host-wide): other test
 * programs, in other worktrees too, may run at the same time */
static char C1[32], C2[32];

static void test_lifecycle(void **state)
{
	struct shim_env e;
	int st, code;
	pid_t pid, pid2;
	char *out, *err;

	(void)state;
	env_up(&e, ARGS("sh", "-c", "echo out-line; echo err-line >&2; exit 5"), NULL);
	close(open(path_in(&e, "out"), O_CREAT | O_WRONLY, 0600));
	close(open(path_in(&e, "err"), O_CREAT | O_WRONLY, 0600));
	assert_rpc(&e, create(&e, C1, path_in(&e, "out"), path_in(&e, "err"), NULL, false), TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, &pid), TTRPC_OK);
	assert_int_equal(st, 1); /* CREATED */
	assert_true(pid > 0);
	/* the pid is the container's init, waiting on exec.fifo */
	{
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d", pid);
		assert_int_equal(access(p, F_OK), 0);
	}
	assert_rpc(&e, start(&e, C1, NULL, &pid2), TTRPC_OK);
	assert_int_equal(pid2, pid);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 5);
	out = read_text(path_in(&e, "out"));
	err = read_text(path_in(&e, "err"));
	assert_string_equal(out, "out-line\n");
	assert_string_equal(err, "err-line\n");
	free(out);
	free(err);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 3); /* STOPPED */
	code = del(&e, C1, NULL);
	assert_int_equal(code, TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	/* -debug traced each call with its status */
	{
		char *log = read_text(e.log);
		assert_non_null(strstr(log, "Create (stream 1): status 0 in "));
		assert_non_null(strstr(log, "State (stream"));
		assert_non_null(strstr(log, ": status 5 in ")); /* the last State: NotFound */
		free(log);
	}
	env_down(&e);
}

/* 64 MiB written right before exit, read through a fifo: every byte arrives,
 * in order, and Wait answers only after the last one left the shim */
static void test_output_64mib(void **state)
{
	const size_t total = 64u << 20;
	const char pattern[] = "0123456789abcdef\n";
	struct shim_env e;
	char *buf = malloc(1 << 20);
	size_t got = 0;
	int fd, st;
	bool ok = true;

	(void)state;
	assert_non_null(buf);
	env_up(&e, ARGS("sh", "-c", "yes 0123456789abcdef | head -c 67108864"), NULL);
	fd = fifo_reader(&e, "out");
	assert_rpc(&e, create(&e, C1, path_in(&e, "out"), NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	{
		/* read while it runs, on a second connection Wait is pending */
		Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
		struct ttrpc_frame f;
		struct ttrpc_client w;
		assert_int_equal(ttrpc_client_connect(&w, e.sock), 0);
		req.id = (char *)C1;
		req.exec_id = (char *)"";
		assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "Wait", &req.base, 0, &f), 0);
		assert_int_equal(write(w.fd, f.data, f.len), (ssize_t)f.len);
		ttrpc_frame_free(&f);
		for (;;) {
			struct pollfd p[2] = {{fd, POLLIN, 0}, {w.fd, POLLIN, 0}};
			assert_true(poll(p, 2, 30000) > 0);
			if (p[0].revents) {
				size_t n = drain_fd(fd, buf, 1 << 20);
				for (size_t i = 0; i < n && ok; i++)
					ok = buf[i] == pattern[(got + i) % 17];
				got += n;
			}
			if (p[1].revents)
				break; /* Wait answered */
		}
		/* all that is left is already in the fifo */
		for (size_t n; (n = drain_fd(fd, buf, 1 << 20)) > 0; got += n)
			for (size_t i = 0; i < n && ok; i++)
				ok = buf[i] == pattern[(got + i) % 17];
		ttrpc_client_close(&w);
	}
	assert_true(ok);
	assert_int_equal(got, total);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	close(fd);
	free(buf);
	env_down(&e);
}

/* 200 runs: exit codes 0..255 and deaths by signal (128+N) come back exact.
 * The container has no pid namespace here, so `kill -N $$` is an ordinary
 * signal (a namespace's init ignores its own signals). */
static void test_exit_codes(void **state)
{
	struct shim_env e;
	json_t *cfg;
	const int sigs[] = {SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGUSR1, SIGHUP, SIGINT, SIGUSR2};

	(void)state;
	env_up(&e, NULL, NULL);
	cfg = bundle_config(&e);
	{
		json_t *ns = json_object_get(json_object_get(cfg, "linux"), "namespaces"), *keep = json_array(), *v;
		size_t i;
		json_array_foreach(ns, i, v) if (strcmp(json_string_value(json_object_get(v, "type")), "pid"))
			json_array_append(keep, v);
		json_object_set_new(json_object_get(cfg, "linux"), "namespaces", keep);
	}
	for (int run = 0; run < 200; run++) {
		char cmd[64], id[16];
		int want, st;
		json_t *c = json_deep_copy(cfg);
		if (run % 5 == 4) {
			int sig = sigs[(run / 5) % 8];
			snprintf(cmd, sizeof(cmd), "kill -%d $$", sig);
			want = 128 + sig;
		} else {
			want = (run * 37) % 256;
			snprintf(cmd, sizeof(cmd), "exit %d", want);
		}
		json_object_set_new(json_object_get(c, "process"), "args", json_pack("[s,s,s]", "sh", "-c", cmd));
		bundle_save(&e, c);
		snprintf(id, sizeof(id), "r%d", run);
		assert_rpc(&e, create(&e, id, NULL, NULL, NULL, false), TTRPC_OK);
		assert_rpc(&e, start(&e, id, NULL, NULL), TTRPC_OK);
		assert_rpc(&e, wait_exit(&e, id, NULL, &st), TTRPC_OK);
		if (st != want)
			fail_msg("run %d (%s): status %d, want %d", run, cmd, st, want);
		assert_rpc(&e, del(&e, id, NULL), TTRPC_OK);
		/* one container per shim at a time: the next Create is a new one */
	}
	json_decref(cfg);
	env_down(&e);
}

static void test_wrong_state(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__CheckpointTaskRequest cp = CONTAINERD__TASK__V2__CHECKPOINT_TASK_REQUEST__INIT;
	Containerd__Task__V2__PauseRequest pr = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;
	Containerd__Task__V2__ResizePtyRequest rz = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;
	int st;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	/* nothing created yet */
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_NOT_FOUND);
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_NOT_FOUND);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_ALREADY_EXISTS);
	/* created: not paused, not resumed, exec allowed only once it exists */
	pr.id = (char *)C1;
	assert_rpc(&e, rpc(&e, "Pause", &pr, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, rpc(&e, "Resume", &pr, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, start(&e, C1, "nope", NULL), TTRPC_NOT_FOUND);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_FAILED_PRECONDITION); /* running */
	assert_rpc(&e, rpc(&e, "Resume", &pr, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, rpc(&e, "Pause", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 4); /* PAUSED */
	assert_rpc(&e, rpc(&e, "Pause", &pr, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("true"), NULL, false), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_FAILED_PRECONDITION); /* paused */
	assert_rpc(&e, rpc(&e, "Resume", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("true"), NULL, false), TTRPC_OK);
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("true"), NULL, false), TTRPC_ALREADY_EXISTS);
	rz.id = (char *)C1;
	rz.exec_id = (char *)"";
	rz.width = 80;
	rz.height = 24;
	assert_rpc(&e, rpc(&e, "ResizePty", &rz, NULL, NULL), TTRPC_FAILED_PRECONDITION); /* no terminal */
	cp.id = (char *)C1;
	assert_rpc(&e, rpc(&e, "Checkpoint", &cp, NULL, NULL), TTRPC_UNIMPLEMENTED);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 137);
	/* stopped: no more signals, starts, execs */
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_NOT_FOUND);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, exec_add(&e, C1, "e2", ARGS("true"), NULL, false), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, del(&e, C1, "e1"), TTRPC_OK); /* an exec never started can go */
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_NOT_FOUND);
	env_down(&e);
}

/* raw frames on a fresh connection; returns the reply's status code */
static int raw_call(const char *sock, const char *service, const char *method, int *closed)
{
	struct ttrpc_client c;
	struct ttrpc_reply rep;
	int r, code;

	assert_int_equal(ttrpc_client_connect(&c, sock), 0);
	r = ttrpc_client_call(&c, service, method, NULL, WAIT_MS, &rep);
	assert_int_equal(r, 0);
	code = rep.code;
	if (closed)
		*closed = 0;
	ttrpc_reply_free(&rep);
	ttrpc_client_close(&c);
	return code;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* the reply to a raw frame, then (closed non-NULL) whether the shim closed
 * the connection: a close waited for, WAIT_MS at most */
static int raw_frame(const char *sock, const uint8_t *frame, size_t len, bool *closed)
{
	int fd = unix_connect(sock), code = -1;
	uint8_t buf[4096];
	size_t have = 0;
	struct ttrpc_header h;
	struct ttrpc_reply rep;

	assert_int_equal(write(fd, frame, len), (ssize_t)len);
	while (have < TTRPC_HEADER_LEN || have < TTRPC_HEADER_LEN + h.length) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;
		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		n = read(fd, buf + have, sizeof(buf) - have);
		assert_true(n > 0);
		have += (size_t)n;
		if (have >= TTRPC_HEADER_LEN)
			ttrpc_header_decode(buf, &h);
	}
	assert_int_equal(h.type, TTRPC_RESPONSE);
	assert_int_equal(ttrpc_decode_response(buf + TTRPC_HEADER_LEN, h.length, &rep), 0);
	code = rep.code;
	ttrpc_reply_free(&rep);
	if (closed) {
		struct pollfd p = {fd, POLLIN, 0};
		*closed = poll(&p, 1, WAIT_MS) == 1 && read(fd, buf, 1) == 0;
	}
	close(fd);
	return code;
}

static void test_protocol_errors(void **state)
{
	struct shim_env e;
	bool closed;

	(void)state;
	env_up(&e, NULL, NULL);
	assert_int_equal(raw_call(e.sock, "containerd.task.v2.Task", "NoSuchMethod", NULL), TTRPC_UNIMPLEMENTED);
	assert_int_equal(raw_call(e.sock, "no.such.Service", "State", NULL), TTRPC_UNIMPLEMENTED);
	{
		/* a Request that is not protobuf: InvalidArgument, then that connection closes */
		uint8_t f[TTRPC_HEADER_LEN + 4] = {0};
		struct ttrpc_header h = {4, 1, TTRPC_REQUEST, 0};
		ttrpc_header_encode(&h, f);
		memcpy(f + TTRPC_HEADER_LEN, "\xff\xff\xff\xff", 4);
		assert_int_equal(raw_frame(e.sock, f, sizeof(f), &closed), TTRPC_INVALID_ARGUMENT);
		assert_true(closed);
	}
	{
		/* a State whose payload does not decode */
		Ttrpc__Request req = TTRPC__REQUEST__INIT;
		uint8_t bad[] = {0x0a, 0x7f}, f[256];
		struct ttrpc_header h = {0, 3, TTRPC_REQUEST, 0};
		req.service = (char *)"containerd.task.v2.Task";
		req.method = (char *)"State";
		req.payload.data = bad;
		req.payload.len = sizeof(bad);
		h.length = (uint32_t)protobuf_c_message_get_packed_size(&req.base);
		ttrpc_header_encode(&h, f);
		protobuf_c_message_pack(&req.base, f + TTRPC_HEADER_LEN);
		assert_int_equal(raw_frame(e.sock, f, TTRPC_HEADER_LEN + h.length, NULL), TTRPC_INVALID_ARGUMENT);
	}
	{
		/* even stream id: refused */
		Containerd__Task__V2__StateRequest sr = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
		struct ttrpc_frame f;
		sr.id = (char *)C1;
		assert_int_equal(ttrpc_encode_request(2, "containerd.task.v2.Task", "State", &sr.base, 0, &f), 0);
		assert_int_equal(raw_frame(e.sock, f.data, f.len, NULL), TTRPC_INVALID_ARGUMENT);
		ttrpc_frame_free(&f);
	}
	{
		/* a frame over 4 MiB: ResourceExhausted and the connection closes */
		uint8_t f[TTRPC_HEADER_LEN];
		struct ttrpc_header h = {5u << 20, 1, TTRPC_REQUEST, 0};
		ttrpc_header_encode(&h, f);
		assert_int_equal(raw_frame(e.sock, f, sizeof(f), &closed), TTRPC_RESOURCE_EXHAUSTED);
		assert_true(closed);
	}
	{
		/* a truncated frame, then the peer leaves: nothing to answer, shim fine */
		int fd = unix_connect(e.sock);
		uint8_t f[TTRPC_HEADER_LEN + 3];
		struct ttrpc_header h = {100, 1, TTRPC_REQUEST, 0};
		ttrpc_header_encode(&h, f);
		assert_int_equal(write(fd, f, sizeof(f)), (ssize_t)sizeof(f));
		close(fd);
	}
	/* and the shim still answers on the env's own connection */
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	env_down(&e);
}

/* A call's ttrpc deadline bounds its helper: a Pause whose deadline has
 * passed before it could begin is answered DeadlineExceeded and never
 * applied later (the container stays running) */
static void test_deadline(void **state)
{
	Containerd__Task__V2__PauseRequest pr = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;
	struct shim_env e;
	struct ttrpc_frame f;
	int st;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	pr.id = (char *)C1;
	assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "Pause", &pr.base, 1 /* ns */, &f), 0);
	assert_int_equal(raw_frame(e.sock, f.data, f.len, NULL), TTRPC_DEADLINE_EXCEEDED);
	ttrpc_frame_free(&f);
	usleep(300000); /* a negative check: not applied within 0.3 s */
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 2); /* RUNNING: the late Pause was not applied */
	/* without a deadline it works */
	assert_rpc(&e, rpc(&e, "Pause", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 4); /* PAUSED */
	assert_rpc(&e, rpc(&e, "Resume", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, kill_proc(&e, C1, NULL, 9, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* Wait on one connection that goes away mid-call; a second client works on,
 * and two clients are served at once (a pending Wait does not hold State) */
static void test_clients(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__WaitRequest wr = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	struct ttrpc_client a, b;
	struct ttrpc_frame f;
	int st, fds;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	fds = shim_fd_count(&e);
	wr.id = (char *)C1;
	wr.exec_id = (char *)"";
	/* a: Wait, then leave before the answer */
	assert_int_equal(ttrpc_client_connect(&a, e.sock), 0);
	assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "Wait", &wr.base, 0, &f), 0);
	assert_int_equal(write(a.fd, f.data, f.len), (ssize_t)f.len);
	/* b: Wait too, and keep it */
	assert_int_equal(ttrpc_client_connect(&b, e.sock), 0);
	assert_int_equal(write(b.fd, f.data, f.len), (ssize_t)f.len);
	ttrpc_frame_free(&f);
	usleep(100000); /* (a's Wait most likely read before it leaves: no check depends on it) */
	ttrpc_client_close(&a);
	/* meanwhile the env's connection is answered at once */
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 2);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	{
		struct ttrpc_reply rep;
		Containerd__Task__V2__WaitResponse *w;
		struct pollfd p = {b.fd, POLLIN, 0};
		uint8_t buf[512];
		ssize_t n;
		struct ttrpc_header h;
		const uint8_t *payload;
		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		n = read(b.fd, buf, sizeof(buf));
		assert_true(n > 0);
		ttrpc_reader_feed(&b.rd, buf, (size_t)n);
		assert_int_equal(ttrpc_reader_next(&b.rd, &h, &payload), 1);
		assert_int_equal(h.stream_id, 1);
		assert_int_equal(ttrpc_decode_response(payload, h.length, &rep), 0);
		assert_int_equal(rep.code, TTRPC_OK);
		w = containerd__task__v2__wait_response__unpack(NULL, rep.payload_len, rep.payload);
		assert_non_null(w);
		assert_int_equal(w->exit_status, 137);
		containerd__task__v2__wait_response__free_unpacked(w, NULL);
		ttrpc_reply_free(&rep);
	}
	ttrpc_client_close(&b);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	assert_true(shim_fd_count_settled(&e, fds) <= fds);
	env_down(&e);
}

/* A Create held up by a hook: State is answered meanwhile. The hook says it
 * runs (a file), then waits for the test's go (another): no fixed time
 * decides whether State comes during the Create. */
static void test_state_during_create(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__CreateTaskRequest cr = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	struct ttrpc_client slow;
	struct ttrpc_frame f;
	struct ttrpc_reply rep;
	json_t *cfg;
	char script[600];
	int st;

	(void)state;
	env_up(&e, ARGS("true"), NULL);
	cfg = bundle_config(&e);
	snprintf(script, sizeof(script), ": >'%s'; while [ ! -e '%s' ]; do sleep 0.05; done", path_in(&e, "hook-runs"),
		 path_in(&e, "hook-go"));
	json_object_set_new(cfg, "hooks", json_pack("{s:[{s:s, s:[s,s,s]}]}", "createRuntime", "path", "/bin/sh", "args",
						     "sh", "-c", script));
	bundle_save(&e, cfg);
	assert_int_equal(ttrpc_client_connect(&slow, e.sock), 0);
	cr.id = (char *)C1;
	cr.bundle = e.bundle;
	assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "Create", &cr.base, 0, &f), 0);
	assert_int_equal(write(slow.fd, f.data, f.len), (ssize_t)f.len);
	ttrpc_frame_free(&f);
	for (long long end = now_ms() + WAIT_MS; access(path_in(&e, "hook-runs"), F_OK) < 0 && now_ms() < end;)
		usleep(10000);
	assert_int_equal(access(path_in(&e, "hook-runs"), F_OK), 0);
	/* the hook holds the Create until hook-go: State answers meanwhile */
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 0); /* UNKNOWN: being created */
	/* and a second Create meanwhile is refused */
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_ALREADY_EXISTS);
	{
		/* no answer to the held Create yet */
		struct pollfd p = {slow.fd, POLLIN, 0};
		assert_int_equal(poll(&p, 1, 0), 0);
	}
	{
		int go = open(path_in(&e, "hook-go"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		assert_true(go >= 0);
		close(go);
	}
	slow.next_id = 1;
	{
		/* read the Create reply on its connection */
		struct pollfd p = {slow.fd, POLLIN, 0};
		uint8_t buf[512];
		struct ttrpc_header h;
		const uint8_t *payload;
		ssize_t n;
		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		n = read(slow.fd, buf, sizeof(buf));
		assert_true(n > 0);
		ttrpc_reader_feed(&slow.rd, buf, (size_t)n);
		assert_int_equal(ttrpc_reader_next(&slow.rd, &h, &payload), 1);
		assert_int_equal(ttrpc_decode_response(payload, h.length, &rep), 0);
		assert_int_equal(rep.code, TTRPC_OK);
		ttrpc_reply_free(&rep);
	}
	ttrpc_client_close(&slow);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 1);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* SIGTERM to a shim whose container has an exec'd process running: the shim
 * removes the container (state, cgroup) before it exits. The container's init
 * is pid 1 of its namespace, which the kernel lets exit only once every
 * process in it is reaped; the exec'd one is the shim's child (its subreaper),
 * so the shim must reap while it waits for the init (it waited without, 10 s,
 * and left the container behind: seen when the selftest's deadline came during
 * test_1000_execs) */
static void test_sigterm_with_exec(void **state)
{
	struct shim_env e;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("sleep", long_secs()), NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, "e1", NULL), TTRPC_OK);
	env_down_signal(&e, SIGTERM);
}

/* 1000 execs in a running container: each exit exact, and the shim ends
 * with as many fds and no more zombies than it started with (HUSK_TEST_EXECS
 * sets fewer for the TCG guest of tools/vm, where an exec costs ~0.5 s) */
static void test_1000_execs(void **state)
{
	struct shim_env e;
	int fds0, fds1, z = 0;
	const char *n_env = getenv("HUSK_TEST_EXECS");
	int n = n_env && atoi(n_env) > 0 ? atoi(n_env) : 1000;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	fds0 = shim_fd_count(&e);
	for (int i = 0; i < n; i++) {
		char id[16], cmd[32];
		int st;
		snprintf(id, sizeof(id), "e%d", i);
		snprintf(cmd, sizeof(cmd), "exit %d", i % 200);
		assert_rpc(&e, exec_add(&e, C1, id, ARGS("sh", "-c", cmd), NULL, false), TTRPC_OK);
		assert_rpc(&e, start(&e, C1, id, NULL), TTRPC_OK);
		assert_rpc(&e, wait_exit(&e, C1, id, &st), TTRPC_OK);
		if (st != i % 200)
			fail_msg("exec %d: status %d, want %d", i, st, i % 200);
		assert_rpc(&e, del(&e, C1, id), TTRPC_OK);
	}
	for (long long end = now_ms() + WAIT_MS; (z = shim_zombies(&e)) > 0 && now_ms() < end;)
		usleep(10000);
	fds1 = shim_fd_count_settled(&e, fds0);
	assert_int_equal(z, 0);
	assert_int_equal(fds1, fds0);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* stdin relayed, CloseIO gives the process EOF; exec output; Pids names the
 * exec; Stats is containerd's v1 Metrics and sees an Update */
/* An exec whose binary is missing: Start fails with the runtime's message,
 * the fifo it was given reaches EOF (ctr waits for that before it prints the
 * error), Wait answers 255 at once and Delete removes it. */
static void test_exec_start_fails(void **state)
{
	struct shim_env e;
	char buf[16];
	int out, st;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	out = fifo_reader(&e, "xout");
	assert_rpc(&e, exec_add(&e, C1, "x1", ARGS("/no/such"), path_in(&e, "xout"), false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, "x1", NULL), TTRPC_UNKNOWN);
	assert_non_null(strstr(e.last_msg, "/no/such"));
	/* Start opened the fifo; nothing of it may stay open in the shim */
	assert_false(shim_holds(&e, path_in(&e, "xout")));
	assert_int_equal(read(out, buf, sizeof(buf)), 0);
	assert_rpc(&e, wait_exit(&e, C1, "x1", &st), TTRPC_OK);
	assert_int_equal(st, 255);
	assert_rpc(&e, state_of(&e, C1, "x1", &st, NULL), TTRPC_OK);
	assert_int_equal(st, 3); /* STOPPED */
	assert_rpc(&e, start(&e, C1, "x1", NULL), TTRPC_FAILED_PRECONDITION);
	assert_rpc(&e, del(&e, C1, "x1"), TTRPC_OK);
	/* the container is untouched */
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 2); /* RUNNING */
	close(out);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* CVE-2019-5736: the shim and the init it makes (a fork of the shim until its
 * execve) run from a read-only image of husk-shim. A process of the container
 * that holds the init's /proc/PID/exe, as the exploit does, cannot reopen it
 * for writing: not while the image runs (ETXTBSY), and not once every shim
 * process is gone (EROFS, the mount is read-only). */
static int hold_image(pid_t pid)
{
	char p[64];
	struct statvfs sv;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	fd = open(p, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstatvfs(fd, &sv), 0);
	assert_true(sv.f_flag & ST_RDONLY);
	return fd;
}

static int reopen_for_write(int fd)
{
	char p[64];
	int w;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	w = open(p, O_WRONLY | O_CLOEXEC);
	if (w >= 0) {
		close(w);
		return 0;
	}
	return -errno;
}

static void test_protected_image(void **state)
{
	struct shim_env e;
	pid_t pid;
	int st, shim_exe, init_exe;

	(void)state;
	env_up(&e, ARGS("sleep", long_secs()), NULL);
	shim_exe = hold_image(e.pid);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, &st, &pid), TTRPC_OK);
	/* the init waits on exec.fifo, still in the shim's image */
	init_exe = hold_image(pid);
	assert_int_equal(reopen_for_write(init_exe), -ETXTBSY);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 137);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
	/* nothing runs the image any more: only the mount stands in the way */
	assert_int_equal(reopen_for_write(init_exe), -EROFS);
	assert_int_equal(reopen_for_write(shim_exe), -EROFS);
	close(init_exe);
	close(shim_exe);
}


/* Stats after Update pids 77: the v2 message on a pure cgroup v2 host (what
 * containerd and CRI expect there), the v1 one elsewhere, as runc-v2 does. */
static void check_stats_metrics(const Google__Protobuf__Any *any)
{
	struct statfs sf;

	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
		Io__Containerd__Cgroups__V2__Metrics *m2;
		assert_string_equal(any->type_url, "io.containerd.cgroups.v2.Metrics");
		m2 = io__containerd__cgroups__v2__metrics__unpack(NULL, any->value.len, any->value.data);
		assert_non_null(m2);
		assert_non_null(m2->pids);
		assert_int_equal(m2->pids->limit, 77);
		assert_true(m2->pids->current >= 2);
		assert_true(m2->memory && m2->memory->usage > 0 && m2->memory->usage_limit > 0);
		assert_true(m2->cpu && m2->cpu->usage_usec > 0);
		io__containerd__cgroups__v2__metrics__free_unpacked(m2, NULL);
	} else {
		Io__Containerd__Cgroups__V1__Metrics *m;
		assert_string_equal(any->type_url, "io.containerd.cgroups.v1.Metrics");
		m = io__containerd__cgroups__v1__metrics__unpack(NULL, any->value.len, any->value.data);
		assert_non_null(m);
		assert_non_null(m->pids);
		assert_int_equal(m->pids->limit, 77);
		assert_true(m->pids->current >= 2);
		assert_true(m->memory && m->memory->usage && m->memory->usage->usage > 0);
		io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
	}
}

static void test_io_pids_stats(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__CloseIORequest ci = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;
	Containerd__Task__V2__PidsRequest pr = CONTAINERD__TASK__V2__PIDS_REQUEST__INIT;
	Containerd__Task__V2__PidsResponse *pids;
	Containerd__Task__V2__StatsRequest sr = CONTAINERD__TASK__V2__STATS_REQUEST__INIT;
	Containerd__Task__V2__StatsResponse *stats;
	Containerd__Task__V2__UpdateTaskRequest ur = CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
	Google__Protobuf__Any res = GOOGLE__PROTOBUF__ANY__INIT;
	int in, out, st;
	char buf[256];
	size_t n = 0;
	bool found = false;
	pid_t epid = 0;

	(void)state;
	env_up(&e, ARGS("sh", "-c", "cat; echo done"), NULL);
	out = fifo_reader(&e, "out");
	assert_int_equal(mkfifo(path_in(&e, "in"), 0600), 0);
	in = open(path_in(&e, "in"), O_RDWR | O_CLOEXEC);
	assert_true(in >= 0);
	assert_rpc(&e, create(&e, C1, path_in(&e, "out"), NULL, path_in(&e, "in"), false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_int_equal(write(in, "abc\n", 4), 4);
	/* an exec that stays a while, seen by Pids with its exec id */
	/* (killed below: its exit status then is 137, whenever Pids comes) */
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("sleep", long_secs()), NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, "e1", &epid), TTRPC_OK);
	pr.id = (char *)C1;
	assert_rpc(&e, rpc(&e, "Pids", &pr, &containerd__task__v2__pids_response__descriptor, &pids), TTRPC_OK);
	assert_true(pids->n_processes >= 2);
	for (size_t i = 0; i < pids->n_processes; i++)
		if ((pid_t)pids->processes[i]->pid == epid && pids->processes[i]->info) {
			Containerd__Runc__V1__ProcessDetails *d = containerd__runc__v1__process_details__unpack(
				NULL, pids->processes[i]->info->value.len, pids->processes[i]->info->value.data);
			assert_non_null(d);
			assert_string_equal(d->exec_id, "e1");
			assert_string_equal(pids->processes[i]->info->type_url, "containerd.runc.v1.ProcessDetails");
			containerd__runc__v1__process_details__free_unpacked(d, NULL);
			found = true;
		}
	assert_true(found);
	rpc_free(pids);
	/* Update pids.max, then Stats shows it */
	res.type_url = (char *)"types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
	res.value.data = (uint8_t *)"{\"pids\":{\"limit\":77}}";
	res.value.len = strlen((char *)res.value.data);
	ur.id = (char *)C1;
	ur.resources = &res;
	assert_rpc(&e, rpc(&e, "Update", &ur, NULL, NULL), TTRPC_OK);
	sr.id = (char *)C1;
	assert_rpc(&e, rpc(&e, "Stats", &sr, &containerd__task__v2__stats_response__descriptor, &stats), TTRPC_OK);
	check_stats_metrics(stats->stats);
	rpc_free(stats);
	assert_rpc(&e, kill_proc(&e, C1, "e1", SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, "e1", &st), TTRPC_OK);
	assert_int_equal(st, 137);
	/* the client's writer going (containerd restarting) is not EOF: the
	 * shim keeps a writer of its own, as runc-v2 does */
	for (long long end = now_ms() + WAIT_MS; n < 4 && now_ms() < end;) {
		n += drain_fd(out, buf + n, sizeof(buf) - 1 - n);
		if (n < 4)
			usleep(10000);
	}
	close(in);
	usleep(300000); /* a negative check: no EOF to cat within 0.3 s */
	n += drain_fd(out, buf + n, sizeof(buf) - 1 - n);
	buf[n] = '\0';
	assert_string_equal(buf, "abc\n");
	assert_rpc(&e, state_of(&e, C1, NULL, &st, NULL), TTRPC_OK);
	assert_int_equal(st, 2); /* RUNNING: cat still reads */
	/* CloseIO: cat sees EOF after what was written */
	ci.id = (char *)C1;
	ci.exec_id = (char *)"";
	ci.stdin = true;
	assert_rpc(&e, rpc(&e, "CloseIO", &ci, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	n = drain_fd(out, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_string_equal(buf, "done\n");
	close(out);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* a terminal: the process sees a pty, ResizePty sets its size */
static void test_terminal(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__ResizePtyRequest rz = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;
	int out, st;
	char buf[512];
	size_t n = 0;

	(void)state;
	/* ResizePty comes after Start: the process waits for the size (30 s at
	 * most, then says the size it has), not a fixed time */
	env_up(&e,
	       ARGS("sh", "-c", "i=0; while [ \"$(stty size)\" != '45 123' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done;"
			  " tty; stty size"),
	       NULL);
	{
		json_t *cfg = bundle_config(&e);
		json_object_set_new(json_object_get(cfg, "process"), "terminal", json_true());
		bundle_save(&e, cfg);
	}
	out = fifo_reader(&e, "out");
	assert_rpc(&e, create(&e, C1, path_in(&e, "out"), NULL, NULL, true), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	rz.id = (char *)C1;
	rz.exec_id = (char *)"";
	rz.width = 123;
	rz.height = 45;
	assert_rpc(&e, rpc(&e, "ResizePty", &rz, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	n = drain_fd(out, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "/dev/pts/"));
	assert_non_null(strstr(buf, "45 123"));
	close(out);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	env_down(&e);
}

/* ---- events: a fake containerd events service records what the shim forwards ---- */

#define REC_MAX 8192
static char rec_topics[REC_MAX][32], rec_types[REC_MAX][64], rec_who[REC_MAX][64];

/* one at a time: the arrays are shared */
struct recorder {
	pthread_mutex_t mu;
	char (*topics)[32];
	char (*types)[64];
	char (*who)[64]; /* the process an event is about: exec id, or container id */
	int n;
	uv_loop_t loop;
	uv_async_t stop;
	struct ttrpc_server *srv;
	pthread_t th;
	char addr[128];
};

static void on_forward(struct ttrpc_call *c)
{
	struct recorder *r = c->ctx;
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fr = (void *)c->request;

	pthread_mutex_lock(&r->mu);
	if (r->n < REC_MAX && fr->envelope && fr->envelope->event) {
		const ProtobufCBinaryData *v = &fr->envelope->event->value;
		const char *t = fr->envelope->event->type_url;
		snprintf(r->topics[r->n], sizeof(r->topics[0]), "%s", fr->envelope->topic);
		snprintf(r->types[r->n], sizeof(r->types[0]), "%s", t);
		r->who[r->n][0] = '\0';
		if (!strcmp(t, "containerd.events.TaskExit")) {
			Containerd__Events__TaskExit *m = containerd__events__task_exit__unpack(NULL, v->len, v->data);
			snprintf(r->who[r->n], sizeof(r->who[0]), "%s", m ? m->id : "?");
			containerd__events__task_exit__free_unpacked(m, NULL);
		} else if (!strcmp(t, "containerd.events.TaskExecStarted")) {
			Containerd__Events__TaskExecStarted *m =
				containerd__events__task_exec_started__unpack(NULL, v->len, v->data);
			snprintf(r->who[r->n], sizeof(r->who[0]), "%s", m ? m->exec_id : "?");
			containerd__events__task_exec_started__free_unpacked(m, NULL);
		} else if (!strcmp(t, "containerd.events.TaskStart")) {
			Containerd__Events__TaskStart *m = containerd__events__task_start__unpack(NULL, v->len, v->data);
			snprintf(r->who[r->n], sizeof(r->who[0]), "%s", m ? m->container_id : "?");
			containerd__events__task_start__free_unpacked(m, NULL);
		}
		assert_string_equal(fr->envelope->namespace_, "harness");
		assert_true(fr->envelope->timestamp && fr->envelope->timestamp->seconds > 0);
		r->n++;
	}
	pthread_mutex_unlock(&r->mu);
	ttrpc_server_reply(c, TTRPC_OK, NULL, NULL);
}

static const struct ttrpc_method events_methods[] = {
	{"containerd.services.events.ttrpc.v1.Events", "Forward",
	 &containerd__services__events__ttrpc__v1__forward_request__descriptor, on_forward},
};

static void on_stop(uv_async_t *a)
{
	struct recorder *r = a->data;

	ttrpc_server_stop(r->srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *recorder_run(void *arg)
{
	struct recorder *r = arg;

	uv_run(&r->loop, UV_RUN_DEFAULT);
	return NULL;
}

/* containerd's events service, played by a ttrpc server on its own thread */
static void recorder_start(struct recorder *r, const char *name)
{
	r->topics = rec_topics;
	r->types = rec_types;
	r->who = rec_who;
	snprintf(r->addr, sizeof(r->addr), "/tmp/%s.%d.sock", name, getpid());
	unlink(r->addr);
	assert_int_equal(uv_loop_init(&r->loop), 0);
	assert_int_equal(ttrpc_server_start(&r->loop, r->addr, events_methods, 1, r, &r->srv), 0);
	uv_async_init(&r->loop, &r->stop, on_stop);
	r->stop.data = r;
	assert_int_equal(pthread_create(&r->th, NULL, recorder_run, r), 0);
}

/* until n events came (at most WAIT_MS: the publisher is asynchronous) */
static void recorder_wait(struct recorder *r, int n)
{
	for (long long end = now_ms() + WAIT_MS; now_ms() < end;) {
		pthread_mutex_lock(&r->mu);
		int got = r->n;
		pthread_mutex_unlock(&r->mu);
		if (got >= n)
			break;
		usleep(10000);
	}
}

static void recorder_stop(struct recorder *r)
{
	uv_async_send(&r->stop);
	pthread_join(r->th, NULL);
	uv_loop_close(&r->loop);
	unlink(r->addr);
}

static void test_events(void **state)
{
	struct shim_env e;
	struct recorder r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	Containerd__Task__V2__PauseRequest pr = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;
	static const char *const want[][2] = {
		{"/tasks/create", "containerd.events.TaskCreate"},
		{"/tasks/start", "containerd.events.TaskStart"},
		{"/tasks/exec-added", "containerd.events.TaskExecAdded"},
		{"/tasks/exec-started", "containerd.events.TaskExecStarted"},
		{"/tasks/exit", "containerd.events.TaskExit"},
		{"/tasks/paused", "containerd.events.TaskPaused"},
		{"/tasks/resumed", "containerd.events.TaskResumed"},
		{"/tasks/exit", "containerd.events.TaskExit"},
		{"/tasks/delete", "containerd.events.TaskDelete"},
	};

	(void)state;
	recorder_start(&r, "husk-events");
	env_up(&e, ARGS("sleep", long_secs()), r.addr);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, exec_add(&e, C1, "e1", ARGS("true"), NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, "e1", NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, "e1", NULL), TTRPC_OK);
	pr.id = (char *)C1;
	assert_rpc(&e, rpc(&e, "Pause", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, rpc(&e, "Resume", &pr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	recorder_wait(&r, 9);
	env_down(&e);
	recorder_stop(&r);
	assert_int_equal(r.n, 9);
	for (int i = 0; i < 9; i++) {
		if (strcmp(r.topics[i], want[i][0]) || strcmp(r.types[i], want[i][1]))
			fail_msg("event %d: %s %s, want %s %s", i, r.topics[i], r.types[i], want[i][0], want[i][1]);
	}
}

/* No /tasks/exit before the /tasks/start (or exec-started) of the same
 * process (containerd #9828): every event about a process, in order, must
 * see its start before its exit. */
static void check_start_before_exit(struct recorder *r)
{
	for (int i = 0; i < r->n; i++) {
		bool exit_ev = !strcmp(r->topics[i], "/tasks/exit");
		bool seen = false;
		if (!exit_ev)
			continue;
		/* the latest start of this process before this exit, after its previous exit */
		for (int j = i - 1; j >= 0; j--) {
			if (strcmp(r->who[j], r->who[i]))
				continue;
			if (!strcmp(r->topics[j], "/tasks/exit"))
				break;
			if (!strcmp(r->topics[j], "/tasks/start") || !strcmp(r->topics[j], "/tasks/exec-started")) {
				seen = true;
				break;
			}
		}
		if (!seen)
			fail_msg("event %d: /tasks/exit of %s before its start", i, r->who[i]);
	}
}

/* processes that exit at once: 1000 execs and 50 inits */
static void test_event_order_fast_exits(void **state)
{
	struct shim_env e;
	struct recorder r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	int want = 0, exits = 0;

	(void)state;
	recorder_start(&r, "husk-events-order");
	env_up(&e, ARGS("true"), r.addr);
	for (int i = 0; i < 50; i++) {
		assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
		assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
		assert_rpc(&e, wait_exit(&e, C1, NULL, NULL), TTRPC_OK);
		assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
		want += 4;
	}
	{
		json_t *cfg = bundle_config(&e), *a = json_array();
		json_array_append_new(a, json_string("sleep"));
		json_array_append_new(a, json_string(long_secs()));
		json_object_set_new(json_object_get(cfg, "process"), "args", a);
		bundle_save(&e, cfg);
	}
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	want += 2;
	for (int i = 0; i < 1000; i++) {
		char id[16];
		snprintf(id, sizeof(id), "x%d", i);
		assert_rpc(&e, exec_add(&e, C1, id, ARGS("true"), NULL, false), TTRPC_OK);
		assert_rpc(&e, start(&e, C1, id, NULL), TTRPC_OK);
		assert_rpc(&e, wait_exit(&e, C1, id, NULL), TTRPC_OK);
		assert_rpc(&e, del(&e, C1, id), TTRPC_OK);
		want += 3;
	}
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	want += 2;
	recorder_wait(&r, want);
	env_down(&e);
	recorder_stop(&r);
	assert_int_equal(r.n, want);
	check_start_before_exit(&r);
	for (int i = 0; i < r.n; i++)
		exits += !strcmp(r.topics[i], "/tasks/exit");
	assert_int_equal(exits, 1051);
}

/* The init exits while execs run: their exits come first, the init's last
 * (containerd #10651). With a pid namespace the kernel ends the execs; without
 * one the shim kills them, as runc-v2 does. Then no exec may start. */
static void init_exit_with_execs(bool pidns)
{
	struct shim_env e;
	struct recorder r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	const char *ids[] = {"e1", "e2", "e3"};
	int init_exit = -1, st, late;

	recorder_start(&r, pidns ? "husk-events-initexit" : "husk-events-initexit-nopidns");
	env_up(&e, ARGS("sleep", long_secs()), r.addr);
	if (!pidns) {
		json_t *cfg = bundle_config(&e), *nss = json_object_get(json_object_get(cfg, "linux"), "namespaces"), *ns;
		size_t i;
		json_array_foreach(nss, i, ns)
			if (!strcmp(json_string_value(json_object_get(ns, "type")), "pid")) {
				json_array_remove(nss, i);
				break;
			}
		bundle_save(&e, cfg);
	}
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	for (int i = 0; i < 3; i++) {
		assert_rpc(&e, exec_add(&e, C1, ids[i], ARGS("sleep", long_secs()), NULL, false), TTRPC_OK);
		assert_rpc(&e, start(&e, C1, ids[i], NULL), TTRPC_OK);
	}
	assert_rpc(&e, exec_add(&e, C1, "late", ARGS("true"), NULL, false), TTRPC_OK);
	assert_rpc(&e, kill_proc(&e, C1, NULL, SIGKILL, false), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 137);
	for (int i = 0; i < 3; i++) {
		assert_rpc(&e, wait_exit(&e, C1, ids[i], &st), TTRPC_OK);
		assert_int_equal(st, 137); /* killed with the container */
	}
	/* the init has exited: an exec Start is refused (runc-v2); checked last */
	late = start(&e, C1, "late", NULL);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	/* create, start, 3 x (exec-added, exec-started, exit), exec-added, exit, delete */
	recorder_wait(&r, 2 + 3 * 3 + 1 + 2);
	env_down(&e);
	recorder_stop(&r);
	for (int i = 0; i < r.n; i++)
		if (!strcmp(r.topics[i], "/tasks/exit") && !strcmp(r.who[i], C1))
			init_exit = i;
	assert_true(init_exit >= 0);
	for (int k = 0; k < 3; k++) {
		int at = -1;
		for (int i = 0; i < r.n; i++)
			if (!strcmp(r.topics[i], "/tasks/exit") && !strcmp(r.who[i], ids[k]))
				at = i;
		if (at < 0 || at > init_exit)
			fail_msg("%s: exit of exec %s at %d, the init's at %d", pidns ? "pid ns" : "no pid ns", ids[k], at,
				 init_exit);
	}
	check_start_before_exit(&r);
	assert_int_equal(late, TTRPC_FAILED_PRECONDITION);
}

static void test_init_exit_order(void **state)
{
	(void)state;
	init_exit_with_execs(true);
	init_exit_with_execs(false);
}

/* file:// sends both streams to one file; binary:// hands them to a logger */
static void test_log_drivers(void **state)
{
	struct shim_env e;
	char uri[600], *text;
	int st;
	FILE *f;

	(void)state;
	env_up(&e, ARGS("sh", "-c", "echo to-out; echo to-err >&2"), NULL);
	/* escaped as containerd's net/url writes a path with a space */
	snprintf(uri, sizeof(uri), "file://%s/log%%20dir/ctr.log", e.dir);
	assert_rpc(&e, create(&e, C1, uri, uri, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	text = read_text(path_in(&e, "log dir/ctr.log"));
	assert_non_null(text);
	assert_non_null(strstr(text, "to-out\n"));
	assert_non_null(strstr(text, "to-err\n"));
	free(text);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);

	/* a logger as containerd's binary:// runs it: fds 3 and 4, ready on 5;
	 * escapes undone, every key followed by its value ("" for none) */
	f = fopen(path_in(&e, "my logger.sh"), "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nexec 5>&-\ncat <&3 > \"$2.out\" & cat <&4 > \"$2.err\"; wait\n"
		   "echo \"$CONTAINER_ID $CONTAINER_NAMESPACE $1 $3 [$4] $5 $6 $#\" > \"$2.env\"\n");
	fclose(f);
	chmod(path_in(&e, "my logger.sh"), 0755);
	snprintf(uri, sizeof(uri), "binary://%s/my%%20logger.sh?flag=%s&bare&say=a+b%%26c", e.dir, path_in(&e, "lg"));
	assert_rpc(&e, create(&e, C2, uri, uri, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C2, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C2, NULL, &st), TTRPC_OK);
	assert_rpc(&e, del(&e, C2, NULL), TTRPC_OK);
	for (long long end = now_ms() + WAIT_MS; now_ms() < end;) {
		text = read_text(path_in(&e, "lg.env"));
		if (text && strchr(text, '\n'))
			break;
		free(text);
		text = NULL;
		usleep(10000);
	}
	assert_non_null(text);
	{
		char want[128];
		snprintf(want, sizeof(want), "%s harness flag bare [] say a b&c 6\n", C2);
		assert_string_equal(text, want);
	}
	free(text);
	text = read_text(path_in(&e, "lg.out"));
	assert_string_equal(text, "to-out\n");
	free(text);
	text = read_text(path_in(&e, "lg.err"));
	assert_string_equal(text, "to-err\n");
	free(text);
	env_down(&e);
}

/* Create's rootfs mounts (a bind of a snapshot, as containerd's native
 * snapshotter sends) land on bundle/rootfs and are gone after Delete */
static void test_rootfs_mounts(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__CreateTaskRequest cr = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	Containerd__Types__Mount m = CONTAINERD__TYPES__MOUNT__INIT, *mp[1] = {&m};
	char src[400], dst[400], *opts[] = {(char *)"rbind", (char *)"rw"}, *text;
	int st;

	(void)state;
	env_up(&e, ARGS("sh", "-c", "test -x /bin/busybox && echo from-snapshot"), NULL);
	/* the bundle's own rootfs becomes the "snapshot"; rootfs/ is left empty */
	snprintf(src, sizeof(src), "%s/snapshot", e.dir);
	snprintf(dst, sizeof(dst), "%s/rootfs", e.bundle);
	assert_int_equal(rename(dst, src), 0);
	assert_int_equal(mkdir(dst, 0755), 0);
	m.type = (char *)"bind";
	m.source = src;
	m.n_options = 2;
	m.options = opts;
	cr.id = (char *)C1;
	cr.bundle = e.bundle;
	cr.stdout = (char *)path_in(&e, "out");
	close(open(cr.stdout, O_CREAT | O_WRONLY, 0600));
	cr.n_rootfs = 1;
	cr.rootfs = mp;
	assert_rpc(&e, rpc(&e, "Create", &cr, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	text = read_text(path_in(&e, "out"));
	assert_string_equal(text, "from-snapshot\n");
	free(text);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	/* unmounted: rootfs/ is the empty dir again */
	{
		char probe[450];
		snprintf(probe, sizeof(probe), "%s/bin", dst);
		assert_int_not_equal(access(probe, F_OK), 0);
	}
	env_down(&e);
}

/* an OOM kill is published as /tasks/oom before the /tasks/exit it caused */
static void test_oom_event(void **state)
{
	struct shim_env e;
	struct recorder r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	json_t *cfg;
	int st, oom = -1, exit_at = -1;

	(void)state;
	recorder_start(&r, "husk-events-oom");
	/* 16 MiB of memory, and a process that wants 64 */
	env_up(&e, ARGS("tail", "/dev/zero"), r.addr); /* keeps reading for a newline: unbounded */
	cfg = bundle_config(&e);
	json_object_set_new(json_object_get(cfg, "linux"), "resources",
			    json_pack("{s:{s:I}}", "memory", "limit", (json_int_t)16 << 20));
	bundle_save(&e, cfg);
	assert_rpc(&e, create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, start(&e, C1, NULL, NULL), TTRPC_OK);
	assert_rpc(&e, wait_exit(&e, C1, NULL, &st), TTRPC_OK);
	assert_rpc(&e, del(&e, C1, NULL), TTRPC_OK);
	recorder_wait(&r, 4);
	env_down(&e);
	recorder_stop(&r);
	for (int i = 0; i < r.n; i++) {
		if (!strcmp(r.topics[i], "/tasks/oom") && oom < 0)
			oom = i;
		if (!strcmp(r.topics[i], "/tasks/exit") && exit_at < 0)
			exit_at = i;
	}
	if (oom < 0)
		fail_msg("no /tasks/oom among %d events (exit status %d)", r.n, st);
	assert_true(exit_at > oom);
	assert_string_equal(r.types[oom], "containerd.events.TaskOOM");
}

/* bad input: a clear error, and nothing left (state, fds, the next Create works) */
static void test_bad_create(void **state)
{
	struct shim_env e;
	Containerd__Task__V2__CreateTaskRequest cr = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	char *msg;
	int fds;

	(void)state;
	env_up(&e, NULL, NULL);
	/* settled: the connection accepted, libuv's reserve fd open */
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	usleep(100000);
	fds = shim_fd_count(&e);
	cr.id = (char *)C1;
	cr.bundle = (char *)"/nonexistent/bundle";
	assert_int_not_equal(rpc_on(&e.cl, "Create", &cr, NULL, NULL, &msg), TTRPC_OK);
	assert_non_null(msg);
	if (!strstr(msg, "/nonexistent/bundle"))
		fail_msg("message does not name the bundle: %s", msg);
	free(msg);
	cr.id = (char *)"../evil";
	cr.bundle = e.bundle;
	assert_int_equal(rpc_on(&e.cl, "Create", &cr, NULL, NULL, NULL), TTRPC_INVALID_ARGUMENT);
	cr.id = (char *)C1;
	cr.stdout = (char *)"/nonexistent/dir/fifo";
	assert_int_not_equal(rpc_on(&e.cl, "Create", &cr, NULL, NULL, &msg), TTRPC_OK);
	assert_non_null(strstr(msg, "/nonexistent/dir/fifo"));
	free(msg);
	{
		json_t *cfg = bundle_config(&e);
		json_object_set_new(json_object_get(cfg, "process"), "args", json_pack("[s]", "/no/such/binary"));
		bundle_save(&e, cfg);
	}
	assert_int_not_equal(create(&e, C1, NULL, NULL, NULL, false), TTRPC_OK);
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	if (shim_fd_count_settled(&e, fds) != fds) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd >&2", e.pid);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot list the shim's fds)\n");
	}
	assert_int_equal(shim_fd_count(&e), fds);
	assert_int_equal(shim_zombies(&e), 0);
	env_down(&e); /* checks that the root has no state left */
}

/* a Create whose payload is written by hand: field 1 (id) and field 6
 * (stdout) as raw bytes, so they can hold a NUL protobuf-c cannot pack */
static int create_raw(struct shim_env *e, const char *id, size_t idlen, const char *out, size_t outlen)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	uint8_t payload[1024], f[2048];
	size_t n = 0;
	struct ttrpc_header h = {0, 1, TTRPC_REQUEST, 0};

	payload[n++] = 0x0a; /* 1: id */
	payload[n++] = (uint8_t)idlen;
	memcpy(payload + n, id, idlen);
	n += idlen;
	payload[n++] = 0x12; /* 2: bundle */
	payload[n++] = (uint8_t)strlen(e->bundle);
	memcpy(payload + n, e->bundle, strlen(e->bundle));
	n += strlen(e->bundle);
	if (out) {
		payload[n++] = 0x32; /* 6: stdout */
		payload[n++] = (uint8_t)outlen;
		memcpy(payload + n, out, outlen);
		n += outlen;
	}
	req.service = (char *)"containerd.task.v2.Task";
	req.method = (char *)"Create";
	req.payload.data = payload;
	req.payload.len = n;
	h.length = (uint32_t)protobuf_c_message_get_packed_size(&req.base);
	ttrpc_header_encode(&h, f);
	protobuf_c_message_pack(&req.base, f + TTRPC_HEADER_LEN);
	return raw_frame(e->sock, f, TTRPC_HEADER_LEN + h.length, NULL);
}

/* input a user could get wrong or an attacker could craft: refused with a
 * clear answer, nothing made */
static void test_hostile_input(void **state)
{
	struct shim_env e;
	char idnul[64], uri[600], cwdfile[600], *msg;
	size_t idlen;

	(void)state;
	env_up(&e, NULL, NULL);
	/* file:// with a relative path: containerd never sends one; it would
	 * land under the shim's cwd */
	snprintf(uri, sizeof(uri), "file://rel-%d.log", (int)getpid());
	assert_rpc(&e, create(&e, C1, uri, uri, NULL, false), TTRPC_INVALID_ARGUMENT);
	snprintf(cwdfile, sizeof(cwdfile), "/proc/%d/cwd/rel-%d.log", (int)e.pid, (int)getpid());
	assert_int_equal(access(cwdfile, F_OK), -1);
	/* an id and a URI with an embedded NUL: refused, not cut short */
	idlen = (size_t)snprintf(idnul, sizeof(idnul), "%s", C1) + 1;
	memcpy(idnul + idlen, "x", 2);
	assert_int_equal(create_raw(&e, idnul, idlen + 1, NULL, 0), TTRPC_INVALID_ARGUMENT);
	snprintf(uri, sizeof(uri), "%s", path_in(&e, "out"));
	assert_int_equal(create_raw(&e, C1, strlen(C1), uri, strlen(uri) + 2), TTRPC_INVALID_ARGUMENT);
	assert_rpc(&e, state_of(&e, C1, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	/* a message quoting a value with control characters stays one line */
	{
		Containerd__Task__V2__CreateTaskRequest cr = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
		cr.id = C1;
		cr.bundle = (char *)"/nonexistent/a\nb\tc\x1b";
		assert_int_not_equal(rpc_on(&e.cl, "Create", &cr, NULL, NULL, &msg), TTRPC_OK);
		assert_non_null(msg);
		if (strpbrk(msg, "\n\t\x1b") || !strstr(msg, "/nonexistent/a\\nb\\tc\\x1b"))
			fail_msg("control characters not escaped: %s", msg);
		free(msg);
	}
	env_down(&e);
}

int main(void)
{
	harness_deadline();
	snprintf(C1, sizeof(C1), "c1-%d", (int)getpid());
	snprintf(C2, sizeof(C2), "c2-%d", (int)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lifecycle, env_teardown),
		cmocka_unit_test_teardown(test_wrong_state, env_teardown),
		cmocka_unit_test_teardown(test_protocol_errors, env_teardown),
		cmocka_unit_test_teardown(test_clients, env_teardown),
		cmocka_unit_test_teardown(test_deadline, env_teardown),
		cmocka_unit_test_teardown(test_state_during_create, env_teardown),
		cmocka_unit_test_teardown(test_io_pids_stats, env_teardown),
		cmocka_unit_test_teardown(test_exec_start_fails, env_teardown),
		cmocka_unit_test_teardown(test_protected_image, env_teardown),
		cmocka_unit_test_teardown(test_terminal, env_teardown),
		cmocka_unit_test_teardown(test_events, env_teardown),
		cmocka_unit_test_teardown(test_init_exit_order, env_teardown),
		cmocka_unit_test_teardown(test_event_order_fast_exits, env_teardown),
		cmocka_unit_test_teardown(test_log_drivers, env_teardown),
		cmocka_unit_test_teardown(test_bad_create, env_teardown),
		cmocka_unit_test_teardown(test_hostile_input, env_teardown),
		cmocka_unit_test_teardown(test_rootfs_mounts, env_teardown),
		cmocka_unit_test_teardown(test_oom_event, env_teardown),
		cmocka_unit_test_teardown(test_output_64mib, env_teardown),
		cmocka_unit_test_teardown(test_exit_codes, env_teardown),
		cmocka_unit_test_teardown(test_1000_execs, env_teardown),
		cmocka_unit_test_teardown(test_sigterm_with_exec, env_teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_shim_rpc needs root (it runs containers)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (getenv("SHIM_TEST")) /* run only the tests matching this pattern */
		cmocka_set_test_filter(getenv("SHIM_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
