/* husk update: runc's flags (or -r resources.json) → a LinuxResources object. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* docker's units.RAMInBytes, as runc's memory flags: "128m", "1.5G", "64 KiB",
 * "65536" → bytes (binary units); "-1" is handled by the caller. */
static int parse_bytes(const char *s, long long *out)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	char *end;
	double v, mult = 1;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p);)
			p++;
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return -ERANGE;
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, tolower((unsigned char)*p)))) {
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || v * mult >= 9.2e18)
		return -EINVAL;
	*out = (long long)(v * mult);
	return 0;
}

/* Go's strconv.ParseInt/ParseUint(s, 10, 64), as runc's cpu flags */
static int parse_number(const char *s, bool sign, long long *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s) || (!sign && (*s == '-' || *s == '+')))
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static json_t *section(json_t *res, const char *name)
{
	json_t *o = json_object_get(res, name);

	if (!o) {
		o = json_object();
		json_object_set_new(res, name, o);
	}
	return o;
}

static char *read_resources(const char *path, struct husk_error *err)
{
	json_error_t jerr;
	FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "re");
	json_t *doc;
	char *text;

	if (!f) {
		/* the error convention's errno text, not jansson's strerror */
		husk_error_sys(err, -errno, "open %s", path);
		return NULL;
	}
	doc = json_loadf(f, 0, &jerr);
	if (f != stdin)
		fclose(f);
	if (!doc) {
		husk_error_set(err, -EINVAL, "%s: %s", path, jerr.text);
		return NULL;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

int cmd_update(const struct global *g, int argc, char **argv)
{
	enum { U_RES, U_BLKIO, U_PERIOD, U_QUOTA, U_SHARE, U_RTPERIOD, U_RTRUNTIME, U_CPUS, U_MEMS, U_KMEM,
	       U_KMEMTCP, U_MEM, U_MEMRES, U_SWAP, U_PIDS, U_L3, U_MBW, U_COUNT };
	/* runc's flags, with runc's types: the numbers it parses itself are strings */
	static const struct cli_flag flags[] = {
		[U_RES] = {"resources, r", CLI_STRING},	      [U_BLKIO] = {"blkio-weight", CLI_INT},
		[U_PERIOD] = {"cpu-period", CLI_STRING},	      [U_QUOTA] = {"cpu-quota", CLI_STRING},
		[U_SHARE] = {"cpu-share", CLI_STRING},	      [U_RTPERIOD] = {"cpu-rt-period", CLI_STRING},
		[U_RTRUNTIME] = {"cpu-rt-runtime", CLI_STRING}, [U_CPUS] = {"cpuset-cpus", CLI_STRING},
		[U_MEMS] = {"cpuset-mems", CLI_STRING},	      [U_KMEM] = {"kernel-memory", CLI_STRING},
		[U_KMEMTCP] = {"kernel-memory-tcp", CLI_STRING}, [U_MEM] = {"memory", CLI_STRING},
		[U_MEMRES] = {"memory-reservation", CLI_STRING}, [U_SWAP] = {"memory-swap", CLI_STRING},
		[U_PIDS] = {"pids-limit", CLI_INT},	      [U_L3] = {"l3-cache-schema", CLI_STRING},
		[U_MBW] = {"mem-bw-schema", CLI_STRING},
	};
	/* where each flag goes in LinuxResources; numbers of 0 (or "") change nothing, as in runc */
	static const struct {
		int flag;
		const char *section, *field;
		enum { N_UINT, N_INT, N_BYTES, N_STR, N_FLAG } kind;
	} map[] = {
		{U_BLKIO, "blockIO", "weight", N_FLAG},	     {U_PERIOD, "cpu", "period", N_UINT},
		{U_RTPERIOD, "cpu", "realtimePeriod", N_UINT}, {U_SHARE, "cpu", "shares", N_UINT},
		{U_QUOTA, "cpu", "quota", N_INT},	     {U_RTRUNTIME, "cpu", "realtimeRuntime", N_INT},
		{U_CPUS, "cpu", "cpus", N_STR},		     {U_MEMS, "cpu", "mems", N_STR},
		{U_MEM, "memory", "limit", N_BYTES},	     {U_SWAP, "memory", "swap", N_BYTES},
		{U_MEMRES, "memory", "reservation", N_BYTES}, {U_PIDS, "pids", "limit", N_FLAG},
	};
	struct cli_value v[U_COUNT];
	struct husk_error err = {0};
	json_t *res = NULL;
	struct cli_args a;
	char *text = NULL;
	int r;

	r = CLI_PARSE("update", flags, v, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("update", &a, 1, 1))
		return 1;
	if (v[U_RES].set && *v[U_RES].s) {
		/* as runc: the file wins and the other flags are not looked at */
		text = read_resources(v[U_RES].s, &err);
		if (!text)
			return cli_fail("update", &err);
		goto apply;
	}
	res = json_object();
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct cli_value *f = &v[map[i].flag];
		long long n = 0;
		int bad = 0;

		if (!f->set)
			continue;
		switch (map[i].kind) {
		case N_FLAG:
			n = f->n;
			break;
		case N_STR:
			if (*f->s)
				json_object_set_new(section(res, map[i].section), map[i].field, json_string(f->s));
			continue;
		case N_UINT:
		case N_INT:
			if (!*f->s)
				continue;
			bad = parse_number(f->s, map[i].kind == N_INT, &n);
			break;
		case N_BYTES:
			if (!*f->s)
				continue;
			n = -1;
			bad = strcmp(f->s, "-1") ? parse_bytes(f->s, &n) : 0;
			break;
		}
		if (bad) {
			husk_error_set(&err, -EINVAL, "invalid value for %s: \"%s\" is not a valid value", flags[map[i].flag].names, f->s);
			json_decref(res);
			return cli_fail("update", &err);
		}
		if (n)
			json_object_set_new(section(res, map[i].section), map[i].field, json_integer(n));
	}
	if ((v[U_KMEM].set && *v[U_KMEM].s) || (v[U_KMEMTCP].set && *v[U_KMEMTCP].s))
		fprintf(stderr, "husk: update: kernel memory settings are ignored\n");
	if ((v[U_L3].set && *v[U_L3].s) || (v[U_MBW].set && *v[U_MBW].s)) {
		/* runc's answer on a machine without it */
		husk_error_set(&err, -ENOTSUP, "Intel RDT is not supported by husk");
		json_decref(res);
		return cli_fail("update", &err);
	}
	text = json_dumps(res, JSON_COMPACT);
	json_decref(res);
apply:
	r = husk_update(g->root, a.argv[0], text, &err);
	free(text);
	return r < 0 ? cli_fail("update", &err) : 0;
}
