/* LSM label plumbing. This host has neither AppArmor nor SELinux, so the
 * label writes cannot take effect here; these tests cover what does not need
 * the LSM: the procfs check that stops a shadowed attr file (CVE-2019-16884),
 * that a write on the real procfs reaches the kernel, and the mount data. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lsm.h"

static void test_refuses_file_not_on_procfs(void **state)
{
	struct husk_error err = {0};
	char path[64];
	int fd;

	(void)state;
	/* an ordinary file standing where an attr file should be */
	snprintf(path, sizeof(path), "/tmp/husk-lsm-test.%d", (int)getpid());
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lsm_write_attr(path, "exec unconfined", &err), -EPERM);
	assert_non_null(strstr(err.msg, "is not on procfs"));
	unlink(path);
}

static void test_real_procfs_reaches_the_kernel(void **state)
{
	struct husk_error err = {0};
	int r;

	(void)state;
	/* with no LSM the kernel itself rejects the label: EINVAL, not our check */
	r = lsm_write_attr("/proc/thread-self/attr/exec", "husk-test-label", &err);
	if (r == 0)
		skip(); /* an LSM accepted it: nothing to learn here */
	assert_int_not_equal(r, -EPERM);
	assert_null(strstr(err.msg, "is not on procfs"));
}

static void test_mount_data(void **state)
{
	char *d;

	(void)state;
	d = lsm_mount_data(NULL, NULL);
	assert_null(d);
	d = lsm_mount_data("mode=755", NULL);
	assert_string_equal(d, "mode=755");
	free(d);
	d = lsm_mount_data(NULL, "system_u:object_r:container_file_t:s0");
	assert_string_equal(d, "context=\"system_u:object_r:container_file_t:s0\"");
	free(d);
	d = lsm_mount_data("mode=755,size=65536k", "l");
	assert_string_equal(d, "mode=755,size=65536k,context=\"l\"");
	free(d);
}

static void test_check_without_lsm(void **state)
{
	struct husk_process p = {.apparmor_profile = "husk-default"};
	struct husk_spec s = {.process = &p};
	struct husk_error err = {0};

	(void)state;
	if (lsm_apparmor_enabled())
		skip();
	assert_int_equal(lsm_check(&s, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "AppArmor is not enabled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_file_not_on_procfs),
		cmocka_unit_test(test_real_procfs_reaches_the_kernel),
		cmocka_unit_test(test_mount_data),
		cmocka_unit_test(test_check_without_lsm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
