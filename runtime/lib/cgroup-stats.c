/* The container's cgroup statistics in the shape of runc's `events --stats`
 * "data" object (cpu, memory, pids, blkio, hugetlb), from v1 or v2 files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "internal.h"
#include "util.h"

#define USER_HZ_NS (1000000000ULL / 100)

static char *read_at(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL;
	char *t = NULL;

	if (!dir)
		return NULL;
	p = xasprintf("%s/%s", dir, file);
	return read_file(p, &t, NULL) == 0 ? t : NULL;
}

static uint64_t read_u64(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);

	return t && strncmp(t, "max", 3) ? strtoull(t, NULL, 10) : 0;
}

/* v2 limits as runc reads them: "max" is UINT64_MAX */
static uint64_t read_limit(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);

	if (!t)
		return 0;
	return strncmp(t, "max", 3) ? strtoull(t, NULL, 10) : UINT64_MAX;
}

/* jansson's integers are signed: a uint64 above INT64_MAX is stored as its
 * two's complement and turned back into digits after the dump (no figure
 * here is negative otherwise). */
#define U64(v) ((json_int_t)(uint64_t)(v))
/* the one signed figure (runc's int64; -1 is "the system default") */
#define SIGNED_KEY "\"sched_relax_domain_level\":"
static char *dump_unsigned(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT), *out, *w;

	if (!text)
		return NULL;
	out = xcalloc(strlen(text) * 2 + 1, 1);
	w = out;
	for (const char *r = text; *r;) {
		if (r[0] == '-' && r > text && r[-1] == ':' && r[1] >= '0' && r[1] <= '9' &&
		    !(r - text >= (long)strlen(SIGNED_KEY) && !strncmp(r - strlen(SIGNED_KEY), SIGNED_KEY, strlen(SIGNED_KEY)))) {
			char *end;
			long long v = strtoll(r, &end, 10);
			w += sprintf(w, "%llu", (unsigned long long)(uint64_t)v);
			r = end;
		} else {
			*w++ = *r++;
		}
	}
	free(text);
	return out;
}

/* "key value" lines → {"key": value} */
static json_t *kv_object(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);
	json_t *o = json_object();
	char *line, *save = NULL;

	for (line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		json_object_set_new(o, line, json_integer((json_int_t)strtoull(sp + 1, NULL, 10)));
	}
	return o;
}

static uint64_t kv_get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? (uint64_t)json_integer_value(v) : 0;
}

static json_t *percpu(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);
	json_t *a = json_array();
	char *tok, *save = NULL;

	for (tok = t ? strtok_r(t, " \n", &save) : NULL; tok; tok = strtok_r(NULL, " \n", &save))
		json_array_append_new(a, json_integer((json_int_t)strtoull(tok, NULL, 10)));
	return a;
}

static json_t *usage_entry(const char *dir, const char *prefix)
{
	_cleanup_free_ char *u = xasprintf("%s.usage_in_bytes", prefix), *m = xasprintf("%s.max_usage_in_bytes", prefix),
			    *f = xasprintf("%s.failcnt", prefix), *l = xasprintf("%s.limit_in_bytes", prefix);

	return json_pack("{s:I, s:I, s:I, s:I}", "usage", (json_int_t)read_u64(dir, u), "max",
			 (json_int_t)read_u64(dir, m), "failcnt", (json_int_t)read_u64(dir, f), "limit",
			 (json_int_t)read_u64(dir, l));
}

