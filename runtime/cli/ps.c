/* husk ps: the host's ps output, only the container's processes (as runc). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static bool in(pid_t p, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Which whitespace-separated column of the header is PID. */
static int pid_column(const char *header)
{
	int col = 0;

	for (const char *p = header; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "PID", 3) && (p[3] == ' ' || !p[3] || p[3] == '\n'))
			return col;
		while (*p && *p != ' ')
			p++;
		col++;
	}
	return -1;
}

static long field(const char *line, int col)
{
	const char *p = line;

	for (int i = 0; i < col && *p; i++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	return strtol(p, NULL, 10);
}

static int run_ps(char **ps_args, const pid_t *pids, size_t n)
{
	int fd[2];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int col = -1, st = 0;
	pid_t child;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		int e = -errno;
		close(fd[0]);
		close(fd[1]);
		return e;
	}
	if (child == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execvp("ps", ps_args);
		fprintf(stderr, "husk: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f) {
		close(fd[0]);
		return -errno;
	}
	for (bool first = true; getline(&line, &cap, f) > 0; first = false) {
		if (first) {
			col = pid_column(line);
			fputs(line, stdout);
			continue;
		}
		if (col >= 0 && in((pid_t)field(line, col), pids, n))
			fputs(line, stdout);
	}
	free(line);
	fclose(f);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (col < 0)
		return -EPROTO;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

int cmd_ps(const struct global *g, int argc, char **argv)
{
	static const struct cli_flag flags[] = {{"format, f", CLI_STRING}};
	struct cli_value v[1];
	struct husk_error err = {0};
	const char *format;
	struct cli_args a;
	pid_t *pids;
	size_t n;
	int r;

	/* as runc, not reordered: the words after the id are ps's */
	r = CLI_PARSE("ps", flags, v, false, argc, argv, &a);
	if (r)
		return r < 0;
	if (cli_nargs("ps", &a, 1, -1))
		return 1;
	format = v[0].set ? v[0].s : "table";
	if (husk_pids(g->root, a.argv[0], &pids, &n, &err) < 0)
		return cli_fail("ps", &err);
	if (strcmp(format, "table") && strcmp(format, "json")) {
		free(pids);
		husk_error_set(&err, -EINVAL, "invalid format option \"%s\" (table or json)", format);
		return cli_fail("ps", &err);
	}
	if (!strcmp(format, "json")) {
		if (!n) { /* runc's empty (nil) list */
			printf("null\n");
			free(pids);
			return 0;
		}
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		free(pids);
		return 0;
	}
	{
		/* everything after the id goes to ps; default "-ef" as runc */
		int extra = a.argc - 1;
		char **args = calloc((size_t)extra + 3, sizeof(char *));
		if (!args) {
			free(pids);
			return 1;
		}
		args[0] = "ps";
		if (extra > 0)
			for (int i = 0; i < extra; i++)
				args[1 + i] = a.argv[1 + i];
		else
			args[1] = "-ef";
		fflush(stdout);
		r = run_ps(args, pids, n);
		free(args);
	}
	free(pids);
	if (r == -EPROTO) {
		husk_error_set(&err, r, "no PID column in the output of ps");
		return cli_fail("ps", &err);
	}
	if (r < 0) {
		husk_error_sys(&err, r, "run ps");
		return cli_fail("ps", &err);
	}
	return 0;
}
