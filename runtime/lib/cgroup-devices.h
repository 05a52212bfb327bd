/* Device access for the container's cgroup, exactly as runc 1.1 decides it:
 * the rule list (cg_dev_rules), run through a model of the v1 devices cgroup
 * (cg_dev_emulate), then written to v1's devices.allow/deny as the minimal
 * transition from what the cgroup holds, or compiled to the BPF program that
 * is v2's only device confinement. */
#ifndef HUSK_CGROUP_DEVICES_H
#define HUSK_CGROUP_DEVICES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* runc's rule list for a container: linux.resources.devices in order, then
 * runc's AllowedDevices (mknod of any c/b device; null, zero, full, tty,
 * random, urandom, pts, ptmx, tun) minus each default whose path a
 * linux.devices entry names (runc's createDevices dedup). linux.devices
 * themselves get no rule: a listed device is usable only if a rule allows it.
 * Returns the count; free(*out). */
size_t cg_dev_rules(const struct husk_linux *l, struct husk_device_rule **out);

/* What a v1 devices cgroup holds: a default and the exceptions to it
 * (type 'b' or 'c', -1 = any), one per (type, major, minor). */
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

/* Apply rules in order to a deny-all start, as runc's Emulator: an 'a' rule
 * sets the default and forgets the exceptions, a rule that agrees with the
 * default takes access out of the exact exception, one that disagrees adds
 * to it. Removing access that a wildcard exception still grants ("punching a
 * hole") is refused with -EINVAL, as runc refuses it. Exceptions are sorted
 * as runc orders them (major, minor, type). */
int cg_dev_emulate(const struct husk_device_rule *rules, size_t n, struct cg_dev_state *s,
		   struct husk_error *err);
/* The state a v1 devices.list text describes ("a *:* rwm" = allow all). */
int cg_dev_state_from_list(const char *list, struct cg_dev_state *s);
/* runc's Emulator.Transition: the fewest rules that turn from into to. */
size_t cg_dev_transition(const struct cg_dev_state *from, const struct cg_dev_state *to,
			 struct husk_device_rule **out);
void cg_dev_state_free(struct cg_dev_state *s);

/* The v2 filter program for a state; *len instructions, free() the result.
 * An allow-list exception matches when the access asked for fits inside it
 * (v1's match_exception); a deny-list one when they overlap
 * (match_exception_partial). */
struct bpf_insn *cg_dev_program(const struct cg_dev_state *s, size_t *len);

/* v1: bring dir's devices cgroup to l's rules by the transition from its
 * devices.list (nothing is written from inside a user namespace, as runc). */
int cg_dev_apply_v1(const char *dir, const struct husk_linux *l, struct husk_error *err);
/* v2: build the program from l's rules and attach it to the cgroup dir,
 * then detach any device program attached there before. */
int cg_dev_attach(const char *dir, const struct husk_linux *l, struct husk_error *err);

#endif
