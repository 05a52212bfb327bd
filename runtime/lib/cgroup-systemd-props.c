/* The pure half of the systemd driver: what cgroupsPath names (unit, slice,
 * cgroup path) and which unit properties linux.resources becomes, following
 * runc 1.1's specconv and libcontainer/cgroups/systemd (common.go, v2.go).
 * Nothing here touches the host: /proc/devices and path checks come in
 * through struct sd_host, so unit/cgroup_systemd tests it all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-devices.h"
#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "husk/log.h"
#include "util.h"

/* Default kernel CFS period, the one runc assumes when only a quota is given. */
#define DEF_CPU_QUOTA_PERIOD 100000ULL

static char *dupn(const char *s, size_t n)
{
	char *d = xcalloc(n + 1, 1);

	memcpy(d, s, n);
	return d;
}

void sd_unit_free(struct sd_unit *u)
{
	free(u->slice);
	free(u->name);
	free(u->unit);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* systemd's cg_escape: a unit's cgroup directory is its name with '_' in
 * front when the name could be taken for a kernel file or a v1 hierarchy's
 * (it starts with '_' or '.', is a cgroup v1 core file, starts with
 * "cgroup.", or its part before the last '.' is a controller's name), so
 * that "..-x.scope" lives in "_..-x.scope" and "cpu.slice" in "_cpu.slice".
 * runc 1.1 does not escape, and then writes the limits to a directory of its
 * own making that holds no process (docs/compat.md). */
static char *sd_cg_escape(const char *name)
{
	/* systemd 252's cgroup_controller_table */
	static const char *const ctrl[] = {"cpu",	      "cpuacct",     "cpuset",	    "io",
					   "blkio",	      "memory",	     "devices",	    "pids",
					   "bpf-firewall",    "bpf-devices", "bpf-foreign", "bpf-socket-bind",
					   "bpf-restrict-network-interfaces"};
	const char *dot = strrchr(name, '.');
	bool prefix = name[0] == '\0' || name[0] == '_' || name[0] == '.' || !strcmp(name, "notify_on_release") ||
		      !strcmp(name, "release_agent") || !strcmp(name, "tasks") || !strncmp(name, "cgroup.", 7);

	for (size_t i = 0; !prefix && dot && i < sizeof(ctrl) / sizeof(ctrl[0]); i++)
		prefix = strlen(ctrl[i]) == (size_t)(dot - name) && !strncmp(name, ctrl[i], (size_t)(dot - name));
	return xasprintf("%s%s", prefix ? "_" : "", name);
}

char *sd_expand_slice(const char *slice, struct husk_error *err)
{
	static const char suffix[] = ".slice";
	size_t len = strlen(slice), sl = sizeof(suffix) - 1;
	_cleanup_free_ char *name = NULL;
	char *path = xstrdup(""), *save = NULL, *comp, *prefix = xstrdup("");

	if (len < sl || strcmp(slice + len - sl, suffix) || strchr(slice, '/'))
		goto bad;
	name = dupn(slice, len - sl);
	if (!strcmp(name, "-")) {
		free(prefix);
		free(path);
		return xstrdup("/");
	}
	/* "a--b" and "-a" have empty components: systemd refuses them */
	if (!*name || name[0] == '-' || name[strlen(name) - 1] == '-' || strstr(name, "--"))
		goto bad;
	for (comp = strtok_r(name, "-", &save); comp; comp = strtok_r(NULL, "-", &save)) {
		_cleanup_free_ char *unit = xasprintf("%s%s%s", prefix, comp, suffix), *dir = sd_cg_escape(unit);
		char *np = xasprintf("%s/%s", path, dir), *pp = xasprintf("%s%s-", prefix, comp);
		free(path);
		free(prefix);
		path = np;
		prefix = pp;
	}
	free(prefix);
	return path;
bad:
	free(prefix);
	free(path);
	husk_error_set(err, -EINVAL, "invalid slice name: %s", slice);
	return NULL;
}

int sd_unit_parse(const char *cgroups_path, const char *id, struct sd_unit *u, struct husk_error *err)
{
	_cleanup_free_ char *expanded = NULL, *prefix = NULL;
	const char *c1, *c2;

	memset(u, 0, sizeof(*u));
	if (!cgroups_path || !*cgroups_path) {
		u->slice = xstrdup("");
		prefix = xstrdup("runc");
		u->name = xstrdup(id);
	} else {
		c1 = strchr(cgroups_path, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strchr(c2 + 1, ':'))
			return husk_error_set(err, -EINVAL,
					      "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"%s\" instead",
					      cgroups_path);
		u->slice = dupn(cgroups_path, (size_t)(c1 - cgroups_path));
		prefix = dupn(c1 + 1, (size_t)(c2 - c1 - 1));
		u->name = xstrdup(c2 + 1);
	}
	/* systemd refuses such unit names; refuse them before they reach a path */
	if (strchr(prefix, '/') || strchr(u->name, '/')) {
		sd_unit_free(u);
		return husk_error_set(err, -EINVAL, "cgroupsPath \"%s\": a unit name cannot contain '/'", cgroups_path);
	}
	if (!*u->slice) { /* runc's default parent */
		free(u->slice);
		u->slice = xstrdup("system.slice");
	}
	expanded = sd_expand_slice(u->slice, err);
	if (!expanded) {
		sd_unit_free(u);
		return err->code;
	}
	/* a scope unless the name asks for a slice (runc's getUnitName) */
	size_t nl = strlen(u->name);
	if (nl >= 6 && !strcmp(u->name + nl - 6, ".slice"))
		u->unit = xstrdup(u->name);
	else
		u->unit = xasprintf("%s-%s.scope", prefix, u->name);
	_cleanup_free_ char *dir = sd_cg_escape(u->unit);
	u->path = xasprintf("%s/%s", strcmp(expanded, "/") ? expanded : "", dir);
	return 0;
}

/* --- property lists --- */
void sd_props_free(struct sd_props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct sd_prop *q = &p->v[i];
		size_t ns = q->type == SD_DEVALLOW ? 2 * q->n : q->type == SD_STRV ? q->n : 0;
		free(q->name);
		free(q->s);
		for (size_t j = 0; j < ns; j++)
			free(q->sv[j]);
		free(q->sv);
		free(q->u32);
		free(q->bytes);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static struct sd_prop *push(struct sd_props *p, const char *name, enum sd_prop_type t)
{
	struct sd_prop *q;

	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	q = &p->v[p->n++];
	memset(q, 0, sizeof(*q));
	q->name = xstrdup(name);
	q->type = t;
	return q;
}

static void push_str(struct sd_props *p, const char *name, const char *s)
{
	push(p, name, SD_STR)->s = xstrdup(s);
}

static void push_bool(struct sd_props *p, const char *name, bool b)
{
	push(p, name, SD_BOOL)->b = b;
}

static void push_u64(struct sd_props *p, const char *name, uint64_t u)
{
	push(p, name, SD_U64)->u = u;
}

void sd_unit_props(const struct sd_unit *u, pid_t pid, struct sd_props *p)
{
	_cleanup_free_ char *desc = xasprintf("libcontainer container %s", u->name);
	size_t ul = strlen(u->unit);

	push_str(p, "Description", desc);
	if (ul >= 6 && !strcmp(u->unit + ul - 6, ".slice")) {
		/* a slice's parent is given by Wants= */
		struct sd_prop *q = push(p, "Wants", SD_STRV);
		q->sv = xcalloc(1, sizeof(char *));
		q->sv[0] = xstrdup(u->slice);
		q->n = 1;
	} else {
		push_str(p, "Slice", u->slice);
		push_bool(p, "Delegate", true);
	}
	if (pid > 0) {
		struct sd_prop *q = push(p, "PIDs", SD_U32V);
		q->u32 = xcalloc(1, sizeof(uint32_t));
		q->u32[0] = (uint32_t)pid;
		q->n = 1;
	}
	/* accounting on, as the cgroupfs driver has every controller */
	push_bool(p, "MemoryAccounting", true);
	push_bool(p, "CPUAccounting", true);
	push_bool(p, "IOAccounting", true);
	push_bool(p, "TasksAccounting", true);
	push_bool(p, "DefaultDependencies", false);
}

/* --- devices --- */
static int cmp_exception(const void *a, const void *b)
{
	const struct cg_dev_exception *x = a, *y = b;

	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

/* The group name (second column of /proc/devices) of type/major, "" if none. */
static char *device_group(const char *proc_devices, char type, int64_t major)
{
	_cleanup_free_ char *copy = xstrdup(proc_devices ? proc_devices : "");
	char *save = NULL, cur = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long m;
		char name[256];

		while (*line == ' ')
			line++;
		if (!strcmp(line, "Block devices:"))
			cur = 'b';
		else if (!strcmp(line, "Character devices:"))
			cur = 'c';
		else if (cur == type && sscanf(line, "%lld %255s", &m, name) == 2 && m == major)
			return xasprintf("%s-%s", type == 'b' ? "block" : "char", name);
	}
	return xstrdup("");
}

static void push_devallow(struct sd_props *p, char **entries, size_t n)
{
	struct sd_prop *q = push(p, "DeviceAllow", SD_DEVALLOW);

	q->sv = entries;
	q->n = n;
}

/* runc's generateDeviceProperties: systemd's allow-list in strict mode */
static int device_props(const struct husk_linux *l, const struct sd_host *h, struct sd_props *p,
			struct husk_error *err)
{
	struct husk_device_rule *rules;
	struct cg_dev_state s;
	char **list = NULL;
	size_t n = 0, nr = cg_dev_rules(l, &rules);
	int r = cg_dev_emulate(rules, nr, &s, err);

	free(rules);
	if (r < 0)
		return r;
	if (s.default_allow) {
		/* systemd has no deny-lists: allow-all is "auto", anything else
		 * becomes deny-all here and husk's own filter does the rest */
		bool all = s.n == 0;
		if (!all)
			husk_warn("systemd doesn't support blacklist device rules -- applying temporary deny-all rule");
		push_str(p, "DevicePolicy", all ? "auto" : "strict");
		push_devallow(p, NULL, 0);
		cg_dev_state_free(&s);
		return 0;
	}
	push_str(p, "DevicePolicy", "strict");
	push_devallow(p, NULL, 0); /* empties the list before it is filled */
	qsort(s.ex, s.n, sizeof(*s.ex), cmp_exception);
	for (size_t i = 0; i < s.n; i++) {
		const struct cg_dev_exception *e = &s.ex[i];
		const char *kind = e->type == 'b' ? "block" : "char";
		char perms[4], *path, *pp = perms;

		if (e->access & BPF_DEVCG_ACC_READ)
			*pp++ = 'r';
		if (e->access & BPF_DEVCG_ACC_WRITE)
			*pp++ = 'w';
		if (e->access & BPF_DEVCG_ACC_MKNOD)
			*pp++ = 'm';
		*pp = 0;
		if (e->major < 0) {
			if (e->minor >= 0) {
				husk_warn("systemd doesn't support '*:n' device rules -- temporarily ignoring rule: %c *:%" PRId64
					  " %s", e->type, e->minor, perms);
				continue;
			}
			path = xasprintf("%s-*", kind);
		} else if (e->minor < 0) {
			path = device_group(h->proc_devices, e->type, e->major);
			if (!*path) {
				husk_warn("could not find device group for '%c/%" PRId64
					  "' in /proc/devices -- temporarily ignoring rule", e->type, e->major);
				free(path);
				continue;
			}
		} else {
			/* systemd wants an existing node; /sys/dev when /dev/char is not populated */
			_cleanup_free_ char *sys = NULL;
			path = xasprintf("/dev/%s/%" PRId64 ":%" PRId64, kind, e->major, e->minor);
			sys = xasprintf("/sys%s", path);
			if (h->exists && !h->exists(path) && !h->exists(sys)) {
				husk_warn("skipping device %s for systemd: no such device", path);
				free(path);
				continue;
			}
		}
		list = xreallocarray(list, 2 * (n + 1), sizeof(char *));
		list[2 * n] = path;
		list[2 * n + 1] = xstrdup(perms);
		n++;
	}
	cg_dev_state_free(&s);
	push_devallow(p, list, n);
	return 0;
}

/* --- cpu --- */
static void cpu_quota_props(int64_t quota, uint64_t period, const struct sd_host *h, struct sd_props *p)
{
	if (period) {
		if (h->version >= 242) /* CPUQuotaPeriodUSec is systemd 242's */
			push_u64(p, "CPUQuotaPeriodUSec", period);
		else
			husk_debug("systemd v%d is too old to support CPUQuotaPeriodSec (setting will still be applied to cgroupfs)",
				   h->version);
	}
	if (quota || period) {
		uint64_t per_sec = UINT64_MAX; /* USEC_INFINITY */
		if (quota > 0) {
			if (!period)
				period = DEF_CPU_QUOTA_PERIOD;
			/* systemd keeps whole percents of a CPU: round up to 10 ms per second */
			per_sec = (uint64_t)(quota * 1000000) / period;
			if (per_sec % 10000)
				per_sec = (per_sec / 10000 + 1) * 10000;
		}
		push_u64(p, "CPUQuotaPerSecUSec", per_sec);
	}
}

int sd_version_atoi(const char *s)
{
	long long v = 0;

	while (*s && (*s < '0' || *s > '9'))
		s++;
	if (!*s)
		return -1;
	for (; *s >= '0' && *s <= '9' && v < 1000000; s++)
		v = v * 10 + (*s - '0');
	return (int)v;
}

int sd_range_to_bits(const char *s, uint8_t **bits, size_t *n)
{
	_cleanup_free_ char *copy = xstrdup(s);
	uint8_t *b = NULL;
	size_t nb = 0;
	char *save = NULL;

	for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		char *dash, *end;
		long long lo, hi = 0;

		while (*r == ' ' || *r == '\t')
			r++;
		for (end = r + strlen(r); end > r && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = 0;
		if (!*r)
			continue; /* extra commas are fine */
		dash = strchr(r, '-');
		if (dash)
			*dash = 0;
		if (parse_int(r, 0, UINT32_MAX, &lo) < 0 || (dash && parse_int(dash + 1, 0, UINT32_MAX, &hi) < 0) ||
		    (dash && lo > hi)) {
			free(b);
			return -EINVAL;
		}
		if (!dash)
			hi = lo;
		if ((size_t)hi / 8 + 1 > nb) {
			b = xreallocarray(b, (size_t)hi / 8 + 1, 1);
			memset(b + nb, 0, (size_t)hi / 8 + 1 - nb);
			nb = (size_t)hi / 8 + 1;
		}
		for (long long i = lo; i <= hi; i++)
			b[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	if (!nb)
		return -EINVAL; /* systemd refuses an empty set */
	*bits = b;
	*n = nb;
	return 0;
}

static int cpuset_prop(const char *name, const char *what, const char *v, struct sd_props *p,
		       struct husk_error *err)
{
	struct sd_prop *q;
	uint8_t *bits;
	size_t n;

	if (sd_range_to_bits(v, &bits, &n) < 0)
		return husk_error_set(err, -EINVAL, "%s=\"%s\": not a list of numbers and ranges", what, v);
	q = push(p, name, SD_BYTES);
	q->bytes = bits;
	q->n = n;
	return 0;
}

/* --- unified: the keys systemd has properties for (runc's unifiedResToSystemdProps) --- */
static int parse_u64_or_max(const char *v, uint64_t *out)
{
	long long x;

	if (!strcmp(v, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (parse_int(v, 0, INT64_MAX, &x) < 0)
		return -EINVAL;
	*out = (uint64_t)x;
	return 0;
}

static int unified_prop(const char *k, const char *value, const struct sd_host *h, struct sd_props *p,
			struct husk_error *err)
{
	static const char *const mem[][2] = {{"memory.high", "MemoryHigh"}, {"memory.low", "MemoryLow"},
					     {"memory.min", "MemoryMin"},   {"memory.max", "MemoryMax"},
					     {"memory.swap.max", "MemorySwapMax"}};
	_cleanup_free_ char *v = xstrdup(value);
	char *s = v, *e;
	uint64_t u;

	if (strchr(k, '/'))
		return husk_error_set(err, -EINVAL, "unified resource \"%s\" must be a file name (no slashes)", k);
	if (!strchr(k, '.'))
		return husk_error_set(err, -EINVAL, "unified resource \"%s\" must be in the form CONTROLLER.PARAMETER", k);
	/* the kernel tolerates whitespace around a value */
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n');)
		*--e = 0;
	if (!strcmp(k, "cpu.max")) {
		int64_t quota = 0;
		uint64_t period = DEF_CPU_QUOTA_PERIOD;
		char *sp = strpbrk(s, " \t"), *second = NULL;
		long long x;

		if (sp) {
			*sp = 0;
			second = sp + 1;
			while (*second == ' ' || *second == '\t')
				second++;
			if (strpbrk(second, " \t") || !*second)
				return husk_error_set(err, -EINVAL, "unified resource \"%s\" value invalid: \"%s\"", k, value);
		}
		if (!*s)
			return husk_error_set(err, -EINVAL, "unified resource \"%s\" value invalid: \"%s\"", k, value);
		if (strcmp(s, "max")) {
			if (parse_int(s, INT64_MIN, INT64_MAX, &x) < 0)
				return husk_error_set(err, -EINVAL, "unified resource \"%s\" quota value conversion error", k);
			quota = x;
		}
		if (second) {
			if (parse_int(second, 0, INT64_MAX, &x) < 0)
				return husk_error_set(err, -EINVAL, "unified resource \"%s\" period value conversion error", k);
			period = (uint64_t)x;
		}
		cpu_quota_props(quota, period, h, p);
	} else if (!strcmp(k, "cpu.weight")) {
		long long x;
		if (parse_int(s, 0, INT64_MAX, &x) < 0)
			return husk_error_set(err, -EINVAL, "unified resource \"%s\" value conversion error", k);
		push_u64(p, "CPUWeight", (uint64_t)x);
	} else if (!strcmp(k, "cpuset.cpus") || !strcmp(k, "cpuset.mems")) {
		const char *name = k[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes";
		if (h->version >= 244)
			return cpuset_prop(name, k, s, p, err);
		husk_debug("systemd v%d is too old to support %s (setting will still be applied to cgroupfs)", h->version, name);
	} else if (!strcmp(k, "pids.max")) {
		if (parse_u64_or_max(s, &u) < 0)
			return husk_error_set(err, -EINVAL, "unified resource \"%s\" value conversion error", k);
		push_u64(p, "TasksMax", u);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(mem); i++)
			if (!strcmp(k, mem[i][0])) {
				if (parse_u64_or_max(s, &u) < 0)
					return husk_error_set(err, -EINVAL, "unified resource \"%s\" value conversion error", k);
				push_u64(p, mem[i][1], u);
				return 0;
			}
		/* the rest only goes to the files */
		husk_debug("no systemd unit property for unified resource %s; it goes to cgroupfs only", k);
	}
	return 0;
}

int sd_resource_props(const struct husk_linux *l, const struct sd_host *h, bool skip_devices,
		      struct sd_props *p, struct husk_error *err)
{
	const struct husk_resources *r = &l->resources;
	int64_t memory = r->memory.has_limit ? r->memory.limit : 0;
	int64_t swap = r->memory.has_swap ? r->memory.swap : 0;
	int ret = skip_devices ? 0 : device_props(l, h, p, err);

	if (ret < 0)
		return ret;
	if (memory)
		push_u64(p, "MemoryMax", (uint64_t)memory);
	if (r->memory.has_reservation && r->memory.reservation)
		push_u64(p, "MemoryLow", (uint64_t)r->memory.reservation);
	/* runc's ConvertMemorySwapToCgroupV2Value: v2 counts swap alone */
	if (memory == -1 && swap == 0)
		swap = -1;
	else if (swap != -1 && swap != 0) {
		if (memory == 0 || memory == -1)
			return husk_error_set(err, -EINVAL, "unable to set swap limit without memory limit");
		if (memory < 0)
			return husk_error_set(err, -EINVAL, "invalid memory value: %" PRId64, memory);
		if (swap < memory)
			return husk_error_set(err, -EINVAL, "memory+swap limit should be >= memory limit");
		swap -= memory;
	}
	if (swap)
		push_u64(p, "MemorySwapMax", (uint64_t)swap);
	if (r->cpu.has_shares && r->cpu.shares)
		push_u64(p, "CPUWeight", cg_shares_to_weight(r->cpu.shares));
	cpu_quota_props(r->cpu.has_quota ? r->cpu.quota : 0, r->cpu.has_period ? r->cpu.period : 0, h, p);
	if (r->pids.has_limit && (r->pids.limit > 0 || r->pids.limit == -1))
		push_u64(p, "TasksMax", (uint64_t)r->pids.limit);
	if ((r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems)) {
		if (h->version < 244) {
			husk_debug("systemd v%d is too old to support AllowedCPUs/AllowedMemoryNodes (settings will still be applied to cgroupfs)",
				   h->version);
		} else {
			if (r->cpu.cpus && *r->cpu.cpus &&
			    (ret = cpuset_prop("AllowedCPUs", "linux.resources.cpu.cpus", r->cpu.cpus, p, err)) < 0)
				return ret;
			if (r->cpu.mems && *r->cpu.mems &&
			    (ret = cpuset_prop("AllowedMemoryNodes", "linux.resources.cpu.mems", r->cpu.mems, p, err)) < 0)
				return ret;
		}
	}
	for (size_t i = 0; i < r->unified.n; i++)
		if ((ret = unified_prop(r->unified.v[i].key, r->unified.v[i].value, h, p, err)) < 0)
			return ret;
	return 0;
}
