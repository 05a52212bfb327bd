/* The systemd cgroup driver (`husk --systemd-cgroup`), as runc's: the
 * container's cgroup is a transient scope that systemd creates over D-Bus,
 * with the resources as unit properties; husk then writes the cgroup files
 * systemd does not manage, as runc's systemd v2 manager calls fs2's Set.
 *
 * cgroup-systemd-props.c is the pure part (cgroupsPath, slice names, the
 * property list); cgroup-systemd.c talks to systemd (libdbus-1, see
 * docs/cgroups.md for why not sd-bus). */
#ifndef HUSK_CGROUP_SYSTEMD_H
#define HUSK_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

/* --- what cgroupsPath names (runc's specconv + getUnitName) --- */
struct sd_unit {
	char *slice; /* the parent slice, "system.slice" by default */
	char *name;  /* the "name" part (the container id by default): the unit's Description */
	char *unit;  /* "PREFIX-NAME.scope", or NAME itself when it ends in ".slice" */
	char *path;  /* the unit's cgroup below the v2 mount: "/system.slice/runc-ID.scope"
		      * (systemd's escaped directory names: "_.x-ID.scope" for unit ".x-ID.scope") */
};

/* Parse cgroupsPath as runc does with --systemd-cgroup: "" means
 * system.slice:runc:ID, anything else must be "slice:prefix:name". -EINVAL
 * with runc's message for other forms or a bad slice name. */
int sd_unit_parse(const char *cgroups_path, const char *id, struct sd_unit *u, struct husk_error *err);
void sd_unit_free(struct sd_unit *u);

/* systemd's slice nesting: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice",
 * "-.slice" -> "/"; NULL (with err) for a name systemd refuses (runc's
 * ExpandSlice). Each level is the cgroup directory systemd gives it, escaped
 * as systemd's cg_escape does ("cpu.slice" -> "/_cpu.slice"), where runc's
 * ExpandSlice leaves the name as it is. */
char *sd_expand_slice(const char *slice, struct husk_error *err);

/* --- unit properties, as (name, D-Bus type, value) --- */
enum sd_prop_type {
	SD_STR,       /* s */
	SD_BOOL,      /* b */
	SD_U64,       /* t */
	SD_STRV,      /* as */
	SD_U32V,      /* au (PIDs) */
	SD_BYTES,     /* ay (AllowedCPUs, AllowedMemoryNodes) */
	SD_DEVALLOW,  /* a(ss) (DeviceAllow: path, permissions) */
	SD_BASIC,     /* another basic type, code[0]: y q u (in u), n i x (in i), d (in d) */
};

struct sd_prop {
	char *name;
	enum sd_prop_type type;
	char *s;         /* SD_STR */
	bool b;          /* SD_BOOL */
	uint64_t u;      /* SD_U64 */
	char **sv;       /* SD_STRV: n strings; SD_DEVALLOW: 2n (path, perms) */
	uint32_t *u32;   /* SD_U32V: n */
	uint8_t *bytes;  /* SD_BYTES: n */
	size_t n;
	char code[2];    /* SD_BASIC: the D-Bus type code, as a signature */
	int64_t i;       /* SD_BASIC n, i, x */
	double d;        /* SD_BASIC d */
};

struct sd_props {
	struct sd_prop *v;
	size_t n;
};
void sd_props_free(struct sd_props *p);

/* What the host tells the property computation (injected so it stays pure). */
struct sd_host {
	int version;               /* systemd's, from the Manager's Version (-1 unknown) */
	const char *proc_devices;  /* /proc/devices text, for n:* device rules */
	bool (*exists)(const char *path); /* for /dev/char/M:m and /sys/dev/char/M:m */
};

/* The properties of a new scope (runc's unifiedManager.Apply): Description,
 * Slice (or Wants for a slice), Delegate, PIDs, the four accountings,
 * DefaultDependencies=no. */
void sd_unit_props(const struct sd_unit *u, pid_t pid, struct sd_props *p);

/* linux.resources as unit properties (runc 1.1's genV2ResourcesProperties):
 * DevicePolicy/DeviceAllow, MemoryMax/Low/SwapMax, CPUWeight (from shares),
 * CPUQuotaPerSecUSec/CPUQuotaPeriodUSec, TasksMax, AllowedCPUs/MemoryNodes,
 * then what linux.resources.unified maps to. Appended to p. -EINVAL for
 * values runc refuses (swap without a memory limit, bad cpusets).
 * skip_devices leaves the device properties out (runc's SkipDevices, which
 * `runc update` sets: an update does not touch device access). */
int sd_resource_props(const struct husk_linux *l, const struct sd_host *h, bool skip_devices,
		      struct sd_props *p, struct husk_error *err);

/* runc 1.1's initSystemdProps: each annotation "org.systemd.property.NAME"
 * becomes the unit property NAME, its value parsed as GVariant text the way
 * godbus's ParseVariant does (cgroup-systemd-variant.c: booleans, numbers
 * with or without a type, strings, arrays of strings; husk refuses the rest
 * of the syntax, see docs/cgroups.md). NAME must be 3+ ASCII letters; a NAME
 * ending in a lowercase letter + "Sec" becomes ...USec, its number times
 * 10^6 as uint64. Appended to p in the annotations' order. -EINVAL with
 * runc's message ("annotation K name incorrect: ..." / "annotation K=V value
 * parse error: ...") for the first bad one. */
int sd_annotation_props(const struct husk_kvv *annotations, struct sd_props *p, struct husk_error *err);

/* One GVariant text value into q (its type and value; name untouched).
 * NULL, or the error text (malloc'd; godbus's words where godbus refuses). */
char *sd_parse_variant(const char *text, struct sd_prop *q);

/* systemd's Version property as a number: "v245.4-1.fc32" -> 245; -1 if none
 * (runc's systemdVersionAtoi). */
int sd_version_atoi(const char *s);

/* "1,3-5" as the little-endian bitmask systemd takes for AllowedCPUs. */
int sd_range_to_bits(const char *s, uint8_t **bits, size_t *n);

/* --- talking to systemd (cgroup-systemd.c) --- */

/* Whether the host runs systemd (sd_booted: /run/systemd/system is a directory). */
bool sd_booted_host(void);

/* create: the scope's cgroup directory (one, on the v2 mount) for the
 * container, after checking the property annotations (sd_annotation_props),
 * that systemd runs and that the host is cgroup v2. */
int cg_systemd_plan(const char *cgroups_path, const char *id, struct husk_strv *dirs, struct husk_strv *names,
		    const struct husk_kvv *annotations, char **unit, struct husk_error *err);
/* create: start the transient unit with pid in it, the annotations'
 * properties and the spec's resource properties, wait for its job (30 s) as runc does, then write the cgroup
 * files (cgroup_apply). *started says whether the unit exists (also on
 * failure): the caller kills the init and then stops it (cg_systemd_stop), in
 * runc's order, so systemd has no live process to wait for. */
int cg_systemd_start(const char *cgroups_path, const char *id, pid_t pid, const struct husk_strv *dirs,
		     const struct husk_linux *l, const struct husk_kvv *annotations, bool *started,
		     struct husk_error *err);
/* update: SetUnitProperties (runtime) with the merged resources, then the files. */
int cg_systemd_update(const char *unit, const struct husk_strv *dirs, const struct husk_linux *l,
		      struct husk_error *err);
/* delete: StopUnit and wait for it; a unit systemd already dropped is fine. */
int cg_systemd_stop(const char *unit, struct husk_error *err);

#endif
