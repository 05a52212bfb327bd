/* One relay = one source fd, one destination fd, at most one chunk in
 * flight. splice() is tried first (pipe↔pipe, pipe↔fifo, pipe→file); a
 * pair it refuses (EINVAL: a pty, an O_APPEND file) falls back to a 64 KiB
 * buffer. A destination that went away (EPIPE) turns the relay into a sink,
 * so the writing process is never blocked by a reader that left. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include "relay.h"

#define CHUNK (64u * 1024)
#define ROUNDS 16 /* chunks per wakeup before yielding to other handles */

struct relay {
	uv_loop_t *loop;
	int src, dst;
	uv_poll_t *psrc, *pdst;
	uv_timer_t *retry;      /* a destination epoll cannot watch: come back soon */
	unsigned flags;
	bool use_splice, eof, done, discard, closing;
	char *buf;
	size_t off, len;
	unsigned long long bytes;
	relay_done_cb cb;
	void *arg;
};

static void on_poll(uv_poll_t *h, int status, int events);
static void pump(struct relay *r);

static void free_handle(uv_handle_t *h)
{
	free(h);
}

static uv_poll_t *poll_for(struct relay *r, int fd)
{
	uv_poll_t *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (uv_poll_init(r->loop, p, fd) < 0) {
		free(p);
		return NULL;
	}
	p->data = r;
	return p;
}

static void drop_retry(struct relay *r)
{
	if (r->retry) {
		uv_timer_stop(r->retry);
		r->retry->data = NULL;
		uv_close((uv_handle_t *)r->retry, free_handle);
		r->retry = NULL;
	}
}

static void drop_poll(uv_poll_t **p)
{
	if (*p) {
		uv_poll_stop(*p);
		(*p)->data = NULL;
		uv_close((uv_handle_t *)*p, free_handle);
		*p = NULL;
	}
}

/* wait for the source to have bytes (and not for the destination) */
static void want_src(struct relay *r)
{
	if (r->pdst)
		uv_poll_stop(r->pdst);
	if (r->retry)
		uv_timer_stop(r->retry);
	if (!r->psrc)
		r->psrc = poll_for(r, r->src);
	if (r->psrc)
		uv_poll_start(r->psrc, UV_READABLE | UV_DISCONNECT, on_poll);
}

static void on_retry(uv_timer_t *t)
{
	struct relay *r = t->data;

	if (r && !r->done)
		pump(r);
}

/* The relay's one retry timer (made on first use; want_dst and the drain of
 * a self-read fifo both use it, never at once). */
static uv_timer_t *retry_timer(struct relay *r)
{
	if (!r->retry) {
		r->retry = calloc(1, sizeof(*r->retry));
		if (!r->retry || uv_timer_init(r->loop, r->retry) < 0)
			abort(); /* out of memory: libhusk's idiom */
		r->retry->data = r;
	}
	return r->retry;
}

/* Wait until the destination takes more. A regular file or /dev/null cannot
 * be polled (epoll refuses them, EPERM) but never blocks either: the pump
 * only stopped to give other handles a turn, so it goes on at the next loop
 * iteration. Dropping the chunk there lost output to log files. */
static void want_dst(struct relay *r)
{
	if (r->psrc)
		uv_poll_stop(r->psrc);
	if (!r->pdst && !r->retry)
		r->pdst = poll_for(r, r->dst);
	if (r->pdst) {
		uv_poll_start(r->pdst, UV_WRITABLE | UV_DISCONNECT, on_poll);
		return;
	}
	uv_timer_start(retry_timer(r), on_retry, 0, 0);
}

static bool dst_writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return poll(&p, 1, 0) == 1;
}

/* bytes still in dst (a fifo) that no reader has taken */
static int unread(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) < 0 ? 0 : n;
}

/* An empty fifo we hold read-write: trade our fd for a write-only one (the
 * pipe stays, held by a writer), whose poll says POLLERR while no reader has
 * it open. Returns false when there is nothing left to wait for. */
static bool wait_for_reader(struct relay *r)
{
	char self[64];
	int w;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", r->dst);
	w = open(self, O_WRONLY | O_NONBLOCK | O_CLOEXEC); /* our read end makes this succeed */
	close(r->dst);
	r->dst = w;
	r->flags &= ~(unsigned)RELAY_DST_SELF_READ;
	return w >= 0;
}

static bool reader_present(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return poll(&p, 1, 0) >= 0 && !(p.revents & POLLERR);
}

/* dst let go after the relay finished: its owner hears of it again
 * (relay_handed_over is true from now on) */
static void handed_over(struct relay *r)
{
	if (r->cb)
		r->cb(r, r->arg);
}

/* (the owner's callback may free r: it is called last, r unused after it) */
static void on_drain_tick(uv_timer_t *t)
{
	struct relay *r = t->data;
	bool emptied = false;

	if (!r || r->dst < 0)
		return;
	if (r->flags & RELAY_DST_SELF_READ) {
		if (unread(r->dst) > 0)
			return; /* no reader has taken everything yet: look again */
		emptied = true; /* a reader took every byte: none is ours alone now */
		if (!wait_for_reader(r)) {
			uv_timer_stop(t);
			handed_over(r);
			return;
		}
	}
	if (reader_present(r->dst)) {
		uv_timer_stop(t);
		close(r->dst);
		r->dst = -1;
	}
	if (emptied)
		handed_over(r);
}

