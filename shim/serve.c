/* The long-lived shim: one libuv loop with the ttrpc server, the reaper,
 * signals, and (when containerd gave TTRPC_ADDRESS) the event publisher. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "helper.h"
#include "husk/husk.h"
#include "husk/log.h"
#include "oom.h"
#include "process.h"
#include "serve.h"
#include "shim-log.h"
#include "shim.h"
#include "shutdown.h"
#include "ttrpc-server.h"

/* -debug: every call with its status and duration, in the shim's log */
static void trace_call(void *ctx, const char *method, uint32_t stream, int code, uint64_t ns)
{
	struct shim *s = ctx;

	husk_log(HUSK_LOG_DEBUG, "shim %s: %s (stream %u): status %d in %.3f ms", s->o.id ? s->o.id : "", method,
		 stream, code, (double)ns / 1e6);
}

static void on_signal(uv_signal_t *h, int sig)
{
	struct shim *s = h->data;
	struct husk_error e = {0};

	if (s->o.forward_signals) {
		if (s->init && s->init->pid && !s->init->reaped && husk_kill(s->o.root, s->cid, sig, false, &e) < 0)
			shim_log(s, "forward signal %d: %s", sig, e.msg);
		return;
	}
	if (sig != SIGHUP) {
		shim_log(s, "signal %d: shutting down", sig);
		shim_stop(s);
	}
}

static void close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void teardown(struct shim *s)
{
	helper_kill_all(s);
	process_remove_container(s);
	while (s->procs)
		process_free(s->procs);
	if (s->srv)
		ttrpc_server_stop(s->srv);
	s->srv = NULL;
	oom_watch_stop(s);
	/* everything else (relay polls, timers, signals): close and let the
	 * close callbacks run, so the loop can be closed cleanly */
	uv_run(s->loop, UV_RUN_NOWAIT);
	uv_walk(s->loop, close_walk, NULL);
	uv_run(s->loop, UV_RUN_DEFAULT);
	uv_loop_close(s->loop);
	events_close(s->events, 2000);
	free(s->cid);
	free(s->bundle);
}

int shim_serve(const struct shim_opts *o, int listen_fd, const char *socket_path)
{
	struct shim s = {0};
	uv_loop_t loop;
	int r;

	signal(SIGPIPE, SIG_IGN); /* a reader that left shows as EPIPE */
	if (uv_loop_init(&loop) < 0)
		return -ENOMEM;
	s.loop = &loop;
	s.o = *o;
	r = reaper_start(&s);
	if (r < 0) {
		fprintf(stderr, "husk-shim: become a subreaper: %s\n", strerror(-r));
		return r;
	}
	r = events_open(o->events_addr, o->ns, &s.events);
	if (r == 0)
		r = listen_fd >= 0 ? ttrpc_server_adopt(s.loop, listen_fd, shim_methods, shim_n_methods, &s, &s.srv)
				   : ttrpc_server_start(s.loop, socket_path, shim_methods, shim_n_methods, &s, &s.srv);
	if (r < 0) {
		fprintf(stderr, "husk-shim: listen on %s: %s\n", socket_path ? socket_path : "fd 3",
			r == -ENOMEM ? "out of memory" : uv_strerror(r));
		teardown(&s);
		return r;
	}
	if (o->debug)
		ttrpc_server_set_trace(s.srv, trace_call);
	uv_signal_init(s.loop, &s.sigterm);
	uv_signal_init(s.loop, &s.sigint);
	uv_signal_init(s.loop, &s.sighup);
	s.sigterm.data = s.sigint.data = s.sighup.data = &s;
	uv_signal_start(&s.sigterm, on_signal, SIGTERM);
	uv_signal_start(&s.sigint, on_signal, SIGINT);
	uv_signal_start(&s.sighup, on_signal, SIGHUP);
	shim_log(&s, "serving on %s", socket_path ? socket_path : "fd 3");
	uv_run(s.loop, UV_RUN_DEFAULT);
	teardown(&s);
	if (socket_path)
		unlink(socket_path);
	return 0;
}
