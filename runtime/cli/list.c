#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_table(struct husk_state **v, size_t n)
{
	int wid = 2, wbundle = 6;

	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(v[i]->id) > wid)
			wid = (int)strlen(v[i]->id);
		if ((int)strlen(v[i]->bundle) > wbundle)
			wbundle = (int)strlen(v[i]->bundle);
	}
	printf("%-*s   %-8s   %-8s   %-*s   %-30s   %s\n", wid, "ID", "PID", "STATUS", wbundle,
	       "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++)
		printf("%-*s   %-8d   %-8s   %-*s   %-30s   %s\n", wid, v[i]->id,
		       v[i]->status == HUSK_STATUS_STOPPED ? 0 : (int)v[i]->pid,
		       husk_status_name(v[i]->status), wbundle, v[i]->bundle, v[i]->created,
		       v[i]->owner);
}

static void print_json(struct husk_state **v, size_t n)
{
	json_t *a = json_array();
	char *s;

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
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	struct husk_error err = {0};
	struct husk_state **v;
	bool quiet = false, json = false;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'q') {
			quiet = true;
		} else if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "table"))) {
			json = !strcmp(optarg, "json");
		} else {
			return cli_usage("list", c == 'f' ? "--format must be table or json" : "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("list", "too many arguments");
	if (husk_list(g->root, &v, &n, &err) < 0)
		return cli_fail("list", &err);
	if (quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i]->id);
	else if (json)
		print_json(v, n);
	else
		print_table(v, n);
	for (size_t i = 0; i < n; i++)
		husk_state_free(v[i]);
	free(v);
	return 0;
}
