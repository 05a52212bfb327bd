/* What every verb shares: the call, option parsing, output helpers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shimctl.h"

#define SVC "containerd.task.v2.Task"

int ctl_call_on(struct ttrpc_client *cl, const char *method, const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp, int timeout_ms)
{
	struct ttrpc_reply rep;
	int r = ttrpc_client_call(cl, SVC, method, req, timeout_ms, &rep);

	if (resp)
		*resp = NULL;
	if (r < 0) {
		fprintf(stderr, "shimctl: %s: %s\n", method,
			r == -ETIMEDOUT ? "no answer in time" : r == -ECONNRESET ? "the shim closed the connection" : strerror(-r));
		return 1;
	}
	if (rep.code != TTRPC_OK) {
		int code = rep.code;
		fprintf(stderr, "shimctl: %s: %s: %s\n", method, ttrpc_code_name(code), rep.message ? rep.message : "");
		ttrpc_reply_free(&rep);
		return code == TTRPC_NOT_FOUND ? 4 : 1; /* 4: scripts can tell "gone" from a failure */
	}
	if (resp && resp_desc) {
		*resp = protobuf_c_message_unpack(resp_desc, NULL, rep.payload_len, rep.payload);
		if (!*resp) {
			fprintf(stderr, "shimctl: %s: cannot decode the reply\n", method);
			ttrpc_reply_free(&rep);
			return 1;
		}
	}
	ttrpc_reply_free(&rep);
	return 0;
}

int ctl_call(const struct ctl *c, const char *method, const ProtobufCMessage *req,
	     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp)
{
	struct ttrpc_client cl;
	int r = ttrpc_client_connect(&cl, c->address);

	if (r < 0) {
		fprintf(stderr, "shimctl: connect to %s: %s\n", c->address, strerror(-r));
		return 1;
	}
	r = ctl_call_on(&cl, method, req, resp_desc, resp, c->timeout_ms);
	ttrpc_client_close(&cl);
	return r;
}

int parse_opts(int argc, char **argv, const struct opt *opts, const char **pos, int max_pos, int *npos,
	       char ***rest, int *nrest)
{
	*npos = 0;
	if (rest) {
		*rest = NULL;
		*nrest = 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o = NULL;

		if (!strcmp(a, "--")) {
			if (!rest) {
				fprintf(stderr, "shimctl: this verb takes no command\n");
				return -1;
			}
			*rest = argv + i + 1;
			*nrest = argc - i - 1;
			break;
		}
		if (a[0] == '-' && a[1]) {
			const char *name = a + (a[1] == '-' ? 2 : 1);
			for (const struct opt *p = opts; p && p->name; p++)
				if (!strcmp(p->name, name))
					o = p;
			if (!o) {
				fprintf(stderr, "shimctl: unknown option %s\n", a);
				return -1;
			}
			if (o->flag) {
				*o->flag = true;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				fprintf(stderr, "shimctl: %s needs a value\n", a);
				return -1;
			}
			continue;
		}
		if (*npos >= max_pos) {
			fprintf(stderr, "shimctl: unexpected argument %s\n", a);
			return -1;
		}
		pos[(*npos)++] = a;
	}
	return 0;
}

const char *status_name(int status)
{
	static const char *const names[] = {"unknown", "created", "running", "stopped", "paused", "pausing"};

	return status >= 0 && status < 6 ? names[status] : "unknown";
}

json_t *timestamp_json(const Google__Protobuf__Timestamp *ts)
{
	char buf[64];
	struct tm tm;
	time_t t;

	/* absent, or Go's zero time that containerd 1.6 sends while running */
	if (!ts || ts->seconds <= 0)
		return json_null();
	t = (time_t)ts->seconds;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%09dZ", ts->nanos);
	return json_string(buf);
}

void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s)
		puts(s);
	free(s);
	json_decref(j);
}

char *exec_process_json(const char *bundle, char **args, int nargs, bool tty, char *err, size_t len)
{
	char *path, *out;
	json_t *cfg, *proc, *a;
	json_error_t je;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return NULL;
	cfg = json_load_file(path, 0, &je);
	if (!cfg) {
		snprintf(err, len, "read %s: %s", path, je.text);
		free(path);
		return NULL;
	}
	proc = json_object_get(cfg, "process");
	if (!json_is_object(proc)) {
		snprintf(err, len, "%s has no process object", path);
		free(path);
		json_decref(cfg);
		return NULL;
	}
	free(path);
	a = json_array();
	for (int i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i]));
	json_object_set_new(proc, "args", a);
	json_object_set_new(proc, "terminal", json_boolean(tty));
	out = json_dumps(proc, JSON_COMPACT);
	json_decref(cfg);
	return out;
}
