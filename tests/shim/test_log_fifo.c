/* libhusk's log on a fifo (the bundle's `log` fifo containerd reads, which
 * every husk-shim helper writes to): the open never blocks without a reader,
 * a reader leaving later never kills the writer with SIGPIPE, and a full
 * fifo drops lines instead of stalling. An alarm turns a block into a
 * failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
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

#include "husk/log.h"
#include "util.h"

static char dir[64];
static char fifo[sizeof(dir) + 8];

static void on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "blocked: the log open or write did not return\n";
	(void)!write(2, m, sizeof(m) - 1);
	_exit(1);
}

static void test_open_without_reader(void **state)
{
	(void)state;
	alarm(30);
	assert_int_equal(husk_log_open(fifo, false, false), 0);
	husk_log(HUSK_LOG_INFO, "nobody reads this yet");
	alarm(0);
	{
		/* the line waits in the fifo for the next reader */
		char buf[256] = {0};
		int r = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		assert_true(r >= 0);
		assert_true(read(r, buf, sizeof(buf) - 1) > 0);
		assert_non_null(strstr(buf, "nobody reads this yet"));
		close(r);
	}
	husk_log_close();
}

static void test_reader_leaves(void **state)
{
	int r = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	(void)state;
	signal(SIGPIPE, SIG_DFL); /* as in a helper: SIGPIPE would kill */
	assert_true(r >= 0);
	assert_int_equal(husk_log_open(fifo, false, false), 0);
	close(r);
	husk_log(HUSK_LOG_INFO, "the reader is gone");
	husk_log_close();
}

static void test_full_fifo(void **state)
{
	(void)state;
	alarm(30);
	assert_int_equal(husk_log_open(fifo, false, false), 0);
	for (int i = 0; i < 20000; i++) /* far more than a fifo holds */
		husk_log(HUSK_LOG_INFO, "line %d of a log nobody reads", i);
	alarm(0);
	husk_log_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_without_reader),
		cmocka_unit_test(test_reader_leaves),
		cmocka_unit_test(test_full_fifo),
	};
	int r;

	signal(SIGALRM, on_alarm);
	if (make_private_dir("/tmp/husk-logfifo", dir, sizeof(dir)) < 0)
		return 1;
	snprintf(fifo, sizeof(fifo), "%s/log", dir);
	if (mkfifo(fifo, 0600) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(fifo);
	rmdir(dir);
	return r;
}
