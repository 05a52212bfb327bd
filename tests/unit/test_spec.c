/* config.json parsing: good documents become the right structs; each bad one is
 * refused with a message that names the field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "husk/spec.h"

#define BASE_HEAD "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
#define PROC "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}"

static struct husk_spec *parse_ok(const char *json)
{
	struct husk_error err = {0};
	struct husk_spec *s = NULL;
	int r = husk_spec_parse(json, strlen(json), "config.json", &s, &err);

	if (r != 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(s);
	return s;
}

static void expect_error(const char *json, const char *want)
{
	struct husk_error err = {0};
	struct husk_spec *s = NULL;
	int r = husk_spec_parse(json, strlen(json), "config.json", &s, &err);

	assert_true(r < 0);
	assert_null(s);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
}

static void test_minimal(void **state)
{
	(void)state;
	struct husk_spec *s = parse_ok(BASE_HEAD PROC "}");
	assert_string_equal(s->root_path, "rootfs");
	assert_false(s->root_readonly);
	assert_int_equal(s->process->args.n, 1);
	assert_string_equal(s->process->args.v[0], "sh");
	assert_null(s->process->args.v[1]);
	assert_string_equal(s->process->cwd, "/");
	husk_spec_free(s);
}

static void test_default_spec_parses(void **state)
{
	(void)state;
	char *json = husk_spec_default_json(false);
	struct husk_spec *s = parse_ok(json);

	assert_true(s->process->terminal);
	assert_string_equal(s->hostname, "husk");
	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[6].destination, "/sys/fs/cgroup");
	assert_int_equal(s->linux_.n_namespaces, 5);
	assert_non_null(husk_spec_namespace(s, CLONE_NEWPID));
	assert_null(husk_spec_namespace(s, CLONE_NEWUSER));
	assert_int_equal(s->process->n_rlimits, 1);
	assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->process->caps[HUSK_CAP_BOUNDING].n, 3);
	assert_int_equal(s->process->caps[HUSK_CAP_INHERITABLE].n, 0);
	assert_int_equal(s->linux_.masked_paths.n, 10);
	assert_int_equal(s->linux_.resources.n_devices, 1);
	assert_false(s->linux_.resources.devices[0].allow);
	assert_string_equal(s->linux_.resources.devices[0].access, "rwm");
	husk_spec_free(s);
	free(json);
}

static void test_full_linux(void **state)
{
	(void)state;
	struct husk_spec *s = parse_ok(
		BASE_HEAD PROC ",\"hostname\":\"h\",\"linux\":{"
		"\"namespaces\":[{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},"
		"{\"type\":\"user\"},{\"type\":\"time\"}],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":65536}],"
		"\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":65536}],"
		"\"timeOffsets\":{\"monotonic\":{\"secs\":10,\"nanosecs\":5}},"
		"\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,\"minor\":229,\"fileMode\":438}],"
		"\"cgroupsPath\":\"/husk/x\",\"rootfsPropagation\":\"rshared\","
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"resources\":{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"disableOOMKiller\":true},"
		"\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\"},"
		"\"pids\":{\"limit\":10},\"blockIO\":{\"weight\":300,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}]},"
		"\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],\"network\":{\"classID\":7,\"priorities\":[{\"name\":\"eth0\",\"priority\":3}]},"
		"\"rdma\":{\"mlx\":{\"hcaHandles\":3}},\"unified\":{\"memory.high\":\"max\"}},"
		"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]},"
		"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
		"\"personality\":{\"domain\":\"LINUX\"}}}");
	const struct husk_linux *l = &s->linux_;

	assert_int_equal(l->n_namespaces, 5);
	assert_string_equal(husk_spec_namespace(s, CLONE_NEWNET)->path, "/proc/1/ns/net");
	assert_int_equal(l->uid_mappings[0].host_id, 1000);
	assert_int_equal(l->time_monotonic.secs, 10);
	assert_int_equal(l->devices[0].file_mode, 0666);
	assert_int_equal(l->rootfs_propagation, MS_SHARED | MS_REC);
	assert_string_equal(l->sysctl.v[0].value, "1");
	assert_int_equal(l->resources.memory.limit, 1048576);
	assert_true(l->resources.memory.disable_oom_killer);
	assert_int_equal(l->resources.cpu.shares, 512);
	assert_string_equal(l->resources.cpu.cpus, "0-1");
	assert_int_equal(l->resources.pids.limit, 10);
	assert_int_equal(l->resources.block_io.throttle[0][0].rate, 100);
	assert_int_equal(l->resources.network.priorities[0].priority, 3);
	assert_int_equal(l->resources.rdma[0].hca_handles, 3);
	assert_false(l->resources.rdma[0].has_hca_objects);
	assert_string_equal(l->resources.unified.v[0].key, "memory.high");
	assert_int_equal(l->seccomp->default_action, HUSK_SCMP_ACT_ERRNO);
	assert_int_equal(l->seccomp->syscalls[1].args[0].op, HUSK_SCMP_EQ);
	assert_int_equal(l->seccomp->syscalls[1].args[0].value, 8);
	husk_spec_free(s);
}

static void test_hooks_and_mounts(void **state)
{
	(void)state;
	struct husk_spec *s = parse_ok(
		BASE_HEAD PROC ",\"mounts\":[{\"destination\":\"/data\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]},"
		"{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
		"\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],\"timeout\":5}],"
		"\"poststop\":[{\"path\":\"/bin/false\"}]}}");

	assert_int_equal(s->n_mounts, 2);
	assert_null(s->mounts[0].type);
	assert_int_equal(s->mounts[0].options.n, 2);
	assert_int_equal(s->n_hooks[HUSK_HOOK_PRESTART], 1);
	assert_int_equal(s->hooks[HUSK_HOOK_PRESTART][0].timeout, 5);
	assert_string_equal(s->hooks[HUSK_HOOK_PRESTART][0].args.v[1], "x");
	assert_int_equal(s->n_hooks[HUSK_HOOK_POSTSTOP], 1);
	assert_false(s->hooks[HUSK_HOOK_POSTSTOP][0].has_timeout);
	husk_spec_free(s);
}

static void test_bad_documents(void **state)
{
	(void)state;
	expect_error("{\"ociVersion\": \"1.0.2\", \"process\": ", "invalid JSON");
	expect_error("[]", "must be a JSON object");
	expect_error("{\"ociVersion\":\"1.0.0\"}", "root: is required");
	expect_error(BASE_HEAD "\"process\":{\"args\":[],\"cwd\":\"/\"}}",
		     "config.json: process.args: must be a non-empty array of strings");
	expect_error(BASE_HEAD "\"process\":{\"args\":[1],\"cwd\":\"/\"}}", "process.args: must be a non-empty array");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"]}}", "process.cwd: is required");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"tmp\"}}", "process.cwd: must be an absolute path");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}}", "process.env: element 0");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":\"yes\"}}", "process.terminal: must be a boolean");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":-1}}}", "process.user.uid: -1 is out of range");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]}}",
		     "process.rlimits[0].type: unknown rlimit");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":1}]}}",
		     "process.rlimits[0].soft: is greater than hard");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"oomScoreAdj\":5000}}", "process.oomScoreAdj: 5000 is out of range");
	expect_error(BASE_HEAD PROC ",\"mounts\":[{\"destination\":\"/x\"}]}", "mounts[0].type: is required");
	expect_error(BASE_HEAD PROC ",\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}]}", "mounts[0].source: is required for a bind mount");
	expect_error(BASE_HEAD PROC ",\"mounts\":{}}", "mounts: must be an array");
	expect_error(BASE_HEAD PROC ",\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}}", "hooks.poststop[0].timeout: 0 is out of range");
	expect_error(BASE_HEAD PROC ",\"hostname\":\"h\"}", "hostname: needs a private uts namespace");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}", "linux.namespaces[0].type: unknown namespace type \"bogus\"");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}", "linux.namespaces[1].type: duplicate namespace");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}", "needs linux.uidMappings");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]}}", "linux.devices[0].type: must be one of");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"lots\"}}}}", "linux.resources.memory.limit: must be an integer");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"memory\":{\"limit\":2000000,\"swap\":1000000}}}}", "linux.resources.memory.swap");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"unified\":{\"../x\":\"1\"}}}}", "invalid cgroup file name");
	/* cgroup core files that freeze, kill or move processes are no resources */
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"unified\":{\"memory.high\":\"1\",\"cgroup.freeze\":\"1\"}}}}",
		     "linux.resources.unified: \"cgroup.freeze\" is not a resource setting");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"unified\":{\"cgroup.procs\":\"1\"}}}}", "\"cgroup.procs\" is not a resource");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"unified\":{\"cgroup.threads\":\"1\"}}}}", "\"cgroup.threads\" is not a resource");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}}}", "linux.seccomp.defaultAction: unknown action");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
		     "linux.seccomp.syscalls[0].args[0].index: 9 is out of range");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}}}",
		     "needs linux.seccomp.listenerPath");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"rootfsPropagation\":\"sideways\"}}", "linux.rootfsPropagation: unknown propagation");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"timeOffsets\":{\"monotonic\":{\"secs\":1}}}}", "linux.timeOffsets: needs a new time namespace");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"sysctl\":{\"../../etc\":\"1\"}}}", "linux.sysctl: invalid key");
	expect_error(BASE_HEAD PROC ",\"annotations\":{\"a\":1}}", "annotations: value of \"a\" must be a string");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"xyz\"}]}}}",
		     "has none of r, w, m");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"blockIO\":{\"weight\":70000}}}}",
		     "linux.resources.blockIO.weight: 70000 is out of range");
	expect_error(BASE_HEAD PROC ",\"hooks\":{\"prestart\":[{\"path\":\"\"}]}}", "hooks.prestart[0].path: must not be empty");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}}", "linux.maskedPaths: needs a mount namespace");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}}",
		     "linux.seccomp.defaultAction: is required");
}

