/* The verbs that take just a container id: start, state, pause, resume. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char *one_id(const char *verb, int argc, char **argv)
{
	if (argc != 2) {
		cli_usage(verb, argc < 2 ? "a container id is required" : "too many arguments");
		return NULL;
	}
	return argv[1];
}

int cmd_start(const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	const char *id = one_id("start", argc, argv);

	if (!id)
		return 1;
	if (husk_start(g->root, id, &err) < 0)
		return cli_fail("start", &err);
	return 0;
}

int cmd_state(const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	const char *id = one_id("state", argc, argv);
	struct husk_state *st;
	char *json;

	if (!id)
		return 1;
	if (husk_state_load(g->root, id, &st, &err) < 0)
		return cli_fail("state", &err);
	json = husk_state_json(st, true);
	printf("%s\n", json);
	free(json);
	husk_state_free(st);
	return 0;
}

int cmd_pause(const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	const char *id = one_id("pause", argc, argv);

	if (!id)
		return 1;
	if (husk_pause(g->root, id, &err) < 0)
		return cli_fail("pause", &err);
	return 0;
}

int cmd_resume(const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	const char *id = one_id("resume", argc, argv);

	if (!id)
		return 1;
	if (husk_resume(g->root, id, &err) < 0)
		return cli_fail("resume", &err);
	return 0;
}
