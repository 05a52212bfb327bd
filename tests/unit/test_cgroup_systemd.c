/* The systemd driver's pure half: cgroupsPath -> unit, slice and cgroup path,
 * and linux.resources -> unit properties. Expected values are runc 1.1's
 * (specconv, libcontainer/cgroups/systemd and their tests). /proc/devices and
 * the existence of /dev/char nodes come from a fake host, so the device list
 * does not depend on this machine. Talking to systemd is tested for real in
 * the systemd VM (tests/vm/t-systemd.sh). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup-systemd.h"
#include "husk/husk.h"
#include "spec-fixture.h"

static void cat(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char **out, const char *fmt, ...)
{
	char *add, *n;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&n, "%s%s", *out ? *out : "", add) < 0)
		abort();
	free(*out);
	free(add);
	*out = n;
}

/* "Name=value|…": t as a number or "infinity", b as yes/no, arrays in [] */
static char *render(const struct sd_props *p)
{
	char *out = NULL;

	cat(&out, "%s", "");
	for (size_t i = 0; i < p->n; i++) {
		const struct sd_prop *q = &p->v[i];
		cat(&out, "%s%s=", i ? "|" : "", q->name);
		switch (q->type) {
		case SD_STR: cat(&out, "%s", q->s); break;
		case SD_BOOL: cat(&out, "%s", q->b ? "yes" : "no"); break;
		case SD_U64:
			if (q->u == UINT64_MAX)
				cat(&out, "infinity");
			else
				cat(&out, "%llu", (unsigned long long)q->u);
			break;
		case SD_STRV:
			for (size_t j = 0; j < q->n; j++)
				cat(&out, "%s%s", j ? "," : "[", q->sv[j]);
			cat(&out, q->n ? "]" : "[]");
			break;
		case SD_U32V:
			for (size_t j = 0; j < q->n; j++)
				cat(&out, "%s%u", j ? "," : "[", q->u32[j]);
			cat(&out, q->n ? "]" : "[]");
			break;
		case SD_BYTES:
			for (size_t j = 0; j < q->n; j++)
				cat(&out, "%s%02x", j ? " " : "[", q->bytes[j]);
			cat(&out, q->n ? "]" : "[]");
			break;
		case SD_DEVALLOW:
			for (size_t j = 0; j < q->n; j++)
				cat(&out, "%s%s %s", j ? "," : "[", q->sv[2 * j], q->sv[2 * j + 1]);
			cat(&out, q->n ? "]" : "[]");
			break;
		case SD_BASIC: cat(&out, "@%s", q->code); break;
		}
	}
	return out;
}

/* one value in godbus's Variant.String() notation (strings not escaped) */
static char *prop_text(const struct sd_prop *q)
{
	char *out = NULL;

	cat(&out, "%s", "");
	switch (q->type) {
	case SD_STR: cat(&out, "\"%s\"", q->s); break;
	case SD_BOOL: cat(&out, "%s", q->b ? "true" : "false"); break;
	case SD_U64: cat(&out, "@t %llu", (unsigned long long)q->u); break;
	case SD_STRV:
		for (size_t j = 0; j < q->n; j++)
			cat(&out, "%s\"%s\"", j ? ", " : "[", q->sv[j]);
		cat(&out, q->n ? "]" : "@as []");
		break;
	case SD_BASIC:
		if (q->code[0] == 'i')
			cat(&out, "%lld", (long long)q->i);
		else if (strchr("nx", q->code[0]))
			cat(&out, "@%s %lld", q->code, (long long)q->i);
		else if (q->code[0] == 'd')
			cat(&out, "%g", q->d);
		else
			cat(&out, "@%s %llu", q->code, (unsigned long long)q->u);
		break;
	default: cat(&out, "?"); break;
	}
	return out;
}

static const char fake_proc_devices[] = "Character devices:\n  1 mem\n  4 tty\n  5 /dev/tty\n 10 misc\n"
					"136 pts\n\nBlock devices:\n  7 loop\n  8 sd\n";

