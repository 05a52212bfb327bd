/* AppArmor profiles and SELinux labels. With the LSM enabled on the host the
 * label is written to /proc/thread-self/attr before execve; without it, a
 * config that asks for a process label is refused with a clear error before
 * anything is made (runc fails such a config too, later and less clearly). Every attr
 * write checks that the file really is on procfs (CVE-2019-16884). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "husk/log.h"
#include "lsm.h"
#include "util.h"

bool lsm_apparmor_enabled(void)
{
	_cleanup_free_ char *v = NULL;

	if (access("/sys/kernel/security/apparmor", F_OK) < 0)
		return false;
	return read_file("/sys/module/apparmor/parameters/enabled", &v, NULL) == 0 && v[0] == 'Y';
}

bool lsm_selinux_enabled(void)
{
	struct statfs sf;

	return statfs("/sys/fs/selinux", &sf) == 0 && sf.f_type == SELINUX_MAGIC;
}

int lsm_check(const struct husk_spec *s, struct husk_error *err)
{
	const struct husk_process *p = s->process;

	if (p && p->apparmor_profile && *p->apparmor_profile && !lsm_apparmor_enabled())
		return husk_error_set(err, -EOPNOTSUPP,
				      "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
				      p->apparmor_profile);
	if (p && p->selinux_label && *p->selinux_label && !lsm_selinux_enabled())
		return husk_error_set(err, -EOPNOTSUPP,
				      "process.selinuxLabel is set, but SELinux is disabled or not supported on this host");
	/* linux.mountLabel without SELinux is ignored with a warning, as crun does:
	 * husk_spec_warn() says so, rootfs.c passes it only when SELinux is on */
	return 0;
}

int lsm_write_attr(const char *path, const char *value, struct husk_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sf;
	int r;

	if (fd < 0)
		return husk_error_sys(err, -errno, "open %s", path);
	/* a file shadowing the real attr would swallow the label silently */
	if (fstatfs(fd, &sf) < 0)
		return husk_error_sys(err, -errno, "statfs %s", path);
	if (sf.f_type != PROC_SUPER_MAGIC)
		return husk_error_set(err, -EPERM, "%s is not on procfs: refusing to apply a security label there",
				      path);
	r = write_full(fd, value, strlen(value));
	if (r < 0)
		return husk_error_sys(err, r, "write %s", path);
	return 0;
}

int lsm_apply_exec(const struct husk_process *p, struct husk_error *err)
{
	if (p->apparmor_profile && *p->apparmor_profile) {
		_cleanup_free_ char *cmd = xasprintf("exec %s", p->apparmor_profile);
		/* the per-LSM file (Linux 5.8+) when there is one, else the shared one */
		const char *attr = access("/proc/thread-self/attr/apparmor/exec", F_OK) == 0
					   ? "/proc/thread-self/attr/apparmor/exec"
					   : "/proc/thread-self/attr/exec";
		if (lsm_write_attr(attr, cmd, err) < 0)
			return husk_error_wrap(err, "apply AppArmor profile %s", p->apparmor_profile);
	}
	if (p->selinux_label && *p->selinux_label &&
	    lsm_write_attr("/proc/thread-self/attr/exec", p->selinux_label, err) < 0)
		return husk_error_wrap(err, "set SELinux exec label");
	return 0;
}

int lsm_set_keyring_label(const struct husk_process *p, struct husk_error *err)
{
	if (!p->selinux_label || !*p->selinux_label)
		return 0;
	if (lsm_write_attr("/proc/thread-self/attr/keycreate", p->selinux_label, err) < 0)
		return husk_error_wrap(err, "set SELinux keyring label");
	return 0;
}

char *lsm_mount_data(const char *data, const char *mount_label)
{
	if (!mount_label || !*mount_label)
		return data ? xstrdup(data) : NULL;
	if (!data || !*data)
		return xasprintf("context=\"%s\"", mount_label);
	return xasprintf("%s,context=\"%s\"", data, mount_label);
}
