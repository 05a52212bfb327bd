/* config.json → struct husk_spec. Every error names the field it is about,
 * e.g. "config.json: process.args: must be a non-empty array of strings". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "husk/log.h"
#include "husk/spec.h"
#include "internal.h"
#include "lsm.h"
#include "mountopt.h"
#include "spec-json.h"
#include "util.h"

static int parse_mounts(json_t *arr, struct husk_spec *s, struct husk_error *err)
{
	s->mounts = xcalloc(json_array_size(arr), sizeof(*s->mounts));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		_cleanup_free_ char *ip = spec_itempath("mounts", i);
		struct husk_mount *m = &s->mounts[i];
		struct mount_opts mo;
		json_t *o;

		CHECK(spec_item_obj(arr, i, "mounts", &o, err));
		s->n_mounts++;
		CHECK(spec_get_str(o, ip, "destination", true, &m->destination, err));
		if (m->destination[0] != '/') {
			/* runtime-spec: "MAY be a relative path, … interpreted as relative to /";
			 * runc warns and does so */
			char *abs = xasprintf("/%s", m->destination);
			spec_warning(&s->warnings, "%s.destination: %s is not absolute: taken as %s",
				     ip, m->destination, abs);
			free(m->destination);
			m->destination = abs;
		}
		spec_path_clean(m->destination);
		CHECK(spec_get_str(o, ip, "type", false, &m->type, err));
		CHECK(spec_get_str(o, ip, "source", false, &m->source, err));
		CHECK(spec_get_strv(o, ip, "options", &m->options, err));
		CHECK(spec_parse_idmaps(o, ip, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err));
		CHECK(spec_parse_idmaps(o, ip, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err));
		mount_opts_parse(&m->options, &mo);
		mount_opts_free(&mo);
		if (!mo.bind && (!m->type || !*m->type))
			return spec_ferr(err, ip, "type", "is required for a mount that is not a bind mount");
		if (mo.bind && (!m->source || !*m->source))
			return spec_ferr(err, ip, "source", "is required for a bind mount");
	}
	return 0;
}

static int parse_hooks(json_t *hooks, struct husk_spec *s, struct husk_error *err)
{
	for (int k = 0; k < HUSK_HOOK_NKINDS; k++) {
		_cleanup_free_ char *kp = xasprintf("hooks.%s", husk_hook_names[k]);
		json_t *arr;

		CHECK(spec_get_arr(hooks, "hooks", husk_hook_names[k], &arr, err));
		if (!arr)
			continue;
		s->hooks[k] = xcalloc(json_array_size(arr), sizeof(struct husk_hook));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			_cleanup_free_ char *ip = spec_itempath(kp, i);
			struct husk_hook *h = &s->hooks[k][i];
			json_t *o;

			CHECK(spec_item_obj(arr, i, kp, &o, err));
			s->n_hooks[k]++;
			/* a relative path is run from the bundle directory, as runc does */
			CHECK(spec_get_str(o, ip, "path", true, &h->path, err));
			if (!*h->path)
				return spec_ferr(err, ip, "path", "must not be empty");
			CHECK(spec_get_strv(o, ip, "args", &h->args, err));
			CHECK(spec_get_strv(o, ip, "env", &h->env, err));
			CHECK(SPEC_GET_INT(o, ip, "timeout", 1, LLONG_MAX, h->timeout, &h->has_timeout,
					   false, err));
		}
	}
	return 0;
}


/* Cross-field rules, checked once everything is parsed. */
static int validate(struct husk_spec *s, struct husk_error *err)
{
	const struct husk_namespace *userns = husk_spec_namespace(s, CLONE_NEWUSER);

	if ((s->hostname && *s->hostname) && !husk_spec_namespace(s, CLONE_NEWUTS))
		return spec_ferr(err, "hostname", NULL, "needs a private uts namespace");
	if ((s->domainname && *s->domainname) && !husk_spec_namespace(s, CLONE_NEWUTS))
		return spec_ferr(err, "domainname", NULL, "needs a private uts namespace");
	if (userns && !userns->path &&
	    (s->linux_.n_uid_mappings == 0 || s->linux_.n_gid_mappings == 0))
		return spec_ferr(err, "linux", "uidMappings",
			    "a new user namespace needs linux.uidMappings and linux.gidMappings");
	if (!userns && (s->linux_.n_uid_mappings || s->linux_.n_gid_mappings))
		/* runc 1.1 reads the mappings only for a user namespace */
		spec_warning(&s->warnings, "linux.uidMappings/gidMappings: ignored without a user namespace");
	if ((s->linux_.has_time_monotonic || s->linux_.has_time_boottime)) {
		const struct husk_namespace *t = husk_spec_namespace(s, CLONE_NEWTIME);
		if (!t || t->path)
			return spec_ferr(err, "linux", "timeOffsets", "needs a new time namespace");
	}
	/* runc: masks and read-only binds would land in the caller's mount namespace */
	if ((s->linux_.masked_paths.n || s->linux_.readonly_paths.n) && !husk_spec_namespace(s, CLONE_NEWNS))
		return spec_ferr(err, "linux", s->linux_.masked_paths.n ? "maskedPaths" : "readonlyPaths",
				 "needs a mount namespace of the container's own");
	/* which namespace each key needs is sysctl_check()'s, at create */
	for (size_t i = 0; i < s->linux_.sysctl.n; i++) {
		const char *k = s->linux_.sysctl.v[i].key;
		if (!*k || strstr(k, "..") || k[0] == '/' || k[0] == '.')
			return spec_ferr(err, "linux.sysctl", NULL, "invalid key \"%s\"", k);
	}
	return 0;
}

