/* A process's stdio as containerd describes it: fifo paths, file:// paths or
 * a binary:// log driver, or a pty. The process gets pipes (or the pty
 * slave); the shim relays them, so it can drain the output before it reports
 * the exit and so a reader coming and going never blocks the process. */
#ifndef HUSK_SHIM_IO_H
#define HUSK_SHIM_IO_H

#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "husk/error.h"

struct proc_io;

struct io_cfg {
	const char *stdin_path, *stdout_path, *stderr_path; /* "" or NULL = none */
	bool terminal;
	const char *id, *ns; /* for a binary:// logger's environment */
};

/* Open the stdio. ready(arg, 0) is called once the process can be started
 * (at once, or when a binary:// logger said it is ready); ready(arg, -errno)
 * if the logger failed. Returns 0, or -errno with e filled (libhusk's
 * convention). A relative file:// or binary:// path is refused (-EINVAL). */
int proc_io_open(uv_loop_t *loop, const struct io_cfg *c, void (*ready)(void *arg, int r), void *arg,
		 struct proc_io **out, struct husk_error *e);
/* The fds the process gets as 0, 1, 2 (-1: /dev/null), and for a terminal
 * the socket its pty master comes back on (-1 otherwise). */
void proc_io_child_fds(const struct proc_io *io, int fds[3], int *console);
/* The process has been spawned: drop our copies of its ends. */
void proc_io_spawned(struct proc_io *io);
/* Terminal: take the pty master from the console socket and relay it. */
int proc_io_take_console(struct proc_io *io, struct husk_error *e);
int proc_io_resize(struct proc_io *io, unsigned width, unsigned height);
/* CloseIO: what stdin already holds still goes in, then the process sees EOF. */
void proc_io_close_stdin(struct proc_io *io);
/* Call done(arg) once stdout and stderr reached EOF, or after timeout_ms. */
void proc_io_drain(struct proc_io *io, unsigned timeout_ms, void (*done)(void *arg), void *arg);
/* pid of a binary:// logger (0 if none), so the reaper knows it */
pid_t proc_io_logger(const struct proc_io *io);
unsigned long long proc_io_out_bytes(const struct proc_io *io);
void proc_io_free(struct proc_io *io);

#endif
