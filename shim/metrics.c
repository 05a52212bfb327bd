/* Field by field from the JSON libhusk reads out of the cgroup files: the
 * v1 Metrics from runc's events --stats shape on a v1 or hybrid host, the v2
 * Metrics from the v2 files on a pure v2 host (containerd and CRI decode by
 * the type URL, and expect the v2 one there). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "containerd/cgroups/v1/metrics.pb-c.h"
#include "containerd/cgroups/v2/metrics.pb-c.h"
#include "metrics.h"
#include "util.h"

typedef Io__Containerd__Cgroups__V1__Metrics Metrics;

/* m packed into any under type_url (a static string); any->value.data is
 * NULL when out of memory (one spare byte, so that an empty message still
 * allocates). */
static void pack_any(Google__Protobuf__Any *any, const char *type_url, const ProtobufCMessage *m)
{
	any->type_url = (char *)type_url;
	any->value.len = protobuf_c_message_get_packed_size(m);
	any->value.data = malloc(any->value.len + 1);
	if (any->value.data)
		protobuf_c_message_pack(m, any->value.data);
}

static uint64_t u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static void memory_entry(json_t *o, Io__Containerd__Cgroups__V1__MemoryEntry *e)
{
	io__containerd__cgroups__v1__memory_entry__init(e);
	e->limit = u64(o, "limit");
	e->usage = u64(o, "usage");
	e->max = u64(o, "max");
	e->failcnt = u64(o, "failcnt");
}

