/* The console socket: the pty master of a terminal process is sent over it
 * with SCM_RIGHTS (the protocol of runc's --console-socket). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "husk/husk.h"
#include "util.h"

int check_console(const struct husk_process *p, const char *path, int fd, struct husk_error *err)
{
	bool have = path || fd > 0;

	if (p->terminal && !have)
		return husk_error_set(err, -EINVAL,
				      "cannot allocate a tty if husk will detach without a console socket (--console-socket)");
	if (!p->terminal && have)
		return husk_error_set(err, -EINVAL, "--console-socket given but process.terminal is false");
	return 0;
}

static int connect_console(const char *path, struct husk_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return husk_error_set(err, -ENAMETOOLONG, "console socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_sys(err, -errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return husk_error_sys(err, r, "connect to console socket %s", path);
	}
	return fd;
}

int console_open(const char *path, int fd, struct husk_error *err)
{
	int r;

	if (path)
		return connect_console(path, err);
	r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return r < 0 ? husk_error_sys(err, -errno, "console socket fd %d", fd) : r;
}

int husk_console_recv(int sock, char *name, size_t len, struct husk_error *err)
{
	char buf[256];
	int fd;
	ssize_t n = recv_with_fd(sock, buf, sizeof(buf) - 1, &fd);

	if (n < 0)
		return husk_error_sys(err, (int)n, "receive the pty master");
	if (fd < 0)
		return husk_error_set(err, -EPROTO, "no pty master came over the console socket");
	buf[n] = 0;
	if (name && len)
		snprintf(name, len, "%s", buf);
	return fd;
}

int husk_console_clear_onlcr(int master, struct husk_error *err)
{
	struct termios t;

	if (tcgetattr(master, &t) < 0)
		return husk_error_sys(err, -errno, "get the console's attributes");
	t.c_oflag &= ~(tcflag_t)ONLCR;
	if (tcsetattr(master, TCSANOW, &t) < 0)
		return husk_error_sys(err, -errno, "clear ONLCR on the console");
	return 0;
}
