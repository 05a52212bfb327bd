/* OOM watching: one poll handle on libhusk's OOM fd while the init lives. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>

#include "containerd/events/task.pb-c.h"
#include "events.h"
#include "husk/husk.h"
#include "oom.h"
#include "shim-log.h"
#include "shim.h"
#include "util.h"

#define MAX_PER_LOOK 16 /* one burst of kills is a few events, not thousands */

void oom_check(struct shim *s)
{
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
	int n;

	if (!s->oom)
		return;
	n = husk_oom_watch_read(s->oom);
	ev.container_id = s->cid;
	for (int i = 0; i < n && i < MAX_PER_LOOK; i++)
		events_publish(s->events, &ev.base);
}

static void on_oom(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	oom_check(h->data);
}

void oom_watch_start(struct shim *s)
{
	struct husk_error e = {0};

	if (husk_oom_watch_open(s->o.root, s->cid, &s->oom, &e) < 0) {
		shim_log(s, "no OOM events: %s", e.msg);
		return;
	}
	s->oom_poll = xcalloc(1, sizeof(*s->oom_poll));
	if (uv_poll_init(s->loop, s->oom_poll, husk_oom_watch_fd(s->oom)) < 0) {
		free(s->oom_poll);
		s->oom_poll = NULL;
		shim_log(s, "no OOM events: cannot poll the OOM fd");
		return;
	}
	s->oom_poll->data = s;
	uv_poll_start(s->oom_poll, UV_READABLE | UV_PRIORITIZED, on_oom);
}

void oom_watch_stop(struct shim *s)
{
	if (s->oom_poll) {
		uv_poll_stop(s->oom_poll);
		uv_close((uv_handle_t *)s->oom_poll, (uv_close_cb)free);
		s->oom_poll = NULL;
	}
	if (s->oom) {
		husk_oom_watch_close(s->oom);
		s->oom = NULL;
	}
}
