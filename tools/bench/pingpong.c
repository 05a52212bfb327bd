/* pingpong [N]: the floor of any request/response over a unix socket on this
 * machine: two processes bounce 40 bytes N times; prints µs per round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	struct timespec a, b;
	char buf[64] = {0};
	int sv[2];
	pid_t pid;

	if (n <= 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(sv[0]);
		while (read(sv[1], buf, sizeof(buf)) > 0)
			if (write(sv[1], buf, 10) != 10)
				_exit(1);
		_exit(0);
	}
	close(sv[1]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (write(sv[0], buf, 40) != 40 || read(sv[0], buf, sizeof(buf)) <= 0)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1e3);
	return 0;
}
