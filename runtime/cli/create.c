#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>

#include "cli.h"

int parse_create_flags(const char *verb, int argc, char **argv, bool is_run, struct create_flags *f)
{
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, 'b'},   {"pid-file", required_argument, NULL, 'p'},
		{"console-socket", required_argument, NULL, 'c'}, {"no-pivot", no_argument, NULL, 'P'},
		{"no-new-keyring", no_argument, NULL, 'K'}, {"preserve-fds", required_argument, NULL, 'F'},
		{"detach", no_argument, NULL, 'd'},	    {"keep", no_argument, NULL, 'k'},
		{"no-subreaper", no_argument, NULL, 'S'},   {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			f->opts.bundle = optarg;
			break;
		case 'p':
			f->opts.pid_file = optarg;
			break;
		case 'c':
			f->opts.console_socket = optarg;
			break;
		case 'P':
			f->opts.no_pivot = true;
			break;
		case 'K':
			f->opts.no_new_keyring = true;
			break;
		case 'F':
			if (cli_parse_int(verb, "--preserve-fds", optarg, &f->opts.preserve_fds))
				return -1;
			break;
		case 'd':
		case 'k':
		case 'S':
			if (!is_run)
				return cli_usage(verb, "unknown option"), -1;
			if (c == 'd')
				f->detach = true;
			if (c == 'k')
				f->keep = true;
			break;
		default:
			cli_usage(verb, "unknown option");
			return -1;
		}
	}
	if (optind != argc - 1) {
		cli_usage(verb, optind >= argc ? "a container id is required" : "too many arguments");
		return -1;
	}
	f->opts.id = argv[optind];
	return 0;
}

int cmd_create(const struct global *g, int argc, char **argv)
{
	struct create_flags f = {0};
	struct husk_error err = {0};
	pid_t pid;

	if (parse_create_flags("create", argc, argv, false, &f) < 0)
		return 1;
	f.opts.root = g->root;
	f.opts.systemd_cgroup = g->systemd_cgroup;
	if (husk_create(&f.opts, &pid, &err) < 0)
		return cli_fail("create", &err);
	return 0;
}