/* blkio "8:0 Read 4096" lines → [{major, minor, op, value}] */
static json_t *blkio_entries(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);
	json_t *a = json_array();
	char *line, *save = NULL;

	for (line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[32];
		unsigned long long v;
		if (sscanf(line, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
			json_array_append_new(a, json_pack("{s:i, s:i, s:s, s:I}", "major", maj, "minor", min,
							   "op", op, "value", (json_int_t)v));
		else if (sscanf(line, "%u:%u %llu", &maj, &min, &v) == 3) /* "8:0 123": no op, as runc */
			json_array_append_new(a, json_pack("{s:i, s:i, s:s, s:I}", "major", maj, "minor", min,
							   "op", "", "value", (json_int_t)v));
	}
	return a;
}

/* v1 blkio as runc 1.1's BlkioGroup.GetStats: the first group of files whose
 * first file has entries (bfq debug, bfq, cfq, throttle recursive, throttle)
 * fills the lists, up to its first empty file */
static json_t *blkio_v1(const char *dir)
{
	static const char *const keys[] = {"ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
					   "ioServiceTimeRecursive", "ioWaitTimeRecursive", "ioMergedRecursive",
					   "ioTimeRecursive", "sectorsRecursive"};
	/* {file, index in keys} per group, NULL-ended */
	static const struct {
		const char *file;
		int key;
	} groups[][9] = {
		{{"blkio.bfq.sectors_recursive", 7}, {"blkio.bfq.io_service_time_recursive", 3},
		 {"blkio.bfq.io_wait_time_recursive", 4}, {"blkio.bfq.io_merged_recursive", 5},
		 {"blkio.bfq.io_queued_recursive", 2}, {"blkio.bfq.time_recursive", 6},
		 {"blkio.bfq.io_serviced_recursive", 1}, {"blkio.bfq.io_service_bytes_recursive", 0}, {NULL, 0}},
		{{"blkio.bfq.io_serviced_recursive", 1}, {"blkio.bfq.io_service_bytes_recursive", 0}, {NULL, 0}},
		{{"blkio.sectors_recursive", 7}, {"blkio.io_service_time_recursive", 3},
		 {"blkio.io_wait_time_recursive", 4}, {"blkio.io_merged_recursive", 5},
		 {"blkio.io_queued_recursive", 2}, {"blkio.time_recursive", 6},
		 {"blkio.io_serviced_recursive", 1}, {"blkio.io_service_bytes_recursive", 0}, {NULL, 0}},
		{{"blkio.throttle.io_serviced_recursive", 1}, {"blkio.throttle.io_service_bytes_recursive", 0}, {NULL, 0}},
		{{"blkio.throttle.io_serviced", 1}, {"blkio.throttle.io_service_bytes", 0}, {NULL, 0}},
	};
	json_t *o = json_object();

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		json_object_set_new(o, keys[k], json_array());
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		for (size_t i = 0; groups[g][i].file; i++) {
			json_t *a = blkio_entries(dir, groups[g][i].file);
			if (!json_array_size(a)) {
				json_decref(a);
				if (i == 0)
					break;
				return o;
			}
			json_object_set_new(o, keys[groups[g][i].key], a);
			if (!groups[g][i + 1].file)
				return o;
		}
	}
	return o;
}

/* v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." → runc's v1-shaped lists */
static void io_stat_v2(const char *dir, json_t *bytes, json_t *ios)
{
	_cleanup_free_ char *t = read_at(dir, "io.stat");
	char *line, *save = NULL;

	for (line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
		char *p;
		if (sscanf(line, "%u:%u", &maj, &min) != 2)
			continue;
		if ((p = strstr(line, "rbytes=")))
			rb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(line, "wbytes=")))
			wb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(line, "rios=")))
			ri = strtoull(p + 5, NULL, 10);
		if ((p = strstr(line, "wios=")))
			wi = strtoull(p + 5, NULL, 10);
		json_array_append_new(bytes, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op", "Read", "value", (json_int_t)rb));
		json_array_append_new(bytes, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op", "Write", "value", (json_int_t)wb));
		json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op", "Read", "value", (json_int_t)ri));
		json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op", "Write", "value", (json_int_t)wi));
	}
}

static json_t *hugetlb_v1(const char *dir)
{
	json_t *o = json_object();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char size[32];
		if (sscanf(e->d_name, "hugetlb.%31[^.].usage_in_bytes", size) == 1) {
			_cleanup_free_ char *prefix = xasprintf("hugetlb.%s", size);
			json_t *u = usage_entry(dir, prefix);
			json_object_del(u, "limit");
			json_object_set_new(o, size, u);
		}
	}
	if (d)
		closedir(d);
	return o;
}

/* cpuset.cpus/mems "0-2,4" → [0,1,2,4] as runc's getCpusetStat; NULL when
 * missing or malformed (runc then leaves the list out) */
