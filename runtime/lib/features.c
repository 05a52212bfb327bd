/* `husk features`: what this runtime supports, in the runtime-spec features schema. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <stdlib.h>

#include "husk/husk.h"

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *husk_features_json(void)
{
	static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
					    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
	static const char *const seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC",
						    "SECCOMP_FILTER_FLAG_LOG",
						    "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
	json_t *caps = json_array(), *linux_, *doc, *seccomp, *actions = json_array(),
	       *ops = json_array(), *mount_options = json_array();
	char *out;

	for (size_t i = 0; husk_mount_option_name(i); i++)
		json_array_append_new(mount_options, json_string(husk_mount_option_name(i)));
	for (int c = 0; c <= husk_capability_last(); c++)
		json_array_append_new(caps, json_string(husk_capability_name(c)));
	for (int i = 1; husk_seccomp_action_names[i]; i++)
		json_array_append_new(actions, json_string(husk_seccomp_action_names[i]));
	for (int i = 1; husk_seccomp_op_names[i]; i++)
		json_array_append_new(ops, json_string(husk_seccomp_op_names[i]));
	seccomp = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions", actions,
			    "operators", ops, "archs", strings(archs, 5), "knownFlags",
			    strings(seccomp_flags, 3), "supportedFlags", strings(seccomp_flags, 3));
	linux_ = json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}, s:{s:b}}",
			   "namespaces", strings(husk_namespace_names, 8), "capabilities", caps,
			   "cgroup", "v1", 1, "v2", 1, "systemd", 1, "systemdUser", 0, "rdma", 1,
			   "seccomp", seccomp, "apparmor", "enabled", 1, "selinux", "enabled", 1,
			   "intelRdt", "enabled", 0, "mountExtensions", "idmap", 0);
	doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}", "ociVersionMin", "1.0.0",
			"ociVersionMax", HUSK_OCI_VERSION, "hooks", strings(husk_hook_names, HUSK_HOOK_NKINDS),
			"mountOptions", mount_options, "linux", linux_,
			"annotations", "io.github.husk.version", HUSK_VERSION,
			"org.opencontainers.runc.checkpoint.enabled", "false");
	out = json_dumps(doc, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!out)
		abort();
	return out;
}
