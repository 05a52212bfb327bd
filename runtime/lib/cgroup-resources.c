/* linux.resources → the cgroup files to write. A plan (controller, file,
 * value) is computed first, for cgroup v1 or v2, and only then applied: the
 * plan is pure (unit-tested for both versions), the apply step is the only
 * part that touches the host. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "husk/log.h"
#include "util.h"

void cg_plan_free(struct cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].alt_file);
		free(p->w[i].alt_value);
	}
	free(p->w);
	p->w = NULL;
	p->n = 0;
}

static void add(struct cg_plan *p, const char *ctrl, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* vasprintf that aborts on out-of-memory (libhusk's idiom, as xasprintf). */
static char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *xvasprintf(const char *fmt, va_list ap)
{
	char *v;

	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	return v;
}

static void add(struct cg_plan *p, const char *ctrl, const char *file, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	p->w = xreallocarray(p->w, p->n + 1, sizeof(*p->w));
	p->w[p->n++] = (struct cg_write){.ctrl = ctrl, .file = xstrdup(file), .value = v};
}

/* The last write gets an alternative file (and value) or becomes optional. */
static void or_else(struct cg_plan *p, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void or_else(struct cg_plan *p, const char *file, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	p->w[p->n - 1].alt_file = xstrdup(file);
	p->w[p->n - 1].alt_value = v;
}

static void optional(struct cg_plan *p)
{
	p->w[p->n - 1].optional = true;
}

/* runc's fs memory: 0 leaves a value alone; a limit of -1 with no swap given
 * lifts memory+swap too (where the kernel accounts swap); swap going to -1
 * is written first so the limit may rise above the old memsw. */
static void plan_memory_v1(const struct husk_resources *r, struct cg_plan *p)
{
	int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
	int64_t swap = r->memory.has_swap ? r->memory.swap : 0;

	if (limit == -1 && swap == 0) {
		add(p, "memory", "memory.memsw.limit_in_bytes", "-1");
		optional(p);
	} else if (swap == -1) {
		add(p, "memory", "memory.memsw.limit_in_bytes", "-1");
	}
	if (limit)
		add(p, "memory", "memory.limit_in_bytes", "%" PRId64, limit);
	if (swap && swap != -1)
		add(p, "memory", "memory.memsw.limit_in_bytes", "%" PRId64, swap);
	if (r->memory.has_reservation && r->memory.reservation)
		add(p, "memory", "memory.soft_limit_in_bytes", "%" PRId64, r->memory.reservation);
	if (r->memory.has_kernel_tcp)
		add(p, "memory", "memory.kmem.tcp.limit_in_bytes", "%" PRId64, r->memory.kernel_tcp);
	if (r->memory.has_swappiness)
		add(p, "memory", "memory.swappiness", "%" PRIu64, r->memory.swappiness);
	if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
		add(p, "memory", "memory.oom_control", "1");
	if (r->memory.has_kernel)
		husk_debug("linux.resources.memory.kernel is deprecated and ignored");
}

/* runc 1.1 refuses shares the kernel would clamp: on v1 it reads cpu.shares
 * back ("the maximum allowed cpu-shares is 262144"), on v2 the weight it
 * computes is out of cpu.weight's range. The bounds are the kernel's
 * MIN_SHARES and MAX_SHARES. */
static int check_shares(const struct husk_resources *r, struct husk_error *err)
{
	if (!r->cpu.has_shares || !r->cpu.shares)
		return 0;
	if (r->cpu.shares < 2)
		return husk_error_set(err, -EINVAL, "linux.resources.cpu.shares: %" PRIu64
				      ": the minimum allowed cpu-shares is 2", r->cpu.shares);
	if (r->cpu.shares > 262144)
		return husk_error_set(err, -EINVAL, "linux.resources.cpu.shares: %" PRIu64
				      ": the maximum allowed cpu-shares is 262144", r->cpu.shares);
	return 0;
}

static void plan_cpu_v1(const struct husk_resources *r, struct cg_plan *p)
{
	if (r->cpu.has_shares && r->cpu.shares)
		add(p, "cpu", "cpu.shares", "%" PRIu64, r->cpu.shares);
	if (r->cpu.has_period && r->cpu.period)
		add(p, "cpu", "cpu.cfs_period_us", "%" PRIu64, r->cpu.period);
	if (r->cpu.has_quota && r->cpu.quota)
		add(p, "cpu", "cpu.cfs_quota_us", "%" PRId64, r->cpu.quota);
	if (r->cpu.has_burst)
		add(p, "cpu", "cpu.cfs_burst_us", "%" PRIu64, r->cpu.burst);
	if (r->cpu.has_rt_period && r->cpu.rt_period)
		add(p, "cpu", "cpu.rt_period_us", "%" PRIu64, r->cpu.rt_period);
	if (r->cpu.has_rt_runtime && r->cpu.rt_runtime)
		add(p, "cpu", "cpu.rt_runtime_us", "%" PRId64, r->cpu.rt_runtime);
	if (r->cpu.has_idle)
		add(p, "cpu", "cpu.idle", "%" PRId64, r->cpu.idle);
	if (r->cpu.cpus && *r->cpu.cpus)
		add(p, "cpuset", "cpuset.cpus", "%s", r->cpu.cpus);
	if (r->cpu.mems && *r->cpu.mems)
		add(p, "cpuset", "cpuset.mems", "%s", r->cpu.mems);
}

static void plan_pids(const struct husk_resources *r, const char *ctrl, struct cg_plan *p)
{
	/* runc: 0 leaves the limit alone, a negative one means no limit */
	if (!r->pids.has_limit || r->pids.limit == 0)
		return;
	if (r->pids.limit < 0)
		add(p, ctrl, "pids.max", "max");
	else
		add(p, ctrl, "pids.max", "%" PRId64, r->pids.limit);
}

static const char *const throttle_v1[4] = {
	"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};

/* runc's fs blkio: a weight of 0 is unset; a kernel without CFQ's
 * blkio.weight has BFQ's blkio.bfq.weight (runc's detectWeightFilenames). */
static void plan_blkio_v1(const struct husk_resources *r, struct cg_plan *p)
{
	if (r->block_io.has_weight && r->block_io.weight) {
		add(p, "blkio", "blkio.weight", "%u", r->block_io.weight);
		or_else(p, "blkio.bfq.weight", "%u", r->block_io.weight);
	}
	if (r->block_io.has_leaf_weight && r->block_io.leaf_weight)
		add(p, "blkio", "blkio.leaf_weight", "%u", r->block_io.leaf_weight);
	for (size_t i = 0; i < r->block_io.n_weight_devices; i++) {
		const struct husk_weight_device *w = &r->block_io.weight_devices[i];
		if (w->has_weight && w->weight) {
			add(p, "blkio", "blkio.weight_device", "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
			    w->weight);
			or_else(p, "blkio.bfq.weight_device", "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
				w->weight);
		}
		if (w->has_leaf_weight && w->leaf_weight)
			add(p, "blkio", "blkio.leaf_weight_device", "%" PRId64 ":%" PRId64 " %u", w->major,
			    w->minor, w->leaf_weight);
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->block_io.n_throttle[k]; i++) {
			const struct husk_throttle_device *t = &r->block_io.throttle[k][i];
			add(p, "blkio", throttle_v1[k], "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor,
			    t->rate);
		}
}

static void plan_hugetlb(const struct husk_resources *r, bool v2, struct cg_plan *p)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct husk_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.%s", h->page_size, v2 ? "max" : "limit_in_bytes");
		add(p, v2 ? "" : "hugetlb", file, "%" PRIu64, h->limit);
	}
}

