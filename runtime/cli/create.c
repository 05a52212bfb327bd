#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int parse_create_flags(const char *verb, int argc, char **argv, bool is_run, struct create_flags *f)
{
	enum { F_BUNDLE, F_CONSOLE, F_PIDFILE, F_NOPIVOT, F_KEYRING, F_FDS, F_DETACH, F_KEEP, F_SUBREAPER };
	/* runc's create flags; run adds the last three */
	static const struct cli_flag flags[] = {
		[F_BUNDLE] = {"bundle, b", CLI_STRING},	    [F_CONSOLE] = {"console-socket", CLI_STRING},
		[F_PIDFILE] = {"pid-file", CLI_STRING},	    [F_NOPIVOT] = {"no-pivot", CLI_BOOL},
		[F_KEYRING] = {"no-new-keyring", CLI_BOOL}, [F_FDS] = {"preserve-fds", CLI_INT},
		[F_DETACH] = {"detach, d", CLI_BOOL},	    [F_KEEP] = {"keep", CLI_BOOL},
		[F_SUBREAPER] = {"no-subreaper", CLI_BOOL},
	};
	struct cli_value v[sizeof(flags) / sizeof(flags[0])];
	struct cli_args a;
	int r;

	r = cli_parse(verb, flags, is_run ? F_SUBREAPER + 1 : F_FDS + 1, v, true, argc - 1, argv + 1, &a);
	if (r)
		return r < 0 ? -1 : 1;
	if (cli_nargs(verb, &a, 1, 1))
		return -1;
	f->opts.id = a.argv[0];
	f->opts.bundle = v[F_BUNDLE].s;
	f->opts.console_socket = v[F_CONSOLE].s;
	f->opts.pid_file = v[F_PIDFILE].s;
	f->opts.no_pivot = v[F_NOPIVOT].b;
	f->opts.no_new_keyring = v[F_KEYRING].b;
	/* runc passes none for a count below 1 */
	f->opts.preserve_fds = v[F_FDS].n < 0 ? 0 : v[F_FDS].n > 1 << 20 ? 1 << 20 : (int)v[F_FDS].n;
	/* runc: socket activation fds (LISTEN_PID is ours: the re-exec keeps the pid) */
	{
		const char *fds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
		long n = fds ? strtol(fds, NULL, 10) : 0;
		if (lpid && strtol(lpid, NULL, 10) == (long)getpid() && n > 0 && n < 1 << 20)
			f->opts.listen_fds = (int)n;
	}
	if (is_run) {
		f->detach = v[F_DETACH].b;
		f->keep = v[F_KEEP].b;
	}
	return 0;
}

int cmd_create(const struct global *g, int argc, char **argv)
{
	struct create_flags f = {0};
	struct husk_error err = {0};
	pid_t pid;
	int r;

	r = parse_create_flags("create", argc, argv, false, &f);
	if (r)
		return r < 0;
	f.opts.root = g->root;
	f.opts.systemd_cgroup = g->systemd_cgroup;
	if (husk_create(&f.opts, &pid, &err) < 0)
		return cli_fail("create", &err);
	return 0;
}
