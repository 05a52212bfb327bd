/* seccomp-agent SOCKET STATE-OUT ERRNO: a minimal seccomp notify agent for the
 * tests. Accepts one connection on SOCKET, writes the container process state
 * that came with the fd to STATE-OUT, then answers every notification with
 * -ERRNO (so a test can tell the agent answered, not the kernel or the filter)
 * until the container's filter goes away. Test helper only. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
	return 1;
}

static int recv_state(int c, char *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	static char state[65536];
	int l, c, nfd, answer;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE-OUT ERRNO\n");
		return 2;
	}
	answer = atoi(argv[3]);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
		return die("listen");
	c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return die("accept");
	if (recv_state(c, state, sizeof(state), &nfd) < 0)
		return die("receive the state and fd");
	out = fopen(argv[2], "w");
	if (!out)
		return die("open state output");
	fprintf(out, "%s\n", state);
	fclose(out);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return die("alloc");
	for (;;) {
		memset(req, 0, sizeof(*req));
		/* fails once every process under the filter is gone */
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
