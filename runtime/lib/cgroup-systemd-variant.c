/* runc's org.systemd.property.* annotations (specconv's initSystemdProps):
 * the property name rules, the Sec -> USec conversion, and the part of
 * godbus's GVariant text parser (dbus.ParseVariant, godbus v5.0.6, which
 * runc 1.1 uses) that unit properties need. As godbus: one value is parsed
 * and whatever follows it is ignored; an untyped integer is an int32, an
 * untyped number with '.' or 'e' a double. husk refuses, with its own
 * message, what it does not implement: variants <..>, dicts {..}, byte
 * strings b'..', arrays of anything but strings, object paths, signatures.
 * Pure: unit/cgroup_systemd tests it with runc's cases. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-systemd.h"
#include "util.h"

#define PROP_PREFIX "org.systemd.property."

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* whether godbus's lexer reads a type at s: "@SIG", or a word that is not
 * true/false, a byte string, a number, a string or punctuation */
static bool starts_type(const char *s)
{
	if (*s == '@')
		return true;
	if (strchr("[]{}<>:,'\"+-0123456789", *s) || !strncmp(s, "true", 4) || !strncmp(s, "false", 5))
		return false;
	return !(*s == 'b' && (s[1] == '\'' || s[1] == '"'));
}

/* godbus's varTypeMap ("double" maps to "f", which no number accepts) */
static const char *keyword_sig(const char *w, size_t n)
{
	static const char *const map[][2] = {
		{"boolean", "b"}, {"byte", "y"},   {"int16", "n"},  {"uint16", "q"},	 {"int32", "i"},
		{"uint32", "u"},  {"int64", "x"},  {"uint64", "t"}, {"double", "f"},	 {"string", "s"},
		{"objectpath", "o"}, {"signature", "g"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i][0]) == n && !strncmp(map[i][0], w, n))
			return map[i][1];
	return NULL;
}

static char *type_error(const char *val, const char *sig)
{
	return xasprintf("dbus: can't parse \"%s\" as type \"%s\"", val, sig);
}

/* strconv.ParseInt/ParseUint(s, base, bits): Go's messages */
static char *gv_parse_int(const char *s, int base, int bits, bool is_unsigned, uint64_t *out)
{
	const char *fn = is_unsigned ? "strconv.ParseUint" : "strconv.ParseInt";
	const char *p = s;
	bool neg = false;
	uint64_t v = 0, limit;
	bool range = false;

	if (!is_unsigned && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (!*p)
		return xasprintf("%s: parsing \"%s\": invalid syntax", fn, s);
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'z' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'Z' ? *p - 'A' + 10 : 99;
		if (d >= base)
			return xasprintf("%s: parsing \"%s\": invalid syntax", fn, s);
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			range = true;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	limit = is_unsigned ? (bits == 64 ? UINT64_MAX : (1ULL << bits) - 1)
			    : (neg ? 1ULL << (bits - 1) : (1ULL << (bits - 1)) - 1);
	if (range || v > limit)
		return xasprintf("%s: parsing \"%s\": value out of range", fn, s);
	*out = neg ? (uint64_t)0 - v : v;
	return NULL;
}

/* godbus's varNumAs: the number text as type sig, into q */
static char *num_as(const char *tok, const char *sig, struct sd_prop *q)
{
	static const struct { char c; int bits; bool u; } ints[] = {
		{'y', 8, true}, {'n', 16, false}, {'q', 16, true}, {'i', 32, false},
		{'u', 32, true}, {'x', 64, false}, {'t', 64, true},
	};
	const char *s = tok;
	int base = 10;
	uint64_t v;
	char *e;

	if (!strcmp(sig, "d")) {
		char *end;
		double d;

		errno = 0;
		/* Go's ParseFloat takes no hex without a p exponent (which the lexer never passes) */
		d = strpbrk(tok, "xX") ? 0 : strtod(tok, &end);
		if (strpbrk(tok, "xX") || !*tok || *end)
			return xasprintf("strconv.ParseFloat: parsing \"%s\": invalid syntax", tok);
		if (errno == ERANGE && isinf(d))
			return xasprintf("strconv.ParseFloat: parsing \"%s\": value out of range", tok);
		q->type = SD_BASIC;
		strcpy(q->code, "d");
		q->d = d;
		return NULL;
	}
	for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
		if (strlen(sig) != 1 || sig[0] != ints[k].c)
			continue;
		/* godbus's prefix handling, quirks included ("0x0f" is octal "f") */
		if (!strncmp(s, "0x", 2)) {
			base = 16;
			s += 2;
		}
		if (s[0] == '0' && s[1]) {
			base = 8;
			s++;
		}
		e = gv_parse_int(s, base, ints[k].bits, ints[k].u, &v);
		if (e)
			return e;
		if (ints[k].c == 't') {
			q->type = SD_U64;
			q->u = v;
		} else {
			q->type = SD_BASIC;
			q->code[0] = ints[k].c;
			q->code[1] = 0;
			if (ints[k].u)
				q->u = v;
			else
				q->i = (int64_t)v;
		}
		return NULL;
	}
	return type_error(tok, sig);
}

