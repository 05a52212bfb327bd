/* Event → Envelope{timestamp, namespace, topic, Any}. containerd refuses an
 * envelope with a zero timestamp, a bad namespace or a topic not starting
 * with "/", so all three are always set here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containerd/events/task.pb-c.h"
#include "event-envelope.h"

static const struct {
	const ProtobufCMessageDescriptor *d;
	const char *topic;
} topics[] = {
	{&containerd__events__task_create__descriptor, "/tasks/create"},
	{&containerd__events__task_start__descriptor, "/tasks/start"},
	{&containerd__events__task_exit__descriptor, "/tasks/exit"},
	{&containerd__events__task_delete__descriptor, "/tasks/delete"},
	{&containerd__events__task_oom__descriptor, "/tasks/oom"},
	{&containerd__events__task_exec_added__descriptor, "/tasks/exec-added"},
	{&containerd__events__task_exec_started__descriptor, "/tasks/exec-started"},
	{&containerd__events__task_paused__descriptor, "/tasks/paused"},
	{&containerd__events__task_resumed__descriptor, "/tasks/resumed"},
	{&containerd__events__task_checkpointed__descriptor, "/tasks/checkpointed"},
};

const char *event_topic(const ProtobufCMessageDescriptor *d)
{
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		if (topics[i].d == d)
			return topics[i].topic;
	return NULL;
}

Google__Protobuf__Timestamp timestamp_of(const struct timespec *t)
{
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

	ts.seconds = t->tv_sec;
	ts.nanos = (int32_t)t->tv_nsec;
	return ts;
}

int event_forward_request(const char *ns, const ProtobufCMessage *ev, const struct timespec *now, uint8_t **out,
			  size_t *len)
{
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest fr =
		CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
	Containerd__Services__Events__Ttrpc__V1__Envelope env = CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	const char *topic = event_topic(ev->descriptor);

	if (!topic || !ns || !*ns || (!now->tv_sec && !now->tv_nsec))
		return -EINVAL;
	any.type_url = (char *)ev->descriptor->name;
	any.value.len = protobuf_c_message_get_packed_size(ev);
	any.value.data = malloc(any.value.len ? any.value.len : 1);
	if (!any.value.data)
		return -ENOMEM;
	protobuf_c_message_pack(ev, any.value.data);
	ts = timestamp_of(now);
	env.timestamp = &ts;
	env.namespace_ = (char *)ns;
	env.topic = (char *)topic;
	env.event = &any;
	fr.envelope = &env;
	*len = protobuf_c_message_get_packed_size(&fr.base);
	*out = malloc(*len ? *len : 1);
	if (*out)
		protobuf_c_message_pack(&fr.base, *out);
	free(any.value.data);
	return *out ? 0 : -ENOMEM;
}
