/* runc's command-line grammar, so that every call runc accepts means the same
 * here: urfave/cli 1.22 (as Debian builds runc 1.1) over Go's flag package.
 *
 * - A verb's known flags may come after its positional arguments: they are moved
 *   in front first (urfave's reorderArgs), except for exec and ps, whose words
 *   after the id belong to the command. A word that follows a moved flag without
 *   "=" goes with it, even after a boolean flag (as urfave does).
 * - "-name" and "--name" are the same; values as "-name=v" or "-name v"; booleans
 *   as "-name" or "-name=true|false|1|0|t|f"; no combined short flags ("-qf").
 * - "--" ends the flags; "-" is an argument. Repeated flags: the last value
 *   wins, slices (--env, --cap, --cgroup, --additional-gids) accumulate.
 * - A flag with two names ("bundle, b") given under both is an error.
 * - -h/--help prints the verb's help and exits 0 (after a successful parse). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Does NAME (without dashes, before any "=") match one of the comma-separated
 * names in LIST? */
static bool name_in(const char *list, const char *name, size_t len)
{
	for (const char *p = list; *p;) {
		const char *end;
		while (*p == ' ' || *p == ',')
			p++;
		end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		if ((size_t)(end - p) == len && !strncmp(p, name, len) && len)
			return true;
		p = end;
	}
	return false;
}

/* The flag ARG names ("-x", "--x=v"), or -1 (urfave's argIsFlag; "help, h" is
 * index n). */
static int flag_index(const struct cli_flag *flags, size_t n, const char *arg)
{
	const char *name;
	size_t len;

	if (arg[0] != '-' || !strcmp(arg, "-") || !strcmp(arg, "--"))
		return -1;
	name = arg + 1 + (arg[1] == '-');
	len = strcspn(name, "=");
	for (size_t i = 0; i < n; i++)
		if (name_in(flags[i].names, name, len))
			return (int)i;
	if (name_in("help, h", name, len))
		return (int)n;
	return -1;
}

/* urfave/cli 1.22's reorderArgs, word for word in effect. */
static void reorder(const struct cli_flag *flags, size_t n, int argc, char **argv, char **out)
{
	int nf = 0, nr = 0;
	char **rest = out + argc; /* scratch: the non-flags, in order */
	bool may_value = false;

	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		bool is_flag = flag_index(flags, n, a) >= 0;

		if (may_value && !is_flag) {
			may_value = false;
			out[nf++] = a;
		} else if (!strcmp(a, "--")) {
			/* "--" goes first among the rest; everything after it stays as it is */
			memmove(rest + 1, rest, (size_t)nr * sizeof(char *));
			rest[0] = a;
			nr++;
			for (i++; i < argc; i++)
				rest[nr++] = argv[i];
			break;
		} else if (is_flag) {
			out[nf++] = a;
			may_value = !strchr(a, '=');
		} else {
			rest[nr++] = a;
		}
	}
	memmove(out + nf, rest, (size_t)nr * sizeof(char *));
}

/* Go's strconv.ParseBool */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

int cli_parse_go_int(const char *s, long long *out)
{
	const char *p = s;
	bool neg = false;
	int base = 10;
	char *end;
	unsigned long long v;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	/* Go's base 0: 0x, 0o, 0b and a leading 0 for octal */
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!isalnum((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end || v > (unsigned long long)LLONG_MAX + neg)
		return -ERANGE;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* Go's time.ParseDuration, in nanoseconds */
static int parse_duration(const char *s, long long *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3}, {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	const char *p = s;
	double total = 0;
	bool neg = false;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!strcmp(p, "0"))
		return *out = 0, 0;
	if (!*p)
		return -EINVAL;
	while (*p) {
		char *end;
		double v;
		size_t i;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return -EINVAL;
		v = strtod(p, &end);
		if (end == p)
			return -EINVAL;
		p = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);
			/* "ms" before "m": the longest unit that matches */
			if (!strncmp(p, units[i].unit, l) && !(l == 1 && *p == 'm' && p[1] == 's'))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL; /* "missing unit in duration" or an unknown one */
		total += v * units[i].ns;
		p += strlen(units[i].unit);
	}
	if (total > 9.2e18)
		return -ERANGE;
	*out = (long long)(neg ? -total : total);
	return 0;
}

