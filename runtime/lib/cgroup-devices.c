/* Device access, runc's rules on v1 and v2. The rules go through a model of
 * the v1 devices cgroup (as runc's Emulator); v1 gets the transition from
 * what its devices.list holds, v2 a compiled BPF program that answers what
 * v1 would: in allow-list mode an access must fit inside one exception, in
 * deny-list mode any overlap with an exception denies (the kernel's
 * match_exception vs match_exception_partial). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "cgroup-resources.h"
#include "internal.h"
#include "util.h"

/* runc's AllowedDevices (libcontainer/specconv, 1.1), in its order; a path
 * lets a linux.devices entry of the same path take the default's place. */
static const struct {
	const char *path;
	struct husk_device_rule rule;
} runc_allowed[] = {
	{NULL, {true, 'c', -1, -1, "m"}},
	{NULL, {true, 'b', -1, -1, "m"}},
	{"/dev/null", {true, 'c', 1, 3, "rwm"}},
	{"/dev/random", {true, 'c', 1, 8, "rwm"}},
	{"/dev/full", {true, 'c', 1, 7, "rwm"}},
	{"/dev/tty", {true, 'c', 5, 0, "rwm"}},
	{"/dev/zero", {true, 'c', 1, 5, "rwm"}},
	{"/dev/urandom", {true, 'c', 1, 9, "rwm"}},
	{NULL, {true, 'c', 136, -1, "rwm"}}, /* /dev/pts/N */
	{NULL, {true, 'c', 5, 2, "rwm"}},    /* /dev/ptmx */
	{NULL, {true, 'c', 10, 200, "rwm"}}, /* /dev/net/tun */
};

static bool listed(const struct husk_linux *l, const char *path)
{
	for (size_t i = 0; path && i < l->n_devices; i++)
		if (l->devices[i].path && !strcmp(l->devices[i].path, path))
			return true;
	return false;
}

size_t cg_dev_rules(const struct husk_linux *l, struct husk_device_rule **out)
{
	const struct husk_resources *r = &l->resources;
	size_t n = 0;
	struct husk_device_rule *v = xcalloc(r->n_devices + ARRAY_SIZE(runc_allowed), sizeof(*v));

	for (size_t i = 0; i < r->n_devices; i++)
		v[n++] = r->devices[i];
	for (size_t i = 0; i < ARRAY_SIZE(runc_allowed); i++)
		if (!listed(l, runc_allowed[i].path))
			v[n++] = runc_allowed[i].rule;
	*out = v;
	return n;
}

static unsigned access_bits(const char *a)
{
	unsigned b = 0;

	for (; *a; a++)
		b |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : 0;
	return b;
}

static void access_text(unsigned bits, char out[4])
{
	char *o = out;

	if (bits & BPF_DEVCG_ACC_READ)
		*o++ = 'r';
	if (bits & BPF_DEVCG_ACC_WRITE)
		*o++ = 'w';
	if (bits & BPF_DEVCG_ACC_MKNOD)
		*o++ = 'm';
	*o = '\0';
}

static struct cg_dev_exception *find(const struct cg_dev_state *s, char type, int64_t major, int64_t minor)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ex[i].type == type && s->ex[i].major == major && s->ex[i].minor == minor)
			return &s->ex[i];
	return NULL;
}

static unsigned access_of(const struct cg_dev_state *s, char type, int64_t major, int64_t minor)
{
	const struct cg_dev_exception *e = find(s, type, major, minor);

	return e ? e->access : 0;
}

static void add_access(struct cg_dev_state *s, char type, int64_t major, int64_t minor, unsigned acc)
{
	struct cg_dev_exception *e = find(s, type, major, minor);

	if (e) {
		e->access |= acc;
		return;
	}
	s->ex = xreallocarray(s->ex, s->n + 1, sizeof(*s->ex));
	s->ex[s->n++] = (struct cg_dev_exception){type, major, minor, acc};
}

static void take_access(struct cg_dev_state *s, struct cg_dev_exception *e, unsigned acc)
{
	e->access &= ~acc;
	if (!e->access) /* keep the order: later code sorts anyway, but stay stable */
		memmove(e, e + 1, (size_t)(s->ex + --s->n - e) * sizeof(*e));
}

static char *num(int64_t n, char buf[24])
{
	if (n < 0)
		return strcpy(buf, "*");
	snprintf(buf, 24, "%lld", (long long)n);
	return buf;
}

