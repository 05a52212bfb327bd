/* The seccomp profile `husk spec --seccomp-default` adds: an allow list of
 * the syscalls ordinary programs use. What is not on it fails with ENOSYS, so
 * libc falls back from syscalls this list does not know yet (clone3 is left
 * out on purpose: its flags sit behind a pointer no filter can read). Kernel-
 * wide operations (modules, kexec, mounts, namespaces, keyrings, bpf, clocks,
 * swap, reboot...) fail with EPERM, as they would without the capability. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdlib.h>

#include "husk/husk.h"
#include "internal.h"
#include "util.h"

static const char *const allowed[] = {
	/* files and directories */
	"access", "chdir", "chmod", "chown", "chown32", "chroot", "close", "close_range", "copy_file_range",
	"creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
	"fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
	"fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
	"getdents64", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
	"lchown", "lchown32", "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
	"newfstatat", "open", "openat", "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev",
	"pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "removexattr", "rename",
	"renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr", "splice", "stat", "stat64",
	"statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee",
	"truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
	"utimes", "vmsplice", "write", "writev", "fanotify_mark", "name_to_handle_at",
	/* memory */
	"brk", "madvise", "membarrier", "memfd_create", "mincore", "mlock", "mlock2", "mlockall", "mmap",
	"mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
	"pkey_free", "pkey_mprotect", "remap_file_pages",
	/* processes, threads, signals */
	"arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex",
	"futex_time64", "futex_waitv", "getcpu", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
	"getgid32", "getgroups", "getgroups32", "getitimer", "getpgid", "getpgrp", "getpid", "getppid",
	"getpriority", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
	"get_robust_list", "getrusage", "getsid", "get_thread_area", "gettid", "getuid", "getuid32",
	"ioprio_get", "ioprio_set", "kill", "pause", "pidfd_getfd", "pidfd_open", "pidfd_send_signal",
	"prctl", "prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev", "ptrace",
	"restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
	"sched_setscheduler", "sched_yield", "seccomp", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
	"setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
	"setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
	"setrlimit", "set_robust_list", "setsid", "set_thread_area", "set_tid_address", "setuid",
	"setuid32", "sigaltstack", "sigprocmask", "sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork",
	"wait4", "waitid", "waitpid", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self",
	/* time */
	"alarm", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
	"timerfd_settime64", "times",
	/* polling, events, async I/O */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
	"epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "io_cancel", "io_destroy", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "_newselect", "poll", "ppoll",
	"ppoll_time64", "pselect6", "pselect6_time64", "select", "signalfd", "signalfd4",
	/* ipc and sockets */
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "ipc",
	"listen", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
	"pipe", "pipe2", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "semctl", "semget",
	"semop", "semtimedop", "semtimedop_time64", "send", "sendmmsg", "sendmsg", "sendto",
	"setsockopt", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "socket", "socketcall",
	"socketpair",
	/* system information, namespaced names */
	"getrandom", "sethostname", "setdomainname", "sysinfo", "uname", "ioctl",
};

static const char *const denied[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
	"create_module", "delete_module", "fanotify_init", "finit_module", "fsconfig", "fsmount",
	"fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl", "kcmp",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount", "mount_setattr",
	"move_mount", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open", "pivot_root",
	"query_module", "quotactl", "quotactl_fd", "reboot", "request_key", "setns", "settimeofday",
	"stime", "swapoff", "swapon", "syslog", "_sysctl", "sysfs", "umount", "umount2", "unshare",
	"uselib", "userfaultfd", "ustat", "vm86", "vm86old", "adjtimex", "io_uring_enter",
	"io_uring_register", "io_uring_setup",
};

const char *const *husk_default_seccomp_allowed(size_t *n)
{
	*n = ARRAY_SIZE(allowed);
	return allowed;
}

const char *const *husk_default_seccomp_denied(size_t *n)
{
	*n = ARRAY_SIZE(denied);
	return denied;
}

static json_t *names(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *architectures(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return json_pack("[s, s, s]", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
#elif defined(__aarch64__) || defined(__arm__)
	return json_pack("[s, s]", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
#else
	return json_array();
#endif
}

json_t *husk_default_seccomp(void)
{
	/* namespace-creating clone flags */
	const json_int_t ns_mask = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
				   CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
	json_t *rules = json_array();

	json_array_append_new(rules, json_pack("{s:o, s:s}", "names", names(allowed, ARRAY_SIZE(allowed)),
					       "action", "SCMP_ACT_ALLOW"));
	/* clone: threads and processes, but no new namespaces (the flags are arg 0) */
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:[{s:i, s:I, s:I, s:s}]}", "names", "clone",
					       "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value",
					       (json_int_t)ns_mask, "valueTwo", (json_int_t)0, "op",
					       "SCMP_CMP_MASKED_EQ"));
	/* personality: only the harmless personas (linux, linux32, query) */
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names", "personality",
					       "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value",
					       (json_int_t)0, "op", "SCMP_CMP_EQ"));
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names", "personality",
					       "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value",
					       (json_int_t)8, "op", "SCMP_CMP_EQ"));
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names", "personality",
					       "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value",
					       (json_int_t)0xffffffff, "op", "SCMP_CMP_EQ"));
	json_array_append_new(rules, json_pack("{s:o, s:s, s:i}", "names", names(denied, ARRAY_SIZE(denied)),
					       "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM));
	return json_pack("{s:s, s:i, s:o, s:o}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet",
			 ENOSYS, "architectures", architectures(), "syscalls", rules);
}
