/* The cgroup v2 device filter: the v1 model and the compiled program. The
 * program is run here by a small interpreter of the instructions husk emits,
 * so every decision can be checked without a kernel; t-cgroups.sh attaches
 * the same program to a real cgroup and opens devices through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

#include "cgroup-devices.h"
#include "husk/husk.h"
#include "spec-fixture.h"

#define R(allow, type, ma, mi, acc) {allow, type, ma, mi, acc}

/* Runs the subset of eBPF that cg_dev_program emits; any other opcode fails. */
static int run(const struct bpf_insn *p, size_t n, char type, uint32_t major, uint32_t minor, const char *acc)
{
	struct bpf_cgroup_dev_ctx ctx = {0};
	uint64_t reg[11] = {0};
	unsigned a = 0;

	for (; *acc; acc++)
		a |= *acc == 'r' ? BPF_DEVCG_ACC_READ : *acc == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	ctx.access_type = (a << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	ctx.major = major;
	ctx.minor = minor;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint32_t d = (uint32_t)reg[i->dst_reg], s = (uint32_t)reg[i->src_reg];
		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			assert_int_equal(i->src_reg, BPF_REG_1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			reg[i->dst_reg] = ((uint32_t *)&ctx)[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K: reg[i->dst_reg] = d & (uint32_t)i->imm; break;
		case BPF_ALU | BPF_RSH | BPF_K: reg[i->dst_reg] = d >> i->imm; break;
		case BPF_ALU | BPF_MOV | BPF_X: reg[i->dst_reg] = s; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: reg[i->dst_reg] = (uint64_t)(int64_t)i->imm; break;
		case BPF_JMP32 | BPF_JNE | BPF_K: if (d != (uint32_t)i->imm) pc += (size_t)i->off; break;
		case BPF_JMP32 | BPF_JEQ | BPF_K: if (d == (uint32_t)i->imm) pc += (size_t)i->off; break;
		case BPF_JMP32 | BPF_JNE | BPF_X: if (d != s) pc += (size_t)i->off; break;
		case BPF_JMP | BPF_EXIT: return (int)reg[0];
		default: fail_msg("unexpected opcode 0x%x at %zu", i->code, pc);
		}
		assert_true(pc < n);
	}
	fail_msg("program ran off its end");
	return -1;
}

struct compiled {
	struct bpf_insn *p;
	size_t n;
	struct cg_dev_state s;
};

static struct compiled compile(const struct husk_device_rule *rules, size_t n)
{
	struct husk_error err = {0};
	struct compiled c;

	if (cg_dev_emulate(rules, n, &c.s, &err) < 0)
		fail_msg("emulate: %s", err.msg);
	c.p = cg_dev_program(&c.s, &c.n);
	return c;
}

static void done(struct compiled *c)
{
	free(c->p);
	cg_dev_state_free(&c->s);
}

static void test_allow_list_like_runc_defaults(void **state)
{
	(void)state;
	const struct husk_device_rule rules[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', -1, -1, "m"), R(true, 'b', -1, -1, "m"),
		R(true, 'c', 1, 3, "rwm"), R(true, 'c', 136, -1, "rwm"), R(true, 'c', 5, 0, "rw"),
	};
	struct compiled c = compile(rules, sizeof(rules) / sizeof(rules[0]));

	assert_false(c.s.default_allow);
	assert_int_equal(c.s.n, 5);
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "rw"), 1);     /* /dev/null */
	assert_int_equal(run(c.p, c.n, 'c', 136, 7, "rw"), 1);   /* any pty */
	assert_int_equal(run(c.p, c.n, 'c', 1, 1, "r"), 0);      /* /dev/mem */
	assert_int_equal(run(c.p, c.n, 'b', 8, 0, "r"), 0);      /* a disk */
	assert_int_equal(run(c.p, c.n, 'b', 8, 0, "m"), 1);      /* mknod is fine */
	assert_int_equal(run(c.p, c.n, 'c', 5, 0, "rw"), 1);
	assert_int_equal(run(c.p, c.n, 'c', 5, 0, "w"), 1);      /* a part of what was granted */
	assert_int_equal(run(c.p, c.n, 'c', 5, 0, "rwm"), 0);    /* all of it must fit one rule */
	done(&c);
}

