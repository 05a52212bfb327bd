/* Every stdio destination kind containerd can give takes every byte: fifos,
 * regular files (one per stream, and one shared O_APPEND file as containerd
 * writes a log), a pty relayed to a fifo and to a file, a binary:// logger,
 * /dev/null. Each at sizes 0 .. 4 MiB on both streams at once, by a process
 * that exits as soon as it has written (the exit must wait for the bytes). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static const size_t sizes[] = {0, 1, 4095, 65536, 65537, (1u << 20) + 3, 4u << 20};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))
#define STALL_MS 30000

/* a container id of our own: other test programs may run at the same time */
static char cid[64];

struct counts {
	size_t o, e, other;
};

static void count(struct counts *c, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 'o')
			c->o++;
		else if (b[i] == 'e')
			c->e++;
		else
			c->other++;
	}
}

static void count_file(struct counts *c, const char *path)
{
	char *buf = malloc(1 << 20);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_non_null(buf);
	if (fd >= 0) {
		while ((n = read(fd, buf, 1 << 20)) > 0)
			count(c, buf, (size_t)n);
		close(fd);
	}
	free(buf);
}

/* n bytes of c in the rootfs, so that cat writes them in big blocks */
static void make_data(struct shim_env *e, char c, size_t n)
{
	char name[64], path[600], *b = malloc(n + 1);
	int fd;

	assert_non_null(b);
	memset(b, c, n);
	snprintf(name, sizeof(name), "bundle/rootfs/%c%zu", c, n);
	snprintf(path, sizeof(path), "%s", path_in(e, name));
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);
	free(b);
}

/* the init writes n 'o' to stdout and n 'e' to stderr at the same time, no
 * newline (a pty would turn one into two bytes), then exits at once */
static void set_args(struct shim_env *e, size_t n, bool tty)
{
	char cmd[256];
	json_t *cfg = bundle_config(e), *a = json_array();

	make_data(e, 'o', n);
	make_data(e, 'e', n);
	snprintf(cmd, sizeof(cmd), "cat /o%zu & cat /e%zu >&2; wait", n, n);
	json_array_append_new(a, json_string("sh"));
	json_array_append_new(a, json_string("-c"));
	json_array_append_new(a, json_string(cmd));
	json_object_set_new(json_object_get(cfg, "process"), "args", a);
	json_object_set_new(json_object_get(cfg, "process"), "terminal", json_boolean(tty));
	bundle_save(e, cfg);
}

/* Send Wait on a connection of its own; returns it (read the answer with
 * wait_answered). */
static void send_wait(struct shim_env *e, struct ttrpc_client *w)
{
	Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	struct ttrpc_frame f;

	assert_int_equal(ttrpc_client_connect(w, e->sock), 0);
	req.id = cid;
	req.exec_id = (char *)"";
	assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "Wait", &req.base, 0, &f), 0);
	assert_int_equal(write(w->fd, f.data, f.len), (ssize_t)f.len);
	ttrpc_frame_free(&f);
}

/* Run one container with these stdio paths; the fifos in rd[] (may be -1)
 * are read while it runs. Returns what they gave; the Wait must come within
 * STALL_MS (a stalled relay would block the writer forever). */
static struct counts run_case(struct shim_env *e, size_t n, const char *out, const char *err, bool tty,
			      const char *fifo_out, const char *fifo_err)
{
	struct counts c = {0};
	struct ttrpc_client w;
	char *buf = malloc(1 << 20);
	int rd[2] = {-1, -1}, st = -1;
	long long deadline = now_ms() + STALL_MS;
	bool answered = false;

	assert_non_null(buf);
	set_args(e, n, tty);
	if (fifo_out)
		rd[0] = fifo_reader(e, fifo_out);
	if (fifo_err)
		rd[1] = fifo_reader(e, fifo_err);
	assert_rpc(e, create(e, cid, out, err, NULL, tty), TTRPC_OK);
	send_wait(e, &w);
	assert_rpc(e, start(e, cid, NULL, NULL), TTRPC_OK);
	while (!answered) {
		struct pollfd p[3] = {{rd[0], POLLIN, 0}, {rd[1], POLLIN, 0}, {w.fd, POLLIN, 0}};
		long long left = deadline - now_ms();
		if (left <= 0)
			fail_msg("size %zu: no Wait answer within %d ms (a stalled relay)", n, STALL_MS);
		assert_true(poll(p, 3, (int)left) >= 0);
		for (int i = 0; i < 2; i++)
			if (rd[i] >= 0 && p[i].revents)
				count(&c, buf, drain_fd(rd[i], buf, 1 << 20));
		answered = p[2].revents != 0;
	}
	/* what is left is in the fifos already */
	for (int i = 0; i < 2; i++)
		if (rd[i] >= 0) {
			for (size_t k; (k = drain_fd(rd[i], buf, 1 << 20)) > 0;)
				count(&c, buf, k);
			close(rd[i]);
		}
	ttrpc_client_close(&w);
	assert_rpc(e, wait_exit(e, cid, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	assert_rpc(e, del(e, cid, NULL), TTRPC_OK);
	if (fifo_out)
		unlink(path_in(e, fifo_out));
	if (fifo_err)
		unlink(path_in(e, fifo_err));
	free(buf);
	return c;
}

static void expect(const struct counts *c, size_t o, size_t e_, const char *kind, size_t n)
{
	if (c->o != o || c->e != e_ || c->other != 0)
		fail_msg("%s, size %zu: got %zu 'o' %zu 'e' %zu other, want %zu %zu 0", kind, n, c->o, c->e, c->other, o,
			 e_);
}

static void test_fifos(void **state)
{
	struct shim_env e;

	(void)state;
	env_up(&e, NULL, NULL);
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = run_case(&e, sizes[i], path_in(&e, "out"), path_in(&e, "err"), false, "out", "err");
		expect(&c, sizes[i], sizes[i], "fifos", sizes[i]);
	}
	env_down(&e);
}

/* a plain path naming a regular file, one per stream */
static void test_files(void **state)
{
	struct shim_env e;

	(void)state;
	env_up(&e, NULL, NULL);
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = {0};
		close(open(path_in(&e, "out.txt"), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600));
		close(open(path_in(&e, "err.txt"), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600));
		run_case(&e, sizes[i], path_in(&e, "out.txt"), path_in(&e, "err.txt"), false, NULL, NULL);
		count_file(&c, path_in(&e, "out.txt"));
		expect(&c, sizes[i], 0, "stdout file", sizes[i]);
		memset(&c, 0, sizeof(c));
		count_file(&c, path_in(&e, "err.txt"));
		expect(&c, 0, sizes[i], "stderr file", sizes[i]);
	}
	env_down(&e);
}

