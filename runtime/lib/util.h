/* Small helpers shared inside libhusk: cleanup attributes, EINTR-safe I/O,
 * files and directories. Not part of the public API. */
#ifndef HUSK_UTIL_H
#define HUSK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "husk/error.h"

static inline void husk_freep(void *p) { free(*(void **)p); }
static inline void husk_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(husk_freep)))
#define _cleanup_close_ __attribute__((cleanup(husk_closep)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Take ownership out of a cleanup variable. */
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

ssize_t read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);

/* Read a whole file into a NUL-terminated heap buffer (caller frees). */
int read_file(const char *path, char **out, size_t *len);
int read_file_at(int dirfd, const char *path, char **out, size_t *len);
/* Write data to path (O_TRUNC); for pseudo files such as /proc and cgroupfs. */
int write_file(const char *path, const char *data, size_t len);
/* Write via a temporary file and rename, so readers never see half a file. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

int mkdir_p(const char *path, mode_t mode);
/* Make a new 0700 directory PREFIX.<random hex> and put its path in out: mkdir
 * fails on any name already taken (a symlink included), so the directory found
 * there is ours. */
int make_private_dir(const char *prefix, char *out, size_t size);

/* Heap formatting; aborts on out-of-memory (there is no sane recovery). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);

/* Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat),
 * and its state letter; -ESRCH when it is gone. */
int proc_stat(pid_t pid, uint64_t *start_time, char *state);

/* One message carrying one fd (SCM_RIGHTS). */
int send_with_fd(int sock, const void *buf, size_t len, int fd);
/* Receive one message; *fd is the passed fd (close-on-exec) or -1. */
ssize_t recv_with_fd(int sock, void *buf, size_t len, int *fd);

/* Mark every fd >= from close-on-exec. */
int cloexec_from(int from);

/* The name of uid in /etc/passwd (heap), or "#UID" when it has none. Read from
 * the file, not through NSS: the binaries are static, as runc's are. */
char *user_name_of(uid_t uid);

int parse_int(const char *s, long long min, long long max, long long *out);

#endif
