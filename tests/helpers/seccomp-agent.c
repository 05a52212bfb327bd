/* seccomp-agent SOCKET STATE-OUT ERRNO: a minimal seccomp notify agent for the
 * tests. Accepts one connection on SOCKET, writes the container process state
 * that came with the fd to STATE-OUT, then answers every notification with
 * -ERRNO (so a test can tell the agent answered, not the kernel or the filter)
 * until the container's filter goes away (poll reports POLLHUP once no process
 * uses it, Linux 5.8+; a receive alone would block forever on kernels before
 * 6.x that do not wake it then), or after 120 s as a safety net. Test helper
 * only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fd-socket.h"

static int die(const char *what)
{
	fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	static char state[65536];
	int c, nfd, answer, n;
	struct pollfd p;
	time_t deadline = time(NULL) + 120;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE-OUT ERRNO\n");
		return 2;
	}
	answer = atoi(argv[3]);
	c = accept_one(argv[1]);
	if (c < 0)
		return die("listen/accept");
	if (recv_with_fd_msg(c, state, sizeof(state), &nfd) < 0)
		return die("receive the state and fd");
	out = fopen(argv[2], "w");
	if (!out)
		return die("open state output");
	fprintf(out, "%s\n", state);
	fclose(out);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return die("alloc");
	for (;;) {
		if (time(NULL) > deadline) {
			fprintf(stderr, "seccomp-agent: giving up after 120 s\n");
			break;
		}
		p.fd = nfd;
		p.events = POLLIN;
		p.revents = 0;
		n = poll(&p, 1, 500);
		if (n < 0 && errno != EINTR)
			return die("poll");
		if (n <= 0)
			continue;
		/* a pending notification first; then hang-up: no process uses the filter */
		if (!(p.revents & POLLIN))
			break;
		memset(req, 0, sizeof(*req));
		/* fails too once every process under the filter is gone */
		if (seccomp_notify_receive(nfd, req) < 0)
			break;
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		resp->error = -answer;
		if (seccomp_notify_respond(nfd, resp) < 0 && errno != ENOENT)
			return die("respond");
		fprintf(stderr, "seccomp-agent: answered syscall %d of pid %u\n", req->data.nr, req->pid);
	}
	seccomp_notify_free(req, resp);
	return 0;
}
