/* The state directory: state.json written at create, and the live status
 * derived from the init's pid + start time + exec.fifo, never trusted alone. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/husk.h"
#include "internal.h"
#include "util.h"

const char *husk_status_name(enum husk_status s)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return s <= HUSK_STATUS_STOPPED ? names[s] : "unknown";
}

int husk_validate_id(const char *id, struct husk_error *err)
{
	if (!id || !*id)
		return husk_error_set(err, -EINVAL, "container id must not be empty");
	if (!strcmp(id, ".") || !strcmp(id, "..") || strchr(id, '/'))
		return husk_error_set(err, -EINVAL, "invalid container id \"%s\"", id);
	if (strlen(id) > 1024)
		return husk_error_set(err, -EINVAL, "container id is longer than 1024 bytes");
	/* runc's ^[\w+-\.]+$: ASCII letters, digits, '_' and the range '+'..'.'
	 * (+ , - .) */
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && !(*p >= '+' && *p <= '.') )
			return husk_error_set(err, -EINVAL,
					      "invalid container id \"%s\": only ASCII letters, digits, _ + , - and . are allowed",
					      id);
	return 0;
}

void husk_state_free(struct husk_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	for (size_t i = 0; i < st->annotations.n; i++) {
		free(st->annotations.v[i].key);
		free(st->annotations.v[i].value);
	}
	free(st->annotations.v);
	for (size_t i = 0; i < st->cgroup_dirs.n; i++)
		free(st->cgroup_dirs.v[i]);
	free(st->cgroup_dirs.v);
	free(st->systemd_unit);
	free(st->state_dir);
	free(st);
}

static json_t *annotations_json(const struct husk_kvv *a)
{
	json_t *o = json_object();

	for (size_t i = 0; i < a->n; i++)
		json_object_set_new(o, a->v[i].key, json_string(a->v[i].value));
	return o;
}

char *state_file_json(const struct husk_state *st)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:b}", "ociVersion",
			      HUSK_OCI_VERSION, "id", st->id, "pid", (json_int_t)st->pid,
			      "startTime", (json_int_t)st->start_time, "bundle", st->bundle, "rootfs",
			      st->rootfs, "created", st->created, "owner", st->owner ? st->owner : "",
			      "cgroupNamespace", st->cgroup_ns);
	json_t *dirs = json_array();
	char *s;

	for (size_t i = 0; i < st->cgroup_dirs.n; i++)
		json_array_append_new(dirs, json_string(st->cgroup_dirs.v[i]));
	json_object_set_new(o, "cgroupDirs", dirs);
	/* later verbs manage the cgroup with the driver that made it, as runc */
	if (st->systemd_unit)
		json_object_set_new(o, "systemdUnit", json_string(st->systemd_unit));
	json_object_set_new(o, "annotations", annotations_json(&st->annotations));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		abort();
	return s;
}

char *husk_state_json(const struct husk_state *st, bool pretty)
{
	pid_t pid = st->status == HUSK_STATUS_STOPPED ? 0 : st->pid;
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "ociVersion",
			      HUSK_OCI_VERSION, "id", st->id, "pid", (json_int_t)pid, "status",
			      husk_status_name(st->status), "bundle", st->bundle, "rootfs", st->rootfs,
			      "created", st->created, "owner", st->owner ? st->owner : "");
	char *s;

	if (st->annotations.n)
		json_object_set_new(o, "annotations", annotations_json(&st->annotations));
	s = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		abort();
	return s;
}

/* Hook state: the OCI state object with an explicit status. */
char *hook_state_json(const char *id, pid_t pid, const char *status, const char *bundle,
		      const struct husk_kvv *annotations)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", HUSK_OCI_VERSION, "id", id,
			      "status", status, "pid", (json_int_t)pid, "bundle", bundle);
	char *s;

	json_object_set_new(o, "annotations", annotations_json(annotations));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		abort();
	return s;
}