/* What runc 1.1 accepts (checked against it, tests/compat/t-spec.sh) parses, with runc's meaning. */
static void test_runc_lenient(void **state)
{
	(void)state;
	struct husk_spec *s;

	/* no ociVersion, or another major: accepted (runc never reads it), the latter with a warning */
	husk_spec_free(parse_ok("{\"root\":{\"path\":\"r\"}}"));
	s = parse_ok("{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}");
	assert_int_equal(s->warnings.n, 1);
	husk_spec_free(s);
	/* duplicate keys: the last wins; keys match case-insensitively, as Go's encoding/json */
	s = parse_ok("{\"ociVersion\":\"1.0.0\",\"Root\":{\"Path\":\"a\",\"path\":\"b\",\"path\":\"c\"}}");
	assert_string_equal(s->root_path, "c");
	husk_spec_free(s);
	/* an unknown capability is dropped with a warning */
	s = parse_ok(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":"
		     "{\"bounding\":[\"CAP_FOO\",\"CAP_KILL\"],\"effective\":[\"CAP_BAR\"]}}}");
	assert_int_equal(s->process->caps[HUSK_CAP_BOUNDING].n, 1);
	assert_string_equal(s->process->caps[HUSK_CAP_BOUNDING].v[0], "CAP_KILL");
	assert_null(s->process->caps[HUSK_CAP_BOUNDING].v[1]);
	assert_int_equal(s->process->caps[HUSK_CAP_EFFECTIVE].n, 0);
	assert_int_equal(s->process->warnings.n, 2);
	assert_non_null(strstr(s->process->warnings.v[0], "process.capabilities.bounding: ignoring unknown capability CAP_FOO"));
	husk_spec_free(s);
	/* blockIO weights of 0 are "not set" (Docker writes them into every config) */
	s = parse_ok(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"blockIO\":{\"weight\":0,\"leafWeight\":0,"
		     "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":0,\"leafWeight\":0},{\"major\":8,\"minor\":1,\"weight\":5}]}}}}");
	assert_false(s->linux_.resources.block_io.has_weight);
	assert_false(s->linux_.resources.block_io.has_leaf_weight);
	assert_false(s->linux_.resources.block_io.weight_devices[0].has_weight);
	assert_false(s->linux_.resources.block_io.weight_devices[0].has_leaf_weight);
	assert_true(s->linux_.resources.block_io.weight_devices[1].has_weight);
	assert_int_equal(s->linux_.resources.block_io.weight_devices[1].weight, 5);
	husk_spec_free(s);
	/* device fileMode with the file type bits (podman's st_mode), relative path, no major/minor */
	s = parse_ok(BASE_HEAD PROC ",\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,"
		     "\"minor\":229,\"fileMode\":8630},{\"type\":\"c\",\"path\":\"dev//x/\"}]}}");
	assert_int_equal(s->linux_.devices[0].file_mode, 0666);
	assert_string_equal(s->linux_.devices[1].path, "/dev/x");
	assert_int_equal(s->linux_.devices[1].major, 0);
	husk_spec_free(s);
	/* device rules: no allow = deny; access keeps r, w, m and ignores the rest */
	s = parse_ok(BASE_HEAD PROC ",\"linux\":{\"resources\":{\"devices\":[{\"access\":\"rwm\"},"
		     "{\"allow\":true,\"access\":\"rwa\"},{\"allow\":true,\"access\":\"mmr\"},{\"allow\":true}]}}}");
	assert_false(s->linux_.resources.devices[0].allow);
	assert_string_equal(s->linux_.resources.devices[1].access, "rw");
	assert_string_equal(s->linux_.resources.devices[2].access, "rm");
	assert_string_equal(s->linux_.resources.devices[3].access, "rwm");
	husk_spec_free(s);
	/* relative mount destination: relative to /, with a warning; a relative hook path */
	s = parse_ok(BASE_HEAD PROC ",\"mounts\":[{\"destination\":\"tmp/x/\",\"type\":\"tmpfs\"},"
		     "{\"destination\":\"/a//b/./c\",\"type\":\"tmpfs\"}],\"hooks\":{\"prestart\":[{\"path\":\"hook.sh\"}]}}");
	assert_string_equal(s->mounts[0].destination, "/tmp/x");
	assert_string_equal(s->mounts[1].destination, "/a/b/c");
	assert_int_equal(s->warnings.n, 1);
	assert_string_equal(s->hooks[HUSK_HOOK_PRESTART][0].path, "hook.sh");
	husk_spec_free(s);
	/* umask: any uint32; consoleSize without width */
	s = parse_ok(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"umask\":65535},"
		     "\"consoleSize\":{\"height\":70000}}}");
	assert_int_equal(s->process->user.umask, 65535);
	assert_int_equal(s->process->console_height, 70000 & 0xffff);
	assert_int_equal(s->process->console_width, 0);
	husk_spec_free(s);
	/* seccomp without a default action or rules is no seccomp; rules without names are fine */
	s = parse_ok(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"architectures\":[\"SCMP_ARCH_X86_64\"]}}}");
	assert_null(s->linux_.seccomp);
	husk_spec_free(s);
	s = parse_ok(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],"
		     "\"action\":\"SCMP_ACT_ERRNO\"}]}}}");
	assert_int_equal(s->linux_.seccomp->syscalls[0].names.n, 0);
	husk_spec_free(s);
	/* namespaced sysctls, with '/' separators too */
	husk_spec_free(parse_ok(BASE_HEAD PROC ",\"linux\":{\"namespaces\":[{\"type\":\"network\"},{\"type\":\"ipc\"},"
				"{\"type\":\"uts\"}],\"sysctl\":{\"net/ipv4/ip_forward\":\"1\",\"fs.mqueue.msg_max\":\"5\","
				"\"kernel.shmmax\":\"1\",\"kernel.domainname\":\"d\"}}}"));
}