static void put_utf8(char *o, size_t *n, uint32_t r)
{
	if (r < 0x80) {
		o[(*n)++] = (char)r;
	} else if (r < 0x800) {
		o[(*n)++] = (char)(0xc0 | (r >> 6));
		o[(*n)++] = (char)(0x80 | (r & 0x3f));
	} else if (r < 0x10000) {
		o[(*n)++] = (char)(0xe0 | (r >> 12));
		o[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (r & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | (r >> 18));
		o[(*n)++] = (char)(0x80 | ((r >> 12) & 0x3f));
		o[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (r & 0x3f));
	}
}

/* length of the valid UTF-8 sequence at s (1-4), 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t r;

	if (!n || (n == 2 && s[0] < 0xc2))
		return n == 1 ? 1 : 0;
	r = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (r < 0x800 || (r >= 0xd800 && r <= 0xdfff))) || (n == 4 && (r < 0x10000 || r > 0x10ffff)))
		return 0;
	return n;
}

/* godbus's varParseString: tok is the quoted token; *out the text. D-Bus
 * strings hold no NUL: husk refuses a \u0000 escape (godbus would pass it on
 * and the bus would refuse the message). */
static char *parse_string(const char *tok, size_t len, char **out)
{
	char *o = xcalloc(len * 4 + 1, 1);
	size_t n = 0;

	for (size_t i = 1; i + 1 < len;) {
		size_t l = utf8_len((const unsigned char *)tok + i);
		char c = tok[i];

		if (!l)
			goto bad_utf8;
		if (c != '\\') {
			memcpy(o + n, tok + i, l);
			n += l;
			i += l;
			continue;
		}
		i++;
		l = utf8_len((const unsigned char *)tok + i);
		if (!l)
			goto bad_utf8;
		c = tok[i];
		if (c == 'u' || c == 'U') {
			size_t w = c == 'u' ? 4 : 8;
			char hex[9] = {0};
			uint64_t r;
			char *e;

			if (len - 1 - (i + 1) < w) {
				free(o);
				return xstrdup("short unicode escape");
			}
			memcpy(hex, tok + i + 1, w);
			e = gv_parse_int(hex, 16, 32, true, &r);
			if (e) {
				free(o);
				return e;
			}
			if (r == 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
				free(o);
				return xasprintf("husk does not support the escape \\%c%s in a D-Bus string", c, hex);
			}
			put_utf8(o, &n, (uint32_t)r);
			i += 1 + w;
			continue;
		}
		switch (c) {
		case 'a': o[n++] = 7; break;
		case 'b': o[n++] = 8; break;
		case 'f': o[n++] = 12; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case '\n': break;
		default:
			memcpy(o + n, tok + i, l);
			n += l;
		}
		i += l;
	}
	*out = o;
	return NULL;
bad_utf8:
	free(o);
	return xstrdup("invalid UTF-8");
}

/* the quoted string starting at s (godbus's varLexString); its length or 0 */
static size_t lex_string(const char *s)
{
	char q = s[0];

	for (size_t i = 1; s[i]; i++) {
		if (s[i] == '\\') {
			if (!s[++i])
				return 0;
		} else if (s[i] == q) {
			return i + 1;
		}
	}
	return 0;
}

/* godbus's varLexNumber: the number's length at s, or 0 with *e set */
static size_t lex_number(const char *s, char **e)
{
	const char *digits = "0123456789";
	size_t i = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	if (s[i] == '0') {
		i++;
		if (s[i] == 'x') {
			i++;
			digits = "0123456789abcdefABCDEF";
		} else {
			digits = "01234567";
		}
	}
	while (s[i] && strchr(digits, s[i]))
		i++;
	if (s[i] == '.') {
		i++;
		while (s[i] && strchr(digits, s[i]))
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (is_letter(s[i])) {
		*e = xasprintf("bad number syntax: \"%.*s\"", (int)i + 1, s);
		return 0;
	}
	return i;
}

/* an array of strings: s at '[' (godbus's varMakeArrayNode, strings only) */
static char *parse_string_array(const char *s, const char *sig, struct sd_prop *q)
{
	size_t i = 1;
	char *e = NULL;

	if (*sig && strcmp(sig, "as"))
		return xasprintf("husk supports no arrays but of strings (here of type %s)", sig);
	q->type = SD_STRV;
	for (;;) {
		size_t l;
		char *str;

		while (is_space(s[i]))
			i++;
		if (!s[i])
			return xstrdup("unexpected EOF");
		if (s[i] == ']') {
			if (q->n == 0)
				break;
			return xstrdup("unexpected \"]\"");
		}
		if (s[i] != '\'' && s[i] != '"')
			return xstrdup("husk supports no arrays but of strings");
		l = lex_string(s + i);
		if (!l)
			return xstrdup("unterminated string");
		e = parse_string(s + i, l, &str);
		if (e)
			return e;
		q->sv = xreallocarray(q->sv, q->n + 1, sizeof(char *));
		q->sv[q->n++] = str;
		i += l;
		while (is_space(s[i]))
			i++;
		if (!s[i])
			return xstrdup("unexpected EOF");
		if (s[i] == ']')
			break;
		if (s[i] != ',') { /* godbus names the whole token */
			size_t tl = s[i] == '\'' || s[i] == '"' ? lex_string(s + i) : 1;
			return xasprintf("unexpected \"%.*s\"", (int)(tl ? tl : strlen(s + i)), s + i);
		}
		i++;
	}
	if (q->n == 0 && !*sig)
		return xstrdup("can't infer type for \"[]\"");
	return NULL;
}

char *sd_parse_variant(const char *text, struct sd_prop *q)
{
	char sig[64] = "";
	const char *s = text;

	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			return xstrdup("unexpected EOF");
		if (starts_type(s)) {
			/* a type: "@SIG" or a keyword, up to the next space */
			size_t n = 0;
			const char *m;

			while (s[n] && !is_space(s[n]))
				n++;
			if (*sig)
				return xstrdup("unexpected type annotation");
			if (*s == '@') {
				if (n - 1 >= sizeof(sig))
					return xasprintf("husk does not support the type %.*s", (int)n, s);
				memcpy(sig, s + 1, n - 1);
				sig[n - 1] = 0;
				if (strcmp(sig, "as") && (!sig[0] || sig[1] || !strchr("bynqiuxtds", sig[0])))
					return xasprintf("husk does not support the type %.*s (only b y n q i u x t d s as)",
							 (int)n, s);
			} else {
				m = keyword_sig(s, n);
				if (!m)
					return xasprintf("unrecognized type \"%.*s\"", (int)n, s);
				if (!strcmp(m, "o") || !strcmp(m, "g"))
					return xasprintf("husk does not support the type %.*s", (int)n, s);
				strcpy(sig, m);
			}
			s += n;
			continue;
		}
		break;
	}
	if (!strncmp(s, "true", 4) || !strncmp(s, "false", 5)) {
		bool b = s[0] == 't';

		if (*sig && strcmp(sig, "b"))
			return type_error(b ? "true" : "false", sig);
		q->type = SD_BOOL;
		q->b = b;
		return NULL;
	}
	if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-') {
		char *e = NULL, *tok;
		size_t n = lex_number(s, &e);

		if (!n)
			return e;
		tok = xasprintf("%.*s", (int)n, s);
		/* godbus infers int32, or double when the text has '.' or 'e' */
		e = num_as(tok, *sig ? sig : strpbrk(tok, ".e") ? "d" : "i", q);
		free(tok);
		return e;
	}
	if (*s == '\'' || *s == '"') {
		size_t n = lex_string(s);

		if (!n)
			return xstrdup("unterminated string");
		if (*sig && strcmp(sig, "s"))
			return xasprintf("invalid type \"%s\" for string", sig);
		q->type = SD_STR;
		return parse_string(s, n, &q->s);
	}
	if (*s == '[')
		return parse_string_array(s, sig, q);
	if (*s == '<' || *s == '{' || *s == 'b')
		return xasprintf("husk does not support GVariant %s", *s == '<' ? "variants" : *s == '{' ? "dictionaries"
												       : "byte strings");
	return xasprintf("unexpected \"%c\"", *s);
}

