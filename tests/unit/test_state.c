/* Container ids and the state JSON printed by `husk state`. */
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "husk/husk.h"
#include "internal.h"

static void test_ids(void **state)
{
	(void)state;
	struct husk_error err = {0};

	assert_int_equal(husk_validate_id("c1", &err), 0);
	assert_int_equal(husk_validate_id("a.b-c_d", &err), 0);
	assert_true(husk_validate_id("", &err) < 0);
	assert_true(husk_validate_id(NULL, &err) < 0);
	assert_true(husk_validate_id("..", &err) < 0);
	assert_true(husk_validate_id(".", &err) < 0);
	assert_true(husk_validate_id("../evil", &err) < 0);
	assert_string_equal(err.msg, "invalid container id \"../evil\"");
	assert_true(husk_validate_id("a/b", &err) < 0);
	assert_true(husk_validate_id("a b", &err) < 0);
	assert_true(husk_validate_id("a\nb", &err) < 0);
	/* runc's ^[\w+-\.]+$: the range + , - . and nothing else outside \w */
	assert_int_equal(husk_validate_id("a+b,c-d.e_F9", &err), 0);
	assert_int_equal(husk_validate_id("x..y", &err), 0);
	assert_true(husk_validate_id("a:b", &err) < 0);
	assert_true(husk_validate_id("a@b", &err) < 0);
	assert_true(husk_validate_id("\xc3\xa9", &err) < 0);
	assert_non_null(strstr(err.msg, "only ASCII letters, digits"));
}

static void test_state_json(void **state)
{
	(void)state;
	struct husk_kv ann = {"k", "v"};
	struct husk_state st = {.id = "c1", .pid = 42, .status = HUSK_STATUS_RUNNING, .bundle = "/b",
				.rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00.000000000Z",
				.owner = "", .annotations = {&ann, 1}};
	char *s = husk_state_json(&st, false);
	json_t *o = json_loads(s, 0, NULL);

	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "ociVersion")), HUSK_OCI_VERSION);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "running");
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 42);
	assert_string_equal(json_string_value(json_object_get(o, "bundle")), "/b");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "annotations"), "k")), "v");
	json_decref(o);
	free(s);
	/* a stopped container shows pid 0, as runc does */
	st.status = HUSK_STATUS_STOPPED;
	s = husk_state_json(&st, true);
	o = json_loads(s, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "stopped");
	json_decref(o);
	free(s);
}

static void test_status_of_a_dead_pid(void **state)
{
	(void)state;
	struct husk_state st = {.pid = getpid(), .start_time = 1, .state_dir = "/nonexistent"};

	/* our own pid with the wrong start time: a recycled pid, so stopped */
	assert_false(init_alive(&st));
	assert_int_equal(derive_status(&st), HUSK_STATUS_STOPPED);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(husk_status_name(HUSK_STATUS_CREATED), "created");
	assert_string_equal(husk_status_name(HUSK_STATUS_PAUSED), "paused");
	assert_string_equal(husk_status_name((enum husk_status)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids), cmocka_unit_test(test_state_json),
		cmocka_unit_test(test_status_of_a_dead_pid), cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