static void test_unknown_fields_ignored(void **state)
{
	(void)state;
	/* unknown members are ignored; the other platforms' objects are not read
	 * (runc's Go types refuse them when they are not objects: test_go_json) */
	husk_spec_free(parse_ok(BASE_HEAD PROC ",\"windows\":{\"x\":1},\"solaris\":{},\"vendorThing\":[1,2]}"));
}

static void test_process_json(void **state)
{
	(void)state;
	const char *j = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=1\"],\"user\":{\"uid\":5,\"gid\":6,\"additionalGids\":[7,8]}}";
	struct husk_error err = {0};
	struct husk_process *p;

	assert_int_equal(husk_process_parse(j, strlen(j), "process.json", &p, &err), 0);
	assert_int_equal(p->user.uid, 5);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 8);
	husk_process_free(p);
	assert_true(husk_process_parse("{\"cwd\":\"/\"}", 11, "process.json", &p, &err) < 0);
	assert_non_null(strstr(err.msg, "process.json: args: must be a non-empty array"));
}

static void test_name_tables(void **state)
{
	(void)state;
	assert_int_equal(husk_capability_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(husk_capability_from_name("sys_admin"), -1);
	assert_string_equal(husk_capability_name(husk_capability_last()), "CAP_CHECKPOINT_RESTORE");
	assert_int_equal(husk_namespace_type("network"), CLONE_NEWNET);
	assert_string_equal(husk_namespace_name(CLONE_NEWUTS), "uts");
	assert_int_equal(husk_rlimit_from_name("RLIMIT_NPROC"), RLIMIT_NPROC);
}

/* uint64 values above INT64_MAX (RLIM_INFINITY as u64, seccomp masks) parse */
static void test_big_unsigned(void **state)
{
	(void)state;
	struct husk_spec *s = parse_ok(BASE_HEAD "\"annotations\":{\"n\":\"18446744073709551615\"},"
		"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
		"\"hard\":18446744073709551615,\"soft\":9223372036854775808}]},"
		"\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kill\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":18446744073709551615,"
		"\"valueTwo\":1,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}}");

	assert_true(s->process->rlimits[0].hard == UINT64_MAX);
	assert_true(s->process->rlimits[0].soft == 9223372036854775808ULL);
	assert_true(s->linux_.seccomp->syscalls[0].args[0].value == UINT64_MAX);
	assert_true(s->linux_.seccomp->syscalls[0].args[0].value_two == 1);
	assert_string_equal(s->annotations.v[0].value, "18446744073709551615");
	husk_spec_free(s);
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		     "\"RLIMIT_CORE\",\"hard\":18446744073709551616,\"soft\":1}]}}", "invalid JSON");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		     "\"RLIMIT_CORE\",\"hard\":-1,\"soft\":1}]}}", "process.rlimits[0].hard: -1 is out of range");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		     "\"RLIMIT_CORE\",\"hard\":\"husk-u64:5\",\"soft\":1}]}}", "process.rlimits[0].hard: 5 is out of range");
}

