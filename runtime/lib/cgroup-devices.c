/* cgroup v2 has no devices files: access is decided by a BPF program on the
 * cgroup. To keep one meaning for the spec's rules on v1 and v2, the rules
 * are first run through a model of the v1 devices cgroup (as runc does), and
 * the resulting default + exceptions are compiled, so v2 answers exactly what
 * v1 would: in allow-list mode an access must fit inside one exception, in
 * deny-list mode any overlap with an exception denies (the kernel's
 * match_exception vs match_exception_partial). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "cgroup-resources.h"
#include "util.h"

static unsigned access_bits(const char *a)
{
	unsigned b = 0;

	for (; *a; a++)
		b |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : 0;
	return b;
}

static struct cg_dev_exception *find_exact(struct cg_dev_state *s, const struct husk_device_rule *r)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ex[i].type == r->type && s->ex[i].major == r->major && s->ex[i].minor == r->minor)
			return &s->ex[i];
	return NULL;
}

static void apply_rule(struct cg_dev_state *s, const struct husk_device_rule *r)
{
	unsigned acc = access_bits(r->access);
	struct cg_dev_exception *e;

	if (r->type == 'a') { /* a new default, exceptions forgotten */
		s->default_allow = r->allow;
		s->n = 0;
		return;
	}
	e = find_exact(s, r);
	if (r->allow == s->default_allow) { /* takes access out of an exception */
		if (!e)
			return;
		e->access &= ~acc;
		if (!e->access)
			*e = s->ex[--s->n];
		return;
	}
	if (e) {
		e->access |= acc;
		return;
	}
	s->ex = xreallocarray(s->ex, s->n + 1, sizeof(*s->ex));
	s->ex[s->n++] = (struct cg_dev_exception){r->type, r->major, r->minor, acc};
}

void cg_dev_emulate(const struct husk_device_rule *rules, size_t n, struct cg_dev_state *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		apply_rule(s, &rules[i]);
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

int cg_dev_attach(const char *dir, const struct husk_linux *l, struct husk_error *err)
{
	struct husk_device_rule *rules;
	struct cg_dev_state s;
	struct bpf_insn *prog;
	uint32_t old[64];
	size_t len, nold;
	union bpf_attr a;
	int dfd, pfd, r;

	len = cg_device_rules(l, &rules);
	cg_dev_emulate(rules, len, &s);
	free(rules);
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
