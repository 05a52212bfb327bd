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

/* What an option word does. */
enum opt_kind {
	OPT_FLAG,	 /* a mount(2) MS_* flag, set or cleared */
	OPT_REC,	 /* a recursive MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
	OPT_PROPAGATION, /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [| MS_REC] */
	OPT_BIND,	 /* bind, rbind (flag MS_REC) */
	OPT_COPYUP,	 /* tmpcopyup: the tmpfs starts with a copy of what it covers */
};

struct mount_option {
	const char *name;
	enum opt_kind kind;
	bool clear;
	unsigned long flag;
};

/* The one table of option words, as runc's and crun's: parsing and the list
 * that `husk features` prints both come from it. Any other word is
 * filesystem data. */
static const struct mount_option options[] = {
	{"defaults", OPT_FLAG, false, 0},
	{"ro", OPT_FLAG, false, MS_RDONLY},
	{"rw", OPT_FLAG, true, MS_RDONLY},
	{"suid", OPT_FLAG, true, MS_NOSUID},
	{"nosuid", OPT_FLAG, false, MS_NOSUID},
	{"dev", OPT_FLAG, true, MS_NODEV},
	{"nodev", OPT_FLAG, false, MS_NODEV},
	{"exec", OPT_FLAG, true, MS_NOEXEC},
	{"noexec", OPT_FLAG, false, MS_NOEXEC},
	{"sync", OPT_FLAG, false, MS_SYNCHRONOUS},
	{"async", OPT_FLAG, true, MS_SYNCHRONOUS},
	{"dirsync", OPT_FLAG, false, MS_DIRSYNC},
	{"remount", OPT_FLAG, false, MS_REMOUNT},
	{"mand", OPT_FLAG, false, MS_MANDLOCK},
	{"nomand", OPT_FLAG, true, MS_MANDLOCK},
	{"atime", OPT_FLAG, true, MS_NOATIME},
	{"noatime", OPT_FLAG, false, MS_NOATIME},
	{"diratime", OPT_FLAG, true, MS_NODIRATIME},
	{"nodiratime", OPT_FLAG, false, MS_NODIRATIME},
	{"relatime", OPT_FLAG, false, MS_RELATIME},
	{"norelatime", OPT_FLAG, true, MS_RELATIME},
	{"strictatime", OPT_FLAG, false, MS_STRICTATIME},
	{"nostrictatime", OPT_FLAG, true, MS_STRICTATIME},
	{"lazytime", OPT_FLAG, false, MS_LAZYTIME},
	{"nolazytime", OPT_FLAG, true, MS_LAZYTIME},
	{"iversion", OPT_FLAG, false, MS_I_VERSION},
	{"noiversion", OPT_FLAG, true, MS_I_VERSION},
	{"silent", OPT_FLAG, false, MS_SILENT},
	{"loud", OPT_FLAG, true, MS_SILENT},
	{"symfollow", OPT_FLAG, true, MS_NOSYMFOLLOW},
	{"nosymfollow", OPT_FLAG, false, MS_NOSYMFOLLOW},
	{"acl", OPT_FLAG, false, MS_POSIXACL},
	{"noacl", OPT_FLAG, true, MS_POSIXACL},
	{"rro", OPT_REC, false, MOUNT_ATTR_RDONLY},
	{"rrw", OPT_REC, true, MOUNT_ATTR_RDONLY},
	{"rnosuid", OPT_REC, false, MOUNT_ATTR_NOSUID},
	{"rsuid", OPT_REC, true, MOUNT_ATTR_NOSUID},
	{"rnodev", OPT_REC, false, MOUNT_ATTR_NODEV},
	{"rdev", OPT_REC, true, MOUNT_ATTR_NODEV},
	{"rnoexec", OPT_REC, false, MOUNT_ATTR_NOEXEC},
	{"rexec", OPT_REC, true, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", OPT_REC, false, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", OPT_REC, true, MOUNT_ATTR_NODIRATIME},
	{"rrelatime", OPT_REC, false, MOUNT_ATTR_RELATIME},
	{"rnorelatime", OPT_REC, true, MOUNT_ATTR_RELATIME},
	{"rnoatime", OPT_REC, false, MOUNT_ATTR_NOATIME},
	{"ratime", OPT_REC, true, MOUNT_ATTR_NOATIME},
	{"rstrictatime", OPT_REC, false, MOUNT_ATTR_STRICTATIME},
	{"rnostrictatime", OPT_REC, true, MOUNT_ATTR_STRICTATIME},
	{"rnosymfollow", OPT_REC, false, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", OPT_REC, true, MOUNT_ATTR_NOSYMFOLLOW},
	{"private", OPT_PROPAGATION, false, MS_PRIVATE},
	{"rprivate", OPT_PROPAGATION, false, MS_PRIVATE | MS_REC},
	{"shared", OPT_PROPAGATION, false, MS_SHARED},
	{"rshared", OPT_PROPAGATION, false, MS_SHARED | MS_REC},
	{"slave", OPT_PROPAGATION, false, MS_SLAVE},
	{"rslave", OPT_PROPAGATION, false, MS_SLAVE | MS_REC},
	{"unbindable", OPT_PROPAGATION, false, MS_UNBINDABLE},
	{"runbindable", OPT_PROPAGATION, false, MS_UNBINDABLE | MS_REC},
	{"bind", OPT_BIND, false, 0},
	{"rbind", OPT_BIND, false, MS_REC},
	{"tmpcopyup", OPT_COPYUP, false, 0},
};

const char *husk_mount_option_name(size_t i)
{
	return i < ARRAY_SIZE(options) ? options[i].name : NULL;
}

static const struct mount_option *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (!strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

unsigned long mount_propagation_flag(const char *name)
{
	const struct mount_option *o = find(name);

	return o && o->kind == OPT_PROPAGATION ? o->flag : 0;
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

int mount_opts_parse(const struct husk_strv *opts, struct mount_opts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; opts && i < opts->n; i++) {
		const struct mount_option *o = find(opts->v[i]);
		unsigned long *set = &out->flags, *clr = &out->clear;

		if (!o) {
			data_append(&out->data, opts->v[i]);
			continue;
		}
		switch (o->kind) {
		case OPT_BIND:
			out->bind = true;
			out->rbind |= o->flag == MS_REC;
			continue;
		case OPT_COPYUP:
			out->tmpcopyup = true;
			continue;
		case OPT_PROPAGATION:
			out->propagation = o->flag;
			continue;
		case OPT_REC:
			set = &out->rec_set, clr = &out->rec_clear;
			break;
		case OPT_FLAG:
			break;
		}
		if (o->clear) {
			*set &= ~o->flag;
			*clr |= o->flag;
		} else {
			*set |= o->flag;
			*clr &= ~o->flag;
		}
	}
	return 0;
}

void mount_opts_free(struct mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}
