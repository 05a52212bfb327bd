/* The pre-pass for uint64 fields (rlimits, seccomp values, memory sizes…):
 * jansson's json_int_t is int64_t, so integers above INT64_MAX would be
 * refused; they are turned into string markers that spec_get_u64 reads. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>

#include "spec-json.h"
#include "util.h"

/* Numbers that do not fit uint64 either are left for jansson to reject. */
char *spec_mark_big_integers(const char *text, size_t len, size_t *out_len)
{
	char *out = NULL;
	size_t o = 0, cap = 0;
	bool in_str = false, changed = false;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		if (in_str) {
			if (text[i] == '\\' && i + 1 < len)
				j = i + 2;
			else
				j = i + 1, in_str = text[i] != '"';
		} else if (text[i] == '"') {
			in_str = true;
			j = i + 1;
		} else if (text[i] >= '0' && text[i] <= '9' && (i == 0 || !strchr("-.0123456789eE+", text[i - 1]))) {
			while (j < len && text[j] >= '0' && text[j] <= '9')
				j++;
			if ((j - i > 19 || (j - i == 19 && strncmp(text + i, "9223372036854775807", 19) > 0)) &&
			    (j - i < 20 || (j - i == 20 && strncmp(text + i, "18446744073709551615", 20) <= 0)) &&
			    (j >= len || !strchr(".eE", text[j]))) {
				size_t need = o + (j - i) + sizeof(SPEC_U64_MARK) + 2;
				if (need > cap) {
					cap = need + len + 64;
					out = xreallocarray(out, cap, 1);
				}
				o += (size_t)sprintf(out + o, "\"%s%.*s\"", SPEC_U64_MARK, (int)(j - i), text + i);
				changed = true;
				i = j;
				continue;
			}
		} else {
			j = i + 1;
		}
		if (o + (j - i) + 1 > cap) {
			cap = o + (j - i) + len + 64;
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + o, text + i, j - i);
		o += j - i;
		i = j;
	}
	if (!changed) {
		free(out);
		return NULL;
	}
	*out_len = o;
	return out;
}
