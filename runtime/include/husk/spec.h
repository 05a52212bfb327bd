/* config.json (OCI runtime-spec 1.2, Linux) as typed C structs.
 * husk_spec_load() parses and validates; everything is owned by the spec and
 * released by husk_spec_free(). One convention for optional values: an
 * optional scalar or struct `x` has `bool has_x` beside it (false = absent or
 * null in the JSON, as runc reads it); an optional array has n_x == 0 and an
 * optional object that is only a pointer is NULL. */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"

struct husk_strv {
	char **v;
	size_t n;
};

struct husk_kv {
	char *key;
	char *value;
};

struct husk_kvv {
	struct husk_kv *v;
	size_t n;
};

enum husk_cap_set {
	HUSK_CAP_BOUNDING,
	HUSK_CAP_EFFECTIVE,
	HUSK_CAP_INHERITABLE,
	HUSK_CAP_PERMITTED,
	HUSK_CAP_AMBIENT,
	HUSK_CAP_NSETS
};

struct husk_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct husk_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct husk_io_priority {
	int klass; /* IOPRIO_CLASS_* */
	int priority;
};

struct husk_scheduler {
	int policy; /* SCHED_* */
	int32_t nice, priority;
	uint32_t flags; /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;
};

struct husk_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct husk_user user;
	struct husk_strv args;
	char *command_line;
	struct husk_strv env;
	char *cwd;
	bool has_capabilities;
	struct husk_strv caps[HUSK_CAP_NSETS];
	struct husk_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
	bool has_io_priority, has_scheduler;
	struct husk_io_priority io_priority;
	struct husk_scheduler scheduler;
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
	struct husk_strv warnings; /* values ignored as runc ignores them: husk_process_warn() */
};

struct husk_idmap {
	uint32_t container_id, host_id, size;
};

