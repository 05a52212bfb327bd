/* ttrpc over libuv. A connection lives until its peer closes, or until it
 * sends something we cannot parse (a malformed or oversized frame leaves no
 * way to find the next frame): then that connection alone is closed. Calls
 * hold a reference on their connection, so a handler answering after the
 * peer left just frees its call. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ttrpc-server.h"

/* a peer that does not read its replies cannot make us buffer forever */
#define MAX_QUEUED (16u << 20)

struct conn {
	uv_pipe_t pipe;
	struct ttrpc_server *srv;
	struct ttrpc_reader rd;
	int refs;     /* 1 while open + 1 per call in flight */
	bool closing;
	bool reading; /* inside on_read: replies are held and flushed together */
	struct ttrpc_frame *held;
	size_t held_n, held_cap;
	struct conn *next;
};

struct ttrpc_server {
	uv_pipe_t listener;
	const struct ttrpc_method *table;
	size_t n;
	void *ctx;
	struct conn *conns;
	size_t nconns;
	ttrpc_trace_fn trace;
};

struct call {
	struct ttrpc_call pub; /* first: handlers get &pub */
	struct conn *conn;
	uint64_t started; /* CLOCK_MONOTONIC ns, when tracing */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void conn_unref(struct conn *c)
{
	if (--c->refs == 0) {
		for (size_t i = 0; i < c->held_n; i++)
			ttrpc_frame_free(&c->held[i]);
		free(c->held);
		ttrpc_reader_free(&c->rd);
		free(c);
	}
}

static void on_closed(uv_handle_t *h)
{
	conn_unref(h->data);
}

static void flush(struct conn *c);

static void conn_close(struct conn *c)
{
	struct conn **pp;

	if (c->closing)
		return;
	/* what is held (the error that made us close) goes first: libuv writes
	 * at once when nothing is queued */
	c->reading = false;
	flush(c);
	c->closing = true;
	for (pp = &c->srv->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			c->srv->nconns--;
			break;
		}
	uv_close((uv_handle_t *)&c->pipe, on_closed);
}

/* one uv_write of one or more frames */
struct write_req {
	uv_write_t req;
	size_t n;
	struct ttrpc_frame *f;
};

static void on_written(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;

	(void)status; /* a failed write shows up as EOF/error on read */
	for (size_t i = 0; i < w->n; i++)
		ttrpc_frame_free(&w->f[i]);
	free(w->f);
	free(w);
}

/* Write the frames held back during a read: replies to the requests of one
 * read go out in one writev, not one syscall each (pipelined clients). */
static void flush(struct conn *c)
{
	struct write_req *w;
	uv_buf_t *b;

	if (!c->held_n)
		return;
	w = calloc(1, sizeof(*w));
	b = calloc(c->held_n, sizeof(*b));
	if (!w || !b)
		abort();
	w->n = c->held_n;
	w->f = c->held;
	c->held = NULL;
	c->held_n = c->held_cap = 0;
	for (size_t i = 0; i < w->n; i++)
		b[i] = uv_buf_init((char *)w->f[i].data, (unsigned)w->f[i].len);
	if (c->closing || uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > MAX_QUEUED ||
	    uv_write(&w->req, (uv_stream_t *)&c->pipe, b, (unsigned)w->n, on_written) < 0) {
		on_written(&w->req, UV_ECANCELED);
		if (!c->closing)
			conn_close(c);
	}
	free(b);
}

static void send_frame(struct conn *c, struct ttrpc_frame *f)
{
	if (c->closing) {
		ttrpc_frame_free(f);
		return;
	}
	if (c->held_n == c->held_cap) {
		size_t cap = c->held_cap ? c->held_cap * 2 : 8;
		struct ttrpc_frame *n = realloc(c->held, cap * sizeof(*n));
		if (!n)
			abort();
		c->held = n;
		c->held_cap = cap;
	}
	c->held[c->held_n++] = *f;
	if (!c->reading)
		flush(c); /* a reply from later (a helper, an exit): at once */
}

static void reply_raw(struct conn *c, uint32_t id, int code, const char *msg, const ProtobufCMessage *resp)
{
	struct ttrpc_frame f;

	if (ttrpc_encode_response(id, code, msg, resp, &f) == 0)
		send_frame(c, &f);
	else if (ttrpc_encode_response(id, TTRPC_RESOURCE_EXHAUSTED, "response exceeds the 4 MiB limit", NULL, &f) == 0)
		send_frame(c, &f);
}

void ttrpc_server_reply(struct ttrpc_call *pub, int code, const char *message, const ProtobufCMessage *resp)
{
	struct call *call = (struct call *)pub;

	/* a closed connection may have outlived its server: srv only while open */
	if (!call->conn->closing) {
		struct ttrpc_server *srv = call->conn->srv;
		if (srv->trace)
			srv->trace(srv->ctx, pub->method->method, pub->stream_id, code, now_ns() - call->started);
		reply_raw(call->conn, pub->stream_id, code, message, resp);
	}
	conn_unref(call->conn);
	ttrpc_call_clear(pub);
	free(call);
}

static void handle_request(struct conn *c, const struct ttrpc_header *h, const uint8_t *payload)
{
	struct call *call;
	char *msg = NULL;
	int code;

	if (!(h->stream_id & 1)) {
		reply_raw(c, h->stream_id, TTRPC_INVALID_ARGUMENT, "StreamID must be odd for client initiated streams",
			  NULL);
		return;
	}
	call = calloc(1, sizeof(*call));
	if (!call)
		abort();
	code = ttrpc_dispatch(c->srv->table, c->srv->n, payload, h->length, &call->pub, &msg);
	if (code != TTRPC_OK) {
		reply_raw(c, h->stream_id, code, msg, NULL);
		/* an unparsable Request means the peer does not speak ttrpc */
		if (msg && !strncmp(msg, "unmarshal request error", 23))
			conn_close(c);
		free(msg);
		free(call);
		return;
	}
	call->pub.stream_id = h->stream_id;
	call->pub.conn = c;
	call->pub.ctx = c->srv->ctx;
	call->conn = c;
	if (c->srv->trace)
		call->started = now_ns();
	c->refs++;
	call->pub.method->handler(&call->pub);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char scratch[65536]; /* one loop thread; the reader copies what it keeps */

	(void)h;
	(void)hint;
	*buf = uv_buf_init(scratch, sizeof(scratch));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	struct ttrpc_header h;
	const uint8_t *payload;
	int r;

	if (n < 0) {
		conn_close(c);
		return;
	}
	ttrpc_reader_feed(&c->rd, buf->base, (size_t)n);
	c->refs++; /* a handler may close the connection under us */
	c->reading = true;
	while (!c->closing && (r = ttrpc_reader_next(&c->rd, &h, &payload)) != 0) {
		if (r < 0) {
			reply_raw(c, h.stream_id, TTRPC_RESOURCE_EXHAUSTED, "message length exceeds the 4 MiB maximum", NULL);
			conn_close(c);
			break;
		}
		if (h.type == TTRPC_REQUEST)
			handle_request(c, &h, payload);
		/* anything else is ignored, as ttrpc does for future types */
	}
	c->reading = false;
	flush(c);
	conn_unref(c);
}

static void on_listener_closed(uv_handle_t *h)
{
	free(h->data);
}

static bool peer_allowed(uv_pipe_t *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)p, &fd) < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void on_connection(uv_stream_t *l, int status)
{
	struct ttrpc_server *s = l->data;
	struct conn *c;

	if (status < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->srv = s;
	c->refs = 1;
	uv_pipe_init(l->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(l, (uv_stream_t *)&c->pipe) < 0 || !peer_allowed(&c->pipe)) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, on_closed);
		return;
	}
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

