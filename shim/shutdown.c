/* Shutdown: nothing the shim supervised may outlive it unsupervised. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "process.h"
#include "shim.h"
#include "shutdown.h"
#include "ttrpc-server.h"

#define FLUSH_MS 1000 /* the longest we wait for the last replies to leave */

static void on_flush_tick(uv_timer_t *t)
{
	struct shim *s = t->data;
	uint64_t waited = uv_now(s->loop) - s->stop_started;

	if (s->srv && ttrpc_server_queued(s->srv) && waited < FLUSH_MS)
		return;
	uv_timer_stop(t);
	uv_stop(s->loop);
}

void shim_stop(struct shim *s)
{
	if (s->shutting_down)
		return;
	s->shutting_down = true;
	process_remove_container(s);
	/* the Shutdown reply is queued: let it leave before the loop ends */
	s->stop_started = uv_now(s->loop);
	uv_timer_init(s->loop, &s->flush);
	s->flush.data = s;
	uv_timer_start(&s->flush, on_flush_tick, 0, 2);
}
