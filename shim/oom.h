/* OOM kills in the container's cgroup (memory.oom_control's eventfd on
 * cgroup v1, memory.events on v2, through libhusk), published as /tasks/oom. */
#ifndef HUSK_SHIM_OOM_H
#define HUSK_SHIM_OOM_H

struct shim;

/* Start watching the container just created (a failure is logged: the
 * container runs without OOM events, as runc-v2's does). */
void oom_watch_start(struct shim *s);
/* Publish /tasks/oom for each OOM kill since the last look (the init's exit
 * calls it first, so an OOM kill is reported before the exit it caused). */
void oom_check(struct shim *s);
/* Stop watching (the init has exited, or the shim is going). */
void oom_watch_stop(struct shim *s);

#endif
