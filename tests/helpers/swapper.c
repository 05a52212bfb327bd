/* swapper A B: exchange the names A and B (renameat2 RENAME_EXCHANGE, so
 * neither ever goes missing) as fast as possible until killed. The symlink-
 * swap attacker of the CVE-2021-30465 test. Test helper only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: swapper A B\n");
		return 2;
	}
	for (;;)
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			fprintf(stderr, "swapper: %s\n", strerror(errno));
			return 1;
		}
}