static int server_new(uv_loop_t *loop, const struct ttrpc_method *table, size_t n, void *ctx,
		      struct ttrpc_server **out)
{
	struct ttrpc_server *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->table = table;
	s->n = n;
	s->ctx = ctx;
	uv_pipe_init(loop, &s->listener, 0);
	s->listener.data = s;
	*out = s;
	return 0;
}

static int server_listen(struct ttrpc_server *s, int r, struct ttrpc_server **out)
{
	if (r == 0)
		r = uv_listen((uv_stream_t *)&s->listener, 64, on_connection);
	if (r < 0) {
		uv_close((uv_handle_t *)&s->listener, on_listener_closed);
		*out = NULL;
		return r;
	}
	*out = s;
	return 0;
}

int ttrpc_server_start(uv_loop_t *loop, const char *path, const struct ttrpc_method *table, size_t n,
		       void *ctx, struct ttrpc_server **out)
{
	struct ttrpc_server *s;
	mode_t old;
	int r = server_new(loop, table, n, ctx, &s);

	if (r < 0)
		return r;
	old = umask(0177); /* the socket is born 0600 */
	r = uv_pipe_bind(&s->listener, path);
	umask(old);
	return server_listen(s, r, out);
}

int ttrpc_server_adopt(uv_loop_t *loop, int fd, const struct ttrpc_method *table, size_t n, void *ctx,
		       struct ttrpc_server **out)
{
	struct ttrpc_server *s;
	int r = server_new(loop, table, n, ctx, &s);

	if (r < 0)
		return r;
	return server_listen(s, uv_pipe_open(&s->listener, fd), out);
}

size_t ttrpc_server_queued(const struct ttrpc_server *s)
{
	size_t n = 0;

	for (const struct conn *c = s->conns; c; c = c->next)
		n += uv_stream_get_write_queue_size((const uv_stream_t *)&c->pipe);
	return n;
}

void ttrpc_server_stop(struct ttrpc_server *s)
{
	while (s->conns)
		conn_close(s->conns);
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}

size_t ttrpc_server_connections(const struct ttrpc_server *s)
{
	return s->nconns;
}

void ttrpc_server_set_trace(struct ttrpc_server *s, ttrpc_trace_fn fn)
{
	s->trace = fn;
}
