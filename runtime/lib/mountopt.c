#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mountopt.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/mount.h>

#include "util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct flag_opt {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
	{"defaults", false, 0},
	{"ro", false, MS_RDONLY},
	{"rw", true, MS_RDONLY},
	{"suid", true, MS_NOSUID},
	{"nosuid", false, MS_NOSUID},
	{"dev", true, MS_NODEV},
	{"nodev", false, MS_NODEV},
	{"exec", true, MS_NOEXEC},
	{"noexec", false, MS_NOEXEC},
	{"sync", false, MS_SYNCHRONOUS},
	{"async", true, MS_SYNCHRONOUS},
	{"dirsync", false, MS_DIRSYNC},
	{"remount", false, MS_REMOUNT},
	{"mand", false, MS_MANDLOCK},
	{"nomand", true, MS_MANDLOCK},
	{"atime", true, MS_NOATIME},
	{"noatime", false, MS_NOATIME},
	{"diratime", true, MS_NODIRATIME},
	{"nodiratime", false, MS_NODIRATIME},
	{"relatime", false, MS_RELATIME},
	{"norelatime", true, MS_RELATIME},
	{"strictatime", false, MS_STRICTATIME},
	{"nostrictatime", true, MS_STRICTATIME},
	{"lazytime", false, MS_LAZYTIME},
	{"nolazytime", true, MS_LAZYTIME},
	{"iversion", false, MS_I_VERSION},
	{"noiversion", true, MS_I_VERSION},
	{"silent", false, MS_SILENT},
	{"loud", true, MS_SILENT},
	{"symfollow", true, MS_NOSYMFOLLOW},
	{"nosymfollow", false, MS_NOSYMFOLLOW},
	{"acl", false, MS_POSIXACL},
	{"noacl", true, MS_POSIXACL},
};

/* Recursive variants applied with mount_setattr(AT_RECURSIVE). */
static const struct flag_opt rec_opts[] = {
	{"rro", false, MOUNT_ATTR_RDONLY},	   {"rrw", true, MOUNT_ATTR_RDONLY},
	{"rnosuid", false, MOUNT_ATTR_NOSUID},	   {"rsuid", true, MOUNT_ATTR_NOSUID},
	{"rnodev", false, MOUNT_ATTR_NODEV},	   {"rdev", true, MOUNT_ATTR_NODEV},
	{"rnoexec", false, MOUNT_ATTR_NOEXEC},	   {"rexec", true, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
	{"rrelatime", false, MOUNT_ATTR_RELATIME}, {"rnorelatime", true, MOUNT_ATTR_RELATIME},
	{"rnoatime", false, MOUNT_ATTR_NOATIME},   {"ratime", true, MOUNT_ATTR_NOATIME},
	{"rstrictatime", false, MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
	{"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

static const struct flag_opt prop_opts[] = {
	{"private", false, MS_PRIVATE},
	{"rprivate", false, MS_PRIVATE | MS_REC},
	{"shared", false, MS_SHARED},
	{"rshared", false, MS_SHARED | MS_REC},
	{"slave", false, MS_SLAVE},
	{"rslave", false, MS_SLAVE | MS_REC},
	{"unbindable", false, MS_UNBINDABLE},
	{"runbindable", false, MS_UNBINDABLE | MS_REC},
};

const char *const husk_mount_option_names[] = {
	"defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync",
	"async", "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime",
	"nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime",
	"nolazytime", "iversion", "noiversion", "silent", "loud", "symfollow", "nosymfollow",
	"acl", "noacl", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
	"rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime",
	"rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow", "private", "rprivate",
	"shared", "rshared", "slave", "rslave", "unbindable", "runbindable", "bind", "rbind",
	NULL, /* tmpcopyup is recognised but not supported: features does not list it */
};

unsigned long mount_propagation_flag(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(prop_opts); i++)
		if (!strcmp(prop_opts[i].name, name))
			return prop_opts[i].flag;
	return 0;
}

static const struct flag_opt *find(const struct flag_opt *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static void data_append(char **data, const char *opt)
{
	char *n;

	if (!*data) {
		*data = xstrdup(opt);
		return;
	}
	n = xasprintf("%s,%s", *data, opt);
	free(*data);
	*data = n;
}

int mount_opts_parse(const struct husk_strv *options, struct mount_opts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; options && i < options->n; i++) {
		const char *o = options->v[i];
		const struct flag_opt *f;

		if (!strcmp(o, "bind")) {
			out->bind = true;
		} else if (!strcmp(o, "rbind")) {
			out->bind = out->rbind = true;
		} else if (!strcmp(o, "tmpcopyup")) {
			out->tmpcopyup = true;
		} else if ((f = find(flag_opts, ARRAY_SIZE(flag_opts), o))) {
			if (f->clear) {
				out->flags &= ~f->flag;
				out->clear |= f->flag;
			} else {
				out->flags |= f->flag;
				out->clear &= ~f->flag;
			}
		} else if ((f = find(rec_opts, ARRAY_SIZE(rec_opts), o))) {
			if (f->clear) {
				out->rec_set &= ~f->flag;
				out->rec_clear |= f->flag;
			} else {
				out->rec_set |= f->flag;
				out->rec_clear &= ~f->flag;
			}
		} else if ((f = find(prop_opts, ARRAY_SIZE(prop_opts), o))) {
			out->propagation = f->flag;
		} else {
			data_append(&out->data, o);
		}
	}
	return 0;
}

void mount_opts_free(struct mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}
