/* Shared by the husk CLI verbs: global options and the error/usage helpers. */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "husk/husk.h"

struct global {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
};

struct verb {
	const char *name;
	const char *args;    /* usage line after the verb */
	const char *summary;
	const char *options; /* help text for the options, may be NULL */
	int (*run)(const struct global *g, int argc, char **argv);
	bool sealed; /* touches a container's processes: run from a sealed copy of husk */
	bool takes_command; /* the words after the id are a command: our options end there */
};

/* Print "husk: VERB: msg" (and log it); returns the exit status 1. */
int cli_fail(const char *verb, const struct husk_error *err);
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Handles --help and --version for a verb (prints, returns true). */
bool cli_help_requested(const char *verb, int argc, char **argv);
int cli_parse_int(const char *verb, const char *opt, const char *s, int *out);

int cmd_create(const struct global *g, int argc, char **argv);
int cmd_start(const struct global *g, int argc, char **argv);
int cmd_state(const struct global *g, int argc, char **argv);
int cmd_kill(const struct global *g, int argc, char **argv);
int cmd_delete(const struct global *g, int argc, char **argv);
int cmd_run(const struct global *g, int argc, char **argv);
int cmd_list(const struct global *g, int argc, char **argv);
int cmd_spec(const struct global *g, int argc, char **argv);
int cmd_features(const struct global *g, int argc, char **argv);
int cmd_pause(const struct global *g, int argc, char **argv);
int cmd_resume(const struct global *g, int argc, char **argv);
int cmd_update(const struct global *g, int argc, char **argv);
int cmd_ps(const struct global *g, int argc, char **argv);
int cmd_events(const struct global *g, int argc, char **argv);
int cmd_exec(const struct global *g, int argc, char **argv);

/* create and run share their flags */
struct create_flags {
	struct husk_create_opts opts;
	bool detach, keep;
};
int parse_create_flags(const char *verb, int argc, char **argv, bool is_run, struct create_flags *f);

#endif
