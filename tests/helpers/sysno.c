/* sysno NR [NR...]: make raw syscall NR (no arguments) and print its result,
 * -errno on failure, one line each. Static, so it runs in a busybox rootfs;
 * raw, so libc cannot hide an ENOSYS (runc's seccomp_syscall_test1.c does the
 * same for syscall(1000)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long r = syscall(strtol(argv[i], NULL, 0), 0xDEADBEEF, 0xCAFEFEED, 0x1337);
		printf("%ld\n", r < 0 ? -(long)errno : r);
	}
	return 0;
}
