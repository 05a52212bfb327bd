/* Mounts on the host side, for a caller that assembles the bundle (the shim
 * mounting containerd's rootfs snapshot on bundle/rootfs): the same option
 * words as config.json mounts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "husk/husk.h"
#include "mountopt.h"

int husk_mount(const char *type, const char *source, const char *target, char *const *options, size_t n,
	       struct husk_error *err)
{
	struct husk_strv sv = {.v = (char **)options, .n = n};
	struct mount_opts mo;
	unsigned long flags;
	int r = mount_opts_parse(&sv, &mo);

	if (r < 0)
		return husk_error_sys(err, r, "mount options for %s", target);
	flags = mo.flags;
	if (mo.bind || mo.rbind || (type && !strcmp(type, "bind")))
		flags |= MS_BIND | (mo.rbind ? MS_REC : 0);
	if (mount(source, target, (flags & MS_BIND) ? NULL : type,
		  (flags & MS_BIND) ? flags & (MS_BIND | MS_REC) : flags, (flags & MS_BIND) ? NULL : mo.data) < 0) {
		r = husk_error_sys(err, -errno, "mount %s (%s) on %s", source ? source : "", type ? type : "", target);
		goto out;
	}
	/* a bind takes its flags only on a remount */
	if ((flags & MS_BIND) && (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (flags & ~(MS_REC)), NULL) < 0) {
		r = husk_error_sys(err, -errno, "remount %s", target);
		umount2(target, MNT_DETACH);
	}
out:
	mount_opts_free(&mo);
	return r;
}
