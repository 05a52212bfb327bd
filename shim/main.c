/* husk-shim [-namespace N] [-address A] [-publish-binary P] [-id ID]
 *           [-bundle B] [-socket PATH] [-root R] [-debug] [-forward-signals]
 *           start | delete | serve
 * Flags are Go-style (one dash, or two), as containerd passes them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "helper.h"
#include "husk/husk.h"
#include "husk/log.h"
#include "serve.h"
#include "shim.h"

/* name (up to '=' if there is one) is flag */
static bool is(const char *name, const char *flag)
{
	size_t n = strcspn(name, "=");

	return strlen(flag) == n && !strncmp(name, flag, n);
}

static void usage(FILE *f)
{
	fputs("usage: husk-shim [-namespace N] [-address A] [-publish-binary P] -id ID [-bundle B]\n"
	      "                 [-socket PATH] [-root DIR] [-debug] [-forward-signals] start|delete|serve\n"
	      "  start   spawn the shim for containerd: print its address and exit\n"
	      "  delete  clean up after a shim that is gone; print a DeleteResponse\n"
	      "  serve   run in the foreground on -socket PATH (managers, tests)\n",
	      f);
}

int main(int argc, char **argv)
{
	struct shim_opts o = {.prog = argv[0]};
	const char *address = NULL, *publish = NULL, *socket_path = NULL, *action = NULL;
	char *root_alloc = NULL;
	int i, r;

	if (argc > 1 && !strcmp(argv[1], "__helper"))
		helper_main();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *name = a[0] == '-' ? a + (a[1] == '-' ? 2 : 1) : NULL;
		const char **val = NULL;

		if (!name) {
			action = a;
			continue;
		}
		if (is(name, "namespace"))
			val = &o.ns;
		else if (is(name, "address"))
			val = &address;
		else if (is(name, "publish-binary"))
			val = &publish;
		else if (is(name, "id"))
			val = &o.id;
		else if (is(name, "bundle"))
			val = &o.bundle;
		else if (is(name, "socket"))
			val = &socket_path;
		else if (is(name, "root"))
			val = &o.root;
		else if (is(name, "debug"))
			o.debug = true;
		else if (is(name, "forward-signals"))
			o.forward_signals = true;
		else if (is(name, "v") || is(name, "version")) {
			printf("husk-shim version %s\n", HUSK_VERSION);
			return 0;
		} else if (is(name, "h") || is(name, "help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "husk-shim: unknown flag %s\n", a);
			usage(stderr);
			return 2;
		}
		if (val) {
			char *eq = strchr(name, '=');
			if (eq) /* -flag=value */
				*val = eq + 1;
			else if (i + 1 < argc)
				*val = argv[++i];
			else {
				fprintf(stderr, "husk-shim: %s needs a value\n", a);
				return 2;
			}
		}
	}
	husk_log_open(NULL, false, o.debug);
	if (action && !strcmp(action, "start"))
		return shim_start(&o, address, publish);
	if (action && !strcmp(action, "delete"))
		return shim_delete(&o);
	if (!action || (strcmp(action, "serve") && strcmp(action, "serve-fd"))) {
		fprintf(stderr, "husk-shim: %s%s\n", action ? "unknown action " : "no action given", action ? action : "");
		usage(stderr);
		return 2;
	}
	if (!o.root)
		o.root = root_alloc = shim_default_root(o.ns);
	if (!o.ns)
		o.ns = "default";
	o.events_addr = getenv("TTRPC_ADDRESS");
	if (!strcmp(action, "serve") && !socket_path) {
		fprintf(stderr, "husk-shim: serve needs -socket PATH\n");
		free(root_alloc);
		return 2;
	}
	/* Serve from a read-only image of ourselves (CVE-2019-5736): the helpers
	 * that clone a container's processes are forks of this process, and
	 * this way they need no exec of their own. `start` already launches
	 * serve-fd so; a manager's `serve` re-executes here, once. */
	if (!husk_running_protected()) {
		struct husk_error e = {0};
		if (husk_exec_sealed(argv, &e) < 0)
			fprintf(stderr, "husk-shim: %s; each Create and Exec helper will try again\n", e.msg);
	}
	r = shim_serve(&o, !strcmp(action, "serve-fd") ? 3 : -1, socket_path);
	free(root_alloc);
	return r < 0 ? 1 : 0;
}
