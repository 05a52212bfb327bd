/* Name ↔ number tables for the spec: namespaces, rlimits, capabilities, hooks, seccomp. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "husk/spec.h"
#include "internal.h"

struct name_num {
	const char *name;
	int num;
};

static const struct name_num namespaces[] = {
	{"pid", CLONE_NEWPID},     {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC},     {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

const char *const husk_namespace_names[] = {"cgroup", "ipc", "mount", "network", "pid",
					    "time",   "user", "uts",   NULL};

int husk_namespace_type(const char *name)
{
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (!strcmp(namespaces[i].name, name))
			return namespaces[i].num;
	return -1;
}

const char *husk_namespace_name(int type)
{
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (namespaces[i].num == type)
			return namespaces[i].name;
	return "unknown";
}

static const struct name_num rlimits[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

int husk_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (!strcmp(rlimits[i].name, name))
			return rlimits[i].num;
	return -1;
}

const char *husk_rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (rlimits[i].num == resource)
			return rlimits[i].name;
	return "unknown";
}

/* Indexed by capability number (linux/capability.h). */
static const char *const cap_names[] = {
	"CAP_CHOWN",		  "CAP_DAC_OVERRIDE",	 "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",		  "CAP_KILL",		 "CAP_SETGID",		"CAP_SETUID",
	"CAP_SETPCAP",		  "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",	  "CAP_NET_RAW",	 "CAP_IPC_LOCK",	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",	  "CAP_SYS_RAWIO",	 "CAP_SYS_CHROOT",	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",	  "CAP_SYS_ADMIN",	 "CAP_SYS_BOOT",	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",	  "CAP_SYS_TIME",	 "CAP_SYS_TTY_CONFIG",	"CAP_MKNOD",
	"CAP_LEASE",		  "CAP_AUDIT_WRITE",	 "CAP_AUDIT_CONTROL",	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",	  "CAP_MAC_ADMIN",	 "CAP_SYSLOG",		"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",	  "CAP_AUDIT_READ",	 "CAP_PERFMON",		"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int husk_capability_last(void)
{
	return (int)(sizeof(cap_names) / sizeof(cap_names[0])) - 1;
}

int husk_capability_from_name(const char *name)
{
	/* runc accepts the CAP_ prefix only; so do we, case-sensitively */
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcmp(cap_names[i], name))
			return (int)i;
	return -1;
}

const char *husk_capability_name(int cap)
{
	if (cap < 0 || cap > husk_capability_last())
		return NULL;
	return cap_names[cap];
}

const char *const husk_hook_names[HUSK_HOOK_NKINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const char *const husk_seccomp_action_names[] = {
	NULL,
	"SCMP_ACT_KILL",
	"SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO",
	"SCMP_ACT_TRACE",
	"SCMP_ACT_ALLOW",
	"SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",
	NULL,
};

const char *const husk_seccomp_op_names[] = {
	NULL,
	"SCMP_CMP_NE",
	"SCMP_CMP_LT",
	"SCMP_CMP_LE",
	"SCMP_CMP_EQ",
	"SCMP_CMP_GE",
	"SCMP_CMP_GT",
	"SCMP_CMP_MASKED_EQ",
	NULL,
};