/* convertSecToUSec: a number of seconds as uint64 microseconds (Go's
 * conversions: negative integers wrap, as uint64(int) does) */
static int sec_to_usec(struct sd_prop *q)
{
	const uint64_t M = 1000000;

	if (q->type == SD_U64) {
		q->u *= M;
		return 0;
	}
	if (q->type != SD_BASIC)
		return -1;
	if (strchr("yqu", q->code[0]))
		q->u *= M;
	else if (strchr("nix", q->code[0]))
		q->u = (uint64_t)q->i * M;
	else if (q->d * (double)M >= 0 && q->d * (double)M < 18446744073709551616.0)
		q->u = (uint64_t)(q->d * (double)M);
	else
		return -2; /* Go's float->uint64 of these is undefined: husk refuses */
	q->type = SD_U64;
	return 0;
}

static void free_one(struct sd_prop *q)
{
	struct sd_props one = {.v = xcalloc(1, sizeof(*q)), .n = 1};

	one.v[0] = *q;
	sd_props_free(&one);
	memset(q, 0, sizeof(*q));
}

int sd_annotation_props(const struct husk_kvv *annotations, struct sd_props *p, struct husk_error *err)
{
	for (size_t i = 0; annotations && i < annotations->n; i++) {
		const char *k = annotations->v[i].key, *v = annotations->v[i].value, *name;
		struct sd_prop q = {0};
		size_t nl;
		char *e;

		if (strncmp(k, PROP_PREFIX, strlen(PROP_PREFIX)))
			continue;
		name = k + strlen(PROP_PREFIX);
		nl = strlen(name);
		if (nl < 3)
			return husk_error_set(err, -EINVAL, "annotation %s name incorrect: too short", k);
		for (size_t j = 0; j < nl; j++)
			if (!is_letter(name[j]))
				return husk_error_set(err, -EINVAL,
						      "annotation %s name incorrect: contains non-alphabetic character", k);
		e = sd_parse_variant(v, &q);
		if (e) {
			int r = husk_error_set(err, -EINVAL, "annotation %s=%s value parse error: %s", k, v, e);
			free(e);
			free_one(&q);
			return r;
		}
		/* "...Sec" after a lowercase letter is systemd's documented name
		 * for the ...USec property: runc converts (TimeoutStopSec=5 -> 5000000) */
		if (nl > 3 && !strcmp(name + nl - 3, "Sec") && name[nl - 4] >= 'a' && name[nl - 4] <= 'z') {
			int r = sec_to_usec(&q);

			if (r < 0) {
				free_one(&q);
				return husk_error_set(err, -EINVAL, "annotation %s=%s value parse error: %s", k, v,
						      r == -1 ? "not a number" : "husk: out of range for uint64 microseconds");
			}
			q.name = xasprintf("%.*sUSec", (int)(nl - 3), name);
		} else {
			q.name = xstrdup(name);
		}
		p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
		p->v[p->n++] = q;
	}
	return 0;
}