static void test_deny_list_any_overlap_denies(void **state)
{
	(void)state;
	const struct husk_device_rule rules[] = {
		R(true, 'a', -1, -1, "rwm"), R(false, 'c', 1, 3, "w"), R(false, 'b', 8, -1, "rwm"),
	};
	struct compiled c = compile(rules, sizeof(rules) / sizeof(rules[0]));

	assert_true(c.s.default_allow);
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "r"), 1);
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "w"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "rw"), 0); /* as v1: partial match denies */
	assert_int_equal(run(c.p, c.n, 'b', 8, 16, "r"), 0);
	assert_int_equal(run(c.p, c.n, 'b', 9, 0, "r"), 1);
	assert_int_equal(run(c.p, c.n, 'c', 8, 16, "r"), 1); /* the type matters */
	done(&c);
}

static void test_merge_and_remove_as_v1(void **state)
{
	(void)state;
	const struct husk_device_rule rules[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', 1, 3, "r"), R(true, 'c', 1, 3, "w"),
		R(true, 'c', 1, 5, "rwm"),    R(false, 'c', 1, 5, "w"), R(true, 'c', 1, 9, "r"),
		R(false, 'c', 1, 9, "rwm"),
	};
	struct compiled c = compile(rules, sizeof(rules) / sizeof(rules[0]));

	assert_int_equal(c.s.n, 2); /* 1:3 merged, 1:9 removed */
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "rw"), 1);
	assert_int_equal(run(c.p, c.n, 'c', 1, 5, "r"), 1);
	assert_int_equal(run(c.p, c.n, 'c', 1, 5, "w"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 1, 9, "r"), 0);
	done(&c);
}

static void test_wildcard_resets(void **state)
{
	(void)state;
	const struct husk_device_rule rules[] = {
		R(true, 'c', 1, 3, "rwm"), R(false, 'a', -1, -1, "rwm"), R(true, 'c', 1, 5, "r"),
	};
	struct compiled c = compile(rules, sizeof(rules) / sizeof(rules[0]));

	assert_int_equal(c.s.n, 1);
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "r"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 1, 5, "r"), 1);
	done(&c);
}

static void test_no_rules_denies_everything(void **state)
{
	(void)state;
	struct compiled c = compile(NULL, 0);

	assert_int_equal(c.n, 8); /* loads, then the default */
	assert_int_equal(run(c.p, c.n, 'c', 1, 3, "r"), 0);
	done(&c);
}

/* rules as "+c 1:3 rwm|-a *:* rwm", '+' allow, '-' deny */
static char *render(const struct husk_device_rule *r, size_t n)
{
	char *out = calloc(1, n * 32 + 1);

	for (size_t i = 0; i < n; i++) {
		char ma[24] = "*", mi[24] = "*";
		if (r[i].major >= 0)
			snprintf(ma, sizeof(ma), "%lld", (long long)r[i].major);
		if (r[i].minor >= 0)
			snprintf(mi, sizeof(mi), "%lld", (long long)r[i].minor);
		sprintf(out + strlen(out), "%s%c%c %s:%s %s", i ? "|" : "", r[i].allow ? '+' : '-', r[i].type, ma, mi,
			r[i].access);
	}
	return out;
}

static void expect_rules(const char *linux_json, const char *want)
{
	struct husk_spec *s = spec_with(linux_json);
	struct husk_device_rule *r;
	size_t n = cg_dev_rules(&s->linux_, &r);
	char *got = render(r, n);

	assert_string_equal(got, want);
	free(got);
	free(r);
	husk_spec_free(s);
}

#define RUNC_DEFAULTS_AFTER_NULL                                                                                       \
	"+c 1:8 rwm|+c 1:7 rwm|+c 5:0 rwm|+c 1:5 rwm|+c 1:9 rwm|+c 136:* rwm|+c 5:2 rwm|+c 10:200 rwm"