/* the "raw" memory.stat keys that the v1 message has fields for */
static void memory_raw(json_t *raw, Io__Containerd__Cgroups__V1__MemoryStat *m)
{
	static const struct {
		const char *key;
		size_t off;
	} map[] = {
#define F(k, f) {k, offsetof(Io__Containerd__Cgroups__V1__MemoryStat, f)}
		F("cache", cache), F("rss", rss), F("rss_huge", rss_huge), F("mapped_file", mapped_file),
		F("dirty", dirty), F("writeback", writeback), F("pgpgin", pg_pg_in), F("pgpgout", pg_pg_out),
		F("pgfault", pg_fault), F("pgmajfault", pg_maj_fault), F("inactive_anon", inactive_anon),
		F("active_anon", active_anon), F("inactive_file", inactive_file), F("active_file", active_file),
		F("unevictable", unevictable), F("hierarchical_memory_limit", hierarchical_memory_limit),
		F("hierarchical_memsw_limit", hierarchical_swap_limit), F("total_cache", total_cache),
		F("total_rss", total_rss), F("total_rss_huge", total_rss_huge), F("total_mapped_file", total_mapped_file),
		F("total_dirty", total_dirty), F("total_writeback", total_writeback), F("total_pgpgin", total_pg_pg_in),
		F("total_pgpgout", total_pg_pg_out), F("total_pgfault", total_pg_fault),
		F("total_pgmajfault", total_pg_maj_fault), F("total_inactive_anon", total_inactive_anon),
		F("total_active_anon", total_active_anon), F("total_inactive_file", total_inactive_file),
		F("total_active_file", total_active_file), F("total_unevictable", total_unevictable),
		/* v2 names for what v1 calls rss and mapped_file */
		F("anon", rss), F("file_mapped", mapped_file), F("file_dirty", dirty), F("file_writeback", writeback),
#undef F
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (json_object_get(raw, map[i].key))
			*(uint64_t *)((char *)m + map[i].off) = u64(raw, map[i].key);
}

struct blkio_buf {
	Io__Containerd__Cgroups__V1__BlkIOEntry *e, **p;
	size_t n;
};

static void blkio_list(json_t *a, struct blkio_buf *b)
{
	size_t n = json_array_size(a), i;
	json_t *v;

	b->n = n;
	b->e = xcalloc(n + 1, sizeof(*b->e));
	b->p = xcalloc(n + 1, sizeof(*b->p));
	json_array_foreach(a, i, v)
	{
		io__containerd__cgroups__v1__blk_ioentry__init(&b->e[i]);
		b->e[i].op = (char *)json_string_value(json_object_get(v, "op"));
		if (!b->e[i].op)
			b->e[i].op = (char *)"";
		b->e[i].major = u64(v, "major");
		b->e[i].minor = u64(v, "minor");
		b->e[i].value = u64(v, "value");
		b->p[i] = &b->e[i];
	}
}

int metrics_from_stats(const char *json, Google__Protobuf__Any *any)
{
	json_t *root = json_loads(json, 0, NULL), *cpu, *mem, *v;
	Metrics m = IO__CONTAINERD__CGROUPS__V1__METRICS__INIT;
	Io__Containerd__Cgroups__V1__PidsStat pids = IO__CONTAINERD__CGROUPS__V1__PIDS_STAT__INIT;
	Io__Containerd__Cgroups__V1__CPUStat cs = IO__CONTAINERD__CGROUPS__V1__CPUSTAT__INIT;
	Io__Containerd__Cgroups__V1__CPUUsage cu = IO__CONTAINERD__CGROUPS__V1__CPUUSAGE__INIT;
	Io__Containerd__Cgroups__V1__Throttle th = IO__CONTAINERD__CGROUPS__V1__THROTTLE__INIT;
	Io__Containerd__Cgroups__V1__MemoryStat ms = IO__CONTAINERD__CGROUPS__V1__MEMORY_STAT__INIT;
	Io__Containerd__Cgroups__V1__MemoryEntry mu, msw, mk, mkt;
	Io__Containerd__Cgroups__V1__BlkIOStat bs = IO__CONTAINERD__CGROUPS__V1__BLK_IOSTAT__INIT;
	Io__Containerd__Cgroups__V1__HugetlbStat *hs = NULL, **hp = NULL;
	struct blkio_buf bytes = {0}, ios = {0};
	uint64_t *percpu = NULL;
	const char *key;
	size_t i;

	if (!root)
		return -EINVAL;
	cpu = json_object_get(root, "cpu");
	v = json_object_get(json_object_get(cpu, "usage"), "percpu");
	cu.total = u64(json_object_get(cpu, "usage"), "total");
	cu.kernel = u64(json_object_get(cpu, "usage"), "kernel");
	cu.user = u64(json_object_get(cpu, "usage"), "user");
	cu.n_per_cpu = json_array_size(v);
	percpu = xcalloc(cu.n_per_cpu + 1, sizeof(*percpu));
	for (i = 0; i < cu.n_per_cpu; i++)
		percpu[i] = (uint64_t)json_integer_value(json_array_get(v, i));
	cu.per_cpu = percpu;
	th.periods = u64(json_object_get(cpu, "throttling"), "periods");
	th.throttled_periods = u64(json_object_get(cpu, "throttling"), "throttledPeriods");
	th.throttled_time = u64(json_object_get(cpu, "throttling"), "throttledTime");
	cs.usage = &cu;
	cs.throttling = &th;
	m.cpu = &cs;

	mem = json_object_get(root, "memory");
	memory_raw(json_object_get(mem, "raw"), &ms);
	memory_entry(json_object_get(mem, "usage"), &mu);
	memory_entry(json_object_get(mem, "swap"), &msw);
	memory_entry(json_object_get(mem, "kernel"), &mk);
	memory_entry(json_object_get(mem, "kernelTCP"), &mkt);
	ms.usage = &mu;
	ms.swap = &msw;
	ms.kernel = &mk;
	ms.kernel_tcp = &mkt;
	m.memory = &ms;

	pids.current = u64(json_object_get(root, "pids"), "current");
	pids.limit = u64(json_object_get(root, "pids"), "limit");
	m.pids = &pids;

	blkio_list(json_object_get(json_object_get(root, "blkio"), "ioServiceBytesRecursive"), &bytes);
	blkio_list(json_object_get(json_object_get(root, "blkio"), "ioServicedRecursive"), &ios);
	bs.n_io_service_bytes_recursive = bytes.n;
	bs.io_service_bytes_recursive = bytes.p;
	bs.n_io_serviced_recursive = ios.n;
	bs.io_serviced_recursive = ios.p;
	m.blkio = &bs;

	v = json_object_get(root, "hugetlb");
	m.n_hugetlb = json_object_size(v);
	hs = xcalloc(m.n_hugetlb + 1, sizeof(*hs));
	hp = xcalloc(m.n_hugetlb + 1, sizeof(*hp));
	i = 0;
	{
		json_t *h;
		json_object_foreach(v, key, h)
		{
			io__containerd__cgroups__v1__hugetlb_stat__init(&hs[i]);
			hs[i].pagesize = (char *)key;
			hs[i].usage = u64(h, "usage");
			hs[i].max = u64(h, "max");
			hs[i].failcnt = u64(h, "failcnt");
			hp[i] = &hs[i];
			i++;
		}
	}
	m.hugetlb = hp;

	pack_any(any, "io.containerd.cgroups.v1.Metrics", &m.base);
	free(percpu);
	free(bytes.e);
	free(bytes.p);
	free(ios.e);
	free(ios.p);
	free(hs);
	free(hp);
	json_decref(root);
	return any->value.data ? 0 : -ENOMEM;
}

/* ---- v2 ---- */
typedef Io__Containerd__Cgroups__V2__Metrics Metrics2;

/* -1 in husk_stats_v2_json is "max" */
static uint64_t limit64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return 0;
	return json_integer_value(v) < 0 ? UINT64_MAX : (uint64_t)json_integer_value(v);
}

