/* The verbs that take just a container id: start, state, pause, resume. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* The one argument of a verb without flags; NULL after help (*rc 0) or an
 * error (*rc 1). */
static const char *one_id(const char *verb, int argc, char **argv, int *rc)
{
	struct cli_args a;
	int r = cli_parse(verb, NULL, 0, NULL, true, argc - 1, argv + 1, &a);

	*rc = r < 0;
	if (r)
		return NULL;
	if (cli_nargs(verb, &a, 1, 1)) {
		*rc = 1;
		return NULL;
	}
	return a.argv[0];
}

/* A verb that is one library call on a container id. */
static int id_verb(const char *verb, int (*fn)(const char *, const char *, struct husk_error *),
		   const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	int rc;
	const char *id = one_id(verb, argc, argv, &rc);

	if (!id)
		return rc;
	if (fn(g->root, id, &err) < 0)
		return cli_fail(verb, &err);
	return 0;
}

int cmd_start(const struct global *g, int argc, char **argv)
{
	return id_verb("start", husk_start, g, argc, argv);
}

int cmd_state(const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	int rc;
	const char *id = one_id("state", argc, argv, &rc);
	struct husk_state *st;
	char *json;

	if (!id)
		return rc;
	if (husk_state_load(g->root, id, &st, &err) < 0)
		return cli_fail("state", &err);
	json = husk_state_json(st, true);
	fputs(json, stdout); /* runc writes no newline after it */
	free(json);
	husk_state_free(st);
	return 0;
}

int cmd_pause(const struct global *g, int argc, char **argv)
{
	return id_verb("pause", husk_pause, g, argc, argv);
}

int cmd_resume(const struct global *g, int argc, char **argv)
{
	return id_verb("resume", husk_resume, g, argc, argv);
}
