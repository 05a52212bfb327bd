/* husk run: create + start, then wait in the foreground, relaying signals to
 * the container and exiting with its status (128+N for a signal). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "foreground.h"

static bool bundle_wants_terminal(const char *bundle)
{
	char *path = NULL;
	json_t *j;
	bool t;

	if (asprintf(&path, "%s/config.json", bundle && *bundle ? bundle : ".") < 0)
		return false;
	j = json_load_file(path, 0, NULL);
	free(path);
	t = fg_wants_terminal(json_object_get(j, "process"));
	json_decref(j);
	return t;
}

int cmd_run(const struct global *g, int argc, char **argv)
{
	struct create_flags f = {0};
	struct fg_pipes pipes = {0};
	struct husk_error err = {0};
	int sv[2] = {-1, -1}, master = -1;
	sigset_t old;
	pid_t pid;
	int status, r;

	r = parse_create_flags("run", argc, argv, true, &f);
	if (r)
		return r < 0;
	f.opts.root = g->root;
	f.opts.systemd_cgroup = g->systemd_cgroup;
	/* a foreground terminal without --console-socket: we take the master */
	if (!f.detach && !f.opts.console_socket && bundle_wants_terminal(f.opts.bundle)) {
		if (fg_console_pair("run", sv) < 0)
			return 1;
		f.opts.console_fd = sv[1];
		f.opts.console_clear_onlcr = true; /* as runc's recvtty */
	}
	/* blocked before create, so no signal is lost; the init unblocks its own */
	fg_block(&old);
	if (!f.detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, "husk: run: set subreaper: %s\n", strerror(errno));
	/* runc: a foreground process without a terminal gets pipes its root owns */
	if (!f.detach && sv[1] < 0) {
		char *config = NULL;
		if (asprintf(&config, "%s/config.json", f.opts.bundle && *f.opts.bundle ? f.opts.bundle : ".") < 0 ||
		    fg_pipes_begin("run", config, &pipes) < 0) {
			free(config);
			sigprocmask(SIG_SETMASK, &old, NULL);
			return 1;
		}
		free(config);
	}
	r = husk_create(&f.opts, &pid, &err);
	fg_pipes_restore(&pipes);
	if (sv[1] >= 0)
		close(sv[1]);
	if (r < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		fg_pipes_close(&pipes);
		return cli_fail("run", &err);
	}
	/* without the pty master nobody could talk to the process: undo the run */
	if ((sv[0] >= 0 && (master = fg_console_master("run", sv[0])) < 0) ||
	    husk_start(g->root, f.opts.id, &err) < 0) {
		struct husk_error ignore = {0};
		if (err.msg[0])
			cli_fail("run", &err);
		husk_delete(g->root, f.opts.id, true, &ignore);
		fg_pipes_close(&pipes);
		return 1;
	}
	if (f.detach)
		return 0;
	/* runc's run lives in the bundle directory: its poststop hooks run there */
	if (f.opts.bundle && *f.opts.bundle && chdir(f.opts.bundle) < 0)
		fprintf(stderr, "husk: run: chdir %s: %s\n", f.opts.bundle, strerror(errno));
	status = fg_wait("run", pid, master, &pipes, &old);
	if (master >= 0)
		close(master);
	if (!f.keep && husk_delete(g->root, f.opts.id, true, &err) < 0)
		cli_fail("run", &err);
	return status;
}
