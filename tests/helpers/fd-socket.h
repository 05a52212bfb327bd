/* Shared by the test helpers that play the other end of an fd-passing unix
 * socket (--console-socket, seccomp listenerPath): accept one connection and
 * take one message with the fd that comes with it. Test helpers only. */
#ifndef HUSK_TEST_FD_SOCKET_H
#define HUSK_TEST_FD_SOCKET_H

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Listen on path and return the first connection, or -1. */
static inline int accept_one(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int l, c;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
		return -1;
	c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	return c;
}

/* One message into buf (NUL-terminated) and the fd sent with it; -1 when
 * either is missing. */
static inline int recv_with_fd_msg(int c, char *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

#endif
