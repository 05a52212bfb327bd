/* husk spec: write a default config.json; husk features: print the features. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_spec(const struct global *g, int argc, char **argv)
{
	/* runc's flags, and husk's --seccomp-default */
	static const struct cli_flag flags[] = {
		{"bundle, b", CLI_STRING}, {"rootless", CLI_BOOL}, {"seccomp-default", CLI_BOOL}};
	struct cli_value v[3];
	struct husk_error err = {0};
	const char *bundle = ".";
	struct cli_args a;
	bool seccomp;
	char *json, *path;
	int fd, r;

	(void)g;
	r = CLI_PARSE("spec", flags, v, true, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("spec", &a, 0, 0))
		return 1;
	if (v[0].set && *v[0].s)
		bundle = v[0].s;
	seccomp = v[2].b;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			husk_error_set(&err, -EEXIST, "%s exists; remove it first", path);
		else
			husk_error_sys(&err, -errno, "create %s", path);
		free(path);
		return cli_fail("spec", &err);
	}
	json = v[1].b ? husk_spec_rootless_json(seccomp, geteuid(), getegid()) : husk_spec_default_json(seccomp);
	if (dprintf(fd, "%s\n", json) < 0 || close(fd) < 0) {
		husk_error_sys(&err, -errno, "write %s", path);
		free(json);
		free(path);
		return cli_fail("spec", &err);
	}
	free(json);
	free(path);
	return 0;
}

int cmd_features(const struct global *g, int argc, char **argv)
{
	struct cli_args a;
	char *json;
	int r;

	(void)g;
	r = cli_parse("features", NULL, 0, NULL, true, argc - 1, argv + 1, &a);
	if (r)
		return r < 0;
	if (cli_nargs("features", &a, 0, 0))
		return 1;
	json = husk_features_json();
	printf("%s\n", json);
	free(json);
	return 0;
}
