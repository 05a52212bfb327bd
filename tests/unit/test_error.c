/* The error convention: negative errno + a readable message chain. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "husk/error.h"

static void test_sys_appends_lowercase_reason(void **state)
{
	(void)state;
	struct husk_error err = {0};

	assert_int_equal(husk_error_sys(&err, -EACCES, "mount %s on %s", "/proc", "rootfs/proc"), -EACCES);
	assert_string_equal(err.msg, "mount /proc on rootfs/proc: permission denied");
	assert_int_equal(husk_error_wrap(&err, "create"), -EACCES);
	assert_string_equal(err.msg, "create: mount /proc on rootfs/proc: permission denied");
}

static void test_positive_codes_are_normalized(void **state)
{
	(void)state;
	struct husk_error err = {0};

	assert_int_equal(husk_error_set(&err, ENOENT, "x"), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_int_equal(husk_error_set(&err, 0, "zero"), -EINVAL);
}

static void test_long_messages_truncate(void **state)
{
	(void)state;
	struct husk_error err = {0};
	char big[3000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	husk_error_set(&err, -E2BIG, "%s", big);
	assert_int_equal(strlen(err.msg), HUSK_ERROR_MAX - 1);
	husk_error_wrap(&err, "outer");
	assert_int_equal(strncmp(err.msg, "outer: aaa", 10), 0);
	husk_error_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
}

static void test_acronyms_keep_case(void **state)
{
	(void)state;
	char buf[64];

	/* "EOF"-style reasons must not become "eOF" */
	assert_string_equal(husk_strerror(-EPERM, buf, sizeof(buf)), "operation not permitted");
	assert_string_equal(husk_strerror(-EIO, buf, sizeof(buf)), "input/output error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sys_appends_lowercase_reason),
		cmocka_unit_test(test_positive_codes_are_normalized),
		cmocka_unit_test(test_long_messages_truncate),
		cmocka_unit_test(test_acronyms_keep_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
