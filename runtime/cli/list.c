#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* runc's table: Go's tabwriter (minwidth 12, padding 3, spaces), so each of
 * the first five columns is max(12, longest cell + 3) wide. */
static void print_table(struct husk_state **v, size_t n)
{
	enum { COLS = 6 };
	static const char *const head[COLS] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	char ***cells = calloc(n + 1, sizeof(char **));
	int width[COLS];

	if (!cells)
		return;
	for (size_t i = 0; i <= n; i++) {
		cells[i] = calloc(COLS, sizeof(char *));
		if (!cells[i])
			goto out;
		for (int c = 0; c < COLS; c++) {
			const struct husk_state *s = i ? v[i - 1] : NULL;
			if (!s)
				cells[i][c] = strdup(head[c]);
			else if (c == 0)
				cells[i][c] = strdup(s->id);
			else if (c == 1 && asprintf(&cells[i][c], "%d",
						    s->status == HUSK_STATUS_STOPPED ? 0 : (int)s->pid) < 0)
				cells[i][c] = NULL;
			else if (c == 2)
				cells[i][c] = strdup(husk_status_name(s->status));
			else if (c == 3)
				cells[i][c] = strdup(s->bundle);
			else if (c == 4)
				cells[i][c] = strdup(s->created);
			else if (c == 5)
				cells[i][c] = strdup(s->owner);
			if (!cells[i][c])
				goto out;
		}
	}
	for (int c = 0; c < COLS; c++) {
		width[c] = 12;
		for (size_t i = 0; i <= n; i++)
			if ((int)strlen(cells[i][c]) + 3 > width[c])
				width[c] = (int)strlen(cells[i][c]) + 3;
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < COLS - 1; c++)
			printf("%-*s", width[c], cells[i][c]);
		printf("%s\n", cells[i][COLS - 1]);
	}
out:
	for (size_t i = 0; i <= n && cells[i]; i++) {
		for (int c = 0; c < COLS; c++)
			free(cells[i][c]);
		free(cells[i]);
	}
	free(cells);
}

static void print_json(struct husk_state **v, size_t n)
{
	json_t *a = json_array();
	char *s;

	if (!n) { /* runc encodes its empty (nil) list as null */
		printf("null\n");
		json_decref(a);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *one = husk_state_json(v[i], false);
		json_array_append_new(a, json_loads(one, 0, NULL));
		free(one);
	}
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s\n", s ? s : "[]");
	free(s);
	json_decref(a);
}

int cmd_list(const struct global *g, int argc, char **argv)
{
	static const struct cli_flag flags[] = {{"format, f", CLI_STRING}, {"quiet, q", CLI_BOOL}};
	struct cli_value f[2];
	struct husk_error err = {0};
	struct husk_state **v;
	struct cli_args a;
	const char *format;
	size_t n;
	int r;

	r = CLI_PARSE("list", flags, f, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("list", &a, 0, 0))
		return 1;
	format = f[0].set ? f[0].s : "table";
	if (husk_list(g->root, &v, &n, &err) < 0)
		return cli_fail("list", &err);
	/* as runc: --quiet wins over any --format, checked only without it */
	if (f[1].b)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i]->id);
	else if (!strcmp(format, "json"))
		print_json(v, n);
	else if (!strcmp(format, "table"))
		print_table(v, n);
	else
		r = husk_error_set(&err, -EINVAL, "invalid format option \"%s\" (table or json)", format);
	for (size_t i = 0; i < n; i++)
		husk_state_free(v[i]);
	free(v);
	return r < 0 ? cli_fail("list", &err) : 0;
}