/* Close dst at EOF. A fifo we also hold for reading (nobody read it when we
 * opened it) must not be closed before a reader of its own has come: with
 * bytes in it, our fd is all that keeps them (a late reader, containerd's
 * goroutine, would find it empty); without, a late reader's blocking open
 * would wait for a writer forever (runc-v2's Create waits for the reader
 * instead). So such a fifo is closed once it is empty and a reader has it
 * open, looked at every 20 ms; at the latest when the process is deleted. */
static void close_dst_when_read(struct relay *r)
{
	if (!(r->flags & RELAY_DST_SELF_READ)) {
		close(r->dst);
		r->dst = -1;
		return;
	}
	if (unread(r->dst) == 0 && (!wait_for_reader(r) || reader_present(r->dst))) {
		if (r->dst >= 0)
			close(r->dst);
		r->dst = -1;
		return;
	}
	uv_timer_start(retry_timer(r), on_drain_tick, 20, 20);
}

static void finish(struct relay *r)
{
	drop_poll(&r->psrc);
	drop_poll(&r->pdst);
	drop_retry(r);
	if ((r->flags & RELAY_CLOSE_DST) && r->dst >= 0)
		close_dst_when_read(r);
	r->done = true;
	if (r->cb)
		r->cb(r, r->arg);
}

/* The source said "nothing now": wait, unless CloseIO asked us to stop there. */
static bool src_idle(struct relay *r)
{
	if (r->closing) {
		r->eof = true;
		return false;
	}
	want_src(r);
	return true;
}

/* Move what can be moved without blocking. Returns when waiting on an fd. */
static void pump(struct relay *r)
{
	for (int round = 0; round < ROUNDS; round++) {
		ssize_t n;

		if (r->off < r->len) {
			n = write(r->dst, r->buf + r->off, r->len - r->off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				want_dst(r);
				return;
			}
			if (n < 0) {
				r->discard = true; /* reader gone: drop the rest */
				r->off = r->len;
				continue;
			}
			r->off += (size_t)n;
			r->bytes += (unsigned long long)n;
			continue;
		}
		if (r->eof) {
			finish(r);
			return;
		}
		if (r->use_splice && !r->discard && r->dst >= 0) {
			n = splice(r->src, NULL, r->dst, NULL, CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n > 0) {
				r->bytes += (unsigned long long)n;
				continue;
			}
			if (n == 0) {
				r->eof = true;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (!dst_writable(r->dst)) {
					want_dst(r);
					return;
				}
				if (src_idle(r))
					return;
				continue;
			}
			if (errno == EINVAL || errno == ENOSYS) {
				r->use_splice = false; /* this pair does not splice: copy */
				continue;
			}
			if (errno == EPIPE) {
				r->discard = true;
				continue;
			}
			/* EIO from a pty whose slave closed, or a broken source: end */
			r->eof = true;
			continue;
		}
		if (!r->buf && !(r->buf = malloc(CHUNK))) {
			want_src(r); /* retry later */
			return;
		}
		n = read(r->src, r->buf, CHUNK);
		if (n > 0) {
			r->off = 0;
			r->len = r->discard || r->dst < 0 ? 0 : (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (src_idle(r))
				return;
			continue;
		}
		r->eof = true; /* 0, or EIO from a pty */
	}
	/* more may be there: come back after the other handles had a turn */
	if (r->off < r->len)
		want_dst(r);
	else
		want_src(r);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct relay *r = h->data;

	(void)status;
	(void)events;
	if (r && !r->done)
		pump(r);
}

struct relay *relay_new(uv_loop_t *loop, int src, int dst, unsigned flags, relay_done_cb done, void *arg)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->loop = loop;
	r->src = src;
	r->dst = dst;
	r->flags = flags;
	r->cb = done;
	r->arg = arg;
	r->use_splice = true;
	r->discard = dst < 0;
	/* both ends non-blocking: the loop must never sit in a read or write */
	fcntl(src, F_SETFL, fcntl(src, F_GETFL) | O_NONBLOCK);
	if (dst >= 0)
		fcntl(dst, F_SETFL, fcntl(dst, F_GETFL) | O_NONBLOCK);
	want_src(r);
	return r;
}

bool relay_done(const struct relay *r)
{
	return r->done;
}

bool relay_handed_over(const struct relay *r)
{
	/* the flag goes once the fifo we hold is empty (wait_for_reader) */
	return r->done && !(r->flags & RELAY_DST_SELF_READ);
}

void relay_shutdown(struct relay *r)
{
	if (r->done || r->closing)
		return;
	r->closing = true;
	pump(r);
}

unsigned long long relay_bytes(const struct relay *r)
{
	return r->bytes;
}

void relay_free(struct relay *r)
{
	if (!r)
		return;
	drop_poll(&r->psrc);
	drop_poll(&r->pdst);
	drop_retry(r);
	if (r->src >= 0)
		close(r->src);
	if (r->dst >= 0)
		close(r->dst);
	free(r->buf);
	free(r);
}
