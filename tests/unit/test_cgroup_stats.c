/* The v1 blkio statistics as runc 1.1's BlkioGroup.GetStats reads them. The
 * cgroup directory is mocked with files in a temp dir: this machine's disk
 * records no blkio figures for a container, so the non-empty cases cannot be
 * produced for real (tests/compat/t-cli2.sh compares the rest with runc). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "util.h"

static char dir[64];

static void put(const char *file, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void drop(const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	unlink(path);
}

static void expect(const char *want)
{
	char *got = cgroup_stats_blkio_v1_json(dir);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_empty(void **state)
{
	(void)state;
	/* runc: every list empty → "blkio":{} */
	put("blkio.bfq.io_serviced_recursive", "Total 0\n");
	put("blkio.throttle.io_serviced_recursive", "");
	expect("{}");
}

static void test_bfq_first(void **state)
{
	(void)state;
	/* bfq's files win over throttle's; the Total line is skipped; zero
	 * fields are left out (omitempty) */
	put("blkio.bfq.io_serviced_recursive", "8:0 Read 3\n8:0 Write 0\nTotal 3\n");
	put("blkio.bfq.io_service_bytes_recursive", "8:0 Read 4096\n");
	put("blkio.throttle.io_serviced_recursive", "8:0 Read 99\n");
	put("blkio.throttle.io_service_bytes_recursive", "8:0 Read 99\n");
	expect("{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096}],"
	       "\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":3},{\"major\":8,\"op\":\"Write\"}]}");
}

static void test_throttle_when_bfq_empty(void **state)
{
	(void)state;
	put("blkio.bfq.io_serviced_recursive", "");
	expect("{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":99}],"
	       "\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":99}]}");
}

static void test_stops_at_an_empty_file(void **state)
{
	(void)state;
	/* the first file has entries, the second none: runc stops there */
	put("blkio.bfq.io_serviced_recursive", "8:16 Read 1\n");
	put("blkio.bfq.io_service_bytes_recursive", "");
	expect("{\"ioServicedRecursive\":[{\"major\":8,\"minor\":16,\"op\":\"Read\",\"value\":1}]}");
	drop("blkio.bfq.io_serviced_recursive");
	drop("blkio.bfq.io_service_bytes_recursive");
	drop("blkio.throttle.io_serviced_recursive");
	drop("blkio.throttle.io_service_bytes_recursive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_empty), cmocka_unit_test(test_bfq_first),
					   cmocka_unit_test(test_throttle_when_bfq_empty),
					   cmocka_unit_test(test_stops_at_an_empty_file)};
	int r;

	if (make_private_dir("/tmp/husk-test-blkio", dir, sizeof(dir)) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
