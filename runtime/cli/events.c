/* husk events: --stats prints one stats event; otherwise a stats event every
 * --interval and an "oom" event whenever the container's memory cgroup OOMs,
 * until the container stops (runc's output shape). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "5s", "500ms", "1m", "2" (seconds) → milliseconds */
static int parse_interval(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		*ms = (int)v;
	else if (!strcmp(end, "s") || !*end)
		*ms = (int)(v * 1000);
	else if (!strcmp(end, "m"))
		*ms = (int)(v * 60000);
	else
		return -EINVAL;
	return *ms > 0 ? 0 : -EINVAL;
}

static int print_stats(const struct global *g, const char *id, struct husk_error *err)
{
	char *data;

	if (husk_stats_json(g->root, id, &data, err) < 0)
		return -1;
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	fflush(stdout);
	free(data);
	return 0;
}

static bool stopped(const struct global *g, const char *id)
{
	struct husk_error err = {0};
	struct husk_state *st;
	bool gone;

	if (husk_state_load(g->root, id, &st, &err) < 0)
		return true;
	gone = st->status == HUSK_STATUS_STOPPED;
	husk_state_free(st);
	return gone;
}

int cmd_events(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
					     {"interval", required_argument, NULL, 'i'},
					     {NULL, 0, NULL, 0}};
	struct husk_error err = {0};
	struct husk_oom_watch *w = NULL;
	bool once = false;
	int c, interval = 5000;
	const char *id;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 's')
			once = true;
		else if (c == 'i' && parse_interval(optarg, &interval) == 0)
			continue;
		else
			return cli_usage("events", c == 'i' ? "--interval: \"%s\" is not a duration" : "unknown option",
					 optarg);
	}
	if (optind != argc - 1)
		return cli_usage("events", optind >= argc ? "a container id is required" : "too many arguments");
	id = argv[optind];
	if (once)
		return print_stats(g, id, &err) < 0 ? cli_fail("events", &err) : 0;
	if (husk_oom_watch_open(g->root, id, &w, &err) < 0)
		return cli_fail("events", &err);
	for (;;) {
		struct pollfd p = {.fd = husk_oom_watch_fd(w), .events = POLLIN};
		int n = poll(&p, 1, interval), ooms;

		if (n < 0 && errno != EINTR)
			break;
		for (ooms = husk_oom_watch_read(w); ooms > 0; ooms--) {
			printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
			fflush(stdout);
		}
		if (stopped(g, id))
			break;
		if (n == 0 && print_stats(g, id, &err) < 0) {
			/* it stopped between the check and the read: the stream just ends */
			if (stopped(g, id))
				husk_error_clear(&err);
			break;
		}
	}
	husk_oom_watch_close(w);
	return err.code ? cli_fail("events", &err) : 0;
}
