/* linux.resources → cgroup writes, for v1 and v2, as computed plans. This
 * host's cgroup v2 hierarchy has no controllers, so the v2 writes can only be
 * checked here, as the plan husk would apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup-resources.h"
#include "husk/husk.h"

static struct husk_spec *spec_with(const char *linux_json)
{
	char *doc = NULL;
	struct husk_spec *s = NULL;
	struct husk_error err = {0};

	if (asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":%s}", linux_json) < 0)
		abort();
	if (husk_spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0)
		fail_msg("parse: %s", err.msg);
	free(doc);
	return s;
}

/* "ctrl file=value" for every write, joined by "|" */
static char *render(const struct cg_plan *p)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->w[i].ctrl) + strlen(p->w[i].file) + strlen(p->w[i].value) + 4;
	out = calloc(1, len);
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			strcat(out, "|");
		if (*p->w[i].ctrl) {
			strcat(out, p->w[i].ctrl);
			strcat(out, " ");
		}
		strcat(out, p->w[i].file);
		strcat(out, "=");
		strcat(out, p->w[i].value);
	}
	return out;
}

static void expect_plan(bool v2, const char *linux_json, const char *want)
{
	struct husk_spec *s = spec_with(linux_json);
	struct husk_error err = {0};
	struct cg_plan p;
	char *got;

	if ((v2 ? cg_plan_v2 : cg_plan_v1)(&s->linux_, &p, &err) < 0)
		fail_msg("plan: %s", err.msg);
	got = render(&p);
	if (strcmp(got, want))
		fail_msg("plan\n got: %s\nwant: %s", got, want);
	free(got);
	cg_plan_free(&p);
	husk_spec_free(s);
}

static void expect_plan_error(bool v2, const char *linux_json, const char *want)
{
	struct husk_spec *s = spec_with(linux_json);
	struct husk_error err = {0};
	struct cg_plan p;

	assert_true((v2 ? cg_plan_v2 : cg_plan_v1)(&s->linux_, &p, &err) < 0);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
	husk_spec_free(s);
}

static void test_v2_memory_cpu_pids(void **state)
{
	(void)state;
	expect_plan(true,
		    "{\"resources\":{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":100663296},"
		    "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":1},"
		    "\"pids\":{\"limit\":20}}}",
		    "memory.max=67108864|memory.low=33554432|memory.swap.max=33554432|cpu.weight=39|"
		    "cpu.max=50000 100000|cpu.max.burst=1000|cpu.idle=1|cpuset.cpus=0-1|cpuset.mems=0|pids.max=20");
}

static void test_v2_unlimited_and_defaults(void **state)
{
	(void)state;
	expect_plan(true, "{\"resources\":{\"memory\":{\"limit\":-1,\"swap\":-1},\"cpu\":{\"quota\":-1,\"period\":250000},\"pids\":{\"limit\":-1}}}",
		    "memory.max=max|memory.swap.max=max|cpu.max=max 250000|pids.max=max");
	/* a quota with no period gets the kernel's default period */
	expect_plan(true, "{\"resources\":{\"cpu\":{\"quota\":20000}}}", "cpu.max=20000 100000");
	/* pids 0 leaves the limit alone (runc) */
	expect_plan(true, "{\"resources\":{\"pids\":{\"limit\":0}}}", "");
}

static void test_v2_io_hugetlb_rdma_unified(void **state)
{
	(void)state;
	expect_plan(true,
		    "{\"resources\":{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":100}],"
		    "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
		    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":300}]},"
		    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
		    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
		    "\"unified\":{\"memory.high\":\"50000000\",\"io.weight\":\"default 42\"}}}",
		    "io.weight=default 4950|io.weight=8:0 910|io.max=8:0 rbps=1048576|io.max=8:16 wiops=300|"
		    "hugetlb.2MB.max=4194304|rdma.max=mlx5_1 hca_handle=3 hca_object=10000|"
		    "memory.high=50000000|io.weight=default 42");
}

static void test_v2_refusals(void **state)
{
	(void)state;
	expect_plan_error(true, "{\"resources\":{\"cpu\":{\"realtimeRuntime\":1000}}}", "no realtime cpu budget");
	expect_plan_error(true, "{\"resources\":{\"network\":{\"classID\":1}}}", "no net_cls/net_prio");
	expect_plan_error(true, "{\"resources\":{\"memory\":{\"swap\":1000}}}", "needs a memory limit");
	expect_plan_error(true, "{\"resources\":{\"memory\":{\"disableOOMKiller\":true}}}", "cannot disable the OOM killer");
}

static void test_v1_plan(void **state)
{
	(void)state;
	expect_plan(false,
		    "{\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"swappiness\":10,\"disableOOMKiller\":true},"
		    "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"realtimeRuntime\":950,\"realtimePeriod\":1000,\"cpus\":\"0\"},"
		    "\"pids\":{\"limit\":5},\"blockIO\":{\"weight\":300,\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":42}]},"
		    "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}}",
		    "memory memory.limit_in_bytes=67108864|memory memory.memsw.limit_in_bytes=134217728|"
		    "memory memory.swappiness=10|memory memory.oom_control=1|cpu cpu.shares=512|"
		    "cpu cpu.cfs_period_us=100000|cpu cpu.cfs_quota_us=20000|cpu cpu.rt_period_us=1000|"
		    "cpu cpu.rt_runtime_us=950|cpuset cpuset.cpus=0|pids pids.max=5|blkio blkio.weight=300|"
		    "blkio blkio.throttle.write_bps_device=8:0 42|net_cls net_cls.classid=1048577|"
		    "net_prio net_prio.ifpriomap=eth0 5");
	expect_plan_error(false, "{\"resources\":{\"unified\":{\"memory.high\":\"1\"}}}", "needs cgroup v2");
}

static void test_conversions(void **state)
{
	(void)state;
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_shares_to_weight(0), 0);
	assert_int_equal(cg_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(cg_blkio_weight_to_io_weight(1000), 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_memory_cpu_pids), cmocka_unit_test(test_v2_unlimited_and_defaults),
		cmocka_unit_test(test_v2_io_hugetlb_rdma_unified), cmocka_unit_test(test_v2_refusals),
		cmocka_unit_test(test_v1_plan), cmocka_unit_test(test_conversions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