static json_t *cpuset_list(const char *dir, const char *file)
{
	_cleanup_free_ char *t = read_at(dir, file);
	json_t *a;
	char *tok, *save = NULL;

	if (!t || !*t || *t == '\n')
		return NULL;
	a = json_array();
	for (tok = strtok_r(t, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		unsigned lo, hi;
		int end = 0;
		if (sscanf(tok, "%u-%u%n", &lo, &hi, &end) == 2 && !tok[end] && lo <= hi && hi <= 65535) {
		} else if (sscanf(tok, "%u%n", &lo, &end) == 1 && !tok[end] && lo <= 65535) {
			hi = lo;
		} else {
			json_decref(a);
			return NULL;
		}
		for (unsigned i = lo; i <= hi; i++)
			json_array_append_new(a, json_integer(i));
	}
	return a;
}

/* runc's "cpuset" object (types.CPUSet): v1's cpuset files, all zero on v2
 * (runc 1.1 reads none there) */
static json_t *cpuset_stats(const char *dir)
{
	static const char *const flags[] = {"cpu_exclusive", "mem_hardwall", "mem_exclusive",
					    "memory_migrate", "memory_spread_page", "memory_spread_slab",
					    "memory_pressure", "sched_load_balance"};
	_cleanup_free_ char *level = read_at(dir, "cpuset.sched_relax_domain_level");
	json_t *o = json_object(), *cpus = cpuset_list(dir, "cpuset.cpus"), *mems = cpuset_list(dir, "cpuset.mems");

	if (cpus && json_array_size(cpus))
		json_object_set_new(o, "cpus", cpus);
	else
		json_decref(cpus);
	json_object_set_new(o, "cpu_exclusive", json_integer((json_int_t)read_u64(dir, "cpuset.cpu_exclusive")));
	if (mems && json_array_size(mems))
		json_object_set_new(o, "mems", mems);
	else
		json_decref(mems);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		_cleanup_free_ char *f = xasprintf("cpuset.%s", flags[i]);
		json_object_set_new(o, flags[i], json_integer((json_int_t)read_u64(dir, f)));
	}
	json_object_set_new(o, "sched_relax_domain_level", json_integer(level ? strtoll(level, NULL, 10) : 0));
	return o;
}

static bool empty_value(json_t *v)
{
	return !v || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0) ||
	       (json_is_string(v) && !*json_string_value(v)) || (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_object(v) && !json_object_size(v));
}

/* Go's `omitempty` on these fields of o (a NULL-ended list) */
static void omit_empty(json_t *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		if (json_object_get(o, *keys) && empty_value(json_object_get(o, *keys)))
			json_object_del(o, *keys);
}

/* The data in runc 1.1's types.Stats shape, from husk's raw figures: its key
 * order, its omitempty fields left out when zero or empty, and the objects
 * husk has no figures for (intel_rdt: no RDT; network_interfaces: runc
 * reports only veth interfaces it made, never any) */