static void plan_rdma(const struct husk_resources *r, const char *ctrl, struct cg_plan *p)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct husk_rdma *d = &r->rdma[i];
		_cleanup_free_ char *h = d->has_hca_handles ? xasprintf(" hca_handle=%u", d->hca_handles) : xstrdup("");
		_cleanup_free_ char *o = d->has_hca_objects ? xasprintf(" hca_object=%u", d->hca_objects) : xstrdup("");
		if (*h || *o)
			add(p, ctrl, "rdma.max", "%s%s%s", d->device, h, o);
	}
}

int cg_plan_v1(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err)
{
	const struct husk_resources *r = &l->resources;

	memset(p, 0, sizeof(*p));
	if (r->unified.n)
		return husk_error_set(err, -EINVAL,
				      "linux.resources.unified: needs cgroup v2 controllers, but this host's resource controllers are cgroup v1");
	if (check_shares(r, err) < 0)
		return err->code;
	plan_memory_v1(r, p);
	plan_cpu_v1(r, p);
	plan_pids(r, "pids", p);
	plan_blkio_v1(r, p);
	plan_hugetlb(r, false, p);
	if (r->network.has_class_id)
		add(p, "net_cls", "net_cls.classid", "%u", r->network.class_id);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		add(p, "net_prio", "net_prio.ifpriomap", "%s %u", r->network.priorities[i].name,
		    r->network.priorities[i].priority);
	plan_rdma(r, "rdma", p);
	return 0;
}

/* runc's conversions from the v1 values the spec speaks in */
uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	return 1 + (weight - 10) * 9999 / 990;
}

/* runc's fs2 memory: 0 leaves a value alone, -1 is "max"; v1's swap is
 * memory+swap, v2's memory.swap.max is swap alone; a limit of -1 with no
 * swap given lifts swap too (ConvertMemorySwapToCgroupV2Value). */
