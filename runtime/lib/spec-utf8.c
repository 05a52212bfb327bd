/* The pre-pass that makes jansson read strings as Go's encoding/json (runc)
 * does: jansson refuses a config.json whose strings hold bytes that are not
 * UTF-8 or a \uD800-\uDFFF escape that is not half of a pair; Go takes each
 * such byte or escape as U+FFFD and reads on. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec-json.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
	    (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* The value of the \u escape (four hex digits) at s (s[0] == '\\'), -1 when it is not one. */
static long u_escape(const char *s, size_t n)
{
	char hex[5];
	char *end;
	long v;

	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	memcpy(hex, s + 2, 4);
	hex[4] = '\0';
	v = strtol(hex, &end, 16);
	return *end ? -1 : v;
}

char *spec_go_strings(const char *text, size_t len, size_t *out_len)
{
	static const char fffd[] = "\xef\xbf\xbd";
	/* every replacement is at most as long as what it replaces, plus U+FFFD
	 * (3 bytes) for one byte: 3x the input is always enough */
	char *out = NULL;
	size_t o = 0;
	bool in_str = false, changed = false;

	for (size_t i = 0; i < len;) {
		size_t take = 1;
		const char *rep = NULL;
		size_t rep_len = 0;

		if (!in_str) {
			in_str = text[i] == '"';
		} else if (text[i] == '"') {
			in_str = false;
		} else if (text[i] == '\\') {
			long hi = u_escape(text + i, len - i);

			take = i + 1 < len ? 2 : 1;
			if (hi >= 0xd800 && hi <= 0xdbff) {
				long lo = u_escape(text + i + 6, len - i - 6);
				take = 6;
				if (lo >= 0xdc00 && lo <= 0xdfff)
					take = 12;
				else
					rep = "\\ufffd", rep_len = 6;
			} else if (hi >= 0xdc00 && hi <= 0xdfff) {
				take = 6;
				rep = "\\ufffd", rep_len = 6;
			} else if (hi >= 0) {
				take = 6;
			}
		} else if ((unsigned char)text[i] >= 0x80) {
			take = utf8_seq((const unsigned char *)text + i, len - i);
			if (!take) {
				take = 1;
				rep = fffd, rep_len = 3;
			}
		}
		if (rep && !changed) {
			out = xreallocarray(NULL, 3 * len + 1, 1);
			memcpy(out, text, i);
			o = i;
			changed = true;
		}
		if (changed) {
			memcpy(out + o, rep ? rep : text + i, rep ? rep_len : take);
			o += rep ? rep_len : take;
		}
		i += take;
	}
	if (!changed)
		return NULL;
	*out_len = o;
	return out;
}