/* runc's rmRule: v1 keeps exceptions per exact (type, major, minor), so
 * access granted by a wider exception cannot be taken out for one device. */
static int rm_rule(struct cg_dev_state *s, const struct husk_device_rule *r, unsigned acc, struct husk_error *err)
{
	const int64_t partial[3][2] = {{-1, r->minor}, {r->major, -1}, {-1, -1}};
	struct cg_dev_exception *e;

	for (size_t i = 0; i < 3; i++) {
		char a[24], b[24], c[24], d[24], pa[4];
		unsigned has;
		if (partial[i][0] == r->major && partial[i][1] == r->minor)
			continue;
		has = access_of(s, r->type, partial[i][0], partial[i][1]);
		if (!(has & acc))
			continue;
		access_text(has, pa);
		return husk_error_set(err, -EINVAL,
				      "linux.resources.devices: rule %c %s:%s %s cannot take access out of the wider rule %c %s:%s %s (cgroup v1 devices cannot punch a hole in a wildcard rule; runc refuses it too)",
				      r->type, num(r->major, a), num(r->minor, b), r->access, r->type,
				      num(partial[i][0], c), num(partial[i][1], d), pa);
	}
	e = find(s, r->type, r->major, r->minor);
	if (e)
		take_access(s, e, acc);
	return 0;
}

static int cmp_exception(const void *pa, const void *pb)
{
	const struct cg_dev_exception *a = pa, *b = pb;

	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return (a->type > b->type) - (a->type < b->type);
}

static void sort_state(struct cg_dev_state *s)
{
	if (s->n)
		qsort(s->ex, s->n, sizeof(*s->ex), cmp_exception);
}

int cg_dev_emulate(const struct husk_device_rule *rules, size_t n, struct cg_dev_state *s,
		   struct husk_error *err)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const struct husk_device_rule *r = &rules[i];
		unsigned acc = access_bits(r->access);
		int rc = 0;

		if (r->type == 'a') { /* a new default, exceptions forgotten */
			s->default_allow = r->allow;
			s->n = 0;
			continue;
		}
		if (r->type != 'b' && r->type != 'c') {
			rc = husk_error_set(err, -EINVAL, "linux.resources.devices[%zu]: type \"%c\" is not a, b or c", i, r->type);
		} else if (r->allow == s->default_allow) {
			rc = rm_rule(s, r, acc, err);
		} else {
			add_access(s, r->type, r->major, r->minor, acc);
		}
		if (rc < 0) {
			cg_dev_state_free(s);
			return rc;
		}
	}
	sort_state(s);
	return 0;
}

int cg_dev_state_from_list(const char *list, struct cg_dev_state *s)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *line, *save = NULL;

	memset(s, 0, sizeof(*s));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char type, ma[16], mi[16], acc[8];
		if (sscanf(line, "%c %15[^:]:%15s %7s", &type, ma, mi, acc) != 4) {
			cg_dev_state_free(s);
			return -EINVAL;
		}
		if (type == 'a') { /* allow-all */
			s->default_allow = true;
			s->n = 0;
			continue;
		}
		if (s->default_allow)
			continue;
		add_access(s, type, strcmp(ma, "*") ? strtoll(ma, NULL, 10) : -1,
			   strcmp(mi, "*") ? strtoll(mi, NULL, 10) : -1, access_bits(acc));
	}
	sort_state(s);
	return 0;
}

static void push(struct husk_device_rule **v, size_t *n, bool allow, char type, int64_t major, int64_t minor,
		 unsigned acc)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n] = (struct husk_device_rule){.allow = allow, .type = type, .major = major, .minor = minor};
	access_text(acc, (*v)[*n].access);
	(*n)++;
}

size_t cg_dev_transition(const struct cg_dev_state *from, const struct cg_dev_state *to,
			 struct husk_device_rule **out)
{
	const struct cg_dev_state none = {0};
	const struct cg_dev_state *old = from;
	size_t n = 0;

