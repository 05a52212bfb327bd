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
};

/* Print "husk: VERB: msg" (and log it); returns the exit status 1. */
int cli_fail(const char *verb, const struct husk_error *err);
/* The same with another exit status (exec's own errors are 255, as runc's). */
int cli_fail_status(const char *verb, const struct husk_error *err, int status);
/* A usage error: message and usage line on stderr; returns 1 (runc's status). */
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verb's help on stdout (VERB NULL: husk's). */
void cli_print_help(const char *verb);

/* runc's flag grammar (flags.c): a verb's flags, as runc names and types them. */
enum cli_flag_type { CLI_BOOL, CLI_STRING, CLI_INT, CLI_STRINGS, CLI_INTS, CLI_DURATION };
struct cli_flag {
	const char *names; /* "bundle, b" */
	enum cli_flag_type type;
};
struct cli_value {
	bool set;          /* given at least once */
	bool b;            /* CLI_BOOL */
	const char *s;     /* CLI_STRING: the last value */
	long long n;       /* CLI_INT; CLI_DURATION in nanoseconds */
	const char **strs; /* CLI_STRINGS: every value, in order */
	long long *nums;   /* CLI_INTS */
	size_t count;
};
struct cli_args {
	int argc; /* the positional arguments */
	char **argv;
};
/* Parse ARGV (the words after the verb) against FLAGS into VALS (one per
 * flag), positional words into OUT. REORDER: flags may follow the positional
 * arguments (every verb but exec and ps). Returns 0; 1 when help was printed
 * (exit 0); -1 after printing a usage error (exit 1). */
int cli_parse(const char *verb, const struct cli_flag *flags, size_t n, struct cli_value *vals, bool reorder,
	      int argc, char **argv, struct cli_args *out);
/* runc's checkArgs: MIN..MAX positional arguments (MAX -1: no limit); 0, or
 * nonzero after printing the error (exit 1). */
int cli_nargs(const char *verb, const struct cli_args *a, int min, int max);
/* Go's strconv.ParseInt(s, 0, 64), as runc's integer flags: 0 or -EINVAL/-ERANGE. */
int cli_parse_go_int(const char *s, long long *out);
/* Release what cli_parse allocated (at exit). */
void cli_free_all(void);

/* A verb's flags: the table and the values parsed against it. */
#define CLI_PARSE(verb, table, vals, reorder, argc, argv, args) \
	cli_parse(verb, table, sizeof(table) / sizeof(table[0]), vals, reorder, (argc) - 1, (argv) + 1, args)

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
/* 0, 1 (help printed: exit 0) or -1 (error printed: exit 1) */
int parse_create_flags(const char *verb, int argc, char **argv, bool is_run, struct create_flags *f);

#endif
