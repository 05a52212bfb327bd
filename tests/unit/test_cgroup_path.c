/* cgroupsPath → one directory per mounted hierarchy. Uses this machine's real
 * /proc/self/mountinfo (read-only; nothing is created). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static void test_default_is_relative_id(void **state)
{
	(void)state;
	struct husk_error err = {0};
	struct husk_strv dirs, names;
	struct cgroup_hier *h;
	size_t n;

	assert_int_equal(cgroup_hierarchies(&h, &n), 0);
	assert_int_equal(cgroup_plan(NULL, "c1", &dirs, &names, &err), 0);
	assert_int_equal(dirs.n, n);
	/* the id, relative to the caller's own cgroup as runc's (here usually
	 * the root; this machine's memory hierarchy puts us in a sub-cgroup) */
	for (size_t i = 0; i < n; i++) {
		size_t ml = strlen(h[i].mountpoint), dl = strlen(dirs.v[i]);
		assert_true(dl >= ml + 3);
		assert_memory_equal(dirs.v[i], h[i].mountpoint, ml);
		assert_string_equal(dirs.v[i] + dl - 3, "/c1");
		assert_string_equal(names.v[i], strrchr(h[i].mountpoint, '/') + 1);
	}
	strv_free_items(&dirs);
	strv_free_items(&names);
	cgroup_hierarchies_free(h, n);
}

static void test_absolute_and_cleaned(void **state)
{
	(void)state;
	struct husk_error err = {0};
	struct husk_strv dirs;

	assert_int_equal(cgroup_plan("//a/./b/", "ignored", &dirs, NULL, &err), 0);
	for (size_t i = 0; i < dirs.n; i++) {
		size_t len = strlen(dirs.v[i]);
		assert_true(len > 4);
		assert_string_equal(dirs.v[i] + len - 4, "/a/b");
	}
	strv_free_items(&dirs);
}

/* ".." is resolved lexically, as runc's CleanPath: "/a/../../etc" is
 * "/etc" (a ".." at the top stays there) */
static void test_dotdot_cleaned(void **state)
{
	(void)state;
	struct husk_error err = {0};
	struct husk_strv dirs;
	static const char *const cases[][2] = {
		{"/a/../../etc", "/etc"}, {"/a/x/../b", "/a/b"}, {"/a/b/..", "/a"}, {"/../x/./y/..", "/x"}};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		assert_int_equal(cgroup_plan(cases[c][0], "ignored", &dirs, NULL, &err), 0);
		for (size_t i = 0; i < dirs.n; i++) {
			size_t len = strlen(dirs.v[i]), want = strlen(cases[c][1]);
			assert_true(len > want);
			assert_string_equal(dirs.v[i] + len - want, cases[c][1]);
			/* nothing of the ".." is left in the directory */
			assert_null(strstr(dirs.v[i], ".."));
		}
		strv_free_items(&dirs);
	}
}

static void test_refused(void **state)
{
	(void)state;
	struct husk_error err = {0};
	struct husk_strv dirs;

	/* ".." to the root, however reached */
	assert_true(cgroup_plan("/a/../..", "c", &dirs, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "root cgroup"));
	assert_true(cgroup_plan("../..", "c", &dirs, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "the cgroup a relative path is taken under"));
	assert_true(cgroup_plan("system.slice:husk:c1", "c", &dirs, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "systemd"));
	assert_true(cgroup_plan("/", "c", &dirs, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "root cgroup"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_relative_id), cmocka_unit_test(test_dotdot_cleaned),
		cmocka_unit_test(test_absolute_and_cleaned),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
