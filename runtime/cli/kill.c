#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <string.h>

#include "cli.h"

int cmd_kill(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	struct husk_error err = {0};
	bool all = false;
	int c, sig = SIGTERM;

	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return cli_usage("kill", "unknown option");
		all = true;
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage("kill", optind >= argc ? "a container id is required" : "too many arguments");
	if (argc - optind == 2) {
		sig = husk_parse_signal(argv[optind + 1]);
		if (sig < 0)
			return cli_usage("kill", "unknown signal \"%s\"", argv[optind + 1]);
	}
	if (husk_kill(g->root, argv[optind], sig, all, &err) < 0)
		return cli_fail("kill", &err);
	return 0;
}
