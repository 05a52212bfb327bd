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
	static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
					     {"seccomp-default", no_argument, NULL, 's'},
					     {NULL, 0, NULL, 0}};
	bool seccomp = false;
	struct husk_error err = {0};
	const char *bundle = ".";
	char *json, *path;
	int c, fd;

	(void)g;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 's')
			seccomp = true;
		else
			return cli_usage("spec", "unknown option");
	}
	if (optind != argc)
		return cli_usage("spec", "too many arguments");
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
	json = husk_spec_default_json(seccomp);
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
	char *json;

	(void)g;
	(void)argv;
	if (argc != 1)
		return cli_usage("features", "takes no arguments");
	json = husk_features_json();
	printf("%s\n", json);
	free(json);
	return 0;
}
