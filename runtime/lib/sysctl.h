/* linux.sysctl: which namespace each key belongs to, the check runc makes at
 * create, and the writes (through the container's procfs only). */
#ifndef HUSK_SYSCTL_H
#define HUSK_SYSCTL_H

#include "husk/spec.h"

enum sysctl_class {
	SYSCTL_IPC,      /* kernel.msg{max,mnb,mni}, kernel.sem, kernel.shm*, fs.mqueue.* */
	SYSCTL_NET,      /* net.* */
	SYSCTL_UTS,      /* kernel.domainname */
	SYSCTL_HOSTNAME, /* kernel.hostname: process.hostname's job, always refused */
	SYSCTL_HOST,     /* anything else: not namespaced, always refused */
};

/* A key in dotted form, as runc's sysctl key conversion (validate.go): when
 * the first separator is '/', '.' and '/' swap ("net/ipv4/conf/eth0.1/x" →
 * "net.ipv4.conf.eth0/1.x"); otherwise the key as given. Caller frees. */
char *sysctl_dotted(const char *key);
/* The path under /proc/sys a key names ("net.ipv4.ip_forward" →
 * "net/ipv4/ip_forward"; a '/'-separated key as given). Caller frees. */
char *sysctl_path(const char *key);
/* The namespace a dotted key belongs to (runc's validator's table). */
enum sysctl_class sysctl_classify(const char *dotted);
/* runc's rule, at create: each key needs its namespace in linux.namespaces
 * (IPC, UTS: new or joined; net: new, or joined by a path that is not our own
 * network namespace); kernel.hostname and unnamespaced keys are refused.
 * Returns 0 or -EINVAL (-errno when a netns path cannot be stat'ed). */
int sysctl_check(const struct husk_spec *s, struct husk_error *err);
/* Write each value through /proc/sys of the calling process (in the init,
 * after pivot_root: the container's procfs). A file that is not on procfs is
 * refused, so an image cannot redirect the write. */
int sysctl_write_all(const struct husk_kvv *sysctl, struct husk_error *err);

#endif