	*out = NULL;
	/* a deny-list can only be rebuilt from its 'a' rule, as can a change of mode */
	if (from->default_allow || from->default_allow != to->default_allow) {
		push(out, &n, to->default_allow, 'a', -1, -1, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
		old = &none;
	}
	for (size_t i = 0; i < old->n; i++) {
		const struct cg_dev_exception *e = &old->ex[i];
		unsigned dropped = e->access & ~access_of(to, e->type, e->major, e->minor);
		if (dropped)
			push(out, &n, to->default_allow, e->type, e->major, e->minor, dropped);
	}
	for (size_t i = 0; i < to->n; i++) {
		const struct cg_dev_exception *e = &to->ex[i];
		unsigned gained = e->access & ~access_of(old, e->type, e->major, e->minor);
		if (gained)
			push(out, &n, !to->default_allow, e->type, e->major, e->minor, gained);
	}
	return n;
}

void cg_dev_state_free(struct cg_dev_state *s)
{
	free(s->ex);
	memset(s, 0, sizeof(*s));
}

/* --- the program ---
 * r2 = device type, r3 = requested access, r4 = major, r5 = minor;
 * one block per exception that jumps to the next block on a mismatch. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, BPF_REG_1, o, 0)
#define ALU32_K(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define JMP32_K(op, d, i) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, 0, i)
#define JMP32_X(op, d, s) INSN(BPF_JMP32 | (op) | BPF_X, d, s, 0, 0)
#define RET(v) INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v), INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static void emit(struct prog *p, const struct bpf_insn *in, size_t n)
{
	p->v = xreallocarray(p->v, p->n + n, sizeof(*p->v));
	memcpy(p->v + p->n, in, n * sizeof(*in));
	p->n += n;
}

#define EMIT(p, ...)                                                                   \
	do {                                                                           \
		const struct bpf_insn in_[] = {__VA_ARGS__};                           \
		emit(p, in_, sizeof(in_) / sizeof(in_[0]));                            \
	} while (0)

static void emit_exception(struct prog *p, const struct cg_dev_exception *e, bool default_allow)
{
	size_t start = p->n;

	EMIT(p, JMP32_K(BPF_JNE, BPF_REG_2, e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	if (default_allow) /* deny-list: any overlap counts */
		EMIT(p, MOV32_X(BPF_REG_6, BPF_REG_3), ALU32_K(BPF_AND, BPF_REG_6, (int32_t)e->access),
		     JMP32_K(BPF_JEQ, BPF_REG_6, 0));
	else if (e->access != 7) /* allow-list: all asked for must be granted */
		EMIT(p, MOV32_X(BPF_REG_6, BPF_REG_3), ALU32_K(BPF_AND, BPF_REG_6, (int32_t)e->access),
		     JMP32_X(BPF_JNE, BPF_REG_6, BPF_REG_3));
	if (e->major >= 0)
		EMIT(p, JMP32_K(BPF_JNE, BPF_REG_4, (int32_t)e->major));
	if (e->minor >= 0)
		EMIT(p, JMP32_K(BPF_JNE, BPF_REG_5, (int32_t)e->minor));
	EMIT(p, RET(default_allow ? 0 : 1));
	/* every conditional jump of the block goes past its end */
	for (size_t i = start; i < p->n; i++)
		if (BPF_CLASS(p->v[i].code) == BPF_JMP32)
			p->v[i].off = (int16_t)(p->n - i - 1);
}

struct bpf_insn *cg_dev_program(const struct cg_dev_state *s, size_t *len)
{
	struct prog p = {0};

	EMIT(&p, LDX_W(BPF_REG_2, 0), ALU32_K(BPF_AND, BPF_REG_2, 0xffff), LDX_W(BPF_REG_3, 0),
	     ALU32_K(BPF_RSH, BPF_REG_3, 16), LDX_W(BPF_REG_4, 4), LDX_W(BPF_REG_5, 8));
	for (size_t i = 0; i < s->n; i++)
		emit_exception(&p, &s->ex[i], s->default_allow);
	EMIT(&p, RET(s->default_allow ? 1 : 0));
	*len = p.n;
	return p.v;
}

/* --- loading and attaching --- */
static int bpf_call(int cmd, union bpf_attr *a)
{
	long r = syscall(SYS_bpf, cmd, a, sizeof(*a));

	return r < 0 ? -errno : (int)r;
}

static int load(const struct bpf_insn *insns, size_t n, struct husk_error *err)
{
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"Apache-2.0";
	fd = bpf_call(BPF_PROG_LOAD, &a); /* bpf fds are close-on-exec */
	if (fd != -EACCES && fd != -EINVAL)
		return fd < 0 ? husk_error_sys(err, fd, "load the cgroup v2 device filter") : fd;
	/* load again with the verifier's log, for the message */
	log[0] = 0;
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	fd = bpf_call(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = 0;
	return husk_error_sys(err, fd, "load the cgroup v2 device filter (verifier: %s)", log);
}

/* Programs attached to dfd now, so they can go once the new one is in. */
static size_t attached(int dfd, uint32_t *ids, uint32_t cap)
{
	union bpf_attr q;

	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t)dfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t)(uintptr_t)ids;
	q.query.prog_cnt = cap;
	return bpf_call(BPF_PROG_QUERY, &q) < 0 ? 0 : q.query.prog_cnt;
}

