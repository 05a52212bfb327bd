/* A blocking ttrpc client: one call at a time on one connection. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ttrpc.h"

int ttrpc_client_connect(struct ttrpc_client *c, const char *address)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = strncmp(address, "unix://", 7) ? address : address + 7;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(c->fd);
		c->fd = -1;
		return r;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int ttrpc_client_call(struct ttrpc_client *c, const char *service, const char *method,
		      const ProtobufCMessage *req, int timeout_ms, struct ttrpc_reply *reply)
{
	size_t len = req ? protobuf_c_message_get_packed_size(req) : 0;
	uint8_t *payload = malloc(len ? len : 1);
	int r;

	memset(reply, 0, sizeof(*reply));
	if (!payload)
		return -ENOMEM;
	if (len)
		protobuf_c_message_pack(req, payload);
	r = ttrpc_client_call_raw(c, service, method, payload, len, timeout_ms, reply);
	free(payload);
	return r;
}

int ttrpc_client_call_raw(struct ttrpc_client *c, const char *service, const char *method, const uint8_t *payload,
			  size_t len, int timeout_ms, struct ttrpc_reply *reply)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	uint32_t id = c->next_id;
	struct ttrpc_frame f;
	int r;

	memset(reply, 0, sizeof(*reply));
	c->next_id += 2;
	if (len > TTRPC_MAX_DATA)
		return -EMSGSIZE;
	r = ttrpc_encode_request_raw(id, service, method, payload, len, timeout_ms < 0 ? 0 : (int64_t)timeout_ms * 1000000,
				     c->md_key, c->md_value, &f);
	if (r < 0)
		return r;
	r = send_all(c->fd, f.data, f.len);
	ttrpc_frame_free(&f);
	if (r < 0)
		return r;
	for (;;) {
		struct ttrpc_header h;
		const uint8_t *body;
		uint8_t buf[65536];
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t n;

		r = ttrpc_reader_next(&c->rd, &h, &body);
		if (r < 0)
			return r;
		if (r == 1) {
			if (h.type != TTRPC_RESPONSE || h.stream_id != id)
				continue; /* not ours (or a type we do not speak) */
			return ttrpc_decode_response(body, h.length, reply);
		}
		r = poll(&p, 1, deadline < 0 ? -1 : (int)(deadline > now_ms() ? deadline - now_ms() : 0));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		ttrpc_reader_feed(&c->rd, buf, (size_t)n);
	}
}

void ttrpc_client_close(struct ttrpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ttrpc_reader_free(&c->rd);
}