static json_t *runc_shape(json_t *d, const char *cpuset_dir)
{
	static const char *const usage_keys[] = {"total", "percpu", "percpu_kernel", "percpu_user", NULL};
	static const char *const throttling_keys[] = {"periods", "throttledPeriods", "throttledTime", NULL};
	static const char *const entry_keys[] = {"usage", "max", NULL};
	static const char *const blkio_entry_keys[] = {"major", "minor", "op", "value", NULL};
	static const char *const memory_keys[] = {"cache", "raw", NULL};
	static const char *const pids_keys[] = {"current", "limit", NULL};
	static const char *const blkio_keys[] = {"ioServiceBytesRecursive", "ioServicedRecursive",
						 "ioQueueRecursive", "ioServiceTimeRecursive",
						 "ioWaitTimeRecursive", "ioMergedRecursive",
						 "ioTimeRecursive", "sectorsRecursive", NULL};
	json_t *out = json_object(), *mem = json_object_get(d, "memory"), *v;
	const char *k;
	size_t i;

	omit_empty(json_object_get(json_object_get(d, "cpu"), "usage"), usage_keys);
	omit_empty(json_object_get(json_object_get(d, "cpu"), "throttling"), throttling_keys);
	omit_empty(mem, memory_keys);
	json_object_foreach(mem, k, v)
		if (strcmp(k, "raw"))
			omit_empty(v, entry_keys);
	omit_empty(json_object_get(d, "pids"), pids_keys);
	json_object_foreach(json_object_get(d, "blkio"), k, v) {
		json_t *e;
		json_array_foreach(v, i, e)
			omit_empty(e, blkio_entry_keys);
	}
	omit_empty(json_object_get(d, "blkio"), blkio_keys);
	json_object_foreach(json_object_get(d, "hugetlb"), k, v)
		omit_empty(v, entry_keys);
	json_object_set(out, "cpu", json_object_get(d, "cpu"));
	json_object_set_new(out, "cpuset", cpuset_stats(cpuset_dir));
	json_object_set(out, "memory", json_object_get(d, "memory"));
	json_object_set(out, "pids", json_object_get(d, "pids"));
	json_object_set(out, "blkio", json_object_get(d, "blkio"));
	json_object_set(out, "hugetlb", json_object_get(d, "hugetlb"));
	json_object_set_new(out, "intel_rdt", json_object());
	json_object_set_new(out, "network_interfaces", json_null());
	json_decref(d);
	return out;
}

char *cgroup_stats_blkio_v1_json(const char *dir)
{
	json_t *o = runc_shape(json_pack("{s:{}, s:{}, s:{}, s:o, s:{}}", "cpu", "memory", "pids", "blkio",
					 blkio_v1(dir), "hugetlb"), NULL);
	char *text = json_dumps(json_object_get(o, "blkio"), JSON_COMPACT);

	json_decref(o);
	return text;
}

static json_t *stats_v1(const struct cg_layout *L)
{
	const char *cpuacct = cg_layout_dir(L, "cpuacct"), *cpu = cg_layout_dir(L, "cpu"),
		   *mem = cg_layout_dir(L, "memory"), *pids = cg_layout_dir(L, "pids"),
		   *blkio = cg_layout_dir(L, "blkio");
	json_t *acct = kv_object(cpuacct, "cpuacct.stat"), *thr = kv_object(cpu, "cpu.stat");
	json_t *raw = kv_object(mem, "memory.stat"), *out;

	out = json_pack(
		"{s:{s:{s:I, s:o, s:o, s:o, s:I, s:I}, s:{s:I, s:I, s:I}},"
		" s:{s:I, s:o, s:o, s:o, s:o, s:o},"
		" s:{s:I, s:I},"
		" s:o,"
		" s:o}",
		"cpu", "usage", "total", (json_int_t)read_u64(cpuacct, "cpuacct.usage"), "percpu",
		percpu(cpuacct, "cpuacct.usage_percpu"), "percpu_kernel", percpu(cpuacct, "cpuacct.usage_percpu_sys"),
		"percpu_user", percpu(cpuacct, "cpuacct.usage_percpu_user"), "kernel",
		(json_int_t)(kv_get(acct, "system") * USER_HZ_NS), "user", (json_int_t)(kv_get(acct, "user") * USER_HZ_NS),
		"throttling", "periods", (json_int_t)kv_get(thr, "nr_periods"), "throttledPeriods",
		(json_int_t)kv_get(thr, "nr_throttled"), "throttledTime", (json_int_t)kv_get(thr, "throttled_time"),
		"memory", "cache", (json_int_t)kv_get(raw, "cache"), "usage", usage_entry(mem, "memory"),
		"swap", usage_entry(mem, "memory.memsw"), "kernel", usage_entry(mem, "memory.kmem"), "kernelTCP",
		usage_entry(mem, "memory.kmem.tcp"), "raw", raw,
		"pids", "current", (json_int_t)read_u64(pids, "pids.current"), "limit",
		(json_int_t)read_u64(pids, "pids.max"),
		"blkio", blkio_v1(blkio), "hugetlb", hugetlb_v1(cg_layout_dir(L, "hugetlb")));
	json_decref(acct);
	json_decref(thr);
	return out;
}

