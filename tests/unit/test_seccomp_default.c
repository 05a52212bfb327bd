/* The default seccomp profile: every name is a syscall libseccomp knows on
 * this architecture (a typo would silently allow nothing), no syscall is both
 * allowed and denied, and the profile is a valid linux.seccomp. */
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "husk/husk.h"
#include "internal.h"

/* names libseccomp may not resolve for x86: other architectures' syscalls */
static const char *const foreign[] = {
	"chown32", "fadvise64_64", "fcntl64", "fstat64", "fstatat64", "fstatfs64", "ftruncate64",
	"lchown32", "_llseek", "lstat64", "mmap2", "sendfile64", "stat64", "statfs64", "truncate64",
	"getegid32", "geteuid32", "getgid32", "getgroups32", "getresgid32", "getresuid32", "getuid32",
	"setfsgid32", "setfsuid32", "setgid32", "setgroups32", "setregid32", "setresgid32",
	"setresuid32", "setreuid32", "setuid32", "sigprocmask", "sigreturn", "ugetrlimit", "waitpid",
	"_newselect", "recv", "send", "socketcall", "ipc", "stime", "vm86", "vm86old", "umount",
	"clock_adjtime64", "clock_getres_time64", "clock_gettime64", "clock_nanosleep_time64",
	"clock_settime64", "futex_time64", "io_pgetevents_time64", "mq_timedreceive_time64",
	"mq_timedsend_time64", "ppoll_time64", "pselect6_time64", "recvmmsg_time64",
	"rt_sigtimedwait_time64", "sched_rr_get_interval_time64", "semtimedop_time64",
	"timer_gettime64", "timer_settime64", "timerfd_gettime64", "timerfd_settime64",
	"utimensat_time64", "get_thread_area", "set_thread_area", "epoll_ctl_old", "epoll_wait_old",
	"arch_prctl", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "uselib",
	"_sysctl", "sysfs", "ustat", "futimesat", "lookup_dcookie",
};

static bool is_foreign(const char *n)
{
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (!strcmp(foreign[i], n))
			return true;
	return false;
}

static void check_known(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool known = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, v[i]) != __NR_SCMP_ERROR ||
			     seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, v[i]) != __NR_SCMP_ERROR;
		if (!known && !is_foreign(v[i]))
			fail_msg("unknown syscall name in the default profile: %s", v[i]);
	}
}

static void test_names_are_syscalls(void **state)
{
	size_t na, nd;
	const char *const *a = husk_default_seccomp_allowed(&na), *const *d = husk_default_seccomp_denied(&nd);

	(void)state;
	assert_true(na > 250);
	check_known(a, na);
	check_known(d, nd);
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nd; j++)
			if (!strcmp(a[i], d[j]))
				fail_msg("%s is both allowed and denied", a[i]);
	for (size_t i = 0; i < na; i++)
		if (!strcmp(a[i], "clone3") || !strcmp(a[i], "clone") || !strcmp(a[i], "personality"))
			fail_msg("%s must only be allowed with argument checks (or not at all)", a[i]);
}

static void test_profile_parses(void **state)
{
	char *json = husk_spec_default_json(true);
	struct husk_spec *s = NULL;
	struct husk_error err = {0};

	(void)state;
	assert_int_equal(husk_spec_parse(json, strlen(json), "config.json", &s, &err), 0);
	assert_non_null(s->linux_.seccomp);
	assert_int_equal(s->linux_.seccomp->default_action, HUSK_SCMP_ACT_ERRNO);
	assert_int_equal(s->linux_.seccomp->default_errno_ret, 38);
	assert_int_equal(s->linux_.seccomp->n_syscalls, 6);
	assert_int_equal(s->linux_.seccomp->syscalls[1].args[0].op, HUSK_SCMP_MASKED_EQ);
	husk_spec_free(s);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_syscalls),
		cmocka_unit_test(test_profile_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