static bool exists_all(const char *p)
{
	(void)p;
	return true;
}

/* 1:3 exists nowhere; 10:200 only under /sys/dev (no udev to make /dev/char) */
static bool exists_some(const char *p)
{
	return strcmp(p, "/dev/char/1:3") && strcmp(p, "/sys/dev/char/1:3") && strcmp(p, "/dev/char/10:200");
}

static bool skip_devices;

static char *props_of(const char *linux_json, int version, bool (*exists)(const char *), int *rc,
		      struct husk_error *err)
{
	struct husk_spec *s = spec_with(linux_json);
	struct sd_host h = {.version = version, .proc_devices = fake_proc_devices, .exists = exists};
	struct sd_props p = {0};
	char *got;

	*rc = sd_resource_props(&s->linux_, &h, skip_devices, &p, err);
	got = render(&p);
	sd_props_free(&p);
	husk_spec_free(s);
	return got;
}

/* the device part every container has: runc's default allows, sorted by
 * (major, minor, type) as runc's emulator lists them */
#define DEFAULT_DEVICES                                                                                  \
	"DevicePolicy=strict|DeviceAllow=[]|DeviceAllow=[block-* m,char-* m,/dev/char/1:3 rwm,/dev/char/1:5 rwm," \
	"/dev/char/1:7 rwm,/dev/char/1:8 rwm,/dev/char/1:9 rwm,/dev/char/5:0 rwm,"         \
	"/dev/char/5:2 rwm,/dev/char/10:200 rwm,char-pts rwm]"

static void expect_props(const char *linux_json, int version, const char *want)
{
	struct husk_error err = {0};
	int rc;
	char *got = props_of(linux_json, version, exists_all, &rc, &err);

	if (rc < 0)
		fail_msg("%s: %s", linux_json, err.msg);
	if (strcmp(got, want))
		fail_msg("%s:\n got  %s\n want %s", linux_json, got, want);
	free(got);
}

static void expect_props_error(const char *linux_json, const char *msg)
{
	struct husk_error err = {0};
	int rc;
	char *got = props_of(linux_json, 252, exists_all, &rc, &err);

	assert_int_equal(rc, -22);
	if (!strstr(err.msg, msg))
		fail_msg("%s: error \"%s\" lacks \"%s\"", linux_json, err.msg, msg);
	free(got);
}

/* --- cgroupsPath --- */
static void expect_unit(const char *path, const char *id, const char *slice, const char *unit, const char *cg)
{
	struct husk_error err = {0};
	struct sd_unit u;

	if (sd_unit_parse(path, id, &u, &err) < 0)
		fail_msg("%s: %s", path ? path : "(none)", err.msg);
	assert_string_equal(u.slice, slice);
	assert_string_equal(u.unit, unit);
	assert_string_equal(u.path, cg);
	sd_unit_free(&u);
}

static void expect_unit_error(const char *path, const char *msg)
{
	struct husk_error err = {0};
	struct sd_unit u;

	assert_int_equal(sd_unit_parse(path, "id1", &u, &err), -22);
	if (!strstr(err.msg, msg))
		fail_msg("%s: error \"%s\" lacks \"%s\"", path, err.msg, msg);
}