/* config.json read as Go's encoding/json (runc) reads it: t-mutate.sh found
 * each of these refused or read otherwise */
static void test_go_json(void **state)
{
	(void)state;
	/* bytes that are not UTF-8 and lone surrogate escapes become U+FFFD; a
	 * pair stays one character */
	struct husk_spec *s = parse_ok(BASE_HEAD PROC ",\"annotations\":{\"a\":\"x\xff\xc3(\","
				       "\"b\":\"\\ud800y\",\"c\":\"\\ud83d\\ude00\",\"d\":null},"
				       "\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]},"
				       "\"hostname\":\"first\",\"Hostname\":\"second\"} trailing words");

	assert_string_equal(s->annotations.v[0].value, "x\xef\xbf\xbd\xef\xbf\xbd(");
	assert_string_equal(s->annotations.v[1].value, "\xef\xbf\xbdy");
	assert_string_equal(s->annotations.v[2].value, "\xf0\x9f\x98\x80");
	assert_string_equal(s->annotations.v[3].value, "");
	assert_string_equal(s->hostname, "second"); /* the last of keys equal but for case */
	husk_spec_free(s);
	/* null elements are zero values, an empty namespace path is none */
	s = parse_ok(BASE_HEAD "\"process\":{\"args\":[\"sh\",null],\"cwd\":\"/\","
		     "\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[null,5,5]}},"
		     "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"\"}]}}");
	assert_int_equal(s->process->args.n, 2);
	assert_string_equal(s->process->args.v[1], "");
	assert_int_equal(s->process->user.n_additional_gids, 2); /* 0 and 5, once each */
	assert_null(s->linux_.namespaces[0].path);
	husk_spec_free(s);
	/* a NUL where a C string goes is refused by field; in an annotation it ends it */
	expect_error(BASE_HEAD PROC ",\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]},\"hostname\":\"a\\u0000b\"}",
		     "hostname: the value must not contain a NUL");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\",\"a\\u0000\"],\"cwd\":\"/\"}}",
		     "process.args: element 1 must not contain a NUL");
	s = parse_ok(BASE_HEAD PROC ",\"annotations\":{\"a\":\"x\\u0000y\"}}");
	assert_string_equal(s->annotations.v[0].value, "x");
	husk_spec_free(s);
	/* runc's Go types: other platforms' objects, ids, ranges */
	expect_error(BASE_HEAD PROC ",\"windows\":[]}", "windows: must be an object");
	expect_error(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":2147483648,"
		     "\"gid\":0}}}", "process.user.uid: 2147483648 is out of range [0, 2147483647]");
	s = parse_ok(BASE_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"consoleSize\":"
		     "{\"height\":9223372036854775808,\"width\":65616}},"
		     "\"linux\":{\"resources\":{\"memory\":{\"swappiness\":18446744073709551615}},"
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4294967297}}}");
	assert_int_equal(s->process->console_height, 0);
	assert_int_equal(s->process->console_width, 80);
	assert_false(s->linux_.resources.memory.has_swappiness);
	assert_int_equal(s->linux_.seccomp->default_errno_ret, 1);
	husk_spec_free(s);
	expect_error(BASE_HEAD PROC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		     "\"syscalls\":[{\"names\":[\"\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}}",
		     "empty string is not a valid syscall");
	expect_error(BASE_HEAD PROC ",\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":4096}]}}",
		     "linux.devices[0].major: 4096 is out of range [0, 4095]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),		  cmocka_unit_test(test_default_spec_parses),
		cmocka_unit_test(test_full_linux),	  cmocka_unit_test(test_hooks_and_mounts),
		cmocka_unit_test(test_bad_documents),	  cmocka_unit_test(test_unknown_fields_ignored),
		cmocka_unit_test(test_process_json),	  cmocka_unit_test(test_name_tables),
		cmocka_unit_test(test_big_unsigned),	  cmocka_unit_test(test_runc_lenient),
		cmocka_unit_test(test_go_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
