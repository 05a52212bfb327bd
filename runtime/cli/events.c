/* husk events: --stats prints one stats event; otherwise a stats event every
 * --interval and an "oom" event whenever the container's memory cgroup OOMs,
 * until the container stops (runc's output shape). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	/* runc's: --interval is a Go duration ("5s", "500ms", "1m30s") */
	static const struct cli_flag flags[] = {{"interval", CLI_DURATION}, {"stats", CLI_BOOL}};
	struct cli_value v[2];
	struct husk_error err = {0};
	struct husk_oom_watch *w = NULL;
	struct cli_args a;
	bool once;
	int r, interval = 5000;
	const char *id;

	r = CLI_PARSE("events", flags, v, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("events", &a, 1, 1))
		return 1;
	id = a.argv[0];
	once = v[1].b;
	if (v[0].set) {
		long long ms = v[0].n / 1000000;
		if (v[0].n <= 0) {
			husk_error_set(&err, -EINVAL, "duration interval must be greater than 0");
			return cli_fail("events", &err);
		}
		interval = ms < 1 ? 1 : ms > INT_MAX ? INT_MAX : (int)ms;
	}
	{
		struct husk_state *st;
		if (husk_state_load(g->root, id, &st, &err) < 0)
			return cli_fail("events", &err);
		r = st->status == HUSK_STATUS_STOPPED;
		husk_state_free(st);
		if (r) {
			husk_error_set(&err, -ESRCH, "container with id %s is not running", id);
			return cli_fail("events", &err);
		}
	}
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
