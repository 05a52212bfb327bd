/* The ttrpc server on a libuv loop: a unix socket, one reader per connection,
 * requests dispatched through a method table, replies whenever the handler is
 * done (handlers may answer later: Wait, Create off the loop). */
#ifndef HUSK_TTRPC_SERVER_H
#define HUSK_TTRPC_SERVER_H

#include <uv.h>

#include "ttrpc.h"

struct ttrpc_server;

/* Listen on path (made 0600; its directory is the caller's to protect).
 * Only peers with our uid or root are served. */
int ttrpc_server_start(uv_loop_t *loop, const char *path, const struct ttrpc_method *table, size_t n,
		       void *ctx, struct ttrpc_server **out);
/* The same on a socket already bound and listening (given by `start`). */
int ttrpc_server_adopt(uv_loop_t *loop, int fd, const struct ttrpc_method *table, size_t n, void *ctx,
		       struct ttrpc_server **out);
/* Reply bytes not yet written, over all connections (to flush before exit). */
size_t ttrpc_server_queued(const struct ttrpc_server *s);
/* called with every reply: the method, its stream, the status and how long
 * the call took (for debug logs; NULL turns it off) */
typedef void (*ttrpc_trace_fn)(void *ctx, const char *method, uint32_t stream, int code, uint64_t ns);
void ttrpc_server_set_trace(struct ttrpc_server *s, ttrpc_trace_fn fn);
/* Answer a call and free it. code 0: resp is the reply (NULL = Empty);
 * otherwise message goes in the status. Safe after the client went away. */
void ttrpc_server_reply(struct ttrpc_call *call, int code, const char *message, const ProtobufCMessage *resp);
/* Stop listening and drop every connection (calls in flight may still reply). */
void ttrpc_server_stop(struct ttrpc_server *s);
/* Connections now open (for tests and Shutdown). */
size_t ttrpc_server_connections(const struct ttrpc_server *s);

#endif
