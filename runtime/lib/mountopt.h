/* Mount option strings of config.json → mount(2) flags, propagation and data. */
#ifndef HUSK_MOUNTOPT_H
#define HUSK_MOUNTOPT_H

#include <stdbool.h>

#include "husk/spec.h"

struct mount_opts {
	unsigned long flags;       /* MS_* to set on mount */
	unsigned long clear;       /* MS_* explicitly cleared (rw, dev, ...) */
	unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [| MS_REC] */
	unsigned long rec_set;     /* recursive attributes (rro, rnosuid...) for mount_setattr */
	unsigned long rec_clear;
	bool bind, rbind, tmpcopyup;
	char *data; /* comma-joined filesystem options; caller frees */
};

/* Parse options; unknown ones become filesystem data, as runc does. */
int mount_opts_parse(const struct husk_strv *options, struct mount_opts *out);
void mount_opts_free(struct mount_opts *o);

/* A single propagation word ("rslave", ...) → flags, or 0 when it is not one. */
unsigned long mount_propagation_flag(const char *name);

#endif