/* file:// for both streams: one file, O_APPEND, as containerd writes a log */
static void test_append_file(void **state)
{
	struct shim_env e;
	char uri[600];

	(void)state;
	env_up(&e, NULL, NULL);
	snprintf(uri, sizeof(uri), "file://%s", path_in(&e, "ctr.log"));
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = {0};
		unlink(path_in(&e, "ctr.log"));
		run_case(&e, sizes[i], uri, uri, false, NULL, NULL);
		count_file(&c, path_in(&e, "ctr.log"));
		expect(&c, sizes[i], sizes[i], "file:// O_APPEND", sizes[i]);
	}
	env_down(&e);
}

/* a terminal: both streams on the pty, its master relayed to a fifo, then to
 * a file:// log */
static void test_pty(void **state)
{
	struct shim_env e;
	char uri[600];

	(void)state;
	env_up(&e, NULL, NULL);
	snprintf(uri, sizeof(uri), "file://%s", path_in(&e, "tty.log"));
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = run_case(&e, sizes[i], path_in(&e, "out"), NULL, true, "out", NULL);
		expect(&c, sizes[i], sizes[i], "pty to fifo", sizes[i]);
		memset(&c, 0, sizeof(c));
		unlink(path_in(&e, "tty.log"));
		run_case(&e, sizes[i], uri, NULL, true, NULL, NULL);
		count_file(&c, path_in(&e, "tty.log"));
		expect(&c, sizes[i], sizes[i], "pty to file://", sizes[i]);
	}
	env_down(&e);
}

/* binary:// as containerd runs a logger: its fds 3 and 4 are the streams */
static void test_logger(void **state)
{
	struct shim_env e;
	char uri[600];
	FILE *f;

	(void)state;
	env_up(&e, NULL, NULL);
	f = fopen(path_in(&e, "logger.sh"), "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nexec 5>&-\ncat <&3 > \"$2.out\" & cat <&4 > \"$2.err\"; wait\ntouch \"$2.done\"\n");
	fclose(f);
	chmod(path_in(&e, "logger.sh"), 0755);
	snprintf(uri, sizeof(uri), "binary://%s?to=%s", path_in(&e, "logger.sh"), path_in(&e, "lg"));
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = {0};
		unlink(path_in(&e, "lg.done"));
		run_case(&e, sizes[i], uri, uri, false, NULL, NULL);
		for (long long end = now_ms() + WAIT_MS; access(path_in(&e, "lg.done"), F_OK) < 0 && now_ms() < end;)
			usleep(10000);
		assert_int_equal(access(path_in(&e, "lg.done"), F_OK), 0);
		count_file(&c, path_in(&e, "lg.out"));
		count_file(&c, path_in(&e, "lg.err"));
		expect(&c, sizes[i], sizes[i], "binary:// logger", sizes[i]);
	}
	env_down(&e);
}

/* /dev/null takes everything and never stalls the writer */
static void test_dev_null(void **state)
{
	struct shim_env e;

	(void)state;
	env_up(&e, NULL, NULL);
	for (size_t i = 0; i < N_SIZES; i++) {
		struct counts c = run_case(&e, sizes[i], "/dev/null", "/dev/null", false, NULL, NULL);
		expect(&c, 0, 0, "/dev/null", sizes[i]);
	}
	env_down(&e);
}

/* a binary:// logger that never says it is ready (keeps fd 5 open, silent):
 * Create is answered (an error) within bounded time, nothing is left */
