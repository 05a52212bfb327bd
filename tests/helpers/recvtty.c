/* recvtty SOCKET OUT: accept one connection on a unix socket, take the pty master
 * that arrives with SCM_RIGHTS (the --console-socket protocol), then copy what the
 * pty prints to OUT until the process side closes. Prints the name that came
 * with the fd on stdout. Test helper only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "fd-socket.h"

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char name[256], buf[4096];
	struct winsize ws;
	int c, master, out;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET OUT\n");
		return 2;
	}
	c = accept_one(argv[1]);
	if (c < 0)
		return die("listen/accept");
	if (recv_with_fd_msg(c, name, sizeof(name), &master) < 0) {
		fprintf(stderr, "recvtty: no fd received\n");
		return 1;
	}
	if (ioctl(master, TIOCGWINSZ, &ws) == 0)
		printf("%s %ux%u\n", name, ws.ws_row, ws.ws_col);
	else
		printf("%s\n", name);
	fflush(stdout);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return die(argv[2]);
	/* EIO once every slave fd is closed: the process has exited */
	while ((n = read(master, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && write(out, buf, (size_t)n) != n)
			return die("write");
	close(out);
	unlink(argv[1]);
	return 0;
}
