#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "husk/log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int log_fd = STDERR_FILENO;
static bool log_json;
static bool log_debug;

static const char *const level_names[] = {"debug", "info", "warning", "error"};

int husk_log_open(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path && *path) {
		/* Never block, never die of SIGPIPE: a fifo nobody reads
		 * (containerd restarting; the shim's log handed to a helper) would
		 * hold an O_WRONLY open forever, and a reader leaving later would
		 * make each line a SIGPIPE. So a fifo is opened read-write and
		 * non-blocking: the open returns at once, lines wait in the fifo
		 * for the next reader, and a line it has no room for is dropped
		 * rather than stalling the caller (lines under PIPE_BUF go in
		 * whole or not at all). Anything else is opened as runc opens its
		 * log. */
		struct stat st;
		int fd;

		if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
			fd = open(path, O_RDWR | O_APPEND | O_NONBLOCK | O_CLOEXEC);
		else
			fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		log_fd = fd;
	}
	return 0;
}

void husk_log_close(void)
{
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
}

bool husk_log_to_stderr(void)
{
	return log_fd == STDERR_FILENO;
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
	char msg[HUSK_ERROR_MAX + 128], when[64];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level == HUSK_LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%09ldZ", ts.tv_nsec);
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg,
				      "time", when);
		char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (line) {
			char *nl = xasprintf("%s\n", line);
			(void)!write_full(log_fd, nl, strlen(nl));
			free(nl);
		}
		free(line);
		json_decref(o);
		return;
	}
	{
		char *line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level], msg);
		(void)!write_full(log_fd, line, strlen(line));
		free(line);
	}
}
