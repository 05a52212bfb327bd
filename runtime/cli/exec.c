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
	const char **env, **caps;
	bool detach;
};

static int parse(int argc, char **argv, struct exec_cli *x)
{
	static const struct option opts[] = {
		{"console-socket", required_argument, NULL, 'S'}, {"cwd", required_argument, NULL, 'C'},
		{"env", required_argument, NULL, 'e'},		  {"tty", no_argument, NULL, 't'},
		{"user", required_argument, NULL, 'u'},		  {"additional-gids", required_argument, NULL, 'g'},
		{"process", required_argument, NULL, 'p'},	  {"detach", no_argument, NULL, 'd'},
		{"pid-file", required_argument, NULL, 'P'},	  {"process-label", required_argument, NULL, 'L'},
		{"apparmor", required_argument, NULL, 'A'},	  {"no-new-privs", no_argument, NULL, 'N'},
		{"cap", required_argument, NULL, 'c'},		  {"preserve-fds", required_argument, NULL, 'F'},
		{"cgroup", required_argument, NULL, 'G'},	  {"ignore-paused", no_argument, NULL, 'I'},
		{NULL, 0, NULL, 0},
	};
	struct husk_exec_flags *f = &x->flags;
	int c;

	x->env = calloc((size_t)argc + 1, sizeof(char *));
	x->caps = calloc((size_t)argc + 1, sizeof(char *));
	if (!x->env || !x->caps)
		return cli_usage("exec", "out of memory"), -1;
	while ((c = getopt_long(argc, argv, "+e:tu:g:p:dc:", opts, NULL)) != -1) {
		switch (c) {
		case 'S': x->opts.console_socket = optarg; break;
		case 'C': f->cwd = optarg; break;
		case 'e': x->env[f->n_env++] = optarg; break;
		case 't': f->tty = true; break;
		case 'u': f->user = optarg; break;
		case 'g': f->additional_gids = optarg; break;
		case 'p': x->process_file = optarg; break;
		case 'd': x->detach = true; break;
		case 'P': x->opts.pid_file = optarg; break;
		case 'L': f->process_label = optarg; break;
		case 'A': f->apparmor = optarg; break;
		case 'N': f->no_new_privs = true; break;
		case 'c': x->caps[f->n_caps++] = optarg; break;
		case 'F':
			if (cli_parse_int("exec", "--preserve-fds", optarg, &x->opts.preserve_fds))
				return -1;
			break;
		case 'G': x->opts.cgroup = optarg; break;
		case 'I': x->opts.ignore_paused = true; break;
		default: return cli_usage("exec", "unknown option"), -1;
		}
	}
	if (optind >= argc)
		return cli_usage("exec", "a container id is required"), -1;
	x->opts.id = argv[optind++];
	f->args = argv + optind;
	f->n_args = (size_t)(argc - optind);
	f->env = x->env;
	f->caps = x->caps;
	if (x->process_file && f->n_args)
		return cli_usage("exec", "give either -p process.json or a command, not both"), -1;
	if (!x->process_file && !f->n_args)
		return cli_usage("exec", "a command to run is required (or -p process.json)"), -1;
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
	struct husk_error err = {0};
	int sv[2] = {-1, -1}, master = -1, status = 1;
	char *proc = NULL;
	sigset_t old;
	pid_t pid;

	if (parse(argc, argv, &x) < 0)
		goto out;
	x.opts.root = g->root;
	proc = process_json(g, &x, &err);
	if (!proc) {
		status = cli_fail("exec", &err);
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
	if (husk_exec(&x.opts, &pid, &err) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		status = cli_fail("exec", &err);
		goto out;
	}
	if (sv[1] >= 0) {
		close(sv[1]);
		sv[1] = -1;
		master = fg_console_master("exec", sv[0]);
		sv[0] = -1;
		if (master < 0) { /* nobody could talk to it: it goes */
			kill(pid, SIGKILL);
			fg_wait("exec", pid, -1, &old);
			goto out;
		}
	}
	if (x.detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		status = 0;
		goto out;
	}
	status = fg_wait("exec", pid, master, &old);
out:
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	if (master >= 0)
		close(master);
	free(proc);
	free(x.env);
	free(x.caps);
	return status;
}
