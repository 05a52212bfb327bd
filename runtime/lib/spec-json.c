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
	json_t *v = json_object_get(o, key), *val;
	const char *k;

	if (!v) {
		/* Go's encoding/json (runc) accepts "Cwd" for "cwd" */
		json_object_foreach(o, k, val) {
			if (!strcasecmp(k, key)) {
				v = val;
				break;
			}
		}
	}
	return json_is_null(v) ? NULL : v;
}

int spec_get_str(json_t *o, const char *path, const char *key, bool required, char **out,
		 struct husk_error *err)
{
	json_t *v = spec_member(o, key);

	if (!v)
		return required ? spec_ferr(err, path, key, "is required") : 0;
	if (!json_is_string(v))
		return spec_ferr(err, path, key, "must be a string");
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
		if (!json_is_string(item))
			return spec_ferr(err, path, key, "element %zu must be a string", i);
		out->v[out->n++] = xstrdup(json_string_value(item));
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
		if (!json_is_string(val))
			return spec_ferr(err, path, key, "value of \"%s\" must be a string", k);
		out->v[out->n].key = xstrdup(k);
		out->v[out->n].value = xstrdup(json_string_value(val));
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
	size_t mlen = 0;
	_cleanup_free_ char *marked = spec_mark_big_integers(text, len, &mlen);
	/* no JSON_REJECT_DUPLICATES: Go keeps the last of two equal keys, and so does jansson */
	json_t *doc = json_loadb(marked ? marked : text, marked ? mlen : len, 0, &jerr);

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