static void memory_v2(json_t *stat, json_t *usage, Io__Containerd__Cgroups__V2__MemoryStat *m)
{
	static const struct {
		const char *key;
		size_t off;
	} map[] = {
#define F(k) {#k, offsetof(Io__Containerd__Cgroups__V2__MemoryStat, k)}
		F(anon), F(file), F(kernel_stack), F(slab), F(sock), F(shmem), F(file_mapped), F(file_dirty),
		F(file_writeback), F(anon_thp), F(inactive_anon), F(active_anon), F(inactive_file), F(active_file),
		F(unevictable), F(slab_reclaimable), F(slab_unreclaimable), F(pgfault), F(pgmajfault),
		F(workingset_refault), F(workingset_activate), F(workingset_nodereclaim), F(pgrefill), F(pgscan),
		F(pgsteal), F(pgactivate), F(pgdeactivate), F(pglazyfree), F(pglazyfreed), F(thp_fault_alloc),
		F(thp_collapse_alloc), F(workingset_refault_anon), F(workingset_refault_file),
		F(workingset_activate_anon), F(workingset_activate_file),
#undef F
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		*(uint64_t *)((char *)m + map[i].off) = u64(stat, map[i].key);
	m->usage = u64(usage, "usage");
	m->usage_limit = limit64(usage, "limit");
	m->max_usage = u64(usage, "peak");
	m->swap_usage = u64(usage, "swap_usage");
	m->swap_limit = limit64(usage, "swap_limit");
	m->swap_max_usage = u64(usage, "swap_peak");
}

int metrics_v2_from_stats(const char *json, Google__Protobuf__Any *any)
{
	json_t *root = json_loads(json, 0, NULL), *cpu, *ev, *io, *h, *v;
	Metrics2 m = IO__CONTAINERD__CGROUPS__V2__METRICS__INIT;
	Io__Containerd__Cgroups__V2__PidsStat pids = IO__CONTAINERD__CGROUPS__V2__PIDS_STAT__INIT;
	Io__Containerd__Cgroups__V2__CPUStat cs = IO__CONTAINERD__CGROUPS__V2__CPUSTAT__INIT;
	Io__Containerd__Cgroups__V2__MemoryStat ms = IO__CONTAINERD__CGROUPS__V2__MEMORY_STAT__INIT;
	Io__Containerd__Cgroups__V2__MemoryEvents me = IO__CONTAINERD__CGROUPS__V2__MEMORY_EVENTS__INIT;
	Io__Containerd__Cgroups__V2__IOStat is = IO__CONTAINERD__CGROUPS__V2__IOSTAT__INIT;
	Io__Containerd__Cgroups__V2__IOEntry *ie = NULL, **ip = NULL;
	Io__Containerd__Cgroups__V2__HugeTlbStat *hs = NULL, **hp = NULL;
	const char *key;
	size_t i;

	if (!root)
		return -EINVAL;
	pids.current = u64(json_object_get(root, "pids"), "current");
	pids.limit = limit64(json_object_get(root, "pids"), "limit");
	m.pids = &pids;

	cpu = json_object_get(root, "cpu");
	cs.usage_usec = u64(cpu, "usage_usec");
	cs.user_usec = u64(cpu, "user_usec");
	cs.system_usec = u64(cpu, "system_usec");
	cs.nr_periods = u64(cpu, "nr_periods");
	cs.nr_throttled = u64(cpu, "nr_throttled");
	cs.throttled_usec = u64(cpu, "throttled_usec");
	cs.nr_bursts = u64(cpu, "nr_bursts");
	cs.burst_usec = u64(cpu, "burst_usec");
	m.cpu = &cs;

	memory_v2(json_object_get(root, "memory"), json_object_get(root, "usage"), &ms);
	m.memory = &ms;

	ev = json_object_get(root, "events");
	me.low = u64(ev, "low");
	me.high = u64(ev, "high");
	me.max = u64(ev, "max");
	me.oom = u64(ev, "oom");
	me.oom_kill = u64(ev, "oom_kill");
	me.oom_group_kill = u64(ev, "oom_group_kill");
	m.memory_events = &me;

	io = json_object_get(root, "io");
	is.n_usage = json_array_size(io);
	ie = xcalloc(is.n_usage + 1, sizeof(*ie));
	ip = xcalloc(is.n_usage + 1, sizeof(*ip));
	json_array_foreach(io, i, v)
	{
		io__containerd__cgroups__v2__ioentry__init(&ie[i]);
		ie[i].major = u64(v, "major");
		ie[i].minor = u64(v, "minor");
		ie[i].rbytes = u64(v, "rbytes");
		ie[i].wbytes = u64(v, "wbytes");
		ie[i].rios = u64(v, "rios");
		ie[i].wios = u64(v, "wios");
		ip[i] = &ie[i];
	}
	is.usage = ip;
	m.io = &is;

	v = json_object_get(root, "hugetlb");
	m.n_hugetlb = json_object_size(v);
	hs = xcalloc(m.n_hugetlb + 1, sizeof(*hs));
	hp = xcalloc(m.n_hugetlb + 1, sizeof(*hp));
	i = 0;
	json_object_foreach(v, key, h)
	{
		io__containerd__cgroups__v2__huge_tlb_stat__init(&hs[i]);
		hs[i].pagesize = (char *)key;
		hs[i].current = u64(h, "current");
		hs[i].max = limit64(h, "max");
		hs[i].failcnt = u64(h, "failcnt");
		hp[i] = &hs[i];
		i++;
	}
	m.hugetlb = hp;

	pack_any(any, "io.containerd.cgroups.v2.Metrics", &m.base);
	free(ie);
	free(ip);
	free(hs);
	free(hp);
	json_decref(root);
	return any->value.data ? 0 : -ENOMEM;
}

int metrics_for_container(const char *root, const char *id, Google__Protobuf__Any *any, struct husk_error *err)
{
	char *json = NULL;
	bool v2 = true;
	int r = husk_stats_v2_json(root, id, &json, err);

	if (r == -EOPNOTSUPP) { /* resources on v1: runc's shape, the v1 message */
		husk_error_clear(err);
		v2 = false;
		r = husk_stats_json(root, id, &json, err);
	}
	if (r < 0)
		return r;
	r = v2 ? metrics_v2_from_stats(json, any) : metrics_from_stats(json, any);
	free(json);
	return r < 0 ? husk_error_set(err, r, "cannot convert the cgroup statistics") : 0;
}
