/* shimctl: one verb per containerd.task.v2.Task RPC, over any shim's socket. */
#ifndef HUSK_SHIMCTL_H
#define HUSK_SHIMCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "ttrpc.h"

struct ctl {
	const char *address;
	bool json;
	int timeout_ms;    /* per call; -1 = none */
	bool timeout_set;  /* --timeout given: it bounds Wait too (else Wait has none) */
};

/* One call: 0 with *resp decoded (free with protobuf_c_message_free_unpacked),
 * or an exit status after printing "shimctl: METHOD: code: message". */
int ctl_call(const struct ctl *c, const char *method, const ProtobufCMessage *req,
	     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp);
/* the same on an open client (run keeps one) */
int ctl_call_on(struct ttrpc_client *cl, const char *method, const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp, int timeout_ms);

/* options a verb takes: --name VALUE or --flag; returns the index of the
 * first positional argument not consumed, or -1 after printing an error */
struct opt {
	const char *name;
	const char **value; /* NULL for a flag */
	bool *flag;
};
int parse_opts(int argc, char **argv, const struct opt *opts, const char **pos, int max_pos, int *npos,
	       char ***rest, int *nrest);

const char *status_name(int status);
json_t *timestamp_json(const Google__Protobuf__Timestamp *ts);
void print_json(json_t *j);
/* A process object for Exec: the bundle's config.json process with args and
 * terminal replaced (as `ctr task exec` takes the container's spec). */
char *exec_process_json(const char *bundle, char **args, int nargs, bool tty, char *err, size_t len);

int cmd_run(const struct ctl *c, int argc, char **argv);

#endif