static void test_cgroups_path(void **state)
{
	(void)state;
	/* no cgroupsPath: runc-ID.scope in system.slice */
	expect_unit(NULL, "abc", "system.slice", "runc-abc.scope", "/system.slice/runc-abc.scope");
	expect_unit("", "abc", "system.slice", "runc-abc.scope", "/system.slice/runc-abc.scope");
	expect_unit("system.slice:docker:1234", "x", "system.slice", "docker-1234.scope",
		    "/system.slice/docker-1234.scope");
	/* nested slices expand into their parents */
	expect_unit("kubepods-besteffort-pod1.slice:cri-containerd:c1", "x", "kubepods-besteffort-pod1.slice",
		    "cri-containerd-c1.scope",
		    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c1.scope");
	/* an empty slice is the default one; the root slice */
	expect_unit(":husk:c2", "x", "system.slice", "husk-c2.scope", "/system.slice/husk-c2.scope");
	expect_unit("-.slice:husk:c3", "x", "-.slice", "husk-c3.scope", "/husk-c3.scope");
	/* a name ending in .slice is a slice unit, not a scope */
	expect_unit("system.slice:husk:pod-x.slice", "x", "system.slice", "pod-x.slice", "/system.slice/pod-x.slice");
	/* runc keeps an empty prefix as it is */
	expect_unit("system.slice::c4", "x", "system.slice", "-c4.scope", "/system.slice/-c4.scope");

	/* the unit's cgroup is the directory systemd makes (cg_escape): '_' in
	 * front of a name starting with '.' or '_', or that looks like a
	 * controller's file (runc 1.1 uses the bare name, a directory with no
	 * process; the VM's t-systemd.sh checks systemd's ControlGroup) */
	expect_unit("system.slice:..:c5", "x", "system.slice", "..-c5.scope", "/system.slice/_..-c5.scope");
	expect_unit("system.slice:_p:c6", "x", "system.slice", "_p-c6.scope", "/system.slice/__p-c6.scope");
	expect_unit("system.slice:.p:c7", "x", "system.slice", ".p-c7.scope", "/system.slice/_.p-c7.scope");
	expect_unit("pids.slice:p:c8", "x", "pids.slice", "p-c8.scope", "/_pids.slice/p-c8.scope");
	expect_unit("system.slice:cgroup.x:c9", "x", "system.slice", "cgroup.x-c9.scope",
		    "/system.slice/_cgroup.x-c9.scope");
	expect_unit("system.slice:p:memory.slice", "x", "system.slice", "memory.slice", "/system.slice/_memory.slice");
	/* a unit whose part before the last '.' is more than a controller's name
	 * is not escaped; a parent slice that is one is */
	expect_unit("cpu-a.slice:pids:c10", "x", "cpu-a.slice", "pids-c10.scope", "/_cpu.slice/cpu-a.slice/pids-c10.scope");

	expect_unit_error("bad", "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"bad\" instead");
	expect_unit_error("/a/b", "got \"/a/b\" instead");
	expect_unit_error("a.slice:b", "slice:prefix:name");
	expect_unit_error("a.slice:b:c:d", "slice:prefix:name");
	expect_unit_error("system:husk:c", "invalid slice name: system");
	expect_unit_error("a--b.slice:husk:c", "invalid slice name: a--b.slice");
	expect_unit_error("system.slice:husk:../x", "cannot contain '/'");
}

static void expect_slice(const char *slice, const char *want)
{
	struct husk_error err = {0};
	char *got = sd_expand_slice(slice, &err);

	if (!want) {
		if (got)
			fail_msg("%s: expanded to %s, want an error", slice, got);
		assert_non_null(strstr(err.msg, "invalid slice name"));
		return;
	}
	if (!got)
		fail_msg("%s: %s", slice, err.msg);
	assert_string_equal(got, want);
	free(got);
}

/* runc's ExpandSlice */
static void test_expand_slice(void **state)
{
	(void)state;
	expect_slice("system.slice", "/system.slice");
	expect_slice("test-a-b.slice", "/test.slice/test-a.slice/test-a-b.slice");
	expect_slice("-.slice", "/");
	expect_slice("a.slice", "/a.slice");
	expect_slice("test--a.slice", NULL);
	expect_slice("-test.slice", NULL);
	expect_slice("test-.slice", NULL);
	expect_slice(".slice", NULL);
	expect_slice("slice", NULL);
	expect_slice("a/b.slice", NULL);
	expect_slice("test.scope", NULL);
	/* each level escaped as systemd's cg_slice_to_path does */
	expect_slice("cpu.slice", "/_cpu.slice");
	expect_slice("io-x.slice", "/_io.slice/io-x.slice");
	expect_slice("memory-pids.slice", "/_memory.slice/memory-pids.slice");
	expect_slice("_a-b.slice", "/__a.slice/__a-b.slice");
	expect_slice("cpuacct.slice", "/_cpuacct.slice");
	expect_slice("bpf-firewall.slice", "/bpf.slice/_bpf-firewall.slice");
	expect_slice("cpux.slice", "/cpux.slice");
}

/* runc's unifiedManager.Apply properties */
static void test_unit_props(void **state)
{
	(void)state;
	struct husk_error err = {0};
	struct sd_props p = {0};
	struct sd_unit u;
	char *got;

	assert_int_equal(sd_unit_parse("machine.slice:husk:c9", "x", &u, &err), 0);
	sd_unit_props(&u, 4242, &p);
	got = render(&p);
	assert_string_equal(got, "Description=libcontainer container c9|Slice=machine.slice|Delegate=yes|PIDs=[4242]|"
				 "MemoryAccounting=yes|CPUAccounting=yes|IOAccounting=yes|TasksAccounting=yes|"
				 "DefaultDependencies=no");
	free(got);
	sd_props_free(&p);
	sd_unit_free(&u);
	/* a slice: its parent by Wants=, no delegation */
	assert_int_equal(sd_unit_parse("system.slice:husk:pod.slice", "x", &u, &err), 0);
	sd_unit_props(&u, 7, &p);
	got = render(&p);
	assert_string_equal(got, "Description=libcontainer container pod.slice|Wants=[system.slice]|PIDs=[7]|"
				 "MemoryAccounting=yes|CPUAccounting=yes|IOAccounting=yes|TasksAccounting=yes|"
				 "DefaultDependencies=no");
	free(got);
	sd_props_free(&p);
	sd_unit_free(&u);
}

static void test_devices(void **state)
{
	(void)state;
	struct husk_error err = {0};
	int rc;
	char *got;

	/* no rules: runc's default allow-list */
	expect_props("{}", 252, DEFAULT_DEVICES);
	/* deny-all then an allow: the allow joins the list, in order */
	expect_props("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
		     "{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":0,\"access\":\"r\"},"
		     "{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"rw\"}]}}",
		     252,
		     "DevicePolicy=strict|DeviceAllow=[]|DeviceAllow=[block-* m,char-* m,/dev/char/1:3 rwm,"
		     "/dev/char/1:5 rwm,/dev/char/1:7 rwm,/dev/char/1:8 rwm,/dev/char/1:9 rwm,/dev/char/5:0 rwm,"
		     "/dev/char/5:2 rwm,/dev/block/7:0 r,block-sd rw,/dev/char/10:200 rwm,"
		     "char-pts rwm]");
	/* linux.devices are usable, and an exact repeat merges access */
	expect_props("{\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}],"
		     "\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"r\"}]}}",
		     252,
		     "DevicePolicy=strict|DeviceAllow=[]|DeviceAllow=[block-* m,char-* m,/dev/char/1:3 rwm,"
		     "/dev/char/1:5 rwm,/dev/char/1:7 rwm,/dev/char/1:8 rwm,/dev/char/1:9 rwm,/dev/char/5:0 rwm,"
		     "/dev/char/5:2 rwm,/dev/char/10:200 rwm,char-pts rwm]");
	/* allow-all: DevicePolicy=auto and an empty list */
	expect_props("{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}}", 252,
		     "DevicePolicy=auto|DeviceAllow=[]");
	/* a deny-list cannot be said to systemd: deny-all (husk's own filter does the rest) */
	expect_props("{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},"
		     "{\"allow\":false,\"type\":\"b\",\"major\":7,\"minor\":0,\"access\":\"rwm\"}]}}",
		     252, "DevicePolicy=strict|DeviceAllow=[]");
	/* a deny of a default device is undone by runc's default allows: allow-all */
	expect_props("{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},"
		     "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}}",
		     252, "DevicePolicy=auto|DeviceAllow=[]");
	/* *:n rules, unknown groups and nodes that exist nowhere are skipped */
	got = props_of("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
		       "{\"allow\":true,\"type\":\"c\",\"minor\":3,\"access\":\"r\"},"
		       "{\"allow\":true,\"type\":\"c\",\"major\":99,\"access\":\"r\"}]}}",
		       252, exists_some, &rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "DevicePolicy=strict|DeviceAllow=[]|DeviceAllow=[block-* m,char-* m,/dev/char/1:5 rwm,"
				 "/dev/char/1:7 rwm,/dev/char/1:8 rwm,/dev/char/1:9 rwm,/dev/char/5:0 rwm,"
				 "/dev/char/5:2 rwm,/dev/char/10:200 rwm,char-pts rwm]");
	free(got);
}

static void test_memory(void **state)
{
	(void)state;
	expect_props("{\"resources\":{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200}}}", 252,
		     DEFAULT_DEVICES "|MemoryMax=104857600|MemoryLow=52428800|MemorySwapMax=104857600");
	/* unlimited memory with no swap: both unlimited */
	expect_props("{\"resources\":{\"memory\":{\"limit\":-1}}}", 252,
		     DEFAULT_DEVICES "|MemoryMax=infinity|MemorySwapMax=infinity");
	expect_props("{\"resources\":{\"memory\":{\"limit\":104857600,\"swap\":-1}}}", 252,
		     DEFAULT_DEVICES "|MemoryMax=104857600|MemorySwapMax=infinity");
	/* swap equal to the limit: no swap at all, which is a 0 runc does not send */
	expect_props("{\"resources\":{\"memory\":{\"limit\":104857600,\"swap\":104857600}}}", 252,
		     DEFAULT_DEVICES "|MemoryMax=104857600");
	expect_props_error("{\"resources\":{\"memory\":{\"swap\":104857600}}}",
			   "unable to set swap limit without memory limit");
	/* swap below the limit is refused when config.json is parsed already */
}

static void test_cpu_pids(void **state)
{
	(void)state;
	/* shares -> weight: 1 + (shares - 2) * 9999 / 262142 */
	expect_props("{\"resources\":{\"cpu\":{\"shares\":1024}}}", 252, DEFAULT_DEVICES "|CPUWeight=39");
	expect_props("{\"resources\":{\"cpu\":{\"shares\":2}}}", 252, DEFAULT_DEVICES "|CPUWeight=1");
	expect_props("{\"resources\":{\"cpu\":{\"shares\":262144}}}", 252, DEFAULT_DEVICES "|CPUWeight=10000");
	/* quota per second rounded up to whole percents; the period from v242 */
	expect_props("{\"resources\":{\"cpu\":{\"quota\":50000,\"period\":100000}}}", 252,
		     DEFAULT_DEVICES "|CPUQuotaPeriodUSec=100000|CPUQuotaPerSecUSec=500000");
	expect_props("{\"resources\":{\"cpu\":{\"quota\":12345,\"period\":100000}}}", 252,
		     DEFAULT_DEVICES "|CPUQuotaPeriodUSec=100000|CPUQuotaPerSecUSec=130000");
	expect_props("{\"resources\":{\"cpu\":{\"quota\":20000}}}", 252, DEFAULT_DEVICES "|CPUQuotaPerSecUSec=200000");
	expect_props("{\"resources\":{\"cpu\":{\"quota\":-1,\"period\":50000}}}", 252,
		     DEFAULT_DEVICES "|CPUQuotaPeriodUSec=50000|CPUQuotaPerSecUSec=infinity");
	expect_props("{\"resources\":{\"cpu\":{\"quota\":50000,\"period\":200000}}}", 241,
		     DEFAULT_DEVICES "|CPUQuotaPerSecUSec=250000");
	/* cpusets from v244, as little-endian masks */
	expect_props("{\"resources\":{\"cpu\":{\"cpus\":\"0-1,9\",\"mems\":\"0\"}}}", 252,
		     DEFAULT_DEVICES "|AllowedCPUs=[03 02]|AllowedMemoryNodes=[01]");
	expect_props("{\"resources\":{\"cpu\":{\"cpus\":\"0-1\"}}}", 243, DEFAULT_DEVICES);
	/* TasksMax for a limit > 0 or -1 (0 leaves it alone) */
	expect_props("{\"resources\":{\"pids\":{\"limit\":100}}}", 252, DEFAULT_DEVICES "|TasksMax=100");
	expect_props("{\"resources\":{\"pids\":{\"limit\":-1}}}", 252, DEFAULT_DEVICES "|TasksMax=infinity");
	expect_props("{\"resources\":{\"pids\":{\"limit\":0}}}", 252, DEFAULT_DEVICES);
	/* update: runc's SkipDevices leaves the device properties out */
	skip_devices = true;
	expect_props("{\"resources\":{\"pids\":{\"limit\":7}}}", 252, "TasksMax=7");
	skip_devices = false;
	/* blockIO has no property in runc's v2 driver: the files only */
	expect_props("{\"resources\":{\"blockIO\":{\"weight\":500}}}", 252, DEFAULT_DEVICES);
}

static void test_unified(void **state)
{
	(void)state;
	expect_props("{\"resources\":{\"unified\":{\"memory.high\":\"1048576\",\"memory.min\":\" max \","
		     "\"pids.max\":\"10\",\"cpu.weight\":\"200\",\"cpu.max\":\"max 50000\",\"cpuset.mems\":\"0\","
		     "\"memory.oom.group\":\"1\",\"io.weight\":\"100\"}}}",
		     252,
		     DEFAULT_DEVICES "|MemoryHigh=1048576|MemoryMin=infinity|TasksMax=10|CPUWeight=200|"
				     "CPUQuotaPeriodUSec=50000|CPUQuotaPerSecUSec=infinity|AllowedMemoryNodes=[01]");
	expect_props("{\"resources\":{\"unified\":{\"cpu.max\":\"25000\"}}}", 252,
		     DEFAULT_DEVICES "|CPUQuotaPeriodUSec=100000|CPUQuotaPerSecUSec=250000");
	expect_props_error("{\"resources\":{\"unified\":{\"memory.max\":\"lots\"}}}",
			   "unified resource \"memory.max\" value conversion error");
	expect_props_error("{\"resources\":{\"unified\":{\"cpu.max\":\"1 2 3\"}}}", "value invalid");
}

static void expect_bits(const char *in, const char *want)
{
	uint8_t *b = NULL;
	size_t n = 0;
	char *got = NULL;
	int r = sd_range_to_bits(in, &b, &n);

	if (!want) {
		if (r == 0)
			fail_msg("\"%s\": want an error", in);
		return;
	}
	if (r < 0)
		fail_msg("\"%s\": %d", in, r);
	cat(&got, "%s", "");
	for (size_t i = 0; i < n; i++)
		cat(&got, "%s%02x", i ? " " : "", b[i]);
	assert_string_equal(got, want);
	free(got);
	free(b);
}

/* runc's TestRangeToBits (1.1.10 on, where the byte order is systemd's) */
static void test_range_to_bits(void **state)
{
	(void)state;
	expect_bits("", NULL);
	expect_bits("0", "01");
	expect_bits("1", "02");
	expect_bits("0-1", "03");
	expect_bits("0,1", "03");
	expect_bits(",0,1,", "03");
	expect_bits("0-3", "0f");
	expect_bits("0,1,2-3", "0f");
	expect_bits("4-7", "f0");
	expect_bits("0-7", "ff");
	expect_bits("0-15", "ff ff");
	expect_bits("16", "00 00 01");
	expect_bits("0-3,32-33", "0f 00 00 00 03");
	expect_bits("1, 2, 1-2", "06");
	expect_bits("    , 1   , 3  ,  5-7,\t", "ea");
	expect_bits("128-130,1", "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07");
	expect_bits("-", NULL);
	expect_bits("1-", NULL);
	expect_bits("-3", NULL);
	expect_bits("54-53", NULL);
	expect_bits("1 - 2", NULL);
}

/* runc's TestSystemdVersion */
static void test_version(void **state)
{
	(void)state;
	assert_int_equal(sd_version_atoi("\"219\""), 219);
	assert_int_equal(sd_version_atoi("\"v245.4-1.fc32\""), 245);
	assert_int_equal(sd_version_atoi("\"241-1\""), 241);
	assert_int_equal(sd_version_atoi("252.19-1~deb12u1"), 252);
	assert_int_equal(sd_version_atoi("NaN"), -1);
	assert_int_equal(sd_version_atoi(""), -1);
}

/* one annotation -> its property (NULL name: none), or an error (err set) */
static void expect_annotation(const char *key, const char *value, const char *name, const char *want_value,
			      const char *err_want)
{
	struct husk_kv kv = {(char *)key, (char *)value};
	struct husk_kvv a = {&kv, 1};
	struct sd_props p = {0};
	struct husk_error err = {0};
	char *got = NULL;
	int r = sd_annotation_props(&a, &p, &err);

	if (err_want) {
		if (r != -EINVAL || !strstr(err.msg, err_want))
			fail_msg("%s=%s: want error '%s', got %d '%s'", key, value, err_want, r, err.msg);
		assert_int_equal(p.n, 0);
		husk_error_clear(&err);
		return;
	}
	if (r < 0)
		fail_msg("%s=%s: %s", key, value, err.msg);
	if (!name) {
		assert_int_equal(p.n, 0);
		return;
	}
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].name, name);
	got = prop_text(&p.v[0]);
	if (strcmp(got, want_value))
		fail_msg("%s=%s: want %s, got %s", key, value, want_value, got);
	free(got);
	sd_props_free(&p);
}

