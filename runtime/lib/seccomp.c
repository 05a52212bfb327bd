/* linux.seccomp → a libseccomp filter. Unknown syscall names are skipped (with a
 * debug message), as runc does, so one profile serves several kernels. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "husk/log.h"
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

int seccomp_apply(const struct husk_seccomp *sc, int *notify_fd, struct husk_error *err)
{
	uint32_t def, action;
	scmp_filter_ctx ctx;
	bool notify = false;
	int r = 0;

	*notify_fd = -1;
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
	for (size_t i = 0; r == 0 && i < sc->flags.n; i++) {
		const char *f = sc->flags.v[i];
		int e = 0;
		if (!strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC"))
			e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_LOG"))
			e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		if (e < 0)
			r = husk_error_sys(err, e, "seccomp: flag %s", f);
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
		notify |= action == SCMP_ACT_NOTIFY;
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
	if (r == 0) {
		int e = seccomp_load(ctx);
		if (e < 0)
			r = husk_error_sys(err, e, "load seccomp filter");
	}
	if (r == 0 && notify) {
		/* the kernel made the listener at load time; libseccomp keeps it */
		*notify_fd = seccomp_notify_fd(ctx);
		if (*notify_fd < 0)
			r = husk_error_sys(err, *notify_fd, "get the seccomp notify fd");
	}
	seccomp_release(ctx);
	return r;
}