struct husk_mount {
	char *destination;
	char *type;
	char *source;
	struct husk_strv options;
	struct husk_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

enum husk_hook_kind {
	HUSK_HOOK_PRESTART,
	HUSK_HOOK_CREATE_RUNTIME,
	HUSK_HOOK_CREATE_CONTAINER,
	HUSK_HOOK_START_CONTAINER,
	HUSK_HOOK_POSTSTART,
	HUSK_HOOK_POSTSTOP,
	HUSK_HOOK_NKINDS
};

struct husk_hook {
	char *path;
	struct husk_strv args, env;
	bool has_timeout;
	long long timeout; /* seconds, > 0 (runc: a Go int) */
};

struct husk_namespace {
	int type; /* CLONE_NEW* */
	char *path;
};

struct husk_device {
	char type; /* c, b, u or p */
	char *path;
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

struct husk_device_rule {
	bool allow;
	char type;            /* a, c or b */
	int64_t major, minor; /* -1 = any */
	char access[4];       /* subset of "rwm" */
};

struct husk_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct husk_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct husk_hugepage_limit {
	char *page_size;
	uint64_t limit;
};

struct husk_net_priority {
	char *name;
	uint32_t priority;
};

struct husk_rdma {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct husk_resources {
	struct husk_device_rule *devices;
	size_t n_devices;
	bool has_memory, has_cpu, has_pids, has_block_io, has_network;
	struct {
		bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
		int64_t limit, reservation, swap, kernel, kernel_tcp;
		uint64_t swappiness;
		bool has_disable_oom_killer, disable_oom_killer;
		bool has_use_hierarchy, use_hierarchy;
		bool has_check_before_update, check_before_update;
	} memory;
	struct {
		bool has_shares, has_quota, has_burst, has_period, has_rt_runtime, has_rt_period, has_idle;
		uint64_t shares, burst, period, rt_period;
		int64_t quota, rt_runtime, idle;
		char *cpus, *mems;
	} cpu;
	struct {
		bool has_limit;
		int64_t limit;
	} pids;
	struct {
		bool has_weight, has_leaf_weight;
		uint16_t weight, leaf_weight;
		struct husk_weight_device *weight_devices;
		size_t n_weight_devices;
		struct husk_throttle_device *throttle[4]; /* read bps, write bps, read iops, write iops */
		size_t n_throttle[4];
	} block_io;
	struct husk_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		bool has_class_id;
		uint32_t class_id;
		struct husk_net_priority *priorities;
		size_t n_priorities;
	} network;
	struct husk_rdma *rdma;
	size_t n_rdma;
	struct husk_kvv unified;
};

struct husk_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	int op; /* enum husk_seccomp_op */
};

enum husk_seccomp_op {
	HUSK_SCMP_NE = 1,
	HUSK_SCMP_LT,
	HUSK_SCMP_LE,
	HUSK_SCMP_EQ,
	HUSK_SCMP_GE,
	HUSK_SCMP_GT,
	HUSK_SCMP_MASKED_EQ,
};

enum husk_seccomp_action {
	HUSK_SCMP_ACT_KILL = 1,
	HUSK_SCMP_ACT_KILL_PROCESS,
	HUSK_SCMP_ACT_KILL_THREAD,
	HUSK_SCMP_ACT_TRAP,
	HUSK_SCMP_ACT_ERRNO,
	HUSK_SCMP_ACT_TRACE,
	HUSK_SCMP_ACT_ALLOW,
	HUSK_SCMP_ACT_LOG,
	HUSK_SCMP_ACT_NOTIFY,
};

struct husk_seccomp_rule {
	struct husk_strv names;
	int action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct husk_seccomp_arg *args;
	size_t n_args;
};

struct husk_seccomp {
	int default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	struct husk_strv architectures;
	struct husk_strv flags;
	char *listener_path;
	char *listener_metadata;
	struct husk_seccomp_rule *syscalls;
	size_t n_syscalls;
};

struct husk_time_offset {
	int64_t secs;
	uint32_t nanosecs;
};

struct husk_linux {
	struct husk_namespace *namespaces;
	size_t n_namespaces;
	struct husk_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	bool has_time_monotonic, has_time_boottime;
	struct husk_time_offset time_monotonic, time_boottime;
	struct husk_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct husk_resources resources;
	struct husk_kvv sysctl;
	struct husk_seccomp *seccomp;
	unsigned long rootfs_propagation; /* MS_* flags, 0 = default */
	struct husk_strv masked_paths, readonly_paths;
	char *mount_label;
	bool has_personality, has_intel_rdt;
	struct {
		char *domain;
		struct husk_strv flags;
	} personality;
	struct {
		char *clos_id, *l3_cache_schema, *mem_bw_schema;
		bool enable_cmt, enable_mbm;
	} intel_rdt;
};

struct husk_spec {
	char *oci_version;
	struct husk_process *process; /* NULL when absent */
	char *root_path;              /* as written in config.json */
	bool root_readonly;
	char *hostname, *domainname;
	struct husk_mount *mounts;
	size_t n_mounts;
	struct husk_hook *hooks[HUSK_HOOK_NKINDS];
	size_t n_hooks[HUSK_HOOK_NKINDS];
	struct husk_kvv annotations;
	bool has_linux;
	struct husk_linux linux_;
	void *json; /* the parsed document (json_t *), kept for hooks and state */
	struct husk_strv warnings; /* values ignored as runc ignores them: husk_spec_warn() */
};

/* Parse config.json text. `what` names the source in errors ("config.json"). */
int husk_spec_parse(const char *text, size_t len, const char *what, struct husk_spec **out,
		    struct husk_error *err);
int husk_spec_load(const char *path, struct husk_spec **out, struct husk_error *err);
void husk_spec_free(struct husk_spec *spec);

/* Parse a process object alone (exec's process.json). */
int husk_process_parse(const char *text, size_t len, const char *what, struct husk_process **out,
		       struct husk_error *err);
void husk_process_free(struct husk_process *p);

/* Print, through husk_warn, what the parse ignored as runc does (unknown
 * capabilities, relative mount destinations, a mount label without SELinux):
 * create prints the whole config's, exec only its process's. */
void husk_spec_warn(const struct husk_spec *spec);
void husk_process_warn(const struct husk_process *p);

/* The namespace of type CLONE_NEW*, or NULL. */
const struct husk_namespace *husk_spec_namespace(const struct husk_spec *spec, int type);

/* Name tables shared by spec parsing, `features` and the CLI. */
int husk_namespace_type(const char *name);          /* CLONE_NEW* or -1 */
const char *husk_namespace_name(int type);
int husk_rlimit_from_name(const char *name);         /* RLIMIT_* or -1 */
const char *husk_rlimit_name(int resource);          /* "RLIMIT_..." or "unknown" */
int husk_capability_from_name(const char *name);     /* CAP_* number or -1 */
const char *husk_capability_name(int cap);           /* "CAP_..." or NULL */
int husk_capability_last(void);
extern const char *const husk_hook_names[HUSK_HOOK_NKINDS];
extern const char *const husk_namespace_names[];     /* NULL-terminated */
extern const char *const husk_seccomp_action_names[]; /* indexed by action, [0] NULL */
extern const char *const husk_seccomp_op_names[];     /* indexed by op, [0] NULL */
/* The i-th mount option word husk knows (the table in mountopt.c), NULL past the end. */
const char *husk_mount_option_name(size_t i);

/* A default config.json as `husk spec` writes it (caller frees). */
/* with_seccomp adds husk's default seccomp profile */
char *husk_spec_default_json(bool with_seccomp);
/* The same as `runc spec --rootless` makes it (specconv.ToRootless): root in a
 * new user namespace mapped to uid/gid (the caller's euid/egid), no network
 * namespace, /sys bound read-only, no uid=/gid= options, no resources. */
char *husk_spec_rootless_json(bool with_seccomp, uid_t uid, gid_t gid);

#endif
