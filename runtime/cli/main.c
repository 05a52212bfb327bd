/* husk: an OCI runtime with runc's command line. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "husk/log.h"

static const struct verb verbs[] = {
	{"create", "[options] <container-id>", "create a container (its process waits for start)",
	 "  -b, --bundle DIR        bundle directory (default: current directory)\n"
	 "      --console-socket P  unix socket that receives the pty master\n"
	 "      --pid-file FILE     write the init's pid to FILE\n"
	 "      --no-pivot          use MS_MOVE + chroot instead of pivot_root\n"
	 "      --no-new-keyring    keep the caller's session keyring\n"
	 "      --preserve-fds N    pass N fds after stdio (3..N+2) to the process\n",
	 cmd_create, true},
	{"start", "<container-id>", "start the process of a created container", NULL, cmd_start, false},
	{"state", "<container-id>", "print the state of a container as JSON", NULL, cmd_state, false},
	{"kill", "[--all] <container-id> [signal]", "send a signal (default SIGTERM) to the container",
	 "  -a, --all               signal every process in the container's cgroup\n", cmd_kill, false},
	{"delete", "[-f] <container-id>", "delete a container and everything it holds",
	 "  -f, --force             kill a running container first\n", cmd_delete, false},
	{"run", "[options] <container-id>", "create and start a container, wait for it to exit",
	 "  (the options of create, and)\n"
	 "  -d, --detach            do not wait for the container\n"
	 "      --keep              do not delete the container after it exits\n",
	 cmd_run, true},
	{"exec", "[options] <container-id> <command> [args...]", "run a new process in a running container",
	 "  -p, --process FILE      process.json (a runtime-spec process) instead of a command\n"
	 "  -t, --tty               give the process a pty (relayed here unless --console-socket)\n"
	 "  -d, --detach            do not wait for the process\n"
	 "  -e, --env KEY=VALUE     set an environment variable (repeatable)\n"
	 "      --cwd DIR           working directory in the container\n"
	 "  -u, --user UID[:GID]    run as this user\n"
	 "  -g, --additional-gids GID  a supplementary group (repeatable)\n"
	 "  -c, --cap CAP           add a capability (repeatable)\n"
	 "      --no-new-privs      set no_new_privs\n"
	 "      --apparmor PROFILE, --process-label LABEL\n"
	 "      --console-socket P  unix socket that receives the pty master\n"
	 "      --pid-file FILE     write the process's pid to FILE\n"
	 "      --preserve-fds N    pass N fds after stdio (3..N+2) to the process\n"
	 "      --cgroup [CTRL[,CTRL]:]PATH  join this sub-cgroup of the container's (repeatable)\n"
	 "      --ignore-paused     exec in a paused container (the process runs on resume)\n",
	 cmd_exec, true},
	{"list", "[options]", "list the containers under --root",
	 "  -f, --format table|json output format (default table)\n"
	 "  -q, --quiet             print the ids only\n",
	 cmd_list, false},
	{"spec", "[options]", "write a default config.json",
	 "  -b, --bundle DIR        where to write it (default: current directory)\n"
	 "      --seccomp-default   add husk's default seccomp profile (an allow list)\n", cmd_spec, false},
	{"features", "", "print the features this runtime supports as JSON", NULL, cmd_features, false},
	{"pause", "<container-id>", "freeze every process of the container", NULL, cmd_pause, false},
	{"resume", "<container-id>", "thaw a paused container", NULL, cmd_resume, false},
	{"update", "[options] <container-id>", "change the container's resource limits live",
	 "  -r, --resources FILE     LinuxResources JSON (\"-\" for stdin), instead of the flags\n"
	 "      --memory BYTES       memory limit (k, m, g suffixes; -1 = none)\n"
	 "      --memory-reservation BYTES, --memory-swap BYTES (memory+swap; -1 = unlimited)\n"
	 "      --cpu-share N, --cpu-quota US, --cpu-period US, --cpu-burst US\n"
	 "      --cpu-rt-period US, --cpu-rt-runtime US, --cpuset-cpus LIST, --cpuset-mems LIST\n"
	 "      --blkio-weight N     10..1000\n"
	 "      --pids-limit N       maximum number of processes (-1 = none)\n",
	 cmd_update, false},
	{"ps", "[--format table|json] <container-id> [ps options]", "list the container's processes",
	 "  -f, --format table|json  table: the host's ps (default -ef) filtered; json: the pids\n", cmd_ps, false},
	{"events", "[--stats] [--interval D] <container-id>", "resource statistics and OOM events as JSON",
	 "      --stats              print one stats event and exit\n"
	 "      --interval D         time between stats events (default 5s)\n",
	 cmd_events, false},
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: husk [global options] <command> [arguments]\n\n"
		   "husk is an OCI container runtime with runc's command line.\n\n"
		   "global options:\n"
		   "  --root DIR            state directory (default " HUSK_DEFAULT_ROOT ")\n"
		   "  --log FILE            write log messages to FILE\n"
		   "  --log-format text|json  log format (json lines as runc writes them)\n"
		   "  --debug               log debug messages\n"
		   "  --systemd-cgroup      the container's cgroup is a transient systemd scope\n"
		   "                        (cgroupsPath \"slice:prefix:name\")\n"
		   "  --help, -h, --version, -v\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "  %-10s %s\n", "help, h", "show the commands or one command's help");
}

static void version(void)
{
	/* runc's first lines: "runc version V", "spec: V" */
	printf("husk version %s\nspec: %s\n", HUSK_VERSION, HUSK_OCI_VERSION);
}

