/* Generic config.json field getters: type and range checks, error paths. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "spec-json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

int spec_ferr(struct husk_error *err, const char *path, const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path && key)
		return husk_error_set(err, -EINVAL, "%s.%s: %s", path, key, msg);
	return husk_error_set(err, -EINVAL, "%s: %s", path && *path ? path : key, msg);
}

void spec_warning(struct husk_strv *w, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg || !w) {
		free(msg);
		return;
	}
	w->v = xreallocarray(w->v, w->n + 2, sizeof(char *));
	w->v[w->n++] = msg;
	w->v[w->n] = NULL;
}

json_t *spec_member(json_t *o, const char *key)
{
	json_t *v = NULL, *val;
	const char *k;

	/* Go's encoding/json (runc) takes "Cwd" for "cwd", and of two keys that
	 * name the same field the last one (jansson keeps the order of keys);
	 * a null changes nothing */
	json_object_foreach(o, k, val) {
		if (!strcasecmp(k, key) && !json_is_null(val))
			v = val;
	}
	return v;
}

/* A string value with a NUL in it (a \u0000 escape) cannot become a path, an
 * argument or an environment entry: runc fails on it in the syscall (EINVAL),
 * husk when it reads config.json. */
static int no_nul(json_t *v, const char *path, const char *key, const char *what,
		  struct husk_error *err)
{
	if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v))
		return spec_ferr(err, path, key, "%s must not contain a NUL character (\\u0000)", what);
	return 0;
}

int spec_get_str(json_t *o, const char *path, const char *key, bool required, char **out,
		 struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	if (!v)
		return required ? spec_ferr(err, path, key, "is required") : 0;
	if (!json_is_string(v))
		return spec_ferr(err, path, key, "must be a string");
	CHECK(no_nul(v, path, key, "the value", err));
	free(*out);
	*out = xstrdup(json_string_value(v));
	return 0;
}

int spec_get_bool(json_t *o, const char *path, const char *key, bool *out, bool *has,
		  struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return spec_ferr(err, path, key, "must be a boolean");
	*out = json_is_true(v);
	if (has)
		*has = true;
	return 0;
}

int spec_get_int(json_t *o, const char *path, const char *key, long long min, long long max,
		 long long *out, bool *has, bool required, struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	if (!v)
		return required ? spec_ferr(err, path, key, "is required") : 0;
	if (!json_is_integer(v))
		return spec_ferr(err, path, key, "must be an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return spec_ferr(err, path, key, "%lld is out of range [%lld, %lld]",
				 (long long)json_integer_value(v), min, max);
	*out = json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

int spec_get_u64(json_t *o, const char *path, const char *key, uint64_t *out, bool *has,
		 bool required, struct husk_error *err)
{
	json_t *v = spec_member(o, key);
	const char *t;
	char *end;

	if (!v)
		return required ? spec_ferr(err, path, key, "is required") : 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return spec_ferr(err, path, key, "%lld is out of range [0, %llu]",
					 (long long)json_integer_value(v), (unsigned long long)UINT64_MAX);
		*out = (uint64_t)json_integer_value(v);
	} else {
		t = json_string_value(v);
		if (!t || strncmp(t, SPEC_U64_MARK, strlen(SPEC_U64_MARK)))
			return spec_ferr(err, path, key, "must be an integer");
		errno = 0;
		*out = strtoull(t + strlen(SPEC_U64_MARK), &end, 10);
		if (errno || *end || *out <= INT64_MAX)
			return spec_ferr(err, path, key, "%s is out of range [0, %llu]",
					 t + strlen(SPEC_U64_MARK), (unsigned long long)UINT64_MAX);
	}
	if (has)
		*has = true;
	return 0;
}

int spec_get_strv(json_t *o, const char *path, const char *key, struct husk_strv *out,
		  struct husk_error *err)
{
	json_t *v = spec_member(o, key), *item;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return spec_ferr(err, path, key, "must be an array of strings");
	out->v = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		char what[64];

		/* null is Go's zero value: "" */
		if (!json_is_string(item) && !json_is_null(item))
			return spec_ferr(err, path, key, "element %zu must be a string", i);
		snprintf(what, sizeof(what), "element %zu", i);
		CHECK(no_nul(item, path, key, what, err));
		out->v[out->n++] = xstrdup(json_is_null(item) ? "" : json_string_value(item));
	}
	return 0;
}

int spec_get_kvv(json_t *o, const char *path, const char *key, struct husk_kvv *out,
		 struct husk_error *err)
{
	json_t *v = spec_member(o, key), *val;
	const char *k;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return spec_ferr(err, path, key, "must be an object of strings");
	out->v = xcalloc(json_object_size(v), sizeof(*out->v));
	json_object_foreach(v, k, val) {
		/* null is Go's zero value: "" */
		if (!json_is_string(val) && !json_is_null(val))
			return spec_ferr(err, path, key, "value of \"%s\" must be a string", k);
		out->v[out->n].key = xstrdup(k);
		/* a NUL in a value (annotations) ends it: runc keeps the rest, which
		 * nothing but `state` shows */
		out->v[out->n].value = xstrdup(json_is_null(val) ? "" : json_string_value(val));
		out->n++;
	}
	return 0;
}

int spec_get_obj(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return spec_ferr(err, path, key, "must be an object");
	*out = v;
	return 0;
}

int spec_get_arr(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return spec_ferr(err, path, key, "must be an array");
	*out = v;
	return 0;
}

int spec_item_obj(json_t *arr, size_t i, const char *path, json_t **out, struct husk_error *err)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return husk_error_set(err, -EINVAL, "%s[%zu]: must be an object", path, i);
	return 0;
}

char *spec_subpath(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

char *spec_itempath(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

json_t *spec_load_json(const char *text, size_t len, const char *what, struct husk_error *err)
{
	json_error_t jerr;
	size_t glen = 0, mlen = 0;
	_cleanup_free_ char *go = spec_go_strings(text, len, &glen);
	_cleanup_free_ char *marked = spec_mark_big_integers(go ? go : text, go ? glen : len, &mlen);
	/* as Go's encoding/json (runc): no JSON_REJECT_DUPLICATES (the last of two
	 * equal keys wins, in jansson too), \u0000 escapes allowed (no_nul refuses
	 * them where they cannot be), and what follows the document is not read
	 * (runc's json.Decoder.Decode reads one value) */
	json_t *doc = json_loadb(marked ? marked : go ? go : text, marked ? mlen : go ? glen : len,
				 JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK, &jerr);

	if (!doc)
		husk_error_set(err, -EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
			       jerr.line, jerr.column, jerr.text);
	return doc;
}

/* Collapse repeated slashes, "." components and a trailing slash in place
 * (runc compares mount destinations after filepath.Clean). */
void spec_path_clean(char *p)
{
	char *w = p, *r = p;

	while (*r) {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' && (r[2] == '/' || !r[2])))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
	while (w > p + 1 && w[-1] == '/')
		*--w = '\0';
}

json_t *spec_load_json_file(const char *path, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r < 0) {
		husk_error_sys(err, r, "read %s", path);
		return NULL;
	}
	return spec_load_json(text, len, path, err);
}
