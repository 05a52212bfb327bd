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

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[256] = {0}, cbuf[CMSG_SPACE(sizeof(int))], buf[4096];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	struct winsize ws;
	int l, c, master, out;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET OUT\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
		return die("listen");
	c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return die("accept");
	if (recvmsg(c, &msg, MSG_CMSG_CLOEXEC) < 0)
		return die("recvmsg");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no fd received\n");
		return 1;
	}
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
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
