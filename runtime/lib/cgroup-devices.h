/* Device rules for cgroup v2: the v1 devices semantics emulated, then
 * compiled to a BPF_PROG_TYPE_CGROUP_DEVICE program and attached. */
#ifndef HUSK_CGROUP_DEVICES_H
#define HUSK_CGROUP_DEVICES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* What a v1 devices cgroup would hold after the rules were written in order:
 * a default and the exceptions to it (type 'b' or 'c', -1 = any). */
struct cg_dev_exception {
	char type;
	int64_t major, minor;
	unsigned access; /* BPF_DEVCG_ACC_* bits */
};
struct cg_dev_state {
	bool default_allow;
	struct cg_dev_exception *ex;
	size_t n;
};

/* Starts from deny-all, as runc's emulator does. */
void cg_dev_emulate(const struct husk_device_rule *rules, size_t n, struct cg_dev_state *s);
void cg_dev_state_free(struct cg_dev_state *s);

/* The filter program for a state; *len instructions, free() the result. */
struct bpf_insn *cg_dev_program(const struct cg_dev_state *s, size_t *len);

/* Build the program from l's rules and attach it to the cgroup v2 dir,
 * replacing any device program husk attached before. */
int cg_dev_attach(const char *dir, const struct husk_linux *l, struct husk_error *err);

#endif