/* runc does not look at ociVersion at all; a version that is not 1.x may mean
 * fields husk reads differently, so it is worth a warning, not a refusal. */
static void oci_version_check(struct husk_spec *s)
{
	const char *v = s->oci_version;
	char *end;
	long major;

	if (!v)
		return;
	errno = 0;
	major = strtol(v, &end, 10);
	if (errno || end == v || (*end && *end != '.') || major != 1)
		spec_warning(&s->warnings, "ociVersion %s is not a 1.x version: read as 1.x", v);
}

static int parse_doc(json_t *doc, struct husk_spec *s, struct husk_error *err)
{
	json_t *sub, *arr;

	if (!json_is_object(doc))
		return husk_error_set(err, -EINVAL, "must be a JSON object");
	CHECK(spec_get_str(doc, "", "ociVersion", false, &s->oci_version, err));
	oci_version_check(s);
	CHECK(spec_get_obj(doc, "", "root", &sub, err));
	if (!sub)
		return spec_ferr(err, "root", NULL, "is required");
	CHECK(spec_get_str(sub, "root", "path", true, &s->root_path, err));
	if (!*s->root_path)
		return spec_ferr(err, "root", "path", "must not be empty");
	CHECK(spec_get_bool(sub, "root", "readonly", &s->root_readonly, NULL, err));
	CHECK(spec_get_obj(doc, "", "process", &sub, err));
	if (sub) {
		s->process = xcalloc(1, sizeof(*s->process));
		CHECK(spec_parse_process(sub, "process", s->process, &s->process->warnings, err));
	}
	CHECK(spec_get_str(doc, "", "hostname", false, &s->hostname, err));
	CHECK(spec_get_str(doc, "", "domainname", false, &s->domainname, err));
	CHECK(spec_get_arr(doc, "", "mounts", &arr, err));
	if (arr)
		CHECK(parse_mounts(arr, s, err));
	CHECK(spec_get_obj(doc, "", "hooks", &sub, err));
	if (sub)
		CHECK(parse_hooks(sub, s, err));
	CHECK(spec_get_kvv(doc, "", "annotations", &s->annotations, err));
	CHECK(spec_get_obj(doc, "", "linux", &sub, err));
	if (sub)
		CHECK(spec_parse_linux(sub, s, err));
	/* the other platforms' objects are not read, but runc's Go types refuse
	 * them when they are not objects */
	CHECK(spec_get_obj(doc, "", "solaris", &sub, err));
	CHECK(spec_get_obj(doc, "", "windows", &sub, err));
	CHECK(spec_get_obj(doc, "", "vm", &sub, err));
	return validate(s, err);
}

int husk_spec_parse(const char *text, size_t len, const char *what, struct husk_spec **out,
		    struct husk_error *err)
{
	struct husk_spec *s;
	json_t *doc;
	int r;

	*out = NULL;
	doc = spec_load_json(text, len, what, err);
	if (!doc)
		return err->code;
	s = xcalloc(1, sizeof(*s));
	s->json = doc;
	r = parse_doc(doc, s, err);
	if (r < 0) {
		husk_spec_free(s);
		return husk_error_wrap(err, "%s", what);
	}
	*out = s;
	return 0;
}

int husk_spec_load(const char *path, struct husk_spec **out, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = read_file(path, &text, &len);
	if (r < 0)
		return husk_error_sys(err, r, "read %s", path);
	return husk_spec_parse(text, len, "config.json", out, err);
}

int husk_process_parse(const char *text, size_t len, const char *what, struct husk_process **out,
		       struct husk_error *err)
{
	struct husk_process *p;
	json_t *doc;
	int r;

	*out = NULL;
	doc = spec_load_json(text, len, what, err);
	if (!doc)
		return err->code;
	p = xcalloc(1, sizeof(*p));
	r = json_is_object(doc) ? spec_parse_process(doc, "", p, &p->warnings, err)
				: husk_error_set(err, -EINVAL, "must be a JSON object");
	json_decref(doc);
	if (r < 0) {
		husk_process_free(p);
		return husk_error_wrap(err, "%s", what);
	}
	*out = p;
	return 0;
}

void husk_process_warn(const struct husk_process *p)
{
	for (size_t i = 0; p && i < p->warnings.n; i++)
		husk_warn("%s", p->warnings.v[i]);
}

void husk_spec_warn(const struct husk_spec *spec)
{
	for (size_t i = 0; i < spec->warnings.n; i++)
		husk_warn("%s", spec->warnings.v[i]);
	husk_process_warn(spec->process);
	if (spec->linux_.mount_label && *spec->linux_.mount_label && !lsm_selinux_enabled())
		husk_warn("linux.mountLabel is ignored: SELinux is disabled or not supported on this host");
}

const struct husk_namespace *husk_spec_namespace(const struct husk_spec *spec, int type)
{
	for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
		if (spec->linux_.namespaces[i].type == type)
			return &spec->linux_.namespaces[i];
	return NULL;
}

