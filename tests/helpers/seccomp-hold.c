/* seccomp-hold SOCKET DIR: a seccomp notify agent that stops processes in a
 * notifying syscall, for tests that need a process held at that point. The
 * first listener it gets (the container's init) is let through at once; a
 * notification from any later listener (an exec'd process) writes its pid to
 * DIR/held and waits for DIR/release before the syscall continues. Runs until
 * killed. Test helper only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd-socket.h"

#define MAXL 16

static int die(const char *what)
{
	fprintf(stderr, "seccomp-hold: %s: %s\n", what, strerror(errno));
	return 1;
}

static void hold(const char *dir, unsigned pid)
{
	char held[4096], release[4096];
	struct stat st;
	FILE *f;

	snprintf(held, sizeof(held), "%s/held", dir);
	snprintf(release, sizeof(release), "%s/release", dir);
	f = fopen(held, "w");
	if (f) {
		fprintf(f, "%u\n", pid);
		fclose(f);
	}
	while (stat(release, &st) < 0)
		usleep(20000);
	unlink(release);
	unlink(held);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd p[MAXL + 1];
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	static char state[65536];
	size_t n = 0;
	int l;

	if (argc != 3) {
		fprintf(stderr, "usage: seccomp-hold SOCKET DIR\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 4) < 0)
		return die("listen");
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return die("alloc");
	p[0] = (struct pollfd){.fd = l, .events = POLLIN};
	for (;;) {
		if (poll(p, n + 1, -1) < 0 && errno != EINTR)
			return die("poll");
		if ((p[0].revents & POLLIN) && n < MAXL) {
			int c = accept4(l, NULL, NULL, SOCK_CLOEXEC), nfd;
			if (c >= 0 && recv_with_fd_msg(c, state, sizeof(state), &nfd) == 0)
				p[++n] = (struct pollfd){.fd = nfd, .events = POLLIN};
			if (c >= 0)
				close(c);
		}
		for (size_t i = 1; i <= n; i++) {
			if (!p[i].revents)
				continue;
			memset(req, 0, sizeof(*req));
			if (!(p[i].revents & POLLIN) || seccomp_notify_receive(p[i].fd, req) < 0) {
				p[i].fd = -1; /* that filter is gone */
				continue;
			}
			if (i > 1)
				hold(argv[2], req->pid);
			memset(resp, 0, sizeof(*resp));
			resp->id = req->id;
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			if (seccomp_notify_respond(p[i].fd, resp) < 0 && errno != ENOENT)
				return die("respond");
		}
	}
}
