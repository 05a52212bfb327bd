/* husk: an OCI runtime with runc's command line. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
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
	 cmd_create, true, false},
	{"start", "<container-id>", "start the process of a created container", NULL, cmd_start, false, false},
	{"state", "<container-id>", "print the state of a container as JSON", NULL, cmd_state, false, false},
	{"kill", "[--all] <container-id> [signal]", "send a signal (default SIGTERM) to the container",
	 "  -a, --all               signal every process in the container's cgroup\n", cmd_kill, false, false},
	{"delete", "[-f] <container-id>", "delete a container and everything it holds",
	 "  -f, --force             kill a running container first\n", cmd_delete, false, false},
	{"run", "[options] <container-id>", "create and start a container, wait for it to exit",
	 "  (the options of create, and)\n"
	 "  -d, --detach            do not wait for the container\n"
	 "      --keep              do not delete the container after it exits\n",
	 cmd_run, true, false},
	{"exec", "[options] <container-id> <command> [args...]", "run a new process in a running container",
	 "  -p, --process FILE      process.json (a runtime-spec process) instead of a command\n"
	 "  -t, --tty               give the process a pty (relayed here unless --console-socket)\n"
	 "  -d, --detach            do not wait for the process\n"
	 "  -e, --env KEY=VALUE     set an environment variable (repeatable)\n"
	 "      --cwd DIR           working directory in the container\n"
	 "  -u, --user UID[:GID]    run as this user\n"
	 "  -g, --additional-gids G1,G2  supplementary groups\n"
	 "  -c, --cap CAP           add a capability (repeatable)\n"
	 "      --no-new-privs      set no_new_privs\n"
	 "      --apparmor PROFILE, --process-label LABEL\n"
	 "      --console-socket P  unix socket that receives the pty master\n"
	 "      --pid-file FILE     write the process's pid to FILE\n"
	 "      --preserve-fds N    pass N fds after stdio (3..N+2) to the process\n"
	 "      --cgroup [CTRL[,CTRL]:]PATH  join this sub-cgroup of the container's\n"
	 "      --ignore-paused     exec in a paused container (the process runs on resume)\n",
	 cmd_exec, true, true},
	{"list", "[options]", "list the containers under --root",
	 "  -f, --format table|json output format (default table)\n"
	 "  -q, --quiet             print the ids only\n",
	 cmd_list, false, false},
	{"spec", "[options]", "write a default config.json",
	 "  -b, --bundle DIR        where to write it (default: current directory)\n"
	 "      --seccomp-default   add husk's default seccomp profile (an allow list)\n", cmd_spec, false, false},
	{"features", "", "print the features this runtime supports as JSON", NULL, cmd_features, false, false},
	{"pause", "<container-id>", "freeze every process of the container", NULL, cmd_pause, false, false},
	{"resume", "<container-id>", "thaw a paused container", NULL, cmd_resume, false, false},
	{"update", "[options] <container-id>", "change the container's resource limits live",
	 "  -r, --resources FILE     LinuxResources JSON (\"-\" for stdin), instead of the flags\n"
	 "      --memory BYTES       memory limit (k, m, g suffixes; -1 = none)\n"
	 "      --memory-reservation BYTES, --memory-swap BYTES (memory+swap; -1 = unlimited)\n"
	 "      --cpu-share N, --cpu-quota US, --cpu-period US, --cpu-burst US\n"
	 "      --cpu-rt-period US, --cpu-rt-runtime US, --cpuset-cpus LIST, --cpuset-mems LIST\n"
	 "      --blkio-weight N     10..1000\n"
	 "      --pids-limit N       maximum number of processes (-1 = none)\n",
	 cmd_update, false, false},
	{"ps", "[--format table|json] <container-id> [ps options]", "list the container's processes",
	 "  -f, --format table|json  table: the host's ps (default -ef) filtered; json: the pids\n", cmd_ps, false, false},
	{"events", "[--stats] [--interval D] <container-id>", "resource statistics and OOM events as JSON",
	 "      --stats              print one stats event and exit\n"
	 "      --interval D         time between stats events (default 5s)\n",
	 cmd_events, false, false},
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
		   "  --help, --version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
}

int cli_fail(const char *verb, const struct husk_error *err)
{
	fprintf(stderr, "husk: %s: %s\n", verb, err->msg);
	if (!husk_log_to_stderr())
		husk_log(HUSK_LOG_ERROR, "%s: %s", verb, err->msg);
	return 1;
}

int cli_usage(const char *verb, const char *fmt, ...)
{
	const struct verb *v = find_verb(verb);
	va_list ap;

	fprintf(stderr, "husk: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: husk %s %s\n", verb, v ? v->args : "");
	return 1;
}

bool cli_help_requested(const char *verb, int argc, char **argv)
{
	const struct verb *v = find_verb(verb);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--") || (v->takes_command && argv[i][0] != '-'))
			break;
		if (!strcmp(argv[i], "--version")) {
			printf("husk version %s\nspec: %s\n", HUSK_VERSION, HUSK_OCI_VERSION);
			return true;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: husk %s %s\n\n%s\n", verb, v->args, v->summary);
			if (v->options)
				printf("\noptions:\n%s", v->options);
			return true;
		}
	}
	return false;
}

int cli_parse_int(const char *verb, const char *opt, const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < 0 || v > 1 << 20)
		return cli_usage(verb, "%s: \"%s\" is not a valid number", opt, s);
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option global_opts[] = {
		{"root", required_argument, NULL, 'r'},	  {"log", required_argument, NULL, 'l'},
		{"log-format", required_argument, NULL, 'f'}, {"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},	  {"version", no_argument, NULL, 'v'},
		{"systemd-cgroup", no_argument, NULL, 's'}, {"rootless", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct global g = {.root = HUSK_DEFAULT_ROOT};
	struct husk_error err = {0};
	char **all_args = argv;
	const struct verb *v;
	int c, r;

	/* stop at the verb: its flags are its own */
	while ((c = getopt_long(argc, argv, "+h", global_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'l':
			g.log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "husk: --log-format must be text or json, got \"%s\"\n", optarg);
				return 1;
			}
			g.log_json = !strcmp(optarg, "json");
			break;
		case 'd':
			g.debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("husk version %s\nspec: %s\n", HUSK_VERSION, HUSK_OCI_VERSION);
			return 0;
		case 's':
			g.systemd_cgroup = true;
			break;
		case 'R':
			if (strcmp(optarg, "false") && strcmp(optarg, "auto")) {
				fprintf(stderr, "husk: --rootless=%s: rootless mode is not supported\n", optarg);
				return 1;
			}
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	v = find_verb(argv[optind]);
	if (!v) {
		fprintf(stderr, "husk: unknown command \"%s\" (see husk --help)\n", argv[optind]);
		return 1;
	}
	/* before anything is opened: the fresh image starts clean */
	if (v->sealed && husk_exec_sealed(all_args, &err) < 0)
		return cli_fail(v->name, &err);
	r = husk_log_open(g.log, g.log_json, g.debug);
	if (r < 0) {
		fprintf(stderr, "husk: --log %s: %s\n", g.log, strerror(-r));
		return 1;
	}
	argc -= optind;
	argv += optind;
	if (cli_help_requested(v->name, argc, argv))
		return 0;
	optind = 0; /* reset getopt for the verb (0 also re-reads GNU extensions) */
	r = v->run(&g, argc, argv);
	husk_log_close();
	return r;
}
