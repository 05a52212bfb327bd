/* shim/metrics.c: libhusk's cgroup figures → containerd's Metrics messages.
 * The v2 message is packed from husk_stats_v2_json's shape and unpacked with
 * the generated code of containerd/cgroups' field numbers; the shim harness
 * checks the same on a real container (tests/shim, v1 here, v2 in tools/vm). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "containerd/cgroups/v1/metrics.pb-c.h"
#include "containerd/cgroups/v2/metrics.pb-c.h"
#include "metrics.h"

static void test_v2_fields(void **state)
{
	(void)state;
	const char *json =
		"{\"pids\":{\"current\":3,\"limit\":-1},"
		"\"cpu\":{\"usage_usec\":1500,\"user_usec\":1000,\"system_usec\":500,\"nr_periods\":7,\"nr_throttled\":2,"
		"\"throttled_usec\":90,\"nr_bursts\":1,\"burst_usec\":4},"
		"\"memory\":{\"anon\":4096,\"file\":8192,\"kernel_stack\":16384,\"pgfault\":11,\"workingset_refault_anon\":5},"
		"\"usage\":{\"usage\":12288,\"limit\":67108864,\"peak\":20480,\"swap_usage\":0,\"swap_limit\":-1,\"swap_peak\":0},"
		"\"events\":{\"low\":0,\"high\":1,\"max\":2,\"oom\":3,\"oom_kill\":4,\"oom_group_kill\":0},"
		"\"io\":[{\"major\":8,\"minor\":0,\"rbytes\":100,\"wbytes\":200,\"rios\":3,\"wios\":4}],"
		"\"hugetlb\":{\"2MB\":{\"current\":0,\"max\":-1,\"failcnt\":0}}}";
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	Io__Containerd__Cgroups__V2__Metrics *m;

	assert_int_equal(metrics_v2_from_stats(json, &any), 0);
	assert_string_equal(any.type_url, "io.containerd.cgroups.v2.Metrics");
	m = io__containerd__cgroups__v2__metrics__unpack(NULL, any.value.len, any.value.data);
	assert_non_null(m);
	assert_int_equal(m->pids->current, 3);
	assert_true(m->pids->limit == UINT64_MAX); /* "max", as containerd reads it */
	assert_int_equal(m->cpu->usage_usec, 1500);
	assert_int_equal(m->cpu->system_usec, 500);
	assert_int_equal(m->cpu->nr_throttled, 2);
	assert_int_equal(m->cpu->burst_usec, 4);
	assert_int_equal(m->memory->anon, 4096);
	assert_int_equal(m->memory->file, 8192);
	assert_int_equal(m->memory->kernel_stack, 16384);
	assert_int_equal(m->memory->pgfault, 11);
	assert_int_equal(m->memory->workingset_refault_anon, 5);
	assert_int_equal(m->memory->usage, 12288);
	assert_int_equal(m->memory->usage_limit, 67108864);
	assert_int_equal(m->memory->max_usage, 20480);
	assert_true(m->memory->swap_limit == UINT64_MAX);
	assert_int_equal(m->memory_events->oom_kill, 4);
	assert_int_equal(m->memory_events->max, 2);
	assert_int_equal(m->io->n_usage, 1);
	assert_int_equal(m->io->usage[0]->major, 8);
	assert_int_equal(m->io->usage[0]->wbytes, 200);
	assert_int_equal(m->io->usage[0]->wios, 4);
	assert_int_equal(m->n_hugetlb, 1);
	assert_string_equal(m->hugetlb[0]->pagesize, "2MB");
	assert_true(m->hugetlb[0]->max == UINT64_MAX);
	io__containerd__cgroups__v2__metrics__free_unpacked(m, NULL);
	free(any.value.data);
}

/* v1: husk_stats_json's data, runc's types.Stats (throttledPeriods, fields
 * left out when zero) */
static void test_v1_runc_shape(void **state)
{
	(void)state;
	const char *json = "{\"cpu\":{\"usage\":{\"total\":9,\"percpu\":[4,5],\"kernel\":0,\"user\":0},"
			   "\"throttling\":{\"periods\":7,\"throttledPeriods\":2,\"throttledTime\":90}},"
			   "\"memory\":{\"usage\":{\"limit\":64,\"usage\":3,\"failcnt\":0}},"
			   "\"pids\":{\"current\":1},\"blkio\":{},\"hugetlb\":{}}";
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	Io__Containerd__Cgroups__V1__Metrics *m;

	assert_int_equal(metrics_from_stats(json, &any), 0);
	m = io__containerd__cgroups__v1__metrics__unpack(NULL, any.value.len, any.value.data);
	assert_non_null(m);
	assert_int_equal(m->cpu->throttling->periods, 7);
	assert_int_equal(m->cpu->throttling->throttled_periods, 2);
	assert_int_equal(m->cpu->throttling->throttled_time, 90);
	assert_int_equal(m->cpu->usage->total, 9);
	assert_int_equal(m->cpu->usage->n_per_cpu, 2);
	assert_int_equal(m->memory->usage->limit, 64);
	assert_int_equal(m->memory->usage->max, 0);
	assert_int_equal(m->pids->current, 1);
	assert_int_equal(m->pids->limit, 0);
	io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
	free(any.value.data);
}

static void test_bad_json(void **state)
{
	(void)state;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;

	assert_int_equal(metrics_v2_from_stats("{", &any), -22);
	assert_int_equal(metrics_from_stats("nope", &any), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_fields),
		cmocka_unit_test(test_v1_runc_shape),
		cmocka_unit_test(test_bad_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
