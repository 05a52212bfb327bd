/* runc's exec flags applied to the container's process: the process object of
 * an exec when no process.json is given. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "husk/husk.h"
#include "spec-json.h"
#include "util.h"

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* KEY=VALUE replaces the config's KEY (so the last word is the flag's), else appends */
static void set_env(json_t *proc, const char *const *env, size_t n)
{
	json_t *a = json_object_get(proc, "env");

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(proc, "env", a);
	}
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(env[i], "=");
		size_t k;
		json_t *e;
		bool done = false;
		json_array_foreach(a, k, e) {
			const char *s = json_string_value(e);
			if (s && !strncmp(s, env[i], klen) && (s[klen] == '=' || !s[klen])) {
				json_array_set_new(a, k, json_string(env[i]));
				done = true;
				break;
			}
		}
		if (!done)
			json_array_append_new(a, json_string(env[i]));
	}
}

static int parse_id(const char *s, const char *what, json_int_t *out, struct husk_error *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 0xfffffffeLL)
		return husk_error_set(err, -EINVAL, "%s: \"%s\" is not a numeric id", what, s);
	*out = v;
	return 0;
}

static int set_user(json_t *proc, const char *user, const char *gids, struct husk_error *err)
{
	json_t *u = json_object_get(proc, "user");
	json_int_t id;

	if (!json_is_object(u)) {
		u = json_pack("{s:i, s:i}", "uid", 0, "gid", 0);
		json_object_set_new(proc, "user", u);
	}
	if (user) {
		_cleanup_free_ char *copy = xstrdup(user);
		char *colon = strchr(copy, ':');
		if (colon)
			*colon = 0;
		if (parse_id(copy, "--user", &id, err) < 0)
			return err->code;
		json_object_set_new(u, "uid", json_integer(id));
		if (colon) {
			if (parse_id(colon + 1, "--user", &id, err) < 0)
				return err->code;
			json_object_set_new(u, "gid", json_integer(id));
		}
	}
	if (gids) {
		_cleanup_free_ char *copy = xstrdup(gids);
		/* runc adds them to the process's own */
		json_t *a = json_object_get(u, "additionalGids");
		char *save = NULL;
		if (!json_is_array(a)) {
			a = json_array();
			json_object_set_new(u, "additionalGids", a);
		}
		for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
			if (parse_id(g, "--additional-gids", &id, err) < 0)
				return err->code;
			json_array_append_new(a, json_integer(id));
		}
	}
	return 0;
}

/* As runc: added to bounding, effective and permitted; to ambient only when
 * the process has inheritable capabilities (ambient needs them). */
static void add_caps(json_t *proc, const char *const *caps, size_t n)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
	json_t *c = json_object_get(proc, "capabilities");

	if (!n)
		return;
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(proc, "capabilities", c);
	}
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_t *a = json_object_get(c, sets[s]);
		if (s == 3 && !json_object_get(c, "inheritable"))
			continue;
		if (!json_is_array(a)) {
			a = json_array();
			json_object_set_new(c, sets[s], a);
		}
		for (size_t i = 0; i < n; i++) {
			/* runc takes "CAP_X" and "X" alike */
			_cleanup_free_ char *name = strncasecmp(caps[i], "CAP_", 4) ? xasprintf("CAP_%s", caps[i])
									 : xstrdup(caps[i]);
			for (char *p = name; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			json_array_append_new(a, json_string(name));
		}
	}
}

int husk_exec_process_json(const char *root, const char *id, const struct husk_exec_flags *f, char **out,
			   struct husk_error *err)
{
	struct husk_state *st;
	_cleanup_free_ char *path = NULL;
	json_t *config, *proc;
	int r;

	*out = NULL;
	if (!f->n_args)
		return husk_error_set(err, -EINVAL, "a command to run is required (or -p process.json)");
	r = husk_state_load(root && *root ? root : HUSK_DEFAULT_ROOT, id, &st, err);
	if (r < 0)
		return r;
	path = xasprintf("%s/config.json", st->state_dir);
	husk_state_free(st);
	config = spec_load_json_file(path, err);
	if (!config)
		return err->code;
	proc = json_deep_copy(json_object_get(config, "process"));
	json_decref(config);
	if (!json_is_object(proc)) {
		json_decref(proc);
		proc = json_pack("{s:s}", "cwd", "/");
	}
	json_object_set_new(proc, "args", strings((const char *const *)f->args, f->n_args));
	json_object_del(proc, "commandLine");
	/* a terminal only when asked for, whatever the container's process had */
	json_object_set_new(proc, "terminal", json_boolean(f->tty));
	if (!f->tty)
		json_object_del(proc, "consoleSize");
	set_env(proc, f->env, f->n_env);
	if (f->cwd)
		json_object_set_new(proc, "cwd", json_string(f->cwd));
	r = set_user(proc, f->user, f->additional_gids, err);
	add_caps(proc, f->caps, f->n_caps);
	if (f->no_new_privs_set)
		json_object_set_new(proc, "noNewPrivileges", json_boolean(f->no_new_privs));
	if (f->apparmor)
		json_object_set_new(proc, "apparmorProfile", json_string(f->apparmor));
	if (f->process_label)
		json_object_set_new(proc, "selinuxLabel", json_string(f->process_label));
	if (r == 0) {
		*out = json_dumps(proc, JSON_COMPACT);
		if (!*out)
			r = husk_error_set(err, -ENOMEM, "serialize the process");
	}
	json_decref(proc);
	return r;
}
