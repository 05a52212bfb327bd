#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include "cli.h"

int cmd_delete(const struct global *g, int argc, char **argv)
{
	static const struct cli_flag flags[] = {{"force, f", CLI_BOOL}};
	struct cli_value v[1];
	struct husk_error err = {0};
	struct cli_args a;
	int r;

	r = CLI_PARSE("delete", flags, v, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("delete", &a, 1, 1))
		return 1;
	if (husk_delete(g->root, a.argv[0], v[0].b, &err) < 0)
		return cli_fail("delete", &err);
	return 0;
}
