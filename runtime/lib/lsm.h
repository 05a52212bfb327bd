/* Linux security modules: AppArmor profiles and SELinux labels. */
#ifndef HUSK_LSM_H
#define HUSK_LSM_H

#include <stdbool.h>

#include "husk/spec.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* Refuse a config that needs an LSM the host does not have. */
int lsm_check(const struct husk_spec *s, struct husk_error *err);
/* Write value to a /proc attr file, only if it really is on procfs. */
int lsm_write_attr(const char *path, const char *value, struct husk_error *err);
/* In the init, right before execve: the profile/label the process runs with. */
int lsm_apply_exec(const struct husk_process *p, struct husk_error *err);
/* Before the session keyring is made: its SELinux label. */
int lsm_set_keyring_label(const struct husk_process *p, struct husk_error *err);
/* Mount data with the SELinux context= option appended (caller frees). */
char *lsm_mount_data(const char *data, const char *mount_label);

#endif