static int detach(int dfd, uint32_t id, const char *dir, struct husk_error *err)
{
	union bpf_attr a;
	int pfd, r;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	pfd = bpf_call(BPF_PROG_GET_FD_BY_ID, &a);
	if (pfd == -ENOENT)
		return 0; /* gone already */
	if (pfd < 0)
		return husk_error_sys(err, pfd, "find device filter %u of %s", id, dir);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	r = bpf_call(BPF_PROG_DETACH, &a);
	close(pfd);
	return r < 0 && r != -ENOENT ? husk_error_sys(err, r, "detach the old device filter from %s", dir) : 0;
}

/* The target state of l's rules; the message says which rule is refused. */
static int target_state(const struct husk_linux *l, struct cg_dev_state *s, struct husk_error *err)
{
	struct husk_device_rule *rules;
	size_t n = cg_dev_rules(l, &rules);
	int r = cg_dev_emulate(rules, n, s, err);

	free(rules);
	return r;
}

/* runc skips the devices cgroup when it runs in a user namespace: the
 * kernel refuses the writes there. */
static bool in_user_ns(void)
{
	_cleanup_free_ char *map = NULL;
	unsigned a, b, c;

	if (read_file("/proc/self/uid_map", &map, NULL) < 0)
		return false;
	return sscanf(map, "%u %u %u", &a, &b, &c) != 3 || a != 0 || b != 0 || c != 4294967295U;
}

int cg_dev_apply_v1(const char *dir, const struct husk_linux *l, struct husk_error *err)
{
	_cleanup_free_ char *list_path = xasprintf("%s/devices.list", dir), *list = NULL;
	struct cg_dev_state want, have;
	struct husk_device_rule *steps;
	size_t n;
	int r;

	r = target_state(l, &want, err);
	if (r < 0 || in_user_ns()) {
		cg_dev_state_free(&want);
		return r;
	}
	r = read_file(list_path, &list, NULL);
	if (r < 0) {
		cg_dev_state_free(&want);
		return husk_error_sys(err, r, "read %s", list_path);
	}
	if (cg_dev_state_from_list(list, &have) < 0) {
		cg_dev_state_free(&want);
		return husk_error_set(err, -EINVAL, "%s: unexpected contents", list_path);
	}
	n = cg_dev_transition(&have, &want, &steps);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct husk_device_rule *d = &steps[i];
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, d->allow ? "devices.allow" : "devices.deny");
		_cleanup_free_ char *line = NULL;
		char a[24], b[24];

		line = d->type == 'a' ? xasprintf("a *:* %s", d->access)
				      : xasprintf("%c %s:%s %s", d->type, num(d->major, a), num(d->minor, b), d->access);
		r = write_file(path, line, strlen(line));
		if (r < 0)
			r = husk_error_sys(err, r, "linux.resources.devices: write \"%s\" to %s", line, path);
	}
	free(steps);
	cg_dev_state_free(&want);
	cg_dev_state_free(&have);
	return r;
}

int cg_dev_attach(const char *dir, const struct husk_linux *l, struct husk_error *err)
{
	struct cg_dev_state s;
	struct bpf_insn *prog;
	uint32_t old[64];
	size_t len, nold;
	union bpf_attr a;
	int dfd, pfd, r;

	r = target_state(l, &s, err);
	if (r < 0)
		return r;
	prog = cg_dev_program(&s, &len);
	cg_dev_state_free(&s);
	pfd = load(prog, len, err);
	free(prog);
	if (pfd < 0)
		return pfd;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = husk_error_sys(err, -errno, "open %s", dir);
		close(pfd);
		return r;
	}
	nold = attached(dfd, old, ARRAY_SIZE(old));
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	r = bpf_call(BPF_PROG_ATTACH, &a);
	if (r < 0)
		r = husk_error_sys(err, r, "attach the device filter to %s", dir);
	/* the new filter is in force before the old ones go: no unfiltered window */
	for (size_t i = 0; r == 0 && i < nold; i++)
		r = detach(dfd, old[i], dir, err);
	close(pfd);
	close(dfd);
	return r;
}
