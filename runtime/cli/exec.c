/* husk exec: runc's flags (or -p process.json) → a process object → husk_exec,
 * then in the foreground wait for it and exit with its status. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "foreground.h"

struct exec_cli {
	struct husk_exec_opts opts;
	struct husk_exec_flags flags;
	const char *process_file;
	char *gids; /* "1,2,3" */
	bool detach;
};

/* 0, 1 (help printed) or -1 (error printed, exit 1) */
static int parse(int argc, char **argv, struct exec_cli *x)
{
	enum { E_CONSOLE, E_CWD, E_ENV, E_TTY, E_USER, E_GIDS, E_PROCESS, E_DETACH, E_PIDFILE, E_LABEL,
	       E_APPARMOR, E_NNP, E_CAP, E_FDS, E_CGROUP, E_PAUSED, E_COUNT };
	static const struct cli_flag flags[] = {
		[E_CONSOLE] = {"console-socket", CLI_STRING}, [E_CWD] = {"cwd", CLI_STRING},
		[E_ENV] = {"env, e", CLI_STRINGS},	      [E_TTY] = {"tty, t", CLI_BOOL},
		[E_USER] = {"user, u", CLI_STRING},	      [E_GIDS] = {"additional-gids, g", CLI_INTS},
		[E_PROCESS] = {"process, p", CLI_STRING},     [E_DETACH] = {"detach, d", CLI_BOOL},
		[E_PIDFILE] = {"pid-file", CLI_STRING},	      [E_LABEL] = {"process-label", CLI_STRING},
		[E_APPARMOR] = {"apparmor", CLI_STRING},      [E_NNP] = {"no-new-privs", CLI_BOOL},
		[E_CAP] = {"cap, c", CLI_STRINGS},	      [E_FDS] = {"preserve-fds", CLI_INT},
		[E_CGROUP] = {"cgroup", CLI_STRINGS},	      [E_PAUSED] = {"ignore-paused", CLI_BOOL},
	};
	struct cli_value v[E_COUNT];
	struct husk_exec_flags *f = &x->flags;
	struct cli_args a;
	int r;

	/* as runc, not reordered: the words after the id are the command's */
	r = CLI_PARSE("exec", flags, v, false, argc, argv, &a);
	if (r)
		return r < 0 ? -1 : 1;
	if (cli_nargs("exec", &a, 1, -1))
		return -1;
	x->opts.id = a.argv[0];
	f->args = a.argv + 1;
	f->n_args = (size_t)(a.argc - 1);
	x->opts.console_socket = v[E_CONSOLE].s;
	f->cwd = v[E_CWD].set && *v[E_CWD].s ? v[E_CWD].s : NULL;
	f->env = v[E_ENV].strs;
	f->n_env = v[E_ENV].count;
	f->tty = v[E_TTY].b;
	f->user = v[E_USER].set && *v[E_USER].s ? v[E_USER].s : NULL;
	/* every -g adds one gid, as runc's Int64SliceFlag */
	for (size_t i = 0; i < v[E_GIDS].count; i++) {
		char *more = NULL;
		if (asprintf(&more, "%s%s%lld", x->gids ? x->gids : "", x->gids ? "," : "", v[E_GIDS].nums[i]) < 0)
			return cli_usage("exec", "out of memory"), -1;
		free(x->gids);
		x->gids = more;
	}
	f->additional_gids = x->gids;
	x->process_file = v[E_PROCESS].set && *v[E_PROCESS].s ? v[E_PROCESS].s : NULL;
	x->detach = v[E_DETACH].b;
	x->opts.pid_file = v[E_PIDFILE].set && *v[E_PIDFILE].s ? v[E_PIDFILE].s : NULL;
	f->process_label = v[E_LABEL].set && *v[E_LABEL].s ? v[E_LABEL].s : NULL;
	f->apparmor = v[E_APPARMOR].set && *v[E_APPARMOR].s ? v[E_APPARMOR].s : NULL;
	f->no_new_privs_set = v[E_NNP].set; /* runc's context.IsSet: =false overrides too */
	f->no_new_privs = v[E_NNP].b;
	f->caps = v[E_CAP].strs;
	f->n_caps = v[E_CAP].count;
	x->opts.preserve_fds = v[E_FDS].n < 0 ? 0 : v[E_FDS].n > 1 << 20 ? 1 << 20 : (int)v[E_FDS].n;
	x->opts.cgroups = v[E_CGROUP].strs;
	x->opts.n_cgroups = v[E_CGROUP].count;
	x->opts.ignore_paused = v[E_PAUSED].b;
	return 0;
}

