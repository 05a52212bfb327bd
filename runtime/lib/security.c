/* Capabilities, applied as runc does: bounding set first (needs CAP_SETPCAP, so
 * before the user switch), keep caps over setuid, then the other sets, ambient
 * last (it needs the cap in both permitted and inheritable). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "security.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "husk/log.h"

static bool in_set(const struct husk_strv *set, int cap)
{
	const char *name = husk_capability_name(cap);

	for (size_t i = 0; name && i < set->n; i++)
		if (!strcmp(set->v[i], name))
			return true;
	return false;
}

/* The highest capability this kernel knows (it may be older than our table). */
static int kernel_last_cap(void)
{
	int last = husk_capability_last();

	while (last > 0 && prctl(PR_CAPBSET_READ, last, 0, 0, 0) < 0)
		last--;
	return last;
}

int caps_before_user(const struct husk_process *p, struct husk_error *err)
{
	int last = kernel_last_cap();

	/* no capabilities object: every set is empty, as runc (all dropped) */
	for (int cap = 0; cap <= last; cap++) {
		if (in_set(&p->caps[HUSK_CAP_BOUNDING], cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return husk_error_sys(err, -errno, "drop %s from the bounding set",
					      husk_capability_name(cap));
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error_sys(err, -errno, "keep capabilities across setuid");
	return 0;
}

int caps_after_user(const struct husk_process *p, struct husk_error *err)
{
	static const struct {
		enum husk_cap_set set;
		cap_flag_t flag;
	} sets[] = {
		{HUSK_CAP_EFFECTIVE, CAP_EFFECTIVE},
		{HUSK_CAP_PERMITTED, CAP_PERMITTED},
		{HUSK_CAP_INHERITABLE, CAP_INHERITABLE},
	};
	int last = kernel_last_cap(), r = 0;
	cap_t caps;

	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_error_sys(err, -errno, "reset keep-capabilities");
	caps = cap_init(); /* all clear: the inheritable set stays empty unless asked */
	if (!caps)
		return husk_error_sys(err, -errno, "cap_init");
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (int cap = 0; cap <= last; cap++) {
			cap_value_t v = cap;
			if (in_set(&p->caps[sets[s].set], cap) &&
			    cap_set_flag(caps, sets[s].flag, 1, &v, CAP_SET) < 0) {
				r = husk_error_sys(err, -errno, "cap_set_flag");
				goto out;
			}
		}
	if (cap_set_proc(caps) < 0) {
		r = husk_error_sys(err, -errno, "set capabilities");
		goto out;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		r = husk_error_sys(err, -errno, "clear ambient capabilities");
		goto out;
	}
	for (size_t i = 0; i < p->caps[HUSK_CAP_AMBIENT].n; i++) {
		int cap = husk_capability_from_name(p->caps[HUSK_CAP_AMBIENT].v[i]);
		/* runc only warns: ambient needs the cap in inheritable, which is empty by default */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			husk_debug("cannot raise ambient %s: %s", p->caps[HUSK_CAP_AMBIENT].v[i],
				   strerror(errno));
	}
out:
	cap_free(caps);
	return r;
}
