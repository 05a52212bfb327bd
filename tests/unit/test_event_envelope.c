/* Task events as containerd receives them: the ForwardRequest decodes back
 * to an Envelope with a non-zero timestamp, the namespace, the topic and an
 * Any whose type URL is the event's full proto name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "containerd/events/task.pb-c.h"
#include "event-envelope.h"

static void test_task_exit(void **state)
{
	(void)state;
	Containerd__Events__TaskExit ex = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fr;
	Containerd__Events__TaskExit *back;
	struct timespec now = {1763856000, 123};
	uint8_t *buf;
	size_t len;

	ex.container_id = "c1";
	ex.id = "c1";
	ex.pid = 4242;
	ex.exit_status = 3;
	assert_int_equal(event_forward_request("default", &ex.base, &now, &buf, &len), 0);
	fr = containerd__services__events__ttrpc__v1__forward_request__unpack(NULL, len, buf);
	assert_non_null(fr);
	assert_non_null(fr->envelope);
	assert_string_equal(fr->envelope->namespace_, "default");
	assert_string_equal(fr->envelope->topic, "/tasks/exit");
	assert_int_equal(fr->envelope->timestamp->seconds, 1763856000);
	assert_int_equal(fr->envelope->timestamp->nanos, 123);
	assert_string_equal(fr->envelope->event->type_url, "containerd.events.TaskExit");
	back = containerd__events__task_exit__unpack(NULL, fr->envelope->event->value.len, fr->envelope->event->value.data);
	assert_non_null(back);
	assert_string_equal(back->container_id, "c1");
	assert_int_equal(back->pid, 4242);
	assert_int_equal(back->exit_status, 3);
	containerd__events__task_exit__free_unpacked(back, NULL);
	containerd__services__events__ttrpc__v1__forward_request__free_unpacked(fr, NULL);
	free(buf);
}

static void test_topics_and_refusals(void **state)
{
	(void)state;
	Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
	struct timespec zero = {0, 0}, now = {1, 0};
	uint8_t *buf;
	size_t len;

	assert_string_equal(event_topic(&containerd__events__task_exec_started__descriptor), "/tasks/exec-started");
	assert_string_equal(event_topic(&containerd__events__task_oom__descriptor), "/tasks/oom");
	assert_null(event_topic(&containerd__events__task_io__descriptor)); /* a part, not an event */
	/* what containerd would refuse is not built at all */
	assert_int_equal(event_forward_request("default", &oom.base, &zero, &buf, &len), -EINVAL);
	assert_int_equal(event_forward_request("", &oom.base, &now, &buf, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_exit),
		cmocka_unit_test(test_topics_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