/* "max" → -1, else the number (the v2 raw form) */
static json_t *limit_json(const char *dir, const char *file)
{
	uint64_t v = read_limit(dir, file);

	return json_integer(v == UINT64_MAX ? -1 : (json_int_t)v);
}

/* Per hugepage size of a v2 cgroup, from hugetlb.SIZE.current, .max and
 * the "max" count of .events: raw (the v2 metrics) {current, max, failcnt};
 * else runc 1.1's fs2 statHugeTlb, {usage, failcnt} */
static json_t *hugetlb_v2(const char *dir, bool raw)
{
	json_t *o = json_object();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char size[32];
		int end = 0;
		if (sscanf(e->d_name, "hugetlb.%31[^.].current%n", size, &end) == 1 && end && !e->d_name[end]) {
			_cleanup_free_ char *cur = xasprintf("hugetlb.%s.current", size), *max = xasprintf("hugetlb.%s.max", size),
					    *ev = xasprintf("hugetlb.%s.events", size);
			json_t *events = kv_object(dir, ev);
			json_int_t usage = (json_int_t)read_u64(dir, cur), failcnt = (json_int_t)kv_get(events, "max");

			json_object_set_new(o, size,
					    raw ? json_pack("{s:I, s:o, s:I}", "current", usage, "max", limit_json(dir, max),
							    "failcnt", failcnt)
						: json_pack("{s:I, s:I}", "usage", usage, "failcnt", failcnt));
			json_decref(events);
		}
	}
	if (d)
		closedir(d);
	return o;
}

static json_t *stats_v2(const struct cg_layout *L)
{
	const char *d = cg_layout_dir(L, "");
	json_t *cpu = kv_object(d, "cpu.stat"), *raw = kv_object(d, "memory.stat");
	json_t *bytes = json_array(), *ios = json_array(), *out;
	uint64_t mem = read_u64(d, "memory.current"), mem_limit = read_limit(d, "memory.max");
	uint64_t swap_limit = read_limit(d, "memory.swap.max"), pids_limit = read_limit(d, "pids.max");

	/* runc's statPids: no limit ("max") is 0, which its omitempty drops */
	if (pids_limit == UINT64_MAX)
		pids_limit = 0;

	/* runc reports swap as memory+swap on v2 too, as v1 does */
	if (swap_limit != UINT64_MAX)
		swap_limit += mem_limit;
	io_stat_v2(d, bytes, ios);
	/* runc 1.1's fs2 fills usage and limit; failcnt (not omitempty in its
	 * events types) stays 0, and kernel/kernelTCP are zero entries */
	out = json_pack(
		"{s:{s:{s:I, s:[], s:I, s:I}, s:{s:I, s:I, s:I}},"
		" s:{s:I, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I}, s:o},"
		" s:{s:I, s:I}, s:{s:o, s:o}, s:o}",
		"cpu", "usage", "total", (json_int_t)(kv_get(cpu, "usage_usec") * 1000), "percpu", "kernel",
		(json_int_t)(kv_get(cpu, "system_usec") * 1000), "user", (json_int_t)(kv_get(cpu, "user_usec") * 1000),
		"throttling", "periods", (json_int_t)kv_get(cpu, "nr_periods"), "throttledPeriods",
		(json_int_t)kv_get(cpu, "nr_throttled"), "throttledTime", (json_int_t)(kv_get(cpu, "throttled_usec") * 1000),
		"memory", "cache", (json_int_t)kv_get(raw, "file"), "usage", "usage",
		U64(mem), "limit", U64(mem_limit), "failcnt", (json_int_t)0, "swap",
		"usage", U64(read_u64(d, "memory.swap.current") + mem), "limit", U64(swap_limit), "failcnt",
		(json_int_t)0, "kernel", "failcnt", (json_int_t)0, "limit", (json_int_t)0, "kernelTCP", "failcnt",
		(json_int_t)0, "limit", (json_int_t)0, "raw", raw,
		"pids", "current", (json_int_t)read_u64(d, "pids.current"), "limit", U64(pids_limit),
		"blkio", "ioServiceBytesRecursive", bytes, "ioServicedRecursive", ios, "hugetlb", hugetlb_v2(d, false));
	json_decref(cpu);
	return out;
}

