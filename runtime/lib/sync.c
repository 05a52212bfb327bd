#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

const char *sync_type_name(uint32_t type)
{
	static const char *const names[] = {"?", "bootstrap", "procHooks", "procResume",
					    "procReady", "procRun", "procError", "procSeccomp",
					    "procSeccompDone", "initPidfd", "mountSource"};
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

/* Set in the cloned init and exec'd process by sync_child_mode: their
 * messages without an fd go with write(2) and read(2), never send/recv. */
static bool child_mode;

void sync_child_mode(void)
{
	child_mode = true;
}

static int send_msg(int fd, enum sync_type type, int code, const char *payload, int passfd)
{
	struct sync_msg *m = xcalloc(1, sizeof(*m));
	size_t plen = payload ? strlen(payload) : 0;
	ssize_t n = 0;
	int r = 0;

	if (plen >= SYNC_PAYLOAD_MAX)
		plen = SYNC_PAYLOAD_MAX - 1;
	m->type = type;
	m->code = code;
	m->len = (uint32_t)plen;
	if (plen)
		memcpy(m->payload, payload, plen);
	if (passfd >= 0) {
		r = send_with_fd(fd, m, offsetof(struct sync_msg, payload) + plen, passfd);
	} else if (child_mode) {
		/* a record on SOCK_SEQPACKET all the same; SIGPIPE (the runtime
		 * is gone) ends the child as the EPIPE would */
		do
			n = write(fd, m, offsetof(struct sync_msg, payload) + plen);
		while (n < 0 && errno == EINTR);
	} else {
		do
			n = send(fd, m, offsetof(struct sync_msg, payload) + plen, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			r = -errno;
	}
	free(m);
	return r;
}

int sync_send(int fd, enum sync_type type, int code, const char *payload)
{
	return send_msg(fd, type, code, payload, -1);
}

int sync_send_fd(int fd, enum sync_type type, int passfd)
{
	return send_msg(fd, type, 0, NULL, passfd);
}

int sync_send_fd_code(int fd, enum sync_type type, int code, int passfd)
{
	return send_msg(fd, type, code, NULL, passfd);
}

int sync_send_error(int fd, const struct husk_error *err)
{
	return sync_send(fd, SYNC_PROC_ERROR, err->code ? err->code : -EINVAL, err->msg);
}

/* One record into m: with recvmsg when an fd may come, else (in the child)
 * with read(2), which discards any fd sent along. */
static int recv_msg(int fd, struct sync_msg *m, int *passfd, bool want_fd)
{
	ssize_t n;

	*passfd = -1;
	if (want_fd || !child_mode) {
		n = recv_with_fd(fd, m, sizeof(*m) - 1, passfd);
	} else {
		do
			n = read(fd, m, sizeof(*m) - 1);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = -errno;
	}
	if (n > 0 && ((size_t)n < offsetof(struct sync_msg, payload) ||
		      m->len != (size_t)n - offsetof(struct sync_msg, payload)))
		n = -EBADMSG;
	if (n <= 0 && *passfd >= 0) {
		close(*passfd);
		*passfd = -1;
	}
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;
	m->payload[m->len] = '\0';
	return 0;
}

int sync_recv_fd(int fd, struct sync_msg *m, int *passfd)
{
	return recv_msg(fd, m, passfd, true);
}

int sync_recv(int fd, struct sync_msg *m)
{
	int passfd, r = recv_msg(fd, m, &passfd, false);

	if (passfd >= 0)
		close(passfd);
	return r;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct husk_error *err)
{
	int r = sync_recv(fd, m);

	if (r == -EPIPE)
		return husk_error_set(err, -EPIPE, "waiting for %s: the other side exited",
				      sync_type_name(type));
	if (r < 0)
		return husk_error_sys(err, r, "waiting for %s", sync_type_name(type));
	if (m->type == SYNC_PROC_ERROR)
		return husk_error_set(err, m->code ? m->code : -EINVAL, "%s", m->payload);
	if (m->type != (uint32_t)type)
		return husk_error_set(err, -EPROTO, "sync: got %s, want %s", sync_type_name(m->type),
				      sync_type_name(type));
	return 0;
}
