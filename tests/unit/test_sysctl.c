/* linux.sysctl classification and runc's checks (libcontainer/configs/validate:
 * sysctl); pure logic but for the netns path (stat of /proc/self/ns/net). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysctl.h"

static void test_dotted(void **state)
{
	char *s;

	(void)state;
	/* the cases of runc's test of its sysctl key conversion */
	struct {
		const char *in, *out;
	} cases[] = {
		{"kernel.shm_rmid_forced", "kernel.shm_rmid_forced"},
		{"kernel/shm_rmid_forced", "kernel.shm_rmid_forced"},
		{"net.ipv4.conf.eno2/100.rp_filter", "net.ipv4.conf.eno2/100.rp_filter"},
		{"net/ipv4/conf/eno2.100/rp_filter", "net.ipv4.conf.eno2/100.rp_filter"},
		{"net/ipv4/ip_local_port_range", "net.ipv4.ip_local_port_range"},
		{"kernel", "kernel"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = sysctl_dotted(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

static void test_path(void **state)
{
	char *s;

	(void)state;
	s = sysctl_path("net.ipv4.ip_forward");
	assert_string_equal(s, "net/ipv4/ip_forward");
	free(s);
	s = sysctl_path("net/ipv4/conf/eno2.100/rp_filter");
	assert_string_equal(s, "net/ipv4/conf/eno2.100/rp_filter");
	free(s);
}

static void test_classify(void **state)
{
	(void)state;
	const char *ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
			     "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.queues_max",
			     "fs.mqueue.msg_max"};
	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		assert_int_equal(sysctl_classify(ipc[i]), SYSCTL_IPC);
	assert_int_equal(sysctl_classify("net.ipv4.ping_group_range"), SYSCTL_NET);
	assert_int_equal(sysctl_classify("kernel.domainname"), SYSCTL_UTS);
	assert_int_equal(sysctl_classify("kernel.hostname"), SYSCTL_HOSTNAME);
	/* runc's table is exact: no prefix match for kernel.msg* or kernel.shm* */
	assert_int_equal(sysctl_classify("kernel.msgfoo"), SYSCTL_HOST);
	assert_int_equal(sysctl_classify("kernel.shm_next_id"), SYSCTL_HOST);
	assert_int_equal(sysctl_classify("vm.swappiness"), SYSCTL_HOST);
	assert_int_equal(sysctl_classify("fs.mqueue"), SYSCTL_HOST);
	assert_int_equal(sysctl_classify("netfoo.x"), SYSCTL_HOST);
}

static int check(const char *key, const struct husk_namespace *ns, size_t n)
{
	struct husk_kv kv = {.key = (char *)key, .value = (char *)"1"};
	struct husk_spec s = {0};
	struct husk_error err = {0};

	s.linux_.namespaces = (struct husk_namespace *)ns;
	s.linux_.n_namespaces = n;
	s.linux_.sysctl.v = &kv;
	s.linux_.sysctl.n = 1;
	return sysctl_check(&s, &err);
}

static void test_check(void **state)
{
	struct husk_namespace all[] = {{CLONE_NEWIPC, NULL}, {CLONE_NEWNET, NULL}, {CLONE_NEWUTS, NULL}};
	struct husk_namespace joined[] = {{CLONE_NEWIPC, (char *)"/proc/self/ns/ipc"},
					  {CLONE_NEWNET, (char *)"/proc/self/ns/net"},
					  {CLONE_NEWUTS, (char *)"/proc/self/ns/uts"}};

	(void)state;
	assert_int_equal(check("fs.mqueue.queues_max", NULL, 0), -EINVAL);
	assert_int_equal(check("fs.mqueue.queues_max", all, 3), 0);
	assert_int_equal(check("fs/mqueue/queues_max", NULL, 0), -EINVAL);
	assert_int_equal(check("kernel/sem", all, 1), 0);
	/* IPC and UTS: a joined path that is our own namespace is the host's,
	 * refused like net's (runc accepts it and writes the host's value) */
	assert_int_equal(check("kernel.shmmax", joined, 1), -EINVAL);
	assert_int_equal(check("kernel.domainname", joined + 2, 1), -EINVAL);
	assert_int_equal(check("kernel.shmmax", (struct husk_namespace[]){{CLONE_NEWIPC, (char *)"/nonexistent"}}, 1),
			 -ENOENT);
	assert_int_equal(check("net.ipv4.ip_forward", NULL, 0), -EINVAL);
	assert_int_equal(check("net.ipv4.ip_forward", all + 1, 1), 0);
	/* net: a joined path that is our own network namespace is the host's */
	assert_int_equal(check("net.ipv4.ip_forward", joined + 1, 1), -EINVAL);
	assert_int_equal(check("kernel.domainname", all, 2), -EINVAL);
	assert_int_equal(check("kernel.domainname", all, 3), 0);
	assert_int_equal(check("kernel.hostname", all, 3), -EINVAL);
	assert_int_equal(check("kernel.hostname", NULL, 0), -EINVAL);
	assert_int_equal(check("vm.swappiness", all, 3), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dotted),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