/* The process object: process.json as given, or the container's with the flags. */
static char *process_json(const struct global *g, struct exec_cli *x, struct husk_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!x->process_file) {
		if (husk_exec_process_json(g->root, x->opts.id, &x->flags, &text, err) < 0)
			return NULL;
		return text;
	}
	f = strcmp(x->process_file, "-") ? fopen(x->process_file, "re") : stdin;
	if (!f) {
		husk_error_sys(err, -errno, "open %s", x->process_file);
		return NULL;
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		husk_error_set(err, -EINVAL, "read %s: empty", x->process_file);
		free(text);
		text = NULL;
	}
	if (f != stdin)
		fclose(f);
	return text;
}

static bool wants_terminal(const char *proc)
{
	json_t *j = json_loads(proc, 0, NULL);
	bool t = fg_wants_terminal(j);

	json_decref(j);
	return t;
}

int cmd_exec(const struct global *g, int argc, char **argv)
{
	struct exec_cli x = {0};
	struct fg_pipes pipes = {0};
	struct husk_error err = {0};
	int sv[2] = {-1, -1}, master = -1, status = 1, r;
	char *proc = NULL;
	sigset_t old;
	pid_t pid;

	/* runc: usage errors exit 1, every later failure of exec itself 255, so a
	 * caller can tell them from the process's own status */
	r = parse(argc, argv, &x);
	if (r) {
		status = r < 0;
		goto out;
	}
	x.opts.root = g->root;
	status = 255;
	proc = process_json(g, &x, &err);
	if (!proc) {
		status = cli_fail_status("exec", &err, 255);
		goto out;
	}
	x.opts.process_json = proc;
	/* a foreground terminal without --console-socket: we take the master */
	if (!x.detach && !x.opts.console_socket && wants_terminal(proc)) {
		if (fg_console_pair("exec", sv) < 0)
			goto out;
		x.opts.console_fd = sv[1];
		x.opts.console_clear_onlcr = true; /* as runc's recvtty */
	}
	fg_block(&old);
	/* runc: a foreground process without a terminal gets pipes its root owns */
	if (!x.detach && sv[1] < 0) {
		char *config = NULL;
		int e = asprintf(&config, "%s/%s/config.json", g->root && *g->root ? g->root : HUSK_DEFAULT_ROOT, x.opts.id);
		if (e < 0 || fg_pipes_begin("exec", config, &pipes) < 0) {
			free(config);
			sigprocmask(SIG_SETMASK, &old, NULL);
			goto out;
		}
		free(config);
	}
	r = husk_exec(&x.opts, &pid, &err);
	fg_pipes_restore(&pipes);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		fg_pipes_close(&pipes);
		status = cli_fail_status("exec", &err, 255);
		goto out;
	}
	if (sv[1] >= 0) {
		close(sv[1]);
		sv[1] = -1;
		master = fg_console_master("exec", sv[0]);
		sv[0] = -1;
		if (master < 0) { /* nobody could talk to it: it goes */
			kill(pid, SIGKILL);
			fg_wait("exec", pid, -1, NULL, &old);
			goto out;
		}
	}
	if (x.detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		status = 0;
		goto out;
	}
	status = fg_wait("exec", pid, master, &pipes, &old);
out:
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	if (master >= 0)
		close(master);
	free(proc);
	free(x.gids);
	return status;
}
