/* OOM notifications: v1 registers an eventfd on memory.oom_control through
 * cgroup.event_control; v2 watches memory.events (inotify) and counts
 * oom_kill. Either way the caller polls one fd and asks how many OOMs came. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "internal.h"
#include "util.h"

struct husk_oom_watch {
	int fd;           /* eventfd (v1) or inotify (v2) */
	bool v1;
	char *events;     /* v2: memory.events path; v1: memory.oom_control */
	uint64_t kills;   /* v2: oom_kill count seen so far */
};

static uint64_t oom_kills(const char *events)
{
	_cleanup_free_ char *t = NULL;
	const char *p;

	if (read_file(events, &t, NULL) < 0 || !(p = strstr(t, "oom_kill ")))
		return 0;
	return strtoull(p + 9, NULL, 10);
}

static int open_v1(struct husk_oom_watch *w, const char *dir, struct husk_error *err)
{
	_cleanup_free_ char *ctl = xasprintf("%s/memory.oom_control", dir);
	_cleanup_free_ char *ev = xasprintf("%s/cgroup.event_control", dir), *line = NULL;
	_cleanup_close_ int ofd = open(ctl, O_RDONLY | O_CLOEXEC);
	int r;

	if (ofd < 0)
		return husk_error_sys(err, -errno, "open %s", ctl);
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return husk_error_sys(err, -errno, "eventfd");
	line = xasprintf("%d %d", w->fd, ofd);
	r = write_file(ev, line, strlen(line));
	if (r < 0)
		return husk_error_sys(err, r, "register for OOM events in %s", ev);
	w->v1 = true;
	w->events = xstrdup(ctl);
	return 0;
}

static int open_v2(struct husk_oom_watch *w, const char *dir, struct husk_error *err)
{
	w->events = xasprintf("%s/memory.events", dir);
	if (access(w->events, R_OK) < 0)
		return husk_error_sys(err, -errno, "%s", w->events);
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0)
		return husk_error_sys(err, -errno, "inotify_init1");
	if (inotify_add_watch(w->fd, w->events, IN_MODIFY) < 0)
		return husk_error_sys(err, -errno, "watch %s", w->events);
	w->kills = oom_kills(w->events);
	return 0;
}

int husk_oom_watch_open(const char *root, const char *id, struct husk_oom_watch **out,
			struct husk_error *err)
{
	struct husk_oom_watch *w = xcalloc(1, sizeof(*w));
	struct husk_state *st;
	struct cg_layout L;
	const char *dir;
	int r;

	*out = NULL;
	w->fd = -1;
	r = husk_state_load(root, id, &st, err);
	if (r == 0)
		r = cg_layout_open(&st->cgroup_dirs, &L, err);
	if (r == 0) {
		dir = cg_layout_dir(&L, "memory");
		if (!dir)
			r = husk_error_set(err, -ENOENT, "container \"%s\" has no memory cgroup", id);
		else
			r = L.v1 ? open_v1(w, dir, err) : open_v2(w, dir, err);
		cg_layout_close(&L);
	}
	if (st)
		husk_state_free(st);
	if (r < 0) {
		husk_oom_watch_close(w);
		return r;
	}
	*out = w;
	return 0;
}

int husk_oom_watch_fd(const struct husk_oom_watch *w)
{
	return w->fd;
}

int husk_oom_watch_read(struct husk_oom_watch *w)
{
	if (w->v1) {
		uint64_t n = 0;
		if (read(w->fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
			return 0;
		/* the eventfd also fires when the cgroup is removed: that is no OOM
		 * (runc's notifyOnOOM stops there too) */
		if (access(w->events, F_OK) < 0)
			return 0;
		return (int)n;
	} else {
		char buf[4096];
		uint64_t now;
		while (read(w->fd, buf, sizeof(buf)) > 0)
			;
		now = oom_kills(w->events);
		if (now <= w->kills)
			return 0;
		{
			int n = (int)(now - w->kills);
			w->kills = now;
			return n;
		}
	}
}

void husk_oom_watch_close(struct husk_oom_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->events);
	free(w);
}