static int set_value(const char *verb, const struct cli_flag *f, struct cli_value *v, const char *name,
		     const char *value)
{
	long long n;

	switch (f->type) {
	case CLI_BOOL:
		if (value && parse_bool(value, &v->b) < 0)
			return -cli_usage(verb, "invalid boolean value \"%s\" for -%s: parse error", value, name);
		if (!value)
			v->b = true;
		break;
	case CLI_STRING:
		v->s = value;
		break;
	case CLI_INT:
	case CLI_INTS:
		if (cli_parse_go_int(value, &n) < 0)
			return -cli_usage(verb, "invalid value \"%s\" for flag -%s: not a valid number", value, name);
		if (f->type == CLI_INT)
			v->n = n;
		else
			v->nums[v->count++] = n;
		break;
	case CLI_STRINGS:
		v->strs[v->count++] = value;
		break;
	case CLI_DURATION:
		if (parse_duration(value, &v->n) < 0)
			return -cli_usage(verb, "invalid value \"%s\" for flag -%s: not a duration (\"5s\", \"1m30s\")",
					  value, name);
		break;
	}
	v->set = true;
	return 0;
}

/* The parser's allocations live until exit (the process is short-lived);
 * held here so that they stay reachable. */
static void *owned[16];
static size_t n_owned;

static void *own(size_t count, size_t size)
{
	void *p = calloc(count, size);

	if (!p) {
		fprintf(stderr, "husk: out of memory\n");
		exit(1);
	}
	if (n_owned < sizeof(owned) / sizeof(owned[0]))
		owned[n_owned++] = p;
	return p;
}

void cli_free_all(void)
{
	while (n_owned)
		free(owned[--n_owned]);
}

int cli_parse(const char *verb, const struct cli_flag *flags, size_t n, struct cli_value *vals, bool reorder_args,
	      int argc, char **argv, struct cli_args *out)
{
	const char *forms[64] = {0}; /* the name each flag was given under, and its length */
	size_t form_len[64] = {0};
	bool help = false;
	char **words;
	int i;

	if (n > 64)
		return -cli_usage(verb, "too many flags"); /* a bug in husk's tables */
	memset(out, 0, sizeof(*out));
	if (n) /* a verb without flags passes vals = NULL: memset(NULL, 0, 0) is undefined */
		memset(vals, 0, n * sizeof(*vals));
	/* room for the reordered words, then the scratch reorder() uses */
	words = own((size_t)argc * 2 + 1, sizeof(char *));
	for (size_t k = 0; k < n; k++) {
		if (flags[k].type == CLI_STRINGS)
			vals[k].strs = own((size_t)argc + 1, sizeof(char *));
		else if (flags[k].type == CLI_INTS)
			vals[k].nums = own((size_t)argc + 1, sizeof(long long));
	}
	if (reorder_args)
		reorder(flags, n, argc, argv, words);
	else
		memcpy(words, argv, (size_t)argc * sizeof(char *));
	/* Go's FlagSet.Parse */
	for (i = 0; i < argc; i++) {
		char *a = words[i], *eq, name[128];
		const char *value = NULL;
		size_t len;
		int k;

		if (strlen(a) < 2 || a[0] != '-')
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		a += 1 + (a[1] == '-');
		if (!*a || *a == '-' || *a == '=')
			return -cli_usage(verb, "bad flag syntax: %s", words[i]);
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		snprintf(name, sizeof(name), "%.*s", (int)len, a);
		if (eq)
			value = eq + 1;
		k = flag_index(flags, n, words[i]);
		if (k < 0)
			return -cli_usage(verb, "flag provided but not defined: -%s", name);
		if (k == (int)n) { /* help */
			if (value && parse_bool(value, &help) < 0)
				return -cli_usage(verb, "invalid boolean value \"%s\" for -%s: parse error", value, name);
			if (!value)
				help = true;
			continue;
		}
		if (flags[k].type != CLI_BOOL && !value) {
			if (i + 1 >= argc)
				return -cli_usage(verb, "flag needs an argument: -%s", name);
			value = words[++i];
		}
		if (forms[k] && (form_len[k] != len || strncmp(forms[k], a, len)))
			return -cli_usage(verb, "Cannot use two forms of the same flag: %s %.*s", name,
					 (int)form_len[k], forms[k]);
		forms[k] = a;
		form_len[k] = len;
		if (set_value(verb, &flags[k], &vals[k], name, value))
			return -1;
	}
	out->argc = argc - i;
	out->argv = words + i;
	if (help) {
		cli_print_help(verb);
		return 1;
	}
	return 0;
}

int cli_nargs(const char *verb, const struct cli_args *a, int min, int max)
{
	if (a->argc < min || (max >= 0 && a->argc > max)) {
		if (min == max)
			return -cli_usage(verb, "\"%s\" requires exactly %d argument(s)", verb, min);
		if (a->argc < min)
			return -cli_usage(verb, "\"%s\" requires a minimum of %d argument(s)", verb, min);
		return -cli_usage(verb, "\"%s\" requires a maximum of %d argument(s)", verb, max);
	}
	return 0;
}
