/* ttrpc over libuv. A connection lives until its peer closes, or until it
 * sends something we cannot parse (a malformed or oversized frame leaves no
 * way to find the next frame): then that connection alone is closed. Calls
 * hold a reference on their connection, so a handler answering after the
 * peer left just frees its call. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
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

/* A copy of msg with control characters escaped (\n, \t, \r, \xHH), or NULL
 * when it has none: a config value with a newline must not break the
 * message a client prints over two lines. */
static char *escape_ctl(const char *msg)
{
	size_t n = 0;
	char *out, *w;

	for (const unsigned char *p = (const unsigned char *)msg; msg && *p; p++)
		n += *p < 0x20 || *p == 0x7f;
	if (!n)
		return NULL;
	out = w = malloc(strlen(msg) + 4 * n + 1);
	if (!out)
		abort(); /* out of memory: as libhusk's x* helpers */
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		static const char hex[] = "0123456789abcdef";
		if (*p >= 0x20 && *p != 0x7f) {
			*w++ = (char)*p;
			continue;
		}
		*w++ = '\\';
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			*w++ = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		} else {
			*w++ = 'x';
			*w++ = hex[*p >> 4];
			*w++ = hex[*p & 15];
		}
	}
	*w = '\0';
	return out;
}

static void reply_raw(struct conn *c, uint32_t id, int code, const char *message, const ProtobufCMessage *resp)
{
	struct ttrpc_frame f;
	char *escaped = escape_ctl(message);
	const char *msg = escaped ? escaped : message;

	if (ttrpc_encode_response(id, code, msg, resp, &f) == 0)
		send_frame(c, &f);
	else if (ttrpc_encode_response(id, TTRPC_RESOURCE_EXHAUSTED, "response exceeds the 4 MiB limit", NULL, &f) == 0)
		send_frame(c, &f);
	free(escaped);
}

/* ---- strings with a NUL byte ----
 * protobuf-c gives a string field as a C string: "c1\0x" would arrive as
 * "c1", silently. The wire bytes are checked instead, every string field of
 * the request at any depth. */

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* The name of the first string field of d in buf holding a NUL, or NULL
 * (also for bytes that do not parse: the decoder has judged them already).
 * want_field > 0: instead, return the bytes of that length-delimited field
 * in *sub (used to find the Request's payload). */
static const char *walk(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len, int depth,
			uint32_t want_field, const uint8_t **sub, size_t *sublen)
{
	const uint8_t *p = buf, *end = buf + len;
	uint64_t key, n;

	while (p < end && depth < 32) {
		const ProtobufCFieldDescriptor *f;
		if (!varint(&p, end, &key))
			return NULL;
		switch (key & 7) {
		case 0:
			if (!varint(&p, end, &n))
				return NULL;
			continue;
		case 1:
			p += 8;
			continue;
		case 5:
			p += 4;
			continue;
		case 2:
			break;
		default:
			return NULL;
		}
		if (!varint(&p, end, &n) || n > (uint64_t)(end - p))
			return NULL;
		if (want_field) {
			if ((key >> 3) == want_field) {
				*sub = p;
				*sublen = (size_t)n;
				return NULL;
			}
		} else if (d && (f = protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)))) {
			if (f->type == PROTOBUF_C_TYPE_STRING && memchr(p, '\0', (size_t)n))
				return f->name;
			if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				const char *bad = walk(f->descriptor, p, (size_t)n, depth + 1, 0, NULL, NULL);
				if (bad)
					return bad;
			}
		}
		p += n;
	}
	return NULL;
}

/* the field of the call's input (in the Request's payload) with a NUL, or NULL */
static const char *nul_in_request(const struct ttrpc_call *call, const uint8_t *req, size_t len)
{
	const uint8_t *payload = NULL;
	size_t plen = 0;

	walk(NULL, req, len, 0, 3 /* Request.payload */, &payload, &plen);
	return payload ? walk(call->method->input, payload, plen, 0, 0, NULL, NULL) : NULL;
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
	{
		const char *bad = nul_in_request(&call->pub, payload, h->length);
		if (bad) {
			char m[160];
			snprintf(m, sizeof(m), "%s: field %s contains a NUL byte", call->pub.method->method, bad);
			reply_raw(c, h->stream_id, TTRPC_INVALID_ARGUMENT, m, NULL);
			ttrpc_call_clear(&call->pub);
			free(call);
			return;
		}
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
