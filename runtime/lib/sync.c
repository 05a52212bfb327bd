#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

const char *sync_type_name(uint32_t type)
{
	static const char *const names[] = {"?", "bootstrap", "procHooks", "procResume",
					    "procReady", "procRun", "procError"};
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

int sync_send(int fd, enum sync_type type, int code, const char *payload)
{
	struct sync_msg *m = xcalloc(1, sizeof(*m));
	size_t plen = payload ? strlen(payload) : 0;
	ssize_t n;
	int r = 0;

	if (plen >= SYNC_PAYLOAD_MAX)
		plen = SYNC_PAYLOAD_MAX - 1;
	m->type = type;
	m->code = code;
	m->len = (uint32_t)plen;
	if (plen)
		memcpy(m->payload, payload, plen);
	do
		n = send(fd, m, offsetof(struct sync_msg, payload) + plen, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	free(m);
	return r;
}

int sync_send_error(int fd, const struct husk_error *err)
{
	return sync_send(fd, SYNC_PROC_ERROR, err->code ? err->code : -EINVAL, err->msg);
}

int sync_recv(int fd, struct sync_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < offsetof(struct sync_msg, payload) ||
	    m->len != (size_t)n - offsetof(struct sync_msg, payload))
		return -EBADMSG;
	m->payload[m->len] = '\0';
	return 0;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct husk_error *err)
{
	int r = sync_recv(fd, m);

	if (r == -EPIPE)
		return husk_error_set(err, -EPIPE, "waiting for %s: the other side exited",
				      sync_type_name(type));
	if (r < 0)
		return husk_error_sys(err, r, "waiting for %s", sync_type_name(type));
	if (m->type == SYNC_PROC_ERROR)
		return husk_error_set(err, m->code ? m->code : -EINVAL, "%s", m->payload);
	if (m->type != (uint32_t)type)
		return husk_error_set(err, -EPROTO, "sync: got %s, want %s", sync_type_name(m->type),
				      sync_type_name(type));
	return 0;
}
