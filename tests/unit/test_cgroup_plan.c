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
#include "spec-fixture.h"

/* "ctrl file=value" for every write, joined by "|" (">alt=v" and "?" below) */
static char *render(const struct cg_plan *p)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->w[i].ctrl) + strlen(p->w[i].file) + strlen(p->w[i].value) + 6 +
		       (p->w[i].alt_file ? strlen(p->w[i].alt_file) + strlen(p->w[i].alt_value) : 0);
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
		if (p->w[i].alt_file) { /* "file=v>alt=v2": alt where file is missing */
			strcat(out, ">");
			strcat(out, p->w[i].alt_file);
			strcat(out, "=");
			strcat(out, p->w[i].alt_value);
		}
		if (p->w[i].optional) /* "file=v?": skipped where file is missing */
			strcat(out, "?");
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

/* blockIO weights of 0 (Docker writes "weight":0 into every config) are
 * unset, as runc's Set skips them. The parser's range check is not this
 * test's business: the zeros are put into a parsed spec by hand. */
static void expect_zero_weights(bool v2)
{
	struct husk_spec *s = spec_with("{\"resources\":{\"blockIO\":{\"weight\":10,\"leafWeight\":10,"
					"\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":10,\"leafWeight\":10}]}}}");
	struct husk_error err = {0};
	struct cg_plan p;

	s->linux_.resources.block_io.weight = 0;
	s->linux_.resources.block_io.leaf_weight = 0;
	s->linux_.resources.block_io.weight_devices[0].weight = 0;
	s->linux_.resources.block_io.weight_devices[0].leaf_weight = 0;
	assert_int_equal((v2 ? cg_plan_v2 : cg_plan_v1)(&s->linux_, &p, &err), 0);
	assert_int_equal(p.n, 0);
	cg_plan_free(&p);
	husk_spec_free(s);
}

static void test_v2_memory_cpu_pids(void **state)
{
	(void)state;
	expect_plan(true,
		    "{\"resources\":{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":100663296},"
		    "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":1},"
		    "\"pids\":{\"limit\":20}}}",
		    "memory.swap.max=33554432|memory.max=67108864|memory.low=33554432|cpu.weight=39|"
		    "cpu.max=50000 100000|cpu.max.burst=1000|cpu.idle=1|cpuset.cpus=0-1|cpuset.mems=0|pids.max=20");
}

static void test_v2_unlimited_and_defaults(void **state)
{
	(void)state;
	expect_plan(true, "{\"resources\":{\"memory\":{\"limit\":-1,\"swap\":-1},\"cpu\":{\"quota\":-1,\"period\":250000},\"pids\":{\"limit\":-1}}}",
		    "memory.swap.max=max|memory.max=max|cpu.max=max 250000|pids.max=max");
	/* runc: a limit of -1 with no swap lifts swap too; 0 is unset */
	expect_plan(true, "{\"resources\":{\"memory\":{\"limit\":-1}}}", "memory.swap.max=max|memory.max=max");
	expect_plan(true, "{\"resources\":{\"memory\":{\"limit\":0,\"swap\":0,\"reservation\":0}}}", "");
	/* swap equal to the limit: no swap at all */
	expect_plan(true, "{\"resources\":{\"memory\":{\"limit\":4096,\"swap\":4096}}}", "memory.swap.max=0|memory.max=4096");
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
		    "io.bfq.weight=500>io.weight=4950|io.bfq.weight=8:0 100?|io.max=8:0 rbps=1048576|io.max=8:16 wiops=300|"
		    "hugetlb.2MB.max=4194304|rdma.max=mlx5_1 hca_handle=3 hca_object=10000|"
		    "memory.high=50000000|io.weight=default 42");
}

static void test_v2_refusals(void **state)
{
	(void)state;
	expect_plan_error(true, "{\"resources\":{\"memory\":{\"swap\":1000}}}", "needs a memory limit");
	expect_plan_error(true, "{\"resources\":{\"memory\":{\"limit\":-1,\"swap\":1000}}}", "needs a memory limit");
	/* what v2 has no file for, runc 1.1 ignores */
	expect_plan(true, "{\"resources\":{\"cpu\":{\"realtimeRuntime\":1000,\"realtimePeriod\":5000}}}", "");
	expect_plan(true, "{\"resources\":{\"network\":{\"classID\":1}}}", "");
	expect_plan(true, "{\"resources\":{\"memory\":{\"disableOOMKiller\":true,\"swappiness\":5}}}", "");
	expect_plan(true, "{\"resources\":{\"blockIO\":{\"leafWeight\":20}}}", "");
	expect_zero_weights(true);
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
		    "cpu cpu.rt_runtime_us=950|cpuset cpuset.cpus=0|pids pids.max=5|blkio blkio.weight=300>blkio.bfq.weight=300|"
		    "blkio blkio.throttle.write_bps_device=8:0 42|net_cls net_cls.classid=1048577|"
		    "net_prio net_prio.ifpriomap=eth0 5");
	expect_plan_error(false, "{\"resources\":{\"unified\":{\"memory.high\":\"1\"}}}", "needs cgroup v2");
	/* runc: -1 without swap lifts memory+swap first (where swap is accounted), 0 is unset */
	expect_plan(false, "{\"resources\":{\"memory\":{\"limit\":-1}}}",
		    "memory memory.memsw.limit_in_bytes=-1?|memory memory.limit_in_bytes=-1");
	expect_plan(false, "{\"resources\":{\"memory\":{\"limit\":-1,\"swap\":-1}}}",
		    "memory memory.memsw.limit_in_bytes=-1|memory memory.limit_in_bytes=-1");
	expect_plan(false, "{\"resources\":{\"memory\":{\"limit\":0,\"swap\":0,\"reservation\":0}}}", "");
	/* blkio weights of 0 are unset; per-device weights go to BFQ where CFQ's file is missing */
	expect_zero_weights(false);
	expect_plan(false, "{\"resources\":{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":200}]}}}",
		    "blkio blkio.weight_device=8:0 200>blkio.bfq.weight_device=8:0 200");
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