/* runc's TestInitSystemdProps (specconv), values as godbus's Variant.String()
 * (@t for uint64, plain for int32, as the D-Bus type they go out as) */
static void test_annotations(void **state)
{
	(void)state;
	expect_annotation("org.systemd.property.TimeoutStopUSec", "uint64 123456789", "TimeoutStopUSec",
			  "@t 123456789", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "456", "TimeoutStopUSec", "@t 456000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "byte 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "int16 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "uint16 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "int32 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "uint32 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "int64 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "uint64 234", "TimeoutStopUSec", "@t 234000000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "234.789", "TimeoutStopUSec", "@t 234789000", NULL);
	expect_annotation("org.systemd.property.TimeoutStopSec", "false", NULL, NULL, "value parse error: not a number");
	expect_annotation("org.systemd.property.TimeoutStopSec", "'covfefe'", NULL, NULL, "not a number");
	expect_annotation("org.systemd.property.FOOSec", "123", "FOOSec", "123", NULL);
	expect_annotation("org.systemd.property.CollectMode", "'inactive-or-failed'", "CollectMode",
			  "\"inactive-or-failed\"", NULL);
	expect_annotation("some.other.annotation", "0", NULL, NULL, NULL);
	expect_annotation("org.systemd.property.Xo", "1", NULL, NULL,
			  "annotation org.systemd.property.Xo name incorrect: too short");
	expect_annotation("org.systemd.property.Number1", "1", NULL, NULL,
			  "annotation org.systemd.property.Number1 name incorrect: contains non-alphabetic character");
	expect_annotation("org.systemd.property.ValidName", "invalid-value", NULL, NULL,
			  "annotation org.systemd.property.ValidName=invalid-value value parse error: "
			  "unrecognized type \"invalid-value\"");
	/* runc 1.1.5's own messages on this host (see tests/compat/t-systemd-flag.sh) */
	expect_annotation("org.systemd.property.CollectMode", "x", NULL, NULL, "value parse error: unrecognized type \"x\"");
	/* the rest of the syntax husk takes, with godbus's answers */
	expect_annotation("org.systemd.property.Delegate", "true", "Delegate", "true", NULL);
	expect_annotation("org.systemd.property.Delegate", "  false trailing ignored", "Delegate", "false", NULL);
	expect_annotation("org.systemd.property.MemoryMax", "@t 1048576", "MemoryMax", "@t 1048576", NULL);
	expect_annotation("org.systemd.property.MemoryMax", "uint64 0x10", "MemoryMax", "@t 16", NULL);
	expect_annotation("org.systemd.property.MemoryMax", "uint64 010", "MemoryMax", "@t 8", NULL);
	expect_annotation("org.systemd.property.CPUWeight", "@t -1", NULL, NULL,
			  "strconv.ParseUint: parsing \"-1\": invalid syntax");
	expect_annotation("org.systemd.property.CPUWeight", "5000000000", NULL, NULL,
			  "strconv.ParseInt: parsing \"5000000000\": value out of range");
	expect_annotation("org.systemd.property.CPUWeight", "byte 256", NULL, NULL,
			  "strconv.ParseUint: parsing \"256\": value out of range");
	expect_annotation("org.systemd.property.CPUWeight", "int16 -32768", "CPUWeight", "@n -32768", NULL);
	expect_annotation("org.systemd.property.CPUWeight", "uint32 7", "CPUWeight", "@u 7", NULL);
	expect_annotation("org.systemd.property.CPUWeight", "int64 -7", "CPUWeight", "@x -7", NULL);
	expect_annotation("org.systemd.property.CPUWeight", "12x", NULL, NULL, "bad number syntax: \"12x\"");
	expect_annotation("org.systemd.property.CPUWeight", "double 1.5", NULL, NULL,
			  "dbus: can't parse \"1.5\" as type \"f\"");
	expect_annotation("org.systemd.property.CPUWeight", "string 1", NULL, NULL,
			  "dbus: can't parse \"1\" as type \"s\"");
	expect_annotation("org.systemd.property.Delegate", "@s true", NULL, NULL,
			  "dbus: can't parse \"true\" as type \"s\"");
	expect_annotation("org.systemd.property.Description", "\"a\\tb\\u00e9\"", "Description", "\"a\tb\xc3\xa9\"",
			  NULL);
	expect_annotation("org.systemd.property.Description", "'open", NULL, NULL, "unterminated string");
	expect_annotation("org.systemd.property.Description", "uint64", NULL, NULL, "unexpected EOF");
	expect_annotation("org.systemd.property.Description", "", NULL, NULL, "unexpected EOF");
	expect_annotation("org.systemd.property.Description", "uint64 string 'a'", NULL, NULL,
			  "unexpected type annotation");
	expect_annotation("org.systemd.property.Description", "boolean 'a'", NULL, NULL,
			  "invalid type \"b\" for string");
	expect_annotation("org.systemd.property.Wants", "['a.service', \"b.service\"]", "Wants",
			  "[\"a.service\", \"b.service\"]", NULL);
	expect_annotation("org.systemd.property.Wants", "@as []", "Wants", "@as []", NULL);
	expect_annotation("org.systemd.property.Wants", "[]", NULL, NULL, "can't infer type for \"[]\"");
	expect_annotation("org.systemd.property.Wants", "['a' 'b']", NULL, NULL, "unexpected \"'b'\"");
	/* husk's refusals: the syntax it does not implement */
	expect_annotation("org.systemd.property.Wants", "[1, 2]", NULL, NULL, "husk supports no arrays but of strings");
	expect_annotation("org.systemd.property.Wants", "<'a'>", NULL, NULL, "husk does not support GVariant variants");
	expect_annotation("org.systemd.property.Wants", "objectpath '/a'", NULL, NULL, "husk does not support the type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroups_path), cmocka_unit_test(test_expand_slice),
		cmocka_unit_test(test_unit_props),   cmocka_unit_test(test_devices),
		cmocka_unit_test(test_memory),       cmocka_unit_test(test_cpu_pids),
		cmocka_unit_test(test_unified),      cmocka_unit_test(test_range_to_bits),
		cmocka_unit_test(test_version),       cmocka_unit_test(test_annotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
