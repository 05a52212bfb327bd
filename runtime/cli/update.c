/* husk update: runc's flags (or -r resources.json) → a LinuxResources object. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "128m", "1G", "65536", "-1" → bytes (binary units, as runc's RAMInBytes) */
static int parse_bytes(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (v == -1 && !*end) {
		*out = -1;
		return 0;
	}
	if (v < 0)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	default: break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_number(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end ? -EINVAL : 0;
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
	json_t *doc = !strcmp(path, "-") ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
	char *text;

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
	enum { O_BLKIO = 256, O_PERIOD, O_QUOTA, O_BURST, O_SHARE, O_RTPERIOD, O_RTRUNTIME, O_CPUS, O_MEMS,
	       O_MEM, O_MEMRES, O_SWAP, O_PIDS, O_KMEM, O_KMEMTCP, O_L3, O_MBW };
	static const struct option opts[] = {
		{"resources", required_argument, NULL, 'r'},  {"blkio-weight", required_argument, NULL, O_BLKIO},
		{"cpu-period", required_argument, NULL, O_PERIOD}, {"cpu-quota", required_argument, NULL, O_QUOTA},
		{"cpu-burst", required_argument, NULL, O_BURST}, {"cpu-share", required_argument, NULL, O_SHARE},
		{"cpu-rt-period", required_argument, NULL, O_RTPERIOD},
		{"cpu-rt-runtime", required_argument, NULL, O_RTRUNTIME},
		{"cpuset-cpus", required_argument, NULL, O_CPUS}, {"cpuset-mems", required_argument, NULL, O_MEMS},
		{"memory", required_argument, NULL, O_MEM}, {"memory-reservation", required_argument, NULL, O_MEMRES},
		{"memory-swap", required_argument, NULL, O_SWAP}, {"pids-limit", required_argument, NULL, O_PIDS},
		{"kernel-memory", required_argument, NULL, O_KMEM},
		{"kernel-memory-tcp", required_argument, NULL, O_KMEMTCP},
		{"l3-cache-schema", required_argument, NULL, O_L3}, {"mem-bw-schema", required_argument, NULL, O_MBW},
		{NULL, 0, NULL, 0},
	};
	struct husk_error err = {0};
	json_t *res = json_object();
	const char *file = NULL;
	char *text = NULL;
	int c, flags = 0, rc = 1;

	while ((c = getopt_long(argc, argv, "+r:", opts, NULL)) != -1) {
		long long v = 0;
		const char *name = NULL;
		int bad = 0;

		flags += c != 'r';
		switch (c) {
		case 'r':
			file = optarg;
			continue;
		case O_MEM: case O_MEMRES: case O_SWAP:
			bad = parse_bytes(optarg, &v);
			name = c == O_MEM ? "limit" : c == O_MEMRES ? "reservation" : "swap";
			if (!bad)
				json_object_set_new(section(res, "memory"), name, json_integer(v));
			break;
		case O_KMEM: case O_KMEMTCP:
			fprintf(stderr, "husk: update: --%s is obsolete and ignored\n",
				c == O_KMEM ? "kernel-memory" : "kernel-memory-tcp");
			continue;
		case O_CPUS: case O_MEMS:
			json_object_set_new(section(res, "cpu"), c == O_CPUS ? "cpus" : "mems", json_string(optarg));
			continue;
		case O_L3: case O_MBW:
			json_decref(res);
			return cli_usage("update", "Intel RDT is not supported by husk");
		case O_BLKIO:
			bad = parse_number(optarg, &v);
			if (!bad)
				json_object_set_new(section(res, "blockIO"), "weight", json_integer(v));
			break;
		case O_PIDS:
			bad = parse_number(optarg, &v);
			if (!bad)
				json_object_set_new(section(res, "pids"), "limit", json_integer(v));
			break;
		case O_PERIOD: case O_QUOTA: case O_BURST: case O_SHARE: case O_RTPERIOD: case O_RTRUNTIME:
			bad = parse_number(optarg, &v);
			name = c == O_PERIOD ? "period" : c == O_QUOTA ? "quota" : c == O_BURST ? "burst"
			     : c == O_SHARE ? "shares" : c == O_RTPERIOD ? "realtimePeriod" : "realtimeRuntime";
			if (!bad)
				json_object_set_new(section(res, "cpu"), name, json_integer(v));
			break;
		default:
			json_decref(res);
			return cli_usage("update", "unknown option");
		}
		if (bad) {
			const char *opt = "";
			for (size_t i = 0; opts[i].name; i++)
				if (opts[i].val == c)
					opt = opts[i].name;
			json_decref(res);
			return cli_usage("update", "--%s: \"%s\" is not a valid value", opt, optarg);
		}
	}
	if (optind != argc - 1) {
		json_decref(res);
		return cli_usage("update", optind >= argc ? "a container id is required" : "too many arguments");
	}
	if (file && flags) {
		json_decref(res);
		return cli_usage("update", "-r cannot be combined with other resource flags");
	}
	text = file ? read_resources(file, &err) : json_dumps(res, JSON_COMPACT);
	json_decref(res);
	if (!text)
		return cli_fail("update", &err);
	if (husk_update(g->root, argv[optind], text, &err) < 0)
		cli_fail("update", &err);
	else
		rc = 0;
	free(text);
	return rc;
}
