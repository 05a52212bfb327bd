/* Generic getters for config.json fields (jansson), shared by the schema walk
 * in spec.c, spec-process.c and spec-linux.c. Each takes the JSON path of the
 * parent object so that every error names its field, e.g.
 * "process.args: must be a non-empty array of strings". A member that is
 * absent or null is "not set" (as Go's encoding/json, which runc uses). */
#ifndef HUSK_SPEC_JSON_H
#define HUSK_SPEC_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "husk/spec.h"

/* -EINVAL with "PATH.KEY: message". */
int spec_ferr(struct husk_error *err, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The member key of o; NULL when absent or null. Keys match exactly first and
 * then case-insensitively, as Go's encoding/json matches struct fields. */
json_t *spec_member(json_t *o, const char *key);

/* Each returns 0 (leaving *out alone when the member is absent) or -EINVAL. */
int spec_get_str(json_t *o, const char *path, const char *key, bool required, char **out,
		 struct husk_error *err);
int spec_get_bool(json_t *o, const char *path, const char *key, bool *out, bool *has,
		  struct husk_error *err);
int spec_get_int(json_t *o, const char *path, const char *key, long long min, long long max,
		 long long *out, bool *has, bool required, struct husk_error *err);
/* A uint64 field: any integer in [0, UINT64_MAX], including those above
 * INT64_MAX that spec_load_json turned into markers. */
int spec_get_u64(json_t *o, const char *path, const char *key, uint64_t *out, bool *has,
		 bool required, struct husk_error *err);
int spec_get_strv(json_t *o, const char *path, const char *key, struct husk_strv *out,
		  struct husk_error *err);
int spec_get_kvv(json_t *o, const char *path, const char *key, struct husk_kvv *out,
		 struct husk_error *err);
/* Members that must be an object / an array when present (*out NULL when not). */
int spec_get_obj(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err);
int spec_get_arr(json_t *o, const char *path, const char *key, json_t **out, struct husk_error *err);
/* Element i of arr, which must be an object. */
int spec_item_obj(json_t *arr, size_t i, const char *path, json_t **out, struct husk_error *err);

/* Collapse repeated slashes, "." components and a trailing slash in place
 * (runc compares paths after filepath.Clean). */
void spec_path_clean(char *p);

/* "path.key" / "path[i]" (caller frees). */
char *spec_subpath(const char *path, const char *key);
char *spec_itempath(const char *path, size_t i);

/* Parse text as JSON (integers above INT64_MAX marked, see spec-u64.c); NULL
 * with err set on a syntax error. Duplicate keys: the last one wins, as in Go. */
json_t *spec_load_json(const char *text, size_t len, const char *what, struct husk_error *err);

/* The same for the file at path (a container's stored config.json: exec and
 * update read it as create did); NULL with err set. */
json_t *spec_load_json_file(const char *path, struct husk_error *err);

/* spec-u64.c: text with every bare integer in (INT64_MAX, UINT64_MAX] turned
 * into the string SPEC_U64_MARK"digits"; NULL when there is none. */
#define SPEC_U64_MARK "husk-u64:"
/* spec-utf8.c: text with each byte of a string that is not UTF-8, and each
 * unpaired \uD800-\uDFFF escape, turned into U+FFFD (as Go's encoding/json);
 * NULL when there is none. */
char *spec_go_strings(const char *text, size_t len, size_t *out_len);
char *spec_mark_big_integers(const char *text, size_t len, size_t *out_len);

/* spec-process.c, spec-linux.c: the schema walk of each part. */
int spec_parse_process(json_t *o, const char *path, struct husk_process *p,
		       struct husk_strv *warnings, struct husk_error *err);
int spec_parse_linux(json_t *o, struct husk_spec *s, struct husk_error *err);
int spec_parse_idmaps(json_t *o, const char *path, const char *key, struct husk_idmap **out,
		      size_t *n, struct husk_error *err);
/* Record a warning about a value that is ignored (husk_spec_warn prints them). */
void spec_warning(struct husk_strv *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Assign a range-checked integer member to dst, of any integer type; has (a
 * bool *, or NULL) is set when the member is present. */
#define SPEC_GET_INT(o, path, key, min, max, dst, has, req, err)                              \
	({                                                                                   \
		long long _v = 0;                                                            \
		bool _h = false;                                                             \
		int _r = spec_get_int(o, path, key, min, max, &_v, &_h, req, err);           \
		if (_r == 0 && _h) {                                                         \
			(dst) = (__typeof__(dst))_v;                                         \
			bool *_hp = (has);                                                   \
			if (_hp)                                                             \
				*_hp = true;                                                 \
		}                                                                            \
		_r;                                                                          \
	})

#define CHECK(x)                                                                             \
	do {                                                                                 \
		int check_r_ = (x);                                                          \
		if (check_r_ < 0)                                                            \
			return check_r_;                                                     \
	} while (0)

#endif
