#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include "cli.h"

int cmd_delete(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct husk_error err = {0};
	bool force = false;
	int c;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage("delete", "unknown option");
		force = true;
	}
	if (argc - optind != 1)
		return cli_usage("delete", optind >= argc ? "a container id is required" : "too many arguments");
	if (husk_delete(g->root, argv[optind], force, &err) < 0)
		return cli_fail("delete", &err);
	return 0;
}