/* runc 1.1's CreateCgroupConfig: spec rules, then AllowedDevices; linux.devices get no rule */
static void test_rules_in_runc_order(void **state)
{
	(void)state;
	expect_rules("{}", "+c *:* m|+b *:* m|+c 1:3 rwm|" RUNC_DEFAULTS_AFTER_NULL);
	expect_rules("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
		     "{\"allow\":true,\"type\":\"c\",\"major\":4,\"access\":\"r\"}]},"
		     "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}]}",
		     "-a *:* rwm|+c 4:* r|+c *:* m|+b *:* m|+c 1:3 rwm|" RUNC_DEFAULTS_AFTER_NULL);
	/* a listed path replaces runc's default of that path (createDevices' dedup) */
	expect_rules("{\"devices\":[{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3},"
		     "{\"path\":\"/dev/full\",\"type\":\"c\",\"major\":1,\"minor\":7}]}",
		     "+c *:* m|+b *:* m|+c 1:8 rwm|+c 5:0 rwm|+c 1:5 rwm|+c 1:9 rwm|+c 136:* rwm|+c 5:2 rwm|+c 10:200 rwm");
}

/* The case: a listed device under a deny rule stays denied. */
static void test_listed_device_obeys_deny(void **state)
{
	(void)state;
	struct husk_spec *s = spec_with("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
					"{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":11,\"access\":\"rwm\"}]},"
					"\"devices\":[{\"path\":\"/dev/kmsg\",\"type\":\"c\",\"major\":1,\"minor\":11}]}");
	struct husk_device_rule *r;
	size_t n = cg_dev_rules(&s->linux_, &r);
	struct compiled c = compile(r, n);

	assert_int_equal(run(c.p, c.n, 'c', 1, 11, "w"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 1, 11, "r"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 1, 11, "m"), 1); /* runc's mknod of anything */
	assert_int_equal(run(c.p, c.n, 'b', 7, 0, "r"), 0);
	assert_int_equal(run(c.p, c.n, 'c', 10, 200, "rw"), 1);
	done(&c);
	free(r);
	husk_spec_free(s);
}

static void test_punch_hole_refused(void **state)
{
	(void)state;
	const struct husk_device_rule rules[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', -1, -1, "rwm"), R(false, 'c', 1, 3, "w"),
	};
	const struct husk_device_rule fine[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', -1, -1, "m"), R(false, 'c', 1, 3, "w"),
	};
	struct husk_error err = {0};
	struct cg_dev_state s;

	assert_int_equal(cg_dev_emulate(rules, 3, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "punch a hole"));
	husk_error_clear(&err);
	assert_int_equal(cg_dev_emulate(fine, 3, &s, &err), 0); /* no overlap with m */
	assert_int_equal(s.n, 1);
	cg_dev_state_free(&s);
}

static void expect_transition(const char *from_list, const struct husk_device_rule *to, size_t n, const char *want)
{
	struct husk_error err = {0};
	struct cg_dev_state a, b;
	struct husk_device_rule *steps;
	size_t ns;
	char *got;

	assert_int_equal(cg_dev_state_from_list(from_list, &a), 0);
	assert_int_equal(cg_dev_emulate(to, n, &b, &err), 0);
	ns = cg_dev_transition(&a, &b, &steps);
	got = render(steps, ns);
	assert_string_equal(got, want);
	free(got);
	free(steps);
	cg_dev_state_free(&a);
	cg_dev_state_free(&b);
}

/* runc's Emulator.Transition: what runc writes to devices.allow/deny */
static void test_transition_as_runc(void **state)
{
	(void)state;
	const struct husk_device_rule target[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', 1, 3, "rwm"), R(true, 'c', -1, -1, "m"), R(true, 'c', 136, -1, "rw"),
	};
	/* a fresh cgroup inherits allow-all: reset, then the exceptions sorted */
	expect_transition("a *:* rwm\n", target, 4, "-a *:* rwm|+c *:* m|+c 1:3 rwm|+c 136:* rw");
	/* already close: only the difference */
	expect_transition("c 1:3 rw\nc 1:5 rwm\nc 136:* rw\n", target, 4, "-c 1:5 rwm|+c *:* m|+c 1:3 m");
	expect_transition("c *:* m\nc 1:3 rwm\nc 136:* rw\n", target, 4, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_list_like_runc_defaults),
		cmocka_unit_test(test_deny_list_any_overlap_denies),
		cmocka_unit_test(test_merge_and_remove_as_v1),
		cmocka_unit_test(test_wildcard_resets),
		cmocka_unit_test(test_no_rules_denies_everything),
		cmocka_unit_test(test_rules_in_runc_order),
		cmocka_unit_test(test_listed_device_obeys_deny),
		cmocka_unit_test(test_punch_hole_refused),
		cmocka_unit_test(test_transition_as_runc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