static void test_logger_never_ready(void **state)
{
	struct shim_env e;
	char uri[600];
	long long t0;
	FILE *f;
	int code;

	(void)state;
	env_up(&e, NULL, NULL);
	f = fopen(path_in(&e, "mute.sh"), "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nexec sleep %s\n", long_secs());
	fclose(f);
	chmod(path_in(&e, "mute.sh"), 0755);
	snprintf(uri, sizeof(uri), "binary://%s", path_in(&e, "mute.sh"));
	set_args(&e, 0, false);
	t0 = now_ms();
	code = create(&e, cid, uri, uri, NULL, false);
	assert_int_not_equal(code, TTRPC_OK);
	/* the shim's LOGGER_READY_MS is 10 s; the rest is slack for a loaded
	 * machine under ASan (a hang would meet the harness's 60 s call timeout) */
	assert_true(now_ms() - t0 < 45000);
	assert_non_null(strstr(e.last_msg, "logger"));
	assert_rpc(&e, state_of(&e, cid, NULL, NULL, NULL), TTRPC_NOT_FOUND);
	env_down(&e);
}

/* Fifos whose reader comes late (ctr's fifo open runs in a goroutine that a
 * loaded machine may not have scheduled by then): the shim holds them itself
 * and the whole output fits in them, so the process exits at once. The exit
 * must wait for the reader: containerd's client, once told of it, cancels a
 * fifo open still under way, and the output would be lost (ctr run --rm lost
 * most of 100000 lines so, tests/e2e/t-run.sh). Failed before: the Wait was
 * answered as soon as the process was gone. */
static void test_fifo_late_reader(void **state)
{
	const size_t n = 65537;
	struct shim_env e;
	struct counts c = {0};
	struct ttrpc_client w;
	struct pollfd pw;
	char *buf = malloc(1 << 20);
	int rd[2], st = -1;
	pid_t pid = 0;
	long long deadline;
	bool answered = false;

	(void)state;
	assert_non_null(buf);
	env_up(&e, NULL, NULL);
	set_args(&e, n, false);
	assert_int_equal(mkfifo(path_in(&e, "late-out"), 0600), 0);
	assert_int_equal(mkfifo(path_in(&e, "late-err"), 0600), 0);
	assert_rpc(&e, create(&e, cid, path_in(&e, "late-out"), path_in(&e, "late-err"), NULL, false), TTRPC_OK);
	send_wait(&e, &w);
	assert_rpc(&e, start(&e, cid, NULL, &pid), TTRPC_OK);
	assert_true(pid > 0);
	/* the process has written everything and is gone (reaped by the shim) */
	deadline = now_ms() + STALL_MS;
	while (kill(pid, 0) == 0 && now_ms() < deadline)
		usleep(20000);
	assert_int_equal(kill(pid, 0), -1);
	/* and its exit is held while its output waits in the fifos (a negative
	 * check: 1 s is long after the exit, where the Wait was answered before) */
	pw = (struct pollfd){.fd = w.fd, .events = POLLIN};
	assert_int_equal(poll(&pw, 1, 1000), 0);
	/* the readers come: every byte, then the exit */
	rd[0] = open(path_in(&e, "late-out"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	rd[1] = open(path_in(&e, "late-err"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rd[0] >= 0 && rd[1] >= 0);
	deadline = now_ms() + STALL_MS;
	while (!answered) {
		struct pollfd p[3] = {{rd[0], POLLIN, 0}, {rd[1], POLLIN, 0}, {w.fd, POLLIN, 0}};
		long long left = deadline - now_ms();
		if (left <= 0)
			fail_msg("no Wait answer within %d ms of the readers' coming", STALL_MS);
		assert_true(poll(p, 3, (int)left) >= 0);
		for (int i = 0; i < 2; i++)
			if (p[i].revents)
				count(&c, buf, drain_fd(rd[i], buf, 1 << 20));
		answered = p[2].revents != 0;
	}
	for (int i = 0; i < 2; i++) {
		for (size_t k; (k = drain_fd(rd[i], buf, 1 << 20)) > 0;)
			count(&c, buf, k);
		close(rd[i]);
	}
	expect(&c, n, n, "late readers", n);
	ttrpc_client_close(&w);
	assert_rpc(&e, wait_exit(&e, cid, NULL, &st), TTRPC_OK);
	assert_int_equal(st, 0);
	assert_rpc(&e, del(&e, cid, NULL), TTRPC_OK);
	free(buf);
	env_down(&e);
}

int main(void)
{
	harness_deadline();
	snprintf(cid, sizeof(cid), "shim-io-%d", (int)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fifos, env_teardown),
		cmocka_unit_test_teardown(test_fifo_late_reader, env_teardown),
		cmocka_unit_test_teardown(test_files, env_teardown),
		cmocka_unit_test_teardown(test_append_file, env_teardown),
		cmocka_unit_test_teardown(test_pty, env_teardown),
		cmocka_unit_test_teardown(test_logger, env_teardown),
		cmocka_unit_test_teardown(test_dev_null, env_teardown),
		cmocka_unit_test_teardown(test_logger_never_ready, env_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
