/* The container's cgroup statistics in the shape of runc's `events --stats`
 * "data" object (cpu, memory, pids, blkio, hugetlb), from v1 or v2 files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
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
static char *dump_unsigned(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT), *out, *w;

	if (!text)
		return NULL;
	out = xcalloc(strlen(text) * 2 + 1, 1);
	w = out;
	for (const char *r = text; *r;) {
		if (r[0] == '-' && r > text && r[-1] == ':' && r[1] >= '0' && r[1] <= '9') {
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
	}
	return a;
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
		" s:{s:o, s:o},"
		" s:o}",
		"cpu", "usage", "total", (json_int_t)read_u64(cpuacct, "cpuacct.usage"), "percpu",
		percpu(cpuacct, "cpuacct.usage_percpu"), "percpu_kernel", percpu(cpuacct, "cpuacct.usage_percpu_sys"),
		"percpu_user", percpu(cpuacct, "cpuacct.usage_percpu_user"), "kernel",
		(json_int_t)(kv_get(acct, "system") * USER_HZ_NS), "user", (json_int_t)(kv_get(acct, "user") * USER_HZ_NS),
		"throttling", "periods", (json_int_t)kv_get(thr, "nr_periods"), "throttled_periods",
		(json_int_t)kv_get(thr, "nr_throttled"), "throttled_time", (json_int_t)kv_get(thr, "throttled_time"),
		"memory", "cache", (json_int_t)kv_get(raw, "total_cache"), "usage", usage_entry(mem, "memory"),
		"swap", usage_entry(mem, "memory.memsw"), "kernel", usage_entry(mem, "memory.kmem"), "kernelTCP",
		usage_entry(mem, "memory.kmem.tcp"), "raw", raw,
		"pids", "current", (json_int_t)read_u64(pids, "pids.current"), "limit",
		(json_int_t)read_u64(pids, "pids.max"),
		"blkio", "ioServiceBytesRecursive", blkio_entries(blkio, "blkio.throttle.io_service_bytes_recursive"),
		"ioServicedRecursive", blkio_entries(blkio, "blkio.throttle.io_serviced_recursive"),
		"hugetlb", hugetlb_v1(cg_layout_dir(L, "hugetlb")));
	json_decref(acct);
	json_decref(thr);
	return out;
}

static json_t *stats_v2(const struct cg_layout *L)
{
	const char *d = cg_layout_dir(L, "");
	json_t *cpu = kv_object(d, "cpu.stat"), *raw = kv_object(d, "memory.stat");
	json_t *bytes = json_array(), *ios = json_array(), *out;
	uint64_t mem = read_u64(d, "memory.current"), mem_limit = read_limit(d, "memory.max");
	uint64_t swap_limit = read_limit(d, "memory.swap.max");

	/* runc reports swap as memory+swap on v2 too, as v1 does */
	if (swap_limit != UINT64_MAX)
		swap_limit += mem_limit;
	io_stat_v2(d, bytes, ios);
	out = json_pack(
		"{s:{s:{s:I, s:[], s:I, s:I}, s:{s:I, s:I, s:I}},"
		" s:{s:I, s:{s:I, s:I}, s:{s:I, s:I}, s:o},"
		" s:{s:I, s:I}, s:{s:o, s:o}, s:{}}",
		"cpu", "usage", "total", (json_int_t)(kv_get(cpu, "usage_usec") * 1000), "percpu", "kernel",
		(json_int_t)(kv_get(cpu, "system_usec") * 1000), "user", (json_int_t)(kv_get(cpu, "user_usec") * 1000),
		"throttling", "periods", (json_int_t)kv_get(cpu, "nr_periods"), "throttled_periods",
		(json_int_t)kv_get(cpu, "nr_throttled"), "throttled_time", (json_int_t)(kv_get(cpu, "throttled_usec") * 1000),
		"memory", "cache", (json_int_t)kv_get(raw, "file"), "usage", "usage",
		U64(mem), "limit", U64(mem_limit), "swap",
		"usage", U64(read_u64(d, "memory.swap.current") + mem), "limit", U64(swap_limit),
		"raw", raw,
		"pids", "current", (json_int_t)read_u64(d, "pids.current"), "limit", U64(read_limit(d, "pids.max")),
		"blkio", "ioServiceBytesRecursive", bytes, "ioServicedRecursive", ios, "hugetlb");
	json_decref(cpu);
	return out;
}

/* "max" → -1, else the number (the v2 raw form) */
static json_t *limit_json(const char *dir, const char *file)
{
	uint64_t v = read_limit(dir, file);

	return json_integer(v == UINT64_MAX ? -1 : (json_int_t)v);
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

static json_t *hugetlb_v2(const char *dir)
{
	json_t *o = json_object();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char size[32];
		int end = 0;
		if (sscanf(e->d_name, "hugetlb.%31[^.].current%n", size, &end) == 1 && !e->d_name[end]) {
			_cleanup_free_ char *cur = xasprintf("hugetlb.%s.current", size), *max = xasprintf("hugetlb.%s.max", size),
					    *ev = xasprintf("hugetlb.%s.events", size);
			json_t *events = kv_object(dir, ev);
			json_object_set_new(o, size, json_pack("{s:I, s:o, s:I}", "current", (json_int_t)read_u64(dir, cur),
							       "max", limit_json(dir, max), "failcnt",
							       (json_int_t)kv_get(events, "max")));
			json_decref(events);
		}
	}
	if (d)
		closedir(d);
	return o;
}

int husk_stats_v2_json(const char *root, const char *id, char **out, struct husk_error *err)
{
	struct husk_state *st;
	struct cg_layout L;
	json_t *data = NULL;
	const char *d;
	int r;

	*out = NULL;
	r = husk_state_load(root, id, &st, err);
	if (r < 0)
		return r;
	if (st->status == HUSK_STATUS_STOPPED) {
		r = husk_error_set(err, -ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	r = cg_layout_open(&st->cgroup_dirs, &L, err);
	if (r < 0)
		goto out;
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
				 "events", kv_object(d, "memory.events"), "io", io_raw_v2(d), "hugetlb", hugetlb_v2(d));
		*out = data ? json_dumps(data, JSON_COMPACT) : NULL;
		json_decref(data);
		if (!*out)
			r = husk_error_set(err, -ENOMEM, "serialize stats");
	}
	cg_layout_close(&L);
out:
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
	r = husk_state_load(root, id, &st, err);
	if (r < 0)
		return r;
	if (st->status == HUSK_STATUS_STOPPED) {
		r = husk_error_set(err, -ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	r = cg_layout_open(&st->cgroup_dirs, &L, err);
	if (r < 0)
		goto out;
	data = L.v1 ? stats_v1(&L) : stats_v2(&L);
	cg_layout_close(&L);
	*out = data ? dump_unsigned(data) : NULL;
	json_decref(data);
	if (!*out)
		r = husk_error_set(err, -ENOMEM, "serialize stats");
out:
	husk_state_free(st);
	return r;
}