void cli_print_help(const char *verb)
{
	const struct verb *v = verb ? find_verb(verb) : NULL;

	if (!v) {
		usage(stdout);
		return;
	}
	printf("usage: husk %s %s\n\n%s\n", verb, v->args, v->summary);
	if (v->options)
		printf("\noptions:\n%s", v->options);
}

int cli_fail_status(const char *verb, const struct husk_error *err, int status)
{
	fprintf(stderr, "husk: %s: %s\n", verb, err->msg);
	if (!husk_log_to_stderr())
		husk_log(HUSK_LOG_ERROR, "%s: %s", verb, err->msg);
	return status;
}

int cli_fail(const char *verb, const struct husk_error *err)
{
	return cli_fail_status(verb, err, 1);
}

int cli_usage(const char *verb, const char *fmt, ...)
{
	const struct verb *v = verb ? find_verb(verb) : NULL;
	va_list ap;

	fprintf(stderr, "husk: %s%s", verb ? verb : "", verb ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (v)
		fprintf(stderr, "\nusage: husk %s %s\n", verb, v->args);
	else
		fprintf(stderr, "\nusage: husk [global options] <command> [arguments]\n");
	return 1;
}

/* runc's "help" command: husk's help, or a verb's; exit 3 for an unknown one. */
static int help_command(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (!find_verb(argv[1])) {
		fprintf(stderr, "husk: help: unknown command \"%s\"\n", argv[1]);
		return 3;
	}
	cli_print_help(argv[1]);
	return 0;
}

int main(int argc, char **argv)
{
	enum { G_DEBUG, G_LOG, G_LOG_FORMAT, G_ROOT, G_CRIU, G_SYSTEMD, G_ROOTLESS, G_VERSION };
	static const struct cli_flag global_flags[] = {
		[G_DEBUG] = {"debug", CLI_BOOL},	  [G_LOG] = {"log", CLI_STRING},
		[G_LOG_FORMAT] = {"log-format", CLI_STRING}, [G_ROOT] = {"root", CLI_STRING},
		[G_CRIU] = {"criu", CLI_STRING},	  [G_SYSTEMD] = {"systemd-cgroup", CLI_BOOL},
		[G_ROOTLESS] = {"rootless", CLI_STRING}, [G_VERSION] = {"version, v", CLI_BOOL},
	};
	struct cli_value gv[sizeof(global_flags) / sizeof(global_flags[0])];
	struct global g = {.root = HUSK_DEFAULT_ROOT};
	struct husk_error err = {0};
	struct cli_args rest;
	char **all_args = argv;
	const struct verb *v;
	int r;

	/* runc's app flags: Go's flag grammar, stopping at the command */
	r = cli_parse(NULL, global_flags, sizeof(gv) / sizeof(gv[0]), gv, false, argc - 1, argv + 1, &rest);
	if (r) { /* help printed (0) or a usage error (1) */
		r = r < 0;
		goto out;
	}
	if (gv[G_VERSION].b) {
		version();
		goto out;
	}
	if (gv[G_ROOT].set)
		g.root = gv[G_ROOT].s;
	g.log = gv[G_LOG].s;
	g.debug = gv[G_DEBUG].b;
	if (gv[G_LOG_FORMAT].set) {
		if (strcmp(gv[G_LOG_FORMAT].s, "text") && strcmp(gv[G_LOG_FORMAT].s, "json")) {
			fprintf(stderr, "husk: invalid log-format \"%s\": must be text or json\n", gv[G_LOG_FORMAT].s);
			r = 1;
			goto out;
		}
		g.log_json = !strcmp(gv[G_LOG_FORMAT].s, "json");
	}
	g.systemd_cgroup = gv[G_SYSTEMD].b;
	if (gv[G_ROOTLESS].set && strcmp(gv[G_ROOTLESS].s, "false") && strcmp(gv[G_ROOTLESS].s, "auto")) {
		fprintf(stderr, "husk: --rootless=%s: rootless mode is not supported\n", gv[G_ROOTLESS].s);
		r = 1;
		goto out;
	}
	if (rest.argc < 1) { /* runc shows its help */
		usage(stdout);
		goto out;
	}
	if (!strcmp(rest.argv[0], "help") || !strcmp(rest.argv[0], "h")) {
		r = help_command(rest.argc, rest.argv);
		goto out;
	}
	v = find_verb(rest.argv[0]);
	if (!v) {
		/* runc (urfave/cli) answers an unknown command with status 3 */
		fprintf(stderr, "husk: unknown command \"%s\" (see husk --help)\n", rest.argv[0]);
		r = 3;
		goto out;
	}
	/* before anything is opened: the fresh image starts clean */
	if (v->sealed && husk_exec_sealed(all_args, &err) < 0) {
		r = cli_fail(v->name, &err);
		goto out;
	}
	r = husk_log_open(g.log, g.log_json, g.debug);
	if (r < 0) {
		fprintf(stderr, "husk: --log %s: %s\n", g.log, strerror(-r));
		r = 1;
		goto out;
	}
	r = v->run(&g, rest.argc, rest.argv);
	husk_log_close();
out:
	cli_free_all();
	return r < 0 ? 1 : r;
}
