/* ttrpc: containerd's RPC framing. A frame is a 10-byte header (length and
 * stream id big-endian, type, flags) and a protobuf payload: a ttrpc.Request
 * (type 1) or a ttrpc.Response (type 2). This layer encodes and decodes frames
 * and resolves "service/method" to a handler; it does no I/O and knows
 * nothing of containers. */
#ifndef HUSK_TTRPC_H
#define HUSK_TTRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#define TTRPC_HEADER_LEN 10
#define TTRPC_MAX_DATA (4u << 20) /* containerd refuses larger messages */

enum ttrpc_type { TTRPC_REQUEST = 1, TTRPC_RESPONSE = 2, TTRPC_DATA = 3 };

/* gRPC status codes, as google.rpc.Status carries them */
enum ttrpc_code {
	TTRPC_OK = 0,
	TTRPC_CANCELLED = 1,
	TTRPC_UNKNOWN = 2,
	TTRPC_INVALID_ARGUMENT = 3,
	TTRPC_DEADLINE_EXCEEDED = 4,
	TTRPC_NOT_FOUND = 5,
	TTRPC_ALREADY_EXISTS = 6,
	TTRPC_PERMISSION_DENIED = 7,
	TTRPC_RESOURCE_EXHAUSTED = 8,
	TTRPC_FAILED_PRECONDITION = 9,
	TTRPC_ABORTED = 10,
	TTRPC_OUT_OF_RANGE = 11,
	TTRPC_UNIMPLEMENTED = 12,
	TTRPC_INTERNAL = 13,
	TTRPC_UNAVAILABLE = 14,
};
const char *ttrpc_code_name(int code);

struct ttrpc_header {
	uint32_t length; /* payload bytes after the header */
	uint32_t stream_id;
	uint8_t type, flags;
};
void ttrpc_header_encode(const struct ttrpc_header *h, uint8_t out[TTRPC_HEADER_LEN]);
void ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN], struct ttrpc_header *h);

/* Reassembles frames from a byte stream. Bytes go in with ttrpc_reader_feed;
 * ttrpc_reader_next returns 1 with a whole frame (payload valid until the
 * next call), 0 when more bytes are needed, -EMSGSIZE for a frame over the
 * limit (the stream cannot be resynchronised: close the connection). */
struct ttrpc_reader {
	uint8_t *buf;
	size_t len, cap, consumed;
};
void ttrpc_reader_feed(struct ttrpc_reader *r, const void *data, size_t n);
int ttrpc_reader_next(struct ttrpc_reader *r, struct ttrpc_header *h, const uint8_t **payload);
void ttrpc_reader_free(struct ttrpc_reader *r);

/* A whole frame (header + payload) in one malloc'd buffer. */
struct ttrpc_frame {
	uint8_t *data;
	size_t len;
};
void ttrpc_frame_free(struct ttrpc_frame *f);

/* Request frame for service/method with msg as the payload. */
int ttrpc_encode_request(uint32_t stream_id, const char *service, const char *method,
			 const ProtobufCMessage *msg, int64_t timeout_ns, struct ttrpc_frame *out);
/* The same with one metadata pair (key lower-case, as ttrpc's MD.Set makes it). */
int ttrpc_encode_request_md(uint32_t stream_id, const char *service, const char *method,
			    const ProtobufCMessage *msg, int64_t timeout_ns, const char *md_key, const char *md_value,
			    struct ttrpc_frame *out);
/* The same with the payload already packed (a message kept as bytes). */
int ttrpc_encode_request_raw(uint32_t stream_id, const char *service, const char *method, const uint8_t *payload,
			     size_t len, int64_t timeout_ns, const char *md_key, const char *md_value,
			     struct ttrpc_frame *out);
/* Response frame: code 0 = success with msg (NULL = Empty, no payload),
 * otherwise a status with message and no payload. */
int ttrpc_encode_response(uint32_t stream_id, int code, const char *message, const ProtobufCMessage *msg,
			  struct ttrpc_frame *out);

/* A decoded response: code, message (may be NULL) and the payload bytes. */
struct ttrpc_reply {
	int code;
	char *message;
	uint8_t *payload;
	size_t payload_len;
};
int ttrpc_decode_response(const uint8_t *payload, size_t len, struct ttrpc_reply *out);
void ttrpc_reply_free(struct ttrpc_reply *r);

/* --- dispatch --- */
struct ttrpc_call;
typedef void (*ttrpc_handler)(struct ttrpc_call *call);

struct ttrpc_method {
	const char *service; /* "containerd.task.v2.Task" */
	const char *method;  /* "Create" */
	const ProtobufCMessageDescriptor *input;
	ttrpc_handler handler;
};

/* One request on its way to a handler; the server owns it. */
struct ttrpc_call {
	uint32_t stream_id;
	const struct ttrpc_method *method;
	ProtobufCMessage *request; /* decoded input, freed with the call */
	int64_t timeout_ns;
	void *conn;                /* the server's connection */
	void *ctx;                 /* the server's user data */
};

/* Resolve a Request payload against the table. Returns 0 with call filled,
 * or a ttrpc_code (UNIMPLEMENTED for an unknown service or method,
 * INVALID_ARGUMENT for an undecodable Request or input) with *message set
 * (malloc'd) for the error response. */
int ttrpc_dispatch(const struct ttrpc_method *table, size_t n, const uint8_t *payload, size_t len,
		   struct ttrpc_call *call, char **message);
void ttrpc_call_clear(struct ttrpc_call *call);

/* --- a small blocking client (shimctl, the shim's event publisher) --- */
struct ttrpc_client {
	int fd;
	const char *md_key, *md_value; /* sent with every call when set */
	uint32_t next_id; /* odd, +2 per call, as ttrpc's Go client */
	struct ttrpc_reader rd;
};
/* Connect to a unix socket path ("unix://" prefix accepted). Returns 0 or -errno. */
int ttrpc_client_connect(struct ttrpc_client *c, const char *address);
/* One unary call: send the request, read until the response with its stream
 * id. timeout_ms < 0 waits forever (and is not sent). Returns 0 with *reply
 * filled (reply->code may be an error status), or -errno for a transport
 * failure (-ETIMEDOUT, -ECONNRESET, -EMSGSIZE, -EBADMSG). */
int ttrpc_client_call(struct ttrpc_client *c, const char *service, const char *method,
		      const ProtobufCMessage *req, int timeout_ms, struct ttrpc_reply *reply);
/* The same with the request already packed. */
int ttrpc_client_call_raw(struct ttrpc_client *c, const char *service, const char *method, const uint8_t *payload,
			  size_t len, int timeout_ms, struct ttrpc_reply *reply);
void ttrpc_client_close(struct ttrpc_client *c);

#endif
