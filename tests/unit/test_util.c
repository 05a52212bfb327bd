/* libhusk's small helpers that touch the system: user names from /etc/passwd
 * and private temp directories. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"

static void test_user_names(void **state)
{
	(void)state;
	char *name = user_name_of(0);

	/* every Debian /etc/passwd starts with root */
	assert_string_equal(name, "root");
	free(name);
	/* no system gives this uid a name */
	name = user_name_of(2147480001u);
	assert_string_equal(name, "#2147480001");
	free(name);
}

static void test_private_dirs(void **state)
{
	(void)state;
	char a[128], b[128], tiny[12];
	struct stat st;

	assert_int_equal(make_private_dir("/tmp/husk-unit", a, sizeof(a)), 0);
	assert_int_equal(make_private_dir("/tmp/husk-unit", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, "/tmp/husk-unit.", 15), 0);
	assert_int_equal(stat(a, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(rmdir(a), 0);
	assert_int_equal(rmdir(b), 0);
	/* a name that does not fit is refused, nothing made */
	assert_int_equal(make_private_dir("/tmp/husk-unit", tiny, sizeof(tiny)), -ENAMETOOLONG);
	/* a parent that is not there */
	assert_int_equal(make_private_dir("/nonexistent-husk/x", a, sizeof(a)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_names),
		cmocka_unit_test(test_private_dirs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