static json_t *io_raw_v2(const char *dir)
{
	_cleanup_free_ char *t = read_at(dir, "io.stat");
	static const char *const keys[] = {"rbytes", "wbytes", "rios", "wios"};
	json_t *a = json_array();
	char *line, *save = NULL;

	for (line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		json_t *e;
		if (sscanf(line, "%u:%u", &maj, &min) != 2)
			continue;
		e = json_pack("{s:i, s:i}", "major", maj, "minor", min);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			_cleanup_free_ char *key = xasprintf(" %s=", keys[k]);
			const char *p = strstr(line, key);
			json_object_set_new(e, keys[k], json_integer(p ? (json_int_t)strtoull(p + strlen(key), NULL, 10) : 0));
		}
		json_array_append_new(a, e);
	}
	return a;
}

/* The state of a container that is not stopped, and its cgroup layout open
 * (as runc's events, which refuses a stopped container: ESRCH). On error
 * nothing is left to free. */
static int open_running(const char *root, const char *id, struct husk_state **st, struct cg_layout *L,
			struct husk_error *err)
{
	int r;

	r = husk_state_load(root, id, st, err);
	if (r < 0)
		return r;
	if ((*st)->status == HUSK_STATUS_STOPPED)
		r = husk_error_set(err, -ESRCH, "container \"%s\" is not running", id);
	else
		r = cg_layout_open(&(*st)->cgroup_dirs, L, err);
	if (r < 0) {
		husk_state_free(*st);
		*st = NULL;
	}
	return r;
}

int husk_stats_v2_json(const char *root, const char *id, char **out, struct husk_error *err)
{
	struct husk_state *st;
	struct cg_layout L;
	json_t *data = NULL;
	const char *d;
	int r;

	*out = NULL;
	r = open_running(root, id, &st, &L, err);
	if (r < 0)
		return r;
	d = L.v1 ? NULL : cg_layout_dir(&L, "");
	if (!d) {
		r = husk_error_set(err, -EOPNOTSUPP, "container \"%s\" has its resources on cgroup v1", id);
	} else {
		data = json_pack("{s:{s:I, s:o}, s:o, s:o, s:{s:I, s:o, s:I, s:I, s:o, s:I}, s:o, s:o, s:o}",
				 "pids", "current", (json_int_t)read_u64(d, "pids.current"), "limit", limit_json(d, "pids.max"),
				 "cpu", kv_object(d, "cpu.stat"), "memory", kv_object(d, "memory.stat"),
				 "usage", "usage", (json_int_t)read_u64(d, "memory.current"), "limit",
				 limit_json(d, "memory.max"), "peak", (json_int_t)read_u64(d, "memory.peak"), "swap_usage",
				 (json_int_t)read_u64(d, "memory.swap.current"), "swap_limit", limit_json(d, "memory.swap.max"),
				 "swap_peak", (json_int_t)read_u64(d, "memory.swap.peak"),
				 "events", kv_object(d, "memory.events"), "io", io_raw_v2(d), "hugetlb", hugetlb_v2(d, true));
		*out = data ? json_dumps(data, JSON_COMPACT) : NULL;
		json_decref(data);
		if (!*out)
			r = husk_error_set(err, -ENOMEM, "serialize stats");
	}
	cg_layout_close(&L);
	husk_state_free(st);
	return r;
}

int husk_stats_json(const char *root, const char *id, char **out, struct husk_error *err)
{
	struct husk_state *st;
	struct cg_layout L;
	json_t *data;
	int r;

	*out = NULL;
	r = open_running(root, id, &st, &L, err);
	if (r < 0)
		return r;
	data = L.v1 ? stats_v1(&L) : stats_v2(&L);
	data = data ? runc_shape(data, L.v1 ? cg_layout_dir(&L, "cpuset") : NULL) : NULL;
	cg_layout_close(&L);
	*out = data ? dump_unsigned(data) : NULL;
	json_decref(data);
	if (!*out)
		r = husk_error_set(err, -ENOMEM, "serialize stats");
	husk_state_free(st);
	return r;
}