static int plan_memory_v2(const struct husk_resources *r, struct cg_plan *p, struct husk_error *err)
{
	int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
	int64_t swap = r->memory.has_swap ? r->memory.swap : 0;

	if ((limit == -1 && swap == 0) || swap == -1)
		add(p, "", "memory.swap.max", "max");
	else if (swap && (limit == 0 || limit == -1))
		return husk_error_set(err, -EINVAL, "linux.resources.memory.swap: on cgroup v2 it needs a memory limit");
	else if (swap && swap < limit)
		return husk_error_set(err, -EINVAL, "linux.resources.memory.swap: memory+swap must not be below the limit");
	else if (swap)
		add(p, "", "memory.swap.max", "%" PRId64, swap - limit);
	if (limit)
		add(p, "", "memory.max", limit == -1 ? "max" : "%" PRId64, limit);
	if (r->memory.has_reservation && r->memory.reservation)
		add(p, "", "memory.low", r->memory.reservation == -1 ? "max" : "%" PRId64, r->memory.reservation);
	/* runc 1.1 ignores these on v2 */
	if (r->memory.has_swappiness)
		husk_debug("linux.resources.memory.swappiness has no cgroup v2 file; ignored as runc does");
	if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
		husk_debug("linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer; ignored as runc does");
	return 0;
}

static int plan_cpu_v2(const struct husk_resources *r, struct cg_plan *p, struct husk_error *err)
{
	if (check_shares(r, err) < 0)
		return err->code;
	if ((r->cpu.has_rt_runtime && r->cpu.rt_runtime) || (r->cpu.has_rt_period && r->cpu.rt_period))
		husk_debug("linux.resources.cpu.realtime*: cgroup v2 has no realtime cpu budget; ignored as runc does");
	if (r->cpu.has_shares && r->cpu.shares)
		add(p, "", "cpu.weight", "%" PRIu64, cg_shares_to_weight(r->cpu.shares));
	if ((r->cpu.has_quota && r->cpu.quota) || (r->cpu.has_period && r->cpu.period)) {
		uint64_t period = r->cpu.has_period && r->cpu.period ? r->cpu.period : 100000;
		if (r->cpu.has_quota && r->cpu.quota > 0)
			add(p, "", "cpu.max", "%" PRId64 " %" PRIu64, r->cpu.quota, period);
		else
			add(p, "", "cpu.max", "max %" PRIu64, period);
	}
	if (r->cpu.has_burst)
		add(p, "", "cpu.max.burst", "%" PRIu64, r->cpu.burst);
	if (r->cpu.has_idle)
		add(p, "", "cpu.idle", "%" PRId64, r->cpu.idle);
	if (r->cpu.cpus && *r->cpu.cpus)
		add(p, "", "cpuset.cpus", "%s", r->cpu.cpus);
	if (r->cpu.mems && *r->cpu.mems)
		add(p, "", "cpuset.mems", "%s", r->cpu.mems);
	return 0;
}

/* runc's fs2 io: with BFQ (io.bfq.weight exists) the weight goes there as it
 * is, and per-device weights too; without it the weight is converted for
 * io.weight and per-device weights are skipped. A weight of 0 is unset. */
static void plan_io_v2(const struct husk_resources *r, struct cg_plan *p)
{
	static const char *const keys[4] = {"rbps", "wbps", "riops", "wiops"};

	if (r->block_io.has_weight && r->block_io.weight) {
		add(p, "", "io.bfq.weight", "%u", r->block_io.weight);
		or_else(p, "io.weight", "%" PRIu64, cg_blkio_weight_to_io_weight(r->block_io.weight));
	}
	for (size_t i = 0; i < r->block_io.n_weight_devices; i++) {
		const struct husk_weight_device *w = &r->block_io.weight_devices[i];
		if (w->has_weight && w->weight) {
			add(p, "", "io.bfq.weight", "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight);
			optional(p);
		}
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->block_io.n_throttle[k]; i++) {
			const struct husk_throttle_device *t = &r->block_io.throttle[k][i];
			add(p, "", "io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major, t->minor, keys[k],
			    t->rate);
		}
}

int cg_plan_v2(const struct husk_linux *l, struct cg_plan *p, struct husk_error *err)
{
	const struct husk_resources *r = &l->resources;
	int rc;

	memset(p, 0, sizeof(*p));
	/* runc 1.1 ignores what v2 has no file for */
	if (r->network.has_class_id || r->network.n_priorities)
		husk_debug("linux.resources.network: cgroup v2 has no net_cls/net_prio; ignored as runc does");
	if (r->block_io.has_leaf_weight)
		husk_debug("linux.resources.blockIO.leafWeight: cgroup v2 has none; ignored as runc does");
	rc = plan_memory_v2(r, p, err);
	if (rc == 0)
		rc = plan_cpu_v2(r, p, err);
	if (rc < 0) {
		cg_plan_free(p);
		return rc;
	}
	plan_pids(r, "", p);
	plan_io_v2(r, p);
	plan_hugetlb(r, true, p);
	plan_rdma(r, "", p);
	/* unified last: it may refine what the fields above wrote */
	for (size_t i = 0; i < r->unified.n; i++) {
		const char *k = r->unified.v[i].key;
		if (strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, "..") || !strchr(k, '.')) {
			cg_plan_free(p);
			return husk_error_set(err, -EINVAL, "linux.resources.unified: \"%s\" is not a cgroup file name", k);
		}
		add(p, "", k, "%s", r->unified.v[i].value);
	}
	return 0;
}
