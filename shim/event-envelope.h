/* The Envelope a shim forwards to containerd for each task event. */
#ifndef HUSK_SHIM_EVENT_ENVELOPE_H
#define HUSK_SHIM_EVENT_ENVELOPE_H

#include <time.h>

#include "containerd/services/events/ttrpc/v1/events.pb-c.h"

/* A protobuf Timestamp of t (events, Wait, State and Delete replies). */
Google__Protobuf__Timestamp timestamp_of(const struct timespec *t);
/* The topic of a containerd.events message ("/tasks/exit"), or NULL. */
const char *event_topic(const ProtobufCMessageDescriptor *d);
/* A ForwardRequest for ev in namespace ns at time now, packed into a fresh
 * buffer (*out, *len). The Any's type URL is the message's full name, as
 * containerd's typeurl registers it. Returns 0 or -errno. */
int event_forward_request(const char *ns, const ProtobufCMessage *ev, const struct timespec *now, uint8_t **out,
			  size_t *len);

#endif
