/* Process privileges of the container's process: capabilities around the user switch. */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include "husk/spec.h"

/* Before setuid: drop what the bounding set does not hold and keep the
 * permitted set across the uid change. */
int caps_before_user(const struct husk_process *p, struct husk_error *err);
/* After setuid: set effective, permitted, inheritable; raise ambient. */
int caps_after_user(const struct husk_process *p, struct husk_error *err);

/* Build the filter of linux.seccomp and load it on this process. */
int seccomp_apply(const struct husk_seccomp *sc, struct husk_error *err);

#endif