static int parse_state_file(const char *text, struct husk_state *st)
{
	json_t *doc = json_loads(text, 0, NULL), *v;
	const char *key;
	size_t i;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return -EBADMSG;
	}
	st->id = xstrdup(json_string_value(json_object_get(doc, "id")));
	st->pid = (pid_t)json_integer_value(json_object_get(doc, "pid"));
	st->start_time = (uint64_t)json_integer_value(json_object_get(doc, "startTime"));
	st->bundle = xstrdup(json_string_value(json_object_get(doc, "bundle")));
	st->rootfs = xstrdup(json_string_value(json_object_get(doc, "rootfs")));
	st->created = xstrdup(json_string_value(json_object_get(doc, "created")));
	st->owner = xstrdup(json_string_value(json_object_get(doc, "owner")));
	st->cgroup_ns = json_is_true(json_object_get(doc, "cgroupNamespace"));
	v = json_object_get(doc, "cgroupDirs");
	st->cgroup_dirs.v = xcalloc(json_array_size(v) + 1, sizeof(char *));
	for (i = 0; i < json_array_size(v); i++)
		if (json_is_string(json_array_get(v, i)))
			st->cgroup_dirs.v[st->cgroup_dirs.n++] = xstrdup(json_string_value(json_array_get(v, i)));
	st->systemd_unit = xstrdup(json_string_value(json_object_get(doc, "systemdUnit")));
	v = json_object_get(doc, "annotations");
	st->annotations.v = xcalloc(json_object_size(v) + 1, sizeof(struct husk_kv));
	json_t *val;
	json_object_foreach(v, key, val) {
		st->annotations.v[st->annotations.n].key = xstrdup(key);
		st->annotations.v[st->annotations.n].value = xstrdup(json_string_value(val));
		st->annotations.n++;
	}
	json_decref(doc);
	if (!st->id || !st->bundle || !st->rootfs || !st->created || st->pid <= 0)
		return -EBADMSG;
	return 0;
}

bool init_alive(const struct husk_state *st)
{
	uint64_t start;
	char s;

	if (st->pid <= 0 || proc_stat(st->pid, &start, &s) < 0)
		return false;
	return start == st->start_time && s != 'Z' && s != 'X';
}

enum husk_status derive_status(const struct husk_state *st)
{
	_cleanup_free_ char *fifo = NULL;

	if (!init_alive(st))
		return HUSK_STATUS_STOPPED;
	fifo = xasprintf("%s/exec.fifo", st->state_dir);
	if (access(fifo, F_OK) == 0)
		return HUSK_STATUS_CREATED;
	if (cgroup_is_frozen(&st->cgroup_dirs))
		return HUSK_STATUS_PAUSED;
	return HUSK_STATUS_RUNNING;
}

char *state_dir_path(const char *root, const char *id)
{
	return xasprintf("%s/%s", root && *root ? root : HUSK_DEFAULT_ROOT, id);
}

int husk_state_load(const char *root, const char *id, struct husk_state **out, struct husk_error *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL, *text = NULL;
	struct husk_state *st;
	int r;

	*out = NULL;
	r = husk_validate_id(id, err);
	if (r < 0)
		return r;
	dir = state_dir_path(root, id);
	path = xasprintf("%s/state.json", dir);
	r = read_file(path, &text, NULL);
	if (r == -ENOENT)
		return husk_error_set(err, -ENOENT, "container \"%s\" does not exist", id);
	if (r < 0)
		return husk_error_sys(err, r, "read %s", path);
	st = xcalloc(1, sizeof(*st));
	r = parse_state_file(text, st);
	if (r < 0) {
		husk_state_free(st);
		return husk_error_set(err, r, "%s: corrupt state file", path);
	}
	st->state_dir = xstrdup(dir);
	st->status = derive_status(st);
	*out = st;
	return 0;
}

int write_pid_file(const char *path, pid_t pid, struct husk_error *err)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = write_file_atomic(path, buf, strlen(buf), 0644);
	return r < 0 ? husk_error_sys(err, r, "write pid file %s", path) : 0;
}
