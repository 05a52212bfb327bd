/* Task events to containerd: queued by the loop, sent by one publisher
 * thread over ttrpc (Events/Forward at TTRPC_ADDRESS), in order, so a slow
 * or absent containerd never blocks the loop. */
#ifndef HUSK_SHIM_EVENTS_H
#define HUSK_SHIM_EVENTS_H

#include <protobuf-c/protobuf-c.h>

struct events;

/* address NULL or "": no publishing (every publish is dropped). */
int events_open(const char *address, const char *ns, struct events **out);
/* Stamp ev now and queue it. Never blocks. */
void events_publish(struct events *e, const ProtobufCMessage *ev);
/* Wait up to timeout_ms for the queue to empty, then stop the thread. */
void events_close(struct events *e, int timeout_ms);
/* Events sent / dropped so far (tests, logs). */
unsigned long events_sent(struct events *e);

#endif
