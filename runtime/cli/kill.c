#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_kill(const struct global *g, int argc, char **argv)
{
	static const struct cli_flag flags[] = {{"all, a", CLI_BOOL}};
	struct cli_value v[1];
	struct husk_error err = {0};
	struct cli_args a;
	long long n;
	int r, sig = SIGTERM;

	r = CLI_PARSE("kill", flags, v, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("kill", &a, 1, 2))
		return 1;
	if (a.argc == 2) {
		/* as runc: any number goes to kill(2) (0 probes, a bad one is EINVAL
		 * there), anything else is a signal name */
		char *end;
		errno = 0;
		n = strtoll(a.argv[1], &end, 10);
		if (!errno && *a.argv[1] && !*end && !isspace((unsigned char)*a.argv[1]))
			sig = n < -1000 || n > 1000 ? -1 : (int)n;
		else if ((sig = husk_parse_signal(a.argv[1])) < 0) {
			husk_error_set(&err, -EINVAL, "unknown signal \"%s\"", a.argv[1]);
			return cli_fail("kill", &err);
		}
	}
	if (husk_kill(g->root, a.argv[0], sig, v[0].b, &err) < 0)
		return cli_fail("kill", &err);
	return 0;
}
