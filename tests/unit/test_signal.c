#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "husk/husk.h"

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(husk_parse_signal("KILL"), SIGKILL);
	assert_int_equal(husk_parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(husk_parse_signal("sigterm"), SIGTERM);
	assert_int_equal(husk_parse_signal("term"), SIGTERM);
	assert_int_equal(husk_parse_signal("9"), 9);
	assert_int_equal(husk_parse_signal("15"), 15);
	assert_int_equal(husk_parse_signal("SiGcHlD"), SIGCHLD);
	assert_int_equal(husk_parse_signal("io"), SIGIO);
	assert_string_equal(husk_signal_name(SIGHUP), "HUP");
}

static void test_bad(void **state)
{
	(void)state;
	assert_true(husk_parse_signal("") < 0);
	assert_true(husk_parse_signal("NOPE") < 0);
	assert_true(husk_parse_signal("0") < 0);
	assert_true(husk_parse_signal("999") < 0);
	assert_true(husk_parse_signal("9x") < 0);
	assert_true(husk_parse_signal("SIG") < 0);
	assert_true(husk_parse_signal(NULL) < 0);
	/* names runc 1.1 refuses (one name per number, no real-time names) */
	assert_true(husk_parse_signal("IOT") < 0);
	assert_true(husk_parse_signal("SIGCLD") < 0);
	assert_true(husk_parse_signal("poll") < 0);
	assert_true(husk_parse_signal("RTMIN") < 0);
	assert_true(husk_parse_signal("RTMIN+2") < 0);
	assert_true(husk_parse_signal("SIGRTMAX-1") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_names), cmocka_unit_test(test_bad)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
