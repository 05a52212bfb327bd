/* Mount option words → flags, propagation, recursive attributes and data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/mount.h>
#include <cmocka.h>

#include "mountopt.h"

static void parse(struct mount_opts *o, const char **words, size_t n)
{
	struct husk_strv v = {.v = (char **)words, .n = n};
	assert_int_equal(mount_opts_parse(&v, o), 0);
}

static void test_flags_and_data(void **state)
{
	(void)state;
	const char *w[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "ro"};
	struct mount_opts o;

	parse(&o, w, 7);
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_RDONLY);
	assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_false(o.bind);
	mount_opts_free(&o);
}

static void test_later_words_win(void **state)
{
	(void)state;
	const char *w[] = {"ro", "rw", "nodev", "dev"};
	struct mount_opts o;

	parse(&o, w, 4);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear, MS_RDONLY | MS_NODEV);
	assert_null(o.data);
	mount_opts_free(&o);
}

static void test_bind_propagation_recursive(void **state)
{
	(void)state;
	const char *w[] = {"rbind", "rslave", "rro", "rnosuid", "tmpcopyup"};
	struct mount_opts o;

	parse(&o, w, 5);
	assert_true(o.bind);
	assert_true(o.rbind);
	assert_true(o.tmpcopyup);
	assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
	assert_int_equal(o.rec_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	mount_opts_free(&o);
	assert_int_equal(mount_propagation_flag("private"), MS_PRIVATE);
	assert_int_equal(mount_propagation_flag("runbindable"), MS_UNBINDABLE | MS_REC);
	assert_int_equal(mount_propagation_flag("nosuid"), 0);
}

/* Every word of the one table is an option (none falls through to data), and
 * features' list is that table: tmpcopyup included. */
static void test_one_table(void **state)
{
	(void)state;
	size_t n = 0;
	bool copyup = false;

	for (const char *name; (name = husk_mount_option_name(n)); n++) {
		const char *w[] = {name};
		struct mount_opts o;

		parse(&o, w, 1);
		if (o.data)
			fail_msg("option %s is parsed as filesystem data", name);
		copyup |= !strcmp(name, "tmpcopyup");
		mount_opts_free(&o);
	}
	assert_true(copyup);
	assert_int_equal(n, 62);
	assert_null(husk_mount_option_name(n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_and_data),
		cmocka_unit_test(test_later_words_win),
		cmocka_unit_test(test_bind_propagation_recursive),
		cmocka_unit_test(test_one_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
