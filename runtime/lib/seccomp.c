/* linux.seccomp → a libseccomp filter. Unknown syscall names are skipped (with a
 * debug message), as runc does, so one profile serves several kernels. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "husk/log.h"
#include "internal.h"
#include "security.h"
#include "util.h"

static int map_action(int action, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
	switch (action) {
	case HUSK_SCMP_ACT_KILL:
	case HUSK_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case HUSK_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case HUSK_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case HUSK_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
		return 0;
	case HUSK_SCMP_ACT_TRACE:
		*out = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
		return 0;
	case HUSK_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case HUSK_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case HUSK_SCMP_ACT_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static const enum scmp_compare ops[] = {
	[HUSK_SCMP_NE] = SCMP_CMP_NE, [HUSK_SCMP_LT] = SCMP_CMP_LT, [HUSK_SCMP_LE] = SCMP_CMP_LE,
	[HUSK_SCMP_EQ] = SCMP_CMP_EQ, [HUSK_SCMP_GE] = SCMP_CMP_GE, [HUSK_SCMP_GT] = SCMP_CMP_GT,
	[HUSK_SCMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* "SCMP_ARCH_X86_64" → libseccomp's token */
static uint32_t resolve_arch(const char *name)
{
	char lower[64];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10))
		return 0;
	for (i = 0; name[10 + i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[10 + i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static bool repeated_index(const struct husk_seccomp_rule *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		for (size_t j = i + 1; j < r->n_args; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct husk_seccomp_rule *r)
{
	struct scmp_arg_cmp cmp[6];

	if (!r->n_args)
		return seccomp_rule_add(ctx, action, nr, 0);
	for (size_t i = 0; i < r->n_args && i < 6; i++) {
		cmp[i] = (struct scmp_arg_cmp){.arg = r->args[i].index, .op = ops[r->args[i].op],
					       .datum_a = r->args[i].value, .datum_b = r->args[i].value_two};
	}
	/* libseccomp cannot AND two tests of one argument: runc ORs them, one rule each */
	if (repeated_index(r)) {
		for (size_t i = 0; i < r->n_args; i++) {
			int e = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
			if (e < 0)
				return e;
		}
		return 0;
	}
	return seccomp_rule_add_array(ctx, action, nr, (unsigned)(r->n_args < 6 ? r->n_args : 6), cmp);
}

/* Instructions of the -ENOSYS prologue, built in a growing array. */
struct bpf_buf {
	struct sock_filter *v;
	size_t n, cap;
};

static size_t emit(struct bpf_buf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	b->v[b->n] = (struct sock_filter){code, jt, jf, k};
	return b->n++;
}

/* A `ja` whose target is a label: its k is patched once the label is placed. */
enum { TO_ENOSYS, TO_FILTER };
struct fixup {
	size_t at;
	int to;
};

#define X32_SYSCALL_BIT 0x40000000u

/* The architecture the kernel reports in seccomp_data.arch for a libseccomp
 * token: the same value but for x32, which runs on x86_64 (runc's archToNative). */
static uint32_t native_arch(uint32_t token)
{
	if (token == SCMP_ARCH_NATIVE)
		token = seccomp_arch_native();
	return token == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : token;
}

/* The highest syscall number the profile names on this architecture, 0 if none. */
static uint32_t last_syscall(const struct husk_seccomp *sc, uint32_t token)
{
	uint32_t last = 0;

	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t j = 0; j < sc->syscalls[i].names.n; j++) {
			int nr = seccomp_syscall_resolve_name_arch(token, sc->syscalls[i].names.v[j]);
			if (nr >= 0 && (uint32_t)nr > last)
				last = (uint32_t)nr;
		}
	return last;
}

static bool permissive(int action)
{
	/* runc: a good tracer handles new syscalls itself, so TRACE counts too */
	return action == HUSK_SCMP_ACT_ALLOW || action == HUSK_SCMP_ACT_LOG || action == HUSK_SCMP_ACT_TRACE;
}

/* runc's -ENOSYS prologue (libcontainer/seccomp/patchbpf), put in front of the
 * filter: on each architecture the profile lists, a syscall numbered above the
 * highest one the profile names is newer than the profile and gets ENOSYS, so
 * libc falls back (clone3 → clone) instead of seeing the default errno. */
static void enosys_prologue(const struct husk_seccomp *sc, struct bpf_buf *b)
{
	uint32_t arch[16], max64[16], max32[16];
	size_t narch = 0, nfix = 0, section[16];
	struct fixup fix[16 * 3 + 2];

	for (size_t i = 0; i < sc->architectures.n; i++) {
		uint32_t token = resolve_arch(sc->architectures.v[i]), nat, last;
		size_t a;
		if (!token)
			continue;
		nat = native_arch(token);
		if (!(last = last_syscall(sc, token == SCMP_ARCH_NATIVE ? seccomp_arch_native() : token)))
			continue;
		for (a = 0; a < narch && arch[a] != nat; a++)
			;
		if (a == narch) {
			if (narch == ARRAY_SIZE(arch))
				continue;
			arch[narch] = nat;
			max64[narch] = max32[narch] = 0;
			narch++;
		}
		if (token == SCMP_ARCH_X32)
			max32[a] = last;
		else
			max64[a] = last;
	}
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	for (size_t a = 0; a < narch; a++) {
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, arch[a]);
		section[a] = emit(b, BPF_JMP | BPF_JA, 0, 0, 0);
	}
	fix[nfix++] = (struct fixup){emit(b, BPF_JMP | BPF_JA, 0, 0, 0), TO_FILTER};
	for (size_t a = 0; a < narch; a++) {
		b->v[section[a]].k = (uint32_t)(b->n - section[a] - 1);
		emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
		if (arch[a] != SCMP_ARCH_X86_64) {
			emit(b, BPF_JMP | BPF_JGT | BPF_K, 0, 1, max64[a]);
		} else if (max64[a] && max32[a]) {
			emit(b, BPF_JMP | BPF_JSET | BPF_K, 1, 0, X32_SYSCALL_BIT);
			emit(b, BPF_JMP | BPF_JGT | BPF_K, 1, 2, max64[a]);
			emit(b, BPF_JMP | BPF_JGT | BPF_K, 0, 1, max32[a]);
		} else if (max64[a]) {
			/* x32 calls are not ours to judge: on to the filter */
			emit(b, BPF_JMP | BPF_JSET | BPF_K, 2, 0, X32_SYSCALL_BIT);
			emit(b, BPF_JMP | BPF_JGT | BPF_K, 0, 1, max64[a]);
		} else {
			emit(b, BPF_JMP | BPF_JSET | BPF_K, 0, 2, X32_SYSCALL_BIT);
			emit(b, BPF_JMP | BPF_JGT | BPF_K, 0, 1, max32[a]);
		}
		fix[nfix++] = (struct fixup){emit(b, BPF_JMP | BPF_JA, 0, 0, 0), TO_ENOSYS};
		fix[nfix++] = (struct fixup){emit(b, BPF_JMP | BPF_JA, 0, 0, 0), TO_FILTER};
	}
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS);
	for (size_t i = 0; i < nfix; i++) {
		/* ENOSYS is the last prologue instruction, the filter follows it */
		size_t target = fix[i].to == TO_ENOSYS ? b->n - 1 : b->n;
		b->v[fix[i].at].k = (uint32_t)(target - fix[i].at - 1);
	}
}

/* libseccomp's program, appended to b (it writes it to an fd: a memfd here). */
static int export_filter(scmp_filter_ctx ctx, struct bpf_buf *b, struct husk_error *err)
{
	_cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "husk-seccomp", MFD_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len;
	int r;

	if (fd < 0)
		return husk_error_sys(err, -errno, "seccomp: memfd for the filter");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return husk_error_sys(err, r, "seccomp: export the filter");
	if (fstat(fd, &st) < 0)
		return husk_error_sys(err, -errno, "seccomp: size of the filter");
	len = (size_t)st.st_size;
	text = xreallocarray(NULL, len ? len : 1, 1);
	for (size_t got = 0; got < len;) {
		ssize_t n = pread(fd, text + got, len - got, (off_t)got);
		if (n <= 0)
			return husk_error_sys(err, n < 0 ? -errno : -EIO, "seccomp: read the filter");
		got += (size_t)n;
	}
	if (len % sizeof(struct sock_filter))
		return husk_error_set(err, -EINVAL, "seccomp: exported filter has a partial instruction");
	for (size_t i = 0; i < len / sizeof(struct sock_filter); i++) {
		struct sock_filter f;
		memcpy(&f, text + i * sizeof(f), sizeof(f));
		emit(b, f.code, f.jt, f.jf, f.k);
	}
	return 0;
}

int seccomp_prepare(const struct husk_seccomp *sc, struct seccomp_prog *out, struct husk_error *err)
{
	struct bpf_buf b = {0};
	uint32_t def, action;
	scmp_filter_ctx ctx;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!sc)
		return 0;
	if (sc->default_action == HUSK_SCMP_ACT_NOTIFY)
		return husk_error_set(err, -EINVAL,
				      "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY would trap every syscall of the runtime itself");
	if (map_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, &def) < 0)
		return husk_error_set(err, -EOPNOTSUPP, "linux.seccomp.defaultAction: %s is not supported yet",
				      husk_seccomp_action_names[sc->default_action]);
	ctx = seccomp_init(def);
	if (!ctx)
		return husk_error_set(err, -ENOMEM, "seccomp_init failed");
	for (size_t i = 0; r == 0 && i < sc->architectures.n; i++) {
		uint32_t arch = resolve_arch(sc->architectures.v[i]);
		int e;
		if (!arch) {
			r = husk_error_set(err, -EINVAL, "linux.seccomp.architectures: unknown \"%s\"",
					   sc->architectures.v[i]);
			break;
		}
		e = seccomp_arch_add(ctx, arch);
		if (e < 0 && e != -EEXIST)
			r = husk_error_sys(err, e, "seccomp: add architecture %s", sc->architectures.v[i]);
	}
	/* the kernel flags are ours to pass; libseccomp only builds the program */
	for (size_t i = 0; r == 0 && i < sc->flags.n; i++) {
		const char *f = sc->flags.v[i];
		if (!strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC"))
			out->flags |= SECCOMP_FILTER_FLAG_TSYNC;
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_LOG"))
			out->flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			out->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	}
	for (size_t i = 0; r == 0 && i < sc->n_syscalls; i++) {
		const struct husk_seccomp_rule *rule = &sc->syscalls[i];

		if (map_action(rule->action, rule->has_errno_ret, rule->errno_ret, &action) < 0) {
			r = husk_error_set(err, -EOPNOTSUPP, "linux.seccomp.syscalls[%zu].action: %s is not supported yet",
					   i, husk_seccomp_action_names[rule->action]);
			break;
		}
		if (action == def)
			continue; /* libseccomp refuses a rule that repeats the default */
		out->notify |= action == SCMP_ACT_NOTIFY;
		for (size_t j = 0; r == 0 && j < rule->names.n; j++) {
			int nr = seccomp_syscall_resolve_name(rule->names.v[j]), e;
			if (nr == __NR_SCMP_ERROR) {
				husk_debug("seccomp: skipping unknown syscall %s", rule->names.v[j]);
				continue;
			}
			e = add_rule(ctx, action, nr, rule);
			if (e < 0)
				r = husk_error_sys(err, e, "seccomp: rule for %s", rule->names.v[j]);
		}
	}
	if (r == 0 && !permissive(sc->default_action))
		enosys_prologue(sc, &b);
	if (r == 0)
		r = export_filter(ctx, &b, err);
	seccomp_release(ctx);
	if (r == 0 && b.n > BPF_MAXINSNS)
		r = husk_error_set(err, -E2BIG, "seccomp: the filter has %zu instructions (the kernel takes %d)", b.n,
				   BPF_MAXINSNS);
	if (r < 0) {
		free(b.v);
		memset(out, 0, sizeof(*out));
		return r;
	}
	if (out->notify)
		out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	out->insns = b.v;
	out->len = (unsigned short)b.n;
	return 0;
}

int seccomp_load_prog(const struct seccomp_prog *p)
{
	struct sock_fprog prog = {.len = p->len, .filter = p->insns};
	long r;

	if (!p->insns)
		return -1;
	/* no_new_privs is not touched: that is process.noNewPrivileges' job */
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0)
		return -errno;
	return p->notify ? (int)r : -1;
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}
