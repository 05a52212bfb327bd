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

/* A verb that is one library call on a container id. */
static int id_verb(const char *verb, int (*fn)(const char *, const char *, struct husk_error *),
		   const struct global *g, int argc, char **argv)
{
	struct husk_error err = {0};
	const char *id = one_id(verb, argc, argv);

	if (!id)
		return 1;
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
	return id_verb("pause", husk_pause, g, argc, argv);
}

int cmd_resume(const struct global *g, int argc, char **argv)
{
	return id_verb("resume", husk_resume, g, argc, argv);
}
