/* ttrpc Request/Response payloads and the service/method dispatch table. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/rpc/status.pb-c.h"
#include "ttrpc.h"
#include "ttrpc/request.pb-c.h"

const char *ttrpc_code_name(int code)
{
	static const char *const names[] = {
		"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
		"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
		"Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
	};
	return code >= 0 && code < (int)(sizeof(names) / sizeof(names[0])) ? names[code] : "Unknown";
}

/* header + packed message; the message's size is known before packing */
static int frame(uint32_t stream_id, uint8_t type, const ProtobufCMessage *m, struct ttrpc_frame *out)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	struct ttrpc_header h = {(uint32_t)n, stream_id, type, 0};

	if (n > TTRPC_MAX_DATA)
		return -EMSGSIZE;
	out->data = malloc(TTRPC_HEADER_LEN + n);
	if (!out->data)
		return -ENOMEM;
	out->len = TTRPC_HEADER_LEN + n;
	ttrpc_header_encode(&h, out->data);
	protobuf_c_message_pack(m, out->data + TTRPC_HEADER_LEN);
	return 0;
}

/* a message packed into a fresh buffer (NULL msg: empty) */
static int pack(const ProtobufCMessage *msg, ProtobufCBinaryData *b)
{
	b->len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	b->data = NULL;
	if (!b->len)
		return 0;
	if (b->len > TTRPC_MAX_DATA)
		return -EMSGSIZE;
	b->data = malloc(b->len);
	if (!b->data)
		return -ENOMEM;
	protobuf_c_message_pack(msg, b->data);
	return 0;
}

int ttrpc_encode_request(uint32_t stream_id, const char *service, const char *method,
			 const ProtobufCMessage *msg, int64_t timeout_ns, struct ttrpc_frame *out)
{
	return ttrpc_encode_request_md(stream_id, service, method, msg, timeout_ns, NULL, NULL, out);
}

int ttrpc_encode_request_md(uint32_t stream_id, const char *service, const char *method,
			    const ProtobufCMessage *msg, int64_t timeout_ns, const char *md_key, const char *md_value,
			    struct ttrpc_frame *out)
{
	ProtobufCBinaryData payload;
	int r = pack(msg, &payload);

	if (r == 0)
		r = ttrpc_encode_request_raw(stream_id, service, method, payload.data, payload.len, timeout_ns, md_key,
					     md_value, out);
	free(payload.data);
	return r;
}

int ttrpc_encode_request_raw(uint32_t stream_id, const char *service, const char *method, const uint8_t *payload,
			     size_t len, int64_t timeout_ns, const char *md_key, const char *md_value,
			     struct ttrpc_frame *out)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	Ttrpc__KeyValue kv = TTRPC__KEY_VALUE__INIT, *kvs[1] = {&kv};

	req.service = (char *)service;
	req.method = (char *)method;
	req.timeout_nano = timeout_ns;
	req.payload.data = (uint8_t *)payload;
	req.payload.len = len;
	if (md_key) {
		kv.key = (char *)md_key;
		kv.value = (char *)(md_value ? md_value : "");
		req.n_metadata = 1;
		req.metadata = kvs;
	}
	return frame(stream_id, TTRPC_REQUEST, &req.base, out);
}

int ttrpc_encode_response(uint32_t stream_id, int code, const char *message, const ProtobufCMessage *msg,
			  struct ttrpc_frame *out)
{
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
	int r = 0;

	/* success carries no status at all, as ttrpc's Go server sends it */
	if (code != TTRPC_OK) {
		st.code = code;
		st.message = (char *)(message ? message : "");
		resp.status = &st;
	} else {
		r = pack(msg, &resp.payload);
	}
	if (r == 0)
		r = frame(stream_id, TTRPC_RESPONSE, &resp.base, out);
	free(resp.payload.data);
	return r;
}

int ttrpc_decode_response(const uint8_t *payload, size_t len, struct ttrpc_reply *out)
{
	Ttrpc__Response *resp = ttrpc__response__unpack(NULL, len, payload);

	memset(out, 0, sizeof(*out));
	if (!resp)
		return -EBADMSG;
	if (resp->status) {
		out->code = resp->status->code;
		if (resp->status->message && *resp->status->message)
			out->message = strdup(resp->status->message);
	}
	if (resp->payload.len) {
		out->payload = malloc(resp->payload.len);
		if (!out->payload) {
			ttrpc__response__free_unpacked(resp, NULL);
			return -ENOMEM;
		}
		memcpy(out->payload, resp->payload.data, resp->payload.len);
		out->payload_len = resp->payload.len;
	}
	ttrpc__response__free_unpacked(resp, NULL);
	return 0;
}

void ttrpc_reply_free(struct ttrpc_reply *r)
{
	free(r->message);
	free(r->payload);
	memset(r, 0, sizeof(*r));
}

static char *fmt(const char *f, const char *a)
{
	char *s = NULL;

	if (asprintf(&s, f, a) < 0)
		abort();
	return s;
}

int ttrpc_dispatch(const struct ttrpc_method *table, size_t n, const uint8_t *payload, size_t len,
		   struct ttrpc_call *call, char **message)
{
	Ttrpc__Request *req = ttrpc__request__unpack(NULL, len, payload);
	const struct ttrpc_method *m = NULL;
	bool service_known = false;
	int code = TTRPC_OK;

	memset(call, 0, sizeof(*call));
	*message = NULL;
	if (!req) {
		*message = fmt("unmarshal request error: %s", "malformed ttrpc.Request");
		return TTRPC_INVALID_ARGUMENT;
	}
	for (size_t i = 0; i < n && !m; i++) {
		if (strcmp(table[i].service, req->service))
			continue;
		service_known = true;
		if (!strcmp(table[i].method, req->method))
			m = &table[i];
	}
	/* ttrpc's own words, so clients that match on them keep working */
	if (!m) {
		*message = service_known ? fmt("method %s", req->method) : fmt("service %s", req->service);
		code = TTRPC_UNIMPLEMENTED;
		goto out;
	}
	call->request = protobuf_c_message_unpack(m->input, NULL, req->payload.len, req->payload.data);
	if (!call->request) {
		*message = fmt("ttrpc: error unmarshalling payload: not a valid %s", m->input->name);
		code = TTRPC_INVALID_ARGUMENT;
		goto out;
	}
	call->method = m;
	call->timeout_ns = req->timeout_nano;
out:
	ttrpc__request__free_unpacked(req, NULL);
	return code;
}

void ttrpc_call_clear(struct ttrpc_call *call)
{
	if (call->request)
		protobuf_c_message_free_unpacked(call->request, NULL);
	call->request = NULL;
}
